"""Scenario files (YAML or JSON): parsing and validation into dataclasses.

Validation happens in two steps, both before any work starts:

1. :func:`parse_scenario` checks the structure: known keys, types, times and time bands,
   headways, coordinates, the places definition (a zones CSV is read and checked here).
2. :func:`check_against_network` checks what needs the base network: route names and ids,
   stop ids, the date against the feed's service period, coordinates near the network.

Every problem raises :class:`ScenarioError` with one line that names the file, the edit
(``edits[2] (adjust-frequency)``) and the field (``headways[0].end``).

Times are ``HH:MM`` or ``HH:MM:SS`` (hours up to 47 for service after midnight); a band is
``start`` inclusive, ``end`` exclusive. Unquoted ``07:00`` in YAML stays a string here (YAML 1.1
would read it as the base-60 integer 420).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from maas.errors import MaasError

EDIT_TYPES = ("remove-route", "remove-trips", "adjust-frequency", "add-route", "remove-stops",
              "adjust-speed", "add-park-and-ride", "add-bike-stations")
MODES = ("WALK", "TRANSIT", "BIKE_SHARE", "CAR_SHARE", "PARK_RIDE")
ROUTE_MODES = {"TRAM": 0, "SUBWAY": 1, "METRO": 1, "RAIL": 2, "BUS": 3, "FERRY": 4, "CABLE_CAR": 5,
               "GONDOLA": 6, "FUNICULAR": 7, "TROLLEYBUS": 11, "MONORAIL": 12}
TIMETABLE_EDITS = ("remove-route", "remove-trips", "adjust-frequency", "add-route", "remove-stops",
                   "adjust-speed")
MOBILITY_EDITS = ("add-park-and-ride", "add-bike-stations")


class ScenarioError(MaasError):
    """A scenario file that cannot be run; the message names the edit and the field."""

    def __init__(self, message: str, *, file: str | None = None, edit: int | None = None,
                 edit_type: str | None = None, field: str | None = None):
        self.file, self.edit, self.edit_type, self.field = file, edit, edit_type, field
        where = []
        if file:
            where.append(str(file))
        if edit is not None:
            where.append(f"edits[{edit}]" + (f" ({edit_type})" if edit_type else ""))
        if field:
            where.append(f"field {field}")
        self.reason = message
        super().__init__(": ".join(where + [message]))


# --------------------------------------------------------------------------------------------
# dataclasses


@dataclass(frozen=True)
class Band:
    """A time band [start, end) in seconds after midnight of the service day."""

    start: int
    end: int

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end

    def __str__(self) -> str:
        return f"{clock(self.start)}-{clock(self.end)}"


@dataclass(frozen=True)
class Headway:
    """Vehicles every ``seconds`` during [start, end)."""

    start: int
    end: int
    seconds: int

    @property
    def band(self) -> Band:
        return Band(self.start, self.end)


@dataclass(frozen=True)
class StopRef:
    """An existing stop (``stop:ID``) or a new one at coordinates (``lat,lon``)."""

    stop_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    name: str | None = None

    @property
    def is_new(self) -> bool:
        return self.stop_id is None


@dataclass
class Edit:
    """Base class of the edits; ``index`` is the position in the file's ``edits`` list."""

    index: int
    type: str

    @property
    def label(self) -> str:
        return f"edits[{self.index}] ({self.type})"

    def error(self, field: str | None, message: str) -> ScenarioError:
        return ScenarioError(message, edit=self.index, edit_type=self.type, field=field)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("index")
        return d


@dataclass
class RemoveRoute(Edit):
    route: str


@dataclass
class RemoveTrips(Edit):
    route: str
    band: Band
    direction: int | None = None


@dataclass
class AdjustFrequency(Edit):
    route: str
    headways: list[Headway]


@dataclass
class AddRoute(Edit):
    name: str
    mode: str
    stops: list[StopRef]
    headways: list[Headway]
    speed_kmh: float | None = None
    run_times_s: list[float] | None = None
    dwell_s: float = 20.0
    wheelchair_accessible: bool = True
    bidirectional: bool = True
    route_id: str | None = None
    long_name: str = ""
    color: str = ""


