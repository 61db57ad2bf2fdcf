"""Files saved by an earlier version still load: one of every result type, lab and params.

The files in ``tests/data/saved/`` were written by ``make_saved_files.py`` with the code as it
stood before the core moved into domain packages; a move of a class must not break them.
"""

import json
from pathlib import Path

import pytest

import lnhet_widgets.io  # noqa: F401  (MeasuredTable and the labs' results join ResultIO's subclasses)
from lnhet_widgets import core, widgets
from lnhet_widgets.core._base import ResultIO

SAVED = Path(__file__).parent / "data" / "saved"
LABS = ("MismatchLab", "GrowthLab", "AnnealingLab", "TransferLab", "AnalysisLab")
PARAMS = ("GrowthParams", "AnnealParams", "BleachParams")
RESULT_FILES = sorted(p for p in SAVED.glob("*.json") if p.suffixes == [".json"])


def _result_types():
    """Every class that saves as a result (``ResultIO``), by name, wherever it lives."""
    base = ResultIO
    found, todo = {}, [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


def test_every_result_type_has_a_saved_file():
    assert {p.stem for p in RESULT_FILES} == set(_result_types())


@pytest.mark.parametrize("path", RESULT_FILES, ids=lambda p: p.stem)
def test_saved_result_loads_and_writes_the_same_json(path):
    text = path.read_text(encoding="utf-8")
    result = _result_types()[json.loads(text)["type"]].from_json(text)
    assert json.loads(result.to_json()) == json.loads(text)


def _without_added_fields(now, saved):
    """``now`` with the dict keys that ``saved`` lacks taken out (fields added since)."""
    if isinstance(now, dict) and isinstance(saved, dict):
        return {key: _without_added_fields(value, saved[key])
                for key, value in now.items() if key in saved}
    if isinstance(now, list) and isinstance(saved, list) and len(now) == len(saved):
        return [_without_added_fields(a, b) for a, b in zip(now, saved, strict=True)]
    return now


@pytest.mark.parametrize("name", LABS)
def test_saved_lab_loads(name):
    lab_class = getattr(widgets, name)
    lab = lab_class.load(SAVED / f"{name}.lab.json")
    saved_state = json.loads((SAVED / f"{name}.lab.json").read_text(encoding="utf-8"))["state"]
    # Every saved value comes back; a field added to a params class since the file was
    # written may appear too (an old file cannot have set it).
    assert _without_added_fields(json.loads(lab.save())["state"], saved_state) == saved_state


@pytest.mark.parametrize("name", PARAMS)
def test_saved_params_load(name):
    data = json.loads((SAVED / f"{name}.params.json").read_text(encoding="utf-8"))
    params = getattr(core, name).from_dict(data)
    assert json.loads(json.dumps(params.to_dict())) == data
