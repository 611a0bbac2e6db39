"""Assemble itineraries (the JSON shape of ``GET /v1/plan``) from access, rides and egress."""
from __future__ import annotations

from zoneinfo import ZoneInfo



from maas.planner.access import StreetLeg, stop_walk_leg
from maas.planner.clock import iso
from maas.planner.instructions import encode_polyline, instruction, note_text
from maas.streets import tags as T
from maas.planner.pricing import CO2_G_PER_KM, transit_fare
from maas.planner.realtime_legs import leg_fields as realtime_leg_fields
from maas.router.journeys import RideLeg

WHEELCHAIR_WORDS = {0: "unknown", 1: "accessible", 2: "not_accessible"}


class Itinerary:
    """One itinerary in service-day seconds. Its legs (JSON dicts), CO2 and price are built
    lazily by ``builder`` so that candidates dropped by the Pareto filter cost almost nothing."""

    def __init__(self, departure: int, arrival: int, transfers: int, walk_m: float, legs: list[dict] | None = None,
                 co2_g: float = 0.0, price: float = 0.0, currency: str = "RON", unknown_access_legs: int = 0,
                 kinds: frozenset = frozenset(), lot: dict | None = None, builder=None):
        self.departure = int(departure)
        self.arrival = int(arrival)
        self.transfers = int(transfers)
        self.walk_m = float(walk_m)
        self._legs = legs
        self._co2_g = co2_g
        self._price = price
        self.currency = currency
        self.unknown_access_legs = unknown_access_legs
        self.kinds = kinds
        self.lot = lot
        self._builder = builder
        self.signature: tuple = ()

    def _build(self) -> None:
        if self._legs is None and self._builder is not None:
            built = self._builder()
            self._legs, self._co2_g, self._price = built.legs, built.co2_g, built.price
            self._builder = None

    @property
    def legs(self) -> list[dict]:
        self._build()
        return self._legs or []

    @property
    def co2_g(self) -> float:
        self._build()
        return self._co2_g

    @property
    def price(self) -> float:
        self._build()
        return self._price

    def to_json(self, ref: int, tz: ZoneInfo, lang: str = "en") -> dict:
        return {
            "departure": iso(ref, self.departure, tz), "arrival": iso(ref, self.arrival, tz),
            "duration_s": int(self.arrival - self.departure), "transfers": int(self.transfers),
            "walk_distance_m": round(float(self.walk_m), 1), "co2_g": int(round(self.co2_g)),
            "price": {"amount": round(float(self.price), 2), "currency": self.currency},
            "legs": [_leg_out(l, ref, tz, lang) for l in self.legs],
        }


def _leg_out(leg: dict, ref: int, tz: ZoneInfo, lang: str) -> dict:
    """A leg as the API shows it: ISO times; for street legs, polyline, steps and notes in ``lang``."""
    out = dict(leg, departure=iso(ref, leg["departure"], tz), arrival=iso(ref, leg["arrival"], tz))
    if "polyline" not in out:
        out["polyline"] = encode_polyline(leg["geometry"])
    if "steps" in leg:
        out["steps"] = [dict(st, instruction=instruction(st, lang)) for st in leg["steps"]]
    notes = out.pop("_notes", None)
    if notes is not None:
        out["accessibility_notes"] = [dict(n, text=note_text(n, lang)) for n in notes]
    return out


def place_json(name: str, lat: float, lon: float, **extra) -> dict:
    d = {"name": name, "lat": round(float(lat), 6), "lon": round(float(lon), 6)}
    d.update({k: v for k, v in extra.items() if v is not None})
    return d


STEP_FREE_BAD = T.STEPS | T.KERB_RAISED | T.WHEELCHAIR_NO | T.STEEP
STREET_MODES_WITH_STEPS = ("WALK", "BIKE_SHARE")


