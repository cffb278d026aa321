"""Exercises of the gradient-descent chapter."""

from __future__ import annotations

import numpy as np

from ..objectives import bowl3d, error_surface
from ..optimizers import gd
from ..theory import gd_learning_rates
from . import Exercise, Mistake, register


def _bowl_rates():
    return gd_learning_rates(bowl3d().hessian([0.0, 0.0, 0.0]))


def _error_surface_step() -> np.ndarray:
    E = error_surface()
    w = np.array([1.0, 1.0])
    opt = gd(lr=0.3)
    w_next, _ = opt.update(w, E.gradient(w), opt.init(w))
    return w_next


register("04_gradient_descent", [
    Exercise(
        key="gd-max-lr",
        question="Gradient descent on E(x, y, z) = 3x² + 2y² + 4z² + 6 converges from every start "
                 "exactly when the learning rate is below some bound. What is that bound?",
        solve=lambda: _bowl_rates().max_stable,
        hint="Each coordinate is multiplied by (1 - η·λ) per step, where λ is that axis' second derivative; "
             "all factors must have magnitude below 1.",
        mistakes=lambda: [
            Mistake(_bowl_rates().axis_optimal.min(), "that is the best rate for the steepest axis (1/λ_max). Ask "
                    "instead how large η may get before |1 - ηλ| reaches 1 on that axis."),
            Mistake(2.0 * _bowl_rates().axis_optimal.max(), "that bound keeps the flattest axis stable, "
                    "but the steeper axes diverge before it."),
            # The slides' answer, usually typed as 0.33: caught within 2 %.
            Mistake(1.0 / 3.0, "that is 2/6, the bound for the x-axis alone; another axis is steeper.", rtol=0.02),
        ],
    ),
    Exercise(
        key="gd-step-error-surface",
        question="Take one gradient-descent step with η = 0.3 on the error surface E(w1, w2), starting "
                 "from (w1, w2) = (1, 1). Give the new point as two numbers.",
        solve=_error_surface_step,
        hint="Compute both partial derivatives at (1, 1) first, then subtract 0.3 times each.",
        mistakes=lambda: [
            Mistake(np.array([1.0, 1.0]) + 0.3 * error_surface().gradient([1.0, 1.0]),
                    "you stepped along the gradient; descent steps against it."),
        ],
    ),
])
