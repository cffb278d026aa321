r"""Train the digits MLP with every optimizer of the course, tune each one's rate fairly, keep the results.

Chapter 10's computations. One network, one data split, one budget, and for every optimizer its own
learning rate, chosen the same way for all:

* :func:`digits_splits` — the handwritten digits split once into a **training**, a **validation**
  and a **test** part, standardized with the training part's statistics;
* :class:`Setup` — everything the runs share: the layer widths, the initialization, batch norm or not,
  the number of epochs and the batch size (so every run takes the same number of updates);
* :data:`METHODS` and :func:`make_optimizer` — the optimizers of :mod:`course_lib.optimizers` (and
  one with a cosine schedule of :mod:`course_lib.schedules`) by name;
* :func:`train` — one run: the network initialized with ``seed``, the data visited in the order of
  ``seed``, and per epoch the training loss, the validation loss and accuracy, the test accuracy and
  the wall time (a :class:`Run`);
* :func:`sweep` and :func:`select` — every method at every rate of a log-spaced grid
  (:func:`~course_lib.comparison.rate_grid`) and several seeds, and the rate each method keeps: the one
  with the best mean **validation** accuracy. The test part never takes part in a choice;
* :func:`results_table` and :func:`format_table` — the mean and spread over seeds at the chosen rates;
* :func:`save_sweep` and :func:`load_sweep` — the sweep as JSON, written by ``tools/sweep_chapter10.py``
  and read by the chapter's page.

Every number a run records is a deterministic function of its arguments except the wall time
(``Run.seconds``), which is measured, so it is never saved: re-running a saved run gives the saved
numbers (:func:`train` uses one BLAS thread, so the order of floating-point sums is fixed).

Examples
--------
>>> splits = digits_splits()
>>> len(splits.train), len(splits.valid), len(splits.test)
(1077, 270, 450)
>>> run = train(splits, "adam", 0.003, seed=0, setup=Setup(epochs=2))
>>> run.epochs_done, bool(run.train_loss[-1] < run.train_loss[0])
(2, True)
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_positive
from .data import Batches, Dataset, digits, standardize, train_test_split
from .nn import mlp_forward, mlp_init, mlp_problem, one_blas_thread, softmax_cross_entropy
from .optimizers import Optimizer, adadelta, adagrad, adam, adamw, gd, momentum, nesterov, rmsprop, yogi
from .schedules import cosine
from .stochastic import sgd_epoch

__all__ = ["Splits", "digits_splits", "Setup", "Method", "METHODS", "method", "make_optimizer", "Run", "train",
           "sweep", "Selection", "select", "best", "mean_at", "Row", "results_table", "format_table", "SweepResult",
           "save_sweep", "load_sweep", "committed_sweep", "updates_per_run", "parameter_count", "RESULTS_PATH",
           "FAMILIES", "mean_curve", "plot_sweep", "plot_curves"]

#: Where ``tools/sweep_chapter10.py`` writes the committed sweep (relative to the repository).
RESULTS_PATH = Path("course_lib") / "results" / "chapter10_sweep.json"   # package data: shipped with course_lib


# ======================================================================= the data

class Splits(NamedTuple):
    """The three parts of the data: fit on ``train``, choose on ``valid``, report on ``test``."""

    train: Dataset
    valid: Dataset
    test: Dataset


def digits_splits(*, test_fraction: float = 0.25, valid_fraction: float = 0.2, seed: int = 0) -> Splits:
    """The digits split into training, validation and test parts, standardized by the training part.

    First ``test_fraction`` of the 1797 digits go to the test part (the split of the SGD chapter with
    ``seed=0``); then ``valid_fraction`` of the rest is carved off as the validation part. Every pixel
    is centred and scaled with the mean and standard deviation of the training part alone
    (:func:`~course_lib.data.standardize`), so neither held-out part informs anything fitted.

    Parameters
    ----------
    test_fraction : float, default 0.25
        In (0, 1).
    valid_fraction : float, default 0.2
        In (0, 1): the share of the non-test examples used for validation.
    seed : int, default 0
        The test split uses ``seed``, the validation split ``seed + 1``.

    Examples
    --------
    >>> s = digits_splits()
    >>> len(s.train) + len(s.valid) + len(s.test)
    1797
    >>> # centred by its own statistics
    >>> bool(abs(s.train.X.mean()) < 1e-12)
    True
    """
    seed = check_int("seed", seed, minimum=0)
    rest, test = train_test_split(digits(), test_fraction=test_fraction, seed=seed)
    train, valid = train_test_split(rest, test_fraction=valid_fraction, seed=seed + 1)
    train, valid, test, _ = standardize(train, valid, test)
    return Splits(train, valid, test)


# ======================================================================= the shared setup

@dataclass(frozen=True)
class Setup:
    """What every run of a comparison shares: the network, its initialization and the budget.

    Parameters
    ----------
    sizes : tuple of int, default (64, 128, 64, 10)
        Layer widths, input first (64 pixels) and classes last (10).
    init : str, default "kaiming"
        The weights' law (:func:`~course_lib.nn.mlp_init`); biases start at 0.
    batchnorm : bool, default True
        Batch norm after each hidden linear layer (training: the minibatch's statistics; accuracy:
        the statistics of the whole training part, :meth:`~course_lib.nn.MLPProblem.population_state`).
    epochs : int, default 20
        Passes over the training part, ``>= 1``.
    batch_size : int, default 32
        ``>= 1``; the last, smaller batch of an epoch is kept.
    """

    sizes: tuple[int, ...] = (64, 128, 64, 10)
    init: str = "kaiming"
    batchnorm: bool = True
    epochs: int = 20
    batch_size: int = 32

    def __post_init__(self):
        sizes = tuple(check_int("sizes", s, minimum=1) for s in self.sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must have at least two entries (input and classes), got {self.sizes!r}")
        object.__setattr__(self, "sizes", sizes)
        check_int("epochs", self.epochs, minimum=1)
        check_int("batch_size", self.batch_size, minimum=1)


def updates_per_run(n: int, setup: Setup = Setup()) -> int:
    """The number of parameter updates of one run: ``epochs`` times the batches per epoch, ``ceil(n / b)``.

    Examples
    --------
    >>> # 20 * 34
    >>> updates_per_run(1077, Setup(epochs=20, batch_size=32))
    680
    """
    n = check_int("n", n, minimum=1)
    return setup.epochs * Batches(n, setup.batch_size).per_epoch


def parameter_count(setup: Setup = Setup()) -> int:
    """The number of trained numbers of the network of ``setup``: weights, biases and batch norm's.

    Layer ``i`` has ``n_i * n_{i+1}`` weights and ``n_{i+1}`` biases; with batch norm each hidden
    layer adds a :math:`\\gamma` and a :math:`\\beta` per unit.

    Examples
    --------
    >>> # 8320 + 8256 + 650
    >>> parameter_count(Setup(sizes=(64, 128, 64, 10), batchnorm=False))
    17226
    >>> # + 2 * (128 + 64)
    >>> parameter_count(Setup(sizes=(64, 128, 64, 10), batchnorm=True))
    17610
    """
    params = mlp_init(list(setup.sizes), init=setup.init, seed=0, batchnorm=setup.batchnorm)
    return int(sum(np.size(v) for v in params.values()))


# ======================================================================= the methods

class Method(NamedTuple):
    """An optimizer of the course by name, with a learning-rate schedule or none."""

    name: str
    """How tables and files name it, e.g. ``"momentum + cosine"``."""
    optimizer: Callable[..., Optimizer]
    """The :mod:`course_lib.optimizers` function; its other hyperparameters keep their defaults."""
    schedule: str | None = None
    """None (a constant rate) or ``"cosine"``: :func:`~course_lib.schedules.cosine` from the rate to 0
    over the run's updates."""


