"""Compile the geocoder index: stops (grouped into stations), OSM POIs, addresses, streets, bike
stations and P+R lots, as flat arrays plus one JSON of strings, saved in ``NETWORK/places/``.

Stops are grouped as OpenTripPlanner's geocoder groups them: the children of a GTFS parent
station are one result (the station), and stops of the same name within 400 m of each other
(the platforms of one stop, as in STPT's feed, which has no parent stations) are one result.
Streets are merged per name and locality (the nearest city, town or village): the many OSM ways
of one street are one result, placed at the way node nearest the street's middle.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from maas.places.text import GENERIC, fold, tokens

PLACES_DIR = "places"
PLACES_SCHEMA = 1
KINDS = ("stop", "poi", "address", "street", "bike_station", "park_and_ride")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
STOP_CLUSTER_M = 400.0

# how likely a traveller means a POI of a category (OSM value) when its name matches: the
# prior that breaks ties between equally good name matches
CATEGORY_WEIGHT = {
    "railway_station": 1.0, "station": 0.85, "university": 0.9, "college": 0.8, "mall": 0.9,
    "hospital": 0.9, "stadium": 0.85, "commercial_area": 0.8, "square": 0.85, "park": 0.85,
    "museum": 0.8, "theatre": 0.8, "cathedral": 0.8, "place_of_worship": 0.7, "townhall": 0.8,
    "attraction": 0.75, "zoo": 0.8, "airport": 1.0, "bus_station": 0.85, "library": 0.7,
    "school": 0.6, "clinic": 0.55, "hotel": 0.55, "supermarket": 0.55, "marketplace": 0.7,
    "sports_centre": 0.6, "cinema": 0.7, "suburb": 0.75, "quarter": 0.7, "neighbourhood": 0.65,
    "city": 0.8, "town": 0.8, "village": 0.75, "hamlet": 0.6, "building": 0.3, "house": 0.25,
    "apartments": 0.3, "parking": 0.3, "fuel": 0.4, "atm": 0.2, "taxi": 0.2,
}
DEFAULT_POI_WEIGHT = 0.5
KIND_WEIGHT = {"stop": 0.8, "street": 0.55, "address": 0.7, "bike_station": 0.45, "park_and_ride": 0.55}
CATEGORY_LABEL = {"railway_station": "Railway station", "commercial_area": "Commercial area",
                  "place_of_worship": "Place of worship", "sports_centre": "Sports centre"}


@dataclass
class PlaceData:
    """The compiled index: per-record arrays and strings, the token index and the addresses."""

    kind: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    stop_ids: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    prior: list[float] = field(default_factory=list)
    stops: list[list[int]] = field(default_factory=list)     # timetable stop indices (stations: all)
    extra_tokens: list[list[str]] = field(default_factory=list)   # e.g. stop codes
    # addresses: street record, housenumber, position, osm id
    addr_street: list[int] = field(default_factory=list)
    addr_hn: list[str] = field(default_factory=list)
    addr_lat: list[float] = field(default_factory=list)
    addr_lon: list[float] = field(default_factory=list)
    addr_id: list[str] = field(default_factory=list)
    addr_label: list[str] = field(default_factory=list)
    # extra points for reverse geocoding: the nodes of streets (record index)
    rev_lat: list[float] = field(default_factory=list)
    rev_lon: list[float] = field(default_factory=list)
    rev_rec: list[int] = field(default_factory=list)

    def add(self, kind: str, rid: str, name: str, label: str, lat: float, lon: float, prior: float,
            category: str = "", stop_id: str = "", stops: list[int] | None = None,
            extra: list[str] | None = None) -> int:
        self.kind.append(KIND_CODE[kind])
        self.ids.append(rid)
        self.names.append(name)
        self.labels.append(label)
        self.categories.append(category)
        self.stop_ids.append(stop_id)
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.prior.append(float(prior))
        self.stops.append(list(stops or []))
        self.extra_tokens.append(list(extra or []))
        return len(self.ids) - 1


def _xy(lat, lon, lat0: float) -> np.ndarray:
    lat, lon = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    k = 111_195.0
    return np.column_stack([lon * k * np.cos(np.radians(lat0)), lat * k])


TOWN_REACH_M = {"city": 8000.0, "town": 4000.0, "village": 2000.0, "hamlet": 1000.0}


class _Localities:
    """Nearest suburb-like and settlement-like OSM place nodes, for labels and street grouping.

    A settlement is chosen by distance relative to its class's reach (a city's node sits at its
    centre, kilometres from its edges, a village's close to all of it)."""

    def __init__(self, localities, lat0: float):
        self.lat0 = lat0
        sub = [x for x in localities if x[1] in ("suburb", "quarter", "neighbourhood")]
        town = [x for x in localities if x[1] in TOWN_REACH_M]
        self._sub = (cKDTree(_xy([x[2] for x in sub], [x[3] for x in sub], lat0)), [x[0] for x in sub]) if sub else None
        self._town = (cKDTree(_xy([x[2] for x in town], [x[3] for x in town], lat0)), [x[0] for x in town],
                      np.array([TOWN_REACH_M[x[1]] for x in town])) if town else None

    def suburbs(self, lat, lon) -> list[str]:
        if self._sub is None or not len(lat):
            return [""] * len(lat)
        d, i = self._sub[0].query(_xy(lat, lon, self.lat0), distance_upper_bound=2500.0)
        return [self._sub[1][j] if np.isfinite(dd) else "" for dd, j in zip(np.atleast_1d(d), np.atleast_1d(i))]

    def towns(self, lat, lon) -> list[str]:
        if self._town is None or not len(lat):
            return [""] * len(lat)
        tree, names, reach = self._town
        k = min(8, len(names))
        d, i = tree.query(_xy(lat, lon, self.lat0), k=k, distance_upper_bound=10_000.0)
        d, i = np.asarray(d).reshape(len(lat), k), np.asarray(i).reshape(len(lat), k)
        ok = np.isfinite(d)
        rel = np.where(ok, d / reach[np.minimum(i, len(names) - 1)], np.inf)
        best = np.argmin(rel, axis=1)
        return [names[i[r, b]] if ok[r, b] and rel[r, b] <= 1.5 else "" for r, b in enumerate(best)]


