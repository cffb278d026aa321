"""Whole-course checks: the syllabus is covered, every external link is known and well formed, and every
worked solution's result passes its exercise's checker.

The syllabus and link checks read the built website (``_build/html``; ``python3 dev.py test`` builds it
first). Without it they skip and say how to build it; with ``COURSE_REQUIRE_BROWSER=1`` (as in CI, which
builds first) they fail instead. The solution checks read the notebooks' stored outputs (nbval checks
that the outputs are what the code computes now).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml

from course_lib.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
REQUIRE = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
NOTEBOOKS = sorted([*(ROOT / "chapters").rglob("*.ipynb"), *(ROOT / "appendices").rglob("*.ipynb")])
CHAPTER_NOTEBOOKS = [nb for nb in NOTEBOOKS if nb.relative_to(ROOT).parts[0] == "chapters"]


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        reason = ("the website is not built: run `python3 dev.py build` (or `python3 dev.py build --stored`, "
                  "from the notebooks' stored outputs)")
        if REQUIRE:
            pytest.fail(reason)
        pytest.skip(reason)
    return SITE


def _site_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("_static", "_sources"))


# ------------------------------------------------------------------ reading the pages

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Prose(HTMLParser):
    """The text of a page's article: headings and prose, without code cells, their outputs or scripts."""

    SKIP_TAGS = {"script", "style", "pre", "template"}
    SKIP_CLASSES = {"cell_input", "cell_output", "headerlink"}
    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "tr", "td", "th", "dt", "dd", "section",
              "figcaption", "caption"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []   # (tag, whether it starts a skipped region)
        self.in_article = 0
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag in self.SKIP_TAGS or bool(classes & self.SKIP_CLASSES)
        self.stack.append((tag, skip))
        self.skipping += skip
        if tag == "article" and "bd-article" in classes:
            self.in_article += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        while self.stack:                      # tolerate unclosed tags: pop up to the matching one
            open_tag, skip = self.stack.pop()
            self.skipping -= skip
            if open_tag == "article" and self.in_article:
                self.in_article -= 1
            if open_tag == tag:
                break
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_article and not self.skipping:
            self.parts.append(data)