#: The methods of chapter 10: every first-order optimizer of the course at its default
#: hyperparameters, and momentum with a cosine schedule. ``momentum_ema`` is ``momentum`` with the
#: rate scaled by ``1 - beta`` (the same iterates), and Newton's method needs the Hessian, so neither
#: is listed.
METHODS: tuple[Method, ...] = (
    Method("gd", gd), Method("momentum", momentum), Method("nesterov", nesterov),
    Method("momentum + cosine", momentum, "cosine"),
    Method("adagrad", adagrad), Method("rmsprop", rmsprop), Method("adadelta", adadelta),
    Method("adam", adam), Method("adamw", adamw), Method("yogi", yogi),
)


#: The methods in three families, one panel each in the chapter's figures.
FAMILIES: dict[str, tuple[str, ...]] = {
    "SGD and momentum": ("gd", "momentum", "nesterov", "momentum + cosine"),
    "AdaGrad, RMSProp, AdaDelta": ("adagrad", "rmsprop", "adadelta"),
    "Adam, AdamW, Yogi": ("adam", "adamw", "yogi"),
}


def method(name: str | Method) -> Method:
    """The method of :data:`METHODS` called ``name`` (a :class:`Method` is returned as it is).

    Examples
    --------
    >>> method("momentum + cosine").schedule
    'cosine'
    """
    if isinstance(name, Method):
        return name
    for m in METHODS:
        if m.name == name:
            return m
    raise ValueError(f"name must be one of {[m.name for m in METHODS]}, got {name!r}")


