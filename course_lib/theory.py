"""Closed-form facts about gradient descent on quadratics.

On :math:`f(x) = \\tfrac12 x^\\top A x + b^\\top x + c`, gradient descent with a
constant rate :math:`\\eta` moves the error :math:`e_t = x_t - x^\\star` by
:math:`e_{t+1} = (I - \\eta A)\\, e_t`. Along the eigenvector of eigenvalue
:math:`\\lambda_i` the error is multiplied by :math:`1 - \\eta\\lambda_i` at every step,
which decides everything: convergence, speed and oscillation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import check_symmetric

__all__ = ["LearningRateReport", "gd_learning_rates", "gd_contraction"]


class LearningRateReport(NamedTuple):
    """Learning rates that matter for gradient descent on a quadratic with Hessian ``A``."""

    eigenvalues: np.ndarray
    """Eigenvalues :math:`\\lambda_1 \\le \\dots \\le \\lambda_d` of the Hessian."""
    axis_optimal: np.ndarray
    """:math:`1/\\lambda_i`: the rate that solves direction :math:`i` in a single step."""
    max_stable: float
    """:math:`2/\\lambda_{\\max}`: GD converges from every start exactly when :math:`\\eta` is below this."""
    best: float
    """:math:`2/(\\lambda_{\\min} + \\lambda_{\\max})`: the constant rate with the smallest worst-case factor."""
    best_factor: float
    """The worst-case factor at ``best``, :math:`(\\kappa - 1)/(\\kappa + 1)` with
    :math:`\\kappa = \\lambda_{\\max}/\\lambda_{\\min}`."""


def _eigenvalues(hessian) -> np.ndarray:
    return np.linalg.eigvalsh(check_symmetric("hessian", hessian))


def gd_learning_rates(hessian) -> LearningRateReport:
    """The learning rates of :class:`LearningRateReport` for a positive definite Hessian.

    Examples
    --------
    >>> r = gd_learning_rates(np.diag([6.0, 4.0, 8.0]))
    >>> float(r.max_stable), float(r.best), float(r.best_factor)
    (0.25, 0.16666666666666666, 0.3333333333333333)
    """
    lam = _eigenvalues(hessian)
    if lam[0] <= 0:
        raise ValueError(f"the Hessian must be positive definite (all eigenvalues > 0), its smallest is {lam[0]:g}")
    lo, hi = lam[0], lam[-1]
    return LearningRateReport(
        eigenvalues=lam,
        axis_optimal=1.0 / lam,
        max_stable=2.0 / hi,
        best=2.0 / (lo + hi),
        best_factor=(hi - lo) / (hi + lo),
    )


def gd_contraction(hessian, lr) -> np.ndarray:
    """Worst-case factor :math:`\\max_i |1 - \\eta \\lambda_i|` for each rate in ``lr`` (below 1 means convergence)."""
    lam = _eigenvalues(hessian)
    eta = np.asarray(lr, dtype=np.float64)
    return np.max(np.abs(1.0 - eta[..., None] * lam), axis=-1)
