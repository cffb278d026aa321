"""Exercises of chapter 7: adaptive learning rates.

One AdaGrad step and one RMSProp step by hand, Adam's bias-correction factor, and which
method's per-coordinate rate can only shrink. Every answer is computed by
:mod:`course_lib.optimizers` and :mod:`course_lib.adaptive`.
"""

from __future__ import annotations

import numpy as np

from ..adaptive import bias_factor, effective_rates
from ..objectives import parabola
from ..optimizers import adagrad, adam, rmsprop, yogi
from . import Exercise, Mistake, register

#: The AdaGrad step: point, accumulated squared gradients, gradient, rate, epsilon.
ADAGRAD_STEP = dict(w=(2.0, -1.0), s=(3.0, 0.0), g=(1.0, 0.2), lr=0.5, eps=0.1)

#: The RMSProp step (epsilon inside the root, as in :ref:`note 000 <note-000>`): s, g, rate, decay, epsilon.
RMSPROP_STEP = dict(s=1e-5, g=0.002, lr=0.01, gamma=0.9, eps=1e-6)

#: Adam's second-moment correction asked for: beta2 and the step.
BIAS_BETA2, BIAS_STEP = 0.999, 10

#: The options of the choice exercise, each with the optimizer that stands for it.
SHRINK_OPTIONS = ("AdaGrad", "RMSProp", "Adam", "Yogi")


def _adagrad_step(*, eps_in_sqrt: bool = False) -> np.ndarray:
    """The new point of the AdaGrad exercise (optionally with the mistakes' variants)."""
    p = ADAGRAD_STEP
    opt = adagrad(lr=p["lr"], eps=p["eps"], eps_in_sqrt=eps_in_sqrt)
    w = np.array(p["w"])
    state = opt.init(w)._replace(s=np.array(p["s"]))
    w_next, _ = opt.update(w, np.array(p["g"]), state)
    return w_next


def _adagrad_mistakes():
    p = ADAGRAD_STEP
    w, g = np.array(p["w"]), np.array(p["g"])
    s_new = np.array(p["s"]) + g * g
    no_root = w - p["lr"] * g / (s_new + p["eps"])
    return [
        Mistake(_adagrad_step(eps_in_sqrt=True), "that puts ε inside the square root, √(s + ε); this exercise "
                "(like PyTorch) divides by √s + ε.", rtol=5e-4),
        Mistake(no_root, "the rate is divided by the square root of the accumulated squares, not by the sum "
                "itself.", rtol=5e-4),
        Mistake(w - p["lr"] * g / (np.sqrt(np.array(p["s"])) + p["eps"]),
                "you used the old sum s; AdaGrad first adds the new squared gradient, s ← s + g², then divides.",
                rtol=5e-4),
    ]


def _rmsprop_change(*, eps_in_sqrt: bool = True, gamma=None) -> float:
    """The change of the parameter in the RMSProp exercise."""
    p = RMSPROP_STEP
    opt = rmsprop(lr=p["lr"], gamma=p["gamma"] if gamma is None else gamma, eps=p["eps"],
                  eps_in_sqrt=eps_in_sqrt)
    w = np.zeros(1)
    state = opt.init(w)._replace(s=np.array([p["s"]]))
    w_next, _ = opt.update(w, np.array([p["g"]]), state)
    return float(w_next[0] - w[0])


def _rmsprop_mistakes():
    p = RMSPROP_STEP
    lr, g, s, gam, eps = p["lr"], p["g"], p["s"], p["gamma"], p["eps"]
    s_new = gam * s + (1 - gam) * g * g
    return [
        Mistake(_rmsprop_change(eps_in_sqrt=False), "that adds ε outside the root, √s + ε (PyTorch's form); "
                "here ε sits inside, √(s + ε).", rtol=2e-3),
        Mistake(-lr * g / np.sqrt(gam * s + g * g + eps), "the new squared gradient enters the average with the "
                "weight 1 − β = 0.1: s ← β s + (1 − β) g².", rtol=2e-3),
        Mistake(-lr * g / (s_new + eps), "divide by the square root of s + ε, not by s + ε itself.", rtol=2e-3),
        Mistake(-lr * g / np.sqrt(s + eps), "you used the old average s; update it with the new gradient "
                "first.", rtol=2e-3),
        Mistake(-_rmsprop_change(), "the sign is wrong: the step goes against the gradient, and the gradient "
                "is positive.", rtol=2e-3),
    ]


def _bias_correction() -> float:
    """How many times larger the corrected v̂ is than v at the step asked."""
    return float(1.0 / bias_factor(BIAS_BETA2, BIAS_STEP))


