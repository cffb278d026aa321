"""course_lib: the library behind the course *Optimization for Deep Learning*.

Everything a chapter computes lives here, written to be read:

* :mod:`course_lib.objectives` — functions with gradients and Hessians;
* :mod:`course_lib.optimizers` — optimizers as ``init`` / ``update`` pairs;
* :mod:`course_lib.schedules` — learning-rate schedules;
* :mod:`course_lib.runner` — :func:`run` an optimizer and get a :class:`Trajectory`;
* :mod:`course_lib.plotting` — the course's figures;
* :mod:`course_lib.interactive` — sliders for figures;
* :mod:`course_lib.exercises` — answer checkers.

The most used names are importable from the package itself::

    from course_lib import gd, ellipse, run, plot_contour
"""

from .exercises import Feedback, check
from .interactive import Explorer, Slider, explore
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
from .optimizers import GDState, Optimizer, gd
from .plotting import new_figure, plot_1d, plot_contour, plot_values
from .runner import Trajectory, run
from .schedules import constant

__version__ = "0.1.0"

__all__ = [
    "Objective", "quadratic", "parabola", "error_surface", "ellipse", "bowl3d", "three_variable", "saddle",
    "rosenbrock",
    "Optimizer", "GDState", "gd",
    "constant",
    "Trajectory", "run",
    "new_figure", "plot_1d", "plot_contour", "plot_values",
    "Slider", "Explorer", "explore",
    "Feedback", "check",
]
