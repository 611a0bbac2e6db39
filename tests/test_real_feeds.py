"""Real feeds (STPT Timișoara sample, Strasbourg, Riga, Bari): the router against the CSA oracle.

Each feed is compiled once per session (``tests/conftest.py``). Random stop pairs at random times
(fixed seed) must get exactly the earliest arrival of :mod:`oracles.csa`, an independent
Connection Scan over the raw GTFS using the footpaths printed by ``maas transfers``. On STPT the
itineraries of ``Network.plan`` are also checked leg by leg against stop_times.txt, after
midnight and on a calendar_dates exception day. Skipped when /work/shared/data is absent.
"""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from conftest import REAL_FEEDS
from oracles import hms

WINDOW = 4 * 3600          # the CSA scans connections leaving within 4 h of the query time
MAX_TRANSFERS = 10


def served_stops(net) -> list[str]:
    """Stop ids with at least one route (others can never be left or reached by a trip)."""
    tt = net.tt
    has = np.flatnonzero(np.diff(np.asarray(tt.stop_route_ptr)) > 0)
    return sorted(str(tt.stop_id[i]) for i in has)


def compare(net, csa, origin: str, dest: str, day: str, t0: int, profile: str = "default") -> tuple[int | None, int | None]:
    """Router and oracle earliest arrival; asserts they agree (inside the oracle's window)."""
    got = net.earliest_arrival(f"stop:{origin}", f"stop:{dest}", day, hms(t0), profile, max_transfers=MAX_TRANSFERS)
    want = csa.earliest_arrival(origin, dest, day, t0, window=WINDOW, accessible=(profile == "wheelchair"))
    what = f"{origin} -> {dest} on {day} at {hms(t0)} ({profile})"
    if want is not None and want <= t0 + WINDOW:
        assert got == want, f"{what}: router {got and hms(got)} != oracle {hms(want)}"
    else:
        assert got is None or got > t0 + WINDOW, f"{what}: router {hms(got)} but oracle nothing within {WINDOW} s"
    return got, want


def random_queries(net, seed: int, n: int, t_lo: int = 6 * 3600, t_hi: int = 21 * 3600):
    rng = random.Random(seed)
    stops = served_stops(net)
    return [(rng.choice(stops), rng.choice(stops), rng.randrange(t_lo, t_hi)) for _ in range(n)]


@pytest.mark.slow
@pytest.mark.parametrize("name,n", [("stpt", 25), ("strasbourg", 20), ("riga", 20), ("bari", 20)])
def test_earliest_arrival_matches_csa(real_networks, name, n):
    net = real_networks.network(name)
    csa = real_networks.csa(name)
    day = REAL_FEEDS[name].date
    found = 0
    for o, d, t0 in random_queries(net, seed=20261124 + n, n=n):
        got, want = compare(net, csa, o, d, day, t0)
        found += got is not None
    assert found >= n // 2, f"{name}: only {found} of {n} random queries reached their destination"


@pytest.mark.slow
def test_stpt_wheelchair_matches_csa(real_networks):
    net = real_networks.network("stpt")
    csa = real_networks.csa("stpt", "wheelchair")
    found = 0
    for o, d, t0 in random_queries(net, seed=7, n=15):
        got, _ = compare(net, csa, o, d, REAL_FEEDS["stpt"].date, t0, "wheelchair")
        found += got is not None
    # agreement on "nothing" everywhere would prove little: most accessible queries must succeed
    assert found >= 15 // 2, f"only {found} of 15 wheelchair queries reached their destination"


