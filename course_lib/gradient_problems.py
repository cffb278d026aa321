r"""Gradients that vanish and gradients that explode: tanh chains, cliffs and clipping.

Two of the difficulties of :ref:`note 000 <note-000>` and :ref:`note 003 <note-003>`:

* **vanishing gradients**. The derivative of :math:`\tanh` is :math:`1 - \tanh^2(x)`, tiny once
  :math:`|x|` is a few units (:func:`tanh_derivative`). Through a stack of layers
  :math:`a_k = \tanh(w\,a_{k-1})` the chain rule multiplies one such factor per layer, so the
  derivative of the output with respect to the input shrinks with depth (:func:`tanh_chain`,
  drawn by :func:`chain_scene`);
* **cliffs**. A steep step in the loss has a huge gradient on its face, and one gradient step
  there throws the parameters far away (:func:`cliff`). Clipping the gradient, by value or
  by norm, bounds the step (:func:`clipped_step`, :func:`cliff_run`, :func:`step_lengths`,
  drawn by :func:`cliff_scene`).

Examples
--------
>>> from course_lib.gradient_problems import (tanh_chain,
...                                          tanh_derivative)
>>> round(float(tanh_derivative(4.0)), 6)
0.001341
>>> chain = tanh_chain(1.0, depth=3, weight=0.5)
>>> chain.derivatives.round(4).tolist()
[1.0, 0.3932, 0.1865, 0.092]
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._validation import as_point, check_int, check_nonnegative, check_positive, check_real
from .objectives import Objective
from .optimizers import clip, gd
from .runner import Trajectory, first_step, run
from .scene import GREY, Scene, Style, series_style

__all__ = [
    "tanh_derivative", "TanhChain", "tanh_chain", "tanh_scene", "chain_scene",
    "cliff", "CLIP_METHODS", "clipped_step", "cliff_run", "step_lengths", "cliff_scene",
]


# ------------------------------------------------------------------ tanh

def tanh_derivative(x):
    r"""The derivative of :math:`\tanh`: :math:`\tanh'(x) = 1 - \tanh^2(x) = 1/\cosh^2(x)`.

    :ref:`Note 000 <note-000>` prints this formula as "1 tanh2(x)", with the minus sign lost.
    It is computed as :math:`4e^{-2|x|} / (1 + e^{-2|x|})^2`, which keeps full relative
    precision where :math:`\tanh(x)` rounds to :math:`\pm 1` and never overflows.

    Parameters
    ----------
    x : float or array_like
        Any finite real number(s).

    Returns
    -------
    float or ndarray
        :math:`1 - \tanh^2(x)`, in :math:`(0, 1]`, of the shape of ``x``.

    Examples
    --------
    >>> float(tanh_derivative(0.0))
    1.0
    >>> round(float(tanh_derivative(4.0)), 7)
    0.001341
    """
    try:
        arr = None if isinstance(x, bool) else np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or not np.all(np.isfinite(arr)):
        raise ValueError(f"x must be a finite real number or an array of them, got {x!r}")
    e = np.exp(-2.0 * np.abs(arr))
    out = np.minimum(4.0 * e / (1.0 + e) ** 2, 1.0)     # rounding must not lift it above 1
    return float(out) if out.ndim == 0 else out


class TanhChain(NamedTuple):
    r"""The forward pass and the input derivatives of a chain :math:`a_k = \tanh(w\,a_{k-1})`."""

    activations: np.ndarray
    r""":math:`a_0 = x, a_1, \dots, a_L`, shape ``(depth + 1,)``."""
    derivatives: np.ndarray
    r""":math:`\partial a_k / \partial x` for :math:`k = 0, \dots, L` (the first is 1), shape ``(depth + 1,)``."""
    factors: np.ndarray
    r"""The factor each layer multiplies the derivative by, :math:`w\,(1 - a_k^2)` for :math:`k = 1, \dots, L`,
    shape ``(depth,)``."""
    weight: float
    r""":math:`w`."""


def tanh_chain(x: float, depth: int, weight: float) -> TanhChain:
    r"""Push ``x`` through ``depth`` layers :math:`a_k = \tanh(w\,a_{k-1})` and differentiate.

    By the chain rule,

    .. math::

        \frac{\partial a_L}{\partial x} = \prod_{k=1}^{L} w\,\bigl(1 - a_k^2\bigr),

    one factor :math:`w\,\tanh'(w\,a_{k-1})` per layer. Each factor is at most :math:`|w|` in
    size, so :math:`|\partial a_L / \partial x| \le |w|^L`: for :math:`|w| < 1` the derivative
    vanishes at least geometrically. For large :math:`|w|` the activations saturate near
    :math:`\pm 1`, where :math:`1 - a_k^2` is tiny, and it vanishes too
    (:ref:`note 000 <note-000>`, "vanishing gradients").

    Parameters
    ----------
    x : float
        The input :math:`a_0`, any finite real number.
    depth : int
        The number of layers :math:`L \ge 0`.
    weight : float
        The weight :math:`w` shared by every layer, any finite real number.

    Returns
    -------
    TanhChain
        Activations, derivatives :math:`\partial a_k / \partial x` and per-layer factors.

    Examples
    --------
    >>> chain = tanh_chain(0.5, depth=2, weight=1.0)
    >>> chain.activations.round(4).tolist()
    [0.5, 0.4621, 0.4318]
    >>> chain.factors.round(4).tolist()
    [0.7864, 0.8135]
    >>> float(chain.derivatives[-1].round(4))
    0.6398
    """
    x = check_real("x", x)
    depth = check_int("depth", depth, minimum=0)
    w = check_real("weight", weight)
    acts = np.empty(depth + 1)
    factors = np.empty(depth)
    acts[0] = x
    for k in range(depth):
        z = w * acts[k]
        acts[k + 1] = math.tanh(z)
        factors[k] = w * tanh_derivative(z)
    derivatives = np.concatenate([[1.0], np.cumprod(factors)])
    return TanhChain(acts, derivatives, factors, w)


def tanh_scene(mark: float = 4.0, *, xlim: tuple[float, float] = (-5.0, 5.0)) -> Scene:
    r"""A figure of :math:`\tanh` and its derivative, with the derivative's value at ``mark`` marked.

    Draw it with :func:`course_lib.scene.scene_figure`.

    Parameters
    ----------
    mark : float
        The point whose derivative is marked, inside ``xlim``.
    xlim : (low, high)
        The horizontal window.

    Examples
    --------
    >>> scene = tanh_scene(4.0)
    >>> [p.xlabel for p in scene.panels]
    ['$x$']
    """
    mark = check_real("mark", mark)
    lo, hi = check_real("xlim[0]", xlim[0]), check_real("xlim[1]", xlim[1])
    if not lo < mark < hi:
        raise ValueError(f"mark must lie inside xlim = ({lo:g}, {hi:g}), got {mark!r}")
    scene = Scene(width=6.0, height=3.4)
    panel = scene.panel((lo, hi), (-1.1, 1.1), xlabel="$x$", ylabel="value")
    grid = np.linspace(lo, hi, 401)
    panel.line([lo, hi], [0.0, 0.0], Style(color=GREY, width=0.8))
    panel.line(grid, np.tanh(grid), series_style(0), label=r"$\tanh(x)$")
    panel.line(grid, tanh_derivative(grid), series_style(1), label=r"$\tanh'(x) = 1 - \tanh^2(x)$")
    d = tanh_derivative(mark)
    panel.points([mark], [d], Style(color=series_style(1).color, marker="o", size=7.0, width=0.0))
    panel.text(mark, 0.12, f"$\\tanh'({mark:g}) = {d:.4f}$", Style(color="#000000", font=10.0),
               coords="data", ha="right" if mark > 0 else "left", va="bottom")
    return scene


def chain_scene(weight: float, x: float, depth: int = 20, *, ylim=(1e-20, 1e3),
                activation_ylim=(-0.05, 1.05)) -> Scene:
    r"""Two panels for a tanh chain: :math:`|\partial a_k/\partial x|` on a log scale, and :math:`a_k`.

    The left panel also draws the bound :math:`|w|^k` (dashed). Values below ``ylim`` run off
    the bottom of the panel.

    Parameters
    ----------
    weight, x, depth
        As in :func:`tanh_chain`.
    ylim : (low, high)
        The log-scale range of the left panel, ``0 < low < high``.
    activation_ylim : (low, high)
        The range of the right panel (the default suits :math:`w, x > 0`).

    Examples
    --------
    >>> scene = chain_scene(0.5, 1.0, depth=5)
    >>> [p.yscale for p in scene.panels]
    ['log', 'linear']
    """
    chain = tanh_chain(x, depth, weight)
    k = np.arange(depth + 1)
    scene = Scene(width=7.2, height=3.5)
    left = scene.panel((0, max(depth, 1)), ylim, yscale="log", xlabel="layer $k$",
                       ylabel=r"$|\partial a_k / \partial x|$", weight=1.2)
    with np.errstate(over="ignore", divide="ignore"):
        bound = np.abs(chain.weight) ** k.astype(np.float64)
    left.line(k, bound, Style(color="#000000", width=1.0, dash=(3.0, 2.0)), label="bound $|w|^k$")
    left.line(k, np.abs(chain.derivatives), series_style(0, markers=True), label="tanh chain")
    right = scene.panel((0, max(depth, 1)), activation_ylim, xlabel="layer $k$", ylabel="activation $a_k$")
    right.line([0, max(depth, 1)], [0.0, 0.0], Style(color=GREY, width=0.8))
    right.line(k[1:], chain.activations[1:], series_style(0, markers=True), label="tanh chain")
    return scene


# ------------------------------------------------------------------ cliff

def _sigmoid_slope(z):
    """The logistic function's derivative sigma'(z) = sigma(z)(1 - sigma(z)) = tanh'(z/2)/4."""
    return 0.25 * tanh_derivative(z / 2.0)


