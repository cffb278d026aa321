"""Sliders, explorers and figures."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import Slider, ellipse, error_surface, explore, gd, parabola, plot_1d, plot_contour, plot_values, run


def test_slider_positions_and_validation():
    np.testing.assert_allclose(Slider(0.05, 0.6, 0.05, value=0.4).positions, np.arange(1, 13) * 0.05)
    with pytest.raises(ValueError, match="low must be smaller than high"):
        Slider(1.0, 0.0, 0.1, value=0.5)
    with pytest.raises(ValueError, match="whole number"):
        Slider(0.0, 1.0, 0.3, value=0.3)
    with pytest.raises(ValueError, match="value must be one of the slider's positions"):
        Slider(0.0, 1.0, 0.1, value=0.35)
    with pytest.raises(ValueError, match=r"step must be in \(0, inf\)"):
        Slider(0.0, 1.0, -0.1, value=0.5)


def draw(lr):
    return plot_contour(ellipse(), run(gd(lr=lr), ellipse(), [-5.0, -2.0], 5))


def test_explorer_draws_every_frame_and_reports_bad_use():
    ex = explore(draw, lr=Slider(0.1, 0.5, 0.2, value=0.3))
    frames = list(ex.frames())
    assert ex.n_frames == 3 and [p["lr"] for p, _ in frames] == pytest.approx([0.1, 0.3, 0.5])
    assert all(isinstance(fig, Figure) for _, fig in frames)
    assert ex.describe() == "Interactive figure: lr in [0.1, 0.5] (start 0.3)"
    with pytest.raises(ValueError, match="unknown parameter"):
        ex.figure(beta=0.5)
    with pytest.raises(ValueError, match="must return a matplotlib Figure"):
        explore(lambda lr: None, lr=Slider(0.1, 0.5, 0.2, value=0.3)).figure()
    with pytest.raises(ValueError, match="at least one slider"):
        explore(draw)
    with pytest.raises(ValueError, match="must be a Slider"):
        explore(draw, lr=0.1)


def test_widget_has_one_slider_per_parameter_and_redraws():
    ipywidgets = pytest.importorskip("ipywidgets")
    ex = explore(draw, lr=Slider(0.1, 0.5, 0.2, value=0.3))
    box = ex.widget()
    slider, image = box.children
    assert isinstance(slider, ipywidgets.FloatSlider) and slider.value == pytest.approx(0.3)
    assert bytes(image.value) == ex.png(lr=0.3) and bytes(image.value).startswith(b"\x89PNG")
    slider.value = 0.5
    assert bytes(image.value) == ex.png(lr=0.5) != ex.png(lr=0.3)
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == ex.describe()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_figures_have_labelled_axes_and_legends():
    E = error_surface()
    fig = plot_contour(E, {"gd": run(gd(lr=0.3), E, [1.0, 1.0], 10)})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$w_1$" and ax.get_ylabel() == "$w_2$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimizer", "gd"]

    diverging = run(gd(lr=1.1), parabola(), 10.0, 500)
    fig = plot_1d(parabola(), {"big": diverging})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[1] == f"big (diverged at step {diverging.diverged_at})"
    assert fig.axes[0].get_xlabel() == "$x$"

    fig = plot_values({"gd": run(gd(lr=0.3), E, [1.0, 1.0], 10)}, objective=E)
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xlabel() == "step $t$"


def test_plots_reject_objectives_of_the_wrong_dimension():
    with pytest.raises(ValueError, match="needs a 2-D objective"):
        plot_contour(parabola())
    with pytest.raises(ValueError, match="needs a 1-D objective"):
        plot_1d(ellipse())


def test_static_version_embeds_one_frame_per_slider_position():
    import json
    import re

    ex = explore(draw, alt="GD on the ellipse", lr=Slider(0.1, 0.5, 0.2, value=0.3))
    page = ex.static_html()
    data = json.loads(re.search(r'<script type="application/json" class="course-explorer-data">(.*?)</script>',
                                page).group(1))
    assert data["shape"] == [3] and data["labels"] == [["0.1", "0.3", "0.5"]] and len(data["frames"]) == 3
    assert len(set(data["frames"])) == 3                           # three different pictures
    assert f'src="data:image/png;base64,{data["frames"][1]}"' in page   # starts at value 0.3
    assert 'alt="GD on the ellipse (lr = 0.3)"' in page
    assert 'type="range" min="0" max="2" step="1" value="1"' in page


def test_static_version_refuses_too_many_frames():
    ex = explore(draw, lr=Slider(0.01, 1.0, 0.01, value=0.5))   # 100 positions
    with pytest.raises(ValueError, match="100 frames are too many"):
        ex.static_html()


def test_answer_box_embeds_the_answer_computed_by_course_lib():
    from course_lib.exercises import EXERCISES, self_check

    box = self_check("gd-step-error-surface")
    assert box.data()["answer"] == pytest.approx([1.15, 1.1])
    assert box.data()["mistakes"][0]["message"].startswith("you stepped along the gradient")
    assert 'data-exercise="gd-step-error-surface"' in box._repr_html_()
    with pytest.raises(ValueError, match="unknown exercise"):
        self_check("nope")
    assert set(EXERCISES) >= {"welcome-derivative", "gd-max-lr", "gd-step-error-surface"}
