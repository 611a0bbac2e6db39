"""Soak benchmark of ``maas serve --workers 2``: steady load, reloads and source faults, loopback only.

For ``--minutes`` (default 10) it sends all-modes ``GET /v1/plan`` requests between real places
as a Poisson process of ``--rate`` per second (default 80; the open-loop client of
benchmarks/bench_http.py), and meanwhile

* every ``--reload-every`` seconds (20) swaps the network folder for another build of the same
  feed (two builds with different footpath radii, so different digests) and sends
  ``POST /v1/admin/reload``;
* every ``--fault-every`` seconds (30) breaks a GBFS or P+R source (malformed, emptied, deleted,
  a folder instead of the file) and repairs it half an interval later.

It reports failed requests (non-200 or transport errors), *mixed answers* (a plan sent more than
2 s after a reload returned that still comes from the previous network, by its ``X-Network``
header), how long each reload took to reach every worker (the last old-network answer after the
reload returned), how long each fault and repair took to show in the plans' messages (first and
all answers), bodies that are not strict JSON or carry a path, and the RSS of the server
processes (growth from minute 2 to the last minute).

    python benchmarks/bench_soak.py                       # 10 min, STPT sample from ../shared
    python benchmarks/bench_soak.py --minutes 2 --network-feed feeds/timisoara/gtfs.zip

Writes ``benchmarks/work/bench_soak.json``; the figures go into benchmarks/RESULTS.md by hand.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_http import (ALL_MODES, DATA, RawPool, free_port, make_places, make_requests,  # noqa: E402
                        maas_cmd, server_pids, summary)

WORK = HERE / "work" / "soak"
LEAK_RE = re.compile(rb"Traceback|\[Errno|File \"|invalid literal|/tmp/|/work/|/home/")
FAULTS = [("velotm", "malformed"), ("parking", "malformed"), ("velotm", "empty"), ("parking", "folder"),
          ("carshare", "deleted"), ("parking", "deleted")]
CODES = {"velotm": "GBFS_UNAVAILABLE", "carshare": "GBFS_UNAVAILABLE", "parking": "PARKING_UNAVAILABLE"}


def log(msg: str) -> None:
    print(f"[bench_soak] {msg}", file=sys.stderr, flush=True)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """Resident set (kB) of a process: ``VmRSS``, or ``RssAnon`` (heap) / ``RssFile`` (mapped files)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def prepare(feed: Path, gbfs_root: Path, parking: Path) -> tuple[Path, list[Path], dict]:
    """Sources copied into the work folder (faults are made there) and two builds of the feed."""
    if WORK.exists():
        shutil.rmtree(WORK)
    src = WORK / "sources"
    shutil.copytree(gbfs_root / "velotm", src / "velotm")
    shutil.copytree(gbfs_root / "carshare", src / "carshare")
    shutil.copy(parking, src / "park_and_ride.geojson")
    for p in src.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    builds = []
    for name, radius in (("a", 400), ("b", 350)):
        out = WORK / f"build-{name}"
        cmd = maas_cmd() + ["build", str(feed), "-o", str(out), "--gbfs", str(src / "velotm"), "--gbfs",
                            str(src / "carshare"), "--parking", str(src / "park_and_ride.geojson"),
                            "--radius", str(radius)]
        subprocess.run(cmd, check=True, capture_output=True)
        builds.append(out)
    net = WORK / "network"
    shutil.copytree(builds[0], net)
    digests = {json.loads((b / "timetable.json").read_text())["digest"][:16]: b for b in builds}
    originals = {p.relative_to(src).as_posix(): p.read_bytes() for p in src.rglob("*.json")}
    originals["park_and_ride.geojson"] = (src / "park_and_ride.geojson").read_bytes()
    return net, builds, {"src": src, "digests": digests, "originals": originals}


def swap_network(net: Path, new: Path) -> None:
    """Replace the served folder by a copy of ``new`` (a rename, as a deployment does)."""
    staged = net.with_name("staged")
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(new, staged)
    old = net.with_name(f"old-{time.monotonic_ns()}")
    net.rename(old)
    staged.rename(net)
    shutil.rmtree(old, ignore_errors=True)     # the workers keep their mapped files until they reload


def break_source(src: Path, which: str, how: str) -> None:
    target = src / "park_and_ride.geojson" if which == "parking" else src / which / (
        "station_status.json" if which == "velotm" else "vehicle_status.json")
    if how == "malformed":
        target.write_text('{"last_updated": 1, "data": {"stations": [')
    elif how == "empty":
        target.write_text("")
    elif how == "deleted":
        target.unlink()
    elif how == "folder":
        target.unlink()
        target.mkdir()


def repair(src: Path, originals: dict) -> None:
    for rel, data in originals.items():
        p = src / rel
        if p.is_dir():
            p.rmdir()
        if not p.exists() or p.read_bytes() != data:
            p.write_bytes(data)


