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


def merge_streams(nb) -> None:
    """Join each cell's stdout (and stderr) chunks into one output, at the first one's place.

    The kernel may cut a printed line in two when a display (a ``glue``) is published between
    two prints; Jupyter Book strips each chunk and ends it with a newline, which showed the
    cut as an empty line. nbval compares the joined text, so nothing else changes.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged, first = [], {}
        for output in cell.outputs:
            if output.output_type == "stream" and output.name in first:
                first[output.name].text += output.text
                continue
            if output.output_type == "stream":
                first[output.name] = output
            merged.append(output)
        cell.outputs = merged


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    merge_streams(nb)
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
