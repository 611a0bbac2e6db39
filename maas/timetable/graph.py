"""The time-expanded graph of one service date: a reference oracle for the router, and an export.

:func:`build_time_expanded_graph` turns a compiled timetable, for one date and one traveller
profile (:class:`DayInputs`, which the planner's ``Network.time_expanded_graph`` prepares), into a :class:`networkx.DiGraph` whose shortest paths are exactly the journeys of the
RAPTOR transfer model (see :mod:`maas.router.raptor`):

Nodes (all carry ``kind``, ``stop`` (stop index), ``stop_id`` and ``time``, in seconds after the
date's service-day reference, the same clock as the router):

* ``("dep", trip, slot, pos)``: trip ``trip`` of service day ``slot`` (0 yesterday, 1 the date,
  2 tomorrow) leaves position ``pos`` of its route;
* ``("arr", trip, slot, pos)``: it arrives there; ``alight`` tells whether getting off is allowed
  (drop-off allowed and the stop usable by the profile);
* ``("wait", stop, time)``: the traveller is at ``stop`` ready to board at ``time`` ("transfer
  node"); each stop's waiting nodes form a chain sorted by time.

Edges (attribute ``kind``; ``weight`` is always the time difference, so a path's length is the
time it takes):

* ``wait``: waiting node to the next one of the same stop;
* ``board``: ``wait(p, dep)`` to a departure, only where pickup is allowed and the stop is usable;
* ``ride``: departure at ``pos`` to arrival at ``pos + 1``; ``stay``: arrival to departure of the
  same trip at the same stop (staying on board);
* ``alight``: arrival to ``wait(p, arr + change[p])`` where alighting is allowed;
* ``walk``: arrival to ``wait(q, arr + walk(p, q))`` for every footpath ``p -> q``, also only
  where alighting is allowed. Walks leave arrival events only, so there is never a walk after a
  walk, exactly as in RAPTOR (footpaths are transitively closed).

Only events whose time lies in ``[t_from, t_to]`` are included (and waiting nodes up to
``t_to``), so a journey lying entirely inside the window is represented exactly; windows keep the
graph small on real feeds. Sources and targets of a query are attached temporarily by
:func:`te_earliest_arrival` and removed again.
"""
from __future__ import annotations

import bisect
import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np

_SRC = "__source__"
_DST = "__target__"


@dataclass(frozen=True)
class DayInputs:
    """What one date and one traveller profile change in the graph (built by the planner's
    :meth:`maas.Network.time_expanded_graph`): trip activity per service-day slot and its
    offsets, usable stops, the profile's footpaths (CSR) and change times."""

    date: dt.date
    profile: str
    strict: bool
    slot_offsets: np.ndarray
    trip_active: np.ndarray
    stop_ok: np.ndarray
    fp_ptr: np.ndarray
    fp_to: np.ndarray
    fp_dur: np.ndarray
    change: np.ndarray


