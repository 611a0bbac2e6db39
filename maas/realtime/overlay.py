"""TripUpdates (and delays estimated from vehicle positions) -> an immutable overlay of trip times.

The static timetable is never modified. An :class:`Overlay` holds *combined* router arrays: every
static route and trip unchanged, followed by overlay routes holding copies of the updated trips
(with their new times and per-trip pickup/drop-off rules) and the added trips. Overlay trips are
grouped into routes by :func:`maas.timetable.patterns.group_routes`, the same grouping as the
static build, so a trip that a delay makes overtake another lands in a route of its own and
RAPTOR's no-overtaking invariant holds. The replaced or cancelled static trip is masked for its
service day only (``masked_trip``/``masked_day``); the copy is active on that day only
(``trip_day``). Updates for trips of the previous service day work the same way.

Semantics, as OpenTripPlanner applies TripUpdates by default:

* a stop time update gives ``time`` (absolute, wins) or ``delay``; a missing arrival takes the
  departure's delay and vice versa; the last known delay propagates to the stops after it that
  have no update; stops before the first update keep the schedule, pulled earlier only where
  needed to keep times non-decreasing (OTP's ``REQUIRED_NO_DATA``);
* a trip-level ``delay`` applies to every stop before the first stop-level update;
* ``SKIPPED``: no boarding or alighting there (delays propagate through); ``NO_DATA``: the
  schedule at that stop, and no delay propagated beyond it;
* ``CANCELED``/``DELETED`` trips are masked; ``ADDED``/``NEW`` trips need a known route and
  absolute times at known stops, on an existing or a new stop pattern;
* an update naming an unknown trip, route or stop, a date the trip does not run, or times that
  go backwards is counted in ``stats`` and skipped; it is never fatal.
"""
from __future__ import annotations

import datetime as dt
import itertools
import time as _time
from bisect import bisect_left
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from maas.feeds.gtfs_rt import TripUpdate
from maas.timetable.footpaths import haversine_m
from maas.timetable.patterns import TripRows, group_routes

SOURCE_TRIP_UPDATE, SOURCE_VEHICLE = 1, 2
SOURCE_WORDS = {SOURCE_TRIP_UPDATE: "trip_update", SOURCE_VEHICLE: "vehicle_position"}

KERNEL_ARRAYS = ("route_stop_ptr", "route_stops", "route_pickup", "route_dropoff", "route_trip_ptr",
                 "route_first_dep", "route_last_dep", "trip_time_ptr", "arr_time", "dep_time",
                 "stop_route_ptr", "stop_route_r", "stop_route_pos")
STAT_KEYS = ("trip_updates", "applied", "cancelled", "added", "skipped_stops", "unknown_trip",
             "unknown_stop", "unknown_route", "not_running", "invalid_times", "unsupported")


def day_ref(day: dt.date, tz: ZoneInfo) -> int:
    """Epoch seconds of a service day's reference (12:00 local minus 12 h), as GTFS defines it."""
    return int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).timestamp()) - 43200


