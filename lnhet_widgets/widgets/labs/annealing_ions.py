"""The Optics tab's choice of model in AnnealingLab: the average rate equations (instant, the
default) or the per-ion model (:meth:`AnnealResult.optical_per_ion
<lnhet_widgets.core.annealing.AnnealResult.optical_per_ion>`, SCIENCE §11), whose numbers the
tab's table shows beside the average model's.

A particle of the lab takes 10–20 s ion by ion, so the per-ion optics of the three particles
of a run (pristine, docked, undocked) are computed in one background worker thread, a
particle at a time, with the lab's progress bar, status line and Stop button. A newer request
(another run, the model switched off and on) supersedes an older one at the next particle: the
worker never solves two particles at once, and a particle being solved cannot be interrupted,
so it finishes (and is cached) before the worker turns to the newer request. Results are
cached per (particle, seed, step): the same snapshot is never solved twice.

:class:`IonOpticsChoice` is a mixin of
:class:`~lnhet_widgets.widgets.labs.annealing_lab.AnnealingLab`, which holds the traits
``optics_model`` and ``per_ion_optics``.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import math
import threading
import time

import ipywidgets as widgets

from .annealing_views import RUN_NAMES, _fmt

_log = logging.getLogger(__name__)

#: The Optics tab's models: (label, value). The per-ion label says what it costs.
OPTICS_MODELS = (("average", "average"), ("per ion (10–20 s a particle)", "per_ion"))
PER_ION_COST = "about 10–20 s for each particle"
#: Snapshots whose per-ion optics the lab keeps (the oldest is dropped first).
ION_CACHE_SIZE = 24
LINE_450_NM = 450.0
_KEYS = ("pristine", "docked", "undocked")


def check_optics_model(value) -> str:
    """``value`` if it names one of :data:`OPTICS_MODELS`, else ValueError.

    Examples
    --------
    >>> check_optics_model("per_ion")
    'per_ion'
    >>> check_optics_model("ions")
    Traceback (most recent call last):
    ...
    ValueError: optics_model = 'ions' must be one of 'average', 'per_ion'
    """
    allowed = [v for _, v in OPTICS_MODELS]
    if value not in allowed:
        raise ValueError(f"optics_model = {value!r} must be one of "
                         + ", ".join(repr(v) for v in allowed))
    return value


def _cache_key(run, snapshot: int) -> tuple:
    """A snapshot by what determines it: an anneal's state at a step does not depend on the
    snapshots recorded or on a stop (:func:`~lnhet_widgets.core.annealing.anneal`)."""
    return run.params, run.seed, int(run.snapshot_steps[snapshot])


@dataclasses.dataclass
class _IonJob:
    """The per-ion optics of one run's three particles: (key, cache key, run, snapshot)."""

    todo: tuple
    stop: threading.Event
    started: float


