"""Streets: the OSM graph, the street search kernels and street legs, against independent oracles.

* the numba Dijkstra against scipy's csgraph on random graphs;
* walking legs of plans on the STPT network built with the real Timișoara OSM extract against
  networkx shortest paths over the OSM ways read independently with pyosmium (never shorter,
  at most 15 % longer); wheelchair and stroller legs against the OSM ways' steps, raised kerbs,
  ``wheelchair=no`` and inclines; the earliest arrivals against the CSA oracle fed the footpaths
  that ``maas transfers`` prints for the street network;
* the sample city's OSM file (``maas sample``): the river, the steps with a ramp beside them,
  step-free routing, one-way streets, and the bad-input cases of ``maas build --osm``.
"""
from __future__ import annotations

import math
import random
import subprocess
import sys
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from conftest import OSM_TIMISOARA, REAL_FEEDS
from maas.planner.instructions import encode_polyline
from maas.router.streets import street_search, street_search_to, trace_edges

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "feeds" / "timisoara"
WALK_HW = {"footway", "pedestrian", "path", "steps", "living_street", "residential", "service", "unclassified",
           "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "track",
           "cycleway", "corridor", "elevator", "platform", "bridleway", "road"}


def _m(a, b) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(h, 1.0)))


def _line_m(geom) -> float:
    return sum(_m(a, b) for a, b in zip(geom, geom[1:]))


# ----------------------------------------------------------------------------- kernel vs scipy

@settings(max_examples=40, deadline=None)
@given(st.integers(3, 40), st.data())
def test_street_search_equals_scipy_dijkstra(n, data):
    m = data.draw(st.integers(1, 4 * n))
    tail = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), np.int64)
    head = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), np.int64)
    w = np.array(data.draw(st.lists(st.floats(0.1, 100.0), min_size=m, max_size=m)))
    keep = tail != head
    tail, head, w = tail[keep], head[keep], w[keep]
    order = np.lexsort((head, tail))
    tail, head, w = tail[order], head[order], w[order]
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, tail + 1, 1)
    ptr = np.cumsum(ptr)
    src = data.draw(st.integers(0, n - 1))
    res = street_search(ptr, np.arange(len(head), dtype=np.int32), head.astype(np.int32), w, w,
                        np.array([src], np.int32), np.zeros(1), np.zeros(1), np.inf, np.inf, np.zeros(0, np.int32))
    # scipy keeps the cheapest of parallel edges
    g = {}
    for a, b, x in zip(tail.tolist(), head.tolist(), w.tolist()):
        g[(a, b)] = min(x, g.get((a, b), np.inf))
    mat = csr_matrix((list(g.values()), ([k[0] for k in g], [k[1] for k in g])), shape=(n, n))
    want = dijkstra(mat, directed=True, indices=src)
    np.testing.assert_allclose(res.cost, want, rtol=1e-9)
    # parents rebuild a path of exactly the label's cost
    for v in range(n):
        if np.isfinite(res.cost[v]) and v != src:
            total, x = 0.0, v
            while res.parent[x] >= 0:
                e = res.parent[x]
                total += w[e]
                x = tail[e]
            assert x == src and abs(total - res.cost[v]) < 1e-6