def cliff(height: float = 10.0, width: float = 0.1, *, curvature: float = 0.25,
          centre=(2.5, 1.0), angle: float = 30.0, offset: float = 0.0) -> Objective:
    r"""A gentle bowl with a steep step (a *cliff*) across the way to its minimum.

    .. math::

        f(x) = \tfrac{q}{2}\,\lVert x - x_\mathrm{b} \rVert^2
               + D\,\sigma\!\Bigl(-\frac{r^\top x - a}{\ell}\Bigr),
        \qquad \sigma(z) = \frac{1}{1 + e^{-z}},\quad r = (\cos\psi, \sin\psi).

    Where :math:`r^\top x < a` the function sits on a plateau :math:`D` higher; across the
    line :math:`r^\top x = a` it drops by :math:`D` within a few widths :math:`\ell`. On the
    face the gradient of the step is :math:`-\tfrac{D}{\ell}\,\sigma'(\cdot)\,r`, up to
    :math:`D/(4\ell)` long, pointing back up the cliff: a gradient step there jumps far
    (:ref:`note 003 <note-003>`: cliffs "may also cause that the gradient update step moves
    the parameters extremely far"). The letters are those of the chapter on gradients.

    Parameters
    ----------
    height : float
        The drop :math:`D \ge 0` of the step.
    width : float
        Its width :math:`\ell > 0`; the steepest slope is :math:`D/(4\ell)`.
    curvature : float
        The bowl's curvature :math:`q > 0`.
    centre : (float, float)
        The bowl's centre :math:`x_\mathrm{b}`. It must lie on the low side, at least 10
        widths from the cliff (:math:`r^\top x_\mathrm{b} - a \ge 10 \ell`), so that the
        minimizer is near it.
    angle : float
        The direction :math:`\psi` of the cliff's downhill normal :math:`r`, in degrees.
    offset : float
        :math:`a`: the cliff is centred on the line :math:`r^\top x = a`.

    Returns
    -------
    Objective
        With gradient, Hessian, and the minimizer (found by Newton's method from :math:`m`).

    Examples
    --------
    >>> F = cliff()
    >>> # 10 from the cliff, 3.75 from the bowl
    >>> round(F.value([-3.0, 0.0]) - F.value([3.0, 0.0]), 4)
    13.75
    >>> float(abs(F.gradient(F.minimizer)).max()) < 1e-12
    True
    """
    D = check_nonnegative("height", height)
    ell = check_positive("width", width)
    q = check_positive("curvature", curvature)
    xb = as_point("centre", centre, dim=2)
    psi = math.radians(check_real("angle", angle))
    a = check_real("offset", offset)
    r = np.array([math.cos(psi), math.sin(psi)])
    if (r @ xb - a) < 10.0 * ell:
        raise ValueError(f"centre must lie on the low side of the cliff, at least 10 widths from it "
                         f"(r·centre - offset >= {10.0 * ell:g}), got {r @ xb - a:g}")

    def f(x):
        z = np.tensordot(r, x, axes=(0, 0)) - a
        diff = x - xb.reshape((2,) + (1,) * (x.ndim - 1))
        # D σ(-z/ℓ) written as D (1 - tanh(z / 2ℓ)) / 2, which never overflows
        return 0.5 * q * np.sum(diff * diff, axis=0) + D * 0.5 * (1.0 - np.tanh(z / (2.0 * ell)))

    def grad(x):
        z = r @ x - a
        return q * (x - xb) - (D / ell) * _sigmoid_slope(z / ell) * r

    def hess(x):
        z = r @ x - a
        curve = (D / ell ** 2) * _sigmoid_slope(z / ell) * math.tanh(z / (2.0 * ell))
        return q * np.eye(2) + curve * np.outer(r, r)

    x = xb.copy()                        # Newton's method from the bowl's centre
    for _ in range(50):
        step = np.linalg.solve(hess(x), grad(x))
        x = x - step
        if np.linalg.norm(step) <= 1e-15 * (1.0 + np.linalg.norm(x)):
            break
    return Objective(
        name="cliff", dim=2, f=f, grad=grad, hess=hess,
        latex=(rf"\frac{{{q:g}}}{{2}}\Vert x - x_\mathrm{{b}}\Vert^2 + {D:g}\,"
               + (rf"\sigma(-(r^\top x {'-' if a > 0 else '+'} {abs(a):g})/{ell:g})" if a
                  else rf"\sigma(-r^\top x/{ell:g})")),
        minimizer=x, bounds=((-4.0, 7.0), (-3.0, 5.0)),
        cache_key=("cliff", D, ell, q, xb.tobytes(), psi, a),
    )


