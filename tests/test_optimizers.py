"""gd against values derived by hand, its interface, and its handling of bad input."""

import math

import numpy as np
import pytest

from course_lib import GDState, Optimizer, error_surface, gd, parabola


def step(opt, x, g, state=None):
    state = opt.init(x) if state is None else state
    return opt.update(np.asarray(x, float), np.asarray(g, float), state)


def test_gd_one_step_by_hand():
    x, state = step(gd(lr=0.25), [2.0], [4.0])
    np.testing.assert_array_equal(x, [1.0])
    assert state == GDState(t=1)


def test_gd_on_parabola_multiplies_by_one_minus_two_eta():
    f, opt = parabola(), gd(lr=0.05)
    x = np.array([10.0])
    state = opt.init(x)
    for t in range(1, 11):
        x, state = opt.update(x, f.gradient(x), state)
        assert x[0] == pytest.approx(10.0 * 0.9 ** t, rel=1e-13)
    assert state.t == 10


def test_gd_step_on_error_surface_by_hand():
    # gradient at (1.5, 2) is (-5/12, -7/36); times 0.3 gives (-1/8, -7/120)
    E = error_surface()
    x, _ = step(gd(lr=0.3), [1.5, 2.0], E.gradient([1.5, 2.0]))
    np.testing.assert_allclose(x, [1.5 + 1.0 / 8.0, 2.0 + 7.0 / 120.0], rtol=1e-15)


def test_gd_follows_a_schedule_by_step_number():
    opt = gd(lr=lambda t: 1.0 / (t + 1))
    x, state = np.array([0.0]), opt.init([0.0])
    for _ in range(4):
        x, state = opt.update(x, np.array([1.0]), state)
    assert x[0] == pytest.approx(-(1 + 1 / 2 + 1 / 3 + 1 / 4))


def test_gd_works_on_any_shape():
    x = np.arange(6.0).reshape(2, 3)
    new, _ = step(gd(lr=0.5), x, np.ones((2, 3)))
    np.testing.assert_array_equal(new, x - 0.5)


def test_optimizer_is_a_namedtuple_with_a_readable_repr():
    opt = gd(lr=0.1)
    assert isinstance(opt, Optimizer) and isinstance(opt, tuple)
    assert repr(opt) == "gd(lr=0.1)"


@pytest.mark.parametrize("lr", [0.0, -0.1, math.nan, math.inf, "0.1", None, True])
def test_bad_learning_rates_are_rejected_with_the_allowed_range(lr):
    with pytest.raises(ValueError, match=r"lr must be"):
        gd(lr=lr)


def test_a_schedule_returning_a_bad_rate_is_reported_with_its_step():
    with pytest.raises(ValueError, match=r"step 0"):
        gd(lr=lambda t: -1.0)
    opt = gd(lr=lambda t: 0.1 if t < 2 else -1.0)
    x, state = np.array([1.0]), opt.init([1.0])
    x, state = opt.update(x, np.array([1.0]), state)
    x, state = opt.update(x, np.array([1.0]), state)
    with pytest.raises(ValueError, match=r"returned -1.0 at step 2"):
        opt.update(x, np.array([1.0]), state)


def test_bad_points_and_gradients_are_rejected():
    opt = gd(lr=0.1)
    with pytest.raises(ValueError, match="x0 must contain only finite"):
        opt.init([np.nan, 1.0])
    state = opt.init([1.0, 2.0])
    with pytest.raises(ValueError, match=r"g has shape \(3,\) but x has shape \(2,\)"):
        opt.update(np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]), state)
    with pytest.raises(ValueError, match="g contains NaN or inf"):
        opt.update(np.array([1.0, 2.0]), np.array([np.inf, 0.0]), state)
    with pytest.raises(ValueError, match="g must be an array of numbers"):
        opt.update(np.array([1.0, 2.0]), "steep", state)


def test_note_001_velocity_form_with_the_rate_inside_is_momentum():
    """Note 001: V_t = γ V_{t-1} + η ∇J(W_{t-1}), W_t = W_{t-1} - V_t, i.e. V = η v of momentum(η, γ)."""
    from course_lib import momentum

    eta, gamma = 0.05, 0.8
    a = np.array([0.5, 1.0, 2.0, 4.0])            # gradient of a quadratic: a * w
    w, V = np.array([1.0, -2.0, 0.5, 3.0]), np.zeros(4)
    opt = momentum(lr=eta, beta=gamma)
    x, state = w.copy(), opt.init(w)
    for _ in range(60):
        V = gamma * V + eta * (a * w)
        w = w - V
        x, state = opt.update(x, a * x, state)
        np.testing.assert_allclose(x, w, rtol=1e-12, atol=1e-15)
