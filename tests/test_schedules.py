"""Learning-rate schedules: values by hand, purity, bad input, and their use by gd."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.optimizers import gd
from course_lib.schedules import constant, cosine, exponential, linear_decay, piecewise_constant, polynomial

# ============================================================================ values by hand

def test_constant():
    eta = constant(0.1)
    assert [eta(t) for t in (0, 1, 10**6)] == [0.1, 0.1, 0.1]


def test_piecewise_constant_switches_at_each_boundary():
    # values[0] for t < 10, values[1] for 10 <= t < 20, values[2] from 20 on
    eta = piecewise_constant([10, 20], [0.1, 0.01, 0.001])
    assert [eta(t) for t in (0, 9, 10, 19, 20, 10**6)] == [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    assert piecewise_constant([], [0.5])(123) == 0.5                 # no boundary: constant


def test_exponential():
    # η0 e^{-λt} with λ = ln 2 halves the rate every step: 2, 1, 1/2, 1/4, ...; λ = 0 is constant
    eta = exponential(2.0, math.log(2.0))
    assert [eta(t) for t in (0, 1, 2, 3)] == pytest.approx([2.0, 1.0, 0.5, 0.25], rel=1e-15)
    assert eta(10) == pytest.approx(2.0 / 1024, rel=1e-14)
    assert exponential(0.3, 0.0)(1000) == 0.3


def test_polynomial():
    # η0 (βt + 1)^{-α} with η0 = 1, α = 1/2, β = 0.1: t = 0 -> 1; t = 30 -> 4^{-1/2} = 1/2;
    # t = 90 -> 10^{-1/2}.  With α = 1, β = 1: η0/(t + 1).
    eta = polynomial(1.0, alpha=0.5, beta=0.1)
    assert eta(0) == 1.0
    assert eta(30) == pytest.approx(0.5, rel=1e-15)
    assert eta(90) == pytest.approx(10 ** -0.5, rel=1e-15)
    harmonic = polynomial(3.0, alpha=1.0, beta=1.0)
    assert [harmonic(t) for t in (0, 1, 2, 5)] == pytest.approx([3.0, 1.5, 1.0, 0.5], rel=1e-15)
    assert polynomial(0.7, alpha=0.0)(500) == 0.7                   # α = 0: constant


def test_linear_decay():
    # (1 - t/τ) η0 + (t/τ) η_τ for t ≤ τ, η_τ after. η0 = 1, η_τ = 0.01, τ = 100:
    # t = 50 (midway): the average (1 + 0.01)/2 = 0.505; t = 25: 0.75 + 0.0025 = 0.7525.
    eta = linear_decay(1.0, 0.01, tau=100)
    assert eta(0) == 1.0
    assert eta(25) == pytest.approx(0.7525, rel=1e-15)
    assert eta(50) == pytest.approx(0.505, rel=1e-15)
    assert eta(100) == pytest.approx(0.01, rel=1e-15)
    assert eta(101) == eta(10**6) == pytest.approx(0.01, rel=1e-15)


def test_cosine_without_warmup():
    # η_min + (η_max - η_min)/2 (1 + cos(π t/T)), T = 100:
    # t = 0 -> η_max; t = 50 -> (η_max + η_min)/2; t = 25 -> η_min + (η_max - η_min)(1 + √2/2)/2;
    # t = T -> η_min, and η_min ever after.
    eta = cosine(1.0, 100)
    assert eta(0) == 1.0
    assert eta(50) == pytest.approx(0.5, rel=1e-15)
    assert eta(25) == pytest.approx(0.5 + math.sqrt(2) / 4, rel=1e-15)
    assert eta(100) == pytest.approx(0.0, abs=1e-16)
    assert eta(101) == eta(10**6) == 0.0
    eta = cosine(1.0, 100, eta_min=0.2)
    assert eta(50) == pytest.approx(0.6, rel=1e-15)
    assert eta(100) == pytest.approx(0.2, rel=1e-15)
    assert eta(150) == 0.2


def test_cosine_with_warmup():
    # w = 10 warm-up steps: η_max (t+1)/w for t < 10, so the first step already uses η_max/w = 0.1
    # and step t = 9 reaches η_max. The decay then runs over T - w = 100 steps: its midpoint
    # t = 60 gives (η_max + η_min)/2 = 0.55, and t = T = 110 gives η_min.
    eta = cosine(1.0, 110, warmup_steps=10, eta_min=0.1)
    assert eta(0) == pytest.approx(0.1, rel=1e-15)
    assert eta(4) == pytest.approx(0.5, rel=1e-15)
    assert eta(9) == 1.0
    assert eta(10) == 1.0
    assert eta(60) == pytest.approx(0.55, rel=1e-15)
    assert eta(110) == pytest.approx(0.1, rel=1e-15)
    assert eta(111) == 0.1
    assert cosine(2.0, 5, warmup_steps=4)(0) == 0.5                 # η_max/w


# ============================================================================== properties

SCHEDULES = [
    constant(0.3),
    piecewise_constant([3, 50, 51, 1000], [1.0, 0.5, 0.2, 0.3, 0.01]),
    exponential(1.0, 0.01),
    polynomial(2.0, alpha=0.7, beta=0.3),
    linear_decay(1.0, 0.05, tau=300),
    cosine(1.0, 500),
    cosine(0.5, 700, warmup_steps=50, eta_min=0.01),
]
steps = st.lists(st.integers(0, 5000), min_size=1, max_size=40)


@settings(deadline=None, max_examples=100)
@given(ts=steps)
def test_a_schedule_is_a_pure_function_of_t(ts):
    for eta in SCHEDULES:
        forward = [eta(t) for t in ts]
        backward = [eta(t) for t in reversed(ts)][::-1]
        again = [eta(t) for t in ts]
        fresh = {t: eta(t) for t in sorted(set(ts))}
        assert forward == backward == again == [fresh[t] for t in ts], eta.__name__
        assert all(isinstance(v, float) for v in forward)


@settings(deadline=None, max_examples=100)
@given(t=st.integers(0, 5000))
def test_decaying_schedules_never_increase_and_stay_in_range(t):
    for eta in SCHEDULES[2:6]:
        assert 0.0 <= eta(t + 1) <= eta(t)
    warm = SCHEDULES[6]
    if t >= 50:                                       # after warm-up
        assert 0.01 <= warm(t + 1) <= warm(t) <= 0.5
    elif t == 49:       # the warm-up ends at the peak, where the cosine starts: held for two steps
        assert warm(49) == warm(50) == 0.5
    else:
        assert warm(t) < warm(t + 1) <= 0.5


@settings(deadline=None, max_examples=100)
@given(bounds=st.lists(st.integers(1, 200), min_size=0, max_size=6, unique=True).map(sorted),
       data=st.data())
def test_piecewise_constant_against_a_plain_scan(bounds, data):
    values = data.draw(st.lists(st.floats(1e-6, 10.0), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    eta = piecewise_constant(bounds, values)
    for t in range(0, 210):
        piece = 0
        for b in bounds:                              # count the boundaries already passed
            if t >= b:
                piece += 1
        assert eta(t) == values[piece]


# =================================================================================== bad input

@pytest.mark.parametrize("make, message", [
    (lambda: piecewise_constant([10, 10], [1.0, 0.5, 0.1]), "boundaries must be strictly increasing"),
    (lambda: piecewise_constant([20, 10], [1.0, 0.5, 0.1]), "boundaries must be strictly increasing"),
    (lambda: piecewise_constant([0, 10], [1.0, 0.5, 0.1]), "boundaries must be an integer >= 1"),
    (lambda: piecewise_constant([10], [0.1]), r"values must have one more entry than boundaries \(2\), got 1"),
    (lambda: piecewise_constant([10], [0.1, 0.2, 0.3]),
     r"values must have one more entry than boundaries \(2\), got 3"),
    (lambda: piecewise_constant([10], [0.1, -0.2]), r"values must be in \(0, inf\)"),
    (lambda: constant(0.0), r"value must be in \(0, inf\)"),
    (lambda: exponential(1.0, -0.1), r"lam must be in \[0, inf\)"),
    (lambda: exponential(0.0, 0.1), r"eta0 must be in \(0, inf\)"),
    (lambda: polynomial(1.0, alpha=-0.5), r"alpha must be in \[0, inf\)"),
    (lambda: polynomial(1.0, beta=0.0), r"beta must be in \(0, inf\)"),
    (lambda: linear_decay(1.0, 0.01, 0), "tau must be an integer >= 1"),
    (lambda: linear_decay(1.0, -0.01, 10), r"eta_tau must be in \(0, inf\)"),
    (lambda: cosine(1.0, 10, warmup_steps=10), r"total_steps must be larger than warmup_steps \(10\), got 10"),
    (lambda: cosine(1.0, 10, warmup_steps=20), r"total_steps must be larger than warmup_steps \(20\), got 10"),
    (lambda: cosine(1.0, 0), "total_steps must be an integer >= 1"),
    (lambda: cosine(1.0, 10, eta_min=1.0), r"eta_min must be in \[0, eta_max\)"),
    (lambda: cosine(1.0, 10, eta_min=2.0), r"eta_min must be in \[0, eta_max\)"),
    (lambda: cosine(1.0, 10, eta_min=-0.1), r"eta_min must be in \[0, eta_max\)"),
    (lambda: cosine(1.0, 10, warmup_steps=-1), "warmup_steps must be an integer >= 0"),
])
def test_bad_parameters_are_rejected_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("eta", SCHEDULES, ids=[s.__name__ for s in SCHEDULES])
@pytest.mark.parametrize("t", [-1, -100, 1.5, "3"])
def test_a_step_that_is_not_a_non_negative_integer_is_rejected(eta, t):
    with pytest.raises(ValueError, match="t must be an integer >= 0"):
        eta(t)


# ===================================================================== schedules drive gd

def test_gd_uses_eta_0_for_its_first_step_and_eta_t_for_step_t_plus_1():
    # eta = 1, 1/2, 1/4, 1/8 (halving); constant gradient g = 1 from x0 = 0:
    # x1 = -1, x2 = -1.5, x3 = -1.75, x4 = -1.875: step t+1 moves by eta(t).
    opt = gd(lr=piecewise_constant([1, 2, 3], [1.0, 0.5, 0.25, 0.125]))
    x, state, xs = np.array([0.0]), opt.init([0.0]), []
    for _ in range(5):
        x, state = opt.update(x, np.array([1.0]), state)
        xs.append(x[0])
    assert xs == [-1.0, -1.5, -1.75, -1.875, -2.0]
    assert state.t == 5
    # warm-up: cosine(2, 5, w=4) gives 0.5, 1, 1.5, 2 then the decay from 2;
    # with g = 2x on f = x² from x0 = 1: x1 = 1 - 0.5·2 = 0, and 0 stays 0.
    opt = gd(lr=cosine(2.0, 5, warmup_steps=4))
    x1, _ = opt.update(np.array([1.0]), np.array([2.0]), opt.init([1.0]))
    assert x1[0] == 0.0
    # the step counter, not the number of calls, selects the rate: replaying from a stored
    # state gives the same step again
    opt = gd(lr=exponential(1.0, math.log(2.0)))
    s0 = opt.init([0.0])
    _, s1 = opt.update(np.array([0.0]), np.array([1.0]), s0)
    a, _ = opt.update(np.array([0.0]), np.array([1.0]), s1)
    b, _ = opt.update(np.array([0.0]), np.array([1.0]), s1)
    assert a[0] == b[0] == pytest.approx(-0.5, rel=1e-15)
