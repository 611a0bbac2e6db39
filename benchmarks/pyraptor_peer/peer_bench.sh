#!/usr/bin/env bash
# adapt -> preprocess -> run pyraptor on one feed/date/query set.
#   bash benchmarks/pyraptor_peer/peer_bench.sh FEED DATE QUERIES.csv ROUNDS WORKDIR [STATIONS]
# FEED: GTFS zip or folder; DATE: YYYY-MM-DD; STATIONS: unique (default) | name (see NOTES.md).
# Writes WORKDIR/gtfs (adapted feed), WORKDIR/pyraptor (timetable.pcl + preprocess_info.json)
# and WORKDIR/peer.json. The adapted feed and timetable are reused if already there
# (delete WORKDIR to rebuild). Needs .venv (main) and benchmarks/.venv-pyraptor (setup_venv.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MAIN_PY="${MAIN_PY:-$ROOT/.venv/bin/python}"
PEER_PY="${PEER_PY:-$ROOT/benchmarks/.venv-pyraptor/bin/python}"
FEED="$1"; DATE="$2"; QUERIES="$3"; ROUNDS="$4"; WORK="$5"; STATIONS="${6:-unique}"
[ -x "$PEER_PY" ] || bash "$HERE/setup_venv.sh"
mkdir -p "$WORK"
if [ ! -f "$WORK/gtfs/adapt_info.json" ]; then
    "$MAIN_PY" "$HERE/adapt_feed.py" --stations "$STATIONS" "$FEED" "$DATE" "$WORK/gtfs"
fi
if [ ! -f "$WORK/pyraptor/timetable.pcl" ]; then
    "$PEER_PY" "$HERE/preprocess.py" "$WORK/gtfs" "$WORK/pyraptor"
fi
"$PEER_PY" "$HERE/run_peer.py" "$WORK/pyraptor" "$QUERIES" "$ROUNDS" "$WORK/peer.json"
