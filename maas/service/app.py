"""The HTTP API (FastAPI, ``/v1``): trip plans, stops, routes, shared mobility, health, reload.

Design:

* The loaded network is immutable while served. :class:`ServiceState` holds the current one in a
  :class:`Loaded` snapshot; a request reads the reference once and keeps that object to the end,
  and :meth:`ServiceState.reload` builds a new snapshot then swaps the reference (one attribute
  assignment), so requests in flight finish on the old network.
* Planning is CPU-bound and the numba kernels hold the GIL: plans run in worker threads behind a
  capacity limiter (``MAAS_PLAN_CONCURRENCY``, default 1) so that concurrent requests queue in
  order instead of sharing the interpreter and all getting slow together; the event loop stays
  free for health checks and cheap lookups.
* Every response carries ``X-Process-Time`` (milliseconds from the request reaching the app to the
  response headers, queueing included); plan responses add ``Server-Timing``
  (``queue``, ``plan``, ``serialize``).
* Load shedding: when ``MAAS_MAX_QUEUE`` (default 256) plans already wait, a new one gets 503
  with ``Retry-After: 1`` instead of waiting until its client times out.
* Errors: invalid parameters -> 422 ``{"detail": [{"loc": ["query", NAME], "msg": "NAME: reason",
  "type": ...}]}``; anything unexpected -> logged with its traceback, 500
  ``{"detail": "internal error"}``.
* Shared-mobility status (GBFS) is refreshed in the background by the sources' ``ttl`` when the
  network has a ``mobility`` part, and at once when a local source's files change (their stats
  are compared every second).
* With ``maas serve --workers N`` a reload reaches every worker: see :mod:`maas.service.sync`.
* Nothing internal leaks: no body names a filesystem path or quotes an exception; sources are
  named by their id; the full detail goes to the server log.
* Strict parameters (:mod:`maas.service.params`), size and rate limits (:mod:`maas.service.limits`)
  and metrics (:mod:`maas.service.metrics`) apply to every route, including ones added later.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import hmac
import json
import logging
import math
import os
import threading
import time
from pathlib import Path
from typing import Any, Optional

import anyio
import anyio.to_thread
import pydantic_core
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

import maas
from maas.errors import BadRequest, MaasError
from maas.service import params as P
from maas.service.limits import BodyTooLarge, GuardMiddleware, Limits
from maas.service.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE, Metrics
from maas.service.sync import POLL_S, RETRY_S as SYNC_RETRY_S, RUNTIME_ENV, SETTLE_S, ReloadSync, folder_signature
from maas.planner.itinerary import WHEELCHAIR_WORDS
from maas.planner.profiles import PROFILES
from maas.planner.trip import MAX_TRANSFERS_LIMIT, MODES
from maas.service import models as m

logger = logging.getLogger("maas.service")

ALL_MODES = MODES
MODES_PATTERN = P.list_of_pattern(ALL_MODES)
MIN_REFRESH_S = 0.5       # never run the refresh step more often than this
MAX_REFRESH_S = 3600.0    # ... nor less often
IDLE_CHECK_S = 30.0       # no mobility: look again later (a reload may bring some)
ERROR_BACKOFF_S = 30.0


# ------------------------------------------------------------------------------------------
# state
# ------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Loaded:
    """One loaded network and what the lookups precompute from it (never mutated)."""

    network: Any
    loaded_at: dt.datetime
    stops: tuple[dict, ...]     # Stop dicts in network order (without distance)
    routes: tuple[dict, ...]    # Route dicts
    signature: Optional[str] = None   # the folder's file stats when loaded (maas.service.sync)
    generation: int = 0               # reload generation this snapshot belongs to


def _snapshot(net, signature: str | None = None, generation: int = 0) -> Loaded:
    tt = net.tt
    names: list[list[str]] = [[] for _ in range(tt.n_stops)]
    ptr, rr = tt.stop_route_ptr, tt.stop_route_r
    for s in range(tt.n_stops):
        seen = names[s]
        for r in rr[int(ptr[s]):int(ptr[s + 1])]:
            g = int(tt.route_groute[r])
            sn = str(tt.groute_short_name[g]) or str(tt.groute_id[g])
            if sn not in seen:
                seen.append(sn)
    stops = tuple({"stop_id": str(tt.stop_id[i]), "name": str(tt.stop_name[i]),
                   "lat": round(float(tt.stop_lat[i]), 6), "lon": round(float(tt.stop_lon[i]), 6),
                   "wheelchair": WHEELCHAIR_WORDS.get(int(tt.stop_wheelchair[i]), "unknown"),
                   "routes": sorted(names[i], key=_route_sort_key)} for i in range(tt.n_stops))
    arrays = tt.arrays
    routes = []
    for g in range(len(tt.groute_id)):
        color = str(tt.groute_color[g]) if "groute_color" in arrays else ""
        routes.append({"route_id": str(tt.groute_id[g]), "short_name": str(tt.groute_short_name[g]),
                       "long_name": str(tt.groute_long_name[g]), "mode": str(tt.groute_mode[g]),
                       "color": color or None,
                       "route_type": int(tt.groute_type[g]) if "groute_type" in arrays else None})
    routes.sort(key=lambda r: (_route_sort_key(r["short_name"]), r["route_id"]))
    return Loaded(net, dt.datetime.now(dt.timezone.utc), stops, tuple(routes), signature, generation)


def _route_sort_key(name: str):
    """Natural order for route names: 1, 2, 10, E1, M14 ..."""
    digits = "".join(ch for ch in name if ch.isdigit())
    return (0 if name.isdigit() else 1, "".join(ch for ch in name if not ch.isdigit()),
            int(digits) if digits else 0, name)


@dataclasses.dataclass
class RefreshStats:
    last_at: Optional[dt.datetime] = None
    last_error: Optional[str] = None
    count: int = 0


class ServiceState:
    """Holds the served network; ``reload()`` swaps it atomically."""

    def __init__(self, network, folder: str | None, gbfs: list[str] | None, parking: str | None,
                 plan_concurrency: int, sync: ReloadSync | None = None, metrics: Metrics | None = None,
                 watch: bool = False, signature: str | None = None,
                 realtime: list[str] | None = None, realtime_interval: float = 30.0):
        self.realtime = realtime
        self.realtime_interval = float(realtime_interval)
        self.folder = folder
        self.gbfs = gbfs
        self.parking = parking
        self.started = time.monotonic()
        self.sync = sync or ReloadSync(None)
        self.metrics = metrics or Metrics()
        self.watch = watch and bool(folder)
        self.current: Loaded = _snapshot(network, signature, self.sync.seen)
        self.warmed = False
        self.reload_error: Optional[str] = None     # public: the last failed reload, if any
        self.refresh_stats = RefreshStats()
        self._reload_lock = threading.Lock()
        self.plan_concurrency = max(1, int(plan_concurrency))
        self._plan_limiter: anyio.CapacityLimiter | None = None
        self.freeze_gc = False
        self.max_queue = int(os.environ.get("MAAS_MAX_QUEUE", "256") or 256)

    @property
    def network(self):
        return self.current.network

    @property
    def plan_limiter(self) -> anyio.CapacityLimiter:
        # created lazily: a CapacityLimiter belongs to the event loop that first uses it
        if self._plan_limiter is None:
            self._plan_limiter = anyio.CapacityLimiter(self.plan_concurrency)
        return self._plan_limiter

    def reload(self, warm: bool = True, generation: int | None = None, trigger: str = "admin") -> Loaded:
        """Load the network folder again and swap it in; requests in flight keep the old one.

        ``generation``: the reload generation being followed (another worker published it); when
        None, this is a new reload and its generation is published to the other workers.
        Raises MaasError (or OSError) when the folder cannot be loaded; the old network stays.
        """
        if not self.folder:
            raise MaasError("reload: this service was given a network object without a folder to reload from")
        with self._reload_lock:
            try:
                signature = folder_signature(self.folder)   # before loading: a later change is seen again
                net = maas.load_network(self.folder, gbfs=self.gbfs, parking=self.parking, realtime=self.realtime)
                if net.realtime is not None:
                    net.realtime.refresh_s = self.realtime_interval
                if warm:
                    warm_up(net)
            except Exception:
                self.metrics.reloads.labels(trigger, "failed").inc()
                raise
            number = self.sync.publish(signature) if generation is None else generation
            if generation is not None:
                self.sync.seen = max(self.sync.seen, generation)
            loaded = _snapshot(net, signature, number)
            self.current = loaded          # the atomic swap
            self.reload_error = None
            self.metrics.reloads.labels(trigger, "ok").inc()
            self.metrics.loaded_at.set(time.time())
            self.metrics.generation.set(number)
            logger.info("reloaded network from %s (%d stops, digest %s, generation %d, %s)", self.folder,
                        net.tt.n_stops, net.tt.meta.get("digest"), number, trigger)
            if self.freeze_gc:
                freeze_heap()              # let the old network go, keep the new one out of GC scans
            return loaded

    def follow(self, gen) -> None:
        """Serve generation ``gen`` published by another worker (reload unless already served)."""
        cur = self.current
        if gen.signature is not None and gen.signature == cur.signature == folder_signature(self.folder):
            self.sync.seen = max(self.sync.seen, gen.number)     # same files: nothing to load
            self.current = dataclasses.replace(cur, generation=gen.number)
            self.metrics.generation.set(gen.number)
            logger.info("generation %d: network folder unchanged, nothing to reload", gen.number)
            return
        self.reload(warm=True, generation=gen.number, trigger="sync")


def freeze_heap() -> None:
    """Move every live object to the GC's permanent generation (``gc.freeze``).

    A loaded network holds a few hundred thousand Python objects (lookups, caches); without this
    each full collection scans them all and stalls a request by ~200 ms. Objects frozen before a
    reload are unfrozen first, so an old network can still be collected.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def warm_up(net) -> float:
    """Run a few dummy plans so that the numba kernels are loaded and caches are filled.

    Never raises (a failed warm-up is logged); returns the seconds spent.
    """
    t0 = time.perf_counter()
    try:
        tt = net.tt
        from maas.planner.profiles import get_profile
        for p in PROFILES:
            with contextlib.suppress(Exception):
                net.profile_arrays(get_profile(p))
        with contextlib.suppress(Exception):   # the geocoder's lazy tables (prefix typos, reverse tree)
            net.geocode("gara de nord")
            net.reverse_geocode(float(tt.stop_lat[0]), float(tt.stop_lon[0]))
        if tt.n_stops < 2:
            return 0.0
        lo, hi = net.service_dates()
        day = lo
        for i in range(min(14, (hi - lo).days + 1)):   # a weekday with service, if there is one
            cand = lo + dt.timedelta(days=i)
            if cand.weekday() < 5:
                day = cand
                break
        # the busiest stop and another one some way off
        import numpy as np
        counts = np.diff(np.asarray(tt.stop_route_ptr))
        a = int(np.argmax(counts))
        b = int(np.argmax(np.where(np.arange(tt.n_stops) != a, counts, -1)))
        modes = list(ALL_MODES) if getattr(net, "mobility", None) is not None else ["WALK", "TRANSIT"]
        o = f"stop:{tt.stop_id[a]}"
        d = f"{float(tt.stop_lat[b]) + 0.001:.6f},{float(tt.stop_lon[b]):.6f}"
        for arrive_by in (False, True):
            for profile in ("default", "wheelchair"):
                try:
                    net.plan(o, d, day.isoformat(), "08:00", profile=profile, modes=modes, arrive_by=arrive_by)
                except Exception:  # noqa: BLE001 - warming up must not stop the service
                    logger.warning("warm-up plan failed (%s, arrive_by=%s)", profile, arrive_by, exc_info=True)
    except Exception:  # noqa: BLE001
        logger.warning("warm-up failed", exc_info=True)
    secs = time.perf_counter() - t0
    logger.info("warm-up took %.2f s", secs)
    return secs


