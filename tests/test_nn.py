"""course_lib.nn: every backward pass against central differences and torch.autograd, batch norm against
torch.nn.functional.batch_norm, initializers against their formulas, an MLP trained on the digits.

The torch comparisons are skipped without torch (``COURSE_REQUIRE_TORCH=1`` makes a missing torch an
error, as in test_torch_oracle.py). Everything is float64 and seeded.
"""

import math
import os
import re
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import adam, gd
from course_lib import nn as course_nn
from course_lib.data import Batches, digits, standardize, train_test_split
from course_lib.nn import (
    ACTIVATIONS,
    INITS,
    MLPProblem,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_grad_note001,
    batchnorm_inference,
    binary_cross_entropy,
    deep_norms,
    init_std,
    initialize,
    kaiming_normal,
    kaiming_std,
    kaiming_uniform,
    linear_backward,
    linear_forward,
    mlp_accuracy,
    mlp_forward,
    mlp_init,
    mlp_init_state,
    mlp_loss_and_grad,
    mlp_predict,
    mlp_problem,
    mlp_update_state,
    normal,
    relative_change,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_cross_entropy,
    tanh_backward,
    tanh_forward,
    update_running_stats,
    xavier_normal,
    xavier_std,
    xavier_uniform,
    zeros,
)
from course_lib.pytree import ravel
from course_lib.stochastic import minibatch_sgd, sgd_epoch


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """Small matrix products are fastest on one thread; on a busy machine, several threads fight."""
    with course_nn.one_blas_thread():
        yield


@pytest.fixture(scope="module")
def torch():
    if os.environ.get("COURSE_REQUIRE_TORCH") == "1":
        import torch as t
    else:
        t = pytest.importorskip("torch", reason="torch not installed: the comparisons with torch.autograd are skipped")
    t.set_num_threads(1)
    return t


# --------------------------------------------------------------------- helpers

