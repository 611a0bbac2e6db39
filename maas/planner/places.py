"""Places in requests: ``stop:<stop_id>`` or ``<lat>,<lon>`` (WGS84)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from maas.errors import BadRequest


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
"""A decimal number in ASCII digits (no exponent, no nan/inf, no underscores)."""


@dataclass(frozen=True)
class Place:
    """A resolved place: coordinates always, the stop index when it is a stop."""

    lat: float
    lon: float
    stop: int | None = None
    name: str = ""


def parse_place(text: str, stop_lookup: dict[str, int], stop_lat, stop_lon, stop_name, what: str) -> Place:
    """Resolve a place string against the network, or raise BadRequest naming ``what``."""
    if text is None or not str(text).strip():
        raise BadRequest(f"{what}: a place is required (stop:<id> or <lat>,<lon>)", field=what)
    text = str(text).strip()
    if text.startswith("stop:"):
        sid = text[5:]
        i = stop_lookup.get(sid)
        if i is None:
            raise BadRequest(f"{what}: unknown stop {sid!r}", field=what)
        return Place(float(stop_lat[i]), float(stop_lon[i]), i, str(stop_name[i]))
    parts = text.split(",")
    if len(parts) != 2:
        raise BadRequest(f"{what}: cannot parse {text!r}; expected stop:<id> or <lat>,<lon>", field=what)
    try:
        if not all(_NUMBER.fullmatch(p.strip()) for p in parts):   # float() takes "٤٥.٧" and "1_0"
            raise ValueError(text)
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise BadRequest(f"{what}: cannot parse {text!r}; expected stop:<id> or <lat>,<lon>", field=what) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadRequest(f"{what}: coordinates out of range in {text!r}", field=what)
    return Place(lat, lon, None, "")
