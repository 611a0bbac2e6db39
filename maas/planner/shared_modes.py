"""Bike share and car share for the planner: access/egress options, direct itineraries, messages.

Travel model (until a street network is loaded), all crow-fly distance x detour at mode speed:

* walk: the network's walking detour (1.3) at the profile's speed;
* bike: detour 1.25 at 4.5 m/s (16 km/h), plus 60 s to unlock and 60 s to dock;
* car: detour 1.35 at 8.3 m/s (30 km/h, urban with congestion), plus 120 s to pick up a shared
  car and 120 s to park and end the rental (180 s to park at a P+R lot, see ``park_ride``).

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
To keep a request cheap, only the ``PICK_K`` nearest usable stations/cars to the place are tried,
stops near stations and cars are precomputed once per snapshot (:class:`NearIndex`), options
that a direct walk to the same stop beats are dropped, and the legs of an option are built only
when an itinerary uses it (:class:`LazyOption`).
"""
from __future__ import annotations

import math

import numpy as np

from maas.planner.access import AccessOption, StreetLeg
from maas.planner.itinerary import street_itinerary
from maas.planner.messages import message
from maas.planner.pricing import velotm_price
from maas.router.distance import haversine

BIKE_SPEED = 4.5          # m/s
BIKE_DETOUR = 1.25
UNLOCK_S = 60
DOCK_S = 60
MAX_BIKE_RIDE_M = 10_000  # bike metres (after detour)
CAR_SPEED = 8.3           # m/s
CAR_DETOUR = 1.35
CAR_PICKUP_S = 120
CAR_PARK_S = 120          # park a shared car and end the rental
RANGE_RESERVE = 1.25      # a car's range must cover the drive x this
PICK_K = 3                # nearest stations / cars tried at a place
CAR_WALK_FACTOR = 1.5     # a walk to a shared car may be this much longer than the profile's access walk
STOP_WALK_M = 400         # walk metres between a station or car and the stops it serves
STOPS_PER_POINT = 4       # at most this many (nearest) stops per station or car
CAR_ACCESS_RADIUS_M = 2500   # crow-fly: stops a shared car may be driven to before transit
MAX_CAR_OPTIONS = 30      # car-share access/egress options kept per place (shortest first)
CAR_EGRESS_RADIUS_M = 3000   # crow-fly: a car taken after transit is at most this far from the destination
CAR_COMBO_MIN_SAVING_S = 300   # a car-share + transit itinerary must save this much time to be shown
LOT_WALK_M = 1000         # walk metres between a P+R lot and stops (the profile's limit applies too)
BIG = np.int64(1) << 40


class LazyOption(AccessOption):
    """An :class:`AccessOption` whose legs are built only when an itinerary uses it."""

    def __init__(self, stop: int, duration_s: int, kind: str, walk_m: float, make, args: tuple,
                 lot: dict | None = None):
        self.stop = stop
        self.duration_s = duration_s
        self.kind = kind
        self.lot = lot
        self.lot_id = lot["id"] if lot else None
        self._walk_m = walk_m
        self._make = make
        self._args = args
        self._legs = None

    @property
    def legs(self) -> list[StreetLeg]:
        if self._legs is None:
            self._legs = self._make(*self._args)
        return self._legs

    @property
    def walk_m(self) -> float:
        return self._walk_m


# ----------------------------------------------------------------------------- geometry

def hav(lat, lon, lats, lons) -> np.ndarray:
    return np.asarray(haversine(lat, lon, lats, lons), np.float64)


def ceil_s(x) -> np.ndarray:
    return np.ceil(np.asarray(x, np.float64) - 1e-9).astype(np.int64)


def nearest(mask: np.ndarray, dist: np.ndarray, k: int) -> np.ndarray:
    idx = np.flatnonzero(mask)
    if len(idx) > k:
        idx = idx[np.argsort(dist[idx], kind="stable")[:k]]
    return idx


