"""Local minima, saddles, plateaus: course_lib.landscape against finite differences, hand values and
independent methods."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import gd, parabola, run, saddle
from course_lib.landscape import (
    basin_of,
    critical_points,
    escape_fractions,
    fraction_positive_definite,
    hessian_test,
    landing_minimum,
    minima_of,
    neighbourhood_test,
    noisy_gradient,
    plateau,
    random_hessians,
    saddle_between_minima,
    slice_along,
    squared_product,
    steps_near,
    steps_to_escape,
    wavy,
)

H = 1e-5


def fd_gradient(obj, x):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = H
        out[i] = (obj.value(x + e) - obj.value(x - e)) / (2 * H)
    return out


def fd_hessian(obj, x):
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = H
        cols.append((obj.gradient(x + e) - obj.gradient(x - e)) / (2 * H))
    return np.array(cols).T


OBJECTIVES = [wavy, plateau, saddle_between_minima, squared_product]


@pytest.mark.parametrize("make", OBJECTIVES)
def test_gradients_and_hessians_match_finite_differences(make):
    obj = make()
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = rng.uniform(-2.0, 2.0, obj.dim)
        np.testing.assert_allclose(obj.gradient(x), fd_gradient(obj, x), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(obj.hessian(x), fd_hessian(obj, x), rtol=1e-6, atol=1e-7)


def test_critical_points_of_the_wavy_bowl():
    f = wavy()
    points = critical_points(f)
    assert [c.kind for c in points] == ["minimum", "maximum"] * 3
    for c in points:
        # f' = 0 (by finite differences of f), and the sign of f'' (finite differences of f) matches the kind
        assert abs(fd_gradient(f, [c.x])[0]) < 1e-7
        second = (f.value(c.x + 1e-4) - 2 * f.value(c.x) + f.value(c.x - 1e-4)) / 1e-8
        assert (second > 0) == (c.kind == "minimum") and abs(second) > 0.5
        assert c.value == pytest.approx(0.1 * c.x ** 2 + math.sin(2 * c.x), abs=1e-15)
    minima = minima_of(f)
    values = [f.value(m) for m in minima]
    assert int(np.argmin(values)) == 1                    # the middle trough is the deepest
    # every minimum is the lowest point of a fine grid between its neighbouring maxima
    grid = np.linspace(-4.5, 4.5, 90001)
    maxima = [c.x for c in points if c.kind == "maximum"]
    edges = [-4.5] + maxima
    for m, lo, hi in zip(minima, edges, maxima):
        inside = grid[(grid > lo) & (grid < hi)]
        assert abs(inside[np.argmin(f.value(inside[None]))] - m) < 2e-4


def test_critical_points_of_a_parabola_and_of_an_interval_without_any():
    [(x, value, kind)] = critical_points(parabola(), (-1.0, 2.0))
    assert abs(x) < 1e-12 and kind == "minimum" and value < 1e-24
    [(x, value, kind)] = critical_points(parabola(), (-1.0, 1.0), num=3)      # a zero on the grid itself
    assert (x, kind, value) == (0.0, "minimum", 0.0)
    assert critical_points(wavy(), (1.0, 2.0)) == []


def test_basins_are_the_intervals_between_maxima():
    f = wavy()
    assert [basin_of(f, x) for x in (-4.4, -2.49, -2.47, 0.82, 0.83, 4.1)] == [0, 0, 1, 1, 2, 2]
    assert basin_of(f, 4.2) is None                     # beyond the last maximum: no minimum in the window


def test_landing_minimum_follows_the_basins():
    f = wavy()
    minima = minima_of(f)
    for x0, index in [(-4.0, 0), (-2.4, 1), (0.8, 1), (0.85, 2), (3.9, 2)]:
        landing = landing_minimum(f, x0, lr=0.1, steps=200)
        assert landing.index == index
        assert landing.is_global == (index == 1)
        assert abs(landing.trajectory.x[0] - minima[index]) < 1e-6    # and it converged there
    assert "global minimum at x ≈ -0.75" in landing_minimum(f, 0.0).describe()


def test_landing_minimum_is_deterministic_under_a_seed():
    f = wavy()
    a = landing_minimum(f, 2.24, lr=0.2, steps=100, noise=3.0, seed=7)
    b = landing_minimum(f, 2.24, lr=0.2, steps=100, noise=3.0, seed=7)
    c = landing_minimum(f, 2.24, lr=0.2, steps=100, noise=3.0, seed=8)
    np.testing.assert_array_equal(a.trajectory.xs, b.trajectory.xs)
    assert a.index == b.index
    assert not np.array_equal(a.trajectory.xs, c.trajectory.xs)


def test_noisy_gradient_has_the_exact_mean_and_the_given_spread():
    f = wavy()
    g = noisy_gradient(f, 2.0)
    rng = np.random.default_rng(0)
    samples = np.array([g(np.array([0.3]), t, rng)[0] for t in range(20000)])
    assert abs(samples.mean() - f.gradient([0.3])[0]) < 4 * 2.0 / math.sqrt(20000)
    assert abs(samples.std() - 2.0) < 0.05


def test_escape_fractions_are_reproducible_and_sensible():
    f = wavy()
    kw = dict(lr=0.2, steps=80, runs=40, seed=5)
    a = escape_fractions(f, 2.24, [0.0, 3.0, 4.0], **kw)
    b = escape_fractions(f, 2.24, [0.0, 3.0, 4.0], **kw)
    np.testing.assert_array_equal(a, b)
    assert a[0] == 0.0 and 0.0 < a[2] < 1.0
    assert escape_fractions(f, -0.75, [0.0], **kw).tolist() == [1.0]
    # the same count, run by run, with landing_minimum
    hits = [landing_minimum(f, 2.24, lr=0.2, steps=80, noise=3.0, seed=5 + k).is_global for k in range(40)]
    assert a[1] == np.mean(hits)


def test_hessian_and_neighbourhood_tests():
    assert hessian_test(saddle(), [0.0, 0.0]) == "saddle point"
    assert neighbourhood_test(saddle(), [0.0, 0.0]) == "saddle point"
    s = saddle_between_minima()
    assert hessian_test(s, [0.0, 0.0]) == "saddle point"
    assert hessian_test(s, [0.0, 1.0]) == "minimum" == neighbourhood_test(s, [0.0, -1.0])
    q = squared_product()
    assert hessian_test(q, [0.0, 0.0]) == "undecided"
    assert neighbourhood_test(q, [0.0, 0.0]) == "minimum"
    assert hessian_test(q, [0.0, 1.5]) == "undecided"     # every point of an axis is a minimum, none strict
    assert neighbourhood_test(q, [0.0, 1.5]) == "minimum"
    neg = parabola()
    assert hessian_test(neg, [0.0]) == "minimum"


def test_the_saddle_seen_along_both_axes():
    sad = saddle()
    t = np.linspace(-2.0, 2.0, 41)
    along_x1 = slice_along(sad, [0.0, 0.0], [1.0, 0.0], t)
    along_x2 = slice_along(sad, [0.0, 0.0], [0.0, 1.0], t)
    np.testing.assert_allclose(along_x1, t ** 2)
    np.testing.assert_allclose(along_x2, -t ** 2)
    assert t[np.argmin(along_x1)] == 0.0 and t[np.argmax(along_x2)] == 0.0


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 7), st.integers(1, 3))
def test_time_near_the_saddle_grows_as_the_start_nears_its_axis(k, extra):
    """Property: a start closer to the saddle's stable axis (smaller ε) lingers longer, by about
    ln(10)/ln(1 + η) steps per decade of ε (the unstable direction grows by 1 + η per step)."""
    s = saddle_between_minima()
    eps_big, eps_small = 10.0 ** -k, 10.0 ** -(k + extra)
    big = run(gd(lr=0.1), s, [1.0, eps_big], 600)
    small = run(gd(lr=0.1), s, [1.0, eps_small], 600)
    n_big, n_small = steps_near(big, [0, 0], 0.1), steps_near(small, [0, 0], 0.1)
    assert n_small > n_big
    if k >= 2:
        per_decade = math.log(10) / math.log(1.1)
        assert abs((n_small - n_big) / extra - per_decade) < 1.5
    for traj in (big, small):                          # both end in a minimum
        assert np.allclose(np.abs(traj.x), [0.0, 1.0], atol=1e-6)


def test_monte_carlo_fraction_against_cholesky_and_exact_values():
    dims, n = [1, 2, 3, 4], 6000
    est = fraction_positive_definite(dims, samples=n, seed=11, chunk=2500)
    for d, count in zip(dims, est.counts):
        A = random_hessians(d, n, np.random.default_rng([11, d]))   # the same matrices, in one piece
        ok = 0
        for M in A:
            try:
                np.linalg.cholesky(M)
                ok += 1
            except np.linalg.LinAlgError:
                pass
        assert ok == count
    # d = 1: the sign of one normal number; d = 2: P(a > 0, c > 0, ac > b²) = (2 - √2)/4
    for p_exact, p, se in [(0.5, est.fractions[0], est.stderr[0]),
                           ((2 - math.sqrt(2)) / 4, est.fractions[1], est.stderr[1])]:
        assert abs(p - p_exact) < 4 * se
    assert np.all(np.diff(est.fractions) < 0)
    assert np.all(est.fractions[1:] < 2.0 ** -np.array(dims[1:]))   # rarer than independent signs


def test_the_exact_two_by_two_value_by_quadrature():
    """(2 - √2)/4, used above, from the distribution of the entries (independent check)."""
    integrate = pytest.importorskip("scipy.integrate")
    special = pytest.importorskip("scipy.special")

    def density(a, c):   # diagonal entries of G + Gᵀ have variance 4, the off-diagonal one 2
        phi = math.exp(-(a * a + c * c) / 8) / (8 * math.pi)
        return phi * special.erf(math.sqrt(a * c) / 2)

    value, _ = integrate.dblquad(density, 0, np.inf, 0, np.inf)
    assert value == pytest.approx((2 - math.sqrt(2)) / 4, abs=1e-7)


def test_random_hessians_have_the_goe_variances():
    A = random_hessians(4, 20000, np.random.default_rng(0))
    np.testing.assert_array_equal(A, A.transpose(0, 2, 1))
    assert np.var(A[:, 0, 0]) == pytest.approx(2 / 4, rel=0.05)
    assert np.var(A[:, 0, 1]) == pytest.approx(1 / 4, rel=0.05)


def test_fraction_does_not_depend_on_chunking_or_on_the_other_dimensions():
    a = fraction_positive_definite([3], samples=3000, seed=2, chunk=3000)
    b = fraction_positive_definite([1, 3], samples=3000, seed=2, chunk=700)
    assert a.counts[0] == b.counts[1]


def test_plateau_escape_times_grow_fast_and_match_a_direct_loop():
    p = plateau()
    starts = [1.5, 2.0, 2.5, 3.0]
    times = [steps_to_escape(p, x0, lr=0.5, max_steps=5000) for x0 in starts]
    assert all(b > 3 * a for a, b in zip(times, times[1:]))
    for x0, n in zip(starts, times):                  # a plain loop of x ← x - η f'(x)
        x, t = x0, 0
        while 1 - math.exp(-x * x) >= 0.5:
            x -= 0.5 * 2 * x * math.exp(-x * x)
            t += 1
        assert t == n
    assert steps_to_escape(p, 3.5, lr=0.5, max_steps=100) is None
    assert steps_to_escape(p, 0.1) == 0


@pytest.mark.parametrize("call, match", [
    (lambda: critical_points(saddle()), "one variable"),
    (lambda: critical_points(wavy(), (2.0, 1.0)), "bounds"),
    (lambda: critical_points(wavy(), num=2), "num"),
    (lambda: landing_minimum(wavy(), 1.0, noise=-1.0), "noise"),
    (lambda: escape_fractions(wavy(), 1.0, []), "noise_levels"),
    (lambda: escape_fractions(wavy(), 1.0, [1.0], runs=0), "runs"),
    (lambda: hessian_test(saddle(), [1.0, 0.0]), "critical point"),
    (lambda: neighbourhood_test(saddle(), [0.0, 0.0], radius=0.0), "radius"),
    (lambda: slice_along(saddle(), [0.0, 0.0], [0.0, 0.0], [1.0]), "direction"),
    (lambda: steps_near("run", [0.0, 0.0], 0.1), "Trajectory"),
    (lambda: fraction_positive_definite([0, 2]), "dims"),
    (lambda: fraction_positive_definite([2], samples=0), "samples"),
    (lambda: random_hessians(2, 3, rng=0), "rng"),
    (lambda: steps_to_escape(plateau(), 2.0, max_steps=0), "max_steps"),
    (lambda: basin_of(wavy(), [1.0, 2.0]), "x"),
])
def test_bad_input_raises_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
