#!/usr/bin/env python3
"""Re-execute notebooks in place so their stored outputs match the current course_lib.

    .venv/bin/python tools/execute_notebooks.py                # every notebook (chapters/, appendices/)
    .venv/bin/python tools/execute_notebooks.py path/to/nb.ipynb

nbval compares these stored outputs with a fresh run, so run this after every
change to course_lib or to a notebook, and commit the result. Execution metadata
(timestamps) is dropped to keep diffs small.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted(
        p for top in ("chapters", "appendices") for p in (ROOT / top).rglob("*.ipynb"))
    for p in paths:
        if ".ipynb_checkpoints" not in p.parts:
            execute(p)
