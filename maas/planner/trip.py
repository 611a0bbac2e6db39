"""One trip request end to end: places and access/egress -> RAPTOR -> itineraries and messages."""
from __future__ import annotations

import numpy as np

from maas.errors import BadRequest
from maas.planner.access import AccessOption, StreetLeg, walk_options
from maas.planner.clock import local_seconds
from maas.planner.instructions import LANGS
from maas.planner.messages import message
from maas.planner.modes import PlanQuery, modes_for
from maas.planner.itinerary import Itinerary, assemble, pareto_filter, street_itinerary
from maas.planner.profiles import get_profile
from maas.planner.shared_modes import search_groups
from maas.router.journeys import RideLeg, TransferLeg, reconstruct
from maas.router.distance import haversine
from maas.router.raptor import pareto_at_targets
from maas.router.reverse import NEG

MODES = ("WALK", "TRANSIT", "BIKE_SHARE", "CAR_SHARE", "PARK_RIDE")
SEARCH_HORIZON_S = 10 * 3600   # departures up to 10 h after the requested time (overnight gaps included)
MAX_TRANSFERS_LIMIT = 10


def parse_modes(modes) -> list[str]:
    """Validate a list (or comma-separated string) of modes."""
    if isinstance(modes, str):
        modes = [m for m in modes.split(",")]
    out = []
    for m in modes:
        m = str(m).strip().upper()
        if m not in MODES:
            raise BadRequest(f"modes: unknown mode {m!r}; expected a subset of {', '.join(MODES)}", field="modes")
        if m not in out:
            out.append(m)
    if not out:
        raise BadRequest("modes: at least one mode is required", field="modes")
    return out


def plan_trip(net, origin: str, destination: str, date: str, time: str, profile: str, modes,
              max_transfers: int, arrive_by: bool, num_itineraries: int, strict: bool, lang: str = "en") -> dict:
    """Plan a trip and return ``{"itineraries", "park_and_ride", "messages"}`` (see the HTTP contract)."""
    if lang not in LANGS:
        raise BadRequest(f"lang: unknown language {lang!r}; expected one of {', '.join(LANGS)}", field="lang")
    prof = get_profile(profile)
    modes = parse_modes(modes)
    if not isinstance(max_transfers, (int, np.integer)) or not 0 <= int(max_transfers) <= MAX_TRANSFERS_LIMIT:
        raise BadRequest(f"maxTransfers: must be an integer between 0 and {MAX_TRANSFERS_LIMIT}", field="maxTransfers")
    if not isinstance(num_itineraries, (int, np.integer)) or not 1 <= int(num_itineraries) <= 20:
        raise BadRequest("numItineraries: must be an integer between 1 and 20", field="numItineraries")
    day = net.parse_date(date)
    t_req = local_seconds(day, net.parse_time(time), net.tz)
    o = net.resolve(origin, "from")
    d = net.resolve(destination, "to")
    ctx = net.day_context(day, prof, strict)
    messages: list[dict] = []
    mobility = getattr(net, "mobility", None)
    if mobility is not None:
        messages.extend(mobility.messages())
        mobility = mobility.bind(net)   # every hook below sees the same snapshot

    q = PlanQuery(net, o, d, day, t_req, prof, modes, arrive_by, strict, int(max_transfers), int(num_itineraries),
                  lang, ctx, mobility)
    active = modes_for(q)
    transit = "TRANSIT" in modes
    access: list[AccessOption] = []
    egress: list[AccessOption] = []
    if transit:
        for m in active:
            access += m.access(q)
            egress += m.egress(q)

    itineraries: list[Itinerary] = []
    pr_itins: list[Itinerary] = []
    if transit and access and egress:
        tables: dict[int, tuple] = {}    # groups share egress lists: one egress table per list
        # one search per group: walk+bike share, each shared-car end, each P+R lot (shared_modes.search_groups)
        for acc, egr, n_group in search_groups(access, egress, int(num_itineraries), itineraries):
            table = tables.get(id(egr))
            if table is None:
                table = tables[id(egr)] = _egress_table(egr)
            found = (_arrive_by if arrive_by else _depart_at)(net, ctx, prof, acc, egr, t_req,
                                                              int(max_transfers) + 1, n_group, table)
            for it in found:
                (pr_itins if "PARK_RIDE" in it.kinds else itineraries).append(it)

    if itineraries:   # a direct option slower than this is never shown: modes may skip searching it
        q.direct_within_s = competitive_s(min(i.arrival - i.departure for i in itineraries))
    direct: list[Itinerary] = []
    for m in active:
        direct += m.direct(q)
    itineraries = _select(itineraries, direct, int(num_itineraries), arrive_by)
    # each mode keeps what it wants (car-share combos that save time, one P+R per open lot) and
    # says what it could not offer; messages in a fixed order: P+R, bike share, car share
    said: dict[str, list] = {}
    for m in active:
        itineraries, pr_itins, more = m.review(q, itineraries, pr_itins)
        said[m.name] = more
    for name in ("PARK_RIDE", "BIKE_SHARE", "CAR_SHARE", "WALK"):
        messages.extend(said.get(name, []))

    if not itineraries and not pr_itins:
        messages.extend(_explain(net, ctx, prof, o, d, modes, access, egress, transit, strict, day, t_req))
    out_pr = []
    for it in pr_itins:   # already sorted and capped by the mobility review
        out_pr.append({"lot": it.lot, "itinerary": it.to_json(ctx.ref, net.tz, lang)})
    return {"from": o.describe(net.stop_ids), "to": d.describe(net.stop_ids),   # what the places resolved to
            "itineraries": [i.to_json(ctx.ref, net.tz, lang) for i in itineraries],
            "park_and_ride": out_pr, "messages": messages}