def _normalize(text: str) -> str:
    """Lower case, no white space, no LaTeX thin spaces; ’ as ', − as -, “” as ". For matching phrases."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u2212": "-", "\u201c": '"',
                                         "\u201d": '"', "\u00a0": " "}))
    text = re.sub(r"\\[,;!]", "", text)
    return re.sub(r"\s+", "", text).lower()


@cache
def _prose(path: Path) -> str:
    parser = _Prose()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


# ------------------------------------------------------------------ 1. the syllabus

SYLLABUS = yaml.safe_load((Path(__file__).with_name("syllabus.yml")).read_text(encoding="utf-8"))


def _topic_id(entry) -> str:
    first = entry["pages"][0]
    where = first.split("/")[1][:2] if first.startswith("chapters/") else "app"
    return f"{where}: {entry['topic'][:60]}"


def _topic_params():
    for entry in SYLLABUS:
        marks = [pytest.mark.xfail(reason=entry["pending"], strict=True)] if entry.get("pending") else []
        yield pytest.param(entry, id=_topic_id(entry), marks=marks)


def _pages_of(site: Path, names: list[str]) -> list[Path]:
    pages = []
    for name in names:
        if (site / name).is_dir():
            found = sorted((site / name).glob("*.html"))
        else:
            found = [site / f"{name}.html"] if (site / f"{name}.html").is_file() else []
        assert found, f"syllabus.yml names {name!r}, which is not a page or folder of the built site"
        pages += found
    return pages


def missing_phrases(entry: dict, texts: list[str]) -> list:
    """The phrases (or groups of alternatives) of a syllabus entry that none of ``texts`` contains."""
    haystack = "\n".join(_normalize(t) for t in texts)
    missing = []
    for phrase in entry["must"]:
        alternatives = phrase if isinstance(phrase, list) else [phrase]
        if not any(_normalize(a) in haystack for a in alternatives):
            missing.append(phrase)
    return missing


def test_the_syllabus_file_is_well_formed():
    chapters = {p.name for p in (ROOT / "chapters").iterdir() if p.is_dir() and re.match(r"\d\d_", p.name)}
    covered = set()
    for entry in SYLLABUS:
        assert set(entry) <= {"pages", "topic", "must", "pending"} and entry["must"], entry
        assert all(isinstance(p, str) and p.strip() for p in entry["must"] if not isinstance(p, list)), entry
        covered |= {p.split("/")[1] for p in entry["pages"] if p.startswith("chapters/")}
    assert covered == chapters, f"chapters without a syllabus topic: {sorted(chapters - covered)}"


@pytest.mark.site   # reads the built site: dev.py test runs it after the build
@pytest.mark.parametrize("entry", list(_topic_params()))
def test_every_syllabus_topic_is_taught_on_its_pages(site, entry):
    pages = _pages_of(site, entry["pages"])
    missing = missing_phrases(entry, [_prose(p) for p in pages])
    assert not missing, (f"syllabus topic {entry['topic']!r}: the prose of "
                         f"{', '.join(p.relative_to(site).as_posix() for p in pages)} lacks {missing}")


def test_the_syllabus_check_can_fail():
    entry = {"pages": ["x"], "topic": "t", "must": ["linear decay until", ["Yogi", "yogi's"], "W = 0"]}
    assert missing_phrases(entry, ["The linear\n decay until τ; yogi’s rule", "with \\(W\\, = 0\\)"]) == []
    assert missing_phrases(entry, ["linear decay, Yogi"]) == ["linear decay until", "W = 0"]


@pytest.mark.site   # reads the built site: dev.py test runs it after the build
def test_no_page_is_a_placeholder(site):
    """A page that only says it is being written is not a page yet."""
    placeholders = [p.relative_to(site).as_posix() for p in _site_pages(site)
                    if re.search(r"\((being written|to do|todo|tbd)\.?\)", _prose(p), re.IGNORECASE)]
    pending = {e["pages"][0] + ".html" for e in SYLLABUS if e.get("pending")}
    assert set(placeholders) <= pending, f"placeholder pages: {sorted(set(placeholders) - pending)}"


# ------------------------------------------------------------------ 2. external links

LINKS_FILE = Path(__file__).with_name("external_links.txt")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def listed_links() -> list[str]:
    lines = [line.strip() for line in LINKS_FILE.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


#: What a placeholder of tests/external_links.txt stands for, and an example to check the entry's form with.
PLACEHOLDERS = {"notebook": (r"[\w./-]+\.ipynb", "chapters/00_welcome/welcome.ipynb"),
                "page": (r"[\w./-]+\.html", "chapters/00_welcome/welcome.html")}


def _pattern(entry: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", entry)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{PLACEHOLDERS[part][0]})"
                    for i, part in enumerate(parts))
    return re.compile(regex + r"\Z")


def match_listed(url: str, entries: list[str], site: Path | None = None) -> str | None:
    """The entry of the list that ``url`` is, or None. A placeholder must name a notebook that exists
    (and, given the site, a page that exists)."""
    for entry in entries:
        match = _pattern(entry).match(url)
        if not match:
            continue
        groups = match.groupdict()
        if "notebook" in groups and not (ROOT / groups["notebook"]).is_file():
            continue
        if "page" in groups and site is not None and not (site / groups["page"]).is_file():
            continue
        return entry
    return None


class _Links(HTMLParser):
    """Every link a reader can follow (``<a href>``, ``<area href>``, ``<form action>``) that leaves the site."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = attrs.get("href") if tag in ("a", "area") else attrs.get("action") if tag == "form" else None
        if url and re.match(r"^([a-z][a-z0-9+.-]*:|//)", url.strip(), re.IGNORECASE) \
                and not url.strip().lower().startswith(("mailto:", "javascript:", "data:")):
            self.links.append(url)


@cache
def site_links(site: Path) -> dict[str, set[str]]:
    """External URL -> the pages linking to it."""
    found: dict[str, set[str]] = {}
    for page in _site_pages(site):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.links:
            found.setdefault(url, set()).add(page.relative_to(site).as_posix())
    return found


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)


def urls_in_text(text: str) -> list[str]:
    """URLs written in source text, without the punctuation or bracket that ends their sentence or link."""
    urls = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0)
        while url and (url[-1] in ".,;:!?*_" or (url[-1] == ")" and url.count(")") > url.count("("))
                       or (url[-1] == "]" and url.count("]") > url.count("["))):
            url = url[:-1]
        urls.append(url)
    return urls


