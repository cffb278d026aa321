"""Exercises of chapter 2, the calculus of minima.

The three-variable example of :ref:`note 000 <note-000>` in four answer boxes (the
stationary point, the Hessian, its eigenvalues, the verdict), and three critical
points to classify from their Hessians.
"""

from __future__ import annotations

import numpy as np

from ..calculus import KINDS, classify_critical_point, stationary_point
from ..objectives import three_variable
from . import Exercise, Mistake, register

#: The Hessians of the classification exercises (verdicts: saddle point, undecided, maximum).
CLASSIFY = {
    "min-classify-saddle": np.array([[1.0, 2.0], [2.0, 1.0]]),
    "min-classify-degenerate": np.array([[4.0, 2.0], [2.0, 1.0]]),
    "min-classify-maximum": np.array([[-2.0, 1.0, 0.0], [1.0, -3.0, 1.0], [0.0, 1.0, -2.0]]),
}


def _point() -> np.ndarray:
    return stationary_point(three_variable(), np.zeros(3)).x


def _hessian() -> np.ndarray:
    return three_variable().hessian(_point())


def _eigenvalues() -> np.ndarray:
    return classify_critical_point(_hessian()).eigenvalues


def _kind(key: str) -> str:
    return classify_critical_point(CLASSIFY[key]).kind


