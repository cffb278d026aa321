"""The website as readers get it, checked in a real browser.

Playwright drives the system's Chromium (never a downloaded browser) against the
built site in ``_build/html`` (``python3 dev.py test`` builds it first), served on
127.0.0.1. Every request to another host is blocked and recorded, so a page that
needs the network fails here.

Without Chromium or without a built site these tests skip and say how to fix
that; with ``COURSE_REQUIRE_BROWSER=1`` (as in CI) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import numpy as np
import pytest
import yaml

from course_lib.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAX_PAGE_BYTES = 3_000_000
DESKTOP, PHONE, TABLET = 1280, 390, 900
WIDTHS = [DESKTOP, PHONE]

# Everything here reads the built site: `python3 dev.py test` runs these after the build, and the
# rest of the tests (marked "not site") while the build runs.
pytestmark = pytest.mark.site


def _pages() -> list[str]:
    if not SITE.is_dir():
        return ["(site not built)"]
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                  if p.relative_to(SITE).parts[0] not in ("_static", "_sources", "_images"))


PAGES = _pages()


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(reason)
    pytest.skip(reason)


# ----------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        _unavailable("the website is not built: run `python3 dev.py build` (or `python3 dev.py test`, which builds it)")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def base_url(site) -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM}: install it (Debian/Ubuntu: `sudo apt-get install chromium`) "
                     "or point COURSE_CHROMIUM at it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: python3 dev.py setup installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """One page load: the page itself and everything that went wrong while loading it."""

    page: object
    base_url: str
    errors: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    external: list = field(default_factory=list)
    loaded: list = field(default_factory=list)        # every URL the page received

    def transferred(self) -> dict:
        """URL -> bytes received (uncompressed), read from the files the test server sent."""
        sizes = {}
        for url in self.loaded:
            if url.startswith(self.base_url):
                path = unquote(urlsplit(url).path).lstrip("/")
                file = SITE / (path + "index.html" if path.endswith("/") or not path else path)
                sizes[url] = file.stat().st_size if file.is_file() else 0
        return sizes


def open_page(browser, base_url: str, path: str, width: int = DESKTOP) -> Visit:
    page = browser.new_page(viewport={"width": width, "height": 900})
    # The heaviest pages (errata, the API reference) take seconds to typeset on a busy 2-core runner.
    page.set_default_timeout(90_000)
    visit = Visit(page, base_url)

    def route(r):
        url = r.request.url
        if url.startswith(base_url) or url.startswith("data:") or url.startswith("blob:"):
            r.continue_()
        else:
            visit.external.append(url)
            r.abort()

    def on_response(response):
        if response.status >= 400:
            visit.failed.append(f"{response.status} {response.url}")
        else:                   # sizes come from the files on disk: no body crosses the Playwright pipe
            visit.loaded.append(response.url)

    page.route("**/*", route)
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on("requestfailed", lambda r: None if r.url in visit.external else visit.failed.append(r.url))
    page.on("response", on_response)
    page.goto(f"{base_url}/{path}", wait_until="load")
    try:
        redirect = page.evaluate("() => !!document.querySelector('meta[http-equiv=refresh i]')")
    except Exception:  # noqa: BLE001 - the redirect already replaced the page under the call
        redirect = True
    if redirect:
        page.wait_for_load_state("networkidle")   # a redirect page (index.html): let its target arrive
    # MathJax typesets asynchronously; wait for it where it is loaded.
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
    return visit


@pytest.fixture(scope="session")
def visits(browser, base_url):
    """Each page loaded once per width, shared by the per-page checks."""
    cache = {}

    def get(path: str, width: int = DESKTOP) -> Visit:
        if (path, width) not in cache:
            cache[path, width] = open_page(browser, base_url, path, width)
        return cache[path, width]

    yield get
    for visit in cache.values():
        visit.page.close()


# ----------------------------------------------------------- every page

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_console_errors_or_failed_requests(visits, path, width):
    visit = visits(path, width)
    assert visit.errors == []
    assert visit.failed == []


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_localhost(visits, path):
    assert visits(path).external == []


@pytest.mark.parametrize("path", PAGES)
def test_math_is_rendered_without_errors(visits, path):
    page = visits(path).page
    counts = page.evaluate("""() => ({
        math: document.querySelectorAll('.math').length,
        rendered: document.querySelectorAll('.math mjx-container, mjx-container.MathJax').length,
        errors: document.querySelectorAll('mjx-merror').length,
        local: !!document.querySelector('script[src*="_static/mathjax/tex-chtml.js"]'),
    })""")
    assert counts["errors"] == 0
    if counts["math"]:   # Sphinx loads MathJax only on pages with math
        assert counts["local"], "MathJax must be loaded from the site itself"
        assert counts["rendered"] >= counts["math"]


@pytest.mark.parametrize("path", PAGES)
def test_images_load_and_content_images_have_alt_text(visits, path):
    images = visits(path).page.evaluate("""() => Array.from(document.images).map(img => ({
        src: img.src.slice(0, 80), ok: img.complete && img.naturalWidth > 0,
        alt: img.getAttribute('alt') || '', content: !!img.closest('article'),
    }))""")
    assert [i["src"] for i in images if not i["ok"]] == []
    assert [i["src"] for i in images if i["content"] and not i["alt"].strip()] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_page_weight_is_below_3_mb(visits, path, width):
    """Everything the page loads (HTML, scripts, styles, fonts, images), uncompressed."""
    transferred = visits(path, width).transferred()
    total = sum(transferred.values())
    heaviest = sorted(transferred.items(), key=lambda item: -item[1])[:5]
    assert total < MAX_PAGE_BYTES, f"{path} weighs {total / 1e6:.2f} MB; heaviest: {heaviest}"


# ------------------------------------------------------------ interaction

def _elements(visits, selector: str, width: int = DESKTOP) -> list:
    """(page path, element) for every element matching ``selector`` on any page; at least one must exist."""
    found = [(p, element) for p in PAGES for element in visits(p, width).page.locator(selector).all()]
    assert found, f"no page has {selector}"
    return found


# ---------------------------------------------------- interactive figures

_DRAWN = """root => {
    const svg = root.querySelector('svg.course-explorer-marks');
    const box = svg.getBoundingClientRect();
    const paths = Array.from(svg.querySelectorAll('path'))
        .filter(p => p.getAttribute('fill') === 'none' && !p.classList.contains('course-marker'))
        .map(p => ({stroke: p.getAttribute('stroke'), d: p.getAttribute('d'),
                    clip: p.parentNode.getAttribute('clip-path')}));
    const texts = Array.from(svg.querySelectorAll('text')).map(t => t.textContent);
    const inputs = Array.from(root.querySelectorAll('input[type=range]')).map(i => i.getAttribute('aria-valuetext'));
    return {paths, texts, inputs, scale: box.width / svg.viewBox.baseVal.width, alt: root.querySelector('img').alt};
}"""


def _explorer_data(explorer) -> dict:
    return json.loads(explorer.locator("script.course-explorer-data").text_content())


def _combinations(data):
    shape = [len(c["labels"]) for c in data["controls"]]
    for index in range(int(np.prod(shape))):
        position, rest = [], index
        for n in reversed(shape):
            position.insert(0, rest % n)
            rest //= n
        yield index, position


def _set_position(explorer, data, position):
    ranges = explorer.locator("input[type=range]").all()
    choices = explorer.locator("fieldset").all()          # one fieldset per choice control, in order
    r = c = 0
    for control, k in zip(data["controls"], position):
        if control["kind"] == "choice":
            choices[c].locator(f"label:nth-of-type({k + 1}) input").check()
            c += 1
        else:
            ranges[r].fill(str(k))
            r += 1


def _vertices(d: str) -> np.ndarray:
    return np.array([[float(v) for v in pair.split()] for pair in d[1:].split("L")])


def _expected_lines(data, marks):
    """Each line mark as viewBox points (pt), decoded in Python from the page's data."""
    from course_lib.scene import decode_polyline

    out = []
    for mark in marks:
        if mark["k"] != "L" or data["styles"][mark["s"]]["w"] == 0:
            continue
        x0, y0, w, h = data["panels"][mark["p"]]
        for piece in mark["d"]:
            u, v = decode_polyline(piece)
            if len(u) > 1:
                out.append(np.column_stack([x0 + u * w, y0 + (1 - v) * h]))
    return out


