"""Read the street network of OpenStreetMap files (PBF or XML) with pyosmium, in one pass.

Only what routing needs is kept: ways tagged ``highway`` (and platforms), as node references
with their positions and a subset of their tags, and the tags of nodes that matter to walking
(kerbs, crossings, signals, elevators, barriers). Tag interpretation lives in ``maas.streets``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from maas.errors import FeedError

WAY_KEYS = (
    "highway", "name", "ref", "oneway", "oneway:bicycle", "oneway:foot", "foot", "bicycle", "motor_vehicle",
    "motorcar", "access", "vehicle", "maxspeed", "surface", "smoothness", "incline", "wheelchair", "sidewalk",
    "footway", "junction", "area", "cycleway", "cycleway:left", "cycleway:right", "cycleway:both", "bridge",
    "tunnel", "public_transport", "railway", "service", "conveying", "step_count", "ramp:wheelchair",
    "ramp:stroller", "kerb",
)
NODE_KEYS = ("kerb", "barrier", "highway", "crossing", "wheelchair", "railway", "traffic_signals", "entrance")


@dataclass
class OsmStreets:
    """Raw street ways of one or more OSM files.

    ``way_ptr`` indexes ``node_ref``/``node_lat``/``node_lon`` (positions along each way);
    ``way_tags[i]`` holds the kept tags of way ``i``; ``node_tags`` maps an OSM node id to its
    kept tags (only nodes that have some).
    """

    way_id: np.ndarray
    way_ptr: np.ndarray
    node_ref: np.ndarray
    node_lat: np.ndarray
    node_lon: np.ndarray
    way_tags: list[dict]
    node_tags: dict[int, dict]
    bbox: tuple[float, float, float, float]      # min lat, min lon, max lat, max lon of the ways' nodes
    sources: list[str] = field(default_factory=list)

    @property
    def n_ways(self) -> int:
        return len(self.way_id)


def check_osm_file(path: Path) -> None:
    """Raise FeedError when ``path`` is missing or plainly not an OSM file (cheap: reads 64 bytes)."""
    if not path.exists():
        raise FeedError(str(path), "OSM file not found")
    if not path.is_file():
        raise FeedError(str(path), "not a file (expected an OSM .pbf or .osm/.xml file)")
    with open(path, "rb") as fh:
        head = fh.read(64)
    if not head:
        raise FeedError(str(path), "empty file: not an OSM file")
    name = path.name.lower()
    is_xml = head.lstrip().startswith(b"<")
    if name.endswith((".osm", ".xml", ".osm.xml")) and not is_xml:
        raise FeedError(str(path), "not OSM XML (the file does not start with '<')")
    if not is_xml and b"OSMHeader" not in head:
        raise FeedError(str(path), "not an OSM file (neither OSM XML nor an OSM PBF header)")


def read_streets(paths: list[str | os.PathLike]) -> OsmStreets:
    """Read the street ways and tagged nodes of ``paths``; raise FeedError (naming the file)
    for a missing, non-OSM or truncated file."""
    import osmium

    way_ids: list[int] = []
    ptr = [0]
    refs: list[int] = []
    lats: list[float] = []
    lons: list[float] = []
    tags_out: list[dict] = []
    node_tags: dict[int, dict] = {}
    seen_ways: set[int] = set()
    for p in paths:
        path = Path(p)
        check_osm_file(path)
        try:
            fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                  .with_locations()
                  .with_filter(osmium.filter.EmptyTagFilter()))
            for obj in fp:
                if obj.is_node():
                    tags = obj.tags
                    kept = {k: tags.get(k) for k in NODE_KEYS if k in tags}
                    if kept:
                        node_tags[obj.id] = kept
                    continue
                tags = obj.tags
                if "highway" not in tags and tags.get("public_transport") != "platform" \
                        and tags.get("railway") != "platform":
                    continue
                if obj.id in seen_ways:   # the same way in two overlapping extracts
                    continue
                seen_ways.add(obj.id)
                # a way cut by the extract's border keeps its part with known positions
                run: list[tuple[int, float, float]] = []
                runs = []
                for n in obj.nodes:
                    loc = n.location
                    if loc.valid():
                        run.append((n.ref, loc.lat, loc.lon))
                    else:
                        if len(run) >= 2:
                            runs.append(run)
                        run = []
                if len(run) >= 2:
                    runs.append(run)
                if not runs:
                    continue
                kept = {k: tags.get(k) for k in WAY_KEYS if k in tags}
                for r in runs:
                    way_ids.append(obj.id)
                    tags_out.append(kept)
                    for ref, la, lo in r:
                        refs.append(ref)
                        lats.append(la)
                        lons.append(lo)
                    ptr.append(len(refs))
        except FeedError:
            raise
        except (RuntimeError, ValueError, OSError) as exc:
            raise FeedError(str(path), f"cannot be read as OSM ({_short(exc)}); the file may be truncated "
                                       "or not OSM") from None
    lat = np.asarray(lats, np.float64)
    lon = np.asarray(lons, np.float64)
    bbox = ((float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max())) if len(lat)
            else (0.0, 0.0, 0.0, 0.0))
    return OsmStreets(np.asarray(way_ids, np.int64), np.asarray(ptr, np.int64), np.asarray(refs, np.int64),
                      lat, lon, tags_out, node_tags, bbox, [str(p) for p in paths])


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
