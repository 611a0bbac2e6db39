"""Apply scenario edits (modelled on R5's modification types) to GTFS tables.

:func:`apply_edits` returns NEW :class:`~maas.feeds.gtfs.GtfsFeed` objects; the base feeds are
never changed (every table that an edit touches is replaced by a new DataFrame, the others
are shared read-only). Frequency-based trips (``frequencies.txt``) are expanded into concrete
trips first, so every edit works on concrete trips.

Semantics, per edit type:

* ``remove-route``: every trip of the route(s) is removed (all days).
* ``remove-trips``: trips of the route whose first departure lies in [start, end) (all days;
  optionally one ``direction`` 0/1) are removed.
* ``adjust-frequency``: for each band, the route's trips that run on the scenario date and
  start in the band are replaced, per direction, by evenly spaced copies of a representative
  trip (the earliest trip of that direction's most common stop pattern in the band; when the
  direction has no trip in the band, its trip nearest to the band). Copies keep the
  representative's run times, service and accessibility. The copies are phased on the first
  existing departure in the band, so halving a regular headway keeps every existing departure.
* ``add-route``: a new route (``route_short_name`` = name, ``route_type`` from the mode) with
  new stops for coordinates; hop run times are ``speed_kmh`` over crow-fly × 1.3 distance or
  ``run_times_s``, plus ``dwell_s`` at intermediate stops; trips leave the first stop every
  headway in each band (both directions when ``bidirectional``); the service runs on the
  scenario date's weekday over the feed's calendar range.
* ``remove-stops``: vehicles no longer call at the stops (their stop times are dropped; run
  times are unchanged); the stops stay in the street network as places to walk to.
* ``adjust-speed``: hop run times divided by ``factor`` (dwell times kept, first departure kept),
  optionally only for trips starting in a band.
* ``add-park-and-ride``/``add-bike-stations`` change the mobility layer, not the timetable (see
  :mod:`maas.scenarios.mobility`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections import Counter

import numpy as np
import pandas as pd

from maas.feeds.gtfs import GtfsFeed
from maas.scenarios.spec import (ROUTE_MODES, AddRoute, AdjustFrequency, AdjustSpeed, Edit, RemoveRoute,
                                 RemoveStops, RemoveTrips, ScenarioError, ScenarioSpec, clock)
from maas.timetable.calendar import WEEKDAYS
from maas.timetable.footpaths import haversine_m

DETOUR = 1.3  # crow-fly to travelled distance for add-route run times


class _Tables:
    """Mutable working copy of one feed's tables (new DataFrames replace old ones)."""

    NAMES = ("stops", "routes", "trips", "stop_times", "calendar", "calendar_dates", "frequencies")

    def __init__(self, feed: GtfsFeed):
        self.feed = feed
        for n in self.NAMES:
            setattr(self, n, getattr(feed, n))
        self.changed = False

    def first_dep(self) -> pd.Series:
        st = self.stop_times
        return st.groupby("trip_id", sort=False)["departure_time"].min()

    def patterns(self, trip_ids) -> dict[str, tuple]:
        st = self.stop_times[self.stop_times["trip_id"].isin(set(trip_ids))]
        st = st.sort_values(["trip_id", "stop_sequence"], kind="stable")
        return {t: tuple(g) for t, g in st.groupby("trip_id", sort=False)["stop_id"]}

    def drop_trips(self, trip_ids) -> int:
        ids = set(trip_ids)
        if not ids:
            return 0
        self.trips = self.trips[~self.trips["trip_id"].isin(ids)]
        self.stop_times = self.stop_times[~self.stop_times["trip_id"].isin(ids)]
        if len(self.frequencies):
            self.frequencies = self.frequencies[~self.frequencies["trip_id"].isin(ids)]
        self.changed = True
        return len(ids)

    def add_trips(self, trips: pd.DataFrame, stop_times: pd.DataFrame) -> None:
        if not len(trips):
            return
        self.trips = pd.concat([self.trips, trips], ignore_index=True)
        self.stop_times = pd.concat([self.stop_times, stop_times], ignore_index=True)
        self.changed = True

    def services_on(self, day: dt.date) -> set[str]:
        """service_ids running on ``day`` (calendar.txt, then calendar_dates.txt exceptions)."""
        ts = pd.Timestamp(day)
        out: set[str] = set()
        cal = self.calendar
        if len(cal):
            w = WEEKDAYS[day.weekday()]
            ok = (cal[w] == 1) & (cal["start_date"] <= ts) & (cal["end_date"] >= ts)
            out |= set(cal.loc[ok, "service_id"])
        cd = self.calendar_dates
        if len(cd):
            on = cd[cd["date"] == ts]
            out |= set(on.loc[on["exception_type"] == 1, "service_id"])
            out -= set(on.loc[on["exception_type"] == 2, "service_id"])
        return out


