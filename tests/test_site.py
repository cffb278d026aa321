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

import pytest
import yaml

from course_lib.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAX_PAGE_BYTES = 3_000_000


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
    transferred: dict = field(default_factory=dict)   # url -> bytes received (uncompressed)


def open_page(browser, base_url: str, path: str) -> Visit:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
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
        try:
            visit.transferred[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - redirects have no body
            pass

    page.route("**/*", route)
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on("requestfailed", lambda r: None if r.url in visit.external else visit.failed.append(r.url))
    page.on("response", on_response)
    page.goto(f"{base_url}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")   # also lets a redirect page (index.html) arrive
    # MathJax typesets asynchronously; wait for it where it is loaded.
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
    return visit


@pytest.fixture(scope="session")
def visits(browser, base_url):
    """Each page loaded once, shared by the per-page checks."""
    cache = {}

    def get(path: str) -> Visit:
        if path not in cache:
            cache[path] = open_page(browser, base_url, path)
        return cache[path]

    yield get
    for visit in cache.values():
        visit.page.close()


# ----------------------------------------------------------- every page

@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_console_errors_or_failed_requests(visits, path):
    visit = visits(path)
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


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_is_below_3_mb(visits, path):
    """Everything the page loads (HTML, scripts, styles, fonts, images), uncompressed."""
    transferred = visits(path).transferred
    total = sum(transferred.values())
    heaviest = sorted(transferred.items(), key=lambda item: -item[1])[:5]
    assert total < MAX_PAGE_BYTES, f"{path} weighs {total / 1e6:.2f} MB; heaviest: {heaviest}"


# ------------------------------------------------------------ interaction

def _elements(visits, selector: str) -> list:
    """(page path, element) for every element matching ``selector`` on any page; at least one must exist."""
    found = [(p, element) for p in PAGES for element in visits(p).page.locator(selector).all()]
    assert found, f"no page has {selector}"
    return found


def test_kernel_free_interactive_figures_change_with_their_controls(visits):
    for path, explorer in _elements(visits, ".course-explorer"):
        image = explorer.locator("img.course-explorer-frame")
        for control in explorer.locator("input[type=range]").all():
            before_src, before_alt = image.get_attribute("src"), image.get_attribute("alt")
            before_label = control.locator("xpath=following-sibling::output").inner_text()
            current, top = int(control.input_value()), int(control.get_attribute("max"))
            control.fill(str(0 if current != 0 else top))
            assert image.get_attribute("src") != before_src, f"{path}: the figure did not change"
            assert image.get_attribute("alt") != before_alt
            assert control.locator("xpath=following-sibling::output").inner_text() != before_label


def test_solutions_are_folded_and_open_on_click(visits):
    for path, solution in _elements(visits, ".solution.dropdown"):
        body = solution.locator("> :not(.admonition-title)").first
        assert not body.is_visible(), f"{path}: a solution is shown before it is opened"
        solution.locator("button.toggle-button").click()
        body.wait_for(state="visible", timeout=5000)


def test_answer_boxes_tell_right_from_wrong(visits):
    for path, form in _elements(visits, "form.course-selfcheck"):
        key = form.get_attribute("data-exercise")
        data = json.loads(form.locator("script.course-selfcheck-data").text_content())
        assert data["answer"] == pytest.approx(EXERCISES[key].answer.tolist())   # the page's answer is course_lib's
        box, feedback = form.locator("input[name=answer]"), form.locator(".course-feedback")
        box.fill(", ".join(repr(v) for v in data["answer"]))
        form.locator("button").click()
        assert feedback.inner_text().startswith("✔ Correct."), f"{path} {key}: {feedback.inner_text()}"
        box.fill(", ".join(repr(v + 12345.0) for v in data["answer"]))
        form.locator("button").click()
        assert feedback.inner_text().startswith("✘ Not yet."), f"{path} {key}: {feedback.inner_text()}"
        box.fill("twelve")
        form.locator("button").click()
        assert "Could not read 'twelve'" in feedback.inner_text()


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
            .filter(img => img.closest('.cell_output') || img.classList.contains('course-explorer-frame'));
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
    expected = [toc["root"]] + [entry["file"] for entry in toc["chapters"]]
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


@functools.lru_cache(maxsize=None)
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
