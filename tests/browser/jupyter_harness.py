"""Run notebooks in a real JupyterLab (or Notebook 7) in headless Chromium and check what shows.

Executing a notebook without a browser cannot tell a drawn 3D view from a broken front end
(nglview 4.0.1 raises nothing in the kernel and draws nothing in the browser), so these
helpers drive the real thing: a ``jupyter lab`` server started from this venv, Debian's
Chromium through Playwright, "Run All" in the page, then checks on the rendered DOM and on
the pixels of the WebGL canvas.

The pieces are independent so that every lesson test can compose them:

* :class:`JupyterServer` starts and stops the server (and the kernels it started).
* :func:`launch_browser` opens Chromium with a fresh profile and a tall viewport.
* :func:`run_notebook_in_lab` opens a notebook, runs all cells and returns a
  :class:`NotebookReport` (errors, stderr, console errors, time to the first 3D frame).
* :func:`assert_nglview_drawn`, :func:`assert_bqplot_marks`, :func:`assert_custom_widget`
  check the rendered widgets; :func:`save_notebook_screenshot` keeps a picture for humans.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil  # a dependency of ipykernel
from PIL import Image  # comes with matplotlib, which ase requires

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    "Debian's Chromium is not installed. Install it with: sudo apt-get install -y chromium"
)
# Flags verified on these machines (ARCHITECTURE.md); Playwright adds --headless itself when
# launched with headless=True. SwiftShader renders WebGL with these, no GPU flags needed.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Tall enough that a lesson's widgets are on screen together, so nothing waits for a scroll.
VIEWPORT = {"width": 1400, "height": 3000}

# nglview puts NGL's stage in a jQuery-UI resizable box; NGL draws with three.js, which tags
# its canvas with data-engine. bqplot's canvas (WebGL marks) has neither, so this selects
# nglview's 3D views only.
NGLVIEW_CANVAS = '.ui-resizable canvas[data-engine^="three.js"]'
BQPLOT_FIGURE = ".bqplot.figure"
# Each bqplot mark view is a <g> clipped to the plot area, inside the figure's svg.
BQPLOT_MARK = 'svg.svg-figure g[clip-path^="url(#clip_path"]'

# A drawn 3D view has structure; a blank one is one flat colour. Standard deviation of the
# luminance (0-255) and share of pixels away from the most common colour, thresholds well
# below what a single small molecule gives and well above a blank or cleared canvas.
BLANK_STD = 4.0
BLANK_FRACTION = 0.002
# A visible 3D view narrower or lower than this has collapsed (nglview measured its container
# before it was laid out); users see nothing, so it does not count as drawn.
MIN_VIEW_PX = 50


# The page element that holds the notebook: the open notebook panel in JupyterLab and
# Notebook 7, the whole page in Voila (which shows one notebook and no ``currentWidget``).
# Every check is scoped to it, never to JupyterLab's file browser or other tabs.
NOTEBOOK_ROOT_JS = "(window.jupyterapp?.shell?.currentWidget?.node ?? document.body)"


# --- server ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_env(scratch: Path) -> dict[str, str]:
    """Environment for the server and its kernels: state in ``scratch``, not in ``~``.

    Directories already set by the caller (CI sets them) are kept. The settings directory is
    always a fresh one with autosave off, so that a run never writes outputs into a lesson.
    The news prompt is off by the package's own overrides (``overrides.d/lnhet-widgets.json``),
    which the tests rely on as a class would.
    """
    env = dict(os.environ)
    for variable, sub in (
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("IPYTHONDIR", "ipython"),
        ("NUMBA_CACHE_DIR", "numba"),
    ):
        if not env.get(variable):
            env[variable] = str(scratch / sub)
    settings = scratch / "user-settings"
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    for plugin, values in {
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    # The kernel is the venv's python3 spec, whose argv[0] "python" jupyter_client replaces by
    # the server's own interpreter: this venv, with the package and its nglview fix.
    return env


@dataclass
class JupyterServer:
    """A ``jupyter lab`` server on 127.0.0.1 without token, for tests only.

    Use :meth:`start` and :meth:`stop` (or ``with JupyterServer.start(...) as server``).
    Notebook 7 is served by the same server at ``/notebooks/``.
    """

    root_dir: Path
    port: int
    process: subprocess.Popen
    log_path: Path
    scratch: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # Answered once the server is ready to serve pages.
    ready_path = "/api/status"
    # Named in the errors when the server does not start.
    program = "jupyter lab"

    @classmethod
    def start(cls, root_dir: Path, *, log_dir: Path = ARTIFACTS_DIR, timeout_s: float = 90,
              python: Path | None = None):
        """Start the server with ``root_dir`` as its root and wait until it answers.

        ``python`` runs the server (and so its kernels); default: this test process's
        interpreter. The course tests pass a venv made from the wheel.

        Raises
        ------
        RuntimeError
            If the server exits or does not answer ``/api/status`` within ``timeout_s``; the
            message ends with the tail of its log.
        """
        port = free_port()
        command = [
            str(python or sys.executable), "-m", "jupyterlab",
            "--no-browser", "--allow-root",
            "--IdentityProvider.token=", "--ServerApp.password=",
            "--ServerApp.ip=127.0.0.1", "--port", str(port), "--ServerApp.port_retries=0",
            "--LabApp.expose_app_in_browser=True",
            # Notebook 7 has its own switch for window.jupyterapp.
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={Path(root_dir).resolve()}",
        ]  # fmt: skip
        return cls._launch(command, root_dir, port, log_dir=log_dir, timeout_s=timeout_s)

    @classmethod
    def _launch(cls, command: list[str], root_dir: Path, port: int, *, log_dir: Path,
                timeout_s: float):
        root_dir = Path(root_dir).resolve()
        scratch = Path(tempfile.mkdtemp(prefix="lnhet-jupyter-"))
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{cls.__name__.lower()}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=root_dir,
                env=jupyter_env(scratch),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = cls(root_dir, port, process, log_path, scratch)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                server.stop()
                raise RuntimeError(
                    f"{cls.program} exited with {process.returncode}\n{server.log_tail()}")
            with contextlib.suppress(OSError):
                server.api("GET", cls.ready_path)
                return server
            time.sleep(0.25)
        server.stop()
        raise RuntimeError(
            f"{cls.program} did not answer within {timeout_s} s\n{server.log_tail()}")

    def __enter__(self) -> JupyterServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def api(self, method: str, path: str, *, timeout_s: float = 10):
        """Call the REST API; returns the decoded JSON (None for an empty answer, the text for
        an HTML page)."""
        request = urllib.request.Request(self.base_url + path, method=method)
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            body = answer.read()
            kind = answer.headers.get_content_type()
        if not body:
            return None
        return json.loads(body) if kind == "application/json" else body.decode()

    def shutdown_kernels(self) -> None:
        """End every session and kernel, so that the next notebook starts a fresh kernel."""
        with contextlib.suppress(OSError):
            for session in self.api("GET", "/api/sessions"):
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/sessions/{session['id']}", timeout_s=30)
            for kernel in self.api("GET", "/api/kernels"):
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout_s=30)

    def stop(self, timeout_s: float = 20) -> None:
        """Stop the server and every process it started (kernels run in their own session)."""
        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        if self.process.poll() is None:
            self.shutdown_kernels()
            self.process.terminate()  # the server shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout_s)
        # Anything the server started and left behind; psutil checks the pid was not reused.
        for child in descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                if child.is_running():
                    child.kill()
        psutil.wait_procs(descendants, timeout=timeout_s)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def contents_last_modified(base_url: str, nb_path: str) -> str | None:
    """``last_modified`` of a file as the server sees it (None if it does not exist)."""
    url = f"{base_url}/api/contents/{urllib.parse.quote(nb_path)}?content=0"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return json.loads(answer.read())["last_modified"]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


# --- browser ---------------------------------------------------------------------------------


def launch_browser(playwright, user_data_dir: Path):
    """Chromium from Debian with a fresh profile in ``user_data_dir`` (a BrowserContext)."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        args=list(CHROMIUM_ARGS),
        viewport=VIEWPORT,
    )


