"""Read GTFS-RT FeedMessages (TripUpdates, ServiceAlerts, VehiclePositions) from a file or a URL.

Parsed with the official ``gtfs-realtime-bindings`` and turned into small frozen dataclasses, so
nothing downstream depends on protobuf objects. The kind of a feed is told by its content (one
FeedMessage may mix kinds). Every way a source can be unusable is a :class:`RealtimeError` with
a ``reason`` code and one clear sentence:

``unreachable`` (missing file, HTTP error, connection refused), ``not_protobuf`` (junk, JSON,
HTML), ``truncated`` (the bytes stop inside a message), ``wrong_kind`` (a FeedMessage with none
of the three kinds), ``stale`` (a URL whose header timestamp is far older than its refresh
interval). A feed about another agency is detected where the network is known
(:mod:`maas.realtime.overlay`).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from maas.errors import FeedError

FETCH_TIMEOUT_S = 5.0
DEFAULT_REFRESH_S = 30.0
STALE_FACTOR = 10          # a URL feed is stale when older than this many refresh intervals ...
MIN_STALE_S = 300.0        # ... and at least this many seconds


class RealtimeError(FeedError):
    """A GTFS-RT source that cannot be used; ``reason`` is a short code (see the module doc)."""

    def __init__(self, source: str, reason: str, message: str):
        self.reason = reason
        self.source = source
        super().__init__(source, message)


@dataclass(frozen=True)
class StopTimeUpdate:
    stop_sequence: int | None
    stop_id: str | None
    arrival_delay: int | None
    arrival_time: int | None        # POSIX seconds
    departure_delay: int | None
    departure_time: int | None
    relationship: str               # SCHEDULED, SKIPPED, NO_DATA


@dataclass(frozen=True)
class TripUpdate:
    trip_id: str | None
    route_id: str | None
    direction_id: int | None
    start_date: str | None          # YYYYMMDD
    start_time: str | None
    relationship: str               # SCHEDULED, CANCELED, ADDED, DELETED, ...
    delay: int | None               # trip-level delay (experimental field)
    stop_time_updates: tuple[StopTimeUpdate, ...]
    timestamp: int | None
    vehicle_id: str | None


@dataclass(frozen=True)
class InformedEntity:
    agency_id: str | None
    route_id: str | None
    route_type: int | None
    trip_id: str | None
    stop_id: str | None
    direction_id: int | None


@dataclass(frozen=True)
class Alert:
    id: str
    header: dict                    # language ("" when not given) -> text
    description: dict
    url: dict
    cause: str
    effect: str
    active_periods: tuple[tuple[int | None, int | None], ...]
    entities: tuple[InformedEntity, ...]


@dataclass(frozen=True)
class VehiclePosition:
    id: str
    label: str | None
    trip_id: str | None
    route_id: str | None
    direction_id: int | None
    start_date: str | None
    lat: float
    lon: float
    bearing: float | None
    speed: float | None
    current_stop_sequence: int | None
    stop_id: str | None
    current_status: str | None
    timestamp: int | None


@dataclass(frozen=True)
class RealtimeFeed:
    """One FeedMessage: what it holds, when it was produced and where it came from."""

    source: str
    timestamp: int | None
    trip_updates: tuple[TripUpdate, ...]
    alerts: tuple[Alert, ...]
    vehicles: tuple[VehiclePosition, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        out = []
        if self.trip_updates:
            out.append("trip_updates")
        if self.alerts:
            out.append("alerts")
        if self.vehicles:
            out.append("vehicle_positions")
        return tuple(out)

    def referenced_ids(self) -> tuple[set, set, set]:
        """(trip ids, route ids, stop ids) named anywhere in the feed."""
        trips, routes, stops = set(), set(), set()
        for tu in self.trip_updates:
            if tu.trip_id:
                trips.add(tu.trip_id)
            if tu.route_id:
                routes.add(tu.route_id)
            stops.update(u.stop_id for u in tu.stop_time_updates if u.stop_id)
        for a in self.alerts:
            for e in a.entities:
                if e.trip_id:
                    trips.add(e.trip_id)
                if e.route_id:
                    routes.add(e.route_id)
                if e.stop_id:
                    stops.add(e.stop_id)
        for v in self.vehicles:
            if v.trip_id:
                trips.add(v.trip_id)
            if v.route_id:
                routes.add(v.route_id)
            if v.stop_id:
                stops.add(v.stop_id)
        return trips, routes, stops


def is_url(source: str) -> bool:
    return str(source).startswith(("http://", "https://"))


def short_name(source: str) -> str:
    """A short id for messages: a URL's host and last path part, a file's name (never a full path)."""
    s = str(source)
    if is_url(s):
        u = httpx.URL(s)
        last = u.path.rstrip("/").rsplit("/", 1)[-1]
        return f"{u.host}/{last}" if last else u.host
    return Path(s).name


def fetch_bytes(source: str, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """The raw bytes of a file or an http(s) URL; RealtimeError ``unreachable`` on failure."""
    name = short_name(source)
    if is_url(source):
        try:
            resp = httpx.get(source, timeout=timeout, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise RealtimeError(source, "unreachable", f"GTFS-RT source {name} is unreachable "
                                                       f"({type(exc).__name__})") from None
        if resp.status_code != 200:
            raise RealtimeError(source, "unreachable", f"GTFS-RT source {name} answered HTTP {resp.status_code}")
        return resp.content
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise RealtimeError(source, "unreachable", f"GTFS-RT source {name} cannot be read "
                                                   f"({exc.strerror or type(exc).__name__})") from None


def _wire_problem(data: bytes) -> str:
    """Walk the top-level protobuf wire format: 'truncated', 'junk' or '' (well formed)."""
    i, n = 0, len(data)

    def varint(j: int) -> tuple[int | None, int]:
        shift = v = 0
        while j < n:
            b = data[j]
            v |= (b & 0x7F) << shift
            j += 1
            if not b & 0x80:
                return v, j
            shift += 7
            if shift > 63:
                return None, j
        return -1, j           # ran off the end

    while i < n:
        key, i = varint(i)
        if key is None or key == 0:
            return "junk"
        if key == -1:
            return "truncated"
        wt, field = key & 7, key >> 3
        if field == 0 or field > 20000:
            return "junk"
        if wt == 0:
            v, i = varint(i)
            if v == -1:
                return "truncated"
            if v is None:
                return "junk"
        elif wt == 1:
            i += 8
        elif wt == 5:
            i += 4
        elif wt == 2:
            ln, i = varint(i)
            if ln == -1:
                return "truncated"
            if ln is None:
                return "junk"
            i += ln
        else:
            return "junk"
        if i > n:
            return "truncated"
    return ""


def _translated(ts) -> dict:
    return {(t.language or ""): t.text for t in ts.translation}


_STU_REL = {0: "SCHEDULED", 1: "SKIPPED", 2: "NO_DATA", 3: "UNSCHEDULED"}
_TRIP_REL = {0: "SCHEDULED", 1: "ADDED", 2: "UNSCHEDULED", 3: "CANCELED", 5: "REPLACEMENT", 6: "DUPLICATED",
             7: "DELETED", 8: "NEW"}


def parse_feed(data: bytes, source: str = "(bytes)") -> RealtimeFeed:
    """Parse a FeedMessage; RealtimeError ``not_protobuf``, ``truncated`` or ``wrong_kind``."""
    from google.protobuf.message import DecodeError
    from google.transit import gtfs_realtime_pb2 as pb

    name = short_name(source)
    head = data[:64].lstrip()
    if head[:1] in (b"{", b"[", b"<"):
        what = "JSON" if head[:1] in (b"{", b"[") else "HTML/XML"
        raise RealtimeError(source, "not_protobuf", f"GTFS-RT source {name} is {what}, not a protobuf FeedMessage")
    msg = pb.FeedMessage()
    try:
        msg.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError):
        problem = _wire_problem(data)
        if problem == "truncated":
            raise RealtimeError(source, "truncated", f"GTFS-RT source {name} is truncated "
                                                     f"({len(data)} bytes end inside a message)") from None
        raise RealtimeError(source, "not_protobuf", f"GTFS-RT source {name} is not a GTFS-RT protobuf "
                                                    "FeedMessage") from None
    if not msg.HasField("header") or not msg.header.gtfs_realtime_version:
        problem = _wire_problem(data)
        if problem == "truncated":
            raise RealtimeError(source, "truncated", f"GTFS-RT source {name} is truncated")
        raise RealtimeError(source, "not_protobuf", f"GTFS-RT source {name} is not a GTFS-RT FeedMessage "
                                                    "(no header with gtfs_realtime_version)")
    tus, alerts, vps = [], [], []
    other = 0
    for ent in msg.entity:
        if ent.is_deleted:
            continue
        used = False
        if ent.HasField("trip_update"):
            used = True
            tu = ent.trip_update
            t = tu.trip
            stus = []
            for u in tu.stop_time_update:
                stus.append(StopTimeUpdate(
                    u.stop_sequence if u.HasField("stop_sequence") else None,
                    u.stop_id or None,
                    u.arrival.delay if u.HasField("arrival") and u.arrival.HasField("delay") else None,
                    u.arrival.time if u.HasField("arrival") and u.arrival.HasField("time") else None,
                    u.departure.delay if u.HasField("departure") and u.departure.HasField("delay") else None,
                    u.departure.time if u.HasField("departure") and u.departure.HasField("time") else None,
                    _STU_REL.get(u.schedule_relationship, "SCHEDULED")))
            tus.append(TripUpdate(
                t.trip_id or None, t.route_id or None, t.direction_id if t.HasField("direction_id") else None,
                t.start_date or None, t.start_time or None, _TRIP_REL.get(t.schedule_relationship, "SCHEDULED"),
                tu.delay if tu.HasField("delay") else None, tuple(stus),
                tu.timestamp if tu.HasField("timestamp") else None,
                (tu.vehicle.id or tu.vehicle.label or None) if tu.HasField("vehicle") else None))
        if ent.HasField("alert"):
            used = True
            a = ent.alert
            periods = tuple((p.start if p.HasField("start") else None, p.end if p.HasField("end") else None)
                            for p in a.active_period)
            ents = tuple(InformedEntity(e.agency_id or None, e.route_id or None,
                                        e.route_type if e.HasField("route_type") else None,
                                        (e.trip.trip_id or None) if e.HasField("trip") else None,
                                        e.stop_id or None,
                                        e.direction_id if e.HasField("direction_id") else None)
                         for e in a.informed_entity)
            alerts.append(Alert(ent.id, _translated(a.header_text), _translated(a.description_text),
                                _translated(a.url), pb.Alert.Cause.Name(a.cause), pb.Alert.Effect.Name(a.effect),
                                periods, ents))
        if ent.HasField("vehicle"):
            used = True
            v = ent.vehicle
            if v.HasField("position"):
                t = v.trip
                vps.append(VehiclePosition(
                    v.vehicle.id or v.vehicle.label or ent.id, v.vehicle.label or None,
                    t.trip_id or None, t.route_id or None, t.direction_id if t.HasField("direction_id") else None,
                    t.start_date or None, float(v.position.latitude), float(v.position.longitude),
                    float(v.position.bearing) if v.position.HasField("bearing") else None,
                    float(v.position.speed) if v.position.HasField("speed") else None,
                    v.current_stop_sequence if v.HasField("current_stop_sequence") else None,
                    v.stop_id or None,
                    pb.VehiclePosition.VehicleStopStatus.Name(v.current_status) if v.HasField("current_status") else None,
                    v.timestamp if v.HasField("timestamp") else None))
        other += not used
    if other and not (tus or alerts or vps):
        raise RealtimeError(source, "wrong_kind", f"GTFS-RT source {name} holds {other} entities but no trip "
                                                  "updates, alerts or vehicle positions")
    ts = int(msg.header.timestamp) if msg.header.HasField("timestamp") else None
    return RealtimeFeed(str(source), ts, tuple(tus), tuple(alerts), tuple(vps))


def check_fresh(feed: RealtimeFeed, refresh_s: float, now: float | None = None) -> None:
    """RealtimeError ``stale`` when a URL feed's header timestamp is far older than its refresh
    interval. Files are recordings (replays, tests, the sample) and are never stale."""
    if not is_url(feed.source) or feed.timestamp is None:
        return
    now = time.time() if now is None else now
    age = now - feed.timestamp
    if age > max(STALE_FACTOR * refresh_s, MIN_STALE_S):
        raise RealtimeError(feed.source, "stale", f"GTFS-RT source {short_name(feed.source)} is stale "
                                                  f"(produced {age / 60:.0f} min ago)")


def load_realtime(source: str | os.PathLike, refresh_s: float = DEFAULT_REFRESH_S, now: float | None = None,
                  timeout: float = FETCH_TIMEOUT_S) -> RealtimeFeed:
    """Fetch, parse and freshness-check one source."""
    s = os.fspath(source)
    feed = parse_feed(fetch_bytes(s, timeout), s)
    check_fresh(feed, refresh_s, now)
    return feed
