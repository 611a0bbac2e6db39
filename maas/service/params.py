"""Strict query parameters for every endpoint of the API.

The rules, applied to all routes by one app-level dependency (:func:`strict_query`), so that an
endpoint added later gets them without a line of its own:

* a parameter that takes one value and is given twice is a 422 naming it (FastAPI would silently
  take the last one);
* integers are ASCII digits with an optional sign, numbers ASCII decimals (optional exponent):
  no Arabic-Indic or full-width digits, no ``1_000``, no ``nan``/``inf``, no spaces;
* booleans are ``true`` or ``false``.

Strings are held to the patterns below with ``Query(pattern=...)``, which also puts them in the
OpenAPI schema, so a request valid by the schema is one the service accepts and the other way
round. :func:`pattern_hint` turns a pattern mismatch into a reason a person can read.
"""
from __future__ import annotations

import re
import typing
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

_DEC = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_LAT = r"[+-]?(?:90(?:\.0*)?|[0-8]?[0-9](?:\.[0-9]*)?)"
_LON = r"[+-]?(?:180(?:\.0*)?|(?:1[0-7][0-9]|[0-9]?[0-9])(?:\.[0-9]*)?)"

DATE_PATTERN = r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?$"
"""``YYYY-MM-DD``, or empty for the default (today)."""
TIME_PATTERN = r"^(?:[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?$"
"""``HH:MM`` or ``HH:MM:SS`` (hours up to 47), or empty for the default (now)."""
LATLON_PATTERN = rf"^{_LAT},{_LON}$"
"""``<lat>,<lon>`` in WGS84 decimal degrees, ASCII digits, within range."""
_NAME_CHAR = r"(?:[^\x00-\x1f\x7f\d]|[0-9])"   # no control characters; digits only in ASCII
PLACE_PATTERN = rf"^(?:stop:[^\s].*|{_LAT},{_LON}|{_NAME_CHAR}*[^\W\d_]{_NAME_CHAR}*)$"
"""``stop:<stop_id>``, ``<lat>,<lon>`` or a place name to geocode (with a letter, no control
characters, digits only in ASCII; at most 200 characters, said by ``maxLength``). Written without
look-arounds: the service (Rust regex) and the schema's users (Python re) read it alike."""

_HINTS = {
    DATE_PATTERN: "expected a date YYYY-MM-DD",
    TIME_PATTERN: "expected a time HH:MM or HH:MM:SS",
    LATLON_PATTERN: "expected <lat>,<lon> in decimal degrees (ASCII digits, -90..90, -180..180)",
    PLACE_PATTERN: "expected stop:<stop_id>, <lat>,<lon> in decimal degrees (ASCII digits) or a place name",
}



def one_of_pattern(words, hint: str | None = None) -> str:
    """Pattern of exactly one of ``words`` (registered with a hint naming them)."""
    pattern = "^(?:" + "|".join(re.escape(w) for w in words) + ")$"
    register_hint(pattern, hint or ("expected one of: " + ", ".join(words)))
    return pattern


def list_of_pattern(words, hint: str | None = None) -> str:
    """Pattern of a comma-separated list of ``words`` (one or more)."""
    alt = "(?:" + "|".join(re.escape(w) for w in words) + ")"
    pattern = f"^{alt}(?:,{alt})*$"
    register_hint(pattern, hint or ("expected a comma-separated list of: " + ", ".join(words)))
    return pattern


def Pattern(pattern: str):  # noqa: N802 - used as a type
    """``str`` held to ``pattern``, for the items of a list parameter (``list[Pattern(...)]``)."""
    from typing import Annotated

    from pydantic import StringConstraints
    return Annotated[str, StringConstraints(pattern=pattern)]


_INT_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(rf"[+-]?{_DEC}(?:[eE][+-]?[0-9]+)?")
_BOOL_WORDS = ("true", "false")


def register_hint(pattern: str, hint: str) -> None:
    """Say in words what a pattern of a new endpoint expects (used in its 422 messages)."""
    _HINTS[pattern] = hint


def pattern_hint(pattern: str | None) -> str:
    """A readable reason for a value that does not match ``pattern``."""
    return _HINTS.get(pattern or "", "invalid format")


def _kind(annotation: Any) -> tuple[str, bool]:
    """(``int``/``float``/``bool``/``str``/``other``, takes several values?) of a parameter type."""
    seq = False
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        seq = True
        annotation = args[0] if args else str
    elif args:                                   # Optional[X] / X | None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _kind(inner[0])
    for name, typ in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if annotation is typ:
            return name, seq
    return "other", seq


def _route_params(route: Any) -> dict[str, tuple[str, bool]]:
    # kept on the route itself: an id()-keyed cache could hand one app's route to another's
    hit = getattr(route, "_maas_query_kinds", None)
    if hit is None:
        hit = {}
        dependant = getattr(route, "dependant", None)
        stack = [dependant] if dependant is not None else []
        while stack:                             # the endpoint's own and its dependencies' params
            d = stack.pop()
            for f in getattr(d, "query_params", ()):
                hit[f.alias] = _kind(f.field_info.annotation)
            stack.extend(getattr(d, "dependencies", ()))
        try:
            route._maas_query_kinds = hit
        except AttributeError:
            pass
    return hit


def _error(name: str, msg: str, value: Any, kind: str = "value_error") -> dict:
    return {"loc": ["query", name], "msg": f"{name}: {msg}", "type": kind, "input": value}


def strict_query(request: Request) -> None:
    """App-level dependency: repeated single-valued parameters, ASCII numbers, strict booleans."""
    route = request.scope.get("route")
    if route is None:
        return
    params = _route_params(route)
    if not params:
        return
    errors: list[dict] = []
    seen: dict[str, int] = {}
    for name, value in request.query_params.multi_items():
        spec = params.get(name)
        if spec is None:
            continue
        kind, seq = spec
        seen[name] = seen.get(name, 0) + 1
        if not seq and seen[name] == 2:
            errors.append(_error(name, "given more than once; give it once", value, "repeated_parameter"))
            continue
        if kind == "int" and not _INT_RE.fullmatch(value):
            errors.append(_error(name, "expected a whole number in ASCII digits", value, "int_parsing"))
        elif kind == "float" and not _FLOAT_RE.fullmatch(value):
            errors.append(_error(name, "expected a decimal number in ASCII digits", value, "float_parsing"))
        elif kind == "bool" and value not in _BOOL_WORDS:
            errors.append(_error(name, "expected true or false", value, "bool_parsing"))
    if errors:
        raise RequestValidationError(errors)


def empty_to_none(value: str | None) -> str | None:
    """``date=`` and ``time=`` given empty mean the default, as if they were left out."""
    return value if value else None
