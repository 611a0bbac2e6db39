"""The mobility layer of a scenario: park & ride lots and bike-share stations.

Travel-time matrices use it only when the scenario's ``modes`` include ``PARK_RIDE`` or
``BIKE_SHARE``; with ``WALK, TRANSIT`` the added lots and stations change nothing (they are
still recorded in ``summary.json``). The model is deliberately simple (no street network):

* ``PARK_RIDE`` (origin side only): drive from the place to a lot with capacity (and free
  spaces when known) at the planner's car speed over crow-fly × its car detour, park for ``PARK_S``, walk to stops
  within ``LOT_WALK_M`` of the lot. Each (lot, stop) pair is one more access option.
* ``BIKE_SHARE`` (both ends): walk to a station within ``STATION_WALK_M`` that has bikes, unlock
  (``UNLOCK_S``), ride at the planner's bike speed over crow-fly × its bike detour (up to ``MAX_RIDE_M``) to a station with
  free docks, dock (``DOCK_S``), walk to stops within ``STATION_WALK_M`` of it (access); egress
  mirrors it from a stop to the place.

Base lots and stations come from the scenario's ``parking:``/``gbfs:`` sources (and from the
loaded network's mobility layer when it exposes ``lots``/``stations``); edits add to them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from maas.timetable.footpaths import haversine_m

# the planner's own car, bike and parking model, so scenarios and trip plans agree
from maas.planner.park_ride import PARK_LOT_S as PARK_S
from maas.planner.shared_modes import (BIKE_DETOUR, BIKE_SPEED, CAR_DETOUR, CAR_SPEED, DOCK_S,
                                       UNLOCK_S)

MAX_DRIVE_M = 30_000.0
LOT_WALK_M = 400.0
STATION_WALK_M = 400.0
MAX_RIDE_M = 8_000.0


@dataclass(frozen=True)
class Lot:
    id: str
    name: str
    lat: float
    lon: float
    capacity: int | None
    spaces_available: int | None = None
    added: bool = False

    @property
    def usable(self) -> bool:
        return (self.capacity is None or self.capacity > 0) and self.spaces_available != 0


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    lat: float
    lon: float
    capacity: int | None
    bikes: int
    docks: int
    added: bool = False


@dataclass
class MobilityLayer:
    lots: list[Lot] = field(default_factory=list)
    stations: list[Station] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"lots": [asdict(x) for x in self.lots], "bike_stations": [asdict(x) for x in self.stations],
                "sources": list(self.sources)}

    def with_edits(self, edits) -> "MobilityLayer":
        lots = list(self.lots)
        stations = list(self.stations)
        for e in edits:
            if e.type == "add-park-and-ride":
                lots = [x for x in lots if x.id != e.id] + [Lot(e.id, e.name, e.lat, e.lon, e.capacity,
                                                                 e.spaces_available, True)]
            elif e.type == "add-bike-stations":
                for s in e.stations:
                    stations = [x for x in stations if x.id != s.id] + [
                        Station(s.id, s.name, s.lat, s.lon, s.capacity, s.bikes, max(0, s.capacity - s.bikes), True)]
        return MobilityLayer(lots, stations, list(self.sources))


def _station(s, added: bool = False) -> Station:
    rent = s.can_rent() if hasattr(s, "can_rent") else True
    ret = s.can_return() if hasattr(s, "can_return") else True
    return Station(str(s.station_id), str(s.name), float(s.lat), float(s.lon), s.capacity,
                   int(s.num_bikes_available) if rent else 0, int(s.num_docks_available) if ret else 0, added)


def base_layer(spec, net=None) -> MobilityLayer:
    """Lots and stations before the edits: the network's own mobility layer (``maas build --gbfs
    --parking``), then the scenario's ``parking:``/``gbfs:`` sources (same ids replace)."""
    lots: dict[str, Lot] = {}
    stations: dict[str, Station] = {}
    sources: list[str] = []
    mob = getattr(net, "mobility", None) if net is not None else None
    snap = getattr(mob, "snapshot", None) or mob
    for lot in getattr(snap, "lots", None) or []:
        try:
            lots[str(lot.id)] = Lot(str(lot.id), str(lot.name), float(lot.lat), float(lot.lon), lot.capacity,
                                    getattr(lot, "spaces_available", None))
        except (AttributeError, TypeError, ValueError):
            continue
    for st in getattr(snap, "stations", None) or []:
        try:
            stations[str(st.station_id)] = _station(st)
        except (AttributeError, TypeError, ValueError):
            continue
    if lots or stations:
        sources.append("network mobility layer")
    if spec.parking:
        from maas.feeds.parking import load_parking
        for lot in load_parking(spec.parking):
            lots[lot.id] = Lot(lot.id, lot.name, lot.lat, lot.lon, lot.capacity, lot.spaces_available)
        sources.append(spec.parking)
    for src in spec.gbfs:
        from maas.feeds.gbfs import load_gbfs
        for st in load_gbfs(src).stations:
            stations[st.station_id] = _station(st)
        sources.append(str(src))
    return MobilityLayer(list(lots.values()), list(stations.values()), sources)


def _walk_to_stops(net, lat, lon, walk_m, speed):
    detour = net.tt.meta["options"]["detour_factor"]
    idx, crow = net.stops_within(lat, lon, walk_m / detour)
    return idx, np.ceil(crow * detour / speed).astype(np.int64)


def extra_options(net, layer: MobilityLayer, lat: float, lon: float, modes, profile, *, egress: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Extra (stop, seconds) access or egress options for a place at (lat, lon)."""
    stops: list[np.ndarray] = []
    secs: list[np.ndarray] = []
    if "PARK_RIDE" in modes and not egress:
        for lot in layer.lots:
            if not lot.usable:
                continue
            d = float(haversine_m(lat, lon, lot.lat, lot.lon)) * CAR_DETOUR
            if d > MAX_DRIVE_M:
                continue
            drive = int(np.ceil(d / CAR_SPEED)) + PARK_S
            idx, w = _walk_to_stops(net, lot.lat, lot.lon, LOT_WALK_M, profile.walk_speed)
            stops.append(idx)
            secs.append(w + drive)
    if "BIKE_SHARE" in modes and layer.stations:
        st = layer.stations
        s_lat = np.array([s.lat for s in st])
        s_lon = np.array([s.lon for s in st])
        near = haversine_m(lat, lon, s_lat, s_lon) * net.tt.meta["options"]["detour_factor"]
        # at the place's end: stations with bikes (access) or free docks (egress) within walking reach
        ok_here = np.array([(s.docks if egress else s.bikes) > 0 for s in st]) & (near <= STATION_WALK_M)
        ok_there = np.array([(s.bikes if egress else s.docks) > 0 for s in st])
        for a in np.flatnonzero(ok_here):
            walk_a = int(np.ceil(near[a] / profile.walk_speed))
            ride = haversine_m(s_lat[a], s_lon[a], s_lat, s_lon) * BIKE_DETOUR
            for b in np.flatnonzero(ok_there & (ride <= MAX_RIDE_M)):
                if b == a:
                    continue
                t = walk_a + UNLOCK_S + int(np.ceil(ride[b] / BIKE_SPEED)) + DOCK_S
                idx, w = _walk_to_stops(net, s_lat[b], s_lon[b], STATION_WALK_M, profile.walk_speed)
                stops.append(idx)
                secs.append(w + t)
    if not stops:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(stops).astype(np.int64), np.concatenate(secs).astype(np.int64)
