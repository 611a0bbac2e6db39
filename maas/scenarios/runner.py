"""Run a scenario end to end: validate, edit, compute both matrices, compare, report.

Python API (notebooks)::

    from maas.scenarios import load_scenario, run_scenario
    res = run_scenario("feeds/scenarios/cut-tram-1.yaml", network="build/stpt", out="out/cut-tram-1",
                       workers=0)            # 0 = in this process; None = LocalCluster with one worker per core
    res.baseline_matrix, res.scenario_matrix, res.accessibility, res.differences, res.overall

Order of work: the file is parsed and checked against the base network (route names, stop ids,
time bands, the date) before anything else; only then are the GTFS sources read, the edits
applied (new feeds; the base is untouched), the scenario network compiled and the matrices
computed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from maas.errors import MaasError
from maas.router.raptor import INF
from maas.scenarios import matrix as mx
from maas.scenarios.accessibility import accessibility_summary, accessibility_table
from maas.scenarios.compare import overall, pair_differences, place_differences
from maas.scenarios.distributed import DEFAULT_MINUTES_PER_TASK, DEFAULT_ORIGINS_PER_TASK, Runner
from maas.scenarios.edits import apply_edits
from maas.scenarios.mobility import MobilityLayer, base_layer
from maas.scenarios.places import Places, build_places
from maas.scenarios.spec import ScenarioError, ScenarioSpec, check_against_network, load_scenario, parse_scenario


@dataclass
class ScenarioResult:
    """Everything a run produced; the DataFrames are what the output files hold."""

    spec: ScenarioSpec
    places: Places
    baseline_matrix: pd.DataFrame
    scenario_matrix: pd.DataFrame
    accessibility: pd.DataFrame
    differences: pd.DataFrame          # per place
    pair_differences: pd.DataFrame     # per changed pair
    overall: dict
    edit_log: list[dict]
    summary: dict
    baseline: np.ndarray = field(repr=False, default=None)   # dense int32 [3, n, n], INF = absent
    scenario: np.ndarray = field(repr=False, default=None)
    out: str | None = None
    files: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# networks


_FEED_CACHE: dict[tuple, list] = {}


def _read_sources(sources: list[str]):
    """Read the GTFS sources of a network (cached by content digest: edits never mutate feeds)."""
    from maas.build import read_and_check
    from maas.feeds.gtfs import source_digest
    key = tuple((s, source_digest(s)) for s in sources)
    feeds = _FEED_CACHE.get(key)
    if feeds is None:
        feeds = read_and_check(sources)
        _FEED_CACHE.clear()
        _FEED_CACHE[key] = feeds
    return feeds


def _check_sources(net) -> list[str]:
    """The network's GTFS sources, checked to exist and to be what it was compiled from."""
    from maas.feeds.gtfs import source_digest
    from maas.timetable.compile import BuildOptions, input_digest
    meta = net.tt.meta
    sources = meta.get("sources") or [a.get("source") for a in meta.get("agencies", [])]
    if not sources or any(not s for s in sources):
        raise ScenarioError("the network does not record its GTFS sources; rebuild it with `maas build`",
                            field="network")
    for s in sources:
        if not Path(s).exists():
            raise ScenarioError(f"GTFS source {s} of the network is missing; edits need it", field="network")
    opts = BuildOptions(**meta.get("options", {}))
    if meta.get("digest") and input_digest([source_digest(s) for s in sources], opts) != meta["digest"]:
        raise ScenarioError("the network's GTFS sources changed since it was built; rebuild it with `maas build`",
                            field="network")
    return list(sources)


def base_feeds(net) -> list:
    """The GTFS feeds a network was compiled from (its meta ``sources``), checked against its digest."""
    return _read_sources(_check_sources(net))


