"""HTTP API (/v1) over the STPT Timișoara sample network: bodies, errors, lookups, reload, real server."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():   # starlette's TestClient warns about httpx at import time
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import httpx

import maas
from maas.service import app as service_app
from maas.service.app import create_app

STPT = Path("/work/shared/data/stpt-timisoara-synth/stpt-timisoara-gtfs.zip")
DAY = "2026-11-24"          # a Tuesday inside the feed
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+02:00$")

pytestmark = pytest.mark.skipif(not STPT.exists(), reason=f"STPT sample feed not found at {STPT}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("stpt") / "network"
    maas.build_network([STPT], out=out)
    return str(out)


@pytest.fixture(scope="module")
def app(folder):
    return create_app(folder, refresh=False)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:       # runs the lifespan (warm-up)
        yield c


def plan(client, **params):
    q = {"from": "stop:74", "to": "stop:85", "date": DAY, "time": "08:00"}
    q.update(params)
    return client.get("/v1/plan", params=q)


def assert_422_names(resp, param: str):
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert "traceback" not in resp.text.lower()
    detail = body["detail"]
    if isinstance(detail, str):
        assert param in detail
        return
    assert any(param in [str(x) for x in d["loc"]] and param in d["msg"] for d in detail), body


# ----- /v1/plan -------------------------------------------------------------------------

def test_plan_stop_to_stop(client):
    r = plan(client)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert float(r.headers["x-process-time"]) >= 0
    body = r.json()
    assert set(body) >= {"itineraries", "park_and_ride", "messages"}
    its = body["itineraries"]
    assert its, body
    for it in its:
        assert ISO_RE.match(it["departure"]) and ISO_RE.match(it["arrival"])
        assert it["departure"] >= f"{DAY}T08:00:00+02:00"
        assert it["duration_s"] == (dt.datetime.fromisoformat(it["arrival"])
                                    - dt.datetime.fromisoformat(it["departure"])).total_seconds()
        assert it["price"]["currency"] == "RON" and it["price"]["amount"] >= 0
        assert it["legs"][0]["from"]["lat"] == pytest.approx(45.7504, abs=1e-3)
        for leg in it["legs"]:
            assert ISO_RE.match(leg["departure"]) and ISO_RE.match(leg["arrival"])
            assert leg["departure"] <= leg["arrival"]
            assert "from" in leg and "from_" not in leg
    transit = [leg for it in its for leg in it["legs"] if leg["mode"] != "WALK"]
    assert transit
    for leg in transit:
        assert leg["trip_id"] and leg["route_short_name"]
        assert leg["from"]["stop_id"] and leg["to"]["stop_id"]
        assert leg["wheelchair"] in ("accessible", "unknown", "not_accessible")
        assert "intermediate_stops" in leg     # extra keys pass through the models
        assert len(leg["geometry"]) >= 2
    # the direct tram 1 from Gara de Nord to Catedrala
    first = its[0]["legs"]
    assert any(l.get("route_short_name") == "1" and l["from"]["stop_id"] == "74" and l["to"]["stop_id"] == "85"
               for l in first)


def test_plan_matches_library(client, app):
    r = plan(client)
    lib = app.state.service.network.plan("stop:74", "stop:85", DAY, "08:00")
    assert r.json() == lib


def test_plan_arrive_by(client):
    r = plan(client, time="08:30", arriveBy="true")
    assert r.status_code == 200, r.text
    its = r.json()["itineraries"]
    assert its
    for it in its:
        assert it["arrival"] <= f"{DAY}T08:30:00+02:00"


def test_plan_coordinates_and_modes_repeated(client):
    r = client.get("/v1/plan", params=[("from", "45.7504,21.2072"), ("to", "45.7537,21.2257"), ("date", DAY),
                                       ("time", "08:00:00"), ("modes", "WALK"), ("modes", "TRANSIT"),
                                       ("numItineraries", "2"), ("maxTransfers", "2")])
    assert r.status_code == 200, r.text
    its = r.json()["itineraries"]
    assert its and len(its) <= 2
    assert all(it["transfers"] <= 2 for it in its)
    assert its[0]["legs"][0]["from"].get("stop_id") is None      # a coordinate origin has no stop id


def test_plan_profiles(client):
    for profile in ("senior", "stroller", "wheelchair"):
        r = plan(client, profile=profile)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["itineraries"] or body["messages"]
    r = plan(client, profile="wheelchair", strict="true")
    assert r.status_code == 200
    for it in r.json()["itineraries"]:
        for leg in it["legs"]:
            if "trip_id" in leg:
                assert leg["wheelchair"] == "accessible"


@pytest.mark.parametrize("params, param", [
    ({"from": "stop:nope"}, "from"),
    ({"from": "abc"}, "from"),
    ({"to": "1,2,3"}, "to"),
    ({"to": "95.0,21.2"}, "to"),
    ({"date": "2030-01-01"}, "date"),
    ({"date": "24/11/2026"}, "date"),
    ({"time": "25:99"}, "time"),
    ({"modes": "WALK,TELEPORT"}, "modes"),
    ({"profile": "astronaut"}, "profile"),
    ({"maxTransfers": "99"}, "maxTransfers"),
    ({"maxTransfers": "abc"}, "maxTransfers"),
    ({"maxTransfers": "-1"}, "maxTransfers"),
    ({"numItineraries": "0"}, "numItineraries"),
    ({"arriveBy": "maybe"}, "arriveBy"),
])
def test_plan_invalid_parameters(client, params, param):
    assert_422_names(plan(client, **params), param)


def test_plan_missing_place(client):
    r = client.get("/v1/plan", params={"to": "stop:85", "date": DAY, "time": "08:00"})
    assert_422_names(r, "from")


def test_plan_no_trip_is_200_with_message(client):
    r = plan(client, **{"from": "44.0,29.0"})          # the Black Sea
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["itineraries"] == [] and body["park_and_ride"] == []
    codes = [msg["code"] for msg in body["messages"]]
    assert "ORIGIN_TOO_FAR" in codes, body
    assert all(msg["text"] for msg in body["messages"])


def test_plan_defaults_to_now(client, app):
    net = app.state.service.network
    lo, hi = net.service_dates()
    today = dt.datetime.now(net.tz).date()
    r = client.get("/v1/plan", params={"from": "stop:74", "to": "stop:85"})
    if lo <= today <= hi:
        assert r.status_code == 200, r.text
    else:
        assert_422_names(r, "date")


def test_internal_error_is_500_without_traceback(folder, caplog):
    net = maas.load_network(folder)

    def boom(*a, **k):
        raise RuntimeError("kaboom in the planner")

    net.plan = boom
    app = create_app(network=net, refresh=False, warm=False)
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR, "maas.service"):
        r = plan(c)
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error"}
    assert "kaboom" not in r.text and "Traceback" not in r.text
    assert any("kaboom" in (rec.exc_text or "") or (rec.exc_info and "kaboom" in str(rec.exc_info[1]))
               for rec in caplog.records)


def test_plan_load_shedding(folder):
    app = create_app(folder, refresh=False, warm=False)
    with TestClient(app) as c:
        app.state.service.max_queue = 0          # every plan "finds" a full queue
        r = plan(c)
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert r.json() == {"detail": "server busy, retry later"}
        app.state.service.max_queue = 256
        assert plan(c).status_code == 200


# ----- lookups --------------------------------------------------------------------------

def test_stops_near(client):
    r = client.get("/v1/stops", params={"near": "45.7504,21.2072", "radius": 300})
    assert r.status_code == 200, r.text
    stops = r.json()["stops"]
    ids = [s["stop_id"] for s in stops]
    assert "74" in ids
    d = [s["distance_m"] for s in stops]
    assert d == sorted(d) and all(x <= 300 for x in d)
    s74 = stops[ids.index("74")]
    assert s74["name"] == "Gara de Nord" and "1" in s74["routes"]


def test_stops_near_default_radius_and_limit(client):
    r = client.get("/v1/stops", params={"near": "45.7504,21.2072"})
    body = r.json()
    assert body["total"] >= len(client.get("/v1/stops", params={"near": "45.7504,21.2072", "radius": 300})
                                .json()["stops"])
    assert all(s["distance_m"] <= 500 for s in body["stops"])
    r = client.get("/v1/stops", params={"near": "45.7504,21.2072", "limit": 1})
    assert [s["stop_id"] for s in r.json()["stops"]] == [body["stops"][0]["stop_id"]]


@pytest.mark.parametrize("params, param", [
    ({"near": "abc"}, "near"), ({"near": "45.75"}, "near"), ({"near": "145.0,21.2"}, "near"),
    ({"near": "45.75,21.2", "radius": "99999"}, "radius"), ({"near": "45.75,21.2", "radius": "0"}, "radius"),
    ({"limit": "0"}, "limit"),
])
def test_stops_invalid(client, params, param):
    assert_422_names(client.get("/v1/stops", params=params), param)


def test_stops_list(client, app):
    r = client.get("/v1/stops")
    body = r.json()
    assert body["total"] == app.state.service.network.tt.n_stops == len(body["stops"])
    assert all("distance_m" not in s for s in body["stops"])
    page = client.get("/v1/stops", params={"limit": 10, "offset": 5}).json()
    assert page["stops"] == body["stops"][5:15] and page["total"] == body["total"]


def test_stops_far_away_is_empty(client):
    r = client.get("/v1/stops", params={"near": "44.0,29.0"})
    assert r.status_code == 200 and r.json() == {"stops": [], "total": 0}


def test_routes(client):
    routes = client.get("/v1/routes").json()["routes"]
    by_name = {r["short_name"]: r for r in routes}
    assert by_name["1"]["mode"] == "TRAM"
    assert by_name["1"]["route_id"] and by_name["1"]["long_name"]
    assert {"route_id", "short_name", "long_name", "mode", "color"} <= set(by_name["1"])
    assert {r["mode"] for r in routes} >= {"TRAM", "TROLLEYBUS", "BUS"}


def test_mobility_lists(client, app):
    for path, key, method in (("/v1/bike-stations", "stations", "bike_stations"),
                              ("/v1/vehicles", "vehicles", "vehicles"),
                              ("/v1/park-and-ride", "lots", "parking_lots")):
        r = client.get(path)
        assert r.status_code == 200, r.text
        items = r.json()[key]
        mob = app.state.service.network.mobility
        assert len(items) == (0 if mob is None else len(getattr(mob, method)()))


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/plan", "/v1/health", "/v1/stops", "/v1/routes", "/v1/bike-stations", "/v1/vehicles",
                 "/v1/park-and-ride", "/v1/admin/reload"):
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/v1/plan"]["get"]["parameters"]}
    assert {"from", "to", "date", "time", "arriveBy", "profile", "modes", "maxTransfers", "numItineraries"} <= names
    assert "PlanResponse" in spec["components"]["schemas"]
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def test_health(client, app):
    r = client.get("/v1/health")
    assert r.status_code == 200
    h = r.json()
    tt = app.state.service.network.tt
    assert h["status"] == "ok" and h["version"] == maas.__version__
    assert h["network"]["stops"] == tt.n_stops and h["network"]["trips"] == tt.n_trips
    assert h["network"]["routes"] == 73
    assert h["network"]["feed_start"] <= DAY <= h["network"]["feed_end"]
    assert h["network"]["timezone"] == "Europe/Bucharest"
    dt.datetime.fromisoformat(h["loaded_at"])


def test_gzip(client):
    r = client.get("/v1/routes", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert r.json()["routes"]


# ----- reload ---------------------------------------------------------------------------

def test_reload_swaps_network(client, app):
    state = app.state.service
    old = state.network
    before = client.get("/v1/health").json()["loaded_at"]
    r = client.post("/v1/admin/reload")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "reloaded" and r.json()["network"]["stops"] == old.tt.n_stops
    assert state.network is not old
    assert client.get("/v1/health").json()["loaded_at"] > before
    # a request that started on the old network can still use it
    assert old.plan("stop:74", "stop:85", DAY, "08:00")["itineraries"]
    assert plan(client).json()["itineraries"]
    # the function form
    new = service_app.reload(app)
    assert state.current is new and state.network is new.network


def test_reload_failure_keeps_serving(folder, tmp_path):
    import shutil
    copy = tmp_path / "net"
    shutil.copytree(folder, copy)
    app = create_app(str(copy), refresh=False, warm=False)
    with TestClient(app) as c:
        net = app.state.service.network
        (copy / "timetable.json").unlink()
        r = c.post("/v1/admin/reload")
        assert r.status_code == 500 and "reload failed" in r.json()["detail"]
        assert app.state.service.network is net
        assert plan(c).status_code == 200


def test_reload_token_and_no_folder(folder):
    app = create_app(folder, refresh=False, warm=False, admin_token="s3cret")
    with TestClient(app) as c:
        assert c.post("/v1/admin/reload").status_code == 401
        assert c.post("/v1/admin/reload", headers={"X-Admin-Token": "wrong"}).status_code == 401
        assert c.post("/v1/admin/reload", headers={"X-Admin-Token": "s3cret"}).status_code == 200
        assert c.post("/v1/admin/reload", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    net = maas.load_network(folder)
    net.folder = None
    app = create_app(network=net, refresh=False, warm=False)
    with TestClient(app) as c:
        assert c.post("/v1/admin/reload").status_code == 409


# ----- background GBFS refresh (duck-typed mobility) ------------------------------------

class FakeMobility:
    """The Mobility interface the service relies on; the first refresh fails."""

    def __init__(self):
        self.calls = 0

    def bike_stations(self):
        return [{"station_id": "v1", "name": "Piața Victoriei", "lat": 45.7537, "lon": 21.2257,
                 "num_bikes_available": 3}]

    def vehicles(self):
        return [{"vehicle_id": "c1", "lat": 45.75, "lon": 21.22}]

    def parking_lots(self):
        return [{"id": "pr-1", "name": "P+R Nord", "lat": 45.77, "lon": 21.22, "capacity": 100,
                 "spaces_available": None}]

    def counts(self):
        return {"bike_stations": len(self.bike_stations()), "vehicles": len(self.vehicles()),
                "parking_lots": len(self.parking_lots())}

    def summary_lines(self):
        return ["fake GBFS source"]

    def messages(self):
        return []

    def access_options(self, *a, **k):
        return []

    def direct_options(self, *a, **k):
        return []

    def next_refresh_in(self, now=None):
        return 0.0

    def refresh(self, now=None):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("GBFS server down")
        return True


def test_background_refresh_survives_errors(folder, monkeypatch):
    monkeypatch.setattr(service_app, "MIN_REFRESH_S", 0.01)
    monkeypatch.setattr(service_app, "ERROR_BACKOFF_S", 0.01)
    net = maas.load_network(folder)
    fake = FakeMobility()
    net.mobility = fake
    app = create_app(network=net, refresh=True, warm=False)
    with TestClient(app) as c:
        deadline = time.monotonic() + 10
        while fake.calls < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert fake.calls >= 3
        h = c.get("/v1/health").json()
        assert h["mobility"]["bike_stations"] == 1 and h["mobility"]["refreshes"] >= 2
        assert c.get("/v1/bike-stations").json()["stations"][0]["station_id"] == "v1"
        assert c.get("/v1/vehicles").json()["vehicles"][0]["vehicle_id"] == "c1"
        lots = c.get("/v1/park-and-ride").json()["lots"]
        assert lots[0]["id"] == "pr-1" and lots[0]["spaces_available"] is None   # null = unknown is kept


# ----- a real server over HTTP ----------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            out.update(kids)
            todo += kids
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_maas_serve_over_http(folder, tmp_path, workers):
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    env = dict(os.environ, MAAS_ACCESS_LOG="0")
    proc = subprocess.Popen([sys.executable, "-m", "maas.cli", "serve", folder, "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    children: set[int] = set()
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    if c.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
            r = c.get("/v1/plan", params={"from": "stop:74", "to": "stop:85", "date": DAY, "time": "08:00"})
            assert r.status_code == 200
            assert r.json() == maas.load_network(folder).plan("stop:74", "stop:85", DAY, "08:00")
            assert float(r.headers["x-process-time"]) > 0
            assert "plan;dur=" in r.headers["server-timing"]
            assert_422_names(c.get("/v1/plan", params={"from": "stop:nope", "to": "stop:85", "date": DAY,
                                                       "time": "08:00"}), "from")
        if workers > 1:       # each worker listens on its own socket; new connections reach them all
            pids: set[int] = set()
            deadline = time.monotonic() + 90
            while len(pids) < workers and time.monotonic() < deadline:
                with httpx.Client(base_url=base, timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as c:
                    pids |= {c.get("/v1/health").json()["pid"] for _ in range(10)}
            children = _descendants(proc.pid)
            assert len(pids) == workers and pids <= children, (pids, children)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode is not None
    time.sleep(0.5)
    assert not [p for p in children if Path(f"/proc/{p}").exists()
                and "Z" not in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]], \
        "worker processes outlived the server"


def test_serve_workers_bad_folder_and_busy_port_exit_2(folder, tmp_path):
    r = subprocess.run([sys.executable, "-m", "maas.cli", "serve", str(tmp_path / "missing"), "--workers", "2"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "not a network folder" in r.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "maas.cli", "serve", folder, "--port", str(port), "--workers", "2"],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr, r.stderr


def test_serve_bad_folder_exits_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "maas.cli", "serve", str(tmp_path / "missing"), "--port", "1"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "not a network folder" in r.stderr


# ----- shared mobility and park & ride through the API (real Mobility) ------------------

SYNTH = STPT.parent


@pytest.fixture(scope="module")
def mobility_client(folder, tmp_path_factory):
    import importlib.util
    import shutil
    if importlib.util.find_spec("maas.planner.mobility") is None:
        pytest.skip("maas.planner.mobility is not available")
    if not (SYNTH / "gbfs" / "velotm").exists():
        pytest.skip(f"GBFS samples not found in {SYNTH / 'gbfs'}")
    out = tmp_path_factory.mktemp("stpt-mobility") / "network"
    shutil.copytree(folder, out)      # same inputs: the compiled timetable is reused
    maas.build_network([STPT], out=out, gbfs=[str(SYNTH / "gbfs" / "velotm"), str(SYNTH / "gbfs" / "carshare")],
                       parking=str(SYNTH / "park_and_ride.geojson"))
    app = create_app(str(out), refresh=False)
    with TestClient(app) as c:
        yield c


def test_mobility_endpoints(mobility_client):
    c = mobility_client
    stations = c.get("/v1/bike-stations").json()["stations"]
    assert len(stations) == 34
    assert all(s["station_id"] and -90 <= s["lat"] <= 90 for s in stations)
    assert any(s.get("can_rent") is False for s in stations)
    vehicles = c.get("/v1/vehicles").json()["vehicles"]
    assert len(vehicles) == 40 and all(v["vehicle_id"] for v in vehicles)
    lots = c.get("/v1/park-and-ride").json()["lots"]
    assert len(lots) == 6 and {"id", "name", "lat", "lon", "capacity", "spaces_available"} <= set(lots[0])
    assert any(lot["spaces_available"] is None for lot in lots)        # null = unknown, kept
    h = c.get("/v1/health").json()["mobility"]
    assert (h["bike_stations"], h["vehicles"], h["parking_lots"]) == (34, 40, 6)
    assert h["next_refresh_in_s"] > 0 and h["sources"]


def test_plan_all_modes_carries_mobility_ids(mobility_client):
    r = mobility_client.get("/v1/plan", params={"from": "45.7800,21.2600", "to": "stop:74", "date": DAY,
                                                "time": "08:00", "modes": "WALK,TRANSIT,BIKE_SHARE,CAR_SHARE,PARK_RIDE"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["park_and_ride"], body["messages"]
    for opt in body["park_and_ride"]:
        lot = opt["lot"]
        assert lot["id"].startswith("pr-") and "spaces_available" in lot
        car = [l for l in opt["itinerary"]["legs"] if l["mode"] == "CAR"]
        assert car and car[0]["to"]["lot_id"] == lot["id"]
    legs = [l for it in body["itineraries"] for l in it["legs"]]
    legs += [l for opt in body["park_and_ride"] for l in opt["itinerary"]["legs"]]
    for leg in legs:
        if leg["mode"] == "BIKE_SHARE":
            assert leg["from"]["station_id"] and leg["to"]["station_id"]
        if leg["mode"] == "CAR_SHARE":
            assert leg["from"]["vehicle_id"]
        if "trip_id" in leg:
            assert leg["from"]["stop_id"] and leg["to"]["stop_id"]


@pytest.mark.parametrize("params", [
    {"from": "45.7970,21.2440", "to": "45.7537,21.2257"},                          # suburb -> centre: P+R
    {"from": "45.7504,21.2072", "to": "45.7660,21.2280", "arriveBy": "true"},
    {"from": "stop:74", "to": "45.7472,21.2310", "profile": "wheelchair"},
    {"from": "45.7660,21.2280", "to": "45.7970,21.2440", "profile": "senior", "time": "23:40"},
])
def test_plan_body_is_exactly_the_contract_model(mobility_client, params):
    """The service writes the planner's dict straight to JSON: the body must be what the
    PlanResponse model makes of it (no key missing, none extra, every type right)."""
    from maas.service.models import PlanResponse
    q = {"date": DAY, "time": "08:00", "modes": "WALK,TRANSIT,BIKE_SHARE,CAR_SHARE,PARK_RIDE", **params}
    r = mobility_client.get("/v1/plan", params=q)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["itineraries"] or body["messages"]
    model = PlanResponse.model_validate(body)
    assert json.loads(model.model_dump_json(by_alias=True, exclude_unset=True)) == body
