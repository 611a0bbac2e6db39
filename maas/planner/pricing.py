"""Per-mode CO2 factors and fares (documented in README.md, "Prices and CO2")."""
from __future__ import annotations

# grams of CO2 per passenger-km (tank/grid to wheel, typical European urban averages)
CO2_G_PER_KM: dict[str, float] = {
    "WALK": 0.0, "BIKE_SHARE": 0.0, "TRAM": 30.0, "TROLLEYBUS": 35.0, "SUBWAY": 30.0, "RAIL": 35.0,
    "BUS": 75.0, "FERRY": 110.0, "CAR_SHARE": 120.0, "CAR": 170.0,
}

STPT_TICKET_RON = 3.0         # one STPT journey ticket; transfers within the journey included
VELOTM_FREE_MINUTES = 60      # Velo TM: first hour free
VELOTM_RON_PER_EXTRA_HOUR = 5.0


def transit_fare(ride_modes: list[str]) -> float:
    """STPT fare for an itinerary's transit part: one ticket when any ride is taken."""
    return STPT_TICKET_RON if ride_modes else 0.0


def velotm_price(minutes: float) -> float:
    """Velo TM: free for the first hour, then per started hour."""
    if minutes <= VELOTM_FREE_MINUTES:
        return 0.0
    import math
    return VELOTM_RON_PER_EXTRA_HOUR * math.ceil((minutes - VELOTM_FREE_MINUTES) / 60)