@settings(max_examples=60, deadline=None)
@given(st.integers(4, 60), st.data())
def test_astar_toward_a_place_equals_scipy_dijkstra_at_its_targets(n, data):
    """street_search_to (A*: planar metres to the goal as the bound) prices its targets as a
    full Dijkstra does, and trace_edges rebuilds paths of exactly those costs."""
    xy = np.array(data.draw(st.lists(st.tuples(st.floats(0, 2000), st.floats(0, 2000)), min_size=n, max_size=n)))
    m = data.draw(st.integers(n, 5 * n))
    tail = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), np.int64)
    head = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), np.int64)
    detour = np.array(data.draw(st.lists(st.floats(1.0, 1.5), min_size=m, max_size=m)))
    penalty = np.array(data.draw(st.lists(st.sampled_from([1.0, 1.0, 1.3, 2.5, np.inf]), min_size=m, max_size=m)))
    keep = tail != head
    tail, head, detour, penalty = tail[keep], head[keep], detour[keep], penalty[keep]
    order = np.lexsort((head, tail))
    tail, head, detour, penalty = tail[order], head[order], detour[order], penalty[order]
    length = np.hypot(*(xy[tail] - xy[head]).T) * detour + 0.01   # a street is never shorter than straight
    speed = 1.33
    cost = length / speed * penalty
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, tail + 1, 1)
    ptr = np.cumsum(ptr)
    src = data.draw(st.integers(0, n - 1))
    targets = np.unique(np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2)), np.int32))
    goal = xy[targets].mean(axis=0)
    slack = float(np.max(np.hypot(*(xy[targets] - goal).T))) + 1e-6
    res = street_search_to(ptr, np.arange(len(head), dtype=np.int32), head.astype(np.int32), cost, length,
                           np.array([src], np.int32), np.zeros(1), np.zeros(1), np.inf, np.inf, targets,
                           xy[:, 0].copy(), xy[:, 1].copy(), float(goal[0]), float(goal[1]), slack, 1 / speed)
    g = {}
    for a, b, x in zip(tail.tolist(), head.tolist(), cost.tolist()):
        if np.isfinite(x):
            g[(a, b)] = min(x, g.get((a, b), np.inf))
    mat = csr_matrix((list(g.values()), ([k[0] for k in g], [k[1] for k in g])), shape=(n, n))
    want = dijkstra(mat, directed=True, indices=src)
    np.testing.assert_allclose(res.cost[targets], want[targets], rtol=1e-9)
    for v in targets.tolist():
        if np.isfinite(want[v]):
            edges = trace_edges(res.parent, tail, v)
            assert (len(edges) == 0 and v == src) or (tail[edges[0]] == src and head[edges[-1]] == v)
            assert all(head[a] == tail[b] for a, b in zip(edges[:-1], edges[1:]))
            assert abs(cost[edges].sum() - want[v]) < 1e-6


def _polyline_scalar(points, precision=5) -> str:
    """The algorithm as documented, one value at a time (the oracle of the vectorised encoder)."""
    factor, out, prev = 10 ** precision, [], [0, 0]
    for pt in points:
        for i in (0, 1):
            cur = int(round(pt[i] * factor))
            v = cur - prev[i]
            v = ~(v << 1) if v < 0 else v << 1
            while v >= 0x20:
                out.append(chr((0x20 | (v & 0x1F)) + 63))
                v >>= 5
            out.append(chr(v + 63))
            prev[i] = cur
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180)), max_size=300))
def test_polyline_equals_the_scalar_algorithm(points):
    assert encode_polyline([list(p) for p in points]) == _polyline_scalar(points)


def test_polyline_matches_the_reference_example():
    # the example of Google's encoded polyline algorithm documentation
    assert encode_polyline([[38.5, -120.2], [40.7, -120.95], [43.252, -126.453]]) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


# ----------------------------------------------------------------------------- the real city

class OsmOracle:
    """The walkable ways of an OSM file read with pyosmium, as a networkx graph (metres)."""

    def __init__(self, path: Path):
        import osmium
        self.g = nx.Graph()
        self.pos: dict[int, tuple[float, float]] = {}
        self.raised: set[tuple[float, float]] = set()
        self.bad_for_wheelchair: set[frozenset] = set()
        self.steps: set[frozenset] = set()
        for o in osmium.FileProcessor(str(path)).with_locations():
            tags = {t.k: t.v for t in o.tags}
            if o.is_node():
                if tags.get("kerb") == "raised":
                    self.raised.add((round(o.location.lat, 6), round(o.location.lon, 6)))
                continue
            if not o.is_way():
                continue
            hw = tags.get("highway")
            walk = hw in WALK_HW or tags.get("public_transport") == "platform" or tags.get("railway") == "platform"
            if tags.get("foot") in ("no", "private", "use_sidepath"):
                walk = False
            if tags.get("access") in ("no", "private") and tags.get("foot") not in ("yes", "designated", "permissive"):
                walk = False
            if tags.get("sidewalk") == "separate" and hw not in ("footway", "path", "pedestrian", "steps") \
                    and tags.get("foot") not in ("yes", "designated"):
                walk = False
            pts = [(n.ref, (n.location.lat, n.location.lon)) for n in o.nodes if n.location.valid()]
            try:
                inc = abs(float(tags.get("incline", "").rstrip("%")))
            except ValueError:
                inc = 0.0
            for (a, pa), (b, pb) in zip(pts, pts[1:]):
                key = frozenset({(round(pa[0], 6), round(pa[1], 6)), (round(pb[0], 6), round(pb[1], 6))})
                if hw == "steps":
                    self.steps.add(key)
                if hw == "steps" or tags.get("wheelchair") == "no" or inc > 8:
                    self.bad_for_wheelchair.add(key)
                if walk and a != b:
                    self.pos[a], self.pos[b] = pa, pb
                    d = _m(pa, pb)
                    if not self.g.has_edge(a, b) or self.g[a][b]["w"] > d:
                        self.g.add_edge(a, b, w=d)
        self.at = {(round(p[0], 6), round(p[1], 6)): n for n, p in self.pos.items()}


