#!/usr/bin/env python3
"""Re-run chapter 10's whole learning-rate sweep and write its results (a few minutes).

    .venv/bin/python tools/sweep_chapter10.py            # writes course_lib/results/chapter10_sweep.json

Every method of ``course_lib.training.METHODS`` trains the digits MLP of ``Setup()`` at every rate of
``course_lib.comparison.rate_grid()`` (the 16 rates 10^(k/3) from 1e-4 to 10, as on the side-by-side
page of chapter 7) with each of the seeds 0, 1 and 2: 480 runs. The file holds each run's final
training loss, validation loss and accuracy and test accuracy (no wall times), so running this script
again writes the same file, and ``tests/test_training.py`` re-runs a part of it and compares.
The chapter's page loads the file, picks each method's rate on the validation part
(``course_lib.training.select``) and re-runs only those rates.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_lib.comparison import rate_grid  # noqa: E402
from course_lib.training import RESULTS_PATH, Setup, digits_splits, save_sweep, sweep  # noqa: E402

SEEDS = (0, 1, 2)
SPLIT_SEED = 0


def main() -> None:
    setup, rates = Setup(), rate_grid()
    splits = digits_splits(seed=SPLIT_SEED)
    tic = time.perf_counter()

    def progress(run):
        flag = " diverged" if run.diverged else ""
        print(f"{time.perf_counter() - tic:7.1f} s  {run.method:18s} lr {run.lr:<10.3g} seed {run.seed}  "
              f"valid {run.valid_accuracy[-1]:.4f}{flag}", flush=True)

    runs = sweep(splits, rates, SEEDS, setup=setup, progress=progress)
    path = ROOT / RESULTS_PATH
    save_sweep(path, runs, setup=setup, rates=rates, seeds=SEEDS, split_seed=SPLIT_SEED)
    print(f"wrote {path.relative_to(ROOT)}: {len(runs)} runs in {time.perf_counter() - tic:.0f} s")


if __name__ == "__main__":
    main()
