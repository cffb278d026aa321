"""Figures described as data: panels, and lines, points and text drawn on them.

A :class:`Scene` says *what* a figure shows (one or more panels side by side,
each with fixed axes, and the lines, markers, text and contour lines drawn on
them) without drawing anything. Interactive figures are built from scenes:

* whatever is identical for every position of the controls (the axes, the
  contour lines of a fixed objective, a reference line) is drawn **once** by
  matplotlib, as the figure's background;
* whatever changes (a trajectory, a loss curve, a "diverged at step 12" note) is
  sent to the page as compact data, and ``explorer.js`` (the course's own small
  script) draws it over the background, in the panel's data coordinates.

The numbers are all computed here, in Python; the browser only draws them.
:func:`scene_figure` draws a whole scene with matplotlib, for a static picture.

Example
-------
>>> from course_lib import ellipse, gd, run
>>> from course_lib.scene import contour_scene
>>> ell = ellipse()
>>> traj = run(gd(lr=0.4), ell, [-5.0, -2.0], 20)
>>> scene = contour_scene(ell, {"GD": traj})
>>> [panel.xlabel for panel in scene.panels]
['$x_1$']
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ._validation import check_positive, check_real

__all__ = [
    "COLORS", "DASHES", "MARKERS", "STYLE", "Style", "series_style", "Scene", "Panel",
    "scene_figure", "svg_bytes", "contour_scene",
]

#: Colour cycle of every figure: Okabe and Ito's colour-blind-safe palette (readable on white).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Line styles that go with the colours, so that series differ without colour too
#: (dash patterns in multiples of the line width, as matplotlib writes them).
DASHES = ((), (3.7, 1.6), (1.0, 1.65), (6.4, 1.6, 1.0, 1.6), (7.0, 2.0), (2.0, 2.0), (1.0, 3.0))
#: Markers that go with the colours.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")

#: Matplotlib settings of every course figure. Text is at least 10 pt, and figures are at
#: most 7.5 in (720 px) wide, so text stays at least 10 px tall in the page's 700 px column.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 200,            # PNGs (the fallback) at twice the display resolution
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "svg.fonttype": "path",        # glyphs as shapes: the same letters on every reader's screen
    "svg.hashsalt": "course_lib",  # stable ids, so that stored notebooks compare equal
    "path.simplify_threshold": 0.3,  # drop vertices that move a line by under 0.3 pt (0.4 px): lighter SVG
}

#: Grey of contour lines and other background curves.
GREY = "#8c8c8c"


class Style(NamedTuple):
    """How a line, a set of markers or a text is drawn.

    ``width``, ``size`` and ``font`` are in points; ``dash`` is a dash pattern in
    multiples of the line width (empty: solid); ``marker`` is one of ``o s ^ D v
    P X *`` or empty; ``fill`` is the marker's face colour (empty: ``color``,
    ``"none"``: hollow).
    """

    color: str = "#000000"
    width: float = 1.8
    dash: tuple[float, ...] = ()
    marker: str = ""
    size: float = 5.0
    fill: str = ""
    alpha: float = 1.0
    font: float = 10.0

    def encode(self) -> dict:
        """The style as the page's script reads it."""
        out = {"c": self.color, "w": self.width}
        if self.dash:
            out["d"] = list(self.dash)
        if self.marker:
            out.update(m=self.marker, ms=self.size, f=self.fill or self.color)
        if self.alpha != 1.0:
            out["a"] = self.alpha
        out["fs"] = self.font
        return out

    def line_kwargs(self) -> dict:
        """The style as keyword arguments of ``Axes.plot``."""
        kwargs = dict(color=self.color, lw=self.width, alpha=self.alpha, solid_capstyle="round",
                      solid_joinstyle="round")
        if self.width == 0:
            kwargs["linestyle"] = "none"
        elif self.dash:
            kwargs["dashes"] = self.dash
        if self.marker:
            kwargs.update(marker=self.marker, ms=self.size, mfc=self.fill or self.color, mec=self.color, mew=1.0)
        return kwargs


def series_style(i: int, *, markers: bool = False, width: float = 1.8) -> Style:
    """The style of the ``i``-th series of a figure: colour, dash pattern and marker from the cycles."""
    k = i % len(COLORS)
    return Style(color=COLORS[k], width=width, dash=DASHES[k], marker=MARKERS[k] if markers else "", size=4.0)