@pytest.fixture(scope="module")
def osm_oracle():
    if not OSM_TIMISOARA.is_file():
        pytest.skip(f"shared data not available: {OSM_TIMISOARA} is missing")
    return OsmOracle(OSM_TIMISOARA)


def _inner_osm_path(leg, oracle) -> tuple[list, int, int] | None:
    """The part of a leg's geometry between its first and last OSM node, and those nodes."""
    geom = [tuple(p) for p in leg["geometry"]]
    idx = [i for i, p in enumerate(geom) if p in oracle.at]
    if len(idx) < 2:
        return None
    i, j = idx[0], idx[-1]
    return geom[i:j + 1], oracle.at[geom[i]], oracle.at[geom[j]]


def _random_points(net, rng, n):
    b = net.streets.bbox
    return [(rng.uniform(45.735, 45.775), rng.uniform(21.19, 21.26)) for _ in range(n)]


@pytest.mark.slow
def test_walking_legs_are_shortest_street_paths(real_networks, osm_oracle):
    net = real_networks.network("stpt-osm")
    rng = random.Random(8)
    pts = _random_points(net, rng, 60)
    checked = 0
    for k in range(30):
        o, d = pts[2 * k], pts[2 * k + 1]
        res = net.plan(f"{o[0]},{o[1]}", f"{d[0]},{d[1]}", REAL_FEEDS["stpt"].date, "08:00", modes=["WALK", "TRANSIT"])
        for it in res["itineraries"]:
            for leg in it["legs"]:
                if leg["mode"] != "WALK" or leg["street_model"] != "osm":
                    continue
                # the leg's distance is its geometry's length
                assert abs(_line_m(leg["geometry"]) - leg["distance_m"]) <= 0.01 * leg["distance_m"] + 2.0
                inner = _inner_osm_path(leg, osm_oracle)
                if inner is None:
                    continue
                geom, a, b = inner
                got = _line_m(geom)
                want = nx.dijkstra_path_length(osm_oracle.g, a, b, weight="w")
                assert got >= want - 0.5, (leg["from"], leg["to"], got, want)
                assert got <= 1.15 * want + 1.0, (leg["from"], leg["to"], got, want)
                checked += 1
    assert checked >= 40, f"only {checked} walking legs on the streets were checked"


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["wheelchair", "stroller"])
def test_step_free_walks_avoid_steps_raised_kerbs_and_wheelchair_no(real_networks, osm_oracle, profile):
    net = real_networks.network("stpt-osm")
    rng = random.Random(11)
    pts = _random_points(net, rng, 40)
    legs = 0
    for k in range(20):
        o, d = pts[2 * k], pts[2 * k + 1]
        res = net.plan(f"{o[0]},{o[1]}", f"{d[0]},{d[1]}", REAL_FEEDS["stpt"].date, "09:00",
                       modes=["WALK", "TRANSIT"], profile=profile)
        for it in res["itineraries"]:
            for leg in it["legs"]:
                if leg["mode"] != "WALK" or leg["street_model"] != "osm":
                    continue
                legs += 1
                geom = [tuple(p) for p in leg["geometry"]]
                for p, q in zip(geom, geom[1:]):
                    key = frozenset({p, q})
                    assert key not in osm_oracle.steps, f"{profile} walk uses steps at {p}"
                    if profile == "wheelchair":
                        assert key not in osm_oracle.bad_for_wheelchair, f"wheelchair walk on a forbidden way at {p}"
                assert not (set(geom) & osm_oracle.raised), f"{profile} walk over a raised kerb"
                assert leg["wheelchair"] in ("accessible", "unknown")
    assert legs >= 20


