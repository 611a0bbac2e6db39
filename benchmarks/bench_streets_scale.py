#!/usr/bin/env python3
"""Scale benchmark of issue 8's bar: a generated network of 20,000 stops on a street graph of a
million edges builds within 10 minutes and 8 GB.

Generates the network with ``benchmarks/gen_scale_network.py`` (unless ``--data`` holds one: its
``manifest.json`` says what is there), then runs ``maas build GTFS -o OUT --osm FILE --force`` in a
fresh process, RUNS times, and reports for each run the wall time, the peak RSS of the build
process and its CPU time (``getrusage(RUSAGE_CHILDREN)`` in a wrapper process that does nothing else) and
the peak RSS summed over the build's process tree (psutil, sampled every 0.2 s), plus what the build
printed. Writes ``benchmarks/results/streets_scale.json``; the figures go into
``benchmarks/RESULTS.md`` by hand.

    .venv/bin/python benchmarks/bench_streets_scale.py [--data benchmarks/work/scale] [--runs 1]
        [--out benchmarks/work/scale_net] [--seed 1] [--stops 20000] [--grid 500] [--no-osm]

``--no-osm`` builds the GTFS alone (crow-fly footpaths): the part of the time that is not streets.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

BAR_SECONDS = 600.0
BAR_RSS_MB = 8 * 1024.0

WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": r.returncode, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
                  "max_rss_mb": ru.ru_maxrss / 1024,
                  "stdout": r.stdout[-4000:], "stderr": r.stderr[-4000:]}))
"""


def machine() -> dict:
    """bench_router's description of the machine, with the commit measured."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_router import machine as described
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return dict(described(), commit=commit, date=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


def _tree_rss_sampler(pid: int, peak: list[float], stop: threading.Event) -> None:
    """Peak of the RSS summed over the process ``pid`` and its descendants (MB) into peak[0]."""
    try:
        import psutil
    except ImportError:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total / 2**20)
        except psutil.Error:
            break
        stop.wait(0.2)


def timed_build(cmd: list[str]) -> dict:
    """Run ``cmd`` under the wrapper; wall time, peak RSS of the build and of its process tree."""
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [0.0]
    stop = threading.Event()
    sampler = threading.Thread(target=_tree_rss_sampler, args=(proc.pid, peak, stop), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"wrapper failed: {err.strip()[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    # the wrapper (a bare interpreter, ~10 MB) is in the tree too: subtract nothing, say so
    res["tree_peak_rss_mb"] = round(peak[0], 1) if peak[0] else None
    res["load_avg_after"] = round(os.getloadavg()[0], 1)     # the machine is shared: wall time varies
    return res


def has_osm_option() -> bool:
    r = subprocess.run([sys.executable, "-m", "maas.cli", "build", "--help"], capture_output=True, text=True,
                       cwd=ROOT)
    return "--osm" in r.stdout


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(ROOT / "benchmarks" / "work" / "scale"))
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "work" / "scale_net"))
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stops", type=int, default=20000)
    p.add_argument("--routes", type=int, default=250)
    p.add_argument("--grid", type=int, default=500)
    p.add_argument("--no-osm", action="store_true", help="build the GTFS alone (crow-fly footpaths)")
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "streets_scale.json"))
    a = p.parse_args(argv)

    if not a.no_osm and not has_osm_option():
        print("bench_streets_scale: this maas has no `maas build --osm` yet (issue 8); use --no-osm",
              file=sys.stderr)
        return 2
    data = Path(a.data)
    manifest_path = data / "manifest.json"
    wanted = {"stops": a.stops, "routes": a.routes, "grid": a.grid}
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if manifest is None or manifest["seed"] != a.seed or \
            any(manifest["parameters"][k] != v for k, v in wanted.items()):
        from gen_scale_network import generate
        print(f"generating {data} ...", flush=True)
        manifest = generate(data, seed=a.seed, stops=a.stops, routes=a.routes, grid_n=a.grid)
        print(f"  generated in {manifest['generate_s']} s", flush=True)
    gtfs = data / manifest["gtfs"]["file"]
    osm = data / manifest["osm"]["file"]
    cmd = [sys.executable, "-m", "maas.cli", "build", str(gtfs), "-o", a.out, "--force"]
    if not a.no_osm:
        cmd += ["--osm", str(osm)]

    runs = []
    for k in range(a.runs):
        print(f"run {k + 1}/{a.runs}: maas {' '.join(cmd[3:])}", flush=True)
        r = timed_build(cmd)
        if r["rc"] != 0:
            print(f"build failed (exit {r['rc']}): {r['stderr'].strip()[-1500:]}", file=sys.stderr)
            return 1
        print(f"  {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, peak RSS {r['max_rss_mb']:.0f} MB "
              f"(tree {r['tree_peak_rss_mb']} MB), load average {r['load_avg_after']}", flush=True)
        runs.append(r)
    wall = statistics.median(r["wall_s"] for r in runs)
    cpu = statistics.median(r["cpu_s"] for r in runs)
    rss = max(r["max_rss_mb"] for r in runs)
    tree = max((r["tree_peak_rss_mb"] or 0) for r in runs) or None
    peak = max(rss, tree or 0)
    result = {
        "benchmark": "streets_scale", "machine": machine(), "streets": not a.no_osm,
        "network": {"gtfs": manifest["gtfs"], "osm": manifest["osm"], "seed": manifest["seed"]},
        "command": " ".join(["maas", *cmd[3:]]),
        "runs": [{k: v for k, v in r.items() if k != "stderr"} for r in runs],
        "median_wall_s": round(wall, 1), "median_cpu_s": round(cpu, 1), "peak_rss_mb": round(rss, 1), "tree_peak_rss_mb": tree,
        "bar": {"seconds": BAR_SECONDS, "rss_mb": BAR_RSS_MB,
                "met": wall <= BAR_SECONDS and peak <= BAR_RSS_MB},
        "build_output": runs[-1]["stdout"].strip().splitlines(),
    }
    out = Path(a.json)
    if a.no_osm:
        out = out.with_name(out.stem + "_gtfs_only.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: result[k] for k in ("median_wall_s", "median_cpu_s", "peak_rss_mb", "tree_peak_rss_mb", "bar")}))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
