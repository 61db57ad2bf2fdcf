"""The course extension in a real JupyterLab: the sidebar, progress that survives a reload,
"Reset lesson", the launcher cards, the progress export.

The server's root is a temporary folder (the repository's notebooks are never touched): the
test starts from an empty workspace and copies the course with the sidebar's button. The tests
run in file order on one page, as one student's session. Set ``LNHET_JUPYTER_PYTHON`` to run
the server from another environment (tests/test_wheel_install.py uses a venv made from the
wheel). Screenshots land in ``test-artifacts/browser/course-*.png``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

import pytest
from course_harness import (
    SIDEBAR,
    jupyter_python,
    lesson_row,
    lessons_in_sidebar,
    listing,
    notebook_content,
    open_lab,
    packaged_lessons_dir,
    show_sidebar,
    start_server,
    wait_for_saved_progress,
    wait_for_status,
)
from jupyter_harness import (
    _BENIGN_PAGE_ERRORS,
    ARTIFACTS_DIR,
    JupyterServer,
    NotebookReport,
    assert_bqplot_marks,
    save_notebook_screenshot,
    watch_console,
)

from lnhet_widgets.course import find_lesson, load_manifest

pytestmark = pytest.mark.browser

COURSE_DIR = "lnhet-course"  # the settings default
QUIZ_LESSON = "01_lattice_mismatch"
LAUNCHER_LAB = "Transfer lab"


@dataclass
class Session:
    server: JupyterServer
    page: object
    report: NotebookReport

    def assert_no_javascript_errors(self) -> None:
        problems = self.report.console_errors + self.report.page_errors
        assert not problems, "JavaScript errors:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def session(chromium, browser_context, tmp_path_factory):
    root = tmp_path_factory.mktemp("course-root")
    server = start_server(root)
    page = browser_context.new_page()
    report = NotebookReport(notebook="course sidebar", ui="lab")
    try:
        with watch_console(page, report):
            yield Session(server, page, report)
    finally:
        page.close()
        server.stop()


def current_path(page) -> str:
    return page.evaluate("() => jupyterapp.shell.currentWidget?.context?.path ?? ''")


def wait_for_current_path(page, path: str, *, timeout_s: float = 30) -> None:
    page.wait_for_function(
        "(p) => jupyterapp.shell.currentWidget?.context?.path === p",
        arg=path, timeout=timeout_s * 1000,
    )  # fmt: skip


def wait_for_idle_kernel(page, *, timeout_s: float = 60) -> None:
    page.wait_for_function(
        """() => {
          const w = jupyterapp.shell.currentWidget;
          return w?.sessionContext?.isReady && w.sessionContext.session?.kernel?.status === 'idle';
        }""",
        timeout=timeout_s * 1000,
    )


def test_sidebar_lists_the_lessons_and_copies_the_course(session):
    page, server = session.page, session.server
    open_lab(page, server.base_url, reset=True)
    # A first visit opens JupyterLab on the course panel.
    page.wait_for_selector(SIDEBAR, state="visible", timeout=10_000)

    manifest = load_manifest()
    rows = lessons_in_sidebar(page)
    assert [row["id"] for row in rows] == [lesson["id"] for lesson in manifest["lessons"]]
    assert len(rows) == len(manifest["lessons"])
    for row, lesson in zip(rows, manifest["lessons"], strict=True):
        assert row["title"] == lesson["title"]
        assert row["goals"] == lesson["goals"] and row["goals"], row
        assert row["meta"].startswith(f"{lesson['minutes']} min"), row
        assert row["status"] == "not started"

    # A fresh workspace has no course folder: the sidebar offers to copy the course.
    copy = page.locator(f"{SIDEBAR} .lnhet-CourseSidebar-copy")
    assert copy.is_visible()
    copy.click()
    page.wait_for_selector(f"{SIDEBAR} .lnhet-CourseSidebar-missing", state="detached",
                           timeout=60_000)
    message = page.inner_text(f"{SIDEBAR} .lnhet-CourseSidebar-message")
    assert message.startswith(f"Course copied to {COURSE_DIR}: {len(rows)} new"), message
    files = listing(server, COURSE_DIR)
    assert {lesson["file"] for lesson in manifest["lessons"]} <= set(files)
    page.screenshot(path=str(ARTIFACTS_DIR / "course-sidebar.png"),
                    clip={"x": 0, "y": 0, "width": 1100, "height": 900})
    session.assert_no_javascript_errors()


def test_clicking_a_lesson_opens_it(session):
    page = session.page
    page.click(f"{lesson_row(QUIZ_LESSON)} .lnhet-Lesson-open")
    wait_for_current_path(page, f"{COURSE_DIR}/{QUIZ_LESSON}.ipynb")
    wait_for_status(page, QUIZ_LESSON, "in progress")
    session.assert_no_javascript_errors()


def run_cells(page, predicate_js: str) -> int:
    """Run, in order, the code cells of the open notebook whose source passes the JS predicate
    ``(source) => bool``; returns how many ran."""
    indices = page.evaluate(
        f"""() => jupyterapp.shell.currentWidget.content.widgets
          .map((cell, index) => [cell, index])
          .filter(([cell]) => cell.model.type === 'code' && ({predicate_js})(
            cell.model.sharedModel.getSource()))
          .map(([, index]) => index)"""
    )
    for index in indices:
        page.evaluate(
            """async (index) => {
              const panel = jupyterapp.shell.currentWidget;
              panel.content.activeCellIndex = index;
              await jupyterapp.commands.execute('notebook:run-cell');
            }""",
            index,
        )
    return len(indices)


def test_a_quiz_answer_is_kept_across_a_reload(session):
    page, server = session.page, session.server
    checks = find_lesson(QUIZ_LESSON)["quizzes"]
    assert checks > 1  # one right answer leaves the lesson in progress
    progress = f"1 of {checks} quizzes right"
    wait_for_idle_kernel(page)
    # The lab's cell imports Quiz; then the lesson's first quiz.
    assert run_cells(page, "(s) => /^lab = MismatchLab\\(\\)/m.test(s)") == 1
    assert run_cells(page, "(s) => s.trimStart().startsWith('Quiz(')") == 1
    quiz = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .lnhet-quiz").first
    quiz.locator("input[type=radio]").first.wait_for(timeout=60_000)

    # Answer as a student would, option after option, until the quiz says "Right".
    options = quiz.locator("input[type=radio]")
    wrong_first = False
    for index in range(options.count()):
        options.nth(index).click()
        feedback = quiz.locator(".widget-html-content").last
        page.wait_for_function("(el) => el.textContent.trim() !== ''",
                               arg=feedback.element_handle(), timeout=20_000)
        if "Right" in feedback.inner_text():
            break
        wrong_first = True
        # A wrong answer is recorded, and counts as no right one.
        wait_for_saved_progress(server, lambda p: p.get(QUIZ_LESSON, {}).get("quizzes"))
        row = {row["id"]: row for row in lessons_in_sidebar(page)}[QUIZ_LESSON]
        assert row["status"] == "in progress"
        assert f"0 of {checks} quizzes right" in row["done"], row
    saved = wait_for_saved_progress(
        server, lambda p: True in p.get(QUIZ_LESSON, {}).get("quizzes", {}).values())
    assert saved[QUIZ_LESSON]["opened"] is True
    page.wait_for_function(
        """([row, text]) => document.querySelector(row)?.textContent.includes(text)""",
        arg=[lesson_row(QUIZ_LESSON), progress], timeout=20_000)

    # A new page load, as a reload is. One navigation only: a reload followed by open_lab's
    # goto left the reloaded page while its widgets were being restored from the kernel, and
    # nglview's half-restored view then threw "Syncing error: no comm channel defined" (CI).
    open_lab(page, server.base_url, reset=False)
    show_sidebar(page)
    rows = {row["id"]: row for row in lessons_in_sidebar(page)}
    assert rows[QUIZ_LESSON]["status"] == "in progress"  # the other checks are still open
    assert rows[QUIZ_LESSON]["done"].startswith(progress), rows[QUIZ_LESSON]
    assert rows["00_welcome"]["status"] == "not started"
    print(f"quiz answered {'after a wrong answer' if wrong_first else 'right at once'}; "
          f"saved progress {json.dumps(saved[QUIZ_LESSON], ensure_ascii=False)}")

    # The export an instructor collects says the same.
    with page.expect_download() as download:
        page.click(f"{SIDEBAR} .lnhet-CourseSidebar-export-csv")
    rows_csv = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    by_lesson = {row["lesson"]: row for row in rows_csv}
    assert by_lesson[QUIZ_LESSON]["status"] == "in progress"
    assert by_lesson[QUIZ_LESSON]["quizzes_right"] == "1"
    assert len(rows_csv) == len(load_manifest()["lessons"])
    session.assert_no_javascript_errors()


def run_task_cell_above(page, task: str) -> None:
    """Run ``task`` (a function under ``@hidden_answer``) in a new code cell at the top of the
    current notebook, which is not saved."""
    page.evaluate(
        """async (task) => {
          const panel = jupyterapp.shell.currentWidget;
          panel.content.activeCellIndex = 0;
          await jupyterapp.commands.execute('notebook:insert-cell-above');
          await jupyterapp.commands.execute('notebook:change-cell-to-code');
          panel.content.activeCell.model.sharedModel.setSource(
            'from lnhet_widgets.widgets import hidden_answer\\n\\n' + task);
          await jupyterapp.commands.execute('notebook:run-cell');
        }""",
        task,
    )


def test_opening_a_task_answer_counts_as_a_task_opened(session):
    page, server = session.page, session.server
    lesson = "05_analysing_measurements"
    page.click(f"{lesson_row(lesson)} .lnhet-Lesson-open")
    wait_for_current_path(page, f"{COURSE_DIR}/{lesson}.ipynb")
    wait_for_idle_kernel(page)
    # A task of the lesson's kind, in a cell of its own above the lesson (not saved).
    run_task_cell_above(page, "@hidden_answer\ndef task():\n    print(6 * 7)")
    summary = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) details.lnhet-task summary").first
    summary.wait_for(timeout=60_000)
    summary.click()
    saved = wait_for_saved_progress(server, lambda p: p.get(lesson, {}).get("tasks"))
    (key,) = saved[lesson]["tasks"]
    cell_id = page.evaluate("() => jupyterapp.shell.currentWidget.content.widgets[0].model.id")
    assert key == f"Computed answer (click to open) [{cell_id}]"
    row = {row["id"]: row for row in lessons_in_sidebar(page)}[lesson]
    assert row["status"] == "in progress"
    assert row["done"].endswith(f"1 of {find_lesson(lesson)['tasks']} tasks opened"), row
    session.assert_no_javascript_errors()


def test_answers_wait_for_a_first_attempt_when_the_instructor_says_so(session):
    """With the setting "Task answers before a first attempt" off (its palette command), a
    task's answer in a lesson with no check answered stays closed, with a note beside it, and
    the kernel is not asked for it; once a check is answered (reported as a Quiz reports it),
    the same click opens it."""
    page, server = session.page, session.server
    lesson = "05_analysing_measurements"  # the open lesson: a task opened, no check answered
    toggle = "lnhet-course:toggle-answers-before-attempt"
    assert page.evaluate("(c) => jupyterapp.commands.isToggled(c)", toggle)
    page.evaluate("(c) => jupyterapp.commands.execute(c)", toggle)
    page.wait_for_function("(c) => !jupyterapp.commands.isToggled(c)", arg=toggle)
    try:
        wait_for_current_path(page, f"{COURSE_DIR}/{lesson}.ipynb")
        run_task_cell_above(
            page, '@hidden_answer(title="Locked task")\ndef task():\n    print(6 * 8)')
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        details = page.locator(f"{panel} details.lnhet-task", has_text="Locked task").first
        details.locator("summary").wait_for(timeout=60_000)
        details.locator("summary").click()
        page.locator(f"{panel} .lnhet-task-locked").wait_for(timeout=10_000)
        page.wait_for_timeout(1000)  # time enough for a kernel reply, were it asked
        assert not details.evaluate("d => d.open")
        assert details.locator(".lnhet-task-body").inner_text() == ""
        assert "Answer one of this lesson's checks first" in page.inner_text(
            f"{panel} .lnhet-task-locked")

        page.evaluate(
            """() => jupyterapp.shell.currentWidget.node.querySelector('.jp-Cell')
                 .dispatchEvent(new CustomEvent('lnhet-progress', {bubbles: true,
                   detail: {kind: 'quiz', key: 'A check of this lesson', correct: false}}))"""
        )
        wait_for_saved_progress(server, lambda p: p.get(lesson, {}).get("quizzes"))
        details.locator("summary").click()
        page.wait_for_function(
            "(d) => d.open && d.querySelector('.lnhet-task-body').textContent.trim() === '48'",
            arg=details.element_handle(), timeout=30_000,
        )  # fmt: skip
        assert page.locator(f"{panel} .lnhet-task-locked").count() == 0
    finally:
        page.evaluate("(c) => jupyterapp.commands.execute(c)", toggle)
        page.wait_for_function("(c) => jupyterapp.commands.isToggled(c)", arg=toggle)
    session.assert_no_javascript_errors()


def test_reset_lesson_restores_the_original_and_keeps_a_backup(session):
    page, server = session.page, session.server
    path = f"{COURSE_DIR}/{QUIZ_LESSON}.ipynb"
    page.click(f"{lesson_row(QUIZ_LESSON)} .lnhet-Lesson-open")
    wait_for_current_path(page, path)
    # The student edits the lesson and does not save: the reset must keep the edit.
    page.evaluate(
        """() => {
          const cell = jupyterapp.shell.currentWidget.content.widgets[0];
          cell.model.sharedModel.setSource('# my notes\\n' + cell.model.sharedModel.getSource());
        }"""
    )
    page.click(f"{lesson_row(QUIZ_LESSON)} .lnhet-Lesson-reset")
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=10_000)
    assert "backup" in dialog.inner_text()
    dialog.locator("button.jp-mod-accept").click()
    page.wait_for_function(
        "(s) => document.querySelector(s)?.textContent.includes('reset')",
        arg=f"{SIDEBAR} .lnhet-CourseSidebar-message", timeout=60_000,
    )  # fmt: skip
    message = page.inner_text(f"{SIDEBAR} .lnhet-CourseSidebar-message")

    backups = [name for name in listing(server, COURSE_DIR)
               if re.fullmatch(rf"{QUIZ_LESSON}\.backup-\d{{8}}-\d{{6}}.*\.ipynb", name)]
    assert len(backups) == 1, listing(server, COURSE_DIR)
    assert backups[0] in message, message
    backup = notebook_content(server, f"{COURSE_DIR}/{backups[0]}")
    assert backup["cells"][0]["source"].startswith("# my notes")

    original = json.loads(
        (packaged_lessons_dir(jupyter_python()) / f"{QUIZ_LESSON}.ipynb").read_text("utf-8"))
    restored = notebook_content(server, path)
    assert [cell["source"] for cell in restored["cells"]] == [
        "".join(cell["source"]) for cell in original["cells"]]
    # The open lesson shows the original again, with nothing left to save.
    shown = page.evaluate(
        """() => {
          const w = jupyterapp.shell.currentWidget;
          return {path: w.context.path, dirty: w.context.model.dirty,
                  first: w.content.widgets[0].model.sharedModel.getSource()};
        }"""
    )
    assert shown["path"] == path and not shown["dirty"]
    assert not shown["first"].startswith("# my notes")
    session.assert_no_javascript_errors()


def test_a_launcher_card_opens_a_notebook_whose_lab_draws(session):
    page = session.page
    page.evaluate("() => jupyterapp.commands.execute('launcher:create')")
    card = page.locator(f'.jp-LauncherCard:has-text("{LAUNCHER_LAB}")').first
    card.wait_for(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS_DIR / "course-launcher.png"),
                    clip={"x": 0, "y": 0, "width": 1400, "height": 900})
    card.click()
    path = f"{COURSE_DIR}/{LAUNCHER_LAB}.ipynb"
    wait_for_current_path(page, path)
    page.wait_for_function(
        """() => {
          const w = jupyterapp.shell.currentWidget;
          const cell = w.content.widgets[0];
          return cell.model.executionCount != null
            && w.sessionContext.session?.kernel?.status === 'idle';
        }""",
        timeout=120_000,
    )
    cells = page.evaluate(
        """() => jupyterapp.shell.currentWidget.content.widgets.map((c) => ({
          source: c.model.sharedModel.getSource(),
          errors: c.model.outputs.toJSON().filter((o) => o.output_type === 'error'),
        }))"""
    )
    lab = next(lab for lab in load_manifest()["labs"] if lab["label"] == LAUNCHER_LAB)
    assert cells[0]["source"] == lab["code"]
    assert not cells[0]["errors"], cells[0]["errors"]
    assert_bqplot_marks(page, 1, timeout_s=60, name="course-launcher-lab")
    save_notebook_screenshot(page, "course-launcher-lab")

    # The first lab opened offers the guided tour of a lab (jupyterlab-tour).
    page.locator('.jp-toast-button:has-text("Start now")').click(timeout=20_000)
    tooltip = page.locator(".react-joyride__tooltip")
    tooltip.wait_for(timeout=10_000)
    assert "Controls" in tooltip.inner_text()
    page.screenshot(path=str(ARTIFACTS_DIR / "course-lab-tour.png"),
                    clip={"x": 0, "y": 0, "width": 1400, "height": 1000})
    tooltip.locator('button[data-action="skip"], button[data-action="close"]').first.click()
    tooltip.wait_for(state="detached", timeout=10_000)
    session.assert_no_javascript_errors()


def test_notebook_7_shows_the_course_sidebar(session, browser_context):
    """Notebook 7's shell has a left area too: the same sidebar, lessons and statuses."""
    page = browser_context.new_page()
    report = NotebookReport(notebook="course sidebar", ui="notebook")
    try:
        with watch_console(page, report, benign_page_errors=_BENIGN_PAGE_ERRORS["notebook"]):
            page.goto(f"{session.server.base_url}/notebooks/{COURSE_DIR}/00_welcome.ipynb")
            page.wait_for_function("() => !!window.jupyterapp?.shell", timeout=60_000)
            page.evaluate("async () => { await jupyterapp.restored; }")
            # Notebook 7 lays out its side panels after start-up and may close one opened
            # early: ask until the panel shows.
            page.wait_for_function(
                """(selector) => {
                  jupyterapp.shell.activateById('lnhet-course-sidebar');
                  return !!document.querySelector(selector)?.checkVisibility();
                }""",
                arg=f"{SIDEBAR} .lnhet-Lesson", timeout=30_000, polling=500,
            )  # fmt: skip
            assert len(lessons_in_sidebar(page)) == len(load_manifest()["lessons"])
            # The welcome lesson has no quiz: opening it is doing it.
            wait_for_status(page, "00_welcome", "done")
            page.screenshot(path=str(ARTIFACTS_DIR / "course-notebook7.png"),
                            clip={"x": 0, "y": 0, "width": 1400, "height": 900})
    finally:
        page.close()
    problems = report.console_errors + report.page_errors
    assert not problems, "JavaScript errors:\n" + "\n".join(problems)
