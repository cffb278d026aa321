"""Real data for the course: handwritten digits, a seeded split, standardization, minibatches.

The digits (1797 images of 8 x 8 pixels, labels 0 to 9) ship inside scikit-learn,
so nothing is downloaded. Everything random takes a seed::

    train, test = train_test_split(digits(), test_fraction=0.25, seed=0)
    # the scaler is fitted on train only
    train, test, scaler = standardize(train, test)
    batches = Batches(len(train), batch_size=32, seed=0)
    # the examples of step t (reshuffled each epoch)
    batches.indices(t)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._validation import check_int, check_real

__all__ = ["Dataset", "digits", "train_test_split", "Standardizer", "standardize", "Batches", "batch_gradients"]


@dataclass(frozen=True)
class Dataset:
    """Examples ``X`` (one per row) with integer labels ``y``."""

    X: np.ndarray
    y: np.ndarray
    n_classes: int
    name: str = ""

    def __post_init__(self):
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"X must have shape (n, d) and y shape (n,), got {self.X.shape} and {self.y.shape}")

    def __len__(self) -> int:
        return self.X.shape[0]

    def subset(self, indices) -> Dataset:
        """The examples at ``indices``, in that order."""
        indices = np.asarray(indices)
        return Dataset(self.X[indices], self.y[indices], self.n_classes, self.name)


def digits() -> Dataset:
    """scikit-learn's handwritten digits: 1797 examples, 64 pixel intensities (0 to 16), 10 classes.

    The file is part of the scikit-learn package: no download at run time.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:       # pragma: no cover - scikit-learn is a dependency
        raise ImportError("the digits data come with scikit-learn: pip install scikit-learn") from err
    bunch = load_digits()
    return Dataset(np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64), 10, "digits")


def train_test_split(data: Dataset, *, test_fraction: float = 0.25, seed=0) -> tuple[Dataset, Dataset]:
    """Shuffle with ``seed`` and split into a training and a test part.

    ``test_fraction`` in (0, 1) of the examples (rounded up) go to the test part; the same
    seed always gives the same split.
    """
    test_fraction = check_real("test_fraction", test_fraction, "(0, 1)")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    order = np.random.default_rng(seed).permutation(len(data))
    n_test = math.ceil(test_fraction * len(data))
    if not 0 < n_test < len(data):
        raise ValueError(f"test_fraction {test_fraction} leaves an empty part of {len(data)} examples")
    return data.subset(np.sort(order[n_test:])), data.subset(np.sort(order[:n_test]))


@dataclass(frozen=True)
class Standardizer:
    """Per-feature shift and scale, ``(X - mean) / scale``, learned from training data."""

    mean: np.ndarray
    scale: np.ndarray

    def __call__(self, X) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale


def standardize(train: Dataset, *others: Dataset) -> tuple:
    """Fit the mean and standard deviation of each feature on ``train`` only, apply them to all.

    Returns the standardized ``train``, each of ``others``, and the :class:`Standardizer`.
    A feature that is constant in the training part (a corner pixel that is always 0) keeps
    scale 1, so it is centred but not divided by zero. The test part is transformed with the
    training statistics, as a model in use would be: it never informs the fit.
    """
    mean = train.X.mean(axis=0)
    std = train.X.std(axis=0)
    scaler = Standardizer(mean, np.where(std > 0, std, 1.0))
    out = [Dataset(scaler(d.X), d.y, d.n_classes, d.name) for d in (train, *others)]
    return (*out, scaler)


class Batches:
    """Which examples each step of minibatch training uses: shuffled afresh every epoch, seeded.

    Parameters
    ----------
    n : int
        Number of training examples.
    batch_size : int
        Examples per step, ``1 <= batch_size <= n``.
    seed : int
        Epoch ``e`` visits the examples in the order ``default_rng([seed, e]).permutation(n)``.
    last : {"keep", "drop"}
        When ``batch_size`` does not divide ``n``: ``"keep"`` ends each epoch with a smaller
        batch of the ``n % batch_size`` examples left over; ``"drop"`` skips them in that
        epoch (they are in other epochs' batches, since each epoch reshuffles).

    Examples
    --------
    >>> b = Batches(10, 4, seed=0)
    >>> b.per_epoch, [len(i) for i in b.epoch(0)]
    (3, [4, 4, 2])
    >>> sorted(np.concatenate(b.epoch(0)).tolist()) == list(range(10))
    True
    """

    def __init__(self, n: int, batch_size: int, *, seed=0, last: str = "keep"):
        self.n = check_int("n", n, minimum=1)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        if self.batch_size > self.n:
            raise ValueError(f"batch_size must be at most n = {self.n}, got {self.batch_size}")
        if last not in ("keep", "drop"):
            raise ValueError(f"last must be 'keep' or 'drop', got {last!r}")
        self.seed = seed
        self.last = last
        full, rest = divmod(self.n, self.batch_size)
        self.per_epoch = full + (1 if rest and last == "keep" else 0)

    def order(self, epoch: int) -> np.ndarray:
        """The shuffled order of the examples in ``epoch``."""
        epoch = check_int("epoch", epoch, minimum=0)
        return np.random.default_rng([self.seed, epoch]).permutation(self.n)

    def epoch(self, epoch: int) -> list[np.ndarray]:
        """The batches of one epoch, as arrays of example indices."""
        order = self.order(epoch)
        return [order[k * self.batch_size:(k + 1) * self.batch_size] for k in range(self.per_epoch)]

    def indices(self, t: int) -> np.ndarray:
        """The examples of step ``t`` (steps count on across epochs: epoch ``t // per_epoch``)."""
        t = check_int("t", t, minimum=0)
        epoch, k = divmod(t, self.per_epoch)
        order = self.order(epoch)
        return order[k * self.batch_size:(k + 1) * self.batch_size]

    def __iter__(self) -> Iterator[np.ndarray]:
        """Batches for ever, epoch after epoch."""
        epoch = 0
        while True:
            yield from self.epoch(epoch)
            epoch += 1

    def __repr__(self) -> str:
        return f"Batches(n={self.n}, batch_size={self.batch_size}, seed={self.seed!r}, last={self.last!r})"


def batch_gradients(problem, batches: Batches | None = None):
    """``gradient(x, t, rng)`` for :func:`~course_lib.runner.run`: the minibatch ``batches.indices(t)``
    at step ``t``, or the full batch when ``batches`` is None.

    ``problem`` is any training problem of the course (softmax regression, the MLP): it has
    ``objective``, ``n`` (the number of training examples) and ``batch_gradient(theta, indices)``.
    """
    if batches is None:
        return lambda x, t, rng: problem.objective.grad(x)
    if batches.n != problem.n:
        raise ValueError(f"batches must be over the {problem.n} training examples, got n = {batches.n}")
    return lambda x, t, rng: problem.batch_gradient(x, batches.indices(t))
