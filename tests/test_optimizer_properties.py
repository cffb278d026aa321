"""Properties, equivalences and hand computations for every optimizer of course_lib.optimizers.

Each reference implementation below is written plainly (Python floats, one coordinate at
a time where that is clearer) from the formula quoted in its comment, so that it shares
no code with the library.
"""

import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib import optimizers as O
from course_lib.objectives import ellipse, error_surface, quadratic, rosenbrock
from course_lib.runner import run

ALL_NAMES = ["gd", "momentum", "momentum_ema", "nesterov", "adagrad", "rmsprop", "adadelta",
             "adam", "adamw", "yogi", "newton"]

# Non-default hyperparameters, so that every state field moves and matters.
FACTORIES = {
    "gd": lambda: O.gd(lr=0.1),
    "momentum": lambda: O.momentum(lr=0.1, beta=0.7),
    "momentum_ema": lambda: O.momentum_ema(lr=0.1, beta=0.7, debias=True),
    "nesterov": lambda: O.nesterov(lr=0.1, beta=0.7),
    "adagrad": lambda: O.adagrad(lr=0.1),
    "rmsprop": lambda: O.rmsprop(lr=0.1, gamma=0.8),
    "adadelta": lambda: O.adadelta(lr=1.0, rho=0.8),
    "adam": lambda: O.adam(lr=0.1, beta1=0.8, beta2=0.9),
    "adamw": lambda: O.adamw(lr=0.1, beta1=0.8, beta2=0.9, weight_decay=0.1),
    "yogi": lambda: O.yogi(lr=0.1, beta1=0.8, beta2=0.9, v0=0.5),
    "newton": lambda: O.newton(lr=0.5),
    "clip(adam)": lambda: O.clip(O.adam(lr=0.1), max_value=2.0, max_norm=3.0),
    "clip(newton)": lambda: O.clip(O.newton(lr=0.5), max_norm=1.0),
}

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


def gradient_sequences(dim, min_size=1, max_size=30):
    return st.lists(st.lists(finite, min_size=dim, max_size=dim), min_size=min_size, max_size=max_size)


def array_fields(state):
    return [value for value in state if isinstance(value, np.ndarray)]


def assert_state_equal(a, b):
    assert type(a) is type(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def copy_state(state):
    return type(state)(*[v.copy() if isinstance(v, np.ndarray) else v for v in state])


# ===================================================================== hypothesis properties

@settings(deadline=None, max_examples=60)
@given(lr=st.floats(1e-4, 1.0), beta=st.floats(0.0, 0.999), x0=st.lists(finite, min_size=2, max_size=2),
       gs=gradient_sequences(2))
def test_momentum_ema_is_momentum_with_rate_times_one_minus_beta(lr, beta, x0, gs):
    # momentum_ema: v' = βv + (1-β)g, x -= lr v'.  momentum: u' = βu + g, x -= lr(1-β) u'.
    # By induction v = (1-β)u, so lr v' = lr(1-β) u' and the iterates agree (note 001's question).
    ema, mom = O.momentum_ema(lr=lr, beta=beta), O.momentum(lr=lr * (1 - beta), beta=beta)
    x_a = x_b = np.array(x0)
    s_a, s_b = ema.init(x_a), mom.init(x_b)
    # the iterates are sums of terms up to this size; rounding is relative to it, not to x
    scale = max(abs(v) for v in x0) + lr * len(gs) * max(abs(v) for g in gs for v in g)
    for g in gs:
        x_a, s_a = ema.update(x_a, np.array(g), s_a)
        x_b, s_b = mom.update(x_b, np.array(g), s_b)
        np.testing.assert_allclose(x_a, x_b, rtol=1e-12, atol=1e-12 * scale)


@settings(deadline=None, max_examples=100)
@given(c0=finite, cs=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=200))
@example(c0=0.0, cs=[5e-324, 5e-324])            # subnormals: halving one rounds to 0
def test_running_average_with_gamma_t_minus_one_over_t_is_the_plain_mean(c0, cs):
    # Note 001: C_t = γ_t C_{t-1} + (1 - γ_t) c_t with γ_t = (t-1)/t. Since γ_1 = 0, C_0 is
    # forgotten at once; then t C_t = (t-1) C_{t-1} + c_t, i.e. t C_t = c_1 + ... + c_t.
    from course_lib.averages import mean_gamma, running_average

    C = running_average(cs, mean_gamma, c0=c0)
    for t in range(1, len(cs) + 1):
        # (the absolute part has a floor: halving a subnormal such as 5e-324 rounds to 0)
        assert C[t - 1] == pytest.approx(math.fsum(cs[:t]) / t, rel=1e-9,
                                         abs=1e-9 * max(abs(v) for v in cs[:t]) + 1e-300)


def test_a_constant_gamma_is_an_exponential_moving_average():
    from course_lib.averages import running_average

    # C_t = (1 - γ) Σ_k γ^(t-k) c_k + γ^t C_0, by hand for γ = 0.9
    cs = np.array([1.0, -2.0, 3.0, 0.5])
    expected = [0.9 ** t * 5.0 + 0.1 * sum(0.9 ** (t - k) * cs[k - 1] for k in range(1, t + 1)) for t in range(1, 5)]
    np.testing.assert_allclose(running_average(cs, 0.9, c0=5.0), expected, rtol=1e-14)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]"):
        running_average(cs, 1.5)