class IonOpticsChoice:
    """The model control of the Optics tab, the per-ion worker and the comparison table."""

    def _build_optics_model(self) -> None:
        self._ion_cache: dict = {}
        self._ion_lock = threading.Lock()
        self._ion_job: _IonJob | None = None
        self._ion_thread: threading.Thread | None = None
        self._ion_note = ("", "info")  # (an error or a stop, its kind), above the table
        self.optics_model_control = widgets.ToggleButtons(
            options=list(OPTICS_MODELS), value="average", description="Model",
            style={"description_width": "50px", "button_width": "210px"},
            tooltips=["lesson 4's rate equations, every Yb³⁺ and Tm³⁺ of a particle in one "
                      "pool: instant",
                      "every Yb³⁺ and Tm³⁺ on its own site (lesson 4, Task 5): "
                      f"{PER_ION_COST}, three particles per run, in the background"])
        self.optics_model_control.observe(self._optics_model_picked, names="value")
        self.per_ion_info = widgets.HTML()
        self.per_ion_info.add_class("lnhet-anneal-per-ion")

    def _optics_model_picked(self, change) -> None:
        if not self._showing:
            self.optics_model = change["new"]

    def _optics_model_set(self, change) -> None:
        """The trait's observer: the control follows, and per ion starts the worker."""
        self._showing = True
        try:
            self.optics_model_control.value = change["new"]
        finally:
            self._showing = False
        if change["new"] == "per_ion":
            self._request_per_ion()
        else:
            self._cancel_per_ion()
            self._ion_note = ("", "info")
            self.per_ion_info.value = ""
            self._show_state()

    # --- requests --------------------------------------------------------------------------

    def _particles(self) -> tuple:
        """(key, run, snapshot) of the three particles of the shown run's Optics tab."""
        chosen, other = self._shown
        docked, undocked = (chosen, other) if chosen.params.complex else (other, chosen)
        return (("pristine", chosen, 0), ("docked", docked, -1), ("undocked", undocked, -1))

    def _request_per_ion(self) -> None:
        """Compute the per-ion optics of the shown run's particles (those not cached) in the
        worker; a request still running is superseded."""
        if self.optics_model != "per_ion" or self.running:
            return  # a run requests them when it ends
        self._cancel_per_ion()
        self._ion_note = ("", "info")
        if self._shown is None or not self.optics:
            self._ion_note = ("No per-ion optics for a stopped run: press Run to anneal to "
                              "the end.", "info")
            self._show_per_ion()
            return
        todo = tuple((key, _cache_key(run, k), run, k) for key, run, k in self._particles())
        if all(cache in self._ion_cache for _, cache, _, _ in todo):
            self._per_ion_done(todo, None)
            return
        job = _IonJob(todo, threading.Event(), time.perf_counter())
        self.status.show(f"Per-ion optics of the three particles, {PER_ION_COST}…", "busy")
        with self._ion_lock:
            self._ion_job = job
            if self._ion_thread is None:
                self._ion_thread = threading.Thread(target=self._ion_worker,
                                                    name="AnnealingLab-per-ion", daemon=True)
                self._ion_thread.start()
        self.stop_button.disabled = False
        self._show_per_ion()

    def _cancel_per_ion(self) -> bool:
        """Drop the running request (the particle being solved still finishes in the
        worker, and is cached); True if there was one."""
        with self._ion_lock:
            job, self._ion_job = self._ion_job, None
        if job is None:
            return False
        job.stop.set()
        if not self.running:
            self.stop_button.disabled = True
        return True

    def stop_per_ion(self) -> None:
        """Stop computing the per-ion optics (the Stop button while they run); the numbers
        already computed stay."""
        if self._cancel_per_ion():
            self._ion_note = ("Per-ion optics stopped; choose “average” and “per ion” again "
                              "to go on (the particles solved are kept).", "info")
            self.progress.bar_style = "warning"
            self.progress_label.value = "per-ion optics stopped"
            self.status.show(*self._ion_note)
            self._show_per_ion()

    def wait_per_ion(self, timeout: float | None = None) -> dict:
        """Wait for the per-ion worker to finish and return ``per_ion_optics``."""
        thread = self._ion_thread
        if thread is not None:
            thread.join(timeout)
        return self.per_ion_optics

    # --- the worker ------------------------------------------------------------------------

    def _ion_worker(self) -> None:
        """Work through the newest request until none is left; one particle at a time."""
        while True:
            with self._ion_lock:
                job = self._ion_job
                if job is None:
                    self._ion_thread = None
                    return
            self._work(job)

    def _work(self, job: _IonJob) -> None:
        error = None
        for k, (key, cache, run, snapshot) in enumerate(job.todo):
            if job.stop.is_set():
                return
            if cache in self._ion_cache:
                continue
            if self._ion_job is job:
                self._ion_progress(job, k, key, run)
            try:
                optics = run.optical_per_ion(snapshot)
            except Exception as exc:  # shown in the lab, never raised out of the thread
                error = exc
                if not isinstance(exc, ValueError):
                    _log.exception("AnnealingLab: the per-ion optics failed")
                break
            # The pulse's populations (about 10 MB a particle) are not shown.
            self._ion_cache[cache] = dataclasses.replace(optics, pulse=None)
            while len(self._ion_cache) > ION_CACHE_SIZE:
                self._ion_cache.pop(next(iter(self._ion_cache)))
            if self._ion_job is job:
                self._show_per_ion()
        with self._ion_lock:
            if self._ion_job is not job:
                return  # superseded or stopped: a newer request or Stop has the screen
            self._ion_job = None
        try:
            self._per_ion_done(job.todo, error, time.perf_counter() - job.started)
        except Exception:
            _log.exception("AnnealingLab: showing the per-ion optics failed")
        finally:
            if not self.running:
                self.stop_button.disabled = True

    def _ion_progress(self, job: _IonJob, k: int, key: str, run) -> None:
        name = "pristine" if key == "pristine" else RUN_NAMES[run.params.complex]
        text = (f"Per-ion optics: particle {k + 1} of {len(job.todo)} ({name}), "
                f"{PER_ION_COST}…")
        self.progress.max, self.progress.value = len(job.todo), k
        self.progress.bar_style = "info"
        self.progress_label.value = html.escape(f"per-ion optics {k + 1}/{len(job.todo)} "
                                                f"({key})")
        self.status.show(text, "busy")

    def _per_ion_done(self, todo: tuple, error: BaseException | None,
                      seconds: float = 0.0) -> None:
        if error is not None:
            message = (str(error) if isinstance(error, ValueError)
                       else f"{type(error).__name__}: {error}")
            self._ion_note = (f"Per-ion optics failed: {message}", "error")
            self.progress.bar_style = "danger"
            self.progress_label.value = "per-ion optics failed"
            self.status.error(self._ion_note[0])
        else:
            self.per_ion_optics = {key: self._ion_cache[cache] for key, cache, _, _ in todo}
            self.progress.max = self.progress.value = len(todo)
            self.progress.bar_style = "success"
            self.progress_label.value = html.escape(
                f"per-ion optics · {seconds:.1f} s" if seconds else "per-ion optics (kept)")
            self.status.show("Per-ion optics of the three particles "
                             + (f"computed in {seconds:.1f} s." if seconds else
                                "(computed before)."), "ok")
        self._show_per_ion()

    # --- the table -------------------------------------------------------------------------

    def _show_per_ion(self) -> None:
        """The table: the average model's numbers (the shown run) beside the per-ion ones
        (cached, "…" while computing, "—" if not computed)."""
        if self.optics_model != "per_ion":
            self.per_ion_info.value = ""
            return
        text, kind = self._ion_note
        color = "#b00020" if kind == "error" else "inherit"
        note = (f"<p style='color:{color}'><b>{html.escape(text)}</b></p>" if text else "")
        if self._shown is None or not self.optics:
            self.per_ion_info.value = note
            return
        pending = "…" if self._ion_job is not None else "—"
        particles = self._particles()
        ion = {key: self._ion_cache.get(_cache_key(run, k)) for key, run, k in particles}
        pristine = [o.lines.get(LINE_450_NM, math.nan) if o is not None else math.nan
                    for o in (self.optics["pristine"], ion["pristine"])]
        rows = []
        for key, run, _ in particles:
            both = (self.optics[key], ion[key])
            cells = [pending if o is None else _fmt(value(o, base), ".3g")
                     for value in (_relative, _tm_lifetime, _yb_lifetime)
                     for o, base in zip(both, pristine, strict=True)]
            name = "pristine" if key == "pristine" else RUN_NAMES[run.params.complex]
            rows.append(f"<tr><td>{html.escape(name)}</td>"
                        + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        head = ("<tr><th rowspan='2'>particle</th><th colspan='2'>450 nm, × pristine</th>"
                "<th colspan='2'>Tm 450 nm lifetime (ms)</th>"
                "<th colspan='2'>Yb³⁺ lifetime (µs)</th></tr><tr>"
                + "<th>average</th><th>per ion</th>" * 3 + "</tr>")
        self.per_ion_info.value = (
            f"{note}<table class='lnhet-table'>{head}{''.join(rows)}</table>"
            "<small>Per ion: every Yb³⁺ and Tm³⁺ of the snapshot on its own site, the same "
            "rate constants, power, pulse and fit as the average model.</small>")


def _relative(optics, pristine_450: float) -> float:
    line = optics.lines.get(LINE_450_NM, math.nan)
    return line / pristine_450 if pristine_450 > 0 and math.isfinite(line) else math.nan


def _tm_lifetime(optics, _pristine_450: float) -> float:
    return optics.tm_450_lifetime_ms


def _yb_lifetime(optics, _pristine_450: float) -> float:
    return optics.yb_lifetime_us
