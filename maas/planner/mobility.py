"""Shared mobility and park & ride for the planner: sources, live snapshot, planner hooks.

A :class:`Mobility` holds the GBFS sources (bike share, car share) and the park & ride file of a
network. Everything read from them lives in one immutable :class:`Snapshot`; ``refresh()``
builds a new snapshot from the sources whose ``ttl`` has expired and swaps a single attribute,
so a request always sees one consistent state while the service refreshes in the background.

A GBFS source that is unreachable, malformed or stale never breaks planning: it is left out
and :meth:`Mobility.messages` says which one (``GBFS_UNAVAILABLE``, ``GBFS_STALE``). A source
that fails to refresh keeps its last good data until that data goes stale.

Sources are named in messages and listings by a short id (the folder or URL's last segment:
``velotm``, ``carshare``; the P+R file is ``parking``), never by path, and the reason given is
the feed file, record and field at fault, without OS error texts; the full error (with paths)
stays in ``GbfsSource.error`` / ``ParkingSource.error`` for the server log and the CLI.

Faults are noticed fast: besides the full re-read at each source's ``ttl``, every refresh
(the service calls it about every second) compares the files' stats (``mtime``, size, inode)
with those of the last read, at most every ``FAST_CHECK_S``, and reads a source again at once
when they changed, so a file that turns malformed, empty or missing, and its repair, show in
the next plan within a couple of seconds.

Planning itself is in :mod:`maas.planner.shared_modes` (bike and car share) and
:mod:`maas.planner.park_ride`; see those modules for the travel-time model.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from maas.errors import FeedError
from maas.feeds.gbfs import BikeStation, GbfsSystem, PricingPlan, Vehicle, load_gbfs, url_unchanged
from maas.feeds.parking import ParkingLot, load_parking
from maas.planner.messages import message

MOBILITY_FILE = "mobility.json"
MIN_REFRESH_S = 15.0        # never reload a GBFS source more often than this, whatever its ttl
RETRY_S = 30.0              # retry a source that failed after this many seconds
PARKING_CHECK_S = 60.0      # a P+R file that failed is read again after this, even unchanged
FAST_CHECK_S = 1.0          # compare the local sources' file stats at most this often
URL_CHECK_S = 5.0           # conditional GET (ETag / Last-Modified) of URL sources this often
URL_RETRY_S = 5.0           # a URL source that failed is tried again after this
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


def source_id(source: str) -> str:
    """Short public name of a source: its folder's (or URL path's) last segment, e.g. ``velotm``."""
    if source.startswith(("http://", "https://")):
        u = urlparse(source)
        parts = [x for x in u.path.split("/") if x]
        if parts and parts[-1].endswith(".json"):
            parts = parts[:-1]
        name = parts[-1] if parts else (u.hostname or "gbfs")
    else:
        p = Path(source)
        name = (p.parent.name if p.suffix == ".json" else p.name) or "gbfs"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "gbfs"


def _unique_ids(sources: list[str]) -> list[str]:
    out: list[str] = []
    for s in sources:
        base = sid = source_id(s)
        n = 2
        while sid in out:
            sid, n = f"{base}-{n}", n + 1
        out.append(sid)
    return out


_PATH_RE = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[^\s/\\'\"]+[/\\])+[^\s'\"]*")
_ERRNO_RE = re.compile(r"\[Errno[^\]]*\][^;()]*")


def scrub(text: str) -> str:
    """Remove what looks like a filesystem path or an OS error from a public text."""
    return _ERRNO_RE.sub("", _PATH_RE.sub("<path>", text)).strip()


def public_reason(exc: BaseException) -> str:
    """The public part of a source's error: feed file, record and field, and the reason."""
    issue = getattr(exc, "issue", None)
    if issue is None:
        return "unexpected error while reading"
    file = issue.file
    name = urlparse(file).path if file.startswith(("http://", "https://")) else file
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    where = name if name.endswith(".json") or name.endswith(".geojson") else ""
    if issue.row is not None:
        where += f" record {issue.row}"
    if issue.field:
        where += f" field {issue.field}"
    text = f"{where.strip()}: {issue.message}" if where.strip() else issue.message
    return scrub(text)[:300]


def _stat_sig(path: str) -> tuple | None:
    """Cheap signature of a local source: stats of its files (None for a URL)."""
    if path.startswith(("http://", "https://")):
        return None
    p = Path(path)
    try:
        if p.is_dir():
            with os.scandir(p) as it:
                entries = sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size, e.inode())
                                 for e in it if e.name.endswith(".json"))
            st = p.stat()
            return ("dir", st.st_ino, tuple(entries))
        st = p.stat()
        if p.name == "gbfs.json":
            return ("gbfs.json", st.st_mtime_ns, st.st_size, st.st_ino, _stat_sig(str(p.parent)))
        return ("file", st.st_mtime_ns, st.st_size, st.st_ino)
    except FileNotFoundError:
        return ("missing",)
    except OSError as exc:
        return ("error", type(exc).__name__)