def rows(csr: tuple, items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner position in ``items``, stop, walk metres) for the CSR rows of ``items``."""
    ptr, stops, metres = csr
    items = np.asarray(items, np.int64)
    starts = ptr[items]
    counts = ptr[items + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    owner = np.repeat(np.arange(len(items)), counts)
    idx = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
    return owner, stops[idx], metres[idx]


def walk_beats(near: "NearIndex", place, prof, stops: np.ndarray, dur: np.ndarray) -> np.ndarray:
    """True where walking straight between the place and the stop (within the profile's limit)
    is at least as fast as the option: such options are never worth a search."""
    direct = hav(place.lat, place.lon, near.stop_lat[stops], near.stop_lon[stops]) * near.walk_detour
    return (direct <= prof.max_access_m) & (ceil_s(direct / prof.walk_speed) <= dur)


def stop_ends(near: "NearIndex", csr: tuple, items: np.ndarray, walk_limit_m: float, base_s: np.ndarray,
              place, prof) -> tuple[np.ndarray, ...]:
    """The stop end of station/car options: for ``items`` (with durations ``base_s`` so far), the
    stops within ``walk_limit_m`` of each in ``csr``, walked at the profile's speed; the best
    option per stop, without those a direct walk from ``place`` beats. Returns (owner position in
    ``items``, stop, walk metres, walk seconds, total seconds), one entry per stop kept."""
    owner, stops, metres = rows(csr, items)
    sel = metres <= walk_limit_m
    owner, stops, metres = owner[sel], stops[sel], metres[sel]
    secs = ceil_s(metres / prof.walk_speed)
    dur = base_s[owner] + secs
    cand = np.flatnonzero(~walk_beats(near, place, prof, stops, dur))
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


class NearIndex:
    """Stops near each station, car and lot of a snapshot, for one network (cKDTree queries
    done once), plus the network's centre and stop coordinates as arrays."""

    def __init__(self, snap, net):
        tt = net.tt
        self.walk_detour = float(tt.meta["options"]["detour_factor"])
        self.stop_lat = np.asarray(tt.stop_lat, np.float64)
        self.stop_lon = np.asarray(tt.stop_lon, np.float64)
        n = len(self.stop_lat)
        self.centre = (float(np.median(self.stop_lat)), float(np.median(self.stop_lon))) if n else (0.0, 0.0)
        # stops served by two or more route patterns: where a shared car is worth parking
        self.stop_hub = np.diff(np.asarray(tt.stop_route_ptr)) >= 2
        self.st = self._csr(net, snap.st_lat, snap.st_lon, STOP_WALK_M, STOPS_PER_POINT)
        self.car = self._csr(net, snap.car_lat, snap.car_lon, STOP_WALK_M, STOPS_PER_POINT)
        self.lot = self._csr(net, snap.lot_lat, snap.lot_lon, LOT_WALK_M, 12)
        # hub stops within CAR_ACCESS_RADIUS_M of each car, with the drive metres to them
        ptr, stops, crow = self._csr(net, snap.car_lat, snap.car_lon, CAR_ACCESS_RADIUS_M * self.walk_detour, 10**9)
        keep = self.stop_hub[stops]
        owner = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
        counts = np.bincount(owner[keep], minlength=len(ptr) - 1)
        self.car_far = (np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), stops[keep],
                        crow[keep] / self.walk_detour * CAR_DETOUR)

    def _csr(self, net, lats, lons, walk_m, k) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ptr = [0]
        stops, metres = [], []
        for la, lo in zip(np.asarray(lats).tolist(), np.asarray(lons).tolist()):
            idx, d = net.stops_within(la, lo, walk_m / self.walk_detour)
            idx, d = idx[:k], d[:k]
            stops.append(np.asarray(idx, np.int64))
            metres.append(np.asarray(d, np.float64) * self.walk_detour)
            ptr.append(ptr[-1] + len(idx))
        cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
        return np.array(ptr, np.int64), cat(stops, np.int64), cat(metres, np.float64)

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


