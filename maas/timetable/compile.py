"""Compile GTFS feeds into a :class:`Timetable` of flat numpy arrays for the router."""
from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from maas.feeds.gtfs import GtfsFeed, route_type_mode
from maas.timetable.calendar import service_activity
from maas.timetable.footpaths import build_footpaths, haversine_m, profile_footpaths
from maas.timetable.patterns import TripRows, group_routes

SCHEMA_VERSION = 10  # bump when the compiled layout or its semantics change: forces rebuilds


@dataclass
class BuildOptions:
    """Parameters that change the compiled network (part of its input hash)."""

    footpath_radius_m: float = 400.0
    detour_factor: float = 1.3

    def to_json(self) -> dict:
        return {"footpath_radius_m": self.footpath_radius_m, "detour_factor": self.detour_factor}


@dataclass
class Timetable:
    """Everything the router and planner need, as arrays (see the field comments for layouts).

    Times are int32 seconds since "noon minus 12 h" of a trip's service day, as in GTFS.
    """

    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # arrays become plain attributes (tt.stop_lat): the planner reads them many times per request
        for name, arr in self.arrays.items():
            if name not in ("arrays", "meta"):
                self.__dict__[name] = arr

    @property
    def n_stops(self) -> int:
        return len(self.arrays["stop_lat"])

    @property
    def n_trips(self) -> int:
        return len(self.arrays["trip_service"])

    @property
    def n_routes(self) -> int:
        return len(self.arrays["route_stop_ptr"]) - 1

    @property
    def timezone(self) -> str:
        return self.meta["timezone"]


def input_digest(feed_digests: list[str], options: BuildOptions) -> str:
    """Hash of the feeds' bytes (their digests), the build options and the schema version."""
    h = hashlib.sha256()
    h.update(f"schema{SCHEMA_VERSION}".encode())
    h.update(json.dumps(options.to_json(), sort_keys=True).encode())
    for d in feed_digests:
        h.update(d.encode())
    return h.hexdigest()


