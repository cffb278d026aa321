"""course_lib.adaptive: effective rates, AdaGrad's decay, the sparse problem, Adam's bias correction,
the online problem where Adam fails and Yogi does not, and the chapter's exercises."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import adadelta, adagrad, adam, ellipse, gd, momentum, newton, parabola, rmsprop, run, yogi
from course_lib.adaptive import (
    bias_factor,
    decay_exponent,
    effective_rates,
    first_step,
    online_projected,
    simulate_first_moment,
    sparse_problem,
    spike_gradient,
    step_rate,
    tune_rate,
)
from course_lib.averages import debiased_gamma, running_average
from course_lib.exercises import EXERCISES, check
from course_lib.stochastic import noisy_gradient


def random_gradients(seed, steps=30, d=3, scale=1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((steps, d)) * rng.choice([0.01, 1.0, 30.0], size=(steps, d))


def replay(opt, grads, x0=None):
    x = np.zeros(grads.shape[1]) if x0 is None else x0
    state = opt.init(x)
    out = []
    for g in grads:
        x_next, new = opt.update(x, g, state)
        out.append((x, g, state, x_next, new))
        x, state = x_next, new
    return out


# ----------------------------------------------------------------- step_rate

@pytest.mark.parametrize("opt", [
    adagrad(lr=0.3, eps=1e-3), adagrad(lr=0.3, eps=1e-3, eps_in_sqrt=True),
    rmsprop(lr=0.05, gamma=0.9, eps=1e-4), rmsprop(lr=0.05, gamma=0.9, eps=1e-4, eps_in_sqrt=True),
    adadelta(rho=0.8, eps=1e-4), gd(lr=0.1),
])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rate_times_gradient_is_the_step(opt, seed):
    for x, g, before, x_next, after in replay(opt, random_gradients(seed)):
        np.testing.assert_allclose(x_next - x, -step_rate(opt, before, after) * g, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("opt", [adam(lr=0.01, beta2=0.99, eps=1e-6), adam(lr=0.01, eps=1e-3, eps_in_sqrt=True),
                                 adam(lr=0.01, bias_correction=False)])
def test_adam_rate_times_corrected_moment_is_the_step(opt):
    beta1 = opt.hyperparams["beta1"]
    correct = opt.hyperparams["bias_correction"]
    for x, _g, before, x_next, after in replay(opt, random_gradients(3)):
        m_hat = after.m / (1 - beta1 ** after.t) if correct else after.m
        np.testing.assert_allclose(x_next - x, -step_rate(opt, before, after) * m_hat, rtol=1e-12, atol=1e-15)


def test_yogi_rate_times_moment_is_the_step():
    opt = yogi(lr=0.02, beta2=0.9)
    for x, _g, before, x_next, after in replay(opt, random_gradients(4)):
        np.testing.assert_allclose(x_next - x, -step_rate(opt, before, after) * after.m, rtol=1e-12, atol=1e-15)


def test_adagrad_rate_against_torch():
    torch = pytest.importorskip("torch")
    grads = random_gradients(5, steps=15)
    p = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Adagrad([p], lr=0.3, eps=1e-4)
    opt = adagrad(lr=0.3, eps=1e-4)
    for (_x, g, before, x_next, after) in replay(opt, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
        total = topt.state[p]["sum"].numpy()
        np.testing.assert_allclose(step_rate(opt, before, after), 0.3 / (np.sqrt(total) + 1e-4), rtol=1e-12)
        np.testing.assert_allclose(x_next, p.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_momentum_has_one_rate():
    opt = momentum(lr=0.2)
    (_, _, before, _, after), = replay(opt, np.ones((1, 2)))
    assert float(step_rate(opt, before, after)) == 0.2


def test_step_rate_refuses_newton():
    with pytest.raises(ValueError, match="opt must be one of"):
        step_rate(newton(), None, None)


# ----------------------------------------------------------- effective_rates

def test_effective_rates_follow_run_exactly():
    ell = ellipse()
    noisy = noisy_gradient(ell, 0.5)
    rec = effective_rates(rmsprop(lr=0.1, gamma=0.9), ell, [-5.0, -2.0], 50, gradient=noisy, seed=7)
    traj = run(rmsprop(lr=0.1, gamma=0.9), ell, [-5.0, -2.0], 50, gradient=noisy, seed=7)
    np.testing.assert_array_equal(rec.xs, traj.xs)
    assert rec.rates.shape == (50, 2) and rec.grads.shape == (50, 2) and len(rec.states) == 51
    assert rec.ts.tolist() == list(range(1, 51))


def test_adagrad_rate_with_constant_gradient_is_eta_over_sqrt_t():
    rec = effective_rates(adagrad(lr=0.5, eps=1e-12), parabola(), [0.0], 400,
                          gradient=lambda x, t, rng: np.array([-2.0]))
    t = rec.ts
    np.testing.assert_allclose(rec.rates[:, 0], 0.5 / (2.0 * np.sqrt(t)), rtol=1e-9)
    assert decay_exponent(t, rec.rates[:, 0]) == pytest.approx(-0.5, abs=1e-9)


def test_adagrad_rate_on_noisy_ellipse_decays_like_inverse_root():
    ell = ellipse()
    rec = effective_rates(adagrad(lr=0.4), ell, [-5.0, -2.0], 2000, gradient=noisy_gradient(ell, 1.0), seed=0)
    assert -0.56 < decay_exponent(rec.ts, rec.rates[:, 0], start=200) < -0.44


def test_adagrad_rate_with_exact_gradients_levels_off():
    rec = effective_rates(adagrad(lr=0.4), ellipse(), [-5.0, -2.0], 1000)
    assert abs(decay_exponent(rec.ts, rec.rates[:, 0], start=100)) < 0.01
    assert np.all(np.diff(rec.rates, axis=0) <= 0)       # AdaGrad's rates never grow


@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=40))
@settings(max_examples=60, deadline=None)
def test_adagrad_rates_never_grow(values):
    g = np.array(values)
    rec = effective_rates(adagrad(lr=1.0), parabola(), [0.0], len(g), gradient=lambda x, t, rng: np.array([g[t]]))
    assert np.all(np.diff(rec.rates[:, 0]) <= 0)


def test_rmsprop_and_yogi_rates_can_grow():
    sizes = np.r_[np.full(20, 10.0), np.full(30, 0.01)]
    grown = {}
    for opt in [rmsprop(lr=0.1, gamma=0.9), yogi(lr=0.1, beta2=0.9, eps=1e-8), adam(lr=0.1, beta2=0.9)]:
        rec = effective_rates(opt, parabola(), [1.0], 50, gradient=lambda x, t, rng: np.array([sizes[t]]))
        grown[opt.name] = rec.rates[-1, 0] / rec.rates[19, 0]
    assert grown["rmsprop"] > 3 and grown["adam"] > 3
    # Yogi's v falls by (1 - beta2) g^2 = 1e-5 per small step: its rate grows, but barely
    assert 1 < grown["yogi"] < 1 + 1e-5


def test_effective_rates_bad_input():
    with pytest.raises(ValueError, match="steps"):
        effective_rates(adagrad(), parabola(), [0.0], 0)
    with pytest.raises(ValueError, match="objective"):
        effective_rates(adagrad(), "parabola", [0.0], 3)
    with pytest.raises(ValueError, match="gradient"):
        effective_rates(adagrad(), parabola(), [0.0], 3, gradient=3)


def test_decay_exponent_bad_input():
    with pytest.raises(ValueError, match="same length"):
        decay_exponent([1, 2, 3], [1.0, 0.5])
    with pytest.raises(ValueError, match="positive"):
        decay_exponent([1, 2, 3], [1.0, 0.0, 0.5])
    with pytest.raises(ValueError, match="start"):
        decay_exponent([1, 2, 3], [1.0, 0.5, 0.3], start=3)


# ---------------------------------------------------------- sparse problem

def test_sparse_problem_is_least_squares():
    p = sparse_problem((1.0, 0.3, 0.05), n=500, seed=2)
    w_ls = np.linalg.lstsq(p.X, p.y, rcond=None)[0]
    np.testing.assert_allclose(p.objective.minimizer, w_ls, rtol=1e-9)
    w = np.array([0.3, -1.0, 2.0])
    assert p.objective.value(w) == pytest.approx(np.sum((p.X @ w - p.y) ** 2) / (2 * 500), rel=1e-12)
    # the mean of the one-example gradients is the full gradient
    per_example = p.X * (p.X @ w - p.y)[:, None]
    np.testing.assert_allclose(per_example.mean(axis=0), p.objective.gradient(w), rtol=1e-10)
    np.testing.assert_allclose(p.X.mean(axis=0), [1.0, 0.3, 0.05], atol=0.04)
    assert set(np.unique(p.X)) <= {0.0, 1.0}


def test_sparse_problem_is_seeded():
    a, b, c = sparse_problem(seed=1), sparse_problem(seed=1), sparse_problem(seed=2)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y) and not np.array_equal(a.X, c.X)


def test_sparse_gradient_is_one_example():
    p = sparse_problem((1.0, 0.1), n=50, seed=0)
    g = p.gradient(np.zeros(2), 0, np.random.default_rng(3))
    i = np.random.default_rng(3).integers(50)
    np.testing.assert_array_equal(g, p.X[i] * (-p.y[i]))


def test_adagrad_gives_rare_features_larger_rates():
    p = sparse_problem()
    rec = effective_rates(adagrad(lr=0.5), p.objective, np.zeros(4), 300, gradient=p.gradient, seed=0)
    last = rec.rates[-1]
    assert last[3] > last[2] > last[1] > last[0] and last[3] > 2 * last[0]


def test_tuned_adagrad_beats_tuned_sgd_on_rare_feature():
    p = sparse_problem()
    sgd = tune_rate(lambda lr: gd(lr=lr), p, np.geomspace(0.03, 1.0, 7), 300)
    ada = tune_rate(lambda lr: adagrad(lr=lr), p, np.geomspace(0.05, 2.0, 7), 300)
    assert ada.gap < sgd.gap
    assert ada.errors[-1] < sgd.errors[-1]
    assert sgd.gap == pytest.approx(sgd.gaps.min()) and len(sgd.gaps) == 7


def test_sparse_bad_input():
    with pytest.raises(ValueError, match="frequencies"):
        sparse_problem((1.0, 0.0))
    with pytest.raises(ValueError, match="n must"):
        sparse_problem(n=1)
    with pytest.raises(ValueError, match="rates"):
        tune_rate(lambda lr: gd(lr=lr), sparse_problem(), [], 10)


# ------------------------------------------------------- bias correction

def test_bias_factor_by_hand():
    np.testing.assert_allclose(bias_factor(0.9, [1, 2, 3]), [0.1, 0.19, 0.271], rtol=1e-12)
    assert float(bias_factor(0.999, 1)) == pytest.approx(0.001, rel=1e-9)


def test_first_moment_expectation_by_simulation():
    beta, mean, std, runs = 0.9, 1.5, 2.0, 20000
    sim = simulate_first_moment(beta, mean, std, 30, runs=runs, seed=0)
    expected = bias_factor(beta, np.arange(1, 31)) * mean
    # standard deviation of m_t: std * sqrt((1 - beta)^2 * sum beta^(2k)), k < t
    k = np.arange(1, 31)
    sd = std * (1 - beta) * np.sqrt((1 - beta ** (2 * k)) / (1 - beta ** 2))
    assert np.all(np.abs(sim - expected) < 4.5 * sd / math.sqrt(runs))


def test_adam_first_moment_is_a_running_average():
    grads = random_gradients(8, steps=25, d=2)
    opt = adam(lr=0.01, beta1=0.8)
    ms = np.array([after.m for *_, after in replay(opt, grads)])
    np.testing.assert_allclose(ms, running_average(grads, 0.8), rtol=1e-12)


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9, 0.99])
def test_corrected_moment_is_running_average_with_corrected_decay(beta1):
    grads = random_gradients(9, steps=40, d=2)
    opt = adam(lr=0.01, beta1=beta1)
    m_hat = np.array([after.m / (1 - beta1 ** after.t) for *_, after in replay(opt, grads)])
    # note 001's study question: the corrected moment is a running average with debiased_gamma's decay
    np.testing.assert_allclose(running_average(grads, debiased_gamma(beta1)), m_hat, rtol=1e-10, atol=1e-12)


def test_corrected_decay_limits():
    gamma_t = debiased_gamma(0.9)
    assert float(gamma_t(1)) == 0.0
    assert float(gamma_t(500)) == pytest.approx(0.9, rel=1e-12)
    t = np.arange(1, 10)
    np.testing.assert_allclose([debiased_gamma(0.999999)(k) for k in t], (t - 1) / t, atol=1e-5)


def test_bias_bad_input():
    with pytest.raises(ValueError, match="beta"):
        bias_factor(1.0, 3)
    with pytest.raises(ValueError, match="t must"):
        bias_factor(0.9, 0)
    with pytest.raises(ValueError, match="std"):
        simulate_first_moment(0.9, 1.0, -1.0, 3)


# --------------------------------------------------------- Adam and Yogi

def test_spike_gradient_mean_over_a_period():
    g = spike_gradient(20, 20.0)
    values = [g(np.zeros(1), t, None)[0] for t in range(40)]
    assert np.mean(values) == pytest.approx(1 / 20)
    assert values[0] == values[20] == 20.0 and values.count(-1.0) == 38


def test_adam_goes_to_the_wrong_end_and_yogi_does_not():
    g = spike_gradient(20, 20.0)
    a = online_projected(adam(lr=0.1, beta1=0.9, beta2=0.9), g, [0.0], 2000)
    y = online_projected(yogi(lr=0.1, beta1=0.9, beta2=0.9, eps=1e-8), g, [0.0], 4000)
    s = online_projected(gd(lr=0.01), g, [0.0], 4000)
    assert a.xs[-400:].mean() > 0.8           # the worst point of the interval
    assert y.xs[-400:].mean() < -0.9          # near the best point, -1
    assert s.xs[-400:].mean() < -0.9
    assert np.all(np.abs(a.xs) <= 1.0)


def test_yogi_v_settles_near_the_spike_squared():
    y = online_projected(yogi(lr=0.1, beta1=0.9, beta2=0.9, eps=1e-8), spike_gradient(20, 20.0), [0.0], 2000)
    v = np.array([s.v[0] for s in y.states[-100:]])
    assert 300 < v.min() and v.max() < 500


def test_online_projected_bad_input():
    with pytest.raises(ValueError, match="x0"):
        online_projected(gd(lr=0.1), spike_gradient(), [2.0], 3)
    with pytest.raises(ValueError, match="low"):
        online_projected(gd(lr=0.1), spike_gradient(), [0.0], 3, low=1.0, high=-1.0)
    with pytest.raises(ValueError, match="period"):
        spike_gradient(1)


# ------------------------------------------------------------- first_step

def test_first_step_eps_inside_and_outside_by_hand():
    g, lr, eps = 1e-4, 0.01, 1e-6
    s = 0.1 * g * g
    inside = first_step(rmsprop(lr=lr, gamma=0.9, eps=eps, eps_in_sqrt=True), g)[0]
    outside = first_step(rmsprop(lr=lr, gamma=0.9, eps=eps), g)[0]
    assert inside == pytest.approx(-lr * g / math.sqrt(s + eps), rel=1e-12)
    assert outside == pytest.approx(-lr * g / (math.sqrt(s) + eps), rel=1e-12)


def test_adam_first_step_without_correction():
    step = first_step(adam(lr=1.0, bias_correction=False), 1.0)[0]
    assert step == pytest.approx(-0.1 / math.sqrt(0.001), rel=1e-6)


# -------------------------------------------------------------- exercises

def test_exercise_answers_by_hand():
    w = np.array([2.0, -1.0]) - 0.5 * np.array([1.0, 0.2]) / (np.sqrt([4.0, 0.04]) + 0.1)
    assert check("ada-adagrad-step", w.tolist())
    s = 0.9 * 1e-5 + 0.1 * 0.002 ** 2
    assert check("ada-rmsprop-step", -0.01 * 0.002 / math.sqrt(s + 1e-6))
    assert check("ada-rmsprop-step", "-0.00620")
    assert check("ada-bias-factor", 1 / (1 - 0.999 ** 10))
    assert check("ada-bias-factor", "100.5")
    assert check("ada-shrink-choice", "adagrad")


@pytest.mark.parametrize("key", ["ada-adagrad-step", "ada-rmsprop-step", "ada-bias-factor", "ada-shrink-choice"])
def test_exercise_mistakes_are_wrong_and_caught(key):
    ex = EXERCISES[key]
    for mistake in ex.known_mistakes():
        feedback = ex.check(mistake.value)
        assert not feedback.correct
        assert mistake.message in feedback.message
