"""Tests of course_lib.init_study: the variance argument, bad starts, training from an initialization."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.data import digits, standardize, train_test_split
from course_lib.init_study import (
    constant_init,
    deep_profiles,
    layer_gain,
    max_gradients,
    preactivation_variance,
    predicted_rms,
    relu_gaussian_moments,
    sample_preactivations,
    train_from_init,
    unit_spread,
    zero_layers,
    zero_saddle_probe,
)
from course_lib.nn import deep_norms, kaiming_std, mlp_init, mlp_loss_and_grad, relative_change
from course_lib.optimizers import adam, gd, momentum


@pytest.fixture(scope="module")
def split():
    train, test = train_test_split(digits(), test_fraction=0.25, seed=0)
    train, test, _ = standardize(train, test)
    return train, test


# --------------------------------------------------------------------- the variance argument

def test_preactivation_variance_by_hand():
    assert preactivation_variance(100, 0.01, 1.0) == pytest.approx(1.0)
    assert preactivation_variance(300, 0.01, 0.5) == pytest.approx(1.5)
    # a mean of the inputs adds E[x]^2: 10 * 0.1 * (2 + 3^2) = 11
    assert preactivation_variance(10, 0.1, 2.0, 3.0) == pytest.approx(11.0)
    assert preactivation_variance(10, 0.0, 2.0, 3.0) == 0.0


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10_000), st.floats(0.0, 10.0), st.floats(0.0, 10.0), st.floats(-5.0, 5.0))
def test_preactivation_variance_is_linear_in_n_and_var_w(n, vw, vx, mx):
    v = preactivation_variance(n, vw, vx, mx)
    assert v >= 0.0
    assert preactivation_variance(2 * n, vw, vx, mx) == pytest.approx(2 * v, rel=1e-12, abs=1e-300)
    assert preactivation_variance(n, 3 * vw, vx, mx) == pytest.approx(3 * v, rel=1e-12, abs=1e-300)
    assert preactivation_variance(n, vw, vx, -mx) == v               # only E[x]^2 counts


def test_relu_moments_against_quadrature_and_samples():
    z = np.linspace(-12.0, 12.0, 400_001)
    pdf = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    r = np.maximum(z, 0.0)
    mean_q, second_q = np.trapezoid(r * pdf, z), np.trapezoid(r * r * pdf, z)
    mean, second, var = relu_gaussian_moments(1.0)
    assert mean == pytest.approx(mean_q, rel=1e-8) and second == pytest.approx(second_q, rel=1e-8)
    assert var == pytest.approx(0.5 - 1 / (2 * math.pi))
    # scaling: var 4 means s = 2
    m4, s4, v4 = relu_gaussian_moments(4.0)
    assert (m4, s4, v4) == pytest.approx((2 * mean, 4 * second, 4 * var))
    x = np.maximum(np.random.default_rng(0).standard_normal(400_000), 0.0)
    assert x.mean() == pytest.approx(mean, rel=0.01) and x.var() == pytest.approx(var, rel=0.01)


@pytest.mark.parametrize("inputs", ["normal", "relu"])
def test_monte_carlo_agrees_with_the_formula_and_not_with_the_note_after_relu(inputs):
    s = sample_preactivations(100, 0.01, inputs=inputs, samples=40_000, seed=3)
    # relative standard error of a sample variance: about sqrt(2 / samples) = 0.7%; allow 4 of them
    assert s.measured == pytest.approx(s.predicted, rel=0.03)
    assert abs(s.values.mean()) < 5 * math.sqrt(s.predicted / 40_000)
    if inputs == "relu":
        assert s.predicted == pytest.approx(0.5) and s.note == pytest.approx(0.5 - 1 / (2 * math.pi))
        assert abs(s.measured - s.note) > 0.3 * s.note         # the note's Var[x] Var[w] is far off
    else:
        assert s.note == s.predicted == pytest.approx(1.0)
    again = sample_preactivations(100, 0.01, inputs=inputs, samples=40_000, seed=3)
    assert np.array_equal(s.values, again.values)


def test_layer_gain_and_predicted_rms():
    assert layer_gain(256, 2 / 256, "relu") == pytest.approx(1.0)
    assert layer_gain(256, 1 / 256, "relu") == pytest.approx(0.5)
    assert layer_gain(256, 1 / 256, "tanh") == pytest.approx(1.0)
    assert predicted_rms(3, 50, 0.16, "relu").tolist() == pytest.approx([1.0, 2.0, 4.0, 8.0])
    assert predicted_rms(2, 10, 0.1, "identity", input_rms=3.0).tolist() == pytest.approx([3.0, 3.0, 3.0])


@pytest.mark.parametrize("multiple", [0.7, 1.0, 1.4])
def test_predicted_rms_matches_deep_relu_networks(multiple):
    """ReLU: log rms after 50 layers = 50 log(multiple) + a random drift; averaged over seeds within 0.5 of it."""
    s = multiple * kaiming_std(256)
    logs = [math.log(deep_profiles([multiple], ["relu"], seed=seed)[(multiple, "relu")].activation_rms[-1])
            for seed in range(4)]
    predicted = math.log(predicted_rms(50, 256, s * s, "relu")[-1])
    assert predicted == pytest.approx(50 * math.log(multiple), abs=1e-9)
    assert abs(np.mean(logs) - predicted) < 0.75


def test_predicted_rms_for_tanh_holds_while_small_and_fails_when_saturated():
    s = 0.5 * kaiming_std(128)                 # tanh gain n Var[w] = 0.5: activations shrink, tanh ~ linear
    r = deep_profiles([0.5], ["tanh"], depth=30, width=128)[(0.5, "tanh")].activation_rms
    p = predicted_rms(30, 128, s * s, "tanh")
    assert np.all(np.abs(np.log(r[5:] / p[5:])) < 1.0)
    s = 2.0 * kaiming_std(128)                 # gain 8: the prediction explodes, tanh stays below 1
    r = deep_profiles([2.0], ["tanh"], depth=30, width=128)[(2.0, "tanh")].activation_rms
    assert r[1:].max() < 1.0 and predicted_rms(30, 128, s * s, "tanh")[-1] > 1e13


def test_deep_profiles_are_deep_norms_at_the_stated_scales():
    p = deep_profiles([0.5, 2.0, "xavier"], ["relu", "tanh"], depth=6, width=16, batch=8, seed=2)
    assert len(p) == 6
    for act in ("relu", "tanh"):
        for m in (0.5, 2.0):
            ref = deep_norms(6, 16, init="normal", std=m * kaiming_std(16), activation=act, batch=8, seed=2)
            assert np.array_equal(p[(m, act)].activation_rms, ref.activation_rms)
            assert np.array_equal(p[(m, act)].gradient_rms, ref.gradient_rms)
            assert p[(m, act)].std == pytest.approx(m * math.sqrt(2 / 16))
        ref = deep_norms(6, 16, init="xavier", activation=act, batch=8, seed=2)
        assert np.array_equal(p[("xavier", act)].activation_rms, ref.activation_rms)
    # same seed: the same random numbers, scaled; with identity activations the rms scales exactly by m^l
    q = deep_profiles([1.0, 2.0], ["identity"], depth=4, width=16, batch=8)
    ratio = q[(2.0, "identity")].activation_rms / q[(1.0, "identity")].activation_rms
    assert ratio == pytest.approx(2.0 ** np.arange(5), rel=1e-10)


# --------------------------------------------------------------------- bad starts

def test_constant_init_and_unit_spread():
    p = constant_init([3, 4, 5, 2], -0.25)
    assert all(np.all(p[f"W{i}"] == -0.25) and np.all(p[f"b{i}"] == 0) for i in range(3))
    assert unit_spread(p) == {"h1": 0.0, "h2": 0.0}
    # unit 3 of h2 gets a different incoming weight, unit 2 of h1 an outgoing one
    p["W1"][2, 3] += 0.5
    assert unit_spread(p) == {"h1": 0.5, "h2": 0.5}
    p = constant_init([3, 4, 2], 0.0)
    p["b0"][1] = -2.0
    assert unit_spread(p) == {"h1": 2.0}


def test_zero_weights_never_move_and_the_loss_stays_at_log_10(split):
    train, _ = split
    for act in ("relu", "tanh"):
        r = train_from_init(train, mlp_init([64, 32, 32, 10], init="zeros"), momentum(0.05, 0.9), epochs=3,
                            activation=act)
        assert not np.any(r.grad_max) and not np.any(r.moved)
        assert np.all(np.abs(r.losses - math.log(10)) < 0.01)        # only the last bias moves, a little
        assert r.losses[0] == pytest.approx(math.log(10))
        assert not np.array_equal(r.params["b2"], r.params0["b2"])     # ... but it does move


def test_zero_weights_with_sigmoid_move_but_stay_symmetric(split):
    train, _ = split
    r = train_from_init(train, mlp_init([64, 16, 16, 10], init="zeros"), momentum(0.05, 0.9), epochs=3,
                        activation="sigmoid")
    assert r.grad_max[0, 0] == 0.0 and r.grad_max[0, 1] == 0.0 and r.grad_max[0, 2] > 0.0   # sigmoid(0) = 1/2
    assert np.all(np.isinf(r.moved[-1]))                                 # every layer left 0
    assert r.spread.max() < 1e-12                                        # ... as copies of one unit


def test_constant_start_stays_symmetric_while_a_random_one_breaks_it(split):
    train, _ = split
    r = train_from_init(train, constant_init([64, 16, 16, 10], 0.01), gd(0.1), epochs=2)
    assert r.moved[-1].min() > 0 and r.spread.max() < 1e-12
    k = train_from_init(train, mlp_init([64, 16, 16, 10], seed=0), gd(0.1), epochs=2)
    assert k.spread.min() > 0.1


def test_a_single_zero_layer(split):
    train, _ = split
    X, y = train.X[:200], train.y[:200]
    p = zero_layers(mlp_init([64, 32, 32, 10], seed=1), [1])
    assert not np.any(p["W1"]) and np.any(p["W0"]) and np.any(p["W2"])
    # tanh'(0) = 1: the zero layer's gradient Z1^T (G2 * 1) is not 0; check one entry by central differences
    g = max_gradients(p, X, y, activation="tanh")
    assert g["W1"] > 1e-3
    _, grads = mlp_loss_and_grad(p, X, y, activation="tanh")
    i, j = np.unravel_index(np.argmax(np.abs(grads["W1"])), grads["W1"].shape)
    h = 1e-6
    plus, minus = {k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in p.items()}
    plus["W1"][i, j] += h
    minus["W1"][i, j] -= h
    fd = (mlp_loss_and_grad(plus, X, y, activation="tanh")[0]
          - mlp_loss_and_grad(minus, X, y, activation="tanh")[0]) / (2 * h)
    assert fd == pytest.approx(grads["W1"][i, j], rel=1e-5)
    # ReLU: relu'(0) = 0 (the convention of torch) hides it; the layers before get nothing either
    g = max_gradients(p, X, y, activation="relu")
    assert g["W1"] == 0.0 and g["W0"] == 0.0 and g["W2"] == 0.0 and g["b2"] > 0


def test_zero_is_a_saddle_point(split):
    train, _ = split
    ts = [0.0, 0.01, 0.02, 0.5]
    probe = zero_saddle_probe(train, 32, ts, seed=0)
    assert probe.down[0] == probe.up[0] == pytest.approx(probe.at_zero)
    assert probe.at_zero == pytest.approx(math.log(10), abs=0.01)
    assert np.all(probe.down[1:] < probe.at_zero) and np.all(probe.up[1:] > probe.at_zero)
    # the change is of second order in t: (L(t) - L(0)) / t^2 is about the same at t = 0.01 and 0.02
    c1, c2 = [(probe.at_zero - probe.down[i]) / ts[i] ** 2 for i in (1, 2)]
    assert c2 == pytest.approx(c1, rel=0.02)
    assert np.array_equal(zero_saddle_probe(train, 32, ts, seed=0).down, probe.down)


# --------------------------------------------------------------------- training from an initialization

def test_train_from_init_records_what_it_says(split):
    train, test = split
    p = mlp_init([64, 32, 10], seed=2)
    r = train_from_init(train, p, momentum(0.02, 0.9), epochs=3, test=test)
    assert r.losses.shape == (4,) and r.moved.shape == (4, 2)
    assert r.grad_max.shape == (4, 2) and r.spread.shape == (4, 1)
    assert r.losses[-1] < 0.5 * r.losses[0] and r.accuracies[-1] > 0.85 and np.isnan(
        train_from_init(train, p, adam(1e-3), epochs=1).accuracies).all()
    assert r.moved[0].tolist() == [0.0, 0.0]
    rc = relative_change(r.params, p)
    assert r.moved[-1].tolist() == pytest.approx([rc["W0"], rc["W1"]])
    assert np.all(r.moved[-1] > 0) and np.all(r.moved[-1] < 1)          # moved, but by less than their size
    _, grads = mlp_loss_and_grad(p, train.X, train.y)
    assert r.grad_max[0].tolist() == pytest.approx([np.abs(grads["W0"]).max(), np.abs(grads["W1"]).max()])
    again = train_from_init(train, p, momentum(0.02, 0.9), epochs=3, test=test)
    assert np.array_equal(again.losses, r.losses)


def test_weights_stay_closer_to_their_start_than_to_another_runs_end(split):
    """Note 002's claim, measured: relative to their size, the weights move less from their own start than
    the distance between the ends of two runs from different starts."""
    train, _ = split
    a = train_from_init(train, mlp_init([64, 32, 10], seed=0), momentum(0.02, 0.9), epochs=5)
    b = train_from_init(train, mlp_init([64, 32, 10], seed=1), momentum(0.02, 0.9), epochs=5)
    for i, key in enumerate(["W0", "W1"]):
        apart = np.linalg.norm(a.params[key] - b.params[key]) / np.linalg.norm(a.params0[key])
        assert a.moved[-1, i] < 0.5 * apart


# --------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, name", [
    (lambda: preactivation_variance(0, 0.1), "fan_in"),
    (lambda: preactivation_variance(10, -0.1), "weight_var"),
    (lambda: preactivation_variance(10, 0.1, -1.0), "input_var"),
    (lambda: preactivation_variance(10, 0.1, 1.0, math.inf), "input_mean"),
    (lambda: relu_gaussian_moments(-1.0), "var"),
    (lambda: sample_preactivations(10, 0.1, inputs="tanh"), "inputs"),
    (lambda: sample_preactivations(10, 0.0), "weight_var"),
    (lambda: sample_preactivations(10, 0.1, samples=1), "samples"),
    (lambda: layer_gain(10, 0.1, "softplus"), "activation"),
    (lambda: predicted_rms(0, 10, 0.1), "depth"),
    (lambda: deep_profiles([-1.0], ["relu"], depth=2, width=4), "scales"),
    (lambda: deep_profiles(["normal"], ["relu"], depth=2, width=4), "scales"),
    (lambda: deep_profiles([1.0], ["softplus"], depth=2, width=4), "activation"),
    (lambda: deep_profiles([1.0], ["relu"], depth=0), "depth"),
    (lambda: constant_init([3], 0.1), "sizes"),
    (lambda: constant_init([3, 2], math.nan), "value"),
    (lambda: zero_layers(mlp_init([3, 2]), [1]), "layers"),
    (lambda: unit_spread({"b0": np.ones(2)}), "params"),
    (lambda: zero_saddle_probe("digits"), "data"),
    (lambda: zero_saddle_probe(standardize(digits())[0], ts=[-1.0]), "ts"),
    (lambda: train_from_init(standardize(digits())[0], mlp_init([64, 10]), gd(0.1), epochs=0), "epochs"),
    (lambda: train_from_init(standardize(digits())[0], mlp_init([64, 10]), "sgd"), "opt"),
    (lambda: train_from_init(standardize(digits())[0], mlp_init([64, 4, 10], batchnorm=True), gd(0.1)), "params"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
