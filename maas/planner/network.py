"""The loaded network and its trip planner (``Network.plan``): the library's main entry point."""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from scipy.spatial import cKDTree

from maas.errors import BadRequest
from maas.planner.clock import parse_clock, service_day_ref
from maas.planner.instructions import encode_polyline
from maas.planner.places import Place, parse_place
from maas.planner.profiles import Profile, get_profile
from maas.router.raptor import raptor
from maas.router.reverse import raptor_reverse
from maas.timetable.compile import Timetable
from maas.router.distance import haversine
from maas.timetable.footpaths import durations, project



# the timetable arrays the RAPTOR kernels take first, in their order (a real-time overlay
# replaces exactly these)
KERNEL_ARRAYS = ("route_stop_ptr", "route_stops", "route_pickup", "route_dropoff", "route_trip_ptr",
                 "route_first_dep", "route_last_dep", "trip_time_ptr", "arr_time", "dep_time",
                 "stop_route_ptr", "stop_route_r", "stop_route_pos")


@dataclass
class DayContext:
    """Everything that depends on the date and the profile's accessibility needs."""

    day: dt.date
    ref: int                      # epoch seconds of the service day's reference
    slot_offsets: np.ndarray      # int32 [3]: yesterday, today, tomorrow relative to today
    trip_active: np.ndarray       # bool [3, n_trips]
    stop_ok: np.ndarray           # bool [n_stops]
    any_service: bool             # any trip runs on the day itself (any profile)


