"""One epoch of minibatch SGD of softmax regression on the digits: course_lib against torch.

The data are the SGD chapter's: the standardized training part of scikit-learn's digits
(1347 examples of 64 pixels, 10 classes; ``train_test_split(seed=0)``), with the chapter's L2
penalty ``l2 = 0.01`` on the weights. Both sides start from zeros and take the same minibatches of
32, in the order of ``Batches(n, 32, seed=0).epoch(0)`` (43 updates of plain SGD, lr 0.1), in float64:

* **course_lib**: :func:`course_lib.stochastic.sgd_epoch` with ``gd(lr=0.1)`` and
  :meth:`SoftmaxProblem.batch_gradient` (the gradient written out in numpy);
* **torch**: ``torch.nn.Linear(64, 10)`` with ``cross_entropy``, ``loss.backward()`` and
  ``torch.optim.SGD(lr=0.1)`` with ``weight_decay=0.01`` on the weight (not the bias), on the CPU
  with ``torch.set_num_threads(1)`` (numpy's matrix products on these small arrays run on one
  thread too).

Each time is the minimum over 15 rounds; in each round both run once, back to back (this
machine's speed drifts). Target: course_lib <= 1.5x torch. The final parameters of the two are
compared too, so that the benchmark cannot time two different computations.
"""

from __future__ import annotations

import numpy as np
from interleaved import ratio_line

from course_lib import gd
from course_lib.data import Batches, digits, standardize, train_test_split
from course_lib.softmax import softmax_problem, unpack
from course_lib.stochastic import sgd_epoch

BATCH = 32
LR = 0.1
L2 = 0.01
TARGET = 1.5


def _setup():
    train, _ = train_test_split(digits(), test_fraction=0.25, seed=0)
    train, _ = standardize(train)
    problem = softmax_problem(train, l2=L2)
    return problem, Batches(problem.n, BATCH, seed=0).epoch(0)


def _ours(problem, batches):
    opt = gd(lr=LR)

    def epoch():
        theta = problem.x0.copy()
        return sgd_epoch(problem, theta, opt, opt.init(theta), batches)[0]
    return epoch


def _torch(torch, problem, batches):
    X = torch.from_numpy(problem.data.X)
    y = torch.from_numpy(problem.data.y)
    index = [torch.from_numpy(i) for i in batches]
    d, k = problem.data.X.shape[1], problem.data.n_classes
    model = torch.nn.Linear(d, k, dtype=torch.float64)
    cross_entropy = torch.nn.functional.cross_entropy

    def epoch():
        with torch.no_grad():
            model.weight.zero_()
            model.bias.zero_()
        opt = torch.optim.SGD([{"params": [model.weight], "weight_decay": L2},
                               {"params": [model.bias]}], lr=LR)
        for i in index:
            opt.zero_grad()
            cross_entropy(model(X[i]), y[i]).backward()
            opt.step()
        return model
    return epoch


def report(repeat: int = 15) -> None:
    print(f"One epoch of minibatch SGD, softmax regression on the digits (n = 1347, batch {BATCH}, "
          f"lr {LR}, l2 {L2}, float64), min of {repeat} interleaved rounds; target: course_lib <= {TARGET}x torch")
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        print("  (torch is not installed: skipped)")
        return
    problem, batches = _setup()
    ours, theirs = _ours(problem, batches), _torch(torch, problem, batches)
    W, b = unpack(ours(), problem.data.X.shape[1])
    model = theirs()
    same = (np.allclose(W, model.weight.detach().numpy().T, atol=1e-10)
            and np.allclose(b, model.bias.detach().numpy(), atol=1e-10))
    print(ratio_line("epoch", ours, theirs, same=same, repeat=repeat, target=TARGET))

if __name__ == "__main__":
    report()
