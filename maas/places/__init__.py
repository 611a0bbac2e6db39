"""Places by name: the geocoder index over stops, stations, POIs, addresses, streets, bike
stations and P+R lots (compiled by ``maas build``, searched by ``Network.geocode``)."""
from __future__ import annotations

from maas.places.compile import PLACES_DIR, compile_places, places_digest, read_places_digest, save_places
from maas.places.index import PlaceIndex, PlaceMatch
from maas.places.text import fold

__all__ = ["PLACES_DIR", "PlaceIndex", "PlaceMatch", "compile_places", "fold", "places_digest",
           "read_places_digest", "save_places"]
