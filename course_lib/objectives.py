"""Objective functions of the course, each with its gradient and Hessian.

An :class:`Objective` bundles a function :math:`f:\\mathbb{R}^d \\to \\mathbb{R}` with
its gradient and Hessian written out by hand, and with its known minimizer where
one exists. Every formula here is tested against central finite differences.

``value`` accepts a point of shape ``(d,)`` and also a stack of points of shape
``(d, ...)`` (for example ``np.stack([X1, X2])`` from ``numpy.meshgrid``), so
the same function draws contour plots. ``gradient`` and ``hessian`` take a single
point of shape ``(d,)``.

Examples
--------
>>> from course_lib.objectives import error_surface
>>> E = error_surface()
>>> float(E.value([3.0, 4.0]))
0.05
>>> E.gradient([1.5, 2.0]).round(4).tolist()
[-0.4167, -0.1944]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_point, check_positive, check_symmetric

__all__ = [
    "Objective",
    "quadratic",
    "parabola",
    "error_surface",
    "ellipse",
    "bowl3d",
    "three_variable",
    "saddle",
    "rosenbrock",
]

Bounds = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Objective:
    """A differentiable function with its gradient, Hessian and (if known) minimizer.

    Parameters
    ----------
    name : str
        Short human-readable name, used in plot titles and messages.
    dim : int
        Number of variables :math:`d`.
    f, grad, hess : callable
        The function, its gradient and its Hessian. ``f`` must accept arrays of
        shape ``(d, ...)``; ``grad`` returns shape ``(d,)`` and ``hess`` ``(d, d)``.
        ``hess`` may be ``None`` (a network's loss, say): then only methods that do
        not need a Hessian can minimize it.
    latex : str
        The formula, in LaTeX, for figure titles and the text.
    minimizer : ndarray or None
        The global minimizer, where one exists and is known in closed form.
    bounds : tuple of (low, high) pairs
        A window per variable that shows the interesting part of the function.
    variables : tuple of str
        The variables' names in LaTeX (``("w_1", "w_2")`` for the error surface),
        used to label plot axes. Defaults to ``x`` or ``x_1, ..., x_d``.
    cache_key : tuple
        Identifies the function by value (its kind and parameters), so that two equal
        objectives built separately share cached work, such as contour lines. Empty
        (the default) when unknown: the object itself is then the identity.
    """

    name: str
    dim: int
    f: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    grad: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    hess: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    latex: str = ""
    minimizer: np.ndarray | None = None
    bounds: Bounds = ()
    variables: tuple[str, ...] = ()
    cache_key: tuple = field(default=(), repr=False, compare=False)

    def __post_init__(self):
        if not self.variables:
            names = ("x",) if self.dim == 1 else tuple(f"x_{i + 1}" for i in range(self.dim))
            object.__setattr__(self, "variables", names)

    def value(self, x) -> np.ndarray | float:
        """Evaluate :math:`f(x)` at a point of shape ``(d,)`` or at a stack ``(d, ...)``."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 0 and self.dim == 1:
            arr = arr.reshape(1)
        if arr.ndim == 0 or arr.shape[0] != self.dim:
            raise ValueError(
                f"{self.name}: x must have shape ({self.dim},) or ({self.dim}, ...), got shape {arr.shape}"
            )
        out = self.f(arr)
        return float(out) if np.ndim(out) == 0 else out

    __call__ = value

    def gradient(self, x) -> np.ndarray:
        """The gradient :math:`\\nabla f(x)`, shape ``(d,)``."""
        return np.asarray(self.grad(self._point(x)), dtype=np.float64).reshape(self.dim)

    def hessian(self, x) -> np.ndarray:
        """The Hessian :math:`\\nabla^2 f(x)`, shape ``(d, d)``."""
        if self.hess is None:
            raise ValueError(f"{self.name} has no Hessian (only its gradient is known)")
        return np.asarray(self.hess(self._point(x)), dtype=np.float64).reshape(self.dim, self.dim)

    @property
    def min_value(self) -> float | None:
        """:math:`f` at the minimizer, or ``None`` if the minimizer is unknown."""
        return None if self.minimizer is None else float(self.f(self.minimizer))

    def _point(self, x) -> np.ndarray:
        return as_point("x", x, dim=self.dim)


def _quadratic_parts(A, b, c):
    A = check_symmetric("A", A, hint="the Hessian of x·Ax/2 is (A + Aᵀ)/2; pass that instead")
    d = A.shape[0]
    b = np.zeros(d) if b is None else as_point("b", b, dim=d)
    c = float(c)
    return A, b, c


def quadratic(A, b=None, c: float = 0.0, *, name: str = "quadratic", latex: str = "",
              bounds: Bounds = (), variables: tuple[str, ...] = ()) -> Objective:
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x + b^\top x + c` with symmetric ``A``.

    Its gradient is :math:`Ax + b` and its Hessian is :math:`A` everywhere. When ``A``
    is positive definite the unique minimizer is :math:`x^\star = -A^{-1} b`.

    Examples
    --------
    >>> q = quadratic([[2.0, 0.0], [0.0, 4.0]], b=[-2.0, 0.0])
    >>> q.minimizer.tolist()
    [1.0, 0.0]
    """
    A, b, c = _quadratic_parts(A, b, c)
    d = A.shape[0]

    def f(x):
        if x.ndim == 1:                 # one point: the common case inside run's loop
            return 0.5 * (x @ A @ x) + b @ x + c
        flat = x.reshape(d, -1)
        vals = 0.5 * np.einsum("in,ij,jn->n", flat, A, flat) + b @ flat + c
        return vals.reshape(x.shape[1:])

    minimizer = None
    if np.all(np.linalg.eigvalsh(A) > 0):
        minimizer = np.linalg.solve(A, -b) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not bounds:
        centre = minimizer if minimizer is not None else np.zeros(d)
        bounds = tuple((float(m) - 3.0, float(m) + 3.0) for m in centre)
    return Objective(
        name=name,
        dim=d,
        f=f,
        grad=lambda x: A @ x + b,
        hess=lambda x: A.copy(),
        latex=latex or r"\frac{1}{2} x^\top A x + b^\top x + c",
        minimizer=minimizer,
        bounds=bounds,
        variables=variables,
        cache_key=("quadratic", A.tobytes(), b.tobytes(), c),
    )


def parabola(a: float = 1.0) -> Objective:
    r"""The 1-D parabola :math:`f(x) = a x^2` (``a = 1`` is the running 1-D example).

    Gradient descent with learning rate :math:`\eta` multiplies :math:`x` by
    :math:`1 - 2a\eta` at every step.
    """
    a = check_positive("a", a)
    return quadratic([[2.0 * a]], name="parabola", latex=(r"x^2" if a == 1.0 else rf"{a:g}\,x^2"),
                     bounds=((-10.0, 10.0),))


def _centred_quadratic(A, centre, offset, *, name: str, latex: str, bounds: Bounds = (),
                       variables: tuple[str, ...] = ()) -> Objective:
    """``0.5 (x - m)·A(x - m) + offset`` for positive definite ``A``, minimized exactly at ``m``.

    Written around the centre (rather than expanded into ``b`` and ``c``) so that the
    value at the minimizer is exactly ``offset``, with no rounding.
    """
    A, m, _ = _quadratic_parts(A, centre, 0.0)
    if not np.all(np.linalg.eigvalsh(A) > 0):
        raise ValueError("A must be positive definite")
    d = A.shape[0]

    def f(x):
        if x.ndim == 1:                 # one point: the common case inside run's loop
            e = x - m
            return 0.5 * (e @ A @ e) + offset
        e = x.reshape(d, -1) - m[:, None]
        return (0.5 * np.einsum("in,ij,jn->n", e, A, e) + offset).reshape(x.shape[1:])

    return Objective(name=name, dim=d, f=f, grad=lambda x: A @ (x - m), hess=lambda x: A.copy(),
                     latex=latex, minimizer=m.copy(), bounds=bounds, variables=variables,
                     cache_key=("centred quadratic", A.tobytes(), m.tobytes(), float(offset)))


def error_surface() -> Objective:
    r""":ref:`Note 000 <note-000>`'s error surface, minimized at :math:`(3, 4)` with value :math:`0.05`.

    .. math::

        E(w_1, w_2) = 0.05 + \frac{(w_1 - 3)^2}{4} + \frac{(w_2 - 4)^2}{9}
                      - \frac{(w_1 - 3)(w_2 - 4)}{6}

    Its Hessian is the constant matrix :math:`\begin{pmatrix} 1/2 & -1/6 \\ -1/6 & 2/9 \end{pmatrix}`.
    """
    A = [[1.0 / 2.0, -1.0 / 6.0], [-1.0 / 6.0, 2.0 / 9.0]]
    return _centred_quadratic(
        A, [3.0, 4.0], 0.05, name="error surface E(w1, w2)",
        latex=r"0.05 + \frac{(w_1-3)^2}{4} + \frac{(w_2-4)^2}{9} - \frac{(w_1-3)(w_2-4)}{6}",
        bounds=((-1.0, 7.0), (-1.0, 9.0)), variables=("w_1", "w_2"),
    )


def ellipse() -> Objective:
    r"""The ill-conditioned bowl :math:`f(x) = 0.1 x_1^2 + 2 x_2^2` (Hessian eigenvalues 0.2 and 4)."""
    return quadratic(np.diag([0.2, 4.0]), name="ellipse", latex=r"0.1\,x_1^2 + 2\,x_2^2",
                     bounds=((-5.5, 1.5), (-2.5, 2.5)))


def bowl3d() -> Objective:
    r""":ref:`Note 000 <note-000>`'s learning-rate example :math:`E(x, y, z) = 3x^2 + 2y^2 + 4z^2 + 6`."""
    return quadratic(np.diag([6.0, 4.0, 8.0]), c=6.0, name="bowl E(x, y, z)",
                     latex=r"3x^2 + 2y^2 + 4z^2 + 6", variables=("x", "y", "z"))


def three_variable() -> Objective:
    r""":ref:`Note 000 <note-000>`'s worked example :math:`x_1^2 + x_1(1 - x_2) + x_2^2 - x_2 x_3 + x_3^2 + x_3`.

    Its stationary point is :math:`(-1, -1, -1)` and its Hessian is the constant
    tridiagonal matrix with 2 on the diagonal and -1 beside it.
    """
    A = [[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]]
    return quadratic(A, b=[1.0, 0.0, 1.0], name="three-variable example",
                     latex=r"x_1^2 + x_1(1 - x_2) + x_2^2 - x_2 x_3 + x_3^2 + x_3")


def saddle() -> Objective:
    r"""The saddle :math:`f(x) = x_1^2 - x_2^2`: a minimum along :math:`x_1`, a maximum along :math:`x_2`.

    Its only critical point is the origin, where the Hessian ``diag(2, -2)`` has
    eigenvalues of both signs. It has no minimizer (``minimizer`` is ``None``).
    """
    return quadratic(np.diag([2.0, -2.0]), name="saddle", latex=r"x_1^2 - x_2^2",
                     bounds=((-2.0, 2.0), (-2.0, 2.0)))


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    r"""Rosenbrock's banana :math:`f(x) = (a - x_1)^2 + b\,(x_2 - x_1^2)^2`, minimized at :math:`(a, a^2)`."""
    a = float(a)
    b = check_positive("b", b)

    def f(x):
        return (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2

    def grad(x):
        r = x[1] - x[0] ** 2
        return np.array([-2.0 * (a - x[0]) - 4.0 * b * x[0] * r, 2.0 * b * r])

    def hess(x):
        return np.array([
            [2.0 - 4.0 * b * (x[1] - 3.0 * x[0] ** 2), -4.0 * b * x[0]],
            [-4.0 * b * x[0], 2.0 * b],
        ])

    return Objective(
        name="Rosenbrock", dim=2, f=f, grad=grad, hess=hess,
        latex=rf"({a:g} - x_1)^2 + {b:g}\,(x_2 - x_1^2)^2",
        minimizer=np.array([a, a * a]),
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
    )
