"""Running averages (course_lib.averages): values by hand, properties, and the link to momentum_ema."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.averages import (
    bias_correction,
    debiased,
    debiased_gamma,
    effective_count,
    ema_weights,
    half_life,
    mean_age,
    mean_gamma,
    noisy_signal,
    running_average,
    steps_to_weight,
    total_weight,
)
from course_lib.exercises import EXERCISES, check
from course_lib.optimizers import momentum_ema

gammas = st.floats(0.0, 1.0)                          # closed: γ = 1 keeps C_0 for ever
open_gammas = st.floats(0.0, 0.999999)
values_lists = st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60)


# ---------------------------------------------------------------- by hand

def test_mean_gamma_by_hand():
    assert [mean_gamma(t) for t in (1, 2, 3, 10)] == [0.0, 0.5, 2 / 3, 0.9]
    # C_0 = 10 is forgotten at step 1; then the means 3, 5, 4, 5 of 3, 7, 2, 8
    np.testing.assert_allclose(running_average([3.0, 7.0, 2.0, 8.0], mean_gamma, c0=10.0), [3.0, 5.0, 4.0, 5.0],
                               rtol=1e-15)


def test_ema_weights_by_hand():
    # γ = 0.5, T = 3: C_3 = γ³ C_0 + γ²(1-γ) c_1 + γ(1-γ) c_2 + (1-γ) c_3
    assert ema_weights(0.5, 3).tolist() == [0.125, 0.125, 0.25, 0.5]
    np.testing.assert_allclose(ema_weights(0.9, 2), [0.81, 0.09, 0.1], rtol=1e-14)
    assert ema_weights(0.9, 0).tolist() == [1.0]                     # no values yet: C_0 itself
    assert ema_weights(0.0, 3).tolist() == [0.0, 0.0, 0.0, 1.0]      # γ = 0: only the newest value
    np.testing.assert_allclose(ema_weights(mean_gamma, 5), [0.0] + [0.2] * 5, rtol=1e-15)


def test_bias_of_a_moving_average_by_hand():
    # γ = 0.8 from 0 on 2, 4, 3: C = 0.4, 0.32 + 0.8 = 1.12, 0.896 + 0.6 = 1.496; 1 - 0.8³ = 0.488
    np.testing.assert_allclose(running_average([2.0, 4.0, 3.0], 0.8), [0.4, 1.12, 1.496], rtol=1e-14)
    np.testing.assert_allclose(debiased([2.0, 4.0, 3.0], 0.8), [2.0, 1.12 / 0.36, 1.496 / 0.488], rtol=1e-14)
    np.testing.assert_allclose(total_weight(0.8, np.array([1, 2, 3])), [0.2, 0.36, 0.488], rtol=1e-14)
    assert bias_correction(0.8, 3) == pytest.approx(1 / 0.488, rel=1e-14)
    assert total_weight(0.9, 0) == 0.0


def test_debiased_gamma_by_hand_and_its_limit_is_the_mean():
    g = debiased_gamma(0.5)
    # 0, 0.5 · (1 - 0.5) / (1 - 0.25) = 1/3, 0.5 · 0.75 / 0.875 = 3/7
    assert [g(t) for t in (1, 2, 3)] == pytest.approx([0.0, 1 / 3, 3 / 7], rel=1e-15)
    near_one = debiased_gamma(1 - 1e-7)
    for t in range(1, 20):
        assert near_one(t) == pytest.approx(mean_gamma(t), abs=1e-5)


def test_effective_count_and_its_readings():
    assert effective_count(0.9) == pytest.approx(10.0, rel=1e-14)
    assert effective_count(0.95) == pytest.approx(20.0, rel=1e-14)
    assert effective_count(0.0) == 1.0
    # mean age of a long average: Σ k γ^k (1-γ) = γ/(1-γ)
    for g in (0.5, 0.9, 0.95):
        assert mean_age(g) == pytest.approx(g / (1 - g), rel=1e-9)
        assert mean_age(g) + 1 == pytest.approx(effective_count(g), rel=1e-9)
    # two values, ages 1 and 0 with weights γ(1-γ) and 1-γ: mean age γ/(1+γ)
    assert mean_age(0.5, 2) == pytest.approx(1 / 3, rel=1e-14)
    # the newest 1/(1-β) values carry about 1 - 1/e of the weight, more as β falls
    assert total_weight(0.99, 100) == pytest.approx(1 - math.exp(-1), abs=2e-3)
    assert total_weight(0.9, 10) == pytest.approx(1 - 0.9 ** 10, rel=1e-14)
    assert half_life(0.5) == 1.0
    assert 0.9 ** half_life(0.9) == pytest.approx(0.5, rel=1e-14)
    assert half_life(0.999) == pytest.approx(math.log(2) * 1000, rel=1e-3)


def test_steps_to_weight_by_hand():
    # 0.999^692 = 0.50034 > 1/2 > 0.999^693 = 0.49984
    assert 0.999 ** 692 > 0.5 > 0.999 ** 693
    assert steps_to_weight(0.999, 0.5) == 693
    assert steps_to_weight(0.5, 0.5) == 1                       # 1 - 0.5 = 0.5 exactly
    assert steps_to_weight(0.5, 0.75) == 2 and steps_to_weight(0.5, 0.76) == 3
    assert steps_to_weight(0.0, 0.99) == 1


@settings(deadline=None, max_examples=200)
@given(gamma=st.floats(0.01, 0.9999), fraction=st.floats(0.001, 0.999))
def test_steps_to_weight_is_the_first_step_that_gets_there(gamma, fraction):
    t = steps_to_weight(gamma, fraction)
    assert 1 - gamma ** t >= fraction
    assert t == 1 or 1 - gamma ** (t - 1) < fraction


# ---------------------------------------------------------------- properties

@settings(deadline=None, max_examples=200)
@given(gamma=gammas, T=st.integers(0, 400))
def test_weights_sum_to_one(gamma, T):
    w = ema_weights(gamma, T)
    assert w.shape == (T + 1,) and np.all(w >= 0)
    assert math.fsum(w) == pytest.approx(1.0, abs=1e-12)


@settings(deadline=None, max_examples=100)
@given(gs=st.lists(st.floats(0.0, 1.0), min_size=0, max_size=50))
def test_weights_of_a_step_dependent_gamma_sum_to_one(gs):
    w = ema_weights(lambda t: gs[t - 1], len(gs))
    assert math.fsum(w) == pytest.approx(1.0, abs=1e-12)


@settings(deadline=None, max_examples=150)
@given(gamma=gammas, c0=st.floats(-1e6, 1e6), cs=values_lists)
def test_running_average_is_the_weighted_sum_of_its_weights(gamma, c0, cs):
    # two computations: the recursion, and the unrolled sum w_0 C_0 + Σ w_t c_t
    C = running_average(cs, gamma, c0=c0)
    for T in range(1, len(cs) + 1):
        w = ema_weights(gamma, T)
        expected = math.fsum(w * np.r_[c0, cs[:T]])
        scale = max(abs(c0), max(abs(v) for v in cs[:T]))
        assert C[T - 1] == pytest.approx(expected, rel=1e-9, abs=1e-10 * scale + 1e-300)


@settings(deadline=None, max_examples=200)
@given(gamma=st.floats(0.0, 1.0, exclude_max=True), c=st.floats(allow_nan=False, allow_infinity=False),
       n=st.integers(1, 300))
def test_debiased_average_of_a_constant_is_the_constant_exactly(gamma, c, n):
    assert np.all(debiased(np.full(n, c), gamma) == c)


@settings(deadline=None, max_examples=150)
@given(gamma=open_gammas, cs=values_lists)
def test_debiased_is_the_raw_average_divided_by_the_total_weight(gamma, cs):
    t = np.arange(1, len(cs) + 1)
    raw = running_average(cs, gamma)
    scale = max(abs(v) for v in cs)
    # dividing by a small 1 - γ^t magnifies the raw average's rounding error, relative to the scale of c
    np.testing.assert_allclose(debiased(cs, gamma), raw * bias_correction(gamma, t), rtol=1e-9,
                               atol=1e-9 * scale * bias_correction(gamma, 1) + 1e-300)


@settings(deadline=None, max_examples=150)
@given(gamma=open_gammas, T=st.integers(1, 200), n=st.integers(0, 200))
def test_total_weight_is_the_weight_on_the_newest_values(gamma, T, n):
    n = min(n, T)
    w = ema_weights(gamma, T)
    newest = math.fsum(w[T - n + 1:]) if n else 0.0
    assert total_weight(gamma, n) == pytest.approx(newest, abs=1e-12)


@settings(deadline=None, max_examples=100)
@given(lr=st.floats(1e-3, 10.0), beta=st.floats(0.0, 0.99),
       gs=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=40))
def test_momentum_ema_with_debias_steps_along_the_debiased_average(lr, beta, gs):
    # momentum_ema(debias=True) moves by -lr times the bias-corrected average of the gradients so far
    opt = momentum_ema(lr=lr, beta=beta, debias=True)
    x = np.zeros(1)
    state = opt.init(x)
    steps = []
    for g in gs:
        x_next, state = opt.update(x, np.array([g]), state)
        steps.append((x - x_next)[0] / lr)
        x = x_next
    scale = max(abs(v) for v in gs)
    # (+1e-300: values near the smallest floats underflow to subnormals or 0)
    np.testing.assert_allclose(steps, debiased(gs, beta), rtol=1e-9,
                               atol=1e-9 * scale * (1 + 1 / (1 - beta)) + 1e-300)


def test_noisy_signal_is_seeded():
    a, b = noisy_signal(50, seed=3), noisy_signal(50, seed=3)
    assert np.array_equal(a, b) and not np.array_equal(a, noisy_signal(50, seed=4))
    assert np.array_equal(noisy_signal(5, seed=np.random.default_rng(7)), noisy_signal(5, seed=7))
    assert np.all(noisy_signal(4, level=2.5, sigma=0.0) == 2.5)
    long = noisy_signal(20_000, level=1.0, sigma=0.5, seed=0)
    assert long.mean() == pytest.approx(1.0, abs=0.02) and long.std() == pytest.approx(0.5, rel=0.03)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, message", [
    (lambda: mean_gamma(0), r"t must be an integer >= 1"),
    (lambda: ema_weights(1.5, 3), r"gamma must be in \[0, 1\]"),
    (lambda: ema_weights(0.5, -1), r"T must be an integer >= 0"),
    (lambda: ema_weights(lambda t: 2.0, 2), r"gamma\(1\) must be in \[0, 1\]"),
    (lambda: total_weight(1.0, 2), r"gamma must be in \[0, 1\)"),
    (lambda: total_weight(0.5, np.array([1, -1])), r"n must be integers >= 0"),
    (lambda: bias_correction(0.9, 0), r"t must be an integer >= 1"),
    (lambda: debiased([1.0], 1.0), r"gamma must be in \[0, 1\)"),
    (lambda: effective_count(1.0), r"beta must be in \[0, 1\)"),
    (lambda: mean_age(0.5, 0), r"T must be an integer >= 1"),
    (lambda: half_life(0.0), r"gamma must be in \(0, 1\)"),
    (lambda: steps_to_weight(0.9, 1.0), r"fraction must be in \(0, 1\)"),
    (lambda: noisy_signal(0), r"n must be an integer >= 1"),
    (lambda: noisy_signal(3, sigma=-1.0), r"sigma must be in \[0, inf\)"),
    (lambda: running_average([1.0], 0.5, c0=math.nan), r"c0 must be"),
    (lambda: running_average(1.0, 0.5), r"values must be a sequence"),
])
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- the chapter's exercises

def test_exercise_answers_by_hand():
    assert EXERCISES["avg-mean"].answer.tolist() == [5.0]                      # (3 + 7 + 2 + 8) / 4
    assert EXERCISES["avg-effective-count"].answer == pytest.approx([20.0])    # 1 / 0.05
    assert EXERCISES["avg-debiased"].answer == pytest.approx([1.496 / 0.488], rel=1e-12)
    assert EXERCISES["avg-half-bias"].answer.tolist() == [693.0]
    assert check("avg-debiased", "3.07").correct and check("avg-mean", "5").correct
    assert "1 − β³" in check("avg-debiased", 1.496).message
    assert "β_1 = 0" in check("avg-mean", 6).message
    # a whole number of steps: 693 is right, the half-life 692.8 and the step before are not
    assert check("avg-half-bias", "693").correct
    assert not check("avg-half-bias", "692.8").correct
    assert "half-life" in check("avg-half-bias", "692.8").message
    assert not check("avg-half-bias", "692.6").correct
    assert "one step short" in check("avg-half-bias", "692").message