_WALK = """(root, positions) => {
    // Every position in one round trip: set each control as a reader would (an input event on a
    // slider, a click on a choice), then read what the figure drew.
    const ranges = Array.from(root.querySelectorAll('input[type=range]'));
    const choices = Array.from(root.querySelectorAll('fieldset'));
    const drawn = [];
    for (const position of positions) {
        let r = 0, c = 0;
        for (const [kind, k] of position) {
            if (kind === 'choice') {
                choices[c++].querySelector(`label:nth-of-type(${k + 1}) input`).click();
            } else {
                const input = ranges[r++];
                input.value = String(k);
                input.dispatchEvent(new Event('input', {bubbles: true}));
            }
        }
        drawn.push((""" + _DRAWN + """)(root));
    }
    return drawn;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_interactive_figure_draws_the_python_data_at_every_position(visits, width):
    """For every combination of every explorer: the lines drawn are the page's data within a pixel,
    the texts (e.g. "diverged at step k") are the data's texts, and screen readers hear the values.
    (Positions are set inside the page, all in one call per figure; the keyboard and the pointer are
    exercised by the tests below.)"""
    for path, explorer in _elements(visits, ".course-explorer", width):
        data = _explorer_data(explorer)
        combos = list(_combinations(data))
        kinds = [c["kind"] for c in data["controls"]]
        walked = explorer.evaluate(_WALK, [[[kind, k] for kind, k in zip(kinds, position)] for _, position in combos])
        for (index, position), drawn in zip(combos, walked):
            marks = [data["marks"][k] for k in data["frames"][index]]
            expected = _expected_lines(data, marks)
            got = [_vertices(p["d"]) for p in drawn["paths"]]
            assert len(got) == len(expected), f"{path} {position}: {len(got)} lines drawn, {len(expected)} in the data"
            for a, b in zip(got, expected):
                assert a.shape == b.shape
                assert np.abs(a - b).max() * drawn["scale"] < 1.0, f"{path} {position}: more than a pixel off"
            assert drawn["texts"] == [m["t"] for m in marks if m["k"] == "T"]
            labels = [c["labels"][k] for c, k in zip(data["controls"], position) if c["kind"] != "choice"]
            assert drawn["inputs"] == labels            # aria-valuetext: the value, not the index
            for text in drawn["texts"]:
                assert text in drawn["alt"]             # and the alt text says it too


def test_a_choice_and_a_slider_respond_to_real_clicks(visits):
    """The walk above sets positions from inside the page; here Playwright's own pointer does it."""
    path, explorer = _elements(visits, ".course-explorer:has(fieldset)")[0]
    data = _explorer_data(explorer)
    last = [len(c["labels"]) - 1 for c in data["controls"]]
    _set_position(explorer, data, last)
    index = next(i for i, position in _combinations(data) if position == last)
    drawn = explorer.evaluate(_DRAWN)
    texts = [data["marks"][k]["t"] for k in data["frames"][index] if data["marks"][k]["k"] == "T"]
    assert drawn["texts"] == texts, path
    assert len(drawn["paths"]) == len(_expected_lines(data, [data["marks"][k] for k in data["frames"][index]]))