# --- running a notebook ----------------------------------------------------------------------


@dataclass
class NotebookReport:
    """What happened when a notebook ran in the browser. :meth:`problems` lists the failures."""

    notebook: str
    ui: str
    run_s: float | None = None
    first_frame_s: float | None = None
    frame_s: list[float | None] = field(default_factory=list)
    code_cells: int = 0
    not_executed: list[int] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    stderr_errors: list[str] = field(default_factory=list)
    stderr_warnings: list[str] = field(default_factory=list)
    widget_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    ignored_console: list[str] = field(default_factory=list)
    aborted: str = ""
    notebook_modified: bool = False

    def problems(self) -> list[str]:
        """Every finding that should fail a test, one readable line (or block) each."""
        found = []
        if self.aborted:
            found.append(self.aborted)
        found += [f"code cell #{i} was not executed" for i in self.not_executed]
        found += [f"cell error:\n{text}" for text in self.cell_errors]
        found += [f"error on stderr:\n{text}" for text in self.stderr_errors]
        found += [f"widget failed to render: {text}" for text in self.widget_errors]
        found += [f"console error: {text}" for text in self.console_errors]
        found += [f"page error: {text}" for text in self.page_errors]
        if self.notebook_modified:
            found.append("the notebook file was written during the test (autosave?)")
        return found

    def summary(self) -> str:
        def seconds(value):
            return "n/a" if value is None else f"{value:.2f} s"

        views = ", ".join(seconds(value) for value in self.frame_s)
        lines = [
            f"{self.notebook} in {self.ui}: {self.code_cells} code cells, run all "
            f"{seconds(self.run_s)}, first 3D frame {seconds(self.first_frame_s)}"
            + (f" (each view: {views})" if len(self.frame_s) > 1 else ""),
        ]
        lines += [
            "  stderr warning: " + text.strip().replace("\n", "\n    ")
            for text in self.stderr_warnings
        ]
        lines += [f"  ignored console noise: {text}" for text in self.ignored_console]
        lines += [f"  PROBLEM: {text}" for text in self.problems()]
        return "\n".join(lines)


