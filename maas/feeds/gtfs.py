"""Read a GTFS feed (zip or folder) into typed pandas tables, collecting every problem found.

Reading never stops at the first problem: :func:`read_gtfs` fills a
:class:`~maas.errors.ValidationReport` whose entries name file, row and field, and returns
the tables with bad rows dropped, so ``maas validate`` can show everything at once.
"""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from maas.errors import FeedError, UnreadableSource, ValidationReport

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
REQUIRED_COLUMNS = {
    "agency.txt": ("agency_name", "agency_timezone"),
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
    "calendar.txt": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                     "saturday", "sunday", "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
    "transfers.txt": ("from_stop_id", "to_stop_id", "transfer_type"),
    "shapes.txt": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
}
OPTIONAL_FILES = ("calendar.txt", "calendar_dates.txt", "frequencies.txt", "transfers.txt",
                  "shapes.txt", "feed_info.txt")

# Basic GTFS route types and the extended (Google "Hierarchical Vehicle Type") ones mapped to a mode.
BASIC_ROUTE_MODES = {0: "TRAM", 1: "SUBWAY", 2: "RAIL", 3: "BUS", 4: "FERRY", 5: "CABLE_CAR",
                     6: "GONDOLA", 7: "FUNICULAR", 11: "TROLLEYBUS", 12: "MONORAIL"}


def route_type_mode(route_type: int) -> str | None:
    """Mode name for a basic or extended GTFS route_type, or None when unknown."""
    if route_type in BASIC_ROUTE_MODES:
        return BASIC_ROUTE_MODES[route_type]
    family = route_type // 100
    return {1: "RAIL", 2: "BUS", 4: "SUBWAY", 7: "BUS", 8: "TROLLEYBUS", 9: "TRAM", 10: "FERRY",
            12: "FERRY", 13: "GONDOLA", 14: "FUNICULAR", 15: "TAXI"}.get(family) if 100 <= route_type < 1800 else None


@dataclass
class GtfsFeed:
    """The tables of one GTFS feed, with ids kept as strings and times as seconds (float, NaN = empty)."""

    source: str
    agency: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    frequencies: pd.DataFrame
    transfers: pd.DataFrame
    shapes: pd.DataFrame
    feed_info: pd.DataFrame
    digest: str = ""
    report: ValidationReport = field(default_factory=ValidationReport)

    @property
    def timezone(self) -> str:
        return str(self.agency["agency_timezone"].iloc[0])

    def date_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last date on which any service could run."""
        dates = []
        if len(self.calendar):
            dates += [self.calendar["start_date"].min(), self.calendar["end_date"].max()]
        if len(self.calendar_dates):
            added = self.calendar_dates[self.calendar_dates["exception_type"] == 1]["date"]
            if len(added):
                dates += [added.min(), added.max()]
        if not dates:
            return None
        return min(dates), max(dates)


class _Source:
    """Uniform access to the files of a zip (files possibly under one subfolder) or a folder."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():
            raise UnreadableSource(str(path), "no such file or folder")
        self._names: dict[str, str] = {}
        if self.path.is_dir():
            self._zip = None
            for p in self.path.rglob("*.txt"):
                self._names.setdefault(p.name, str(p))
        else:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile:
                raise UnreadableSource(str(path), "not a zip file or folder") from None
            for n in sorted(self._zip.namelist(), key=lambda s: s.count("/")):
                if n.endswith(".txt") and not n.startswith("__MACOSX"):
                    self._names.setdefault(n.rsplit("/", 1)[-1], n)

    def has(self, name: str) -> bool:
        return name in self._names

    def read_bytes(self, name: str) -> bytes:
        if self._zip is not None:
            try:
                return self._zip.read(self._names[name])
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise FeedError(f"{self.path}:{name}", f"cannot be read from the zip ({exc})") from None
        return Path(self._names[name]).read_bytes()


def _read_table(src: _Source, name: str, report: ValidationReport, digest) -> pd.DataFrame | None:
    if not src.has(name):
        if name in REQUIRED_FILES:
            report.error(name, "required file is missing")
        return None
    raw = src.read_bytes(name)
    digest.update(name.encode())
    digest.update(raw)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        df = pd.DataFrame()
    else:
        try:
            df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=[],
                             skipinitialspace=True, encoding="utf-8")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            report.error(name, f"cannot be parsed as CSV: {exc}".splitlines()[0])
            return None
    df.columns = [str(c).strip() for c in df.columns]
    for col in REQUIRED_COLUMNS.get(name, ()):
        if col not in df.columns:
            report.error(name, "required column is missing", field=col)
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype).startswith("str"):
            df[col] = df[col].str.strip()
    return df


