"""``maas validate``: the reader's per-file checks plus cross-file checks, as printable lines.

:func:`maas.feeds.gtfs.read_gtfs` already checks each file on its own (missing files and columns,
unparseable values, unknown references, times going backwards). This module adds what needs
several tables at once. Every finding names file, row (1-based data row, header excluded) and
field:

* errors: trips whose ``shape_id`` is not in shapes.txt;
* warnings: trips without stop times (or with a single one), trips overtaking another trip with
  the same stops, trips of unknown wheelchair accessibility, calendars that never run, routes
  without trips.

A source that cannot be read at all (missing, not a zip, a required file or column missing) is
reported as error lines too, never as an exception.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from maas.errors import FeedError, Issue, UnreadableSource, ValidationReport
from maas.feeds.gtfs import GtfsFeed, read_gtfs

MAX_PER_CHECK = 20
"""At most this many findings per check and feed are listed one by one; the rest are counted."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def validate_sources(sources: list[str]) -> tuple[list[str], int, int]:
    """Validate GTFS feeds; returns (printable lines, errors first; error count; warning count).

    Each line is ``<source>: <severity>: <file> row <n> field <name>: <message>``. A source that
    does not exist or is neither a zip nor a folder raises :class:`UnreadableSource` (CLI exit 2).
    """
    errors: list[str] = []
    warnings: list[str] = []
    n_err = n_warn = 0
    for src in sources:
        try:
            feed = read_gtfs(src)
        except UnreadableSource:
            raise
        except FeedError as exc:
            issues = exc.issues
        except (OSError, ValueError) as exc:  # e.g. a zip member that cannot be decompressed
            issues = [Issue("error", str(src), None, None, f"cannot be read: {exc}")]
        else:
            report = ValidationReport([i for i in feed.report.issues if not _superseded(i)])
            cross_checks(feed, report)
            issues = report.issues
        for issue in issues:
            line = f"{src}: {issue}"
            if issue.severity == "error":
                errors.append(line)
                n_err += 1
            else:
                warnings.append(line)
                n_warn += 1
    return errors + warnings, n_err, n_warn


def _superseded(issue: Issue) -> bool:
    """The reader's summary warnings (no row) that the checks below repeat row by row."""
    if issue.severity != "warning" or issue.row is not None:
        return False
    return ((issue.file, issue.field) == ("stops.txt", "wheelchair_boarding")
            or (issue.file == "trips.txt" and "have no stop times" in issue.message)
            or (issue.file == "stop_times.txt" and "fewer than 2 stop times" in issue.message))


def cross_checks(feed: GtfsFeed, report: ValidationReport) -> None:
    """Add the checks that span several files to ``report``.

    The tables of a feed with errors can be odd in ways no check foresaw: a check that fails
    on them is reported as skipped (a warning) instead of hiding the reader's findings.
    """
    for check in CHECKS:
        try:
            check(feed, report)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            report.warning("(feed)", f"{check.__name__} skipped: {type(exc).__name__}: {exc}")


def _listed(report: ValidationReport, severity: str, file: str, rows: list[tuple[int, str, str]],
            summary: str) -> None:
    """Add the first MAX_PER_CHECK (row, field, message) findings, then one line counting the rest."""
    add = report.error if severity == "error" else report.warning
    for row, fld, msg in rows[:MAX_PER_CHECK]:
        add(file, msg, row=row, field=fld)
    if len(rows) > MAX_PER_CHECK:
        add(file, f"... and {len(rows) - MAX_PER_CHECK} more {summary}")


def check_shapes(feed: GtfsFeed, report: ValidationReport) -> None:
    """Error for each trip whose shape_id is not defined in shapes.txt."""
    trips = feed.trips
    known = set(feed.shapes["shape_id"]) if "shape_id" in feed.shapes.columns else set()
    sid = trips["shape_id"].fillna("").astype(str)
    bad = (sid != "") & ~sid.isin(known)
    rows = [(int(i) + 1, "shape_id", f"unknown shape {sid.iloc[i]!r} (not in shapes.txt)")
            for i in np.flatnonzero(bad.to_numpy())]
    _listed(report, "error", "trips.txt", rows, "trips with an unknown shape")