nonzero_gradient = st.floats(-1e4, 1e4).filter(lambda v: abs(v) >= 1e-3)


@settings(deadline=None, max_examples=80)
@given(data=st.data(), lr=st.floats(1e-4, 1.0), beta1=st.floats(0.0, 0.999), beta2=st.floats(0.0, 0.999))
def test_adam_first_step_moves_every_coordinate_by_lr(data, lr, beta1, beta2):
    # Step 1: m = (1-β1) g, m̂ = m/(1-β1) = g; v = (1-β2) g², v̂ = g².
    # Δx = -lr g/(|g| + ε), so |Δx| = lr |g|/(|g| + ε) = lr (1 - ε/(|g|+ε)): relative error
    # below ε/|g| ≤ 1e-8/1e-3 = 1e-5 < 1e-4, and the sign is that of -g.
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), label="shape")
    g = data.draw(hnp.arrays(np.float64, shape, elements=nonzero_gradient), label="g")
    x = data.draw(hnp.arrays(np.float64, shape, elements=finite), label="x")
    opt = O.adam(lr=lr, beta1=beta1, beta2=beta2, eps=1e-8)
    x_new, _ = opt.update(x, g, opt.init(x))
    step = np.asarray(x_new - x)
    assert step.shape == shape
    np.testing.assert_allclose(np.abs(step), lr, rtol=1e-4)
    np.testing.assert_array_equal(np.sign(step), -np.sign(g))


@settings(deadline=None, max_examples=40)
@given(lr=st.floats(1e-3, 1.0), x0=st.lists(finite, min_size=3, max_size=3), gs=gradient_sequences(3))
def test_zero_momentum_and_zero_decay_reduce_to_the_simpler_method(lr, x0, gs):
    # momentum(β=0): v' = 0·v + g = g, x -= lr g: gd.  momentum_ema(β=0): v' = 0·v + 1·g = g: gd.
    # adamw(λ=0): x' = x (1 - lr·0) = x, then Adam's step: adam. All bit-for-bit identical.
    pairs = [(O.momentum(lr=lr, beta=0.0), O.gd(lr=lr)),
             (O.momentum_ema(lr=lr, beta=0.0), O.gd(lr=lr)),
             (O.adamw(lr=lr, weight_decay=0.0), O.adam(lr=lr))]
    for special, general in pairs:
        x_a = x_b = np.array(x0)
        s_a, s_b = special.init(x_a), general.init(x_b)
        for g in gs:
            x_a, s_a = special.update(x_a, np.array(g), s_a)
            x_b, s_b = general.update(x_b, np.array(g), s_b)
            np.testing.assert_array_equal(x_a, x_b, err_msg=f"{special!r} vs {general!r}")


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(1, 6))
def test_newton_solves_any_positive_definite_quadratic_in_one_step(seed, dim):
    # f = ½xᵀAx + bᵀx: ∇f = Ax + b, ∇²f = A, so x1 = x0 - A⁻¹(Ax0 + b) = -A⁻¹b = x*, from any x0.
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    A = Q @ np.diag(rng.uniform(0.1, 10.0, size=dim)) @ Q.T     # condition number ≤ 100
    A = (A + A.T) / 2
    b = rng.uniform(-10, 10, size=dim)
    x0 = rng.uniform(-100, 100, size=dim)
    q = quadratic(A, b)
    traj = run(O.newton(), q, x0, steps=1)
    np.testing.assert_allclose(traj.xs[1], q.minimizer, rtol=1e-9, atol=1e-9 * (1 + np.abs(x0).max()))


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


@pytest.mark.parametrize("name", list(FACTORIES))
@settings(deadline=None, max_examples=25)
@given(data=st.data())
def test_update_modifies_nothing_and_init_aliases_nothing(name, data):
    opt = FACTORIES[name]()
    shape = data.draw(shapes, label="shape")
    if opt.needs_hessian:                       # Newton takes points of shape (d,)
        shape = (int(np.prod(shape)),)
    elements = st.floats(-10, 10).filter(lambda v: abs(v) > 1e-3)
    x0, x, g1, g2 = (data.draw(hnp.arrays(np.float64, shape, elements=elements)) for _ in range(4))
    extra = {}
    if opt.needs_hessian:
        d = shape[0]
        extra = {"hessian": np.eye(d) * 2.0 + np.ones((d, d))}       # positive definite

    # init: the state does not share memory with x0 (nor its fields with each other), and
    # mutating x0 afterwards leaves the state as it was.
    state = opt.init(x0)
    fields = array_fields(state)
    for i, a in enumerate(fields):
        assert not np.shares_memory(a, x0)
        assert not any(np.shares_memory(a, b) for b in fields[i + 1:])
    before = copy_state(state)
    x0 += 1.0
    assert_state_equal(state, before)

    # a first update so that every state array holds something non-trivial
    _, state = opt.update(x0, g1, state, **extra)

    inputs = [x.copy(), g2.copy(), copy_state(state)] + [h.copy() for h in extra.values()]
    x_new, new_state = opt.update(x, g2, state, **extra)
    np.testing.assert_array_equal(x, inputs[0])
    np.testing.assert_array_equal(g2, inputs[1])
    assert_state_equal(state, inputs[2])
    for h, h_copy in zip(extra.values(), inputs[3:]):
        np.testing.assert_array_equal(h, h_copy)
    # the outputs share no memory with the inputs: mutating g (a reused buffer) cannot corrupt them
    for out in [np.asarray(x_new)] + array_fields(new_state):
        for inp in [x, g2] + array_fields(state):
            assert not np.shares_memory(out, inp)


