"""Browser benchmark of how live the labs feel: control-to-redraw latency and first 3D frame.

Run on demand (not a test; it takes a few minutes and needs Debian's Chromium)::

    .venv/bin/python benchmarks/bench_lab_latency.py

It starts ``jupyter lab`` and headless Chromium with the browser tests' machinery
(``tests/browser/jupyter_harness.py``) on a temporary directory holding one small notebook per
lab: an import cell, then the lab's cell (``lab = TransferLab(); lab``). Each notebook is run
with "Run All" in a fresh kernel; then, in the page, the lab's main control is changed ten
times, with a pause of at least 1 s (and until the plots are quiet) between changes.

Prints the machine, then

(a) control to redraw, per lab and control, in ms: from the input event (``timeStamp`` of the
    Enter keydown in the slider's readout box after typing a value, of the ``change`` event
    of a dropdown, of the click on a toggle button, or of the arrow-key keydown on a
    selection slider's handle, after opening the control's tab) to the first change of a
    ``d`` attribute (or of the children) of a bqplot mark path in the notebook, seen by a
    MutationObserver (``performance.now()`` in the page);
    "settled" is the last such change before the plots were quiet for 0.5 s. Median and worst
    of the ten changes; a change with no redraw within 10 s counts as missed;
(b) first 3D frame per lesson, in s: when nglview's canvas first shows a structure (the
    harness' pixel watcher, kept running up to 20 s after the run until a view has drawn),
    counted from the start of the lab's cell (run-all time minus the kernel's time at which
    the lab's cell began, so it includes the few ms the run-all request takes to reach the
    kernel) and from "Run All" (import cell included).

The kernel imports ``lnhet_widgets`` as the server's Python does (``PYTHONPATH`` is passed
on, so an older checkout can be measured); the package's path in the kernel is printed. The
numba cache lives in ``NUMBA_CACHE_DIR`` (default ``~/.cache/lnhet-widgets-bench/numba``) and
is filled before the browser starts (every lab is created once in a subprocess), so no timing
includes numba's compilation: the first 3D frame is that of a course machine whose cache is
already built, not of the very first start.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from _machine import print_machine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
from jupyter_harness import (
    _CELLS_JS,
    BQPLOT_MARK,
    CHROMIUM,
    NOTEBOOK_ROOT_JS,
    JupyterServer,
    launch_browser,
    run_notebook_in_lab,
)

CHANGES = 10
PAUSE_S = 1.0  # at least this long between two changes
QUIET_S = 0.5  # and the plots unchanged for this long
REDRAW_TIMEOUT_S = 10.0
NOTEBOOK_TAB = ".jp-Notebook .lm-TabBar-tab"
RUN_TIMEOUT_S = 240


@dataclass(frozen=True)
class Control:
    """A control of a lab to change: found by the start of its label; ``values`` are typed
    into a slider's readout, selected in a dropdown, clicked among toggle buttons, or pressed
    as keys on a slider's handle (a selection slider has no readout to type into), one per
    change."""

    label: str
    kind: str  # "slider", "dropdown", "buttons" (toggle buttons) or "keys" (on a slider)
    values: tuple[str, ...]
    tab: str = ""  # the lab's tab to open first (its plots are drawn only while it is open)


@dataclass(frozen=True)
class Lab:
    """A lab as a lesson opens it: ``cell`` creates and shows it (``lab`` last)."""

    lesson: str
    name: str
    imports: str
    cell: str
    controls: tuple[Control, ...] = ()
    has_3d: bool = True


LABS = (
    # Lesson 00 opens on a structure view, not a lab: only its first 3D frame.
    Lab("00", "StructureView",
        "from lnhet_widgets.core.crystal import build_heterostructure\n"
        "from lnhet_widgets.widgets import StructureView",
        'view = StructureView(build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4))\n'
        "view"),
    Lab("01", "MismatchLab", "from lnhet_widgets.widgets import MismatchLab",
        "lab = MismatchLab()\nlab",
        (Control("Shell phase", "dropdown", ("CsPbCl3", "CsPbBr3") * 5),
         Control("Core diameter", "slider",
                 ("4", "5.5", "4.5", "6", "3.5", "5", "6.5", "4.2", "5.8", "4.9")))),
    Lab("02", "GrowthLab", "from lnhet_widgets.widgets import GrowthLab",
        "lab = GrowthLab()\nlab",
        (Control("Core diameter", "slider",
                 ("6", "8", "7", "9", "6.5", "8.5", "7.2", "9.5", "6.8", "7.6")),)),
    Lab("03", "AnnealingLab", "from lnhet_widgets.widgets import AnnealingLab",
        "lab = AnnealingLab()\nlab",
        (Control("Snapshot", "keys", ("ArrowLeft", "ArrowRight") * 5, tab="Profiles"),)),
    Lab("04", "TransferLab", "from lnhet_widgets.widgets import TransferLab",
        "lab = TransferLab()\nlab",
        (Control("CW power", "slider",
                 ("100", "1000", "30", "3000", "10", "1e4", "300", "3", "3e4", "10")),),
        has_3d=False),
    Lab("05", "AnalysisLab", "from lnhet_widgets.widgets import AnalysisLab",
        "lab = AnalysisLab()\nlab",
        (Control("Exponentials", "buttons", ("1", "2", "3", "2") * 2 + ("1", "2")),),
        has_3d=False),
)

# Records input events and bqplot mark changes in the open notebook (see the module docstring).
_WATCH_JS = """
([markSel]) => {
  const node = NOTEBOOK_ROOT;
  const s = { input: null, marks: [] };
  window.__lnhetLatency = s;
  const onInput = (e) => {
    if (e.type === "keydown" && !["Enter", "ArrowLeft", "ArrowRight"].includes(e.key)) return;
    s.input = e.timeStamp;
    s.marks = [];
  };
  node.addEventListener("keydown", onInput, true);
  node.addEventListener("change", onInput, true);
  node.addEventListener("click", (e) => e.target.closest(".widget-toggle-button") && onInput(e),
                        true);
  new MutationObserver((records) => {
    if (s.input === null) return;
    const now = performance.now();
    for (const r of records) {
      if (r.type === "attributes" && r.oldValue === r.target.getAttribute(r.attributeName)) {
        continue;  // set to the value it had: nothing redrawn
      }
      if (r.target.closest && r.target.closest(markSel)) {
        s.marks.push(now);
        return;
      }
    }
  }).observe(node, { subtree: true, childList: true, attributes: true,
                     attributeFilter: ["d"], attributeOldValue: true });
}
""".replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS)
_STATE_JS = "() => ({ ...window.__lnhetLatency, now: performance.now() })"
_FIND_CONTROL_JS = """
([label, selector]) => [...NOTEBOOK_ROOT.querySelectorAll(selector)].find(
  (w) => (w.querySelector(".widget-label")?.textContent ?? "").trim().startsWith(label)) ?? null
