"""How long each notebook of the book takes to execute (target: at most 20 s each; 60 s for chapters 8-10).

Every notebook under ``chapters/`` and ``appendices/`` is executed as the site build does
(nbclient, a fresh python3 kernel, the notebook's folder as working directory). The
reference, measured in the same run, is an empty notebook: the cost of starting a kernel,
which every notebook pays. Run through ``benchmarks/run.py`` (or alone).
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TARGET = 20.0   # seconds per notebook, kernel start included
#: Chapters that train networks on the digits have a larger budget (issue 12: 60 s each).
LONGER = {"08_initialization": 60.0, "09_batch_normalization": 60.0, "10_putting_it_together": 60.0}


def target(path: Path) -> float:
    """The time budget of one notebook, kernel start included."""
    return LONGER.get(path.parent.name, TARGET)


def execute_seconds(nb, folder: Path) -> float:
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def notebooks() -> list:
    return sorted(p for top in ("chapters", "appendices") for p in (ROOT / top).rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def report() -> None:
    empty = execute_seconds(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")]), ROOT)
    print(f"Notebook execution, seconds (target <= {TARGET:.0f} s each, "
          f"{max(LONGER.values()):.0f} s for chapters 8-10, "
          f"kernel start included); "
          f"reference: an empty notebook {empty:.2f} s")
    print(f"{'notebook':<72}{'seconds':>9}{'minus empty':>13}{'target':>8}")
    for path in notebooks():
        seconds = execute_seconds(nbformat.read(path, as_version=4), path.parent)
        line = f"{str(path.relative_to(ROOT)):<72}{seconds:>9.2f}{seconds - empty:>13.2f}"
        print(line + f"{target(path):>8.0f}" + ("  over target" if seconds > target(path) else ""))


if __name__ == "__main__":
    report()
