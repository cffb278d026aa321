"""Optimizers in a functional style.

Every optimizer is a pair of pure functions, bundled in an :class:`Optimizer`::

    opt = gd(lr=0.1)
    state = opt.init(x0)
    x, state = opt.update(x, g, state)

``init`` builds the optimizer's state from the starting point, ``update`` takes the
current point ``x``, the gradient ``g`` at ``x`` and the state, and returns the next
point and the next state. Nothing is modified in place: ``x``, ``g`` and ``state``
are left as they were, so a trajectory can be replayed or branched at will.
The state is a :class:`typing.NamedTuple` whose fields carry the names of the
symbols in the update equations.

A method that needs more than the gradient names what it needs in ``needs`` and
receives it as a keyword argument: Newton's method has ``needs == ("hessian",)`` and
is called as ``update(x, g, state, hessian=H)``; :func:`course_lib.runner.run` supplies
each named input from the problem. ``update`` checks its inputs and then calls
``step``, the update itself, written line by line as its equations; ``run``, which has
checked the start and checks every gradient, calls ``step`` directly.

``lr`` is always either a positive number or a schedule (a function of the step
number, see :mod:`course_lib.schedules`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from ._validation import check_finite, check_nonnegative, check_positive, check_same_shape, check_unit_interval
from .schedules import LearningRate, as_schedule

__all__ = [
    "Optimizer",
    "GDState", "gd",
    "MomentumState", "momentum", "momentum_ema", "nesterov",
    "AdagradState", "adagrad",
    "RMSpropState", "rmsprop",
    "AdadeltaState", "adadelta",
    "AdamState", "adam", "adamw", "yogi",
    "newton",
    "clip_by_value", "clip_by_norm", "clip",
]


class Optimizer(NamedTuple):
    """An optimizer: its ``init`` and ``step`` functions, its name, hyperparameters and extra inputs.

    ``hyperparams`` is read-only and holds plain Python numbers (or schedules): what the
    repr shows is what ``step`` uses.
    """

    init: Callable[[Any], Any]
    step: Callable[..., tuple[np.ndarray, Any]]
    """The update, unchecked: ``step(x, g, state, **extras)`` for float arrays ``x`` and ``g``."""
    name: str
    hyperparams: Mapping[str, Any]
    needs: tuple[str, ...] = ()
    """Names of the inputs ``update`` needs besides the gradient, passed as keywords (e.g. ``hessian``)."""

    def update(self, x, g, state, **extras) -> tuple[np.ndarray, Any]:
        """Check the inputs, then take one step: returns the next point and state."""
        x, g = _check_point_and_gradient(x, g)
        missing = [name for name in self.needs if name not in extras]
        unknown = [name for name in extras if name not in self.needs]
        if missing:
            raise ValueError(f"{self!r} needs {', '.join(missing)}: call update(x, g, state, "
                             f"{', '.join(f'{n}=...' for n in missing)})")
        if unknown:
            raise ValueError(f"{self!r} takes no {', '.join(unknown)}"
                             + (f" (it needs {', '.join(self.needs)})" if self.needs else ""))
        return self.step(x, g, state, **extras)

    @property
    def needs_hessian(self) -> bool:
        """True for second-order methods (``"hessian" in needs``)."""
        return "hessian" in self.needs

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_show(v)}" for k, v in self.hyperparams.items())
        return f"{self.name}({args})"


def _optimizer(init, step, name: str, hyperparams: dict[str, Any], needs: tuple[str, ...] = ()) -> Optimizer:
    """An :class:`Optimizer` whose hyperparameters are frozen as plain numbers."""
    return Optimizer(init, step, name, MappingProxyType({k: _plain(v) for k, v in hyperparams.items()}), needs)


def _plain(value):
    """NumPy scalars as Python numbers (``0.1``, not ``np.float64(0.1)``); the rest unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def _show(value) -> str:
    """A hyperparameter as text: a schedule by its name, a number by its repr."""
    if callable(value):
        return getattr(value, "__name__", "schedule")
    return repr(value)


def _as_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {value!r}") from None
    return arr


def _check_point_and_gradient(x, g) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``update``'s inputs; return them as float arrays (never modified later)."""
    x = _as_array("x", x)
    g = _as_array("g", g)
    check_same_shape("g", g, "x", x)
    check_finite("x", x)
    check_finite("g", g)
    return x, g


def _check_start(x0) -> np.ndarray:
    x0 = _as_array("x0", x0)
    if not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must contain only finite numbers, got {x0}")
    return x0


# --------------------------------------------------------------------------- gd

class GDState(NamedTuple):
    """State of :func:`gd`."""

    t: int
    """Number of updates taken so far; the next update uses the rate :math:`\\eta(t)`."""