def make_optimizer(name: str | Method, lr: float, total_steps: int) -> Optimizer:
    """The optimizer of method ``name`` at the rate ``lr`` for a run of ``total_steps`` updates.

    With a cosine schedule the rate starts at ``lr`` and falls to 0 at the last update.

    Examples
    --------
    >>> opt = make_optimizer("adam", 0.01, 100)
    >>> opt.name, opt.hyperparams["lr"], opt.hyperparams["beta2"]
    ('adam', 0.01, 0.999)
    >>> opt = make_optimizer("momentum + cosine", 0.1, 100)
    >>> opt.hyperparams["lr"](0), opt.hyperparams["lr"](50)
    (0.1, 0.05)
    """
    m = method(name)
    lr = check_positive("lr", lr)
    total_steps = check_int("total_steps", total_steps, minimum=1)
    rate = cosine(lr, total_steps) if m.schedule == "cosine" else lr
    return m.optimizer(lr=rate)


# ======================================================================= one run

class Run(NamedTuple):
    """One training run (see :func:`train`); the arrays have one entry per epoch, epoch 0 first."""

    method: str
    lr: float
    seed: int
    train_loss: np.ndarray
    """Mean cross-entropy over the training part after each epoch (batch norm: training mode)."""
    valid_loss: np.ndarray
    """Mean cross-entropy over the validation part, in inference mode."""
    valid_accuracy: np.ndarray
    test_accuracy: np.ndarray
    seconds: np.ndarray
    """Wall time of the updates alone, summed up to each epoch. Measured: it varies from run to run."""
    diverged: bool = False
    """Whether the run stopped early because the loss or the parameters stopped being finite."""

    @property
    def epochs_done(self) -> int:
        """Completed epochs (fewer than the budget when the run diverged)."""
        return len(self.train_loss) - 1

    def final(self) -> dict[str, object]:
        """The deterministic summary of the run (no wall time), as saved by :func:`save_sweep`."""
        last = lambda a: float(a[-1])          # noqa: E731
        return {"method": self.method, "lr": float(self.lr), "seed": int(self.seed), "diverged": bool(self.diverged),
                "epochs": self.epochs_done, "train_loss": last(self.train_loss),
                "valid_loss": last(self.valid_loss), "valid_accuracy": last(self.valid_accuracy),
                "test_accuracy": last(self.test_accuracy)}



def _cross_entropy(problem, theta, data: Dataset, state) -> float:
    params = problem.unravel(theta)
    logits = mlp_forward(params, data.X, activation=problem.activation, training=False, state=state,
                         eps=problem.eps)
    return softmax_cross_entropy(logits, data.y)[0]


