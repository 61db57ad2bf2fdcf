"""The course in the package: its manifest, copying the lessons out and resetting one, the CLI.

The manifest is what the JupyterLab sidebar and launcher show, so it must say what the lessons
hold: their titles, how many quizzes and computed task answers they have, and labs whose code
runs. Copying must never lose a student's edited lesson.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import nbformat
import pytest

from lnhet_widgets.course import (
    copy_course,
    find_lesson,
    lessons_dir,
    load_manifest,
    reset_lesson,
)
from lnhet_widgets.course import workspace as workspace_module

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
MANIFEST = load_manifest()
LESSONS = MANIFEST["lessons"]
FILES = [lesson["file"] for lesson in LESSONS]


def _code(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def _first_heading(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise AssertionError(f"{name} has no '# ' heading")


def _first_cell(name: str) -> str:
    return nbformat.read(NOTEBOOKS / name, as_version=4).cells[0].source


def _original(name: str) -> bytes:
    return (NOTEBOOKS / name).read_bytes()


# ---- the manifest -------------------------------------------------------------------------

def test_manifest_lists_every_lesson_once_in_course_order():
    assert MANIFEST["schema"] == 1
    assert FILES == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert [lesson["id"] for lesson in LESSONS] == [Path(f).stem for f in FILES]
    assert lessons_dir() == NOTEBOOKS  # the checkout's lessons in an editable install


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson["id"])
def test_manifest_entry_matches_its_notebook(lesson):
    name = lesson["file"]
    assert lesson["title"] == _first_heading(name)
    code = _code(name)
    checks = code.count("Quiz(") + code.count("check_exercise(")
    assert lesson["quizzes"] == checks, "quizzes = Quiz( and check_exercise( calls in the code"
    assert lesson["tasks"] == code.count("@hidden_answer"), "tasks = @hidden_answer answers"
    assert 2 <= len(lesson["goals"]) <= 4 and all(g.strip() for g in lesson["goals"])
    assert isinstance(lesson["minutes"], int) and 5 <= lesson["minutes"] <= 120
    # The lesson's own header says the same time as the sidebar (when it gives one).
    stated = re.findall(r"about (\d+) minutes", _first_cell(name))
    assert stated in ([], [str(lesson["minutes"])]), (stated, lesson["minutes"])
    earlier = [other["id"] for other in LESSONS[: LESSONS.index(lesson)]]
    assert set(lesson["prerequisites"]) <= set(earlier), "prerequisites are earlier lessons"
    assert all(isinstance(item, str) and item for item in lesson["background"])


def test_the_welcome_tables_times_are_the_manifests():
    welcome = "\n".join(cell.source for cell in nbformat.read(
        NOTEBOOKS / "00_welcome.ipynb", as_version=4).cells if cell.cell_type == "markdown")
    stated = dict(re.findall(r"\]\((\w+)\.ipynb\) \|[^|\n]*\| (\d+) min \|", welcome))
    assert stated == {lesson["id"]: str(lesson["minutes"]) for lesson in LESSONS[1:]}


def test_every_lesson_but_the_welcome_has_three_or_four_checks():
    assert {lesson["id"]: 3 <= lesson["quizzes"] <= 4 for lesson in LESSONS[1:]} == {
        lesson["id"]: True for lesson in LESSONS[1:]}


def test_every_lesson_but_the_welcome_has_prerequisites():
    assert LESSONS[0]["prerequisites"] == []
    assert all(lesson["prerequisites"] for lesson in LESSONS[1:])


def test_manifest_names_the_five_labs_with_code_that_builds_them():
    labs = MANIFEST["labs"]
    assert [(lab["id"], lab["label"]) for lab in labs] == [
        ("mismatch", "Mismatch lab"), ("growth", "Growth lab"), ("annealing", "Annealing lab"),
        ("transfer", "Transfer lab"), ("analysis", "Analysis lab")]
    for lab in labs:
        class_name = lab["label"].split()[0] + "Lab"
        assert re.search(rf"\blab = {class_name}\(", lab["code"]), lab["code"]
        assert lab["code"].rstrip().endswith("\nlab"), "the cell ends by showing the lab"
        assert lab["caption"].strip()
        # The lab is the one its lesson builds.
        assert f"{class_name}(" in _code(find_lesson(lab["lesson"])["file"])


def test_each_lab_cell_builds_its_lab():
    from lnhet_widgets import widgets

    for lab in MANIFEST["labs"]:
        namespace = {}
        exec(compile(lab["code"], f"<{lab['id']} lab cell>", "exec"), namespace)
        built = namespace["lab"]
        assert isinstance(built, getattr(widgets, lab["label"].split()[0] + "Lab"))
        assert built.status.kind != "error", built.status.message


def test_find_lesson_names_the_lessons_on_a_wrong_id():
    with pytest.raises(ValueError, match=r"'lesson_1' is not in the course.*01_lattice_mismatch"):
        find_lesson("lesson_1")


# ---- the wheel ----------------------------------------------------------------------------

def test_the_wheel_ships_the_lessons_where_lessons_dir_looks(tmp_path):
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["lnhet_widgets"]  # carries manifest.json and the modules
    forced = {target: source for source, target in wheel["force-include"].items()}
    source = forced["lnhet_widgets/course/lessons"]
    # Lay out an installed package the way the wheel does, and ask it where its lessons are.
    site = tmp_path / "site-packages"
    course = site / "lnhet_widgets" / "course"
    course.mkdir(parents=True)
    for name in ("manifest.py", "manifest.json"):
        shutil.copy(ROOT / "lnhet_widgets" / "course" / name, course)
    shutil.copytree(ROOT / source, site / "lnhet_widgets/course/lessons")
    spec = spec_from_file_location("installed_manifest", course / "manifest.py")
    installed = module_from_spec(spec)
    spec.loader.exec_module(installed)
    assert installed.lessons_dir() == course / "lessons"
    assert all((course / "lessons" / name).is_file() for name in FILES)


def test_sdist_carries_the_lessons():
    sdist = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["hatch"]["build"]["targets"]["sdist"]
    assert "notebooks" in sdist["include"]


# ---- copy_course --------------------------------------------------------------------------

def test_copy_into_an_empty_folder_copies_every_lesson(tmp_path):
    dest = tmp_path / "new" / "course"
    report = copy_course(dest)
    assert report == {"dest": str(dest), "copied": FILES, "unchanged": [], "backups": []}
    assert sorted(p.name for p in dest.iterdir()) == FILES
    assert all((dest / name).read_bytes() == _original(name) for name in FILES)


def test_copy_again_leaves_identical_lessons_alone(tmp_path):
    copy_course(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    report = copy_course(tmp_path)
    assert report["copied"] == [] and report["unchanged"] == FILES and report["backups"] == []
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_copy_onto_an_edited_lesson_keeps_the_edit_and_restores_the_original(tmp_path):
    copy_course(tmp_path)
    edited = tmp_path / "02_seeded_growth.ipynb"
    edit = edited.read_text(encoding="utf-8").replace(
        '"cells": [', '"cells": [{"cell_type": "markdown", "id": "my-notes", "metadata": {}, '
        '"source": ["My notes on growth"]}, ', 1)
    edited.write_text(edit, encoding="utf-8")
    report = copy_course(tmp_path)
    assert report["copied"] == ["02_seeded_growth.ipynb"]
    [backup] = report["backups"]
    assert backup["file"] == "02_seeded_growth.ipynb"
    assert re.fullmatch(r"02_seeded_growth\.backup-\d{8}-\d{6}\.ipynb", backup["backup"])
    assert (tmp_path / backup["backup"]).read_text(encoding="utf-8") == edit
    assert edited.read_bytes() == _original("02_seeded_growth.ipynb")


def test_copy_keeps_other_files_of_the_student(tmp_path):
    (tmp_path / "my_analysis.ipynb").write_text("{}", encoding="utf-8")
    copy_course(tmp_path)
    assert (tmp_path / "my_analysis.ipynb").read_text(encoding="utf-8") == "{}"


def test_copy_to_a_bad_folder_says_why(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        copy_course(a_file)
    with pytest.raises(ValueError, match="cannot be created"):
        copy_course(a_file / "course")
    with pytest.raises(ValueError, match="empty path"):
        copy_course("")
    assert a_file.read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_copy_to_a_read_only_folder_says_why(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ValueError, match="not writable"):
            copy_course(tmp_path)
    finally:
        tmp_path.chmod(0o755)


def test_copy_defaults_to_the_manifest_course_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert copy_course()["dest"] == MANIFEST["course_dir"] == "lnhet-course"
    assert (tmp_path / "lnhet-course" / FILES[0]).is_file()


def test_the_copied_course_runs_from_its_new_folder(tmp_path):
    from nbclient import NotebookClient

    copy_course(tmp_path)
    nb = nbformat.read(tmp_path / FILES[0], as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors


# ---- reset_lesson -------------------------------------------------------------------------

class _FrozenClock:
    """datetime whose now() is one fixed second: several resets within the same second."""

    @staticmethod
    def now():
        return datetime(2026, 12, 4, 23, 59, 59)


def test_resets_within_one_second_keep_every_version(tmp_path, monkeypatch):
    monkeypatch.setattr(workspace_module, "datetime", _FrozenClock)
    copy_course(tmp_path)
    lesson = tmp_path / "03_annealing.ipynb"
    backups = []
    for version in ("first", "second", "third"):
        lesson.write_text(version, encoding="utf-8")
        result = reset_lesson("03_annealing", tmp_path)
        assert result["lesson"] == "03_annealing" and result["file"] == str(lesson)
        backups.append(Path(result["backup"]))
        assert lesson.read_bytes() == _original("03_annealing.ipynb")
    assert [b.name for b in backups] == ["03_annealing.backup-20261204-235959.ipynb",
                                         "03_annealing.backup-20261204-235959-2.ipynb",
                                         "03_annealing.backup-20261204-235959-3.ipynb"]
    assert [b.read_text(encoding="utf-8") for b in backups] == ["first", "second", "third"]


def test_reset_of_an_unchanged_or_deleted_lesson_makes_no_backup(tmp_path):
    copy_course(tmp_path)
    assert reset_lesson("01_lattice_mismatch", tmp_path)["backup"] is None
    (tmp_path / "01_lattice_mismatch.ipynb").unlink()
    assert reset_lesson("01_lattice_mismatch", tmp_path)["backup"] is None
    assert (tmp_path / "01_lattice_mismatch.ipynb").read_bytes() == _original(
        "01_lattice_mismatch.ipynb")
    assert sorted(p.name for p in tmp_path.iterdir()) == FILES


def test_reset_says_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="not in the course"):
        reset_lesson("99_missing", tmp_path)
    with pytest.raises(ValueError, match="does not exist; copy the course there first"):
        reset_lesson("00_welcome", tmp_path / "nowhere")


# ---- the command line ---------------------------------------------------------------------

def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "lnhet_widgets.course", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_copy_reset_and_list_print_one_line_of_json(tmp_path):
    done = _cli("copy", "course", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert json.loads(line) == {"dest": "course", "copied": FILES, "unchanged": [],
                                "backups": []}

    (tmp_path / "course" / "04_two_way_energy_transfer.ipynb").write_text("{}", encoding="utf-8")
    done = _cli("reset", "04_two_way_energy_transfer", "--dir", "course", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["file"] == str(Path("course", "04_two_way_energy_transfer.ipynb"))
    assert (tmp_path / result["backup"]).read_text(encoding="utf-8") == "{}"

    done = _cli("list", "--json", cwd=tmp_path)
    listed = json.loads(done.stdout)
    assert [lesson["id"] for lesson in listed["lessons"]] == [Path(f).stem for f in FILES]
    assert Path(listed["lessons_dir"]) == lessons_dir()


def test_cli_reset_uses_the_default_course_folder(tmp_path):
    assert _cli("copy", cwd=tmp_path).returncode == 0
    done = _cli("reset", "00_welcome", cwd=tmp_path)
    assert done.returncode == 0 and "is the original" in done.stdout


def test_cli_bad_arguments_exit_2_with_the_reason(tmp_path):
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    done = _cli("copy", "a_file", "--json", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "'a_file' is a file, not a folder" in done.stderr
    done = _cli("reset", "lesson_9", cwd=tmp_path)
    assert done.returncode == 2 and "lesson 'lesson_9' is not in the course" in done.stderr
    done = _cli("move", cwd=tmp_path)
    assert done.returncode == 2 and "invalid choice" in done.stderr


# ---- progress events for the course extension ---------------------------------------------

def test_quiz_reports_each_judged_answer_through_an_invisible_beacon(monkeypatch):
    from lnhet_widgets.widgets import Quiz

    quiz = Quiz("Which <i>misfit</i> is the largest?", ["CsPbCl3", "CsPbI3"], 1, "a grows.")
    sent = []
    monkeypatch.setattr(quiz.beacon, "send", sent.append)
    assert not quiz.choose(0)
    assert quiz.choose(1)
    assert "Right" in quiz.feedback.value
    quiz.choices.value = None  # cleared, not answered: nothing to report
    key = "Which misfit is the largest?"
    assert sent == [{"kind": "quiz", "key": key, "correct": False},
                    {"kind": "quiz", "key": key, "correct": True}]
    assert quiz.children[-1] is quiz.beacon and quiz.beacon.layout.display == "none"


def test_hidden_answer_marks_its_block_with_a_key_per_cell():
    # A real IPython shell, told the cell id as JupyterLab's execute request gives it; in a
    # subprocess, so that no global shell is left behind in this one.
    code = """