class StaticIndex:
    """Lookups over one static timetable, built once per network and shared by every overlay."""

    def __init__(self, tt):
        self.tt = tt
        self.tz = ZoneInfo(tt.timezone)
        self.first_day = dt.date.fromisoformat(tt.meta["first_day"])
        self.n_days = tt.service_active.shape[1]
        self.trip_index = {str(t): i for i, t in enumerate(tt.trip_id)}
        self.stop_ids = [str(s) for s in tt.stop_id]
        self.stop_index = {s: i for i, s in enumerate(self.stop_ids)}
        self.groute_index = {str(g): i for i, g in enumerate(tt.groute_id)}
        self.trip_route = np.asarray(tt.trip_route)
        self.trip_groute = np.asarray(tt.route_groute)[self.trip_route]
        self.trip_time_ptr = np.asarray(tt.trip_time_ptr)
        rsp = np.asarray(tt.route_stop_ptr)
        self.trip_n = (rsp[self.trip_route + 1] - rsp[self.trip_route]).astype(np.int64)
        self.trip_service = np.asarray(tt.trip_service)
        self.service_active = np.asarray(tt.service_active)
        self.arr = np.asarray(tt.arr_time)
        self.dep = np.asarray(tt.dep_time)
        self.seq = np.asarray(tt.arrays["stop_seq"]) if "stop_seq" in tt.arrays else None
        self.trip_direction = np.asarray(tt.arrays["trip_direction"]) if "trip_direction" in tt.arrays else None
        self.route_stop_ptr = rsp
        self.route_stops = np.asarray(tt.route_stops)
        self.route_pickup = np.asarray(tt.route_pickup)
        self.route_dropoff = np.asarray(tt.route_dropoff)
        self.pattern_route = {}   # (groute, stops bytes) -> a static route with that stop pattern
        rg = np.asarray(tt.route_groute)
        for r in range(len(rsp) - 1):
            self.pattern_route.setdefault((int(rg[r]), self.route_stops[rsp[r]:rsp[r + 1]].tobytes()), r)
        self.refs: dict[int, int] = {}
        # plain-list copies, made on first use: applying updates reads a few values per stop of
        # thousands of trips, which is ~10x cheaper on lists than on numpy scalars
        self._lists: tuple | None = None

    def lists(self) -> tuple:
        """(arr, dep, seq, route_stops, route_pickup, route_dropoff) as Python lists."""
        if self._lists is None:
            seq = self.seq.tolist() if self.seq is not None else None
            self._lists = (self.arr.tolist(), self.dep.tolist(), seq, self.route_stops.tolist(),
                           self.route_pickup.tolist(), self.route_dropoff.tolist(), self.trip_time_ptr.tolist(),
                           self.trip_route.tolist(), self.route_stop_ptr.tolist())
        return self._lists

    def trip_lists(self, t: int) -> tuple[list, list, list, list, list, list]:
        """:meth:`trip_rows` as lists."""
        arr, dep, seq, rs, rp, rd, ttp, tr, rsp = self.lists()
        r = tr[t]
        a, b = rsp[r], rsp[r + 1]
        p = ttp[t]
        n = b - a
        return (rs[a:b], arr[p:p + n], dep[p:p + n], rp[a:b], rd[a:b],
                seq[p:p + n] if seq is not None else list(range(1, n + 1)))

    def ref(self, di: int) -> int:
        r = self.refs.get(di)
        if r is None:
            r = self.refs[di] = day_ref(self.first_day + dt.timedelta(days=di), self.tz)
        return r

    def trip_rows(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(stops, arr, dep, pickup, dropoff, seq) of static trip ``t``."""
        r = self.trip_route[t]
        a, b = self.route_stop_ptr[r], self.route_stop_ptr[r + 1]
        p = self.trip_time_ptr[t]
        n = b - a
        seq = self.seq[p:p + n] if self.seq is not None else np.arange(1, n + 1, dtype=np.int32)
        return (self.route_stops[a:b], self.arr[p:p + n], self.dep[p:p + n], self.route_pickup[a:b],
                self.route_dropoff[a:b], seq)

    def runs(self, t: int, di: int) -> bool:
        return 0 <= di < self.n_days and bool(self.service_active[self.trip_service[t], di])

    def day_index(self, yyyymmdd: str) -> int | None:
        try:
            d = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
        except (ValueError, TypeError):
            return None
        return (d - self.first_day).days

    def local_day_index(self, epoch: float) -> int:
        return (dt.datetime.fromtimestamp(epoch, self.tz).date() - self.first_day).days

    def resolve_day(self, t: int, start_date: str | None, now: float) -> int | None:
        """The service day of an update to static trip ``t``: its start_date, else the day (today or
        yesterday, local) on which the trip runs and whose scheduled span is nearest ``now``."""
        if start_date:
            di = self.day_index(start_date)
            return di if di is not None and self.runs(t, di) else None
        today = self.local_day_index(now)
        p = self.trip_time_ptr[t]
        lo, hi = int(self.dep[p]), int(self.arr[p + self.trip_n[t] - 1])
        best, best_d = None, None
        for di in (today, today - 1, today + 1):
            if not self.runs(t, di):
                continue
            rel = now - self.ref(di)
            d = 0 if lo - 1800 <= rel <= hi + 1800 else min(abs(rel - lo), abs(rel - hi))
            if best_d is None or d < best_d:
                best, best_d = di, d
        return best


@dataclass(frozen=True)
class Overlay:
    """Combined router arrays (static first, overlay after) and what each overlay trip is."""

    n_static_trips: int
    n_static_routes: int
    arrays: dict                    # KERNEL_ARRAYS + route_groute/shape fields + trip_route, trip_* (combined)
    trip_static: np.ndarray         # int32 [n_ov]: the static trip an overlay trip replaces, -1 if added
    trip_day: np.ndarray            # int32 [n_ov]: its service day (index from the network's first_day)
    trip_source: np.ndarray         # int8 [n_ov]: SOURCE_TRIP_UPDATE or SOURCE_VEHICLE
    masked_trip: np.ndarray         # int32: static trips replaced or cancelled ...
    masked_day: np.ndarray          # ... on these service days
    cancelled_trip: np.ndarray      # int32: the cancelled ones among them
    cancelled_day: np.ndarray
    stats: dict = field(default_factory=dict)
    created: float = 0.0

    @property
    def n_trips(self) -> int:
        return len(self.trip_static)

    def replaced(self) -> dict[tuple[int, int], int]:
        """(static trip, day) -> overlay trip index (combined numbering)."""
        return {(int(t), int(d)): self.n_static_trips + j
                for j, (t, d) in enumerate(zip(self.trip_static.tolist(), self.trip_day.tolist())) if t >= 0}


@dataclass
class _Trip:
    static: int
    day: int
    groute: int
    stops: list
    arr: list
    dep: list
    pickup: list
    dropoff: list
    source: int
    trip_id: str
    headsign: str
    wheelchair: int
    seq: list | None = None           # GTFS stop_sequence values (added trips: None, numbered 1..n)


def _event(t_abs, delay, sched: int, ref: int) -> int | None:
    if t_abs is not None and t_abs > 0:
        return int(t_abs) - ref
    if delay is not None:
        return sched + int(delay)
    return None


def _apply_updates(ix: StaticIndex, t: int, di: int, tu: TripUpdate, stats: dict) -> tuple | None:
    """Updated (arr, dep, pickup, dropoff) of static trip ``t`` on day ``di``, or None if invalid."""
    stops, a0, d0, pick0, drop0, seq0 = ix.trip_lists(t)
    n = len(stops)
    ref = ix.ref(di)
    # place each stop time update on the trip: by stop_sequence, else by stop_id after the last one
    at: dict[int, object] = {}
    last = 0
    for u in tu.stop_time_updates:
        pos = -1
        if u.stop_sequence is not None:
            k = bisect_left(seq0, u.stop_sequence)
            if k < n and seq0[k] == u.stop_sequence and (u.stop_id is None or ix.stop_ids[stops[k]] == u.stop_id):
                pos = k
        elif u.stop_id is not None:
            s = ix.stop_index.get(u.stop_id)
            if s is not None:
                try:
                    pos = stops.index(s, last)
                except ValueError:
                    pos = -1
        if pos < 0:
            stats["unknown_stop"] += 1
            continue
        at[pos] = u
        last = pos
    # plain lists: this loop runs for every stop of every updated trip (numpy scalars are ~10x slower)
    arr, dep = list(a0), list(d0)
    pick = list(pick0)
    drop = list(drop0)
    delay = int(tu.delay) if tu.delay is not None else 0
    first = min(at) if at else n
    for i in range(n):
        u = at.get(i)
        if u is None:
            arr[i] = a0[i] + delay
            dep[i] = d0[i] + delay
            continue
        if u.relationship == "SKIPPED":
            pick[i] = drop[i] = False
            stats["skipped_stops"] += 1
            arr[i] = a0[i] + delay
            dep[i] = d0[i] + delay
            continue
        if u.relationship == "NO_DATA":
            arr[i], dep[i], delay = a0[i], d0[i], 0
            continue
        a = _event(u.arrival_time, u.arrival_delay, a0[i], ref)
        d = _event(u.departure_time, u.departure_delay, d0[i], ref)
        if a is None and d is None:
            a, d = a0[i] + delay, d0[i] + delay
        elif a is None:
            a = min(d, a0[i] + d - d0[i])
        elif d is None:
            d = max(a, d0[i] + a - a0[i])
        arr[i], dep[i] = a, d
        delay = d - d0[i]
    for i in range(first - 1 if first < n else -1, -1, -1):   # REQUIRED_NO_DATA: only as early as needed
        if dep[i] > arr[i + 1]:
            dep[i] = arr[i + 1]
        if arr[i] > dep[i]:
            arr[i] = dep[i]
    prev = -(1 << 62)
    for i in range(n):
        if arr[i] < prev or dep[i] < arr[i]:
            stats["invalid_times"] += 1
            return None
        prev = dep[i]
    return arr, dep, pick, drop, stops, seq0


def _added_trip(ix: StaticIndex, tu: TripUpdate, now: float, stats: dict) -> _Trip | None:
    g = ix.groute_index.get(tu.route_id or "")
    if g is None:
        stats["unknown_route"] += 1
        return None
    di = ix.day_index(tu.start_date) if tu.start_date else ix.local_day_index(now)
    if di is None or not 0 <= di < ix.n_days:
        stats["not_running"] += 1
        return None
    ref = ix.ref(di)
    stops, arr, dep, pick, drop = [], [], [], [], []
    for u in tu.stop_time_updates:
        s = ix.stop_index.get(u.stop_id or "")
        if s is None:
            stats["unknown_stop"] += 1
            continue
        a = _event(u.arrival_time, None, 0, ref)
        d = _event(u.departure_time, None, 0, ref)
        if a is None and d is None:
            stats["invalid_times"] += 1
            return None
        a = d if a is None else a
        d = a if d is None else max(a, d)
        skipped = u.relationship == "SKIPPED"
        stops.append(s)
        arr.append(a)
        dep.append(d)
        pick.append(not skipped)
        drop.append(not skipped)
    if len(stops) < 2:
        stats["invalid_times"] += 1
        return None
    if any(arr[i] < dep[i - 1] for i in range(1, len(arr))):
        stats["invalid_times"] += 1
        return None
    return _Trip(-1, di, g, stops, arr, dep, pick, drop, SOURCE_TRIP_UPDATE, tu.trip_id or "", "", 0)


def compile_overlay(ix: StaticIndex, trip_updates: list[tuple[TripUpdate, int]], now: float | None = None) -> Overlay:
    """Build an overlay from ``(update, source kind)`` pairs; later pairs win for the same trip day."""
    now = _time.time() if now is None else now
    stats = {k: 0 for k in STAT_KEYS}
    tt = ix.tt
    chosen: dict[tuple[int, int], tuple[TripUpdate, int]] = {}
    added: dict[str, _Trip] = {}
    cancelled: set[tuple[int, int]] = set()
    for tu, source in trip_updates:
        stats["trip_updates"] += 1
        rel = tu.relationship
        if rel in ("ADDED", "NEW"):
            if tu.trip_id and tu.trip_id in ix.trip_index:
                stats["unsupported"] += 1   # ADDED must not reuse a scheduled trip's id
                continue
            trip = _added_trip(ix, tu, now, stats)
            if trip is not None:
                added[f"{trip.trip_id}|{trip.day}"] = trip
            continue
        if rel not in ("SCHEDULED", "CANCELED", "DELETED"):
            stats["unsupported"] += 1
            continue
        t = ix.trip_index.get(tu.trip_id or "")
        if t is None:
            stats["unknown_trip"] += 1
            continue
        di = ix.resolve_day(t, tu.start_date, now)
        if di is None:
            stats["not_running"] += 1
            continue
        if rel in ("CANCELED", "DELETED"):
            cancelled.add((t, di))
            chosen.pop((t, di), None)
            continue
        if (t, di) in cancelled:
            continue
        chosen[(t, di)] = (tu, source)

    trips: list[_Trip] = []
    headsigns = tt.trip_headsign
    for (t, di), (tu, source) in chosen.items():
        res = _apply_updates(ix, t, di, tu, stats)
        if res is None:
            continue
        arr, dep, pick, drop, stops, seq = res
        trips.append(_Trip(t, di, int(ix.trip_groute[t]), stops, arr, dep, pick, drop, source,
                           str(tt.trip_id[t]), str(headsigns[t]), int(tt.trip_wheelchair[t]), seq))
    trips.extend(added.values())
    stats["applied"] = len(trips) - len(added)
    stats["added"] = len(added)
    stats["cancelled"] = len(cancelled)
    return _layout(ix, trips, cancelled, stats, now)


def _layout(ix: StaticIndex, trips: list[_Trip], cancelled: set, stats: dict, now: float) -> Overlay:
    tt = ix.tt
    n_st = len(ix.trip_route)
    n_sr = len(ix.route_stop_ptr) - 1
    replaced = {(tr.static, tr.day) for tr in trips if tr.static >= 0}
    masked = sorted(replaced | cancelled)
    canc = sorted(cancelled)
    if trips:
        lens = np.array([len(tr.stops) for tr in trips], np.int64)
        ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        def flat(name, dtype):
            return np.fromiter(itertools.chain.from_iterable(getattr(tr, name) for tr in trips), dtype, int(ptr[-1]))
        rows = TripRows(trip_ptr=ptr, stop=flat("stops", np.int32), arr=flat("arr", np.int32),
                        dep=flat("dep", np.int32), pickup=flat("pickup", np.bool_), dropoff=flat("dropoff", np.bool_),
                        route=np.array([tr.groute for tr in trips], np.int32))
        routes = group_routes(rows).routes
    else:
        ptr = np.zeros(1, np.int64)
        rows = None
        routes = []
    base_time = len(ix.arr)
    r_stop_ptr, r_trip_ptr = [int(ix.route_stop_ptr[-1])], [n_st]
    r_stops, r_pick, r_drop, r_first, r_last, r_groute, r_shape, r_shape_pos, r_dist = [], [], [], [], [], [], [], [], []
    t_time_ptr, arr_l, dep_l, order = [], [], [], []
    cursor = base_time
    rss = np.asarray(tt.route_stop_shape_pos)
    rsd = np.asarray(tt.route_stop_dist)
    rshape = np.asarray(tt.route_shape)
    lat, lon = np.asarray(tt.stop_lat), np.asarray(tt.stop_lon)
    for grp in routes:
        t0 = int(grp[0])
        a, b = ptr[t0], ptr[t0 + 1]
        n = int(b - a)
        stops = rows.stop[a:b]
        r_stops.append(stops)
        r_pick.append(rows.pickup[a:b])
        r_drop.append(rows.dropoff[a:b])
        r_stop_ptr.append(r_stop_ptr[-1] + n)
        idx = ptr[grp][:, None] + np.arange(n)[None, :]
        arr_l.append(rows.arr[idx].ravel())
        dep_l.append(rows.dep[idx].ravel())
        t_time_ptr.append(cursor + n * np.arange(len(grp), dtype=np.int64))
        cursor += n * len(grp)
        r_trip_ptr.append(r_trip_ptr[-1] + len(grp))
        r_first.append(int(rows.dep[idx].min()))
        r_last.append(int(rows.dep[idx].max()))
        g = int(rows.route[t0])
        r_groute.append(g)
        sr = trips[t0].static
        r0 = int(ix.trip_route[sr]) if sr >= 0 else ix.pattern_route.get((g, stops.tobytes()), -1)
        if r0 >= 0:
            sa, sb = ix.route_stop_ptr[r0], ix.route_stop_ptr[r0 + 1]
            r_shape.append(int(rshape[r0]))
            r_shape_pos.append(rss[sa:sb])
            r_dist.append(rsd[sa:sb])
        else:
            r_shape.append(-1)
            r_shape_pos.append(np.zeros(n, np.int32))
            seg = haversine_m(lat[stops[:-1]], lon[stops[:-1]], lat[stops[1:]], lon[stops[1:]])
            r_dist.append(np.concatenate([[0.0], np.cumsum(seg)]).astype(np.float32))
        order.extend(int(x) for x in grp)
    n_ov = len(order)
    ordered = [trips[i] for i in order]

    def cat(static, parts, dtype):
        if not parts:
            return np.ascontiguousarray(static)
        return np.concatenate([np.asarray(static), np.concatenate(parts).astype(dtype)])

    arrays = {
        "route_stop_ptr": np.concatenate([ix.route_stop_ptr, np.asarray(r_stop_ptr[1:], np.int64)]),
        "route_stops": cat(ix.route_stops, r_stops, np.int32),
        "route_pickup": cat(ix.route_pickup, r_pick, bool),
        "route_dropoff": cat(ix.route_dropoff, r_drop, bool),
        "route_trip_ptr": np.concatenate([np.asarray(tt.route_trip_ptr), np.asarray(r_trip_ptr[1:], np.int64)]),
        "route_first_dep": cat(tt.route_first_dep, [np.asarray(r_first, np.int32)], np.int32),
        "route_last_dep": cat(tt.route_last_dep, [np.asarray(r_last, np.int32)], np.int32),
        "trip_time_ptr": cat(ix.trip_time_ptr, t_time_ptr, np.int64),
        "arr_time": cat(ix.arr, arr_l, np.int32),
        "dep_time": cat(ix.dep, dep_l, np.int32),
        "route_groute": cat(tt.route_groute, [np.asarray(r_groute, np.int32)], np.int32),
        "route_shape": cat(rshape, [np.asarray(r_shape, np.int32)], np.int32),
        "route_stop_shape_pos": cat(rss, r_shape_pos, np.int32),
        "route_stop_dist": cat(rsd, r_dist, np.float32),
        "trip_route": cat(ix.trip_route, [np.repeat(np.arange(n_sr, n_sr + len(routes), dtype=np.int32),
                                                   np.diff(r_trip_ptr))], np.int32),
        "trip_id": np.concatenate([np.asarray(tt.trip_id), np.asarray([t.trip_id for t in ordered], dtype=str)])
        if n_ov else np.asarray(tt.trip_id),
        "trip_headsign": np.concatenate([np.asarray(tt.trip_headsign), np.asarray([t.headsign for t in ordered], dtype=str)])
        if n_ov else np.asarray(tt.trip_headsign),
        "trip_wheelchair": cat(tt.trip_wheelchair, [np.asarray([t.wheelchair for t in ordered], np.int8)], np.int8),
        **({"trip_direction": cat(ix.trip_direction, [np.asarray([ix.trip_direction[t.static] if t.static >= 0 else -1
                                                                 for t in ordered], np.int8)], np.int8)}
           if ix.trip_direction is not None else {}),
        "trip_service": cat(ix.trip_service, [np.asarray([ix.trip_service[t.static] if t.static >= 0 else 0
                                                           for t in ordered], np.int32)], np.int32),
    }
    if "stop_seq" in tt.arrays:   # overlay copies keep the trip's stop_sequence values (added: 1..n)
        seqs = itertools.chain.from_iterable(tr.seq if tr.seq is not None else range(1, len(tr.stops) + 1)
                                             for tr in ordered)
        arrays["stop_seq"] = cat(tt.arrays["stop_seq"], [np.fromiter(seqs, np.int32)], np.int32) if n_ov \
            else np.asarray(tt.arrays["stop_seq"])
    arrays.update(_incidence(arrays["route_stops"], arrays["route_stop_ptr"], len(tt.stop_id)))
    return Overlay(
        n_static_trips=n_st, n_static_routes=n_sr, arrays=arrays,
        trip_static=np.asarray([t.static for t in ordered], np.int32),
        trip_day=np.asarray([t.day for t in ordered], np.int32),
        trip_source=np.asarray([t.source for t in ordered], np.int8),
        masked_trip=np.asarray([m[0] for m in masked], np.int32), masked_day=np.asarray([m[1] for m in masked], np.int32),
        cancelled_trip=np.asarray([c[0] for c in canc], np.int32), cancelled_day=np.asarray([c[1] for c in canc], np.int32),
        stats=stats, created=now)


def _incidence(route_stops: np.ndarray, route_stop_ptr: np.ndarray, n_stops: int) -> dict:
    """stop -> (route, position) CSR, as the static build lays it out."""
    n_routes = len(route_stop_ptr) - 1
    r_of = np.repeat(np.arange(n_routes, dtype=np.int32), np.diff(route_stop_ptr))
    pos_of = (np.arange(len(route_stops)) - route_stop_ptr[r_of]).astype(np.int32)
    o = np.lexsort((pos_of, r_of, route_stops))
    ptr = np.zeros(n_stops + 1, np.int64)
    np.add.at(ptr, route_stops.astype(np.int64) + 1, 1)
    return {"stop_route_ptr": np.cumsum(ptr), "stop_route_r": r_of[o], "stop_route_pos": pos_of[o]}
