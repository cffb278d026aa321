"""Run an optimizer on an objective and record what happened.

:func:`run` is the loop every chapter uses::

    traj = run(gd(lr=0.1), ellipse(), x0=[-5.0, -2.0], steps=50)
    traj.xs          # iterates, shape (recorded, d)
    traj.values      # f at each recorded iterate
    traj.grad_norms  # ||gradient|| at each recorded iterate
    traj.diverged, traj.diverged_at, traj.converged

Gradients may be stochastic: pass ``gradient(x, t, rng)`` (the step ``t`` and a
NumPy random generator) and a ``seed``; the same seed gives the same trajectory.
A run that blows up stops at the first non-finite number, or when the iterate
moves absurdly far from where it started, and says at which step; no overflow
warnings are printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_point, check_int, check_nonnegative, check_positive
from .objectives import Objective
from .optimizers import Optimizer

__all__ = ["Trajectory", "run", "first_step"]

#: Steps whose distance and gradient norm are checked together (see the loop of :func:`run`).
BLOCK = 64

#: ``gradient(x, t, rng)``: the (possibly noisy) gradient used at step ``t``.
Gradient = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Trajectory:
    """The record of one optimization run.

    Attributes
    ----------
    xs : ndarray, shape (n, d)
        The recorded iterates: :math:`x_0` and every ``record_every``-th one after it,
        and always the last one. ``ts`` says which steps they are.
    values : ndarray, shape (n,)
        :math:`f(x_t)` at the recorded iterates.
    grad_norms : ndarray, shape (n,)
        :math:`\\lVert g_t \\rVert_2`, the norm of the gradient the run used there (the
        stochastic one, for a stochastic run).
    diverged : bool
        Whether the run was stopped because it blew up.
    diverged_at : int or None
        The step :math:`t` whose iterate, value or gradient was non-finite, or whose
        iterate was too far away. That iterate is not recorded: the last one is
        :math:`x_{t-1}`.
    optimizer : str
        The optimizer, as text (e.g. ``"gd(lr=0.1)"``), for legends and messages.
    converged : bool
        Whether the run stopped early because the gradient norm reached ``tol``.
    ts : ndarray of int, shape (n,)
        The step of each recorded iterate (``0, 1, 2, ...`` unless ``record_every > 1``).
    """

    xs: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    diverged: bool
    diverged_at: int | None
    optimizer: str = ""
    converged: bool = False
    ts: np.ndarray | None = None

    def __post_init__(self):
        if self.ts is None:
            object.__setattr__(self, "ts", np.arange(len(self.xs)))

    @property
    def steps(self) -> int:
        """Number of updates taken up to the last recorded iterate."""
        return int(self.ts[-1])

    @property
    def x(self) -> np.ndarray:
        """The last recorded iterate."""
        return self.xs[-1]

    def summary(self) -> str:
        """One line describing the outcome, with explicitly formatted numbers."""
        if self.diverged:
            return f"{self.optimizer}: diverged at step {self.diverged_at}"
        point = ", ".join(f"{v:.6g}" for v in self.x)
        done = "converged after" if self.converged else "after"
        return (f"{self.optimizer}: {done} {self.steps} steps x = ({point}), "
                f"f(x) = {self.values[-1]:.6g}, |grad| = {self.grad_norms[-1]:.3g}")

    def __repr__(self) -> str:
        return f"Trajectory({self.summary()})"


def _row_norms(G: np.ndarray) -> np.ndarray:
    """Euclidean norm of each row, without underflow to 0 or overflow to inf.

    The sum of squares is computed directly; the rare rows where it underflows (a tiny but
    non-zero gradient) or overflows (a huge but finite one) are scaled by their largest entry.
    """
    squares = np.einsum("ij,ij->i", G, G)
    norms = np.sqrt(squares)
    redo = np.flatnonzero((squares == 0.0) | np.isinf(squares))
    if redo.size:
        scale = np.abs(G[redo]).max(axis=1)
        ok = np.isfinite(scale) & (scale > 0.0)          # not an exact zero, inf or nan
        rows, scale = redo[ok], scale[ok][:, None]
        norms[rows] = scale[:, 0] * np.sqrt(np.einsum("ij,ij->i", G[rows] / scale, G[rows] / scale))
    return norms


def run(opt: Optimizer, objective: Objective, x0, steps: int, *, max_distance: float = 1e6,
        tol: float | None = 0.0, gradient: Gradient | None = None, seed=None,
        record_every: int = 1) -> Trajectory:
    """Apply ``opt`` to ``objective`` for ``steps`` updates starting from ``x0``.

    Parameters
    ----------
    opt : Optimizer
        For example ``gd(lr=0.1)``. Extra inputs it ``needs`` come from the objective
        (``hessian``: ``objective.hessian``).
    objective : Objective
        Provides the values recorded and, unless ``gradient`` is given, the gradient.
    x0 : array_like, shape (d,)
        The starting point (a number for 1-D objectives).
    steps : int
        Number of updates, ``>= 0``.
    max_distance : float, default 1e6
        The run is declared diverged when an iterate is farther than
        ``max_distance * (1 + ||x0||)`` from ``x0``.
    tol : float or None, default 0
        Stop early, before ``steps`` updates, once the gradient norm is at most ``tol``
        (``converged`` is then True). The default stops only at an exactly zero
        gradient (a tiny one is not rounded to zero). ``None`` never stops early: a
        method with momentum still moves where the gradient is zero.
    gradient : callable, optional
        ``gradient(x, t, rng)`` returns the gradient to use at step ``t``: a noisy or
        minibatch gradient, say. ``rng`` is a :class:`numpy.random.Generator` made from
        ``seed``, so the same seed gives the same run. Default: ``objective.gradient``.
    seed : int or numpy.random.Generator, optional
        Seeds ``rng``. A generator is used as it is (and so advanced by the run).
    record_every : int, default 1
        Keep every ``record_every``-th iterate (and always the first and the last): a
        run of 10⁵ steps need not keep 10⁵ points.

    Returns
    -------
    Trajectory
        If the run blew up, ``diverged`` is True and ``diverged_at`` is the first step
        whose iterate, value or gradient was non-finite, or whose iterate was too far;
        the iterates up to the step before it are kept.

    Examples
    --------
    >>> from course_lib import gd, parabola, run
    >>> run(gd(lr=1.1), parabola(), x0=10.0, steps=1000).summary()
    'gd(lr=1.1): diverged at step 77'
    >>> noisy = lambda x, t, rng: 2 * x + rng.standard_normal(x.shape)
    >>> a = run(gd(lr=0.1), parabola(), 10.0, 50, gradient=noisy, seed=1)
    >>> b = run(gd(lr=0.1), parabola(), 10.0, 50, gradient=noisy, seed=1)
    >>> bool((a.xs == b.xs).all())
    True
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer such as gd(lr=0.1), got {opt!r}")
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be an Objective such as ellipse(), got {objective!r}")
    x = as_point("x0", x0, dim=objective.dim)
    steps = check_int("steps", steps, minimum=0)
    # the run stops once the gradient norm is <= stop_at; -inf: never (tol=None)
    stop_at = -math.inf if tol is None else check_nonnegative("tol", tol)
    every = check_int("record_every", record_every, minimum=1)
    limit = check_positive("max_distance", max_distance) * (1.0 + float(np.linalg.norm(x)))
    limit2 = limit * limit
    if gradient is not None and not callable(gradient):
        raise ValueError(f"gradient must be a function gradient(x, t, rng), got {gradient!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    suppliers = {"hessian": objective.hess}
    for name in opt.needs:
        if suppliers.get(name) is None:
            raise ValueError(f"{opt!r} needs the {name}, which {objective.name} does not provide")
    extras = {name: suppliers[name] for name in opt.needs}
    grad = objective.grad if gradient is None else None   # the deterministic case, called directly

    # Everything was checked above; from here on x is a float vector and the loop calls the
    # optimizer's unchecked step. The checks that cost most per step (distance from the start,
    # gradient norm) are done in bulk for blocks of BLOCK steps: the records are cut at the first
    # bad step of a block, so the trajectory and diverged_at are the same as with a check per step.
    f, step, start = objective.f, opt.step, x.copy()
    state = opt.init(x)
    xs, values, grad_norms, ts = [], [], [], []          # lists of arrays, one per block, joined at the end
    diverged_at, converged = None, False
    last = None                                         # the newest step not yet recorded, (block, row)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        t = 0
        value = float(f(x))
        g = np.asarray(grad(x) if grad is not None else gradient(x, 0, rng), dtype=np.float64)
        if g.shape != x.shape:
            raise ValueError(f"the gradient has shape {g.shape} but x has shape {x.shape}")
        norm = float(_row_norms(g[None])[0])
        if not (math.isfinite(value) and math.isfinite(norm)):
            diverged_at = 0
        xs.append(x[None])
        values.append([value])
        grad_norms.append([norm])
        ts.append([0])
        if diverged_at is None and norm <= stop_at:      # the start already meets the tolerance
            converged = True
        while diverged_at is None and t < steps and not converged:
            bx, bv, bg = [], [], []                     # this block's iterates, values, gradients
            t_block = t
            for _ in range(min(BLOCK, steps - t)):
                if extras:
                    x, state = step(x, g, state, **{name: supply(x) for name, supply in extras.items()})
                else:
                    x, state = step(x, g, state)
                value = float(f(x))
                g = np.asarray(grad(x) if grad is not None else gradient(x, t + 1, rng), dtype=np.float64)
                t += 1
                bx.append(x)
                bv.append(value)
                bg.append(g)
                if not math.isfinite(value):            # blown up: the block check finds the step
                    break
            X, G = np.array(bx), np.array(bg)
            D = X - start
            norms = _row_norms(G)
            bad = ~(np.einsum("ij,ij->i", D, D) <= limit2) | ~np.isfinite(norms) | ~np.isfinite(bv)
            done = norms <= stop_at                      # the gradient reached the tolerance
            first_bad = int(np.argmax(bad)) if bad.any() else len(bx)
            first_done = int(np.argmax(done)) if done.any() else len(bx)
            if first_bad < len(bx) and first_bad <= first_done:
                keep, diverged_at = first_bad, t_block + first_bad + 1
            elif first_done < len(bx):
                keep, converged = first_done + 1, True  # the step that reached tol is kept, then stop
            else:
                keep = len(bx)
            t = t_block + keep
            steps_kept = np.arange(t_block + 1, t + 1)
            rows = slice(0, keep) if every == 1 else np.flatnonzero(steps_kept % every == 0)
            xs.append(X[rows])
            values.append(bv[:keep] if every == 1 else np.take(bv, rows))
            grad_norms.append(norms[rows])
            ts.append(steps_kept[rows])
            if every > 1 and keep:                       # the newest step, in case the run ends here
                last = None if steps_kept[-1] % every == 0 else (X[keep - 1], bv[keep - 1], norms[keep - 1], t)
        if last is not None:                            # always keep the last usable iterate
            xs.append(last[0][None])
            values.append([last[1]])
            grad_norms.append([last[2]])
            ts.append([last[3]])

    return Trajectory(
        xs=np.concatenate(xs),
        values=np.concatenate(values, dtype=np.float64),
        grad_norms=np.concatenate(grad_norms, dtype=np.float64),
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        optimizer=repr(opt),
        converged=converged,
        ts=np.concatenate(ts, dtype=np.int64),
    )


def first_step(opt: Optimizer, g, x0=0.0) -> np.ndarray:
    r"""The change :math:`x_1 - x_0` of one step of ``opt`` from a fresh state, with gradient ``g``.

    The one-step checks of the chapters go through it: a clipped step (chapter 3), where
    :math:`\epsilon` sits in AdaGrad, RMSProp and Adam, and Adam's first step (chapter 7).

    Parameters
    ----------
    opt : Optimizer
    g : float or array_like
        The gradient at :math:`x_0`.
    x0 : float or array_like, default 0
        The start (broadcast to the shape of ``g``).

    Examples
    --------
    Adam's first step is about :math:`-\eta` times the sign of the gradient, whatever its size:

    >>> from course_lib import adam
    >>> first_step(adam(lr=0.1), [0.01, -50.0]).round(5).tolist()
    [-0.1, 0.1]
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer, got {opt!r}")
    g = np.atleast_1d(np.asarray(g, dtype=np.float64))
    x = np.broadcast_to(np.asarray(x0, dtype=np.float64), g.shape).copy()
    x1, _ = opt.update(x, g, opt.init(x))
    return x1 - x
