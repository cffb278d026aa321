"""Running averages: the memory behind momentum and the adaptive methods.

:func:`running_average` computes :math:`C_t = \\beta_t C_{t-1} + (1 - \\beta_t)\\, c_t`
for a sequence :math:`c_1, c_2, \\dots`, with a constant :math:`\\beta` (an
exponential moving average) or one that depends on the step
(:ref:`note 001 <note-001>`). The argument ``gamma`` of these functions is the
averaging factor :math:`\\beta`: :ref:`note 001 <note-001>` writes :math:`\\gamma`
for it, and the names ``gamma``, :func:`mean_gamma` and :func:`debiased_gamma` keep that letter.
The other functions describe such an average:

* :func:`mean_gamma` is :math:`\\beta_t = (t - 1)/t`, which makes the running
  average the plain mean;
* :func:`ema_weights` gives the weight that :math:`C_T` puts on each
  :math:`c_t` and on :math:`C_0`;
* :func:`total_weight`, :func:`bias_correction`, :func:`debiased_gamma` and
  :func:`debiased` describe and remove the pull towards :math:`C_0 = 0` of a
  moving average at the start (the bias correction of Adam and of
  :ref:`note 002 <note-002>`'s momentum);
* :func:`effective_count`, :func:`mean_age` and :func:`half_life` say how many
  values a moving average effectively averages (:ref:`note 000 <note-000>`'s
  :math:`1/(1 - \\beta)`);
* :func:`noisy_signal` is a seeded noisy constant to average.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._validation import check_int, check_real, check_unit_interval

__all__ = ["running_average", "mean_gamma", "ema_weights", "total_weight", "bias_correction", "debiased_gamma",
           "debiased", "effective_count", "mean_age", "half_life", "steps_to_weight", "noisy_signal"]

Gamma = float | Callable[[int], float]


def _gamma_of(gamma: Gamma) -> Callable[[int], float]:
    """``gamma`` as a function of the step ``t = 1, 2, ...`` (a constant is checked once)."""
    if callable(gamma):
        return gamma
    g = check_unit_interval("gamma", gamma, closed_right=True)
    return lambda t: g


def running_average(values, gamma: Gamma, *, c0: float = 0.0) -> np.ndarray:
    r"""The running averages :math:`C_1, \dots, C_n` of ``values`` :math:`c_1, \dots, c_n`.

    .. math::

        C_t = \beta_t\, C_{t-1} + (1 - \beta_t)\, c_t, \qquad C_0 = c_0

    (:ref:`note 001 <note-001>`), computed as :math:`C_t = C_{t-1} + (1 - \beta_t)(c_t - C_{t-1})`:
    the same number, written so that a value equal to the current average leaves it exactly unchanged
    (and :math:`C_t = c_t` exactly when :math:`\beta_t = 0`).

    Parameters
    ----------
    values : array_like, shape (n,) or (n, ...)
        :math:`c_1, \dots, c_n` (each may be an array: the average is taken entry by entry).
    gamma : float in [0, 1], or callable
        The averaging factor: the constant :math:`\beta` of an exponential moving
        average, or a function ``gamma(t)`` giving :math:`\beta_t` in [0, 1] for the
        step :math:`t = 1, 2, \dots`.
        :func:`mean_gamma`, :math:`\beta_t = (t - 1)/t`, gives the plain mean of the values so far.
    c0 : float, default 0
        The starting value :math:`C_0`, forgotten at the rate :math:`\prod \beta_t`.

    Examples
    --------
    >>> running_average([2.0, 4.0, 6.0], mean_gamma).tolist()
    [2.0, 3.0, 4.0]
    >>> # starting from C_0 = 0: biased low
    >>> running_average([1.0, 1.0], 0.5).tolist()
    [0.5, 0.75]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        raise ValueError("values must be a sequence c_1, ..., c_n")
    gamma_of = _gamma_of(gamma)
    c0 = check_real("c0", c0)
    out = np.empty_like(values)
    C = np.full(values.shape[1:], c0)
    for t in range(1, len(values) + 1):
        g = check_unit_interval(f"gamma({t})", gamma_of(t), closed_right=True)
        if g == 0.0:
            C = values[t - 1].copy()                     # forget the past exactly (C may be huge, c_t tiny)
        else:
            C = C + (1.0 - g) * (values[t - 1] - C)      # = g C + (1 - g) c_t: take in a fraction 1 - g of c_t
        out[t - 1] = C
    return out