def _join(*parts: str) -> str:
    out: list[str] = []
    for p in parts:
        if p and p not in out:
            out.append(p)
    return " · ".join(out)


def _area(sub: str, town: str) -> str:
    return ", ".join(p for p in (sub, town) if p)


def _category_label(cat: str) -> str:
    return CATEGORY_LABEL.get(cat, cat.replace("_", " ").capitalize())


def compile_places(stops, stop_index: dict[str, int], stop_lines: list[str] | None = None,
                   osm=None, bike_stations=(), lots=()) -> PlaceData:
    """Build the index from GTFS stops (a DataFrame with ``stop_id, stop_name, stop_lat, stop_lon,
    location_type, parent_station`` and optionally ``stop_code``), the timetable's stop index,
    optional OSM places (:class:`maas.feeds.osm_places.OsmPlaces`), bike stations
    ``(id, name, lat, lon, system)`` and P+R lots ``(id, name, lat, lon, capacity)``."""
    data = PlaceData()
    lat0 = float(stops["stop_lat"].astype(float).mean()) if len(stops) else 45.0
    loc = _Localities(osm.localities if osm is not None else [], lat0)
    _add_stops(data, stops, stop_index, stop_lines or [], loc, lat0)
    if osm is not None:
        _add_osm(data, osm, loc, lat0)
    for sid, name, lat, lon, system in bike_stations:
        sub, town = loc.suburbs([lat], [lon])[0], loc.towns([lat], [lon])[0]
        data.add("bike_station", f"bike:{sid}", name, _join("Bike station", system, _area(sub, town)),
                 lat, lon, KIND_WEIGHT["bike_station"], category="bicycle_rental")
    for lid, name, lat, lon, cap in lots:
        sub, town = loc.suburbs([lat], [lon])[0], loc.towns([lat], [lon])[0]
        spaces = f"{cap} spaces" if cap else ""
        data.add("park_and_ride", f"pr:{lid}", name, _join("Park & ride", spaces, _area(sub, town)),
                 lat, lon, KIND_WEIGHT["park_and_ride"], category="park_and_ride")
    return data


