"""Real-time sources of a network: read, compile off the request path, swap one snapshot.

:class:`Realtime` holds the GTFS-RT sources (files or URLs, any mix of TripUpdates, ServiceAlerts
and VehiclePositions). :meth:`Realtime.refresh` reads them all, compiles a new
:class:`maas.realtime.overlay.Overlay` and a *view* of the network over it (the static network
object shallow-copied with the combined arrays; the static one is never modified), and swaps in
one :class:`RealtimeSnapshot` by a single attribute assignment. A request reads the snapshot
once and plans on its view, so it never mixes two overlays, as OTP's TimetableSnapshot works.

A source that is unreachable, not protobuf, truncated, of the wrong kind, stale or about another
agency is left out with a message (``REALTIME_UNAVAILABLE``, ``REALTIME_STALE``) naming it by a
short id; transit answers on the schedule. A source that fails to refresh keeps its last good
feed, said in the message, until that feed would be stale.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from maas.errors import FeedError
from maas.feeds.gtfs_rt import (DEFAULT_REFRESH_S, RealtimeError, RealtimeFeed, check_fresh, fetch_bytes, is_url,
                                parse_feed, short_name)
from maas.planner.messages import message
from maas.realtime.alerts import AlertIndex
from maas.realtime.overlay import SOURCE_TRIP_UPDATE, SOURCE_VEHICLE, Overlay, StaticIndex, compile_overlay
from maas.realtime.vehicles import MatchedVehicle, match_vehicles, vehicle_updates
from maas.timetable.compile import Timetable

REALTIME_FILE = "realtime.json"


def normalise(source: str | os.PathLike, base: Path | None = None) -> str:
    s = os.fspath(source)
    if is_url(s):
        return s
    p = Path(s).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return str(p.absolute())


@dataclass(frozen=True)
class SourceState:
    """One source after its last read: the feed in use (if any) and the last error (if any)."""

    source: str
    feed: RealtimeFeed | None
    error: RealtimeError | None
    checked_at: float
    fresh_at: float | None = None       # when ``feed`` was read
    digest: str | None = None           # of the bytes ``feed`` was parsed from

    @property
    def name(self) -> str:
        return short_name(self.source)


@dataclass(frozen=True)
class RealtimeSnapshot:
    """Everything real-time a request sees, built once and never changed."""

    view: object | None                 # the network with the overlay (None: no trip times)
    overlay: Overlay | None
    alerts: AlertIndex
    vehicles: tuple[MatchedVehicle, ...]
    sources: tuple[SourceState, ...]
    created: float
    build_s: float = 0.0
    stats: dict = field(default_factory=dict)

    def messages(self) -> list[dict]:
        out = []
        for s in self.sources:
            if s.error is None:
                continue
            if s.error.reason == "stale":
                out.append(message("REALTIME_STALE", f"Real-time source {s.name} is stale ({s.error}); "
                                                     "planning on the schedule for its trips."))
            elif s.feed is not None:
                out.append(message("REALTIME_UNAVAILABLE", f"Real-time source {s.name} could not be refreshed "
                                                           f"({_reason(s.error)}); using its data from "
                                                           f"{_utc(s.fresh_at or s.checked_at)}."))
            else:
                out.append(message("REALTIME_UNAVAILABLE", f"Real-time source {s.name} is unavailable "
                                                           f"({_reason(s.error)}); planning on the schedule."))
        return out


def _reason(err: RealtimeError) -> str:
    return {"unreachable": "unreachable", "not_protobuf": "not a GTFS-RT protobuf", "truncated": "truncated",
            "wrong_kind": "no trip updates, alerts or vehicle positions", "stale": "stale",
            "other_agency": "about another agency: no trip, route or stop of this network"}.get(err.reason, err.reason)


def _utc(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _check_agency(ix: StaticIndex, feed: RealtimeFeed) -> None:
    trips, routes, stops = feed.referenced_ids()
    if not (trips or routes or stops):
        return
    if (any(t in ix.trip_index for t in trips) or any(r in ix.groute_index for r in routes)
            or any(s in ix.stop_index for s in stops)):
        return
    raise RealtimeError(feed.source, "other_agency", f"GTFS-RT source {short_name(feed.source)} names no trip, "
                                                     "route or stop of this network (another agency?)")


class Realtime:
    """The GTFS-RT sources of one network and the current :class:`RealtimeSnapshot`."""

    def __init__(self, net, sources: list[str], refresh_s: float = DEFAULT_REFRESH_S, now: float | None = None):
        self.net = net
        self.sources = [normalise(s) for s in sources]
        self.refresh_s = float(refresh_s)
        self.index = StaticIndex(net.tt)
        self._lock = threading.Lock()
        self._snap: RealtimeSnapshot | None = None
        self.refresh(now)

    @property
    def snapshot(self) -> RealtimeSnapshot:
        return self._snap

    @staticmethod
    def record(folder: str | os.PathLike, sources: list[str]) -> None:
        """Write the sources into ``folder/realtime.json`` (absolute paths or URLs); none: remove it."""
        path = Path(folder) / REALTIME_FILE
        if not sources:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"realtime": [normalise(s) for s in sources]}, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    @staticmethod
    def recorded(folder: str | os.PathLike) -> list[str]:
        path = Path(folder) / REALTIME_FILE
        if not path.is_file():
            return []
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FeedError(str(path), f"cannot read: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("realtime"), list):
            raise FeedError(str(path), 'expected {"realtime": [...]}')
        return [normalise(s, Path(folder)) for s in doc["realtime"] if isinstance(s, str)]

    def _read(self, src: str, now: float, previous: SourceState | None) -> SourceState:
        try:
            data = fetch_bytes(src)
            digest = hashlib.sha1(data).hexdigest()
            if previous is not None and previous.digest == digest and previous.error is None:
                check_fresh(previous.feed, self.refresh_s, now)
                return previous            # same bytes: nothing to parse or compile again
            feed = parse_feed(data, src)
            check_fresh(feed, self.refresh_s, now)
            _check_agency(self.index, feed)
            return SourceState(src, feed, None, now, now, digest)
        except RealtimeError as exc:
            keep = None
            if previous is not None and previous.feed is not None and exc.reason not in ("stale", "other_agency"):
                try:
                    check_fresh(previous.feed, self.refresh_s, now)
                    keep = previous.feed
                except RealtimeError:
                    keep = None
            return SourceState(src, keep, exc, now, previous.fresh_at if keep is not None else None)

    def refresh(self, now: float | None = None, force: bool = False) -> RealtimeSnapshot:
        """Read every source, build a new snapshot and swap it in (one assignment). Sources whose
        bytes did not change are reused unless ``force``."""
        with self._lock:
            now = time.time() if now is None else now
            old = {} if force else {s.source: s for s in (self._snap.sources if self._snap else ())}
            states = tuple(self._read(s, now, old.get(s)) for s in self.sources)
            if not force and self._snap is not None and all(a is b for a, b in zip(states, self._snap.sources)):
                return self._snap          # every source unchanged: keep the snapshot (and its view)
            # tens of thousands of short-lived objects: a cyclic GC pass over the whole heap in the
            # middle of the build would only add to it (they are freed by reference counting)
            was = gc.isenabled()
            gc.disable()
            try:
                snap = build_snapshot(self.net, self.index, states, now)
            finally:
                if was:
                    gc.enable()
            self._snap = snap
            return snap

    def next_refresh_in(self) -> float:
        return self.refresh_s

    def summary_lines(self) -> list[str]:
        """One line per source and one for the overlay (for ``maas build`` and ``/v1/health``)."""
        snap = self._snap
        out = []
        for s in snap.sources:
            if s.error is not None and s.feed is None:
                out.append(f"GTFS-RT {s.name}: unavailable ({s.error})")
                continue
            f = s.feed
            out.append(f"GTFS-RT {s.name}: {len(f.trip_updates)} trip updates, {len(f.alerts)} alerts, "
                       f"{len(f.vehicles)} vehicle positions" + (f" (refresh failed: {s.error})" if s.error else ""))
        st = snap.stats
        if st:
            skipped = {k: st[k] for k in ("unknown_trip", "unknown_stop", "unknown_route", "not_running",
                                          "invalid_times", "unsupported") if st.get(k)}
            out.append(f"real-time overlay: {st.get('applied', 0)} trips updated, {st.get('cancelled', 0)} cancelled, "
                       f"{st.get('added', 0)} added, {st.get('skipped_stops', 0)} stops skipped, "
                       f"{st.get('vehicles_matched', 0)}/{st.get('vehicles', 0)} vehicles matched to trips"
                       + (f"; ignored: {skipped}" if skipped else "") + f" (built in {snap.build_s * 1000:.0f} ms)")
        return out


def build_snapshot(net, ix: StaticIndex, states: tuple[SourceState, ...], now: float) -> RealtimeSnapshot:
    """Compile the feeds of ``states`` into an overlay, a network view, alerts and vehicles."""
    t0 = time.perf_counter()
    feeds = [s.feed for s in states if s.feed is not None]
    tus = [tu for f in feeds for tu in f.trip_updates]
    alerts = [a for f in feeds for a in f.alerts]
    vehicles = [v for f in feeds for v in f.vehicles]
    feed_ts = max([f.timestamp for f in feeds if f.timestamp] or [now])
    matches = match_vehicles(ix, vehicles, feed_ts) if vehicles else []
    covered = {tu.trip_id for tu in tus if tu.trip_id}
    vpu = [u for u in vehicle_updates(ix, matches) if u.trip_id not in covered]
    pairs = [(u, SOURCE_VEHICLE) for u in vpu] + [(u, SOURCE_TRIP_UPDATE) for u in tus]
    overlay = compile_overlay(ix, pairs, now=feed_ts) if pairs else None
    view = make_view(net, overlay) if overlay is not None else None
    stats = dict(overlay.stats) if overlay is not None else {}
    stats["vehicles"] = len(vehicles)
    stats["vehicles_matched"] = sum(m.trip is not None for m in matches)
    stats["alerts"] = len(alerts)
    return RealtimeSnapshot(view, overlay, AlertIndex(alerts), tuple(matches), states, now,
                            round(time.perf_counter() - t0, 4), stats)


def make_view(net, ov: Overlay):
    """The static network seen through an overlay: a shallow copy whose trip and route arrays are
    the overlay's combined ones. Stop data, footpaths and profile caches are shared."""
    arrays = dict(net.tt.arrays)
    arrays.update(ov.arrays)
    view = net.with_timetable(Timetable(arrays=arrays, meta=net.tt.meta), ov.n_static_trips)
    view.overlay = ov
    view.realtime = None
    return view


def overlay_day_context(view, day: dt.date, profile, strict: bool):
    """The static day context extended to overlay trips: a replaced or cancelled static trip is
    off on its service day, an overlay trip is on only on its own."""
    from maas.planner.network import DayContext
    base = view.base.day_context(day, profile, strict)
    ov: Overlay = view.overlay
    n_st = ov.n_static_trips
    active = np.zeros((3, n_st + ov.n_trips), np.bool_)
    active[:, :n_st] = base.trip_active
    di = (day - view.first_day).days
    wc = np.asarray(view.tt.trip_wheelchair)[n_st:]
    ok = np.ones(ov.n_trips, bool)
    if profile.step_free:
        ok = (wc == 1) if strict else (wc != 2)
    for s, d in enumerate((-1, 0, 1)):
        j = di + d
        m = ov.masked_day == j
        if m.any():
            active[s, ov.masked_trip[m]] = False
        active[s, n_st:] = (ov.trip_day == j) & ok
    any_service = bool(base.any_service or active[1, n_st:].any())
    return DayContext(base.day, base.ref, base.slot_offsets, active, base.stop_ok, any_service)
