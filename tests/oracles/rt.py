"""Generated GTFS-RT TripUpdates with their ground truth, and a CSA oracle that applies the truth.

Nothing of :mod:`maas.realtime` is used. :func:`random_updates` draws, for trips of the raw
GTFS (read by :class:`oracles.csa.CsaOracle`), the *intended* real-time stop times of each
updated trip day (delays changing at random stops, possibly negative, large enough to make
trips overtake; skipped stops; trip-level delays; cancellations; added trips on existing and
new stop patterns; trips of the previous service day) and encodes them into a protobuf
FeedMessage the way a producer would: an update only where the delay differs from the one
carried from the previous update (consumers propagate it), as ``delay`` or absolute ``time``,
by ``stop_sequence`` or ``stop_id``, arrival or departure alone when they agree. Unknown trips
and stops are sprinkled in and must be ignored.

:class:`RtCsa` is the Connection Scan oracle of :mod:`oracles.csa` over the static stop times with
that truth applied to the raw rows: replaced and cancelled trip days removed, updated and added
ones inserted, each on its own service day.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np

from oracles.csa import DAY, CsaOracle


@dataclass
class Truth:
    """The intended real-time state: per (trip_id, date) rows (stop_id, arr, dep, pick, drop)."""

    updated: dict = field(default_factory=dict)      # (trip_id, date) -> list of rows
    cancelled: set = field(default_factory=set)      # (trip_id, date)
    added: dict = field(default_factory=dict)        # (trip_id, date) -> rows
    unknown_trips: int = 0
    unknown_stops: int = 0


def day_ref(day: dt.date, tz) -> int:
    return int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).timestamp()) - 43200


def _stop_seq(csa: CsaOracle, trip_id: str) -> list[int]:
    i = csa.trip_index[trip_id]
    return csa.st_seq[csa.trip_ptr[i]:csa.trip_ptr[i + 1]].tolist()


def random_updates(csa: CsaOracle, day: dt.date, tz, seed: int, n_updates: int = 12, routes: dict | None = None,
                   p_cancel: float = 0.15, p_added: float = 0.15):
    """(FeedMessage bytes, Truth) for trips running on ``day`` or the day before.

    ``routes``: route_id -> list of trip_ids (for added trips on a route); from trips.txt.
    """
    from google.transit import gtfs_realtime_pb2 as pb
    rng = random.Random(seed)
    truth = Truth()
    msg = pb.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = day_ref(day, tz) + 8 * 3600
    cands = []
    for d in (day - dt.timedelta(days=1), day):
        svc = csa.services_on(d)
        cands += [(t, d) for t, s in zip(csa.trip_ids, csa.trip_service) if s in svc]
    rng.shuffle(cands)
    used = set()
    for trip_id, d in cands[:n_updates]:
        if (trip_id, d) in used:
            continue
        used.add((trip_id, d))
        rows = csa.trip_stop_times(trip_id)
        seqs = _stop_seq(csa, trip_id)
        ref = day_ref(d, tz)
        e = msg.entity.add(id=f"{trip_id}-{d:%Y%m%d}")
        tu = e.trip_update
        tu.trip.trip_id = trip_id
        tu.trip.start_date = d.strftime("%Y%m%d")
        r = rng.random()
        if r < p_cancel:
            tu.trip.schedule_relationship = pb.TripDescriptor.CANCELED
            truth.cancelled.add((trip_id, d))
            continue
        if r < p_cancel + 0.1:                          # trip-level delay only
            dl = rng.randint(-120, 900)
            tu.delay = dl
            truth.updated[(trip_id, d)] = [(s, a + dl, b + dl, p, q) for s, a, b, p, q in rows]
            continue
        n = len(rows)
        changes = sorted(rng.sample(range(n), k=min(n, rng.randint(1, 3))))
        delays = {c: rng.choice([rng.randint(-120, 120), rng.randint(0, 1500), rng.randint(300, 2400)])
                  for c in changes}
        skip = set(rng.sample(range(n), k=rng.randint(0, min(2, n)))) if rng.random() < 0.4 else set()
        out, cur, prev_dep = [], 0, None
        for i, (s, a, b, p, q) in enumerate(rows):
            cur = delays.get(i, cur)
            na, nb = a + cur, b + cur
            if prev_dep is not None and na < prev_dep:
                na = prev_dep
            nb = max(nb, na)
            out.append([s, na, nb, p, q])
            prev_dep = nb
        carried = 0
        unique = {s for s, *_ in rows if [x[0] for x in rows].count(s) == 1}
        for i, (s, na, nb, p, q) in enumerate(out):
            a, b = rows[i][1], rows[i][2]
            if i in skip and na - a == carried and nb - b == carried:
                u = tu.stop_time_update.add()
                _name(u, rng, s, seqs[i], unique)
                u.schedule_relationship = pb.TripUpdate.StopTimeUpdate.SKIPPED
                out[i][3] = out[i][4] = False
                continue
            if na - a == carried and nb - b == carried:
                continue
            u = tu.stop_time_update.add()
            _name(u, rng, s, seqs[i], unique)
            da, db = na - a, nb - b
            absolute = rng.random() < 0.3
            if da == db and rng.random() < 0.5:
                ev = u.departure if rng.random() < 0.5 else u.arrival
                if absolute:
                    ev.time = ref + (nb if ev is u.departure else na)
                else:
                    ev.delay = db
            else:
                if absolute:
                    u.arrival.time, u.departure.time = ref + na, ref + nb
                else:
                    u.arrival.delay, u.departure.delay = da, db
            carried = db
        if rng.random() < 0.2:                          # an update naming a stop the network lacks
            u = tu.stop_time_update.add(stop_id="NO-SUCH-STOP")
            u.arrival.delay = 99999
            truth.unknown_stops += 1
        truth.updated[(trip_id, d)] = [tuple(x) for x in out]
    # added trips: on an existing pattern (shifted) or a new one (random stops)
    routes = routes or {}
    for k in range(rng.randint(0, 2) if routes and rng.random() < p_added * 4 else 0):
        route_id = rng.choice(sorted(routes))
        base = csa.trip_stop_times(rng.choice(routes[route_id]))
        d = rng.choice([day, day - dt.timedelta(days=1)])
        ref = day_ref(d, tz)
        if rng.random() < 0.5:
            shift = rng.randint(-1800, 1800)
            rows = [(s, a + shift, b + shift, True, True) for s, a, b, _, _ in base]
        else:
            stops = rng.sample(csa.stop_ids, k=min(len(csa.stop_ids), rng.randint(2, 5)))
            t = base[0][1] + rng.randint(-900, 900)
            rows = []
            for s in stops:
                rows.append((s, t, t + 20, True, True))
                t += 20 + rng.randint(60, 600)
        tid = f"ADDED-{seed}-{k}"
        e = msg.entity.add(id=tid)
        tu = e.trip_update
        tu.trip.trip_id = tid
        tu.trip.route_id = route_id
        tu.trip.start_date = d.strftime("%Y%m%d")
        tu.trip.schedule_relationship = pb.TripDescriptor.ADDED
        for s, a, b, _, _ in rows:
            u = tu.stop_time_update.add(stop_id=s)
            u.arrival.time, u.departure.time = ref + a, ref + b
        truth.added[(tid, d)] = rows
    if rng.random() < 0.5:
        e = msg.entity.add(id="ghost")
        e.trip_update.trip.trip_id = "NO-SUCH-TRIP"
        e.trip_update.trip.start_date = day.strftime("%Y%m%d")
        e.trip_update.delay = 60
        truth.unknown_trips += 1
    return msg.SerializeToString(), truth


def _name(u, rng, stop_id: str, seq: int, unique: set) -> None:
    if stop_id in unique and rng.random() < 0.4:
        u.stop_id = stop_id
    else:
        u.stop_sequence = seq


class RtCsa(CsaOracle):
    """:class:`CsaOracle` over the static stop times with a :class:`Truth` applied."""

    @classmethod
    def from_oracle(cls, base: CsaOracle, truth: Truth) -> "RtCsa":
        o = cls.__new__(cls)
        o.__dict__.update(base.__dict__)
        o.truth = truth
        o._day_cache = {}
        return o

    def rows_of(self, trip_id: str, date: dt.date):
        """The real-time rows of a trip day, None when cancelled (static rows when not updated)."""
        key = (trip_id, date)
        if key in self.truth.cancelled:
            return None
        if key in self.truth.updated:
            return self.truth.updated[key]
        if key in self.truth.added:
            return self.truth.added[key]
        return self.trip_stop_times(trip_id)

    def _connections(self, day: dt.date, accessible: bool, strict: bool):
        key = (day, accessible, strict)
        if key in self._day_cache:
            return self._day_cache[key]
        n_trips = len(self.trip_ids)
        replaced = {}
        for (tid, d) in list(self.truth.updated) + list(self.truth.cancelled):
            replaced.setdefault(d, set()).add(self.trip_index[tid])
        cols = [[], [], [], [], [], [], []]   # dep, arr, from, to, instance, pick, drop
        extra_inst = 3 * n_trips
        stop_ok = (self.stop_wheelchair == 1) if strict else (self.stop_wheelchair != 2)
        if not accessible:
            stop_ok = np.ones(len(self.stop_ids), bool)
        for k, shift in ((0, -DAY), (1, 0), (2, DAY)):
            date = day + dt.timedelta(days=k - 1)
            svc = self.services_on(date)
            trip_on = np.isin(self.trip_service, list(svc))
            if accessible:
                trip_on &= (self.trip_wheelchair == 1) if strict else (self.trip_wheelchair != 2)
            off = np.array(sorted(replaced.get(date, ())), dtype=np.int64)
            if len(off):
                trip_on[off] = False
            idx = np.flatnonzero(trip_on[self.c_trip])
            cols[0].append(self.c_dep[idx] + shift)
            cols[1].append(self.c_arr[idx] + shift)
            cols[2].append(self.c_from[idx])
            cols[3].append(self.c_to[idx])
            cols[4].append(self.c_trip[idx] * 3 + k)
            cols[5].append(self.c_pick[idx] & stop_ok[self.c_from[idx]])
            cols[6].append(self.c_drop[idx] & stop_ok[self.c_to[idx]])
            extra = [(tid, rows, True) for (tid, d), rows in self.truth.updated.items() if d == date]
            extra += [(tid, rows, False) for (tid, d), rows in self.truth.added.items() if d == date]
            for tid, rows, static in extra:
                if static:
                    i = self.trip_index[tid]
                    if self.trip_service[i] not in svc:
                        continue
                    if accessible and not ((self.trip_wheelchair[i] == 1) if strict else (self.trip_wheelchair[i] != 2)):
                        continue
                elif accessible and strict:
                    continue       # an added trip's accessibility is unknown
                extra_inst += 1
                for (s1, _, d1, p1, _), (s2, a2, _, _, q2) in zip(rows, rows[1:]):
                    f, t = self.stop_index[s1], self.stop_index[s2]
                    cols[0].append(np.array([d1 + shift]))
                    cols[1].append(np.array([a2 + shift]))
                    cols[2].append(np.array([f]))
                    cols[3].append(np.array([t]))
                    cols[4].append(np.array([extra_inst]))
                    cols[5].append(np.array([bool(p1) and bool(stop_ok[f])]))
                    cols[6].append(np.array([bool(q2) and bool(stop_ok[t])]))
        dep, arr, frm, to, inst, pick, drop = (np.concatenate(c) for c in cols)
        order = np.lexsort((arr, dep))
        res = (dep[order].astype(np.int64), arr[order].astype(np.int64), frm[order].astype(np.int64),
               to[order].astype(np.int64), inst[order].astype(np.int64), pick[order].astype(bool), drop[order].astype(bool))
        self._day_cache[key] = res
        return res