@pytest.mark.slow
def test_the_default_profile_does_take_steps_somewhere(real_networks, osm_oracle):
    """The step-free test above could pass by accident if no walk ever met steps: show that the
    router takes steps for the default profile where they are the short way, and that the
    street footpaths of step-free profiles are never shorter than the default ones."""
    net = real_networks.network("stpt-osm")
    tt = net.tt
    d_ptr, d_to, d_m = tt.arrays["fp_default_ptr"], tt.arrays["fp_default_to"], tt.arrays["fp_default_m"]
    w_ptr, w_to, w_m = tt.arrays["fp_wheelchair_ptr"], tt.arrays["fp_wheelchair_to"], tt.arrays["fp_wheelchair_m"]
    default = {(a, int(b)): float(m) for a in range(tt.n_stops)
               for b, m in zip(d_to[d_ptr[a]:d_ptr[a + 1]], d_m[d_ptr[a]:d_ptr[a + 1]])}
    longer = 0
    for a in range(tt.n_stops):
        for b, m in zip(w_to[w_ptr[a]:w_ptr[a + 1]].tolist(), w_m[w_ptr[a]:w_ptr[a + 1]].tolist()):
            if (a, b) in default:
                assert m >= default[(a, b)] - 0.5
                longer += m > default[(a, b)] + 5
    assert longer >= 5, "no footpath is longer step-free: the step-free rules changed nothing"
    assert len(w_to) < len(d_to)
    uses_steps = 0
    for a in range(tt.n_stops):
        for j in range(int(d_ptr[a]), int(d_ptr[a + 1])):
            b = int(d_to[j])
            p = net.streets.walk_between("default", (net.stop_lats[a], net.stop_lons[a]),
                                         (net.stop_lats[b], net.stop_lons[b]), 600, stops=(a, b))
            if p is not None and p.flags & 1:
                uses_steps += 1
        if uses_steps >= 3:
            break
    assert uses_steps >= 3


@pytest.mark.slow
def test_street_footpaths_are_real_walks_and_keep_exact_arrivals(real_networks, osm_oracle):
    net = real_networks.network("stpt-osm")
    csv = real_networks.transfers_csv("stpt-osm")
    rows = [r.split(",") for r in csv.strip().splitlines()[1:]]
    assert len(rows) > 1000
    # footpaths between stops linked to the streets are street walks: never shorter than the
    # shortest path between their nearest OSM nodes, minus the two snaps
    from test_real_feeds import compare, random_queries
    csa = real_networks.csa("stpt-osm")
    day = REAL_FEEDS["stpt"].date
    found = 0
    for o, d, t0 in random_queries(net, seed=88, n=25):
        got, _ = compare(net, csa, o, d, day, t0)
        found += got is not None
    assert found >= 12


@pytest.mark.slow
def test_build_reports_and_reuses_streets(real_networks, tmp_path):
    net = real_networks.network("stpt-osm")
    st_meta = net.tt.meta["streets"]
    assert st_meta["nodes"] > 30_000 and st_meta["edges"]["walk"] > st_meta["edges"]["car"] > 10_000
    assert 500 < st_meta["linked_stops"] < 800, st_meta   # about 620 of 921 stops lie inside the extract
    import maas
    again = maas.build_network([str(REAL_FEEDS["stpt"].path)], out=net.folder, osm=[str(OSM_TIMISOARA)])
    assert again.reused_build
    assert isinstance(again.streets.g.arrays["walk_head"], np.ndarray)


# ----------------------------------------------------------------------------- the sample city

@pytest.fixture(scope="module")
def sample_net(tmp_path_factory):
    import maas
    out = tmp_path_factory.mktemp("sample-streets")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return maas.build_network([str(SAMPLE / "gtfs.zip")], out=out, osm=[str(SAMPLE / "streets.osm")])


