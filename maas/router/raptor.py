"""Forward RAPTOR (earliest arrival, Pareto over rounds) and range RAPTOR, as numba kernels.

Only arrays and scalars go in and out. The transfer model, shared with the oracles in tests:

* ``ready[k, p]`` is the earliest time one can *board* at stop ``p`` having used at most ``k``
  trips. Sources set it in round 0. Alighting at ``p`` at time ``a`` makes ``a + change[p]``
  ready at ``p`` and ``a + walk(p, q)`` ready at every footpath neighbour ``q`` (one walk only;
  footpaths are pre-closed).
* ``trip_arr[k, p]`` is the arrival at ``p`` by a trip in round ``k`` (set only when it improves
  on every earlier round: local pruning). Egress offsets apply to trip arrivals only.
* Each service day ("slot") is scanned on its own: trips of one day never overtake each other,
  but a late trip of yesterday and an early trip of today can, so mixing them would be wrong.

Parent pointers let :mod:`maas.router.journeys` rebuild legs without searching again.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class RaptorState(NamedTuple):
    """Labels and parents of a forward search: ``trip_arr[k, p]`` the arrival at ``p`` by exactly
    ``k`` trips, ``ready*`` when (and how) one may board at ``p`` after round ``k``, ``par_*`` the
    trip and positions that gave each trip arrival, ``best_arr`` the best arrival per stop."""

    trip_arr: np.ndarray
    ready: np.ndarray
    ready_kind: np.ndarray
    ready_round: np.ndarray
    ready_from: np.ndarray
    par_trip: np.ndarray
    par_slot: np.ndarray
    par_board_pos: np.ndarray
    par_alight_pos: np.ndarray
    best_arr: np.ndarray


class ParetoSet(NamedTuple):
    """The (arrival, trips) Pareto set at the targets, improving arrivals in order of trips."""

    arrival: np.ndarray
    trips: np.ndarray
    target: np.ndarray     # index into the targets given

INF = np.int32(2_000_000_000)

# ready_kind values
SOURCE, AFTER_TRIP, AFTER_WALK = 1, 2, 3


@njit(cache=True, nogil=True)
def earliest_trip(dep_time, trip_time_ptr, t0, t1, pos, tmin, active):
    """First trip in [t0, t1) with departure at ``pos`` >= tmin and active; t1 when none."""
    lo = t0
    hi = t1
    while lo < hi:
        mid = (lo + hi) >> 1
        if dep_time[trip_time_ptr[mid] + pos] < tmin:
            lo = mid + 1
        else:
            hi = mid
    t = lo
    while t < t1 and not active[t]:
        t += 1
    return t


@njit(cache=True, nogil=True)
def new_state(n_rounds, n_stops):
    """Allocate label and parent arrays for ``n_rounds`` rounds (round 0 included)."""
    trip_arr = np.full((n_rounds, n_stops), INF, np.int32)
    ready = np.full((n_rounds, n_stops), INF, np.int32)
    ready_kind = np.zeros((n_rounds, n_stops), np.int8)
    ready_round = np.zeros((n_rounds, n_stops), np.int8)
    ready_from = np.full((n_rounds, n_stops), -1, np.int32)
    par_trip = np.full((n_rounds, n_stops), -1, np.int32)
    par_slot = np.zeros((n_rounds, n_stops), np.int8)
    par_board_pos = np.zeros((n_rounds, n_stops), np.int32)
    par_alight_pos = np.zeros((n_rounds, n_stops), np.int32)
    return trip_arr, ready, ready_kind, ready_round, ready_from, par_trip, par_slot, par_board_pos, par_alight_pos


@njit(cache=True, nogil=True)
def run_rounds(route_stop_ptr, route_stops, route_pickup, route_dropoff,
               route_trip_ptr, route_first_dep, route_last_dep, trip_time_ptr, arr_time, dep_time,
               stop_route_ptr, stop_route_r, stop_route_pos,
               fp_ptr, fp_to, fp_dur, change,
               trip_active, slot_offsets, stop_ok,
               marked, best_trip, best_ready, best_arr,
               trip_arr, ready, ready_kind, ready_round, ready_from,
               par_trip, par_slot, par_board_pos, par_alight_pos,
               tgt_index, tgt_offsets, best_target, t_min, t_limit):
    """Rounds 1..n-1 of RAPTOR from the stops flagged in ``marked`` (labels of round 0 set).

    Updates the labels in place and returns the best target arrival found (INF when none).
    ``best_arr`` receives the earliest arrival at each stop by any means (for matrices).
    """
    n_rounds = trip_arr.shape[0]
    n_stops = marked.shape[0]
    n_routes = route_stop_ptr.shape[0] - 1
    n_slots = slot_offsets.shape[0]
    route_start = np.full(n_routes, -1, np.int32)
    # first active trip of each (slot, route), found on first use: a route whose trips are all
    # off on a slot (e.g. replaced by a real-time overlay's copies) is skipped in O(1) after that
    first_act = np.full((n_slots, n_routes), -2, np.int64)
    queue = np.empty(n_routes, np.int32)
    improved = np.empty(n_stops, np.int32)
    is_improved = np.zeros(n_stops, np.bool_)
    for k in range(1, n_rounds):
        # min(), not a copy: range RAPTOR keeps round-k labels of later departures.
        for p in range(n_stops):
            if ready[k - 1, p] < ready[k, p]:
                ready[k, p] = ready[k - 1, p]
                ready_kind[k, p] = ready_kind[k - 1, p]
                ready_round[k, p] = ready_round[k - 1, p]
                ready_from[k, p] = ready_from[k - 1, p]
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
                if route_start[r] < 0:
                    queue[n_q] = r
                    n_q += 1
                    route_start[r] = pos
                elif pos < route_start[r]:
                    route_start[r] = pos
        if not any_marked:
            break
        n_imp = 0
        for qi in range(n_q):
            r = queue[qi]
            start = route_start[r]
            route_start[r] = -1
            base = route_stop_ptr[r]
            n = route_stop_ptr[r + 1] - base
            t0 = route_trip_ptr[r]
            t1 = route_trip_ptr[r + 1]
            for s in range(n_slots):
                off = slot_offsets[s]
                # A slot whose trips all leave after the target is reached (or the horizon),
                # or all leave before the search starts, cannot improve anything.
                if route_first_dep[r] + off >= min(t_limit, best_target) or route_last_dep[r] + off < t_min:
                    continue
                active = trip_active[s]
                first_active = first_act[s, r]
                if first_active == -2:
                    first_active = t0
                    while first_active < t1 and not active[first_active]:
                        first_active += 1
                    first_act[s, r] = first_active
                if first_active == t1:
                    continue
                cur = -1
                cur_ptr = 0
                board_pos = -1
                for pos in range(start, n):
                    p = route_stops[base + pos]
                    if cur >= 0 and route_dropoff[base + pos] and stop_ok[p]:
                        a = arr_time[cur_ptr + pos] + off
                        # trip_arr[k, p] may hold a better round-k label of a later departure
                        # (range RAPTOR); best_trip[p] is this search's best over rounds <= k.
                        if a < best_trip[p] and a < trip_arr[k, p] and a < best_target:
                            best_trip[p] = a
                            trip_arr[k, p] = a
                            par_trip[k, p] = cur
                            par_slot[k, p] = s
                            par_board_pos[k, p] = board_pos
                            par_alight_pos[k, p] = pos
                            if a < best_arr[p]:
                                best_arr[p] = a
                            if not is_improved[p]:
                                is_improved[p] = True
                                improved[n_imp] = p
                                n_imp += 1
                            ti = tgt_index[p]
                            if ti >= 0 and a + tgt_offsets[ti] < best_target:
                                best_target = a + tgt_offsets[ti]
                    rp = ready[k - 1, p]
                    if rp < best_target and route_pickup[base + pos] and stop_ok[p]:
                        if cur != first_active and (cur < 0 or rp < dep_time[cur_ptr + pos] + off):
                            t = earliest_trip(dep_time, trip_time_ptr, t0, t1, pos, rp - off, active)
                            if t < t1 and (cur < 0 or dep_time[trip_time_ptr[t] + pos] < dep_time[cur_ptr + pos]):
                                cur = t
                                cur_ptr = trip_time_ptr[t]
                                board_pos = pos
        # Transfers: same-stop change and one footpath from every stop improved by a trip.
        for i in range(n_imp):
            p = improved[i]
            is_improved[p] = False
            a = trip_arr[k, p]
            c = a + change[p]
            if c < ready[k, p] and c < best_target:
                ready[k, p] = c
                ready_kind[k, p] = AFTER_TRIP
                ready_round[k, p] = k
                ready_from[k, p] = p
                if c < best_ready[p]:
                    best_ready[p] = c
                marked[p] = True
            for e in range(fp_ptr[p], fp_ptr[p + 1]):
                q = fp_to[e]
                w = a + fp_dur[e]
                if w < best_arr[q]:
                    best_arr[q] = w
                if w < ready[k, q] and w < best_target:
                    ready[k, q] = w
                    ready_kind[k, q] = AFTER_WALK
                    ready_round[k, q] = k
                    ready_from[k, q] = p
                    if w < best_ready[q]:
                        best_ready[q] = w
                    marked[q] = True
    return best_target


@njit(cache=True, nogil=True)
def raptor(route_stop_ptr, route_stops, route_pickup, route_dropoff,
           route_trip_ptr, route_first_dep, route_last_dep, trip_time_ptr, arr_time, dep_time,
           stop_route_ptr, stop_route_r, stop_route_pos,
           fp_ptr, fp_to, fp_dur, change,
           trip_active, slot_offsets, stop_ok,
           src_stops, src_times, tgt_stops, tgt_offsets, max_trips, t_limit):
    """Earliest-arrival RAPTOR with up to ``max_trips`` trips (rounds 1..max_trips).

    Returns the label and parent arrays; row ``k`` of ``trip_arr`` holds arrivals that use
    exactly ``k`` trips and improve on fewer, so the Pareto set by (arrival, trips) at the
    targets is read off row by row.
    """
    n_stops = stop_route_ptr.shape[0] - 1
    n_rounds = max_trips + 1
    (trip_arr, ready, ready_kind, ready_round, ready_from,
     par_trip, par_slot, par_board_pos, par_alight_pos) = new_state(n_rounds, n_stops)
    marked = np.zeros(n_stops, np.bool_)
    best_trip = np.full(n_stops, INF, np.int32)
    best_ready = np.full(n_stops, INF, np.int32)
    best_arr = np.full(n_stops, INF, np.int32)
    tgt_index = np.full(n_stops, -1, np.int32)
    for i in range(tgt_stops.shape[0]):
        p = tgt_stops[i]
        if tgt_index[p] < 0 or tgt_offsets[i] < tgt_offsets[tgt_index[p]]:
            tgt_index[p] = i
    t_min = INF
    for i in range(src_stops.shape[0]):
        p = src_stops[i]
        t = src_times[i]
        if t < t_min:
            t_min = t
        if t < ready[0, p]:
            ready[0, p] = t
            ready_kind[0, p] = SOURCE
            ready_from[0, p] = i
            best_ready[p] = t
            if t < best_arr[p]:
                best_arr[p] = t
            marked[p] = True
    run_rounds(route_stop_ptr, route_stops, route_pickup, route_dropoff,
               route_trip_ptr, route_first_dep, route_last_dep, trip_time_ptr, arr_time, dep_time,
               stop_route_ptr, stop_route_r, stop_route_pos,
               fp_ptr, fp_to, fp_dur, change,
               trip_active, slot_offsets, stop_ok,
               marked, best_trip, best_ready, best_arr,
               trip_arr, ready, ready_kind, ready_round, ready_from,
               par_trip, par_slot, par_board_pos, par_alight_pos,
               tgt_index, tgt_offsets, INF, t_min, t_limit)
    return RaptorState(trip_arr, ready, ready_kind, ready_round, ready_from,
                       par_trip, par_slot, par_board_pos, par_alight_pos, best_arr)


@njit(cache=True, nogil=True)
def raptor_range(route_stop_ptr, route_stops, route_pickup, route_dropoff,
                 route_trip_ptr, route_first_dep, route_last_dep, trip_time_ptr, arr_time, dep_time,
                 stop_route_ptr, stop_route_r, stop_route_pos,
                 fp_ptr, fp_to, fp_dur, change,
                 trip_active, slot_offsets, stop_ok,
                 src_stops, src_offsets, departures, max_trips, max_duration):
    """Range RAPTOR (rRAPTOR): earliest arrival at every stop for each departure time.

    ``departures`` must be increasing; they are processed latest first and labels are kept
    between them, because a journey leaving later is also open to anyone ready earlier.
    Returns an int32 array [len(departures), n_stops] of arrival times (INF = unreachable
    within ``max_duration`` of the earliest departure).
    """
    n_stops = stop_route_ptr.shape[0] - 1
    n_rounds = max_trips + 1
    n_dep = departures.shape[0]
    out = np.full((n_dep, n_stops), INF, np.int32)
    (trip_arr, ready, ready_kind, ready_round, ready_from,
     par_trip, par_slot, par_board_pos, par_alight_pos) = new_state(n_rounds, n_stops)
    marked = np.zeros(n_stops, np.bool_)
    best_trip = np.full(n_stops, INF, np.int32)
    best_ready = np.full(n_stops, INF, np.int32)
    best_arr = np.full(n_stops, INF, np.int32)
    tgt_index = np.full(n_stops, -1, np.int32)
    tgt_offsets = np.zeros(1, np.int32)
    for di in range(n_dep - 1, -1, -1):
        t_dep = departures[di]
        # Local pruning must not use arrivals of later departures made with more trips than
        # this round allows: keep their round-k labels (trip_arr[k]) but restart best_trip.
        best_trip[:] = INF
        for i in range(src_stops.shape[0]):
            p = src_stops[i]
            t = t_dep + src_offsets[i]
            if t < ready[0, p]:
                ready[0, p] = t
                ready_kind[0, p] = SOURCE
                ready_from[0, p] = i
                best_ready[p] = t
                marked[p] = True
            if t < best_arr[p]:
                best_arr[p] = t
        run_rounds(route_stop_ptr, route_stops, route_pickup, route_dropoff,
                   route_trip_ptr, route_first_dep, route_last_dep, trip_time_ptr, arr_time, dep_time,
                   stop_route_ptr, stop_route_r, stop_route_pos,
                   fp_ptr, fp_to, fp_dur, change,
                   trip_active, slot_offsets, stop_ok,
                   marked, best_trip, best_ready, best_arr,
                   trip_arr, ready, ready_kind, ready_round, ready_from,
                   par_trip, par_slot, par_board_pos, par_alight_pos,
                   tgt_index, tgt_offsets, INF, t_dep, t_dep + max_duration)
        for p in range(n_stops):
            if best_arr[p] <= t_dep + max_duration:
                out[di, p] = best_arr[p]
    return out


@njit(cache=True, nogil=True)
def pareto_at_targets(trip_arr, tgt_stops, tgt_offsets, max_trips):
    """The (arrival, trips) Pareto set at the targets: for each number of trips k = 1..max_trips
    whose best arrival (trip arrival + the target's offset) beats every smaller k, the arrival,
    k and the index into ``tgt_stops``; three arrays, improving arrivals in order of k."""
    n = tgt_stops.shape[0]
    arr = np.empty(max_trips, np.int64)
    ks = np.empty(max_trips, np.int64)
    idx = np.empty(max_trips, np.int64)
    m = 0
    best = np.int64(INF)
    for k in range(1, max_trips + 1):
        bk = np.int64(INF)
        bj = -1
        for j in range(n):
            t = trip_arr[k, tgt_stops[j]]
            if t < INF:
                v = np.int64(t) + tgt_offsets[j]
                if v < bk:
                    bk = v
                    bj = j
        if bj >= 0 and bk < best:
            best = bk
            arr[m] = bk
            ks[m] = k
            idx[m] = bj
            m += 1
    return ParetoSet(arr[:m], ks[:m], idx[:m])
