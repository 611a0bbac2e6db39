"""The sample city's streets: a deterministic OSM XML 0.6 file (``streets.osm`` of ``maas sample``).

A grid of named streets (about 200 m apart, placed so that every sample stop, Velo TM station,
shared car and P+R lot is within 60 m of one), cut in two by the Bega, which streets cross on two
bridges only, plus the features the street router must get right (see ``feeds/README.md``):

* **Bega** (``waterway=river``) between the two embankment streets (the *splaiuri*); the only
  crossings are ``Podul Mihai Viteazul`` and ``Podul Traian`` (``bridge=yes``, ``layer=1``), so
  Catedrala (south bank) is ~0.3 km from Piața Victoriei crow-fly but ~1.6 km on foot;
* **steps with a ramp**: ``Aleea Parcului Central`` cuts diagonally from Piața 700 to Piața
  Victoriei (Operă); on it a flight of ``highway=steps``; beside it a longer ramp
  (``highway=footway``, ``incline=6%``, ``wheelchair=yes``);
* **raised kerb**: on Bulevardul Vasile Pârvan by Universitatea de Vest the road has
  ``sidewalk=separate``; the crossing in front of the university has a ``kerb=raised`` node, a
  second crossing 47 m west has ``kerb=lowered`` on both sides;
* **one-way**: Strada Mărășești (``oneway=yes``, eastbound) between Bd. Mihai Viteazul and Calea
  Martirilor;
* **cycleway** ``Pista de biciclete Bega`` on the north bank, under the bridges; **trunk**
  ``Centura Timișoara`` (DN6) along the southern edge;
* ``surface=sett`` (pedestrian Strada Alba Iulia), ``surface=cobblestone`` (Strada Emanoil
  Ungureanu), a ``wheelchair=no`` passage (Pasajul Libertății), an ``incline=12%`` footway (Aleea
  Sportivilor), separately mapped sidewalks (``footway=sidewalk``) and ``sidewalk=*`` on roads;
* a car-park aisle beside P+R Shopping City that no street reaches (an island to prune);
* named places with addresses for a geocoder: Iulius Town, Catedrala Mitropolitană,
  Universitatea de Vest (an area), Opera, Strada Paris 1-12 ...

The tables below are the whole input; ids are assigned in a fixed order, coordinates printed with 7
decimals, ``version=1`` and no timestamp: the same bytes on every run and machine.
"""
from __future__ import annotations

import math
from xml.sax.saxutils import quoteattr

Coord = tuple[float, float]                 # (lat, lon)
Tags = dict[str, str]

WEST, EAST = 21.1953, 21.2551               # outermost north-south streets
SOUTH, NORTH = 45.7218, 45.7992             # outermost east-west streets
SPLAI_S, SPLAI_N = 45.7518, 45.7526         # the embankment streets on either bank of the Bega
RIVER_LAT = 45.7522

