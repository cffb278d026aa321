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

``lr`` is always either a positive number or a schedule (a function of the step
number, see :mod:`course_lib.schedules`).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, NamedTuple, Tuple

import numpy as np

from ._validation import check_finite, check_same_shape
from .schedules import LearningRate, as_schedule

__all__ = ["Optimizer", "GDState", "gd"]


class Optimizer(NamedTuple):
    """An optimizer: its ``init`` and ``update`` functions, with its name and hyperparameters."""

    init: Callable[[Any], Any]
    update: Callable[[np.ndarray, np.ndarray, Any], Tuple[np.ndarray, Any]]
    name: str
    hyperparams: Dict[str, Any]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_show(v)}" for k, v in self.hyperparams.items())
        return f"{self.name}({args})"


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


def _check_point_and_gradient(x, g) -> Tuple[np.ndarray, np.ndarray]:
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


def gd(lr: LearningRate = 0.1) -> Optimizer:
    r"""Gradient descent.

    .. math::

        x_{t+1} = x_t - \eta(t)\, g_t, \qquad g_t = \nabla f(x_t)

    Parameters
    ----------
    lr : float or callable, default 0.1
        The learning rate :math:`\eta > 0`, or a schedule ``eta(t)``.

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
    >>> state = opt.init(np.array([2.0]))
    >>> x, state = opt.update(np.array([2.0]), np.array([4.0]), state)  # f = x², g = 2x
    >>> x, state.t
    (array([1.]), 1)

    References
    ----------
    A. Cauchy, "Méthode générale pour la résolution des systèmes d'équations
    simultanées", Comptes rendus de l'Académie des sciences 25 (1847) 536-538.
    """
    eta = as_schedule("lr", lr)

    def init(x0) -> GDState:
        _check_start(x0)
        return GDState(t=0)

    def update(x, g, state: GDState) -> Tuple[np.ndarray, GDState]:
        x, g = _check_point_and_gradient(x, g)
        eta_t = eta(state.t)          # rate of this step
        x_next = x - eta_t * g        # step against the gradient
        return x_next, GDState(t=state.t + 1)

    return Optimizer(init, update, "gd", {"lr": lr})
