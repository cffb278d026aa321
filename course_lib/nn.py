"""Neural networks in numpy: layers, batch normalization, initializers and a multilayer perceptron.

Everything here is a pure function of arrays (no hidden state, nothing modified in place),
**rows are examples**, and every random thing takes a ``seed`` (an int or a
``np.random.Generator``). The pieces:

* **layers** as forward / backward pairs: ``forward(...) -> (out, cache)`` and
  ``backward(dout, cache) -> gradients`` for :func:`linear_forward`, :func:`relu_forward`,
  :func:`tanh_forward`, :func:`sigmoid_forward`; the two losses :func:`softmax_cross_entropy`
  and :func:`binary_cross_entropy` return ``(loss, dlogits)`` at once;
* **batch normalization** (:ref:`note 001 <note-001>`): :func:`batchnorm_forward`,
  :func:`batchnorm_backward`, the running statistics :func:`update_running_stats` and
  :func:`batchnorm_inference`, and the note's own closed-form gradient :func:`batchnorm_grad_note001`;
* **initializers** (:ref:`note 002 <note-002>`): :func:`zeros`, :func:`normal`,
  :func:`xavier_normal`, :func:`xavier_uniform`, :func:`kaiming_normal`, :func:`kaiming_uniform`,
  with their standard deviations :func:`xavier_std`, :func:`kaiming_std`, :func:`init_std`;
* **the MLP** of :ref:`note 002 <note-002>`, :math:`z_{i+1} = \\sigma_i(W_i^\\top z_i + b_i)`, the last
  :math:`\\sigma` the identity, trained with the softmax cross-entropy; with rows as examples a
  layer reads :math:`Z_{i+1} = \\sigma_i(Z_i W_i + b_i)`, ``W_i`` of shape ``(n_i, n_{i+1})`` as in
  the note. :func:`mlp_init`, :func:`mlp_loss_and_grad`, :func:`mlp_predict`, :func:`mlp_accuracy`
  and :func:`mlp_problem`, which flattens the parameters (:mod:`course_lib.pytree`) so that
  :func:`~course_lib.stochastic.sgd_epoch`, :func:`~course_lib.stochastic.minibatch_sgd`,
  :func:`~course_lib.runner.run` and every optimizer train the network unchanged;
* **deep networks at initialization**: :func:`deep_norms` (activation and gradient sizes through
  50 layers) and :func:`relative_change` (how far weights moved from their initialization).

Batch norm's running statistics are **explicit state**, a dict ``{"mean0": ..., "var0": ...,
"mean1": ...}`` (one pair per batch-norm layer) that no function keeps: :func:`mlp_init_state`
makes torch's initial one, :func:`mlp_update_state` and :meth:`MLPProblem.train_epoch` return
the next one, and inference (``training=False``) takes it as ``state=``.

>>> params = mlp_init([64, 32, 10], seed=0)
>>> sorted((k, v.shape) for k, v in params.items())
[('W0', (64, 32)), ('W1', (32, 10)), ('b0', (32,)), ('b1', (10,))]
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_nonnegative, check_positive, check_unit_interval
from .data import Batches, Dataset, batch_gradients
from .objectives import Objective
from .pytree import ravel

__all__ = [
    "one_blas_thread",
    # layers
    "linear_forward", "linear_backward", "relu_forward", "relu_backward", "tanh_forward", "tanh_backward",
    "sigmoid_forward", "sigmoid_backward", "softmax_cross_entropy", "binary_cross_entropy",
    # batch normalization
    "BatchNormCache", "batchnorm_forward", "batchnorm_backward", "batchnorm_grad_note001",
    "update_running_stats", "batchnorm_inference",
    # initializers
    "INITS", "zeros", "normal", "xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform",
    "xavier_std", "kaiming_std", "init_std", "initialize",
    # the MLP
    "ACTIVATIONS", "mlp_init", "mlp_init_state", "mlp_forward", "mlp_loss_and_grad", "mlp_update_state",
    "mlp_predict", "mlp_accuracy", "MLPProblem", "mlp_problem",
    # deep networks
    "DeepNorms", "deep_norms", "relative_change",
]

Params = dict[str, np.ndarray]


# =========================================================================== checks

def _matrix(name: str, value, *, min_rows: int = 1) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {value!r}") from None
    if arr.ndim != 2 or arr.shape[0] < min_rows or arr.shape[1] < 1:
        raise ValueError(f"{name} must have shape (n, d) with n >= {min_rows} rows and d >= 1, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _vector(name: str, value, size: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {value!r}") from None
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _labels(y, n: int, k: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be {n} integer labels (shape ({n},)), got {y.dtype} {y.shape}")
    if n and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"y must hold labels in [0, {k - 1}] for {k} classes, got labels from {y.min()} to {y.max()}")
    return y


def _cache(name: str, cache, kind: type):
    if not isinstance(cache, kind):
        raise ValueError(f"{name} must be the cache returned by the matching forward function, "
                         f"got {type(cache).__name__}")
    return cache


def _dout(dout, shape) -> np.ndarray:
    dout = np.asarray(dout, dtype=np.float64)
    if dout.shape != tuple(shape):
        raise ValueError(f"dout must have the shape of the forward output, {tuple(shape)}, got {dout.shape}")
    return dout


# =========================================================================== layers

class LinearCache(NamedTuple):
    """What :func:`linear_backward` needs: the input and the weights."""

    X: np.ndarray
    W: np.ndarray


def linear_forward(X, W, b) -> tuple[np.ndarray, LinearCache]:
    """An affine layer, rows = examples: :math:`\\text{out} = X W + b`.

    This is :ref:`note 002 <note-002>`'s :math:`W_i^\\top z_i + b_i` for every example at once
    (:ref:`note 002 <note-002>`): row ``j`` of ``out`` is :math:`W^\\top x_j + b`.

    Parameters
    ----------
    X : array_like, shape (n, d_in)
        Inputs, one per row, ``n >= 1``.
    W : array_like, shape (d_in, d_out)
    b : array_like, shape (d_out,)

    Returns
    -------
    out : ndarray, shape (n, d_out)
    cache : LinearCache

    Examples
    --------
    >>> W = [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]
    >>> out, cache = linear_forward([[1.0, 2.0]], W, [0.0, 0.0, 10.0])
    >>> out.tolist()
    [[1.0, 2.0, 13.0]]
    """
    X = _matrix("X", X)
    W = _matrix("W", W)
    if W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have shape (d_in, d_out) with d_in = {X.shape[1]} (the columns of X), got {W.shape}")
    b = _vector("b", b, W.shape[1])
    return X @ W + b, LinearCache(X, W)


def linear_backward(dout, cache: LinearCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of an affine layer given :math:`D = \\partial L / \\partial \\text{out}`:

    .. math::

        \\frac{\\partial L}{\\partial X} = D W^\\top, \\qquad
        \\frac{\\partial L}{\\partial W} = X^\\top D, \\qquad
        \\frac{\\partial L}{\\partial b} = \\textstyle\\sum_j D_{j,:}.

    Returns ``(dX, dW, db)``.

    Examples
    --------
    >>> _, cache = linear_forward([[1.0, 2.0]], [[1.0], [1.0]], [0.0])
    >>> dX, dW, db = linear_backward([[1.0]], cache)
    >>> dX.tolist(), dW.tolist(), db.tolist()
    ([[1.0, 1.0]], [[1.0], [2.0]], [1.0])
    """
    X, W = _cache("cache", cache, LinearCache)
    dout = _dout(dout, (X.shape[0], W.shape[1]))
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


class ActivationCache(NamedTuple):
    """The output of an element-wise activation, from which its derivative is computed."""

    out: np.ndarray
    kind: str


def _as_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _sigmoid(Z: np.ndarray) -> np.ndarray:
    """:math:`1/(1 + e^{-z})` without overflow: through :math:`e^{-|z|} \\le 1`."""
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    """:math:`\\operatorname{relu}(z) = \\max(z, 0)`, element-wise; any shape.

    Examples
    --------
    >>> relu_forward([-1.0, 0.0, 2.0])[0].tolist()
    [0.0, 0.0, 2.0]
    """
    out = np.maximum(_as_array("Z", Z), 0.0)
    return out, ActivationCache(out, "relu")


def relu_backward(dout, cache: ActivationCache) -> np.ndarray:
    """:math:`\\partial L/\\partial z = \\partial L/\\partial \\text{out} \\cdot [z > 0]` (0 at :math:`z = 0`, as
    torch).

    Examples
    --------
    >>> _, c = relu_forward([-1.0, 0.0, 2.0])
    >>> relu_backward([5.0, 5.0, 5.0], c).tolist()
    [0.0, 0.0, 5.0]
    """
    out = _cache("cache", cache, ActivationCache).out
    return _dout(dout, out.shape) * (out > 0)


def tanh_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    """:math:`\\tanh z`, element-wise; any shape.

    Examples
    --------
    >>> tanh_forward([0.0])[0].tolist()
    [0.0]
    """
    out = np.tanh(_as_array("Z", Z))
    return out, ActivationCache(out, "tanh")


