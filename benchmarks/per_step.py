"""The cost of one step of ``run`` on a two-variable problem, against the same loop by hand and torch.

The course runs thousands of steps on small problems, so this is the speed that matters.
For gd, momentum and adam on Rosenbrock's function (2 variables, from (-1.2, 1)):

* **run**: ``run(opt, rosenbrock(), x0, N)`` per step (it records x, f(x) and the
  gradient norm at every step, and watches for divergence);
* **hand loop**: the same update written by hand, recording what ``run`` returns: x, f(x)
  and the gradient norm at each step (target: run <= 1.5x this);
* **bare loop**: the update alone, recording nothing (for information);
* **torch.optim**: the same optimizer stepping a 2-element parameter whose gradient
  is set from the same formula (target: run faster than this).

Each time is the minimum over 15 rounds of the mean per step; in each round every contender runs
once, back to back (this machine's speed drifts). Run through ``benchmarks/run.py``.
"""

from __future__ import annotations

import math
import timeit

import numpy as np

from course_lib import adam, gd, momentum, rosenbrock, run

STEPS = 2000
TARGET = 1.5


def _hand_loops(grad, f, record: bool):
    """gd, momentum and adam by hand; with ``record``, keeping x, f(x) and |g| at every step."""
    def gd_loop():
        x = np.array([-1.2, 1.0])
        g = grad(x)
        xs, fs, ns = [x], [float(f(x))], [math.sqrt(g @ g)]
        for _ in range(STEPS):
            x = x - 1e-3 * g
            g = grad(x)
            if record:
                xs.append(x)
                fs.append(float(f(x)))
                ns.append(math.sqrt(g @ g))

    def momentum_loop():
        x = np.array([-1.2, 1.0])
        v = np.zeros(2)
        g = grad(x)
        xs, fs, ns = [x], [float(f(x))], [math.sqrt(g @ g)]
        for _ in range(STEPS):
            v = 0.9 * v + g
            x = x - 1e-3 * v
            g = grad(x)
            if record:
                xs.append(x)
                fs.append(float(f(x)))
                ns.append(math.sqrt(g @ g))

    def adam_loop():
        x = np.array([-1.2, 1.0])
        m = np.zeros(2)
        s = np.zeros(2)
        g = grad(x)
        xs, fs, ns = [x], [float(f(x))], [math.sqrt(g @ g)]
        for t in range(1, STEPS + 1):
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g * g
            x = x - 1e-3 * (m / (1 - 0.9 ** t)) / (np.sqrt(s / (1 - 0.999 ** t)) + 1e-8)
            g = grad(x)
            if record:
                xs.append(x)
                fs.append(float(f(x)))
                ns.append(math.sqrt(g @ g))

    return {"gd": gd_loop, "momentum": momentum_loop, "adam": adam_loop}


def _torch_loop(torch, name, grad):
    p = torch.nn.Parameter(torch.tensor([-1.2, 1.0], dtype=torch.float64))
    opt = {"gd": lambda: torch.optim.SGD([p], lr=1e-3),
           "momentum": lambda: torch.optim.SGD([p], lr=1e-3, momentum=0.9),
           "adam": lambda: torch.optim.Adam([p], lr=1e-3)}[name]()

    def loop():
        for _ in range(STEPS):
            p.grad = torch.from_numpy(grad(p.detach().numpy()))
            opt.step()
    return loop


def _interleaved(contenders: dict, repeat: int) -> dict:
    """Microseconds per step of each contender: the minimum over ``repeat`` rounds, where each round
    times every contender once, back to back, so that a slow phase of the machine hits all alike."""
    best = {name: float("inf") for name in contenders}
    for _ in range(repeat):
        for name, func in contenders.items():
            best[name] = min(best[name], timeit.timeit(func, number=1) / STEPS * 1e6)
    return best


def report(repeat: int = 15) -> None:
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    ros = rosenbrock()
    hand, bare = _hand_loops(ros.grad, ros.f, True), _hand_loops(ros.grad, ros.f, False)
    opts = {"gd": gd(lr=1e-3), "momentum": momentum(lr=1e-3, beta=0.9), "adam": adam(lr=1e-3)}
    print(f"One step of run on Rosenbrock (2 variables), {STEPS} steps, min of {repeat} repeats; targets: "
          f"run <= {TARGET}x the hand loop that records what run records, and faster than torch.optim")
    print(f"{'optimizer':<11}{'run (us)':>10}{'hand loop':>11}{'run/hand':>10}{'bare loop':>11}{'run/bare':>10}"
          f"{'torch (us)':>12}{'run/torch':>11}")
    for name, opt in opts.items():
        contenders = {"run": lambda opt=opt: run(opt, ros, [-1.2, 1.0], STEPS), "hand": hand[name], "bare": bare[name]}
        if torch is not None:
            contenders["torch"] = _torch_loop(torch, name, ros.grad)
        t = _interleaved(contenders, repeat)
        ours, by_hand, bare_loop = t["run"], t["hand"], t["bare"]
        line = (f"{name:<11}{ours:>10.2f}{by_hand:>11.2f}{ours / by_hand:>10.2f}"
                f"{bare_loop:>11.2f}{ours / bare_loop:>10.2f}")
        over = ours / by_hand > TARGET
        if torch is not None:
            line += f"{t['torch']:>12.2f}{ours / t['torch']:>11.2f}"
            over = over or ours >= t["torch"]
        else:
            line += f"{'(no torch)':>23}"
        print(line + ("  over target" if over else ""))
