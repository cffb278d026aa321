r"""Momentum (Polyak's heavy ball) and Nesterov momentum, worked out on quadratics.

The optimizers themselves are :func:`~course_lib.optimizers.momentum` (velocity form,
PyTorch's), :func:`~course_lib.optimizers.momentum_ema` (moving-average form) and
:func:`~course_lib.optimizers.nesterov`. This module holds what the momentum chapter
computes *about* them:

* the learning rates that make the two forms of momentum identical,
  :math:`\eta = \eta'(1 - \beta)` (:func:`velocity_lr`, :func:`ema_lr`, :func:`compare_forms`);
* the exact asymptotic factor per step of momentum and Nesterov momentum on a quadratic
  (:func:`momentum_contraction`) and Polyak's optimal rate and momentum (:func:`heavy_ball_tuning`);
* a grid search over :math:`(\eta, \beta)` by steps to a tolerance (:func:`grid_search`);
* one momentum step from two known iterates, as in the worked example of
  :ref:`note 000 <note-000>` (:func:`momentum_step`);
* Nesterov momentum as :ref:`note 002 <note-002>` prints it (:func:`note002_nesterov`).

On a quadratic with Hessian eigenvalue :math:`\lambda`, momentum in velocity form moves the
error along that eigenvector by

.. math::

    e_{t+1} = (1 + \beta - \eta\lambda)\, e_t - \beta\, e_{t-1},

a two-term recurrence whose factor per step is the larger root in modulus of
:math:`r^2 - (1 + \beta - \eta\lambda)\, r + \beta = 0`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from ._validation import as_point, check_int, check_positive, check_symmetric, check_unit_interval
from .objectives import Objective
from .optimizers import MomentumEMAState, MomentumState, Optimizer, momentum, momentum_ema, nesterov
from .runner import Trajectory, run

__all__ = ["velocity_lr", "ema_lr", "FormComparison", "compare_forms", "momentum_contraction",
           "HeavyBallTuning", "heavy_ball_tuning", "GridSearch", "steps_to_tolerance", "grid_search",
           "momentum_step", "NesterovNote002State", "note002_nesterov"]

_FORMS = ("velocity", "ema", "nesterov")


def _check_form(form: str, allowed: Sequence[str] = _FORMS) -> str:
    if form not in allowed:
        raise ValueError(f"form must be one of {', '.join(map(repr, allowed))}, got {form!r}")
    return form


# ------------------------------------------------------------ the two forms

def velocity_lr(ema_lr: float, beta: float) -> float:
    r"""The rate :math:`\eta = \eta'(1 - \beta)` of the velocity form equivalent to rate :math:`\eta'` of the
    moving-average form.

    The velocity form :math:`u_{t+1} = \beta u_t + g_t`, :math:`x_{t+1} = x_t - \eta u_{t+1}`
    and the moving-average form :math:`m_{t+1} = \beta m_t + (1 - \beta) g_t`,
    :math:`x_{t+1} = x_t - \eta' m_{t+1}` have :math:`m_t = (1 - \beta) u_t`, so their steps
    :math:`\eta u_{t+1}` and :math:`\eta' m_{t+1}` agree, and the iterates coincide, exactly
    when :math:`\eta = \eta'(1 - \beta)`. :ref:`Note 001 <note-001>` writes the two forms as
    :math:`V_t = \gamma V_{t-1} + \eta \nabla J`, :math:`W_t = W_{t-1} - V_t` and
    :math:`M_t = \gamma M_{t-1} + (1 - \gamma)\nabla J`, :math:`W_t = W_{t-1} - \eta' M_t`
    (its :math:`\gamma` is :math:`\beta`, :math:`V_t = \eta u_t`, :math:`M_t = m_t`).

    Parameters
    ----------
    ema_lr : float
        The step :math:`\eta' > 0` of the moving-average form.
    beta : float
        The momentum factor :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        :math:`\eta'(1 - \beta)`.

    Examples
    --------
    >>> velocity_lr(0.6, 0.5)
    0.3
    """
    ema_lr = check_positive("ema_lr", ema_lr)
    beta = check_unit_interval("beta", beta)
    return ema_lr * (1.0 - beta)


def ema_lr(velocity_lr: float, beta: float) -> float:
    r"""The step :math:`\eta' = \eta/(1 - \beta)` of the moving-average form equivalent to rate :math:`\eta` of the
    velocity form.

    The inverse of :func:`velocity_lr` (see there).

    Parameters
    ----------
    velocity_lr : float
        The learning rate :math:`\eta > 0` of the velocity form.
    beta : float
        The momentum :math:`\beta \in [0, 1)`.

    Examples
    --------
    >>> round(ema_lr(0.03, 0.9), 12)
    0.3
    """
    velocity_lr = check_positive("velocity_lr", velocity_lr)
    beta = check_unit_interval("beta", beta)
    return velocity_lr / (1.0 - beta)


class FormComparison(NamedTuple):
    """Result of :func:`compare_forms`."""

    velocity: Trajectory
    """The run of :func:`~course_lib.optimizers.momentum` (velocity form) with rate :math:`\\eta`."""
    ema: Trajectory
    """The run of :func:`~course_lib.optimizers.momentum_ema` with step :math:`\\eta/(1 - \\beta)`."""
    max_difference: float
    """The largest absolute difference between the two runs' iterates, over all steps and coordinates."""


