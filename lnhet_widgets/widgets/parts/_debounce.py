"""Debounce slider changes so a lab recomputes once the user stops dragging."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop when called inside an IPython kernel, else None."""
    from IPython import get_ipython

    if getattr(get_ipython(), "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Debouncer:
    """Call ``func`` once, ``wait_s`` seconds after the last :meth:`trigger`.

    Inside a Jupyter kernel calls are delayed on the kernel's event loop with ``call_later``;
    anywhere else (a script, a test) ``trigger`` calls ``func`` at once. Only a kernel counts:
    other libraries (Playwright's sync API, for one) can leave a loop "running" in the main
    thread that never runs the callbacks scheduled on it.

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
        loop = _kernel_loop()
        if loop is None:
            self.func()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.wait_s, self.func)
