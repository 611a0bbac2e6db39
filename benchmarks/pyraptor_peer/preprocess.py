#!/usr/bin/env python3
"""Build pyraptor's timetable (timetable.pcl) from a feed written by adapt_feed.py.

Run with the pyraptor venv:

    benchmarks/.venv-pyraptor/bin/python benchmarks/pyraptor_peer/preprocess.py ADAPTED_GTFS_DIR OUT_DIR

This is exactly pyraptor's own builder, i.e. the same as
``python -m pyraptor.gtfs.timetable --input ADAPTED --output OUT --date YYYYMMDD --agencies PEER``
(the date is taken from ADAPTED/adapt_info.json unless --date is given). It prints one JSON
line with the wall time of the build (``preprocess_s``) and the timetable counts, and writes
the same to OUT/preprocess_info.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("adapted", help="folder written by adapt_feed.py")
    p.add_argument("out", help="output folder for pyraptor's timetable.pcl")
    p.add_argument("--date", help="YYYYMMDD (default: from adapt_info.json)")
    p.add_argument("--agency", default=None, help="agency_name (default: from adapt_info.json)")
    p.add_argument("--verbose", action="store_true", help="keep pyraptor's loguru output")
    a = p.parse_args(argv)

    info_path = os.path.join(a.adapted, "adapt_info.json")
    info = json.load(open(info_path)) if os.path.exists(info_path) else {}
    date = a.date or info.get("ymd")
    agency = a.agency or info.get("agency", "PEER")
    if not date:
        p.error("--date is required when adapt_info.json is absent")

    from loguru import logger
    if not a.verbose:
        logger.remove()
        logger.add(sys.stderr, level="WARNING")
    t0 = time.perf_counter()
    from pyraptor.gtfs import timetable as tt  # noqa: E402  (import counted: pandas etc.)
    t1 = time.perf_counter()
    gtfs = tt.read_gtfs_timetable(a.adapted, date, [agency])
    timetable = tt.gtfs_to_pyraptor_timetable(gtfs, icd_fix=False)
    t2 = time.perf_counter()
    tt.write_timetable(a.out, timetable)
    t3 = time.perf_counter()
    res = {
        "date": date, "agency": agency,
        "import_s": round(t1 - t0, 3), "build_s": round(t2 - t1, 3),
        "write_s": round(t3 - t2, 3), "preprocess_s": round(t3 - t1, 3),
        "stations": len(timetable.stations), "stops": len(timetable.stops),
        "routes": len(timetable.routes), "trips": len(timetable.trips),
        "trip_stop_times": len(timetable.trip_stop_times),
        "transfers": len(timetable.transfers),
    }
    with open(os.path.join(a.out, "preprocess_info.json"), "w") as fh:
        json.dump(res, fh, indent=1)
    print(json.dumps(res))
    return 0 if res["trips"] else 1


if __name__ == "__main__":
    sys.exit(main())
