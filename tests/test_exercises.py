"""Checkers: right answers in every form, helpful messages for everything else, never an exception."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.exercises import EXERCISES, AnswerError, Exercise, Feedback, Mistake, check, check_number, parse_answer


def test_registered_answers_match_values_worked_out_by_hand():
    # bowl 3x²+2y²+4z²+6: Hessian diag(6, 4, 8), bound 2/8
    assert EXERCISES["gd-max-lr"].answer.tolist() == [0.25]
    # E at (1, 1): gradient (-1/2, -1/3); minus 0.3 times it
    np.testing.assert_allclose(EXERCISES["gd-step-error-surface"].answer, [1.15, 1.1], rtol=1e-15)
    assert EXERCISES["welcome-derivative"].answer.tolist() == [6.0]


@pytest.mark.parametrize("answer", [0.25, "0.25", "1/4", " 2.5e-1 ", np.float32(0.25), np.array(0.25), [0.25],
                                    ["1/4"], 0.2501])
def test_right_answers_in_any_reasonable_form(answer):
    feedback = check("gd-max-lr", answer)
    assert feedback.correct and bool(feedback)
    assert repr(feedback).startswith("✔ Correct.")


@pytest.mark.parametrize(
    "answer, message",
    [
        (None, "No answer yet"),
        ("", "empty"),
        ("abc", "Could not read 'abc' as a number"),
        ("1/0", "divides by zero"),
        (math.nan, "too large to use, or not a number"),
        ("1e999", "too large to use, or not a number"),
        (True, "truth value"),
        (2j, "complex"),
        ([0.25, 0.5], "Expected one number, got 2"),
        ({"x": 1}, "of type dict"),
        (0.125, "best rate for the steepest axis"),
        (1 / 3, "bound for the x-axis alone"),
        (0.3, "is not right"),
    ],
)
def test_wrong_or_malformed_answers_get_a_message(answer, message):
    feedback = check("gd-max-lr", answer)
    assert not feedback.correct
    assert message in feedback.message


def test_vector_answers():
    assert check("gd-step-error-surface", [1.15, 1.1]).correct
    assert check("gd-step-error-surface", "(1.15, 1.1)").correct
    assert not check("gd-step-error-surface", [1.1, 1.15]).correct
    assert "against it" in check("gd-step-error-surface", [0.85, 0.9]).message
    assert "Expected 2 numbers, got 1" in check("gd-step-error-surface", 1.15).message


def test_unknown_exercise_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown exercise 'nope'; known exercises: "):
        check("nope", 1.0)


def test_feedback_html_escapes_the_message():
    html = Feedback(False, "<script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_parse_answer_reads_fractions_and_lists():
    np.testing.assert_array_equal(parse_answer("−1/8"), [-0.125])
    np.testing.assert_array_equal(parse_answer([[1, 2], [3]]), [1.0, 2.0, 3.0])
    with pytest.raises(AnswerError):
        parse_answer([1, "x"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.complex_numbers(), st.text(max_size=20), st.binary(max_size=5),
                 st.lists(st.one_of(st.floats(), st.text(max_size=5), st.integers()), max_size=4),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_check_never_raises_whatever_is_typed(answer):
    for key in EXERCISES:
        feedback = check(key, answer)
        assert isinstance(feedback, Feedback) and feedback.message


def test_check_number_tolerance():
    assert check_number(1.0005, 1.0, rtol=1e-3).correct
    assert not check_number(1.002, 1.0, rtol=1e-3).correct



def test_aliases_of_an_option_are_read_in_full_and_must_name_an_option():
    ex = Exercise("alias", "Which?", solve=lambda: "momentum", options=("gd", "momentum", "adam"),
                  aliases={"momentum_ema": "momentum", "sgd": "gd"},
                  mistakes=lambda: [Mistake("gd", "too slow.")])
    assert ex.check("momentum_ema").correct
    assert "momentum_ema (listed as momentum) is right" in repr(ex.check("momentum_ema"))
    assert "SGD (listed as gd): too slow." in repr(ex.check("SGD"))       # the mistake of its option
    assert "not one of the options" in repr(ex.check("momentum_"))         # no prefixes of aliases
    with pytest.raises(ValueError, match="alias 'ema' stands for 'heavy ball'"):
        Exercise("bad", "Which?", solve=lambda: "gd", options=("gd",), aliases={"ema": "heavy ball"})


# ------------------------------------------------ one table for Python and the page

from answer_table import ROWS, TABLE_EXERCISES  # noqa: E402


@pytest.mark.parametrize("key, text, correct, fragment", ROWS, ids=[f"{k}:{t!r}" for k, t, _, _ in ROWS])
def test_the_answer_table_in_python(key, text, correct, fragment):
    feedback = TABLE_EXERCISES[key].check(text)
    assert feedback.correct is correct and fragment in repr(feedback), repr(feedback)


# ------------------------------------------------------------- the registry

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _keys_used_in_notebooks() -> dict:
    used = {}
    for path in sorted((ROOT / "chapters").rglob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for key in re.findall(r"""(?:check|self_check)\(\s*["']([\w-]+)["']""", cell.source):
                used.setdefault(key, set()).add(path.parent.name)
    return used


def test_every_key_used_is_registered_and_every_registered_key_is_used_in_its_chapter():
    used = _keys_used_in_notebooks()
    assert set(used) == set(EXERCISES)
    for key, chapters in used.items():
        assert chapters == {EXERCISES[key].chapter}, \
            f"{key} is registered for {EXERCISES[key].chapter}, used in {chapters}"


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_no_known_mistake_is_within_the_tolerance_of_the_answer(key):
    ex = EXERCISES[key]
    answer = ex.answer
    if ex.options:                     # a word: each mistake is another option, with its own message
        for mistake in ex.known_mistakes():
            assert mistake.value in ex.options and mistake.value != answer, f"{key}: {mistake.value!r}"
            assert mistake.message in ex.check(mistake.value.upper()).message
        return
    for mistake in ex.known_mistakes():
        near_answer = np.abs(mistake.values - answer) <= ex.atol + ex.rtol * np.abs(answer)
        near_mistake = np.abs(answer - mistake.values) <= mistake.atol + mistake.rtol * np.abs(mistake.values)
        assert not (near_answer.all() or near_mistake.all()), f"{key}: {mistake.message}"
        assert not ex.check(mistake.values).correct and mistake.message in ex.check(mistake.values).message


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_reference_solution_passes(key):
    assert check(key, EXERCISES[key].answer).correct
    # ... and the solution cell of the notebook, which computes the answer its own way, says so.
    verdicts = []
    for path in sorted((ROOT / "chapters").rglob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and f'check("{key}",' in cell.source and "answer = None" not in cell.source:
                verdicts += [o["data"]["text/plain"] for o in cell.outputs if "data" in o and "text/plain" in o["data"]]
    assert verdicts and all(v.startswith("✔ Correct.") for v in verdicts), verdicts


def test_a_key_registered_twice_is_an_error():
    from course_lib.exercises import register
    with pytest.raises(ValueError, match="registered twice"):
        register("again", [EXERCISES["gd-max-lr"]])


# ------------------------------------------------------------- choice answers

CHOICE = Exercise("choice-demo", "The critical point of x1² - x2² at the origin is a ...",
                  solve=lambda: "saddle point", options=("minimum", "maximum", "saddle point", "undecided"),
                  hint="Look at the signs of the Hessian's eigenvalues.",
                  mistakes=lambda: [Mistake("minimum", "along x2 the function falls.")])


@pytest.mark.parametrize("answer, correct, fragment", [
    ("saddle point", True, "saddle point is right"),
    ("  Saddle   POINT. ", True, "is right"),
    ("saddle", True, "is right"),                       # an unambiguous start
    ("MIN", False, "minimum: along x2 the function falls"),
    ("maximum", False, "maximum is not right. Look at the signs"),
    ("m", False, "could be minimum or maximum"),
    ("banana", False, "'banana' is not one of the options: minimum, maximum, saddle point, undecided"),
    ("", False, "Choose one of the options"),
    (None, False, "Choose one of the options"),
    (2, False, "2 is not a word"),
    (["saddle point"], False, "is not a word"),
])
def test_choice_answers(answer, correct, fragment):
    feedback = CHOICE.check(answer)
    assert feedback.correct is correct and fragment in feedback.message, repr(feedback)


def test_choice_exercises_reject_bad_definitions():
    with pytest.raises(ValueError, match="distinct"):
        Exercise("x", "q", solve=lambda: "a", options=("a", "A "))
    with pytest.raises(ValueError, match="not one of"):
        _ = Exercise("x", "q", solve=lambda: "b", options=("a", "c")).answer


@pytest.mark.parametrize("key, typed", [("grad-tanh-derivative", "0.181"),
                                        ("sgd-schedule-values", "0.01, 0.00183, 0.0447, 0.0604"),
                                        ("min-eigenvalues", "0.586, 2, 3.414")])
def test_answers_at_the_stated_precision_are_accepted(key, typed):
    """The questions ask for three significant figures: an answer rounded so must pass."""
    assert check(key, typed).correct, repr(check(key, typed))
