"""Interactive figures: one call turns "parameters → figure" into sliders.

Write a function that takes the parameters as keyword arguments and returns a
:class:`matplotlib.figure.Figure`, and describe each parameter's range with a
:class:`Slider`::

    def draw(lr):
        return plot_contour(ellipse(), run(gd(lr=lr), ellipse(), [-5, -2], 30))

    explore(draw, lr=Slider(0.05, 0.55, 0.05, value=0.4, label="learning rate η"))

In a live kernel this shows ipywidgets sliders that redraw the figure. Each
slider has a finite set of positions (``low``, ``low + step``, …, ``high``), so
the same call also renders every frame ahead of time into a self-contained
HTML scrubber (:meth:`Explorer.static_html`): on the website, which has no
kernel, moving the slider swaps precomputed images. A notebook output carries
both; Jupyter shows the widget, the website shows the scrubber.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from dataclasses import dataclass
from itertools import product
from typing import Callable, Dict, Iterator, Tuple

import numpy as np
from matplotlib.figure import Figure

from ._validation import check_positive, check_real
from .plotting import compact_png

__all__ = ["Slider", "Explorer", "explore"]


@dataclass(frozen=True)
class Slider:
    """A numeric parameter with a finite range of positions.

    Parameters
    ----------
    low, high : float
        The range, ``low < high``.
    step : float
        Distance between positions; ``(high - low) / step`` must be a whole number.
    value : float
        The starting position, one of the positions.
    label : str
        Text shown beside the slider (defaults to the parameter's name).
    fmt : str
        Format of the number shown beside the slider, e.g. ``".2f"``.
    """

    low: float
    high: float
    step: float
    value: float
    label: str = ""
    fmt: str = ".3g"

    def __post_init__(self):
        low, high = check_real("low", self.low), check_real("high", self.high)
        step = check_positive("step", self.step)
        value = check_real("value", self.value)
        if not low < high:
            raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
        n = (high - low) / step
        if abs(n - round(n)) > 1e-9 * max(1.0, n):
            raise ValueError(f"(high - low) / step must be a whole number, got {n:g}")
        k = (value - low) / step
        if not (low - 1e-12 <= value <= high + 1e-12) or abs(k - round(k)) > 1e-9 * max(1.0, abs(k)):
            raise ValueError(f"value must be one of the slider's positions low + k*step in [{low:g}, {high:g}], got {value!r}")

    @property
    def positions(self) -> np.ndarray:
        """Every value the slider can take, from ``low`` to ``high``."""
        n = int(round((self.high - self.low) / self.step))
        return np.round(self.low + self.step * np.arange(n + 1), 12)


class Explorer:
    """A figure-drawing function together with the sliders that drive it.

    Displaying an ``Explorer`` in a live notebook shows the sliders and the
    figure. Create one with :func:`explore`.
    """

    #: Most frames a static version may hold (every frame is an image in the page).
    MAX_FRAMES = 60

    def __init__(self, draw: Callable[..., Figure], sliders: Dict[str, Slider], alt: str = ""):
        if not callable(draw):
            raise ValueError(f"draw must be a function returning a matplotlib Figure, got {draw!r}")
        if not sliders:
            raise ValueError("explore needs at least one slider, e.g. explore(draw, lr=Slider(0.1, 1.0, 0.1, value=0.5))")
        for name, slider in sliders.items():
            if not isinstance(slider, Slider):
                raise ValueError(f"{name} must be a Slider, got {slider!r}")
        self.draw = draw
        self.sliders = dict(sliders)
        self.alt = str(alt) or self.describe()

    def figure(self, **params) -> Figure:
        """Draw the figure for the given parameters (missing ones take their starting value)."""
        unknown = set(params) - set(self.sliders)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; the sliders are {sorted(self.sliders)}")
        values = {name: s.value for name, s in self.sliders.items()}
        values.update(params)
        fig = self.draw(**values)
        if not isinstance(fig, Figure):
            raise ValueError(f"draw must return a matplotlib Figure, it returned {type(fig).__name__}")
        return fig

    def frames(self) -> Iterator[Tuple[Dict[str, float], Figure]]:
        """Every combination of slider positions (first slider slowest), with its figure."""
        for params in self._grid():
            yield params, self.figure(**params)

    @property
    def n_frames(self) -> int:
        """Number of distinct figures the sliders can show."""
        return math.prod(len(s.positions) for s in self.sliders.values())

    def describe(self) -> str:
        """A one-line text description (what a text-only display shows)."""
        parts = [f"{s.label or n} in [{s.low:{s.fmt}}, {s.high:{s.fmt}}] (start {s.value:{s.fmt}})"
                 for n, s in self.sliders.items()]
        return "Interactive figure: " + "; ".join(parts)

    def png(self, dpi: int = 100, **params) -> bytes:
        """The figure for ``params`` as PNG bytes (what both the live and the static version show)."""
        buffer = io.BytesIO()
        self.figure(**params).savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        return buffer.getvalue()

    def static_html(self, dpi: int = 80) -> str:
        """A kernel-free version: range inputs that swap precomputed frames, in one HTML snippet.

        Every combination of slider positions is rendered once, as a PNG embedded in
        the page; a few lines of inline JavaScript (no library, no network) show the
        frame that matches the inputs. Raises ``ValueError`` if there are more than
        :attr:`MAX_FRAMES` frames, to keep pages light.
        """
        if self.n_frames > self.MAX_FRAMES:
            raise ValueError(f"{self.n_frames} frames are too many for a static page (at most {self.MAX_FRAMES}); "
                             "use fewer slider positions")
        names = list(self.sliders)
        frames = [base64.b64encode(compact_png(self.png(dpi=dpi, **params))).decode("ascii")
                  for params in self._grid()]
        labels = [[f"{v:{self.sliders[n].fmt}}" for v in self.sliders[n].positions] for n in names]
        start = [int(round((self.sliders[n].value - self.sliders[n].low) / self.sliders[n].step)) for n in names]
        index = 0
        for n, k in zip(names, start):
            index = index * len(self.sliders[n].positions) + k
        data = {"shape": [len(lab) for lab in labels], "labels": labels, "names": [self.sliders[n].label or n for n in names],
                "alt": self.alt, "frames": frames}
        controls = "".join(
            f'<label class="course-explorer-control"><span>{html.escape(self.sliders[n].label or n)}</span> '
            f'<input type="range" min="0" max="{len(labels[i]) - 1}" step="1" value="{start[i]}" '
            f'aria-label="{html.escape(self.sliders[n].label or n)}"> '
            f'<output>{html.escape(labels[i][start[i]])}</output></label>'
            for i, n in enumerate(names)
        )
        payload = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
        return (
            f'<div class="course-explorer">{controls}'
            f'<img class="course-explorer-frame" src="data:image/png;base64,{frames[index]}" '
            f'alt="{html.escape(self._frame_alt(names, [labels[i][start[i]] for i in range(len(names))]))}">'
            f'<script type="application/json" class="course-explorer-data">{payload}</script>'
            f"</div><script>{_EXPLORER_JS}</script>"
        )

    def _frame_alt(self, names, shown) -> str:
        parts = ", ".join(f"{self.sliders[n].label or n} = {v}" for n, v in zip(names, shown))
        return f"{self.alt} ({parts})"

    def _grid(self) -> Iterator[Dict[str, float]]:
        """Every combination of slider positions, first slider slowest (the frames' order)."""
        names = list(self.sliders)
        for combo in product(*(self.sliders[n].positions for n in names)):
            yield {n: float(v) for n, v in zip(names, combo)}

    def widget(self):
        """The live version: ipywidgets sliders above an image that is redrawn when they move."""
        import ipywidgets as widgets

        controls = {
            name: widgets.FloatSlider(
                value=s.value, min=s.low, max=s.high, step=s.step, description=s.label or name,
                readout_format=s.fmt, continuous_update=False, style={"description_width": "initial"},
                layout=widgets.Layout(width="28em"),
            )
            for name, s in self.sliders.items()
        }
        image = widgets.Image(format="png")

        def redraw(change=None):
            image.value = self.png(**{n: c.value for n, c in controls.items()})

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        return widgets.VBox([*controls.values(), image])

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            bundle = self.widget()._repr_mimebundle_()
        except ImportError:  # no ipywidgets: the static version still works
            bundle = {}
        bundle["text/html"] = self.static_html()
        # The widget's own text form lists its whole state (including the image
        # bytes); a short description is stable and readable instead.
        bundle["text/plain"] = self.describe()
        return bundle

    def __repr__(self) -> str:
        return self.describe()


_EXPLORER_JS = """(function () {
  var root = document.currentScript && document.currentScript.previousElementSibling;
  if (!root || !root.classList.contains("course-explorer")) { return; }
  var data = JSON.parse(root.querySelector("script.course-explorer-data").textContent);
  var inputs = Array.prototype.slice.call(root.querySelectorAll("input[type=range]"));
  var img = root.querySelector("img.course-explorer-frame");
  function show() {
    var index = 0, parts = [];
    inputs.forEach(function (input, i) {
      var k = Number(input.value);
      index = index * data.shape[i] + k;
      input.nextElementSibling.textContent = data.labels[i][k];
      parts.push(data.names[i] + " = " + data.labels[i][k]);
    });
    img.src = "data:image/png;base64," + data.frames[index];
    img.alt = data.alt + " (" + parts.join(", ") + ")";
  }
  inputs.forEach(function (input) { input.addEventListener("input", show); });
})();"""


def explore(draw: Callable[..., Figure], *, alt: str = "", **sliders: Slider) -> Explorer:
    """Make an interactive figure from ``draw(**params) -> Figure`` and one :class:`Slider` per parameter.

    ``alt`` describes the figure for readers who cannot see it; the current slider
    values are appended to it on the website.

    Examples
    --------
    >>> from course_lib import Slider, explore, plot_1d, parabola, run, gd
    >>> ex = explore(lambda lr: plot_1d(parabola(), run(gd(lr=lr), parabola(), 10.0, 10)),
    ...              lr=Slider(0.1, 1.0, 0.1, value=0.3))
    >>> ex.n_frames
    10
    """
    return Explorer(draw, sliders, alt=alt)
