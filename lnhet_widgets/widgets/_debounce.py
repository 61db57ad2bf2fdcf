"""Debounce slider changes so a lab recomputes once the user stops dragging."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Debouncer:
    """Call ``func`` once, ``wait_s`` seconds after the last :meth:`trigger`.

    Inside a running event loop (a Jupyter kernel) calls are delayed with ``call_later``;
    without one (a script or a test) ``trigger`` calls ``func`` at once.

    Examples
    --------
    >>> calls = []
    >>> d = Debouncer(lambda: calls.append(1), wait_s=0.2)
    >>> d.trigger(); d.trigger()
    >>> len(calls)
    2
    """

    def __init__(self, func: Callable[[], None], wait_s: float = 0.25):
        self.func = func
        self.wait_s = wait_s
        self._handle: asyncio.TimerHandle | None = None

    def trigger(self, *_args) -> None:
        """Schedule a call, replacing any pending one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.func()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.wait_s, self.func)
