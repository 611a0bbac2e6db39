"""The `maas` command line on the generated sample: build (and reuse), transfers, plan (text and JSON,
arrive-by), sample, validate, and bad usage (exit 2, one stderr line, no traceback)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from maas.cli import main
from maas.feeds.sample import write_sample

PV = "45.7537,21.2257"       # Piața Victoriei
DAY = "2026-11-24"           # a Tuesday in the feed, winter time (+02:00)
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+02:00$")


@pytest.fixture(scope="module")
def feeds(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("feeds")
    write_sample(d)
    return d


@pytest.fixture(scope="module")
def network(feeds, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("net") / "timisoara"
    assert main(["build", str(feeds / "gtfs.zip"), "-o", str(out)]) == 0
    return out


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def plan_json(capsys, network: Path, *args: str) -> dict:
    code, out, err = run(capsys, "plan", str(network), "--json", *args)
    assert code == 0, err
    return json.loads(out)


# ----------------------------------------------------------------------------- build


def test_build_writes_the_network_folder(network):
    meta = json.loads((network / "timetable.json").read_text())
    assert meta["timezone"] == "Europe/Bucharest" and meta["digest"]
    arrays = {p.stem for p in (network / "arrays").glob("*.npy")}
    assert {"stop_id", "arr_time", "dep_time", "route_stops", "fp_to", "trip_id"} <= arrays
    assert set(meta["arrays"]) == arrays


def test_second_build_is_reused_and_force_rebuilds(feeds, network, capsys):
    before = (network / "timetable.json").read_text()
    code, out, _ = run(capsys, "build", str(feeds / "gtfs.zip"), "-o", str(network))
    assert code == 0 and "reused" in out and "34 stops" in out
    assert (network / "timetable.json").read_text() == before
    code, out, _ = run(capsys, "build", str(feeds / "gtfs.zip"), "-o", str(network), "--force")
    assert code == 0 and "reused" not in out and ": built in " in out


def _rewrite_zip(src: Path, dst: Path, name: str, edit) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(data) if info.filename == name else data)


def test_changing_the_feed_rebuilds(feeds, tmp_path, capsys):
    zip_path = tmp_path / "gtfs.zip"
    zip_path.write_bytes((feeds / "gtfs.zip").read_bytes())
    out_dir = tmp_path / "net"
    assert run(capsys, "build", str(zip_path), "-o", str(out_dir))[0] == 0
    changed = tmp_path / "changed.zip"
    _rewrite_zip(zip_path, changed, "stops.txt", lambda b: b.replace("Gara de Nord".encode(), b"Gara Nord"))
    zip_path.write_bytes(changed.read_bytes())
    code, out, _ = run(capsys, "build", str(zip_path), "-o", str(out_dir))
    assert code == 0 and "reused" not in out and ": built in " in out
    code, out, _ = run(capsys, "plan", str(out_dir), "--from", "stop:GN", "--to", PV, "--date", DAY, "--time", "08:00")
    assert code == 0 and "Gara Nord" in out and "Gara de Nord" not in out
    # a different footpath radius is a different network too
    code, out, _ = run(capsys, "build", str(zip_path), "-o", str(out_dir), "--radius", "300")
    assert code == 0 and "reused" not in out


def test_build_with_gbfs_and_parking_like_make_network(feeds, tmp_path, capsys):
    code, out, err = run(capsys, "build", str(feeds / "gtfs.zip"), "-o", str(tmp_path / "net"),
                         "--gbfs", str(feeds / "gbfs" / "velotm"), "--gbfs", str(feeds / "gbfs" / "carshare"),
                         "--parking", str(feeds / "park_and_ride.geojson"))
    assert code == 0, err
    assert "Traceback" not in err
    res = plan_json(capsys, tmp_path / "net", "--from", "stop:GN", "--to", PV, "--date", DAY, "--time", "08:00",
                    "--modes", "WALK,TRANSIT,BIKE_SHARE,CAR_SHARE,PARK_RIDE")
    assert res["itineraries"]


def test_validate_and_sample_commands(feeds, tmp_path, capsys):
    code, out, err = run(capsys, "validate", str(feeds / "gtfs.zip"))
    assert code == 0 and err == "" and out.splitlines()[-1].startswith("0 errors, ")
    code, out, err = run(capsys, "sample", str(tmp_path / "s"))
    assert code == 0 and err == "" and str(tmp_path / "s" / "gtfs.zip") in out
    assert (tmp_path / "s" / "gtfs.zip").read_bytes() == (feeds / "gtfs.zip").read_bytes()


# ----------------------------------------------------------------------------- transfers


def _transfers(capsys, network: Path, profile: str) -> dict[tuple[str, str], int]:
    code, out, err = run(capsys, "transfers", str(network), "--profile", profile)
    assert code == 0, err
    assert out.splitlines()[0] == "from_stop_id,to_stop_id,duration_s"
    rows = list(csv.DictReader(io.StringIO(out)))
    table = {(r["from_stop_id"], r["to_stop_id"]): int(r["duration_s"]) for r in rows}
    assert len(table) == len(rows), "duplicate pairs"
    return table


def test_transfers_csv(network, capsys):
    default = _transfers(capsys, network, "default")
    senior = _transfers(capsys, network, "senior")
    stops = {a for a, _ in default}
    assert len(stops) == 34 and "PV" not in stops          # the parent station is not a stop
    assert all((s, s) in default for s in stops)             # the change time at every stop
    assert default[("PLI", "PLI")] == 60 and senior[("PLI", "PLI")] == 180
    assert default[("GN", "GN")] == 180                      # transfers.txt same-stop minimum
    assert set(default) == set(senior)                       # same footpaths, other speeds
    walks = [k for k in default if k[0] != k[1]]
    assert walks and all(senior[k] >= default[k] for k in walks)
    assert senior[("PLI", "PU")] > default[("PLI", "PU")]
    for a, b in walks:                                      # footpaths go both ways
        assert (b, a) in default


def test_transfers_txt_pair_minimum_is_kept(network, capsys):
    default = _transfers(capsys, network, "default")
    assert default[("PV1", "PV2")] == 240 and default[("PV2", "PV1")] == 240


# ----------------------------------------------------------------------------- plan


def test_plan_json_follows_the_contract(network, capsys):
    res = plan_json(capsys, network, "--from", "stop:GN", "--to", PV, "--date", DAY, "--time", "08:00")
    assert set(res) >= {"itineraries", "park_and_ride", "messages"}
    assert res["itineraries"]
    for it in res["itineraries"]:
        assert {"departure", "arrival", "duration_s", "transfers", "walk_distance_m", "co2_g", "price",
                "legs"} <= set(it)
        assert ISO_RE.match(it["departure"]) and ISO_RE.match(it["arrival"])
        assert it["departure"] >= f"{DAY}T08:00:00+02:00"
        dep, arr = dt.datetime.fromisoformat(it["departure"]), dt.datetime.fromisoformat(it["arrival"])
        assert (arr - dep).total_seconds() == it["duration_s"]
        assert it["price"]["currency"] == "RON"
        for leg in it["legs"]:
            assert {"mode", "departure", "arrival", "from", "to", "geometry"} <= set(leg)
            assert ISO_RE.match(leg["departure"]) and ISO_RE.match(leg["arrival"])
            assert {"name", "lat", "lon"} <= set(leg["from"]) and {"name", "lat", "lon"} <= set(leg["to"])
            if leg["mode"] != "WALK":
                assert leg["mode"] in {"TRAM", "TROLLEYBUS", "BUS"}
                assert {"trip_id", "route_short_name", "route_id", "headsign", "wheelchair"} <= set(leg)
                assert leg["from"]["stop_id"] and leg["to"]["stop_id"]
    first_ride = next(leg for leg in res["itineraries"][0]["legs"] if leg["mode"] != "WALK")
    assert first_ride["from"]["stop_id"] == "GN"
    assert first_ride["mode"] == "TRAM" and first_ride["route_short_name"] == "1"


def test_plan_text_output(network, capsys):
    code, out, err = run(capsys, "plan", str(network), "--from", "stop:GN", "--to", PV, "--date", DAY,
                         "--time", "08:00")
    assert code == 0 and err == ""
    assert out.startswith("1. 08:00 -> ") and "TRAM 1 to Piața Romanilor: Gara de Nord ->" in out


def test_arrive_by_arrives_in_time(network, capsys):
    res = plan_json(capsys, network, "--from", "stop:GN", "--to", PV, "--date", DAY, "--time", "09:00",
                    "--arrive-by")
    its = res["itineraries"]
    assert its
    deadline = dt.datetime.fromisoformat(f"{DAY}T09:00:00+02:00")
    arrivals = [dt.datetime.fromisoformat(it["arrival"]) for it in its]
    assert all(a <= deadline for a in arrivals)
    # the latest useful departure, not some early-morning trip
    assert max(dt.datetime.fromisoformat(it["departure"]) for it in its) >= deadline - dt.timedelta(minutes=30)


def test_summer_time_offset(network, capsys):
    res = plan_json(capsys, network, "--from", "stop:GN", "--to", PV, "--date", "2027-04-06", "--time", "08:00")
    assert res["itineraries"][0]["departure"].endswith("+03:00")


def test_no_connection_gets_a_message_not_an_error(network, capsys):
    # Calea Torontalului (bus 33 only) to Ronaț (tram 2 only) needs a transfer: none allowed
    res = plan_json(capsys, network, "--from", "stop:CTO", "--to", "stop:RON", "--date", DAY, "--time", "08:00",
                    "--max-transfers", "0")
    assert res["itineraries"] == [] and res["messages"]


BAD_PLAN = [
    (["--from", "stop:NOPE"], "unknown stop 'NOPE'"),
    (["--to", "91,200"], "out of range"),
    (["--date", "2026-13-45"], "date"),
    (["--date", "2028-01-01"], "outside"),
    (["--time", "25:99"], "time"),
    (["--profile", "astronaut"], "unknown profile 'astronaut'"),
    (["--modes", "WALK,TELEPORT"], "TELEPORT"),
]


@pytest.mark.parametrize("override,message", BAD_PLAN, ids=[m for _, m in BAD_PLAN])
def test_bad_plan_usage_exits_2_with_one_line(network, capsys, override, message):
    args = {"--from": "stop:GN", "--to": PV, "--date": DAY, "--time": "08:00"}
    args.update(dict(zip(override[::2], override[1::2])))
    argv = ["plan", str(network)] + [x for kv in args.items() for x in kv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("maas plan: ") and message in err, err


def test_other_bad_usage(network, tmp_path, capsys):
    code, _, err = run(capsys, "transfers", str(network), "--profile", "astronaut")
    assert code == 2 and len(err.splitlines()) == 1 and "unknown profile" in err
    code, _, err = run(capsys, "plan", str(tmp_path / "nowhere"), "--from", "stop:GN", "--to", PV, "--date", DAY,
                       "--time", "08:00")
    assert code == 2 and len(err.splitlines()) == 1 and "not a network folder" in err
    broken = tmp_path / "broken"
    shutil.copytree(network, broken)
    (broken / "timetable.json").write_text('{"schema": 8, "arr')          # cut short
    code, _, err = run(capsys, "transfers", str(broken))
    assert code == 2 and err == f"maas transfers: {broken / 'timetable.json'}: unreadable or corrupt; " \
                                "rebuild the network with `maas build`\n"
    (broken / "timetable.json").write_text((network / "timetable.json").read_text())
    victim = sorted((broken / "arrays").glob("*.npy"))[0]
    victim.write_bytes(b"not an array")
    code, _, err = run(capsys, "transfers", str(broken))
    assert code == 2 and len(err.splitlines()) == 1 and f"{victim}: cannot be read" in err
    code, _, err = run(capsys, "build", str(tmp_path / "missing.zip"), "-o", str(tmp_path / "n"))
    assert code == 2 and len(err.splitlines()) == 1 and "no such file or folder" in err
    with pytest.raises(SystemExit) as exc:
        main(["plan", str(network), "--from", "stop:GN", "--to", PV, "--time", "08:00"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--date" in err


def test_bad_usage_in_a_real_process_has_no_traceback(network):
    proc = subprocess.run([sys.executable, "-m", "maas.cli", "plan", str(network), "--from", "stop:GN", "--to", PV,
                           "--date", "2026-02-30", "--time", "08:00"], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
