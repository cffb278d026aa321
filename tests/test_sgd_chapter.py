"""The SGD chapter's library: softmax regression, noisy gradients, minibatch variance, training records."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import gd, quadratic, run
from course_lib.data import Batches, Dataset, digits, standardize, train_test_split
from course_lib.exercises import EXERCISES, check
from course_lib.softmax import (
    softmax_accuracy,
    softmax_gradient,
    softmax_init,
    softmax_loss,
    softmax_per_example_gradients,
    softmax_probabilities,
    softmax_problem,
    unpack,
)
from course_lib.stochastic import (
    compare_batch_sizes,
    epoch_counts,
    minibatch_sgd,
    minibatch_variance,
    noise_floor,
    noisy_gradient,
    peak_memory,
    sampled_minibatch_variance,
    sgd_ensemble,
    sgd_epoch,
)


@pytest.fixture(scope="module")
def train():
    tr, _ = train_test_split(digits(), test_fraction=0.25, seed=0)
    return standardize(tr)[0]


@pytest.fixture(scope="module")
def problem(train):
    return softmax_problem(train, l2=0.01)            # the chapter's problem


def _random_theta(d, k, seed=0):
    return np.random.default_rng(seed).standard_normal((d + 1) * k) * 0.3


# ------------------------------------------------------------ softmax regression

def test_loss_at_zero_is_log_k_and_probabilities_sum_to_one(train):
    theta = softmax_init(64, 10)
    assert softmax_loss(theta, train.X, train.y) == pytest.approx(math.log(10), rel=1e-14)
    P = softmax_probabilities(_random_theta(64, 10), train.X[:50])
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    assert (P > 0).all()


def test_loss_by_hand_on_one_example():
    # d = 1, k = 2, W = [[1, -1]], b = [0, 0], x = 2, y = 1: z = (2, -2), loss = log(1 + e^4)
    theta = np.array([1.0, -1.0, 0.0, 0.0])
    assert softmax_loss(theta, [[2.0]], [1]) == pytest.approx(math.log1p(math.exp(4.0)), rel=1e-14)
    # p = (s, 1 - s) with s = sigmoid(4); dz = p - e_1 = (s, -s); dW = x dz, db = dz
    s = 1.0 / (1.0 + math.exp(-4.0))
    np.testing.assert_allclose(softmax_gradient(theta, [[2.0]], [1]), [2 * s, -2 * s, s, -s], rtol=1e-14)


@pytest.mark.parametrize("l2", [0.0, 0.01, 0.7])
def test_gradient_against_torch_autograd_in_float64(train, l2):
    torch = pytest.importorskip("torch")
    theta = _random_theta(64, 10, seed=3)
    X, y = train.X[:200], train.y[:200]
    W, b = unpack(theta, 64)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    loss = (torch.nn.functional.cross_entropy(torch.from_numpy(X) @ Wt + bt, torch.from_numpy(y))
            + 0.5 * l2 * (Wt ** 2).sum())
    loss.backward()
    assert softmax_loss(theta, X, y, l2=l2) == pytest.approx(loss.item(), rel=1e-13)
    expected = np.concatenate((Wt.grad.numpy().ravel(), bt.grad.numpy()))
    np.testing.assert_allclose(softmax_gradient(theta, X, y, l2=l2), expected, rtol=1e-11, atol=1e-14)


def test_per_example_gradients_against_torch_and_their_mean(train):
    torch = pytest.importorskip("torch")
    theta = _random_theta(64, 10, seed=4)
    X, y = train.X[:7], train.y[:7]
    G = softmax_per_example_gradients(theta, X, y, l2=0.05)
    W, b = unpack(theta, 64)
    for i in range(7):
        Wt = torch.tensor(W, requires_grad=True)
        bt = torch.tensor(b, requires_grad=True)
        z = torch.from_numpy(X[i]) @ Wt + bt
        (-torch.log_softmax(z, 0)[int(y[i])] + 0.025 * (Wt ** 2).sum()).backward()
        np.testing.assert_allclose(G[i], np.concatenate((Wt.grad.numpy().ravel(), bt.grad.numpy())),
                                   rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(G.mean(axis=0), softmax_gradient(theta, X, y, l2=0.05), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradient_against_central_differences(l2):
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    theta = rng.standard_normal(15)
    h = 1e-6
    fd = np.array([(softmax_loss(theta + h * e, X, y, l2=l2) - softmax_loss(theta - h * e, X, y, l2=l2)) / (2 * h)
                   for e in np.eye(15)])
    np.testing.assert_allclose(softmax_gradient(theta, X, y, l2=l2), fd, rtol=1e-7, atol=1e-9)


def test_minimum_has_zero_gradient_and_is_below_every_run(problem):
    theta_star, f_star = problem.minimum()
    assert np.linalg.norm(problem.objective.gradient(theta_star)) < 1e-7
    assert f_star == pytest.approx(problem.loss(theta_star), rel=1e-15)
    rec = minibatch_sgd(problem, batch_size=32, lr=0.3, epochs=3)
    assert (rec.losses > f_star).all()
    with pytest.raises(ValueError, match="l2 must be positive"):
        softmax_problem(problem.data).minimum()


@settings(max_examples=40, deadline=None)
@given(shift=st.floats(-50, 50))
def test_adding_a_constant_to_all_scores_changes_nothing(shift):
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((10, 3)), rng.integers(0, 4, 10)
    theta = rng.standard_normal(16)
    moved = theta.copy()
    moved[12:] += shift                       # the same bias added to every class
    assert softmax_loss(moved, X, y) == pytest.approx(softmax_loss(theta, X, y), rel=1e-9, abs=1e-12)


def test_no_overflow_with_huge_scores():
    theta = np.array([1000.0, -1000.0, 0.0, 0.0])
    assert softmax_loss(theta, [[1.0]], [0]) == pytest.approx(0.0, abs=1e-300)
    assert softmax_loss(theta, [[1.0]], [1]) == pytest.approx(2000.0)


def test_accuracy_by_hand():
    theta = np.array([1.0, -1.0, 0.0, 0.0])           # class 0 when x > 0
    assert softmax_accuracy(theta, [[1.0], [-1.0], [2.0]], [0, 1, 1]) == pytest.approx(2 / 3)


@pytest.mark.parametrize("call, message", [
    (lambda: softmax_init(0, 3), "n_features"),
    (lambda: softmax_init(3, 1), "n_classes"),
    (lambda: unpack(np.zeros(7), 3), "theta"),
    (lambda: softmax_loss(np.zeros(8), [[1.0, 2.0, 3.0]], [2]), r"y must hold labels in \[0, 1\]"),
    (lambda: softmax_loss(np.zeros(8), [1.0, 2.0, 3.0], [0]), "X must have shape"),
    (lambda: softmax_loss(np.zeros(8), [[1.0, 2.0, 3.0]], [0.5]), "integer labels"),
    (lambda: softmax_problem("digits"), "Dataset"),
    (lambda: softmax_loss(np.zeros(8), [[1.0, 2.0, 3.0]], [0], l2=-1.0), "l2"),
])
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_problem_objective_and_run_with_minibatches(problem):
    assert problem.objective.dim == 650 and problem.n == 1347
    theta = _random_theta(64, 10, seed=7)
    np.testing.assert_allclose(problem.objective.gradient(theta),
                               softmax_gradient(theta, problem.data.X, problem.data.y, l2=0.01), rtol=1e-14)
    stack = np.stack([theta, 2 * theta], axis=1)
    np.testing.assert_allclose(problem.objective.value(stack), [problem.loss(theta), problem.loss(2 * theta)])
    batches = Batches(problem.n, 50, seed=1)
    a = run(gd(0.1), problem.objective, problem.x0, 30, gradient=problem.gradient(batches))
    rec = minibatch_sgd(problem, batch_size=50, lr=0.1, epochs=2, seed=1, records_per_epoch=100)
    # the same 30 updates, by run and by minibatch_sgd
    assert rec.updates[30] == 30
    assert a.values[-1] == pytest.approx(rec.losses[30], rel=1e-12)
    with pytest.raises(ValueError, match="batches must be over"):
        problem.gradient(Batches(10, 2))


# ------------------------------------------------------------ noise on a quadratic

def test_noise_floor_matches_a_long_simulation():
    q = quadratic(np.diag([2.0, 4.0]))
    floor = noise_floor(q.hessian([0.0, 0.0]), 0.1)
    # by hand: v = eta / (lambda (2 - eta lambda)) = 0.1/3.6 and 0.1/6.4; loss 0.5 (2 v1 + 4 v2)
    np.testing.assert_allclose(floor.variances, [0.1 / 3.6, 0.1 / 6.4], rtol=1e-14)
    assert floor.excess_loss == pytest.approx(0.5 * (0.2 / 3.6 + 0.4 / 6.4), rel=1e-14)
    ens = sgd_ensemble(q, 0.1, [-5.0, -2.0], 400, runs=100, seed=0)
    tail = ens.values[:, 100:]                           # long after the start is forgotten
    assert tail.mean() == pytest.approx(floor.excess_loss, rel=0.05)
    np.testing.assert_allclose(ens.paths[:, 100:].reshape(-1, 2).var(axis=0), floor.variances, rtol=0.08)


def test_noise_floor_is_linear_in_small_rates_and_rejects_unstable_ones():
    H = np.diag([1.0, 3.0])
    assert noise_floor(H, 1e-4).excess_loss / noise_floor(H, 2e-4).excess_loss == pytest.approx(0.5, rel=1e-3)
    with pytest.raises(ValueError, match="lr must be in"):
        noise_floor(H, 0.7)
    with pytest.raises(ValueError, match="positive definite"):
        noise_floor(np.diag([1.0, -1.0]), 0.1)


def test_noisy_runs_are_reproducible_and_their_mean_follows_gradient_descent():
    q = quadratic(np.diag([2.0, 4.0]))
    g = noisy_gradient(q, 1.0)
    a = run(gd(0.1), q, [-5.0, -2.0], 50, gradient=g, seed=3)
    b = run(gd(0.1), q, [-5.0, -2.0], 50, gradient=g, seed=3)
    assert np.array_equal(a.xs, b.xs)
    # zero noise is gradient descent exactly
    exact = run(gd(0.1), q, [-5.0, -2.0], 50)
    assert np.array_equal(run(gd(0.1), q, [-5.0, -2.0], 50, gradient=noisy_gradient(q, 0.0), seed=1).xs, exact.xs)
    # the dynamics are linear, so the mean over many runs is near the noiseless path
    ens = sgd_ensemble(q, 0.1, [-5.0, -2.0], 10, runs=400, seed=1)
    np.testing.assert_allclose(ens.paths.mean(axis=0)[10], exact.xs[10], atol=4 * 0.17 / math.sqrt(400))


# ------------------------------------------------------------ minibatches

def test_epoch_counts():
    assert epoch_counts(4_000_000, 1000) == (4000, 1000)
    assert epoch_counts(1347, 64) == (22, 3) and epoch_counts(1347, 64, last="drop") == (21, 64)
    assert epoch_counts(10, 10) == (1, 10) and epoch_counts(10, 1) == (10, 1)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 12), b=st.integers(1, 12), seed=st.integers(0, 100))
def test_minibatch_variance_by_enumerating_every_batch(n, b, seed):
    from itertools import combinations, product
    b = min(b, n)
    G = np.random.default_rng(seed).standard_normal((n, 2))
    g = G.mean(axis=0)
    if math.comb(n, b) <= 2000:
        exact = np.mean([np.sum((G[list(c)].mean(axis=0) - g) ** 2) for c in combinations(range(n), b)])
        assert minibatch_variance(G, b) == pytest.approx(exact, rel=1e-9, abs=1e-12)
    if n ** b <= 5000:
        exact = np.mean([np.sum((G[list(c)].mean(axis=0) - g) ** 2) for c in product(range(n), repeat=b)])
        assert minibatch_variance(G, b, replace=True) == pytest.approx(exact, rel=1e-9)


def test_sampled_variance_agrees_with_the_formula_on_digits(problem):
    G = problem.per_example(problem.x0)
    for b in (1, 16, 256):
        assert sampled_minibatch_variance(G, b, draws=400, seed=0) == pytest.approx(minibatch_variance(G, b),
                                                                                  rel=0.2)
    # four times the batch: a quarter of the variance (with replacement exactly)
    assert minibatch_variance(G, 16, replace=True) / minibatch_variance(G, 64, replace=True) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_variance(G, problem.n + 1)
    with pytest.raises(ValueError, match="per_example"):
        minibatch_variance(np.ones(3), 1)


def test_peak_memory_grows_with_the_batch(problem):
    small = peak_memory(lambda: problem.batch_gradient(problem.x0, np.arange(16)))
    large = peak_memory(lambda: problem.batch_gradient(problem.x0, np.arange(1024)))
    # at least the 1024 x 64 float64 batch copy, and far more than the small batch
    assert large >= 1024 * 64 * 8 and large > 20 * small


# ------------------------------------------------------------ the comparison on real data

RUNS = {"GD": (1347, 3.0), "SGD": (1, 0.01), "b = 32": (32, 0.3)}


def test_comparison_on_digits_is_reproducible_from_its_seed(problem):
    first = compare_batch_sizes(problem, RUNS, epochs=5, seed=0)   # as in the chapter
    second = compare_batch_sizes(problem, RUNS, epochs=5, seed=0)
    for label in RUNS:
        a, b = first[label], second[label]
        for field in ("examples", "updates", "epochs", "losses", "theta"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), (label, field)
    other = compare_batch_sizes(problem, {"SGD": RUNS["SGD"]}, epochs=3, seed=1)["SGD"]
    assert not np.array_equal(other.losses, first["SGD"].losses)          # the seed is the data order


def test_comparison_on_digits_hand_checkable_properties(problem):
    recs = compare_batch_sizes(problem, RUNS, epochs=3, seed=0)
    for label, (b, _) in RUNS.items():
        rec = recs[label]
        per_epoch = math.ceil(1347 / b)
        assert rec.losses[0] == pytest.approx(math.log(10), rel=1e-14)     # zero start: log 10
        assert rec.updates[-1] == 3 * per_epoch and rec.examples[-1] == 3 * 1347
        assert rec.epochs[-1] == 3.0 and not rec.diverged
        assert rec.losses[-1] < rec.losses[0]
        assert rec.losses[-1] == pytest.approx(problem.loss(rec.theta), rel=1e-15)
        assert (np.diff(rec.seconds) >= 0).all()
    # one full-batch GD step from zeros, by hand: theta = -lr * gradient(0)
    g0 = softmax_gradient(problem.x0, problem.data.X, problem.data.y, l2=0.01)
    assert recs["GD"].losses[1] == pytest.approx(problem.loss(-3.0 * g0), rel=1e-12)
    # per epoch, many small steps beat one big one
    assert recs["SGD"].losses[-1] < recs["b = 32"].losses[-1] < recs["GD"].losses[-1]


def test_sgd_epoch_is_the_loop_by_hand(problem):
    batches = Batches(problem.n, 100, seed=2).epoch(0)
    opt = gd(0.05)
    theta, state = sgd_epoch(problem, problem.x0.copy(), opt, opt.init(problem.x0), batches)
    by_hand = problem.x0.copy()
    for idx in batches:
        by_hand = by_hand - 0.05 * softmax_gradient(by_hand, problem.data.X[idx], problem.data.y[idx], l2=0.01)
    np.testing.assert_allclose(theta, by_hand, rtol=1e-13, atol=1e-15)
    assert state.t == len(batches) == 14


def test_divergent_training_stops_and_says_so():
    rng = np.random.default_rng(0)
    data = Dataset(rng.standard_normal((20, 2)) * 1e100, rng.integers(0, 2, 20), 2, "big")
    rec = minibatch_sgd(softmax_problem(data), batch_size=20, lr=1e300, epochs=5)
    assert rec.diverged and np.isfinite(rec.losses).all()


def test_training_rejects_bad_input(problem):
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_sgd(problem, batch_size=0, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        minibatch_sgd(problem, batch_size=10, lr=0.1, epochs=0)
    with pytest.raises(ValueError, match="lr"):
        minibatch_sgd(problem, batch_size=10, lr=-0.1, epochs=1)


# ------------------------------------------------------------ exercises

def test_exercise_answers_by_hand():
    np.testing.assert_allclose(EXERCISES["sgd-schedule-values"].answer,
                               [0.01, 0.1 * math.exp(-4.0), 0.1 / math.sqrt(5.0), 0.6 * 0.1 + 0.4 * 0.001],
                               rtol=1e-14)
    assert EXERCISES["sgd-updates-per-epoch"].answer.tolist() == [1.0, 1347.0, 22.0]
    assert EXERCISES["sgd-variance-4b"].answer.tolist() == [4.0]
    assert "standard deviation" in check("sgd-variance-4b", 2).message
    assert "drops the last batch" in check("sgd-updates-per-epoch", "1, 1347, 21").message
    assert "step 41" in check("sgd-schedule-values", [0.01, 0.1 * math.exp(-4.1), 0.1 / math.sqrt(5.1),
                                                      0.59 * 0.1 + 0.41 * 0.001]).message
