"""Softmax (multinomial logistic) regression, written out line by line.

The model maps an example :math:`x \\in \\mathbb{R}^d` to ``k`` class scores and probabilities

.. math::

    z = x W + b, \\qquad p = \\operatorname{softmax}(z), \\quad p_c = \\frac{e^{z_c}}{\\sum_j e^{z_j}},

and is trained by minimizing the mean cross-entropy over ``n`` examples, optionally with an
L2 penalty :math:`\\frac{\\omega}{2} \\lVert W \\rVert^2` on the weights (not the biases; the
argument ``l2`` is :math:`\\omega`), which each example's loss carries:

.. math::

    f(W, b) = \\frac1n \\sum_{i=1}^n f_i(W, b), \\qquad
    f_i = -\\log p_{i, y_i} + \\frac{\\omega}{2} \\lVert W \\rVert^2,

the objective of the SGD chapter (:ref:`note 000 <note-000>`: "the average of the loss
functions for each example"). Its gradient has a short closed form: with :math:`e_y` the
one-hot vector of the label, :math:`\\partial f_i / \\partial z_i = p_i - e_{y_i}`, so

.. math::

    \\nabla_W f_i = x_i^\\top (p_i - e_{y_i}) + \\omega W, \\qquad \\nabla_b f_i = p_i - e_{y_i}.

Without the penalty, data that a linear model separates (as the digits' training part nearly
is) have no minimizer: the loss keeps falling as the weights grow. With :math:`\\omega > 0` the loss
is strongly convex in ``W`` and has a unique minimizer (:meth:`SoftmaxProblem.minimum`).

The parameters travel as **one flat vector** ``theta`` (``W`` row by row, then ``b``), so that
every optimizer of :mod:`course_lib.optimizers` and :func:`course_lib.runner.run` can use them;
``k`` is read from its length, :math:`(d + 1) k`.

>>> from course_lib.data import digits
>>> data = digits()
>>> theta = softmax_init(64, 10)
>>> # all classes equally likely: log 10
>>> round(softmax_loss(theta, data.X, data.y), 4)
2.3026
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_nonnegative
from .data import Batches, Dataset, batch_gradients
from .objectives import Objective

__all__ = ["softmax_init", "unpack", "softmax_probabilities", "softmax_loss", "softmax_gradient",
           "softmax_per_example_gradients", "softmax_accuracy", "SoftmaxProblem", "softmax_problem"]


def softmax_init(n_features: int, n_classes: int) -> np.ndarray:
    """The starting parameters: all zeros (every class equally likely), as a flat vector.

    Zeros are a fine start here: the loss is convex, and unlike a network there is no symmetry
    between hidden units to break.

    Parameters
    ----------
    n_features : int
        :math:`d \\ge 1`, the length of an example.
    n_classes : int
        :math:`k \\ge 2`.

    Examples
    --------
    >>> softmax_init(3, 2).shape          # W is 3 x 2, b has 2 entries
    (8,)
    """
    d = check_int("n_features", n_features, minimum=1)
    k = check_int("n_classes", n_classes, minimum=2)
    return np.zeros((d + 1) * k)


def _data(X, y=None) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n, d) with n >= 1, got {X.shape}")
    if y is None:
        return X, None
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be {X.shape[0]} integer labels (shape ({X.shape[0]},)), got {y.dtype} {y.shape}")
    return X, y


def unpack(theta, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Views ``W`` (shape ``(d, k)``) and ``b`` (shape ``(k,)``) of the flat vector ``theta``.

    Parameters
    ----------
    theta : ndarray, shape ((d + 1) k,)
        The flat parameters.
    n_features : int
        :math:`d`; ``len(theta)`` must be a multiple of ``d + 1`` (with ``k >= 2``).

    Examples
    --------
    >>> W, b = unpack(np.arange(8.0), 3)
    >>> W.tolist(), b.tolist()
    ([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [6.0, 7.0])
    """
    theta = np.asarray(theta, dtype=np.float64)
    d = check_int("n_features", n_features, minimum=1)
    k, rest = divmod(theta.size, d + 1)
    if theta.ndim != 1 or rest or k < 2:
        raise ValueError(f"theta must be a flat vector of (n_features + 1) * k = {d + 1} * k entries "
                         f"with k >= 2 classes, got shape {theta.shape}")
    return theta[:d * k].reshape(d, k), theta[d * k:]


def _labels_fit(y: np.ndarray, k: int) -> None:
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"y must hold labels in [0, {k - 1}] for a model of {k} classes, "
                         f"got labels from {y.min()} to {y.max()}")


