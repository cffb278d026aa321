"""Stochastic gradients: noise, its floor, minibatch variance, and minibatch training on real data.

The SGD chapter's computations (:ref:`note 000 <note-000>`, :ref:`note 002 <note-002>`,
:ref:`note 003 <note-003>`):

* :func:`noisy_gradient` — the notes' simulation: the exact gradient plus seeded
  :math:`N(0, \\sigma^2)` noise in every coordinate, for :func:`~course_lib.runner.run`;
* :func:`noise_floor` — where SGD with a constant rate settles on a quadratic, in closed form;
* :func:`sgd_ensemble` — many seeded noisy runs at once, for averages over the noise;
* :func:`minibatch_variance` and :func:`sampled_minibatch_variance` — how far a minibatch
  gradient strays from the full gradient, exactly and by sampling;
* :func:`epoch_counts` — minibatches and updates per epoch;
* :func:`sgd_epoch`, :func:`minibatch_sgd` and :func:`compare_batch_sizes` — minibatch SGD on a
  data set, recording the training loss against epochs, examples, updates and wall time;
* :func:`time_per_example` and :func:`peak_memory` — why batches are vectorized, and what they cost.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_nonnegative, check_positive, check_symmetric
from .data import Batches
from .objectives import Objective
from .optimizers import Optimizer, gd
from .runner import run
from .schedules import LearningRate

__all__ = ["noisy_gradient", "NoiseFloor", "noise_floor", "Ensemble", "sgd_ensemble", "epoch_counts",
           "minibatch_variance", "sampled_minibatch_variance", "sgd_epoch", "TrainingRecord",
           "minibatch_sgd", "compare_batch_sizes", "time_per_example", "peak_memory"]


# ----------------------------------------------------------------- noise on a quadratic

def noisy_gradient(objective: Objective, sigma: float = 1.0):
    """The gradient of ``objective`` plus independent :math:`N(0, \\sigma^2)` noise in each coordinate.

    The simulation of :ref:`note 000 <note-000>` (``g1 += np.random.normal(0.0, 1, (1,))``),
    seeded: pass the result to :func:`~course_lib.runner.run` as ``gradient=`` with a ``seed``.

    Parameters
    ----------
    objective : Objective
        Supplies the exact gradient.
    sigma : float, default 1
        Standard deviation of the noise, :math:`\\sigma \\ge 0` (0: the exact gradient).

    Examples
    --------
    >>> from course_lib import parabola
    >>> g = noisy_gradient(parabola(), sigma=0.0)
    >>> g(np.array([3.0]), 0, np.random.default_rng(0)).tolist()
    [6.0]
    """
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective, got {objective!r}")
    sigma = check_nonnegative("sigma", sigma)
    grad = objective.grad

    def gradient(x, t, rng):
        return grad(x) + sigma * rng.standard_normal(x.shape)

    return gradient


class NoiseFloor(NamedTuple):
    """Where constant-rate SGD settles on a quadratic (see :func:`noise_floor`)."""

    curvatures: np.ndarray
    """The Hessian's eigenvalues :math:`\\lambda_i`, ascending."""
    variances: np.ndarray
    """The stationary variance of the iterate along each eigenvector,
    :math:`\\eta\\sigma^2 / (\\lambda_i(2 - \\eta\\lambda_i))`."""
    excess_loss: float
    """The stationary mean of :math:`f(x_t) - f^\\star`, :math:`\\frac12 \\sum_i \\lambda_i V_i`."""