#: The clipping methods of :func:`cliff_run` and :func:`cliff_scene`.
CLIP_METHODS = ("none", "by value", "by norm")


def clipped_step(g, lr: float, *, max_value: float | None = None,
                 max_norm: float | None = None) -> np.ndarray:
    r"""The displacement :math:`x_{t+1} - x_t = -\eta\,\operatorname{clip}(g)` of one clipped gradient step.

    Clipping by value caps every coordinate, :math:`|g_i| \le c`: the step is at most
    :math:`\eta c \sqrt{d}` long and may turn. Clipping by norm rescales :math:`g` to length
    :math:`c` if it is longer: the step is at most :math:`\eta c` long and keeps its
    direction (:ref:`note 003 <note-003>`, "heuristic gradient clipping"). It is the step
    of ``clip(gd(lr), max_value=..., max_norm=...)``.

    Parameters
    ----------
    g : array_like
        The gradient, finite.
    lr : float
        The learning rate :math:`\eta > 0`.
    max_value, max_norm : float, optional
        The thresholds :math:`c > 0`; with neither, the step is not clipped.

    Examples
    --------
    >>> clipped_step([30.0, 40.0], 0.1, max_norm=5.0).round(4).tolist()
    [-0.3, -0.4]
    >>> clipped_step([30.0, 40.0], 0.1, max_value=5.0).round(4).tolist()
    [-0.5, -0.5]
    """
    g = as_point("g", g)
    lr = check_positive("lr", lr)
    opt = gd(lr=lr)
    if max_value is not None or max_norm is not None:
        opt = clip(opt, max_value=max_value, max_norm=max_norm)
    return first_step(opt, g)


