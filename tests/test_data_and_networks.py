"""Real data, several parameter arrays, and a network trained by the course's optimizers."""

import numpy as np
import pytest

from course_lib import adam, gd, momentum, rmsprop, run
from course_lib.data import Batches, digits, standardize, train_test_split
from course_lib.models import accuracy, network_problem, two_layer_grad, two_layer_init, two_layer_loss
from course_lib.pytree import ravel

DIGITS = digits()


# ---------------------------------------------------------------- the data

def test_the_digits_come_with_scikit_learn():
    assert DIGITS.X.shape == (1797, 64) and DIGITS.y.shape == (1797,) and DIGITS.n_classes == 10
    assert DIGITS.X.min() == 0.0 and DIGITS.X.max() == 16.0
    assert sorted(set(DIGITS.y.tolist())) == list(range(10))


def test_the_split_is_seeded_disjoint_and_complete():
    train, test = train_test_split(DIGITS, test_fraction=0.25, seed=3)
    again, _ = train_test_split(DIGITS, test_fraction=0.25, seed=3)
    other, _ = train_test_split(DIGITS, test_fraction=0.25, seed=4)
    assert len(test) == 450 and len(train) == 1347             # ceil(0.25 * 1797) = 450
    np.testing.assert_array_equal(train.X, again.X)
    assert not np.array_equal(train.X, other.X)
    rows = {row.tobytes() for row in np.column_stack([DIGITS.X, DIGITS.y])}
    parts = [np.column_stack([d.X, d.y]) for d in (train, test)]
    assert {r.tobytes() for p in parts for r in p} == rows       # nothing lost
    with pytest.raises(ValueError, match=r"test_fraction must be in \(0, 1\)"):
        train_test_split(DIGITS, test_fraction=1.0)


def test_standardization_is_fitted_on_the_training_part_only():
    train, test = train_test_split(DIGITS, seed=0)
    s_train, s_test, scaler = standardize(train, test)
    varying = train.X.std(axis=0) > 0
    np.testing.assert_allclose(s_train.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(s_train.X.std(axis=0)[varying], 1.0, rtol=1e-12)
    np.testing.assert_allclose(s_test.X, (test.X - train.X.mean(axis=0)) / scaler.scale)   # train's statistics
    assert not np.allclose(s_test.X.mean(axis=0)[varying], 0.0, atol=1e-3)
    assert (~varying).any() and np.all(np.isfinite(s_train.X))  # always-blank pixels: no division by 0


def test_minibatches_reshuffle_every_epoch_and_handle_the_last_batch():
    keep = Batches(10, 4, seed=1)
    drop = Batches(10, 4, seed=1, last="drop")
    assert [len(b) for b in keep.epoch(0)] == [4, 4, 2] and [len(b) for b in drop.epoch(0)] == [4, 4]
    for e in range(3):
        assert sorted(np.concatenate(keep.epoch(e)).tolist()) == list(range(10))
    assert not np.array_equal(keep.order(0), keep.order(1))
    np.testing.assert_array_equal(keep.order(2), Batches(10, 4, seed=1).order(2))    # seeded
    steps = [keep.indices(t) for t in range(6)]                   # steps run on across epochs
    np.testing.assert_array_equal(np.concatenate(steps[:3]), keep.order(0))
    np.testing.assert_array_equal(np.concatenate(steps[3:]), keep.order(1))
    first = iter(keep)
    np.testing.assert_array_equal(next(first), keep.indices(0))
    with pytest.raises(ValueError, match="batch_size must be at most n = 10"):
        Batches(10, 11)
    with pytest.raises(ValueError, match="last must be 'keep' or 'drop'"):
        Batches(10, 3, last="pad")


# ------------------------------------------------------- parameter arrays

def test_ravel_and_unravel_round_trip_in_a_fixed_order():
    a = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([7.0, 8.0]), "layers": [np.ones(2), (np.zeros((1, 1)),)]}
    b = {"layers": a["layers"], "b": a["b"], "W": a["W"]}             # another insertion order
    x, unravel = ravel(a)
    np.testing.assert_array_equal(x, ravel(b)[0])
    back = unravel(x)
    assert set(back) == {"W", "b", "layers"} and isinstance(back["layers"][1], tuple)
    np.testing.assert_array_equal(back["W"], a["W"])
    assert not np.shares_memory(back["W"], x)
    with pytest.raises(ValueError, match=r"the vector must have shape \(11,\)"):
        unravel(np.zeros(12))
    with pytest.raises(ValueError, match="parameters must be arrays of numbers"):
        ravel({"W": "weights"})


def test_a_dict_of_arrays_and_its_flat_vector_follow_identical_trajectories():
    """Element-wise optimizers update each coordinate from its own history, so stepping
    each array with its own state is the same as stepping the flat vector."""
    params = two_layer_init(64, 8, 10, seed=1)
    X, y = standardize(DIGITS)[0].X[:200], DIGITS.y[:200]
    for opt in (gd(lr=0.1), momentum(lr=0.05), rmsprop(lr=1e-3), adam(lr=1e-2)):
        x, unravel = ravel(params)
        state = opt.init(x)
        per_array = {k: v.copy() for k, v in params.items()}
        states = {k: opt.init(v) for k, v in per_array.items()}
        for _ in range(5):
            x, state = opt.update(x, ravel(two_layer_grad(unravel(x), X, y))[0], state)
            grads = two_layer_grad(per_array, X, y)
            for k in per_array:
                per_array[k], states[k] = opt.update(per_array[k], grads[k], states[k])
        for k, v in unravel(x).items():
            np.testing.assert_array_equal(v, per_array[k], err_msg=f"{opt!r}: {k}")


# ------------------------------------------------------------- the network

def test_backpropagation_agrees_with_finite_differences():
    params = two_layer_init(64, 5, 10, seed=2)
    X, y = standardize(DIGITS)[0].X[:30], DIGITS.y[:30]
    grads = two_layer_grad(params, X, y)
    rng = np.random.default_rng(0)
    for name, array in params.items():
        for index in map(tuple, rng.integers(0, array.shape, size=(4, array.ndim))):
            bumped = {k: v.copy() for k, v in params.items()}
            h = 1e-6
            bumped[name][index] += h
            up = two_layer_loss(bumped, X, y)
            bumped[name][index] -= 2 * h
            down = two_layer_loss(bumped, X, y)
            assert grads[name][index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_seeded_minibatch_training_is_reproducible_and_learns():
    train, test = train_test_split(DIGITS, seed=0)
    train, test, _ = standardize(train, test)
    params = two_layer_init(64, 16, 10, seed=0)
    batches = Batches(len(train), 32, seed=5)
    objective, x0, unravel, gradient = network_problem(train, params, batches=batches)
    assert objective.hess is None
    a = run(adam(lr=1e-2), objective, x0, 300, gradient=gradient, record_every=100)
    b = run(adam(lr=1e-2), objective, x0, 300, gradient=gradient, record_every=100)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert a.values[-1] < 0.25 * a.values[0] and not a.diverged
    assert accuracy(unravel(a.x), test) > 0.9
    other = network_problem(train, params, batches=Batches(len(train), 32, seed=6))[3]
    c = run(adam(lr=1e-2), objective, x0, 300, gradient=other, record_every=100)
    assert not np.array_equal(a.x, c.x)                                # the seed matters
