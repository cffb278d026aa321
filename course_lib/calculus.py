"""The calculus of minima: derivatives, gradients, Hessians and critical points.

A point where the derivative (or the gradient) vanishes is a *critical* or
*stationary* point. This module finds such points and says what they are:

* :func:`first_derivative_test` decides a one-variable stationary point by the sign
  of the derivative on either side;
* :func:`classify_critical_point` decides a critical point of any number of
  variables by the signs of the Hessian's eigenvalues (with one variable, that is
  the second-derivative test), and says ``"undecided"`` when the test cannot tell;
* :func:`numerical_gradient` and :func:`numerical_hessian` approximate derivatives by
  central differences, to check formulas worked out by hand;
* :func:`stationary_point` solves :math:`\\nabla f(x) = 0` with Newton's method;
* :func:`eigenvalue_scene` draws the contour lines of a two-variable quadratic with
  given Hessian eigenvalues, with the verdict, for an interactive figure.

The facts follow :ref:`note 000 <note-000>` (its slides on finding the minimum of a
function and its three-variable example), corrected where it is wrong.

Examples
--------
>>> from course_lib import three_variable
>>> from course_lib.calculus import (classify_critical_point,
...                                  stationary_point)
>>> f = three_variable()
>>> point = stationary_point(f, [0.0, 0.0, 0.0])
>>> point.x.round(12).tolist()
[-1.0, -1.0, -1.0]
>>> classify_critical_point(f.hessian(point.x)).kind
'minimum'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ._validation import as_point, check_int, check_nonnegative, check_positive, check_real, check_symmetric
from .objectives import Objective, quadratic
from .optimizers import newton
from .runner import run
from .scene import COLORS, GREY, Scene, Style, series_style

__all__ = [
    "KINDS",
    "CriticalPoint",
    "classify_critical_point",
    "SignTest",
    "first_derivative_test",
    "Curve",
    "turning_point_examples",
    "plot_turning_points",
    "numerical_gradient",
    "numerical_hessian",
    "StationaryPoint",
    "stationary_point",
    "rotated_quadratic",
    "eigenvalue_scene",
]

#: The verdicts of :func:`classify_critical_point`, also the options of the chapter's exercises.
KINDS = ("minimum", "maximum", "saddle point", "undecided")


# ------------------------------------------------------------ the Hessian test

class CriticalPoint(NamedTuple):
    """The verdict of the Hessian test at a critical point."""

    kind: str
    """One of :data:`KINDS`: ``"minimum"``, ``"maximum"``, ``"saddle point"`` or ``"undecided"``."""
    eigenvalues: np.ndarray
    """The Hessian's eigenvalues, ascending."""


def classify_critical_point(hessian, tol: float = 1e-9) -> CriticalPoint:
    r"""Classify a critical point by the signs of the Hessian's eigenvalues there.

    At a point where the gradient vanishes, with Hessian :math:`H`:

    * every eigenvalue positive: a (strict local) **minimum**;
    * every eigenvalue negative: a (strict local) **maximum**;
    * eigenvalues of both signs: a **saddle point** (whatever the other eigenvalues are);
    * otherwise some eigenvalue is zero and the others share one sign: the test is
      **undecided**, because the higher-order terms of :math:`f` decide
      (:math:`x_1^2 + x_2^4` has a minimum at the origin, :math:`x_1^2 - x_2^4` a saddle,
      and both have the Hessian :math:`\operatorname{diag}(2, 0)` there).

    With one variable, ``hessian = [[f''(x)]]``, this is the second-derivative test.
    :ref:`Note 000 <note-000>` lists the first three cases; the fourth is the one it leaves out.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric matrix (``d >= 1``), the Hessian at the critical point.
    tol : float, default 1e-9
        An eigenvalue counts as zero when :math:`|\lambda| \le \text{tol}\cdot\max(1, \max_i|\lambda_i|)`;
        ``tol`` must be in [0, inf). Use a larger ``tol`` for a Hessian computed by finite
        differences (about ``1e-4`` for :func:`numerical_hessian`).

    Returns
    -------
    CriticalPoint
        ``kind`` and the ``eigenvalues`` (ascending).

    Raises
    ------
    ValueError
        If ``hessian`` is not a finite, square, symmetric matrix, or ``tol`` is negative.

    Examples
    --------
    >>> classify_critical_point([[2.0, -1.0], [-1.0, 2.0]]).kind
    'minimum'
    >>> classify_critical_point([[1.0, 2.0], [2.0, 1.0]])
    CriticalPoint(kind='saddle point', eigenvalues=array([-1.,  3.]))
    >>> # f''(x) = 0: x⁴, x³ and -x⁴ alike
    >>> classify_critical_point([[0.0]]).kind
    'undecided'
    """
    H = check_symmetric("hessian", hessian, hint="a Hessian of a twice continuously differentiable f is symmetric")
    if H.shape[0] == 0:
        raise ValueError("hessian must be at least 1 x 1, got shape (0, 0)")
    tol = check_nonnegative("tol", tol)
    lam = np.linalg.eigvalsh(H)
    zero = tol * max(1.0, float(np.abs(lam).max()))
    positive, negative = bool(np.any(lam > zero)), bool(np.any(lam < -zero))
    if positive and negative:
        kind = "saddle point"
    elif np.any(np.abs(lam) <= zero):
        kind = "undecided"
    else:
        kind = "minimum" if positive else "maximum"
    return CriticalPoint(kind, lam)


