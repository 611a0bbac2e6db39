"""Shared mobility and park & ride for the planner: sources, live snapshot, planner hooks.

A :class:`Mobility` holds the GBFS sources (bike share, car share) and the park & ride file of a
network. Everything read from them lives in one immutable :class:`Snapshot`; ``refresh()``
builds a new snapshot from the sources whose ``ttl`` has expired and swaps a single attribute,
so a request always sees one consistent state while the service refreshes in the background.

A GBFS source that is unreachable, malformed or stale never breaks planning: it is left out
and :meth:`Mobility.messages` says which one (``GBFS_UNAVAILABLE``, ``GBFS_STALE``). A source
that fails to refresh keeps its last good data until that data goes stale.

Planning itself is in :mod:`maas.planner.shared_modes` (bike and car share) and
:mod:`maas.planner.park_ride`; see those modules for the travel-time model.
"""
from __future__ import annotations

import json
import os
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from maas.errors import FeedError
from maas.feeds.gbfs import BikeStation, GbfsSystem, PricingPlan, Vehicle, load_gbfs
from maas.feeds.parking import ParkingLot, load_parking
from maas.planner.messages import message

MOBILITY_FILE = "mobility.json"
MIN_REFRESH_S = 15.0        # never reload a GBFS source more often than this, whatever its ttl
RETRY_S = 30.0              # retry a source that failed after this many seconds
PARKING_CHECK_S = 60.0      # look at the park & ride file's modification time this often
MIN_NEXT_REFRESH_S = 5.0
GBFS_TIMEOUT_S = 5.0


def _normalise(source: str | os.PathLike, base: Path | None = None) -> str:
    """URLs as given; paths made absolute (relative ones against ``base`` when given)."""
    s = os.fspath(source)
    if s.startswith(("http://", "https://")):
        return s
    p = Path(s).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return str(p.absolute())


# ----------------------------------------------------------------------------- source states

@dataclass(frozen=True)
class GbfsSource:
    """One GBFS source: its last good system (if any), the last error (if the last read failed)."""

    source: str
    system: GbfsSystem | None
    error: str | None
    checked_at: float

    def due_at(self) -> float:
        if self.system is None or self.error is not None:
            return self.checked_at + RETRY_S
        return self.checked_at + max(float(self.system.ttl), MIN_REFRESH_S)

    def label(self) -> str:
        if self.system is not None and self.system.name:
            return f"{self.system.name} ({self.source})"
        return self.source


def read_gbfs(source: str, now: float | None = None, previous: GbfsSource | None = None) -> GbfsSource:
    """Read a GBFS source; a failure is recorded (keeping the previous good data), never raised."""
    now = time.time() if now is None else now
    try:
        system = load_gbfs(source, timeout=GBFS_TIMEOUT_S, now=now)
        return GbfsSource(source, system, None, now)
    except FeedError as exc:
        err = str(exc)
    except Exception as exc:  # noqa: BLE001 - a broken source must never break planning
        err = f"{type(exc).__name__}: {exc}"
    return GbfsSource(source, previous.system if previous is not None else None, err, now)


@dataclass(frozen=True)
class ParkingSource:
    path: str
    lots: tuple[ParkingLot, ...]
    error: str | None
    mtime: float | None
    checked_at: float


def read_parking(path: str, now: float | None = None, strict: bool = True,
                 previous: ParkingSource | None = None) -> ParkingSource:
    """Read the P+R file; with ``strict`` a malformed or missing file raises FeedError."""
    now = time.time() if now is None else now
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = None
    try:
        lots = tuple(load_parking(path))
        return ParkingSource(path, lots, None, mtime, now)
    except FeedError as exc:
        if strict:
            raise
        return ParkingSource(path, previous.lots if previous is not None else (), str(exc), mtime, now)


def _same_system(a: GbfsSystem | None, b: GbfsSystem | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.last_updated == b.last_updated and a.stations == b.stations and a.vehicles == b.vehicles
            and a.pricing_plans == b.pricing_plans)


# ----------------------------------------------------------------------------- snapshot