def tanh_backward(dout, cache: ActivationCache) -> np.ndarray:
    """:math:`\\partial L/\\partial z = \\partial L/\\partial \\text{out} \\cdot (1 - \\tanh^2 z)`.

    Examples
    --------
    >>> _, c = tanh_forward([0.0])
    >>> tanh_backward([2.0], c).tolist()
    [2.0]
    """
    out = _cache("cache", cache, ActivationCache).out
    return _dout(dout, out.shape) * (1.0 - out * out)


def sigmoid_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    """:math:`s(z) = 1 / (1 + e^{-z})`, element-wise, without overflow for any finite ``z``.

    Examples
    --------
    >>> sigmoid_forward([0.0, -1000.0, 1000.0])[0].tolist()
    [0.5, 0.0, 1.0]
    """
    out = _sigmoid(_as_array("Z", Z))
    return out, ActivationCache(out, "sigmoid")


def sigmoid_backward(dout, cache: ActivationCache) -> np.ndarray:
    """:math:`\\partial L/\\partial z = \\partial L/\\partial \\text{out} \\cdot s(z)(1 - s(z))`.

    Examples
    --------
    >>> _, c = sigmoid_forward([0.0])
    >>> sigmoid_backward([1.0], c).tolist()
    [0.25]
    """
    out = _cache("cache", cache, ActivationCache).out
    return _dout(dout, out.shape) * out * (1.0 - out)


def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """The mean softmax cross-entropy over the rows and its gradient with respect to the logits.

    .. math::

        L = -\\frac1n \\sum_{j=1}^n \\log \\operatorname{softmax}(z_j)_{y_j}
          = \\frac1n \\sum_j \\Big(\\log \\sum_c e^{z_{jc}} - z_{j y_j}\\Big), \\qquad
        \\frac{\\partial L}{\\partial z_j} = \\frac{p_j - e_{y_j}}{n},

    computed stably: the row maximum is subtracted before exponentiating (softmax is unchanged),
    so no logit overflows. :math:`L \\ge 0`, and each row of the gradient sums to 0.

    Parameters
    ----------
    logits : array_like, shape (n, k)
        ``n >= 1`` rows of ``k >= 2`` class scores.
    y : array_like of int, shape (n,)
        Labels in ``[0, k - 1]``.

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (n, k)

    Examples
    --------
    >>> loss, d = softmax_cross_entropy([[0.0, 0.0]], [1])
    >>> round(loss, 6), d.tolist()              # log 2; (p - e_1) / 1
    (0.693147, [[0.5, -0.5]])
    >>> # no overflow
    >>> round(softmax_cross_entropy([[1000.0, 0.0]], [0])[0], 6)
    0.0
    """
    Z = _matrix("logits", logits)
    if Z.shape[1] < 2:
        raise ValueError(f"logits must have k >= 2 columns (classes), got {Z.shape}")
    y = _labels(y, Z.shape[0], Z.shape[1])
    return _softmax_ce(Z, y)


