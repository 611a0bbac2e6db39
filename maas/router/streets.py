"""Street searches: bounded Dijkstra over a CSR street graph with per-edge costs.

Arrays in, arrays out. A graph is given as ``ptr`` (per node, into ``adj_edge``), ``adj_edge``
(edge ids out of each node; the identity for a forward CSR, the edges keyed by head for a search
toward a point) and ``next_node`` (the node an edge leads to in the search's direction: head
forward, tail backward). ``cost`` is the generalized cost of each edge (seconds; ``inf`` where
the profile may not pass), ``length`` its metres. A search minimises cost, carries the length of
the chosen path, and stops where either bound is passed.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class StreetSearch(NamedTuple):
    """One search's labels: cost and length per node (inf where unreached), the edge each node
    was reached by (-1 for seeds and unreached nodes) and the nodes in the order settled."""

    cost: np.ndarray
    length: np.ndarray
    parent: np.ndarray
    settled: np.ndarray


class PointCosts(NamedTuple):
    """Cost and length from each search's seeds to each of its target points (inf: none)."""

    cost: np.ndarray
    length: np.ndarray


@njit(cache=True, inline="always")
def _push(hc, hn, size, c, node):
    i = size
    hc[i] = c
    hn[i] = node
    while i > 0:
        p = (i - 1) >> 1
        if hc[p] <= hc[i]:
            break
        hc[p], hc[i] = hc[i], hc[p]
        hn[p], hn[i] = hn[i], hn[p]
        i = p
    return size + 1


