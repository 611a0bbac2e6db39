"""Scenarios: file validation, edits, matrices (range RAPTOR percentiles), Dask, CLI and the issue's bars.

The bars run on the STPT sample (2026-11-24, a Tuesday) with small windows and the stops of the
lines involved, to stay fast; they are skipped with a reason when /work/shared is absent.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from maas.cli import main as cli_main
from maas.router.egress import place_times
from maas.router.raptor import INF
from maas.scenarios import (ScenarioError, apply_edits, build_scenario_network, load_scenario, parse_scenario,
                            run_scenario)
from maas.scenarios import matrix as mx
from maas.scenarios.distributed import Runner
from maas.scenarios.places import build_places

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stpt-timisoara-synth"
GTFS = DATA / "stpt-timisoara-gtfs.zip"
EXAMPLES = Path(__file__).resolve().parents[1] / "feeds" / "scenarios"
needs_stpt = pytest.mark.skipif(not GTFS.is_file(), reason=f"STPT sample feed not found: {GTFS}")
DATE = "2026-11-24"


# --------------------------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture(scope="module")
def stpt(tmp_path_factory):
    if not GTFS.is_file():
        pytest.skip(f"STPT sample feed not found: {GTFS}")
    from maas.build import build_network
    out = tmp_path_factory.mktemp("stpt-net")
    build_network([str(GTFS)], out=out)
    from maas.build import load_network
    return load_network(out)


def route_stop_ids(net, short_name: str) -> list[str]:
    """Stop ids served by the route with this short name (both directions)."""
    tt = net.tt
    g = {i for i, s in enumerate(tt.groute_short_name) if str(s) == short_name}
    ids: set[str] = set()
    for r in range(tt.n_routes):
        if int(tt.route_groute[r]) in g:
            ids |= {str(tt.stop_id[s]) for s in tt.route_stops[tt.route_stop_ptr[r]:tt.route_stop_ptr[r + 1]]}
    return sorted(ids)


def spec_dict(edits, places, start="07:00", end="07:10", **kw) -> dict:
    d = {"name": kw.pop("name", "test"), "date": DATE, "window": {"start": start, "end": end},
         "places": places, "edits": edits}
    d.update(kw)
    return d


def dense_p(res, which: str) -> np.ndarray:
    return res.baseline if which == "baseline" else res.scenario


# --------------------------------------------------------------------------------------------
# file parsing (no network needed)


def test_parse_minimal_and_unquoted_times(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(textwrap.dedent("""
        name: t
        date: 2026-11-24
        window: {start: 07:00, end: 08:00}
        edits:
          - {type: adjust-frequency, route: 14, headways: [{start: 07:00, end: 09:00, minutes: 4}]}
    """))
    spec = load_scenario(f)
    assert spec.window.start == 7 * 3600 and spec.window.end == 8 * 3600
    assert spec.n_departures == 60
    assert spec.edits[0].route == "14" and spec.edits[0].headways[0].seconds == 240
    assert spec.places.kind == "stops" and spec.modes == ["WALK", "TRANSIT"] and spec.sha256


@pytest.mark.parametrize("edit, field, words", [
    ({"type": "remove-rout", "route": "1"}, "field type", ["edits[0]", "unknown edit type", "remove-route"]),
    ({"type": "remove-trips", "route": "8", "start": "14:00", "end": "10:00"}, "field end",
     ["edits[0] (remove-trips)", "bad time band 14:00-10:00"]),
    ({"type": "adjust-frequency", "route": "14", "headways": [{"start": "7am", "end": "09:00", "minutes": 5}]},
     "field headways[0].start", ["edits[0] (adjust-frequency)", "invalid time"]),
    ({"type": "adjust-frequency", "route": "14", "headways": [{"start": "07:00", "end": "09:00", "minutes": 5},
                                                              {"start": "08:00", "end": "10:00", "minutes": 5}]},
     "field headways[1].start", ["overlaps"]),
    ({"type": "adjust-speed", "route": "33", "factor": 0}, "field factor", ["must be > 0"]),
    ({"type": "add-route", "name": "X", "stops": ["stop:74"], "speed_kmh": 20,
      "headways": [{"start": "07:00", "end": "08:00", "minutes": 10}]}, "field stops", ["at least 2"]),
    ({"type": "add-route", "name": "X", "stops": ["stop:74", "45.75"], "speed_kmh": 20,
      "headways": [{"start": "07:00", "end": "08:00", "minutes": 10}]}, "field stops[1]", ["cannot parse"]),
    ({"type": "remove-route", "route": "1", "colour": "red"}, "field colour", ["unknown field"]),
])
def test_parse_errors_name_edit_and_field(edit, field, words):
    with pytest.raises(ScenarioError) as ei:
        parse_scenario(spec_dict([edit], "stops"), source="bad.yaml")
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith("bad.yaml: ")
    assert field in msg, msg
    for w in words:
        assert w in msg, msg


def test_parse_zones_csv_errors(tmp_path):
    (tmp_path / "z.csv").write_text("id,lat,lon,weight\na,45.75,21.22,100\nb,45.76,oops,5\n")
    with pytest.raises(ScenarioError, match=r"field places.csv: z.csv row 2 field lon"):
        parse_scenario(spec_dict([], {"csv": "z.csv"}), base_dir=tmp_path)


def test_percentile_ranks_and_reduce():
    # nearest rank (R5): ceil(p/100 n)-th smallest
    assert mx.percentile_ranks(60) == [14, 29, 44]
    assert mx.percentile_ranks(10) == [2, 4, 7]
    assert mx.percentile_ranks(1) == [0, 0, 0]
    p = mx.MatrixProblem(kernel=(), departures=np.zeros(4, np.int32), max_trips=1, max_duration=1000,
                         acc_ptr=None, acc_stop=None, acc_dur=None, egr_ptr=None, egr_stop=None, egr_dur=None,
                         walk_ptr=None, walk_dest=None, walk_dur=None, n_places=3)
    times = np.array([[[400, 100, 300, 200],          # -> p25 100, p50 200, p75 300
                       [100, INF, INF, INF],          # -> p50 INF: absent
                       [50, 60, INF, 900]]], np.int32)  # -> p50 60, p75 900
    r = mx.reduce_times(p, np.array([7], np.int32), times)
    assert r["origin"].tolist() == [7, 7] and r["destination"].tolist() == [0, 2]
    assert r["p"].tolist() == [[100, 200, 300], [50, 60, 900]]


# --------------------------------------------------------------------------------------------
# against the STPT network


@needs_stpt
def test_examples_are_valid(stpt):
    from maas.scenarios.spec import check_against_network
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert len(files) >= 5
    for f in files:
        spec = load_scenario(f)
        check_against_network(spec, stpt)


def _write(tmp_path, edits, places="stops", name="bad.yaml") -> Path:
    f = tmp_path / name
    f.write_text(json.dumps(spec_dict(edits, places)) if name.endswith(".json") else
                 __import__("yaml").safe_dump(spec_dict(edits, places)))
    return f


@needs_stpt
@pytest.mark.parametrize("edits, expect", [
    ([{"type": "remove-route", "route": "99"}], ["edits[0] (remove-route)", "field route", "unknown route '99'"]),
    ([{"type": "remove-route", "route": "1"}, {"type": "teleport", "route": "2"}],
     ["edits[1]", "field type", "unknown edit type 'teleport'"]),
    ([{"type": "remove-trips", "route": "8", "start": "14:00", "end": "10:00"}],
     ["edits[0] (remove-trips)", "field end", "bad time band"]),
    ([{"type": "adjust-frequency", "route": "14", "headways": [{"start": "07:00", "end": "25:61", "minutes": 5}]}],
     ["edits[0] (adjust-frequency)", "field headways[0].end", "invalid time"]),
    ([{"type": "remove-stops", "stops": ["stop:85", "stop:nope"]}], ["edits[0] (remove-stops)", "field stops[1]", "unknown stop"]),
    ([{"type": "add-route", "name": "E9", "stops": ["stop:74", "21.2257,45.7537"], "speed_kmh": 20,
       "headways": [{"start": "07:00", "end": "08:00", "minutes": 10}]}], ["edits[0] (add-route)", "field stops[1]", "km from the network"]),
    ([{"type": "remove-route", "route": "14"},
      {"type": "adjust-frequency", "route": "14", "headways": [{"start": "07:00", "end": "09:00", "minutes": 5}]}],
     ["edits[1] (adjust-frequency)", "field route", "removed by edits[0]"]),
    ([{"type": "adjust-frequency", "route": "V1", "headways": [{"start": "07:00", "end": "09:00", "minutes": 5}]}],
     ["edits[0] (adjust-frequency)", "field route", "no trips on 2026-11-24"]),
    ([{"type": "add-route", "name": "33", "stops": ["stop:74", "stop:92"], "speed_kmh": 20,
       "headways": [{"start": "07:00", "end": "08:00", "minutes": 10}]}], ["field name", "already exists"]),
])
def test_cli_refuses_malformed_scenarios(stpt, tmp_path, capsys, edits, expect):
    f = _write(tmp_path, edits)
    out = tmp_path / "out"
    rc = cli_main(["scenario", "run", str(f), "--network", stpt.folder, "-o", str(out), "--workers", "0"])
    err = capsys.readouterr().err
    assert rc == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    for w in expect:
        assert w in lines[0], lines[0]
    assert "Traceback" not in err
    assert not out.exists()          # refused before any work started


@needs_stpt
def test_cli_bad_date_and_missing_network(stpt, tmp_path, capsys):
    d = spec_dict([], "stops")
    d["date"] = "2030-01-01"
    f = tmp_path / "d.json"
    f.write_text(json.dumps(d))
    assert cli_main(["scenario", "run", str(f), "--network", stpt.folder, "-o", str(tmp_path / "o"), "--workers", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "field date" in err and "outside the feed's service period" in err and len(err.splitlines()) == 1
    assert cli_main(["scenario", "run", str(f), "--network", str(tmp_path / "none"), "-o", str(tmp_path / "o")]) == 2
    assert "no such network folder" in capsys.readouterr().err


@needs_stpt
def test_edits_make_new_feeds_and_leave_base_untouched(stpt):
    from maas.scenarios.runner import base_feeds
    feeds = base_feeds(stpt)
    snap = {n: getattr(feeds[0], n).copy(deep=True) for n in ("stops", "routes", "trips", "stop_times", "calendar")}
    spec = parse_scenario(spec_dict([
        {"type": "remove-route", "route": "1"},
        {"type": "adjust-frequency", "route": "14", "headways": [{"start": "07:00", "end": "09:00", "minutes": 4}]},
        {"type": "remove-trips", "route": "8", "start": "10:00", "end": "14:00"},
        {"type": "add-route", "name": "E9", "mode": "TROLLEYBUS", "stops": ["stop:74", "45.7537,21.2257", "stop:152"],
         "speed_kmh": 18, "dwell_s": 30, "headways": [{"start": "06:00", "end": "07:00", "minutes": 15}],
         "wheelchair_accessible": False},
        {"type": "remove-stops", "stops": ["stop:85"]},
        {"type": "adjust-speed", "route": "33", "factor": 2.0},
        {"type": "add-park-and-ride", "id": "pr-x", "name": "P+R X", "lat": 45.70, "lon": 21.24, "capacity": 300},
    ], "stops"))
    new, log = apply_edits(feeds, spec)
    for n, df in snap.items():
        pd.testing.assert_frame_equal(getattr(feeds[0], n), df)
    f, b = new[0], feeds[0]
    assert f is not b and f.digest != b.digest
    # remove-route
    assert not (f.trips["route_id"] == "L1").any() and log[0]["trips_removed"] == (b.trips["route_id"] == "L1").sum()
    # remove-trips: no trip of 8 starts 10:00-14:00 any more, others kept
    fd = f.stop_times.groupby("trip_id")["departure_time"].min()
    t8 = f.trips.loc[f.trips["route_id"] == "L8", "trip_id"].map(fd)
    assert not ((t8 >= 36000) & (t8 < 50400)).any() and (t8 < 36000).any()
    # adjust-frequency: every 4 min per direction in the band, and all old weekday departures kept
    t14 = f.trips[(f.trips["route_id"] == "L14") & (f.trips["service_id"] == "WK")].copy()
    t14["fd"] = t14["trip_id"].map(fd)
    for d, g in t14[(t14["fd"] >= 25200) & (t14["fd"] < 32400)].groupby("direction_id"):
        assert set(np.diff(np.sort(g["fd"].to_numpy()))) == {240.0}
        old = b.trips[(b.trips["route_id"] == "L14") & (b.trips["service_id"] == "WK") & (b.trips["direction_id"] == d)]
        ofd = old["trip_id"].map(b.stop_times.groupby("trip_id")["departure_time"].min())
        assert set(ofd[(ofd >= 25200) & (ofd < 32400)]) <= set(g["fd"])
    # add-route: a new stop, trolleybus type, both directions, run time from speed and dwell
    assert log[3]["new_stops"] and (f.stops["stop_id"] == log[3]["new_stops"][0]).sum() == 1
    rid = log[3]["route_id"]
    assert f.routes.set_index("route_id").loc[rid, "route_type"] == 11
    new_trips = f.trips[f.trips["route_id"] == rid]
    assert len(new_trips) == 8 and set(new_trips["direction_id"]) == {"0", "1"}
    assert set(new_trips["wheelchair_accessible"]) == {2.0}
    st = f.stop_times[f.stop_times["trip_id"] == new_trips["trip_id"].iloc[0]].sort_values("stop_sequence")
    assert st["departure_time"].iloc[0] == 6 * 3600 and st["stop_id"].iloc[0] == "74"
    assert st["departure_time"].iloc[1] - st["arrival_time"].iloc[1] == 30
    # remove-stops: nobody calls at 85
    assert not (f.stop_times["stop_id"] == "85").any() and "85" in set(f.stops["stop_id"])
    # adjust-speed: hops halved, first departure and dwell kept
    t33 = b.trips.loc[b.trips["route_id"] == "L33", "trip_id"].iloc[0]
    o = b.stop_times[b.stop_times["trip_id"] == t33].sort_values("stop_sequence")
    n = f.stop_times[f.stop_times["trip_id"] == t33].sort_values("stop_sequence")
    assert n["departure_time"].iloc[0] == o["departure_time"].iloc[0]
    assert abs((n["arrival_time"].iloc[-1] - n["departure_time"].iloc[0])
               - (o["arrival_time"].iloc[-1] - o["departure_time"].iloc[0]) / 2) <= len(o)
    assert "mobility layer" in log[6]["summary"]
    # the edited feeds compile
    from maas.timetable.compile import compile_feeds
    tt = compile_feeds(new)
    assert tt.n_stops == stpt.tt.n_stops + 1


@needs_stpt
def test_bar_removing_tram_1(stpt):
    """Removing tram 1: the median between its stops gets longer; no pair gets faster."""
    stops = route_stop_ids(stpt, "1")
    assert len(stops) >= 30
    spec = parse_scenario(spec_dict([{"type": "remove-route", "route": "1"}], {"stops": stops}))
    res = run_scenario(spec, stpt, workers=0, progress=False)
    b, s = res.baseline, res.scenario
    off = ~np.eye(len(stops), dtype=bool)
    b50 = b[1][off].astype(np.float64)
    s50 = s[1][off].astype(np.float64)
    b50[b50 >= INF] = np.inf
    s50[s50 >= INF] = np.inf
    assert np.median(s50) > np.median(b50), (np.median(b50), np.median(s50))
    for k in range(3):     # each percentile, absent pairs counting as infinite
        assert (s[k] >= b[k]).all(), f"percentile {mx.PERCENTILES[k]}: a pair got faster"
    assert res.overall["pairs_faster"] == 0 and res.overall["pairs_gained"] == 0
    assert res.overall["pairs_slower"] > 0
    assert (res.differences["mean_change_s"].fillna(0) >= 0).all()
    acc = res.accessibility
    assert (acc["change_places"] <= 0).all() and (acc["change_places"] < 0).any()


@needs_stpt
def test_bar_doubling_frequency_never_slower(stpt):
    """Trolleybus 14 every 4 min instead of 8 in 07:00-09:00: no pair gets slower."""
    stops = sorted(set(route_stop_ids(stpt, "14")) | set(route_stop_ids(stpt, "1")))
    spec = parse_scenario(spec_dict([{"type": "adjust-frequency", "route": "14",
                                      "headways": [{"start": "07:00", "end": "09:00", "minutes": 4}]}],
                                    {"stops": stops}, start="07:00", end="07:15"))
    res = run_scenario(spec, stpt, workers=0, progress=False)
    for k in range(3):
        assert (res.scenario[k] <= res.baseline[k]).all(), f"percentile {mx.PERCENTILES[k]}: a pair got slower"
    assert res.overall["pairs_slower"] == 0 and res.overall["pairs_lost"] == 0
    assert res.overall["pairs_faster"] > 0


@needs_stpt
def test_bar_added_line_used_by_planner(stpt):
    """A new express line to an area without service appears in the planner's itineraries."""
    spec = parse_scenario(spec_dict([{
        "type": "add-route", "name": "E9", "mode": "BUS",
        "stops": ["stop:74", "stop:92", {"lat": 45.79, "lon": 21.26, "name": "Dumbrăvița Nord"}],
        "speed_kmh": 24, "headways": [{"start": "06:00", "end": "22:00", "minutes": 10}]}], "stops"))
    scen, log = build_scenario_network(spec, stpt)
    assert scen is not stpt and scen.tt.n_stops == stpt.tt.n_stops + 1
    res = scen.plan("stop:74", "45.79,21.26", DATE, "07:00")
    legs = [leg for it in res["itineraries"] for leg in it["legs"]]
    assert any(leg.get("route_short_name") == "E9" for leg in legs), res
    e9 = next(leg for leg in legs if leg.get("route_short_name") == "E9")
    assert e9["mode"] == "BUS" and e9["to"]["stop_id"] == log[0]["new_stops"][0]
    # the base network does not know the line
    base = stpt.plan("stop:74", "45.79,21.26", DATE, "07:00")
    assert not any(leg.get("route_short_name") == "E9" for it in base["itineraries"] for leg in it["legs"])