def mean_gamma(t: int) -> float:
    r"""The factor :math:`\beta_t = (t - 1)/t` that turns a running average into the plain mean.

    With it, :math:`t\, C_t = (t - 1)\, C_{t-1} + c_t`, so :math:`t\, C_t = c_1 + \dots + c_t`
    whatever :math:`C_0` is (:math:`\beta_1 = 0` forgets it at once): :ref:`note 001 <note-001>`'s
    study question. Pass the function itself to :func:`running_average`.

    Parameters
    ----------
    t : int, t >= 1
        The step.

    Returns
    -------
    float
        :math:`(t - 1)/t`, in [0, 1).

    Examples
    --------
    >>> [mean_gamma(t) for t in (1, 2, 4)]
    [0.0, 0.5, 0.75]
    >>> # the mean; C_0 forgotten
    >>> c = [3.0, 7.0, 2.0, 8.0]
    >>> float(running_average(c, mean_gamma, c0=10.0)[-1])
    5.0
    """
    t = check_int("t", t, minimum=1)
    return (t - 1) / t


def ema_weights(gamma: Gamma, T: int) -> np.ndarray:
    r"""The weights that the running average :math:`C_T` puts on :math:`C_0, c_1, \dots, c_T`.

    Unrolling :math:`C_t = \beta_t C_{t-1} + (1 - \beta_t) c_t` gives
    :math:`C_T = a_0 C_0 + \sum_{t=1}^{T} a_t c_t` with

    .. math::

        a_t = (1 - \beta_t) \prod_{s=t+1}^{T} \beta_s, \qquad a_0 = \prod_{s=1}^{T} \beta_s ,

    for a constant :math:`\beta`: :math:`a_t = \beta^{T-t}(1 - \beta)` and :math:`a_0 = \beta^T`
    (:ref:`note 001 <note-001>`). The weights add up to one.

    Parameters
    ----------
    gamma : float in [0, 1], or callable
        As in :func:`running_average`.
    T : int, T >= 0
        The number of values averaged.

    Returns
    -------
    ndarray, shape (T + 1,)
        ``w[0]`` is the weight on :math:`C_0`, ``w[t]`` the weight on :math:`c_t`.

    Examples
    --------
    >>> # C_0, c_1, c_2, c_3
    >>> ema_weights(0.5, 3).tolist()
    [0.125, 0.125, 0.25, 0.5]
    >>> # the plain mean: C_0 forgotten
    >>> ema_weights(mean_gamma, 4).tolist()
    [0.0, 0.25, 0.25, 0.25, 0.25]
    """
    T = check_int("T", T)
    gamma_of = _gamma_of(gamma)
    gammas = np.array([check_unit_interval(f"gamma({t})", gamma_of(t), closed_right=True)
                       for t in range(1, T + 1)], dtype=np.float64)
    # later[t] = gamma_{t+1} ... gamma_T (the product over the steps after t), later[T] = 1
    later = np.append(np.cumprod(gammas[::-1])[::-1], 1.0)
    w = np.empty(T + 1)
    w[0] = later[0]
    w[1:] = (1.0 - gammas) * later[1:]
    return w


def total_weight(gamma: float, n):
    r"""The total weight :math:`1 - \beta^n` that a moving average puts on its last ``n`` values.

    Two readings of the same number:

    * after :math:`t = n` steps from :math:`C_0 = 0`, the weights on :math:`c_1, \dots, c_t` add up
      to :math:`1 - \beta^t` (the rest, :math:`\beta^t`, sits on :math:`C_0 = 0`): the average
      of a constant :math:`c` is :math:`(1 - \beta^t)\, c`, biased towards 0;
    * however long the sequence, the newest ``n`` values carry the weight :math:`1 - \beta^n`.

    Parameters
    ----------
    gamma : float in [0, 1)
        The averaging factor :math:`\beta`.
    n : int >= 0, or array of them
        The number of values (steps).

    Examples
    --------
    >>> round(total_weight(0.9, 1), 12), round(total_weight(0.9, 2), 12)
    (0.1, 0.19)
    >>> # Adam's second moment after one step: 1000 times too small
    >>> total_weight(0.999, 1)
    0.0010000000000000009
    """
    gamma = check_unit_interval("gamma", gamma)
    n = _check_steps("n", n, minimum=0)
    return 1.0 - gamma ** n


