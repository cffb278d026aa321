"""Objectives: gradients and Hessians against central differences, and known answers."""

import numpy as np
import pytest

from course_lib import objectives as obj

ALL = {
    "parabola": obj.parabola(),
    "parabola_a": obj.parabola(2.5),
    "error_surface": obj.error_surface(),
    "ellipse": obj.ellipse(),
    "bowl3d": obj.bowl3d(),
    "three_variable": obj.three_variable(),
    "saddle": obj.saddle(),
    "rosenbrock": obj.rosenbrock(),
    "rosenbrock_other": obj.rosenbrock(a=-0.5, b=7.0),
    "quadratic": obj.quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]], b=[1.0, -2.0, 0.5], c=4.0),
}


def central_gradient(f, x, h=1e-5):
    e = np.eye(len(x))
    return np.array([(f(x + h * e[i]) - f(x - h * e[i])) / (2 * h) for i in range(len(x))])


def central_hessian(grad, x, h=1e-5):
    e = np.eye(len(x))
    cols = [(grad(x + h * e[i]) - grad(x - h * e[i])) / (2 * h) for i in range(len(x))]
    return np.array(cols).T


@pytest.mark.parametrize("name", sorted(ALL))
def test_gradient_and_hessian_match_central_differences(name):
    f = ALL[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(-2.0, 2.0, size=f.dim)
        np.testing.assert_allclose(f.gradient(x), central_gradient(f.value, x), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(f.hessian(x), central_hessian(f.gradient, x), rtol=1e-6, atol=1e-5)
        np.testing.assert_allclose(f.hessian(x), f.hessian(x).T)


@pytest.mark.parametrize("name", sorted(ALL))
def test_value_on_a_stack_of_points_matches_pointwise(name):
    f = ALL[name]
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(f.dim, 4, 3))
    stacked = f.value(pts)
    assert stacked.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            assert stacked[i, j] == pytest.approx(f.value(pts[:, i, j]), rel=1e-12)


@pytest.mark.parametrize("name", sorted(n for n in ALL if ALL[n].minimizer is not None))
def test_gradient_vanishes_at_the_minimizer_and_hessian_is_positive_definite(name):
    f = ALL[name]
    np.testing.assert_allclose(f.gradient(f.minimizer), 0.0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(f.hessian(f.minimizer)) > 0)


def test_error_surface_known_answers():
    E = obj.error_surface()
    np.testing.assert_allclose(E.minimizer, [3.0, 4.0])
    assert E.min_value == pytest.approx(0.05, abs=1e-15)
    # hand: (1.5-3)/2 - (2-4)/6 = -3/4 + 1/3 = -5/12; 2(2-4)/9 - (1.5-3)/6 = -4/9 + 1/4 = -7/36
    np.testing.assert_allclose(E.gradient([1.5, 2.0]), [-5.0 / 12.0, -7.0 / 36.0])
    # E(1, 1) = 0.05 + 4/4 + 9/9 - 6/6 = 1.05
    assert E.value([1.0, 1.0]) == pytest.approx(1.05)


def test_three_variable_example_of_note_000():
    f = obj.three_variable()
    np.testing.assert_allclose(f.minimizer, [-1.0, -1.0, -1.0])
    np.testing.assert_allclose(np.linalg.eigvalsh(f.hessian(f.minimizer)), [2 - np.sqrt(2), 2.0, 2 + np.sqrt(2)])
    # f(-1,-1,-1) = 1 + (-1)(2) + 1 - 1 + 1 - 1 = -1
    assert f.min_value == pytest.approx(-1.0)


def test_saddle_has_no_minimizer_and_mixed_curvature():
    s = obj.saddle()
    assert s.minimizer is None and s.min_value is None
    assert s.value([1.0, 0.0]) == 1.0 and s.value([0.0, 1.0]) == -1.0
    lam = np.linalg.eigvalsh(s.hessian([0.0, 0.0]))
    assert lam[0] < 0 < lam[1]


def test_rosenbrock_minimizer_and_scalar_value():
    r = obj.rosenbrock()
    np.testing.assert_allclose(r.minimizer, [1.0, 1.0])
    assert r.value([1.0, 1.0]) == 0.0
    assert r.value([0.0, 0.0]) == 1.0
    assert isinstance(r.value([0.0, 0.0]), float)


def test_parabola_accepts_a_plain_number():
    assert obj.parabola().value(3.0) == 9.0
    np.testing.assert_allclose(obj.parabola().gradient(3.0), [6.0])


@pytest.mark.parametrize("bad", [[1.0], [1.0, 2.0, 3.0], [[1.0, 2.0]], [np.nan, 1.0], "ab"])
def test_bad_points_raise_value_error(bad):
    with pytest.raises(ValueError, match="x"):
        obj.ellipse().gradient(bad)


def test_quadratic_rejects_bad_matrices():
    with pytest.raises(ValueError, match="square"):
        obj.quadratic([[1.0, 2.0]])
    with pytest.raises(ValueError, match="symmetric"):
        obj.quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="b must have shape"):
        obj.quadratic(np.eye(2), b=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="a must be in"):
        obj.parabola(-1.0)


def test_every_objective_formula_renders_in_figure_titles():
    """``Objective.latex`` goes into matplotlib titles: it must be mathtext, not full LaTeX
    (``\\tfrac``, ``\\lVert`` and ``\\bigl`` are not mathtext and made plot_contour crash)."""
    from matplotlib.mathtext import MathTextParser

    from course_lib import bowl3d, ellipse, error_surface, parabola, quadratic, rosenbrock, saddle, three_variable
    from course_lib.calculus import rotated_quadratic
    from course_lib.capacity import least_squares_cost, make_regression_data
    from course_lib.gradient_problems import cliff
    from course_lib.landscape import plateau, saddle_between_minima, squared_product, wavy

    data = make_regression_data(10, seed=0)
    objectives = [bowl3d(), ellipse(), error_surface(), parabola(), quadratic(np.eye(2)), rosenbrock(), saddle(),
                  three_variable(), rotated_quadratic(1.0, -1.0), least_squares_cost(data.x, data.y, 3), cliff(),
                  plateau(), saddle_between_minima(), squared_product(), wavy()]
    parser = MathTextParser("agg")
    for objective in objectives:
        assert objective.latex, objective.name
        parser.parse(f"${objective.latex}$")          # raises ValueError on what mathtext cannot read