# East-west streets: lat, name, highway, extra tags (applied to the whole line unless split below).
EW_STREETS: list[tuple[float, str, str, Tags]] = [
    (45.7218, "Centura Timișoara", "trunk", {"ref": "DN6", "maxspeed": "70", "sidewalk": "no"}),
    (45.7236, "Strada Lugojului", "residential", {}),
    (45.7255, "Strada Constructorilor", "residential", {}),
    (45.7274, "Strada Constantin Brâncoveanu", "tertiary", {}),
    (45.7293, "Strada Cozia", "residential", {}),
    (45.7312, "Bulevardul Liviu Rebreanu", "secondary", {"maxspeed": "50"}),
    (45.7331, "Strada Iosif Bulbuca", "residential", {}),
    (45.7350, "Strada Mureș", "residential", {}),
    (45.7370, "Strada Rusu Șirianu", "residential", {}),
    (45.7387, "Calea Buziașului", "secondary", {"maxspeed": "50"}),
    (45.7404, "Strada Gheorghe Adam", "residential", {"maxspeed": "30"}),
    (45.7421, "Bulevardul Eroilor de la Tisa", "secondary", {"maxspeed": "50"}),
    (45.7439, "Strada Dacilor", "residential", {}),
    (45.7457, "Strada Paris", "residential", {"maxspeed": "30", "sidewalk": "both"}),
    (45.7472, "Bulevardul Vasile Pârvan", "primary", {"maxspeed": "50"}),
    (45.7487, "Strada Oituz", "residential", {}),
    (45.7503, "Bulevardul 16 Decembrie 1989", "secondary", {"maxspeed": "50"}),
    (SPLAI_S, "Splaiul Tudor Vladimirescu", "tertiary", {}),
    (SPLAI_N, "Splaiul Nicolae Titulescu", "tertiary", {}),
    (45.7540, "Bulevardul Revoluției din 1989", "primary", {"maxspeed": "50", "sidewalk": "both"}),
    (45.7554, "Strada Alba Iulia", "residential", {}),
    (45.7568, "Strada Timocului", "residential", {}),
    (45.7583, "Strada Eugeniu de Savoya", "residential", {}),
    (45.7599, "Strada Gheorghe Lazăr", "tertiary", {}),
    (45.7615, "Bulevardul Cetății", "secondary", {"maxspeed": "50"}),
    (45.7635, "Strada Lorena", "residential", {}),
    (45.7655, "Strada Aristide Demetriade", "tertiary", {}),
    (45.7675, "Calea Torontalului", "secondary", {"maxspeed": "50"}),
    (45.7691, "Bulevardul Take Ionescu", "secondary", {"maxspeed": "50"}),
    (45.7707, "Strada Gloriei", "residential", {}),
    (45.7724, "Strada Antenei", "residential", {}),
    (45.7741, "Strada Mangalia", "residential", {}),
    (45.7758, "Bulevardul Sever Bocu", "tertiary", {}),
    (45.7775, "Strada Ciocârliei", "residential", {}),
    (45.7793, "Bulevardul Ion Ionescu de la Brad", "tertiary", {}),
    (45.7811, "Strada Paltinului", "residential", {}),
    (45.7830, "Strada Salcâmilor", "residential", {}),
    (45.7849, "Strada Rodnei", "residential", {"maxspeed": "30"}),
    (45.7868, "Strada Chișodei", "tertiary", {}),
    (45.7885, "Strada Nera", "residential", {}),
    (45.7902, "Strada Argeș", "residential", {}),
    (45.7920, "Strada Someș", "residential", {}),
    (45.7938, "Strada Siret", "residential", {}),
    (45.7956, "Strada Prutului", "residential", {}),
    (45.7974, "Strada Petre Ispirescu", "residential", {}),
    (NORTH, "Strada Jiului", "residential", {}),
]