def _softmax_ce(Z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    n = Z.shape[0]
    rows = np.arange(n)
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    s = P.sum(axis=1, keepdims=True)
    loss = float(np.log(s).sum() - Z[rows, y].sum()) / n
    P /= s
    P[rows, y] -= 1.0
    P /= n
    return loss, P


def binary_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """The mean binary cross-entropy of :math:`s(z)` (from logits) and its gradient.

    .. math::

        L = \\frac1N \\sum \\big(-y \\log s(z) - (1 - y) \\log(1 - s(z))\\big)
          = \\frac1N \\sum \\big(\\max(z, 0) - z y + \\log(1 + e^{-|z|})\\big), \\qquad
        \\frac{\\partial L}{\\partial z} = \\frac{s(z) - y}{N},

    the mean over all ``N`` entries (``torch.nn.functional.binary_cross_entropy_with_logits``).
    The second form never overflows and never takes the log of 0.

    Parameters
    ----------
    logits : array_like
        Any shape, at least one entry.
    y : array_like
        Targets in ``[0, 1]`` (usually 0 or 1), the shape of ``logits``.

    Examples
    --------
    >>> loss, d = binary_cross_entropy([0.0, 800.0], [1.0, 1.0])
    >>> # (log 2 + 0) / 2; (s(z) - y) / 2
    >>> round(loss, 6), d.tolist()
    (0.346574, [-0.25, 0.0])
    """
    Z = _as_array("logits", logits)
    T = _as_array("y", y)
    if Z.size == 0:
        raise ValueError("logits must have at least one entry")
    if T.shape != Z.shape:
        raise ValueError(f"y must have the shape of logits, {Z.shape}, got {T.shape}")
    if np.any((T < 0) | (T > 1)):
        raise ValueError("y must hold targets in [0, 1]")
    N = Z.size
    loss = float(np.sum(np.maximum(Z, 0.0) - Z * T + np.log1p(np.exp(-np.abs(Z))))) / N
    return loss, (_sigmoid(Z) - T) / N


# =========================================================================== batch normalization

class BatchNormCache(NamedTuple):
    """What :func:`batchnorm_backward` needs, and the batch statistics for the running ones."""

    zhat: np.ndarray
    """The normalized batch :math:`\\hat Z`, shape ``(n, d)``."""
    gamma: np.ndarray
    inv_std: np.ndarray
    """:math:`1/\\sqrt{\\sigma^2 + \\epsilon}` (or :math:`1/(\\sigma + \\epsilon)` with ``eps_outside``)."""
    mean: np.ndarray
    """The batch mean :math:`\\mu` per column."""
    var: np.ndarray
    """The batch variance :math:`\\sigma^2` per column (divided by ``n``, biased)."""
    eps: float
    eps_outside: bool


def batchnorm_forward(Z, gamma, beta, eps: float = 1e-5, *, eps_outside: bool = False
                      ) -> tuple[np.ndarray, BatchNormCache]:
    """Batch normalization in training mode, rows = examples, each column over the batch.

    With the batch mean and (biased) variance of column ``i`` over the ``n`` rows,

    .. math::

        \\mu_i = \\frac1n \\sum_j Z_{ji}, \\qquad \\sigma_i^2 = \\frac1n \\sum_j (Z_{ji} - \\mu_i)^2,
        \\qquad \\hat Z_{ji} = \\frac{Z_{ji} - \\mu_i}{\\sqrt{\\sigma_i^2 + \\epsilon}}, \\qquad
        \\text{out}_{ji} = \\gamma_i \\hat Z_{ji} + \\beta_i .

    Here :math:`\\gamma` and :math:`\\beta` are batch norm's learned scale and shift (the names of
    the paper and of PyTorch), not the averaging factor :math:`\\beta` of the optimizers.
    ε inside the square root is the standard placement (:cite:t:`ioffe2015`,
    and ``torch.nn.functional.batch_norm``). With ``eps_outside=True`` the function is instead
    :ref:`note 001 <note-001>`'s :math:`\\bar Z_{ji} = (Z_{ji} - \\mu_i)/(\\sigma_i + \\epsilon)`, a
    *different function*: the two agree only when :math:`\\sigma_i \\gg \\sqrt{\\epsilon}`. On a column
    with :math:`\\sigma = \\sqrt{\\epsilon}`, say, ε inside divides by :math:`\\sqrt{2\\epsilon}` and ε
    outside by :math:`\\sqrt\\epsilon + \\epsilon`, nearly :math:`\\sqrt2` times less.
    (:ref:`Note 001 <note-001>` stores the batch as columns, :math:`Z^l` of shape :math:`n^l \\times K`,
    its :math:`K` the batch size :math:`B`; here it is the transpose.)

    Parameters
    ----------
    Z : array_like, shape (n, d)
        A batch of ``n >= 1`` rows. (With ``n = 1`` every column is constant and the output is
        ``beta`` whatever ``Z`` is: the reason inference needs running statistics.)
    gamma, beta : array_like, shape (d,)
        Scale and shift.
    eps : float, default 1e-5
        :math:`\\epsilon \\ge 0` (torch's default). With ``eps = 0`` a constant column divides by 0.
    eps_outside : bool, default False
        :ref:`Note 001 <note-001>`'s placement, :math:`\\sigma + \\epsilon`.

    Returns
    -------
    out : ndarray, shape (n, d)
    cache : BatchNormCache

    Examples
    --------
    >>> Z = [[1.0], [3.0]]
    >>> out, cache = batchnorm_forward(Z, [2.0], [10.0], eps=0.0)
    >>> # (Z - 2) / 1 * 2 + 10
    >>> out.tolist(), cache.mean.tolist(), cache.var.tolist()
    ([[8.0], [12.0]], [2.0], [1.0])
    >>> Z = [[0.0], [0.002]]
    >>> inside, _ = batchnorm_forward(Z, [1.0], [0.0], eps=1e-6)
    >>> outside, _ = batchnorm_forward(Z, [1.0], [0.0], eps=1e-6,
    ...                                eps_outside=True)
    >>> # sigma = 0.001 = sqrt(eps)
    >>> round(float(inside[1, 0]), 4), round(float(outside[1, 0]), 4)
    (0.7071, 0.999)
    """
    Z = _matrix("Z", Z)
    d = Z.shape[1]
    gamma = _vector("gamma", gamma, d)
    beta = _vector("beta", beta, d)
    eps = check_nonnegative("eps", eps)
    mean = Z.mean(axis=0)
    Zc = Z - mean
    var = (Zc * Zc).mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_std = 1.0 / (np.sqrt(var) + eps) if eps_outside else 1.0 / np.sqrt(var + eps)
    if not np.all(np.isfinite(inv_std)):
        raise ValueError("eps must be > 0 when a column of Z is constant (its variance is 0)")
    zhat = Zc * inv_std
    return gamma * zhat + beta, BatchNormCache(zhat, gamma, inv_std, mean, var, eps, bool(eps_outside))


def batchnorm_backward(dout, cache: BatchNormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of :func:`batchnorm_forward` (training mode), given
    :math:`D = \\partial L/\\partial\\,\\text{out}`.

    .. math::

        \\frac{\\partial L}{\\partial \\beta_i} = \\sum_j D_{ji}, \\qquad
        \\frac{\\partial L}{\\partial \\gamma_i} = \\sum_j D_{ji} \\hat Z_{ji},

    and, with :math:`G_{ji} = \\gamma_i D_{ji}` and :math:`s_i = \\sqrt{\\sigma_i^2 + \\epsilon}`,

    .. math::

        \\frac{\\partial L}{\\partial Z_{ji}} = \\frac{1}{s_i}\\Big(G_{ji} - \\frac1n \\sum_k G_{ki}
        - \\hat Z_{ji}\\, \\frac1n \\sum_k G_{ki} \\hat Z_{ki}\\Big),

    the mean and the variance each carrying part of the gradient (:ref:`note 001 <note-001>`).
    For :ref:`note 001 <note-001>`'s placement (``eps_outside``), :math:`s_i = \\sigma_i + \\epsilon` and the last
    term is multiplied by :math:`s_i/\\sigma_i` (since :math:`\\partial\\sigma/\\partial\\sigma^2` no
    longer matches :math:`s`); it is 0 on a constant column.

    Returns ``(dZ, dgamma, dbeta)``.

    Examples
    --------
    >>> Z = [[1.0], [3.0]]
    >>> out, cache = batchnorm_forward(Z, [2.0], [0.0], eps=0.0)
    >>> # L = sum(out): constant
    >>> dZ, dgamma, dbeta = batchnorm_backward([[1.0], [1.0]], cache)
    >>> dZ.tolist(), dgamma.tolist(), dbeta.tolist()
    ([[0.0], [0.0]], [0.0], [2.0])
    """
    zhat, gamma, inv_std, _, var, eps, outside = _cache("cache", cache, BatchNormCache)
    dout = _dout(dout, zhat.shape)
    G = dout * gamma
    proj = (G * zhat).mean(axis=0)
    if outside:
        sigma = np.sqrt(var)
        with np.errstate(divide="ignore", invalid="ignore"):
            proj = np.where(sigma > 0, proj * (sigma + eps) / np.where(sigma > 0, sigma, 1.0), 0.0)
    dZ = inv_std * (G - G.mean(axis=0) - zhat * proj)
    return dZ, (dout * zhat).sum(axis=0), dout.sum(axis=0)


def batchnorm_grad_note001(dout, Z, gamma) -> np.ndarray:
    """:math:`\\partial L/\\partial Z` by :ref:`note 001 <note-001>`'s closed form, summed literally.

    The note's last formula, for unit ``i`` and example ``j`` of a batch of ``K`` (the note's
    :math:`K` is the course's batch size :math:`B`; :math:`\\delta_{jk}` is the Kronecker delta,
    1 if :math:`j = k`, else 0):

    .. math::

        \\frac{\\partial L}{\\partial Z_{ij}} = \\sum_{k=1}^K \\frac{\\partial L}{\\partial \\hat Z_{ik}}\\,
        G_i \\frac{1}{K \\sigma_i}
        \\Big(\\delta_{jk} K - 1 - \\frac{(Z_{ik} - \\mu_i)(Z_{ij} - \\mu_i)}{\\sigma_i^2}\\Big),

    with :math:`\\sigma_i` the batch standard deviation (divided by ``K``) and **no ε**: the note
    derives it with ε dropped, so it is the exact gradient of the ε = 0 normalization,
    ``batchnorm_backward(dout, batchnorm_forward(Z, gamma, beta, eps=0.0)[1])[0]``, and it differs
    from the gradient of either ε placement by a relative :math:`O(\\epsilon/\\sigma^2)` (inside) or
    :math:`O(\\epsilon/\\sigma)` (the note's own forward pass, ε outside). Here, as everywhere in
    :mod:`course_lib.nn`, rows are examples: the argument ``Z`` is the note's :math:`Z^\\top`, and
    the function builds the whole :math:`K \\times K` Jacobian of each column (``O(K² d)`` work).

    Parameters
    ----------
    dout : array_like, shape (K, d)
        :math:`\\partial L / \\partial \\hat Z` (the note's :math:`\\hat Z` is the layer's output).
    Z : array_like, shape (K, d)
        The batch, ``K >= 2``; no column may be constant (:math:`\\sigma_i > 0`).
    gamma : array_like, shape (d,)
        The note's :math:`G`.

    Examples
    --------
    >>> Z = [[1.0], [2.0], [6.0]]
    >>> _, cache = batchnorm_forward(Z, [1.5], [0.0], eps=0.0)
    >>> dout = [[1.0], [-2.0], [0.5]]
    >>> dZ = batchnorm_grad_note001(dout, Z, [1.5])
    >>> bool(np.allclose(dZ, batchnorm_backward(dout, cache)[0]))
    True
    """
    Z = _matrix("Z", Z, min_rows=2)
    K, d = Z.shape
    dout = _dout(dout, Z.shape)
    G = _vector("gamma", gamma, d)
    mu = Z.mean(axis=0)
    Zc = Z - mu
    sigma = np.sqrt((Zc * Zc).mean(axis=0))
    if np.any(sigma == 0):
        raise ValueError("Z must have no constant column: note 001's formula divides by sigma = 0 there")
    delta = np.eye(K)
    # jac[k, j, i] = d Zhat_{ik} / d Z_{ij} in the note's indices (unit i, examples k and j)
    jac = (G / (K * sigma)) * (delta[:, :, None] * K - 1.0 - Zc[:, None, :] * Zc[None, :, :] / sigma ** 2)
    return np.einsum("ki,kji->ji", dout, jac)


def update_running_stats(running_mean, running_var, Z, momentum: float = 0.1
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The next running mean and variance after a training batch ``Z``, as ``torch.nn.BatchNorm1d``.

    .. math::

        \\hat\\mu \\leftarrow (1 - a)\\, \\hat\\mu + a\\, \\mu_\\mathcal{B}, \\qquad
        \\hat\\sigma^2 \\leftarrow (1 - a)\\, \\hat\\sigma^2 + a\\, \\frac{B}{B - 1} \\sigma_\\mathcal{B}^2,

    for a batch :math:`\\mathcal{B}` of :math:`B` examples, with the batch variance made unbiased by
    :math:`B/(B-1)` (torch's choice; the normalization itself uses the biased
    :math:`\\sigma_\\mathcal{B}^2`). The weight :math:`a` of the *new* batch is torch's
    ``momentum`` (``momentum`` is :math:`a`): this is a running average with averaging factor
    :math:`\\beta = 1 - a`, not a momentum factor. Pure: returns new arrays. Torch starts from
    :math:`\\hat\\mu = 0`, :math:`\\hat\\sigma^2 = 1`.

    Parameters
    ----------
    running_mean, running_var : array_like, shape (d,)
    Z : array_like, shape (B, d)
        The batch, ``B >= 2`` (the unbiased variance of one row is undefined).
    momentum : float, default 0.1
        :math:`a \\in [0, 1]`.

    Examples
    --------
    >>> m, v = update_running_stats([0.0], [1.0], [[1.0], [3.0]])
    >>> # 0.9 * 0 + 0.1 * 2; 0.9 * 1 + 0.1 * 2
    >>> m.tolist(), v.tolist()
    ([0.2], [1.1])
    """
    Z = _matrix("Z", Z, min_rows=2)
    d = Z.shape[1]
    m = _vector("running_mean", running_mean, d)
    v = _vector("running_var", running_var, d)
    a = check_unit_interval("momentum", momentum, closed_right=True)
    return (1.0 - a) * m + a * Z.mean(axis=0), (1.0 - a) * v + a * Z.var(axis=0, ddof=1)


def batchnorm_inference(Z, gamma, beta, running_mean, running_var, eps: float = 1e-5) -> np.ndarray:
    """Batch normalization at inference: fixed statistics, so each row is normalized on its own.

    .. math::

        \\text{out}_{ji} = \\gamma_i \\frac{Z_{ji} - \\hat\\mu_i}{\\sqrt{\\hat\\sigma_i^2 + \\epsilon}} + \\beta_i

    with the running statistics :math:`\\hat\\mu` = ``running_mean`` and
    :math:`\\hat\\sigma^2` = ``running_var`` (see :func:`update_running_stats`)
    (``torch.nn.functional.batch_norm(..., training=False)``): an affine map of each example,
    whatever else is in the batch.

    Examples
    --------
    >>> gamma, beta, mean, var = [2.0], [1.0], [1.0], [4.0]
    >>> out = batchnorm_inference([[3.0]], gamma, beta, mean, var, eps=0)
    >>> out.tolist()
    [[3.0]]
    """
    Z = _matrix("Z", Z)
    d = Z.shape[1]
    gamma, beta = _vector("gamma", gamma, d), _vector("beta", beta, d)
    m, v = _vector("running_mean", running_mean, d), _vector("running_var", running_var, d)
    if np.any(v < 0):
        raise ValueError("running_var must be >= 0")
    eps = check_nonnegative("eps", eps)
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.sqrt(v + eps)
    if not np.all(np.isfinite(inv)):
        raise ValueError("eps must be > 0 when an entry of running_var is 0")
    return gamma * (Z - m) * inv + beta


# =========================================================================== initializers

INITS = ("zeros", "normal", "xavier", "xavier_uniform", "kaiming", "kaiming_uniform")
"""The names :func:`initialize` and :func:`mlp_init` accept (``xavier`` and ``kaiming`` are the normal ones)."""

_SQRT2 = math.sqrt(2.0)


def _fans(fan_in, fan_out) -> tuple[int, int]:
    return check_int("fan_in", fan_in, minimum=1), check_int("fan_out", fan_out, minimum=1)


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, numbers.Integral)
                                      or isinstance(seed, (list, tuple))):
        raise ValueError(f"seed must be an int >= 0 or a np.random.Generator, got {seed!r}")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be an int >= 0 or a np.random.Generator, got {seed!r}") from None


