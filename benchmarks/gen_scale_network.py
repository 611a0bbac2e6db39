#!/usr/bin/env python3
"""Generate the scale network of issue 8's bar: 20,000 stops on a street graph of a million edges.

Writes, deterministically from ``--seed``::

    OUT/gtfs.zip          GTFS: N stops on R straight lines (half east-west, half north-south, every
                          few streets), both directions, a day of trips (05:00-23:00, one headway
                          per line), one service every day of 2026-2027
    OUT/streets.osm.pbf   OSM PBF (pyosmium SimpleWriter): a GRID x GRID street grid SPACING m apart
                          (nodes jittered by a few metres), one way per row and column (residential,
                          every 5th tertiary, every 20th primary with maxspeed, every 7th residential
                          one-way), and diagonal footways in 1 % of the blocks (a tenth of them steps)
    OUT/manifest.json     what was generated (counts, directed walk edges, bounds, parameters)

With the defaults (500 x 500 nodes, 60 m) the walk graph has 998,000 directed street edges plus
~5,000 on the diagonals: about a million; every stop is within 30 m of a street.

    .venv/bin/python benchmarks/gen_scale_network.py [-o benchmarks/work/scale] [--seed 1]
        [--stops 20000] [--routes 250] [--grid 500] [--spacing-m 60] [--headway-min 20] [--xml]
"""
from __future__ import annotations

import argparse
import io
import json
import math
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LAT0, LON0 = 45.60, 21.00              # south-west corner (near Timișoara; the timezone is real)
M_PER_DEG_LAT = 111_195.0
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
SPEED_KMH = 20.0
DWELL_S = 20


def _hms(s: int) -> str:
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Grid:
    """Node positions of a jittered street grid: node (i, j) is row i (south to north), column j."""

    def __init__(self, n: int, spacing_m: float, rng: np.random.Generator):
        self.n = n
        self.spacing_m = spacing_m
        self.dlat = spacing_m / M_PER_DEG_LAT
        self.m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(LAT0 + n * self.dlat / 2))
        self.dlon = spacing_m / self.m_per_deg_lon
        jitter = spacing_m * 0.08                      # a few metres: no two blocks quite alike
        ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        self.lat = LAT0 + ii * self.dlat + rng.uniform(-jitter, jitter, (n, n)) / M_PER_DEG_LAT
        self.lon = LON0 + jj * self.dlon + rng.uniform(-jitter, jitter, (n, n)) / self.m_per_deg_lon

    def node_id(self, i, j):
        return i * self.n + j + 1

    def on_row(self, i: int, x: float) -> tuple[float, float]:
        """Point at fractional column x on row i's polyline."""
        j = min(int(x), self.n - 2)
        f = x - j
        return ((1 - f) * self.lat[i, j] + f * self.lat[i, j + 1], (1 - f) * self.lon[i, j] + f * self.lon[i, j + 1])

    def on_col(self, j: int, y: float) -> tuple[float, float]:
        i = min(int(y), self.n - 2)
        f = y - i
        return ((1 - f) * self.lat[i, j] + f * self.lat[i + 1, j], (1 - f) * self.lon[i, j] + f * self.lon[i + 1, j])


# ----------------------------------------------------------------------------- streets


def _road_tags(k: int, axis: str) -> dict[str, str]:
    name = f"{'Strada' if axis == 'row' else 'Calea'} {'Rândul' if axis == 'row' else 'Coloana'} {k}"
    if k % 20 == 10:
        return {"highway": "primary", "name": name, "maxspeed": "50", "sidewalk": "both"}
    if k % 5 == 0:
        return {"highway": "tertiary", "name": name}
    tags = {"highway": "residential", "name": name}
    if k % 7 == 3:
        tags["oneway"] = "yes" if k % 2 else "-1"
    return tags


