"""Exercise checkers that accept anything a student might type.

Each exercise of the course is registered here with a key, the way its answer is
computed (always by ``course_lib``, never typed in by hand), a tolerance, and
feedback for common mistakes. In a notebook::

    from course_lib.exercises import check
    check("gd-max-lr", 0.25)

:func:`check` never raises for a bad answer: a string, ``None``, a list of the
wrong length, NaN or a complex number all get a :class:`Feedback` that says what
went wrong.
"""

from __future__ import annotations

import html
import json
import numbers
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Dict, Sequence, Tuple

import numpy as np

from .objectives import bowl3d, error_surface, parabola
from .optimizers import gd
from .theory import gd_learning_rates

__all__ = ["Feedback", "Exercise", "EXERCISES", "check", "check_number", "parse_answer", "AnswerError",
           "SelfCheck", "self_check"]


class AnswerError(ValueError):
    """Raised by :func:`parse_answer` with a message meant for the student."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on an answer: ``correct`` and a message for the student."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return ("✔ Correct. " if self.correct else "✘ Not yet. ") + self.message

    def _repr_html_(self) -> str:
        colour = "#1b7f3b" if self.correct else "#b3261e"
        verdict = "✔ Correct." if self.correct else "✘ Not yet."
        return (f'<div class="course-feedback" style="border-left:4px solid {colour};padding:0.3em 0.8em">'
                f'<strong style="color:{colour}">{verdict}</strong> {html.escape(self.message)}</div>')


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)?$")


def _parse_scalar_text(text: str) -> float:
    text = text.strip().replace("−", "-").replace(" ", "")
    if not text:
        raise AnswerError("the answer is empty: type a number such as 0.25 or 1/4")
    if not _NUMBER.match(text):
        raise AnswerError(f"could not read {text!r} as a number (e.g. 0.25, 2.5e-1 or 1/4)")
    if "/" in text:
        num, den = text.split("/")
        if float(den) == 0.0:
            raise AnswerError(f"{text!r} divides by zero")
        return float(Fraction(num) / Fraction(den))
    return float(text)


def _scalar(entry) -> float:
    """One entry of an answer as a float, or an :class:`AnswerError` saying what it is instead."""
    if isinstance(entry, str):
        return _parse_scalar_text(entry)
    if isinstance(entry, (bool, np.bool_)):
        raise AnswerError(f"{entry!r} is a truth value, not a number")
    if isinstance(entry, numbers.Complex) and not isinstance(entry, numbers.Real):
        raise AnswerError(f"{entry!r} is a complex number; the answer is real")
    if isinstance(entry, numbers.Real):
        return float(entry)
    raise AnswerError(f"could not read {entry!r} (of type {type(entry).__name__}) as a number")


def _entries(answer) -> list:
    """Flatten numbers, sequences and arrays of numbers into a list of entries."""
    if isinstance(answer, np.ndarray):
        return answer.ravel().tolist()
    if isinstance(answer, (list, tuple)):
        return [e for item in answer
                for e in (_entries(item) if isinstance(item, (list, tuple, np.ndarray)) else [item])]
    if isinstance(answer, str):
        return answer.strip().strip("()[]").split(",")
    return [answer]


def parse_answer(answer) -> np.ndarray:
    """Read a student's answer as a 1-D float array, or raise :class:`AnswerError` saying why not.

    Accepts numbers (including numpy scalars), sequences and arrays of numbers,
    and text such as ``"0.25"``, ``"1/4"`` or ``"1.6, 2.05"``.
    """
    if answer is None or answer is Ellipsis:
        raise AnswerError("no answer yet: replace the placeholder with your number")
    values = np.array([_scalar(e) for e in _entries(answer)], dtype=np.float64)
    if values.size == 0:
        raise AnswerError("the answer is empty")
    if not np.all(np.isfinite(values)):
        raise AnswerError(f"the answer contains NaN or infinity ({values}); the expected answer is finite")
    return values


def check_number(answer, expected, *, rtol: float = 1e-3, atol: float = 1e-9,
                 mistakes: Sequence[Tuple[object, str]] = (), hint: str = "") -> Feedback:
    """Compare ``answer`` with ``expected`` (a number or an array) to a relative tolerance.

    Parameters
    ----------
    answer : anything
        What the student typed.
    expected : float or array_like
        The right answer.
    rtol, atol : float
        Accept when ``|answer - expected| <= atol + rtol * |expected|`` entrywise.
    mistakes : sequence of (value, message)
        Known wrong answers and what to say about them.
    hint : str
        Said after a wrong answer that matches no known mistake.
    """
    expected = np.atleast_1d(np.asarray(expected, dtype=np.float64)).ravel()
    try:
        values = parse_answer(answer)
    except AnswerError as err:
        return Feedback(False, str(err)[0].upper() + str(err)[1:] + ".")
    if values.shape != expected.shape:
        what = "one number" if expected.size == 1 else f"{expected.size} numbers"
        return Feedback(False, f"Expected {what}, got {values.size}.")
    shown = ", ".join(f"{v:.6g}" for v in values)
    if np.all(np.abs(values - expected) <= atol + rtol * np.abs(expected)):
        return Feedback(True, f"{shown} is right.")
    for value, message in mistakes:
        value = np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel()
        if value.shape == values.shape and np.all(np.abs(values - value) <= atol + rtol * np.abs(value)):
            return Feedback(False, f"{shown}: {message}")
    return Feedback(False, f"{shown} is not right. {hint}".strip())


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: how to compute its answer and how to judge one."""

    key: str
    question: str
    solve: Callable[[], object] = field(repr=False)
    rtol: float = 1e-3
    hint: str = ""
    mistakes: Callable[[], Sequence[Tuple[object, str]]] = field(default=lambda: (), repr=False)

    @property
    def answer(self) -> np.ndarray:
        """The expected answer, computed by course_lib."""
        return np.atleast_1d(np.asarray(self.solve(), dtype=np.float64))

    def check(self, answer) -> Feedback:
        return check_number(answer, self.answer, rtol=self.rtol, mistakes=self.mistakes(), hint=self.hint)


