"""Exercises of chapter 3, part 2: vanishing gradients, cliffs and gradient clipping."""

from __future__ import annotations

import math

import numpy as np

from ..gradient_problems import clipped_step, tanh_derivative
from ..optimizers import clip_by_norm, clip_by_value
from . import Exercise, Mistake, register

#: The gradient, threshold and learning rate of the clipped-step exercise.
CLIP_G, CLIP_C, CLIP_LR = (30.0, 40.0), 5.0, 0.05
#: The gradient and threshold of the clip-by-value exercise.
VALUE_G, VALUE_C = (12.0, -3.0, 0.5), 2.0


def _length(**limits) -> float:
    return float(np.linalg.norm(clipped_step(CLIP_G, CLIP_LR, **limits)))


register("03_why_optimization_is_hard", [
    Exercise(
        key="grad-tanh-derivative",
        question="What is the derivative of tanh at x = 1.5? Give it to three significant figures or more.",
        solve=lambda: tanh_derivative(1.5),
        rtol=3e-3,                       # 0.181, the answer to three figures, is 0.16 % off
        hint="The derivative of tanh is 1 - tanh²(x): compute tanh(1.5) first.",
        mistakes=lambda: [
            Mistake(math.tanh(1.5), "that is tanh(1.5) itself, not its derivative."),
            Mistake(1.0 - math.tanh(1.5), "that is 1 - tanh(x); the derivative subtracts the square, 1 - tanh²(x)."),
            Mistake(math.tanh(1.5) ** 2, "that is tanh²(x): the minus sign is lost; the derivative is "
                    "1 - tanh²(x)."),
            Mistake(1.0 + math.tanh(1.5) ** 2, "the derivative is 1 minus tanh²(x), not 1 plus."),
        ],
    ),
    Exercise(
        key="grad-clip-norm-step",
        question="The gradient is g = (30, 40). Gradient descent with learning rate 0.05 clips it by norm "
                 "with threshold 5. How long is the step?",
        solve=lambda: _length(max_norm=CLIP_C),
        hint="‖g‖ = 50 exceeds 5, so g is rescaled to length 5, keeping its direction; the step is η "
             "times the clipped gradient.",
        mistakes=lambda: [
            Mistake(_length(), "that is the unclipped step η‖g‖; clipping first shortens g to length 5."),
            Mistake(_length(max_value=CLIP_C), "that is the step after clipping by value, each coordinate "
                    "to [-5, 5], which gives (5, 5); clipping by norm rescales the whole vector."),
            Mistake(CLIP_C, "that is the clipped gradient's length; the step is η times it."),
        ],
    ),
    Exercise(
        key="grad-clip-value",
        question="Clip the gradient g = (12, -3, 0.5) by value with threshold 2. Give the three coordinates.",
        solve=lambda: clip_by_value(VALUE_G, VALUE_C),
        hint="Each coordinate is cut to the interval [-2, 2] on its own; the others do not change.",
        mistakes=lambda: [
            Mistake(clip_by_norm(VALUE_G, VALUE_C), "that is clipping by norm (the vector rescaled to length 2); "
                    "by value, each coordinate is cut to [-2, 2] separately."),
            Mistake(np.abs(clip_by_value(VALUE_G, VALUE_C)), "clipping keeps each coordinate's sign."),
            Mistake([2.0, -2.0, 2.0], "a coordinate already inside [-2, 2] stays as it is."),
        ],
    ),
])
