"""Vanishing gradients and cliffs: tanh chains, the cliff objective, clipping bounds."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import clip_by_norm, clip_by_value, run
from course_lib.exercises import EXERCISES, check
from course_lib.gradient_problems import (
    CLIP_METHODS,
    chain_scene,
    cliff,
    cliff_run,
    cliff_scene,
    clipped_step,
    step_lengths,
    tanh_chain,
    tanh_derivative,
    tanh_scene,
)
from course_lib.optimizers import gd
from course_lib.scene import scene_figure

WEIGHTS = [0.5, 0.9, 1.0, 1.5, 2.0, 4.0, -1.3]
INPUTS = [0.01, 0.5, 1.0, 2.0, -0.7]


# ------------------------------------------------------------------ tanh

def test_tanh_derivative_matches_one_minus_tanh_squared_and_known_values():
    x = np.linspace(-3.0, 3.0, 61)
    np.testing.assert_allclose(tanh_derivative(x), 1.0 - np.tanh(x) ** 2, rtol=1e-13, atol=1e-15)
    assert tanh_derivative(0.0) == 1.0
    # 1/cosh²(4) = 4 e^{-8} / (1 + e^{-8})², worked out independently of tanh
    assert tanh_derivative(4.0) == pytest.approx(1.0 / math.cosh(4.0) ** 2, rel=1e-14)
    assert round(tanh_derivative(4.0), 4) == 0.0013          # the notes' value, to their 4 decimals
    # far in the tail, where 1 - tanh² cancels to 0, the value keeps its precision
    assert tanh_derivative(30.0) == pytest.approx(4.0 * math.exp(-60.0), rel=1e-12)
    assert tanh_derivative(1000.0) == 0.0 and tanh_derivative(-1000.0) == 0.0


def test_tanh_derivative_matches_central_differences():
    x = np.linspace(-4.0, 4.0, 17)
    h = 1e-6
    fd = (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    np.testing.assert_allclose(tanh_derivative(x), fd, rtol=1e-7, atol=1e-10)


def _chain_output(x, depth, w):
    return tanh_chain(x, depth, w).activations


@pytest.mark.parametrize("w", WEIGHTS)
@pytest.mark.parametrize("x", INPUTS)
def test_chain_derivative_matches_central_differences(w, x):
    depth, h = 12, 1e-6
    chain = tanh_chain(x, depth, w)
    fd = (_chain_output(x + h, depth, w) - _chain_output(x - h, depth, w)) / (2 * h)
    big = np.abs(chain.derivatives) > 1e-4        # below that, the difference quotient is rounding noise
    assert big[0]
    np.testing.assert_allclose(chain.derivatives[big], fd[big], rtol=1e-5)
    np.testing.assert_allclose(np.abs(fd[~big]), 0.0, atol=2e-4)


@pytest.mark.parametrize("w", WEIGHTS)
@pytest.mark.parametrize("x", INPUTS)
def test_chain_matches_torch_autograd(w, x):
    torch = pytest.importorskip("torch")
    depth = 20
    chain = tanh_chain(x, depth, w)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    a, acts, grads = xt, [x], [1.0]
    for _ in range(depth):
        a = torch.tanh(w * a)
        acts.append(a.item())
        (g,) = torch.autograd.grad(a, xt, retain_graph=True)
        grads.append(g.item())
    np.testing.assert_allclose(chain.activations, acts, rtol=1e-14, atol=1e-300)
    # torch differentiates tanh as 1 - a², which loses relative precision as a -> ±1
    np.testing.assert_allclose(chain.derivatives, grads, rtol=1e-8, atol=1e-300)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-5.0, 5.0), w=st.floats(-1.0, 1.0), depth=st.integers(0, 40))
def test_chain_derivative_never_grows_when_the_weight_is_at_most_one(x, w, depth):
    d = np.abs(tanh_chain(x, depth, w).derivatives)
    assert np.all(np.diff(d) <= 0.0)
    assert np.all(d <= np.abs(w) ** np.arange(depth + 1) * (1 + 1e-12))


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-5.0, 5.0), w=st.floats(-6.0, 6.0), depth=st.integers(1, 30))
def test_chain_factors_are_bounded_by_the_weight(x, w, depth):
    chain = tanh_chain(x, depth, w)
    assert np.all(np.abs(chain.factors) <= abs(w))
    np.testing.assert_allclose(chain.derivatives[1:], np.cumprod(chain.factors))
    np.testing.assert_allclose(chain.activations[1:], np.tanh(w * chain.activations[:-1]), rtol=1e-15, atol=1e-300)


def test_large_weights_saturate_and_the_gradient_vanishes():
    # w = 4: the activations settle at a* = tanh(4 a*) ≈ 0.9993, where each layer multiplies the
    # derivative by 4 (1 - a*²) ≈ 4 · 0.0013, far below 1
    chain = tanh_chain(1.0, 30, 4.0)
    a_star = chain.activations[-1]
    assert a_star == pytest.approx(math.tanh(4.0 * a_star), abs=1e-15)
    assert chain.factors[-1] == pytest.approx(4.0 * (1.0 - a_star ** 2), rel=1e-9)
    assert chain.factors[-1] < 0.01 and abs(chain.derivatives[-1]) < 1e-60
    # ... and from x = 0.01, first near the linear regime, the derivative first grows like 4^k
    early = tanh_chain(0.01, 3, 4.0).derivatives
    assert early[1] == pytest.approx(4.0, rel=1e-2) and early[2] > 10.0


# ------------------------------------------------------------------ cliff

def central_gradient(f, x, h=1e-6):
    e = np.eye(len(x))
    return np.array([(f(x + h * e[i]) - f(x - h * e[i])) / (2 * h) for i in range(len(x))])


@pytest.mark.parametrize("params", [{}, {"height": 3.0, "width": 0.5, "curvature": 1.0, "angle": -20.0,
                                          "centre": (1.0, -2.0), "offset": -5.0}])
def test_cliff_gradient_and_hessian_match_central_differences(params):
    F = cliff(**params)
    rng = np.random.default_rng(3)
    u = np.array([math.cos(math.radians(params.get("angle", 30.0))), math.sin(math.radians(params.get("angle", 30.0)))])
    # random points, and points on the face itself, where the gradient is largest
    points = list(rng.uniform(-3.0, 3.0, size=(6, 2)))
    points += [params.get("offset", 0.0) * u + t * np.array([-u[1], u[0]]) + e * u
               for t, e in [(0.0, 0.0), (1.0, 0.05), (-2.0, -0.1)]]
    for x in points:
        np.testing.assert_allclose(F.gradient(x), central_gradient(F.value, x), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(F.hessian(x), np.array([central_gradient(lambda y, i=i: F.gradient(y)[i], x, 1e-5)
                                                            for i in range(2)]), rtol=1e-5, atol=1e-4)


def test_cliff_has_its_steepest_slope_d_over_4ell_on_the_face_and_its_minimum_near_the_centre():
    D, ell = 10.0, 0.1
    F = cliff(height=D, width=ell, curvature=0.25, centre=(2.5, 1.0), angle=30.0)
    r = np.array([math.cos(math.pi / 6), math.sin(math.pi / 6)])
    bowl = 0.25 * (np.zeros(2) - np.array([2.5, 1.0]))
    # at the origin (on the cliff line), the gradient is the bowl's minus (D/4ℓ) r
    np.testing.assert_allclose(F.gradient([0.0, 0.0]), bowl - D / (4 * ell) * r, rtol=1e-14)
    np.testing.assert_allclose(F.minimizer, [2.5, 1.0], atol=1e-8)
    assert np.abs(F.gradient(F.minimizer)).max() < 1e-13
    assert np.all(np.linalg.eigvalsh(F.hessian(F.minimizer)) > 0)
    # the plateau is D higher than the same bowl point mirrored to the low side
    assert F.value(-5.0 * r) - F.value(5.0 * r) == pytest.approx(D + 0.25 * 2 * 5.0 * (r @ [2.5, 1.0]), rel=1e-9)


def test_unclipped_gradient_descent_jumps_far_and_clipping_bounds_the_step():
    lr = 0.3
    free = step_lengths(cliff_run("none", 1.0, lr=lr))
    assert free.max() > 5.0               # one step on the face jumps more than 5 units
    for c in [0.5, 1.0, 2.0, 8.0]:
        by_norm = step_lengths(cliff_run("by norm", c, lr=lr))
        by_value = step_lengths(cliff_run("by value", c, lr=lr))
        assert by_norm.max() <= lr * c * (1 + 1e-12)
        assert by_value.max() <= lr * c * math.sqrt(2) * (1 + 1e-12)
        assert by_value.max() > lr * c * (1 + 1e-6)     # by value, the step can be longer than η c


def test_clipping_by_value_turns_the_step_on_the_face_and_by_norm_does_not():
    F = cliff()
    x = np.array([0.0, 0.0])              # on the face
    g = F.gradient(x)
    by_norm = clipped_step(g, 0.3, max_norm=1.0)
    by_value = clipped_step(g, 0.3, max_value=1.0)

    def cos(a, b):
        return a @ b / np.linalg.norm(a) / np.linalg.norm(b)

    assert cos(by_norm, -g) == pytest.approx(1.0, abs=1e-14)
    assert cos(by_value, -g) < 0.99
    np.testing.assert_allclose(by_value, [0.3, 0.3])   # down the cliff, at 45°


@settings(max_examples=300, deadline=None)
@given(g=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6), c=st.floats(1e-3, 1e3), lr=st.floats(1e-3, 10.0))
def test_clipping_bounds_the_gradient_and_the_step(g, c, lr):
    g = np.array(g)
    n = clip_by_norm(g, c)
    assert np.linalg.norm(n) <= c * (1 + 1e-12)
    if np.linalg.norm(g) > 0:             # direction kept: a positive multiple of g
        k = np.linalg.norm(n) / np.linalg.norm(g)
        assert 0 < k <= 1 + 1e-15
        np.testing.assert_allclose(n, k * g, rtol=1e-12, atol=1e-300)
    v = clip_by_value(g, c)
    assert np.all(np.abs(v) <= c) and np.all(np.sign(v) == np.sign(g))
    step = clipped_step(g, lr, max_norm=c)
    assert np.linalg.norm(step) <= lr * c * (1 + 1e-12)
    assert np.linalg.norm(clipped_step(g, lr, max_value=c)) <= lr * c * math.sqrt(len(g)) * (1 + 1e-12)
    np.testing.assert_allclose(clipped_step(g, lr), -lr * g, rtol=1e-15)


def test_step_lengths_of_a_run():
    traj = run(gd(lr=0.5), cliff(), [4.0, 2.0], 3)
    expected = [np.linalg.norm(traj.xs[i + 1] - traj.xs[i]) for i in range(3)]
    np.testing.assert_allclose(step_lengths(traj), expected, rtol=1e-15)
    assert step_lengths([[1.0, 2.0]]).shape == (0,)


def test_a_diverging_cliff_run_is_drawn_with_its_note_and_does_not_crash():
    # a huge learning rate makes the bowl itself unstable (η k > 2)
    scene = cliff_scene("none", 1.0, lr=50.0, steps=40)
    texts = [item.data[2] for item in scene.panels[0].items if item.kind == "text"]
    assert any("diverged at step" in t for t in texts)
    scene_figure(scene)


def test_the_scenes_draw_and_keep_their_frames_for_every_control_position():
    frames = {chain_scene(w, x).frame() for w in [0.5, 1.0, 4.0] for x in [0.01, 2.0]}
    assert len(frames) == 1
    frames = {cliff_scene(m, c).frame() for m in CLIP_METHODS for c in [0.5, 8.0]}
    assert len(frames) == 1
    scene_figure(tanh_scene(4.0))


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, match", [
    (lambda: tanh_derivative(float("nan")), "x must be"),
    (lambda: tanh_derivative("a"), "x must be"),
    (lambda: tanh_chain(1.0, -1, 1.0), "depth must be an integer >= 0"),
    (lambda: tanh_chain(1.0, 2.5, 1.0), "depth must be an integer"),
    (lambda: tanh_chain(float("inf"), 3, 1.0), "x must be"),
    (lambda: tanh_chain(1.0, 3, float("nan")), "weight must be"),
    (lambda: tanh_scene(9.0), "mark must lie inside"),
    (lambda: cliff(width=0.0), r"width must be in \(0, inf\)"),
    (lambda: cliff(height=-1.0), r"height must be in \[0, inf\)"),
    (lambda: cliff(curvature=-0.1), "curvature must be"),
    (lambda: cliff(centre=(-2.0, 0.0)), "centre must lie on the low side"),
    (lambda: cliff(centre=(1.0, 2.0, 3.0)), "centre must have shape"),
    (lambda: cliff_run("sideways", 1.0), "method must be one of"),
    (lambda: cliff_run("by norm", 0.0), "threshold must be"),
    (lambda: cliff_run("by norm", 1.0, lr=-0.1), "lr must be"),
    (lambda: clipped_step([1.0, 2.0], 0.0), "lr must be"),
    (lambda: clipped_step([1.0, float("nan")], 0.1), "g must contain only finite"),
    (lambda: clipped_step([1.0, 2.0], 0.1, max_norm=-1.0), "max_norm must be"),
    (lambda: step_lengths(np.zeros(3)), "shape"),
])
def test_bad_input_raises_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ exercises

def test_exercise_answers_worked_out_by_hand():
    # tanh'(1.5) = 1/cosh²(1.5)
    assert EXERCISES["grad-tanh-derivative"].answer[0] == pytest.approx(1.0 / math.cosh(1.5) ** 2, rel=1e-14)
    # ||(30, 40)|| = 50 > 5: clipped to (3, 4), a step of 0.05 · 5
    assert EXERCISES["grad-clip-norm-step"].answer[0] == pytest.approx(0.25, rel=1e-15)
    np.testing.assert_array_equal(EXERCISES["grad-clip-value"].answer, [2.0, -2.0, 0.5])
    assert "minus sign" in check("grad-tanh-derivative", math.tanh(1.5) ** 2).message
    assert "unclipped" in check("grad-clip-norm-step", 2.5).message
    assert "by value" in check("grad-clip-norm-step", 0.05 * 5 * math.sqrt(2)).message
