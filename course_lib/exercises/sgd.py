"""Exercises of chapter 5: stochastic and minibatch gradient descent, learning-rate schedules."""

from __future__ import annotations

import numpy as np

from ..schedules import exponential, linear_decay, piecewise_constant, polynomial
from ..stochastic import epoch_counts, minibatch_variance
from . import Exercise, Mistake, register

#: The step and the four schedules of the exercise "sgd-schedule-values".
SCHEDULE_STEP = 40


def schedules_of_exercise():
    """The four schedules of the exercise, in the order asked."""
    return [piecewise_constant([20, 40], [0.1, 0.05, 0.01]), exponential(0.1, 0.1),
            polynomial(0.1, alpha=0.5, beta=0.1), linear_decay(0.1, 0.001, 100)]


def _schedule_values(t: int = SCHEDULE_STEP) -> np.ndarray:
    return np.array([eta(t) for eta in schedules_of_exercise()])


#: The data set and batch size of the exercise "sgd-updates-per-epoch": the chapter's digits training part.
N_TRAIN, BATCH = 1347, 64


def _updates() -> np.ndarray:
    return np.array([epoch_counts(N_TRAIN, N_TRAIN)[0], epoch_counts(N_TRAIN, 1)[0],
                     epoch_counts(N_TRAIN, BATCH)[0]], dtype=float)


def _variance_factor(b: int = 16) -> float:
    """How many times smaller the variance of a batch of 4b is than that of b (with replacement)."""
    G = np.array([[1.0, 0.0], [-1.0, 2.0], [0.0, -2.0]])     # any spread: the factor does not depend on it
    return minibatch_variance(G, b, replace=True) / minibatch_variance(G, 4 * b, replace=True)


register("05_sgd", [
    Exercise(
        key="sgd-schedule-values",
        question="At step t = 40 (steps counted from t = 0), give the learning rates of four schedules, "
                 "in this order: piecewise constant 0.1 before step 20, 0.05 from step 20, 0.01 from step 40; "
                 "exponential 0.1·e^(−0.1 t); polynomial 0.1·(0.1 t + 1)^(−1/2); linear decay from 0.1 "
                 "to 0.001 at τ = 100.",
        solve=_schedule_values,
        rtol=2e-3,
        atol=1e-6,
        hint="Put t = 40 into each formula. The piecewise schedule switches at the start of step 40; the "
             "linear decay is 40% of the way from 0.1 to 0.001.",
        mistakes=lambda: [
            Mistake(_schedule_values(SCHEDULE_STEP + 1), "these are the rates of step 41: the notes' code "
                    "increments t before computing the rate; here the first step is t = 0.", rtol=2e-3),
            Mistake(np.r_[0.05, _schedule_values()[1:]], "the piecewise rate is wrong: from step 40 on the third "
                    "value, 0.01, applies (t_i ≤ t < t_(i+1)).", rtol=2e-3),
            Mistake(np.r_[_schedule_values()[:3], 0.4 * 0.1 + 0.6 * 0.001], "the linear decay is reversed: at "
                    "t/τ = 0.4 the weight of the initial rate is 1 − 0.4 = 0.6.", rtol=2e-3),
        ],
    ),
    Exercise(
        key="sgd-updates-per-epoch",
        question=f"A training set has {N_TRAIN} examples. How many parameter updates does one epoch take with "
                 f"(a) full-batch gradient descent, (b) SGD one example at a time, (c) minibatches of {BATCH} "
                 f"that keep the smaller last batch? Give three numbers.",
        solve=_updates,
        hint="One update per minibatch; the number of minibatches is n / B rounded up when the last, "
             "smaller batch is kept.",
        mistakes=lambda: [
            Mistake(np.r_[1.0, N_TRAIN, epoch_counts(N_TRAIN, BATCH, last="drop")[0]],
                    "(c) rounds down: that drops the last batch of "
                    f"{epoch_counts(N_TRAIN, BATCH)[1]} examples; here it is kept."),
            Mistake(np.r_[1.0, N_TRAIN, N_TRAIN / BATCH], "(c) is a count of minibatches: round up.", rtol=1e-2),
            Mistake(np.r_[N_TRAIN, 1.0, epoch_counts(N_TRAIN, BATCH)[0]], "(a) and (b) are swapped: gradient descent "
                    "takes one step per pass over the data, SGD one per example."),
        ],
    ),
    Exercise(
        key="sgd-variance-4b",
        question="Minibatches are drawn at random (with replacement) from a large training set. When the batch "
                 "size grows from B to 4B, by what factor does the variance of the minibatch gradient shrink?",
        solve=_variance_factor,
        hint="The minibatch gradient is a mean of B independent per-example gradients.",
        mistakes=lambda: [
            Mistake(2.0, "that is the factor of the standard deviation, the square root of the variance."),
            Mistake(0.25, "that is the ratio of the new variance to the old; the question asks by what factor "
                    "it shrinks."),
            Mistake(16.0, "the variance of a mean of B independent terms falls like 1/B, not 1/B²."),
        ],
    ),
])
