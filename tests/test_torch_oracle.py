"""course_lib's optimizers, schedules and clipping against torch.optim, used as an oracle.

Every optimizer row runs both implementations on the same noisy quadratic

    g_t = a * x_t + noise_t,

with positive per-coordinate curvatures ``a`` and a seeded noise sequence shared by
both sides. Each implementation computes its gradient at its *own* current point,
so any difference in an update feeds back into later gradients. The trajectories
must agree to a relative 1e-9 at every one of the 300 steps, in float64.

Without torch these tests are skipped; set ``COURSE_REQUIRE_TORCH=1`` to make a
missing torch an error instead (for CI jobs that are meant to run them).
"""

import math
import os

import numpy as np
import pytest

if os.environ.get("COURSE_REQUIRE_TORCH") == "1":
    import torch
else:
    torch = pytest.importorskip(
        "torch",
        reason="torch not installed: .venv/bin/pip install torch==2.13.0 to run the comparisons with torch.optim")

from course_lib.optimizers import (
    adadelta,
    adagrad,
    adam,
    adamw,
    clip_by_norm,
    clip_by_value,
    gd,
    momentum,
    momentum_ema,
    nesterov,
    rmsprop,
)
from course_lib.schedules import cosine, exponential, linear_decay, piecewise_constant

STEPS = 300
SHAPES = [(1,), (7,), (3, 4), (2, 3, 2)]
RTOL, ATOL = 1e-9, 1e-12


# --------------------------------------------------------------------- helpers

