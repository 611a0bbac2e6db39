"""GBFS 2.3/3.0 reader: real Timișoara samples, hand-written edge cases, pricing, HTTP sources."""
from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from maas.errors import FeedError
from maas.feeds.gbfs import (MIN_TTL_S, STALE_GRACE_S, GbfsError, GbfsSystem, PricingPlan,
                             PricingSegment, load_gbfs)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stpt-timisoara-synth"
VELOTM, CARSHARE = DATA / "gbfs" / "velotm", DATA / "gbfs" / "carshare"
needs_data = pytest.mark.skipif(not VELOTM.is_dir() or not CARSHARE.is_dir(),
                                reason=f"sample GBFS data not found under {DATA}")

T0 = 1_700_000_000


# ----------------------------------------------------------------------------- helpers

def doc(data: dict, version: str = "2.3", ttl: int = 60, last_updated: Any = T0) -> dict:
    return {"last_updated": last_updated, "ttl": ttl, "version": version, "data": data}


def system23() -> dict[str, dict]:
    """A small valid GBFS 2.3 system: 3 stations and 2 free-floating bikes."""
    return {
        "system_information": doc({"system_id": "mini", "language": "en", "name": "Mini bikes",
                                   "timezone": "Europe/Bucharest"}, ttl=3600),
        "station_information": doc({"stations": [
            {"station_id": "a", "name": "Alpha", "lat": 45.75, "lon": 21.22, "capacity": 10},
            {"station_id": "b", "name": "Beta", "lat": 45.76, "lon": 21.23, "capacity": 8},
            {"station_id": "c", "name": "Gamma", "lat": 45.77, "lon": 21.24},
        ]}),
        "station_status": doc({"stations": [
            {"station_id": "a", "num_bikes_available": 4, "num_docks_available": 6,
             "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": T0},
            {"station_id": "b", "num_bikes_available": 0, "num_docks_available": 8,
             "is_installed": True, "is_renting": True, "is_returning": False, "last_reported": T0},
            {"station_id": "c", "num_bikes_available": 2, "num_docks_available": 0,
             "is_installed": 0, "is_renting": 1, "is_returning": 1, "last_reported": T0},
        ]}, ttl=30),
        "free_bike_status": doc({"bikes": [
            {"bike_id": "x1", "lat": 45.751, "lon": 21.221, "is_reserved": 0, "is_disabled": 0},
            {"bike_id": "x2", "lat": 45.752, "lon": 21.222, "is_reserved": 1, "is_disabled": 0},
        ]}, ttl=30),
    }


def system30() -> dict[str, dict]:
    """A small valid GBFS 3.0 system with stations, vehicle types, pricing and vehicles."""
    loc = lambda text: [{"text": text, "language": "ro"}]  # noqa: E731
    return {
        "system_information": doc({"system_id": "mini3", "languages": ["ro"], "name": loc("Mini 3"),
                                   "timezone": "Europe/Bucharest"}, "3.0", ttl=86400,
                                  last_updated="2023-11-14T22:13:20Z"),  # = T0
        "vehicle_types": doc({"vehicle_types": [
            {"vehicle_type_id": "sc", "form_factor": "scooter_standing", "propulsion_type": "electric",
             "max_range_meters": 30000, "name": loc("Scooter")},
            {"vehicle_type_id": "eb", "form_factor": "bicycle", "propulsion_type": "electric_assist",
             "max_range_meters": 60000},
        ]}, "3.0"),
        "system_pricing_plans": doc({"plans": [
            {"plan_id": "std", "name": loc("Standard"), "currency": "RON", "price": 2.5,
             "is_taxable": False, "description": loc("2.5 unlock, 60 min free, then 0.5/min"),
             "per_min_pricing": [{"start": 0, "rate": 0, "interval": 60, "end": 60},
                                 {"start": 60, "rate": 0.5, "interval": 1}]},
        ]}, "3.0"),
        "station_information": doc({"stations": [
            {"station_id": "s1", "name": loc("Piața Unirii"), "lat": 45.758, "lon": 21.229,
             "capacity": 12},
        ]}, "3.0"),
        "station_status": doc({"stations": [
            {"station_id": "s1", "num_vehicles_available": 5, "num_docks_available": 7,
             "is_installed": True, "is_renting": True, "is_returning": True,
             "last_reported": "2023-11-14T22:13:20Z"},
        ]}, "3.0", ttl=20, last_updated=T0 + 100),
        "vehicle_status": doc({"vehicles": [
            {"vehicle_id": "v1", "lat": 45.75, "lon": 21.2, "is_reserved": False, "is_disabled": False,
             "vehicle_type_id": "sc", "current_range_meters": 12000, "pricing_plan_id": "std"},
            {"vehicle_id": "v2", "station_id": "s1", "is_reserved": False, "is_disabled": False,
             "vehicle_type_id": "eb"},  # docked: counted by station_status
            {"vehicle_id": "v3", "lat": 45.74, "lon": 21.21, "is_reserved": False, "is_disabled": False,
             "vehicle_type_id": "eb", "current_range_meters": 0},
            {"vehicle_id": "v4", "lat": 45.73, "lon": 21.22, "is_reserved": False, "is_disabled": True,
             "vehicle_type_id": "hover", "pricing_plan_id": "nope"},
        ]}, "3.0", ttl=30),
    }


