"""GTFS-RT sources, the sample's real-time files, vehicle positions, bad input, HTTP and CLI bodies.

The sample network (``maas sample``: clone-only) carries three GTFS-RT files for 2026-11-24
07:55 (see :mod:`maas.feeds.sample`): tram 1 of 08:00 from Gara de Nord 4 min late, tram 1 of
08:15 late and skipping Piața Maria, the 08:08 express bus 33 cancelled, an alert on tram 1,
and two trolleybus 14 positions without trip ids (2.5 min late, 1 min early).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import socket
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from google.transit import gtfs_realtime_pb2 as pb

import maas
from maas.feeds import sample
from maas.feeds.gtfs_rt import RealtimeError, load_realtime
from maas.planner.realtime import Realtime
from maas.service import models as m

DAY = "2026-11-24"
RT_NAMES = ("trip-updates.pb", "alerts.pb", "vehicle-positions.pb")


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sample")
    sample.write_sample(d)
    return d


@pytest.fixture(scope="module")
def rt_net(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("net")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return maas.build_network([str(sample_dir / "gtfs.zip")], out=out,
                                  realtime=[str(sample_dir / "realtime" / n) for n in RT_NAMES])


def _feed(entities=(), ts: int | None = None) -> pb.FeedMessage:
    msg = pb.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = int(time.time()) if ts is None else ts
    for fill in entities:
        fill(msg.entity.add(id=f"e{len(msg.entity)}"))
    return msg


def _delay(trip_id: str, delay: int, date: str = "20261124"):
    def fill(e):
        e.trip_update.trip.trip_id = trip_id
        e.trip_update.trip.start_date = date
        u = e.trip_update.stop_time_update.add(stop_sequence=1)
        u.departure.delay = delay
    return fill


# ----------------------------------------------------------------------------- reading

def test_sample_files_parse_with_their_kinds(sample_dir):
    kinds = {n: load_realtime(sample_dir / "realtime" / n).kinds for n in RT_NAMES}
    assert kinds == {"trip-updates.pb": ("trip_updates",), "alerts.pb": ("alerts",),
                     "vehicle-positions.pb": ("vehicle_positions",)}
    tu = load_realtime(sample_dir / "realtime" / "trip-updates.pb")
    assert {t.relationship for t in tu.trip_updates} == {"SCHEDULED", "CANCELED"}
    assert any(u.relationship == "SKIPPED" for t in tu.trip_updates for u in t.stop_time_updates)


def test_build_records_sources_and_load_network_plans_on_them(rt_net, sample_dir):
    doc = json.loads((Path(rt_net.folder) / "realtime.json").read_text())
    assert doc["realtime"] == [str((sample_dir / "realtime" / n).absolute()) for n in RT_NAMES]
    net = maas.load_network(rt_net.folder)
    res = net.plan("stop:GN", "45.7537,21.2257", DAY, "08:00")
    legs = [leg for it in res["itineraries"] for leg in it["legs"] if "trip_id" in leg]
    tram = next(leg for leg in legs if leg["trip_id"] == "1-WK-0-0800")
    assert tram["realtime"] is True and tram["realtime_source"] == "trip_update" and tram["delay_s"] == 240
    assert tram["departure"] == "2026-11-24T08:04:00+02:00" and tram["scheduled_departure"] == "2026-11-24T08:00:00+02:00"
    assert [a["id"] for a in tram["alerts"]] == ["alert-tram1-works"]
    it = next(it for it in res["itineraries"] if tram in it["legs"])
    assert [a["id"] for a in it["alerts"]] == ["alert-tram1-works"]
    assert all(leg["trip_id"] != "33E-WK-0-0808" for leg in legs)      # cancelled: never used
    static = net.plan("stop:GN", "45.7537,21.2257", DAY, "08:00", realtime=False)
    s_legs = [leg for it in static["itineraries"] for leg in it["legs"] if "trip_id" in leg]
    assert any(leg["trip_id"] == "33E-WK-0-0808" for leg in s_legs)  # ... which the schedule would use
    assert all(leg["realtime"] is False and leg["delay_s"] == 0 for leg in s_legs)
    for body in (res, static):
        assert m.PlanResponse.model_validate(body).model_dump(by_alias=True, exclude_unset=True) == body


def test_rebuild_without_realtime_forgets_the_sources(sample_dir, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        maas.build_network([str(sample_dir / "gtfs.zip")], out=tmp_path,
                           realtime=[str(sample_dir / "realtime" / "alerts.pb")])
        assert (tmp_path / "realtime.json").is_file()
        net = maas.build_network([str(sample_dir / "gtfs.zip")], out=tmp_path)
    assert not (tmp_path / "realtime.json").exists() and net.realtime is None


def test_skipped_stop_no_boarding_or_alighting(rt_net):
    # tram 1 of 08:15 skips Piața Maria (PMA): nobody boards it there, nobody gets off there
    res = rt_net.plan("stop:PMA", "stop:PRO", DAY, "08:16")
    for it in res["itineraries"]:
        for leg in it["legs"]:
            assert leg.get("trip_id") != "1-WK-0-0815"
    res = rt_net.plan("stop:GN", "stop:PMA", DAY, "08:14")
    for it in res["itineraries"]:
        for leg in it["legs"]:
            if leg.get("trip_id") == "1-WK-0-0815":
                assert leg["to"]["stop_id"] != "PMA"
    dep = rt_net.departures("PMA", DAY, "08:15", limit=5)
    row = next(d for d in dep["departures"] if d["trip_id"] == "1-WK-0-0815")
    assert row["cancelled"] is True and row["expected"] is None


def test_vehicle_positions_alone_give_delays(rt_net):
    snap = rt_net.realtime.snapshot
    got = {mv.vehicle.id: (rt_net.trip_ids[mv.trip], mv.delay_s) for mv in snap.vehicles}
    assert got == {"TB-141": ("14-WK-0-0747", 150), "TB-142": ("14-WK-1-0750", -60)}
    res = rt_net.plan("stop:UVT", "stop:SJU", DAY, "07:55")
    leg = next(leg for it in res["itineraries"] for leg in it["legs"] if leg.get("trip_id") == "14-WK-0-0747")
    assert leg["realtime"] is True and leg["realtime_source"] == "vehicle_position" and leg["delay_s"] == 150


def test_vehicle_matching_on_stpt_positions_of_known_trips(stpt_network):
    """Vehicles placed where known trips are at 08:30 plus a known delay, by route only."""
    net = stpt_network
    from maas.feeds.gtfs_rt import VehiclePosition
    from maas.planner.profiles import get_profile
    from maas.realtime.overlay import StaticIndex
    from maas.realtime.vehicles import match_vehicles
    ix = StaticIndex(net.tt)
    tt = net.tt
    day = dt.date(2026, 11, 24)
    ctx = net.day_context(day, get_profile("default"))
    ref = ctx.ref
    rng = np.random.default_rng(3)
    vehicles, want = [], {}
    t_now = 8 * 3600 + 1800
    for t in rng.permutation(np.flatnonzero(ctx.trip_active[1])).tolist():
        r = int(tt.trip_route[t])
        a, b = int(tt.route_stop_ptr[r]), int(tt.route_stop_ptr[r + 1])
        p = int(tt.trip_time_ptr[t])
        delay = int(rng.integers(0, 240))
        s = t_now - delay
        dep, arr = tt.dep_time[p:p + b - a], tt.arr_time[p:p + b - a]
        k = np.flatnonzero((dep[:-1] <= s) & (arr[1:] > s))
        if not len(k):
            continue
        k = int(k[0])
        f = (s - dep[k]) / (arr[k + 1] - dep[k])
        s1, s2 = tt.route_stops[a + k], tt.route_stops[a + k + 1]
        lat = tt.stop_lat[s1] + f * (tt.stop_lat[s2] - tt.stop_lat[s1])
        lon = tt.stop_lon[s1] + f * (tt.stop_lon[s2] - tt.stop_lon[s1])
        brg = float(np.degrees(np.arctan2((tt.stop_lon[s2] - tt.stop_lon[s1]) * np.cos(np.radians(lat)),
                                          tt.stop_lat[s2] - tt.stop_lat[s1])) % 360)
        g = int(tt.route_groute[r])
        vid = f"v{len(vehicles)}"
        vehicles.append(VehiclePosition(vid, None, None, str(tt.groute_id[g]), None, None, float(lat), float(lon),
                                        brg, 8.0, None, None, None, ref + t_now))
        want[vid] = (t, delay)
        if len(vehicles) == 60:
            break
    matches = match_vehicles(ix, vehicles, ref + t_now)
    right = 0
    for mv in matches:
        t, delay = want[mv.vehicle.id]
        assert mv.trip is not None, mv.vehicle.id
        if mv.trip == t:
            right += 1
            assert abs(mv.delay_s - delay) <= 2
        else:   # another trip of the route at the same place with a schedule as close: same pattern
            assert int(tt.route_groute[int(tt.trip_route[mv.trip])]) == int(tt.route_groute[int(tt.trip_route[t])])
            assert abs(mv.delay_s) <= 240 + 60
    assert right >= 50, right


def test_stpt_live_snapshot_matches_vehicles_to_trips(stpt_network):
    """STPT's live map snapshot (positions only, no trip ids), re-dated to a weekday of the feed."""
    snap = Path(__file__).resolve().parents[2] / "shared" / "data" / "stpt-live-opentraffictm" / "vehicles" \
        / "2026-05-12T12-31-51-306Z-vehicles.json"
    if not snap.is_file():
        pytest.skip(f"shared data not available: {snap} is missing")
    from maas.feeds.gtfs_rt import VehiclePosition
    from maas.realtime.overlay import StaticIndex
    from maas.realtime.vehicles import match_vehicles
    net = stpt_network
    doc = json.loads(snap.read_text())
    shift = int((dt.datetime(2026, 11, 24) - dt.datetime(2026, 5, 12)).total_seconds()) + 3600   # EEST -> EET
    vehicles = [VehiclePosition(v["id"], None, None, f"L{v['route']}", int(v["directionId"]) if str(v.get("directionId", "")).isdigit()
                                else None, None, v["lat"], v["lng"],
                                v.get("bearing"), v.get("speed"), None, None, None, v["timestamp"] // 1000 + shift)
                for v in doc["vehicles"]]
    ix = StaticIndex(net.tt)
    matches = match_vehicles(ix, vehicles, max(v.timestamp for v in vehicles))
    known = [mv for mv in matches if mv.vehicle.route_id in ix.groute_index]
    matched = [mv for mv in known if mv.trip is not None]
    assert len(matched) >= 0.5 * len(known), (len(matched), len(known))
    tt = net.tt
    for mv in matched:      # on its own route, near the trip's stop pattern, a plausible delay
        g = int(tt.route_groute[int(tt.trip_route[mv.trip])])
        assert str(tt.groute_id[g]) == mv.vehicle.route_id
        assert mv.vehicle.direction_id is None or int(tt.trip_direction[mv.trip]) == mv.vehicle.direction_id
        r = int(tt.trip_route[mv.trip])
        s = tt.route_stops[int(tt.route_stop_ptr[r]):int(tt.route_stop_ptr[r + 1])]
        d = np.hypot((tt.stop_lat[s] - mv.vehicle.lat) * 111195,
                     (tt.stop_lon[s] - mv.vehicle.lon) * 111195 * np.cos(np.radians(45.75)))
        assert d.min() < 3000 and -600 <= mv.delay_s <= 1800
    assert len({(mv.trip, mv.day) for mv in matched}) == len(matched)        # one vehicle per trip


# ----------------------------------------------------------------------------- bad input

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _plan_messages(net, source: str) -> list[dict]:
    net.realtime = Realtime(net, [source])
    res = net.plan("stop:GN", "45.7537,21.2257", DAY, "08:00")
    assert res["itineraries"], "transit must still answer on the schedule"
    legs = [leg for it in res["itineraries"] for leg in it["legs"] if "trip_id" in leg]
    assert all(leg["realtime"] is False for leg in legs)
    return res["messages"]


@pytest.fixture
def plain_net(sample_dir, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return maas.build_network([str(sample_dir / "gtfs.zip")], out=tmp_path / "net")


def test_bad_files_are_messages_naming_the_source(plain_net, tmp_path, sample_dir):
    good = (sample_dir / "realtime" / "trip-updates.pb").read_bytes()
    empty_entity = _feed([lambda e: None])
    other = _feed([_delay("ELSEWHERE-1", 60)])
    other.entity[0].trip_update.stop_time_update[0].stop_id = "ELSEWHERE-STOP"
    cases = {
        "missing.pb": (None, "unreachable", "unavailable"),
        "junk.pb": (b"hello, this is not protobuf at all", "not_protobuf", "not a GTFS-RT protobuf"),
        "live.json": (b'{"vehicles": [{"id": "3521", "route": "1"}]}', "not_protobuf", "not a GTFS-RT protobuf"),
        "cut.pb": (good[:len(good) - 9], "truncated", "truncated"),
        "nothing.pb": (empty_entity.SerializeToString(), "wrong_kind", "no trip updates, alerts or vehicle positions"),
        "other.pb": (other.SerializeToString(), "other_agency", "another agency"),
    }
    for name, (data, reason, words) in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        if reason != "other_agency":
            with pytest.raises(RealtimeError) as exc:
                load_realtime(path)
            assert exc.value.reason == reason, name
        msgs = _plan_messages(plain_net, str(path))
        assert [mm["code"] for mm in msgs] == ["REALTIME_UNAVAILABLE"], name
        assert name in msgs[0]["text"] and words in msgs[0]["text"], msgs[0]["text"]
        assert str(tmp_path) not in msgs[0]["text"]            # a short id, never a filesystem path


def test_bad_urls_unreachable_and_stale(plain_net, http_server):
    fresh = _feed([_delay("1-WK-0-0800", 120)]).SerializeToString()
    stale = _feed([_delay("1-WK-0-0800", 120)], ts=int(time.time()) - 3 * 3600).SerializeToString()
    base = http_server({"/tu.pb": (200, fresh), "/old.pb": (200, stale), "/gone.pb": (404, b"no")})
    assert load_realtime(f"{base}/tu.pb").trip_updates[0].trip_id == "1-WK-0-0800"
    with pytest.raises(RealtimeError) as exc:
        load_realtime(f"{base}/old.pb")
    assert exc.value.reason == "stale"
    msgs = _plan_messages(plain_net, f"{base}/old.pb")
    assert [mm["code"] for mm in msgs] == ["REALTIME_STALE"] and "127.0.0.1/old.pb" in msgs[0]["text"]
    for url in (f"{base}/gone.pb", f"http://127.0.0.1:{_closed_port()}/tu.pb"):
        with pytest.raises(RealtimeError) as exc:
            load_realtime(url)
        assert exc.value.reason == "unreachable"
        msgs = _plan_messages(plain_net, url)
        assert [mm["code"] for mm in msgs] == ["REALTIME_UNAVAILABLE"] and "unreachable" in msgs[0]["text"]
    # a fresh URL plans on its delay
    plain_net.realtime = Realtime(plain_net, [f"{base}/tu.pb"])
    res = plain_net.plan("stop:GN", "45.7537,21.2257", DAY, "08:00")
    assert not res["messages"]
    assert any(leg.get("delay_s") == 120 for it in res["itineraries"] for leg in it["legs"])


def test_refresh_failure_keeps_last_good_feed(plain_net, tmp_path):
    path = tmp_path / "tu.pb"
    path.write_bytes(_feed([_delay("1-WK-0-0800", 180)]).SerializeToString())
    rt = Realtime(plain_net, [str(path)])
    plain_net.realtime = rt
    old = rt.snapshot
    path.write_bytes(b"\x0a\x05garbage-cut")
    rt.refresh()
    assert rt.snapshot is not old
    res = plain_net.plan("stop:GN", "45.7537,21.2257", DAY, "08:00")
    assert any(leg.get("delay_s") == 180 for it in res["itineraries"] for leg in it["legs"])
    assert [mm["code"] for mm in res["messages"]] == ["REALTIME_UNAVAILABLE"]
    assert "could not be refreshed" in res["messages"][0]["text"]


def test_unknown_ids_are_counted_not_fatal(plain_net, tmp_path):
    feed = _feed([_delay("1-WK-0-0800", 60), _delay("NO-SUCH-TRIP", 60), _delay("1-WK-0-0815", 60, date="20261125")])
    u = feed.entity[0].trip_update.stop_time_update.add(stop_id="NO-SUCH-STOP")
    u.arrival.delay = 1
    (tmp_path / "tu.pb").write_bytes(feed.SerializeToString())
    rt = Realtime(plain_net, [str(tmp_path / "tu.pb")])
    st = rt.snapshot.stats
    assert (st["applied"], st["unknown_trip"], st["unknown_stop"]) == (2, 1, 1)
    assert any("ignored" in line and "unknown_trip" in line for line in rt.summary_lines())


def test_swap_is_one_snapshot_per_request(plain_net, tmp_path):
    """A refresh between two requests changes the answer; within one request the view is fixed."""
    path = tmp_path / "tu.pb"
    path.write_bytes(_feed([_delay("1-WK-0-0800", 60)]).SerializeToString())
    plain_net.realtime = Realtime(plain_net, [str(path)])
    view1, snap1 = plain_net.realtime_view()
    path.write_bytes(_feed([_delay("1-WK-0-0800", 300)]).SerializeToString())
    plain_net.realtime.refresh()
    view2, snap2 = plain_net.realtime_view()
    assert view1 is not view2 and snap1.overlay is not snap2.overlay
    assert plain_net.tt is not view1.tt and plain_net.overlay is None      # the static network is untouched
    delays = []
    for view in (view1, view2):
        from maas.planner.trip import plan_trip
        res = plan_trip(view, "stop:GN", "45.7537,21.2257", DAY, "08:00", "default", ["WALK", "TRANSIT"], 6, False, 5,
                        False)
        delays.append({leg["delay_s"] for it in res["itineraries"] for leg in it["legs"]
                       if leg.get("trip_id") == "1-WK-0-0800"})
    assert delays == [{60}, {300}]


# ----------------------------------------------------------------------------- HTTP and CLI

@pytest.fixture(scope="module")
def client(rt_net):
    from fastapi.testclient import TestClient
    from maas.service.app import create_app
    app = create_app(network=rt_net, warm=False, freeze_gc=False, refresh=False)
    with TestClient(app) as c:
        yield c


def test_http_departures_body(client):
    r = client.get("/v1/stops/GN/departures", params={"date": DAY, "time": "07:58", "limit": 8})
    assert r.status_code == 200
    body = r.json()
    assert m.DeparturesResponse.model_validate(body).model_dump(exclude_unset=True) == body
    assert body["stop"]["stop_id"] == "GN" and body["stop"]["name"] == "Gara de Nord"
    assert body["stop"]["routes"] == ["1", "14", "33"]
    rows = {d["trip_id"]: d for d in body["departures"]}
    tram = rows["1-WK-0-0800"]
    assert (tram["scheduled"], tram["expected"], tram["delay_s"], tram["realtime"], tram["cancelled"]) == \
        ("2026-11-24T08:00:00+02:00", "2026-11-24T08:04:00+02:00", 240, True, False)
    assert tram["wheelchair"] == "not_accessible" and tram["route_short_name"] == "1"
    bus = rows["33E-WK-0-0808"]
    assert bus["cancelled"] is True and bus["expected"] is None and bus["scheduled"] == "2026-11-24T08:13:00+02:00"
    plain = [d for d in body["departures"] if not d["realtime"]]
    assert plain and all(d["expected"] == d["scheduled"] and d["delay_s"] == 0 for d in plain)
    exp = [d["expected"] or d["scheduled"] for d in body["departures"]]
    assert exp == sorted(exp) and len(body["departures"]) == 8
    off = client.get("/v1/stops/GN/departures", params={"date": DAY, "time": "07:58", "realtime": "false"}).json()
    assert all(not d["realtime"] and not d["cancelled"] for d in off["departures"])
    assert any(d["trip_id"] == "33E-WK-0-0808" and d["expected"] == d["scheduled"] for d in off["departures"])


def test_http_departures_bad_input(client):
    r = client.get("/v1/stops/NOPE/departures", params={"date": DAY, "time": "08:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "stop_id"]
    r = client.get("/v1/stops/GN/departures", params={"date": DAY, "time": "08:00", "limit": 0})
    assert r.status_code == 422 and "limit" in r.json()["detail"][0]["msg"]
    r = client.get("/v1/stops/GN/departures", params={"date": "2030-01-01", "time": "08:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "date"]
    r = client.get("/v1/stops/PV/departures", params={"date": DAY, "time": "08:00"})   # a parent station
    assert r.status_code == 200 and {d["stop_id"] for d in r.json()["departures"]} <= {"PV1", "PV2"}


def test_http_alerts_and_vehicles(client):
    body = client.get("/v1/alerts").json()
    assert m.AlertsResponse.model_validate(body).model_dump() == body
    (a,) = body["alerts"]
    assert (a["id"], a["effect"], a["cause"], a["header"]) == ("alert-tram1-works", "MODIFIED_SERVICE", "CONSTRUCTION",
                                                                "Tram 1: track works at Piața Maria")
    assert a["informed_entities"] == [{"route_id": "1"}]
    assert a["active_periods"] == [{"start": "2026-11-24T00:00:00+02:00", "end": "2026-11-25T00:00:00+02:00"}]
    body = client.get("/v1/transit-vehicles").json()
    assert m.TransitVehiclesResponse.model_validate(body).model_dump() == body
    got = {v["id"]: (v["trip_id"], v["route_short_name"], v["delay_s"], v["timestamp"]) for v in body["vehicles"]}
    assert got == {"TB-141": ("14-WK-0-0747", "14", 150, "2026-11-24T07:55:00+02:00"),
                   "TB-142": ("14-WK-1-0750", "14", -60, "2026-11-24T07:55:00+02:00")}


def test_http_plan_realtime_switch(client):
    p = {"from": "stop:GN", "to": "45.7537,21.2257", "date": DAY, "time": "08:00"}
    on = client.get("/v1/plan", params=p).json()
    off = client.get("/v1/plan", params={**p, "realtime": "false"}).json()
    for body in (on, off):
        assert m.PlanResponse.model_validate(body).model_dump(by_alias=True, exclude_unset=True) == body
    first = lambda b: next(leg for it in b["itineraries"] for leg in it["legs"] if "trip_id" in leg)  # noqa: E731
    assert first(on)["delay_s"] == 240 and first(on)["departure"] == "2026-11-24T08:04:00+02:00"
    assert first(off)["delay_s"] == 0 and first(off)["departure"] == "2026-11-24T08:00:00+02:00"
    assert client.get("/v1/plan", params={**p, "realtime": "maybe"}).status_code == 422
    health = client.get("/v1/health").json()
    assert any(line.startswith("real-time overlay: 5 trips updated, 1 cancelled") for line in health["realtime"])


def _cli(argv: list[str]) -> tuple[int, str, str]:
    from maas.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_cli_departures_and_plan_realtime(rt_net, tmp_path):
    rc, out, _ = _cli(["departures", rt_net.folder, "GN", "--date", DAY, "--time", "07:58", "--limit", "6"])
    assert rc == 0 and out.splitlines()[0] == "Gara de Nord (GN)"
    assert any("08:00" in line and "expected 08:04 (+4 min)" in line for line in out.splitlines())
    assert any("cancelled" in line and "expres" in line for line in out.splitlines())
    rc, out, _ = _cli(["departures", rt_net.folder, "GN", "--date", DAY, "--time", "07:58", "--json"])
    assert rc == 0 and json.loads(out) == rt_net.departures("GN", DAY, "07:58")
    rc, _, err = _cli(["departures", rt_net.folder, "NOPE", "--date", DAY, "--time", "07:58"])
    assert rc == 2 and err.count("\n") == 1 and "unknown stop" in err
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"hello, this is not protobuf at all")
    rc, out, _ = _cli(["plan", rt_net.folder, "--from", "stop:GN", "--to", "45.7537,21.2257", "--date", DAY,
                       "--time", "08:00", "--realtime", str(junk), "--json"])
    res = json.loads(out)
    assert rc == 0 and [mm["code"] for mm in res["messages"]] == ["REALTIME_UNAVAILABLE"] and res["itineraries"]
    rc, out, _ = _cli(["plan", rt_net.folder, "--from", "stop:GN", "--to", "45.7537,21.2257", "--date", DAY,
                       "--time", "08:00"])
    assert rc == 0 and "(+4 min, scheduled 08:00, live)" in out and "! Tram 1: track works" in out


def test_realtime_layers_import_only_downward():
    """feeds/gtfs_rt imports nothing of ours but errors; realtime/ never imports planner, service, scenarios."""
    import ast
    root = Path(maas.__file__).parent
    for path, allowed in ([root / "feeds" / "gtfs_rt.py", ("maas.errors",)],
                          *[[p, ("maas.errors", "maas.feeds", "maas.timetable", "maas.realtime")]
                            for p in (root / "realtime").glob("*.py")]):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            for n in names:
                if n.startswith("maas"):
                    assert n.startswith(allowed), f"{path.name} imports {n}"


def test_unchanged_sources_keep_the_snapshot(plain_net, tmp_path):
    path = tmp_path / "tu.pb"
    path.write_bytes(_feed([_delay("1-WK-0-0800", 60)]).SerializeToString())
    rt = Realtime(plain_net, [str(path)])
    snap = rt.snapshot
    assert rt.refresh() is snap                       # same bytes: nothing parsed or compiled again
    path.write_bytes(_feed([_delay("1-WK-0-0800", 90)], ts=1).SerializeToString())
    assert rt.refresh() is not snap
