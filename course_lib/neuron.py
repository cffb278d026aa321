r"""A single sigmoid neuron with binary cross-entropy, and one Adam step on it written out by hand.

The neuron of :ref:`note 000 <note-000>`'s worked Adam example has one weight
:math:`w`, one bias :math:`b` and one training pair :math:`(x, y)`:

.. math::

    z = w x + b, \qquad \hat y = \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
    L = -\bigl[y \log \hat y + (1 - y) \log(1 - \hat y)\bigr].

Since :math:`\log \sigma(z) = -\log(1 + e^{-z})` and :math:`\log(1 - \sigma(z)) = -\log(1 + e^{z})`,
the loss is computed as :math:`L = y\,\log(1 + e^{-z}) + (1 - y)\log(1 + e^{z})` with
``numpy.logaddexp``, which never takes the logarithm of a rounded-off zero. Its
gradient is :math:`\partial L / \partial w = (\hat y - y)\,x` and
:math:`\partial L / \partial b = \hat y - y`.

:func:`adam_step_by_hand` performs one Adam step on :math:`(w, b)` and returns every
intermediate number; the update itself is :func:`course_lib.optimizers.adam`'s.

Examples
--------
>>> # the worked example: x = 3.5, y = 0.5, w = b = -2
>>> s = adam_step_by_hand()
>>> print(f"{s.y_hat:.4e}  {s.loss:.4f}")
1.2339e-04  4.5001
>>> print(f"{s.grad_w:.4f}  {s.w_new:.4f}")
-1.7496  -1.9000
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_real, check_unit_interval
from .objectives import Objective
from .optimizers import AdamState, adam
from .runner import first_step
from .scene import GREY, Scene, Style, series_style

__all__ = [
    "NOTE_000_EXAMPLE", "sigmoid", "bce_loss", "neuron_forward", "neuron_gradient", "neuron_objective",
    "neuron_min_value", "AdamStep", "adam_step_by_hand", "adam_history", "history_points", "adam_first_step",
    "neuron_scene",
]

#: The data and hyperparameters of :ref:`note 000 <note-000>`'s worked Adam example.
NOTE_000_EXAMPLE = {"w": -2.0, "b": -2.0, "x": 3.5, "y": 0.5, "lr": 0.1, "beta1": 0.9, "beta2": 0.99,
                    "eps": 1e-8}


def sigmoid(z):
    r"""The logistic function :math:`\sigma(z) = 1/(1 + e^{-z})`, without overflow for any real ``z``.

    Parameters
    ----------
    z : float or array_like
        Any real numbers.

    Returns
    -------
    float or ndarray
        Values in :math:`[0, 1]`, of the shape of ``z``.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    >>> print(f"{sigmoid(-9.0):.6e}  {sigmoid(800.0):.1f}")
    1.233946e-04  1.0
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))                  # in (0, 1]: never overflows
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(out) if out.ndim == 0 else out


def _check_label(y) -> float:
    return check_unit_interval("y", y, closed_right=True)


def bce_loss(z, y):
    r"""Binary cross-entropy of the prediction :math:`\sigma(z)` for the label ``y``, from the logit ``z``.

    .. math::

        L = -\bigl[y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\bigr]
          = y \log(1 + e^{-z}) + (1 - y) \log(1 + e^{z}),

    the second form computed with ``numpy.logaddexp``, exact even where
    :math:`\sigma(z)` rounds to 0 or 1.

    Parameters
    ----------
    z : float or array_like
        The logit :math:`z = wx + b`, any real numbers.
    y : float
        The label, in :math:`[0, 1]` (a soft label such as 0.5 is allowed, as in
        :ref:`note 000 <note-000>`'s example).

    Examples
    --------
    >>> print(f"{bce_loss(0.0, 1.0):.6f}")          # log 2
    0.693147
    >>> # -log(sigma(-800)) = 800, no overflow
    >>> print(f"{bce_loss(-800.0, 1.0):.1f}")
    800.0
    """
    y = _check_label(y)
    z = np.asarray(z, dtype=np.float64)
    out = y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z)
    return float(out) if out.ndim == 0 else out


def _check_point(w, b, x, y) -> tuple[float, float, float, float]:
    return check_real("w", w), check_real("b", b), check_real("x", x), _check_label(y)


