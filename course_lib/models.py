"""A small neural network, written out by hand, for the chapters that train on real data.

The two-layer network maps an input :math:`x \\in \\mathbb{R}^{d}` to class scores

.. math::

    h = \\tanh(x W_1 + b_1), \\qquad z = h W_2 + b_2,

and is trained with the mean cross-entropy of the softmax of :math:`z`. Its parameters
are a dict of four arrays; :func:`network_problem` flattens them (see
:mod:`course_lib.pytree`) so that every optimizer of the course trains it unchanged,
with full-batch or seeded minibatch gradients.

>>> from course_lib.data import digits
>>> params = two_layer_init(64, 16, 10, seed=0)
>>> sorted((k, v.shape) for k, v in params.items())
[('W1', (64, 16)), ('W2', (16, 10)), ('b1', (16,)), ('b2', (10,))]
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int
from .data import Batches, Dataset
from .pytree import flat_objective, ravel

__all__ = ["two_layer_init", "two_layer_loss", "two_layer_grad", "accuracy", "network_problem"]

Params = dict[str, np.ndarray]


def two_layer_init(n_in: int, n_hidden: int, n_out: int, *, seed=0) -> Params:
    """Weights drawn from :math:`N(0, 1/\\text{fan-in})`, biases zero (LeCun's scaling)."""
    n_in, n_hidden, n_out = (check_int(name, v, minimum=1) for name, v in
                             (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)))
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in), "b1": np.zeros(n_hidden),
            "W2": rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden), "b2": np.zeros(n_out)}


def _forward(params: Params, X: np.ndarray):
    h = np.tanh(X @ params["W1"] + params["b1"])
    z = h @ params["W2"] + params["b2"]
    z = z - z.max(axis=1, keepdims=True)               # softmax is unchanged; exp cannot overflow
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return h, z, p


def two_layer_loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy :math:`-\\frac1n \\sum_i \\log \\operatorname{softmax}(z_i)_{y_i}`."""
    _, z, p = _forward(params, X)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def two_layer_grad(params: Params, X: np.ndarray, y: np.ndarray) -> Params:
    """The gradient of :func:`two_layer_loss`, by backpropagation written out."""
    n = len(y)
    h, _, p = _forward(params, X)
    dz = p.copy()
    dz[np.arange(n), y] -= 1.0                         # d loss / d z = softmax - one-hot, per example
    dz /= n
    dh = dz @ params["W2"].T * (1.0 - h * h)           # back through W2 and tanh
    return {"W1": X.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}


def accuracy(params: Params, data: Dataset) -> float:
    """The fraction of ``data`` whose highest score is the true class."""
    _, z, _ = _forward(params, data.X)
    return float((z.argmax(axis=1) == data.y).mean())


def network_problem(data: Dataset, params: Params, *, batches: Batches = None):
    """The network's training loss over ``data`` as an objective over the flat parameters.

    Returns ``(objective, x0, unravel, gradient)``: the full-batch objective (no Hessian),
    the flattened ``params``, the function that rebuilds the dict, and for ``run`` a
    ``gradient(x, t, rng)`` that uses the examples ``batches.indices(t)`` at step ``t``
    (the full batch when ``batches`` is None).
    """
    X, y = data.X, data.y
    objective, x0, unravel = flat_objective(
        f"two-layer network on {data.name or 'data'}", params,
        loss=lambda p: two_layer_loss(p, X, y), grad=lambda p: two_layer_grad(p, X, y))

    def gradient(x, t, rng):
        if batches is None:
            return objective.grad(x)
        idx = batches.indices(t)
        return ravel(two_layer_grad(unravel(x), X[idx], y[idx]))[0]

    return objective, x0, unravel, gradient
