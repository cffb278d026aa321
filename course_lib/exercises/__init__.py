"""Exercise checkers that accept anything a student might type.

Each chapter registers its exercises in a module of this package (``welcome``,
``gradient_descent``, ...): a key, the way the answer is computed (always by
``course_lib``, never typed in by hand), tolerances, and feedback for common
mistakes, each with its own tolerance so that near misses get their message too.
In a notebook::

    from course_lib.exercises import check
    check("gd-max-lr", 0.25)

:func:`check` never raises for a bad answer: a string, ``None``, a list of the
wrong length, NaN or a complex number all get a :class:`Feedback` that says what
went wrong.

Typed text follows one grammar, here and in the website's answer box (which runs
the same rules in JavaScript; a table of inputs in the tests goes through both):
numbers such as ``0.25``, ``-2.5e-1`` or fractions ``1/4``, separated by commas,
semicolons, spaces or brackets (``1.15, 1.1``, ``1.15,1.1``, ``1.15 1.1``, ``[[2,-1],[-1,2]]``).
Two whole numbers joined by one comma and nothing else (``0,25``) are refused as ambiguous:
a decimal comma or two numbers? Decimals take a point.

An exercise may instead ask for one of a few words (``options=("minimum", "maximum",
"saddle point", "undecided")``): in a notebook any case and spacing, or an unambiguous
start such as ``"saddle"``, is read as the option; the website shows radio buttons.
"""

from __future__ import annotations

import functools
import html
import json
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

__all__ = ["Feedback", "Exercise", "Mistake", "EXERCISES", "register", "check", "check_number", "check_choice",
           "parse_answer", "parse_choice", "AnswerError", "SelfCheck", "self_check", "MESSAGES"]


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

#: Messages of the text grammar, shared with the answer box's script (same words, same cases).
MESSAGES = {
    "empty": "the answer is empty: type a number such as 0.25 or 1/4",
    "ambiguous": "{text!r} is ambiguous: write decimals with a point (0.25) and separate numbers with a comma "
                 "and a space (1.5, 2)",
    "unreadable": "could not read {text!r} as a number (e.g. 0.25, 2.5e-1 or 1/4)",
    "zero": "{text!r} divides by zero",
    "infinite": "the answer contains a number too large to use, or not a number; the expected answer is finite",
    "choose": "choose one of the options: {options}",
}


def _tokens(text: str) -> list:
    """Split typed text into number tokens (the grammar of the module docstring)."""
    text = text.strip().replace("\u2212", "-")
    text = re.sub(r"^[\[(]+|[\])]+$", "", text).strip()
    if not text:
        raise AnswerError(MESSAGES["empty"])
    if re.fullmatch(r"[+-]?\d+,\d+", text):                          # 0,25: a decimal comma, or 0 and 25?
        raise AnswerError(MESSAGES["ambiguous"].format(text=text))
    return [t for t in re.split(r"[\s,;()\[\]]+", text) if t]     # brackets separate too: [[2, -1], [-1, 2]]


def _parse_token(token: str) -> float:
    if not _NUMBER.match(token):
        raise AnswerError(MESSAGES["unreadable"].format(text=token))
    if "/" in token:
        num, den = token.split("/")
        if Fraction(den) == 0:
            raise AnswerError(MESSAGES["zero"].format(text=token))
        try:
            return float(Fraction(num) / Fraction(den))   # exact: 1e400/1e399 is 10
        except OverflowError:
            return math.inf
    return float(token)


def _scalar(entry) -> float:
    """One entry of an answer as a float, or an :class:`AnswerError` saying what it is instead."""
    if isinstance(entry, str):
        tokens = _tokens(entry)
        if len(tokens) != 1:
            raise AnswerError(MESSAGES["unreadable"].format(text=entry.strip()))
        return _parse_token(tokens[0])
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
        return _tokens(answer)
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
        raise AnswerError(MESSAGES["infinite"])
    return values


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


