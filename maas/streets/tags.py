"""OSM tags -> who may use a way, in which direction, how fast, and what a traveller meets on it.

The rules follow OpenTripPlanner's and R5's default permissions and the architecture doc:
walking on footways, paths, steps, pedestrian areas, platforms and all roads up to primary
(trunk only with ``foot=yes`` or a sidewalk; never where ``sidewalk=separate`` says the
sidewalk is mapped as its own way); cycling on cycleways and roads (no motorway, trunk only with
``bicycle=yes``), one-way unless ``oneway:bicycle=no``; driving on motorway ... service with
``oneway``, ``access`` and ``motor_vehicle``.
"""
from __future__ import annotations

import math
import re

# edge flag bits (uint32): what a traveller meets on an edge
STEPS = 1 << 0
FOOTWAY = 1 << 1          # footway, path, pedestrian, platform: away from traffic
CYCLEWAY = 1 << 2
CROSSING = 1 << 3         # footway=crossing or a crossing node at the edge's end
SIGNALS = 1 << 4          # traffic signals at the edge's end
ELEVATOR = 1 << 5
ROUGH = 1 << 6            # sett, cobblestone, gravel, unpaved, grass ...
STEEP = 1 << 7            # |incline| above 8 %
WHEELCHAIR_NO = 1 << 8
WHEELCHAIR_YES = 1 << 9
WHEELCHAIR_LIMITED = 1 << 10
KERB_RAISED = 1 << 11     # a raised kerb at one of the edge's ends
KERB_UNKNOWN = 1 << 12    # a crossing of unknown kerb height at the edge's end
ONEWAY = 1 << 13          # one-way for cars
TRUNK = 1 << 14
BRIDGE = 1 << 15
TUNNEL = 1 << 16
STEEP_STROLLER = 1 << 17  # |incline| above 12 %: hard even with a stroller (penalised, not forbidden)

FLAG_NAMES = {
    STEPS: "steps", CROSSING: "crossing", SIGNALS: "traffic signals", ELEVATOR: "elevator", ROUGH: "rough surface",
    STEEP: "steep incline", WHEELCHAIR_NO: "wheelchair=no", WHEELCHAIR_LIMITED: "limited wheelchair access",
    KERB_RAISED: "raised kerb", KERB_UNKNOWN: "kerb of unknown height",
}

ROUGH_SURFACES = {"sett", "cobblestone", "unhewn_cobblestone", "gravel", "fine_gravel", "unpaved", "grass",
                  "dirt", "ground", "sand", "mud", "pebblestone", "earth", "grass_paver", "woodchips", "rock",
                  "stepping_stones", "compacted"}
WALK_HIGHWAYS = {"footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
                 "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
                 "primary_link", "track", "cycleway", "corridor", "elevator", "platform", "bridleway", "road"}
BIKE_HIGHWAYS = {"cycleway", "residential", "living_street", "service", "unclassified", "tertiary",
                 "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "track", "path", "road"}
CAR_HIGHWAYS = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
                "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
                "service", "road"}
# km/h where maxspeed is not tagged (urban Romania: 50 on main roads)
DEFAULT_KMH = {"motorway": 110, "motorway_link": 60, "trunk": 80, "trunk_link": 50, "primary": 50,
               "primary_link": 40, "secondary": 50, "secondary_link": 40, "tertiary": 40, "tertiary_link": 30,
               "unclassified": 30, "residential": 30, "living_street": 10, "service": 15, "road": 30}
# generalized-cost factor per class for cycling (below 1: preferred)
BIKE_FACTOR = {"cycleway": 0.75, "path": 0.9, "living_street": 0.95, "residential": 1.0, "service": 1.1,
               "unclassified": 1.0, "track": 1.3, "tertiary": 1.1, "tertiary_link": 1.1, "secondary": 1.3,
               "secondary_link": 1.3, "primary": 1.5, "primary_link": 1.5, "trunk": 4.0, "trunk_link": 4.0,
               "footway": 1.2, "pedestrian": 1.3, "road": 1.2}
NO = {"no", "private"}
YES = {"yes", "designated", "permissive", "official"}
ONEWAY_YES = {"yes", "1", "true"}


def _incline_pct(value: str | None) -> float:
    """|incline| in percent, NaN when unknown or only 'up'/'down'."""
    if not value:
        return math.nan
    m = re.match(r"^\s*(-?\d+(?:\.\d+)?)\s*(%|°)?\s*$", value)
    if not m:
        return math.nan
    v = abs(float(m.group(1)))
    if m.group(2) == "°":
        v = math.tan(math.radians(v)) * 100
    return v


def maxspeed_kmh(value: str | None) -> float | None:
    """A maxspeed tag in km/h ('50', '30 mph', 'RO:urban'), or None."""
    if not value:
        return None
    v = value.strip().lower()
    zones = {"ro:urban": 50, "ro:rural": 90, "ro:motorway": 130, "ro:trunk": 100, "walk": 6, "none": 130}
    if v in zones:
        return float(zones[v])
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?$", v)
    if not m:
        return None
    k = float(m.group(1))
    return k * 1.609 if m.group(2) == "mph" else k


