"""Access and egress options: ways to reach the first stop from the origin and to leave the last.

Each option becomes one RAPTOR source (stop, offset) or target (stop, offset), which is how
MCR folds other modes into RAPTOR. The legs of an option are kept for itinerary assembly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class StreetLeg:
    """A non-transit leg between two points (walk, bike share, car share, own car)."""

    mode: str                    # WALK, BIKE_SHARE, CAR_SHARE, CAR
    duration_s: int
    distance_m: float
    from_lat: float
    from_lon: float
    to_lat: float
    to_lon: float
    from_name: str = ""
    to_name: str = ""
    from_extra: dict = field(default_factory=dict)   # e.g. {"station_id": ...}, {"vehicle_id": ...}
    to_extra: dict = field(default_factory=dict)     # e.g. {"lot_id": ...}
    wait_after_s: int = 0        # e.g. time to park at a P+R lot or dock a bike
    price: float = 0.0
    currency: str = "RON"
    path_fn: object = None       # () -> StreetPath | None: the street path, built only when shown
    router: object = None        # the StreetRouter that describes the path (steps, notes)

    def path(self):
        """The street path (None: crow-fly), built on first use; a leg shown in several
        itineraries builds it once."""
        if self.path_fn is None:
            return None
        memo = self.__dict__.get("_path", self)
        if memo is self:
            memo = self.__dict__["_path"] = self.path_fn()
        return memo


@dataclass
class AccessOption:
    """Reaching ``stop`` (access) or the destination from ``stop`` (egress) in ``duration_s``."""

    stop: int
    duration_s: int
    legs: list[StreetLeg]
    kind: str = "WALK"           # WALK, BIKE_SHARE, CAR_SHARE, PARK_RIDE
    lot_id: str | None = None    # set for park & ride access

    @property
    def walk_m(self) -> float:
        return sum(l.distance_m for l in self.legs if l.mode == "WALK")


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


def walk_options(net, lat: float, lon: float, profile, stop: int | None, *, egress: bool,
                 max_m: float | None = None, walk=None) -> list[AccessOption]:
    """Walking access (or egress) between a place and nearby stops.

    From a stop (or each stop of a station) the options are the stop itself and its footpath
    neighbours (the same table the router uses); from coordinates, the stops within the
    profile's walking limit by a street search (``walk``: one the request already made), and
    crow-fly x detour for stops no street reaches or where the place has no street.
    """
    opts: list[AccessOption] = []
    if stop is not None:
        # a geocoded station is all its stops: ``stop`` may be a tuple (Place.stops), each a
        # RAPTOR source/target with its footpath neighbours
        ptr, to, metres, dur = net.footpaths_for(profile, reverse=egress)
        for stop in (stop if isinstance(stop, tuple) else (stop,)):
            opts.append(AccessOption(stop, 0, [], "WALK"))
            a, b = int(ptr[stop]), int(ptr[stop + 1])
            for q, m, secs in zip(to[a:b].tolist(), metres[a:b].tolist(), dur[a:b].tolist()):
                leg = (stop_walk_leg(net, profile, q, stop, m, secs) if egress
                       else stop_walk_leg(net, profile, stop, q, m, secs))
                opts.append(AccessOption(q, secs, [leg], "WALK"))
        return opts
    limit = profile.max_access_m if max_m is None else max_m
    detour = net.tt.meta["options"]["detour_factor"]
    router = net.streets
    if walk is not None:      # a search of the request already made (``travel.From``), at least as far
        reach = walk.reach
    else:
        reach = router.reach(profile.name, lat, lon, limit, reverse=egress) if router is not None else None
    # a street walk is never shorter than crow-fly: stops within the limit crow-fly are all candidates
    idx, crow = net.stops_within(lat, lon, limit if reach is not None else limit / detour)
    street_ok = np.zeros(len(idx), bool)
    sub = None
    metres = crow * detour
    secs_f = metres / profile.walk_speed
    if reach is not None and len(idx):
        sub = router.stop_links(profile.name, idx)
        cost, metres_st = reach.price(sub)
        street_ok = sub.seg >= 0
        metres = np.where(street_ok, metres_st, metres)
        secs_f = np.where(street_ok, cost, secs_f)
    keep = np.flatnonzero((metres <= limit) & (secs_f < np.inf))
    secs = np.ceil(secs_f[keep] - 1e-9).astype(np.int64)
    # the leg (names, street path) is made only if an itinerary shows this option
    for i, q, m, s, st in zip(keep.tolist(), idx[keep].tolist(), metres[keep].tolist(), secs.tolist(),
                              street_ok[keep].tolist()):
        opts.append(LazyOption(q, s, "WALK", m, _place_walk_leg,
                               (net, router, reach if st else None, sub, i, q, lat, lon, egress, s, m)))
    return opts


def _place_walk_leg(net, router, reach, sub, j: int, q: int, lat: float, lon: float, egress: bool, secs: int,
                    metres: float) -> list[StreetLeg]:
    """The walk of a :func:`walk_options` option between the place and stop ``q``."""
    s_lat, s_lon = net.stop_lats[q], net.stop_lons[q]
    path_fn = (lambda: reach.path(sub, j, (s_lat, s_lon))) if reach is not None else None
    sid = {"stop_id": net.stop_ids[q]}
    if egress:
        return [StreetLeg("WALK", secs, metres, s_lat, s_lon, lat, lon, net.stop_names[q], "", sid, {},
                          path_fn=path_fn, router=router)]
    return [StreetLeg("WALK", secs, metres, lat, lon, s_lat, s_lon, "", net.stop_names[q], {}, sid,
                      path_fn=path_fn, router=router)]


def stop_walk_leg(net, profile, a: int, b: int, metres: float, secs: int) -> StreetLeg:
    """The walk of footpath a -> b (as the router relaxed it), with its street path when both
    stops are on the streets."""
    names, lats, lons, ids = net.stop_names, net.stop_lats, net.stop_lons, net.stop_ids
    router = net.streets
    path_fn = None
    if router is not None:
        path_fn = (lambda: router.walk_between(profile.name, (lats[a], lons[a]), (lats[b], lons[b]),
                                               max(metres * 1.01 + 1, 1.0), stops=(a, b)))
    return StreetLeg("WALK", secs, metres, lats[a], lons[a], lats[b], lons[b], names[a], names[b],
                     {"stop_id": ids[a]}, {"stop_id": ids[b]}, path_fn=path_fn, router=router)