def gd(lr: LearningRate = 1e-3) -> Optimizer:
    r"""Gradient descent.

    .. math::

        x_{t+1} = x_t - \eta(t)\, g_t, \qquad g_t = \nabla f(x_t)

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule ``eta(t)``. The default is
        PyTorch's; it is small enough for Rosenbrock's valley (:math:`\eta < 0.002`).

    Returns
    -------
    Optimizer
        ``init(x0)`` returns ``GDState(t=0)``; ``update(x, g, state)`` returns the
        next point and ``GDState(t + 1)``.

    Notes
    -----
    This is ``torch.optim.SGD(params, lr)`` with no momentum, dampening, weight
    decay or Nesterov term. The same update, fed stochastic gradients, is SGD.
    On a quadratic with Hessian eigenvalues :math:`\lambda_i > 0` it converges
    from every start exactly when :math:`0 < \eta < 2 / \lambda_{\max}`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = gd(lr=0.25)
    >>> x = np.array([2.0])         # f = x²: the gradient is 2x = 4
    >>> x, state = opt.update(x, np.array([4.0]), opt.init(x))
    >>> x, state.t
    (array([1.]), 1)

    References
    ----------
    Cauchy, A. (1847). Méthode générale pour la résolution des systèmes d'équations
    simultanées. Comptes rendus de l'Académie des sciences 25, 536-538.
    """
    eta = as_schedule("lr", lr)

    def init(x0) -> GDState:
        _check_start(x0)
        return GDState(t=0)

    def step(x, g, state: GDState) -> tuple[np.ndarray, GDState]:
        eta_t = eta(state.t)          # rate of this step
        x_next = x - eta_t * g        # step against the gradient
        return x_next, GDState(t=state.t + 1)

    return _optimizer(init, step, "gd", {"lr": lr})


def _zeros_like(x0) -> np.ndarray:
    return np.zeros_like(_check_start(x0))


# --------------------------------------------------------------------- momentum

class MomentumState(NamedTuple):
    """State of :func:`momentum`, :func:`momentum_ema` and :func:`nesterov`."""

    t: int
    """Number of updates taken so far."""
    v: np.ndarray
    """The velocity :math:`v` (a running sum or average of past gradients), zero at the start."""


def _momentum_init(x0) -> MomentumState:
    """Shared ``init`` of the momentum methods: no steps taken, zero velocity."""
    return MomentumState(t=0, v=_zeros_like(x0))


