"""A stop's next departures (``GET /v1/stops/{stop_id}/departures``, ``maas departures``).

Scheduled and expected times come from the same network view the planner uses, so a board and
a plan made at the same moment agree: a cancelled trip is listed as ``cancelled`` (no expected
time), a stop that an updated trip skips is ``cancelled`` for that trip at this stop, and trips
without an update are ``"realtime": false`` with their scheduled time.
"""
from __future__ import annotations

import numpy as np

from maas.errors import BadRequest
from maas.planner.clock import iso, local_seconds
from maas.planner.itinerary import WHEELCHAIR_WORDS
from maas.planner.profiles import get_profile
from maas.realtime.overlay import SOURCE_WORDS

HORIZON_S = 12 * 3600


def _stop_indices(net, stop_id: str) -> list[int]:
    sid = stop_id[5:] if stop_id.startswith("stop:") else stop_id
    p = net.stop_lookup.get(sid)
    if p is not None:
        return [p]
    kids = np.flatnonzero(np.asarray(net.tt.stop_parent_id) == sid).tolist()   # a parent station: its platforms
    if not kids:
        raise BadRequest(f"stop_id: unknown stop {sid!r}", field="stop_id")
    return kids


def departures(net, stop_id: str, date: str, time: str, limit: int = 20, realtime: bool = True) -> dict:
    """``{"stop": {...}, "departures": [...]}``: the next ``limit`` departures from ``time`` on."""
    if not isinstance(limit, (int, np.integer)) or not 1 <= int(limit) <= 200:
        raise BadRequest("limit: must be an integer between 1 and 200", field="limit")
    stops = _stop_indices(net, stop_id)
    day = net.parse_date(date)
    t_req = local_seconds(day, net.parse_time(time), net.tz)
    view, snap = net.realtime_view(realtime)
    ctx = view.day_context(day, get_profile("default"))
    tt = view.tt
    ov = view.overlay
    n_st = ov.n_static_trips if ov is not None else len(tt.trip_id)
    base_tt = net.tt
    rows: list[tuple] = []
    ptr_r, rr, rpos = tt.stop_route_ptr, tt.stop_route_r, tt.stop_route_pos
    rsp, rtp, ttp = tt.route_stop_ptr, tt.route_trip_ptr, tt.trip_time_ptr
    for p in stops:
        for j in range(int(ptr_r[p]), int(ptr_r[p + 1])):
            r, pos = int(rr[j]), int(rpos[j])
            b = int(rsp[r])
            if pos == int(rsp[r + 1]) - b - 1:
                continue                       # the last stop: arrivals only
            trips = np.arange(int(rtp[r]), int(rtp[r + 1]))
            d = tt.dep_time[ttp[trips] + pos]
            pickup = bool(tt.route_pickup[b + pos])
            for s, off in enumerate(ctx.slot_offsets.tolist()):
                sel = ctx.trip_active[s, trips] & (d + off >= t_req) & (d + off < t_req + HORIZON_S)
                for k in np.flatnonzero(sel).tolist():
                    t = int(trips[k])
                    exp = int(d[k]) + off
                    if t < n_st:
                        if not pickup:
                            continue
                        rows.append((exp, t, p, exp, exp, False, None))
                        continue
                    o = t - n_st
                    st = int(ov.trip_static[o])
                    src = SOURCE_WORDS[int(ov.trip_source[o])]
                    if st >= 0:
                        sched = int(base_tt.dep_time[int(base_tt.trip_time_ptr[st]) + pos]) + off
                        static_pick = bool(base_tt.route_pickup[int(base_tt.route_stop_ptr[int(base_tt.trip_route[st])]) + pos])
                    else:
                        sched, static_pick = exp, pickup
                    if not pickup:
                        if static_pick:       # the update skips this stop
                            rows.append((sched, t, p, sched, None, True, src))
                        continue
                    rows.append((exp, t, p, sched, exp, False, src))
    if ov is not None and len(ov.cancelled_trip):
        di = (day - net.first_day).days
        for t, cd in zip(ov.cancelled_trip.tolist(), ov.cancelled_day.tolist()):
            s = cd - di + 1
            if not 0 <= s < 3:
                continue
            off = int(ctx.slot_offsets[s])
            r = int(base_tt.trip_route[t])
            b, e = int(base_tt.route_stop_ptr[r]), int(base_tt.route_stop_ptr[r + 1])
            for pos in range(e - b - 1):
                q = int(base_tt.route_stops[b + pos])
                if q in stops and base_tt.route_pickup[b + pos]:
                    sched = int(base_tt.dep_time[int(base_tt.trip_time_ptr[t]) + pos]) + off
                    if t_req <= sched < t_req + HORIZON_S:
                        rows.append((sched, t, q, sched, None, True, "trip_update"))
    rows.sort(key=lambda x: (x[0], x[1]))
    out = []
    ref = ctx.ref
    for _, t, p, sched, exp, cancelled, src in rows[:int(limit)]:
        g = int(tt.route_groute[int(tt.trip_route[t])])
        out.append({
            "route_short_name": str(tt.groute_short_name[g]) or str(tt.groute_long_name[g]),
            "route_id": str(tt.groute_id[g]), "mode": str(tt.groute_mode[g]),
            "headsign": str(tt.trip_headsign[t]), "trip_id": str(tt.trip_id[t]),
            "stop_id": str(tt.stop_id[p]),
            "scheduled": iso(ref, sched, net.tz), "expected": iso(ref, exp, net.tz) if exp is not None else None,
            "delay_s": (exp - sched) if exp is not None else None,
            "realtime": src is not None, "realtime_source": src, "cancelled": cancelled,
            "wheelchair": WHEELCHAIR_WORDS.get(int(tt.trip_wheelchair[t]), "unknown"),
        })
    p0 = stops[0]
    stop = {"stop_id": stop_id[5:] if stop_id.startswith("stop:") else stop_id,
            "name": str(net.tt.stop_name[p0]), "lat": round(float(net.tt.stop_lat[p0]), 6),
            "lon": round(float(net.tt.stop_lon[p0]), 6),
            "wheelchair": WHEELCHAIR_WORDS.get(int(net.tt.stop_wheelchair[p0]), "unknown")}
    return {"stop": stop, "departures": out,
            "messages": snap.messages() if realtime and snap is not None else []}