def noisy_quadratic(shape, steps=STEPS, seed=0, noise=0.1):
    """Curvatures ``a`` in [0.5, 2], a start ``x0`` and ``steps`` noise arrays, all seeded."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, size=shape)
    x0 = rng.standard_normal(shape)
    noises = noise * rng.standard_normal((steps, *shape))
    return a, x0, noises


def run_both(ours, make_torch, shape, *, make_scheduler=None, steps=STEPS, seed=0):
    """Run our optimizer and a torch.optim one on the same noisy quadratic.

    ``make_torch(params)`` builds the torch optimizer, ``make_scheduler(optimizer)``
    optionally a torch lr scheduler stepped after every ``optimizer.step()``.
    Returns the two trajectories, each of shape ``(steps + 1, *shape)``.
    """
    a, x0, noises = noisy_quadratic(shape, steps, seed)

    x, state = x0.copy(), ours.init(x0)
    ours_path = [x]
    for noise in noises:
        x, state = ours.update(x, a * x + noise, state)
        ours_path.append(x)

    p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
    optimizer = make_torch([p])
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    torch_path = [x0.copy()]
    for noise in noises:
        xt = p.detach().numpy().copy()
        p.grad = torch.tensor(a * xt + noise, dtype=torch.float64)
        optimizer.step()            # torch.optim's step runs under torch.no_grad() itself
        if scheduler is not None:
            scheduler.step()
        torch_path.append(p.detach().numpy().copy())
    return np.array(ours_path), np.array(torch_path)


def assert_same_trajectory(ours_path, torch_path):
    assert ours_path.shape == torch_path.shape
    for t, (xo, xt) in enumerate(zip(ours_path, torch_path)):
        np.testing.assert_allclose(xo, xt, rtol=RTOL, atol=ATOL, err_msg=f"trajectories differ at step {t}")


# ----------------------------------------------------------------- optimizers

optim = torch.optim

# (id, our optimizer, torch factory). "default" rows use our defaults; where torch's
# defaults differ (SGD lr=1e-3, Adagrad lr=1e-2) ours are passed to torch explicitly.
ROWS = [
    ("gd-default", gd(), lambda p: optim.SGD(p, foreach=False)),   # both default to lr=1e-3
    ("gd", gd(lr=0.05), lambda p: optim.SGD(p, lr=0.05, foreach=False)),
    ("momentum-default", momentum(), lambda p: optim.SGD(p, lr=1e-3, momentum=0.9, foreach=False)),
    ("momentum", momentum(lr=0.05, beta=0.7), lambda p: optim.SGD(p, lr=0.05, momentum=0.7, foreach=False)),
    ("momentum_ema-default", momentum_ema(),
     lambda p: optim.SGD(p, lr=1e-2 * (1 - 0.9), momentum=0.9, foreach=False)),
    ("momentum_ema", momentum_ema(lr=0.2, beta=0.7),
     lambda p: optim.SGD(p, lr=0.2 * (1 - 0.7), momentum=0.7, foreach=False)),
    ("nesterov-default", nesterov(), lambda p: optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True, foreach=False)),
    ("nesterov", nesterov(lr=0.05, beta=0.7),
     lambda p: optim.SGD(p, lr=0.05, momentum=0.7, nesterov=True, foreach=False)),
    ("adagrad-default", adagrad(), lambda p: optim.Adagrad(p, lr=0.1, foreach=False)),
    ("adagrad", adagrad(lr=0.5, eps=1e-6), lambda p: optim.Adagrad(p, lr=0.5, eps=1e-6, foreach=False)),
    ("rmsprop-default", rmsprop(), lambda p: optim.RMSprop(p, foreach=False)),
    ("rmsprop", rmsprop(lr=0.02, gamma=0.8, eps=1e-6),
     lambda p: optim.RMSprop(p, lr=0.02, alpha=0.8, eps=1e-6, foreach=False)),
    ("adadelta-default", adadelta(), lambda p: optim.Adadelta(p, foreach=False)),
    ("adadelta", adadelta(lr=0.5, rho=0.8, eps=1e-5),
     lambda p: optim.Adadelta(p, lr=0.5, rho=0.8, eps=1e-5, foreach=False)),
    ("adam-default", adam(), lambda p: optim.Adam(p, foreach=False)),
    ("adam", adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6),
     lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, foreach=False)),
    ("adamw-default", adamw(), lambda p: optim.AdamW(p, foreach=False)),
    ("adamw", adamw(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1),
     lambda p: optim.AdamW(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, foreach=False)),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("ours, make_torch", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_trajectory_matches_torch(ours, make_torch, shape):
    ours_path, torch_path = run_both(ours, make_torch, shape)
    assert np.all(np.isfinite(ours_path))
    assert not np.allclose(ours_path[-1], ours_path[0])   # the run actually moved
    assert_same_trajectory(ours_path, torch_path)


def test_momentum_ema_is_not_torch_dampening():
    # torch's dampening=beta starts its buffer at the first gradient itself, so its first
    # step is a plain gradient step of size lr; momentum_ema's buffer starts at
    # (1 - beta) g_0, so its first step is (1 - beta) times shorter.
    lr, beta = 0.2, 0.7
    ours_path, torch_path = run_both(momentum_ema(lr=lr, beta=beta),
                                     lambda p: optim.SGD(p, lr=lr, momentum=beta, dampening=beta, foreach=False),
                                     (7,), steps=1)
    a, x0, noises = noisy_quadratic((7,), steps=1)
    g0 = a * x0 + noises[0]
    np.testing.assert_allclose(ours_path[1], x0 - lr * (1 - beta) * g0, rtol=1e-14)
    np.testing.assert_allclose(torch_path[1], x0 - lr * g0, rtol=1e-14)
    assert np.all(np.abs(ours_path[1] - torch_path[1]) > 1e-3)


# ------------------------------------------------------------------ schedules

sched = torch.optim.lr_scheduler
N_SCHEDULE = 80          # steps t = 0 .. N_SCHEDULE - 1 compared

# (id, lr0, our schedule, torch scheduler factory, last step t compared)
SCHEDULES = [
    ("piecewise_constant", 0.3, piecewise_constant([15, 30, 45], [0.3 * 0.5**i for i in range(4)]),
     lambda o: sched.MultiStepLR(o, milestones=[15, 30, 45], gamma=0.5), N_SCHEDULE - 1),
    ("exponential", 0.3, exponential(0.3, 0.04),
     lambda o: sched.ExponentialLR(o, gamma=math.exp(-0.04)), N_SCHEDULE - 1),
    ("linear_decay", 0.3, linear_decay(0.3, 0.003, tau=50),
     lambda o: sched.LinearLR(o, start_factor=1.0, end_factor=0.003 / 0.3, total_iters=50), N_SCHEDULE - 1),
    # CosineAnnealingLR keeps oscillating after T_max, ours stays at eta_min: compare t <= T.
    ("cosine", 0.3, cosine(0.3, 70, warmup_steps=0, eta_min=0.01),
     lambda o: sched.CosineAnnealingLR(o, T_max=70, eta_min=0.01), 70),
    ("cosine-to-zero", 0.3, cosine(0.3, 64),
     lambda o: sched.CosineAnnealingLR(o, T_max=64), 64),
]


def torch_rates(lr0, make_scheduler, steps):
    """The lr torch's optimizer uses at steps t = 0 .. steps - 1, as the scheduler sets it."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = optim.SGD([p], lr=lr0, foreach=False)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()            # p.grad is None: no move, but the scheduler sees a step
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize("lr0, eta, make_scheduler, last",
                         [row[1:] for row in SCHEDULES], ids=[row[0] for row in SCHEDULES])