def _bowl_rates():
    return gd_learning_rates(bowl3d().hessian([0.0, 0.0, 0.0]))


def _error_surface_step() -> np.ndarray:
    E = error_surface()
    w = np.array([1.0, 1.0])
    opt = gd(lr=0.3)
    w_next, _ = opt.update(w, E.gradient(w), opt.init(w))
    return w_next


EXERCISES: Dict[str, Exercise] = {
    ex.key: ex for ex in [
        Exercise(
            key="welcome-derivative",
            question="What is the derivative of f(x) = x² at x = 3?",
            solve=lambda: parabola().gradient([3.0]),
            hint="The derivative of x² is 2x.",
            mistakes=lambda: [(parabola().value([3.0]), "that is f(3), the value; the question asks for the slope.")],
        ),
        Exercise(
            key="gd-max-lr",
            question="Gradient descent on E(x, y, z) = 3x² + 2y² + 4z² + 6 converges from every start "
                     "exactly when the learning rate is below some bound. What is that bound?",
            solve=lambda: _bowl_rates().max_stable,
            hint="Each coordinate is multiplied by (1 - η·λ) per step, where λ is that axis' second derivative; "
                 "all factors must have magnitude below 1.",
            mistakes=lambda: [
                (_bowl_rates().axis_optimal.min(), "that is the best rate for the steepest axis (1/λ_max). Ask instead "
                                            "how large η may get before |1 - ηλ| reaches 1 on that axis."),
                (2.0 * _bowl_rates().axis_optimal.max(), "that bound keeps the flattest axis stable, "
                                                  "but the steeper axes diverge before it."),
                (1.0 / 3.0, "that is 2/6, the bound for the x-axis alone; another axis is steeper."),
            ],
        ),
        Exercise(
            key="gd-step-error-surface",
            question="Take one gradient-descent step with η = 0.3 on the error surface E(w1, w2), starting "
                     "from (w1, w2) = (1, 1). Give the new point as two numbers.",
            solve=_error_surface_step,
            hint="Compute both partial derivatives at (1, 1) first, then subtract 0.3 times each.",
            mistakes=lambda: [
                (np.array([1.0, 1.0]) + 0.3 * error_surface().gradient([1.0, 1.0]),
                 "you stepped along the gradient; descent steps against it."),
            ],
        ),
    ]
}


def check(key: str, answer) -> Feedback:
    """Judge ``answer`` to the registered exercise ``key`` (the keys of ``EXERCISES``)."""
    if key not in EXERCISES:
        raise ValueError(f"unknown exercise {key!r}; known exercises: {', '.join(sorted(EXERCISES))}")
    return EXERCISES[key].check(answer)


