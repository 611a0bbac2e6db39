"""From arrival times at stops to travel times to places: the egress step of a travel-time matrix.

A place (a stop, a grid cell, a zone) is reached from the stops near it by walking; its travel
time for each departure is the best stop arrival plus that walk, or a direct walk from the origin.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from maas.router.raptor import INF


@njit(cache=True, nogil=True)
def place_times(arr, deps, egr_ptr, egr_stop, egr_dur, walk_dest, walk_dur, out):
    """out[z, d] = travel time to place z leaving at deps[d] (INF = none within the cut-off).

    ``arr`` is range RAPTOR's [n_dep, n_stops]; it is first turned into travel times per stop
    laid out [n_stops, n_dep] so that the egress loops run over contiguous departures.
    """
    n_dep = arr.shape[0]
    n_s = arr.shape[1]
    n_z = egr_ptr.shape[0] - 1
    tt = np.empty((n_s, n_dep), np.int32)
    for d in range(n_dep):
        t0 = deps[d]
        for s in range(n_s):
            a = arr[d, s]
            tt[s, d] = a - t0 if a < INF else INF
    for z in range(n_z):
        for d in range(n_dep):
            out[z, d] = INF
        for e in range(egr_ptr[z], egr_ptr[z + 1]):
            s = egr_stop[e]
            du = egr_dur[e]
            for d in range(n_dep):
                a = tt[s, d]
                v = a + du if a < INF else INF
                if v < out[z, d]:
                    out[z, d] = v
    for j in range(walk_dest.shape[0]):
        z = walk_dest[j]
        w = walk_dur[j]
        for d in range(n_dep):
            if w < out[z, d]:
                out[z, d] = w
