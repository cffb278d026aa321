"""Exercises of chapter 6: momentum and Nesterov momentum."""

from __future__ import annotations

import numpy as np

from ..heavy_ball import ema_lr, heavy_ball_tuning, momentum_step
from ..objectives import error_surface
from . import Exercise, Mistake, register

#: The velocity-form rate and momentum of the exercise "mom-ema-rate".
ETA, GAMMA = 0.03, 0.9

#: The worked step of "mom-step-error-surface": w_{t-1}, w_t, the rate and the stated momentum.
W_PREV, W_NOW, STEP_LR, STEP_BETA = (1.0, 1.0), (1.5, 2.0), 0.3, 0.6

#: The condition number of "mom-optimal-beta".
KAPPA = 100.0


def _step(beta: float = STEP_BETA, form: str = "velocity", w_prev=W_PREV) -> np.ndarray:
    return momentum_step(error_surface(), w_prev, W_NOW, lr=STEP_LR, beta=beta, form=form)


def _tuning():
    return heavy_ball_tuning(np.diag([1.0, KAPPA]))


def _wrong_delta_step() -> np.ndarray:
    """The second coordinate moved by beta times the change of w1 (the notes' "Δw_1" in both lines)."""
    right = _step()
    delta = np.subtract(W_NOW, W_PREV)
    return np.array([right[0], right[1] - STEP_BETA * delta[1] + STEP_BETA * delta[0]])


register("06_momentum", [
    Exercise(
        key="mom-ema-rate",
        question=f"Momentum in velocity form, u_(t+1) = βu_t + g_t, x_(t+1) = x_t − ηu_(t+1), runs with "
                 f"η = {ETA} and β = {GAMMA}. Which step η′ of the moving-average form "
                 f"m_(t+1) = βm_t + (1 − β)g_t, x_(t+1) = x_t − η′m_(t+1) gives exactly the same iterates?",
        solve=lambda: ema_lr(ETA, GAMMA),
        rtol=3e-3,
        hint="Divide the moving-average recursion by 1 − β and compare it with the velocity recursion term by term.",
        mistakes=lambda: [
            Mistake(ETA * (1 - GAMMA), "that multiplies by (1 − β); the relation is η = η′(1 − β), so "
                    "η′ = η/(1 − β) is larger than η.", rtol=3e-3),
            Mistake(ETA, "with the same rate the moving-average form takes steps (1 − β) times shorter: the "
                    "(1 − β) in front of the gradient has to be compensated.", rtol=3e-3),
            Mistake(ETA / GAMMA, "divide by 1 − β, not by β.", rtol=3e-3),
        ],
    ),
    Exercise(
        key="mom-step-error-surface",
        question=f"On the error surface E(w1, w2), momentum in velocity form moved the weights from "
                 f"w_(t−1) = {W_PREV} to w_t = {W_NOW}. With η = {STEP_LR} and β = {STEP_BETA}, take the next "
                 f"step, w_(t+1) = w_t − η∇E(w_t) + β(w_t − w_(t−1)). Give w1 and w2 to four significant figures.",
        solve=_step,
        rtol=5e-4,
        hint="First the gradient at (1.5, 2.0): ∂E/∂w1 = (w1 − 3)/2 − (w2 − 4)/6 and "
             "∂E/∂w2 = 2(w2 − 4)/9 − (w1 − 3)/6. The previous step is (0.5, 1.0).",
        mistakes=lambda: [
            Mistake(_step(beta=0.9), "that uses β = 0.9, as the printed arithmetic of the worked example "
                    f"does; the example states β = {STEP_BETA}.", rtol=5e-4),
            Mistake(_step(beta=0.0), "that is a plain gradient step: the momentum term β(w_t − w_(t−1)) "
                    "is missing.", rtol=5e-4),
            Mistake(_wrong_delta_step(), "w2 moved by β times the change of w1; each coordinate carries its "
                    "own previous step (Δw2 = 1.0).", rtol=5e-4),
            Mistake(_step(form="ema"), "that is the moving-average form, with the gradient scaled by "
                    "η(1 − β); the formula asked for is the velocity form.", rtol=5e-4),
            Mistake(np.asarray(W_NOW) + np.subtract(W_NOW, _step(beta=0.0)) + STEP_BETA * np.subtract(W_NOW, W_PREV),
                    "the gradient step has the wrong sign: move against the gradient.", rtol=5e-4),
        ],
    ),
    Exercise(
        key="mom-optimal-beta",
        question=f"A quadratic has condition number κ = {KAPPA:g}. Which momentum β makes the heavy-ball method "
                 f"(with its best learning rate) converge fastest? Three significant figures.",
        solve=lambda: _tuning().beta,
        rtol=3e-3,
        hint="Polyak's choice is β* = ((√κ − 1)/(√κ + 1))².",
        mistakes=lambda: [
            Mistake(_tuning().rate, "that is √β*, the factor per step at the optimum; β* is its square.",
                    rtol=3e-3),
            Mistake(_tuning().gd_rate, "that is (κ − 1)/(κ + 1), gradient descent's best factor; momentum "
                    "uses √κ.", rtol=3e-3),
            Mistake(_tuning().gd_rate ** 2, "use √κ, not κ: β* = ((√κ − 1)/(√κ + 1))².", rtol=3e-3),
        ],
    ),
    Exercise(
        key="mom-which-form",
        question="A set of lecture slides runs momentum on the ellipse 0.1x1² + 2x2² with η = 0.6 "
                 "and reports that β = 0.25 oscillates more, and with a larger amplitude, than β = 0.5. "
                 "Which form of momentum reproduces that behaviour?",
        solve=lambda: "velocity form",
        options=("velocity form", "moving-average form", "both", "neither"),
        hint="Compute the factor per step of the x2 direction (curvature 4) in both forms, or run both.",
        mistakes=lambda: [
            Mistake("moving-average form", "in the moving-average form the effective rate is η(1 − β), "
                    "and at β = 0.25 the x2 direction shrinks by 0.5 per step, faster than at β = 0.5 "
                    "(0.71): fewer oscillations, not more."),
            Mistake("both", "the two forms are the same method only when the rates are converted, "
                    "η = η′(1 − β); with the same η = 0.6 they differ."),
        ],
    ),
])
