"""Interactive figures: one call turns "parameters → figure" into controls.

Write a function that takes the parameters as keyword arguments and returns a
:class:`~course_lib.scene.Scene` (panels, and the lines, points and text drawn on
them), and describe each parameter with a control::

    def draw(lr):
        traj = run(gd(lr=lr), ellipse(), [-5.0, -2.0], 20)
        return contour_scene(ellipse(), {"GD": traj})

    explore(draw, lr=Slider(0.05, 0.6, 0.05, value=0.4,
                            label="learning rate η"))

Every control has a finite list of positions, so the same call serves two readers:

* **in a live kernel** it shows the controls; moving one re-runs ``draw`` for that
  position, and only the parts of the figure that change are sent and redrawn;
* **on the website**, which has no kernel, every combination was computed when the
  page was built. The parts that are the same in every combination (axes, contour
  lines of a fixed objective, the legend) were drawn once by matplotlib; the parts
  that change (paths, curves, "diverged at step k") travel as compact data, which
  the course's own small script (``static/explorer.js``) draws over the background.

A ``draw`` that returns a matplotlib ``Figure`` instead still works, as a fallback for
pictures that are not lines, points and text: every combination is then stored as
an image, which costs far more, so at most :attr:`Explorer.MAX_FRAMES` are allowed.
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from matplotlib.figure import Figure

from ._validation import check_positive, check_real
from .scene import STYLE, Scene, encode_item, json_dumps, layout_of, scene_figure, svg_bytes

__all__ = ["Slider", "Choice", "Explorer", "explore"]


class Control:
    """A parameter of an interactive figure with a finite list of positions."""

    kind = "slider"

    def __init__(self, values: Sequence[Any], labels: Sequence[str], start: int, label: str):
        self.values = tuple(values)
        self.labels = tuple(labels)
        self.start = int(start)
        self.label = str(label)

    @property
    def value(self):
        """The starting value."""
        return self.values[self.start]

    @property
    def positions(self) -> tuple:
        """Every value the control can take, in order."""
        return self.values

    def spec(self, name: str) -> dict:
        return {"name": name, "label": self.label or name, "kind": self.kind, "labels": list(self.labels),
                "start": self.start}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label or '?'}: {', '.join(self.labels)}; start {self.labels[self.start]})"


class Slider(Control):
    """A numeric parameter that takes one of a finite list of values.

    Either an evenly spaced range, ``Slider(low, high, step, value=...)``, or any
    increasing list, ``Slider(values=[0.9, 0.99, 0.999], value=0.99)``; for
    log-spaced values use :meth:`Slider.log`.

    Parameters
    ----------
    low, high, step : float, optional
        The range ``low, low + step, ..., high``; ``(high - low) / step`` must be a whole number.
    values : sequence of float, optional
        The positions themselves, strictly increasing (instead of ``low``, ``high``, ``step``).
    value : float
        The starting position, one of the positions.
    label : str
        Text shown beside the slider and read by screen readers (defaults to the parameter's name).
    fmt : str
        Format of the values shown, e.g. ``".2f"``. Two positions may not look the same:
        a format that makes labels collide raises ``ValueError``.
    """

    def __init__(self, low=None, high=None, step=None, *, value, values=None, label: str = "", fmt: str = ".3g"):
        if values is None:
            if low is None or high is None or step is None:
                raise ValueError("give either low, high and step, or values=[...]")
            low, high = check_real("low", low), check_real("high", high)
            step = check_positive("step", step)
            if not low < high:
                raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
            n = (high - low) / step
            if abs(n - round(n)) > 1e-9 * max(1.0, n):
                raise ValueError(f"(high - low) / step must be a whole number, got {n:g}")
            values = np.round(low + step * np.arange(int(round(n)) + 1), 12)
        elif low is not None or high is not None or step is not None:
            raise ValueError("give either low, high and step, or values=[...], not both")
        vals = [check_real(f"values[{i}]", v) for i, v in enumerate(values)]
        if len(vals) < 2:
            raise ValueError(f"a slider needs at least two values, got {len(vals)}")
        if any(b <= a for a, b in zip(vals, vals[1:])):
            raise ValueError(f"values must be strictly increasing, got {vals}")
        value = check_real("value", value)
        matches = [i for i, v in enumerate(vals) if abs(v - value) <= 1e-9 * max(1.0, abs(v))]
        if not matches:
            shown = ", ".join(f"{v:g}" for v in vals[:6]) + (", ..." if len(vals) > 6 else "")
            raise ValueError(f"value must be one of the slider's positions ({shown}), got {value!r}")
        try:
            labels = [format(v, fmt) for v in vals]
        except (ValueError, TypeError) as err:
            raise ValueError(f"fmt must be a number format such as '.3g', got {fmt!r}") from err
        _check_distinct(labels, fmt)
        super().__init__(vals, labels, matches[0], label)
        self.fmt = fmt

    @classmethod
    def log(cls, low: float, high: float, num: int, *, value: float, label: str = "", fmt: str = ".3g") -> Slider:
        """``num`` values spaced evenly on a log scale from ``low`` to ``high`` (both > 0).

        ``value`` is snapped to the nearest position. Learning rates are the typical use::

            Slider.log(1e-3, 1.0, 13, value=0.1, label="learning rate η")
        """
        low, high = check_positive("low", low), check_positive("high", high)
        if not low < high:
            raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
        if isinstance(num, bool) or not isinstance(num, numbers.Integral) or num < 2:
            raise ValueError(f"num must be an integer >= 2, got {num!r}")
        vals = np.geomspace(low, high, int(num))
        vals = [float(f"{v:.6g}") for v in vals]
        value = check_positive("value", value)
        nearest = vals[int(np.argmin(np.abs(np.log(vals) - math.log(value))))]
        return cls(values=vals, value=nearest, label=label, fmt=fmt)


class Choice(Control):
    """A choice among named options (which optimizer, which objective, ...).

    Parameters
    ----------
    options : sequence of str, or mapping of str to anything
        The names shown. With a mapping, ``draw`` receives the value of the chosen name
        (for example an optimizer); with a sequence, the name itself.
    value : str, optional
        The starting option's name (default: the first).
    label : str
        Text shown above the options (defaults to the parameter's name).
    """

    kind = "choice"

    def __init__(self, options: Sequence[str] | Mapping[str, Any], *, value: str | None = None,
                 label: str = ""):
        if isinstance(options, Mapping):
            names, values = [str(k) for k in options], list(options.values())
        elif isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
            raise ValueError(f"options must be a list of names or a mapping name -> value, got {options!r}")
        else:
            names, values = [str(o) for o in options], list(options)
        if len(names) < 2:
            raise ValueError(f"a choice needs at least two options, got {len(names)}")
        _check_distinct(names, None)
        if value is None:
            start = 0
        elif str(value) in names:
            start = names.index(str(value))
        else:
            raise ValueError(f"value must be one of the options {names}, got {value!r}")
        super().__init__(values, names, start, label)


def _check_distinct(labels: Sequence[str], fmt: str | None) -> None:
    seen: dict[str, int] = {}
    for text in labels:
        seen[text] = seen.get(text, 0) + 1
    repeated = {t: n for t, n in seen.items() if n > 1}
    if repeated:
        text, n = next(iter(repeated.items()))
        hint = f"; use a format with more digits than {fmt!r}, e.g. fmt='.4g'" if fmt else ""
        raise ValueError(f"positions must look different, but '{text}' labels {n} of them{hint}")


class Explorer:
    """A drawing function together with the controls that drive it. Create one with :func:`explore`.

    Displaying an ``Explorer`` in a notebook shows the live controls (when a kernel runs)
    and carries the website's kernel-free version.
    """

    #: Most combinations the image fallback may store (every one is a picture in the page).
    MAX_FRAMES = 60

    def __init__(self, draw: Callable[..., Scene | Figure], controls: dict[str, Control], alt: str = ""):
        if not callable(draw):
            raise ValueError(f"draw must be a function returning a Scene (or a matplotlib Figure), got {draw!r}")
        if not controls:
            raise ValueError("explore needs at least one control, "
                             "e.g. explore(draw, lr=Slider(0.1, 1.0, 0.1, value=0.5))")
        for name, control in controls.items():
            if not isinstance(control, Control):
                raise ValueError(f"{name} must be a Slider or a Choice, got {control!r}")
        self.draw = draw
        self.controls = dict(controls)
        self.alt = str(alt) or self.describe()
        self._built: dict | None = None

    @property
    def sliders(self) -> dict[str, Control]:
        """The controls, by parameter name (an older name of ``controls``)."""
        return self.controls

    # -- one combination -------------------------------------------------
    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(params) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; the controls are {sorted(self.controls)}")
        values = {name: c.value for name, c in self.controls.items()}
        values.update(params)
        return values

    def scene(self, **params) -> Scene | Figure:
        """What ``draw`` returns for the given parameters (missing ones take their starting value)."""
        out = self.draw(**self._params(params))
        if not isinstance(out, (Scene, Figure)):
            raise ValueError(f"draw must return a Scene (or a matplotlib Figure), it returned {type(out).__name__}")
        return out

    def figure(self, **params) -> Figure:
        """The whole figure for the given parameters, drawn by matplotlib."""
        out = self.scene(**params)
        return scene_figure(out) if isinstance(out, Scene) else out

    def combinations(self) -> Iterator[dict[str, Any]]:
        """Every combination of the controls' positions, first control slowest."""
        names = list(self.controls)
        for combo in product(*(self.controls[n].values for n in names)):
            yield dict(zip(names, combo))

    def frames(self) -> Iterator[tuple[dict[str, Any], Figure]]:
        """Every combination with its whole figure (slow: for tests and printing)."""
        for params in self.combinations():
            yield params, self.figure(**params)

    @property
    def n_frames(self) -> int:
        """Number of combinations of the controls."""
        return math.prod(len(c.values) for c in self.controls.values())

    def describe(self) -> str:
        """A one-line text description (what a text-only display shows)."""
        parts = [f"{c.label or n} in {{{', '.join(c.labels)}}} (start {c.labels[c.start]})"
                 if len(c.labels) <= 4 else
                 f"{c.label or n} in [{c.labels[0]}, {c.labels[-1]}] (start {c.labels[c.start]})"
                 for n, c in self.controls.items()]
        return "Interactive figure: " + "; ".join(parts)

    # -- every combination, for the website --------------------------------
    def build(self) -> dict:
        """Compute every combination once: the background, the style table, unique marks, frames.

        Returns the data the page's script reads (also what :meth:`static_html` embeds).
        """
        if self._built is None:
            first = self.scene()
            self._built = self._build_scenes(first) if isinstance(first, Scene) else self._build_images()
        return self._built

    def _build_scenes(self, first: Scene) -> dict:
        names = list(self.controls)
        frame0, start_params = first.frame(), self._params({})
        scenes, keys, counts = [], [], {}
        for params in self.combinations():
            scene = self.scene(**params)
            if not isinstance(scene, Scene):
                raise ValueError("draw must return a Scene for every combination (it returned a Figure for "
                                 f"{_show(params)})")
            if scene.frame() != frame0:
                raise ValueError(_frame_difference(frame0, scene.frame(), start_params, params))
            item_keys = [[item.key(panel) for item in panel.items] for panel in scene.panels]
            for k in {k for row in item_keys for k in row}:
                counts[k] = counts.get(k, 0) + 1
            scenes.append(scene)
            keys.append(item_keys)
        n = len(scenes)
        static = {k for k, c in counts.items() if c == n}

        first_keys = {id(item): key for panel, row in zip(scenes[0].panels, keys[0])
                      for item, key in zip(panel.items, row)}
        fig = scene_figure(scenes[0], include=lambda i, item: first_keys[id(item)] in static)
        background = svg_bytes(fig)
        layout = layout_of(fig, drawn=True)

        # Each distinct item is encoded once (its key says what it looks like), and equal marks
        # are stored once: contour lines that depend on one control only are shared, for example.
        styles, style_index, marks, encoded, by_text, frames = [], {}, [], {}, {}, []
        for scene, item_keys in zip(scenes, keys):
            frame = []
            for i, panel in enumerate(scene.panels):
                for item, key in zip(panel.items, item_keys[i]):
                    if key in static:
                        continue
                    if (i, key) not in encoded:
                        s = tuple(item.style)
                        if s not in style_index:
                            style_index[s] = len(styles)
                            styles.append(item.style.encode())
                        mark = encode_item(i, panel, item, style_index[s])
                        text = json_dumps(mark)
                        if text not in by_text:
                            by_text[text] = len(marks)
                            marks.append(mark)
                        encoded[i, key] = by_text[text]
                    frame.append(encoded[i, key])
            frames.append(frame)
        return {
            "v": 1, "size": list(layout.size), "panels": [list(b) for b in layout.boxes],
            # each panel's axes, so that a drawing can be read back in data coordinates (tests do)
            "axes": [[p.xlim[0], p.xlim[1], p.xscale, p.ylim[0], p.ylim[1], p.yscale] for p in first.panels],
            "styles": styles,
            "controls": [self.controls[n].spec(n) for n in names], "alt": self.alt,
            "background": svg_data_url(background), "marks": marks, "frames": frames,
            "_static": static, "_style_index": style_index, "_frame": frame0, "_encoded": encoded,
        }

    def _build_images(self) -> dict:
        if self.n_frames > self.MAX_FRAMES:
            raise ValueError(f"{self.n_frames} images are too many for a page (at most {self.MAX_FRAMES}): "
                             "return a Scene from draw (see course_lib.scene), or use fewer positions")
        names = list(self.controls)
        marks, size = [], None
        for params in self.combinations():
            fig = self.figure(**params)
            if size is None:
                size = [round(float(v) * 72.0, 3) for v in fig.get_size_inches()]
            marks.append(_image_mark(fig))
        return {"v": 1, "size": size, "panels": [], "axes": [], "styles": [],
                "controls": [self.controls[n].spec(n) for n in names], "alt": self.alt,
                "background": marks[self._start_index()]["src"], "marks": marks,
                "frames": [[k] for k in range(len(marks))], "_static": set(), "_style_index": {}, "_frame": None,
                "_encoded": {}}

    def _start_index(self) -> int:
        index = 0
        for c in self.controls.values():
            index = index * len(c.values) + c.start
        return index

    def spec(self) -> dict:
        """What the page's script needs besides the marks (sizes, panels, styles, controls, background)."""
        built = self.build()
        return {k: v for k, v in built.items() if k not in ("marks", "frames") and not k.startswith("_")}

    def marks(self, **params) -> list[dict]:
        """The marks of one combination, computed afresh: only what changes with the controls."""
        built = self.build()
        out = self.scene(**params)
        if isinstance(out, Figure):
            return [_image_mark(out)]
        if out.frame() != built["_frame"]:
            raise ValueError(_frame_difference(built["_frame"], out.frame(), self._params({}), self._params(params)))
        marks = []
        for i, panel in enumerate(out.panels):
            for item in panel.items:
                key = item.key(panel)
                if key in built["_static"]:
                    continue
                if (i, key) in built["_encoded"]:          # drawn before: contour lines, say
                    marks.append(built["marks"][built["_encoded"][i, key]])
                    continue
                s = built["_style_index"].get(tuple(item.style))
                mark = encode_item(i, panel, item, 0 if s is None else s)
                if s is None:
                    mark["s"] = item.style.encode()
                marks.append(mark)
        return marks

    def static_html(self) -> str:
        """The kernel-free version: the background, the data of every combination, and the script."""
        built = self.build()
        data = {k: v for k, v in built.items() if k != "background" and not k.startswith("_")}
        w, h = built["size"]
        start_alt = f"{self.alt} ({_show({c.label or n: c.labels[c.start] for n, c in self.controls.items()})})"
        return (
            '<div class="course-explorer">'
            f'<div class="course-explorer-figure"><img class="course-explorer-background" '
            f'src="{html.escape(built["background"])}" alt="{html.escape(start_alt)}" '
            f'width="{round(w * 4 / 3)}" height="{round(h * 4 / 3)}"></div>'
            f'<script type="application/json" class="course-explorer-data">{json_dumps(data)}</script>'
            f"</div><script>{_script()}\nCourseExplorer.mountStatic(document.currentScript.previousElementSibling);"
            "</script>"
        )

    # -- a live kernel ----------------------------------------------------
    def widget(self):
        """The live version (an anywidget): the page's script, fed by this kernel."""
        return _widget_class()(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {}
        try:
            shown = self.widget()._repr_mimebundle_()
        except ImportError:  # no anywidget: the static version still works
            shown = None
        if isinstance(shown, tuple):   # (data, metadata), as anywidget returns it
            shown = shown[0]
        bundle.update(shown or {})
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = self.describe()
        return bundle

    def __repr__(self) -> str:
        return self.describe()


def _show(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in params.items())


def _frame_difference(a: tuple, b: tuple, pa, pb) -> str:
    names = ("width", "height", "title")
    for name, x, y in zip(names, a, b):
        if x != y:
            return (f"the figure's {name} must not change with the controls: {x!r} at {_show(pa)}, "
                    f"{y!r} at {_show(pb)}; show changing numbers in a text mark instead")
    if len(a[3]) != len(b[3]):
        return (f"the number of panels must not change with the controls "
                f"({len(a[3])} at {_show(pa)}, {len(b[3])} at {_show(pb)})")
    fields = ("xlim", "ylim", "xlabel", "ylabel", "title", "xscale", "yscale", "equal", "weight", "grid", "legend")
    for i, (pa_, pb_) in enumerate(zip(a[3], b[3])):
        for name, x, y in zip(fields, pa_, pb_):
            if x != y:
                if name == "legend":
                    x = [entry[0] for entry in x]
                    y = [entry[0] for entry in y]
                return (f"panel {i}'s {name} must not change with the controls: {x!r} at {_show(pa)}, {y!r} at "
                        f"{_show(pb)}; put changing numbers in a text mark (Panel.text), not in labels")
    return "the figure's axes must not change with the controls"


def _image_mark(fig: Figure) -> dict:
    """A whole figure as one mark (the fallback for pictures that are not lines, points and text)."""
    return {"k": "I", "src": "data:image/png;base64," + base64.b64encode(_png(fig)).decode("ascii")}


def _png(fig: Figure) -> bytes:
    from .plotting import compact_png

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=STYLE["savefig.dpi"], facecolor="white")
    return compact_png(buffer.getvalue())


def svg_data_url(svg: bytes) -> str:
    """An SVG as a ``data:`` URL, percent-encoded only where needed (smaller than base64)."""
    text = svg.decode("utf-8").replace('"', "'").replace("\n", " ")
    return "data:image/svg+xml," + quote(text, safe=" '=:;,/()-._!*~$+?@[]{}|^`")


@cache
def _script() -> str:
    return (Path(__file__).parent / "static" / "explorer.js").read_text(encoding="utf-8")


@cache
def _widget_class():
    import anywidget
    import traitlets

    class ExplorerWidget(anywidget.AnyWidget):
        """The live explorer: the same script as the website; this kernel computes each combination."""

        _esm = _script() + ("\nexport default { render({ model, el }) "
                            "{ return CourseExplorer.mountLive(model, el); } };\n")
        spec = traitlets.Dict().tag(sync=True)
        marks = traitlets.List().tag(sync=True)
        position = traitlets.List().tag(sync=True)

        def __init__(self, explorer: Explorer):
            self._explorer = explorer
            start = [c.start for c in explorer.controls.values()]
            super().__init__(spec=explorer.spec(), position=start, marks=explorer.marks())

        @traitlets.observe("position")
        def _recompute(self, change):
            self.marks = self._explorer.marks(**self.params_at(change["new"]))

        def params_at(self, position) -> dict[str, Any]:
            """The parameters at a list of control positions."""
            controls = self._explorer.controls
            if len(position) != len(controls):
                raise ValueError(f"position must have {len(controls)} entries, got {list(position)!r}")
            return {name: c.values[int(k)] for (name, c), k in zip(controls.items(), position)}

    return ExplorerWidget


def explore(draw: Callable[..., Scene | Figure], *, alt: str = "", **controls: Control) -> Explorer:
    """Make an interactive figure from ``draw(**params)`` and one control per parameter.

    ``draw`` returns a :class:`~course_lib.scene.Scene` (or, as a costly fallback, a
    matplotlib ``Figure``). ``alt`` describes the figure for readers who cannot see it;
    the current values, and any note such as "diverged at step 12", are appended to it.

    Examples
    --------
    >>> from course_lib import Slider, explore, ellipse, gd, run
    >>> from course_lib.scene import contour_scene
    >>> ell = ellipse()
    >>> def draw(lr):
    ...     traj = run(gd(lr=lr), ell, [-5.0, -2.0], 20)
    ...     return contour_scene(ell, {"GD": traj})
    >>> ex = explore(draw, lr=Slider(values=[0.1, 0.2, 0.4], value=0.4))
    >>> ex.n_frames
    3
    """
    return Explorer(draw, controls, alt=alt)
