"""HTTP benchmark of ``maas serve``: GET /v1/plan under concurrent load, loopback only.

Starts ``maas serve`` (``--server-workers`` processes) as a subprocess on 127.0.0.1 (a free port),
waits for /v1/health, then sends plan requests between random real places (stops, points near
stops, bike-share stations, P+R lots) at random dates and times over C concurrent client
connections (httpx.AsyncClient), and reports client-side latency, server-side time
(``X-Process-Time``: request reaching the app to response headers, queueing for a planning slot
included; and the ``Server-Timing`` split queue / plan / serialize), failures and throughput.

Two load models:

* closed loop (default): C clients each send their next request as soon as the last one is
  answered. This measures the server's capacity: once it is saturated, latency is C / throughput
  whatever the code does.
* open loop (``--rate R``, or ``--sweep R1,R2,...``): requests arrive as a Poisson process of
  R per second, as independent travellers' phones do, and are sent on any of the C connections
  that is free. Latency is counted from the scheduled arrival, so a request that waits for a
  connection is charged for it (no coordinated omission). ``--sweep`` runs several rates against
  the same server and reports the highest one that keeps the server median and p95 within
  ``--bar-median`` / ``--bar-p95`` with no failure.

Bounded in count (``-n``) and time (``--max-seconds``); the server is stopped at the end.

    python benchmarks/bench_http.py --out benchmarks/work/bench_http.json
    python benchmarks/bench_http.py --server-workers 2 -c 64 --sweep 40,80,120,160 -n 3000
    python benchmarks/bench_http.py --network build/timisoara -n 2000 -c 16 --modes WALK,TRANSIT

Without ``--network`` the STPT sample in /work/shared/data is built (or reused) into
benchmarks/work/stpt-service, with its GBFS systems and P+R lots when maas has mobility support.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vmstat import cpu_ticks, steal_share  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = Path(os.environ.get("MAAS_SHARED_DATA", "/work/shared/data")) / "stpt-timisoara-synth"
ALL_MODES = "WALK,TRANSIT,BIKE_SHARE,CAR_SHARE,PARK_RIDE"


def log(msg: str) -> None:
    print(f"[bench_http] {msg}", file=sys.stderr, flush=True)


def maas_cmd() -> list[str]:
    return [sys.executable, "-m", "maas.cli"]


def default_network() -> Path:
    out = HERE / "work" / "stpt-service"
    gtfs = DATA / "stpt-timisoara-gtfs.zip"
    if not gtfs.exists():
        raise SystemExit(f"bench_http: {gtfs} not found; pass --network FOLDER")
    cmd = maas_cmd() + ["build", str(gtfs), "-o", str(out)]
    if importlib.util.find_spec("maas.planner.mobility") is not None:
        for name in ("velotm", "carshare"):
            if (DATA / "gbfs" / name).exists():
                cmd += ["--gbfs", str(DATA / "gbfs" / name)]
        if (DATA / "park_and_ride.geojson").exists():
            cmd += ["--parking", str(DATA / "park_and_ride.geojson")]
    else:
        log("maas.planner.mobility not available: building without GBFS / P+R")
    log(" ".join(cmd[2:]))
    subprocess.run(cmd, check=True, cwd=REPO, stdout=sys.stderr)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 2)


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "mean": round(statistics.fmean(values), 2), "median": pct(values, 50),
            "p90": pct(values, 90), "p95": pct(values, 95), "p99": pct(values, 99), "max": round(max(values), 2)}


def parse_server_timing(h: str | None) -> dict[str, float]:
    out = {}
    for part in (h or "").split(","):
        name, _, rest = part.strip().partition(";")
        if rest.startswith("dur="):
            try:
                out[name] = float(rest[4:])
            except ValueError:
                pass
    return out


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process (Linux /proc), None when unknown."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def make_places(client: httpx.Client, rng: random.Random) -> list[str]:
    """Real places: stops, points 50-400 m from stops, bike stations, P+R lots."""
    stops = client.get("/v1/stops", params={"limit": 10000}).json()["stops"]
    places = [f"stop:{s['stop_id']}" for s in stops]
    for s in rng.sample(stops, min(len(stops), max(50, len(stops) // 2))):
        d = rng.uniform(50, 400) / 111_000
        places.append(f"{s['lat'] + rng.uniform(-d, d):.6f},{s['lon'] + rng.uniform(-d, d) * 1.43:.6f}")
    for path, key in (("/v1/bike-stations", "stations"), ("/v1/park-and-ride", "lots")):
        try:
            for x in client.get(path).json()[key]:
                places.append(f"{x['lat']:.6f},{x['lon']:.6f}")
        except Exception:  # noqa: BLE001 - optional
            pass
    return places


def make_requests(n: int, places: list[str], dates: list[str], modes: str, arrive_by_share: float,
                  rng: random.Random) -> list[dict]:
    reqs = []
    for _ in range(n):
        o, d = rng.sample(places, 2)
        t = rng.randrange(5 * 3600, 22 * 3600, 60)
        reqs.append({"from": o, "to": d, "date": rng.choice(dates), "time": f"{t // 3600:02d}:{t % 3600 // 60:02d}",
                     "modes": modes, "arriveBy": "true" if rng.random() < arrive_by_share else "false"})
    return reqs


class RawResponse:
    """Status, lower-cased headers and body of one HTTP/1.1 response."""

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes):
        self.status_code, self.headers, self.content = status_code, headers, content


class RawConnection:
    """A minimal keep-alive HTTP/1.1 GET client on asyncio streams.

    httpx costs about 5 ms of CPU per request here, as much as the server's planning, and the
    load generator shares the server's two cores; this costs a tenth of that. It handles what
    ``maas serve`` sends (Content-Length bodies; chunked for completeness) and nothing more.
    """

    def __init__(self, host: str, port: int, encoding: str):
        self.host, self.port, self.encoding = host, port, encoding
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: dict) -> RawResponse:
        reused = self.writer is not None and not self.writer.is_closing()
        try:
            return await self._get(path, params)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            # the server closes keep-alive connections idle for a few seconds: a GET that fails
            # on a reused connection before any byte of the answer is sent again on a new one
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            return await self._get(path, params)

    async def _get(self, path: str, params: dict) -> RawResponse:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        target = path + "?" + urlencode(params)
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                          f"Accept-Encoding: {self.encoding}\r\n\r\n".encode("latin-1"))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
            if "content-length" in headers:
                body = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    parts.append(await self.reader.readexactly(size + 2))
                    if size == 0:
                        break
                body = b"".join(p[:-2] for p in parts)
            else:
                body = await self.reader.read()
        except Exception:
            self.writer.close()
            self.writer = None
            raise
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return RawResponse(status, headers, body)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class RawPool:
    """Up to ``size`` RawConnections; a request takes a free one (or opens one)."""

    def __init__(self, base: str, size: int, encoding: str):
        url = httpx.URL(base)
        self.free: list[RawConnection] = []
        self.make = lambda: RawConnection(url.host, url.port or 80, encoding)

    async def get(self, path: str, params: dict) -> RawResponse:
        conn = self.free.pop() if self.free else self.make()
        try:
            return await conn.get(path, params)
        finally:
            self.free.append(conn)

    async def aclose(self) -> None:
        for c in self.free:
            await c.close()


async def run_load(base: str, reqs: list[dict], concurrency: int, max_seconds: float, timeout: float,
                   encoding: str = "gzip", rate: float | None = None, seed: int = 1, client_kind: str = "raw") -> dict:
    """Closed loop over ``concurrency`` clients, or open loop at ``rate`` requests/s (Poisson)."""
    queue: asyncio.Queue = asyncio.Queue()
    for r in reqs:
        queue.put_nowait(r)
    arrivals = random.Random(seed + 7)
    client_ms: list[float] = []
    server_ms: list[float] = []
    parts: dict[str, list[float]] = {"queue": [], "plan": [], "serialize": []}
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    empty = 0
    sizes: list[int] = []
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    if client_kind == "httpx":
        client_cm = httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits,
                                      headers={"Accept-Encoding": encoding})
    else:
        client_cm = contextlib.aclosing(RawPool(base, concurrency, encoding))
    async with client_cm as client:
        async def send(q: dict, t0: float) -> None:
            nonlocal empty
            try:
                r = await asyncio.wait_for(client.get("/v1/plan", params=q), timeout)
                body = r.content
            except Exception as exc:  # noqa: BLE001
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            client_ms.append((time.perf_counter() - t0) * 1000)
            statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
            if "x-process-time" in r.headers:
                server_ms.append(float(r.headers["x-process-time"]))
            for k, v in parse_server_timing(r.headers.get("server-timing")).items():
                parts.setdefault(k, []).append(v)
            sizes.append(len(body))
            if r.status_code == 200 and body.startswith(b'{"itineraries":[]'):
                empty += 1

        async def worker():
            while time.monotonic() < deadline:
                try:
                    q = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await send(q, time.perf_counter())

        slots = asyncio.Semaphore(concurrency)
        late: list[float] = []

        async def scheduled(q: dict, t_sched: float) -> None:
            async with slots:              # at most `concurrency` requests in flight
                late.append((time.perf_counter() - t_sched) * 1000)
                await send(q, t_sched)     # latency counts from the scheduled arrival

        t_start = time.perf_counter()
        cpu_start = time.process_time()
        if rate is None:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        else:
            tasks = []
            t_next = t_start
            while not queue.empty() and time.monotonic() < deadline:
                t_next += arrivals.expovariate(rate)
                delay = t_next - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(scheduled(queue.get_nowait(), t_next)))
            await asyncio.gather(*tasks)
        wall = time.perf_counter() - t_start
        client_cpu = time.process_time() - cpu_start
    done = len(client_ms)
    failures = sum(errors.values()) + sum(v for k, v in statuses.items() if k != "200")
    return {"requests_sent": done + sum(errors.values()), "completed": done, "not_sent_time_limit": queue.qsize(),
            "load_model": "closed loop" if rate is None else f"open loop, Poisson {rate:g} req/s",
            "offered_rps": rate, "concurrency": concurrency,
            "wall_s": round(wall, 2), "throughput_rps": round(done / wall, 1) if wall else None,
            "load_generator_cpu_ms_per_request": round(client_cpu * 1000 / done, 2) if done else None,
            "wait_for_connection_ms": summary(late) if rate is not None else None,
            "status_counts": statuses, "transport_errors": errors, "failures": failures,
            "empty_itineraries_200": empty,
            "client_ms": summary(client_ms), "server_ms": summary(server_ms),
            "server_timing_ms": {k: summary(v) for k, v in parts.items()},
            "response_bytes": summary([float(s) for s in sizes])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--network", help="network folder (default: build the STPT sample into benchmarks/work)")
    ap.add_argument("-n", "--requests", type=int, default=2000, help="requests per load level")
    ap.add_argument("-c", "--concurrency", type=int, default=16, help="client connections (closed loop: clients)")
    ap.add_argument("--rate", type=float, help="open loop: Poisson arrivals at this many requests/s")
    ap.add_argument("--sweep", help="open loop at each of these comma-separated rates, same server")
    ap.add_argument("--level-seconds", type=float,
                    help="open loop: send rate x this many requests per level instead of -n")
    ap.add_argument("--bar-median", type=float, default=30.0, help="server median bar (ms) for --sweep")
    ap.add_argument("--bar-p95", type=float, default=80.0, help="server p95 bar (ms) for --sweep")
    ap.add_argument("--server-workers", type=int, default=1, help="maas serve --workers")
    ap.add_argument("--modes", default=ALL_MODES)
    ap.add_argument("--arrive-by-share", type=float, default=0.2, help="share of arriveBy=true requests")
    ap.add_argument("--warmup", type=int, default=30, help="requests sent first and not counted")
    ap.add_argument("--max-seconds", type=float, default=600, help="stop sending after this long (per level)")
    ap.add_argument("--timeout", type=float, default=30, help="per-request timeout (s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw",
                    help="load generator: a minimal asyncio HTTP/1.1 client (default, cheap) or httpx")
    ap.add_argument("--accept-encoding", default="gzip", help="Accept-Encoding of the clients (gzip or identity)")
    ap.add_argument("--dates", default="2026-11-24,2026-11-25,2026-11-27,2026-11-28,2026-11-29",
                    help="comma-separated dates to draw from")
    ap.add_argument("--server-env", action="append", default=[], metavar="K=V",
                    help="extra environment for the server (e.g. MAAS_PLAN_CONCURRENCY=2)")
    ap.add_argument("--url", help="benchmark an already running server on this machine instead "
                                  "(http://127.0.0.1:PORT); --network and --server-env are then ignored")
    ap.add_argument("--out", help="write the JSON results here")
    a = ap.parse_args(argv)
    if not (1 <= a.concurrency <= 1024 and 1 <= a.requests <= 100_000):
        ap.error("concurrency must be 1..1024 and requests 1..100000")
    try:
        a.rates = [float(x) for x in a.sweep.split(",") if x.strip()] if a.sweep else [a.rate]
    except ValueError:
        ap.error("--sweep takes comma-separated numbers, e.g. 40,80,120")
    if any(r is not None and not r > 0 for r in a.rates):
        ap.error("rates must be positive")
    if a.server_workers < 1:
        ap.error("--server-workers must be at least 1")

    if a.url:
        host = httpx.URL(a.url).host
        if host not in ("127.0.0.1", "localhost", "::1"):
            ap.error("--url must be a loopback address (127.0.0.1, localhost or [::1])")
        return bench(a, None, a.url.rstrip("/"))
    network = Path(a.network) if a.network else default_network()
    return bench(a, network, None)


def server_pids(proc: subprocess.Popen | None) -> list[int]:
    """The server process and all its descendants (planner processes are started by threads,
    so every thread's ``children`` list is read)."""
    if proc is None:
        return []
    pids, todo = [], [proc.pid]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return pids


def total_cpu(pids: list[int]) -> float | None:
    vals = [cpu_seconds(p) for p in pids]
    return sum(v for v in vals if v is not None) if pids and any(v is not None for v in vals) else None


def meets(res: dict, bar_median: float, bar_p95: float) -> bool:
    s = res["server_ms"]
    return (res["failures"] == 0 and res["completed"] > 0 and s.get("median") is not None
            and s["median"] < bar_median and s["p95"] < bar_p95)


def bench(a, network: Path | None, url: str | None) -> int:
    port = free_port()
    base = url or f"http://127.0.0.1:{port}"
    env = dict(os.environ, MAAS_ACCESS_LOG="0", MAAS_LOG_LEVEL="warning")
    for kv in a.server_env:
        k, _, v = kv.partition("=")
        env[k] = v
    server_log = Path(a.out).with_suffix(".server.log") if a.out else HERE / "work" / "bench_http.server.log"
    server_log.parent.mkdir(parents=True, exist_ok=True)
    logf = open(server_log, "wb")
    t_launch = time.perf_counter()
    proc = None
    if url is None:
        cmd = maas_cmd() + ["serve", str(network), "--host", "127.0.0.1", "--port", str(port),
                            "--workers", str(a.server_workers)]
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=logf, stderr=subprocess.STDOUT)
        log(f"maas serve {network} --workers {a.server_workers} on {base} (pid {proc.pid}, log {server_log})")
    levels = []
    try:
        rng = random.Random(a.seed)
        with httpx.Client(base_url=base, timeout=10) as c:
            deadline = time.monotonic() + 180
            while True:
                if proc is not None and proc.poll() is not None:
                    raise SystemExit(f"bench_http: server exited with {proc.returncode}; see {server_log}")
                try:
                    if c.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("bench_http: server did not answer /v1/health within 180 s")
                time.sleep(0.2)
            # every worker up before the load's connections are made (a worker that is still
            # loading gets none of them, and keep-alive connections stay where they land)
            pids: set = set()
            while url is None and len(pids) < a.server_workers and time.monotonic() < deadline:
                with httpx.Client(base_url=base, timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as fresh:
                    for _ in range(8):
                        pid = fresh.get("/v1/health").json().get("pid")
                        if pid is not None:
                            pids.add(pid)
                if len(pids) < a.server_workers:
                    time.sleep(0.3)
            startup_s = time.perf_counter() - t_launch
            health = c.get("/v1/health").json()
            places = make_places(c, rng)
        log(f"server up in {startup_s:.1f} s ({len(pids) or '?'} worker processes answering); {len(places)} places; "
            f"mobility: {'yes' if health.get('mobility') else 'no'}")
        dates = [d for d in a.dates.split(",") if d]
        warm = make_requests(a.warmup * a.server_workers, places, dates, a.modes, a.arrive_by_share, rng)
        if warm:
            asyncio.run(run_load(base, warm, min(a.concurrency, 4 * a.server_workers), 120, a.timeout))
        pids = server_pids(proc)
        for i, rate in enumerate(a.rates):
            n = int(rate * a.level_seconds) if rate is not None and a.level_seconds else a.requests
            reqs = make_requests(n, places, dates, a.modes, a.arrive_by_share, rng)
            model = "closed loop" if rate is None else f"open loop at {rate:g} req/s"
            log(f"{n} requests, {a.concurrency} connections, {model}, modes {a.modes}")
            cpu0, load0, ticks0 = total_cpu(pids), os.getloadavg(), cpu_ticks()
            res = asyncio.run(run_load(base, reqs, a.concurrency, a.max_seconds, a.timeout, a.accept_encoding,
                                       rate=rate, seed=a.seed + i, client_kind=a.client))
            cpu1 = total_cpu(pids)
            if cpu0 is not None and cpu1 is not None and res["completed"]:
                res["server_cpu_s"] = round(cpu1 - cpu0, 2)
                res["server_cpu_ms_per_request"] = round((cpu1 - cpu0) * 1000 / res["completed"], 2)
            res["loadavg_before_after"] = [round(load0[0], 2), round(os.getloadavg()[0], 2)]
            res["cpu_steal_share"] = steal_share(ticks0, cpu_ticks())
            res["meets_bar"] = meets(res, a.bar_median, a.bar_p95)
            levels.append(res)
            print_level(res)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logf.close()

    ok_rates = [r["offered_rps"] for r in levels if r["offered_rps"] is not None and r["meets_bar"]]
    out = {"benchmark": "bench_http", "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                       "uvloop": importlib.util.find_spec("uvloop") is not None,
                       "httptools": importlib.util.find_spec("httptools") is not None},
           "config": {"network": str(network) if network else (health.get("network") or {}).get("folder"),
                      "url": url, "server_workers": a.server_workers if url is None else None,
                      "requests_per_level": a.requests, "level_seconds": a.level_seconds, "concurrency": a.concurrency, "rates": a.rates,
                      "modes": a.modes, "client": a.client, "accept_encoding": a.accept_encoding, "arrive_by_share": a.arrive_by_share,
                      "dates": dates, "seed": a.seed, "server_env": a.server_env, "places": len(places),
                      "bar_ms": {"median": a.bar_median, "p95": a.bar_p95}},
           "server_startup_s": round(startup_s, 2),
           "network": health.get("network"), "mobility": health.get("mobility"),
           "highest_rate_meeting_bar": max(ok_rates) if ok_rates else None,
           "results": levels[0] if len(levels) == 1 else levels}
    text = json.dumps(out, indent=1, ensure_ascii=False)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text + "\n")
        log(f"results written to {a.out}")
    if a.sweep:
        print(f"highest offered rate with server median < {a.bar_median:g} ms and p95 < {a.bar_p95:g} ms "
              f"and no failure: {out['highest_rate_meeting_bar']} req/s")
    return 0 if all(r["failures"] == 0 for r in levels) else 1


def print_level(r: dict) -> None:
    print(f"[{r['load_model']}, {r['concurrency']} connections] completed {r['completed']} in {r['wall_s']} s "
          f"= {r['throughput_rps']} req/s; failures {r['failures']}; statuses {r['status_counts']}")
    print(f"  server CPU {r.get('server_cpu_ms_per_request')} ms/request, load generator "
          f"{r['load_generator_cpu_ms_per_request']} ms/request; load average before/after "
          f"{r['loadavg_before_after']} on {os.cpu_count()} CPUs; CPU stolen by the host {r.get('cpu_steal_share')}")
    for name, s in (("client", r["client_ms"]), ("server X-Process-Time", r["server_ms"])):
        print(f"  {name:>22}: median {s.get('median')} ms, p95 {s.get('p95')} ms, p99 {s.get('p99')} ms")
    for name, s in r["server_timing_ms"].items():
        print(f"  {'server ' + name:>22}: median {s.get('median')} ms, p95 {s.get('p95')} ms, p99 {s.get('p99')} ms")


if __name__ == "__main__":
    raise SystemExit(main())
