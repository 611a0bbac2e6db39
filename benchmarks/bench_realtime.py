#!/usr/bin/env python3
"""Real-time benchmark on the STPT feed (weekday 2026-11-24), one run, one machine:

  * a TripUpdates feed touching every trip of the weekday is written as protobuf, in two delay
    models (correlated, as live systems send; independent, adversarial: see ``all_trips_feed``);
  * overlay build + swap: read and parse the feed, compile the overlay, make the network view,
    swap the snapshot (``Realtime.refresh``): median of repeated runs (bar: <= 1 s);
  * ``Network.plan`` (WALK,TRANSIT) on random stop pairs 06:00-20:00 with and without the overlay,
    interleaved query by query so both see the same machine load: medians (bar: <= 20 % slower).
Writes benchmarks/results/realtime.json and the real-time section of benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/bench_realtime.py [--queries 400] [--builds 9]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FEED = ROOT.parent / "shared" / "data" / "stpt-timisoara-synth" / "stpt-timisoara-gtfs.zip"
DAY = dt.date(2026, 11, 24)
WORK = ROOT / "benchmarks" / "work"
sys.path.insert(0, str(ROOT))


def all_trips_feed(net, day: dt.date, model: str, seed: int = 7) -> tuple[bytes, int]:
    """TripUpdates for every trip running on ``day``: (protobuf bytes, number of trips).

    ``model="correlated"``: what a live system looks like: each route has a delay level that
    drifts over the day (0-6 min), each trip departs its first stop late by that level +- 90 s
    and loses up to 3 more minutes from a random stop on. ``model="independent"``: an
    adversarial feed: every trip an independent delay of -1..10 min from a random stop and, on
    a third of them, a second one of up to 15 min further on; successive trips overtake often.
    """
    from google.transit import gtfs_realtime_pb2 as pb
    from maas.planner.profiles import get_profile
    rng = np.random.default_rng(seed)
    tt = net.tt
    ctx = net.day_context(day, get_profile("default"))
    trips = np.flatnonzero(ctx.trip_active[1])
    msg = pb.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = int(time.time())
    rsp = np.asarray(tt.route_stop_ptr)
    phase = rng.uniform(0, 2 * np.pi, len(tt.groute_id))
    for t in trips.tolist():
        r = int(tt.trip_route[t])
        n = int(rsp[r + 1] - rsp[r])
        p = int(tt.trip_time_ptr[t])
        seqs = tt.stop_seq[p:p + n]
        e = msg.entity.add(id=f"tu{t}")
        e.trip_update.trip.trip_id = str(tt.trip_id[t])
        e.trip_update.trip.start_date = day.strftime("%Y%m%d")
        if model == "correlated":
            g = int(tt.route_groute[r])
            level = 180 + 180 * np.sin(phase[g] + int(tt.dep_time[p]) / 7200)
            d0 = max(0, int(level + rng.integers(-90, 91)))
            u = e.trip_update.stop_time_update.add(stop_sequence=int(seqs[0]))
            u.departure.delay = d0
            k = int(rng.integers(1, n))
            u = e.trip_update.stop_time_update.add(stop_sequence=int(seqs[k]))
            u.arrival.delay = d0 + int(rng.integers(0, 181))
            continue
        k = int(rng.integers(0, n - 1))
        d1 = int(rng.integers(-60, 600))
        u = e.trip_update.stop_time_update.add(stop_sequence=int(seqs[k]))
        u.departure.delay = d1
        if rng.random() < 0.33 and k + 2 < n:
            k2 = int(rng.integers(k + 1, n))
            u = e.trip_update.stop_time_update.add(stop_sequence=int(seqs[k2]))
            u.arrival.delay = d1 + int(rng.integers(0, 900))
    return msg.SerializeToString(), len(trips)


def measure(net, model: str, qs: list, n_builds: int) -> dict:
    """Build+swap times and interleaved plan timings for one delay model."""
    from maas.planner.realtime import Realtime
    data, n_trips = all_trips_feed(net, DAY, model)
    rt_path = WORK / f"stpt-all-trips-{model}.pb"
    rt_path.write_bytes(data)
    rt = Realtime(net, [str(rt_path)])
    net.realtime = rt
    builds = []
    for _ in range(n_builds):
        t0 = time.perf_counter()
        rt.refresh(force=True)           # read, parse and compile again even though the file is the same
        builds.append(time.perf_counter() - t0)
    snap = rt.snapshot
    for o, d, t in qs[:20]:            # warm-up: kernels loaded, day contexts and geometry cached
        net.plan(f"stop:{o}", f"stop:{d}", DAY.isoformat(), t, realtime=True)
        net.plan(f"stop:{o}", f"stop:{d}", DAY.isoformat(), t, realtime=False)
    static_ms, rt_ms = [], []
    changed = 0
    for i, (o, d, t) in enumerate(qs):
        order = (False, True) if i % 2 == 0 else (True, False)
        res = {}
        for flag in order:
            t0 = time.perf_counter()
            res[flag] = net.plan(f"stop:{o}", f"stop:{d}", DAY.isoformat(), t, realtime=flag)
            (rt_ms if flag else static_ms).append((time.perf_counter() - t0) * 1000)
        changed += [it["arrival"] for it in res[False]["itineraries"]] != [it["arrival"] for it in res[True]["itineraries"]]
    med_s, med_r = statistics.median(static_ms), statistics.median(rt_ms)
    return {
        "model": model, "trips_updated": n_trips, "feed_bytes": len(data),
        "overlay_build_swap_s": {"median": round(statistics.median(builds), 3), "max": round(max(builds), 3),
                                 "runs": len(builds)},
        "overlay": {k: v for k, v in snap.stats.items() if v},
        "overlay_trips": int(snap.overlay.n_trips),
        "overlay_routes": int(len(snap.overlay.arrays["route_first_dep"]) - snap.overlay.n_static_routes),
        "static_routes": int(snap.overlay.n_static_routes),
        "plan_ms": {"static_median": round(med_s, 2), "realtime_median": round(med_r, 2),
                    "static_p95": round(float(np.percentile(static_ms, 95)), 2),
                    "realtime_p95": round(float(np.percentile(rt_ms, 95)), 2),
                    "slowdown_pct": round((med_r / med_s - 1) * 100, 1), "queries": len(qs),
                    "answers_changed": changed},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--builds", type=int, default=9)
    a = ap.parse_args()
    if not FEED.is_file():
        print(f"bench_realtime: {FEED} is missing", file=sys.stderr)
        return 2
    import maas
    WORK.mkdir(parents=True, exist_ok=True)
    net = maas.build_network([FEED], out=WORK / "stpt-rt")
    rng = np.random.default_rng(11)
    ids = [str(s) for s in net.tt.stop_id]
    qs = []
    while len(qs) < a.queries:
        o, d = rng.integers(0, len(ids), 2)
        if o != d:
            t = int(rng.integers(6 * 3600, 20 * 3600))
            qs.append((ids[o], ids[d], f"{t // 3600:02d}:{t % 3600 // 60:02d}"))
    out = {"date": dt.datetime.now().isoformat(timespec="seconds"), "feed": "stpt", "day": DAY.isoformat(),
           "runs": [measure(net, m, qs, a.builds) for m in ("correlated", "independent")]}
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "realtime.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    _write_results(out)
    return 0


def _write_results(r: dict) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    rows = []
    for x in r["runs"]:
        b, p = x["overlay_build_swap_s"], x["plan_ms"]
        rows.append(f"| {x['model']} | {x['trips_updated']} ({x['feed_bytes'] / 1e6:.2f} MB) | "
                    f"{b['median']:.3f} s (max {b['max']:.3f}) | {x['overlay_routes']} for {x['static_routes']} | "
                    f"{p['static_median']:.2f} / {p['realtime_median']:.2f} ms | {p['slowdown_pct']:+.1f} % | "
                    f"{p['answers_changed']} of {p['queries']} |")
    section = (
        "<!-- realtime:start -->\n## Real-time overlay (`benchmarks/bench_realtime.py`)\n\n"
        f"Measured {r['date']} on the STPT feed, weekday {r['day']}: a TripUpdates feed touching every trip "
        "of the day, in two delay models (see `all_trips_feed`): *correlated* (a per-route delay level drifting "
        "over the day, +-90 s per trip, up to 3 more minutes from a random stop: what a live system sends) and "
        "*independent* (an adversarial -1..10 min per trip from a random stop, plus up to 15 min more on a "
        "third: successive trips overtake all the time). Build + swap = read and parse the protobuf, compile the "
        "overlay, make the network view, swap the snapshot (`Realtime.refresh`, off the request path). Plans: "
        "`Network.plan` WALK,TRANSIT, random stop pairs 06:00-20:00, with and without the overlay interleaved "
        "query by query; medians. Bars: build + swap <= 1 s; plan with the overlay <= 20 % slower.\n\n"
        "| delay model | trips updated | build + swap (median) | overlay routes for static patterns | "
        "plan median without / with | slowdown | answers changed |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n"
        "The independent model splits busy patterns into several overlay routes (trips overtake), and busy "
        "patterns are the ones RAPTOR scans most; its delays also lengthen rides mid-trip, so the searches "
        "themselves grow. An overlay of zero delays on every trip costs nothing measurable (same kernel time).\n"
        "<!-- realtime:end -->\n")
    if "<!-- realtime:start -->" in text:
        pre = text.split("<!-- realtime:start -->")[0]
        post = text.split("<!-- realtime:end -->\n", 1)[1] if "<!-- realtime:end -->\n" in text else ""
        text = pre + section + post
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
