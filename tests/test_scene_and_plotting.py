"""Figures: the data sent to the page, the SVG pictures, and the rules that keep figures readable."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from course_lib import (
    ellipse,
    error_surface,
    gd,
    new_figure,
    newton,
    parabola,
    plot_1d,
    plot_contour,
    plot_values,
    rosenbrock,
    run,
)
from course_lib.notebook import glue
from course_lib.plotting import plot_contraction
from course_lib.scene import (
    Panel,
    Scene,
    Style,
    contour_scene,
    decode_polyline,
    encode_polyline,
    scene_figure,
    simplify_polyline,
    svg_bytes,
)

STEP = 2.0 / 65535        # one quantum of the encoding, in axis fractions

coords = st.floats(-0.5, 1.5, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=1, max_size=50))
def test_points_inside_the_box_survive_the_encoding(points):
    u, v = np.array(points).T
    pieces = encode_polyline(u, v)
    assert len(pieces) == 1
    du, dv = decode_polyline(pieces[0])
    np.testing.assert_allclose(du, u, atol=STEP / 2 + 1e-12)
    np.testing.assert_allclose(dv, v, atol=STEP / 2 + 1e-12)


def _distance_to_polyline(p, u, v):
    best = math.inf
    for k in range(len(u) - 1):
        a, b = np.array([u[k], v[k]]), np.array([u[k + 1], v[k + 1]])
        ab = b - a
        length2 = float(ab @ ab)
        t = 0.0 if length2 < 1e-300 else np.clip((p - a) @ ab / length2, 0.0, 1.0)
        best = min(best, float(np.linalg.norm(p - (a + t * ab))))
    return best


wide = st.floats(-50.0, 50.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(wide, wide), min_size=2, max_size=12))
def test_clipped_lines_stay_on_the_original_line_and_inside_the_box(points):
    u, v = np.array(points).T
    for piece in encode_polyline(u, v):
        du, dv = decode_polyline(piece)
        assert np.all((du >= -0.5 - STEP) & (du <= 1.5 + STEP) & (dv >= -0.5 - STEP) & (dv <= 1.5 + STEP))
        for p in zip(du, dv):
            assert _distance_to_polyline(np.array(p), u, v) <= 2 * STEP


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=2, max_size=60), st.floats(1e-4, 0.1))
def test_simplified_lines_stay_within_the_tolerance_of_the_exact_ones(points, tolerance):
    u, v = np.array(points).T
    su, sv = simplify_polyline(u, v, tolerance)
    assert (su[0], sv[0], su[-1], sv[-1]) == (u[0], v[0], u[-1], v[-1]) and len(su) <= len(u)
    for p in zip(u, v):                       # every dropped vertex is close to the simplified line
        assert _distance_to_polyline(np.array(p), su, sv) <= tolerance + 1e-12


def test_contour_lines_on_the_page_are_lighter_than_the_exact_ones():
    from course_lib.scene import CONTOUR_TOLERANCE, contour_lines, encode_item

    ell = ellipse()
    panel = Panel((-5.5, 1.5), (-3.0, 3.0)).contour(ell, [0.1, 1.0, 4.0])
    exact = contour_lines(ell, panel, [0.1, 1.0, 4.0])
    mark = encode_item(0, panel, panel.items[0], 0)
    sent = [decode_polyline(piece) for piece in mark["d"]]
    assert sum(len(u) for u, _ in sent) < 0.5 * sum(len(x) for x, _ in exact)
    for (x, y), (su, sv) in zip(exact, sent):
        u, v = panel.fractions(x, y)
        worst = max(_distance_to_polyline(np.array(p), su, sv) for p in zip(u, v))
        assert worst <= CONTOUR_TOLERANCE + STEP


def test_the_visible_part_of_a_line_that_leaves_the_box_is_exact():
    # From the centre to far outside: the piece ends exactly where the segment crosses u = 1.5.
    (piece,) = encode_polyline(np.array([0.5, 1e6]), np.array([0.5, 0.5]))
    du, dv = decode_polyline(piece)
    np.testing.assert_allclose(du, [0.5, 1.5], atol=STEP)
    np.testing.assert_allclose(dv, [0.5, 0.5], atol=STEP)
    # A non-finite point breaks the line in two.
    assert len(encode_polyline(np.array([0.1, 0.2, np.nan, 0.3, 0.4]), np.array([0.1, 0.2, 0.3, 0.4, 0.5]))) == 2


def test_zero_on_a_log_axis_is_drawn_below_the_panel_not_dropped():
    panel = Panel((0, 10), (1e-8, 1.0), yscale="log")
    u, v = panel.fractions(np.array([0.0, 5.0, 10.0]), np.array([1.0, 1e-4, 0.0]))
    assert v[0] == pytest.approx(1.0) and v[1] == pytest.approx(0.5) and v[2] == -np.inf
    (piece,) = encode_polyline(u, v)
    du, dv = decode_polyline(piece)
    # log(0) = -inf: the segment towards it is the limit of segments to ever smaller values, a
    # vertical drop from the previous point, off the bottom of the panel (matplotlib drops the point).
    assert len(du) == 3 and dv[-1] == pytest.approx(-0.5, abs=STEP) and du[-1] == pytest.approx(0.5, abs=STEP)


def test_panels_and_scenes_reject_bad_settings():
    with pytest.raises(ValueError, match="xlim must be"):
        Panel((1.0, 0.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="ylim must be positive on a log scale"):
        Panel((0.0, 1.0), (0.0, 1.0), yscale="log")
    with pytest.raises(ValueError, match="xscale must be"):
        Panel((0.0, 1.0), (0.0, 1.0), xscale="symlog")
    with pytest.raises(ValueError, match="width must be at most 7.5"):
        Scene(width=9.0)
    with pytest.raises(ValueError, match="same length"):
        Panel((0.0, 1.0), (0.0, 1.0)).line([0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="needs a style with a marker"):
        Panel((0.0, 1.0), (0.0, 1.0)).points([0.5], [0.5], Style())
    with pytest.raises(ValueError, match="two variables"):
        Panel((0.0, 1.0), (0.0, 1.0)).contour(parabola(), [1.0])


def test_svg_is_compact_and_stable():
    fig = plot_contour(error_surface(), run(gd(lr=0.3), error_surface(), [1.0, 1.0], 10))
    a, b = svg_bytes(fig), svg_bytes(fig)
    assert a == b and a.startswith(b"<svg")
    assert b"<metadata>" not in a and b"<!--" not in a and b"\n " not in a
    assert b"scale(0.015625)" in a            # glyph scale factors keep their precision


# --------------------------------------------------------- readable figures

def _course_figures():
    E, ell, ros, f = error_surface(), ellipse(), rosenbrock(), parabola()
    fig, axes = new_figure(2, width=3.6, height=3.2)
    plot_1d(f, {"η = 0.05": run(gd(lr=0.05), f, 10.0, 10)}, ax=axes[0], legend=False)
    plot_1d(f, {"η = 1.1": run(gd(lr=1.1), f, 10.0, 10)}, ax=axes[1], legend=False)
    runs = {"Newton": run(newton(), ros, [-1.2, 1.0], 100, tol=1e-8),
            "GD": run(gd(lr=1e-3), ros, [-1.2, 1.0], 3000)}
    return {
        "1d pair": fig,
        "1d": plot_1d(f, run(gd(lr=0.3), f, 10.0, 10)),
        "contour": plot_contour(E, {"a": run(gd(lr=0.3), E, [1.0, 1.0], 40), "b": run(gd(lr=0.1), E, [1.0, 1.0], 5)},
                                bounds=((0.0, 5.0), (0.0, 6.0))),
        "rosenbrock": plot_contour(ros, runs, bounds=((-2.0, 2.0), (-3.5, 3.0))),
        "values": plot_values({"gd": run(gd(lr=0.3), E, [1.0, 1.0], 10)}, objective=E),
        "contraction": plot_contraction(ell.hessian([0.0, 0.0])),
        "scene": scene_figure(contour_scene(ell, {"GD": run(gd(lr=0.4), ell, [-5.0, -2.0], 20)}, loss=True)),
    }


FIGURES = _course_figures()


@pytest.mark.parametrize("name", FIGURES)
def test_text_is_at_least_10_pt_and_figures_fit_the_column(name):
    fig = FIGURES[name]
    fig.draw_without_rendering()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert sizes and min(sizes) >= 10
    assert fig.get_size_inches()[0] <= 7.5


@pytest.mark.parametrize("name", FIGURES)
def test_legends_cover_no_data(name):
    fig = FIGURES[name]
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), f"{name}: the legend overlaps an axes"


def test_parameter_planes_have_equal_scales_and_distinct_series():
    ax = FIGURES["contour"].axes[0]
    assert ax.get_aspect() == 1.0
    lines = [ln for ln in ax.lines if ln.get_label() in ("a", "b")]
    assert len({(ln.get_color(), ln.get_linestyle(), ln.get_marker()) for ln in lines}) == 2
    star = [ln for ln in ax.lines if ln.get_label() == "minimizer"][0]
    assert star.get_color() not in {ln.get_color() for ln in lines}   # the star has no run's colour
    assert FIGURES["scene"].axes[0].get_aspect() == 1.0


def test_a_long_run_is_drawn_under_a_short_one_as_a_band():
    ax = FIGURES["rosenbrock"].axes[0]
    newton_line = next(ln for ln in ax.lines if ln.get_label() == "Newton")
    gd_line = next(ln for ln in ax.lines if ln.get_label() == "GD")
    assert gd_line.get_zorder() < newton_line.get_zorder() and gd_line.get_linewidth() > newton_line.get_linewidth()
    assert gd_line.get_marker() in ("None", "", None)


def test_figures_keep_their_labels():
    fig = FIGURES["contour"]
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$w_1$" and ax.get_ylabel() == "$w_2$"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["minimizer", "a", "b"]
    diverging = run(gd(lr=1.1), parabola(), 10.0, 500)
    fig = plot_1d(parabola(), {"big": diverging})
    assert [t.get_text() for t in fig.legends[0].get_texts()][1] == f"big (diverged at step {diverging.diverged_at})"
    ax = FIGURES["values"].axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step $t$"


def test_plots_reject_objectives_of_the_wrong_dimension():
    with pytest.raises(ValueError, match="needs a 2-D objective"):
        plot_contour(parabola())
    with pytest.raises(ValueError, match="needs a 1-D objective"):
        plot_1d(ellipse())


# ------------------------------------------------------------------- glue

def test_glue_accepts_numbers_and_refuses_the_rest(monkeypatch):
    recorded = []
    import myst_nb
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: recorded.append((name, value, display)))
    glue("x", np.float64(2.0583))
    glue("n", np.int64(43605))
    assert recorded == [("x", 2.0583, False), ("n", 43605, False)]
    assert type(recorded[0][1]) is float and type(recorded[1][1]) is int   # no np.float64 repr in the text
    with pytest.raises(ValueError, match="one number at a time"):
        glue("v", np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        glue("", 1.0)
    with pytest.raises(ValueError, match="value must be a number"):
        glue("b", None)


def test_reaching_the_minimum_exactly_is_shown_on_the_log_scale():
    # Newton solves the ellipse in one step: f - f* is exactly 0 at step 1 (formerly not drawn at all).
    ell = ellipse()
    traj = run(newton(), ell, [-5.0, -2.0], 3)
    assert traj.values[1] - ell.min_value == 0.0
    fig = plot_values({"Newton": traj}, objective=ell)
    ax = fig.axes[0]
    line = next(ln for ln in ax.lines if ln.get_label().startswith("Newton"))
    assert line.get_label() == "Newton (f = f* from step 1)"
    y = line.get_ydata()
    assert len(y) == len(traj.values) and np.all(y > 0)
    assert y[1] == pytest.approx(ax.get_ylim()[0])                   # on the bottom edge
    assert any(ln.get_marker() == "v" for ln in ax.lines)
