#!/usr/bin/env python3
"""Real-time under load: `/v1/plan` (all modes) at 80 requests/s while the GTFS-RT overlay is
rebuilt every 5 s, on the STPT network of `bench_http.py` (GBFS + P+R).

A writer replaces the TripUpdates file every 5 s with a new *version*: every trip of 2026-11-24
delayed by the same number of seconds from its first stop (60, 75, ... 165 s, one value per
version), so one answer that mixed two overlays would show two different delays. The server is
``maas serve NET --realtime FILE --realtime-interval 5``. Counted: failed requests (non-200 or
transport errors), answers whose real-time legs disagree on the delay (mixed overlays), and how
many versions the answers saw (the refresh did happen under load).

    .venv/bin/python benchmarks/bench_realtime_load.py [--rate 80] [--seconds 60] [--server-workers 2]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import bench_http as bh  # noqa: E402

DAY = dt.date(2026, 11, 24)
VERSIONS = 8


def delay_of(v: int) -> int:
    return 60 + 15 * (v % VERSIONS)


def feeds(net_folder: Path) -> list[bytes]:
    """Protobuf bytes of every version (same trips, one uniform delay each)."""
    import maas
    from google.transit import gtfs_realtime_pb2 as pb
    from maas.planner.profiles import get_profile
    net = maas.load_network(net_folder, realtime=[])
    tt = net.tt
    ctx = net.day_context(DAY, get_profile("default"))
    trips = [int(t) for t in ctx.trip_active[1].nonzero()[0]]
    out = []
    for v in range(VERSIONS):
        msg = pb.FeedMessage()
        msg.header.gtfs_realtime_version = "2.0"
        msg.header.timestamp = int(time.time())
        for t in trips:
            e = msg.entity.add(id=str(t))
            e.trip_update.trip.trip_id = str(tt.trip_id[t])
            e.trip_update.trip.start_date = DAY.strftime("%Y%m%d")
            u = e.trip_update.stop_time_update.add(stop_sequence=int(tt.stop_seq[int(tt.trip_time_ptr[t])]))
            u.departure.delay = delay_of(v)
        out.append(msg.SerializeToString())
    return out


def writer(path: Path, blobs: list[bytes], stop: threading.Event, every: float) -> None:
    v = 1
    while not stop.wait(every):
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(blobs[v % VERSIONS])
        os.replace(tmp, path)
        v += 1


async def load(base: str, reqs: list[dict], rate: float, seconds: float, concurrency: int) -> dict:
    pool = bh.RawPool(base, concurrency, "identity")
    arrivals = random.Random(5)
    slots = asyncio.Semaphore(concurrency)
    stats = {"sent": 0, "ok": 0, "failed": 0, "errors": {}, "mixed": 0, "with_realtime": 0}
    seen: dict[int, int] = {}
    ms: list[float] = []

    async def one(q: dict, t_sched: float) -> None:
        async with slots:
            stats["sent"] += 1
            try:
                r = await asyncio.wait_for(pool.get("/v1/plan", params=q), 30)
            except Exception as exc:  # noqa: BLE001
                stats["failed"] += 1
                stats["errors"][type(exc).__name__] = stats["errors"].get(type(exc).__name__, 0) + 1
                return
            ms.append((time.perf_counter() - t_sched) * 1000)
            if r.status_code != 200:
                stats["failed"] += 1
                stats["errors"][str(r.status_code)] = stats["errors"].get(str(r.status_code), 0) + 1
                return
            stats["ok"] += 1
            body = json.loads(r.content)
            its = body["itineraries"] + [p["itinerary"] for p in body.get("park_and_ride", [])]
            delays = {leg["delay_s"] for it in its for leg in it["legs"] if leg.get("realtime_source") == "trip_update"}
            if delays:
                stats["with_realtime"] += 1
                for d in delays:
                    seen[d] = seen.get(d, 0) + 1
            if len(delays) > 1:
                stats["mixed"] += 1

    tasks = []
    t0 = time.perf_counter()
    t_next = t0
    i = 0
    while time.perf_counter() - t0 < seconds:
        t_next += arrivals.expovariate(rate)
        wait = t_next - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(reqs[i % len(reqs)], t_next)))
        i += 1
    await asyncio.gather(*tasks)
    await pool.aclose()
    stats["wall_s"] = round(time.perf_counter() - t0, 1)
    stats["client_ms"] = bh.summary(ms)
    stats["delays_seen"] = dict(sorted(seen.items()))
    return stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=80.0)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--refresh", type=float, default=5.0)
    ap.add_argument("--server-workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=64)
    a = ap.parse_args()
    net = bh.default_network()
    blobs = feeds(net)
    rt = HERE / "work" / "rt-load.pb"
    rt.write_bytes(blobs[0])
    port = bh.free_port()
    env = dict(os.environ, MAAS_ACCESS_LOG="0", MAAS_LOG_LEVEL="warning")
    proc = subprocess.Popen(bh.maas_cmd() + ["serve", str(net), "--port", str(port), "--workers", str(a.server_workers),
                                             "--realtime", str(rt), "--realtime-interval", str(a.refresh)],
                            cwd=HERE.parent, env=env)
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        with httpx.Client(base_url=base, timeout=30) as c:
            places = bh.make_places(c, random.Random(1))
        reqs = bh.make_requests(4000, places, [DAY.isoformat()], bh.ALL_MODES, 0.2, random.Random(2))
        threading.Thread(target=writer, args=(rt, blobs, stop, a.refresh), daemon=True).start()
        res = asyncio.run(load(base, reqs, a.rate, a.seconds, a.concurrency))
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    res.update({"date": dt.datetime.now().isoformat(timespec="seconds"), "rate": a.rate, "refresh_s": a.refresh,
                "server_workers": a.server_workers, "modes": bh.ALL_MODES})
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "realtime_load.json").write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))
    return 0 if res["failed"] == 0 and res["mixed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
