"""Every speed, limit and penalty of the travel model, in one place.

The planner's modes and the scenarios read the same :data:`SETTINGS`; changing a value here
changes both. Street rules per walking profile are in :data:`WALK_RULES`.
"""
from __future__ import annotations

from dataclasses import dataclass

from maas.streets import tags as T
from maas.streets.costs import WalkRules

STEP_FREE_BLOCKERS = T.STEPS | T.KERB_RAISED | T.WHEELCHAIR_NO


@dataclass(frozen=True)
class Settings:
    """Speeds (m/s), distances (m), times (s) and factors shared by planner and scenarios."""

    # streets
    link_radius_stop_m: float = 150.0       # a stop, station, car or lot further from any usable street is crow-fly
    link_radius_place_m: float = 400.0      # the same for request points
    walk_detour: float = 1.3                # crow-fly model outside the street coverage
    # bike share
    bike_speed: float = 4.5
    bike_detour: float = 1.25               # crow-fly model only
    unlock_s: int = 60
    dock_s: int = 60
    max_bike_ride_m: float = 10_000.0
    station_walk_m: float = 400.0           # walk between a station and the stops it serves
    stops_per_point: int = 4
    pick_k: int = 3                         # nearest stations / cars tried at a place
    # car (shared and own)
    car_speed: float = 8.3                  # crow-fly model only
    car_detour: float = 1.35                # crow-fly model only
    car_speed_factor: float = 0.75          # street model: share of the speed limit reached in town traffic
    car_signal_s: float = 10.0              # street model: mean wait per traffic light
    car_pickup_s: int = 120
    car_park_s: int = 120
    range_reserve: float = 1.25
    car_walk_factor: float = 1.5
    car_access_radius_m: float = 2500.0
    car_egress_radius_m: float = 3000.0
    max_car_options: int = 30
    car_combo_min_saving_s: int = 300
    # park & ride
    centre_radius_m: float = 2500.0
    park_lot_s: int = 180
    min_pr_drive_m: float = 1000.0
    max_pr_drive_m: float = 40_000.0
    max_pr_lots: int = 4
    pr_rank_speed: float = 4.0
    lot_walk_m: float = 1000.0
    max_pr_shown: int = 3
    arrive_by_guess_s: int = 1800


SETTINGS = Settings()

WALK_RULES: dict[str, WalkRules] = {
    "default": WalkRules(speed=1.33),
    "senior": WalkRules(speed=0.9, steps_factor=2.5, rough_factor=1.2, steep_factor=1.3),
    "stroller": WalkRules(speed=1.0, forbidden=STEP_FREE_BLOCKERS, rough_factor=1.3, steep_factor=1.5,
                          kerb_unknown_s=10.0),
    "wheelchair": WalkRules(speed=0.8, forbidden=STEP_FREE_BLOCKERS, max_incline_pct=8.0, rough_factor=1.6,
                            limited_factor=1.2, kerb_unknown_s=20.0),
}
