"""Shared fixtures: real GTFS feeds from /work/shared/data, compiled once per test session.

The data folder is found relative to the repository (``<repo>/../shared/data``); tests that need
it are skipped, with the path in the reason, when it is absent.
"""
from __future__ import annotations

import contextlib
import io
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class RealFeed:
    """A feed of the shared data folder and a date inside its calendar."""

    path: Path
    date: str


REAL_FEEDS = {
    "stpt": RealFeed(DATA / "stpt-timisoara-synth" / "stpt-timisoara-gtfs.zip", "2026-11-24"),          # Tuesday
    "strasbourg": RealFeed(DATA / "gtfs-strasbourg-cts-2026" / "strasbourg-cts-gtfs.zip", "2026-03-10"),  # Tuesday
    "riga": RealFeed(DATA / "gtfs-riga-2019" / "riga-rigassatiksme-gtfs.zip", "2019-10-15"),            # Tuesday
    "bari": RealFeed(DATA / "gtfs-bari-amtab-2026" / "bari-amtab-gtfs.zip", "2026-03-10"),              # Tuesday
}
# STPT on the real OpenStreetMap streets of Timișoara (network name "stpt-osm")
OSM_TIMISOARA = DATA / "osm-timisoara-2025" / "timisoara.osm.pbf"
REAL_FEEDS["stpt-osm"] = REAL_FEEDS["stpt"]


def require_feed(name: str) -> RealFeed:
    """The feed, or skip the calling test with a visible reason when the data is not there."""
    feed = REAL_FEEDS[name]
    if not feed.path.is_file():
        pytest.skip(f"shared data not available: {feed.path} is missing")
    return feed


class RealNetworks:
    """Builds each real feed's network once (``maas.build_network(..., out=...)``) and caches
    the ``maas transfers`` CSV per profile and the CSA oracle per profile."""

    def __init__(self, tmp_factory):
        self._tmp = tmp_factory
        self._nets: dict = {}
        self._csv: dict = {}
        self._csa: dict = {}

    def network(self, name: str):
        feed = require_feed(name)
        osm = []
        if name.endswith("-osm"):
            if not OSM_TIMISOARA.is_file():
                pytest.skip(f"shared data not available: {OSM_TIMISOARA} is missing")
            osm = [str(OSM_TIMISOARA)]
        if name not in self._nets:
            import maas
            out = self._tmp.mktemp(f"net-{name}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._nets[name] = maas.build_network([str(feed.path)], out=out, osm=osm)
        return self._nets[name]

    def folder(self, name: str) -> str:
        return self.network(name).folder

    def transfers_csv(self, name: str, profile: str = "default") -> str:
        """What ``maas transfers NETWORK --profile P`` prints."""
        key = (name, profile)
        if key not in self._csv:
            from maas.cli import main
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                rc = main(["transfers", self.folder(name), "--profile", profile])
            assert rc == 0, f"maas transfers {name} --profile {profile} exited {rc}"
            self._csv[key] = buf.getvalue()
        return self._csv[key]

    def csa(self, name: str, profile: str = "default"):
        """The independent Connection Scan oracle over the raw GTFS and the transfers CSV."""
        key = (name, profile)
        if key not in self._csa:
            from oracles.csa import CsaOracle
            base = next((o for (n, _), o in self._csa.items() if n == name), None)
            csv = self.transfers_csv(name, profile)
            self._csa[key] = base.with_transfers(csv) if base is not None else CsaOracle(require_feed(name).path, csv)
        return self._csa[key]


@pytest.fixture(scope="session")
def real_networks(tmp_path_factory) -> RealNetworks:
    """Session-wide builder of the shared real feeds (see :class:`RealNetworks`)."""
    return RealNetworks(tmp_path_factory)


@pytest.fixture(scope="session")
def stpt_network(real_networks):
    """The STPT Timișoara sample network (date of reference: ``REAL_FEEDS['stpt'].date``)."""
    return real_networks.network("stpt")


Routes = dict[str, tuple[int, bytes]]


@pytest.fixture
def http_server() -> Iterator[Callable[[Routes], str]]:
    """Serve ``{path: (status, body)}`` as JSON on 127.0.0.1 (other paths 404); returns the base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: Routes) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                status, body = routes.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
