"""The course manifest (``manifest.json`` beside this module) and where the lessons are.

The manifest is the one list of the course's lessons and labs. The JupyterLab extension reads
the same file at build time for its sidebar and launcher cards, and ``tests/test_course.py``
keeps its titles and quiz / task counts in step with the notebooks.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["MANIFEST_PATH", "find_lesson", "lessons_dir", "load_manifest"]

#: The manifest file shipped in the package.
MANIFEST_PATH = Path(__file__).resolve().with_name("manifest.json")

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def load_manifest() -> dict:
    """The course manifest: its lessons (in course order) and its labs.

    Returns
    -------
    dict
        ``{"schema": 1, "title": str, "course_dir": str, "lessons": [...], "labs": [...]}``.
        A lesson has ``id``, ``file``, ``title``, ``goals``, ``minutes`` (estimated working
        time), ``prerequisites`` (ids of earlier lessons), ``background`` (what a student
        should already know), ``quizzes`` (how many checks: ``Quiz``,
        ``NumericQuiz`` and ``check_exercise``) and ``tasks`` (how many ``hidden_answer``
        answers it has). A lab has ``id``, ``label``, ``caption``, ``lesson``
        and ``code``, the first cell of a notebook that shows the lab. Each call returns a
        fresh dict, so a caller may change it.

    Examples
    --------
    >>> manifest = load_manifest()
    >>> manifest["course_dir"], len(manifest["lessons"])
    ('lnhet-course', 8)
    >>> [lab["label"] for lab in manifest["labs"]][:2]
    ['Mismatch lab', 'Growth lab']
    """
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def find_lesson(lesson_id: str) -> dict:
    """The manifest entry of one lesson.

    Parameters
    ----------
    lesson_id : str
        A lesson id such as ``"01_lattice_mismatch"`` (the notebook's name without
        ``.ipynb``).

    Raises
    ------
    ValueError
        If no lesson has this id; the message lists the ids there are.

    Examples
    --------
    >>> find_lesson("03_annealing")["file"]
    '03_annealing.ipynb'
    """
    lessons = load_manifest()["lessons"]
    for lesson in lessons:
        if lesson["id"] == lesson_id:
            return lesson
    raise ValueError(f"lesson {lesson_id!r} is not in the course; the lessons are "
                     + ", ".join(lesson["id"] for lesson in lessons))


def lessons_dir() -> Path:
    """Folder holding the original lesson notebooks.

    Returns
    -------
    pathlib.Path
        ``lnhet_widgets/course/lessons`` in an installed wheel (hatch ``force-include`` of
        ``notebooks/``), else ``notebooks/`` of the source checkout (editable install).

    Raises
    ------
    FileNotFoundError
        If neither holds the first lesson (a broken install).

    Examples
    --------
    >>> (lessons_dir() / "00_welcome.ipynb").is_file()
    True
    """
    first = load_manifest()["lessons"][0]["file"]
    candidates = (Path(__file__).resolve().with_name("lessons"), _PACKAGE_DIR.parent / "notebooks")
    for candidate in candidates:
        if (candidate / first).is_file():
            return candidate
    raise FileNotFoundError(
        "lnhet_widgets cannot find its lessons; looked for "
        + " and ".join(str(c / first) for c in candidates)
        + ". Reinstall the package (the wheel ships them as lnhet_widgets/course/lessons)."
    )
