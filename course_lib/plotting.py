"""Figures of the course: one consistent style, labelled axes, legends.

Every function returns a ``matplotlib.figure.Figure`` built without
``matplotlib.pyplot``, so figures are never shown twice in a notebook and never
pile up in memory when a slider redraws them. Pass ``ax=`` to draw into an
existing axes instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .objectives import Objective
from .runner import Trajectory
from .scene import COLORS, STYLE, series_style, svg_bytes
from .theory import gd_contraction, gd_learning_rates

__all__ = ["STYLE", "COLORS", "compact_png", "place_legend", "new_figure", "plot_1d", "plot_contour", "plot_values",
           "plot_contraction"]

Trajectories = Trajectory | Mapping[str, Trajectory] | None


def compact_png(png: bytes, colors: int = 128) -> bytes:
    """The same image with a palette of ``colors`` colours: about half the bytes for line art."""
    from PIL import Image  # a dependency of matplotlib

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=colors)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _svg_for_display(fig: Figure) -> str:
    return svg_bytes(fig, tight=True).decode("utf-8")


def _enable_notebook_display() -> None:
    """Let IPython show the figures returned here as compact SVG (vector) images.

    IPython learns how to display a ``Figure`` only once pyplot's inline backend
    has been set up. Our figures never go through pyplot, so, inside IPython and
    unless the user has already chosen figure formats, register SVG output: crisp
    on every screen, and for line art smaller than a high-resolution PNG.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to do
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    if any(Figure in formatter.type_printers for formatter in formatters.values()):
        return
    formatters["image/svg+xml"].for_type(Figure, _svg_for_display)


_enable_notebook_display()