# ============================================================ equivalences and forms by hand

def run_updates(opt, x0, gradients):
    x, state, xs = np.asarray(x0, float), opt.init(x0), []
    for g in gradients:
        x, state = opt.update(x, np.asarray(g, float), state)
        xs.append(x)
    return xs, state


def test_adagrad_eps_inside_and_outside_the_root_by_hand():
    # lr = 0.5, ε = 7, g1 = 3, g2 = 4: s1 = 9, s2 = 25.
    # outside: steps 3/(√9 + 7) = 0.3 and 4/(√25 + 7) = 1/3;
    # inside:  steps 3/√(9 + 7) = 3/4 and 4/√(25 + 7) = 1/√2.
    out, s = run_updates(O.adagrad(lr=0.5, eps=7.0), [0.0], [[3.0], [4.0]])
    np.testing.assert_allclose(np.ravel(out), [-0.15, -0.15 - 0.5 / 3], rtol=1e-15)
    np.testing.assert_array_equal(s.s, [25.0])
    ins, _ = run_updates(O.adagrad(lr=0.5, eps=7.0, eps_in_sqrt=True), [0.0], [[3.0], [4.0]])
    np.testing.assert_allclose(np.ravel(ins), [-0.375, -0.375 - 0.5 / math.sqrt(2)], rtol=1e-15)


def test_rmsprop_eps_inside_and_outside_the_root_by_hand():
    # lr = 0.3, γ = 0.75, ε = 5, g1 = 4, g2 = 2:
    # s1 = 0.25·16 = 4, s2 = 0.75·4 + 0.25·4 = 4.
    # outside: 4/(2 + 5) = 4/7 and 2/(2 + 5) = 2/7;  inside: 4/√9 = 4/3 and 2/√9 = 2/3.
    out, s = run_updates(O.rmsprop(lr=0.3, gamma=0.75, eps=5.0), [1.0], [[4.0], [2.0]])
    np.testing.assert_allclose(np.ravel(out), [1 - 0.3 * 4 / 7, 1 - 0.3 * 6 / 7], rtol=1e-15)
    np.testing.assert_allclose(s.s, [4.0], rtol=1e-15)
    ins, _ = run_updates(O.rmsprop(lr=0.3, gamma=0.75, eps=5.0, eps_in_sqrt=True), [1.0], [[4.0], [2.0]])
    np.testing.assert_allclose(np.ravel(ins), [1 - 0.4, 1 - 0.6], rtol=1e-15)


def test_adam_eps_inside_and_outside_the_root_by_hand():
    # lr = 0.3, β1 = 0.5, β2 = 0.75, ε = 9, g1 = 4, g2 = -4.
    # t=1: m = 2, m̂ = 2/0.5 = 4;  v = 0.25·16 = 4, v̂ = 4/0.25 = 16.
    #      outside 4/(4 + 9) = 4/13;  inside 4/√25 = 4/5.
    # t=2: m = 0.5·2 + 0.5·(-4) = -1, m̂ = -1/(1 - 0.25) = -4/3;
    #      v = 0.75·4 + 0.25·16 = 7, v̂ = 7/(1 - 0.5625) = 16.
    #      outside (-4/3)/(4 + 9) = -4/39;  inside (-4/3)/√25 = -4/15.
    out, s = run_updates(O.adam(lr=0.3, beta1=0.5, beta2=0.75, eps=9.0), [0.0], [[4.0], [-4.0]])
    np.testing.assert_allclose(np.ravel(out), [-0.3 * 4 / 13, -0.3 * 4 / 13 + 0.3 * 4 / 39], rtol=1e-14)
    assert s.t == 2
    np.testing.assert_allclose([s.m[0], s.v[0]], [-1.0, 7.0], rtol=1e-15)
    ins, _ = run_updates(O.adam(lr=0.3, beta1=0.5, beta2=0.75, eps=9.0, eps_in_sqrt=True), [0.0], [[4.0], [-4.0]])
    np.testing.assert_allclose(np.ravel(ins), [-0.3 * 4 / 5, -0.3 * 4 / 5 + 0.3 * 4 / 15], rtol=1e-14)


def test_adamw_first_two_steps_by_hand():
    # lr = 0.1, β1 = 0.5, β2 = 0.75, ε = 1, λ = 0.5, x0 = (2, -4), g1 = (3, -1), g2 = (-3, 1).
    # t=1: m̂ = g1, v̂ = g1²: direction g/(|g| + 1) = (0.75, -0.5);
    #      x1 = x0 (1 - 0.1·0.5) - 0.1 (0.75, -0.5) = (1.9 - 0.075, -3.8 + 0.05) = (1.825, -3.75).
    # t=2: m = 0.5·0.5 g1 + 0.5 g2 = -0.25 g1, m̂ = m/0.75 = -g1/3;
    #      v = 0.75·0.25 g1² + 0.25 g1² = 0.4375 g1², v̂ = v/0.4375 = g1²:
    #      direction = (-g1/3)/(|g1| + 1) = (-0.25, 1/6);  x2 = 0.95 x1 - 0.1 (-0.25, 1/6).
    opt = O.adamw(lr=0.1, beta1=0.5, beta2=0.75, eps=1.0, weight_decay=0.5)
    xs, _ = run_updates(opt, [2.0, -4.0], [[3.0, -1.0], [-3.0, 1.0]])
    np.testing.assert_allclose(xs[0], [1.825, -3.75], rtol=1e-15)
    np.testing.assert_allclose(xs[1], [0.95 * 1.825 + 0.025, -0.95 * 3.75 - 0.1 / 6], rtol=1e-14)


