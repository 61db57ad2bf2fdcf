"""The lessons in a real browser: JupyterLab and Notebook 7, headless Chromium.

Run with ``.venv/bin/pytest tests/browser -m browser``; each notebook test prints (and the
session summary lists) the time from "Run All" to the end of the run and to the first drawn 3D
frame. Screenshots land in ``test-artifacts/browser/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from jupyter_harness import (
    ARTIFACTS_DIR,
    NGLVIEW_CANVAS,
    NOTEBOOK_ROOT_JS,
    assert_bqplot_marks,
    assert_canvas_drawn,
    assert_custom_widget,
    assert_nglview_drawn,
    run_notebook_in_lab,
    save_notebook_screenshot,
)
from voila_harness import LAPTOP_VIEWPORT, run_notebook_in_voila

GAUGE = '[data-testid="tolerance-gauge"]'
LEVEL_DIAGRAM = '[data-testid="level-diagram"]'
# The canvas of LatticeSliceAnimation (the annealing cross-section).
SLICE_CANVAS = ".lnhet-slice-canvas"
# GrowthLab puts this class on its coating-map container when a map run has finished.
COATING_DONE = ".lnhet-coating-done"
# Budget per notebook for opening it, starting the kernel and running every cell; the whole
# test, checks included, stays under two minutes.
RUN_TIMEOUT_S = 90


@dataclass(frozen=True)
class Expect:
    """What a notebook must show; None means "check it if the notebook shows one"."""

    nglview: bool | None = True
    bqplot_marks: int | None = 1
    gauge: bool | None = None
    level_diagram: bool | None = None
    slice_canvas: bool | None = None
    # Widget tabs (by title) to open after the first checks, each then checked for drawn
    # bqplot marks: a lab draws a tab's figures only while the tab is open.
    tabs_with_plots: tuple[str, ...] = ()
    # A selector that must appear in the notebook after "Run All", for work the notebook starts
    # in the background (e.g. a coating map); waited for up to ``wait_for_timeout_s``.
    wait_for: str | None = None
    wait_for_timeout_s: float = 60


LESSONS = [
    ("notebooks/00_welcome.ipynb", "lab", Expect()),
    ("notebooks/01_lattice_mismatch.ipynb", "lab", Expect(gauge=True)),
    ("notebooks/01_lattice_mismatch.ipynb", "notebook", Expect(gauge=True)),
    ("notebooks/02_seeded_growth.ipynb", "lab", Expect(bqplot_marks=3, wait_for=COATING_DONE)),
    ("notebooks/02b_injection_temperature.ipynb", "lab",
     Expect(bqplot_marks=3, wait_for=COATING_DONE)),
    # AnnealingLab opens on its cross-section (canvas animation) beside the 3D particle; its
    # plots are on the next tabs.
    ("notebooks/03_annealing.ipynb", "lab",
     Expect(slice_canvas=True, bqplot_marks=None, tabs_with_plots=("Profiles", "Optics"))),
    # TransferLab opens on its Spectrum tab: two figures (visible, NIR) of one line each.
    ("notebooks/04_two_way_energy_transfer.ipynb", "lab",
     Expect(nglview=False, bqplot_marks=2, level_diagram=True)),
    # Lesson 4b opens the same lab under 365 nm.
    ("notebooks/04b_perovskite_to_lanthanide.ipynb", "lab",
     Expect(nglview=False, bqplot_marks=2, level_diagram=True)),
]


def wait_for_selector(page, selector: str, *, timeout_s: float) -> None:
    """Wait until ``selector`` matches inside the open notebook; AssertionError on timeout."""
    try:
        page.wait_for_function(
            f"(s) => !!{NOTEBOOK_ROOT_JS}.querySelector(s)",
            arg=selector,
            timeout=timeout_s * 1000,
            polling=250,
        )
    except Exception as error:  # playwright's TimeoutError
        raise AssertionError(
            f"{selector!r} did not appear in the notebook within {timeout_s:g} s after the run"
        ) from error


def open_widget_tab(page, title: str) -> None:
    """Click the widget tab labelled ``title`` in the open notebook (ipywidgets' Tab)."""
    # A real click: Lumino's tab bar reacts to pointer events, not to a synthetic click().
    box = page.evaluate(
        """(title) => {
            const node = NOTEBOOK_ROOT;
            const label = [...node.querySelectorAll('.lm-TabBar-tabLabel')]
                .find((el) => el.textContent.trim() === title);
            if (!label) return null;
            label.scrollIntoView({ block: 'center' });
            const r = label.getBoundingClientRect();
            return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        }""".replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS),
        title,
    )
    clicked = box is not None
    if clicked:
        page.mouse.click(box["x"], box["y"])
    assert clicked, f"no widget tab titled {title!r} in the notebook"
    page.wait_for_timeout(1500)  # the kernel fills the page and bqplot lays it out


