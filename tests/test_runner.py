"""run(): trajectories, divergence detection without warnings, and bad input."""

import warnings

import numpy as np
import pytest

from course_lib import ellipse, gd, parabola, rosenbrock, run


def test_trajectory_records_iterates_values_and_gradient_norms():
    traj = run(gd(lr=0.05), parabola(), x0=10.0, steps=10)
    expected = 10.0 * 0.9 ** np.arange(11)
    np.testing.assert_allclose(traj.xs[:, 0], expected, rtol=1e-13)
    np.testing.assert_allclose(traj.values, expected**2, rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, 2 * expected, rtol=1e-13)
    assert not traj.diverged and traj.diverged_at is None and traj.steps == 10
    assert traj.summary().startswith("gd(lr=0.05): after 10 steps x = (3.48678)")


def test_divergence_is_reported_at_the_right_step_without_warnings():
    # x_t = 10 (-1.2)^t; the run stops at the first t with |x_t - 10| > 1e6 * (1 + 10)
    t_expected = next(t for t in range(1, 200) if abs(10 * (-1.2) ** t - 10) > 1.1e7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(gd(lr=1.1), parabola(), x0=10.0, steps=1000)
    assert traj.diverged and traj.diverged_at == t_expected
    assert traj.steps == t_expected - 1
    assert np.all(np.isfinite(traj.xs))
    assert "diverged at step" in traj.summary()


def test_overflow_to_infinity_is_caught_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(gd(lr=0.5), rosenbrock(), x0=[3.0, -3.0], steps=100, max_distance=1e300)
    assert traj.diverged
    assert np.all(np.isfinite(traj.xs)) and np.all(np.isfinite(traj.values))


def test_gd_below_two_over_lambda_max_converges_on_the_ellipse():
    traj = run(gd(lr=0.45), ellipse(), x0=[-5.0, -2.0], steps=400)
    assert not traj.diverged and np.linalg.norm(traj.x) < 1e-6


def test_zero_steps_returns_the_start():
    traj = run(gd(lr=0.1), ellipse(), x0=[1.0, 2.0], steps=0)
    np.testing.assert_array_equal(traj.xs, [[1.0, 2.0]])
    assert traj.values[0] == pytest.approx(0.1 + 8.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x0=[np.nan, 1.0]), "x0 must contain only finite"),
        (dict(x0=[1.0, 2.0, 3.0]), r"x0 must have shape \(2,\)"),
        (dict(x0="start"), "x0 must be a number or a sequence"),
        (dict(steps=-1), "steps must be an integer >= 0"),
        (dict(steps=2.5), "steps must be an integer"),
        (dict(max_distance=0.0), r"max_distance must be in \(0, inf\)"),
    ],
)
def test_bad_input_to_run_raises_value_error(kwargs, message):
    args = dict(opt=gd(lr=0.1), objective=ellipse(), x0=[1.0, 1.0], steps=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        run(**args)


def test_run_rejects_things_that_are_not_optimizers_or_objectives():
    with pytest.raises(ValueError, match="opt must be an Optimizer"):
        run(0.1, ellipse(), [1.0, 1.0], 5)
    with pytest.raises(ValueError, match="objective must be an Objective"):
        run(gd(lr=0.1), lambda x: x, [1.0, 1.0], 5)


# ------------------------------------------------ stochastic, long, and broken runs

def _noisy(x, t, rng):
    return 2.0 * x + rng.standard_normal(x.shape)      # the parabola's gradient plus N(0, 1) noise


def test_the_same_seed_gives_the_same_stochastic_trajectory():
    a = run(gd(lr=0.1), parabola(), 10.0, 100, gradient=_noisy, seed=7)
    b = run(gd(lr=0.1), parabola(), 10.0, 100, gradient=_noisy, seed=7)
    c = run(gd(lr=0.1), parabola(), 10.0, 100, gradient=_noisy, seed=8)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.array_equal(a.xs, c.xs)
    # By hand: x_{t+1} = x_t - 0.1 (2 x_t + z_t) with the generator's z_0, z_1, ...
    z = np.random.default_rng(7).standard_normal(100)
    x = 10.0
    for t in range(100):
        x = x - 0.1 * (2.0 * x + z[t])
    assert a.x[0] == pytest.approx(x, rel=1e-12)


def test_the_gradient_is_told_the_step():
    seen = []
    run(gd(lr=0.1), parabola(), 1.0, 5, gradient=lambda x, t, rng: seen.append(t) or 2.0 * x)
    assert seen == [0, 1, 2, 3, 4, 5]


def test_long_runs_keep_every_kth_iterate_and_the_last():
    full = run(gd(lr=1e-3), rosenbrock(), [-1.2, 1.0], 1000)
    thin = run(gd(lr=1e-3), rosenbrock(), [-1.2, 1.0], 1000, record_every=300)
    np.testing.assert_array_equal(thin.ts, [0, 300, 600, 900, 1000])
    np.testing.assert_array_equal(thin.xs, full.xs[thin.ts])
    np.testing.assert_array_equal(thin.values, full.values[thin.ts])
    assert thin.steps == full.steps == 1000
    with pytest.raises(ValueError, match="record_every must be an integer >= 1"):
        run(gd(), rosenbrock(), [0.0, 0.0], 10, record_every=0)


def test_converged_says_the_run_stopped_at_the_tolerance():
    traj = run(gd(lr=0.25), parabola(), 10.0, 1000, tol=1e-6)
    assert traj.converged and not traj.diverged and traj.grad_norms[-1] <= 1e-6
    assert traj.steps == next(t for t in range(100) if 2 * 10 * 0.5 ** t <= 1e-6)
    assert traj.summary().startswith("gd(lr=0.25): converged after")
    assert not run(gd(lr=0.01), parabola(), 10.0, 10, tol=1e-6).converged


def _sqrt_abs():
    from course_lib import Objective
    return Objective("sqrt|x|", 1, f=lambda x: np.sqrt(np.abs(x[0])),
                     grad=lambda x: np.array([0.5 * np.sign(x[0]) / np.sqrt(np.abs(x[0]))]))


def test_a_non_finite_gradient_at_the_last_step_is_divergence():
    # x_1 = 1 - 2 * 0.5 = 0, where the gradient of sqrt|x| is 0/0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(gd(lr=2.0), _sqrt_abs(), 1.0, 1)
    assert traj.diverged and traj.diverged_at == 1 and traj.steps == 0
    assert np.all(np.isfinite(traj.grad_norms))


def test_a_point_with_a_non_finite_gradient_is_not_kept():
    # Same as for a blown-up iterate: the last kept point is the step before.
    traj = run(gd(lr=2.0), _sqrt_abs(), 1.0, 10)
    assert traj.diverged_at == 1 and traj.steps == traj.diverged_at - 1


def test_a_loss_without_hessian_trains_with_first_order_methods_only():
    from course_lib import Objective, newton
    plain = Objective("loss", 2, f=lambda x: float(x @ x), grad=lambda x: 2.0 * x)
    assert run(gd(lr=0.25), plain, [1.0, 1.0], 3).steps == 3
    with pytest.raises(ValueError, match=r"newton\(lr=1.0\) needs the hessian, which loss does not provide"):
        run(newton(), plain, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match="loss has no Hessian"):
        plain.hessian([1.0, 1.0])


def test_a_gradient_of_the_wrong_shape_is_reported():
    with pytest.raises(ValueError, match=r"the gradient has shape \(3,\) but x has shape \(2,\)"):
        run(gd(), ellipse(), [1.0, 1.0], 3, gradient=lambda x, t, rng: np.ones(3))
    with pytest.raises(ValueError, match="gradient must be a function"):
        run(gd(), ellipse(), [1.0, 1.0], 3, gradient=1.0)


def test_an_exactly_zero_gradient_ends_the_run_even_without_a_tolerance():
    # Newton lands on the ellipse's minimizer in one step; the gradient there is exactly 0.
    from course_lib import momentum, newton
    traj = run(newton(), ellipse(), [-5.0, -2.0], 50)
    assert traj.steps == 1 and traj.converged and traj.grad_norms[-1] == 0.0
    # momentum would otherwise coast on: it must stop where the gradient first vanishes
    from course_lib import Objective
    flat_after_one = Objective("step", 1, f=lambda x: float(abs(x[0] - 1.0) > 0.5), grad=lambda x: np.zeros(1))
    assert run(momentum(lr=0.1), flat_after_one, 0.0, 100).steps == 0


@pytest.mark.parametrize("steps", [0, 1, 63, 64, 65, 130])
def test_block_boundaries_change_nothing(steps):
    from course_lib import adam
    full = run(adam(lr=0.05), rosenbrock(), [-1.2, 1.0], steps)
    assert full.steps == steps and len(full.xs) == steps + 1
    # the same iterates one step at a time, by update
    opt, x = adam(lr=0.05), np.array([-1.2, 1.0])
    state = opt.init(x)
    for t in range(steps):
        x, state = opt.update(x, rosenbrock().gradient(x), state)
        np.testing.assert_array_equal(full.xs[t + 1], x)
    np.testing.assert_allclose(full.grad_norms, [np.linalg.norm(rosenbrock().gradient(p)) for p in full.xs], rtol=1e-12)


def test_divergence_inside_a_block_is_found_at_its_step():
    for steps in (10, 70, 200):
        traj = run(gd(lr=1.1), parabola(), 10.0, steps, max_distance=10)
        expected = next(t for t in range(1, 200) if abs(10 * (-1.2) ** t - 10) > 10 * 11)
        if steps >= expected:
            assert traj.diverged_at == expected and traj.steps == expected - 1
        else:
            assert not traj.diverged and traj.steps == steps


def test_a_tiny_gradient_is_not_rounded_to_zero():
    # x = 1e-170 on x²: the gradient 2e-170 is tiny but not zero, and its square underflows.
    traj = run(gd(lr=0.1), parabola(), 1e-170, 3)
    assert traj.steps == 3 and not traj.converged
    np.testing.assert_allclose(traj.grad_norms, 2e-170 * 0.8 ** np.arange(4), rtol=1e-12)
    # and a huge finite gradient is not inf (3e200, 4e200 -> 5e200)
    from course_lib.runner import _row_norms
    np.testing.assert_allclose(_row_norms(np.array([[3e200, 4e200], [3e-200, 4e-200]])), [5e200, 5e-200],
                               rtol=1e-15)


def test_tol_none_takes_every_step_through_a_zero_gradient():
    # heavy ball, eta = 0.5, beta = 0.9 on x² from 10 (by hand): u1 = 20, x1 = 0 where the gradient
    # is exactly 0; then u2 = 18, x2 = -9; u3 = 0.9 * 18 - 18 = -1.8, x3 = -8.1.
    from course_lib import momentum
    coasting = run(momentum(lr=0.5, beta=0.9), parabola(), 10.0, 3, tol=None)
    np.testing.assert_allclose(coasting.xs[:, 0], [10.0, 0.0, -9.0, -8.1], rtol=1e-15)
    assert coasting.steps == 3 and not coasting.converged
    stopped = run(momentum(lr=0.5, beta=0.9), parabola(), 10.0, 3)          # default: stop at g = 0
    assert stopped.steps == 1 and stopped.converged