def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Xavier/Glorot's standard deviation, :math:`\\text{gain}\\sqrt{2 / (\\text{fan-in} + \\text{fan-out})}`.

    The compromise between keeping the activations' variance (:math:`n_{in}\\operatorname{Var}[w] = 1`)
    and the gradients' (:math:`n_{out}\\operatorname{Var}[w] = 1`), for activations that are linear
    near 0 (tanh). ``gain > 0`` as in ``torch.nn.init``. Proposed by
    :cite:t:`glorot2010`.

    Examples
    --------
    >>> xavier_std(100, 300)
    0.07071067811865475
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    return check_positive("gain", gain) * math.sqrt(2.0 / (fan_in + fan_out))


def kaiming_std(fan_in: int, gain: float = _SQRT2) -> float:
    """Kaiming/He's standard deviation (fan-in mode), :math:`\\text{gain}/\\sqrt{\\text{fan-in}}`; for ReLU
    (``gain`` :math:`= \\sqrt 2`, the default) :math:`\\sqrt{2/\\text{fan-in}}`.

    :ref:`Note 002 <note-002>`'s argument: :math:`\\operatorname{Var}[w^\\top x] = n\\operatorname{Var}[w]
    \\operatorname{Var}[x]` keeps its size when :math:`\\operatorname{Var}[w] = 1/n`; ReLU zeroes half of
    its inputs, halving the second moment, so :math:`\\operatorname{Var}[w] = 2/n`, the
    choice of :cite:t:`he2015`.

    Examples
    --------
    >>> kaiming_std(50)                 # sqrt(2 / 50)
    0.2
    >>> kaiming_std(100, gain=1.0)      # LeCun's 1 / sqrt(n)
    0.1
    """
    return check_positive("gain", gain) / math.sqrt(check_int("fan_in", fan_in, minimum=1))


def init_std(init: str, fan_in: int, fan_out: int, *, std: float | None = None,
             gain: float | None = None) -> float:
    """The standard deviation of the weights :func:`initialize` draws for ``init`` (one of :data:`INITS`).

    * ``zeros``: 0 (all weights zero);
    * ``normal``: ``std``, :math:`N(0, \\text{std}^2)`;
    * ``xavier``: :math:`g\\sqrt{2/(n_{in} + n_{out})}` with gain :math:`g = 1`, normal;
    * ``xavier_uniform``: the same, from :math:`U(-a, a)` with :math:`a = \\sqrt3\\,\\text{std}`;
    * ``kaiming``: :math:`g/\\sqrt{n_{in}}` with :math:`g = \\sqrt2` (for ReLU: :math:`\\sqrt{2/n_{in}}`), normal;
    * ``kaiming_uniform``: the same, from :math:`U(-a, a)` with :math:`a = \\sqrt3\\,\\text{std}`.

    A uniform law on :math:`[-a, a]` has standard deviation :math:`a/\\sqrt3`, so Xavier uniform's
    bound is :math:`g\\sqrt{6/(n_{in}+n_{out})}` and Kaiming uniform's :math:`g\\sqrt{3/n_{in}} = \\sqrt{6/n_{in}}`
    for ReLU, torch's formulas.

    Parameters
    ----------
    init : str
    fan_in, fan_out : int
        ``>= 1``: the weight matrix is ``(fan_in, fan_out)``.
    std : float, optional
        For ``normal`` only, ``>= 0``.
    gain : float, optional
        For the Xavier and Kaiming laws, ``> 0`` (defaults 1 and √2).

    Examples
    --------
    >>> init_std("kaiming_uniform", 8, 3)
    0.5
    >>> init_std("normal", 8, 3, std=0.01)
    0.01
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    if init == "normal":
        if std is None:
            raise ValueError("std must be given (a number >= 0) for init='normal'")
        return check_nonnegative("std", std)
    if std is not None:
        raise ValueError(f"std is only for init='normal', not {init!r} (use gain to scale it)")
    if init == "zeros":
        return 0.0
    if init.startswith("xavier"):
        return xavier_std(fan_in, fan_out, 1.0 if gain is None else gain)
    return kaiming_std(fan_in, _SQRT2 if gain is None else gain)


def zeros(fan_in: int, fan_out: int) -> np.ndarray:
    """All-zero weights of shape ``(fan_in, fan_out)``: :ref:`note 002 <note-002>`'s "(very bad) local optimum".

    Examples
    --------
    >>> zeros(2, 3).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    return np.zeros(_fans(fan_in, fan_out))


def normal(fan_in: int, fan_out: int, std: float, *, seed=0) -> np.ndarray:
    """Weights :math:`N(0, \\text{std}^2)`, shape ``(fan_in, fan_out)``, ``std >= 0``; seeded.

    Examples
    --------
    >>> W = normal(400, 500, 0.3, seed=1)
    >>> same = bool((W == normal(400, 500, 0.3, seed=1)).all())
    >>> round(float(W.std()), 2), same
    (0.3, True)
    """
    shape = _fans(fan_in, fan_out)
    return check_nonnegative("std", std) * _rng(seed).standard_normal(shape)


def _uniform(fan_in, fan_out, std, seed) -> np.ndarray:
    a = math.sqrt(3.0) * std
    return _rng(seed).uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(fan_in: int, fan_out: int, *, gain: float = 1.0, seed=0) -> np.ndarray:
    """:math:`N(0, s^2)` with :math:`s = \\text{gain}\\sqrt{2/(\\text{fan-in}+\\text{fan-out})}` (:func:`xavier_std`).

    Examples
    --------
    >>> xavier_normal(3, 5, seed=0).shape
    (3, 5)
    """
    return _rng(seed).standard_normal(_fans(fan_in, fan_out)) * xavier_std(fan_in, fan_out, gain)


def xavier_uniform(fan_in: int, fan_out: int, *, gain: float = 1.0, seed=0) -> np.ndarray:
    """:math:`U(-a, a)` with :math:`a = \\text{gain}\\sqrt{6/(\\text{fan-in}+\\text{fan-out})}`: standard deviation
    :func:`xavier_std`.

    Examples
    --------
    >>> # a = sqrt(6 / 6)
    >>> bool(np.abs(xavier_uniform(2, 4, seed=0)).max() <= 1.0)
    True
    """
    return _uniform(*_fans(fan_in, fan_out), xavier_std(fan_in, fan_out, gain), seed)


def kaiming_normal(fan_in: int, fan_out: int, *, gain: float = _SQRT2, seed=0) -> np.ndarray:
    """:math:`N(0, s^2)` with :math:`s = \\text{gain}/\\sqrt{\\text{fan-in}} = \\sqrt{2/\\text{fan-in}}` for ReLU
    (:func:`kaiming_std`).

    Examples
    --------
    >>> W = kaiming_normal(200, 1000, seed=0)
    >>> round(float(W.std()), 2)          # sqrt(2 / 200) = 0.1
    0.1
    """
    return _rng(seed).standard_normal(_fans(fan_in, fan_out)) * kaiming_std(fan_in, gain)


