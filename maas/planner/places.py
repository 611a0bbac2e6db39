"""Places in requests: ``stop:<stop_id>``, ``<lat>,<lon>`` (WGS84), or free text, geocoded."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from maas.errors import BadRequest

MAX_TEXT = 200
_COORDS_LIKE = re.compile(r"^[\s0-9.,;:+\-]*[,;:][\s0-9.,;:+\-]*$")
MAX_LIMIT = 50


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
"""A decimal number in ASCII digits (no exponent, no nan/inf, no underscores)."""


@dataclass(frozen=True)
class Place:
    """A resolved place: coordinates always, the stop index when it is a stop.

    ``stop`` is one representative stop; ``stops`` lists every stop of a station (a geocoded
    station is several RAPTOR sources or targets); ``kind`` is ``stop``, ``coordinates`` or a
    geocoder kind (``poi``, ``address``, ``street``, ``bike_station``, ``park_and_ride``).
    """

    lat: float
    lon: float
    stop: int | None = None
    name: str = ""
    stops: tuple[int, ...] = ()
    kind: str = "coordinates"
    place_id: str | None = None

    def describe(self, stop_ids) -> dict:
        """What the plan response says a place was resolved to (``from`` / ``to``)."""
        out = {"name": self.name, "lat": round(self.lat, 6), "lon": round(self.lon, 6), "kind": self.kind}
        if self.stop is not None:
            out["stop_id"] = str(stop_ids[self.stop])
        if len(self.stops) > 1:
            out["stop_ids"] = [str(stop_ids[i]) for i in self.stops]
        if self.place_id:
            out["id"] = self.place_id
        return out


def check_text(text, what: str = "text") -> str:
    """A geocoder query as given, or BadRequest: empty, over 200 characters, control characters."""
    from maas.places.text import has_control_chars
    if text is None or not str(text).strip():
        raise BadRequest(f"{what}: a place name is required", field=what)
    text = str(text)
    if len(text) > MAX_TEXT:
        raise BadRequest(f"{what}: at most {MAX_TEXT} characters (got {len(text)})", field=what)
    if has_control_chars(text):
        raise BadRequest(f"{what}: control characters are not allowed", field=what)
    return text.strip()


def parse_latlon(text, what: str) -> tuple[float, float] | None:
    """``lat,lon`` as floats (BadRequest when out of range), or None when it is not two numbers."""
    parts = str(text).split(",")
    if len(parts) != 2:
        return None
    if not all(_NUMBER.fullmatch(p.strip()) for p in parts):   # float() takes "٤٥.٧" and "1_0"
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadRequest(f"{what}: coordinates out of range in {str(text).strip()!r}", field=what)
    return lat, lon


def parse_near(near, what: str = "near") -> tuple[float, float] | None:
    """``near`` as ``(lat, lon)`` from a tuple or a ``lat,lon`` string; None when absent."""
    if near is None or (isinstance(near, str) and not near.strip()):
        return None
    if isinstance(near, (tuple, list)) and len(near) == 2:
        near = f"{near[0]},{near[1]}"
    ll = parse_latlon(str(near), what)
    if ll is None:
        raise BadRequest(f"{what}: cannot parse {str(near)!r}; expected <lat>,<lon>", field=what)
    return ll


def check_limit(limit, what: str = "limit") -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"{what}: must be an integer between 1 and {MAX_LIMIT}", field=what)
    return int(limit)


def parse_place(text: str, stop_lookup: dict[str, int], stop_lat, stop_lon, stop_name, what: str,
                geocoder=None) -> Place:
    """Resolve a place string against the network, or raise BadRequest naming ``what``.

    ``geocoder`` (text -> best :class:`maas.places.PlaceMatch` or None) resolves free text."""
    if text is None or not str(text).strip():
        raise BadRequest(f"{what}: a place is required (stop:<id>, <lat>,<lon> or a place name)", field=what)
    text = str(text).strip()
    if text.startswith("stop:"):
        sid = text[5:]
        i = stop_lookup.get(sid)
        if i is None:
            raise BadRequest(f"{what}: unknown stop {sid!r}", field=what)
        return Place(float(stop_lat[i]), float(stop_lon[i]), i, str(stop_name[i]), (i,), "stop")
    ll = parse_latlon(text, what)
    if ll is not None:
        return Place(ll[0], ll[1], None, "")
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise BadRequest(f"{what}: cannot parse {text!r}: numbers must be written in ASCII digits", field=what)
    if geocoder is None or _COORDS_LIKE.match(text):
        # "1,2,3" or "45.7;21.2" is a mistyped coordinate, not a name to guess at
        raise BadRequest(f"{what}: cannot parse {text!r}; expected stop:<id> or <lat>,<lon>", field=what)
    check_text(text, what)
    m = geocoder(text)
    if m is None:
        raise BadRequest(f"{what}: no place matches {text!r}", field=what)
    stops = tuple(m.stops)
    rep = stop_lookup.get(m.stop_id) if m.stop_id else None
    if rep is None and stops:
        rep = stops[0]
    return Place(m.lat, m.lon, rep, m.name, stops if rep is not None else (), m.kind, m.id)