def bias_correction(gamma: float, t):
    r"""The factor :math:`1/(1 - \beta^t)` that removes a moving average's pull towards :math:`C_0 = 0`.

    :math:`C_t / (1 - \beta^t)` divides by the total weight on the data (:func:`total_weight`), so
    that the weights on :math:`c_1, \dots, c_t` add up to one: the "unbiased" average of Adam
    (:ref:`note 001 <note-001>`, :ref:`note 000 <note-000>`) and of :ref:`note 002 <note-002>`'s momentum.

    Parameters
    ----------
    gamma : float in [0, 1)
        The averaging factor :math:`\beta`.
    t : int >= 1, or array of them
        The number of values averaged so far.

    Examples
    --------
    >>> # the first average is (1 - 0.9) c_1
    >>> round(bias_correction(0.9, 1), 12)
    10.0
    >>> # later the correction fades out
    >>> bool(bias_correction(0.9, 200) - 1 < 1e-9)
    True
    """
    gamma = check_unit_interval("gamma", gamma)
    t = _check_steps("t", t, minimum=1)
    return 1.0 / total_weight(gamma, t)


def debiased_gamma(gamma: float) -> Callable[[int], float]:
    r"""The step-dependent factor of the bias-corrected moving average, as a function of ``t``.

    Dividing :math:`C_t = \beta C_{t-1} + (1 - \beta) c_t` by :math:`1 - \beta^t` gives a running
    average :math:`\hat C_t = \beta'_t \hat C_{t-1} + (1 - \beta'_t) c_t` of its own, with

    .. math::

        \beta'_t = \frac{\beta\,(1 - \beta^{t-1})}{1 - \beta^t},

    which is 0 at :math:`t = 1` (the start is forgotten at once) and rises to :math:`\beta`. As
    :math:`\beta \to 1` it tends to :func:`mean_gamma`, :math:`(t - 1)/t`: the corrected average of a
    long memory is the plain mean.

    Parameters
    ----------
    gamma : float in [0, 1)
        The averaging factor :math:`\beta` of the moving average.

    Returns
    -------
    callable
        ``t ->`` :math:`\beta'_t`, for ``t >= 1``.

    Examples
    --------
    >>> g = debiased_gamma(0.5)
    >>> # 0, 0.5 * 0.5 / 0.75, 0.5 * 0.75 / 0.875
    >>> [g(t) for t in (1, 2, 3)]
    [0.0, 0.3333333333333333, 0.42857142857142855]
    """
    gamma = check_unit_interval("gamma", gamma)

    def gamma_t(t: int) -> float:
        t = check_int("t", t, minimum=1)
        return (gamma - gamma ** t) / (1.0 - gamma ** t)      # = gamma (1 - gamma^(t-1)) / (1 - gamma^t)

    return gamma_t


def debiased(values, gamma: float) -> np.ndarray:
    r"""The bias-corrected moving averages :math:`C_t / (1 - \beta^t)`, :math:`t = 1, \dots, n`, from :math:`C_0 = 0`.

    Computed as the running average with :func:`debiased_gamma`, so that a constant sequence
    gives back the constant exactly.

    Parameters
    ----------
    values : array_like, shape (n,) or (n, ...)
        :math:`c_1, \dots, c_n`.
    gamma : float in [0, 1)
        The averaging factor :math:`\beta`.

    Examples
    --------
    >>> # the raw average would be 0.1, 0.19, 0.271
    >>> debiased([1.0, 1.0, 1.0], 0.9).tolist()
    [1.0, 1.0, 1.0]
    >>> debiased([2.0, 4.0, 3.0], 0.8).round(4).tolist()
    [2.0, 3.1111, 3.0656]
    """
    return running_average(values, debiased_gamma(gamma))


def effective_count(beta: float) -> float:
    r"""The effective number :math:`1/(1 - \beta)` of values a moving average with factor :math:`\beta` averages.

    :ref:`Note 000 <note-000>`'s rule of thumb. It holds in several senses, none exact as a count:
    the mean age of the weights, counting the newest value as 1, is exactly :math:`1/(1 - \beta)`
    (:func:`mean_age` plus one); the newest :math:`1/(1 - \beta)` values carry a weight of about
    :math:`1 - 1/e` (:func:`total_weight`); the weights halve every
    :math:`\ln 2/\ln(1/\beta) \approx 0.69/(1 - \beta)` values (:func:`half_life`); and the
    velocity form of momentum (PyTorch's buffer, :math:`u_t = \beta u_{t-1} + g_t`) adds up
    :math:`1 + \beta + \beta^2 + \dots = 1/(1 - \beta)` copies of a constant gradient.

    Parameters
    ----------
    beta : float in [0, 1)
        The averaging factor.

    Examples
    --------
    >>> round(effective_count(0.9), 12), round(effective_count(0.95), 12)
    (10.0, 20.0)
    """
    beta = check_unit_interval("beta", beta)
    return 1.0 / (1.0 - beta)