class SelfCheck:
    """An answer box for the website: type an answer, press Check, read the verdict. No kernel needed.

    The expected answer, tolerance and known mistakes of the exercise are computed
    here, by course_lib, when the page is built, and embedded in the page with a few
    lines of inline JavaScript that apply the same rules as :func:`check_number`
    (numbers, fractions such as ``1/4``, comma-separated lists).
    """

    def __init__(self, exercise: Exercise):
        self.exercise = exercise

    def data(self) -> dict:
        """What the page needs to judge an answer."""
        ex = self.exercise
        return {
            "answer": ex.answer.tolist(),
            "rtol": ex.rtol,
            "atol": 1e-9,
            "hint": ex.hint,
            "mistakes": [{"value": np.atleast_1d(np.asarray(v, dtype=np.float64)).ravel().tolist(), "message": m}
                         for v, m in ex.mistakes()],
        }

    def _repr_html_(self) -> str:
        key = html.escape(self.exercise.key)
        payload = json.dumps(self.data(), ensure_ascii=True).replace("</", "<\\/")
        return (
            f'<form class="course-selfcheck" data-exercise="{key}" autocomplete="off">'
            f'<label>Your answer: <input type="text" name="answer" inputmode="decimal" '
            f'aria-label="Your answer to exercise {key}" placeholder="e.g. 3/8, 0.4 or 1.5, 2"></label> '
            f'<button type="submit">Check</button>'
            f'<div class="course-feedback" role="status" aria-live="polite"></div>'
            f'<script type="application/json" class="course-selfcheck-data">{payload}</script>'
            f"</form><script>{_SELF_CHECK_JS}</script>"
        )

    def __repr__(self) -> str:
        return (f"Answer box for exercise {self.exercise.key!r} (works on the website). "
                f"In a notebook, use check({self.exercise.key!r}, answer).")


def self_check(key: str) -> SelfCheck:
    """The website's answer box for the registered exercise ``key``."""
    if key not in EXERCISES:
        raise ValueError(f"unknown exercise {key!r}; known exercises: {', '.join(sorted(EXERCISES))}")
    return SelfCheck(EXERCISES[key])


_SELF_CHECK_JS = """(function () {
  var form = document.currentScript && document.currentScript.previousElementSibling;
  if (!form || !form.classList.contains("course-selfcheck")) { return; }
  var data = JSON.parse(form.querySelector("script.course-selfcheck-data").textContent);
  var box = form.querySelector(".course-feedback");
  var NUMBER = /^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?(\\/[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)?$/;
  function parse(text) {
    text = text.trim().replace(/\\u2212/g, "-").replace(/^[\\[(]+|[\\])]+$/g, "");
    if (!text) { throw "The answer is empty: type a number such as 0.25 or 1/4."; }
    return text.split(",").map(function (piece) {
      piece = piece.replace(/\\s+/g, "");
      if (!NUMBER.test(piece)) { throw "Could not read '" + piece + "' as a number (e.g. 0.25, 2.5e-1 or 1/4)."; }
      var parts = piece.split("/"), value = Number(parts[0]);
      if (parts.length === 2) {
        if (Number(parts[1]) === 0) { throw "'" + piece + "' divides by zero."; }
        value = value / Number(parts[1]);
      }
      if (!isFinite(value)) { throw "The answer contains an infinite number; the expected answer is finite."; }
      return value;
    });
  }
  function close(values, expected) {
    return values.length === expected.length && values.every(function (v, i) {
      return Math.abs(v - expected[i]) <= data.atol + data.rtol * Math.abs(expected[i]);
    });
  }
  function say(ok, message) {
    box.textContent = (ok ? "\u2714 Correct. " : "\u2718 Not yet. ") + message;
    box.className = "course-feedback " + (ok ? "course-correct" : "course-wrong");
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var values;
    try { values = parse(form.elements.answer.value); } catch (message) { say(false, message); return; }
    var shown = values.map(function (v) { return String(Number(v.toPrecision(6))); }).join(", ");
    if (values.length !== data.answer.length) {
      say(false, "Expected " + (data.answer.length === 1 ? "one number" : data.answer.length + " numbers") +
          ", got " + values.length + ".");
    } else if (close(values, data.answer)) {
      say(true, shown + " is right.");
    } else {
      var known = data.mistakes.filter(function (m) { return close(values, m.value); })[0];
      say(false, known ? shown + ": " + known.message : (shown + " is not right. " + data.hint).trim());
    }
  });
})();"""
