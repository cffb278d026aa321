"""Exercises of chapter 1, optimization and deep learning.

Three questions on polynomial fits of :mod:`course_lib.capacity`: the degree that
interpolates a training set, the degree a validation set picks, and the diagnosis
(bias or variance) of a pair of errors, as in the "recipe" of :ref:`note 000 <note-000>`.
"""

from __future__ import annotations

from ..capacity import DIAGNOSES, best_degree, capacity_curve, diagnose, interpolation_degree, make_regression_data
from . import Exercise, Mistake, register

NOISE = 0.3
#: Exercise "learn-interpolation": a training set of this many points (seed 3).
INTERPOLATION_N, INTERPOLATION_SEED = 8, 3
#: Exercise "learn-pick-degree": training set (n, seed), validation set (n, seed), degrees 0 ... 10.
PICK_TRAIN, PICK_VALIDATION, PICK_DEGREES = (20, 5), (50, 6), range(11)
#: Exercise "learn-diagnose": degree 2 on 25 training points (seed 0), tested on 100 points (seed 1).
#: A case the chapter's table and figure do not show.
DIAGNOSE_DEGREE, DIAGNOSE_TRAIN, DIAGNOSE_TEST = 2, (25, 0), (100, 1)


def interpolation_data():
    """The training set of exercise ``learn-interpolation``."""
    return make_regression_data(INTERPOLATION_N, NOISE, INTERPOLATION_SEED)


def pick_degree_curve():
    """Training and validation errors of exercise ``learn-pick-degree``."""
    return capacity_curve(make_regression_data(PICK_TRAIN[0], NOISE, PICK_TRAIN[1]),
                          make_regression_data(PICK_VALIDATION[0], NOISE, PICK_VALIDATION[1]), PICK_DEGREES)


def diagnose_errors():
    """The training and test errors (mean squared) of exercise ``learn-diagnose``."""
    curve = capacity_curve(make_regression_data(DIAGNOSE_TRAIN[0], NOISE, DIAGNOSE_TRAIN[1]),
                           make_regression_data(DIAGNOSE_TEST[0], NOISE, DIAGNOSE_TEST[1]), [DIAGNOSE_DEGREE])
    return float(curve.train[0]), float(curve.test[0])


def _interpolation() -> int:
    data = interpolation_data()
    return interpolation_degree(data.x, data.y)


def _pick_degree_mistakes():
    curve = pick_degree_curve()
    right = best_degree(curve)
    mistakes = [
        (int(curve.degrees[curve.train.argmin()]),
         "that degree has the lowest training error, which says nothing about new data: the training "
         "error can only go down as the degree goes up."),
        (int(curve.degrees[curve.test.argsort()[1]]),
         "close: its validation error is the second lowest. Compare the two to the third decimal."),
        (int(curve.degrees[abs(curve.gap).argmin()]),
         "that degree has the smallest gap between validation and training error, but a small gap with a "
         "large error is no use: pick the lowest validation error."),
    ]
    seen = {right}
    out = []
    for value, message in mistakes:
        if value not in seen:
            seen.add(value)
            out.append(Mistake(value, message))
    return out


def _diagnosis() -> str:
    train, test = diagnose_errors()
    return diagnose(train, test, baseline=NOISE ** 2)


def _diagnosis_mistakes():
    messages = {
        "high bias": "the training error is indeed well above the noise variance σ² = 0.09; now compare the "
                     "test error with the training error as well.",
        "high variance": "the test error is indeed well above the training error; now compare the training "
                         "error with the noise variance σ² = 0.09 as well.",
        "both": "look again at each comparison: is the training error more than 1.5 times σ² = 0.09, and "
                "the test error more than 1.5 times the larger of the two?",
        "neither": "both comparisons exceed the factor 1.5: the training error against σ² = 0.09, and the "
                   "test error against the training error.",
    }
    right = _diagnosis()
    return [Mistake(option, messages[option]) for option in DIAGNOSES if option != right]


register("01_optimization_and_learning", [
    Exercise(
        key="learn-interpolation",
        question=f"A training set has n = {INTERPOLATION_N} points with distinct inputs. What is the smallest "
                 "polynomial degree whose least-squares fit drives the training error to (numerically) zero?",
        solve=_interpolation,
        hint="Count coefficients: a polynomial of degree d has d + 1 of them, and each point is one equation.",
        mistakes=lambda: [
            Mistake(INTERPOLATION_N, f"a polynomial of degree {INTERPOLATION_N} has {INTERPOLATION_N + 1} "
                                     f"coefficients, one more than needed for {INTERPOLATION_N} equations."),
            Mistake(INTERPOLATION_N - 2, f"degree {INTERPOLATION_N - 2} has only {INTERPOLATION_N - 1} "
                                         f"coefficients, too few to satisfy {INTERPOLATION_N} equations in general."),
        ],
    ),
    Exercise(
        key="learn-pick-degree",
        question="Polynomials of degree 0 to 10 were fitted to 20 training points and evaluated on 50 "
                 "validation points (table in the chapter). Which degree would you pick?",
        solve=lambda: best_degree(pick_degree_curve()),
        hint="The validation set stands in for new data; the training error always favours the largest degree.",
        mistakes=_pick_degree_mistakes,
    ),
    Exercise(
        key="learn-diagnose",
        question="A degree-2 polynomial fitted to 25 points has the training and test errors given in the "
                 "chapter; the noise variance is 0.09. High bias, high variance, both or neither?",
        solve=_diagnosis,
        options=DIAGNOSES,
        hint="Compare the training error with the noise variance (bias), then the test error with the "
             "larger of the training error and the noise variance (variance).",
        mistakes=_diagnosis_mistakes,
    ),
])
