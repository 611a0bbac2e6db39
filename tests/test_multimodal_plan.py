"""Multimodal plans on the STPT sample: bike share, car share, park & ride, broken sources.

Every itinerary between real places of Timișoara is checked for feasibility against the loaded
GBFS and P+R data: bike legs start at a station that can rent and end at one that can return,
car-share legs start at an available car with range, P+R car legs end at a lot that is open on
arrival, legs chain in time and place, and arrive-by answers arrive by the deadline.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from maas.build import build_network, load_network
from maas.feeds.gbfs import load_gbfs
from maas.feeds.parking import load_parking
from maas.planner.pricing import CO2_G_PER_KM, velotm_price
from maas.planner.shared_modes import RANGE_RESERVE

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stpt-timisoara-synth"
GTFS = DATA / "stpt-timisoara-gtfs.zip"
VELOTM, CARSHARE = DATA / "gbfs" / "velotm", DATA / "gbfs" / "carshare"
PARKING = DATA / "park_and_ride.geojson"
pytestmark = pytest.mark.skipif(
    not (GTFS.is_file() and VELOTM.is_dir() and CARSHARE.is_dir() and PARKING.is_file()),
    reason=f"STPT sample (GTFS zip, gbfs/velotm, gbfs/carshare, park_and_ride.geojson) not found under {DATA}")

PLACES = {
    "gara_de_nord": "45.7504,21.2072",
    "piata_victoriei": "45.7537,21.2257",
    "iulius_mall": "45.7660,21.2280",
    "uvt": "45.7472,21.2310",
    "dumbravita": "45.7970,21.2440",     # a suburb, outside the centre
}
CENTRE = ["gara_de_nord", "piata_victoriei", "iulius_mall", "uvt"]
DATE = "2026-11-24"                      # a Tuesday
ALL = ["WALK", "TRANSIT", "BIKE_SHARE", "CAR_SHARE", "PARK_RIDE"]
TRANSIT_MODES = {"TRAM", "TROLLEYBUS", "BUS", "FERRY", "RAIL", "SUBWAY"}
PAIRS = [(a, b) for a in PLACES for b in PLACES if a != b]


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("stpt") / "net"
    build_network([GTFS], out=out, gbfs=[str(VELOTM), str(CARSHARE)], parking=str(PARKING))
    return out


@pytest.fixture(scope="module")
def net(net_dir):
    n = load_network(net_dir)
    assert n.mobility is not None and n.mobility.messages() == []
    return n


@pytest.fixture(scope="module")
def truth() -> dict:
    """The sources as the readers see them, to check itineraries against."""
    velo, cars = load_gbfs(VELOTM), load_gbfs(CARSHARE)
    return {"stations": {s.station_id: s for s in velo.stations},
            "vehicles": {v.vehicle_id: v for v in cars.vehicles},
            "plans": cars.pricing_plans,
            "lots": {x.id: x for x in load_parking(PARKING)}}


def t(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s)


def deadline(net, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{DATE}T{clock}").replace(tzinfo=net.tz)


def check_itinerary(it: dict, truth: dict, net, profile: str = "default") -> set[str]:
    """Assert that an itinerary is feasible; return the leg modes it uses."""
    legs = it["legs"]
    assert legs
    assert it["departure"] == legs[0]["departure"] and it["arrival"] == legs[-1]["arrival"]
    assert it["duration_s"] == (t(it["arrival"]) - t(it["departure"])).total_seconds()
    assert it["price"]["currency"] == "RON" and it["price"]["amount"] >= 0 and it["co2_g"] >= 0
    prev = None
    modes = set()
    for leg in legs:
        modes.add(leg["mode"])
        dep, arr = t(leg["departure"]), t(leg["arrival"])
        assert arr >= dep, leg
        assert leg["geometry"] and len(leg["geometry"][0]) == 2
        if prev is not None:
            assert dep >= t(prev["arrival"]), (prev, leg)                     # times chain
            assert abs(leg["from"]["lat"] - prev["to"]["lat"]) < 1e-5        # and places chain
            assert abs(leg["from"]["lon"] - prev["to"]["lon"]) < 1e-5
        if leg["mode"] == "BIKE_SHARE":
            assert profile not in ("wheelchair", "stroller")
            a = truth["stations"][leg["from"]["station_id"]]
            b = truth["stations"][leg["to"]["station_id"]]
            assert a.can_rent(), a
            assert b.can_return(), b
            assert a.station_id != b.station_id
            assert (leg["from"]["lat"], leg["from"]["lon"]) == (round(a.lat, 6), round(a.lon, 6))
            assert (leg["to"]["lat"], leg["to"]["lon"]) == (round(b.lat, 6), round(b.lon, 6))
            assert prev is not None and prev["mode"] == "WALK" and prev["to"].get("station_id") == a.station_id
        elif leg["mode"] == "CAR_SHARE":
            v = truth["vehicles"][leg["from"]["vehicle_id"]]
            assert v.is_available() and v.form_factor == "car", v
            assert v.current_range_meters is None or v.current_range_meters >= leg["distance_m"] * RANGE_RESERVE
            assert (leg["from"]["lat"], leg["from"]["lon"]) == (round(v.lat, 6), round(v.lon, 6))
        elif leg["mode"] == "CAR":
            lot = truth["lots"][leg["to"]["lot_id"]]
            assert lot.has_space() is not False
            assert lot.is_open(arr.replace(tzinfo=None)), (lot, leg["arrival"])
            assert (leg["to"]["lat"], leg["to"]["lon"]) == (round(lot.lat, 6), round(lot.lon, 6))
            assert legs.index(leg) == 0
        elif leg["mode"] in TRANSIT_MODES:
            assert leg["trip_id"] and leg["from"]["stop_id"] and leg["to"]["stop_id"]
        else:
            assert leg["mode"] == "WALK", leg["mode"]
        prev = leg
    return modes


def check_response(res: dict, truth: dict, net, profile: str = "default") -> set[str]:
    used: set[str] = set()
    for it in res["itineraries"]:
        used |= check_itinerary(it, truth, net, profile)
    for pr in res["park_and_ride"]:
        lot = pr["lot"]
        it = pr["itinerary"]
        assert {"id", "name", "lat", "lon", "capacity", "spaces_available"} <= lot.keys()
        modes = check_itinerary(it, truth, net, profile)
        used |= modes
        car = it["legs"][0]
        assert car["mode"] == "CAR" and car["to"]["lot_id"] == lot["id"]
        assert it["legs"][1]["mode"] == "WALK" and modes & TRANSIT_MODES
    for m in res["messages"]:
        assert m["code"] and m["text"]
    return used


# ----------------------------------------------------------------------------- all modes, real places

@pytest.mark.parametrize("a,b", PAIRS)
def test_all_modes_feasible(net, truth, a, b) -> None:
    res = net.plan(PLACES[a], PLACES[b], DATE, "08:00", modes=ALL)
    assert res["itineraries"], res["messages"]
    used = check_response(res, truth, net)
    assert used & TRANSIT_MODES or any(i["duration_s"] < 1800 for i in res["itineraries"])
    if a == "dumbravita":
        assert res["park_and_ride"], res["messages"]
        lots = [p["lot"]["id"] for p in res["park_and_ride"]]
        assert len(lots) == len(set(lots)) <= 3                        # one option per lot
        for p in res["park_and_ride"]:
            assert t(p["itinerary"]["departure"]) >= deadline(net, "08:00")
    else:
        assert res["park_and_ride"] == []                              # the centre is not P+R country


def test_all_modes_use_shared_modes_somewhere(net, truth) -> None:
    used: set[str] = set()
    for a, b in PAIRS:
        res = net.plan(PLACES[a], PLACES[b], DATE, "08:00", modes=ALL)
        used |= check_response(res, truth, net)
    assert {"BIKE_SHARE", "CAR_SHARE", "CAR", "WALK"} <= used and used & TRANSIT_MODES


@pytest.mark.parametrize("a,b", [("gara_de_nord", "iulius_mall"), ("uvt", "dumbravita"),
                                 ("dumbravita", "piata_victoriei"), ("piata_victoriei", "gara_de_nord")])
def test_all_modes_arrive_by(net, truth, a, b) -> None:
    res = net.plan(PLACES[a], PLACES[b], DATE, "09:00", modes=ALL, arrive_by=True)
    assert res["itineraries"], res["messages"]
    check_response(res, truth, net)
    limit = deadline(net, "09:00")
    for it in res["itineraries"] + [p["itinerary"] for p in res["park_and_ride"]]:
        assert t(it["arrival"]) <= limit
        assert t(it["arrival"]) >= limit - dt.timedelta(hours=2)
    if a == "dumbravita":
        assert res["park_and_ride"]


def test_bike_share_transit_arrive_by(net, truth) -> None:
    res = net.plan(PLACES["gara_de_nord"], PLACES["iulius_mall"], DATE, "08:30", modes=["BIKE_SHARE", "TRANSIT"],
                   arrive_by=True)
    assert res["itineraries"], res["messages"]
    used = check_response(res, truth, net)
    assert "BIKE_SHARE" in used
    limit = deadline(net, "08:30")
    for it in res["itineraries"]:
        assert t(it["arrival"]) <= limit
    # the direct bike option is shifted to arrive exactly at the deadline
    direct = [i for i in res["itineraries"] if {l["mode"] for l in i["legs"]} == {"WALK", "BIKE_SHARE"}]
    for it in direct:
        assert t(it["arrival"]) == limit


def test_bike_share_transit_combination(net, truth) -> None:
    # UVT -> Dumbrăvița: ride a Velo TM bike to a trolleybus stop, then M14 out of town
    res = net.plan(PLACES["uvt"], PLACES["dumbravita"], DATE, "08:00", modes=["WALK", "BIKE_SHARE", "TRANSIT"])
    combos = [it for it in res["itineraries"] if it["legs"][1]["mode"] == "BIKE_SHARE"]
    assert combos, res
    for it in combos:
        modes = check_itinerary(it, truth, net)
        assert it["legs"][0]["mode"] == "WALK" and modes & TRANSIT_MODES
        assert it["price"]["amount"] == 3.0                            # one STPT ticket; Velo TM's first hour free
    # without WALK there is no way from the last stop to Dumbrăvița (no bike station there)
    res = net.plan(PLACES["uvt"], PLACES["dumbravita"], DATE, "08:00", modes=["BIKE_SHARE", "TRANSIT"])
    assert res["itineraries"] == [] and res["messages"]


# ----------------------------------------------------------------------------- direct options

def test_direct_bike_share(net, truth) -> None:
    res = net.plan(PLACES["gara_de_nord"], PLACES["iulius_mall"], DATE, "08:00", modes=["BIKE_SHARE"])
    its = res["itineraries"]
    assert len(its) == 1
    check_itinerary(its[0], truth, net)
    walk1, bike, walk2 = its[0]["legs"]
    assert [walk1["mode"], bike["mode"], walk2["mode"]] == ["WALK", "BIKE_SHARE", "WALK"]
    assert its[0]["departure"].startswith(f"{DATE}T08:00:00")
    ride_s = (t(bike["arrival"]) - t(bike["departure"])).total_seconds()
    # crow-fly x 1.25 at 4.5 m/s, plus 60 s to unlock and 60 s to dock
    assert ride_s == pytest.approx(bike["distance_m"] / 4.5 + 120, abs=2)
    assert its[0]["price"]["amount"] == velotm_price(ride_s / 60) == 0.0
    assert its[0]["co2_g"] == 0


def test_direct_car_share(net, truth) -> None:
    res = net.plan(PLACES["piata_victoriei"], PLACES["iulius_mall"], DATE, "08:00", modes=["CAR_SHARE"])
    its = res["itineraries"]
    assert len(its) == 1, res["messages"]
    check_itinerary(its[0], truth, net)
    walk, car = its[0]["legs"]
    assert (walk["mode"], car["mode"]) == ("WALK", "CAR_SHARE")
    assert walk["to"]["vehicle_id"] == car["from"]["vehicle_id"]
    secs = (t(car["arrival"]) - t(car["departure"])).total_seconds()
    assert secs == pytest.approx(car["distance_m"] / 8.3 + 120 + 120, abs=2)   # pick-up and parking
    v = truth["vehicles"][car["from"]["vehicle_id"]]
    plan = truth["plans"][v.pricing_plan_id]
    assert its[0]["price"]["amount"] == pytest.approx(plan.cost(secs / 60, car["distance_m"] / 1000), abs=0.01)
    assert its[0]["co2_g"] == round(CO2_G_PER_KM["CAR_SHARE"] * car["distance_m"] / 1000)
    res = net.plan(PLACES["piata_victoriei"], PLACES["iulius_mall"], DATE, "08:00", modes=["CAR_SHARE"],
                   arrive_by=True)
    assert res["itineraries"][0]["arrival"].startswith(f"{DATE}T08:00:00")


def test_direct_options_only_when_competitive(net) -> None:
    res = net.plan(PLACES["gara_de_nord"], PLACES["uvt"], DATE, "08:00", modes=ALL)
    transit = [i for i in res["itineraries"] if any("trip_id" in l for l in i["legs"])]
    assert transit
    best = min(i["duration_s"] for i in transit)
    for it in res["itineraries"]:
        if it not in transit:
            assert it["duration_s"] <= max(1.5 * best, best + 600)


# ----------------------------------------------------------------------------- profiles

@pytest.mark.parametrize("profile", ["wheelchair", "stroller"])
def test_step_free_profiles_get_no_bike_share(net, truth, profile) -> None:
    res = net.plan(PLACES["gara_de_nord"], PLACES["iulius_mall"], DATE, "08:00", modes=ALL, profile=profile)
    used = check_response(res, truth, net, profile)
    assert "BIKE_SHARE" not in used
    assert "BIKE_SHARE_NOT_SUITABLE" in [m["code"] for m in res["messages"]]


def test_senior_gets_bike_share(net, truth) -> None:
    for profile, speed in (("senior", 0.9), ("default", 1.33)):
        res = net.plan(PLACES["piata_victoriei"], PLACES["uvt"], DATE, "08:00", modes=["BIKE_SHARE"], profile=profile)
        assert res["itineraries"] and "BIKE_SHARE" in check_response(res, truth, net, profile)
        for leg in res["itineraries"][0]["legs"]:
            if leg["mode"] == "WALK" and leg["distance_m"] > 50:
                secs = (t(leg["arrival"]) - t(leg["departure"])).total_seconds()
                assert secs == pytest.approx(leg["distance_m"] / speed, abs=1.5)


# ----------------------------------------------------------------------------- park & ride

def test_park_and_ride_details(net, truth) -> None:
    res = net.plan(PLACES["dumbravita"], PLACES["piata_victoriei"], DATE, "08:00", modes=ALL)
    assert res["park_and_ride"]
    for p in res["park_and_ride"]:
        lot = truth["lots"][p["lot"]["id"]]
        assert p["lot"]["name"] == lot.name and p["lot"]["spaces_available"] == lot.spaces_available
        car = p["itinerary"]["legs"][0]
        secs = (t(car["arrival"]) - t(car["departure"])).total_seconds()
        assert secs == pytest.approx(car["distance_m"] / 8.3 + 180, abs=2)      # drive + park
        assert p["itinerary"]["co2_g"] >= round(CO2_G_PER_KM["CAR"] * car["distance_m"] / 1000) - 1
    unknown = [p for p in res["park_and_ride"] if p["lot"]["spaces_available"] is None]
    msgs = [m for m in res["messages"] if m["code"] == "PARKING_SPACES_UNKNOWN"]
    assert len(msgs) == len(unknown)
    for p in unknown:
        assert any(p["lot"]["name"] in m["text"] for m in msgs)


def test_park_and_ride_only_transit_and_pr(net, truth) -> None:
    res = net.plan(PLACES["dumbravita"], PLACES["gara_de_nord"], DATE, "08:00", modes=["WALK", "TRANSIT", "PARK_RIDE"])
    assert res["park_and_ride"]
    check_response(res, truth, net)
    res = net.plan(PLACES["dumbravita"], PLACES["gara_de_nord"], DATE, "08:00", modes=["WALK", "PARK_RIDE"])
    assert res["park_and_ride"] == [] and "PARK_RIDE_NEEDS_TRANSIT" in [m["code"] for m in res["messages"]]


def test_park_and_ride_closed_lots(net, truth) -> None:
    # lots open 05:00-24:00: at 03:30 none is open on arrival
    res = net.plan(PLACES["dumbravita"], PLACES["piata_victoriei"], DATE, "03:30", modes=ALL)
    assert res["park_and_ride"] == []
    assert "NO_PARKING_AVAILABLE" in [m["code"] for m in res["messages"]]


# ----------------------------------------------------------------------------- unavailable data

def writable_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    dst.chmod(0o755)
    for f in dst.iterdir():
        f.chmod(0o644)
    return dst


def edit_json(path: Path, fn) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def server_500(http_server) -> str:
    return http_server({"/gbfs.json": (500, b"boom")}) + "/gbfs.json"


@pytest.mark.parametrize("kind", ["missing_folder", "bad_json", "http_500"])
def test_broken_gbfs_still_plans_transit(net_dir, truth, tmp_path, server_500, kind) -> None:
    if kind == "missing_folder":
        bad = str(tmp_path / "no-such-gbfs")
    elif kind == "bad_json":
        bad = str(writable_copy(VELOTM, tmp_path / "velotm"))
        (Path(bad) / "station_information.json").write_text("{\"data\": [1, 2", encoding="utf-8")
    else:
        bad = server_500
    n = load_network(net_dir, gbfs=[bad, str(CARSHARE)])
    res = n.plan(PLACES["gara_de_nord"], PLACES["iulius_mall"], DATE, "08:00", modes=ALL)
    used = check_response(res, truth, n)
    assert used & TRANSIT_MODES and "BIKE_SHARE" not in used
    msgs = [m for m in res["messages"] if m["code"] == "GBFS_UNAVAILABLE"]
    assert len(msgs) == 1
    from maas.planner.mobility import source_id
    assert f"source {source_id(bad)} " in msgs[0]["text"] and bad not in msgs[0]["text"]   # by id, no path
    # planning without the broken source still works for the other modes
    res = n.plan(PLACES["piata_victoriei"], PLACES["iulius_mall"], DATE, "08:00", modes=["CAR_SHARE"])
    assert res["itineraries"] and "CAR_SHARE" in check_response(res, truth, n)


@pytest.fixture
def stale_carshare(http_server) -> Iterator[str]:
    """The car-sharing sample over HTTP, last updated three hours ago (stale for a URL source)."""
    import time
    stamp = int(time.time()) - 3 * 3600
    files = {}
    for f in CARSHARE.glob("*.json"):
        doc = json.loads(f.read_text(encoding="utf-8"))
        doc["last_updated"] = stamp
        files["/" + f.name] = json.dumps(doc).encode()

    yield http_server({path: (200, body) for path, body in files.items()}) + "/gbfs.json"


def test_stale_gbfs_is_not_used(net_dir, truth, stale_carshare) -> None:
    n = load_network(net_dir, gbfs=[str(VELOTM), stale_carshare])
    assert len(n.mobility.vehicles()) == 40                       # read, but too old to trust
    res = n.plan(PLACES["piata_victoriei"], PLACES["iulius_mall"], DATE, "08:00", modes=ALL)
    used = check_response(res, truth, n)
    assert "CAR_SHARE" not in used and used & TRANSIT_MODES
    stale = [m for m in res["messages"] if m["code"] == "GBFS_STALE"]
    from maas.planner.mobility import source_id
    assert len(stale) == 1 and f"source {source_id(stale_carshare)} is stale" in stale[0]["text"]
    assert "NO_CAR_AVAILABLE" in [m["code"] for m in res["messages"]]


def test_no_bike_available(net_dir, truth, tmp_path) -> None:
    empty = writable_copy(VELOTM, tmp_path / "velotm-empty")

    def take_all(doc):
        for s in doc["data"]["stations"]:
            s["num_docks_available"] += s["num_bikes_available"]
            s["num_bikes_available"] = 0
    edit_json(empty / "station_status.json", take_all)
    n = load_network(net_dir, gbfs=[str(empty)])
    for modes in (["BIKE_SHARE"], ["BIKE_SHARE", "WALK"]):
        res = n.plan(PLACES["gara_de_nord"], PLACES["piata_victoriei"], DATE, "08:00", modes=modes)
        assert "NO_BIKE_AVAILABLE" in [m["code"] for m in res["messages"]], res["messages"]
        assert "BIKE_SHARE" not in check_response(res, truth, n)
    assert all(it["legs"][0]["mode"] == "WALK" and len(it["legs"]) == 1 for it in res["itineraries"])


def test_no_car_available(net_dir, truth, tmp_path) -> None:
    reserved = writable_copy(CARSHARE, tmp_path / "cars-reserved")
    edit_json(reserved / "vehicle_status.json",
              lambda doc: [v.__setitem__("is_reserved", True) for v in doc["data"]["vehicles"]])
    n = load_network(net_dir, gbfs=[str(reserved)])
    res = n.plan(PLACES["piata_victoriei"], PLACES["iulius_mall"], DATE, "08:00", modes=["CAR_SHARE", "TRANSIT", "WALK"])
    assert "NO_CAR_AVAILABLE" in [m["code"] for m in res["messages"]]
    used = check_response(res, truth, n)
    assert "CAR_SHARE" not in used and used & TRANSIT_MODES


def test_no_parking_available(net_dir, truth, tmp_path) -> None:
    full = tmp_path / "pr-full.geojson"
    doc = json.loads(PARKING.read_text(encoding="utf-8"))
    for f in doc["features"]:
        f["properties"]["spaces_available"] = 0
    full.write_text(json.dumps(doc), encoding="utf-8")
    n = load_network(net_dir, parking=str(full))
    res = n.plan(PLACES["dumbravita"], PLACES["piata_victoriei"], DATE, "08:00", modes=ALL)
    assert res["park_and_ride"] == [] and res["itineraries"]
    assert "NO_PARKING_AVAILABLE" in [m["code"] for m in res["messages"]]


def test_refresh_during_a_request_does_not_mix_snapshots(net_dir, truth, tmp_path, monkeypatch) -> None:
    """A GBFS refresh that lands in the middle of a request must not change that request: every
    hook after the access options (direct options, review, messages) sees the bound snapshot."""
    import time

    from maas.planner.modes import BikeShareMode
    live = writable_copy(VELOTM, tmp_path / "velotm-live")
    n = load_network(net_dir, gbfs=[str(live)])
    modes = ["BIKE_SHARE", "WALK", "TRANSIT"]
    args = (PLACES["piata_victoriei"], PLACES["iulius_mall"], DATE, "08:00")
    before = n.plan(*args, modes=modes)
    assert "BIKE_SHARE" in check_response(before, truth, n)

    def take_all(doc):
        for s in doc["data"]["stations"]:
            s["num_docks_available"] += s["num_bikes_available"]
            s["num_bikes_available"] = 0
    edit_json(live / "station_status.json", take_all)      # every bike gone on the next read
    refreshed = []
    original = BikeShareMode.access

    def access_then_refresh(self, *a, **k):
        out = original(self, *a, **k)
        if not refreshed:
            refreshed.append(n.mobility.refresh(now=time.time() + 3600))
        return out
    monkeypatch.setattr(BikeShareMode, "access", access_then_refresh)
    during = n.plan(*args, modes=modes)
    assert refreshed == [True] and not n.mobility.snapshot.st_rent.any()
    assert during == before                                 # the whole answer, from one snapshot
    after = n.plan(*args, modes=modes)
    assert "NO_BIKE_AVAILABLE" in [m["code"] for m in after["messages"]]
    assert "BIKE_SHARE" not in check_response(after, truth, n)