def kaiming_uniform(fan_in: int, fan_out: int, *, gain: float = _SQRT2, seed=0) -> np.ndarray:
    """:math:`U(-a, a)` with :math:`a = \\text{gain}\\sqrt{3/\\text{fan-in}} = \\sqrt{6/\\text{fan-in}}` for ReLU.

    Examples
    --------
    >>> # a = sqrt(6 / 6)
    >>> bool(np.abs(kaiming_uniform(6, 4, seed=0)).max() <= 1.0)
    True
    """
    return _uniform(*_fans(fan_in, fan_out), kaiming_std(fan_in, gain), seed)


def initialize(init: str, fan_in: int, fan_out: int, *, seed=0, std: float | None = None,
               gain: float | None = None) -> np.ndarray:
    """Weights of shape ``(fan_in, fan_out)`` drawn by ``init`` (one of :data:`INITS`; see :func:`init_std`).

    Examples
    --------
    >>> W = initialize("kaiming", 4, 2, seed=3)
    >>> bool((W == kaiming_normal(4, 2, seed=3)).all())
    True
    """
    s = init_std(init, fan_in, fan_out, std=std, gain=gain)
    if init == "zeros":
        return zeros(fan_in, fan_out)
    if init.endswith("uniform"):
        return _uniform(fan_in, fan_out, s, seed)
    return s * _rng(seed).standard_normal((fan_in, fan_out))


# =========================================================================== the MLP

ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")
"""The hidden activations :func:`mlp_loss_and_grad` and :func:`deep_norms` accept."""


def _act(name: str, H: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(H, 0.0)
    if name == "tanh":
        return np.tanh(H)
    if name == "sigmoid":
        return _sigmoid(H)
    return H


def _act_back(name: str, dA: np.ndarray, A: np.ndarray) -> np.ndarray:
    """The gradient through the activation, from its output ``A`` (``dA`` is a fresh array: reused)."""
    if name == "relu":
        dA *= A > 0
    elif name == "tanh":
        dA *= 1.0 - A * A
    elif name == "sigmoid":
        dA *= A * (1.0 - A)
    return dA


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    return activation


def _sizes(sizes) -> list[int]:
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"sizes must be a sequence of layer widths such as [64, 128, 10], got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least 2 widths (input and output), got {sizes!r}")
    return [check_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]


def mlp_init(sizes: Sequence[int], *, init: str = "kaiming", seed=0, batchnorm: bool = False,
             std: float | None = None, gain: float | None = None) -> Params:
    """The parameters of an MLP with layer widths ``sizes``: weights by ``init``, biases 0.

    Layer ``i`` (``i = 0 .. L-1`` for ``L = len(sizes) - 1`` layers) has ``W{i}`` of shape
    ``(sizes[i], sizes[i+1])`` and ``b{i}`` of shape ``(sizes[i+1],)`` (:ref:`note 002 <note-002>`'s
    :math:`W_i \\in \\mathbb{R}^{n_i \\times n_{i+1}}`, counted from 0). With ``batchnorm`` each hidden
    layer ``i < L - 1`` also has ``gamma{i} = 1`` and ``beta{i} = 0`` (torch's start). The weights
    of all layers come from one generator seeded with ``seed``, layer after layer.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_input, n_hidden..., n_classes]``, each ``>= 1``, at least two entries.
    init : str, default "kaiming"
        One of :data:`INITS` (see :func:`init_std` for each law's standard deviation).
    seed : int or np.random.Generator, default 0
    batchnorm : bool, default False
    std : float, optional
        The standard deviation for ``init="normal"``.
    gain : float, optional
        The gain of the Xavier and Kaiming laws.

    Examples
    --------
    >>> p = mlp_init([4, 3, 2], batchnorm=True)
    >>> sorted(p)
    ['W0', 'W1', 'b0', 'b1', 'beta0', 'gamma0']
    >>> # same seed, same weights
    >>> bool((p["W0"] == mlp_init([4, 3, 2])["W0"]).all())
    True
    """
    sizes = _sizes(sizes)
    rng = _rng(seed)
    params: Params = {}
    L = len(sizes) - 1
    for i in range(L):
        params[f"W{i}"] = initialize(init, sizes[i], sizes[i + 1], seed=rng, std=std, gain=gain)
        params[f"b{i}"] = np.zeros(sizes[i + 1])
        if batchnorm and i < L - 1:
            params[f"gamma{i}"] = np.ones(sizes[i + 1])
            params[f"beta{i}"] = np.zeros(sizes[i + 1])
    return params


def _structure(params, batchnorm: bool | None = None) -> tuple[int, bool]:
    """The number of layers and whether ``params`` has batch norm, checking their shapes."""
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict such as mlp_init returns, got {type(params).__name__}")
    L = 0
    while f"W{L}" in params:
        L += 1
    if L == 0:
        raise ValueError("params must hold the weights W0, W1, ... (see mlp_init)")
    has_bn = "gamma0" in params
    if batchnorm is not None and bool(batchnorm) != has_bn:
        raise ValueError(f"batchnorm={batchnorm!r} but params {'has' if has_bn else 'has no'} batch-norm "
                         "parameters (gamma0, beta0, ...): build them with mlp_init(..., batchnorm=...)")
    expected = {f"W{i}" for i in range(L)} | {f"b{i}" for i in range(L)}
    if has_bn:
        expected |= {f"{k}{i}" for i in range(L - 1) for k in ("gamma", "beta")}
    if set(params) != expected:
        raise ValueError(f"params must have exactly the keys {sorted(expected)}, got {sorted(params)}")
    for i in range(L):
        W = np.asarray(params[f"W{i}"])
        if W.ndim != 2 or (i and W.shape[0] != np.shape(params[f"W{i - 1}"])[1]):
            raise ValueError(f"params['W{i}'] must be a matrix whose rows match the previous layer's width, "
                             f"got shape {W.shape}")
        names = ["b"] + (["gamma", "beta"] if has_bn and i < L - 1 else [])
        for name in names:
            if np.shape(params[f"{name}{i}"]) != (W.shape[1],):
                raise ValueError(f"params['{name}{i}'] must have shape ({W.shape[1]},), "
                                 f"got {np.shape(params[f'{name}{i}'])}")
    return L, has_bn


def _lists(params, L, bn):
    W = [np.asarray(params[f"W{i}"], dtype=np.float64) for i in range(L)]
    b = [np.asarray(params[f"b{i}"], dtype=np.float64) for i in range(L)]
    g = [np.asarray(params[f"gamma{i}"], dtype=np.float64) for i in range(L - 1)] if bn else None
    be = [np.asarray(params[f"beta{i}"], dtype=np.float64) for i in range(L - 1)] if bn else None
    return W, b, g, be


def mlp_init_state(params) -> dict[str, np.ndarray]:
    """The running statistics of a batch-norm MLP before training: means 0, variances 1 (torch's).

    Keys ``mean{i}`` and ``var{i}`` for each batch-norm layer ``i``; an empty dict without batch norm.

    Examples
    --------
    >>> sorted(mlp_init_state(mlp_init([4, 3, 2], batchnorm=True)))
    ['mean0', 'var0']
    """
    L, bn = _structure(params)
    state = {}
    if bn:
        for i in range(L - 1):
            d = np.shape(params[f"b{i}"])[0]
            state[f"mean{i}"], state[f"var{i}"] = np.zeros(d), np.ones(d)
    return state


def _state_lists(state, params, L, bn, training):
    if not bn or training:
        return None
    if not isinstance(state, dict):
        raise ValueError("state must be the running statistics (a dict from mlp_init_state / mlp_update_state / "
                         "MLPProblem.population_state) when training=False with batch norm")
    out = []
    for i in range(L - 1):
        d = np.shape(params[f"b{i}"])[0]
        if f"mean{i}" not in state or f"var{i}" not in state:
            raise ValueError(f"state must hold mean{i} and var{i} for every batch-norm layer, got keys {sorted(state)}")
        m, v = _vector(f"state['mean{i}']", state[f"mean{i}"], d), _vector(f"state['var{i}']", state[f"var{i}"], d)
        if np.any(v < 0):
            raise ValueError(f"state['var{i}'] must be >= 0")
        out.append((m, v))
    return out


def _forward(W, b, g, be, X, act, eps, stats):
    """The forward pass. ``stats`` None: batch statistics (training); else a list of (mean, var).

    Returns the logits and the caches: per layer its input ``A``, and per batch-norm layer
    ``(zhat, inv_std, mean, var)``.
    """
    L = len(W)
    A = X
    inputs, bn_caches = [], []
    for i in range(L - 1):
        inputs.append(A)
        Z = A @ W[i]
        Z += b[i]
        if g is not None:
            if stats is None:
                mean = Z.mean(axis=0)
                Z -= mean
                var = np.einsum("ij,ij->j", Z, Z) / Z.shape[0]
                inv = 1.0 / np.sqrt(var + eps)
                Z *= inv                         # now zhat
            else:
                mean, var = stats[i]
                inv = 1.0 / np.sqrt(var + eps)
                Z -= mean
                Z *= inv
            bn_caches.append((Z, inv, mean, var))
            Z = Z * g[i]
            Z += be[i]
        A = _act(act, Z) if act != "identity" else Z
    inputs.append(A)
    logits = A @ W[L - 1]
    logits += b[L - 1]
    return logits, inputs, bn_caches


