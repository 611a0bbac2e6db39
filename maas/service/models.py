"""Pydantic models of the HTTP API (``/v1``): the shapes documented in the architecture's HTTP contract.

The planner builds plain dicts (``Network.plan``). The lookup endpoints are validated against
these models by FastAPI; ``/v1/plan`` writes the planner's dict straight to JSON (a pydantic round
trip cost three times the serialisation), and the tests hold every plan body to ``PlanResponse``
(validated, then dumped back unchanged). Models that may grow carry ``extra="allow"``: keys the
planner adds (``intermediate_stops``, mobility details...) pass through unchanged. Serialise with
``by_alias=True`` (``from`` is a Python keyword) and ``exclude_unset=True`` (optional ids appear
only where the planner set them, while an explicit ``null`` such as an unknown
``spaces_available`` is kept).
"""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

_OPEN = ConfigDict(extra="allow", populate_by_name=True)


class Place(BaseModel):
    """Where a leg starts or ends; the id fields say what is there."""

    model_config = _OPEN
    name: str = ""
    lat: float
    lon: float
    stop_id: Optional[str] = Field(None, description="transit legs (and walks from/to a stop)")
    station_id: Optional[str] = Field(None, description="bike-share legs: the docking station")
    vehicle_id: Optional[str] = Field(None, description="car-share legs: the vehicle taken")
    lot_id: Optional[str] = Field(None, description="park & ride car legs: the lot parked at")


class Step(BaseModel):
    """One turn-by-turn instruction of a walking or cycling leg."""

    model_config = _OPEN
    instruction: str = Field(description="e.g. 'Turn left onto Strada Paris' (in the request's lang)")
    relative_direction: str = Field(description="DEPART | CONTINUE | LEFT | RIGHT | SLIGHTLY_LEFT | SLIGHTLY_RIGHT | UTURN")
    absolute_direction: str = Field(description="NORTH | NORTHEAST | ... at the start of the step")
    street: str = Field("", description="the street's name ('' when the way has none)")
    kind: str = Field("", description="footway, steps, crossing, residential ... (OSM highway class)")
    distance_m: float
    lat: float
    lon: float


class AccessibilityNote(BaseModel):
    """Something on a walking leg that a wheelchair user or a parent with a stroller should know."""

    model_config = _OPEN
    feature: str = Field(description="steps | raised_kerb | wheelchair_no | steep | kerb_unknown | rough | limited | crow_fly")
    text: str
    count: Optional[int] = None
    distance_m: Optional[float] = None


class Alert(BaseModel):
    """A GTFS-RT service alert (texts in the request's language when the feed has it)."""

    model_config = _OPEN
    id: str
    header: Optional[str] = None
    description: Optional[str] = None
    effect: str = Field(description="GTFS-RT Effect, e.g. DETOUR, REDUCED_SERVICE, MODIFIED_SERVICE")
    cause: str = Field(description="GTFS-RT Cause, e.g. CONSTRUCTION, ACCIDENT")
    url: Optional[str] = None


class Leg(BaseModel):
    """One leg: a walk, a ride on a transit trip, a bike-share or car-share ride, a drive."""

    model_config = _OPEN
    mode: str = Field(description="WALK | TRAM | TROLLEYBUS | BUS | FERRY | RAIL | BIKE_SHARE | CAR_SHARE | CAR")
    departure: str = Field(description="ISO 8601 local time with offset")
    arrival: str = Field(description="ISO 8601 local time with offset")
    distance_m: float = 0.0
    from_: Place = Field(alias="from")
    to: Place
    route_short_name: Optional[str] = None
    route_id: Optional[str] = None
    trip_id: Optional[str] = None
    headsign: Optional[str] = None
    wheelchair: Optional[str] = Field(None, description="accessible | unknown | not_accessible")
    intermediate_stops: Optional[list[str]] = None
    geometry: list[list[float]] = Field(default_factory=list, description="[[lat, lon], ...]")
    polyline: str = Field("", description="the geometry as an encoded polyline (precision 5)")
    street_model: Optional[str] = Field(None, description="street legs: osm (on the OSM streets) | crow_fly")
    steps: Optional[list[Step]] = Field(None, description="walking and cycling legs: turn-by-turn instructions")
    accessibility_notes: Optional[list[AccessibilityNote]] = Field(
        None, description="walking legs: what makes the way not accessible or of unknown accessibility")
    realtime: Optional[bool] = Field(None, description="transit legs: times from a real-time update")
    realtime_source: Optional[str] = Field(None, description="trip_update | vehicle_position (null: schedule)")
    delay_s: Optional[int] = Field(None, description="transit legs: departure delay against the schedule")
    scheduled_departure: Optional[str] = None
    scheduled_arrival: Optional[str] = None
    alerts: Optional[list[Alert]] = Field(None, description="transit legs: alerts on the route, trip or stops")