@njit(cache=True, inline="always")
def _pop(hc, hn, size):
    c, node = hc[0], hn[0]
    size -= 1
    hc[0] = hc[size]
    hn[0] = hn[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        m = left
        if left + 1 < size and hc[left + 1] < hc[left]:
            m = left + 1
        if hc[i] <= hc[m]:
            break
        hc[m], hc[i] = hc[i], hc[m]
        hn[m], hn[i] = hn[i], hn[m]
        i = m
    return c, node, size


@njit(cache=True, nogil=True)
def _labels(n, cap):
    """Fresh labels for ``n`` nodes and a heap of ``cap`` entries."""
    return (np.full(n, np.inf), np.full(n, np.inf), np.full(n, -1, np.int32), np.zeros(n, np.bool_),
            np.empty(cap, np.float64), np.empty(cap, np.int32), np.empty(n, np.int32))


@njit(cache=True, nogil=True)
def _dijkstra(ptr, adj_edge, next_node, cost, length, seeds, seed_cost, seed_len, max_cost, max_len,
              dist, dlen, parent, done, hc, hn, settled, targets, node_x, node_y, goal_x, goal_y, slack, rate):
    """Core loop on caller-owned label arrays; returns the number of settled nodes. Stops when
    every node of ``targets`` is settled (none given: when the bounds are exhausted).

    With ``rate > 0`` it is A*: the heap is keyed by cost plus ``rate`` x (the straight metres
    from a node to the goal, less ``slack``), a lower bound of the cost still to go when
    ``rate`` is at most the cheapest cost per metre and ``slack`` the targets' furthest metres
    from the goal; the labels of settled nodes stay exact."""
    size = 0
    for i in range(len(seeds)):
        s = seeds[i]
        if seed_cost[i] < dist[s] and seed_cost[i] <= max_cost and seed_len[i] <= max_len:
            dist[s] = seed_cost[i]
            dlen[s] = seed_len[i]
            parent[s] = -1
            key = seed_cost[i]
            if rate > 0.0:
                key += _ahead(node_x, node_y, s, goal_x, goal_y, slack, rate)
            size = _push(hc, hn, size, key, s)
    n_left = len(targets)
    k = 0
    while size > 0:
        c, u, size = _pop(hc, hn, size)
        if done[u]:
            continue   # a stale entry: the node was settled from a cheaper one
        c = dist[u]
        done[u] = True
        settled[k] = u
        k += 1
        if n_left > 0:
            for t in targets:
                if t == u:
                    n_left -= 1
            if n_left == 0:
                break
        lu = dlen[u]
        for j in range(ptr[u], ptr[u + 1]):
            e = adj_edge[j]
            ce = cost[e]
            if not ce < np.inf:
                continue
            v = next_node[e]
            nc = c + ce
            nl = lu + length[e]
            if nc < dist[v] and nc <= max_cost and nl <= max_len and not done[v]:
                dist[v] = nc
                dlen[v] = nl
                parent[v] = e
                if size >= len(hc):
                    continue   # cannot happen: one push per improving relaxation, at most one per edge + seeds
                key = nc
                if rate > 0.0:
                    key += _ahead(node_x, node_y, v, goal_x, goal_y, slack, rate)
                size = _push(hc, hn, size, key, v)
    return k


@njit(cache=True, inline="always")
def _ahead(node_x, node_y, v, goal_x, goal_y, slack, rate):
    dx = node_x[v] - goal_x
    dy = node_y[v] - goal_y
    d = np.sqrt(dx * dx + dy * dy) - slack
    return rate * d if d > 0.0 else 0.0


@njit(cache=True, nogil=True)
def street_search(ptr, adj_edge, next_node, cost, length, seeds, seed_cost, seed_len, max_cost, max_len,
                  targets) -> StreetSearch:
    """Bounded Dijkstra from ``seeds`` (nodes with initial cost and length). ``targets``: stop
    once all of these nodes are settled (empty: search the whole bounded area)."""
    dist, dlen, parent, done, hc, hn, settled = _labels(len(ptr) - 1, len(adj_edge) + len(seeds) + 1)
    none = np.zeros(0)
    k = _dijkstra(ptr, adj_edge, next_node, cost, length, seeds, seed_cost, seed_len, max_cost, max_len,
                  dist, dlen, parent, done, hc, hn, settled, targets, none, none, 0.0, 0.0, 0.0, 0.0)
    return StreetSearch(dist, dlen, parent, settled[:k].copy())


@njit(cache=True, nogil=True)
def street_search_to(ptr, adj_edge, next_node, cost, length, seeds, seed_cost, seed_len, max_cost, max_len,
                     targets, node_x, node_y, goal_x, goal_y, slack, rate) -> StreetSearch:
    """:func:`street_search` toward one place (A*, see ``_dijkstra``): ``node_x``/``node_y`` are
    the nodes in planar metres, the goal is at (``goal_x``, ``goal_y``) and every target node
    within ``slack`` metres of it; ``rate`` is at most the cheapest cost per metre of ``cost``.
    Only the labels of the targets (and of the nodes settled) are exact."""
    dist, dlen, parent, done, hc, hn, settled = _labels(len(ptr) - 1, len(adj_edge) + len(seeds) + 1)
    k = _dijkstra(ptr, adj_edge, next_node, cost, length, seeds, seed_cost, seed_len, max_cost, max_len,
                  dist, dlen, parent, done, hc, hn, settled, targets, node_x, node_y, goal_x, goal_y, slack, rate)
    return StreetSearch(dist, dlen, parent, settled[:k].copy())


@njit(cache=True, nogil=True)
def trace_edges(parent, back_node, node) -> np.ndarray:
    """The edges of a search's path to ``node``, seed first: ``parent`` from its labels,
    ``back_node`` the node each edge was entered from (tail forward, head backward)."""
    n = 0
    x = node
    while parent[x] >= 0 and n < len(parent):
        n += 1
        x = back_node[parent[x]]
    out = np.empty(n, np.int64)
    x = node
    for i in range(n - 1, -1, -1):
        e = parent[x]
        out[i] = e
        x = back_node[e]
    return out


@njit(cache=True, nogil=True)
def point_costs(ptr, adj_edge, next_node, cost, length, seed_ptr, seeds, seed_cost, seed_len,
                tgt_ptr, tgt_a, tgt_b, tgt_ca, tgt_cb, tgt_la, tgt_lb, max_cost, max_len) -> PointCosts:
    """Many bounded searches in one call (footpaths between stops at build time).

    Search ``i`` starts from ``seeds[seed_ptr[i]:seed_ptr[i+1]]`` and prices its targets
    ``tgt_ptr[i]:tgt_ptr[i+1]``: a target is reached through node ``tgt_a`` (adding ``tgt_ca``
    cost and ``tgt_la`` metres) or ``tgt_b`` (``tgt_cb``, ``tgt_lb``), whichever is cheaper. Label
    arrays are reused between searches and reset only where touched.
    """
    dist, dlen, parent, done, hc, hn, settled = _labels(len(ptr) - 1, len(adj_edge) + len(seeds) + 1)
    n = len(ptr) - 1
    out_c = np.full(len(tgt_a), np.inf)
    out_l = np.full(len(tgt_a), np.inf)
    touched = np.empty(n, np.int32)
    empty = np.zeros(0, np.int32)
    none = np.zeros(0)
    for i in range(len(seed_ptr) - 1):
        a, b = seed_ptr[i], seed_ptr[i + 1]
        if a == b or tgt_ptr[i] == tgt_ptr[i + 1]:
            continue
        k = _dijkstra(ptr, adj_edge, next_node, cost, length, seeds[a:b], seed_cost[a:b], seed_len[a:b],
                      max_cost, max_len, dist, dlen, parent, done, hc, hn, settled, empty, none, none,
                      0.0, 0.0, 0.0, 0.0)
        for j in range(tgt_ptr[i], tgt_ptr[i + 1]):
            best, bl = np.inf, np.inf
            x = tgt_a[j]
            if x >= 0 and dist[x] + tgt_ca[j] < best:
                best, bl = dist[x] + tgt_ca[j], dlen[x] + tgt_la[j]
            x = tgt_b[j]
            if x >= 0 and dist[x] + tgt_cb[j] < best:
                best, bl = dist[x] + tgt_cb[j], dlen[x] + tgt_lb[j]
            out_c[j] = best
            out_l[j] = bl
        # reset what this search touched: settled nodes and their neighbours
        m = 0
        for q in range(k):
            u = settled[q]
            touched[m] = u
            m += 1
        for q in range(m):
            u = touched[q]
            dist[u] = np.inf
            dlen[u] = np.inf
            parent[u] = -1
            done[u] = False
            for j in range(ptr[u], ptr[u + 1]):
                v = next_node[adj_edge[j]]
                dist[v] = np.inf
                dlen[v] = np.inf
                parent[v] = -1
                done[v] = False
        for q in range(b - a):
            s = seeds[a + q]
            dist[s] = np.inf
            dlen[s] = np.inf
            done[s] = False
    return PointCosts(out_c, out_l)


class LinkPrices(NamedTuple):
    """Cost (seconds) and metres from a search's origin to each linked point (inf: none)."""

    cost: np.ndarray
    metres: np.ndarray


@njit(cache=True, nogil=True)
def link_prices(dist, dlen, cost, seg, u, v, e_uv, e_vu, t, seg_len, snap_m, reverse, speed,
                own_snap_s, own_snap_m) -> LinkPrices:
    """Price points linked to segments (``seg``, end nodes ``u``/``v``, directed edges
    ``e_uv``/``e_vu`` or -1, fraction ``t`` from ``u``, ``seg_len``, ``snap_m``) from a search's
    labels ``dist``/``dlen``: the cheaper of arriving through ``u`` along u->v and through ``v``
    along v->u (``reverse``: leaving the point toward the search's place), plus both snap walks at
    ``speed``. A point on the search's own segment is priced here only through the ends."""
    n = len(seg)
    out_c = np.full(n, np.inf)
    out_m = np.full(n, np.inf)
    for j in range(n):
        if seg[j] < 0:
            continue
        tj = t[j]
        cu = np.inf
        cv = np.inf
        lu = 0.0
        lv = 0.0
        if e_uv[j] >= 0 and cost[e_uv[j]] < np.inf:
            if not reverse:    # search -> u -> point along u->v
                cu = dist[u[j]] + tj * cost[e_uv[j]]
                lu = dlen[u[j]] + tj * seg_len[j]
            else:              # point -> v along u->v -> search
                cu = dist[v[j]] + (1.0 - tj) * cost[e_uv[j]]
                lu = dlen[v[j]] + (1.0 - tj) * seg_len[j]
        if e_vu[j] >= 0 and cost[e_vu[j]] < np.inf:
            if not reverse:    # search -> v -> point along v->u
                cv = dist[v[j]] + (1.0 - tj) * cost[e_vu[j]]
                lv = dlen[v[j]] + (1.0 - tj) * seg_len[j]
            else:              # point -> u along v->u -> search
                cv = dist[u[j]] + tj * cost[e_vu[j]]
                lv = dlen[u[j]] + tj * seg_len[j]
        if cu <= cv and cu < np.inf:
            out_c[j] = cu + snap_m[j] / speed + own_snap_s
            out_m[j] = lu + snap_m[j] + own_snap_m
        elif cv < np.inf:
            out_c[j] = cv + snap_m[j] / speed + own_snap_s
            out_m[j] = lv + snap_m[j] + own_snap_m
    return LinkPrices(out_c, out_m)


class StreetPathArrays(NamedTuple):
    """A traced path: its points (rounded to 1e-6 degree, repeats dropped), the edges walked
    (seed end first, parts under 5 cm dropped) with the metres walked on each, and the OR of
    their flags, the metres on ``rough`` edges and the number of ``kerb`` edges."""

    lat: np.ndarray
    lon: np.ndarray
    edges: np.ndarray
    metres: np.ndarray
    flags: int
    rough_m: float
    kerbs: int


@njit(cache=True, nogil=True)
def trace_path(parent, dlen, back_node, ahead_node, end_node, node_lat, node_lon, edge_len, edge_flags,
               match_node, edge_if_match, edge_else, last_edge, last_m, ends, reverse, rough_bit,
               kerb_bit) -> StreetPathArrays:
    """The path of a search (labels ``parent``, ``dlen``; edges entered from ``back_node`` and
    leading to ``ahead_node``) to ``end_node``, then along ``last_edge`` for ``last_m`` metres to a
    linked point, in travel order. ``ends`` holds four (lat, lon): the search's point, its
    projection, the other point's projection and the other point. The search's own segment is
    walked along ``edge_if_match`` when the path's first node is ``match_node``, else along
    ``edge_else``, for the seed's label in metres. ``reverse``: the search ran toward its point,
    so the travel order starts at the other point."""
    mid = trace_edges(parent, back_node, end_node)
    k = len(mid)
    seed = back_node[mid[0]] if k > 0 else end_node
    first_edge = edge_if_match if seed == match_node else edge_else
    first_m = dlen[seed]
    n_pts = k + 5
    lat = np.empty(n_pts)
    lon = np.empty(n_pts)
    n_e = k + 2
    edges = np.empty(n_e, np.int64)
    metres = np.empty(n_e)
    # in search order: own point, own projection, seed ... end node, projection, point
    lat[0], lon[0] = ends[0, 0], ends[0, 1]
    lat[1], lon[1] = ends[1, 0], ends[1, 1]
    lat[2], lon[2] = node_lat[seed], node_lon[seed]
    for i in range(k):
        x = ahead_node[mid[i]]
        lat[3 + i], lon[3 + i] = node_lat[x], node_lon[x]
    lat[k + 3], lon[k + 3] = ends[2, 0], ends[2, 1]
    lat[k + 4], lon[k + 4] = ends[3, 0], ends[3, 1]
    edges[0], metres[0] = first_edge, first_m
    for i in range(k):
        edges[1 + i], metres[1 + i] = mid[i], edge_len[mid[i]]
    edges[k + 1], metres[k + 1] = last_edge, last_m
    if reverse:
        lat, lon, edges, metres = lat[::-1].copy(), lon[::-1].copy(), edges[::-1].copy(), metres[::-1].copy()
    out_lat = np.empty(n_pts)
    out_lon = np.empty(n_pts)
    m = 0
    for i in range(n_pts):
        if m == 0 or abs(out_lat[m - 1] - lat[i]) > 1e-7 or abs(out_lon[m - 1] - lon[i]) > 1e-7:
            out_lat[m], out_lon[m] = lat[i], lon[i]
            m += 1
    if m == 1:
        out_lat[1], out_lon[1] = out_lat[0], out_lon[0]
        m = 2
    out_lat = np.rint(out_lat[:m] * 1e6) / 1e6
    out_lon = np.rint(out_lon[:m] * 1e6) / 1e6
    fl = 0
    rough = 0.0
    kerbs = 0
    q = 0
    for i in range(n_e):
        e = edges[i]
        if e < 0 or metres[i] <= 0.05:
            continue
        edges[q], metres[q] = e, metres[i]
        q += 1
        f = np.int64(edge_flags[e])
        fl |= f
        if f & rough_bit:
            rough += metres[i]
        if f & kerb_bit:
            kerbs += 1
    return StreetPathArrays(out_lat, out_lon, edges[:q].copy(), metres[:q].copy(), fl, rough, kerbs)


class StepRuns(NamedTuple):
    """Runs of a path's edges on one street (the same name; unnamed ways: the same kind): per run
    its first edge's position in the path, name id, kind, metres and the bearings (degrees) of
    its first and last edges."""

    first: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    metres: np.ndarray
    start_bearing: np.ndarray
    end_bearing: np.ndarray


@njit(cache=True, nogil=True)
def step_runs(edges, edge_metres, edge_name, edge_kind, tail, head, node_lat, node_lon) -> StepRuns:
    """Group a path's edges (``edge_metres`` walked on each) into runs, for turn-by-turn steps."""
    n = len(edges)
    first = np.empty(n, np.int64)
    name = np.empty(n, np.int64)
    kind = np.empty(n, np.int64)
    metres = np.empty(n)
    b0 = np.empty(n)
    b1 = np.empty(n)
    r = -1
    for i in range(n):
        e = edges[i]
        la1 = np.radians(node_lat[tail[e]])
        lo1 = np.radians(node_lon[tail[e]])
        la2 = np.radians(node_lat[head[e]])
        lo2 = np.radians(node_lon[head[e]])
        y = np.sin(lo2 - lo1) * np.cos(la2)
        x = np.cos(la1) * np.sin(la2) - np.sin(la1) * np.cos(la2) * np.cos(lo2 - lo1)
        b = (np.degrees(np.arctan2(y, x)) + 360.0) % 360.0
        nm = edge_name[e]
        kd = edge_kind[e]
        if r >= 0 and ((nm >= 0 and nm == name[r]) or (nm < 0 and name[r] < 0 and kd == kind[r])):
            metres[r] += edge_metres[i]
            b1[r] = b
            continue
        r += 1
        first[r], name[r], kind[r], metres[r], b0[r], b1[r] = i, nm, kd, edge_metres[i], b, b
    r += 1
    return StepRuns(first[:r].copy(), name[:r].copy(), kind[:r].copy(), metres[:r].copy(), b0[:r].copy(),
                    b1[:r].copy())
