"""Why optimization is hard: local minima, saddle points and plateaus.

The objectives and measurements of the chapter *Why optimization is hard*
(:ref:`note 000 <note-000>`, "Challenges in optimization"; :ref:`note 003 <note-003>`,
"Challenges in neural network optimization"):

* :func:`wavy`, a function of one variable with one global and two local minima,
  with :func:`critical_points`, :func:`minima_of` and :func:`landing_minimum` (which
  minimum gradient descent reaches from a start), and :func:`escape_fractions` (how
  often gradient noise carries a run from one basin into another);
* the saddles :func:`saddle_between_minima` and :func:`squared_product`, with
  :func:`hessian_test`, :func:`neighbourhood_test`, :func:`slice_along` and
  :func:`steps_near` (how long a run lingers near a saddle);
* :func:`fraction_positive_definite`: how rare minima are among critical points
  whose Hessian is a random symmetric matrix, as the dimension grows;
* :func:`plateau` and :func:`steps_to_escape`: a flat region and the time needed to
  leave it.

Examples
--------
>>> from course_lib.landscape import minima_of, wavy
>>> minima_of(wavy()).round(3).tolist()
[-3.736, -0.748, 2.243]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from ._validation import as_point, check_int, check_nonnegative, check_positive, check_real
from .calculus import classify_critical_point
from .objectives import Objective
from .optimizers import gd
from .runner import Trajectory, run
from .scene import GREY, Scene, Style, series_style

__all__ = [
    "wavy",
    "plateau",
    "saddle_between_minima",
    "squared_product",
    "TurningPoint",
    "critical_points",
    "minima_of",
    "basin_of",
    "Landing",
    "landing_minimum",
    "noisy_gradient",
    "escape_fractions",
    "curve_scene",
    "hessian_test",
    "neighbourhood_test",
    "slice_along",
    "steps_near",
    "random_hessians",
    "PositiveDefiniteFraction",
    "fraction_positive_definite",
    "steps_to_escape",
]

#: The verdicts of :func:`hessian_test` and :func:`neighbourhood_test`.
VERDICTS = ("minimum", "maximum", "saddle point", "undecided")


# ------------------------------------------------------------ objectives

def wavy() -> Objective:
    r"""The wavy bowl :math:`f(x) = x^2/10 + \sin 2x`: one global and two local minima in :math:`[-4.5, 4.5]`.

    .. math::

        f'(x) = \frac{x}{5} + 2\cos 2x, \qquad f''(x) = \frac15 - 4\sin 2x .

    The bowl :math:`x^2/10` tilts a wave, so the wave's troughs sit at different
    heights: the deepest, near :math:`x = -0.75`, is the global minimum; the troughs
    near :math:`-3.74` and :math:`2.24` are local minima. Maxima separate them. The
    minimizer is not known in closed form (``minimizer`` is ``None``): use
    :func:`minima_of`.

    Examples
    --------
    >>> f = wavy()
    >>> round(f.value(0.0), 6), f.gradient(0.0).tolist()
    (0.0, [2.0])
    """

    def f(x):
        return 0.1 * x[0] ** 2 + np.sin(2.0 * x[0])

    return Objective(
        name="wavy bowl", dim=1, f=f,
        grad=lambda x: np.array([0.2 * x[0] + 2.0 * math.cos(2.0 * x[0])]),
        hess=lambda x: np.array([[0.2 - 4.0 * math.sin(2.0 * x[0])]]),
        latex=r"x^2/10 + \sin 2x", bounds=((-4.5, 4.5),), cache_key=("wavy",),
    )


def plateau() -> Objective:
    r"""The plateau :math:`f(x) = 1 - e^{-x^2}`: a well at 0 in a nearly flat plain.

    .. math::

        f'(x) = 2x\,e^{-x^2}, \qquad f''(x) = (2 - 4x^2)\,e^{-x^2}.

    Far from 0 the function is almost 1 and its slope is almost 0 (at :math:`x = 3`
    it is about :math:`7 \times 10^{-4}`), so gradient descent barely moves there.

    Examples
    --------
    >>> p = plateau()
    >>> p.minimizer.tolist(), p.min_value
    ([0.0], 0.0)
    """

    def f(x):
        return 1.0 - np.exp(-x[0] ** 2)

    def grad(x):
        return np.array([2.0 * x[0] * math.exp(-x[0] ** 2)])

    def hess(x):
        return np.array([[(2.0 - 4.0 * x[0] ** 2) * math.exp(-x[0] ** 2)]])

    return Objective(name="plateau", dim=1, f=f, grad=grad, hess=hess, latex=r"1 - e^{-x^2}",
                     minimizer=np.array([0.0]), bounds=((-4.0, 4.0),), cache_key=("plateau",))


def saddle_between_minima() -> Objective:
    r"""A saddle whose downhill sides end in minima: :math:`f(x) = x_1^2 + x_2^4/4 - x_2^2/2`.

    Its critical points are the saddle :math:`(0, 0)`, where the Hessian is
    :math:`\operatorname{diag}(2, -1)`, and the two minima :math:`(0, \pm 1)`, where
    :math:`f = -1/4` and the Hessian is :math:`\operatorname{diag}(2, 2)`. Unlike
    :func:`~course_lib.objectives.saddle`, a run that leaves the saddle comes to rest.
    ``minimizer`` is the upper minimum :math:`(0, 1)`.

    Examples
    --------
    >>> s = saddle_between_minima()
    >>> s.gradient([0.0, 1.0]).tolist(), s.min_value
    ([0.0, 0.0], -0.25)
    """

    def f(x):
        return x[0] ** 2 + 0.25 * x[1] ** 4 - 0.5 * x[1] ** 2

    return Objective(
        name="saddle between minima", dim=2, f=f,
        grad=lambda x: np.array([2.0 * x[0], x[1] ** 3 - x[1]]),
        hess=lambda x: np.array([[2.0, 0.0], [0.0, 3.0 * x[1] ** 2 - 1.0]]),
        latex=r"x_1^2 + x_2^4/4 - x_2^2/2", minimizer=np.array([0.0, 1.0]),
        bounds=((-1.2, 1.2), (-1.6, 1.6)), cache_key=("saddle between minima",),
    )


def squared_product() -> Objective:
    r"""The example of :ref:`note 000 <note-000>`, :math:`f(x, y) = x^2 y^2`.

    Its gradient :math:`(2xy^2,\ 2x^2y)` vanishes on both axes, and :math:`f \ge 0`
    with :math:`f = 0` exactly there: every point of the two axes is a (non-strict)
    global minimum, the origin included. The Hessian at the origin is the zero
    matrix, so the second-derivative test cannot tell (:func:`hessian_test`).

    Examples
    --------
    >>> q = squared_product()
    >>> q.hessian([0.0, 0.0]).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """

    def f(x):
        return x[0] ** 2 * x[1] ** 2

    return Objective(
        name="x²y²", dim=2, f=f,
        grad=lambda x: np.array([2.0 * x[0] * x[1] ** 2, 2.0 * x[0] ** 2 * x[1]]),
        hess=lambda x: np.array([[2.0 * x[1] ** 2, 4.0 * x[0] * x[1]], [4.0 * x[0] * x[1], 2.0 * x[0] ** 2]]),
        latex=r"x^2 y^2", minimizer=np.array([0.0, 0.0]), bounds=((-2.0, 2.0), (-2.0, 2.0)),
        variables=("x", "y"), cache_key=("squared product",),
    )


# ------------------------------------------------- minima of one variable

class TurningPoint(NamedTuple):
    """A zero of :math:`f'`: where it is, :math:`f` there, and ``"minimum"`` or ``"maximum"``."""

    x: float
    value: float
    kind: str


def _one_variable(objective: Objective) -> None:
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective such as wavy(), got {objective!r}")
    if objective.dim != 1:
        raise ValueError(f"objective must be a function of one variable, {objective.name} has {objective.dim}")


def _interval(objective: Objective, bounds) -> tuple[float, float]:
    if bounds is None:
        if not objective.bounds:
            raise ValueError(f"bounds must be given: {objective.name} has no default window")
        bounds = objective.bounds[0]
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be a pair (low, high), got {bounds!r}") from None
    lo, hi = check_real("bounds[0]", lo), check_real("bounds[1]", hi)
    if not lo < hi:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds!r}")
    return lo, hi


def _slope(objective: Objective, x: float) -> float:
    return float(objective.gradient(np.array([x]))[0])


def critical_points(objective: Objective, bounds=None, *, num: int = 2001) -> list[TurningPoint]:
    r"""The minima and maxima of a function of one variable inside ``bounds``, left to right.

    The slope :math:`f'` is evaluated on ``num`` evenly spaced points; every change of
    its sign brackets a critical point, which bisection then locates to rounding
    error. A change from :math:`-` to :math:`+` is a minimum, from :math:`+` to
    :math:`-` a maximum. Critical points where :math:`f'` touches zero without changing
    sign (the inflection of :math:`x^3` at 0), and pairs closer than the grid spacing,
    are not found: ``num`` sets the resolution.

    Parameters
    ----------
    objective : Objective
        A function of one variable, such as :func:`wavy`.
    bounds : (low, high), optional
        The interval searched; defaults to ``objective.bounds[0]``.
    num : int, default 2001
        Grid points, ``>= 3``.

    Returns
    -------
    list of TurningPoint
        Sorted by position.

    Examples
    --------
    >>> points = critical_points(wavy(), (-1.0, 1.0))
    >>> [(round(c.x, 3), c.kind) for c in points]
    [(-0.748, 'minimum'), (0.827, 'maximum')]
    """
    _one_variable(objective)
    lo, hi = _interval(objective, bounds)
    num = check_int("num", num, minimum=3)
    key = (objective.cache_key, lo, hi, num)
    if objective.cache_key and key in _CRITICAL_CACHE:    # same function by value: same answer
        return list(_CRITICAL_CACHE[key])
    points = _critical_points(objective, lo, hi, num)
    if objective.cache_key:
        if len(_CRITICAL_CACHE) > 64:
            _CRITICAL_CACHE.clear()
        _CRITICAL_CACHE[key] = tuple(points)
    return points


_CRITICAL_CACHE: dict = {}


def _critical_points(objective: Objective, lo: float, hi: float, num: int) -> list[TurningPoint]:
    grid = np.linspace(lo, hi, num)
    slopes = np.array([_slope(objective, x) for x in grid])
    out = []
    for i in range(num - 1):
        a, b, sa, sb = grid[i], grid[i + 1], slopes[i], slopes[i + 1]
        if sa == 0.0:
            if 0 < i and slopes[i - 1] * sb < 0:   # a zero on the grid, with a sign change around it
                kind = "minimum" if slopes[i - 1] < 0 else "maximum"
                out.append(TurningPoint(float(a), float(objective.value(a)), kind))
            continue
        if sa * sb >= 0:
            continue
        kind = "minimum" if sa < 0 else "maximum"
        for _ in range(200):                     # bisection to adjacent floats
            m = 0.5 * (a + b)
            if m <= a or m >= b:
                break
            sm = _slope(objective, m)
            if sm == 0.0:
                a = b = m
                break
            if sm * sa < 0:
                b = m
            else:
                a, sa = m, sm
        x = 0.5 * (a + b)
        out.append(TurningPoint(float(x), float(objective.value(x)), kind))
    return out


def minima_of(objective: Objective, bounds=None, *, num: int = 2001) -> np.ndarray:
    """The minimizers of a function of one variable inside ``bounds``, sorted (see :func:`critical_points`).

    Examples
    --------
    >>> minima_of(plateau()).tolist()
    [0.0]
    """
    return np.array([c.x for c in critical_points(objective, bounds, num=num) if c.kind == "minimum"])


def basin_of(objective: Objective, x, bounds=None, *, num: int = 2001) -> int | None:
    r"""The index (into :func:`minima_of`) of the minimum whose basin contains ``x``, or ``None``.

    In one variable the basins of attraction of gradient descent with a small rate
    are the intervals between consecutive maxima: from anywhere inside one, going
    downhill leads to its minimum. A point beyond the outermost maximum whose
    interval holds no minimum inside ``bounds`` gives ``None``.

    Examples
    --------
    >>> f = wavy()
    >>> basin_of(f, 1.0), basin_of(f, 0.5)
    (2, 1)
    """
    _one_variable(objective)
    x = float(as_point("x", x, dim=1)[0])
    points = critical_points(objective, bounds, num=num)
    maxima = np.array([c.x for c in points if c.kind == "maximum"])
    minima = np.array([c.x for c in points if c.kind == "minimum"])
    where = int(np.searchsorted(maxima, x))
    hits = np.flatnonzero(np.searchsorted(maxima, minima) == where)
    return int(hits[0]) if hits.size else None


class Landing(NamedTuple):
    """Where a run of gradient descent ended up.

    ``index`` is the basin's minimum in :func:`minima_of` (``None`` outside every basin),
    ``minimum`` its position, ``is_global`` whether it is the lowest of them, and
    ``trajectory`` the run itself.
    """

    index: int | None
    minimum: float | None
    is_global: bool
    trajectory: Trajectory

    def describe(self) -> str:
        """One sentence, with the minimum's position to two decimals."""
        if self.index is None:
            return "left every basin inside the window"
        kind = "the global" if self.is_global else "a local"
        return f"reached {kind} minimum at x ≈ {self.minimum:.2f}"