class Price(BaseModel):
    model_config = _OPEN
    amount: float
    currency: str = "RON"


class Itinerary(BaseModel):
    model_config = _OPEN
    departure: str
    arrival: str
    duration_s: int
    transfers: int
    walk_distance_m: float
    co2_g: int
    price: Price
    legs: list[Leg]
    alerts: list[Alert] = Field(default_factory=list, description="every alert of its transit legs, once")


class ParkingLot(BaseModel):
    """A park & ride lot (in `/v1/park-and-ride` and in each park & ride option of a plan)."""

    model_config = _OPEN
    id: str
    name: str = ""
    lat: float
    lon: float
    capacity: Optional[int] = None
    spaces_available: Optional[int] = Field(None, description="null = unknown")


class ParkRideOption(BaseModel):
    model_config = _OPEN
    lot: ParkingLot
    itinerary: Itinerary


class Message(BaseModel):
    """Why an answer is empty or degraded (NO_SERVICE_ON_DATE, ORIGIN_TOO_FAR, ...)."""

    model_config = _OPEN
    code: str
    text: str


class ResolvedPlace(BaseModel):
    """What a request's ``from`` or ``to`` was resolved to (a stop, coordinates, a geocoded place)."""

    model_config = _OPEN
    name: str = ""
    lat: float
    lon: float
    kind: str = Field(description="stop | coordinates | poi | address | street | bike_station | park_and_ride")
    stop_id: Optional[str] = Field(None, description="when a stop (the station's representative stop)")
    stop_ids: Optional[list[str]] = Field(None, description="every stop of a station, all used by the router")
    id: Optional[str] = Field(None, description="the geocoder's id of the place")


class PlanResponse(BaseModel):
    model_config = _OPEN
    from_: Optional[ResolvedPlace] = Field(None, alias="from")
    to: Optional[ResolvedPlace] = None
    itineraries: list[Itinerary] = Field(default_factory=list)
    park_and_ride: list[ParkRideOption] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)


# ----- errors -------------------------------------------------------------------------------

class ErrorItem(BaseModel):
    model_config = _OPEN
    loc: list[Any]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    """HTTP 422: each item names the parameter in ``loc`` and starts ``msg`` with it."""

    detail: list[ErrorItem]


class ErrorResponse(BaseModel):
    detail: str


# ----- lookups ------------------------------------------------------------------------------

class Stop(BaseModel):
    model_config = _OPEN
    stop_id: str
    name: str
    lat: float
    lon: float
    wheelchair: str = Field(description="accessible | unknown | not_accessible (wheelchair_boarding)")
    routes: list[str] = Field(default_factory=list, description="short names of the routes calling here")
    distance_m: Optional[float] = Field(None, description="only with ?near=: crow-fly distance")


class StopsResponse(BaseModel):
    stops: list[Stop]
    total: int = Field(description="stops matching before limit/offset")


class Route(BaseModel):
    model_config = _OPEN
    route_id: str
    short_name: str
    long_name: str
    mode: str
    color: Optional[str] = None
    route_type: Optional[int] = None


class RoutesResponse(BaseModel):
    routes: list[Route]


class BikeStation(BaseModel):
    model_config = _OPEN
    station_id: str
    name: str = ""
    lat: float
    lon: float


class BikeStationsResponse(BaseModel):
    stations: list[BikeStation]


class Vehicle(BaseModel):
    model_config = _OPEN
    vehicle_id: str
    lat: float
    lon: float


class VehiclesResponse(BaseModel):
    vehicles: list[Vehicle]


class ParkingLotsResponse(BaseModel):
    lots: list[ParkingLot]


class NetworkStats(BaseModel):
    """What is served (no filesystem paths: the folder is the operator's business)."""

    model_config = _OPEN
    timezone: str
    generation: int = Field(0, description="reload generation (maas serve --workers N: the same in every worker)")
    stops: int
    routes: int
    patterns: int = Field(description="RAPTOR routes (stop patterns)")
    trips: int
    footpaths: int
    feed_start: str = Field(description="first date that can be planned")
    feed_end: str = Field(description="last date that can be planned")
    digest: Optional[str] = None