def check_itinerary(it: dict, day: dt.date, tz, csa, walk_secs: dict, change: dict) -> None:
    """Every transit leg is a piece of its GTFS trip on a day it runs; legs chain in time."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)

    def secs(text: str) -> int:
        return int((dt.datetime.fromisoformat(text) - midnight).total_seconds())

    legs = it["legs"]
    has_transit = any("trip_id" in leg for leg in legs)
    assert secs(it["departure"]) == secs(legs[0]["departure"]) and secs(it["arrival"]) == secs(legs[-1]["arrival"])
    prev = None
    for leg in legs:
        dep, arr = secs(leg["departure"]), secs(leg["arrival"])
        assert dep <= arr, leg
        if prev is not None:
            assert dep >= secs(prev["arrival"]), f"leg leaves before the previous one arrives: {prev} {leg}"
            if "trip_id" in leg and "trip_id" in prev and prev["to"]["stop_id"] == leg["from"]["stop_id"]:
                assert dep >= secs(prev["arrival"]) + change[leg["from"]["stop_id"]], "change time not respected"
        if "trip_id" in leg:
            check_ride(leg, dep, arr, day, csa)
        elif has_transit and leg["mode"] == "WALK" and "stop_id" in leg["from"] and "stop_id" in leg["to"]:
            # a walk between two stops in a transit itinerary is a footpath of the router
            assert arr - dep == walk_secs[(leg["from"]["stop_id"], leg["to"]["stop_id"])], leg
        prev = leg


def check_ride(leg: dict, dep: int, arr: int, day: dt.date, csa) -> None:
    rows = csa.trip_stop_times(leg["trip_id"])
    b, a = leg["from"]["stop_id"], leg["to"]["stop_id"]
    matches = []
    for shift in (-86400, 0, 86400):
        service_day = day + dt.timedelta(days=shift // 86400)
        if csa.trip_service[csa.trip_index[leg["trip_id"]]] not in csa.services_on(service_day):
            continue
        for i, (s_i, _, d_i, pick, _) in enumerate(rows):
            if s_i != b or d_i + shift != dep or not pick:
                continue
            for j in range(i + 1, len(rows)):
                s_j, a_j, _, _, drop = rows[j]
                if s_j == a and a_j + shift == arr and drop:
                    matches.append((shift, [r[0] for r in rows[i + 1:j]]))
    assert matches, f"ride not in stop_times.txt on a service day of {day}: {leg['trip_id']} {b}@{hms(dep)} -> {a}@{hms(arr)}"
    if "intermediate_stops" in leg:
        assert any(leg["intermediate_stops"] == inter for _, inter in matches), leg["intermediate_stops"]


def plan_and_check(net, csa, origin: str, dest: str, day: str, t0: int, profile: str = "default"):
    """Plan, check every itinerary leg by leg, and compare the first arrival with the oracle."""
    res = net.plan(f"stop:{origin}", f"stop:{dest}", day, hms(t0), profile=profile, max_transfers=MAX_TRANSFERS,
                   num_itineraries=5)
    d = dt.date.fromisoformat(day)
    change = {s: csa.change[csa.stop_index[s]] for s in served_stops(net)}
    transit = [it for it in res["itineraries"] if any("trip_id" in leg for leg in it["legs"])]
    for it in res["itineraries"]:
        check_itinerary(it, d, net.tz, csa, csa.walk_secs, change)
    midnight = dt.datetime(d.year, d.month, d.day, tzinfo=net.tz)
    first = min((int((dt.datetime.fromisoformat(it["arrival"]) - midnight).total_seconds()) for it in transit),
                default=None)
    want = csa.earliest_arrival(origin, dest, d, t0, window=WINDOW, accessible=(profile == "wheelchair"))
    if want is not None and want <= t0 + WINDOW:
        assert first == want, f"{origin} -> {dest} {day} {hms(t0)}: first itinerary arrives {first}, oracle {want}"
    return transit


@pytest.mark.slow
def test_stpt_itineraries_match_stop_times(real_networks):
    net = real_networks.network("stpt")
    csa = real_networks.csa("stpt")
    n_transit = 0
    for o, d, t0 in random_queries(net, seed=11, n=12):
        n_transit += len(plan_and_check(net, csa, o, d, REAL_FEEDS["stpt"].date, t0))
    assert n_transit >= 10


def late_trip_pairs(csa, prefix: str) -> list[tuple[str, str, int, str]]:
    """(board stop, alight stop, board time, trip id) on weekday trips of a line leaving after 23:55."""
    out = []
    for trip_id in csa.trip_ids:
        if not trip_id.startswith(prefix) or csa.trip_service[csa.trip_index[trip_id]] != "WK":
            continue
        rows = csa.trip_stop_times(trip_id)
        if rows[0][2] < 23 * 3600 + 55 * 60:
            continue
        board = [i for i, r in enumerate(rows[:-1]) if r[3] and r[2] >= 24 * 3600 + 300]
        if board:
            i = board[0]
            j = len(rows) - 1
            out.append((rows[i][0], rows[j][0], rows[i][2], trip_id))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("line", ["L1_", "L8_", "L40_"])
def test_stpt_after_midnight(real_networks, line):
    """Weekday runs after 23:55 (times past 24:00): asked the evening before and just after midnight."""
    net = real_networks.network("stpt")
    csa = real_networks.csa("stpt")
    pairs = late_trip_pairs(csa, line)
    assert pairs, f"no weekday trip of {line} leaves after 23:55"
    day = dt.date.fromisoformat(REAL_FEEDS["stpt"].date)              # Tuesday; Wednesday is a weekday too
    for board, alight, t_board, trip_id in pairs[:2]:
        # on the trip's own service day, a few minutes before it leaves (past 24:00)
        got, want = compare(net, csa, board, alight, day.isoformat(), t_board - 180)
        assert got is not None and got > 24 * 3600
        transit = plan_and_check(net, csa, board, alight, day.isoformat(), t_board - 180)
        assert transit
        # the next calendar day shortly after midnight: yesterday's trip is the one to take
        nxt = (day + dt.timedelta(days=1)).isoformat()
        got, want = compare(net, csa, board, alight, nxt, t_board - 86400 - 180)
        assert got is not None
        transit = plan_and_check(net, csa, board, alight, nxt, t_board - 86400 - 180)
        first = min(transit, key=lambda it: it["arrival"])
        rides = [leg["trip_id"] for leg in first["legs"] if "trip_id" in leg]
        if rides == [trip_id]:
            assert first["legs"][0]["departure"].startswith(nxt)


@pytest.mark.slow
def test_stpt_calendar_dates_exception(real_networks):
    """2026-12-01 (a Tuesday) runs the Sunday timetable: only SU trips, and the oracle agrees."""
    net = real_networks.network("stpt")
    csa = real_networks.csa("stpt")
    assert csa.services_on(dt.date(2026, 12, 1)) == {"SU"}
    assert csa.services_on(dt.date(2026, 11, 24)) == {"WK"}
    day = "2026-12-01"
    for o, d, t0 in random_queries(net, seed=1201, n=12, t_lo=8 * 3600, t_hi=20 * 3600):
        compare(net, csa, o, d, day, t0)
        for it in plan_and_check(net, csa, o, d, day, t0):
            for leg in it["legs"]:
                if "trip_id" in leg and leg["departure"].startswith(day):
                    assert csa.trip_service[csa.trip_index[leg["trip_id"]]] == "SU", leg["trip_id"]


@pytest.mark.slow
def test_stpt_arrive_by_is_tight(real_networks):
    """Arrive-by on STPT: leaving at the latest departure arrives in time, a second later does not."""
    from maas.planner.access import walk_options
    from maas.planner.trip import SEARCH_HORIZON_S
    from maas.planner.profiles import get_profile
    from maas.router.reverse import NEG

    net = real_networks.network("stpt")
    csa = real_networks.csa("stpt")
    prof = get_profile("default")
    day = dt.date.fromisoformat(REAL_FEEDS["stpt"].date)
    ctx = net.day_context(day, prof)
    checked = 0
    for o, d, deadline in random_queries(net, seed=99, n=10, t_lo=8 * 3600, t_hi=20 * 3600):
        oi, di = net.stop_lookup[o], net.stop_lookup[d]
        acc = walk_options(net, 0, 0, prof, oi, egress=False)
        egr = walk_options(net, 0, 0, prof, di, egress=True)
        best, _ = net.run_reverse(ctx, prof, [e.stop for e in egr], [deadline - e.duration_s for e in egr],
                                  [a.stop for a in acc], [a.duration_s for a in acc], MAX_TRANSFERS + 1,
                                  deadline - SEARCH_HORIZON_S)
        ld = int(best[-1])
        if ld <= NEG or deadline - ld > WINDOW:
            continue
        a = csa.earliest_arrival(o, d, day, ld, window=WINDOW)
        b = csa.earliest_arrival(o, d, day, ld + 1, window=WINDOW)
        assert a is not None and a <= deadline, f"{o}->{d} by {hms(deadline)}: leaving {hms(ld)} arrives {a}"
        assert b is None or b > deadline, f"{o}->{d} by {hms(deadline)}: leaving {hms(ld + 1)} arrives {hms(b)}"
        res = net.plan(f"stop:{o}", f"stop:{d}", day.isoformat(), hms(deadline), arrive_by=True,
                       max_transfers=MAX_TRANSFERS, num_itineraries=3)
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=net.tz)
        for it in res["itineraries"]:
            assert (dt.datetime.fromisoformat(it["arrival"]) - midnight).total_seconds() <= deadline
        checked += 1
    assert checked >= 5


@pytest.mark.slow
def test_stpt_time_expanded_graph_agrees(real_networks):
    """The second oracle on real data: Dijkstra on a 2.5 h time-expanded graph of STPT."""
    from maas.planner.profiles import get_profile
    from maas.timetable.graph import te_earliest_arrival
    from oracles import stop_sources, stop_targets

    net = real_networks.network("stpt")
    csa = real_networks.csa("stpt")
    day = REAL_FEEDS["stpt"].date
    lo, hi = 7 * 3600, 9 * 3600 + 1800
    g = net.time_expanded_graph(day, "default", t_from=lo, t_to=hi)
    prof = get_profile("default")
    inside = 0
    for o, d, t0 in random_queries(net, seed=3, n=12, t_lo=lo, t_hi=lo + 1800):
        te = te_earliest_arrival(g, net, stop_sources(net, prof, net.stop_lookup[o], t0),
                                 stop_targets(net, prof, net.stop_lookup[d]))
        got, want = compare(net, csa, o, d, day, t0)
        if te is not None and te <= hi:
            inside += 1
            assert got == te == want, f"{o} -> {d} at {hms(t0)}: router {got}, graph {te}, CSA {want}"
        else:
            assert got is None or got > hi
    assert inside >= 4
