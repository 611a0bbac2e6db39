"""Real-time fields of transit legs (``realtime``, ``realtime_source``, ``delay_s``, scheduled times,
``alerts``) and the plan-level additions (itinerary alerts, real-time messages)."""
from __future__ import annotations

from maas.planner.clock import iso, service_day_ref
from maas.realtime.alerts import alert_json
from maas.realtime.overlay import SOURCE_WORDS


def leg_fields(net, leg, slot_offset: int, dep: int, arr: int) -> dict:
    """Fields for one ride (times in service-day seconds; :func:`finish_plan` makes them ISO)."""
    ov = net.overlay
    if ov is None or leg.trip < ov.n_static_trips:
        return {"realtime": False, "realtime_source": None, "delay_s": 0,
                "scheduled_departure": dep, "scheduled_arrival": arr}
    j = leg.trip - ov.n_static_trips
    st = int(ov.trip_static[j])
    source = SOURCE_WORDS[int(ov.trip_source[j])]
    if st < 0:      # an added trip has no schedule: its times are the scheduled ones
        return {"realtime": True, "realtime_source": source, "delay_s": 0,
                "scheduled_departure": dep, "scheduled_arrival": arr}
    base = net.base
    p = base.trip_time_ptrs[st]
    s_dep = int(base.tt.dep_time[p + leg.board_pos]) + slot_offset
    s_arr = int(base.tt.arr_time[p + leg.alight_pos]) + slot_offset
    return {"realtime": True, "realtime_source": source, "delay_s": dep - s_dep,
            "scheduled_departure": s_dep, "scheduled_arrival": s_arr}


def finish_plan(net, res: dict, date, snap, realtime: bool, lang: str = "en") -> dict:
    """Scheduled times as ISO, alerts on transit legs and their itineraries, real-time messages."""
    day = net.parse_date(date)
    ref = service_day_ref(day, net.tz)
    tz = net.tz
    alerts = snap.alerts if snap is not None else None
    route_types = None
    its = list(res.get("itineraries", ())) + [p["itinerary"] for p in res.get("park_and_ride", ())]
    for it in its:
        it_alerts: list[dict] = []
        seen: set[str] = set()
        for leg in it.get("legs", ()):
            if "scheduled_departure" not in leg:
                continue
            sd, sa = leg["scheduled_departure"], leg["scheduled_arrival"]
            if isinstance(sd, int):
                leg["scheduled_departure"] = iso(ref, sd, tz)
                leg["scheduled_arrival"] = iso(ref, sa, tz)
            found = []
            if alerts is not None and alerts.alerts:
                if route_types is None:
                    route_types = {str(g): int(t) for g, t in zip(net.tt.groute_id, net.tt.groute_type)}
                stops = [leg["from"].get("stop_id"), leg["to"].get("stop_id")]
                epoch = ref + (sd if isinstance(sd, int) else 0)
                found = [alert_json(a, lang) for a in alerts.for_ride(leg.get("route_id", ""), leg.get("trip_id", ""),
                                                                      [s for s in stops if s],
                                                                      route_types.get(leg.get("route_id", "")), epoch)]
            leg["alerts"] = found
            for a in found:
                if a["id"] not in seen:
                    seen.add(a["id"])
                    it_alerts.append(a)
        it["alerts"] = it_alerts
    if realtime and snap is not None:
        res["messages"] = snap.messages() + list(res.get("messages", ()))
    return res
