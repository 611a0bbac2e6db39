"""Places to measure between, and how each place reaches the network on foot.

* ``stops``: every boardable stop of the base network (or the listed ones). A stop place
  reaches the stop itself and its footpath neighbours, exactly as the planner does for
  ``stop:<id>`` (the router's own footpath table, per profile).
* ``grid_m``: square cells of that size over the bounding box of the base network's stops;
  a cell is kept when a stop lies within walking reach of its centre (the others could only
  be reached on foot from their neighbours). Ids are ``r<row>c<col>`` from the south-west.
* ``csv``: named zones (``id,lat,lon[,weight]``); the weight (e.g. population) is summed by the
  accessibility measures.

Point places (cells, zones) reach the stops within ``walk_m`` walking metres (crow-fly ×
detour, at the profile's speed), as :func:`maas.planner.access.walk_options` computes them.
With ``WALK`` in the modes, places within ``walk_m`` of each other are also joined by a direct
walk. Places are always defined on the base network, so the baseline and the scenario
measure the same places.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from maas.scenarios.spec import ScenarioSpec
from maas.timetable.footpaths import haversine_m, project
from maas.planner.travel import points_to_stops, walk_mode


@dataclass
class Places:
    kind: str
    ids: np.ndarray           # str
    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray
    stop_ids: np.ndarray | None = None   # for stop places: the stop id of each place

    def __len__(self) -> int:
        return len(self.ids)


def build_places(spec: ScenarioSpec, net) -> Places:
    """The places of a scenario on the base network."""
    tt = net.tt
    ps = spec.places
    if ps.kind == "stops":
        if ps.stop_ids is None:
            idx = np.arange(tt.n_stops)
        else:
            idx = np.array([net.stop_lookup[s] for s in dict.fromkeys(ps.stop_ids)], dtype=np.int64)
        ids = np.asarray(tt.stop_id)[idx].astype(str)
        return Places("stops", ids, np.asarray(tt.stop_lat, float)[idx], np.asarray(tt.stop_lon, float)[idx],
                      np.ones(len(idx)), stop_ids=ids.copy())
    if ps.kind == "csv":
        z = ps.zones
        return Places("csv", np.array([x.id for x in z], dtype=str), np.array([x.lat for x in z]),
                      np.array([x.lon for x in z]), np.array([x.weight for x in z], float))
    # grid
    lat, lon = np.asarray(tt.stop_lat, float), np.asarray(tt.stop_lon, float)
    lat0 = float(np.mean(lat))
    xy = project(lat, lon, lat0)
    g = float(ps.grid_m)
    x0, y0 = xy.min(axis=0) - g / 2
    nx = int(np.ceil((xy[:, 0].max() - x0) / g)) + 1
    ny = int(np.ceil((xy[:, 1].max() - y0) / g)) + 1
    cx = x0 + g * (np.arange(nx) + 0.5)
    cy = y0 + g * (np.arange(ny) + 0.5)
    gx, gy = np.meshgrid(cx, cy)
    rows, cols = np.meshgrid(np.arange(nx), np.arange(ny))
    centres = np.column_stack([gx.ravel(), gy.ravel()])
    detour = tt.meta["options"]["detour_factor"]
    from maas.planner.profiles import get_profile
    # keep cells from which the scenario's profile can walk to a stop (its limit may be shorter)
    reach = cKDTree(xy).query(centres, k=1)[0] <= walk_limit(spec, get_profile(spec.profile)) / detour
    k = np.pi / 180 * 6_371_008.8
    c_lat = centres[:, 1] / k
    c_lon = centres[:, 0] / (k * np.cos(np.radians(lat0)))
    ids = np.array([f"r{r}c{c}" for r, c in zip(cols.ravel(), rows.ravel())], dtype=str)
    return Places("grid", ids[reach], c_lat[reach], c_lon[reach], np.ones(int(reach.sum())))


def walk_limit(spec: ScenarioSpec, profile) -> float:
    """Walking metres allowed to reach a stop or another place: the scenario's, within the profile's."""
    return float(min(spec.walk_m, profile.max_access_m))


def access_csr(net, places: Places, profile, walk_m: float, *, egress: bool, extra=None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ptr, stop, seconds) of each place's ways onto (or, for ``egress``, off) the network.

    ``extra(lat, lon, egress)`` may add (stops, seconds) options (park & ride, bike share).
    Each stop appears once per place, with its shortest time.
    """
    tt = net.tt
    detour = tt.meta["options"]["detour_factor"]
    fp_ptr, fp_to, _, fp_dur = net.footpaths_for(profile, reverse=egress)
    fp_ptr, fp_to, fp_dur = np.asarray(fp_ptr), np.asarray(fp_to), np.asarray(fp_dur)
    # walks from every place to its stops by the planner's travel model (streets when the
    # network has them), one bounded search per place
    walk_stops = points_to_stops(net, walk_mode(profile), places.lat, places.lon, walk_m, 10**9, reverse=egress)
    ptr = [0]
    stops: list[np.ndarray] = []
    secs: list[np.ndarray] = []
    for i in range(len(places)):
        s_idx = None
        if places.stop_ids is not None:
            s_idx = net.stop_lookup.get(str(places.stop_ids[i]))
        if s_idx is not None:
            a, b = int(fp_ptr[s_idx]), int(fp_ptr[s_idx + 1])
            st = np.concatenate([[s_idx], fp_to[a:b]]).astype(np.int64)
            du = np.concatenate([[0], fp_dur[a:b]]).astype(np.int64)
        else:
            st = walk_stops[1][walk_stops[0][i]:walk_stops[0][i + 1]]
            du = np.ceil(walk_stops[3][walk_stops[0][i]:walk_stops[0][i + 1]] - 1e-9).astype(np.int64)
        if extra is not None:
            xs, xd = extra(float(places.lat[i]), float(places.lon[i]), egress)
            if len(xs):
                st = np.concatenate([st, xs])
                du = np.concatenate([du, xd])
        if len(st):
            order = np.lexsort((du, st))
            st, du = st[order], du[order]
            keep = np.r_[True, st[1:] != st[:-1]]
            st, du = st[keep], du[keep]
        stops.append(st)
        secs.append(du)
        ptr.append(ptr[-1] + len(st))
    cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))
    return np.asarray(ptr, np.int64), cat(stops, np.int32), cat(secs, np.int32)


def direct_walks(places: Places, profile, walk_m: float, detour: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ptr, destination place, seconds) of place pairs joined by a direct walk (self included)."""
    n = len(places)
    if n == 0:
        return np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32)
    lat0 = float(np.mean(places.lat))
    tree = cKDTree(project(places.lat, places.lon, lat0))
    pairs = tree.query_ball_point(project(places.lat, places.lon, lat0), walk_m / detour * 1.01)
    ptr, dest, secs = [0], [], []
    for i, js in enumerate(pairs):
        js = np.asarray(sorted(js), np.int64)
        d = haversine_m(places.lat[i], places.lon[i], places.lat[js], places.lon[js]) * detour
        ok = d <= walk_m
        js = js[ok]
        t = np.ceil(d[ok] / profile.walk_speed).astype(np.int64)
        t[js == i] = 0
        dest.append(js)
        secs.append(t)
        ptr.append(ptr[-1] + len(js))
    return (np.asarray(ptr, np.int64), np.concatenate(dest).astype(np.int32),
            np.concatenate(secs).astype(np.int32))
