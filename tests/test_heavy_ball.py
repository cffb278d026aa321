"""Tests of course_lib.heavy_ball: the two forms of momentum, rates on quadratics, note 002's Nesterov."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import ellipse, error_surface, gd, momentum, momentum_ema, nesterov, quadratic, rosenbrock, run
from course_lib.heavy_ball import (
    compare_forms,
    ema_lr,
    grid_search,
    heavy_ball_tuning,
    momentum_contraction,
    momentum_step,
    note002_nesterov,
    steps_to_tolerance,
    velocity_lr,
)
from course_lib.theory import gd_contraction

H_ELL = np.diag([0.2, 4.0])


# ------------------------------------------------------------ the two forms

def test_rate_conversion_by_hand_and_inverse():
    assert velocity_lr(0.3, 0.9) == pytest.approx(0.03)
    assert ema_lr(0.03, 0.9) == pytest.approx(0.3)
    assert velocity_lr(ema_lr(0.7, 0.25), 0.25) == pytest.approx(0.7)


@pytest.mark.parametrize("call", [lambda: velocity_lr(0.0, 0.5), lambda: velocity_lr(0.1, 1.0),
                                  lambda: ema_lr(-1.0, 0.5), lambda: ema_lr(0.1, -0.1)])
def test_rate_conversion_rejects_bad_input(call):
    with pytest.raises(ValueError, match="lr|beta"):
        call()


def _note001_velocity(objective, x0, steps, eta, gamma):
    """Note 001's formulas written out literally: V_t = γ V_{t-1} + η ∇J(W_{t-1}), W_t = W_{t-1} - V_t."""
    W, V, out = np.array(x0, float), np.zeros(len(x0)), [np.array(x0, float)]
    for _ in range(steps):
        V = gamma * V + eta * objective.gradient(W)
        W = W - V
        out.append(W)
    return np.array(out)


def _note001_average(objective, x0, steps, eta_prime, gamma):
    """M_t = γ M_{t-1} + (1 - γ) ∇J(W_{t-1}), W_t = W_{t-1} - η' M_t."""
    W, M, out = np.array(x0, float), np.zeros(len(x0)), [np.array(x0, float)]
    for _ in range(steps):
        M = gamma * M + (1 - gamma) * objective.gradient(W)
        W = W - eta_prime * M
        out.append(W)
    return np.array(out)


@pytest.mark.parametrize("objective, x0, lr, beta", [(ellipse(), [-5.0, -2.0], 0.03, 0.9),
                                                     (ellipse(), [-5.0, -2.0], 0.6, 0.5),
                                                     (rosenbrock(), [-1.2, 1.0], 1e-3, 0.9)])