def cliff_run(method: str = "none", threshold: float = 1.0, *, objective: Objective | None = None,
              x0=(-3.0, -0.4), lr: float = 0.3, steps: int = 50) -> Trajectory:
    r"""Gradient descent on :func:`cliff`, with the gradient clipped ``"by value"``, ``"by norm"`` or not.

    Parameters
    ----------
    method : {"none", "by value", "by norm"}
        How the gradient is clipped before each step.
    threshold : float
        The clipping threshold :math:`c > 0` (ignored for ``"none"``).
    objective : Objective, optional
        Default: ``cliff()``.
    x0 : (float, float)
        The start, on the plateau.
    lr : float
        The learning rate :math:`\eta > 0`.
    steps : int
        The number of steps, ``>= 0``.

    Returns
    -------
    Trajectory
        A run that leaves any reasonable range is reported as diverged (see :func:`~course_lib.runner.run`).

    Examples
    --------
    >>> from course_lib.gradient_problems import cliff_run, step_lengths
    >>> lengths = step_lengths(cliff_run("by norm", 1.0))
    >>> bool(lengths.max() <= 0.3 * 1.0 + 1e-12)
    True
    """
    if method not in CLIP_METHODS:
        raise ValueError(f"method must be one of {CLIP_METHODS}, got {method!r}")
    c = check_positive("threshold", threshold)
    opt = gd(lr=check_positive("lr", lr))
    if method == "by value":
        opt = clip(opt, max_value=c)
    elif method == "by norm":
        opt = clip(opt, max_norm=c)
    return run(opt, cliff() if objective is None else objective, x0, steps)