def write_system(folder: Path, feeds: dict[str, dict], version: str = "2.3",
                 discovery: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in feeds.items():
        (folder / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
    if discovery:
        entries = [{"name": n, "url": f"https://example.org/gbfs/{n}.json"} for n in feeds]
        data = {"feeds": entries} if version.startswith("3") else {"en": {"feeds": entries}}
        (folder / "gbfs.json").write_text(json.dumps(doc(data, version)), encoding="utf-8")
    return folder


def raises_at(source: Path | str, file: str, row: int | None, field: str | None, **kw: Any) -> FeedError:
    with pytest.raises(FeedError) as info:
        load_gbfs(source, **kw)
    err, text = info.value, str(info.value)
    assert isinstance(err, GbfsError)
    assert file in err.issue.file and file in text
    assert err.issue.row == row and err.issue.field == field
    if row is not None:
        assert f"row {row}" in text
    if field is not None:
        assert f"field {field}" in text
    return err


# ----------------------------------------------------------------------------- real samples

@needs_data
def test_velotm_gbfs23_sample() -> None:
    s = load_gbfs(VELOTM)
    assert (s.system_id, s.name, s.version) == ("velotm", "Velo TM", "2.3")
    assert len(s.stations) == 34 and len({x.station_id for x in s.stations}) == 34
    assert s.vehicles == [] and s.warnings == []
    first = s.stations[0]  # information and status merged by station_id
    assert (first.station_id, first.name, first.capacity) == ("velotm-01", "Velo TM Piața Huniade", 12)
    assert (first.lat, first.lon) == (45.7531, 21.22805)
    assert (first.num_bikes_available, first.num_docks_available) == (8, 4)
    by_id = {x.station_id: x for x in s.stations}
    assert not by_id["velotm-04"].can_rent() and by_id["velotm-04"].can_return()  # empty
    not_renting = by_id["velotm-22"]  # has bikes, but is_renting false
    assert not_renting.num_bikes_available == 16 and not not_renting.is_renting
    assert not not_renting.can_rent() and not_renting.can_return()
    assert sorted(x.station_id for x in s.stations if not x.can_rent()) == ["velotm-04", "velotm-18", "velotm-22"]
    assert any(not x.can_return() for x in s.stations)  # one station is full
    assert all(45.6 < x.lat < 45.9 and 21.1 < x.lon < 21.4 for x in s.stations)


@needs_data
def test_carshare_gbfs30_sample() -> None:
    s = load_gbfs(CARSHARE)
    assert (s.system_id, s.version) == ("tm-carshare", "3.0")
    assert s.name == "Timișoara car sharing (sample)"  # localized list -> first text
    assert s.stations == [] and len(s.vehicles) == 40
    assert {v.form_factor for v in s.vehicles} == {"car"}  # from vehicle_types
    assert {v.propulsion for v in s.vehicles} == {"electric"}
    unavailable = sorted(v.vehicle_id for v in s.vehicles if not v.is_available())
    assert unavailable == ["car-006", "car-009", "car-019", "car-026", "car-032"]
    assert all(v.is_reserved or v.is_disabled for v in s.vehicles if v.vehicle_id in unavailable)
    plan = s.pricing_plans["per-minute"]
    assert (plan.currency, plan.price, plan.per_min_rate, plan.free_minutes) == ("RON", 0.0, 1.5, 0.0)
    assert plan.cost(10) == 15.0 and plan.cost(10.5) == 16.5
    assert all(v.pricing_plan_id in s.pricing_plans for v in s.vehicles)
    car1 = s.vehicles[0]
    assert (car1.vehicle_id, car1.current_range_meters) == ("car-001", 198496.0)


@needs_data
def test_sample_to_json_is_plain_json() -> None:
    s = load_gbfs(VELOTM, now=1_795_500_000)
    out = json.loads(json.dumps(s.to_json()))
    assert len(out["stations"]) == 34 and out["stale"] is False
    st = {x["station_id"]: x for x in out["stations"]}
    assert st["velotm-22"]["can_rent"] is False and st["velotm-01"]["can_rent"] is True
    assert st["velotm-01"]["num_bikes_available"] == 8 and out["fetched_at"] == 1_795_500_000
    cars = json.loads(json.dumps(load_gbfs(CARSHARE).to_json()))
    assert sum(v["is_available"] for v in cars["vehicles"]) == 35
    assert cars["pricing_plans"]["per-minute"]["per_min_rate"] == 1.5


@needs_data
def test_folder_without_gbfs_json_and_gbfs_json_path(tmp_path: Path) -> None:
    for f in VELOTM.glob("*.json"):
        if f.name != "gbfs.json":
            shutil.copy(f, tmp_path / f.name)
    bare = load_gbfs(tmp_path)
    assert len(bare.stations) == 34 and bare.version == "2.3"
    via_file = load_gbfs(VELOTM / "gbfs.json")
    assert [x.station_id for x in via_file.stations] == [x.station_id for x in bare.stations]


# ----------------------------------------------------------------------------- hand-written systems

def test_gbfs23_free_bikes_and_station_flags(tmp_path: Path) -> None:
    s = load_gbfs(write_system(tmp_path, system23()))
    assert s.version == "2.3" and s.last_updated == T0 and s.ttl == 30  # min ttl over feeds
    by_id = {x.station_id: x for x in s.stations}
    assert by_id["a"].can_rent() and by_id["a"].can_return()
    assert not by_id["b"].can_rent() and not by_id["b"].can_return()  # no bikes; not returning
    assert not by_id["c"].can_rent() and not by_id["c"].is_installed  # 0/1 flags read as bools
    assert by_id["c"].capacity is None
    assert [(v.vehicle_id, v.form_factor, v.is_available()) for v in s.vehicles] == [
        ("x1", "bicycle", True), ("x2", "bicycle", False)]  # no vehicle_types: bicycles


def test_gbfs30_localized_names_types_and_docked_vehicles(tmp_path: Path) -> None:
    s = load_gbfs(write_system(tmp_path, system30(), "3.0"))
    assert (s.version, s.name, s.ttl) == ("3.0", "Mini 3", 20)
    assert s.last_updated == T0 + 100  # RFC 3339 and integer stamps; max over feeds
    (st,) = s.stations
    assert (st.name, st.num_bikes_available, st.num_docks_available) == ("Piața Unirii", 5, 7)
    vs = {v.vehicle_id: v for v in s.vehicles}
    assert set(vs) == {"v1", "v3", "v4"}  # v2 is docked at s1
    assert (vs["v1"].form_factor, vs["v1"].propulsion, vs["v1"].is_available()) == (
        "scooter_standing", "electric", True)
    assert not vs["v3"].is_available()  # battery empty
    assert vs["v4"].form_factor == "other" and not vs["v4"].is_available()
    assert any("hover" in w for w in s.warnings) and any("'nope'" in w for w in s.warnings)
    plan = s.pricing_plans["std"]
    assert (plan.name, plan.price, plan.free_minutes, plan.per_min_rate) == ("Standard", 2.5, 60.0, 0.5)
    assert plan.cost(45) == 2.5 and plan.cost(60) == 2.5 and plan.cost(75.5) == 2.5 + 8.0


def test_status_without_information_is_a_warning(tmp_path: Path) -> None:
    feeds = system23()
    feeds["station_status"]["data"]["stations"].append(
        {"station_id": "ghost", "num_bikes_available": 1, "num_docks_available": 1,
         "is_installed": 1, "is_renting": 1, "is_returning": 1})
    s = load_gbfs(write_system(tmp_path, feeds))
    assert [x.station_id for x in s.stations] == ["a", "b", "c"]
    assert any("station_status.json row 4" in w and "ghost" in w for w in s.warnings)


# ----------------------------------------------------------------------------- malformed input

Mutation = Callable[[dict[str, dict]], None]


def _set(feed: str, key: str, index: int, field: str, value: Any) -> Mutation:
    def mutate(feeds: dict[str, dict]) -> None:
        rec = feeds[feed]["data"][key][index]
        if value is KeyError:
            del rec[field]
        else:
            rec[field] = value
    return mutate


@pytest.mark.parametrize("mutate,file,row,field", [
    (_set("station_status", "stations", 2, "num_bikes_available", KeyError),
     "station_status.json", 3, "num_bikes_available"),
    (_set("station_status", "stations", 1, "num_bikes_available", "five"),
     "station_status.json", 2, "num_bikes_available"),
    (_set("station_status", "stations", 0, "num_docks_available", -1),
     "station_status.json", 1, "num_docks_available"),
    (_set("station_status", "stations", 1, "is_renting", "yes"), "station_status.json", 2, "is_renting"),
    (_set("station_information", "stations", 1, "lat", "45.7"), "station_information.json", 2, "lat"),
    (_set("station_information", "stations", 2, "lon", 200.0), "station_information.json", 3, "lon"),
    (_set("station_information", "stations", 1, "station_id", "a"),
     "station_information.json", 2, "station_id"),
    (_set("free_bike_status", "bikes", 1, "is_reserved", KeyError), "free_bike_status.json", 2, "is_reserved"),
    (_set("free_bike_status", "bikes", 0, "lat", KeyError), "free_bike_status.json", 1, "lat"),
    (lambda f: f["station_status"].pop("ttl"), "station_status.json", None, "ttl"),
    (lambda f: f["system_information"]["data"].pop("system_id"),
     "system_information.json", None, "data.system_id"),
])
def test_malformed_gbfs23_names_file_row_field(tmp_path: Path, mutate: Mutation, file: str,
                                               row: int | None, field: str) -> None:
    feeds = system23()
    mutate(feeds)
    raises_at(write_system(tmp_path, feeds), file, row, field)


@pytest.mark.parametrize("mutate,file,row,field", [
    (_set("vehicle_status", "vehicles", 3, "is_disabled", 2), "vehicle_status.json", 4, "is_disabled"),
    (_set("vehicle_status", "vehicles", 0, "vehicle_id", KeyError), "vehicle_status.json", 1, "vehicle_id"),
    (_set("vehicle_status", "vehicles", 0, "current_range_meters", "far"),
     "vehicle_status.json", 1, "current_range_meters"),
    (_set("station_information", "stations", 0, "name", [{"language": "ro"}]),
     "station_information.json", 1, "name"),
    (lambda f: f["system_pricing_plans"]["data"]["plans"][0]["per_min_pricing"][1].update(rate="0.5"),
     "system_pricing_plans.json", 1, "per_min_pricing[1].rate"),
    (lambda f: f["system_pricing_plans"]["data"]["plans"][0]["per_min_pricing"][0].update(end=0),
     "system_pricing_plans.json", 1, "per_min_pricing[0].end"),
    (_set("vehicle_types", "vehicle_types", 1, "form_factor", KeyError), "vehicle_types.json", 2, "form_factor"),
    (_set("station_status", "stations", 0, "num_vehicles_available", KeyError),
     "station_status.json", 1, "num_vehicles_available"),
])
def test_malformed_gbfs30_names_file_row_field(tmp_path: Path, mutate: Mutation, file: str,
                                               row: int, field: str) -> None:
    feeds = system30()
    mutate(feeds)
    raises_at(write_system(tmp_path, feeds, "3.0"), file, row, field)


def test_missing_and_unparsable_files(tmp_path: Path) -> None:
    raises_at(tmp_path / "nowhere", "nowhere", None, None)
    folder = write_system(tmp_path / "sys", system23())
    (folder / "station_status.json").write_text('{"last_updated": 1, "ttl": 0, "data": {', encoding="utf-8")
    err = raises_at(folder, "station_status.json", None, None)
    assert "invalid JSON" in str(err)
    (folder / "station_status.json").unlink()
    err = raises_at(folder, "gbfs.json", None, "url")  # listed in gbfs.json, absent from the folder
    assert "station_status" in str(err)
    (folder / "gbfs.json").unlink()  # without discovery: information without status is an error
    err = raises_at(folder, "station_information.json", None, "station_status")
    (folder / "station_information.json").write_text("[]", encoding="utf-8")
    raises_at(folder, "station_information.json", None, None)


def test_missing_optional_feed_is_a_warning(tmp_path: Path) -> None:
    folder = write_system(tmp_path, system30(), "3.0")
    (folder / "system_pricing_plans.json").unlink()
    s = load_gbfs(folder)
    assert s.pricing_plans == {} and len(s.vehicles) == 3
    assert any("system_pricing_plans" in w for w in s.warnings)


# ----------------------------------------------------------------------------- staleness

def test_local_folder_is_never_stale_unless_max_age_given(tmp_path: Path) -> None:
    folder = write_system(tmp_path, system23())
    s = load_gbfs(folder, now=T0 + 10**7)
    assert not s.is_stale(T0 + 10**7) and not any("stale" in w for w in s.warnings)
    strict = load_gbfs(folder, now=T0 + 10**7, max_age_s=120)
    assert not strict.is_stale(T0 + 120) and strict.is_stale(T0 + 121)
    assert any("stale" in w for w in strict.warnings)  # stale already when loaded


def test_url_source_stale_by_ttl_with_grace(tmp_path: Path) -> None:
    s = load_gbfs(write_system(tmp_path, system23()), now=T0)
    remote = GbfsSystem(**{**s.__dict__, "source": "https://example.org/gbfs.json"})
    limit = T0 + max(30, MIN_TTL_S) + STALE_GRACE_S  # ttl 30 counts as the 60 s minimum
    assert STALE_GRACE_S >= 60
    assert not remote.is_stale(limit) and remote.is_stale(limit + 1)
    long_ttl = GbfsSystem(**{**remote.__dict__, "ttl": 3600})
    assert not long_ttl.is_stale(T0 + 3600 + STALE_GRACE_S) and long_ttl.is_stale(T0 + 3601 + STALE_GRACE_S)


# ----------------------------------------------------------------------------- pricing

def test_pricing_gbfs_spec_example_per_km() -> None:
    # GBFS spec example 1: price 2; $1/km from 10 to 25 km; after 25 km $0.50/km plus $3 every 5 km.
    plan = PricingPlan("plan2", "One-Way", "USD", 2.0, per_km_pricing=(
        PricingSegment(10, 1.0, 1, 25), PricingSegment(25, 0.5, 1), PricingSegment(25, 3.0, 5)))
    assert plan.cost(30, km=0) == 2.0
    assert plan.cost(0, km=10) == 2.0  # the first 10 km are included
    assert plan.cost(0, km=10.5) == 3.0  # the 11th km has started
    assert plan.cost(0, km=25) == 17.0
    assert plan.cost(0, km=30) == 2 + 15 + 2.5 + 3
    assert plan.cost(0, km=31) == 2 + 15 + 3 + 6


def test_pricing_intervals_and_one_off_charges() -> None:
    quarter = PricingPlan("q", "Quarter hours", "RON", 1.0,
                          per_min_pricing=(PricingSegment(0, 2.0, 15),))
    assert [quarter.cost(m) for m in (0, 1, 15, 15.01, 44, 45.5)] == [1.0, 3.0, 3.0, 5.0, 7.0, 9.0]
    once = PricingPlan("o", "Late fee", "RON", 0.0,
                       per_min_pricing=(PricingSegment(0, 0.2, 1), PricingSegment(30, 5.0, 0)))
    assert once.cost(30) == 6.0 and once.cost(31) == pytest.approx(0.2 * 31 + 5) and once.cost(200) == 45.0
    both = PricingPlan("b", "Simple", "CAD", 3.0, per_min_pricing=(PricingSegment(0, 0.5, 1),),
                       per_km_pricing=(PricingSegment(0, 0.25, 1),))
    assert both.cost(10, km=4) == 3 + 5 + 1


def test_pricing_summary_rates_used_without_segments() -> None:
    plan = PricingPlan("h", "Hand-made", "RON", 2.0, per_min_rate=0.5, per_km_rate=0.1, free_minutes=10)
    assert plan.cost(5) == 2.0 and plan.cost(30, km=20) == 2.0 + 10.0 + 2.0


# ----------------------------------------------------------------------------- HTTP sources

Routes = dict[str, tuple[int, bytes]]  # the http_server fixture (tests/conftest.py) serves these


def folder_routes(folder: Path, prefix: str = "/gbfs/") -> Routes:
    return {prefix + f.name: (200, f.read_bytes()) for f in folder.glob("*.json")}


@needs_data
def test_http_source_relative_feed_urls(http_server: Callable[[Routes], str]) -> None:
    base = http_server(folder_routes(VELOTM))
    s = load_gbfs(f"{base}/gbfs/gbfs.json", now=1_795_500_000)
    assert s.source == f"{base}/gbfs/gbfs.json" and s.is_remote and s.fetched_at == 1_795_500_000
    assert len(s.stations) == 34 and s.version == "2.3"
    assert not s.is_stale(1_795_500_000 + 60 + STALE_GRACE_S)  # URL sources are judged by ttl
    assert s.is_stale(1_795_500_000 + 61 + STALE_GRACE_S)


def test_http_source_absolute_urls_and_optional_404(http_server: Callable[[Routes], str],
                                                    tmp_path: Path) -> None:
    routes: Routes = {}
    base = http_server(routes)
    feeds = system30()
    del feeds["system_pricing_plans"]  # listed, but the server answers 404: optional
    entries = [{"name": n, "url": f"{base}/feeds/{n}"} for n in [*feeds, "system_pricing_plans"]]
    routes["/gbfs.json"] = (200, json.dumps(doc({"feeds": entries}, "3.0")).encode())
    routes.update({f"/feeds/{n}": (200, json.dumps(d).encode()) for n, d in feeds.items()})
    s = load_gbfs(f"{base}/gbfs.json", now=T0 + 100)
    assert len(s.vehicles) == 3 and s.pricing_plans == {}
    assert any("404" in w and "system_pricing_plans" in w for w in s.warnings)
    assert not s.is_stale(T0 + 100) and s.is_stale(T0 + 100 + MIN_TTL_S + STALE_GRACE_S + 1)


def test_http_server_error_and_bad_json(http_server: Callable[[Routes], str]) -> None:
    base = http_server({"/gbfs.json": (500, b"boom")})
    with pytest.raises(FeedError, match=r"gbfs\.json.*HTTP 500"):
        load_gbfs(f"{base}/gbfs.json")
    routes: Routes = {}
    base = http_server(routes)
    feeds = system23()
    routes.update({f"/{n}.json": (200, json.dumps(d).encode()) for n, d in feeds.items()})
    entries = [{"name": n, "url": f"{n}.json"} for n in feeds]
    routes["/gbfs.json"] = (200, json.dumps(doc({"en": {"feeds": entries}})).encode())
    routes["/station_status.json"] = (200, b"<html>maintenance</html>")
    with pytest.raises(FeedError) as info:
        load_gbfs(f"{base}/gbfs.json")
    assert info.value.issue.file == f"{base}/station_status.json" and "invalid JSON" in str(info.value)
    routes["/station_status.json"] = (404, b"")  # a required feed may not 404
    with pytest.raises(FeedError, match=r"station_status\.json.*HTTP 404"):
        load_gbfs(f"{base}/gbfs.json")


def test_http_connection_refused_is_a_feed_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FeedError, match=r"cannot fetch"):
        load_gbfs(f"http://127.0.0.1:{port}/gbfs.json", timeout=1.0)
