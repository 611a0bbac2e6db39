"""benchmarks/gen_scale_network.py at a small size: a valid GTFS, an OSM grid pyosmium reads with
the edge count the manifest claims, stops next to the streets, the same output for the same seed."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from maas.feeds.gtfs import read_gtfs
from maas.feeds.validate import validate_sources

ROOT = Path(__file__).resolve().parents[1]
WALK = {"residential", "tertiary", "primary", "footway", "steps"}


def _gen():
    spec = importlib.util.spec_from_file_location("gen_scale_network", ROOT / "benchmarks" / "gen_scale_network.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale")
    manifest = _gen().generate(out, seed=7, stops=300, routes=6, grid_n=40, headway_min=30)
    return out, manifest


def test_gtfs_is_valid_and_has_what_the_manifest_says(small):
    out, m = small
    lines, n_err, n_warn = validate_sources([str(out / "gtfs.zip")])
    assert n_err == 0 and n_warn == 0, lines
    feed = read_gtfs(out / "gtfs.zip")
    assert len(feed.stops) == m["gtfs"]["stops"] == 300
    assert len(feed.routes) == 6 and len(feed.trips) == m["gtfs"]["trips"]
    assert len(feed.stop_times) == m["gtfs"]["stop_times"]
    assert set(feed.trips["direction_id"].astype(int)) == {0, 1}
    assert feed.stop_times["departure_time"].min() >= 5 * 3600


def test_osm_grid_edges_and_stops_near_streets(small):
    import osmium
    out, m = small
    nodes, segments, kinds = {}, [], set()
    for o in osmium.FileProcessor(str(out / m["osm"]["file"])):
        if o.is_node():
            nodes[o.id] = (o.location.lat, o.location.lon)
        elif o.is_way() and o.tags.get("highway") in WALK:
            kinds.add(o.tags["highway"])
            refs = [n.ref for n in o.nodes]
            segments += list(zip(refs, refs[1:]))
    assert len(nodes) == m["osm"]["nodes"] == 40 * 40
    assert 2 * len(segments) == m["osm"]["directed_walk_edges"] == 2 * (2 * 40 * 39 + m["osm"]["diagonal_footways"])
    assert {"residential", "tertiary", "primary", "footway", "steps"} <= kinds
    assert all(a in nodes and b in nodes for a, b in segments)
    # every stop within 30 m of a street segment (brute force over the grid)
    feed = read_gtfs(out / "gtfs.zip")
    m_lon = 111_195 * math.cos(math.radians(45.6))
    xy = {k: (v[1] * m_lon, v[0] * 111_195) for k, v in nodes.items()}
    for lat, lon in zip(feed.stops["stop_lat"], feed.stops["stop_lon"]):
        px, py = lon * m_lon, lat * 111_195
        best = math.inf
        for a, b in segments:
            (ax, ay), (bx, by) = xy[a], xy[b]
            if min(ax, bx) - 60 > px or max(ax, bx) + 60 < px or min(ay, by) - 60 > py or max(ay, by) + 60 < py:
                continue
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
        assert best <= 30, (lat, lon, best)
    assert m["max_stop_to_street_m"] <= 30


def test_same_seed_same_files(small, tmp_path):
    out, m = small
    again = _gen().generate(tmp_path, seed=7, stops=300, routes=6, grid_n=40, headway_min=30)
    for name in ("gtfs.zip", m["osm"]["file"], "manifest.json"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    assert {k: v for k, v in again.items() if k != "generate_s"} == {k: v for k, v in m.items() if k != "generate_s"}
    other = _gen().generate(tmp_path / "other", seed=8, stops=300, routes=6, grid_n=40, headway_min=30)
    assert (tmp_path / "other" / "gtfs.zip").read_bytes() != (out / "gtfs.zip").read_bytes()
    assert other["gtfs"]["stops"] == 300