_DIGESTS: dict[tuple, str] = {}    # (path, file stats) -> digest: a scenario run checks its sources often


def _stat_key(src: "_Source") -> tuple:
    """What must not change for a digest to still hold: the path and each file's mtime and size."""
    if src.path.is_dir():
        stats = tuple(sorted((n, os.stat(f).st_mtime_ns, os.stat(f).st_size) for n, f in src._names.items()))
        return (str(src.path.resolve()),) + stats
    st = src.path.stat()
    return (str(src.path.resolve()), st.st_mtime_ns, st.st_size)


def source_digest(path: str | os.PathLike) -> str:
    """The same digest :func:`read_gtfs` records, computed from the raw files without parsing
    (and remembered while the files' modification times and sizes stay the same)."""
    src = _Source(path)
    key = _stat_key(src)
    hit = _DIGESTS.get(key)
    if hit is not None:
        return hit
    digest = hashlib.sha256()
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        if src.has(name):
            digest.update(name.encode())
            digest.update(src.read_bytes(name))
    if len(_DIGESTS) > 64:
        _DIGESTS.clear()
    _DIGESTS[key] = out = digest.hexdigest()
    return out


def parse_time_column(values: pd.Series) -> np.ndarray:
    """GTFS H:MM:SS (hours may exceed 24) to float seconds; empty -> NaN; malformed -> -1.

    Vectorised over the characters (a regex per row costs ~10 s on a large feed).
    """
    arr = np.asarray(values.fillna("").astype(str).to_numpy(), dtype="U12")
    n = len(arr)
    out = np.full(n, -1.0)
    if n == 0:
        return out
    arr = np.char.strip(arr)
    length = np.char.str_len(arr)
    codes = arr.view(np.uint32).reshape(n, 12).astype(np.int64)
    rows = np.arange(n)
    ok = (length >= 7) & (length <= 9)
    tail = np.clip(length[:, None] - np.arange(6, 0, -1)[None, :], 0, 11)   # ':' M M ':' S S
    t = codes[rows[:, None], tail]
    ok &= (t[:, 0] == 58) & (t[:, 3] == 58)
    dig = t[:, [1, 2, 4, 5]] - 48
    ok &= np.all((dig >= 0) & (dig <= 9), axis=1) & (dig[:, 0] <= 5) & (dig[:, 2] <= 5)
    hours = np.zeros(n, np.int64)
    n_h = length - 6
    for j in range(3):
        has = n_h > j
        d = codes[:, j] - 48
        ok &= ~has | ((d >= 0) & (d <= 9))
        hours = np.where(has, hours * 10 + d, hours)
    secs = hours * 3600 + (dig[:, 0] * 10 + dig[:, 1]) * 60 + dig[:, 2] * 10 + dig[:, 3]
    out[ok] = secs[ok]
    out[length == 0] = np.nan
    return out


def _int_column(df: pd.DataFrame, file: str, col: str, report: ValidationReport, *, default: int | None,
                allowed: set[int] | None = None, required: bool = False) -> pd.Series:
    """Parse an integer column; report unparseable or out-of-range cells by row."""
    if col not in df.columns:
        return pd.Series(default, index=df.index, dtype="float64")
    s = df[col].replace("", np.nan)
    num = pd.to_numeric(s, errors="coerce")
    bad = (s.notna() & (num.isna() | (num != num.round())))
    if allowed is not None:
        bad |= num.notna() & ~num.isin(list(allowed))
    if required:
        bad |= s.isna()
    for idx in np.flatnonzero(bad.to_numpy())[:20]:
        report.error(file, f"invalid value {df[col].iloc[idx]!r}", row=int(idx) + 1, field=col)
    if default is not None:
        num = num.fillna(default)
    return num.where(~bad)