# ----------------------------------------------------------------------------- source states

@dataclass(frozen=True)
class GbfsSource:
    """One GBFS source: its last good system (if any), the last error (if the last read failed)."""

    source: str
    system: GbfsSystem | None
    error: str | None               # full detail (paths included): logs and the CLI only
    checked_at: float
    sid: str = ""                   # public id (velotm, carshare...)
    reason: str | None = None       # public reason of ``error``: no path, no OS message
    sig: tuple | None = None        # file stats when read (local sources)

    def due_at(self) -> float:
        if self.system is None or self.error is not None:
            return self.checked_at + (URL_RETRY_S if self.sig is None else RETRY_S)
        return self.checked_at + max(float(self.system.ttl), MIN_REFRESH_S)

    def label(self) -> str:
        """The public name: the source id."""
        return self.sid or source_id(self.source)


def read_gbfs(source: str, now: float | None = None, previous: GbfsSource | None = None,
              sid: str | None = None) -> GbfsSource:
    """Read a GBFS source; a failure is recorded (keeping the previous good data), never raised."""
    now = time.time() if now is None else now
    sid = sid or (previous.sid if previous is not None else "") or source_id(source)
    sig = _stat_sig(source)            # taken first: a change while reading is seen next time
    try:
        system = load_gbfs(source, timeout=GBFS_TIMEOUT_S, now=now)
        return GbfsSource(source, system, None, now, sid, None, sig)
    except FeedError as exc:
        err, reason = str(exc), public_reason(exc)
    except Exception as exc:  # noqa: BLE001 - a broken source must never break planning
        err, reason = f"{type(exc).__name__}: {exc}", public_reason(exc)
    return GbfsSource(source, previous.system if previous is not None else None, err, now, sid, reason, sig)


@dataclass(frozen=True)
class ParkingSource:
    path: str
    lots: tuple[ParkingLot, ...]
    error: str | None               # full detail: logs and the CLI only
    mtime: float | None
    checked_at: float
    reason: str | None = None       # public reason of ``error``
    sig: tuple | None = None
    sid: str = "parking"


