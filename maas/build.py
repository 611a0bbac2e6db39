"""Build (or reuse) a compiled network from feeds, and load one from disk."""
from __future__ import annotations

import os
from pathlib import Path

from maas.errors import FeedError
from maas.feeds.gtfs import load_feeds, source_digest
from maas.planner.network import Network
from maas.timetable.compile import BuildOptions, compile_feeds, input_digest
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


def build_network(sources: list[str | os.PathLike], *, out: str | os.PathLike | None = None,
                  gbfs: list[str] | None = None, parking: str | os.PathLike | None = None,
                  options: BuildOptions | None = None, force: bool = False,
                  osm: list[str | os.PathLike] | None = None) -> Network:
    """Compile GTFS feeds (plus optional GBFS sources and P+R lots) into a Network.

    With ``out`` the compiled network is saved there; when ``out`` already holds a network built
    from identical inputs it is reused instead of compiled again.
    """
    options = options or BuildOptions()
    if not sources:
        raise FeedError("(none)", "at least one GTFS feed is required")
    digest = input_digest([source_digest(s) for s in sources], options)
    tt = None
    feeds = []
    if out is not None and not force:
        meta = read_meta(out)
        if meta is not None and meta.get("digest") == digest:
            try:
                tt = load_timetable(out)
            except Exception:  # noqa: BLE001 - a broken cache is simply rebuilt
                tt = None
    reused = tt is not None
    if tt is None:
        feeds = read_and_check(sources)
        tt = compile_feeds(feeds, options)
        if tt.n_trips == 0:
            # nothing could ever be routed: say so now rather than answer every request with no trip
            raise FeedError("stop_times.txt", "no trip has two or more stop times at known stops; "
                                              "there is nothing to route")
        if out is not None:
            save_timetable(tt, out)
            tt = load_timetable(out)
    mobility = None
    if gbfs or parking:
        from maas.planner.mobility import Mobility
        mobility = Mobility.from_sources(gbfs or [], parking, folder=out)
    elif out is not None:
        # a rebuild without shared-mobility sources must not keep the previous build's ones
        Path(out, "mobility.json").unlink(missing_ok=True)
    net = Network(tt, folder=str(out) if out is not None else None, mobility=mobility)
    net.reused_build = reused
    net.feeds = feeds
    # places index (geocoder): stops, stations, P+R lots, bike stations, and OSM places when given
    from maas.places.build import build_places
    net.places = build_places(tt, sources, feeds, osm, mobility, out, force)
    return net


def load_network(folder: str | os.PathLike, *, gbfs: list[str] | None = None,
                 parking: str | os.PathLike | None = None) -> Network:
    """Load a network folder written by ``maas build`` (arrays are memory-mapped)."""
    tt = load_timetable(folder)
    mobility = None
    try:
        from maas.planner.mobility import Mobility
        mobility = Mobility.from_folder(folder, gbfs=gbfs, parking=parking)
    except ImportError:
        mobility = None
    net = Network(tt, folder=str(Path(folder)), mobility=mobility)
    from maas.places.index import PlaceIndex
    net.places = PlaceIndex.load(folder)   # None for a folder built before places: stops only, in memory
    return net
