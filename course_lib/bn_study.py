"""Batch normalization studied: :ref:`note 001 <note-001>`'s derivation checked step by step, ε, inference, training.

The layer itself lives in :mod:`course_lib.nn` (:func:`~course_lib.nn.batchnorm_forward`,
:func:`~course_lib.nn.batchnorm_backward`, :func:`~course_lib.nn.batchnorm_inference`); this
module computes what the batch-normalization chapter shows about it:

* :func:`note001_derivation` checks every step of :ref:`note 001 <note-001>`'s backward
  derivation against central differences, step by step;
* :func:`eps_divisors` and :func:`eps_gaps` measure how far :ref:`note 001 <note-001>`'s ε placement
  (:math:`\\sigma + \\epsilon`) is from the standard one (:math:`\\sqrt{\\sigma^2 + \\epsilon}`), and how
  far the note's closed-form gradient (derived with ε dropped) is from the gradient of either;
* :func:`batch_statistics_accuracy` classifies with the statistics of each test batch instead of
  the running ones: with a batch of one, every hidden unit outputs its :math:`\\beta`;
* :func:`train_run`, :func:`lr_sweep`, :func:`largest_rate_that_trains` and
  :func:`epochs_to_reach` train the digits MLP with and without batch norm, record the loss per
  epoch, and find the largest learning rate that still trains by a stated criterion.

As in :mod:`course_lib.nn`, **rows are examples**: :ref:`note 001 <note-001>`'s :math:`Z_{ij}` (unit ``i``,
example ``j``, the batch as columns) is ``Z[j, i]`` here.

>>> Z, dout = [[1.0], [2.0], [6.0]], [[1.0], [-2.0], [0.5]]
>>> steps = note001_derivation(Z, [1.5], dout)
>>> all(s.max_error < 1e-7 for s in steps)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import nn
from ._validation import check_int, check_nonnegative, check_positive
from .data import Batches, Dataset
from .optimizers import gd

__all__ = [
    "DerivationStep", "note001_derivation",
    "eps_divisors", "EpsGaps", "eps_gaps",
    "batch_statistics_accuracy",
    "TrainingRun", "train_run", "lr_sweep", "trains", "largest_rate_that_trains", "epochs_to_reach",
]


# =========================================================================== note 001's derivation

class DerivationStep(NamedTuple):
    """One step of :ref:`note 001 <note-001>`'s backward derivation: the note's formula against central differences."""

    name: str
    """What is differentiated, e.g. ``"dL/dB"``."""
    formula: str
    """The note's formula, in LaTeX, with its indices (unit ``i``, examples ``j`` and ``k``)."""
    analytic: np.ndarray
    """The formula evaluated."""
    numeric: np.ndarray
    """The same derivative by central differences of the forward pass."""
    max_error: float
    """:math:`\\max |\\text{analytic} - \\text{numeric}|`."""
    scale: float
    """:math:`\\max |\\text{numeric}|`, to read ``max_error`` against."""


def _jacobian(f, X: np.ndarray, h: float) -> np.ndarray:
    """Central differences: ``J[..., a, b] = d f(X)[...] / d X[a, b]``, shape ``f(X).shape + X.shape``."""
    out = np.asarray(f(X))
    J = np.empty(out.shape + X.shape)
    for idx in np.ndindex(*X.shape):
        E = np.zeros_like(X)
        E[idx] = h
        J[(Ellipsis,) + idx] = (np.asarray(f(X + E)) - np.asarray(f(X - E))) / (2.0 * h)
    return J