def test_note_001_adadelta_is_rmsprop():
    # Note 001: G_t = γ G_{t-1} + (1-γ) g_t²,  W_t = W_{t-1} - η/(√G_t + ε) g_t, per coordinate.
    eta, gamma, eps = 0.05, 0.9, 1e-6
    f = ellipse()
    W, G = [-5.0, -2.0], [0.0, 0.0]
    opt = O.rmsprop(lr=eta, gamma=gamma, eps=eps)
    x, state = np.array(W), opt.init(W)
    for _ in range(50):
        g = [0.2 * W[0], 4.0 * W[1]]                      # ∇(0.1 W1² + 2 W2²)
        G = [gamma * G[i] + (1 - gamma) * g[i] ** 2 for i in range(2)]
        W = [W[i] - eta / (math.sqrt(G[i]) + eps) * g[i] for i in range(2)]
        x, state = opt.update(x, f.gradient(x), state)
        np.testing.assert_allclose(x, W, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(state.s, G, rtol=1e-12)


def test_momentum_ema_debiased_first_step_is_gd_and_later_directions_are_v_over_one_minus_beta_t():
    lr, beta = 0.2, 0.8
    rng = np.random.default_rng(0)
    gs = rng.normal(size=(10, 3))
    x0 = rng.normal(size=3)
    ema = O.momentum_ema(lr=lr, beta=beta, debias=True)
    x1, _ = ema.update(x0, gs[0], ema.init(x0))
    gd1, _ = O.gd(lr=lr).update(x0, gs[0], O.gd(lr=lr).init(x0))
    np.testing.assert_allclose(x1, gd1, rtol=1e-15)     # m1 = (1-β)g0, m1/(1-β) = g0
    # step t (t = 1, 2, ...): m_t = β m_{t-1} + (1-β) g_{t-1},  x_t = x_{t-1} - lr m_t/(1-β^t)
    x, state, m = x0, ema.init(x0), np.zeros(3)
    for t, g in enumerate(gs, start=1):
        m = beta * m + (1 - beta) * g
        x_next, state = ema.update(x, g, state)
        np.testing.assert_allclose(x - x_next, lr * m / (1 - beta**t), rtol=1e-10)
        np.testing.assert_allclose(state.m, m, rtol=1e-14)    # the state keeps the un-debiased m
        x = x_next


def test_nesterov_visits_the_look_ahead_points_of_the_textbook_form():
    # Sutskever et al.: w_{t+1} = β w_t - lr ∇f(θ_t + β w_t), θ_{t+1} = θ_t + w_{t+1}, w_0 = 0,
    # where their velocity w is the step vector. Claim: our x_t = θ_t + β w_t, and w_t = -lr u_t.
    lr, beta = 0.5, 0.9
    E = error_surface()
    A, m = np.array([[0.5, -1 / 6], [-1 / 6, 2 / 9]]), np.array([3.0, 4.0])

    def grad(p):                                       # ∇E, written here from E's formula
        return A @ (p - m)

    theta, w = np.array([-1.0, 8.0]), np.zeros(2)
    opt = O.nesterov(lr=lr, beta=beta)
    x, state = theta.copy(), opt.init(theta)
    for _ in range(100):
        look_ahead = theta + beta * w
        np.testing.assert_allclose(x, look_ahead, rtol=1e-12, atol=1e-12)
        w = beta * w - lr * grad(look_ahead)
        theta = theta + w
        x, state = opt.update(x, E.gradient(x), state)
        np.testing.assert_allclose(-lr * state.u, w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x, theta + beta * w, rtol=1e-12, atol=1e-12)


def _sign(a):
    return (a > 0) - (a < 0)


@pytest.mark.parametrize("hyper", [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-3, v0=1e-6),
                                   dict(lr=0.002, beta1=0.5, beta2=0.9, eps=1e-8, v0=0.5)])
