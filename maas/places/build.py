"""Build (or reuse) the places index of a network: the step ``maas build`` runs after the timetable."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from maas.places.compile import compile_places, places_digest, read_places_digest, save_places
from maas.places.index import PlaceIndex


def _file_digest(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return f"missing:{path}"
    return h.hexdigest()


def stop_lines(tt) -> list[str]:
    """Per timetable stop, the comma-separated short names of the routes calling there."""
    ptr = np.asarray(tt.stop_route_ptr)
    routes = np.asarray(tt.stop_route_r)
    groute = np.asarray(tt.route_groute)
    names = [str(a) or str(b) for a, b in zip(tt.groute_short_name, tt.groute_long_name)]
    out = []
    for s in range(tt.n_stops):
        seen: list[str] = []
        for r in routes[int(ptr[s]): int(ptr[s + 1])].tolist():
            nm = names[int(groute[r])]
            if nm and nm not in seen:
                seen.append(nm)
        out.append(",".join(sorted(seen, key=lambda x: (len(x), x))))
    return out


def _timetable_stops(tt) -> pd.DataFrame:
    """Stops as the compiled timetable knows them (no station names or codes): the fallback."""
    return pd.DataFrame({"stop_id": [str(x) for x in tt.stop_id], "stop_name": [str(x) for x in tt.stop_name],
                         "stop_lat": np.asarray(tt.stop_lat, float), "stop_lon": np.asarray(tt.stop_lon, float),
                         "location_type": 0, "parent_station": "", "stop_code": ""})


def _gtfs_stops(tt, sources, feeds) -> pd.DataFrame:
    from maas.feeds.gtfs import read_stops
    frames = [f.stops for f in feeds] if feeds else [read_stops(s) for s in sources]
    df = pd.concat(frames, ignore_index=True) if frames else _timetable_stops(tt)
    for col in ("stop_code", "parent_station", "stop_name"):
        if col not in df.columns:
            df[col] = ""
    return df


def _mobility_places(mobility) -> tuple[list, list]:
    if mobility is None:
        return [], []
    systems = {}
    for src in getattr(getattr(mobility, "snapshot", None), "gbfs", ()):   # system id -> its name
        if getattr(src, "system", None) is not None:
            systems[src.system.system_id] = src.system.name or src.system.system_id
    stations = [(s["station_id"], s["name"], float(s["lat"]), float(s["lon"]),
                 systems.get(s.get("system_id"), s.get("system_id") or "")) for s in mobility.bike_stations()]
    lots = [(x["id"], x["name"], float(x["lat"]), float(x["lon"]), x.get("capacity"))
            for x in mobility.parking_lots()]
    return stations, lots


def build_places(tt, sources, feeds, osm, mobility, out, force: bool = False) -> PlaceIndex:
    """The places index for a network: reused from ``out/places`` when built from the same
    timetable, OSM files and bike stations/lots, else compiled (and saved when ``out`` is given)."""
    stations, lots = _mobility_places(mobility)
    osm = [os.fspath(p) for p in (osm or [])]
    digest = places_digest([str(tt.meta.get("digest", "")), *[_file_digest(p) for p in osm],
                            json.dumps([stations, lots], sort_keys=True, default=str)])
    if out is not None and not force and read_places_digest(out) == digest:
        try:
            idx = PlaceIndex.load(out)
            if idx is not None:
                idx.reused = True
                return idx
        except Exception:  # noqa: BLE001 - a broken index is simply rebuilt
            pass
    osm_places = None
    if osm:
        from maas.feeds.osm_places import read_osm_places
        osm_places = read_osm_places(osm)
    stop_index = {str(s): i for i, s in enumerate(tt.stop_id)}
    data = compile_places(_gtfs_stops(tt, sources, feeds), stop_index, stop_lines(tt), osm_places, stations, lots)
    if out is not None:
        save_places(data, out, digest)
        idx = PlaceIndex.load(out)
    else:
        idx = PlaceIndex.from_data(data, digest)
    idx.reused = False
    return idx


def fallback_index(tt) -> PlaceIndex:
    """An in-memory index of the timetable's stops, for a network folder built without places."""
    stop_index = {str(s): i for i, s in enumerate(tt.stop_id)}
    return PlaceIndex.from_data(compile_places(_timetable_stops(tt), stop_index, stop_lines(tt)))