def _walk_only(net, a, b, profile="default"):
    res = net.plan(a, b, "2026-11-24", "08:00", modes=["WALK"], profile=profile)
    return res["itineraries"][0]["legs"][0] if res["itineraries"] else None


def test_sample_steps_are_taken_by_default_and_avoided_step_free(sample_net):
    default = _walk_only(sample_net, "stop:P7", "stop:PV1")
    wheel = _walk_only(sample_net, "stop:P7", "stop:PV1", "wheelchair")
    assert default["street_model"] == wheel["street_model"] == "osm"
    assert any(s["kind"] == "steps" for s in default["steps"])
    assert not any(s["kind"] == "steps" for s in wheel["steps"])
    assert wheel["distance_m"] > default["distance_m"] + 20
    assert any(n["feature"] == "steps" for n in default["accessibility_notes"])
    assert default["wheelchair"] == "not_accessible" and wheel["wheelchair"] in ("accessible", "unknown")


def test_sample_river_makes_walks_long(sample_net):
    # Catedrala and Piața Victoriei (Catedrala) are 292 m apart across the Bega, 1.5 km on foot
    leg = _walk_only(sample_net, "stop:CAT", "stop:PV2")
    assert leg["street_model"] == "osm" and leg["distance_m"] > 1000
    crow = _m((45.7511, 21.2236), (45.7530, 21.2262))
    assert leg["distance_m"] > 3 * crow
    # the footpaths the router relaxes know it too: no 400 m footpath across the river
    net = sample_net
    pa = net.profile_arrays(__import__("maas.planner.profiles", fromlist=["get_profile"]).get_profile("default"))
    cat, pv2 = net.stop_lookup["CAT"], net.stop_lookup["PV2"]
    assert (cat, pv2) not in pa["fp_secs"]


def test_sample_steps_in_both_languages_and_polyline(sample_net):
    res = sample_net.plan("stop:P7", "stop:PV1", "2026-11-24", "08:00", modes=["WALK"], lang="ro")
    leg = res["itineraries"][0]["legs"][0]
    assert leg["steps"] and all(s["instruction"] for s in leg["steps"])
    assert any(w in leg["steps"][0]["instruction"] for w in ("Mergeți", "Continuați"))
    assert leg["polyline"] == encode_polyline(leg["geometry"])


def test_steps_add_up_to_the_walk(sample_mob_net):
    """Steps cover the street part of a leg: their metres add up to the leg's distance less the
    two walks between the points and the street (the first and last geometry segments)."""
    rng = random.Random(9)
    checked = 0
    for _ in range(25):
        o = (rng.uniform(45.725, 45.795), rng.uniform(21.2, 21.25))
        d = (rng.uniform(45.725, 45.795), rng.uniform(21.2, 21.25))
        res = sample_mob_net.plan(f"{o[0]},{o[1]}", f"{d[0]},{d[1]}", "2026-11-24", "08:00",
                                  modes=["WALK", "TRANSIT", "BIKE_SHARE"])
        for leg in _all_legs(res):
            if leg["mode"] not in ("WALK", "BIKE_SHARE") or leg["street_model"] != "osm" or not leg["steps"]:
                continue
            g = leg["geometry"]
            snaps = _m(g[0], g[1]) + _m(g[-2], g[-1])   # the walks onto and off the street, at most
            total = sum(st["distance_m"] for st in leg["steps"])
            assert leg["distance_m"] - snaps - 2.0 <= total <= leg["distance_m"] + 1.0, (total, leg["distance_m"], snaps)
            checked += 1
    assert checked >= 10


def test_sample_one_way_street_is_one_way_for_cars(sample_net):
    g = sample_net.streets.g
    name = g.names.index("Strada Mărășești")
    car = np.flatnonzero(g.arrays["car_name"] == name)
    walk = np.flatnonzero(g.arrays["walk_name"] == name)
    assert len(car) and len(walk) >= 2 * len(car) - 2
    pairs = set(zip(g.arrays["car_tail"][car].tolist(), g.arrays["car_head"][car].tolist()))
    assert not any((b, a) in pairs for a, b in pairs)


