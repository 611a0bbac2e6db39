"""Real-time exactness: generated TripUpdates, planned on, against an independent oracle.

For random feeds (:func:`oracles.random_feeds`) and for the STPT feed, random TripUpdates
(:func:`oracles.rt.random_updates`: delays changing along trips, negative ones, delays large
enough to make trips overtake, skipped stops, trip-level delays, cancellations, added trips on
existing and new patterns, trips of the previous service day, unknown trips and stops) are
written as a protobuf file and given to the network as a real-time source. Then

* the router's earliest arrival with ``realtime=True`` equals the Connection Scan oracle run on
  the raw GTFS stop times with the intended updates applied (:class:`oracles.rt.RtCsa`);
* every transit leg of ``Network.plan`` rides a trip day that runs, boards and alights at the
  updated times of that trip day, and says ``realtime`` exactly when the trip day was updated;
* ``realtime=False`` still gives the static oracle's answer.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from maas.planner.profiles import get_profile
from maas.planner.realtime import Realtime
from oracles import build_network, hms, random_feeds
from oracles.csa import CsaOracle
from oracles.rt import RtCsa, random_updates

WINDOW = 4 * 3600
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def transfers_csv(net, profile) -> str:
    """What ``maas transfers`` prints (the walking model both sides share)."""
    pa = net.profile_arrays(profile)
    tt = net.tt
    lines = ["from_stop_id,to_stop_id,duration_s"]
    for p in range(tt.n_stops):
        sid = tt.stop_id[p]
        lines.append(f"{sid},{sid},{int(pa['change'][p])}")
        for e in range(int(tt.fp_ptr[p]), int(tt.fp_ptr[p + 1])):
            lines.append(f"{sid},{tt.stop_id[tt.fp_to[e]]},{int(pa['fp_dur'][e])}")
    return "\n".join(lines) + "\n"


def routes_of(folder: Path) -> dict[str, list[str]]:
    import pandas as pd
    trips = pd.read_csv(folder / "trips.txt", dtype=str) if folder.is_dir() else None
    out: dict[str, list[str]] = {}
    for r, t in zip(trips["route_id"], trips["trip_id"]):
        out.setdefault(r, []).append(t)
    return out


def secs(text: str, day: dt.date, tz) -> int:
    return int((dt.datetime.fromisoformat(text) - dt.datetime(day.year, day.month, day.day, tzinfo=tz)).total_seconds())


def check_legs(res: dict, oracle: RtCsa, day: dt.date, tz) -> int:
    """Every transit leg at the real-time times of a running trip day; returns the legs checked."""
    n = 0
    for it in res["itineraries"]:
        for leg in it["legs"]:
            if "trip_id" not in leg:
                continue
            n += 1
            dep, arr = secs(leg["departure"], day, tz), secs(leg["arrival"], day, tz)
            tid, f, t = leg["trip_id"], leg["from"]["stop_id"], leg["to"]["stop_id"]
            ok = False
            for k in (-1, 0, 1):
                d = day + dt.timedelta(days=k)
                if tid in oracle.trip_index:
                    if oracle.trip_service[oracle.trip_index[tid]] not in oracle.services_on(d):
                        continue
                elif (tid, d) not in oracle.truth.added:
                    continue
                rows = oracle.rows_of(tid, d)
                if rows is None:
                    continue
                sh = k * 86400
                bi = [i for i, r in enumerate(rows) if r[0] == f and r[2] + sh == dep and r[3]]
                ai = [i for i, r in enumerate(rows) if r[0] == t and r[1] + sh == arr and r[4]]
                if bi and ai and min(bi) < max(ai):
                    ok = True
                    updated = (tid, d) in oracle.truth.updated or (tid, d) in oracle.truth.added
                    assert leg["realtime"] == updated, f"{tid} {d}: realtime={leg['realtime']}, updated={updated}"
                    if updated:
                        assert leg["realtime_source"] == "trip_update"
                        static = [r for r in oracle.trip_stop_times(tid)] if tid in oracle.trip_index else rows
                        sb = [r[2] for r in static if r[0] == f]
                        assert secs(leg["scheduled_departure"], day, tz) - sh in sb
                    break
            assert ok, f"leg {tid} {f}@{hms(dep)} -> {t}@{hms(arr)} matches no running trip day's real-time times"
    return n


def run_case(net, csa_static: CsaOracle, truth, rt_file: Path, queries, day: dt.date, profile_name="default"):
    net.realtime = Realtime(net, [str(rt_file)])
    snap = net.realtime.snapshot
    assert snap.stats.get("unknown_trip", 0) == truth.unknown_trips
    assert snap.stats.get("unknown_stop", 0) == truth.unknown_stops
    assert snap.stats.get("invalid_times", 0) == 0
    assert snap.stats.get("cancelled", 0) == len(truth.cancelled)
    assert snap.stats.get("added", 0) == len(truth.added)
    oracle = RtCsa.from_oracle(csa_static, truth)
    tz = net.tz
    n_legs = n_diff = 0
    for o, d, t0 in queries:
        got = net.earliest_arrival(f"stop:{o}", f"stop:{d}", day.isoformat(), hms(t0), profile_name,
                                   max_transfers=10, realtime=True)
        want = oracle.earliest_arrival(o, d, day, t0, window=WINDOW)
        what = f"{o}->{d} {day} {hms(t0)}"
        if want is not None and want <= t0 + WINDOW:
            assert got == want, f"{what}: router {got} != oracle {want} (real time)"
        else:
            assert got is None or got > t0 + WINDOW, f"{what}: router {got}, oracle nothing within the window"
        base = net.earliest_arrival(f"stop:{o}", f"stop:{d}", day.isoformat(), hms(t0), profile_name,
                                    max_transfers=10, realtime=False)
        want0 = csa_static.earliest_arrival(o, d, day, t0, window=WINDOW)
        if want0 is not None and want0 <= t0 + WINDOW:
            assert base == want0, f"{what}: schedule-only router {base} != static oracle {want0}"
        n_diff += got != base
        res = net.plan(f"stop:{o}", f"stop:{d}", day.isoformat(), hms(t0), max_transfers=10)
        n_legs += check_legs(res, oracle, day, tz)
        if want is not None and t0 < want <= t0 + WINDOW and o != d:
            # arrive by the oracle's earliest arrival: reverse RAPTOR on the overlay finds a way
            res = net.plan(f"stop:{o}", f"stop:{d}", day.isoformat(), hms(want), max_transfers=10, arrive_by=True)
            arrivals = [secs(it["arrival"], day, tz) for it in res["itineraries"]]
            assert arrivals and max(arrivals) <= want, f"{what}: arrive by {hms(want)} gave {arrivals}"
            n_legs += check_legs(res, oracle, day, tz)
    return n_legs, n_diff


@SETTINGS
@given(feed=random_feeds(n_queries=10))
def test_random_feeds_with_trip_updates_match_oracle(feed):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gtfs"
        net = build_network(feed, folder)
        csa = CsaOracle(folder, transfers_csv(net, get_profile("default")))
        day = feed.queries[0][3]
        seed = int(hashlib.sha256("".join(feed.files["stop_times.txt"]).encode()).hexdigest()[:8], 16)
        data, truth = random_updates(csa, day, net.tz, seed, n_updates=14, routes=routes_of(folder))
        rt_file = Path(tmp) / "tu.pb"
        rt_file.write_bytes(data)
        queries = [(f"S{o}", f"S{d}", t) for o, d, t, _ in feed.queries if f"S{o}" in net.stop_lookup
                   and f"S{d}" in net.stop_lookup]
        run_case(net, csa, truth, rt_file, queries, day)


@pytest.mark.slow
def test_stpt_with_trip_updates_matches_oracle(real_networks, tmp_path):
    import maas
    from conftest import REAL_FEEDS, require_feed
    feed = require_feed("stpt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = maas.build_network([str(feed.path)], out=tmp_path / "net")
    csa = real_networks.csa("stpt")
    day = dt.date.fromisoformat(REAL_FEEDS["stpt"].date)
    routes: dict[str, list[str]] = {}
    import pandas as pd
    import zipfile
    with zipfile.ZipFile(feed.path) as z:
        trips = pd.read_csv(z.open("trips.txt"), dtype=str)
    for r, t in zip(trips["route_id"], trips["trip_id"]):
        routes.setdefault(r, []).append(t)
    data, truth = random_updates(csa, day, net.tz, seed=2026, n_updates=2500, routes=routes, p_added=0.5)
    rt_file = tmp_path / "tu.pb"
    rt_file.write_bytes(data)
    rng = random.Random(5)
    has = [str(s) for s, c in zip(net.tt.stop_id, (net.tt.stop_route_ptr[1:] - net.tt.stop_route_ptr[:-1])) if c > 0]
    queries = [(rng.choice(has), rng.choice(has), rng.randrange(6 * 3600, 20 * 3600)) for _ in range(25)]
    n_legs, n_diff = run_case(net, csa, truth, rt_file, queries, day)
    assert n_legs >= 20 and n_diff >= 3, (n_legs, n_diff)   # the updates do change answers
    assert len(truth.updated) > 1000 and truth.cancelled
