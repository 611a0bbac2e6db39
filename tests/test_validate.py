"""`maas validate` (and `maas build` on the same feeds): every problem is one line naming file, row
and field; errors exit 1 (validate) or 2 with one stderr line (build), never a traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from maas.cli import main
from maas.feeds.validate import validate_sources

STOPS = "stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\nS1,One,45.75,21.20,1\nS2,Two,45.755,21.21,1\nS3,Three,45.76,21.22,1\n"
STOP_TIMES = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
              "T1,08:00:00,08:00:00,S1,1\nT1,08:05:00,08:05:00,S2,2\nT1,08:10:00,08:10:00,S3,3\n"
              "T2,09:00:00,09:00:00,S1,1\nT2,09:05:00,09:05:00,S2,2\nT2,09:10:00,09:10:00,S3,3\n")
VALID = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://example.org,Europe/Bucharest\n",
    "stops.txt": STOPS,
    "routes.txt": "route_id,route_short_name,route_type\nR1,1,0\n",
    "trips.txt": "route_id,service_id,trip_id,wheelchair_accessible\nR1,WK,T1,1\nR1,WK,T2,1\n",
    "stop_times.txt": STOP_TIMES,
    "calendar.txt": ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                     "WK,1,1,1,1,1,0,0,20260901,20270630\n"),
}


def write_feed(folder: Path, **files: str | None) -> Path:
    """A small valid feed with some files replaced (None = left out)."""
    folder.mkdir(parents=True)
    for name, text in {**VALID, **files}.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


# (case, replaced files, the location and message expected in the error line)
BROKEN = [
    ("missing_stops", {"stops.txt": None}, "stops.txt: required file is missing"),
    ("missing_column", {"trips.txt": "route_id,trip_id\nR1,T1\nR1,T2\n"},
     "trips.txt field service_id: required column is missing"),
    ("missing_coordinate_column", {"stops.txt": "stop_id,stop_name,stop_lon\nS1,One,21.2\nS2,Two,21.21\nS3,Three,21.22\n"},
     "stops.txt field stop_lat: required column is missing"),
    ("unparseable_time", {"stop_times.txt": STOP_TIMES.replace("T1,08:05:00,08:05:00", "T1,25:61:00,08:05:00")},
     "stop_times.txt row 2 field arrival_time: unparseable time '25:61:00'"),
    ("unknown_trip", {"stop_times.txt": STOP_TIMES + "T9,10:00:00,10:00:00,S1,1\n"},
     "stop_times.txt row 7 field trip_id: unknown trip 'T9'"),
    ("unknown_stop", {"stop_times.txt": STOP_TIMES.replace("T2,09:05:00,09:05:00,S2", "T2,09:05:00,09:05:00,S9")},
     "stop_times.txt row 5 field stop_id: unknown stop 'S9'"),
    ("non_increasing", {"stop_times.txt": STOP_TIMES.replace("T1,08:10:00,08:10:00", "T1,08:04:00,08:04:00")},
     "stop_times.txt row 3 field arrival_time: time earlier than the previous stop's departure"),
    ("backwards_after_gap", {"stop_times.txt": STOP_TIMES.replace("T1,08:05:00,08:05:00", "T1,,")
                             .replace("T1,08:10:00,08:10:00", "T1,07:50:00,07:50:00")},
     "stop_times.txt row 3 field arrival_time: time earlier than the previous stop's departure"),
    ("bad_route_type", {"routes.txt": "route_id,route_short_name,route_type\nR1,1,99\n"},
     "routes.txt row 1 field route_type: unknown route_type 99"),
    ("bad_coordinate", {"stops.txt": STOPS.replace("S2,Two,45.755", "S2,Two,145.755")},
     "stops.txt row 2 field stop_lat: invalid coordinate '145.755'"),
    ("duplicate_route", {"routes.txt": "route_id,route_short_name,route_type\nR1,1,0\nR1,2,3\n"},
     "routes.txt row 2 field route_id: duplicate route_id 'R1'"),
    ("duplicate_parent_station", {"stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding,location_type,parent_station\n"
        "P,Station,45.75,21.20,1,1,\nP,Station again,45.75,21.20,2,1,\n"
        "S1,One,45.75,21.20,0,0,P\nS2,Two,45.755,21.21,1,0,\nS3,Three,45.76,21.22,1,0,\n")},
     "stops.txt row 2 field stop_id: duplicate stop_id 'P'"),
]


@pytest.mark.parametrize("case,files,expected", BROKEN, ids=[c[0] for c in BROKEN])
def test_broken_feed_validate_names_location_and_exits_1(tmp_path, capsys, case, files, expected):
    feed = write_feed(tmp_path / case, **files)
    assert main(["validate", str(feed)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert f"{feed}: error: {expected}" in lines, out
    n_err = sum(": error: " in line for line in lines)
    assert lines[-1].startswith(f"{n_err} errors, ")
    # errors come before warnings
    kinds = [": error: " in line for line in lines[:-1]]
    assert kinds == sorted(kinds, reverse=True)


@pytest.mark.parametrize("case,files,expected", BROKEN, ids=[c[0] for c in BROKEN])
def test_broken_feed_build_exits_2_with_one_line(tmp_path, capsys, case, files, expected):
    feed = write_feed(tmp_path / case, **files)
    out_dir = tmp_path / "net"
    assert main(["build", str(feed), "-o", str(out_dir)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("maas build: ") and expected.split(": ")[0] in err
    assert not (out_dir / "timetable.json").exists()


def test_no_traceback_in_a_real_process(tmp_path):
    feed = write_feed(tmp_path / "feed", **{"stop_times.txt": STOP_TIMES.replace("08:05:00,08:05:00", "25:61:00,25:61:00")})
    run = subprocess.run([sys.executable, "-m", "maas.cli", "validate", str(feed)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1
    assert run.stderr == ""
    assert f"{feed}: error: stop_times.txt row 2 field arrival_time: unparseable time '25:61:00'" in run.stdout
    run = subprocess.run([sys.executable, "-m", "maas.cli", "build", str(feed), "-o", str(tmp_path / "net")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and len(run.stderr.splitlines()) == 1, run.stderr
    assert "stop_times.txt row 2 field arrival_time" in run.stderr


def test_valid_feed_exits_0(tmp_path, capsys):
    feed = write_feed(tmp_path / "ok")
    assert main(["validate", str(feed)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["0 errors, 0 warnings"] and err == ""


@pytest.mark.parametrize("name,reason", [("missing-folder", "no such file or folder"),
                                         ("not-a-zip.zip", "not a zip file or folder")])
def test_unreadable_source_exits_2_with_one_line(tmp_path, capsys, name, reason):
    # the CLI contract: 1 = validation errors, 2 = unreadable input (one line on stderr)
    src = tmp_path / name
    if name.endswith(".zip"):
        src.write_text("not a zip")
    assert main(["validate", str(write_feed(tmp_path / "good")), str(src)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"maas validate: {src}: {reason}"]


def test_several_sources_are_reported_each_under_its_name(tmp_path):
    good = write_feed(tmp_path / "good")
    bad = write_feed(tmp_path / "bad", **{"routes.txt": "route_id,route_short_name,route_type\nR1,1,99\n"})
    lines, n_err, n_warn = validate_sources([str(good), str(bad)])
    assert (n_err, n_warn) == (1, 0)
    assert lines == [f"{bad}: error: routes.txt row 1 field route_type: unknown route_type 99"]


# ----------------------------------------------------------------------------- cross-file checks


def test_missing_shape_is_an_error(tmp_path, capsys):
    feed = write_feed(tmp_path / "f", **{
        "trips.txt": "route_id,service_id,trip_id,shape_id,wheelchair_accessible\nR1,WK,T1,SH1,1\nR1,WK,T2,NOPE,1\n",
        "shapes.txt": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH1,45.75,21.20,1\nSH1,45.76,21.22,2\n"})
    assert main(["validate", str(feed)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [f"{feed}: error: trips.txt row 2 field shape_id: unknown shape 'NOPE' (not in shapes.txt)",
                                "1 errors, 0 warnings"]


def test_cross_file_warnings_name_file_row_field(tmp_path, capsys):
    feed = write_feed(tmp_path / "f", **{
        "routes.txt": "route_id,route_short_name,route_type\nR1,1,0\nR2,2,3\n",
        "trips.txt": ("route_id,service_id,trip_id,wheelchair_accessible\n"
                      "R1,WK,T1,1\nR1,WK,T2,1\nR1,WK,T3,\nR1,NEVER,T4,1\nR1,WK,T5,1\n"),
        "stop_times.txt": STOP_TIMES + ("T3,08:02:00,08:02:00,S1,1\nT3,08:06:00,08:06:00,S2,2\nT3,08:09:00,08:09:00,S3,3\n"
                                        "T4,10:00:00,10:00:00,S1,1\n"),
        "stops.txt": STOPS.replace("S3,Three,45.76,21.22,1", "S3,Three,45.76,21.22,0"),
        "calendar.txt": VALID["calendar.txt"] + "NEVER,1,0,0,0,0,0,0,20260902,20260906\n",
    })
    assert main(["validate", str(feed)]) == 0
    out, err = capsys.readouterr()
    lines = [line.removeprefix(f"{feed}: ") for line in out.splitlines()]
    assert err == ""
    expected = [
        "warning: trips.txt row 4 field trip_id: trip 'T4' has a single stop time; it is ignored",
        "warning: trips.txt row 5 field trip_id: trip 'T5' has no stop times; it is ignored",
        "warning: trips.txt row 3 field trip_id: trip 'T3' overtakes trip 'T1' (same stops) at stop 'S3'; "
        "the router splits them into separate routes",
        "warning: trips.txt row 3 field wheelchair_accessible: 1 of 5 trips have unknown wheelchair_accessible "
        "(0 or empty), first at this row",
        "warning: stops.txt row 3 field wheelchair_boarding: stop 'S3' is the first of 1 stops of unknown "
        "wheelchair_boarding (0 or empty, not inherited from a parent station)",
        "warning: calendar.txt row 2 field service_id: service 'NEVER' never runs: no date of its period falls "
        "on a running weekday",
        "warning: routes.txt row 2 field route_id: route 'R2' has no trips",
    ]
    for line in expected:
        assert line in lines, out
    assert lines[-1] == f"0 errors, {len(lines) - 1} warnings"
    # the reader's row-less summaries are replaced by the row-by-row lines above
    assert not any("trips have no stop times" in line or "fewer than 2 stop times" in line for line in lines)


def test_calendar_never_running_variants(tmp_path):
    feed = write_feed(tmp_path / "f", **{
        "calendar.txt": VALID["calendar.txt"] + ("NOWEEKDAY,0,0,0,0,0,0,0,20260901,20270630\n"
                                                 "REVERSED,1,1,1,1,1,1,1,20270101,20261201\n"
                                                 "ALLREMOVED,0,1,0,0,0,0,0,20261201,20261201\n"
                                                 "ADDED,0,0,0,0,0,0,0,20260901,20270630\n"),
        "calendar_dates.txt": ("service_id,date,exception_type\nALLREMOVED,20261201,2\nADDED,20261202,1\n"
                               "ONLYREMOVED,20261203,2\n"),
    })
    lines, n_err, _ = validate_sources([str(feed)])
    text = "\n".join(lines)
    assert n_err == 0
    assert "calendar.txt row 2 field service_id: service 'NOWEEKDAY' never runs" in text
    assert "calendar.txt row 3 field end_date: service 'REVERSED' never runs: end_date is before start_date" in text
    assert ("calendar.txt row 4 field service_id: service 'ALLREMOVED' never runs: every date of its period is "
            "removed") in text
    assert "'ADDED'" not in text and "'WK'" not in text
    assert "calendar_dates.txt row 3 field service_id: service 'ONLYREMOVED' never runs" in text


def test_overtaking_is_not_reported_for_ordered_trips(tmp_path):
    # T2 starts later and stays later at every stop; equal times are not overtaking
    feed = write_feed(tmp_path / "f", **{
        "stop_times.txt": STOP_TIMES.replace("T2,09:00:00,09:00:00", "T2,08:00:00,08:00:00")})
    lines, _, _ = validate_sources([str(feed)])
    assert not any("overtakes" in line for line in lines)


def test_many_findings_are_capped_with_a_count(tmp_path):
    trips = "route_id,service_id,trip_id,wheelchair_accessible\nR1,WK,T1,1\nR1,WK,T2,1\n" + "".join(
        f"R1,WK,X{i},1\n" for i in range(30))
    feed = write_feed(tmp_path / "f", **{"trips.txt": trips})
    lines, _, n_warn = validate_sources([str(feed)])
    listed = [line for line in lines if "has no stop times" in line]
    assert len(listed) == 20
    assert f"{feed}: warning: trips.txt: ... and 10 more trips without usable stop times" in lines


def test_a_failing_check_is_reported_not_raised(tmp_path, monkeypatch):
    from maas.feeds import validate

    def broken(feed, report):
        raise KeyError("surprise")
    monkeypatch.setattr(validate, "CHECKS", (broken,) + validate.CHECKS[1:])
    lines, n_err, n_warn = validate.validate_sources([str(write_feed(tmp_path / "f"))])
    assert (n_err, n_warn) == (0, 1)
    assert lines == [f"{tmp_path / 'f'}: warning: (feed): broken skipped: KeyError: 'surprise'"]


def test_corrupt_zip_member_is_a_clear_error(tmp_path, capsys):
    import zipfile
    feed = write_feed(tmp_path / "feed")
    z = tmp_path / "feed.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(feed.iterdir()):
            zf.write(f, f.name)
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("stops.txt")
    start = info.header_offset + 30 + len(info.filename)   # first byte of the compressed data
    data[start + 2] ^= 0xFF
    z.write_bytes(bytes(data))
    assert main(["build", str(z), "-o", str(tmp_path / "net")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "stops.txt" in err and "cannot be read from the zip" in err
    assert "internal error" not in err


def test_build_of_a_feed_without_trips_exits_2(tmp_path, capsys):
    """Headers only in stop_times.txt: valid GTFS, but nothing could ever be routed."""
    feed = write_feed(tmp_path / "empty", **{"stop_times.txt": STOP_TIMES.splitlines()[0] + "\n"})
    assert main(["build", str(feed), "-o", str(tmp_path / "net")]) == 2
    out, err = capsys.readouterr()
    assert err == ("maas build: stop_times.txt: no trip has two or more stop times at known stops; "
                   "there is nothing to route\n")
    assert not (tmp_path / "net" / "timetable.json").exists()


def test_source_digest_follows_the_files(tmp_path):
    """The digest is remembered per file stats: a rewritten file (same size, new time) changes it."""
    import os

    from maas.feeds.gtfs import source_digest
    feed = write_feed(tmp_path / "f")
    first = source_digest(feed)
    assert source_digest(feed) == first
    stops = feed / "stops.txt"
    text = stops.read_text()
    stops.write_text(text.replace("One", "Uno"))          # same length, other content
    st = stops.stat()
    os.utime(stops, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    second = source_digest(feed)
    assert second != first
    stops.write_text(text)
    os.utime(stops, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000))
    assert source_digest(feed) == first
