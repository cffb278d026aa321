"""Controls and interactive figures: positions, labels, the static/dynamic split, the live widget."""

import json
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import Choice, Slider, ellipse, explore, gd, plot_contour, quadratic, run
from course_lib.interactive import Explorer
from course_lib.scene import contour_scene, decode_polyline

# ---------------------------------------------------------------- controls

def test_slider_positions_from_a_range_a_list_and_a_log_scale():
    np.testing.assert_allclose(Slider(0.05, 0.6, 0.05, value=0.4).positions, np.arange(1, 13) * 0.05)
    s = Slider(values=[0.9, 0.99, 0.999], value=0.99, label="β₂", fmt=".4g")
    assert s.positions == (0.9, 0.99, 0.999) and s.start == 1 and s.labels == ("0.9", "0.99", "0.999")
    log = Slider.log(1e-3, 1.0, 4, value=0.1)
    np.testing.assert_allclose(log.positions, [1e-3, 1e-2, 1e-1, 1.0])
    assert log.value == pytest.approx(0.1)
    assert Slider.log(1e-3, 1.0, 4, value=0.05).value == pytest.approx(0.1)   # snapped to the nearest in log


def test_slider_rejects_bad_input_with_a_message_naming_it():
    with pytest.raises(ValueError, match="low must be smaller than high"):
        Slider(1.0, 0.0, 0.1, value=0.5)
    with pytest.raises(ValueError, match="whole number"):
        Slider(0.0, 1.0, 0.3, value=0.3)
    with pytest.raises(ValueError, match="value must be one of the slider's positions"):
        Slider(0.0, 1.0, 0.1, value=0.35)
    with pytest.raises(ValueError, match=r"step must be in \(0, inf\)"):
        Slider(0.0, 1.0, -0.1, value=0.5)
    with pytest.raises(ValueError, match="strictly increasing"):
        Slider(values=[0.1, 0.3, 0.2], value=0.1)
    with pytest.raises(ValueError, match="not both"):
        Slider(0.0, 1.0, 0.5, values=[0.0, 1.0], value=0.0)
    with pytest.raises(ValueError, match=r"values\[1\] must be"):
        Slider(values=[0.1, float("nan")], value=0.1)
    with pytest.raises(ValueError, match="num must be an integer >= 2"):
        Slider.log(0.1, 1.0, 1, value=0.1)
    with pytest.raises(ValueError, match="low must be in"):
        Slider.log(0.0, 1.0, 5, value=0.1)


def test_labels_that_would_collide_are_refused():
    # The example: 0.999 ... 0.9999 in steps of 0.0001 reads "0.999" five times with 3 digits.
    with pytest.raises(ValueError, match="'0.999' labels 5 of them.*fmt='.4g'"):
        Slider(0.999, 0.9999, 0.0001, value=0.999)
    assert len(set(Slider(0.999, 0.9999, 0.0001, value=0.999, fmt=".5g").labels)) == 10
    with pytest.raises(ValueError, match="fmt must be a number format"):
        Slider(values=[1.0, 2.0], value=1.0, fmt="%d")


def test_choice_passes_the_named_value_to_draw():
    c = Choice({"plain": 0.0, "heavy ball": 0.9}, value="heavy ball", label="method")
    assert c.labels == ("plain", "heavy ball") and c.values == (0.0, 0.9) and c.value == 0.9
    assert Choice(["a", "b"]).value == "a"
    with pytest.raises(ValueError, match="value must be one of the options"):
        Choice(["a", "b"], value="c")
    with pytest.raises(ValueError, match="at least two options"):
        Choice(["a"])
    with pytest.raises(ValueError, match="must look different"):
        Choice(["a", "a"])
    with pytest.raises(ValueError, match="options must be a list"):
        Choice("ab")


# ------------------------------------------------------- the vector version

ELL = ellipse()


def path_scene(lr, steps=10):
    return contour_scene(ELL, {"GD": run(gd(lr=lr), ELL, [-5.0, -2.0], steps, max_distance=10)},
                         bounds=((-5.5, 1.5), (-3.0, 3.0)), loss=True, loss_steps=20)


def _marks_by_frame(built):
    return [[built["marks"][k] for k in frame] for frame in built["frames"]]


