"""The ways of getting to, from and around transit, behind one interface over one request.

A :class:`PlanQuery` is one request, resolved: places, day context, profile, modes, time, the
mobility snapshot bound for it, and the walk searches it shares between modes. Each mode offers

* ``access(q)``: ways from the origin to stops (RAPTOR sources with offsets),
* ``egress(q)``: ways from stops to the destination (targets with offsets),
* ``direct(q)``: itineraries without transit,
* ``review(q, itineraries, park_and_ride)``: the itineraries it keeps after the search, and
  messages about what it could not offer.

Walking, bike share, car share and park & ride implement it (:func:`modes_for`); their travel
times come from :mod:`maas.planner.travel` with :data:`~maas.planner.settings.SETTINGS`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from maas.planner.places import Place
from maas.planner.profiles import Profile
from maas.planner.settings import SETTINGS


@dataclass
class PlanQuery:
    """One trip request, resolved (see the module doc)."""

    net: object
    origin: Place
    destination: Place
    day: dt.date
    t_req: int
    profile: Profile
    modes: list[str]
    arrive_by: bool = False
    strict: bool = False
    max_transfers: int = 6
    num_itineraries: int = 5
    lang: str = "en"
    ctx: object = None            # the network's DayContext for the day and profile
    mobility: object = None       # the BoundMobility snapshot of this request, or None
    direct_within_s: float | None = None   # set after transit: a slower direct option is not shown
    _walks: dict = field(default_factory=dict, repr=False)

    def walk(self, place: Place, reverse: bool):
        """The request's walk search from (``reverse``: toward) a place, shared by every mode;
        it reaches as far as the furthest walk a mode takes (to a shared car)."""
        key = (place.lat, place.lon, reverse)
        w = self._walks.get(key)
        if w is None:
            from maas.planner.travel import From, walk_mode
            w = self._walks[key] = From(self.net, walk_mode(self.profile), place.lat, place.lon,
                                        self.profile.max_access_m * SETTINGS.car_walk_factor, reverse=reverse)
        return w

    @property
    def shares_walks(self) -> bool:
        """Whether a mode beside walking will walk from the places too (one search serves all)."""
        return self.mobility is not None and bool({"BIKE_SHARE", "CAR_SHARE"} & set(self.modes))


class Mode:
    """The interface (see the module doc); a mode that has nothing to offer returns empties."""

    name = ""

    def access(self, q: PlanQuery) -> list:
        return []

    def egress(self, q: PlanQuery) -> list:
        return []

    def direct(self, q: PlanQuery) -> list:
        return []

    def review(self, q: PlanQuery, itineraries: list, park_and_ride: list) -> tuple[list, list, list[dict]]:
        return itineraries, park_and_ride, []


class WalkMode(Mode):
    """Walking to and from stops on the streets; from a stop, its footpaths; walking all the way."""

    name = "WALK"

    def _options(self, q: PlanQuery, place: Place, egress: bool) -> list:
        from maas.planner.access import walk_options
        if "WALK" not in q.modes and place.stop is None:
            return []
        return walk_options(q.net, place.lat, place.lon, q.profile, place.stops or place.stop, egress=egress,
                            walk=q.walk(place, egress) if q.shares_walks else None)

    def access(self, q: PlanQuery) -> list:
        return self._options(q, q.origin, False)

    def egress(self, q: PlanQuery) -> list:
        return self._options(q, q.destination, True)

    def direct(self, q: PlanQuery) -> list:
        from maas.planner.trip import direct_walk
        if "WALK" not in q.modes:
            return []
        it = direct_walk(q.net, q.origin, q.destination, q.profile, q.t_req, q.arrive_by, q.direct_within_s)
        return [it] if it is not None else []


class SharedMode(Mode):
    """A mode of the mobility snapshot whose access and egress options come from one function
    of :mod:`maas.planner.shared_modes` (``options``: its name), fed the request's walk."""

    options = ""

    def _options(self, q: PlanQuery, place: Place, egress: bool) -> list:
        from maas.planner import shared_modes
        m = q.mobility
        return getattr(shared_modes, self.options)(m.snap, m.near, q.net, place, q.profile, m.ok, egress,
                                                   q.walk(place, egress))

    def access(self, q: PlanQuery) -> list:
        return self._options(q, q.origin, False)

    def egress(self, q: PlanQuery) -> list:
        return self._options(q, q.destination, True)


class BikeShareMode(SharedMode):
    """Walk to a station with a bike, ride to one with a free dock, walk on."""

    name = "BIKE_SHARE"
    options = "bike_options"

    def direct(self, q: PlanQuery) -> list:
        from maas.planner.shared_modes import bike_direct
        m = q.mobility
        it = bike_direct(m.snap, m.near, q.net, q.origin, q.destination, q.profile, m.ok, q.t_req, q.arrive_by,
                         q.walk(q.origin, False), q.walk(q.destination, True))
        return [it] if it is not None else []

    def review(self, q: PlanQuery, itineraries: list, park_and_ride: list):
        from maas.planner.shared_modes import explain
        m = q.mobility
        return itineraries, park_and_ride, explain(m.snap, m.near, q.net, q.origin, q.destination, q.profile,
                                                   ["BIKE_SHARE"], m.ok, list(itineraries) + list(park_and_ride))


class CarShareMode(SharedMode):
    """Walk to a free shared car and drive (to a stop, or all the way); after transit, a car near
    the last stop driven to the destination."""

    name = "CAR_SHARE"
    options = "car_options"

    def direct(self, q: PlanQuery) -> list:
        from maas.planner.shared_modes import car_direct
        m = q.mobility
        it = car_direct(m.snap, m.near, q.net, q.origin, q.destination, q.profile, m.ok, q.t_req, q.arrive_by,
                        q.walk(q.origin, False))
        return [it] if it is not None else []

    def review(self, q: PlanQuery, itineraries: list, park_and_ride: list):
        from maas.planner.shared_modes import drop_slow_car_combos, explain
        m = q.mobility
        kept = drop_slow_car_combos(itineraries)
        return kept, park_and_ride, explain(m.snap, m.near, q.net, q.origin, q.destination, q.profile,
                                            ["CAR_SHARE"], m.ok, list(kept) + list(park_and_ride))


class ParkRideMode(Mode):
    """Drive your own car to a lot on the way, park, continue by transit (origin side only)."""

    name = "PARK_RIDE"

    def access(self, q: PlanQuery) -> list:
        from maas.planner.park_ride import pr_options
        m = q.mobility
        return pr_options(m.snap, m.near, q.net, q.origin, q.profile, q.day, q.t_req, q.destination, q.arrive_by)

    def review(self, q: PlanQuery, itineraries: list, park_and_ride: list):
        from maas.planner.park_ride import review
        m = q.mobility
        shown, msgs = review(m.snap, m.near, q.net, q.origin, q.profile, q.modes, q.day, q.t_req, q.arrive_by,
                             park_and_ride)
        return itineraries, shown, msgs


def modes_for(q: PlanQuery) -> list[Mode]:
    """The modes a request asks for (walking always, for the stop case and the direct walk;
    shared modes only with a mobility snapshot), in the order their reviews apply."""
    out: list[Mode] = [WalkMode()]
    if q.mobility is not None:
        if "CAR_SHARE" in q.modes:
            out.append(CarShareMode())
        if "PARK_RIDE" in q.modes:
            out.append(ParkRideMode())
        if "BIKE_SHARE" in q.modes:
            out.append(BikeShareMode())
    return out
