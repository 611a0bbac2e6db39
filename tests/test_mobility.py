"""Mobility sources: sample GBFS + P+R, broken and stale sources, mobility.json, refresh."""
from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from maas.errors import FeedError
from maas.feeds.gbfs import load_gbfs
from maas.feeds.parking import load_parking
from maas.planner.mobility import MIN_NEXT_REFRESH_S, MOBILITY_FILE, Mobility

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stpt-timisoara-synth"
VELOTM, CARSHARE = DATA / "gbfs" / "velotm", DATA / "gbfs" / "carshare"
PARKING = DATA / "park_and_ride.geojson"
pytestmark = pytest.mark.skipif(not (VELOTM.is_dir() and CARSHARE.is_dir() and PARKING.is_file()),
                                reason=f"STPT sample GBFS / P+R data not found under {DATA}")

T_SAMPLE = 1_795_500_000   # last_updated of the sample feeds


def codes(msgs: list[dict]) -> list[str]:
    return [m["code"] for m in msgs]




def folder_routes(folder: Path, prefix: str = "/gbfs/", stamp: int | None = None) -> dict:
    routes = {}
    for f in folder.glob("*.json"):
        doc = json.loads(f.read_text(encoding="utf-8"))
        if stamp is not None:
            doc["last_updated"] = stamp
        routes[prefix + f.name] = (200, json.dumps(doc).encode())
    return routes


