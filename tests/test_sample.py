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
from maas.feeds import sample, sample_streets
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
        ["gtfs.zip", "gbfs/velotm", "gbfs/carshare", "park_and_ride.geojson", "streets.osm"]
    first, second = _tree(out), _tree(tmp_path / "again")
    assert set(first) == {"gtfs.zip", "park_and_ride.geojson", "streets.osm",
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


# ----------------------------------------------------------------------------- streets.osm
# An independent reading of the OSM file (pyosmium + networkx), with the tagging rules of the design
# doc's "Streets" section, so these tests fail if the generator loses a feature or moves it.

ROADS = {"trunk", "primary", "secondary", "tertiary", "residential", "unclassified", "service", "living_street"}
WALK = ROADS | {"footway", "pedestrian", "path", "steps"}
BIKE = (ROADS - {"trunk"}) | {"cycleway"}
CAR = ROADS


def _m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return sample._dist_m(a, b)


def _xy(c: tuple[float, float]) -> tuple[float, float]:
    return (c[1] * 111_195 * math.cos(math.radians(45.76)), c[0] * 111_195)


def _seg_dist_m(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = _xy(p), _xy(a), _xy(b)
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _crosses(a, b, c, d) -> bool:
    """Segments a-b and c-d (lat, lon) properly intersect."""
    def orient(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def _incline_pct(tags: dict[str, str]) -> float:
    """|incline| in percent; up/down and missing count as 0 (steps are excluded separately)."""
    v = tags.get("incline", "").rstrip("%")
    try:
        return abs(float(v))
    except ValueError:
        return 0.0


class Osm:
    def __init__(self, path: Path):
        import osmium
        self.nodes: dict[int, tuple[float, float]] = {}
        self.node_tags: dict[int, dict[str, str]] = {}
        self.ways: list[tuple[int, list[int], dict[str, str]]] = []
        self.ids = {"node": [], "way": [], "relation": []}
        for o in osmium.FileProcessor(str(path)):
            tags = {t.k: t.v for t in o.tags}
            if o.is_node():
                self.ids["node"].append(o.id)
                self.nodes[o.id] = (o.location.lat, o.location.lon)
                if tags:
                    self.node_tags[o.id] = tags
            elif o.is_way():
                self.ids["way"].append(o.id)
                self.ways.append((o.id, [n.ref for n in o.nodes], tags))
            else:
                self.ids["relation"].append(o.id)

    def named(self, name: str) -> list[tuple[int, list[int], dict[str, str]]]:
        return [w for w in self.ways if w[2].get("name") == name]

    def graph(self, mode: str = "walk", step_free: bool = False, exclude=lambda tags: False):
        """Street graph of a mode (walk: undirected; car: directed, oneway respected)."""
        import networkx as nx
        classes = {"walk": WALK, "bike": BIKE, "car": CAR}[mode]
        g = nx.DiGraph() if mode == "car" else nx.Graph()
        raised = {n for n, t in self.node_tags.items() if t.get("kerb") == "raised"}
        for wid, refs, tags in self.ways:
            hw = tags.get("highway")
            if hw not in classes or exclude(tags):
                continue
            if mode == "walk" and (tags.get("foot") in ("no", "private") or tags.get("sidewalk") == "separate"):
                continue
            if mode == "car" and hw == "service" and tags.get("access") == "no":
                continue
            if step_free and (hw == "steps" or tags.get("wheelchair") == "no" or _incline_pct(tags) > 8):
                continue
            for u, v in zip(refs, refs[1:]):
                if step_free and (u in raised or v in raised):
                    continue
                attrs = {"length": _m(self.nodes[u], self.nodes[v]), "way": wid}
                g.add_edge(u, v, **attrs)
                if mode == "car" and tags.get("oneway") != "yes":
                    g.add_edge(v, u, **attrs)
        return g

    def nearest(self, g, c: tuple[float, float]) -> int:
        return min(g.nodes, key=lambda n: _m(self.nodes[n], c))

    def node_at(self, c: tuple[float, float]) -> int:
        n = min(self.nodes, key=lambda n: _m(self.nodes[n], c))
        assert _m(self.nodes[n], c) < 0.5, (c, self.nodes[n])
        return n

    def path(self, g, a: int, b: int) -> tuple[float, list[int]]:
        import networkx as nx
        length, nodes = nx.single_source_dijkstra(g, a, b, weight="length")
        return length, nodes

    def way_tags_on(self, g, nodes: list[int]) -> list[dict[str, str]]:
        by_id = {w[0]: w[2] for w in self.ways}
        return [by_id[g.edges[u, v]["way"]] for u, v in zip(nodes, nodes[1:])]


@pytest.fixture(scope="module")
def osm(out) -> Osm:
    return Osm(out / "streets.osm")


def _points() -> dict[str, tuple[str, tuple[float, float]]]:
    pts = {s[0]: ("walk", (s[2], s[3])) for s in sample.STOPS if s[6] == 0}
    pts.update({v[0]: ("bike", (v[2], v[3])) for v in sample.VELOTM})
    pts.update({c[0]: ("car", (c[1], c[2])) for c in sample.CARS})
    pts.update({p[0]: ("car", (p[3], p[2])) for p in sample.PARKING})
    return pts


def test_osm_is_standard_sorted_and_complete(out, osm):
    text = (out / "streets.osm").read_text(encoding="utf-8")
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\"")
    assert "timestamp" not in text and "Revoluției" in text      # no clock; UTF-8 names with diacritics
    assert osm.ids["node"] == sorted(set(osm.ids["node"])) and osm.ids["way"] == sorted(set(osm.ids["way"]))
    assert all(r in osm.nodes for _, refs, _ in osm.ways for r in refs)
    assert 800 <= len(osm.nodes) <= 5000 and len(osm.ways) >= 80
    assert sample.osm_bytes() == (out / "streets.osm").read_bytes()


def test_every_stop_station_car_and_lot_is_near_a_usable_street(osm):
    import networkx as nx
    for mode in ("walk", "bike", "car"):
        g = osm.graph(mode)
        main = max((nx.weakly_connected_components(g) if g.is_directed() else nx.connected_components(g)), key=len)
        segs = [(osm.nodes[u], osm.nodes[v]) for u, v in g.edges if u in main]
        for pid, (kind, c) in _points().items():
            if kind == mode or (kind == "bike" and mode == "walk"):
                d = min(_seg_dist_m(c, a, b) for a, b in segs)
                assert d <= 60, f"{pid} is {d:.0f} m from the nearest {mode} street"


def test_streets_are_a_named_grid_about_200_m_apart(osm):
    roads = [w for w in osm.ways if w[2].get("highway") in ROADS - {"service"} and "bridge" not in w[2]]
    assert all(w[2].get("name") for w in roads)
    assert {"primary", "secondary", "tertiary", "residential", "trunk"} <= {w[2]["highway"] for w in roads}
    assert any("maxspeed" in w[2] for w in roads) and any("maxspeed" not in w[2] for w in roads)
    names = {w[2]["name"] for w in roads}
    assert {"Bulevardul Revoluției din 1989", "Strada Paris", "Calea Aradului", "Calea Șagului"} <= names
    lats = sorted({osm.nodes[r[0]][0] for _, r, t in roads
                   if len({round(osm.nodes[n][0], 7) for n in r}) == 1 and t["name"] != "Centura Timișoara"})
    lons = sorted({osm.nodes[r[0]][1] for _, r, t in roads if len({round(osm.nodes[n][1], 7) for n in r}) == 1})
    gaps = [_m((a, 21.22), (b, 21.22)) for a, b in zip(lats, lats[1:])] + \
           [_m((45.75, a), (45.75, b)) for a, b in zip(lons, lons[1:])]
    across_river = [g for g in gaps if g < 140]
    assert len(across_river) == 1 and 60 < across_river[0] < 120      # the two banks' splaiuri
    assert all(150 <= g <= 250 for g in gaps if g >= 140), gaps
    assert len(lats) >= 40 and len(lons) >= 20


def test_the_bega_is_crossed_on_exactly_two_bridges(osm):
    import networkx as nx
    (river,) = [w for w in osm.ways if w[2].get("waterway") == "river"]
    assert river[2]["name"] == "Bega"
    rline = [osm.nodes[n] for n in river[1]]
    assert all(45.751 < lat < 45.754 for lat, _ in rline)
    assert rline[0][1] < 21.196 and rline[-1][1] > 21.254        # west to east across the whole city
    crossing = set()
    for wid, refs, tags in osm.ways:
        if "highway" not in tags:
            continue
        for u, v in zip(refs, refs[1:]):
            if any(_crosses(osm.nodes[u], osm.nodes[v], a, b) for a, b in zip(rline, rline[1:])):
                crossing.add(wid)
                assert tags.get("bridge") == "yes" and tags.get("layer") == "1", tags
    assert len(crossing) == 2
    assert not set(river[1]) & {n for _, refs, t in osm.ways if "highway" in t for n in refs}

    g = osm.graph("walk")
    cat, pv2 = (45.7511, 21.2236), (45.7530, 21.2262)            # stops CAT (south) and PV2 (north)
    a, b = osm.nearest(g, cat), osm.nearest(g, pv2)
    length, nodes = osm.path(g, a, b)
    assert length > 4 * _m(cat, pv2)                              # ~1.5 km on foot, ~0.3 km crow-fly
    assert sum(t.get("bridge") == "yes" for t in osm.way_tags_on(g, nodes)) >= 1
    g.remove_edges_from([(u, v) for u, v, d in g.edges(data=True) if d["way"] in crossing])
    assert not nx.has_path(g, a, b)


def _restricted_case(osm, a, b):
    full = osm.graph("walk")
    free = osm.graph("walk", step_free=True)
    d_full, p_full = osm.path(full, a, b)
    d_free, p_free = osm.path(free, a, b)
    on_full = osm.way_tags_on(full, p_full)
    on_free = osm.way_tags_on(free, p_free)
    raised = {n for n, t in osm.node_tags.items() if t.get("kerb") == "raised"}
    return d_full, p_full, on_full, d_free, p_free, on_free, raised


def test_steps_are_the_short_way_and_the_ramp_is_the_step_free_one(osm):
    full = osm.graph("walk")
    a = osm.nearest(full, (45.7568, 21.2222))          # stop P7 (Piața 700)
    b = osm.nearest(full, (45.7542, 21.2252))          # stop PV1 (Piața Victoriei, Operă)
    d_full, _, on_full, d_free, _, on_free, _ = _restricted_case(osm, a, b)
    assert any(t["highway"] == "steps" for t in on_full)
    assert not any(t["highway"] == "steps" for t in on_free)
    assert any(t.get("incline") == "6%" and t.get("wheelchair") == "yes" for t in on_free)   # the ramp
    assert 30 < d_free - d_full < 120, (d_full, d_free)
    roads_only = osm.graph("walk", exclude=lambda t: t["highway"] in ("footway", "steps"))
    d_roads, _ = osm.path(roads_only, a, b)
    assert d_roads > d_free + 50                        # the ramp is worth taking


def test_raised_kerb_blocks_the_short_crossing(osm):
    north = osm.node_at((sample_streets.SIDEWALK_N, sample_streets.RAISED_CROSSING_LON))
    south = osm.node_at((sample_streets.SIDEWALK_S, sample_streets.RAISED_CROSSING_LON))
    d_full, p_full, _, d_free, p_free, _, raised = _restricted_case(osm, north, south)
    assert set(p_full) & raised and not set(p_free) & raised
    assert d_full < 35
    lowered = {n for n, t in osm.node_tags.items() if t.get("kerb") == "lowered"}
    assert len(set(p_free) & lowered) == 2 and d_free < 150 and d_free > 3 * d_full
    crossings = {n for n, t in osm.node_tags.items() if t.get("highway") == "crossing"}
    assert len(set(p_full) & crossings) == 1 and len(set(p_free) & crossings) == 1
    (blvd,) = [w for w in osm.named("Bulevardul Vasile Pârvan") if w[2].get("sidewalk") == "separate"]
    assert crossings <= set(blvd[1])                  # the crossings are on the boulevard itself
    assert len([w for w in osm.ways if w[2].get("footway") == "sidewalk"]) == 2


@pytest.mark.parametrize("a, b, tag", [
    ((45.7554, 21.2270), (45.7583, 21.2291), ("wheelchair", "no")),      # Pasajul Libertății, PLI -> PU
    ((45.7439, 21.2369), (45.7457, 21.2395), ("incline", "12%")),        # Aleea Sportivilor by CSM
])
def test_wheelchair_no_and_steep_footways_are_short_ways_a_wheelchair_avoids(osm, a, b, tag):
    na, nb = osm.node_at(a), osm.node_at(b)
    d_full, _, on_full, d_free, _, on_free, _ = _restricted_case(osm, na, nb)
    k, v = tag
    assert any(t.get(k) == v for t in on_full) and not any(t.get(k) == v for t in on_free)
    assert d_free > d_full + 80, (d_full, d_free)


def test_one_way_street_makes_cars_go_around(osm):
    g = osm.graph("car")
    (way,) = [w for w in osm.named("Strada Mărășești")]
    assert way[2]["oneway"] == "yes"
    lons = [osm.nodes[n][1] for n in way[1]]
    assert lons == sorted(lons) and _m(osm.nodes[way[1][0]], osm.nodes[way[1][-1]]) > 1000   # eastbound
    for u, v in zip(way[1], way[1][1:]):
        fwd, _ = osm.path(g, u, v)
        back, _ = osm.path(g, v, u)
        assert fwd == pytest.approx(_m(osm.nodes[u], osm.nodes[v]))
        assert back > fwd + 250                        # round the block


def test_cycleway_and_trunk(osm):
    import networkx as nx
    (cyc,) = osm.named("Pista de biciclete Bega")
    assert cyc[2]["highway"] == "cycleway"
    bike = osm.graph("bike")
    main = max(nx.connected_components(bike), key=len)
    assert set(cyc[1]) <= main
    # along the splai, a little longer (it follows the river): a router that prefers it shows it
    (splai,) = osm.named("Splaiul Nicolae Titulescu")
    along = lambda refs: sum(_m(osm.nodes[u], osm.nodes[v]) for u, v in zip(refs, refs[1:]))  # noqa: E731
    assert 1.0 < along(cyc[1]) / along(splai[1]) < 1.05
    # on the north bank, between the river and Splaiul Nicolae Titulescu, joined to it in several places
    assert all(sample_streets.river_lat(lon) < lat < sample_streets.SPLAI_N for lat, lon in
               (osm.nodes[n] for n in cyc[1]))
    links = [w for w in osm.ways if w[2].get("highway") == "cycleway" and w is not cyc]
    assert len(links) >= 4
    (trunk,) = [w for w in osm.ways if w[2].get("highway") == "trunk"]
    assert trunk[2]["name"] == "Centura Timișoara" and trunk[2].get("maxspeed") == "70"
    assert trunk[0] not in {d["way"] for _, _, d in bike.edges(data=True)}
    ends = trunk[1][0], trunk[1][-1]
    car = osm.graph("car")
    d_car, p_car = osm.path(car, *ends)
    assert {car.edges[u, v]["way"] for u, v in zip(p_car, p_car[1:])} == {trunk[0]}
    d_bike, p_bike = osm.path(bike, *ends)
    assert trunk[0] not in {bike.edges[u, v]["way"] for u, v in zip(p_bike, p_bike[1:])}
    assert d_bike > d_car


def test_surfaces_sidewalks_island_and_places(osm):
    import networkx as nx
    surfaces = {w[2].get("surface") for w in osm.ways if "highway" in w[2]}
    assert {"sett", "cobblestone"} <= surfaces
    assert any(w[2].get("sidewalk") == "both" for w in osm.ways)
    # the car-park aisle by P+R Shopping City is an island: nearer to the lot than any street
    car = osm.graph("car")
    (aisle,) = [w for w in osm.ways if w[2].get("service") == "parking_aisle"]
    main = max(nx.weakly_connected_components(car), key=len)
    assert not set(aisle[1]) & main
    lot = next((p[3], p[2]) for p in sample.PARKING if p[0] == "pr-1")
    d_aisle = _seg_dist_m(lot, osm.nodes[aisle[1][0]], osm.nodes[aisle[1][-1]])
    d_main = min(_seg_dist_m(lot, osm.nodes[u], osm.nodes[v]) for u, v in car.edges if u in main)
    assert d_aisle < d_main <= 60
    # places with names and addresses on streets that exist, next to the stops they name
    street_names = {w[2]["name"] for w in osm.ways if "highway" in w[2] and "name" in w[2]}
    places = {t["name"]: n for n, t in osm.node_tags.items() if "name" in t}
    stops = {s[0]: (s[2], s[3]) for s in sample.STOPS}
    for name, stop in [("Iulius Town", "IM"), ("Catedrala Mitropolitană", "CAT"), ("Opera Națională Română", "PV1")]:
        assert _m(osm.nodes[places[name]], stops[stop]) < 150, name
    assert osm.node_tags[places["Iulius Town"]]["shop"] == "mall"
    (uvt,) = osm.named("Universitatea de Vest")
    assert uvt[1][0] == uvt[1][-1] and uvt[2]["amenity"] == "university"       # an area
    assert min(_m(osm.nodes[n], stops["UVT"]) for n in uvt[1]) < 100
    addresses = [t for t in osm.node_tags.values() if "addr:street" in t] + \
                [w[2] for w in osm.ways if "addr:street" in w[2]]
    assert all(t["addr:street"] in street_names for t in addresses)
    paris = {t["addr:housenumber"]: t for t in addresses if t["addr:street"] == "Strada Paris"}
    assert set(paris) == {str(n) for n in range(1, 13)} and paris["2"]["amenity"] == "pharmacy"
