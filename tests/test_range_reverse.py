"""Range RAPTOR and reverse (arrive-by) RAPTOR against fresh forward searches and the oracle.

(a) :func:`maas.router.raptor.raptor_range` over a window of departure minutes must give, for
    every minute and every stop, exactly the ``best_arr`` of a fresh forward search from that
    minute (same sources, trip limit and duration cut-off), also when the trip limit binds.
(b) :meth:`Network.run_reverse`'s latest departure ``LD`` for an arrive-by query must be tight:
    leaving at ``LD`` arrives by the deadline and leaving at ``LD + 1`` does not (both by the
    time-expanded graph oracle); per number of trips ``k`` the reverse labels agree with forward
    searches limited to ``k`` trips; ``Network.plan(arrive_by=True)`` itineraries all arrive by
    the deadline and the latest of them leaves at ``LD``.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings

from maas.planner.access import walk_options
from maas.planner.trip import SEARCH_HORIZON_S
from maas.planner.profiles import get_profile
from maas.router.raptor import INF, raptor, raptor_range
from maas.router.reverse import NEG
from maas.timetable.graph import te_earliest_arrival
from oracles import build_network, hms, random_feeds, stop_sources, stop_targets

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MAX_DURATION = 3 * 3600


def kernel_inputs(net, day: dt.date, profile: str, strict: bool = False):
    """The date/profile arrays both kernels take after the static timetable arrays."""
    prof = get_profile(profile)
    ctx = net.day_context(day, prof, strict)
    pa = net.profile_arrays(prof)
    return prof, ctx, (pa["fp_ptr"], pa["fp_to"], pa["fp_dur"], pa["change"],
                       ctx.trip_active, ctx.slot_offsets, ctx.stop_ok)


def range_matches_fresh(net, day, profile, stop, t_first, n_minutes, max_trips) -> None:
    prof, ctx, dyn = kernel_inputs(net, day, profile)
    src = stop_sources(net, prof, stop, 0)
    src_stops = np.array([p for p, _ in src], np.int32)
    src_offsets = np.array([t for _, t in src], np.int32)
    departures = (t_first + 60 * np.arange(n_minutes)).astype(np.int32)
    out = raptor_range(*net._kernel_static, *dyn, src_stops, src_offsets, departures, max_trips, MAX_DURATION)
    empty = np.zeros(0, np.int32)
    for i, t_dep in enumerate(departures.tolist()):
        best_arr = raptor(*net._kernel_static, *dyn, src_stops, (src_offsets + t_dep).astype(np.int32),
                          empty, empty, max_trips, t_dep + MAX_DURATION)[-1]
        want = np.where(best_arr <= t_dep + MAX_DURATION, best_arr, INF)
        bad = np.flatnonzero(out[i] != want)
        assert not len(bad), (f"{profile} from {net.tt.stop_id[stop]} at {hms(t_dep)} {day} max_trips={max_trips}: "
                              + ", ".join(f"{net.tt.stop_id[p]}: range {out[i, p]} fresh {want[p]}" for p in bad[:5]))


@SETTINGS
@given(feed=random_feeds(n_queries=3))
def test_range_raptor_equals_fresh_forward_searches(feed):
    with tempfile.TemporaryDirectory() as tmp:
        net = build_network(feed, Path(tmp) / "gtfs")
        for o, _, t0, day in feed.queries:
            for max_trips in (1, 2, 3, 11):
                range_matches_fresh(net, day, "default", net.stop_lookup[f"S{o}"], max(0, t0 - 1800), 90, max_trips)
        o, _, t0, day = feed.queries[0]
        range_matches_fresh(net, day, "wheelchair", net.stop_lookup[f"S{o}"], max(0, t0 - 1800), 90, 11)


def forward_k(net, ctx, prof, acc, egr, t: int, k: int) -> int | None:
    """Earliest arrival leaving at ``t`` with at most ``k`` trips (forward RAPTOR)."""
    state = net.run_raptor(ctx, prof, [a.stop for a in acc], [t + a.duration_s for a in acc],
                           [e.stop for e in egr], [e.duration_s for e in egr], k, t + SEARCH_HORIZON_S)
    arr = [int(state[0][1:k + 1, e.stop].min()) + e.duration_s for e in egr if state[0][1:k + 1, e.stop].min() < INF]
    return min(arr, default=None)


def check_arrive_by(net, graphs, o: int, d: int, deadline: int, day: dt.date, profile: str) -> None:
    """LD from the reverse search is the latest departure arriving by ``deadline`` (oracle)."""
    prof, ctx, _ = kernel_inputs(net, day, profile)
    key = (day, profile)
    if key not in graphs:
        graphs[key] = net.time_expanded_graph(day, profile)
    g = graphs[key]
    o_i, d_i = net.stop_lookup[f"S{o}"], net.stop_lookup[f"S{d}"]
    acc = walk_options(net, 0, 0, prof, o_i, egress=False)
    egr = walk_options(net, 0, 0, prof, d_i, egress=True)
    t_floor = deadline - SEARCH_HORIZON_S
    best, _ = net.run_reverse(ctx, prof, [e.stop for e in egr], [deadline - e.duration_s for e in egr],
                              [a.stop for a in acc], [a.duration_s for a in acc], 11, t_floor)
    ld = int(best[-1])
    targets = stop_targets(net, prof, d_i)

    def ea(t: int) -> int | None:
        return te_earliest_arrival(g, net, stop_sources(net, prof, o_i, t), targets)

    what = f"S{o}->S{d} by {hms(deadline)} {day} {profile}"
    if ld <= NEG:
        a = ea(t_floor)
        assert a is None or a > deadline, f"{what}: reverse found nothing, but leaving at {hms(t_floor)} arrives {a}"
    else:
        a, b = ea(ld), ea(ld + 1)
        assert a is not None and a <= deadline, f"{what}: leaving at LD={ld} arrives {a}"
        assert b is None or b > deadline, f"{what}: leaving at LD+1={ld + 1} still arrives {b}"
    # per number of trips k, forward RAPTOR limited to k trips agrees with best[k] (the planner
    # turns each best[k] into an itinerary by exactly such a forward search)
    for k in range(1, 4):
        ld_k = int(best[k])
        if ld_k > NEG:
            a_k = forward_k(net, ctx, prof, acc, egr, ld_k, k)
            b_k = forward_k(net, ctx, prof, acc, egr, ld_k + 1, k)
            assert a_k is not None and a_k <= deadline, f"{what}: {k} trips from best[{k}]={ld_k} arrive {a_k}"
            assert b_k is None or b_k > deadline, f"{what}: {k} trips from best[{k}]+1 arrive {b_k}"
    res = net.plan(f"stop:S{o}", f"stop:S{d}", day.isoformat(), hms(deadline), profile=profile,
                   arrive_by=True, max_transfers=10, num_itineraries=3)
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=net.tz)
    secs = [(int((dt.datetime.fromisoformat(it["departure"]) - midnight).total_seconds()),
             int((dt.datetime.fromisoformat(it["arrival"]) - midnight).total_seconds()),
             any("trip_id" in leg for leg in it["legs"])) for it in res["itineraries"]]
    assert all(arr <= deadline for _, arr, _ in secs), f"{what}: {secs}"
    transit = [dep for dep, _, is_transit in secs if is_transit]
    if ld <= NEG:
        assert not transit, f"{what}: plan found {transit}, reverse nothing"
    else:
        assert transit and max(transit) == ld, f"{what}: plan departures {transit}, LD {ld}"


@settings(SETTINGS, max_examples=25)
@given(feed=random_feeds(n_queries=6))
def test_arrive_by_latest_departure_is_tight(feed):
    with tempfile.TemporaryDirectory() as tmp:
        net = build_network(feed, Path(tmp) / "gtfs")
        graphs: dict = {}
        for i, (o, d, t0, day) in enumerate(feed.queries):
            # deadlines around the time the forward query would arrive, so most are feasible
            deadline = t0 + 1800 + 600 * i
            for profile in ("default", "wheelchair"):
                check_arrive_by(net, graphs, o, d, deadline, day, profile)


# Range RAPTOR with a binding trip limit: from O, the slow line X reaches P in one trip and the
# connection to Y follows; a later departure reaches P earlier, but only with three trips.
LIMIT_FEED = {
    "agency.txt": ["agency_id,agency_name,agency_url,agency_timezone", "A,T,https://e.org,Europe/Bucharest"],
    "stops.txt": ["stop_id,stop_name,stop_lat,stop_lon", "O,o,45.70,21.20", "P,p,45.71,21.20", "Q,q,45.72,21.20",
                  "A,a,45.70,21.22", "B,b,45.71,21.22"],
    "routes.txt": ["route_id,route_short_name,route_type", "X,X,3", "F,F,3", "Y,Y,3"],
    "trips.txt": ["route_id,service_id,trip_id", "X,S,X1", "X,S,X2", "F,S,F1", "F,S,F2", "F,S,F3",
                  "Y,S,Y1", "Y,S,Y2"],
    "stop_times.txt": ["trip_id,arrival_time,departure_time,stop_id,stop_sequence",
                       "X1,10:00:00,10:00:00,O,1", "X1,10:30:00,10:30:00,P,2",
                       "X2,10:10:00,10:10:00,O,1", "X2,10:40:00,10:40:00,P,2",
                       "F1,10:11:00,10:11:00,O,1", "F1,10:13:00,10:13:00,A,2",
                       "F2,10:15:00,10:15:00,A,1", "F2,10:17:00,10:17:00,B,2",
                       "F3,10:19:00,10:19:00,B,1", "F3,10:21:00,10:21:00,P,2",
                       "Y1,10:32:00,10:32:00,P,1", "Y1,10:40:00,10:40:00,Q,2",
                       "Y2,10:50:00,10:50:00,P,1", "Y2,10:58:00,10:58:00,Q,2"],
    "calendar.txt": ["service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
                     "S,1,1,1,1,1,1,1,20260101,20260131"],
}


def test_range_raptor_with_binding_trip_limit(tmp_path):
    from oracles import RandomFeed
    net = build_network(RandomFeed(LIMIT_FEED, 5), tmp_path / "gtfs")
    day = dt.date(2026, 1, 14)
    o = net.stop_lookup["O"]
    # fresh search from 10:00 with at most 3 trips: X1, then Y1 at 10:32, at Q 10:40
    prof, ctx, dyn = kernel_inputs(net, day, "default")
    empty = np.zeros(0, np.int32)
    fresh = raptor(*net._kernel_static, *dyn, np.array([o], np.int32), np.array([36000], np.int32),
                   empty, empty, 3, 36000 + MAX_DURATION)[-1]
    assert fresh[net.stop_lookup["Q"]] == 10 * 3600 + 40 * 60
    for max_trips in (2, 3, 4):
        range_matches_fresh(net, day, "default", o, 10 * 3600, 11, max_trips)


def test_range_raptor_on_stpt(stpt_network):
    """The same check on the STPT sample: 30 departure minutes from two stops, 2, 3 and 8 trips."""
    net = stpt_network
    day = dt.date(2026, 11, 24)
    for stop_id, t_first in (("74", 7 * 3600), ("64", 16 * 3600 + 45 * 60)):
        for max_trips in (2, 3, 8):
            range_matches_fresh(net, day, "default", net.stop_lookup[stop_id], t_first, 30, max_trips)