# North-south streets: lon, name south of the Bega, name north of it, highway, extra tags.
NS_STREETS: list[tuple[float, str, str, str, Tags]] = [
    (WEST, "Strada Cluj", "Strada Cluj", "residential", {}),
    (21.1979, "Strada Mehadia", "Strada Ovidiu Balea", "residential", {}),
    (21.2005, "Strada Arieș", "Strada Mehala", "residential", {}),
    (21.2031, "Strada Ialomiței", "Strada Ialomiței", "residential", {}),
    (21.2057, "Strada Bucegi", "Strada Bucegi", "residential", {}),
    (21.2083, "Calea Șagului", "Strada Gării", "primary", {"maxspeed": "50"}),
    (21.2109, "Strada Independenței", "Strada Înfrățirii", "residential", {}),
    (21.2135, "Strada Gheorghe Doja", "Strada Gheorghe Doja", "residential", {}),
    (21.2161, "Bulevardul Mihai Viteazul", "Bulevardul Mihai Viteazul", "secondary", {"maxspeed": "50"}),
    (21.2187, "Strada Ștefan cel Mare", "Calea Aradului", "primary", {"maxspeed": "50"}),
    (21.2213, "Strada Vasile Alecsandri", "Strada Vasile Alecsandri", "residential", {}),
    (21.2239, "Bulevardul Regele Ferdinand I", "Strada Lucian Blaga", "tertiary", {}),
    (21.2265, "Strada Ion Creangă", "Strada Emanoil Ungureanu", "residential", {}),
    (21.2291, "Strada Gheorghe Barițiu", "Strada Florimund Mercy", "residential", {}),
    (21.2317, "Strada Augustin Pacha", "Strada Mihai Eminescu", "residential", {}),
    (21.2343, "Calea Martirilor 1989", "Strada Ana Ipătescu", "secondary", {"maxspeed": "50"}),
    (21.2369, "Strada Daliei", "Strada Daliei", "residential", {}),
    (21.2395, "Strada Cerna", "Strada Lidia", "residential", {}),
    (21.2421, "Strada Oglinzilor", "Calea Lipovei", "secondary", {"maxspeed": "50"}),
    (21.2447, "Bulevardul 3 August 1919", "Bulevardul 3 August 1919", "secondary", {"maxspeed": "50"}),
    (21.2473, "Strada Brăila", "Strada Tinereții", "residential", {}),
    (21.2499, "Strada Văcărescu", "Strada Grădinii", "residential", {}),
    (21.2525, "Strada Olt", "Strada Olt", "residential", {}),
    (EAST, "Strada Stan Vidrighin", "Strada Stan Vidrighin", "tertiary", {}),
]

BRIDGES = {21.2161: "Podul Mihai Viteazul", 21.2447: "Podul Traian"}

# Stretches of a line with other tags: (lat of an east-west line or lon of a north-south one,
# from, to, tags replacing the line's). North-south stretches north of the river only.
EW_STRETCHES: list[tuple[float, float, float, Tags]] = [
    (45.7568, 21.2161, 21.2343, {"name": "Strada Mărășești", "highway": "residential", "oneway": "yes"}),
    (45.7554, 21.2213, 21.2291, {"name": "Strada Alba Iulia", "highway": "pedestrian", "surface": "sett"}),
    (45.7472, 21.2291, 21.2317, {"name": "Bulevardul Vasile Pârvan", "highway": "primary", "maxspeed": "50",
                                 "sidewalk": "separate"}),
]
NS_STRETCHES: list[tuple[float, float, float, Tags]] = [
    (21.2265, 45.7540, 45.7568, {"name": "Strada Emanoil Ungureanu", "highway": "residential",
                                 "surface": "cobblestone"}),
]

# Traffic signals at these junctions (lat, lon of two crossing lines).
SIGNALS: list[Coord] = [(45.7540, 21.2161), (45.7540, 21.2187), (45.7540, 21.2213), (45.7540, 21.2239),
                        (45.7540, 21.2265), (45.7472, 21.2265), (45.7472, 21.2343), (45.7615, 21.2343)]

# Aleea Parcului Central, Piața 700 -> Piața Victoriei (Operă); the steps are the part between
# fractions STEPS_AT of its length, the ramp leaves the same two points RAMP_OFFSET_M to the side.
PARK_PATH: tuple[Coord, Coord] = ((45.7568, 21.2222), (45.7540, 21.2252))
STEPS_AT = (0.15, 0.22)
RAMP_OFFSET_M = 25.0
# Pasajul Libertății (wheelchair=no), Alba Iulia by Piața Libertății -> Piața Unirii corner.
PASSAGE: tuple[Coord, Coord] = ((45.7554, 21.2270), (45.7583, 21.2291))
# Aleea Sportivilor by the Complex Studențesc; the steep part (incline=12%) between fractions.
STEEP_PATH: tuple[Coord, Coord] = ((45.7439, 21.2369), (45.7457, 21.2395))
STEEP_AT = (0.45, 0.52)
# Bulevardul Vasile Pârvan by Universitatea de Vest: sidewalks and two crossings.
KERB_BLVD_LAT = 45.7472
KERB_STRETCH = (21.2291, 21.2317)
SIDEWALK_N, SIDEWALK_S = 45.7473, 45.74706
RAISED_CROSSING_LON, LOWERED_CROSSING_LON = 21.2305, 21.2299
# Pista de biciclete Bega: this far north of the river's centre line, joined to the splai here.
CYCLEWAY_OFFSET = 0.0002
CYCLEWAY_LINKS = [WEST, 21.2031, 21.2109, 21.2213, 21.2291, 21.2369, 21.2499, EAST]
# A car-park aisle no street reaches, 22 m from P+R Shopping City.
ISLAND: list[Coord] = [(45.7230, 21.2044), (45.7230, 21.2054)]

