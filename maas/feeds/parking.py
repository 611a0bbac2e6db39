"""Park & ride lots from GeoJSON, with a small OSM ``opening_hours`` evaluator.

Input: a FeatureCollection of Point features whose properties are ``id, name, capacity,
spaces_available (null = unknown), opening_hours, fee, wheelchair_spaces``. Errors raise
:class:`~maas.errors.FeedError` naming the file, the feature's 1-based index (``row``) and the
field.

``opening_hours`` understands the common subset: ``24/7``; rules separated by ``;`` made of
optional days (``Mo``, ``Mo-Fr``, ``Mo,We``, ``Fr-Mo``) and comma-separated times
(``06:00-22:00,23:00-24:00``) or ``off``/``closed``; a later rule replaces earlier ones on the days
it names (OSM semantics); ``24:00`` is midnight and ``22:00-02:00`` runs into the next day.
``PH``/``SH`` (holiday) rules are ignored. Anything else (months, weeks, sunrise...) makes the
whole value unknown, and an unknown or missing value counts as open.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from maas.errors import FeedError, read_failure
from maas.errors import show_value as _show

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAYS_RE = re.compile(r"^(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
                      r"(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*$")
_RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

Schedule = tuple[tuple[tuple[int, int], ...], ...]
"""Per weekday (Mo=0), the open ranges in minutes from that day's midnight (end may pass 1440)."""


