"""Street searches for one request: walking, cycling and driving on the OSM graph.

:class:`StreetRouter` holds, for one loaded street graph, the per-profile edge costs, the linkers
(nearest usable segment per mode and profile) and the stops' links, and runs the router's
numba searches. A :class:`Reach` is one search from (or, ``reverse``, toward) a point: it prices
any linked point and rebuilds the street path to it, with geometry and turn-by-turn steps,
only for the legs an itinerary shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from maas.planner.settings import SETTINGS, WALK_RULES, Settings
from maas.planner.instructions import encode_polyline
from maas.router.streets import link_prices, step_runs, street_search, street_search_to, trace_path
from maas.streets import tags as T
from maas.streets.costs import bike_costs, car_costs, walk_costs
from maas.streets.graph import KINDS, StreetGraph
from maas.streets.link import Linker, Links, along_same_segment, arrive_costs, leave_seeds

EARTH_RADIUS_M = 6_371_008.8
NO_TARGETS = np.zeros(0, np.int32)


@dataclass
class StreetPath:
    """A street path between two points, ready for a leg: geometry, metres, seconds, the edges
    in order (for steps) and what a step-free traveller meets on it."""

    geometry: list[list[float]]
    distance_m: float
    duration_s: float
    edges: list[int] = field(default_factory=list)
    mode: str = "walk"
    flags: int = 0                 # OR of the edges' flags
    rough_m: float = 0.0
    unknown_kerbs: int = 0
    edge_metres: list[float] = field(default_factory=list)   # walked on each edge (partial at the ends)
    memo: dict = field(default_factory=dict, repr=False, compare=False)   # steps, polyline: made once

    @property
    def polyline(self) -> str:
        """The geometry as an encoded polyline (precision 5)."""
        p = self.memo.get("polyline")
        if p is None:
            p = self.memo["polyline"] = encode_polyline(self.geometry)
        return p


class Reach:
    """One bounded search from a linked point (``reverse``: toward it)."""

    def __init__(self, router: "StreetRouter", mode: str, cost: np.ndarray, link: Links, speed: float,
                 max_cost: float, max_len: float, reverse: bool = False, targets: np.ndarray = NO_TARGETS,
                 goal: tuple[float, float, float] | None = None, rate: float = 0.0):
        """``goal``: (lat, lon, slack metres) of the one place the targets lead to, for an A*
        search at ``rate`` (see :func:`maas.router.streets.street_search_to`)."""
        self.router, self.mode, self.cost, self.link, self.reverse = router, mode, cost, link, reverse
        g = router.g
        self.speed = speed
        self.snap_s = float(link.snap_m[0]) / speed
        self.snap_m = float(link.snap_m[0])
        nodes, cs, ls = (arrive_costs if reverse else leave_seeds)(link, 0, cost, g.arrays[f"{mode}_len"])
        self.seeds = nodes
        ptr, adj, nxt = router.csr(mode, reverse)
        args = (ptr, adj, nxt, cost, router.length[mode], np.asarray(nodes, np.int32), np.asarray(cs, np.float64),
                np.asarray(ls, np.float64), float(max_cost), float(max_len), targets)
        if goal is not None and rate > 0:
            x, y = router.planar(goal[0], goal[1])
            self.search = street_search_to(*args, router.node_x, router.node_y, x, y, float(goal[2]), float(rate))
        else:
            self.search = street_search(*args)

    def price(self, links: Links) -> tuple[np.ndarray, np.ndarray]:
        """(cost seconds, metres) to each linked point of ``links`` (inf where not reached);
        both include the two snap walks."""
        lk = links
        if len(lk.seg) == 0:
            return np.zeros(0), np.zeros(0)
        cost, metres = link_prices(self.search.cost, self.search.length, self.cost, lk.seg, lk.u, lk.v, lk.e_uv,
                                   lk.e_vu, lk.t, lk.seg_len, lk.snap_m, self.reverse, float(self.speed),
                                   self.snap_s, self.snap_m)
        # both on one segment: straight along it, when that is cheaper than through its ends
        for j in np.flatnonzero(lk.seg == self.link.seg[0]).tolist():
            r = (along_same_segment(lk, j, self.link, 0, self.cost) if self.reverse
                 else along_same_segment(self.link, 0, lk, j, self.cost))
            if r is not None:
                c = r[0] + float(lk.snap_m[j]) / self.speed + self.snap_s
                if c < cost[j]:
                    cost[j], metres[j] = c, r[1] + float(lk.snap_m[j]) + self.snap_m
        return cost, metres

    def path(self, links: Links, j: int, point: tuple[float, float]) -> StreetPath | None:
        """The path to (``reverse``: from) point ``j`` of ``links``, whose own position is ``point``;
        the geometry runs in walking order from the real points through their projections."""
        g = self.router.g
        lk = links
        if lk.seg[j] < 0:
            return None
        c, L = self.search.cost, self.search.length
        t = float(lk.t[j])
        e_uv, e_vu = int(lk.e_uv[j]), int(lk.e_vu[j])
        ce_uv = float(self.cost[e_uv]) if e_uv >= 0 else np.inf
        ce_vu = float(self.cost[e_vu]) if e_vu >= 0 else np.inf
        u, v = int(lk.u[j]), int(lk.v[j])
        # an edge the mode may not use is no way in, even with the point on its node (0 x inf)
        if not self.reverse:
            cu = c[u] + t * ce_uv if ce_uv < np.inf else np.inf
            cv = c[v] + (1 - t) * ce_vu if ce_vu < np.inf else np.inf
        else:
            cu = c[v] + (1 - t) * ce_uv if ce_uv < np.inf else np.inf
            cv = c[u] + t * ce_vu if ce_vu < np.inf else np.inf
        own = self.router_point
        own_proj = (float(self.link.lat[0]), float(self.link.lon[0]))
        proj = (float(lk.lat[j]), float(lk.lon[j]))
        same = (along_same_segment(lk, j, self.link, 0, self.cost) if self.reverse
                else along_same_segment(self.link, 0, lk, j, self.cost))
        best = min(cu, cv)
        if same is not None and same[0] <= best:
            forward_on_seg = (t >= float(self.link.t[0])) if not self.reverse else (float(self.link.t[0]) >= t)
            edges = [e_uv if forward_on_seg else e_vu]
            cost, metres = same
            edge_m = [float(metres)]
            pts = [own, own_proj, proj, point] if not self.reverse else [point, proj, own_proj, own]
        else:
            if not best < np.inf:
                return None
            if not self.reverse:
                end_node, last_edge = (u, e_uv) if cu <= cv else (v, e_vu)
            else:
                end_node, last_edge = (v, e_uv) if cu <= cv else (u, e_vu)
            back, ahead = (g.arrays[f"{self.mode}_tail"], g.arrays[f"{self.mode}_head"])
            if self.reverse:
                back, ahead = ahead, back
            lnk = self.link
            last_m = (t if end_node == u else 1 - t) * float(lk.seg_len[j])
            tp = trace_path(self.search.parent, L, back, ahead, int(end_node), g.node_lat, g.node_lon,
                            g.arrays[f"{self.mode}_len"], g.arrays[f"{self.mode}_flags"],
                            int(lnk.v[0]) if not self.reverse else int(lnk.u[0]), int(lnk.e_uv[0]), int(lnk.e_vu[0]),
                            int(last_edge), last_m, np.array([own, own_proj, proj, point], np.float64),
                            self.reverse, T.ROUGH, T.KERB_UNKNOWN)
            snap_j = float(lk.snap_m[j])
            return StreetPath(np.column_stack((tp.lat, tp.lon)).tolist(),
                              float(L[end_node]) + last_m + snap_j + self.snap_m,
                              float(best) + snap_j / self.speed + self.snap_s, tp.edges.tolist(), self.mode,
                              int(tp.flags), float(tp.rough_m), int(tp.kerbs), tp.metres.tolist())
        geometry = np.round(_dedupe(np.asarray(pts, np.float64)), 6).tolist()
        return self.router.describe(self.mode, geometry, float(metres) + float(lk.snap_m[j]) + self.snap_m,
                                    float(cost) + float(lk.snap_m[j]) / self.speed + self.snap_s, edges, edge_m)


def _dedupe(pts: np.ndarray) -> np.ndarray:
    """The points without repeats (a projection on a node, a point on its street); at least two."""
    keep = np.ones(len(pts), bool)
    keep[1:] = np.any(np.abs(np.diff(pts, axis=0)) > 1e-7, axis=1)
    out = pts[keep]
    return out if len(out) > 1 else np.vstack([out, out])


class StreetRouter:
    """Costs, linkers and searches over one street graph (thread-safe once warmed)."""

    def __init__(self, g: StreetGraph, settings: Settings = SETTINGS):
        self.g = g
        self.s = settings
        self._cost: dict[str, np.ndarray] = {}
        self._linker: dict[str, Linker] = {}
        self._csr: dict[tuple, tuple] = {}
        self._stop_links: dict[str, Links] = {}
        self._paths: dict[tuple, StreetPath | None] = {}
        self._point_links: dict[tuple, Links] = {}
        self.stop_lat = np.zeros(0)
        self.stop_lon = np.zeros(0)
        self.bbox = g.bbox
        # the kernels read lengths as float64: one contiguous copy per mode, not one per search
        self.length = {m: np.ascontiguousarray(g.arrays[f"{m}_len"], np.float64) for m in ("walk", "bike", "car")}
        # planar metres for A* toward one place (equirectangular about the graph's mean latitude)
        lat = np.asarray(g.arrays["node_lat"], np.float64)
        self._lat0 = float(lat.mean()) if len(lat) else 0.0
        self._kx = EARTH_RADIUS_M * math.cos(math.radians(self._lat0)) * math.pi / 180
        self._ky = EARTH_RADIUS_M * math.pi / 180
        self.node_x = np.ascontiguousarray(np.asarray(g.arrays["node_lon"], np.float64) * self._kx)
        self.node_y = np.ascontiguousarray(lat * self._ky)
        self._rate: dict[str, float] = {}

    def planar(self, lat: float, lon: float) -> tuple[float, float]:
        return float(lon) * self._kx, float(lat) * self._ky

    def rate(self, key: str) -> float:
        """A lower bound of ``key``'s cost per straight metre, for A*: the cheapest edge's cost
        per metre, less 1 % because the planar metres may overstate the true ones a little
        (they are within 0.2 % over a city)."""
        r = self._rate.get(key)
        if r is None:
            c = self.cost(key)
            L = self.length[self.mode_of(key)]
            ok = np.isfinite(c) & (L > 0)
            r = float(np.min(c[ok] / L[ok])) * 0.99 if ok.any() else 0.0
            self._rate[key] = r = max(r, 0.0)
        return r

    def set_stops(self, lat: np.ndarray, lon: np.ndarray) -> None:
        """The network's stops, linked per profile on first use (as the build linked them)."""
        self.stop_lat = np.asarray(lat, np.float64)
        self.stop_lon = np.asarray(lon, np.float64)
        self._stop_links = {}

    def stop_links(self, key: str, idx: np.ndarray | None = None) -> Links:
        """The stops' links for a profile (all, or those of ``idx``)."""
        lk = self._stop_links.get(key)
        if lk is None:
            lk = self._stop_links[key] = self.link(key, self.stop_lat, self.stop_lon, self.s.link_radius_stop_m)
        if idx is None:
            return lk
        return Links(*(x[idx] for x in lk))

    # ----- costs and linkers --------------------------------------------------------------
    def cost(self, key: str) -> np.ndarray:
        """Edge costs for ``key``: a walking profile name, ``bike`` or ``car``."""
        c = self._cost.get(key)
        if c is None:
            a = self.g.arrays
            if key == "bike":
                c = bike_costs(a["bike_len"], a["bike_factor"], self.s.bike_speed)
            elif key == "car":
                c = car_costs(a["car_len"], a["car_speed"], a["car_flags"], self.s.car_speed_factor, self.s.car_signal_s)
            else:
                c = walk_costs(a["walk_flags"], a["walk_len"], a["walk_incline"], WALK_RULES[key])
            c = np.ascontiguousarray(c, np.float64)
            self._cost[key] = c
        return c

    @staticmethod
    def mode_of(key: str) -> str:
        return key if key in ("bike", "car") else "walk"

    def linker(self, key: str) -> Linker:
        lk = self._linker.get(key)
        if lk is None:
            m = self.mode_of(key)
            a = self.g.arrays
            lk = Linker(a[f"{m}_tail"], a[f"{m}_head"], a[f"{m}_len"], self.cost(key), a["node_lat"], a["node_lon"])
            self._linker[key] = lk
        return lk

    def csr(self, mode: str, reverse: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k = (mode, reverse)
        r = self._csr.get(k)
        if r is None:
            a = self.g.arrays
            if reverse:
                r = (np.ascontiguousarray(a[f"{mode}_rptr"]), np.ascontiguousarray(a[f"{mode}_redge"]),
                     np.ascontiguousarray(a[f"{mode}_tail"]))
            else:
                r = (np.ascontiguousarray(a[f"{mode}_ptr"]), np.arange(len(a[f"{mode}_head"]), dtype=np.int32),
                     np.ascontiguousarray(a[f"{mode}_head"]))
            self._csr[k] = r
        return r

    def link(self, key: str, lat, lon, radius_m: float | None = None) -> Links:
        radius = self.s.link_radius_stop_m if radius_m is None else radius_m
        if len(lat) == 1:   # request points are linked by several modes and legs: remember them
            k = (key, float(lat[0]), float(lon[0]), radius)
            hit = self._point_links.get(k)
            if hit is None:
                if len(self._point_links) > 8192:
                    self._point_links.clear()
                hit = self._point_links[k] = self.linker(key).link(lat, lon, radius)
            return hit
        return self.linker(key).link(lat, lon, radius)

    def covers(self, lat: float, lon: float, margin_m: float = 500.0) -> bool:
        a, b, c, d = self.bbox
        dl = margin_m / 111_000
        return a - dl <= lat <= c + dl and b - dl * 1.5 <= lon <= d + dl * 1.5

    # ----- searches -------------------------------------------------------------------------
    def reach(self, key: str, lat: float, lon: float, max_m: float, *, reverse: bool = False,
              speed: float | None = None, max_cost: float = np.inf, radius_m: float | None = None,
              stop_at: Links | None = None) -> Reach | None:
        """A search from (``reverse``: toward) a point, or None when no usable street is near it.
        With ``stop_at`` the search ends once the segments of those points are reached (only
        they may then be priced)."""
        lk = self.link(key, [lat], [lon], self.s.link_radius_place_m if radius_m is None else radius_m)
        if lk.seg[0] < 0:
            return None
        m = self.mode_of(key)
        if speed is None:
            speed = WALK_RULES[key].speed if m == "walk" else (self.s.bike_speed if m == "bike" else 8.0)
        targets = NO_TARGETS
        goal = None
        if stop_at is not None:
            ok = stop_at.seg >= 0
            targets = np.unique(np.concatenate([stop_at.u[ok], stop_at.v[ok]])).astype(np.int32)
            if not len(targets):
                targets = NO_TARGETS
            elif int(ok.sum()) == 1:   # one place: A* toward it, every target node within the slack
                j = int(np.flatnonzero(ok)[0])
                gx, gy = self.planar(stop_at.lat[j], stop_at.lon[j])
                slack = float(np.max(np.hypot(self.node_x[targets] - gx, self.node_y[targets] - gy))) + 1.0
                goal = (float(stop_at.lat[j]), float(stop_at.lon[j]), slack)
        r = Reach(self, m, self.cost(key), lk, speed, max_cost, max_m, reverse, targets, goal,
                  self.rate(key) if goal is not None else 0.0)
        r.router_point = (float(lat), float(lon))
        return r

    def remembered(self, key: tuple, make):
        """``make()``'s path, remembered by ``key``: the same leg (a walk to a station, a
        transfer between two stops) comes back in many itineraries and requests. Paths are
        immutable; the memo is bounded."""
        hit = self._paths.get(key, self)
        if hit is self:
            if len(self._paths) > 4096:
                self._paths.clear()
            hit = self._paths[key] = make()
        return hit

    def walk_between(self, key: str, a: tuple[float, float], b: tuple[float, float], max_m: float,
                     stops: tuple[int, int] | None = None) -> StreetPath | None:
        """Shortest (by the profile's cost) walk from a to b within ``max_m``, or None. With
        ``stops`` (their indices) both ends are linked as stops are."""
        return self.remembered(("between", key, a, b, round(max_m), stops),
                               lambda: self._walk_between(key, a, b, max_m, stops))

    def _walk_between(self, key, a, b, max_m, stops):
        radius = self.s.link_radius_stop_m if stops is not None else self.s.link_radius_place_m
        lk = self.stop_links(key, np.array([stops[1]])) if stops is not None else self.link(key, [b[0]], [b[1]], radius)
        r = self.reach(key, a[0], a[1], max_m, radius_m=radius, stop_at=lk)
        if r is None:
            return None
        return r.path(lk, 0, b)

    # ----- describing a path -------------------------------------------------------------
    def describe(self, mode: str, geometry: list, metres: float, cost: float, edges: list[int],
                 edge_metres: list[float]) -> StreetPath:
        """A path's flags, rough metres and unknown kerbs from its edges (``edge_metres``: the
        metres walked on each, partial at both ends)."""
        e = np.asarray(edges, np.int64)
        m = np.asarray(edge_metres, np.float64)
        keep = (e >= 0) & (m > 0.05)
        e, m = e[keep], m[keep]
        f = np.asarray(self.g.arrays[f"{mode}_flags"][e], np.int64)
        fl = int(np.bitwise_or.reduce(f)) if len(f) else 0
        rough = float(m[(f & T.ROUGH) != 0].sum())
        kerbs = int(np.count_nonzero(f & T.KERB_UNKNOWN))
        return StreetPath(geometry, metres, cost, e.tolist(), mode, fl, rough, kerbs, m.tolist())

    def steps(self, p: StreetPath) -> list[dict]:
        """Turn-by-turn steps: one per run of edges on the same street (or kind of way); made
        once per path (a leg shown in several itineraries shares them)."""
        st = p.memo.get("steps")
        if st is None:
            st = p.memo["steps"] = self._steps(p)
        return st

    def _steps(self, p: StreetPath) -> list[dict]:
        a = self.g.arrays
        mode = p.mode
        if not p.edges:
            return []
        e = np.asarray(p.edges, np.int64)
        runs = step_runs(e, np.asarray(p.edge_metres, np.float64), a[f"{mode}_name"], a[f"{mode}_kind"],
                         a[f"{mode}_tail"], a[f"{mode}_head"], a["node_lat"], a["node_lon"])
        start = a[f"{mode}_tail"][e[runs.first]]
        lats, lons = np.round(a["node_lat"][start], 6).tolist(), np.round(a["node_lon"][start], 6).tolist()
        out = []
        prev_end = 0.0
        for i, (nm, kd, m, b0, b1) in enumerate(zip(runs.name.tolist(), runs.kind.tolist(), runs.metres.tolist(),
                                                   runs.start_bearing.tolist(), runs.end_bearing.tolist())):
            if i == 0:
                rel = "DEPART"
            else:
                d = (b0 - prev_end + 540) % 360 - 180
                ad = abs(d)
                rel = ("CONTINUE" if ad < 25 else "UTURN" if ad >= 150 else
                       ("SLIGHTLY_" if ad < 60 else "") + ("RIGHT" if d > 0 else "LEFT"))
            prev_end = b1
            out.append({"relative_direction": rel, "absolute_direction": _compass(b0),
                        "street": self.g.names[nm] if nm >= 0 else "", "kind": KINDS[kd], "distance_m": round(m, 1),
                        "lat": lats[i], "lon": lons[i]})
        return out


def _compass(b: float) -> str:
    return ("NORTH", "NORTHEAST", "EAST", "SOUTHEAST", "SOUTH", "SOUTHWEST", "WEST", "NORTHWEST")[int((b + 22.5) // 45) % 8]
