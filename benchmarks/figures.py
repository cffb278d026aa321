"""Interactive figures and pages: how fast and how heavy they are.

For every interactive figure of the course (every ``explore(...)`` in the chapters'
notebooks) this prints

* the live update time: a control moves in a kernel, ``draw`` runs for the new
  position and only the marks that change are recomputed (median and 95th percentile
  over every position of its controls; target: median <= 50 ms);
* the display time: what showing the explorer in a notebook costs (every combination
  computed once for the website's version, plus the live widget; target <= 1 s),
  measured after one untimed display, as in a notebook that has drawn figures before;
* the bytes its static version adds to the page (target <= 250 kB);

and, when the website is built and Chromium is available, every page's weight with
everything it loads (target < 3 MB). Run through ``benchmarks/run.py``.
"""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

UPDATE_TARGET_MS = 50.0
DISPLAY_TARGET_S = 1.0
STATIC_TARGET_KB = 250.0
PAGE_TARGET_MB = 3.0


def _flag(over: bool) -> str:
    return "  over target" if over else ""


def collect_explorers() -> list[tuple[str, object]]:
    """Run every chapter notebook's code (outside Jupyter) and keep the explorers it creates."""
    import contextlib
    import io

    import nbformat

    import course_lib
    import course_lib.interactive as interactive
    import course_lib.notebook as notebook

    found = []
    original_explore, original_glue = interactive.explore, notebook.glue

    def capturing_explore(draw, **kwargs):
        ex = original_explore(draw, **kwargs)
        found.append((current[0], ex))
        return ex

    current = [""]
    course_lib.explore = interactive.explore = capturing_explore
    notebook.glue = lambda name, value: None
    try:
        for path in sorted((ROOT / "chapters").rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            current[0] = path.stem
            namespace = {"__name__": "__notebook__"}
            nb = nbformat.read(path, as_version=4)
            cwd = os.getcwd()
            os.chdir(path.parent)
            try:
                with contextlib.redirect_stdout(io.StringIO()):      # the notebooks' own prints
                    for cell in nb.cells:
                        if cell.cell_type == "code" and "remove-cell" not in cell.metadata.get("tags", []):
                            exec(compile(cell.source, f"{path.name}", "exec"), namespace)
            finally:
                os.chdir(cwd)
    finally:
        course_lib.explore = interactive.explore = original_explore
        notebook.glue = original_glue
    return found


def measure_explorer(ex) -> dict:
    """Display time, static bytes, and live update times over every position of ``ex``."""
    from course_lib.interactive import Explorer

    # Warm up once, untimed, as a notebook that has drawn figures before is warm (fonts
    # loaded, axis labels parsed); then time a fresh explorer, with nothing of its own cached.
    Explorer(ex.draw, ex.controls, alt=ex.alt)._repr_mimebundle_()
    fresh = Explorer(ex.draw, ex.controls, alt=ex.alt)
    start = time.perf_counter()
    bundle = fresh._repr_mimebundle_()
    display = time.perf_counter() - start
    static_bytes = len(bundle["text/html"].encode("utf-8"))

    widget = fresh.widget()
    shapes = [len(c.values) for c in fresh.controls.values()]
    times = []
    for index in range(fresh.n_frames):
        position, rest = [], index
        for n in reversed(shapes):
            position.insert(0, rest % n)
            rest //= n
        start = time.perf_counter()
        widget.position = position
        times.append(time.perf_counter() - start)
    times.sort()
    return {"combinations": fresh.n_frames, "display_s": display, "static_kb": static_bytes / 1e3,
            "median_ms": statistics.median(times) * 1e3,
            "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] * 1e3}


def page_weights() -> list[tuple[str, float]]:
    """(page, MB) for every page of the built site, everything it loads, uncompressed."""
    site = ROOT / "_build" / "html"
    chromium = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
    if not (site / "index.html").is_file():
        raise RuntimeError("the website is not built (python3 dev.py build)")
    if not Path(chromium).exists():
        raise RuntimeError(f"Chromium not found at {chromium}")
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if p.relative_to(site).parts[0] not in ("_static", "_sources", "_images"))
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for path in pages:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                sizes = {}

                def on_response(response, sizes=sizes):
                    try:
                        sizes[response.url] = len(response.body())
                    except Exception:  # noqa: BLE001 - redirects have no body
                        pass

                page.on("response", on_response)
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:"))
                           else r.abort())
                page.goto(f"{base}/{path}", wait_until="load")
                page.wait_for_load_state("networkidle")
                out.append((path, sum(sizes.values()) / 1e6))
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def report() -> None:
    print("Interactive figures (every explore() in the chapters), measured in this process")
    print(f"targets: live update median <= {UPDATE_TARGET_MS:.0f} ms; display <= {DISPLAY_TARGET_S:.0f} s; "
          f"static version <= {STATIC_TARGET_KB:.0f} kB")
    print(f"{'figure':<22}{'combos':>7}{'update ms median / p95':>25}{'display s':>11}{'static kB':>11}   controls")
    for number, (chapter, ex) in enumerate(collect_explorers(), start=1):
        m = measure_explorer(ex)
        misses = [what for what, bad in (("update", m["median_ms"] > UPDATE_TARGET_MS),
                                         ("display", m["display_s"] > DISPLAY_TARGET_S),
                                         ("static", m["static_kb"] > STATIC_TARGET_KB)) if bad]
        controls = ", ".join(c.label or n for n, c in ex.controls.items())
        print(f"{chapter[:16] + ' #' + str(number):<22}{m['combinations']:>7}"
              f"{m['median_ms']:>13.1f} / {m['p95_ms']:<9.1f}"
              f"{m['display_s']:>11.2f}{m['static_kb']:>11.1f}   {controls}"
              + (f"  over target ({', '.join(misses)})" if misses else ""))
    print()
    print(f"Pages: everything each page loads at 1280 px, uncompressed (target < {PAGE_TARGET_MB:.0f} MB)")
    try:
        weights = page_weights()
    except (RuntimeError, ImportError) as err:
        print(f"  skipped: {err}")
        return
    for path, mb in weights:
        print(f"{path:<56}{mb:>8.3f} MB{_flag(mb >= PAGE_TARGET_MB)}")
