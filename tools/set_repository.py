#!/usr/bin/env python3
"""Point a fork of the course at its own repository.

    .venv/bin/python tools/set_repository.py https://github.com/you/your-course [--branch main]

Rewrites the two places that name the repository: ``repository`` in ``_config.yml``
(the site's repository, issue, Binder and Colab buttons) and the first cell of every
notebook, which installs ``course_lib`` from that repository where it is missing
(Colab, a downloaded notebook). ``tests/test_site_config.py`` checks that both agree.
Stored outputs are untouched (the first cell prints nothing), so nothing needs re-executing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)+$")


def notebooks() -> list[Path]:
    return sorted(p for top in ("chapters", "appendices") for p in (ROOT / top).rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def set_repository(url: str, branch: str) -> list[str]:
    """Rewrite _config.yml and every notebook's install cell; return what changed."""
    if not URL.match(url):
        raise ValueError(f"url must look like https://host/owner/name (no trailing slash), got {url!r}")
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
        raise ValueError(f"branch must be a git branch name, got {branch!r}")
    changed = []
    config = ROOT / "_config.yml"
    text = config.read_text()
    new = re.sub(r"(?m)^(repository:\n  url: ).*\n(  branch: ).*$", rf"\g<1>{url}\n\g<2>{branch}", text)
    if new == text and f"  url: {url}\n  branch: {branch}" not in text:
        raise ValueError("_config.yml has no `repository:` block with `url:` and `branch:` lines")
    if new != text:
        config.write_text(new)
        changed.append("_config.yml")
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        source = re.sub(r'"course_lib @ git\+[^"]*"', f'"course_lib @ git+{url}"', first.source)
        if source != first.source:
            first.source = source
            nbformat.write(nb, path)
            changed.append(str(path.relative_to(ROOT)))
    return changed


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="https://github.com/OWNER/NAME")
    parser.add_argument("--branch", default="main")
    args = parser.parse_args(argv)
    try:
        changed = set_repository(args.url, args.branch)
    except ValueError as err:
        sys.exit(f"set_repository.py: {err}")
    print("\n".join(f"rewrote {c}" for c in changed) or "nothing to change")


if __name__ == "__main__":
    main(sys.argv[1:])