def _listed(key: str) -> str:
    """The eigenvalues of an exercise's Hessian as text: "-4, -2 and -1"."""
    shown = [f"{v:g}" for v in classify_critical_point(CLASSIFY[key]).eigenvalues.round(12) + 0.0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _three_variable_mistakes():
    f = three_variable()
    H = f.hessian(np.zeros(3))
    g0 = f.gradient(np.zeros(3))          # the constant part of the gradient, (1, 0, 1)
    return [
        Mistake(np.linalg.solve(H, g0), "a sign slipped: the gradient is Hx + (1, 0, 1), so the system is "
                                        "Hx = -(1, 0, 1), not Hx = (1, 0, 1)."),
        Mistake(-g0 / np.diag(H), "you solved each equation as if the other variables were 0; the equations "
                                  "are coupled (each one contains a neighbouring variable)."),
    ]


def _hessian_mistakes():
    H = three_variable().hessian(np.zeros(3))
    return [
        Mistake(H / 2, "that is half the Hessian: it is the matrix M of the quadratic part xᵀMx. Differentiating "
                       "x₁² twice gives 2, and x₁x₂ gives 1 in each mixed derivative."),
        Mistake(np.abs(H), "check the signs: the term -x₁x₂ gives ∂²f/∂x₁∂x₂ = -1."),
        Mistake(H - np.diag(np.diag(H)) + np.eye(3), "the second derivative of x₁² is 2, not 1."),
    ]


def _eigenvalue_mistakes():
    lam = _eigenvalues()
    H = _hessian()
    return [
        Mistake(lam[::-1], "those are the eigenvalues in descending order; the question asks for ascending."),
        Mistake(lam[[2, 0, 1]], "the notes list them in this order; sort them in ascending order."),
        Mistake(np.sort(np.diag(H)), "those are the diagonal entries of the Hessian; its eigenvalues are the "
                                     "roots of det(H - λI) = 0."),
    ]


_OPTIONS = KINDS
_ZERO = ("a zero eigenvalue means the quadratic part is flat in one direction, so the Hessian test cannot "
         "decide: the higher-order terms do.")

register("02_calculus_of_minima", [
    Exercise(
        key="min-stationary",
        question="Solve ∇f = 0 for f(x₁, x₂, x₃) = x₁² + x₁(1 - x₂) + x₂² - x₂x₃ + x₃² + x₃. "
                 "Give the point as three numbers x₁, x₂, x₃.",
        solve=_point,
        atol=1e-6,
        hint="Write the three partial derivatives; setting them to 0 gives three linear equations. "
             "The middle one says x₂ is the average of x₁ and x₃.",
        mistakes=_three_variable_mistakes,
    ),
    Exercise(
        key="min-hessian",
        question="The Hessian of the same f: nine numbers, row by row (e.g. [[a, b, c], [d, e, f], [g, h, i]]).",
        solve=_hessian,
        atol=1e-6,
        hint="Entry (i, j) is ∂²f/∂xᵢ∂xⱼ: differentiate the i-th component of the gradient with respect to xⱼ.",
        mistakes=_hessian_mistakes,
    ),
    Exercise(
        key="min-eigenvalues",
        question="The eigenvalues of that Hessian, in ascending order (three numbers).",
        solve=_eigenvalues,
        hint="Expand det(H - λI) along the first row: it factors as (2 - λ)((2 - λ)² - 2).",
        mistakes=_eigenvalue_mistakes,
    ),
    Exercise(
        key="min-verdict",
        question="What is the stationary point of f: a minimum, a maximum, a saddle point, or can the "
                 "Hessian test not decide?",
        solve=lambda: classify_critical_point(_hessian()).kind,
        options=_OPTIONS,
        hint="Look at the signs of the three eigenvalues.",
        mistakes=lambda: [
            Mistake("saddle point", "the negative entries of the Hessian do not matter; the signs of its "
                                    "eigenvalues do, and all three are positive."),
            Mistake("maximum", "a maximum needs every eigenvalue negative."),
            Mistake("undecided", "the test decides when no eigenvalue is zero, as here."),
        ],
    ),
    Exercise(
        key="min-classify-saddle",
        question="A function has a critical point with Hessian [[1, 2], [2, 1]]. What does the Hessian test say?",
        solve=lambda: _kind("min-classify-saddle"),
        options=_OPTIONS,
        hint="Compute the eigenvalues (or the determinant: it is their product).",
        mistakes=lambda: [
            Mistake("minimum", "positive entries do not make positive eigenvalues: the determinant 1·1 - 2·2 = -3 "
                               "is negative, so the two eigenvalues have opposite signs."),
            Mistake("maximum", "a maximum needs every eigenvalue negative; here the trace, their sum, is positive."),
            Mistake("undecided", "no eigenvalue is zero (the determinant, their product, is -3), so the test "
                                 "decides."),
        ],
    ),
    Exercise(
        key="min-classify-degenerate",
        question="A function has a critical point with Hessian [[4, 2], [2, 1]]. What does the Hessian test say?",
        solve=lambda: _kind("min-classify-degenerate"),
        options=_OPTIONS,
        hint="The determinant is the product of the eigenvalues, the trace their sum.",
        mistakes=lambda: [
            Mistake("minimum", "the determinant 4·1 - 2·2 is 0, so one eigenvalue is 0 (they are "
                               f"{_listed('min-classify-degenerate')}): " + _ZERO),
            Mistake("saddle point", "a saddle needs eigenvalues of both signs; here they are "
                                    f"{_listed('min-classify-degenerate')}, and " + _ZERO),
            Mistake("maximum", "the trace, the sum of the eigenvalues, is positive: no eigenvalue is negative."),
        ],
    ),
    Exercise(
        key="min-classify-maximum",
        question="A function has a critical point with Hessian [[-2, 1, 0], [1, -3, 1], [0, 1, -2]]. "
                 "What does the Hessian test say?",
        solve=lambda: _kind("min-classify-maximum"),
        options=_OPTIONS,
        hint="Compute the eigenvalues: numpy.linalg.eigvalsh, or check that (1, 1, 1), (1, 0, -1) and "
             "(1, -2, 1) are eigenvectors.",
        mistakes=lambda: [
            Mistake("saddle point", "positive off-diagonal entries do not make a positive eigenvalue: the "
                                    f"eigenvalues are {_listed('min-classify-maximum')}, all negative."),
            Mistake("minimum", "the diagonal is negative, so the eigenvalues cannot all be positive."),
            Mistake("undecided", "no eigenvalue is zero, so the test decides."),
        ],
    ),
])
