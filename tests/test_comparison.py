"""The learning-rate tuner and the side-by-side comparison (course_lib.comparison)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import adam, ellipse, gd, momentum, newton, parabola, quadratic, rosenbrock, run, saddle
from course_lib.comparison import (
    Trial,
    compare,
    comparison_table,
    course_optimizers,
    course_problems,
    progress,
    rate_grid,
    tune_learning_rate,
)
from course_lib.theory import gd_learning_rates

# ------------------------------------------------------------------ the grid

def test_rate_grid_is_powers_of_ten_to_the_k_over_n():
    grid = rate_grid()
    assert len(grid) == 16 and grid[0] == 1e-4 and grid[-1] == 10.0 and 1.0 in grid and 0.1 in grid
    np.testing.assert_allclose(np.diff(np.log10(grid)), 1 / 3, rtol=1e-10)
    np.testing.assert_allclose(rate_grid(1.0, 100.0, per_decade=2), [1.0, 10**0.5, 10.0, 10**1.5, 100.0])
    fine = rate_grid(0.3, 0.31, per_decade=1000)
    k = 1000 * np.log10(fine)
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)          # every rate is 10^(k/1000)
    assert fine[0] >= 0.3 and fine[-1] <= 0.31 and 0.3 / fine[0] > 10 ** -0.001 and 0.31 / fine[-1] < 10 ** 0.001


@pytest.mark.parametrize("kwargs, word", [
    (dict(low=0.0), "low"), (dict(low=-1.0), "low"), (dict(high=math.inf), "high"),
    (dict(low=1.0, high=0.5), "high"), (dict(per_decade=0), "per_decade"), (dict(per_decade=1.5), "per_decade"),
    (dict(low=0.2, high=0.3, per_decade=1), "no rate"),
])
def test_rate_grid_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        rate_grid(**kwargs)


# ------------------------------------------------- the tuner against theory

@pytest.mark.parametrize("a", [0.05, 0.5, 5.0])
def test_gd_on_a_parabola_picks_one_over_the_curvature(a):
    """f = a x², f'' = 2a: the rate 1/(2a) lands on the minimum in one step (theory.axis_optimal)."""
    f = parabola(a)
    best = gd_learning_rates(f.hessian([0.0])).axis_optimal[0]
    assert best in rate_grid()                          # 10, 1 and 0.1 are grid points
    tuned = tune_learning_rate(gd, f, x0=3.0, steps=300)
    assert tuned.lr == pytest.approx(best, rel=1e-12)
    assert tuned.reached == 1 and tuned.value < 1e-25     # 0 up to rounding of 1 - 2a·lr
    # above 2/f'' every rate diverges; a run at exactly 2/f'' (not on the grid) would bounce for ever
    for trial in tuned.trials:
        assert trial.diverged == (trial.lr > 2 * best)


@settings(max_examples=30, deadline=None)
@given(st.integers(-9, 0), st.floats(0.1, 100.0), st.sampled_from([-1.0, 1.0]))
def test_property_gd_picks_the_curvature_rate_whatever_the_start(k, x0, sign):
    lam = 1.0 / 10 ** (k / 3)                           # so that 1/λ = 10^(k/3) is on the grid
    f = quadratic([[lam]])
    tuned = tune_learning_rate(gd, f, x0=sign * x0, steps=200, grid=rate_grid(1e-4, 10.0))
    assert tuned.lr == pytest.approx(10 ** (k / 3), rel=1e-9)
    assert tuned.reached == 1


def test_gd_on_the_ellipse_picks_the_stable_grid_point_nearest_the_best_rate():
    """2/(λmin + λmax) = 0.476 is not on the grid; 1.0 diverges; 0.464 is the best stable point."""
    report = gd_learning_rates(ellipse().hessian([0.0, 0.0]))
    tuned = tune_learning_rate(gd, ellipse(), [-1.8, 2.5], steps=500)
    stable = [t.lr for t in tuned.trials if not t.diverged]
    assert max(stable) < report.max_stable <= min(t.lr for t in tuned.trials if t.diverged)
    assert tuned.lr == pytest.approx(10 ** (-1 / 3), rel=1e-9)
    assert abs(tuned.lr - report.best) == min(abs(r - report.best) for r in stable)


def test_the_winner_is_the_best_by_an_independent_brute_force():
    """Recompute every trial with plain `run` calls and apply the criterion by hand."""
    f, x0, steps, target = rosenbrock(), [-1.2, 1.0], 800, 1e-3
    grid = rate_grid(1e-3, 1.0)
    tuned = tune_learning_rate(lambda lr: adam(lr=lr), f, x0, steps=steps, target=target, grid=grid)
    best_key, best_lr = None, None
    for lr in grid:
        traj = run(adam(lr=lr), f, x0, steps)
        below = [i for i, v in enumerate(traj.values) if v <= target]
        if below:
            key = (0, int(traj.ts[below[0]]), traj.values[below[0]], lr)
        elif traj.diverged:
            continue
        else:
            key = (1, 0, traj.values[-1], lr)
        if best_key is None or key < best_key:
            best_key, best_lr = key, lr
    assert tuned.lr == best_lr and tuned.reached == best_key[1]
    # the stored trajectory stops at the target step, and path() repeats it (thinned)
    assert tuned.trajectory.steps == tuned.reached and tuned.trajectory.values[-1] <= target
    assert np.all(tuned.trajectory.values[:-1] > target)
    thin = tuned.path(record_every=50)
    assert thin.steps == tuned.reached and len(thin.xs) <= tuned.reached // 50 + 2
    np.testing.assert_array_equal(thin.x, tuned.trajectory.x)


def test_a_diverged_rate_never_wins_even_when_its_last_value_is_lowest():
    """Momentum at a too large rate: its record ends with small values before the blow-up, yet it loses."""
    f = quadratic([[1.0]])
    tuned = tune_learning_rate(lambda lr: momentum(lr=lr, beta=0.9), f, 1.0, steps=400,
                               grid=[1e-3, 3.9, 5.0], tol=1e-300)
    by_lr = {t.lr: t for t in tuned.trials}
    assert by_lr[5.0].diverged and not by_lr[1e-3].diverged
    assert tuned.lr != 5.0
    for t in tuned.trials:
        if t.lr == tuned.lr:
            assert not t.diverged


def test_every_rate_diverging_gives_a_clear_result():
    tuned = tune_learning_rate(gd, parabola(1.0), 1.0, steps=200, grid=[2.0, 5.0, 10.0], name="gd")
    assert tuned.diverged and tuned.lr is None and tuned.trajectory is None and tuned.trial is None
    assert tuned.outcome == "every rate diverged" and math.isnan(tuned.value) and tuned.n_stable == 0
    assert "every rate diverged" in comparison_table([tuned])
    with pytest.raises(ValueError, match="every rate diverged"):
        tuned.path()
    assert all(t.diverged_at is not None for t in tuned.trials)


def test_newton_breakdown_counts_as_diverged_not_as_a_crash():
    """At α = 10 Newton's iterates on Rosenbrock reach a singular Hessian: the trial is a breakdown."""
    tuned = tune_learning_rate(newton, rosenbrock(), [-1.2, 1.0], steps=300, tol=1e-6)
    assert tuned.lr == 1.0 and tuned.reached is not None and tuned.reached < 10
    assert any(t.diverged and t.diverged_at is None for t in tuned.trials)


