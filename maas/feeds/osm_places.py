"""Named places from OpenStreetMap (PBF or XML) for the geocoder: POIs, addresses, streets, localities.

One pyosmium pass per file (``osmium.FileProcessor`` with node locations and area assembly):

* **POIs**: named nodes and areas (closed ways and multipolygons, at their centroid) with
  ``amenity``, ``shop``, ``tourism``, ``leisure``, ``office``, ``healthcare``, ``historic``,
  ``railway=station|halt``, ``public_transport=station``, ``landuse=retail|commercial``, a named
  ``building`` or a ``place=square``; each gets a ``category`` (the tag's value, e.g.
  ``university``, ``mall``, ``park``, ``railway_station``). Transit stops and platforms are left
  to the GTFS feed.
* **Addresses**: ``addr:street`` + ``addr:housenumber`` on nodes and building areas (centroid).
* **Streets**: named ``highway`` ways, as way-level records with their node coordinates; the
  places compiler merges them into one street per name and locality.
* **Localities**: ``place=city|town|village|suburb|quarter|neighbourhood`` nodes, used for labels.

A missing, unreadable, non-OSM or truncated file raises :class:`~maas.errors.FeedError`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from maas.errors import FeedError

POI_KEYS = ("amenity", "shop", "tourism", "leisure", "office", "healthcare", "historic")
# values that name street furniture rather than a place anyone travels to
SKIP_VALUES = {"bench", "waste_basket", "waste_disposal", "vending_machine", "recycling", "parking_entrance",
               "bicycle_parking", "motorcycle_parking", "grit_bin", "post_box", "telephone", "clock",
               "drinking_water", "shelter", "hunting_stand", "picnic_table", "letter_box",
               "taxi"}   # taxi stands borrow the name of the place they serve
LOCALITY_PLACES = ("city", "town", "village", "suburb", "quarter", "neighbourhood", "hamlet")
STREET_SKIP = {"proposed", "construction", "abandoned", "platform", "bus_stop", "raceway", "corridor"}


@dataclass
class OsmPlaces:
    """What the geocoder needs from OSM, as plain lists (one entry per object)."""

    # POIs: osm id ("n123", "w45", "r6"), name, category, lat, lon, importance hint, addr street, city
    pois: list[tuple[str, str, str, float, float, float, str, str]] = field(default_factory=list)
    # addresses: osm id, street, housenumber, lat, lon, city
    addresses: list[tuple[str, str, str, float, float, str]] = field(default_factory=list)
    # street ways: way id, name, highway class, lats, lons (float32 arrays of the way's nodes)
    streets: list[tuple[int, str, str, np.ndarray, np.ndarray]] = field(default_factory=list)
    # localities: name, place class, lat, lon
    localities: list[tuple[str, str, float, float]] = field(default_factory=list)


def _category(tags) -> tuple[str, float] | None:
    """The POI category of an object's tags and an importance hint in [0, 1], or None."""
    rw = tags.get("railway")
    if rw in ("station", "halt"):
        return "railway_station", 1.0
    if tags.get("public_transport") == "station" or tags.get("amenity") == "bus_station":
        return "station", 0.8
    for k in POI_KEYS:
        v = tags.get(k)
        if v is None or v in SKIP_VALUES or v == "no":
            continue
        return (k if v == "yes" else v), 0.5
    if tags.get("landuse") in ("retail", "commercial"):
        return "commercial_area", 0.6
    if tags.get("place") == "square":
        return "square", 0.8
    b = tags.get("building")
    if b is not None and b != "no":
        return ("building" if b == "yes" else b), 0.3
    return None


def _is_stop(tags) -> bool:
    return (tags.get("public_transport") in ("stop_position", "platform", "stop_area")
            or tags.get("highway") == "bus_stop" or tags.get("railway") in ("tram_stop", "platform", "stop"))