def street_leg_json(leg: StreetLeg, start: int) -> dict:
    """A street leg: on the OSM streets when its path is known (geometry, steps, what a
    wheelchair user meets), else a straight line flagged ``street_model: crow_fly``."""
    d = {
        "mode": leg.mode, "departure": int(start), "arrival": int(start + leg.duration_s),
        "distance_m": round(float(leg.distance_m), 1),
        "from": place_json(leg.from_name, leg.from_lat, leg.from_lon, **leg.from_extra),
        "to": place_json(leg.to_name, leg.to_lat, leg.to_lon, **leg.to_extra),
    }
    path = leg.path()
    if path is None:
        d["geometry"] = [[round(leg.from_lat, 6), round(leg.from_lon, 6)], [round(leg.to_lat, 6), round(leg.to_lon, 6)]]
        d["street_model"] = "crow_fly"
        if leg.mode == "WALK":
            d["wheelchair"] = "unknown"
            d["_notes"] = [{"feature": "crow_fly"}]
        if leg.mode in STREET_MODES_WITH_STEPS:
            d["steps"] = []
        return d
    d["geometry"] = path.geometry
    d["polyline"] = path.polyline
    d["street_model"] = "osm"
    if leg.mode in STREET_MODES_WITH_STEPS and leg.router is not None:
        d["steps"] = leg.router.steps(path)
    if leg.mode == "WALK":
        notes = []
        f = path.flags
        for bit, feature in ((T.STEPS, "steps"), (T.KERB_RAISED, "raised_kerb"), (T.WHEELCHAIR_NO, "wheelchair_no"),
                             (T.STEEP, "steep")):
            if f & bit:
                notes.append({"feature": feature})
        bad = bool(f & STEP_FREE_BAD)
        if path.unknown_kerbs:
            notes.append({"feature": "kerb_unknown", "count": int(path.unknown_kerbs)})
        if path.rough_m > 0:
            notes.append({"feature": "rough", "distance_m": round(path.rough_m, 1)})
        if f & T.WHEELCHAIR_LIMITED:
            notes.append({"feature": "limited"})
        d["wheelchair"] = "not_accessible" if bad else ("unknown" if notes else "accessible")
        d["_notes"] = notes
    return d


def ride_leg_json(net, leg: RideLeg, slot_offset: int) -> tuple[dict, float, int]:
    """JSON for a ride, its distance in metres and its accessibility code (0/1/2)."""
    tt = net.tt
    route = net.trip_routes[leg.trip]
    base = net.route_stop_ptrs[route]
    tptr = net.trip_time_ptrs[leg.trip]
    dep = int(tt.dep_time[tptr + leg.board_pos]) + slot_offset
    arr = int(tt.arr_time[tptr + leg.alight_pos]) + slot_offset
    g = net.route_groutes[route]
    geometry = net.ride_geometry(route, leg.board_pos, leg.alight_pos)
    dist = float(tt.route_stop_dist[base + leg.alight_pos] - tt.route_stop_dist[base + leg.board_pos])
    b, a = leg.board_stop, leg.alight_stop
    codes = (net.trip_wheelchairs[leg.trip], net.stop_wheelchairs[b], net.stop_wheelchairs[a])
    wc = 2 if 2 in codes else (0 if 0 in codes else 1)
    names, lats, lons, ids = net.stop_names, net.stop_lats, net.stop_lons, net.stop_ids
    d = {
        "mode": net.groute_modes[g], "departure": dep, "arrival": arr, "distance_m": round(dist, 1),
        "from": place_json(names[b], lats[b], lons[b], stop_id=ids[b]),
        "to": place_json(names[a], lats[a], lons[a], stop_id=ids[a]),
        "route_short_name": net.groute_names[g],
        "route_id": net.groute_ids[g], "trip_id": net.trip_ids[leg.trip],
        "headsign": net.trip_headsigns[leg.trip], "wheelchair": WHEELCHAIR_WORDS[wc],
        "intermediate_stops": [ids[i] for i in tt.route_stops[base + leg.board_pos + 1: base + leg.alight_pos].tolist()],
        "geometry": geometry, "polyline": net.ride_polyline(route, leg.board_pos, leg.alight_pos),
    }
    d.update(realtime_leg_fields(net, leg, slot_offset, dep, arr))   # real-time: maas/planner/realtime_legs.py
    return d, dist, wc