# Named places: lat, lon, tags.
POIS: list[tuple[float, float, Tags]] = [
    (45.7663, 21.2285, {"name": "Iulius Town", "shop": "mall", "addr:street": "Strada Aristide Demetriade",
                        "addr:housenumber": "1"}),
    (45.7507, 21.2245, {"name": "Catedrala Mitropolitană", "amenity": "place_of_worship", "religion": "christian",
                        "denomination": "romanian_orthodox", "addr:street": "Bulevardul Regele Ferdinand I",
                        "addr:housenumber": "1"}),
    (45.7546, 21.2256, {"name": "Opera Națională Română", "amenity": "theatre"}),
    (45.7500, 21.2068, {"name": "Gara Timișoara Nord", "railway": "station", "public_transport": "station"}),
    (45.7389, 21.2426, {"name": "Spitalul Clinic Județean de Urgență", "amenity": "hospital"}),
    (45.7561, 21.2300, {"name": "Muzeul Banatului", "tourism": "museum"}),
    (45.7571, 21.2225, {"name": "Piața 700", "amenity": "marketplace"}),
    (45.7556, 21.2232, {"name": "Parcul Central", "leisure": "park"}),
    (45.7722, 21.2191, {"name": "Profi", "shop": "supermarket", "addr:street": "Calea Aradului",
                        "addr:housenumber": "10"}),
    (45.74558, 21.2215, {"name": "Farmacia Catena", "amenity": "pharmacy", "addr:street": "Strada Paris",
                         "addr:housenumber": "2"}),
]
UNIVERSITY = ([(45.7476, 21.2300), (45.7476, 21.2312), (45.7482, 21.2312), (45.7482, 21.2300)],
              {"name": "Universitatea de Vest", "amenity": "university", "building": "university",
               "addr:street": "Bulevardul Vasile Pârvan", "addr:housenumber": "4"})
PARIS_NUMBERS = range(1, 13)               # odd on the north side, even on the south side; 2 is the pharmacy

_M_PER_DEG_LAT = 111_195.0
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(45.76))


# ----------------------------------------------------------------------------- geometry


def river_lat(lon: float) -> float:
    """The Bega's centre line: a gentle meander (±7 m) around RIVER_LAT."""
    return RIVER_LAT + 0.00006 * math.sin(2 * math.pi * (lon - WEST) / 0.012)


def _lerp(a: Coord, b: Coord, f: float) -> Coord:
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def _r(c: Coord) -> Coord:
    return (round(c[0], 7), round(c[1], 7))


def _offset(c: Coord, north_m: float, east_m: float) -> Coord:
    return (c[0] + north_m / _M_PER_DEG_LAT, c[1] + east_m / _M_PER_DEG_LON)


def _river_line() -> list[Coord]:
    lons = [WEST - 0.003 + 0.0013 * i for i in range(int((EAST - WEST + 0.006) / 0.0013) + 2)]
    return [_r((river_lat(x), x)) for x in lons]