def train(splits: Splits, name: str | Method, lr: float, *, seed: int = 0, setup: Setup = Setup()) -> Run:
    """Train the MLP of ``setup`` on ``splits.train`` with method ``name`` at rate ``lr``; record each epoch.

    The weights are drawn with ``mlp_init(setup.sizes, init=setup.init, seed=seed)`` and the
    minibatches come from ``Batches(n, setup.batch_size, seed=seed)``: two methods with the same
    ``seed`` start from the same weights and see the same batches in the same order. After every
    epoch (and before the first) the run records the training loss, the validation loss and
    accuracy, and the test accuracy; the wall time counts the updates only. A run whose loss or
    weights stop being finite stops there (``diverged=True``).

    Parameters
    ----------
    splits : Splits
        From :func:`digits_splits`.
    name : str or Method
        One of :data:`METHODS`.
    lr : float
        The learning rate (the peak rate with a schedule), ``> 0``.
    seed : int, default 0
        ``>= 0``: the initial weights and the order of the data.
    setup : Setup

    Returns
    -------
    Run
        Everything but ``seconds`` is the same for the same arguments.

    Examples
    --------
    >>> splits = digits_splits()
    >>> a = train(splits, "gd", 0.1, seed=3, setup=Setup(epochs=1))
    >>> b = train(splits, "gd", 0.1, seed=3, setup=Setup(epochs=1))
    >>> a.final() == b.final()
    True
    """
    if not isinstance(splits, Splits):
        raise ValueError(f"splits must be the Splits of digits_splits(), got {type(splits).__name__}")
    if not isinstance(setup, Setup):
        raise ValueError(f"setup must be a Setup, got {type(setup).__name__}")
    m = method(name)
    lr = check_positive("lr", lr)
    seed = check_int("seed", seed, minimum=0)
    data = splits.train
    problem = mlp_problem(data, mlp_init(list(setup.sizes), init=setup.init, seed=seed,
                                         batchnorm=setup.batchnorm))
    batches = Batches(problem.n, setup.batch_size, seed=seed)
    opt = make_optimizer(m, lr, setup.epochs * batches.per_epoch)
    theta = np.array(problem.x0, dtype=np.float64)
    state = opt.init(theta)
    rec = {k: [] for k in ("train_loss", "valid_loss", "valid_accuracy", "test_accuracy", "seconds")}
    elapsed = 0.0

    def record(theta, loss):
        stats = problem.population_state(theta) if setup.batchnorm else None
        rec["train_loss"].append(loss)
        rec["valid_loss"].append(_cross_entropy(problem, theta, splits.valid, stats))
        rec["valid_accuracy"].append(problem.accuracy(theta, splits.valid, state=stats))
        rec["test_accuracy"].append(problem.accuracy(theta, splits.test, state=stats))
        rec["seconds"].append(elapsed)

    diverged = False
    with one_blas_thread(), np.errstate(all="ignore"):
        record(theta, problem.loss(theta))
        for e in range(setup.epochs):
            tic = time.perf_counter()
            new, state = sgd_epoch(problem, theta, opt, state, batches.epoch(e))
            elapsed += time.perf_counter() - tic
            loss = problem.loss(new) if np.all(np.isfinite(new)) else math.nan
            if not math.isfinite(loss):
                diverged = True
                break
            theta = new
            record(theta, loss)
    arrays = {k: np.array(v, dtype=np.float64) for k, v in rec.items()}
    return Run(m.name, lr, seed, diverged=diverged, **arrays)


# ======================================================================= the sweep

