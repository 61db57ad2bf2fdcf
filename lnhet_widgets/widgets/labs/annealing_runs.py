"""How an AnnealingLab run goes: the Run and Stop buttons, a background thread with a progress
bar, and the settings a run takes (MC steps, seed).

:class:`RunBar` is a mixin of :class:`~lnhet_widgets.widgets.labs.annealing_lab.AnnealingLab`;
what a run computes (both anneals and the optics) is the lab's ``_compute``, and how the lab
shows it, its ``_show``.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import math
import threading
import time

import ipywidgets as widgets

from lnhet_widgets.core.annealing import AnnealParams, AnnealResult

from .annealing_views import RUN_NAMES, _minutes

_log = logging.getLogger(__name__)

MAX_STEPS = 5000
MAX_SEED = 2**32 - 1
# Progress messages from the worker at most this often (a message per 10 MC steps would be
# hundreds of comm messages per run).
_REPORT_S = 0.1


def _check_steps(value) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or not 0 <= value <= MAX_STEPS:
        raise ValueError(f"steps = {value!r} MC steps is outside the allowed range "
                         f"[0, {MAX_STEPS}] (whole steps)")
    return int(value)


def _check_seed(value) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed = {value!r} is outside the allowed range [0, {MAX_SEED}] "
                         "(whole numbers)")
    return int(value)


def comparison_params(p: AnnealParams) -> AnnealParams:
    """The other side of P2's comparison: without complexes, or with Y³⁺–oleate when ``p``
    has none.

    Examples
    --------
    >>> comparison_params(AnnealParams(complex="Gd")).complex is None
    True
    >>> comparison_params(AnnealParams()).complex
    'Y'
    """
    return dataclasses.replace(p, complex="Y" if p.complex is None else None)


@dataclasses.dataclass
class _Job:
    """One run: what to anneal, and the Stop button's event."""

    params: AnnealParams
    steps: int
    seed: int
    stop: threading.Event
    started: float
    time_per_step_s: float = math.nan