def new_figure(ncols: int = 1, *, width: float = 6.0, height: float = 4.0):
    """A styled figure with ``ncols`` axes side by side; returns ``(fig, axes)``.

    ``width`` is per axes; the whole figure should stay within 7.5 in (the page's column)
    so that its text is shown at least 10 px tall.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width * ncols, height), layout="constrained")
        axes = fig.subplots(1, ncols, squeeze=True)
    return fig, axes


def place_legend(ax: Axes, entries: Sequence[tuple] | None = None) -> None:
    """A legend that covers no data: above the axes if they fill their figure alone, else to their right.

    ``entries`` is a list of ``(handle, label)``; by default every labelled artist of ``ax``.
    """
    if entries is None:
        entries = list(zip(*ax.get_legend_handles_labels()))
    if not entries:
        return
    handles, labels = zip(*entries)
    if len(ax.figure.axes) == 1:
        ax.figure.legend(handles, labels, loc="outside upper center", ncols=min(len(handles), 3))
    else:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)


def _named(trajectories: Trajectories) -> Sequence[tuple]:
    if trajectories is None:
        return []
    if isinstance(trajectories, Trajectory):
        return [(trajectories.optimizer, trajectories)]
    if isinstance(trajectories, Mapping):
        return list(trajectories.items())
    raise ValueError("trajectories must be a Trajectory or a mapping {label: Trajectory}")


def _status(label: str, traj: Trajectory) -> str:
    return f"{label} (diverged at step {traj.diverged_at})" if traj.diverged else label


def plot_1d(objective: Objective, trajectories: Trajectories = None, *, ax: Axes | None = None,
            xlim: Sequence[float] | None = None, title: str | None = None, legend: bool = True) -> Figure:
    """Plot a 1-D objective and, on it, the iterates of one or more runs.

    Parameters
    ----------
    objective : Objective
        A function of one variable.
    trajectories : Trajectory or mapping of label to Trajectory, optional
        Runs to draw as connected markers; the start is drawn larger.
    ax : matplotlib Axes, optional
        Draw here instead of in a new figure.
    xlim : (low, high), optional
        The window; by default ``objective.bounds`` widened to contain every iterate.
    title : str, optional
        Defaults to the objective's formula.
    legend : bool
        Add a legend (outside the axes); turn it off when the title says it all.
    """
    if objective.dim != 1:
        raise ValueError(f"plot_1d needs a 1-D objective, {objective.name} has {objective.dim} variables")
    runs = _named(trajectories)
    with mpl.rc_context(STYLE):
        if ax is None:
            fig, ax = new_figure()
        if xlim is None:
            pts = [objective.bounds[0][0], objective.bounds[0][1]] + [p for _, t in runs for p in t.xs[:, 0]]
            lo, hi = min(pts), max(pts)
            pad = 0.05 * (hi - lo)
            xlim = (lo - pad, hi + pad)
        grid = np.linspace(xlim[0], xlim[1], 400)
        ax.plot(grid, objective.value(grid[None, :]), color="0.45", lw=1.2, label=f"$f(x) = {objective.latex}$")
        for i, (label, traj) in enumerate(runs):
            style = series_style(i, markers=True)
            ax.plot(traj.xs[:, 0], traj.values, label=_status(label, traj), **style.line_kwargs())
            ax.plot(traj.xs[0, 0], traj.values[0], "o", ms=9, mfc="none", color=style.color)
        ax.set_xlim(*xlim)
        ax.set_xlabel(f"${objective.variables[0]}$")
        ax.set_ylabel(f"$f({objective.variables[0]})$")
        ax.set_title(title if title is not None else f"${objective.latex}$")
        if legend:
            place_legend(ax)
    return ax.figure


def plot_contour(objective: Objective, trajectories: Trajectories = None, *, ax: Axes | None = None,
                 bounds=None, levels: int | Iterable[float] = 20, show_minimizer: bool = True,
                 title: str | None = None, legend: bool = True) -> Figure:
    """Contour plot of a 2-D objective with labelled optimization paths.

    Parameters
    ----------
    objective : Objective
        A function of two variables.
    trajectories : Trajectory or mapping of label to Trajectory, optional
        Paths to draw; a diverged run is labelled with the step it blew up at.
    ax : matplotlib Axes, optional
        Draw here instead of in a new figure.
    bounds : ((x1_low, x1_high), (x2_low, x2_high)), optional
        The window; defaults to ``objective.bounds``.
    levels : int or sequence of float
        Contour levels, passed to ``Axes.contour``.
    show_minimizer : bool
        Mark the known minimizer with a star.
    title : str, optional
        Defaults to the objective's formula.
    legend : bool
        Add a legend (outside the axes).

    Both axes are parameters, so they get equal scales: a gradient step is drawn
    perpendicular to its contour line, as it is.
    """
    if objective.dim != 2:
        raise ValueError(f"plot_contour needs a 2-D objective, {objective.name} has {objective.dim} variables")
    runs = _named(trajectories)
    (x_lo, x_hi), (y_lo, y_hi) = bounds if bounds is not None else objective.bounds
    with mpl.rc_context(STYLE):
        if ax is None:
            fig, ax = new_figure(height=4.5)
        X, Y = np.meshgrid(np.linspace(x_lo, x_hi, 160), np.linspace(y_lo, y_hi, 160))
        Z = objective.value(np.stack([X, Y]))
        ax.contour(X, Y, Z, levels=levels, colors="#8c8c8c", linewidths=0.7, linestyles="solid")
        if show_minimizer and objective.minimizer is not None:
            ax.plot(*objective.minimizer, "*", color="black", mfc="white", ms=13, mew=1.0,
                    label="minimizer", zorder=6)
        # Longer runs are drawn first, so a short path is never buried under a dense one.
        order = sorted(range(len(runs)), key=lambda i: -len(runs[i][1].xs))
        for rank, i in enumerate(order):
            label, traj = runs[i]
            dense = len(traj.xs) > 200     # thousands of markers would hide the path: draw a band instead
            style = series_style(i, markers=not dense)
            if dense:
                style = style._replace(width=5.0, dash=(), alpha=0.45)
            ax.plot(traj.xs[:, 0], traj.xs[:, 1], label=_status(label, traj), zorder=3 + rank * 0.1,
                    **style.line_kwargs())
            ax.plot(*traj.xs[0], "o", ms=8, mfc="none", color=style.color, zorder=3 + rank * 0.1)
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(f"${objective.variables[0]}$")
        ax.set_ylabel(f"${objective.variables[1]}$")
        ax.grid(False)
        ax.set_title(title if title is not None else f"${objective.latex}$")
        if legend:
            # Keep the legend's order the order of ``trajectories``.
            handles, labels = ax.get_legend_handles_labels()
            wanted = (["minimizer"] if "minimizer" in labels else []) + [_status(name, t) for name, t in runs]
            pairs = dict(zip(labels, handles))
            place_legend(ax, [(pairs[w], w) for w in wanted if w in pairs])
    return ax.figure


def plot_values(trajectories: Trajectories, *, objective: Objective | None = None, ax: Axes | None = None,
                title: str = "Progress") -> Figure:
    """Plot :math:`f(x_t) - f^\\star` against the step on a log scale (or :math:`f(x_t)` if no ``f^\\star``)."""
    runs = _named(trajectories)
    f_star = None if objective is None else objective.min_value
    with mpl.rc_context(STYLE):
        if ax is None:
            fig, ax = new_figure()
        gaps = [(traj.values - f_star) if f_star is not None else traj.values for _, traj in runs]
        # On the log scale an exact f = f* has no place: such points sit on the bottom edge,
        # marked with a downward triangle, and the legend says from which step (not dropped).
        positive = [g[g > 0] for g in gaps]
        floor = (min(float(p.min()) for p in positive if p.size) / 100.0) if any(p.size for p in positive) else 1e-16
        for i, ((label, traj), y) in enumerate(zip(runs, gaps)):
            style = series_style(i)
            text = _status(label, traj)
            if f_star is not None and (y <= 0).any():
                reached = np.flatnonzero(y <= 0)
                text += f" (f = f* from step {int(traj.ts[reached[0]])})"
                y = np.where(y > 0, y, floor)
                ax.plot(traj.ts[reached], y[reached], "v", color=style.color, ms=7, zorder=4)
            ax.plot(traj.ts, y, label=text, **style.line_kwargs())
        if f_star is not None:
            ax.set_yscale("log")
            if any((g <= 0).any() for g in gaps):
                ax.set_ylim(bottom=floor)
            ax.set_ylabel(r"$f(x_t) - f^\star$")
        else:
            ax.set_ylabel(r"$f(x_t)$")
        ax.set_xlabel("step $t$")
        ax.set_title(title)
        place_legend(ax)
    return ax.figure


def plot_contraction(hessian, *, ax: Axes | None = None, names: Sequence[str] | None = None,
                     title: str = "Gradient descent on a quadratic: error factor per step") -> Figure:
    r"""Plot :math:`|1 - \eta\lambda_i|` against :math:`\eta` for each Hessian eigenvalue, and their maximum.

    Gradient descent converges where the maximum (dashed) is below 1; the best
    constant rate is where it is lowest, :math:`2/(\lambda_{\min} + \lambda_{\max})`.
    """
    report = gd_learning_rates(hessian)
    lam = report.eigenvalues
    names = list(names) if names is not None else [f"$\\lambda = {v:g}$" for v in lam]
    eta = np.linspace(0.0, 1.25 * report.max_stable, 500)
    with mpl.rc_context(STYLE):
        if ax is None:
            fig, ax = new_figure()
        for i, (name, value) in enumerate(zip(names, lam)):
            ax.plot(eta, np.abs(1.0 - eta * value), label=f"{name}: $|1 - \\eta\\lambda|$",
                    **series_style(i, width=1.4).line_kwargs())
        ax.plot(eta, gd_contraction(hessian, eta), "k--", lw=2.0, label="worst axis (max)")
        ax.axhline(1.0, color="0.5", lw=1.0)
        ax.axvline(report.max_stable, color="#D55E00", lw=1.0, ls=":")
        ax.annotate(f"$2/\\lambda_{{max}} = {report.max_stable:.3g}$", (report.max_stable, 1.05),
                    ha="right", fontsize=10, color="#D55E00")
        ax.plot([report.best], [report.best_factor], "o", color="k")
        ax.annotate(f"best $\\eta = {report.best:.3g}$", (report.best, report.best_factor),
                    textcoords="offset points", xytext=(0, -16), ha="center", fontsize=10)
        ax.set_xlim(0.0, eta[-1])
        ax.set_ylim(0.0, 1.6)
        ax.set_xlabel(r"learning rate $\eta$")
        ax.set_ylabel("error factor per step")
        ax.set_title(title)
        place_legend(ax)
    return ax.figure