def competitive_s(best_transit_s: float) -> float:
    """The longest direct option (walk, ride, drive all the way) shown beside transit whose best
    itinerary takes ``best_transit_s``: not much slower than it."""
    return max(1.5 * best_transit_s, best_transit_s + 600)


def _select(transit: list[Itinerary], direct: list[Itinerary], n: int, arrive_by: bool) -> list[Itinerary]:
    """Keep the non-dominated itineraries; direct options only when competitive with transit."""
    if transit:
        within = competitive_s(min(i.arrival - i.departure for i in transit))
        direct = [i for i in direct if i.arrival - i.departure <= within]
    items = pareto_filter(transit + direct)
    items = sorted(items, key=lambda i: (i.arrival if not arrive_by else -i.departure, i.transfers, i.walk_m))
    return sorted(items[:n], key=lambda i: (i.arrival, -i.departure))


def _egress_table(egress: list[AccessOption]):
    """Best egress option per stop, as (stops array, offsets array, options list)."""
    best: dict[int, AccessOption] = {}
    for e in egress:
        cur = best.get(e.stop)
        if cur is None or e.duration_s < cur.duration_s:
            best[e.stop] = e
    opts = list(best.values())
    return (np.array([e.stop for e in opts], np.int64), np.array([e.duration_s for e in opts], np.int64), opts)


def _candidates(state, table, max_trips):
    """Pareto-optimal (arrival, trips) journeys at the targets, as (arrival, k, stop, egress option)."""
    stops, offs, opts = table
    arr, ks, idx = pareto_at_targets(state.trip_arr, stops, offs, int(max_trips))
    return [(v, k, int(stops[j]), opts[j]) for v, k, j in zip(arr.tolist(), ks.tolist(), idx.tolist())]


def _journey_to_itinerary(net, ctx, prof, state, access, cand) -> Itinerary:
    """A lazily assembled itinerary: times, transfers and walking are read off the raw journey."""
    arrival, k, stop, eg = cand
    tt = net.tt
    raw = reconstruct(state, tt.route_stop_ptr, tt.route_stops, tt.trip_route, stop, k)
    pa = net.profile_arrays(prof)
    acc = access[raw.source]
    rides = [l for l in raw.legs if isinstance(l, RideLeg)]
    first = rides[0]
    first_dep = int(tt.dep_time[int(tt.trip_time_ptr[first.trip]) + first.board_pos]) + int(ctx.slot_offsets[first.slot])
    walk = acc.walk_m + eg.walk_m + sum(pa["fp_metres"][(l.from_stop, l.to_stop)] for l in raw.legs
                                        if isinstance(l, TransferLeg))
    unknown = 0
    for r in rides:
        codes = (int(tt.trip_wheelchair[r.trip]), int(tt.stop_wheelchair[r.board_stop]), int(tt.stop_wheelchair[r.alight_stop]))
        unknown += 2 not in codes and 0 in codes
    kinds = frozenset({"TRANSIT", acc.kind, eg.kind})
    it = Itinerary(first_dep - acc.duration_s, arrival, len(rides) - 1, walk, unknown_access_legs=unknown, kinds=kinds,
                   lot=getattr(acc, "lot", None) if acc.kind == "PARK_RIDE" else None,
                   builder=lambda: assemble(net, acc, raw, eg, ctx.slot_offsets, pa["fp_metres"], pa["fp_secs"], None,
                                            profile=prof))
    it.signature = (raw.source, stop) + tuple((r.trip, r.slot) for r in rides)
    return it