# --------------------------------------------------- one variable: turning points

class SignTest(NamedTuple):
    """The verdict of the first-derivative test, and the signs it saw."""

    kind: str
    """``"minimum"``, ``"maximum"``, ``"not a turning point"`` (the derivative keeps its sign)
    or ``"undecided"`` (it vanishes or changes sign on one side)."""
    left: int
    """The sign of the derivative just left of the point: -1, +1, or 0 when not one sign."""
    right: int
    """The same just right of the point."""


def _side_sign(values: np.ndarray, tol: float) -> int:
    if np.all(values > tol):
        return 1
    if np.all(values < -tol):
        return -1
    return 0


def first_derivative_test(derivative: Callable[[float], float], x: float, *, h: float = 0.1,
                          samples: int = 8, tol: float = 0.0) -> SignTest:
    r"""Decide a stationary point of a one-variable function by the sign of its derivative around it.

    The derivative is evaluated at ``samples`` points on each side, :math:`x \pm h k/\text{samples}`
    for :math:`k = 1, \dots, \text{samples}`. If it is negative on the left and positive on the
    right, :math:`f` falls then rises: a **minimum**; the other way round, a **maximum**. Either
    is a *turning point*: the derivative changes sign there. If it has the same sign on
    both sides, :math:`f` keeps going the same way: **not a turning point** (at a point
    with :math:`f'(x) = 0` this is a stationary point of inflection, like :math:`x^3` at 0).
    Unlike the second-derivative test, this test decides :math:`x^4`, :math:`x^3` and
    :math:`-x^4` at 0, where :math:`f'' = 0` for all three.

    Parameters
    ----------
    derivative : callable
        :math:`f'`, taking and returning a float (a NumPy function of an array also works).
    x : float
        The point, usually one where :math:`f'(x) = 0`.
    h : float, default 0.1
        How far on each side to look, in (0, inf): the test speaks for :math:`(x - h, x + h)`
        only as far as the samples show it (a derivative that changes sign between two
        samples is missed).
    samples : int, default 8
        Points per side, ``>= 1``.
    tol : float, default 0
        Values with :math:`|f'| \le` ``tol`` count as zero; in [0, inf).

    Returns
    -------
    SignTest
        ``kind`` and the signs ``left`` and ``right`` (0 where the samples on that side
        are not all of one sign): ``"undecided"`` when either is 0.

    Examples
    --------
    >>> first_derivative_test(lambda x: 4 * x**3, 0.0).kind       # f = x⁴
    'minimum'
    >>> first_derivative_test(lambda x: 3 * x**2, 0.0)            # f = x³
    SignTest(kind='not a turning point', left=1, right=1)
    >>> # f constant
    >>> first_derivative_test(lambda x: 0.0 * x, 0.0).kind
    'undecided'
    """
    if not callable(derivative):
        raise ValueError(f"derivative must be a function of one number, got {derivative!r}")
    x = check_real("x", x)
    h = check_positive("h", h)
    samples = check_int("samples", samples, minimum=1)
    tol = check_nonnegative("tol", tol)
    offsets = h * np.arange(1, samples + 1) / samples
    left = np.array([float(derivative(x - d)) for d in offsets])
    right = np.array([float(derivative(x + d)) for d in offsets])
    if not (np.all(np.isfinite(left)) and np.all(np.isfinite(right))):
        raise ValueError(f"derivative must be finite on (x - h, x + h) = ({x - h:g}, {x + h:g})")
    sl, sr = _side_sign(left, tol), _side_sign(right, tol)
    if sl == 0 or sr == 0:
        kind = "undecided"
    elif sl == sr:
        kind = "not a turning point"
    else:
        kind = "minimum" if sl < 0 else "maximum"
    return SignTest(kind, sl, sr)


