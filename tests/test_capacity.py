"""Polynomial fits, capacity curves and the bias-variance decomposition (course_lib.capacity)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import gd, run
from course_lib.capacity import (
    DIAGNOSES,
    BiasVariance,
    CapacityCurve,
    best_degree,
    bias_variance,
    bias_variance_scene,
    capacity_curve,
    capacity_scene,
    diagnose,
    fit_polynomial,
    interpolation_degree,
    least_squares_cost,
    make_regression_data,
    mean_squared_error,
    target,
)
from course_lib.exercises import EXERCISES, check, learning
from course_lib.interactive import Explorer, Slider
from course_lib.theory import gd_learning_rates

# ------------------------------------------------------------------ data

def test_same_seed_same_data_other_seed_other_data():
    a, b = make_regression_data(30, 0.3, 7), make_regression_data(30, 0.3, 7)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    c = make_regression_data(30, 0.3, 8)
    assert not np.allclose(a.x, c.x) and not np.allclose(a.y, c.y)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(make_regression_data(5, 0.1, g1).y, make_regression_data(5, 0.1, g2).y)


def test_inputs_are_stratified_and_noise_has_the_given_size():
    data = make_regression_data(4000, 0.3, 0)
    cells = np.floor((data.x + 1.0) / 2.0 * 4000).astype(int)
    np.testing.assert_array_equal(cells, np.arange(4000))           # one input per cell, sorted
    residual = data.y - target(data.x)
    assert abs(residual.mean()) < 4 * 0.3 / np.sqrt(4000)
    assert residual.std() == pytest.approx(0.3, rel=0.05)
    noiseless = make_regression_data(10, 0.0, 0)
    np.testing.assert_array_equal(noiseless.y, np.sin(3 * noiseless.x + 0.5))


# ------------------------------------------------------------------ fits

@pytest.mark.parametrize("degree", [0, 1, 2, 3, 4])
def test_fit_agrees_with_numpy_polyfit_at_low_degree(degree):
    """numpy.polyfit solves the same least-squares problem in the monomial basis."""
    data = make_regression_data(25, 0.3, degree)
    p = fit_polynomial(data.x, data.y, degree)
    reference = np.polyfit(data.x, data.y, degree)
    grid = np.linspace(-1, 1, 51)
    np.testing.assert_allclose(p(grid), np.polyval(reference, grid), rtol=1e-10, atol=1e-10)


def test_fit_by_hand_a_line_through_three_points():
    # least squares through (-1, 0), (0, 1), (1, 1): slope 1/2, intercept 2/3
    p = fit_polynomial([-1.0, 0.0, 1.0], [0.0, 1.0, 1.0], 1)
    np.testing.assert_allclose(p(np.array([0.0, 1.0])), [2 / 3, 2 / 3 + 1 / 2], rtol=1e-13)
    assert mean_squared_error(p, [-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]) == pytest.approx(1 / 18, rel=1e-12)


def test_fit_minimizes_the_squared_error_its_gradient_vanishes():
    """At the least-squares coefficients, the gradient of J with respect to them is zero (finite differences)."""
    from numpy.polynomial import Legendre
    data = make_regression_data(30, 0.3, 2)
    p = fit_polynomial(data.x, data.y, 5)
    coef = p.coef.copy()

    def J(c):
        return np.mean((Legendre(c, domain=[-1, 1])(data.x) - data.y) ** 2)

    h = 1e-6
    grad = [(J(coef + h * e) - J(coef - h * e)) / (2 * h) for e in np.eye(coef.size)]
    np.testing.assert_allclose(grad, 0.0, atol=1e-8)
    assert all(J(coef + 1e-3 * e) > J(coef) for e in np.vstack([np.eye(6), -np.eye(6)]))


def test_fit_against_torch_lstsq():
    torch = pytest.importorskip("torch")
    data = make_regression_data(40, 0.3, 4)
    degree = 9
    p = fit_polynomial(data.x, data.y, degree)
    V = torch.tensor(np.polynomial.legendre.legvander(data.x, degree), dtype=torch.float64)
    coef = torch.linalg.lstsq(V, torch.tensor(data.y, dtype=torch.float64)[:, None]).solution[:, 0]
    np.testing.assert_allclose(p.coef, coef.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("n", [2, 5, 10, 16])
def test_degree_n_minus_1_interpolates(n):
    data = make_regression_data(n, 0.3, n)
    p = fit_polynomial(data.x, data.y, n - 1)
    np.testing.assert_allclose(p(data.x), data.y, atol=1e-10)
    assert interpolation_degree(data.x, data.y) == n - 1


def test_interpolation_degree_finds_an_exact_lower_degree():
    x = np.linspace(-1, 1, 9)
    assert interpolation_degree(x, 1 - 2 * x + 3 * x ** 3) == 3
    assert interpolation_degree(x, np.full(9, 2.0)) == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(14, 40), st.floats(0.0, 1.0), st.integers(0, 10_000))
def test_training_error_never_goes_up_with_the_degree(n, noise, seed):
    """Nested polynomial spaces: the best fit of degree d + 1 is at least as good as that of degree d."""
    data = make_regression_data(n, noise, seed)
    curve = capacity_curve(data, data, range(13))
    assert np.all(np.diff(curve.train) <= 1e-12 * curve.train[0] + 1e-15)
    np.testing.assert_array_equal(curve.train, curve.test)     # tested on its own training set


def test_capacity_curve_overfits_on_few_points():
    curve = capacity_curve(make_regression_data(15, 0.3, 0), make_regression_data(200, 0.3, 1), range(13))
    assert isinstance(curve, CapacityCurve)
    best = best_degree(curve)
    assert 2 < best < 12
    assert curve.test[-1] > 5 * curve.test[best]               # high degree: test error turns up
    assert curve.train[-1] < curve.train[best]                 # ... while training error keeps falling
    assert curve.train[-1] < 0.3 ** 2 < curve.test[-1]         # below the noise floor on the training set
    np.testing.assert_allclose(curve.gap, curve.test - curve.train)


def test_best_degree_takes_the_smallest_of_a_tie():
    curve = CapacityCurve(np.array([0, 1, 2]), np.zeros(3), np.array([2.0, 1.0, 1.0]))
    assert best_degree(curve) == 1


# ------------------------------------------------------ bias and variance

def test_bias_variance_decomposition_is_exact_without_noise():
    """With noise = 0 the fresh targets are f(x), and error = bias² + variance holds to rounding."""
    bv = bias_variance(range(8), n_train=12, n_sets=40, noise=0.0, seed=3)
    np.testing.assert_allclose(bv.error, bv.bias2 + bv.variance, rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(bv.noise, 0.0)


def test_bias_variance_decomposition_holds_with_noise():
    """bias² + variance + σ² = expected test error, up to Monte-Carlo error (a few standard errors)."""
    bv = bias_variance(range(10), n_train=25, n_sets=400, noise=0.3, seed=1)
    assert isinstance(bv, BiasVariance)
    np.testing.assert_allclose(bv.noise, 0.09)
    np.testing.assert_allclose(bv.bias2 + bv.variance + bv.noise, bv.error, rtol=0.02)


def test_bias_variance_against_an_independent_loop():
    """Recompute bias² and variance the slow way, drawing the sets in the documented order."""
    degrees, n_train, n_sets, noise = [1, 4], 10, 30, 0.2
    bv = bias_variance(degrees, n_train, n_sets, noise, seed=5, n_eval=11)
    rng = np.random.default_rng(5)
    x_eval = np.linspace(-1, 1, 11)
    preds = {d: [] for d in degrees}
    for _ in range(n_sets):
        data = make_regression_data(n_train, noise, rng)
        rng.standard_normal(11)                                 # the fresh test noise
        for d in degrees:
            preds[d].append(np.polyval(np.polyfit(data.x, data.y, d), x_eval))
    for k, d in enumerate(degrees):
        P = np.array(preds[d])
        variance = P.var(axis=0, ddof=1).mean()
        bias2 = ((P.mean(axis=0) - target(x_eval)) ** 2).mean() - variance / n_sets
        assert bv.variance[k] == pytest.approx(variance, rel=1e-8)
        assert bv.bias2[k] == pytest.approx(bias2, rel=1e-6, abs=1e-12)


def test_bias_falls_and_variance_rises_with_the_degree():
    bv = bias_variance(range(13), n_train=20, n_sets=300, noise=0.3, seed=0)
    assert bv.bias2[0] > bv.bias2[1] > bv.bias2[3] > bv.bias2[5]
    assert np.all(bv.bias2[5:] < 0.01 * bv.bias2[0])
    assert np.all(np.diff(bv.variance) > 0)
    # a straight line: bias dominates; degree 12 on 20 points: variance dominates
    assert bv.bias2[1] > 10 * bv.variance[1] and bv.variance[12] > 10 * abs(bv.bias2[12])


# ------------------------------------------------------------ diagnosis

@pytest.mark.parametrize("train, test, verdict", [
    (0.30, 0.32, "high bias"), (0.05, 0.50, "high variance"), (0.30, 0.60, "both"), (0.09, 0.10, "neither"),
    (0.135, 0.2025, "neither"),            # exactly at the thresholds: not "high"
    (0.02, 0.13, "neither"),               # below the noise floor on training data, near it on new data
    (0.02, 0.14, "high variance"),
])
def test_diagnose(train, test, verdict):
    assert diagnose(train, test, baseline=0.09) == verdict
    assert verdict in DIAGNOSES


def test_diagnose_follows_the_capacity_curve():
    test = make_regression_data(200, 0.3, 1)
    cases = [(60, 0), (60, 5), (15, 12)]
    verdicts = []
    for n, degree in cases:
        curve = capacity_curve(make_regression_data(n, 0.3, 0), test, [degree])
        verdicts.append(diagnose(curve.train[0], curve.test[0], baseline=0.09))
    assert verdicts == ["high bias", "neither", "high variance"]


# ------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, match", [
    (lambda: fit_polynomial([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], -1), "degree"),
    (lambda: fit_polynomial([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], 3), r"degree must be an integer in \[0, n - 1\]"),
    (lambda: fit_polynomial([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], 1.5), "degree"),
    (lambda: fit_polynomial([0.0, 1.0], [1.0, 2.0, 3.0], 1), "same length"),
    (lambda: fit_polynomial([0.0, np.nan], [1.0, 2.0], 1), "finite"),
    (lambda: fit_polynomial([0.0, 1.0], [1.0, 2.0], 1, domain=(1.0, -1.0)), "domain"),
    (lambda: make_regression_data(10, -0.1, 0), "noise"),
    (lambda: make_regression_data(10, float("nan"), 0), "noise"),
    (lambda: make_regression_data(10, "0.3", 0), "noise"),
    (lambda: make_regression_data(0, 0.3, 0), "n must be an integer >= 1"),
    (lambda: make_regression_data(10, 0.3, -1), "seed"),
    (lambda: capacity_curve(make_regression_data(5), make_regression_data(5), [5]), "degree"),
    (lambda: capacity_curve(make_regression_data(5), make_regression_data(5), []), "degrees"),
    (lambda: bias_variance([2], n_train=2), "degree"),
    (lambda: bias_variance([1], n_train=10, n_sets=1), "n_sets"),
    (lambda: bias_variance([1], n_train=10, noise=-1.0), "noise"),
    (lambda: interpolation_degree([0.0, 1.0], [1.0, 2.0], rtol=0.0), "rtol"),
    (lambda: diagnose(0.1, 0.2, baseline=0.0), "baseline"),
    (lambda: diagnose(-0.1, 0.2, baseline=0.09), "train_error"),
    (lambda: diagnose(0.1, 0.2, baseline=0.09, ratio=1.0), "ratio"),
    (lambda: capacity_scene(13, 30), "degree"),
    (lambda: capacity_scene(3, 12), "n_train"),
    (lambda: capacity_scene(3, 30, noise=0.0), "noise"),
])
def test_bad_input_is_a_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------ figures

def test_capacity_scene_keeps_its_frame_across_the_controls():
    frames = {capacity_scene(d, n).frame() for d in (0, 6, 12) for n in (15, 60)}
    assert len(frames) == 1
    scene = capacity_scene(4, 20)
    left, right = scene.panels
    assert right.yscale == "log" and left.xlim[0] < -1 and left.xlim[1] > 1
    labels = [item.label for panel in scene.panels for item in panel.items if item.label]
    assert labels == [r"true $\bar y(x)$", "test data", "training data", "fit", r"noise $\sigma^2$",
                      "training error", "test error"]


def test_capacity_scene_draws_the_fit_and_the_errors_it_reports():
    scene = capacity_scene(5, 30)
    left, right = scene.panels
    fit = next(item for item in left.items if item.label == "fit")
    train = make_regression_data(30, 0.3, 0)
    x, y = fit.data[0]
    np.testing.assert_allclose(y, fit_polynomial(train.x, train.y, 5)(x))
    curve = capacity_curve(train, make_regression_data(100, 0.3, 1), range(13))
    drawn = next(item for item in right.items if item.label == "test error")
    np.testing.assert_allclose(drawn.data[0][1], curve.test)


def test_the_explorer_of_the_chapter_builds():
    explorer = Explorer(lambda degree, n_train: capacity_scene(degree, n_train),
                        {"degree": Slider(0, 12, 1, value=3), "n_train": Slider(values=[15, 60], value=15)},
                        alt="capacity")
    assert explorer.n_frames == 26
    assert explorer.build()


def test_bias_variance_scene():
    bv = bias_variance(range(4), n_train=10, n_sets=10)
    scene = bias_variance_scene(bv)
    labels = [item.label for item in scene.panels[0].items if item.label]
    assert labels == ["bias²", "variance", r"noise $\sigma^2$", "bias² + variance + noise", "measured test error"]


# ------------------------------------------------------------ exercises

def test_exercise_answers():
    assert EXERCISES["learn-interpolation"].answer.tolist() == [learning.INTERPOLATION_N - 1]
    curve = learning.pick_degree_curve()
    assert EXERCISES["learn-pick-degree"].answer.tolist() == [int(np.argmin(curve.test))]
    assert EXERCISES["learn-pick-degree"].answer[0] != curve.degrees[-1]        # not the largest degree
    # the diagnosis messages are written for "both", with a margin on each comparison
    assert EXERCISES["learn-diagnose"].answer == "both"
    train, test = learning.diagnose_errors()
    assert train > 1.8 * 0.09 and test > 1.6 * train


def test_exercise_checks():
    assert check("learn-interpolation", "7").correct
    assert "one more than needed" in check("learn-interpolation", 8).message
    assert check("learn-diagnose", " Both ").correct
    assert "test error with the training error" in check("learn-diagnose", "high bias").message
    assert "factor 1.5" in check("learn-diagnose", "neither").message
    assert "lowest training error" in check("learn-pick-degree", 10).message


# ------------------------------------------------------------ the cost as an objective

@pytest.mark.parametrize("basis", ["legendre", "monomial"])
def test_least_squares_cost_is_the_training_error_with_the_fit_as_minimizer(basis):
    data = make_regression_data(20, 0.3, 2)
    cost = least_squares_cost(data.x, data.y, 4, basis=basis)
    theta = np.random.default_rng(0).standard_normal(5)
    V = (np.polynomial.legendre.legvander(data.x, 4) if basis == "legendre" else np.vander(data.x, 5, True))
    assert cost.value(theta) == pytest.approx(np.mean((V @ theta - data.y) ** 2), rel=1e-12)
    h = 1e-6
    numeric = [(cost.value(theta + h * e) - cost.value(theta - h * e)) / (2 * h) for e in np.eye(5)]
    np.testing.assert_allclose(cost.gradient(theta), numeric, rtol=1e-6, atol=1e-8)
    fit = fit_polynomial(data.x, data.y, 4)
    assert cost.value(cost.minimizer) == pytest.approx(mean_squared_error(fit, data.x, data.y), rel=1e-10)
    if basis == "legendre":
        np.testing.assert_allclose(cost.minimizer, fit.coef, rtol=1e-9, atol=1e-12)
    else:
        np.testing.assert_allclose(cost.minimizer[::-1], np.polyfit(data.x, data.y, 4), rtol=1e-8, atol=1e-10)


def test_gradient_descent_on_the_cost_reaches_the_closed_form_fit():
    data = make_regression_data(15, 0.3, 0)
    cost = least_squares_cost(data.x, data.y, 3)
    rate = gd_learning_rates(cost.hessian(np.zeros(4))).best
    traj = run(gd(lr=rate), cost, np.zeros(4), 5000, tol=1e-10)
    assert traj.converged
    np.testing.assert_allclose(traj.x, fit_polynomial(data.x, data.y, 3).coef, atol=1e-9)


def test_least_squares_cost_rejects_bad_input():
    with pytest.raises(ValueError, match="basis"):
        least_squares_cost([0.0, 1.0], [1.0, 2.0], 1, basis="chebyshev")
    with pytest.raises(ValueError, match="degree"):
        least_squares_cost([0.0, 1.0], [1.0, 2.0], 2)
