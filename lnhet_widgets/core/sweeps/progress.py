"""Progress of a sweep: the :class:`SweepProgress` protocol and the reporters the core has.

``progress=True`` asks :func:`progress_reporter` for one: the notebook bar that the widget
layer registered with :func:`register_notebook_progress` (importing :mod:`lnhet_widgets.widgets`
does; the core never imports widgets), else a tqdm bar (``tqdm.auto`` in a notebook).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["CallbackProgress", "SweepProgress", "TqdmProgress", "progress_reporter",
           "register_notebook_progress"]

_notebook_factory: Callable | None = None


@runtime_checkable
class SweepProgress(Protocol):
    """What a sweep reports to, and polls for a stop.

    The sweep calls ``start(total)`` with the number of cells it computes, then
    ``advance(done, failed)`` with the cells finished since the last call (``done`` that
    succeeded, ``failed`` that raised; as ``tqdm.update`` counts), from the thread that runs
    the sweep, and ``close()`` at the end (finished, stopped or interrupted). It polls
    ``stop_requested`` while it waits for cells: True cancels the cells not started.
    """

    def start(self, total: int) -> None: ...

    def advance(self, done: int, failed: int) -> None: ...

    def close(self) -> None: ...

    @property
    def stop_requested(self) -> bool: ...


def register_notebook_progress(factory: Callable | None) -> None:
    """Make ``factory(description)`` the progress reporter of ``progress=True`` sweeps run in
    a notebook (``None`` unregisters it); it must return a :class:`SweepProgress`.

    Examples
    --------
    >>> register_notebook_progress(None)
    """
    global _notebook_factory
    _notebook_factory = factory


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class TqdmProgress:
    """A tqdm bar of the cells (text in a script, ``tqdm.auto`` in a notebook); no stop.

    Examples
    --------
    >>> import io
    >>> bar = TqdmProgress("Sweep", file=io.StringIO())
    >>> bar.start(3); bar.advance(2, 1); bar.close()
    >>> bar.bar.n, bar.stop_requested
    (3, False)
    """

    def __init__(self, description: str = "Sweep", **tqdm_options):
        self.description = description
        self.options = tqdm_options
        self.bar = None
        self._failed = 0

    @property
    def stop_requested(self) -> bool:
        return False

    def start(self, total: int) -> None:
        if _in_notebook():
            from tqdm.auto import tqdm
        else:
            from tqdm import tqdm
        self._failed = 0
        self.bar = tqdm(total=total, desc=self.description, unit="cell", **self.options)

    def advance(self, done: int, failed: int) -> None:
        self.bar.update(done + failed)
        if failed:
            self._failed += failed
            self.bar.set_postfix(failed=self._failed, refresh=False)

    def close(self) -> None:
        self.bar.close()


class CallbackProgress:
    """Adapts a callable ``callback(finished, total)`` (called after every finished cell,
    failed or not) to :class:`SweepProgress`; it stops when ``stop()`` says so.

    Examples
    --------
    >>> calls = []
    >>> progress = CallbackProgress(lambda done, total: calls.append((done, total)))
    >>> progress.start(2); progress.advance(1, 0); progress.advance(0, 1); progress.close()
    >>> calls
    [(1, 2), (2, 2)]
    """

    def __init__(self, callback: Callable[[int, int], object] | None,
                 stop: Callable[[], bool] | None = None):
        self.callback = callback
        self._stop = stop
        self._total = 0
        self._finished = 0

    @property
    def stop_requested(self) -> bool:
        return bool(self._stop()) if self._stop is not None else False

    def start(self, total: int) -> None:
        self._total, self._finished = int(total), 0

    def advance(self, done: int, failed: int) -> None:
        self._finished += done + failed
        if self.callback is not None:
            self.callback(self._finished, self._total)

    def close(self) -> None:
        pass


def progress_reporter(progress, description: str = "Sweep") -> SweepProgress | None:
    """The reporter of a sweep's ``progress`` argument: True → the registered notebook bar in
    a notebook, else :class:`TqdmProgress`; False or None → none; a :class:`SweepProgress` →
    itself; a callable ``(finished, total)`` → :class:`CallbackProgress`.

    Examples
    --------
    >>> progress_reporter(False) is None, type(progress_reporter(True)).__name__
    (True, 'TqdmProgress')
    """
    if progress is None or progress is False:
        return None
    if progress is True:
        if _notebook_factory is not None and _in_notebook():
            return _notebook_factory(description)
        return TqdmProgress(description)
    if isinstance(progress, SweepProgress):
        return progress
    if callable(progress):
        return CallbackProgress(progress)
    raise ValueError("progress must be True, False, a SweepProgress (start, advance, close, "
                     f"stop_requested) or a callable(finished, total), got {progress!r}")
