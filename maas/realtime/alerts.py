"""ServiceAlerts: which alerts apply to a ride (its route, trip, stops) at a time, and their JSON."""
from __future__ import annotations

from maas.feeds.gtfs_rt import Alert


def pick_text(texts: dict, lang: str = "en") -> str | None:
    """The translation in ``lang``, else the untagged one, else English, else any."""
    if not texts:
        return None
    for key in (lang, "", "en"):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()))


def alert_json(a: Alert, lang: str = "en") -> dict:
    """The contract's alert object."""
    return {"id": a.id, "header": pick_text(a.header, lang), "description": pick_text(a.description, lang),
            "effect": a.effect, "cause": a.cause, "url": pick_text(a.url, lang)}


def active_at(a: Alert, epoch: float) -> bool:
    if not a.active_periods:
        return True
    return any((s is None or s <= epoch) and (e is None or epoch <= e) for s, e in a.active_periods)


class AlertIndex:
    """Alerts keyed by what they name, for cheap per-leg lookups."""

    def __init__(self, alerts: list[Alert], agency_ids: set[str] | None = None):
        self.alerts = list(alerts)
        self.by_route: dict[str, list[Alert]] = {}
        self.by_trip: dict[str, list[Alert]] = {}
        self.by_stop: dict[str, list[Alert]] = {}
        self.general: list[Alert] = []
        for a in self.alerts:
            for e in a.entities:
                if e.trip_id:
                    self.by_trip.setdefault(e.trip_id, []).append(a)
                elif e.stop_id:
                    self.by_stop.setdefault(e.stop_id, []).append(a)
                elif e.route_id:
                    self.by_route.setdefault(e.route_id, []).append(a)
                elif e.agency_id or e.route_type is not None:
                    self.general.append(a)

    def for_ride(self, route_id: str, trip_id: str, stop_ids: list[str], route_type: int | None,
                 epoch: float) -> list[Alert]:
        """Alerts whose informed entity matches the ride in every field it gives, active at ``epoch``."""
        out: list[Alert] = []
        seen: set[str] = set()
        stops = set(stop_ids)
        pools = (self.by_trip.get(trip_id, ()), self.by_route.get(route_id, ()),
                 [a for s in stop_ids for a in self.by_stop.get(s, ())], self.general)
        for pool in pools:
            for a in pool:
                if a.id in seen or not active_at(a, epoch):
                    continue
                for e in a.entities:
                    if ((e.trip_id is None or e.trip_id == trip_id) and (e.route_id is None or e.route_id == route_id)
                            and (e.stop_id is None or e.stop_id in stops)
                            and (e.route_type is None or e.route_type == route_type)):
                        seen.add(a.id)
                        out.append(a)
                        break
        return out
