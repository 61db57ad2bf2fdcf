"""Every lesson runs top to bottom in a headless kernel (necessary, not sufficient: see
tests/browser for the real browser)."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lnhet_widgets.widgets.parts.solution import OPEN_ANSWERS_ENV

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


COURSE = [
    "00_welcome.ipynb",
    "01_lattice_mismatch.ipynb",
    "02_seeded_growth.ipynb",
    "02b_injection_temperature.ipynb",
    "03_annealing.ipynb",
    "04_two_way_energy_transfer.ipynb",
    "04b_perovskite_to_lanthanide.ipynb",
    "05_analysing_measurements.ipynb",
]
# Every lesson has these sections, in this order (the course's one structure).
LESSON_SECTIONS = ["Learning goals", "Background", "The lab", "Tasks",
                   "Check your understanding", "Research mode", "Summary", "References"]


def _markdown(name: str) -> list[str]:
    nb = nbformat.read(NOTEBOOKS[0].parent / name, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def test_there_are_lessons():
    assert [p.name for p in NOTEBOOKS] == COURSE


def test_welcome_links_every_lesson():
    links = set(re.findall(r"\]\(([\w.]+\.ipynb)\)", "\n".join(_markdown(COURSE[0]))))
    assert set(COURSE[1:]) <= links


@pytest.mark.parametrize("index", range(1, len(COURSE)), ids=lambda i: COURSE[i][:2])
def test_lesson_structure_and_navigation(index):
    markdown = _markdown(COURSE[index])
    headings = [line[3:].strip() for text in markdown for line in text.splitlines()
                if line.startswith("## ")]
    found = {section: next((h for h in headings if h.startswith(section)), None)
             for section in LESSON_SECTIONS}
    missing = [section for section, heading in found.items() if heading is None]
    assert not missing, f"{COURSE[index]} lacks the sections {missing}"
    found = list(found.values())
    assert [headings.index(h) for h in found] == sorted(headings.index(h) for h in found)
    # Back and forward links at the top and at the bottom.
    neighbours = {COURSE[index - 1]} | ({COURSE[index + 1]} if index + 1 < len(COURSE) else set())
    for text in (markdown[0], markdown[-1]):
        assert neighbours <= set(re.findall(r"\]\(([\w.]+\.ipynb)\)", text))


def test_links_between_notebooks_resolve():
    for name in COURSE:
        for target in re.findall(r"\]\(([\w.]+\.ipynb)\)", "\n".join(_markdown(name))):
            assert target in COURSE, f"{name} links to a missing notebook {target}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, path.name


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    # No one opens the tasks' answers here: computed as they are shown, one that raises fails.
    monkeypatch.setenv(OPEN_ANSWERS_ENV, "1")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors


# A lesson is also an app (Voila shows no code cells and no run buttons): its text never tells
# the reader to run a cell or points at "the cell below".
_NOTEBOOK_ONLY_WORDING = re.compile(r"\bthe cell (?:below|above)\b|\b[Rr]un (?:the|this) cell\b")


@pytest.mark.parametrize("name", COURSE)
def test_lesson_text_works_in_an_app(name):
    found = [m.group(0) for text in _markdown(name) for m in _NOTEBOOK_ONLY_WORDING.finditer(text)]
    assert not found, f"{name} says {found}; e.g. 'the lab below (in a notebook, run its cell)'"


@pytest.mark.parametrize("name", COURSE[1:])
def test_each_lesson_has_one_open_investigate_task_without_an_answer(name):
    cells = nbformat.read(NOTEBOOKS[0].parent / name, as_version=4).cells
    starts = [i for i, cell in enumerate(cells)
              if cell.cell_type == "markdown" and cell.source.startswith("### Investigate")]
    assert len(starts) == 1, f"{name}: {len(starts)} '### Investigate' tasks"
    # The cells that follow it, up to the next text, hold no answer to open.
    following = []
    for cell in cells[starts[0] + 1:]:
        if cell.cell_type == "markdown":
            break
        following.append(cell.source)
    assert not any("hidden_answer" in source or "<details>" in source for source in following)
    assert "<details>" not in cells[starts[0]].source, "an open task shows no solution"


# In an app every cell runs at once: a research-mode cell that set the student's ``lab`` would
# change the lab above before the student touched it. Research mode makes labs of its own.
_CHANGES_THE_LAB = re.compile(r"^\s*lab\.\w+\s*=|\blab\.(?:run|load|restore|compute_\w+)\(",
                              re.MULTILINE)


@pytest.mark.parametrize("name", COURSE[1:])
def test_research_mode_leaves_the_students_lab_alone(name):
    nb = nbformat.read(NOTEBOOKS[0].parent / name, as_version=4)
    section, offending = "", []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            section = next((line[3:] for line in cell.source.splitlines()
                            if line.startswith("## ")), section)
        elif section.startswith("Research mode") and _CHANGES_THE_LAB.search(cell.source):
            offending.append(cell.id)
    assert not offending, f"{name}: research-mode cells {offending} change the lesson's lab"
