"""The lessons' tasks: answers computed only when opened, and code exercises checked against
the model (lnhet_widgets.widgets.parts.solution and .exercise)."""

import numpy as np
import pytest

from lnhet_widgets.widgets import check_exercise, hidden_answer
from lnhet_widgets.widgets.parts import progress_beacon
from lnhet_widgets.widgets.parts.solution import OPEN_ANSWERS_ENV, TaskAnswer


@pytest.fixture(autouse=True)
def _answers_wait_to_be_opened(monkeypatch):
    monkeypatch.delenv(OPEN_ANSWERS_ENV, raising=False)


@pytest.fixture
def reports(monkeypatch):
    sent = []
    monkeypatch.setattr(progress_beacon.ProgressBeacon, "report_quiz",
                        lambda self, key, *, correct: sent.append((key, correct)))
    return sent


def test_an_answer_is_computed_only_when_opened_and_again_at_each_opening():
    calls = []

    @hidden_answer(title="Task 2")
    def task_2():
        calls.append(1)
        print(f"computed {len(calls)} time(s)")

    assert isinstance(task_2, TaskAnswer)
    assert calls == [] and task_2.text == "" and task_2.revision == 0
    task_2._on_message(task_2, {"kind": "open"}, [])  # what the browser sends on opening
    assert task_2.text == "computed 1 time(s)\n" and task_2.revision == 1
    task_2._on_message(task_2, {"kind": "open"}, [])
    assert task_2.text == "computed 2 time(s)\n" and task_2.revision == 2
    task_2._on_message(task_2, {"kind": "something else"}, [])
    assert len(calls) == 2


def test_a_failing_answer_says_why_in_the_block():
    @hidden_answer
    def broken():
        print("part of it")
        raise KeyError("lab.result")

    assert broken.title == "Computed answer (click to open)"
    broken.compute_answer()
    assert broken.text == "part of it\n"
    assert broken.error == "The answer could not be computed: KeyError: 'lab.result'"


def test_in_a_test_run_answers_are_computed_at_once_and_errors_raise(monkeypatch):
    monkeypatch.setenv(OPEN_ANSWERS_ENV, "1")

    @hidden_answer
    def task_1():
        print(6 * 7)

    assert task_1.text == "42\n"
    with pytest.raises(ZeroDivisionError):
        @hidden_answer
        def task_2():
            print(1 / 0)


def test_hidden_answer_needs_a_function():
    with pytest.raises(ValueError, match="compute must be a function"):
        hidden_answer("print(2)")


def test_an_exercise_not_done_yet_is_not_counted(reports):
    check = check_exercise("Task 3: the misfit", ..., 7.8, unit="%")
    assert check.right is None and "Not done yet" in check.feedback.value
    assert reports == []


@pytest.mark.parametrize("got", ["7.8", np.array([7.8, 7.9]), float("nan")])
def test_an_exercise_whose_code_gives_no_single_number_is_told_so(reports, got):
    check = check_exercise("Task 3: the misfit", got, 7.8, unit="%")
    assert check.right is None and "one finite number in %" in check.feedback.value
    assert reports == []


def test_an_exercise_is_judged_with_its_hints_and_reported(reports):
    hints = [((0.05, 0.1), "Give it in per cent, not as a fraction.")]
    slip = check_exercise("Task 3: the <i>misfit</i>", 0.078, 7.8, unit="%", hints=hints)
    high = check_exercise("Task 3: the <i>misfit</i>", 9.1, 7.8, unit="%", hints=hints)
    right = check_exercise("Task 3: the <i>misfit</i>", np.float64(7.75), 7.8, unit="%",
                           explanation="(5.87 − 5.45)/5.45")
    assert (slip.right, high.right, right.right) == (False, False, True)
    assert "per cent, not as a fraction" in slip.feedback.value
    assert "too high" in high.feedback.value
    assert "Your result: 7.75 %" in right.feedback.value and "5.45" in right.feedback.value
    assert reports == [("Task 3: the misfit", False)] * 2 + [("Task 3: the misfit", True)]


def test_an_exercise_needs_a_model_value_and_a_tolerance():
    with pytest.raises(ValueError, match="expected must be a finite number in %"):
        check_exercise("Task 3", 1.0, float("inf"), unit="%")
    with pytest.raises(ValueError, match="one of them > 0"):
        check_exercise("Task 3", 1.0, 1.0, unit="", rel_tolerance=0)