def copy_gbfs(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for f in dst.iterdir():
        f.chmod(0o644)
    dst.chmod(0o755)
    return dst


# ----------------------------------------------------------------------------- sample sources

def test_sample_sources_listings(tmp_path: Path) -> None:
    mob = Mobility.from_sources([str(VELOTM), str(CARSHARE)], str(PARKING), folder=str(tmp_path))
    assert mob.messages() == []
    velo, cars = load_gbfs(VELOTM), load_gbfs(CARSHARE)
    lots = load_parking(PARKING)

    stations = mob.bike_stations()
    assert len(stations) == len(velo.stations) == 34
    by_id = {s.station_id: s for s in velo.stations}
    for s in stations:
        ref = by_id[s["id"]]
        assert (s["lat"], s["lon"], s["bikes"], s["docks"]) == (ref.lat, ref.lon, ref.num_bikes_available,
                                                                 ref.num_docks_available)
        assert s["is_renting"] == ref.is_renting and s["is_returning"] == ref.is_returning
        assert s["can_rent"] == ref.can_rent() and s["system_id"] == "velotm" and s["name"] == ref.name
        assert {"capacity", "is_installed"} <= s.keys()

    vehicles = mob.vehicles()
    assert len(vehicles) == len(cars.vehicles) == 40
    vby = {v.vehicle_id: v for v in cars.vehicles}
    for v in vehicles:
        assert v["available"] == vby[v["id"]].is_available() and v["form_factor"] == "car"
        assert v["range_m"] == vby[v["id"]].current_range_meters and v["system_id"] == "tm-carshare"
    assert 0 < sum(v["available"] for v in vehicles) < 40          # some are reserved or disabled

    pl = mob.parking_lots()
    assert [x["id"] for x in pl] == [x.id for x in lots]
    assert pl[5]["spaces_available"] is None and pl[5]["has_space"] is None
    assert {"id", "name", "lat", "lon", "capacity", "spaces_available", "opening_hours"} <= pl[0].keys()

    lines = mob.summary_lines()
    assert any("velotm" in l and "34 stations" in l for l in lines)
    assert any("tm-carshare" in l and "40 vehicles" in l for l in lines)
    assert any(l.startswith("P+R: 6 lots") for l in lines)

    # mobility.json records absolute sources, and loading finds them again
    doc = json.loads((tmp_path / MOBILITY_FILE).read_text())
    assert doc == {"gbfs": [str(VELOTM.absolute()), str(CARSHARE.absolute())], "parking": str(PARKING.absolute())}
    again = Mobility.from_folder(tmp_path)
    assert again is not None and len(again.bike_stations()) == 34 and len(again.parking_lots()) == 6


def test_relative_sources_recorded_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    out = tmp_path / "net"
    Mobility.from_sources(["gbfs/velotm"], "park_and_ride.geojson", folder=str(out))
    doc = json.loads((out / MOBILITY_FILE).read_text())
    # recorded against the working directory as given (not resolved): compare the same files,
    # since ../shared may be a symbolic link
    assert [Path(p).resolve() for p in doc["gbfs"]] == [VELOTM.resolve()]
    assert Path(doc["parking"]).resolve() == PARKING.resolve()
    assert all(Path(p).is_absolute() for p in doc["gbfs"] + [doc["parking"]])
    monkeypatch.chdir(tmp_path)
    assert len(Mobility.from_folder(out).bike_stations()) == 34


def test_from_folder_none_and_overrides(tmp_path: Path) -> None:
    assert Mobility.from_folder(tmp_path) is None                       # nothing recorded, nothing given
    Mobility.from_sources([str(VELOTM)], None, folder=str(tmp_path))
    mob = Mobility.from_folder(tmp_path)
    assert len(mob.bike_stations()) == 34 and mob.vehicles() == [] and mob.parking_lots() == []
    mob = Mobility.from_folder(tmp_path, gbfs=[str(CARSHARE)], parking=str(PARKING))
    assert mob.bike_stations() == [] and len(mob.vehicles()) == 40 and len(mob.parking_lots()) == 6
    assert Mobility.from_folder(tmp_path, gbfs=[]) is None               # explicitly no sources


def test_from_folder_bad_mobility_json(tmp_path: Path) -> None:
    (tmp_path / MOBILITY_FILE).write_text("{not json")
    with pytest.raises(FeedError, match=MOBILITY_FILE):
        Mobility.from_folder(tmp_path)


# ----------------------------------------------------------------------------- broken sources

def test_missing_folder_is_a_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    mob = Mobility.from_sources([str(missing), str(VELOTM)], None)
    msgs = mob.messages()
    assert codes(msgs) == ["GBFS_UNAVAILABLE"] and "source nowhere is unavailable" in msgs[0]["text"]
    assert str(tmp_path) not in msgs[0]["text"]                            # named by id, no path
    assert len(mob.bike_stations()) == 34                                  # the good source still counts
    assert any("UNAVAILABLE" in l and str(missing) in l for l in mob.summary_lines())   # CLI: full detail
    states = {s["id"]: s for s in mob.source_states()}
    assert states["nowhere"]["status"] == "unavailable" and states["velotm"]["status"] == "ok"
    assert str(tmp_path) not in json.dumps(mob.source_states())


def test_bad_json_is_a_message(tmp_path: Path) -> None:
    bad = copy_gbfs(VELOTM, tmp_path / "velotm")
    (bad / "station_status.json").write_text('{"last_updated": 1, "data": {"stations": [')
    mob = Mobility.from_sources([str(bad)], None)
    msgs = mob.messages()
    assert codes(msgs) == ["GBFS_UNAVAILABLE"]
    assert "velotm" in msgs[0]["text"] and "station_status.json" in msgs[0]["text"]
    assert "invalid JSON" in msgs[0]["text"] and str(tmp_path) not in msgs[0]["text"]
    assert mob.bike_stations() == []


def test_http_500_is_a_message(http_server) -> None:
    base = http_server({"/gbfs/gbfs.json": (500, b"boom")})
    url = base + "/gbfs/gbfs.json"
    mob = Mobility.from_sources([url], None)
    msgs = mob.messages()
    assert codes(msgs) == ["GBFS_UNAVAILABLE"] and "source gbfs " in msgs[0]["text"] and "500" in msgs[0]["text"]
    assert "127.0.0.1" not in msgs[0]["text"]


def test_http_source_and_stale(http_server) -> None:
    now = time.time()
    fresh = http_server(folder_routes(VELOTM, stamp=int(now) - 30)) + "/gbfs/gbfs.json"
    stale = http_server(folder_routes(CARSHARE, stamp=int(now) - 3 * 3600)) + "/gbfs/gbfs.json"
    mob = Mobility.from_sources([fresh, stale], None)
    msgs = mob.messages()
    assert codes(msgs) == ["GBFS_STALE"] and "source gbfs-2 is stale" in msgs[0]["text"]    # ids made unique
    assert len(mob.bike_stations()) == 34 and not any(s["stale"] for s in mob.bike_stations())
    assert all(v["stale"] for v in mob.vehicles())


def test_malformed_parking_raises(tmp_path: Path) -> None:
    bad = tmp_path / "pr.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature"}]}))
    with pytest.raises(FeedError, match="pr.geojson"):
        Mobility.from_sources([str(VELOTM)], str(bad))
    with pytest.raises(FeedError, match="file not found"):
        Mobility.from_sources([], str(tmp_path / "missing.geojson"))