def write_streets(path: Path, grid: Grid, rng: np.random.Generator) -> dict:
    """Write the street grid (PBF or XML by the file name); returns counts (nodes, ways, walk
    segments, directed walk edges)."""
    import osmium
    from osmium.osm.mutable import Node, Way

    n = grid.n
    cells = (n - 1) * (n - 1)
    n_diag = max(1, cells // 100)
    diag = np.sort(rng.choice(cells, size=n_diag, replace=False))
    steps = set(rng.choice(n_diag, size=max(1, n_diag // 10), replace=False).tolist())
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    w = osmium.SimpleWriter(str(path))
    try:
        lat, lon = grid.lat, grid.lon
        for i in range(n):
            for j in range(n):
                w.add_node(Node(id=i * n + j + 1, location=(round(float(lon[i, j]), 7), round(float(lat[i, j]), 7))))
        way_id = 0
        for i in range(n):
            way_id += 1
            w.add_way(Way(id=way_id, nodes=[i * n + j + 1 for j in range(n)], tags=_road_tags(i, "row")))
        for j in range(n):
            way_id += 1
            w.add_way(Way(id=way_id, nodes=[i * n + j + 1 for i in range(n)], tags=_road_tags(j, "col")))
        for k, c in enumerate(diag.tolist()):
            i, j = divmod(c, n - 1)
            a, b = (i * n + j + 1, (i + 1) * n + j + 2) if k % 2 else (i * n + j + 2, (i + 1) * n + j + 1)
            tags = ({"highway": "steps", "step_count": "12"} if k in steps else
                    {"highway": "footway", "surface": "sett" if k % 5 == 0 else "asphalt"})
            way_id += 1
            w.add_way(Way(id=way_id, nodes=[a, b], tags=tags))
    finally:
        w.close()
    street_segments = 2 * n * (n - 1)
    return {"nodes": n * n, "ways": way_id, "street_segments": street_segments, "diagonal_footways": n_diag,
            "steps": len(steps), "walk_segments": street_segments + n_diag,
            "directed_walk_edges": 2 * (street_segments + n_diag)}


# ----------------------------------------------------------------------------- GTFS


def _lines(grid: Grid, n_routes: int) -> list[tuple[str, int]]:
    """(axis, index) of each line's street: half on rows, half on columns, evenly spread."""
    rows = n_routes - n_routes // 2
    cols = n_routes // 2
    pick = lambda k: [int(round((q + 0.5) * (grid.n - 1) / k)) for q in range(k)]  # noqa: E731
    return [("row", i) for i in pick(rows)] + [("col", j) for j in pick(cols)]


def gtfs_bytes(grid: Grid, rng: np.random.Generator, n_stops: int, n_routes: int, headway_min: int,
               start: str = "05:00", end: str = "23:00") -> tuple[bytes, dict, list[tuple[float, float]]]:
    """The GTFS zip, its counts and the stop positions."""
    per_route = [n_stops // n_routes + (1 if r < n_stops % n_routes else 0) for r in range(n_routes)]
    stops_rows, routes_rows, trips_rows = [], [], []
    st = io.StringIO()
    st.write("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
    positions: list[tuple[float, float]] = []
    t_start = int(start[:2]) * 3600 + int(start[3:]) * 60
    t_end = int(end[:2]) * 3600 + int(end[3:]) * 60
    n_trips = n_st = 0
    sid = 0
    for r, ((axis, k), count) in enumerate(zip(_lines(grid, n_routes), per_route)):
        margin = 3.0
        span = grid.n - 1 - 2 * margin
        xs = margin + (np.arange(count) + 0.5) * span / count + rng.uniform(-0.25, 0.25, count) * span / count
        side = rng.choice([-1.0, 1.0], count) * rng.uniform(8.0, 25.0, count)     # metres off the street
        ids = []
        for x, off in zip(xs.tolist(), side.tolist()):
            if axis == "row":
                lat, lon = grid.on_row(k, x)
                lat += off / M_PER_DEG_LAT
            else:
                lat, lon = grid.on_col(k, x)
                lon += off / grid.m_per_deg_lon
            sid += 1
            stop_id = f"S{sid:05d}"
            ids.append(stop_id)
            positions.append((lat, lon))
            stops_rows.append(f"{stop_id},Stația {sid},{lat:.6f},{lon:.6f},1")
        route_id = f"R{r + 1:03d}"
        rtype = 0 if r % 10 == 0 else 3
        routes_rows.append(f"SCALE,{route_id},{r + 1},Linia {r + 1},{rtype}")
        # run times from the distances between consecutive stops
        pos = np.array(positions[-count:])
        dy = np.diff(pos[:, 0]) * M_PER_DEG_LAT
        dx = np.diff(pos[:, 1]) * grid.m_per_deg_lon
        hops = np.hypot(dx, dy) * 1.2 / (SPEED_KMH / 3.6)
        offsets = np.concatenate([[0.0], np.cumsum(hops + DWELL_S)]).round().astype(int)
        offset0 = int(rng.integers(0, headway_min * 60))
        for direction in (0, 1):
            seq = ids if direction == 0 else ids[::-1]
            offs = offsets if direction == 0 else (offsets[-1] - offsets[::-1])
            dep = t_start + offset0 + direction * 60 * (headway_min // 2)
            while dep < t_end:
                tid = f"{route_id}-{direction}-{_hms(dep)[:5].replace(':', '')}"
                trips_rows.append(f"{route_id},D,{tid},{direction},1")
                lines = []
                for q, (s, o) in enumerate(zip(seq, offs.tolist())):
                    arr = dep + o
                    d = arr + DWELL_S if 0 < q < count - 1 else arr
                    lines.append(f"{tid},{_hms(arr)},{_hms(d)},{s},{q + 1}\n")
                st.write("".join(lines))
                n_trips += 1
                n_st += count
                dep += headway_min * 60
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone,agency_lang\n"
                      "SCALE,Scale benchmark,https://example.org,Europe/Bucharest,ro\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\n" + "\n".join(stops_rows) + "\n",
        "routes.txt": "agency_id,route_id,route_short_name,route_long_name,route_type\n" + "\n".join(routes_rows) + "\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id,wheelchair_accessible\n" + "\n".join(trips_rows) + "\n",
        "stop_times.txt": st.getvalue(),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "D,1,1,1,1,1,1,1,20260101,20271231\n",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name].encode("utf-8"))
    counts = {"stops": sid, "routes": n_routes, "trips": n_trips, "stop_times": n_st}
    return buf.getvalue(), counts, positions


def stop_street_distance_m(grid: Grid, positions: list[tuple[float, float]]) -> float:
    """Largest distance from a stop to the nearest row or column street (nearest-segment check)."""
    worst = 0.0
    for lat, lon in positions:
        i = int(round((lat - LAT0) / grid.dlat))
        j = int(round((lon - LON0) / grid.dlon))
        best = math.inf
        for a in range(max(0, i - 1), min(grid.n, i + 2)):
            for b in range(max(0, j - 1), min(grid.n, j + 2)):
                for a2, b2 in ((a, b + 1), (a + 1, b)):
                    if a2 < grid.n and b2 < grid.n:
                        best = min(best, _seg_m((lat, lon), (grid.lat[a, b], grid.lon[a, b]),
                                                (grid.lat[a2, b2], grid.lon[a2, b2]), grid.m_per_deg_lon))
        worst = max(worst, best)
    return worst


def _seg_m(p, a, b, m_lon: float) -> float:
    px, py = p[1] * m_lon, p[0] * M_PER_DEG_LAT
    ax, ay = a[1] * m_lon, a[0] * M_PER_DEG_LAT
    bx, by = b[1] * m_lon, b[0] * M_PER_DEG_LAT
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def generate(out: Path, seed: int = 1, stops: int = 20000, routes: int = 250, grid_n: int = 500,
             spacing_m: float = 60.0, headway_min: int = 20, xml: bool = False) -> dict:
    """Write gtfs.zip, the street file and manifest.json into ``out``; returns the manifest."""
    if routes < 2 or stops < 2 * routes:
        raise ValueError("need at least 2 routes and 2 stops per route")
    if grid_n < 10:
        raise ValueError("grid must be at least 10 x 10")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    grid = Grid(grid_n, spacing_m, rng)
    data, gtfs_counts, positions = gtfs_bytes(grid, rng, stops, routes, headway_min)
    (out / "gtfs.zip").write_bytes(data)
    osm_path = out / ("streets.osm" if xml else "streets.osm.pbf")
    osm_counts = write_streets(osm_path, grid, rng)
    manifest = {
        "seed": seed, "parameters": {"stops": stops, "routes": routes, "grid": grid_n, "spacing_m": spacing_m,
                                     "headway_min": headway_min},
        "gtfs": {"file": "gtfs.zip", **gtfs_counts},
        "osm": {"file": osm_path.name, **osm_counts},
        "bounds": {"minlat": float(grid.lat.min()), "minlon": float(grid.lon.min()),
                   "maxlat": float(grid.lat.max()), "maxlon": float(grid.lon.max())},
        "max_stop_to_street_m": round(stop_street_distance_m(grid, positions), 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")   # no timing: same bytes
    return {**manifest, "generate_s": round(time.perf_counter() - t0, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-o", "--out", default=str(ROOT / "benchmarks" / "work" / "scale"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stops", type=int, default=20000)
    p.add_argument("--routes", type=int, default=250)
    p.add_argument("--grid", type=int, default=500, help="nodes per side of the street grid")
    p.add_argument("--spacing-m", type=float, default=60.0)
    p.add_argument("--headway-min", type=int, default=20)
    p.add_argument("--xml", action="store_true", help="write streets.osm (XML) instead of PBF")
    a = p.parse_args(argv)
    try:
        m = generate(Path(a.out), a.seed, a.stops, a.routes, a.grid, a.spacing_m, a.headway_min, a.xml)
    except ValueError as exc:
        print(f"gen_scale_network: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(m, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