def test_the_condition_number_figure_shows_what_course_lib_computes(visits):
    """End to end: the path drawn at each (η, κ), read back through the exported axes, is the
    trajectory course_lib computes, within a pixel; divergence is announced where and when run says."""
    from course_lib import gd, quadratic, run

    page = visits("chapters/04_gradient_descent/gradient_descent.html").page
    explorer = page.locator(".course-explorer", has_text="condition number κ")
    data = _explorer_data(explorer)
    (xlo, xhi, _, ylo, yhi, _), box = data["axes"][0], data["panels"][0]
    lrs = [float(v) for v in data["controls"][0]["labels"]]
    kappas = [float(v) for v in data["controls"][1]["labels"]]
    diverged = 0
    combos = [position for _, position in _combinations(data)]
    walked = explorer.evaluate(_WALK, [[["range", i], ["range", j]] for i, j in combos])   # one call in all
    for (i, j), drawn in zip(combos, walked):
        q = quadratic(np.diag([1.0 / kappas[j], 1.0]))
        traj = run(gd(lr=lrs[i]), q, x0=[-4.0, 1.0], steps=40, max_distance=10)
        pieces = [_vertices(p["d"]) for p in drawn["paths"] if p["stroke"] == "#0072B2" and "clip0" in p["clip"]]
        vertices = np.vstack(pieces)
        drawn_xy = np.column_stack([xlo + (vertices[:, 0] - box[0]) / box[2] * (xhi - xlo),
                                    ylo + (1 - (vertices[:, 1] - box[1]) / box[3]) * (yhi - ylo)])
        px = box[2] / (xhi - xlo) * drawn["scale"]          # pixels per unit (equal scales)
        inside = np.all((traj.xs >= [xlo, ylo]) & (traj.xs <= [xhi, yhi]), axis=1)
        for point in traj.xs[inside]:                      # every iterate in view is drawn ...
            assert np.min(np.linalg.norm(drawn_xy - point, axis=1)) * px < 1.0, (lrs[i], kappas[j], point)
        for point in drawn_xy:                             # ... and nothing is drawn off the path
            assert _distance_to_path(point, traj.xs) * px < 1.0, (lrs[i], kappas[j], point)
        notes = [t for t in drawn["texts"] if "diverged" in t]
        assert notes == ([f"gradient descent: diverged at step {traj.diverged_at}"] if traj.diverged else [])
        diverged += traj.diverged
    assert diverged >= len(kappas)          # the largest rate diverges at every κ


