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


def walk_options(net, lat: float, lon: float, profile, stop: int | None, *, egress: bool,
                 max_m: float | None = None) -> list[AccessOption]:
    """Walking access (or egress) between a place and nearby stops.

    From a stop the options are the stop itself and its footpath neighbours (the same table
    the router uses); from coordinates, stops within the profile's walking limit.
    """
    name = ""
    opts: list[AccessOption] = []
    if stop is not None:
        # [places, issue 9] a geocoded station is all its stops: ``stop`` may be a tuple of stops
        # (Place.stops), each a RAPTOR source/target with its footpath neighbours
        ptr, to, metres, dur = net.footpaths_for(profile, reverse=egress)
        for stop in (stop if isinstance(stop, tuple) else (stop,)):
            opts.append(AccessOption(stop, 0, [], "WALK"))
            a, b = int(ptr[stop]), int(ptr[stop + 1])
            for q, m, secs in zip(to[a:b].tolist(), metres[a:b].tolist(), dur[a:b].tolist()):
                leg = _walk_leg(net, q, stop, m, secs) if egress else _walk_leg(net, stop, q, m, secs)
                opts.append(AccessOption(q, secs, [leg], "WALK"))
        return opts
    limit = profile.max_access_m if max_m is None else max_m
    detour = net.tt.meta["options"]["detour_factor"]
    idx, crow = net.stops_within(lat, lon, limit / detour)
    for q, d in zip(idx.tolist(), crow.tolist()):
        metres = d * detour
        secs = int(np.ceil(metres / profile.walk_speed))
        s_lat, s_lon = float(net.tt.stop_lat[q]), float(net.tt.stop_lon[q])
        s_name = str(net.tt.stop_name[q])
        if egress:
            leg = StreetLeg("WALK", secs, metres, s_lat, s_lon, lat, lon, s_name, name, {"stop_id": str(net.tt.stop_id[q])}, {})
        else:
            leg = StreetLeg("WALK", secs, metres, lat, lon, s_lat, s_lon, name, s_name, {}, {"stop_id": str(net.tt.stop_id[q])})
        opts.append(AccessOption(q, secs, [leg], "WALK"))
    return opts


def _walk_leg(net, a: int, b: int, metres: float, secs: int) -> StreetLeg:
    names, lats, lons, ids = net.stop_names, net.stop_lats, net.stop_lons, net.stop_ids
    return StreetLeg("WALK", secs, metres, lats[a], lons[a], lats[b], lons[b], names[a], names[b],
                     {"stop_id": ids[a]}, {"stop_id": ids[b]})