def test_yogi_matches_the_paper_for_100_steps(hyper):
    # Zaheer et al., Algorithm 2: m = β1 m + (1-β1) g;  v = v - (1-β2) sign(v - g²) g²;
    # x = x - lr m/(√v + ε), with m_0 = 0 and v_0 = v0, per coordinate.
    lr, b1, b2, eps, v0 = (hyper[k] for k in ("lr", "beta1", "beta2", "eps", "v0"))
    f = rosenbrock()
    p, m, v = [-1.2, 1.0], [0.0, 0.0], [v0, v0]
    opt = O.yogi(**hyper)
    x, state = np.array(p), opt.init(p)
    for _ in range(100):
        g = [-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = v[i] - (1 - b2) * _sign(v[i] - g[i] ** 2) * g[i] ** 2
            p[i] = p[i] - lr * m[i] / (math.sqrt(v[i]) + eps)
        x, state = opt.update(x, f.gradient(x), state)
        np.testing.assert_allclose(x, p, rtol=1e-10)
        np.testing.assert_allclose(state.v, v, rtol=1e-10)


def test_yogi_first_step_by_hand():
    # lr = 0.5, β1 = 0.5, β2 = 0.75, ε = 1, v0 = 4, g = (1, 4, 2), x0 = 0:
    # m = 0.5 g = (0.5, 2, 1);  g² = (1, 16, 4);  sign(v0 - g²) = (+1, -1, 0);
    # v = 4 - 0.25·(+1)·1, 4 - 0.25·(-1)·16, 4 - 0 = (3.75, 8, 4);
    # x1 = -0.5·(0.5/(√3.75 + 1), 2/(√8 + 1), 1/(2 + 1)).
    opt = O.yogi(lr=0.5, beta1=0.5, beta2=0.75, eps=1.0, v0=4.0)
    x, s = opt.update(np.zeros(3), np.array([1.0, 4.0, 2.0]), opt.init(np.zeros(3)))
    np.testing.assert_array_equal(s.m, [0.5, 2.0, 1.0])
    np.testing.assert_array_equal(s.v, [3.75, 8.0, 4.0])
    np.testing.assert_allclose(x, [-0.25 / (math.sqrt(3.75) + 1), -1 / (math.sqrt(8) + 1), -0.5 / 3], rtol=1e-15)


def test_adadelta_first_two_steps_by_hand():
    # lr = 0.5, ρ = 0.75, ε = 9, x0 = 1, g1 = 8, g2 = 4.
    # t=1: s = 0.25·64 = 16;  Δ = √(0 + 9)/√(16 + 9)·8 = 3/5·8 = 4.8;  d = 0.25·4.8² = 5.76;
    #      x1 = 1 - 0.5·4.8 = -1.4.
    # t=2: s = 0.75·16 + 0.25·16 = 16;  Δ = √(5.76 + 9)/√25·4 = 0.8 √14.76;  x2 = x1 - 0.4 √14.76.
    xs, s = run_updates(O.adadelta(lr=0.5, rho=0.75, eps=9.0), [1.0], [[8.0], [4.0]])
    np.testing.assert_allclose(np.ravel(xs), [-1.4, -1.4 - 0.4 * math.sqrt(14.76)], rtol=1e-14)
    delta2 = 0.8 * math.sqrt(14.76)
    np.testing.assert_allclose([s.s[0], s.d[0]], [16.0, 0.75 * 5.76 + 0.25 * delta2**2], rtol=1e-14)


def test_clip_by_value_and_by_norm_by_hand():
    # by value: each coordinate into [-1, 1] separately; the direction changes.
    np.testing.assert_array_equal(O.clip_by_value([-3.0, 0.5, 2.0, -1.0], 1.0), [-1.0, 0.5, 1.0, -1.0])
    # by norm: ‖(3, 4)‖ = 5 > 1, rescale by 1/5: (0.6, 0.8), same direction, norm 1.
    np.testing.assert_allclose(O.clip_by_norm([3.0, 4.0], 1.0), [0.6, 0.8], rtol=1e-15)
    g = np.array([[1.0, -2.0], [2.0, 4.0]])                     # norm 5, any shape
    clipped = O.clip_by_norm(g, 2.5)
    np.testing.assert_allclose(clipped, g / 2, rtol=1e-15)
    # below (or at) the threshold: unchanged, and a copy
    for limit in (5.0, 10.0):
        out = O.clip_by_norm(g, limit)
        np.testing.assert_array_equal(out, g)
        assert not np.shares_memory(out, g)
    np.testing.assert_array_equal(O.clip_by_value([0.25, -0.5], 0.5), [0.25, -0.5])


def test_extra_inputs_are_asked_for_by_name():
    newt = O.newton()
    assert newt.needs == ("hessian",) and O.gd().needs == ()
    with pytest.raises(ValueError, match=r"newton\(lr=1.0\) needs hessian: call update\(x, g, state, hessian=...\)"):
        newt.update(np.ones(2), np.ones(2), newt.init(np.ones(2)))
    with pytest.raises(ValueError, match=r"gd\(lr=0.001\) takes no hessian"):
        O.gd().update(np.ones(2), np.ones(2), O.gd().init(np.ones(2)), hessian=np.eye(2))


def test_hyperparameters_are_plain_numbers_and_cannot_be_edited():
    opt = O.gd(lr=np.float64(0.1))
    assert repr(opt) == "gd(lr=0.1)" and type(opt.hyperparams["lr"]) is float
    assert repr(O.adam(beta1=np.float32(0.5))) == ("adam(lr=0.001, beta1=0.5, beta2=0.999, eps=1e-08, "
                                                   "bias_correction=True, eps_in_sqrt=False)")
    with pytest.raises(TypeError):
        opt.hyperparams["lr"] = 5          # what the repr shows is what the step uses
    with pytest.raises(AttributeError):
        opt.name = "adam"


def test_clip_wrapper_by_hand():
    # value then norm: g = (3, -0.5) -> (1, -0.5) -> ×0.5/√1.25 (its norm is √1.25 > 0.5).
    opt = O.clip(O.gd(lr=2.0), max_value=1.0, max_norm=0.5)
    x, state = opt.update(np.zeros(2), np.array([3.0, -0.5]), opt.init(np.zeros(2)))
    np.testing.assert_allclose(x, -2.0 * np.array([1.0, -0.5]) * 0.5 / math.sqrt(1.25), rtol=1e-15)
    assert state == O.GDState(t=1)
    # a small gradient passes untouched
    x, _ = opt.update(np.zeros(2), np.array([0.1, -0.2]), state)
    np.testing.assert_allclose(x, [-0.2, 0.4], rtol=1e-15)
    # Newton through clip gets its Hessian: g = (30, 40) -> (0.6, 0.8); H = diag(2, 8): step (0.3, 0.1)
    newt = O.clip(O.newton(), max_norm=1.0)
    assert newt.needs_hessian
    x, _ = newt.update(np.array([1.0, 1.0]), np.array([30.0, 40.0]), newt.init([1.0, 1.0]), hessian=np.diag([2.0, 8.0]))
    np.testing.assert_allclose(x, [0.7, 0.9], rtol=1e-15)
    with pytest.raises(ValueError, match="max_value, max_norm"):
        O.clip(O.gd())
    with pytest.raises(ValueError, match=r"max_norm must be in \(0, inf\)"):
        O.clip(O.gd(), max_norm=0.0)
    with pytest.raises(ValueError, match=r"limit must be in \(0, inf\)"):
        O.clip_by_value([1.0], -1.0)
    with pytest.raises(ValueError, match="opt must be an Optimizer"):
        O.clip(lambda x: x, max_norm=1.0)


# ====================================================== convergence with documented defaults

ELLIPSE_X0, ROSENBROCK_X0 = [-5.0, -2.0], [-1.2, 1.0]

# Measured: (objective, optimizer) -> (steps taken, final distance to the minimizer).
# "converges" means run stopped at ‖∇f‖ ≤ 1e-8, which bounds the distance by ‖∇f‖/λ_min:
# 5e-8 on the ellipse (λ_min = 0.2), ≈ 2.5e-8 near Rosenbrock's minimum (λ_min ≈ 0.4).
CONVERGES = {
    ("ellipse", "gd"): 92095, ("ellipse", "momentum"): 9042, ("ellipse", "momentum_ema"): 9042,
    ("ellipse", "nesterov"): 9058, ("ellipse", "adagrad"): 11840, ("ellipse", "rmsprop"): 953,
    ("ellipse", "adam"): 10812, ("ellipse", "adamw"): 10661, ("ellipse", "yogi"): 1526,
    ("ellipse", "newton"): 1,
    ("rosenbrock", "gd"): 43605, ("rosenbrock", "momentum"): 4128, ("rosenbrock", "momentum_ema"): 4128,
    ("rosenbrock", "nesterov"): 4178, ("rosenbrock", "adagrad"): 56150, ("rosenbrock", "adam"): 13259,
    ("rosenbrock", "yogi"): 32156, ("rosenbrock", "newton"): 6,
}
OBJECTIVES = {"ellipse": (ellipse, ELLIPSE_X0), "rosenbrock": (rosenbrock, ROSENBROCK_X0)}


@pytest.mark.parametrize("objective, name", sorted(CONVERGES))
def test_default_hyperparameters_converge(objective, name):
    make, x0 = OBJECTIVES[objective]
    f = make()
    traj = run(getattr(O, name)(), f, x0, steps=150_000, tol=1e-8)
    assert not traj.diverged
    assert traj.grad_norms[-1] <= 1e-8
    assert traj.steps <= 1.2 * CONVERGES[objective, name]        # deterministic; 20% slack
    assert np.linalg.norm(traj.x - f.minimizer) <= 1e-7          # bound 5e-8 (see above), ×2
    if name == "newton" and objective == "ellipse":
        np.testing.assert_array_equal(traj.x, [0.0, 0.0])        # a quadratic: exact in one step


def test_default_rmsprop_hovers_near_rosenbrock_minimum_at_a_distance_of_order_lr():
    # With a constant rate, RMSProp's step g/√s has size ≈ 1 per coordinate once s tracks g²:
    # it cannot shrink, so the iterates end in a 2-cycle of step ≈ lr = 0.01 around the valley
    # floor. Measured after 10^4..1.5·10^5 steps: (0.990, 0.966) <-> (0.980, 0.976), distance
    # 0.0315-0.0358, f ≈ 0.0225. (On the ellipse it does converge: row in CONVERGES.)
    f = rosenbrock()
    traj = run(O.rmsprop(), f, ROSENBROCK_X0, steps=20_000, tol=1e-8)
    assert not traj.diverged and traj.steps == 20_000
    dist = np.linalg.norm(traj.xs[-100:] - f.minimizer, axis=1)
    assert dist.max() <= 5 * 0.01                              # of order lr
    assert traj.values[-1] <= 0.05 and traj.values[0] == pytest.approx(24.2)
    np.testing.assert_allclose(traj.xs[-1], traj.xs[-3], atol=1e-6)   # a 2-cycle ...
    assert np.linalg.norm(traj.xs[-1] - traj.xs[-2]) >= 0.01          # ... of step ≳ lr


def test_default_adamw_hovers_on_rosenbrock_shifted_towards_zero():
    # AdamW shrinks x by lr·λ·x = 1e-5·x each step. At the minimizer (1, 1) Adam's step cannot
    # balance that with a tiny gradient (Adam's step is ≈ lr in size whatever |g| is), so the
    # iterates hover in a small region on the side of (1, 1) towards 0. (On the ellipse the
    # minimizer is 0, where the decay vanishes, and AdamW converges exactly.)
    # Measured: distance 7e-4 .. 8.7e-4 from step 2·10^4 to 1.5·10^5, x ≈ (0.99964, 0.99928).
    f = rosenbrock()
    traj = run(O.adamw(), f, ROSENBROCK_X0, steps=25_000, tol=1e-8)
    assert not traj.diverged
    tail = traj.xs[-2000:]
    assert np.linalg.norm(tail - f.minimizer, axis=1).max() <= 2e-3
    assert np.all(tail.mean(axis=0) < 1.0)                       # shifted towards 0
    assert traj.values[-1] <= 1e-5


def test_default_adadelta_does_not_converge_on_the_ellipse():
    # AdaDelta gets close, then x2 (curvature 4) settles into a 2-cycle x2 <-> -x2 whose
    # amplitude *grows*: in a cycle of amplitude a, Δ = √(d+ε)/√(s+ε)·|g| with s ≈ 16a², d ≈ Δ²
    # gives Δ ≈ 2a√((4a²+ε)/(4a²+ε/4)) > 2a, so a grows like √(εt). Measured: distance
    # 0.028 at step 5000, 0.060 at 2·10^4, 0.167 at 1.5·10^5 (f = 1.6e-3, 7.2e-3, 0.056 from 10.5).
    # What holds: f drops by a factor ≥ 1000 and then rises again.
    f = ellipse()
    traj = run(O.adadelta(), f, ELLIPSE_X0, steps=20_000, tol=1e-8)
    assert not traj.diverged and traj.steps == 20_000
    assert traj.values[5000] <= traj.values[0] / 1000
    assert traj.values[-1] <= traj.values[0] / 500
    assert traj.values[-1] > 2 * traj.values[5000]                 # the oscillation grows
    np.testing.assert_allclose(traj.xs[-1, 1], -traj.xs[-2, 1], rtol=1e-4)   # x2 flips sign


def test_default_adadelta_on_rosenbrock_reduces_f_only_tenfold():
    # Same mechanism in the curved valley: a slowly growing 2-cycle, far from (1, 1).
    # Measured: f = 24.2 -> 0.43 (step 1000) -> 0.73 (2·10^4) -> 1.64 (1.5·10^5), distance ≥ 0.5.
    f = rosenbrock()
    traj = run(O.adadelta(), f, ROSENBROCK_X0, steps=20_000, tol=1e-8)
    assert not traj.diverged and traj.steps == 20_000
    assert traj.values[-1] <= traj.values[0] / 10
    assert np.linalg.norm(traj.x - f.minimizer) >= 0.5


def test_every_default_optimizer_has_a_convergence_row():
    covered = set(CONVERGES) | {("rosenbrock", "rmsprop"), ("rosenbrock", "adamw"),
                                ("ellipse", "adadelta"), ("rosenbrock", "adadelta")}
    assert covered == {(obj, name) for obj in OBJECTIVES for name in ALL_NAMES}


# ================================================================================ bad input

POSITIVE, UNIT, NONNEGATIVE = r"\(0, inf\)", r"\[0, 1\)", r"\[0, inf\)"
PARAMS = {
    "gd": {"lr": POSITIVE},
    "momentum": {"lr": POSITIVE, "beta": UNIT},
    "momentum_ema": {"lr": POSITIVE, "beta": UNIT},
    "nesterov": {"lr": POSITIVE, "beta": UNIT},
    "adagrad": {"lr": POSITIVE, "eps": POSITIVE},
    "rmsprop": {"lr": POSITIVE, "gamma": UNIT, "eps": POSITIVE},
    "adadelta": {"lr": POSITIVE, "rho": UNIT, "eps": POSITIVE},
    "adam": {"lr": POSITIVE, "beta1": UNIT, "beta2": UNIT, "eps": POSITIVE},
    "adamw": {"lr": POSITIVE, "beta1": UNIT, "beta2": UNIT, "eps": POSITIVE, "weight_decay": NONNEGATIVE},
    "yogi": {"lr": POSITIVE, "beta1": UNIT, "beta2": UNIT, "eps": POSITIVE, "v0": NONNEGATIVE},
    "newton": {"lr": POSITIVE},
}
OUT_OF_RANGE = {POSITIVE: [0.0, -0.1], UNIT: [1.0, -0.1, 1.5], NONNEGATIVE: [-0.01]}
NON_FINITE = [math.nan, math.inf, -math.inf]
BAD_HYPER = [(name, param, value, interval)
             for name, params in PARAMS.items() for param, interval in params.items()
             for value in OUT_OF_RANGE[interval]]


def test_the_parameter_table_is_complete():
    assert set(PARAMS) == set(ALL_NAMES)
    for name, params in PARAMS.items():
        assert set(params) == {k for k in getattr(O, name)().hyperparams if k not in ("debias", "bias_correction",
                                                                                      "eps_in_sqrt")}


@pytest.mark.parametrize("name, param, value, interval", BAD_HYPER,
                         ids=[f"{n}-{p}={v}" for n, p, v, _ in BAD_HYPER])
def test_out_of_range_hyperparameters_are_rejected_naming_the_parameter_and_range(name, param, value, interval):
    with pytest.raises(ValueError, match=rf"^{param} must be in {interval}, got {value!r}"):
        getattr(O, name)(**{param: value})


@pytest.mark.parametrize("name", ALL_NAMES)
def test_non_finite_hyperparameters_are_rejected_naming_the_parameter(name):
    for param in PARAMS[name]:
        for value in NON_FINITE:
            with pytest.raises(ValueError, match=rf"^{param} must be"):
                getattr(O, name)(**{param: value})


def test_non_finite_hyperparameter_messages_state_the_allowed_range():
    # _validation's contract: a message "names the offending argument and the values it may
    # take". For lr = nan the student should read "lr must be in (0, inf)", not only "finite".
    missing = []
    for name, params in PARAMS.items():
        for param, interval in params.items():
            for value in NON_FINITE:
                try:
                    getattr(O, name)(**{param: value})
                except ValueError as e:
                    if not re.search(interval, str(e)):
                        missing.append(f"{name}({param}={value}): {e}")
                else:
                    missing.append(f"{name}({param}={value}): accepted")
    assert not missing, "\n".join(missing[:6]) + f"\n... {len(missing)} in all"


@pytest.mark.parametrize("name", list(FACTORIES))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_gradient_is_rejected(name, bad):
    opt = FACTORIES[name]()
    extra = {"hessian": np.eye(2)} if opt.needs_hessian else {}
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN or inf"):
        opt.update(x, np.array([0.5, bad]), opt.init(x), **extra)


@pytest.mark.parametrize("H", [np.zeros((2, 2)), np.ones((2, 2)), np.diag([2.0, 0.0]),
                               np.array([[1.0, 2.0], [3.0, 6.0]])], ids=["zero", "ones", "diag(2,0)", "rank1"])
def test_newton_rejects_a_singular_hessian(H):
    opt = O.newton()
    with pytest.raises(ValueError, match="singular"):
        opt.update(np.array([1.0, 2.0]), np.array([1.0, 1.0]), opt.init([1.0, 2.0]), hessian=H)


def test_newton_rejects_a_rank_one_hessian_whose_elimination_leaves_rounding_error():
    # H = u uᵀ with u = (0.1, 0.3) has rank 1, and g = (1, 1) is not in its range (not a multiple
    # of u), so H p = g has no solution: there is no Newton step. Elimination leaves a pivot of
    # ~1e-18 instead of 0, so np.linalg.solve does not raise.
    u = np.array([0.1, 0.3])
    opt = O.newton()
    with pytest.raises(ValueError, match="singular"):
        opt.update(np.array([1.0, 2.0]), np.array([1.0, 1.0]), opt.init([1.0, 2.0]), hessian=np.outer(u, u))


@pytest.mark.parametrize("H", [np.eye(3), np.ones(2), np.eye(2)[None], np.ones((2, 3))],
                         ids=["3x3", "vector", "stacked", "2x3"])
def test_newton_rejects_a_hessian_of_the_wrong_shape(H):
    opt = O.newton()
    with pytest.raises(ValueError, match=r"hessian must have shape \(2, 2\).*got"):
        opt.update(np.array([1.0, 2.0]), np.array([1.0, 1.0]), opt.init([1.0, 2.0]), hessian=H)


def test_newton_on_a_non_vector_point_gives_a_coherent_message():
    # Newton only takes points of shape (d,). For x of shape (2, 2) and a (4, 4) Hessian it
    # must raise, and the message must not demand the very shape it was given.
    opt = O.newton()
    x = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"newton needs a point of shape \(d,\), got shape \(2, 2\)"):
        opt.update(x, x, opt.init(x), hessian=np.eye(4))


