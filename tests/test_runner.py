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
