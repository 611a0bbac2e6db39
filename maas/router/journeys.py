"""Rebuild journeys from RAPTOR parent pointers (outside the kernels: a few legs per journey)."""
from __future__ import annotations

from dataclasses import dataclass

from maas.router.raptor import AFTER_TRIP, AFTER_WALK, SOURCE


@dataclass(frozen=True)
class RideLeg:
    """A ride on one trip from ``board_pos`` to ``alight_pos`` of its route; ``slot`` = service day."""

    trip: int
    slot: int
    board_pos: int
    alight_pos: int
    board_stop: int
    alight_stop: int


@dataclass(frozen=True)
class TransferLeg:
    """A walk between two stops along a footpath."""

    from_stop: int
    to_stop: int


@dataclass
class RawJourney:
    """Source index (into the access list), rides and transfers in order, and the final stop."""

    source: int
    legs: list
    target_stop: int
    rounds: int


def reconstruct(state: tuple, route_stop_ptr, route_stops, trip_route, stop: int, k: int) -> RawJourney:
    """Follow parents from the trip arrival at ``stop`` in round ``k`` back to a source."""
    (trip_arr, ready, ready_kind, ready_round, ready_from,
     par_trip, par_slot, par_board_pos, par_alight_pos) = state[:9]
    legs: list = []
    p, r_k = stop, k
    for _ in range(4 * k + 4):
        trip = int(par_trip[r_k, p])
        if trip < 0:
            raise RuntimeError(f"broken parent chain at stop {p} round {r_k}")
        bpos = int(par_board_pos[r_k, p])
        route = int(trip_route[trip])
        b = int(route_stops[route_stop_ptr[route] + bpos])
        legs.append(RideLeg(trip, int(par_slot[r_k, p]), bpos, int(par_alight_pos[r_k, p]), b, p))
        kind = int(ready_kind[r_k - 1, b])
        prev_round = int(ready_round[r_k - 1, b])
        frm = int(ready_from[r_k - 1, b])
        if kind == SOURCE:
            legs.reverse()
            return RawJourney(frm, legs, stop, k)
        if kind == AFTER_TRIP:
            p, r_k = b, prev_round
        elif kind == AFTER_WALK:
            legs.append(TransferLeg(frm, b))
            p, r_k = frm, prev_round
        else:
            raise RuntimeError(f"no ready label at stop {b} round {r_k - 1}")
    raise RuntimeError("parent chain does not end")
