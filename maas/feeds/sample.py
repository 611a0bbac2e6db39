"""A small, deterministic Timișoara-like sample: GTFS, Velo TM (GBFS 2.3), car sharing (GBFS 3.0), P+R.

``maas sample OUT`` (or :func:`write_sample`) writes::

    OUT/gtfs.zip                 GTFS feed (stored, fixed timestamps: same bytes every run)
    OUT/gbfs/velotm/             GBFS 2.3 bike share: 8 stations (one empty, one full, one not renting)
    OUT/gbfs/carshare/           GBFS 3.0 free-floating cars: 8 cars (one reserved, one disabled)
    OUT/park_and_ride.geojson    3 park & ride lots at the edges (one with spaces_available null)
    OUT/streets.osm              OSM XML 0.6 streets: named grid, the Bega with two bridges, steps with a
                                 ramp beside them, a raised kerb, a one-way street, a cycleway, a trunk road
    OUT/realtime/                GTFS-RT (protobuf) of 2026-11-24 07:55: trip-updates.pb (delays, one
                                 cancellation, one skipped stop), alerts.pb (one alert on tram 1),
                                 vehicle-positions.pb (trolleybus 14 by route and position only)

Everything is generated from the tables below (real place names, approximate coordinates; clock
times, calendars and accessibility flags are synthetic). Nothing is read from outside the package,
and nothing depends on the clock, so the committed copy in ``feeds/timisoara`` can be compared
byte for byte with a fresh generation.

What the GTFS feed exercises (see ``feeds/README.md`` for the list of stops and lines):

* route types 0 (tram), 11 and 800 (trolleybus), 3 and 700 (bus), both directions, shapes.txt;
* calendars ``WK`` (Mon-Fri) and ``WE`` (Sat-Sun) 2026-09-01..2027-06-30, with calendar_dates
  exceptions on 2026-12-01, 2026-12-25 and 2027-01-01 (weekday service off, weekend service on);
* trips past midnight (times after 24:00:00) on tram 1 and bus 33, weekday service;
* first stops forbid alighting (drop_off_type 1), last stops forbid boarding (pickup_type 1);
* stops with wheelchair_boarding 2 and 0, a parent station (``PV``) whose platforms inherit its
  value, trips with wheelchair_accessible 2 (one tram in three) and 0 (every fifth bus 33);
* bus 46 defined by frequencies.txt; transfers.txt with min_transfer_time;
* bus 33 "expres" trips with the same stops that overtake the regular trips (route splitting).

The streets (``streets.osm``, :func:`osm_bytes`, built in ``maas/feeds/sample_streets.py``) put every
stop, station, car and lot within 60 m of a street and exercise the street router:

* the Bega (``waterway=river``), crossed only by Podul Mihai Viteazul and Podul Traian
  (``bridge=yes``, ``layer=1``): Catedrala (CAT) to Piața Victoriei (PV2) is 0.3 km crow-fly, 1.6 km on foot;
* steps (``highway=steps``) on the short way from Piața 700 (P7) to Piața Victoriei (PV1), with a longer
  ramp beside them (``incline=6%``, ``wheelchair=yes``);
* a ``kerb=raised`` crossing of Bulevardul Vasile Pârvan (``sidewalk=separate``) by Universitatea de
  Vest, a ``kerb=lowered`` one 47 m west;
* a one-way Strada Mărășești, the cycleway Pista de biciclete Bega, the trunk road Centura Timișoara;
* ``surface=sett``/``cobblestone``, a ``wheelchair=no`` passage, an ``incline=12%`` footway,
  ``footway=sidewalk``, a car-park aisle island beside P+R Shopping City, and named places with
  addresses (Iulius Town, Catedrala Mitropolitană, Universitatea de Vest, Strada Paris 2 ...).
"""
from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from pathlib import Path

# ----------------------------------------------------------------------------- network tables

FEED_START, FEED_END = "20260901", "20270630"
TIMEZONE = "Europe/Bucharest"