def test_recorded_parking_gone_bad_is_a_message(tmp_path: Path) -> None:
    pr = tmp_path / "pr.geojson"
    shutil.copy(PARKING, pr)
    pr.chmod(0o644)
    Mobility.from_sources([], str(pr), folder=str(tmp_path / "net"))
    pr.write_text("[]")
    mob = Mobility.from_folder(tmp_path / "net")
    assert codes(mob.messages()) == ["PARKING_UNAVAILABLE"]
    assert "source parking cannot be read" in mob.messages()[0]["text"] and str(pr) not in mob.messages()[0]["text"]
    with pytest.raises(FeedError):                                 # given explicitly: must be readable
        Mobility.from_folder(tmp_path / "net", parking=str(pr))


# ----------------------------------------------------------------------------- refresh

def test_refresh_by_ttl(tmp_path: Path) -> None:
    src = copy_gbfs(VELOTM, tmp_path / "velotm")
    t0 = 1_000_000.0
    mob = Mobility.from_sources([str(src)], None, now=t0)
    ttl = 60                                                      # the sample's ttl
    assert mob.next_refresh_in(now=t0) == pytest.approx(ttl)
    assert mob.next_refresh_in(now=t0 + 1000) == MIN_NEXT_REFRESH_S
    before = mob.snapshot
    status = json.loads((src / "station_status.json").read_text())
    for s in status["data"]["stations"]:
        s["num_bikes_available"] = 0
    assert mob.refresh(now=t0 + 10) is False                      # ttl not expired, files unchanged
    assert mob.snapshot is before
    assert mob.refresh(now=t0 + ttl + 1) is False                 # re-read at the ttl: same data
    (src / "station_status.json").write_text(json.dumps(status))
    assert mob.refresh(now=t0 + ttl + 1.5) is False               # stats compared at most every second
    assert mob.refresh(now=t0 + ttl + 2.5) is True                # changed on disk: read before the ttl
    assert mob.snapshot is not before and all(s["bikes"] == 0 for s in mob.bike_stations())
    assert before.st_rent.any()                                   # the old snapshot is untouched
    assert mob.refresh(now=t0 + 2 * ttl + 3) is False             # re-read, same data


def test_fault_and_recovery_noticed_by_file_stats(tmp_path: Path) -> None:
    src = copy_gbfs(VELOTM, tmp_path / "velotm")
    pr = tmp_path / "pr.geojson"
    shutil.copy(PARKING, pr)
    t0 = 1_000_000.0
    mob = Mobility.from_sources([str(src)], str(pr), now=t0)
    good = (src / "station_status.json").read_bytes()
    (src / "station_status.json").write_text("")                  # emptied
    pr.write_text("{")                                             # malformed
    assert mob.refresh(now=t0 + 2) is True                         # long before the 60 s ttl
    assert codes(mob.messages()) == ["GBFS_UNAVAILABLE", "PARKING_UNAVAILABLE"]
    assert len(mob.bike_stations()) == 34                          # last good data kept meanwhile
    (src / "station_status.json").write_bytes(good)
    shutil.copy(PARKING, pr)
    assert mob.refresh(now=t0 + 4) is True and mob.messages() == []
    (src / "station_status.json").unlink()                         # missing
    pr.unlink()
    assert mob.refresh(now=t0 + 6) is True
    text = " ".join(m["text"] for m in mob.messages())
    assert codes(mob.messages()) == ["GBFS_UNAVAILABLE", "PARKING_UNAVAILABLE"] and str(tmp_path) not in text


