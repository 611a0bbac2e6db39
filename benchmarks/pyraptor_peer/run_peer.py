#!/usr/bin/env python3
"""Time pyraptor 1.3.10's RAPTOR on a list of stop-to-stop earliest-arrival queries.

Run with the pyraptor venv:

    benchmarks/.venv-pyraptor/bin/python benchmarks/pyraptor_peer/run_peer.py \
        TIMETABLE_DIR QUERIES.csv ROUNDS OUT.json

TIMETABLE_DIR holds the timetable.pcl written by preprocess.py (pyraptor's own builder) from
a feed adapted by adapt_feed.py. QUERIES.csv has the columns origin_stop_id,
destination_stop_id, departure_time (HH:MM:SS; hours may be >= 24).

Each query does what pyraptor's ``query_raptor.run_raptor`` does, but stop-to-stop:
``RaptorAlgorithm(timetable).run(from_stops, dep_secs, rounds)``, then the label of the
destination stop in the last round's bag, and ``reconstruct_journey`` for that one
destination (``run_raptor`` reconstructs journeys to every station, which we skip: it is
output formatting, not search). ``from_stops`` is the origin stop alone (default) or, with
``--origin station``, all stops of the origin's pyraptor station (= same stop_name), all at
the departure time, as pyraptor's CLI does. The destination is always the exact stop (a
same-station transfer of 120 s into it is part of its label). With adapt_feed's
``--stations unique`` every station is one stop, so both modes are the same. The time of
each query is measured with time.perf_counter after one untimed warm-up query; pyraptor's
loguru output is switched off.

Output JSON: {"per_query_s": [...], "arrivals": [...], "load_s": ...} plus extras:
"per_query_cpu_s" (process CPU time, less sensitive to a busy machine), "rounds",
"n_queries", "median_s", "unknown_stops", "origin_mode". arrivals are seconds after midnight of the service date (null: not
reached in ROUNDS rounds); per_query_s is null when a stop id is not in the timetable
(stop not served on that date).
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time


def _sec(hms: str) -> int:
    parts = [int(x) for x in hms.strip().split(":")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("timetable", help="folder with pyraptor's timetable.pcl")
    p.add_argument("queries", help="CSV: origin_stop_id,destination_stop_id,departure_time")
    p.add_argument("rounds", type=int, help="RAPTOR rounds (= max vehicle legs)")
    p.add_argument("out", help="output JSON path")
    p.add_argument("--origin", choices=["stop", "station"], default="stop",
                   help="start from the origin stop only (default) or from all stops of "
                        "its pyraptor station (same stop_name); destination is always the stop")
    p.add_argument("--no-warmup", action="store_true")
    a = p.parse_args(argv)

    from loguru import logger
    logger.remove()  # pyraptor logs every round; keep stderr I/O out of the timings

    t0 = time.perf_counter()
    from pyraptor.dao.timetable import read_timetable
    from pyraptor.model.raptor import (RaptorAlgorithm, best_stop_at_target_station,
                                       reconstruct_journey)
    from pyraptor.util import LARGE_NUMBER
    timetable = read_timetable(a.timetable)
    load_s = time.perf_counter() - t0

    with open(a.queries, newline="") as fh:
        queries = [(r["origin_stop_id"].strip(), r["destination_stop_id"].strip(),
                    _sec(r["departure_time"])) for r in csv.DictReader(fh)]

    def query(orig, dest, dep):
        o = timetable.stops.set_idx[orig]
        from_stops = list(o.station.stops) if a.origin == "station" else [o]
        to_stops = [timetable.stops.set_idx[dest]]
        raptor = RaptorAlgorithm(timetable)
        bag_round_stop = raptor.run(from_stops, dep, a.rounds)
        best_labels = bag_round_stop[a.rounds]
        dest_stop = best_stop_at_target_station(to_stops, best_labels)
        if dest_stop == 0:
            return None
        reconstruct_journey(dest_stop, best_labels)
        arr = best_labels[dest_stop].earliest_arrival_time
        return None if arr >= LARGE_NUMBER else int(arr)

    unknown = sorted({s for o, d, _ in queries for s in (o, d)
                      if s not in timetable.stops.set_idx})
    known = [q for q in queries if q[0] not in unknown and q[1] not in unknown]
    if known and not a.no_warmup:
        query(*known[0])

    per_query, per_query_cpu, arrivals = [], [], []
    for orig, dest, dep in queries:
        if orig in unknown or dest in unknown:
            per_query.append(None)
            per_query_cpu.append(None)
            arrivals.append(None)
            continue
        c = time.process_time()
        t = time.perf_counter()
        arr = query(orig, dest, dep)
        per_query.append(time.perf_counter() - t)
        per_query_cpu.append(time.process_time() - c)
        arrivals.append(arr)

    timed = [x for x in per_query if x is not None]
    res = {"per_query_s": per_query, "arrivals": arrivals, "load_s": load_s,
           "per_query_cpu_s": per_query_cpu, "rounds": a.rounds, "n_queries": len(queries),
           "median_s": statistics.median(timed) if timed else None,
           "unknown_stops": unknown, "engine": "pyraptor 1.3.10 RaptorAlgorithm",
           "origin_mode": a.origin}
    with open(a.out, "w") as fh:
        json.dump(res, fh, indent=1)
    print(json.dumps({k: res[k] for k in ("n_queries", "median_s", "load_s")}
                     | {"reached": sum(x is not None for x in arrivals)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