def mean_age(gamma: float, T: int = 10_000) -> float:
    r"""The mean age :math:`\sum_t (T - t)\, a_t / \sum_t a_t` of the values in a moving average of ``T`` values.

    The newest value :math:`c_T` has age 0; the weights :math:`a_t` are those of :func:`ema_weights`
    (without :math:`C_0`'s). For a long sequence the mean age tends to :math:`\beta/(1 - \beta)`,
    so that, counting the newest value as 1, it is :func:`effective_count`.

    Parameters
    ----------
    gamma : float in [0, 1)
        The averaging factor :math:`\beta`.
    T : int >= 1, default 10000
        The number of values.

    Examples
    --------
    >>> # weights 1/4, 1/2 on ages 1, 0
    >>> round(mean_age(0.5, 2), 12)
    0.333333333333
    >>> round(mean_age(0.9), 9)                         # 0.9 / 0.1
    9.0
    """
    gamma = check_unit_interval("gamma", gamma)
    T = check_int("T", T, minimum=1)
    w = ema_weights(gamma, T)[1:]
    ages = np.arange(T - 1, -1, -1, dtype=np.float64)
    return float(np.dot(ages, w) / w.sum())


def half_life(gamma: float) -> float:
    r"""The age :math:`\ln 2 / \ln(1/\beta)` at which a moving average's weights have halved.

    The weight on a value of age :math:`k` is :math:`\beta^k (1 - \beta)`; it is half the newest
    one's when :math:`\beta^k = 1/2`. For :math:`\beta` near 1, :math:`\ln(1/\beta) \approx 1 - \beta`,
    so the half-life is about :math:`0.69` times :func:`effective_count`.

    Parameters
    ----------
    gamma : float in (0, 1)
        The averaging factor :math:`\beta`.

    Examples
    --------
    >>> half_life(0.5)
    1.0
    >>> round(half_life(0.9), 4)
    6.5788
    """
    gamma = check_unit_interval("gamma", gamma)
    if gamma == 0.0:
        raise ValueError("gamma must be in (0, 1) for a half-life, got 0.0")
    return math.log(2.0) / math.log(1.0 / gamma)


def steps_to_weight(gamma: float, fraction: float) -> int:
    r"""The first step :math:`t` at which a moving average from :math:`C_0 = 0` has :math:`1 - \beta^t \ge`
    ``fraction``.

    On a constant signal, the raw average :math:`C_t = (1 - \beta^t)\, c` first reaches
    ``fraction`` of it at this step.

    Parameters
    ----------
    gamma : float in [0, 1)
        The averaging factor :math:`\beta`.
    fraction : float in (0, 1)
        The share of the signal to reach.

    Examples
    --------
    >>> [steps_to_weight(g, 0.5) for g in (0.5, 0.9, 0.999)]
    [1, 7, 693]
    """
    gamma = check_unit_interval("gamma", gamma)
    fraction = check_real("fraction", fraction, "(0, 1)")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction!r}")
    if gamma == 0.0:
        return 1
    t = max(1, math.ceil(math.log1p(-fraction) / math.log(gamma)))
    while t > 1 and 1.0 - gamma ** (t - 1) >= fraction:     # guard against rounding of the logarithms
        t -= 1
    while 1.0 - gamma ** t < fraction:
        t += 1
    return t


def noisy_signal(n: int, *, level: float = 1.0, sigma: float = 0.5, seed=0) -> np.ndarray:
    r"""A constant ``level`` plus independent normal noise: :math:`c_t = \text{level} + \sigma \xi_t`.

    Parameters
    ----------
    n : int >= 1
        The number of values.
    level : float
        The constant the noise is added to.
    sigma : float >= 0
        The standard deviation of the noise.
    seed : int or numpy.random.Generator
        The noise's seed (or generator), for reproducible figures.

    Examples
    --------
    >>> c = noisy_signal(1000, level=2.0, sigma=0.1, seed=1)
    >>> c.shape, bool(abs(c.mean() - 2.0) < 0.01)
    ((1000,), True)
    """
    n = check_int("n", n, minimum=1)
    level = check_real("level", level)
    sigma = check_real("sigma", sigma, "[0, inf)")
    if sigma < 0:
        raise ValueError(f"sigma must be in [0, inf), got {sigma!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return level + sigma * rng.standard_normal(n)


def _check_steps(name: str, n, *, minimum: int):
    """An int, or an integer array, of steps ``>= minimum``."""
    if np.ndim(n) == 0:
        return check_int(name, n if not isinstance(n, np.integer) else int(n), minimum=minimum)
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu" or arr.size and arr.min() < minimum:
        raise ValueError(f"{name} must be integers >= {minimum}, got {n!r}")
    return arr.astype(np.int64)