class Curve(NamedTuple):
    """A function of one variable with its first and second derivatives (NumPy functions)."""

    name: str
    latex: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    d2f: Callable[[np.ndarray], np.ndarray]


def turning_point_examples() -> tuple[Curve, Curve, Curve]:
    r"""The three functions the second-derivative test cannot tell apart at 0: :math:`x^4`, :math:`x^3`, :math:`-x^4`.

    All three have :math:`f'(0) = f''(0) = 0`. The first has a minimum at 0, the second
    a stationary point of inflection (not a turning point: :math:`3x^2 \ge 0` does not
    change sign) and the third a maximum. :ref:`Note 000 <note-000>` calls every point with
    :math:`f'' = 0` a saddle point, which the first and third contradict.

    Examples
    --------
    >>> [c.name for c in turning_point_examples()]
    ['x⁴', 'x³', '-x⁴']
    >>> [float(c.d2f(0.0)) for c in turning_point_examples()]
    [0.0, 0.0, -0.0]
    """
    return (
        Curve("x⁴", "x^4", lambda x: x**4, lambda x: 4.0 * x**3, lambda x: 12.0 * x**2),
        Curve("x³", "x^3", lambda x: x**3, lambda x: 3.0 * x**2, lambda x: 6.0 * x),
        Curve("-x⁴", "-x^4", lambda x: -x**4, lambda x: -4.0 * x**3, lambda x: -12.0 * x**2),
    )


def plot_turning_points(curves: Sequence[Curve] = (), *, x: float = 0.0, xlim=(-1.1, 1.1),
                        ylim=(-2.0, 2.0)) -> Figure:
    """One panel per curve with :math:`f`, :math:`f'` and :math:`f''`, titled with the verdict of
    :func:`first_derivative_test` at ``x``.

    Parameters
    ----------
    curves : sequence of Curve, optional
        Default: :func:`turning_point_examples`. At most 3 (the figure is 7.2 in wide).
    x : float
        The point to decide, marked on each panel.
    xlim, ylim : (low, high)
        The window of every panel.
    """
    from .plotting import new_figure

    curves = tuple(curves) or turning_point_examples()
    if not 1 <= len(curves) <= 3:
        raise ValueError(f"curves must hold 1 to 3 curves, got {len(curves)}")
    x = check_real("x", x)
    grid = np.linspace(xlim[0], xlim[1], 401)
    fig, axes = new_figure(len(curves), width=7.2 / len(curves), height=3.0)
    axes = np.atleast_1d(axes)
    from .scene import STYLE
    with mpl.rc_context(STYLE):
        for ax, curve in zip(axes, curves):
            verdict = first_derivative_test(curve.df, x).kind
            for i, (fn, label) in enumerate([(curve.f, "$f(x)$"), (curve.df, "$f'(x)$"),
                                             (curve.d2f, "$f''(x)$")]):
                ax.plot(grid, fn(grid), label=label, **series_style(i).line_kwargs())
            ax.plot([x], [float(curve.f(x))], "o", color="black", ms=6, zorder=5)
            ax.axhline(0.0, color=GREY, lw=0.8, zorder=0)
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
            ax.set_xlabel("$x$")
            ax.set_title(f"$f = {curve.latex}$: {verdict}", fontsize=11)
        axes[0].set_ylabel("value")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=3)
    return fig


# ------------------------------------------------------------ finite differences

