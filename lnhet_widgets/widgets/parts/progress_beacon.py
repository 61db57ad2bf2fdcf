"""An invisible widget that tells the JupyterLab course extension what a student has done.

A :class:`~lnhet_widgets.widgets.parts.quiz.Quiz` holds one and reports each judged answer
through it. The front end (``js/widgets/progress_beacon.js``) turns the report into a bubbling
``lnhet-progress`` DOM event, which the extension's sidebar records per lesson. The beacon
draws nothing and takes no space; where no extension listens (Voila, a plain notebook) the
report goes unheard.
"""

from __future__ import annotations

import anywidget

from ..custom._assets import bundle_esm

__all__ = ["ProgressBeacon"]


class ProgressBeacon(anywidget.AnyWidget):
    """Sends progress reports from the kernel to the course extension in the browser.

    Reports are custom widget messages, not synced state: only a front end that shows the
    widget when the answer is given receives one, so reloading a page replays nothing.

    Examples
    --------
    >>> beacon = ProgressBeacon()
    >>> beacon.layout.display
    'none'
    >>> beacon.report_quiz("Which misfit is largest?", correct=True)
    {'kind': 'quiz', 'key': 'Which misfit is largest?', 'correct': True}
    """

    _esm = bundle_esm("progress_beacon.js")

    def __init__(self, **kwargs):
        super().__init__(layout={"display": "none"}, **kwargs)

    def report_quiz(self, key: str, *, correct: bool) -> dict:
        """Report an answer to the quiz ``key`` (its question as plain text); return the report.

        Raises
        ------
        ValueError
            If ``key`` is empty (the extension could not tell the quiz apart).
        """
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"key must be the question as non-empty text, got {key!r}")
        report = {"kind": "quiz", "key": key, "correct": bool(correct)}
        self.send(report)
        return report
