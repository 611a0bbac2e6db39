"""Walks between stops on the streets, per walking profile, for the timetable's footpaths.

Every stop is linked to its nearest usable segment for the profile; from each linked stop one
bounded street search (``router.streets.point_costs``, all stops in one call) prices the stops
within ``max_walk_m`` crow-fly. A pair with a stop that no street reaches (outside the OSM
coverage or beyond the link radius) is walked crow-fly x detour instead. No dense matrix: the
candidate pairs come from a cKDTree and each search is bounded by the walking distance.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from maas.planner.settings import SETTINGS, WALK_RULES
from maas.planner.streets import StreetRouter
from maas.router.streets import point_costs
from maas.streets.link import Links, along_same_segment
from maas.timetable.footpaths import haversine_m, project


def seeds_and_targets(lk: Links, cost: np.ndarray, speed: float):
    """Per point: up to two seeds to leave it and two ends to reach it, snap walks included."""
    ok = lk.seg >= 0
    e_uv, e_vu = np.maximum(lk.e_uv, 0), np.maximum(lk.e_vu, 0)
    c_uv = np.where(ok & (lk.e_uv >= 0), cost[e_uv], np.inf)
    c_vu = np.where(ok & (lk.e_vu >= 0), cost[e_vu], np.inf)
    snap_c = np.where(ok, lk.snap_m / speed, np.inf)
    snap_m = np.where(ok, lk.snap_m, np.inf)
    t, L = lk.t, lk.seg_len
    # leave: to v along u->v, to u along v->u
    leave = ((lk.v, (1 - t) * c_uv + snap_c, (1 - t) * L + snap_m), (lk.u, t * c_vu + snap_c, t * L + snap_m))
    # arrive: from u along u->v, from v along v->u
    arrive = ((lk.u, t * c_uv + snap_c, t * L + snap_m), (lk.v, (1 - t) * c_vu + snap_c, (1 - t) * L + snap_m))
    return leave, arrive


def along_where_shorter(a: Links, ia: np.ndarray, b: Links, ib: np.ndarray, cost: np.ndarray, speed: float,
                        sc: np.ndarray, sm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Searches price a point through its segment's end nodes; where both points of a pair lie
    on one segment, walking straight along it may be shorter: take it (snaps included)."""
    same = np.flatnonzero((a.seg[ia] >= 0) & (a.seg[ia] == b.seg[ib]))
    for k in same.tolist():
        i, j = int(ia[k]), int(ib[k])
        r = along_same_segment(a, i, b, j, cost)
        if r is not None:
            c2 = r[0] + (a.snap_m[i] + b.snap_m[j]) / speed
            if c2 < sc[k]:
                sc[k], sm[k] = c2, r[1] + a.snap_m[i] + b.snap_m[j]
    return sc, sm


def street_walk_pairs(router: StreetRouter, lat: np.ndarray, lon: np.ndarray, max_walk_m: float,
                      detour: float, crow_radius_m: float) -> tuple[dict, dict]:
    """Per profile ``(a, b, metres, seconds, speed)`` of the walks between stops, and per
    profile how many stops were linked to the streets."""
    n = len(lat)
    out: dict[str, tuple] = {}
    linked_counts: dict[str, int] = {}
    if n == 0:
        return out, linked_counts
    xy = project(lat, lon, float(np.mean(lat)))
    tree = cKDTree(xy)
    pairs = tree.query_pairs(max_walk_m, output_type="ndarray")
    pa = np.concatenate([pairs[:, 0], pairs[:, 1]]).astype(np.int64)
    pb = np.concatenate([pairs[:, 1], pairs[:, 0]]).astype(np.int64)
    order = np.lexsort((pb, pa))
    pa, pb = pa[order], pb[order]
    crow = haversine_m(lat[pa], lon[pa], lat[pb], lon[pb])
    ptr_all = np.zeros(n + 1, np.int64)
    np.add.at(ptr_all, pa + 1, 1)
    ptr_all = np.cumsum(ptr_all)
    for name, rules in WALK_RULES.items():
        with np.errstate(invalid="ignore"):   # 0 x inf at a segment's end: no path that way
            out[name] = _profile_pairs(router, name, rules, lat, lon, pa, pb, crow, max_walk_m, detour,
                                       crow_radius_m, linked_counts)
    return out, linked_counts


def _profile_pairs(router, name, rules, lat, lon, pa, pb, crow, max_walk_m, detour, crow_radius_m, linked_counts):
    """The walks between stops for one profile (see :func:`street_walk_pairs`)."""
    n = len(lat)
    cost = router.cost(name)
    length = router.g.arrays["walk_len"]
    lk = router.link(name, lat, lon, SETTINGS.link_radius_stop_m)
    linked = lk.seg >= 0
    linked_counts[name] = int(linked.sum())
    leave, arrive = seeds_and_targets(lk, cost, rules.speed)
    # seeds CSR per stop
    s_nodes = np.stack([leave[0][0], leave[1][0]], 1)
    s_cost = np.stack([leave[0][1], leave[1][1]], 1)
    s_len = np.stack([leave[0][2], leave[1][2]], 1)
    s_ok = np.isfinite(s_cost) & (s_nodes >= 0)
    seed_ptr = np.concatenate([[0], np.cumsum(s_ok.sum(1))]).astype(np.int64)
    both = linked[pa] & linked[pb]
    sa, sb = pa[both], pb[both]
    tgt_ptr = np.zeros(n + 1, np.int64)
    np.add.at(tgt_ptr, sa + 1, 1)
    tgt_ptr = np.cumsum(tgt_ptr)
    (au, acu, alu), (av, acv, alv) = arrive
    res = point_costs(*router.csr("walk", False), cost, np.asarray(length, np.float64),
                      seed_ptr, s_nodes[s_ok].astype(np.int32), s_cost[s_ok], s_len[s_ok],
                      tgt_ptr, au[sb].astype(np.int64), av[sb].astype(np.int64),
                      acu[sb], acv[sb], alu[sb], alv[sb], np.inf, float(max_walk_m))
    sc, sm = along_where_shorter(lk, sa, lk, sb, cost, rules.speed, res.cost.copy(), res.length.copy())
    good = np.isfinite(sc) & (sm <= max_walk_m)
    # crow-fly where a stop has no street
    cf = ~both & (crow <= crow_radius_m)
    cf_m = crow[cf] * detour
    a = np.concatenate([sa[good], pa[cf]])
    b = np.concatenate([sb[good], pb[cf]])
    m = np.concatenate([sm[good], cf_m])
    s = np.concatenate([sc[good], np.ceil(cf_m / rules.speed)])
    return (a, b, m, s, rules.speed)
