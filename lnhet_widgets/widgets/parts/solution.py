"""Computed answers to a lesson's tasks, printed into a closed ``<details>`` block."""

from __future__ import annotations

import contextlib
import html
import io

from IPython import get_ipython
from IPython.display import HTML, display

__all__ = ["hidden_answer"]


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


@contextlib.contextmanager
def hidden_answer(title: str = "Computed answer (click to open)"):
    """Collect what the block prints and show it folded away under ``title``.

    A solution should not be read by accident: the printed text appears only when the student
    opens the block. The answer is computed each time, so it always shows what the current
    model gives. The block is a ``<details class="lnhet-task" data-lnhet-task=KEY>`` (see
    :func:`task_key`); the JupyterLab course extension notes when a student opens it.

    Examples
    --------
    >>> with hidden_answer():
    ...     print(2 + 2)
    <IPython.core.display.HTML object>
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    key = task_key(title, _running_cell_id())
    display(HTML(f'<details class="lnhet-task" data-lnhet-task="{html.escape(key)}">'
                 f"<summary><b>{html.escape(title)}</b></summary>"
                 f"<pre>{html.escape(buffer.getvalue())}</pre></details>"))