def test_schedule_matches_torch_scheduler(lr0, eta, make_scheduler, last):
    assert last >= 60
    ours = np.array([eta(t) for t in range(last + 1)])
    theirs = torch_rates(lr0, make_scheduler, last + 1)
    for t in range(last + 1):
        np.testing.assert_allclose(ours[t], theirs[t], rtol=1e-9, atol=0, err_msg=f"rates differ at t={t}")


@pytest.mark.parametrize("shape", [(7,), (2, 3, 2)], ids=str)
@pytest.mark.parametrize("lr0, eta, make_scheduler, last",
                         [row[1:] for row in SCHEDULES], ids=[row[0] for row in SCHEDULES])
def test_scheduled_gd_trajectory_matches_torch(lr0, eta, make_scheduler, last, shape):
    ours_path, torch_path = run_both(gd(lr=eta), lambda p: optim.SGD(p, lr=lr0, foreach=False), shape,
                                     make_scheduler=make_scheduler, steps=last + 1)
    assert_same_trajectory(ours_path, torch_path)


# ------------------------------------------------------------------- clipping

def torch_clipped(g, clip_):
    p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
    p.grad = torch.tensor(g, dtype=torch.float64)
    clip_([p])
    return p.grad.numpy().copy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("limit", [0.05, 0.5, 100.0])   # clips many, some, no coordinates
def test_clip_by_value_matches_torch(shape, limit):
    g = np.random.default_rng(1).standard_normal(shape)
    theirs = torch_clipped(g, lambda ps: torch.nn.utils.clip_grad_value_(ps, limit))
    np.testing.assert_array_equal(clip_by_value(g, limit), theirs)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("factor", [0.1, 0.5, 2.0, 10.0])   # max_norm = factor * ||g||
def test_clip_by_norm_matches_torch(shape, factor):
    g = 3.0 * np.random.default_rng(2).standard_normal(shape)
    norm = float(np.linalg.norm(g))
    max_norm = factor * norm
    ours = clip_by_norm(g, max_norm)
    theirs = torch_clipped(g, lambda ps: torch.nn.utils.clip_grad_norm_(ps, max_norm, foreach=False))
    if norm <= max_norm:
        # Below the threshold torch's factor max_norm / (norm + 1e-6) exceeds 1 and is
        # clamped to 1: both leave the gradient exactly as it is.
        np.testing.assert_array_equal(ours, g)
        np.testing.assert_array_equal(theirs, g)
    else:
        # Above it, torch scales by max_norm / (norm + 1e-6), ours by max_norm / norm:
        # a relative difference of about 1e-6 / norm (so a plain rtol=1e-9 would fail for
        # every norm below 1000). Check that the two differ by exactly that factor, that
        # they agree to within twice that bound, and that ours has norm max_norm exactly.
        np.testing.assert_allclose(ours * (norm / (norm + 1e-6)), theirs, rtol=1e-12)
        np.testing.assert_allclose(ours, theirs, rtol=2e-6 / norm, atol=0)
        assert np.linalg.norm(ours) == pytest.approx(max_norm, rel=1e-14)