def _merge(feeds: list[GtfsFeed], name: str) -> pd.DataFrame:
    frames = [getattr(f, name) for f in feeds if len(getattr(f, name))]
    if not frames:
        return getattr(feeds[0], name)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def expand_frequencies(trips: pd.DataFrame, st: pd.DataFrame, freq: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace frequency-based trips by one concrete trip per headway (ids ``trip@HH:MM:SS``)."""
    if not len(freq):
        return trips, st
    templ = st[st["trip_id"].isin(set(freq["trip_id"]))]
    first_dep = templ.groupby("trip_id")["departure_time"].min()
    new_trips, new_st = [], []
    for row in freq.dropna(subset=["start_time", "end_time", "headway_secs"]).itertuples(index=False):
        if row.trip_id not in first_dep.index or row.headway_secs <= 0:
            continue
        rows = templ[templ["trip_id"] == row.trip_id]
        base = first_dep[row.trip_id]
        for start in np.arange(row.start_time, row.end_time, row.headway_secs):
            tid = f"{row.trip_id}@{int(start) // 3600:02d}:{int(start) % 3600 // 60:02d}:{int(start) % 60:02d}"
            r = rows.copy()
            r["trip_id"] = tid
            r["arrival_time"] = r["arrival_time"] - base + start
            r["departure_time"] = r["departure_time"] - base + start
            new_st.append(r)
            tr = trips[trips["trip_id"] == row.trip_id].copy()
            tr["trip_id"] = tid
            new_trips.append(tr)
    templates = set(freq["trip_id"])
    trips = pd.concat([trips[~trips["trip_id"].isin(templates)]] + new_trips, ignore_index=True)
    st = pd.concat([st[~st["trip_id"].isin(templates)]] + new_st, ignore_index=True)
    return trips, st.sort_values(["trip_id", "stop_sequence"], kind="stable")


def compile_feeds(feeds: list[GtfsFeed], options: BuildOptions | None = None, walk_pairs=None) -> Timetable:
    """Compile validated feeds (errors must have been checked by the caller) into a Timetable.

    ``walk_pairs(lat, lon, max_walk_m)``, when given, returns per walking profile name a tuple
    ``(a, b, metres, seconds, speed)`` of the walks between stops found on the streets (see
    ``maas.build``); each profile then gets footpaths of its own (``fp_<profile>_*`` arrays).
    """
    options = options or BuildOptions()
    t_start = time.perf_counter()
    tz = feeds[0].timezone
    for f in feeds[1:]:
        if f.timezone != tz:
            warnings.warn(f"{f.source}: timezone {f.timezone} differs from {tz}; times are read as {tz}")
    stops_all = _merge(feeds, "stops")
    routes = _merge(feeds, "routes").reset_index(drop=True)
    trips = _merge(feeds, "trips")
    st = _merge(feeds, "stop_times")
    trips, st = expand_frequencies(trips, st, _merge(feeds, "frequencies"))
    transfers = _merge(feeds, "transfers")
    shapes = _merge(feeds, "shapes")

    # Stops: boardable points only (location_type 0); stations keep their role as parents.
    stops = stops_all[stops_all["location_type"].fillna(0) == 0].reset_index(drop=True)
    stop_index = pd.Series(np.arange(len(stops), dtype=np.int32), index=stops["stop_id"].to_numpy())

    # Keep trips whose route and service are known and that have >= 2 stop times at known stops.
    st = st[st["stop_id"].isin(stop_index.index) & st["trip_id"].isin(set(trips["trip_id"]))]
    st = st.dropna(subset=["arrival_time", "departure_time"])
    counts = st.groupby("trip_id", sort=False).size()
    good = set(counts[counts >= 2].index)
    trips = trips[trips["trip_id"].isin(good)].reset_index(drop=True)
    st = st[st["trip_id"].isin(good)]
    trip_pos = pd.Series(np.arange(len(trips)), index=trips["trip_id"].to_numpy())
    st = st.assign(_t=st["trip_id"].map(trip_pos).to_numpy()).sort_values(["_t", "stop_sequence"], kind="stable")
    t_idx = st["_t"].to_numpy()
    ptr = np.searchsorted(t_idx, np.arange(len(trips) + 1)).astype(np.int64)
    rows = TripRows(trip_ptr=ptr,
                    stop=st["stop_id"].map(stop_index).to_numpy().astype(np.int32),
                    arr=np.round(st["arrival_time"].to_numpy()).astype(np.int32),
                    dep=np.round(st["departure_time"].to_numpy()).astype(np.int32),
                    pickup=(st["pickup_type"].to_numpy() != 1),
                    dropoff=(st["drop_off_type"].to_numpy() != 1),
                    route=trips["route_id"].map(pd.Series(np.arange(len(routes), dtype=np.int32),
                                                          index=routes["route_id"].to_numpy())).to_numpy().astype(np.int32))
    plan = group_routes(rows)
    # GTFS stop_sequence of each stop time (GTFS-RT updates name stops by it), laid out like arr_time
    seq_rows = np.round(st["stop_sequence"].to_numpy()).astype(np.int32)

    # Lay out routes and renumber trips so each route's trips are contiguous and sorted.
    route_stop_ptr = [0]
    route_trip_ptr = [0]
    route_stops, route_pickup, route_dropoff = [], [], []
    trip_order, trip_time_ptr, arr_time, dep_time = [], [], [], []
    stop_seq: list[np.ndarray] = []
    route_first_dep, route_last_dep = [], []
    time_cursor = 0
    for r_trips in plan.routes:
        t0 = r_trips[0]
        a, b = ptr[t0], ptr[t0 + 1]
        n = b - a
        route_stops.append(rows.stop[a:b])
        route_pickup.append(rows.pickup[a:b])
        route_dropoff.append(rows.dropoff[a:b])
        route_stop_ptr.append(route_stop_ptr[-1] + n)
        idx = ptr[r_trips][:, None] + np.arange(n)[None, :]
        arr_time.append(rows.arr[idx].ravel())
        dep_time.append(rows.dep[idx].ravel())
        stop_seq.append(seq_rows[idx].ravel())
        trip_time_ptr.append(time_cursor + n * np.arange(len(r_trips), dtype=np.int64))
        time_cursor += n * len(r_trips)
        trip_order.append(r_trips)
        route_trip_ptr.append(route_trip_ptr[-1] + len(r_trips))
        route_first_dep.append(int(rows.dep[idx].min()))
        route_last_dep.append(int(rows.dep[idx].max()))
    order = np.concatenate(trip_order) if trip_order else np.zeros(0, np.int64)
    n_routes = len(plan.routes)
    trip_route = np.repeat(np.arange(n_routes, dtype=np.int32), np.diff(route_trip_ptr))
    trips_o = trips.iloc[order].reset_index(drop=True)

    route_pos = pd.Series(np.arange(len(routes), dtype=np.int32), index=routes["route_id"].to_numpy())
    trip_groute = trips_o["route_id"].map(route_pos).to_numpy().astype(np.int32)
    route_groute = np.array([trip_groute[s] for s in route_trip_ptr[:-1]], dtype=np.int32)

    service_ids = sorted(set(trips_o["service_id"]))
    first_day, active = service_activity(_merge(feeds, "calendar"), _merge(feeds, "calendar_dates"), service_ids)
    svc_pos = pd.Series(np.arange(len(service_ids), dtype=np.int32), index=service_ids)

    # stop -> (route, position) incidence, a stop may occur twice in a looping route
    rs = np.concatenate(route_stops).astype(np.int32) if route_stops else np.zeros(0, np.int32)
    rsp = np.asarray(route_stop_ptr, np.int64)
    r_of = np.repeat(np.arange(n_routes, dtype=np.int32), np.diff(rsp))
    pos_of = (np.arange(len(rs)) - rsp[r_of]).astype(np.int32)
    o = np.lexsort((pos_of, r_of, rs))
    stop_route_ptr = np.zeros(len(stops) + 1, np.int64)
    np.add.at(stop_route_ptr, rs + 1, 1)
    stop_route_ptr = np.cumsum(stop_route_ptr)

    # transfers.txt: footpath extras, forbidden pairs and per-stop minimum change times
    stop_min_change = np.zeros(len(stops), np.int32)
    ex_f = ex_t = ex_s = fb_f = fb_t = np.zeros(0, np.int64)
    if len(transfers):
        tr = transfers[transfers["from_stop_id"].isin(stop_index.index) & transfers["to_stop_id"].isin(stop_index.index)]
        f_i = tr["from_stop_id"].map(stop_index).to_numpy()
        t_i = tr["to_stop_id"].map(stop_index).to_numpy()
        ttype = tr["transfer_type"].fillna(0).to_numpy()
        mts = tr["min_transfer_time"].fillna(0).to_numpy()
        same = f_i == t_i
        walk = (ttype == 2) & ~same
        ex_f, ex_t, ex_s = f_i[walk], t_i[walk], mts[walk]
        forb = (ttype == 3) & ~same
        fb_f, fb_t = f_i[forb], t_i[forb]
        for s_i, m in zip(f_i[same & (ttype == 2)], mts[same & (ttype == 2)]):
            stop_min_change[s_i] = max(stop_min_change[s_i], int(m))
    lat = stops["stop_lat"].to_numpy(np.float64)
    lon = stops["stop_lon"].to_numpy(np.float64)
    fp_ptr, fp_to, fp_m, fp_min_s = build_footpaths(lat, lon, options.footpath_radius_m, options.detour_factor,
                                                    ex_f, ex_t, ex_s, fb_f, fb_t)

    profile_fp: dict[str, np.ndarray] = {}
    if walk_pairs is not None:
        max_walk = options.footpath_radius_m * options.detour_factor
        for name, (pa, pb, pm, ps, speed) in walk_pairs(lat, lon, max_walk).items():
            ptr_p, to_p, m_p, s_p = profile_footpaths(len(lat), pa, pb, pm, ps, lat, lon, options.detour_factor,
                                                      speed, ex_f, ex_t, ex_s, fb_f, fb_t, max_walk / speed)
            profile_fp.update({f"fp_{name}_ptr": ptr_p, f"fp_{name}_to": to_p, f"fp_{name}_m": m_p,
                               f"fp_{name}_s": s_p})

    shape_arrays = _compile_shapes(shapes, trips_o, route_trip_ptr, rs, rsp, lat, lon)

    arrays = {
        "stop_id": stops["stop_id"].to_numpy(str),
        "stop_name": stops["stop_name"].fillna("").to_numpy(str),
        "stop_lat": lat, "stop_lon": lon,
        "stop_wheelchair": stops["wheelchair_boarding"].fillna(0).to_numpy(np.int8),
        # parent stations (location_type 1) are not boardable points, so keep their ids, not indices
        "stop_parent_id": stops["parent_station"].fillna("").to_numpy(str),
        "stop_min_change": stop_min_change,
        "stop_route_ptr": stop_route_ptr, "stop_route_r": r_of[o], "stop_route_pos": pos_of[o],
        "route_stop_ptr": rsp, "route_stops": rs,
        "route_pickup": np.concatenate(route_pickup) if route_pickup else np.zeros(0, bool),
        "route_dropoff": np.concatenate(route_dropoff) if route_dropoff else np.zeros(0, bool),
        "route_trip_ptr": np.asarray(route_trip_ptr, np.int64),
        "route_first_dep": np.asarray(route_first_dep, np.int32),
        "route_last_dep": np.asarray(route_last_dep, np.int32),
        "route_groute": route_groute,
        "trip_time_ptr": np.concatenate(trip_time_ptr) if trip_time_ptr else np.zeros(0, np.int64),
        "arr_time": np.concatenate(arr_time).astype(np.int32) if arr_time else np.zeros(0, np.int32),
        "dep_time": np.concatenate(dep_time).astype(np.int32) if dep_time else np.zeros(0, np.int32),
        "stop_seq": np.concatenate(stop_seq).astype(np.int32) if stop_seq else np.zeros(0, np.int32),
        "trip_route": trip_route,
        "trip_service": trips_o["service_id"].map(svc_pos).to_numpy().astype(np.int32),
        "trip_wheelchair": trips_o["wheelchair_accessible"].fillna(0).to_numpy(np.int8),
        # GTFS direction_id (0/1, -1 when not given): vehicle positions name a route and a direction
        "trip_direction": pd.to_numeric(trips_o["direction_id"], errors="coerce").fillna(-1).to_numpy(np.int8)
        if "direction_id" in trips_o.columns else np.full(len(trips_o), -1, np.int8),
        "trip_id": trips_o["trip_id"].to_numpy(str),
        "trip_headsign": trips_o["trip_headsign"].fillna("").to_numpy(str),
        "groute_id": routes["route_id"].to_numpy(str),
        "groute_short_name": routes["route_short_name"].fillna("").to_numpy(str),
        "groute_long_name": routes["route_long_name"].fillna("").to_numpy(str),
        "groute_type": routes["route_type"].fillna(3).to_numpy(np.int32),
        "groute_mode": np.array([route_type_mode(int(x)) or "BUS" for x in routes["route_type"].fillna(3)], dtype=str),
        "groute_color": routes["route_color"].fillna("").to_numpy(str),
        "service_id": np.asarray(service_ids, dtype=str),
        "service_active": active,
        "fp_ptr": fp_ptr, "fp_to": fp_to, "fp_m": fp_m, "fp_min_s": fp_min_s,
        **profile_fp,
        **shape_arrays,
    }
    agencies = [{"name": str(f.agency["agency_name"].iloc[0]), "timezone": f.timezone, "source": f.source}
                for f in feeds]
    meta = {
        "schema": SCHEMA_VERSION, "timezone": tz, "first_day": first_day.isoformat(),
        "agencies": agencies, "sources": [f.source for f in feeds], "options": options.to_json(), "digest": input_digest([f.digest for f in feeds], options),
        "overtaking_splits": plan.overtaking_splits,
        "compile_seconds": round(time.perf_counter() - t_start, 3),
    }
    return Timetable(arrays=arrays, meta=meta)


def _compile_shapes(shapes: pd.DataFrame, trips_o: pd.DataFrame, route_trip_ptr: list[int],
                    route_stops: np.ndarray, route_stop_ptr: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> dict:
    """Shape points per route and, for each route stop, the index of its nearest shape point.

    Stops are matched in order (never backwards along the shape) so loops stay correct.
    Routes without a shape get -1 and the planner draws straight lines between stops.
    """
    n_routes = len(route_trip_ptr) - 1
    route_shape = np.full(n_routes, -1, np.int32)
    route_stop_shape_pos = np.zeros(len(route_stops), np.int32)
    # cumulative metres from the route's first stop: along the shape when there is one, else stop to stop
    route_stop_dist = np.zeros(len(route_stops), np.float32)
    for r in range(n_routes):
        a, b = route_stop_ptr[r], route_stop_ptr[r + 1]
        s = route_stops[a:b]
        seg = haversine_m(lat[s[:-1]], lon[s[:-1]], lat[s[1:]], lon[s[1:]])
        route_stop_dist[a + 1:b] = np.cumsum(seg)
    if not len(shapes) or "shape_id" not in trips_o.columns:
        return {"shape_ptr": np.zeros(1, np.int64), "shape_lat": np.zeros(0), "shape_lon": np.zeros(0),
                "route_shape": route_shape, "route_stop_shape_pos": route_stop_shape_pos,
                "route_stop_dist": route_stop_dist}
    shape_ids = shapes["shape_id"].drop_duplicates().to_numpy()
    spos = pd.Series(np.arange(len(shape_ids)), index=shape_ids)
    codes = shapes["shape_id"].map(spos).to_numpy()
    shape_ptr = np.zeros(len(shape_ids) + 1, np.int64)
    np.add.at(shape_ptr, codes + 1, 1)
    shape_ptr = np.cumsum(shape_ptr)
    order = np.argsort(codes, kind="stable")
    s_lat = shapes["shape_pt_lat"].to_numpy(np.float64)[order]
    s_lon = shapes["shape_pt_lon"].to_numpy(np.float64)[order]
    trip_shapes = trips_o["shape_id"].fillna("").to_numpy()
    for r in range(n_routes):
        sid = trip_shapes[route_trip_ptr[r]]
        if sid == "" or sid not in spos.index:
            continue
        si = int(spos[sid])
        a, b = shape_ptr[si], shape_ptr[si + 1]
        if b - a < 2:
            continue
        pos = _match_stops_to_shape(lat[route_stops[route_stop_ptr[r]:route_stop_ptr[r + 1]]],
                                    lon[route_stops[route_stop_ptr[r]:route_stop_ptr[r + 1]]], s_lat[a:b], s_lon[a:b])
        if pos is None:
            continue  # the shape does not follow the stops (reversed, partial): draw stop to stop
        route_shape[r] = si
        ks = slice(route_stop_ptr[r], route_stop_ptr[r + 1])
        route_stop_shape_pos[ks] = pos
        cum = np.concatenate([[0.0], np.cumsum(haversine_m(s_lat[a:b - 1], s_lon[a:b - 1], s_lat[a + 1:b], s_lon[a + 1:b]))])
        route_stop_dist[ks] = cum[pos]
    return {"shape_ptr": shape_ptr, "shape_lat": s_lat, "shape_lon": s_lon,
            "route_shape": route_shape, "route_stop_shape_pos": route_stop_shape_pos,
            "route_stop_dist": route_stop_dist}


SHAPE_MATCH_M = 150.0   # a stop farther than this from its matched shape point rejects the shape


def _match_stops_to_shape(stop_lat: np.ndarray, stop_lon: np.ndarray, sh_lat: np.ndarray,
                          sh_lon: np.ndarray) -> np.ndarray | None:
    """Index of the shape point for each stop, in order along the shape, or None when it does not fit.

    Each stop takes the first close approach (within SHAPE_MATCH_M) after the previous stop's
    point and then the nearest point of that approach, so a loop or a shape passing a stop twice
    matches the right pass; the shape is rejected when a stop has no close approach left.
    """
    cos = np.cos(np.radians(float(np.mean(stop_lat))))
    k = 111_195.0
    out = np.empty(len(stop_lat), np.int32)
    prev = 0
    n = len(sh_lat)
    for i in range(len(stop_lat)):
        d = np.hypot((sh_lat[prev:] - stop_lat[i]) * k, (sh_lon[prev:] - stop_lon[i]) * k * cos)
        close = np.flatnonzero(d <= SHAPE_MATCH_M)
        if not len(close):
            return None
        j = close[0]
        while j + 1 < len(d) and d[j + 1] <= d[j]:
            j += 1
        prev = min(prev + int(j), n - 1)
        out[i] = prev
    if len(out) > 1 and out[-1] == out[0]:
        return None
    return out
