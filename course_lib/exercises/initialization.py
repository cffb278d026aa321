"""Exercises of chapter 8: initialization.

The Kaiming standard deviation for a given fan-in, the variance of a pre-activation from the
fan-in and the variances of weights and inputs (:ref:`note 002 <note-002>`'s variance argument),
the shrinking of ReLU activations under a variance of :math:`1/n`, and which initialization keeps
ReLU activations at their scale.
"""

from __future__ import annotations

import math

from ..init_study import layer_gain, preactivation_variance
from ..nn import kaiming_std, xavier_std
from . import Exercise, Mistake, register

#: The fan-in of the exercise "init-kaiming-std".
KAIMING_FAN_IN = 256
#: Fan-in, weight variance and input variance of the exercise "init-preactivation-variance".
PRE_N, PRE_VAR_W, PRE_VAR_X = 300, 0.01, 0.5
#: Width and depth of the exercise "init-relu-depth" (weights of variance 1/n, ReLU).
DEPTH_N, DEPTH_L = 256, 10


def _depth_factor() -> float:
    """The factor by which DEPTH_L ReLU layers with Var[w] = 1/n multiply the mean square of the activations."""
    return layer_gain(DEPTH_N, 1.0 / DEPTH_N, "relu") ** DEPTH_L


register("08_initialization", [
    Exercise(
        key="init-kaiming-std",
        question=f"A layer followed by a ReLU has fan-in {KAIMING_FAN_IN}. What standard deviation does Kaiming "
                 f"(He) normal initialization give its weights? Three significant figures or more.",
        solve=lambda: kaiming_std(KAIMING_FAN_IN),
        rtol=3e-3,
        hint="Kaiming's variance for ReLU is 2 / fan-in; the standard deviation is its square root.",
        mistakes=lambda: [
            Mistake(2.0 / KAIMING_FAN_IN, "that is the variance 2/n; the question asks for the standard deviation, "
                                          "its square root.", rtol=3e-3),
            Mistake(1.0 / math.sqrt(KAIMING_FAN_IN), "that is √(1/n), the variance-preserving choice without the "
                    "ReLU (LeCun's; Xavier's for a square layer). ReLU halves the mean square, so Kaiming doubles "
                    "the variance: 2/n.", rtol=3e-3),
            Mistake(1.0 / KAIMING_FAN_IN, "that is the variance 1/n of the linear argument; Kaiming's is 2/n, "
                                          "and the question asks for its square root.", rtol=3e-3),
            Mistake(math.sqrt(2.0) / KAIMING_FAN_IN, "the square root applies to the whole ratio: √(2/n), "
                                                     "not √2/n.", rtol=3e-3),
        ],
    ),
    Exercise(
        key="init-preactivation-variance",
        question=f"A unit has fan-in n = {PRE_N}. Its weights are independent with mean 0 and variance "
                 f"{PRE_VAR_W}; its inputs are independent of them and of each other, with mean 0 and variance "
                 f"{PRE_VAR_X}. What is the variance of the pre-activation wᵀx? Three significant figures or more.",
        solve=lambda: preactivation_variance(PRE_N, PRE_VAR_W, PRE_VAR_X),
        rtol=3e-3,
        hint="Each term wᵢxᵢ has mean 0 and variance Var[w]·Var[x] (both means are 0); the n terms are "
             "independent, so their variances add.",
        mistakes=lambda: [
            Mistake(PRE_N * PRE_VAR_W, "you left out the inputs' variance: each term has variance "
                                       "Var[w]·Var[x].", rtol=3e-3),
            Mistake(PRE_VAR_W * PRE_VAR_X, "that is the variance of one term wᵢxᵢ; there are n of them, and "
                                           "their variances add.", rtol=3e-3),
            Mistake(math.sqrt(PRE_N * PRE_VAR_W * PRE_VAR_X), "that is the standard deviation; the question "
                                                              "asks for the variance.", rtol=3e-3),
            Mistake(PRE_N * (PRE_VAR_W + PRE_VAR_X), "the variance of a product of independent zero-mean "
                                                     "variables is the product of the variances, not the sum.",
                    rtol=3e-3),
        ],
    ),
    Exercise(
        key="init-relu-depth",
        question=f"A network of {DEPTH_L} ReLU layers, each {DEPTH_N} wide and without biases, has weights drawn "
                 f"with variance 1/n (n = {DEPTH_N}, the fan-in), the choice that keeps the variance of a linear "
                 f"network. By what factor does the mean square of the activations change from the input to "
                 f"the output of the {DEPTH_L}th layer, according to the variance argument? Three significant "
                 f"figures or more.",
        solve=_depth_factor,
        rtol=3e-3,
        hint="Each layer multiplies the mean square by n·Var[w]·½: n·Var[w] from the sum, ½ from the ReLU.",
        mistakes=lambda: [
            Mistake(1.0, "with a linear activation the scale would be kept; the ReLU sets half the "
                         "pre-activations to 0 and halves the mean square at every layer.", rtol=3e-3),
            Mistake(0.5, "that is one layer's factor; there are " + str(DEPTH_L) + " of them, and the factors "
                         "multiply.", rtol=3e-3),
            Mistake(0.5 ** (DEPTH_L / 2), "that is the factor for the root mean square (the size); the mean "
                                          "square shrinks by ½ per layer.", rtol=3e-3),
            Mistake(0.5 * DEPTH_L, "the factors multiply, they do not add.", rtol=3e-3),
        ],
    ),
    Exercise(
        key="init-relu-choice",
        question="Which initialization keeps the size of the activations of a deep ReLU network from layer to "
                 "layer: Xavier (Glorot) normal, Kaiming (He) normal, normal with standard deviation 0.01, or "
                 "all zeros? (Square layers, 256 wide.)",
        solve=lambda: "Kaiming",
        options=("Xavier", "Kaiming", "normal 0.01", "zeros"),
        hint="Compute n·Var[w]·½ for each: the scale is kept when it equals 1.",
        mistakes=lambda: [
            Mistake("Xavier", f"for square layers Xavier's variance is 1/n (std {xavier_std(256, 256):.4f} at "
                              "n = 256): n·Var[w]·½ = ½, so the mean square halves at every layer."),
            Mistake("normal 0.01", "n·Var[w]·½ = 256·0.0001·½ = 0.0128: the activations vanish within a few "
                                   "layers."),
            Mistake("zeros", "with zero weights every activation after the first layer is 0, and no gradient "
                             "reaches the hidden weights."),
        ],
    ),
])