def noisy_gradient(objective: Objective, noise: float) -> Callable[[np.ndarray, int, np.random.Generator], np.ndarray]:
    r"""The exact gradient plus Gaussian noise of standard deviation ``noise`` per coordinate.

    A stand-in for the minibatch gradient of :ref:`note 000 <note-000>`, to pass to
    ``run(..., gradient=...)``: :math:`g_t = \nabla f(x_t) + \sigma \xi_t` with
    independent standard normal :math:`\xi_t`.

    Examples
    --------
    >>> import numpy as np
    >>> g = noisy_gradient(wavy(), 0.0)
    >>> g(np.array([0.0]), 0, np.random.default_rng(0)).tolist()
    [2.0]
    """
    noise = check_nonnegative("noise", noise)
    grad = objective.grad

    def gradient(x, t, rng):
        g = np.asarray(grad(x), dtype=np.float64)
        return g + noise * rng.standard_normal(g.shape) if noise > 0 else g

    return gradient


def landing_minimum(objective: Objective, x0, *, lr=0.1, steps: int = 100, noise: float = 0.0, seed=None,
                    bounds=None, record_every: int = 1) -> Landing:
    r"""Run gradient descent from ``x0`` and say which minimum's basin it ended in.

    Parameters
    ----------
    objective : Objective
        A function of one variable.
    x0 : float
        The start.
    lr : float or schedule, default 0.1
        The learning rate of :func:`~course_lib.optimizers.gd` (a schedule such as
        ``linear_decay(0.2, 0.002, 120)`` lets a noisy run settle).
    steps : int, default 100
        Number of steps, ``>= 0``.
    noise : float, default 0
        Standard deviation of the Gaussian noise added to every gradient
        (:func:`noisy_gradient`), ``>= 0``.
    seed : int or numpy.random.Generator, optional
        Seeds the noise: the same seed gives the same run.
    bounds : (low, high), optional
        The window in which minima and basins are sought (default ``objective.bounds[0]``).
    record_every : int, default 1
        Passed to :func:`~course_lib.runner.run`.

    Examples
    --------
    >>> landing_minimum(wavy(), 1.0).describe()
    'reached a local minimum at x ≈ 2.24'
    >>> landing_minimum(wavy(), 0.5).describe()
    'reached the global minimum at x ≈ -0.75'
    """
    _one_variable(objective)
    noise = check_nonnegative("noise", noise)
    gradient = noisy_gradient(objective, noise) if noise > 0 else None
    traj = run(gd(lr=lr), objective, x0, steps, gradient=gradient, seed=seed, record_every=record_every)
    return _landing(objective, traj, bounds)


