"""What-if scenarios on a compiled network: edits, travel-time matrices, accessibility, reports.

Python API for notebooks::

    from maas.scenarios import load_scenario, run_scenario
    spec = load_scenario("feeds/scenarios/cut-tram-1.yaml")
    res = run_scenario(spec, network="build/stpt", out="out/cut-tram-1", workers=0)
    res.baseline_matrix.head(); res.accessibility; res.differences; res.overall

Lower-level pieces: :func:`apply_edits` (new GTFS feeds from edits), :func:`build_scenario_network`
(a :class:`~maas.planner.network.Network` with the edits, e.g. to ``plan`` trips on it),
:func:`travel_time_matrix` (one matrix of a network for given places).
"""
from __future__ import annotations

from maas.scenarios.distributed import Runner
from maas.scenarios.edits import apply_edits
from maas.scenarios.runner import (ScenarioResult, base_feeds, build_scenario_network, matrix_frame, prepare,
                                   run_scenario, run_scenario_cli)
from maas.scenarios.spec import ScenarioError, ScenarioSpec, check_against_network, load_scenario, parse_scenario


def travel_time_matrix(net, spec, *, workers: int | None = 0, scheduler: str | None = None, progress: bool = False,
                       places=None, mobility=None):
    """(places, DataFrame origin/destination/p25/p50/p75) of one network for a scenario's settings."""
    from maas.scenarios import matrix as mx
    from maas.scenarios.places import build_places
    places = places if places is not None else build_places(spec, net)
    problem = mx.build_problem(net, places, spec, mobility=mobility, label="matrix")
    with Runner(workers, scheduler, progress=progress) as r:
        dense = r.solve(problem)
    return places, matrix_frame(places, dense)


__all__ = ["ScenarioError", "ScenarioResult", "ScenarioSpec", "Runner", "apply_edits", "base_feeds",
           "build_scenario_network", "check_against_network", "load_scenario", "matrix_frame", "parse_scenario",
           "prepare", "run_scenario", "run_scenario_cli", "travel_time_matrix"]