def numerical_grad(f, x, h=1e-6):
    """Central differences of the scalar ``f`` with respect to every entry of the array ``x``."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def close(a, b, rtol=1e-6, atol=1e-9):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def T(torch, a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


RNG = np.random.default_rng(12)
X5 = RNG.standard_normal((5, 4))
W43 = RNG.standard_normal((4, 3))
B3 = RNG.standard_normal(3)
R53 = RNG.standard_normal((5, 3))          # a random upstream gradient: L = sum(R * out)
Z53 = RNG.standard_normal((5, 3)) * [1.0, 3.0, 0.2] + [0.5, -2.0, 1.0]


# --------------------------------------------------------------------- layers

def test_linear_backward_matches_central_differences_and_autograd(torch):
    out, cache = linear_forward(X5, W43, B3)
    close(out, X5 @ W43 + B3, rtol=0, atol=1e-15)
    dX, dW, db = linear_backward(R53, cache)
    close(dX, numerical_grad(lambda X: np.sum(R53 * linear_forward(X, W43, B3)[0]), X5))
    close(dW, numerical_grad(lambda W: np.sum(R53 * linear_forward(X5, W, B3)[0]), W43))
    close(db, numerical_grad(lambda b: np.sum(R53 * linear_forward(X5, W43, b)[0]), B3))
    tX, tW, tb = T(torch, X5, True), T(torch, W43, True), T(torch, B3, True)
    (T(torch, R53) * (tX @ tW + tb)).sum().backward()
    for ours, theirs in ((dX, tX), (dW, tW), (db, tb)):
        close(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activation_backward_matches_central_differences_and_autograd(torch, name):
    forward, backward = {"relu": (relu_forward, relu_backward), "tanh": (tanh_forward, tanh_backward),
                         "sigmoid": (sigmoid_forward, sigmoid_backward)}[name]
    Z = Z53 + 0.01                          # no entry within h of relu's kink
    out, cache = forward(Z)
    dZ = backward(R53, cache)
    close(dZ, numerical_grad(lambda z: np.sum(R53 * forward(z)[0]), Z))
    tZ = T(torch, Z, True)
    tout = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[name](tZ)
    close(out, tout.detach().numpy(), rtol=1e-14, atol=1e-15)
    (T(torch, R53) * tout).sum().backward()
    close(dZ, tZ.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_sigmoid_and_relu_edges():
    out, cache = sigmoid_forward([-800.0, 800.0])
    assert out.tolist() == [0.0, 1.0] and np.all(np.isfinite(sigmoid_backward([1.0, 1.0], cache)))
    assert relu_backward([1.0], relu_forward([0.0])[1]).tolist() == [0.0]     # torch's convention at the kink


def test_softmax_cross_entropy_matches_central_differences_and_autograd(torch):
    y = np.array([0, 2, 1, 2, 0])
    loss, d = softmax_cross_entropy(Z53, y)
    close(d, numerical_grad(lambda z: softmax_cross_entropy(z, y)[0], Z53))
    tZ = T(torch, Z53, True)
    tl = torch.nn.functional.cross_entropy(tZ, torch.tensor(y))
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-13)
    close(d, tZ.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_is_stable():
    loss, d = softmax_cross_entropy([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 0.0]], [1, 1])
    assert math.isfinite(loss) and np.all(np.isfinite(d))
    assert loss == pytest.approx(1000.0, rel=1e-12)           # (2000 + 0) / 2


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(2, 6), st.floats(0.01, 300.0))
def test_softmax_cross_entropy_properties(seed, n, k, scale):
    rng = np.random.default_rng(seed)
    Z = scale * rng.standard_normal((n, k))
    y = rng.integers(0, k, n)
    loss, d = softmax_cross_entropy(Z, y)
    assert loss >= 0.0
    close(d.sum(axis=1), 0.0, atol=1e-15)                     # softmax minus one-hot, each row
    # the loss does not change when a constant is added to a row
    assert softmax_cross_entropy(Z + rng.standard_normal((n, 1)) * 50, y)[0] == pytest.approx(loss, rel=1e-9, abs=1e-9)


def test_binary_cross_entropy_matches_central_differences_and_autograd(torch):
    z = np.array([-3.0, -0.2, 0.0, 0.7, 4.0, 30.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.3])
    loss, d = binary_cross_entropy(z, y)
    close(d, numerical_grad(lambda v: binary_cross_entropy(v, y)[0], z))
    tz = T(torch, z, True)
    tl = torch.nn.functional.binary_cross_entropy_with_logits(tz, T(torch, y))
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-13)
    close(d, tz.grad.numpy(), rtol=1e-12, atol=1e-15)
    big, dbig = binary_cross_entropy([-1000.0, 1000.0], [1.0, 0.0])     # log(1 + e^1000), twice
    assert big == pytest.approx(1000.0) and np.allclose(dbig, [-0.5, 0.5])


# --------------------------------------------------------------------- batch normalization

GAMMA = np.array([1.5, -0.7, 2.0])
BETA = np.array([0.1, 0.0, -1.0])


def test_batchnorm_forward_and_backward_match_torch(torch):
    for eps in (1e-5, 0.1):
        out, cache = batchnorm_forward(Z53, GAMMA, BETA, eps)
        dZ, dgamma, dbeta = batchnorm_backward(R53, cache)
        tZ, tg, tb = T(torch, Z53, True), T(torch, GAMMA, True), T(torch, BETA, True)
        tout = torch.nn.functional.batch_norm(tZ, None, None, tg, tb, training=True, eps=eps)
        (T(torch, R53) * tout).sum().backward()
        assert rel_err(out, tout.detach().numpy()) < 1e-6
        for ours, theirs in ((dZ, tZ), (dgamma, tg), (dbeta, tb)):
            assert rel_err(ours, theirs.grad.numpy()) < 1e-6
        # in fact they agree to rounding
        close(dZ, tZ.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("eps_outside", [False, True])
def test_batchnorm_backward_matches_central_differences(eps_outside):
    eps = 0.05                                                # large, so the two placements really differ
    Z = Z53.copy()
    Z[:, 2] *= 0.3                                             # a column with sigma comparable to eps
    out, cache = batchnorm_forward(Z, GAMMA, BETA, eps, eps_outside=eps_outside)
    dZ, dgamma, dbeta = batchnorm_backward(R53, cache)

    def loss(Z=Z, gamma=GAMMA, beta=BETA):
        return np.sum(R53 * batchnorm_forward(Z, gamma, beta, eps, eps_outside=eps_outside)[0])

    close(dZ, numerical_grad(lambda z: loss(Z=z), Z), rtol=1e-6, atol=1e-8)
    close(dgamma, numerical_grad(lambda g: loss(gamma=g), GAMMA), rtol=1e-6, atol=1e-8)
    close(dbeta, numerical_grad(lambda b: loss(beta=b), BETA), rtol=1e-6, atol=1e-8)


def test_note001_closed_form_is_the_gradient_without_eps():
    """Note 001's formula: exact for eps = 0; off by O(eps/sigma) from the note's own forward (eps outside)."""
    g_note = batchnorm_grad_note001(R53, Z53, GAMMA)
    numeric = numerical_grad(lambda z: np.sum(R53 * batchnorm_forward(z, GAMMA, BETA, 0.0)[0]), Z53)
    close(g_note, numeric, rtol=1e-6, atol=1e-8)
    close(g_note, batchnorm_backward(R53, batchnorm_forward(Z53, GAMMA, BETA, 0.0)[1])[0], rtol=1e-12, atol=1e-13)
    # with the note's eps outside sigma, the true gradient differs, by about eps / sigma relative
    eps = 1e-3
    _, cache = batchnorm_forward(Z53, GAMMA, BETA, eps, eps_outside=True)
    true = batchnorm_backward(R53, cache)[0]
    err = np.abs(true - g_note).max(axis=0) / np.abs(g_note).max(axis=0)
    sigma = Z53.std(axis=0)
    assert np.all(err > 0.2 * eps / sigma) and np.all(err < 5 * eps / sigma)


def test_eps_outside_and_inside_differ_on_a_small_variance_batch():
    eps = 1e-5
    Z = np.array([[0.0], [2.0], [0.0], [2.0]]) * math.sqrt(eps)  # sigma = sqrt(eps) exactly
    one = np.ones(1)
    inside, _ = batchnorm_forward(Z, one, 0 * one, eps)
    outside, _ = batchnorm_forward(Z, one, 0 * one, eps, eps_outside=True)
    # inside divides by sqrt(2 eps), outside by sqrt(eps) + eps: a ratio (1 + sqrt(eps)) / sqrt(2)
    assert inside[1, 0] == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    assert outside[1, 0] == pytest.approx(1 / (1 + math.sqrt(eps)), rel=1e-12)
    assert inside[1, 0] / outside[1, 0] == pytest.approx((1 + math.sqrt(eps)) / math.sqrt(2), rel=1e-12)
    # on a batch with sigma = 1 they agree to about eps (relative eps/2 inside, eps outside)
    Zw = np.array([[-1.0], [1.0]])
    a, b = batchnorm_forward(Zw, one, 0 * one, eps)[0], batchnorm_forward(Zw, one, 0 * one, eps, eps_outside=True)[0]
    assert 0.4 * eps < abs(a[1, 0] - b[1, 0]) < eps


def test_running_stats_and_inference_match_torch(torch):
    rng = np.random.default_rng(3)
    bn = torch.nn.BatchNorm1d(3, eps=1e-5, momentum=0.1, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(T(torch, GAMMA))
        bn.bias.copy_(T(torch, BETA))
    m, v = np.zeros(3), np.ones(3)
    for n in (4, 2, 7, 16):
        Z = rng.standard_normal((n, 3)) * [1.0, 5.0, 0.1] + [3.0, -1.0, 0.0]
        tout = bn.train()(T(torch, Z))
        close(batchnorm_forward(Z, GAMMA, BETA)[0], tout.detach().numpy(), rtol=1e-10, atol=1e-12)
        m, v = update_running_stats(m, v, Z, momentum=0.1)
        close(m, bn.running_mean.numpy(), rtol=1e-12, atol=1e-15)
        close(v, bn.running_var.numpy(), rtol=1e-12, atol=1e-15)
    Zt = rng.standard_normal((1, 3))                           # a batch of one, at inference
    close(batchnorm_inference(Zt, GAMMA, BETA, m, v), bn.eval()(T(torch, Zt)).detach().numpy(), rtol=1e-12)


def test_a_batch_of_one_in_training_mode_forgets_its_input():
    out1, _ = batchnorm_forward([[5.0, -3.0]], [2.0, 2.0], [0.5, 0.25])
    out2, _ = batchnorm_forward([[-100.0, 7.0]], [2.0, 2.0], [0.5, 0.25])
    assert out1.tolist() == out2.tolist() == [[0.5, 0.25]]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.integers(1, 5), st.floats(-3, 3), st.floats(-6, 3))
def test_batchnorm_output_has_beta_mean_and_gamma_scale(seed, n, d, log_loc, log_scale):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, d)) * 10.0 ** log_scale + 10.0 ** log_loc
    Z[0] += 10.0 ** log_scale                                    # never a constant column
    gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
    eps = 1e-5
    out, cache = batchnorm_forward(Z, gamma, beta, eps)
    var = Z.var(axis=0)
    close(out.mean(axis=0), beta, rtol=1e-9, atol=1e-9)
    # variance gamma² sigma² / (sigma² + eps): unit variance (gamma = 1) when sigma² >> eps
    close(out.var(axis=0), gamma ** 2 * var / (var + eps), rtol=1e-7, atol=1e-12)
    zhat, _ = batchnorm_forward(Z, np.ones(d), np.zeros(d), eps)
    assert np.all(np.abs(zhat.mean(axis=0)) < 1e-9) and np.all(zhat.var(axis=0) <= 1.0 + 1e-9)


# --------------------------------------------------------------------- initializers

def test_initializer_stds_match_their_formulas_and_torch(torch):
    assert kaiming_std(50) == pytest.approx(math.sqrt(2 / 50), rel=1e-15)
    assert xavier_std(100, 300) == pytest.approx(math.sqrt(2 / 400), rel=1e-15)
    assert init_std("kaiming", 64, 10) == pytest.approx(math.sqrt(2) / math.sqrt(64))
    assert init_std("xavier_uniform", 64, 10, gain=2.0) == pytest.approx(2 * math.sqrt(2 / 74))
    assert init_std("zeros", 3, 3) == 0.0 and init_std("normal", 3, 3, std=0.3) == 0.3
    fan_in, fan_out = 400, 300
    draws = {"normal": normal(fan_in, fan_out, 0.05, seed=1), "xavier": xavier_normal(fan_in, fan_out, seed=1),
             "xavier_uniform": xavier_uniform(fan_in, fan_out, seed=1),
             "kaiming": kaiming_normal(fan_in, fan_out, seed=1),
             "kaiming_uniform": kaiming_uniform(fan_in, fan_out, seed=1)}
    for name, W in draws.items():
        assert W.shape == (fan_in, fan_out)
        std = init_std(name, fan_in, fan_out, std=0.05 if name == "normal" else None)
        assert W.std() == pytest.approx(std, rel=0.01), name           # 120000 draws: sampling error ~0.3%
        assert abs(W.mean()) < 0.01 * std
    # uniform bounds: torch's kaiming_uniform_ (fan_in, relu) and xavier_uniform_
    assert np.abs(draws["kaiming_uniform"]).max() <= math.sqrt(6 / fan_in)
    assert np.abs(draws["kaiming_uniform"]).max() > 0.999 * math.sqrt(6 / fan_in)
    assert np.abs(draws["xavier_uniform"]).max() <= math.sqrt(6 / (fan_in + fan_out))
    tw = torch.empty(fan_out, fan_in, dtype=torch.float64)               # torch stores (out, in)
    torch.manual_seed(0)
    torch.nn.init.kaiming_normal_(tw, nonlinearity="relu")
    assert tw.std().item() == pytest.approx(kaiming_std(fan_in), rel=0.01)
    torch.nn.init.xavier_normal_(tw)
    assert tw.std().item() == pytest.approx(xavier_std(fan_in, fan_out), rel=0.01)
    torch.nn.init.kaiming_uniform_(tw, nonlinearity="relu")
    assert tw.abs().max().item() <= math.sqrt(6 / fan_in)
    assert tw.std().item() == pytest.approx(kaiming_std(fan_in), rel=0.01)


@pytest.mark.parametrize("name", [i for i in INITS if i != "zeros"])
def test_initializers_are_seeded(name):
    std = 0.1 if name == "normal" else None
    a = initialize(name, 20, 30, seed=5, std=std)
    assert np.array_equal(a, initialize(name, 20, 30, seed=5, std=std))
    assert not np.array_equal(a, initialize(name, 20, 30, seed=6, std=std))
    assert np.array_equal(a, initialize(name, 20, 30, seed=np.random.default_rng(5), std=std))
    p1, p2 = mlp_init([5, 7, 3], init=name, std=std, seed=9), mlp_init([5, 7, 3], init=name, std=std, seed=9)
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    assert not np.array_equal(p1["W0"], mlp_init([5, 7, 3], init=name, std=std, seed=10)["W0"])
    assert np.array_equal(zeros(2, 3), np.zeros((2, 3)))


# --------------------------------------------------------------------- the MLP

def torch_mlp_loss(torch, params, X, y, activation, *, training=True, state=None, eps=1e-5):
    """The same network written with torch ops; returns the loss and the leaf tensors."""
    L = sum(k.startswith("W") for k in params)
    leaves = {k: T(torch, v, True) for k, v in params.items()}
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda z: z}[activation]
    A = T(torch, X)
    for i in range(L):
        Z = A @ leaves[f"W{i}"] + leaves[f"b{i}"]
        if i == L - 1:
            break
        if f"gamma{i}" in params:
            rm = None if training else T(torch, state[f"mean{i}"])
            rv = None if training else T(torch, state[f"var{i}"])
            Z = torch.nn.functional.batch_norm(Z, rm, rv, leaves[f"gamma{i}"], leaves[f"beta{i}"],
                                               training=training, eps=eps)
        A = act(Z)
    return torch.nn.functional.cross_entropy(Z, torch.tensor(y)), leaves


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_gradient_matches_torch(torch, batchnorm, activation):
    rng = np.random.default_rng(1)
    params = mlp_init([6, 8, 7, 4], batchnorm=batchnorm, seed=2)
    if batchnorm:                                        # not the trivial 1 and 0
        for k in params:
            if k[:4] in ("gamm", "beta"):
                params[k] = params[k] + 0.3 * rng.standard_normal(params[k].shape)
    X, y = rng.standard_normal((10, 6)), rng.integers(0, 4, 10)
    loss, grads = mlp_loss_and_grad(params, X, y, activation=activation)
    tl, leaves = torch_mlp_loss(torch, params, X, y, activation)
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-12)
    assert sorted(grads) == sorted(params)
    for k in params:
        assert grads[k].shape == params[k].shape
        # relative 1e-9 (the bias before batch norm has gradient 0: rounding only, both sides)
        close(grads[k], leaves[k].grad.numpy(), rtol=1e-9, atol=1e-13)


def test_mlp_inference_gradient_matches_torch_eval(torch):
    rng = np.random.default_rng(4)
    params = mlp_init([5, 6, 3], batchnorm=True, seed=0)
    state = {"mean0": rng.standard_normal(6), "var0": rng.uniform(0.5, 2.0, 6)}
    X, y = rng.standard_normal((4, 5)), rng.integers(0, 3, 4)
    loss, grads = mlp_loss_and_grad(params, X, y, training=False, state=state)
    tl, leaves = torch_mlp_loss(torch, params, X, y, "relu", training=False, state=state)
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-12)
    for k in params:
        close(grads[k], leaves[k].grad.numpy(), rtol=1e-10, atol=1e-13)
    # inference handles each example on its own: a batch of one gives the same logits as in the batch
    full = mlp_forward(params, X, training=False, state=state)
    close(mlp_forward(params, X[2:3], training=False, state=state), full[2:3], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_mlp_gradient_matches_central_differences(batchnorm):
    rng = np.random.default_rng(5)
    params = mlp_init([3, 4, 3], batchnorm=batchnorm, seed=1, init="xavier")
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    _, grads = mlp_loss_and_grad(params, X, y, activation="tanh")
    theta, unravel = ravel(params)
    numeric = unravel(numerical_grad(lambda t: mlp_loss_and_grad(unravel(t), X, y, activation="tanh")[0], theta))
    for k in params:
        close(grads[k], numeric[k], rtol=1e-6, atol=1e-9)
    if batchnorm:                                        # the bias before batch norm cancels
        assert np.abs(grads["b0"]).max() < 1e-15


def test_zero_weights_are_a_stationary_point():
    params = mlp_init([64, 32, 32, 10], init="zeros")
    X, y = np.random.default_rng(0).standard_normal((50, 64)), np.arange(50) % 10
    loss, grads = mlp_loss_and_grad(params, X, y)
    assert loss == pytest.approx(math.log(10))
    for k in ("W0", "W1", "W2", "b0", "b1"):
        assert not np.any(grads[k]), k
    # only the last bias moves, and only when the classes are unbalanced: here they are balanced
    assert np.abs(grads["b2"]).max() < 1e-15
    # where note 002's "Z_{i+1} = sigma(Z_i W_i) = 0" fails: unbalanced labels move the last bias
    # (mean of p - onehot = 1/k - class frequency), and sigmoid(0) = 1/2 != 0 moves the last weights
    y_unbalanced = np.r_[np.zeros(20, int), np.arange(30) % 10]
    _, g = mlp_loss_and_grad(params, X, y_unbalanced)
    assert g["b2"][0] == pytest.approx(0.1 - 23 / 50) and not np.any(g["W2"])
    _, g = mlp_loss_and_grad(params, X, y_unbalanced, activation="sigmoid")
    assert np.abs(g["W2"]).max() == pytest.approx(0.5 * 0.36) and not np.any(g["W0"]) and not np.any(g["W1"])


# --------------------------------------------------------------------- the problem object and training

@pytest.fixture(scope="module")
def digits_split():
    train, test = train_test_split(digits(), test_fraction=0.25, seed=0)
    train, test, _ = standardize(train, test)
    return train, test


def test_problem_gradients_match_the_dict_gradient(digits_split):
    train, _ = digits_split
    for bn in (False, True):
        params = mlp_init([64, 16, 12, 10], batchnorm=bn, seed=3)
        problem = mlp_problem(train, params)
        assert isinstance(problem, MLPProblem) and problem.objective.dim == problem.x0.size
        theta = problem.x0 + 0.01 * np.random.default_rng(0).standard_normal(problem.x0.size)
        idx = np.arange(5, 37)
        loss, grads = mlp_loss_and_grad(problem.unravel(theta), train.X[idx], train.y[idx])
        close(problem.batch_gradient(theta, idx), ravel(grads)[0], rtol=1e-13, atol=1e-16)
        full_loss, full = mlp_loss_and_grad(problem.unravel(theta), train.X, train.y)
        assert problem.loss(theta) == pytest.approx(full_loss, rel=1e-13)
        close(problem.objective.grad(theta), ravel(full)[0], rtol=1e-12, atol=1e-16)
        assert problem.objective.f(np.stack([theta, theta], axis=1)).shape == (2,)


def test_train_epoch_running_stats_match_torch(torch, digits_split):
    """Training a batch-norm MLP with train_epoch = torch's BatchNorm1d training loop, stats included."""
    train, _ = digits_split
    data = train.subset(np.arange(300))
    params = mlp_init([64, 20, 10], batchnorm=True, seed=0)
    problem = mlp_problem(data, params)
    batches = Batches(problem.n, 32, seed=0).epoch(0)
    opt = gd(lr=0.1)
    theta, _, state = problem.train_epoch(problem.x0.copy(), opt, opt.init(problem.x0), batches,
                                          problem.init_state())
    net = torch.nn.Sequential(torch.nn.Linear(64, 20), torch.nn.BatchNorm1d(20), torch.nn.ReLU(),
                              torch.nn.Linear(20, 10)).double()
    with torch.no_grad():
        net[0].weight.copy_(T(torch, params["W0"].T))
        net[0].bias.zero_()
        net[3].weight.copy_(T(torch, params["W1"].T))
        net[3].bias.zero_()
    topt = torch.optim.SGD(net.parameters(), lr=0.1)
    X, y = torch.from_numpy(data.X), torch.from_numpy(data.y)
    for idx in batches:
        topt.zero_grad()
        torch.nn.functional.cross_entropy(net(X[torch.from_numpy(idx)]), y[torch.from_numpy(idx)]).backward()
        topt.step()
    p = problem.unravel(theta)
    close(p["W0"], net[0].weight.detach().numpy().T, rtol=1e-9, atol=1e-12)
    close(p["gamma0"], net[1].weight.detach().numpy(), rtol=1e-9, atol=1e-12)
    close(state["mean0"], net[1].running_mean.numpy(), rtol=1e-9, atol=1e-12)
    close(state["var0"], net[1].running_var.numpy(), rtol=1e-9, atol=1e-12)
    # mlp_update_state is the same step, one batch at a time
    s1 = mlp_update_state(mlp_init_state(params), params, data.X[batches[0]])
    _, _, s1b = problem.train_epoch(problem.x0.copy(), opt, opt.init(problem.x0), batches[:1])
    close(s1["var0"], s1b["var0"], rtol=1e-13)
    logits = net.eval()(X).detach().numpy()
    assert problem.accuracy(theta, state=state) == pytest.approx(float((logits.argmax(1) == data.y).mean()))