# Console errors that say nothing about the notebook, each with the reason it is harmless.
# Matched on the message and the URL of the resource; every ignored message is still listed in
# the report. Extend only with noise seen here and understood.
_BENIGN_CONSOLE = (
    (
        # Notebook 7.6 references web fonts that its wheel does not ship
        # (/static/notebook/<hash>.woff2 answers 403); only an icon glyph is affected.
        re.compile(r"Failed to load resource: .*status of 40[34]"),
        re.compile(r"/static/notebook/[0-9a-f]+\.(woff2?|ttf|eot)(\?|$)"),
    ),
    (
        # bqplot lays out a figure inside a hidden tab at 0 x 0, so its plot area is minus the
        # margins; it draws correctly once the tab is shown (checked with a Tab of two
        # figures). assert_bqplot_marks still fails on a *visible* figure without plot area.
        re.compile(r"^Error: <rect> attribute (width|height): A negative value is not valid\."),
        re.compile(r"/lab/extensions/bqplot/static/"),
    ),
    (
        # There is no internet on test machines; a fetch to another host fails here but not
        # for users. Requests to the test server itself are never ignored.
        re.compile(r"Failed to load resource: net::ERR_"),
        re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"),
    ),
)
# Uncaught errors thrown by Notebook 7.6's own start-up, also with an empty one-cell notebook:
# the shortcuts plugin reads the schema of a plugin that page does not load, and the file
# browser's URL routing calls a command that the notebook page does not register.
_BENIGN_PAGE_ERRORS = {
    "notebook": (
        "Cannot read properties of undefined (reading 'schema')",
        "Command 'filebrowser:open-path' not registered.",
    ),
}

