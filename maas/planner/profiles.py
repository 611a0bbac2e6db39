"""Traveller profiles: walking speed, walking limits, transfer slack and step-free needs."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How one kind of traveller moves; see the architecture doc's planner section."""

    name: str
    walk_speed: float          # m/s
    max_access_m: float        # walking to/from the first/last stop (walk metres, after detour)
    max_direct_walk_m: float   # longest walk-only itinerary offered
    transfer_slack_s: int      # minimum time to change vehicles at the same stop
    step_free: bool            # needs step-free boarding: wheelchair rules apply
    unknown_penalty_s: int     # generalized-cost penalty per leg of unknown accessibility


PROFILES: dict[str, Profile] = {
    "default": Profile("default", 1.33, 1000.0, 2500.0, 60, False, 0),
    "senior": Profile("senior", 0.9, 600.0, 1200.0, 180, False, 0),
    "stroller": Profile("stroller", 1.0, 800.0, 1800.0, 120, True, 600),
    "wheelchair": Profile("wheelchair", 0.8, 600.0, 1200.0, 180, True, 600),
}


def get_profile(name: str) -> Profile:
    from maas.errors import BadRequest
    try:
        return PROFILES[name]
    except KeyError:
        raise BadRequest(f"profile: unknown profile {name!r}; expected one of {', '.join(PROFILES)}", field="profile") from None
