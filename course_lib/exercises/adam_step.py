"""Exercises of chapter 7: one Adam step by hand on note 000's sigmoid neuron.

Every answer comes from :func:`course_lib.neuron.adam_step_by_hand` with the example's
data and hyperparameters (``NOTE_000_EXAMPLE``); the mistakes are the same step computed
the wrong way (no bias correction, the wrong sign, a forgotten factor, the slides' numbers).
"""

from __future__ import annotations

import numpy as np

from ..neuron import NOTE_000_EXAMPLE, adam_first_step, adam_step_by_hand, bce_loss, sigmoid
from ..optimizers import gd
from . import Exercise, Mistake, register

RTOL = 3e-3          # three significant figures
FIGURES = " Give it to three significant figures or more."


def _step(**changes):
    return adam_step_by_hand(**{**NOTE_000_EXAMPLE, **changes})


def _gd_step() -> np.ndarray:
    """Plain gradient descent at the same learning rate, from the same point."""
    s = _step()
    opt = gd(lr=NOTE_000_EXAMPLE["lr"])
    theta = np.array([s.w, s.b])
    new, _ = opt.update(theta, np.array([s.grad_w, s.grad_b]), opt.init(theta))
    return new


def _only_first_corrected(coord: str) -> float:
    """The update with m corrected but v not: eta * m_hat / (sqrt(v) + eps)."""
    s = _step()
    e = NOTE_000_EXAMPLE
    m_hat, v = getattr(s, f"m_hat_{coord}"), getattr(s, f"v_{coord}")
    return getattr(s, coord) - e["lr"] * m_hat / (np.sqrt(v) + e["eps"])


def _only_second_corrected(coord: str) -> float:
    """The update with v corrected but m not: eta * m / (sqrt(v_hat) + eps)."""
    s = _step()
    e = NOTE_000_EXAMPLE
    m, v_hat = getattr(s, f"m_{coord}"), getattr(s, f"v_hat_{coord}")
    return getattr(s, coord) - e["lr"] * m / (np.sqrt(v_hat) + e["eps"])


#: The slides' own numbers for this example (note 000), for the mistakes below.
SLIDES = {"y_hat": 0.0180, "loss": 4.0076, "grad_w": -0.493, "grad_b": -0.482}

#: The gradient of the exercise "adam-tiny-gradient".
TINY_G = 1e-8


def _tiny_eps_in_sqrt() -> float:
    """The same first step with epsilon inside the square root, as note 001 writes Adam."""
    return float(adam_first_step([TINY_G], lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8, eps_in_sqrt=True)[0])


def _exercise(key, field, question, hint, mistakes, rtol=RTOL):
    return Exercise(key=key, question=question + FIGURES, solve=lambda: getattr(_step(), field), rtol=rtol,
                    hint=hint, mistakes=mistakes)


SIGN = "the sign is flipped: "