def _parse_date_column(df: pd.DataFrame, file: str, col: str, report: ValidationReport) -> pd.Series:
    d = pd.to_datetime(df[col], format="%Y%m%d", errors="coerce")
    for idx in np.flatnonzero(d.isna().to_numpy())[:20]:
        report.error(file, f"invalid date {df[col].iloc[idx]!r} (expected YYYYMMDD)", row=int(idx) + 1, field=col)
    return d


def read_gtfs(path: str | os.PathLike, *, prefix: str = "") -> GtfsFeed:
    """Read and check one GTFS feed; problems are collected in ``feed.report``.

    ``prefix`` is prepended to every id so several feeds can be loaded together without clashes.
    Raises :class:`FeedError` only when the source itself cannot be opened.
    """
    src = _Source(path)
    report = ValidationReport()
    digest = hashlib.sha256()
    t = {name: _read_table(src, name, report, digest) for name in REQUIRED_FILES + OPTIONAL_FILES}
    empty = pd.DataFrame
    if any(t[n] is None for n in REQUIRED_FILES) or report.errors:
        report.raise_if_errors()
    agency, stops, routes, trips, st = (t[n] for n in REQUIRED_FILES)

    if len(agency) == 0:
        report.error("agency.txt", "no agency defined")
    else:
        import zoneinfo
        tz = agency["agency_timezone"].iloc[0]
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            report.error("agency.txt", f"unknown timezone {tz!r}", row=1, field="agency_timezone")

    # stops
    stops = stops.copy()
    for col, lo, hi in (("stop_lat", -90, 90), ("stop_lon", -180, 180)):
        missing_col = col not in stops.columns
        if missing_col:
            report.error("stops.txt", "required column is missing", field=col)
            stops[col] = ""
        v = pd.to_numeric(stops[col].replace("", np.nan), errors="coerce")
        loc_type = pd.to_numeric(stops.get("location_type", pd.Series("0", index=stops.index)).replace("", "0"), errors="coerce").fillna(0)
        need = loc_type.isin([0, 1, 2])
        bad = need & (v.isna() | (v < lo) | (v > hi)) & (not missing_col)
        for idx in np.flatnonzero(bad.to_numpy())[:20]:
            report.error("stops.txt", f"invalid coordinate {stops[col].iloc[idx]!r}", row=int(idx) + 1, field=col)
        stops[col] = v
    stops["location_type"] = _int_column(stops, "stops.txt", "location_type", report, default=0, allowed={0, 1, 2, 3, 4})
    stops["wheelchair_boarding"] = _int_column(stops, "stops.txt", "wheelchair_boarding", report, default=0, allowed={0, 1, 2})
    for col in ("stop_name", "parent_station"):
        if col not in stops.columns:
            stops[col] = ""
    dup = stops["stop_id"].duplicated()
    for idx in np.flatnonzero(dup.to_numpy())[:20]:
        report.error("stops.txt", f"duplicate stop_id {stops['stop_id'].iloc[idx]!r}", row=int(idx) + 1, field="stop_id")
    stop_ids = set(stops["stop_id"])
    has_parent = stops["parent_station"] != ""
    bad_parent = has_parent & ~stops["parent_station"].isin(stop_ids)
    for idx in np.flatnonzero(bad_parent.to_numpy())[:20]:
        report.error("stops.txt", f"unknown parent_station {stops['parent_station'].iloc[idx]!r}", row=int(idx) + 1, field="parent_station")
    # wheelchair_boarding 0 on a child inherits the parent's value (GTFS reference).
    parent_wb = stops.drop_duplicates("stop_id").set_index("stop_id")["wheelchair_boarding"]
    inherit = has_parent & ~bad_parent & (stops["wheelchair_boarding"] == 0)
    if inherit.any():
        stops.loc[inherit, "wheelchair_boarding"] = stops.loc[inherit, "parent_station"].map(parent_wb).to_numpy()
    unknown_wb = int((stops["location_type"].isin([0]) & (stops["wheelchair_boarding"] == 0)).sum())
    if unknown_wb:
        report.warning("stops.txt", f"{unknown_wb} stops have unknown wheelchair_boarding", field="wheelchair_boarding")

    # routes
    routes = routes.copy()
    routes["route_type"] = _int_column(routes, "routes.txt", "route_type", report, default=None, required=True)
    bad_type = routes["route_type"].notna() & routes["route_type"].map(lambda v: route_type_mode(int(v)) is None if v == v else False)
    for idx in np.flatnonzero(bad_type.to_numpy())[:20]:
        report.error("routes.txt", f"unknown route_type {int(routes['route_type'].iloc[idx])}", row=int(idx) + 1, field="route_type")
    for col in ("route_short_name", "route_long_name", "agency_id", "route_color"):
        if col not in routes.columns:
            routes[col] = ""
    dup = routes["route_id"].duplicated()
    for idx in np.flatnonzero(dup.to_numpy())[:20]:
        report.error("routes.txt", f"duplicate route_id {routes['route_id'].iloc[idx]!r}", row=int(idx) + 1, field="route_id")
    route_ids = set(routes["route_id"])

    # calendars
    cal = t["calendar.txt"] if t["calendar.txt"] is not None else empty(columns=list(REQUIRED_COLUMNS["calendar.txt"]))
    cal = cal.copy()
    for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        cal[d] = _int_column(cal, "calendar.txt", d, report, default=None, allowed={0, 1}, required=True)
    for d in ("start_date", "end_date"):
        cal[d] = _parse_date_column(cal, "calendar.txt", d, report)
    cd = t["calendar_dates.txt"] if t["calendar_dates.txt"] is not None else empty(columns=list(REQUIRED_COLUMNS["calendar_dates.txt"]))
    cd = cd.copy()
    cd["date"] = _parse_date_column(cd, "calendar_dates.txt", "date", report)
    cd["exception_type"] = _int_column(cd, "calendar_dates.txt", "exception_type", report, default=None, allowed={1, 2}, required=True)
    if t["calendar.txt"] is None and t["calendar_dates.txt"] is None:
        report.error("calendar.txt", "neither calendar.txt nor calendar_dates.txt is present")
    service_ids = set(cal["service_id"]) | set(cd["service_id"])

    # trips
    trips = trips.copy()
    for col in ("trip_headsign", "shape_id", "direction_id", "block_id", "trip_short_name"):
        if col not in trips.columns:
            trips[col] = ""
    trips["wheelchair_accessible"] = _int_column(trips, "trips.txt", "wheelchair_accessible", report, default=0, allowed={0, 1, 2})
    for col, known, what in (("route_id", route_ids, "route"), ("service_id", service_ids, "service")):
        bad = ~trips[col].isin(known)
        for idx in np.flatnonzero(bad.to_numpy())[:20]:
            report.error("trips.txt", f"unknown {what} {trips[col].iloc[idx]!r}", row=int(idx) + 1, field=col)
    dup = trips["trip_id"].duplicated()
    for idx in np.flatnonzero(dup.to_numpy())[:20]:
        report.error("trips.txt", f"duplicate trip_id {trips['trip_id'].iloc[idx]!r}", row=int(idx) + 1, field="trip_id")

    # stop_times
    st = st.copy()
    st["_row"] = np.arange(1, len(st) + 1)
    for col in ("arrival_time", "departure_time"):
        if col not in st.columns:
            report.error("stop_times.txt", "required column is missing", field=col)
            st[col] = ""
    for col in ("arrival_time", "departure_time"):
        secs = parse_time_column(st[col])
        for idx in np.flatnonzero(secs < 0)[:20]:
            report.error("stop_times.txt", f"unparseable time {st[col].iloc[idx]!r}", row=int(idx) + 1, field=col)
        st[col] = secs
    # A stop time given on one side only stands for both.
    st["arrival_time"] = st["arrival_time"].fillna(st["departure_time"])
    st["departure_time"] = st["departure_time"].fillna(st["arrival_time"])
    st["stop_sequence"] = _int_column(st, "stop_times.txt", "stop_sequence", report, default=None, required=True)
    st["pickup_type"] = _int_column(st, "stop_times.txt", "pickup_type", report, default=0, allowed={0, 1, 2, 3})
    st["drop_off_type"] = _int_column(st, "stop_times.txt", "drop_off_type", report, default=0, allowed={0, 1, 2, 3})
    trip_ids = set(trips["trip_id"])
    for col, known, what in (("trip_id", trip_ids, "trip"), ("stop_id", stop_ids, "stop")):
        bad = ~st[col].isin(known)
        for idx in np.flatnonzero(bad.to_numpy())[:20]:
            report.error("stop_times.txt", f"unknown {what} {st[col].iloc[idx]!r}", row=int(idx) + 1, field=col)
    st = st.sort_values(["trip_id", "stop_sequence"], kind="stable")
    same_trip = st["trip_id"].to_numpy()[1:] == st["trip_id"].to_numpy()[:-1]
    seq = st["stop_sequence"].to_numpy()
    dup_seq = np.flatnonzero(same_trip & (seq[1:] == seq[:-1]))
    for i in dup_seq[:20]:
        report.error("stop_times.txt", "duplicate stop_sequence in trip", row=int(st["_row"].iloc[i + 1]), field="stop_sequence")
    arr = st["arrival_time"].to_numpy()
    dep = st["departure_time"].to_numpy()
    # Compare each time with the previous stop's departure that has a valid time (so a gap of
    # empty times does not hide a jump backwards); malformed times (-1) were reported above.
    ok_seq = ~np.isnan(seq.astype(float))  # rows of unparseable stop_sequence have no place in the order
    ok_dep = pd.Series(np.where((dep >= 0) & ok_seq, dep, np.nan), index=st.index)
    prev_dep = ok_dep.groupby(st["trip_id"], sort=False).shift(1)
    prev_dep = prev_dep.groupby(st["trip_id"], sort=False).ffill().to_numpy()
    backwards = np.flatnonzero(ok_seq & (((arr >= 0) & (arr < prev_dep)) | ((arr >= 0) & (dep >= 0) & (dep < arr))))
    for i in backwards[:20]:
        report.error("stop_times.txt", "time earlier than the previous stop's departure", row=int(st["_row"].iloc[i]), field="arrival_time")
    # Interpolate missing intermediate times linearly between timepoints (in stop order).
    if np.isnan(arr).any():
        st = _interpolate_times(st, report)
    counts = st.groupby("trip_id", sort=False).size()
    short = counts[counts < 2]
    if len(short):
        report.warning("stop_times.txt", f"{len(short)} trips have fewer than 2 stop times and are ignored", field="trip_id")
    unused = len(trip_ids - set(st["trip_id"].unique()))
    if unused:
        report.warning("trips.txt", f"{unused} trips have no stop times and are ignored")

    # frequencies
    freq = t["frequencies.txt"] if t["frequencies.txt"] is not None else empty(columns=list(REQUIRED_COLUMNS["frequencies.txt"]))
    freq = freq.copy()
    for col in ("start_time", "end_time"):
        secs = parse_time_column(freq[col]) if len(freq) else np.array([])
        for idx in np.flatnonzero(~(secs >= 0))[:20]:
            report.error("frequencies.txt", f"unparseable time {freq[col].iloc[idx]!r}", row=int(idx) + 1, field=col)
        freq[col] = secs
    freq["headway_secs"] = _int_column(freq, "frequencies.txt", "headway_secs", report, default=None, required=True)
    freq["exact_times"] = _int_column(freq, "frequencies.txt", "exact_times", report, default=0, allowed={0, 1})
    bad = ~freq["trip_id"].isin(trip_ids)
    for idx in np.flatnonzero(bad.to_numpy())[:20]:
        report.error("frequencies.txt", f"unknown trip {freq['trip_id'].iloc[idx]!r}", row=int(idx) + 1, field="trip_id")

    # transfers
    tr = t["transfers.txt"] if t["transfers.txt"] is not None else empty(columns=list(REQUIRED_COLUMNS["transfers.txt"]))
    tr = tr.copy()
    tr["transfer_type"] = _int_column(tr, "transfers.txt", "transfer_type", report, default=0, allowed={0, 1, 2, 3, 4, 5})
    tr["min_transfer_time"] = _int_column(tr, "transfers.txt", "min_transfer_time", report, default=0)
    for col in ("from_stop_id", "to_stop_id"):
        bad = ~tr[col].isin(stop_ids) & (tr[col] != "")
        for idx in np.flatnonzero(bad.to_numpy())[:20]:
            report.error("transfers.txt", f"unknown stop {tr[col].iloc[idx]!r}", row=int(idx) + 1, field=col)

    # shapes
    sh = t["shapes.txt"] if t["shapes.txt"] is not None else empty(columns=list(REQUIRED_COLUMNS["shapes.txt"]))
    sh = sh.copy()
    for col in ("shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"):
        sh[col] = pd.to_numeric(sh[col], errors="coerce")
        for idx in np.flatnonzero(sh[col].isna().to_numpy())[:20]:
            report.error("shapes.txt", "invalid number", row=int(idx) + 1, field=col)
    sh = sh.dropna(subset=["shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"]).sort_values(["shape_id", "shape_pt_sequence"], kind="stable")

    feed_info = t["feed_info.txt"] if t["feed_info.txt"] is not None else empty()

    feed = GtfsFeed(source=str(Path(path).resolve()), agency=agency, stops=stops, routes=routes, trips=trips, stop_times=st,
                    calendar=cal, calendar_dates=cd, frequencies=freq, transfers=tr, shapes=sh,
                    feed_info=feed_info, digest=digest.hexdigest(), report=report)
    if prefix:
        _apply_prefix(feed, prefix)
    return feed


