"""course_lib: the library behind the course *Optimization for Deep Learning*.

Everything a chapter computes lives here, written to be read:

* :mod:`course_lib.objectives` — functions with gradients and Hessians;
* :mod:`course_lib.optimizers` — optimizers as ``init`` / ``update`` pairs;
* :mod:`course_lib.schedules` — learning-rate schedules;
* :mod:`course_lib.runner` — :func:`run` an optimizer and get a :class:`Trajectory`;
* :mod:`course_lib.plotting` — the course's figures;
* :mod:`course_lib.interactive` — controls (sliders, choices) for figures;
* :mod:`course_lib.scene` — figures described as data, the basis of interactive figures;
* :mod:`course_lib.notebook` — numbers glued into the text of the website;
* :mod:`course_lib.theory` — closed-form facts (learning rates on quadratics);
* :mod:`course_lib.data` — the handwritten digits, splits, standardization, minibatches;
* :mod:`course_lib.pytree` — several parameter arrays as one vector;
* :mod:`course_lib.models` — a two-layer network written out by hand;
* :mod:`course_lib.exercises` — answer checkers.

The most used names are importable from the package itself::

    from course_lib import gd, ellipse, run, plot_contour
"""

from .exercises import Feedback, check
from .interactive import Choice, Explorer, Slider, explore
from .objectives import (
    Objective,
    bowl3d,
    ellipse,
    error_surface,
    parabola,
    quadratic,
    rosenbrock,
    saddle,
    three_variable,
)
from .optimizers import (
    AdadeltaState,
    AdagradState,
    AdamState,
    GDState,
    MomentumEMAState,
    MomentumState,
    Optimizer,
    RMSpropState,
    adadelta,
    adagrad,
    adam,
    adamw,
    clip,
    clip_by_norm,
    clip_by_value,
    gd,
    momentum,
    momentum_ema,
    nesterov,
    newton,
    rmsprop,
    yogi,
)
from .plotting import new_figure, plot_1d, plot_contour, plot_values
from .runner import Trajectory, run
from .schedules import constant, cosine, exponential, linear_decay, piecewise_constant, polynomial

__version__ = "0.1.0"

__all__ = [
    "Objective", "quadratic", "parabola", "error_surface", "ellipse", "bowl3d", "three_variable", "saddle",
    "rosenbrock",
    "Optimizer", "GDState", "MomentumState", "MomentumEMAState", "AdagradState", "RMSpropState",
    "AdadeltaState", "AdamState",
    "gd", "momentum", "momentum_ema", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "yogi",
    "newton", "clip", "clip_by_value", "clip_by_norm",
    "constant", "piecewise_constant", "exponential", "polynomial", "linear_decay", "cosine",
    "Trajectory", "run",
    "new_figure", "plot_1d", "plot_contour", "plot_values",
    "Slider", "Choice", "Explorer", "explore",
    "Feedback", "check",
]