def _distance_to_path(point, xs) -> float:
    a, b = xs[:-1], xs[1:]
    if len(xs) == 1:
        return float(np.linalg.norm(point - xs[0]))
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", point - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-300), 0, 1)
    return float(np.min(np.linalg.norm(a + t[:, None] * ab - point, axis=1)))


def test_sliders_work_with_the_keyboard(visits):
    page = visits("chapters/04_gradient_descent/gradient_descent.html").page
    explorer = page.locator(".course-explorer", has_text="condition number κ")
    slider = explorer.locator("input[type=range]").first
    labels = _explorer_data(explorer)["controls"][0]["labels"]
    slider.focus()
    page.keyboard.press("Home")
    assert slider.input_value() == "0" and slider.get_attribute("aria-valuetext") == labels[0]
    page.keyboard.press("ArrowRight")
    assert slider.get_attribute("aria-valuetext") == labels[1]
    page.keyboard.press("End")
    assert slider.get_attribute("aria-valuetext") == labels[-1]
    assert "diverged" in explorer.locator(".course-explorer-status").inner_text()   # said, not only drawn


@pytest.mark.parametrize("width", WIDTHS)
def test_controls_are_large_enough_to_touch(visits, width):
    for path, control in _elements(visits, ".course-explorer input[type=range]", width):
        assert control.bounding_box()["height"] >= 40, f"{path}: a slider is too small to touch"


def test_figures_are_drawn_at_a_readable_size_on_a_desktop(visits):
    """Figures have 10 pt text at their natural size; shown at >= 75 % of it, text is >= 10 px."""
    for path in PAGES:
        sizes = visits(path).page.evaluate("""() => Array.from(document.querySelectorAll('article img'))
            .filter(img => img.closest('.cell_output') || img.closest('.course-explorer'))
            .map(img => ({src: img.src.slice(-60), shown: img.clientWidth, natural: img.naturalWidth}))""")
        for size in sizes:
            assert size["shown"] >= 0.75 * size["natural"] - 1, f"{path}: {size}"


def test_the_live_widget_speaks_the_same_protocol_as_the_page(browser):
    """The anywidget version: the page's script, with the kernel's role played by this process."""
    pytest.importorskip("anywidget")
    from course_lib import Slider, ellipse, explore, gd, run
    from course_lib.scene import contour_scene

    ell = ellipse()
    ex = explore(lambda lr: contour_scene(ell, {"GD": run(gd(lr=lr), ell, [-5.0, -2.0], 20, max_distance=10)}),
                 lr=Slider(values=[0.1, 0.4, 0.6], value=0.4))
    widget = ex.widget()
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def kernel(position):
        widget.position = position
        return widget.marks

    page.expose_function("kernel", kernel)
    page.set_content("<div id=out></div>")
    page.evaluate("""([esm, spec, marks, position]) => {
        const state = {spec, marks, position}, listeners = {};
        const model = {
            get: k => state[k], set: (k, v) => { state[k] = v; },
            on: (e, f) => { (listeners[e] = listeners[e] || []).push(f); }, off: () => {},
            save_changes: async () => { state.marks = await window.kernel(state.position);
                                        (listeners['change:marks'] || []).forEach(f => f()); },
        };
        const url = URL.createObjectURL(new Blob([esm], {type: 'text/javascript'}));
        return import(url).then(m => m.default.render({model, el: document.getElementById('out')}));
    }""", [widget._esm, widget.spec, widget.marks, widget.position])
    slider = page.locator("#out input[type=range]")
    slider.fill("2")
    page.wait_for_function("() => document.querySelector('#out .course-explorer-status').textContent.length > 0")
    assert widget.position == [2]
    traj = run(gd(lr=0.6), ell, [-5.0, -2.0], 20, max_distance=10)
    assert page.locator("#out .course-explorer-status").inner_text() == f"GD: diverged at step {traj.diverged_at}"
    assert errors == []
    page.close()


