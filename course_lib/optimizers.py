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
    "MomentumState", "MomentumEMAState", "momentum", "momentum_ema", "nesterov",
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
    The same update, fed stochastic gradients, is SGD. On a quadratic with
    Hessian eigenvalues :math:`\lambda_i > 0` it converges from every start
    exactly when :math:`0 < \eta < 2 / \lambda_{\max}`.

    Conventions: this is ``torch.optim.SGD(params, lr)`` with no momentum,
    dampening, weight decay or Nesterov term. :ref:`Note 003 <note-003>`,
    after the Deep Learning book, writes :math:`\epsilon` (or
    :math:`\epsilon_k`) for the learning rate :math:`\eta`.

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
    :cite:t:`cauchy1847`.
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
    """State of :func:`momentum` and :func:`nesterov`."""

    t: int
    """Number of updates taken so far."""
    u: np.ndarray
    """The velocity :math:`u` (a decaying sum of past gradients), zero at the start."""


class MomentumEMAState(NamedTuple):
    """State of :func:`momentum_ema`."""

    t: int
    """Number of updates taken so far."""
    m: np.ndarray
    """The moving average :math:`m` of past gradients, zero at the start."""


def _momentum_init(x0) -> MomentumState:
    """``init`` of the velocity forms: no steps taken, zero velocity."""
    return MomentumState(t=0, u=_zeros_like(x0))


def _momentum_ema_init(x0) -> MomentumEMAState:
    """``init`` of the moving-average form: no steps taken, zero average."""
    return MomentumEMAState(t=0, m=_zeros_like(x0))


