"""Learning-rate schedules: pure functions of the step number.

A schedule is any callable ``eta(t) -> float`` where ``t = 0, 1, 2, ...`` counts the
updates already taken, so ``eta(0)`` is the rate of the first update. Schedules
keep no state of their own: calling ``eta(5)`` twice gives the same number, and an
optimizer reads its rate from the step counter stored in its state.

Every optimizer of :mod:`course_lib.optimizers` accepts either a number or a
schedule as ``lr``.

Examples
--------
>>> from course_lib.schedules import constant
>>> eta = constant(0.1)
>>> eta(0), eta(100)
(0.1, 0.1)
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

from ._validation import check_int, check_nonnegative, check_positive, check_real

__all__ = [
    "Schedule",
    "constant",
    "piecewise_constant",
    "exponential",
    "polynomial",
    "linear_decay",
    "cosine",
    "as_schedule",
]

Schedule = Callable[[int], float]
LearningRate = float | Schedule


def _check_step(t) -> int:
    if type(t) is int and t >= 0:        # the common case, as cheap as possible: optimizers call this every step
        return t
    return check_int("t", t, minimum=0)


def constant(value: float) -> Schedule:
    r"""The constant schedule :math:`\eta(t) = \eta_0`.

    Parameters
    ----------
    value : float
        The rate :math:`\eta_0 > 0`.
    """
    value = check_positive("value", value)

    def eta(t: int) -> float:
        _check_step(t)
        return value

    eta.__name__ = f"constant({value:g})"
    return eta


def _named(eta, text: str):
    eta.__name__ = text
    return eta


def piecewise_constant(boundaries: Sequence[int], values: Sequence[float]) -> Schedule:
    r"""A rate that is constant between boundaries: :math:`\eta(t) = \eta_i` for :math:`t_i \le t < t_{i+1}`.

    Parameters
    ----------
    boundaries : sequence of int
        Increasing steps :math:`t_1 < t_2 < \dots` at which the rate changes.
    values : sequence of float
        The rates, one more than there are boundaries: ``values[0]`` before
        ``boundaries[0]``, ``values[i]`` from ``boundaries[i-1]`` on.

    Notes
    -----
    ``torch.optim.lr_scheduler.MultiStepLR(milestones=boundaries, gamma=q)`` is the
    special case ``values = [lr, lr*q, lr*q**2, ...]``.

    Examples
    --------
    >>> eta = piecewise_constant([10, 20], [0.1, 0.01, 0.001])
    >>> eta(9), eta(10), eta(25)
    (0.1, 0.01, 0.001)
    """
    bounds = [check_int("boundaries", b, minimum=1) for b in boundaries]
    rates = [check_positive("values", v) for v in values]
    if any(b1 >= b2 for b1, b2 in zip(bounds, bounds[1:])):
        raise ValueError(f"boundaries must be strictly increasing, got {list(boundaries)}")
    if len(rates) != len(bounds) + 1:
        raise ValueError(f"values must have one more entry than boundaries ({len(bounds) + 1}), got {len(rates)}")

    def eta(t: int) -> float:
        return rates[bisect.bisect_right(bounds, _check_step(t))]   # index of the piece t falls in

    return _named(eta, f"piecewise_constant({bounds}, {rates})")


def exponential(eta0: float, lam: float) -> Schedule:
    r"""Exponential decay :math:`\eta(t) = \eta_0\, e^{-\nu t}`.

    Parameters
    ----------
    eta0 : float
        Initial rate :math:`\eta_0 > 0`.
    lam : float
        Decay rate :math:`\nu \ge 0` (``lam`` is the decay rate :math:`\nu`).

    Notes
    -----
    The rates sum to a finite total, :math:`\eta_0/(1 - e^{-\nu})`, so the
    iterates can stop short of a minimum (:ref:`note 000 <note-000>`'s
    "premature stopping").

    Conventions: ``torch.optim.lr_scheduler.ExponentialLR(gamma=exp(-lam))``,
    whose ``gamma`` is the factor :math:`e^{-\nu}` per step.
    :ref:`The slides <note-000>` write :math:`\lambda` for :math:`\nu`.
    """
    eta0 = check_positive("eta0", eta0)
    lam = check_nonnegative("lam", lam)

    def eta(t: int) -> float:
        return eta0 * math.exp(-lam * _check_step(t))

    return _named(eta, f"exponential({eta0:g}, {lam:g})")


def polynomial(eta0: float, alpha: float = 0.5, beta: float = 1.0) -> Schedule:
    r"""Polynomial decay :math:`\eta(t) = \eta_0\, (\nu t + 1)^{-p}` (:ref:`note 000 <note-000>`).

    Parameters
    ----------
    eta0 : float
        Initial rate :math:`\eta_0 > 0`.
    alpha : float, default 0.5
        The power :math:`p \ge 0` (``alpha`` is the power :math:`p`); ``0.5``
        is the inverse square-root decay.
    beta : float, default 1.0
        The decay speed :math:`\nu > 0` (``beta`` is the decay speed
        :math:`\nu`; :math:`1/\nu` is the time scale).

    Notes
    -----
    Conventions: :ref:`the slides <note-000>` write :math:`\beta` for
    :math:`\nu` and :math:`\alpha` for :math:`p`, hence the argument names.
    No ``torch.optim.lr_scheduler`` computes this (``PolynomialLR`` decays to
    zero at a fixed step instead).

    Examples
    --------
    >>> eta = polynomial(1.0, alpha=0.5, beta=0.1)
    >>> round(eta(30), 6)               # (0.1*30 + 1)^(-1/2) = 1/2
    0.5
    """
    eta0 = check_positive("eta0", eta0)
    alpha = check_nonnegative("alpha", alpha)
    beta = check_positive("beta", beta)

    def eta(t: int) -> float:
        return eta0 * (beta * _check_step(t) + 1.0) ** (-alpha)

    return _named(eta, f"polynomial({eta0:g}, alpha={alpha:g}, beta={beta:g})")


def linear_decay(eta0: float, eta_tau: float, tau: int) -> Schedule:
    r"""Linear decay until step :math:`\tau`, then constant (:ref:`note 003 <note-003>`, after the Deep Learning book).

    .. math::

        \eta(t) = \Bigl(1 - \frac{t}{\tau}\Bigr) \eta_0 + \frac{t}{\tau}\, \eta_\tau
        \quad (t \le \tau), \qquad \eta(t) = \eta_\tau \quad (t > \tau).

    Parameters
    ----------
    eta0 : float
        Initial rate :math:`\eta_0 > 0`.
    eta_tau : float
        Final rate :math:`\eta_\tau > 0` (the book suggests about 1% of :math:`\eta_0`).
    tau : int
        The step :math:`\tau \ge 1` at which the final rate is reached.

    Notes
    -----
    Conventions: ``torch.optim.lr_scheduler.LinearLR(start_factor=1,
    end_factor=eta_tau/eta0, total_iters=tau)``. :ref:`Note 003 <note-003>`
    writes :math:`\epsilon_k` for :math:`\eta(t)` and :math:`\epsilon_0`,
    :math:`\epsilon_\tau` for :math:`\eta_0`, :math:`\eta_\tau`.
    """
    eta0 = check_positive("eta0", eta0)
    eta_tau = check_positive("eta_tau", eta_tau)
    tau = check_int("tau", tau, minimum=1)

    def eta(t: int) -> float:
        a = min(_check_step(t), tau) / tau      # fraction of the way to tau
        return (1.0 - a) * eta0 + a * eta_tau

    return _named(eta, f"linear_decay({eta0:g}, {eta_tau:g}, tau={tau})")


def cosine(eta_max: float, total_steps: int, *, warmup_steps: int = 0, eta_min: float = 0.0) -> Schedule:
    r"""Linear warm-up to :math:`\eta_{\max}`, then half a cosine down to :math:`\eta_{\min}`.

    With :math:`T_\mathrm{w}` warm-up steps and :math:`T` total steps:

    .. math::

        \eta(t) = \begin{cases}
            \eta_{\max}\, \frac{t + 1}{T_\mathrm{w}} & t < T_\mathrm{w} \\
            \eta_{\min} + \frac{\eta_{\max} - \eta_{\min}}{2}
                \Bigl(1 + \cos\frac{\pi (t - T_\mathrm{w})}{T - T_\mathrm{w}}\Bigr)
                & T_\mathrm{w} \le t \le T \\
            \eta_{\min} & t > T
        \end{cases}

    Parameters
    ----------
    eta_max : float
        Peak rate, :math:`> 0`.
    total_steps : int
        :math:`T`, the step at which :math:`\eta_{\min}` is reached; :math:`T > T_\mathrm{w}`.
    warmup_steps : int, default 0
        :math:`T_\mathrm{w} \ge 0`. The first step already uses :math:`\eta_{\max}/T_\mathrm{w}`,
        so no step is wasted.
    eta_min : float, default 0
        Final rate, :math:`0 \le \eta_{\min} < \eta_{\max}`.

    Notes
    -----
    Conventions: without warm-up this is
    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total_steps,
    eta_min=eta_min)`` for :math:`t \le T` (PyTorch's keeps oscillating
    after :math:`T`).

    References
    ----------
    :cite:t:`loshchilov2017`.
    """
    eta_max = check_positive("eta_max", eta_max)
    total_steps = check_int("total_steps", total_steps, minimum=1)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    eta_min = check_real("eta_min", eta_min, f"[0, eta_max) = [0, {eta_max:g})")
    if not 0.0 <= eta_min < eta_max:
        raise ValueError(f"eta_min must be in [0, eta_max) = [0, {eta_max:g}), got {eta_min!r}")
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps must be larger than warmup_steps ({warmup_steps}), got {total_steps}")

    def eta(t: int) -> float:
        t = _check_step(t)
        if t < warmup_steps:
            return eta_max * (t + 1) / warmup_steps                      # linear warm-up
        if t > total_steps:
            return eta_min
        progress = (t - warmup_steps) / (total_steps - warmup_steps)     # 0 -> 1 over the decay
        return eta_min + 0.5 * (eta_max - eta_min) * (1.0 + math.cos(math.pi * progress))

    return _named(eta, f"cosine({eta_max:g}, {total_steps}, warmup_steps={warmup_steps}, eta_min={eta_min:g})")


def as_schedule(name: str, lr: LearningRate) -> Schedule:
    """Turn ``lr`` (a positive number or a schedule) into a checked schedule.

    A number becomes :func:`constant` and must be positive. A callable is wrapped so
    that each rate it returns is checked: a schedule may reach zero (a cosine
    decay ends there), but a negative rate, NaN or infinity raises ``ValueError``
    naming the step, instead of silently reversing or wrecking the optimizer.
    """
    if callable(lr):
        schedule = lr

        def eta(t: int) -> float:
            value = schedule(t)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{name} schedule returned {value!r} at step {t}; it must return a number") from None
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{name} schedule returned {value!r} at step {t}; rates must be in [0, inf)")
            return value

        eta.__name__ = getattr(schedule, "__name__", "schedule")
        eta(0)  # fail at construction, not in the middle of a run
        return eta
    value = check_positive(name, lr)

    def eta(t: int) -> float:   # constant(value) without its check of t: an optimizer's own counter is valid
        return value

    eta.__name__ = f"constant({value:g})"
    return eta
