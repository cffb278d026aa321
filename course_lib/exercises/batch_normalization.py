"""Exercises of chapter 9: batch normalization."""

from __future__ import annotations

import numpy as np

from ..nn import batchnorm_backward, batchnorm_forward, batchnorm_inference
from . import Exercise, Mistake, register

#: The batch of the exercises (one feature, four examples), the layer's scale and shift.
BATCH = (1.0, 2.0, 3.0, 6.0)
GAMMA, BETA = 2.0, 1.0
#: The upstream gradient of the exercise "bn-backward-sums".
DOUT = (1.0, -1.0, 2.0, 0.5)
#: The exercise "bn-batch-of-one": one example, ε, and the running statistics used at inference.
ONE, EPS, RUNNING_MEAN, RUNNING_VAR = 5.0, 1e-5, 3.0, 4.0


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def _forward(batch=BATCH, *, ddof: int = 0, gamma: float = GAMMA, beta: float = BETA) -> np.ndarray:
    """The four outputs; ``ddof=1`` gives the (wrong) result with the unbiased variance."""
    Z = _column(batch)
    if ddof == 0:
        return batchnorm_forward(Z, [gamma], [beta], eps=0.0)[0].ravel()
    z = Z.ravel()
    return gamma * (z - z.mean()) / z.std(ddof=ddof) + beta


def _divided_by_variance() -> np.ndarray:
    z = np.asarray(BATCH)
    return GAMMA * (z - z.mean()) / z.var() + BETA


def _backward_sums() -> np.ndarray:
    _, cache = batchnorm_forward(_column(BATCH), [GAMMA], [BETA], eps=0.0)
    _, dgamma, dbeta = batchnorm_backward(_column(DOUT), cache)
    return np.array([dbeta[0], dgamma[0]])


def _batch_of_one() -> np.ndarray:
    training = batchnorm_forward([[ONE]], [GAMMA], [BETA], eps=EPS)[0][0, 0]
    inference = batchnorm_inference([[ONE]], [GAMMA], [BETA], [RUNNING_MEAN], [RUNNING_VAR], eps=EPS)[0, 0]
    return np.array([training, inference])


register("09_batch_normalization", [
    Exercise(
        key="bn-forward-by-hand",
        question="A batch-norm layer with γ = 2, β = 1 and ε = 0 receives a batch of four examples of one "
                 "feature, z = 1, 2, 3, 6. Give its four outputs, to three significant figures or more.",
        solve=_forward,
        rtol=3e-3,
        atol=2e-4,
        hint="Mean over the batch, then the variance with 1/4 (not 1/3), then (z − μ)/σ, then γ·ẑ + β.",
        mistakes=lambda: [
            Mistake(_forward(ddof=1), "you divided by the unbiased standard deviation (variance with 1/3): "
                    "batch norm normalizes with the batch's own variance, divided by the batch size 4.",
                    rtol=3e-3, atol=2e-4),
            Mistake(_forward(gamma=1.0, beta=0.0), "these are the normalized values ẑ: the layer still scales "
                    "them by γ = 2 and shifts them by β = 1.", rtol=3e-3, atol=2e-4),
            Mistake(_divided_by_variance(), "you divided by the variance σ² = 3.5; divide by its square root, "
                    "the standard deviation.", rtol=3e-3, atol=2e-4),
        ],
    ),
    Exercise(
        key="bn-backward-sums",
        question="The same layer (γ = 2, β = 1, ε = 0, batch z = 1, 2, 3, 6) receives the upstream "
                 "gradients ∂L/∂out = 1, −1, 2, 0.5 for the four examples. Give ∂L/∂β and ∂L/∂γ, to three "
                 "significant figures or more.",
        solve=_backward_sums,
        rtol=3e-3,
        hint="β is added to every output: its gradient sums the upstream gradients. γ multiplies ẑ: its "
             "gradient sums the upstream gradients times ẑ.",
        mistakes=lambda: [
            Mistake(_backward_sums() * [1.0, GAMMA], "∂L/∂γ multiplies the upstream gradients by ẑ, not by "
                    "γ·ẑ: γ is what we differentiate by.", rtol=3e-3),
            Mistake(np.array([2.5, float(np.dot(DOUT, BATCH))]), "∂L/∂γ uses the normalized values ẑ, not "
                    "the raw inputs z.", rtol=3e-3),
            Mistake(_backward_sums() / 4.0, "nothing is averaged: each example's output depends on β and γ, "
                    "so their gradients are sums over the batch.", rtol=3e-3),
        ],
    ),
    Exercise(
        key="bn-batch-of-one",
        question="A batch-norm layer with γ = 2, β = 1 and ε = 10⁻⁵ receives a batch of one example, z = 5. "
                 "What does it output (a) in training mode, normalizing with the batch's statistics, and "
                 "(b) in inference mode, with running mean 3 and running variance 4? Give two numbers, to "
                 "three significant figures or more.",
        solve=_batch_of_one,
        rtol=3e-3,
        hint="(a) The mean of a batch of one is the example itself. (b) Inference uses the fixed running "
             "statistics: γ (z − 3)/√(4 + ε) + β.",
        mistakes=lambda: [
            Mistake(np.array([GAMMA * ONE + BETA, 3.0]), "(a) is not γz + β: the batch mean of one example "
                    "is the example, so z − μ = 0 and the output is β.", rtol=3e-3),
            Mistake(np.array([1.0, 2.0]), "(b) divides by the running variance; divide by its square root, "
                    "√4 = 2.", rtol=3e-3),
            Mistake(np.array([0.0, 3.0]), "(a) z − μ = 0 gives ẑ = 0, but the layer still adds β = 1.",
                    rtol=3e-3, atol=1e-3),
        ],
    ),
])
