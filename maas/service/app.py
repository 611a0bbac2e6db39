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
  network has a ``mobility`` part.
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
from fastapi import FastAPI, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.middleware.gzip import GZipMiddleware

import maas
from maas.errors import BadRequest, MaasError
from maas.planner.itinerary import WHEELCHAIR_WORDS
from maas.planner.profiles import PROFILES
from maas.planner.trip import MAX_TRANSFERS_LIMIT, MODES
from maas.service import models as m

logger = logging.getLogger("maas.service")

ALL_MODES = MODES
MIN_REFRESH_S = 5.0       # never poll GBFS more often than this
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


def _snapshot(net) -> Loaded:
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
    return Loaded(net, dt.datetime.now(dt.timezone.utc), stops, tuple(routes))


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
                 plan_concurrency: int):
        self.folder = folder
        self.gbfs = gbfs
        self.parking = parking
        self.started = time.monotonic()
        self.current: Loaded = _snapshot(network)
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

    def reload(self, warm: bool = True) -> Loaded:
        """Load the network folder again and swap it in; requests in flight keep the old one.

        Raises MaasError (or OSError) when the folder cannot be loaded; the old network stays.
        """
        if not self.folder:
            raise MaasError("reload: this service was given a network object without a folder to reload from")
        with self._reload_lock:
            net = maas.load_network(self.folder, gbfs=self.gbfs, parking=self.parking)
            if warm:
                warm_up(net)
            loaded = _snapshot(net)
            self.current = loaded          # the atomic swap
            logger.info("reloaded network from %s (%d stops)", self.folder, net.tt.n_stops)
            if self.freeze_gc:
                freeze_heap()              # let the old network go, keep the new one out of GC scans
            return loaded


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
    """Refresh shared-mobility status every ``next_refresh_in()`` seconds; never dies."""
    while True:
        try:
            mob = state.network.mobility
            if mob is None:
                await asyncio.sleep(IDLE_CHECK_S)
                continue
            try:
                delay = float(mob.next_refresh_in())
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
                    logger.info("mobility status refreshed")
            except Exception as exc:  # noqa: BLE001
                logger.exception("mobility refresh failed")
                state.refresh_stats.last_error = f"{type(exc).__name__}: {exc}"[:500]
                await asyncio.sleep(ERROR_BACKOFF_S)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep the loop alive whatever happens
            logger.exception("mobility refresh loop error")
            await asyncio.sleep(ERROR_BACKOFF_S)


# ------------------------------------------------------------------------------------------
# middleware and error handling
# ------------------------------------------------------------------------------------------

_INTERNAL_ERROR = b'{"detail":"internal error"}'