def build_time_expanded_graph(tt, day_inputs: DayInputs, t_from: int | None = None,
                              t_to: int | None = None) -> nx.DiGraph:
    """Time-expanded graph of the timetable ``tt`` for one date and profile (``day_inputs``),
    restricted to ``[t_from, t_to]``.

    Times are seconds after the date's service-day reference; ``None`` bounds mean "no bound"
    (yesterday's, today's and tomorrow's trips all included). Graph attributes record the date,
    profile, window and slot offsets; the per-stop lookups used by :func:`te_earliest_arrival`
    are kept in ``graph.graph["_waits"]`` and ``graph.graph["_arrivals"]``.
    """
    ctx = day_inputs
    day = ctx.date
    strict = ctx.strict
    lo = -(2 ** 62) if t_from is None else int(t_from)
    hi = 2 ** 62 if t_to is None else int(t_to)

    route_stop_ptr = np.asarray(tt.route_stop_ptr)
    route_stops = np.asarray(tt.route_stops)
    route_pickup = np.asarray(tt.route_pickup)
    route_dropoff = np.asarray(tt.route_dropoff)
    trip_route = np.asarray(tt.trip_route)
    trip_time_ptr = np.asarray(tt.trip_time_ptr)
    arr_time = np.asarray(tt.arr_time)
    dep_time = np.asarray(tt.dep_time)
    fp_ptr = np.asarray(ctx.fp_ptr)
    fp_to = np.asarray(ctx.fp_to)
    fp_dur = np.asarray(ctx.fp_dur)
    change = np.asarray(ctx.change)
    stop_ok = np.asarray(ctx.stop_ok)
    stop_ids = [str(s) for s in tt.stop_id]
    trip_ids = tt.trip_id

    g = nx.DiGraph(date=day.isoformat(), profile=ctx.profile, strict=bool(strict),
                   t_from=int(lo) if t_from is not None else "", t_to=int(hi) if t_to is not None else "",
                   slot_offsets=",".join(str(int(o)) for o in ctx.slot_offsets))
    waits: dict[int, set[int]] = defaultdict(set)
    arrivals: dict[int, list[tuple]] = defaultdict(list)
    pending: list[tuple] = []      # (from node, stop, time, kind, weight) edges into waiting chains

    def wait_at(p: int, t: int) -> None:
        if t <= hi:
            waits[p].add(t)

    for s in range(len(ctx.slot_offsets)):
        off = int(ctx.slot_offsets[s])
        active = np.flatnonzero(ctx.trip_active[s])
        for trip in active.tolist():
            r = int(trip_route[trip])
            base = int(route_stop_ptr[r])
            n = int(route_stop_ptr[r + 1]) - base
            tp = int(trip_time_ptr[trip])
            arr = arr_time[tp:tp + n].astype(np.int64) + off
            dep = dep_time[tp:tp + n].astype(np.int64) + off
            if dep[0] > hi or arr[n - 1] < lo:
                continue
            tid = str(trip_ids[trip])
            for pos in range(n):
                p = int(route_stops[base + pos])
                a, d = int(arr[pos]), int(dep[pos])
                has_arr = pos > 0 and lo <= a <= hi
                has_dep = pos < n - 1 and lo <= d <= hi
                if has_arr:
                    node = ("arr", trip, s, pos)
                    alight = bool(route_dropoff[base + pos]) and bool(stop_ok[p])
                    g.add_node(node, kind="arr", stop=p, stop_id=stop_ids[p], time=a, trip=trip, trip_id=tid,
                               slot=s, pos=pos, alight=alight)
                    prev = ("dep", trip, s, pos - 1)
                    if prev in g:
                        g.add_edge(prev, node, kind="ride", weight=a - g.nodes[prev]["time"])
                    if alight:
                        arrivals[p].append(node)
                        c = a + int(change[p])
                        pending.append((node, p, c, "alight", int(change[p])))
                        wait_at(p, c)
                        for e in range(int(fp_ptr[p]), int(fp_ptr[p + 1])):
                            q = int(fp_to[e])
                            w = int(fp_dur[e])
                            pending.append((node, q, a + w, "walk", w))
                            wait_at(q, a + w)
                if has_dep:
                    node = ("dep", trip, s, pos)
                    g.add_node(node, kind="dep", stop=p, stop_id=stop_ids[p], time=d, trip=trip, trip_id=tid,
                               slot=s, pos=pos)
                    if has_arr:
                        g.add_edge(("arr", trip, s, pos), node, kind="stay", weight=d - a)
                    if route_pickup[base + pos] and stop_ok[p]:
                        wait_at(p, d)
                        pending.append((("wait", p, d), node, None, "board", 0))

    wait_lists: dict[int, list[int]] = {}
    for p, times in waits.items():
        ts = sorted(times)
        wait_lists[p] = ts
        for t in ts:
            g.add_node(("wait", p, t), kind="wait", stop=p, stop_id=stop_ids[p], time=t)
        for t1, t2 in zip(ts, ts[1:]):
            g.add_edge(("wait", p, t1), ("wait", p, t2), kind="wait", weight=t2 - t1)
    for frm, target, t, kind, w in pending:
        if kind == "board":
            g.add_edge(frm, target, kind="board", weight=0)
        elif t <= hi:
            g.add_edge(frm, ("wait", target, t), kind=kind, weight=w)
    g.graph["_waits"] = wait_lists
    g.graph["_arrivals"] = dict(arrivals)
    return g