@dataclass
class RemoveStops(Edit):
    stops: list[str]
    routes: list[str] | None = None


@dataclass
class AdjustSpeed(Edit):
    route: str
    factor: float
    band: Band | None = None


@dataclass
class AddParkAndRide(Edit):
    id: str
    name: str
    lat: float
    lon: float
    capacity: int
    spaces_available: int | None = None


@dataclass(frozen=True)
class BikeStationSpec:
    id: str
    name: str
    lat: float
    lon: float
    capacity: int
    bikes: int


@dataclass
class AddBikeStations(Edit):
    stations: list[BikeStationSpec]


@dataclass(frozen=True)
class Zone:
    id: str
    lat: float
    lon: float
    weight: float = 1.0


@dataclass
class PlacesSpec:
    """``stops`` (all, or listed ids), ``grid`` (cells of ``grid_m`` metres) or ``csv`` zones."""

    kind: str
    stop_ids: list[str] | None = None
    grid_m: float | None = None
    csv: str | None = None
    zones: list[Zone] | None = None

    def to_json(self) -> dict:
        if self.kind == "stops":
            return {"stops": self.stop_ids} if self.stop_ids is not None else {"stops": "all"}
        if self.kind == "grid":
            return {"grid_m": self.grid_m}
        return {"csv": self.csv, "zones": len(self.zones or [])}


@dataclass
class ScenarioSpec:
    """A parsed, structurally valid scenario."""

    name: str
    date: dt.date
    window: Band
    places: PlacesSpec
    edits: list[Edit]
    description: str = ""
    step_s: int = 60
    profile: str = "default"
    modes: list[str] = field(default_factory=lambda: ["WALK", "TRANSIT"])
    cutoff_min: int = 120
    max_transfers: int = 6
    walk_m: float = 800.0
    thresholds_min: list[int] = field(default_factory=lambda: [15, 30, 45])
    network: str | None = None
    parking: str | None = None
    gbfs: list[str] = field(default_factory=list)
    source: str | None = None
    sha256: str | None = None
    raw: dict = field(default_factory=dict)

    @property
    def n_departures(self) -> int:
        return len(range(self.window.start, self.window.end, self.step_s))

    @property
    def timetable_edits(self) -> list[Edit]:
        return [e for e in self.edits if e.type in TIMETABLE_EDITS]

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "date": self.date.isoformat(),
                "window": {"start": clock(self.window.start), "end": clock(self.window.end),
                           "step_minutes": self.step_s / 60},
                "places": self.places.to_json(), "profile": self.profile, "modes": list(self.modes),
                "cutoff_minutes": self.cutoff_min, "max_transfers": self.max_transfers,
                "walk_m": self.walk_m, "thresholds_minutes": list(self.thresholds_min),
                "network": self.network, "parking": self.parking, "gbfs": list(self.gbfs),
                "edits": [dict(e.to_json()) for e in self.edits],
                "source": self.source, "sha256": self.sha256}


# --------------------------------------------------------------------------------------------
# helpers

_CLOCK_RE = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


def clock(t: int) -> str:
    t = int(t)
    s = f"{t // 3600:02d}:{t % 3600 // 60:02d}"
    return s + (f":{t % 60:02d}" if t % 60 else "")


