"""Exercises of chapter 7: every optimizer side by side.

The answers come from :mod:`course_lib.comparison`, with the problems, grid and
criterion of the chapter's page (:func:`~course_lib.comparison.course_problems`).
"""

from __future__ import annotations

import math

from ..comparison import course_optimizers, course_problems, course_results, rate_grid, tune_learning_rate
from ..optimizers import gd
from . import Exercise, Mistake, register

#: The choices of "cmp-rosenbrock-first": every first-order optimizer; a notebook answer
#: "momentum_ema" is read as momentum (same iterates at a rescaled rate).
FIRST_ORDER = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "yogi")

#: The rate of "cmp-saddle-gd-steps": 10^(-2/3), a point of the default grid.
SADDLE_RATE = float(rate_grid(0.2, 0.3)[0])


def _tuned(problem: str, name: str):
    p = course_problems()[problem]
    return tune_learning_rate(course_optimizers()[name], p.objective, p.x0, steps=p.steps, target=p.target,
                              max_distance=p.max_distance, name=name)


def _ellipse_gd_rate() -> float:
    return _tuned("ellipse", "gd").lr


def _rosenbrock_steps() -> dict:
    """Steps to the target on Rosenbrock of each first-order optimizer at its tuned rate (inf: not reached)."""
    return {t.name: (t.reached if t.reached is not None else math.inf)
            for t in course_results("Rosenbrock") if t.name in FIRST_ORDER}


def _rosenbrock_first() -> str:
    steps = _rosenbrock_steps()
    best = min(steps.values())
    winners = [n for n, s in steps.items() if s == best]
    if len(winners) != 1:
        raise ValueError(f"the fastest optimizer on Rosenbrock is not unique: {winners}")
    return winners[0]


def _saddle_gd_steps() -> float:
    p = course_problems()["saddle"]
    t = tune_learning_rate(gd, p.objective, p.x0, steps=p.steps, target=p.target, max_distance=p.max_distance,
                           grid=[SADDLE_RATE])
    return float(t.reached)


def _escape_steps_ignoring_x1(factor: float) -> float:
    """The (real) t at which 0.01 * factor^t = 1: what one gets by ignoring x1 and not rounding up."""
    return math.log(100.0) / math.log(factor)


register("07_adaptive_methods", [
    Exercise(
        key="cmp-ellipse-gd-rate",
        question="On the page's grid (the rates 10^(k/3) from 10⁻⁴ to 10), which learning rate does the tuner "
                 "choose for gradient descent on the ellipse 0.1x₁² + 2x₂², from (−1.8, 2.5), with the target "
                 "f ≤ 10⁻⁸ within 500 steps? Give it to three significant figures.",
        solve=_ellipse_gd_rate,
        rtol=3e-3,
        hint="Gradient descent converges only below 2/λ_max = 0.5, and the best constant rate is "
             "2/(λ_min + λ_max). Which grid point is the best one that is still stable?",
        mistakes=lambda: [
            Mistake(2.0 / 4.2, "that is the best constant rate 2/(λ_min + λ_max), but it is not on the grid: "
                    "the tuner only tries the rates 10^(k/3).", rtol=3e-3),
            Mistake(0.5, "at 2/λ_max = 0.5 the x₂ coordinate bounces for ever, and 0.5 is not on the grid.",
                    rtol=3e-3),
            Mistake(1.0, "at η = 1 the x₂ coordinate is multiplied by 1 − 4 = −3 per step: the run diverges, "
                    "and a diverged run never wins.", rtol=3e-3),
            Mistake(0.215443469003, "0.215 is stable, but its slow direction shrinks by 1 − 0.2·0.215 ≈ 0.957 "
                    "per step, against 0.907 at the next grid point.", rtol=3e-3),
            Mistake(0.25, "1/λ_max = 0.25 solves the steep direction in one step but is not on the grid.",
                    rtol=3e-3),
        ],
    ),
    Exercise(
        key="cmp-rosenbrock-first",
        question="On Rosenbrock's function from (−1.2, 1), each with its tuned learning rate, which first-order "
                 "optimizer reaches f ≤ 10⁻⁶ in the fewest steps? Answer with one of the names "
                 f"{', '.join(FIRST_ORDER)}. (Newton's method, which uses the "
                 "Hessian, is left out; momentum_ema, which has the same iterates as momentum at a rescaled "
                 "rate, is not a separate option: it is listed under momentum.)",
        solve=_rosenbrock_first,
        options=FIRST_ORDER,
        aliases={"momentum_ema": "momentum"},
        hint="Read the Rosenbrock table: the column of steps, for the rows that reached the target.",
        mistakes=lambda: [
            Mistake("adam", "Adam reaches the target from more rates of the grid than any other first-order "
                            "method, but at its best rate it needs more steps than the winner."),
            Mistake("nesterov", "Nesterov's method reaches the target, but later: its tuned rate is smaller."),
            Mistake("yogi", "Yogi reaches the target, but about twice as late as the fastest."),
            Mistake("gd", "gradient descent does not reach the target at all within the budget."),
            Mistake("rmsprop", "RMSProp does not reach the target within the budget: at a constant rate it "
                               "zigzags across the valley floor with steps of about η and is still short of "
                               f"(1, 1) after {course_problems()['Rosenbrock'].steps} steps."),
        ],
    ),
    Exercise(
        key="cmp-saddle-gd-steps",
        question=f"Gradient descent with η = {SADDLE_RATE:.6f} (= 10^(−2/3)) starts on the saddle x₁² − x₂² at "
                 "(1, 0.01). After how many steps is f(x_t) ≤ −1 for the first time? Give a whole number.",
        solve=_saddle_gd_steps,
        rtol=0.0,
        atol=0.01,
        hint="Each step multiplies x₁ by 1 − 2η and x₂ by 1 + 2η. Compute f(x_t) = x₁² − x₂² for successive t "
             "near the step where x₂ passes 1.",
        mistakes=lambda: [
            Mistake(_escape_steps_ignoring_x1(1 + 2 * SADDLE_RATE), "that is where x₂ alone reaches 1, as a real "
                    "number: the step count is a whole number, and f still contains +x₁².", rtol=1e-2),
            Mistake(math.ceil(_escape_steps_ignoring_x1(1 + SADDLE_RATE)), "the gradient of −x₂² is −2x₂, so the "
                    "factor on x₂ is 1 + 2η, not 1 + η.", rtol=0.0, atol=0.01),
            Mistake(_saddle_gd_steps() - 1, "at that step f is still above −1: count the step at which f first "
                    "drops to −1 or below.", rtol=0.0, atol=0.01),
        ],
    ),
])