class RunBar:
    """Run, Stop and the progress of a run in a background thread."""

    def _build_run_bar(self) -> None:
        self.run_button = widgets.Button(description="Run", icon="play", button_style="primary",
                                         layout={"width": "90px"},
                                         tooltip="anneal both particles, then their optics")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True,
                                          layout={"width": "90px"})
        self.run_button.on_click(self._on_run_clicked)
        self.stop_button.on_click(lambda _b: self.stop())
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout={"width": "220px"})
        self.progress_label = widgets.HTML()
        self.progress_label.add_class("lnhet-anneal-progress")
        self.run_bar = widgets.HBox(
            [self.run_button, self.stop_button, self.progress, self.progress_label],
            layout={"flex_flow": "row wrap", "align_items": "center"})

    def _on_run_clicked(self, _button) -> None:
        if not self._apply_controls():
            return  # a bad value: its message stays, the last result too
        # Not status.catching(): its "done" message could land after the thread's own.
        try:
            self.run_async()
        except (ValueError, RuntimeError) as error:
            self.status.error(str(error))
        except Exception as error:  # never raise out of a widget callback
            self.status.error(f"{type(error).__name__}: {error}")
            _log.exception("AnnealingLab: could not start the run")

    def run(self) -> AnnealResult:
        """Anneal now, in this thread, and return the new ``result``.

        Anneals ``params`` and :func:`comparison_params` of it for ``steps`` MC steps with
        ``seed``, then computes the optics, and shows everything. Errors propagate (a script
        wants them); they are also shown in the lab, whose last result stays.

        Raises
        ------
        ValueError
            For settings that cannot be annealed (e.g. ``steps`` out of range).
        RuntimeError
            If a run is already in progress.
        """
        job = self._prepare()
        self._execute(job)
        if self._error is not None:
            raise self._error
        return self.result

    def run_async(self) -> threading.Thread:
        """Anneal in a background thread (what the Run button does) and return the thread.

        The progress bar follows both runs; :meth:`stop` ends the run early. Join the thread
        (or call :meth:`wait`) before reading the new ``result``.

        Raises
        ------
        ValueError, RuntimeError
            As :meth:`run`, before the thread starts.
        """
        job = self._prepare()
        self._thread = threading.Thread(target=self._execute, args=(job,),
                                        name="AnnealingLab-run", daemon=True)
        self._thread.start()
        return self._thread

    def wait(self, timeout: float | None = None) -> AnnealResult | None:
        """Wait for a background run to finish and return ``result``; re-raise its error."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self._error is not None:
            raise self._error
        return self.result

    @property
    def running(self) -> bool:
        """True while a run is in progress."""
        return self._job is not None

    def stop(self) -> None:
        """End a running anneal at its next progress report (within 10 MC steps).

        The lab then shows the snapshots reached. If the first run is stopped, its
        counterpart is annealed to the same step (no longer than the time already spent), so
        both sides compare; the optics are not computed. Without a run, stops the per-ion
        optics if they are being computed (:meth:`stop_per_ion`); otherwise does nothing.
        """
        job = self._job
        if job is None:
            self.stop_per_ion()
            return
        job.stop.set()
        self.stop_button.disabled = True
        self.progress_label.value = "stopping…"

    def _prepare(self) -> _Job:
        # A run supersedes the per-ion optics of the last one; its own follow it if chosen.
        self._cancel_per_ion()
        with self._lock:
            if self._job is not None:
                raise RuntimeError("an anneal is already running; stop it first (stop())")
            try:
                steps, seed = _check_steps(self.steps), _check_seed(self.seed)
            except ValueError as error:
                self.status.error(str(error))
                raise
            job = _Job(self.params, steps, seed, threading.Event(), time.perf_counter())
            self._job = job
        self._error = None
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.max, self.progress.value = max(1, 2 * steps), 0
        self.progress.bar_style = "info"
        self.progress_label.value = "starting…"
        self.status.show(f"Annealing {RUN_NAMES[job.params.complex]} and "
                         f"{RUN_NAMES[comparison_params(job.params).complex]}…", "busy")
        return job

    def _execute(self, job: _Job) -> None:
        """Anneal both runs, compute the optics, show them; the body of Run."""
        try:
            runs, optics, anneal_s, optics_s = self._compute(job)
            draw = time.perf_counter()
            self._show(*runs, optics)
            self._last_steps = job.steps
            with self.hold_trait_notifications():
                self.comparison, self.optics = runs[1], optics
                self.result = runs[0]
            total = time.perf_counter() - job.started
            self.timings = {"anneal_s": anneal_s, "optics_s": optics_s,
                            "draw_s": time.perf_counter() - draw, "total_s": total}
            self._finish(job, runs, total)
        except Exception as error:
            self._error = error
            self.progress.bar_style = "danger"
            self.progress_label.value = "failed"
            message = (str(error) if isinstance(error, ValueError | TypeError)
                       else f"{type(error).__name__}: {error}")
            self.status.error(f"Anneal failed: {message}")
            if not isinstance(error, ValueError | TypeError):
                _log.exception("AnnealingLab: unexpected error in a run")
        finally:
            with self._lock:
                self._job = None
            self.run_button.disabled, self.stop_button.disabled = False, True
        if self._error is None:
            # Settings changed while the run went on: say so rather than "done".
            self._show_state()
            self._request_per_ion()

    def _progress(self, job: _Job, index: int, name: str, may_stop: bool, done: int,
                  total: int) -> bool:
        """anneal's progress callback: moves the bar, says whether to go on."""
        now = time.perf_counter()
        if done == total or now - self._last_report >= _REPORT_S:
            self._last_report = now
            try:
                self.progress.value = min(self.progress.max, index * job.steps + done)
                self.progress_label.value = html.escape(
                    f"{name}: step {done} of {total} · "
                    f"{_minutes(done * job.time_per_step_s)} of annealing")
            except Exception:  # an exception here would end the anneal
                _log.exception("AnnealingLab: progress update failed")
        return not (may_stop and job.stop.is_set())

    def _finish(self, job: _Job, runs, total_s: float) -> None:
        chosen, other = runs
        reached = f"step {chosen.steps} of {job.steps}"
        if job.stop.is_set():
            self.progress.bar_style = "warning"
            extra = ("" if other.steps == chosen.steps else
                     f"; the comparison reached step {other.steps}")
            self.progress_label.value = html.escape(
                f"stopped at {reached} · {_minutes(chosen.snapshot_time_s[-1])} of annealing")
            self._done_text = (f"Stopped at {reached}{extra}: the snapshots reached are shown; "
                               "no optics for a stopped run (press Run to anneal to the end).")
            self._done_kind = "info"
        else:
            self.progress.value = self.progress.max
            self.progress.bar_style = "success"
            self.progress_label.value = html.escape(
                f"step {job.steps} of {job.steps} · {_minutes(chosen.snapshot_time_s[-1])} of "
                f"annealing · {total_s:.1f} s")
            self._done_kind = "ok"
            self._done_text = (
                f"Annealed {job.steps} MC steps ({_minutes(chosen.snapshot_time_s[-1])} at "
                f"{chosen.params.temperature_c:g} °C) {RUN_NAMES[chosen.params.complex]} and "
                f"{RUN_NAMES[other.params.complex]}, with optics, in {total_s:.1f} s "
                f"(seed {job.seed}).")

