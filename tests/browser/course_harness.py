"""Helpers for the browser tests of the course extension (the JupyterLab sidebar, launcher
cards and commands built from ``js/labextension``).

* :func:`start_server` starts JupyterLab with the interpreter of any environment, so the same
  test runs against the editable install or a venv made from the built wheel
  (:data:`JUPYTER_PYTHON_ENV`); :func:`listing` and :func:`notebook_content` read its files.
* :func:`open_lab`, :func:`show_sidebar`, :func:`lessons_in_sidebar` and
  :func:`wait_for_status` drive and read the sidebar.
* :func:`saved_progress` reads what JupyterLab stored in the workspace on the server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from jupyter_harness import ARTIFACTS_DIR, JupyterServer

# Path of the Python whose ``jupyter lab`` serves the course tests; the test process's own
# interpreter when unset. tests/test_wheel_install.py points it at a venv built from the wheel.
JUPYTER_PYTHON_ENV = "LNHET_JUPYTER_PYTHON"

SIDEBAR_ID = "lnhet-course-sidebar"
SIDEBAR = f"#{SIDEBAR_ID}"
SIDEBAR_TAB = f'.lm-TabBar-tab[data-id="{SIDEBAR_ID}"]'
PROGRESS_KEY = "lnhet-widgets:progress"


def jupyter_python() -> Path:
    """The interpreter that runs the test server (see :data:`JUPYTER_PYTHON_ENV`)."""
    return Path(os.environ.get(JUPYTER_PYTHON_ENV) or sys.executable)


def packaged_lessons_dir(python: Path) -> Path:
    """Folder of the original lessons in the environment of ``python``."""
    answer = subprocess.run(
        [str(python), "-c", "import lnhet_widgets.course as c; print(c.lessons_dir())"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return Path(answer.stdout.strip().splitlines()[-1])


def start_server(root_dir: Path) -> JupyterServer:
    """A JupyterLab server rooted at ``root_dir``, run by :func:`jupyter_python`; its log goes to
    ``test-artifacts/browser/course/``, apart from the session server's."""
    return JupyterServer.start(root_dir, python=jupyter_python(), log_dir=ARTIFACTS_DIR / "course")


def listing(server: JupyterServer, path: str) -> list[str]:
    """Names in a folder of the server root."""
    model = server.api("GET", f"/api/contents/{urllib.parse.quote(path)}?content=1")
    return sorted(item["name"] for item in model["content"])


def notebook_content(server: JupyterServer, path: str) -> dict:
    """A notebook's content as the server reads it from disk."""
    return server.api("GET", f"/api/contents/{urllib.parse.quote(path)}?content=1")["content"]


def open_lab(page, base_url: str, *, reset: bool) -> None:
    """Open JupyterLab (``reset``: with an empty workspace, as a first visit) and wait until
    the course sidebar has drawn its lessons."""
    page.goto(f"{base_url}/lab" + ("?reset" if reset else ""))
    page.wait_for_function("() => !!window.jupyterapp?.shell", timeout=60_000)
    # The layout (the open sidebar among it) is restored from the workspace after start-up.
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    page.wait_for_selector(f"{SIDEBAR} .lnhet-Lesson", state="attached", timeout=60_000)


def show_sidebar(page) -> None:
    """Open the course panel by its tab in the left bar, as a student would."""
    if not page.locator(SIDEBAR).is_visible():
        page.click(SIDEBAR_TAB)
    page.wait_for_selector(SIDEBAR, state="visible", timeout=10_000)


_LESSONS_JS = """
(sidebar) => [...document.querySelectorAll(sidebar + ' .lnhet-Lesson')].map((li) => ({
  id: li.dataset.lessonId,
  status: li.dataset.status,
  title: li.querySelector('.lnhet-Lesson-open').textContent,
  goals: [...li.querySelectorAll('.lnhet-Lesson-goals li')].map((g) => g.textContent),
  meta: li.querySelector('.lnhet-Lesson-meta').textContent,
  done: li.querySelector('.lnhet-Lesson-done')?.textContent ?? '',
}))
"""


def lessons_in_sidebar(page) -> list[dict]:
    """Each lesson row: id, status, title, goals, meta (time, prerequisites), done text."""
    return page.evaluate(_LESSONS_JS, SIDEBAR)


def lesson_row(lesson_id: str) -> str:
    """Selector of one lesson's row in the sidebar."""
    return f'{SIDEBAR} .lnhet-Lesson[data-lesson-id="{lesson_id}"]'


def wait_for_status(page, lesson_id: str, status: str, *, timeout_s: float = 20) -> None:
    """Wait until the sidebar shows ``status`` for the lesson; AssertionError with the rows."""
    try:
        page.wait_for_selector(f'{lesson_row(lesson_id)}[data-status="{status}"]',
                               state="attached", timeout=timeout_s * 1000)
    except Exception as error:  # playwright's TimeoutError
        rows = {row["id"]: (row["status"], row["done"]) for row in lessons_in_sidebar(page)}
        raise AssertionError(f"{lesson_id} is not {status!r} after {timeout_s:g} s: {rows}") \
            from error


def saved_progress(server: JupyterServer, workspace: str = "default") -> dict:
    """The progress JupyterLab saved in the workspace on the server ({} if none yet)."""
    answer = server.api("GET", f"/lab/api/workspaces/{workspace}")
    return answer.get("data", {}).get(PROGRESS_KEY) or {}


def wait_for_saved_progress(server: JupyterServer, check, *, timeout_s: float = 15) -> dict:
    """Poll :func:`saved_progress` until ``check(progress)`` is true; return the progress."""
    deadline = time.monotonic() + timeout_s
    progress: dict = {}
    while time.monotonic() < deadline:
        progress = saved_progress(server)
        if check(progress):
            return progress
        time.sleep(0.25)
    raise AssertionError(f"the workspace did not save the expected progress: {progress}")