from IPython.core.interactiveshell import InteractiveShell
from lnhet_widgets.widgets.parts import solution
shown = []
solution.display = shown.append
shell = InteractiveShell.instance()
cell = "@solution.hidden_answer(title='Task <1>')\\ndef task_1():\\n    print(6 * 7)"
shell.user_ns["solution"] = solution
shell.run_cell(cell, cell_id="4ddc9aa9")
shell.run_cell(cell)
import json
print(json.dumps([[answer.key, answer.title, answer.text] for answer in shown]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    with_cell, without = json.loads(done.stdout.splitlines()[-1])
    # The key as the front end writes it into data-lnhet-task; nothing computed before opening.
    assert with_cell == ["Task <1> [4ddc9aa9]", "Task <1>", ""]
    assert without == ["Task <1>", "Task <1>", ""]


def test_binder_starts_with_the_course_where_the_sidebar_looks():
    post_build = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8").splitlines()

    def line_of(start):
        return [i for i, line in enumerate(post_build) if line.startswith(start)]

    [copy] = line_of("python -m lnhet_widgets.course copy ")
    assert post_build[copy].split()[-1] == MANIFEST["course_dir"]
    # Under `set -e`, after the package (which holds the lessons) is installed.
    assert line_of("set -e")[0] < line_of("python -m pip install")[0] < copy
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"urlpath=lab/tree/{MANIFEST['course_dir']}/{FILES[0]}" in readme