def _to_data(panel_box_lims, piece):
    (xlo, xhi), (ylo, yhi) = panel_box_lims
    u, v = decode_polyline(piece)
    return xlo + u * (xhi - xlo), ylo + v * (yhi - ylo)


def test_what_is_the_same_everywhere_is_drawn_once_and_the_rest_travels_as_data():
    ex = explore(path_scene, lr=Slider(values=[0.1, 0.3, 0.55], value=0.3), steps=Choice({"10": 10, "20": 20}))
    built = ex.build()
    assert built["background"].startswith("data:image/svg+xml,")
    assert len(built["frames"]) == 6 and len(built["panels"]) == 2
    for params, marks in zip(ex.combinations(), _marks_by_frame(built)):
        traj = run(gd(lr=params["lr"]), ELL, [-5.0, -2.0], params["steps"], max_distance=10)
        lines = [m for m in marks if m["k"] == "L" and m["p"] == 0]
        # Only the path changes in the left panel (the contour lines, the minimizer and the
        # start ring are the same in every combination, so they are in the background).
        assert len(lines) == 1
        x, y = _to_data(((-5.5, 1.5), (-3.0, 3.0)), lines[0]["d"][0])
        inside = (np.abs(traj.xs[:, 0] + 2.0) <= 3.5) & (np.abs(traj.xs[:, 1]) <= 3.0)
        first_out = len(traj.xs) if inside.all() else int(np.argmin(inside))
        np.testing.assert_allclose(x[:first_out], traj.xs[:first_out, 0], atol=2 * 7.0 / 65535 * 2)
        np.testing.assert_allclose(y[:first_out], traj.xs[:first_out, 1], atol=2 * 6.0 / 65535 * 2)
        notes = [m["t"] for m in marks if m["k"] == "T"]
        assert notes == ([f"GD: diverged at step {traj.diverged_at}"] if traj.diverged else [])
    assert any(m["t"].startswith("GD: diverged") for m in built["marks"] if m["k"] == "T")   # lr = 0.55 diverges


def test_marks_that_depend_on_one_control_only_are_stored_once():
    def draw(lr, kappa):
        q = quadratic(np.diag([1.0 / kappa, 1.0]))
        return contour_scene(q, {"GD": run(gd(lr=lr), q, [-4.0, 1.0], 10)}, bounds=((-4.5, 1.0), (-1.5, 1.5)),
                             levels=[0.01, 0.1, 0.5])
    ex = explore(draw, lr=Slider(values=[0.5, 1.0, 1.5], value=1.0), kappa=Slider(values=[1, 10], value=10))
    built = ex.build()
    contour_marks = {k for frame in built["frames"] for k in frame
                     if built["styles"][built["marks"][k]["s"]]["c"] == "#8c8c8c"}
    assert len(contour_marks) == 2          # one set of contour lines per kappa, shared by the 3 rates


def test_three_controls_including_a_choice_of_method():
    from course_lib import momentum

    def draw(lr, beta, start):
        opt = gd(lr=lr) if beta == 0 else momentum(lr=lr, beta=beta)
        return contour_scene(ELL, {"run": run(opt, ELL, start, 15, max_distance=10)},
                             bounds=((-5.5, 1.5), (-3.0, 3.0)))

    ex = explore(draw, lr=Slider.log(0.01, 1.0, 5, value=0.1), beta=Slider(values=[0.0, 0.5, 0.9], value=0.5),
                 start=Choice({"left": [-5.0, -2.0], "top": [0.0, 2.5]}, label="start"))
    built = ex.build()
    assert len(built["frames"]) == 5 * 3 * 2
    assert [c["kind"] for c in built["controls"]] == ["slider", "slider", "choice"]
    widget = ex.widget()
    widget.position = [4, 2, 1]                    # lr = 1, beta = 0.9, from the top
    assert widget.marks == [built["marks"][k] for k in built["frames"][4 * 6 + 2 * 2 + 1]]


def test_equal_objectives_built_twice_share_their_contour_lines():
    from course_lib.scene import Panel

    a, b, c = (quadratic(np.diag([1.0, k])) for k in (2.0, 2.0, 3.0))
    assert a.cache_key == b.cache_key != c.cache_key
    keys = [Panel((-1.0, 1.0), (-1.0, 1.0)).contour(q, [0.1, 0.5]) for q in (a, b, c)]
    digests = [p.items[0].key(p) for p in keys]
    assert digests[0] == digests[1] != digests[2]


