"""Group trips into RAPTOR routes: same stops and pickup/drop-off rules, and no overtaking."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TripRows:
    """Stop times of all trips as flat arrays, trip by trip in stop order."""

    trip_ptr: np.ndarray      # int64 [n_trips + 1] into the flat arrays
    stop: np.ndarray          # int32 stop index
    arr: np.ndarray           # int32 seconds
    dep: np.ndarray           # int32 seconds
    pickup: np.ndarray        # bool: boarding allowed
    dropoff: np.ndarray       # bool: alighting allowed
    route: np.ndarray         # int32 GTFS route index per trip (a RAPTOR route never mixes two)


@dataclass
class RoutePlan:
    """Trips (as input trip indices) of each RAPTOR route, ordered by departure."""

    routes: list[np.ndarray]
    overtaking_splits: int    # number of extra routes created because a trip overtook another


def group_routes(rows: TripRows) -> RoutePlan:
    """Split trips into routes whose trips share a GTFS route and a pattern and never overtake.

    Within a pattern trips are sorted by departure from the first stop (then by later times);
    a trip joins the first route whose last trip it never precedes at any stop, otherwise it
    opens a new route. Sorted order makes comparing with the last trip enough.
    """
    n_trips = len(rows.trip_ptr) - 1
    patterns: dict[bytes, list[int]] = {}
    for t in range(n_trips):
        a, b = rows.trip_ptr[t], rows.trip_ptr[t + 1]
        if b - a < 2:
            continue
        key = (rows.route[t:t + 1].tobytes() + rows.stop[a:b].tobytes() + rows.pickup[a:b].tobytes()
               + rows.dropoff[a:b].tobytes())
        patterns.setdefault(key, []).append(t)
    routes: list[np.ndarray] = []
    splits = 0
    for trips in patterns.values():
        trips_arr = np.asarray(trips)
        n = rows.trip_ptr[trips_arr[0] + 1] - rows.trip_ptr[trips_arr[0]]
        starts = rows.trip_ptr[trips_arr][:, None] + np.arange(n)[None, :]
        dep = rows.dep[starts]
        arr = rows.arr[starts]
        order = np.lexsort(tuple(arr[:, i] for i in range(n - 1, -1, -1)) + tuple(dep[:, i] for i in range(n - 1, -1, -1)))
        groups: list[list[int]] = []
        last_idx: list[int] = []
        for i in order:
            for g, j in enumerate(last_idx):
                if np.all(dep[i] >= dep[j]) and np.all(arr[i] >= arr[j]):
                    groups[g].append(i)
                    last_idx[g] = i
                    break
            else:
                groups.append([i])
                last_idx.append(i)
        splits += len(groups) - 1
        routes.extend(trips_arr[np.asarray(g)] for g in groups)
    return RoutePlan(routes=routes, overtaking_splits=splits)
