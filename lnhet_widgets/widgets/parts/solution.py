"""Computed answers to a lesson's tasks, folded away and computed only when opened."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable

import anywidget
import traitlets
from IPython import get_ipython
from IPython.display import display

from ..custom._assets import bundle_esm

__all__ = ["TaskAnswer", "hidden_answer", "task_key"]

DEFAULT_TITLE = "Computed answer (click to open)"

#: Set (to anything but "" or "0") where no one will open the blocks, e.g. notebooks executed
#: by the tests: each answer is then computed as it is shown, and one that raises fails the
#: cell instead of waiting unseen for a student to open it.
OPEN_ANSWERS_ENV = "LNHET_OPEN_ANSWERS"


def _running_cell_id() -> str | None:
    """The notebook cell id of the code that is running, if the front end sent one.

    JupyterLab sends each cell's nbformat id with its code; IPython keeps it on the result of
    the running execution. ``None`` elsewhere (a script, nbclient, a callback between cells).
    """
    result = getattr(getattr(get_ipython(), "displayhook", None), "exec_result", None)
    return getattr(getattr(result, "info", None), "cell_id", None) or None


def task_key(title: str, cell_id: str | None) -> str:
    """The key by which the course extension records that a task's answer was opened.

    Lessons give several tasks the same default title, so the key adds the cell id when there
    is one: it is stable in the lesson's file, and differs for every cell.

    Examples
    --------
    >>> task_key("Computed answer (click to open)", "4ddc9aa9")
    'Computed answer (click to open) [4ddc9aa9]'
    >>> task_key("Task 2", None)
    'Task 2'
    """
    return title if not cell_id else f"{title} [{cell_id}]"


class TaskAnswer(anywidget.AnyWidget):
    """A task's answer in a closed block; ``compute`` runs each time a student opens it.

    The answer is not computed before anyone asks for it (a Voila app shows every lesson at
    once, and a solution should not be read by accident), and it is computed again at each
    opening, so it shows what the current model gives. What ``compute`` prints is the answer;
    an exception it raises is shown in its place.

    Parameters
    ----------
    compute : callable
        Takes no argument; prints the answer.
    title : str
        The block's title.
    key : str
        The key the course extension records the opening under (:func:`task_key`).

    Examples
    --------
    >>> answer = TaskAnswer(lambda: print(2 + 2), title="Task 1", key="Task 1")
    >>> answer.text, answer.revision
    ('', 0)
    >>> answer.compute_answer()
    '4\\n'
    >>> broken = TaskAnswer(lambda: 1 / 0, title="Task 2", key="Task 2")
    >>> broken.compute_answer()
    ''
    >>> broken.error
    'The answer could not be computed: ZeroDivisionError: division by zero'
    """

    _esm = bundle_esm("task_answer.js")
    title = traitlets.Unicode().tag(sync=True)
    key = traitlets.Unicode().tag(sync=True)
    text = traitlets.Unicode(help="what the last computation printed").tag(sync=True)
    error = traitlets.Unicode(help="the last computation's exception, if any").tag(sync=True)
    revision = traitlets.Int(0, help="how many times the answer was computed").tag(sync=True)

    def __init__(self, compute: Callable[[], object], *, title: str, key: str):
        if not callable(compute):
            raise ValueError(f"compute must be a function of no argument, got {compute!r}")
        super().__init__(title=title, key=key)
        self._compute = compute
        self.on_msg(self._on_message)

    def compute_answer(self, *, raise_errors: bool = False) -> str:
        """Compute the answer as an opening of the block does; return what it printed.

        An exception is shown in the block, and raised too with ``raise_errors``.
        """
        buffer = io.StringIO()
        error = ""
        try:
            with contextlib.redirect_stdout(buffer):
                self._compute()
        except Exception as err:
            if raise_errors:
                raise
            error = f"The answer could not be computed: {type(err).__name__}: {err}"
        with self.hold_sync():
            self.text, self.error = buffer.getvalue(), error
            self.revision += 1
        return self.text

    def _on_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("kind") == "open":
            self.compute_answer()

    def __repr__(self) -> str:
        return f"TaskAnswer(title={self.title!r}, revision={self.revision})"


def hidden_answer(compute: Callable[[], object] | None = None, *, title: str = DEFAULT_TITLE):
    """Show a task's answer folded away; the decorated function computes it when opened.

    Used as a decorator in a lesson's cell; the block appears where the cell's output goes,
    and the decorated name holds its :class:`TaskAnswer`::

        @hidden_answer
        def task_2():
            print(f"misfit {lab.result.misfit_percent:.1f} %")

        @hidden_answer(title="Task 3: computed answer")
        def task_3():
            ...

    Names the function makes are its own: a later cell cannot use them. With the environment
    variable ``LNHET_OPEN_ANSWERS`` set (the tests that execute the lessons), the answer is
    computed as it is shown and an exception in it is raised.

    Examples
    --------
    >>> @hidden_answer(title="Task 1")
    ... def task_1():
    ...     print(2 + 2)
    TaskAnswer(title='Task 1', revision=0)
    >>> task_1.compute_answer()
    '4\\n'
    """
    if compute is None:
        return lambda function: hidden_answer(function, title=title)
    answer = TaskAnswer(compute, title=title, key=task_key(title, _running_cell_id()))
    if os.environ.get(OPEN_ANSWERS_ENV, "") not in ("", "0"):
        # Raised, not only shown: in a test run an answer that cannot be computed must fail.
        answer.compute_answer(raise_errors=True)
    display(answer)
    return answer