def test_axes_that_change_with_the_controls_are_refused_with_the_reason():
    def draw(lr):
        return contour_scene(ELL, {f"GD, η = {lr}": run(gd(lr=lr), ELL, [-5.0, -2.0], 5)})
    with pytest.raises(ValueError, match=r"legend must not change with the controls: \['minimizer', 'GD, η = 0.1'\]"):
        explore(draw, lr=Slider(values=[0.1, 0.2], value=0.1)).build()
    with pytest.raises(ValueError, match="must return a Scene"):
        explore(lambda lr: None, lr=Slider(values=[0.1, 0.2], value=0.1)).build()


def test_the_page_embeds_the_data_the_background_and_the_script_once():
    ex = explore(path_scene, alt="GD on the ellipse", lr=Slider(values=[0.1, 0.3], value=0.3))
    page = ex.static_html()
    data = json.loads(re.search(r'<script type="application/json" class="course-explorer-data">(.*?)</script>',
                                page).group(1))
    assert data["controls"] == [{"name": "lr", "label": "lr", "kind": "slider", "labels": ["0.1", "0.3"], "start": 1}]
    assert "background" not in data and page.count("data:image/svg+xml,") == 1
    assert 'alt="GD on the ellipse (lr = 0.3)"' in page
    script = page.split("</div><script>")[1]
    assert "CourseExplorer.mountStatic" in script
    assert not any(word in script for word in ("fetch(", "XMLHttpRequest", "import(", "src=\"http"))


def test_live_widget_recomputes_only_the_changing_marks_and_agrees_with_the_page():
    pytest.importorskip("anywidget")
    ex = explore(path_scene, lr=Slider(values=[0.1, 0.3, 0.55], value=0.3), steps=Choice({"10": 10, "20": 20}))
    built = ex.build()
    widget = ex.widget()
    assert widget.position == [1, 0] and widget.spec["controls"] == built["controls"]
    for index, frame in enumerate(_marks_by_frame(built)):
        widget.position = [index // 2, index % 2]
        assert widget.marks == frame
    with pytest.raises(ValueError, match="position must have 2 entries"):
        widget.params_at([0])
    bundle = ex._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"} <= set(bundle)
    assert bundle["text/plain"] == ex.describe() == (
        "Interactive figure: lr in {0.1, 0.3, 0.55} (start 0.3); steps in {10, 20} (start 10)")


# ---------------------------------------------------------- image fallback

def draw_figure(lr):
    return plot_contour(ELL, run(gd(lr=lr), ELL, [-5.0, -2.0], 5))


def test_a_draw_returning_a_figure_falls_back_to_one_image_per_combination():
    ex = explore(draw_figure, lr=Slider(0.1, 0.5, 0.2, value=0.3))
    frames = list(ex.frames())
    assert ex.n_frames == 3 and [p["lr"] for p, _ in frames] == pytest.approx([0.1, 0.3, 0.5])
    assert all(isinstance(fig, Figure) for _, fig in frames)
    built = ex.build()
    images = [m["src"] for m in built["marks"]]
    assert len(set(images)) == 3 and all(src.startswith("data:image/png;base64,iVBOR") for src in images)
    assert built["background"] == images[1]                            # starts at lr = 0.3
    with pytest.raises(ValueError, match="100 images are too many"):
        explore(draw_figure, lr=Slider(0.01, 1.0, 0.01, value=0.5)).build()


def test_bad_uses_of_explore_are_reported():
    with pytest.raises(ValueError, match="unknown parameter"):
        explore(draw_figure, lr=Slider(0.1, 0.5, 0.2, value=0.3)).figure(beta=0.5)
    with pytest.raises(ValueError, match="at least one control"):
        explore(draw_figure)
    with pytest.raises(ValueError, match="must be a Slider or a Choice"):
        explore(draw_figure, lr=0.1)
    with pytest.raises(ValueError, match="draw must be a function"):
        Explorer(None, {"lr": Slider(values=[0.1, 0.2], value=0.1)})