def _add_stops(data: PlaceData, stops, stop_index, stop_lines, loc: _Localities, lat0: float) -> None:
    if not len(stops):
        return
    df = stops.copy()
    for col in ("stop_code", "parent_station", "stop_name"):
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    df["location_type"] = df.get("location_type", 0)
    df["location_type"] = df["location_type"].fillna(0).astype(int)
    df = df.drop_duplicates("stop_id")
    by_id = df.set_index("stop_id")
    stations = by_id[by_id["location_type"] == 1]
    board = df[df["stop_id"].isin(stop_index.keys())]
    groups: list[tuple[str, str, float, float, list[str], bool]] = []   # id, name, lat, lon, members, station
    children = board[board["parent_station"].isin(stations.index)]
    for parent, g in children.groupby("parent_station", sort=True):
        st = stations.loc[parent]
        groups.append((str(parent), str(st["stop_name"]) or str(g["stop_name"].iloc[0]),
                       float(st["stop_lat"]), float(st["stop_lon"]), g["stop_id"].tolist(), True))
    loose = board[~board["parent_station"].isin(stations.index)]
    if len(loose):
        keys = [fold(n) for n in loose["stop_name"]]
        xy = _xy(loose["stop_lat"].astype(float), loose["stop_lon"].astype(float), lat0)
        pairs = cKDTree(xy).query_pairs(STOP_CLUSTER_M, output_type="ndarray")
        same = np.array([keys[a] == keys[b] for a, b in pairs], bool) if len(pairs) else np.zeros(0, bool)
        pairs = pairs[same] if len(pairs) else pairs
        n = len(loose)
        g = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])) if len(pairs) else
                       (np.zeros(0), (np.zeros(0, int), np.zeros(0, int))), shape=(n, n))
        _, comp = connected_components(g, directed=False)
        ids = loose["stop_id"].tolist()
        names = loose["stop_name"].tolist()
        g_lat = loose["stop_lat"].astype(float).to_numpy()
        g_lon = loose["stop_lon"].astype(float).to_numpy()
        # one pass over the components (a scan per component was quadratic: 85 s for 20,000 stops)
        order = np.argsort(comp, kind="stable")
        bounds = np.flatnonzero(np.diff(comp[order])) + 1
        for members in np.split(order, bounds):
            m_names = [names[i] for i in members]
            name = max(set(m_names), key=lambda s: (m_names.count(s), s))
            c_lat = float(g_lat[members].mean())
            c_lon = float(g_lon[members].mean())
            groups.append((ids[members[0]], name, c_lat, c_lon, [ids[i] for i in members], False))
    lats = [g[2] for g in groups]
    lons = [g[3] for g in groups]
    subs, towns = loc.suburbs(lats, lons), loc.towns(lats, lons)
    pos = dict(zip(by_id.index, zip(by_id["stop_lat"].astype(float), by_id["stop_lon"].astype(float))))
    code_of = dict(zip(by_id.index, by_id["stop_code"]))
    for (gid, name, lat, lon, members, station), sub, town in zip(groups, subs, towns):
        idx = [stop_index[m] for m in members]
        m_lat = np.array([pos[m][0] for m in members], float)
        m_lon = np.array([pos[m][1] for m in members], float)
        rep = members[int(np.argmin((m_lat - lat) ** 2 + ((m_lon - lon) * np.cos(np.radians(lat))) ** 2))]
        lines: list[str] = []
        for i in idx:
            for ln in (stop_lines[i].split(",") if i < len(stop_lines) and stop_lines[i] else []):
                if ln not in lines:
                    lines.append(ln)
        what = "Station" if station or len(members) > 1 else "Stop"
        if len(members) > 1:
            what += f" ({len(members)} stops)"
        line_txt = ("lines " if len(lines) > 1 else "line ") + ", ".join(lines[:8]) if lines else ""
        codes = [c for c in (code_of[m] for m in members) if c]
        prior = KIND_WEIGHT["stop"] + 0.05 * min(len(lines), 6) / 6 + (0.05 if station else 0.0)
        rid = f"station:{gid}" if station else f"stop:{gid}"
        data.add("stop", rid, name, _join(what, line_txt, _area(sub, town)), lat, lon, prior,
                 category="station" if station else "stop", stop_id=rep, stops=idx,
                 extra=[t for c in codes for t in tokens(c)])