async def _refresh_loop(state: ServiceState) -> None:
    """Refresh shared-mobility status every ``next_refresh_in()`` seconds, or every
    ``check_interval()`` (cheap file-stat checks) when the sources have one; never dies."""
    while True:
        try:
            mob = state.network.mobility
            if mob is None:
                await asyncio.sleep(IDLE_CHECK_S)
                continue
            try:
                delay = float(mob.next_refresh_in())
                check = getattr(mob, "check_interval", None)
                fast = check() if check is not None else None
                if fast is not None:
                    delay = min(delay, float(fast))
                if not math.isfinite(delay):
                    delay = MAX_REFRESH_S
            except Exception:  # noqa: BLE001
                logger.exception("mobility.next_refresh_in() failed")
                delay = ERROR_BACKOFF_S
            await asyncio.sleep(min(max(delay, MIN_REFRESH_S), MAX_REFRESH_S))
            mob = state.network.mobility          # a reload may have swapped it meanwhile
            if mob is None:
                continue
            try:
                changed = await anyio.to_thread.run_sync(mob.refresh)
                st = state.refresh_stats
                st.last_at, st.last_error, st.count = dt.datetime.now(dt.timezone.utc), None, st.count + 1
                if changed:
                    _log_sources(mob)
                _observe_sources(state, mob)
            except Exception:  # noqa: BLE001
                logger.exception("mobility refresh failed")
                state.refresh_stats.last_error = "refresh failed (see the server log)"
                await asyncio.sleep(ERROR_BACKOFF_S)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep the loop alive whatever happens
            logger.exception("mobility refresh loop error")
            await asyncio.sleep(ERROR_BACKOFF_S)