def strict_loads(body: bytes):
    def bad(token):
        raise ValueError(token)
    return json.loads(body, parse_constant=bad)


async def soak(a, base: str, proc: subprocess.Popen, net: Path, builds: list[Path], ctx: dict) -> dict:
    rng = random.Random(a.seed)
    with httpx.Client(base_url=base, timeout=10) as c:
        places = make_places(c, rng)
    dates = a.dates.split(",")
    duration = a.minutes * 60
    pool = RawPool(base, a.concurrency, "identity")
    digest_of = {str(b): d for d, b in ctx["digests"].items()}
    st = {"current": digest_of[str(builds[0])], "reload_done": None, "reloads": [], "faults": [],
          "fault": None}
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    stale_after_2s = 0
    bad_json = 0
    leaks = 0
    server_ms: list[float] = []
    rss: list[tuple[float, int]] = []
    t0 = time.monotonic()
    slots = asyncio.Semaphore(a.concurrency)

    async def send(q: dict) -> None:
        nonlocal stale_after_2s, bad_json, leaks
        async with slots:
            t_send = time.monotonic()
            try:
                r = await asyncio.wait_for(pool.get("/v1/plan", q), a.timeout)
            except Exception as exc:  # noqa: BLE001
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
        statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
        if "x-process-time" in r.headers:
            server_ms.append(float(r.headers["x-process-time"]))
        body = gzip.decompress(r.content) if r.headers.get("content-encoding") == "gzip" else r.content
        if LEAK_RE.search(body):
            leaks += 1
        try:
            doc = strict_loads(body)
        except ValueError:
            bad_json += 1
            return
        digest = r.headers.get("x-network", "").split(";")[0]
        rel = st["reloads"][-1] if st["reloads"] else None
        if rel is not None and rel.get("done") is not None and t_send > rel["done"]:
            if digest != rel["digest"]:
                rel["last_old"] = max(rel.get("last_old", 0.0), t_send - rel["done"])
                if t_send > rel["done"] + 2.0:
                    stale_after_2s += 1
        f = st["fault"]
        if f is not None and r.status_code == 200:
            codes = {m.get("code") for m in doc.get("messages", ())}
            has = CODES[f["which"]] in codes
            if f.get("repaired") is None and t_send > f["at"]:
                if has:
                    f.setdefault("first_seen", t_send - f["at"])
                else:
                    f["last_missing"] = t_send - f["at"]
            elif f.get("repaired") is not None and t_send > f["repaired"]:
                if not has:
                    f.setdefault("first_clean", t_send - f["repaired"])
                else:
                    f["last_dirty"] = t_send - f["repaired"]

    async def reloader() -> None:
        k = 0
        async with httpx.AsyncClient(base_url=base, timeout=60) as hc:
            while time.monotonic() - t0 < duration - 5:
                await asyncio.sleep(a.reload_every)
                k += 1
                new = builds[k % 2]
                await asyncio.to_thread(swap_network, net, new)
                rel = {"t": round(time.monotonic() - t0, 1), "digest": digest_of[str(new)], "done": None}
                st["reloads"].append(rel)
                t = time.monotonic()
                try:
                    r = await hc.post("/v1/admin/reload")
                    rel["status"] = r.status_code
                except httpx.HTTPError as exc:
                    rel["status"] = type(exc).__name__
                rel["seconds"] = round(time.monotonic() - t, 3)
                rel["done"] = time.monotonic()

    async def faulter() -> None:
        k = 0
        while time.monotonic() - t0 < duration - a.fault_every:
            await asyncio.sleep(a.fault_every / 2)
            which, how = FAULTS[k % len(FAULTS)]
            k += 1
            f = {"t": round(time.monotonic() - t0, 1), "which": which, "how": how, "at": time.monotonic()}
            await asyncio.to_thread(break_source, ctx["src"], which, how)
            st["fault"] = f
            st["faults"].append(f)
            await asyncio.sleep(a.fault_every / 2)
            await asyncio.to_thread(repair, ctx["src"], ctx["originals"])
            f["repaired"] = time.monotonic()

    async def sampler() -> None:
        while time.monotonic() - t0 < duration:
            pids = [p for p in server_pids(proc) if p != proc.pid]
            rss.append((time.monotonic() - t0, sum(rss_kb(p) for p in pids),
                        sum(rss_kb(p, "RssAnon") for p in pids), sum(rss_kb(p, "RssFile") for p in pids)))
            await asyncio.sleep(5)

    arrivals = random.Random(a.seed + 1)
    bg = [asyncio.create_task(x()) for x in (reloader, faulter, sampler)]
    tasks = []
    t_next = time.perf_counter()
    sent = 0
    while time.monotonic() - t0 < duration:
        t_next += arrivals.expovariate(a.rate)
        delay = t_next - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        q = make_requests(1, places, dates, ALL_MODES, 0.2, rng)[0]
        tasks.append(asyncio.create_task(send(q)))
        sent += 1
        if len(tasks) > 2000:
            tasks = [t for t in tasks if not t.done()]
    await asyncio.gather(*tasks)
    for t in bg:
        t.cancel()
    await asyncio.gather(*bg, return_exceptions=True)
    await pool.aclose()
    wall = time.monotonic() - t0
    repair(ctx["src"], ctx["originals"])

    def median(xs):
        return round(statistics.median(xs), 1) if xs else None
    base_rss = [v for t, v, *_ in rss if 60 <= t < 120]
    end_rss = [v for t, v, *_ in rss if t >= duration - 60]
    base_anon = [x[2] for x in rss if 60 <= x[0] < 120]
    end_anon = [x[2] for x in rss if x[0] >= duration - 60]
    growth = (median(end_rss) / median(base_rss) - 1) * 100 if base_rss and end_rss else None
    reloads = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items() if k != "done"}
               for r in st["reloads"]]
    faults = [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in f.items() if k not in ("at", "repaired")}
              for f in st["faults"]]
    failures = sum(errors.values()) + sum(v for k, v in statuses.items() if k != "200")
    return {"minutes": a.minutes, "rate": a.rate, "sent": sent, "wall_s": round(wall, 1),
            "throughput_rps": round(sum(statuses.values()) / wall, 1), "status_counts": statuses,
            "transport_errors": errors, "failed_requests": failures, "mixed_answers_after_2s": stale_after_2s,
            "not_strict_json": bad_json, "bodies_with_internal_detail": leaks,
            "server_ms": summary(server_ms),
            "reloads": reloads,
            "reload_reach_all_workers_s": {"max": max((r.get("last_old", 0.0) for r in st["reloads"]), default=None),
                                           "median": median([r.get("last_old", 0.0) for r in st["reloads"]])},
            "faults": faults,
            "fault_seen_in_every_answer_s": {"max": max((f.get("last_missing", 0.0) for f in st["faults"]),
                                                        default=None)},
            "repair_seen_in_every_answer_s": {"max": max((f.get("last_dirty", 0.0) for f in st["faults"]),
                                                         default=None)},
            "rss_kb": {"minute_2_median": median(base_rss), "last_minute_median": median(end_rss),
                       "max": max((x[1] for x in rss), default=None),
                       "growth_pct": round(growth, 2) if growth is not None else None,
                       "anon_minute_2_median": median(base_anon), "anon_last_minute_median": median(end_anon)},
            "rss_samples": rss}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--network-feed", default=str(DATA / "stpt-timisoara-gtfs.zip"), help="GTFS feed to build")
    ap.add_argument("--gbfs-root", default=str(DATA / "gbfs"), help="folder with velotm/ and carshare/")
    ap.add_argument("--parking", default=str(DATA / "park_and_ride.geojson"))
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=80.0, help="plans per second (Poisson)")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--reload-every", type=float, default=20.0)
    ap.add_argument("--fault-every", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dates", default="2026-11-24,2026-11-25,2026-11-28")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=str(HERE / "work" / "bench_soak.json"))
    a = ap.parse_args(argv)
    net, builds, ctx = prepare(Path(a.network_feed), Path(a.gbfs_root), Path(a.parking))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MAAS_ACCESS_LOG="0", MAAS_LOG_LEVEL="info")
    env.pop("MAAS_ADMIN_TOKEN", None)
    server_log = WORK / "server.log"
    logf = open(server_log, "wb")
    proc = subprocess.Popen(maas_cmd() + ["serve", str(net), "--host", "127.0.0.1", "--port", str(port),
                                          "--workers", str(a.workers)], env=env, stdout=logf, stderr=subprocess.STDOUT)
    log(f"maas serve --workers {a.workers} on {base} (log {server_log}); {a.minutes} min at {a.rate} req/s")
    try:
        deadline = time.monotonic() + 180
        pids: set = set()
        while len(pids) < a.workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench_soak: server did not come up; see {server_log}")
            try:
                with httpx.Client(base_url=base, timeout=5, limits=httpx.Limits(max_keepalive_connections=0)) as c:
                    pids |= {c.get("/v1/health").json()["pid"] for _ in range(8)}
            except (httpx.TransportError, ValueError, KeyError):
                time.sleep(0.5)
        res = asyncio.run(soak(a, base, proc, net, builds, ctx))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        logf.close()
    text = server_log.read_text(errors="replace")
    res["server_log"] = {"tracebacks": text.count("Traceback"),
                         "worker_pids_logging": sorted({int(p) for p in re.findall(r"\[(\d+)\] \w+ maas\.service", text)}),
                         "reload_lines": len(re.findall(r"reloaded network from", text))}
    res["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                   cwd=HERE.parent).stdout.strip()
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    short = {k: v for k, v in res.items() if k not in ("rss_samples", "reloads", "faults")}
    print(json.dumps(short, indent=1))
    return 0 if res["failed_requests"] == 0 and res["mixed_answers_after_2s"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