def check_trips_without_stop_times(feed: GtfsFeed, report: ValidationReport) -> None:
    """Warning for each trip with no stop times at all, or only one (it cannot be ridden)."""
    counts = feed.stop_times.groupby("trip_id", sort=False).size() if len(feed.stop_times) else pd.Series(dtype=int)
    n = feed.trips["trip_id"].map(counts).fillna(0).astype(int).to_numpy()
    rows = []
    for i in np.flatnonzero(n < 2):
        tid = feed.trips["trip_id"].iloc[i]
        what = "has no stop times" if n[i] == 0 else "has a single stop time"
        rows.append((int(i) + 1, "trip_id", f"trip {tid!r} {what}; it is ignored"))
    _listed(report, "warning", "trips.txt", rows, "trips without usable stop times")


def check_overtaking(feed: GtfsFeed, report: ValidationReport) -> None:
    """Warning for each trip that overtakes an earlier trip with the same stop sequence.

    Within a pattern (same stops in the same order) trips are sorted by their times at the first
    stop; a trip overtakes when at some stop it arrives or leaves strictly earlier than a trip
    that started before it. The router then has to split the pattern into several routes.
    """
    st = feed.stop_times
    if not len(st):
        return
    st = st.dropna(subset=["arrival_time", "departure_time"])
    st = st[(st["arrival_time"] >= 0) & (st["departure_time"] >= 0)  # -1: unparseable, already an error
            & st["trip_id"].isin(set(feed.trips["trip_id"]))]     # unknown trips: already an error
    if not len(st):
        return
    trip = st["trip_id"].to_numpy()
    stops = st["stop_id"].astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, trip[1:] != trip[:-1]])
    ends = np.r_[starts[1:], len(trip)]
    arr = st["arrival_time"].to_numpy(np.float64)
    dep = st["departure_time"].to_numpy(np.float64)
    patterns: dict[tuple, list[int]] = {}
    for k, (a, b) in enumerate(zip(starts, ends)):
        if b - a >= 2:
            patterns.setdefault(tuple(stops[a:b]), []).append(k)
    trip_row = pd.Series(np.arange(1, len(feed.trips) + 1), index=feed.trips["trip_id"].to_numpy())
    trip_row = trip_row[~trip_row.index.duplicated()]
    service = dict(zip(feed.trips["trip_id"].astype(str), feed.trips["service_id"].astype(str)))
    rows = []
    for seq, ks in patterns.items():
        if len(ks) < 2:
            continue
        idx = starts[ks][:, None] + np.arange(len(seq))[None, :]
        A, D = arr[idx], dep[idx]
        order = np.lexsort(tuple(A[:, i] for i in range(len(seq) - 1, -1, -1))
                           + tuple(D[:, i] for i in range(len(seq) - 1, -1, -1)))
        A, D = A[order], D[order]
        # the latest time any earlier-starting trip reaches each stop
        prev_a = np.maximum.accumulate(A, axis=0)
        prev_d = np.maximum.accumulate(D, axis=0)
        ahead = (A[1:] < prev_a[:-1]) | (D[1:] < prev_d[:-1])
        for j in np.flatnonzero(ahead.any(axis=1)):
            k_stop = int(np.argmax(ahead[j]))
            late = j + 1
            # the earlier trip it overtakes: the latest-starting one still ahead at that stop,
            # preferably of the same service (trips of other days only matter to the router)
            behind = np.flatnonzero((A[:late, k_stop] > A[late, k_stop]) | (D[:late, k_stop] > D[late, k_stop]))
            tid = str(trip[starts[ks[order[late]]]])
            same = [i for i in behind if service.get(str(trip[starts[ks[order[i]]]])) == service.get(tid)]
            other = int((same or behind)[-1])
            oid = str(trip[starts[ks[order[other]]]])
            rows.append((int(trip_row[tid]), "trip_id",
                         f"trip {tid!r} overtakes trip {oid!r} (same stops) at stop {seq[k_stop]!r}; "
                         "the router splits them into separate routes"))
    rows.sort(key=lambda r: r[0])
    _listed(report, "warning", "trips.txt", rows, "overtaking trips")


