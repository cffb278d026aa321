"""Exercises of the Welcome chapter."""

from __future__ import annotations

from ..objectives import parabola
from . import Exercise, Mistake, register

register("00_welcome", [
    Exercise(
        key="welcome-derivative",
        question="What is the derivative of f(x) = x² at x = 3?",
        solve=lambda: parabola().gradient([3.0]),
        hint="The derivative of x² is 2x.",
        mistakes=lambda: [Mistake(parabola().value([3.0]),
                                  "that is f(3), the value; the question asks for the slope.")],
    ),
])