def _scalar_function(f) -> Callable[[np.ndarray], float]:
    if not callable(f):
        raise ValueError(f"f must be a function of a point (or an Objective), got {f!r}")

    def value(x: np.ndarray) -> float:
        out = np.asarray(f(x), dtype=np.float64)
        if out.size != 1:
            raise ValueError(f"f must return one number, got an array of shape {out.shape}")
        return float(out.reshape(()))

    return value


def numerical_gradient(f, x, h: float = 1e-6) -> np.ndarray:
    r"""The gradient of ``f`` at ``x`` by central differences.

    .. math::

        \frac{\partial f}{\partial x_i}(x) \approx
        \frac{f(x + \delta e_i) - f(x - \delta e_i)}{2\delta}

    with the step :math:`\delta` = ``h``. The error is of order :math:`\delta^2` (the third
    derivatives) plus rounding of order :math:`10^{-16} |f| / \delta` (double precision);
    ``h = 1e-6`` balances the two for values of order one.

    Parameters
    ----------
    f : callable or Objective
        A function of a point of shape ``(d,)`` returning one number.
    x : array_like, shape (d,)
        The point (a number for a function of one variable).
    h : float, default 1e-6
        The step, in (0, inf).

    Examples
    --------
    >>> from course_lib import three_variable
    >>> g = numerical_gradient(three_variable(), [0.0, 0.0, 0.0])
    >>> g.round(8).tolist()
    [1.0, 0.0, 1.0]
    """
    value = _scalar_function(f)
    x = as_point("x", x)
    h = check_positive("h", h)
    grad = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (value(x + e) - value(x - e)) / (2.0 * h)
    return grad


def numerical_hessian(f, x, h: float = 1e-4) -> np.ndarray:
    r"""The Hessian of ``f`` at ``x`` by central differences (symmetric by construction).

    .. math::

        \frac{\partial^2 f}{\partial x_i \partial x_j}(x) \approx
        \frac{f(x + \delta e_i + \delta e_j) - f(x + \delta e_i - \delta e_j)
              - f(x - \delta e_i + \delta e_j) + f(x - \delta e_i - \delta e_j)}{4\delta^2}

    with the step :math:`\delta` = ``h`` (on the diagonal,
    :math:`(f(x + 2\delta e_i) - 2f(x) + f(x - 2\delta e_i))/(4\delta^2)`). The error is of
    order :math:`\delta^2` plus rounding of order :math:`10^{-16} |f| / \delta^2` (double
    precision); ``h = 1e-4`` balances the two for values of order one.

    Parameters
    ----------
    f : callable or Objective
        A function of a point of shape ``(d,)`` returning one number.
    x : array_like, shape (d,)
        The point.
    h : float, default 1e-4
        The step, in (0, inf).

    Examples
    --------
    >>> from course_lib import three_variable
    >>> H = numerical_hessian(three_variable(), [-1.0, -1.0, -1.0])
    >>> (H.round(6) + 0.0).tolist()
    [[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]]
    """
    value = _scalar_function(f)
    x = as_point("x", x)
    h = check_positive("h", h)
    d = x.size
    steps = h * np.eye(d)
    H = np.empty((d, d))
    for i in range(d):
        for j in range(i, d):
            ei, ej = steps[i], steps[j]
            H[i, j] = H[j, i] = (value(x + ei + ej) - value(x + ei - ej) - value(x - ei + ej)
                                 + value(x - ei - ej)) / (4.0 * h * h)
    return H


# ------------------------------------------------------------ solving ∇f = 0

class StationaryPoint(NamedTuple):
    """Where :func:`stationary_point` found :math:`\\nabla f = 0`."""

    x: np.ndarray
    """The point."""
    gradient_norm: float
    """:math:`\\lVert\\nabla f(x)\\rVert` there."""
    steps: int
    """Newton steps taken."""