def test_sample_cycleway_is_cheap_and_trunk_dear_for_bikes(sample_net):
    g = sample_net.streets.g
    kinds = g.arrays["bike_kind"]
    from maas.streets.graph import KINDS
    f = g.arrays["bike_factor"]
    cyc = f[kinds == KINDS.index("cycleway")]
    trunk = f[kinds == KINDS.index("trunk")]
    res = f[kinds == KINDS.index("residential")]
    assert len(cyc) and cyc.max() < res.min()
    assert not len(trunk) or trunk.min() > 2 * res.max()


def test_walk_only_request_beyond_the_limit_has_no_direct_walk(sample_net):
    res = sample_net.plan("stop:SHC", "stop:DUM", "2026-11-24", "08:00", modes=["WALK"])
    assert res["itineraries"] == []
    assert res["messages"]


# ----------------------------------------------------------------------------- bad input

def _maas(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "maas.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("make", ["missing", "not_osm", "truncated", "empty"])
def test_bad_osm_file_is_one_clear_line(tmp_path, make):
    path = tmp_path / "streets.osm.pbf"
    if make == "not_osm":
        path = tmp_path / "streets.osm"
        path.write_text("this is not OSM\n")
    elif make == "truncated":
        data = OSM_TIMISOARA.read_bytes()[:200_000] if OSM_TIMISOARA.is_file() else None
        if data is None:
            src = (SAMPLE / "streets.osm").read_bytes()
            path = tmp_path / "streets.osm"
            path.write_bytes(src[: len(src) // 2])
        else:
            path.write_bytes(data)
    elif make == "empty":
        path.write_bytes(b"")
    r = _maas("build", str(SAMPLE / "gtfs.zip"), "-o", str(tmp_path / "net"), "--osm", str(path))
    assert r.returncode == 2, r.stderr
    lines = [x for x in r.stderr.strip().splitlines() if x]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "streets.osm" in lines[0]


def test_osm_that_misses_the_feed_warns_and_legs_say_crow_fly(tmp_path):
    far = tmp_path / "far.osm"
    nodes = "".join(f'<node id="{i + 1}" lat="{44.0 + i * 0.001:.4f}" lon="26.0"/>' for i in range(60))
    nds = "".join(f'<nd ref="{i + 1}"/>' for i in range(60))
    far.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}<way id="1">{nds}'
                   '<tag k="highway" v="residential"/></way></osm>')
    r = _maas("build", str(SAMPLE / "gtfs.zip"), "-o", str(tmp_path / "net"), "--osm", str(far))
    assert r.returncode == 0, r.stderr
    assert "does not overlap" in r.stderr
    import maas
    net = maas.load_network(tmp_path / "net")
    res = net.plan("45.7503,21.2081", "45.7665,21.2270", "2026-11-24", "08:00")
    legs = [leg for it in res["itineraries"] for leg in it["legs"] if leg["mode"] == "WALK"]
    assert legs and all(leg["street_model"] == "crow_fly" for leg in legs)


# ----------------------------------------------------------------------------- shared modes on streets

class SampleOsm:
    """The sample's OSM ways read with pyosmium: node positions, one-way car segments, and a
    directed car graph and an undirected bike graph for networkx (metres)."""

    CAR = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
           "living_street", "service", "motorway_link", "trunk_link", "primary_link", "secondary_link",
           "tertiary_link"}

    def __init__(self, path: Path):
        import osmium
        self.pos: dict[int, tuple[float, float]] = {}
        self.car = nx.DiGraph()
        self.wrong_way: set[tuple] = set()
        for o in osmium.FileProcessor(str(path)).with_locations():
            if not o.is_way():
                continue
            tags = {t.k: t.v for t in o.tags}
            pts = [(n.ref, (round(n.location.lat, 6), round(n.location.lon, 6))) for n in o.nodes]
            hw = tags.get("highway")
            car = hw in self.CAR and tags.get("access") not in ("no", "private") \
                and tags.get("motor_vehicle") not in ("no", "private")
            oneway = tags.get("oneway") in ("yes", "1", "true") or tags.get("junction") == "roundabout"
            for (a, pa), (b, pb) in zip(pts, pts[1:]):
                self.pos[a], self.pos[b] = pa, pb
                if oneway:
                    self.wrong_way.add((pb, pa))
                if car:
                    d = _m(pa, pb)
                    self.car.add_edge(a, b, w=d)
                    if not oneway:
                        self.car.add_edge(b, a, w=d)
        self.at = {p: n for n, p in self.pos.items()}