def _days(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        i, j = DAYS.index(a), DAYS.index(b or a)
        out += [(i + k) % 7 for k in range((j - i) % 7 + 1)]
    return out


def _ranges(spec: str) -> list[tuple[int, int]] | None:
    if spec in ("off", "closed"):
        return []
    if spec == "24/7":
        return [(0, 1440)]
    out = []
    for part in spec.split(","):
        m = _RANGE_RE.match(part.strip())
        if not m:
            return None
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 > 24 or h2 > 48 or m1 > 59 or m2 > 59:
            return None
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            end += 1440  # runs past midnight (00:00-00:00 = all day)
        out.append((start, end))
    return out


@lru_cache(maxsize=256)
def parse_opening_hours(text: str) -> Schedule | None:
    """Weekly schedule of a simple OSM ``opening_hours`` value, or None if not understood."""
    week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    rules = [r.strip() for r in text.strip().split(";") if r.strip()]
    if not rules:
        return None
    for rule in rules:
        head, _, rest = rule.partition(" ")
        if head in ("PH", "SH"):
            continue  # holiday dates are not known here: the weekday rules apply
        if _DAYS_RE.match(head):
            days, times = _days(head), rest.strip() or "00:00-24:00"
        else:
            days, times = list(range(7)), rule
        ranges = _ranges(times.replace(" ", ""))
        if ranges is None:
            return None
        for d in days:
            week[d] = list(ranges)
    return tuple(tuple(day) for day in week)


@dataclass(frozen=True)
class ParkingLot:
    """A park & ride car park."""

    id: str
    name: str
    lat: float
    lon: float
    capacity: int | None
    spaces_available: int | None
    opening_hours: str | None
    fee: str | None
    wheelchair_spaces: int | None

    def is_open(self, when: datetime) -> bool:
        """Open at local wall-clock time ``when``? True when hours are missing or not understood."""
        schedule = parse_opening_hours(self.opening_hours) if self.opening_hours else None
        if schedule is None:
            return True
        day, minute = when.weekday(), when.hour * 60 + when.minute + when.second / 60
        today = any(s <= minute < e for s, e in schedule[day])
        spill = any(s <= minute + 1440 < e for s, e in schedule[(day - 1) % 7])
        return today or spill

    def has_space(self) -> bool | None:
        """True/False from ``spaces_available``; None when it is unknown."""
        return None if self.spaces_available is None else self.spaces_available > 0

    def to_json(self) -> dict:
        """Plain dict of the fields for the HTTP API."""
        return asdict(self)


MAX_COUNT = 1_000_000
"""Capacities and free spaces above this are refused (no car park is that big)."""


def _finite(value: Any) -> bool:
    """A JSON number (not a bool) that is finite; huge integers count as not finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return abs(value) <= 1e12         # math.isfinite(10**400) raises OverflowError
    return math.isfinite(value)


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")             # a lone surrogate (from a JSON escape) cannot be written
    except UnicodeEncodeError:
        return False
    return True


def _int(props: dict, key: str, file: str, row: int) -> int | None:
    value = props.get(key)
    if value is None:
        return None
    if (not _finite(value) or value < 0 or value > MAX_COUNT or not float(value).is_integer()):
        raise FeedError(file, f"expected a whole number in [0, {MAX_COUNT}] or null, got {_show(value)}",
                        row, key)
    return int(value)


def _str(props: dict, key: str, file: str, row: int) -> str | None:
    value = props.get(key)
    if value is not None and not isinstance(value, str):
        raise FeedError(file, f"expected a string or null, got {_show(value)}", row, key)
    if value is not None and not _valid_text(value):
        raise FeedError(file, "not valid Unicode text", row, key)
    return value


def _lot(feature: Any, file: str, row: int) -> ParkingLot:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise FeedError(file, "expected a GeoJSON Feature", row, "type")
    geom = feature.get("geometry")
    if not isinstance(geom, dict) or geom.get("type") != "Point":
        raise FeedError(file, "geometry must be a Point", row, "geometry.type")
    coords = geom.get("coordinates")
    if (not isinstance(coords, list) or len(coords) < 2
            or not all(_finite(c) for c in coords[:2])):
        raise FeedError(file, f"expected [lon, lat] finite numbers, got {_show(coords)}", row,
                        "geometry.coordinates")
    lon, lat = float(coords[0]), float(coords[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise FeedError(file, f"[{lon}, {lat}] is not a WGS84 [lon, lat]", row,
                        "geometry.coordinates")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise FeedError(file, "missing properties object", row, "properties")
    lot_id = props.get("id", feature.get("id"))
    if (isinstance(lot_id, bool) or not isinstance(lot_id, (str, int)) or lot_id == ""
            or (isinstance(lot_id, int) and not _finite(lot_id))
            or (isinstance(lot_id, str) and not _valid_text(lot_id))):
        raise FeedError(file, f"missing or invalid id: {_show(lot_id)}", row, "id")
    name = props.get("name")
    if not isinstance(name, str) or not name.strip() or not _valid_text(name):
        raise FeedError(file, f"missing or invalid name: {_show(name)}", row, "name")
    return ParkingLot(str(lot_id), name, lat, lon, _int(props, "capacity", file, row),
                      _int(props, "spaces_available", file, row),
                      _str(props, "opening_hours", file, row), _str(props, "fee", file, row),
                      _int(props, "wheelchair_spaces", file, row))


def load_parking(path: str | os.PathLike) -> list[ParkingLot]:
    """Read park & ride lots from a GeoJSON FeatureCollection of Points, in file order."""
    file = os.fspath(path)
    try:
        doc = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise FeedError(file, read_failure(e)) from None
    except json.JSONDecodeError as e:
        raise FeedError(file, f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}"
                        ) from None
    except RecursionError:
        raise FeedError(file, "invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise FeedError(file, "expected a GeoJSON FeatureCollection", field="type")
    features = doc.get("features")
    if not isinstance(features, list):
        raise FeedError(file, "features must be an array", field="features")
    lots: list[ParkingLot] = []
    seen: dict[str, int] = {}
    for row, feature in enumerate(features, 1):
        lot = _lot(feature, file, row)
        if lot.id in seen:
            raise FeedError(file, f"duplicate id {lot.id!r} (first at row {seen[lot.id]})",
                            row, "id")
        seen[lot.id] = row
        lots.append(lot)
    return lots