def stationary_point(objective: Objective, x0, *, tol: float = 1e-10, steps: int = 50) -> StationaryPoint:
    r"""Solve :math:`\nabla f(x) = 0` by Newton's method from ``x0``.

    Each step solves the linear system :math:`\nabla^2 f(x_t)\, p = \nabla f(x_t)` and moves to
    :math:`x_{t+1} = x_t - p` (:func:`~course_lib.optimizers.newton`, run by :func:`~course_lib.runner.run`). On a
    quadratic whose Hessian is invertible, one step lands on the stationary point: the step
    *is* the solution of the linear system :math:`\nabla f(x) = 0`. Newton's method finds
    any stationary point, not only minima: classify it with :func:`classify_critical_point`.

    Parameters
    ----------
    objective : Objective
        A function with a gradient and a Hessian.
    x0 : array_like, shape (d,)
        The starting point.
    tol : float, default 1e-10
        Stop once :math:`\lVert\nabla f\rVert \le` ``tol``; in (0, inf).
    steps : int, default 50
        At most this many Newton steps, ``>= 1``.

    Returns
    -------
    StationaryPoint

    Raises
    ------
    ValueError
        If the objective has no Hessian, or Newton's method fails: a singular Hessian on
        the way (no unique step; try another ``x0``), a run that blows up, or no point with
        gradient norm at most ``tol`` after ``steps`` steps. The message says which.

    Examples
    --------
    >>> from course_lib import rosenbrock
    >>> p = stationary_point(rosenbrock(), [-1.2, 1.0])
    >>> p.x.round(10).tolist(), p.steps
    ([1.0, 1.0], 7)
    """
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective such as three_variable(), got {objective!r}")
    if objective.hess is None:
        raise ValueError(f"{objective.name} has no Hessian, which Newton's method needs")
    x0 = as_point("x0", x0, dim=objective.dim)
    tol = check_positive("tol", tol)
    steps = check_int("steps", steps, minimum=1)
    try:
        traj = run(newton(), objective, x0, steps, tol=tol)
    except ValueError as err:
        if "singular" in str(err):
            raise ValueError(f"Newton's method from x0 = {x0.tolist()} failed: {err}. "
                             "Try another x0") from None
        raise
    if traj.diverged:
        raise ValueError(f"Newton's method from x0 = {x0.tolist()} diverged at step {traj.diverged_at}; "
                         "try an x0 closer to the stationary point")
    if not traj.converged:
        raise ValueError(f"Newton's method from x0 = {x0.tolist()} did not reach |grad f| <= {tol:g} in "
                         f"{steps} steps (|grad f| = {traj.grad_norms[-1]:.3g} at the end); "
                         "allow more steps or try another x0")
    return StationaryPoint(traj.x.copy(), float(traj.grad_norms[-1]), traj.steps)


# ------------------------------------------------- the interactive figure

def rotated_quadratic(lam1: float, lam2: float, angle: float = math.pi / 6) -> Objective:
    r"""The quadratic :math:`f(x) = \tfrac12(\lambda_1 a_1^2 + \lambda_2 a_2^2)` in axes turned by ``angle``.

    Here :math:`a_i = q_i^\top x` with :math:`q_1 = (\cos\psi, \sin\psi)` and
    :math:`q_2 = (-\sin\psi, \cos\psi)`: the Hessian is :math:`R\,\operatorname{diag}(\lambda_1,
    \lambda_2)\,R^\top`, with eigenvalues ``lam1``, ``lam2`` and eigenvectors :math:`q_1`, :math:`q_2`.
    Its only critical point is the origin when both eigenvalues are non-zero.

    Parameters
    ----------
    lam1, lam2 : float
        The eigenvalues, any real numbers.
    angle : float, default π/6
        The angle :math:`\psi` of :math:`q_1` from the :math:`x_1` axis, in radians.

    Examples
    --------
    >>> q = rotated_quadratic(2.0, -1.0)
    >>> np.linalg.eigvalsh(q.hessian([0.0, 0.0])).round(12).tolist()
    [-1.0, 2.0]
    """
    lam1, lam2 = check_real("lam1", lam1), check_real("lam2", lam2)
    angle = check_real("angle", angle)
    c, s = math.cos(angle), math.sin(angle)
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag([lam1, lam2]) @ R.T
    A = 0.5 * (A + A.T)
    return quadratic(A, name=f"quadratic with eigenvalues {lam1:g}, {lam2:g}",
                     latex=r"\frac{1}{2}(\lambda_1 a_1^2 + \lambda_2 a_2^2)")


def _minus(value: float) -> str:
    return f"{value:g}".replace("-", "\u2212")