def build_scenario_network(spec: ScenarioSpec, net, feeds: list | None = None):
    """(Network with the timetable edits applied, edit log). The base network and feeds are untouched.

    Without timetable edits the base network itself is returned.
    """
    from maas.planner.network import Network
    from maas.timetable.compile import BuildOptions, compile_feeds
    if not spec.timetable_edits:
        log = [{"edit": e.index, "type": e.type, "summary": _mobility_summary(e)} for e in spec.edits]
        return net, log
    feeds = feeds if feeds is not None else base_feeds(net)
    new_feeds, log = apply_edits(feeds, spec)
    opts = BuildOptions(**net.tt.meta.get("options", {}))
    graph = net.streets.g if net.streets is not None else None
    walk_pairs = None
    if graph is not None:   # the same street footpaths as the base network, for the edited stops
        from maas.build import street_walk_pairs_for
        walk_pairs = street_walk_pairs_for(graph, opts)
    tt = compile_feeds(new_feeds, opts, walk_pairs)
    tt.meta["scenario"] = spec.name
    scen = Network(tt, folder=None, mobility=getattr(net, "mobility", None), streets=graph)
    scen.feeds = new_feeds
    return scen, log


def _mobility_summary(e) -> str:
    if e.type == "add-park-and-ride":
        return f"park & ride lot {e.id} ({e.name}, {e.capacity} spaces) added to the mobility layer"
    return f"{len(e.stations)} bike station(s) added to the mobility layer: " + ", ".join(s.id for s in e.stations)


def _load_network(network):
    from maas.build import load_network
    from maas.planner.network import Network
    if isinstance(network, Network):
        return network
    if network is None:
        raise ScenarioError("no base network: pass --network or set `network:` in the file", field="network")
    p = Path(network)
    if not p.is_dir():
        raise ScenarioError(f"{network}: no such network folder (build one with `maas build`)", field="network")
    try:
        return load_network(p)
    except MaasError as exc:
        raise ScenarioError(str(exc), field="network") from None


# --------------------------------------------------------------------------------------------
# tables


def matrix_frame(places: Places, dense: np.ndarray) -> pd.DataFrame:
    """origin, destination, p25, p50, p75 (seconds; p75 null when unreachable) of present pairs."""
    o, d = np.nonzero(dense[1] < INF)
    p25, p50, p75 = dense[0, o, d], dense[1, o, d], dense[2, o, d]
    df = pd.DataFrame({"origin": places.ids[o], "destination": places.ids[d],
                       "p25": pd.array(p25, dtype="Int32"), "p50": pd.array(p50, dtype="Int32"),
                       "p75": pd.array(np.where(p75 < INF, p75, 0), dtype="Int32")})
    if (p75 >= INF).any():
        df.loc[p75 >= INF, "p75"] = pd.NA
    return df


def _versions() -> dict:
    import dask
    import numba
    import pyarrow

    import maas
    return {"maas": maas.__version__, "python": sys.version.split()[0], "numpy": np.__version__,
            "pandas": pd.__version__, "numba": numba.__version__, "dask": dask.__version__,
            "pyarrow": pyarrow.__version__}


# --------------------------------------------------------------------------------------------
# the run


def prepare(spec_or_path, network=None):
    """Parse and check everything (no heavy work): (spec, base network). Raises ScenarioError."""
    if isinstance(spec_or_path, ScenarioSpec):
        spec = spec_or_path
    elif isinstance(spec_or_path, dict):
        spec = parse_scenario(spec_or_path)
    else:
        spec = load_scenario(spec_or_path)
    net = _load_network(network if network is not None else spec.network)
    check_against_network(spec, net)
    if spec.timetable_edits:
        try:
            _check_sources(net)
        except ScenarioError as exc:
            raise ScenarioError(exc.reason, file=spec.source, field=exc.field) from None
    return spec, net


