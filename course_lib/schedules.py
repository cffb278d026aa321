"""Learning-rate schedules: pure functions of the step number.

A schedule is any callable ``eta(t) -> float`` where ``t = 0, 1, 2, ...`` counts the
updates already taken, so ``eta(0)`` is the rate of the first update. Schedules
keep no state of their own: calling ``eta(5)`` twice gives the same number, and an
optimizer reads its rate from the step counter stored in its state.

Every optimizer of :mod:`course_lib.optimizers` accepts either a number or a
schedule as ``lr``.

Examples
--------
>>> from course_lib.schedules import constant
>>> eta = constant(0.1)
>>> eta(0), eta(100)
(0.1, 0.1)
"""

from __future__ import annotations

import math
from typing import Callable, Union

from ._validation import check_positive

__all__ = ["Schedule", "constant", "as_schedule"]

Schedule = Callable[[int], float]
LearningRate = Union[float, Schedule]


def constant(value: float) -> Schedule:
    r"""The constant schedule :math:`\eta(t) = \eta_0`.

    Parameters
    ----------
    value : float
        The rate :math:`\eta_0 > 0`.
    """
    value = check_positive("value", value)

    def eta(t: int) -> float:
        return value

    eta.__name__ = f"constant({value:g})"
    return eta


def as_schedule(name: str, lr: LearningRate) -> Schedule:
    """Turn ``lr`` (a positive number or a schedule) into a checked schedule.

    A number becomes :func:`constant`. A callable is wrapped so that each rate it
    returns is checked: a schedule that yields zero, a negative number or NaN
    raises ``ValueError`` naming the step, instead of silently freezing or
    reversing the optimizer.
    """
    if callable(lr):
        schedule = lr

        def eta(t: int) -> float:
            value = schedule(t)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{name} schedule returned {value!r} at step {t}; it must return a number") from None
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f"{name} schedule returned {value!r} at step {t}; rates must be in (0, inf)")
            return value

        eta.__name__ = getattr(schedule, "__name__", "schedule")
        eta(0)  # fail at construction, not in the middle of a run
        return eta
    return constant(check_positive(name, lr))