# A stderr output fails the test when it shows an exception or a logged error; warnings
# (file:line: SomeWarning: text) are reported but pass, lessons may legitimately trigger them.
_STDERR_ERROR = re.compile(
    r"Traceback \(most recent call last\)|^\s*[\w.]*(Error|Exception)\b.*:|^(ERROR|CRITICAL)\b",
    re.MULTILINE,
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_WAIT_FOR_NOTEBOOK_JS = """
(path) => {
  const w = window.jupyterapp?.shell?.currentWidget;
  return !!(w && w.context && w.context.path === path && w.sessionContext && w.content);
}
"""
# Also true when a dialog opened (e.g. "Select Kernel"), which the caller then reports.
_WAIT_FOR_SESSION_JS = """
() => {
  const w = jupyterapp.shell.currentWidget;
  return (w.context.isReady && w.sessionContext.isReady) || !!document.querySelector(".jp-Dialog");
}
"""
_KERNEL_STATUS_JS = """
() => {
  const w = jupyterapp.shell.currentWidget;
  const dialog = document.querySelector(".jp-Dialog");
  return {
    status: w.sessionContext.session?.kernel?.status ?? "no kernel",
    dialog: dialog ? dialog.innerText : "",
  };
}
"""
# Starts "Run All" and, alongside it, a watcher that samples every nglview canvas in the
# notebook (NGL keeps its drawing buffer, so it can be read at any time) and records when each
# first shows structure. Times are from the moment the command is issued.
_RUN_ALL_JS = """
([selector, blankStd, minViewPx]) => {
  const node = jupyterapp.shell.currentWidget.node;
  const size = 96;
  const probe = document.createElement("canvas");
  probe.width = probe.height = size;
  const ctx = probe.getContext("2d", { willReadFrequently: true });
  const drawnAt = new Map();
  const state = { done: false, error: "", frameMs: [], visible: [] };
  window.__lnhetRun = state;
  const t0 = performance.now();
  const timer = setInterval(() => {
    const canvases = [...node.querySelectorAll(selector)];
    for (const canvas of canvases) {
      if (drawnAt.has(canvas) || !canvas.width || !canvas.height) continue;
      ctx.clearRect(0, 0, size, size);
      ctx.drawImage(canvas, 0, 0, size, size);
      const d = ctx.getImageData(0, 0, size, size).data;
      let sum = 0, sum2 = 0;
      for (let i = 0; i < d.length; i += 4) {
        const y = (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]) * (d[i + 3] / 255);
        sum += y; sum2 += y * y;
      }
      const n = d.length / 4;
      if (Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)) > blankStd) {
        drawnAt.set(canvas, performance.now() - t0);
      }
    }
    // In document order, null for a canvas not drawn yet. Hidden (closed tab) or collapsed
    // canvases may never draw, so nobody waits for them; the checks judge those.
    state.frameMs = canvases.map((c) => drawnAt.get(c) ?? null);
    state.visible = canvases.map(
      (c) => c.clientWidth >= minViewPx && c.clientHeight >= minViewPx,
    );
  }, 40);
  state.stopWatching = () => clearInterval(timer);
  jupyterapp.commands.execute("notebook:run-all-cells").then(
    () => { state.done = true; state.runMs = performance.now() - t0; },
    (err) => { state.done = true; state.error = String(err); },
  );
}
"""
_RUN_STATE_JS = """
() => {
  const w = jupyterapp.shell.currentWidget;
  const s = window.__lnhetRun;
  const pending = w.content.widgets.filter(
    (c) => c.model.type === "code" && c.model.sharedModel.getSource().trim() !== ""
      && c.model.executionCount == null,
  ).length;
  return {
    done: s.done, error: s.error, runMs: s.runMs ?? null, frameMs: s.frameMs,
    waitingViews: s.frameMs.filter((ms, i) => ms === null && s.visible[i]).length,
    kernel: w.sessionContext.session?.kernel?.status ?? "no kernel", pending,
  };
}
"""
# Outputs from the notebook model rather than the DOM: complete even for cells that the
# windowed notebook has not rendered. Only the fields the report needs cross the bridge.
_CELLS_JS = """
() => jupyterapp.shell.currentWidget.content.widgets.map((c, index) => ({
  index,
  type: c.model.type,
  source: c.model.sharedModel.getSource(),
  count: c.model.type === "code" ? c.model.executionCount ?? null : null,
  outputs: c.model.type !== "code" ? [] : c.model.outputs.toJSON().map((o) => ({
    output_type: o.output_type, name: o.name ?? null,
    text: Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""),
    ename: o.ename ?? "", evalue: o.evalue ?? "", traceback: o.traceback ?? [],
  })),
}))
"""
_WIDGET_ERRORS_JS = """
() => {
  const node = jupyterapp.shell.currentWidget.node;
  // ipywidgets' error view only says "Click to show javascript error."; the console error
  // that comes with it carries the message.
  const broken = [...node.querySelectorAll(".jupyter-widgets-error-widget")]
    .map(() => "ipywidgets error view (its JavaScript failed, see the console error)");
  const failed = [...node.querySelectorAll(".jp-OutputArea-output")]
    .map((e) => e.innerText.trim())
    .filter((text) => text.startsWith("Error displaying widget"));
  return [...broken, ...failed].map((t) => t.replace(/\\s+/g, " ").slice(0, 500));
}
"""


@contextlib.contextmanager
def watch_console(page, report: NotebookReport, *, benign_page_errors=()):
    """Record the page's console errors and uncaught errors in ``report`` while the block runs.

    Messages matching :data:`_BENIGN_CONSOLE`, and uncaught errors listed in
    ``benign_page_errors``, go to ``report.ignored_console`` instead: listed, not failed.
    """

    def on_console(message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        text = f"{message.text} [{url}]" if url else message.text
        benign = any(text_re.search(message.text) and url_re.search(url)
                     for text_re, url_re in _BENIGN_CONSOLE)
        (report.ignored_console if benign else report.console_errors).append(text)

    def on_page_error(error) -> None:
        if error.message in benign_page_errors:
            report.ignored_console.append(f"page error: {error.message}")
            return
        report.page_errors.append(f"{error.name}: {error.message}\n{error.stack or ''}".strip())

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield report
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)


def notebook_url(base_url: str, nb_path: str, ui: str) -> str:
    """URL that opens ``nb_path`` (relative to the server root) in ``ui`` ("lab"/"notebook")."""
    quoted = urllib.parse.quote(nb_path)
    if ui == "lab":
        return f"{base_url}/lab/tree/{quoted}?reset"  # ?reset: ignore any saved workspace
    if ui == "notebook":
        return f"{base_url}/notebooks/{quoted}"
    raise ValueError(f"ui must be 'lab' or 'notebook', got {ui!r}")


def run_notebook_in_lab(
    page,
    base_url: str,
    nb_path: str,
    *,
    timeout_s: float = 120,
    ui: str = "lab",
    expect_view: bool = False,
) -> NotebookReport:
    """Open a notebook, run all cells and report what went wrong.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A fresh page; console listeners are attached here before the notebook opens.
    base_url : str
        Server URL, e.g. ``JupyterServer.base_url``.
    nb_path : str
        Notebook path relative to the server root, with forward slashes.
    timeout_s : float
        Budget for opening the notebook, starting its kernel and running every cell.
    ui : {"lab", "notebook"}
        JupyterLab (``/lab/tree/...``) or Notebook 7 (``/notebooks/...``); both expose
        ``window.jupyterapp`` with the flags :class:`JupyterServer` passes.
    expect_view : bool
        Keep watching (up to 20 s) until a 3D view has drawn, also when none exists yet at
        the end of the run: a short notebook can finish before its lab's view appears.

    Returns
    -------
    NotebookReport
        Check ``report.problems()``; the report is returned rather than raised so that a test
        can add screenshots and widget checks before failing.
    """
    report = NotebookReport(notebook=nb_path, ui=ui)
    modified_before = contents_last_modified(base_url, nb_path)
    deadline = time.monotonic() + timeout_s

    def remaining_ms() -> float:
        return max(1000.0, (deadline - time.monotonic()) * 1000)

    with watch_console(page, report, benign_page_errors=_BENIGN_PAGE_ERRORS.get(ui, ())):
        try:
            page.goto(notebook_url(base_url, nb_path, ui), timeout=remaining_ms())
            page.wait_for_function(_WAIT_FOR_NOTEBOOK_JS, arg=nb_path, timeout=remaining_ms())
            page.wait_for_function(_WAIT_FOR_SESSION_JS, timeout=remaining_ms())
            # Wait for an idle kernel first, so that the timings measure the notebook and not the
            # kernel start-up.
            while (state := page.evaluate(_KERNEL_STATUS_JS))["status"] != "idle":
                if state["dialog"] or time.monotonic() > deadline:
                    report.aborted = (
                        f"kernel not ready (status {state['status']!r}) "
                        + (f"; dialog: {state['dialog']!r}" if state["dialog"] else "")
                    )
                    return report
                time.sleep(0.1)

            page.evaluate(_RUN_ALL_JS, [NGLVIEW_CANVAS, BLANK_STD, MIN_VIEW_PX])
            while True:
                state = page.evaluate(_RUN_STATE_JS)
                if state["done"] and state["kernel"] == "idle":
                    break
                if time.monotonic() > deadline:
                    report.aborted = (
                        f"run all did not finish within {timeout_s:g} s "
                        f"(kernel {state['kernel']}, {state['pending']} code cells not run)"
                    )
                    break
                time.sleep(0.25)
            if state["error"]:
                report.page_errors.append(f"notebook:run-all-cells failed: {state['error']}")
            if state["runMs"] is not None:
                report.run_s = state["runMs"] / 1000
            # nglview sends a structure only once the kernel has handled the view's "loaded"
            # message, i.e. after the last queued cell: the views draw after the run, give them
            # time.
            frame_deadline = time.monotonic() + 20
            def waiting(state) -> bool:
                none_drawn = all(ms is None for ms in state["frameMs"])
                return bool(state["waitingViews"]) or (expect_view and none_drawn)

            while waiting(state) and time.monotonic() < frame_deadline:
                time.sleep(0.1)
                state = page.evaluate(_RUN_STATE_JS)
            page.evaluate("() => window.__lnhetRun.stopWatching()")
            report.frame_s = [None if ms is None else ms / 1000 for ms in state["frameMs"]]
            drawn = [seconds for seconds in report.frame_s if seconds is not None]
            report.first_frame_s = min(drawn) if drawn else None

            _collect_cells(report, page.evaluate(_CELLS_JS))
            report.widget_errors = page.evaluate(_WIDGET_ERRORS_JS)
        except Exception as error:  # the report carries any failure to the test
            report.aborted = report.aborted or f"{type(error).__name__}: {error}"
        finally:
            report.notebook_modified = (
                contents_last_modified(base_url, nb_path) != modified_before)
    return report


def _collect_cells(report: NotebookReport, cells: list[dict]) -> None:
    for cell in cells:
        if cell["type"] != "code" or not cell["source"].strip():
            continue
        report.code_cells += 1
        if cell["count"] is None:
            report.not_executed.append(cell["index"])
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                traceback = _ANSI.sub("", "\n".join(output["traceback"]))
                report.cell_errors.append(
                    f"cell #{cell['index']}: {output['ename']}: {output['evalue']}\n{traceback}"
                )
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                file_stderr(report, output["text"], where=f"cell #{cell['index']}: ")


def file_stderr(report: NotebookReport, text: str, *, where: str = "") -> None:
    """File a stderr output as an error (an exception or logged error, see
    :data:`_STDERR_ERROR`) or as a warning that passes."""
    text = _ANSI.sub("", text)
    target = report.stderr_errors if _STDERR_ERROR.search(text) else report.stderr_warnings
    target.append(f"{where}{text.strip()}")


# --- checks on the rendered widgets ----------------------------------------------------------


def _notebook_node(page):
    # Every query is scoped to the open notebook, never to the whole page (file browser,
    # other tabs).
    return page.evaluate_handle(f"() => {NOTEBOOK_ROOT_JS}")


def pixel_stats(png: bytes) -> dict:
    """Luminance spread of a PNG screenshot: ``std`` (0-255) and ``fraction`` of pixels that
    differ from the most common colour."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    luminance = rgb @ np.array([0.299, 0.587, 0.114])
    flat = rgb.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    differs = np.abs(flat - background).max(axis=1) > 10
    return {
        "std": float(luminance.std()),
        "fraction": float(differs.mean()),
        "size": [int(rgb.shape[1]), int(rgb.shape[0])],
    }


def _look_at_canvases(page, selector: str) -> tuple[list[dict], list[tuple[int, bytes]]]:
    """Pixel statistics of every ``<canvas>`` matching ``selector`` in the open notebook, with
    its screenshot; hidden ones (a closed tab) are listed as such and not looked at."""
    stats, shots = [], []
    for index, canvas in enumerate(_notebook_node(page).query_selector_all(selector)):
        if not canvas.is_visible():
            stats.append({"index": index, "hidden": True})
            continue
        try:
            canvas.scroll_into_view_if_needed(timeout=2000)
            png = canvas.screenshot(timeout=5000)
            entry = pixel_stats(png)
        except Exception as error:  # detached or resized while we looked: try again
            png, entry = b"", {"std": 0.0, "fraction": 0.0, "error": str(error)[:200]}
        box = canvas.bounding_box() or {"width": 0, "height": 0}
        entry["index"] = index
        entry["css_size"] = [round(box["width"]), round(box["height"])]
        entry["drawn"] = (
            entry["std"] > BLANK_STD
            and entry["fraction"] > BLANK_FRACTION
            and min(box["width"], box["height"]) >= MIN_VIEW_PX
        )
        stats.append(entry)
        shots.append((index, png))
    return stats, shots


def _save_not_drawn(page, shots, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for index, png in shots:
        if png:
            (ARTIFACTS_DIR / f"{name}-canvas-{index}.png").write_bytes(png)
    save_notebook_screenshot(page, f"{name}-not-drawn")


def assert_nglview_drawn(
    page, *, min_count: int = 1, timeout_s: float = 30, name: str = "nglview"
) -> list[dict]:
    """Every visible nglview canvas in the notebook shows a drawn structure, and at least
    ``min_count`` do.

    Each visible canvas is scrolled into view and screenshotted; its pixels must not be one
    flat colour (see :data:`BLANK_STD`) and it must not have collapsed (see
    :data:`MIN_VIEW_PX`). Canvases in hidden containers (a closed tab) are skipped. Retries
    until ``timeout_s``, because NGL draws only after the structure has arrived from the
    kernel. Returns the pixel statistics of every canvas; on failure the canvases are saved
    as ``<name>-canvas-<i>.png`` next to a screenshot ``<name>-not-drawn.png``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        stats, shots = _look_at_canvases(page, NGLVIEW_CANVAS)
        visible = [entry for entry in stats if not entry.get("hidden")]
        drawn = [entry for entry in visible if entry["drawn"]]
        if len(drawn) >= min_count and len(drawn) == len(visible):
            return stats
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    _save_not_drawn(page, shots, name)
    raise AssertionError(
        f"expected every visible nglview canvas drawn and at least {min_count}: "
        f"{len(drawn)} of {len(visible)} visible canvas(es) drawn; pixel statistics {stats} "
        "(a blank canvas has std 0; css_size is the canvas size on the page)"
    )


def assert_bqplot_marks(
    page, min_count: int = 1, *, timeout_s: float = 15, name: str = "bqplot"
) -> int:
    """bqplot figures in the notebook draw at least ``min_count`` marks with visible shapes,
    and every visible figure has a plot area of positive size.

    A mark counts when its group holds a path with a non-empty ``d`` (lines, scatter) or a
    rect, circle, text or image. Figures in hidden tabs count for marks but are not measured.
    Returns the number of drawn marks.
    """
    script = """
    ([figureSel, markSel]) => {
      const node = NOTEBOOK_ROOT;
      const figures = [...node.querySelectorAll(figureSel)];
      let marks = 0, drawn = 0;
      const squashed = [];
      figures.forEach((figure, index) => {
        for (const mark of figure.querySelectorAll(markSel)) {
          marks += 1;
          const paths = [...mark.querySelectorAll("path")]
            .filter((p) => (p.getAttribute("d") || "").length > 2);
          if (paths.length || mark.querySelector("rect, circle, text, image")) drawn += 1;
        }
        const area = figure.querySelector("rect.plotarea_background");
        const visible = figure.getClientRects().length > 0;
        if (visible && area && !(area.width.baseVal.value > 0 && area.height.baseVal.value > 0)) {
          squashed.push(index);
        }
      });
      return { figures: figures.length, marks, drawn, squashed };
    }
    """.replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS)
    deadline = time.monotonic() + timeout_s
    while True:
        found = page.evaluate(script, [BQPLOT_FIGURE, BQPLOT_MARK])
        if found["drawn"] >= min_count and not found["squashed"]:
            return found["drawn"]
        if time.monotonic() > deadline:
            save_notebook_screenshot(page, f"{name}-marks-missing")
            raise AssertionError(
                f"expected {min_count} drawn bqplot mark(s): found {found['figures']} figure(s), "
                f"{found['marks']} mark(s), {found['drawn']} drawn; visible figures without a "
                f"plot area (too small for their margins): {found['squashed']}"
            )
        time.sleep(0.25)