def read_parking(path: str, now: float | None = None, strict: bool = True,
                 previous: ParkingSource | None = None) -> ParkingSource:
    """Read the P+R file; with ``strict`` a malformed or missing file raises FeedError."""
    now = time.time() if now is None else now
    sig = _stat_sig(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = None
    try:
        lots = tuple(load_parking(path))
        return ParkingSource(path, lots, None, mtime, now, None, sig)
    except FeedError as exc:
        if strict:
            raise
        err, reason = str(exc), public_reason(exc)
    except Exception as exc:  # noqa: BLE001 - a broken file must never break planning
        if strict:
            raise FeedError(path, f"cannot read: {type(exc).__name__}") from None
        err, reason = f"{type(exc).__name__}: {exc}", public_reason(exc)
    return ParkingSource(path, previous.lots if previous is not None else (), err, mtime, now, reason, sig)


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
        self._stat_at = snapshot.created
        self._url_at = snapshot.created

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
        srcs = tuple(read_gbfs(s, now, sid=i) for s, i in zip(gbfs, _unique_ids(gbfs)))
        return cls(gbfs, parking, Snapshot(srcs, pk, now))

    @property
    def snapshot(self) -> Snapshot:
        return self._snap

    # ----- refresh -----------------------------------------------------------------------
    def refresh(self, now: float | None = None) -> bool:
        """Reload the sources whose ttl has expired or whose files changed on disk (stats compared
        at most every ``FAST_CHECK_S``); swap in a new snapshot. True when anything changed."""
        with self._refresh_lock:
            now = time.time() if now is None else now
            old = self._snap
            stat_due = now >= self._stat_at + FAST_CHECK_S or now < self._stat_at
            if stat_due:
                self._stat_at = now
            url_due = now >= self._url_at + URL_CHECK_S or now < self._url_at
            if url_due:
                self._url_at = now
            changed = False
            new_gbfs = []
            for src in old.gbfs:
                moved = stat_due and src.sig is not None and _stat_sig(src.source) != src.sig
                if (url_due and not moved and src.sig is None and src.system is not None and src.error is None
                        and now < src.due_at()):
                    moved = url_unchanged(src.system, timeout=GBFS_TIMEOUT_S) is False
                if moved or now >= src.due_at():
                    fresh = read_gbfs(src.source, now, previous=src)
                    if fresh.error != src.error or not _same_system(fresh.system, src.system):
                        changed = True
                    new_gbfs.append(fresh)
                else:
                    new_gbfs.append(src)
            pk = old.parking
            if pk is not None:
                moved = stat_due and _stat_sig(pk.path) != pk.sig
                retry = pk.error is not None and now >= pk.checked_at + PARKING_CHECK_S
                if moved or retry:
                    fresh_pk = read_parking(pk.path, now, strict=False, previous=pk)
                    changed |= fresh_pk.lots != pk.lots or fresh_pk.error != pk.error
                    pk = fresh_pk
            if not changed and all(a is b for a, b in zip(new_gbfs, old.gbfs)) and pk is old.parking:
                return False
            snap = Snapshot(tuple(new_gbfs), pk, now)
            for net in list(self._nets):      # warm the stop index so requests don't pay for it
                snap.near(net)
            self._snap = snap
            return changed

    def next_refresh_in(self, now: float | None = None) -> float:
        """Seconds until the earliest source is due for a full re-read (at least 5); the file-stat
        checks between re-reads are :meth:`check_interval`."""
        now = time.time() if now is None else now
        snap = self._snap
        dues = [s.due_at() for s in snap.gbfs]
        if snap.parking is not None and snap.parking.error is not None:
            dues.append(snap.parking.checked_at + PARKING_CHECK_S)
        if not dues:
            return 3600.0
        return max(MIN_NEXT_REFRESH_S, min(dues) - now)

    def check_interval(self) -> float | None:
        """Seconds between cheap checks: file stats of local sources, conditional GETs of URLs."""
        snap = self._snap
        local = any(s.sig is not None for s in snap.gbfs) or snap.parking is not None
        if local:
            return FAST_CHECK_S
        return URL_CHECK_S if snap.gbfs else None

    # ----- reporting ---------------------------------------------------------------------
    def messages(self, now: float | None = None) -> list[dict]:
        """Messages about sources that are unavailable, failed to refresh, or stale."""
        snap = self._snap
        now = time.time() if now is None else now
        out = []
        for src in snap.gbfs:
            sysm = src.system
            if sysm is None:
                out.append(message("GBFS_UNAVAILABLE", f"Shared mobility source {src.label()} is unavailable "
                                                    f"({src.reason}); planning without it."))
            elif sysm.is_stale(now):
                out.append(message("GBFS_STALE", f"Shared mobility source {src.label()} is stale (last updated "
                                              f"{_utc(sysm.last_updated)}); its bikes and cars are not used."))
            elif src.error is not None:
                out.append(message("GBFS_UNAVAILABLE", f"Shared mobility source {src.label()} could not be refreshed "
                                                    f"({src.reason}); using its data from {_utc(sysm.last_updated)}."))
        pk = snap.parking
        if pk is not None and pk.error is not None:
            what = "using the lots read earlier" if pk.lots else "park & ride is not offered"
            out.append(message("PARKING_UNAVAILABLE", f"Park & ride source {pk.sid} cannot be read ({pk.reason}); {what}."))
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

    def source_states(self, now: float | None = None) -> list[dict]:
        """Public state of each source (for /v1/health and /v1/ready): id, kind, status
        (``ok``, ``stale``, ``degraded`` = last refresh failed, ``unavailable``), ages and counts,
        the public reason of an error. No paths."""
        snap = self._snap
        now = time.time() if now is None else now
        out = []
        for src in snap.gbfs:
            sysm = src.system
            if sysm is None:
                status = "unavailable"
            elif sysm.is_stale(now):
                status = "stale"
            elif src.error is not None:
                status = "degraded"
            else:
                status = "ok"
            out.append({"id": src.label(), "kind": "gbfs", "status": status,
                        "system_id": sysm.system_id if sysm is not None else None,
                        "last_updated": _iso_utc(sysm.last_updated) if sysm is not None else None,
                        "checked_s_ago": round(max(0.0, now - src.checked_at), 1),
                        "stations": len(sysm.stations) if sysm is not None else 0,
                        "vehicles": len(sysm.vehicles) if sysm is not None else 0,
                        "error": src.reason})
        pk = snap.parking
        if pk is not None:
            status = "ok" if pk.error is None else ("degraded" if pk.lots else "unavailable")
            out.append({"id": pk.sid, "kind": "parking", "status": status,
                        "checked_s_ago": round(max(0.0, now - pk.checked_at), 1),
                        "lots": len(pk.lots), "error": pk.reason})
        return out

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


class BoundMobility:
    """One mobility snapshot with its stop index and usable-source mask, for one request."""

    def __init__(self, snap: Snapshot, near, ok: np.ndarray):
        self.snap, self.near, self.ok = snap, near, ok


def _iso_utc(epoch: float) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _utc(epoch: float) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


__all__ = ["Mobility", "BoundMobility", "Snapshot", "GbfsSource", "ParkingSource"]
