#!/usr/bin/env python3
"""Write a copy of a GTFS feed that pyraptor 1.3.10 can preprocess, for one service date.

Run with the MAIN project venv (pandas >= 2 is fine; only pandas + stdlib are used):

    .venv/bin/python benchmarks/pyraptor_peer/adapt_feed.py FEED.zip|FEED_DIR 2026-11-24 OUT_DIR

What pyraptor's ``pyraptor.gtfs.timetable`` needs and this script provides (see NOTES.md):

* calendar_dates.txt only: calendar.txt + calendar_dates.txt are resolved for the date and
  written as ``exception_type=1`` rows of the active services on that date (calendar.txt is
  not written; pyraptor ignores it anyway).
* one agency ``PEER`` (agency.txt) and ``routes.agency_id = PEER``, so the preprocessing is
  run with ``--agencies PEER`` and keeps every route (pyraptor filters on agency_name;
  Strasbourg's routes.txt has no agency_id column at all).
* trips.txt with ``trip_short_name`` empty (pyraptor casts it to Int64) and
  ``trip_long_name`` = the original trip_id (kept only as a label); only trips running on the
  date are written.
* stops.txt where every stop has a non-empty ``parent_station`` (pyraptor drops stops
  without one), a string ``stop_code`` and a ``platform_code``. pyraptor groups stops into
  stations BY stop_name and adds 120 s transfers between all stops of a station; with
  ``--stations unique`` (default) each stop_name becomes ``"name [stop_id]"`` so no stops are
  merged (and hence pyraptor has NO transfers between different stops); with
  ``--stations name`` the original names are kept (pyraptor's own model: same-name stops
  are one station with 120 s transfers between them).
* stop_times.txt with the five columns pyraptor reads, only for the date's trips, with
  missing arrival/departure filled from the other one or interpolated by stop_sequence
  (pyraptor's str2sec fails on empty times).

The stop_id / trip_id / route_id / service_id values are not changed, so pyraptor's stops
keep the original GTFS stop_id as ``Stop.id``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
import zipfile

import numpy as np
import pandas as pd

AGENCY = "PEER"


class _Source:
    """Read GTFS member files from a zip (possibly with a subfolder) or a directory."""

    def __init__(self, path: str):
        self.path = path
        self.zip = None
        self.members: dict[str, str] = {}
        if os.path.isdir(path):
            for root, _dirs, files in os.walk(path):
                for f in files:
                    if f.endswith(".txt"):
                        self.members.setdefault(f, os.path.join(root, f))
        else:
            self.zip = zipfile.ZipFile(path)
            # prefer the shallowest copy if a file appears at several depths
            for name in sorted(self.zip.namelist(), key=lambda n: n.count("/")):
                base = name.rsplit("/", 1)[-1]
                if base.endswith(".txt") and not name.startswith("__MACOSX"):
                    self.members.setdefault(base, name)

    def has(self, name: str) -> bool:
        return name in self.members

    def read(self, name: str, usecols=None) -> pd.DataFrame:
        if self.zip is not None:
            data = self.zip.read(self.members[name])
        else:
            with open(self.members[name], "rb") as fh:
                data = fh.read()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                         na_values=[""], skipinitialspace=True)
        df.columns = [c.strip() for c in df.columns]
        if usecols is not None:
            df = df[[c for c in usecols if c in df.columns]]
        return df


def active_services(src: _Source, date: dt.date) -> set[str]:
    """Service ids running on ``date`` per calendar.txt + calendar_dates.txt."""
    ymd = date.strftime("%Y%m%d")
    active: set[str] = set()
    if src.has("calendar.txt"):
        cal = src.read("calendar.txt")
        day = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
               "sunday"][date.weekday()]
        if len(cal):
            on = (cal[day].fillna("0").str.strip() == "1") & \
                 (cal["start_date"].str.strip() <= ymd) & (cal["end_date"].str.strip() >= ymd)
            active |= set(cal.loc[on, "service_id"].str.strip())
    if src.has("calendar_dates.txt"):
        cd = src.read("calendar_dates.txt")
        if len(cd):
            cd = cd[cd["date"].str.strip() == ymd]
            et = cd["exception_type"].str.strip()
            active |= set(cd.loc[et == "1", "service_id"].str.strip())
            active -= set(cd.loc[et == "2", "service_id"].str.strip())
    return active


def _to_sec(s: pd.Series) -> np.ndarray:
    out = np.full(len(s), np.nan)
    ok = s.notna().to_numpy()
    if ok.any():
        parts = s[ok].str.strip().str.split(":", expand=True).astype(int)
        sec = parts[0] * 3600 + parts[1] * 60 + (parts[2] if 2 in parts else 0)
        out[ok] = sec.to_numpy()
    return out


def _to_hms(sec: np.ndarray) -> list[str]:
    sec = np.rint(sec).astype(np.int64)
    return [f"{v // 3600:02d}:{(v % 3600) // 60:02d}:{v % 60:02d}" for v in sec]


def fix_stop_times(st: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Sort, fill missing times (interpolate by position in the trip), return HH:MM:SS."""
    st = st.copy()
    st["_seq"] = st["stop_sequence"].astype(int)
    st = st.sort_values(["trip_id", "_seq"], kind="stable").reset_index(drop=True)
    arr = _to_sec(st["arrival_time"])
    dep = _to_sec(st["departure_time"])
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    n_missing = int(np.isnan(arr).sum())
    if n_missing:
        # linear interpolation over the row position inside each trip
        t = pd.Series(arr)
        t = t.groupby(st["trip_id"].to_numpy()).transform(lambda x: x.interpolate(limit_area="inside"))
        arr = t.to_numpy()
        dep = np.where(np.isnan(dep), arr, dep)
        bad = st["trip_id"][np.isnan(arr)].unique()
        if len(bad):  # times missing at the ends of a trip: cannot be used
            keep = ~st["trip_id"].isin(bad).to_numpy()
            st, arr, dep = st[keep], arr[keep], dep[keep]
    st["arrival_time"] = _to_hms(arr)
    st["departure_time"] = _to_hms(dep)
    return st.drop(columns="_seq"), n_missing