def _walk(a: tuple, b: tuple, metres: float, secs: int) -> StreetLeg:
    return StreetLeg("WALK", int(secs), float(metres), a[0], a[1], b[0], b[1], a[2], b[2], dict(a[3]), dict(b[3]))


def bike_price(snap, sys_i: int, secs: int, metres: float) -> float:
    plan = snap.bike_plan[sys_i]
    minutes = secs / 60
    return plan.cost(minutes, metres / 1000) if plan is not None else velotm_price(minutes)


def bike_legs(snap, net, start, rent: int, ret: int, end,
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
                     {"station_id": b.station_id}, price=bike_price(snap, sysi, int(ride[1]), float(ride[0])))
    return [_walk(start, sa, *w1), bike, _walk(sb, end, *w2)]


def car_legs(snap, net, start, car: int, end, w: tuple, drive: tuple) -> list[StreetLeg]:
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
                    currency=plan.currency if plan is not None and plan.currency else "RON")
    return [_walk(start, sc, *w), leg]


# ----------------------------------------------------------------------------- bike share

def bike_options(snap, near: NearIndex, net, place, prof, ok: np.ndarray, egress: bool) -> list[AccessOption]:
    """Bike-share access (place -> stop) or egress (stop -> place) options, best one per stop."""
    if prof.step_free or not len(snap.stations):
        return []
    wd, ws, lim = near.walk_detour, prof.walk_speed, prof.max_access_m
    d_place = hav(place.lat, place.lon, snap.st_lat, snap.st_lon) * wd
    valid = ok[snap.st_sys]
    near_mask = (snap.st_ret if egress else snap.st_rent) & valid & (d_place <= lim)
    far_mask = (snap.st_rent if egress else snap.st_ret) & valid
    P = nearest(near_mask, d_place, PICK_K)     # stations at the place (rental for access, return for egress)
    F = np.flatnonzero(far_mask)                # stations at the stop end
    if not len(P) or not len(F):
        return []
    ride_m = hav(snap.st_lat[P][:, None], snap.st_lon[P][:, None], snap.st_lat[F][None, :],
                 snap.st_lon[F][None, :]) * BIKE_DETOUR
    good = ((snap.st_sys[P][:, None] == snap.st_sys[F][None, :]) & (P[:, None] != F[None, :])
            & (ride_m <= MAX_BIKE_RIDE_M))
    ride_s = ceil_s(ride_m / BIKE_SPEED) + UNLOCK_S + DOCK_S
    walk_p_s = ceil_s(d_place[P] / ws)
    tot = np.where(good, walk_p_s[:, None] + ride_s, BIG)
    bi = np.argmin(tot, axis=0)
    cols = np.arange(len(F))
    best = tot[bi, cols]
    keep = best < BIG
    F, bi, best = F[keep], bi[keep], best[keep]
    r_m, r_s = ride_m[bi, cols[keep]], ride_s[bi, cols[keep]]
    owner, stops, metres, secs, dur = stop_ends(near, near.st, F, min(STOP_WALK_M, lim), best, place, prof)
    if not len(stops):
        return []
    pe = place_end(net, place)
    out: list[AccessOption] = []
    P_l, F_l, bi_l = P.tolist(), F.tolist(), bi.tolist()
    dpl, wps, rm, rs = d_place.tolist(), walk_p_s.tolist(), r_m.tolist(), r_s.tolist()
    for q, o, m, s, t in zip(stops.tolist(), owner.tolist(), metres.tolist(), secs.tolist(), dur.tolist()):
        p_i = bi_l[o]
        pst, fst = P_l[p_i], F_l[o]
        w_place = (dpl[pst], wps[p_i])
        if egress:   # stop -> rental station F -> return station P -> place
            args = (snap, net, q, fst, pst, pe, (m, s), (rm[o], rs[o]), w_place)
        else:        # place -> rental station P -> return station F -> stop
            args = (snap, net, pe, pst, fst, q, w_place, (rm[o], rs[o]), (m, s))
        out.append(LazyOption(q, t, "BIKE_SHARE", m + w_place[0], bike_legs, args))
    return out