async def _realtime_loop(state: ServiceState) -> None:
    """Rebuild the GTFS-RT overlay every ``realtime_interval`` seconds (off the request path: in a
    worker thread; the new snapshot is swapped in by one assignment); never dies."""
    while True:
        try:
            await asyncio.sleep(state.realtime_interval)
            rt = state.network.realtime           # a reload may have swapped it meanwhile
            if rt is None:
                continue
            try:
                await anyio.to_thread.run_sync(rt.refresh)
            except Exception:  # noqa: BLE001
                logger.exception("real-time refresh failed")
                await asyncio.sleep(ERROR_BACKOFF_S)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep the loop alive whatever happens
            logger.exception("real-time refresh loop error")
            await asyncio.sleep(ERROR_BACKOFF_S)


def _log_sources(mob) -> None:
    """Server log: the sources' state with full detail (paths and errors), after a change."""
    logger.info("mobility status refreshed")
    snap = getattr(mob, "snapshot", None)
    for src in getattr(snap, "gbfs", ()):
        if getattr(src, "error", None):
            logger.warning("GBFS source %s (%s): %s", src.label(), src.source, src.error)
    pk = getattr(snap, "parking", None)
    if pk is not None and pk.error:
        logger.warning("P+R source %s (%s): %s", pk.sid, pk.path, pk.error)


def _observe_sources(state: ServiceState, mob) -> None:
    states = getattr(mob, "source_states", None)
    if states is not None:
        with contextlib.suppress(Exception):
            state.metrics.observe_sources(states())


async def _sync_loop(state: ServiceState) -> None:
    """Every ``POLL_S``: follow a reload another worker published; with ``watch``, reload a
    changed network folder once it has settled. Reloads run in a thread; never dies."""
    pending: tuple[str | None, float] | None = None
    retry_at = 0.0
    while True:
        try:
            await asyncio.sleep(POLL_S)
            now = time.monotonic()
            if now < retry_at:
                continue
            gen = state.sync.poll()
            if gen is not None:
                try:
                    await anyio.to_thread.run_sync(state.follow, gen)
                except Exception:  # noqa: BLE001 - keep serving the old network, try again later
                    logger.exception("reload to generation %d failed; still serving the previous network",
                                     gen.number)
                    state.reload_error = "reload failed (see the server log)"
                    state.sync.forget()           # read the file again at the retry
                    retry_at = now + SYNC_RETRY_S
                continue
            if state.watch:
                sig = folder_signature(state.folder)
                if sig == state.current.signature:
                    pending = None
                elif pending is None or pending[0] != sig:
                    pending = (sig, now)
                elif now - pending[1] >= SETTLE_S:
                    pending = None
                    try:
                        await anyio.to_thread.run_sync(lambda: state.reload(warm=True, trigger="watch"))
                    except Exception:  # noqa: BLE001
                        logger.exception("reload of the changed network folder failed; still serving "
                                         "the previous network")
                        state.reload_error = "reload failed (see the server log)"
                        retry_at = now + SYNC_RETRY_S
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            logger.exception("reload sync loop error")
            await asyncio.sleep(ERROR_BACKOFF_S)


# ------------------------------------------------------------------------------------------
# middleware and error handling
# ------------------------------------------------------------------------------------------

_INTERNAL_ERROR = b'{"detail":"internal error"}'


_TOO_LARGE = b'{"detail":"request body too large"}'


class ServiceMiddleware:
    """Pure ASGI middleware: ``X-Process-Time`` header, request metrics per route, and a
    last-resort 500 for any exception.

    The traceback is logged here (server-side) and the client gets ``{"detail": "internal
    error"}``; the exception is not re-raised, so no traceback reaches the client or the
    server's default error page.
    """

    def __init__(self, app, metrics: Metrics | None = None):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        started = False
        status = 500

        async def send_timed(message):
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message.get("status", 200))
                ms = (time.perf_counter() - t0) * 1000
                headers = list(message.get("headers", ()))
                headers.append((b"x-process-time", f"{ms:.2f}".encode()))
                message = dict(message, headers=headers)
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        except BodyTooLarge:
            if started:
                raise
            await send_timed({"type": "http.response.start", "status": 413,
                              "headers": [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(_TOO_LARGE)).encode())]})
            await send({"type": "http.response.body", "body": _TOO_LARGE})
        except Exception:  # noqa: BLE001
            q = scope.get("query_string", b"").decode("latin-1")
            logger.exception("internal error on %s %s%s", scope.get("method"), scope.get("path"),
                             f"?{q}" if q else "")
            if self.metrics is not None and scope.get("path") == "/v1/plan":
                self.metrics.plan_errors.labels("INTERNAL_ERROR").inc()
            if started:   # too late for a clean answer: let the server drop the connection
                raise
            await send_timed({"type": "http.response.start", "status": 500,
                              "headers": [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(_INTERNAL_ERROR)).encode())]})
            await send({"type": "http.response.body", "body": _INTERNAL_ERROR})
        finally:
            if self.metrics is not None:
                route = scope.get("route")
                endpoint = getattr(route, "path", None) or "other"
                with contextlib.suppress(Exception):
                    self.metrics.requests.labels(endpoint, scope.get("method", ""), str(status)).inc()
                    self.metrics.latency.labels(endpoint).observe(time.perf_counter() - t0)