def test_newton_rejects_a_non_finite_hessian():
    opt = O.newton()
    with pytest.raises(ValueError, match="hessian contains NaN or inf"):
        opt.update(np.array([1.0, 2.0]), np.array([1.0, 1.0]), opt.init([1.0, 2.0]),
                   hessian=[[1.0, np.nan], [0.0, 1.0]])


def test_inputs_are_validated_once_at_the_boundary(monkeypatch):
    """run checks its inputs once and calls the unchecked step; update checks once, also through clip."""
    from course_lib import rosenbrock, run

    calls = []
    original = O._check_point_and_gradient
    monkeypatch.setattr(O, "_check_point_and_gradient", lambda x, g: calls.append(1) or original(x, g))
    finite_checks = []
    original_finite = O.check_finite
    monkeypatch.setattr(O, "check_finite", lambda name, a: finite_checks.append(name) or original_finite(name, a))
    run(O.clip(O.adam(), max_norm=1.0), rosenbrock(), [-1.2, 1.0], 200)
    assert calls == [] and finite_checks == []
    opt = O.clip(O.gd(lr=0.1), max_value=1.0, max_norm=1.0)
    opt.update(np.ones(2), np.array([3.0, -4.0]), opt.init(np.ones(2)))
    assert calls == [1] and finite_checks == ["x", "g"]   # once each, at the boundary (clip re-checked g 3 times)