def compare_forms(objective: Objective, x0, steps: int, *, lr: float, beta: float) -> FormComparison:
    r"""Run both forms of momentum with matched rates and measure how far apart their iterates get.

    The velocity form runs with rate ``lr`` (:math:`\eta`), the moving-average form with
    :math:`\eta' = \eta/(1 - \beta)` (:func:`ema_lr`). In exact arithmetic the iterates are
    identical (:ref:`note 001 <note-001>`'s study question); in floating point they agree to
    rounding.

    Parameters
    ----------
    objective : Objective
        The function to minimize.
    x0 : array_like
        The start.
    steps : int
        Number of updates, at least 1.
    lr : float
        The velocity-form rate :math:`\eta > 0`.
    beta : float
        The momentum :math:`\beta \in [0, 1)`.

    Examples
    --------
    >>> from course_lib.objectives import ellipse
    >>> c = compare_forms(ellipse(), [-5.0, -2.0], 50, lr=0.03, beta=0.9)
    >>> c.max_difference < 1e-12
    True
    """
    steps = check_int("steps", steps, minimum=1)
    a = run(momentum(lr=lr, beta=beta), objective, x0, steps)
    b = run(momentum_ema(lr=ema_lr(lr, beta), beta=beta), objective, x0, steps)
    n = min(len(a.xs), len(b.xs))
    diff = float(np.max(np.abs(a.xs[:n] - b.xs[:n]))) if n else 0.0
    return FormComparison(velocity=a, ema=b, max_difference=diff)


# ------------------------------------------------------------ quadratics

def _eigenvalues(hessian) -> np.ndarray:
    lam = np.linalg.eigvalsh(check_symmetric("hessian", hessian))
    if lam[0] <= 0:
        raise ValueError(f"hessian must be positive definite (all eigenvalues > 0), its smallest is {lam[0]:g}")
    return lam