def test_newton_goes_to_the_saddle_and_never_escapes():
    p = course_problems()["saddle"]
    tuned = tune_learning_rate(newton, p.objective, p.x0, steps=p.steps, target=p.target,
                               max_distance=p.max_distance)
    assert tuned.n_reached == 0 and tuned.reached is None
    assert tuned.value == pytest.approx(0.0, abs=1e-12)      # it sits on the saddle point, f = 0


def test_saddle_escape_counts_against_the_closed_form():
    """GD on x1² − x2²: x1 is multiplied by 1 − 2η and x2 by 1 + 2η at every step."""
    p = course_problems()["saddle"]
    for lr in [0.01, 0.1, 0.215443469003]:
        t = np.arange(1000)
        f = (p.x0[0] * (1 - 2 * lr) ** t) ** 2 - (p.x0[1] * (1 + 2 * lr) ** t) ** 2
        expected = int(np.argmax(f <= -1.0))
        tuned = tune_learning_rate(gd, saddle(), p.x0, steps=1000, target=-1.0, grid=[lr], max_distance=1e6)
        assert tuned.reached == expected


def test_ties_go_to_the_smaller_rate():
    """Trial.rank: same steps and value, the smaller rate first; reached beats not reached."""
    a, b = Trial(0.1, 5, 1e-9, False, None), Trial(1.0, 5, 1e-9, False, None)
    c = Trial(0.01, None, 1e-12, False, None)
    assert sorted([b, c, a], key=Trial.rank) == [a, b, c]


