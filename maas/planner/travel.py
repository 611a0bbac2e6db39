"""The travel model every mode uses: walking, cycling and driving times between places.

On a network built with OSM every time comes from a street search of the router (walk per
profile, bike, car); where a point lies beyond the streets (outside the extract, or no usable
street within the link radius) it falls back to crow-fly x detour at the mode's speed, and the
leg says so (``street_model: crow_fly``). Planner modes and scenarios call the same functions
with the same :data:`~maas.planner.settings.SETTINGS`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maas.planner.settings import SETTINGS, WALK_RULES, Settings
from maas.planner.street_footpaths import along_where_shorter, seeds_and_targets
from maas.router.distance import haversine
from maas.router.streets import point_costs
from maas.streets.link import Links

INF = np.inf


def crow_m(lat, lon, lats, lons) -> np.ndarray:
    return np.asarray(haversine(lat, lon, np.asarray(lats, np.float64), np.asarray(lons, np.float64)), np.float64)


@dataclass(frozen=True)
class Mode:
    """One way of moving on the streets: the router's cost key, its speed and crow-fly detour."""

    key: str          # a walking profile's name, "bike" or "car"
    speed: float      # m/s (crow-fly model; walking: the profile's speed)
    detour: float     # crow-fly model


def walk_mode(profile, settings: Settings = SETTINGS) -> Mode:
    return Mode(profile.name, profile.walk_speed, settings.walk_detour)


def bike_mode(settings: Settings = SETTINGS) -> Mode:
    return Mode("bike", settings.bike_speed, settings.bike_detour)


def car_mode(settings: Settings = SETTINGS) -> Mode:
    return Mode("car", settings.car_speed, settings.car_detour)