def neuron_forward(w: float, b: float, x: float, y: float) -> tuple[float, float, float]:
    r"""The forward pass :math:`z = wx + b`, :math:`\hat y = \sigma(z)` and the loss :math:`L`.

    Parameters
    ----------
    w, b : float
        Weight and bias, any real numbers.
    x : float
        The input, any real number.
    y : float
        The label, in :math:`[0, 1]`.

    Returns
    -------
    (z, y_hat, loss) : tuple of float

    Examples
    --------
    >>> # w = b = 0: the neuron says 1/2
    >>> neuron_forward(0.0, 0.0, 3.5, 1.0)[1]
    0.5
    """
    w, b, x, y = _check_point(w, b, x, y)
    z = w * x + b
    return z, sigmoid(z), bce_loss(z, y)


def neuron_gradient(w: float, b: float, x: float, y: float) -> tuple[float, float]:
    r"""The gradient :math:`(\partial L/\partial w, \partial L/\partial b) = ((\hat y - y)\,x,\ \hat y - y)`.

    The sigmoid's derivative :math:`\hat y (1 - \hat y)` cancels against the loss's
    :math:`1/(\hat y (1 - \hat y))`, which is why the gradient is so simple.

    Parameters
    ----------
    w, b, x : float
        Weight, bias and input, any real numbers.
    y : float
        The label, in :math:`[0, 1]`.

    Examples
    --------
    >>> # y_hat = 0.5: (-0.5 * 3.5, -0.5)
    >>> neuron_gradient(0.0, 0.0, 3.5, 1.0)
    (-1.75, -0.5)
    """
    z, y_hat, _ = neuron_forward(w, b, x, y)
    error = y_hat - y
    return error * float(x), error


def neuron_objective(x: float = 3.5, y: float = 0.5) -> Objective:
    r"""The loss :math:`L(w, b)` of one sigmoid neuron on one pair :math:`(x, y)`, as an :class:`Objective`.

    The variables are :math:`\theta = (w, b)`. The Hessian is
    :math:`\sigma'(z) \begin{pmatrix} x^2 & x \\ x & 1 \end{pmatrix}` with
    :math:`\sigma'(z) = \hat y (1 - \hat y)`: positive semidefinite, so :math:`L` is convex,
    but singular, and for :math:`0 < y < 1` every point of the line
    :math:`xw + b = \log(y / (1 - y))` is a minimizer, with value the entropy
    :math:`-y\log y - (1 - y)\log(1 - y)` (``minimizer`` is ``None``: there is no single one).

    Parameters
    ----------
    x : float, default 3.5
        The input, any real number (:ref:`note 000 <note-000>`'s example uses 3.5).
    y : float, default 0.5
        The label, in :math:`[0, 1]`.

    Examples
    --------
    >>> L = neuron_objective()
    >>> print(f"{L.value([-2.0, -2.0]):.4f}  {L.value([0.0, 0.0]):.4f}")
    4.5001  0.6931
    """
    x = check_real("x", x)
    y = _check_label(y)

    def f(theta):
        return bce_loss(x * theta[0] + theta[1], y)

    def grad(theta):
        return np.array(neuron_gradient(theta[0], theta[1], x, y))

    def hess(theta):
        s = sigmoid(x * theta[0] + theta[1])
        return s * (1.0 - s) * np.array([[x * x, x], [x, 1.0]])

    return Objective(name=f"sigmoid neuron, BCE at (x, y) = ({x:g}, {y:g})", dim=2, f=f, grad=grad, hess=hess,
                     latex=r"-y\log\sigma(wx + b) - (1 - y)\log(1 - \sigma(wx + b))",
                     minimizer=None, bounds=((-2.5, 1.0), (-2.5, 1.0)), variables=("w", "b"),
                     cache_key=("sigmoid neuron", x, y))


def neuron_min_value(y: float) -> float:
    r"""The smallest loss of the neuron, the entropy :math:`-y\log y - (1 - y)\log(1 - y)` (0 for y = 0 or 1)."""
    y = _check_label(y)
    return float(sum(-p * math.log(p) for p in (y, 1.0 - y) if p > 0.0))


