"""Throttle control changes: the first change after a pause is computed at once, a drag at
the pace the model keeps up with, and the last value always."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

_MAX_INTERVAL_S = 1.0


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop when called inside an IPython kernel, else None."""
    from IPython import get_ipython

    if getattr(get_ipython(), "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Throttle:
    """Call ``func`` at once for a change after a pause, then at most once per interval while
    changes keep coming, and once more after the last of them.

    The interval is ``interval_s`` or the time ``func`` itself took (at most 1 s), whichever is
    longer: a drag is redrawn as fast as the model can follow, never queued behind itself. ``func``
    reads the controls when it runs, so the last call shows the last value and no older result
    is drawn after a newer one.

    Inside a Jupyter kernel the trailing call is scheduled on the kernel's event loop with
    ``call_later``; anywhere else (a script, a test) ``trigger`` calls ``func`` at once. Only a
    kernel counts: other libraries (Playwright's sync API, for one) can leave a loop "running"
    in the main thread that never runs the callbacks scheduled on it.

    Examples
    --------
    >>> calls = []
    >>> t = Throttle(lambda: calls.append(1), interval_s=0.2)
    >>> t.trigger(); t.trigger()
    >>> len(calls)
    2
    """

    def __init__(self, func: Callable[[], None], interval_s: float = 0.1):
        self.func = func
        self.interval_s = interval_s
        self._handle: asyncio.TimerHandle | None = None
        self._ready_at = 0.0  # loop time from which a change may be computed at once

    def trigger(self, *_args) -> None:
        """Compute now if the last call is an interval ago, else once at the interval's end."""
        loop = _kernel_loop()
        if loop is None:
            self.func()
            return
        if self._handle is not None:
            return  # the scheduled call will read this change too
        wait = self._ready_at - loop.time()
        if wait <= 0:
            self._run(loop)
        else:
            self._handle = loop.call_later(wait, self._run, loop)

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = None
        start = time.perf_counter()
        try:
            self.func()
        finally:
            took = time.perf_counter() - start
            # Capped: one slow call (numba compiling on first use, seconds) must not hold the
            # next change back for as long.
            self._ready_at = loop.time() + max(self.interval_s, min(took, _MAX_INTERVAL_S))