def test_an_mlp_trains_on_the_digits_with_a_course_optimizer(digits_split):
    train, test = digits_split
    tic = time.perf_counter()
    for bn in (False, True):
        problem = mlp_problem(train, mlp_init([64, 64, 10], batchnorm=bn, seed=0))
        opt = adam(lr=0.003)
        theta, state, bn_state = problem.x0, opt.init(problem.x0), problem.init_state()
        for epoch in range(4):
            theta, state, bn_state = problem.train_epoch(theta, opt, state, Batches(problem.n, 32, seed=0).epoch(epoch),
                                                         bn_state)
        acc = mlp_accuracy(problem.unravel(theta), test.X, test.y, state=bn_state or None)
        assert acc > 0.94, (bn, acc)
        assert problem.loss(theta) < 0.15 * problem.loss(problem.x0)
    # and through the library's own loop, unchanged
    problem = mlp_problem(train, mlp_init([64, 32, 10], seed=0))
    rec = minibatch_sgd(problem, batch_size=32, lr=0.2, epochs=2, records_per_epoch=1)
    assert rec.losses[-1] < 0.2 * rec.losses[0] and problem.accuracy(rec.theta, test) > 0.9
    theta2, _ = sgd_epoch(problem, problem.x0, gd(0.2), gd(0.2).init(problem.x0), Batches(problem.n, 32).epoch(0))
    assert np.all(np.isfinite(theta2))
    moved = relative_change(problem.unravel(rec.theta), problem.unravel(problem.x0))
    assert set(moved) == {"W0", "W1"} and all(0 < v < 2 for v in moved.values())
    assert time.perf_counter() - tic < 10.0          # a few seconds; generous for a loaded machine