def _landing(objective: Objective, traj: Trajectory, bounds, points=None) -> Landing:
    points = critical_points(objective, bounds) if points is None else points
    maxima = np.array([c.x for c in points if c.kind == "maximum"])
    minima = [c for c in points if c.kind == "minimum"]
    where = int(np.searchsorted(maxima, traj.x[0]))
    for i, c in enumerate(minima):
        if int(np.searchsorted(maxima, c.x)) == where and not traj.diverged:
            lowest = min(m.value for m in minima)
            return Landing(i, c.x, c.value == lowest, traj)
    return Landing(None, None, False, traj)


def escape_fractions(objective: Objective, x0, noise_levels: Sequence[float], *, lr=0.1, steps: int = 150,
                     runs: int = 200, seed: int = 0, bounds=None) -> np.ndarray:
    r"""For each noise level, the fraction of noisy runs from ``x0`` that end in the global minimum's basin.

    Run ``k`` (``k = 0, ..., runs - 1``) uses the seed ``seed + k``, so the same
    arguments give the same fractions, and the runs of two noise levels share their
    random numbers (only their size differs). A noise level of 0 is deterministic: one
    run stands for all, and its fraction is 0 or 1. This is the effect described in
    :ref:`note 000 <note-000>`: gradient noise can carry the iterate over the
    barrier around a local minimum, and, just as well, out of the global one.

    Parameters
    ----------
    objective : Objective
        A function of one variable.
    x0 : float
        The start of every run.
    noise_levels : sequence of float
        Standard deviations of the gradient noise, each ``>= 0``.
    lr : float or schedule, default 0.1
        Learning rate of gradient descent.
    steps : int, default 150
        Steps per run.
    runs : int, default 200
        Runs per noise level, ``>= 1``.
    seed : int, default 0
        The first seed.
    bounds : (low, high), optional
        The window of :func:`minima_of`.

    Returns
    -------
    ndarray, shape (len(noise_levels),)

    Examples
    --------
    >>> fractions = escape_fractions(wavy(), 2.24, [0.0, 3.0], steps=60,
    ...                              runs=20)
    >>> fractions.tolist()
    [0.0, 0.15]
    """
    _one_variable(objective)
    levels = [check_nonnegative(f"noise_levels[{i}]", s) for i, s in enumerate(noise_levels)]
    if not levels:
        raise ValueError("noise_levels must contain at least one noise level")
    runs = check_int("runs", runs, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    steps = check_int("steps", steps, minimum=0)
    points = critical_points(objective, bounds)
    out = []
    for noise in levels:
        hits = 0
        count = 1 if noise == 0 else runs
        gradient = noisy_gradient(objective, noise) if noise > 0 else None
        for k in range(count):
            traj = run(gd(lr=lr), objective, x0, steps, gradient=gradient, seed=seed + k,
                       record_every=max(steps, 1))
            hits += _landing(objective, traj, bounds, points).is_global
        out.append(hits / count)
    return np.array(out)


def curve_scene(objective: Objective, runs: Mapping[str, Trajectory], *, ylim: tuple[float, float], xlim=None,
                note: str = "", width: float = 6.4, height: float = 3.4) -> Scene:
    r"""A function of one variable, its minima (the global one starred), and runs drawn on the curve.

    Parameters
    ----------
    objective : Objective
        A function of one variable.
    runs : mapping of label to Trajectory
        Each run is drawn as its points :math:`(x_t, f(x_t))`, its start ringed.
    ylim : (low, high)
        The vertical range.
    xlim : (low, high), optional
        The window, also searched for minima (default ``objective.bounds[0]``).
    note : str
        A line of text in the top-left corner (what the run did, say).
    width, height : float
        Size in inches.

    Examples
    --------
    >>> path = landing_minimum(wavy(), 1.0).trajectory
    >>> scene = curve_scene(wavy(), {"GD": path}, ylim=(-1.2, 2.9))
    >>> [item.label for item in scene.panels[0].items if item.label][1:]
    ['global minimum', 'local minimum', 'GD']
    """
    _one_variable(objective)
    lo, hi = _interval(objective, xlim)
    scene = Scene(width=width, height=height)
    name = objective.variables[0]
    panel = scene.panel((lo, hi), ylim, xlabel=f"${name}$", ylabel=f"$f({name})$")
    grid = np.linspace(lo, hi, 400)
    panel.line(grid, objective.value(grid[None, :]), Style(color=GREY, width=1.4),
               label=f"$f({name}) = {objective.latex}$")
    minima = [c for c in critical_points(objective, (lo, hi)) if c.kind == "minimum"]
    if minima:
        lowest = min(minima, key=lambda c: c.value)
        others = [c for c in minima if c is not lowest]
        panel.points([lowest.x], [lowest.value], Style(color="#000000", marker="*", size=12.0, fill="#ffffff",
                                                       width=0.0), label="global minimum")
        if others:
            panel.points([c.x for c in others], [c.value for c in others],
                         Style(color="#000000", marker="v", size=7.0, fill="#ffffff", width=0.0),
                         label="local minimum")
    for i, (label, traj) in enumerate(runs.items()):
        style = series_style(i, markers=True)
        panel.line(traj.xs[:, 0], traj.values, style, label=label)
        panel.points(traj.xs[:1, 0], traj.values[:1], Style(color=style.color, marker="o", size=9.0,
                                                            fill="none", width=0.0))
    if note:
        panel.text(0.02, 0.98, note, Style(font=10.0))
    return scene


# ---------------------------------------------------------------- saddles

def hessian_test(objective: Objective, point, *, tol: float = 1e-9) -> str:
    r"""The second-derivative test at a critical point: the signs of the Hessian's eigenvalues.

    This checks that ``point`` is critical, then applies
    :func:`~course_lib.calculus.classify_critical_point` to the Hessian there: all
    eigenvalues positive, ``"minimum"``; all negative, ``"maximum"``; both signs,
    ``"saddle point"``; otherwise (an eigenvalue that counts as zero and no opposite
    signs) ``"undecided"``: the Hessian alone cannot tell, as for :math:`x^4`,
    :math:`-x^4` and :math:`x^3` at 0.

    Parameters
    ----------
    objective : Objective
        With a Hessian.
    point : array_like, shape (d,)
        A critical point (the gradient there must vanish, to ``1e-8``).
    tol : float, default 1e-9
        ``>= 0``; passed to :func:`~course_lib.calculus.classify_critical_point` (an eigenvalue
        within ``tol`` times the largest magnitude, or ``tol`` when that is below 1, counts as zero).

    Examples
    --------
    >>> from course_lib import saddle
    >>> origin = [0.0, 0.0]
    >>> q = squared_product()
    >>> hessian_test(saddle(), origin), hessian_test(q, origin)
    ('saddle point', 'undecided')
    """
    tol = check_nonnegative("tol", tol)
    p = as_point("point", point, dim=objective.dim)
    g = objective.gradient(p)
    if np.linalg.norm(g) > 1e-8:
        raise ValueError(f"point must be a critical point, but the gradient there is {g.tolist()}")
    return classify_critical_point(objective.hessian(p), tol=tol).kind


def neighbourhood_test(objective: Objective, point, *, radius: float = 1e-2, samples: int = 400,
                       seed: int = 0) -> str:
    r"""Compare :math:`f` at random points near ``point`` with :math:`f` at ``point`` itself.

    Points :math:`x + r q` (:math:`x` = ``point``) are drawn with random directions
    :math:`q` (half of them
    along the coordinate axes and diagonals, which catch flat valleys) and distances
    :math:`r` up to ``radius``. If none is lower: ``"minimum"`` (perhaps not strict);
    none higher: ``"maximum"``; some lower and some higher: ``"saddle point"``; all
    equal: ``"undecided"``. A sample is not a proof, but it tells the cases of
    :func:`hessian_test` apart where the Hessian cannot.

    Parameters
    ----------
    objective : Objective
    point : array_like, shape (d,)
    radius : float, default 1e-2
        Largest distance, ``> 0``.
    samples : int, default 400
        Points drawn, ``>= 1``.
    seed : int, default 0
        Seeds the directions and distances.

    Examples
    --------
    >>> neighbourhood_test(squared_product(), [0.0, 0.0])
    'minimum'
    """
    p = as_point("point", point, dim=objective.dim)
    radius = check_positive("radius", radius)
    samples = check_int("samples", samples, minimum=1)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    d = objective.dim
    fixed = np.vstack([np.eye(d), -np.eye(d), np.ones((1, d)), -np.ones((1, d))])
    u = rng.standard_normal((samples, d))
    u[: min(samples, len(fixed))] = fixed[: min(samples, len(fixed))]
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    r = radius * rng.uniform(0.1, 1.0, size=(samples, 1))
    centre = float(objective.value(p))
    values = np.asarray(objective.value((p + r * u).T), dtype=np.float64)
    scale = 1e-14 * max(1.0, abs(centre))
    lower, higher = np.any(values < centre - scale), np.any(values > centre + scale)
    if lower and higher:
        return "saddle point"
    if higher:
        return "minimum"
    if lower:
        return "maximum"
    return "undecided"


def slice_along(objective: Objective, point, direction, ts) -> np.ndarray:
    r"""The values :math:`f(p + t\,v)` along the line through ``point`` in ``direction``.

    Examples
    --------
    >>> from course_lib import saddle
    >>> ts = [-1.0, 0.0, 2.0]
    >>> slice_along(saddle(), [0.0, 0.0], [0.0, 1.0], ts).tolist()
    [-1.0, 0.0, -4.0]
    """
    p = as_point("point", point, dim=objective.dim)
    v = as_point("direction", direction, dim=objective.dim)
    if not np.any(v):
        raise ValueError("direction must not be the zero vector")
    t = np.atleast_1d(np.asarray(ts, dtype=np.float64))
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise ValueError(f"ts must be a 1-D array of finite numbers, got shape {t.shape}")
    return np.asarray(objective.value(p[:, None] + v[:, None] * t[None, :]), dtype=np.float64).reshape(t.shape)


def steps_near(traj: Trajectory, point, radius: float) -> int:
    r"""How many steps of ``traj`` were spent within ``radius`` of ``point`` (a saddle point, say).

    Near a critical point the gradient is about the Hessian times the distance to
    it, so these are the steps of the dip in the gradient norm around a saddle. The
    count is of recorded iterates: record every step (``record_every=1``) to count
    steps.

    Parameters
    ----------
    traj : Trajectory
    point : array_like, shape (d,)
    radius : float
        ``> 0``.

    Examples
    --------
    >>> from course_lib import gd, run
    >>> traj = run(gd(lr=0.1), saddle_between_minima(), [1.0, 1e-4], 300)
    >>> steps_near(traj, [0.0, 0.0], 0.1)
    62
    """
    if not isinstance(traj, Trajectory):
        raise ValueError(f"traj must be a Trajectory (from course_lib.run), got {traj!r}")
    p = as_point("point", point, dim=traj.xs.shape[1])
    radius = check_positive("radius", radius)
    return int(np.count_nonzero(np.linalg.norm(traj.xs - p, axis=1) < radius))


# ------------------------------------------- minima among critical points

def random_hessians(d: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    r"""``samples`` random symmetric ``d × d`` matrices :math:`A = (G + G^\top)/\sqrt{2d}` (the GOE).

    :math:`G` has independent standard normal entries. The diagonal entries of
    :math:`A` have variance :math:`2/d` and the others :math:`1/d`, so the eigenvalues
    fill :math:`[-2, 2]` as :math:`d` grows (Wigner's semicircle).

    Returns
    -------
    ndarray, shape (samples, d, d)

    Examples
    --------
    >>> A = random_hessians(3, 2, np.random.default_rng(0))
    >>> A.shape, bool(np.allclose(A, A.transpose(0, 2, 1)))
    ((2, 3, 3), True)
    """
    d = check_int("d", d, minimum=1)
    samples = check_int("samples", samples, minimum=0)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
    G = rng.standard_normal((samples, d, d))
    return (G + G.transpose(0, 2, 1)) / math.sqrt(2.0 * d)


class PositiveDefiniteFraction(NamedTuple):
    """Monte-Carlo estimates, one per dimension: ``fractions`` with their ``stderr`` from ``counts`` of ``samples``."""

    dims: np.ndarray
    fractions: np.ndarray
    stderr: np.ndarray
    counts: np.ndarray
    samples: int


def fraction_positive_definite(dims: Sequence[int], samples: int = 20000, seed: int = 0,
                               *, chunk: int = 20000) -> PositiveDefiniteFraction:
    r"""The fraction of random symmetric matrices (:func:`random_hessians`) that are positive definite.

    If the Hessian at a critical point were such a matrix, this would be the chance
    that the point is a minimum rather than a saddle (or a maximum): all :math:`d`
    eigenvalues positive. Were the eigenvalues' signs independent fair coins, it would
    be :math:`2^{-d}`; the eigenvalues of a symmetric random matrix repel each other,
    which makes all-positive far rarer still.

    Parameters
    ----------
    dims : sequence of int
        Dimensions :math:`d \ge 1`.
    samples : int, default 20000
        Matrices per dimension, ``>= 1``.
    seed : int, default 0
        Dimension ``d`` uses the generator ``numpy.random.default_rng([seed, d])``, so an
        estimate does not depend on the other dimensions asked for.
    chunk : int, default 20000
        Matrices drawn at a time (memory), ``>= 1``; it does not change the result.

    Returns
    -------
    PositiveDefiniteFraction
        ``stderr`` is the binomial standard error :math:`\sqrt{p(1-p)/n}`; it is 0 when
        no sample (or every sample) was positive definite, in which case the true
        fraction is below (above) about :math:`3/n` (:math:`1 - 3/n`) at 95 %.

    Examples
    --------
    >>> est = fraction_positive_definite([1, 2], samples=4000, seed=0)
    >>> bool(abs(est.fractions[0] - 0.5) < 3 * est.stderr[0])
    True
    """
    dims = [check_int(f"dims[{i}]", d, minimum=1) for i, d in enumerate(dims)]
    if not dims:
        raise ValueError("dims must contain at least one dimension")
    samples = check_int("samples", samples, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    chunk = check_int("chunk", chunk, minimum=1)
    counts = []
    for d in dims:
        rng = np.random.default_rng([seed, d])
        count, left = 0, samples
        while left:
            n = min(chunk, left)
            lam_min = np.linalg.eigvalsh(random_hessians(d, n, rng))[:, 0]
            count += int(np.count_nonzero(lam_min > 0))
            left -= n
        counts.append(count)
    counts = np.array(counts)
    p = counts / samples
    return PositiveDefiniteFraction(np.array(dims), p, np.sqrt(p * (1 - p) / samples), counts, samples)


# ---------------------------------------------------------------- plateaus

def steps_to_escape(objective: Objective, x0, *, lr=0.5, level: float = 0.5, max_steps: int = 100_000) -> int | None:
    r"""The first step at which gradient descent from ``x0`` brings :math:`f` below ``level``.

    Parameters
    ----------
    objective : Objective
    x0 : float or array_like
        The start; :math:`f(x_0)` should be above ``level``.
    lr : float, default 0.5
        Learning rate.
    level : float, default 0.5
        The value that counts as having left the plateau.
    max_steps : int, default 100000
        Budget, ``>= 1``.

    Returns
    -------
    int or None
        ``None`` if the run stayed above ``level`` for all ``max_steps`` steps (or diverged);
        0 if it started below.

    Examples
    --------
    >>> steps_to_escape(plateau(), 2.0)
    11
    """
    level = check_real("level", level)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    traj = run(gd(lr=lr), objective, x0, max_steps)
    below = np.flatnonzero(traj.values < level)
    return int(traj.ts[below[0]]) if below.size else None
