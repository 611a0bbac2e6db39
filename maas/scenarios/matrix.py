"""Travel-time matrices over a departure window with range RAPTOR, reduced to percentiles as R5 does.

For every origin place, range RAPTOR runs once over the departures of a window chunk (every
minute), from the place's access stops. For each departure minute ``t`` and destination
place, the travel time is ``min(arrival at an egress stop + egress walk) - t``, or the direct
walk when shorter; minutes without any way within the cut-off count as infinite. The 25th,
50th and 75th percentiles over the minutes use the nearest-rank method without interpolation
(as R5's ``TravelTimeReducer``): the ``ceil(p/100 * n)``-th smallest of the ``n`` minutes. A pair
is kept when its median is within the cut-off; p25/p75 are reported as they are (p75 may be
unreachable: null).

Everything a worker needs is one picklable :class:`MatrixProblem` (the compiled timetable's
kernel arrays, the day's trip activity and the places' access tables), shipped once per run;
tasks are (origin batch, departure chunk) pairs and return compact arrays. Results do not
depend on how the work is split (range RAPTOR gives each departure its exact earliest
arrival), which the tests check.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

import numpy as np

from maas.planner.clock import local_seconds
from maas.planner.profiles import get_profile
from maas.router.egress import place_times
from maas.router.raptor import INF, raptor_range

PERCENTILES = (25, 50, 75)


@dataclass
class MatrixProblem:
    """Inputs of one travel-time matrix (baseline or scenario); arrays only, picklable."""

    kernel: tuple               # static kernel arrays + footpaths + profile + day arrays, in raptor_range order
    departures: np.ndarray      # int32 seconds after the service day's reference, increasing
    max_trips: int
    max_duration: int           # seconds: the cut-off
    acc_ptr: np.ndarray         # origins' access options (CSR over places)
    acc_stop: np.ndarray
    acc_dur: np.ndarray
    egr_ptr: np.ndarray         # destinations' egress options (CSR over places)
    egr_stop: np.ndarray
    egr_dur: np.ndarray
    walk_ptr: np.ndarray        # direct walks between places (CSR over origin places)
    walk_dest: np.ndarray
    walk_dur: np.ndarray
    n_places: int
    label: str = ""

    @property
    def n_departures(self) -> int:
        return len(self.departures)

    def nbytes(self) -> int:
        arrays = list(self.kernel) + [self.departures, self.acc_ptr, self.acc_stop, self.acc_dur, self.egr_ptr,
                                      self.egr_stop, self.egr_dur, self.walk_ptr, self.walk_dest, self.walk_dur]
        return int(sum(np.asarray(a).nbytes for a in arrays))


def departures_for(net, day: dt.date, start_s: int, end_s: int, step_s: int) -> np.ndarray:
    """Departure times (router seconds) of a window, every ``step_s`` of local wall-clock time."""
    return np.array([local_seconds(day, t, net.tz) for t in range(start_s, end_s, step_s)], dtype=np.int32)


def build_problem(net, places, spec, *, mobility=None, label: str = "") -> MatrixProblem:
    """Assemble the matrix inputs of ``spec`` on network ``net`` for ``places``."""
    from maas.scenarios.mobility import extra_options
    from maas.scenarios.places import access_csr, direct_walks, walk_limit
    prof = get_profile(spec.profile)
    day = spec.date
    ctx = net.day_context(day, prof)
    pa = net.profile_arrays(prof)
    tt = net.tt
    kernel = tuple(np.ascontiguousarray(a) for a in net._kernel_static) + tuple(
        np.ascontiguousarray(a) for a in (pa["fp_ptr"], pa["fp_to"], pa["fp_dur"], pa["change"],
                                          ctx.trip_active, ctx.slot_offsets, ctx.stop_ok))
    walk_m = walk_limit(spec, prof)
    uses_mobility = mobility is not None and bool({"PARK_RIDE", "BIKE_SHARE"} & set(spec.modes))
    extra = (lambda lat, lon, egress: extra_options(net, mobility, lat, lon, spec.modes, prof, egress=egress)) \
        if uses_mobility else None
    transit = "TRANSIT" in spec.modes
    if transit:
        acc = access_csr(net, places, prof, walk_m, egress=False, extra=extra)
        egr = access_csr(net, places, prof, walk_m, egress=True, extra=extra)
    else:
        empty = (np.zeros(len(places) + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))
        acc = egr = empty
    if "WALK" in spec.modes or not transit:
        walks = direct_walks(places, prof, walk_m, tt.meta["options"]["detour_factor"])
    else:  # still "walk" zero seconds from a place to itself
        n = len(places)
        walks = (np.arange(n + 1, dtype=np.int64), np.arange(n, dtype=np.int32), np.zeros(n, np.int32))
    deps = departures_for(net, day, spec.window.start, spec.window.end, spec.step_s)
    return MatrixProblem(kernel=kernel, departures=deps, max_trips=int(spec.max_transfers) + 1,
                         max_duration=int(spec.cutoff_min) * 60, acc_ptr=acc[0], acc_stop=acc[1], acc_dur=acc[2],
                         egr_ptr=egr[0], egr_stop=egr[1], egr_dur=egr[2], walk_ptr=walks[0], walk_dest=walks[1],
                         walk_dur=walks[2], n_places=len(places), label=label)


def origin_times(p: MatrixProblem, origins: np.ndarray, d0: int, d1: int) -> np.ndarray:
    """int32 [len(origins), n_places, d1 - d0]: travel times per departure (INF = unreachable)."""
    deps = np.ascontiguousarray(p.departures[d0:d1])
    out = np.empty((len(origins), p.n_places, len(deps)), np.int32)
    inf_arr = None
    for i, o in enumerate(np.asarray(origins, np.int64)):
        a, b = int(p.acc_ptr[o]), int(p.acc_ptr[o + 1])
        if b > a:
            arr = raptor_range(*p.kernel, p.acc_stop[a:b], p.acc_dur[a:b], deps, p.max_trips, p.max_duration)
        else:
            if inf_arr is None:
                n_stops = p.kernel[10].shape[0] - 1
                inf_arr = np.full((len(deps), n_stops), INF, np.int32)
            arr = inf_arr
        w0, w1 = int(p.walk_ptr[o]), int(p.walk_ptr[o + 1])
        place_times(arr, deps, p.egr_ptr, p.egr_stop, p.egr_dur, p.walk_dest[w0:w1], p.walk_dur[w0:w1], out[i])
    return out


def percentile_ranks(n: int, percentiles=PERCENTILES) -> list[int]:
    """0-based ranks of the nearest-rank percentiles of ``n`` values."""
    return [min(n - 1, max(0, math.ceil(p / 100 * n) - 1)) for p in percentiles]


def reduce_times(p: MatrixProblem, origins: np.ndarray, times: np.ndarray) -> dict:
    """Percentiles over the departure axis (the last, contiguous one), as compact arrays of the
    pairs whose median is within the cut-off."""
    n = times.shape[2]
    ranks = percentile_ranks(n)
    # a minute whose stop is reached in time but whose egress walk passes the cut-off is unreachable
    times = np.where(times > p.max_duration, INF, times)
    part = np.partition(times, sorted(set(ranks)), axis=2)
    pc = part[:, :, ranks]                      # [B, n_places, 3]
    keep = pc[:, :, 1] <= p.max_duration
    bi, di = np.nonzero(keep)
    vals = pc[bi, di, :]                         # [n_kept, 3]
    return {"origin": np.asarray(origins, np.int32)[bi], "destination": di.astype(np.int32),
            "p": vals.astype(np.int32)}


def solve_batch(p: MatrixProblem, origins: np.ndarray, d0: int | None = None, d1: int | None = None) -> dict:
    """One task: all departures of a window chunk for a batch of origins, reduced to percentiles."""
    d0 = 0 if d0 is None else d0
    d1 = p.n_departures if d1 is None else d1
    w0, c0 = time.perf_counter(), time.thread_time()
    out = reduce_times(p, origins, origin_times(p, origins, d0, d1))
    out["wall_s"], out["cpu_s"] = time.perf_counter() - w0, time.thread_time() - c0
    return out


def solve_chunk(p: MatrixProblem, origins: np.ndarray, d0: int, d1: int) -> np.ndarray:
    """One task of a split window: raw travel times of one departure chunk (reduced later)."""
    return origin_times(p, origins, d0, d1)


def reduce_chunks(p: MatrixProblem, origins: np.ndarray, *chunks: np.ndarray) -> dict:
    """Join the departure chunks of one origin batch and reduce them to percentiles."""
    return reduce_times(p, origins, np.concatenate(chunks, axis=2))


def plan_tasks(n_places: int, n_departures: int, origins_per_task: int, minutes_per_task: int
               ) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Origin batches and departure chunks; fixed by the sizes only, never by the worker count."""
    batches = [np.arange(i, min(i + origins_per_task, n_places), dtype=np.int32)
               for i in range(0, n_places, origins_per_task)]
    chunks = [(d, min(d + minutes_per_task, n_departures)) for d in range(0, n_departures, minutes_per_task)]
    return batches, chunks


def assemble(results: list[dict], n_places: int) -> np.ndarray:
    """Dense int32 [3, n, n] (p25, p50, p75) from batch results; INF where the pair is absent."""
    dense = np.full((3, n_places, n_places), INF, np.int32)
    for r in results:
        dense[:, r["origin"], r["destination"]] = r["p"].T
    return dense


def warm_up(p: MatrixProblem | None = None) -> bool:
    """Compile/load the numba kernels (once per process), with a problem's exact argument types."""
    if p is not None and p.n_places and p.n_departures:
        o = int(np.argmax(np.diff(p.acc_ptr) > 0))
        a, b = int(p.acc_ptr[o]), int(p.acc_ptr[o + 1])
        if b > a:
            raptor_range(*p.kernel, p.acc_stop[a:a + 1], p.acc_dur[a:a + 1],
                         np.ascontiguousarray(p.departures[:1]), 1, 60)
    arr = np.full((1, 2), INF, np.int32)
    out = np.empty((1, 1), np.int32)
    place_times(arr, np.zeros(1, np.int32), np.array([0, 1], np.int64), np.zeros(1, np.int32),
                 np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32), out)
    return True