# stop_id, name, lat, lon, wheelchair_boarding ("" = not given), parent_station, location_type
STOPS: list[tuple[str, str, float, float, str, str, int]] = [
    ("GN", "Gara de Nord", 45.7504, 21.2072, "1", "", 0),
    ("SCF", "Spitalul CF", 45.7515, 21.2118, "2", "", 0),
    ("PMA", "Piața Maria", 45.7530, 21.2165, "1", "", 0),
    ("CAT", "Catedrala Mitropolitană", 45.7511, 21.2236, "1", "", 0),
    ("PV", "Piața Victoriei", 45.7537, 21.2257, "1", "", 1),
    ("PV1", "Piața Victoriei (Operă)", 45.7542, 21.2252, "0", "PV", 0),
    ("PV2", "Piața Victoriei (Catedrala)", 45.7530, 21.2262, "", "PV", 0),
    ("PLI", "Piața Libertății", 45.7559, 21.2275, "1", "", 0),
    ("PU", "Piața Unirii", 45.7578, 21.2290, "1", "", 0),
    ("P7", "Piața 700", 45.7568, 21.2222, "1", "", 0),
    ("IM", "Iulius Mall", 45.7660, 21.2280, "1", "", 0),
    ("BCE", "Bd. Cetății", 45.7610, 21.2360, "1", "", 0),
    ("PTR", "Piața Traian", 45.7580, 21.2440, "0", "", 0),
    ("PRO", "Piața Romanilor", 45.7552, 21.2518, "1", "", 0),
    ("B16", "Bd. 16 Decembrie 1989", 45.7465, 21.2190, "1", "", 0),
    ("PBA", "Piața Bălcescu", 45.7462, 21.2262, "1", "", 0),
    ("UVT", "Universitatea de Vest", 45.7472, 21.2310, "1", "", 0),
    ("CSM", "Complex Studențesc", 45.7462, 21.2395, "1", "", 0),
    ("ERO", "Bd. Eroilor de la Tisa", 45.7425, 21.2340, "1", "", 0),
    ("SJU", "Spitalul Județean", 45.7385, 21.2430, "1", "", 0),
    ("CBZ", "Calea Buziașului", 45.7375, 21.2545, "1", "", 0),
    ("CMR", "Calea Martirilor", 45.7310, 21.2330, "1", "", 0),
    ("PBC", "Piața Badea Cârțan", 45.7460, 21.2125, "0", "", 0),
    ("CSG", "Calea Șagului", 45.7385, 21.2090, "2", "", 0),
    ("LRB", "Calea Șagului (Bd. Liviu Rebreanu)", 45.7312, 21.2065, "1", "", 0),
    ("SHC", "Shopping City", 45.7240, 21.2040, "1", "", 0),
    ("CTO", "Calea Torontalului", 45.7680, 21.1985, "0", "", 0),
    ("MEH", "Mehala", 45.7600, 21.2020, "0", "", 0),
    ("CAA", "Calea Aradului (Antenei)", 45.7720, 21.2225, "1", "", 0),
    ("CA1", "Calea Aradului (USAMVB)", 45.7770, 21.2190, "1", "", 0),
    ("RON", "Ronaț", 45.7865, 21.2150, "1", "", 0),
    ("LI1", "Calea Lipovei (Bd. Take Ionescu)", 45.7690, 21.2370, "1", "", 0),
    ("LI2", "Calea Lipovei (Ion Ionescu de la Brad)", 45.7790, 21.2400, "1", "", 0),
    ("PVE", "Calea Lipovei (Pădurea Verde)", 45.7870, 21.2420, "1", "", 0),
    ("DUM", "Dumbrăvița Centru", 45.7970, 21.2440, "1", "", 0),
]