def _interpolate_times(st: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """Fill empty arrival/departure times linearly by position between the surrounding timepoints."""
    st = st.copy()
    first = ~st["trip_id"].duplicated(keep="first")
    last = ~st["trip_id"].duplicated(keep="last")
    missing_end = st["arrival_time"].isna() & (first | last)
    for idx in np.flatnonzero(missing_end.to_numpy())[:20]:
        report.error("stop_times.txt", "first and last stop of a trip need times", row=int(st["_row"].iloc[idx]), field="arrival_time")
    pos = st.groupby("trip_id", sort=False).cumcount().astype(float)
    st["_pos"] = pos
    filled = st.groupby("trip_id", sort=False, group_keys=False)[["_pos", "arrival_time"]].apply(
        lambda g: pd.Series(np.interp(g["_pos"], g["_pos"][g["arrival_time"].notna()], g["arrival_time"].dropna())
                            if g["arrival_time"].notna().sum() >= 2 else g["arrival_time"].to_numpy(), index=g.index))
    mask = st["arrival_time"].isna()
    st.loc[mask, "arrival_time"] = np.round(filled[mask])
    st.loc[mask, "departure_time"] = st.loc[mask, "arrival_time"]
    return st.drop(columns="_pos")


def _apply_prefix(feed: GtfsFeed, prefix: str) -> None:
    cols = {"stops": ("stop_id", "parent_station"), "routes": ("route_id",), "trips": ("route_id", "service_id", "trip_id", "shape_id"),
            "stop_times": ("trip_id", "stop_id"), "calendar": ("service_id",), "calendar_dates": ("service_id",),
            "frequencies": ("trip_id",), "transfers": ("from_stop_id", "to_stop_id"), "shapes": ("shape_id",)}
    for table, columns in cols.items():
        df = getattr(feed, table)
        for c in columns:
            if c in df.columns:
                df[c] = np.where(df[c].astype(str) != "", prefix + df[c].astype(str), "")


def load_feeds(paths: list[str | os.PathLike]) -> list[GtfsFeed]:
    """Read several feeds; ids are prefixed with ``<n>:`` from the second feed on when they clash."""
    feeds: list[GtfsFeed] = []
    seen_stops: set[str] = set()
    for i, p in enumerate(paths):
        f = read_gtfs(p)
        if i and (seen_stops & set(f.stops["stop_id"])):
            f = read_gtfs(p, prefix=f"{i}:")
        seen_stops |= set(f.stops["stop_id"])
        feeds.append(f)
    return feeds


def read_stops(path: str | os.PathLike) -> pd.DataFrame:
    """``stops.txt`` of a feed (every location type) as strings, coordinates as floats; for the
    geocoder, which needs station names and stop codes the compiled timetable does not keep."""
    src = _Source(path)
    if not src.has("stops.txt"):
        raise FeedError(f"{path}:stops.txt", "required file is missing")
    raw = src.read_bytes("stops.txt")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=[], skipinitialspace=True)
    df.columns = [str(c).strip() for c in df.columns]
    for col in ("stop_name", "stop_code", "parent_station", "location_type"):
        if col not in df.columns:
            df[col] = ""
    df["location_type"] = pd.to_numeric(df["location_type"].replace("", "0"), errors="coerce").fillna(0).astype(int)
    df["stop_lat"] = pd.to_numeric(df.get("stop_lat"), errors="coerce")
    df["stop_lon"] = pd.to_numeric(df.get("stop_lon"), errors="coerce")
    return df