def _batch(Z, gamma, dout):
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] < 2 or Z.shape[1] < 1 or not np.all(np.isfinite(Z)):
        raise ValueError(f"Z must be a finite array of shape (K, d) with K >= 2 examples, got shape {Z.shape}")
    if np.any(Z.std(axis=0) == 0):
        raise ValueError("Z must have no constant column: note 001's formulas divide by sigma = 0 there")
    gamma = np.asarray(gamma, dtype=np.float64)
    if gamma.shape != (Z.shape[1],) or not np.all(np.isfinite(gamma)):
        raise ValueError(f"gamma must be {Z.shape[1]} finite numbers (one per column of Z), got shape {gamma.shape}")
    dout = np.asarray(dout, dtype=np.float64)
    if dout.shape != Z.shape or not np.all(np.isfinite(dout)):
        raise ValueError(f"dout must be finite with the shape of Z, {Z.shape}, got {dout.shape}")
    return Z, gamma, dout


def note001_derivation(Z, gamma, dout, *, beta=None, h: float = 1e-6) -> list[DerivationStep]:
    """Every step of :ref:`note 001 <note-001>`'s batch-norm backward derivation, checked numerically.

    The note normalizes unit ``i`` over the ``K`` examples of a batch,
    :math:`\\bar Z_{ij} = (Z_{ij} - \\mu_i)/\\sigma_i` and :math:`\\hat Z_{ij} = G_i \\bar Z_{ij} + B_i`, and,
    with ε dropped as the note drops it, derives in turn:

    1. :math:`\\partial L/\\partial B_i = \\sum_j \\partial L/\\partial \\hat Z_{ij}`;
    2. :math:`\\partial L/\\partial G_i = \\sum_j \\partial L/\\partial \\hat Z_{ij}\\, \\bar Z_{ij}`;
    3. :math:`\\partial \\mu_i/\\partial Z_{ij} = 1/K`;
    4. :math:`\\partial \\sigma_i/\\partial Z_{ij} = (Z_{ij} - \\mu_i)/(K\\sigma_i)`;
    5. :math:`\\partial \\bar Z_{ik}/\\partial Z_{ij} = (\\delta_{jk} - \\partial\\mu_i/\\partial Z_{ij})/\\sigma_i
       - (Z_{ik} - \\mu_i)/\\sigma_i^2 \\cdot \\partial\\sigma_i/\\partial Z_{ij}`, and no dependence across
       units (:math:`\\partial \\bar Z_{ik}/\\partial Z_{i'j} = 0` for :math:`i' \\ne i`);
    6. :math:`\\partial \\hat Z_{ik}/\\partial Z_{ij} = G_i\\, \\partial \\bar Z_{ik}/\\partial Z_{ij}`;
    7. the closed form :math:`\\partial L/\\partial Z_{ij} = \\sum_k \\partial L/\\partial \\hat Z_{ik}\\,
       G_i \\frac{1}{K\\sigma_i}\\big(\\delta_{jk} K - 1 - (Z_{ik} - \\mu_i)(Z_{ij} - \\mu_i)/\\sigma_i^2\\big)`
       (:func:`~course_lib.nn.batchnorm_grad_note001`).

    Each formula is evaluated as the note writes it, and compared with central differences (step
    ``h``) of the forward pass (:func:`~course_lib.nn.batchnorm_forward` with ``eps=0``) and of the
    loss :math:`L = \\sum_{j,i} D_{ji}\\, \\hat Z_{ji}`, whose gradient with respect to the output is
    ``dout`` = :math:`D`, as a loss further up the network would give. Steps 3 to 6 compare whole
    Jacobians (every unit against every unit), so their zeros are checked too.

    Parameters
    ----------
    Z : array_like, shape (K, d)
        A batch of ``K >= 2`` rows, no constant column (the note divides by :math:`\\sigma_i`).
    gamma : array_like, shape (d,)
        The note's :math:`G`.
    dout : array_like, shape (K, d)
        :math:`\\partial L / \\partial \\hat Z`.
    beta : array_like, shape (d,), optional
        The note's :math:`B` (zeros by default; no derivative depends on it).
    h : float, default 1e-6
        The central-difference step, ``> 0``; errors of order ``h²`` and ``1e-16 / h`` remain.

    Returns
    -------
    list of DerivationStep
        The seven steps, in the note's order.

    Examples
    --------
    >>> Z = [[1.0, 0.0], [2.0, 5.0], [6.0, 1.0]]
    >>> dout = [[1.0, 0.5], [-2.0, 0.0], [0.5, 2.0]]
    >>> steps = note001_derivation(Z, [1.5, -1.0], dout)
    >>> [s.name for s in steps][:3]
    ['dL/dB', 'dL/dG', 'dmu/dZ']
    >>> max(s.max_error / s.scale for s in steps) < 1e-7
    True
    """
    Z, G, D = _batch(Z, gamma, dout)
    h = check_positive("h", h)
    K, d = Z.shape
    B = np.zeros(d) if beta is None else np.asarray(beta, dtype=np.float64)
    if B.shape != (d,):
        raise ValueError(f"beta must have shape ({d},), got {B.shape}")

    def forward(Z_, G_=G, B_=B):
        return nn.batchnorm_forward(Z_, G_, B_, eps=0.0)

    out, cache = forward(Z)
    mu, sigma, Zbar = cache.mean, np.sqrt(cache.var), cache.zhat
    Zc = Z - mu
    delta = np.eye(K)

    # the note's formulas, literally (note indices: unit i, examples j, k; arrays are [example, unit])
    dB = D.sum(axis=0)
    dG = (D * Zbar).sum(axis=0)
    dmu = np.zeros((d, K, d))              # dmu[i, j, i'] = d mu_i / d Z[j, i']
    dsig = np.zeros((d, K, d))
    dZbar = np.zeros((K, d, K, d))          # dZbar[k, i, j, i'] = d Zbar[k, i] / d Z[j, i']
    for i in range(d):
        dmu[i, :, i] = 1.0 / K
        dsig[i, :, i] = Zc[:, i] / (K * sigma[i])
        dmu_i, dsig_i = dmu[i, :, i], dsig[i, :, i]           # indexed by j
        # (delta_jk - dmu_i/dZ_ij) / sigma_i - (Z_ik - mu_i) / sigma_i^2 * dsigma_i/dZ_ij, as [k, j]
        dZbar[:, i, :, i] = (delta - dmu_i[None, :]) / sigma[i] - Zc[:, i, None] / sigma[i] ** 2 * dsig_i[None, :]
    dZhat = dZbar * G[None, :, None, None]
    dZ = nn.batchnorm_grad_note001(D, Z, G)

    loss = lambda Zhat: float(np.sum(D * Zhat))      # noqa: E731
    numeric = [
        _jacobian(lambda B_: np.array([loss(forward(Z, G, B_[0])[0])]), B[None, :], h)[0, 0],
        _jacobian(lambda G_: np.array([loss(forward(Z, G_[0], B)[0])]), G[None, :], h)[0, 0],
        _jacobian(lambda Z_: forward(Z_)[1].mean, Z, h),
        _jacobian(lambda Z_: np.sqrt(forward(Z_)[1].var), Z, h),
        _jacobian(lambda Z_: forward(Z_)[1].zhat, Z, h),
        _jacobian(lambda Z_: forward(Z_)[0], Z, h),
        _jacobian(lambda Z_: np.array([loss(forward(Z_)[0])]), Z, h)[0],
    ]
    names = ["dL/dB", "dL/dG", "dmu/dZ", "dsigma/dZ", "dZbar/dZ", "dZhat/dZ", "dL/dZ"]
    formulas = [
        r"\sum_j \partial L/\partial \hat Z_{ij}",
        r"\sum_j \partial L/\partial \hat Z_{ij}\, \bar Z_{ij}",
        r"1/K",
        r"(Z_{ij} - \mu_i)/(K \sigma_i)",
        r"(\delta_{jk} - \partial\mu_i/\partial Z_{ij})/\sigma_i"
        r" - (Z_{ik} - \mu_i)/\sigma_i^2 \cdot \partial\sigma_i/\partial Z_{ij}",
        r"G_i\, \partial \bar Z_{ik}/\partial Z_{ij}",
        r"\sum_k \partial L/\partial \hat Z_{ik}\, G_i \frac{1}{K\sigma_i}"
        r"\left(\delta_{jk} K - 1 - \frac{(Z_{ik} - \mu_i)(Z_{ij} - \mu_i)}{\sigma_i^2}\right)",
    ]
    analytic = [dB, dG, dmu, dsig, dZbar, dZhat, dZ]
    return [DerivationStep(n, f, a, num, float(np.max(np.abs(a - num))), float(np.max(np.abs(num))))
            for n, f, a, num in zip(names, formulas, analytic, numeric)]