def sweep(splits: Splits, rates: Sequence[float], seeds: Sequence[int], *,
          methods: Sequence[str | Method] | None = None, setup: Setup = Setup(),
          progress: Callable[[Run], None] | None = None) -> list[Run]:
    """:func:`train` for every method, rate and seed: the raw material of :func:`select`.

    Parameters
    ----------
    splits : Splits
    rates : sequence of float
        The learning rates, each ``> 0`` (the same grid for every method, e.g.
        :func:`~course_lib.comparison.rate_grid`).
    seeds : sequence of int
        At least one seed; each rate of each method is run with every seed.
    methods : sequence of str or Method, optional
        Default: all of :data:`METHODS`.
    setup : Setup
    progress : callable, optional
        Called with each finished :class:`Run` (to print progress).

    Returns
    -------
    list of Run
        Ordered by method, then rate, then seed.

    Examples
    --------
    >>> runs = sweep(digits_splits(), [0.01, 0.1], [0], methods=["gd"],
    ...              setup=Setup(epochs=1))
    >>> [(r.method, r.lr, r.seed) for r in runs]
    [('gd', 0.01, 0), ('gd', 0.1, 0)]
    """
    rates = [check_positive("rates", r) for r in rates]
    seeds = [check_int("seeds", s, minimum=0) for s in seeds]
    if not rates or not seeds:
        raise ValueError("rates and seeds must each hold at least one value")
    ms = [method(m) for m in (METHODS if methods is None else methods)]
    runs = []
    for m in ms:
        for lr in rates:
            for s in seeds:
                r = train(splits, m, lr, seed=s, setup=setup)
                runs.append(r)
                if progress is not None:
                    progress(r)
    return runs


def _finals(runs) -> list[dict]:
    out = []
    for r in runs:
        out.append(r.final() if isinstance(r, Run) else dict(r))
    return out


class Selection(NamedTuple):
    """The rate :func:`select` keeps for one method, and how it did on the validation part."""

    method: str
    lr: float
    valid_accuracy: float
    """Mean final validation accuracy over the seeds at ``lr``."""
    valid_loss: float
    """Mean final validation loss over the seeds at ``lr``."""
    stable: int
    """How many rates of the grid trained without diverging for every seed."""
    on_edge: bool
    """Whether ``lr`` is the smallest or largest rate tried: the grid, not the method, may have set it."""


def select(runs: Iterable) -> dict[str, Selection]:
    """For each method, the rate with the best mean **validation** accuracy over the seeds.

    A rate at which any seed diverged is out. Ties in mean validation accuracy (common: the
    validation part has 270 examples, so accuracies move in steps of 1/270) go to the lower mean
    validation loss, then to the smaller rate. The test accuracy is never looked at.

    Parameters
    ----------
    runs : iterable of Run or of dicts
        From :func:`sweep`, or the ``runs`` of :func:`load_sweep` (``Run.final()`` dicts).

    Returns
    -------
    dict
        ``method -> Selection``, in the order the methods first appear. A method for which every rate
        diverged is left out.

    Examples
    --------
    >>> finals = [(0.1, 0.9, 0.3), (1.0, 0.95, 0.2), (10.0, 0.95, 0.1)]
    >>> runs = [dict(method="gd", lr=lr, seed=0, diverged=False,
    ...              valid_accuracy=a, valid_loss=l)
    ...         for lr, a, l in finals]
    >>> # a tie at 0.95: the lower validation loss wins
    >>> select(runs)["gd"].lr
    10.0
    """
    groups: dict[str, dict[float, list[dict]]] = {}
    for r in _finals(runs):
        groups.setdefault(r["method"], {}).setdefault(float(r["lr"]), []).append(r)
    out = {}
    for name, by_rate in groups.items():
        rates = sorted(by_rate)
        stable = [lr for lr in rates if not any(r["diverged"] for r in by_rate[lr])]
        if not stable:
            continue
        score = {lr: (-float(np.mean([r["valid_accuracy"] for r in by_rate[lr]])),
                      float(np.mean([r["valid_loss"] for r in by_rate[lr]])), lr) for lr in stable}
        best = min(stable, key=score.get)
        out[name] = Selection(name, best, -score[best][0], score[best][1], len(stable),
                           best in (rates[0], rates[-1]))
    return out


