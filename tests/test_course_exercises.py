"""colorkit.course.exercises: the check cells of the lessons' exercises."""
import numpy as np

from colorkit.course.exercises import check


def test_unanswered_says_so_and_is_false(capsys):
    assert check(None, expected=3.0, what="x") is False
    assert capsys.readouterr().out == "not answered yet: set answer = ... above (expected a number)\n"


def test_correct_within_tolerance(capsys):
    assert check(0.1251, expected=0.125, tol=1e-3, what="the clipped fraction") is True
    assert capsys.readouterr().out == "correct: the clipped fraction = 0.125\n"


def test_wrong_answer_points_to_the_hint(capsys):
    assert check(0.2, expected=0.125, tol=1e-3, what="the clipped fraction") is False
    assert capsys.readouterr().out == "not yet: the clipped fraction is not 0.2; look at the hint\n"


def test_tolerance_is_inclusive_and_default_is_tight():
    assert check(1.5, expected=1.0, tol=0.5) is True
    assert check(1.0 + 1e-3, expected=1.0) is False


def test_arrays_compare_elementwise(capsys):
    assert check([1.0, 2.0], expected=np.array([1.0, 2.001]), tol=0.01, what="means") is True
    assert capsys.readouterr().out.startswith("correct: means = ")
    assert check([1.0, 2.5], expected=np.array([1.0, 2.0]), tol=0.01) is False


def test_never_raises_on_odd_answers(capsys):
    assert check("forty", expected=40.0, what="n") is False
    assert check([1, 2, 3], expected=np.zeros(2), what="n") is False
    assert capsys.readouterr().out.count("not yet") == 2
