"""Check-your-understanding questions with immediate feedback, for the lessons."""

from __future__ import annotations

import getpass
import html
import math
import os
import random
import re
import zlib
from collections.abc import Sequence

import ipywidgets as widgets

from .progress_beacon import ProgressBeacon

__all__ = ["NumericQuiz", "Quiz", "judge_number", "student_id", "tolerance_of",
           "verdict"]

# ipywidgets gives every radio label one line of fixed height, so a long option that wraps
# draws over the next one; let the labels grow with their text (scoped to quizzes).
_WRAP_OPTIONS_CSS = """<style>
.lnhet-quiz .widget-radio-box label {
  display: flex; align-items: flex-start; gap: 6px;
  height: auto; line-height: 1.35; white-space: normal; margin: 2px 0 6px 0;
}
.lnhet-quiz .widget-radio-box label input { order: -1; flex: none; margin-top: 3px; }
</style>"""


def plain_text(markup: str) -> str:
    """``markup`` without its HTML tags and entities, on one line.

    Examples
    --------
    >>> plain_text("Which <i>misfit</i> is   largest &amp; why?")
    'Which misfit is largest & why?'
    """
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", markup)).split())


def student_id() -> str:
    """Who is taking the course: JupyterHub's user name, else the login name.

    Examples
    --------
    >>> isinstance(student_id(), str)
    True
    """
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def _seed_for(student: str, question: str) -> int:
    # crc32, not hash(): Python salts str hashes per process, the order must stay put.
    return zlib.crc32(f"{student}\n{plain_text(question)}".encode())


def tolerance_of(answer: float, rel_tolerance: float, abs_tolerance: float) -> float:
    """How far from ``answer`` a number may be and still be right:
    max(rel_tolerance·|answer|, abs_tolerance).

    Examples
    --------
    >>> tolerance_of(7.8, 0.02, 0.2)
    0.2
    >>> tolerance_of(7.8, 0.0, 0.0)
    Traceback (most recent call last):
    ...
    ValueError: rel_tolerance and abs_tolerance must be ≥ 0, and one of them > 0
    """
    if rel_tolerance < 0 or abs_tolerance < 0 or rel_tolerance == abs_tolerance == 0:
        raise ValueError("rel_tolerance and abs_tolerance must be ≥ 0, and one of them > 0")
    return max(rel_tolerance * abs(answer), abs_tolerance)


def judge_number(value: float, answer: float, tolerance: float,
                 hints: Sequence[tuple[tuple[float, float], str]] = ()) -> tuple[bool, str]:
    """Whether ``value`` is within ``tolerance`` of ``answer``, and what to tell a wrong one.

    A wrong value gets the first hint whose range [low, high] holds it, else "too high" or
    "too low"; a right one gets "".

    Examples
    --------
    >>> judge_number(0.078, 7.8, 0.2, [((0.05, 0.1), "Give it in per cent.")])
    (False, 'Give it in per cent. Try again.')
    >>> judge_number(9.0, 7.8, 0.2)
    (False, 'That is too high. Try again.')
    >>> judge_number(7.7, 7.8, 0.2)
    (True, '')
    """
    if abs(value - answer) <= tolerance:
        return True, ""
    hint = next((text for (low, high), text in hints if low <= value <= high), None)
    return False, (hint or f"That is too {'high' if value > answer else 'low'}.") + " Try again."


def verdict(right: bool, text: str) -> str:
    """The feedback line of a judged answer: a coloured mark, then ``text`` (HTML).

    Examples
    --------
    >>> "Not quite" in verdict(False, "Try again.")
    True
    """
    mark = ("<span style='color:#2b7a3d'>✓ Right.</span>" if right
            else "<span style='color:#b00020'>✗ Not quite.</span>")
    return f"{mark} {text}".strip()


class Quiz(widgets.VBox):
    """A multiple-choice question that says at once whether the answer is right, and why.

    The options appear in an order of their own for each student (seeded by the student and
    the question, so it stays put across reloads), so that neighbours do not share "the second
    one". A wrong option gets its own feedback (``why_not``) when the lesson gives one.

    Each judged answer is also reported, with the question as plain text, to the JupyterLab
    course extension (through an invisible :class:`ProgressBeacon`), which keeps the
    student's progress in the lesson.

    Parameters
    ----------
    question : str
        The question (HTML allowed).
    options : sequence of str
        The choices, in the lesson's order (``answer`` and :meth:`choose` index this order).
    answer : int
        Index of the right choice.
    explanation : str
        Shown with the right answer (HTML allowed).
    why_not : sequence of str, optional
        For each option, what to tell a student who chose it (HTML allowed); the entry of the
        right answer is ignored (use ``""``). Default: "try again".
    shuffle : bool
        Show the options in the student's own order (default) or in the lesson's.
    student : str, optional
        Whose order; default :func:`student_id`.

    Examples
    --------
    >>> quiz = Quiz("Which misfit is largest?", ["CsPbCl3", "CsPbI3"], 1, "a grows with X⁻.",
    ...             why_not=["Cl⁻ is the smallest halide: its lattice is the closest.", ""])
    >>> quiz.choose(0)
    False
    >>> "smallest halide" in quiz.feedback.value
    True
    >>> quiz.choose(1), "Right" in quiz.feedback.value
    (True, True)
    """

    def __init__(self, question: str, options: Sequence[str], answer: int, explanation: str,
                 *, why_not: Sequence[str] | None = None, shuffle: bool = True,
                 student: str | None = None):
        if not 0 <= answer < len(options):
            raise ValueError(f"answer must index options (0–{len(options) - 1}), got {answer}")
        if why_not is not None and len(why_not) != len(options):
            raise ValueError(f"why_not needs one entry per option ({len(options)}), got "
                             f"{len(why_not)}")
        self.answer = answer
        self.explanation = explanation
        self.why_not = list(why_not) if why_not is not None else None
        order = list(range(len(options)))
        if shuffle:
            random.Random(_seed_for(student or student_id(), question)).shuffle(order)
        # Each radio button's value is the option's index in the lesson's order.
        self.choices = widgets.RadioButtons(options=[(options[i], i) for i in order],
                                            value=None, layout={"width": "auto"})
        self.feedback = widgets.HTML()
        self.key = plain_text(question)
        self.beacon = ProgressBeacon()
        self.choices.observe(lambda change: self._judge(change.new), names="value")
        super().__init__([widgets.HTML(_WRAP_OPTIONS_CSS + f"<b>{question}</b>"), self.choices,
                          self.feedback, self.beacon])
        self.add_class("lnhet-quiz")

    @property
    def shown_order(self) -> list[int]:
        """The lesson's indices of the options, in the order the student sees them."""
        return [value for _label, value in self.choices.options]

    def choose(self, index: int) -> bool:
        """Select option ``index`` (the lesson's order) as a student would; return whether it
        is right."""
        if not 0 <= index < len(self.choices.options):
            raise ValueError(f"index must be 0–{len(self.choices.options) - 1}, got {index}")
        self.choices.value = index
        return index == self.answer

    def _judge(self, index) -> None:
        if index is None:
            self.feedback.value = ""
            return
        right = index == self.answer
        if right:
            text = self.explanation
        elif self.why_not is not None and self.why_not[index]:
            text = f"{self.why_not[index]} Try again."
        else:
            text = "Try again."
        self.feedback.value = verdict(right, text)
        self.beacon.report_quiz(self.key, correct=right)


