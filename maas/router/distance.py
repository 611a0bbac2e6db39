"""Great-circle distance as a compiled ufunc, for the planner's per-request geometry.

Same formula as :func:`maas.timetable.footpaths.haversine_m` (the numpy reference the build
uses; tests hold the two together), but one fused loop: a request measures places against
stations, cars, lots and stops a dozen times over small arrays, where numpy's per-call overhead
dominates.
"""
from __future__ import annotations

import math

from numba import vectorize

EARTH_RADIUS_M = 6_371_008.8
_RAD = math.pi / 180.0


@vectorize(["float64(float64, float64, float64, float64)"], cache=True, nopython=True)
def haversine(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres; broadcasts like any numpy ufunc."""
    p1 = lat1 * _RAD
    p2 = lat2 * _RAD
    s1 = math.sin((p2 - p1) / 2.0)
    s2 = math.sin((lon2 - lon1) * _RAD / 2.0)
    h = s1 * s1 + math.cos(p1) * math.cos(p2) * s2 * s2
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(h, 1.0)))