def _backward(W, g, D, inputs, bn_caches, act, training):
    """The gradients of every parameter, given ``D`` = dL/dlogits. Lists gW, gb, ggamma, gbeta."""
    L = len(W)
    gW, gb = [None] * L, [None] * L
    gg = [None] * (L - 1) if g is not None else None
    gbe = [None] * (L - 1) if g is not None else None
    for i in range(L - 1, -1, -1):
        A = inputs[i]
        gW[i] = A.T @ D
        gb[i] = D.sum(axis=0)
        if i == 0:
            break
        dA = D @ W[i].T
        dH = _act_back(act, dA, A) if act != "identity" else dA
        if g is not None:
            zhat, inv, _, _ = bn_caches[i - 1]
            gbe[i - 1] = dH.sum(axis=0)
            gg[i - 1] = np.einsum("ij,ij->j", dH, zhat)
            G = dH
            G *= g[i - 1]
            if training:
                n = G.shape[0]
                # inv * (G - mean(G) - zhat * mean(G * zhat)); mean(G*zhat) = gamma * dgamma / n
                D = G - gbe[i - 1] * (g[i - 1] / n)
                D -= zhat * (gg[i - 1] * (g[i - 1] / n))
                D *= inv
            else:
                G *= inv
                D = G
        else:
            D = dH
    return gW, gb, gg, gbe


def _grads_dict(gW, gb, gg, gbe) -> Params:
    out = {}
    for i in range(len(gW)):
        out[f"W{i}"], out[f"b{i}"] = gW[i], gb[i]
    if gg is not None:
        for i in range(len(gg)):
            out[f"gamma{i}"], out[f"beta{i}"] = gg[i], gbe[i]
    return out


def _check_bn_args(training, eps):
    if not isinstance(training, (bool, np.bool_)):
        raise ValueError(f"training must be True or False, got {training!r}")
    return check_positive("eps", eps)


def mlp_forward(params, X, *, activation: str = "relu", batchnorm: bool | None = None, training: bool = True,
                state=None, eps: float = 1e-5) -> np.ndarray:
    """The class scores (logits) of the MLP for each row of ``X``, shape ``(n, n_classes)``.

    .. math::

        A_0 = X, \\qquad A_{i+1} = \\sigma(\\operatorname{BN}_i(A_i W_i + b_i)) \\quad (i < L - 1),
        \\qquad \\text{logits} = A_{L-1} W_{L-1} + b_{L-1},

    where :math:`\\operatorname{BN}_i` is absent without batch norm, uses the batch's statistics
    when ``training`` (:func:`batchnorm_forward`) and the running ones of ``state`` otherwise
    (:func:`batchnorm_inference`). Batch norm sits between the affine map and the activation
    (:cite:t:`ioffe2015`; :ref:`note 001 <note-001>`'s :math:`Z^l`); its bias ``b{i}`` is then redundant (the
    normalization subtracts it again: its gradient is 0) but kept so that every layer has one.

    Parameters
    ----------
    params : dict
        From :func:`mlp_init`.
    X : array_like, shape (n, sizes[0])
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
        The hidden layers' :math:`\\sigma`; the last layer's is the identity.
    batchnorm : bool, optional
        Read from ``params`` when None; if given, it must agree with them.
    training : bool, default True
    state : dict, optional
        Running statistics, needed when ``training=False`` with batch norm.
    eps : float, default 1e-5
        Batch norm's :math:`\\epsilon > 0`, inside the square root.

    Examples
    --------
    >>> params = mlp_init([3, 4, 2], init="zeros")
    >>> mlp_forward(params, np.ones((5, 3))).shape
    (5, 2)
    """
    L, bn = _structure(params, batchnorm)
    act = _check_activation(activation)
    eps = _check_bn_args(training, eps)
    W, b, g, be = _lists(params, L, bn)
    X = _matrix("X", X)
    if X.shape[1] != W[0].shape[0]:
        raise ValueError(f"X must have {W[0].shape[0]} columns (the input width of params), got {X.shape[1]}")
    stats = _state_lists(state, params, L, bn, training)
    return _forward(W, b, g, be, X.copy(), act, eps, stats)[0]


def mlp_loss_and_grad(params, X, y, *, activation: str = "relu", batchnorm: bool | None = None,
                      training: bool = True, state=None, eps: float = 1e-5) -> tuple[float, Params]:
    """The mean softmax cross-entropy of the MLP on ``(X, y)`` and its gradient, by backpropagation.

    The forward pass is :func:`mlp_forward`'s, the loss :func:`softmax_cross_entropy`'s; the
    backward pass runs :func:`linear_backward`, the activation's backward and (in training mode)
    :func:`batchnorm_backward` layer by layer, from the last to the first, as :ref:`note 002 <note-002>` writes
    :math:`G_i = (G_{i+1} \\odot \\sigma'(Z_i W_i)) W_i^\\top` (:ref:`note 002 <note-002>`), fused into one
    loop for speed. In training mode the batch's statistics are used, so the examples of a batch
    interact through batch norm; the running statistics are **not** updated here (see
    :func:`mlp_update_state` and :meth:`MLPProblem.train_epoch`).

    Parameters
    ----------
    params, X, activation, batchnorm, training, state, eps
        As in :func:`mlp_forward`.
    y : array_like of int, shape (n,)
        Labels in ``[0, n_classes - 1]``.

    Returns
    -------
    loss : float
    grads : dict
        The gradient, with the keys and shapes of ``params``.

    Examples
    --------
    >>> params = mlp_init([3, 4, 2], seed=0)
    >>> X, y = np.ones((5, 3)), np.array([0, 1, 0, 1, 1])
    >>> loss, grads = mlp_loss_and_grad(params, X, y)
    >>> sorted(grads) == sorted(params), grads["W0"].shape
    (True, (3, 4))
    >>> # W = 0 with ReLU (or tanh): every weight's gradient is exactly 0
    >>> # (a stationary point); only the last bias can move. Not with
    >>> # sigmoid: sigmoid(0) = 1/2 moves the last W.
    >>> zeros = mlp_init([3, 4, 4, 2], init="zeros")
    >>> _, g0 = mlp_loss_and_grad(zeros, X, y)
    >>> [float(abs(g0[k]).max()) for k in ("W0", "W1", "W2")]
    [0.0, 0.0, 0.0]
    """
    L, bn = _structure(params, batchnorm)
    act = _check_activation(activation)
    eps = _check_bn_args(training, eps)
    W, b, g, be = _lists(params, L, bn)
    X = _matrix("X", X)
    if X.shape[1] != W[0].shape[0]:
        raise ValueError(f"X must have {W[0].shape[0]} columns (the input width of params), got {X.shape[1]}")
    k = W[-1].shape[1]
    if k < 2:
        raise ValueError(f"the last layer must have >= 2 outputs (classes), got {k}")
    y = _labels(y, X.shape[0], k)
    stats = _state_lists(state, params, L, bn, training)
    logits, inputs, caches = _forward(W, b, g, be, X, act, eps, stats)
    loss, D = _softmax_ce(logits, y)
    return loss, _grads_dict(*_backward(W, g, D, inputs, caches, act, stats is None))


def _batch_stats(W, b, g, be, X, act, eps):
    """(mean, unbiased var) of each batch-norm layer's input over the batch, from a training forward pass."""
    _, _, caches = _forward(W, b, g, be, X, act, eps, None)
    n = X.shape[0]
    return [(mean, var * (n / (n - 1))) for _, _, mean, var in caches]


def _update_state(state, stats, momentum):
    new = {}
    for i, (m, v) in enumerate(stats):
        new[f"mean{i}"] = (1.0 - momentum) * state[f"mean{i}"] + momentum * m
        new[f"var{i}"] = (1.0 - momentum) * state[f"var{i}"] + momentum * v
    return new


