"""Per-edge costs of a street graph for one way of travelling (seconds; inf = may not pass).

Penalties are time a traveller really loses (slower on setts, looking for a lowered kerb,
climbing steps slowly), so a walking leg's cost is its duration.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maas.streets import tags as T


@dataclass(frozen=True)
class WalkRules:
    """How one walking profile moves on streets."""

    speed: float                     # m/s on a plain pavement
    forbidden: int = 0               # edge flag bits this profile never passes
    max_incline_pct: float = np.inf  # steeper tagged inclines are forbidden
    steps_factor: float = 1.0        # time on steps relative to flat walking
    rough_factor: float = 1.0        # time on rough surfaces
    limited_factor: float = 1.0      # time on wheelchair=limited ways
    kerb_unknown_s: float = 0.0      # time lost at a crossing of unknown kerb height
    steep_factor: float = 1.0        # time on inclines above 12 % (not forbidden)


def walk_costs(flags: np.ndarray, length: np.ndarray, incline: np.ndarray, r: WalkRules) -> np.ndarray:
    """Seconds per walk edge for ``r`` (inf where forbidden)."""
    flags = np.asarray(flags).astype(np.int64)
    length = np.asarray(length, np.float64)
    factor = np.ones(len(length))
    factor = np.where(flags & T.STEPS, r.steps_factor, factor)
    factor = np.where(flags & T.ROUGH, factor * r.rough_factor, factor)
    factor = np.where(flags & T.WHEELCHAIR_LIMITED, factor * r.limited_factor, factor)
    factor = np.where(flags & T.STEEP_STROLLER, factor * r.steep_factor, factor)
    c = length / r.speed * factor + np.where(flags & T.KERB_UNKNOWN, r.kerb_unknown_s, 0.0)
    bad = (flags & r.forbidden) != 0
    if np.isfinite(r.max_incline_pct):
        inc = np.asarray(incline, np.float64)
        bad |= np.nan_to_num(inc, nan=0.0) > r.max_incline_pct
    return np.where(bad, np.inf, c)


def bike_costs(length: np.ndarray, factor: np.ndarray, speed: float) -> np.ndarray:
    """Generalized seconds per bike edge: time at ``speed`` times the class factor (cycleways < 1)."""
    return np.asarray(length, np.float64) / speed * np.asarray(factor, np.float64)


def car_costs(length: np.ndarray, speed: np.ndarray, flags: np.ndarray, speed_factor: float,
              signal_s: float) -> np.ndarray:
    """Seconds per car edge: metres at the edge's speed x ``speed_factor`` (urban traffic), plus
    ``signal_s`` per traffic light."""
    v = np.asarray(speed, np.float64) * speed_factor
    return (np.asarray(length, np.float64) / v
            + np.where(np.asarray(flags).astype(np.int64) & T.SIGNALS, signal_s, 0.0))
