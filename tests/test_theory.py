"""Learning-rate facts on quadratics, against hand values and against actual runs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import gd, quadratic, run
from course_lib.theory import gd_contraction, gd_learning_rates


def test_bowl_rates_by_hand():
    r = gd_learning_rates(np.diag([6.0, 4.0, 8.0]))
    np.testing.assert_allclose(r.axis_optimal, [1 / 4, 1 / 6, 1 / 8])
    assert r.max_stable == 0.25
    assert r.best == pytest.approx(1 / 6) and r.best_factor == pytest.approx(1 / 3)
    np.testing.assert_allclose(gd_contraction(np.diag([6.0, 4.0, 8.0]), [1 / 8, 1 / 6, 0.25]), [0.5, 1 / 3, 1.0])


def test_rejects_indefinite_hessians():
    with pytest.raises(ValueError, match="positive definite"):
        gd_learning_rates(np.diag([1.0, -1.0]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.1, 10.0), min_size=1, max_size=4), st.floats(0.05, 1.95))
def test_gd_converges_exactly_below_two_over_lambda_max(eigenvalues, fraction):
    """Property: on a quadratic, GD converges iff lr < 2/λ_max (checked away from the boundary)."""
    A = np.diag(eigenvalues)
    lr = fraction * gd_learning_rates(A).max_stable  # fraction < 1 converges, > 1 diverges
    if abs(fraction - 1.0) < 0.05:
        return
    x0 = np.ones(len(eigenvalues))
    traj = run(gd(lr=lr), quadratic(A), x0, steps=3000, max_distance=1e3)
    if fraction < 1.0:
        assert not traj.diverged
        assert np.linalg.norm(traj.x) < np.linalg.norm(x0)
    else:
        assert traj.diverged


def test_a_non_finite_hessian_is_named_as_such_not_as_asymmetric():
    with pytest.raises(ValueError, match="hessian must contain only finite numbers"):
        gd_learning_rates([[1.0, np.nan], [np.nan, 1.0]])


def test_theory_and_quadratic_share_one_symmetry_tolerance():
    from course_lib import quadratic
    nearly = np.array([[2.0, 1.0], [1.0 + 1e-13, 3.0]])      # asymmetric by rounding only
    off = np.array([[2.0, 1.0], [1.0 + 1e-9, 3.0]])
    gd_learning_rates(nearly)
    quadratic(nearly)
    with pytest.raises(ValueError, match="hessian must be symmetric"):
        gd_learning_rates(off)                               # np.allclose's default would accept this
    with pytest.raises(ValueError, match="A must be symmetric"):
        quadratic(off)
