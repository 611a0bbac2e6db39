"""Build (or reuse) a compiled network from feeds, and load one from disk."""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

from maas.errors import BuildWarning, FeedError
from maas.feeds.gtfs import load_feeds, source_digest
from maas.planner.network import Network
from maas.timetable.compile import BuildOptions, compile_feeds, input_digest
from maas.streets.graph import load_streets, remove_streets, save_streets
from maas.timetable.store import load_timetable, read_meta, save_timetable


def read_and_check(sources: list[str | os.PathLike]):
    """Read feeds and raise FeedError (file, row, field) when any has errors."""
    if not sources:
        raise FeedError("(none)", "at least one GTFS feed is required")
    feeds = load_feeds(sources)
    for f in feeds:
        if f.report.errors:
            first = f.report.errors[0]
            raise FeedError(f"{f.source}:{first.file}", first.message, first.row, first.field, issues=f.report.errors)
    return feeds


def _file_digest(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _osm_digests(osm: list[str]) -> list[str]:
    from maas.feeds.osm import check_osm_file
    out = []
    for p in osm:
        check_osm_file(Path(p))
        out.append("osm:" + _file_digest(p))
    if osm:
        from maas.planner.settings import SETTINGS, WALK_RULES
        from maas.streets.graph import SCHEMA
        out.append(f"streets{SCHEMA}:{WALK_RULES!r}:{SETTINGS.link_radius_stop_m}")
    return out


def street_walk_pairs_for(graph, options: BuildOptions, linked: dict | None = None):
    """The ``walk_pairs`` callback of :func:`maas.timetable.compile.compile_feeds` for a street
    graph: footpaths per profile from street searches (``linked`` gets the linked-stop counts)."""
    from maas.planner.street_footpaths import street_walk_pairs
    from maas.planner.streets import StreetRouter
    router = StreetRouter(graph)

    def walk_pairs(lat, lon, max_walk_m):
        pairs, counts = street_walk_pairs(router, lat, lon, max_walk_m, options.detour_factor,
                                          options.footpath_radius_m)
        if linked is not None:
            linked.update(counts)
        return pairs
    return walk_pairs


def build_network(sources: list[str | os.PathLike], *, out: str | os.PathLike | None = None,
                  gbfs: list[str] | None = None, parking: str | os.PathLike | None = None,
                  osm: list[str | os.PathLike] | None = None,
                  options: BuildOptions | None = None, force: bool = False,
                  realtime: list[str] | None = None) -> Network:
    """Compile GTFS feeds (plus optional OSM streets, GBFS sources and P+R lots) into a Network.

    With ``out`` the compiled network is saved there; when ``out`` already holds a network built
    from identical inputs it is reused instead of compiled again. With ``osm`` (PBF or XML files)
    walking, cycling and driving follow the streets and footpaths come from street searches.
    """
    options = options or BuildOptions()
    if not sources:
        raise FeedError("(none)", "at least one GTFS feed is required")
    osm = [os.fspath(p) for p in osm or []]
    digest = input_digest([source_digest(s) for s in sources] + _osm_digests(osm), options)
    tt = None
    feeds = []
    graph = None
    build_warnings: list[str] = []
    if out is not None and not force:
        meta = read_meta(out)
        if meta is not None and meta.get("build_digest") == digest:
            try:
                tt = load_timetable(out)
                graph = load_streets(out) if osm else None
                if osm and graph is None:
                    tt = None
            except Exception:  # noqa: BLE001 - a broken cache is simply rebuilt
                tt = None
    reused = tt is not None
    if tt is None:
        feeds = read_and_check(sources)
        walk_pairs = None
        linked: dict[str, int] = {}
        if osm:
            from maas.feeds.osm import read_streets
            from maas.streets.graph import compile_streets
            graph = compile_streets(read_streets(osm))
            walk_pairs = street_walk_pairs_for(graph, options, linked)
        tt = compile_feeds(feeds, options, walk_pairs)
        if tt.n_trips == 0:
            # nothing could ever be routed: say so now rather than answer every request with no trip
            raise FeedError("stop_times.txt", "no trip has two or more stop times at known stops; "
                                              "there is nothing to route")
        tt.meta["build_digest"] = digest   # GTFS + OSM + street rules; meta "digest" stays the GTFS one
        if graph is not None:
            n_linked = linked.get("default", 0)
            graph.meta["linked_stops"] = linked
            graph.meta["stops"] = int(tt.n_stops)
            tt.meta["streets"] = {"osm": [Path(p).name for p in osm], "nodes": graph.n_nodes,
                                  "edges": graph.meta["edges"], "linked_stops": n_linked,
                                  "unlinked_stops": int(tt.n_stops) - n_linked}
            if n_linked == 0:
                build_warnings.append(f"{', '.join(osm)}: the OSM data does not overlap the feed's stops; "
                                      "walking, cycling and driving stay crow-fly (street_model crow_fly)")
        if out is not None:
            if graph is not None:
                save_streets(graph, out)
            else:
                remove_streets(out)
            save_timetable(tt, out)
            tt = load_timetable(out)
            graph = load_streets(out) if graph is not None else None
    elif graph is not None and graph.meta.get("linked_stops", {}).get("default", 1) == 0:
        build_warnings.append(f"{', '.join(osm)}: the OSM data does not overlap the feed's stops; "
                              "walking, cycling and driving stay crow-fly (street_model crow_fly)")
    for w in build_warnings:
        warnings.warn(w, BuildWarning, stacklevel=2)
    mobility = None
    if gbfs or parking:
        from maas.planner.mobility import Mobility
        mobility = Mobility.from_sources(gbfs or [], parking, folder=out)
    elif out is not None:
        # a rebuild without shared-mobility sources must not keep the previous build's ones
        Path(out, "mobility.json").unlink(missing_ok=True)
    net = Network(tt, folder=str(out) if out is not None else None, mobility=mobility, streets=graph)
    _attach_realtime(net, out, realtime, record=True)
    net.reused_build = reused
    net.feeds = feeds
    net.build_warnings = build_warnings
    # places index (geocoder): stops, stations, P+R lots, bike stations, and OSM places when given
    from maas.places.build import build_places
    net.places = build_places(tt, sources, feeds, osm, mobility, out, force)
    return net


def load_network(folder: str | os.PathLike, *, gbfs: list[str] | None = None,
                 parking: str | os.PathLike | None = None, realtime: list[str] | None = None) -> Network:
    """Load a network folder written by ``maas build`` (arrays are memory-mapped)."""
    tt = load_timetable(folder)
    mobility = None
    try:
        from maas.planner.mobility import Mobility
        mobility = Mobility.from_folder(folder, gbfs=gbfs, parking=parking)
    except ImportError:
        mobility = None
    net = Network(tt, folder=str(Path(folder)), mobility=mobility, streets=load_streets(folder))
    from maas.places.index import PlaceIndex
    net.places = PlaceIndex.load(folder)   # None for a folder built before places: stops only, in memory
    _attach_realtime(net, folder, realtime, record=False)
    return net


def _attach_realtime(net: Network, folder, sources: list[str] | None, record: bool) -> None:
    """GTFS-RT sources: given here (and recorded in the folder by a build), else those recorded."""
    from maas.planner.realtime import Realtime
    if record and folder is not None:
        Realtime.record(folder, list(sources or []))
    if sources is None and folder is not None:
        sources = Realtime.recorded(folder)
    if sources:
        net.realtime = Realtime(net, list(sources))