def mean_at(runs: Iterable, name: str, lr: float, field: str = "valid_accuracy") -> float:
    """The mean over the seeds of the final ``field`` of method ``name`` at the rate ``lr`` (NaN if a seed diverged).

    Examples
    --------
    >>> runs = [dict(method="gd", lr=0.1, seed=s, diverged=False,
    ...              valid_accuracy=a) for s, a in [(0, 0.9), (1, 0.8)]]
    >>> round(mean_at(runs, "gd", 0.1), 6)
    0.85
    """
    rs = [r for r in _finals(runs) if r["method"] == name and float(r["lr"]) == float(lr)]
    if not rs:
        raise ValueError(f"runs must include method {name!r} at lr {lr!r}")
    if any(r["diverged"] for r in rs):
        return math.nan
    return float(np.mean([r[field] for r in rs]))


def best(choices: Mapping[str, Selection]) -> Selection:
    """The method whose chosen rate did best on the **validation** part: highest mean accuracy, then lowest mean loss.

    Examples
    --------
    >>> a = Selection("a", 0.1, 0.98, 0.20, 5, False)
    >>> b = Selection("b", 0.1, 0.98, 0.10, 5, False)
    >>> best({"a": a, "b": b}).method
    'b'
    """
    if not choices:
        raise ValueError("choices must hold at least one Selection (from select)")
    return min(choices.values(), key=lambda c: (-c.valid_accuracy, c.valid_loss, c.method))


class Row(NamedTuple):
    """One line of :func:`results_table`: a method at its chosen rate, over the seeds."""

    method: str
    lr: float
    seeds: int
    test_mean: float
    test_spread: float
    """Sample standard deviation of the final test accuracy over the seeds (0 for one seed)."""
    valid_mean: float
    train_loss_mean: float
    train_loss_spread: float


def _spread(values) -> float:
    values = np.asarray(values, dtype=np.float64)
    return float(values.std(ddof=1)) if values.size > 1 else 0.0


def results_table(runs: Iterable, choices: Mapping[str, Selection]) -> list[Row]:
    """Mean and spread over the seeds of the runs at each method's chosen rate, best mean test accuracy first.

    Only runs at the chosen rates enter (from :func:`sweep` or re-run with :func:`train`); ties in
    test accuracy keep the order of :data:`METHODS`.

    Examples
    --------
    >>> runs = [dict(method="gd", lr=0.1, seed=s, diverged=False,
    ...              valid_accuracy=0.9, valid_loss=0.2, test_accuracy=a,
    ...              train_loss=0.01) for s, a in [(0, 0.96), (1, 0.98)]]
    >>> row = results_table(runs, select(runs))[0]
    >>> row.seeds, round(row.test_mean, 4), round(row.test_spread, 4)
    (2, 0.97, 0.0141)
    """
    rows = []
    finals = _finals(runs)
    for name, c in choices.items():
        rs = [r for r in finals if r["method"] == name and float(r["lr"]) == c.lr]
        if not rs:
            raise ValueError(f"runs must include the chosen rate {c.lr!r} of {name!r}")
        test = [r["test_accuracy"] for r in rs]
        loss = [r["train_loss"] for r in rs]
        rows.append(Row(name, c.lr, len(rs), float(np.mean(test)), _spread(test),
                        float(np.mean([r["valid_accuracy"] for r in rs])), float(np.mean(loss)), _spread(loss)))
    order = {m.name: i for i, m in enumerate(METHODS)}
    return sorted(rows, key=lambda r: (-r.test_mean, order.get(r.method, len(order))))


def format_table(rows: Sequence[Row]) -> str:
    """The rows of :func:`results_table` as plain text, one method per line (``±`` one standard deviation).

    Examples
    --------
    >>> row = Row("adam", 0.001, 3, 0.97, 0.002, 0.96, 0.01, 0.001)
    >>> print(format_table([row]))
    method                 rate   test accuracy     valid   training loss
    adam                  0.001   0.9700 ± 0.0020  0.9600  0.0100 ± 0.0010
    """
    lines = [f"{'method':18s} {'rate':>8s}   {'test accuracy':15s}  {'valid':>6s}   training loss"]
    for r in rows:
        lines.append(f"{r.method:18s} {r.lr:8.3g}   {r.test_mean:.4f} ± {r.test_spread:.4f}  {r.valid_mean:.4f}  "
                     f"{r.train_loss_mean:.4f} ± {r.train_loss_spread:.4f}")
    return "\n".join(lines)


