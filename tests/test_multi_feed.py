"""Several GTFS feeds compiled into one network (e.g. STPT plus a regional operator)."""
from __future__ import annotations

from pathlib import Path

import pytest

import maas
from maas.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "feeds" / "timisoara" / "gtfs.zip"


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    single = maas.build_network([SAMPLE], out=tmp_path_factory.mktemp("one"))
    both = maas.build_network([SAMPLE, SAMPLE], out=tmp_path_factory.mktemp("two"))
    return single, both


def test_clashing_ids_of_a_second_feed_are_prefixed(pair):
    single, both = pair
    tt1, tt2 = single.tt, both.tt
    assert tt2.n_stops == 2 * tt1.n_stops and tt2.n_trips == 2 * tt1.n_trips
    ids = set(map(str, tt2.stop_id))
    assert "GN" in ids and "1:GN" in ids
    assert {str(t) for t in tt2.trip_id if str(t).startswith("1:")}
    assert len(tt2.meta["sources"]) == 2


def test_planning_crosses_between_feeds(pair):
    _, both = pair
    # the second copy's stops lie on the first copy's: a footpath (0 m) joins GN and 1:GN
    res = both.plan("stop:GN", "stop:1:PU", "2026-11-24", "08:00")
    its = res["itineraries"]
    assert its, res["messages"]
    last = [leg for leg in its[0]["legs"] if leg.get("trip_id")][-1]
    assert last["to"]["stop_id"] in ("PU", "1:PU")
    # the earliest arrival is the same as inside one feed: the copies run the same timetable
    single_arr = pair[0].plan("stop:GN", "stop:PU", "2026-11-24", "08:00")["itineraries"][0]["arrival"]
    assert its[0]["arrival"] == single_arr


def test_cli_builds_several_feeds(tmp_path, capsys):
    assert main(["build", str(SAMPLE), str(SAMPLE), "-o", str(tmp_path / "net")]) == 0
    out = capsys.readouterr().out
    single = maas.load_network(tmp_path / "net")
    assert f"{single.tt.n_stops} stops" in out and single.tt.n_stops % 2 == 0
