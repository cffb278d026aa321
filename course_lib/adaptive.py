"""What the adaptive methods compute besides their updates (chapter 7).

The optimizers themselves live in :mod:`course_lib.optimizers`. This module looks
inside them:

* :func:`effective_rates` runs an optimizer and records, at every step, the
  per-coordinate learning rate it actually used (for AdaGrad
  :math:`\\eta / (\\sqrt{s_t} + \\epsilon)`), read off the optimizer's own state;
* :func:`decay_exponent` fits the exponent :math:`p` of a rate that decays like
  :math:`t^{p}` (AdaGrad's :math:`p = -1/2`);
* :func:`sparse_problem` is a seeded least-squares problem with rare features, where
  AdaGrad's per-coordinate rates help;
* :func:`bias_factor` and :func:`simulate_first_moment` are about Adam's bias correction
  (the averaging factor of the corrected moment, :ref:`note 001 <note-001>`'s study question, is
  :func:`course_lib.averages.debiased_gamma`);
* :func:`spike_gradient` and :func:`online_projected` set up the online problem of
  Reddi, Kale and Kumar on which Adam converges to the wrong end and Yogi does not;
* :func:`~course_lib.runner.first_step` takes one step from a fresh state, for the formula checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._validation import as_point, check_int, check_nonnegative, check_positive, check_real, check_unit_interval
from .averages import running_average, total_weight
from .objectives import Objective, quadratic
from .optimizers import Optimizer
from .runner import first_step  # noqa: F401  (re-exported: the chapter calls it from here)
from .schedules import as_schedule

__all__ = [
    "RateRun", "effective_rates", "step_rate", "decay_exponent",
    "SparseProblem", "sparse_problem", "Tuned", "tune_rate",
    "bias_factor", "simulate_first_moment",
    "spike_gradient", "ProjectedRun", "online_projected",
]

#: Optimizers whose rate multiplies the gradient itself (Adam's and Yogi's multiply their first moment).
_ON_GRADIENT = ("gd", "adagrad", "rmsprop", "adadelta")
_ON_MOMENT = ("adam", "adamw", "yogi")
_SUPPORTED = _ON_GRADIENT + _ON_MOMENT + ("momentum", "momentum_ema", "nesterov")


def _check_optimizer(opt) -> Optimizer:
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer such as adagrad(lr=0.4), got {opt!r}")
    if opt.name not in _SUPPORTED:
        raise ValueError(f"opt must be one of {', '.join(_SUPPORTED)} (an optimizer with a learning rate "
                         f"per coordinate), got {opt!r}")
    return opt


def step_rate(opt: Optimizer, before, after) -> np.ndarray:
    r"""The per-coordinate learning rate of the step that took ``opt``'s state from ``before`` to ``after``.

    .. math::

        \text{AdaGrad, RMSProp:}\quad \frac{\eta}{\sqrt{s} + \epsilon}, \qquad
        \text{AdaDelta:}\quad \eta\,\frac{\sqrt{d_{\text{before}} + \epsilon}}{\sqrt{s + \epsilon}}, \qquad
        \text{Adam:}\quad \frac{\eta}{\sqrt{\hat v} + \epsilon}, \qquad
        \text{Yogi:}\quad \frac{\eta}{\sqrt{v} + \epsilon}

    (with :math:`\sqrt{s + \epsilon}` where the optimizer was built with ``eps_in_sqrt=True``),
    each read from ``after`` (and ``before`` for AdaDelta's :math:`d`). The step is this rate
    times the gradient for gradient descent, AdaGrad, RMSProp and AdaDelta, and times the
    first moment (:math:`\hat m` or :math:`m`) for Adam, AdamW (without its weight decay) and
    Yogi. The momentum methods use one rate :math:`\eta` for every coordinate.

    Parameters
    ----------
    opt : Optimizer
        One of ``gd``, ``momentum``, ``momentum_ema``, ``nesterov``, ``adagrad``,
        ``rmsprop``, ``adadelta``, ``adam``, ``adamw``, ``yogi``.
    before, after : NamedTuple
        Consecutive states of ``opt`` (``after`` is what ``opt.update`` returned).

    Returns
    -------
    ndarray
        The rate of each coordinate, the shape of the parameters (of ``after.s`` or ``after.v``);
        for the methods with one rate, a 0-d array.

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.optimizers import adagrad
    >>> opt = adagrad(lr=0.5, eps=1e-10)
    >>> x0 = np.array([1.0, 1.0])
    >>> s0 = opt.init(x0)
    >>> x1, s1 = opt.update(x0, np.array([3.0, 4.0]), s0)
    >>> np.round(step_rate(opt, s0, s1), 6)          # 0.5 / 3 and 0.5 / 4
    array([0.166667, 0.125   ])
    """
    opt = _check_optimizer(opt)
    hp = opt.hyperparams
    eta = as_schedule("lr", hp["lr"])(before.t)
    if opt.name in ("gd", "momentum", "momentum_ema", "nesterov"):
        return np.asarray(eta)
    if opt.name in ("adagrad", "rmsprop"):
        s = after.s
        scale = np.sqrt(s + hp["eps"]) if hp["eps_in_sqrt"] else np.sqrt(s) + hp["eps"]
        return eta / scale
    if opt.name == "adadelta":
        return eta * np.sqrt(before.d + hp["eps"]) / np.sqrt(after.s + hp["eps"])
    if opt.name == "yogi":
        return eta / (np.sqrt(after.v) + hp["eps"])
    # adam, adamw
    correct = hp.get("bias_correction", True)
    v_hat = after.v / (1.0 - hp["beta2"] ** after.t) if correct else after.v
    scale = np.sqrt(v_hat + hp["eps"]) if hp.get("eps_in_sqrt", False) else np.sqrt(v_hat) + hp["eps"]
    return eta / scale


class RateRun(NamedTuple):
    """The record of :func:`effective_rates`."""

    xs: np.ndarray
    """Iterates :math:`x_0, \\dots, x_n`, shape ``(n + 1, d)``."""
    grads: np.ndarray
    """The gradient used at each step, shape ``(n, d)``."""
    rates: np.ndarray
    """The per-coordinate rate of each step, shape ``(n, d)`` (see :func:`step_rate`)."""
    states: tuple
    """The optimizer's states :math:`S_0, \\dots, S_n` (``S_0 = opt.init(x0)``)."""

    @property
    def ts(self) -> np.ndarray:
        """Step numbers :math:`1, \\dots, n` of the rows of ``rates``."""
        return np.arange(1, len(self.rates) + 1)


def effective_rates(opt: Optimizer, objective: Objective, x0, steps: int, *,
                    gradient: Callable | None = None, seed=None) -> RateRun:
    r"""Run ``opt`` with ``opt.update`` and record the per-coordinate rate of every step.

    The loop is :func:`course_lib.runner.run`'s (same iterates, same gradients for the
    same ``seed``), but it keeps every state of the optimizer, from which
    :func:`step_rate` reads the rate each coordinate was given.

    Parameters
    ----------
    opt : Optimizer
        An optimizer accepted by :func:`step_rate`.
    objective : Objective
        Supplies the gradient (unless ``gradient`` is given).
    x0 : array_like, shape (d,)
        The start.
    steps : int
        Number of updates, ``>= 1``.
    gradient : callable, optional
        ``gradient(x, t, rng)`` for noisy gradients, as in :func:`~course_lib.runner.run`.
    seed : int or numpy.random.Generator, optional
        Seeds the ``rng`` passed to ``gradient``.

    Returns
    -------
    RateRun

    Examples
    --------
    AdaGrad's rate on :math:`f(x) = x^2` from :math:`x_0 = 1` with :math:`\eta = 0.1`: the
    first gradient is 2, so the first rate is :math:`0.1 / 2`.

    >>> from course_lib import adagrad, parabola
    >>> rec = effective_rates(adagrad(lr=0.1), parabola(), [1.0], 3)
    >>> round(float(rec.rates[0, 0]), 6)
    0.05
    """
    opt = _check_optimizer(opt)
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective such as ellipse(), got {objective!r}")
    x = as_point("x0", x0, dim=objective.dim)
    steps = check_int("steps", steps, minimum=1)
    if gradient is not None and not callable(gradient):
        raise ValueError(f"gradient must be a function gradient(x, t, rng), got {gradient!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    state = opt.init(x)
    xs, grads, rates, states = [x], [], [], [state]
    for t in range(steps):
        g = objective.gradient(x) if gradient is None else np.asarray(gradient(x, t, rng), dtype=np.float64)
        x_next, new = opt.update(x, g, state)
        rates.append(np.broadcast_to(step_rate(opt, state, new), x.shape).copy())
        grads.append(g)
        x, state = x_next, new
        xs.append(x)
        states.append(state)
    return RateRun(np.array(xs), np.array(grads), np.array(rates), tuple(states))


def decay_exponent(ts, rates, *, start: int = 1) -> float:
    r"""The exponent :math:`p` of the power law :math:`\text{rate} \approx c\, t^{p}`, by least squares in log-log.

    Parameters
    ----------
    ts : array_like of positive numbers
        Step numbers.
    rates : array_like of positive numbers
        The rate at each step (same length).
    start : int, default 1
        Fit only the points with ``ts >= start`` (the first steps are often transient).

    Returns
    -------
    float
        The slope of :math:`\log(\text{rate})` against :math:`\log t`.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1, 101)
    >>> round(decay_exponent(t, 3.0 / np.sqrt(t)), 6)
    -0.5
    """
    ts = np.asarray(ts, dtype=np.float64).ravel()
    rates = np.asarray(rates, dtype=np.float64).ravel()
    if ts.shape != rates.shape:
        raise ValueError(f"ts and rates must have the same length, got {ts.size} and {rates.size}")
    start = check_int("start", start, minimum=1)
    keep = ts >= start
    if keep.sum() < 2:
        raise ValueError(f"start must leave at least two points to fit, got start={start} for {ts.size} points")
    if np.any(ts[keep] <= 0) or np.any(~(rates[keep] > 0)) or not np.all(np.isfinite(rates[keep])):
        raise ValueError("ts and rates must be positive and finite (they are fitted on a log scale)")
    slope, _ = np.polyfit(np.log(ts[keep]), np.log(rates[keep]), 1)
    return float(slope)


class SparseProblem(NamedTuple):
    """A least-squares problem with features of different frequencies (see :func:`sparse_problem`)."""

    objective: Objective
    """The full loss :math:`f(w) = \\frac{1}{2n}\\lVert Xw - y\\rVert^2`, a quadratic."""
    X: np.ndarray
    """The examples, shape ``(n, d)``: feature :math:`j` is 1 with probability ``frequencies[j]``, else 0."""
    y: np.ndarray
    """The targets :math:`y = X w_{\\text{true}}` plus noise."""
    frequencies: np.ndarray
    """How often each feature is present."""

    def gradient(self, w, t, rng) -> np.ndarray:
        """The gradient of one example drawn at random: ``run(..., gradient=problem.gradient, seed=...)``."""
        i = rng.integers(len(self.y))
        return self.X[i] * (self.X[i] @ w - self.y[i])

    def error(self, w) -> np.ndarray:
        """:math:`|w_j - w^\\star_j|` per feature, against the minimizer of the full loss."""
        return np.abs(np.asarray(w, dtype=np.float64) - self.objective.minimizer)


def sparse_problem(frequencies=(1.0, 0.5, 0.05, 0.02), *, n: int = 2000, noise: float = 0.1,
                   seed: int = 0) -> SparseProblem:
    r"""A seeded linear-regression problem whose features are present with different frequencies.

    Example :math:`i` has features :math:`x_{ij} \in \{0, 1\}`, present with probability
    :math:`q_j` (a word that occurs in few documents has a small :math:`q_j`), and target
    :math:`y_i = x_i^\top w_{\text{true}} + \sigma\,\xi_i` with :math:`w_{\text{true}} = (1, \dots, 1)`
    and standard normal :math:`\xi_i`. The loss is the mean squared error
    :math:`f(w) = \frac{1}{2n}\sum_i (x_i^\top w - y_i)^2`; one example's gradient is zero in
    every coordinate whose feature is absent, so a rare feature's weight receives few updates.
    :ref:`Note 000 <note-000>` recommends AdaGrad for exactly this case.

    Parameters
    ----------
    frequencies : sequence of float in (0, 1]
        :math:`q_j` for each feature.
    n : int, default 2000
        Number of examples, ``>= 2``.
    noise : float, default 0.1
        :math:`\sigma \ge 0`.
    seed : int, default 0
        Seeds the examples and the noise.

    Returns
    -------
    SparseProblem

    Examples
    --------
    >>> p = sparse_problem((1.0, 0.1), n=1000, seed=0)
    >>> # how often each feature is present
    >>> p.X.mean(axis=0).round(2).tolist()
    [1.0, 0.11]
    """
    p = np.asarray(frequencies, dtype=np.float64).ravel()
    if p.size == 0 or not np.all((p > 0) & (p <= 1)):
        raise ValueError(f"frequencies must be numbers in (0, 1], got {frequencies!r}")
    n = check_int("n", n, minimum=2)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(check_int("seed", seed))
    X = (rng.random((n, p.size)) < p).astype(np.float64)
    absent = X.sum(axis=0) == 0
    X[0, absent] = 1.0                     # every feature occurs at least once: the minimizer is unique
    y = X @ np.ones(p.size) + noise * rng.standard_normal(n)
    A = X.T @ X / n
    objective = quadratic(A, b=-X.T @ y / n, c=float(y @ y) / (2 * n), name="sparse least squares",
                          latex=r"\frac{1}{2n}\lVert Xw - y\rVert^2",
                          variables=tuple(f"w_{j + 1}" for j in range(p.size)))
    return SparseProblem(objective, X, y, p)


class Tuned(NamedTuple):
    """The result of :func:`tune_rate`."""

    lr: float
    """The rate of the grid with the smallest mean final loss gap."""
    gap: float
    """That mean gap :math:`f(w_T) - f^\\star` over the seeds."""
    errors: np.ndarray
    """Mean :math:`|w_{T,j} - w^\\star_j|` per feature at that rate, over the seeds."""
    gaps: np.ndarray
    """The mean gap of every rate of the grid, in the grid's order."""


def tune_rate(make: Callable[[float], Optimizer], problem: SparseProblem, rates, steps: int, *,
              seeds=range(5)) -> Tuned:
    r"""Pick the rate of a grid with the lowest mean final loss on a :class:`SparseProblem` (SGD gradients).

    Each rate is run from :math:`w = 0` for ``steps`` steps of one-example gradients, once per
    seed; its score is the mean of :math:`f(w_T) - f^\star`. The same seeds (the same
    sequence of examples) serve every rate and every optimizer, so the comparison is paired.

    Parameters
    ----------
    make : callable
        ``make(lr)`` returns an optimizer, e.g. ``lambda lr: adagrad(lr=lr)``.
    problem : SparseProblem
    rates : sequence of float > 0
        The grid.
    steps : int, >= 1
    seeds : iterable of int
        One run per seed.

    Returns
    -------
    Tuned

    Examples
    --------
    >>> from course_lib import gd
    >>> p = sparse_problem((1.0, 0.1), n=200, seed=0)
    >>> tune_rate(lambda lr: gd(lr=lr), p, [1e-4, 0.3], 200, seeds=[0]).lr
    0.3
    """
    from .runner import run

    if not isinstance(problem, SparseProblem):
        raise ValueError(f"problem must be a SparseProblem (see sparse_problem), got {problem!r}")
    rates = [check_positive(f"rates[{i}]", r) for i, r in enumerate(rates)]
    if not rates:
        raise ValueError("rates must contain at least one learning rate")
    steps = check_int("steps", steps, minimum=1)
    seeds = [check_int("seed", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must contain at least one seed")
    w0 = np.zeros(problem.objective.dim)
    f_star = problem.objective.min_value
    gaps, errors = [], []
    for lr in rates:
        runs = [run(make(lr), problem.objective, w0, steps, gradient=problem.gradient, seed=s) for s in seeds]
        gaps.append(np.mean([r.values[-1] - f_star if not r.diverged else np.inf for r in runs]))
        errors.append(np.mean([problem.error(r.x) for r in runs], axis=0))
    best = int(np.argmin(gaps))
    return Tuned(rates[best], float(gaps[best]), errors[best], np.array(gaps))


def bias_factor(beta: float, t) -> np.ndarray:
    r"""The total weight :math:`1 - \beta^t` that a moving average started at zero gives its data after ``t`` steps.

    :func:`course_lib.averages.total_weight` for steps :math:`t \ge 1`, with Adam's names.

    For a stationary gradient, :math:`E[m_t] = (1 - \beta_1^t)\, E[g]`: Adam divides by this
    factor ("bias correction").

    Parameters
    ----------
    beta : float in [0, 1)
        The averaging factor (:math:`\beta_1` or :math:`\beta_2`).
    t : int or array_like of int
        Steps, ``>= 1``.

    Examples
    --------
    >>> bias_factor(0.9, [1, 2]).round(4).tolist()
    [0.1, 0.19]
    """
    t = np.asarray(t)
    if t.size == 0 or not np.issubdtype(t.dtype, np.integer) or np.any(t < 1):
        raise ValueError(f"t must be whole numbers >= 1, got {t!r}")
    return np.asarray(total_weight(check_unit_interval("beta", beta), t if t.ndim else int(t)), dtype=np.float64)


def simulate_first_moment(beta: float, mean: float, std: float, steps: int, *, runs: int = 10000,
                          seed: int = 0) -> np.ndarray:
    r"""The average over ``runs`` independent runs of Adam's first moment :math:`m_1, \dots, m_T`.

    Each run feeds gradients :math:`g_t \sim N(\text{mean}, \text{std}^2)` into
    :math:`m_t = \beta m_{t-1} + (1 - \beta) g_t`, :math:`m_0 = 0` (computed with
    :func:`course_lib.averages.running_average`, which is Adam's first moment).

    Parameters
    ----------
    beta : float in [0, 1)
    mean : float
    std : float, >= 0
    steps : int, >= 1
    runs : int, >= 1
    seed : int

    Returns
    -------
    ndarray, shape (steps,)
        The sample mean of :math:`m_t` over the runs; compare with :math:`(1 - \beta^t)\,` mean.

    Examples
    --------
    >>> # no noise: (1 - 0.5^t) * 2
    >>> simulate_first_moment(0.5, 2.0, 0.0, 3, runs=1).tolist()
    [1.0, 1.5, 1.75]
    """
    beta = check_unit_interval("beta", beta)
    mean = check_real("mean", mean)
    std = check_nonnegative("std", std)
    steps = check_int("steps", steps, minimum=1)
    runs = check_int("runs", runs, minimum=1)
    rng = np.random.default_rng(check_int("seed", seed))
    g = mean + std * rng.standard_normal((steps, runs))
    return running_average(g, beta).mean(axis=1)


def spike_gradient(period: int = 20, size: float = 20.0) -> Callable:
    r"""The gradients of Reddi, Kale and Kumar's online problem: a rare large one, then many of :math:`-1`.

    At steps :math:`t = 0, P, 2P, \dots` the loss is :math:`f_t(x) = C x` (gradient :math:`C`),
    at every other step :math:`f_t(x) = -x` (gradient :math:`-1`). Over a period the average
    gradient is :math:`(C - P + 1)/P`; for :math:`C > P - 1` it is positive, so on the
    interval :math:`[-1, 1]` the best fixed point is :math:`x = -1`.

    Parameters
    ----------
    period : int, default 20
        :math:`P \ge 2`.
    size : float, default 20
        :math:`C > 0`.

    Returns
    -------
    callable
        ``gradient(x, t, rng)`` as :func:`~course_lib.runner.run` and :func:`online_projected` take it.

    Examples
    --------
    >>> import numpy as np
    >>> g = spike_gradient(3, 5.0)
    >>> [float(g(np.zeros(1), t, None)[0]) for t in range(4)]
    [5.0, -1.0, -1.0, 5.0]
    """
    period = check_int("period", period, minimum=2)
    size = check_positive("size", size)

    def gradient(x, t, rng):
        return np.full(np.shape(x), size if t % period == 0 else -1.0)

    return gradient


class ProjectedRun(NamedTuple):
    """The record of :func:`online_projected`."""

    xs: np.ndarray
    """:math:`x_0, \\dots, x_n`, shape ``(n + 1, d)``, each in the box."""
    states: tuple
    """The optimizer's states :math:`S_0, \\dots, S_n`."""


def online_projected(opt: Optimizer, gradient: Callable, x0, steps: int, *, low: float = -1.0,
                     high: float = 1.0, seed=None) -> ProjectedRun:
    r"""Run ``opt`` on an online problem whose point must stay in the box :math:`[\text{low}, \text{high}]^d`.

    Each step is ``opt.update`` followed by the projection onto the box (clipping each
    coordinate), as in Reddi, Kale and Kumar's analysis of Adam.

    Parameters
    ----------
    opt : Optimizer
    gradient : callable
        ``gradient(x, t, rng)``, e.g. :func:`spike_gradient`.
    x0 : array_like, shape (d,)
        The start, inside the box.
    steps : int, >= 1
    low, high : float
        The box, ``low < high``.
    seed : int or numpy.random.Generator, optional
        For a random ``gradient``.

    Examples
    --------
    >>> from course_lib import gd
    >>> grad = spike_gradient(2, 3.0)
    >>> rec = online_projected(gd(lr=0.5), grad, [0.0], 4)
    >>> rec.xs[:, 0].tolist()       # -1.5 is clipped to -1
    [0.0, -1.0, -0.5, -1.0, -0.5]
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer, got {opt!r}")
    if not callable(gradient):
        raise ValueError(f"gradient must be a function gradient(x, t, rng), got {gradient!r}")
    low, high = check_real("low", low), check_real("high", high)
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    x = as_point("x0", x0)
    if np.any(x < low) or np.any(x > high):
        raise ValueError(f"x0 must lie in [{low:g}, {high:g}], got {x}")
    steps = check_int("steps", steps, minimum=1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    state = opt.init(x)
    xs, states = [x], [state]
    for t in range(steps):
        x, state = opt.update(x, gradient(x, t, rng), state)
        x = np.clip(x, low, high)             # back into the box
        xs.append(x)
        states.append(state)
    return ProjectedRun(np.array(xs), tuple(states))
