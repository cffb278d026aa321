"""One table of typed answers and their verdicts, run through check() and through the page's answer box.

Each row: (exercise, text, correct, fragment): the verdict must be ``correct`` and the message must
contain ``fragment``, in Python (tests/test_exercises.py) and in the browser (tests/test_site.py).
For an exercise with options the page has radio buttons: the text is the option clicked ("" for none).
"""

import numpy as np

from course_lib.exercises import EXERCISES, Exercise, Mistake

#: Exercises the table uses: the registered ones, and two shapes the site has no box for yet.
TABLE_EXERCISES = {
    **EXERCISES,
    "matrix": Exercise("matrix", "The Hessian of x1² - x1 x2 + x2² (row by row).",
                       solve=lambda: np.array([[2.0, -1.0], [-1.0, 2.0]]),
                       mistakes=lambda: [Mistake([[1.0, -0.5], [-0.5, 1.0]], "that is half the Hessian.")]),
    "zero": Exercise("zero", "The gradient of x² at 0.", solve=lambda: 0.0, atol=1e-6),
    "choice": Exercise("choice", "The origin, for x1² - x2², is a ...", solve=lambda: "saddle point",
                       options=("minimum", "maximum", "saddle point", "undecided"),
                       hint="Look at the signs of the eigenvalues.",
                       mistakes=lambda: [Mistake("undecided", "no eigenvalue is zero here.")]),
}

ROWS = [
    ("gd-max-lr", "0.25", True, "0.25 is right"),
    ("gd-max-lr", "1/4", True, "is right"),
    ("gd-max-lr", " 2.5e-1 ", True, "is right"),
    ("gd-max-lr", "[0.25]", True, "is right"),
    ("gd-max-lr", "1e-1/4e-1", True, "is right"),
    ("gd-max-lr", "1e400/1e399", False, "10 is not right"),          # exact: 10 in both
    ("gd-max-lr", "1e400", False, "too large"),
    ("gd-max-lr", "−1/8", False, "-0.125 is not right"),
    ("gd-max-lr", "0.33", False, "bound for the x-axis alone"),     # a near miss of 1/3
    ("gd-max-lr", "1/3", False, "bound for the x-axis alone"),
    ("gd-max-lr", "0.125", False, "best rate for the steepest axis"),
    ("gd-max-lr", "", False, "The answer is empty"),
    ("gd-max-lr", "twelve", False, "Could not read 'twelve'"),
    ("gd-max-lr", "1/0", False, "divides by zero"),
    ("gd-max-lr", "0,25", False, "ambiguous"),
    ("gd-max-lr", "6 0", False, "Expected one number, got 2"),
    ("gd-step-error-surface", "1.15, 1.1", True, "1.15, 1.1 is right"),
    ("gd-step-error-surface", "1.15 1.1", True, "is right"),
    ("gd-step-error-surface", "(1.15; 1.1)", True, "is right"),
    ("gd-step-error-surface", "1.15,1.1", True, "is right"),          # decimal points: a list
    ("gd-step-error-surface", "1,1", False, "ambiguous"),
    ("gd-step-error-surface", "0.85, 0.9", False, "against it"),
    ("gd-step-error-surface", "1.15", False, "Expected 2 numbers, got 1"),
    ("welcome-derivative", "6", True, "6 is right"),
    ("welcome-derivative", "9", False, "that is f(3)"),
    ("matrix", "2 -1 -1 2", True, "is right"),
    ("matrix", "[[2, -1], [-1, 2]]", True, "is right"),
    ("matrix", "[[2,-1],[-1,2]]", True, "is right"),
    ("matrix", "2,-1,-1,2", True, "is right"),
    ("matrix", "1, -0.5, -0.5, 1", False, "half the Hessian"),
    ("matrix", "2 -1", False, "Expected 4 numbers, got 2"),
    ("zero", "0", True, "is right"),
    ("zero", "1e-9", True, "is right"),                                # atol: 0 needs it
    ("zero", "0.001", False, "is not right"),
    ("choice", "saddle point", True, "saddle point is right"),
    ("choice", "undecided", False, "undecided: no eigenvalue is zero"),
    ("choice", "minimum", False, "minimum is not right. Look at the signs"),
    ("choice", "", False, "Choose one of the options: minimum, maximum, saddle point, undecided"),
]
