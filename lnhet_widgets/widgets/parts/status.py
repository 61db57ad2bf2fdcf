"""A status line that shows progress and errors inside the widget, never only in the log."""

from __future__ import annotations

import html
from contextlib import contextmanager

import ipywidgets as widgets

__all__ = ["StatusLine"]

_STYLES = {
    "info": "color: #333;",
    "busy": "color: #1f5fa8;",
    "ok": "color: #2b7a3d;",
    "error": "color: #b00020; font-weight: 600;",
}


class StatusLine(widgets.HTML):
    """One line of text under a lab: what it is doing, or what went wrong.

    Errors raised inside :meth:`catching` are shown here and swallowed, so that the last good
    result stays on screen and nothing the user typed is lost.

    Examples
    --------
    >>> status = StatusLine()
    >>> with status.catching():
    ...     raise ValueError("core_diameter_nm = -1 nm is outside the allowed range [0.5, 40] nm")
    >>> status.kind, "core_diameter_nm" in status.value
    ('error', True)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("lnhet-status")
        self.kind = "info"
        self.message = ""

    def show(self, message: str, kind: str = "info") -> None:
        """Display ``message``; ``kind`` is one of "info", "busy", "ok", "error"."""
        if kind not in _STYLES:
            raise ValueError(f"kind must be one of {sorted(_STYLES)}, got {kind!r}")
        self.kind = kind
        self.message = message
        icon = {"busy": "⏳ ", "error": "⚠ ", "ok": "✓ "}.get(kind, "")
        self.value = (
            f'<span class="lnhet-status-{kind}" style="{_STYLES[kind]}">'
            f"{icon}{html.escape(message)}</span>"
        )

    def error(self, message: str) -> None:
        """Show an error message."""
        self.show(message, "error")

    @contextmanager
    def catching(self, busy: str | None = None, done: str = ""):
        """Run a block; show ``busy`` while it runs, ``done`` after it, or the error it raised.

        ``ValueError`` and ``TypeError`` (bad input) are shown and swallowed; anything else is
        shown and re-raised, since it is a bug rather than a user's mistake.
        """
        if busy:
            self.show(busy, "busy")
        try:
            yield self
        except (ValueError, TypeError) as err:
            self.error(str(err))
        except Exception as err:
            self.error(f"{type(err).__name__}: {err}")
            raise
        else:
            self.show(done, "ok" if done else "info")
