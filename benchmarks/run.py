"""Speed and weight of the course: notebooks, interactive figures and pages, run's cost per step, 10^6 numbers.

Run from the repository root with the project's interpreter::

    .venv/bin/python benchmarks/run.py [--size N] [--repeat R] [--torch-threads K] [--skip-figures]

See benchmarks/README.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit

import numpy as np

try:
    import course_lib  # noqa: F401  (installed editable in the venv)
except ImportError:  # run with an interpreter where it is not installed: use the checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from course_lib.optimizers import adadelta, adagrad, adam, adamw, gd, momentum, momentum_ema, nesterov, rmsprop

# One update on 10^6 coordinates is shown for information, without a target: a pure update
# allocates new arrays where torch updates in place (see benchmarks/README.md).

# name, our optimizer, torch optimizer factory (same hyperparameters, foreach=False)
ROWS = [
    ("gd", lambda: gd(lr=0.01), lambda o, p: o.SGD(p, lr=0.01, foreach=False)),
    ("momentum", lambda: momentum(lr=0.01, beta=0.9),
     lambda o, p: o.SGD(p, lr=0.01, momentum=0.9, foreach=False)),
    ("momentum_ema", lambda: momentum_ema(lr=0.1, beta=0.9),
     lambda o, p: o.SGD(p, lr=0.1 * (1 - 0.9), momentum=0.9, foreach=False)),
    ("nesterov", lambda: nesterov(lr=0.01, beta=0.9),
     lambda o, p: o.SGD(p, lr=0.01, momentum=0.9, nesterov=True, foreach=False)),
    ("adagrad", lambda: adagrad(lr=0.1), lambda o, p: o.Adagrad(p, lr=0.1, foreach=False)),
    ("rmsprop", lambda: rmsprop(), lambda o, p: o.RMSprop(p, foreach=False)),
    ("adadelta", lambda: adadelta(), lambda o, p: o.Adadelta(p, foreach=False)),
    ("adam", lambda: adam(), lambda o, p: o.Adam(p, foreach=False)),
    ("adamw", lambda: adamw(), lambda o, p: o.AdamW(p, foreach=False)),
]


def per_call_seconds(func, repeat: int) -> float:
    """Minimum over ``repeat`` repeats of the mean time per call (each repeat lasts >= 0.2 s).

    The minimum, as timeit recommends: other processes can only make a repeat slower,
    so the fastest repeat is the least disturbed estimate, for both sides alike.
    """
    timer = timeit.Timer(func)
    number, _ = timer.autorange()                    # calls per repeat so that one repeat takes >= 0.2 s
    times = timer.repeat(repeat=repeat, number=number)
    return min(times) / number


def time_ours(make_opt, x, g, repeat):
    opt = make_opt()
    state = opt.init(x)
    _, state = opt.update(x, g, state)               # a state that has taken one step
    return per_call_seconds(lambda: opt.update(x, g, state), repeat)


def time_torch(torch, make_opt, x, g, repeat):
    p = torch.nn.Parameter(torch.from_numpy(x.copy()))
    p.grad = torch.from_numpy(g.copy())
    opt = make_opt(torch.optim, [p])
    opt.step()                                       # create the optimizer state (buffers, step count)
    return per_call_seconds(opt.step, repeat)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10**6, help="number of float64 coordinates (default 1e6)")
    parser.add_argument("--repeat", type=int, default=7, help="timing repeats; the minimum is reported (default 7)")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch intra-op threads (default 1, like numpy's single-threaded ufuncs)")
    parser.add_argument("--skip-figures", action="store_true", help="skip the interactive figures and page weights")
    args = parser.parse_args(argv)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import notebooks

    notebooks.report()
    print()
    if not args.skip_figures:
        import figures

        figures.report()
        print()
    import per_step

    per_step.report(repeat=max(15, args.repeat))
    print()
    import softmax_epoch

    softmax_epoch.report()
    print()
    import nn_epoch

    nn_epoch.report()
    print()

    try:
        import torch
    except ImportError:
        print("torch is not installed, so there is nothing to compare with; skipping the benchmark.\n"
              "Install it with: .venv/bin/pip install torch==2.13.0")
        return 0

    default_threads = torch.get_num_threads()
    torch.set_num_threads(args.torch_threads)

    rng = np.random.default_rng(0)
    x = rng.standard_normal(args.size)
    g = rng.standard_normal(args.size)

    print("For information (no target): course_lib vs torch.optim, time of ONE update, "
          f"{args.size:,} float64 coordinates, CPU")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"{os.cpu_count()} CPUs")
    print(f"threads: torch.set_num_threads({args.torch_threads}) (torch's default here: {default_threads}); "
          "numpy's element-wise ufuncs always use 1 thread")
    print("ours: opt.update(x, g, state) after one step (pure: allocates new x and state arrays); "
          "torch: opt.step() with p.grad preset, foreach=False (in place)")
    print(f"timing: timeit, {args.repeat} repeats of Timer.autorange() calls (>= 0.2 s each); "
          "reported: mean per call in the FASTEST repeat (min)")
    print()
    print(f"{'optimizer':<14}{'ours (ms)':>11}{'torch (ms)':>12}{'ours/torch':>12}")
    for name, make_ours, make_torch in ROWS:
        ours = time_ours(make_ours, x, g, args.repeat) * 1e3
        theirs = time_torch(torch, make_torch, x, g, args.repeat) * 1e3
        print(f"{name:<14}{ours:>11.3f}{theirs:>12.3f}{ours / theirs:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