# ------------------------------------------------------------------ scenes

@dataclass(eq=False)
class _Item:
    kind: str                    # "line", "text" or "contour"
    style: Style
    label: str = ""
    data: tuple = ()             # line: tuple of (x, y) arrays; text: (x, y, s, coords, ha, va, box)
    contour: tuple = ()          # (objective, levels, resolution)
    simplify: float = 0.0        # lines: drop vertices closer than this (axis fractions) to the line

    def key(self, panel: Panel) -> str:
        """A digest of everything that decides how this item looks (equal items are drawn once)."""
        h = hashlib.sha1(repr((self.kind, tuple(self.style), self.label)).encode())
        if self.kind == "line":
            for x, y in self.data:
                h.update(np.ascontiguousarray(x, dtype=np.float64).tobytes())
                h.update(b"|")
                h.update(np.ascontiguousarray(y, dtype=np.float64).tobytes())
                h.update(b"/")
        elif self.kind == "text":
            h.update(repr(self.data).encode())
        else:
            objective, levels, resolution = self.contour
            X, Y, Z = _contour_grid(objective, panel, resolution)
            h.update(Z.tobytes())
            h.update(np.asarray(levels, dtype=np.float64).tobytes())
        return h.hexdigest()


@dataclass
class Panel:
    """One set of axes of a :class:`Scene`: fixed limits, scales and labels, and what is drawn on them.

    The axes (limits, scales, labels, title, legend entries) must be the same for every
    position of an interactive figure's controls; only the items drawn on them may change.
    Items drawn with a ``label`` appear in the figure's legend, which sits above the panels
    and so never covers data.
    """

    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xlabel: str = ""
    ylabel: str = ""
    title: str = ""
    xscale: str = "linear"
    yscale: str = "linear"
    equal: bool = False
    weight: float = 1.0
    grid: bool = True
    items: list[_Item] = field(default_factory=list)

    def __post_init__(self):
        for axis, scale, lim in (("x", self.xscale, self.xlim), ("y", self.yscale, self.ylim)):
            if scale not in ("linear", "log"):
                raise ValueError(f"{axis}scale must be 'linear' or 'log', got {scale!r}")
            lo, hi = (check_real(f"{axis}lim[0]", lim[0]), check_real(f"{axis}lim[1]", lim[1]))
            if not lo < hi:
                raise ValueError(f"{axis}lim must be (low, high) with low < high, got {lim!r}")
            if scale == "log" and lo <= 0:
                raise ValueError(f"{axis}lim must be positive on a log scale, got {lim!r}")
        self.xlim = (float(self.xlim[0]), float(self.xlim[1]))
        self.ylim = (float(self.ylim[0]), float(self.ylim[1]))
        check_positive("weight", self.weight)

    # -- drawing ---------------------------------------------------------
    def line(self, x, y, style: Style = Style(), *, label: str = "") -> Panel:
        """A polyline through the points ``(x[i], y[i])``; NaN breaks it. Markers if ``style.marker``."""
        x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
        self.items.append(_Item("line", style, str(label), ((x, y),)))
        return self

    def points(self, x, y, style: Style = Style(marker="o", width=0.0), *, label: str = "") -> Panel:
        """Markers only, at the points ``(x[i], y[i])``."""
        if not style.marker:
            raise ValueError("points needs a style with a marker, e.g. Style(marker='o', width=0)")
        return self.line(x, y, style._replace(width=0.0), label=label)

    def text(self, x: float, y: float, text: str, style: Style = Style(), *, coords: str = "axes",
             ha: str = "left", va: str = "top", box: bool = True) -> Panel:
        """Text at ``(x, y)``, in axes fractions (``coords="axes"``, 0 to 1) or in data coordinates."""
        if coords not in ("axes", "data"):
            raise ValueError(f"coords must be 'axes' or 'data', got {coords!r}")
        if ha not in ("left", "center", "right") or va not in ("top", "center", "bottom"):
            raise ValueError("ha must be left/center/right and va top/center/bottom")
        self.items.append(_Item("text", style, "", (float(x), float(y), str(text), coords, ha, va, bool(box))))
        return self

    def contour(self, objective, levels, style: Style = Style(color=GREY, width=0.8), *,
                resolution: int = 160) -> Panel:
        """Contour lines of a two-variable objective at the given ``levels``, over the panel's limits."""
        if getattr(objective, "dim", None) != 2:
            raise ValueError("contour needs an objective of two variables")
        levels = np.sort(np.asarray(levels, dtype=np.float64).ravel())
        if levels.size == 0 or not np.all(np.isfinite(levels)):
            raise ValueError("levels must be a non-empty list of finite numbers")
        self.items.append(_Item("contour", style, "", (), (objective, levels, int(resolution))))
        return self

    def path(self, traj, style: Style, *, label: str = "", note_row: int = 0, max_markers: int = 200) -> Panel:
        """A run's iterates as a connected path, its start ringed, and a note if it diverged.

        ``traj`` is a :class:`~course_lib.runner.Trajectory` of a two-variable problem. A
        diverged run is drawn up to its last finite iterate, and the panel says
        "<label>: diverged at step k" in its top-left corner (row ``note_row``).
        """
        xs = np.asarray(traj.xs, dtype=np.float64)
        if xs.ndim != 2 or xs.shape[1] != 2:
            raise ValueError("path needs the trajectory of a two-variable problem")
        marker = style.marker if len(xs) <= max_markers else ""
        self.line(xs[:, 0], xs[:, 1], style._replace(marker=marker), label=label)
        self.points(xs[:1, 0], xs[:1, 1], Style(color=style.color, marker="o", size=8.0, fill="none", width=0.0))
        return self.divergence_note(traj, label, style, note_row)

    def divergence_note(self, traj, label: str, style: Style, row: int = 0) -> Panel:
        """If ``traj`` diverged, say so (and when) in the top-left corner, in the run's colour."""
        if traj.diverged:
            name = f"{label}: " if label else ""
            self.text(0.02, 0.98 - 0.09 * row, f"{name}diverged at step {traj.diverged_at}",
                      Style(color=style.color, font=10.0))
        return self

    # -- geometry --------------------------------------------------------
    def fractions(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Data coordinates as fractions of the axes (0 to 1 inside; log axes in log10).

        On a log axis, zero and negative values are at ``-inf``: a line towards such a value
        drops vertically off the bottom of the panel (it is not left out, as matplotlib does).
        """
        u = _fraction(np.asarray(x, dtype=np.float64), self.xlim, self.xscale)
        v = _fraction(np.asarray(y, dtype=np.float64), self.ylim, self.yscale)
        return u, v

    def frame(self) -> tuple:
        """Everything about the axes that must not change with the controls (with the legend)."""
        legend = tuple((item.label, tuple(item.style)) for item in self.items if item.label)
        return (self.xlim, self.ylim, self.xlabel, self.ylabel, self.title, self.xscale, self.yscale,
                self.equal, self.weight, self.grid, legend)


def _fraction(values: np.ndarray, lim, scale: str) -> np.ndarray:
    lo, hi = lim
    if scale == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), -np.inf)
        logs = np.where(np.isnan(values), np.nan, logs)
        return (logs - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    return (values - lo) / (hi - lo)


@dataclass
class Scene:
    """A figure as data: panels side by side, each with its axes and what is drawn on them.

    Parameters
    ----------
    width, height : float
        Size in inches (100 px per inch on the page). At most 7.5 in wide, so that
        the text stays readable in the page's column.
    title : str
        A title above all panels.
    """

    width: float = 7.0
    height: float = 3.4
    title: str = ""
    panels: list[Panel] = field(default_factory=list)

    def __post_init__(self):
        w = check_positive("width", self.width)
        check_positive("height", self.height)
        if w > 7.5:
            raise ValueError(f"width must be at most 7.5 (inches), got {w!r}: "
                             "wider figures shrink their text on the page")

    def panel(self, xlim, ylim, **frame) -> Panel:
        """Add a panel to the right of the others and return it (keywords as in :class:`Panel`)."""
        panel = Panel(tuple(xlim), tuple(ylim), **frame)
        self.panels.append(panel)
        return panel

    def frame(self) -> tuple:
        """Everything about the figure that must not change with the controls."""
        return (self.width, self.height, self.title, tuple(p.frame() for p in self.panels))


# ------------------------------------------------------- contour lines

_GRID_CACHE: dict[tuple, tuple] = {}
_LINES_CACHE: dict[str, list] = {}


def _contour_grid(objective, panel: Panel, resolution: int):
    """``X, Y, Z`` of ``objective`` over the panel (cached per objective, by value where it has a
    ``cache_key``, else per object, and per window)."""
    identity = getattr(objective, "cache_key", ()) or id(objective)
    key = (identity, panel.xlim, panel.ylim, panel.xscale, panel.yscale, resolution)
    hit = _GRID_CACHE.get(key)
    if hit is not None and (hit[0] is objective or identity != id(objective)):
        return hit[1]
    xs = (np.geomspace if panel.xscale == "log" else np.linspace)(*panel.xlim, resolution)
    ys = (np.geomspace if panel.yscale == "log" else np.linspace)(*panel.ylim, resolution)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        Z = np.asarray(objective.value(np.stack([X, Y])), dtype=np.float64)
    if len(_GRID_CACHE) > 256:
        _GRID_CACHE.clear()
    _GRID_CACHE[key] = (objective, (X, Y, Z))
    return X, Y, Z


def contour_lines(objective, panel: Panel, levels, resolution: int = 160) -> list[tuple[np.ndarray, np.ndarray]]:
    """The contour lines of ``objective`` at ``levels`` over ``panel``, as ``(x, y)`` polylines."""
    from contourpy import contour_generator  # a dependency of matplotlib

    X, Y, Z = _contour_grid(objective, panel, resolution)
    digest = hashlib.sha1(Z.tobytes() + np.asarray(levels, dtype=np.float64).tobytes()
                          + repr((panel.xlim, panel.ylim)).encode()).hexdigest()
    if digest not in _LINES_CACHE:
        gen = contour_generator(X, Y, np.ma.masked_invalid(Z), line_type="Separate")
        lines = [(seg[:, 0].copy(), seg[:, 1].copy()) for level in levels for seg in gen.lines(level)]
        if len(_LINES_CACHE) > 256:
            _LINES_CACHE.clear()
        _LINES_CACHE[digest] = lines
    return _LINES_CACHE[digest]


def _resolved(item: _Item, panel: Panel) -> _Item:
    """A contour item turned into a line item (polylines); other items unchanged."""
    if item.kind != "contour":
        return item
    objective, levels, resolution = item.contour
    return _Item("line", item.style, item.label, tuple(contour_lines(objective, panel, levels, resolution)),
                 simplify=CONTOUR_TOLERANCE)


#: Contour lines sent to the page are simplified: no vertex of the exact line is farther than this
#: (in fractions of the panel: under 0.4 px on a 700 px panel) from the simplified one.
CONTOUR_TOLERANCE = 5e-4


def simplify_polyline(u: np.ndarray, v: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Ramer-Douglas-Peucker: keep the fewest vertices so that every dropped one lies within
    ``tolerance`` of the simplified line (the first and last vertices are kept)."""
    n = len(u)
    if n <= 2 or tolerance <= 0:
        return u, v
    points = np.column_stack([u, v])
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = points[i], points[j]
        ab = b - a
        inner = points[i + 1:j]
        length2 = float(ab @ ab)
        if length2 < 1e-300:
            dist = np.linalg.norm(inner - a, axis=1)
        else:
            t = np.clip((inner - a) @ ab / length2, 0.0, 1.0)
            dist = np.linalg.norm(inner - (a + t[:, None] * ab), axis=1)
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack.extend([(i, i + 1 + k), (i + 1 + k, j)])
    return u[keep], v[keep]


# ----------------------------------------------------------- matplotlib

def scene_figure(scene: Scene, *, include=None) -> Figure:
    """Draw ``scene`` with matplotlib; ``include(panel_index, item)`` chooses the items (default: all)."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(scene.width, scene.height), layout="constrained")
        axes = fig.subplots(1, len(scene.panels), squeeze=False,
                            width_ratios=[p.weight for p in scene.panels])[0]
        handles, seen = [], set()
        for i, (panel, ax) in enumerate(zip(scene.panels, axes)):
            ax.set_xscale(panel.xscale)
            ax.set_yscale(panel.yscale)
            for axis, scale in ((ax.xaxis, panel.xscale), (ax.yaxis, panel.yscale)):
                if scale == "log":
                    axis.set_major_formatter(_POWER_OF_TEN)
            ax.set_xlim(*panel.xlim)
            ax.set_ylim(*panel.ylim)
            ax.set_xlabel(panel.xlabel)
            ax.set_ylabel(panel.ylabel)
            if panel.title:
                ax.set_title(panel.title)
            ax.grid(panel.grid)
            if panel.equal:
                ax.set_aspect("equal", adjustable="box")
            for item in panel.items:
                if item.label and item.label not in seen:
                    seen.add(item.label)
                    handles.append(_legend_handle(item))
                if include is None or include(i, item):
                    _draw_item(ax, _resolved(item, panel))
        if scene.title:
            fig.suptitle(scene.title)
        if handles:
            fig.legend(handles=handles, loc="outside upper center", ncols=min(len(handles), 3))
    return fig


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _power_of_ten(value, _pos=None) -> str:
    """Tick label ``10⁻⁸`` in plain text (matplotlib's default goes through its slow TeX parser)."""
    if value <= 0:
        return ""
    exponent = math.log10(value)
    if abs(exponent - round(exponent)) > 1e-9:
        return ""
    return "10" + str(int(round(exponent))).translate(_SUPERSCRIPT)


def _make_power_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(_power_of_ten)


_POWER_OF_TEN = _make_power_formatter()


def _legend_handle(item: _Item):
    from matplotlib.lines import Line2D

    return Line2D([], [], label=item.label, **item.style.line_kwargs())


def _draw_item(ax, item: _Item) -> None:
    s = item.style
    if item.kind == "line":
        for x, y in item.data:
            ax.plot(x, y, **s.line_kwargs())
    else:
        x, y, text, coords, ha, va, box = item.data
        ax.text(x, y, text, color=s.color, fontsize=s.font, ha=ha, va=va, zorder=10,
                transform=ax.transAxes if coords == "axes" else ax.transData,
                bbox=dict(fc="white", ec="none", alpha=0.85, pad=1.5) if box else None)


_NUMBER = re.compile(rb"(-?\d+\.\d)\d+")


def _compact_path(d: bytes) -> bytes:
    d = re.sub(rb"\s+", b" ", _NUMBER.sub(rb"\1", d))
    return re.sub(rb" ?([MLQCZz]) ?", rb"\1", d)


def svg_bytes(fig: Figure, *, tight: bool = False) -> bytes:
    """``fig`` as a compact SVG: glyphs as shapes, path coordinates to 0.1 pt (0.13 px), no metadata."""
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": "course_lib"}):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight" if tight else None, metadata={"Date": None},
                    facecolor="white")
    svg = buffer.getvalue()
    # Path coordinates to 0.1 pt and positions to 0.01 pt (glyph scale factors keep their precision);
    # no comments, metadata, group ids or indentation.
    svg = re.sub(rb'( d="[^"]*")', lambda m: _compact_path(m.group(1)), svg)
    svg = re.sub(rb'((?: x| y| width| height)="-?\d+\.\d\d)\d+', rb"\1", svg)
    svg = re.sub(rb"translate\((-?\d+\.\d\d)\d* (-?\d+\.\d\d)\d*\)", rb"translate(\1 \2)", svg)
    svg = re.sub(rb"\s*<metadata>.*?</metadata>", b"", svg, flags=re.S)
    svg = re.sub(rb"\s*<!--.*?-->", b"", svg, flags=re.S)
    svg = re.sub(rb'<g id="[^"]*"', b"<g", svg)
    svg = re.sub(rb">\s+<", b"><", svg)
    return re.sub(rb"^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", b"", svg, flags=re.S)


# --------------------------------------------------- data for the page

_LOW, _SPAN = -0.5, 2.0     # coordinates are kept within [-0.5, 1.5] axis fractions, 1/32767.5 apart


def encode_polyline(u: np.ndarray, v: np.ndarray, simplify: float = 0.0) -> list[str]:
    """Axis fractions of a polyline as base64 strings of little-endian uint16 pairs, one per visible piece.

    Segments are clipped to the box [-0.5, 1.5]² (the panel and a margin around it), so
    the drawn part inside the panel is exact; non-finite points break the line. With
    ``simplify > 0`` each piece is simplified to that tolerance (:func:`simplify_polyline`).
    """
    pieces = _clip_polyline(u, v)
    out = []
    for pu, pv in pieces:
        if simplify > 0:
            pu, pv = simplify_polyline(pu, pv, simplify)
        q = np.empty(2 * len(pu), dtype="<u2")
        q[0::2] = np.round((pu - _LOW) / _SPAN * 65535.0)
        q[1::2] = np.round((pv - _LOW) / _SPAN * 65535.0)
        out.append(base64.b64encode(q.tobytes()).decode("ascii"))
    return out


def decode_polyline(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of one piece of :func:`encode_polyline` (axis fractions)."""
    q = np.frombuffer(base64.b64decode(text), dtype="<u2").astype(np.float64)
    return q[0::2] / 65535.0 * _SPAN + _LOW, q[1::2] / 65535.0 * _SPAN + _LOW


def _clip_polyline(u: np.ndarray, v: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    lo, hi = _LOW, _LOW + _SPAN
    u = np.where(u == -np.inf, -1e9, np.where(u == np.inf, 1e9, u))
    v = np.where(v == -np.inf, -1e9, np.where(v == np.inf, 1e9, v))
    finite = np.isfinite(u) & np.isfinite(v)
    inside = finite & (u >= lo) & (u <= hi) & (v >= lo) & (v <= hi)
    if inside.all():
        return [(u, v)] if len(u) else []
    # Liang-Barsky divides by the segment's extent; for a tiny extent the quotient is +-inf,
    # which its min/max handle correctly.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return _clip_pieces(u, v, finite, inside, lo, hi)


def _clip_pieces(u, v, finite, inside, lo, hi) -> list[tuple[np.ndarray, np.ndarray]]:
    pieces, cu, cv = [], [], []

    def flush():
        if cu:
            pieces.append((np.array(cu), np.array(cv)))
        cu.clear()
        cv.clear()

    for k in range(len(u)):
        if not finite[k]:
            flush()
            continue
        if k == 0 or not finite[k - 1]:
            if inside[k]:
                cu.append(u[k])
                cv.append(v[k])
            continue
        seg = _clip_segment(u[k - 1], v[k - 1], u[k], v[k], lo, hi)
        if seg is None:
            flush()
            continue
        (a_u, a_v), (b_u, b_v) = seg
        if not cu or (cu[-1], cv[-1]) != (a_u, a_v):
            flush()
            cu.append(a_u)
            cv.append(a_v)
        cu.append(b_u)
        cv.append(b_v)
        if not inside[k]:
            flush()
    flush()
    return pieces


def _clip_segment(u0, v0, u1, v1, lo, hi):
    """Liang-Barsky: the part of the segment inside [lo, hi]², or None."""
    du, dv = u1 - u0, v1 - v0
    t0, t1 = 0.0, 1.0
    for p, q in ((-du, u0 - lo), (du, hi - u0), (-dv, v0 - lo), (dv, hi - v0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (u0 + t0 * du, v0 + t0 * dv), (u0 + t1 * du, v0 + t1 * dv)


class Layout(NamedTuple):
    """Where the panels of a drawn scene are, for the page's script."""

    size: tuple[float, float]                          # figure width and height, pt
    boxes: tuple[tuple[float, float, float, float], ...]  # per panel: left, top, width, height, pt


def layout_of(fig: Figure, *, drawn: bool = False) -> Layout:
    """The panels' boxes in points from the top-left corner (after constrained layout and aspect).

    ``drawn=True`` says the figure was just drawn (saved), so its layout is final.
    """
    if not drawn:
        fig.draw_without_rendering()
    w, h = fig.get_size_inches() * 72.0
    boxes = []
    for ax in fig.axes:
        ax.apply_aspect()
        pos = ax.get_position(original=False)
        boxes.append(tuple(round(float(v), 3) for v in (pos.x0 * w, (1.0 - pos.y1) * h, pos.width * w, pos.height * h)))
    return Layout((round(float(w), 3), round(float(h), 3)), tuple(boxes))


def encode_item(panel_index: int, panel: Panel, item: _Item, style_index: int) -> dict:
    """An item as the page's script draws it (coordinates as axis fractions)."""
    item = _resolved(item, panel)
    if item.kind == "line":
        pieces = []
        for x, y in item.data:
            pieces.extend(encode_polyline(*panel.fractions(x, y), simplify=item.simplify))
        return {"k": "L", "p": panel_index, "s": style_index, "d": pieces}
    x, y, text, coords, ha, va, box = item.data
    if coords == "data":
        u, v = panel.fractions(np.array([x]), np.array([y]))
        x, y = float(u[0]), float(v[0])
    out = {"k": "T", "p": panel_index, "s": style_index, "x": round(x, 5), "y": round(y, 5), "t": text}
    if ha != "left":
        out["ha"] = ha
    if va != "top":
        out["va"] = va
    if box:
        out["b"] = 1
    return out


def json_dumps(data) -> str:
    """Compact JSON that is safe inside an HTML ``<script>`` element."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")


# ------------------------------------------------------ ready-made scenes

def contour_scene(objective, runs: Mapping[str, object], *, bounds=None, levels=12, loss: bool = False,
                  loss_steps: int | None = None, loss_ylim=(1e-8, 1e4), rates: Mapping[str, float] | None = None,
                  title: str = "", width: float | None = None, height: float = 3.6,
                  markers: bool = True) -> Scene:
    """Paths of runs over the contour lines of a two-variable objective, and optionally their loss.

    Parameters
    ----------
    objective : Objective
        A function of two variables; the contour panel has equal scales on both axes.
    runs : mapping of label to Trajectory
        The runs to draw, each in its own colour, dash pattern and marker.
    bounds : ((x1_low, x1_high), (x2_low, x2_high)), optional
        The window; defaults to ``objective.bounds``.
    levels : int or sequence of float
        Contour levels: a number of levels spread geometrically between the smallest and
        largest value above the minimum in the window, or the levels themselves.
    loss : bool
        Add a second panel, linked to the first: the relative loss
        :math:`(f(x_t) - f^\\star)/(f(x_0) - f^\\star)` against the step on a log scale.
    loss_steps : int, optional
        The loss panel's horizontal range (default: the longest run).
    loss_ylim : (low, high)
        The loss panel's vertical range; values outside it are clipped.
    rates : mapping of label to float, optional
        For each run, a factor :math:`\\rho` to draw as the dashed prediction :math:`\\rho^{2t}`
        in the loss panel (the relative loss of gradient descent on a quadratic shrinks by
        about :math:`\\rho^2` per step).
    """
    if objective.dim != 2:
        raise ValueError(f"contour_scene needs a 2-D objective, {objective.name} has {objective.dim} variables")
    (x_lo, x_hi), (y_lo, y_hi) = bounds if bounds is not None else objective.bounds
    scene = Scene(width=width or (7.2 if loss else 6.0), height=height, title=title)
    names = objective.variables
    paths = scene.panel((x_lo, x_hi), (y_lo, y_hi), xlabel=f"${names[0]}$", ylabel=f"${names[1]}$",
                        equal=True, grid=False, weight=1.15 if loss else 1.0)
    if np.ndim(levels) == 0:
        levels = _default_levels(objective, paths, int(levels))
    paths.contour(objective, levels)
    if objective.minimizer is not None:
        paths.points([objective.minimizer[0]], [objective.minimizer[1]],
                     Style(color="#000000", marker="*", size=11.0, fill="#ffffff", width=0.0), label="minimizer")
    if loss:
        longest = max((t.steps for t in runs.values()), default=1)
        steps = loss_steps or max(longest, 1)
        curve = scene.panel((0, steps), loss_ylim, yscale="log", xlabel="step $t$",
                            ylabel=r"$(f(x_t) - f^\star)\,/\,(f(x_0) - f^\star)$")
    f_star = objective.min_value
    for i, (label, traj) in enumerate(runs.items()):
        style = series_style(i, markers=markers)
        paths.path(traj, style, label=label, note_row=i)
        if loss:
            gap = traj.values - (f_star if f_star is not None else 0.0)
            curve.line(np.arange(len(gap)), gap / gap[0], style._replace(marker=""))
            if rates and label in rates:
                t = np.array([0.0, float(steps)])
                with np.errstate(divide="ignore", over="ignore"):
                    predicted = float(rates[label]) ** (2.0 * t)
                curve.line(t, predicted, Style(color=style.color, width=1.0, dash=(2.0, 2.0)))
    return scene


def _default_levels(objective, panel: Panel, n: int) -> np.ndarray:
    X, Y, Z = _contour_grid(objective, panel, 160)
    base = objective.min_value if objective.min_value is not None else float(np.nanmin(Z))
    gap = Z - base
    top = float(np.nanmax(gap))
    low = max(float(np.nanpercentile(gap, 2)), top * 1e-4, 1e-12)
    return base + np.geomspace(low, top, n)
