"""Helpers for the chapters' notebooks.

:func:`glue` puts a computed number into the prose of the website: the notebook
calls ``glue("w2_after", w[1])`` and the text says ``{glue:text}`w2_after:.4f```.
Jupyter Book (myst-nb) replaces the role with the number when it builds the page,
and a key that no cell glued fails the build, so the text can never disagree with
the code.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["glue"]


def glue(name: str, value) -> None:
    """Record ``value`` under ``name`` for the text of the page (nothing is shown in the notebook).

    NumPy scalars are turned into Python numbers first: their ``repr`` (``np.float64(2.0583)``
    in NumPy 2) would break the format specifications of ``{glue:text}``. Where myst-nb is
    not installed (Colab, Binder), this does nothing: only the website needs it.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        raise ValueError(f"glue one number at a time (got an array of shape {value.shape} for {name!r})")
    if isinstance(value, bool) or not isinstance(value, (numbers.Number, str)):
        raise ValueError(f"value must be a number or a string, got {value!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # outside the website's build: nothing to record
        return
    myst_glue(name, value, display=False)