# ------------------------------------------------- phones, keyboards, readers

# Every page on a phone (the page already loaded for the other phone checks); on a tablet, one page
# of each kind (the navigation is the theme's, the same on every page of a kind).
_TABLET_PAGES = [p for p in PAGES if p in ("chapters/00_welcome/welcome.html", "search.html",
                 "chapters/07_adaptive_methods/adam_by_hand.html", "appendices/sources.html",
                 "appendices/reference.html")] or PAGES[:1]


@pytest.mark.parametrize(("path", "width"), [(p, PHONE) for p in PAGES] + [(p, TABLET) for p in _TABLET_PAGES])
def test_navigation_opens_on_phones_and_tablets(visits, path, width):
    page = visits(path, width).page
    toggle = [b for b in page.locator("button.primary-toggle").all() if b.is_visible()]
    assert toggle, f"{path} at {width} px: no visible navigation button"
    toggle[0].click()
    dialog = page.locator("#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible", timeout=5000)
    assert dialog.locator("a.reference").count() >= 2, "the chapter list is not in the opened navigation"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=5000)
    secondary = [b for b in page.locator("button.secondary-toggle").all() if b.is_visible()]
    if secondary and page.locator("#pst-secondary-sidebar .toc-entry").count():
        secondary[0].click()
        page.locator("#pst-secondary-sidebar-modal").wait_for(state="visible", timeout=5000)
        page.keyboard.press("Escape")      # leave the shared page as it was for the next checks
        page.locator("#pst-secondary-sidebar-modal").wait_for(state="hidden", timeout=5000)


@pytest.mark.parametrize("path", PAGES)
def test_formulas_are_not_tab_stops(visits, path):
    focusable = visits(path).page.evaluate("""() => Array.from(document.querySelectorAll('mjx-container'))
        .filter(m => m.tabIndex >= 0 || m.querySelector('[tabindex]:not([tabindex="-1"])')).length""")
    assert focusable == 0


def test_the_tab_key_reaches_the_figure_controls_quickly(browser, base_url):
    """The first Tab offers "Skip to main content"; from there, the first figure's slider comes
    within 40 presses (past the chapter's links and the code cells' copy buttons)."""
    visit = open_page(browser, base_url, "chapters/04_gradient_descent/gradient_descent.html")
    page = visit.page
    page.keyboard.press("Tab")
    assert "skip" in page.evaluate("() => document.activeElement.textContent").lower()
    page.keyboard.press("Enter")
    for _presses in range(1, 41):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('.course-explorer input')"):
            break
    else:
        pytest.fail("after skipping to the content, 40 presses of Tab did not reach a figure's control")
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_nothing_overflows_on_a_desktop_and_wide_content_scrolls_on_a_phone(visits, path):
    query = """() => Array.from(document.querySelectorAll(
            'article pre, article div.math-wrapper, article .cell_output, article table'))
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => ({tag: e.tagName, cls: e.className, text: e.textContent.slice(0, 60),
                    overflow: getComputedStyle(e).overflowX}))"""
    assert visits(path, DESKTOP).page.evaluate(query) == []
    for wide in visits(path, PHONE).page.evaluate(query):
        assert wide["overflow"] in ("auto", "scroll"), f"{path}: cut off on a phone: {wide}"


_OPEN_SOLUTIONS = """async solutions => {
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const shown = e => {             // what Playwright calls visible: a box with an area, not hidden
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && e.checkVisibility({visibilityProperty: true});
    };
    const out = [];
    for (const solution of solutions) {
        const body = solution.querySelector(':scope > :not(.admonition-title)');
        const before = shown(body);
        solution.querySelector('button.toggle-button').click();
        let after = shown(body);
        for (let k = 0; k < 30 && !after; k++) { await frame(); after = shown(body); }
        out.push({before, after});
    }
    return out;
}"""


