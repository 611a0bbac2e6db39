"""GBFS 2.3 and 3.0 reader: bike-share stations, free-floating vehicles and pricing plans.

A source is a local folder (with ``gbfs.json`` and the feed files, or just the feed files, or the
path of a ``gbfs.json``) or an http(s) URL of ``gbfs.json``. Both versions are parsed by the same
code: 2.3 and 3.0 field names are accepted in either (``num_bikes_available`` /
``num_vehicles_available``, plain or localized names, integer or RFC 3339 ``last_updated``).

Errors raise :class:`GbfsError` (a :class:`~maas.errors.FeedError`) naming the file or URL, the
record's 1-based index in its data array (``row``) and the field. Inconsistencies that do not
stop the data being used (a status without information, an unknown vehicle type...) are
collected in ``GbfsSystem.warnings``.

Staleness: ``last_updated`` is the newest ``last_updated`` of all documents read, ``ttl`` the
smallest ``ttl``. With ``max_age_s=None`` (the default) a URL source is stale once
``now > last_updated + max(ttl, MIN_TTL_S) + STALE_GRACE_S``, and a local folder is never stale
(sample and archived files carry old timestamps). An explicit ``max_age_s`` applies to any source:
stale once ``now > last_updated + max_age_s``.
"""
from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import httpx

from maas.errors import FeedError, read_failure
from maas.errors import show_value as _show

STALE_GRACE_S: float = 15 * 60
"""Seconds a URL source may lag behind ``last_updated + ttl`` before it is stale."""
MIN_TTL_S: int = 60
"""A ``ttl`` below this (e.g. 0, "always refresh") counts as this many seconds for staleness."""

FEEDS = ("system_information", "station_information", "station_status", "free_bike_status",
         "vehicle_status", "vehicle_types", "system_pricing_plans")
OPTIONAL_FEEDS = frozenset({"vehicle_types", "system_pricing_plans"})
"""Feeds that may be listed in gbfs.json yet be absent (404): a warning, not an error."""

MAX_ABS: float = 1e12
"""No number of a feed may be larger than this (in magnitude): every value that reaches a JSON
body must be finite, and products of two feed values (rate x units) must stay finite too."""
MAX_COUNT: int = 1_000_000
"""Capacities and counts of bikes or docks above this are refused."""
MAX_PRICE: float = 1e6
MAX_RATE: float = 1e4
MAX_RANGE_M: float = 1e8
MAX_UNITS: int = 10_000_000
"""Pricing segment ``start``/``end``/``interval`` (minutes or km) above this are refused."""
MAX_TIMESTAMP: int = 253_402_300_799
"""9999-12-31T23:59:59Z: a later ``last_updated`` cannot be shown as a date."""


