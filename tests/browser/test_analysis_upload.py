"""Lesson 5 in JupyterLab: a measurement goes in through AnalysisLab's upload button, is
fitted, and comes back out as a downloaded CSV — what a researcher does with their own file;
then the lesson's practice data come in through the lab's "Load practice data" button.

The file goes in through the upload button's file chooser and the export through real clicks;
every number is read from the page (and from the downloaded file), never from the kernel.
ipywidgets 8's FileUpload keeps its ``<input type="file">`` out of the document and clicks it
from the button, so the file chooser the click opens is the only way in, as for a user.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import numpy as np
import pytest
from jupyter_harness import (
    ARTIFACTS_DIR,
    NOTEBOOK_ROOT_JS,
    NotebookReport,
    assert_bqplot_marks,
    save_notebook_screenshot,
    watch_console,
)
from playwright.sync_api import Error as PlaywrightError
from test_lessons import Expect, check_notebook

from lnhet_widgets.core.heterostructure.practice import PRACTICE_KINDS

LESSONS = ["notebooks/05_analysing_measurements.ipynb"]
LAB = ".lnhet-analysis-lab"
# The synthetic TCSPC measurement: two lifetimes (ns) and their amplitudes (counts per
# 50 ps channel at t = 0), a dark-count background and 5 ns of baseline before the pulse.
LIFETIMES_NS = (2.5, 18.0)
AMPLITUDES = (4000.0, 1500.0)
BACKGROUND = 20.0
SEED = 20251122
UPLOADED = "my_tcspc_decay.csv"
BROKEN = "my_tcspc_decay_broken.csv"
BROKEN_LINE = 5
# What the lab writes for a "Results CSV" of a decay fit (AnalysisLab._stem), next to the
# notebook: the kernel's working directory is the notebook's folder.
SERVER_EXPORT = "my_tcspc_decay_decay_results.csv"
TIMEOUT_MS = 30_000
# A fit on screen must stay unchanged this long (s) when nobody touches the lab: longer than
# the lab's throttle interval plus a round trip to the browser and a refit.
SETTLE_S = 2.5

# Every bqplot mark of the lab's figures (main plot, residuals): points drawn and visibility.
_MARKS_JS = """
(lab) => [...NOTEBOOK_ROOT.querySelectorAll(lab + ' .bqplot.figure')].map((figure) => ({
  title: figure.querySelector('text.mainheading')?.textContent ?? '',
  marks: [...figure.querySelectorAll('svg.svg-figure g[clip-path^="url(#clip_path"]')]
    .map((mark) => {
      const path = mark.querySelector('path.line');
      const d = path?.getAttribute('d') ?? '';
      return {
        visible: !!path && getComputedStyle(path).visibility !== 'hidden'
          && getComputedStyle(mark).visibility !== 'hidden',
        points: (d.match(/[ML]/g) ?? []).length,
      };
    }),
}))
""".replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS)
# The results table as rows of cell texts.
_RESULTS_JS = """
(lab) => [...NOTEBOOK_ROOT.querySelectorAll(lab + ' .lnhet-analysis-results tr')]
  .map((row) => [...row.cells].map((cell) => cell.innerText.trim()))