def noise_floor(hessian, lr: float, sigma: float = 1.0) -> NoiseFloor:
    """The spread of SGD's iterates and the loss they keep, on a quadratic, with a constant rate.

    With :math:`g_t = A(x_t - x^\\star) + \\sigma \\xi_t` and :math:`\\xi_t \\sim N(0, I)`, the error along
    an eigenvector of :math:`A` with eigenvalue :math:`\\lambda` follows
    :math:`e_{t+1} = (1 - \\eta\\lambda) e_t - \\eta\\sigma\\xi_t`. Its mean dies out (when
    :math:`0 < \\eta < 2/\\lambda`) but its variance tends to the fixed point
    :math:`V_\\infty` of :math:`V = (1 - \\eta\\lambda)^2 V + \\eta^2\\sigma^2`:

    .. math::

        V_\\infty = \\frac{\\eta\\sigma^2}{\\lambda (2 - \\eta\\lambda)}, \\qquad
        \\mathbb{E}[f(x_t) - f^\\star] \\to \\frac12 \\sum_i \\lambda_i V_i
        = \\frac12 \\sum_i \\frac{\\eta\\sigma^2}{2 - \\eta\\lambda_i}.

    The floor is proportional to :math:`\\eta` for small rates: halving the rate halves it,
    which is why SGD decays its rate (:ref:`note 003 <note-003>`).

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        Symmetric positive definite.
    lr : float
        :math:`0 < \\eta < 2/\\lambda_{\\max}`.
    sigma : float, default 1
        Noise standard deviation per coordinate, :math:`\\ge 0`.

    Examples
    --------
    >>> floor = noise_floor(np.diag([2.0, 4.0]), lr=0.1)
    >>> floor.variances.round(4).tolist(), round(floor.excess_loss, 4)
    ([0.0278, 0.0156], 0.059)
    """
    A = check_symmetric("hessian", hessian)
    lr = check_positive("lr", lr)
    sigma = check_nonnegative("sigma", sigma)
    lam = np.linalg.eigvalsh(A)
    if lam[0] <= 0:
        raise ValueError(f"hessian must be positive definite, got eigenvalues {lam}")
    if lr >= 2.0 / lam[-1]:
        raise ValueError(f"lr must be in (0, 2/lambda_max) = (0, {2.0 / lam[-1]:.6g}) for a floor to exist, got {lr!r}")
    v = lr * sigma ** 2 / (lam * (2.0 - lr * lam))
    return NoiseFloor(lam, v, float(0.5 * np.sum(lam * v)))


class Ensemble(NamedTuple):
    """Many seeded runs of the same noisy SGD (see :func:`sgd_ensemble`)."""

    values: np.ndarray
    """:math:`f(x_t)`, shape ``(runs, steps + 1)``."""
    finals: np.ndarray
    """The last iterate of each run, shape ``(runs, d)``."""
    paths: np.ndarray
    """The iterates of each run, shape ``(runs, steps + 1, d)``."""


def sgd_ensemble(objective: Objective, lr: LearningRate, x0, steps: int, *, runs: int = 100,
                 sigma: float = 1.0, seed: int = 0) -> Ensemble:
    """``runs`` noisy SGD runs from ``x0``, run ``r`` seeded with ``[seed, r]``: the noise averaged out.

    Each run is :func:`~course_lib.runner.run` of ``gd(lr)`` with :func:`noisy_gradient`.

    Parameters
    ----------
    objective : Objective
    lr : float or schedule
        The rate :math:`\\eta > 0` or a schedule ``eta(t)`` (:mod:`course_lib.schedules`).
    x0 : array_like
        The common start.
    steps : int
        Updates per run, ``>= 0``.
    runs : int, default 100
        Number of runs, ``>= 1``.
    sigma : float, default 1
        Noise standard deviation, ``>= 0``.
    seed : int, default 0

    Examples
    --------
    >>> from course_lib import parabola
    >>> e = sgd_ensemble(parabola(), 0.1, 1.0, 5, runs=3, sigma=0.0)
    >>> e.values.shape, round(float(e.finals[0, 0]), 5)        # 0.8 ** 5
    ((3, 6), 0.32768)
    """
    runs = check_int("runs", runs, minimum=1)
    steps = check_int("steps", steps, minimum=0)
    opt = gd(lr)
    gradient = noisy_gradient(objective, sigma)
    trajs = [run(opt, objective, x0, steps, gradient=gradient, seed=np.random.default_rng([seed, r]),
                 max_distance=1e12) for r in range(runs)]
    if any(t.diverged for t in trajs):
        raise ValueError(f"a run diverged with lr = {lr!r}; lower the learning rate")
    paths = np.stack([t.xs for t in trajs])
    return Ensemble(np.stack([t.values for t in trajs]), paths[:, -1], paths)


# ----------------------------------------------------------------- minibatches