def step_lengths(traj) -> np.ndarray:
    r"""The length of every step of a run, :math:`\lVert x_{t+1} - x_t \rVert_2` for :math:`t = 0, 1, \dots`.

    Parameters
    ----------
    traj : Trajectory or array_like of shape (n, d)
        A run (its recorded iterates ``xs``; record every step for true step lengths) or the
        iterates themselves.

    Returns
    -------
    ndarray, shape (n - 1,)

    Examples
    --------
    >>> step_lengths([[0.0, 0.0], [3.0, 4.0], [3.0, 5.0]]).tolist()
    [5.0, 1.0]
    """
    xs = traj.xs if isinstance(traj, Trajectory) else traj
    try:
        xs = np.asarray(xs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"traj must be a Trajectory or an array of iterates of shape (n, d), got {traj!r}") from None
    if xs.ndim != 2 or len(xs) < 1:
        raise ValueError(f"traj must be a Trajectory or an array of iterates of shape (n, d), got shape {xs.shape}")
    return np.linalg.norm(np.diff(xs, axis=0), axis=1)


def cliff_scene(method: str, threshold: float, *, objective: Objective | None = None,
                x0=(-3.0, -0.4), lr: float = 0.3, steps: int = 50,
                bounds=((-4.0, 7.0), (-3.0, 5.0)), step_ylim=(1e-2, 30.0)) -> Scene:
    r"""Gradient descent on a cliff, with and without clipping: paths and step lengths.

    Left: contour lines of the cliff, the path without clipping (for reference) and the path
    with the chosen ``method`` and ``threshold``. Right: the step lengths
    :math:`\lVert x_{t+1} - x_t \rVert` against :math:`t` on a log scale, with the bounds
    :math:`\eta c` (dashed; clipping by norm) and :math:`\eta c\sqrt{2}` (dotted; clipping by value).

    Parameters
    ----------
    method, threshold, objective, x0, lr, steps
        As in :func:`cliff_run`.
    bounds : ((x1_low, x1_high), (x2_low, x2_high))
        The window of the contour panel.
    step_ylim : (low, high)
        The log-scale range of the step-length panel.

    Examples
    --------
    >>> scene = cliff_scene("by norm", 1.0)
    >>> [p.equal for p in scene.panels]
    [True, False]
    """
    F = cliff() if objective is None else objective
    reference = cliff_run("none", threshold, objective=F, x0=x0, lr=lr, steps=steps)
    chosen = cliff_run(method, threshold, objective=F, x0=x0, lr=lr, steps=steps)
    c = check_positive("threshold", threshold)
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    scene = Scene(width=7.4, height=3.9)
    paths = scene.panel((x_lo, x_hi), (y_lo, y_hi), xlabel="$x_1$", ylabel="$x_2$", equal=True, grid=False,
                        weight=1.25)
    f_star = F.min_value
    paths.contour(F, f_star + np.geomspace(0.05, 40.0, 14))
    paths.points([F.minimizer[0]], [F.minimizer[1]],
                 Style(color="#000000", marker="*", size=11.0, fill="#ffffff", width=0.0), label="minimizer")
    ref_style = series_style(1, markers=True)._replace(width=1.2)
    paths.path(reference, ref_style, label="no clipping", note_row=0)
    style = series_style(0, markers=True)
    paths.path(chosen, style, label="chosen method", note_row=1)
    lengths = scene.panel((0, steps), step_ylim, yscale="log", xlabel="step $t$",
                          ylabel=r"step length $\|x_{t+1} - x_t\|$")
    for traj, st in ((reference, ref_style), (chosen, style)):
        d = step_lengths(traj)
        lengths.line(np.arange(len(d)), d, st._replace(marker=""))
    # the bounds on top, so that a run whose steps sit exactly on one does not hide it
    lengths.line([0, steps], [lr * c] * 2, Style(color="#000000", width=1.0, dash=(4.0, 2.0)),
                 label=r"$\eta c$")
    lengths.line([0, steps], [lr * c * math.sqrt(2.0)] * 2, Style(color="#000000", width=1.0, dash=(1.0, 2.0)),
                 label=r"$\eta c\sqrt{2}$")
    return scene