# --------------------------------------------------------------------- deep networks at initialization

def test_kaiming_relu_keeps_the_activation_size_through_50_layers():
    """Band: every layer's rms activation within [0.25, 2.5] of the input's 1 (width 256, seeds 0-2);
    0.5 x Kaiming collapses below 1e-12 and 2 x Kaiming explodes above 1e12 at layer 50; Xavier + ReLU below 1e-5."""
    for seed in range(3):
        r = deep_norms(50, 256, init="kaiming", activation="relu", seed=seed)
        assert r.activation_rms.shape == (51,) and r.gradient_rms.shape == (51,) and r.weight_grad_norms.shape == (50,)
        assert 0.25 < r.activation_rms.min() and r.activation_rms.max() < 2.5, seed
        assert 0.25 < r.gradient_rms.min() and r.gradient_rms.max() < 2.5, seed
    s = kaiming_std(256)
    assert deep_norms(50, 256, init="normal", std=0.5 * s).activation_rms[-1] < 1e-12
    assert deep_norms(50, 256, init="normal", std=2.0 * s).activation_rms[-1] > 1e12
    assert deep_norms(50, 256, init="xavier", activation="relu").activation_rms[-1] < 1e-5
    assert deep_norms(50, 256, init="normal", std=0.01).gradient_rms[0] < 1e-30
    assert np.array_equal(deep_norms(5, 8, seed=4).activation_rms, deep_norms(5, 8, seed=4).activation_rms)


