"""A notebook progress bar with a Stop button for :func:`~lnhet_widgets.core.sweeps.sweep`.

:class:`SweepProgressBar` implements the core's ``SweepProgress`` protocol (``start``,
``advance``, ``close``, ``stop_requested``); importing :mod:`lnhet_widgets.widgets` registers
:func:`show_sweep_progress` with the core, so ``sweep(..., progress=True)`` shows this bar in a
notebook (the core itself never imports widgets).
"""

from __future__ import annotations

import threading
import time

import ipywidgets as widgets

__all__ = ["SweepProgressBar", "show_sweep_progress"]

# A 900-cell sweep finishing a cell every few ms would send thousands of comm messages;
# the bar is redrawn at most this often (the final count is always drawn).
_REDRAW_EVERY_S = 0.1


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class SweepProgressBar:
    """Cells done out of the total, failures, elapsed time, and a Stop button.

    The sweep calls :meth:`start`, then :meth:`advance` from whatever thread collects its
    results, then :meth:`close`; it polls :attr:`stop_requested`, which the Stop button (or
    :meth:`request_stop`) sets. Every method is thread-safe. The object is not itself a
    widget (a widget's ``close`` would destroy its view); it displays as :attr:`widget`.

    Parameters
    ----------
    description : str
        Text before the counts, e.g. ``"Sweep"``.

    Examples
    --------
    >>> bar = SweepProgressBar()
    >>> bar.start(4)
    >>> bar.advance(3, 1)
    >>> bar.progress.value, bar.progress.max, bar.stop_requested
    (4, 4, False)
    >>> bar.close()
    >>> bar.label.value.startswith("Sweep: 3/4 cells, 1 failed"), bar.stop_button.disabled
    (True, True)
    """

    def __init__(self, description: str = "Sweep"):
        self.description = description
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout={"width": "300px"})
        self.label = widgets.HTML(f"{description}: waiting")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True,
                                          tooltip="Cancel the cells not started; keep the "
                                          "finished ones", layout={"width": "90px"})
        self.stop_button.on_click(lambda _button: self.request_stop())
        self.widget = widgets.HBox([self.progress, self.stop_button, self.label],
                                   layout={"align_items": "center"})
        self.widget.add_class("lnhet-sweep-progress")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._total = 0
        self._done = 0
        self._failed = 0
        self._started = time.perf_counter()
        self._drawn_at = -float("inf")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def stop_requested(self) -> bool:
        """True once Stop was pressed (or :meth:`request_stop` called) since :meth:`start`."""
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Ask the sweep to stop: it cancels the cells not started and keeps the rest."""
        self._stop.set()
        with self._lock:
            self.stop_button.disabled = True
            self.label.value = f"{self.description}: stopping (finishing the running cells)…"

    def start(self, total: int) -> None:
        """A sweep of ``total`` cells begins: reset the counts and enable Stop."""
        with self._lock:
            self._total, self._done, self._failed = int(total), 0, 0
            self._stop.clear()
            self._started = time.perf_counter()
            self._drawn_at = -float("inf")
            self.progress.max = max(self._total, 1)
            self.progress.value = 0
            self.progress.bar_style = "info"
            self.stop_button.disabled = False
            self._draw()

    def advance(self, done: int, failed: int) -> None:
        """``done`` more cells finished, ``failed`` more of them raised (counts since the
        last call, as ``tqdm.update`` takes them)."""
        with self._lock:
            self._done += int(done)
            self._failed += int(failed)
            finished = self._done + self._failed >= self._total
            if finished or time.perf_counter() - self._drawn_at >= _REDRAW_EVERY_S:
                self._draw()

    def close(self) -> None:
        """The sweep ended (finished, stopped or interrupted): draw the final state."""
        with self._lock:
            complete = self._done + self._failed >= self._total
            self.progress.bar_style = ("success" if complete and not self._failed
                                       else "warning")
            self.stop_button.disabled = True
            self._draw(final="" if complete else "stopped")

    def _draw(self, final: str | None = None) -> None:
        # Called with the lock held, so the counts and the text agree. After Stop the bar
        # keeps "stopping…" on screen until close() draws the final count.
        if self.stop_requested and final is None:
            return
        self._drawn_at = time.perf_counter()
        self.progress.value = min(self._done + self._failed, self.progress.max)
        text = f"{self.description}: {self._done}/{self._total} cells"
        if self._failed:
            text += f", {self._failed} failed"
        text += f" · {_clock(self._drawn_at - self._started)}"
        self.label.value = text + (f" ({final})" if final else "")

def show_sweep_progress(description: str = "Sweep") -> SweepProgressBar:
    """A new :class:`SweepProgressBar`, displayed in the current notebook cell's output.

    This is the factory :mod:`lnhet_widgets.widgets` registers with the core
    (``register_notebook_progress``).
    """
    from IPython.display import display

    bar = SweepProgressBar(description)
    display(bar)
    return bar