@cache
def source_links() -> dict[str, set[str]]:
    """External URL -> the source files (notebook cells, Markdown, reST, bibliography, configuration) naming it."""
    found: dict[str, set[str]] = {}

    def add(text, where):
        for url in urls_in_text(text):
            found.setdefault(url, set()).add(where)

    for nb_path in NOTEBOOKS:
        for i, cell in enumerate(nbformat.read(nb_path, as_version=4).cells):
            add(cell.source, f"{nb_path.relative_to(ROOT).as_posix()} cell {i}")
    files = [*(ROOT / "appendices").glob("*.md"), *(ROOT / "appendices").glob("*.rst"),
             *(ROOT / "chapters").rglob("*.md"), ROOT / "references.bib", ROOT / "_config.yml", ROOT / "_toc.yml"]
    for path in files:
        add(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    # sphinxcontrib-bibtex shows a doi field as a link to doi.org
    for doi in re.findall(r"^\s*doi\s*=\s*[{\"]([^}\"]+)[}\"]", (ROOT / "references.bib").read_text(encoding="utf-8"),
                          re.MULTILINE | re.IGNORECASE):
        found.setdefault(f"https://doi.org/{doi.strip()}", set()).add("references.bib (doi)")
    return found


def link_problems(url: str) -> list[str]:
    """What is wrong with an external URL as a link on the site (empty when nothing is)."""
    problems = []
    parts = urlsplit(url)
    if parts.scheme != "https":
        problems.append(f"scheme {parts.scheme or '(none)'}, not https")
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    if (not host or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels)
            or not re.fullmatch(r"[a-z]{2,63}", labels[-1]) or parts.port is not None or parts.username):
        problems.append(f"host {parts.netloc!r} is not a valid host name")
    if re.search(r"\s", url):
        problems.append("white space")
    for left, right in ("()", "[]", "{}"):
        depth = 0
        for char in url:
            depth += (char == left) - (char == right)
            if depth < 0:
                break
        if depth != 0:
            problems.append(f"unbalanced {left}{right}")
    # Punctuation of the sentence swallowed by the link; not a sentence of text inside a query value,
    # such as the theme's issue link (...&body=Your%20issue%20content%20here.).
    sentence_in_query = bool(parts.query) and re.search(r"%20[^&=]*$", parts.query)
    closing = {")": "(", "]": "[", "}": "{"}
    last = url[-1:]
    if last and not sentence_in_query and (last in ".,;:!?'\"*_>" or
                                           (last in closing and url.count(last) > url.count(closing[last]))):
        problems.append(f"ends with {last!r}")
    if "<" in url or ">" in url or '"' in url:
        problems.append("contains <, > or a quote")
    return problems


def test_the_link_check_can_fail():
    assert link_problems("https://doi.org/10.1016/0041-5553(64)90137-5") == []
    assert link_problems("https://mybinder.org/v2/gh/a/b/main?urlpath=lab/tree/c.ipynb") == []
    assert link_problems("http://arxiv.org/abs/1705.08292") == ["scheme http, not https"]
    assert link_problems("https://arxiv.org/abs/1705.08292.") == ["ends with '.'"]
    assert link_problems("https://arxiv.org/abs/1705 08292") == ["white space"]
    assert link_problems("https://doi.org/10.1016/(64") == ["unbalanced ()"]
    assert link_problems("https://localhost/x")[0].startswith("host")
    assert link_problems("https://github.com/o/r/issues/new?title=a&body=Your%20issue%20here.") == []
    assert link_problems("https://github.com/o/r/issues/new?title=a.") == ["ends with '.'"]
    assert link_problems("https://en.wikipedia.org/wiki/Saddle_(disambiguation)") == []
    assert link_problems("https://example.org/a)") == ["unbalanced ()", "ends with ')'"]
    assert link_problems("https://exa_mple.org")[0].startswith("host")
    assert urls_in_text("see [Binder](https://mybinder.org).") == ["https://mybinder.org"]
    assert urls_in_text("(doi https://doi.org/10.1/a(64)b), and") == ["https://doi.org/10.1/a(64)b"]
    assert urls_in_text('pip install "x @ git+https://github.com/o/r"') == ["https://github.com/o/r"]


def test_the_list_of_external_links_is_well_formed():
    links = listed_links()
    assert len(links) == len(set(links)), "tests/external_links.txt lists a link twice"
    examples = {entry: re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDERS[m.group(1)][1], entry) for entry in links}
    bad = {entry: link_problems(example) for entry, example in examples.items() if link_problems(example)}
    assert not bad, f"malformed links in tests/external_links.txt: {bad}"


