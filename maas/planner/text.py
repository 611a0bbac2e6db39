"""Human-readable rendering of a plan (``maas plan`` without ``--json``)."""
from __future__ import annotations


def _hm(iso: str) -> str:
    return iso[11:16]


def _realtime_note(leg: dict) -> str:
    """' (+4 min, scheduled 08:00, live)' for a real-time transit leg, '' otherwise."""
    if not leg.get("realtime"):
        return ""
    d = int(leg.get("delay_s") or 0)
    lag = "on time" if abs(d) < 60 else f"{'+' if d > 0 else '-'}{abs(d) // 60} min"
    src = "from vehicle position" if leg.get("realtime_source") == "vehicle_position" else "live"
    return f" ({lag}, scheduled {_hm(leg['scheduled_departure'])}, {src})"


def format_plan(res: dict) -> str:
    """Several lines per itinerary: times, duration, transfers, then one line per leg."""
    lines: list[str] = []
    ends = [res.get("from") or {}, res.get("to") or {}]
    if any("id" in e for e in ends):     # a name was geocoded: say what it was taken to be
        lines.append("From {} to {}".format(*(f"{e.get('name') or 'coordinates'} ({e.get('kind')})" for e in ends)))
    for n, it in enumerate(res["itineraries"], 1):
        lines.append(f"{n}. {_hm(it['departure'])} -> {_hm(it['arrival'])}  {it['duration_s'] // 60} min, "
                     f"{it['transfers']} transfers, walk {it['walk_distance_m']:.0f} m, "
                     f"{it['price']['amount']:.2f} {it['price']['currency']}, {it['co2_g']} g CO2")
        for leg in it["legs"]:
            what = leg["mode"]
            if leg.get("route_short_name"):
                what += f" {leg['route_short_name']} to {leg.get('headsign', '')}"
            acc = f" [{leg['wheelchair']}]" if leg.get("wheelchair") and leg["wheelchair"] != "accessible" else ""
            street = " on the streets" if leg.get("street_model") == "osm" else (
                " crow-fly" if leg.get("street_model") == "crow_fly" else "")
            lines.append(f"   {_hm(leg['departure'])}-{_hm(leg['arrival'])} {what}: "
                         f"{leg['from']['name'] or 'origin'} -> {leg['to']['name'] or 'destination'} "
                         f"({leg['distance_m']:.0f} m{street}){acc}{_realtime_note(leg)}")
            for step in leg.get("steps") or []:
                lines.append(f"      {step['instruction']} ({step['distance_m']:.0f} m)")
            for note in leg.get("accessibility_notes") or []:
                if note.get("feature") != "crow_fly":
                    lines.append(f"      ! {note['text']}")
        for a in it.get("alerts", []):
            lines.append(f"   ! {a['header'] or a['effect']}")
    for pr in res.get("park_and_ride", []):
        it = pr["itinerary"]
        lines.append(f"P+R {pr['lot']['name']}: {_hm(it['departure'])} -> {_hm(it['arrival'])} "
                     f"({it['duration_s'] // 60} min)")
    for m in res.get("messages", []):
        lines.append(f"! {m['code']}: {m['text']}")
    if not lines:
        lines.append("No itinerary.")
    return "\n".join(lines)
