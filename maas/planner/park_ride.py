"""Park & ride: drive from the origin to a lot, park, walk to a stop, continue by transit.

Offered for trips that start outside the centre (farther than ``centre_radius_m`` from the median
of the network's stops). A lot qualifies when it is open on arrival, does not report zero free
spaces (unknown spaces are allowed and said in a message), has wheelchair spaces for step-free
profiles (unless unknown), and has stops within the profile's walking limit. The car leg (mode
``CAR``, ``lot_id`` in ``to``) is one car search on the streets from the origin (one-way streets,
speed limits; crow-fly x 1.35 at 8.3 m/s without streets) plus 180 s to park; the walk from the
lot to the platform follows the streets. Each of the ``max_pr_lots`` best-ranked qualifying lots
gets its own RAPTOR search (``shared_modes.search_groups``) and the response lists the best
itinerary per lot, competitive ones only, at most three.

Lots are ranked by how well they lie on the way: the drive to the lot plus the crow-fly distance
from the lot to the destination at ``PR_RANK_SPEED`` (a rough door-to-door transit speed). A lot
behind the origin ranks low even when it is near, so the searches go to the lots a driver heading
for the destination would use. One search per lot, rather than one from all lots, because a
multi-source search keeps the lot that reaches a stop first, not the one that lets the driver
leave latest (measured: slower P+R shown in 8 % of requests).
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from maas.planner.access import AccessOption, StreetLeg
from maas.planner.clock import service_day_ref
from maas.planner.messages import message
from maas.planner.settings import SETTINGS as S
from maas.planner.shared_modes import (LazyOption, NearIndex, ceil_s, hav, place_end, end_of, rows, walk_leg,
                                       street_path_fn)
from maas.planner.travel import From, car_mode

CENTRE_RADIUS_M = S.centre_radius_m
PARK_LOT_S = S.park_lot_s
MIN_PR_DRIVE_M = S.min_pr_drive_m
MAX_PR_DRIVE_M = S.max_pr_drive_m
MAX_PR_LOTS = S.max_pr_lots
PR_RANK_SPEED = S.pr_rank_speed    # m/s: ranks lots by drive + crow-fly lot -> destination at this speed
MAX_SHOWN = S.max_pr_shown
ARRIVE_BY_GUESS_S = S.arrive_by_guess_s   # arrive-by: a lot must be open about this long before the deadline


def drives_to_lots(snap, net, place, near: NearIndex | None = None) -> tuple:
    """(metres, seconds, the search) of driving from a place to each lot of the snapshot; one
    car search, ended once every lot is reached."""
    cache = near.drive_cache if near is not None else {}
    key = (place.lat, place.lon)
    hit = cache.get(key)
    if hit is None:
        m = np.full(len(snap.lots), np.inf)
        t = np.full(len(snap.lots), np.inf)
        paths = [None] * len(snap.lots)
        if near is not None:   # the lots' own searches toward them (NearIndex): price the place
            lk = net.streets.link("car", [place.lat], [place.lon], S.link_radius_place_m) if net.streets else None
            for li, f in enumerate(near.lot_drives):
                mm, tt, _ = f.to([place.lat], [place.lon], lk)
                m[li], t[li] = mm[0], tt[0]
                if lk is not None and f.on_streets:
                    paths[li] = f.path_fn(place.lat, place.lon, lk, 0)
        else:
            f = From(net, car_mode(), place.lat, place.lon, MAX_PR_DRIVE_M)
            m, t, _ = f.to(snap.lot_lat, snap.lot_lon)
        if len(cache) > 256:
            cache.clear()
        hit = cache[key] = (m, t, paths)
    return hit


def _local(ref: int, t: int, tz) -> dt.datetime:
    return dt.datetime.fromtimestamp(ref + int(t), tz)


def pr_legs(net, prof, start: tuple, lot, drive: tuple, end, walk: tuple, drive_path=None) -> list[StreetLeg]:
    end = end_of(net, end)
    lot_end = (lot.lat, lot.lon, lot.name, {"lot_id": lot.id})
    car = StreetLeg("CAR", int(drive[1]), float(drive[0]), start[0], start[1], lot.lat, lot.lon, start[2], lot.name,
                    dict(start[3]), {"lot_id": lot.id},
                    path_fn=drive_path or street_path_fn(net, "car", start, lot_end, float(drive[0]), S.car_speed),
                    router=net.streets)
    return [car, walk_leg(net, prof, lot_end, end, *walk)]


def outside_centre(near: NearIndex, place) -> bool:
    return near.centre_m(place.lat, place.lon) > CENTRE_RADIUS_M


def pr_options(snap, near: NearIndex, net, place, prof, day, t_req: int, toward=None,
               arrive_by: bool = False) -> list[AccessOption]:
    """P+R access options for the ``MAX_PR_LOTS`` best-ranked qualifying lots (see the module
    doc). ``toward`` is the destination (ranking by distance alone without it); a lot must be
    open when the car gets there (for arrive-by, ``ARRIVE_BY_GUESS_S`` before the deadline)."""
    if not snap.lots or not outside_centre(near, place):
        return []
    lim = prof.max_access_m
    drive_m, drive_t, drive_paths = drives_to_lots(snap, net, place, near)
    drive_s = np.where(np.isfinite(drive_t), ceil_s(np.where(np.isfinite(drive_t), drive_t, 0)) + PARK_LOT_S,
                       np.iinfo(np.int64).max // 4)
    rank = drive_s.astype(np.float64)
    if toward is not None:
        rank = rank + hav(toward.lat, toward.lon, snap.lot_lat, snap.lot_lon) / PR_RANK_SPEED
    ref = service_day_ref(day, net.tz)
    pe = place_end(net, place)
    out: list[AccessOption] = []
    n_lots = 0
    for li in np.argsort(rank, kind="stable").tolist():
        if not (MIN_PR_DRIVE_M <= drive_m[li] <= MAX_PR_DRIVE_M and np.isfinite(drive_t[li])):
            continue
        lot = snap.lots[li]
        if lot.has_space() is False or (prof.step_free and lot.wheelchair_spaces == 0):
            continue
        t_open = t_req - ARRIVE_BY_GUESS_S if arrive_by else t_req + int(drive_s[li]) - PARK_LOT_S
        if not lot.is_open(_local(ref, t_open, net.tz)):
            continue
        _, stops, metres, secs = rows(near.walks("lot", prof.name), [li])
        sel = metres <= lim
        if not sel.any():
            continue
        drive = (float(drive_m[li]), int(drive_s[li]))
        for q, m, t in zip(stops[sel].tolist(), metres[sel].tolist(), secs[sel].tolist()):
            s = int(np.ceil(t - 1e-9))
            args = (net, prof, pe, lot, drive, q, (m, s), drive_paths[li])
            out.append(LazyOption(q, drive[1] + s, "PARK_RIDE", m, pr_legs, args, lot=snap.lot_json[li]))
        n_lots += 1
        if n_lots >= MAX_PR_LOTS:
            break
    return out


def review(snap, near: NearIndex, net, o, prof, modes, day, t_req: int, arrive_by: bool, pr_itins: list):
    """The P+R itineraries to show and messages about P+R (see the module doc)."""
    msgs: list[dict] = []
    if "TRANSIT" not in modes:
        msgs.append(message("PARK_RIDE_NEEDS_TRANSIT",
                            "Park & ride continues by public transport: add TRANSIT to the modes."))
        return [], msgs
    if not outside_centre(near, o):
        return [], msgs
    by_id = {x.id: (i, x) for i, x in enumerate(snap.lots)}
    ref = service_day_ref(day, net.tz)
    best: dict[str, object] = {}
    for it in pr_itins:
        lid = (it.lot or {}).get("id")
        if lid not in by_id:
            continue
        li, lot = by_id[lid]
        drive_s = int(ceil_s(drives_to_lots(snap, net, o, near)[1][li]))
        if not lot.is_open(_local(ref, it.departure + drive_s, net.tz)):
            continue
        key = (-it.departure, it.arrival) if arrive_by else (it.arrival, -it.departure)
        cur = best.get(lid)
        if cur is None or key < ((-cur.departure, cur.arrival) if arrive_by else (cur.arrival, -cur.departure)):
            best[lid] = it
    shown = list(best.values())
    if shown:
        fastest = min(i.arrival - i.departure for i in shown)
        shown = [i for i in shown if i.arrival - i.departure <= max(1.5 * fastest, fastest + 900)]
        shown = sorted(shown, key=lambda i: (i.arrival, -i.departure))[:MAX_SHOWN]
        for it in shown:
            lot = by_id[it.lot["id"]][1]
            if lot.spaces_available is None:
                msgs.append(message("PARKING_SPACES_UNKNOWN", f"Free spaces at {lot.name} are not known: it may be full."))
        return shown, msgs
    if not snap.lots:
        text = "No park & ride lots are known."
    else:
        d = drives_to_lots(snap, net, o, near)[0]
        reach = [x for x, m in zip(snap.lots, d.tolist()) if MIN_PR_DRIVE_M <= m <= MAX_PR_DRIVE_M]
        full = sum(x.has_space() is False for x in reach)
        text = (f"No park & ride option: of {len(reach)} lot(s) within reach, {full} are full; the others are "
                "closed at that time, lack stops within walking distance or give no connection.")
    msgs.append(message("NO_PARKING_AVAILABLE", text))
    return [], msgs