def test_compare_runs_every_course_optimizer_in_order():
    names = list(course_optimizers())
    assert names == ["gd", "momentum", "momentum_ema", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                     "adamw", "yogi", "newton"]
    rows = compare(ellipse(), [-1.8, 2.5], steps=100, grid=[0.1, 1.0])
    assert [r.name for r in rows] == names
    newton_row = rows[-1]
    assert newton_row.lr == 1.0 and newton_row.reached == 1
    table = comparison_table(rows)
    assert len(table.splitlines()) == 12 and "newton" in table.splitlines()[-1]
    narrow = comparison_table(rows, outcome=False).splitlines()
    assert len(narrow) == 12 and "outcome" not in narrow[0]
    assert max(map(len, narrow)) <= 72


def test_momentum_ema_ties_with_momentum_at_the_rescaled_rate():
    """momentum_ema(lr) has the iterates of momentum(lr (1 - β)): with β = 0.9 the grids line up."""
    p = course_problems()["Rosenbrock"]
    opts = {k: course_optimizers()[k] for k in ("momentum", "momentum_ema")}
    rows = compare(p.objective, p.x0, steps=800, target=p.target, optimizers=opts, grid=rate_grid(1e-4, 1.0))
    assert rows[1].lr == pytest.approx(10 * rows[0].lr) and rows[0].reached == rows[1].reached


def test_progress_is_relative_distance_to_the_target():
    traj = run(gd(lr=0.25), parabola(), 2.0, 3)
    np.testing.assert_allclose(progress(traj, 0.0), [1.0, 0.25, 0.0625, 0.015625])
    np.testing.assert_allclose(progress(traj, -4.0), (traj.values + 4.0) / 8.0)
    with pytest.raises(ValueError, match="target"):
        progress(traj, 10.0)