register("07_adaptive_methods", [
    _exercise(
        "adam-z", "z",
        "The neuron has w = b = −2 and gets x = 3.5. What is its pre-activation z = wx + b?",
        "Multiply the weight by the input, then add the bias.",
        lambda: [Mistake(-4.0, "that is w + b: the weight multiplies the input x = 3.5.")],
    ),
    _exercise(
        "adam-yhat", "y_hat",
        "What is the neuron's output ŷ = σ(z) = 1/(1 + e^(−z))?",
        "σ(z) = 1/(1 + e^(−z)); with z = −9, e^9 is about 8103.",
        lambda: [
            Mistake(sigmoid(-4.0), "that is σ(−4), the number the slides print: the pre-activation is "
                    "−2·3.5 − 2 = −9.", rtol=0.01),
            Mistake(sigmoid(9.0), SIGN + "σ(−z) = 1 − σ(z); a large negative z gives an output near 0."),
        ],
        # 1.2339e-4 rounded to three figures, 1.23e-4, is off by 0.32 %: 3e-3 would refuse it
        rtol=5e-3,
    ),
    _exercise(
        "adam-loss", "loss",
        "What is the binary cross-entropy L = −[y log ŷ + (1 − y) log(1 − ŷ)] for the label y = 0.5 "
        "(natural logarithm)?",
        "Both terms count, each with weight 1/2; log ŷ is about −9.",
        lambda: [
            Mistake(SLIDES["loss"], "that is the slides' number, which follows from neither their ŷ nor the "
                    "right one.", rtol=2e-4),
            Mistake(bce_loss(-4.0, 0.5), "that is the loss for ŷ = σ(−4) ≈ 0.0180, the "
                    "slides' output: with z = −9 the output is much smaller.", rtol=5e-3),
            Mistake(2.0 * _step().loss, "the weights are y = 0.5 and 1 − y = 0.5, not 1 and 1."),
            Mistake(_step().loss / np.log(10.0), "that is the loss in base-10 logarithms; cross-entropy "
                    "uses the natural logarithm."),
        ],
    ),
    _exercise(
        "adam-grad-w", "grad_w",
        "What is the gradient ∂L/∂w = (ŷ − y)·x?",
        "ŷ − y is almost −0.5; multiply by x = 3.5.",
        lambda: [
            Mistake(-_step().grad_w, SIGN + "the output is below the label, so increasing w lowers the loss: "
                    "the gradient is negative."),
            Mistake(_step().grad_b, "that is ∂L/∂b: the weight's gradient has the extra factor x = 3.5."),
            Mistake((SLIDES["y_hat"] - 0.5) * 3.5, "that uses the slides' ŷ = 0.0180, which is σ(−4).",
                    rtol=2e-3),
            Mistake(SLIDES["grad_w"], "that is the slides' number; with any ŷ near 0, (ŷ − 0.5)·3.5 is "
                    "near −1.75.", rtol=2e-3),
            Mistake(_step().grad_w * _step().y_hat * (1.0 - _step().y_hat), "the sigmoid's derivative ŷ(1 − ŷ) "
                    "cancels against the cross-entropy's: the gradient is just (ŷ − y)·x."),
        ],
    ),
    _exercise(
        "adam-grad-b", "grad_b",
        "What is the gradient ∂L/∂b = ŷ − y?",
        "The output minus the label.",
        lambda: [
            Mistake(-_step().grad_b, SIGN + "it is ŷ − y, and ŷ is below y = 0.5."),
            Mistake(_step().grad_w, "that is ∂L/∂w: the bias's input is 1, not x."),
            Mistake(SLIDES["grad_b"], "that uses the slides' ŷ = 0.0180, which is σ(−4).", rtol=2e-3),
        ],
    ),
    _exercise(
        "adam-m-w", "m_w",
        "Starting from m = 0, what is the weight's first moment m_w = β₁·0 + (1 − β₁)·∂L/∂w after the step?",
        "(1 − β₁) = 0.1 of the gradient; keep its sign.",
        lambda: [
            Mistake(-_step().m_w, SIGN + "the moment is (1 − β₁) times the gradient, which is negative "
                    "(the slides write a minus here)."),
            Mistake(_step().grad_w, "that is the whole gradient: the moment takes only (1 − β₁) = 0.1 of it."),
            Mistake(0.9 * _step().grad_w, "that is β₁ times the gradient: the new gradient gets the weight "
                    "1 − β₁, the old moment (0) gets β₁."),
            Mistake(0.9 * _step().m_w, "there is an extra factor β₁ = 0.9: the new gradient's weight is just "
                    "1 − β₁ (the slides' 0.04437 is 0.9 · 0.0493)."),
        ],
    ),
    _exercise(
        "adam-m-b", "m_b",
        "What is the bias's first moment m_b = β₁·0 + (1 − β₁)·∂L/∂b after the step?",
        "(1 − β₁) = 0.1 of the bias's gradient; keep its sign.",
        lambda: [
            Mistake(-_step().m_b, SIGN + "the moment has the sign of the gradient, which is negative."),
            Mistake(_step().grad_b, "that is the whole gradient: the moment takes only (1 − β₁) = 0.1 of it."),
            Mistake(0.9 * _step().grad_b, "that is β₁ times the gradient: the new gradient gets the weight 1 − β₁."),
            Mistake(0.9 * _step().m_b, "there is an extra factor β₁ = 0.9: the new gradient's weight is just "
                    "1 − β₁."),
        ],
    ),
    _exercise(
        "adam-v-w", "v_w",
        "Starting from v = 0, what is the weight's second moment v_w = β₂·0 + (1 − β₂)·(∂L/∂w)² after the step "
        "(β₂ = 0.99)?",
        "(1 − β₂) = 0.01 of the squared gradient.",
        lambda: [
            Mistake(_step(beta2=0.999).v_w, "that uses β₂ = 0.999, as the slides' arithmetic does; the example "
                    "states β₂ = 0.99."),
            Mistake(_step().grad_w ** 2, "that is the whole squared gradient: the moment takes only "
                    "(1 − β₂) = 0.01 of it."),
            Mistake(0.99 * _step().grad_w ** 2, "that is β₂ times the squared gradient: the new term gets the "
                    "weight 1 − β₂."),
            Mistake(-_step().v_w, "a second moment is a sum of squares: it cannot be negative."),
            Mistake(0.01 * _step().grad_w, "square the gradient before weighting it."),
        ],
    ),
    _exercise(
        "adam-v-b", "v_b",
        "What is the bias's second moment v_b = β₂·0 + (1 − β₂)·(∂L/∂b)² after the step (β₂ = 0.99)?",
        "(1 − β₂) = 0.01 of the squared gradient.",
        lambda: [
            Mistake(_step(beta2=0.999).v_b, "that uses β₂ = 0.999, as the slides' arithmetic does; the example "
                    "states β₂ = 0.99."),
            Mistake(_step().grad_b ** 2, "that is the whole squared gradient: the moment takes only "
                    "(1 − β₂) = 0.01 of it."),
            Mistake(0.99 * _step().grad_b ** 2, "that is β₂ times the squared gradient: the new term gets the "
                    "weight 1 − β₂."),
            Mistake(-_step().v_b, "a second moment is a sum of squares: it cannot be negative."),
        ],
    ),
    _exercise(
        "adam-mhat-w", "m_hat_w",
        "What is the bias-corrected first moment m̂_w = m_w / (1 − β₁ᵗ) at t = 1?",
        "1 − β₁¹ = 0.1.",
        lambda: [
            Mistake(_step().m_w, "that is m_w itself: the correction divides it by 1 − β₁ = 0.1."),
            Mistake(_step().m_w / 0.9, "that divides by β₁; the correction divides by 1 − β₁ᵗ."),
            Mistake(-_step().m_hat_w, SIGN + "the correction divides by a positive number and keeps the sign "
                    "of the gradient."),
        ],
    ),
    _exercise(
        "adam-mhat-b", "m_hat_b",
        "What is the bias-corrected first moment m̂_b = m_b / (1 − β₁ᵗ) at t = 1?",
        "1 − β₁¹ = 0.1.",
        lambda: [
            Mistake(_step().m_b, "that is m_b itself: the correction divides it by 1 − β₁ = 0.1."),
            Mistake(_step().m_b / 0.9, "that divides by β₁; the correction divides by 1 − β₁ᵗ."),
            Mistake(-_step().m_hat_b, SIGN + "the correction keeps the sign of the gradient."),
        ],
    ),
    _exercise(
        "adam-vhat-w", "v_hat_w",
        "What is the bias-corrected second moment v̂_w = v_w / (1 − β₂ᵗ) at t = 1?",
        "1 − β₂¹ = 0.01.",
        lambda: [
            Mistake(_step().v_w, "that is v_w itself: the correction divides it by 1 − β₂ = 0.01."),
            Mistake(_step().v_w / 0.99, "that divides by β₂; the correction divides by 1 − β₂ᵗ."),
            Mistake(_step().v_w / (1.0 - 0.999), "that divides by 1 − 0.999, as the slides do; with β₂ = 0.99 "
                    "the factor is 0.01."),
        ],
    ),
    _exercise(
        "adam-vhat-b", "v_hat_b",
        "What is the bias-corrected second moment v̂_b = v_b / (1 − β₂ᵗ) at t = 1?",
        "1 − β₂¹ = 0.01.",
        lambda: [
            Mistake(_step().v_b, "that is v_b itself: the correction divides it by 1 − β₂ = 0.01."),
            Mistake(_step().v_b / 0.99, "that divides by β₂; the correction divides by 1 − β₂ᵗ."),
            Mistake(_step().v_b / (1.0 - 0.999), "that divides by 1 − 0.999, as the slides do; with β₂ = 0.99 "
                    "the factor is 0.01."),
        ],
    ),
    _exercise(
        "adam-new-w", "w_new",
        "What is the new weight w − η·m̂_w / (√v̂_w + ε)?",
        "m̂_w / √v̂_w is the gradient divided by its own size.",
        lambda: [
            Mistake(2.0 * _step().w - _step().w_new, SIGN + "the gradient is negative, so w increases "
                    "(the slides' w decreases)."),
            Mistake(_gd_step()[0], "that is a plain gradient-descent step, w − η·∂L/∂w; Adam divides by "
                    "√v̂_w first."),
            Mistake(_only_first_corrected("w"), "only m was corrected: v̂ = v / (1 − β₂) must be used too."),
            Mistake(_only_second_corrected("w"), "only v was corrected: m̂ = m / (1 − β₁) must be used too."),
            Mistake(_step(beta2=0.999, bias_correction=False).w_new, "that is the step without bias correction "
                    "and with β₂ = 0.999."),
        ],
    ),
    _exercise(
        "adam-new-b", "b_new",
        "What is the new bias b − η·m̂_b / (√v̂_b + ε)?",
        "m̂_b / √v̂_b is the gradient divided by its own size.",
        lambda: [
            Mistake(2.0 * _step().b - _step().b_new, SIGN + "the gradient is negative, so b increases "
                    "(the slides' b decreases)."),
            Mistake(_gd_step()[1], "that is a plain gradient-descent step, b − η·∂L/∂b; Adam divides by "
                    "√v̂_b first."),
            Mistake(_only_first_corrected("b"), "only m was corrected: v̂ = v / (1 − β₂) must be used too."),
            Mistake(_only_second_corrected("b"), "only v was corrected: m̂ = m / (1 − β₁) must be used too."),
            Mistake(_step(beta2=0.999, bias_correction=False).b_new, "that is the step without bias correction "
                    "and with β₂ = 0.999."),
        ],
    ),
    Exercise(
        key="adam-tiny-gradient",
        question="A parameter starts at θ = 0 and its first gradient is g = 10⁻⁸. Where is it after Adam's first "
                 "step with η = 0.1, β₁ = 0.9, β₂ = 0.99, ε = 10⁻⁸ added to √v̂, and bias correction?" + FIGURES,
        solve=lambda: float(adam_first_step([TINY_G], lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)[0]),
        rtol=RTOL,
        atol=1e-12,
        hint="With bias correction m̂ = g and √v̂ = |g|; here |g| equals ε.",
        mistakes=lambda: [
            Mistake(-0.1, "that ignores ε: here √v̂ = 10⁻⁸ is as small as ε, so the denominator doubles."),
            Mistake(0.05, SIGN + "the step goes against the gradient."),
            Mistake(_tiny_eps_in_sqrt(), "that puts ε inside the square root, √(v̂ + ε), as note 001 writes "
                    "it; here ε is added to √v̂."),
        ],
    ),
])