def _add_osm(data: PlaceData, osm, loc: _Localities, lat0: float) -> None:
    # localities themselves are places ("Iosefin", "Dumbrăvița")
    for name, place, lat, lon in osm.localities:
        town = loc.towns([lat], [lon])[0] if place in ("suburb", "quarter", "neighbourhood") else ""
        data.add("poi", f"osm:place:{fold(name).replace(' ', '-')}", name,
                 _join(_category_label(place), town if town != name else ""), lat, lon,
                 CATEGORY_WEIGHT.get(place, 0.6), category=place)
    if osm.pois:
        lats = [p[3] for p in osm.pois]
        lons = [p[4] for p in osm.pois]
        subs, towns = loc.suburbs(lats, lons), loc.towns(lats, lons)
        for (oid, name, cat, lat, lon, hint, street, city), sub, town in zip(osm.pois, subs, towns):
            prior = CATEGORY_WEIGHT.get(cat, DEFAULT_POI_WEIGHT) + max(0.0, hint - 0.5) * 0.5
            data.add("poi", f"osm:{oid}", name, _join(_category_label(cat), street, _area(sub, city or town)),
                     lat, lon, min(prior, 1.0), category=cat)
    _add_streets(data, osm, loc, lat0)


def _add_streets(data: PlaceData, osm, loc: _Localities, lat0: float) -> None:
    """One record per street name and locality; addresses hang off their street's record."""
    ways = osm.streets
    mids_lat = [float(w[3][len(w[3]) // 2]) for w in ways]
    mids_lon = [float(w[4][len(w[4]) // 2]) for w in ways]
    towns = loc.towns(mids_lat, mids_lon) if ways else []
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (w, town) in enumerate(zip(ways, towns)):
        groups.setdefault((fold(w[1]), town), []).append(i)
    a_towns = loc.towns([a[3] for a in osm.addresses], [a[4] for a in osm.addresses]) if osm.addresses else []
    a_groups: dict[tuple[str, str], list[int]] = {}
    for j, (a, town) in enumerate(zip(osm.addresses, a_towns)):
        a_groups.setdefault((fold(a[1]), town), []).append(j)
    # a street known only from addresses (no named way in the extract) is still a street
    for key in a_groups:
        groups.setdefault(key, [])
    for (fkey, town), members in sorted(groups.items()):
        if members:
            la = np.concatenate([ways[i][3] for i in members]).astype(np.float64)
            lo = np.concatenate([ways[i][4] for i in members]).astype(np.float64)
            name = max((ways[i][1] for i in members), key=lambda s: (sum(ways[k][1] == s for k in members), s))
            rid = f"street:w{ways[members[0]][0]}"
        else:
            addrs = a_groups[(fkey, town)]
            la = np.array([osm.addresses[j][3] for j in addrs])
            lo = np.array([osm.addresses[j][4] for j in addrs])
            name = osm.addresses[addrs[0]][1]
            rid = f"street:{osm.addresses[addrs[0]][0]}"
        xy = _xy(la, lo, lat0)
        c = xy.mean(axis=0)
        k = int(np.argmin(((xy - c) ** 2).sum(axis=1)))
        length = float(np.hypot(*np.ptp(xy, axis=0))) if len(xy) > 1 else 0.0
        sub = loc.suburbs([la[k]], [lo[k]])[0]
        prior = KIND_WEIGHT["street"] + 0.1 * min(length / 2000.0, 1.0)
        hws = {ways[i][2] for i in members}
        what = "Square" if hws and hws <= {"pedestrian", "footway"} and fkey.startswith("piata") else "Street"
        r = data.add("street", rid, name, _join(what, _area(sub, town)), la[k], lo[k], prior,
                     category="square" if what == "Square" else "street")
        data.rev_lat.extend(la.tolist())
        data.rev_lon.extend(lo.tolist())
        data.rev_rec.extend([r] * len(la))
        for j in a_groups.get((fkey, town), []):
            oid, street, hn, alat, alon, city = osm.addresses[j]
            asub = loc.suburbs([alat], [alon])[0]
            data.addr_street.append(r)
            data.addr_hn.append(hn)
            data.addr_lat.append(alat)
            data.addr_lon.append(alon)
            data.addr_id.append(f"addr:{oid}")
            data.addr_label.append(_join("Address", _area(asub, city or town)))


# ----------------------------------------------------------------------------- saving

def record_tokens(data: PlaceData, i: int) -> list[str]:
    return tokens(data.names[i]) + data.extra_tokens[i]


def pack(data: PlaceData, digest: str = "") -> tuple[dict[str, np.ndarray], dict]:
    """The index as arrays and a JSON-ready dict of strings (what :func:`save_places` writes)."""
    n = len(data.ids)
    vocab: dict[str, set[int]] = {}
    n_sig = np.zeros(n, np.int16)
    for i in range(n):
        toks = record_tokens(data, i)
        n_sig[i] = max(1, sum(t not in GENERIC for t in set(toks)))
        for t in toks:
            vocab.setdefault(t, set()).add(i)
    words = sorted(vocab)
    post_ptr = np.zeros(len(words) + 1, np.int64)
    post_ptr[1:] = np.cumsum([len(vocab[w]) for w in words])
    post_rec = np.fromiter((r for w in words for r in sorted(vocab[w])), np.int32, count=int(post_ptr[-1]))
    stops_ptr = np.zeros(n + 1, np.int64)
    stops_ptr[1:] = np.cumsum([len(s) for s in data.stops])
    order = np.argsort(np.asarray(data.addr_street, np.int64), kind="stable")
    addr_ptr = np.zeros(n + 1, np.int64)
    if len(order):
        addr_ptr[1:] = np.cumsum(np.bincount(np.asarray(data.addr_street, np.int64), minlength=n))
    arrays = {
        "kind": np.asarray(data.kind, np.int8), "lat": np.asarray(data.lat, np.float64),
        "lon": np.asarray(data.lon, np.float64), "prior": np.asarray(data.prior, np.float32),
        "n_sig": n_sig, "post_ptr": post_ptr, "post_rec": post_rec,
        "stops_ptr": stops_ptr, "stops_idx": np.asarray([s for ss in data.stops for s in ss], np.int32),
        "addr_ptr": addr_ptr, "addr_lat": np.asarray(data.addr_lat, np.float64)[order],
        "addr_lon": np.asarray(data.addr_lon, np.float64)[order],
        "rev_lat": np.asarray(data.rev_lat, np.float64), "rev_lon": np.asarray(data.rev_lon, np.float64),
        "rev_rec": np.asarray(data.rev_rec, np.int32),
    }
    strings = {
        "schema": PLACES_SCHEMA, "digest": digest, "ids": data.ids, "names": data.names,
        "labels": data.labels, "categories": data.categories, "stop_ids": data.stop_ids, "vocab": words,
        "folded": [fold(x) for x in data.names],
        "addr_hn": [data.addr_hn[i] for i in order], "addr_id": [data.addr_id[i] for i in order],
        "addr_label": [data.addr_label[i] for i in order],
        "counts": {k: int(sum(1 for c in data.kind if c == KIND_CODE[k])) for k in KINDS} | {"address": len(order)},
    }
    return arrays, strings


def save_places(data: PlaceData, folder: str | os.PathLike, digest: str) -> None:
    """Write ``folder/places/`` atomically: ``index.json`` (strings) and ``*.npy`` arrays."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays, strings = pack(data, digest)
    tmp = Path(tempfile.mkdtemp(prefix=".places-", dir=folder))
    for name, arr in arrays.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    (tmp / "index.json").write_text(json.dumps(strings, ensure_ascii=False, separators=(",", ":")))
    final, old = folder / PLACES_DIR, folder / ".places-old"
    if final.exists():
        if old.exists():
            shutil.rmtree(old)
        final.rename(old)
    tmp.rename(final)
    if old.exists():
        shutil.rmtree(old)


def read_places_digest(folder: str | os.PathLike) -> str | None:
    """The digest a saved index was built from, or None (no index, or unreadable)."""
    p = Path(folder) / PLACES_DIR / "index.json"
    try:
        with open(p, "rb") as f:
            head = f.read(200).decode("utf-8", "replace")
    except OSError:
        return None
    import re
    m = re.search(r'"digest":"([0-9a-f]+)"', head)
    return m.group(1) if m and f'"schema":{PLACES_SCHEMA}' in head else None


def places_digest(parts: list[str]) -> str:
    """Hash of everything an index is built from (the callers' input digests) and the schema."""
    h = hashlib.sha256(f"places{PLACES_SCHEMA}".encode())
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()
