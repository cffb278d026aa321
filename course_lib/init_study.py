"""Initialization studied numerically: the variance argument, zero and symmetric starts, weights that barely move.

The computations of the initialization chapter (:ref:`note 002 <note-002>`), on top of
:mod:`course_lib.nn`:

* **the variance argument**: :func:`preactivation_variance` (the formula
  :math:`\\operatorname{Var}[w^\\top x] = n \\operatorname{Var}[w]\\,\\mathbb{E}[x^2]` and when it reduces to
  :ref:`note 002 <note-002>`'s :math:`n \\operatorname{Var}[w] \\operatorname{Var}[x]`),
  :func:`relu_gaussian_moments` (what ReLU does to the mean, second moment and variance of a
  Gaussian), :func:`sample_preactivations` (a Monte-Carlo check), :func:`layer_gain` and
  :func:`predicted_rms` (the size of the activations after ``l`` layers, as the argument predicts it);
* **bad starts**: :func:`constant_init` (every weight equal), :func:`zero_layers`,
  :func:`max_gradients` (the largest entry of each gradient), :func:`unit_spread` (how different
  the hidden units of a layer are), :func:`zero_saddle_probe` (the loss along two lines through
  :math:`W = 0`);
* **training from an initialization**: :func:`train_from_init` (the digits MLP trained for a few
  epochs by any course optimizer, recording the loss, the gradients, the unit spread and how far
  each weight matrix moved from where it started, :func:`~course_lib.nn.relative_change`).

>>> preactivation_variance(100, 0.01, 1.0)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_nonnegative, check_positive, check_real
from .data import Batches, Dataset
from .nn import (
    ACTIVATIONS,
    INITS,
    DeepNorms,
    _act,
    _rng,
    _sizes,
    deep_norms,
    kaiming_std,
    mlp_accuracy,
    mlp_loss_and_grad,
    mlp_problem,
    one_blas_thread,
    relative_change,
)
from .optimizers import Optimizer
from .stochastic import sgd_epoch

__all__ = [
    "preactivation_variance", "relu_gaussian_moments", "PreactivationSample", "sample_preactivations",
    "layer_gain", "predicted_rms", "deep_profiles", "constant_init", "zero_layers", "max_gradients", "unit_spread",
    "SaddleProbe", "zero_saddle_probe", "InitRun", "train_from_init",
]

Params = dict[str, np.ndarray]


# =========================================================================== the variance argument

def preactivation_variance(fan_in: int, weight_var: float, input_var: float = 1.0,
                           input_mean: float = 0.0) -> float:
    """The variance of a pre-activation :math:`w^\\top x = \\sum_{i=1}^n w_i x_i`.

    Assumptions: the :math:`w_i` are independent with **mean 0** and variance ``weight_var``, and
    independent of the inputs; the :math:`x_i` are independent with mean ``input_mean`` and
    variance ``input_var``. Then :math:`\\mathbb{E}[w_i x_i] = 0` and
    :math:`\\operatorname{Var}[w_i x_i] = \\mathbb{E}[w_i^2]\\,\\mathbb{E}[x_i^2]`, so

    .. math::

        \\operatorname{Var}[w^\\top x] = n \\operatorname{Var}[w]\\,\\mathbb{E}[x^2]
          = n \\operatorname{Var}[w]\\,\\big(\\operatorname{Var}[x] + \\mathbb{E}[x]^2\\big).

    :ref:`Note 002 <note-002>` writes :math:`\\operatorname{Var}[x_i w_i] = \\operatorname{Var}[x_i]
    \\operatorname{Var}[w_i]`, which is this formula when the inputs have mean 0 too; after a ReLU
    they do not, and the quantity a layer passes on is :math:`\\mathbb{E}[x^2]`, not the variance.

    Parameters
    ----------
    fan_in : int
        :math:`n`, the number of inputs, ``>= 1``.
    weight_var : float
        :math:`\\operatorname{Var}[w] \\ge 0`.
    input_var : float, default 1
        :math:`\\operatorname{Var}[x] \\ge 0`.
    input_mean : float, default 0
        :math:`\\mathbb{E}[x]`, any real number.

    Examples
    --------
    >>> # N(0, 1/n) weights: the variance is kept
    >>> preactivation_variance(100, 0.01, 1.0)
    1.0
    >>> preactivation_variance(300, 0.01, 0.5)
    1.5
    >>> # inputs that went through a ReLU
    >>> m, s2, v = relu_gaussian_moments()
    >>> # Kaiming's 2/n: E[x^2] = 1/2 is doubled back
    >>> round(preactivation_variance(100, 0.02, v, m), 12)
    1.0
    """
    n = check_int("fan_in", fan_in, minimum=1)
    vw = check_nonnegative("weight_var", weight_var)
    vx = check_nonnegative("input_var", input_var)
    mx = check_real("input_mean", input_mean)
    return n * vw * (vx + mx * mx)


def relu_gaussian_moments(var: float = 1.0):
    """Mean, second moment and variance of :math:`\\max(z, 0)` for :math:`z \\sim N(0, \\text{var})`.

    With :math:`\\sigma = \\sqrt{\\text{var}}`: the mean is :math:`\\sigma/\\sqrt{2\\pi}`, the second moment
    :math:`\\text{var}/2` (half of :math:`\\mathbb{E}[z^2]`: the negative half is set to 0, the positive
    half keeps its squares), and the variance :math:`\\text{var}\\,(1/2 - 1/(2\\pi)) \\approx 0.341\\,\\text{var}`.
    ReLU halves the **second moment**, not the variance (:ref:`note 002 <note-002>` says "half").

    Parameters
    ----------
    var : float, default 1
        The variance of the Gaussian, ``>= 0``.

    Returns
    -------
    (mean, second_moment, variance) : tuple of float

    Examples
    --------
    >>> [round(v, 4) for v in relu_gaussian_moments(1.0)]
    [0.3989, 0.5, 0.3408]
    """
    var = check_nonnegative("var", var)
    mean = math.sqrt(var / (2.0 * math.pi))
    second = var / 2.0
    return mean, second, second - mean * mean


class PreactivationSample(NamedTuple):
    """Samples of :math:`w^\\top x` (:func:`sample_preactivations`) and what the formulas predict."""

    values: np.ndarray
    """The samples, one per fresh draw of ``w`` and ``x``."""
    measured: float
    """Their variance (about the sample mean)."""
    predicted: float
    """:func:`preactivation_variance` with the inputs' true mean and variance:
    :math:`n\\operatorname{Var}[w]\\mathbb{E}[x^2]`."""
    note: float
    """:ref:`Note 002 <note-002>`'s :math:`n \\operatorname{Var}[w] \\operatorname{Var}[x]` (the same for zero-mean
    inputs)."""


def sample_preactivations(fan_in: int, weight_var: float, *, inputs: str = "normal", samples: int = 20000,
                          seed=0) -> PreactivationSample:
    """Draw :math:`w^\\top x` many times and compare its variance with the formulas.

    Each sample draws fresh :math:`w \\sim N(0, \\text{weight\\_var}\\, I_n)` and fresh inputs:
    :math:`x \\sim N(0, I_n)` (``inputs="normal"``) or :math:`x = \\max(z, 0)` with
    :math:`z \\sim N(0, I_n)` (``inputs="relu"``, what a layer after a ReLU receives). The inputs come
    first, then the weights, from one generator seeded with ``seed``.

    Parameters
    ----------
    fan_in : int
        :math:`n \\ge 1`.
    weight_var : float
        :math:`\\operatorname{Var}[w] > 0`.
    inputs : {"normal", "relu"}, default "normal"
    samples : int, default 20000
        Number of draws, ``>= 2``. The relative error of the measured variance is about
        :math:`\\sqrt{2/\\text{samples}}` (1% for 20000 draws of a near-Gaussian sum).
    seed : int or np.random.Generator, default 0

    Examples
    --------
    >>> s = sample_preactivations(100, 0.01, samples=4000, seed=1)
    >>> s.predicted, abs(s.measured - 1.0) < 0.1
    (1.0, True)
    >>> r = sample_preactivations(100, 0.01, inputs="relu", samples=4000,
    ...                           seed=1)
    >>> # E[x²] = 1/2 against Var[x] = 0.341
    >>> round(r.predicted, 3), round(r.note, 3)
    (0.5, 0.341)
    """
    n = check_int("fan_in", fan_in, minimum=1)
    vw = check_positive("weight_var", weight_var)
    m = check_int("samples", samples, minimum=2)
    if inputs not in ("normal", "relu"):
        raise ValueError(f"inputs must be 'normal' or 'relu', got {inputs!r}")
    rng = _rng(seed)
    X = rng.standard_normal((m, n))
    if inputs == "relu":
        np.maximum(X, 0.0, out=X)
        mean, _, var = relu_gaussian_moments(1.0)
    else:
        mean, var = 0.0, 1.0
    Wt = math.sqrt(vw) * rng.standard_normal((m, n))
    values = np.einsum("ij,ij->i", Wt, X)
    return PreactivationSample(values, float(values.var()), preactivation_variance(n, vw, var, mean),
                               n * vw * var)


def _kappa(activation: str) -> float:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    return 0.5 if activation == "relu" else 1.0


def layer_gain(fan_in: int, weight_var: float, activation: str = "relu") -> float:
    """The factor by which one layer multiplies the mean square of the activations, as the argument predicts.

    :math:`r = n_\\text{in} \\operatorname{Var}[w]\\, c` with :math:`c = 1/2` for ReLU (it halves the
    second moment of a symmetric pre-activation) and :math:`c = 1` for ``"identity"``, and for
    ``"tanh"`` and ``"sigmoid"`` in their linear regime (small pre-activations; tanh then shrinks
    the scale, sigmoid also adds a mean of 1/2, which this factor ignores). Kaiming's
    :math:`\\operatorname{Var}[w] = 2/n` gives 1 for ReLU; LeCun's and square-layer Xavier's
    :math:`1/n` give 1 for tanh's linear part. Through square layers the gradients are multiplied
    by the same factor on the way back.

    Examples
    --------
    >>> layer_gain(256, 2 / 256, "relu"), layer_gain(256, 1 / 256, "relu")
    (1.0, 0.5)
    >>> layer_gain(256, 1 / 256, "tanh")
    1.0
    """
    n = check_int("fan_in", fan_in, minimum=1)
    return n * check_nonnegative("weight_var", weight_var) * _kappa(activation)


def predicted_rms(depth: int, fan_in: int, weight_var: float, activation: str = "relu",
                  input_rms: float = 1.0) -> np.ndarray:
    """:math:`\\text{rms}(Z_l) = \\text{input\\_rms}\\cdot r^{l/2}` for ``l = 0 .. depth`` with :math:`r` =
    :func:`layer_gain`.

    The prediction of :ref:`note 002 <note-002>`'s argument for the network of
    :func:`~course_lib.nn.deep_norms` (square layers of width ``fan_in``, no biases). For ReLU it
    is right on average; for tanh only while the activations are small.

    Examples
    --------
    >>> # r = 100 * 0.08 / 2 = 4: doubles per layer
    >>> predicted_rms(4, 100, 0.08, "relu").round(4).tolist()
    [1.0, 2.0, 4.0, 8.0, 16.0]
    """
    depth = check_int("depth", depth, minimum=1)
    g = layer_gain(fan_in, weight_var, activation)
    r = check_nonnegative("input_rms", input_rms)
    return r * np.sqrt(g) ** np.arange(depth + 1)



def deep_profiles(scales: Iterable, activations: Sequence[str] = ("relu", "tanh"), *, depth: int = 50,
                  width: int = 256, batch: int = 64, seed=0) -> dict[tuple[object, str], DeepNorms]:
    """:func:`~course_lib.nn.deep_norms` for every scale and activation: ``{(scale, activation): DeepNorms}``.

    Each ``scale`` is either a number :math:`k > 0`, for weights :math:`N(0, \\sigma_w^2)` with
    :math:`\\sigma_w = k \\sqrt{2/\\text{width}}` (:math:`k` times Kaiming's standard deviation), or the name of an
    initializer of :data:`~course_lib.nn.INITS` (``"xavier"``, ``"kaiming"``, ...). Every network uses the same
    ``seed``, so the same random numbers scaled differently. Computed on one BLAS thread (the
    products are small; on a busy machine several threads mostly wait for each other).

    Parameters
    ----------
    scales : iterable of float or str
    activations : sequence of str, default ("relu", "tanh")
    depth, width, batch : int
        As in :func:`~course_lib.nn.deep_norms`, each ``>= 1``.
    seed : int, default 0

    Examples
    --------
    >>> p = deep_profiles([1.0, "xavier"], ["relu"], depth=3, width=8,
    ...                   batch=4)
    >>> list(p)
    [(1.0, 'relu'), ('xavier', 'relu')]
    >>> kaiming = deep_norms(3, 8, init="kaiming", batch=4)
    >>> rms = p[(1.0, "relu")].activation_rms
    >>> bool(np.array_equal(rms, kaiming.activation_rms))
    True
    """
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    acts = [a for a in activations]
    for a in acts:
        _kappa(a)
    out = {}
    with one_blas_thread():
        for scale in scales:
            if isinstance(scale, str):
                if scale not in INITS or scale == "normal":
                    raise ValueError(f"scales must hold numbers > 0 or initializer names ({', '.join(INITS)} "
                                     f"without normal), got {scale!r}")
                kw = {"init": scale}
            else:
                kw = {"init": "normal", "std": check_positive("scales[...]", scale) * kaiming_std(width)}
            for a in acts:
                out[(scale, a)] = deep_norms(depth, width, activation=a, batch=batch, seed=seed, **kw)
    return out


# =========================================================================== bad starts

def constant_init(sizes: Sequence[int], value: float) -> Params:
    """MLP parameters (the layout of :func:`~course_lib.nn.mlp_init`) with every weight equal to ``value``, biases 0.

    A symmetric start: every hidden unit of a layer computes the same function, receives the same
    gradient, and so stays a copy of the others (:func:`unit_spread` stays 0).

    Examples
    --------
    >>> p = constant_init([3, 2, 2], 0.5)
    >>> p["W0"].tolist(), p["b1"].tolist()
    ([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], [0.0, 0.0])
    """
    sizes = _sizes(sizes)
    v = check_real("value", value)
    params: Params = {}
    for i in range(len(sizes) - 1):
        params[f"W{i}"] = np.full((sizes[i], sizes[i + 1]), v)
        params[f"b{i}"] = np.zeros(sizes[i + 1])
    return params


def _weights(params) -> list:
    if not isinstance(params, dict) or "W0" not in params:
        raise ValueError("params must be a dict with the weights W0, W1, ... (see mlp_init)")
    L = 0
    while f"W{L}" in params:
        L += 1
    return [f"W{i}" for i in range(L)]


def zero_layers(params, layers: Sequence[int]) -> Params:
    """A copy of ``params`` with the weight matrices ``W{i}`` for ``i`` in ``layers`` set to 0.

    Examples
    --------
    >>> from course_lib.nn import mlp_init
    >>> p = zero_layers(mlp_init([3, 4, 2], seed=0), [1])
    >>> float(abs(p["W1"]).max()), bool(abs(p["W0"]).max() > 0)
    (0.0, True)
    """
    keys = _weights(params)
    out = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    for i in layers:
        i = check_int("layers[...]", i, minimum=0)
        if i >= len(keys):
            raise ValueError(f"layers must hold layer indices in [0, {len(keys) - 1}], got {i}")
        out[f"W{i}"] = np.zeros_like(out[f"W{i}"])
    return out


def max_gradients(params, X, y, *, activation: str = "relu") -> dict[str, float]:
    """The largest absolute entry of each gradient of the mean cross-entropy (from
    :func:`~course_lib.nn.mlp_loss_and_grad`).

    Exactly 0.0 for a parameter that does not move at all.

    Examples
    --------
    >>> from course_lib.nn import mlp_init
    >>> params = mlp_init([3, 4, 2], init="zeros")
    >>> g = max_gradients(params, np.ones((4, 3)), np.array([0, 1, 0, 1]))
    >>> # balanced labels: nothing moves
    >>> g["W0"], g["W1"], g["b1"]
    (0.0, 0.0, 0.0)
    """
    _, grads = mlp_loss_and_grad(params, X, y, activation=activation)
    return {k: float(np.abs(v).max()) for k, v in grads.items()}


def unit_spread(params) -> dict[str, float]:
    """How different the hidden units are: for each hidden layer, the largest gap between two units' weights.

    Unit ``j`` of hidden layer ``i + 1`` has the incoming weights ``W{i}[:, j]`` and bias
    ``b{i}[j]``, and the outgoing weights ``W{i+1}[j, :]``. The spread of that layer is the largest
    absolute difference between any unit's numbers and unit 0's. It is 0 exactly when all units of
    the layer are copies of one another (keys ``"h1"``, ``"h2"``, ... for the hidden layers).

    Examples
    --------
    >>> unit_spread(constant_init([3, 4, 4, 2], 0.1))
    {'h1': 0.0, 'h2': 0.0}
    >>> from course_lib.nn import mlp_init
    >>> unit_spread(mlp_init([3, 4, 2], seed=0))["h1"] > 0
    True
    """
    keys = _weights(params)
    out = {}
    for i in range(len(keys) - 1):
        W_in = np.asarray(params[f"W{i}"], dtype=np.float64)
        b = np.asarray(params[f"b{i}"], dtype=np.float64)
        W_out = np.asarray(params[f"W{i + 1}"], dtype=np.float64)
        unit = np.vstack([W_in, b[None, :], W_out.T])          # one column per unit
        out[f"h{i + 1}"] = float(np.abs(unit - unit[:, :1]).max())
    return out


class SaddleProbe(NamedTuple):
    """The loss along two lines through :math:`W = 0` (:func:`zero_saddle_probe`)."""

    ts: np.ndarray
    """The distances along the lines, ``t >= 0``."""
    down: np.ndarray
    """The loss at :math:`t\\,(U, V)`: it falls below the loss at 0."""
    up: np.ndarray
    """The loss at :math:`t\\,(U, -V)`: it rises above it."""
    at_zero: float
    """The loss at :math:`W = 0` (biases 0)."""


def zero_saddle_probe(data: Dataset, hidden: int = 32, ts=None, *, activation: str = "relu",
                      seed=0) -> SaddleProbe:
    """Show that :math:`W = 0` is a saddle point, not a local minimum, of a one-hidden-layer network.

    The network is :math:`\\text{logits} = \\phi(X W_0) W_1` (biases 0, activation :math:`\\phi`)
    with ``hidden`` units. At
    :math:`W = 0` the gradient is 0 for balanced classes. Take a random direction :math:`U`
    (:math:`N(0, 1/n)` entries) for :math:`W_0` and, for :math:`W_1`, :math:`V = -Z_1^\\top D` with
    :math:`Z_1 = \\phi(X U)` and :math:`D` the gradient of the loss with respect to the logits at 0.
    Along :math:`t\\,(U, \\pm V)` the logits are :math:`\\pm t^2 Z_1 V` for a positively homogeneous
    :math:`\\phi` (ReLU), so to second order the loss changes by
    :math:`\\mp t^2 \\lVert Z_1^\\top D\\rVert^2`:
    down one way, up the other. Points with a lower loss lie arbitrarily close to 0.

    Parameters
    ----------
    data : Dataset
        Inputs and labels (e.g. standardized digits).
    hidden : int, default 32
        Hidden units, ``>= 1``.
    ts : array_like, optional
        Distances ``>= 0``; default 21 points from 0 to 1.
    activation : str, default "relu"
    seed : int or np.random.Generator, default 0

    Examples
    --------
    >>> from course_lib.data import digits, standardize
    >>> probe = zero_saddle_probe(standardize(digits())[0], ts=[0.0, 0.1])
    >>> bool(probe.down[1] < probe.at_zero < probe.up[1])
    True
    """
    if not isinstance(data, Dataset):
        raise ValueError(f"data must be a course_lib.data.Dataset such as digits(), got {data!r}")
    hidden = check_int("hidden", hidden, minimum=1)
    ts = np.linspace(0.0, 1.0, 21) if ts is None else np.asarray(ts, dtype=np.float64).ravel()
    if ts.size == 0 or not np.all(np.isfinite(ts)) or np.any(ts < 0):
        raise ValueError("ts must be a non-empty list of finite distances >= 0")
    n, k = data.X.shape[1], data.n_classes
    zero = {"W0": np.zeros((n, hidden)), "b0": np.zeros(hidden), "W1": np.zeros((hidden, k)), "b1": np.zeros(k)}
    at_zero, _ = mlp_loss_and_grad(zero, data.X, data.y, activation=activation)
    A = _rng(seed).standard_normal((n, hidden)) / math.sqrt(n)
    # D = dL/dlogits at W = 0: (softmax(0) - onehot) / m; H = sigma(X A)
    m = data.X.shape[0]
    D = np.full((m, k), 1.0 / k)
    D[np.arange(m), data.y] -= 1.0
    D /= m
    H = _act(activation, data.X @ A)
    B = -H.T @ D
    norm = float(np.linalg.norm(B))
    if norm > 0:
        B *= np.linalg.norm(A) / norm            # as long as A: t is the distance along each factor

    def loss(t, sign):
        p = {"W0": t * A, "b0": zero["b0"], "W1": sign * t * B, "b1": zero["b1"]}
        return mlp_loss_and_grad(p, data.X, data.y, activation=activation)[0]
    return SaddleProbe(ts, np.array([loss(t, 1.0) for t in ts]), np.array([loss(t, -1.0) for t in ts]),
                       float(at_zero))


# =========================================================================== training from an initialization

class InitRun(NamedTuple):
    """A training run of the MLP from a given start, recorded after every epoch (:func:`train_from_init`)."""

    epochs: np.ndarray
    """``0, 1, ..., epochs`` (0 is the start)."""
    losses: np.ndarray
    """The mean training loss over all training examples."""
    accuracies: np.ndarray
    """The accuracy on ``test`` (NaN without it)."""
    moved: np.ndarray
    """Shape ``(epochs + 1, L)``: :math:`\\lVert W_i - W_i^{(0)}\\rVert_F / \\lVert W_i^{(0)}\\rVert_F` per layer
    (:func:`~course_lib.nn.relative_change`; ``inf`` for a layer that started at 0 and moved, 0 if it did not)."""
    grad_max: np.ndarray
    """Shape ``(epochs + 1, L)``: the largest absolute entry of :math:`\\partial L/\\partial W_i` over the full training
    set."""
    spread: np.ndarray
    """Shape ``(epochs + 1, L - 1)``: :func:`unit_spread` of each hidden layer."""
    params0: dict
    """The starting parameters."""
    params: dict
    """The final parameters."""


def train_from_init(train: Dataset, params, opt: Optimizer, *, epochs: int = 5, batch_size: int = 64,
                    activation: str = "relu", seed=0, test: Dataset | None = None) -> InitRun:
    """Train the MLP ``params`` on ``train`` by minibatches with ``opt`` and record each epoch.

    The loop is :func:`~course_lib.stochastic.sgd_epoch` over
    ``Batches(len(train), batch_size, seed=seed).epoch(e)``, so two runs with the same ``seed``
    see the same minibatches in the same order whatever their start. After each epoch: the
    training loss, the test accuracy, the relative change of each weight matrix from its start,
    the largest full-batch gradient entry per weight matrix and the unit spread.

    Parameters
    ----------
    train : Dataset
    params : dict
        The start, from :func:`~course_lib.nn.mlp_init` or :func:`constant_init` (no batch norm).
    opt : Optimizer
        Any optimizer of :mod:`course_lib.optimizers`.
    epochs : int, default 5
        ``>= 1``.
    batch_size : int, default 64
        ``1 <= batch_size <= len(train)``.
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
    seed : int, default 0
        The shuffling of the minibatches.
    test : Dataset, optional
        Data for the accuracy.

    Examples
    --------
    >>> from course_lib.data import digits, standardize
    >>> from course_lib.optimizers import gd
    >>> data = standardize(digits())[0]
    >>> from course_lib.nn import mlp_init
    >>> params = mlp_init([64, 16, 10], init="zeros")
    >>> r = train_from_init(data, params, gd(0.1), epochs=2)
    >>> # W = 0: nothing ever moves
    >>> r.grad_max[:, 0].tolist(), r.moved[-1].tolist()
    ([0.0, 0.0, 0.0], [0.0, 0.0])
    """
    if not isinstance(train, Dataset):
        raise ValueError(f"train must be a course_lib.data.Dataset such as digits(), got {train!r}")
    epochs = check_int("epochs", epochs, minimum=1)
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be a course_lib optimizer such as gd(0.1), got {opt!r}")
    problem = mlp_problem(train, params, activation=activation)
    if problem.batchnorm:
        raise ValueError("params must have no batch norm (gamma0, ...): this study trains plain MLPs")
    batches = Batches(problem.n, batch_size, seed=seed)
    keys = _weights(params)
    theta = problem.x0.copy()
    p0 = problem.unravel(theta)
    state = opt.init(theta)
    losses, accs, moved, gmax, spread = [], [], [], [], []

    def record(theta):
        p = problem.unravel(theta)
        loss, grads = mlp_loss_and_grad(p, train.X, train.y, activation=activation)
        losses.append(loss)
        accs.append(mlp_accuracy(p, test.X, test.y, activation=activation) if test is not None else math.nan)
        rc = relative_change(p, p0)
        moved.append([rc[k] for k in keys])
        gmax.append([float(np.abs(grads[k]).max()) for k in keys])
        spread.append(list(unit_spread(p).values()))

    with one_blas_thread():
        record(theta)
        for e in range(epochs):
            theta, state = sgd_epoch(problem, theta, opt, state, batches.epoch(e))
            record(theta)
    L = len(keys)
    return InitRun(np.arange(epochs + 1), np.array(losses), np.array(accs), np.array(moved).reshape(-1, L),
                   np.array(gmax).reshape(-1, L), np.array(spread).reshape(-1, L - 1), p0, problem.unravel(theta))