class Network:
    """A compiled network, immutable once loaded; safe to share between threads."""

    overlay = None        # a real-time view (maas.planner.realtime.make_view) holds its Overlay here
    base = None           # ... and the static network it was made from
    realtime = None       # maas.planner.realtime.Realtime: the sources and the current snapshot

    def __init__(self, tt: Timetable, *, folder: str | None = None, mobility=None, streets=None):
        self.tt = tt
        self.folder = folder
        self.tz = ZoneInfo(tt.timezone)
        self.first_day = dt.date.fromisoformat(tt.meta["first_day"])
        self.n_days = tt.service_active.shape[1]
        self.stop_lookup = {str(s): i for i, s in enumerate(tt.stop_id)}
        self._lat0 = float(np.mean(tt.stop_lat)) if tt.n_stops else 0.0
        self._tree = cKDTree(project(tt.stop_lat, tt.stop_lon, self._lat0)) if tt.n_stops else None
        # the street graph and its searches (None: every walk, ride and drive is crow-fly)
        self.streets = None
        if streets is not None:
            from maas.planner.streets import StreetRouter
            self.streets = StreetRouter(streets)
            self.streets.set_stops(tt.stop_lat, tt.stop_lon)
        # Python-list copies of per-stop fields: itinerary assembly indexes them one at a time,
        # which is ~50x cheaper on lists than on numpy arrays.
        self.stop_names = [str(x) for x in tt.stop_name]
        self.stop_ids = [str(x) for x in tt.stop_id]
        self.stop_lats = np.asarray(tt.stop_lat).tolist()
        self.stop_lons = np.asarray(tt.stop_lon).tolist()
        # per-trip and per-route fields as lists, for the same reason
        self.trip_routes = np.asarray(tt.trip_route).tolist()
        self.trip_time_ptrs = np.asarray(tt.trip_time_ptr).tolist()
        self.trip_wheelchairs = np.asarray(tt.trip_wheelchair).tolist()
        self.trip_ids = [str(x) for x in tt.trip_id]
        self.trip_headsigns = [str(x) for x in tt.trip_headsign]
        self.stop_wheelchairs = np.asarray(tt.stop_wheelchair).tolist()
        self.route_stop_ptrs = np.asarray(tt.route_stop_ptr).tolist()
        self.route_groutes = np.asarray(tt.route_groute).tolist()
        self.groute_modes = [str(x) for x in tt.groute_mode]
        self.groute_names = [str(a) or str(b) for a, b in zip(tt.groute_short_name, tt.groute_long_name)]
        self.groute_ids = [str(x) for x in tt.groute_id]
        self._route_geom: dict[int, list] = {}
        self._shape_geom: dict[int, list] = {}
        self._ride_polylines: dict[tuple, str] = {}
        self._profile_cache: dict[str, dict] = {}
        self._day_cache: dict[tuple, DayContext] = {}
        self.mobility = mobility
        self._kernel_static = tuple(np.ascontiguousarray(getattr(tt, n)) for n in KERNEL_ARRAYS)

    # ----- static lookups -------------------------------------------------------------
    def stops_within(self, lat: float, lon: float, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Stop indices within ``radius_m`` crow-fly of a point, and their distances (m)."""
        if self._tree is None:
            return np.zeros(0, np.int64), np.zeros(0)
        xy = project(np.array([lat]), np.array([lon]), self._lat0)[0]
        idx = np.asarray(self._tree.query_ball_point(xy, radius_m), dtype=np.int64)
        if not len(idx):
            return idx, np.zeros(0)
        d = haversine(lat, lon, self.tt.stop_lat[idx], self.tt.stop_lon[idx])
        order = np.argsort(d)
        return idx[order], d[order]

    def nearest_stop_m(self, lat: float, lon: float) -> float:
        if self._tree is None:
            return float("inf")
        xy = project(np.array([lat]), np.array([lon]), self._lat0)[0]
        _, i = self._tree.query(xy)
        return float(haversine(lat, lon, self.tt.stop_lat[i], self.tt.stop_lon[i]))

    def profile_arrays(self, profile: Profile) -> dict:
        """The footpaths of a walking profile (CSR ``fp_ptr``/``fp_to``/``fp_m``/``fp_dur``, the
        same keyed by destination as ``rfp_*``), change times and footpath lookups (cached).

        A network built with streets has footpaths of its own per profile (street searches);
        otherwise one crow-fly table is walked at the profile's speed."""
        c = self._profile_cache.get(profile.name)
        if c is None:
            tt = self.tt
            key = f"fp_{profile.name}_ptr"
            if key in tt.arrays:
                ptr = np.asarray(tt.arrays[key])
                to = np.asarray(tt.arrays[f"fp_{profile.name}_to"])
                metres = np.asarray(tt.arrays[f"fp_{profile.name}_m"])
                dur = np.ascontiguousarray(tt.arrays[f"fp_{profile.name}_s"], np.int32)
            else:
                ptr, to, metres = np.asarray(tt.fp_ptr), np.asarray(tt.fp_to), np.asarray(tt.fp_m)
                dur = durations(metres, np.asarray(tt.fp_min_s), profile.walk_speed)
            n = tt.n_stops
            src = np.repeat(np.arange(n, dtype=np.int32), np.diff(ptr))
            order = np.argsort(to, kind="stable")
            rptr = np.concatenate([[0], np.cumsum(np.bincount(to, minlength=n))]).astype(np.int64)
            change = np.maximum(np.asarray(tt.stop_min_change), profile.transfer_slack_s).astype(np.int32)
            pairs = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(src.tolist(), to.tolist()))}
            c = {"fp_ptr": np.ascontiguousarray(ptr, np.int64), "fp_to": np.ascontiguousarray(to, np.int32),
                 "fp_m": metres, "fp_dur": dur,
                 "rfp_ptr": rptr, "rfp_from": np.ascontiguousarray(src[order]), "rfp_m": metres[order],
                 "rfp_dur": np.ascontiguousarray(dur[order]), "change": change,
                 "fp_metres": {k: float(metres[i]) for k, i in pairs.items()},
                 "fp_secs": {k: int(dur[i]) for k, i in pairs.items()}}
            self._profile_cache[profile.name] = c
        return c

    def footpaths_for(self, profile: Profile, reverse: bool = False):
        """(ptr, neighbour, metres, seconds) CSR of footpaths; ``reverse`` keys them by destination."""
        pa = self.profile_arrays(profile)
        if reverse:
            return pa["rfp_ptr"], pa["rfp_from"], pa["rfp_m"], pa["rfp_dur"]
        return pa["fp_ptr"], pa["fp_to"], pa["fp_m"], pa["fp_dur"]

    def service_dates(self) -> tuple[dt.date, dt.date]:
        """First and last date the network can be asked about."""
        return self.first_day + dt.timedelta(days=1), self.first_day + dt.timedelta(days=self.n_days - 2)

    def day_context(self, day: dt.date, profile: Profile, strict: bool = False) -> DayContext:
        key = (day, profile.step_free, strict)
        ctx = self._day_cache.get(key)
        if ctx is not None:
            return ctx
        if self.overlay is not None:
            from maas.planner.realtime import overlay_day_context
            ctx = overlay_day_context(self, day, profile, strict)
            if len(self._day_cache) > 64:
                self._day_cache.clear()
            self._day_cache[key] = ctx
            return ctx
        tt = self.tt
        ref = service_day_ref(day, self.tz)
        offsets = np.array([service_day_ref(day + dt.timedelta(days=d), self.tz) - ref for d in (-1, 0, 1)], np.int32)
        di = (day - self.first_day).days
        active = np.zeros((3, tt.n_trips), np.bool_)
        for s, d in enumerate((-1, 0, 1)):
            j = di + d
            if 0 <= j < self.n_days:
                active[s] = tt.service_active[tt.trip_service, j]
        any_service = bool(active[1].any())
        stop_ok = np.ones(tt.n_stops, np.bool_)
        if profile.step_free:
            wc_trip = np.asarray(tt.trip_wheelchair)
            active &= (wc_trip == 1) if strict else (wc_trip != 2)
            wc_stop = np.asarray(tt.stop_wheelchair)
            stop_ok = (wc_stop == 1) if strict else (wc_stop != 2)
        ctx = DayContext(day, ref, offsets, active, stop_ok, any_service)
        if len(self._day_cache) > 64:
            self._day_cache.clear()
        self._day_cache[key] = ctx
        return ctx

    def ride_polyline(self, route: int, bpos: int, apos: int) -> str:
        """:meth:`ride_geometry` encoded (precision 5), remembered: rides repeat across requests."""
        key = (route, bpos, apos)
        p = self._ride_polylines.get(key)
        if p is None:
            if len(self._ride_polylines) > 8192:   # a few MB at most
                self._ride_polylines.clear()
            p = self._ride_polylines[key] = encode_polyline(self.ride_geometry(route, bpos, apos))
        return p

    def ride_geometry(self, route: int, bpos: int, apos: int) -> list[list[float]]:
        """Polyline of a ride: the route's shape between the two stops, else the stops themselves."""
        tt = self.tt
        base = int(tt.route_stop_ptr[route])
        si = int(tt.route_shape[route])
        # shapes are cached by shape (shared with real-time views, whose overlay routes reuse them),
        # stop-to-stop lines by route
        cache, key = (self._shape_geom, si) if si >= 0 else (self._route_geom, route)
        geom = cache.get(key)
        if geom is None:
            if si >= 0:
                a, b = int(tt.shape_ptr[si]), int(tt.shape_ptr[si + 1])
                geom = np.round(np.column_stack([tt.shape_lat[a:b], tt.shape_lon[a:b]]), 6).tolist()
            else:
                stops = tt.route_stops[base: int(tt.route_stop_ptr[route + 1])]
                geom = np.round(np.column_stack([tt.stop_lat[stops], tt.stop_lon[stops]]), 6).tolist()
            cache[key] = geom
        if int(tt.route_shape[route]) >= 0:
            a = int(tt.route_stop_shape_pos[base + bpos])
            b = int(tt.route_stop_shape_pos[base + apos])
            if b > a:
                return geom[a:b + 1]
            p, q = tt.route_stops[base + bpos], tt.route_stops[base + apos]
            return [[self.stop_lats[p], self.stop_lons[p]], [self.stop_lats[q], self.stop_lons[q]]]
        return geom[bpos:apos + 1]

    # ----- routing ----------------------------------------------------------------------
    def run_raptor(self, ctx: DayContext, profile: Profile, src_stops, src_times, tgt_stops, tgt_offsets,
                   max_trips: int, t_limit: int):
        """Run the forward kernel; returns its raw label/parent arrays."""
        pa = self.profile_arrays(profile)
        return raptor(*self._kernel_static, pa["fp_ptr"], pa["fp_to"], pa["fp_dur"], pa["change"],
                      ctx.trip_active, ctx.slot_offsets, ctx.stop_ok,
                      np.asarray(src_stops, np.int32), np.asarray(src_times, np.int32),
                      np.asarray(tgt_stops, np.int32), np.asarray(tgt_offsets, np.int32),
                      int(max_trips), int(t_limit))

    def run_reverse(self, ctx: DayContext, profile: Profile, tgt_stops, tgt_times, src_stops, src_offsets,
                    max_trips: int, t_floor: int):
        """Run the reverse kernel: latest departure per number of trips."""
        pa = self.profile_arrays(profile)
        return raptor_reverse(*self._kernel_static, pa["rfp_ptr"], pa["rfp_from"], pa["rfp_dur"], pa["change"],
                              ctx.trip_active, ctx.slot_offsets, ctx.stop_ok,
                              np.asarray(tgt_stops, np.int32), np.asarray(tgt_times, np.int32),
                              np.asarray(src_stops, np.int32), np.asarray(src_offsets, np.int32),
                              int(max_trips), int(t_floor))

    def time_expanded_graph(self, date, profile="default", t_from: int | None = None, t_to: int | None = None,
                            strict: bool = False):
        """The time-expanded graph (networkx, the router's oracle and export) of a date and
        profile; see :func:`maas.timetable.graph.build_time_expanded_graph`."""
        from maas.timetable.graph import DayInputs, build_time_expanded_graph
        prof = profile if isinstance(profile, Profile) else get_profile(str(profile))
        day = self.parse_date(date) if not isinstance(date, dt.date) else date
        ctx = self.day_context(day, prof, strict)
        pa = self.profile_arrays(prof)
        inputs = DayInputs(day, prof.name, bool(strict), ctx.slot_offsets, ctx.trip_active, ctx.stop_ok,
                           pa["fp_ptr"], pa["fp_to"], pa["fp_dur"], pa["change"])
        return build_time_expanded_graph(self.tt, inputs, t_from, t_to)

    def earliest_arrival(self, origin: str, destination: str, date: str, time: str, profile: str = "default",
                         max_transfers: int = 6, realtime: bool = True) -> int | None:
        """Earliest arrival (seconds after the service day's reference) by transit+walk, or None."""
        from maas.planner.trip import earliest_arrival
        net, _ = self.realtime_view(realtime)
        return earliest_arrival(net, origin, destination, date, time, profile, max_transfers)

    def with_timetable(self, tt: Timetable, n_static_trips: int) -> "Network":
        """A view of this network on another timetable whose first ``n_static_trips`` trips are
        this one's (a real-time overlay appends trips and routes): a shallow copy with the trip
        and route lookups and kernel arrays of ``tt``; stops, streets, footpaths and profile
        caches are shared, day and geometry caches are its own."""
        view = copy.copy(self)
        arrays = tt.arrays
        view.tt = tt
        view.base = self
        kernel = tuple(np.ascontiguousarray(arrays[n]).view() for n in KERNEL_ARRAYS)
        for a in kernel:       # read-only views, like the memory-mapped static arrays: one numba specialisation
            a.flags.writeable = False
        view._kernel_static = kernel
        view.trip_routes = arrays["trip_route"].tolist()
        view.trip_time_ptrs = arrays["trip_time_ptr"].tolist()
        view.trip_wheelchairs = arrays["trip_wheelchair"].tolist()
        view.trip_ids = self.trip_ids + [str(x) for x in arrays["trip_id"][n_static_trips:]]
        view.trip_headsigns = self.trip_headsigns + [str(x) for x in arrays["trip_headsign"][n_static_trips:]]
        view.route_stop_ptrs = arrays["route_stop_ptr"].tolist()
        view.route_groutes = arrays["route_groute"].tolist()
        view._route_geom = {}
        view._ride_polylines = {}   # keyed by route index: an overlay's routes are its own
        view._day_cache = {}
        return view

    def realtime_view(self, realtime: bool = True):
        """(network to plan on, real-time snapshot or None): the snapshot is read once, so one
        request never mixes two overlays."""
        rt = self.realtime
        snap = rt.snapshot if rt is not None else None
        if realtime and snap is not None and snap.view is not None:
            return snap.view, snap
        return self, snap

    def departures(self, stop_id: str, date: str, time: str, limit: int = 20, realtime: bool = True) -> dict:
        """A stop's next departures; the same dict as ``GET /v1/stops/{stop_id}/departures``."""
        from maas.planner.departures import departures
        return departures(self, stop_id, date, time, limit, realtime)

    # ----- request parsing --------------------------------------------------------------
    def parse_date(self, date: str | dt.date) -> dt.date:
        if isinstance(date, dt.date):
            day = date
        else:
            try:
                # YYYY-MM-DD only: fromisoformat also takes 20261202 and 2026-W49-3
                if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", str(date)):
                    raise ValueError(date)
                day = dt.date.fromisoformat(str(date))
            except ValueError:
                raise BadRequest(f"date: cannot parse {date!r}, expected YYYY-MM-DD", field="date") from None
        lo, hi = self.service_dates()
        if not (lo <= day <= hi):
            raise BadRequest(f"date: {day.isoformat()} is outside the feed's service period "
                             f"{lo.isoformat()} .. {hi.isoformat()}", field="date")
        return day

    @staticmethod
    def parse_time(time: str) -> int:
        try:
            return parse_clock(str(time))
        except ValueError as exc:
            raise BadRequest(f"time: {exc}", field="time") from None

    def resolve(self, text: str, what: str) -> Place:
        tt = self.tt
        return parse_place(text, self.stop_lookup, tt.stop_lat, tt.stop_lon, tt.stop_name, what,
                           geocoder=self._best_place)

    # ----- the planner --------------------------------------------------------------------
    def plan(self, origin: str, destination: str, date: str, time: str, profile: str = "default",
             modes: list[str] | tuple[str, ...] = ("WALK", "TRANSIT"), max_transfers: int = 6,
             arrive_by: bool = False, num_itineraries: int = 5, strict: bool = False,
             realtime: bool = True, lang: str = "en") -> dict:
        """Plan a trip; returns the same JSON-ready dict as ``GET /v1/plan`` (``lang``: en, ro).

        ``realtime``: plan on the GTFS-RT overlay when the network has real-time sources."""
        from maas.planner.realtime_legs import finish_plan
        from maas.planner.trip import plan_trip
        net, snap = self.realtime_view(realtime)
        res = plan_trip(net, origin, destination, date, time, profile, modes, max_transfers,
                        arrive_by, num_itineraries, strict, lang)
        return finish_plan(self, res, date, snap, realtime, lang)

    # ----- places (geocoder) ---------------------------------------------------------------
    @property
    def places(self):
        """The geocoder index (:class:`maas.places.PlaceIndex`); a network folder built without
        one gets an in-memory index of its stops."""
        idx = self.__dict__.get("_places")
        if idx is None:
            from maas.places.build import fallback_index
            idx = self.__dict__["_places"] = fallback_index(self.tt)
        return idx

    @places.setter
    def places(self, idx) -> None:
        self.__dict__["_places"] = idx

    def _best_place(self, text: str):
        got = self.places.get(text)    # an id the geocoder gave out (e.g. "osm:w24042485")
        if got is not None:
            return got
        found = self.places.search(text, None, 1)
        return found[0] if found else None

    def geocode(self, text: str, near=None, limit: int = 10) -> dict:
        """Places matching ``text`` (best first); the same JSON as ``GET /v1/geocode``."""
        from maas.planner.places import check_limit, check_text, parse_near
        text = check_text(text, "text")
        near = parse_near(near, "near")
        limit = check_limit(limit, "limit")
        return {"results": [m.to_json() for m in self.places.search(text, near, limit)]}

    def reverse_geocode(self, lat: float, lon: float, limit: int = 5) -> dict:
        """The places nearest a point with ``distance_m``; the same JSON as ``GET /v1/reverse``."""
        from maas.planner.places import check_limit, parse_latlon
        ll = None
        try:
            ll = parse_latlon(f"{float(lat)},{float(lon)}", "lat")
        except (TypeError, ValueError):
            pass
        if ll is None:
            raise BadRequest("lat: lat and lon must be numbers", field="lat")
        limit = check_limit(limit, "limit")
        return {"results": [m.to_json() for m in self.places.reverse(ll[0], ll[1], limit)]}
