"""Streets benchmark: build, reload and plan on the STPT network with the real Timișoara OSM.

Measured (medians of repeated runs; the crow-fly network of the same feed is the peer in the
same run, so ratios survive a busy machine):

* build of STPT + ``timisoara.osm.pbf`` in a fresh ``maas build --force`` process: wall time and
  peak RSS (``resource.getrusage(RUSAGE_CHILDREN)``), ``--builds`` times;
* reload: ``maas.load_network`` of the built folder (memory-mapped arrays), ``--loads`` times;
* ``Network.plan`` from coordinates to coordinates inside the OSM coverage with WALK,TRANSIT
  (and all five modes with ``--all-modes``), ``--queries`` random pairs, on the street network
  and on the crow-fly network, warm (first queries not counted).

    python benchmarks/bench_streets.py --out benchmarks/results/streets.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from vmstat import cpu_ticks, steal_share  # noqa: E402
REPO = HERE.parent
DATA = Path(os.environ.get("MAAS_SHARED_DATA", REPO.parent / "shared" / "data"))
GTFS = DATA / "stpt-timisoara-synth" / "stpt-timisoara-gtfs.zip"
OSM = DATA / "osm-timisoara-2025" / "timisoara.osm.pbf"
SYNTH = DATA / "stpt-timisoara-synth"
ALL = ["WALK", "TRANSIT", "BIKE_SHARE", "CAR_SHARE", "PARK_RIDE"]


def build_once(out: Path, osm: bool) -> dict:
    cmd = [sys.executable, "-m", "maas.cli", "build", str(GTFS), "-o", str(out), "--force",
           "--gbfs", str(SYNTH / "gbfs" / "velotm"), "--gbfs", str(SYNTH / "gbfs" / "carshare"),
           "--parking", str(SYNTH / "park_and_ride.geojson")] + (["--osm", str(OSM)] if osm else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"wall_s": wall, "peak_rss_mb_at_least": max(peak, before) / 1024}


def plan_times(net, pairs, modes, warm: int = 10) -> list[float]:
    out = []
    for i, (o, d) in enumerate(pairs):
        t0 = time.perf_counter()
        net.plan(f"{o[0]:.6f},{o[1]:.6f}", f"{d[0]:.6f},{d[1]:.6f}", "2026-11-24", "08:00", modes=modes)
        if i >= warm:
            out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"n": len(xs), "median": statistics.median(xs), "p95": xs[int(0.95 * (len(xs) - 1))]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builds", type=int, default=3)
    ap.add_argument("--loads", type=int, default=10)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--all-modes", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="plan rounds (streets, then crow-fly, each round)")
    ap.add_argument("--work", default=str(HERE / "work"))
    ap.add_argument("--out", default=str(HERE / "results" / "streets.json"))
    a = ap.parse_args()
    if not (GTFS.is_file() and OSM.is_file()):
        print(f"shared data missing: {GTFS} / {OSM}", file=sys.stderr)
        return 2
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    street_dir, crow_dir = work / "stpt-osm", work / "stpt-crow"
    builds = [build_once(street_dir, True) for _ in range(a.builds)]
    crow_build = build_once(crow_dir, False)
    import maas
    warnings.simplefilter("ignore")
    loads = []
    for _ in range(a.loads):
        t0 = time.perf_counter()
        net = maas.load_network(street_dir)
        loads.append((time.perf_counter() - t0) * 1000)
    crow = maas.load_network(crow_dir)
    rng = random.Random(20261201)
    # inside the OSM coverage, where the stops are (the extract's bbox is 45.70..45.80 x 21.10..21.30)
    pairs = [((rng.uniform(45.725, 45.785), rng.uniform(21.17, 21.27)),
              (rng.uniform(45.725, 45.785), rng.uniform(21.17, 21.27))) for _ in range(a.queries)]
    res = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
           "date": time.strftime("%Y-%m-%d"), "load_average": os.getloadavg(),
           "build_streets": {"runs": builds, "median_wall_s": statistics.median(b["wall_s"] for b in builds),
                             "max_peak_rss_mb_at_least": max(b["peak_rss_mb_at_least"] for b in builds)},
           "build_crow_fly": crow_build,
           "reload_ms": summary(loads)}
    mode_sets = [["WALK", "TRANSIT"]] + ([ALL] if a.all_modes else [])
    for modes in mode_sets:
        key = ",".join(modes)
        runs = []
        for _ in range(a.rounds):   # rounds alternate with the peer: a busy spell hits both
            t0 = cpu_ticks()
            s = plan_times(net, pairs, modes)
            c = plan_times(crow, pairs, modes)
            runs.append({"streets": summary(s), "crow_fly": summary(c),
                         "median_ratio": statistics.median(s) / statistics.median(c),
                         "cpu_steal_share": steal_share(t0, cpu_ticks())})
        res[f"plan_ms[{key}]"] = {"rounds": runs,
                                  "median_of_medians": statistics.median(r["streets"]["median"] for r in runs),
                                  "crow_fly_median_of_medians": statistics.median(r["crow_fly"]["median"] for r in runs)}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