""".replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS)


def write_decay(path: Path, *, broken_line: int | None = None) -> Path:
    """A TCSPC export (``Time (ns),Counts``) with Poisson counts; ``broken_line`` (1-based,
    the header is line 1) holds a non-number instead."""
    rng = np.random.default_rng(SEED)
    t_ns = np.round(np.arange(-5.0, 150.0, 0.05), 2)
    after = np.clip(t_ns, 0.0, None)
    decay = sum(a * np.exp(-after / tau) for a, tau in zip(AMPLITUDES, LIFETIMES_NS,
                                                             strict=True))
    counts = rng.poisson(np.where(t_ns >= 0, decay, 0.0) + BACKGROUND)
    lines = ["Time (ns),Counts"] + [f"{t:.2f},{n}" for t, n in zip(t_ns, counts, strict=True)]
    if broken_line is not None:
        lines[broken_line - 1] = "0.5,abc"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def notebook_locator(page):
    """The open notebook panel (JupyterLab's current widget), so that nothing outside it
    (file browser, other tabs) is ever matched."""
    node_id = page.evaluate(f"() => {NOTEBOOK_ROOT_JS}.id")
    assert node_id, "the open notebook panel has no id to scope the checks to"
    return page.locator(f'[id="{node_id}"]')


def upload(page, lab, path: Path) -> None:
    """Click the lab's upload button and pick ``path`` in the file chooser it opens."""
    button = lab.locator(".lnhet-analysis-upload")
    button.scroll_into_view_if_needed()
    with page.expect_file_chooser(timeout=15_000) as chooser:
        button.click()
    chooser.value.set_files(str(path))


def lab_text(page, selector: str) -> str:
    return page.evaluate(f"(s) => {NOTEBOOK_ROOT_JS}.querySelector(s)?.innerText ?? ''",
                         f"{LAB} {selector}")


def wait_for_lab_text(page, selector: str, pattern: str) -> str:
    """Wait until the text of ``selector`` inside the lab matches the regular expression
    ``pattern``; return that text (AssertionError with what it shows on a timeout)."""
    try:
        page.wait_for_function(
            f"([s, p]) => new RegExp(p).test({NOTEBOOK_ROOT_JS}.querySelector(s)?.innerText"
            " ?? '')",
            arg=[f"{LAB} {selector}", pattern], timeout=TIMEOUT_MS, polling=200)
    except Exception as error:  # playwright's TimeoutError
        raise AssertionError(f"{selector!r} never showed /{pattern}/ within "
                             f"{TIMEOUT_MS / 1000:g} s; it shows "
                             f"{lab_text(page, selector)!r}") from error
    return lab_text(page, selector)


def results_versions(page, *, quiet_s: float = SETTLE_S, timeout_s: float = 15) -> list:
    """Every version of the results table seen until it stays unchanged for ``quiet_s``."""
    versions = [page.evaluate(_RESULTS_JS, LAB)]
    quiet_since = deadline = time.monotonic()
    deadline += timeout_s
    while time.monotonic() - quiet_since < quiet_s and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = page.evaluate(_RESULTS_JS, LAB)
        if rows != versions[-1]:
            versions.append(rows)
            quiet_since = time.monotonic()
    return versions


def lifetimes_shown(rows: list[list[str]]) -> dict[str, tuple[float, float, str]]:
    """τ₁, τ₂, … of the results table: label → (value, error, unit)."""
    found = {}
    for row in rows:
        if len(row) == 3 and re.fullmatch(r"τ[₁₂₃]", row[0]):
            value = re.fullmatch(r"([0-9.]+) ± ([0-9.]+)", row[1])
            assert value, f"{row[0]} is shown as {row[1]!r}, not 'value ± error'"
            found[row[0]] = (float(value[1]), float(value[2]), row[2])
    return found


def exported_quantities(text: str) -> tuple[dict[str, str], dict[str, dict]]:
    """The ``# key: value`` lines and the rows (by quantity) of a results CSV."""
    meta = dict(line[2:].split(": ", 1) for line in text.splitlines()
                if line.startswith("# ") and ": " in line)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return meta, {row["quantity"]: row for row in csv.DictReader(io.StringIO(body))}


def _practice_sizes() -> str:
    """What the lab's status line says of the practice edge lengths: "mean ± sd nm (n = N)"."""
    from lnhet_widgets.core.analysis import size_statistics
    from lnhet_widgets.core.heterostructure.practice import practice_data
    from lnhet_widgets.io import read_table

    data = practice_data("sizes")
    stats = size_statistics(read_table(data.content, name=data.name, min_columns=1).x)
    return f"{stats.mean_nm:.1f} ± {stats.sd_nm:.1f} nm (n = {stats.n})"


def check_fit_drawn(page, *, timeout_s: float = 10) -> None:
    """The main plot shows the uploaded file's data and fit, the second plot its residuals,
    each a visible line through the ~3000 channels fitted; waits for bqplot to draw them."""
    deadline = time.monotonic() + timeout_s
    while True:
        figures = page.evaluate(_MARKS_JS, LAB)
        problem = _fit_drawing_problem(figures)
        if not problem:
            return
        if time.monotonic() > deadline:
            raise AssertionError(problem)
        time.sleep(0.25)


def _fit_drawing_problem(figures: list[dict]) -> str:
    if len(figures) != 2:
        return f"expected the lab's plot and residual plot, found {figures}"
    main, residuals = figures
    if UPLOADED not in main["title"]:
        return f"the plot's title is {main['title']!r}, not the uploaded file's"
    if sum(1 for m in main["marks"] if m["visible"] and m["points"] > 1000) < 2:
        return f"data and fit not both drawn in the plot: {main['marks']}"
    if not any(m["visible"] and m["points"] > 1000 for m in residuals["marks"]):
        return f"residuals not drawn: {residuals['marks']}"
    return ""


@pytest.mark.browser
@pytest.mark.parametrize("nb_path", LESSONS, ids=[Path(p).stem for p in LESSONS])
def test_analysis_lab_upload_fit_export(nb_path, jupyter_server, notebook_page, record_report,
                                        tmp_path):
    notebook = jupyter_server.root_dir / nb_path
    # A missing lesson is a failure, not a skip (as in test_lessons).
    assert notebook.is_file(), f"lesson notebook {nb_path} does not exist under {notebook.parent}"
    page = notebook_page
    # A clean "Run All" with the lab's two figures drawn; fails here on any problem of the run.
    check_notebook(page, jupyter_server, nb_path, "lab",
                   Expect(nglview=None, bqplot_marks=2), record_report)
    name = f"lab-{Path(nb_path).stem}-upload"
    for stale in ARTIFACTS_DIR.glob(f"{name}*"):
        stale.unlink()
    server_export = notebook.parent / SERVER_EXPORT
    server_export.unlink(missing_ok=True)  # left by an interrupted run

    # Console and uncaught errors of the upload and export steps (the run's are checked above).
    watched = NotebookReport(notebook=nb_path, ui="lab")
    failures: list[str] = []
    with watch_console(page, watched):
        try:
            lab = notebook_locator(page).locator(LAB)
            assert lab.count() == 1, f"expected one AnalysisLab in {nb_path}, found {lab.count()}"

            # 1. Upload: the header's "ns" makes it a decay; the lab fits two exponentials.
            upload(page, lab, write_decay(tmp_path / UPLOADED))
            wait_for_lab_text(page, ".lnhet-analysis-results", re.escape(UPLOADED) + r"[\s\S]*τ₂")
            wait_for_lab_text(page, ".lnhet-status", "τ_avg")
            # The fit on screen must be the one for the upload: a second fit nobody asked for
            # (e.g. the window slider sending back its own rounding of the window) is a fault.
            versions = results_versions(page)
            rows, status = versions[-1], lab_text(page, ".lnhet-status")
            if len(versions) > 1:
                failures.append(
                    f"the results changed by themselves after the upload's fit ({len(versions)} "
                    f"versions before they settled): {[v[1:5] for v in versions]}; the window "
                    f"slider shows {lab.locator('.widget-readout').first.inner_text()!r}")
            shown = lifetimes_shown(rows)
            assert list(shown) == ["τ₁", "τ₂"], f"expected τ₁ and τ₂ in the results: {rows}"
            for (label, (tau, error, unit)), true in zip(shown.items(), LIFETIMES_NS, strict=True):
                if unit != "ns":
                    failures.append(f"{label} is shown in {unit!r}, the file's time unit is ns")
                if not abs(tau - true) <= 0.1 * true:
                    failures.append(f"{label} = {tau} ± {error} {unit}, generated {true} ns "
                                    "(more than 10 % off)")
            if "ns" not in status or not lab.locator(".lnhet-status-ok").count():
                failures.append(f"the status line does not report the fit in ns: {status!r}")
            try:
                check_fit_drawn(page)
                assert_bqplot_marks(page, 3, name=f"{name}-bqplot")
            except AssertionError as error:
                failures.append(str(error))

            # 2. Export: "Results CSV" writes the file next to the notebook and offers a link.
            # By its text: the accessible name also holds the icon font's glyph.
            lab.locator("button", has_text=re.compile(r"^\s*Results CSV\s*$")).click()
            link = lab.locator(".lnhet-analysis-downloads a[download]")
            link.wait_for(timeout=TIMEOUT_MS)
            link_name = link.get_attribute("download")
            saved_at = lab.locator(".lnhet-analysis-downloads code").inner_text()
            with page.expect_download(timeout=TIMEOUT_MS) as download_info:
                link.click()
            download = download_info.value
            exported = Path(download.path()).read_text(encoding="utf-8")
            meta, quantities = exported_quantities(exported)
            if download.suggested_filename != SERVER_EXPORT or link_name != SERVER_EXPORT:
                failures.append(f"download named {download.suggested_filename!r} (link "
                                f"{link_name!r}), expected {SERVER_EXPORT!r}")
            if meta.get("source") != UPLOADED:
                failures.append(f"the exported CSV names its source {meta.get('source')!r}")
            for index, (tau, error, _unit) in enumerate(shown.values(), start=1):
                row = quantities.get(f"tau_{index}")
                if row is None or row["unit"] != "ns":
                    failures.append(f"tau_{index} in ns missing from the export: {exported}")
                elif not abs(float(row["value"]) - tau) <= error:
                    failures.append(f"exported tau_{index} = {row['value']} ns differs from the "
                                    f"table's {tau} ± {error} ns")
            if Path(saved_at) != server_export:
                failures.append(f"the lab says it saved {saved_at}, expected {server_export}")
            if not server_export.is_file():
                failures.append(f"no {SERVER_EXPORT} written next to the notebook")
            elif server_export.read_text(encoding="utf-8") != exported:
                failures.append(f"the downloaded CSV differs from {server_export}")

            # 3. A broken file: the message names its line, the last good fit stays on screen.
            upload(page, lab, write_decay(tmp_path / BROKEN, broken_line=BROKEN_LINE))
            status = wait_for_lab_text(page, ".lnhet-status", rf"line {BROKEN_LINE}\b")
            if BROKEN not in status or not lab.locator(".lnhet-status-error").count():
                failures.append(f"the error does not name the file {BROKEN}: {status!r}")
            changed = [v[1:5] for v in results_versions(page) if v != rows]
            if changed:
                failures.append(f"the results changed after the broken upload: {changed}, "
                                f"before {rows[1:5]}")
            try:
                check_fit_drawn(page)
            except AssertionError as error:
                failures.append(f"after the broken upload: {error}")

            # 4. Practice data behind the lab's button: no code cell loads it (an app has none).
            expected = _practice_sizes()
            lab.locator(".lnhet-analysis-practice-choice select").select_option(
                label=PRACTICE_KINDS["sizes"])
            lab.locator(".lnhet-analysis-practice").click()
            status = wait_for_lab_text(page, ".lnhet-status", r"n = \d+")
            if expected not in status:
                failures.append(f"the practice edge lengths give {status!r}, the package's "
                                f"size statistics {expected!r}")
            title = page.evaluate(_MARKS_JS, LAB)[0]["title"]
            if "edges.csv" not in title:
                failures.append(f"the plot's title is {title!r} after loading the practice "
                                "edge lengths")
        except (AssertionError, PlaywrightError) as error:  # a step the next ones need
            failures.append(str(error))
        finally:
            # The export lands in the repository's notebooks/ folder: never leave it there.
            server_export.unlink(missing_ok=True)
    failures += [f"console error: {text}" for text in watched.console_errors]
    failures += [f"page error: {text}" for text in watched.page_errors]
    screenshot = save_notebook_screenshot(page, f"{name}-FAILED" if failures else name)
    assert not failures, f"{nb_path}, upload and export (see {screenshot}):\n" + "\n".join(
        failures)
