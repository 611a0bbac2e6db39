#!/usr/bin/env bash
# Create benchmarks/.venv-pyraptor with the peer router pyraptor 1.3.10.
# pyraptor pins pandas<2, so it cannot share the main venv (pandas 3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${PYRAPTOR_VENV:-$HERE/../.venv-pyraptor}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r "$HERE/requirements.txt"
"$VENV/bin/python" -c "import pyraptor, pyraptor.gtfs.timetable, pyraptor.query_raptor; print('pyraptor venv ok:', pyraptor.__file__)"
