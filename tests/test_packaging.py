"""Binder installs from binder/requirements.txt, not from pyproject.toml: keep them in step."""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]


def _names(requirements) -> set[str]:
    # Names compare as pip does (PEP 503): case, "-", "_" and "." do not matter.
    return {re.sub(r"[-_.]+", "-", re.split(r"[<>=~!\[; ]", line.strip(), maxsplit=1)[0]).lower()
            for line in requirements if line.strip() and not line.lstrip().startswith("#")}


def test_binder_installs_every_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    binder = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert _names(project["dependencies"]) - _names(binder) == set()


def test_binder_installs_the_distributed_extra_the_lessons_use():
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]
    binder = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert _names(optional["distributed"]) - _names(binder) == set()


def test_binder_pins_every_package_to_one_version_the_project_accepts():
    from packaging.requirements import Requirement

    pins = {}
    for line in (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version and re.fullmatch(r"[\w.+!-]+", version), f"not pinned: {line!r}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["distributed"]
    for requirement in map(Requirement, wanted):
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert requirement.specifier.contains(pins[name]), (requirement, pins[name])
