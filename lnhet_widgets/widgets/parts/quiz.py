"""Check-your-understanding questions with immediate feedback, for the lessons."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import ipywidgets as widgets

from .progress_beacon import ProgressBeacon

__all__ = ["Quiz"]

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


class Quiz(widgets.VBox):
    """A multiple-choice question that says at once whether the answer is right, and why.

    Each judged answer is also reported, with the question as plain text, to the JupyterLab
    course extension (through an invisible :class:`ProgressBeacon`), which keeps the
    student's progress in the lesson.

    Parameters
    ----------
    question : str
        The question (HTML allowed).
    options : sequence of str
        The choices.
    answer : int
        Index of the right choice.
    explanation : str
        Shown with the verdict (HTML allowed).

    Examples
    --------
    >>> quiz = Quiz("Which misfit is largest?", ["CsPbCl3", "CsPbI3"], 1, "a grows with X⁻.")
    >>> quiz.choose(1)
    True
    >>> "Right" in quiz.feedback.value
    True
    """

    def __init__(self, question: str, options: Sequence[str], answer: int, explanation: str):
        if not 0 <= answer < len(options):
            raise ValueError(f"answer must index options (0–{len(options) - 1}), got {answer}")
        self.answer = answer
        self.explanation = explanation
        self.choices = widgets.RadioButtons(options=list(options), value=None,
                                            layout={"width": "auto"})
        self.feedback = widgets.HTML()
        self.key = plain_text(question)
        self.beacon = ProgressBeacon()
        self.choices.observe(lambda change: self._judge(change.new), names="value")
        super().__init__([widgets.HTML(_WRAP_OPTIONS_CSS + f"<b>{question}</b>"), self.choices,
                          self.feedback, self.beacon])
        self.add_class("lnhet-quiz")

    def choose(self, index: int) -> bool:
        """Select option ``index`` as a student would; return whether it is right."""
        self.choices.value = self.choices.options[index]
        return index == self.answer

    def _judge(self, value) -> None:
        if value is None:
            self.feedback.value = ""
            return
        right = self.choices.options.index(value) == self.answer
        verdict = ("<span style='color:#2b7a3d'>✓ Right.</span>" if right
                   else "<span style='color:#b00020'>✗ Not quite — try again.</span>")
        self.feedback.value = f"{verdict} {self.explanation if right else ''}"
        self.beacon.report_quiz(self.key, correct=right)