# =========================================================================== where ε goes

def eps_divisors(sigma, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """What each ε placement divides a centred value by: :math:`\\sqrt{\\sigma^2 + \\epsilon}` and
    :math:`\\sigma + \\epsilon`.

    The first is the standard placement (torch, :func:`~course_lib.nn.batchnorm_forward`); the
    second is :ref:`note 001 <note-001>`'s. They agree when :math:`\\sigma^2 \\gg \\epsilon`; for a
    column whose standard deviation is of the order of :math:`\\sqrt\\epsilon` (about 0.003 for
    torch's ε = 1e-5) they differ by up to a factor :math:`\\sqrt2`.

    Parameters
    ----------
    sigma : array_like
        Batch standard deviations, ``>= 0``.
    eps : float, default 1e-5
        ``>= 0``.

    Returns
    -------
    inside, outside : ndarray
        The two divisors, with the shape of ``sigma``.

    Examples
    --------
    >>> inside, outside = eps_divisors([0.0, 1.0], eps=1e-4)
    >>> inside.round(6).tolist(), outside.tolist()
    ([0.01, 1.00005], [0.0001, 1.0001])
    """
    s = np.asarray(sigma, dtype=np.float64)
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("sigma must hold finite standard deviations >= 0")
    eps = check_nonnegative("eps", eps)
    return np.sqrt(s * s + eps), s + eps


class EpsGaps(NamedTuple):
    """How far the ε placements and :ref:`note 001 <note-001>`'s ε-free gradient are apart, per batch scale
    (:func:`eps_gaps`)."""

    sigma: np.ndarray
    """The batch standard deviations tried."""
    output_gap: np.ndarray
    """:math:`\\max|\\text{out}_\\text{inside} - \\text{out}_\\text{outside}| / \\max|\\text{out}_\\text{inside}|`
    (β = 0, γ = 1)."""
    grad_gap_inside: np.ndarray
    """Relative max difference of :ref:`note 001 <note-001>`'s closed-form :math:`\\partial L/\\partial Z` from the
    exact gradient of the standard layer."""
    grad_gap_outside: np.ndarray
    """The same from the exact gradient of the note's own forward pass (ε outside)."""


def eps_gaps(sigmas: Sequence[float], eps: float = 1e-5, *, K: int = 8, seed=0) -> EpsGaps:
    """:ref:`Note 001 <note-001>`'s ε against the standard one, on one random batch scaled to each standard deviation.

    For each ``sigma`` a batch of ``K`` values (one column, standard normal draws from ``seed``,
    scaled to batch standard deviation exactly ``sigma``) and a random upstream gradient go through
    both placements (:func:`~course_lib.nn.batchnorm_forward` with and without ``eps_outside``);
    the note's closed form (:func:`~course_lib.nn.batchnorm_grad_note001`, no ε) is compared with
    the exact gradient of each (:func:`~course_lib.nn.batchnorm_backward`). All gaps are relative
    to the largest entry; they grow as :math:`\\epsilon/\\sigma^2` (inside) and
    :math:`\\epsilon/\\sigma` (outside) when σ shrinks.

    Parameters
    ----------
    sigmas : sequence of float
        Batch standard deviations, each ``> 0``.
    eps : float, default 1e-5
        ``> 0``.
    K : int, default 8
        Batch size, ``>= 2``.
    seed : int or np.random.Generator, default 0

    Examples
    --------
    >>> g = eps_gaps([1.0, 1e-3], eps=1e-5)
    >>> bool(g.output_gap[0] < 1e-4 < g.output_gap[1])
    True
    """
    eps = check_positive("eps", eps)
    K = check_int("K", K, minimum=2)
    sig = np.asarray(sigmas, dtype=np.float64).ravel()
    if sig.size == 0 or not np.all(np.isfinite(sig)) or np.any(sig <= 0):
        raise ValueError("sigmas must be one or more standard deviations > 0")
    rng = nn._rng(seed)
    x = rng.standard_normal((K, 1))
    x = (x - x.mean()) / x.std()
    dout = rng.standard_normal((K, 1))
    one, zero = np.ones(1), np.zeros(1)
    gaps = np.empty((3, sig.size))
    for n, s in enumerate(sig):
        Z = 1.0 + s * x                      # any mean: normalization removes it
        out_in, c_in = nn.batchnorm_forward(Z, one, zero, eps)
        out_out, c_out = nn.batchnorm_forward(Z, one, zero, eps, eps_outside=True)
        note = nn.batchnorm_grad_note001(dout, Z, one)
        g_in = nn.batchnorm_backward(dout, c_in)[0]
        g_out = nn.batchnorm_backward(dout, c_out)[0]
        rel = lambda a, b: float(np.max(np.abs(a - b)) / np.max(np.abs(b)))     # noqa: E731
        gaps[:, n] = rel(out_out, out_in), rel(note, g_in), rel(note, g_out)
    return EpsGaps(sig, *gaps)


# =========================================================================== inference

def batch_statistics_accuracy(params, X, y, batch_size: int, *, activation: str = "relu",
                              eps: float = 1e-5) -> tuple[float, int]:
    """Accuracy of a batch-norm MLP that, wrongly, normalizes each test batch with its own statistics.

    ``X`` is cut into consecutive batches of ``batch_size`` rows (the last may be smaller) and each
    goes through :func:`~course_lib.nn.mlp_forward` in **training** mode. With ``batch_size = 1``
    every centred value :math:`z - \\mu` is 0, so every batch-norm layer outputs its :math:`\\beta`
    whatever the input, and every example gets the same prediction. (Inference must use fixed
    statistics: :func:`~course_lib.nn.batchnorm_inference` with the running ones.)

    Parameters
    ----------
    params : dict
        A batch-norm MLP (:func:`~course_lib.nn.mlp_init` with ``batchnorm=True``).
    X : array_like, shape (n, d)
    y : array_like of int, shape (n,)
    batch_size : int
        ``>= 1``.

    Returns
    -------
    accuracy : float
    distinct : int
        How many different classes were predicted.

    Examples
    --------
    >>> from course_lib.data import digits
    >>> data = digits()
    >>> params = nn.mlp_init([64, 16, 10], batchnorm=True, seed=0)
    >>> # one class for all
    >>> batch_statistics_accuracy(params, data.X[:50], data.y[:50], 1)[1]
    1
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if "gamma0" not in params:
        raise ValueError("params must be a batch-norm MLP (mlp_init(..., batchnorm=True))")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}")
    preds = np.concatenate([
        nn.mlp_forward(params, X[s:s + batch_size], activation=activation, training=True, eps=eps).argmax(axis=1)
        for s in range(0, X.shape[0], batch_size)])
    return float((preds == y).mean()), int(np.unique(preds).size)


# =========================================================================== training

class TrainingRun(NamedTuple):
    """One training run of the digits MLP, recorded once per epoch (:func:`train_run`)."""

    lr: float
    batchnorm: bool
    seed: int
    losses: np.ndarray
    """The mean training loss over the whole training set after each epoch (index 0: the start);
    NaN after divergence. With batch norm in training mode, the statistics of the whole set."""
    test_accuracy: np.ndarray
    """Test accuracy after each epoch (inference mode: running statistics); NaN after divergence."""
    diverged_at: int | None
    """The epoch after which the loss was no longer finite or exceeded the limit; None if never."""
    state: dict
    """Batch norm's running statistics at the end (``{}`` without batch norm)."""
    theta: np.ndarray
    """The final parameters (the last ones with a finite loss)."""

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None



def train_run(train: Dataset, test: Dataset, *, lr: float, batchnorm: bool, sizes: Sequence[int] = (64, 64, 10),
              epochs: int = 10, batch_size: int = 32, seed: int = 0, limit: float = 100.0,
              last: str = "drop") -> TrainingRun:
    """Train the MLP ``sizes`` on ``train`` by minibatch SGD, with or without batch norm; record per epoch.

    Kaiming-initialized ReLU MLP (:func:`~course_lib.nn.mlp_init` with ``seed``), batch norm (if
    on) after every hidden affine map, trained by :func:`~course_lib.optimizers.gd` at the constant
    rate ``lr`` on minibatches of :class:`~course_lib.data.Batches` ``(n, batch_size, seed=seed)``,
    with :meth:`~course_lib.nn.MLPProblem.train_epoch` (running statistics as torch keeps them,
    momentum 0.1). Runs with the same ``seed`` start from the same weights and see the data in the
    same order, with or without batch norm. The matrix products run on one BLAS thread (fixed
    order of sums, so the same numbers on every run; also the fastest at these sizes). Each epoch
    drops the ``n mod batch_size`` examples left over after the full batches (a different few each
    epoch, as the order is reshuffled): a last batch of 3 would give batch norm very noisy statistics.
    A run stops at the end of the first epoch whose loss is
    not finite or above ``limit`` (log 10 ≈ 2.3 is the loss of a uniform guess).

    Parameters
    ----------
    train, test : Dataset
        The training and test sets (standardized or not).
    lr : float
        Learning rate, ``> 0``.
    batchnorm : bool
    sizes : sequence of int, default (64, 64, 10)
    epochs : int, default 10
        ``>= 1``.
    batch_size : int, default 32
        ``>= 2`` (batch norm's running variance needs two rows).
    seed : int, default 0
    limit : float, default 100
        A loss above this counts as diverged, ``> 0``.
    last : {"drop", "keep"}, default "drop"
        What to do with the examples left over after the full batches (:class:`~course_lib.data.Batches`).

    Examples
    --------
    >>> from course_lib.data import digits, standardize, train_test_split
    >>> tr, te = train_test_split(digits(), seed=0)
    >>> tr, te, _ = standardize(tr, te)
    >>> r = train_run(tr, te, lr=0.1, batchnorm=True, epochs=2)
    >>> r.losses.shape, bool(r.losses[2] < r.losses[0]), r.diverged
    ((3,), True, False)
    """
    if not isinstance(train, Dataset) or not isinstance(test, Dataset):
        raise ValueError("train and test must be course_lib.data.Dataset objects (see course_lib.data.digits)")
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=2)
    seed = check_int("seed", seed)
    limit = check_positive("limit", limit)
    bn = bool(batchnorm)
    params = nn.mlp_init(list(sizes), seed=seed, batchnorm=bn)
    problem = nn.mlp_problem(train, params)
    batches = Batches(problem.n, batch_size, seed=seed, last=last)
    opt = gd(lr=lr)
    theta = problem.x0.copy()
    opt_state = opt.init(theta)
    state = problem.init_state() if bn else {}
    losses = np.full(epochs + 1, np.nan)
    accs = np.full(epochs + 1, np.nan)
    losses[0] = problem.loss(theta)
    accs[0] = problem.accuracy(theta, test, state=state if bn else None)
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), nn.one_blas_thread():
        for e in range(epochs):
            new, new_opt, new_state = problem.train_epoch(theta, opt, opt_state, batches.epoch(e), state)
            loss = problem.loss(new) if np.all(np.isfinite(new)) else math.nan
            if not (math.isfinite(loss) and loss <= limit):
                diverged_at = e + 1
                break
            theta, opt_state, state = new, new_opt, new_state
            losses[e + 1] = loss
            accs[e + 1] = problem.accuracy(theta, test, state=state if bn else None)
    return TrainingRun(lr, bn, seed, losses, accs, diverged_at, state, theta)