class AdamStep(NamedTuple):
    """Every number of one Adam step on the neuron, in the order they are computed.

    The moments are those *after* the step; ``state`` is the optimizer's state to pass
    to the next step.
    """

    t: int
    """The step's number, 1 for the first step."""
    w: float
    """Weight before the step."""
    b: float
    """Bias before the step."""
    z: float
    """Pre-activation :math:`wx + b`."""
    y_hat: float
    """Output :math:`\\sigma(z)`."""
    loss: float
    """Binary cross-entropy before the step."""
    grad_w: float
    """:math:`\\partial L/\\partial w = (\\hat y - y) x`."""
    grad_b: float
    """:math:`\\partial L/\\partial b = \\hat y - y`."""
    m_w: float
    """First moment of the weight's gradient."""
    m_b: float
    """First moment of the bias's gradient."""
    v_w: float
    """Second moment of the weight's gradient."""
    v_b: float
    """Second moment of the bias's gradient."""
    m_hat_w: float
    """Bias-corrected first moment :math:`m_w / (1 - \\beta_1^t)` (equal to ``m_w`` without correction)."""
    m_hat_b: float
    """Bias-corrected first moment of the bias."""
    v_hat_w: float
    """Bias-corrected second moment :math:`v_w / (1 - \\beta_2^t)` (equal to ``v_w`` without correction)."""
    v_hat_b: float
    """Bias-corrected second moment of the bias."""
    w_new: float
    """Weight after the step."""
    b_new: float
    """Bias after the step."""
    state: AdamState
    """The optimizer's state after the step (``t``, ``m = [m_w, m_b]``, ``v = [v_w, v_b]``)."""


def adam_step_by_hand(w: float = -2.0, b: float = -2.0, *, x: float = 3.5, y: float = 0.5, lr: float = 0.1,
                      beta1: float = 0.9, beta2: float = 0.99, eps: float = 1e-8, bias_correction: bool = True,
                      state: AdamState | None = None) -> AdamStep:
    r"""One Adam step on the sigmoid neuron, with every intermediate quantity.

    The forward and backward pass are computed here (:func:`neuron_forward`,
    :func:`neuron_gradient`); the update is :func:`course_lib.optimizers.adam`'s
    ``update``, applied to :math:`\theta = (w, b)`:

    .. math::

        m &= \beta_1 m_{\text{prev}} + (1 - \beta_1)\, g, \qquad
        v = \beta_2 v_{\text{prev}} + (1 - \beta_2)\, g^2, \\
        \hat m &= \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        \theta_{\text{new}} = \theta - \eta \frac{\hat m}{\sqrt{\hat v} + \epsilon},

    coordinate by coordinate. The moments are read from the optimizer's new
    :class:`~course_lib.optimizers.AdamState`, and the corrected moments are those moments
    divided by :math:`1 - \beta^t`.

    The defaults are :ref:`note 000 <note-000>`'s worked example (``NOTE_000_EXAMPLE``).

    Parameters
    ----------
    w, b : float, default -2.0
        Weight and bias before the step, any real numbers.
    x : float, default 3.5
        The input, any real number.
    y : float, default 0.5
        The label, in :math:`[0, 1]`.
    lr : float, default 0.1
        The learning rate :math:`\eta > 0`.
    beta1, beta2 : float, default 0.9 and 0.99
        Decays of the moments, in :math:`[0, 1)`.
    eps : float, default 1e-8
        :math:`\epsilon > 0`, added to :math:`\sqrt{\hat v}`.
    bias_correction : bool, default True
        Whether to divide the moments by :math:`1 - \beta^t`.
    state : AdamState, optional
        The optimizer's state from the previous step (default: a first step, zero moments).

    Returns
    -------
    AdamStep

    Examples
    --------
    >>> # y_hat = 0.5, g = (-1.75, -0.5)
    >>> s = adam_step_by_hand(w=0.0, b=0.0, y=1.0)
    >>> print(s.y_hat, s.grad_w, s.grad_b)
    0.5 -1.75 -0.5
    >>> print(round(s.m_w, 6), round(s.m_hat_w, 6), round(s.w_new, 6))
    -0.175 -1.75 0.1
    """
    w, b, x, y = _check_point(w, b, x, y)
    opt = adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction)
    theta = np.array([w, b])
    if state is None:
        state = opt.init(theta)
    elif not isinstance(state, AdamState) or np.shape(state.m) != (2,):
        raise ValueError("state must be the AdamState of a previous step on (w, b), or None for a first step")

    z, y_hat, loss = neuron_forward(w, b, x, y)                 # forward pass
    g = np.array(neuron_gradient(w, b, x, y))                   # backward pass
    theta_new, new = opt.update(theta, g, state)                # Adam's update, from course_lib
    t = new.t
    c1 = 1.0 - beta1 ** t if bias_correction else 1.0         # the factors the update divided by
    c2 = 1.0 - beta2 ** t if bias_correction else 1.0
    m_hat, v_hat = new.m / c1, new.v / c2
    return AdamStep(t=t, w=w, b=b, z=z, y_hat=y_hat, loss=loss, grad_w=float(g[0]), grad_b=float(g[1]),
                    m_w=float(new.m[0]), m_b=float(new.m[1]), v_w=float(new.v[0]), v_b=float(new.v[1]),
                    m_hat_w=float(m_hat[0]), m_hat_b=float(m_hat[1]), v_hat_w=float(v_hat[0]),
                    v_hat_b=float(v_hat[1]), w_new=float(theta_new[0]), b_new=float(theta_new[1]), state=new)


