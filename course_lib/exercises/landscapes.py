"""Exercises of chapter 3, part 1: local minima, saddle points and plateaus."""

from __future__ import annotations

from ..landscape import (
    critical_points,
    hessian_test,
    landing_minimum,
    minima_of,
    neighbourhood_test,
    squared_product,
    wavy,
)
from . import Exercise, Mistake, register

#: The start and learning rate of the exercise "hard-landing": a start between the chapter's
#: grid points 0.75 and 1.0, close to the maximum that separates two valleys.
LANDING_START, LANDING_LR, LANDING_STEPS = 0.8, 0.1, 200

_VERDICTS = ("minimum", "maximum", "saddle point", "undecided")


def _landing() -> float:
    return landing_minimum(wavy(), LANDING_START, lr=LANDING_LR, steps=LANDING_STEPS).minimum


def _minima():
    return minima_of(wavy())


register("03_why_optimization_is_hard", [
    Exercise(
        key="hard-landing",
        question="Gradient descent with η = 0.1 runs for 200 steps on f(x) = x²/10 + sin 2x from x₀ = 0.8. "
                 "At which minimum does it end? Give its position x to two decimals.",
        solve=_landing,
        atol=0.005, rtol=0.0,
        hint="Find the maximum closest to x = 0.8: is it to the left or to the right of the start? "
             "The sign of f'(0.8) = 0.16 + 2 cos 1.6 says which way the first step goes.",
        mistakes=lambda: [
            Mistake(_minima()[2], "that valley lies beyond the maximum near x = 0.83, to the right of "
                    "x₀ = 0.8; the slope at 0.8 is positive, so gradient descent moves left.",
                    rtol=0.0, atol=0.02),
            Mistake(_minima()[0], "that minimum is beyond the maximum near x = -2.48; gradient descent "
                    "only goes downhill, and stops in the first valley it meets.", rtol=0.0, atol=0.02),
        ],
    ),
    Exercise(
        key="hard-critical-count",
        question="How many critical points (minima and maxima) does f(x) = x²/10 + sin 2x have "
                 "in the window -4.5 ≤ x ≤ 4.5?",
        solve=lambda: len(critical_points(wavy())),
        hint="Count the sign changes of f'(x) = x/5 + 2 cos 2x: draw it, or look at the figure of f "
             "for every hill and every valley, including near the edges.",
        mistakes=lambda: [
            Mistake(len(_minima()), "those are the minima; the maxima between them count too."),
            Mistake(len(critical_points(wavy())) - 1, "one is missing: look near the right edge of the window."),
        ],
    ),
    Exercise(
        key="hard-x2y2-test",
        question="For f(x, y) = x²y², what does the second-derivative (Hessian) test conclude "
                 "about the critical point (0, 0)?",
        solve=lambda: hessian_test(squared_product(), [0.0, 0.0]),
        options=_VERDICTS,
        hint="Compute the four second derivatives at the origin and the eigenvalues of the Hessian.",
        mistakes=lambda: [
            Mistake("saddle point", "that is what the notes say, but the test needs eigenvalues of both "
                    "signs; here the Hessian is the zero matrix."),
            Mistake("minimum", "the origin is indeed a minimum, but the test cannot show it: every "
                    "eigenvalue of the Hessian there is 0."),
        ],
    ),
    Exercise(
        key="hard-x2y2-origin",
        question="Look at the function itself: what kind of critical point is (0, 0) for f(x, y) = x²y²?",
        solve=lambda: neighbourhood_test(squared_product(), [0.0, 0.0]),
        options=_VERDICTS,
        hint="Can x²y² ever be negative? What is its value at the origin?",
        mistakes=lambda: [
            Mistake("saddle point", "a saddle needs lower values nearby, but x²y² ≥ 0 = f(0, 0) everywhere."),
            Mistake("undecided", "the Hessian test is undecided, but f itself decides: x²y² ≥ 0 = f(0, 0)."),
        ],
    ),
])