def lr_sweep(train: Dataset, test: Dataset, lrs: Sequence[float], *, batchnorm: bool, seeds: Sequence[int] = (0,),
             **kwargs) -> dict[tuple[float, int], TrainingRun]:
    """:func:`train_run` for every learning rate of ``lrs`` and every seed of ``seeds``.

    Returns a dict ``{(lr, seed): TrainingRun}``; ``kwargs`` go to :func:`train_run`.

    Examples
    --------
    >>> from course_lib.data import digits, train_test_split
    >>> tr, te = train_test_split(digits(), seed=0)
    >>> runs = lr_sweep(tr, te, [0.001, 0.01], batchnorm=False,
    ...                 epochs=1, seeds=(0, 1))
    >>> sorted(runs) == [(0.001, 0), (0.001, 1), (0.01, 0), (0.01, 1)]
    True
    """
    lrs = [check_positive("lrs[i]", lr) for lr in lrs]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    seeds = [check_int("seeds[i]", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    return {(lr, s): train_run(train, test, lr=lr, batchnorm=batchnorm, seed=s, **kwargs) for lr in lrs for s in seeds}


def trains(run: TrainingRun, target: float = 0.1) -> bool:
    """The criterion of the sweep: the run never diverged and ends with a training loss ``<= target``.

    Examples
    --------
    >>> losses = np.array([2.3, 0.5, 0.08])
    >>> acc = np.array([0.1, 0.8, 0.9])
    >>> r = TrainingRun(0.1, False, 0, losses, acc, None, {}, np.zeros(1))
    >>> trains(r), trains(r, target=0.05)
    (True, False)
    """
    target = check_positive("target", target)
    return (not run.diverged) and bool(run.losses[-1] <= target)


def largest_rate_that_trains(runs: dict[tuple[float, int], TrainingRun], target: float = 0.1) -> float:
    """The largest learning rate of a :func:`lr_sweep` at which **every** seed :func:`trains`.

    Returns NaN when no rate does. The answer is only as fine as the grid of rates: the true
    threshold lies between it and the next rate of the grid.

    Examples
    --------
    >>> losses, acc = np.array([2.3, 0.05]), np.array([0.1, 0.9])
    >>> ok = TrainingRun(0.1, False, 0, losses, acc, None, {},
    ...                  np.zeros(1))
    >>> bad = ok._replace(losses=np.array([2.3, 0.5]))
    >>> runs = {(0.1, 0): ok, (0.3, 0): ok, (0.3, 1): bad, (1.0, 0): bad}
    >>> largest_rate_that_trains(runs)
    0.1
    """
    if not runs:
        raise ValueError("runs must be a non-empty dict from lr_sweep")
    lrs = sorted({lr for lr, _ in runs})
    good = [lr for lr in lrs if all(trains(r, target) for (l2, _), r in runs.items() if l2 == lr)]
    return float(max(good)) if good else math.nan


def epochs_to_reach(run: TrainingRun, target: float) -> float:
    """The first epoch after which the training loss is ``<= target``; ``inf`` if it never is.

    Examples
    --------
    >>> losses = np.array([2.3, 0.5, 0.08])
    >>> acc = np.array([0.1, 0.8, 0.9])
    >>> r = TrainingRun(0.1, False, 0, losses, acc, None, {}, np.zeros(1))
    >>> epochs_to_reach(r, 0.6), epochs_to_reach(r, 0.01)
    (1.0, inf)
    """
    target = check_positive("target", target)
    hit = np.flatnonzero(np.nan_to_num(run.losses, nan=np.inf) <= target)
    return float(hit[0]) if hit.size else math.inf