def bike_direct(snap, near: NearIndex, net, o, d, prof, ok: np.ndarray, t_req: int, arrive_by: bool):
    """Walk, ride a shared bike, walk: the best pair of nearby stations, or None."""
    if prof.step_free or not len(snap.stations):
        return None
    wd, ws, lim = near.walk_detour, prof.walk_speed, prof.max_access_m
    valid = ok[snap.st_sys]
    da = hav(o.lat, o.lon, snap.st_lat, snap.st_lon) * wd
    db = hav(d.lat, d.lon, snap.st_lat, snap.st_lon) * wd
    A = nearest(snap.st_rent & valid & (da <= lim), da, PICK_K)
    B = nearest(snap.st_ret & valid & (db <= lim), db, PICK_K)
    if not len(A) or not len(B):
        return None
    ride_m = hav(snap.st_lat[A][:, None], snap.st_lon[A][:, None], snap.st_lat[B][None, :],
                 snap.st_lon[B][None, :]) * BIKE_DETOUR
    good = ((snap.st_sys[A][:, None] == snap.st_sys[B][None, :]) & (A[:, None] != B[None, :])
            & (ride_m <= MAX_BIKE_RIDE_M))
    ride_s = ceil_s(ride_m / BIKE_SPEED) + UNLOCK_S + DOCK_S
    wa, wb = ceil_s(da[A] / ws), ceil_s(db[B] / ws)
    tot = np.where(good, wa[:, None] + ride_s + wb[None, :], BIG)
    i, j = np.unravel_index(int(np.argmin(tot)), tot.shape)
    total = int(tot[i, j])
    if total >= BIG:
        return None
    walk_m = float(hav(o.lat, o.lon, d.lat, d.lon)) * wd
    if walk_m <= prof.max_direct_walk_m and math.ceil(walk_m / ws) <= total:
        return None   # walking all the way is as fast
    legs = bike_legs(snap, net, place_end(net, o), int(A[i]), int(B[j]), place_end(net, d),
                     (float(da[A[i]]), int(wa[i])), (float(ride_m[i, j]), int(ride_s[i, j])),
                     (float(db[B[j]]), int(wb[j])))
    return street_itinerary(legs, t_req - total if arrive_by else t_req)


# ----------------------------------------------------------------------------- car share

