"""Linking points (stops, stations, cars, lots, request points) onto the nearest usable edge.

A point is projected onto the nearest street segment that the mode and profile may use (not
merely the nearest node), searched within a radius; it then lies at fraction ``t`` of the
segment from node ``u`` to node ``v``, ``snap_m`` metres from the street. ``e_uv``/``e_vu`` are
the directed edges of the segment (-1 where that direction may not be used).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
SAMPLE_M = 15.0   # index points every this many metres along a segment
K_CANDIDATES = 12


class Links(NamedTuple):
    """Per point: segment (``seg``, -1 when not linked), its end nodes and directed edges, the
    fraction along it, the segment's length, the snap distance and the projected position."""

    seg: np.ndarray
    u: np.ndarray
    v: np.ndarray
    e_uv: np.ndarray
    e_vu: np.ndarray
    t: np.ndarray
    seg_len: np.ndarray
    snap_m: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @property
    def linked(self) -> np.ndarray:
        return self.seg >= 0


class Linker:
    """Nearest-segment index over the edges whose cost is finite in one direction or both."""

    def __init__(self, tail: np.ndarray, head: np.ndarray, length: np.ndarray, cost: np.ndarray,
                 node_lat: np.ndarray, node_lon: np.ndarray):
        tail = np.asarray(tail, np.int64)
        head = np.asarray(head, np.int64)
        ok = np.isfinite(np.asarray(cost))
        eid = np.flatnonzero(ok)
        a, b = tail[eid], head[eid]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        n = len(node_lat)
        key = lo * n + hi
        order = np.lexsort((a > b, key))
        key, eid, a = key[order], eid[order], a[order]
        first = np.ones(len(key), bool)
        first[1:] = key[1:] != key[:-1]
        seg_of = np.cumsum(first) - 1
        n_seg = int(first.sum())
        self.u = (key[first] // n).astype(np.int64)
        self.v = (key[first] % n).astype(np.int64)
        self.e_uv = np.full(n_seg, -1, np.int64)
        self.e_vu = np.full(n_seg, -1, np.int64)
        fwd = a == (key // n)
        self.e_uv[seg_of[fwd]] = eid[fwd]
        self.e_vu[seg_of[~fwd]] = eid[~fwd]
        self.length = np.where(self.e_uv >= 0, np.asarray(length)[np.maximum(self.e_uv, 0)],
                               np.asarray(length)[np.maximum(self.e_vu, 0)]).astype(np.float64)
        self.lat0 = float(np.mean(node_lat)) if n else 0.0
        self._k = np.pi / 180 * EARTH_RADIUS_M
        self._c = np.cos(np.radians(self.lat0))
        self.node_lat = np.asarray(node_lat)
        self.node_lon = np.asarray(node_lon)
        xy = self._xy(self.node_lat, self.node_lon)
        self._pu, self._pv = xy[self.u], xy[self.v]
        # sample points along every segment
        m = np.maximum(1, np.ceil(self.length / SAMPLE_M).astype(np.int64))
        owner = np.repeat(np.arange(n_seg), m + 1)
        frac = (np.arange(len(owner)) - np.repeat(np.cumsum(m + 1) - (m + 1), m + 1)) / np.repeat(m, m + 1)
        pts = self._pu[owner] + (self._pv[owner] - self._pu[owner]) * frac[:, None]
        self._owner = owner
        self._tree = cKDTree(pts) if len(pts) else None
        self.n_segments = n_seg

    def _xy(self, lat, lon) -> np.ndarray:
        return np.column_stack([np.asarray(lon, np.float64) * self._k * self._c, np.asarray(lat, np.float64) * self._k])

    def link(self, lat, lon, radius_m: float) -> Links:
        """Project each point onto its nearest usable segment within ``radius_m``."""
        lat = np.atleast_1d(np.asarray(lat, np.float64))
        lon = np.atleast_1d(np.asarray(lon, np.float64))
        P = len(lat)
        seg = np.full(P, -1, np.int64)
        t = np.zeros(P)
        snap = np.full(P, np.inf)
        proj = np.zeros((P, 2))
        if self._tree is not None and P:
            xy = self._xy(lat, lon)
            k = min(K_CANDIDATES, len(self._owner))
            d, idx = self._tree.query(xy, k=k, distance_upper_bound=radius_m + SAMPLE_M)
            d, idx = d.reshape(P, k), idx.reshape(P, k)
            valid = np.isfinite(d)
            cand = np.where(valid, self._owner[np.minimum(idx, len(self._owner) - 1)], 0)
            pu, pv = self._pu[cand], self._pv[cand]
            dv = pv - pu
            L2 = np.maximum((dv ** 2).sum(-1), 1e-12)
            tt = np.clip(((xy[:, None, :] - pu) * dv).sum(-1) / L2, 0.0, 1.0)
            pp = pu + dv * tt[..., None]
            dist = np.sqrt(((xy[:, None, :] - pp) ** 2).sum(-1))
            dist = np.where(valid, dist, np.inf)
            j = np.argmin(dist, axis=1)
            rows = np.arange(P)
            best = dist[rows, j]
            ok = best <= radius_m
            seg = np.where(ok, cand[rows, j], -1)
            t = np.where(ok, tt[rows, j], 0.0)
            snap = np.where(ok, best, np.inf)
            proj = pp[rows, j]
        s = np.maximum(seg, 0)
        linked = seg >= 0
        plat = np.where(linked, proj[:, 1] / self._k, lat)
        plon = np.where(linked, proj[:, 0] / (self._k * self._c), lon)
        if self.n_segments == 0:
            z = np.full(P, -1, np.int64)
            return Links(seg, z, z, z, z, t, np.zeros(P), snap, plat, plon)
        return Links(seg, np.where(linked, self.u[s], -1), np.where(linked, self.v[s], -1),
                     np.where(linked, self.e_uv[s], -1), np.where(linked, self.e_vu[s], -1), t,
                     np.where(linked, self.length[s], 0.0), snap, plat, plon)


def leave_seeds(lk: Links, i: int, cost: np.ndarray, length: np.ndarray) -> tuple[list, list, list]:
    """(nodes, costs, metres) to start a forward search from point ``i`` (excluding the snap walk)."""
    return _ends(lk, i, cost, length, leave=True)


def arrive_costs(lk: Links, i: int, cost: np.ndarray, length: np.ndarray) -> tuple[list, list, list]:
    """(nodes, costs, metres) from which point ``i`` is reached along its segment."""
    return _ends(lk, i, cost, length, leave=False)


def _ends(lk: Links, i: int, cost, length, leave: bool):
    nodes, cs, ls = [], [], []
    if lk.seg[i] < 0:
        return nodes, cs, ls
    t = float(lk.t[i])
    euv, evu = int(lk.e_uv[i]), int(lk.e_vu[i])
    L = float(lk.seg_len[i])
    if leave:   # point -> v along u->v, point -> u along v->u
        if euv >= 0 and np.isfinite(cost[euv]):
            nodes.append(int(lk.v[i])); cs.append((1 - t) * float(cost[euv])); ls.append((1 - t) * L)
        if evu >= 0 and np.isfinite(cost[evu]):
            nodes.append(int(lk.u[i])); cs.append(t * float(cost[evu])); ls.append(t * L)
    else:       # u -> point along u->v, v -> point along v->u
        if euv >= 0 and np.isfinite(cost[euv]):
            nodes.append(int(lk.u[i])); cs.append(t * float(cost[euv])); ls.append(t * L)
        if evu >= 0 and np.isfinite(cost[evu]):
            nodes.append(int(lk.v[i])); cs.append((1 - t) * float(cost[evu])); ls.append((1 - t) * L)
    return nodes, cs, ls


def along_same_segment(a: Links, i: int, b: Links, j: int, cost) -> tuple[float, float] | None:
    """(cost, metres) of walking along the segment from point i of ``a`` to point j of ``b`` when
    both lie on the same segment, else None."""
    if a.seg[i] < 0 or a.seg[i] != b.seg[j]:
        return None
    ti, tj = float(a.t[i]), float(b.t[j])
    L = float(a.seg_len[i])
    e = int(a.e_uv[i]) if tj >= ti else int(a.e_vu[i])
    if e < 0 or not np.isfinite(cost[e]):
        return None
    return abs(tj - ti) * float(cost[e]), abs(tj - ti) * L
