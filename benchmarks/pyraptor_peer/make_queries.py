#!/usr/bin/env python3
"""Random stop-to-stop queries for trying the peer: stdlib only, any python.

    python3 benchmarks/pyraptor_peer/make_queries.py ADAPTED_GTFS_DIR OUT.csv [-n 20] [--seed 1]

Picks origin/destination pairs (distinct) among the stops served in ADAPTED/stop_times.txt
(so every stop is in pyraptor's timetable) and departure times uniform in [06:00, 20:00).
"""
import argparse
import csv
import os
import random


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("adapted")
    p.add_argument("out")
    p.add_argument("-n", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", default="06:00:00")
    p.add_argument("--end", default="20:00:00")
    a = p.parse_args(argv)

    def sec(s):
        h, m, x = (int(v) for v in s.split(":"))
        return h * 3600 + m * 60 + x

    with open(os.path.join(a.adapted, "stop_times.txt"), newline="", encoding="utf-8") as fh:
        stops = sorted({r["stop_id"] for r in csv.DictReader(fh)})
    rng = random.Random(a.seed)
    with open(a.out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["origin_stop_id", "destination_stop_id", "departure_time"])
        for _ in range(a.n):
            o, d = rng.sample(stops, 2)
            t = rng.randrange(sec(a.start), sec(a.end))
            w.writerow([o, d, f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"])


if __name__ == "__main__":
    main()
