"""Reference implementations and test data generators for the exactness tests (not part of maas).

* :mod:`oracles.csa`: a Connection Scan Algorithm that reads raw GTFS itself.
* The time-expanded graph oracle lives in the package (:mod:`maas.timetable.graph`) because it
  is also an export for analysis.
* This module: :func:`random_feeds`, a hypothesis strategy for small random GTFS feeds, and
  helpers shared by the property tests (writing a feed, oracle sources/targets for a stop).

Test modules import this package as ``oracles`` (pytest puts ``tests/`` on ``sys.path``).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

TZ = "Europe/Bucharest"
LAT0, LON0 = 45.745, 21.215
# Calendar A runs Monday-Friday, B Saturday-Sunday, over January 2026 (no DST change).
CAL_START, CAL_END = "20260105", "20260130"
QUERY_DATES = [dt.date(2026, 1, 12) + dt.timedelta(days=i) for i in range(7)]   # Mon 12 .. Sun 18
EXCEPTION_DATES = [dt.date(2026, 1, 11) + dt.timedelta(days=i) for i in range(9)]


def hms(t: int) -> str:
    """Seconds to GTFS ``H:MM:SS`` (hours may exceed 23)."""
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"


@dataclass
class RandomFeed:
    """A generated feed: rows of each GTFS file, plus the queries drawn with it."""

    files: dict[str, list[str]]
    n_stops: int
    queries: list[tuple[int, int, int, dt.date]] = field(default_factory=list)   # (origin, dest, time, date)
    kinds: list[str] = field(default_factory=list)   # per query: "child" (needs a change, usually) or "other"

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, lines in self.files.items():
            (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder


@st.composite
def random_feeds(draw, max_stops: int = 12, max_routes: int = 5, max_trips: int = 8, n_queries: int = 16) -> RandomFeed:
    """Small random GTFS feeds exercising the router's corner cases.

    Stops lie in a ~3 km box, some of them beside another stop, so footpaths (and chains of
    them) exist; routes have random stop sequences (sometimes a loop back to the first stop);
    trips have random headways and run times, some are faster or slower and overtake others;
    pickup/drop-off restrictions; two calendars plus calendar_dates exceptions; trips starting
    up to 25:30 (times past 24:00); wheelchair flags on stops and trips; a few per-stop minimum
    change times and extra transfers.txt walks.
    """
    n_stops = draw(st.integers(5, max_stops))
    stops = ["stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding"]
    xy: list[tuple[float, float]] = []
    for i in range(n_stops):
        if i and draw(st.integers(0, 2)) == 0:     # beside an earlier stop: footpaths
            bx, by = xy[draw(st.integers(0, i - 1))]
            x, y = bx + draw(st.integers(-280, 280)), by + draw(st.integers(-280, 280))
        else:
            x, y = draw(st.integers(0, 3000)), draw(st.integers(0, 3000))
        xy.append((x, y))
        lat = LAT0 + y / 111_195.0
        lon = LON0 + x / (111_195.0 * math.cos(math.radians(LAT0)))
        wb = draw(st.sampled_from([0, 1, 1, 1, 2]))
        stops.append(f"S{i},Stop {i},{lat:.7f},{lon:.7f},{wb}")

    routes = ["route_id,agency_id,route_short_name,route_long_name,route_type"]
    trips = ["route_id,service_id,trip_id,trip_headsign,wheelchair_accessible"]
    stop_times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type"]
    n_routes = draw(st.integers(2, max_routes))
    route_seqs: list[list[int]] = []
    route_times: list[list[int]] = []      # first trip's times at each position (for connections)
    feeds_into: dict[int, list] = {}      # route -> (later route, position it starts beside)
    route_services: list[str] = []
    route_headways: list[int] = []
    for r in range(n_routes):
        feeder = None
        route_service = draw(st.sampled_from(["A", "A", "B"]))
        seq = draw(st.lists(st.integers(0, n_stops - 1), min_size=2, max_size=min(6, n_stops), unique=True))
        start = draw(st.sampled_from([7 * 3600, 7 * 3600, 23 * 3600])) + draw(st.integers(-3600, 3600)) \
            if draw(st.integers(0, 3)) else draw(st.integers(4 * 3600, 25 * 3600 + 1800))
        if r and draw(st.integers(0, 3)):
            # feed from an earlier route: start at (or beside) one of its stops, soon after it passes
            pr = draw(st.integers(0, r - 1))
            k = draw(st.integers(1, len(route_seqs[pr]) - 1))
            shared = route_seqs[pr][k]
            near = [i for i in range(n_stops) if i != shared and math.dist(xy[i], xy[shared]) < 280]
            walk = 0
            if near and draw(st.booleans()):           # change by walking to a stop nearby
                nb = draw(st.sampled_from(near))
                walk = int(math.dist(xy[nb], xy[shared]) * 1.3 / 1.33)
                shared = nb
            rest = [x for x in seq if x != shared and x not in route_seqs[pr]]
            seq = [shared] + (rest or [x for x in seq if x != shared])
            # leaves soon after the feeding route's first trip arrives: tight connections
            start = route_times[pr][k] + walk + draw(st.integers(-60, 240))
            feeds_into.setdefault(pr, []).append((r, k))
            feeder = pr
            if draw(st.integers(0, 3)):
                route_service = route_services[pr]
        if len(seq) >= 3 and draw(st.integers(0, 4)) == 0:
            seq = seq + [seq[0]]                       # a loop: the first stop occurs twice
        runs = [draw(st.integers(30, 900)) for _ in seq]
        dwells = [draw(st.sampled_from([0, 0, 20, 60])) for _ in seq]
        routes.append(f"R{r},A,{r + 1},Route {r + 1},{draw(st.sampled_from([0, 3, 11, 700, 900]))}")
        n_trips = draw(st.integers(1, max_trips))
        start = max(start, 3 * 3600)
        headway = draw(st.one_of(st.integers(60, 900), st.integers(900, 3600)))
        if feeder is not None and draw(st.booleans()):
            headway = route_headways[feeder]          # every trip of the feeder has a connection
        route_headways.append(headway)
        route_seqs.append(seq)
        route_flags = [(draw(st.integers(0, 5)) == 0, draw(st.integers(0, 5)) == 0) for _ in seq]
        times, t = [], start
        for k in range(len(seq)):
            times.append(t)
            t += dwells[k] + runs[k]
        route_times.append(times)
        route_services.append(route_service)
        for j in range(n_trips):
            tid = f"R{r}T{j}"
            service = route_service if draw(st.integers(0, 4)) else draw(st.sampled_from(["A", "B"]))
            wc = draw(st.sampled_from([0, 1, 1, 2]))
            trips.append(f"R{r},{service},{tid},Route {r + 1},{wc}")
            speed = draw(st.sampled_from([1.0, 1.0, 1.0, 0.5, 1.7]))      # 0.5: express, overtakes
            t = start + j * headway + draw(st.integers(-120, 120))
            flags = route_flags
            if draw(st.integers(0, 9)) == 0:          # a trip with its own pickup/drop-off rules
                flags = [(draw(st.integers(0, 5)) == 0, draw(st.integers(0, 5)) == 0) for _ in seq]
            for k, s in enumerate(seq):
                arr = t
                dep = arr + dwells[k]
                pick = 1 if (k == len(seq) - 1 or flags[k][0]) else 0
                drop = 1 if (k == 0 or flags[k][1]) else 0
                stop_times.append(f"{tid},{hms(arr)},{hms(dep)},S{s},{k + 1},{pick},{drop}")
                t = dep + max(0, int(round(runs[k] * speed)))

    calendar = ["service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
                f"A,1,1,1,1,1,0,0,{CAL_START},{CAL_END}", f"B,0,0,0,0,0,1,1,{CAL_START},{CAL_END}"]
    cdates = ["service_id,date,exception_type"]
    for d in draw(st.lists(st.sampled_from(EXCEPTION_DATES), max_size=3, unique=True)):
        kind = draw(st.sampled_from(["holiday", "extra", "cancel_weekend"]))
        ds = d.strftime("%Y%m%d")
        if kind == "holiday":          # weekday runs the weekend timetable
            cdates += [f"A,{ds},2", f"B,{ds},1"]
        elif kind == "extra":
            cdates += [f"A,{ds},1"]
        else:
            cdates += [f"B,{ds},2"]
    transfers = ["from_stop_id,to_stop_id,transfer_type,min_transfer_time"]
    for _ in range(draw(st.integers(0, 2))):
        s = draw(st.integers(0, n_stops - 1))
        transfers.append(f"S{s},S{s},2,{draw(st.integers(0, 400))}")
    close = [(a, b) for a in range(n_stops) for b in range(n_stops) if a != b and math.dist(xy[a], xy[b]) < 700]
    if close and draw(st.booleans()):                # a transfers.txt walk, possibly beyond the radius
        a, b = draw(st.sampled_from(close))
        transfers.append(f"S{a},S{b},2,{draw(st.integers(60, 600))}")

    files = {
        "agency.txt": ["agency_id,agency_name,agency_url,agency_timezone", f"A,Test,https://example.org,{TZ}"],
        "stops.txt": stops, "routes.txt": routes, "trips.txt": trips, "stop_times.txt": stop_times,
        "calendar.txt": calendar, "calendar_dates.txt": cdates, "transfers.txt": transfers,
    }
    queries = []
    kinds = []
    for _ in range(n_queries):
        day = draw(st.sampled_from(QUERY_DATES))
        if draw(st.integers(0, 3)) == 0:      # anywhere, any time
            o = draw(st.integers(0, n_stops - 1))
            d = draw(st.integers(0, n_stops - 1))
            t = draw(st.integers(0, 28 * 3600))
        else:                                 # on the network, around its service
            parents = sorted(feeds_into)
            if parents and draw(st.integers(0, 3)):
                r1 = draw(st.sampled_from(parents))
            else:
                r1 = draw(st.integers(0, n_routes - 1))
            later = feeds_into.get(r1, [])
            if later and draw(st.integers(0, 4)):   # ride r1, change to a route it feeds
                kinds.append("child")
                r2, kk = draw(st.sampled_from(later))
                k = draw(st.integers(0, kk - 1))
                o = route_seqs[r1][k]
                d = route_seqs[r2][draw(st.integers(1, len(route_seqs[r2]) - 1))]
                t = route_times[r1][k] - draw(st.integers(0, 900))
            else:
                k = draw(st.integers(0, len(route_seqs[r1]) - 2))
                o = route_seqs[r1][k]
                d = draw(st.sampled_from(route_seqs[draw(st.integers(0, n_routes - 1))]))
                t = route_times[r1][k] + draw(st.integers(-1800, 3600))
            if draw(st.integers(0, 3)):               # a day on which the first route usually runs
                day = draw(st.sampled_from(QUERY_DATES[:5] if route_services[r1] == "A" else QUERY_DATES[5:]))
            if t > 86400 and draw(st.booleans()):
                t -= 86400                    # early morning: yesterday's trips past midnight
                day += dt.timedelta(days=1) if day < QUERY_DATES[-1] else dt.timedelta(0)
            t = max(0, t)
        queries.append((o, d, t, day))
        if len(kinds) < len(queries):
            kinds.append("other")
    return RandomFeed(files, n_stops, queries, kinds)


def stop_sources(net, profile, stop: int, t0: int) -> list[tuple[int, int]]:
    """Oracle sources for leaving ``stop`` at ``t0``: the stop and its footpath neighbours."""
    pa = net.profile_arrays(profile)
    tt = net.tt
    out = [(stop, t0)]
    for e in range(int(pa["fp_ptr"][stop]), int(pa["fp_ptr"][stop + 1])):
        out.append((int(pa["fp_to"][e]), t0 + int(pa["fp_dur"][e])))
    return out


def stop_targets(net, profile, stop: int) -> list[tuple[int, int]]:
    """Oracle targets for reaching ``stop``: the stop, and every stop with a footpath to it."""
    pa = net.profile_arrays(profile)
    tt = net.tt
    out = [(stop, 0)]
    for p in range(tt.n_stops):
        for e in range(int(pa["fp_ptr"][p]), int(pa["fp_ptr"][p + 1])):
            if int(pa["fp_to"][e]) == stop:
                out.append((p, int(pa["fp_dur"][e])))
    return out


def build_network(feed, folder):
    """Write a generated feed to ``folder`` and compile it (its validation warnings silenced)."""
    import warnings

    import maas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return maas.build_network([str(feed.write(folder))])