def check_notebook(page, server, nb_path: str, ui: str, expect: Expect, record_report) -> None:
    """Run ``nb_path`` in ``ui`` ("lab", "notebook" or "voila") and assert a clean run and the
    expected widgets.

    All findings are gathered before failing, so that one run tells everything that is wrong.
    """
    name = f"{ui}-{Path(nb_path).stem}"
    for pattern in (f"{name}.*", f"{name}-*"):  # artifacts of an earlier run of this test
        for stale in ARTIFACTS_DIR.glob(pattern):
            stale.unlink()
    if ui == "voila":
        report = run_notebook_in_voila(page, server, Path(nb_path).name, timeout_s=RUN_TIMEOUT_S)
    else:
        report = run_notebook_in_lab(page, server.base_url, nb_path, timeout_s=RUN_TIMEOUT_S,
                                     ui=ui)
    record_report(report)
    (ARTIFACTS_DIR / f"{name}.txt").write_text(report.summary() + "\n", encoding="utf-8")
    failures = report.problems()
    # A course opens quietly: no prompt of JupyterLab or an extension over the lesson (the news
    # question, "Try the Welcome Tour", ...).
    prompts = page.locator(".jp-toast-message, .jp-Dialog").all_inner_texts()
    if prompts:
        failures.append(f"prompts over the lesson: {prompts}")

    def shows(selector: str) -> bool:
        return page.evaluate(
            f"(s) => !!{NOTEBOOK_ROOT_JS}.querySelector(s)", selector
        )

    checks = []
    if expect.nglview or (expect.nglview is None and shows(NGLVIEW_CANVAS)):
        checks.append(lambda: assert_nglview_drawn(page, name=f"{name}-nglview"))
    if expect.bqplot_marks is not None or shows(".bqplot.figure"):
        checks.append(
            lambda: assert_bqplot_marks(page, expect.bqplot_marks or 1, name=f"{name}-bqplot")
        )
    if expect.gauge or (expect.gauge is None and shows(GAUGE)):
        checks.append(lambda: assert_custom_widget(page, GAUGE, name=f"{name}-gauge"))
    if expect.level_diagram or (expect.level_diagram is None and shows(LEVEL_DIAGRAM)):
        checks.append(lambda: assert_custom_widget(page, LEVEL_DIAGRAM,
                                                   name=f"{name}-level-diagram"))
    if expect.slice_canvas or (expect.slice_canvas is None and shows(SLICE_CANVAS)):
        checks.append(lambda: assert_canvas_drawn(page, SLICE_CANVAS, name=f"{name}-slice"))
    if expect.wait_for:
        # First, so that the screenshot and the other checks see the finished state.
        checks.insert(
            0,
            lambda: wait_for_selector(page, expect.wait_for, timeout_s=expect.wait_for_timeout_s),
        )
    for title in expect.tabs_with_plots:
        checks.append(lambda title=title: (open_widget_tab(page, title),
                                           assert_bqplot_marks(page, 1, name=f"{name}-{title}")))
    if not report.aborted:
        for check in checks:
            try:
                check()
            except AssertionError as error:
                failures.append(str(error))
    screenshot = save_notebook_screenshot(page, f"{name}-FAILED" if failures else name)
    assert not failures, f"{nb_path} in {ui} (see {screenshot}):\n" + "\n".join(failures)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("nb_path", "ui", "expect"), LESSONS, ids=[f"{ui}-{Path(p).stem}" for p, ui, _ in LESSONS]
)
def test_lesson_in_browser(nb_path, ui, expect, jupyter_server, notebook_page, record_report):
    notebook = jupyter_server.root_dir / nb_path
    # A missing lesson is a failure, not a skip: the curriculum promises these notebooks.
    assert notebook.is_file(), f"lesson notebook {nb_path} does not exist under {notebook.parent}"
    check_notebook(notebook_page, jupyter_server, nb_path, ui, expect, record_report)


# Lessons run as apps (``make app``): on a laptop screen, with no code cell to run.
# Every lesson (lesson 05 is run in JupyterLab by test_analysis_upload, with its upload).
APPS = [(path, expect) for path, ui, expect in LESSONS if ui == "lab"] + [
    ("notebooks/05_analysing_measurements.ipynb", Expect(nglview=None, bqplot_marks=2)),
]


@pytest.mark.browser
@pytest.mark.parametrize(("nb_path", "expect"), APPS, ids=[Path(p).stem for p, _ in APPS])
def test_lesson_as_voila_app(nb_path, expect, voila_server, browser_context, record_report):
    page = browser_context.new_page()
    page.set_viewport_size(LAPTOP_VIEWPORT)
    try:
        check_notebook(page, voila_server, nb_path, "voila", expect, record_report)
    finally:
        page.close()
        voila_server.shutdown_kernels()


@pytest.mark.browser
@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_notebook_from_command_line(
    extra_notebook, ui, jupyter_server, notebook_page, record_report
):
    """A notebook given with ``--notebook``: a clean run, and every widget kind it shows works."""
    assert (jupyter_server.root_dir / extra_notebook).is_file(), (
        f"{extra_notebook} does not exist under {jupyter_server.root_dir}"
    )
    expect = Expect(nglview=None, bqplot_marks=None, gauge=None)
    check_notebook(notebook_page, jupyter_server, extra_notebook, ui, expect, record_report)