def test_solutions_are_folded_and_open_on_click_on_a_phone(visits):
    """Real taps at 390 px (Playwright waits until each button can be tapped)."""
    for path, solution in _elements(visits, ".solution.dropdown", PHONE):
        body = solution.locator("> :not(.admonition-title)").first
        assert not body.is_visible(), f"{path}: a solution is shown before it is opened"
        solution.locator("button.toggle-button").click()
        body.wait_for(state="visible", timeout=5000)


def test_solutions_are_folded_and_open_on_click(visits):
    """At 1280 px, in the page (one call per page): every solution starts folded and opens on a click."""
    opened = 0
    for path in PAGES:
        for k, seen in enumerate(visits(path).page.locator(".solution.dropdown").evaluate_all(_OPEN_SOLUTIONS)):
            assert not seen["before"], f"{path}: solution {k + 1} is shown before it is opened"
            assert seen["after"], f"{path}: solution {k + 1} does not open when its button is clicked"
            opened += 1
    assert opened >= 40, f"only {opened} solutions on the site"


_SELFCHECK_DATA = """forms => forms.map(form => ({
    key: form.dataset.exercise,
    data: JSON.parse(form.querySelector('script.course-selfcheck-data').textContent)}))"""

# Plays a list of steps on each answer box in the page, as a reader would, and returns what the box
# says after each: ["type", text] fills the box, ["choose", word] picks a radio button, ["check"]
# presses the button. The events are the ones typing and clicking fire ("input", "change", "submit").
_SELFCHECK_PLAY = """(forms, steps) => forms.map((form, n) => steps[n].map(([kind, value]) => {
    const feedback = form.querySelector('.course-feedback');
    if (kind === 'type') {
        const box = form.elements.answer;
        box.value = value;
        box.dispatchEvent(new Event('input', {bubbles: true}));
    } else if (kind === 'choose') {
        const radio = Array.from(form.querySelectorAll('input[type=radio]')).find(r => r.value === value);
        radio.checked = true;
        radio.dispatchEvent(new Event('change', {bubbles: true}));
    } else {
        form.querySelector('button').click();
    }
    return feedback.innerText;
}))"""


def test_answer_boxes_tell_right_from_wrong(visits):
    """At 1280 px every box is given its right answer, a wrong one and unreadable text (in the page,
    one call per page; the phone test below types and taps for real)."""
    checked = 0
    for path in PAGES:
        forms = visits(path).page.locator("form.course-selfcheck")
        found = forms.evaluate_all(_SELFCHECK_DATA)
        plans = []
        for item in found:
            key, data = item["key"], item["data"]
            exercise = EXERCISES[key]
            if exercise.options:
                assert data["answer"] == exercise.answer
                other = next(o for o in data["options"] if o != data["answer"])
                plans.append([["check"], ["choose", data["answer"]], ["check"], ["choose", other], ["check"]])
            else:
                assert data["answer"] == pytest.approx(exercise.answer.tolist())   # the page's answer is course_lib's
                right = ", ".join(repr(v) for v in data["answer"])
                wrong = ", ".join(repr(v + 12345.0) for v in data["answer"])
                plans.append([["type", right], ["check"], ["type", wrong], ["check"], ["type", "twelve"], ["check"]])
        said = forms.evaluate_all(_SELFCHECK_PLAY, plans) if found else []
        for item, plan, replies in zip(found, plans, said):
            where = f"{path} {item['key']}: {replies}"
            if plan[0] == ["check"]:                          # radio buttons: keyboard-reachable words
                assert "Choose one of the options" in replies[0], where
                assert replies[1] == "", where                # a changed answer loses its verdict
                assert replies[2].startswith("✔ Correct."), where
                assert replies[3] == "" and replies[4].startswith("✘ Not yet."), where
            else:
                assert replies[0] == "" and replies[1].startswith("✔ Correct."), where
                assert replies[2] == "" and replies[3].startswith("✘ Not yet."), where
                assert replies[4] == "" and "Could not read 'twelve'" in replies[5], where
            checked += 1
    assert checked >= 40, f"only {checked} answer boxes on the site"


