"""Capacity, overfitting, bias and variance, on least-squares polynomial fits.

Training a model minimizes a cost on the training set; what we care about is the
error on data the model has not seen. This module makes the difference visible
with the simplest models that can underfit and overfit: polynomials of degree
0, 1, 2, ... fitted by least squares to a few noisy samples of a smooth function.

* :func:`make_regression_data` draws a seeded data set :math:`y = \\bar y(x) + \\sigma\\xi`
  from the smooth function :func:`target`;
* :func:`fit_polynomial` fits a polynomial of a given degree (in the Legendre basis,
  which stays well conditioned at high degree);
* :func:`capacity_curve` gives the training and test errors for a list of degrees, and
  :func:`best_degree` the degree a held-out set would choose;
* :func:`bias_variance` splits the expected test error into bias², variance and noise by
  fitting many seeded training sets;
* :func:`diagnose` applies the rule of thumb of the "recipe" of
  :ref:`note 000 <note-000>`: high bias, high variance, both or neither;
* :func:`capacity_scene` draws a fit and its error curves for an interactive figure.

Examples
--------
>>> from course_lib.capacity import (capacity_curve,
...                                  make_regression_data)
>>> train = make_regression_data(20, noise=0.3, seed=0)
>>> test = make_regression_data(200, noise=0.3, seed=1)
>>> curve = capacity_curve(train, test, range(13))
>>> # more capacity, lower training error
>>> bool(curve.train[-1] < curve.train[0])
True
>>> # ... but not lower test error
>>> bool(curve.test[-1] > curve.test.min())
True
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
from numpy.polynomial import Legendre

from ._validation import check_int, check_nonnegative, check_positive, check_real
from .objectives import Objective, quadratic
from .scene import COLORS, GREY, Scene, Style, series_style

__all__ = [
    "DIAGNOSES",
    "target",
    "RegressionData",
    "make_regression_data",
    "fit_polynomial",
    "mean_squared_error",
    "least_squares_cost",
    "CapacityCurve",
    "capacity_curve",
    "best_degree",
    "interpolation_degree",
    "BiasVariance",
    "bias_variance",
    "diagnose",
    "capacity_scene",
    "bias_variance_scene",
]

#: The verdicts of :func:`diagnose`.
DIAGNOSES = ("high bias", "high variance", "both", "neither")

Seed = int | np.random.Generator


def target(x) -> np.ndarray:
    """The smooth function behind the data, :math:`\\bar y(x) = \\sin(3x + 0.5)` on :math:`[-1, 1]`.

    No polynomial of low degree matches it, but a polynomial of degree 7 is within
    :math:`10^{-3}` of it everywhere on :math:`[-1, 1]`.

    Examples
    --------
    >>> float(target(0.0).round(6))
    0.479426
    """
    return np.sin(3.0 * np.asarray(x, dtype=np.float64) + 0.5)


class RegressionData(NamedTuple):
    """A data set of inputs ``x`` (increasing, in :math:`[-1, 1]`) and noisy targets ``y``."""

    x: np.ndarray
    y: np.ndarray


def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int("seed", seed))


def make_regression_data(n: int, noise: float = 0.3, seed: Seed = 0) -> RegressionData:
    """``n`` noisy samples :math:`y_i = \\bar y(x_i) + \\sigma\\xi_i` of :func:`target` on :math:`[-1, 1]`.

    The inputs are *stratified*: :math:`[-1, 1]` is cut into ``n`` equal cells and one
    input is drawn uniformly in each, so that no stretch of the interval is left empty
    (with independent uniform inputs, a large gap now and then makes a high-degree fit
    explode, and the averages of :func:`bias_variance` would be dominated by those
    rare sets). The noise :math:`\\sigma\\xi_i` is Gaussian with mean 0 and standard
    deviation :math:`\\sigma` = ``noise`` (:math:`\\xi_i` standard normal), independent of
    everything else.

    Parameters
    ----------
    n : int
        Number of points, at least 1.
    noise : float
        Standard deviation of the noise, in :math:`[0, \\infty)`; its square is the
        smallest mean squared error any model can reach on new data.
    seed : int >= 0 or numpy.random.Generator
        The same seed gives the same data set. With a generator, the inputs are drawn
        from it first, then the noise.

    Returns
    -------
    RegressionData
        ``x`` (sorted) and ``y``, two arrays of length ``n``.

    Examples
    --------
    >>> data = make_regression_data(4, noise=0.0, seed=0)
    >>> # one input per quarter of [-1, 1]
    >>> np.floor((data.x + 1.0) / 2.0 * 4).astype(int).tolist()
    [0, 1, 2, 3]
    >>> bool(np.allclose(data.y, target(data.x)))
    True
    """
    n = check_int("n", n, minimum=1)
    noise = check_nonnegative("noise", noise)
    rng = _rng(seed)
    x = -1.0 + 2.0 * (np.arange(n) + rng.uniform(0.0, 1.0, n)) / n
    y = target(x) + noise * rng.standard_normal(n)
    return RegressionData(x, y)


def _as_data(name: str, x, y) -> RegressionData:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"{name}: x and y must be 1-D arrays of the same length, got shapes {x.shape} and {y.shape}")
    if x.size == 0:
        raise ValueError(f"{name}: x and y must hold at least one point")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{name}: x and y must contain only finite numbers")
    return RegressionData(x, y)


def _check_degree(degree, n: int) -> int:
    degree = check_int("degree", degree, minimum=0)
    if degree > n - 1:
        raise ValueError(f"degree must be an integer in [0, n - 1] = [0, {n - 1}] for n = {n} points "
                         f"(a polynomial of degree d has d + 1 coefficients), got {degree}")
    return degree


def _domain(domain) -> tuple:
    low, high = check_real("domain[0]", domain[0]), check_real("domain[1]", domain[1])
    if not low < high:
        raise ValueError(f"domain must be (low, high) with low < high, got {tuple(domain)!r}")
    return low, high


def fit_polynomial(x, y, degree: int, *, domain=(-1.0, 1.0)) -> Legendre:
    """The polynomial of degree at most ``degree`` that minimizes the squared error on ``(x, y)``.

    It minimizes the cost :math:`J(\\theta) = \\frac1n \\sum_i (p_\\theta(x_i) - y_i)^2` over the
    :math:`d + 1` coefficients :math:`\\theta` of :math:`p_\\theta`. The cost is quadratic in
    :math:`\\theta`, so its minimizer solves a linear least-squares problem, in closed
    form. The polynomial is written in Legendre polynomials of :math:`t`, where ``domain``
    is mapped linearly onto :math:`t \\in [-1, 1]`: in that basis the least-squares
    matrix stays well conditioned up to high degree, where the monomials
    :math:`1, x, x^2, \\dots` would lose most of the digits.

    Parameters
    ----------
    x, y : array_like, 1-D, same length n >= 1
        Inputs and targets (finite).
    degree : int
        The degree, in :math:`[0, n - 1]`: with :math:`n` points, degree :math:`n - 1` already
        passes through all of them (if the inputs are distinct).
    domain : (float, float)
        The interval of ``x`` mapped onto :math:`[-1, 1]`, with ``low < high``.

    Returns
    -------
    numpy.polynomial.Legendre
        A callable polynomial: ``p(x)`` evaluates it; ``p.convert(kind=Polynomial)``
        gives its coefficients in powers of ``x``.

    Examples
    --------
    >>> # through the points of x²
    >>> p = fit_polynomial([-1.0, 0.0, 1.0], [1.0, 0.0, 1.0], 2)
    >>> p(np.array([0.5, 2.0])).round(12).tolist()
    [0.25, 4.0]
    """
    data = _as_data("fit_polynomial", x, y)
    degree = _check_degree(degree, data.x.size)
    low, high = _domain(domain)
    return Legendre.fit(data.x, data.y, degree, domain=[low, high])


def mean_squared_error(model, x, y) -> float:
    """The mean squared error :math:`\\frac1n \\sum_i (\\mathrm{model}(x_i) - y_i)^2` of a fitted model.

    Examples
    --------
    >>> mean_squared_error(lambda x: 2 * x, [0.0, 1.0], [1.0, 1.0])
    1.0
    """
    data = _as_data("mean_squared_error", x, y)
    return float(np.mean((np.asarray(model(data.x), dtype=np.float64) - data.y) ** 2))


def least_squares_cost(x, y, degree: int, *, basis: str = "legendre", domain=(-1.0, 1.0)) -> Objective:
    """The training cost of a polynomial fit as an :class:`~course_lib.objectives.Objective` of its coefficients.

    With the :math:`n \\times (d + 1)` matrix :math:`V` of the basis functions at the inputs,
    :math:`J(\\theta) = \\frac1n \\lVert V\\theta - y \\rVert^2
    = \\tfrac12 \\theta^\\top A \\theta + b^\\top\\theta + c`
    with :math:`A = \\frac2n V^\\top V`, :math:`b = -\\frac2n V^\\top y` and :math:`c = \\frac1n \\lVert y \\rVert^2`:
    a quadratic, so gradient descent on it can be compared with the closed-form minimizer
    of :func:`fit_polynomial`, and its speed predicted from the condition number of :math:`A`.

    Parameters
    ----------
    x, y : array_like, 1-D, same length n >= 1
        The training set.
    degree : int
        Degree of the polynomial, in :math:`[0, n - 1]`.
    basis : {"legendre", "monomial"}
        Legendre polynomials :math:`P_k(t)` (the coefficients of :func:`fit_polynomial`)
        or powers :math:`t^k`, where ``domain`` is mapped onto :math:`t \\in [-1, 1]`.
    domain : (float, float)
        As in :func:`fit_polynomial`.

    Examples
    --------
    >>> data = make_regression_data(20, seed=0)
    >>> cost = least_squares_cost(data.x, data.y, 3)
    >>> p = fit_polynomial(data.x, data.y, 3)
    >>> bool(np.allclose(cost.minimizer, p.coef))
    True
    >>> mse = mean_squared_error(p, data.x, data.y)
    >>> bool(np.isclose(cost.value(p.coef), mse))
    True
    """
    data = _as_data("least_squares_cost", x, y)
    degree = _check_degree(degree, data.x.size)
    if basis not in ("legendre", "monomial"):
        raise ValueError(f"basis must be 'legendre' or 'monomial', got {basis!r}")
    low, high = _domain(domain)
    t = (2.0 * data.x - (low + high)) / (high - low)
    V = np.polynomial.legendre.legvander(t, degree) if basis == "legendre" else np.vander(t, degree + 1, True)
    n = data.x.size
    A = 2.0 / n * (V.T @ V)
    A = 0.5 * (A + A.T)
    return quadratic(A, -2.0 / n * (V.T @ data.y), float(np.mean(data.y ** 2)),
                     name=f"least-squares cost, degree {degree} ({basis})",
                     latex=r"\frac{1}{n} \Vert V\theta - y \Vert^2",
                     variables=tuple(f"\\theta_{k}" for k in range(degree + 1)))


class CapacityCurve(NamedTuple):
    """Training and test mean squared errors of least-squares fits, degree by degree."""

    degrees: np.ndarray
    """The degrees, as given."""
    train: np.ndarray
    """Mean squared error on the training set (what the fit minimizes)."""
    test: np.ndarray
    """Mean squared error on the held-out set (an estimate of the generalization error)."""

    @property
    def gap(self) -> np.ndarray:
        """The generalization gap, test error minus training error."""
        return self.test - self.train


def _degrees(degrees) -> np.ndarray:
    if isinstance(degrees, numbers.Integral):
        degrees = [degrees]
    degrees = [check_int(f"degrees[{i}]", d, minimum=0) for i, d in enumerate(degrees)]
    if not degrees:
        raise ValueError("degrees must hold at least one degree")
    return np.array(degrees, dtype=int)


def capacity_curve(train: RegressionData, test: RegressionData, degrees) -> CapacityCurve:
    """Fit each degree on ``train`` and measure its mean squared error on ``train`` and on ``test``.

    The training error never goes up with the degree (each polynomial space contains
    the previous one, and the fit is the best in its space); the test error falls while
    the extra capacity removes bias, then rises when it starts fitting the noise.

    Parameters
    ----------
    train, test : RegressionData (or pairs ``(x, y)``)
        The training set and the held-out set.
    degrees : sequence of int
        Degrees in :math:`[0, n_{train} - 1]`.

    Examples
    --------
    >>> train = make_regression_data(10, noise=0.3, seed=0)
    >>> test = make_regression_data(100, seed=1)
    >>> curve = capacity_curve(train, test, [0, 9])
    >>> # degree n - 1 interpolates
    >>> float(curve.train[1]) < 1e-20
    True
    """
    train = _as_data("train", *train)
    test = _as_data("test", *test)
    degrees = _degrees(degrees)
    errors = np.empty((2, degrees.size))
    for k, d in enumerate(degrees):
        p = fit_polynomial(train.x, train.y, int(d))
        errors[0, k] = mean_squared_error(p, train.x, train.y)
        errors[1, k] = mean_squared_error(p, test.x, test.y)
    return CapacityCurve(degrees, errors[0], errors[1])


def best_degree(curve: CapacityCurve) -> int:
    """The degree with the lowest held-out error (``curve.test``); the smaller one on a tie.

    Examples
    --------
    >>> errors = np.array([3.0, 2.0, 1.0]), np.array([3.0, 1.5, 2.0])
    >>> best_degree(CapacityCurve(np.arange(3), *errors))
    1
    """
    return int(curve.degrees[int(np.argmin(curve.test))])


def interpolation_degree(x, y, *, rtol: float = 1e-20) -> int:
    """The smallest degree whose least-squares fit has (numerically) zero training error.

    "Zero" means a mean squared error at most ``rtol`` times :math:`\\frac1n\\sum_i y_i^2`. With
    :math:`n` distinct inputs and data that no lower degree fits exactly, this is :math:`n - 1`.

    Parameters
    ----------
    x, y : array_like, 1-D, same length n >= 1
        The training set.
    rtol : float
        Relative tolerance, in :math:`(0, \\infty)`.

    Examples
    --------
    >>> interpolation_degree([0.0, 0.5, 1.0], [1.0, -1.0, 2.0])
    2
    >>> # on a line
    >>> interpolation_degree([0.0, 0.5, 1.0], [1.0, 2.0, 3.0])
    1
    """
    data = _as_data("interpolation_degree", x, y)
    rtol = check_positive("rtol", rtol)
    scale = float(np.mean(data.y ** 2))
    for d in range(data.x.size):
        p = fit_polynomial(data.x, data.y, d)
        if mean_squared_error(p, data.x, data.y) <= rtol * scale:
            return d
    return data.x.size - 1     # repeated inputs: the data cannot be fitted exactly


class BiasVariance(NamedTuple):
    """The expected test error of a least-squares fit, split into its three parts, degree by degree.

    Averages are over the random training sets and over the inputs ``x_eval``;
    ``bias2 + variance + noise`` equals ``error`` in expectation (see :func:`bias_variance`).
    """

    degrees: np.ndarray
    bias2: np.ndarray
    """Squared bias: how far the average fit is from the true function."""
    variance: np.ndarray
    """Variance: how much the fit moves from one training set to the next."""
    noise: np.ndarray
    """The noise variance :math:`\\sigma^2`, the same for every degree: no model can beat it."""
    error: np.ndarray
    """The test error measured directly, against fresh noisy targets."""


def bias_variance(degrees, n_train: int, n_sets: int = 200, noise: float = 0.3, seed: Seed = 0, *,
                  n_eval: int = 201) -> BiasVariance:
    """Bias², variance and noise of polynomial fits, by Monte Carlo over many training sets.

    For each of the :math:`S =` ``n_sets`` training sets :math:`D_s` (``make_regression_data(n_train, noise,
    rng)``) and each degree, fit :math:`\\hat h_s` and evaluate it on the grid ``x_eval`` of
    ``n_eval`` equally spaced points of :math:`[-1, 1]`. With :math:`\\bar h(x)` the average of
    the :math:`\\hat h_s(x)` over the sets, and averages :math:`\\langle\\cdot\\rangle` over
    :math:`x` in the grid,

    * variance :math:`V = \\langle \\frac{1}{S - 1} \\sum_s (\\hat h_s(x) - \\bar h(x))^2 \\rangle`;
    * bias² :math:`= \\langle (\\bar h(x) - \\bar y(x))^2 \\rangle - V/S` (the average of :math:`S`
      fits still varies by :math:`V/S`, which would otherwise count as bias); when the true
      bias is below that Monte-Carlo error, the estimate can come out slightly negative;
    * noise :math:`= \\sigma^2`;
    * error :math:`= \\langle \\frac1S \\sum_s (\\hat h_s(x) - y_s(x))^2 \\rangle` with fresh
      targets :math:`y_s(x) = \\bar y(x) + \\sigma\\xi_s(x)`, drawn after each training set.

    The first two add up exactly to the mean of :math:`(\\hat h_s(x) - \\bar y(x))^2`, and because the
    fresh noise is independent of the fit, error = bias² + variance + noise up to Monte-Carlo
    error (exactly, when ``noise == 0``). This is the decomposition behind the bias and
    variance of :ref:`note 000 <note-000>`.

    Parameters
    ----------
    degrees : sequence of int
        Degrees in :math:`[0, n_{train} - 1]`.
    n_train : int
        Points per training set, at least 1.
    n_sets : int
        Number of training sets, at least 2.
    noise : float
        Noise standard deviation :math:`\\sigma`, in :math:`[0, \\infty)`.
    seed : int >= 0 or numpy.random.Generator
        Seed of all the draws.
    n_eval : int
        Number of evaluation points, at least 2.

    Examples
    --------
    >>> bv = bias_variance([1, 5], n_train=20, n_sets=50, seed=0)
    >>> b2, var = bv.bias2, bv.variance
    >>> bool(b2[1] < b2[0]), bool(var[1] > var[0])
    (True, True)
    """
    degrees = _degrees(degrees)
    n_train = check_int("n_train", n_train, minimum=1)
    for d in degrees:
        _check_degree(int(d), n_train)
    n_sets = check_int("n_sets", n_sets, minimum=2)
    noise = check_nonnegative("noise", noise)
    n_eval = check_int("n_eval", n_eval, minimum=2)
    rng = _rng(seed)
    x_eval = np.linspace(-1.0, 1.0, n_eval)
    f_eval = target(x_eval)
    preds = np.empty((degrees.size, n_sets, n_eval))
    fresh = np.empty((n_sets, n_eval))
    for s in range(n_sets):
        data = make_regression_data(n_train, noise, rng)
        fresh[s] = f_eval + noise * rng.standard_normal(n_eval)
        for k, d in enumerate(degrees):
            preds[k, s] = fit_polynomial(data.x, data.y, int(d))(x_eval)
    mean = preds.mean(axis=1)
    variance = np.mean(preds.var(axis=1, ddof=1), axis=1)
    # The average of S fits is itself noisy: (mean - f)² overestimates bias² by variance / S.
    bias2 = np.mean((mean - f_eval) ** 2, axis=1) - variance / n_sets
    error = np.mean((preds - fresh) ** 2, axis=(1, 2))
    return BiasVariance(degrees, bias2, variance, np.full(degrees.size, noise ** 2), error)


def diagnose(train_error: float, test_error: float, baseline: float, *, ratio: float = 1.5) -> str:
    """High bias, high variance, both or neither: the first question of the "recipe".

    A rule of thumb in the spirit of the recipe attributed to Andrew Ng in
    :ref:`note 000 <note-000>`: the training error is compared with the best error one can
    hope for (``baseline``: here the noise variance, in practice human-level error),
    and the held-out error with the training error.

    * **high bias** when ``train_error > ratio * baseline``: the model does not even fit
      the data it was trained on (remedy: a bigger model, longer training);
    * **high variance** when ``test_error > ratio * max(train_error, baseline)``: it does
      much worse on new data than on its training data, and much worse than the best
      possible (remedy: more data, regularization). The ``max`` matters for a training
      error below the baseline: no model can beat the baseline on new data, so a test
      error close to the baseline is fine however low the training error is;
    * **both** when both hold, **neither** when neither does.

    Parameters
    ----------
    train_error, test_error : float
        Errors in :math:`[0, \\infty)`, e.g. mean squared errors.
    baseline : float
        The error of the best possible model, in :math:`(0, \\infty)`.
    ratio : float
        How many times larger counts as "high", in :math:`(1, \\infty)`.

    Returns
    -------
    str
        One of :data:`DIAGNOSES`.

    Examples
    --------
    >>> diagnose(0.25, 0.26, baseline=0.09)
    'high bias'
    >>> diagnose(0.05, 0.40, baseline=0.09)
    'high variance'
    >>> # training error below the noise, test error close to it
    >>> diagnose(0.05, 0.11, baseline=0.09)
    'neither'
    """
    train_error = check_nonnegative("train_error", train_error)
    test_error = check_nonnegative("test_error", test_error)
    baseline = check_positive("baseline", baseline)
    ratio = check_real("ratio", ratio, "(1, inf)")
    if ratio <= 1.0:
        raise ValueError(f"ratio must be in (1, inf), got {ratio!r}")
    bias = train_error > ratio * baseline
    variance = test_error > ratio * max(train_error, baseline)
    if bias and variance:
        return "both"
    if bias:
        return "high bias"
    return "high variance" if variance else "neither"


# ------------------------------------------------------------------ figures

def _whole(name: str, value, minimum: int) -> int:
    """An integer, also given as a whole float (a slider's value), ``>= minimum``."""
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
        if float(value).is_integer():
            value = int(value)
    return check_int(name, value, minimum=minimum)


def capacity_scene(degree: int, n_train: int, *, noise: float = 0.3, seed: int = 0, n_test: int = 100,
                   test_seed: int = 1, max_degree: int = 12, error_ylim=(1e-3, 1e2), width: float = 7.2,
                   height: float = 3.6) -> Scene:
    """A fit of one degree next to the training and test errors of every degree, for
    :func:`~course_lib.interactive.explore`.

    Left: the training points (filled), the test points (hollow), the true function
    (dashed) and the least-squares polynomial of degree ``degree``. Right: training and
    test mean squared errors of the degrees ``0 ... max_degree`` on a log scale, with the
    noise variance :math:`\\sigma^2` (the floor of the test error) and the current degree
    marked. Everything that does not depend on ``degree`` and ``n_train`` (axes, test
    points, true function, :math:`\\sigma^2`) is the same in every scene.

    Parameters
    ----------
    degree : int
        Degree of the fit drawn, in :math:`[0, \\mathrm{max\\_degree}]` (a whole float, as a
        slider gives, is accepted).
    n_train : int
        Size of the training set, ``make_regression_data(n_train, noise, seed)``;
        more than ``max_degree`` (a whole float is accepted).
    noise : float
        Noise standard deviation, in :math:`(0, \\infty)`.
    seed, test_seed : int >= 0
        Seeds of the training and test sets.
    n_test : int
        Size of the test set, ``make_regression_data(n_test, noise, test_seed)``, at least 1.
    max_degree : int
        The largest degree of the error curves, at least 1.
    error_ylim : (float, float)
        Range of the error axis (errors outside it are clipped).
    width, height : float
        Size in inches (width at most 7.5).

    Examples
    --------
    >>> scene = capacity_scene(3, 20)
    >>> [panel.xlabel for panel in scene.panels]
    ['$x$', 'degree $d$']
    """
    max_degree = check_int("max_degree", max_degree, minimum=1)
    n_train = _whole("n_train", n_train, 1)
    if n_train <= max_degree:
        raise ValueError(f"n_train must be larger than max_degree = {max_degree}, got {n_train}")
    degree = _whole("degree", degree, 0)
    if degree > max_degree:
        raise ValueError(f"degree must be in [0, {max_degree}], got {degree}")
    noise = check_positive("noise", noise)
    train = make_regression_data(n_train, noise, seed)
    test = make_regression_data(n_test, noise, test_seed)
    curve = capacity_curve(train, test, range(max_degree + 1))

    scene = Scene(width=width, height=height)
    grid = np.linspace(-1.0, 1.0, 241)
    data = scene.panel((-1.05, 1.05), (-2.2, 2.2), xlabel="$x$", ylabel="$y$", weight=0.85)
    data.line(grid, target(grid), Style(color=GREY, width=1.4, dash=(4.0, 2.0)), label=r"true $\bar y(x)$")
    data.points(test.x, test.y, Style(color=COLORS[2], marker="o", size=3.5, fill="none", width=0.0),
                label="test data")
    data.points(train.x, train.y, Style(color=COLORS[0], marker="o", size=6.5, width=0.0), label="training data")
    fit = fit_polynomial(train.x, train.y, degree)
    data.line(grid, fit(grid), Style(color=COLORS[1], width=2.0), label="fit")

    errors = scene.panel((-0.5, max_degree + 0.5), error_ylim, yscale="log", xlabel="degree $d$",
                         ylabel="mean squared error")
    errors.line([-0.5, max_degree + 0.5], [noise ** 2] * 2, Style(color=GREY, width=1.0, dash=(1.0, 2.0)),
                label=r"noise $\sigma^2$")
    train_style, test_style = series_style(0, markers=True), series_style(1, markers=True)
    errors.line(curve.degrees, curve.train, train_style, label="training error")
    errors.line(curve.degrees, curve.test, test_style, label="test error")
    errors.line([degree, degree], list(error_ylim), Style(color="#000000", width=0.8, alpha=0.6))
    for style, value in ((train_style, curve.train[degree]), (test_style, curve.test[degree])):
        errors.points([degree], [value], style._replace(size=8.0, fill="none", width=1.5))
    errors.text(0.98, 0.98, f"train {curve.train[degree]:.3g}, test {curve.test[degree]:.3g}", ha="right")
    return scene


def bias_variance_scene(result: BiasVariance, *, ylim=(1e-4, 1e1), width: float = 6.0,
                        height: float = 3.4) -> Scene:
    """Bias², variance, noise and their sum against the degree (log scale), with the measured test error.

    Draw it with :func:`course_lib.scene.scene_figure`.

    Examples
    --------
    >>> bv = bias_variance([0, 1, 2], n_train=10, n_sets=5)
    >>> scene = bias_variance_scene(bv)
    >>> scene.panels[0].yscale
    'log'
    """
    d = np.asarray(result.degrees, dtype=np.float64)
    scene = Scene(width=width, height=height)
    panel = scene.panel((d.min() - 0.5, d.max() + 0.5), ylim, yscale="log", xlabel="degree $d$",
                        ylabel="mean squared error")
    total = result.bias2 + result.variance + result.noise
    parts = (("bias²", result.bias2), ("variance", result.variance), (r"noise $\sigma^2$", result.noise),
             ("bias² + variance + noise", total))
    for i, (label, values) in enumerate(parts):
        panel.line(d, values, series_style(i, markers=i < 3), label=label)
    panel.points(d, result.error, Style(color="#000000", marker="X", size=6.0, width=0.0),
                 label="measured test error")
    return scene