def car_options(snap, near: NearIndex, net, place, prof, ok: np.ndarray, egress: bool) -> list[AccessOption]:
    """Car-share access (walk to a car, drive to a stop) or egress (walk from a stop to a car,
    drive to the place) options, best one per stop."""
    if not len(snap.cars):
        return []
    wd, ws, lim = near.walk_detour, prof.walk_speed, prof.max_access_m
    car_lim = lim * CAR_WALK_FACTOR
    valid = snap.car_ok & ok[snap.car_sys]
    pe = place_end(net, place)
    out: list[AccessOption] = []
    if not egress:
        d_place = hav(place.lat, place.lon, snap.car_lat, snap.car_lon) * wd
        C = nearest(valid & (d_place <= car_lim), d_place, PICK_K)
        if not len(C):
            return []
        owner, stops, drive_m = rows(near.car_far, C)
        if not len(stops):
            return []
        walk_s = ceil_s(d_place[C] / ws)
        drive_s = ceil_s(drive_m / CAR_SPEED) + CAR_PICKUP_S + CAR_PARK_S
        dur = walk_s[owner] + drive_s
        useful = np.flatnonzero((drive_m * RANGE_RESERVE <= snap.car_range[C][owner])
                                & ~walk_beats(near, place, prof, stops, dur))
        pick = useful[best_per_stop(stops[useful], dur[useful])]
        pick = pick[np.argsort(dur[pick], kind="stable")[:MAX_CAR_OPTIONS]]
        C_l, dpl, ws_l = C.tolist(), d_place.tolist(), walk_s.tolist()
        for q, o, t, dm, ds in zip(stops[pick].tolist(), owner[pick].tolist(), dur[pick].tolist(),
                                   drive_m[pick].tolist(), drive_s[pick].tolist()):
            car = C_l[o]
            w = (dpl[car], ws_l[o])
            out.append(LazyOption(q, t, "CAR_SHARE", w[0], car_legs, (snap, net, pe, car, q, w, (dm, ds))))
        return out
    drive_m = hav(place.lat, place.lon, snap.car_lat, snap.car_lon) * CAR_DETOUR
    C = np.flatnonzero(valid & (drive_m <= CAR_EGRESS_RADIUS_M * CAR_DETOUR)
                       & (drive_m * RANGE_RESERVE <= snap.car_range))
    if not len(C):
        return []
    drive_s = ceil_s(drive_m[C] / CAR_SPEED) + CAR_PICKUP_S + CAR_PARK_S
    owner, stops, metres, secs, dur = stop_ends(near, near.car, C, min(STOP_WALK_M, car_lim), drive_s, place, prof)
    pick = np.argsort(dur, kind="stable")[:MAX_CAR_OPTIONS]
    C_l, dm_l, ds_l = C.tolist(), drive_m.tolist(), drive_s.tolist()
    for q, o, m, s, t in zip(stops[pick].tolist(), owner[pick].tolist(), metres[pick].tolist(),
                             secs[pick].tolist(), dur[pick].tolist()):
        car = C_l[o]
        out.append(LazyOption(q, t, "CAR_SHARE", m, car_legs, (snap, net, q, car, pe, (m, s), (dm_l[car], ds_l[o]))))
    return out


def car_direct(snap, near: NearIndex, net, o, d, prof, ok: np.ndarray, t_req: int, arrive_by: bool):
    """Walk to the best nearby shared car and drive to the destination, or None."""
    if not len(snap.cars):
        return None
    wd, ws, lim = near.walk_detour, prof.walk_speed, prof.max_access_m
    valid = snap.car_ok & ok[snap.car_sys]
    d_o = hav(o.lat, o.lon, snap.car_lat, snap.car_lon) * wd
    drive_m = hav(snap.car_lat, snap.car_lon, d.lat, d.lon) * CAR_DETOUR
    C = nearest(valid & (d_o <= lim * CAR_WALK_FACTOR) & (drive_m * RANGE_RESERVE <= snap.car_range), d_o, PICK_K)
    if not len(C):
        return None
    walk_s = ceil_s(d_o[C] / ws)
    drive_s = ceil_s(drive_m[C] / CAR_SPEED) + CAR_PICKUP_S + CAR_PARK_S
    tot = walk_s + drive_s
    i = int(np.argmin(tot))
    total = int(tot[i])
    walk_m = float(hav(o.lat, o.lon, d.lat, d.lon)) * wd
    if walk_m <= prof.max_direct_walk_m and math.ceil(walk_m / ws) <= total:
        return None
    car = int(C[i])
    legs = car_legs(snap, net, place_end(net, o), car, place_end(net, d), (float(d_o[car]), int(walk_s[i])),
                    (float(drive_m[car]), int(drive_s[i])))
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
    wd, lim = near.walk_detour, prof.max_access_m
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
            close = valid & (dc <= lim * CAR_WALK_FACTOR)
            if not (close & snap.car_ok).any():
                extra = (f"; the {int(close.sum())} car(s) there are reserved, disabled or out of range"
                         if close.any() else "")
                out.append(message("NO_CAR_AVAILABLE", f"No shared car available within {lim * CAR_WALK_FACTOR:.0f} m "
                                                  f"walk of the origin{extra}."))
    return out