class Snapshot:
    """Everything the planner reads from the sources at one moment, as flat arrays. Immutable,
    except for the per-network index of nearby stops, computed once on first use."""

    def __init__(self, gbfs: tuple[GbfsSource, ...], parking: ParkingSource | None, created: float):
        self.gbfs = gbfs
        self.parking = parking
        self.created = created
        stations: list[BikeStation] = []
        st_sys: list[int] = []
        cars: list[Vehicle] = []
        car_sys: list[int] = []
        self.bike_plan: list[PricingPlan | None] = []
        for i, src in enumerate(gbfs):
            sysm = src.system
            plan = None
            if sysm is not None:
                stations += sysm.stations
                st_sys += [i] * len(sysm.stations)
                for v in sysm.vehicles:
                    if v.form_factor == "car":
                        cars.append(v)
                        car_sys.append(i)
                if sysm.stations and sysm.pricing_plans:
                    plan = next(iter(sysm.pricing_plans.values()))
            self.bike_plan.append(plan)
        self.stations = stations
        self.st_sys = np.array(st_sys, np.int64)
        self.st_lat = np.array([s.lat for s in stations], np.float64)
        self.st_lon = np.array([s.lon for s in stations], np.float64)
        self.st_rent = np.array([s.can_rent() for s in stations], np.bool_)
        self.st_ret = np.array([s.can_return() for s in stations], np.bool_)
        self.cars = cars
        self.car_sys = np.array(car_sys, np.int64)
        self.car_lat = np.array([v.lat for v in cars], np.float64)
        self.car_lon = np.array([v.lon for v in cars], np.float64)
        self.car_ok = np.array([v.is_available() for v in cars], np.bool_)
        self.car_range = np.array([np.inf if v.current_range_meters is None else v.current_range_meters
                                   for v in cars], np.float64)
        self.car_plan = [self._car_plan(gbfs[s].system, v) for s, v in zip(car_sys, cars)]
        self.lots: tuple[ParkingLot, ...] = parking.lots if parking is not None else ()
        self.lot_lat = np.array([x.lat for x in self.lots], np.float64)
        self.lot_lon = np.array([x.lon for x in self.lots], np.float64)
        self.lot_json = [x.to_json() for x in self.lots]
        self._near: dict[int, tuple] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _car_plan(system: GbfsSystem | None, v: Vehicle) -> PricingPlan | None:
        if system is None or not system.pricing_plans:
            return None
        plans = system.pricing_plans
        if v.pricing_plan_id in plans:
            return plans[v.pricing_plan_id]
        vtype = system.vehicle_types.get(v.vehicle_type_id or "") or {}
        default = vtype.get("default_pricing_plan_id")
        if default in plans:
            return plans[default]
        return next(iter(plans.values()))

    def usable(self, now: float | None = None) -> np.ndarray:
        """Per GBFS source: True when it has data that is not stale."""
        now = time.time() if now is None else now
        return np.array([s.system is not None and not s.system.is_stale(now) for s in self.gbfs], np.bool_)

    def near(self, net):
        """Stops near each station, car and lot of this snapshot for ``net`` (computed once)."""
        key = id(net)
        hit = self._near.get(key)
        if hit is not None and hit[0]() is net:
            return hit[1]
        from maas.planner.shared_modes import NearIndex
        with self._lock:
            hit = self._near.get(key)
            if hit is not None and hit[0]() is net:
                return hit[1]
            idx = NearIndex(self, net)
            try:
                ref = weakref.ref(net)
            except TypeError:
                ref = (lambda n=net: n)
            self._near[key] = (ref, idx)
            return idx


# ----------------------------------------------------------------------------- Mobility