def way_rules(t: dict) -> dict:
    """Permissions (walk/bike/car forward and backward), car speed, bike factor, flags and incline."""
    hw = t.get("highway")
    platform = t.get("public_transport") == "platform" or t.get("railway") == "platform" or hw == "platform"
    access = t.get("access")
    foot, bicycle = t.get("foot"), t.get("bicycle")
    flags = 0
    surface = t.get("surface")
    if surface in ROUGH_SURFACES:
        flags |= ROUGH
    incline = _incline_pct(t.get("incline"))
    if incline > 8:
        flags |= STEEP
    if incline > 12:
        flags |= STEEP_STROLLER
    wc = t.get("wheelchair")
    flags |= {"no": WHEELCHAIR_NO, "yes": WHEELCHAIR_YES, "designated": WHEELCHAIR_YES,
              "limited": WHEELCHAIR_LIMITED}.get(wc or "", 0)
    if hw == "steps":
        flags |= STEPS
        if t.get("ramp:wheelchair") == "yes" and wc != "no":
            flags &= ~STEPS   # a wheelchair ramp beside the steps makes them usable
            flags |= WHEELCHAIR_LIMITED
    if hw in ("footway", "path", "pedestrian", "corridor", "bridleway") or platform:
        flags |= FOOTWAY
    if hw == "cycleway":
        flags |= CYCLEWAY
    if t.get("footway") == "crossing":
        flags |= CROSSING
    if hw == "elevator":
        flags |= ELEVATOR
    if hw in ("trunk", "trunk_link"):
        flags |= TRUNK
    if t.get("bridge") not in (None, "no"):
        flags |= BRIDGE
    if t.get("tunnel") not in (None, "no"):
        flags |= TUNNEL

    # walking
    walk = hw in WALK_HIGHWAYS or platform
    if hw in ("trunk", "trunk_link") and (foot in YES or t.get("sidewalk") not in (None, "no", "none", "separate")):
        walk = True
    if foot in NO or (access in NO and foot not in YES) or foot == "use_sidepath":
        walk = False
    if t.get("sidewalk") == "separate" and hw not in ("footway", "path", "pedestrian", "steps") and foot not in YES:
        walk = False
    if foot in YES and hw not in (None, "construction", "proposed", "planned", "motorway", "motorway_link"):
        walk = True
    oneway_foot = t.get("oneway:foot") in ONEWAY_YES
    walk_f, walk_b = walk, walk and not oneway_foot

    # cycling
    bike = hw in BIKE_HIGHWAYS
    if hw in ("footway", "pedestrian") and bicycle in YES:
        bike = True
    if hw in ("trunk", "trunk_link") and bicycle in YES:
        bike = True
    if bicycle in NO or bicycle == "use_sidepath" or (access in NO and bicycle not in YES):
        bike = False
    oneway = t.get("oneway")
    roundabout = t.get("junction") in ("roundabout", "circular")
    one_fwd = oneway in ONEWAY_YES or (roundabout and oneway != "no")
    one_bwd = oneway == "-1"
    bike_contra = t.get("oneway:bicycle") == "no" or any(
        (t.get(k) or "").startswith("opposite") for k in ("cycleway", "cycleway:left", "cycleway:right"))
    bike_f = bike and not (one_bwd and not bike_contra)
    bike_b = bike and not (one_fwd and not bike_contra)
    bike_factor = BIKE_FACTOR.get(hw or "", 1.2)
    if bicycle == "designated" or any(t.get(k) in ("lane", "track") for k in
                                      ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")):
        bike_factor = min(bike_factor, 0.85)
    if flags & ROUGH:
        bike_factor *= 1.3

    # driving
    car = hw in CAR_HIGHWAYS and t.get("area") != "yes"
    mv = t.get("motor_vehicle") or t.get("motorcar") or t.get("vehicle")
    if access in NO and mv not in YES:
        car = False
    if mv in NO:
        car = False
    car_f = car and not one_bwd
    car_b = car and not one_fwd
    if car and (one_fwd or one_bwd):
        flags |= ONEWAY
    kmh = maxspeed_kmh(t.get("maxspeed")) or float(DEFAULT_KMH.get(hw or "", 30))
    return {"walk_f": walk_f, "walk_b": walk_b, "bike_f": bike_f, "bike_b": bike_b, "car_f": car_f,
            "car_b": car_b, "kmh": kmh, "bike_factor": bike_factor, "flags": flags,
            "incline": incline, "highway": hw or ("platform" if platform else "")}


def node_flags(t: dict) -> tuple[int, bool]:
    """(flags a traveller meets at this node, True when it blocks step-free travel)."""
    flags = 0
    kerb = t.get("kerb")
    crossing = t.get("highway") == "crossing" or "crossing" in t or t.get("railway") == "crossing"
    if t.get("highway") == "traffic_signals" or t.get("crossing") == "traffic_signals":
        flags |= SIGNALS
    if t.get("highway") == "elevator":
        flags |= ELEVATOR
    if crossing:
        flags |= CROSSING
    blocks = False
    if kerb == "raised" or (t.get("barrier") == "kerb" and kerb == "raised"):
        flags |= KERB_RAISED
        blocks = True
    elif (crossing or t.get("barrier") == "kerb") and kerb is None:
        flags |= KERB_UNKNOWN
    if t.get("wheelchair") == "no":
        flags |= WHEELCHAIR_NO
        blocks = True
    if t.get("barrier") in ("steps", "stile", "turnstile", "kissing_gate"):
        blocks = True
    return flags, blocks
