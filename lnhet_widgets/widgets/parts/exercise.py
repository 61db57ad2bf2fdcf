"""Automatic checks of the lessons' code exercises: the student's number against the model's."""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Sequence

import ipywidgets as widgets

from .progress_beacon import ProgressBeacon
from .quiz import judge_number, plain_text, tolerance_of, verdict

__all__ = ["ExerciseCheck", "check_exercise"]


class ExerciseCheck(widgets.VBox):
    """The verdict on one code exercise, shown under the cell that checks it.

    Made by :func:`check_exercise`; ``right`` is ``None`` while the exercise is not done yet
    (the starter cell still holds ``...``) or its result is not one number.
    """

    def __init__(self, question: str, message: str, right: bool | None):
        self.key = plain_text(question)
        self.right = right
        self.feedback = widgets.HTML(message)
        self.beacon = ProgressBeacon()
        super().__init__([widgets.HTML(f"<b>{question}</b>"), self.feedback, self.beacon])
        self.add_class("lnhet-quiz")
        if right is not None:
            self.beacon.report_quiz(self.key, correct=right)

    def __repr__(self) -> str:
        return f"ExerciseCheck({self.key!r}, right={self.right})"


def check_exercise(question: str, got: object, expected: float, *, unit: str,
                   explanation: str = "", rel_tolerance: float = 0.02,
                   abs_tolerance: float = 0.0,
                   hints: Sequence[tuple[tuple[float, float], str]] = ()) -> ExerciseCheck:
    """Judge the number a student's code computed against the model's own value.

    A lesson's starter cell holds ``name = ...``; the student replaces the ``...`` with code,
    and the next cell calls this with ``got=name`` and ``expected`` computed with the API. The
    verdict says "too high"/"too low" or gives the lesson's hint for a common slip, and is
    reported to the course sidebar like a quiz answer (under ``question``). While ``got`` is
    still ``...`` (or ``None``), or is not one finite number, the student is told what to do
    and nothing is counted.

    Parameters
    ----------
    question : str
        The exercise, as the lesson names it (HTML allowed); also its key in the course.
    got : object
        What the student's code computed.
    expected : float
        The model's value, in ``unit``.
    unit : str
        Unit of both ("" for a pure number).
    explanation : str
        Shown with a right result (HTML allowed).
    rel_tolerance, abs_tolerance : float
        ``got`` is right within ``max(rel_tolerance·|expected|, abs_tolerance)``.
    hints : sequence of ((low, high), str), optional
        Feedback for a wrong result within [low, high].

    Returns
    -------
    ExerciseCheck
        The widget with the verdict (the cell's output).

    Examples
    --------
    >>> check_exercise("Task 3: the misfit", ..., 7.8, unit="%").right is None
    True
    >>> check = check_exercise("Task 3: the misfit", 0.078, 7.8, unit="%",
    ...                        hints=[((0.05, 0.1), "Give it in per cent.")])
    >>> check.right, "per cent" in check.feedback.value
    (False, True)
    >>> check_exercise("Task 3: the misfit", 7.79, 7.8, unit="%").right
    True
    """
    if not (isinstance(expected, numbers.Real) and math.isfinite(expected)):
        raise ValueError(f"expected must be a finite number in {unit or 'no unit'}, "
                         f"got {expected!r}")
    tolerance = tolerance_of(float(expected), rel_tolerance, abs_tolerance)
    in_unit = f" in {html.escape(unit)}" if unit else ""
    if got is Ellipsis or got is None:
        return ExerciseCheck(question, "<i>Not done yet: replace the <code>...</code> in the "
                             "exercise's code cell with your code and run it, then check "
                             "again.</i>", None)
    value = _one_number(got)
    if value is None:
        return ExerciseCheck(question, f"<span style='color:#b00020'>Your code should give "
                             f"one finite number{in_unit}; it gave "
                             f"<code>{html.escape(repr(got)[:80])}</code>.</span>", None)
    right, message = judge_number(value, float(expected), tolerance, hints)
    shown = f"Your result: {value:.4g}{' ' + html.escape(unit) if unit else ''}. "
    return ExerciseCheck(question, verdict(right, shown + (explanation if right else message)),
                         right)


def _one_number(got: object) -> float | None:
    # numpy scalars and 0-d arrays are numbers too; anything with more values is not one.
    try:
        value = float(got)
    except (TypeError, ValueError):
        return None
    if isinstance(got, (str, bytes)) or not math.isfinite(value):
        return None
    return value