def assemble(net, access, raw, egress, slot_offsets, fp_metres: dict, fp_dur: dict, start_time: int | None,
             arrive_by_deadline: int | None = None, profile=None) -> Itinerary:
    """Build an itinerary: access legs, rides and transfer walks, egress legs.

    Access legs end exactly when the first ride leaves (no waiting at the origin is shown;
    the traveller leaves later), unless ``start_time`` pins the departure.
    """
    legs: list[dict] = []
    rides = [l for l in raw.legs if isinstance(l, RideLeg)]
    first = rides[0]
    tt = net.tt
    first_dep = int(tt.dep_time[int(tt.trip_time_ptr[first.trip]) + first.board_pos]) + int(slot_offsets[first.slot])
    t = first_dep - access.duration_s
    walk_m = 0.0
    co2 = 0.0
    price = 0.0
    unknown = 0
    kinds = {"TRANSIT"}
    for sl in access.legs:
        legs.append(street_leg_json(sl, t))
        t += sl.duration_s
        walk_m += sl.distance_m if sl.mode == "WALK" else 0.0
        co2 += CO2_G_PER_KM.get(sl.mode, 0.0) * sl.distance_m / 1000
        price += sl.price
        kinds.add(sl.mode if sl.mode != "CAR" else "PARK_RIDE")
    ride_modes = []
    for leg in raw.legs:
        if isinstance(leg, RideLeg):
            d, dist, wc = ride_leg_json(net, leg, int(slot_offsets[leg.slot]))
            legs.append(d)
            t = d["arrival"]
            co2 += CO2_G_PER_KM.get(d["mode"], 60.0) * dist / 1000
            ride_modes.append(d["mode"])
            unknown += wc == 0
        else:
            key = (leg.from_stop, leg.to_stop)
            m, secs = fp_metres[key], fp_dur[key]
            f, g2 = leg.from_stop, leg.to_stop
            legs.append(street_leg_json(stop_walk_leg(net, profile, f, g2, m, secs), t))
            t += secs
            walk_m += m
    for sl in egress.legs:
        legs.append(street_leg_json(sl, t))
        t += sl.duration_s
        walk_m += sl.distance_m if sl.mode == "WALK" else 0.0
        co2 += CO2_G_PER_KM.get(sl.mode, 0.0) * sl.distance_m / 1000
        price += sl.price
        kinds.add(sl.mode)
    price += transit_fare(ride_modes)
    departure = legs[0]["departure"] if legs else first_dep
    return Itinerary(departure=departure, arrival=t, transfers=len(rides) - 1, walk_m=walk_m, legs=legs,
                     co2_g=co2, price=price, unknown_access_legs=unknown, kinds=frozenset(kinds))


def street_itinerary(legs: list[StreetLeg], start: int) -> Itinerary:
    """An itinerary made only of street legs (direct walk, bike or car)."""
    out, t, walk, co2, price, kinds = [], start, 0.0, 0.0, 0.0, set()
    for sl in legs:
        out.append(street_leg_json(sl, t))
        t += sl.duration_s + sl.wait_after_s
        walk += sl.distance_m if sl.mode == "WALK" else 0.0
        co2 += CO2_G_PER_KM.get(sl.mode, 0.0) * sl.distance_m / 1000
        price += sl.price
        kinds.add(sl.mode)
    return Itinerary(departure=start, arrival=t, transfers=0, walk_m=walk, legs=out, co2_g=co2, price=price,
                     kinds=frozenset(kinds))


def pareto_filter(items: list[Itinerary]) -> list[Itinerary]:
    """Drop itineraries that another beats or ties on every criterion (OTP's dominance filter).

    Criteria: later departure is better, earlier arrival, fewer transfers, less walking,
    fewer legs of unknown accessibility, and no costly car-share rental (a cost proxy that needs
    no assembly: a faster car-share itinerary does not hide a transit one).
    """
    def key(i: Itinerary):
        return (-i.departure, i.arrival, i.transfers, round(i.walk_m), i.unknown_access_legs,
                "CAR_SHARE" in i.kinds)

    keep: list[Itinerary] = []
    for i in sorted(items, key=key):
        ki = key(i)
        if any(all(a <= b for a, b in zip(key(j), ki)) for j in keep):
            continue
        keep.append(i)
    return sorted(keep, key=lambda i: (i.arrival, -i.departure, i.transfers, i.walk_m))
