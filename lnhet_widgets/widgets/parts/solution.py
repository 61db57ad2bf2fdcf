"""Computed answers to a lesson's tasks, printed into a closed ``<details>`` block."""

from __future__ import annotations

import contextlib
import html
import io

from IPython.display import HTML, display

__all__ = ["hidden_answer"]


@contextlib.contextmanager
def hidden_answer(title: str = "Computed answer (click to open)"):
    """Collect what the block prints and show it folded away under ``title``.

    A solution should not be read by accident: the printed text appears only when the student
    opens the block. The answer is computed each time, so it always shows what the current
    model gives.

    Examples
    --------
    >>> with hidden_answer():
    ...     print(2 + 2)
    <IPython.core.display.HTML object>
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    display(HTML(f"<details><summary><b>{html.escape(title)}</b></summary>"
                 f"<pre>{html.escape(buffer.getvalue())}</pre></details>"))