def _search(net, ctx, prof, access, egress, t_dep, max_trips, table=None):
    table = table or _egress_table(egress)
    src_stops = np.array([a.stop for a in access], np.int32)
    src_times = np.array([a.duration_s for a in access], np.int32) + np.int32(t_dep)
    state = net.run_raptor(ctx, prof, src_stops, src_times, table[0], table[1], max_trips, t_dep + SEARCH_HORIZON_S)
    return state, _candidates(state, table, max_trips)


MAX_SEARCHES = 2   # the Pareto set at the requested time, then one search for the next departure


def _depart_at(net, ctx, prof, access, egress, t_req, max_trips, n, table=None) -> list[Itinerary]:
    """Pareto journeys (arrival, transfers) leaving at or after ``t_req``; when fewer than ``n``,
    one more search just after the latest of their departures adds the next departure."""
    found: list[Itinerary] = []
    seen: set = set()
    t_dep = t_req
    table = table or _egress_table(egress)
    for _ in range(MAX_SEARCHES):
        state, cands = _search(net, ctx, prof, access, egress, t_dep, max_trips, table)
        new = []
        for c in cands:
            it = _journey_to_itinerary(net, ctx, prof, state, access, c)
            if it.signature not in seen:
                seen.add(it.signature)
                new.append(it)
        found += new
        if not new or len(found) >= n:
            break
        t_dep = max(it.departure for it in new) + 60
        # the next departure is an alternative, not a proof of optimality: it may use one trip
        # more than the journeys found, and the search stays cheap
        max_trips = min(max_trips, max(it.transfers for it in new) + 2)
    return found


def _arrive_by(net, ctx, prof, access, egress, t_req, max_trips, n, table=None) -> list[Itinerary]:
    """Latest departures arriving by ``t_req`` (reverse RAPTOR), each turned into an itinerary
    by a forward search from that departure, as OpenTripPlanner does."""
    tgt_stops = [e.stop for e in egress]
    tgt_times = [t_req - e.duration_s for e in egress]
    best, _ = net.run_reverse(ctx, prof, tgt_stops, tgt_times, [a.stop for a in access],
                              [a.duration_s for a in access], max_trips, t_req - SEARCH_HORIZON_S)
    found: list[Itinerary] = []
    prev = NEG
    table = table or _egress_table(egress)
    for k in range(1, max_trips + 1):
        ld = int(best[k])
        if ld <= prev or ld <= NEG:
            continue
        prev = ld
        state, cands = _search(net, ctx, prof, access, egress, ld, k, table)
        for c in cands:
            if c[0] <= t_req:
                found.append(_journey_to_itinerary(net, ctx, prof, state, access, c))
                break
    return found


def earliest_arrival(net, origin: str, destination: str, date, time: str, profile: str = "default",
                     max_transfers: int = 6) -> int | None:
    """Earliest arrival by transit and walking (seconds after the service day's reference), or None."""
    prof = get_profile(profile)
    day = net.parse_date(date)
    t0 = local_seconds(day, net.parse_time(time), net.tz)
    return _earliest(net, net.resolve(origin, "from"), net.resolve(destination, "to"), day, t0, prof, max_transfers)


