r"""Compare optimizers fairly: tune each one's learning rate on a grid, then tabulate.

A comparison of optimizers at one hand-picked learning rate says more about the rate
than about the optimizers. Here every optimizer gets the same treatment:

1. the same **grid** of learning rates, log-spaced (:func:`rate_grid`: the powers
   :math:`10^{k/n}`, three per decade by default, so 0.1, 1 and 10 are on it);
2. the same **start**, the same **budget** of steps and the same **target**: a value
   :math:`f_{\text{target}}` to reach (:math:`f^\star + \text{tol}` for a function with a
   known minimum);
3. the same **criterion** (:func:`tune_learning_rate`): a run *stops* at the first step
   with :math:`f(x_t) \le f_{\text{target}}`; a run that blew up before that (``run``
   declared it diverged, or the method broke down, e.g. a singular Hessian for Newton)
   is *diverged* and never wins. Among the others, a run that reached the target beats
   one that did not; two that reached it are ranked by the number of steps (fewer is
   better), then by the value where they stopped (lower is better); two that did not
   are ranked by their value after the budget (lower is better). Remaining ties go to
   the **smaller** rate, the safer choice.

Everything is deterministic: no randomness is involved, and the grid is sorted.
:func:`compare` tunes a whole set of optimizers (by default :func:`course_optimizers`,
each with its usual defaults for the other hyperparameters) and
:func:`comparison_table` prints the result.

Examples
--------
>>> from course_lib import gd, parabola
>>> factory = lambda lr: gd(lr=lr)
>>> f = parabola(0.5)
>>> tuned = tune_learning_rate(factory, f, x0=3.0, steps=50)
>>> # f = x²/2: the rate 1/f'' = 1 lands on 0 at once
>>> tuned.lr, tuned.reached
(1.0, 1)

See :ref:`note 000 <note-000>` for the optimizers compared, and chapters 6 and 7 of the course.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import NamedTuple

import numpy as np

from ._validation import as_point, check_int, check_positive, check_real
from .objectives import Objective
from .optimizers import (
    Optimizer,
    adadelta,
    adagrad,
    adam,
    adamw,
    gd,
    momentum,
    momentum_ema,
    nesterov,
    newton,
    rmsprop,
    yogi,
)
from .runner import Trajectory, run

__all__ = ["rate_grid", "Trial", "Tuning", "tune_learning_rate", "course_optimizers", "compare",
           "comparison_table", "progress", "plot_comparison", "Problem", "course_problems", "course_results",
           "rotated_ellipse"]

#: ``factory(lr)`` returns the optimizer to try at the learning rate ``lr``.
Factory = Callable[[float], Optimizer]


def rate_grid(low: float = 1e-4, high: float = 10.0, per_decade: int = 3) -> np.ndarray:
    r"""The log-spaced learning rates :math:`10^{k/n}` (``n = per_decade``) that lie in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        The range, :math:`0 < \text{low} \le \text{high}`; the ends are included when
        they are grid points (up to a relative :math:`10^{-9}`).
    per_decade : int, default 3
        Rates per factor of ten, ``>= 1``. Consecutive rates differ by the factor
        :math:`10^{1/n}` (about 2.15 for ``n = 3``).

    Returns
    -------
    ndarray
        The rates in increasing order, rounded to 12 significant digits (so that 1 is 1.0
        exactly). Default: 16 rates from :math:`10^{-4}` to 10.

    Examples
    --------
    >>> rate_grid(0.1, 1.0).tolist()
    [0.1, 0.215443469003, 0.464158883361, 1.0]
    >>> len(rate_grid())
    16
    """
    low = check_positive("low", low)
    high = check_positive("high", high)
    if high < low:
        raise ValueError(f"high must be in [low, inf) = [{low!r}, inf), got {high!r}")
    n = check_int("per_decade", per_decade, minimum=1)
    first = math.ceil(math.log10(low) * n - 1e-9)
    last = math.floor(math.log10(high) * n + 1e-9)
    if last < first:
        raise ValueError(f"no rate 10^(k/{n}) lies in [low, high] = [{low!r}, {high!r}]: widen the range "
                         "or raise per_decade")
    return np.array([float(f"{10.0 ** (k / n):.12g}") for k in range(first, last + 1)])


class Trial(NamedTuple):
    """The outcome of one learning rate in :func:`tune_learning_rate`."""

    lr: float
    """The learning rate tried."""
    reached: int | None
    """The first step :math:`t` with :math:`f(x_t) \\le f_{\\text{target}}` (the run stops there), or None."""
    value: float
    """:math:`f` where the run stopped: at step ``reached``, or after the budget; NaN if it diverged."""
    diverged: bool
    """Whether the run blew up (or the method broke down) before it reached the target."""
    diverged_at: int | None
    """The step at which ``run`` declared the divergence (None for a breakdown or no divergence)."""

    def rank(self) -> tuple:
        """The sort key of the criterion: smaller is better (diverged trials are never ranked)."""
        if self.reached is not None:
            return (0, self.reached, self.value, self.lr)
        return (1, 0, self.value, self.lr)


@dataclass(frozen=True)
class Tuning:
    """The result of :func:`tune_learning_rate`: the chosen rate, its run, and every trial.

    When every rate diverged, ``lr`` is None, ``diverged`` is True and ``trajectory`` is None.
    """

    name: str
    lr: float | None
    trials: tuple[Trial, ...]
    trajectory: Trajectory | None = field(repr=False)
    target: float
    steps: int
    factory: Factory = field(repr=False)
    objective: Objective = field(repr=False)
    x0: np.ndarray = field(repr=False)
    max_distance: float = field(repr=False)

    @property
    def trial(self) -> Trial | None:
        """The winning trial (None if every rate diverged)."""
        return next((t for t in self.trials if t.lr == self.lr), None) if self.lr is not None else None

    @property
    def diverged(self) -> bool:
        """True when every rate of the grid diverged: there is no tuned rate."""
        return self.lr is None

    @property
    def reached(self) -> int | None:
        """Steps the tuned rate needed to reach the target, or None (not within the budget, or no rate)."""
        return None if self.trial is None else self.trial.reached

    @property
    def value(self) -> float:
        """:math:`f` where the tuned run stopped (NaN when every rate diverged)."""
        return math.nan if self.trial is None else self.trial.value

    @property
    def grid(self) -> np.ndarray:
        """The rates tried, in increasing order."""
        return np.array([t.lr for t in self.trials])

    @property
    def n_reached(self) -> int:
        """How many rates of the grid reached the target within the budget (a measure of robustness)."""
        return sum(t.reached is not None for t in self.trials)

    @property
    def n_stable(self) -> int:
        """How many rates of the grid did not diverge."""
        return sum(not t.diverged for t in self.trials)

    @property
    def updates(self) -> int:
        """How many optimizer updates the tuning computed, over the whole grid.

        Every run that did not diverge takes the full budget (it goes on after reaching the
        target; the criterion only looks at where it first did); a diverged run stops at
        ``diverged_at``; a breakdown (an error inside the method, which gives no step count)
        adds nothing.

        Examples
        --------
        >>> from course_lib import gd, parabola
        >>> f = parabola()
        >>> t = tune_learning_rate(gd, f, 1.0, steps=50, grid=[0.1, 2.0])
        >>> # f = x²: at 2.0, x is multiplied by -3 per step
        >>> t.trials[1].diverged_at, t.updates
        (14, 64)
        """
        return sum(self.steps if not t.diverged else (t.diverged_at or 0) for t in self.trials)

    @property
    def on_edge(self) -> bool:
        """Whether the tuned rate is the smallest or largest of the grid (the grid may be too narrow)."""
        return self.lr is not None and self.lr in (self.trials[0].lr, self.trials[-1].lr)

    @property
    def outcome(self) -> str:
        """One phrase: ``"reached at step 12"``, ``"not reached in 500 steps"`` or ``"every rate diverged"``."""
        if self.lr is None:
            return "every rate diverged"
        if self.reached is not None:
            return f"reached at step {self.reached}"
        return f"not reached in {self.steps} steps"

    def path(self, record_every: int = 1) -> Trajectory:
        """The tuned run again, keeping every ``record_every``-th iterate (and the last): lighter figures.

        The run is the same as ``trajectory`` (it stops at the same step); only fewer
        iterates are kept. Raises ``ValueError`` when every rate diverged.
        """
        if self.lr is None:
            raise ValueError(f"{self.name}: every rate diverged, there is no tuned run to repeat")
        every = check_int("record_every", record_every, minimum=1)
        stop = self.reached if self.reached is not None else self.steps
        return run(self.factory(self.lr), self.objective, self.x0, stop, max_distance=self.max_distance,
                   record_every=every)


def _check_grid(grid) -> np.ndarray:
    try:
        rates = np.array(grid, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"grid must be a list of learning rates in (0, inf), got {grid!r}") from None
    if rates.size == 0:
        raise ValueError("grid must contain at least one learning rate in (0, inf), got an empty grid")
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"grid must contain learning rates in (0, inf) only, got {rates}")
    rates = np.sort(rates)
    if np.any(np.diff(rates) == 0):
        raise ValueError(f"grid must not repeat a learning rate, got {rates}")
    return rates


def _cut(traj: Trajectory, index: int) -> Trajectory:
    """``traj`` up to and including its record ``index``: the run as if it had stopped there."""
    keep = slice(0, index + 1)
    return Trajectory(xs=traj.xs[keep], values=traj.values[keep], grad_norms=traj.grad_norms[keep],
                      diverged=False, diverged_at=None, optimizer=traj.optimizer, converged=False,
                      ts=traj.ts[keep])


def tune_learning_rate(factory: Factory, objective: Objective, x0, *, steps: int, target: float | None = None,
                       tol: float = 1e-8, grid=None, max_distance: float = 1e6, name: str = "") -> Tuning:
    r"""Try every rate of ``grid`` and keep the best by the criterion of the module.

    Parameters
    ----------
    factory : callable
        ``factory(lr)`` returns an :class:`~course_lib.optimizers.Optimizer`, e.g.
        ``lambda lr: adam(lr=lr)``; the other hyperparameters stay fixed.
    objective : Objective
        The function to minimize.
    x0 : array_like
        The start, the same for every rate.
    steps : int
        The budget, ``>= 1`` steps per rate.
    target : float, optional
        The value to reach. Default: ``objective.min_value + tol``; required (any real
        number) for a function without a known minimum, such as the saddle.
    tol : float, default 1e-8
        In ``(0, inf)``: how close to the minimum counts as reaching it, when ``target`` is not given.
    grid : sequence of float, optional
        The rates to try, each in ``(0, inf)``, without repeats (sorted here). Default:
        :func:`rate_grid`, the 16 rates :math:`10^{k/3}` from :math:`10^{-4}` to 10.
    max_distance : float, default 1e6
        Passed to :func:`~course_lib.runner.run`: a run is diverged once an iterate is farther
        than ``max_distance * (1 + ||x0||)`` from ``x0``. A small value makes the
        comparison demand runs that stay near their start (useful on the saddle, where
        the function is unbounded below).
    name : str
        A label for tables and messages.

    Returns
    -------
    Tuning
        ``lr`` is the chosen rate and ``trajectory`` its run, cut at the step that reached
        the target. If every rate diverged, ``lr`` and ``trajectory`` are None: no
        exception is raised, and ``outcome`` says ``"every rate diverged"``.

    Notes
    -----
    A run that the runner stops as diverged has not recorded the iterate that blew up,
    so a trial that reached the target did so before any divergence: the target step
    always counts. Newton's method raises ``ValueError`` where its Hessian is singular;
    such a trial counts as diverged (a breakdown), with ``diverged_at`` None. All other
    bad input raises ``ValueError`` before any run.

    Examples
    --------
    >>> from course_lib import gd, parabola
    >>> # f = 5x², f'' = 10: only lr < 0.2 converges
    >>> f = parabola(5.0)
    >>> factory = lambda lr: gd(lr=lr)
    >>> grid = [0.01, 0.1, 1.0]
    >>> t = tune_learning_rate(factory, f, 1.0, steps=100, grid=grid)
    >>> t.lr, t.reached, [trial.diverged for trial in t.trials]
    (0.1, 1, [False, False, True])
    >>> grid = [1.0, 10.0]
    >>> tune_learning_rate(factory, f, 1.0, steps=100, grid=grid).outcome
    'every rate diverged'
    """
    if not callable(factory):
        raise ValueError(f"factory must be a function lr -> Optimizer, e.g. lambda lr: gd(lr=lr), got {factory!r}")
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective such as ellipse(), got {objective!r}")
    x0 = as_point("x0", x0, dim=objective.dim)
    steps = check_int("steps", steps, minimum=1)
    tol = check_positive("tol", tol)
    max_distance = check_positive("max_distance", max_distance)
    rates = _check_grid(rate_grid() if grid is None else grid)
    if target is None:
        if objective.min_value is None:
            raise ValueError(f"target must be given (a real number in (-inf, inf)): {objective.name} has no known "
                             "minimum value to add tol to")
        target = objective.min_value + tol
    target = check_real("target", target)
    optimizers = [factory(float(lr)) for lr in rates]
    for opt in optimizers:
        if not isinstance(opt, Optimizer):
            raise ValueError(f"factory must return an Optimizer such as gd(lr=0.1), it returned {opt!r}")

    trials: list[Trial] = []
    runs: dict[float, tuple[Trajectory, int | None]] = {}
    for lr, opt in zip(rates, optimizers):
        lr = float(lr)
        try:
            traj = run(opt, objective, x0, steps, max_distance=max_distance)
        except ValueError:                       # the method broke down (e.g. a singular Hessian)
            trials.append(Trial(lr, None, math.nan, True, None))
            continue
        hit = np.flatnonzero(traj.values <= target)
        if hit.size:
            index = int(hit[0])
            trials.append(Trial(lr, int(traj.ts[index]), float(traj.values[index]), False, None))
            runs[lr] = (traj, index)
        elif traj.diverged:
            trials.append(Trial(lr, None, math.nan, True, traj.diverged_at))
        else:
            trials.append(Trial(lr, None, float(traj.values[-1]), False, None))
            runs[lr] = (traj, None)
    ranked = sorted((t for t in trials if not t.diverged), key=Trial.rank)
    best = ranked[0] if ranked else None
    trajectory = None
    if best is not None:
        traj, index = runs[best.lr]
        trajectory = _cut(traj, index) if index is not None else traj
    return Tuning(name=str(name), lr=None if best is None else best.lr, trials=tuple(trials), trajectory=trajectory,
                  target=target, steps=steps, factory=factory, objective=objective, x0=x0,
                  max_distance=max_distance)


def course_optimizers() -> dict[str, Factory]:
    r"""Every optimizer of the course as ``name -> factory(lr)``, the other hyperparameters at their defaults.

    The defaults (those of each function, and of PyTorch): momentum, ``momentum_ema`` and
    Nesterov :math:`\beta = 0.9`; AdaGrad :math:`\epsilon = 10^{-10}`; RMSProp
    :math:`\beta = 0.99`, :math:`\epsilon = 10^{-8}`; AdaDelta :math:`\beta = 0.9`,
    :math:`\epsilon = 10^{-6}` (``lr`` is a factor on its step); Adam and AdamW
    :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`, :math:`\epsilon = 10^{-8}`, AdamW with
    weight decay :math:`\omega = 0.01`; Yogi :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`,
    :math:`\epsilon = 10^{-3}`; Newton's method (``lr`` is its damping factor :math:`\alpha`)
    uses the Hessian, which the others do not: it is a reference, not a competitor.

    Examples
    --------
    >>> list(course_optimizers())[:4]
    ['gd', 'momentum', 'momentum_ema', 'nesterov']
    >>> opt = course_optimizers()["adam"](0.1)
    >>> opt.name, [opt.hyperparams[k] for k in ("lr", "beta1", "beta2")]
    ('adam', [0.1, 0.9, 0.999])
    """
    return {f.__name__: partial(f) for f in (gd, momentum, momentum_ema, nesterov, adagrad, rmsprop, adadelta,
                                             adam, adamw, yogi, newton)}


def compare(objective: Objective, x0, *, steps: int, optimizers: Mapping[str, Factory] | None = None,
            **tuning) -> list[Tuning]:
    """Tune every optimizer on one problem (:func:`tune_learning_rate` with the same settings for all).

    Parameters
    ----------
    objective, x0, steps
        The problem, the start and the budget, as in :func:`tune_learning_rate`.
    optimizers : mapping of name to factory, optional
        Default: :func:`course_optimizers`, all eleven.
    **tuning
        ``target``, ``tol``, ``grid``, ``max_distance``: passed on unchanged.

    Returns
    -------
    list of Tuning
        One per optimizer, in the order of ``optimizers``.

    Examples
    --------
    >>> from course_lib import ellipse, gd, newton
    >>> opts = {"gd": lambda lr: gd(lr=lr),
    ...         "newton": lambda lr: newton(lr=lr)}
    >>> rows = compare(ellipse(), [-1.0, 1.0], steps=1000,
    ...                grid=[0.1, 0.5, 1.0], optimizers=opts)
    >>> [(t.name, t.lr, t.reached) for t in rows]
    [('gd', 0.1, 399), ('newton', 1.0, 1)]
    >>> # at 0.5, x2 bounces between 1 and -1
    >>> [trial.diverged for trial in rows[0].trials]
    [False, False, True]
    """
    optimizers = course_optimizers() if optimizers is None else optimizers
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty mapping name -> factory(lr), got {optimizers!r}")
    unknown = set(tuning) - {"target", "tol", "grid", "max_distance"}
    if unknown:
        raise ValueError(f"unknown keyword(s) {sorted(unknown)}; compare takes target, tol, grid and max_distance")
    return [tune_learning_rate(factory, objective, x0, steps=steps, name=str(name), **tuning)
            for name, factory in optimizers.items()]


class Problem(NamedTuple):
    """One test problem of the side-by-side comparison: the function, start, budget and target."""

    name: str
    objective: Objective
    x0: tuple[float, ...]
    steps: int
    target: float
    max_distance: float = 1e6

    def compare(self, optimizers: Mapping[str, Factory] | None = None, grid=None) -> list[Tuning]:
        """:func:`compare` on this problem (default: every optimizer of the course, the default grid)."""
        return compare(self.objective, self.x0, steps=self.steps, optimizers=optimizers, target=self.target,
                       max_distance=self.max_distance, grid=grid)


def course_problems() -> dict[str, Problem]:
    r"""The three problems of the course's side-by-side comparison (chapter 7).

    * ``"ellipse"``: :math:`0.1 x_1^2 + 2 x_2^2` from :math:`(-1.8, 2.5)`, 500 steps, target
      :math:`f \le 10^{-8}` (the minimum is 0);
    * ``"saddle"``: :math:`x_1^2 - x_2^2` from :math:`(1, 0.01)`, just off the stable
      :math:`x_1` axis, 200 steps, target :math:`f \le -1` (escape downhill), and a run that
      moves farther than :math:`1 \cdot (1 + \lVert x_0 \rVert) \approx 2` from its start before
      that counts as diverged (``max_distance=1``): escape, but under control;
    * ``"Rosenbrock"``: :math:`(1 - x_1)^2 + 100 (x_2 - x_1^2)^2` from the classic
      :math:`(-1.2, 1)`, 2000 steps, target :math:`f \le 10^{-6}` (the minimum is 0).

    All three fit in the window :math:`[-2, 2] \times [-1, 3]`.

    Examples
    --------
    >>> p = course_problems()["saddle"]
    >>> p.x0, p.steps, p.target, p.max_distance
    ((1.0, 0.01), 200, -1.0, 1.0)
    """
    from .objectives import ellipse, rosenbrock, saddle

    return {
        "ellipse": Problem("ellipse", ellipse(), (-1.8, 2.5), 500, 1e-8),
        "saddle": Problem("saddle", saddle(), (1.0, 0.01), 200, -1.0, 1.0),
        "Rosenbrock": Problem("Rosenbrock", rosenbrock(), (-1.2, 1.0), 2000, 1e-6),
    }


def rotated_ellipse(angle: float = math.pi / 4) -> Problem:
    r"""The ellipse problem of :func:`course_problems`, function and start both rotated by ``angle``.

    With the rotation :math:`R` by ``angle`` (radians, any real number) about the origin,
    the minimizer, the function is :math:`f(R^\top x) = \tfrac12 x^\top R\,\mathrm{diag}(0.2, 4)
    \,R^\top x` and the start :math:`R\,(-1.8, 2.5)`; budget and target are the ellipse's.
    A method that commutes with rotations (gradient descent, momentum, Nesterov, Newton)
    takes the same steps as on the ellipse, each iterate rotated; a per-coordinate method
    (AdaGrad, RMSProp, Adam, ...) does not, unless ``angle`` is a multiple of
    :math:`\pi/2`.

    Examples
    --------
    >>> p = rotated_ellipse()
    >>> p.name, [round(v, 4) for v in p.x0], p.steps, p.target
    ('rotated ellipse', [-3.0406, 0.495], 500, 1e-08)
    >>> # f at the start: 0.1·1.8² + 2·2.5²
    >>> round(float(p.objective.f(np.array(p.x0))), 6)
    12.824
    """
    from .objectives import quadratic

    angle = check_real("angle", angle)
    c, s = math.cos(angle), math.sin(angle)
    R = np.array([[c, -s], [s, c]])
    ell = course_problems()["ellipse"]
    H = ell.objective.hess(np.zeros(2))
    objective = quadratic(R @ H @ R.T, name="rotated ellipse")
    x0 = tuple(float(v) for v in R @ np.array(ell.x0))
    return ell._replace(name="rotated ellipse", objective=objective, x0=x0)


@cache
def _course_results(name: str) -> tuple[Tuning, ...]:
    return tuple(course_problems()[name].compare())


def course_results(name: str) -> list[Tuning]:
    """Every optimizer of the course tuned on the course problem ``name`` (computed once per session).

    ``name`` is one of the keys of :func:`course_problems`: ``"ellipse"``, ``"saddle"`` or
    ``"Rosenbrock"``. The chapter's page and its exercises share the same results.

    Examples
    --------
    >>> [(t.name, t.lr, t.reached) for t in course_results("ellipse")][-1]
    ('newton', 1.0, 1)
    """
    problems = course_problems()
    if name not in problems:
        raise ValueError(f"name must be one of {list(problems)}, got {name!r}")
    return list(_course_results(name))


def comparison_table(tunings: Sequence[Tuning], *, value_format: str = ".3g",
                     outcome: bool = True) -> str:
    """The results of :func:`compare` as a plain-text table, one line per optimizer.

    Columns: the optimizer, the tuned rate (``-`` if every rate diverged), the steps to
    the target (``-`` if not reached), :math:`f` where the run stopped, how many rates of
    the grid reached the target and how many did not diverge (of the grid's size), and
    the outcome. ``outcome=False`` leaves out the last column (it repeats the steps
    column in words): a table narrow enough for the page.

    Examples
    --------
    >>> from course_lib import gd, parabola
    >>> t = tune_learning_rate(gd, parabola(0.5), 3.0, steps=50,
    ...                        grid=[0.1, 1.0, 3.0], name="gd")
    >>> # the table without its last column, then that column
    >>> table = comparison_table([t]).splitlines()
    >>> print("\\n".join(line.rsplit("  ", 1)[0] for line in table))
    optimizer      tuned rate  steps   f at stop  reach  stable
    gd                      1      1           0    1/3     2/3
    >>> [line.rsplit("  ", 1)[1] for line in table]
    ['outcome', 'reached at step 1']
    >>> comparison_table([t], outcome=False).splitlines()[0]
    'optimizer      tuned rate  steps   f at stop  reach  stable'
    """
    if not tunings or not all(isinstance(t, Tuning) for t in tunings):
        raise ValueError("tunings must be a non-empty list of Tuning results (from compare or tune_learning_rate)")
    lines = [f"{'optimizer':13s}  {'tuned rate':>10s}  {'steps':>5s}  {'f at stop':>10s}  {'reach':>5s}  "
             f"{'stable':>6s}" + ("  outcome" if outcome else "")]
    for t in tunings:
        n = len(t.trials)
        rate = "-" if t.lr is None else f"{t.lr:.3g}"
        steps = "-" if t.reached is None else f"{t.reached:d}"
        value = "-" if t.lr is None else format(t.value, value_format)
        lines.append(f"{t.name:13s}  {rate:>10s}  {steps:>5s}  {value:>10s}  {f'{t.n_reached}/{n}':>5s}  "
                     f"{f'{t.n_stable}/{n}':>6s}" + (f"  {t.outcome}" if outcome else ""))
    return "\n".join(lines)


def progress(traj: Trajectory, target: float) -> np.ndarray:
    r"""How far each recorded value is above the target, relative to the start.

    .. math:: p_t = \frac{f(x_t) - f_{\text{target}}}{f(x_0) - f_{\text{target}}}

    It is 1 at the start and reaches 0 (or below) when the run reaches the target; on a
    log scale the curve then drops off the bottom. For a function with minimum
    :math:`f^\star` and target :math:`f^\star + \text{tol}` it is the relative gap
    :math:`(f - f^\star)/(f(x_0) - f^\star)` until that gets close to ``tol``.

    Examples
    --------
    >>> from course_lib import gd, parabola, run
    >>> traj = run(gd(lr=0.25), parabola(), 2.0, 2)
    >>> progress(traj, target=0.0).tolist()
    [1.0, 0.25, 0.0625]
    """
    target = check_real("target", target)
    start = float(traj.values[0]) - target
    if not start > 0:
        raise ValueError(f"target must be below the starting value {traj.values[0]:g}, got {target!r}")
    return (np.asarray(traj.values, dtype=np.float64) - target) / start


def plot_comparison(tunings: Sequence[Tuning], groups: Mapping[str, Sequence[str]], *, bounds=None, levels=12,
                    width: float = 7.5, height: float = 5.6, max_points: int = 150,
                    markers_up_to: int = 40):
    """Paths on the contour lines (top row) and progress towards the target (bottom row), one column per group.

    Parameters
    ----------
    tunings : sequence of Tuning
        From :func:`compare` on one two-variable problem.
    groups : mapping of title to names
        Which optimizers share a column, e.g. ``{"momentum family": ["gd", "momentum"]}``.
    bounds : ((x1_low, x1_high), (x2_low, x2_high)), optional
        The window of the paths; default the objective's.
    levels : int or sequence of float
        Contour levels (as in :func:`~course_lib.plotting.plot_contour`).
    width, height : float
        The figure's size in inches (width at most 7.5).
    max_points : int
        Paths longer than this are drawn from every k-th iterate (:meth:`Tuning.path`).
    markers_up_to : int
        Runs of at most this many steps get a marker at every iterate; longer ones are plain lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from .plotting import plot_contour
    from .scene import STYLE, series_style

    by_name = {t.name: t for t in tunings}
    missing = [n for names in groups.values() for n in names if n not in by_name]
    if missing:
        raise ValueError(f"groups name optimizers that are not in tunings: {missing}")
    if width > 7.5:
        raise ValueError(f"width must be at most 7.5 (inches), got {width!r}")
    max_points = check_int("max_points", max_points, minimum=2)
    objective = tunings[0].objective
    longest = max((t.reached or t.steps) for t in tunings)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(2, len(groups), squeeze=False, height_ratios=[1.25, 1.0])
        for col, (title, names) in enumerate(groups.items()):
            paths = {}
            for name in names:
                t = by_name[name]
                if t.lr is None:
                    continue
                stop = t.reached if t.reached is not None else t.steps
                paths[f"{name}, η={t.lr:.3g}"] = t.path(max(1, math.ceil(stop / max_points)))
            top, bottom = axes[0, col], axes[1, col]
            plot_contour(objective, None, ax=top, bounds=bounds, levels=levels, title=title, legend=False)
            for i, (label, traj) in enumerate(paths.items()):
                p = progress(traj, tunings[0].target)
                style = series_style(i)
                # markers show single steps of short runs; long runs (thinned) are drawn as plain lines
                marked = series_style(i, markers=traj.steps <= markers_up_to)
                top.plot(traj.xs[:, 0], traj.xs[:, 1], zorder=3 + 0.1 * i, **marked.line_kwargs())
                top.plot(*traj.xs[0], "o", ms=8, mfc="none", color=style.color, zorder=3)
                keep = traj.ts >= 1
                with np.errstate(divide="ignore", invalid="ignore"):
                    bottom.plot(traj.ts[keep], np.where(p[keep] > 0, p[keep], np.nan), label=label,
                                **style.line_kwargs())
                name = label.split(",")[0]
                reached = by_name[name].reached
                if reached is not None:
                    bottom.plot([max(reached, 1)], [2e-10], "v", color=style.color, ms=7, clip_on=False)
            bottom.set_xscale("log")
            bottom.set_yscale("log")
            bottom.set_xlim(1, max(longest, 10))
            bottom.set_ylim(1e-10, 1e3)
            bottom.set_xlabel("step $t$")
            if col == 0:
                bottom.set_ylabel("$(f - f_{target})\\,/\\,(f_0 - f_{target})$")
            bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize=9, handlelength=2.5)
    return fig
