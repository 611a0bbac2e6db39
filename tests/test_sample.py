"""The generated sample (maas/feeds/sample.py): deterministic, committed copy fresh, valid, plannable,
and it really contains the features it is meant to exercise."""
from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import maas
from maas.feeds import sample
from maas.feeds.gbfs import load_gbfs
from maas.feeds.gtfs import parse_time_column, read_gtfs
from maas.feeds.parking import load_parking
from maas.feeds.validate import validate_sources

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "feeds" / "timisoara"
PV = "45.7537,21.2257"       # Piața Victoriei
TUESDAY = "2026-11-24"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sample")
    sample.write_sample(d)
    return d


@pytest.fixture(scope="module")
def feed(out):
    return read_gtfs(out / "gtfs.zip")


@pytest.fixture(scope="module")
def net(out, tmp_path_factory):
    return maas.build_network([out / "gtfs.zip"], out=tmp_path_factory.mktemp("net") / "timisoara")


def _transit_legs(itinerary: dict) -> list[dict]:
    return [leg for leg in itinerary["legs"] if "trip_id" in leg]


# ----------------------------------------------------------------------------- determinism


def test_two_runs_write_identical_bytes(out, tmp_path):
    paths = sample.write_sample(tmp_path / "again")
    assert [p.relative_to(tmp_path / "again").as_posix() for p in paths] == \
        ["gtfs.zip", "gbfs/velotm", "gbfs/carshare", "park_and_ride.geojson"]
    first, second = _tree(out), _tree(tmp_path / "again")
    assert set(first) == {"gtfs.zip", "park_and_ride.geojson",
                          *(f"realtime/{n}.pb" for n in ("trip-updates", "alerts", "vehicle-positions")),
                          *(f"gbfs/velotm/{n}.json" for n in ("gbfs", "system_information", "station_information",
                                                               "station_status")),
                          *(f"gbfs/carshare/{n}.json" for n in ("gbfs", "system_information", "vehicle_types",
                                                                 "vehicle_status", "system_pricing_plans"))}
    assert first == second


def test_zip_members_have_fixed_metadata(out):
    with zipfile.ZipFile(out / "gtfs.zip") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {sample.ZIP_DATE}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}


def test_committed_copy_equals_fresh_generation(out):
    assert COMMITTED.is_dir(), "feeds/timisoara is missing: run `maas sample feeds/timisoara`"
    committed, fresh = _tree(COMMITTED), _tree(out)
    stale = sorted(k for k in fresh if committed.get(k) != fresh[k])
    extra = sorted(set(committed) - set(fresh))
    assert not stale and not extra, (f"feeds/timisoara is stale (differs: {stale}, not generated: {extra}); "
                                     "regenerate it with `maas sample feeds/timisoara`")