# route_id, short name, long name, route_type, colour, stops of direction 0, speed km/h, headway scale
ROUTES: list[tuple[str, str, str, int, str, list[str], float]] = [
    ("1", "1", "Gara de Nord – Piața Romanilor", 0, "E3001B",
     ["GN", "SCF", "PMA", "CAT", "PV1", "PLI", "PU", "BCE", "PTR", "PRO"], 18.0),
    ("2", "2", "Shopping City – Ronaț", 0, "0072BB",
     ["SHC", "LRB", "CSG", "PBC", "PMA", "P7", "IM", "CAA", "CA1", "RON"], 18.0),
    ("14", "14", "Gara de Nord – Spitalul Județean", 11, "2E9E3F",
     ["GN", "PBC", "B16", "PBA", "UVT", "CSM", "SJU"], 17.0),
    ("15", "15", "Iulius Mall – Calea Buziașului", 800, "7AB648",
     ["IM", "PU", "PV2", "PBA", "ERO", "SJU", "CBZ"], 17.0),
    ("33", "33", "Calea Torontalului – Calea Martirilor", 3, "F39200",
     ["CTO", "MEH", "GN", "CAT", "PV2", "UVT", "CSM", "CMR"], 20.0),
    ("46", "46", "Piața Unirii – Dumbrăvița", 700, "8E44AD",
     ["PU", "BCE", "LI1", "LI2", "PVE", "DUM"], 24.0),
]

# Departure bands (start "HH:MM", end "HH:MM" exclusive, headway minutes) per service.
BANDS = {
    "WK": [("05:00", "07:00", 30), ("07:00", "09:00", 15), ("09:00", "16:00", 30),
           ("16:00", "19:00", 15), ("19:00", "23:00", 60)],
    "WE": [("06:00", "23:00", 60)],
}
OFFSET_MIN = {"1": 0, "2": 5, "14": 2, "15": 7, "33": 3}
# Extra departures (service, direction, "HH:MM" possibly past 24:00) for late-night runs.
LATE = {"1": [("WK", 0, "23:50"), ("WK", 0, "24:20"), ("WK", 1, "24:25"), ("WE", 0, "24:20")],
        "33": [("WK", 0, "24:40")]}
# Bus 33 "expres": same stops, no dwell, 30 km/h: leaves 5 min after a regular bus, arrives first.
EXPRESS = {"route": "33", "speed": 30.0, "departures": ["07:08", "07:38", "08:08", "16:08", "16:38", "17:08"]}
# Bus 46 is described by frequencies.txt: (service, template start, [(start, end, headway s)]).
FREQUENCIES = [("WK", "06:00", [("06:00", "09:00", 600), ("09:00", "20:00", 1200)]),
               ("WE", "07:00", [("07:00", "21:00", 1800)])]

TRANSFERS = [("PV1", "PV2", 2, 240), ("PV2", "PV1", 2, 240), ("GN", "GN", 2, 180), ("PMA", "PMA", 2, 120)]
HOLIDAYS = ["20261201", "20261225", "20270101"]   # weekday service off, weekend service on

DWELL_S = 20
DETOUR = 1.25

# ----------------------------------------------------------------------------- shared mobility

LAST_UPDATED = 1795492800                     # 2026-11-24T06:00:00+02:00
LAST_UPDATED_RFC3339 = "2026-11-24T06:00:00+02:00"
TTL = 60

# station_id, name, lat, lon, capacity, bikes, docks, is_renting, is_returning
VELOTM = [
    ("velotm-01", "Velo TM Gara de Nord", 45.7508, 21.2081, 12, 5, 7, True, True),
    ("velotm-02", "Velo TM Piața Victoriei", 45.7540, 21.2263, 15, 0, 15, True, True),    # empty
    ("velotm-03", "Velo TM Piața Unirii", 45.7582, 21.2296, 12, 12, 0, True, True),       # full
    ("velotm-04", "Velo TM Catedrala", 45.7506, 21.2243, 10, 6, 4, False, True),          # not renting
    ("velotm-05", "Velo TM Universitatea de Vest", 45.7476, 21.2318, 20, 9, 11, True, True),
    ("velotm-06", "Velo TM Iulius Mall", 45.7655, 21.2271, 15, 7, 8, True, True),
    ("velotm-07", "Velo TM Piața Traian", 45.7585, 21.2434, 10, 4, 6, True, True),
    ("velotm-08", "Velo TM Complex Studențesc", 45.7468, 21.2402, 20, 11, 9, True, True),
]

