"""The lessons' checks: options in each student's own order, feedback for each wrong option,
numeric answers with a unit and a tolerance."""

import ast
from pathlib import Path

import nbformat
import pytest

from lnhet_widgets.widgets.parts.quiz import NumericQuiz, Quiz

OPTIONS = ["CsPbCl3", "CsPbBr3", "CsPbI3", "CsSnBr3", "CsGeBr3", "Cs2AgBiBr6"]


def test_each_student_sees_an_order_of_their_own_that_stays_put():
    orders = {tuple(Quiz("Which?", OPTIONS, 2, "", student=f"s{i}").shown_order)
              for i in range(12)}
    assert len(orders) > 6  # 720 orders: twelve students rarely share one
    again = [Quiz("Which?", OPTIONS, 2, "", student="ada").shown_order for _ in range(3)]
    assert again[0] == again[1] == again[2]  # a reload shows the same order
    assert sorted(again[0]) == list(range(len(OPTIONS)))
    assert Quiz("Which?", OPTIONS, 2, "", shuffle=False).shown_order == list(range(6))


def test_answers_are_judged_in_the_lessons_order_whatever_the_students():
    for student in ("ada", "bob", "cy"):
        quiz = Quiz("Which?", OPTIONS, 2, "because", student=student)
        shown = quiz.shown_order
        quiz.choices.value = shown[shown.index(2)]  # the radio button of CsPbI3
        assert "Right" in quiz.feedback.value and "because" in quiz.feedback.value
        assert quiz.choices.options[shown.index(2)][0] == "CsPbI3"


def test_a_wrong_option_gets_its_own_feedback():
    why_not = ["too small", "the window", "", "tin", "germanium", "double"]
    quiz = Quiz("Which?", OPTIONS, 2, "right because", why_not=why_not)
    for index, text in enumerate(why_not):
        assert quiz.choose(index) is (index == 2)
        if index != 2:
            assert text in quiz.feedback.value and "Not quite" in quiz.feedback.value
            assert "right because" not in quiz.feedback.value
    with pytest.raises(ValueError, match="one entry per option"):
        Quiz("Which?", OPTIONS, 2, "", why_not=["x"])
    with pytest.raises(ValueError, match="index must be"):
        quiz.choose(9)


def test_a_numeric_answer_is_right_within_its_tolerance_and_unit():
    quiz = NumericQuiz("Misfit?", 7.8, unit="%", explanation="because", abs_tolerance=0.2)
    assert quiz.submit("7.9") and quiz.submit("7,7 %") and quiz.submit("  7.8%")
    assert "because" in quiz.feedback.value
    assert not quiz.submit("8.1")
    assert "too high" in quiz.feedback.value
    assert not quiz.submit("−3")  # a typographic minus reads as one
    assert "too low" in quiz.feedback.value


def test_a_numeric_slip_gets_the_lessons_hint_and_text_is_not_counted():
    reports = []
    quiz = NumericQuiz("Misfit?", 7.8, unit="%", explanation="",
                       hints=[((0.05, 0.1), "per cent, not a fraction")])
    quiz.beacon.report_quiz = lambda key, correct: reports.append(correct)
    assert not quiz.submit("0.078")
    assert "per cent, not a fraction" in quiz.feedback.value
    assert not quiz.submit("3 nm")
    assert "Type a number in %" in quiz.feedback.value and "7.8" not in quiz.feedback.value
    quiz.entry.value = "7.8"  # typed and Enter, as a student does
    assert "Right" in quiz.feedback.value
    assert reports == [False, True]  # the text that is not a number was not reported


def test_numeric_quiz_rejects_a_bad_definition():
    with pytest.raises(ValueError, match="finite"):
        NumericQuiz("?", float("nan"), unit="", explanation="")
    with pytest.raises(ValueError, match="tolerance"):
        NumericQuiz("?", 1.0, unit="", explanation="", rel_tolerance=0.0)


# --- the lessons' checks -------------------------------------------------------------------

_EXPECTED_ARGUMENT = {"NumericQuiz": ("answer", 1), "check_exercise": ("expected", 2)}


def _typed_expected_values(source: str) -> list[str]:
    """The checks in ``source`` whose expected value is a number typed into the call."""
    typed = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in _EXPECTED_ARGUMENT):
            continue
        name, position = _EXPECTED_ARGUMENT[node.func.id]
        given = [k.value for k in node.keywords if k.arg == name]
        given += node.args[position:position + 1]
        value = given[0] if given else None
        if isinstance(value, ast.UnaryOp):
            value = value.operand
        if isinstance(value, ast.Constant):
            typed.append(f"{node.func.id}(…) expects {ast.unparse(given[0])}")
    return typed


def test_a_typed_expected_value_is_found():
    assert _typed_expected_values('NumericQuiz("Misfit?", 7.8, unit="%", explanation="")') \
        == ["NumericQuiz(…) expects 7.8"]
    assert _typed_expected_values('check_exercise("T", x, expected=-3, unit="")') \
        == ["check_exercise(…) expects -3"]
    assert _typed_expected_values('check_exercise("T", x, 100 * misfit(a, b), unit="%")') == []


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_lesson_checks_compute_their_expected_values(path):
    # A number typed into a check drifts when the model changes; the lesson computes it.
    cells = nbformat.read(path, as_version=4).cells
    typed = [f"cell {cell.id}: {text}" for cell in cells if cell.cell_type == "code"
             for text in _typed_expected_values(cell.source)]
    assert not typed, "\n".join(typed)


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_lesson_quizzes_answer_each_wrong_option(path):
    # "Try again." alone teaches nothing: a lesson's Quiz says why each wrong option is wrong.
    bare = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Quiz"
                    and not any(k.arg == "why_not" for k in node.keywords)):
                bare.append(cell.id)
    assert not bare, f"{path.name}: Quiz without why_not in cells {bare}"