def _route_ids(work: list[_Tables], ref: str) -> list[set[str]]:
    """Per feed, the route_ids that ``ref`` names: route_id match anywhere wins, else short name."""
    by_id = [set(w.routes.loc[w.routes["route_id"] == ref, "route_id"]) for w in work]
    if any(by_id):
        return by_id
    return [set(w.routes.loc[w.routes["route_short_name"] == ref, "route_id"]) for w in work]


def _copy_trips(tables: _Tables, rep: str, new_ids: list[str], shifts: np.ndarray,
                trip_row: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copies of trip ``rep`` shifted by ``shifts`` seconds, with ids ``new_ids``."""
    rows = tables.stop_times[tables.stop_times["trip_id"] == rep].sort_values("stop_sequence", kind="stable")
    n, k = len(rows), len(new_ids)
    st = rows.iloc[np.tile(np.arange(n), k)].reset_index(drop=True)
    sh = np.repeat(shifts.astype(float), n)
    st["trip_id"] = np.repeat(np.asarray(new_ids, dtype=object), n)
    st["arrival_time"] = st["arrival_time"].to_numpy(float) + sh
    st["departure_time"] = st["departure_time"].to_numpy(float) + sh
    tr = trip_row if trip_row is not None else tables.trips[tables.trips["trip_id"] == rep]
    trips = tr.iloc[np.zeros(k, dtype=int)].reset_index(drop=True)
    trips["trip_id"] = list(new_ids)
    if "block_id" in trips.columns:
        trips["block_id"] = ""
    return trips, st


# --------------------------------------------------------------------------------------------
# the edits


def _remove_route(work, e: RemoveRoute, spec) -> dict:
    n = 0
    for w, rids in zip(work, _route_ids(work, e.route)):
        if rids:
            n += w.drop_trips(w.trips.loc[w.trips["route_id"].isin(rids), "trip_id"])
    return {"trips_removed": n, "summary": f"route {e.route}: removed {n} trips"}


def _trips_of(w, rids, band=None, direction=None):
    """The trips of routes ``rids``, optionally of one direction and starting within ``band``."""
    tr = w.trips[w.trips["route_id"].isin(rids)]
    if direction is not None:
        tr = tr[tr["direction_id"].astype(str) == str(direction)]
    if band is not None:
        fd = tr["trip_id"].map(w.first_dep())
        tr = tr[(fd >= band.start) & (fd < band.end)]
    return tr


def _remove_trips(work, e: RemoveTrips, spec) -> dict:
    n = 0
    for w, rids in zip(work, _route_ids(work, e.route)):
        if not rids:
            continue
        n += w.drop_trips(_trips_of(w, rids, e.band, e.direction)["trip_id"])
    d = f" direction {e.direction}" if e.direction is not None else ""
    return {"trips_removed": n, "summary": f"route {e.route}{d}: removed {n} trips starting {e.band}"}


def _direction_key(row_dir: str, pattern: tuple) -> str:
    return f"d{row_dir}" if row_dir not in ("", "nan", "None") else f"{pattern[0]}>{pattern[-1]}"


def _adjust_frequency(work, e: AdjustFrequency, spec) -> dict:
    removed = added = 0
    details = []
    found_any = False
    for w, rids in zip(work, _route_ids(work, e.route)):
        if not rids:
            continue
        services = w.services_on(spec.date)
        route_trips = w.trips[w.trips["route_id"].isin(rids) & w.trips["service_id"].isin(services)]
        if not len(route_trips):
            continue
        found_any = True
        fd_all = w.first_dep()
        fd = route_trips["trip_id"].map(fd_all).to_numpy(float)
        pats = w.patterns(route_trips["trip_id"])
        dirs = route_trips["direction_id"].astype(str).to_numpy()
        tids = route_trips["trip_id"].to_numpy()
        keys = np.array([_direction_key(dirs[i], pats.get(tids[i], ("?",))) for i in range(len(tids))])
        new_trips, new_st, drop = [], [], []
        for hw in sorted(e.headways, key=lambda h: h.start):
            in_band = (fd >= hw.start) & (fd < hw.end)
            for key in sorted(set(keys)):
                g = keys == key
                gb = g & in_band
                if gb.any():
                    idx = np.flatnonzero(gb)
                    common = Counter(pats[tids[i]] for i in idx).most_common(1)[0][0]
                    cands = [i for i in idx if pats[tids[i]] == common]
                    rep_i = min(cands, key=lambda i: (fd[i], tids[i]))
                    phase = float(fd[idx].min())
                    drop += list(tids[idx])
                else:
                    idx = np.flatnonzero(g)
                    rep_i = min(idx, key=lambda i: (abs(fd[i] - hw.start), fd[i], tids[i]))
                    phase = float(hw.start)
                k0 = math.ceil((hw.start - phase) / hw.seconds)
                deps = phase + hw.seconds * np.arange(k0, k0 + (hw.end - hw.start) // hw.seconds + 2)
                deps = deps[(deps >= hw.start) & (deps < hw.end)]
                if not len(deps):
                    continue
                rep = tids[rep_i]
                ids = [f"{rep}~e{e.index}@{clock(int(t))}" for t in deps]
                trips, st = _copy_trips(w, rep, ids, deps - fd[rep_i])
                new_trips.append(trips)
                new_st.append(st)
                details.append({"band": str(hw.band), "direction": str(key), "representative_trip": rep,
                                "headway_s": hw.seconds, "trips": len(deps)})
        removed += w.drop_trips(drop)
        if new_trips:
            w.add_trips(pd.concat(new_trips, ignore_index=True), pd.concat(new_st, ignore_index=True))
            added += sum(len(t) for t in new_trips)
    if not found_any:
        raise e.error("route", f"route {e.route!r} has no trips on {spec.date.isoformat()} to copy")
    bands = ", ".join(f"{h.band} every {h.seconds / 60:g} min" for h in e.headways)
    return {"trips_removed": removed, "trips_added": added, "bands": details,
            "summary": f"route {e.route}: {bands}: replaced {removed} trips by {added}"}


def _adjust_speed(work, e: AdjustSpeed, spec) -> dict:
    n = 0
    for w, rids in zip(work, _route_ids(work, e.route)):
        if not rids:
            continue
        ids = set(_trips_of(w, rids, e.band)["trip_id"])
        if not ids:
            continue
        st = w.stop_times
        mask = st["trip_id"].isin(ids).to_numpy()
        sub = st[mask].sort_values(["trip_id", "stop_sequence"], kind="stable")
        arr = sub["arrival_time"].to_numpy(float)
        dep = sub["departure_time"].to_numpy(float)
        tid = sub["trip_id"].to_numpy()
        first = np.r_[True, tid[1:] != tid[:-1]]
        prev_dep = np.r_[np.nan, dep[:-1]]
        hop = np.where(first, 0.0, arr - prev_dep) / e.factor
        dwell = dep - arr
        # cumulative within each trip: new_arr_i = dep_0 + sum(hops 1..i) + sum(dwells 1..i-1)
        grp = np.cumsum(first) - 1
        starts = np.flatnonzero(first)
        cum = np.cumsum(hop + np.where(first, 0.0, dwell))
        base = cum[starts][grp]
        new_dep = dep[starts][grp] + (cum - base)
        new_arr = new_dep - np.where(first, 0.0, dwell)
        new_arr = np.where(first, arr, new_arr)
        new_dep = np.where(first, dep, new_dep)
        sub = sub.assign(arrival_time=np.round(new_arr), departure_time=np.round(new_dep))
        w.stop_times = pd.concat([st[~mask], sub], ignore_index=True)
        w.changed = True
        n += len(ids)
    band = f" starting {e.band}" if e.band else ""
    return {"trips_changed": n, "summary": f"route {e.route}: {n} trips{band} run {e.factor:g}x as fast "
                                           f"(run times x {1 / e.factor:.3g})"}


def _remove_stops(work, e: RemoveStops, spec) -> dict:
    stops = set(e.stops)
    n_rows = 0
    trips_hit: set[str] = set()
    for wi, w in enumerate(work):
        st = w.stop_times
        mask = st["stop_id"].isin(stops)
        if e.routes:
            rids: set[str] = set()
            for r in e.routes:
                rids |= _route_ids(work, r)[wi]
            mask &= st["trip_id"].isin(set(w.trips.loc[w.trips["route_id"].isin(rids), "trip_id"]))
        if mask.any():
            trips_hit |= set(st.loc[mask, "trip_id"])
            n_rows += int(mask.sum())
            w.stop_times = st[~mask]
            w.changed = True
    return {"stop_times_removed": n_rows, "trips_affected": len(trips_hit),
            "summary": f"stops {', '.join(e.stops)} closed: {len(trips_hit)} trips no longer call there"}


def _add_route(work, e: AddRoute, spec) -> dict:
    w = work[0]
    all_route_ids = set().union(*(set(x.routes["route_id"]) for x in work))
    rid = e.route_id or f"scn-{e.name}"
    base_rid, k = rid, 2
    while rid in all_route_ids:
        rid, k = f"{base_rid}-{k}", k + 1
    all_stop_ids = set().union(*(set(x.stops["stop_id"]) for x in work))
    stop_info = pd.concat([x.stops[["stop_id", "stop_name", "stop_lat", "stop_lon"]] for x in work]).drop_duplicates("stop_id").set_index("stop_id")
    ids, names, lats, lons, new_rows = [], [], [], [], []
    for j, s in enumerate(e.stops):
        if s.is_new:
            sid = f"{rid}-s{j + 1}"
            while sid in all_stop_ids:
                sid += "x"
            all_stop_ids.add(sid)
            name = s.name or f"{e.name} stop {j + 1}"
            new_rows.append({"stop_id": sid, "stop_name": name, "stop_lat": s.lat, "stop_lon": s.lon,
                             "location_type": 0.0, "wheelchair_boarding": 1.0 if e.wheelchair_accessible else 0.0,
                             "parent_station": ""})
            ids.append(sid), names.append(name), lats.append(s.lat), lons.append(s.lon)
        else:
            if s.stop_id not in stop_info.index:
                raise e.error(f"stops[{j}]", f"unknown stop {s.stop_id!r}")
            r = stop_info.loc[s.stop_id]
            ids.append(s.stop_id), names.append(str(r["stop_name"]))
            lats.append(float(r["stop_lat"])), lons.append(float(r["stop_lon"]))
    if e.run_times_s is not None:
        hops = np.asarray(e.run_times_s, float)
    else:
        d = haversine_m(np.asarray(lats[:-1]), np.asarray(lons[:-1]), np.asarray(lats[1:]), np.asarray(lons[1:]))
        hops = np.ceil(np.asarray(d) * DETOUR / (e.speed_kmh / 3.6))
    hops = np.maximum(np.round(hops), 1.0)
    service = f"scn-{rid}"
    rng = w.feed.date_range()
    ts = pd.Timestamp(spec.date)
    start = min(rng[0], ts) if rng else ts
    end = max(rng[1], ts) if rng else ts
    cal_row = {"service_id": service, **{d: 1.0 if i == spec.date.weekday() else 0.0 for i, d in enumerate(WEEKDAYS)},
               "start_date": start, "end_date": end}
    agency_id = str(w.feed.agency["agency_id"].iloc[0]) if "agency_id" in w.feed.agency.columns and len(w.feed.agency) else ""
    route_row = {"route_id": rid, "agency_id": agency_id, "route_short_name": e.name, "route_long_name": e.long_name
                 or f"{names[0]} - {names[-1]}", "route_type": float(ROUTE_MODES[e.mode]), "route_color": e.color}
    n_stops = len(ids)
    directions = [(0, np.arange(n_stops), hops)]
    if e.bidirectional:
        directions.append((1, np.arange(n_stops)[::-1], hops[::-1]))
    trips, sts = [], []
    for direction, order, h in directions:
        # offsets of arrival and departure at each stop from the first departure
        arr_off = np.zeros(n_stops)
        dep_off = np.zeros(n_stops)
        for i in range(1, n_stops):
            arr_off[i] = dep_off[i - 1] + h[i - 1]
            dep_off[i] = arr_off[i] + (e.dwell_s if i < n_stops - 1 else 0.0)
        deps = []
        for hw in e.headways:
            deps += list(range(hw.start, hw.end, hw.seconds))
        deps = sorted(set(deps))
        for k, t in enumerate(deps):
            tid = f"{rid}-d{direction}-{k:04d}"
            trips.append({"route_id": rid, "service_id": service, "trip_id": tid,
                          "trip_headsign": names[order[-1]], "direction_id": str(direction), "shape_id": "",
                          "block_id": "", "trip_short_name": "",
                          "wheelchair_accessible": 1.0 if e.wheelchair_accessible else 2.0})
            for pos in range(n_stops):
                sts.append((tid, t + arr_off[pos], t + dep_off[pos], ids[order[pos]], float(pos + 1)))
    st = pd.DataFrame(sts, columns=["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"])
    st["pickup_type"] = 0.0
    st["drop_off_type"] = 0.0
    if new_rows:
        w.stops = pd.concat([w.stops, pd.DataFrame(new_rows)], ignore_index=True)
    w.routes = pd.concat([w.routes, pd.DataFrame([route_row])], ignore_index=True)
    w.calendar = pd.concat([w.calendar, pd.DataFrame([cal_row])], ignore_index=True) if len(w.calendar) else pd.DataFrame([cal_row])
    w.add_trips(pd.DataFrame(trips), st)
    return {"route_id": rid, "trips_added": len(trips), "new_stops": [r["stop_id"] for r in new_rows],
            "run_time_s": int(hops.sum() + e.dwell_s * max(0, n_stops - 2)),
            "summary": f"new {e.mode.lower()} route {e.name} ({rid}): {n_stops} stops "
                       f"({len(new_rows)} new), {len(trips)} trips, {int(hops.sum() + e.dwell_s * max(0, n_stops - 2)) // 60} min end to end"}


HANDLERS = {"remove-route": _remove_route, "remove-trips": _remove_trips, "adjust-frequency": _adjust_frequency,
            "add-route": _add_route, "remove-stops": _remove_stops, "adjust-speed": _adjust_speed}


def expand_frequencies(w: _Tables) -> None:
    if not len(w.frequencies):
        return
    from maas.timetable.compile import expand_frequencies as expand
    w.trips, w.stop_times = expand(w.trips, w.stop_times, w.frequencies)
    w.frequencies = w.frequencies.iloc[0:0]
    w.changed = True


def apply_edits(feeds: list[GtfsFeed], spec: ScenarioSpec | list[Edit], *, date: dt.date | None = None
                ) -> tuple[list[GtfsFeed], list[dict]]:
    """Apply the timetable edits of ``spec`` in order; returns (new feeds, one log entry per edit).

    ``spec`` may also be a list of edits, with ``date`` the scenario date. Mobility edits
    (park & ride, bike stations) are logged as recorded and change no table.
    """
    if isinstance(spec, ScenarioSpec):
        edits, ctx = spec.edits, spec
    else:
        if date is None:
            raise ValueError("apply_edits: date is required when a list of edits is given")
        edits, ctx = list(spec), _DateOnly(date)
    work = [_Tables(f) for f in feeds]
    log: list[dict] = []
    timetable = [e for e in edits if e.type in HANDLERS]
    if timetable:
        for w in work:
            expand_frequencies(w)
    for e in edits:
        entry = {"edit": e.index, "type": e.type}
        if e.type in HANDLERS:
            entry.update(HANDLERS[e.type](work, e, ctx))
        elif e.type == "add-park-and-ride":
            entry["summary"] = f"park & ride lot {e.id} ({e.name}, {e.capacity} spaces) added to the mobility layer"
        else:
            entry["summary"] = (f"{len(e.stations)} bike station(s) added to the mobility layer: "
                                + ", ".join(s.id for s in e.stations))
        log.append(entry)
    out = []
    tag = json.dumps([e.to_json() for e in timetable], sort_keys=True, default=str)
    for w in work:
        if not w.changed:
            out.append(w.feed)
            continue
        digest = hashlib.sha256((w.feed.digest + tag + ctx.date.isoformat()).encode()).hexdigest()
        out.append(dataclasses.replace(w.feed, stops=w.stops, routes=w.routes, trips=w.trips.reset_index(drop=True),
                                       stop_times=w.stop_times.reset_index(drop=True), calendar=w.calendar,
                                       calendar_dates=w.calendar_dates, frequencies=w.frequencies, digest=digest))
    return out, log


@dataclasses.dataclass
class _DateOnly:
    date: dt.date


__all__ = ["apply_edits", "ScenarioError"]