def mlp_update_state(state, params, X, *, momentum: float = 0.1, activation: str = "relu",
                     eps: float = 1e-5) -> dict[str, np.ndarray]:
    """The running statistics after one training batch ``X``: :func:`update_running_stats` for each layer.

    A forward pass in training mode gives each batch-norm layer's input on ``X``; each layer's
    ``(mean{i}, var{i})`` then moves as torch's ``BatchNorm1d`` moves them. Pure: returns a new dict.
    Call it with the parameters *before* the step the batch was used for, as torch does.

    Parameters
    ----------
    state : dict
        The current running statistics (:func:`mlp_init_state` at first).
    params : dict
        A batch-norm MLP (:func:`mlp_init` with ``batchnorm=True``).
    X : array_like, shape (n, sizes[0])
        The batch, ``n >= 2``.
    momentum : float, default 0.1
        Torch's momentum, in ``[0, 1]``: the weight of the new batch.

    Examples
    --------
    >>> params = mlp_init([3, 4, 2], batchnorm=True, seed=0)
    >>> s = mlp_update_state(mlp_init_state(params), params, np.eye(3))
    >>> s["var0"].shape
    (4,)
    """
    L, bn = _structure(params, True)
    act = _check_activation(activation)
    eps = check_positive("eps", eps)
    a = check_unit_interval("momentum", momentum, closed_right=True)
    W, b, g, be = _lists(params, L, bn)
    X = _matrix("X", X, min_rows=2)
    current = _state_lists(state, params, L, bn, False)        # checked (mean, var) per layer
    cur = {f"{k}{i}": v for i, (m, var) in enumerate(current) for k, v in (("mean", m), ("var", var))}
    return _update_state(cur, _batch_stats(W, b, g, be, X, act, eps), a)


def mlp_predict(params, X, *, activation: str = "relu", state=None, eps: float = 1e-5) -> np.ndarray:
    """The predicted class of each row of ``X`` (the highest logit), in inference mode.

    A batch-norm network needs ``state`` (its running statistics): at inference each example is
    classified on its own, not normalized with the others.

    Examples
    --------
    >>> params = mlp_init([2, 3, 2], seed=0)
    >>> mlp_predict(params, [[1.0, 0.0], [0.0, 1.0]]).shape
    (2,)
    """
    L, bn = _structure(params)
    return mlp_forward(params, X, activation=activation, training=not bn, state=state, eps=eps).argmax(axis=1)


def mlp_accuracy(params, X, y, *, activation: str = "relu", state=None, eps: float = 1e-5) -> float:
    """The fraction of rows of ``X`` whose prediction (:func:`mlp_predict`) is the label.

    Examples
    --------
    >>> # a tie goes to class 0
    >>> mlp_accuracy(mlp_init([2, 2], init="zeros"), [[1.0, 2.0]], [0])
    1.0
    """
    L, bn = _structure(params)
    logits = mlp_forward(params, X, activation=activation, training=not bn, state=state, eps=eps)
    y = _labels(y, logits.shape[0], logits.shape[1])
    return float((logits.argmax(axis=1) == y).mean())


# --------------------------------------------------------------------------- the problem object

class MLPProblem:
    """An MLP's training loss on a data set, over the flat parameter vector, for every optimizer.

    Built by :func:`mlp_problem`. Like :class:`~course_lib.softmax.SoftmaxProblem` it has
    ``objective``, ``x0``, ``data``, ``n``, ``loss(theta)``, ``batch_gradient(theta, indices)`` and
    ``gradient(batches)``, so :func:`~course_lib.stochastic.sgd_epoch`,
    :func:`~course_lib.stochastic.minibatch_sgd` and :func:`~course_lib.runner.run` train it as
    they train softmax regression. ``unravel(theta)`` gives the parameter dict back
    (:mod:`course_lib.pytree`'s order: keys sorted, each array row by row).

    Batch norm: ``batch_gradient`` uses the minibatch's statistics and is pure, so those loops
    train a batch-norm network correctly but keep **no running statistics**. Either train with
    :meth:`train_epoch`, which carries them as explicit state (as torch does, same numbers), or
    after training take :meth:`population_state`, the statistics of the whole training set.
    ``loss(theta)`` is the training-mode loss over the full data (batch statistics of all ``n``).
    """

    def __init__(self, data: Dataset, params: Params, activation: str, eps: float):
        self.data = data
        self.activation = activation
        self.eps = eps
        self.L, self.batchnorm = _structure(params)
        self.x0, self.unravel = ravel(params)
        # where each array sits in theta: pytree's order (keys sorted as strings)
        self._layout = {}
        start = 0
        for key in sorted(params, key=str):
            shape = np.shape(params[key])
            size = int(np.prod(shape))
            self._layout[key] = (start, start + size, shape)
            start += size
        self._order = sorted(params, key=str)
        self.objective = Objective(name=f"MLP on {data.name or 'data'}", dim=self.x0.size,
                                   f=self._f, grad=lambda theta: self.batch_gradient(theta, slice(None)))

    @property
    def n(self) -> int:
        """The number of training examples."""
        return len(self.data)

    def _views(self, theta):
        lay = self._layout
        W = [theta[lay[f"W{i}"][0]:lay[f"W{i}"][1]].reshape(lay[f"W{i}"][2]) for i in range(self.L)]
        b = [theta[lay[f"b{i}"][0]:lay[f"b{i}"][1]] for i in range(self.L)]
        if not self.batchnorm:
            return W, b, None, None
        g = [theta[lay[f"gamma{i}"][0]:lay[f"gamma{i}"][1]] for i in range(self.L - 1)]
        be = [theta[lay[f"beta{i}"][0]:lay[f"beta{i}"][1]] for i in range(self.L - 1)]
        return W, b, g, be

    def _flat(self, gW, gb, gg, gbe) -> np.ndarray:
        grads = _grads_dict(gW, gb, gg, gbe)
        return np.concatenate([grads[k].ravel() for k in self._order])

    def _loss(self, theta) -> float:
        W, b, g, be = self._views(theta)
        logits, _, _ = _forward(W, b, g, be, self.data.X, self.activation, self.eps, None)
        return _softmax_ce(logits, self.data.y)[0]

    def _f(self, theta):
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim == 1:
            return self._loss(theta)
        cols = theta.reshape(theta.shape[0], -1).T
        return np.array([self._loss(c) for c in cols]).reshape(theta.shape[1:])

    def params(self, theta) -> Params:
        """The parameter dict of the flat vector ``theta`` (copies)."""
        return self.unravel(theta)

    def loss(self, theta) -> float:
        """The mean training loss over all examples (batch norm in training mode, over all ``n``)."""
        return self._f(np.asarray(theta, dtype=np.float64))

    def batch_gradient(self, theta: np.ndarray, indices) -> np.ndarray:
        """The gradient of the mean loss over the examples ``indices`` (a minibatch), unchecked for speed."""
        W, b, g, be = self._views(theta)
        X, y = self.data.X[indices], self.data.y[indices]
        logits, inputs, caches = _forward(W, b, g, be, X, self.activation, self.eps, None)
        _, D = _softmax_ce(logits, y)
        return self._flat(*_backward(W, g, D, inputs, caches, self.activation, True))

    def gradient(self, batches: Batches | None = None):
        """``gradient(x, t, rng)`` for :func:`~course_lib.runner.run`: the minibatch ``batches.indices(t)``
        at step ``t``, or the full batch when ``batches`` is None (:func:`~course_lib.data.batch_gradients`)."""
        return batch_gradients(self, batches)

    def init_state(self) -> dict[str, np.ndarray]:
        """Torch's initial running statistics (:func:`mlp_init_state`); ``{}`` without batch norm."""
        return mlp_init_state(self.unravel(self.x0))

    def train_epoch(self, theta, opt, opt_state, batches, state=None, *, momentum: float = 0.1):
        """:func:`~course_lib.stochastic.sgd_epoch` that also carries batch norm's running statistics.

        For each index array of ``batches``: one forward pass in training mode gives the gradient
        and the batch's statistics; the running statistics move by :func:`update_running_stats`
        (``momentum`` as torch's) and the optimizer steps. Returns ``(theta, opt_state, state)``;
        ``state`` (from :meth:`init_state` at first) is passed in and returned, never kept. Without
        batch norm it is :func:`~course_lib.stochastic.sgd_epoch` and ``state`` comes back unchanged.
        """
        a = check_unit_interval("momentum", momentum, closed_right=True)
        if self.batchnorm:
            state = self.init_state() if state is None else state
            _state_lists(state, self.unravel(self.x0), self.L, True, False)
        step, X, Y, act, eps = opt.step, self.data.X, self.data.y, self.activation, self.eps
        for idx in batches:
            W, b, g, be = self._views(theta)
            Xb = X[idx]
            logits, inputs, caches = _forward(W, b, g, be, Xb, act, eps, None)
            _, D = _softmax_ce(logits, Y[idx])
            if self.batchnorm:
                n = Xb.shape[0]
                if n < 2:
                    raise ValueError("every batch must hold >= 2 examples to update batch norm's running variance")
                state = _update_state(state, [(m, v * (n / (n - 1))) for _, _, m, v in caches], a)
            grad = self._flat(*_backward(W, g, D, inputs, caches, act, True))
            theta, opt_state = step(theta, grad, opt_state)
        return theta, opt_state, state

    def population_state(self, theta) -> dict[str, np.ndarray]:
        """Batch norm's statistics over the whole training set at ``theta`` (mean and unbiased variance).

        What the running statistics estimate, computed exactly in one pass; ``{}`` without batch norm.
        """
        if not self.batchnorm:
            return {}
        W, b, g, be = self._views(np.asarray(theta, dtype=np.float64))
        stats = _batch_stats(W, b, g, be, self.data.X, self.activation, self.eps)
        return {f"{k}{i}": v for i, (m, var) in enumerate(stats) for k, v in (("mean", m), ("var", var))}

    def accuracy(self, theta, data: Dataset | None = None, *, state=None) -> float:
        """The accuracy on ``data`` (the training data by default), in inference mode.

        A batch-norm network uses ``state``, or :meth:`population_state` when ``state`` is None.
        """
        data = self.data if data is None else data
        params = self.unravel(np.asarray(theta, dtype=np.float64))
        if self.batchnorm and state is None:
            state = self.population_state(theta)
        return mlp_accuracy(params, data.X, data.y, activation=self.activation, state=state, eps=self.eps)


