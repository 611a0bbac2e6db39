"""The mobility layer of a scenario: park & ride lots and bike-share stations.

Travel-time matrices use it only when the scenario's ``modes`` include ``PARK_RIDE`` or
``BIKE_SHARE``; with ``WALK, TRANSIT`` the added lots and stations change nothing (they are
still recorded in ``summary.json``). Times come from the planner's travel model
(:mod:`maas.planner.travel`: the streets when the network was built with OSM, crow-fly x detour
elsewhere) and its :data:`~maas.planner.settings.SETTINGS`, so scenarios and trip plans agree:

* ``PARK_RIDE`` (origin side only): drive from the place to a lot with capacity (and free
  spaces when known) between ``min_pr_drive_m`` and ``max_pr_drive_m``, park for ``park_lot_s``,
  walk to stops within ``lot_walk_m`` of the lot (and the profile's limit). Each (lot, stop)
  pair is one more access option.
* ``BIKE_SHARE`` (both ends; not for step-free profiles): walk to one of the ``pick_k`` nearest
  stations within the profile's walk that has bikes, unlock, ride the bike graph (up to
  ``max_bike_ride_m``) to a station with free docks, dock, walk to stops within
  ``station_walk_m`` of it (access); egress mirrors it from a stop to the place.

Base lots and stations come from the scenario's ``parking:``/``gbfs:`` sources (and from the
loaded network's mobility layer when it exposes ``lots``/``stations``); edits add to them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

# the planner's own travel model and settings, so scenarios and trip plans agree
from maas.planner.settings import SETTINGS as S
from maas.planner.travel import From, bike_mode, car_mode, matrix, points_to_stops, walk_mode

LOT_WALK_M = S.lot_walk_m
STATION_WALK_M = S.station_walk_m


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
    # per network and profile: walks lot/station -> stops and the bike rides between stations
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def tables(self, net, profile) -> dict:
        """Searched once per network and profile: lot and station walks to stops, bike rides."""
        key = (id(net), profile.name)
        t = self.cache.get(key)
        if t is None:
            walk = walk_mode(profile)
            lot_lat = np.array([x.lat for x in self.lots], np.float64)
            lot_lon = np.array([x.lon for x in self.lots], np.float64)
            st_lat = np.array([x.lat for x in self.stations], np.float64)
            st_lon = np.array([x.lon for x in self.stations], np.float64)
            t = {"lot_lat": lot_lat, "lot_lon": lot_lon, "st_lat": st_lat, "st_lon": st_lon,
                 "lot_walk": points_to_stops(net, walk, lot_lat, lot_lon, min(S.lot_walk_m, profile.max_access_m), 12),
                 "st_walk": points_to_stops(net, walk, st_lat, st_lon, S.station_walk_m, S.stops_per_point),
                 "ride": matrix(net, bike_mode(), st_lat, st_lon, S.max_bike_ride_m) if len(st_lat) else None}
            self.cache[key] = t
        return t

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


def _rows(csr, i: int) -> tuple[np.ndarray, np.ndarray]:
    ptr, stops, _, secs = csr
    return stops[ptr[i]:ptr[i + 1]], np.ceil(secs[ptr[i]:ptr[i + 1]] - 1e-9).astype(np.int64)


def extra_options(net, layer: MobilityLayer, lat: float, lon: float, modes, profile, *, egress: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Extra (stop, seconds) access or egress options for a place at (lat, lon)."""
    stops: list[np.ndarray] = []
    secs: list[np.ndarray] = []
    want_pr = "PARK_RIDE" in modes and not egress and layer.lots
    want_bike = "BIKE_SHARE" in modes and layer.stations and not profile.step_free
    if not (want_pr or want_bike):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    t = layer.tables(net, profile)
    if want_pr:
        drive_m, drive_s, _ = From(net, car_mode(), lat, lon, S.max_pr_drive_m).to(t["lot_lat"], t["lot_lon"])
        for i, lot in enumerate(layer.lots):
            if not lot.usable or not S.min_pr_drive_m <= drive_m[i] <= S.max_pr_drive_m:
                continue
            idx, w = _rows(t["lot_walk"], i)
            stops.append(idx)
            secs.append(w + int(np.ceil(drive_s[i] - 1e-9)) + S.park_lot_s)
    if want_bike:
        st = layer.stations
        walk_m, walk_s, _ = From(net, walk_mode(profile), lat, lon, profile.max_access_m,
                                 reverse=egress).to(t["st_lat"], t["st_lon"])
        # at the place's end: stations with free docks (egress) or bikes (access) within the walk
        ok_here = np.array([(s.docks if egress else s.bikes) > 0 for s in st]) & (walk_m <= profile.max_access_m)
        ok_there = np.array([(s.bikes if egress else s.docks) > 0 for s in st])
        here = np.flatnonzero(ok_here)
        here = here[np.argsort(walk_s[here], kind="stable")[:S.pick_k]]
        ride_m, ride_s = t["ride"]
        for a in here.tolist():
            walk_a = int(np.ceil(walk_s[a] - 1e-9))
            # access rides here -> there; egress rides there -> here
            rm = ride_m[:, a] if egress else ride_m[a]
            rs = ride_s[:, a] if egress else ride_s[a]
            for b in np.flatnonzero(ok_there & (rm <= S.max_bike_ride_m)).tolist():
                if b == a:
                    continue
                tt = walk_a + S.unlock_s + int(np.ceil(rs[b] - 1e-9)) + S.dock_s
                idx, w = _rows(t["st_walk"], b)
                stops.append(idx)
                secs.append(w + tt)
    if not stops:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(stops).astype(np.int64), np.concatenate(secs).astype(np.int64)