class NumericQuiz(widgets.VBox):
    """A question whose answer is a number with a unit, judged within a tolerance.

    The student types the number (the unit may follow it); a wrong answer is told whether it
    is too high or too low, or gets the lesson's own hint when it falls in a range the lesson
    expects for a common slip (a factor of 100 in a percentage, a wrong unit).

    Parameters
    ----------
    question : str
        The question (HTML allowed).
    answer : float
        The right value, in ``unit``.
    unit : str
        Unit of the answer as the student should type it ("" for a pure number).
    explanation : str
        Shown with the right answer (HTML allowed).
    rel_tolerance, abs_tolerance : float
        An answer within ``max(rel_tolerance·|answer|, abs_tolerance)`` of ``answer`` is
        right; default 2 % relative.
    hints : sequence of ((low, high), str), optional
        Feedback for an answer within [low, high] that is wrong.

    Examples
    --------
    >>> quiz = NumericQuiz("Misfit of CsPbBr3 on α-NaYF4?", 7.8, unit="%",
    ...                    explanation="(5.87 − 5.45)/5.45", abs_tolerance=0.2,
    ...                    hints=[((0.05, 0.1), "Give it in per cent, not as a fraction.")])
    >>> quiz.submit("0.078")
    False
    >>> "per cent" in quiz.feedback.value
    True
    >>> quiz.submit("7.7 %")
    True
    """

    def __init__(self, question: str, answer: float, *, unit: str, explanation: str,
                 rel_tolerance: float = 0.02, abs_tolerance: float = 0.0,
                 hints: Sequence[tuple[tuple[float, float], str]] = ()):
        if not math.isfinite(answer):
            raise ValueError(f"answer must be a finite number, got {answer!r}")
        self.answer, self.unit, self.explanation = float(answer), unit, explanation
        self.tolerance = tolerance_of(self.answer, rel_tolerance, abs_tolerance)
        self.hints = [((float(low), float(high)), text) for (low, high), text in hints]
        self.entry = widgets.Text(placeholder="a number", continuous_update=False,
                                  layout={"width": "160px"})
        self.check_button = widgets.Button(description="Check", layout={"width": "80px"})
        self.feedback = widgets.HTML()
        self.key = plain_text(question)
        self.beacon = ProgressBeacon()
        self.entry.observe(lambda change: self.submit(change.new), names="value")
        self.check_button.on_click(lambda _b: self.submit(self.entry.value))
        row = widgets.HBox([self.entry, widgets.Label(unit), self.check_button],
                           layout={"align_items": "center"})
        super().__init__([widgets.HTML(f"<b>{question}</b>"), row, self.feedback,
                          self.beacon])
        self.add_class("lnhet-quiz")

    def submit(self, text: str) -> bool:
        """Judge the typed ``text`` as a student's answer; return whether it is right.

        Text that is not a number (or has another unit) is told so and not counted.
        """
        value = self._read(text)
        if value is None:
            return False
        right, message = judge_number(value, self.answer, self.tolerance, self.hints)
        self.feedback.value = verdict(right, message if not right else self.explanation)
        self.beacon.report_quiz(self.key, correct=right)
        return right

    def _read(self, text: str) -> float | None:
        text = (text or "").strip().replace(",", ".").replace("−", "-")
        if not text:
            self.feedback.value = ""
            return None
        if self.unit and text.endswith(self.unit):
            text = text[: -len(self.unit)].strip()
        try:
            value = float(text)
        except ValueError:
            unit = f" in {html.escape(self.unit)}" if self.unit else ""
            self.feedback.value = (f"<span style='color:#b00020'>Type a number{unit} "
                                   f"(e.g. <code>12.5</code>), not "
                                   f"<code>{html.escape(text)}</code>.</span>")
            return None
        if not math.isfinite(value):
            self.feedback.value = "<span style='color:#b00020'>Type a finite number.</span>"
            return None
        return value
