"""Walking transfers between stops: cKDTree neighbours within a radius, plus transfers.txt, closed.

Distances are stored in metres of walking (crow-fly x detour factor) with a minimum duration in
seconds from transfers.txt, so each walking profile derives its own durations from one table.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8


def project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Equirectangular projection to metres around latitude ``lat0`` (exact enough within a city)."""
    k = np.pi / 180 * EARTH_RADIUS_M
    return np.column_stack([np.asarray(lon) * k * np.cos(np.radians(lat0)), np.asarray(lat) * k])


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def build_footpaths(lat: np.ndarray, lon: np.ndarray, radius_m: float, detour: float,
                    extra_from: np.ndarray, extra_to: np.ndarray, extra_min_s: np.ndarray,
                    forbidden_from: np.ndarray, forbidden_to: np.ndarray,
                    ref_speed: float = 1.33) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Footpaths as CSR (ptr, to, walk metres float32, minimum seconds int32), no self loops.

    Neighbours within ``radius_m`` crow-fly get ``distance x detour`` metres. transfers.txt pairs
    (``extra_*``) are added with their minimum time; pairs marked not possible are removed. The
    union is then closed by shortest paths (at ``ref_speed``) limited to the longest direct
    footpath, so chaining two footpaths is never faster than the direct one the router uses.
    """
    n = len(lat)
    if n == 0:
        return np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int32)
    xy = project(lat, lon, float(np.nanmean(lat)))
    tree = cKDTree(xy)
    pairs = tree.query_pairs(radius_m, output_type="ndarray")
    a = np.concatenate([pairs[:, 0], pairs[:, 1]]).astype(np.int64)
    b = np.concatenate([pairs[:, 1], pairs[:, 0]]).astype(np.int64)
    metres = haversine_m(lat[a], lon[a], lat[b], lon[b]) * detour
    min_s = np.zeros(len(a), np.float64)
    if len(extra_from):
        ea, eb = extra_from.astype(np.int64), extra_to.astype(np.int64)
        keep = ea != eb
        ea, eb, es = ea[keep], eb[keep], extra_min_s[keep].astype(np.float64)
        em = haversine_m(lat[ea], lon[ea], lat[eb], lon[eb]) * detour
        a, b = np.concatenate([a, ea]), np.concatenate([b, eb])
        metres, min_s = np.concatenate([metres, em]), np.concatenate([min_s, es])
    # keep the largest minimum per pair (a transfers.txt minimum overrides the geometric one)
    seconds = np.maximum(metres / ref_speed, min_s)
    if len(forbidden_from):
        bad = set(zip(forbidden_from.tolist(), forbidden_to.tolist()))
        keep = np.array([(x, y) not in bad for x, y in zip(a.tolist(), b.tolist())], bool)
        a, b, metres, min_s, seconds = a[keep], b[keep], metres[keep], min_s[keep], seconds[keep]
    if len(a) == 0:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int32)
    order = np.lexsort((-seconds, b, a))  # per pair keep the longest: a transfers.txt minimum wins
    a, b, metres, min_s, seconds = a[order], b[order], metres[order], min_s[order], seconds[order]
    first = np.ones(len(a), bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, metres, min_s, seconds = a[first], b[first], metres[first], min_s[first], seconds[first]
    # Chains are closed up to the radius' walking time; a long transfers.txt pair stays a direct
    # footpath but does not let short walks chain across the city.
    limit = max(radius_m * detour / ref_speed, float(seconds[min_s <= 0].max()) if (min_s <= 0).any() else 0.0)
    graph = coo_matrix((seconds, (a, b)), shape=(n, n)).tocsr()
    touched = np.unique(a)
    src, cols, sp = bounded_closure(graph, touched, limit + 1e-6)
    closed = set(zip(src.tolist(), cols.tolist()))
    long_pairs = [i for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())) if (x, y) not in closed]
    if long_pairs:
        src = np.concatenate([src, a[long_pairs]])
        cols = np.concatenate([cols, b[long_pairs]])
        sp = np.concatenate([sp, seconds[long_pairs]])
    direct = {(x, y): i for i, (x, y) in enumerate(zip(a.tolist(), b.tolist()))}
    out_m = np.empty(len(src), np.float64)
    out_s = np.empty(len(src), np.float64)
    for i, (x, y) in enumerate(zip(src.tolist(), cols.tolist())):
        j = direct.get((x, y))
        if j is not None and seconds[j] <= sp[i] + 1e-6:
            out_m[i], out_s[i] = metres[j], min_s[j]
        else:
            # A chain is shorter than (or replaces a missing) direct footpath: walk it as metres.
            out_m[i], out_s[i] = sp[i] * ref_speed, 0.0
    order = np.lexsort((cols, src))
    src, cols, out_m, out_s = src[order], cols[order], out_m[order], out_s[order]
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, src + 1, 1)
    ptr = np.cumsum(ptr)
    return ptr, cols.astype(np.int32), out_m.astype(np.float32), np.ceil(out_s).astype(np.int32)


def bounded_closure(graph, sources: np.ndarray, limit: float, block_cells: int = 1 << 24
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, target, shortest length) of every pair within ``limit`` of ``sources`` on a CSR
    graph, self pairs dropped, ordered by source then target. scipy's dijkstra answers a dense
    row per source, so the sources go in blocks of ``block_cells / n``: memory ~128 MB, not
    n x n x 8 bytes (3.2 GB for 20,000 stops)."""
    n = graph.shape[0]
    step = max(1, block_cells // max(n, 1))
    parts_s, parts_t, parts_d = [], [], []
    for k in range(0, len(sources), step):
        idx = np.asarray(sources[k:k + step])
        dist = dijkstra(graph, directed=True, indices=idx, limit=limit)
        rows, cols = np.nonzero(np.isfinite(dist))
        src = idx[rows]
        keep = src != cols
        parts_s.append(src[keep])
        parts_t.append(cols[keep])
        parts_d.append(dist[rows[keep], cols[keep]])
    if not parts_s:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    return np.concatenate(parts_s), np.concatenate(parts_t), np.concatenate(parts_d)


def durations(metres: np.ndarray, min_s: np.ndarray, speed: float) -> np.ndarray:
    """Seconds of walking for a profile: metres / speed, at least the transfers.txt minimum."""
    return np.maximum(np.ceil(metres.astype(np.float64) / speed), min_s).astype(np.int32)


def profile_footpaths(n: int, a: np.ndarray, b: np.ndarray, metres: np.ndarray, seconds: np.ndarray,
                      lat: np.ndarray, lon: np.ndarray, detour: float, speed: float,
                      extra_from: np.ndarray, extra_to: np.ndarray, extra_min_s: np.ndarray,
                      forbidden_from: np.ndarray, forbidden_to: np.ndarray,
                      limit_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Footpaths of one walking profile from given pairs (street searches), as CSR
    (ptr, to, walk metres float32, seconds int32), no self loops.

    ``a, b, metres, seconds`` are the walks found (by street or crow-fly where a stop has no
    street). transfers.txt pairs raise a pair to their minimum time (or add the pair, walked
    crow-fly x ``detour`` at ``speed`` when no walk was found); forbidden pairs are removed;
    the union is closed by shortest paths up to ``limit_s`` so that chaining two footpaths is
    never faster than the direct one.
    """
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    metres = np.asarray(metres, np.float64)
    seconds = np.asarray(seconds, np.float64)
    if len(extra_from):
        ea, eb = extra_from.astype(np.int64), extra_to.astype(np.int64)
        keep = ea != eb
        ea, eb, es = ea[keep], eb[keep], extra_min_s[keep].astype(np.float64)
        found = {(x, y): i for i, (x, y) in enumerate(zip(a.tolist(), b.tolist()))}
        em = haversine_m(lat[ea], lon[ea], lat[eb], lon[eb]) * detour
        esec = np.ceil(em / speed)
        for k, (x, y) in enumerate(zip(ea.tolist(), eb.tolist())):
            i = found.get((x, y))
            if i is not None:
                em[k], esec[k] = metres[i], seconds[i]
        a, b = np.concatenate([a, ea]), np.concatenate([b, eb])
        metres = np.concatenate([metres, em])
        seconds = np.concatenate([seconds, np.maximum(esec, es)])
    if len(forbidden_from) and len(a):
        bad = set(zip(forbidden_from.tolist(), forbidden_to.tolist()))
        keep = np.array([(x, y) not in bad for x, y in zip(a.tolist(), b.tolist())], bool)
        a, b, metres, seconds = a[keep], b[keep], metres[keep], seconds[keep]
    keep = a != b
    a, b, metres, seconds = a[keep], b[keep], metres[keep], seconds[keep]
    if len(a) == 0:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int32)
    seconds = np.ceil(seconds - 1e-9)
    order = np.lexsort((-seconds, b, a))   # per pair keep the longest: a transfers.txt minimum wins
    a, b, metres, seconds = a[order], b[order], metres[order], seconds[order]
    first = np.ones(len(a), bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, metres, seconds = a[first], b[first], metres[first], seconds[first]
    graph = coo_matrix((np.maximum(seconds, 1e-3), (a, b)), shape=(n, n)).tocsr()
    touched = np.unique(a)
    src, cols, sp = bounded_closure(graph, touched, limit_s + 1e-6)
    direct = {(x, y): i for i, (x, y) in enumerate(zip(a.tolist(), b.tolist()))}
    closed = set(zip(src.tolist(), cols.tolist()))
    long_pairs = [i for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())) if (x, y) not in closed]
    if long_pairs:
        src = np.concatenate([src, a[long_pairs]])
        cols = np.concatenate([cols, b[long_pairs]])
        sp = np.concatenate([sp, seconds[long_pairs]])
    out_m = np.empty(len(src))
    out_s = np.empty(len(src))
    for i, (x, y) in enumerate(zip(src.tolist(), cols.tolist())):
        j = direct.get((x, y))
        if j is not None and seconds[j] <= sp[i] + 1e-6:
            out_m[i], out_s[i] = metres[j], seconds[j]
        else:   # a chain of footpaths is faster than (or replaces a missing) direct one
            out_m[i], out_s[i] = sp[i] * speed, sp[i]
    order = np.lexsort((cols, src))
    src, cols, out_m, out_s = src[order], cols[order], out_m[order], out_s[order]
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, src + 1, 1)
    return np.cumsum(ptr), cols.astype(np.int32), out_m.astype(np.float32), np.ceil(out_s - 1e-6).astype(np.int32)