def epoch_counts(n: int, batch_size: int, *, last: str = "keep") -> tuple[int, int]:
    """Minibatches per epoch and the size of the last one, for ``n`` examples in batches of ``batch_size``.

    An epoch is one pass over the data, and each minibatch is one update, so the first number is
    also the number of **updates per epoch** (1 for full-batch gradient descent, ``n`` for SGD one
    example at a time). It is :math:`\\lceil n / b \\rceil` when the smaller last batch is kept,
    :math:`\\lfloor n / b \\rfloor` when it is dropped (:class:`~course_lib.data.Batches`).

    Parameters
    ----------
    n : int
        Number of examples, ``>= 1``.
    batch_size : int
        ``1 <= batch_size <= n``.
    last : {"keep", "drop"}

    Examples
    --------
    >>> epoch_counts(4_000_000, 1000)          # the notes' example
    (4000, 1000)
    >>> epoch_counts(1347, 64), epoch_counts(1347, 64, last="drop")
    ((22, 3), (21, 64))
    """
    batches = Batches(n, batch_size, last=last)
    rest = batches.n % batches.batch_size
    return batches.per_epoch, (rest if rest and last == "keep" else batches.batch_size)


def _per_example(per_example) -> np.ndarray:
    G = np.asarray(per_example, dtype=np.float64)
    if G.ndim != 2 or G.shape[0] < 2:
        raise ValueError(f"per_example must have shape (n, p) with n >= 2 (one gradient per row), got {G.shape}")
    return G


def minibatch_variance(per_example, batch_size: int, *, replace: bool = False) -> float:
    """How far a minibatch gradient strays from the full one, :math:`\\mathbb{E}\\,\\lVert g_\\mathcal B - g \\rVert^2`.

    Here :math:`g_\\mathcal{B}` is the mean gradient of the batch.

    With per-example gradients :math:`g_i` (the rows), their mean :math:`g` and their spread
    :math:`\\sigma_g^2 = \\frac1n \\sum_i \\lVert g_i - g \\rVert^2`, a batch :math:`\\mathcal B` of
    :math:`B` examples has

    .. math::

        \\mathbb{E}\\,\\lVert g_\\mathcal{B} - g \\rVert^2
        = \\frac{\\sigma_g^2}{B} \\quad\\text{(drawn with replacement)}, \\qquad
        \\frac{\\sigma_g^2}{B} \\cdot \\frac{n - B}{n - 1} \\quad\\text{(without, as in an epoch)}.

    Both fall like :math:`1/B`; without replacement the full batch :math:`B = n` has no noise at all.

    Parameters
    ----------
    per_example : array_like, shape (n, d)
        One gradient per row, ``n >= 2``.
    batch_size : int
        ``1 <= batch_size <= n``, the batch size :math:`B`.
    replace : bool, default False

    Examples
    --------
    >>> # mean 0, s^2 = 5
    >>> G = np.array([[1.0], [-1.0], [3.0], [-3.0]])
    >>> v1, v4 = minibatch_variance(G, 1), minibatch_variance(G, 4)
    >>> v1, minibatch_variance(G, 2, replace=True), v4
    (5.0, 2.5, 0.0)
    """
    G = _per_example(per_example)
    n = G.shape[0]
    b = check_int("batch_size", batch_size, minimum=1)
    if not replace and b > n:
        raise ValueError(f"batch_size must be in [1, n] = [1, {n}] without replacement, got {b}")
    spread = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    return spread / b if replace else spread / b * (n - b) / (n - 1)


def sampled_minibatch_variance(per_example, batch_size: int, *, draws: int = 200, seed: int = 0) -> float:
    """The mean of :math:`\\lVert g_B - g \\rVert^2` over ``draws`` minibatches drawn as training draws them.

    The batches are those of :class:`~course_lib.data.Batches` (``last="drop"``, epoch after
    epoch, reshuffled each time), so this estimates :func:`minibatch_variance` without replacement.

    Parameters
    ----------
    per_example : array_like, shape (n, p)
    batch_size : int
        ``1 <= b <= n``.
    draws : int, default 200
        Number of minibatches, ``>= 1``.
    seed : int, default 0
    """
    G = _per_example(per_example)
    draws = check_int("draws", draws, minimum=1)
    mean = G.mean(axis=0)
    batches = iter(Batches(G.shape[0], batch_size, seed=seed, last="drop"))
    total = 0.0
    for _ in range(draws):
        diff = G[next(batches)].mean(axis=0) - mean
        total += float(diff @ diff)
    return total / draws