@pytest.mark.site   # reads the built site: dev.py test runs it after the build
def test_every_external_link_of_the_site_is_listed_and_well_formed(site):
    found = site_links(site)
    entries = listed_links()
    bad = {url: (link_problems(url), sorted(pages)[:3]) for url, pages in found.items() if link_problems(url)}
    unlisted = {url: sorted(pages)[:3] for url, pages in found.items() if not match_listed(url, entries, site)}
    assert not bad, f"malformed external links on the site (url: problems, pages): {bad}"
    assert not unlisted, ("external links on the site missing from tests/external_links.txt (url: pages); add "
                          f"each to its group if it is meant to be there: {unlisted}")


def test_every_external_link_in_the_sources_is_listed_and_well_formed():
    found = source_links()
    entries = listed_links()
    bad = {url: (link_problems(url), sorted(where)[:3]) for url, where in found.items() if link_problems(url)}
    unlisted = {url: sorted(where)[:3] for url, where in found.items() if not match_listed(url, entries)}
    assert not bad, f"malformed URLs in the sources (url: problems, where): {bad}"
    assert not unlisted, f"URLs in the sources missing from tests/external_links.txt (url: where): {unlisted}"


@pytest.mark.site   # reads the built site: dev.py test runs it after the build
def test_every_listed_link_is_still_used(site):
    entries = listed_links()
    used = {match_listed(url, entries, site) for url in [*site_links(site), *source_links()]}
    stale = [entry for entry in entries if entry not in used]
    assert not stale, f"tests/external_links.txt lists links that neither the site nor the sources use: {stale}"


def test_a_placeholder_matches_only_what_exists():
    entries = ["https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/{notebook}"]
    assert match_listed("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/chapters/05_sgd/sgd.ipynb", entries)
    assert not match_listed("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/chapters/05_sgd/no.ipynb", entries)
    assert not match_listed("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/a b.ipynb", entries)


# ------------------------------------------------------------------ 3. exercises and their solutions

_GATE = re.compile(r"```\{(exercise-start|exercise-end|solution-start|solution-end)\}[ \t]*([^\n]*)\n"
                   r"(?:[ \t]*:label:[ \t]*(\S+))?")
_SELF_CHECK = re.compile(r"""self_check\(\s*["']([\w-]+)["']\s*\)""")
_CHECK = re.compile(r"""(?<![\w.])check\(\s*["']([\w-]+)["']\s*,""")
_VERDICT = re.compile(r"^(✔ Correct\.|✘ Not yet\.) (.*)$", re.DOTALL)


