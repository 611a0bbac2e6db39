"""Bike share and car share for the planner: access/egress options, direct itineraries, messages.

Travel model (:mod:`maas.planner.travel`, every value in :data:`~maas.planner.settings.SETTINGS`):
on a network built with OSM, walks follow the streets with the profile's rules, bike rides the
bike graph (cycleways preferred, trunk roads avoided) and drives the car graph (one-way streets,
speed limits x town traffic factor, a wait per traffic light); crow-fly x detour at the mode's
speed where a point has no street. Unlocking and docking a bike cost 60 s each; picking up a
shared car 120 s and parking it 120 s (180 s at a P+R lot, see ``park_ride``).

Bike share: walk to a station that is installed, renting and has a bike, ride, dock at a station
of the same system that is returning with a free dock, walk on (to a stop or the destination).
Car share: walk to a car that is neither reserved nor disabled and whose range covers the drive
(with a 25 % reserve), drive, park at the destination or near a stop. Shared cars are sparse, so
the walk to one may be 1.5 x the profile's access walk. A car-share + transit combination is
searched and shown only when it saves at least 5 minutes over every itinerary without a shared
car (a rental costs far more than a ticket); direct car share is always offered when competitive.
Wheelchair and stroller profiles are not offered bike share. Free-floating bikes and scooters
(``free_bike_status`` / non-car vehicles) are listed by ``/v1/vehicles`` but not yet planned with.

Access options become RAPTOR sources with offsets and egress options targets (the MCR approach).
To keep a request cheap, only the ``pick_k`` nearest usable stations/cars to the place are tried;
per snapshot (:class:`NearIndex`, built off the request path) the walks between stations, cars,
lots and their stops (per walking profile), the drives from each car to hub stops and the bike
rides between stations are searched once; options that a direct walk to the same stop beats are
dropped, and the legs of an option are built only when an itinerary uses it (:class:`LazyOption`).
"""
from __future__ import annotations

import math

import numpy as np

from maas.planner.access import AccessOption, LazyOption, StreetLeg
from maas.planner.itinerary import street_itinerary
from maas.planner.messages import message
from maas.planner.pricing import velotm_price
from maas.planner.profiles import PROFILES
from maas.planner.settings import SETTINGS
from maas.planner.travel import From, bike_mode, car_mode, links_of, matrix, points_to_stops, walk_mode
from maas.router.distance import haversine

S = SETTINGS
RANGE_RESERVE = S.range_reserve
CAR_COMBO_MIN_SAVING_S = S.car_combo_min_saving_s
BIG = np.int64(1) << 40
MAX_PRESEARCHED_CARS = 150   # beyond, a request searches from its destination instead (memory)


# ----------------------------------------------------------------------------- geometry

def hav(lat, lon, lats, lons) -> np.ndarray:
    return np.asarray(haversine(lat, lon, lats, lons), np.float64)


def ceil_s(x) -> np.ndarray:
    """Whole seconds (up); unreachable (inf) becomes ``BIG``."""
    x = np.asarray(x, np.float64)
    return np.where(np.isfinite(x), np.ceil(np.where(np.isfinite(x), x, 0.0) - 1e-9), float(BIG)).astype(np.int64)


def nearest(mask: np.ndarray, dist: np.ndarray, k: int) -> np.ndarray:
    idx = np.flatnonzero(mask)
    if len(idx) > k:
        idx = idx[np.argsort(dist[idx], kind="stable")[:k]]
    return idx


