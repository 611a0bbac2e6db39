"""Park & ride lots: the Timișoara sample, opening hours, and malformed GeoJSON."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from maas.errors import FeedError
from maas.feeds.parking import ParkingLot, load_parking, parse_opening_hours

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stpt-timisoara-synth"
PR_FILE = DATA / "park_and_ride.geojson"
needs_data = pytest.mark.skipif(not PR_FILE.is_file(), reason=f"sample park & ride file not found: {PR_FILE}")

# 2026-11-23 is a Monday.
MON, TUE, WED, FRI, SAT, SUN = 23, 24, 25, 27, 28, 29


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm)


def lot(hours: str | None, spaces: int | None = 10) -> ParkingLot:
    return ParkingLot("t", "Test", 45.7, 21.2, 100, spaces, hours, None, None)


@needs_data
def test_sample_lots() -> None:
    lots = load_parking(PR_FILE)
    assert [x.id for x in lots] == [f"pr-{i}" for i in range(1, 7)]
    pr1 = lots[0]
    assert pr1 == ParkingLot("pr-1", "P+R Calea Șagului / Shopping City", 45.7232, 21.2036, 400, 96,
                             "Mo-Su 05:00-24:00", "free with STPT pass", 8)  # [lon, lat] -> lat, lon
    assert pr1.has_space() is True
    assert not pr1.is_open(at(TUE, 4, 59)) and pr1.is_open(at(TUE, 5, 0))
    assert pr1.is_open(at(SUN, 23, 59)) and not pr1.is_open(at(MON, 0, 0))  # 24:00 is midnight
    pr6 = next(x for x in lots if x.id == "pr-6")
    assert pr6.spaces_available is None and pr6.has_space() is None and pr6.capacity == 184
    assert json.loads(json.dumps(pr1.to_json())) == {
        "id": "pr-1", "name": "P+R Calea Șagului / Shopping City", "lat": 45.7232, "lon": 21.2036,
        "capacity": 400, "spaces_available": 96, "opening_hours": "Mo-Su 05:00-24:00",
        "fee": "free with STPT pass", "wheelchair_spaces": 8}
    assert pr6.to_json()["spaces_available"] is None


@pytest.mark.parametrize("hours,when,expected", [
    ("24/7", at(SUN, 3), True),
    (None, at(SUN, 3), True),
    ("sunrise-sunset", at(SUN, 3), True),  # not understood: unknown counts as open
    ("Mo-Fr 06:00-22:00; Sa 07:00-20:00", at(FRI, 21, 59), True),
    ("Mo-Fr 06:00-22:00; Sa 07:00-20:00", at(FRI, 22, 0), False),  # end is exclusive
    ("Mo-Fr 06:00-22:00; Sa 07:00-20:00", at(SAT, 6, 59), False),
    ("Mo-Fr 06:00-22:00; Sa 07:00-20:00", at(SAT, 7, 0), True),
    ("Mo-Fr 06:00-22:00; Sa 07:00-20:00", at(SUN, 12), False),  # day not listed: closed
    ("Mo,We 08:00-10:00", at(TUE, 9), False),
    ("Mo,We 08:00-10:00", at(WED, 9), True),
    ("Mo-Su 05:00-24:00; Su off", at(SUN, 12), False),  # later rule overrides
    ("Mo-Su 05:00-24:00; Su off", at(SAT, 12), True),
    ("Fr-Mo 22:00-02:00", at(SAT, 1, 30), True),  # wraps the week; spills past midnight
    ("Fr-Mo 22:00-02:00", at(TUE, 1, 30), True),  # Monday night's hours
    ("Fr-Mo 22:00-02:00", at(WED, 1, 30), False),
    ("Fr-Mo 22:00-02:00", at(TUE, 22, 30), False),
    ("Mo-Fr 07:00-12:00, 13:00-19:00", at(MON, 12, 30), False),
    ("Mo-Fr 07:00-12:00, 13:00-19:00", at(MON, 13, 0), True),
    ("Mo-Fr 08:00-20:00; PH off", at(TUE, 10), True),  # holiday rule ignored
    ("Sa", at(SAT, 3), True),  # days without times: all day
])
def test_is_open(hours: str | None, when: datetime, expected: bool) -> None:
    assert lot(hours).is_open(when) is expected


def test_opening_hours_parser_rejects_what_it_does_not_understand() -> None:
    assert parse_opening_hours("Jan-Mar 10:00-12:00") is None
    assert parse_opening_hours("Mo-Fr 25:00-26:00") is None
    assert parse_opening_hours("Mo-Fr 8-17") is None
    week = parse_opening_hours("Mo-Fr 06:00-22:00; Sa 07:00-20:00")
    assert week is not None and week[5] == ((420, 1200),) and week[6] == ()


def test_has_space() -> None:
    assert lot(None, 0).has_space() is False
    assert lot(None, 3).has_space() is True
    assert lot(None, None).has_space() is None


# ----------------------------------------------------------------------------- malformed input

def feature(i: int, **props: Any) -> dict:
    base = {"id": f"pr-{i}", "name": f"Lot {i}", "capacity": 100, "spaces_available": 10,
            "opening_hours": "24/7", "fee": None, "wheelchair_spaces": 2}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [21.2 + i / 100, 45.7]},
            "properties": base | props}


def collection() -> dict:
    return {"type": "FeatureCollection", "features": [feature(1), feature(2), feature(3)]}


def write(tmp_path: Path, content: Any, name: str = "lots.geojson") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_small_valid_file_and_unknown_spaces(tmp_path: Path) -> None:
    doc = collection()
    doc["features"][1]["properties"]["spaces_available"] = None
    del doc["features"][2]["properties"]["spaces_available"]
    doc["features"][0]["properties"]["capacity"] = 250.0  # whole float accepted
    lots = load_parking(write(tmp_path, doc))
    assert [(x.id, x.capacity, x.spaces_available) for x in lots] == [
        ("pr-1", 250, 10), ("pr-2", 100, None), ("pr-3", 100, None)]
    assert (lots[0].lon, lots[0].lat) == (21.21, 45.7)


Edit = Callable[[dict], None]


def prop(index: int, key: str, value: Any) -> Edit:
    def edit(doc: dict) -> None:
        doc["features"][index]["properties"][key] = value
    return edit


@pytest.mark.parametrize("edit,row,field", [
    (prop(1, "id", "pr-1"), 2, "id"),
    (prop(2, "capacity", "many"), 3, "capacity"),
    (prop(0, "spaces_available", -5), 1, "spaces_available"),
    (prop(1, "wheelchair_spaces", 1.5), 2, "wheelchair_spaces"),
    (prop(2, "capacity", True), 3, "capacity"),
    (prop(0, "opening_hours", 24), 1, "opening_hours"),
    (prop(1, "name", ""), 2, "name"),
    (lambda d: d["features"][2]["properties"].pop("id"), 3, "id"),
    (lambda d: d["features"][1]["geometry"].update(coordinates=[21.2]), 2, "geometry.coordinates"),
    (lambda d: d["features"][0]["geometry"].update(coordinates=[45.7, 121.2]), 1, "geometry.coordinates"),
    (lambda d: d["features"][0]["geometry"].update(coordinates=["21.2", "45.7"]), 1, "geometry.coordinates"),
    (lambda d: d["features"][2].update(geometry={"type": "Polygon", "coordinates": []}), 3, "geometry.type"),
    (lambda d: d["features"][1].pop("properties"), 2, "properties"),
    (lambda d: d.update(type="Feature"), None, "type"),
    (lambda d: d.update(features={"a": 1}), None, "features"),
])
def test_malformed_names_file_row_field(tmp_path: Path, edit: Edit, row: int | None, field: str) -> None:
    doc = copy.deepcopy(collection())
    edit(doc)
    path = write(tmp_path, doc)
    with pytest.raises(FeedError) as info:
        load_parking(path)
    err, text = info.value, str(info.value)
    assert (err.issue.file, err.issue.row, err.issue.field) == (str(path), row, field)
    assert str(path) in text and f"field {field}" in text
    assert (f"row {row}" in text) == (row is not None)


def test_duplicate_id_message_points_at_first(tmp_path: Path) -> None:
    doc = collection()
    doc["features"][2]["properties"]["id"] = "pr-1"
    with pytest.raises(FeedError, match=r"row 3 field id: duplicate id 'pr-1' \(first at row 1\)"):
        load_parking(write(tmp_path, doc))


def test_missing_and_invalid_json_files(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"absent\.geojson.*file not found"):
        load_parking(tmp_path / "absent.geojson")
    with pytest.raises(FeedError, match=r"broken\.geojson.*invalid JSON.*line 2"):
        load_parking(write(tmp_path, '{"type": "FeatureCollection",\n "features": [,]}', "broken.geojson"))