# ----------------------------------------------------------------- minibatch SGD on a data set

def sgd_epoch(problem, theta: np.ndarray, opt: Optimizer, state, batches: Sequence[np.ndarray]):
    """One pass of minibatch updates: for each index array in ``batches``, step on that batch's gradient.

    ``problem`` provides ``batch_gradient(theta, indices)`` (a
    :class:`~course_lib.softmax.SoftmaxProblem`, say). Returns the new ``(theta, state)``.
    Nothing is checked or recorded: this is the loop whose speed the benchmark measures.
    """
    grad, step = problem.batch_gradient, opt.step
    for indices in batches:
        theta, state = step(theta, grad(theta, indices), state)
    return theta, state


class TrainingRecord(NamedTuple):
    """The training loss of a minibatch SGD run at regular points (see :func:`minibatch_sgd`)."""

    batch_size: int
    lr: object
    examples: np.ndarray
    """Examples processed before each record (0 first)."""
    updates: np.ndarray
    """Updates taken before each record."""
    epochs: np.ndarray
    """``examples / n``."""
    losses: np.ndarray
    """The mean training loss over all ``n`` examples at each record."""
    seconds: np.ndarray
    """Wall time spent in the updates alone before each record (measured; varies between runs)."""
    theta: np.ndarray
    """The final parameters (the last ones with a finite loss, if the run diverged)."""
    diverged: bool = False
    """Whether the run was stopped because the loss stopped being finite."""