# vehicle_id, lat, lon, reserved, disabled, range m
CARS = [
    ("car-01", 45.7512, 21.2090, False, False, 182000),
    ("car-02", 45.7566, 21.2284, False, False, 96000),
    ("car-03", 45.7543, 21.2240, True, False, 150000),     # reserved
    ("car-04", 45.7650, 21.2300, False, False, 210000),
    ("car-05", 45.7470, 21.2330, False, True, 0),          # disabled
    ("car-06", 45.7392, 21.2418, False, False, 64000),
    ("car-07", 45.7250, 21.2055, False, False, 120000),
    ("car-08", 45.7955, 21.2430, False, False, 175000),
]

# id, name, lon, lat, capacity, spaces_available (None = unknown), opening_hours, fee, wheelchair spaces
PARKING = [
    ("pr-1", "P+R Shopping City (Calea Șagului)", 21.2052, 45.7232, 400, 96, "Mo-Su 05:00-24:00",
     "free with STPT pass", 8),
    ("pr-2", "P+R Calea Aradului (Ronaț)", 21.2162, 45.7873, 250, 57, "Mo-Su 05:00-24:00",
     "free with STPT pass", 5),
    ("pr-3", "P+R Dumbrăvița (Calea Lipovei)", 21.2452, 45.7978, 120, None,
     "Mo-Fr 05:30-22:00; Sa 07:00-20:00", "5 RON/day", 3),
]

ZIP_DATE = (2026, 9, 1, 0, 0, 0)

