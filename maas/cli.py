"""The ``maas`` command line: build, validate, transfers, plan, serve, scenario, sample.

Exit codes: 0 success, 1 validation errors, 2 bad usage or unreadable input (one clear line on
stderr, never a traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from maas.errors import MaasError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own convention)
        sys.stderr.write(f"maas: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="maas", description="Timișoara multimodal trip planner")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="compile GTFS feeds (and GBFS/P+R sources) into a network folder")
    b.add_argument("sources", nargs="+", help="GTFS zip files or folders")
    b.add_argument("-o", "--out", required=True, help="output network folder")
    b.add_argument("--gbfs", action="append", default=[], help="GBFS folder or gbfs.json URL (repeatable)")
    b.add_argument("--parking", help="park & ride lots (GeoJSON)")
    b.add_argument("--osm", action="append", default=[], help="OpenStreetMap streets, .pbf or .osm XML (repeatable)")
    b.add_argument("--radius", type=float, default=400.0, help="footpath radius in metres (default 400)")
    b.add_argument("--detour", type=float, default=1.3, help="walking detour factor (default 1.3)")
    b.add_argument("--force", action="store_true", help="rebuild even if the inputs did not change")
    b.add_argument("--realtime", action="append", default=[], metavar="PATH_OR_URL",
                   help="GTFS-RT source (TripUpdates, ServiceAlerts, VehiclePositions; repeatable), recorded in OUT")

    v = sub.add_parser("validate", help="print the validation report; exit 1 when there are errors")
    v.add_argument("sources", nargs="+")

    t = sub.add_parser("transfers", help="print the footpaths the router uses, as CSV")
    t.add_argument("network")
    t.add_argument("--profile", default="default")

    pl = sub.add_parser("plan", help="plan one trip")
    pl.add_argument("network")
    pl.add_argument("--from", dest="origin", required=True, help="stop:<id>, <lat>,<lon> or a place name")
    pl.add_argument("--to", dest="destination", required=True, help="stop:<id>, <lat>,<lon> or a place name")
    pl.add_argument("--date", required=True, help="YYYY-MM-DD")
    pl.add_argument("--time", required=True, help="HH:MM[:SS]")
    pl.add_argument("--arrive-by", action="store_true")
    pl.add_argument("--profile", default="default")
    pl.add_argument("--modes", default="WALK,TRANSIT")
    pl.add_argument("--max-transfers", type=int, default=6)
    pl.add_argument("--num-itineraries", type=int, default=5)
    pl.add_argument("--strict", action="store_true", help="exclude legs of unknown accessibility")
    pl.add_argument("--lang", default="en", choices=["en", "ro"], help="language of instructions and notes")
    pl.add_argument("--realtime", action="append", default=None, metavar="PATH_OR_URL",
                    help="GTFS-RT source (repeatable; replaces the network's recorded ones)")
    pl.add_argument("--no-realtime", action="store_true", help="plan on the schedule only")
    pl.add_argument("--json", action="store_true", help="print the JSON of GET /v1/plan")

    gc = sub.add_parser("geocode", help="search places by name (stops, POIs, addresses, streets)")
    gc.add_argument("network")
    gc.add_argument("text")
    gc.add_argument("--near", default=None, help="<lat>,<lon>: nearer places rank higher")
    gc.add_argument("--limit", type=int, default=10)
    gc.add_argument("--json", action="store_true", help="print the JSON of GET /v1/geocode")

    dp = sub.add_parser("departures", help="a stop's next departures")
    dp.add_argument("network")
    dp.add_argument("stop", help="stop_id (or stop:<stop_id>; a parent station lists its platforms)")
    dp.add_argument("--date", required=True, help="YYYY-MM-DD")
    dp.add_argument("--time", required=True, help="HH:MM[:SS]")
    dp.add_argument("--limit", type=int, default=20)
    dp.add_argument("--realtime", action="append", default=None, metavar="PATH_OR_URL",
                    help="GTFS-RT source (repeatable; replaces the network's recorded ones)")
    dp.add_argument("--no-realtime", action="store_true", help="the schedule only")
    dp.add_argument("--json", action="store_true", help="print the JSON of GET /v1/stops/{stop_id}/departures")

    s = sub.add_parser("serve", help="serve the HTTP API")
    s.add_argument("network")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--gbfs", action="append", default=None, help="GBFS source (overrides the network's)")
    s.add_argument("--parking", default=None)
    s.add_argument("--workers", type=int, default=1, help="worker processes (each maps the same network)")
    s.add_argument("--watch", action="store_true", help="reload (every worker) when the network folder changes")
    s.add_argument("--insecure-admin", action="store_true",
                   help="allow a non-loopback --host without MAAS_ADMIN_TOKEN (admin endpoints open)")
    s.add_argument("--cors-origin", action="append", default=None, metavar="ORIGIN",
                   help="allow browser calls from this origin (repeatable; default: none)")
    s.add_argument("--rate-limit", type=float, default=None, metavar="PER_S",
                   help="plans a second per client on /v1/plan, 429 beyond (default: off)")
    s.add_argument("--realtime", action="append", default=None, metavar="PATH_OR_URL",
                   help="GTFS-RT source (repeatable; overrides the network's recorded ones)")
    s.add_argument("--realtime-interval", type=float, default=30.0, help="GTFS-RT refresh interval in s (default 30)")
    s.add_argument("--tiles", default=None, help="base-map tile URL for the web page, e.g. "
                   "https://tile.example.org/{z}/{x}/{y}.png (default: env MAAS_TILE_URL; none: blank map)")

    sc = sub.add_parser("scenario", help="scenario benchmarks")
    scs = sc.add_subparsers(dest="scenario_command", required=True, parser_class=_Parser)
    run = scs.add_parser("run", help="run a scenario file")
    run.add_argument("file")
    run.add_argument("--network", required=True)
    run.add_argument("-o", "--out", required=True)
    g = run.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, default=None)
    g.add_argument("--scheduler", default=None)

    sm = sub.add_parser("sample", help="generate the project's sample feeds into a folder")
    sm.add_argument("out", nargs="?", default="feeds/timisoara")
    return p


def _cmd_build(a) -> int:
    from maas.build import build_network
    from maas.planner.profiles import get_profile
    from maas.timetable.compile import BuildOptions
    t0 = time.perf_counter()
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = build_network(a.sources, out=a.out, gbfs=a.gbfs, parking=a.parking, osm=a.osm,
                            options=BuildOptions(footpath_radius_m=a.radius, detour_factor=a.detour), force=a.force,
                            realtime=a.realtime)
    tt = net.tt
    what = "reused (inputs unchanged)" if getattr(net, "reused_build", False) else "built"
    n_fp = len(net.profile_arrays(get_profile("default"))["fp_to"])
    print(f"{a.out}: {what} in {time.perf_counter() - t0:.1f} s: {tt.n_stops} stops, {tt.n_routes} routes, "
          f"{tt.n_trips} trips, {n_fp} footpaths (default profile)")
    st = tt.meta.get("streets")
    if st:
        e = st["edges"]
        print(f"  streets ({', '.join(st['osm'])}): {st['nodes']} nodes; directed edges: walk {e['walk']}, "
              f"bike {e['bike']}, car {e['car']}; stops linked {st['linked_stops']}, "
              f"unlinked {st['unlinked_stops']} (crow-fly)")
        for name in ("default", "senior", "stroller", "wheelchair"):
            if f"fp_{name}_to" in tt.arrays:
                print(f"  footpaths {name}: {len(tt.arrays[f'fp_{name}_to'])}")
    from maas.errors import BuildWarning
    for w in caught:
        if issubclass(w.category, BuildWarning):
            print(f"warning: {w.message}", file=sys.stderr)
    if net.mobility is not None:
        for line in net.mobility.summary_lines():
            print(f"  {line}")
    places = net.__dict__.get("_places")
    if places is not None:
        c = places.counts
        print(f"  places: {c.get('stop', 0)} stops and stations, {c.get('poi', 0)} POIs, {c.get('address', 0)} "
              f"addresses, {c.get('street', 0)} streets, {c.get('bike_station', 0)} bike stations, "
              f"{c.get('park_and_ride', 0)} P+R lots" + (" (reused)" if getattr(places, "reused", False) else ""))
    if net.realtime is not None:
        for line in net.realtime.summary_lines():
            print(f"  {line}")
    for f in getattr(net, "feeds", []):
        for w in f.report.warnings:
            print(f"  {f.source}: {w}", file=sys.stderr)
    return EXIT_OK


def _cmd_validate(a) -> int:
    from maas.feeds.validate import validate_sources
    report_lines, n_err, n_warn = validate_sources(a.sources)
    for line in report_lines:
        print(line)
    print(f"{n_err} errors, {n_warn} warnings")
    return EXIT_INVALID if n_err else EXIT_OK


def _cmd_transfers(a) -> int:
    from maas.build import load_network
    from maas.planner.profiles import get_profile
    net = load_network(a.network)
    prof = get_profile(a.profile)
    pa = net.profile_arrays(prof)
    tt = net.tt
    out = sys.stdout
    out.write("from_stop_id,to_stop_id,duration_s\n")
    lines = []
    for p in range(tt.n_stops):
        sid = tt.stop_id[p]
        lines.append(f"{sid},{sid},{int(pa['change'][p])}\n")
        for e in range(int(pa["fp_ptr"][p]), int(pa["fp_ptr"][p + 1])):
            lines.append(f"{sid},{tt.stop_id[pa['fp_to'][e]]},{int(pa['fp_dur'][e])}\n")
    out.write("".join(lines))
    return EXIT_OK


def _cmd_plan(a) -> int:
    from maas.build import load_network
    net = load_network(a.network, realtime=a.realtime)
    res = net.plan(a.origin, a.destination, a.date, a.time, profile=a.profile, modes=a.modes.split(","),
                   max_transfers=a.max_transfers, arrive_by=a.arrive_by, num_itineraries=a.num_itineraries,
                   strict=a.strict, lang=a.lang, realtime=not a.no_realtime)
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        from maas.planner.text import format_plan
        print(format_plan(res))
    return EXIT_OK


def _cmd_departures(a) -> int:
    from maas.build import load_network
    net = load_network(a.network, realtime=a.realtime)
    res = net.departures(a.stop, a.date, a.time, limit=a.limit, realtime=not a.no_realtime)
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return EXIT_OK
    st = res["stop"]
    print(f"{st['name']} ({st['stop_id']})")
    for m in res.get("messages", []):
        print(f"  ! {m['text']}")
    for d in res["departures"]:
        when = d["scheduled"][11:16]
        if d["cancelled"]:
            state = "cancelled"
        elif d["realtime"]:
            state = f"expected {d['expected'][11:16]}" + (f" (+{d['delay_s'] // 60} min)" if d["delay_s"] >= 60 else
                                                          f" ({d['delay_s'] // 60} min)" if d["delay_s"] <= -60 else " (on time)")
        else:
            state = "scheduled"
        print(f"  {when}  {d['route_short_name']:>4}  {d['headsign'][:32]:<32}  {state}")
    return EXIT_OK


def _cmd_geocode(a) -> int:
    from maas.build import load_network
    net = load_network(a.network)
    res = net.geocode(a.text, near=a.near, limit=a.limit)
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
    elif not res["results"]:
        print(f"no place matches {a.text!r}")
    else:
        for r in res["results"]:
            sid = f"  stop:{r['stop_id']}" if r.get("stop_id") else ""
            print(f"{r['name']}  ({r['label']})  {r['lat']:.5f},{r['lon']:.5f}{sid}  [{r['id']}]")
    return EXIT_OK


def _cmd_serve(a) -> int:
    from maas.service.app import serve
    if a.workers < 1:
        raise MaasError("--workers must be at least 1")
    if a.realtime_interval < 1:
        raise MaasError("--realtime-interval must be at least 1 second")
    if a.tiles is not None:
        os.environ["MAAS_TILE_URL"] = a.tiles     # read by the page (and by every worker process)
    if a.rate_limit is not None and not (a.rate_limit >= 0 and a.rate_limit < float("inf")):
        raise MaasError("--rate-limit must be a number >= 0 (0 = off)")
    serve(a.network, host=a.host, port=a.port, gbfs=a.gbfs, parking=a.parking, workers=a.workers,
          watch=a.watch, insecure_admin=a.insecure_admin, cors_origins=a.cors_origin,
          plan_rate_limit=a.rate_limit,
          realtime=a.realtime, realtime_interval=a.realtime_interval)
    return EXIT_OK


def _cmd_scenario(a) -> int:
    from maas.scenarios.runner import run_scenario_cli
    return run_scenario_cli(a.file, network=a.network, out=a.out, workers=a.workers, scheduler=a.scheduler)


def _cmd_sample(a) -> int:
    from maas.feeds.sample import write_sample
    paths = write_sample(Path(a.out))
    print(f"sample feeds written to {a.out}: " + ", ".join(str(p) for p in paths))
    return EXIT_OK


COMMANDS = {"build": _cmd_build, "validate": _cmd_validate, "transfers": _cmd_transfers, "plan": _cmd_plan,
            "geocode": _cmd_geocode,
            "departures": _cmd_departures,
            "serve": _cmd_serve, "scenario": _cmd_scenario, "sample": _cmd_sample}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. `maas transfers NET | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the flush at exit must not fail
        return EXIT_OK
    except MaasError as exc:
        sys.stderr.write(f"maas {args.command}: {exc}\n")
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"maas {args.command}: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug must still not show a traceback to users
        if os.environ.get("MAAS_DEBUG"):
            raise
        sys.stderr.write(f"maas {args.command}: internal error ({type(exc).__name__}: {exc}); "
                         "rerun with MAAS_DEBUG=1 for details\n")
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
