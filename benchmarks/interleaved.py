"""The timing rule shared by the epoch benchmarks: interleaved rounds, the minimum of each side.

In each round both computations run once, back to back, so that a drift of this machine's speed
affects both alike; the minimum over the rounds is the least disturbed estimate of each.
"""

from __future__ import annotations

import timeit


def ratio_line(label: str, ours, theirs, *, same: bool, repeat: int, target: float) -> str:
    """Time ``ours()`` and ``theirs()`` in ``repeat`` interleaved rounds; one report line with the ratio.

    ``same`` says whether the two computed the same result; when they did not, or when the ratio
    exceeds ``target``, the line ends with "over target" (and "parameters differ").
    """
    best = {"ours": float("inf"), "torch": float("inf")}
    for _ in range(repeat):
        best["ours"] = min(best["ours"], timeit.timeit(ours, number=1))
        best["torch"] = min(best["torch"], timeit.timeit(theirs, number=1))
    ratio = best["ours"] / best["torch"]
    line = (f"{label:<11}{'course_lib (ms)':>16}{best['ours'] * 1e3:>8.2f}{'torch (ms)':>12}"
            f"{best['torch'] * 1e3:>8.2f}{'ratio':>8}{ratio:>6.2f}  (target <= {target})")
    if not same:
        line += "  parameters differ"
    return line + ("  over target" if ratio > target or not same else "")
