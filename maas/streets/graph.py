"""The street graph: OSM ways compiled into flat arrays, one directed CSR per mode.

Layout (all arrays saved in ``<network>/streets/`` and memory-mapped on load):

* nodes: ``node_lat``, ``node_lon`` (float64), ``node_osm`` (int64);
* per mode ``m`` in walk, bike, car: directed edges sorted by tail, so an edge's id is its
  CSR slot: ``m_ptr`` (int64, n_nodes + 1), ``m_tail``/``m_head`` (int32), ``m_len`` (float32 metres),
  ``m_flags`` (uint32, :mod:`maas.streets.tags` bits), ``m_name`` (int32 into ``names``, -1 none),
  ``m_kind`` (uint8 into ``KINDS``), ``m_incline`` (float32 %, NaN unknown; walk), ``m_speed``
  (float32 m/s; car), ``m_factor`` (float32 cost factor; bike); and the same edges keyed by head
  for searches toward a point: ``m_rptr`` (int64), ``m_redge`` (int32 edge ids).

Small islands (fewer than ``MIN_ISLAND_NODES`` nodes, strongly connected for bike and car,
weakly for walking) are pruned so that nothing links onto a car park aisle with no way out.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from maas.errors import MaasError
from maas.feeds.osm import OsmStreets
from maas.streets.tags import node_flags, way_rules, KERB_RAISED, KERB_UNKNOWN, CROSSING, SIGNALS, ELEVATOR, \
    WHEELCHAIR_NO

MODES = ("walk", "bike", "car")
MIN_ISLAND_NODES = 40
SCHEMA = 1
KINDS = ("", "footway", "path", "steps", "pedestrian", "cycleway", "crossing", "platform", "service", "track",
         "residential", "living_street", "tertiary", "secondary", "primary", "trunk", "motorway", "unclassified",
         "elevator", "corridor", "road", "sidewalk")
_KIND_OF = {k: i for i, k in enumerate(KINDS)}
EARTH_RADIUS_M = 6_371_008.8
BLOCKED = np.uint32(1 << 31)   # internal: a node that blocks step-free travel


def _haversine(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


@dataclass
class StreetGraph:
    """Compiled street arrays (see the module doc) and their metadata."""

    arrays: dict[str, np.ndarray]
    names: list[str]
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for k, v in self.arrays.items():
            self.__dict__[k] = v

    @property
    def n_nodes(self) -> int:
        return len(self.arrays["node_lat"])

    def n_edges(self, mode: str) -> int:
        return len(self.arrays[f"{mode}_head"])

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return tuple(self.meta["bbox"])


def compile_streets(osm: OsmStreets) -> StreetGraph:
    """Compile raw OSM ways into a :class:`StreetGraph`."""
    t0 = time.perf_counter()
    if osm.n_ways == 0:
        raise MaasError(f"{', '.join(osm.sources)}: no street (highway=*) ways in the OSM data")
    uniq, node_idx = np.unique(osm.node_ref, return_inverse=True)
    node_idx = node_idx.astype(np.int64)
    n_all = len(uniq)
    lat_all = np.zeros(n_all)
    lon_all = np.zeros(n_all)
    lat_all[node_idx] = osm.node_lat
    lon_all[node_idx] = osm.node_lon
    # node flags
    nflags = np.zeros(n_all, np.uint32)
    if osm.node_tags:
        ids = np.fromiter(osm.node_tags.keys(), np.int64, len(osm.node_tags))
        pos = np.searchsorted(uniq, ids)
        ok = (pos < n_all) & (uniq[np.minimum(pos, n_all - 1)] == ids)
        for nid, p, good in zip(ids.tolist(), pos.tolist(), ok.tolist()):
            if good:
                f, blocks = node_flags(osm.node_tags[nid])
                nflags[p] = f | (int(BLOCKED) if blocks else 0)
    # way rules
    names: list[str] = []
    name_of: dict[str, int] = {}
    rules = []
    for t in osm.way_tags:
        r = way_rules(t)
        nm = t.get("name") or t.get("ref") or ""
        if nm:
            if nm not in name_of:
                name_of[nm] = len(names)
                names.append(nm)
            r["name"] = name_of[nm]
        else:
            r["name"] = -1
        kind = r["highway"]
        if t.get("footway") == "crossing":
            kind = "crossing"
        elif t.get("footway") == "sidewalk":
            kind = "sidewalk"
        r["kind"] = _KIND_OF.get(kind, 0)
        rules.append(r)
    W = len(rules)

    def col(key, dtype):
        return np.array([r[key] for r in rules], dtype)

    # segments: consecutive positions within a way
    ptr = osm.way_ptr
    seg_counts = np.diff(ptr) - 1
    seg_way = np.repeat(np.arange(W), seg_counts)
    starts = np.repeat(ptr[:-1], seg_counts)
    within = np.arange(len(seg_way)) - np.repeat(np.cumsum(seg_counts) - seg_counts, seg_counts)
    a_pos = starts + within
    u, v = node_idx[a_pos], node_idx[a_pos + 1]
    keep = u != v
    seg_way, u, v = seg_way[keep], u[keep], v[keep]
    seg_len = _haversine(lat_all[u], lon_all[u], lat_all[v], lon_all[v])

    per_mode = {}
    for mode in MODES:
        f_ok = col(f"{mode}_f", bool)[seg_way]
        b_ok = col(f"{mode}_b", bool)[seg_way]
        tail = np.concatenate([u[f_ok], v[b_ok]])
        head = np.concatenate([v[f_ok], u[b_ok]])
        way = np.concatenate([seg_way[f_ok], seg_way[b_ok]])
        length = np.concatenate([seg_len[f_ok], seg_len[b_ok]])
        per_mode[mode] = [tail, head, way, length]
    # prune islands per mode
    used = np.zeros(n_all, bool)
    pruned = {}
    for mode, (tail, head, way, length) in per_mode.items():
        if len(tail):
            g = coo_matrix((np.ones(len(tail)), (tail, head)), shape=(n_all, n_all)).tocsr()
            _, lab = connected_components(g, directed=True, connection="weak" if mode == "walk" else "strong")
            size = np.bincount(lab)
            # an edge survives when both ends lie in one big enough component
            ok = (size[lab[tail]] >= MIN_ISLAND_NODES) & (lab[tail] == lab[head])
            pruned[mode] = int((~ok).sum())
            per_mode[mode] = [x[ok] for x in (tail, head, way, length)]
        used[per_mode[mode][0]] = True
        used[per_mode[mode][1]] = True
    new_id = np.full(n_all, -1, np.int64)
    new_id[used] = np.arange(int(used.sum()))
    n = int(used.sum())
    arrays: dict[str, np.ndarray] = {
        "node_lat": lat_all[used], "node_lon": lon_all[used], "node_osm": uniq[used].astype(np.int64)}
    nflags_u = nflags[used]
    kmh = col("kmh", np.float64)
    bike_factor = col("bike_factor", np.float64)
    wflags = col("flags", np.int64).astype(np.uint32)
    incline = col("incline", np.float64)
    wname = col("name", np.int32)
    wkind = col("kind", np.uint8)
    counts = {}
    for mode, (tail, head, way, length) in per_mode.items():
        tail, head = new_id[tail], new_id[head]
        order = np.lexsort((head, tail))
        tail, head, way, length = tail[order], head[order], way[order], length[order]
        flags = wflags[way].copy()
        # what the traveller meets at the nodes: kerbs and blockers at both ends, crossings,
        # signals and elevators at the end entered (passed once per edge)
        nt, nh = nflags_u[tail], nflags_u[head]
        flags |= (nt | nh) & np.uint32(KERB_RAISED | WHEELCHAIR_NO)
        flags |= nh & np.uint32(KERB_UNKNOWN | CROSSING | SIGNALS | ELEVATOR)
        flags |= ((nt | nh) & BLOCKED) >> np.uint32(31 - 8)   # blocked node -> WHEELCHAIR_NO bit (1 << 8)
        flags &= ~BLOCKED
        p = np.zeros(n + 1, np.int64)
        np.add.at(p, tail + 1, 1)
        p = np.cumsum(p)
        rorder = np.argsort(head, kind="stable")
        rp = np.zeros(n + 1, np.int64)
        np.add.at(rp, head + 1, 1)
        rp = np.cumsum(rp)
        arrays.update({
            f"{mode}_ptr": p, f"{mode}_tail": tail.astype(np.int32), f"{mode}_head": head.astype(np.int32),
            f"{mode}_len": length.astype(np.float32), f"{mode}_flags": flags.astype(np.uint32),
            f"{mode}_name": wname[way], f"{mode}_kind": wkind[way],
            f"{mode}_rptr": rp, f"{mode}_redge": rorder.astype(np.int32)})
        if mode == "walk":
            arrays["walk_incline"] = incline[way].astype(np.float32)
        if mode == "car":
            arrays["car_speed"] = (kmh[way] / 3.6).astype(np.float32)
        if mode == "bike":
            arrays["bike_factor"] = bike_factor[way].astype(np.float32)
        counts[mode] = int(len(tail))
    lat, lon = arrays["node_lat"], arrays["node_lon"]
    bbox = [float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max())] if n else list(osm.bbox)
    meta = {"schema": SCHEMA, "nodes": n, "edges": counts, "pruned_edges": pruned, "bbox": bbox,
            "ways": W, "compile_s": round(time.perf_counter() - t0, 3)}
    return StreetGraph(arrays, names, meta)


def save_streets(g: StreetGraph, folder: str | os.PathLike) -> None:
    """Write the graph into ``folder/streets`` atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".streets-", dir=folder))
    for k, arr in g.arrays.items():
        np.save(tmp / f"{k}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    (tmp / "streets.json").write_text(json.dumps(dict(g.meta, names=g.names, arrays=sorted(g.arrays)),
                                                 ensure_ascii=False))
    final = folder / "streets"
    old = folder / ".streets-old"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    if old.exists():
        shutil.rmtree(old)


def load_streets(folder: str | os.PathLike) -> StreetGraph | None:
    """The street graph of a network folder (memory-mapped), or None when it has none."""
    d = Path(folder) / "streets"
    meta_path = d / "streets.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        arrays = {k: np.asarray(np.load(d / f"{k}.npy", mmap_mode="r", allow_pickle=False)) for k in meta["arrays"]}
    except (OSError, ValueError, KeyError) as exc:
        raise MaasError(f"{d}: street arrays cannot be read ({type(exc).__name__}); rebuild the network "
                        "with `maas build`") from None
    if meta.get("schema") != SCHEMA:
        raise MaasError(f"{d}: street graph of another maas version; rebuild with `maas build`")
    names = meta.pop("names")
    meta.pop("arrays")
    return StreetGraph(arrays, names, meta)


def remove_streets(folder: str | os.PathLike) -> None:
    """Drop a previous build's street graph (a rebuild without OSM must not keep it)."""
    shutil.rmtree(Path(folder) / "streets", ignore_errors=True)
