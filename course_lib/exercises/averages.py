"""Exercises of chapter 6: running averages."""

from __future__ import annotations

import numpy as np

from ..averages import (
    debiased,
    effective_count,
    half_life,
    mean_age,
    mean_gamma,
    running_average,
    steps_to_weight,
    total_weight,
)
from . import Exercise, Mistake, register

#: The values and the start of the exercise "avg-mean": C_0 = 10, then c_1, ..., c_4.
MEAN_VALUES, MEAN_C0 = (3.0, 7.0, 2.0, 8.0), 10.0
#: The factor of the exercise "avg-effective-count".
COUNT_BETA = 0.95
#: The values and the factor of the exercise "avg-debiased" (from C_0 = 0).
DEBIAS_VALUES, DEBIAS_GAMMA = (2.0, 4.0, 3.0), 0.8
#: The factor (Adam's beta_2) and the share of the exercise "avg-half-bias".
HALF_BETA, HALF_FRACTION = 0.999, 0.5


def _mean_c4() -> float:
    return float(running_average(MEAN_VALUES, mean_gamma, c0=MEAN_C0)[-1])


def _debiased_c3() -> float:
    return float(debiased(DEBIAS_VALUES, DEBIAS_GAMMA)[-1])


register("06_momentum", [
    Exercise(
        key="avg-mean",
        question="A running average starts at C_0 = 10 and takes in c_1, ..., c_4 = 3, 7, 2, 8 with "
                 "C_t = β_t C_(t−1) + (1 − β_t) c_t and β_t = (t − 1)/t. What is C_4?",
        solve=_mean_c4,
        hint="Work out β_1, ..., β_4 first, then C_1, C_2, C_3, C_4 one after the other. What does β_1 do to C_0?",
        mistakes=lambda: [
            Mistake((MEAN_C0 + sum(MEAN_VALUES)) / (len(MEAN_VALUES) + 1),
                    "that is the mean of C_0 and the four values, but β_1 = 0: the first step replaces C_0 by c_1, "
                    "so C_0 has no weight at all."),
            Mistake(float(running_average(MEAN_VALUES, mean_gamma(len(MEAN_VALUES)), c0=MEAN_C0)[-1]),
                    "that is a moving average with the constant β = 3/4 = β_4 at every step; here β_t changes "
                    "with t.", rtol=2e-3),
            Mistake(float(running_average(MEAN_VALUES, mean_gamma(len(MEAN_VALUES)))[-1]),
                    "that is a moving average with the constant β = 3/4 from C_0 = 0; here β_t = (t − 1)/t "
                    "changes with t.", rtol=2e-3),
            Mistake(float(running_average(MEAN_VALUES[:3], mean_gamma)[-1]),
                    "that is C_3, the mean of the first three values; C_4 takes in c_4 = 8 as well."),
            Mistake(sum(MEAN_VALUES), "that is the sum c_1 + ... + c_4, which is t C_t, not C_t."),
        ],
    ),
    Exercise(
        key="avg-effective-count",
        question=f"A moving average of gradients uses β = {COUNT_BETA}. By the rule of thumb 1/(1 − β), "
                 "about how many recent gradients does it average?",
        solve=lambda: effective_count(COUNT_BETA),
        rtol=3e-3,
        hint="Put β into 1/(1 − β).",
        mistakes=lambda: [
            Mistake(mean_age(COUNT_BETA), "that is β/(1 − β), the mean age of the averaged gradients when the "
                    "newest counts as age 0; the count is one more.", rtol=3e-3),
            Mistake(1.0 - COUNT_BETA, "that is 1 − β, the weight on the newest gradient; the count is its inverse.",
                    rtol=3e-3),
            Mistake(1.0 / COUNT_BETA, "that is 1/β; the count is 1/(1 − β).", rtol=3e-3),
        ],
    ),
    Exercise(
        key="avg-debiased",
        question="A moving average with β = 0.8 starts at C_0 = 0 and takes in c_1, c_2, c_3 = 2, 4, 3. "
                 "What is its bias-corrected value C_3 / (1 − β^3)? Give three significant figures or more.",
        solve=_debiased_c3,
        rtol=3e-3,
        hint="Compute C_1 = 0.2 · 2, then C_2 and C_3 with C_t = 0.8 C_(t−1) + 0.2 c_t, and divide by 1 − 0.8³.",
        mistakes=lambda: [
            Mistake(float(running_average(DEBIAS_VALUES, DEBIAS_GAMMA)[-1]),
                    "that is the raw average C_3, still pulled towards C_0 = 0: divide it by 1 − β³.", rtol=2e-3),
            Mistake(float(running_average(DEBIAS_VALUES, DEBIAS_GAMMA)[-1] / (1.0 - DEBIAS_GAMMA)),
                    "that divides by 1 − β, the weight of the newest value; the total weight after three steps "
                    "is 1 − β³.", rtol=2e-3),
            Mistake(float(running_average(DEBIAS_VALUES, DEBIAS_GAMMA)[-1] / total_weight(DEBIAS_GAMMA, 2)),
                    "that divides by 1 − β², the total weight after two steps; after three it is 1 − β³.",
                    rtol=2e-3),
            Mistake(float(np.mean(DEBIAS_VALUES)), "that is the plain mean; the corrected moving average still "
                    "weights the newer values more (weights 0.128, 0.16, 0.2, divided by their sum 0.488).",
                    rtol=1e-3),
        ],
    ),
    Exercise(
        key="avg-half-bias",
        question=f"Adam's second-moment average uses β_2 = {HALF_BETA} from v_0 = 0. On a constant signal, after "
                 "how many steps does the raw (uncorrected) average first reach at least half of the signal?",
        solve=lambda: float(steps_to_weight(HALF_BETA, HALF_FRACTION)),
        rtol=0.0,
        atol=0.01,
        hint="After t steps the raw average of a constant c is (1 − β_2^t) c. Solve 1 − β_2^t ≥ 1/2 for the "
             "smallest whole t.",
        mistakes=lambda: [
            Mistake(effective_count(HALF_BETA), "that is 1/(1 − β_2); by then the raw average has reached about "
                    "1 − 1/e ≈ 63% of the signal, more than half.", atol=0.5, rtol=0.0),
            Mistake(float(steps_to_weight(HALF_BETA, HALF_FRACTION) - 1), "one step short: at that step "
                    "1 − β_2^t is still just below 1/2.", atol=0.5, rtol=0.0),
            Mistake(half_life(HALF_BETA), "that is the half-life ln 2/ln(1/β_2), not a whole number of steps: "
                    "at which step is half first reached?", atol=0.05, rtol=0.0),
            Mistake(1.0, "after one step the raw average is only 1 − β_2 = 0.001 of the signal; the bias "
                    "correction (dividing by it) is what makes the first step right.", atol=0.5, rtol=0.0),
        ],
    ),
])