def _probabilities(W, b, X) -> np.ndarray:
    Z = X @ W + b                                  # scores, one row per example
    Z -= Z.max(axis=1, keepdims=True)              # softmax is unchanged; exp cannot overflow
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    return P


def _loss(W, b, X, y, l2: float = 0.0) -> float:
    Z = X @ W + b
    Z -= Z.max(axis=1, keepdims=True)
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))     # log softmax, stably
    loss = float(-log_p[np.arange(len(y)), y].mean())
    return loss + 0.5 * l2 * float(np.vdot(W, W)) if l2 else loss


def _gradient(W, b, X, y, l2: float = 0.0) -> np.ndarray:
    """The flat gradient of the mean loss over the rows of ``X`` (no checks: the hot loop)."""
    D = _probabilities(W, b, X)                    # d loss_i / d z_i = p_i - onehot(y_i) ...
    D[np.arange(len(y)), y] -= 1.0
    D /= len(y)                                    # ... averaged over the batch
    gW = X.T @ D
    if l2:
        gW += l2 * W                               # the penalty's gradient
    return np.concatenate((gW.ravel(), D.sum(axis=0)))


def softmax_probabilities(theta, X) -> np.ndarray:
    """Class probabilities :math:`p_i = \\operatorname{softmax}(x_i W + b)`, shape ``(n, k)``.

    Examples
    --------
    >>> softmax_probabilities(softmax_init(2, 4), [[1.0, 2.0]]).tolist()
    [[0.25, 0.25, 0.25, 0.25]]
    """
    X, _ = _data(X)
    W, b = unpack(theta, X.shape[1])
    return _probabilities(W, b, X)


def softmax_loss(theta, X, y, *, l2: float = 0.0) -> float:
    """The mean cross-entropy :math:`\\frac1n \\sum_i -\\log p_{i, y_i}` over the rows of ``X``, plus
    :math:`\\frac{\\omega}{2}\\lVert W \\rVert^2`.

    Parameters
    ----------
    theta : ndarray, shape ((d + 1) k,)
        The flat parameters (see :func:`unpack`).
    X : array_like, shape (n, d)
        Examples, one per row.
    y : array_like of int, shape (n,)
        Labels in ``[0, k - 1]``.
    l2 : float, default 0
        The penalty's weight :math:`\\omega \\ge 0` (``l2`` is the weight
        :math:`\\omega`).
    """
    X, y = _data(X, y)
    W, b = unpack(theta, X.shape[1])
    _labels_fit(y, b.size)
    return _loss(W, b, X, y, check_nonnegative("l2", l2))


def softmax_gradient(theta, X, y, *, l2: float = 0.0) -> np.ndarray:
    """The gradient of :func:`softmax_loss` with respect to ``theta``, as a flat vector.

    Over a minibatch (the rows of ``X`` are the batch), this is the minibatch gradient
    :math:`\\frac{1}{|B|} \\sum_{i \\in B} \\nabla f_i` of :ref:`note 000 <note-000>`.

    Examples
    --------
    >>> # p = (1/2, 1/2), p - e_0 = (-1/2, 1/2)
    >>> g = softmax_gradient(softmax_init(1, 2), [[2.0]], [0])
    >>> # x (p - e_0), then p - e_0
    >>> g.tolist()
    [-1.0, 1.0, -0.5, 0.5]
    """
    X, y = _data(X, y)
    W, b = unpack(theta, X.shape[1])
    _labels_fit(y, b.size)
    return _gradient(W, b, X, y, check_nonnegative("l2", l2))


def softmax_per_example_gradients(theta, X, y, *, l2: float = 0.0) -> np.ndarray:
    """The gradient of each example's own loss :math:`f_i`, one flat gradient per row: shape ``(n, p)``.

    Their mean over the rows is :func:`softmax_gradient`. Row ``i`` is
    :math:`x_i^\\top (p_i - e_{y_i}) + \\omega W` (row by row) followed by :math:`p_i - e_{y_i}`.
    """
    X, y = _data(X, y)
    W, b = unpack(theta, X.shape[1])
    _labels_fit(y, b.size)
    l2 = check_nonnegative("l2", l2)
    D = _probabilities(W, b, X)
    D[np.arange(len(y)), y] -= 1.0
    n, d = X.shape
    outer = (X[:, :, None] * D[:, None, :]).reshape(n, d * b.size)     # x_i ⊗ (p_i - e_{y_i})
    if l2:
        outer += l2 * W.ravel()                                        # every f_i carries the penalty
    return np.concatenate((outer, D), axis=1)