# ----------------------------------------------------------------------------- helpers


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _secs(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


def _dist_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dphi, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _json(doc) -> bytes:
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:  # keep mtimes when nothing changed
        path.write_bytes(data)
    return path


def _zip(files: dict[str, bytes]) -> bytes:
    """A stored (uncompressed) zip with fixed metadata: identical bytes on every machine."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


# ----------------------------------------------------------------------------- GTFS


def _departures(service: str, offset_min: int) -> list[int]:
    out = []
    for start, end, headway in BANDS[service]:
        t = _secs(start) + offset_min * 60
        while t < _secs(end) + offset_min * 60:
            out.append(t)
            t += headway * 60
    return out


def _run_times(coords: list[tuple[float, float]], speed_kmh: float, dwell: int) -> list[tuple[int, int]]:
    """(arrival, departure) offsets in seconds from the first departure, rounded to whole minutes
    for the arrivals so the timetable looks like a published one."""
    out = [(0, 0)]
    t = 0.0
    for a, b in zip(coords, coords[1:]):
        t += _dist_m(a, b) * DETOUR / (speed_kmh / 3.6)
        arr = int(round(t / 60.0)) * 60
        arr = max(arr, out[-1][1] + 60)
        dep = arr + dwell
        out.append((arr, dep))
        t = dep
    last_arr = out[-1][0]
    out[-1] = (last_arr, last_arr)
    return out


def _shape(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stop coordinates plus three gently curved points between each pair (a street-like line)."""
    pts = [coords[0]]
    for (la1, lo1), (la2, lo2) in zip(coords, coords[1:]):
        for k in (1, 2, 3):
            f = k / 4
            bend = 0.00012 * math.sin(math.pi * f)
            pts.append((la1 + (la2 - la1) * f + bend * (lo2 - lo1) / (abs(lo2 - lo1) + abs(la2 - la1) + 1e-9),
                        lo1 + (lo2 - lo1) * f - bend * (la2 - la1) / (abs(lo2 - lo1) + abs(la2 - la1) + 1e-9)))
        pts.append((la2, lo2))
    return [(round(a, 6), round(b, 6)) for a, b in pts]


def _trip_wheelchair(route_type: int, n: int, express: bool) -> int:
    if route_type == 0:
        return 2 if n % 3 == 2 else 1          # one tram in three is an old high-floor car
    if route_type == 3 and not express:
        return 0 if n % 5 == 4 else 1          # every fifth bus 33: accessibility unknown
    return 1


def gtfs_files() -> dict[str, bytes]:
    """The sample GTFS feed as file name -> CSV bytes."""
    pos = {s[0]: (s[2], s[3]) for s in STOPS}
    names = {s[0]: s[1] for s in STOPS}
    stops_rows = [[sid, name, f"{lat:.4f}", f"{lon:.4f}", lt, parent, wb]
                  for sid, name, lat, lon, wb, parent, lt in STOPS]
    routes_rows, trips_rows, st_rows, shape_rows, freq_rows = [], [], [], [], []
    for rid, short, long_name, rtype, colour, stops0, speed in ROUTES:
        routes_rows.append(["STPT", rid, short, long_name, rtype, colour, "FFFFFF"])
        for direction in (0, 1):
            stops = stops0 if direction == 0 else stops0[::-1]
            coords = [pos[s] for s in stops]
            shape_id = f"{rid}-{direction}"
            for i, (la, lo) in enumerate(_shape(coords), 1):
                shape_rows.append([shape_id, f"{la:.6f}", f"{lo:.6f}", i])
            headsign = names[stops[-1]]
            runs: list[tuple[str, str, int, bool]] = []   # trip_id, service, first departure, express
            if rid == "46":
                for service, start, bands in FREQUENCIES:
                    tid = f"46-{service}-{direction}"
                    runs.append((tid, service, _secs(start), False))
                    for a, b, h in bands:
                        freq_rows.append([tid, _hms(_secs(a)), _hms(_secs(b)), h, 0])
            else:
                for service in ("WK", "WE"):
                    deps = _departures(service, OFFSET_MIN[rid] + (3 if direction else 0))
                    deps += [_secs(t) for s, d, t in LATE.get(rid, []) if s == service and d == direction]
                    runs += [(f"{rid}-{service}-{direction}-{_hms(t)[:5].replace(':', '')}", service, t, False)
                             for t in sorted(deps)]
                if rid == EXPRESS["route"] and direction == 0:
                    runs += [(f"{rid}E-WK-0-{t.replace(':', '')}", "WK", _secs(t), True)
                             for t in EXPRESS["departures"]]
            normal = _run_times(coords, speed, DWELL_S)
            fast = _run_times(coords, EXPRESS["speed"], 0)
            for n, (tid, service, t0, express) in enumerate(runs):
                trips_rows.append([rid, service, tid, headsign + (" (expres)" if express else ""), direction,
                                   shape_id, _trip_wheelchair(rtype, n, express),
                                   f"{short}E" if express else short])
                times = fast if express else normal
                last = len(stops) - 1
                for k, (sid, (a, d)) in enumerate(zip(stops, times)):
                    st_rows.append([tid, _hms(t0 + a), _hms(t0 + d), sid, k + 1,
                                    1 if k == last else 0, 1 if k == 0 else 0])
    trips_rows.sort(key=lambda r: r[2])
    st_rows.sort(key=lambda r: (r[0], r[4]))
    cal_rows = [["WK", 1, 1, 1, 1, 1, 0, 0, FEED_START, FEED_END],
                ["WE", 0, 0, 0, 0, 0, 1, 1, FEED_START, FEED_END]]
    cd_rows = []
    for day in HOLIDAYS:
        cd_rows += [["WK", day, 2], ["WE", day, 1]]
    return {
        "agency.txt": _csv(["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
                           [["STPT", "STPT Timișoara (sample)", "https://www.stpt.ro", TIMEZONE, "ro"]]),
        "stops.txt": _csv(["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station",
                           "wheelchair_boarding"], stops_rows),
        "routes.txt": _csv(["agency_id", "route_id", "route_short_name", "route_long_name", "route_type",
                            "route_color", "route_text_color"], routes_rows),
        "trips.txt": _csv(["route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "shape_id",
                           "wheelchair_accessible", "trip_short_name"], trips_rows),
        "stop_times.txt": _csv(["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence",
                                "pickup_type", "drop_off_type"], st_rows),
        "calendar.txt": _csv(["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                              "sunday", "start_date", "end_date"], cal_rows),
        "calendar_dates.txt": _csv(["service_id", "date", "exception_type"], cd_rows),
        "frequencies.txt": _csv(["trip_id", "start_time", "end_time", "headway_secs", "exact_times"], freq_rows),
        "transfers.txt": _csv(["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"],
                              [list(t) for t in TRANSFERS]),
        "shapes.txt": _csv(["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"], shape_rows),
        "feed_info.txt": _csv(["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
                               "feed_end_date", "feed_version"],
                              [["maas sample generator", "https://www.stpt.ro", "ro", FEED_START, FEED_END,
                                "sample-1"]]),
    }


# ----------------------------------------------------------------------------- GBFS and P+R


def _gbfs_doc(version: str, data: dict) -> dict:
    stamp = LAST_UPDATED_RFC3339 if version.startswith("3") else LAST_UPDATED
    return {"last_updated": stamp, "ttl": TTL, "version": version, "data": data}


def velotm_files() -> dict[str, bytes]:
    """Velo TM bike share, GBFS 2.3: file name -> JSON bytes."""
    feeds = ["system_information", "station_information", "station_status"]
    return {
        "gbfs.json": _json(_gbfs_doc("2.3", {"ro": {"feeds": [{"name": f, "url": f"{f}.json"} for f in feeds]}})),
        "system_information.json": _json(_gbfs_doc("2.3", {
            "system_id": "velotm", "language": "ro", "name": "Velo TM", "operator": "STPT (sample)",
            "timezone": TIMEZONE})),
        "station_information.json": _json(_gbfs_doc("2.3", {"stations": [
            {"station_id": sid, "name": name, "lat": lat, "lon": lon, "capacity": cap}
            for sid, name, lat, lon, cap, *_ in VELOTM]})),
        "station_status.json": _json(_gbfs_doc("2.3", {"stations": [
            {"station_id": sid, "num_bikes_available": bikes, "num_docks_available": docks,
             "is_installed": True, "is_renting": renting, "is_returning": returning,
             "last_reported": LAST_UPDATED}
            for sid, _n, _la, _lo, _c, bikes, docks, renting, returning in VELOTM]})),
    }


def carshare_files() -> dict[str, bytes]:
    """Free-floating car sharing, GBFS 3.0: file name -> JSON bytes."""
    feeds = ["system_information", "vehicle_types", "vehicle_status", "system_pricing_plans"]
    ro = lambda text: [{"text": text, "language": "ro"}]  # noqa: E731 - localized string
    return {
        "gbfs.json": _json(_gbfs_doc("3.0", {"feeds": [{"name": f, "url": f"{f}.json"} for f in feeds]})),
        "system_information.json": _json(_gbfs_doc("3.0", {
            "system_id": "tm-carshare", "languages": ["ro"], "name": ro("Timișoara car sharing (sample)"),
            "timezone": TIMEZONE, "opening_hours": "24/7", "feed_contact_email": "data@example.org"})),
        "vehicle_types.json": _json(_gbfs_doc("3.0", {"vehicle_types": [
            {"vehicle_type_id": "ev-small", "form_factor": "car", "propulsion_type": "electric",
             "max_range_meters": 260000, "name": ro("Small EV")}]})),
        "vehicle_status.json": _json(_gbfs_doc("3.0", {"vehicles": [
            {"vehicle_id": vid, "lat": lat, "lon": lon, "is_reserved": res, "is_disabled": dis,
             "vehicle_type_id": "ev-small", "current_range_meters": rng, "pricing_plan_id": "per-minute"}
            for vid, lat, lon, res, dis, rng in CARS]})),
        "system_pricing_plans.json": _json(_gbfs_doc("3.0", {"plans": [
            {"plan_id": "per-minute", "name": ro("Per minute"), "currency": "RON", "price": 2.0,
             "is_taxable": False, "description": ro("2 RON unlock + 1.5 RON/min"),
             "per_min_pricing": [{"start": 0, "rate": 1.5, "interval": 1}]}]})),
    }


def parking_bytes() -> bytes:
    """Park & ride lots as a GeoJSON FeatureCollection."""
    return _json({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"id": lid, "name": name, "capacity": cap, "spaces_available": free,
                        "opening_hours": hours, "fee": fee, "wheelchair_spaces": wc}}
        for lid, name, lon, lat, cap, free, hours, fee, wc in PARKING]})


# ----------------------------------------------------------------------------- GTFS-RT

RT_TIMESTAMP = 1795499700                     # 2026-11-24T07:55:00+02:00
RT_DATE = "20261124"
RT_REF = 1795471200                           # 2026-11-24T00:00:00+02:00 ("noon minus 12 h")
# (trip_id, [(stop_sequence, arrival delay s)], skipped stop_sequence or None)
RT_DELAYS = [("1-WK-0-0800", [(1, 240)], None),          # the demo's first tram: 4 min late from its start
             ("1-WK-0-0815", [(1, 60), (6, 180)], 3),    # late, and does not stop at Piața Maria
             ("2-WK-0-0750", [(4, 120)], None)]
RT_CANCELLED = ["33E-WK-0-0808"]                           # the express bus of the demo is cancelled
RT_VEHICLES = [("TB-141", "14", 0, "07:47", 150), ("TB-142", "14", 1, "07:50", -60)]  # id, route, dir, dep, delay


def _feed_message():
    from google.transit import gtfs_realtime_pb2 as pb
    msg = pb.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.incrementality = pb.FeedHeader.FULL_DATASET
    msg.header.timestamp = RT_TIMESTAMP
    return msg, pb


def realtime_files() -> dict[str, bytes]:
    """The sample GTFS-RT feeds as file name -> protobuf bytes (deterministic serialisation)."""
    tu, pb = _feed_message()
    for tid, delays, skipped in RT_DELAYS:
        e = tu.entity.add(id=f"tu-{tid}")
        e.trip_update.trip.trip_id = tid
        e.trip_update.trip.start_date = RT_DATE
        e.trip_update.timestamp = RT_TIMESTAMP
        for seq, delay in delays:
            u = e.trip_update.stop_time_update.add(stop_sequence=seq)
            u.arrival.delay = delay
            u.departure.delay = delay
        if skipped is not None:
            u = e.trip_update.stop_time_update.add(stop_sequence=skipped)
            u.schedule_relationship = pb.TripUpdate.StopTimeUpdate.SKIPPED
            # updates must be in stop order
            ups = sorted(e.trip_update.stop_time_update, key=lambda x: x.stop_sequence)
            copies = [type(x)() for x in ups]
            for c, x in zip(copies, ups):
                c.CopyFrom(x)
            del e.trip_update.stop_time_update[:]
            e.trip_update.stop_time_update.extend(copies)
    for tid in RT_CANCELLED:
        e = tu.entity.add(id=f"cancel-{tid}")
        e.trip_update.trip.trip_id = tid
        e.trip_update.trip.start_date = RT_DATE
        e.trip_update.trip.schedule_relationship = pb.TripDescriptor.CANCELED
    al, _ = _feed_message()
    e = al.entity.add(id="alert-tram1-works")
    a = e.alert
    a.active_period.add(start=1795471200, end=1795557600)            # 2026-11-24, the whole day
    a.informed_entity.add(route_id="1")
    a.cause = pb.Alert.CONSTRUCTION
    a.effect = pb.Alert.MODIFIED_SERVICE
    a.header_text.translation.add(text="Tram 1: track works at Piața Maria", language="en")
    a.header_text.translation.add(text="Tramvaiul 1: lucrări la Piața Maria", language="ro")
    a.description_text.translation.add(text="Trams do not stop at Piața Maria this morning; expect delays "
                                            "of a few minutes.", language="en")
    a.description_text.translation.add(text="Tramvaiele nu opresc la Piața Maria în această dimineață; "
                                            "întârzieri de câteva minute.", language="ro")
    vp, _ = _feed_message()
    pos = {st[0]: (st[2], st[3]) for st in STOPS}
    routes = {r[0]: r for r in ROUTES}
    for vid, rid, direction, dep, delay in RT_VEHICLES:
        stops = routes[rid][5] if direction == 0 else routes[rid][5][::-1]
        coords = [pos[x] for x in stops]
        times = _run_times(coords, routes[rid][6], DWELL_S)
        t = RT_TIMESTAMP - RT_REF - _secs(dep) - delay        # seconds into the schedule
        k = max(i for i, (arr, _) in enumerate(times) if arr <= t or i == 0)
        if k < len(times) - 1 and times[k][1] <= t:
            f = (t - times[k][1]) / (times[k + 1][0] - times[k][1])
            lat = coords[k][0] + f * (coords[k + 1][0] - coords[k][0])
            lon = coords[k][1] + f * (coords[k + 1][1] - coords[k][1])
            brg = math.degrees(math.atan2((coords[k + 1][1] - coords[k][1]) * math.cos(math.radians(lat)),
                                          coords[k + 1][0] - coords[k][0])) % 360
        else:
            lat, lon = coords[k]
            brg = 0.0
        e = vp.entity.add(id=vid)
        v = e.vehicle
        v.vehicle.id = vid
        v.vehicle.label = f"{rid} {vid}"
        v.trip.route_id = rid
        v.position.latitude = round(lat, 6)
        v.position.longitude = round(lon, 6)
        v.position.bearing = round(brg, 1)
        v.position.speed = 7.0
        v.timestamp = RT_TIMESTAMP
    return {"trip-updates.pb": tu.SerializeToString(deterministic=True),
            "alerts.pb": al.SerializeToString(deterministic=True),
            "vehicle-positions.pb": vp.SerializeToString(deterministic=True)}


# ----------------------------------------------------------------------------- entry point


def osm_bytes() -> bytes:
    """The sample city's streets as OSM XML 0.6 (``streets.osm``; see ``maas/feeds/sample_streets.py``)."""
    from maas.feeds.sample_streets import osm_bytes as streets   # it reads this module's tables
    return streets()


def sample_files() -> dict[str, bytes]:
    """Every file of the sample, as path relative to the output folder -> bytes."""
    files = {"gtfs.zip": _zip(gtfs_files()), "park_and_ride.geojson": parking_bytes(), "streets.osm": osm_bytes()}
    files.update({f"gbfs/velotm/{n}": b for n, b in velotm_files().items()})
    files.update({f"gbfs/carshare/{n}": b for n, b in carshare_files().items()})
    files.update({f"realtime/{n}": b for n, b in realtime_files().items()})
    return files


def write_sample(out: Path) -> list[Path]:
    """Write the sample into ``out``; returns the inputs of ``maas build``: the GTFS zip, the two
    GBFS folders, the P+R GeoJSON and the OSM streets (in that order). Same bytes on every run."""
    out = Path(out)
    for rel, data in sorted(sample_files().items()):
        _write(out / rel, data)
    return [out / "gtfs.zip", out / "gbfs" / "velotm", out / "gbfs" / "carshare", out / "park_and_ride.geojson",
            out / "streets.osm"]
