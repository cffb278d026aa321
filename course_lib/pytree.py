"""Several parameter arrays as one vector: how every optimizer trains a network unchanged.

A network's parameters are several arrays (a weight matrix and a bias per layer),
usually kept in a dict. The optimizers of :mod:`course_lib.optimizers` work on one
vector. Rather than a second implementation of each optimizer that maps over the
arrays (as optax does with pytrees), the course flattens: :func:`ravel` lays every
array out in one vector, and the function it returns puts a vector back into arrays
of the original shapes. The element-wise optimizers (all but Newton) then do on the
vector exactly what they would do array by array, because each coordinate is updated
from its own history only. This is HIPS autograd's ``unflatten_optimizer`` idea.

>>> import numpy as np
>>> params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
>>> x, unravel = ravel(params)
>>> x.shape
(9,)
>>> unravel(x)["W"].shape
(2, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["ravel", "flat_objective"]


def _leaves(tree, path=()) -> list[tuple[tuple, np.ndarray]]:
    if isinstance(tree, dict):
        out = []
        for key in sorted(tree, key=str):          # a fixed order, whatever order the dict was built in
            out.extend(_leaves(tree[key], path + (key,)))
        return out
    if isinstance(tree, (list, tuple)):
        out = []
        for i, item in enumerate(tree):
            out.extend(_leaves(item, path + (i,)))
        return out
    try:
        array = np.asarray(tree, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"parameters must be arrays of numbers (in dicts, lists or tuples), got {tree!r} "
                         f"at {list(path)}") from None
    return [(path, array)]


def ravel(tree) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """Flatten a dict / list / tuple of arrays into one vector; return it and the inverse.

    The order is fixed: dict keys sorted, lists and tuples in order, each array in C order.
    ``unravel(vector)`` returns new arrays with the original structure and shapes.
    """
    leaves = _leaves(tree)
    if not leaves:
        raise ValueError("there are no parameter arrays to flatten")
    shapes = [a.shape for _, a in leaves]
    sizes = [a.size for _, a in leaves]
    ends = np.cumsum(sizes)
    flat = np.concatenate([a.ravel() for _, a in leaves]) if leaves else np.zeros(0)

    def rebuild(node, arrays):
        if isinstance(node, dict):
            return {key: rebuild(node[key], arrays) for key in sorted(node, key=str)}
        if isinstance(node, (list, tuple)):
            return type(node)(rebuild(item, arrays) for item in node)
        return next(arrays)

    def unravel(vector) -> Any:
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != (int(ends[-1]),):
            raise ValueError(f"the vector must have shape ({int(ends[-1])},), got {vector.shape}")
        pieces = (vector[end - size:end].reshape(shape).copy() for end, size, shape in zip(ends, sizes, shapes))
        return rebuild(tree, iter(pieces))

    return flat, unravel


def flat_objective(name: str, params, loss: Callable[[Any], float], grad: Callable[[Any], Any]):
    """An :class:`~course_lib.objectives.Objective` over the flattened parameters of a model.

    ``loss(params)`` and ``grad(params)`` take (and ``grad`` returns) parameters shaped like
    ``params``. Returns the objective, the flat starting point and ``unravel``. The objective
    has no Hessian, so only first-order methods can minimize it.
    """
    from .objectives import Objective

    x0, unravel = ravel(params)

    def flat_grad(x):
        return ravel(grad(unravel(x)))[0]

    def f(x):
        if x.ndim == 1:
            return float(loss(unravel(x)))
        return np.array([float(loss(unravel(col))) for col in x.reshape(x.shape[0], -1).T]).reshape(x.shape[1:])

    return Objective(name=name, dim=x0.size, f=f, grad=flat_grad), x0, unravel