def assert_custom_widget(
    page, selector: str, *, min_count: int = 1, timeout_s: float = 15, name: str = "widget"
) -> int:
    """At least ``min_count`` elements matching ``selector`` are rendered, each with children.

    Example: ``assert_custom_widget(page, '[data-testid="tolerance-gauge"]')``.
    """
    script = """
    (selector) => [...NOTEBOOK_ROOT.querySelectorAll(selector)]
      .map((e) => e.childElementCount)
    """.replace("NOTEBOOK_ROOT", NOTEBOOK_ROOT_JS)
    deadline = time.monotonic() + timeout_s
    while True:
        children = page.evaluate(script, selector)
        if sum(1 for n in children if n > 0) >= min_count:
            return len(children)
        if time.monotonic() > deadline:
            save_notebook_screenshot(page, f"{name}-missing")
            raise AssertionError(
                f"expected {min_count} rendered {selector!r}, found child counts {children}"
            )
        time.sleep(0.25)


def save_notebook_screenshot(page, name: str, *, directory: Path = ARTIFACTS_DIR) -> Path:
    """Screenshot of the whole notebook as ``directory/<name>.png``.

    The notebook scrolls inside a fixed-size app, so a full-page screenshot would cut it: the
    viewport grows to the notebook's height (at most 20000 px) for the shot and is restored.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    size = page.viewport_size or VIEWPORT
    # Height missing below the viewport, measured to the last cell: the scroll height would
    # include JupyterLab's "scroll past end" space.
    extra = page.evaluate(
        """() => {
          const node = window.jupyterapp?.shell?.currentWidget?.node;
          // JupyterLab scrolls the notebook in a windowed panel, Voila in #rendered_cells.
          const scroller = node?.querySelector(".jp-WindowedPanel-outer")
            ?? document.querySelector("#rendered_cells");
          const cells = (node ?? document).querySelectorAll(".jp-Cell");
          if (!scroller || cells.length === 0) return 0;
          scroller.scrollTop = 0;
          const bottom = cells[cells.length - 1].getBoundingClientRect().bottom;
          return Math.ceil(bottom - scroller.getBoundingClientRect().bottom + 40);
        }"""
    )
    try:
        if extra > 0:
            height = min(20000, size["height"] + extra)
            page.set_viewport_size({"width": size["width"], "height": height})
            page.wait_for_timeout(500)  # let the notebook relayout and the 3D views redraw
        page.screenshot(path=str(path))
    finally:
        if extra > 0:
            page.set_viewport_size(size)
    return path


def assert_canvas_drawn(
    page, selector: str, *, min_count: int = 1, timeout_s: float = 15, name: str = "canvas"
) -> list[dict]:
    """At least ``min_count`` visible ``<canvas>`` elements matching ``selector`` in the open
    notebook show a drawing, judged on their pixels like :func:`assert_nglview_drawn`.

    For the 2D-canvas widgets (e.g. ``".lnhet-slice-canvas"``); the nglview check keeps its
    own selector. Each visible canvas is scrolled into view and screenshotted (what the user
    sees, page background included); retries until ``timeout_s``. Returns the pixel
    statistics (:func:`pixel_stats`) of every matching canvas; on failure the canvases are
    saved as ``<name>-canvas-<i>.png`` next to a screenshot ``<name>-not-drawn.png``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        stats, shots = _look_at_canvases(page, selector)
        if sum(1 for entry in stats if entry.get("drawn")) >= min_count:
            return stats
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
    _save_not_drawn(page, shots, name)
    raise AssertionError(
        f"expected at least {min_count} drawn {selector!r} canvas(es); pixel statistics "
        f"{stats} (a blank canvas has std 0; css_size is the canvas size on the page)"
    )