def momentum_contraction(hessian, lr, beta, *, form: str = "velocity") -> np.ndarray:
    r"""The exact asymptotic factor per step of momentum on a quadratic with this Hessian.

    Along an eigenvector of eigenvalue :math:`\lambda` the error obeys a two-term recurrence
    :math:`e_{t+1} = a\, e_t - c\, e_{t-1}`, i.e. it is multiplied by the 2×2 matrix
    :math:`\begin{pmatrix} a & -c \\ 1 & 0 \end{pmatrix}`, whose spectral radius (the larger
    root in modulus of :math:`r^2 - a r + c`) is the factor :math:`\rho` by which the error
    shrinks per step in the long run:

    * ``"velocity"`` (:func:`~course_lib.optimizers.momentum`, Polyak's heavy ball):
      :math:`a = 1 + \beta - \eta\lambda`, :math:`c = \beta`;
    * ``"ema"`` (:func:`~course_lib.optimizers.momentum_ema`, ``lr`` its step :math:`\eta'`):
      the same with :math:`\eta'(1 - \beta)` in place of :math:`\eta`;
    * ``"nesterov"`` (:func:`~course_lib.optimizers.nesterov`):
      :math:`a = (1 + \beta)(1 - \eta\lambda)`, :math:`c = \beta(1 - \eta\lambda)`.

    The result is the maximum over the eigenvalues; below 1 means convergence from every start.
    With ``beta=0`` all three are gradient descent's :math:`\max_i |1 - \eta\lambda_i|`.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        Symmetric positive definite Hessian.
    lr : float or array_like
        Learning rate(s) :math:`\eta > 0`; broadcast against ``beta``.
    beta : float or array_like
        Momentum value(s) in :math:`[0, 1)`.
    form : {"velocity", "ema", "nesterov"}
        Which method.

    Returns
    -------
    ndarray
        The factor for each broadcast pair ``(lr, beta)`` (a 0-d array for scalars).

    Examples
    --------
    >>> # the ellipse 0.1 x1² + 2 x2²
    >>> H = np.diag([0.2, 4.0])
    >>> # sqrt(0.5)
    >>> round(float(momentum_contraction(H, 0.6, 0.5)), 6)
    0.707107
    >>> # GD: |1 - 0.4 * 0.2|
    >>> round(float(momentum_contraction(H, 0.4, 0.0)), 6)
    0.92
    """
    form = _check_form(form)
    lam = _eigenvalues(hessian)
    eta = np.asarray(lr, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    if not np.all(np.isfinite(eta)) or np.any(eta <= 0):
        raise ValueError("lr must be in (0, inf)")
    if not np.all(np.isfinite(b)) or np.any((b < 0) | (b >= 1)):
        raise ValueError("beta must be in [0, 1)")
    eta, b = np.broadcast_arrays(eta, b)
    eta, b, lam_ = eta[..., None], b[..., None], lam
    if form == "ema":
        eta = eta * (1.0 - b)
    if form == "nesterov":
        q = 1.0 - eta * lam_
        a, c = (1.0 + b) * q, b * q
    else:
        a, c = 1.0 + b - eta * lam_, b + 0.0 * lam_
    root = np.sqrt(a.astype(np.complex128) ** 2 - 4.0 * c)
    rho = np.maximum(np.abs((a + root) / 2.0), np.abs((a - root) / 2.0))
    return np.max(rho, axis=-1)


class HeavyBallTuning(NamedTuple):
    """Polyak's optimal constants for momentum on a quadratic (see :func:`heavy_ball_tuning`)."""

    lam_min: float
    """Smallest Hessian eigenvalue :math:`\\lambda_{\\min}`."""
    lam_max: float
    """Largest Hessian eigenvalue :math:`\\lambda_{\\max}`."""
    kappa: float
    """Condition number :math:`\\kappa = \\lambda_{\\max}/\\lambda_{\\min}`."""
    lr: float
    """Optimal velocity-form rate :math:`\\eta^\\star = 4/(\\sqrt{\\lambda_{\\max}} + \\sqrt{\\lambda_{\\min}})^2`."""
    beta: float
    """Optimal momentum :math:`\\beta^\\star = ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2`."""
    rate: float
    """The factor per step at the optimum, :math:`\\sqrt{\\beta^\\star} = (\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)`."""
    ema_lr: float
    """The same method in moving-average form: step :math:`\\eta^\\star/(1 - \\beta^\\star)`."""
    gd_rate: float
    """For comparison, gradient descent's best factor :math:`(\\kappa - 1)/(\\kappa + 1)`."""


def heavy_ball_tuning(hessian) -> HeavyBallTuning:
    r"""Polyak's optimal learning rate and momentum for a quadratic with this Hessian.

    With :math:`\lambda_{\min}` and :math:`\lambda_{\max}` the extreme eigenvalues and
    :math:`\kappa = \lambda_{\max}/\lambda_{\min}`,

    .. math::

        \eta^\star = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2}, \qquad
        \beta^\star = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2,

    make every eigen-direction's recurrence have a double or complex pair of roots of modulus
    :math:`\sqrt{\beta^\star}`, the smallest worst-case factor momentum can reach. It is
    :math:`1 - 2/(\sqrt\kappa + 1)`: about :math:`\sqrt\kappa` times fewer steps than gradient
    descent's :math:`1 - 2/(\kappa + 1)`. The rates are for :func:`~course_lib.optimizers.momentum`
    (the velocity form with the rate outside the velocity, PyTorch's); ``ema_lr`` is the step of
    :func:`~course_lib.optimizers.momentum_ema` that gives the same iterates. Polyak and
    most of the optimization literature write :math:`\mu` and :math:`L` for
    :math:`\lambda_{\min}` and :math:`\lambda_{\max}`.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        Symmetric positive definite Hessian.

    Examples
    --------
    >>> t = heavy_ball_tuning(np.diag([0.2, 4.0]))     # kappa = 20
    >>> round(t.lr, 4), round(t.beta, 4), round(t.rate, 4)
    (0.6679, 0.4026, 0.6345)

    References
    ----------
    :cite:t:`polyak1964`.
    """
    lam = _eigenvalues(hessian)
    mu, L = float(lam[0]), float(lam[-1])
    kappa = L / mu
    s = np.sqrt(kappa)
    lr = 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    rate = (s - 1.0) / (s + 1.0)
    beta = rate**2
    return HeavyBallTuning(lam_min=mu, lam_max=L, kappa=kappa, lr=float(lr), beta=float(beta),
                           rate=float(rate), ema_lr=float(lr / (1.0 - beta)),
                           gd_rate=float((kappa - 1.0) / (kappa + 1.0)))


# ------------------------------------------------------------ grid search

class GridSearch(NamedTuple):
    """Result of :func:`grid_search`."""

    lrs: np.ndarray
    """The learning rates tried (rows of ``steps``)."""
    betas: np.ndarray
    """The momentum values tried (columns of ``steps``)."""
    steps: np.ndarray
    """Steps to the tolerance for each pair; ``inf`` where the budget ran out or the run diverged."""
    runs: dict[tuple[float, float], Trajectory]
    """Every run, by ``(lr, beta)``."""
    best_lr: float
    """The rate of the fastest pair (the first one in grid order on a tie)."""
    best_beta: float
    """The momentum of the fastest pair."""
    best_steps: float
    """Its number of steps (``inf`` if no pair reached the tolerance)."""


def steps_to_tolerance(traj: Trajectory, f_star: float, tol: float) -> float:
    r"""The first step :math:`t` with :math:`(f(x_t) - f^\star)/(f(x_0) - f^\star) \le` ``tol``, or ``inf``.

    Parameters
    ----------
    traj : Trajectory
        A run recorded at every step (``record_every=1``).
    f_star : float
        The minimum value :math:`f^\star`.
    tol : float
        The relative tolerance, in (0, 1).

    Examples
    --------
    >>> from course_lib.objectives import parabola
    >>> from course_lib.optimizers import gd
    >>> # f shrinks by 4 per step
    >>> traj = run(gd(lr=0.25), parabola(), [1.0], 10)
    >>> steps_to_tolerance(traj, 0.0, 1e-3)
    5.0
    """
    tol = check_positive("tol", tol)
    gap = (np.asarray(traj.values) - f_star) / (traj.values[0] - f_star)
    hit = np.flatnonzero(gap <= tol)
    return float(traj.ts[hit[0]]) if hit.size else float("inf")


def grid_search(objective: Objective, x0, lrs, betas, *, steps: int, tol: float = 1e-6,
                form: str = "velocity", max_distance: float = 10.0) -> GridSearch:
    r"""Run momentum for every pair of a grid of rates and momenta; rank by steps to a tolerance.

    Each run starts at ``x0`` and takes at most ``steps`` updates; its score is
    :func:`steps_to_tolerance` of the relative loss (``inf`` if it never gets there or
    diverges, i.e. leaves a ball of ``max_distance * (1 + ||x0||)`` around ``x0``).

    Parameters
    ----------
    objective : Objective
        With a known ``min_value``.
    x0 : array_like
        The start.
    lrs, betas : sequence of float
        Rates :math:`\eta > 0` and momenta :math:`\beta \in [0, 1)`.
    steps : int
        The budget of updates per run, at least 1.
    tol : float
        Relative loss to reach, in (0, 1).
    form : {"velocity", "ema", "nesterov"}
        :func:`~course_lib.optimizers.momentum`, :func:`~course_lib.optimizers.momentum_ema`
        or :func:`~course_lib.optimizers.nesterov`.
    max_distance : float
        Passed to :func:`~course_lib.runner.run`.

    Examples
    --------
    >>> from course_lib.objectives import ellipse
    >>> g = grid_search(ellipse(), [-5.0, -2.0], [0.3, 0.6], [0.0, 0.5],
    ...                 steps=200)
    >>> # GD at 0.6 diverges
    >>> g.best_lr, g.best_beta, float(g.steps[1, 0])
    (0.6, 0.5, inf)
    """
    form = _check_form(form)
    steps = check_int("steps", steps, minimum=1)
    if objective.min_value is None:
        raise ValueError("objective must have a known min_value")
    lrs = np.array([check_positive("lrs", float(v)) for v in lrs])
    betas = np.array([check_unit_interval("betas", float(v)) for v in betas])
    if lrs.size == 0 or betas.size == 0:
        raise ValueError("lrs and betas must not be empty")
    make = {"velocity": momentum, "ema": momentum_ema, "nesterov": nesterov}[form]
    table = np.full((lrs.size, betas.size), np.inf)
    runs: dict[tuple[float, float], Trajectory] = {}
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            traj = run(make(lr=float(lr), beta=float(beta)), objective, x0, steps, max_distance=max_distance)
            runs[(float(lr), float(beta))] = traj
            table[i, j] = steps_to_tolerance(traj, objective.min_value, tol)
    i, j = np.unravel_index(int(np.argmin(table)), table.shape)
    return GridSearch(lrs=lrs, betas=betas, steps=table, runs=runs, best_lr=float(lrs[i]),
                      best_beta=float(betas[j]), best_steps=float(table[i, j]))


# ------------------------------------------------------------ one step

def momentum_step(objective: Objective, w_prev, w, *, lr: float, beta: float, form: str = "velocity") -> np.ndarray:
    r"""One momentum step from :math:`w_t`, when the previous iterate :math:`w_{t-1}` is known.

    The velocity :math:`u_t` (or average :math:`m_t`) that carried :math:`w_{t-1}` to
    :math:`w_t` is recovered from the step, and the optimizer's own update is applied with
    it. The iterates are written :math:`w`, and the objective :math:`E`, as in the worked
    example of :ref:`note 000 <note-000>`. In velocity form
    (:func:`~course_lib.optimizers.momentum`) that is the example's heavy-ball formula:

    .. math::

        w_{t+1} = w_t - \eta \nabla E(w_t) + \beta\, (w_t - w_{t-1});

    in the moving-average form of its algorithm box (:func:`~course_lib.optimizers.momentum_ema`,
    ``lr`` its step :math:`\eta'`) it is
    :math:`w_{t+1} = w_t - \eta'(1 - \beta)\nabla E(w_t) + \beta\,(w_t - w_{t-1})`.

    Parameters
    ----------
    objective : Objective
        Supplies the gradient at ``w``.
    w_prev, w : array_like
        :math:`w_{t-1}` and :math:`w_t`, the same shape.
    lr : float
        :math:`\eta > 0` (:math:`\eta'` for ``form="ema"``).
    beta : float
        :math:`\beta \in [0, 1)`.
    form : {"velocity", "ema"}
        Which form of momentum.

    Returns
    -------
    ndarray
        :math:`w_{t+1}`.

    Examples
    --------
    >>> from course_lib.objectives import error_surface
    >>> w = momentum_step(error_surface(), [1.0, 1.0], [1.5, 2.0],
    ...                   lr=0.3, beta=0.9)
    >>> # the arithmetic of the worked momentum example
    >>> [round(float(v), 4) for v in w]
    [2.075, 2.9583]
    """
    form = _check_form(form, ("velocity", "ema"))
    w_prev = as_point("w_prev", w_prev)
    w = as_point("w", w, dim=w_prev.size)
    lr = check_positive("lr", lr)
    opt = momentum(lr=lr, beta=beta) if form == "velocity" else momentum_ema(lr=lr, beta=beta)
    # x_t = x_{t-1} - lr * u_t (velocity form) or x_{t-1} - lr * m_t (moving-average form),
    # so the velocity or average that made the last step is:
    last = (w_prev - w) / lr
    state = MomentumState(t=1, u=last) if form == "velocity" else MomentumEMAState(t=1, m=last)
    w_next, _ = opt.update(w, objective.gradient(w), state)
    return w_next


# ------------------------------------------------------------ note 002's Nesterov

class NesterovNote002State(NamedTuple):
    """State of :func:`note002_nesterov`."""

    t: int
    """Number of updates taken so far."""
    u: np.ndarray
    """:ref:`Note 002 <note-002>`'s moving-average velocity :math:`u_t`.

    The course's :math:`m_t`; zero at the start.
    """


def note002_nesterov(lr: float, beta: float, *, lookahead: str = "printed") -> Optimizer:
    r"""Nesterov momentum as :ref:`note 002 <note-002>` writes it, for checking the formulas.

    .. math::

        u_{t+1} &= \beta u_t + (1 - \beta)\, \nabla f(\theta_t - c\,\alpha u_t) \\
        \theta_{t+1} &= \theta_t - \alpha u_{t+1}

    in the note's symbols (:math:`\alpha` is the step, the course's :math:`\eta'`; :math:`u`
    is the average, the course's :math:`m`; :math:`\theta` the point), with :math:`u_0 = 0`,
    where the look-ahead coefficient is :math:`c = 1` as printed
    (``lookahead="printed"``) or :math:`c = \beta`, the part of the next step already decided
    (``lookahead="corrected"``). The second line is printed with :math:`u_{t-1}`, an index typo:
    here it is :math:`u_{t+1}`.

    The optimizer moves the look-ahead point :math:`y_t = \theta_t - c\,\alpha u_t`, where the
    gradient is taken, as :func:`~course_lib.optimizers.nesterov` does; so :func:`~course_lib.runner.run`
    records the points where gradients are evaluated (:math:`y_0 = \theta_0`). From the two lines,
    :math:`y_{t+1} = y_t + c\,\alpha u_t - (1 + c)\,\alpha u_{t+1}`. With ``"corrected"`` the
    iterates are exactly those of ``nesterov(lr=alpha * (1 - beta), beta)``.

    Parameters
    ----------
    lr : float
        The step :math:`\alpha > 0`.
    beta : float
        The momentum :math:`\beta \in [0, 1)`.
    lookahead : {"printed", "corrected"}
        :math:`c = 1` or :math:`c = \beta`.

    Examples
    --------
    >>> opt = note002_nesterov(lr=1.0, beta=0.5, lookahead="corrected")
    >>> x, s = np.array([0.0]), opt.init([0.0])
    >>> # u = 1, theta = -1, y = -1 - 0.5
    >>> x, s = opt.update(x, np.array([2.0]), s)
    >>> x
    array([-1.5])
    """
    alpha = check_positive("lr", lr)
    beta = check_unit_interval("beta", beta)
    if lookahead not in ("printed", "corrected"):
        raise ValueError(f"lookahead must be 'printed' or 'corrected', got {lookahead!r}")
    c = 1.0 if lookahead == "printed" else beta

    def init(x0) -> NesterovNote002State:
        return NesterovNote002State(t=0, u=np.zeros_like(as_point("x0", x0)))

    def step(y, g, state: NesterovNote002State):
        u = beta * state.u + (1.0 - beta) * g          # moving average of look-ahead gradients
        y_next = y + c * alpha * state.u - (1.0 + c) * alpha * u
        return y_next, NesterovNote002State(t=state.t + 1, u=u)

    return Optimizer(init, step, "note002_nesterov",
                     MappingProxyType({"lr": alpha, "beta": beta, "lookahead": lookahead}))