def test_compare_forms_against_the_notes_formulas(objective, x0, lr, beta):
    c = compare_forms(objective, x0, 60, lr=lr, beta=beta)
    assert c.max_difference < 1e-12
    np.testing.assert_allclose(c.velocity.xs, _note001_velocity(objective, x0, 60, lr, beta), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(c.ema.xs, _note001_average(objective, x0, 60, lr / (1 - beta), beta),
                               rtol=1e-12, atol=1e-13)


def test_forms_differ_when_the_rate_is_not_converted():
    a = run(momentum(lr=0.6, beta=0.5), ellipse(), [-5.0, -2.0], 5)
    b = run(momentum_ema(lr=0.6, beta=0.5), ellipse(), [-5.0, -2.0], 5)
    assert np.max(np.abs(a.xs - b.xs)) > 0.1


def test_torch_sgd_is_the_velocity_form_and_dampening_is_not_the_average():
    torch = pytest.importorskip("torch")
    ell = ellipse()
    beta, eta_prime, steps = 0.5, 0.6, 8

    def torch_run(**kwargs):
        p = torch.tensor([-5.0, -2.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], **kwargs)
        xs = [p.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            (0.1 * p[0] ** 2 + 2 * p[1] ** 2).backward()
            opt.step()
            xs.append(p.detach().numpy().copy())
        return np.array(xs)

    ema = run(momentum_ema(lr=eta_prime, beta=beta), ell, [-5.0, -2.0], steps).xs
    np.testing.assert_allclose(torch_run(lr=velocity_lr(eta_prime, beta), momentum=beta), ema, rtol=1e-12)
    damp = torch_run(lr=eta_prime, momentum=beta, dampening=beta)
    # torch starts its buffer at g_0 itself: the first step is a full gradient step, not (1 - beta) of one
    np.testing.assert_allclose(damp[1], [-5.0, -2.0] - eta_prime * ell.gradient([-5.0, -2.0]))
    assert np.max(np.abs(damp - ema)) > 0.1


def test_debiased_first_step_is_a_gradient_step():
    ell = ellipse()
    t = run(momentum_ema(lr=0.3, beta=0.9, debias=True), ell, [-5.0, -2.0], 1)
    np.testing.assert_allclose(t.xs[1], run(gd(lr=0.3), ell, [-5.0, -2.0], 1).xs[1])


# ------------------------------------------------------------ quadratics

def test_contraction_by_hand():
    # beta = 0.5, eta = 0.6 on the ellipse: both directions have complex roots of modulus sqrt(0.5)
    assert float(momentum_contraction(H_ELL, 0.6, 0.5)) == pytest.approx(np.sqrt(0.5))
    # x2 direction, beta = 0.25: r^2 + 1.15 r + 0.25 = 0, larger root (1.15 + sqrt(0.3225)) / 2
    assert float(momentum_contraction(np.diag([4.0]), 0.6, 0.25)) == pytest.approx((1.15 + np.sqrt(0.3225)) / 2)


def test_contraction_with_zero_momentum_is_gradient_descent():
    lrs = np.linspace(0.05, 0.6, 12)
    for form in ["velocity", "ema", "nesterov"]:
        np.testing.assert_allclose(momentum_contraction(H_ELL, lrs, 0.0, form=form), gd_contraction(H_ELL, lrs))


def test_contraction_of_the_average_form_is_the_velocity_form_at_the_converted_rate():
    lrs, betas = np.meshgrid([0.1, 0.6, 1.2], [0.0, 0.5, 0.9])
    np.testing.assert_allclose(momentum_contraction(H_ELL, lrs, betas, form="ema"),
                               momentum_contraction(H_ELL, lrs * (1 - betas), betas))


def _observed_rate(opt, A, steps=800, window=120):
    """(envelope late / envelope early)^(1/gap): the envelope (max over a window) removes the oscillation."""
    q = quadratic(A)
    traj = run(opt, q, [1.0, -1.0, 0.5], steps, max_distance=1e12)
    err = np.linalg.norm(traj.xs, axis=1)
    early, late = err[-2 * window - 400:-2 * window - 400 + window].max(), err[-window:].max()
    return (late / early) ** (1.0 / (window + 400))


@pytest.mark.parametrize("lr, beta", [(0.2, 0.3), (0.4, 0.7), (0.05, 0.9), (0.45, 0.1), (0.6, 0.05)])
@pytest.mark.parametrize("form", ["velocity", "ema", "nesterov"])
def test_contraction_matches_simulated_runs(lr, beta, form):
    A = np.diag([0.3, 1.0, 3.0])
    make = {"velocity": momentum, "ema": momentum_ema, "nesterov": nesterov}[form]
    predicted = float(momentum_contraction(A, lr, beta, form=form))
    observed = _observed_rate(make(lr=lr, beta=beta), A)
    assert observed == pytest.approx(predicted, rel=2e-2)


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(0.01, 2.0), beta=st.floats(0.0, 0.99))
def test_contraction_is_at_least_sqrt_beta(lr, beta):
    # the two roots multiply to beta, so the larger has modulus at least sqrt(beta)
    assert float(momentum_contraction(H_ELL, lr, beta)) >= np.sqrt(beta) - 1e-12


def test_contraction_rejects_bad_input():
    with pytest.raises(ValueError, match="beta"):
        momentum_contraction(H_ELL, 0.1, 1.0)
    with pytest.raises(ValueError, match="lr"):
        momentum_contraction(H_ELL, 0.0, 0.5)
    with pytest.raises(ValueError, match="form"):
        momentum_contraction(H_ELL, 0.1, 0.5, form="adam")
    with pytest.raises(ValueError, match="positive definite"):
        momentum_contraction(np.diag([-1.0, 1.0]), 0.1, 0.5)


def test_tuning_by_hand_for_kappa_100():
    t = heavy_ball_tuning(np.diag([1.0, 100.0]))
    assert t.kappa == pytest.approx(100.0)
    assert t.beta == pytest.approx((9 / 11) ** 2)
    assert t.rate == pytest.approx(9 / 11)
    assert t.lr == pytest.approx(4 / 121)
    assert t.ema_lr == pytest.approx(t.lr / (1 - t.beta))
    assert t.gd_rate == pytest.approx(99 / 101)


def test_tuning_reaches_its_rate_and_no_neighbour_beats_it():
    t = heavy_ball_tuning(H_ELL)
    assert float(momentum_contraction(H_ELL, t.lr, t.beta)) == pytest.approx(t.rate, rel=1e-6)
    lrs, betas = np.meshgrid(t.lr * np.linspace(0.8, 1.2, 41), np.clip(t.beta + np.linspace(-0.1, 0.1, 41), 0, 0.99))
    assert np.min(momentum_contraction(H_ELL, lrs, betas)) >= t.rate - 1e-6


def test_tuning_of_a_round_bowl_is_newton():
    t = heavy_ball_tuning(np.eye(2) * 4.0)
    assert t.beta == pytest.approx(0.0) and t.lr == pytest.approx(0.25) and t.rate == pytest.approx(0.0)


# ------------------------------------------------------------ grid search

def test_steps_to_tolerance_by_hand():
    traj = run(gd(lr=0.25), quadratic(np.eye(1) * 2.0), [1.0], 10)     # error halves, loss quarters per step
    assert steps_to_tolerance(traj, 0.0, 0.25**3) == 3.0
    assert steps_to_tolerance(traj, 0.0, 1e-30) == np.inf


def test_grid_search_table_matches_single_runs():
    ell, x0 = ellipse(), [-5.0, -2.0]
    g = grid_search(ell, x0, [0.3, 0.6, 1.2], [0.0, 0.25, 0.5], steps=150, tol=1e-6)
    for i, lr in enumerate(g.lrs):
        for j, beta in enumerate(g.betas):
            traj = run(momentum(lr=lr, beta=beta), ell, x0, 150, max_distance=10)
            assert g.steps[i, j] == steps_to_tolerance(traj, 0.0, 1e-6)
    assert g.steps[1, 0] == np.inf                           # GD at 0.6 diverges
    assert g.best_steps == np.min(g.steps)
    i, j = list(g.lrs).index(g.best_lr), list(g.betas).index(g.best_beta)
    assert g.steps[i, j] == g.best_steps


def test_grid_search_rejects_bad_input():
    with pytest.raises(ValueError, match="betas"):
        grid_search(ellipse(), [1.0, 1.0], [0.1], [1.5], steps=10)
    with pytest.raises(ValueError, match="form"):
        grid_search(ellipse(), [1.0, 1.0], [0.1], [0.5], steps=10, form="heavy")


# ------------------------------------------------------------ the worked step

def test_worked_step_by_hand():
    E = error_surface()
    # gradient at (1.5, 2): (-1.5/2 + 2/6, -4/9 + 1.5/6) = (-5/12, -7/36)
    g = np.array([-5 / 12, -7 / 36])
    np.testing.assert_allclose(E.gradient([1.5, 2.0]), g)
    for beta in [0.6, 0.9]:
        expected = np.array([1.5, 2.0]) - 0.3 * g + beta * np.array([0.5, 1.0])
        np.testing.assert_allclose(momentum_step(E, [1.0, 1.0], [1.5, 2.0], lr=0.3, beta=beta), expected)
    ema = np.array([1.5, 2.0]) - 0.3 * 0.4 * g + 0.6 * np.array([0.5, 1.0])
    np.testing.assert_allclose(momentum_step(E, [1.0, 1.0], [1.5, 2.0], lr=0.3, beta=0.6, form="ema"), ema)


def test_worked_step_continues_a_momentum_run():
    E = error_surface()
    traj = run(momentum(lr=0.3, beta=0.6), E, [1.0, 1.0], 3)
    np.testing.assert_allclose(momentum_step(E, traj.xs[1], traj.xs[2], lr=0.3, beta=0.6), traj.xs[3])
    traj = run(momentum_ema(lr=0.3, beta=0.6), E, [1.0, 1.0], 3)
    np.testing.assert_allclose(momentum_step(E, traj.xs[1], traj.xs[2], lr=0.3, beta=0.6, form="ema"), traj.xs[3])


def test_worked_step_from_rest_is_a_gradient_step():
    E = error_surface()
    np.testing.assert_allclose(momentum_step(E, [1.5, 2.0], [1.5, 2.0], lr=0.3, beta=0.9),
                               run(gd(lr=0.3), E, [1.5, 2.0], 1).xs[1])


def test_worked_step_rejects_bad_input():
    with pytest.raises(ValueError, match="w"):
        momentum_step(error_surface(), [1.0], [1.5, 2.0], lr=0.3, beta=0.6)
    with pytest.raises(ValueError, match="form"):
        momentum_step(error_surface(), [1.0, 1.0], [1.5, 2.0], lr=0.3, beta=0.6, form="nesterov")


# ------------------------------------------------------------ note 002's Nesterov

def _note002_literal(objective, x0, steps, alpha, beta, c):
    """θ and u as note 002 writes them (second line with u_{t+1}); look-ahead θ_t - c α u_t."""
    theta, u, looks = np.array(x0, float), np.zeros(len(x0)), [np.array(x0, float)]
    for _ in range(steps):
        u = beta * u + (1 - beta) * objective.gradient(theta - c * alpha * u)
        theta = theta - alpha * u
        looks.append(theta - c * alpha * u)
    return np.array(looks)


@pytest.mark.parametrize("lookahead", ["printed", "corrected"])
def test_note002_nesterov_follows_the_formulas(lookahead):
    ros, beta, alpha = rosenbrock(), 0.9, 5e-3
    c = 1.0 if lookahead == "printed" else beta
    traj = run(note002_nesterov(alpha, beta, lookahead=lookahead), ros, [-1.2, 1.0], 40)
    np.testing.assert_allclose(traj.xs, _note002_literal(ros, [-1.2, 1.0], 40, alpha, beta, c), rtol=1e-10)


def test_corrected_note002_nesterov_is_torch_nesterov():
    ell = ellipse()
    a = run(note002_nesterov(0.6, 0.5, lookahead="corrected"), ell, [-5.0, -2.0], 60)
    b = run(nesterov(lr=velocity_lr(0.6, 0.5), beta=0.5), ell, [-5.0, -2.0], 60)
    np.testing.assert_allclose(a.xs, b.xs, rtol=1e-12, atol=1e-14)
    printed = run(note002_nesterov(0.6, 0.5), ell, [-5.0, -2.0], 60, max_distance=10)
    assert printed.diverged


def test_note002_nesterov_rejects_bad_input():
    with pytest.raises(ValueError, match="lookahead"):
        note002_nesterov(0.1, 0.5, lookahead="ahead")
    with pytest.raises(ValueError, match="beta"):
        note002_nesterov(0.1, 1.2)
