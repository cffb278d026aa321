"""course_lib.calculus: the Hessian test, finite differences, stationary points, the chapter's figures."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import error_surface, rosenbrock, saddle, three_variable
from course_lib.calculus import (
    KINDS,
    classify_critical_point,
    eigenvalue_scene,
    first_derivative_test,
    numerical_gradient,
    numerical_hessian,
    plot_turning_points,
    rotated_quadratic,
    stationary_point,
    turning_point_examples,
)
from course_lib.exercises import EXERCISES, check

# ------------------------------------------------------------ classify_critical_point

@pytest.mark.parametrize("hessian, kind", [
    ([[2.0, 0.0], [0.0, 3.0]], "minimum"),
    ([[-2.0, 0.0], [0.0, -3.0]], "maximum"),
    ([[2.0, 0.0], [0.0, -2.0]], "saddle point"),              # saddle(): x1² - x2²
    ([[1.0, 2.0], [2.0, 1.0]], "saddle point"),               # eigenvalues 3 and -1, positive entries
    ([[4.0, 2.0], [2.0, 1.0]], "undecided"),                  # eigenvalues 5 and 0
    ([[2.0, 0.0], [0.0, 0.0]], "undecided"),                  # x1² + x2⁴ and x1² - x2⁴ alike
    ([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]], "saddle point"),  # a zero does not hide the mix
    ([[0.0, 0.0], [0.0, 0.0]], "undecided"),
    ([[5.0]], "minimum"), ([[-1e-3]], "maximum"), ([[0.0]], "undecided"),  # the second-derivative test
    ([[-2.0, 1.0, 0.0], [1.0, -3.0, 1.0], [0.0, 1.0, -2.0]], "maximum"),  # eigenvalues -4, -2, -1
])
def test_classify_hand_made_cases(hessian, kind):
    assert classify_critical_point(hessian).kind == kind


def test_classify_returns_the_eigenvalues_ascending():
    result = classify_critical_point([[1.0, 2.0], [2.0, 1.0]])
    np.testing.assert_allclose(result.eigenvalues, [-1.0, 3.0], atol=1e-14)
    kind, eigenvalues = result                                  # a NamedTuple
    assert kind == "saddle point" and eigenvalues.shape == (2,)


def test_classify_tolerance_edges():
    # |λ| <= tol·max(1, max|λ|) counts as zero
    assert classify_critical_point(np.diag([1.0, 1e-10])).kind == "undecided"
    assert classify_critical_point(np.diag([1.0, 1e-10]), tol=1e-11).kind == "minimum"
    assert classify_critical_point(np.diag([1.0, -1e-10])).kind == "undecided"
    assert classify_critical_point(np.diag([1.0, -1e-10]), tol=1e-11).kind == "saddle point"
    assert classify_critical_point(np.diag([1.0, 1e-10]), tol=0.0).kind == "minimum"
    assert classify_critical_point(np.diag([0.0, 1.0]), tol=0.0).kind == "undecided"
    # the tolerance is relative to the largest eigenvalue when that exceeds 1
    assert classify_critical_point(np.diag([1e6, 1e-2]), tol=1e-9).kind == "minimum"        # 1e-2 > 1e-3
    assert classify_critical_point(np.diag([1e6, 1e-4]), tol=1e-9).kind == "undecided"      # 1e-4 <= 1e-3
    # exactly on the boundary: zero
    assert classify_critical_point(np.diag([-0.5, -0.25]), tol=0.25).kind == "undecided"


@pytest.mark.parametrize("bad, match", [
    ([[1.0, 2.0], [0.0, 1.0]], "symmetric"),
    ([[1.0, 2.0, 3.0]], "square"),
    ([[np.nan]], "finite"),
    (np.zeros((0, 0)), "at least 1 x 1"),
])
def test_classify_rejects_bad_matrices(bad, match):
    with pytest.raises(ValueError, match=match):
        classify_critical_point(bad)


def test_classify_rejects_a_negative_tolerance():
    with pytest.raises(ValueError, match=r"tol must be in \[0, inf\)"):
        classify_critical_point(np.eye(2), tol=-1.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0]), min_size=1, max_size=5),
       st.integers(0, 2**32 - 1))
def test_classification_of_rotated_diagonal_hessians_follows_the_sign_counts(diagonal, seed):
    """Q diag(λ) Qᵀ with a random orthogonal Q: the verdict depends only on how many λ are >0, <0, =0."""
    lam = np.array(diagonal)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((lam.size, lam.size)))
    H = Q @ np.diag(lam) @ Q.T
    H = (H + H.T) / 2
    pos, neg = int(np.sum(lam > 0)), int(np.sum(lam < 0))
    expected = ("saddle point" if pos and neg else "undecided" if pos + neg < lam.size
                else "minimum" if pos else "maximum")
    result = classify_critical_point(H)
    assert result.kind == expected
    np.testing.assert_allclose(result.eigenvalues, np.sort(lam), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 10), st.floats(-10, -1e-6)), min_size=1, max_size=4),
       st.floats(1e-3, 1e3))
def test_classification_is_unchanged_by_a_positive_scale_and_mirrored_by_negation(diagonal, scale):
    H = np.diag(diagonal)
    kind = classify_critical_point(H, tol=0.0).kind
    assert classify_critical_point(scale * H, tol=0.0).kind == kind
    mirrored = {"minimum": "maximum", "maximum": "minimum"}.get(kind, kind)
    assert classify_critical_point(-H, tol=0.0).kind == mirrored


# ------------------------------------------------------------ one variable

def test_first_derivative_test_decides_what_the_second_derivative_cannot():
    x4, x3, minus_x4 = turning_point_examples()
    for curve in (x4, x3, minus_x4):          # f'(0) = f''(0) = 0 for all three
        assert curve.df(0.0) == 0.0 and curve.d2f(0.0) == 0.0
        assert classify_critical_point([[curve.d2f(0.0)]]).kind == "undecided"
    assert first_derivative_test(x4.df, 0.0) == ("minimum", -1, 1)
    assert first_derivative_test(x3.df, 0.0) == ("not a turning point", 1, 1)
    assert first_derivative_test(minus_x4.df, 0.0) == ("maximum", 1, -1)
    assert first_derivative_test(lambda x: -3 * x**2, 0.0).kind == "not a turning point"   # -x³


def test_first_derivative_test_undecided_cases_and_bad_input():
    assert first_derivative_test(lambda x: 0.0, 1.0).kind == "undecided"                 # constant f
    # f' = x (x - 0.05) changes sign again at 0.05, inside the window on the right
    assert first_derivative_test(lambda x: x * (x - 0.05), 0.0).kind == "undecided"
    assert first_derivative_test(lambda x: x * (x - 0.05), 0.0, h=0.04).kind == "maximum"
    assert first_derivative_test(lambda x: 1e-12 * x, 0.0, tol=1e-9).kind == "undecided"
    assert first_derivative_test(lambda x: 1e-12 * x, 0.0).kind == "minimum"
    with pytest.raises(ValueError, match=r"h must be in \(0, inf\)"):
        first_derivative_test(lambda x: x, 0.0, h=0.0)
    with pytest.raises(ValueError, match="samples must be an integer >= 1"):
        first_derivative_test(lambda x: x, 0.0, samples=0)
    with pytest.raises(ValueError, match="derivative must be a function"):
        first_derivative_test(3.0, 0.0)
    with pytest.raises(ValueError, match="derivative must be finite"):
        first_derivative_test(lambda x: 1.0 / x if x > 0 else math.inf, 0.0)


def test_the_example_curves_derivatives_match_finite_differences():
    xs = np.linspace(-1.3, 1.3, 11)
    for curve in turning_point_examples():
        for x in xs:
            assert numerical_gradient(curve.f, x)[0] == pytest.approx(curve.df(x), abs=1e-8)
            assert numerical_hessian(curve.f, x)[0, 0] == pytest.approx(curve.d2f(x), abs=1e-6)


def test_turning_point_figure_has_three_panels_titled_with_the_verdicts():
    fig = plot_turning_points()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["$f = x^4$: minimum", "$f = x^3$: not a turning point", "$f = -x^4$: maximum"]
    assert fig.get_size_inches()[0] <= 7.5
    assert all(ax.get_xlabel() == "$x$" for ax in fig.axes)


# ------------------------------------------------------------ finite differences

def _points(seed, n, dim, scale):
    return np.random.default_rng(seed).uniform(-scale, scale, size=(n, dim))


@pytest.mark.parametrize("make, scale", [(rosenbrock, 1.5), (three_variable, 3.0), (error_surface, 5.0),
                                         (saddle, 2.0)])
def test_finite_differences_match_the_exact_gradient_and_hessian(make, scale):
    f = make()
    for x in _points(0, 8, f.dim, scale):
        g, H = f.gradient(x), f.hessian(x)
        np.testing.assert_allclose(numerical_gradient(f, x), g, rtol=1e-6, atol=1e-6 * (1 + np.abs(g).max()))
        np.testing.assert_allclose(numerical_hessian(f, x), H, rtol=1e-5, atol=1e-5 * (1 + np.abs(H).max()))


def test_finite_difference_errors_shrink_like_h_squared():
    f = lambda x: math.exp(x[0]) * math.sin(x[1])      # noqa: E731  (exact derivatives known)
    x = np.array([0.3, 0.7])
    exact = np.array([math.exp(0.3) * math.sin(0.7), math.exp(0.3) * math.cos(0.7)])
    e1 = np.abs(numerical_gradient(f, x, h=1e-2) - exact).max()
    e2 = np.abs(numerical_gradient(f, x, h=5e-3) - exact).max()
    assert 3.5 < e1 / e2 < 4.5                          # halving h quarters the error
    exact_H = math.exp(0.3) * np.array([[math.sin(0.7), math.cos(0.7)], [math.cos(0.7), -math.sin(0.7)]])
    E1 = np.abs(numerical_hessian(f, x, h=1e-2) - exact_H).max()
    E2 = np.abs(numerical_hessian(f, x, h=5e-3) - exact_H).max()
    assert 3.5 < E1 / E2 < 4.5


def test_numerical_hessian_is_symmetric_and_finite_differences_check_input():
    H = numerical_hessian(rosenbrock(), [-1.2, 1.0])
    assert np.array_equal(H, H.T)
    with pytest.raises(ValueError, match=r"h must be in \(0, inf\)"):
        numerical_gradient(rosenbrock(), [0.0, 0.0], h=-1e-3)
    with pytest.raises(ValueError, match="f must return one number"):
        numerical_gradient(lambda x: x, [0.0, 0.0])
    with pytest.raises(ValueError, match="f must be a function"):
        numerical_hessian("f", [0.0])
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        numerical_gradient(rosenbrock(), [np.nan, 0.0])


def test_the_notes_gradient_formula_of_the_three_variable_example():
    """The gradient as the notes write it, checked against course_lib and finite differences."""
    f = three_variable()

    def notes(x):
        x1, x2, x3 = x
        return np.array([2 * x1 + 1 - x2, -x1 + 2 * x2 - x3, -x2 + 2 * x3 + 1])

    for x in _points(1, 10, 3, 4.0):
        np.testing.assert_allclose(f.gradient(x), notes(x), atol=1e-12)
        np.testing.assert_allclose(numerical_gradient(f, x), notes(x), atol=1e-7)
        # and the formula of f itself, term by term as in the notes
        x1, x2, x3 = x
        assert f.value(x) == pytest.approx(x1**2 + x1 * (1 - x2) + x2**2 - x2 * x3 + x3**2 + x3, rel=1e-13)


def test_torch_agrees_on_the_three_variable_hessian():
    torch = pytest.importorskip("torch")

    def f(x):
        return x[0]**2 + x[0] * (1 - x[1]) + x[1]**2 - x[1] * x[2] + x[2]**2 + x[2]

    H = torch.autograd.functional.hessian(f, torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64))
    np.testing.assert_allclose(H.numpy(), three_variable().hessian([0.3, -1.2, 2.0]), atol=1e-14)


# ------------------------------------------------------------ the three-variable example

def test_three_variable_stationary_point_is_minus_one_everywhere():
    f = three_variable()
    point = stationary_point(f, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(point.x, [-1.0, -1.0, -1.0], atol=1e-14)
    assert point.steps == 1 and point.gradient_norm <= 1e-10        # one Newton step on a quadratic
    # (-1, -1, -1) solves the three equations exactly: 2x1 + 1 - x2 = 0, -x1 + 2x2 - x3 = 0, -x2 + 2x3 + 1 = 0
    assert f.gradient([-1.0, -1.0, -1.0]).tolist() == [0.0, 0.0, 0.0]
    # from anywhere
    other = stationary_point(f, [10.0, -7.0, 3.0])
    np.testing.assert_allclose(other.x, [-1.0, -1.0, -1.0], atol=1e-12)


def test_three_variable_hessian_eigenvalues_and_verdict():
    f = three_variable()
    H = f.hessian([-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(H, [[2, -1, 0], [-1, 2, -1], [0, -1, 2]])
    np.testing.assert_allclose(numerical_hessian(f, [-1.0, -1.0, -1.0]), H, atol=1e-6)
    result = classify_critical_point(H)
    # det(H - λI) = (2 - λ)((2 - λ)² - 2): λ = 2 - √2, 2, 2 + √2
    np.testing.assert_allclose(result.eigenvalues, [2 - math.sqrt(2), 2.0, 2 + math.sqrt(2)], rtol=1e-14)
    assert result.kind == "minimum"
    # the finite-difference Hessian gives the same verdict with a tolerance fit for its error
    assert classify_critical_point(numerical_hessian(f, [-1.0, -1.0, -1.0]), tol=1e-4).kind == "minimum"
    # ... and the notes' rounded eigenvalues 3.414, 0.586, 2 are right to three decimals
    np.testing.assert_allclose(np.sort([3.414, 0.586, 2.0]), result.eigenvalues, atol=5e-4)


def test_stationary_point_finds_saddles_too_and_reports_failure():
    np.testing.assert_allclose(stationary_point(saddle(), [0.7, -0.3]).x, [0.0, 0.0], atol=1e-15)
    p = stationary_point(rosenbrock(), [-1.2, 1.0])
    np.testing.assert_allclose(p.x, [1.0, 1.0], atol=1e-10)
    assert classify_critical_point(rosenbrock().hessian(p.x)).kind == "minimum"
    flat = rotated_quadratic(1.0, 0.0)                           # singular Hessian everywhere
    with pytest.raises(ValueError, match="Newton's method from x0 = .* failed: the Hessian is singular"):
        stationary_point(flat, [1.0, 1.0])
    with pytest.raises(ValueError, match="did not reach"):
        stationary_point(rosenbrock(), [-1.2, 1.0], steps=2)
    with pytest.raises(ValueError, match="x0 must have shape"):
        stationary_point(three_variable(), [0.0, 0.0])
    with pytest.raises(ValueError, match="objective must be an Objective"):
        stationary_point(lambda x: x, [0.0])
    with pytest.raises(ValueError, match=r"tol must be in \(0, inf\)"):
        stationary_point(three_variable(), [0.0, 0.0, 0.0], tol=0.0)


def test_stationary_point_needs_a_hessian():
    from course_lib.objectives import Objective
    no_hessian = Objective("f", 1, f=lambda x: x[0] ** 2, grad=lambda x: 2 * x)
    with pytest.raises(ValueError, match="has no Hessian"):
        stationary_point(no_hessian, [1.0])


# ------------------------------------------------------------ the interactive figure

@pytest.mark.parametrize("lam1, lam2", [(2.0, 0.5), (-1.0, 1.5), (0.0, 2.0), (-0.5, 0.0), (-2.0, -1.0)])
def test_rotated_quadratic_has_the_eigenvalues_and_eigenvectors_asked_for(lam1, lam2):
    angle = 0.4
    q = rotated_quadratic(lam1, lam2, angle)
    H = q.hessian([0.3, 0.2])
    e1 = np.array([math.cos(angle), math.sin(angle)])
    e2 = np.array([-math.sin(angle), math.cos(angle)])
    np.testing.assert_allclose(H @ e1, lam1 * e1, atol=1e-14)
    np.testing.assert_allclose(H @ e2, lam2 * e2, atol=1e-14)
    np.testing.assert_allclose(numerical_hessian(q, [0.3, 0.2]), H, atol=1e-6)
    # f = (λ1 u1² + λ2 u2²)/2 along the eigenvectors
    assert q.value(2.0 * e1) == pytest.approx(2.0 * lam1, abs=1e-13)
    assert q.value(-3.0 * e2) == pytest.approx(4.5 * lam2, abs=1e-13)


def _texts(scene):
    return [item.data[2] for item in scene.panels[0].items if item.kind == "text"]


def _contours(scene):
    return [item.contour[1] for item in scene.panels[0].items if item.kind == "contour"]


VALUES = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]


@pytest.mark.parametrize("lam1", VALUES)
@pytest.mark.parametrize("lam2", VALUES)
def test_eigenvalue_scene_verdict_and_levels(lam1, lam2):
    scene = eigenvalue_scene(lam1, lam2)
    texts = _texts(scene)
    kind = classify_critical_point(np.diag([lam1, lam2])).kind
    assert any(t.endswith(f": {kind}") for t in texts)
    levels = _contours(scene)
    if lam1 == lam2 == 0.0:
        assert levels == [] and any("no contour lines" in t for t in texts)
    else:
        signs = {int(np.sign(level[0])) for level in levels}
        assert all(np.all(np.sign(level) == np.sign(level[0])) for level in levels)
        expected = ({1} if max(lam1, lam2) > 0 else set()) | ({-1} if min(lam1, lam2) < 0 else set())
        assert signs == expected
    # the frame (axes, legend) is the same for every combination, as explore needs
    assert scene.frame() == eigenvalue_scene(1.0, 1.0).frame()
    assert scene.width <= 7.5 and scene.panels[0].equal


def test_eigenvalue_scene_with_one_zero_eigenvalue_has_straight_parallel_contour_lines():
    from course_lib.scene import contour_lines
    scene = eigenvalue_scene(0.0, 1.0)
    panel = scene.panels[0]
    item = next(i for i in panel.items if i.kind == "contour")
    lines = contour_lines(item.contour[0], panel, item.contour[1], item.contour[2])
    assert lines
    e2 = np.array([-math.sin(math.pi / 6), math.cos(math.pi / 6)])    # the non-zero eigenvalue's direction
    offsets = set()
    for x, y in lines:
        u2 = x * e2[0] + y * e2[1]              # constant along a line parallel to e1
        assert np.ptp(u2) < 2e-3 and np.hypot(np.ptp(x), np.ptp(y)) > 1.0
        offsets.add(round(abs(float(u2.mean())), 2))
    # f = u2²/2 = level: the lines sit at u2 = ±√(2·level) = ±r for r = 0.5, 1, ..., 3 (within the window)
    assert offsets <= {0.5, 1.0, 1.5, 2.0, 2.5, 3.0} and len(offsets) >= 5


def test_eigenvalue_scene_explorer_is_light():
    from course_lib import Slider, explore
    ex = explore(eigenvalue_scene, lam1=Slider(values=VALUES, value=1.0), lam2=Slider(values=VALUES, value=-0.5),
                 alt="test")
    assert ex.n_frames == 49
    assert len(ex.static_html()) < 300_000


# ------------------------------------------------------------ the exercises

def test_minima_exercises_answers_worked_out_by_hand():
    np.testing.assert_allclose(EXERCISES["min-stationary"].answer, [-1.0, -1.0, -1.0], atol=1e-14)
    np.testing.assert_array_equal(EXERCISES["min-hessian"].answer, [2, -1, 0, -1, 2, -1, 0, -1, 2])
    np.testing.assert_allclose(EXERCISES["min-eigenvalues"].answer, [2 - math.sqrt(2), 2, 2 + math.sqrt(2)],
                               rtol=1e-14)
    assert EXERCISES["min-verdict"].answer == "minimum"
    assert EXERCISES["min-classify-saddle"].answer == "saddle point"
    assert EXERCISES["min-classify-degenerate"].answer == "undecided"
    assert EXERCISES["min-classify-maximum"].answer == "maximum"
    assert all(EXERCISES[k].options == KINDS for k in EXERCISES if k.startswith("min-") and EXERCISES[k].options)


def test_minima_exercises_accept_typed_answers_and_explain_mistakes():
    assert check("min-hessian", "[[2, -1, 0], [-1, 2, -1], [0, -1, 2]]").correct
    assert check("min-eigenvalues", "0.586, 2, 3.414").correct
    assert "ascending" in check("min-eigenvalues", "3.414, 0.586, 2").message
    assert "a sign slipped" in check("min-stationary", [1, 1, 1]).message
    assert "cannot decide" in check("min-classify-degenerate", "Minimum").message
    assert check("min-classify-saddle", " Saddle ").correct
    assert "-4, -2 and -1" in check("min-classify-maximum", "saddle point").message
