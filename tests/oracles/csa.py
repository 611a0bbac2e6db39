"""An independent earliest-arrival oracle: Connection Scan over the raw GTFS files.

Nothing of :mod:`maas` is used to read the timetable: stops, trips, stop_times, calendar.txt and
calendar_dates.txt are read here with pandas, with their own time parsing and service-day logic.
The only shared input is the footpath table, taken from the CSV that ``maas transfers NETWORK
--profile P`` prints (``from_stop_id,to_stop_id,duration_s``; a row with from = to is the
minimum change time at that stop), because the router's walking model is what is being checked
against, not re-derived.

The model is RAPTOR's (see :mod:`maas.router.raptor`):

* ``ready[origin] = t0`` and ``ready[q] = t0 + walk(origin, q)`` for the origin's footpaths;
* a connection (one hop of a trip) can be taken when its trip is already on board, or when
  ``ready[from] <= dep`` and pickup is allowed at ``from`` (``pickup_type != 1``);
* alighting at ``p`` at time ``a`` (``drop_off_type != 1``) makes ``a + change[p]`` ready at ``p``
  and ``a + walk(p, q)`` ready at each footpath neighbour ``q`` (one walk after a ride);
* the arrival at the destination is the earliest trip arrival there, or a trip arrival at ``q``
  plus ``walk(q, destination)``.

Service days: trips of the previous, the same and the next service day are used, their times
shifted by -86400, 0 and +86400 s (the test dates have no DST change, so a day is 86400 s).
Times are seconds after the queried date's "noon minus 12 h", like the router's.

Speed: only connections departing in ``[t0, t0 + window]`` (default 4 h) are scanned. An arrival
found at or before ``t0 + window`` is therefore exact (an earlier one would use only connections
inside the window); ``None`` or a later arrival means "not within the window", which callers must
treat as inconclusive.

For step-free profiles (``accessible=True``) trips with ``wheelchair_accessible = 2`` and stops
with ``wheelchair_boarding = 2`` (inherited from the parent station when 0) cannot be used for
boarding or alighting; ``strict=True`` requires the value 1 instead.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

DAY = 86400
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _read_gtfs_tables(path: str | Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame | None]:
    """Read the named GTFS files (as strings) from a zip (files possibly in a subfolder) or folder."""
    path = Path(path)
    out: dict[str, pd.DataFrame | None] = {}
    if path.is_dir():
        found = {p.name: p for p in path.rglob("*.txt")}
        for n in names:
            out[n] = pd.read_csv(found[n], dtype=str, keep_default_na=False, encoding="utf-8-sig") if n in found else None
    else:
        with zipfile.ZipFile(path) as z:
            found = {m.rsplit("/", 1)[-1]: m for m in z.namelist() if m.endswith(".txt")}
            for n in names:
                out[n] = (pd.read_csv(io.BytesIO(z.read(found[n])), dtype=str, keep_default_na=False,
                                      encoding="utf-8-sig") if n in found else None)
    for df in out.values():
        if df is not None:
            df.columns = [c.strip() for c in df.columns]
            for c in df.columns:
                df[c] = df[c].str.strip()
    return out


def parse_hms(values: pd.Series) -> np.ndarray:
    """``H:MM:SS`` (hours may exceed 23) to integer seconds."""
    parts = values.str.split(":", expand=True).astype(int).to_numpy()
    return parts[:, 0] * 3600 + parts[:, 1] * 60 + parts[:, 2]


def _int(values: pd.Series, default: int) -> np.ndarray:
    return pd.to_numeric(values.replace("", str(default)), errors="coerce").fillna(default).astype(int).to_numpy().copy()


class CsaOracle:
    """Earliest-arrival queries over one GTFS feed (zip or folder) and one footpath CSV."""

    def __init__(self, gtfs_path: str | Path, transfers_csv: str):
        t = _read_gtfs_tables(gtfs_path, ("stops.txt", "trips.txt", "stop_times.txt", "calendar.txt",
                                          "calendar_dates.txt"))
        stops = t["stops.txt"]
        self.stop_ids: list[str] = stops["stop_id"].tolist()
        self.stop_index = {s: i for i, s in enumerate(self.stop_ids)}
        wb = _int(stops["wheelchair_boarding"], 0) if "wheelchair_boarding" in stops else np.zeros(len(stops), int)
        if "parent_station" in stops:
            parent = stops["parent_station"].map(self.stop_index)
            inherit = (wb == 0) & parent.notna().to_numpy()
            wb[inherit] = wb[parent[inherit].astype(int).to_numpy()]
        self.stop_wheelchair = wb

        trips = t["trips.txt"]
        self.trip_ids: list[str] = trips["trip_id"].tolist()
        self.trip_index = {s: i for i, s in enumerate(self.trip_ids)}
        self.trip_service = trips["service_id"].to_numpy()
        self.trip_wheelchair = (_int(trips["wheelchair_accessible"], 0) if "wheelchair_accessible" in trips
                                else np.zeros(len(trips), int))

        st = t["stop_times.txt"]
        st = st.assign(_seq=st["stop_sequence"].astype(int), _trip=st["trip_id"].map(self.trip_index))
        st = st.dropna(subset=["_trip"]).sort_values(["_trip", "_seq"], kind="stable")
        trip = st["_trip"].to_numpy().astype(np.int64)
        stop = st["stop_id"].map(self.stop_index).to_numpy().astype(np.int64)
        arr = parse_hms(st["arrival_time"])
        dep = parse_hms(st["departure_time"])
        pick = _int(st["pickup_type"], 0) != 1 if "pickup_type" in st else np.ones(len(st), bool)
        drop = _int(st["drop_off_type"], 0) != 1 if "drop_off_type" in st else np.ones(len(st), bool)
        # stop times of each trip, in order: rows trip_ptr[i] .. trip_ptr[i + 1]
        self.trip_ptr = np.searchsorted(trip, np.arange(len(self.trip_ids) + 1))
        self.st_stop, self.st_arr, self.st_dep, self.st_pick, self.st_drop = stop, arr, dep, pick, drop
        self.st_seq = st["_seq"].to_numpy().astype(np.int64)
        # One connection per pair of consecutive stop times of a trip.
        nxt = np.flatnonzero(trip[1:] == trip[:-1])
        self.c_trip = trip[nxt]
        self.c_from = stop[nxt]
        self.c_to = stop[nxt + 1]
        self.c_dep = dep[nxt].astype(np.int64)
        self.c_arr = arr[nxt + 1].astype(np.int64)
        self.c_pick = pick[nxt]
        self.c_drop = drop[nxt + 1]
        self.calendar = t["calendar.txt"]
        self.calendar_dates = t["calendar_dates.txt"]
        self._day_cache: dict[tuple, tuple] = {}
        self._load_transfers(transfers_csv)

    def _load_transfers(self, transfers_csv: str) -> None:
        fp = pd.read_csv(io.StringIO(transfers_csv), dtype={"from_stop_id": str, "to_stop_id": str},
                         keep_default_na=False)
        f = fp["from_stop_id"].map(self.stop_index)
        to = fp["to_stop_id"].map(self.stop_index)
        if f.isna().any() or to.isna().any():
            raise ValueError("transfers CSV names stops that are not in stops.txt")
        f, to, d = f.astype(int).tolist(), to.astype(int).tolist(), fp["duration_s"].astype(int).tolist()
        self.change = [0] * len(self.stop_ids)
        self.walk: list[list[tuple[int, int]]] = [[] for _ in self.stop_ids]
        self.walk_in: list[list[tuple[int, int]]] = [[] for _ in self.stop_ids]
        self.walk_secs: dict[tuple[str, str], int] = {}
        for a, b, s in zip(f, to, d):
            self.walk_secs[(self.stop_ids[a], self.stop_ids[b])] = s
            if a == b:
                self.change[a] = s
            else:
                self.walk[a].append((b, s))
                self.walk_in[b].append((a, s))

    def with_transfers(self, transfers_csv: str) -> "CsaOracle":
        """The same timetable with another footpath table (e.g. another profile's)."""
        other = copy.copy(self)
        other._load_transfers(transfers_csv)
        return other

    def trip_stop_times(self, trip_id: str) -> list[tuple[str, int, int, bool, bool]]:
        """(stop_id, arrival, departure, pickup allowed, drop-off allowed) of a trip, in order."""
        i = self.trip_index[trip_id]
        a, b = self.trip_ptr[i], self.trip_ptr[i + 1]
        return [(self.stop_ids[self.st_stop[j]], int(self.st_arr[j]), int(self.st_dep[j]), bool(self.st_pick[j]),
                 bool(self.st_drop[j])) for j in range(a, b)]

    # ----- calendar ---------------------------------------------------------------------
    def services_on(self, day: dt.date) -> set[str]:
        """service_ids running on ``day`` (calendar.txt weekday ranges, then calendar_dates.txt)."""
        key = day.strftime("%Y%m%d")
        running: set[str] = set()
        cal = self.calendar
        if cal is not None and len(cal):
            col = WEEKDAYS[day.weekday()]
            ok = (cal["start_date"] <= key) & (key <= cal["end_date"]) & (cal[col] == "1")
            running |= set(cal.loc[ok, "service_id"])
        cd = self.calendar_dates
        if cd is not None and len(cd):
            rows = cd[cd["date"] == key]
            for sid, ex in zip(rows["service_id"], rows["exception_type"]):
                if ex == "1":
                    running.add(sid)
                elif ex == "2":
                    running.discard(sid)
        return running

    def _connections(self, day: dt.date, accessible: bool, strict: bool):
        """All connections usable around ``day`` (yesterday, today, tomorrow), sorted by departure."""
        key = (day, accessible, strict)
        if key in self._day_cache:
            return self._day_cache[key]
        parts = []
        for k, shift in ((0, -DAY), (1, 0), (2, DAY)):
            svc = self.services_on(day + dt.timedelta(days=k - 1))
            trip_on = np.isin(self.trip_service, list(svc))
            if accessible:
                trip_on &= (self.trip_wheelchair == 1) if strict else (self.trip_wheelchair != 2)
            m = trip_on[self.c_trip]
            parts.append((np.flatnonzero(m), k, shift))
        idx = np.concatenate([p[0] for p in parts])
        inst = np.concatenate([self.c_trip[p[0]] * 3 + p[1] for p in parts])
        shift = np.concatenate([np.full(len(p[0]), p[2], np.int64) for p in parts])
        dep = self.c_dep[idx] + shift
        arr = self.c_arr[idx] + shift
        stop_ok = (self.stop_wheelchair == 1) if strict else (self.stop_wheelchair != 2)
        if not accessible:
            stop_ok = np.ones(len(self.stop_ids), bool)
        pick = self.c_pick[idx] & stop_ok[self.c_from[idx]]
        drop = self.c_drop[idx] & stop_ok[self.c_to[idx]]
        # Departure order; ties by arrival so zero-duration hops of a trip come in trip order.
        order = np.lexsort((arr, dep))
        res = (dep[order], arr[order], self.c_from[idx][order], self.c_to[idx][order], inst[order],
               pick[order], drop[order])
        self._day_cache[key] = res
        return res

    # ----- queries ----------------------------------------------------------------------
    def earliest_arrival(self, origin: str, destination: str, day: dt.date | str, t0: int,
                         window: int = 4 * 3600, accessible: bool = False, strict: bool = False) -> int | None:
        """Earliest arrival at ``destination`` (stop_id) leaving ``origin`` (stop_id) at ``t0``.

        Returns seconds after the date's reference, or ``None`` when nothing arrives using
        connections departing within ``[t0, t0 + window]`` (see the module docstring).
        """
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        o = self.stop_index[origin]
        dest = self.stop_index[destination]
        dep, arr, frm, to, inst, pick, drop = self._connections(day, accessible, strict)
        lo = int(np.searchsorted(dep, t0, "left"))
        hi = int(np.searchsorted(dep, t0 + window, "right"))
        egress = {dest: 0}
        for q, s in self.walk_in[dest]:
            egress[q] = min(egress.get(q, s), s)
        ready: dict[int, int] = {o: t0}
        for q, s in self.walk[o]:
            if t0 + s < ready.get(q, 1 << 62):
                ready[q] = t0 + s
        boarded: set[int] = set()
        best = None
        change, walk = self.change, self.walk
        c_dep, c_arr = dep[lo:hi].tolist(), arr[lo:hi].tolist()
        c_from, c_to, c_inst = frm[lo:hi].tolist(), to[lo:hi].tolist(), inst[lo:hi].tolist()
        c_pick, c_drop = pick[lo:hi].tolist(), drop[lo:hi].tolist()
        inf = 1 << 62
        for i in range(len(c_dep)):
            d = c_dep[i]
            if best is not None and d >= best:
                break
            tr = c_inst[i]
            if tr not in boarded:
                if not c_pick[i] or ready.get(c_from[i], inf) > d:
                    continue
                boarded.add(tr)
            if not c_drop[i]:
                continue
            a = c_arr[i]
            q = c_to[i]
            e = egress.get(q)
            if e is not None and (best is None or a + e < best):
                best = a + e
            c = a + change[q]
            if c < ready.get(q, inf):
                ready[q] = c
            for r, s in walk[q]:
                if a + s < ready.get(r, inf):
                    ready[r] = a + s
        return best