def test_answer_boxes_work_on_a_phone(visits):
    """At 390 px every box is typed into (or its word picked) and its button tapped, for real."""
    for path, form in _elements(visits, "form.course-selfcheck", PHONE):
        key = form.get_attribute("data-exercise")
        data = json.loads(form.locator("script.course-selfcheck-data").text_content())
        feedback = form.locator(".course-feedback")
        if EXERCISES[key].options:
            form.locator(f"input[value='{data['answer']}']").check()
        else:
            form.locator("input[name=answer]").fill(", ".join(repr(v) for v in data["answer"]))
        form.locator("button").click()
        assert feedback.inner_text().startswith("✔ Correct."), f"{path} {key}: {feedback.inner_text()}"


def test_dark_mode_keeps_figures_and_text_readable(browser, base_url):
    """Figures carry their own opaque light background, and the text turns light on a dark page."""
    visit = open_page(browser, base_url, "chapters/04_gradient_descent/gradient_descent.html")
    page = visit.page
    page.evaluate("() => { localStorage.setItem('mode', 'dark'); }")
    page.reload(wait_until="load")
    found = page.evaluate("""() => {
        const corner = img => {            // the top-left pixel, as the reader sees it on any background
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const ctx = c.getContext('2d');
            ctx.drawImage(img, 0, 0);
            return Array.from(ctx.getImageData(1, 1, 1, 1).data);
        };
        const figures = Array.from(document.querySelectorAll('article img'))
            .filter(img => img.closest('.cell_output') || img.closest('.course-explorer'));
        const box = document.querySelector('form.course-selfcheck');
        return {theme: document.documentElement.dataset.theme, corners: figures.map(corner),
                text: getComputedStyle(document.querySelector('article p')).color,
                page: getComputedStyle(document.body).backgroundColor,
                boxText: getComputedStyle(box.querySelector('label')).color,
                boxBackground: getComputedStyle(box).backgroundColor};
    }""")
    page.close()

    def luminance(css: str) -> float:
        r, g, b = [int(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    assert found["theme"] == "dark"
    assert found["corners"], "no figure found"
    assert all(rgba[3] == 255 and min(rgba[:3]) >= 240 for rgba in found["corners"]), found["corners"]
    assert luminance(found["text"]) - luminance(found["page"]) > 0.5   # light text on a dark page
    assert luminance(found["boxText"]) - luminance(found["boxBackground"]) > 0.5   # answer boxes too


def test_navigation_lists_the_chapters_in_syllabus_order(visits):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    expected = [toc["root"]] + [file for entry in toc["chapters"]
                                for file in [entry["file"]] + [sub["file"] for sub in entry.get("sections", [])]]
    hrefs = visits("chapters/00_welcome/welcome.html").page.evaluate(
        "() => Array.from(document.querySelectorAll('.bd-sidebar-primary nav a.reference')).map(a => a.href)")
    shown = [urlsplit(h).path.lstrip("/").removesuffix(".html") for h in hrefs]
    assert shown == expected


def test_search_finds_a_chapter(browser, base_url):
    visit = open_page(browser, base_url, "search.html?q=Newton")
    results = visit.page.locator("#search-results li a")
    results.first.wait_for(timeout=15000)
    hrefs = [a.get_attribute("href") for a in results.all()]
    visit.page.close()
    assert any("gradient_descent" in h for h in hrefs)
    assert visit.errors == [] and visit.external == []


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("chapters/")])
def test_chapters_can_be_launched_and_downloaded(visits, site, path):
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    owner_repo = urlsplit(repo).path.strip("/")
    notebook = path.removesuffix(".html") + ".ipynb"
    hrefs = visits(path).page.evaluate("() => Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert f"https://mybinder.org/v2/gh/{owner_repo}/main?urlpath=lab/tree/{notebook}" in hrefs
    assert f"https://colab.research.google.com/github/{owner_repo}/blob/main/{notebook}" in hrefs
    assert repo in hrefs
    downloads = [h for h in hrefs if h.endswith(notebook) and "/_sources/" in h]
    assert downloads and (site / "_sources" / notebook).is_file()


# ------------------------------------------------------ links (no browser)

class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and (tag, key) in {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")}:
                self.hrefs.append(attrs[key])


@functools.cache
def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_internal_links_and_anchors_resolve(site):
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] in ("_static", "_sources"):
            continue
        for href in _parse(page).hrefs:
            if urlsplit(href).scheme or href.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            target, fragment = urldefrag(href)
            target = unquote(urlsplit(target).path)
            file = (page.parent / target).resolve() if target else page
            if file.is_dir():
                file = file / "index.html"
            if not file.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
            elif fragment and file.suffix == ".html" and unquote(fragment) not in _parse(file).ids:
                broken.append(f"{page.relative_to(site)} -> {href} (no such anchor)")
    assert broken == []


def test_every_erratum_is_linked_from_its_chapter_and_links_back(site):
    """Each item of the Errata page (an anchor erratum-...) is linked from a chapter page, and each
    algorithm chapter with items links to them; every item links back to a chapter."""
    errata = site / "appendices" / "errata.html"
    items = sorted(i for i in _parse(errata).ids if i.startswith("erratum-"))
    assert len(items) >= 3
    linked = {}
    for page in sorted((site / "chapters").rglob("*.html")):
        for href in _parse(page).hrefs:
            target, fragment = urldefrag(href)
            if fragment.startswith("erratum-") and target.endswith("errata.html"):
                linked.setdefault(fragment, set()).add(page.relative_to(site).as_posix())
    assert sorted(linked) == items, f"not linked from any chapter: {sorted(set(items) - set(linked))}"
    text = errata.read_text(encoding="utf-8")
    for item in items:   # the item's section (up to the next item) links to a chapter page
        start = text.index(f'id="{item}"')
        following = [text.find(f'id="{other}"') for other in items if text.find(f'id="{other}"') > start]
        section = text[start:min(following, default=len(text))]
        assert "../chapters/" in section, f"{item} does not link back to its chapter"


class _MentionParser(HTMLParser):
    """Text of the article, split into what is inside a link to the Sources page and what is not."""

    def __init__(self):
        super().__init__()
        self.depth, self.article, self.links = 0, 0, []
        self.outside = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.article += 1
        if tag == "a":
            self.links.append("sources" in (attrs.get("href") or ""))
        if tag in ("script", "style"):
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.article -= 1
        if tag == "a" and self.links:
            self.links.pop()
        if tag in ("script", "style"):
            self.depth -= 1

    def handle_data(self, data):
        if self.article and not self.depth and not any(self.links):
            self.outside.append(data)


def test_every_mention_of_the_notes_links_to_the_sources_page(site):
    import re

    mention = re.compile(r"\b[Nn]otes? 00[0-3]\b|\b[Tt]he slides\b|\blecture notes\b")
    unlinked = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.split("/")[0] in ("_static", "_sources") or rel == "appendices/sources.html":
            continue
        parser = _MentionParser()
        parser.feed(page.read_text(encoding="utf-8"))
        text = " ".join(parser.outside)
        unlinked += [f"{rel}: ...{text[max(0, m.start() - 40):m.end() + 20]}..." for m in mention.finditer(text)]
    assert unlinked == []


# ------------------------------------------------------- answer boxes: parity

def test_the_answer_table_gives_the_same_verdicts_on_the_page(browser):
    """The table of tests/answer_table.py through the page's answer box: same verdict, same words."""
    from answer_table import ROWS, TABLE_EXERCISES

    from course_lib.exercises import SelfCheck

    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content("".join(f'<div id="box-{key}">{SelfCheck(ex)._repr_html_()}</div>'
                             for key, ex in TABLE_EXERCISES.items()))
    mismatches = []
    for key, text, correct, fragment in ROWS:
        form = page.locator(f"#box-{key} form.course-selfcheck")
        if TABLE_EXERCISES[key].options:
            form.evaluate("f => f.reset()")                          # no option picked, then the row's
            if text:
                form.locator(f"input[name=answer][value='{text}']").check()
        else:
            form.locator("input[name=answer]").fill(text)
        form.locator("button").click()
        shown = form.locator(".course-feedback").inner_text()
        python = repr(TABLE_EXERCISES[key].check(text))
        if (shown.startswith("✔") is not correct or fragment not in shown
                or shown.split(". ")[0] != python.split(". ")[0]):
            mismatches.append(f"{key} {text!r}: page {shown!r}, python {python!r}")
    assert mismatches == [] and errors == []

    # An edited answer loses its verdict; the keypad is not limited to decimals (no "/" or "," there).
    form = page.locator("#box-gd-max-lr form.course-selfcheck")
    box = form.locator("input[name=answer]")
    box.fill("0.25")
    form.locator("button").click()
    assert form.locator(".course-feedback").inner_text().startswith("✔")
    box.press("End")
    box.press("Backspace")
    assert form.locator(".course-feedback").inner_text() == ""
    assert box.get_attribute("inputmode") in (None, "text")
    page.close()
