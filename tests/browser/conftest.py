"""Fixtures for the browser tests: one Jupyter server and one Chromium for the whole session.

Options (pass them together with the ``tests/browser`` path, pytest reads them from here):

``--jupyter-root DIR``
    Root directory of the test server (default: the repository).
``--notebook PATH``
    Also run this notebook (relative to the root) in JupyterLab and Notebook 7 and check every
    widget kind it shows; repeatable. Handy for a lesson draft or a scratch notebook.
"""

from __future__ import annotations

import os

import pytest
from jupyter_harness import (
    CHROMIUM,
    CHROMIUM_MISSING,
    REPO_ROOT,
    JupyterServer,
    NotebookReport,
    launch_browser,
)
from voila_harness import VoilaServer

_REPORTS = pytest.StashKey[list]()
_CHROMIUM_SKIPPED = pytest.StashKey[bool]()


def pytest_addoption(parser):
    group = parser.getgroup("lnhet-widgets browser tests")
    group.addoption("--jupyter-root", default=None, help="root directory of the test server")
    group.addoption(
        "--notebook",
        action="append",
        default=[],
        help="notebook (relative to the root) to run in the browser; repeatable",
    )


def pytest_configure(config):
    config.stash[_REPORTS] = []
    config.stash[_CHROMIUM_SKIPPED] = False


def pytest_generate_tests(metafunc):
    if "extra_notebook" in metafunc.fixturenames:
        paths = metafunc.config.getoption("--notebook", default=[]) or []
        metafunc.parametrize("extra_notebook", paths, ids=[p.replace("/", "_") for p in paths])


def pytest_collection_modifyitems(config, items):
    # The --notebook test exists only when notebooks are given; otherwise it is dropped rather
    # than reported as skipped, which would be noise in every run.
    if config.getoption("--notebook", default=[]):
        return
    unused = [item for item in items if "extra_notebook" in getattr(item, "fixturenames", ())]
    if unused:
        config.hook.pytest_deselected(items=unused)
        items[:] = [item for item in items if item not in unused]


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(_CHROMIUM_SKIPPED, False):
        terminalreporter.write_sep("!", f"Browser tests skipped: {CHROMIUM_MISSING}", red=True)
    reports: list[NotebookReport] = config.stash.get(_REPORTS, [])
    if reports:
        terminalreporter.write_sep("-", "notebooks in the browser")
        for report in reports:
            terminalreporter.write_line(report.summary().splitlines()[0])


@pytest.fixture(scope="session")
def chromium(pytestconfig):
    """Path of Debian's Chromium; skips (fails in CI) when it is not installed."""
    if not CHROMIUM.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests cannot run in CI: {CHROMIUM_MISSING}")
        pytestconfig.stash[_CHROMIUM_SKIPPED] = True
        pytest.skip(f"Browser tests skipped: {CHROMIUM_MISSING}")
    return CHROMIUM


@pytest.fixture(scope="session")
def jupyter_server(chromium, pytestconfig):
    """A ``jupyter lab`` server for the session, rooted at ``--jupyter-root`` or the repo."""
    root = pytestconfig.getoption("--jupyter-root", default=None) or REPO_ROOT
    server = JupyterServer.start(root)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def voila_server(chromium):
    """``voila notebooks`` run from the repository, configured by its ``voila.json``."""
    server = VoilaServer.start(REPO_ROOT)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_context(chromium, tmp_path_factory):
    """One headless Chromium with a fresh profile for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = launch_browser(playwright, tmp_path_factory.mktemp("chromium-profile"))
        yield context
        context.close()


@pytest.fixture
def notebook_page(browser_context, jupyter_server):
    """A fresh page; every kernel is shut down before and after, so each test starts clean."""
    jupyter_server.shutdown_kernels()
    page = browser_context.new_page()
    yield page
    page.close()
    jupyter_server.shutdown_kernels()


@pytest.fixture
def record_report(pytestconfig, record_property):
    """Keep a :class:`NotebookReport` for the end-of-session summary and the JUnit XML."""

    def record(report: NotebookReport) -> None:
        pytestconfig.stash[_REPORTS].append(report)
        record_property("run_all_s", report.run_s)
        record_property("first_frame_s", report.first_frame_s)
        print(report.summary())

    return record