def _centroid(area) -> tuple[float, float] | None:
    """Area-weighted centroid of the largest outer ring (vertex mean when degenerate)."""
    best = None
    for ring in area.outer_rings():
        pts = [(n.lon, n.lat) for n in ring if n.location.valid()]
        if len(pts) < 3:
            continue
        xy = np.asarray(pts, np.float64)
        x, y = xy[:, 0], xy[:, 1]
        x1, y1 = np.roll(x, -1), np.roll(y, -1)
        cross = x * y1 - x1 * y
        a = cross.sum() / 2.0
        if abs(a) < 1e-14:
            c = (float(y.mean()), float(x.mean()), 0.0)
        else:
            c = (float(((y + y1) * cross).sum() / (6 * a)), float(((x + x1) * cross).sum() / (6 * a)), abs(a))
        if best is None or c[2] > best[2]:
            best = c
    return None if best is None else (best[0], best[1])


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise FeedError(str(path), "OSM file not found")
    with open(path, "rb") as f:
        head = f.read(64)
    if not head:
        raise FeedError(str(path), "OSM file is empty")
    is_pbf = b"OSMHeader" in head
    is_xml = head.lstrip().startswith(b"<") and (b"<osm" in head or b"<?xml" in head)
    if not (is_pbf or is_xml):
        raise FeedError(str(path), "not an OSM file (expected .osm.pbf or .osm XML)")


def read_osm_places(paths: list[str | os.PathLike]) -> OsmPlaces:
    """Read POIs, addresses, named streets and localities from one or more OSM files."""
    import osmium

    out = OsmPlaces()
    seen: set[str] = set()     # the same object in two overlapping extracts is read once
    for p in paths:
        path = Path(p)
        _check_file(path)
        try:
            _read_one(osmium, path, out, seen)
        except FeedError:
            raise
        except (RuntimeError, ValueError, OSError) as exc:
            # libosmium reports truncated or corrupt input as RuntimeError
            raise FeedError(str(path), f"cannot be read as OSM data ({exc})") from None
    return out


def _read_one(osmium, path: Path, out: OsmPlaces, seen: set[str]) -> None:
    keys = ("name", "addr:housenumber", "highway", "place")
    fp = (osmium.FileProcessor(str(path)).with_locations().with_areas()
          .with_filter(osmium.filter.KeyFilter(*keys)))
    for obj in fp:
        tags = obj.tags
        name = tags.get("name", "").strip()
        if obj.is_node():
            if not obj.location.valid():
                continue
            lat, lon = obj.location.lat, obj.location.lon
            oid = f"n{obj.id}"
        elif obj.is_area():
            oid = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
            c = _centroid(obj)
            if c is None:
                continue
            lat, lon = c
        elif obj.is_way():
            hw = tags.get("highway")
            if name and hw is not None and hw not in STREET_SKIP and len(obj.nodes) >= 1:
                key = f"hw{obj.id}"
                if key in seen:
                    continue
                seen.add(key)
                locs = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
                if locs:
                    a = np.asarray(locs, np.float32)
                    out.streets.append((int(obj.id), name, hw, a[:, 0].copy(), a[:, 1].copy()))
            continue
        else:
            continue   # relations: their areas come through as areas
        if oid in seen:
            continue
        seen.add(oid)
        place = tags.get("place")
        if obj.is_node() and name and place in LOCALITY_PLACES:
            out.localities.append((name, place, lat, lon))
            continue
        city = tags.get("addr:city", "") or tags.get("is_in:city", "")
        street, hn = tags.get("addr:street", "").strip(), tags.get("addr:housenumber", "").strip()
        if name and not _is_stop(tags):
            cat = _category(tags)
            if cat is not None and not (obj.is_area() and tags.get("highway") and cat[0] != "square"):
                imp = cat[1] + (0.2 if "wikidata" in tags else 0.0)
                out.pois.append((oid, name, cat[0], float(lat), float(lon), min(imp, 1.0), street, city))
        if street and hn:
            out.addresses.append((oid, street, hn, float(lat), float(lon), city))