def adam_history(steps: int, w: float = -2.0, b: float = -2.0, **hyper) -> list[AdamStep]:
    r"""``steps`` Adam steps in a row on the neuron, each as an :class:`AdamStep`.

    Parameters
    ----------
    steps : int
        Number of steps, ``>= 1``.
    w, b : float, default -2.0
        The starting point.
    **hyper
        ``x``, ``y``, ``lr``, ``beta1``, ``beta2``, ``eps``, ``bias_correction`` as in
        :func:`adam_step_by_hand`.

    Examples
    --------
    >>> h = adam_history(3)
    >>> [s.t for s in h], round(h[1].w, 6) == round(h[0].w_new, 6)
    ([1, 2, 3], True)
    """
    steps = check_int("steps", steps, minimum=1)
    if "state" in hyper:
        raise ValueError("adam_history starts from zero moments: do not pass state")
    history, state = [], None
    for _ in range(steps):
        step = adam_step_by_hand(w, b, state=state, **hyper)
        history.append(step)
        w, b, state = step.w_new, step.b_new, step.state
    return history


def history_points(history: Sequence[AdamStep]) -> np.ndarray:
    r"""The points :math:`(w, b)` a history of steps visits: the start, then each step's new point.

    Parameters
    ----------
    history : sequence of AdamStep
        Consecutive steps, as returned by :func:`adam_history` (may be empty: then there
        is no point to return, and the result has shape ``(0, 2)``).

    Examples
    --------
    >>> history_points(adam_history(2)).round(4).tolist()
    [[-2.0, -2.0], [-1.9, -1.9], [-1.8, -1.8]]
    """
    if len(history) == 0:
        return np.zeros((0, 2))
    first = history[0]
    return np.array([[first.w, first.b]] + [[s.w_new, s.b_new] for s in history])


def adam_first_step(g, *, lr: float = 0.1, beta1: float = 0.9, beta2: float = 0.99, eps: float = 1e-8,
                    bias_correction: bool = True, eps_in_sqrt: bool = False) -> np.ndarray:
    r"""The displacement :math:`\theta_1 - \theta_0` of Adam's first step for the gradient ``g``.

    From zero moments, :math:`m = (1 - \beta_1) g` and :math:`v = (1 - \beta_2) g^2`. With
    bias correction :math:`\hat m = g`, :math:`\hat v = g^2`, so each coordinate moves by
    :math:`-\eta\, g / (|g| + \epsilon)`: almost exactly :math:`\eta` against the sign of
    its gradient, unless :math:`|g|` is as small as :math:`\epsilon`. Without it, the move is
    :math:`-\eta (1 - \beta_1) g / (\sqrt{1 - \beta_2}\, |g| + \epsilon)`, about
    :math:`\eta (1 - \beta_1)/\sqrt{1 - \beta_2}` in size. Computed by
    :func:`course_lib.optimizers.adam` (the displacement does not depend on :math:`\theta_0`).

    Parameters
    ----------
    g : float or array_like
        The first gradient, finite.
    lr, beta1, beta2, eps, bias_correction, eps_in_sqrt
        As in :func:`course_lib.optimizers.adam` (``eps_in_sqrt=True`` divides by
        :math:`\sqrt{\hat v + \epsilon}`, as :ref:`note 001 <note-001>` writes it).

    Examples
    --------
    >>> adam_first_step([-1.75, 1e-3, 1e3]).round(4).tolist()
    [0.1, -0.1, -0.1]
    >>> u = adam_first_step(1.0, beta2=0.999, bias_correction=False)
    >>> print(f"{u[0]:.4f}")
    -0.3162
    >>> u = adam_first_step(1e-8)
    >>> u_in = adam_first_step(1e-8, eps_in_sqrt=True)
    >>> print(f"{u[0]:.3f}  {u_in[0]:.1e}")
    -0.050  -1.0e-05
    """
    opt = adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction,
               eps_in_sqrt=eps_in_sqrt)
    return first_step(opt, g)


