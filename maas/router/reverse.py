"""Reverse RAPTOR for arrive-by queries: latest departure per number of trips.

Mirror of :mod:`maas.router.raptor` with the same transfer model read backwards:

* ``alight[k, p]`` is the latest time one may *arrive* at ``p`` by a trip and still reach a
  target with at most ``k`` more trips; targets set it in round 0 (deadline minus egress).
* ``board[k, p]`` is the latest departure by a trip boarding at ``p`` in round ``k``; it makes
  ``board - change[p]`` an alighting deadline at ``p`` and ``board - walk(q, p)`` one at every
  stop ``q`` with a footpath to ``p``.

The planner turns the latest departure of each round into an itinerary by a forward search
from that time, as OpenTripPlanner does.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

NEG = np.int32(-2_000_000_000)


class ReverseResult(NamedTuple):
    """Latest departure from the sources per number of trips (``best[k]``), and the latest
    boarding time per round and stop (``board[k, p]``)."""

    best: np.ndarray
    board: np.ndarray


@njit(cache=True, nogil=True)
def latest_trip(arr_time, trip_time_ptr, t0, t1, pos, tmax, active):
    """Last trip in [t0, t1) with arrival at ``pos`` <= tmax and active; t0 - 1 when none."""
    lo = t0
    hi = t1
    while lo < hi:
        mid = (lo + hi) >> 1
        if arr_time[trip_time_ptr[mid] + pos] <= tmax:
            lo = mid + 1
        else:
            hi = mid
    t = lo - 1
    while t >= t0 and not active[t]:
        t -= 1
    return t


@njit(cache=True, nogil=True)
def raptor_reverse(route_stop_ptr, route_stops, route_pickup, route_dropoff,
                   route_trip_ptr, route_first_dep, route_last_dep, trip_time_ptr, arr_time, dep_time,
                   stop_route_ptr, stop_route_r, stop_route_pos,
                   rfp_ptr, rfp_from, rfp_dur, change,
                   trip_active, slot_offsets, stop_ok,
                   tgt_stops, tgt_times, src_stops, src_offsets, max_trips, t_floor):
    """Latest departure from the sources that reaches a target by its time, per round.

    ``tgt_times[i]`` is the latest arrival allowed at ``tgt_stops[i]`` by a trip; ``src_offsets``
    are access durations. ``rfp_*`` is the footpath graph in CSR keyed by destination stop.
    Returns ``best[k]`` = latest departure from the origin using at most ``k`` trips (NEG when
    none) and ``board`` labels [k, stop].
    """
    n_stops = stop_route_ptr.shape[0] - 1
    n_routes = route_stop_ptr.shape[0] - 1
    n_slots = slot_offsets.shape[0]
    n_rounds = max_trips + 1
    alight = np.full((n_rounds, n_stops), NEG, np.int32)
    board = np.full((n_rounds, n_stops), NEG, np.int32)
    best_board = np.full(n_stops, NEG, np.int32)
    best_alight = np.full(n_stops, NEG, np.int32)
    marked = np.zeros(n_stops, np.bool_)
    src_index = np.full(n_stops, -1, np.int32)
    for i in range(src_stops.shape[0]):
        p = src_stops[i]
        if src_index[p] < 0 or src_offsets[i] < src_offsets[src_index[p]]:
            src_index[p] = i
    t_max = NEG
    for i in range(tgt_stops.shape[0]):
        p = tgt_stops[i]
        if tgt_times[i] > alight[0, p]:
            alight[0, p] = tgt_times[i]
            best_alight[p] = tgt_times[i]
            marked[p] = True
        if tgt_times[i] > t_max:
            t_max = tgt_times[i]
    best = np.full(n_rounds, NEG, np.int32)
    best_src = NEG
    route_end = np.full(n_routes, -1, np.int32)
    # whether a (slot, route) has any active trip, found on first use (0 unknown, 1 yes, 2 no):
    # a route whose trips are all off on a slot (a real-time overlay's replaced trips) is skipped
    has_act = np.zeros((n_slots, n_routes), np.int8)
    queue = np.empty(n_routes, np.int32)
    improved = np.empty(n_stops, np.int32)
    is_improved = np.zeros(n_stops, np.bool_)
    for k in range(1, n_rounds):
        for p in range(n_stops):
            if alight[k - 1, p] > alight[k, p]:
                alight[k, p] = alight[k - 1, p]
        n_q = 0
        any_marked = False
        for p in range(n_stops):
            if not marked[p]:
                continue
            any_marked = True
            marked[p] = False
            for j in range(stop_route_ptr[p], stop_route_ptr[p + 1]):
                r = stop_route_r[j]
                pos = stop_route_pos[j]
                if route_end[r] < 0:
                    queue[n_q] = r
                    n_q += 1
                    route_end[r] = pos
                elif pos > route_end[r]:
                    route_end[r] = pos
        if not any_marked:
            break
        n_imp = 0
        for qi in range(n_q):
            r = queue[qi]
            end = route_end[r]
            route_end[r] = -1
            base = route_stop_ptr[r]
            t0 = route_trip_ptr[r]
            t1 = route_trip_ptr[r + 1]
            for s in range(n_slots):
                off = slot_offsets[s]
                if route_last_dep[r] + off < t_floor or route_first_dep[r] + off > t_max:
                    continue
                active = trip_active[s]
                if has_act[s, r] == 0:
                    has_act[s, r] = 2
                    for t in range(t0, t1):
                        if active[t]:
                            has_act[s, r] = 1
                            break
                if has_act[s, r] == 2:
                    continue
                cur = -1
                cur_ptr = 0
                for pos in range(end, -1, -1):
                    p = route_stops[base + pos]
                    if cur >= 0 and route_pickup[base + pos] and stop_ok[p]:
                        d = dep_time[cur_ptr + pos] + off
                        if d > best_board[p] and d > best_src:
                            best_board[p] = d
                            board[k, p] = d
                            if not is_improved[p]:
                                is_improved[p] = True
                                improved[n_imp] = p
                                n_imp += 1
                            si = src_index[p]
                            if si >= 0 and d - src_offsets[si] > best_src:
                                best_src = d - src_offsets[si]
                    la = alight[k - 1, p]
                    if la > best_src and route_dropoff[base + pos] and stop_ok[p]:
                        if cur < 0 or la > arr_time[cur_ptr + pos] + off:
                            t = latest_trip(arr_time, trip_time_ptr, t0, t1, pos, la - off, active)
                            if t >= t0 and (cur < 0 or arr_time[trip_time_ptr[t] + pos] > arr_time[cur_ptr + pos]):
                                cur = t
                                cur_ptr = trip_time_ptr[t]
        best[k] = best_src
        for i in range(n_imp):
            p = improved[i]
            is_improved[p] = False
            d = board[k, p]
            c = d - change[p]
            if c > alight[k, p] and c > best_alight[p]:
                alight[k, p] = c
                best_alight[p] = c
                marked[p] = True
            for e in range(rfp_ptr[p], rfp_ptr[p + 1]):
                q = rfp_from[e]
                w = d - rfp_dur[e]
                if w > alight[k, q] and w > best_alight[q]:
                    alight[k, q] = w
                    best_alight[q] = w
                    marked[q] = True
    for k in range(1, n_rounds):
        if best[k] < best[k - 1]:
            best[k] = best[k - 1]
    return ReverseResult(best, board)
