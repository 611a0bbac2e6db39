"""CPU time the hypervisor took from this VM while a benchmark ran (``steal`` in /proc/stat).

On a shared VM the same code runs 20-40 % slower while neighbours are busy; the benchmarks
report the steal share next to their timings so that a slow run can be told from slow code.
"""
from __future__ import annotations

from pathlib import Path


def cpu_ticks() -> tuple[int, int] | None:
    """(all ticks, steal ticks) summed over the CPUs, or None where /proc/stat is not there."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in fields[:8]]
    return sum(ticks), ticks[7] if len(ticks) > 7 else 0


def steal_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share (0..1) of CPU time stolen between two :func:`cpu_ticks` readings."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    return round((after[1] - before[1]) / (after[0] - before[0]), 3)