def _bias_mistakes():
    return [
        Mistake(float(bias_factor(BIAS_BETA2, BIAS_STEP)), "that is 1 − β₂^t itself; v̂ = v / (1 − β₂^t) is v "
                "divided by it, so the factor is its reciprocal.", rtol=1e-3),
        Mistake(float(1.0 / bias_factor(0.9, BIAS_STEP)), "that uses β₁ = 0.9, the decay of the first moment; "
                "v is corrected with β₂.", rtol=1e-3),
        Mistake(float(1.0 / bias_factor(BIAS_BETA2, BIAS_STEP - 1)), "that is the factor of step 9: at step t "
                "the exponent is t itself (after t gradients).", rtol=1e-3),
        Mistake(float(1.0 / (1.0 - BIAS_BETA2)), "that is 1/(1 − β₂), the factor of the first step only.",
                rtol=1e-3),
    ]


def _shrink_optimizers():
    """Each option's optimizer, with the hyperparameters the chapter uses."""
    return {"AdaGrad": adagrad(lr=0.1), "RMSProp": rmsprop(lr=0.1, gamma=0.9),
            "Adam": adam(lr=0.1, beta2=0.9), "Yogi": yogi(lr=0.1, beta2=0.9, eps=1e-8)}


def _only_shrinking() -> str:
    """The option whose rate never grew on gradients that are large for 20 steps, then small for 80."""
    sizes = np.r_[np.full(20, 10.0), np.full(80, 0.01)]
    grows = {}
    for name, opt in _shrink_optimizers().items():
        rec = effective_rates(opt, parabola(), [1.0], len(sizes), gradient=lambda x, t, rng: np.array([sizes[t]]))
        grows[name] = bool(np.any(np.diff(rec.rates[:, 0]) > 0))
    shrinking = [name for name, grew in grows.items() if not grew]
    if len(shrinking) != 1:
        raise RuntimeError(f"expected exactly one optimizer whose rate never grew, got {shrinking}")
    return shrinking[0]


_W = ADAGRAD_STEP
_R = RMSPROP_STEP

register("07_adaptive_methods", [
    Exercise(
        key="ada-adagrad-step",
        question=(f"One AdaGrad step, with ε outside the root as in PyTorch: w = {_W['w']}, accumulated squared "
                  f"gradients s = {_W['s']}, gradient g = {_W['g']}, η = {_W['lr']}, ε = {_W['eps']} (much larger "
                  f"than in practice, so that its place shows). Give the new w (two numbers, four significant "
                  f"figures)."),
        solve=_adagrad_step,
        rtol=5e-4,
        hint="First s ← s + g² per coordinate, then w ← w − η g / (√s + ε) per coordinate.",
        mistakes=_adagrad_mistakes,
    ),
    Exercise(
        key="ada-rmsprop-step",
        question=(f"One RMSProp step with ε inside the root, √(s + ε): s = {_R['s']:g}, gradient "
                  f"g = {_R['g']:g}, η = {_R['lr']:g}, β = {_R['gamma']:g}, ε = {_R['eps']:g}. By how much does the "
                  f"parameter change (w_new − w, three significant figures)?"),
        solve=_rmsprop_change,
        rtol=2e-3,
        hint="s ← β s + (1 − β) g², then the change is −η g / √(s + ε).",
        mistakes=_rmsprop_mistakes,
    ),
    Exercise(
        key="ada-bias-factor",
        question=(f"Adam with β₂ = {BIAS_BETA2:g}: at step t = {BIAS_STEP} (after {BIAS_STEP} gradients), how many "
                  f"times larger is the corrected second moment v̂_t than v_t? Four significant figures."),
        solve=_bias_correction,
        rtol=1e-3,
        hint="v̂_t = v_t / (1 − β₂^t).",
        mistakes=_bias_mistakes,
    ),
    Exercise(
        key="ada-shrink-choice",
        question=("Whatever the gradients, the per-coordinate learning rate of one of these methods can never "
                  "grow from one step to the next. Which one?"),
        solve=_only_shrinking,
        options=SHRINK_OPTIONS,
        hint="Look at how each method's denominator changes when the gradients become small.",
        mistakes=lambda: [
            Mistake("RMSProp", "its leaky average forgets: after large gradients, small ones let s shrink "
                    "by the factor β per step, and the rate grows again."),
            Mistake("Adam", "its v is a leaky average, like RMSProp's s: small gradients let it shrink, and the "
                    "rate grow."),
            Mistake("Yogi", "its v shrinks when v > g², by (1 − β₂) g² per step: more slowly than Adam's, but "
                    "the rate does grow."),
        ],
    ),
])