class Mobility:
    """Shared mobility (GBFS) and park & ride sources of a network, with planner hooks."""

    def __init__(self, gbfs: list[str], parking: str | None, snapshot: Snapshot):
        self.gbfs_sources = list(gbfs)
        self.parking_source = parking
        self._snap = snapshot
        self._refresh_lock = threading.Lock()
        self._nets: weakref.WeakSet = weakref.WeakSet()

    # ----- construction ------------------------------------------------------------------
    @classmethod
    def from_sources(cls, gbfs: list[str], parking: str | None, folder: str | None = None,
                     *, now: float | None = None) -> "Mobility":
        """Read the sources. A bad or unreachable GBFS source becomes a message; a malformed or
        missing P+R file raises FeedError. With ``folder``, record the sources in
        ``folder/mobility.json`` (absolute paths or URLs) for :meth:`from_folder`."""
        gbfs_n = [_normalise(s) for s in (gbfs or [])]
        parking_n = _normalise(parking) if parking else None
        mob = cls._read(gbfs_n, parking_n, strict_parking=True, now=now)
        if folder is not None:
            Path(folder).mkdir(parents=True, exist_ok=True)
            doc = {"gbfs": gbfs_n, "parking": parking_n}
            tmp = Path(folder) / (MOBILITY_FILE + ".tmp")
            tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(tmp, Path(folder) / MOBILITY_FILE)
        return mob

    @classmethod
    def from_folder(cls, folder, gbfs: list[str] | None = None, parking: str | None = None,
                    *, now: float | None = None) -> "Mobility | None":
        """Sources recorded by the build in ``folder/mobility.json``, each overridable; None when
        there are none. A recorded P+R file that has gone bad is reported by a message; one
        given here explicitly must be readable (FeedError otherwise)."""
        base = Path(folder)
        rec_gbfs: list[str] = []
        rec_parking: str | None = None
        path = base / MOBILITY_FILE
        if path.is_file():
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FeedError(str(path), f"cannot read: {exc}") from None
            if not isinstance(doc, dict) or not isinstance(doc.get("gbfs", []), list):
                raise FeedError(str(path), "expected {\"gbfs\": [...], \"parking\": ...}")
            rec_gbfs = [_normalise(s, base) for s in doc.get("gbfs") or [] if isinstance(s, str)]
            rec_parking = _normalise(doc["parking"], base) if isinstance(doc.get("parking"), str) else None
        strict = parking is not None
        gbfs_n = [_normalise(s) for s in gbfs] if gbfs is not None else rec_gbfs
        parking_n = _normalise(parking) if parking is not None else rec_parking
        if not gbfs_n and not parking_n:
            return None
        return cls._read(gbfs_n, parking_n, strict_parking=strict, now=now)

    @classmethod
    def _read(cls, gbfs: list[str], parking: str | None, strict_parking: bool, now: float | None) -> "Mobility":
        now = time.time() if now is None else now
        pk = read_parking(parking, now, strict=strict_parking) if parking else None
        srcs = tuple(read_gbfs(s, now) for s in gbfs)
        return cls(gbfs, parking, Snapshot(srcs, pk, now))

    @property
    def snapshot(self) -> Snapshot:
        return self._snap

    # ----- refresh -----------------------------------------------------------------------
    def refresh(self, now: float | None = None) -> bool:
        """Reload the sources whose ttl has expired (and the P+R file if it changed on disk);
        swap in a new snapshot. True when anything changed."""
        with self._refresh_lock:
            now = time.time() if now is None else now
            old = self._snap
            changed = False
            new_gbfs = []
            for src in old.gbfs:
                if now >= src.due_at():
                    fresh = read_gbfs(src.source, now, previous=src)
                    if fresh.error != src.error or not _same_system(fresh.system, src.system):
                        changed = True
                    new_gbfs.append(fresh)
                else:
                    new_gbfs.append(src)
            pk = old.parking
            if pk is not None and now >= pk.checked_at + PARKING_CHECK_S:
                try:
                    mtime = os.stat(pk.path).st_mtime
                except OSError:
                    mtime = None
                if mtime != pk.mtime or (pk.error is not None):
                    fresh_pk = read_parking(pk.path, now, strict=False, previous=pk)
                    changed |= fresh_pk.lots != pk.lots or fresh_pk.error != pk.error
                    pk = fresh_pk
                else:
                    pk = ParkingSource(pk.path, pk.lots, pk.error, pk.mtime, now)
            if not changed and all(a is b for a, b in zip(new_gbfs, old.gbfs)) and pk is old.parking:
                return False
            snap = Snapshot(tuple(new_gbfs), pk, now)
            for net in list(self._nets):      # warm the stop index so requests don't pay for it
                snap.near(net)
            self._snap = snap
            return changed

    def next_refresh_in(self, now: float | None = None) -> float:
        """Seconds until the earliest source is due (at least 5)."""
        now = time.time() if now is None else now
        snap = self._snap
        dues = [s.due_at() for s in snap.gbfs]
        if snap.parking is not None:
            dues.append(snap.parking.checked_at + PARKING_CHECK_S)
        if not dues:
            return 3600.0
        return max(MIN_NEXT_REFRESH_S, min(dues) - now)

    # ----- reporting ---------------------------------------------------------------------
    def messages(self, now: float | None = None) -> list[dict]:
        """Messages about sources that are unavailable, failed to refresh, or stale."""
        snap = self._snap
        now = time.time() if now is None else now
        out = []
        for src in snap.gbfs:
            sysm = src.system
            if sysm is None:
                out.append(message("GBFS_UNAVAILABLE", f"Shared mobility source {src.source} is unavailable "
                                                    f"({src.error}); planning without it."))
            elif sysm.is_stale(now):
                out.append(message("GBFS_STALE", f"Shared mobility source {src.label()} is stale (last updated "
                                              f"{_utc(sysm.last_updated)}); its bikes and cars are not used."))
            elif src.error is not None:
                out.append(message("GBFS_UNAVAILABLE", f"Shared mobility source {src.label()} could not be refreshed "
                                                    f"({src.error}); using its data from {_utc(sysm.last_updated)}."))
        pk = snap.parking
        if pk is not None and pk.error is not None:
            what = "using the lots read earlier" if pk.lots else "park & ride is not offered"
            out.append(message("PARKING_UNAVAILABLE", f"Park & ride file {pk.path} cannot be read ({pk.error}); {what}."))
        return out

    def counts(self) -> dict[str, int]:
        """How many stations, vehicles and lots the current snapshot lists (for /v1/health)."""
        snap = self._snap
        return {"bike_stations": len(snap.stations),
                "vehicles": sum(len(src.system.vehicles) for src in snap.gbfs if src.system is not None),
                "parking_lots": len(snap.lots)}

    def bike_stations(self) -> list[dict]:
        snap = self._snap
        usable = snap.usable()
        out = []
        for s, i in zip(snap.stations, snap.st_sys.tolist()):
            out.append({"id": s.station_id, "station_id": s.station_id, "name": s.name, "lat": s.lat, "lon": s.lon, "capacity": s.capacity,
                        "bikes": s.num_bikes_available, "docks": s.num_docks_available,
                        "is_installed": s.is_installed, "is_renting": s.is_renting, "is_returning": s.is_returning,
                        "can_rent": s.can_rent(), "can_return": s.can_return(),
                        "system_id": snap.gbfs[i].system.system_id, "stale": not bool(usable[i])})
        return out

    def vehicles(self) -> list[dict]:
        snap = self._snap
        usable = snap.usable()
        out = []
        for i, src in enumerate(snap.gbfs):
            if src.system is None:
                continue
            for v in src.system.vehicles:
                out.append({"id": v.vehicle_id, "vehicle_id": v.vehicle_id, "lat": v.lat, "lon": v.lon, "form_factor": v.form_factor,
                            "available": v.is_available(), "range_m": v.current_range_meters,
                            "system_id": src.system.system_id, "vehicle_type_id": v.vehicle_type_id,
                            "propulsion": v.propulsion, "is_reserved": v.is_reserved, "is_disabled": v.is_disabled,
                            "pricing_plan_id": v.pricing_plan_id, "stale": not bool(usable[i])})
        return out

    def parking_lots(self) -> list[dict]:
        return [dict(j, has_space=lot.has_space()) for j, lot in zip(self._snap.lot_json, self._snap.lots)]

    def summary_lines(self) -> list[str]:
        snap = self._snap
        lines = []
        for i, src in enumerate(snap.gbfs):
            sysm = src.system
            if sysm is None:
                lines.append(f"GBFS {src.source}: UNAVAILABLE ({src.error}); planning will go without it")
                continue
            parts = []
            if sysm.stations:
                rent = sum(s.can_rent() for s in sysm.stations)
                ret = sum(s.can_return() for s in sysm.stations)
                parts.append(f"{len(sysm.stations)} stations ({rent} renting with bikes, {ret} returning with docks)")
            if sysm.vehicles:
                avail = sum(v.is_available() for v in sysm.vehicles)
                forms = sorted({v.form_factor for v in sysm.vehicles})
                parts.append(f"{len(sysm.vehicles)} vehicles ({avail} available; {', '.join(forms)})")
            stale = ", STALE" if sysm.is_stale() else ""
            lines.append(f"GBFS {sysm.system_id} '{sysm.name}' v{sysm.version}{stale}: "
                         f"{'; '.join(parts) or 'no stations or vehicles'} <- {src.source}")
            for w in sysm.warnings[:3]:
                lines.append(f"  warning: {w}")
        if snap.parking is not None:
            pk = snap.parking
            if pk.error is not None:
                lines.append(f"P+R {pk.path}: UNAVAILABLE ({pk.error})")
            else:
                known = sum(x.spaces_available is not None for x in pk.lots)
                lines.append(f"P+R: {len(pk.lots)} lots ({known} with known free spaces) <- {pk.path}")
        return lines

    # ----- planner hooks -----------------------------------------------------------------
    def _bind(self, net) -> tuple[Snapshot, object, np.ndarray]:
        snap = self._snap
        try:
            self._nets.add(net)
        except TypeError:
            pass
        return snap, snap.near(net), snap.usable()

    def bind(self, net) -> "BoundMobility":
        """The planner hooks over one snapshot: a refresh during a request cannot mix two."""
        return BoundMobility(*self._bind(net))

    def access_options(self, net, place, profile, modes, day, t_req, egress: bool, toward=None,
                       arrive_by: bool = False) -> list:
        """Bike share, car share (access or egress) and park & ride (access only) options."""
        return self.bind(net).access_options(net, place, profile, modes, day, t_req, egress, toward, arrive_by)

    def direct_options(self, net, o, d, profile, modes, day, t_req, arrive_by) -> list:
        """Direct bike-share and car-share itineraries (arrive-by shifts the start)."""
        return self.bind(net).direct_options(net, o, d, profile, modes, day, t_req, arrive_by)

    def review(self, net, o, d, profile, modes, day, t_req, arrive_by, itineraries, pr_itins) -> tuple[list, list, list[dict]]:
        """See :meth:`BoundMobility.review`."""
        return self.bind(net).review(net, o, d, profile, modes, day, t_req, arrive_by, itineraries, pr_itins)