def te_earliest_arrival(graph: nx.DiGraph, net, sources: list[tuple[int, int]],
                        targets: list[tuple[int, int]]) -> int | None:
    """Earliest arrival from ``sources`` to ``targets`` by Dijkstra (networkx) on the graph.

    ``sources`` are ``(stop index, time)``: the traveller can board at that stop from that time
    on (the graph's first waiting node at or after it). ``targets`` are ``(stop index, egress
    offset)``: arriving at the stop *by a trip* where alighting is allowed, then the offset
    (e.g. a final walk), as RAPTOR's targets. Returns the arrival time (seconds after the
    service-day reference) or ``None`` when no target is reached inside the graph's window.
    ``net`` is accepted for symmetry with the router API and is not needed by the search.
    """
    del net
    waits: dict[int, list[int]] = graph.graph["_waits"]
    arrivals: dict[int, list] = graph.graph["_arrivals"]
    if not sources or not targets:
        return None
    t_min = min(int(t) for _, t in sources)
    src_edges: dict[tuple, int] = {}
    for p, t in sources:
        ts = waits.get(int(p))
        if not ts:
            continue
        i = bisect.bisect_left(ts, int(t))
        if i < len(ts):
            node = ("wait", int(p), ts[i])
            w = ts[i] - t_min
            if node not in src_edges or w < src_edges[node]:
                src_edges[node] = w
    offsets: dict[int, int] = {}
    for p, o in targets:
        p, o = int(p), int(o)
        if p not in offsets or o < offsets[p]:
            offsets[p] = o
    dst_edges = [(node, o) for p, o in offsets.items() for node in arrivals.get(p, ())]
    if not src_edges or not dst_edges:
        return None
    graph.add_node(_SRC)
    graph.add_node(_DST)
    try:
        for node, w in src_edges.items():
            graph.add_edge(_SRC, node, weight=w)
        for node, o in dst_edges:
            graph.add_edge(node, _DST, weight=o)
        try:
            length = nx.dijkstra_path_length(graph, _SRC, _DST, weight="weight")
        except nx.NetworkXNoPath:
            return None
        return int(t_min + length)
    finally:
        graph.remove_node(_SRC)
        graph.remove_node(_DST)


def export_graphml(graph: nx.DiGraph, path: str | os.PathLike) -> None:
    """Write the graph as GraphML for analysis tools (Gephi, yEd, networkx, igraph).

    Node ids become strings (``dep:<trip>:<slot>:<pos>``, ``arr:...``, ``wait:<stop>:<time>``);
    node and edge attributes are kept; internal per-stop lookups are left out.
    """
    def name(node) -> str:
        return ":".join(str(x) for x in node) if isinstance(node, tuple) else str(node)

    out = nx.DiGraph()
    out.graph.update({k: v for k, v in graph.graph.items()
                      if not k.startswith("_") and isinstance(v, (str, int, float, bool))})
    for node, data in graph.nodes(data=True):
        out.add_node(name(node), **{k: (v.item() if hasattr(v, "item") else v) for k, v in data.items()
                                    if v is not None})
    for u, v, data in graph.edges(data=True):
        out.add_edge(name(u), name(v), **{k: (x.item() if hasattr(x, "item") else x) for k, x in data.items()})
    nx.write_graphml(out, os.fspath(path))
