"""course_lib.bn_study: note 001's derivation checked step by step, ε placements, inference, training runs."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import nn
from course_lib.bn_study import (
    TrainingRun,
    batch_statistics_accuracy,
    epochs_to_reach,
    eps_divisors,
    eps_gaps,
    largest_rate_that_trains,
    lr_sweep,
    note001_derivation,
    train_run,
    trains,
)
from course_lib.data import digits, standardize, train_test_split
from course_lib.exercises import EXERCISES


@pytest.fixture(scope="module")
def data():
    train, test = train_test_split(digits(), test_fraction=0.25, seed=0)
    return standardize(train, test)[:2]


# ------------------------------------------------------------------ note 001's derivation

NAMES = ["dL/dB", "dL/dG", "dmu/dZ", "dsigma/dZ", "dZbar/dZ", "dZhat/dZ", "dL/dZ"]


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 3), st.integers(0, 10_000))
def test_every_step_of_note001_matches_central_differences(K, d, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(K, d)) * rng.uniform(0.5, 3.0, size=d) + rng.normal(size=d)
    if np.any(Z.std(axis=0) < 0.3):            # keep sigma away from 0 so that h = 1e-6 is accurate
        Z = Z + np.arange(K)[:, None]
    gamma, dout = rng.normal(size=d), rng.normal(size=(K, d))
    steps = note001_derivation(Z, gamma, dout)
    assert [s.name for s in steps] == NAMES
    for s in steps:
        assert s.analytic.shape == s.numeric.shape
        assert s.max_error <= 1e-6 * max(1.0, s.scale), (s.name, s.max_error, s.scale)


def test_the_steps_give_the_values_worked_out_by_hand():
    # one unit, batch (1, 2, 3, 6): mu = 3, sigma^2 = 14/4
    Z, D = np.array([[1.0], [2.0], [3.0], [6.0]]), np.array([[1.0], [-1.0], [2.0], [0.5]])
    steps = {s.name: s for s in note001_derivation(Z, [2.0], D)}
    sigma = math.sqrt(3.5)
    assert steps["dL/dB"].analytic.tolist() == [2.5]
    np.testing.assert_allclose(steps["dL/dG"].analytic, [(-2 * 1 - 1 * -1 + 0 + 3 * 0.5) / sigma], rtol=1e-14)
    np.testing.assert_allclose(steps["dmu/dZ"].analytic[0, :, 0], [0.25] * 4)
    np.testing.assert_allclose(steps["dsigma/dZ"].analytic[0, :, 0], np.array([-2, -1, 0, 3]) / (4 * sigma),
                               rtol=1e-14)
    # the Jacobian of Zbar: rows of a centred map sum to zero over k (the outputs keep mean 0)
    J = steps["dZbar/dZ"].analytic[:, 0, :, 0]
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-14)


def test_the_derivation_catches_a_wrong_formula():
    # if the note had dsigma/dZ without the 1/K, the check would show it
    Z, D = np.array([[1.0], [2.0], [6.0]]), np.array([[1.0], [0.0], [-1.0]])
    step = note001_derivation(Z, [1.0], D)[3]
    wrong = step.analytic * 3
    assert np.max(np.abs(wrong - step.numeric)) > 0.1


def test_units_do_not_interact():
    Z = np.array([[1.0, 5.0], [2.0, -1.0], [4.0, 0.0]])
    step = note001_derivation(Z, [1.0, 2.0], np.ones((3, 2)))[4]
    assert np.all(step.numeric[:, 0, :, 1] == 0.0) and np.all(step.analytic[:, 0, :, 1] == 0.0)


def test_note001_closed_form_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    Z, gamma, dout = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(5, 3))
    z = torch.tensor(Z, requires_grad=True)
    out = torch.nn.functional.batch_norm(z, None, None, torch.tensor(gamma), torch.tensor(np.zeros(3)),
                                         training=True, eps=1e-300)   # ε = 0 not allowed; this one vanishes
    (out * torch.tensor(dout)).sum().backward()
    step = note001_derivation(Z, gamma, dout)[6]
    np.testing.assert_allclose(step.analytic, z.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_derivation_rejects_bad_input():
    with pytest.raises(ValueError, match="Z must"):
        note001_derivation([[1.0]], [1.0], [[1.0]])
    with pytest.raises(ValueError, match="constant column"):
        note001_derivation([[1.0], [1.0]], [1.0], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="gamma must"):
        note001_derivation([[1.0], [2.0]], [1.0, 2.0], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="dout must"):
        note001_derivation([[1.0], [2.0]], [1.0], [[1.0]])
    with pytest.raises(ValueError, match=r"h must be in \(0, inf\)"):
        note001_derivation([[1.0], [2.0]], [1.0], [[1.0], [2.0]], h=0.0)


# ------------------------------------------------------------------ ε

def test_eps_divisors_by_hand():
    inside, outside = eps_divisors([0.0, 3.0], eps=16.0)
    assert inside.tolist() == [4.0, 5.0] and outside.tolist() == [16.0, 19.0]
    with pytest.raises(ValueError, match="sigma"):
        eps_divisors([-1.0])
    with pytest.raises(ValueError, match="eps"):
        eps_divisors([1.0], eps=-1.0)


def test_eps_gaps_shrink_as_eps_over_sigma_squared_and_eps_over_sigma():
    g = eps_gaps([1.0, 0.1], eps=1e-6)
    # inside vs the eps-free closed form: relative gap ~ eps / (2 sigma^2); outside: ~ eps / sigma
    ratio_in = g.grad_gap_inside[1] / g.grad_gap_inside[0]
    ratio_out = g.grad_gap_outside[1] / g.grad_gap_outside[0]
    assert 80 < ratio_in < 120 and 8 < ratio_out < 12
    assert g.output_gap[0] < 1e-5 and np.all(g.output_gap > 0)


def test_eps_gaps_up_to_sqrt2_when_sigma_is_sqrt_eps():
    # sigma = sqrt(eps): inside divides by sqrt(2 eps), outside by sqrt(eps) + eps
    eps = 1e-6
    g = eps_gaps([math.sqrt(eps)], eps=eps)
    expected = abs(1 / (math.sqrt(eps) + eps) - 1 / math.sqrt(2 * eps)) * math.sqrt(2 * eps)
    np.testing.assert_allclose(g.output_gap[0], expected, rtol=1e-9)
    with pytest.raises(ValueError, match="sigmas"):
        eps_gaps([0.0])


# ------------------------------------------------------------------ inference with batch statistics

def test_a_batch_of_one_outputs_beta_whatever_the_input():
    beta = np.array([0.3, -2.0])
    for z in ([[5.0, -7.0]], [[1e3, 0.0]]):
        out, _ = nn.batchnorm_forward(z, [2.0, 3.0], beta, eps=1e-5)
        assert out.tolist() == [beta.tolist()]


def test_batch_statistics_accuracy(data):
    train, test = data
    run = train_run(train, test, lr=0.3, batchnorm=True, epochs=2)
    params = nn.mlp_problem(train, nn.mlp_init([64, 64, 10], batchnorm=True)).unravel(run.theta)
    acc1, distinct1 = batch_statistics_accuracy(params, test.X, test.y, 1)
    assert distinct1 == 1
    assert acc1 == pytest.approx(np.bincount(test.y).max() / len(test.y), abs=0.5) and acc1 < 0.2
    acc_all, distinct_all = batch_statistics_accuracy(params, test.X, test.y, len(test.y))
    assert distinct_all == 10 and acc_all > 0.9
    with pytest.raises(ValueError, match="batch-norm MLP"):
        batch_statistics_accuracy(nn.mlp_init([64, 10]), test.X, test.y, 1)
    with pytest.raises(ValueError, match="batch_size"):
        batch_statistics_accuracy(params, test.X, test.y, 0)


# ------------------------------------------------------------------ training runs

def test_train_run_is_deterministic_and_starts_from_the_same_weights(data):
    train, test = data
    a = train_run(train, test, lr=0.1, batchnorm=False, epochs=2, seed=4)
    b = train_run(train, test, lr=0.1, batchnorm=False, epochs=2, seed=4)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert a.losses[2] < a.losses[1] < a.losses[0] and not a.diverged
    c = train_run(train, test, lr=0.1, batchnorm=True, epochs=1, seed=4)
    assert sorted(c.state) == ["mean0", "var0"]
    # the same W0 to start: the batch-norm network only adds gamma and beta
    W0 = nn.mlp_init([64, 64, 10], seed=4)["W0"]
    np.testing.assert_array_equal(nn.mlp_init([64, 64, 10], seed=4, batchnorm=True)["W0"], W0)


def test_train_run_matches_a_plain_loop(data):
    # one epoch of minibatch SGD written out independently
    train, test = data
    run = train_run(train, test, lr=0.05, batchnorm=False, epochs=1, seed=2, batch_size=100)
    from course_lib.data import Batches
    params = nn.mlp_init([64, 64, 10], seed=2)
    for idx in Batches(len(train), 100, seed=2, last="drop").epoch(0):
        _, g = nn.mlp_loss_and_grad(params, train.X[idx], train.y[idx])
        params = {k: params[k] - 0.05 * g[k] for k in params}
    logits = nn.mlp_forward(params, train.X)
    loss = nn.softmax_cross_entropy(logits, train.y)[0]
    np.testing.assert_allclose(run.losses[1], loss, rtol=1e-10)
    acc = nn.mlp_accuracy(params, test.X, test.y)
    assert run.test_accuracy[1] == acc


def test_train_run_reports_divergence(data):
    train, test = data
    run = train_run(train, test, lr=10.0, batchnorm=False, epochs=3)
    assert run.diverged and run.diverged_at == 1 and np.isnan(run.losses[1:]).all()
    assert not trains(run)
    with pytest.raises(ValueError, match="lr"):
        train_run(train, test, lr=0.0, batchnorm=False)
    with pytest.raises(ValueError, match="batch_size"):
        train_run(train, test, lr=0.1, batchnorm=True, batch_size=1)


def _run(losses, diverged_at=None):
    losses = np.array(losses, dtype=float)
    return TrainingRun(0.1, False, 0, losses, np.zeros_like(losses), diverged_at, {}, np.zeros(1))


def test_criterion_and_largest_rate():
    good, bad, gone = _run([2.3, 0.09]), _run([2.3, 0.2]), _run([2.3, np.nan], diverged_at=1)
    assert trains(good) and not trains(bad) and not trains(gone)
    runs = {(0.1, 0): good, (0.1, 1): good, (1.0, 0): good, (1.0, 1): bad, (10.0, 0): gone, (10.0, 1): gone}
    assert largest_rate_that_trains(runs) == 0.1          # every seed must train
    assert largest_rate_that_trains(runs, target=0.5) == 1.0
    assert math.isnan(largest_rate_that_trains({(1.0, 0): bad}))
    assert epochs_to_reach(_run([2.3, 0.5, 0.09, 0.2]), 0.1) == 2.0
    assert epochs_to_reach(gone, 0.1) == math.inf


def test_lr_sweep_keys(data):
    train, test = data
    runs = lr_sweep(train, test, [0.01, 0.1], batchnorm=True, seeds=(0, 1), epochs=1)
    assert sorted(runs) == [(0.01, 0), (0.01, 1), (0.1, 0), (0.1, 1)]
    assert runs[(0.1, 1)].seed == 1 and runs[(0.1, 1)].batchnorm
    with pytest.raises(ValueError, match="lrs"):
        lr_sweep(train, test, [], batchnorm=True)


# ------------------------------------------------------------------ the exercises

def test_exercise_answers_by_hand():
    sigma = math.sqrt(3.5)                          # batch (1, 2, 3, 6): mu = 3, variance 14/4
    expected = [2 * (z - 3) / sigma + 1 for z in (1, 2, 3, 6)]
    np.testing.assert_allclose(EXERCISES["bn-forward-by-hand"].answer, expected, rtol=1e-14)
    dgamma = (1 * -2 + -1 * -1 + 2 * 0 + 0.5 * 3) / sigma
    np.testing.assert_allclose(EXERCISES["bn-backward-sums"].answer, [2.5, dgamma], rtol=1e-14)
    np.testing.assert_allclose(EXERCISES["bn-batch-of-one"].answer, [1.0, 2 * 2 / math.sqrt(4 + 1e-5) + 1],
                               rtol=1e-14)


@pytest.mark.parametrize("key, typed", [("bn-forward-by-hand", "-1.14, -0.0690, 1.00, 4.21"),
                                        ("bn-backward-sums", "2.50, 0.267"), ("bn-batch-of-one", "1.00, 3.00")])
def test_three_significant_figures_pass(key, typed):
    assert EXERCISES[key].check(typed).correct