def test_rewriting_keeps_unchanged_files_untouched(tmp_path):
    sample.write_sample(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    sample.write_sample(tmp_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before


# ----------------------------------------------------------------------------- contents


def test_feed_validates_without_errors(out):
    lines, n_err, n_warn = validate_sources([str(out / "gtfs.zip")])
    assert n_err == 0, lines
    text = "\n".join(lines)
    assert "trip '33E-WK-0-0708' overtakes trip '33-WK-0-0703'" in text
    assert "field wheelchair_accessible" in text and "field wheelchair_boarding" in text
    assert n_warn == len(lines)


def test_feed_has_the_features_it_exercises(feed):
    assert feed.report.errors == []
    assert feed.timezone == "Europe/Bucharest"
    boardable = feed.stops[feed.stops["location_type"] == 0]
    assert 30 <= len(boardable) <= 60
    assert 300 <= len(feed.trips) <= 1000
    assert set(feed.routes["route_type"].astype(int)) == {0, 11, 800, 3, 700}
    # both directions of every route, each with a shape that exists
    assert (feed.trips.groupby("route_id")["direction_id"].nunique() == 2).all()
    assert set(feed.trips["shape_id"]) <= set(feed.shapes["shape_id"])
    # calendars and exceptions: weekday service off and weekend service on for the national day
    assert set(feed.calendar["service_id"]) == {"WK", "WE"}
    cd = {(r.service_id, r.date.strftime("%Y%m%d")): r.exception_type for r in feed.calendar_dates.itertuples()}
    assert cd[("WK", "20261201")] == 2 and cd[("WE", "20261201")] == 1
    # trips past midnight
    late = feed.stop_times[feed.stop_times["departure_time"] >= 24 * 3600]
    assert {"1-WK-0-2420", "1-WK-0-2350", "33-WK-0-2440"} <= set(late["trip_id"])
    # first stops: no alighting; last stops: no boarding
    st = feed.stop_times
    first = ~st["trip_id"].duplicated(keep="first")
    last = ~st["trip_id"].duplicated(keep="last")
    assert (st.loc[first, "drop_off_type"] == 1).all() and (st.loc[last, "pickup_type"] == 1).all()
    assert (st.loc[~first & ~last, ["pickup_type", "drop_off_type"]] == 0).all().all()
    # accessibility: 2 and 0 on stops and trips; platforms inherit from their station
    wb = feed.stops.set_index("stop_id")["wheelchair_boarding"]
    assert wb["SCF"] == 2 and wb["PTR"] == 0 and wb["PV"] == 1
    assert wb["PV1"] == 1 and wb["PV2"] == 1
    assert set(feed.stops.set_index("stop_id").loc[["PV1", "PV2"], "parent_station"]) == {"PV"}
    assert {0, 1, 2} <= set(feed.trips["wheelchair_accessible"].astype(int))
    # frequencies, transfers
    assert set(feed.frequencies["trip_id"]) == {"46-WK-0", "46-WK-1", "46-WE-0", "46-WE-1"}
    assert (feed.transfers["min_transfer_time"] > 0).all() and len(feed.transfers) >= 2


def test_express_trips_overtake_on_the_same_stops(feed):
    st = feed.stop_times
    reg = st[st["trip_id"] == "33-WK-0-0703"]
    exp = st[st["trip_id"] == "33E-WK-0-0708"]
    assert list(reg["stop_id"]) == list(exp["stop_id"])
    assert exp["departure_time"].iloc[0] > reg["departure_time"].iloc[0]
    assert exp["arrival_time"].iloc[-1] < reg["arrival_time"].iloc[-1]


def test_times_are_well_formed(out):
    with zipfile.ZipFile(out / "gtfs.zip") as zf:
        text = zf.read("stop_times.txt").decode()
    df = pd.read_csv(io.StringIO(text), dtype=str)
    for col in ("arrival_time", "departure_time"):
        assert (parse_time_column(df[col]) >= 0).all()


def test_gbfs_and_parking_samples(out):
    bikes = load_gbfs(out / "gbfs" / "velotm")
    assert bikes.version == "2.3" and len(bikes.stations) == 8 and not bikes.warnings
    assert bikes.last_updated == sample.LAST_UPDATED and bikes.ttl == sample.TTL
    by_id = {s.station_id: s for s in bikes.stations}
    empty = [s for s in bikes.stations if s.num_bikes_available == 0]
    full = [s for s in bikes.stations if s.num_docks_available == 0]
    assert [s.station_id for s in empty] == ["velotm-02"] and not by_id["velotm-02"].can_rent()
    assert [s.station_id for s in full] == ["velotm-03"] and not by_id["velotm-03"].can_return()
    assert [s.station_id for s in bikes.stations if not s.is_renting] == ["velotm-04"]
    assert by_id["velotm-04"].num_bikes_available > 0 and not by_id["velotm-04"].can_rent()
    assert sum(s.can_rent() for s in bikes.stations) == 6

    cars = load_gbfs(out / "gbfs" / "carshare")
    assert cars.version == "3.0" and len(cars.vehicles) == 8 and not cars.warnings
    assert cars.last_updated == sample.LAST_UPDATED  # RFC 3339 in 3.0, same instant
    assert [v.vehicle_id for v in cars.vehicles if v.is_reserved] == ["car-03"]
    assert [v.vehicle_id for v in cars.vehicles if v.is_disabled] == ["car-05"]
    assert {v.form_factor for v in cars.vehicles} == {"car"}
    assert cars.pricing_plans["per-minute"].cost(10) == pytest.approx(2 + 15)

    lots = load_parking(out / "park_and_ride.geojson")
    assert len(lots) == 3
    assert [lot.id for lot in lots if lot.spaces_available is None] == ["pr-3"]
    for lot in lots:   # at the edges: at least 3 km from Piața Victoriei
        dy = (lot.lat - 45.7537) * 111_195
        dx = (lot.lon - 21.2257) * 111_195 * math.cos(math.radians(45.75))
        assert math.hypot(dx, dy) > 3000, lot


# ----------------------------------------------------------------------------- build and plan


def test_builds_and_splits_the_overtaking_pattern(net):
    tt = net.tt
    assert tt.n_stops == 34                        # the parent station is not a boarding point
    assert tt.meta["overtaking_splits"] >= 1
    assert tt.n_routes == 2 * 6 + tt.meta["overtaking_splits"]
    # frequencies expanded into concrete trips
    assert any(str(t).startswith("46-WK-0@") for t in tt.trip_id)


def test_demo_trip_gara_de_nord_to_piata_victoriei(net):
    res = net.plan("stop:GN", PV, TUESDAY, "08:00")
    its = res["itineraries"]
    assert its, res["messages"]
    first = its[0]
    assert first["departure"].startswith(f"{TUESDAY}T08:") and first["departure"].endswith("+02:00")
    legs = _transit_legs(first)
    assert legs and legs[0]["from"]["stop_id"] == "GN"
    assert legs[-1]["to"]["stop_id"] in {"PV1", "PV2", "CAT"}
    assert all("-WK-" in leg["trip_id"] for it in its for leg in _transit_legs(it))


def test_after_midnight_query_finds_the_past_24h_trip(net):
    # Wednesday 00:10: the only tram is Tuesday's 24:20 run
    res = net.plan("stop:GN", "stop:PRO", "2026-11-25", "00:10")
    first = res["itineraries"][0]
    assert first["departure"] == "2026-11-25T00:20:00+02:00"
    assert [leg["trip_id"] for leg in _transit_legs(first)] == ["1-WK-0-2420"]


def test_trip_spanning_midnight(net):
    res = net.plan("stop:GN", "stop:PRO", TUESDAY, "23:45")
    first = res["itineraries"][0]
    assert [leg["trip_id"] for leg in _transit_legs(first)] == ["1-WK-0-2350"]
    assert first["arrival"].startswith("2026-11-25T00:")


def test_national_day_runs_the_weekend_timetable(net):
    res = net.plan("stop:GN", PV, "2026-12-01", "08:00")    # a Tuesday, 1 December
    ids = [leg["trip_id"] for it in res["itineraries"] for leg in _transit_legs(it)]
    assert ids and all("-WE-" in t for t in ids), ids
    sat = net.plan("stop:GN", PV, "2026-11-28", "08:00")
    assert all("-WE-" in leg["trip_id"] for it in sat["itineraries"] for leg in _transit_legs(it))


def test_express_trip_is_used_when_it_arrives_first(net):
    res = net.plan("stop:CTO", "stop:CMR", TUESDAY, "07:05")
    first = res["itineraries"][0]
    assert [leg["trip_id"] for leg in _transit_legs(first)] == ["33E-WK-0-0708"]
    assert first["arrival"] == f"{TUESDAY}T07:25:00+02:00"


def test_frequency_line(net):
    res = net.plan("stop:PU", "stop:DUM", TUESDAY, "08:01")
    legs = _transit_legs(res["itineraries"][0])
    assert [leg["trip_id"] for leg in legs] == ["46-WK-0@08:10:00"]
    assert legs[0]["departure"] == f"{TUESDAY}T08:10:00+02:00"
    assert legs[0]["mode"] == "BUS"


def test_wheelchair_profile_avoids_inaccessible_trips(net):
    res = net.plan("stop:GN", PV, TUESDAY, "08:00", profile="wheelchair")
    legs = [leg for it in res["itineraries"] for leg in _transit_legs(it)]
    assert legs
    assert all(leg["wheelchair"] != "not_accessible" for leg in legs)
    default = net.plan("stop:GN", PV, TUESDAY, "08:00")
    assert any(leg["wheelchair"] == "not_accessible" for it in default["itineraries"] for leg in _transit_legs(it))