def _plain(value):
    """JSON fallback for numpy scalars and arrays that may slip into a response."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _bad_request_body(exc: MaasError) -> dict:
    field = getattr(exc, "field", None)
    msg = str(exc)
    if field and not msg.startswith(f"{field}:"):
        msg = f"{field}: {msg}"
    loc = ["query", field] if field else ["query"]
    return {"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}


def _count_plan_error(request: Request, code: str) -> None:
    if request.url.path == "/v1/plan":
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.plan_errors.labels(code).inc()


async def _on_bad_request(request: Request, exc: MaasError) -> JSONResponse:
    if not isinstance(exc, BadRequest):
        # a MaasError that is not about the request (a feed, a folder...): its text may name
        # paths, so it goes to the log and the client gets the generic answer
        logger.error("error on %s %s: %s", request.method, request.url.path, exc)
        _count_plan_error(request, "INTERNAL_ERROR")
        return JSONResponse({"detail": "internal error"}, status_code=500)
    _count_plan_error(request, "INVALID_PARAMETER")
    return JSONResponse(_bad_request_body(exc), status_code=422)


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    items = []
    for err in exc.errors():
        err = dict(err)
        loc = list(err.get("loc", ()))
        name = next((str(x) for x in reversed(loc) if isinstance(x, str) and x not in ("query", "body", "path")), None)
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "string_pattern_mismatch":       # the pattern is in the OpenAPI schema
            msg = P.pattern_hint((err.pop("ctx", None) or {}).get("pattern"))
        if name and not msg.startswith(f"{name}:"):
            msg = f"{name}: {msg}"
        err["msg"] = msg
        err.pop("url", None)
        items.append(err)
    _count_plan_error(request, "INVALID_PARAMETER")
    return JSONResponse({"detail": jsonable_encoder(items)}, status_code=422)


def _bad(field: str, reason: str) -> BadRequest:
    return BadRequest(f"{field}: {reason}", field=field)


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

def _mobility_list(net, method: str) -> list[dict]:
    mob = getattr(net, "mobility", None)
    if mob is None:
        return []
    return getattr(mob, method)()


def _parse_near(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise _bad("near", f"cannot parse {text!r}; expected <lat>,<lon>")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise _bad("near", f"cannot parse {text!r}; expected <lat>,<lon>") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise _bad("near", f"coordinates out of range in {text!r}")
    return lat, lon


def _alerts_list(net) -> list[dict]:
    from maas.planner.clock import iso
    from maas.realtime.alerts import alert_json
    rt = getattr(net, "realtime", None)
    if rt is None:
        return []
    out = []
    for a in rt.snapshot.alerts.alerts:
        d = alert_json(a)
        d["informed_entities"] = [{k: v for k, v in dataclasses.asdict(e).items() if v is not None} for e in a.entities]
        d["active_periods"] = [{"start": iso(0, int(s), net.tz) if s else None, "end": iso(0, int(e), net.tz) if e else None}
                               for s, e in a.active_periods]
        out.append(d)
    return out


def _transit_vehicles(net) -> list[dict]:
    from maas.planner.clock import iso
    rt = getattr(net, "realtime", None)
    if rt is None:
        return []
    tt = net.tt
    out = []
    for mv in rt.snapshot.vehicles:
        v = mv.vehicle
        trip_id, route_id = v.trip_id, v.route_id
        if mv.trip is not None:
            trip_id = net.trip_ids[mv.trip]
            route_id = str(tt.groute_id[int(tt.route_groute[int(tt.trip_route[mv.trip])])])
        g = rt.index.groute_index.get(route_id or "")
        out.append({"id": v.id, "trip_id": trip_id, "route_id": route_id,
                    "route_short_name": (str(tt.groute_short_name[g]) or None) if g is not None else None,
                    "lat": round(v.lat, 6), "lon": round(v.lon, 6), "bearing": v.bearing,
                    "delay_s": mv.delay_s, "timestamp": iso(0, int(v.timestamp), net.tz) if v.timestamp else None})
    return out


def _network_stats(loaded: Loaded) -> dict:
    net = loaded.network
    tt = net.tt
    lo, hi = net.service_dates()
    return {"timezone": tt.timezone, "generation": loaded.generation, "stops": int(tt.n_stops),
            "routes": int(len(tt.groute_id)), "patterns": int(tt.n_routes), "trips": int(tt.n_trips),
            "footpaths": int(len(tt.fp_to)), "feed_start": lo.isoformat(), "feed_end": hi.isoformat(),
            "digest": tt.meta.get("digest"),
            "agencies": [a.get("name") for a in tt.meta.get("agencies", []) if isinstance(a, dict)]}


def _mobility_state(state: ServiceState) -> dict | None:
    mob = getattr(state.network, "mobility", None)
    if mob is None:
        return None
    out: dict[str, Any] = dict(mob.counts())
    try:
        out["next_refresh_in_s"] = round(float(mob.next_refresh_in()), 1)
    except Exception:  # noqa: BLE001
        out["next_refresh_in_s"] = None
    st = state.refresh_stats
    out["last_refresh"] = st.last_at.isoformat() if st.last_at else None
    out["last_refresh_error"] = st.last_error
    out["refreshes"] = st.count
    states = getattr(mob, "source_states", None)
    out["sources"] = states() if states is not None else []
    return out


def _readiness(state: ServiceState) -> tuple[bool, dict, list[str]]:
    """(ready?, checks, reasons) for /v1/ready: loaded, warm, sources fresh, in step with reloads."""
    reasons: list[str] = []
    checks = {"network_loaded": state.current is not None, "warm": state.warmed}
    if not state.warmed:
        reasons.append("warming up")
    mob = getattr(state.network, "mobility", None)
    bad: list[str] = []
    states = getattr(mob, "source_states", None) if mob is not None else None
    if states is not None:
        try:
            bad = [f"source {s['id']} is {s['status']}" for s in states() if s["status"] in ("stale", "unavailable")]
        except Exception:  # noqa: BLE001
            logger.exception("source_states() failed")
            bad = ["sources cannot be checked"]
    checks["sources_fresh"] = not bad
    reasons += bad
    behind = state.sync.enabled and state.sync.read().number > state.current.generation
    checks["reloads_applied"] = not behind
    if behind:
        reasons.append("a reload is being applied")
    return all(checks.values()), checks, reasons


# ------------------------------------------------------------------------------------------
# the app
# ------------------------------------------------------------------------------------------

def create_app(network_folder: str | os.PathLike | None = None, network=None, gbfs: list[str] | None = None,
               parking: str | os.PathLike | None = None, refresh: bool = True, warm: bool = True,
               admin_token: str | None = None, plan_concurrency: int | None = None,
               freeze_gc: bool = True, watch: bool | None = None, limits: Limits | None = None,
               cors_origins: list[str] | None = None, realtime: list[str] | None = None,
               realtime_interval: float = 30.0) -> FastAPI:
    """Build the FastAPI app over a network folder (loaded here) or an already loaded ``network``.

    ``refresh``: refresh GBFS status in the background (when the network has mobility data).
    ``warm``: run dummy plans at startup so the first request is fast.
    ``admin_token`` (default: env ``MAAS_ADMIN_TOKEN``): when set, ``POST /v1/admin/reload``
    needs the header ``X-Admin-Token`` (or ``Authorization: Bearer``) with this value.
    ``plan_concurrency`` (default: env ``MAAS_PLAN_CONCURRENCY`` or 1): plans computed at once.
    ``freeze_gc``: after startup (and each reload) freeze the heap out of the cyclic GC's scans
    (see :func:`freeze_heap`); this acts on the whole process.
    ``watch`` (default: env ``MAAS_WATCH``): reload when the network folder changes.
    ``limits`` (default: :func:`limits_from_env`): request size and rate limits.
    ``cors_origins`` (default: env ``MAAS_CORS_ORIGINS``, comma-separated): origins allowed to
    call the API from a browser; none by default (the page is same-origin).
    With ``MAAS_RUNTIME_DIR`` set (``maas serve`` does), reloads are shared with the other workers.
    ``realtime``: GTFS-RT sources (default: those recorded in the network folder), rebuilt every
    ``realtime_interval`` seconds in the background when ``refresh``.
    """
    signature = None
    if network is None:
        if network_folder is None:
            raise ValueError("create_app needs a network folder or a network")
        signature = folder_signature(network_folder)
        network = maas.load_network(network_folder, gbfs=list(gbfs) if gbfs else None, parking=parking,
                                    realtime=list(realtime) if realtime else None)
    if network.realtime is not None:
        network.realtime.refresh_s = float(realtime_interval)
    folder = str(network_folder) if network_folder is not None else getattr(network, "folder", None)
    if watch is None:
        watch = os.environ.get("MAAS_WATCH", "").lower() in ("1", "true", "yes", "on")
    if limits is None:
        limits = limits_from_env()
    if cors_origins is None:
        cors_origins = [o.strip() for o in os.environ.get("MAAS_CORS_ORIGINS", "").split(",") if o.strip()]
    metrics = Metrics()
    if admin_token is None:
        admin_token = os.environ.get("MAAS_ADMIN_TOKEN") or None
    if plan_concurrency is None:
        plan_concurrency = int(os.environ.get("MAAS_PLAN_CONCURRENCY", "1") or 1)
    state = ServiceState(network, folder, list(gbfs) if gbfs else None,
                         str(parking) if parking is not None else None, plan_concurrency,
                         sync=ReloadSync.from_env(), metrics=metrics, watch=watch, signature=signature,
                         realtime=list(realtime) if realtime else None,
                         realtime_interval=realtime_interval)
    metrics.generation.set(state.current.generation)
    if getattr(network, "mobility", None) is not None:
        _observe_sources(state, network.mobility)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            await anyio.to_thread.run_sync(warm_up, state.network)
        state.warmed = True
        if freeze_gc:
            state.freeze_gc = True
            freeze_heap()
        tasks = []
        if refresh:
            tasks.append(asyncio.create_task(_refresh_loop(state), name="maas-gbfs-refresh"))
        if refresh:
            tasks.append(asyncio.create_task(_realtime_loop(state), name="maas-gtfs-rt-refresh"))
        if state.sync.enabled or state.watch:
            tasks.append(asyncio.create_task(_sync_loop(state), name="maas-reload-sync"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            Metrics.process_exited()

    # strict_query: every route, present and future (repeated parameters, ASCII numbers, booleans);
    # the refusals of the limits and the last-resort 500 are documented on every route as well
    app = FastAPI(title="maas: Timișoara trip planner", version=maas.__version__, lifespan=lifespan,
                  dependencies=[Depends(P.strict_query)], responses=_COMMON_RESPONSES,
                  description="Multimodal trip planning (STPT transit, Velo TM bike share, car share, "
                              "park & ride). Places are `stop:<stop_id>` or `<lat>,<lon>`; times are "
                              "local to the network's timezone, ISO 8601 with offset in responses.")
    app.state.service = state
    app.state.metrics = metrics
    app.add_exception_handler(MaasError, _on_bad_request)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)   # level 1: ~4x smaller JSON for ~0.3 ms
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET"],
                           allow_headers=["Accept", "Accept-Language", "Content-Type"], max_age=600)

    def _limited(path: str, status: int) -> None:
        if path == "/v1/plan":
            metrics.plan_errors.labels("RATE_LIMITED" if status == 429 else "TOO_LARGE").inc()
    app.add_middleware(GuardMiddleware, limits=limits, on_limited=_limited)
    app.add_middleware(ServiceMiddleware, metrics=metrics)   # outermost: times everything, catches everything
    from maas.service.page import mount_web
    mount_web(app)                          # the web page at / and its files under /static/

    errors_422 = {422: {"model": m.ValidationErrorResponse, "description": "invalid parameter"},
                  429: {"model": m.ErrorResponse, "description": "per-client rate limit (MAAS_PLAN_RATE_LIMIT)"},
                  503: {"model": m.ErrorResponse, "description": "too many plans queued (MAAS_MAX_QUEUE)"},
                  500: {"model": m.ErrorResponse, "description": "internal error"}}

    # ----- plan -------------------------------------------------------------------------
    def _plan_json(net, t_req: float, kwargs: dict, started: list) -> tuple[bytes, str]:
        started.append(True)
        metrics.queue.dec()
        metrics.in_flight.inc()
        try:
            t1 = time.perf_counter()
            res = net.plan(**kwargs)
            t2 = time.perf_counter()
        finally:
            metrics.in_flight.dec()
        for msg in res.get("messages", ()):
            metrics.plan_errors.labels(str(msg.get("code", "UNKNOWN"))).inc()
        # the planner builds the contract's shape itself (tests hold it to m.PlanResponse), so the
        # body is written straight from it: a pydantic round trip would cost 3x the serialisation.
        # The sources refuse non-finite numbers at read time; should one slip through anyway, it
        # is written as null (valid JSON) rather than as NaN, which no JSON parser accepts.
        body = pydantic_core.to_json(res, fallback=_plain, inf_nan_mode="null")
        t3 = time.perf_counter()
        timing = (f"queue;dur={(t1 - t_req) * 1000:.2f}, plan;dur={(t2 - t1) * 1000:.2f}, "
                  f"serialize;dur={(t3 - t2) * 1000:.2f}")
        return body, timing

    @app.get("/v1/plan", response_model=m.PlanResponse, responses=errors_422, tags=["plan"],
             summary="Plan a trip")
    async def plan(
        origin: str = Query(..., alias="from", description="`stop:<stop_id>`, `<lat>,<lon>` or a place name",
                            examples=["stop:74"], pattern=P.PLACE_PATTERN, max_length=200),
        destination: str = Query(..., alias="to", description="`stop:<stop_id>`, `<lat>,<lon>` or a place name",
                                 examples=["45.7537,21.2257"], pattern=P.PLACE_PATTERN, max_length=200),
        date: Optional[str] = Query(None, description="YYYY-MM-DD (default, or empty: today, network timezone)",
                                    pattern=P.DATE_PATTERN),
        time_: Optional[str] = Query(None, alias="time", pattern=P.TIME_PATTERN,
                                     description="HH:MM[:SS], up to 47:59:59 (default, or empty: now)"),
        arrive_by: bool = Query(False, alias="arriveBy", description="`time` is the latest arrival"),
        profile: str = Query("default", description="one of: " + ", ".join(PROFILES),
                             pattern=P.one_of_pattern(PROFILES)),
        modes: list[P.Pattern(MODES_PATTERN)] = Query(  # type: ignore[valid-type]
            ["WALK,TRANSIT"], description="comma-separated (or repeated) subset of " + ", ".join(ALL_MODES)),
        max_transfers: int = Query(6, alias="maxTransfers", ge=0, le=MAX_TRANSFERS_LIMIT),
        num_itineraries: int = Query(5, alias="numItineraries", ge=1, le=20),
        strict: bool = Query(False, description="step-free profiles: exclude legs of unknown accessibility"),
        lang: str = Query("en", pattern="^(en|ro)$", description="language of instructions and notes: en, ro"),
        realtime: bool = Query(True, description="plan on GTFS-RT delays and cancellations (false: the schedule)"),
    ) -> Response:
        t_req = time.perf_counter()
        limiter = state.plan_limiter
        if limiter.statistics().tasks_waiting >= state.max_queue:     # shed load rather than time out
            metrics.plan_errors.labels("BUSY").inc()
            return JSONResponse({"detail": "server busy, retry later"}, status_code=503,
                                headers={"Retry-After": "1"})
        loaded = state.current                    # this request's network, whatever reloads happen
        net = loaded.network
        date, time_ = P.empty_to_none(date), P.empty_to_none(time_)
        if date is None or time_ is None:
            now = dt.datetime.now(net.tz)
            date = date or now.date().isoformat()
            time_ = time_ or now.strftime("%H:%M:%S")
        mode_list = [x for part in modes for x in part.split(",")]
        kwargs = dict(origin=origin, destination=destination, date=date, time=time_, profile=profile,
                      modes=mode_list, max_transfers=max_transfers, arrive_by=arrive_by,
                      num_itineraries=num_itineraries, strict=strict, lang=lang, realtime=realtime)
        metrics.queue.inc()
        started: list = []
        try:
            body, timing = await anyio.to_thread.run_sync(_plan_json, net, t_req, kwargs, started, limiter=limiter)
        except BaseException:
            if not started:               # cancelled while queued
                metrics.queue.dec()
            raise
        return Response(body, media_type="application/json",
                        headers={"Server-Timing": timing, "X-Network": _network_tag(loaded)})

    # ----- places (geocoder) -------------------------------------------------------------
    @app.get("/v1/geocode", response_model=m.GeocodeResponse, response_model_exclude_none=True,
             responses=errors_422, tags=["places"], summary="Places by name (autocomplete)")
    def geocode(
        text: str = Query(..., description="what the user typed (at most 200 characters)", examples=["piata victoriei"]),
        near: Optional[str] = Query(None, description="`<lat>,<lon>`: nearer places rank higher",
                                    pattern=P.LATLON_PATTERN),
        limit: int = Query(10, ge=1, le=50),
    ):
        return state.network.geocode(text, near=near, limit=limit)

    @app.get("/v1/reverse", response_model=m.GeocodeResponse, response_model_exclude_none=True,
             responses=errors_422, tags=["places"], summary="Places nearest a point")
    def reverse(
        lat: float = Query(..., ge=-90, le=90),
        lon: float = Query(..., ge=-180, le=180),
        limit: int = Query(5, ge=1, le=50),
    ):
        return state.network.reverse_geocode(lat, lon, limit=limit)

    # ----- lookups ----------------------------------------------------------------------
    @app.get("/v1/stops", response_model=m.StopsResponse, response_model_exclude_none=True, responses=errors_422,
             tags=["network"],
             summary="Stops, all or near a point (sorted by distance)")
    def stops(
        near: Optional[str] = Query(None, description="`<lat>,<lon>`: only stops within `radius`, nearest first",
                                    pattern=P.LATLON_PATTERN),
        radius: float = Query(500.0, gt=0, le=5000, description="metres, with `near`"),
        limit: int = Query(1000, ge=1, le=10000),
        offset: int = Query(0, ge=0),
    ):
        loaded = state.current
        if near is None:
            items = list(loaded.stops)
        else:
            lat, lon = _parse_near(near)
            idx, dist = loaded.network.stops_within(lat, lon, radius)
            items = [dict(loaded.stops[int(i)], distance_m=round(float(d), 1)) for i, d in zip(idx, dist)]
        return {"stops": items[offset:offset + limit], "total": len(items)}

    @app.get("/v1/routes", response_model=m.RoutesResponse, tags=["network"], summary="Routes (GTFS routes)")
    def routes():
        return {"routes": list(state.current.routes)}

    @app.get("/v1/bike-stations", response_model=m.BikeStationsResponse, tags=["mobility"],
             summary="Bike-share stations and their current status")
    def bike_stations():
        return {"stations": _mobility_list(state.network, "bike_stations")}

    @app.get("/v1/vehicles", response_model=m.VehiclesResponse, tags=["mobility"],
             summary="Free-floating shared vehicles (car share...)")
    def vehicles():
        return {"vehicles": _mobility_list(state.network, "vehicles")}

    @app.get("/v1/park-and-ride", response_model=m.ParkingLotsResponse, tags=["mobility"],
             summary="Park & ride lots")
    def park_and_ride():
        return {"lots": _mobility_list(state.network, "parking_lots")}

    # ----- real time --------------------------------------------------------------------
    @app.get("/v1/stops/{stop_id}/departures", response_model=m.DeparturesResponse, responses=errors_422,
             tags=["realtime"], summary="A stop's next departures, scheduled and expected")
    def stop_departures(
        stop_id: str,
        date: Optional[str] = Query(None, description="YYYY-MM-DD (default: today, network timezone)"),
        time_: Optional[str] = Query(None, alias="time", description="HH:MM[:SS] (default: now)"),
        limit: int = Query(20, ge=1, le=200),
        realtime: bool = Query(True, description="expected times from GTFS-RT (false: the schedule)"),
    ):
        net = state.network
        if date is None or time_ is None:
            now = dt.datetime.now(net.tz)
            date = date or now.date().isoformat()
            time_ = time_ or now.strftime("%H:%M:%S")
        res = net.departures(stop_id, date, time_, limit=limit, realtime=realtime)
        i = net.stop_lookup.get(res["stop"]["stop_id"])
        if i is not None:                      # the same stop object as /v1/stops (with its routes)
            res["stop"] = dict(state.current.stops[i])
        return res

    @app.get("/v1/alerts", response_model=m.AlertsResponse, tags=["realtime"],
             summary="GTFS-RT service alerts of the network")
    def alerts():
        return {"alerts": _alerts_list(state.network)}

    @app.get("/v1/transit-vehicles", response_model=m.TransitVehiclesResponse, tags=["realtime"],
             summary="Live positions of transit vehicles, with their matched trip and delay")
    def transit_vehicles():
        return {"vehicles": _transit_vehicles(state.network)}

    # ----- operations -------------------------------------------------------------------
    @app.get("/v1/health", response_model=m.HealthResponse, tags=["operations"], summary="Liveness and network stats")
    def health():
        loaded = state.current
        return {"status": "ok", "version": maas.__version__, "loaded_at": loaded.loaded_at.isoformat(),
                "uptime_s": round(time.monotonic() - state.started, 1), "pid": os.getpid(),
                "digest": loaded.network.tt.meta.get("digest"), "generation": loaded.generation,
                "network": _network_stats(loaded),
                "mobility": _mobility_state(state), "reload_error": state.reload_error,
                "realtime": loaded.network.realtime.summary_lines() if loaded.network.realtime is not None else None}

    @app.get("/v1/ready", response_model=m.ReadyResponse, tags=["operations"],
             responses={503: {"model": m.ReadyResponse, "description": "not ready (see checks and reasons)"}},
             summary="Readiness: network loaded, warmed up, sources fresh, reloads applied")
    def ready():
        ok, checks, reasons = _readiness(state)
        body = {"status": "ready" if ok else "not_ready", "pid": os.getpid(),
                "generation": state.current.generation, "checks": checks, "reasons": reasons}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def prometheus_metrics():
        # gauges that are read, not pushed: the current queue of this worker is pushed by plans
        return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.post("/v1/admin/reload", response_model=m.ReloadResponse, tags=["operations"],
              responses={401: {"model": m.ErrorResponse}, 409: {"model": m.ErrorResponse},
                         500: {"model": m.ErrorResponse}},
              summary="Load the network folder again and swap it in atomically")
    def admin_reload(x_admin_token: Optional[str] = Header(None),
                     authorization: Optional[str] = Header(None)):
        if admin_token:
            given = x_admin_token or (authorization[7:] if authorization and authorization.startswith("Bearer ") else "")
            # constant time: the comparison takes as long whatever prefix of the token is right
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), admin_token.encode()):
                return JSONResponse({"detail": "admin token required"}, status_code=401)
        if not state.folder:
            return JSONResponse({"detail": "no network folder to reload from"}, status_code=409)
        t0 = time.perf_counter()
        try:
            loaded = state.reload(warm=warm)
        except Exception:  # noqa: BLE001 - the detail (paths, OS errors) is for the log only
            logger.exception("reload of %s failed; still serving the previous network", state.folder)
            state.reload_error = "reload failed (see the server log)"
            return JSONResponse({"detail": "reload failed, still serving the previous network "
                                           "(the server log has the reason)"}, status_code=500)
        return {"status": "reloaded", "loaded_at": loaded.loaded_at.isoformat(),
                "seconds": round(time.perf_counter() - t0, 3), "generation": loaded.generation,
                "pid": os.getpid(), "network": _network_stats(loaded)}

    return app


_COMMON_RESPONSES: dict = {
    413: {"model": m.ErrorResponse, "description": "request body too large (MAAS_MAX_BODY)"},
    414: {"model": m.ErrorResponse, "description": "request target too long (MAAS_MAX_TARGET)"},
    429: {"model": m.ErrorResponse, "description": "rate limited (see Retry-After)"},
    431: {"model": m.ErrorResponse, "description": "request headers too large (MAAS_MAX_HEADERS)"},
    500: {"model": m.ErrorResponse, "description": "internal error (detail in the server log only)"},
}


def _network_tag(loaded: Loaded) -> str:
    """``X-Network`` header of a plan: the network digest (short) and reload generation."""
    digest = str(loaded.network.tt.meta.get("digest") or "")[:16]
    return f"{digest};gen={loaded.generation}"


def limits_from_env() -> Limits:
    """Request limits from ``MAAS_PLAN_RATE_LIMIT`` (plans a second per client, 0 = off),
    ``MAAS_PLAN_RATE_BURST``, ``MAAS_ADMIN_RATE_LIMIT`` (admin requests a minute per client),
    ``MAAS_MAX_TARGET``, ``MAAS_MAX_HEADERS``, ``MAAS_MAX_BODY`` (bytes)."""
    def num(name: str, default: float) -> float:
        raw = os.environ.get(name, "")
        try:
            value = float(raw) if raw.strip() else default
        except ValueError:
            raise MaasError(f"{name}: expected a number, got {raw!r}") from None
        if not math.isfinite(value) or value < 0:
            raise MaasError(f"{name}: expected a number >= 0, got {raw!r}")
        return value
    d = Limits()
    return Limits(max_target=int(num("MAAS_MAX_TARGET", d.max_target)),
                  max_headers=int(num("MAAS_MAX_HEADERS", d.max_headers)),
                  max_body=int(num("MAAS_MAX_BODY", d.max_body)),
                  plan_per_s=num("MAAS_PLAN_RATE_LIMIT", d.plan_per_s),
                  plan_burst=num("MAAS_PLAN_RATE_BURST", d.plan_burst),
                  admin_per_min=num("MAAS_ADMIN_RATE_LIMIT", d.admin_per_min) or d.admin_per_min)


def reload(app: FastAPI) -> Loaded:
    """Reload the network of an app made by :func:`create_app` (same as ``POST /v1/admin/reload``)."""
    return app.state.service.reload()


def serve(network: str | os.PathLike, host: str = "127.0.0.1", port: int = 8000,
          gbfs: list[str] | None = None, parking: str | os.PathLike | None = None,
          log_level: str | None = None, access_log: bool | None = None, workers: int = 1,
          watch: bool = False, insecure_admin: bool = False, cors_origins: list[str] | None = None,
          plan_rate_limit: float | None = None, realtime: list[str] | None = None,
          realtime_interval: float = 30.0) -> None:
    """Serve the API with uvicorn (``workers`` processes sharing the memory-mapped network).

    uvloop and httptools are used when installed (``uvicorn[standard]``). ``MAAS_LOG_LEVEL``
    (default info) and ``MAAS_ACCESS_LOG`` (default 1) tune logging; every line names the process
    (``[pid]``), so the workers' lines can be told apart. With ``workers > 1``, a runtime folder
    (removed at exit) holds the reload generation file (:mod:`maas.service.sync`) and the
    metrics of all workers (:mod:`maas.service.metrics`).

    Refuses (MaasError, CLI exit 2) to listen on an address other than loopback without
    ``MAAS_ADMIN_TOKEN``, unless ``insecure_admin``.
    """
    import logging.config
    import shutil
    import tempfile

    import uvicorn
    level = (log_level or os.environ.get("MAAS_LOG_LEVEL", "info")).lower()
    if access_log is None:
        access_log = os.environ.get("MAAS_ACCESS_LOG", "1").lower() not in ("0", "false", "no", "off")
    _check_admin(host, insecure_admin)
    # the workers are spawned processes: they read their settings from the environment
    if watch:
        os.environ["MAAS_WATCH"] = "1"
    if cors_origins:
        os.environ["MAAS_CORS_ORIGINS"] = ",".join(cors_origins)
    if plan_rate_limit is not None:
        os.environ["MAAS_PLAN_RATE_LIMIT"] = str(plan_rate_limit)
    limits = limits_from_env()         # a bad setting is one clear error before anything starts
    # glibc gives each planning thread its own malloc arena; freed memory then stays spread over
    # up to 8 x cores arenas and RSS creeps up under steady load. Two arenas keep it flat (the
    # workers read the variable at start; this process sets it for itself with mallopt).
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    _limit_malloc_arenas(int(os.environ["MALLOC_ARENA_MAX"]) if os.environ["MALLOC_ARENA_MAX"].isdigit() else 2)
    log_config = _log_config(level)
    logging.config.dictConfig(log_config)
    common = dict(host=host, port=port, log_level=level, access_log=access_log, log_config=log_config,
                  timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                  h11_max_incomplete_event_size=limits.max_target + limits.max_headers)
    if workers > 1:
        # load once here, so that a bad folder or P+R file is one clear error, not N worker crashes
        maas.load_network(network, gbfs=list(gbfs) if gbfs else None, parking=parking,
                          realtime=list(realtime) if realtime else None)
        _check_address(host, port)
        runtime = tempfile.mkdtemp(prefix="maas-serve-")
        try:
            os.makedirs(os.path.join(runtime, "metrics"))
            os.environ[RUNTIME_ENV] = runtime
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(runtime, "metrics")
            # Each worker process memory-maps the same compiled arrays, so N workers cost little
            # memory and use N cores; uvicorn needs an import string to spawn them.
            os.environ["MAAS_NETWORK"] = str(Path(network).resolve())
            os.environ["MAAS_GBFS"] = json.dumps(gbfs) if gbfs else ""
            os.environ["MAAS_PARKING"] = str(parking) if parking else ""
            os.environ["MAAS_REALTIME"] = json.dumps(realtime) if realtime else ""
            os.environ["MAAS_REALTIME_INTERVAL"] = str(realtime_interval)
            uvicorn.run("maas.service.app:app_from_env", factory=True, workers=workers, **common)
        finally:
            shutil.rmtree(runtime, ignore_errors=True)
        return
    app = create_app(network, gbfs=gbfs, parking=parking, realtime=realtime, realtime_interval=realtime_interval)
    _check_address(host, port)
    uvicorn.run(app, workers=1, **common)


def _limit_malloc_arenas(n: int) -> None:
    """glibc ``mallopt(M_ARENA_MAX, n)``; nothing elsewhere."""
    import ctypes
    import ctypes.util
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, max(1, n))       # M_ARENA_MAX


GRACEFUL_SHUTDOWN_S = 10
"""On SIGTERM/SIGINT: stop accepting, finish the requests in flight for up to this long."""


def _is_loopback(host: str) -> bool:
    import ipaddress
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_admin(host: str, insecure_admin: bool) -> None:
    """Refuse an open admin endpoint on a reachable address."""
    if _is_loopback(host) or os.environ.get("MAAS_ADMIN_TOKEN"):
        return
    if insecure_admin:
        logger.warning("serving on %s without MAAS_ADMIN_TOKEN: anyone who can reach the port may reload "
                       "the network (--insecure-admin)", host)
        return
    raise MaasError(f"refusing to serve on {host} without MAAS_ADMIN_TOKEN: anyone who can reach the port "
                    "could reload the network; set MAAS_ADMIN_TOKEN or pass --insecure-admin")


def _log_config(level: str) -> dict:
    """uvicorn's logging, extended to the maas loggers, with the process id on every line; each
    worker applies it when it starts, so the workers' log lines reach the output too."""
    lvl = level.upper()
    fmt = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {
            "default": {"format": fmt},
            "access": {"()": "uvicorn.logging.AccessFormatter", "use_colors": False,
                       "fmt": '%(asctime)s [%(process)d] %(levelname)s access: %(client_addr)s - '
                              '"%(request_line)s" %(status_code)s'},
        },
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": lvl, "propagate": False},
            "uvicorn.error": {"level": lvl},
            "uvicorn.access": {"handlers": ["access"], "level": lvl, "propagate": False},
            "maas": {"handlers": ["default"], "level": lvl, "propagate": False},
        },
    }


def _check_address(host: str, port: int) -> None:
    """A clear error (CLI exit 2) when the address cannot be listened on (instead of uvicorn's exit 1)."""
    import socket
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as exc:
        raise MaasError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def app_from_env() -> FastAPI:
    """App factory for multi-worker serving: the network folder and sources come from the environment."""
    gbfs = os.environ.get("MAAS_GBFS") or ""
    rt = os.environ.get("MAAS_REALTIME") or ""
    return create_app(os.environ["MAAS_NETWORK"], gbfs=json.loads(gbfs) if gbfs else None,
                      parking=os.environ.get("MAAS_PARKING") or None, realtime=json.loads(rt) if rt else None,
                      realtime_interval=float(os.environ.get("MAAS_REALTIME_INTERVAL") or 30.0))
