"""What the course extension hears from a lesson in JupyterLab: a quiz answered (right or
wrong) and a computed task answer opened.

The events are the contract between the widgets and the extension's progress store
(``lnhet-progress`` from the Quiz's invisible beacon; the DOM ``toggle`` of
``details.lnhet-task``). The test listens on the document, as the extension does, answers by
clicking, and opens the answers by clicking their summaries: only then does the kernel compute
them (``@hidden_answer``), and the block shows what they print.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from jupyter_harness import (
    ARTIFACTS_DIR,
    NOTEBOOK_ROOT_JS,
    REPO_ROOT,
    run_notebook_in_lab,
    save_notebook_screenshot,
    watch_console,
)

FOLDER = REPO_ROOT / "test-artifacts" / "progress-events"
QUESTION = "Which <i>misfit</i> is the largest?"
KEY = "Which misfit is the largest?"
TIMEOUT_MS = 20_000

# Installed before JupyterLab loads: what the extension would record, in order.
_LISTEN_JS = """
window.__lnhetHeard = [];
document.addEventListener('lnhet-progress', (event) => window.__lnhetHeard.push(event.detail));
document.addEventListener('toggle', (event) => {
  const target = event.target;
  if (target instanceof HTMLDetailsElement && target.matches('details.lnhet-task')) {
    window.__lnhetHeard.push({kind: 'task', key: target.dataset.lnhetTask, opened: target.open});
  }
}, true);
"""


def _write_notebook() -> tuple[str, list[str]]:
    """A lesson-like notebook: one quiz and two computed answers under the same title."""
    if FOLDER.exists():
        shutil.rmtree(FOLDER)
    FOLDER.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from lnhet_widgets.widgets import Quiz, hidden_answer\n\n"
            f"Quiz({QUESTION!r}, ['CsPbCl3', 'CsPbI3'], 1, 'a grows with the halide.')"),
        nbformat.v4.new_code_cell("@hidden_answer\ndef task_1():\n    print(6 * 7)"),
        nbformat.v4.new_code_cell("@hidden_answer\ndef task_2():\n    print(7 * 8)"),
    ]
    nbformat.write(nb, FOLDER / "progress_events.ipynb")
    return "test-artifacts/progress-events/progress_events.ipynb", [c.id for c in nb.cells[1:]]


def _heard(page, count: int) -> list[dict]:
    try:
        page.wait_for_function("(n) => window.__lnhetHeard.length >= n", arg=count,
                               timeout=TIMEOUT_MS)
    except Exception as error:  # playwright's TimeoutError
        raise AssertionError(f"expected {count} events, heard "
                             f"{page.evaluate('window.__lnhetHeard')}") from error
    return page.evaluate("window.__lnhetHeard")


@pytest.mark.browser
def test_quiz_answers_and_opened_answers_reach_the_extension(jupyter_server, notebook_page,
                                                             record_report):
    nb_path, answer_cells = _write_notebook()
    page = notebook_page
    page.add_init_script(_LISTEN_JS)
    report = run_notebook_in_lab(page, jupyter_server.base_url, nb_path, timeout_s=120)
    record_report(report)
    assert not report.problems(), "\n".join(report.problems())

    panel = page.locator(f'[id="{page.evaluate(f"() => {NOTEBOOK_ROOT_JS}.id")}"]')
    quiz = panel.locator(".lnhet-quiz")
    with watch_console(page, report):
        quiz.get_by_text("CsPbCl3").click()
        wrong = _heard(page, 1)
        quiz.get_by_text("CsPbI3").click()
        both = _heard(page, 2)
        summaries = panel.locator("details.lnhet-task > summary")
        summaries.first.wait_for(timeout=TIMEOUT_MS)
        assert summaries.count() == 2
        bodies = panel.locator("details.lnhet-task > pre.lnhet-task-body")
        # Nothing is computed before the student opens an answer; opening asks the kernel.
        assert bodies.nth(0).text_content() == ""
        summaries.nth(0).click()
        summaries.nth(1).click()
        heard = _heard(page, 4)
        for index, answer in enumerate(("42", "56")):
            page.wait_for_function("([el, text]) => el.textContent.trim() === text",
                                   arg=[bodies.nth(index).element_handle(), answer],
                                   timeout=TIMEOUT_MS)
        # The beacon is in the quiz but takes no space.
        beacon = page.evaluate(
            """(root) => {
                 const quiz = root.querySelector('.lnhet-quiz');
                 const last = quiz.lastElementChild;
                 const box = last.getBoundingClientRect();
                 return {display: getComputedStyle(last).display, height: box.height,
                         width: box.width, children: quiz.children.length};
               }""".replace("(root)", "()").replace("root.", f"{NOTEBOOK_ROOT_JS}."))
        screenshot = save_notebook_screenshot(page, "lab-progress-events")
    assert not report.problems(), "\n".join(report.problems())
    (ARTIFACTS_DIR / "lab-progress-events.json").write_text(json.dumps(heard, indent=1),
                                                            encoding="utf-8")

    assert wrong == [{"kind": "quiz", "key": KEY, "correct": False}]
    assert both[1] == {"kind": "quiz", "key": KEY, "correct": True}
    title = "Computed answer (click to open)"
    assert heard[2:] == [{"kind": "task", "key": f"{title} [{cell}]", "opened": True}
                         for cell in answer_cells], screenshot
    assert beacon["children"] == 4 and beacon["display"] == "none", beacon
    assert beacon["height"] == 0 and beacon["width"] == 0, beacon
