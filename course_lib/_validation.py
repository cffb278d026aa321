"""Input checks shared by every public function of :mod:`course_lib`.

Each check raises :class:`ValueError` with a message that names the offending
argument and the values it may take, so that a student who mistypes a
hyperparameter learns what to change instead of reading a traceback from deep
inside numpy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "check_real",
    "check_positive",
    "check_nonnegative",
    "check_unit_interval",
    "check_int",
    "as_point",
    "check_same_shape",
    "check_finite",
    "check_symmetric",
]


def check_real(name: str, value, allowed: str = "(-inf, inf)") -> float:
    """Return ``value`` as a finite float, or raise ``ValueError`` naming ``name`` and the ``allowed`` range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number in {allowed}, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be in {allowed}, got {value!r}")
    return value


def check_positive(name: str, value) -> float:
    """Return ``value`` as a float if it lies in (0, inf), else raise ``ValueError``."""
    value = check_real(name, value, "(0, inf)")
    if value <= 0.0:
        raise ValueError(f"{name} must be in (0, inf), got {value!r}")
    return value


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as a float if it lies in [0, inf), else raise ``ValueError``."""
    value = check_real(name, value, "[0, inf)")
    if value < 0.0:
        raise ValueError(f"{name} must be in [0, inf), got {value!r}")
    return value


def check_unit_interval(name: str, value, *, closed_right: bool = False) -> float:
    """Return ``value`` as a float if it lies in [0, 1) (or [0, 1] when ``closed_right``)."""
    interval = "[0, 1]" if closed_right else "[0, 1)"
    value = check_real(name, value, interval)
    ok = 0.0 <= value <= 1.0 if closed_right else 0.0 <= value < 1.0
    if not ok:
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def check_int(name: str, value, *, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_point(name: str, value, *, dim: int | None = None) -> np.ndarray:
    """Convert ``value`` to a finite 1-D float64 array (a copy), checking its length.

    A scalar becomes an array of shape ``(1,)`` so that 1-D problems can be written
    with plain numbers.
    """
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a sequence of numbers, got {value!r}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if dim is not None and arr.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers, got {arr}")
    return arr


def check_same_shape(name: str, value: np.ndarray, like_name: str, like: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``value`` has the shape of ``like``."""
    if np.shape(value) != np.shape(like):
        raise ValueError(
            f"{name} has shape {np.shape(value)} but {like_name} has shape {np.shape(like)}; they must match"
        )


def check_finite(name: str, value: np.ndarray) -> None:
    """Raise ``ValueError`` if ``value`` holds a NaN or an infinity."""
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"{name} contains NaN or inf ({value}); the iterate has probably diverged: "
            "lower the learning rate, or use course_lib.run, which stops and reports divergence"
        )


def check_symmetric(name: str, A: np.ndarray, hint: str = "") -> np.ndarray:
    """Check that ``A`` is a finite square matrix, symmetric to rounding; return it as floats.

    The one tolerance of the course: ``|A - Aᵀ| <= 1e-12 max(1, max|A|)`` entry by entry.
    ``hint`` is added to the message of an asymmetric matrix.
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must contain only finite numbers, got {A.tolist()}")
    if not np.allclose(A, A.T, rtol=0.0, atol=1e-12 * max(1.0, float(np.abs(A).max(initial=0.0)))):
        raise ValueError(f"{name} must be symmetric, got {A.tolist()}" + (f" ({hint})" if hint else ""))
    return A
