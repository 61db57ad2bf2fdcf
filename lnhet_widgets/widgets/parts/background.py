"""Slow views computed in a worker thread, so the controls stay live, and only the newest
request drawn, so no older result ever lands on top of a newer one."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._throttle import _kernel_loop

__all__ = ["LatestJob"]

_log = logging.getLogger(__name__)


@dataclass
class _Request:
    generation: int
    compute: Callable[[], Any]
    show: Callable[[Any], None]
    on_error: Callable[[Exception], None]


class LatestJob:
    """Run ``compute`` off the kernel's main thread; draw with ``show`` only the newest result.

    One worker thread at a time: a request made while another is computing waits, and a newer
    request replaces a waiting one (a drag asks for many; only the last one is computed after
    the running one). A result whose request is no longer the newest is dropped. ``show`` and
    ``on_error`` run on the kernel's event loop, between two messages from the browser, like
    any widget callback.

    Outside a Jupyter kernel (a script, a test) :meth:`submit` computes and shows at once.

    Parameters
    ----------
    name : str
        Name of the worker thread (seen in tracebacks and profilers).

    Examples
    --------
    >>> shown = []
    >>> job = LatestJob("example")
    >>> job.submit(lambda: 6 * 7, shown.append, print)
    >>> shown
    [42]
    """

    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self._generation = 0
        self._pending: _Request | None = None
        self._worker: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        """True while a request is computing or waiting."""
        with self._lock:
            return self._worker is not None

    def submit(self, compute: Callable[[], Any], show: Callable[[Any], None],
               on_error: Callable[[Exception], None]) -> None:
        """Ask for ``show(compute())``; any earlier request that has not been drawn is dropped.

        ``compute`` runs in the worker thread and must not touch widgets; ``show`` gets its
        result, ``on_error`` the exception it raised.
        """
        loop = _kernel_loop()
        with self._lock:
            self._generation += 1
            request = _Request(self._generation, compute, show, on_error)
            if loop is None:
                self._pending = None
            elif self._worker is not None:
                self._pending = request
                return
            else:
                self._worker = threading.Thread(target=self._work, args=(loop, request),
                                                name=self.name, daemon=True)
        if loop is None:
            self._finish(request, *self._run(request))
            return
        self._worker.start()

    def cancel(self) -> None:
        """Drop every request not drawn yet (a running computation ends unseen)."""
        with self._lock:
            self._generation += 1
            self._pending = None

    @staticmethod
    def _run(request: _Request) -> tuple[Any, Exception | None]:
        try:
            return request.compute(), None
        except Exception as error:  # delivered to on_error on the kernel's loop
            return None, error

    def _work(self, loop, request: _Request) -> None:
        while request is not None:
            result, error = self._run(request)
            loop.call_soon_threadsafe(self._finish, request, result, error)
            with self._lock:
                request, self._pending = self._pending, None
                if request is None:
                    self._worker = None

    def _finish(self, request: _Request, result: Any, error: Exception | None) -> None:
        with self._lock:
            if request.generation != self._generation:
                return  # a newer request was made meanwhile: its result will be drawn
        try:
            if error is None:
                request.show(result)
            else:
                request.on_error(error)
        except Exception:  # never raise out of an event-loop callback
            _log.exception("%s: drawing a result failed", self.name)