def neuron_scene(runs: Mapping[str, Sequence], *, x: float = 3.5, y: float = 0.5, bounds=((-2.5, 1.0), (-2.5, 1.0)),
                 steps: int = 20, levels: Sequence[float] | None = None, notes: Sequence[str] = (),
                 width: float = 7.2, height: float = 3.6) -> Scene:
    r"""Paths on the neuron's loss contours beside the loss above its minimum, on a log scale.

    Parameters
    ----------
    runs : mapping of label to sequence of (w, b) points
        Each run's iterates :math:`\theta_0, \theta_1, \dots` (an array of shape ``(n, 2)``,
        or a :class:`~course_lib.runner.Trajectory`'s ``xs``).
    x, y : float
        The training pair (as in :func:`neuron_objective`).
    bounds : ((w_low, w_high), (b_low, b_high))
        The window of the contour panel (equal scales on both axes).
    steps : int, default 20
        The loss panel's horizontal range, ``>= 1``.
    levels : sequence of float, optional
        Contour levels (default: 12 levels from just above the minimum to 6).
    notes : sequence of str
        Lines of text written in the contour panel's upper-left corner (where the paths from
        :math:`(-2, -2)` do not go).
    width, height : float
        Size in inches (at most 7.5 wide).

    Examples
    --------
    >>> sc = neuron_scene({"Adam": [[-2.0, -2.0], [-1.9, -1.9]]})
    >>> [p.xlabel for p in sc.panels]
    ['$w$', 'step $t$']
    """
    steps = check_int("steps", steps, minimum=1)
    L = neuron_objective(x, y)
    floor = neuron_min_value(y)
    (w_lo, w_hi), (b_lo, b_hi) = bounds
    scene = Scene(width=width, height=height)
    paths = scene.panel((w_lo, w_hi), (b_lo, b_hi), xlabel="$w$", ylabel="$b$", equal=True, grid=False,
                        weight=1.0)
    if levels is None:
        levels = floor + np.geomspace(0.02, 6.0 - floor, 12)
    paths.contour(L, levels)
    if 0.0 < y < 1.0 and x != 0.0:                 # the line of minimizers, x w + b = logit(y)
        logit = math.log(y / (1.0 - y))
        ws = np.array([w_lo, w_hi])
        paths.line(ws, logit - x * ws, Style(color=GREY, width=1.4, dash=(4.0, 2.0)), label="minimizers")
    curve = scene.panel((0, steps), (1e-4, 10.0), yscale="log", xlabel="step $t$",
                        ylabel=r"$L(w_t, b_t) - L^\star$")
    for i, (label, points) in enumerate(runs.items()):
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        style = series_style(i, markers=True)
        paths.line(pts[:, 0], pts[:, 1], style, label=label)
        paths.points(pts[:1, 0], pts[:1, 1], Style(color=style.color, marker="o", size=8.0, fill="none"))
        gap = L.value(pts.T) - floor
        curve.line(np.arange(len(gap)), np.maximum(gap, 1e-12), style._replace(marker=""))
    for k, text in enumerate(notes):
        paths.text(0.03, 0.97 - 0.085 * k, text, Style(font=9.0))
    return scene