def _text_outputs(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        text = output.get("text") if output.get("output_type") == "stream" else output.get("data", {}).get("text/plain")
        if text:
            texts.append(text if isinstance(text, str) else "".join(text))
    return texts


@cache
def exercise_blocks() -> list[dict]:
    """Every exercise of every chapter: its label, notebook, the keys of its answer boxes, the student's cells
    (``check(key, answer)`` with ``answer = None``) and its solution's code cells."""
    blocks = []
    for path in CHAPTER_NOTEBOOKS:
        nb_name = path.relative_to(ROOT).as_posix()
        current, region = None, None
        by_label = {}
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown":
                for kind, argument, label in _GATE.findall(cell.source):
                    if kind == "exercise-start":
                        assert label, f"{nb_name} cell {i}: an exercise without a :label:"
                        current = {"label": label, "notebook": nb_name, "keys": [], "student": [],
                                   "solution": None, "cells": []}
                        by_label[label] = current
                        blocks.append(current)
                        region = "exercise"
                    elif kind == "solution-start":
                        target = by_label.get(argument.strip())
                        assert target is not None, f"{nb_name} cell {i}: a solution of {argument!r}, no such exercise"
                        assert target["solution"] is None, f"{nb_name}: two solutions of {argument!r}"
                        target["solution"] = i
                        current, region = target, "solution"
                    else:
                        region = None
            elif cell.cell_type == "code" and region == "exercise":
                current["keys"] += _SELF_CHECK.findall(cell.source)
                if _CHECK.search(cell.source):
                    current["student"].append((i, cell))
            elif cell.cell_type == "code" and region == "solution":
                current["cells"].append((i, cell))
    return blocks


def _asked_keys() -> set:
    return {key for block in exercise_blocks() for key in block["keys"]}


#: Registered keys that are demonstrated rather than asked: the Welcome page's example of an answer box.
DEMONSTRATED = {"welcome-derivative"}


def test_every_exercise_has_answer_boxes_a_student_cell_and_a_solution():
    problems = []
    for block in exercise_blocks():
        where = f"{block['notebook']} {block['label']}"
        if not block["keys"]:
            problems.append(f"{where}: no answer box (self_check)")
        if block["solution"] is None:
            problems.append(f"{where}: no solution")
        students = {k for _, cell in block["student"] for k in _CHECK.findall(cell.source)}
        if students != set(block["keys"]):
            problems.append(f"{where}: answer boxes {block['keys']} but student cells for {sorted(students)}")
        for i, cell in block["student"]:
            if not re.search(r"^answer = None\b", cell.source, re.MULTILINE):
                problems.append(f"{where} cell {i}: the student's cell does not start from answer = None")
    assert not problems, "\n".join(problems)


def test_every_registered_exercise_is_asked_once():
    asked = [key for block in exercise_blocks() for key in block["keys"]]
    assert len(asked) == len(set(asked)), sorted(k for k in asked if asked.count(k) > 1)
    assert set(asked) | DEMONSTRATED == set(EXERCISES), (
        f"registered but never asked: {sorted(set(EXERCISES) - set(asked) - DEMONSTRATED)}; "
        f"asked but not registered: {sorted(set(asked) - set(EXERCISES))}")


def solution_results() -> list:
    """(exercise label, key, notebook cell, the result its solution shows) for every solution's check call."""
    results = []
    for block in exercise_blocks():
        for i, cell in block["cells"]:
            keys = _CHECK.findall(cell.source)
            if not keys:
                continue
            verdicts = [t for t in _text_outputs(cell) if _VERDICT.match(t)]
            results.append((block["label"], keys, f"{block['notebook']} cell {i}", verdicts, cell.source))
    return results


def test_every_answer_box_is_checked_by_its_solution():
    problems = []
    for block in exercise_blocks():
        solved = {k for _, cell in block["cells"] for k in _CHECK.findall(cell.source)}
        if solved != set(block["keys"]):
            problems.append(f"{block['notebook']} {block['label']}: answer boxes {sorted(block['keys'])}, "
                            f"the solution checks {sorted(solved)}")
    assert not problems, "\n".join(problems)


def _shown_answer(verdict: str) -> str:
    """The answer a verdict repeats: "✔ Correct. 0.25 is right." gives "0.25"."""
    message = _VERDICT.match(verdict).group(2).strip()
    match = re.match(r"^(.*?)(?: is right\.|: .*| is not right\..*)$", message, re.DOTALL)
    return match.group(1) if match else message


@pytest.mark.parametrize("label, keys, where, verdicts, source", solution_results(),
                         ids=[f"{r[0]}:{r[2].split(' cell ')[1]}" for r in solution_results()])
def test_every_solution_result_passes_its_checker(label, keys, where, verdicts, source):
    """The result a worked solution computes, as it shows it, typed into the exercise's checker, is right."""
    assert len(keys) == 1, f"{where}: one check per solution cell, so that its verdict is its last output"
    key = keys[0]
    assert re.search(r"""(^|\n)check\(\s*["']""" + re.escape(key) + r"""["'][^\n]*\)\s*$""", source), \
        f"{where}: check({key!r}, ...) must be the cell's last line, so that the page shows its verdict"
    assert len(verdicts) == 1, f"{where}: expected one stored verdict of check({key!r}, ...), got {verdicts}"
    assert verdicts[0].startswith("✔ Correct."), f"{where}: the solution's own result fails: {verdicts[0]}"
    shown = _shown_answer(verdicts[0])
    feedback = EXERCISES[key].check(shown)
    assert feedback.correct, f"{where}: the solution shows {shown!r}, which check({key!r}) rejects: {feedback!r}"


def test_the_solution_check_can_fail():
    assert _shown_answer("✔ Correct. 1.15, 1.1 is right.") == "1.15, 1.1"
    assert _shown_answer("✔ Correct. saddle point is right.") == "saddle point"
    assert _shown_answer("✘ Not yet. 9: that is f(3), the value.") == "9"
    assert not EXERCISES["gd-max-lr"].check(_shown_answer("✔ Correct. 0.125 is right.")).correct