def rows(csr: tuple, items) -> tuple[np.ndarray, ...]:
    """(owner position in ``items``, stop, metres, seconds) for the CSR rows of ``items``."""
    ptr, stops, metres, secs = csr
    items = np.asarray(items, np.int64)
    starts = ptr[items]
    counts = ptr[items + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    owner = np.repeat(np.arange(len(items)), counts)
    idx = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
    return owner, stops[idx], metres[idx], secs[idx]


def walk_beats(walk: From, prof, stops: np.ndarray, dur: np.ndarray, net) -> np.ndarray:
    """True where walking between the place and the stop (within the profile's limit) is at
    least as fast as the option: such options are never worth a search."""
    m, s, _ = walk.to(net.tt.stop_lat[stops], net.tt.stop_lon[stops],
                      net.streets.stop_links(prof.name, stops) if walk.on_streets else None)
    return (m <= prof.max_access_m) & (ceil_s(s) <= dur)


def stop_ends(near: "NearIndex", csr: tuple, items: np.ndarray, walk_limit_m: float, base_s: np.ndarray,
              walk: From, prof, net) -> tuple[np.ndarray, ...]:
    """The stop end of station/car options: for ``items`` (with durations ``base_s`` so far), the
    stops within ``walk_limit_m`` of each in ``csr`` (walk metres and seconds of the profile);
    the best option per stop, without those a direct walk from the place beats. Returns (owner
    position in ``items``, stop, walk metres, walk seconds, total seconds), one per stop kept."""
    owner, stops, metres, secs = rows(csr, items)
    sel = metres <= walk_limit_m
    owner, stops, metres, secs = owner[sel], stops[sel], metres[sel], ceil_s(secs[sel])
    dur = base_s[owner] + secs
    cand = np.flatnonzero(~walk_beats(walk, prof, stops, dur, net))
    pick = cand[best_per_stop(stops[cand], dur[cand])]
    return owner[pick], stops[pick], metres[pick], secs[pick], dur[pick]


def best_per_stop(stop: np.ndarray, dur: np.ndarray) -> np.ndarray:
    """Indices of the shortest option for each distinct stop."""
    if not len(stop):
        return np.zeros(0, np.int64)
    order = np.lexsort((dur, stop))
    s = stop[order]
    first = np.ones(len(s), np.bool_)
    first[1:] = s[1:] != s[:-1]
    return order[first]


_BIKE_MATRICES: dict[tuple, tuple] = {}   # station coordinates -> (metres, seconds): stations rarely move


class NearIndex:
    """Per snapshot and network, searched once: the walks between each station, car and lot and
    their stops (per walking profile), the drives from each car to hub stops, the bike rides
    between stations, and the network's centre."""

    def __init__(self, snap, net):
        tt = net.tt
        self.net = net
        self.stop_lat = np.asarray(tt.stop_lat, np.float64)
        self.stop_lon = np.asarray(tt.stop_lon, np.float64)
        n = len(self.stop_lat)
        self.centre = (float(np.median(self.stop_lat)), float(np.median(self.stop_lon))) if n else (0.0, 0.0)
        # stops served by two or more route patterns: where a shared car is worth parking
        self.stop_hub = np.diff(np.asarray(tt.stop_route_ptr)) >= 2
        self._snap = snap
        self._walks: dict[tuple, tuple] = {}
        self._links: dict[tuple, object] = {}
        self.drive_cache: dict = {}   # origin -> drives to the lots (park_ride), shared by a request's steps
        for name in PROFILES:
            for kind in ("st", "car", "lot"):
                self.walks(kind, name)
        self.car_far = points_to_stops(net, car_mode(), snap.car_lat, snap.car_lon,
                                       S.car_access_radius_m * S.car_detour, 10**9, only=self.stop_hub)
        # keyed by what the matrix depends on (an id() could be reused by a later network)
        key = (net.tt.meta.get("build_digest") or net.tt.meta.get("digest"), np.asarray(snap.st_lat).tobytes(),
               np.asarray(snap.st_lon).tobytes())
        hit = _BIKE_MATRICES.get(key)
        if hit is None:
            if len(_BIKE_MATRICES) > 16:
                _BIKE_MATRICES.clear()
            hit = _BIKE_MATRICES[key] = matrix(net, bike_mode(), snap.st_lat, snap.st_lon, S.max_bike_ride_m)
        self.ride_m, self.ride_s = hit
        # one car search per lot (toward it) and per shared car (from it), off the request path:
        # a request then prices its own point against them instead of searching the city again
        self.lot_drives = [From(net, car_mode(), lot.lat, lot.lon, S.max_pr_drive_m, reverse=True,
                                radius_m=S.link_radius_stop_m) for lot in snap.lots]
        self.car_drives = ([From(net, car_mode(), v.lat, v.lon, S.max_pr_drive_m, radius_m=S.link_radius_stop_m)
                            for v in snap.cars] if len(snap.cars) <= MAX_PRESEARCHED_CARS else None)

    def drives_from_cars(self, cars: np.ndarray, lat: float, lon: float):
        """(metres, seconds, path makers) of driving each of ``cars`` to a point (None without
        the per-car searches)."""
        if self.car_drives is None:
            return None
        lk = self.net.streets.link("car", [lat], [lon], S.link_radius_place_m) if self.net.streets else None
        m = np.full(len(cars), np.inf)
        t = np.full(len(cars), np.inf)
        paths = []
        for i, c in enumerate(np.asarray(cars).tolist()):
            f = self.car_drives[c]
            mm, tt, _ = f.to([lat], [lon], lk)
            m[i], t[i] = mm[0], tt[0]
            paths.append(f.path_fn(lat, lon, lk, 0) if lk is not None and f.on_streets else None)
        return m, t, paths

    def walks(self, kind: str, profile_name: str) -> tuple:
        """CSR (ptr, stops, metres, seconds) of the walks between the snapshot's stations
        (``st``), cars or lots and their stops for a profile (both ways: walking is symmetric
        enough at this scale, and the limit is a few hundred metres)."""
        k = (kind, profile_name)
        hit = self._walks.get(k)
        if hit is None:
            snap = self._snap
            lat, lon = {"st": (snap.st_lat, snap.st_lon), "car": (snap.car_lat, snap.car_lon),
                        "lot": (snap.lot_lat, snap.lot_lon)}[kind]
            limit, k_max = (S.lot_walk_m, 12) if kind == "lot" else (S.station_walk_m, S.stops_per_point)
            hit = self._walks[k] = points_to_stops(self.net, walk_mode(PROFILES[profile_name]), lat, lon, limit, k_max)
        return hit

    def links(self, kind: str, key: str):
        """Links of the snapshot's stations (``st``), cars or lots for a mode key (cached)."""
        k = (kind, key)
        if k not in self._links:
            snap = self._snap
            lat, lon = {"st": (snap.st_lat, snap.st_lon), "car": (snap.car_lat, snap.car_lon),
                        "lot": (snap.lot_lat, snap.lot_lon)}[kind]
            self._links[k] = links_of(self.net, key, lat, lon)
        return self._links[k]

    def centre_m(self, lat: float, lon: float) -> float:
        return float(haversine(self.centre[0], self.centre[1], lat, lon))


# ----------------------------------------------------------------------------- legs

def place_end(net, place) -> tuple:
    """(lat, lon, name, extra) of a request place."""
    extra = {"stop_id": net.stop_ids[place.stop]} if place.stop is not None else {}
    return (place.lat, place.lon, place.name, extra)


def stop_end(net, q: int) -> tuple:
    return (net.stop_lats[q], net.stop_lons[q], net.stop_names[q], {"stop_id": net.stop_ids[q]})


def end_of(net, e) -> tuple:
    """An end given as a stop index (built lazily) or as a ready (lat, lon, name, extra) tuple."""
    return stop_end(net, e) if isinstance(e, int) else e


def street_path_fn(net, key: str, a: tuple, b: tuple, max_m: float, speed: float):
    """() -> StreetPath | None between two ends by ``key`` (a walking profile, bike or car): the
    path of a leg whose time the searches already gave, rebuilt only when the leg is shown."""
    router = net.streets
    if router is None:
        return None

    def search():
        lk = router.link(key, [b[0]], [b[1]], S.link_radius_place_m)
        r = router.reach(key, a[0], a[1], max_m * 1.001 + 1, speed=speed, radius_m=S.link_radius_place_m,
                         stop_at=lk)
        if r is None:
            return None
        return r.path(lk, 0, (b[0], b[1]))
    return lambda: router.remembered(("leg", key, a[0], a[1], b[0], b[1], round(max_m)), search)


def _path_at(walk: From, point, links, j: int):
    """The request walk's own path to (or from) a station or car: no new search."""
    return walk.path_fn(point.lat, point.lon, links, j) if links is not None and walk.on_streets else None


def walk_leg(net, prof, a: tuple, b: tuple, metres: float, secs: int, path_fn=None) -> StreetLeg:
    return StreetLeg("WALK", int(secs), float(metres), a[0], a[1], b[0], b[1], a[2], b[2], dict(a[3]), dict(b[3]),
                     path_fn=path_fn or street_path_fn(net, prof.name, a, b, metres, prof.walk_speed),
                     router=net.streets)


def bike_price(snap, sys_i: int, secs: int, metres: float) -> float:
    plan = snap.bike_plan[sys_i]
    minutes = secs / 60
    return plan.cost(minutes, metres / 1000) if plan is not None else velotm_price(minutes)


def bike_legs(snap, net, prof, start, rent: int, ret: int, end,
              w1: tuple, ride: tuple, w2: tuple) -> list[StreetLeg]:
    """Walk start -> rental station, ride -> return station, walk -> end. w/ride = (metres, secs);
    start/end are stop indices or (lat, lon, name, extra)."""
    start, end = end_of(net, start), end_of(net, end)
    a, b = snap.stations[rent], snap.stations[ret]
    sa = (a.lat, a.lon, a.name, {"station_id": a.station_id})
    sb = (b.lat, b.lon, b.name, {"station_id": b.station_id})
    sysi = int(snap.st_sys[rent])
    bike = StreetLeg("BIKE_SHARE", int(ride[1]), float(ride[0]), a.lat, a.lon, b.lat, b.lon, a.name, b.name,
                     {"station_id": a.station_id, "system_id": snap.gbfs[sysi].system.system_id},
                     {"station_id": b.station_id}, price=bike_price(snap, sysi, int(ride[1]), float(ride[0])),
                     path_fn=street_path_fn(net, "bike", sa, sb, float(ride[0]), S.bike_speed), router=net.streets)
    return [walk_leg(net, prof, start, sa, *w1), bike, walk_leg(net, prof, sb, end, *w2)]


def car_legs(snap, net, prof, start, car: int, end, w: tuple, drive: tuple, drive_path=None) -> list[StreetLeg]:
    """Walk start -> shared car, drive -> end (pick-up and parking included in the car leg)."""
    start, end = end_of(net, start), end_of(net, end)
    v = snap.cars[car]
    sysm = snap.gbfs[int(snap.car_sys[car])].system
    name = f"{sysm.name or sysm.system_id} {v.vehicle_id}"
    sc = (v.lat, v.lon, name, {"vehicle_id": v.vehicle_id})
    plan = snap.car_plan[car]
    metres, secs = float(drive[0]), int(drive[1])
    price = plan.cost(secs / 60, metres / 1000) if plan is not None else 0.0
    leg = StreetLeg("CAR_SHARE", secs, metres, v.lat, v.lon, end[0], end[1], name, end[2],
                    {"vehicle_id": v.vehicle_id, "system_id": sysm.system_id}, dict(end[3]), price=price,
                    currency=plan.currency if plan is not None and plan.currency else "RON",
                    path_fn=drive_path or street_path_fn(net, "car", sc, end, metres, S.car_speed),
                    router=net.streets)
    return [walk_leg(net, prof, start, sc, *w), leg]


# ----------------------------------------------------------------------------- bike share

def bike_options(snap, near: NearIndex, net, place, prof, ok: np.ndarray, egress: bool,
                 walk: From | None = None) -> list[AccessOption]:
    """Bike-share access (place -> stop) or egress (stop -> place) options, best one per stop."""
    if prof.step_free or not len(snap.stations):
        return []
    lim = prof.max_access_m
    walk = walk or From(net, walk_mode(prof), place.lat, place.lon, lim, reverse=egress)
    st_links = near.links("st", prof.name)
    d_place, s_place, _ = walk.to(snap.st_lat, snap.st_lon, st_links)
    valid = ok[snap.st_sys]
    near_mask = (snap.st_ret if egress else snap.st_rent) & valid & (d_place <= lim)
    far_mask = (snap.st_rent if egress else snap.st_ret) & valid
    P = nearest(near_mask, s_place, S.pick_k)     # stations at the place (rental for access, return for egress)
    F = np.flatnonzero(far_mask)                  # stations at the stop end
    if not len(P) or not len(F):
        return []
    # access rides P -> F; egress rides F -> P
    ride_m = near.ride_m[np.ix_(F, P)].T if egress else near.ride_m[np.ix_(P, F)]
    ride_t = near.ride_s[np.ix_(F, P)].T if egress else near.ride_s[np.ix_(P, F)]
    good = ((snap.st_sys[P][:, None] == snap.st_sys[F][None, :]) & (P[:, None] != F[None, :])
            & (ride_m <= S.max_bike_ride_m))
    ride_s = np.where(good, ceil_s(np.where(good, ride_t, 0)) + S.unlock_s + S.dock_s, BIG)
    walk_p_s = ceil_s(s_place[P])
    tot = np.where(good, walk_p_s[:, None] + ride_s, BIG)
    bi = np.argmin(tot, axis=0)
    cols = np.arange(len(F))
    best = tot[bi, cols]
    keep = best < BIG
    F, bi, best = F[keep], bi[keep], best[keep]
    r_m, r_s = ride_m[bi, cols[keep]], ride_s[bi, cols[keep]]
    owner, stops, metres, secs, dur = stop_ends(near, near.walks("st", prof.name), F, min(S.station_walk_m, lim),
                                                best, walk, prof, net)
    if not len(stops):
        return []
    pe = place_end(net, place)
    out: list[AccessOption] = []
    P_l, F_l, bi_l = P.tolist(), F.tolist(), bi.tolist()
    dpl, wps, rm, rs = d_place.tolist(), walk_p_s.tolist(), r_m.tolist(), r_s.tolist()
    w_places = [(dpl[p], wps[i], _path_at(walk, snap.stations[p], st_links, p)) for i, p in enumerate(P_l)]
    for q, o, m, s_, t in zip(stops.tolist(), owner.tolist(), metres.tolist(), secs.tolist(), dur.tolist()):
        p_i = bi_l[o]
        pst, fst = P_l[p_i], F_l[o]
        w_place = w_places[p_i]
        if egress:   # stop -> rental station F -> return station P -> place
            args = (snap, net, prof, q, fst, pst, pe, (m, s_), (rm[o], rs[o]), w_place)
        else:        # place -> rental station P -> return station F -> stop
            args = (snap, net, prof, pe, pst, fst, q, w_place, (rm[o], rs[o]), (m, s_))
        out.append(LazyOption(q, t, "BIKE_SHARE", m + w_place[0], bike_legs, args))
    return out


def bike_direct(snap, near: NearIndex, net, o, d, prof, ok: np.ndarray, t_req: int, arrive_by: bool,
                walk_o: From | None = None, walk_d: From | None = None):
    """Walk, ride a shared bike, walk: the best pair of nearby stations, or None."""
    if prof.step_free or not len(snap.stations):
        return None
    lim = prof.max_access_m
    walk_o = walk_o or From(net, walk_mode(prof), o.lat, o.lon, lim)
    walk_d = walk_d or From(net, walk_mode(prof), d.lat, d.lon, lim, reverse=True)
    valid = ok[snap.st_sys]
    st_links = near.links("st", prof.name)
    da, ta, _ = walk_o.to(snap.st_lat, snap.st_lon, st_links)
    db, tb, _ = walk_d.to(snap.st_lat, snap.st_lon, st_links)
    A = nearest(snap.st_rent & valid & (da <= lim), ta, S.pick_k)
    B = nearest(snap.st_ret & valid & (db <= lim), tb, S.pick_k)
    if not len(A) or not len(B):
        return None
    ride_m = near.ride_m[np.ix_(A, B)]
    good = ((snap.st_sys[A][:, None] == snap.st_sys[B][None, :]) & (A[:, None] != B[None, :])
            & (ride_m <= S.max_bike_ride_m))
    ride_s = np.where(good, ceil_s(np.where(good, near.ride_s[np.ix_(A, B)], 0)) + S.unlock_s + S.dock_s, BIG)
    wa, wb = ceil_s(ta[A]), ceil_s(tb[B])
    tot = np.where(good, wa[:, None] + ride_s + wb[None, :], BIG)
    i, j = np.unravel_index(int(np.argmin(tot)), tot.shape)
    total = int(tot[i, j])
    if total >= BIG:
        return None
    wm, ws_, _ = walk_o.to([d.lat], [d.lon])
    if wm[0] <= prof.max_direct_walk_m and math.ceil(ws_[0]) <= total:
        return None   # walking all the way is as fast
    legs = bike_legs(snap, net, prof, place_end(net, o), int(A[i]), int(B[j]), place_end(net, d),
                     (float(da[A[i]]), int(wa[i]), _path_at(walk_o, snap.stations[int(A[i])], st_links, int(A[i]))),
                     (float(ride_m[i, j]), int(ride_s[i, j])),
                     (float(db[B[j]]), int(wb[j]), _path_at(walk_d, snap.stations[int(B[j])], st_links, int(B[j]))))
    return street_itinerary(legs, t_req - total if arrive_by else t_req)


# ----------------------------------------------------------------------------- car share

def car_options(snap, near: NearIndex, net, place, prof, ok: np.ndarray, egress: bool,
                walk: From | None = None) -> list[AccessOption]:
    """Car-share access (walk to a car, drive to a stop) or egress (walk from a stop to a car,
    drive to the place) options, best one per stop."""
    if not len(snap.cars):
        return []
    lim = prof.max_access_m
    car_lim = lim * S.car_walk_factor
    valid = snap.car_ok & ok[snap.car_sys]
    pe = place_end(net, place)
    out: list[AccessOption] = []
    fixed = S.car_pickup_s + S.car_park_s
    if not egress:
        walk = walk or From(net, walk_mode(prof), place.lat, place.lon, car_lim)
        car_walk_links = near.links("car", prof.name)
        d_place, t_place, _ = walk.to(snap.car_lat, snap.car_lon, car_walk_links)
        C = nearest(valid & (d_place <= car_lim), t_place, S.pick_k)
        if not len(C):
            return []
        owner, stops, drive_m, drive_t = rows(near.car_far, C)
        if not len(stops):
            return []
        walk_s = ceil_s(t_place[C])
        drive_s = ceil_s(drive_t) + fixed
        dur = walk_s[owner] + drive_s
        useful = np.flatnonzero((drive_m * S.range_reserve <= snap.car_range[C][owner])
                                & ~walk_beats(walk, prof, stops, dur, net))
        pick = useful[best_per_stop(stops[useful], dur[useful])]
        pick = pick[np.argsort(dur[pick], kind="stable")[:S.max_car_options]]
        C_l, dpl, ws_l = C.tolist(), d_place.tolist(), walk_s.tolist()
        for q, o, t, dm, ds in zip(stops[pick].tolist(), owner[pick].tolist(), dur[pick].tolist(),
                                   drive_m[pick].tolist(), drive_s[pick].tolist()):
            car = C_l[o]
            w = (dpl[car], ws_l[o], _path_at(walk, snap.cars[car], car_walk_links, car))
            out.append(LazyOption(q, t, "CAR_SHARE", w[0], car_legs, (snap, net, prof, pe, car, q, w, (dm, ds))))
        return out
    crow = hav(place.lat, place.lon, snap.car_lat, snap.car_lon)
    near_cars = valid & (crow <= S.car_egress_radius_m)
    if not near_cars.any():
        return []
    drive_m = np.full(len(snap.cars), np.inf)
    drive_t = np.full(len(snap.cars), np.inf)
    idx_near = np.flatnonzero(near_cars)
    pre = near.drives_from_cars(idx_near, place.lat, place.lon)
    drive_paths: dict[int, object] = {}
    if pre is not None:
        drive_m[idx_near], drive_t[idx_near] = pre[0], pre[1]
        drive_paths = dict(zip(idx_near.tolist(), pre[2]))
    else:
        car_links = near.links("car", "car")
        sub = None if car_links is None else type(car_links)(*(x[near_cars] for x in car_links))
        drive = From(net, car_mode(), place.lat, place.lon, S.car_egress_radius_m * S.car_detour * 1.5,
                     reverse=True, stop_at=sub)
        drive_m[idx_near], drive_t[idx_near], _ = drive.to(snap.car_lat[idx_near], snap.car_lon[idx_near], sub)
    C = np.flatnonzero(near_cars & (drive_m * S.range_reserve <= snap.car_range))
    if not len(C):
        return []
    drive_s = ceil_s(drive_t[C]) + fixed
    walk = walk or From(net, walk_mode(prof), place.lat, place.lon, lim, reverse=True)
    owner, stops, metres, secs, dur = stop_ends(near, near.walks("car", prof.name), C,
                                                min(S.station_walk_m, car_lim), drive_s, walk, prof, net)
    pick = np.argsort(dur, kind="stable")[:S.max_car_options]
    C_l, dm_l, ds_l = C.tolist(), drive_m.tolist(), drive_s.tolist()
    for q, o, m, s_, t in zip(stops[pick].tolist(), owner[pick].tolist(), metres[pick].tolist(),
                              secs[pick].tolist(), dur[pick].tolist()):
        car = C_l[o]
        out.append(LazyOption(q, t, "CAR_SHARE", m, car_legs,
                              (snap, net, prof, q, car, pe, (m, s_), (dm_l[car], ds_l[o]), drive_paths.get(car))))
    return out


def car_direct(snap, near: NearIndex, net, o, d, prof, ok: np.ndarray, t_req: int, arrive_by: bool,
               walk_o: From | None = None):
    """Walk to the best nearby shared car and drive to the destination, or None."""
    if not len(snap.cars):
        return None
    lim = prof.max_access_m
    valid = snap.car_ok & ok[snap.car_sys]
    walk_o = walk_o or From(net, walk_mode(prof), o.lat, o.lon, lim * S.car_walk_factor)
    d_o, t_o, _ = walk_o.to(snap.car_lat, snap.car_lon, near.links("car", prof.name))
    C = nearest(valid & (d_o <= lim * S.car_walk_factor), t_o, S.pick_k)
    if not len(C):
        return None
    pre = near.drives_from_cars(C, d.lat, d.lon)
    if pre is not None:
        dm_c, dt_c, pre_paths = pre
    else:   # one search backward from the destination, ended once the candidate cars are reached
        car_links = near.links("car", "car")
        sub = None if car_links is None else type(car_links)(*(x[C] for x in car_links))
        reach_m = min(float(np.max(snap.car_range[C])) / S.range_reserve, 200_000.0)
        drive = From(net, car_mode(), d.lat, d.lon, reach_m, reverse=True, stop_at=sub)
        dm_c, dt_c, _ = drive.to(snap.car_lat[C], snap.car_lon[C], sub)
        pre_paths = [drive.path_fn(snap.cars[c].lat, snap.cars[c].lon, sub, j) if sub is not None else None
                     for j, c in enumerate(C.tolist())]
    keep = dm_c * S.range_reserve <= snap.car_range[C]
    if not keep.any():
        return None
    pre_paths = [p for p, k in zip(pre_paths, keep.tolist()) if k]
    C, dm_c, dt_c = C[keep], dm_c[keep], dt_c[keep]
    walk_s = ceil_s(t_o[C])
    drive_s = ceil_s(dt_c) + S.car_pickup_s + S.car_park_s
    tot = walk_s + drive_s
    i = int(np.argmin(tot))
    total = int(tot[i])
    wm, wt, _ = walk_o.to([d.lat], [d.lon])
    if wm[0] <= prof.max_direct_walk_m and math.ceil(wt[0]) <= total:
        return None
    car = int(C[i])
    v = snap.cars[car]
    drive_path = pre_paths[i]
    w_o = (float(d_o[car]), int(walk_s[i]), _path_at(walk_o, v, near.links("car", prof.name), car))
    legs = car_legs(snap, net, prof, place_end(net, o), car, place_end(net, d), w_o,
                    (float(dm_c[i]), int(drive_s[i])), drive_path)
    return street_itinerary(legs, t_req - total if arrive_by else t_req)


# ----------------------------------------------------------------------------- search groups and messages

def search_groups(access: list[AccessOption], egress: list[AccessOption], n: int, found: list | None = None):
    """Split access/egress options into RAPTOR searches, yielding (access, egress, itineraries wanted).

    RAPTOR keeps one label per stop and round, so a faster option hides a cheaper one. Walking
    and bike share (both within one transit fare) share the main search; a shared car (a costly
    rental) gets a search of its own at each end, forced to use it, and so does each P+R lot, so
    that ``park_and_ride`` can list several lots. ``found`` is the caller's list of itineraries
    so far: a car-share search is skipped when even its access + egress time cannot beat the
    best of them by ``CAR_COMBO_MIN_SAVING_S`` (such a result would be dropped anyway).
    """
    acc: dict[str, list] = {}
    egr: dict[str, list] = {}
    for a in access:
        lst = acc.get(a.kind)
        if lst is None:
            lst = acc[a.kind] = []
        lst.append(a)
    for e in egress:
        lst = egr.get(e.kind)
        if lst is None:
            lst = egr[e.kind] = []
        lst.append(e)
    main = ("WALK", "BIKE_SHARE")
    base_a = acc.get("WALK", []) + acc.get("BIKE_SHARE", [])
    base_e = egr.get("WALK", []) + egr.get("BIKE_SHARE", [])
    # kinds this module does not know ride along in the main search
    extra_a = [a for k, v in acc.items() if k not in main + ("CAR_SHARE", "PARK_RIDE") for a in v]
    extra_e = [e for k, v in egr.items() if k not in main + ("CAR_SHARE",) for e in v]
    if base_a and base_e:
        yield base_a + extra_a, base_e + extra_e, n
    best = min((i.arrival - i.departure for i in found or () if "CAR_SHARE" not in i.kinds), default=None)

    def worth(a_opts: list, e_opts: list) -> bool:
        bound = min(a.duration_s for a in a_opts) + min(e.duration_s for e in e_opts)
        return best is None or bound <= best - CAR_COMBO_MIN_SAVING_S

    if acc.get("CAR_SHARE") and base_e and worth(acc["CAR_SHARE"], base_e):
        yield acc["CAR_SHARE"], base_e, 1
    if egr.get("CAR_SHARE") and base_a and worth(base_a, egr["CAR_SHARE"]):
        yield base_a, egr["CAR_SHARE"], 1
    if acc.get("PARK_RIDE") and base_e:
        lots: dict[str, list] = {}
        for a in acc["PARK_RIDE"]:
            lots.setdefault(a.lot_id or "", []).append(a)
        for opts in lots.values():
            yield opts, base_e, 1


def drop_slow_car_combos(itineraries: list) -> list:
    """Keep a car-share + transit itinerary only when it is at least ``CAR_COMBO_MIN_SAVING_S``
    shorter than every itinerary without a shared car (a rental costs much more than a ticket)."""
    def combo(i) -> bool:
        return "CAR_SHARE" in i.kinds and "TRANSIT" in i.kinds

    others = [i.arrival - i.departure for i in itineraries if "CAR_SHARE" not in i.kinds]
    if not others:
        return list(itineraries)
    best = min(others)
    return [i for i in itineraries if not combo(i) or i.arrival - i.departure <= best - CAR_COMBO_MIN_SAVING_S]


def explain(snap, near: NearIndex, net, o, d, prof, modes, ok: np.ndarray, itineraries) -> list[dict]:
    """Why a requested shared mode appears in no itinerary, when the cause is availability."""
    used: set = set()
    for it in itineraries:
        used |= set(it.kinds)
    out = []
    wd, lim = S.walk_detour, prof.max_access_m
    if "BIKE_SHARE" in modes and "BIKE_SHARE" not in used:
        if prof.step_free:
            out.append(message("BIKE_SHARE_NOT_SUITABLE", f"Bike sharing is not offered to the {prof.name} profile."))
        else:
            valid = ok[snap.st_sys] if len(snap.stations) else np.zeros(0, np.bool_)
            if not valid.any():
                out.append(message("NO_BIKE_AVAILABLE", "No bike-sharing data is available right now."))
            else:
                da = hav(o.lat, o.lon, snap.st_lat, snap.st_lon) * wd
                close = valid & (da <= lim)
                db = hav(d.lat, d.lon, snap.st_lat, snap.st_lon) * wd
                close_d = valid & (db <= lim)
                if not close.any():
                    out.append(message("NO_BIKE_AVAILABLE", f"No bike-share station within {lim:.0f} m walk of the origin."))
                elif not (close & snap.st_rent).any():
                    out.append(message("NO_BIKE_AVAILABLE", f"No bike available: all {int(close.sum())} bike-share "
                                                       f"station(s) within {lim:.0f} m of the origin are empty or "
                                                       "not renting."))
                elif not close_d.any():
                    out.append(message("NO_DOCK_AVAILABLE", f"No bike-share station within {lim:.0f} m walk of the "
                                                       "destination to return a bike."))
                elif not (close_d & snap.st_ret).any():
                    out.append(message("NO_DOCK_AVAILABLE", f"No free dock: the {int(close_d.sum())} bike-share "
                                                       f"station(s) within {lim:.0f} m of the destination are full "
                                                       "or not accepting returns."))
    if "CAR_SHARE" in modes and "CAR_SHARE" not in used:
        valid = ok[snap.car_sys] if len(snap.cars) else np.zeros(0, np.bool_)
        if not valid.any():
            out.append(message("NO_CAR_AVAILABLE", "No car-sharing data is available right now."))
        else:
            dc = hav(o.lat, o.lon, snap.car_lat, snap.car_lon) * wd
            close = valid & (dc <= lim * S.car_walk_factor)
            if not (close & snap.car_ok).any():
                extra = (f"; the {int(close.sum())} car(s) there are reserved, disabled or out of range"
                         if close.any() else "")
                out.append(message("NO_CAR_AVAILABLE", f"No shared car available within {lim * S.car_walk_factor:.0f} m "
                                                  f"walk of the origin{extra}."))
    return out
