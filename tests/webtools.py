"""Helpers shared by the browser tests, ``docs/screenshots.py`` and ``benchmarks/bench_web.py``.

* Chromium is Debian's (``apt-get install chromium``), driven by Playwright through
  ``executable_path``: Playwright's own browser download cannot work on these machines.
  :func:`browser_problem` says why a browser cannot run (or None), so tests skip with the reason.
* :func:`serve` runs ``maas serve`` (the real CLI) on a free loopback port and waits until the
  network is loaded and warmed up.
* :func:`tile_server` serves one small PNG for every ``/{z}/{x}/{y}.png`` and records the paths,
  so that the tile URL configuration can be tested without reaching any tile provider.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zlib
import struct
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("MAAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser_problem() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        return "axe-playwright-python is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return (f"Chromium not found at {CHROMIUM}: install Debian's package "
                "(apt-get install chromium; `make test` does it when run as root) or set MAAS_CHROMIUM")
    return None


def launch(playwright):
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sample_network(out: Path) -> Path:
    """The project's own sample (GTFS + GBFS + P+R, and its streets and GTFS-RT files when it has
    them) compiled into ``out/net``, as ``make network`` builds it."""
    import inspect
    import maas
    from maas.feeds.sample import write_sample
    feeds = out / "feeds"
    write_sample(feeds)
    net = out / "net"
    kwargs: dict = {}
    params = inspect.signature(maas.build_network).parameters
    if (feeds / "streets.osm").is_file() and "osm" in params:
        kwargs["osm"] = [str(feeds / "streets.osm")]
    rt = [feeds / "realtime" / f for f in ("trip-updates.pb", "alerts.pb", "vehicle-positions.pb")]
    if "realtime" in params and all(f.is_file() for f in rt):
        kwargs["realtime"] = [str(f) for f in rt]
    maas.build_network([str(feeds / "gtfs.zip")], out=net,
                       gbfs=[str(feeds / "gbfs" / "velotm"), str(feeds / "gbfs" / "carshare")],
                       parking=str(feeds / "park_and_ride.geojson"), **kwargs)
    return net


STPT_DIR = REPO.parent / "shared" / "data" / "stpt-timisoara-synth"
OSM_PBF = REPO.parent / "shared" / "data" / "osm-timisoara-2025" / "timisoara.osm.pbf"


def stpt_network(out: Path, mobility: bool = True) -> Path | None:
    """STPT (+ the Timișoara OSM extract when the build reads OSM, + Velo TM, car share and P+R
    when ``mobility``) compiled into ``out``; None when the shared data is absent."""
    import inspect
    import warnings
    import maas
    gtfs = STPT_DIR / "stpt-timisoara-gtfs.zip"
    if not gtfs.is_file():
        return None
    kwargs: dict = {}
    if "osm" in inspect.signature(maas.build_network).parameters and OSM_PBF.is_file():
        kwargs["osm"] = [str(OSM_PBF)]
    if mobility:
        gbfs = [str(STPT_DIR / "gbfs" / n) for n in ("velotm", "carshare") if (STPT_DIR / "gbfs" / n).is_dir()]
        if gbfs:
            kwargs["gbfs"] = gbfs
        if (STPT_DIR / "park_and_ride.geojson").is_file():
            kwargs["parking"] = str(STPT_DIR / "park_and_ride.geojson")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        maas.build_network([str(gtfs)], out=out, **kwargs)
    return Path(out)


@contextlib.contextmanager
def serve(folder: str | os.PathLike, log: Path, tiles: str | None = None,
          timeout: float = 180.0) -> Iterator[str]:
    """``maas serve FOLDER`` on a free port; yields the base URL once ``/v1/health`` answers."""
    port = free_port()
    cmd = [sys.executable, "-m", "maas.cli", "serve", str(folder), "--host", "127.0.0.1", "--port", str(port)]
    if tiles is not None:
        cmd += ["--tiles", tiles]
    env = dict(os.environ, MAAS_ACCESS_LOG="0")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"maas serve exited with {proc.returncode}: {Path(log).read_text()[-2000:]}")
                try:
                    if httpx.get(base + "/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"maas serve did not answer within {timeout} s")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _png(width: int = 256, height: int = 256, rgb=(214, 222, 205)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


@contextlib.contextmanager
def tile_server() -> Iterator[tuple[str, list[str]]]:
    """A stand-in tile server: yields (URL template, list of requested paths)."""
    png = _png()
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):   # the browser gave up on a tile
                self.wfile.write(png)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tiles/{{z}}/{{x}}/{{y}}.png", seen
    finally:
        server.shutdown()
        server.server_close()


def contrast(c1: str, c2: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""
    def lum(c: str) -> float:
        c = c.lstrip("#")
        vals = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in vals]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    a, b = sorted((lum(c1), lum(c2)), reverse=True)
    return (a + 0.05) / (b + 0.05)