@pytest.fixture(scope="module")
def sample_mob_net(tmp_path_factory):
    import maas
    out = tmp_path_factory.mktemp("sample-streets-mob")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return maas.build_network([str(SAMPLE / "gtfs.zip")], out=out, osm=[str(SAMPLE / "streets.osm")],
                                  gbfs=[str(SAMPLE / "gbfs" / "velotm"), str(SAMPLE / "gbfs" / "carshare")],
                                  parking=str(SAMPLE / "park_and_ride.geojson"))


@pytest.fixture(scope="module")
def sample_osm():
    return SampleOsm(SAMPLE / "streets.osm")


ALL = ["WALK", "TRANSIT", "BIKE_SHARE", "CAR_SHARE", "PARK_RIDE"]


def _all_legs(res):
    for it in res["itineraries"] + [p["itinerary"] for p in res["park_and_ride"]]:
        yield from it["legs"]


def test_shared_mode_legs_follow_the_streets(sample_mob_net, sample_osm):
    rng = random.Random(5)
    seen: dict[str, int] = {}
    for _ in range(40):
        o = (rng.uniform(45.722, 45.797), rng.uniform(21.198, 21.252))
        d = (rng.uniform(45.722, 45.797), rng.uniform(21.198, 21.252))
        res = sample_mob_net.plan(f"{o[0]},{o[1]}", f"{d[0]},{d[1]}", "2026-11-24", "08:00", modes=ALL)
        for leg in _all_legs(res):
            if leg["mode"] not in ("WALK", "BIKE_SHARE", "CAR_SHARE", "CAR"):
                continue
            assert leg["street_model"] == "osm", leg      # the whole sample city has streets
            seen[leg["mode"]] = seen.get(leg["mode"], 0) + 1
            # the distance is the geometry's, the polyline encodes it
            assert abs(_line_m(leg["geometry"]) - leg["distance_m"]) <= 0.01 * leg["distance_m"] + 2.0
            if leg["mode"] in ("CAR", "CAR_SHARE"):
                geom = [tuple(p) for p in leg["geometry"]]
                for p, q in zip(geom, geom[1:]):
                    assert (p, q) not in sample_osm.wrong_way, f"{leg['mode']} drives against a one-way street at {p}"
                nodes = [sample_osm.at[p] for p in geom if p in sample_osm.at]
                if len(nodes) >= 2 and nodes[0] != nodes[-1]:
                    inner = [p for p in geom if p in sample_osm.at]
                    i, j = geom.index(inner[0]), len(geom) - 1 - geom[::-1].index(inner[-1])
                    got = _line_m(geom[i:j + 1])
                    want = nx.dijkstra_path_length(sample_osm.car, nodes[0], nodes[-1], weight="w")
                    assert got >= want - 0.5, (got, want)   # never shorter than the shortest legal drive
            if leg["mode"] == "BIKE_SHARE":
                assert leg["steps"], "bike legs have turn-by-turn steps"
    for mode in ("WALK", "BIKE_SHARE", "CAR_SHARE", "CAR"):
        assert seen.get(mode, 0) >= 2, f"only {seen} street legs by mode: {mode} was never used"