def _earliest(net, o, d, day, t0: int, prof, max_transfers: int) -> int | None:
    """:func:`earliest_arrival` for resolved places and a time in service-day seconds."""
    access = walk_options(net, o.lat, o.lon, prof, o.stops or o.stop, egress=False)
    egress = walk_options(net, d.lat, d.lon, prof, d.stops or d.stop, egress=True)
    if not access or not egress:
        return None
    _, cands = _search(net, net.day_context(day, prof), prof, access, egress, t0, int(max_transfers) + 1)
    return cands[-1][0] if cands else None  # candidates improve strictly: the last arrives first


def direct_walk(net, o, d, prof, t_req, arrive_by, within_s: float | None = None) -> Itinerary | None:
    """Walking all the way: on the streets when both places are on them (None when the
    streets give no walk within the profile's limit), else crow-fly x detour. ``within_s``:
    None when even a straight walk would take longer (it would not be shown)."""
    detour = net.tt.meta["options"]["detour_factor"]
    crow = float(haversine(o.lat, o.lon, d.lat, d.lon))
    if crow > prof.max_direct_walk_m or (within_s is not None and crow / prof.walk_speed > within_s):
        return None
    path = None
    router = net.streets
    if router is not None:
        stops = (o.stop, d.stop) if o.stop is not None and d.stop is not None else None
        lk = (router.stop_links(prof.name, np.array([d.stop])) if d.stop is not None
              else router.link(prof.name, [d.lat], [d.lon], router.s.link_radius_place_m))
        r = (router.reach(prof.name, o.lat, o.lon, prof.max_direct_walk_m, stop_at=lk,
                          radius_m=router.s.link_radius_stop_m if o.stop is not None else None)
             if lk.seg[0] >= 0 else None)
        if r is not None:
            if lk.seg[0] >= 0:
                path = r.path(lk, 0, (d.lat, d.lon))
                if path is None:
                    return None   # both ends on the streets, but no walk within the limit
    if path is not None:
        metres, secs = path.distance_m, int(np.ceil(path.duration_s - 1e-9))
    else:
        metres = crow * detour
        if metres > prof.max_direct_walk_m:
            return None
        secs = int(np.ceil(metres / prof.walk_speed))
    leg = StreetLeg("WALK", secs, metres, o.lat, o.lon, d.lat, d.lon, o.name, d.name,
                    {"stop_id": str(net.tt.stop_id[o.stop])} if o.stop is not None else {},
                    {"stop_id": str(net.tt.stop_id[d.stop])} if d.stop is not None else {},
                    path_fn=(lambda: path) if path is not None else None, router=router)
    start = t_req - secs if arrive_by else t_req
    return street_itinerary([leg], start)


def _explain(net, ctx, prof, o, d, modes, access, egress, transit, strict, day, t_req) -> list[dict]:
    """Why no itinerary was found, in the order a traveller would want to know it."""
    msgs = []
    if transit and not ctx.any_service:
        msgs.append(message("NO_SERVICE_ON_DATE", f"No public transport runs on {day.isoformat()}."))
        return msgs
    if transit and not access:
        km = net.nearest_stop_m(o.lat, o.lon) / 1000
        msgs.append(message("ORIGIN_TOO_FAR", f"The origin is {km:.1f} km from the nearest stop, beyond the "
                                              f"{prof.max_access_m:.0f} m the {prof.name} profile walks."))
    if transit and not egress:
        km = net.nearest_stop_m(d.lat, d.lon) / 1000
        msgs.append(message("DESTINATION_TOO_FAR", f"The destination is {km:.1f} km from the nearest stop, beyond the "
                                                   f"{prof.max_access_m:.0f} m the {prof.name} profile walks."))
    if msgs:
        return msgs
    if transit and prof.step_free:
        if _earliest(net, o, d, day, t_req, get_profile("default"), 6) is not None:
            msgs.append(message("NO_ACCESSIBLE_CONNECTION",
                                "There is a connection, but none that is step-free"
                                + (" with confirmed accessibility (strict)." if strict else ".")))
            return msgs
    if not transit:
        msgs.append(message("NO_DIRECT_OPTION", "No itinerary with the requested modes alone; add TRANSIT."))
    else:
        msgs.append(message("NO_CONNECTION", "No connection found within "
                                             f"{SEARCH_HORIZON_S // 3600} hours of the requested time."))
    return msgs