def adapt(feed: str, date: dt.date, out: str, stations: str = "unique") -> dict:
    t0 = time.perf_counter()
    src = _Source(feed)
    for need in ("routes.txt", "trips.txt", "stop_times.txt", "stops.txt"):
        if not src.has(need):
            raise SystemExit(f"{feed}: {need} missing")
    os.makedirs(out, exist_ok=True)
    ymd = date.strftime("%Y%m%d")

    services = active_services(src, date)

    routes = src.read("routes.txt")
    routes["agency_id"] = AGENCY
    for col in ("route_short_name", "route_long_name"):
        if col not in routes:
            routes[col] = ""
    routes = routes[["route_id", "agency_id", "route_short_name", "route_long_name",
                     "route_type"]]

    trips = src.read("trips.txt", usecols=["route_id", "service_id", "trip_id"])
    trips = trips[trips["service_id"].isin(services) & trips["route_id"].isin(routes["route_id"])]
    trips = trips.assign(trip_short_name="", trip_long_name=trips["trip_id"])

    st = src.read("stop_times.txt", usecols=["trip_id", "arrival_time", "departure_time",
                                             "stop_id", "stop_sequence"])
    st = st[st["trip_id"].isin(set(trips["trip_id"]))]
    st, n_missing = fix_stop_times(st)
    # pyraptor drops trips with < 2 stop times itself; drop them here so ids stay consistent
    counts = st["trip_id"].value_counts()
    st = st[st["trip_id"].map(counts) >= 2]
    trips = trips[trips["trip_id"].isin(set(st["trip_id"]))]
    routes = routes[routes["route_id"].isin(set(trips["route_id"]))]

    stops = src.read("stops.txt")
    stops = stops[stops["stop_id"].isin(set(st["stop_id"]))].copy()
    missing_stops = set(st["stop_id"]) - set(stops["stop_id"])
    if missing_stops:
        raise SystemExit(f"stop_times reference {len(missing_stops)} unknown stops, "
                         f"e.g. {sorted(missing_stops)[:5]}")
    stops["stop_name"] = stops["stop_name"].fillna("").str.strip()
    if stations == "unique":
        stops["stop_name"] = stops["stop_name"] + " [" + stops["stop_id"] + "]"
    else:
        stops.loc[stops["stop_name"] == "", "stop_name"] = "[" + stops["stop_id"] + "]"
    # pyraptor: stops without parent_station are dropped; the parent row itself is never
    # needed (stations are built from stop_name), so point at an id that does not exist.
    stops["parent_station"] = "P:" + stops["stop_id"]
    stops["stop_code"] = "S:" + stops["stop_id"]  # must be a str column (.str.upper())
    if "platform_code" not in stops:
        stops["platform_code"] = ""
    stops = stops[["stop_id", "stop_code", "stop_name", "stop_lat", "stop_lon",
                   "parent_station", "platform_code"]]

    agency = pd.DataFrame({"agency_id": [AGENCY], "agency_name": [AGENCY],
                           "agency_url": ["http://example.invalid"],
                           "agency_timezone": [src.read("agency.txt")["agency_timezone"].iloc[0]
                                               if src.has("agency.txt") else "UTC"]})
    cal_dates = pd.DataFrame({"service_id": sorted(set(trips["service_id"])),
                              "date": ymd, "exception_type": 1})

    def w(df, name):
        df.to_csv(os.path.join(out, name), index=False)

    w(agency, "agency.txt")
    w(routes, "routes.txt")
    w(trips[["route_id", "service_id", "trip_id", "trip_short_name", "trip_long_name"]],
      "trips.txt")
    w(st, "stop_times.txt")
    w(stops, "stops.txt")
    w(cal_dates, "calendar_dates.txt")
    info = {"feed": os.path.abspath(feed), "date": date.isoformat(), "ymd": ymd,
            "agency": AGENCY, "stations": stations, "services": len(cal_dates),
            "routes": len(routes), "trips": len(trips), "stop_times": len(st),
            "stops": len(stops), "stop_times_interpolated": n_missing,
            "adapt_s": round(time.perf_counter() - t0, 3)}
    with open(os.path.join(out, "adapt_info.json"), "w") as fh:
        json.dump(info, fh, indent=1)
    return info


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("feed", help="GTFS zip (files may be in a subfolder) or folder")
    p.add_argument("date", help="service date YYYY-MM-DD")
    p.add_argument("out", help="output folder for the adapted GTFS copy")
    p.add_argument("--stations", choices=["unique", "name"], default="unique",
                   help="unique: stop_name -> 'name [stop_id]' (no merging, no transfers); "
                        "name: keep names (pyraptor groups same-name stops, 120 s transfers)")
    a = p.parse_args(argv)
    info = adapt(a.feed, dt.date.fromisoformat(a.date), a.out, a.stations)
    print(json.dumps(info))
    if info["trips"] == 0:
        print("warning: no trips run on that date", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
