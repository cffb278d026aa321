"""One epoch of minibatch SGD of the digits MLP: course_lib against torch, without and with batch norm.

The data are the SGD chapter's: the standardized training part of scikit-learn's digits
(1347 examples of 64 pixels, 10 classes; ``train_test_split(seed=0)``). The network is
64-128-64-10 with ReLU, Kaiming-normal weights (``mlp_init(seed=0)``) and zero biases; with batch
norm, ``BatchNorm1d`` after each hidden affine map (gamma 1, beta 0, eps 1e-5, momentum 0.1). Both
sides start from the same parameters and take the same minibatches of 32, in the order of
``Batches(n, 32, seed=0).epoch(0)`` (43 updates of plain SGD, lr 0.1), in float64:

* **course_lib**: :func:`course_lib.stochastic.sgd_epoch` with ``gd(lr=0.1)`` and
  :meth:`MLPProblem.batch_gradient` (forward and backward written out in numpy); with batch norm,
  :meth:`MLPProblem.train_epoch`, which also carries the running statistics as torch does;
* **torch**: ``torch.nn.Sequential`` of ``Linear`` / ``BatchNorm1d`` / ``ReLU`` with ``cross_entropy``,
  ``loss.backward()`` and ``torch.optim.SGD(lr=0.1)``, on the CPU with ``torch.set_num_threads(1)``;
  numpy's matrix products run on one BLAS thread too (``threadpoolctl``), as they would anyway at these
  sizes on an idle machine.

Each time is the minimum over 15 rounds; in each round both run once, back to back (this
machine's speed drifts). Target: course_lib <= 1.5x torch. The final parameters (and running
statistics) of the two are compared too, so that the benchmark cannot time two different computations.
"""

from __future__ import annotations

import os
import sys

import numpy as np

try:
    import course_lib  # noqa: F401  (installed editable in the venv)
except ImportError:  # run with an interpreter where it is not installed: use the checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from interleaved import ratio_line

from course_lib import gd
from course_lib.data import Batches, digits, standardize, train_test_split
from course_lib.nn import mlp_init, mlp_problem, one_blas_thread
from course_lib.stochastic import sgd_epoch

SIZES = (64, 128, 64, 10)
BATCH = 32
LR = 0.1
TARGET = 1.5


def _setup(batchnorm: bool):
    train, _ = train_test_split(digits(), test_fraction=0.25, seed=0)
    train, _ = standardize(train)
    problem = mlp_problem(train, mlp_init(SIZES, seed=0, batchnorm=batchnorm))
    return problem, Batches(problem.n, BATCH, seed=0).epoch(0)


def _ours(problem, batches):
    opt = gd(lr=LR)

    if problem.batchnorm:
        def epoch():
            theta = problem.x0.copy()
            theta, _, state = problem.train_epoch(theta, opt, opt.init(theta), batches, problem.init_state())
            return theta, state
    else:
        def epoch():
            theta = problem.x0.copy()
            return sgd_epoch(problem, theta, opt, opt.init(theta), batches)[0], {}
    return epoch


def _torch(torch, problem, batches):
    X = torch.from_numpy(problem.data.X)
    y = torch.from_numpy(problem.data.y)
    index = [torch.from_numpy(i) for i in batches]
    p0 = problem.unravel(problem.x0)
    nn = torch.nn
    layers, linears, norms = [], [], []
    L = len(SIZES) - 1
    for i in range(L):
        linears.append(nn.Linear(SIZES[i], SIZES[i + 1], dtype=torch.float64))
        layers.append(linears[-1])
        if i < L - 1:
            if problem.batchnorm:
                norms.append(nn.BatchNorm1d(SIZES[i + 1], eps=problem.eps, momentum=0.1, dtype=torch.float64))
                layers.append(norms[-1])
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    start = [(lin.weight, torch.from_numpy(p0[f"W{i}"].T.copy())) for i, lin in enumerate(linears)]
    start += [(lin.bias, torch.from_numpy(p0[f"b{i}"])) for i, lin in enumerate(linears)]
    start += [(bn.weight, torch.from_numpy(p0[f"gamma{i}"])) for i, bn in enumerate(norms)]
    start += [(bn.bias, torch.from_numpy(p0[f"beta{i}"])) for i, bn in enumerate(norms)]
    cross_entropy = nn.functional.cross_entropy

    def epoch():
        with torch.no_grad():
            for param, value in start:
                param.copy_(value)
        for bn in norms:
            bn.reset_running_stats()
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        for i in index:
            opt.zero_grad()
            cross_entropy(model(X[i]), y[i]).backward()
            opt.step()
        return linears, norms
    return epoch


def _same(problem, ours, theirs) -> bool:
    theta, state = ours
    linears, norms = theirs
    p = problem.unravel(theta)
    pairs = [(p[f"W{i}"], lin.weight.detach().numpy().T) for i, lin in enumerate(linears)]
    pairs += [(p[f"b{i}"], lin.bias.detach().numpy()) for i, lin in enumerate(linears)]
    for i, bn in enumerate(norms):
        pairs += [(p[f"gamma{i}"], bn.weight.detach().numpy()), (p[f"beta{i}"], bn.bias.detach().numpy()),
                  (state[f"mean{i}"], bn.running_mean.numpy()), (state[f"var{i}"], bn.running_var.numpy())]
    return all(np.allclose(a, b, rtol=1e-9, atol=1e-10) for a, b in pairs)



def report(repeat: int = 15) -> None:
    print(f"One epoch of minibatch SGD, MLP {'-'.join(map(str, SIZES))} (ReLU) on the digits (n = 1347, "
          f"batch {BATCH}, lr {LR}, float64), min of {repeat} interleaved rounds; "
          f"target: course_lib <= {TARGET}x torch")
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        print("  (torch is not installed: skipped)")
        return
    with one_blas_thread():
        for label, batchnorm in (("mlp", False), ("mlp + bn", True)):
            problem, batches = _setup(batchnorm)
            ours, theirs = _ours(problem, batches), _torch(torch, problem, batches)
            same = _same(problem, ours(), theirs())
            print(ratio_line(label, ours, theirs, same=same, repeat=repeat, target=TARGET))

if __name__ == "__main__":
    report()
