"""Delays estimated from vehicle positions alone (STPT's live map gives positions, no TripUpdates).

Each vehicle is matched to a trip and to its place along the trip's stop pattern:

* with a ``trip_id`` the trip is known; otherwise the candidates are the trips of its ``route_id``
  (and ``direction_id`` when given) that run today or yesterday (service day) around the
  vehicle's timestamp;
* the position is projected onto each candidate pattern (stop-to-stop segments); a pattern more
  than ``MAX_OFF_ROUTE_M`` away, or heading the other way when the vehicle gives a bearing
  (that is how the direction is told without ``direction_id``), is rejected;
* the scheduled time at that place is interpolated between the stops around it, and the delay is
  the vehicle's timestamp minus that time; a vehicle ``STOPPED_AT`` a stop is at that stop;
* vehicles and trips are paired greedily by smallest |delay| (within ``MAX_DELAY_S``) so two
  vehicles never claim one trip.

A match becomes a TripUpdate with one stop time update (the next stop, its arrival delayed),
which the overlay propagates downstream like any other; stops already passed keep the schedule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from maas.feeds.gtfs_rt import StopTimeUpdate, TripUpdate, VehiclePosition
from maas.realtime.overlay import StaticIndex

MAX_OFF_ROUTE_M = 150.0
MAX_DELAY_S = 30 * 60
MAX_EARLY_S = 10 * 60


@dataclass(frozen=True)
class MatchedVehicle:
    vehicle: VehiclePosition
    trip: int | None          # static trip index
    day: int | None
    delay_s: int | None
    next_pos: int | None      # position of the next stop along the trip


def _project(lat: float, lon: float, slat: np.ndarray, slon: np.ndarray):
    """Nearest stop-to-stop segment: (segment index, fraction along it, distance m, bearing deg)."""
    k = 111_195.0
    cos = np.cos(np.radians(lat))
    x = (slon - lon) * k * cos
    y = (slat - lat) * k
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    dx, dy = bx - ax, by - ay
    ln2 = dx * dx + dy * dy
    f = np.where(ln2 > 0, np.clip(-(ax * dx + ay * dy) / np.where(ln2 > 0, ln2, 1), 0, 1), 0.0)
    px, py = ax + f * dx, ay + f * dy
    d = np.hypot(px, py)
    bearing = (np.degrees(np.arctan2(dx, dy)) + 360) % 360
    return f, d, bearing


def match_vehicles(ix: StaticIndex, vehicles: list[VehiclePosition], feed_ts: float) -> list[MatchedVehicle]:
    """Match each vehicle to a (trip, day) and estimate its delay (see the module doc)."""
    tt = ix.tt
    lat_all, lon_all = np.asarray(tt.stop_lat), np.asarray(tt.stop_lon)
    by_groute: dict[int, np.ndarray] = {}
    cands = []       # (|delay|, vehicle index, trip, day, delay, next pos)
    for vi, v in enumerate(vehicles):
        ts = float(v.timestamp or feed_ts)
        trips: np.ndarray
        t = ix.trip_index.get(v.trip_id or "") if v.trip_id else None
        if t is not None:
            trips = np.asarray([t])
        else:
            g = ix.groute_index.get(v.route_id or "")
            if g is None:
                continue
            if g not in by_groute:
                by_groute[g] = np.flatnonzero(ix.trip_groute == g)
            trips = by_groute[g]
            if v.direction_id is not None and ix.trip_direction is not None:
                d = ix.trip_direction[trips]
                trips = trips[(d == v.direction_id) | (d < 0)]
        today = ix.local_day_index(ts)
        for r in np.unique(ix.trip_route[trips]):
            a, b = ix.route_stop_ptr[r], ix.route_stop_ptr[r + 1]
            stops = ix.route_stops[a:b]
            f, d, bearing = _project(v.lat, v.lon, lat_all[stops], lon_all[stops])
            ok = d <= MAX_OFF_ROUTE_M
            if v.bearing is not None and v.speed != 0:
                diff = np.abs((bearing - v.bearing + 180) % 360 - 180)
                ok &= diff <= 90
            if not ok.any():
                continue
            seg = int(np.argmin(np.where(ok, d, np.inf)))
            frac = float(f[seg])
            if v.current_status == "STOPPED_AT" and v.stop_id is not None:
                s = ix.stop_index.get(v.stop_id)
                hit = np.flatnonzero(stops == s) if s is not None else []
                if len(hit):
                    seg, frac = (int(hit[0]), 0.0) if hit[0] < len(stops) - 1 else (int(hit[0]) - 1, 1.0)
            rtrips = trips[ix.trip_route[trips] == r]
            p = ix.trip_time_ptr[rtrips]
            sched = ix.dep[p + seg] + frac * (ix.arr[p + seg + 1] - ix.dep[p + seg])
            for di in (today, today - 1):
                if not 0 <= di < ix.n_days:
                    continue
                runs = ix.service_active[ix.trip_service[rtrips], di]
                delay = ts - ix.ref(di) - sched
                good = runs & (delay <= MAX_DELAY_S) & (delay >= -MAX_EARLY_S)
                for j in np.flatnonzero(good):
                    dl = int(round(float(delay[j])))
                    nxt = seg + 1 if frac > 0 else seg
                    cands.append((abs(dl), vi, int(rtrips[j]), di, dl, nxt))
    cands.sort()
    used_v: set[int] = set()
    used_t: set[tuple[int, int]] = set()
    out: dict[int, MatchedVehicle] = {}
    for _, vi, t, di, dl, nxt in cands:
        if vi in used_v or (t, di) in used_t:
            continue
        used_v.add(vi)
        used_t.add((t, di))
        out[vi] = MatchedVehicle(vehicles[vi], t, di, dl, nxt)
    return [out.get(i, MatchedVehicle(v, None, None, None, None)) for i, v in enumerate(vehicles)]


def vehicle_updates(ix: StaticIndex, matches: list[MatchedVehicle]) -> list[TripUpdate]:
    """One TripUpdate per matched vehicle: its delay at the next stop, propagated downstream."""
    out = []
    for m in matches:
        if m.trip is None:
            continue
        seq = ix.trip_rows(m.trip)[5]
        pos = min(int(m.next_pos), len(seq) - 1)
        day = ix.first_day.toordinal() + m.day
        start = dt.date.fromordinal(day).strftime("%Y%m%d")
        out.append(TripUpdate(str(ix.tt.trip_id[m.trip]), None, None, start, None, "SCHEDULED", None,
                              (StopTimeUpdate(int(seq[pos]), None, int(m.delay_s), None, None, None, "SCHEDULED"),),
                              m.vehicle.timestamp, m.vehicle.id))
    return out