class SourceState(BaseModel):
    """One mobility source, named by its id (never a path)."""

    model_config = _OPEN
    id: str = Field(description="velotm, carshare, parking...")
    kind: str = Field(description="gbfs | parking")
    status: str = Field(description="ok | degraded (last refresh failed, older data used) | stale | unavailable")
    error: Optional[str] = Field(None, description="the feed file, record and field at fault")


class MobilityState(BaseModel):
    model_config = _OPEN
    bike_stations: int = 0
    vehicles: int = 0
    parking_lots: int = 0
    next_refresh_in_s: Optional[float] = None
    last_refresh: Optional[str] = None
    last_refresh_error: Optional[str] = None
    refreshes: int = 0
    sources: list[SourceState] = Field(default_factory=list)


class HealthResponse(BaseModel):
    model_config = _OPEN
    status: str
    version: str
    loaded_at: str
    uptime_s: float
    pid: int = Field(description="the server process that answered (one of `maas serve --workers N`)")
    digest: Optional[str] = Field(None, description="digest of the network's inputs: which network answered")
    generation: int = Field(0, description="reload generation served by this process")
    network: NetworkStats
    mobility: Optional[MobilityState] = None
    reload_error: Optional[str] = Field(None, description="set while the last reload failed here")


class ReadyResponse(BaseModel):
    """``GET /v1/ready``: 200 when ready to take traffic, 503 otherwise."""

    status: str = Field(description="ready | not_ready")
    pid: int
    generation: int
    checks: dict[str, bool] = Field(description="network_loaded, warm, sources_fresh, reloads_applied")
    reasons: list[str] = Field(default_factory=list)


class ReloadResponse(BaseModel):
    status: str
    loaded_at: str
    seconds: float
    generation: int = Field(0, description="the new generation; every worker serves it within 2 s")
    pid: int = 0
    network: NetworkStats


# ----- places (geocoder) ------------------------------------------------------------------------

class GeocodeResult(BaseModel):
    """One place found by ``/v1/geocode`` or ``/v1/reverse``."""

    id: str = Field(description="stable id: stop:ID, station:ID, osm:n123 / osm:w45, addr:..., street:..., bike:ID, pr:ID")
    kind: str = Field(description="stop | poi | address | street | bike_station | park_and_ride")
    name: str
    label: str = Field(description="what tells same-named places apart: kind, lines, street, area")
    lat: float
    lon: float
    stop_id: Optional[str] = Field(None, description="stops: the stop id to plan from (a station's representative stop)")
    category: Optional[str] = Field(None, description="POIs: the OSM category (university, mall, park...)")
    distance_m: Optional[float] = Field(None, description="/v1/reverse: distance from the point")


class GeocodeResponse(BaseModel):
    results: list[GeocodeResult] = Field(default_factory=list)


# ----- real time ----------------------------------------------------------------------------

class DepartureStop(BaseModel):
    model_config = _OPEN
    stop_id: str
    name: str = ""
    lat: float
    lon: float
    wheelchair: Optional[str] = None


class Departure(BaseModel):
    """One departure from a stop: ``expected`` is null when cancelled (or the stop is skipped)."""

    model_config = _OPEN
    route_short_name: str
    route_id: Optional[str] = None
    headsign: str = ""
    trip_id: str
    stop_id: Optional[str] = None
    scheduled: str
    expected: Optional[str] = None
    delay_s: Optional[int] = None
    realtime: bool = False
    realtime_source: Optional[str] = None
    cancelled: bool = False
    wheelchair: str = "unknown"


class DeparturesResponse(BaseModel):
    model_config = _OPEN
    stop: DepartureStop
    departures: list[Departure]
    messages: list[Message] = Field(default_factory=list)


class AlertFull(Alert):
    """An alert with what it is about and when it applies (``GET /v1/alerts``)."""

    informed_entities: list[dict] = Field(default_factory=list)
    active_periods: list[dict] = Field(default_factory=list, description="[{start, end}] ISO times, null = open")


class AlertsResponse(BaseModel):
    alerts: list[AlertFull]


class TransitVehicle(BaseModel):
    model_config = _OPEN
    id: str
    trip_id: Optional[str] = None
    route_id: Optional[str] = None
    route_short_name: Optional[str] = None
    lat: float
    lon: float
    bearing: Optional[float] = None
    delay_s: Optional[int] = Field(None, description="estimated from the position against the matched trip")
    timestamp: Optional[str] = None


class TransitVehiclesResponse(BaseModel):
    vehicles: list[TransitVehicle]