def finite_number(value: Any) -> bool:
    """True for a JSON number (not a bool) that is finite and no larger than MAX_ABS."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return abs(value) <= MAX_ABS      # math.isfinite(10**400) raises OverflowError
    return math.isfinite(value) and abs(value) <= MAX_ABS


def valid_text(value: str) -> bool:
    """False for a string that cannot be written as UTF-8 (a lone surrogate, from a JSON escape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class GbfsError(FeedError):
    """A GBFS source cannot be used; names the file or URL, record index and field."""


@dataclass(frozen=True)
class BikeStation:
    """A docking station with its current status."""

    station_id: str
    name: str
    lat: float
    lon: float
    capacity: int | None
    num_bikes_available: int
    num_docks_available: int
    is_installed: bool
    is_renting: bool
    is_returning: bool

    def can_rent(self) -> bool:
        """True when a bike can be taken here now."""
        return self.is_installed and self.is_renting and self.num_bikes_available > 0

    def can_return(self) -> bool:
        """True when a bike can be docked here now."""
        return self.is_installed and self.is_returning and self.num_docks_available > 0


@dataclass(frozen=True)
class Vehicle:
    """A free-floating vehicle (bike, scooter, car...) parked outside any station."""

    vehicle_id: str
    lat: float
    lon: float
    vehicle_type_id: str | None
    form_factor: str
    propulsion: str | None
    is_reserved: bool
    is_disabled: bool
    current_range_meters: float | None
    pricing_plan_id: str | None

    def is_available(self) -> bool:
        """True when the vehicle can be rented now (not reserved, not disabled, not empty)."""
        empty = self.current_range_meters is not None and self.current_range_meters <= 0
        return not (self.is_reserved or self.is_disabled or empty)


@dataclass(frozen=True)
class PricingSegment:
    """One GBFS ``per_min_pricing``/``per_km_pricing`` segment (units: minutes or km)."""

    start: float
    rate: float
    interval: float
    end: float | None = None

    def charge(self, amount: float) -> float:
        """Cost of this segment for a trip of ``amount`` units.

        GBFS: ``rate`` is charged at ``start`` and again every ``interval`` up to (excluding)
        ``end``; a charge falls due once the trip goes past its point (a 10 km trip does not pay
        the charge due at 10 km). ``interval`` 0 charges once.
        """
        stop = amount if self.end is None else min(amount, self.end)
        if stop <= self.start:
            return 0.0
        if self.interval <= 0:
            return self.rate
        return self.rate * math.ceil((stop - self.start) / self.interval - 1e-9)


@dataclass(frozen=True)
class PricingPlan:
    """A pricing plan: ``price`` once (unlock) plus the per-minute and per-km segments.

    ``per_min_rate``/``per_km_rate`` summarise the first segment that charges anything (currency
    per minute or km, 0 if none); ``free_minutes`` is how long a trip runs before the first
    per-minute charge (0 when time is charged from the start or never charged). When a plan is
    built by hand without segments, ``cost`` uses these summaries linearly.
    """

    plan_id: str
    name: str
    currency: str
    price: float
    per_min_rate: float = 0.0
    per_km_rate: float = 0.0
    free_minutes: float = 0.0
    per_min_pricing: tuple[PricingSegment, ...] = ()
    per_km_pricing: tuple[PricingSegment, ...] = ()

    def cost(self, minutes: float, km: float = 0.0) -> float:
        """Total price of a trip lasting ``minutes`` over ``km`` kilometres."""
        total = self.price
        if self.per_min_pricing:
            total += sum(s.charge(minutes) for s in self.per_min_pricing)
        else:
            total += self.per_min_rate * max(0.0, minutes - self.free_minutes)
        if self.per_km_pricing:
            total += sum(s.charge(km) for s in self.per_km_pricing)
        else:
            total += self.per_km_rate * km
        return round(max(total, 0.0), 6)     # discounts (negative rates) never pay the rider


@dataclass
class GbfsSystem:
    """Everything read from one GBFS system at ``fetched_at`` (see the module doc for staleness)."""

    system_id: str
    name: str
    version: str
    source: str
    last_updated: int
    ttl: int
    stations: list[BikeStation]
    vehicles: list[Vehicle]
    vehicle_types: dict[str, dict]
    pricing_plans: dict[str, PricingPlan]
    warnings: list[str]
    fetched_at: float
    max_age_s: float | None = None
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """URL source: each document's (``ETag``, ``Last-Modified``), for :func:`url_unchanged`."""

    @property
    def is_remote(self) -> bool:
        """True when read over http(s)."""
        return self.source.startswith(("http://", "https://"))

    def is_stale(self, now: float | None = None) -> bool:
        """True when the data is too old to trust availability (module doc: the rule)."""
        limit = self.max_age_s
        if limit is None:
            if not self.is_remote:
                return False
            limit = max(self.ttl, MIN_TTL_S) + STALE_GRACE_S
        return (time.time() if now is None else now) > self.last_updated + limit

    def to_json(self) -> dict:
        """Plain JSON-ready dict for the HTTP API."""
        stations = [asdict(s) | {"can_rent": s.can_rent(), "can_return": s.can_return()}
                    for s in self.stations]
        vehicles = [asdict(v) | {"is_available": v.is_available()} for v in self.vehicles]
        plans = {k: {"plan_id": p.plan_id, "name": p.name, "currency": p.currency,
                     "price": p.price, "per_min_rate": p.per_min_rate,
                     "per_km_rate": p.per_km_rate, "free_minutes": p.free_minutes}
                 for k, p in self.pricing_plans.items()}
        return {"system_id": self.system_id, "name": self.name, "version": self.version,
                "source": self.source, "last_updated": self.last_updated, "ttl": self.ttl,
                "fetched_at": self.fetched_at, "stale": self.is_stale(),
                "stations": stations, "vehicles": vehicles, "pricing_plans": plans,
                "warnings": list(self.warnings)}


# ----------------------------------------------------------------------------- record checks

class _Rec:
    """One JSON object of a feed, with typed accessors raising GbfsError at file/row/field."""

    def __init__(self, file: str, row: int | None, rec: Any, prefix: str = ""):
        self.file, self.row, self.prefix = file, row, prefix
        if not isinstance(rec, dict):
            raise GbfsError(file, f"expected an object, got {type(rec).__name__}", row,
                            prefix.rstrip(".") or None)
        self.rec = rec

    def err(self, key: str, message: str) -> GbfsError:
        return GbfsError(self.file, message, self.row, self.prefix + key)

    def _get(self, key: str, required: bool) -> Any:
        value = self.rec.get(key)
        if value is None and required:
            raise self.err(key, "missing required field")
        return value

    def str_(self, key: str, required: bool = True) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.err(key, f"expected a string, got {_show(value)}")
        if isinstance(value, int) and not finite_number(value):
            raise self.err(key, "expected a string, got a huge number")
        if str(value) == "":
            raise self.err(key, "empty string")
        if not valid_text(str(value)):
            raise self.err(key, "not valid Unicode text")
        return str(value)

    def text(self, key: str, required: bool = True) -> str | None:
        """A plain string (2.x) or a localized list ``[{"text", "language"}]`` (3.0): first text."""
        value = self._get(key, required)
        if isinstance(value, list):
            if value and isinstance(value[0], dict) and isinstance(value[0].get("text"), str):
                if not valid_text(value[0]["text"]):
                    raise self.err(key, "not valid Unicode text")
                return value[0]["text"]
            raise self.err(key, "expected a localized string [{\"text\": ..., \"language\": ...}]")
        return self.str_(key, required)

    def num(self, key: str, required: bool = True, lo: float | None = None,
            hi: float | None = None) -> float | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not finite_number(value):
            raise self.err(key, f"expected a finite number, got {_show(value)}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.err(key, f"{value} is outside [{lo}, {hi}]")
        return float(value)

    def int_(self, key: str, required: bool = True, hi: float | None = MAX_COUNT) -> int | None:
        value = self.num(key, required, lo=0, hi=hi)
        if value is None:
            return None
        if not value.is_integer():
            raise self.err(key, f"expected a whole number, got {self.rec[key]}")
        return int(value)

    def bool_(self, key: str, required: bool = True, default: bool = False) -> bool:
        value = self._get(key, required)
        if value is None:
            return default
        if value in (0, 1) and not isinstance(value, float):  # True/False are 1/0 too
            return bool(value)
        raise self.err(key, f"expected true/false or 0/1, got {_show(value)}")


def _timestamp(rec: _Rec, key: str) -> int:
    """POSIX seconds (2.x) or an RFC 3339 string (3.0)."""
    value = rec._get(key, True)
    if isinstance(value, str):
        try:
            stamp = int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except (ValueError, OverflowError, OSError):
            raise rec.err(key, f"not a timestamp: {_show(value)}") from None
        if not 0 <= stamp <= MAX_TIMESTAMP:
            raise rec.err(key, f"timestamp out of range: {_show(value)}")
        return stamp
    return int(rec.num(key, lo=0, hi=MAX_TIMESTAMP) or 0)


def _records(doc: dict, file: str, key: str) -> list[Any]:
    value = doc["data"].get(key)
    if not isinstance(value, list):
        raise GbfsError(file, f"data.{key} must be an array", field=key)
    return value


# ----------------------------------------------------------------------------- sources

def _check_doc(doc: Any, file: str) -> dict:
    if not isinstance(doc, dict):
        raise GbfsError(file, "top level must be a JSON object")
    if not isinstance(doc.get("data"), dict):
        raise GbfsError(file, "missing or invalid 'data' object", field="data")
    return doc


def _discovery(doc: dict, file: str) -> dict[str, str]:
    """Feed name -> url: 3.0 ``data.feeds`` or 2.x ``data.<lang>.feeds`` (the first language)."""
    data = doc["data"]
    if "feeds" not in data:
        langs = [v for v in data.values() if isinstance(v, dict) and "feeds" in v]
        if not langs:
            raise GbfsError(file, "no feeds: expected data.feeds (3.0) or data.<language>.feeds "
                            "(2.x)", field="feeds")
        data = langs[0]
    feeds = data["feeds"]
    if not isinstance(feeds, list):
        raise GbfsError(file, "feeds must be an array", field="feeds")
    out: dict[str, str] = {}
    for i, raw in enumerate(feeds, 1):
        rec = _Rec(file, i, raw)
        name, url = rec.str_("name"), rec.str_("url")
        if name in FEEDS and name not in out:
            out[name] = url  # type: ignore[assignment]
    return out


def _read_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise GbfsError(str(path), read_failure(e)) from None
    try:
        return _check_doc(json.loads(text), str(path))
    except json.JSONDecodeError as e:
        raise GbfsError(str(path), f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}"
                        ) from None
    except RecursionError:
        raise GbfsError(str(path), "invalid JSON: nested too deeply") from None



Docs = dict[str, tuple[str, dict]]
"""Feed name -> (file or URL, parsed JSON document)."""


def _folder_docs(source: Path, warnings: list[str]) -> tuple[Docs, dict | None]:
    """Read the feeds of a folder. Returns name -> (file, doc) and the gbfs.json doc if any."""
    if source.is_file():
        root, discovery = source.parent, source
    elif source.is_dir():
        root, discovery = source, source / "gbfs.json"
        if not discovery.is_file():
            discovery = None  # type: ignore[assignment]
    else:
        raise GbfsError(str(source), "no such file or folder")
    docs: Docs = {}
    if discovery is None:
        for name in FEEDS:
            path = root / f"{name}.json"
            if path.is_file():
                docs[name] = (str(path), _read_file(path))
        return docs, None
    gbfs = _read_file(discovery)
    for name, url in _discovery(gbfs, str(discovery)).items():
        base = Path(urlparse(url).path).name
        candidates = [root / base, root / f"{base}.json"] if base else []
        candidates.append(root / f"{name}.json")
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            msg = f"feed {name} has no file {base or name + '.json'} beside gbfs.json"
            if name in OPTIONAL_FEEDS:
                warnings.append(f"{discovery}: {msg}; ignored")
                continue
            raise GbfsError(str(discovery), msg, field="url")
        docs[name] = (str(path), _read_file(path))
    return docs, gbfs


def _fetch(client: httpx.Client, url: str, optional: bool, warnings: list[str],
           validators: dict | None = None) -> dict | None:
    try:
        resp = client.get(url)
    except httpx.TimeoutException:
        raise GbfsError(url, "cannot fetch: timed out") from None
    except httpx.HTTPError as e:
        raise GbfsError(url, f"cannot fetch: {_fetch_failure(e)}") from None
    if resp.status_code == 404 and optional:
        warnings.append(f"{url}: HTTP 404; optional feed ignored")
        return None
    if resp.status_code != 200:
        raise GbfsError(url, f"HTTP {resp.status_code} {resp.reason_phrase}")
    if validators is not None:
        validators[url] = (resp.headers.get("etag"), resp.headers.get("last-modified"))
    try:
        return _check_doc(json.loads(resp.content), url)
    except json.JSONDecodeError as e:
        raise GbfsError(url, f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except (UnicodeDecodeError, RecursionError):
        raise GbfsError(url, "invalid JSON") from None


def _fetch_failure(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    return type(exc).__name__


def _url_docs(url: str, timeout: float, warnings: list[str],
              validators: dict | None = None) -> tuple[Docs, dict]:
    docs: Docs = {}
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        gbfs = _fetch(client, url, False, warnings, validators)
        assert gbfs is not None
        for name, feed_url in _discovery(gbfs, url).items():
            try:
                full = urljoin(url, feed_url)
                httpx.URL(full)
            except (ValueError, httpx.InvalidURL):
                raise GbfsError(url, f"feed {name} has an invalid url", field="url") from None
            doc = _fetch(client, full, name in OPTIONAL_FEEDS, warnings, validators)
            if doc is not None:
                docs[name] = (full, doc)
    return docs, gbfs


# ----------------------------------------------------------------------------- parsing

def _segments(rec: _Rec, key: str) -> tuple[PricingSegment, ...]:
    raw = rec.rec.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise rec.err(key, "expected an array of segments")
    out = []
    for j, seg in enumerate(raw):
        s = _Rec(rec.file, rec.row, seg, f"{rec.prefix}{key}[{j}].")
        # GBFS: start, end and interval are non-negative integers; rate may be negative (a discount)
        start = float(s.int_("start", hi=MAX_UNITS) or 0)
        end_i = s.int_("end", required=False, hi=MAX_UNITS)
        end = None if end_i is None else float(end_i)
        if end is not None and end <= start:
            raise s.err("end", f"end {end} is not after start {start}")
        rate = s.num("rate", lo=-MAX_RATE, hi=MAX_RATE) or 0.0
        out.append(PricingSegment(start, rate, float(s.int_("interval", hi=MAX_UNITS) or 0), end))
    return tuple(out)


def _summary(segments: tuple[PricingSegment, ...]) -> tuple[float, float]:
    """(rate per unit of the first charging segment, units before the first charge)."""
    charging = [s for s in segments if s.rate != 0]
    if not charging:
        return 0.0, 0.0
    first = min(charging, key=lambda s: s.start)
    per_unit = first.rate / first.interval if first.interval > 0 else 0.0
    return per_unit, first.start


_DECIMAL_RE = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")


def _plans(file: str, doc: dict) -> dict[str, PricingPlan]:
    plans: dict[str, PricingPlan] = {}
    for i, raw in enumerate(_records(doc, file, "plans"), 1):
        r = _Rec(file, i, raw)
        plan_id = r.str_("plan_id") or ""
        price_raw = r.rec.get("price")
        if isinstance(price_raw, str):  # 2.x allows a decimal string: digits, not "NaN" or "1e9"
            if not _DECIMAL_RE.fullmatch(price_raw):
                raise r.err("price", f"not a decimal amount: {_show(price_raw)}")
            price = float(price_raw)
            if price > MAX_PRICE:
                raise r.err("price", f"{price} is outside [0, {MAX_PRICE}]")
        else:
            price = r.num("price", lo=0, hi=MAX_PRICE) or 0.0
        per_min, per_km = _segments(r, "per_min_pricing"), _segments(r, "per_km_pricing")
        min_rate, free = _summary(per_min)
        km_rate, _ = _summary(per_km)
        if plan_id in plans:
            raise r.err("plan_id", f"duplicate plan_id {plan_id!r}")
        plans[plan_id] = PricingPlan(plan_id, r.text("name") or "", r.str_("currency") or "",
                                     price, min_rate, km_rate, free, per_min, per_km)
    return plans


def _vehicle_types(file: str, doc: dict) -> dict[str, dict]:
    types: dict[str, dict] = {}
    for i, raw in enumerate(_records(doc, file, "vehicle_types"), 1):
        r = _Rec(file, i, raw)
        type_id = r.str_("vehicle_type_id") or ""
        r.str_("form_factor")
        r.str_("propulsion_type", required=False)
        if type_id in types:
            raise r.err("vehicle_type_id", f"duplicate vehicle_type_id {type_id!r}")
        types[type_id] = dict(r.rec)
    return types


def _stations(info: tuple[str, dict], status: tuple[str, dict],
              warnings: list[str]) -> list[BikeStation]:
    (ifile, idoc), (sfile, sdoc) = info, status
    places: dict[str, tuple[str, float, float, int | None]] = {}
    for i, raw in enumerate(_records(idoc, ifile, "stations"), 1):
        r = _Rec(ifile, i, raw)
        sid = r.str_("station_id") or ""
        if sid in places:
            raise r.err("station_id", f"duplicate station_id {sid!r}")
        places[sid] = (r.text("name") or "", r.num("lat", lo=-90, hi=90) or 0.0,
                       r.num("lon", lo=-180, hi=180) or 0.0, r.int_("capacity", required=False))
    stations: dict[str, BikeStation] = {}
    v3 = str(sdoc.get("version", "")).startswith("3")
    default_key = "num_vehicles_available" if v3 else "num_bikes_available"
    for i, raw in enumerate(_records(sdoc, sfile, "stations"), 1):
        r = _Rec(sfile, i, raw)
        sid = r.str_("station_id") or ""
        if sid in stations:
            raise r.err("station_id", f"duplicate station_id {sid!r}")
        keys = ("num_bikes_available", "num_vehicles_available")
        bikes_key = next((k for k in keys if k in r.rec), default_key)
        bikes = r.int_(bikes_key) or 0
        docks = r.int_("num_docks_available", required=False)
        flags = (r.bool_("is_installed"), r.bool_("is_renting"), r.bool_("is_returning"))
        if sid not in places:
            warnings.append(f"{sfile} row {i}: station {sid!r} has no station_information; skipped")
            continue
        name, lat, lon, capacity = places[sid]
        if docks is None:
            if capacity is None:
                raise r.err("num_docks_available",
                            "missing required field (station has no capacity)")
            docks = max(capacity - bikes, 0)
            warnings.append(f"{sfile} row {i}: no num_docks_available; "
                            f"assumed capacity - bikes = {docks}")
        stations[sid] = BikeStation(sid, name, lat, lon, capacity, bikes, docks, *flags)
    for sid in sorted(places.keys() - stations.keys()):
        warnings.append(f"{sfile}: station {sid!r} has no status; skipped")
    return [stations[sid] for sid in places if sid in stations]


def _vehicles(name: str, feed: tuple[str, dict], types: dict[str, dict],
              plans: dict[str, PricingPlan], warnings: list[str]) -> list[Vehicle]:
    file, doc = feed
    key, id_key = ("bikes", "bike_id") if name == "free_bike_status" else ("vehicles", "vehicle_id")
    out: dict[str, Vehicle] = {}
    for i, raw in enumerate(_records(doc, file, key), 1):
        r = _Rec(file, i, raw)
        vid = r.str_(id_key) or ""
        if vid in out:
            raise r.err(id_key, f"duplicate {id_key} {vid!r}")
        docked = r.str_("station_id", required=False) is not None
        lat = r.num("lat", required=not docked, lo=-90, hi=90)
        lon = r.num("lon", required=not docked, lo=-180, hi=180)
        reserved, disabled = r.bool_("is_reserved"), r.bool_("is_disabled")
        type_id = r.str_("vehicle_type_id", required=False)
        plan_id = r.str_("pricing_plan_id", required=False)
        range_m = r.num("current_range_meters", required=False, lo=0, hi=MAX_RANGE_M)
        if lat is None or lon is None:
            continue  # docked at a station: counted in station_status
        vtype = types.get(type_id or "")
        if type_id is not None and vtype is None:
            warnings.append(f"{file} row {i}: unknown vehicle_type_id {type_id!r}")
        if plan_id is not None and plan_id not in plans:
            warnings.append(f"{file} row {i}: unknown pricing_plan_id {plan_id!r}")
        form = str(vtype.get("form_factor")) if vtype else ("bicycle" if not types else "other")
        propulsion = vtype.get("propulsion_type") if vtype else None
        out[vid] = Vehicle(vid, lat, lon, type_id, form, str(propulsion) if propulsion else None,
                           reserved, disabled, range_m, plan_id)
    return list(out.values())


def load_gbfs(source: str | os.PathLike, *, timeout: float = 5.0, now: float | None = None,
              max_age_s: float | None = None) -> GbfsSystem:
    """Read a GBFS 2.3/3.0 system from a folder, a gbfs.json path or an http(s) URL of gbfs.json.

    ``timeout`` is per HTTP request (seconds). ``now`` (epoch s, default the clock) is recorded as
    ``fetched_at``. ``max_age_s`` overrides the staleness rule (see the module doc).
    """
    warnings: list[str] = []
    validators: dict[str, tuple[str | None, str | None]] = {}
    src = os.fspath(source)
    if src.startswith(("http://", "https://")):
        docs, gbfs = _url_docs(src, timeout, warnings, validators)
        gbfs_file = src
    else:
        docs, gbfs = _folder_docs(Path(src), warnings)
        gbfs_file = str(Path(src) / "gbfs.json") if Path(src).is_dir() else src
    if "system_information" not in docs:
        raise GbfsError(gbfs_file if gbfs else src, "no system_information feed",
                        field="system_information")
    all_docs = [(f, d) for f, d in docs.values()] + ([(gbfs_file, gbfs)] if gbfs else [])
    stamps, ttls = [], []
    for f, d in all_docs:
        header = _Rec(f, None, d)
        stamps.append(_timestamp(header, "last_updated"))
        ttls.append(header.int_("ttl", hi=MAX_UNITS) or 0)
    version = str((gbfs or {}).get("version") or next(
        (d["version"] for _, d in docs.values() if isinstance(d.get("version"), str)), "unknown"))

    sinfo_file, sinfo_doc = docs["system_information"]
    sinfo = _Rec(sinfo_file, None, sinfo_doc["data"], "data.")
    system_id, name = sinfo.str_("system_id") or "", sinfo.text("name") or ""

    if not {"station_status", "free_bike_status", "vehicle_status"} & docs.keys():
        raise GbfsError(gbfs_file if gbfs else src,
                        "no station_status, free_bike_status or vehicle_status feed")
    types = _vehicle_types(*docs["vehicle_types"]) if "vehicle_types" in docs else {}
    plans = _plans(*docs["system_pricing_plans"]) if "system_pricing_plans" in docs else {}
    stations: list[BikeStation] = []
    if ("station_information" in docs) != ("station_status" in docs):
        have, miss = (("station_information", "station_status") if "station_information" in docs
                      else ("station_status", "station_information"))
        raise GbfsError(docs[have][0], f"{have} given without {miss}", field=miss)
    if "station_information" in docs:
        stations = _stations(docs["station_information"], docs["station_status"], warnings)
    vehicles: list[Vehicle] = []
    for feed in ("free_bike_status", "vehicle_status"):
        if feed in docs:
            vehicles += _vehicles(feed, docs[feed], types, plans, warnings)

    system = GbfsSystem(system_id, name, version, src, max(stamps), min(ttls), stations, vehicles,
                        types, plans, warnings, time.time() if now is None else now, max_age_s,
                        validators)
    if system.is_stale(system.fetched_at):
        warnings.append(f"{src}: data is stale "
                        f"(last_updated {system.last_updated}, ttl {system.ttl})")
    return system


def url_unchanged(system: GbfsSystem, timeout: float = 2.0) -> bool | None:
    """Cheap check of a URL source between full reads: a conditional GET (``If-None-Match`` /
    ``If-Modified-Since``) of each document read. True when every one answers 304 Not Modified,
    False when any changed or failed (read the source again), None when the server gave no
    validators to check with (only the ``ttl`` tells then)."""
    checks = {u: v for u, v in system.validators.items() if v[0] or v[1]}
    if not checks or len(checks) < len(system.validators):
        return None
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            for url, (etag, modified) in checks.items():
                headers = {}
                if etag:
                    headers["If-None-Match"] = etag
                if modified:
                    headers["If-Modified-Since"] = modified
                if client.get(url, headers=headers).status_code != 304:
                    return False
    except httpx.HTTPError:
        return False
    return True