def parse_choice(answer, options: Sequence[str], aliases: Mapping[str, str] = None) -> str:
    """Read a student's answer as one of ``options``, or raise :class:`AnswerError` saying why not.

    Case and spacing do not matter, and an unambiguous start of an option counts as
    that option (``"Saddle"`` is ``"saddle point"``).

    ``aliases`` maps other words to the option they stand for, e.g.
    ``{"momentum_ema": "momentum"}``; an alias must be typed in full.
    """
    listed = ", ".join(options)
    if answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        raise AnswerError(MESSAGES["choose"].format(options=listed))
    if not isinstance(answer, str):
        raise AnswerError(f"{answer!r} is not a word; " + MESSAGES["choose"].format(options=listed))
    typed = _words(answer).rstrip(".!")
    for alias, option in (aliases or {}).items():
        if _words(alias) == typed:
            return option
    exact = [o for o in options if _words(o) == typed]
    starts = [o for o in options if _words(o).startswith(typed)]
    if exact or len(starts) == 1:
        return (exact or starts)[0]
    if len(starts) > 1:
        raise AnswerError(f"{answer.strip()!r} could be {' or '.join(starts)}; type more of it")
    raise AnswerError(f"{answer.strip()!r} is not one of the options: {listed}")


def check_choice(answer, expected: str, options: Sequence[str], *, mistakes: Sequence[Mistake] = (),
                 hint: str = "", aliases: Mapping[str, str] | None = None) -> Feedback:
    """Compare a word ``answer`` with ``expected``, one of ``options`` (see :func:`parse_choice`)."""
    try:
        chosen = parse_choice(answer, options, aliases)
    except AnswerError as err:
        return Feedback(False, str(err)[0].upper() + str(err)[1:] + ".")
    typed = _words(answer).rstrip(".!")
    by_alias = any(_words(a) == typed for a in (aliases or {}))
    shown = f"{answer.strip()} (listed as {chosen})" if by_alias else chosen
    if chosen == expected:
        return Feedback(True, f"{shown} is right.")
    for mistake in mistakes:
        mistake = mistake if isinstance(mistake, Mistake) else Mistake(*mistake)
        if mistake.value == chosen:
            return Feedback(False, f"{shown}: {mistake.message}")
    return Feedback(False, f"{shown} is not right. {hint}".strip())


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer, what to say about it, and how close counts as making it.

    ``rtol`` is relative to the mistaken value: ``Mistake(1/3, "...", rtol=0.02)`` also
    catches a student who typed 0.33.
    """

    value: object
    message: str
    rtol: float = 1e-3
    atol: float = 1e-9

    @property
    def values(self) -> np.ndarray:
        return np.atleast_1d(np.asarray(self.value, dtype=np.float64)).ravel()


def _close(values: np.ndarray, target: np.ndarray, rtol: float, atol: float) -> bool:
    return values.shape == target.shape and bool(np.all(np.abs(values - target) <= atol + rtol * np.abs(target)))


def check_number(answer, expected, *, rtol: float = 1e-3, atol: float = 1e-9,
                 mistakes: Sequence[Mistake] = (), hint: str = "") -> Feedback:
    """Compare ``answer`` with ``expected`` (a number or an array) to a relative tolerance.

    Parameters
    ----------
    answer : anything
        What the student typed.
    expected : float or array_like
        The right answer (a matrix is compared entry by entry, row by row).
    rtol, atol : float
        Accept when ``|answer - expected| <= atol + rtol * |expected|`` entrywise.
    mistakes : sequence of Mistake (or of (value, message) pairs)
        Known wrong answers, each with its tolerance and what to say about it.
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
    if _close(values, expected, rtol, atol):
        return Feedback(True, f"{shown} is right.")
    for mistake in mistakes:
        mistake = mistake if isinstance(mistake, Mistake) else Mistake(*mistake)
        if _close(values, mistake.values, mistake.rtol, mistake.atol):
            return Feedback(False, f"{shown}: {mistake.message}")
    return Feedback(False, f"{shown} is not right. {hint}".strip())


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: how to compute its answer and how to judge one.

    ``atol`` matters when the answer is (or has entries) near 0, where a relative
    tolerance alone would demand the exact value. With ``options`` (a few words), the
    answer is one of them: ``solve`` returns it and each :class:`Mistake` names another.
    ``aliases`` maps other words that a notebook answer may use to
    the option they mean (the website shows only the options, as
    radio buttons).
    """

    key: str
    question: str
    solve: Callable[[], object] = field(repr=False)
    rtol: float = 1e-3
    atol: float = 1e-9
    hint: str = ""
    mistakes: Callable[[], Sequence[Mistake]] = field(default=lambda: (), repr=False)
    chapter: str = ""
    options: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.options and len({_words(o) for o in self.options}) != len(self.options):
            raise ValueError(f"exercise {self.key!r}: options must be distinct words, got {self.options!r}")
        for alias, option in self.aliases.items():
            if option not in self.options:
                raise ValueError(f"exercise {self.key!r}: the alias {alias!r} stands for {option!r}, "
                                 f"which is not one of the options {self.options!r}")

    @property
    def answer(self):
        """The expected answer, computed by course_lib: a flat array (a matrix row by row), or an option."""
        value = self._solved
        return value if self.options else value.copy()

    @functools.cached_property
    def _solved(self):
        # solve() is deterministic and may train a network: computed once per exercise.
        if self.options:
            value = self.solve()
            if value not in self.options:
                raise ValueError(f"exercise {self.key!r}: solve() gave {value!r}, not one of {self.options!r}")
            return value
        return np.atleast_1d(np.asarray(self.solve(), dtype=np.float64)).ravel()

    def known_mistakes(self) -> list:
        """The mistakes as :class:`Mistake` objects (computed once per exercise)."""
        return list(self._mistakes)

    @functools.cached_property
    def _mistakes(self) -> tuple:
        return tuple(m if isinstance(m, Mistake) else Mistake(*m) for m in self.mistakes())

    def check(self, answer) -> Feedback:
        if self.options:
            return check_choice(answer, self.answer, self.options, mistakes=self.known_mistakes(), hint=self.hint,
                                aliases=self.aliases)
        return check_number(answer, self.answer, rtol=self.rtol, atol=self.atol, mistakes=self.known_mistakes(),
                            hint=self.hint)


#: Every exercise of the course by key, gathered from the chapters' modules (filled below).
EXERCISES: dict[str, Exercise] = {}


def register(chapter: str, exercises: Sequence[Exercise]) -> None:
    """Add a chapter's exercises to :data:`EXERCISES` (keys are unique across the course)."""
    for ex in exercises:
        if ex.key in EXERCISES:
            raise ValueError(f"exercise key {ex.key!r} is registered twice")
        EXERCISES[ex.key] = replace(ex, chapter=chapter)


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
        if ex.options:
            return {
                "answer": ex.answer,
                "options": list(ex.options),
                "hint": ex.hint,
                "mistakes": [{"value": m.value, "message": m.message} for m in ex.known_mistakes()],
                "messages": {"choose": MESSAGES["choose"].format(options=", ".join(ex.options))},
            }
        return {
            "answer": ex.answer.tolist(),
            "rtol": ex.rtol,
            "atol": ex.atol,
            "hint": ex.hint,
            "mistakes": [{"value": m.values.tolist(), "message": m.message, "rtol": m.rtol, "atol": m.atol}
                         for m in ex.known_mistakes()],
            "messages": {k: v.replace("{text!r}", "'{text}'") for k, v in MESSAGES.items()},
        }

    def _repr_html_(self) -> str:
        key = html.escape(self.exercise.key)
        payload = json.dumps(self.data(), ensure_ascii=True).replace("</", "<\\/")
        if self.exercise.options:
            buttons = "".join(f'<label><input type="radio" name="answer" value="{html.escape(o)}"> '
                              f'{html.escape(o)}</label> ' for o in self.exercise.options)
            return (
                f'<form class="course-selfcheck course-choice" data-exercise="{key}" autocomplete="off">'
                f'<fieldset><legend>Your answer:</legend>{buttons}</fieldset> '
                f'<button type="submit">Check</button>'
                f'<div class="course-feedback" role="status" aria-live="polite"></div>'
                f'<script type="application/json" class="course-selfcheck-data">{payload}</script>'
                f"</form><script>{_SELF_CHECK_JS}</script>"
            )
        # No inputmode="decimal": phone keypads must offer "/", "-", "," and the space.
        return (
            f'<form class="course-selfcheck" data-exercise="{key}" autocomplete="off">'
            f'<label>Your answer: <input type="text" name="answer" autocapitalize="off" spellcheck="false" '
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
  // The same grammar and messages as course_lib.exercises (parse_answer, check_number).
  var form = document.currentScript && document.currentScript.previousElementSibling;
  if (!form || !form.classList.contains("course-selfcheck")) { return; }
  var data = JSON.parse(form.querySelector("script.course-selfcheck-data").textContent);
  var box = form.querySelector(".course-feedback");
  function say(ok, text) {
    box.textContent = (ok ? "\\u2714 Correct. " : "\\u2718 Not yet. ") + text;
    box.className = "course-feedback " + (ok ? "course-correct" : "course-wrong");
  }
  function unsay() { box.textContent = ""; box.className = "course-feedback"; }  // an edited answer has no verdict
  if (data.options) {                 // one of a few words (check_choice)
    form.addEventListener("change", unsay);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = form.querySelector("input[name=answer]:checked");
      if (!picked) { var m = data.messages.choose; say(false, m.charAt(0).toUpperCase() + m.slice(1) + "."); return; }
      var chosen = picked.value;
      var known = data.mistakes.filter(function (m) { return m.value === chosen; })[0];
      if (chosen === data.answer) { say(true, chosen + " is right."); }
      else { say(false, known ? chosen + ": " + known.message : (chosen + " is not right. " + data.hint).trim()); }
    });
    return;
  }
  var NUMBER = /^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?(\\/[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)?$/;
  function message(kind, text) { return data.messages[kind].replace("{text}", text); }
  function capital(m) { return m.charAt(0).toUpperCase() + m.slice(1) + "."; }
  function decimal(text) {            // a decimal number as [mantissa, power of ten], exponent kept exact
    var m = /^([+-]?)(\\d*)\\.?(\\d*)(?:[eE]([+-]?\\d+))?$/.exec(text);
    var digits = (m[2] + m[3]).replace(/^0+(?=\\d)/, "");
    return [Number(m[1] + (digits || "0")), (m[4] ? parseInt(m[4], 10) : 0) - m[3].length];
  }
  function value(token) {
    if (!NUMBER.test(token)) { throw message("unreadable", token); }
    var parts = token.split("/");
    if (parts.length === 1) { return Number(token); }
    var a = decimal(parts[0]), b = decimal(parts[1]);
    if (b[0] === 0) { throw message("zero", token); }
    return (a[0] / b[0]) * Math.pow(10, a[1] - b[1]);    // 1e400/1e399 is 10, as in Python
  }
  function parse(text) {
    text = text.trim().replace(/\\u2212/g, "-").replace(/^[\\[(]+|[\\])]+$/g, "").trim();
    if (!text) { throw message("empty", ""); }
    if (/^[+-]?\\d+,\\d+$/.test(text)) { throw message("ambiguous", text); }
    var values = text.split(/[\\s,;()\\[\\]]+/).filter(function (t) { return t.length; }).map(value);
    if (!values.every(isFinite)) { throw message("infinite", ""); }
    return values;
  }
  function close(values, target, rtol, atol) {
    return values.length === target.length && values.every(function (v, i) {
      return Math.abs(v - target[i]) <= atol + rtol * Math.abs(target[i]);
    });
  }
  form.elements.answer.addEventListener("input", unsay);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var values;
    try { values = parse(form.elements.answer.value); } catch (m) { say(false, capital(m)); return; }
    var shown = values.map(function (v) { return String(Number(v.toPrecision(6))); }).join(", ");
    if (values.length !== data.answer.length) {
      say(false, "Expected " + (data.answer.length === 1 ? "one number" : data.answer.length + " numbers") +
          ", got " + values.length + ".");
    } else if (close(values, data.answer, data.rtol, data.atol)) {
      say(true, shown + " is right.");
    } else {
      var known = data.mistakes.filter(function (m) { return close(values, m.value, m.rtol, m.atol); })[0];
      say(false, known ? shown + ": " + known.message : (shown + " is not right. " + data.hint).trim());
    }
  });
})();"""

# The chapters' exercises register themselves (imported last: they use the classes above).
from . import (  # noqa: E402,F401  # noqa: E402,F401  # noqa: E402,F401
    adam_step,
    adaptive,
    averages,
    batch_normalization,
    comparison,
    gradient_descent,
    gradient_problems,
    initialization,
    landscapes,
    learning,
    minima,
    momentum,
    putting_it_together,
    sgd,
    welcome,
)