@needs_stpt
def test_results_identical_in_process_and_on_dask(stpt):
    stops = route_stop_ids(stpt, "1")[:24]
    spec = parse_scenario(spec_dict([], {"stops": stops}, start="07:00", end="07:08"))
    places = build_places(spec, stpt)
    problem = mx.build_problem(stpt, places, spec, label="t")
    with Runner(0) as r:
        ref = r.solve(problem)
    with Runner(0, origins_per_task=5, minutes_per_task=3) as r:   # split by origins and departure minutes
        assert np.array_equal(r.solve(problem), ref)
    with Runner(2, origins_per_task=7, minutes_per_task=3) as r:
        assert np.array_equal(r.solve(problem), ref)
        assert r.describe()["dask_workers"] == 2
    assert (ref[1] < INF).sum() > len(stops) * (len(stops) - 1) // 2


@needs_stpt
def test_cli_run_writes_outputs(stpt, tmp_path, capsys):
    stops = route_stop_ids(stpt, "2")[:20]
    d = spec_dict([{"type": "remove-route", "route": "2"},
                   {"type": "add-park-and-ride", "id": "pr-x", "name": "P+R X", "lat": 45.70, "lon": 21.24, "capacity": 300}],
                  {"stops": stops}, start="07:00", end="07:05", name="cut-2")
    f = tmp_path / "cut-2.json"
    f.write_text(json.dumps(d))
    out = tmp_path / "out"
    rc = cli_main(["scenario", "run", str(f), "--network", stpt.folder, "-o", str(out), "--workers", "0"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "cut-2" in captured.out
    for name in ("baseline_matrix", "scenario_matrix", "accessibility", "differences"):
        assert (out / f"{name}.parquet").is_file() and (out / f"{name}.csv").is_file()
    for name in ("report.html", "summary.json", "map_travel_time_change.png", "map_accessibility_change.png",
                 "hist_travel_time_change.png", "hist_accessibility_change.png"):
        assert (out / name).is_file(), name
    m = pd.read_parquet(out / "baseline_matrix.parquet")
    assert list(m.columns) == ["origin", "destination", "p25", "p50", "p75"]
    assert (m["p25"] <= m["p50"]).all() and (m["p50"] <= 120 * 60).all()
    assert set(m["origin"]) <= set(stops)
    s = json.loads((out / "summary.json").read_text())
    import maas
    assert s["versions"]["maas"] == maas.__version__
    assert s["inputs"]["scenario_sha256"] and s["inputs"]["network_digest"] == stpt.tt.meta["digest"]
    assert s["scenario"]["edits"][0]["route"] == "2" and len(s["edits"]) == 2
    assert any("PARK_RIDE" in n for n in s["notes"])
    html = (out / "report.html").read_text()
    assert "map_travel_time_change.png" in html and "summary.json" in html


@needs_stpt
def test_grid_and_weighted_zones(stpt, tmp_path):
    spec = parse_scenario(spec_dict([], {"grid_m": 2000}, start="07:00", end="07:03"))
    places = build_places(spec, stpt)
    assert 10 < len(places) < 2000 and all(i.startswith("r") for i in places.ids)
    (tmp_path / "z.csv").write_text("id,lat,lon,weight\ncentru,45.7537,21.2257,1000\n"
                                    "iosefin,45.7470,21.2070,3000\nfar,45.5,20.5,50\n")
    spec = parse_scenario(spec_dict([{"type": "remove-route", "route": "1"}], {"csv": "z.csv"},
                                    start="07:00", end="07:05", thresholds_minutes=[30]), base_dir=tmp_path)
    res = run_scenario(spec, stpt, workers=0, progress=False)
    acc = res.accessibility.set_index("place")
    # centru reaches itself and iosefin within 30 min; "far" (no stop within walking reach) only itself
    assert acc.loc["centru", "baseline_weight"] == 4000 and acc.loc["centru", "baseline_places"] == 2
    assert acc.loc["far", "baseline_places"] == 1 and acc.loc["far", "baseline_weight"] == 50
    m = res.baseline_matrix
    assert ((m["origin"] == "far") & (m["destination"] != "far")).sum() == 0


@needs_stpt
def test_park_and_ride_mode_uses_new_lot(stpt):
    # a place far from any stop (1.3 km) gains transit access through a new P+R lot next to a stop
    spec_base = spec_dict([{"type": "add-park-and-ride", "id": "pr-t", "name": "P+R T", "lat": 45.7537,
                            "lon": 21.2257, "capacity": 100}], {"grid_m": 1500}, start="07:00", end="07:03",
                          modes=["WALK", "TRANSIT", "PARK_RIDE"])
    res = run_scenario(parse_scenario(spec_base), stpt, workers=0, progress=False)
    assert res.overall["pairs_gained"] > 0 and res.overall["pairs_lost"] == 0 and res.overall["pairs_slower"] == 0
    same = run_scenario(parse_scenario(dict(spec_base, modes=["WALK", "TRANSIT"])), stpt, workers=0, progress=False)
    assert same.overall["pairs_gained"] == same.overall["pairs_faster"] == 0
    # without PARK_RIDE the lot is recorded, and the summary says it changes nothing
    assert ("Park & ride / bike-station edits are recorded but change nothing with modes WALK,TRANSIT; "
            "add PARK_RIDE or BIKE_SHARE to use them.") in same.summary["notes"]


@needs_stpt
def test_wheelchair_profile_is_never_faster(stpt):
    """Profiles as in the planner: the wheelchair profile (slower walk, accessible trips and stops
    only, more transfer slack) never beats the default profile on the same network."""
    stops = route_stop_ids(stpt, "1")[:16] + route_stop_ids(stpt, "33")[:8]
    res = {}
    for prof in ("default", "wheelchair"):
        spec = parse_scenario(spec_dict([], {"stops": stops}, start="07:00", end="07:06", profile=prof))
        places = build_places(spec, stpt)
        with Runner(0) as r:
            res[prof] = r.solve(mx.build_problem(stpt, places, spec))
    assert (res["wheelchair"][1] >= res["default"][1]).all()
    assert (res["wheelchair"][1] > res["default"][1]).any()


@needs_stpt
def test_bike_share_mode_uses_new_stations(stpt, tmp_path):
    # a zone 1.3 km from any stop: a new station beside it and one beside Piața Libertății (stop 92)
    (tmp_path / "z.csv").write_text("id,lat,lon\nnorth,45.79,21.26\ncentre,45.7537,21.2257\n")
    tt = stpt.tt
    i92 = stpt.stop_lookup["92"]
    lat92, lon92 = float(tt.stop_lat[i92]), float(tt.stop_lon[i92])
    d = spec_dict([{"type": "add-bike-stations", "stations": [
        {"id": "b-north", "name": "North", "lat": 45.7902, "lon": 21.2601, "capacity": 10, "bikes": 5},
        {"id": "b-92", "name": "Libertății", "lat": lat92 + 0.0005, "lon": lon92, "capacity": 10, "bikes": 2}]}],
        {"csv": "z.csv"}, start="07:00", end="07:05", modes=["WALK", "TRANSIT", "BIKE_SHARE"])
    res = run_scenario(parse_scenario(d, base_dir=tmp_path), stpt, workers=0, progress=False)
    m = res.scenario_matrix.set_index(["origin", "destination"])
    assert ("north", "centre") in m.index and ("centre", "north") in m.index
    assert ("north", "centre") not in res.baseline_matrix.set_index(["origin", "destination"]).index
    assert res.overall["pairs_gained"] == 2 and res.overall["pairs_lost"] == 0


@needs_stpt
def test_matrix_matches_single_departure_raptor(stpt):
    """Each departure minute of the matrix equals an earliest-arrival RAPTOR run from that minute."""
    from maas.router.raptor import raptor
    stops = route_stop_ids(stpt, "1")[:10] + route_stop_ids(stpt, "14")[:10]
    spec = parse_scenario(spec_dict([], {"stops": stops}, start="07:00", end="07:12"))
    places = build_places(spec, stpt)
    p = mx.build_problem(stpt, places, spec)
    origins = np.arange(0, len(places), 3, dtype=np.int32)
    times = mx.origin_times(p, origins, 0, p.n_departures)       # [origins, places, departures]
    static = p.kernel[:13]
    fp_ptr, fp_to, fp_dur, change, active, offsets, stop_ok = p.kernel[13:]
    for i, o in enumerate(origins):
        a, b = p.acc_ptr[o], p.acc_ptr[o + 1]
        for d in range(0, p.n_departures, 4):
            t0 = int(p.departures[d])
            best = raptor(*static, fp_ptr, fp_to, fp_dur, change, active, offsets, stop_ok,
                          p.acc_stop[a:b], (p.acc_dur[a:b] + t0).astype(np.int32), np.zeros(0, np.int32),
                          np.zeros(0, np.int32), p.max_trips, t0 + p.max_duration)[-1]
            arr = np.where(best <= t0 + p.max_duration, best, INF).astype(np.int32)[None, :]
            out = np.empty((p.n_places, 1), np.int32)
            w0, w1 = p.walk_ptr[o], p.walk_ptr[o + 1]
            place_times(arr, p.departures[d:d + 1], p.egr_ptr, p.egr_stop, p.egr_dur,
                            p.walk_dest[w0:w1], p.walk_dur[w0:w1], out)
            assert np.array_equal(out[:, 0], times[i, :, d]), (o, d)


def test_impossible_unquoted_yaml_date_is_refused_naming_the_file(tmp_path, capsys):
    f = tmp_path / "bad-date.yaml"
    f.write_text("name: x\ndate: 2026-02-30\nwindow: {start: '07:00', end: '07:10'}\nplaces: stops\nedits: []\n")
    assert cli_main(["scenario", "run", str(f), "--network", str(tmp_path), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad-date.yaml" in err and "day is out of range" in err and len(err.splitlines()) == 1


def test_minutes_past_the_cutoff_count_as_unreachable_in_percentiles():
    from types import SimpleNamespace
    from maas.router.raptor import INF
    from maas.scenarios.matrix import reduce_times
    # one origin, one place, four minutes: two within the 100 s cut-off, two past it (egress walk)
    times = np.array([[[40, 150, 150, 50]]], np.int32)
    out = reduce_times(SimpleNamespace(max_duration=100), np.array([0]), times)
    p25, p50, p75 = out["p"][0].tolist()
    assert (p25, p50) == (40, 50) and p75 == INF
