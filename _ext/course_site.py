"""Sphinx extension of the course website.

* MathJax from the site itself. Jupyter Book loads MathJax from a CDN, so a reader
  offline (or behind a firewall) would see raw LaTeX. This points Sphinx at a copy
  of MathJax 3 that ships in the PyPI package ``django-static-mathjax`` (no Django
  needed: it only holds the files) and copies the parts the site uses into
  ``_static/mathjax``.
* No duplicated inline scripts: sphinx-thebe registers its configuration script
  twice under Jupyter Book, which redeclares a constant and logs an error on
  every page.
* A valid default colour mode, without which the theme logs an error on a first visit.
* Formulas are not Tab stops: MathJax's menu would otherwise put every formula in the
  keyboard's focus order (110 stops on the gradient-descent page before its first control).
  The menu itself (right click) and the speech / MathML for screen readers stay.
* No ``fontawesome.js``: the theme's stylesheet already draws every icon it uses
  with the Font Awesome web fonts; the 1.5 MB script (hard-wired into the theme's
  page template, so it is removed from the written pages) only made each page
  heavier than the 3 MB budget.
* The search index only on the search page: the theme's template loads Sphinx's
  search scripts and the whole index (240 kB, growing with the book) on every page,
  for a search-as-you-type box the site does not use (``search_as_you_type`` is off);
  the search button opens ``search.html``, which loads them itself.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MATHJAX_FILES = [          # relative to MathJax's es5 folder
    "tex-chtml.js",        # TeX input, HTML output, menu, assistive MathML
    "output/chtml",        # the web fonts
    "input/tex",           # extensions loaded on demand (\boldsymbol, \cancel, ...)
    "ui",
    "a11y",
]


def _mathjax_source() -> Path:
    try:
        import mathjax  # installed by django-static-mathjax
    except ImportError as err:
        raise RuntimeError("MathJax is missing: pip install django-static-mathjax (requirements-dev.txt)") from err
    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _configure(app, config) -> None:
    config.mathjax_path = "mathjax/tex-chtml.js"
    mathjax = dict(config.mathjax3_config or {})
    options = dict(mathjax.get("options", {}))
    menu = dict(options.get("menuOptions", {}))
    menu["settings"] = {**menu.get("settings", {}), "inTabOrder": False}
    options["menuOptions"] = menu
    mathjax["options"] = options
    config.mathjax3_config = mathjax
    config.html_context.setdefault("default_mode", "auto")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", None) or "", repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts


_FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')


def _drop_fontawesome_js(outdir: Path) -> None:
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        lighter = _FONTAWESOME_JS.sub("", text)
        if lighter != text:
            page.write_text(lighter, encoding="utf-8")


_SEARCH_SCRIPTS = re.compile(
    r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>')


def _drop_search_scripts(outdir: Path) -> None:
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).as_posix() == "search.html":
            continue
        text = page.read_text(encoding="utf-8")
        lighter = _SEARCH_SCRIPTS.sub("", text)
        if lighter != text:
            page.write_text(lighter, encoding="utf-8")


def _finish(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _copy_mathjax(Path(app.outdir))
    _drop_fontawesome_js(Path(app.outdir))
    _drop_search_scripts(Path(app.outdir))


def _copy_mathjax(outdir: Path) -> None:
    source = _mathjax_source()
    target = outdir / "_static" / "mathjax"
    for name in MATHJAX_FILES:
        src, dst = source / name, target / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def setup(app):
    _mathjax_source()  # fail early, with a clear message
    app.connect("config-inited", _configure, priority=900)
    app.connect("html-page-context", _drop_duplicate_scripts)
    app.connect("build-finished", _finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
