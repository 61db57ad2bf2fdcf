"""Serve the lessons as Voila apps and open one in headless Chromium.

Voila runs every cell on the server before the page shows (no "Run All", no code cells), so
the report is read from the rendered page: error outputs, stderr, widgets that failed and the
browser console. The widget checks of :mod:`jupyter_harness` work unchanged on a Voila page.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from pathlib import Path

from jupyter_harness import (
    _ANSI,
    ARTIFACTS_DIR,
    JupyterServer,
    NotebookReport,
    file_stderr,
    free_port,
    watch_console,
)

# A laptop screen: a lesson run as an app must fit its width without scrolling sideways.
LAPTOP_VIEWPORT = {"width": 1366, "height": 768}

# Voila removes its "#loading" spinner once every cell has run and the widgets are restored.
_RENDERED_JS = "() => !document.querySelector('#loading')"
_PAGE_REPORT_JS = """
() => {
  const text = (e) => e.innerText.trim().replace(/\\s+\\n/g, "\\n").slice(0, 2000);
  const outputs = [...document.querySelectorAll(".jp-OutputArea-output")];
  return {
    codeCells: document.querySelectorAll(".jp-Cell").length,
    errors: [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]')]
      .map(text),
    stderr: [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(text),
    stillLoading: outputs.filter((e) => e.innerText.trim() === "Loading widget...").length,
    failedWidgets: [...document.querySelectorAll(".jupyter-widgets-error-widget")].length
      + outputs.filter((e) => e.innerText.trim().startsWith("Error displaying widget")).length,
    executionError: document.body.innerText.includes("There was an error when executing cell"),
  };
}
"""
# Widgets wider than the window: on a laptop the user would have to scroll sideways.
_TOO_WIDE_JS = """
() => [...document.querySelectorAll(".jupyter-widgets")]
  .filter((e) => e.getClientRects().length > 0)
  .map((e) => ({ cls: e.className.toString().slice(0, 80),
                 right: Math.round(e.getBoundingClientRect().right) }))
  .filter((e) => e.right > window.innerWidth + 1)
"""
# Libraries keep loading widget views for a moment after the spinner goes.
_SETTLE_S = 3.0


class VoilaServer(JupyterServer):
    """``voila`` serving ``root_dir/notebooks`` from ``root_dir``, so that the repository's
    ``voila.json`` configures it exactly as ``make app`` does."""

    ready_path = "/voila/tree"
    program = "voila"

    @classmethod
    def start(cls, root_dir: Path, *, log_dir: Path = ARTIFACTS_DIR, timeout_s: float = 90):
        port = free_port()
        command = [
            sys.executable, "-m", "voila", "notebooks",
            "--no-browser", "--port", str(port), "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True",
        ]  # fmt: skip
        return cls._launch(command, root_dir, port, log_dir=log_dir, timeout_s=timeout_s)

    def app_url(self, notebook: str) -> str:
        """URL of ``notebook`` (a file name in ``notebooks/``) rendered as an app."""
        return f"{self.base_url}/voila/render/{urllib.parse.quote(notebook)}"


def run_notebook_in_voila(page, server: VoilaServer, notebook: str, *,
                          timeout_s: float = 120) -> NotebookReport:
    """Open ``notebook`` as a Voila app, wait until it has rendered and report what failed.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A fresh page; its viewport should be :data:`LAPTOP_VIEWPORT`.
    server : VoilaServer
    notebook : str
        File name inside ``notebooks/``.
    timeout_s : float
        Budget for the kernel start, every cell and the widgets.

    Returns
    -------
    NotebookReport
        With ``ui="voila"``; widgets wider than the window are listed as widget errors.
    """
    report = NotebookReport(notebook=notebook, ui="voila")

    start = time.monotonic()
    with watch_console(page, report):
        try:
            page.goto(server.app_url(notebook), timeout=timeout_s * 1000)
            page.wait_for_function(_RENDERED_JS, timeout=timeout_s * 1000, polling=250)
            report.run_s = time.monotonic() - start
            page.wait_for_timeout(_SETTLE_S * 1000)
            _read_rendered_page(page, report)
        except Exception as error:  # the report carries any failure to the test
            report.aborted = f"{type(error).__name__}: {error}"
    return report


def _read_rendered_page(page, report: NotebookReport) -> None:
    """Errors, stderr and widget problems of a rendered Voila page, into ``report``."""
    found = page.evaluate(_PAGE_REPORT_JS)
    report.code_cells = found["codeCells"]
    report.cell_errors = [_ANSI.sub("", text) for text in found["errors"]]
    if found["executionError"] and not report.cell_errors:
        report.cell_errors.append("Voila: there was an error when executing a cell")
    for text in found["stderr"]:
        file_stderr(report, text)
    if found["stillLoading"]:
        report.widget_errors.append(
            f"{found['stillLoading']} output(s) still 'Loading widget...' after the page "
            "rendered (a widget model the page could not restore)"
        )
    if found["failedWidgets"]:
        report.widget_errors.append(f"{found['failedWidgets']} widget(s) failed to render")
    report.widget_errors += [
        f"wider than the {page.viewport_size['width']} px window: {wide['cls']} ends at "
        f"{wide['right']} px"
        for wide in page.evaluate(_TOO_WIDE_JS)
    ]