def check_accessibility(feed: GtfsFeed, report: ValidationReport) -> None:
    """One warning for the trips and one for the stops whose wheelchair accessibility is unknown
    (0 or empty; a stop's 0 is replaced by its parent station's value by the reader), each naming
    the first such row and counting the others."""
    wa = feed.trips["wheelchair_accessible"]
    unknown = np.flatnonzero((wa.fillna(0) == 0).to_numpy())
    if len(unknown):
        report.warning("trips.txt", f"{len(unknown)} of {len(wa)} trips have unknown wheelchair_accessible "
                       f"(0 or empty), first at this row", row=int(unknown[0]) + 1, field="wheelchair_accessible")
    st = feed.stops
    if "wheelchair_boarding" in st.columns and "location_type" in st.columns:
        wb = st["wheelchair_boarding"]
        boardable = st["location_type"].fillna(0) == 0
        unk = np.flatnonzero((boardable & (wb.fillna(0) == 0)).to_numpy())
        if len(unk):
            report.warning("stops.txt", f"stop {st['stop_id'].iloc[unk[0]]!r} is the first of {len(unk)} stops "
                           "of unknown wheelchair_boarding (0 or empty, not inherited from a parent station)",
                           row=int(unk[0]) + 1, field="wheelchair_boarding")


def _dates(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[D]")


def check_calendars(feed: GtfsFeed, report: ValidationReport) -> None:
    """Warning for each service (calendar.txt or calendar_dates.txt only) that runs on no date."""
    cal, cd = feed.calendar, feed.calendar_dates
    cd = cd.dropna(subset=["date", "exception_type"]) if len(cd) else cd

    def dates_by_service(kind: int) -> dict[str, set]:
        if not len(cd):
            return {}
        return {s: set(_dates(g["date"]).tolist()) for s, g in cd[cd["exception_type"] == kind].groupby("service_id")}

    added, removed = dates_by_service(1), dates_by_service(2)
    in_calendar = set()
    rows = []
    for i in range(len(cal)):
        r = cal.iloc[i]
        sid = r["service_id"]
        in_calendar.add(sid)
        if pd.isna(r["start_date"]) or pd.isna(r["end_date"]) or any(pd.isna(r[d]) for d in WEEKDAYS):
            continue  # already an error from the reader
        if added.get(sid):
            continue
        start, end = np.datetime64(r["start_date"], "D"), np.datetime64(r["end_date"], "D")
        if end < start:
            rows.append((i + 1, "end_date", f"service {sid!r} never runs: end_date is before start_date"))
            continue
        runs = np.array([int(r[d]) == 1 for d in WEEKDAYS])
        if not runs.any():
            rows.append((i + 1, "service_id", f"service {sid!r} never runs: no weekday is set and no date is added"))
            continue
        days = np.arange(start, end + np.timedelta64(1, "D"), dtype="datetime64[D]")
        wd = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
        active = set(days[runs[wd]].tolist())
        if not (active - removed.get(sid, set())):
            rows.append((i + 1, "service_id",
                         f"service {sid!r} never runs: every date of its period is removed in calendar_dates.txt"
                         if active else f"service {sid!r} never runs: no date of its period falls on a running weekday"))
    _listed(report, "warning", "calendar.txt", rows, "services that never run")
    rows = []
    if len(cd):
        seen = set()
        for i in range(len(feed.calendar_dates)):
            sid = feed.calendar_dates["service_id"].iloc[i]
            if sid in in_calendar or sid in seen or sid in added:
                continue
            seen.add(sid)
            rows.append((i + 1, "service_id",
                         f"service {sid!r} never runs: calendar_dates.txt only removes dates and it is not in calendar.txt"))
    _listed(report, "warning", "calendar_dates.txt", rows, "services that never run")


def check_routes_without_trips(feed: GtfsFeed, report: ValidationReport) -> None:
    """Warning for each route that no trip uses."""
    used = set(feed.trips["route_id"])
    rows = [(int(i) + 1, "route_id", f"route {feed.routes['route_id'].iloc[i]!r} has no trips")
            for i in np.flatnonzero(~feed.routes["route_id"].isin(used).to_numpy())]
    _listed(report, "warning", "routes.txt", rows, "routes without trips")


CHECKS = (check_shapes, check_trips_without_stop_times, check_overtaking, check_accessibility, check_calendars,
          check_routes_without_trips)