def eigenvalue_scene(lam1: float, lam2: float, *, angle: float = math.pi / 6, radius: float = 3.0,
                     rings: int = 6) -> Scene:
    r"""Contour lines of :func:`rotated_quadratic` and the Hessian test's verdict at the origin.

    The levels are :math:`\pm\tfrac12 \max(|\lambda_1|, |\lambda_2|)\, r^2` for
    :math:`r = \text{radius}\cdot k/\text{rings}`, :math:`k = 1, \dots, \text{rings}`: along the
    steeper eigenvector the lines cross at evenly spaced distances. Levels above zero are
    solid, levels below zero dashed. With one zero eigenvalue the lines are straight and
    parallel (the function does not change along that eigenvector); with both zero the
    function is constant and there are no contour lines, which the panel says.

    The axes, legend and eigenvector directions are the same for every ``lam1``, ``lam2``,
    as an interactive figure needs.

    Parameters
    ----------
    lam1, lam2 : float
        The Hessian's eigenvalues, any real numbers.
    angle : float, default π/6
        Direction of the first eigenvector :math:`q_1`, in radians.
    radius : float, default 3
        The panel shows :math:`[-\text{radius}, \text{radius}]^2`; in (0, inf).
    rings : int, default 6
        Contour levels of each sign, ``>= 1``.

    Examples
    --------
    >>> scene = eigenvalue_scene(1.0, -0.5)
    >>> items = scene.panels[0].items
    >>> [item.data[2] for item in items if item.kind == "text"]
    ['q₁', 'q₂', 'λ₁ = 1, λ₂ = −0.5: saddle point']
    """
    q = rotated_quadratic(lam1, lam2, angle)
    lam1, lam2 = float(lam1), float(lam2)
    radius = check_positive("radius", radius)
    rings = check_int("rings", rings, minimum=1)
    verdict = classify_critical_point(q.hessian([0.0, 0.0]))
    scene = Scene(width=5.0, height=5.0)
    lim = (-radius, radius)
    panel = scene.panel(lim, lim, xlabel="$x_1$", ylabel="$x_2$", equal=True, grid=False)
    above = Style(color=COLORS[0], width=1.0)
    below = Style(color=COLORS[1], width=1.0, dash=(4.0, 2.0))
    # Legend entries, present for every lam1, lam2 (empty lines: the legend only)
    panel.line([], [], above, label="f > 0")
    panel.line([], [], below, label="f < 0")
    steep = max(abs(lam1), abs(lam2))
    if steep > 0:
        r = radius * np.arange(1, rings + 1) / rings
        levels = 0.5 * steep * r**2
        if max(lam1, lam2) > 0:
            panel.contour(q, levels, above)
        if min(lam1, lam2) < 0:
            panel.contour(q, -levels, below)
    # The eigenvector directions, the same in every figure
    c, s = math.cos(angle), math.sin(angle)
    for k, (u, name) in enumerate([((c, s), "q₁"), ((-s, c), "q₂")]):
        style = Style(color=COLORS[2 + 2 * k], width=1.6, dash=((), (1.0, 1.65))[k])
        t = np.array([-1.5 * radius, 1.5 * radius])
        panel.line(t * u[0], t * u[1], style, label=f"eigenvector {name}")
        end = 0.8 * radius * (1.0 if k == 0 else -1.0)      # q₂'s name at its lower end, clear of the text
        panel.text(end * u[0], end * u[1], name, Style(color=style.color, font=11.0),
                   coords="data", ha="center", va="center")
    panel.points([0.0], [0.0], Style(color="#000000", marker="o", size=6.0, width=0.0))
    panel.text(0.02, 0.98, f"λ₁ = {_minus(lam1)}, λ₂ = {_minus(lam2)}: {verdict.kind}", Style(font=11.0))
    if steep == 0:
        panel.text(0.02, 0.90, "f is constant: no contour lines,", Style(font=10.0))
        panel.text(0.02, 0.83, "every point is a critical point", Style(font=10.0))
    elif verdict.kind == "undecided":
        panel.text(0.02, 0.90, "a zero eigenvalue: straight contour lines,", Style(font=10.0))
        panel.text(0.02, 0.83, "a whole line of critical points", Style(font=10.0))
    return scene