def test_refresh_failure_keeps_last_good_data(tmp_path: Path) -> None:
    src = copy_gbfs(VELOTM, tmp_path / "velotm")
    t0 = 1_000_000.0
    mob = Mobility.from_sources([str(src)], None, now=t0)
    (src / "station_status.json").write_text("garbage")
    assert mob.refresh(now=t0 + 61) is True
    msgs = mob.messages()
    assert codes(msgs) == ["GBFS_UNAVAILABLE"] and "could not be refreshed" in msgs[0]["text"]
    assert len(mob.bike_stations()) == 34                         # still the last good data
    assert mob.next_refresh_in(now=t0 + 61) == pytest.approx(30)  # retried sooner
    shutil.copy(VELOTM / "station_status.json", src / "station_status.json")
    assert mob.refresh(now=t0 + 100) is True and mob.messages() == []


def test_refresh_parking_file(tmp_path: Path) -> None:
    pr = tmp_path / "pr.geojson"
    doc = json.loads(PARKING.read_text())
    pr.write_text(json.dumps(doc))
    t0 = time.time()
    mob = Mobility.from_sources([], str(pr), now=t0)
    doc["features"][0]["properties"]["spaces_available"] = 0
    pr.write_text(json.dumps(doc))
    import os
    os.utime(pr, (t0 + 5, t0 + 5))
    assert mob.refresh(now=t0 + 2) is True
    assert mob.parking_lots()[0]["spaces_available"] == 0 and mob.parking_lots()[0]["has_space"] is False


def test_concurrent_readers_during_refresh(tmp_path: Path) -> None:
    src = copy_gbfs(VELOTM, tmp_path / "velotm")
    mob = Mobility.from_sources([str(src)], None, now=0.0)
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                st = mob.bike_stations()
                assert len(st) == 34
                assert len({s["bikes"] for s in st}) >= 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(1, 6):
        mob.refresh(now=i * 100.0)
    stop.set()
    for t in threads:
        t.join()
    assert not errors


class _EtagServer:
    """Serves ``routes`` ({path: (status, body)}, changeable while running) with an ETag and
    304 Not Modified for a matching If-None-Match, as GBFS servers behind a CDN do."""

    def __init__(self, routes: dict):
        import hashlib
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        self.routes = routes
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits += 1
                status, body = outer.routes.get(self.path, (404, b"not found"))
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/gbfs/gbfs.json"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_url_source_checked_by_etag_between_ttls() -> None:
    now = time.time()
    routes = folder_routes(VELOTM, stamp=int(now))
    srv = _EtagServer(routes)
    try:
        mob = Mobility.from_sources([srv.url], None, now=now)
        assert mob.messages() == [] and mob.check_interval() == 5.0
        before = srv.hits
        assert mob.refresh(now=now + 6) is False                    # every document: 304
        assert srv.hits - before == len(mob.snapshot.gbfs[0].system.validators)
        status = json.loads(routes["/gbfs/station_status.json"][1])
        for s in status["data"]["stations"]:
            s["num_bikes_available"] = 0
        routes["/gbfs/station_status.json"] = (200, json.dumps(status).encode())
        assert mob.refresh(now=now + 12) is True                    # changed: read before the 60 s ttl
        assert all(s["bikes"] == 0 for s in mob.bike_stations())
        routes["/gbfs/station_status.json"] = (500, b"down")
        assert mob.refresh(now=now + 18) is True
        msgs = mob.messages()
        assert codes(msgs) == ["GBFS_UNAVAILABLE"] and "HTTP 500" in msgs[0]["text"] and "127.0.0.1" not in msgs[0]["text"]
        routes["/gbfs/station_status.json"] = (200, json.dumps(status).encode())
        assert mob.refresh(now=now + 24) is True and mob.messages() == []   # retried after 5 s
    finally:
        srv.close()