def test_shared_mode_times_are_the_street_times(sample_mob_net):
    """A bike-share itinerary's legs add up, and its bike leg's time is the street ride's
    (bike graph at the bike speed, with the cycleway factor, plus unlock and dock)."""
    net = sample_mob_net
    res = net.plan("stop:GN", "stop:CSM", "2026-11-24", "08:00", modes=["WALK", "BIKE_SHARE"])
    its = [it for it in res["itineraries"] if any(l["mode"] == "BIKE_SHARE" for l in it["legs"])]
    assert its, res["messages"]
    it = its[0]
    import datetime as dt
    t = [dt.datetime.fromisoformat(l["departure"]) for l in it["legs"]] + [dt.datetime.fromisoformat(it["legs"][-1]["arrival"])]
    assert all(a <= b for a, b in zip(t, t[1:]))
    bike = next(l for l in it["legs"] if l["mode"] == "BIKE_SHARE")
    secs = (dt.datetime.fromisoformat(bike["arrival"]) - dt.datetime.fromisoformat(bike["departure"])).total_seconds()
    from maas.planner.settings import SETTINGS
    ride = secs - SETTINGS.unlock_s - SETTINGS.dock_s
    # cost factors are between 0.75 (cycleway) and 4 (trunk): the ride is within those speeds
    assert bike["distance_m"] / SETTINGS.bike_speed * 0.75 - 2 <= ride <= bike["distance_m"] / SETTINGS.bike_speed * 4 + 2


@pytest.mark.slow
def test_all_modes_on_the_real_streets_answer_every_request(real_networks):
    """All five modes over random places of the real city (mobility from the STPT sample): every
    request answers, every number is finite and every street leg's times add up. The first
    origin is one whose drive to a P+R lot ends on an edge a car may not use (it raised once)."""
    import json as _json
    import maas
    net0 = real_networks.network("stpt-osm")
    synth = REAL_FEEDS["stpt"].path.parent
    net = maas.load_network(net0.folder, gbfs=[str(synth / "gbfs" / "velotm"), str(synth / "gbfs" / "carshare")],
                            parking=str(synth / "park_and_ride.geojson"))
    rng = random.Random(80)
    pts = [(45.732439, 21.2077)] + [(rng.uniform(45.72, 45.79), rng.uniform(21.17, 21.27)) for _ in range(40)]
    for i, o in enumerate(pts):
        d = "stop:72" if i == 0 else f"{rng.uniform(45.73, 45.78):.5f},{rng.uniform(21.19, 21.26):.5f}"
        res = net.plan(f"{o[0]:.6f},{o[1]:.6f}", d, "2026-11-25", "10:43", modes=ALL, arrive_by=i % 5 == 4)
        _json.loads(_json.dumps(res), parse_constant=lambda c: pytest.fail(f"non-finite {c} in a plan body"))
        for leg in _all_legs(res):
            assert leg["departure"] <= leg["arrival"]


def test_every_priced_point_has_a_path_of_that_price(real_networks):
    """Reach.price (the link_prices kernel) and Reach.path agree for every mode and direction,
    points on one-way segments and on nodes included: a point priced finite is a leg on the
    streets with exactly that time and length, never a crow-fly line."""
    net = real_networks.network("stpt-osm")
    r = net.streets
    rng = random.Random(11)
    g = r.g
    one_way = np.flatnonzero(np.isinf(r.cost("car")))
    checked = on_nodes = 0
    for _ in range(25):
        lat, lon = rng.uniform(45.735, 45.775), rng.uniform(21.19, 21.26)
        lats = np.array([lat + rng.uniform(-0.006, 0.006) for _ in range(12)])
        lons = np.array([lon + rng.uniform(-0.008, 0.008) for _ in range(12)])
        # and points exactly on the nodes of car edges that are closed one way
        e = one_way[rng.randrange(len(one_way))] if len(one_way) else None
        if e is not None:
            n = int(g.arrays["car_tail"][e])
            lats, lons = np.append(lats, g.node_lat[n]), np.append(lons, g.node_lon[n])
        for key, rev in (("default", False), ("wheelchair", True), ("bike", False), ("car", True), ("car", False)):
            x = r.reach(key, lat, lon, 1500, reverse=rev)
            if x is None:
                continue
            lk = r.link(key, lats, lons, 150)
            cost, metres = x.price(lk)
            for j in np.flatnonzero(np.isfinite(cost)).tolist():
                p = x.path(lk, j, (float(lats[j]), float(lons[j])))
                assert p is not None, (key, rev, j)
                assert p.duration_s == pytest.approx(cost[j], abs=1e-6)
                assert p.distance_m == pytest.approx(metres[j], abs=1e-6)
                checked += 1
                on_nodes += lk.t[j] in (0.0, 1.0)
    assert checked > 500 and on_nodes > 0