""".replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS)


def write_notebooks(directory: Path) -> None:
    """One notebook per lab: the import cell (which also notes the kernel's clock and the
    package's path) and the lab's cell (which prints when it started)."""
    for lab in LABS:
        notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
            "name": "python3", "display_name": "Python 3", "language": "python"}})
        notebook.cells = [
            nbformat.v4.new_code_cell(
                "import time\n_t0 = time.time()\nimport lnhet_widgets\n"
                f"{lab.imports}\nprint('package', lnhet_widgets.__file__)"),
            nbformat.v4.new_code_cell(
                "print(f'lab cell at {time.time() - _t0:.3f} s')\n" + lab.cell),
        ]
        nbformat.write(notebook, directory / f"{lab.lesson}_{lab.name}.ipynb")


def warm_numba_cache(cwd: Path) -> float:
    """Create every lab once in a plain Python process with the kernel's environment, so that
    the numba cache is filled before timing; returns the seconds it took.

    Run in ``cwd`` (a directory without the package), as the kernel runs in the notebooks'
    directory: ``python -c`` puts its working directory first on ``sys.path``.
    """
    code = "\n".join(f"{lab.imports}\n{lab.cell}" for lab in LABS)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def kernel_prints(page) -> str:
    """Everything the notebook's cells printed (stdout), from the notebook model."""
    return "".join(output["text"] for cell in page.evaluate(_CELLS_JS)
                   for output in cell["outputs"] if output["name"] == "stdout")


def change_control(page, control: Control, value: str) -> None:
    """Type ``value`` into the slider's readout and press Enter, select it in the dropdown, or
    press it as a key on the slider's handle."""
    selector = {"dropdown": ".widget-dropdown", "buttons": ".widget-toggle-buttons"}.get(
        control.kind, ".widget-slider")
    box = page.evaluate_handle(_FIND_CONTROL_JS, [control.label, selector]).as_element()
    if box is None:
        raise RuntimeError(f"no {control.kind} labelled {control.label!r} in the notebook")
    if control.kind == "dropdown":
        box.query_selector("select").select_option(value)
        return
    if control.kind == "buttons":
        box.query_selector(f".widget-toggle-button >> text='{value}'").click()
        return
    if control.kind == "keys":
        box.query_selector(".noUi-handle").press(value)
        return
    readout = box.query_selector(".widget-readout")
    readout.evaluate("(el, v) => { el.textContent = v; el.focus(); }", value)
    readout.press("Enter")


def open_tab(page, title: str) -> None:
    """Open the lab's tab ``title`` and give its plots a moment to draw."""
    page.locator(f"{NOTEBOOK_TAB} >> text='{title}'").first.click()
    page.wait_for_timeout(2000)


def measure_control(page, control: Control) -> list[tuple[float, float] | None]:
    """(first, settled) redraw latency in ms of each change; None when nothing was redrawn."""
    results = []
    for value in control.values:
        input_ms = page.evaluate(_STATE_JS)["input"]
        change_control(page, control, value)
        start = time.monotonic()
        while True:
            time.sleep(0.05)
            state = page.evaluate(_STATE_JS)
            waited = time.monotonic() - start
            if state["input"] == input_ms:  # the event has not been seen yet
                if waited > REDRAW_TIMEOUT_S:
                    raise RuntimeError(f"no input event seen for {control.label!r} = {value}")
                continue
            marks = state["marks"]
            if not marks:
                if waited > REDRAW_TIMEOUT_S:
                    results.append(None)
                    break
                continue
            quiet = state["now"] - marks[-1] >= QUIET_S * 1000
            if (waited >= PAUSE_S and quiet) or waited > REDRAW_TIMEOUT_S:
                results.append((marks[0] - state["input"], marks[-1] - state["input"]))
                break
    return results


def median_worst(values: list[float]) -> tuple[str, str]:
    """Median and largest of ``values`` in whole ms ("n/a" for none)."""
    if not values:
        return "n/a", "n/a"
    return f"{statistics.median(values):.0f}", f"{max(values):.0f}"


def run_lab(page, server: JupyterServer, lab: Lab) -> dict:
    """Run the lab's notebook, then change each of its controls; what was measured."""
    # In a two-cell notebook the run ends (~2 s) before the lab's view even exists.
    report = run_notebook_in_lab(page, server.base_url, f"{lab.lesson}_{lab.name}.ipynb",
                                 timeout_s=RUN_TIMEOUT_S, expect_view=lab.has_3d)
    found = {"lab": lab, "report": report, "controls": {}}
    if report.problems():
        found["problems"] = report.problems()
        return found
    printed = kernel_prints(page)
    found["package"] = re.search(r"package (\S+)", printed).group(1)
    found["lab_cell_s"] = float(re.search(r"lab cell at ([\d.]+) s", printed).group(1))
    if not lab.controls:
        return found
    page.wait_for_timeout(2000)  # let the first drawing (3D view, layout) finish
    page.evaluate(_WATCH_JS, [BQPLOT_MARK])
    for control in lab.controls:
        try:
            if control.tab:
                open_tab(page, control.tab)
            found["controls"][control.label] = measure_control(page, control)
        except Exception as error:  # report it and go on with the other labs
            found.setdefault("problems", []).append(f"{control.label}: {error}")
    return found


def print_results(results: list[dict]) -> None:
    packages = sorted({r["package"] for r in results if "package" in r})
    print(f"kernel package {', '.join(packages)}")
    print()
    print(f"(a) control to redraw, ms, {CHANGES} changes each: from the input event to the "
          "first changed bqplot mark (first), to the last one (settled)")
    print(f"{'lab':<13} {'control':<15} {'first median':>13} {'worst':>7} "
          f"{'settled median':>15} {'worst':>7} {'missed':>6}")
    for found in results:
        for label, changes in found["controls"].items():
            done = [c for c in changes if c is not None]
            first = median_worst([c[0] for c in done])
            settled = median_worst([c[1] for c in done])
            print(f"{found['lab'].name:<13} {label:<15} {first[0]:>13} {first[1]:>7} "
                  f"{settled[0]:>15} {settled[1]:>7} {len(changes) - len(done):>6}")
    print()
    print("(b) first 3D frame, s: from the start of the lab's cell, and from Run All "
          "(import cell included)")
    print(f"{'lesson':<7} {'lab':<13} {'from lab cell':>13} {'from run all':>13} "
          f"{'run all done':>13}")
    for found in results:
        lab, report = found["lab"], found["report"]
        if not lab.has_3d:
            continue
        frame = report.first_frame_s
        from_cell = "n/a" if frame is None else f"{frame - found['lab_cell_s']:.2f}"
        run = "n/a" if report.run_s is None else f"{report.run_s:.2f}"
        print(f"{lab.lesson:<7} {lab.name:<13} {from_cell:>13} "
              f"{'n/a' if frame is None else f'{frame:.2f}':>13} {run:>13}")
    print()
    print("each change, first redraw in ms (- for none within 10 s):")
    for found in results:
        for label, changes in found["controls"].items():
            row = " ".join("-" if c is None else f"{c[0]:.0f}" for c in changes)
            print(f"  {found['lab'].name} {label}: {row}")
    for found in results:
        for problem in found.get("problems", []):
            print(f"PROBLEM in {found['lab'].name}: {problem}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--labs", nargs="+", choices=[lab.name for lab in LABS],
                        default=[lab.name for lab in LABS], help="labs to measure (default: all)")
    labs = [lab for lab in LABS if lab.name in parser.parse_args().labs]

    if not CHROMIUM.is_file():
        sys.exit(f"{CHROMIUM} is missing: sudo apt-get install -y chromium")
    os.environ.setdefault(
        "NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "lnhet-widgets-bench" / "numba"))
    print_machine()
    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True)
    print(f"browser       {chromium.stdout.strip()} (headless)")
    results = []
    with tempfile.TemporaryDirectory(prefix="lnhet-latency-") as scratch:
        root = Path(scratch) / "notebooks"
        root.mkdir()
        write_notebooks(root)
        print(f"numba cache   {os.environ['NUMBA_CACHE_DIR']} (filled by creating every lab "
              f"once in a subprocess: {warm_numba_cache(root):.1f} s)")
        server = JupyterServer.start(root, log_dir=Path(scratch))
        try:
            with sync_playwright() as playwright:
                context = launch_browser(playwright, Path(scratch) / "profile")
                try:
                    for lab in labs:
                        server.shutdown_kernels()
                        page = context.new_page()
                        try:
                            results.append(run_lab(page, server, lab))
                            print(results[-1]["report"].summary().splitlines()[0], flush=True)
                        finally:
                            page.close()
                finally:
                    context.close()
        finally:
            server.stop()
    print_results(results)
    print("load average  {:.2f} {:.2f} {:.2f} (at the end)".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