def minibatch_sgd(problem, *, batch_size: int, lr: LearningRate, epochs: int, seed: int = 0,
                  records_per_epoch: int = 10, opt: Callable[[LearningRate], Optimizer] = gd) -> TrainingRecord:
    """Train ``problem`` by minibatch SGD from ``problem.x0`` and record the training loss as it goes.

    Batch ``b`` of epoch ``e`` holds the examples of ``Batches(n, batch_size, seed=seed).epoch(e)``
    (reshuffled every epoch, the smaller last batch kept), so runs with the same seed see the
    data in the same order: ``batch_size=1`` is SGD, ``batch_size=n`` is gradient descent.

    Parameters
    ----------
    problem : SoftmaxProblem
        Anything with ``n``, ``x0``, ``loss(theta)`` and ``batch_gradient(theta, indices)``.
    batch_size : int
        ``1 <= b <= n``.
    lr : float or schedule
        Learning rate (the schedule counts updates).
    epochs : int
        Passes over the data, ``>= 1``.
    seed : int, default 0
        The data order.
    records_per_epoch : int, default 10
        The loss is recorded about this many times per epoch (after every
        ``max(1, updates_per_epoch // records_per_epoch)`` updates) and at the end of each epoch.
    opt : callable, default :func:`~course_lib.optimizers.gd`
        Builds the optimizer from ``lr``.

    Returns
    -------
    TrainingRecord
        Everything but ``seconds`` is the same for the same arguments. A run whose loss or
        parameters stop being finite stops there, with ``diverged=True``.

    Examples
    --------
    >>> from course_lib.data import digits
    >>> from course_lib.softmax import softmax_problem
    >>> problem = softmax_problem(digits())
    >>> rec = minibatch_sgd(problem, batch_size=100, lr=0.001, epochs=1)
    >>> falls = bool(rec.losses[0] > rec.losses[-1])
    >>> int(rec.updates[-1]), int(rec.examples[-1]), falls
    (18, 1797, True)
    """
    batches = Batches(problem.n, batch_size, seed=seed)
    epochs = check_int("epochs", epochs, minimum=1)
    every = max(1, batches.per_epoch // check_int("records_per_epoch", records_per_epoch, minimum=1))
    optimizer = opt(lr)
    theta = np.array(problem.x0, dtype=np.float64)
    state = optimizer.init(theta)
    examples, updates, losses, seconds = [0], [0], [problem.loss(theta)], [0.0]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for e in range(epochs):
            epoch = batches.epoch(e)
            for start in range(0, len(epoch), every):
                chunk = epoch[start:start + every]
                tic = time.perf_counter()
                new, state = sgd_epoch(problem, theta, optimizer, state, chunk)
                elapsed = time.perf_counter() - tic
                loss = problem.loss(new)
                if not (math.isfinite(loss) and np.all(np.isfinite(new))):
                    diverged = True                  # stop; the record ends at the last finite loss
                    break
                theta = new
                seconds.append(seconds[-1] + elapsed)
                examples.append(examples[-1] + sum(len(i) for i in chunk))
                updates.append(updates[-1] + len(chunk))
                losses.append(loss)
            if diverged:
                break
    examples = np.array(examples)
    return TrainingRecord(batches.batch_size, lr, examples, np.array(updates), examples / problem.n,
                          np.array(losses), np.array(seconds), theta, diverged)


def compare_batch_sizes(problem, runs: Mapping[str, tuple[int, LearningRate]], *, epochs: int, seed: int = 0,
                        records_per_epoch: int = 10) -> dict[str, TrainingRecord]:
    """:func:`minibatch_sgd` for each ``label: (batch_size, lr)`` of ``runs``: same start, same seed.

    Examples
    --------
    >>> from course_lib.data import digits
    >>> from course_lib.softmax import softmax_problem
    >>> runs = {"GD": (1797, 0.1), "b = 600": (600, 0.1)}
    >>> problem = softmax_problem(digits())
    >>> recs = compare_batch_sizes(problem, runs, epochs=1)
    >>> [int(r.updates[-1]) for r in recs.values()]
    [1, 3]
    """
    return {label: minibatch_sgd(problem, batch_size=b, lr=lr, epochs=epochs, seed=seed,
                                 records_per_epoch=records_per_epoch)
            for label, (b, lr) in runs.items()}


# ----------------------------------------------------------------- cost of a batch

def time_per_example(batch_gradient: Callable[[np.ndarray], object], n: int, batch_sizes: Sequence[int], *,
                     repeat: int = 5, loop: bool = False) -> np.ndarray:
    """Seconds per example of computing a minibatch gradient, for each batch size (measured: varies).

    ``batch_gradient(indices)`` computes the gradient of the examples ``indices``. With
    ``loop=False`` a batch of ``b`` is one call on ``b`` indices (vectorized); with ``loop=True``
    it is ``b`` calls on one index each, the same arithmetic one example at a time. Each time is
    the minimum over ``repeat`` measurements (others' load can only slow a measurement down),
    divided by ``b``.

    Parameters
    ----------
    batch_gradient : callable
    n : int
        Number of examples the indices are drawn from (the first ``b``), ``>= max(batch_sizes)``.
    batch_sizes : sequence of int
        Each in ``[1, n]``.
    repeat : int, default 5
    loop : bool, default False
    """
    n = check_int("n", n, minimum=1)
    repeat = check_int("repeat", repeat, minimum=1)
    out = []
    for b in batch_sizes:
        b = check_int("batch_sizes", b, minimum=1)
        if b > n:
            raise ValueError(f"batch_sizes must be in [1, n] = [1, {n}], got {b}")
        idx = np.arange(b)
        singles = [idx[i:i + 1] for i in range(b)]
        # enough calls per measurement to last about a millisecond
        calls = max(1, int(2000 // b)) if not loop else max(1, int(200 // b))
        best = math.inf
        for _ in range(repeat):
            tic = time.perf_counter()
            for _ in range(calls):
                if loop:
                    for one in singles:
                        batch_gradient(one)
                else:
                    batch_gradient(idx)
            best = min(best, (time.perf_counter() - tic) / calls)
        out.append(best / b)
    return np.array(out)


def peak_memory(func: Callable[[], object]) -> int:
    """The peak of memory allocated (in bytes, by Python and NumPy) while ``func()`` runs.

    Measured with ``tracemalloc``, which NumPy reports its arrays to; the arrays ``func``
    creates and frees again count too (the intermediate results of a forward and backward pass).

    Examples
    --------
    >>> # 1000 float64 numbers
    >>> peak_memory(lambda: np.ones(1000)) >= 8000
    True
    """
    if not callable(func):
        raise ValueError(f"func must be callable, got {func!r}")
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        func()
        return int(tracemalloc.get_traced_memory()[1] - base)
    finally:
        if not was_tracing:
            tracemalloc.stop()