# --------------------------------------------------------------------- bad input

P = mlp_init([3, 4, 2], seed=0)
PBN = mlp_init([3, 4, 2], seed=0, batchnorm=True)


@pytest.mark.parametrize("call, word", [
    (lambda: linear_forward(np.ones((2, 3)), np.ones((4, 2)), np.ones(2)), "W"),
    (lambda: linear_forward(np.ones((2, 3)), np.ones((3, 2)), np.ones(3)), "b"),
    (lambda: linear_backward(np.ones((5, 5)), linear_forward(np.ones((2, 3)), np.ones((3, 2)), np.ones(2))[1]), "dout"),
    (lambda: relu_backward([1.0], "not a cache"), "cache"),
    (lambda: relu_forward([np.nan]), "Z"),
    (lambda: softmax_cross_entropy([[0.0, 1.0]], [2]), "y"),
    (lambda: softmax_cross_entropy([[0.0, 1.0]], [0.5]), "y"),
    (lambda: softmax_cross_entropy([[0.0], [1.0]], [0, 0]), "logits"),
    (lambda: binary_cross_entropy([0.0], [1.5]), "y"),
    (lambda: batchnorm_forward(np.ones((3, 2)), np.ones(3), np.zeros(2)), "gamma"),
    (lambda: batchnorm_forward(np.ones((3, 2)), np.ones(2), np.zeros(2), eps=-1.0), "eps"),
    (lambda: batchnorm_forward(np.ones((3, 2)), np.ones(2), np.zeros(2), eps=0.0), "eps"),
    (lambda: batchnorm_grad_note001(np.ones((1, 2)), np.ones((1, 2)), np.ones(2)), "Z"),
    (lambda: batchnorm_grad_note001(np.ones((3, 1)), np.ones((3, 1)), np.ones(1)), "Z"),
    (lambda: update_running_stats(np.zeros(2), np.ones(2), np.ones((1, 2))), "Z"),
    (lambda: update_running_stats(np.zeros(2), np.ones(2), np.ones((3, 2)), momentum=1.5), "momentum"),
    (lambda: batchnorm_inference(np.ones((1, 2)), np.ones(2), np.zeros(2), np.zeros(2), -np.ones(2)), "running_var"),
    (lambda: kaiming_std(0), "fan_in"),
    (lambda: kaiming_std(10, gain=0.0), "gain"),
    (lambda: xavier_std(10, -1), "fan_out"),
    (lambda: init_std("he", 3, 3), "init"),
    (lambda: init_std("normal", 3, 3), "std"),
    (lambda: init_std("kaiming", 3, 3, std=0.1), "std"),
    (lambda: normal(3, 3, -0.1), "std"),
    (lambda: kaiming_normal(3, 3, seed="x"), "seed"),
    (lambda: mlp_init([3]), "sizes"),
    (lambda: mlp_init([3, 0, 2]), "sizes[1]"),
    (lambda: mlp_init(5), "sizes"),
    (lambda: mlp_loss_and_grad(P, np.ones((2, 5)), [0, 1]), "X"),
    (lambda: mlp_loss_and_grad(P, np.ones((2, 3)), [0, 2]), "y"),
    (lambda: mlp_loss_and_grad(P, np.ones((2, 3)), [0, 1], activation="gelu"), "activation"),
    (lambda: mlp_loss_and_grad(P, np.ones((2, 3)), [0, 1], batchnorm=True), "batchnorm"),
    (lambda: mlp_loss_and_grad(PBN, np.ones((2, 3)), [0, 1], training=False), "state"),
    (lambda: mlp_loss_and_grad({"W0": np.ones((3, 2))}, np.ones((2, 3)), [0, 1]), "params"),
    (lambda: mlp_loss_and_grad(P, np.ones((2, 3)), [0, 1], eps=0.0), "eps"),
    (lambda: mlp_update_state(mlp_init_state(PBN), PBN, np.ones((1, 3))), "X"),
    (lambda: mlp_update_state(mlp_init_state(PBN), P, np.ones((2, 3))), "batchnorm"),
    (lambda: mlp_predict(PBN, np.ones((2, 3))), "state"),
    (lambda: mlp_problem("digits", P), "data"),
    (lambda: mlp_problem(digits(), P), "params"),
    (lambda: deep_norms(0), "depth"),
    (lambda: deep_norms(3, 4, init="normal"), "std"),
    (lambda: relative_change({"W0": np.ones(2)}, {"W0": np.ones(3)}), "params"),
])
def test_bad_input_raises_value_error_naming_the_parameter(call, word):
    with pytest.raises(ValueError, match=re.escape(word)):
        call()