# ======================================================================= saving and loading

@dataclass(frozen=True)
class SweepResult:
    """A saved sweep: its setup, grid and seeds, and the summary of every run (``Run.final()`` dicts)."""

    setup: Setup
    rates: tuple[float, ...]
    seeds: tuple[int, ...]
    split_seed: int
    runs: tuple[dict, ...] = field(repr=False)

    def find(self, method: str, lr: float, seed: int) -> dict:
        """The saved summary of one run."""
        for r in self.runs:
            if r["method"] == method and r["lr"] == lr and r["seed"] == seed:
                return r
        raise ValueError(f"no saved run of method {method!r} at lr {lr!r} with seed {seed!r}")


def save_sweep(path, runs: Iterable, *, setup: Setup, rates: Sequence[float], seeds: Sequence[int],
               split_seed: int = 0) -> None:
    """Write the summaries of ``runs`` (no wall times) and what produced them to the JSON file ``path``.

    Floats are written with ``repr``, so :func:`load_sweep` gives back the same numbers exactly,
    and the same runs always give the same file.
    """
    doc = {"setup": {**asdict(setup), "sizes": list(setup.sizes)}, "rates": [float(r) for r in rates],
           "seeds": [int(s) for s in seeds], "split_seed": int(split_seed), "runs": _finals(runs)}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def load_sweep(path) -> SweepResult:
    """Read a sweep written by :func:`save_sweep`.

    Examples
    --------
    >>> import tempfile, os
    >>> setup = Setup(epochs=1)
    >>> runs = sweep(digits_splits(), [0.1], [0], methods=["gd"],
    ...              setup=setup)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "s.json")
    ...     save_sweep(path, runs, setup=setup, rates=[0.1], seeds=[0])
    ...     back = load_sweep(path)
    >>> back.runs[0] == runs[0].final(), back.setup == Setup(epochs=1)
    (True, True)
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be a sweep file written by save_sweep (tools/sweep_chapter10.py), "
                         f"got {str(path)!r}, which does not exist")
    doc = json.loads(path.read_text(encoding="utf-8"))
    s = doc["setup"]
    setup = Setup(sizes=tuple(s["sizes"]), init=s["init"], batchnorm=s["batchnorm"], epochs=s["epochs"],
                  batch_size=s["batch_size"])
    return SweepResult(setup, tuple(doc["rates"]), tuple(doc["seeds"]), int(doc["split_seed"]),
                       tuple(doc["runs"]))


def committed_sweep() -> SweepResult:
    """The sweep committed with the course, :data:`RESULTS_PATH` in the repository (``tools/sweep_chapter10.py``).

    The file is package data, so an installed ``course_lib`` (Colab, Binder) has it too.
    """
    return load_sweep(Path(__file__).resolve().parent.parent / RESULTS_PATH)


# ======================================================================= figures

def mean_curve(runs: Sequence[Run], field: str, *, x: str = "epochs") -> tuple[np.ndarray, np.ndarray]:
    """The mean over ``runs`` (several seeds) of the per-epoch record ``field``, against ``x``.

    ``x`` is ``"epochs"`` (0, 1, 2, ...) or ``"seconds"`` (the mean wall time of the updates up to each
    epoch). The runs must have completed the same number of epochs.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.zeros(2)
    >>> r = [Run("gd", 0.1, s, np.array([2.0, 1.0]), z, z, z,
    ...          np.array([0.0, 0.5 + s])) for s in (0, 1)]
    >>> [v.tolist() for v in mean_curve(r, "train_loss", x="seconds")]
    [[0.0, 1.0], [2.0, 1.0]]
    """
    if not runs:
        raise ValueError("runs must hold at least one Run")
    if x not in ("epochs", "seconds"):
        raise ValueError(f"x must be 'epochs' or 'seconds', got {x!r}")
    if field not in ("train_loss", "valid_loss", "valid_accuracy", "test_accuracy"):
        raise ValueError(f"field must be a per-epoch record of Run, got {field!r}")
    lengths = {len(r.train_loss) for r in runs}
    if len(lengths) != 1:
        raise ValueError(f"runs must have completed the same number of epochs, got {sorted(lengths)}")
    y = np.mean([getattr(r, field) for r in runs], axis=0)
    xs = np.arange(len(y), dtype=np.float64) if x == "epochs" else np.mean([r.seconds for r in runs], axis=0)
    return xs, y


def _family_axes(rows: int, *, height: float):
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from .scene import STYLE
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(7.4, height), layout="constrained")
        axes = fig.subplots(rows, len(FAMILIES), squeeze=False, sharex="row" if rows == 1 else "all",
                            sharey="row")
    return fig, axes


def plot_sweep(runs: Iterable, choices: Mapping[str, Selection]):
    """Mean validation accuracy against the learning rate, one panel per family of :data:`FAMILIES`.

    A rate at which some seed diverged is left out; a star marks each method's chosen rate.
    ``runs`` are :func:`sweep`'s runs or the saved summaries of :func:`load_sweep`.
    """
    from .scene import series_style
    finals = _finals(runs)
    fig, axes = _family_axes(1, height=3.6)
    for ax, (title, names) in zip(axes[0], FAMILIES.items()):
        for i, name in enumerate(names):
            by_rate: dict[float, list[dict]] = {}
            for r in finals:
                if r["method"] == name:
                    by_rate.setdefault(float(r["lr"]), []).append(r)
            rates = [lr for lr in sorted(by_rate) if not any(r["diverged"] for r in by_rate[lr])]
            acc = [np.mean([r["valid_accuracy"] for r in by_rate[lr]]) for lr in rates]
            style = series_style(i, markers=True)
            ax.plot(rates, acc, label=name, **style.line_kwargs())
            if name in choices:
                c = choices[name]
                ax.plot([c.lr], [c.valid_accuracy], marker="*", ms=13, color=style.color, mec="black", mew=0.6,
                        linestyle="none")
        ax.set(xscale="log", xlabel="learning rate η", ylim=(0.0, 1.02))
        ax.set_title(title, fontsize=10)          # three family names side by side must not touch
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=9, frameon=False)
    axes[0, 0].set_ylabel("validation accuracy")
    return fig


def plot_curves(runs: Mapping[str, Sequence[Run]], *, x: str = "epochs"):
    """Training loss (log scale) and test accuracy against ``x``, averaged over seeds, one column per family.

    ``runs`` maps each method's name to its runs (one per seed); ``x`` is ``"epochs"`` or
    ``"seconds"`` (wall time: measured, so the figure changes a little from build to build).
    """
    from .scene import series_style
    fig, axes = _family_axes(2, height=6.0)
    for col, (title, names) in enumerate(FAMILIES.items()):
        for i, name in enumerate(n for n in names if n in runs):
            style = series_style(i).line_kwargs()
            axes[0, col].plot(*mean_curve(runs[name], "train_loss", x=x), label=name, **style)
            axes[1, col].plot(*mean_curve(runs[name], "test_accuracy", x=x), label=name, **style)
        axes[0, col].set(yscale="log")
        axes[0, col].set_title(title, fontsize=10)
        axes[1, col].set(ylim=(0.9, 1.0), xlabel="epoch" if x == "epochs" else "wall time (s)")
        # Below the panels: inside, a legend would hide the steep rise of the first epochs.
        axes[1, col].legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=2, fontsize=9, frameon=False)
    axes[0, 0].set_ylabel("training loss")
    axes[1, 0].set_ylabel("test accuracy")
    return fig
