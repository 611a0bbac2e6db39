"""Service-day clock: GTFS seconds ("noon minus 12 h" of a service day) <-> local ISO times."""
from __future__ import annotations

import datetime as dt
import re
import time
from functools import lru_cache
from zoneinfo import ZoneInfo


def service_day_ref(day: dt.date, tz: ZoneInfo) -> int:
    """Epoch seconds of a service day's reference: 12:00 local time minus 12 hours (GTFS)."""
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz)
    return int(noon.timestamp()) - 43200


_DIGITS = re.compile(r"[0-9]{1,2}")


def parse_clock(text: str) -> int:
    """'HH:MM' or 'HH:MM:SS' to seconds; hours up to 47 allowed (past-midnight service)."""
    parts = text.strip().split(":")
    # ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses
    if len(parts) not in (2, 3) or not all(_DIGITS.fullmatch(p) for p in parts):
        raise ValueError(f"invalid time {text!r}, expected HH:MM or HH:MM:SS")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if h > 47 or m > 59 or s > 59:
        raise ValueError(f"invalid time {text!r}, expected HH:MM or HH:MM:SS")
    return h * 3600 + m * 60 + s


def local_seconds(day: dt.date, clock_s: int, tz: ZoneInfo) -> int:
    """Wall-clock time on ``day`` as seconds after the day's reference (differs from clock_s on DST days)."""
    naive = dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=clock_s)
    return int(naive.replace(tzinfo=tz).timestamp()) - service_day_ref(day, tz)


@lru_cache(maxsize=8192)
def _utc_offset(quarter_hour: int, tz: ZoneInfo) -> int:
    """UTC offset in seconds at the start of a quarter hour (offsets change on quarter hours)."""
    return int(dt.datetime.fromtimestamp(quarter_hour * 900, tz).utcoffset().total_seconds())


def iso(day_ref_epoch: int, seconds: int, tz: ZoneInfo) -> str:
    """ISO 8601 local time with offset for ``seconds`` after a service-day reference."""
    return _iso(int(day_ref_epoch) + int(seconds), tz)


@lru_cache(maxsize=1 << 16)
def _iso(epoch: int, tz: ZoneInfo) -> str:
    # itineraries repeat times (a leg ends when the next starts; departures on the minute)
    off = _utc_offset(epoch // 900, tz)
    sign = "+" if off >= 0 else "-"
    a = abs(off)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch + off)) + f"{sign}{a // 3600:02d}:{a % 3600 // 60:02d}"
