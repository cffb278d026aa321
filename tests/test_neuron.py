"""The sigmoid neuron of course_lib.neuron and one Adam step on it by hand.

Checked against values worked out by hand, central finite differences, torch autograd,
torch's binary cross-entropy and torch.optim.Adam (all in float64; the torch tests are
skipped where torch is not installed).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.neuron import (
    NOTE_000_EXAMPLE,
    AdamStep,
    adam_first_step,
    adam_history,
    adam_step_by_hand,
    bce_loss,
    neuron_forward,
    neuron_gradient,
    neuron_min_value,
    neuron_objective,
    neuron_scene,
    sigmoid,
)
from course_lib.optimizers import adam

reals = st.floats(-6.0, 6.0, allow_nan=False)
labels = st.floats(0.0, 1.0, allow_nan=False)


# ------------------------------------------------------------ by hand

def test_values_worked_out_by_hand_at_zero():
    # w = b = 0: z = 0, y_hat = 1/2, loss = log 2 whatever y, gradient (1/2 - y)(x, 1).
    z, y_hat, loss = neuron_forward(0.0, 0.0, 3.5, 1.0)
    assert (z, y_hat) == (0.0, 0.5)
    assert loss == pytest.approx(math.log(2.0), rel=1e-15)
    assert neuron_gradient(0.0, 0.0, 3.5, 1.0) == (-1.75, -0.5)
    assert neuron_gradient(0.0, 0.0, 3.5, 0.5) == (0.0, 0.0)


def test_the_worked_example_of_note_000_by_hand():
    s = adam_step_by_hand()
    e = 1.0 / (1.0 + math.exp(9.0))                     # sigma(-9)
    assert s.z == -9.0
    assert s.y_hat == pytest.approx(e, rel=1e-14)
    # L = 0.5 (9 + log(1 + e^-9)) + 0.5 log(1 + e^-9) = 4.5 + log(1 + e^-9)
    assert s.loss == pytest.approx(4.5 + math.log1p(math.exp(-9.0)), rel=1e-14)
    assert s.grad_w == pytest.approx((e - 0.5) * 3.5, rel=1e-14)
    assert s.grad_b == pytest.approx(e - 0.5, rel=1e-14)
    assert s.m_w == pytest.approx(0.1 * s.grad_w, rel=1e-14)
    assert s.v_b == pytest.approx(0.01 * s.grad_b ** 2, rel=1e-14)
    # First step with bias correction: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps).
    assert s.m_hat_w == pytest.approx(s.grad_w, rel=1e-14)
    assert s.v_hat_b == pytest.approx(s.grad_b ** 2, rel=1e-14)
    assert s.w_new == pytest.approx(-2.0 + 0.1 * abs(s.grad_w) / (abs(s.grad_w) + 1e-8), rel=1e-15)
    assert s.b_new == pytest.approx(-2.0 + 0.1 * abs(s.grad_b) / (abs(s.grad_b) + 1e-8), rel=1e-15)
    assert adam_step_by_hand(**NOTE_000_EXAMPLE)[:-1] == s[:-1]      # the defaults are the example


def test_corrected_moments_are_consistent_with_the_optimizers_update():
    # The corrected moments the function reports give exactly the optimizer's step, at every step.
    for step in adam_history(6, w=0.3, b=-1.0, x=-1.2, y=0.9, lr=0.05, beta1=0.8, beta2=0.95):
        for coord in "wb":
            m_hat, v_hat = getattr(step, f"m_hat_{coord}"), getattr(step, f"v_hat_{coord}")
            expected = getattr(step, coord) - 0.05 * m_hat / (math.sqrt(v_hat) + 1e-8)
            assert getattr(step, f"{coord}_new") == pytest.approx(expected, rel=1e-13, abs=1e-15)
        assert step.m_hat_w == pytest.approx(step.m_w / (1 - 0.8 ** step.t), rel=1e-14)


def test_without_bias_correction_the_moments_are_used_as_they_are():
    s = adam_step_by_hand(bias_correction=False)
    assert (s.m_hat_w, s.v_hat_b) == (s.m_w, s.v_b)
    # (1 - beta1) / sqrt(1 - beta2) = 0.1 / 0.1 = 1: the same first step as with correction here ...
    assert s.w_new == pytest.approx(adam_step_by_hand().w_new, abs=1e-7)
    # ... but not with beta2 = 0.999: the step is 0.1 / sqrt(0.001) = 3.16 times larger.
    t = adam_step_by_hand(beta2=0.999, bias_correction=False)
    assert t.w_new - (-2.0) == pytest.approx(0.1 * 0.1 / math.sqrt(0.001), rel=1e-6)


def test_history_continues_from_each_step():
    h = adam_history(4)
    assert [s.t for s in h] == [1, 2, 3, 4]
    for prev, nxt in zip(h, h[1:]):
        assert (nxt.w, nxt.b) == (prev.w_new, prev.b_new)
        assert nxt.m_w == pytest.approx(0.9 * prev.m_w + 0.1 * nxt.grad_w, rel=1e-14)
        assert nxt.v_w == pytest.approx(0.99 * prev.v_w + 0.01 * nxt.grad_w ** 2, rel=1e-14)


def test_first_step_is_lr_times_the_sign_whatever_the_size():
    g = np.array([-1.75, 1e-3, -1e-3, 1e3, -1e6])
    np.testing.assert_allclose(adam_first_step(g), -0.1 * np.sign(g), rtol=1e-5)
    # ... until |g| is as small as eps: then the step is lr * |g| / (|g| + eps).
    np.testing.assert_allclose(adam_first_step([1e-8]), [-0.05], rtol=1e-12)
    # With eps inside the root (note 001's form) that step is lr * g / sqrt(g^2 + eps) instead.
    np.testing.assert_allclose(adam_first_step([1e-8], eps_in_sqrt=True), [-0.1 * 1e-8 / math.sqrt(1e-16 + 1e-8)],
                               rtol=1e-12)
    # Without correction: lr (1 - beta1) / sqrt(1 - beta2) in size.
    np.testing.assert_allclose(adam_first_step([2.0, -3.0], beta2=0.999, bias_correction=False),
                               [-0.1 * 0.1 / math.sqrt(0.001), 0.1 * 0.1 / math.sqrt(0.001)], rtol=1e-6)


def test_sigmoid_and_loss_are_stable_far_out():
    assert sigmoid(-800.0) == 0.0 and sigmoid(800.0) == 1.0
    assert bce_loss(-800.0, 1.0) == pytest.approx(800.0, rel=1e-15)
    assert bce_loss(800.0, 0.0) == pytest.approx(800.0, rel=1e-15)
    assert bce_loss(800.0, 1.0) == 0.0
    np.testing.assert_allclose(sigmoid([-1.0, 0.0, 1.0]), 1 / (1 + np.exp([1.0, 0.0, -1.0])), rtol=1e-15)


def test_min_value_is_the_entropy_and_reached_on_the_line():
    L = neuron_objective(3.5, 0.2)
    logit = math.log(0.2 / 0.8)
    for w in (-1.0, 0.0, 2.0):
        assert L.value([w, logit - 3.5 * w]) == pytest.approx(neuron_min_value(0.2), rel=1e-12)
        np.testing.assert_allclose(L.gradient([w, logit - 3.5 * w]), 0.0, atol=1e-15)
    assert neuron_min_value(0.5) == pytest.approx(math.log(2.0), rel=1e-15)
    assert neuron_min_value(1.0) == 0.0


@settings(max_examples=60, deadline=None)
@given(w=reals, b=reals, x=reals, y=labels)
def test_gradient_and_hessian_match_finite_differences(w, b, x, y):
    L = neuron_objective(x, y)
    theta = np.array([w, b])
    h = 1e-6
    fd = np.array([(L.value(theta + h * e) - L.value(theta - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(L.gradient(theta), fd, rtol=1e-6, atol=1e-8)
    fd_h = np.array([(L.gradient(theta + h * e) - L.gradient(theta - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(L.hessian(theta), fd_h, rtol=1e-5, atol=1e-8)
    assert np.all(np.linalg.eigvalsh(L.hessian(theta)) >= -1e-12)      # convex


def test_value_accepts_a_grid():
    L = neuron_objective()
    W, B = np.meshgrid(np.linspace(-2, 1, 4), np.linspace(-2, 1, 3))
    Z = L.value(np.stack([W, B]))
    assert Z.shape == (3, 4)
    assert Z[0, 0] == pytest.approx(L.value([-2.0, -2.0]), rel=1e-15)


@pytest.mark.parametrize("call, message", [
    (lambda: bce_loss(0.0, 1.5), "y must be in"),
    (lambda: neuron_forward(float("nan"), 0.0, 1.0, 0.5), "w must be"),
    (lambda: neuron_gradient(0.0, 0.0, "3.5", 0.5), "x must be"),
    (lambda: adam_step_by_hand(lr=-0.1), "lr"),
    (lambda: adam_step_by_hand(beta2=1.0), "beta2 must be in"),
    (lambda: adam_step_by_hand(state="zero"), "state must be"),
    (lambda: adam_history(0), "steps must be"),
    (lambda: neuron_objective(y=-0.1), "y must be in"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scene_has_equal_axes_and_the_line_of_minimizers():
    sc = neuron_scene({"Adam": np.array([[-2.0, -2.0], [-1.9, -1.9]])}, notes=["t = 1"])
    paths, curve = sc.panels
    assert paths.equal and curve.yscale == "log"
    assert "minimizers" in [item.label for item in paths.items]


# ------------------------------------------------------------ torch as an oracle

def _torch():
    return pytest.importorskip("torch")


@settings(max_examples=40, deadline=None)
@given(w=reals, b=reals, x=reals, y=labels)
def test_loss_and_gradient_match_torch(w, b, x, y):
    torch = _torch()
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = wt * x + bt
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    _, y_hat, ours = neuron_forward(w, b, x, y)
    assert ours == pytest.approx(loss.item(), rel=1e-12, abs=1e-14)
    assert y_hat == pytest.approx(torch.sigmoid(z).item(), rel=1e-13, abs=1e-300)
    gw, gb = neuron_gradient(w, b, x, y)
    assert gw == pytest.approx(wt.grad.item(), rel=1e-12, abs=1e-14)
    assert gb == pytest.approx(bt.grad.item(), rel=1e-12, abs=1e-14)


def test_loss_matches_torch_bce_on_probabilities():
    torch = _torch()
    s = adam_step_by_hand()
    p = torch.sigmoid(torch.tensor(s.z, dtype=torch.float64))
    ref = torch.nn.functional.binary_cross_entropy(p, torch.tensor(0.5, dtype=torch.float64))
    assert s.loss == pytest.approx(ref.item(), rel=1e-12)


@pytest.mark.parametrize("hyper", [
    NOTE_000_EXAMPLE,
    dict(w=0.4, b=-0.7, x=-2.0, y=1.0, lr=0.03, beta1=0.5, beta2=0.9, eps=1e-6),
])
def test_steps_match_torch_optim_adam(hyper):
    torch = _torch()
    hyper = dict(hyper)
    w, b, x, y = (hyper.pop(k) for k in ("w", "b", "x", "y"))
    params = torch.tensor([w, b], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([params], lr=hyper["lr"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"])
    ours = adam_history(8, w, b, x=x, y=y, **hyper)
    for step in ours:
        opt.zero_grad()
        z = params[0] * x + params[1]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=torch.float64))
        loss.backward()
        opt.step()
        st_ = opt.state[params]
        assert step.loss == pytest.approx(loss.item(), rel=1e-12)
        np.testing.assert_allclose([step.m_w, step.m_b], st_["exp_avg"].numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose([step.v_w, step.v_b], st_["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose([step.w_new, step.b_new], params.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_the_step_is_the_optimizers_step():
    s = adam_step_by_hand(w=0.5, b=0.25, x=-1.5, y=0.0)
    opt = adam(lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)
    theta = np.array([0.5, 0.25])
    new, state = opt.update(theta, np.array([s.grad_w, s.grad_b]), opt.init(theta))
    assert (s.w_new, s.b_new) == tuple(new)
    assert isinstance(s, AdamStep) and s.state.t == state.t == 1


# ------------------------------------------------------------ the page's exercises

def _adam_number_keys():
    from course_lib.exercises import EXERCISES
    return sorted(k for k, ex in EXERCISES.items() if k.startswith("adam-") and not ex.options)


@pytest.mark.parametrize("key", _adam_number_keys())
def test_every_adam_exercise_accepts_its_answer_to_three_significant_figures(key):
    """The questions ask for three significant figures or more: the rounded answer must pass."""
    from course_lib.exercises import EXERCISES, check

    answer = float(np.asarray(EXERCISES[key].answer).ravel()[0])
    for typed in (f"{answer:.3g}", f"{answer:.2e}"):
        assert check(key, typed).correct, (typed, repr(check(key, typed)))


def test_the_output_rounded_to_three_figures_is_accepted_and_two_figures_is_not():
    from course_lib.exercises import check

    assert math.isclose(adam_step_by_hand(**NOTE_000_EXAMPLE).y_hat, 1.2339e-4, rel_tol=1e-4)
    assert check("adam-yhat", "0.000123").correct and check("adam-yhat", "1.23e-4").correct
    assert not check("adam-yhat", "1.2e-4").correct