class ServiceMiddleware:
    """Pure ASGI middleware: ``X-Process-Time`` header, and a last-resort 500 for any exception.

    The traceback is logged here (server-side) and the client gets ``{"detail": "internal
    error"}``; the exception is not re-raised, so no traceback reaches the client or the
    server's default error page.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        started = False

        async def send_timed(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                ms = (time.perf_counter() - t0) * 1000
                headers = list(message.get("headers", ()))
                headers.append((b"x-process-time", f"{ms:.2f}".encode()))
                message = dict(message, headers=headers)
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        except Exception:  # noqa: BLE001
            q = scope.get("query_string", b"").decode("latin-1")
            logger.exception("internal error on %s %s%s", scope.get("method"), scope.get("path"),
                             f"?{q}" if q else "")
            if started:   # too late for a clean answer: let the server drop the connection
                raise
            await send_timed({"type": "http.response.start", "status": 500,
                              "headers": [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(_INTERNAL_ERROR)).encode())]})
            await send({"type": "http.response.body", "body": _INTERNAL_ERROR})


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


async def _on_bad_request(request: Request, exc: MaasError) -> JSONResponse:
    return JSONResponse(_bad_request_body(exc), status_code=422)


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    items = []
    for err in exc.errors():
        err = dict(err)
        loc = list(err.get("loc", ()))
        name = next((str(x) for x in reversed(loc) if isinstance(x, str) and x not in ("query", "body", "path")), None)
        msg = str(err.get("msg", "invalid value"))
        if name and not msg.startswith(f"{name}:"):
            msg = f"{name}: {msg}"
        err["msg"] = msg
        err.pop("url", None)
        items.append(err)
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


def _network_stats(loaded: Loaded) -> dict:
    net = loaded.network
    tt = net.tt
    lo, hi = net.service_dates()
    return {"folder": net.folder, "timezone": tt.timezone, "stops": int(tt.n_stops),
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
    out["sources"] = mob.summary_lines()
    return out


# ------------------------------------------------------------------------------------------
# the app
# ------------------------------------------------------------------------------------------

def create_app(network_folder: str | os.PathLike | None = None, network=None, gbfs: list[str] | None = None,
               parking: str | os.PathLike | None = None, refresh: bool = True, warm: bool = True,
               admin_token: str | None = None, plan_concurrency: int | None = None,
               freeze_gc: bool = True) -> FastAPI:
    """Build the FastAPI app over a network folder (loaded here) or an already loaded ``network``.

    ``refresh``: refresh GBFS status in the background (when the network has mobility data).
    ``warm``: run dummy plans at startup so the first request is fast.
    ``admin_token`` (default: env ``MAAS_ADMIN_TOKEN``): when set, ``POST /v1/admin/reload``
    needs the header ``X-Admin-Token`` (or ``Authorization: Bearer``) with this value.
    ``plan_concurrency`` (default: env ``MAAS_PLAN_CONCURRENCY`` or 1): plans computed at once.
    ``freeze_gc``: after startup (and each reload) freeze the heap out of the cyclic GC's scans
    (see :func:`freeze_heap`); this acts on the whole process.
    """
    if network is None:
        if network_folder is None:
            raise ValueError("create_app needs a network folder or a network")
        network = maas.load_network(network_folder, gbfs=list(gbfs) if gbfs else None, parking=parking)
    folder = str(network_folder) if network_folder is not None else getattr(network, "folder", None)
    if admin_token is None:
        admin_token = os.environ.get("MAAS_ADMIN_TOKEN") or None
    if plan_concurrency is None:
        plan_concurrency = int(os.environ.get("MAAS_PLAN_CONCURRENCY", "1") or 1)
    state = ServiceState(network, folder, list(gbfs) if gbfs else None,
                         str(parking) if parking is not None else None, plan_concurrency)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            await anyio.to_thread.run_sync(warm_up, state.network)
        if freeze_gc:
            state.freeze_gc = True
            freeze_heap()
        task = asyncio.create_task(_refresh_loop(state), name="maas-gbfs-refresh") if refresh else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    app = FastAPI(title="maas: Timișoara trip planner", version=maas.__version__, lifespan=lifespan,
                  description="Multimodal trip planning (STPT transit, Velo TM bike share, car share, "
                              "park & ride). Places are `stop:<stop_id>` or `<lat>,<lon>`; times are "
                              "local to the network's timezone, ISO 8601 with offset in responses.")
    app.state.service = state
    app.add_exception_handler(MaasError, _on_bad_request)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)   # level 1: ~4x smaller JSON for ~0.3 ms
    app.add_middleware(ServiceMiddleware)   # outermost: times everything, catches everything
    from maas.service.page import mount_web
    mount_web(app)                          # the web page at / and its files under /static/

    errors_422 = {422: {"model": m.ValidationErrorResponse, "description": "invalid parameter"},
                  503: {"model": m.ErrorResponse, "description": "too many plans queued (MAAS_MAX_QUEUE)"},
                  500: {"model": m.ErrorResponse, "description": "internal error"}}

    # ----- plan -------------------------------------------------------------------------
    def _plan_json(net, t_req: float, kwargs: dict) -> tuple[bytes, str]:
        t1 = time.perf_counter()
        res = net.plan(**kwargs)
        t2 = time.perf_counter()
        # the planner builds the contract's shape itself (tests hold it to m.PlanResponse), so the
        # body is written straight from it: a pydantic round trip would cost 3x the serialisation
        body = pydantic_core.to_json(res, fallback=_plain)
        t3 = time.perf_counter()
        timing = (f"queue;dur={(t1 - t_req) * 1000:.2f}, plan;dur={(t2 - t1) * 1000:.2f}, "
                  f"serialize;dur={(t3 - t2) * 1000:.2f}")
        return body, timing

    @app.get("/v1/plan", response_model=m.PlanResponse, responses=errors_422, tags=["plan"],
             summary="Plan a trip")
    async def plan(
        origin: str = Query(..., alias="from", description="`stop:<stop_id>`, `<lat>,<lon>` or a place name",
                            examples=["stop:74"]),
        destination: str = Query(..., alias="to", description="`stop:<stop_id>`, `<lat>,<lon>` or a place name",
                                 examples=["45.7537,21.2257"]),
        date: Optional[str] = Query(None, description="YYYY-MM-DD (default: today, network timezone)"),
        time_: Optional[str] = Query(None, alias="time",
                                     description="HH:MM[:SS], up to 47:59:59 (default: now)"),
        arrive_by: bool = Query(False, alias="arriveBy", description="`time` is the latest arrival"),
        profile: str = Query("default", description="one of: " + ", ".join(PROFILES)),
        modes: list[str] = Query(["WALK,TRANSIT"], description="comma-separated (or repeated) subset of "
                                 + ", ".join(ALL_MODES)),
        max_transfers: int = Query(6, alias="maxTransfers", ge=0, le=MAX_TRANSFERS_LIMIT),
        num_itineraries: int = Query(5, alias="numItineraries", ge=1, le=20),
        strict: bool = Query(False, description="step-free profiles: exclude legs of unknown accessibility"),
        lang: str = Query("en", pattern="^(en|ro)$", description="language of instructions and notes: en, ro"),
    ) -> Response:
        t_req = time.perf_counter()
        limiter = state.plan_limiter
        if limiter.statistics().tasks_waiting >= state.max_queue:     # shed load rather than time out
            return JSONResponse({"detail": "server busy, retry later"}, status_code=503,
                                headers={"Retry-After": "1"})
        net = state.network                       # this request's network, whatever reloads happen
        if date is None or time_ is None:
            now = dt.datetime.now(net.tz)
            date = date or now.date().isoformat()
            time_ = time_ or now.strftime("%H:%M:%S")
        mode_list = [x for part in modes for x in part.split(",")]
        kwargs = dict(origin=origin, destination=destination, date=date, time=time_, profile=profile,
                      modes=mode_list, max_transfers=max_transfers, arrive_by=arrive_by,
                      num_itineraries=num_itineraries, strict=strict, lang=lang)
        body, timing = await anyio.to_thread.run_sync(_plan_json, net, t_req, kwargs, limiter=limiter)
        return Response(body, media_type="application/json", headers={"Server-Timing": timing})

    # ----- places (geocoder) -------------------------------------------------------------
    @app.get("/v1/geocode", response_model=m.GeocodeResponse, response_model_exclude_none=True,
             responses=errors_422, tags=["places"], summary="Places by name (autocomplete)")
    def geocode(
        text: str = Query(..., description="what the user typed (at most 200 characters)", examples=["piata victoriei"]),
        near: Optional[str] = Query(None, description="`<lat>,<lon>`: nearer places rank higher"),
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
        near: Optional[str] = Query(None, description="`<lat>,<lon>`: only stops within `radius`, nearest first"),
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

    # ----- operations -------------------------------------------------------------------
    @app.get("/v1/health", response_model=m.HealthResponse, tags=["operations"], summary="Liveness and network stats")
    def health():
        loaded = state.current
        return {"status": "ok", "version": maas.__version__, "loaded_at": loaded.loaded_at.isoformat(),
                "uptime_s": round(time.monotonic() - state.started, 1), "pid": os.getpid(),
                "network": _network_stats(loaded),
                "mobility": _mobility_state(state)}

    @app.post("/v1/admin/reload", response_model=m.ReloadResponse, tags=["operations"],
              responses={401: {"model": m.ErrorResponse}, 409: {"model": m.ErrorResponse},
                         500: {"model": m.ErrorResponse}},
              summary="Load the network folder again and swap it in atomically")
    def admin_reload(x_admin_token: Optional[str] = Header(None),
                     authorization: Optional[str] = Header(None)):
        if admin_token:
            given = x_admin_token or (authorization[7:] if authorization and authorization.startswith("Bearer ") else "")
            if not hmac.compare_digest(given.encode(), admin_token.encode()):
                return JSONResponse({"detail": "admin token required"}, status_code=401)
        if not state.folder:
            return JSONResponse({"detail": "no network folder to reload from"}, status_code=409)
        t0 = time.perf_counter()
        try:
            loaded = state.reload(warm=warm)
        except (MaasError, OSError, ValueError) as exc:
            logger.error("reload of %s failed: %s", state.folder, exc)
            return JSONResponse({"detail": f"reload failed, still serving the previous network: {exc}"},
                                status_code=500)
        return {"status": "reloaded", "loaded_at": loaded.loaded_at.isoformat(),
                "seconds": round(time.perf_counter() - t0, 3), "network": _network_stats(loaded)}

    return app


def reload(app: FastAPI) -> Loaded:
    """Reload the network of an app made by :func:`create_app` (same as ``POST /v1/admin/reload``)."""
    return app.state.service.reload()


def serve(network: str | os.PathLike, host: str = "127.0.0.1", port: int = 8000,
          gbfs: list[str] | None = None, parking: str | os.PathLike | None = None,
          log_level: str | None = None, access_log: bool | None = None, workers: int = 1) -> None:
    """Serve the API with uvicorn (``workers`` processes sharing the memory-mapped network).

    uvloop and httptools are used when installed (``uvicorn[standard]``). ``MAAS_LOG_LEVEL``
    (default info) and ``MAAS_ACCESS_LOG`` (default 1) tune logging.
    """
    import uvicorn
    level = (log_level or os.environ.get("MAAS_LOG_LEVEL", "info")).lower()
    if access_log is None:
        access_log = os.environ.get("MAAS_ACCESS_LOG", "1").lower() not in ("0", "false", "no", "off")
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if workers > 1:
        # load once here, so that a bad folder or P+R file is one clear error, not N worker crashes
        maas.load_network(network, gbfs=list(gbfs) if gbfs else None, parking=parking)
        _check_address(host, port)
        # Each worker process memory-maps the same compiled arrays, so N workers cost little
        # memory and use N cores; uvicorn needs an import string to spawn them.
        os.environ["MAAS_NETWORK"] = str(Path(network).resolve())
        os.environ["MAAS_GBFS"] = json.dumps(gbfs) if gbfs else ""
        os.environ["MAAS_PARKING"] = str(parking) if parking else ""
        uvicorn.run("maas.service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=level, access_log=access_log, timeout_graceful_shutdown=10)
        return
    app = create_app(network, gbfs=gbfs, parking=parking)
    _check_address(host, port)
    uvicorn.run(app, host=host, port=port, workers=1, log_level=level, access_log=access_log,
                timeout_graceful_shutdown=10)


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
    return create_app(os.environ["MAAS_NETWORK"], gbfs=json.loads(gbfs) if gbfs else None,
                      parking=os.environ.get("MAAS_PARKING") or None)