def _cycleway_line() -> list[Coord]:
    """Points at every north-south street's longitude and half-way between (so links meet it)."""
    xs = [x for x, *_ in NS_STREETS]
    lons = sorted(set(xs) | {round((a + b) / 2, 5) for a, b in zip(xs, xs[1:])})
    return [_r((river_lat(x) + CYCLEWAY_OFFSET, x)) for x in lons]


# ----------------------------------------------------------------------------- the ways


def _split(line_from: float, line_to: float, stretches: list[tuple[float, float, Tags]], base: Tags
           ) -> list[tuple[float, float, Tags]]:
    """Cut [line_from, line_to] at the stretches' ends: pieces with the line's or the stretch's tags."""
    cuts = sorted({line_from, line_to, *(v for a, b, _ in stretches for v in (a, b) if line_from < v < line_to)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        tags = next((t for s, e, t in stretches if s <= a and b <= e), base)
        out.append((a, b, tags))
    return out


def _ways() -> list[tuple[list[Coord], Tags, bool]]:
    """Every way as (points, tags, noded): noded ways get a shared node wherever they cross."""
    ways: list[tuple[list[Coord], Tags, bool]] = []

    def street(name: str, highway: str, extra: Tags) -> Tags:
        return {"highway": highway, "name": name, **extra}

    for lat, name, hw, extra in EW_STREETS:
        base = street(name, hw, extra)
        stretches = [(a, b, t) for y, a, b, t in EW_STRETCHES if y == lat]
        for a, b, tags in _split(WEST, EAST, stretches, base):
            ways.append(([(lat, a), (lat, b)], dict(tags), True))
    for lon, south, north, hw, extra in NS_STREETS:
        ways.append(([(SOUTH, lon), (SPLAI_S, lon)], street(south, hw, extra), True))
        stretches = [(a, b, t) for x, a, b, t in NS_STRETCHES if x == lon]
        for a, b, tags in _split(SPLAI_N, NORTH, stretches, street(north, hw, extra)):
            ways.append(([(a, lon), (b, lon)], dict(tags), True))
        if lon in BRIDGES:   # over the river (and the cycleway under it): no shared node with either
            ways.append(([(SPLAI_S, lon), (SPLAI_N, lon)],
                         {**street(north, hw, extra), "bridge": "yes", "layer": "1", "bridge:name": BRIDGES[lon]},
                         False))

    ways.append((_river_line(), {"waterway": "river", "name": "Bega"}, False))
    cyc = _cycleway_line()
    ways.append((cyc, {"highway": "cycleway", "name": "Pista de biciclete Bega", "surface": "asphalt",
                       "foot": "no", "segregated": "no"}, True))
    for lon in CYCLEWAY_LINKS:
        start = next(c for c in cyc if abs(c[1] - lon) < 1e-9)
        ways.append(([start, (SPLAI_N, lon)], {"highway": "cycleway", "foot": "no"}, True))

    # Aleea Parcului Central with its steps and the ramp beside them
    a, b = PARK_PATH
    top, bottom = _r(_lerp(a, b, STEPS_AT[0])), _r(_lerp(a, b, STEPS_AT[1]))
    park = {"highway": "footway", "name": "Aleea Parcului Central", "surface": "paving_stones"}
    ways.append(([a, top], park, True))
    ways.append(([top, bottom], {"highway": "steps", "name": "Scările Parcului Central", "step_count": "14",
                                 "incline": "down", "handrail": "yes", "ramp": "no"}, True))
    ways.append(([bottom, b], park, True))
    north_m = (b[0] - a[0]) * _M_PER_DEG_LAT
    east_m = (b[1] - a[1]) * _M_PER_DEG_LON
    norm = math.hypot(north_m, east_m)
    pn, pe = -east_m / norm * RAMP_OFFSET_M, north_m / norm * RAMP_OFFSET_M   # perpendicular, to the north-east
    if pn < 0:
        pn, pe = -pn, -pe
    ways.append(([top, _r(_offset(top, pn, pe)), _r(_offset(bottom, pn, pe)), bottom],
                 {"highway": "footway", "name": "Rampa Parcului Central", "incline": "6%", "wheelchair": "yes",
                  "surface": "asphalt"}, True))

    ways.append((list(PASSAGE), {"highway": "footway", "name": "Pasajul Libertății", "wheelchair": "no",
                                 "surface": "paving_stones", "covered": "yes"}, True))
    a, b = STEEP_PATH
    s0, s1 = _r(_lerp(a, b, STEEP_AT[0])), _r(_lerp(a, b, STEEP_AT[1]))
    sport = {"highway": "footway", "name": "Aleea Sportivilor", "surface": "asphalt"}
    ways.append(([a, s0], sport, True))
    ways.append(([s0, s1], {**sport, "incline": "12%"}, True))
    ways.append(([s1, b], sport, True))

    # Bulevardul Vasile Pârvan: sidewalks mapped separately, two crossings
    x0, x1 = KERB_STRETCH
    for lat, side in ((SIDEWALK_N, "north"), (SIDEWALK_S, "south")):
        ways.append(([(lat, x0), (lat, x1)], {"highway": "footway", "footway": "sidewalk", "surface": "asphalt",
                                              "note": f"{side} sidewalk of Bulevardul Vasile Pârvan"}, True))
    for lon, kind in ((RAISED_CROSSING_LON, "uncontrolled"), (LOWERED_CROSSING_LON, "traffic_signals")):
        pts = [(SIDEWALK_N, lon), (round(KERB_BLVD_LAT + 0.00006, 7), lon), (KERB_BLVD_LAT, lon),
               (round(KERB_BLVD_LAT - 0.00008, 7), lon), (SIDEWALK_S, lon)]
        ways.append((pts, {"highway": "footway", "footway": "crossing", "crossing": kind}, True))

    ways.append((list(ISLAND), {"highway": "service", "service": "parking_aisle"}, True))
    ring = UNIVERSITY[0]
    ways.append((ring + [ring[0]], dict(UNIVERSITY[1]), False))
    return ways


def _node_tags() -> dict[Coord, Tags]:
    tags: dict[Coord, Tags] = {}
    for c in SIGNALS:
        tags[_r(c)] = {"highway": "traffic_signals"}
    for lon, kind in ((RAISED_CROSSING_LON, "uncontrolled"), (LOWERED_CROSSING_LON, "traffic_signals")):
        tags[_r((KERB_BLVD_LAT, lon))] = {"highway": "crossing", "crossing": kind}
        north = "raised" if lon == RAISED_CROSSING_LON else "lowered"
        tags[_r((KERB_BLVD_LAT + 0.00006, lon))] = {"barrier": "kerb", "kerb": north}
        tags[_r((KERB_BLVD_LAT - 0.00008, lon))] = {"barrier": "kerb", "kerb": "lowered"}
    return tags


def _poi_nodes() -> list[tuple[Coord, Tags]]:
    out = [(_r((lat, lon)), dict(t)) for lat, lon, t in POIS]
    for n in PARIS_NUMBERS:
        if n == 2:
            continue
        lat = 45.7457 + (0.00012 if n % 2 else -0.00012)
        out.append((_r((lat, 21.2215 + 0.0003 * ((n - 1) // 2))),
                    {"addr:street": "Strada Paris", "addr:housenumber": str(n), "addr:city": "Timișoara"}))
    return out


# ----------------------------------------------------------------------------- noding


def _intersect(p: Coord, p2: Coord, q: Coord, q2: Coord) -> tuple[float, float] | None:
    """Parameters (t, u) where segment p-p2 meets q-q2 (ends included), None if they don't."""
    r = (p2[0] - p[0], p2[1] - p[1])
    s = (q2[0] - q[0], q2[1] - q[1])
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-18:
        return None                     # parallel: the generator never overlaps two ways
    d = (q[0] - p[0], q[1] - p[1])
    t = (d[0] * s[1] - d[1] * s[0]) / den
    u = (d[0] * r[1] - d[1] * r[0]) / den
    eps = 1e-7                          # of a segment's length: well under a millimetre
    if not (-eps <= t <= 1 + eps and -eps <= u <= 1 + eps):
        return None
    snap = lambda v: 0.0 if v < eps else 1.0 if v > 1 - eps else v  # noqa: E731 - ends are exact
    return snap(t), snap(u)


def _noded(ways: list[tuple[list[Coord], Tags, bool]]) -> list[tuple[list[Coord], Tags]]:
    """Insert a shared point wherever two noded ways cross or one ends on another."""
    inserts: list[list[list[tuple[float, Coord]]]] = [[[] for _ in pts[:-1]] for pts, _, _ in ways]
    segs = [(wi, si, pts[si], pts[si + 1]) for wi, (pts, _, noded) in enumerate(ways) if noded
            for si in range(len(pts) - 1)]
    for i, (wa, sa, p, p2) in enumerate(segs):
        for wb, sb, q, q2 in segs[i + 1:]:
            if wa == wb:
                continue
            hit = _intersect(p, p2, q, q2)
            if hit is None:
                continue
            t, u = hit
            # an end of either segment is the exact point (so shared ends stay one node)
            pt = p if t == 0 else p2 if t == 1 else q if u == 0 else q2 if u == 1 else _r(_lerp(p, p2, t))
            inserts[wa][sa].append((t, pt))
            inserts[wb][sb].append((u, pt))
    out = []
    for wi, (pts, tags, _) in enumerate(ways):
        line = [pts[0]]
        for si in range(len(pts) - 1):
            for _, pt in sorted(inserts[wi][si]):
                if pt != line[-1]:
                    line.append(pt)
            if pts[si + 1] != line[-1]:
                line.append(pts[si + 1])
        out.append((line, tags))
    return out


# ----------------------------------------------------------------------------- XML


def _tag_lines(tags: Tags, indent: str) -> list[str]:
    return [f"{indent}<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items())]


def osm_bytes() -> bytes:
    """The sample city's streets as OSM XML 0.6 bytes (same bytes on every run)."""
    ways = _noded(_ways())
    ids: dict[Coord, int] = {}
    for pts, _ in ways:
        for c in pts:
            ids.setdefault(_r(c), len(ids) + 1)
    node_tags = _node_tags()
    missing = set(node_tags) - set(ids)
    if missing:
        raise AssertionError(f"tagged street nodes not on any way: {sorted(missing)}")
    pois = _poi_nodes()
    for c, _ in pois:
        if c in ids:
            raise AssertionError(f"place {c} sits on a way node")
        ids[c] = len(ids) + 1
    poi_tags = dict(pois)
    lats = [c[0] for c in ids]
    lons = [c[1] for c in ids]
    lines = ["<?xml version='1.0' encoding='UTF-8'?>",
             '<osm version="0.6" generator="maas sample (maas/feeds/sample_streets.py)">',
             f'  <bounds minlat="{min(lats):.7f}" minlon="{min(lons):.7f}" maxlat="{max(lats):.7f}" '
             f'maxlon="{max(lons):.7f}"/>']
    for c, nid in sorted(ids.items(), key=lambda kv: kv[1]):
        head = f'  <node id="{nid}" version="1" lat="{c[0]:.7f}" lon="{c[1]:.7f}"'
        tags = node_tags.get(c) or poi_tags.get(c)
        if tags:
            lines += [head + ">", *_tag_lines(tags, "    "), "  </node>"]
        else:
            lines.append(head + "/>")
    for wid, (pts, tags) in enumerate(ways, 1):
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{ids[_r(c)]}"/>' for c in pts]
        lines += _tag_lines(tags, "    ")
        lines.append("  </way>")
    lines.append("</osm>")
    return ("\n".join(lines) + "\n").encode("utf-8")