def momentum(lr: LearningRate = 1e-3, beta: float = 0.9) -> Optimizer:
    r"""Gradient descent with momentum, in velocity form (PyTorch's form).

    .. math::

        u_{t+1} &= \beta\, u_t + g_t \\
        x_{t+1} &= x_t - \eta\, u_{t+1}

    with :math:`u_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta : float, default 0.9
        The momentum factor :math:`\beta \in [0, 1)`; ``beta=0`` is :func:`gd`.

    Notes
    -----
    Conventions: this is ``torch.optim.SGD(params, lr, momentum=beta)``, whose
    documentation calls the velocity :math:`b`. :ref:`Note 001 <note-001>` writes
    the same method with the learning rate inside the velocity,
    :math:`V_t = \gamma V_{t-1} + \eta \nabla J`, :math:`W_t = W_{t-1} - V_t`
    (its :math:`\gamma`, :math:`W`, :math:`J` are :math:`\beta`, :math:`x`, :math:`f`);
    with a constant rate the iterates are the same, :math:`V_t = \eta u_t`.
    :ref:`Note 003 <note-003>`, after the Deep Learning book, writes
    :math:`\alpha` for :math:`\beta` and :math:`\epsilon` for :math:`\eta`.
    The velocity sums gradients with weights :math:`1, \beta, \beta^2, \dots`,
    so a constant gradient :math:`g` makes steps that approach
    :math:`\eta g / (1 - \beta)`: about :math:`1/(1 - \beta)` gradients are in
    play. See :func:`momentum_ema` for the moving-average form of
    :ref:`note 000 <note-000>` and :ref:`note 002 <note-002>`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = momentum(lr=0.1, beta=0.5)
    >>> x, s = np.array([0.0]), opt.init([0.0])
    >>> for _ in range(2):
    ...     x, s = opt.update(x, np.array([1.0]), s)
    >>> x, s.u                          # steps 0.1 * 1 and 0.1 * 1.5
    (array([-0.25]), array([1.5]))

    References
    ----------
    :cite:t:`polyak1964`.
    """
    eta = as_schedule("lr", lr)
    beta = check_unit_interval("beta", beta)

    def step(x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        u = beta * state.u + g             # velocity: decayed old velocity plus the new gradient
        x_next = x - eta(state.t) * u      # move along the velocity
        return x_next, MomentumState(t=state.t + 1, u=u)

    return _optimizer(_momentum_init, step, "momentum", {"lr": lr, "beta": beta})


def momentum_ema(lr: LearningRate = 1e-2, beta: float = 0.9, *, debias: bool = False) -> Optimizer:
    r"""Gradient descent with momentum, in moving-average form.

    This is the algorithm of :ref:`note 000 <note-000>`:

    .. math::

        m_{t+1} &= \beta\, m_t + (1 - \beta)\, g_t \\
        x_{t+1} &= x_t - \eta'\, m_{t+1}
                  \quad\text{or, with } \texttt{debias}\text{,}\quad
                  x_{t+1} = x_t - \eta'\, \frac{m_{t+1}}{1 - \beta^{t+1}}

    with :math:`m_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1e-2
        The step :math:`\eta' > 0` of the moving-average form, or a
        schedule.
    beta : float, default 0.9
        The averaging factor :math:`\beta \in [0, 1)`.
    debias : bool, default False
        Divide the average by :math:`1 - \beta^{t+1}`, the total weight of
        the gradients averaged so far (:ref:`note 002 <note-002>`'s
        "unbiased" momentum). The first step is then a plain gradient step.

    Notes
    -----
    The average is :math:`m_t = (1 - \beta)\, u_t`, with :math:`u_t` the
    velocity of :func:`momentum`, so ``momentum_ema(lr, beta)`` has exactly
    the iterates of ``momentum(lr * (1 - beta), beta)``, i.e.
    :math:`\eta = \eta'(1 - \beta)` (:ref:`note 001 <note-001>`'s study
    question), and of ``torch.optim.SGD(params, lr * (1 - beta),
    momentum=beta)``.

    Conventions: PyTorch's ``dampening=beta`` is *not* the same, as PyTorch
    starts its buffer at the first gradient itself, not at
    :math:`(1 - \beta) g_0`. :ref:`The slides <note-000>` call the average
    :math:`v`, :ref:`note 001 <note-001>` :math:`M_t` (with :math:`\gamma`
    for :math:`\beta`), :ref:`note 002 <note-002>` :math:`u` (with
    :math:`\alpha` for the step :math:`\eta'`). :ref:`Note 002 <note-002>` writes the unbiased
    step with :math:`1 - \beta^t`; counting :math:`m_{t+1}` as the average of
    :math:`t + 1` gradients, the exponent is :math:`t + 1`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = momentum_ema(lr=1.0, beta=0.5, debias=True)
    >>> x0 = np.array([0.0])
    >>> x, s = opt.update(x0, np.array([2.0]), opt.init(x0))
    >>> x            # the debiased first step is a plain gradient step
    array([-2.])
    >>> s.m          # the state keeps the average itself, (1 - 0.5) * 2
    array([1.])
    """
    eta = as_schedule("lr", lr)
    beta = check_unit_interval("beta", beta)
    debias = bool(debias)

    def step(x, g, state: MomentumEMAState) -> tuple[np.ndarray, MomentumEMAState]:
        t = state.t + 1
        m = beta * state.m + (1.0 - beta) * g            # moving average of gradients
        direction = m / (1.0 - beta**t) if debias else m  # optionally undo the pull towards m_0 = 0
        x_next = x - eta(state.t) * direction
        return x_next, MomentumEMAState(t=t, m=m)

    return _optimizer(_momentum_ema_init, step, "momentum_ema", {"lr": lr, "beta": beta, "debias": debias})


def nesterov(lr: LearningRate = 1e-3, beta: float = 0.9) -> Optimizer:
    r"""Nesterov's accelerated gradient, in PyTorch's form.

    .. math::

        u_{t+1} &= \beta\, u_t + g_t \\
        x_{t+1} &= x_t - \eta\, (g_t + \beta\, u_{t+1})

    with :math:`u_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta : float, default 0.9
        The momentum factor :math:`\beta \in [0, 1)`.

    Notes
    -----
    Identical to ``torch.optim.SGD(params, lr, momentum=beta,
    nesterov=True)``. The textbook form takes the gradient at a look-ahead
    point:

    .. math::

        u_{t+1} &= \beta\, u_t + \nabla f(\theta_t - \eta\beta\, u_t) \\
        \theta_{t+1} &= \theta_t - \eta\, u_{t+1}

    The points :math:`x_t = \theta_t - \eta\beta\, u_t` that this optimizer
    visits are exactly those look-ahead points, so both forms need one
    gradient per step, at the point where it is taken.

    Conventions: :cite:t:`sutskever2013` call the step vector
    :math:`-\eta u` their velocity, and the Deep Learning book
    (:ref:`note 003 <note-003>`) writes :math:`\alpha` for :math:`\beta` and
    :math:`\epsilon` for :math:`\eta`. :ref:`Note 002 <note-002>` writes the
    method in moving-average form, in its own symbols (:math:`\alpha` the
    step, :math:`u` the average), with the look-ahead
    :math:`\theta_t - \alpha u_t`; the equivalence needs
    :math:`\theta_t - \alpha\beta u_t` (the part of the next step already
    decided), and its second line should read
    :math:`\theta_{t+1} = \theta_t - \alpha u_{t+1}` (see
    :func:`course_lib.heavy_ball.note002_nesterov`).

    References
    ----------
    :cite:t:`nesterov1983`; :cite:t:`sutskever2013`.
    """
    eta = as_schedule("lr", lr)
    beta = check_unit_interval("beta", beta)

    def step(x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        u = beta * state.u + g                      # velocity, as in momentum
        x_next = x - eta(state.t) * (g + beta * u)  # step from the look-ahead: gradient plus next momentum
        return x_next, MomentumState(t=state.t + 1, u=u)

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
    The effective rate of a coordinate decays like :math:`1/\sqrt{t}` when its
    gradients keep a steady size.

    Conventions: identical to ``torch.optim.Adagrad(params, lr, eps=eps)``
    (which puts :math:`\epsilon` outside the root, and calls :math:`s` the
    state ``sum``). :ref:`Note 000 <note-000>` uses the same :math:`s` and
    prints the accumulation as :math:`s_t = s_{t-1} g_t^2`; a plus sign is
    missing. The Deep Learning book :cite:p:`goodfellow2016` calls the
    accumulator :math:`r` and the constant :math:`\delta`.

    References
    ----------
    :cite:t:`duchi2011`.
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

        s_{t+1} &= \beta\, s_t + (1 - \beta)\, g_t \odot g_t \\
        x_{t+1} &= x_t - \frac{\eta}{\sqrt{s_{t+1}} + \epsilon} \odot g_t

    with :math:`s_0 = 0` (with ``eps_in_sqrt=True`` the denominator is :math:`\sqrt{s_{t+1} + \epsilon}`).

    Parameters
    ----------
    lr : float or callable, default 1e-2
        The learning rate :math:`\eta > 0`, or a schedule.
    gamma : float, default 0.99
        The averaging factor :math:`\beta \in [0, 1)` (``gamma`` is the
        averaging factor :math:`\beta`).
    eps : float, default 1e-8
        :math:`\epsilon > 0`.
    eps_in_sqrt : bool, default False
        Put :math:`\epsilon` inside the square root, as :ref:`note 000 <note-000>` writes it.

    Notes
    -----
    With a constant rate, each step has a size of about :math:`\eta` per
    coordinate even near a minimum, so the iterates can end up hopping
    around it at that distance (on Rosenbrock, about 0.03 with the
    defaults); decay the rate to settle.

    Conventions: identical to ``torch.optim.RMSprop(params, lr, alpha=gamma,
    eps=eps)``: PyTorch's argument for :math:`\beta` is ``alpha``.
    :ref:`The slides <note-000>` write :math:`\gamma` for :math:`\beta`. The
    method :ref:`note 001 <note-001>` calls "adadelta" is exactly this one
    (its :math:`G` is :math:`s`, its :math:`\gamma` is :math:`\beta`);
    Zeiler's AdaDelta is :func:`adadelta`. :ref:`Note 003 <note-003>` and
    the Deep Learning book write :math:`\rho` for :math:`\beta` (the book
    also :math:`r` for :math:`s` and :math:`\delta` for :math:`\epsilon`).

    References
    ----------
    :cite:t:`tieleman2012`.
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
    """Leaky average of squared steps :math:`d` (Zeiler's :math:`E[\\Delta x^2]`)."""


def adadelta(lr: LearningRate = 1.0, rho: float = 0.9, eps: float = 1e-6) -> Optimizer:
    r"""Zeiler's AdaDelta: the step's units come from past steps, not from a learning rate.

    .. math::

        s_{t+1} &= \beta\, s_t + (1 - \beta)\, g_t \odot g_t \\
        \Delta_t &= \frac{\sqrt{d_t + \epsilon}}{\sqrt{s_{t+1} + \epsilon}} \odot g_t \\
        d_{t+1} &= \beta\, d_t + (1 - \beta)\, \Delta_t \odot \Delta_t \\
        x_{t+1} &= x_t - \eta\, \Delta_t

    with :math:`s_0 = d_0 = 0`.

    Parameters
    ----------
    lr : float or callable, default 1.0
        A factor :math:`\eta > 0` on the step (Zeiler's method has none: ``lr=1``).
    rho : float, default 0.9
        The averaging factor :math:`\beta \in [0, 1)` of both averages
        (``rho`` is the averaging factor :math:`\beta`).
    eps : float, default 1e-6
        :math:`\epsilon > 0`; it also sets the size of the first steps, about :math:`\sqrt{\epsilon}`.

    Notes
    -----
    With exact (deterministic) gradients and these defaults it does not
    settle: on the ellipse of the course it comes close quickly and then
    oscillates with a slowly growing amplitude, and on Rosenbrock it
    wanders in the valley (the tests record both). It was designed for
    noisy gradients.

    Conventions: identical to ``torch.optim.Adadelta(params, lr, rho,
    eps)``. Zeiler and PyTorch write :math:`\rho` (``rho``) for
    :math:`\beta`; Zeiler writes :math:`E[g^2]` for :math:`s`,
    :math:`E[\Delta x^2]` for :math:`d` and :math:`\Delta x_t` for the step
    :math:`-\Delta_t`. Not to be confused with :ref:`note 001 <note-001>`'s
    "adadelta", which is :func:`rmsprop`.

    References
    ----------
    :cite:t:`zeiler2012`.
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
    """First moment :math:`m`: moving average of the gradients."""
    v: np.ndarray
    """Second moment :math:`v`: moving average of the squared gradients."""


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
        The averaging factor :math:`\beta_1 \in [0, 1)` of the first moment.
    beta2 : float, default 0.999
        The averaging factor :math:`\beta_2 \in [0, 1)` of the second moment.
    eps : float, default 1e-8
        :math:`\epsilon > 0`.
    bias_correction : bool, default True
        Divide the moments by :math:`1 - \beta_1^{t+1}` and
        :math:`1 - \beta_2^{t+1}`. :ref:`Note 002 <note-002>` writes Adam
        without it.
    eps_in_sqrt : bool, default False
        Use :math:`\sqrt{\hat v + \epsilon}`, as :ref:`note 001 <note-001>` writes it.

    Notes
    -----
    With bias correction the first step moves every coordinate by almost
    exactly :math:`\eta` against the sign of its gradient, whatever the
    gradient's size.

    Conventions: identical to ``torch.optim.Adam(params, lr, betas=(beta1,
    beta2), eps=eps)``, whose state calls :math:`m` and :math:`v`
    ``exp_avg`` and ``exp_avg_sq``. :ref:`Note 001 <note-001>` uses
    :math:`m, v` as here (with :math:`B_1, B_2` for :math:`\beta_1,
    \beta_2`); :ref:`the slides <note-000>` call the first moment :math:`v`
    and the second :math:`s`, :ref:`note 002 <note-002>` :math:`u` and
    :math:`v`. The Deep Learning book writes :math:`s, r` for the moments,
    :math:`\rho_1, \rho_2` for the factors and :math:`\delta` for
    :math:`\epsilon`.

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
    :cite:t:`kingma2015`.
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

        x' &= x_t - \eta\, \omega\, x_t \\
        x_{t+1} &= x' - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`\hat m, \hat v` as in :func:`adam` and the weight decay
    :math:`\omega` = ``weight_decay``.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        The learning rate :math:`\eta > 0`, or a schedule.
    beta1 : float, default 0.9
        :math:`\beta_1`, as in :func:`adam`.
    beta2 : float, default 0.999
        :math:`\beta_2`, as in :func:`adam`.
    eps : float, default 1e-8
        :math:`\epsilon`, as in :func:`adam`.
    weight_decay : float, default 1e-2
        The weight decay :math:`\omega \ge 0`. Zero gives :func:`adam`.

    Notes
    -----
    Adding :math:`\omega x` to the gradient instead (L2 regularization,
    ``torch.optim.Adam``'s ``weight_decay``) is not the same: Adam would
    then rescale the decay per coordinate. The decay pulls towards 0, so
    the fixed point is not the objective's minimizer but one shifted
    towards the origin (by about 8e-4 on Rosenbrock with the defaults).

    Conventions: identical to ``torch.optim.AdamW(params, lr, betas, eps,
    weight_decay)``. :cite:t:`loshchilov2019` write :math:`\lambda` for
    :math:`\omega`.

    References
    ----------
    :cite:t:`loshchilov2019`.
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
        :math:`\beta_1`, as in :func:`adam`.
    beta2 : float, default 0.999
        :math:`\beta_2`: sets the size :math:`(1 - \beta_2) g^2` of each
        change of :math:`v`.
    eps : float, default 1e-3
        :math:`\epsilon > 0`; the paper recommends a larger value than Adam's.
    v0 : float, default 1e-6
        Initial second moment, :math:`\ge 0`.

    Notes
    -----
    Adam's :math:`v_{t+1} - v_t = (1 - \beta_2)(g_t^2 - v_t)` can shrink :math:`v` by a
    large fraction when gradients are briefly small, which blows up the effective
    rate. Yogi's change has size :math:`(1 - \beta_2) g_t^2` whatever :math:`v_t` is, and
    only its sign depends on :math:`v_t`.

    Conventions: this is Algorithm 2 of :cite:t:`zaheer2018`, without
    bias correction, in the paper's own symbols :math:`m, v, \beta_1,
    \beta_2, \epsilon`. There is no ``torch.optim`` counterpart; the
    tests check it against the paper's update written out by hand.

    References
    ----------
    :cite:t:`zaheer2018`.
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

        x_{t+1} = x_t - \alpha\, \bigl(\nabla^2 f(x_t)\bigr)^{-1} g_t

    Parameters
    ----------
    lr : float or callable, default 1.0
        The damping factor :math:`\alpha > 0` (``lr`` is the damping factor
        :math:`\alpha`), or a schedule; ``1`` is the full Newton step,
        smaller values damp it.

    Notes
    -----
    ``update(x, g, state, hessian=H)`` takes the Hessian at ``x`` by name;
    :func:`course_lib.runner.run` passes ``objective.hessian(x)`` because ``needs`` is
    ``("hessian",)``. On a quadratic with positive definite Hessian a full step lands on the
    minimizer. Newton's method looks for a zero of the gradient, so near a saddle
    or a maximum it is attracted to it as well.

    Conventions: there is no ``torch.optim`` counterpart. The step
    :math:`-(\nabla^2 f)^{-1} g` is the :math:`\Delta x` of the
    gradient-descent chapter.

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