def mlp_problem(data: Dataset, params: Params, *, activation: str = "relu", eps: float = 1e-5) -> MLPProblem:
    """The MLP ``params`` (from :func:`mlp_init`, the start ``x0``) trained on ``data``, for the optimizers.

    Parameters
    ----------
    data : Dataset
        The training examples; the input width of ``params`` must be ``data.X.shape[1]`` and its
        output width ``data.n_classes``.
    params : dict
        The starting parameters; batch norm is on when they have ``gamma0``.
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
    eps : float, default 1e-5
        Batch norm's :math:`\\epsilon > 0`.

    Examples
    --------
    >>> from course_lib.data import digits
    >>> from course_lib.stochastic import minibatch_sgd
    >>> problem = mlp_problem(digits(), mlp_init([64, 16, 10], seed=0))
    >>> # 64*16 + 16 + 16*10 + 10
    >>> problem.objective.dim, problem.n
    (1210, 1797)
    >>> rec = minibatch_sgd(problem, batch_size=64, lr=0.01, epochs=1)
    >>> bool(rec.losses[-1] < rec.losses[0])
    True
    """
    if not isinstance(data, Dataset):
        raise ValueError(f"data must be a course_lib.data.Dataset such as digits(), got {data!r}")
    L, _ = _structure(params)
    act = _check_activation(activation)
    eps = check_positive("eps", eps)
    d_in, k = np.shape(params["W0"])[0], np.shape(params[f"W{L - 1}"])[1]
    if data.X.shape[1] != d_in:
        raise ValueError(f"params must take inputs of width {data.X.shape[1]} (the data's), got W0 of shape "
                         f"{np.shape(params['W0'])}")
    if k != data.n_classes:
        raise ValueError(f"params must have {data.n_classes} outputs (the data's classes), got {k}")
    _matrix("data.X", data.X)
    _labels(data.y, len(data), k)
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    return MLPProblem(data, params, act, eps)


# =========================================================================== deep networks at initialization

class DeepNorms(NamedTuple):
    """Sizes of activations and gradients through a deep network at initialization (:func:`deep_norms`)."""

    activation_rms: np.ndarray
    """:math:`\\sqrt{\\operatorname{mean}(Z_l^2)}` over the batch and units, for ``l = 0`` (the input) to ``depth``."""
    gradient_rms: np.ndarray
    """The same for :math:`G_l = \\partial L / \\partial Z_l`, ``l = 0 .. depth``."""
    weight_grad_norms: np.ndarray
    """:math:`\\lVert \\partial L/\\partial W_l \\rVert_F = \\lVert Z_l^\\top G_{l+1}' \\rVert_F` for each layer
    ``l = 0 .. depth-1``."""
    std: float
    """The weights' standard deviation."""


def deep_norms(depth: int = 50, width: int = 256, *, init: str = "kaiming", activation: str = "relu",
               std: float | None = None, gain: float | None = None, batch: int = 64, seed=0) -> DeepNorms:
    """Push a batch through ``depth`` square layers at initialization and a gradient back: their sizes.

    The network of :ref:`note 002 <note-002>`'s variance argument, without biases and with the same
    activation after every layer: :math:`Z_0 = X` with :math:`X_{jk} \\sim N(0, 1)`,
    :math:`Z_{l+1} = \\sigma(Z_l W_l)` with ``W_l`` of shape ``(width, width)`` drawn by ``init``. The
    backward pass starts from a standard normal :math:`G_{\\text{depth}}` (the gradient of
    :math:`L = \\sum G \\odot Z_{\\text{depth}}`) and runs :ref:`note 002 <note-002>`'s
    :math:`G_l = (G_{l+1} \\odot \\sigma'(Z_l W_l)) W_l^\\top`. With Kaiming's :math:`\\operatorname{Var}[w] = 2/n`
    and ReLU the mean square of :math:`Z_l` stays about 1 (each layer multiplies it by
    :math:`n \\cdot \\frac2n \\cdot \\frac12`); with :math:`\\operatorname{Var}[w] = c/n` it scales by
    :math:`(c/2)^l`. Everything is drawn from one generator seeded with ``seed``: the input, then
    the weights layer by layer, then the output gradient.

    Parameters
    ----------
    depth : int, default 50
        Layers, ``>= 1``.
    width : int, default 256
        Units per layer (and input width), ``>= 1``. The narrower the layers, the more the sizes
        wander from layer to layer (by a random factor whose log has variance about
        :math:`5\\,\\text{depth}/\\text{width}` for ReLU; Hanin & Rolnick 2018): over seeds 0 to 19
        at width 256, Kaiming + ReLU kept every layer's rms within [0.30, 1.69], at width 100
        within [0.12, 2.95].
    init : str, default "kaiming"
        One of :data:`INITS`; ``std`` for ``"normal"``, ``gain`` for Xavier and Kaiming.
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
    batch : int, default 64
        Examples pushed through, ``>= 1``.
    seed : int or np.random.Generator, default 0

    Examples
    --------
    >>> r = deep_norms(50, 64, init="kaiming", activation="relu", batch=8)
    >>> r.activation_rms.shape, r.gradient_rms.shape
    ((51,), (51,))
    >>> r.weight_grad_norms.shape
    (50,)
    >>> small = deep_norms(50, 64, init="normal", std=0.01, batch=8)
    >>> # (64 * 0.01² / 2) ** 25 shrinks to nothing
    >>> bool(small.activation_rms[-1] < 1e-30)
    True
    """
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    act = _check_activation(activation)
    s = init_std(init, width, width, std=std, gain=gain)
    rng = _rng(seed)
    Z = rng.standard_normal((batch, width))
    zs = [Z]
    Ws = []
    for _ in range(depth):
        W = initialize(init, width, width, seed=rng, std=std, gain=gain)
        Ws.append(W)
        Z = _act(act, Z @ W)
        zs.append(Z)
    G = rng.standard_normal((batch, width))
    grads = [G]
    wnorms = []
    for k in range(depth - 1, -1, -1):
        Gpre = _act_back(act, G.copy(), zs[k + 1])       # through sigma, from its output
        wnorms.append(float(np.linalg.norm(zs[k].T @ Gpre)))
        G = Gpre @ Ws[k].T
        grads.append(G)
    rms = lambda A: float(np.sqrt(np.mean(A * A)))   # noqa: E731
    return DeepNorms(np.array([rms(z) for z in zs]), np.array([rms(g) for g in grads[::-1]]),
                     np.array(wnorms[::-1]), s)


def relative_change(params, params0) -> dict[str, float]:
    """How far each weight matrix moved from its initialization, relative to it:
    :math:`\\lVert W - W_0\\rVert_F / \\lVert W_0\\rVert_F`.

    For the keys ``W0, W1, ...`` of both dicts (inf when :math:`W_0 = 0` and ``W`` moved; 0 when neither).

    Examples
    --------
    >>> new, old = np.array([[3.0, 4.0]]), np.array([[3.0, 0.0]])
    >>> relative_change({"W0": new}, {"W0": old})
    {'W0': 1.3333333333333333}
    """
    if not isinstance(params, dict) or not isinstance(params0, dict):
        raise ValueError("params and params0 must be dicts of arrays (from mlp_init)")
    out = {}
    for key in sorted((k for k in params0 if k.startswith("W")), key=lambda k: (len(k), k)):
        if key not in params:
            raise ValueError(f"params must hold {key}, as params0 does")
        W, W0 = np.asarray(params[key], dtype=np.float64), np.asarray(params0[key], dtype=np.float64)
        if W.shape != W0.shape:
            raise ValueError(f"params['{key}'] must have the shape of params0['{key}'], {W0.shape}, got {W.shape}")
        num, den = float(np.linalg.norm(W - W0)), float(np.linalg.norm(W0))
        out[key] = num / den if den > 0 else (math.inf if num > 0 else 0.0)
    return out


def one_blas_thread():
    """A context manager that runs numpy's matrix products on one BLAS thread.

    The course's networks multiply small matrices, for which one thread is the fastest (on a
    busy machine several threads fight over the cores), and one thread also fixes the order
    of the floating-point sums, so that a training run gives the same numbers every time.
    Without ``threadpoolctl`` (installed with scikit-learn) it does nothing.

    Examples
    --------
    >>> with one_blas_thread():
    ...     float((np.ones((2, 3)) @ np.ones(3)).sum())
    6.0
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                  # pragma: no cover - comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
