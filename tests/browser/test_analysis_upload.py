"""Lesson 5 in JupyterLab: a measurement goes in through the lab's upload button, is fitted,
and comes back out as a downloaded CSV — what a researcher does with their own TCSPC file.

The file goes through the upload button's file chooser, a real click exports; the numbers
are read from the page, not from the kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from jupyter_harness import (
    _BENIGN_CONSOLE,
    NOTEBOOK_ROOT_JS,
    assert_bqplot_marks,
    save_notebook_screenshot,
)
from test_lessons import Expect, check_notebook

LESSON = "notebooks/05_analysing_measurements.ipynb"
LAB = ".lnhet-analysis-lab"
# The synthetic measurement: two lifetimes in ns, Poisson counts.
LIFETIMES_NS = (3.0, 25.0)
UPLOADED = "my_tcspc_decay.csv"


def write_decay(path: Path, *, broken_line: int | None = None) -> Path:
    """A TCSPC export with a header; ``broken_line`` (1-based) gets a non-number."""
    rng = np.random.default_rng(7)
    t = np.arange(0.0, 200.0, 0.1)
    counts = rng.poisson(3000 * np.exp(-t / LIFETIMES_NS[0])
                         + 1000 * np.exp(-t / LIFETIMES_NS[1]) + 10)
    lines = ["Time (ns),Counts"] + [f"{a:.1f},{b}" for a, b in zip(t, counts, strict=True)]
    if broken_line is not None:
        lines[broken_line - 1] = "0.5,abc"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def upload(page, path: Path) -> None:
    """Click the lab's upload button and pick ``path`` in the file chooser it opens.

    ipywidgets' FileUpload keeps its ``<input type="file">`` out of the document and clicks it
    from the button, so the chooser is the way in, as for a user.
    """
    with page.expect_file_chooser(timeout=15000) as chooser:
        page.locator(f"{LAB} .lnhet-analysis-upload").click()
    chooser.value.set_files(str(path))


def lab_text(page, selector: str) -> str:
    return page.evaluate(
        f"(s) => {NOTEBOOK_ROOT_JS}.querySelector(s)?.innerText ?? ''", f"{LAB} {selector}")


def wait_for_lab_text(page, selector: str, pattern: str, *, timeout_s: float = 30) -> str:
    """Wait until the text of ``selector`` inside the lab matches ``pattern``; return it."""
    try:
        page.wait_for_function(
            f"""([s, p]) => new RegExp(p).test(
                {NOTEBOOK_ROOT_JS}.querySelector(s)?.innerText ?? '')""",
            arg=[f"{LAB} {selector}", pattern], timeout=timeout_s * 1000, polling=200)
    except Exception as error:  # playwright's TimeoutError
        raise AssertionError(f"{selector!r} never showed {pattern!r}; it shows "
                             f"{lab_text(page, selector)!r}") from error
    return lab_text(page, selector)


def lifetimes_in(results: str) -> list[float]:
    """τ₁, τ₂, … (value before ±) from the lab's results table text."""
    return [float(v) for v in re.findall(r"τ[₁₂₃]\s+([0-9.]+)\s*±", results)]


@pytest.mark.browser
def test_lesson_5_upload_fit_export(jupyter_server, notebook_page, record_report, tmp_path):
    page = notebook_page
    check_notebook(page, jupyter_server, LESSON, "lab", Expect(nglview=False, bqplot_marks=2),
                   record_report)
    errors = []

    def on_console(message) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and not any(
                t.search(message.text) and u.search(url) for t, u in _BENIGN_CONSOLE):
            errors.append(f"console error: {message.text} [{url}]")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error.message}"))
    lab = page.locator(LAB)
    lab.scroll_into_view_if_needed()

    # Upload through the real control; the file's header says ns, the lab fits 2 exponentials.
    upload(page, write_decay(tmp_path / UPLOADED))
    results = wait_for_lab_text(page, ".lnhet-analysis-results", UPLOADED + r"[\s\S]*τ₂")
    found = lifetimes_in(results)
    assert len(found) == 2 and "ns" in results, results
    for fitted, true in zip(found, LIFETIMES_NS, strict=True):
        assert fitted == pytest.approx(true, rel=0.1), results
    assert_bqplot_marks(page, 3, name="lab-05-upload")  # data, fit, residuals

    # Export: the button writes the CSV next to the notebook and offers it as a download.
    server_copy = jupyter_server.root_dir / "notebooks" / "my_tcspc_decay_decay_results.csv"
    try:
        lab.get_by_role("button", name="Results CSV").click()
        link = lab.locator(".lnhet-analysis-downloads a[download]")
        link.wait_for(timeout=15000)
        with page.expect_download(timeout=15000) as download_info:
            link.click()
        exported = Path(download_info.value.path()).read_text(encoding="utf-8")
        assert "τ" in exported or "tau" in exported.lower(), exported[:500]
        assert f"{found[1]:.3f}"[:4] in exported, exported[:800]
        assert server_copy.is_file(), f"no {server_copy.name} next to the notebook"
    finally:
        server_copy.unlink(missing_ok=True)

    # A broken file: the error names its line and the last good fit stays on screen.
    upload(page, write_decay(tmp_path / "broken.csv", broken_line=5))
    status = wait_for_lab_text(page, ".lnhet-status", r"line 5")
    assert "broken.csv" in status, status
    assert lifetimes_in(lab_text(page, ".lnhet-analysis-results")) == found
    save_notebook_screenshot(page, "lab-05_analysing_measurements-upload")
    assert not errors, "\n".join(errors)