# --------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, word", [
    (dict(factory=3), "factory"),
    (dict(factory=lambda lr: lr), "factory must return"),
    (dict(objective="ellipse"), "objective"),
    (dict(x0=[1.0]), "x0"),
    (dict(x0=[np.nan, 1.0]), "x0"),
    (dict(steps=0), "steps"),
    (dict(steps=2.5), "steps"),
    (dict(grid=[]), "grid"),
    (dict(grid=[0.1, -0.1]), "grid"),
    (dict(grid=[0.1, 0.1]), "grid"),
    (dict(grid=["a"]), "grid"),
    (dict(tol=0.0), "tol"),
    (dict(target=math.nan), "target"),
    (dict(max_distance=-1.0), "max_distance"),
])
def test_tuner_rejects_bad_input(kwargs, word):
    args = dict(factory=gd, objective=ellipse(), x0=[1.0, 1.0], steps=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        tune_learning_rate(args.pop("factory"), args.pop("objective"), args.pop("x0"), **args)


def test_target_is_required_without_a_known_minimum():
    with pytest.raises(ValueError, match="target"):
        tune_learning_rate(gd, saddle(), [1.0, 0.1], steps=10)


def test_compare_and_table_reject_bad_input():
    with pytest.raises(ValueError, match="optimizers"):
        compare(ellipse(), [1.0, 1.0], steps=10, optimizers={})
    with pytest.raises(ValueError, match="unknown keyword"):
        compare(ellipse(), [1.0, 1.0], steps=10, lr=0.1)
    with pytest.raises(ValueError, match="tunings"):
        comparison_table([])


# ------------------------------------------------------------------ updates counted, the rotated ellipse

def test_updates_count_the_full_budget_and_the_steps_up_to_a_divergence():
    t = tune_learning_rate(gd, parabola(), 1.0, steps=50, grid=[0.1, 0.5, 2.0])
    # f = x²: 0.1 and 0.5 stay stable for 50 steps; 2.0 multiplies x by 1 - 4 = -3 per step and is
    # declared diverged once |x - 1| > 10⁶ · 2, i.e. at the first t with 3^t > 2·10⁶ + 1 (t = 14)
    first = next(k for k in range(1, 40) if 3.0 ** k > 2e6 + 1)
    assert [trial.diverged_at for trial in t.trials] == [None, None, first]
    assert t.updates == 50 + 50 + first


def test_newton_breakdown_adds_no_updates():
    f = quadratic([[1.0, 0.0], [0.0, 0.0]])          # singular Hessian: Newton breaks down at step 1
    t = tune_learning_rate(newton, f, [1.0, 1.0], steps=5, target=-1.0, grid=[1.0])
    assert t.trials[0].diverged and t.trials[0].diverged_at is None and t.updates == 0


def test_rotated_ellipse_rotates_function_and_start():
    from course_lib.comparison import rotated_ellipse
    p, q = course_problems()["ellipse"], rotated_ellipse(math.pi / 4)
    c = math.sqrt(0.5)
    R = np.array([[c, -c], [c, c]])
    np.testing.assert_allclose(q.x0, R @ np.array(p.x0), rtol=1e-15)
    # R diag(0.2, 4) Rᵀ = [[0.2 + 4, 0.2 - 4], [0.2 - 4, 0.2 + 4]] / 2, worked by hand
    np.testing.assert_allclose(q.objective.hess(np.zeros(2)), [[2.1, -1.9], [-1.9, 2.1]], rtol=1e-14)
    for x in ([0.3, -1.2], [2.0, 0.5]):
        assert math.isclose(q.objective.f(R @ np.array(x)), p.objective.f(np.array(x)), rel_tol=1e-13)
    assert rotated_ellipse(0.0).x0 == p.x0 and (q.steps, q.target) == (p.steps, p.target)
    with pytest.raises(ValueError, match="angle"):
        rotated_ellipse(math.nan)


def test_gd_and_nesterov_do_not_see_the_rotation_but_adagrad_does():
    from course_lib.comparison import rotated_ellipse
    opts = {k: course_optimizers()[k] for k in ("gd", "nesterov", "adagrad")}
    flat = {t.name: t for t in course_problems()["ellipse"].compare(optimizers=opts)}
    turned = {t.name: t for t in rotated_ellipse().compare(optimizers=opts)}
    for name in ("gd", "nesterov"):
        assert (turned[name].lr, turned[name].reached) == (flat[name].lr, flat[name].reached)
        c = math.sqrt(0.5)
        R = np.array([[c, -c], [c, c]])
        np.testing.assert_allclose(turned[name].trajectory.xs, flat[name].trajectory.xs @ R.T, atol=1e-12)
    assert turned["adagrad"].reached > 10 * flat["adagrad"].reached


def test_the_exercises_accept_the_stated_precision_and_name_their_options():
    from course_lib.exercises import EXERCISES, check
    assert check("cmp-ellipse-gd-rate", "0.464").correct
    assert check("cmp-rosenbrock-first", "Momentum").correct
    # momentum_ema has momentum's iterates at a rescaled rate: in a notebook it counts as momentum
    alias = check("cmp-rosenbrock-first", " Momentum_EMA ")
    assert alias.correct and "Momentum_EMA (listed as momentum) is right" in repr(alias)
    assert "listed as momentum" in repr(check("cmp-rosenbrock-first", "momentum_ema"))
    assert not check("cmp-rosenbrock-first", "momentum_e").correct      # an alias is typed in full
    question = EXERCISES["cmp-rosenbrock-first"].question
    assert all(name in question for name in EXERCISES["cmp-rosenbrock-first"].options)
