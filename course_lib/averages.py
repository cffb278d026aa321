"""Running averages: the memory behind momentum and the adaptive methods.

:func:`running_average` computes :math:`C_t = \\gamma_t C_{t-1} + (1 - \\gamma_t)\\, c_t`
for a sequence :math:`c_1, c_2, \\dots`, with a constant :math:`\\gamma` (an
exponential moving average) or one that depends on the step.
"""

from __future__ import annotations

from typing import Callable, Union

import numpy as np

from ._validation import check_unit_interval

__all__ = ["running_average"]


def running_average(values, gamma: Union[float, Callable[[int], float]], *, c0: float = 0.0) -> np.ndarray:
    r"""The running averages :math:`C_1, \dots, C_n` of ``values`` :math:`c_1, \dots, c_n`.

    .. math::

        C_t = \gamma_t\, C_{t-1} + (1 - \gamma_t)\, c_t, \qquad C_0 = c_0

    Parameters
    ----------
    values : array_like, shape (n,) or (n, ...)
        :math:`c_1, \dots, c_n` (each may be an array: the average is taken entry by entry).
    gamma : float in [0, 1], or callable
        The constant :math:`\gamma` of an exponential moving average, or a function
        ``gamma(t)`` of the step :math:`t = 1, 2, \dots` with values in [0, 1].
        :math:`\gamma_t = (t - 1)/t` gives the plain mean of the values so far.
    c0 : float, default 0
        The starting value :math:`C_0`, forgotten at the rate :math:`\prod \gamma_t`.

    Examples
    --------
    >>> running_average([2.0, 4.0, 6.0], lambda t: (t - 1) / t).tolist()
    [2.0, 3.0, 4.0]
    >>> running_average([1.0, 1.0], 0.5).tolist()        # starting from C_0 = 0: biased low
    [0.5, 0.75]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        raise ValueError("values must be a sequence c_1, ..., c_n")
    gamma_of = gamma if callable(gamma) else (lambda t, g=check_unit_interval("gamma", gamma, closed_right=True): g)
    out = np.empty_like(values)
    C = np.full(values.shape[1:], float(c0))
    for t in range(1, len(values) + 1):
        g = check_unit_interval(f"gamma({t})", gamma_of(t), closed_right=True)
        C = g * C + (1.0 - g) * values[t - 1]        # forget a fraction 1 - g of the past, take in c_t
        out[t - 1] = C
    return out
