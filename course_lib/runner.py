"""Run an optimizer on an objective and record what happened.

:func:`run` is the loop every chapter uses::

    traj = run(gd(lr=0.1), ellipse(), x0=[-5.0, -2.0], steps=50)
    traj.xs          # iterates, shape (steps + 1, d)
    traj.values      # f at each iterate
    traj.grad_norms  # ||∇f|| at each iterate
    traj.diverged, traj.diverged_at

A run that blows up stops at the first non-finite number, or when the iterate
moves absurdly far from where it started, and says at which step; no overflow
warnings are printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._validation import as_point, check_int, check_positive, check_real
from .objectives import Objective
from .optimizers import Optimizer

__all__ = ["Trajectory", "run"]


@dataclass(frozen=True)
class Trajectory:
    """The record of one optimization run.

    Attributes
    ----------
    xs : ndarray, shape (n + 1, d)
        The iterates :math:`x_0, \\dots, x_n`; ``n`` is the number of updates that
        produced a usable point (fewer than requested if the run diverged).
    values : ndarray, shape (n + 1,)
        :math:`f(x_t)`.
    grad_norms : ndarray, shape (n + 1,)
        :math:`\\lVert \\nabla f(x_t) \\rVert_2`.
    diverged : bool
        Whether the run was stopped because it blew up.
    diverged_at : int or None
        The step :math:`t` whose iterate (or gradient) was non-finite or too far away.
    optimizer : str
        The optimizer, as text (e.g. ``"gd(lr=0.1)"``), for legends and messages.
    """

    xs: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    diverged: bool
    diverged_at: Optional[int]
    optimizer: str = ""

    @property
    def steps(self) -> int:
        """Number of updates recorded (``len(xs) - 1``)."""
        return len(self.xs) - 1

    @property
    def x(self) -> np.ndarray:
        """The last recorded iterate."""
        return self.xs[-1]

    def summary(self) -> str:
        """One line describing the outcome, with explicitly formatted numbers."""
        if self.diverged:
            return f"{self.optimizer}: diverged at step {self.diverged_at}"
        point = ", ".join(f"{v:.6g}" for v in self.x)
        return (f"{self.optimizer}: after {self.steps} steps x = ({point}), "
                f"f(x) = {self.values[-1]:.6g}, |grad| = {self.grad_norms[-1]:.3g}")

    def __repr__(self) -> str:
        return f"Trajectory({self.summary()})"


def run(opt: Optimizer, objective: Objective, x0, steps: int, *, max_distance: float = 1e6,
        tol: float = 0.0) -> Trajectory:
    """Apply ``opt`` to ``objective`` for ``steps`` updates starting from ``x0``.

    Parameters
    ----------
    opt : Optimizer
        For example ``gd(lr=0.1)``.
    objective : Objective
        Provides the gradient at each iterate and the values recorded.
    x0 : array_like, shape (d,)
        The starting point (a number for 1-D objectives).
    steps : int
        Number of updates, ``>= 0``.
    max_distance : float, default 1e6
        The run is declared diverged when an iterate is farther than
        ``max_distance * (1 + ||x0||)`` from ``x0``.
    tol : float, default 0
        Stop early, before ``steps`` updates, once the gradient norm is at most ``tol``.

    Returns
    -------
    Trajectory
        The iterates up to the last finite, not-too-far one. If the run blew up,
        ``diverged`` is True and ``diverged_at`` is the step whose iterate or
        gradient was non-finite or too far away.

    Examples
    --------
    >>> from course_lib import gd, parabola, run
    >>> run(gd(lr=1.1), parabola(), x0=10.0, steps=1000).summary()
    'gd(lr=1.1): diverged at step 77'
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer such as gd(lr=0.1), got {opt!r}")
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective such as ellipse(), got {objective!r}")
    x = as_point("x0", x0, dim=objective.dim)
    steps = check_int("steps", steps, minimum=0)
    tol = check_real("tol", tol)
    limit = check_positive("max_distance", max_distance) * (1.0 + float(np.linalg.norm(x)))
    start = x.copy()

    # x is a validated float vector from here on, so the loop calls the objective's raw
    # functions. A NaN or inf anywhere shows up in the norms, so checking those suffices.
    f, grad, hess = objective.f, objective.grad, objective.hessian
    xs, values, grad_norms = [x], [float(f(x))], []
    diverged_at = None
    state = opt.init(x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = np.asarray(grad(x), dtype=np.float64)
        grad_norms.append(math.sqrt(float(g @ g)))
        for t in range(1, steps + 1):
            if not math.isfinite(grad_norms[-1]):
                diverged_at = t - 1
                break
            if grad_norms[-1] <= tol:
                break
            if opt.needs_hessian:
                x, state = opt.update(x, g, state, hessian=hess(x))
            else:
                x, state = opt.update(x, g, state)
            distance = math.sqrt(float((x - start) @ (x - start)))
            if not distance <= limit:          # also true when x holds NaN or inf
                diverged_at = t
                break
            g = np.asarray(grad(x), dtype=np.float64)
            value = float(f(x))
            if not math.isfinite(value):
                diverged_at = t
                break
            xs.append(x)
            values.append(value)
            grad_norms.append(math.sqrt(float(g @ g)))

    return Trajectory(
        xs=np.array(xs),
        values=np.array(values, dtype=np.float64),
        grad_norms=np.array(grad_norms),
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        optimizer=repr(opt),
    )