def softmax_accuracy(theta, X, y) -> float:
    """The fraction of rows of ``X`` whose highest-scoring class is the label."""
    X, y = _data(X, y)
    W, b = unpack(theta, X.shape[1])
    return float(((X @ W + b).argmax(axis=1) == y).mean())


class SoftmaxProblem(NamedTuple):
    """Softmax regression on one data set, ready for the optimizers."""

    objective: Objective
    """The mean training loss over all of ``data``, as a function of the flat parameters
    (no Hessian), for :func:`course_lib.runner.run`."""
    x0: np.ndarray
    """The starting parameters (zeros)."""
    data: Dataset
    """The training examples."""
    l2: float = 0.0
    """The penalty's weight :math:`\\omega`."""

    @property
    def n(self) -> int:
        """The number of training examples."""
        return len(self.data)

    def loss(self, theta) -> float:
        """The mean training loss over all examples."""
        return self.objective.f(np.asarray(theta, dtype=np.float64))

    def batch_gradient(self, theta: np.ndarray, indices) -> np.ndarray:
        """The gradient averaged over the examples ``indices`` (a minibatch), unchecked for speed."""
        X = self.data.X
        d, k = X.shape[1], self.data.n_classes       # views of theta, as unpack makes them
        W, b = theta[:d * k].reshape(d, k), theta[d * k:]
        return _gradient(W, b, X[indices], self.data.y[indices], self.l2)

    def per_example(self, theta) -> np.ndarray:
        """Every example's gradient, shape ``(n, p)`` (see :func:`softmax_per_example_gradients`)."""
        return softmax_per_example_gradients(theta, self.data.X, self.data.y, l2=self.l2)

    def minimum(self, tol: float = 1e-10) -> tuple[np.ndarray, float]:
        """The minimizer and the minimum of the training loss, by L-BFGS (``scipy.optimize``).

        Needs ``l2 > 0`` (without the penalty, separable data have no minimizer). The result is
        accurate to about ``tol`` in the gradient's norm, enough for plotting :math:`f - f^\\star`
        down to about :math:`10^{-12}`.
        """
        if not self.l2 > 0:
            raise ValueError(f"l2 must be positive for a minimum to exist, got {self.l2!r}")
        tol = check_nonnegative("tol", tol)
        from scipy.optimize import minimize
        res = minimize(lambda t: (self.objective.f(t), self.objective.grad(t)), self.x0, jac=True,
                       method="L-BFGS-B", options={"gtol": tol, "ftol": 1e-15, "maxiter": 10_000})
        return res.x, float(res.fun)

    def gradient(self, batches: Batches | None = None):
        """``gradient(x, t, rng)`` for :func:`~course_lib.runner.run`: the minibatch ``batches.indices(t)``
        at step ``t``, or the full batch when ``batches`` is None (:func:`~course_lib.data.batch_gradients`)."""
        return batch_gradients(self, batches)


def softmax_problem(data: Dataset, *, l2: float = 0.0) -> SoftmaxProblem:
    """Softmax regression on ``data``: the objective, the zero start and minibatch gradients.

    Parameters
    ----------
    data : Dataset
        The training examples.
    l2 : float, default 0
        The weight :math:`\\omega \\ge 0` of the penalty :math:`\\frac{\\omega}{2}\\lVert W \\rVert^2`.

    Examples
    --------
    >>> from course_lib.data import digits
    >>> problem = softmax_problem(digits())
    >>> # (64 + 1) * 10 parameters
    >>> problem.objective.dim, problem.n
    (650, 1797)
    """
    if not isinstance(data, Dataset):
        raise ValueError(f"data must be a course_lib.data.Dataset such as digits(), got {data!r}")
    X, y = _data(data.X, data.y)
    d, k = X.shape[1], data.n_classes
    _labels_fit(y, k)
    l2 = check_nonnegative("l2", l2)

    def f(theta):
        if theta.ndim == 1:
            W, b = unpack(theta, d)
            return _loss(W, b, X, y, l2)
        cols = theta.reshape(theta.shape[0], -1).T
        return np.array([_loss(*unpack(c, d), X, y, l2) for c in cols]).reshape(theta.shape[1:])

    def grad(theta):
        W, b = unpack(theta, d)
        return _gradient(W, b, X, y, l2)

    objective = Objective(name=f"softmax regression on {data.name or 'data'}", dim=(d + 1) * k, f=f, grad=grad)
    return SoftmaxProblem(objective, softmax_init(d, k), data, l2)