class BoundMobility:
    """One mobility snapshot with its stop index and usable-source mask, for one request."""

    def __init__(self, snap: Snapshot, near, ok: np.ndarray):
        self.snap, self.near, self.ok = snap, near, ok
        self._walks: dict[tuple, object] = {}

    def walk(self, net, place, profile, reverse: bool):
        """The request's walk search from (``reverse``: toward) a place, shared by every mode."""
        key = (place.lat, place.lon, profile.name, reverse)
        w = self._walks.get(key)
        if w is None:
            from maas.planner.settings import SETTINGS
            from maas.planner.travel import From, walk_mode
            w = self._walks[key] = From(net, walk_mode(profile), place.lat, place.lon,
                                        profile.max_access_m * SETTINGS.car_walk_factor, reverse=reverse)
        return w

    def access_options(self, net, place, profile, modes, day, t_req, egress: bool, toward=None,
                       arrive_by: bool = False) -> list:
        """Bike share, car share (access or egress) and park & ride (access only) options;
        ``toward`` (the other end of the trip) and ``arrive_by`` steer the choice of P+R lots."""
        from maas.planner import park_ride, shared_modes
        want_bike, want_car = "BIKE_SHARE" in modes, "CAR_SHARE" in modes
        want_pr = "PARK_RIDE" in modes and not egress
        if not (want_bike or want_car or want_pr):
            return []
        snap, near, ok = self.snap, self.near, self.ok
        out: list = []
        if want_bike:
            out += shared_modes.bike_options(snap, near, net, place, profile, ok, egress,
                                             self.walk(net, place, profile, egress))
        if want_car:
            out += shared_modes.car_options(snap, near, net, place, profile, ok, egress,
                                            self.walk(net, place, profile, egress))
        if want_pr:
            out += park_ride.pr_options(snap, near, net, place, profile, day, t_req, toward, arrive_by)
        return out

    def direct_options(self, net, o, d, profile, modes, day, t_req, arrive_by) -> list:
        """Direct bike-share and car-share itineraries (arrive-by shifts the start)."""
        from maas.planner import shared_modes
        if "BIKE_SHARE" not in modes and "CAR_SHARE" not in modes:
            return []
        snap, near, ok = self.snap, self.near, self.ok
        out = []
        if "BIKE_SHARE" in modes:
            it = shared_modes.bike_direct(snap, near, net, o, d, profile, ok, t_req, arrive_by,
                                          self.walk(net, o, profile, False), self.walk(net, d, profile, True))
            if it is not None:
                out.append(it)
        if "CAR_SHARE" in modes:
            it = shared_modes.car_direct(snap, near, net, o, d, profile, ok, t_req, arrive_by,
                                         self.walk(net, o, profile, False))
            if it is not None:
                out.append(it)
        return out

    def review(self, net, o, d, profile, modes, day, t_req, arrive_by, itineraries, pr_itins) -> tuple[list, list, list[dict]]:
        """After the search: the itineraries to keep (a car-share + transit combination only when
        it saves time), the P+R itineraries to show (open lot, one per lot, competitive, at most
        three) and messages explaining modes that could not be offered."""
        from maas.planner import park_ride, shared_modes
        snap, near, ok = self.snap, self.near, self.ok
        msgs: list[dict] = []
        kept = shared_modes.drop_slow_car_combos(itineraries)
        shown_pr = pr_itins
        if "PARK_RIDE" in modes:
            shown_pr, m = park_ride.review(snap, near, net, o, profile, modes, day, t_req, arrive_by, pr_itins)
            msgs += m
        msgs += shared_modes.explain(snap, near, net, o, d, profile, modes, ok, list(kept) + list(shown_pr))
        return kept, shown_pr, msgs



def _utc(epoch: float) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


__all__ = ["Mobility", "BoundMobility", "Snapshot", "GbfsSource", "ParkingSource"]
