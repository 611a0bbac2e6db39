#!/usr/bin/env python3
"""Geocoder benchmark: autocomplete queries typed letter by letter on STPT + OSM Timișoara.

Builds (or reuses) the STPT network with ``timisoara.osm.pbf`` and its places index, then times
``Network.geocode`` in process over every prefix (from 2 letters) of real names drawn from the
index (stops, POIs, streets; seeded), typed with and without diacritics, plus misspelt and
hostile queries reported separately. Measures the memory the index adds to a loaded network
(RSS of a fresh process after ``load_network`` and one query, with and without the index).
Writes benchmarks/results/geocode.json and the geocoder section of benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/bench_geocode.py [--names 120] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
SHARED = ROOT.parent / "shared" / "data"
GTFS = SHARED / "stpt-timisoara-synth" / "stpt-timisoara-gtfs.zip"
OSM = SHARED / "osm-timisoara-2025" / "timisoara.osm.pbf"
WORK = ROOT / "benchmarks" / "work"

RSS_SNIPPET = r"""
import sys, resource, os
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
import maas
net = maas.load_network(sys.argv[1])
base = rss()
if sys.argv[2] == 'with':
    net.geocode('gara de nord'); net.reverse_geocode(45.75, 21.22)
print(base, rss())
"""


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=120, help="real names typed letter by letter")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not GTFS.is_file() or not OSM.is_file():
        print(f"shared data missing ({GTFS} / {OSM})", file=sys.stderr)
        return 2
    import maas
    from anyascii import anyascii
    from bench_router import machine
    out = WORK / "stpt-osm"
    t0 = time.perf_counter()
    net = maas.build_network([str(GTFS)], out=out, osm=[str(OSM)], force=True)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    net = maas.build_network([str(GTFS)], out=out, osm=[str(OSM)])
    reuse_s = time.perf_counter() - t0
    net = maas.load_network(out)
    idx = net.places
    rng = random.Random(a.seed)
    pool = [i for i, k in enumerate(idx.kind.tolist()) if k in (0, 1, 3)]   # stops, POIs, streets
    names = [idx.names[i] for i in rng.sample(pool, min(a.names, len(pool)))]
    queries = []
    for nm in names:
        for variant in {nm, anyascii(nm)}:
            for n in range(2, min(len(variant), 200) + 1):
                queries.append(variant[:n])
    net.geocode("gara de nord")   # lazy tables
    times, found = [], 0
    for q in queries:
        if not q.strip():
            continue
        t = time.perf_counter()
        net.geocode(q)
        times.append((time.perf_counter() - t) * 1000)
    # the full names: is the name typed found in the top 3?
    for nm in names:
        res = net.geocode(anyascii(nm), limit=3)["results"]
        found += any(r["name"] == nm for r in res)
    hostile = ["a" * 200, "ab" * 100, " ".join(["strada"] * 28), "ș" * 200, "1" * 200]
    h_times = []
    for q in hostile:
        t = time.perf_counter()
        net.geocode(q)
        h_times.append((time.perf_counter() - t) * 1000)
    typo = ["iulis town", "gara de nrod", "piata victorie", "universitatea de vst", "shoping city",
            "catedrala mitropolitna", "parcul centrl", "spitalul judetan", "strada pris 2", "piata unrii"]
    t_times = []
    for q in typo:
        t = time.perf_counter()
        net.geocode(q)
        t_times.append((time.perf_counter() - t) * 1000)
    # memory the index adds to a loaded network, in fresh processes
    py = sys.executable
    import shutil
    bare = WORK / "stpt-osm-noplaces"
    shutil.rmtree(bare, ignore_errors=True)
    shutil.copytree(out, bare, ignore=shutil.ignore_patterns("places"))
    r_with = subprocess.run([py, "-c", RSS_SNIPPET, str(out), "with"], capture_output=True, text=True, cwd=ROOT)
    r_without = subprocess.run([py, "-c", RSS_SNIPPET, str(bare), "without"], capture_output=True, text=True, cwd=ROOT)
    base_w, after_w = map(float, r_with.stdout.split())
    base_wo, after_wo = map(float, r_without.stdout.split())
    places_dir = out / "places"
    disk_mb = sum(p.stat().st_size for p in places_dir.iterdir()) / 2**20
    res = {
        "machine": machine(), "queries": len(times), "names": len(names),
        "median_ms": statistics.median(times), "p95_ms": pct(times, 95), "p99_ms": pct(times, 99),
        "max_ms": max(times), "hostile_ms": h_times, "typo_median_ms": statistics.median(t_times),
        "full_name_top3": f"{found}/{len(names)}", "build_s": build_s, "reuse_s": reuse_s,
        "rss_without_index_mb": after_wo, "rss_with_index_mb": after_w, "index_added_mb": after_w - after_wo, "index_disk_mb": disk_mb, "counts": idx.counts,
    }
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "geocode.json").write_text(json.dumps(res, indent=1))
    m = res["machine"]
    c = idx.counts
    section = f"""## Geocoder (`benchmarks/bench_geocode.py`), {m['date'][:10]}

Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}. STPT network built
with `timisoara.osm.pbf`: {c.get('stop', 0)} stops and stations, {c.get('poi', 0)} POIs,
{c.get('address', 0)} addresses, {c.get('street', 0)} streets (build with OSM {build_s:.1f} s
including the timetable, reuse {reuse_s:.2f} s). `Network.geocode` in process, {len(times)} queries: every
prefix (2 letters on) of {len(names)} real names (stops, POIs, streets, seeded) typed letter by letter,
with and without diacritics.

| queries | median | p95 | p99 | max | misspelt (10) median | hostile (200 chars) | full name in top 3 | index memory added | index on disk |
|---|---|---|---|---|---|---|---|---|---|
| {len(times)} | {res['median_ms']:.2f} ms | {res['p95_ms']:.2f} ms | {res['p99_ms']:.2f} ms | {res['max_ms']:.1f} ms | {res['typo_median_ms']:.2f} ms | {max(h_times):.2f} ms max | {found}/{len(names)} | {res['index_added_mb']:.1f} MB | {disk_mb:.1f} MB |

Memory: RSS of a fresh process after `load_network` of the network folder without its `places/`
({after_wo:.0f} MB) and of the same folder with it, after one forward and one reverse query have
built the lazy tables ({after_w:.0f} MB).
"""
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start = text.find("## Geocoder")
    if start >= 0:
        end = text.find("\n## ", start + 5)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