def parse_clock_text(value: Any) -> int:
    """'HH:MM[:SS]' (hours up to 47) to seconds; raises ValueError with a readable reason."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected a time \"HH:MM\", got {json.dumps(value, default=str)}")
    m = _CLOCK_RE.match(value.strip())
    if not m or int(m.group(1)) > 47:
        raise ValueError(f"invalid time {value!r}, expected HH:MM or HH:MM:SS (hours up to 47)")
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's base-60 numbers, so 07:00 stays the string '07:00'."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
               r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


class _Fields:
    """Typed access to one mapping of the file, reporting errors with their location."""

    def __init__(self, data: Any, *, edit: int | None = None, edit_type: str | None = None,
                 prefix: str = "", what: str = "an object"):
        self.edit, self.edit_type, self.prefix = edit, edit_type, prefix
        if not isinstance(data, dict):
            raise self.err(None, f"expected {what} (a mapping), got {_show(data)}")
        self.data = data
        self.used: set[str] = set()

    def name(self, key: str | None) -> str | None:
        if key is None:
            return self.prefix.rstrip(".") or None
        return f"{self.prefix}{key}"

    def err(self, key: str | None, message: str) -> ScenarioError:
        return ScenarioError(message, edit=self.edit, edit_type=self.edit_type, field=self.name(key))

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def get(self, key: str, required: bool = True) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                raise self.err(key, "is required")
            return None
        return self.data[key]

    def text(self, key: str, required: bool = True, default: str | None = None) -> str | None:
        v = self.get(key, required)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise self.err(key, f"expected a string, got {_show(v)}")
        v = str(v).strip()
        if not v:
            raise self.err(key, "must not be empty")
        return v

    def number(self, key: str, required: bool = True, default: float | None = None, *,
               lo: float | None = None, hi: float | None = None, lo_open: bool = False) -> float | None:
        v = self.get(key, required)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self.err(key, f"expected a number, got {_show(v)}")
        if lo is not None and (v < lo or (lo_open and v <= lo)):
            raise self.err(key, f"must be {'>' if lo_open else '>='} {lo:g}, got {v:g}")
        if hi is not None and v > hi:
            raise self.err(key, f"must be <= {hi:g}, got {v:g}")
        return float(v)

    def integer(self, key: str, required: bool = True, default: int | None = None, *,
                lo: int | None = None, hi: int | None = None) -> int | None:
        v = self.number(key, required, None, lo=lo, hi=hi)
        if v is None:
            return default
        if not float(v).is_integer():
            raise self.err(key, f"expected a whole number, got {v:g}")
        return int(v)

    def boolean(self, key: str, default: bool) -> bool:
        v = self.get(key, False)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.err(key, f"expected true or false, got {_show(v)}")
        return v

    def time(self, key: str, required: bool = True) -> int | None:
        v = self.get(key, required)
        if v is None:
            return None
        try:
            return parse_clock_text(v)
        except ValueError as exc:
            raise self.err(key, str(exc)) from None

    def band(self, start_key: str = "start", end_key: str = "end", required: bool = True) -> Band | None:
        if not required and not self.has(start_key) and not self.has(end_key):
            self.used |= {start_key, end_key}
            return None
        a = self.time(start_key)
        b = self.time(end_key)
        if b <= a:
            raise self.err(end_key, f"bad time band {clock(a)}-{clock(b)}: end must be after start")
        return Band(a, b)

    def items(self, key: str, required: bool = True, min_len: int = 0) -> list | None:
        v = self.get(key, required)
        if v is None:
            return None
        if not isinstance(v, list):
            raise self.err(key, f"expected a list, got {_show(v)}")
        if len(v) < min_len:
            raise self.err(key, f"needs at least {min_len} entr{'y' if min_len == 1 else 'ies'}, got {len(v)}")
        return v

    def sub(self, key: str, value: Any, what: str = "an object") -> "_Fields":
        return _Fields(value, edit=self.edit, edit_type=self.edit_type, prefix=f"{self.prefix}{key}.", what=what)

    def done(self, allowed: tuple[str, ...] = ()) -> None:
        extra = [k for k in self.data if k not in self.used and k not in allowed]
        if extra:
            raise self.err(str(extra[0]), "unknown field" + _suggest(str(extra[0]), list(self.used)))


def _show(v: Any) -> str:
    s = json.dumps(v, default=str, ensure_ascii=False)
    return s if len(s) <= 60 else s[:57] + "..."


def _suggest(word: str, options: list[str]) -> str:
    import difflib
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _headways(f: _Fields, key: str = "headways") -> list[Headway]:
    raw = f.items(key, min_len=1)
    out: list[Headway] = []
    for i, h in enumerate(raw):
        hf = f.sub(f"{key}[{i}]", h, "a headway {start, end, minutes}")
        band = hf.band()
        minutes = hf.number("minutes", lo=0, lo_open=True, hi=24 * 60)
        secs = int(round(minutes * 60))
        if secs < 1:
            raise hf.err("minutes", f"headway too small: {minutes:g} minutes")
        hf.done()
        out.append(Headway(band.start, band.end, secs))
    ordered = sorted(out, key=lambda h: h.start)
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            i = out.index(b)
            raise f.err(f"{key}[{i}].start", f"bad time band: {Band(b.start, b.end)} overlaps {Band(a.start, a.end)}")
    return out


def parse_place_text(text: str) -> StopRef:
    """``stop:ID`` or ``lat,lon``; raises ValueError with the reason."""
    text = str(text).strip()
    if text.startswith("stop:"):
        if not text[5:]:
            raise ValueError("empty stop id in 'stop:'")
        return StopRef(stop_id=text[5:])
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"cannot parse {text!r}; expected stop:<id> or <lat>,<lon>")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f"cannot parse {text!r}; expected stop:<id> or <lat>,<lon>") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"coordinates out of range in {text!r}")
    return StopRef(lat=lat, lon=lon)


def _stop_list(f: _Fields, key: str, min_len: int, allow_coords: bool) -> list[StopRef]:
    raw = f.items(key, min_len=min_len)
    out = []
    for i, s in enumerate(raw):
        where = f"{key}[{i}]"
        if isinstance(s, dict):
            sf = f.sub(where, s)
            if sf.has("stop"):
                ref = StopRef(stop_id=sf.text("stop").removeprefix("stop:"))
            else:
                if not allow_coords:
                    raise f.err(where, "expected a stop id (stop:<id>)")
                lat = sf.number("lat", lo=-90, hi=90)
                lon = sf.number("lon", lo=-180, hi=180)
                ref = StopRef(lat=lat, lon=lon, name=sf.text("name", required=False))
            sf.done()
        elif isinstance(s, (str, int)) and not isinstance(s, bool):
            text = str(s)
            if not allow_coords and not text.startswith("stop:") and "," not in text:
                text = "stop:" + text
            try:
                ref = parse_place_text(text)
            except ValueError as exc:
                raise f.err(where, str(exc)) from None
            if ref.is_new and not allow_coords:
                raise f.err(where, f"expected a stop id (stop:<id>), got {text!r}")
        else:
            raise f.err(where, f"expected \"stop:<id>\" or \"<lat>,<lon>\", got {_show(s)}")
        out.append(ref)
    return out


def _route_text(f: _Fields, key: str = "route") -> str:
    v = f.get(key)
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise f.err(key, f"expected a route short name or route_id, got {_show(v)}")
    v = str(v).strip()
    if not v:
        raise f.err(key, "must not be empty")
    return v


# --------------------------------------------------------------------------------------------
# edits


def _parse_edit(i: int, raw: Any) -> Edit:
    if not isinstance(raw, dict):
        raise ScenarioError(f"expected an edit (a mapping with a type), got {_show(raw)}", edit=i)
    etype = raw.get("type")
    if not isinstance(etype, str) or etype not in EDIT_TYPES:
        hint = _suggest(str(etype), list(EDIT_TYPES))
        raise ScenarioError(f"unknown edit type {etype!r}{hint}; expected one of {', '.join(EDIT_TYPES)}",
                            edit=i, field="type")
    f = _Fields(raw, edit=i, edit_type=etype)
    f.used.add("type")
    f.used.add("comment")
    if etype == "remove-route":
        e: Edit = RemoveRoute(i, etype, route=_route_text(f))
    elif etype == "remove-trips":
        route = _route_text(f)
        band = f.band()
        direction = f.integer("direction", required=False, lo=0, hi=1)
        e = RemoveTrips(i, etype, route=route, band=band, direction=direction)
    elif etype == "adjust-frequency":
        e = AdjustFrequency(i, etype, route=_route_text(f), headways=_headways(f))
    elif etype == "add-route":
        name = f.text("name")
        mode = f.text("mode", required=False, default="BUS").upper()
        if mode not in ROUTE_MODES:
            raise f.err("mode", f"unknown mode {mode!r}; expected one of {', '.join(ROUTE_MODES)}")
        stops = _stop_list(f, "stops", 2, allow_coords=True)
        speed = f.number("speed_kmh", required=False, lo=0, lo_open=True, hi=300)
        run_times = f.items("run_times_s", required=False)
        if (speed is None) == (run_times is None):
            raise f.err("speed_kmh", "give exactly one of speed_kmh or run_times_s")
        if run_times is not None:
            if len(run_times) != len(stops) - 1:
                raise f.err("run_times_s", f"needs one run time per hop: {len(stops) - 1} values for "
                                           f"{len(stops)} stops, got {len(run_times)}")
            for j, r in enumerate(run_times):
                if isinstance(r, bool) or not isinstance(r, (int, float)) or not math.isfinite(r) or r <= 0:
                    raise f.err(f"run_times_s[{j}]", f"expected a number of seconds > 0, got {_show(r)}")
            run_times = [float(r) for r in run_times]
        e = AddRoute(i, etype, name=name, mode=mode, stops=stops, headways=_headways(f), speed_kmh=speed,
                     run_times_s=run_times, dwell_s=f.number("dwell_s", required=False, default=20.0, lo=0, hi=3600),
                     wheelchair_accessible=f.boolean("wheelchair_accessible", True),
                     bidirectional=f.boolean("bidirectional", True),
                     route_id=f.text("route_id", required=False), long_name=f.text("long_name", False, "") or "",
                     color=f.text("color", False, "") or "")
    elif etype == "remove-stops":
        stops = [s.stop_id for s in _stop_list(f, "stops", 1, allow_coords=False)]
        routes = f.items("routes", required=False, min_len=1)
        if routes is not None:
            routes = [str(r) for r in routes]
        e = RemoveStops(i, etype, stops=stops, routes=routes)
    elif etype == "adjust-speed":
        route = _route_text(f)
        factor = f.number("factor", lo=0, lo_open=True, hi=10)
        e = AdjustSpeed(i, etype, route=route, factor=factor, band=f.band(required=False))
    elif etype == "add-park-and-ride":
        e = AddParkAndRide(i, etype, id=f.text("id"), name=f.text("name", required=False, default="") or "",
                           lat=f.number("lat", lo=-90, hi=90), lon=f.number("lon", lo=-180, hi=180),
                           capacity=f.integer("capacity", lo=0),
                           spaces_available=f.integer("spaces_available", required=False, lo=0))
        if not e.name:
            e.name = e.id
    else:  # add-bike-stations
        raw_st = f.items("stations", min_len=1)
        stations = []
        for j, s in enumerate(raw_st):
            sf = f.sub(f"stations[{j}]", s, "a station {id, name, lat, lon, capacity, bikes}")
            cap = sf.integer("capacity", lo=0)
            bikes = sf.integer("bikes", required=False, default=0, lo=0)
            if bikes > cap:
                raise sf.err("bikes", f"{bikes} bikes do not fit in a station of capacity {cap}")
            sid = sf.text("id")
            stations.append(BikeStationSpec(sid, sf.text("name", required=False, default=sid),
                                            sf.number("lat", lo=-90, hi=90), sf.number("lon", lo=-180, hi=180), cap, bikes))
            sf.done()
        e = AddBikeStations(i, etype, stations=stations)
    f.done()
    return e


# --------------------------------------------------------------------------------------------
# the file


TOP_KEYS = ("name", "description", "network", "date", "window", "places", "profile", "modes",
            "cutoff_minutes", "max_transfers", "walk_m", "thresholds_minutes", "parking", "gbfs", "edits")


def _read_zones(path: Path, f: _Fields) -> list[Zone]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise f.err("csv", f"cannot read {path}: {exc.strerror or exc}") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    first = next(csv.reader(io.StringIO(text)), [])
    header = [str(h).strip() for h in first]
    for col in ("id", "lat", "lon"):
        if col not in header:
            raise f.err("csv", f"{path.name}: column {col!r} is missing (expected id,lat,lon[,weight])")
    zones, seen = [], set()
    for r, row in enumerate(rows, 1):
        row = {str(k).strip(): (v or "").strip() for k, v in row.items() if k is not None}
        zid = row.get("id", "")
        if not zid:
            raise f.err("csv", f"{path.name} row {r} field id: empty id")
        if zid in seen:
            raise f.err("csv", f"{path.name} row {r} field id: duplicate id {zid!r}")
        seen.add(zid)
        vals = {}
        for col, lo, hi in (("lat", -90, 90), ("lon", -180, 180), ("weight", 0, math.inf)):
            v = row.get(col, "")
            if col == "weight" and v == "":
                vals[col] = 1.0
                continue
            try:
                x = float(v)
            except ValueError:
                x = math.nan
            if not math.isfinite(x) or not lo <= x <= hi:
                raise f.err("csv", f"{path.name} row {r} field {col}: invalid value {v!r}")
            vals[col] = x
        zones.append(Zone(zid, vals["lat"], vals["lon"], vals["weight"]))
    if not zones:
        raise f.err("csv", f"{path.name}: no zones")
    return zones


def _places(f: _Fields, base_dir: Path) -> PlacesSpec:
    v = f.get("places", required=False)
    if v is None or v == "stops":
        return PlacesSpec("stops")
    if isinstance(v, str):
        raise f.err("places", f"expected stops, {{grid_m: METRES}}, {{csv: FILE}} or {{stops: [ids]}}, got {v!r}")
    pf = f.sub("places", v, "stops, {grid_m: METRES}, {csv: FILE} or {stops: [ids]}")
    keys = [k for k in ("stops", "grid_m", "csv") if k in v]
    if len(keys) != 1:
        raise pf.err(None, "give exactly one of stops, grid_m or csv")
    if keys[0] == "stops":
        refs = _stop_list(pf, "stops", 1, allow_coords=False)
        pf.done()
        return PlacesSpec("stops", stop_ids=[r.stop_id for r in refs])
    if keys[0] == "grid_m":
        g = pf.number("grid_m", lo=50, hi=20000)
        pf.done()
        return PlacesSpec("grid", grid_m=g)
    rel = pf.text("csv")
    path = Path(rel)
    if not path.is_absolute():
        path = base_dir / path
    zones = _read_zones(path, pf)
    pf.done()
    return PlacesSpec("csv", csv=str(path), zones=zones)


def parse_scenario(data: Any, *, source: str | None = None, base_dir: str | os.PathLike | None = None) -> ScenarioSpec:
    """Validate the structure of a scenario (a dict from YAML/JSON) and return a ScenarioSpec."""
    try:
        return _parse(data, source, Path(base_dir) if base_dir else Path.cwd())
    except ScenarioError as exc:
        if source and not exc.file:
            raise ScenarioError(exc.reason, file=source, edit=exc.edit, edit_type=exc.edit_type, field=exc.field) from None
        raise


def _parse(data: Any, source: str | None, base_dir: Path) -> ScenarioSpec:
    f = _Fields(data, what="a scenario")
    name = f.text("name")
    d = f.get("date")
    if isinstance(d, dt.datetime):
        d = d.date()
    if not isinstance(d, dt.date):
        try:
            d = dt.date.fromisoformat(str(d).strip())
        except ValueError:
            raise f.err("date", f"cannot parse {d!r}, expected YYYY-MM-DD") from None
    wf = f.sub("window", f.get("window"), "a window {start, end}")
    window = wf.band()
    step = wf.number("step_minutes", required=False, default=1.0, lo=0, lo_open=True, hi=60)
    step_s = int(round(step * 60))
    if step_s < 1:
        raise wf.err("step_minutes", "too small")
    wf.done()
    places = _places(f, base_dir)
    profile = f.text("profile", required=False, default="default")
    from maas.planner.profiles import PROFILES
    if profile not in PROFILES:
        raise f.err("profile", f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    raw_modes = f.get("modes", required=False)
    if raw_modes is None:
        modes = ["WALK", "TRANSIT"]
    else:
        if isinstance(raw_modes, str):
            raw_modes = raw_modes.split(",")
        if not isinstance(raw_modes, list) or not raw_modes:
            raise f.err("modes", f"expected a list of modes, got {_show(raw_modes)}")
        modes = []
        for j, m in enumerate(raw_modes):
            mm = str(m).strip().upper()
            if mm not in MODES:
                raise f.err(f"modes[{j}]", f"unknown mode {m!r}; expected a subset of {', '.join(MODES)}")
            if mm not in modes:
                modes.append(mm)
    cutoff = f.integer("cutoff_minutes", required=False, default=120, lo=1, hi=24 * 60)
    max_transfers = f.integer("max_transfers", required=False, default=6, lo=0, hi=10)
    walk_m = f.number("walk_m", required=False, default=800.0, lo=0, hi=5000)
    th = f.items("thresholds_minutes", required=False, min_len=1)
    if th is None:
        thresholds = [15, 30, 45]
    else:
        thresholds = []
        for j, x in enumerate(th):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x <= cutoff or not float(x).is_integer():
                raise f.err(f"thresholds_minutes[{j}]", f"expected whole minutes in 1..{cutoff} (the cut-off), got {_show(x)}")
            thresholds.append(int(x))
        thresholds = sorted(set(thresholds))

    def rel(p):
        if p is None:
            return None
        p = Path(str(p))
        return str(p if p.is_absolute() else (base_dir / p))

    network = rel(f.text("network", required=False))
    parking = rel(f.text("parking", required=False))
    gb = f.get("gbfs", required=False)
    if gb is None:
        gbfs = []
    elif isinstance(gb, str):
        gbfs = [gb if gb.startswith(("http://", "https://")) else rel(gb)]
    elif isinstance(gb, list) and all(isinstance(x, str) for x in gb):
        gbfs = [x if x.startswith(("http://", "https://")) else rel(x) for x in gb]
    else:
        raise f.err("gbfs", f"expected a GBFS folder/URL or a list of them, got {_show(gb)}")
    description = f.get("description", required=False) or ""
    raw_edits = f.items("edits", required=False)
    if raw_edits is None:
        raw_edits = []
    edits = [_parse_edit(i, e) for i, e in enumerate(raw_edits)]
    f.done()
    # ids of added things must be unique within the file
    seen_pr, seen_bike, seen_names = {}, {}, {}
    for e in edits:
        if isinstance(e, AddParkAndRide):
            if e.id in seen_pr:
                raise e.error("id", f"park & ride id {e.id!r} already added by edits[{seen_pr[e.id]}]")
            seen_pr[e.id] = e.index
        elif isinstance(e, AddBikeStations):
            for j, s in enumerate(e.stations):
                if s.id in seen_bike:
                    raise e.error(f"stations[{j}].id", f"bike station id {s.id!r} already added")
                seen_bike[s.id] = e.index
        elif isinstance(e, AddRoute):
            if e.name in seen_names:
                raise e.error("name", f"route {e.name!r} already added by edits[{seen_names[e.name]}]")
            seen_names[e.name] = e.index
    return ScenarioSpec(name=name, date=d, window=window, places=places, edits=edits, description=str(description),
                        step_s=step_s, profile=profile, modes=modes, cutoff_min=cutoff, max_transfers=max_transfers,
                        walk_m=walk_m, thresholds_min=thresholds, network=network, parking=parking, gbfs=gbfs,
                        source=source, raw=data)


def load_scenario(path: str | os.PathLike) -> ScenarioSpec:
    """Read and validate a scenario file (``.yaml``/``.yml``/``.json``)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file: {exc.strerror or exc}", file=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError("not UTF-8 text", file=str(path)) from None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=str(path)) from None
    else:
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except ValueError as exc:  # e.g. an impossible unquoted date such as 2026-02-30
            raise ScenarioError(f"invalid value: {exc}", file=str(path)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ScenarioError(f"invalid YAML: {problem}{where}", file=str(path)) from None
    spec = parse_scenario(data, source=str(path), base_dir=p.resolve().parent)
    spec.sha256 = hashlib.sha256(raw).hexdigest()
    return spec


# --------------------------------------------------------------------------------------------
# checks against the base network


def route_matches(route_ids, short_names, ref: str) -> list[int]:
    """Indices of routes whose route_id equals ``ref``, else whose short name does."""
    hits = [i for i, r in enumerate(route_ids) if str(r) == ref]
    if not hits:
        hits = [i for i, s in enumerate(short_names) if str(s) == ref]
    return hits


def check_against_network(spec: ScenarioSpec, net) -> None:
    """Check route names, stop ids, the date and coordinates against the base network."""
    try:
        _check(spec, net)
    except ScenarioError as exc:
        if spec.source and not exc.file:
            raise ScenarioError(exc.reason, file=spec.source, edit=exc.edit, edit_type=exc.edit_type, field=exc.field) from None
        raise


def _check(spec: ScenarioSpec, net) -> None:
    import numpy as np

    from maas.errors import BadRequest
    from maas.timetable.footpaths import haversine_m
    tt = net.tt
    try:
        net.parse_date(spec.date)
    except BadRequest as exc:
        raise ScenarioError(str(exc).removeprefix("date: "), field="date") from None
    route_ids = [str(x) for x in tt.groute_id]
    short = [str(x) for x in tt.groute_short_name]
    stops = net.stop_lookup
    lat_c, lon_c = float(np.mean(tt.stop_lat)), float(np.mean(tt.stop_lon))
    span = float(np.max(haversine_m(lat_c, lon_c, np.asarray(tt.stop_lat), np.asarray(tt.stop_lon)))) if tt.n_stops else 0.0
    limit = span + 20_000

    def near(lat, lon, e: Edit, where: str):
        d = float(haversine_m(lat_c, lon_c, lat, lon))
        if d > limit:
            raise e.error(where, f"{lat:g},{lon:g} is {d / 1000:.0f} km from the network "
                                 f"(expected lat,lon within {limit / 1000:.0f} km of it)")

    if spec.places.kind == "stops" and spec.places.stop_ids is not None:
        for j, s in enumerate(spec.places.stop_ids):
            if s not in stops:
                raise ScenarioError(f"unknown stop {s!r}", field=f"places.stops[{j}]")
    from maas.planner.profiles import get_profile
    ctx = net.day_context(spec.date, get_profile("default"))
    running = {int(g) for g in np.asarray(tt.route_groute)[np.asarray(tt.trip_route)[ctx.trip_active[1]]]}
    added_routes: dict[str, int] = {}
    removed: dict[int, int] = {}     # route index -> edit that removed it
    for e in spec.edits:
        if hasattr(e, "route") and isinstance(getattr(e, "route"), str):
            ref = e.route
            hits = route_matches(route_ids, short, ref)
            if not hits and ref not in added_routes:
                raise e.error("route", f"unknown route {ref!r}: no route_id or route_short_name matches"
                              + _suggest(ref, sorted(set(short))))
            if hits and ref not in added_routes and not isinstance(e, RemoveRoute):
                gone = [removed[h] for h in hits if h in removed]
                if len(gone) == len(hits):
                    raise e.error("route", f"route {ref!r} was removed by edits[{gone[0]}]")
            if isinstance(e, AdjustFrequency) and ref not in added_routes and not any(h in running for h in hits):
                raise e.error("route", f"route {ref!r} has no trips on {spec.date.isoformat()} to copy")
            if isinstance(e, RemoveRoute):
                for h in hits:
                    removed.setdefault(h, e.index)
        if isinstance(e, RemoveStops):
            for j, s in enumerate(e.stops):
                if s not in stops:
                    raise e.error(f"stops[{j}]", f"unknown stop {s!r}")
            for j, r in enumerate(e.routes or []):
                if not route_matches(route_ids, short, r) and r not in added_routes:
                    raise e.error(f"routes[{j}]", f"unknown route {r!r}")
        if isinstance(e, AddRoute):
            if route_matches(route_ids, short, e.name):
                raise e.error("name", f"route {e.name!r} already exists in the network; choose another name")
            if e.route_id and e.route_id in route_ids:
                raise e.error("route_id", f"route_id {e.route_id!r} already exists in the network")
            for j, s in enumerate(e.stops):
                if s.is_new:
                    near(s.lat, s.lon, e, f"stops[{j}]")
                elif s.stop_id not in stops:
                    raise e.error(f"stops[{j}]", f"unknown stop {s.stop_id!r}")
            added_routes[e.name] = e.index
            if e.route_id:
                added_routes[e.route_id] = e.index
        if isinstance(e, AddParkAndRide):
            near(e.lat, e.lon, e, "lat")
        if isinstance(e, AddBikeStations):
            for j, s in enumerate(e.stations):
                near(s.lat, s.lon, e, f"stations[{j}].lat")