class From:
    """Times from one point to many (``reverse``: from many to the point) by one mode."""

    def __init__(self, net, mode: Mode, lat: float, lon: float, max_m: float, reverse: bool = False,
                 radius_m: float | None = None, stop_at: Links | None = None):
        """``stop_at``: the search may end once these points are reached (price only them)."""
        self.net, self.mode, self.lat, self.lon, self.max_m, self.reverse = net, mode, lat, lon, max_m, reverse
        router = net.streets
        self.reach = None
        if router is not None:
            self.reach = router.reach(mode.key, lat, lon, max_m, reverse=reverse, speed=mode.speed, radius_m=radius_m,
                                      stop_at=stop_at)

    @property
    def on_streets(self) -> bool:
        return self.reach is not None

    def to(self, lats, lons, links: Links | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(metres, seconds float, on the streets) to each point; inf beyond ``max_m``."""
        lats = np.asarray(lats, np.float64)
        lons = np.asarray(lons, np.float64)
        crow = crow_m(self.lat, self.lon, lats, lons)
        cm = crow * self.mode.detour
        cs = cm / self.mode.speed
        street = np.zeros(len(lats), bool)
        if self.reach is not None and len(lats):
            lk = links if links is not None else self.net.streets.link(self.mode.key, lats, lons)
            c, m = self.reach.price(lk)
            street = lk.seg >= 0
            cm = np.where(street, m, cm)
            cs = np.where(street, c, cs)
        too_far = ~(cm <= self.max_m)
        return np.where(too_far, INF, cm), np.where(too_far, INF, cs), street

    def path_fn(self, lat: float, lon: float, links: Links | None = None, j: int = 0):
        """() -> StreetPath | None: the street path to (``reverse``: from) a point, built when shown."""
        if self.reach is None:
            return None
        reach, router, key = self.reach, self.net.streets, self.mode.key

        def make():
            lk = links if links is not None else router.link(key, [lat], [lon])
            return reach.path(lk, j, (lat, lon))
        return make


def links_of(net, key: str, lats, lons):
    """The links of points for a mode key (None without streets)."""
    if net.streets is None:
        return None
    return net.streets.link(key, np.asarray(lats, np.float64), np.asarray(lons, np.float64),
                            SETTINGS.link_radius_stop_m)


def points_to_stops(net, mode: Mode, lats, lons, max_m: float, k: int, reverse: bool = False,
                    only: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each point, the (at most ``k`` nearest in time) stops within ``max_m`` by ``mode``
    (``reverse``: from the stops to the point), as CSR (ptr, stops, metres, seconds float).
    ``only``: a boolean mask of the stops allowed. One bounded street search per point."""
    lats = np.asarray(lats, np.float64)
    lons = np.asarray(lons, np.float64)
    n = len(lats)
    cand_ptr, cand = [0], []
    for la, lo in zip(lats.tolist(), lons.tolist()):
        idx, _ = net.stops_within(la, lo, max_m)
        if only is not None and len(idx):
            idx = idx[only[idx]]
        cand.append(np.asarray(idx, np.int64))
        cand_ptr.append(cand_ptr[-1] + len(idx))
    cand_all = np.concatenate(cand) if cand else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(n), np.diff(cand_ptr))
    crow = crow_m(0, 0, [], []) if not len(cand_all) else np.asarray(
        haversine(lats[owner], lons[owner], net.tt.stop_lat[cand_all], net.tt.stop_lon[cand_all]), np.float64)
    metres = crow * mode.detour
    secs = metres / mode.speed
    router = net.streets
    if router is not None and len(cand_all):
        key = mode.key
        pts = router.link(key, lats, lons, router.s.link_radius_stop_m)
        stop_lk = router.stop_links(key, cand_all) if router.mode_of(key) == "walk" else \
            router.link(key, net.tt.stop_lat[cand_all], net.tt.stop_lon[cand_all], router.s.link_radius_stop_m)
        cost = router.cost(key)
        m_kind = router.mode_of(key)
        length = np.asarray(router.g.arrays[f"{m_kind}_len"], np.float64)
        with np.errstate(invalid="ignore"):
            leave, arrive = seeds_and_targets(pts, cost, mode.speed)
            t_leave, t_arrive = seeds_and_targets(stop_lk, cost, mode.speed)
        if reverse:   # from each stop to the point: search backward from the point
            seeds_src, tgt = arrive, t_leave
        else:
            seeds_src, tgt = leave, t_arrive
        s_nodes = np.stack([seeds_src[0][0], seeds_src[1][0]], 1)
        s_cost = np.stack([seeds_src[0][1], seeds_src[1][1]], 1)
        s_len = np.stack([seeds_src[0][2], seeds_src[1][2]], 1)
        s_ok = np.isfinite(s_cost) & (s_nodes >= 0)
        seed_ptr = np.concatenate([[0], np.cumsum(s_ok.sum(1))]).astype(np.int64)
        (au, acu, alu), (av, acv, alv) = tgt
        res = point_costs(*router.csr(m_kind, reverse), cost, length, seed_ptr, s_nodes[s_ok].astype(np.int32),
                          s_cost[s_ok], s_len[s_ok], np.asarray(cand_ptr, np.int64),
                          au.astype(np.int64), av.astype(np.int64), acu, acv, alu, alv, INF, float(max_m))
        pos = np.arange(len(cand_all))
        if reverse:
            sc, sm = along_where_shorter(stop_lk, pos, pts, owner, cost, mode.speed, res.cost.copy(), res.length.copy())
        else:
            sc, sm = along_where_shorter(pts, owner, stop_lk, pos, cost, mode.speed, res.cost.copy(), res.length.copy())
        street = (pts.seg[owner] >= 0) & (stop_lk.seg >= 0)
        metres = np.where(street, sm, metres)
        secs = np.where(street, sc, secs)
    ok = metres <= max_m
    out_ptr, out_s, out_m, out_t = [0], [], [], []
    for i in range(n):
        a, b = cand_ptr[i], cand_ptr[i + 1]
        sel = np.flatnonzero(ok[a:b]) + a
        sel = sel[np.argsort(secs[sel], kind="stable")[:k]]
        out_s.append(cand_all[sel])
        out_m.append(metres[sel])
        out_t.append(secs[sel])
        out_ptr.append(out_ptr[-1] + len(sel))
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
    return np.asarray(out_ptr, np.int64), cat(out_s, np.int64), cat(out_m, np.float64), cat(out_t, np.float64)


def matrix(net, mode: Mode, lats, lons, max_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(metres, seconds) between every pair of points by ``mode`` (inf beyond ``max_m``); for the
    few points of a bike-share system, computed once per set of stations."""
    lats = np.asarray(lats, np.float64)
    lons = np.asarray(lons, np.float64)
    n = len(lats)
    M = np.full((n, n), INF)
    S = np.full((n, n), INF)
    for i in range(n):
        f = From(net, mode, float(lats[i]), float(lons[i]), max_m, radius_m=SETTINGS.link_radius_stop_m)
        lk = net.streets.link(mode.key, lats, lons, SETTINGS.link_radius_stop_m) if f.on_streets else None
        m, s, _ = f.to(lats, lons, lk)
        M[i], S[i] = m, s
    return M, S


def walk_speed_of(key: str) -> float:
    return WALK_RULES[key].speed