def run_scenario(spec_or_path, network=None, out: str | os.PathLike | None = None, workers: int | None = None,
                 scheduler: str | None = None, progress: bool = True, *,
                 origins_per_task: int = DEFAULT_ORIGINS_PER_TASK, minutes_per_task: int = DEFAULT_MINUTES_PER_TASK,
                 runner: Runner | None = None, report: bool = True) -> ScenarioResult:
    """Run a scenario (a path, a dict or a ScenarioSpec) on a base network (folder or Network).

    ``workers=0`` computes in this process; ``workers=N`` starts a LocalCluster of N worker
    processes (default: one per core); ``scheduler`` uses an existing Dask cluster. With ``out``
    the tables, plots, ``summary.json`` and ``report.html`` are written there.
    """
    t_start = time.perf_counter()
    spec, net = prepare(spec_or_path, network)
    mob_base = base_layer(spec, net)
    mob_scen = mob_base.with_edits(spec.edits)
    places = build_places(spec, net)
    if len(places) == 0:
        raise ScenarioError("no places to measure (no stop within walking reach of any grid cell?)", field="places")
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
    timings = {}
    own = runner is None
    r = runner or Runner(workers, scheduler, origins_per_task=origins_per_task, minutes_per_task=minutes_per_task,
                         progress=progress)
    try:
        if own:
            r.start()      # first: a wrong scheduler address fails before the edits are compiled
        t0 = time.perf_counter()
        scen_net, log = build_scenario_network(spec, net)
        timings["edit_and_compile_s"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        base_problem = mx.build_problem(net, places, spec, mobility=mob_base, label="baseline")
        uses_mobility = bool({"PARK_RIDE", "BIKE_SHARE"} & set(spec.modes))
        same = scen_net is net and (not uses_mobility or mob_base.to_json() == mob_scen.to_json())
        scen_problem = None if same else mx.build_problem(scen_net, places, spec, mobility=mob_scen, label="scenario")
        timings["prepare_s"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        base = r.solve(base_problem, desc=f"{spec.name}: baseline")
        scen = base if scen_problem is None else r.solve(scen_problem, desc=f"{spec.name}: scenario")
        timings["matrices_s"] = round(time.perf_counter() - t0, 3)
        run_info = r.describe()
    finally:
        if own:
            r.close()
    t0 = time.perf_counter()
    base_df = matrix_frame(places, base)
    scen_df = matrix_frame(places, scen)
    acc = accessibility_table(places, base[1], scen[1], spec.thresholds_min)
    diffs = place_differences(places, base[1], scen[1])
    pairs = pair_differences(places, base[1], scen[1])
    figures = overall(base, scen)
    figures["accessibility"] = accessibility_summary(acc, places)
    timings["compare_s"] = round(time.perf_counter() - t0, 3)
    notes = []
    if "CAR_SHARE" in spec.modes:
        notes.append("CAR_SHARE is not modelled in travel-time matrices (ignored).")
    if any(e.type in ("add-park-and-ride", "add-bike-stations") for e in spec.edits) and not uses_mobility:
        notes.append("Park & ride / bike-station edits are recorded but change nothing with modes "
                     f"{','.join(spec.modes)}; add PARK_RIDE or BIKE_SHARE to use them.")
    if uses_mobility:
        from maas.scenarios.mobility import LOT_WALK_M, STATION_WALK_M
        walk_detour = scen_net.tt.meta["options"]["detour_factor"]
        for lot in (x for x in mob_scen.lots if x.added):
            if not len(scen_net.stops_within(lot.lat, lot.lon, LOT_WALK_M / walk_detour)[0]):
                notes.append(f"Park & ride lot {lot.id} has no stop within {LOT_WALK_M:.0f} m walking: it changes nothing.")
        for st in (x for x in mob_scen.stations if x.added):
            if not len(scen_net.stops_within(st.lat, st.lon, STATION_WALK_M / walk_detour)[0]):
                notes.append(f"Bike station {st.id} has no stop within {STATION_WALK_M:.0f} m walking.")
    summary = {
        "scenario": spec.to_json(),
        "inputs": {
            "scenario_file": str(Path(spec.source).resolve()) if spec.source else None,
            "scenario_sha256": spec.sha256,
            "scenario_as_read": spec.raw,
            "network": net.folder, "network_digest": net.tt.meta.get("digest"),
            "network_sources": net.tt.meta.get("sources"),
            "network_options": net.tt.meta.get("options"),
            "mobility": mob_scen.to_json() if (mob_scen.lots or mob_scen.stations) else None,
        },
        "versions": _versions(),
        "run": {**run_info, "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "departures": int(base_problem.n_departures), "places": len(places),
                "places_kind": places.kind, "timings": timings,
                "scenario_network": {"stops": int(scen_net.tt.n_stops), "trips": int(scen_net.tt.n_trips),
                                     "routes": int(scen_net.tt.n_routes)},
                "baseline_network": {"stops": int(net.tt.n_stops), "trips": int(net.tt.n_trips),
                                     "routes": int(net.tt.n_routes)}},
        "method": {"percentiles": list(mx.PERCENTILES), "percentile_method": "nearest rank over departure minutes "
                   "(unreachable minutes count as infinite), as R5", "cutoff_s": spec.cutoff_min * 60,
                   "max_trips": spec.max_transfers + 1, "walk_m": spec.walk_m,
                   "accessibility": f"places with p50 <= {spec.thresholds_min} minutes"},
        "edits": log,
        "overall": figures,
        "notes": notes,
    }
    res = ScenarioResult(spec=spec, places=places, baseline_matrix=base_df, scenario_matrix=scen_df,
                         accessibility=acc, differences=diffs, pair_differences=pairs, overall=figures,
                         edit_log=log, summary=summary, baseline=base, scenario=scen,
                         out=str(out) if out is not None else None)
    if out is not None and report:
        from maas.scenarios.report import write_outputs
        t0 = time.perf_counter()
        res.files = write_outputs(res, out, net)
        timings["report_s"] = round(time.perf_counter() - t0, 3)
    timings["total_s"] = round(time.perf_counter() - t_start, 3)
    if out is not None and report:
        from maas.scenarios.report import write_summary
        write_summary(res, out)
    return res


def run_scenario_cli(file, network=None, out=None, workers=None, scheduler=None) -> int:
    """``maas scenario run``: 0 on success, 2 with one stderr line for a bad file or input."""
    try:
        spec, net = prepare(file, network)
    except MaasError as exc:
        sys.stderr.write(f"maas scenario: {exc}\n")
        return 2
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"maas scenario: {exc}\n")
        return 2
    try:
        res = run_scenario(spec, net, out=out, workers=workers, scheduler=scheduler, progress=True)
    except MaasError as exc:
        sys.stderr.write(f"maas scenario: {exc}\n")
        return 2
    o = res.overall
    acc = o.get("accessibility", {})
    mid = str(spec.thresholds_min[len(spec.thresholds_min) // 2])

    def mins(x):
        return "n/a" if x is None else f"{x / 60:.1f} min"

    print(f"{spec.name}: {o['places']} places, {res.summary['run']['departures']} departures, "
          f"{res.summary['run']['mode']}, {res.summary['run']['timings'].get('total_s', 0):.1f} s")
    print(f"  median travel time {mins(o['median_p50_baseline_s'])} -> {mins(o['median_p50_scenario_s'])}; "
          f"pairs faster {o['pairs_faster']}, slower {o['pairs_slower']}, lost {o['pairs_lost']}, gained {o['pairs_gained']}")
    if mid in acc:
        a = acc[mid]
        print(f"  places reachable within {mid} min: {a['mean_places_baseline']:.1f} -> {a['mean_places_scenario']:.1f} on average")
    print(f"  outputs in {out}: report.html, summary.json, {len(res.files)} files")
    return 0


def file_sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


__all__ = ["ScenarioResult", "run_scenario", "run_scenario_cli", "prepare", "build_scenario_network",
           "base_feeds", "matrix_frame", "MobilityLayer"]