def momentum(lr: LearningRate = 1e-3, beta: float = 0.9) -> Optimizer:
    r"""Gradient descent with momentum, in velocity form (PyTorch's form).

    .. math::

        v_{t+1} &= \beta\, v_t + g_t \\
        x_{t+1} &= x_t - \eta\, v_{t+1}

    with :math:`v_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta : float, default 0.9
        The momentum :math:`\beta \in [0, 1)`; ``beta=0`` is :func:`gd`.

    Notes
    -----
    Identical to ``torch.optim.SGD(params, lr, momentum=beta)``. :ref:`Note 001 <note-001>` writes the
    same method as :math:`V_t = \gamma V_{t-1} + \eta \nabla J`, :math:`W_t = W_{t-1} - V_t`,
    i.e. with the learning rate inside the velocity; with a constant rate the iterates
    are the same (:math:`V = \eta v`). The velocity sums gradients with weights
    :math:`1, \beta, \beta^2, \dots`, so a constant gradient :math:`g` makes steps that
    approach :math:`\eta g / (1 - \beta)`: about :math:`1/(1 - \beta)` gradients are in play.
    See :func:`momentum_ema` for the moving-average form of :ref:`note 000 <note-000>` and :ref:`note 002 <note-002>`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = momentum(lr=0.1, beta=0.5)
    >>> x, s = np.array([0.0]), opt.init([0.0])
    >>> for _ in range(2):
    ...     x, s = opt.update(x, np.array([1.0]), s)
    >>> x, s.v                          # steps 0.1 * 1 and 0.1 * 1.5
    (array([-0.25]), array([1.5]))

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
    USSR Computational Mathematics and Mathematical Physics 4(5), 1-17.
    """
    eta = as_schedule("lr", lr)
    beta = check_unit_interval("beta", beta)

    def step(x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        v = beta * state.v + g            # velocity: decayed old velocity plus the new gradient
        x_next = x - eta(state.t) * v      # move along the velocity
        return x_next, MomentumState(t=state.t + 1, v=v)

    return _optimizer(_momentum_init, step, "momentum", {"lr": lr, "beta": beta})


def momentum_ema(lr: LearningRate = 1e-2, beta: float = 0.9, *, debias: bool = False) -> Optimizer:
    r"""Gradient descent with momentum, in moving-average form (:ref:`note 000 <note-000>`'s algorithm).

    .. math::

        v_{t+1} &= \beta\, v_t + (1 - \beta)\, g_t \\
        x_{t+1} &= x_t - \eta\, v_{t+1}
                  \quad\text{or, with } \texttt{debias}\text{,}\quad
                  x_{t+1} = x_t - \eta\, \frac{v_{t+1}}{1 - \beta^{t+1}}

    with :math:`v_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1e-2
        The learning rate :math:`\eta > 0`, or a schedule.
    beta : float, default 0.9
        The averaging factor :math:`\beta \in [0, 1)`.
    debias : bool, default False
        Divide the average by :math:`1 - \beta^{t+1}`, the total weight of the
        gradients averaged so far (:ref:`note 002 <note-002>`'s "unbiased" momentum). The first step
        is then a plain gradient step.

    Notes
    -----
    ``v`` here is :math:`(1 - \beta)` times the velocity of :func:`momentum`, so
    ``momentum_ema(lr, beta)`` has exactly the iterates of ``momentum(lr * (1 - beta), beta)``
    (:ref:`note 001 <note-001>`'s study question), and of ``torch.optim.SGD(params, lr * (1 - beta), momentum=beta)``.
    PyTorch's ``dampening=beta`` is *not* the same: PyTorch starts its buffer at the
    first gradient itself, not at :math:`(1 - \beta) g_0`. :ref:`Note 002 <note-002>` writes the
    unbiased step with :math:`1 - \beta^t`; counting :math:`u_{t+1}` as the average of
    :math:`t + 1` gradients, the exponent is :math:`t + 1`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = momentum_ema(lr=1.0, beta=0.5, debias=True)
    >>> x0 = np.array([0.0])
    >>> x, s = opt.update(x0, np.array([2.0]), opt.init(x0))
    >>> x            # the debiased first step is a plain gradient step
    array([-2.])
    """
    eta = as_schedule("lr", lr)
    beta = check_unit_interval("beta", beta)
    debias = bool(debias)

    def step(x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        t = state.t + 1
        v = beta * state.v + (1.0 - beta) * g           # moving average of gradients
        direction = v / (1.0 - beta**t) if debias else v  # optionally undo the pull towards v_0 = 0
        x_next = x - eta(state.t) * direction
        return x_next, MomentumState(t=t, v=v)

    return _optimizer(_momentum_init, step, "momentum_ema", {"lr": lr, "beta": beta, "debias": debias})


def nesterov(lr: LearningRate = 1e-3, beta: float = 0.9) -> Optimizer:
    r"""Nesterov's accelerated gradient, in PyTorch's form.

    .. math::

        v_{t+1} &= \beta\, v_t + g_t \\
        x_{t+1} &= x_t - \eta\, (g_t + \beta\, v_{t+1})

    with :math:`v_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta : float, default 0.9
        The momentum :math:`\beta \in [0, 1)`.

    Notes
    -----
    Identical to ``torch.optim.SGD(params, lr, momentum=beta, nesterov=True)``.
    The textbook form evaluates the gradient at a look-ahead point:
    :math:`u_{t+1} = \beta u_t - \epsilon \nabla f(\theta_t + \beta u_t)`,
    :math:`\theta_{t+1} = \theta_t + u_{t+1}`. With :math:`\epsilon = \eta`, the points
    :math:`x_t = \theta_t + \beta u_t` this optimizer visits are exactly those
    look-ahead points, so both forms need one gradient per step at the point where
    it is taken. :ref:`Note 002 <note-002>` writes the look-ahead with its moving-average velocity
    as :math:`\theta_t - \alpha u_t`; the equivalence needs :math:`\theta_t - \alpha\beta u_t`
    (the part of the next step already decided), and its second line should read
    :math:`\theta_{t+1} = \theta_t - \alpha u_{t+1}`.

    References
    ----------
    Nesterov, Y. (1983). A method for solving the convex programming problem with convergence
    rate O(1/k²). Soviet Mathematics Doklady 27, 372-376.

    Sutskever, I., Martens, J., Dahl, G., Hinton, G. (2013). On the importance of
    initialization and momentum in deep learning. ICML 2013.
    """
    eta = as_schedule("lr", lr)
    beta = check_unit_interval("beta", beta)

    def step(x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        v = beta * state.v + g                    # velocity, as in momentum
        x_next = x - eta(state.t) * (g + beta * v)  # step from the look-ahead: gradient plus next momentum
        return x_next, MomentumState(t=state.t + 1, v=v)

    return _optimizer(_momentum_init, step, "nesterov", {"lr": lr, "beta": beta})


# ---------------------------------------------------------------------- adagrad

class AdagradState(NamedTuple):
    """State of :func:`adagrad`."""

    t: int
    """Number of updates taken so far."""
    s: np.ndarray
    """Sum of squared gradients :math:`s`, per coordinate."""


def _scale(s: np.ndarray, eps: float, eps_in_sqrt: bool) -> np.ndarray:
    """The denominator of adaptive methods: :math:`\\sqrt{s} + \\epsilon` or :math:`\\sqrt{s + \\epsilon}`."""
    return np.sqrt(s + eps) if eps_in_sqrt else np.sqrt(s) + eps


def adagrad(lr: LearningRate = 0.1, eps: float = 1e-10, *, eps_in_sqrt: bool = False) -> Optimizer:
    r"""AdaGrad: per-coordinate rates that shrink with the accumulated squared gradients.

    .. math::

        s_{t+1} &= s_t + g_t \odot g_t \\
        x_{t+1} &= x_t - \frac{\eta}{\sqrt{s_{t+1}} + \epsilon} \odot g_t

    with :math:`s_0 = 0` (with ``eps_in_sqrt=True`` the denominator is :math:`\sqrt{s_{t+1} + \epsilon}`).

    Parameters
    ----------
    lr : float or callable, default 0.1
        The learning rate :math:`\eta > 0`, or a schedule.
    eps : float, default 1e-10
        :math:`\epsilon > 0`, keeps the division finite.
    eps_in_sqrt : bool, default False
        Put :math:`\epsilon` inside the square root, as :ref:`note 000 <note-000>` writes it.

    Notes
    -----
    Identical to ``torch.optim.Adagrad(params, lr, eps=eps)`` (which puts :math:`\epsilon`
    outside the root). :ref:`Note 000 <note-000>` prints the accumulation as :math:`s_t = s_{t-1} g_t^2`;
    a plus sign is missing. The effective rate of a coordinate decays like
    :math:`1/\sqrt{t}` when its gradients keep a steady size.

    References
    ----------
    Duchi, J., Hazan, E., Singer, Y. (2011). Adaptive subgradient methods for online learning
    and stochastic optimization. JMLR 12, 2121-2159.
    """
    eta = as_schedule("lr", lr)
    eps = check_positive("eps", eps)
    eps_in_sqrt = bool(eps_in_sqrt)

    def init(x0) -> AdagradState:
        return AdagradState(t=0, s=_zeros_like(x0))

    def step(x, g, state: AdagradState) -> tuple[np.ndarray, AdagradState]:
        s = state.s + g * g                                       # accumulate squared gradients
        x_next = x - eta(state.t) * g / _scale(s, eps, eps_in_sqrt)  # rate shrinks where gradients were large
        return x_next, AdagradState(t=state.t + 1, s=s)

    return _optimizer(init, step, "adagrad", {"lr": lr, "eps": eps, "eps_in_sqrt": eps_in_sqrt})


# ---------------------------------------------------------------------- rmsprop

class RMSpropState(NamedTuple):
    """State of :func:`rmsprop`."""

    t: int
    """Number of updates taken so far."""
    s: np.ndarray
    """Leaky average of squared gradients :math:`s`, per coordinate."""


def rmsprop(lr: LearningRate = 1e-2, gamma: float = 0.99, eps: float = 1e-8, *,
            eps_in_sqrt: bool = False) -> Optimizer:
    r"""RMSProp: AdaGrad with a leaky average of squared gradients instead of a sum.

    .. math::

        s_{t+1} &= \gamma\, s_t + (1 - \gamma)\, g_t \odot g_t \\
        x_{t+1} &= x_t - \frac{\eta}{\sqrt{s_{t+1}} + \epsilon} \odot g_t

    with :math:`s_0 = 0` (with ``eps_in_sqrt=True`` the denominator is :math:`\sqrt{s_{t+1} + \epsilon}`).

    Parameters
    ----------
    lr : float or callable, default 1e-2
        The learning rate :math:`\eta > 0`, or a schedule.
    gamma : float, default 0.99
        The decay :math:`\gamma \in [0, 1)` of the average.
    eps : float, default 1e-8
        :math:`\epsilon > 0`.
    eps_in_sqrt : bool, default False
        Put :math:`\epsilon` inside the square root, as :ref:`note 000 <note-000>` writes it.

    Notes
    -----
    Identical to ``torch.optim.RMSprop(params, lr, alpha=gamma, eps=eps)``. With a
    constant rate, each step has a size of about :math:`\eta` per coordinate even
    near a minimum, so the iterates can end up hopping around it at that distance
    (on Rosenbrock, about 0.03 with the defaults); decay the rate to settle. The method
    :ref:`note 001 <note-001>` calls "adadelta" is exactly this one (its :math:`G` is :math:`s`); Zeiler's
    AdaDelta is :func:`adadelta`. The Deep Learning book calls the decay :math:`\rho`.

    References
    ----------
    Tieleman, T., Hinton, G. (2012). Lecture 6.5 of "Neural Networks for Machine Learning",
    Coursera.
    """
    eta = as_schedule("lr", lr)
    gamma = check_unit_interval("gamma", gamma)
    eps = check_positive("eps", eps)
    eps_in_sqrt = bool(eps_in_sqrt)

    def init(x0) -> RMSpropState:
        return RMSpropState(t=0, s=_zeros_like(x0))

    def step(x, g, state: RMSpropState) -> tuple[np.ndarray, RMSpropState]:
        s = gamma * state.s + (1.0 - gamma) * (g * g)               # leaky average of squared gradients
        x_next = x - eta(state.t) * g / _scale(s, eps, eps_in_sqrt)  # divide by the root mean square
        return x_next, RMSpropState(t=state.t + 1, s=s)

    return _optimizer(init, step, "rmsprop", {"lr": lr, "gamma": gamma, "eps": eps, "eps_in_sqrt": eps_in_sqrt})


# --------------------------------------------------------------------- adadelta

class AdadeltaState(NamedTuple):
    """State of :func:`adadelta`."""

    t: int
    """Number of updates taken so far."""
    s: np.ndarray
    """Leaky average of squared gradients :math:`s`."""
    d: np.ndarray
    """Leaky average of squared updates :math:`d` (Zeiler's :math:`E[\\Delta x^2]`)."""


def adadelta(lr: LearningRate = 1.0, rho: float = 0.9, eps: float = 1e-6) -> Optimizer:
    r"""Zeiler's AdaDelta: the step's units come from past steps, not from a learning rate.

    .. math::

        s_{t+1} &= \rho\, s_t + (1 - \rho)\, g_t \odot g_t \\
        \Delta_t &= \frac{\sqrt{d_t + \epsilon}}{\sqrt{s_{t+1} + \epsilon}} \odot g_t \\
        d_{t+1} &= \rho\, d_t + (1 - \rho)\, \Delta_t \odot \Delta_t \\
        x_{t+1} &= x_t - \eta\, \Delta_t

    with :math:`s_0 = d_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1.0
        A factor :math:`\eta > 0` on the step (Zeiler's method has none: ``lr=1``).
    rho : float, default 0.9
        The decay :math:`\rho \in [0, 1)` of both averages.
    eps : float, default 1e-6
        :math:`\epsilon > 0`; it also sets the size of the first steps, about :math:`\sqrt{\epsilon}`.

    Notes
    -----
    Identical to ``torch.optim.Adadelta(params, lr, rho, eps)``. Not to be confused with
    :ref:`note 001 <note-001>`'s "adadelta", which is :func:`rmsprop`. With exact (deterministic)
    gradients and these defaults it does not settle: on the ellipse of the course it
    comes close quickly and then oscillates with a slowly growing amplitude, and on
    Rosenbrock it wanders in the valley (the tests record both). It was designed for
    noisy gradients.

    References
    ----------
    Zeiler, M. D. (2012). ADADELTA: an adaptive learning rate method. arXiv:1212.5701.
    """
    eta = as_schedule("lr", lr)
    rho = check_unit_interval("rho", rho)
    eps = check_positive("eps", eps)

    def init(x0) -> AdadeltaState:
        zeros = _zeros_like(x0)
        return AdadeltaState(t=0, s=zeros, d=zeros.copy())

    def step(x, g, state: AdadeltaState) -> tuple[np.ndarray, AdadeltaState]:
        s = rho * state.s + (1.0 - rho) * (g * g)                      # average squared gradient
        delta = np.sqrt(state.d + eps) / np.sqrt(s + eps) * g           # step in the units of past steps
        d = rho * state.d + (1.0 - rho) * (delta * delta)              # average squared step
        x_next = x - eta(state.t) * delta
        return x_next, AdadeltaState(t=state.t + 1, s=s, d=d)

    return _optimizer(init, step, "adadelta", {"lr": lr, "rho": rho, "eps": eps})


# ------------------------------------------------------------------ adam family

class AdamState(NamedTuple):
    """State of :func:`adam`, :func:`adamw` and :func:`yogi`."""

    t: int
    """Number of updates taken so far."""
    m: np.ndarray
    """First moment: leaky average of gradients :math:`m`."""
    v: np.ndarray
    """Second moment: leaky average of squared gradients :math:`v`."""


def _adam_direction(state: AdamState, g: np.ndarray, beta1: float, beta2: float, eps: float,
                    bias_correction: bool, eps_in_sqrt: bool) -> tuple[np.ndarray, AdamState]:
    """Adam's moments and step direction :math:`\\hat m / (\\sqrt{\\hat v} + \\epsilon)`."""
    t = state.t + 1
    m = beta1 * state.m + (1.0 - beta1) * g            # first moment
    v = beta2 * state.v + (1.0 - beta2) * (g * g)      # second moment
    if bias_correction:
        m_hat = m / (1.0 - beta1**t)                   # undo the pull towards m_0 = 0
        v_hat = v / (1.0 - beta2**t)                   # and towards v_0 = 0
    else:
        m_hat, v_hat = m, v
    return m_hat / _scale(v_hat, eps, eps_in_sqrt), AdamState(t=t, m=m, v=v)


def _adam_init(x0) -> AdamState:
    """Shared ``init`` of Adam and AdamW: no steps taken, zero moments."""
    zeros = _zeros_like(x0)
    return AdamState(t=0, m=zeros, v=zeros.copy())


def _check_adam(beta1, beta2, eps):
    return check_unit_interval("beta1", beta1), check_unit_interval("beta2", beta2), check_positive("eps", eps)


def adam(lr: LearningRate = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, *,
         bias_correction: bool = True, eps_in_sqrt: bool = False) -> Optimizer:
    r"""Adam: momentum on the gradient, RMSProp scaling, and bias correction.

    .. math::

        m_{t+1} &= \beta_1 m_t + (1 - \beta_1)\, g_t \\
        v_{t+1} &= \beta_2 v_t + (1 - \beta_2)\, g_t \odot g_t \\
        \hat m &= \frac{m_{t+1}}{1 - \beta_1^{t+1}}, \qquad
        \hat v = \frac{v_{t+1}}{1 - \beta_2^{t+1}} \\
        x_{t+1} &= x_t - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`m_0 = v_0 = 0`. Without bias correction, :math:`\hat m = m_{t+1}` and
    :math:`\hat v = v_{t+1}`.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta1 : float, default 0.9
        Decay :math:`\beta_1 \in [0, 1)` of the first moment.
    beta2 : float, default 0.999
        Decay :math:`\beta_2 \in [0, 1)` of the second moment.
    eps : float, default 1e-8
        :math:`\epsilon > 0`.
    bias_correction : bool, default True
        Divide the moments by :math:`1 - \beta^{t+1}`. :ref:`Note 002 <note-002>` writes Adam without it.
    eps_in_sqrt : bool, default False
        Use :math:`\sqrt{\hat v + \epsilon}`, as :ref:`note 001 <note-001>` writes it.

    Notes
    -----
    Identical to ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps)``.
    :ref:`Note 000 <note-000>` calls the first moment :math:`v` and the second :math:`s`;
    :ref:`note 001 <note-001>` uses :math:`m, v` as here. With bias correction the first step moves every coordinate
    by almost exactly :math:`\eta` against the sign of its gradient, whatever the
    gradient's size.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adam(lr=0.1)
    >>> x0 = np.array([1.0, 1.0])
    >>> x, s = opt.update(x0, np.array([0.01, -50.0]), opt.init(x0))
    >>> np.round(x, 5)
    array([0.9, 1.1])

    References
    ----------
    Kingma, D. P., Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015.
    """
    eta = as_schedule("lr", lr)
    beta1, beta2, eps = _check_adam(beta1, beta2, eps)
    bias_correction, eps_in_sqrt = bool(bias_correction), bool(eps_in_sqrt)

    def step(x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        direction, new_state = _adam_direction(state, g, beta1, beta2, eps, bias_correction, eps_in_sqrt)
        x_next = x - eta(state.t) * direction
        return x_next, new_state

    return _optimizer(_adam_init, step, "adam", {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps,
                                            "bias_correction": bias_correction, "eps_in_sqrt": eps_in_sqrt})


def adamw(lr: LearningRate = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
          weight_decay: float = 1e-2) -> Optimizer:
    r"""AdamW: Adam with weight decay applied to the weights directly ("decoupled").

    .. math::

        x' &= x_t - \eta\, \lambda\, x_t \\
        x_{t+1} &= x' - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`\hat m, \hat v` as in :func:`adam` and :math:`\lambda` = ``weight_decay``.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta1 : float, default 0.9
        Decay of the first moment, as in :func:`adam`.
    beta2 : float, default 0.999
        Decay of the second moment, as in :func:`adam`.
    eps : float, default 1e-8
        As in :func:`adam`.
    weight_decay : float, default 1e-2
        :math:`\lambda \ge 0`. Zero gives :func:`adam`.

    Notes
    -----
    Identical to ``torch.optim.AdamW(params, lr, betas, eps, weight_decay)``. Adding
    :math:`\lambda x` to the gradient instead (L2 regularization, ``torch.optim.Adam``'s
    ``weight_decay``) is not the same: Adam would then rescale the decay per coordinate.
    The decay pulls towards 0, so the fixed point is not the objective's minimizer but
    one shifted towards the origin (by about 8e-4 on Rosenbrock with the defaults).

    References
    ----------
    Loshchilov, I., Hutter, F. (2019). Decoupled weight decay regularization. ICLR 2019.
    """
    eta = as_schedule("lr", lr)
    beta1, beta2, eps = _check_adam(beta1, beta2, eps)
    weight_decay = check_nonnegative("weight_decay", weight_decay)

    def step(x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        eta_t = eta(state.t)
        x_decayed = x * (1.0 - eta_t * weight_decay)      # shrink the weights, independently of g
        direction, new_state = _adam_direction(state, g, beta1, beta2, eps, True, False)
        return x_decayed - eta_t * direction, new_state

    return _optimizer(_adam_init, step, "adamw", {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps,
                                             "weight_decay": weight_decay})


def yogi(lr: LearningRate = 1e-2, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-3, *,
         v0: float = 1e-6) -> Optimizer:
    r"""Yogi: Adam with an additive second-moment update that cannot grow too fast.

    .. math::

        m_{t+1} &= \beta_1 m_t + (1 - \beta_1)\, g_t \\
        v_{t+1} &= v_t - (1 - \beta_2)\, \operatorname{sign}(v_t - g_t \odot g_t) \odot g_t \odot g_t \\
        x_{t+1} &= x_t - \eta\, \frac{m_{t+1}}{\sqrt{v_{t+1}} + \epsilon}

    with :math:`m_0 = 0` and :math:`v_0` = ``v0`` in every coordinate.

    Parameters
    ----------
    lr : float or callable, default 1e-2
        The learning rate :math:`\eta > 0`, or a schedule.
    beta1 : float, default 0.9
        Decay of the first moment, as in :func:`adam`.
    beta2 : float, default 0.999
        Sets the size :math:`(1 - \beta_2) g^2` of each change of :math:`v`.
    eps : float, default 1e-3
        :math:`\epsilon > 0`; the paper recommends a larger value than Adam's.
    v0 : float, default 1e-6
        Initial second moment, :math:`\ge 0`.

    Notes
    -----
    Adam's :math:`v_{t+1} - v_t = (1 - \beta_2)(g_t^2 - v_t)` can shrink :math:`v` by a
    large fraction when gradients are briefly small, which blows up the effective
    rate. Yogi's change has size :math:`(1 - \beta_2) g_t^2` whatever :math:`v_t` is, and
    only its sign depends on :math:`v_t`. This is Algorithm 2 of the paper, without bias
    correction. There is no ``torch.optim`` counterpart; the tests check it against the
    paper's update written out by hand.

    References
    ----------
    Zaheer, M., Reddi, S., Sachan, D., Kale, S., Kumar, S. (2018). Adaptive methods for
    nonconvex optimization. NeurIPS 2018.
    """
    eta = as_schedule("lr", lr)
    beta1, beta2, eps = _check_adam(beta1, beta2, eps)
    v0 = check_nonnegative("v0", v0)

    def init(x0) -> AdamState:
        zeros = _zeros_like(x0)
        return AdamState(t=0, m=zeros, v=np.full_like(zeros, v0))

    def step(x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        g2 = g * g
        m = beta1 * state.m + (1.0 - beta1) * g                          # first moment, as in Adam
        v = state.v - (1.0 - beta2) * np.sign(state.v - g2) * g2         # additive, bounded change
        x_next = x - eta(state.t) * m / (np.sqrt(v) + eps)
        return x_next, AdamState(t=state.t + 1, m=m, v=v)

    return _optimizer(init, step, "yogi", {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps, "v0": v0})


# ----------------------------------------------------------------------- newton

def newton(lr: LearningRate = 1.0) -> Optimizer:
    r"""Newton's method, damped when ``lr < 1``.

    .. math::

        x_{t+1} = x_t - \eta\, \bigl(\nabla^2 f(x_t)\bigr)^{-1} g_t

    Parameters
    ----------
    lr : float or callable, default 1.0
        The step :math:`\eta > 0`; ``1`` is the full Newton step, smaller values damp it.

    Notes
    -----
    ``update(x, g, state, hessian=H)`` takes the Hessian at ``x`` by name;
    :func:`course_lib.runner.run` passes ``objective.hessian(x)`` because ``needs`` is
    ``("hessian",)``. On a quadratic with positive definite Hessian a full step lands on the
    minimizer. Newton's method looks for a zero of the gradient, so near a saddle
    or a maximum it is attracted to it as well. There is no ``torch.optim`` counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> opt = newton()
    >>> H = np.diag([2.0, 8.0])                    # f = x1² + 4 x2²
    >>> x0 = np.array([3.0, -1.0])
    >>> x, _ = opt.update(x0, H @ x0, opt.init(x0), hessian=H)
    >>> x
    array([0., 0.])
    """
    eta = as_schedule("lr", lr)

    def init(x0) -> GDState:
        _check_start(x0)
        return GDState(t=0)

    def step(x, g, state: GDState, *, hessian) -> tuple[np.ndarray, GDState]:
        H = _as_array("hessian", hessian)
        if x.ndim != 1:
            raise ValueError(f"newton needs a point of shape (d,), got shape {x.shape}")
        if H.shape != (x.size, x.size):
            raise ValueError(f"hessian must have shape ({x.size}, {x.size}) for a point of shape {x.shape}, "
                             f"got {H.shape}")
        check_finite("hessian", H)
        if np.linalg.cond(H) > 1e12:      # singular, or so close that the solve would be noise
            raise ValueError(f"the Hessian is singular (or nearly: condition number {np.linalg.cond(H):.3g}) "
                             f"at x = {x}; Newton's step is undefined there")
        newton_step = np.linalg.solve(H, g)     # solve H p = g rather than inverting H
        return x - eta(state.t) * newton_step, GDState(t=state.t + 1)

    return _optimizer(init, step, "newton", {"lr": lr}, needs=("hessian",))


# --------------------------------------------------------------------- clipping

def clip_by_value(g, limit: float) -> np.ndarray:
    r"""Clip every coordinate of ``g`` to :math:`[-\text{limit}, \text{limit}]`.

    Same as ``torch.nn.utils.clip_grad_value_``. It changes the gradient's direction.
    """
    limit = check_positive("limit", limit)
    g = _as_array("g", g)
    check_finite("g", g)       # clipping must not turn an infinite gradient into a finite one
    return _clip_value(g, limit)


def _clip_value(g: np.ndarray, limit: float) -> np.ndarray:
    return np.clip(g, -limit, limit)


def clip_by_norm(g, max_norm: float) -> np.ndarray:
    r"""Rescale ``g`` to norm ``max_norm`` if it is longer; keeps its direction.

    .. math::

        g \leftarrow g \cdot \min\Bigl(1, \frac{\text{max\_norm}}{\lVert g \rVert_2}\Bigr)

    ``torch.nn.utils.clip_grad_norm_`` computes the same with
    :math:`\lVert g \rVert_2 + 10^{-6}` in the denominator.
    """
    max_norm = check_positive("max_norm", max_norm)
    g = _as_array("g", g)
    check_finite("g", g)
    return _clip_norm(g, max_norm)


def _clip_norm(g: np.ndarray, max_norm: float) -> np.ndarray:
    norm = float(np.linalg.norm(g))
    return g * (max_norm / norm) if norm > max_norm else g.copy()


def clip(opt: Optimizer, *, max_value: float | None = None, max_norm: float | None = None) -> Optimizer:
    """Wrap ``opt`` so that every gradient is clipped (by value, then by norm) before the update.

    Examples
    --------
    >>> import numpy as np
    >>> opt = clip(gd(lr=1.0), max_norm=1.0)
    >>> x0 = np.array([0.0, 0.0])
    >>> x, _ = opt.update(x0, np.array([30.0, 40.0]), opt.init(x0))
    >>> x
    array([-0.6, -0.8])
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer such as gd(lr=0.1), got {opt!r}")
    if max_value is None and max_norm is None:
        raise ValueError("clip needs max_value, max_norm or both")
    if max_value is not None:
        check_positive("max_value", max_value)
    if max_norm is not None:
        check_positive("max_norm", max_norm)

    def step(x, g, state, **extras):
        # g was checked once, by update or by run: clip it, then take the wrapped method's step
        if max_value is not None:
            g = _clip_value(g, max_value)
        if max_norm is not None:
            g = _clip_norm(g, max_norm)
        return opt.step(x, g, state, **extras)

    limits = {k: v for k, v in (("max_value", max_value), ("max_norm", max_norm)) if v is not None}
    return _optimizer(opt.init, step, "clip", {"opt": opt, **limits}, needs=opt.needs)
