# Two entry points: `make demo` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := feeds/timisoara
NET := build/timisoara

.PHONY: demo test install sample network bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

sample: install
	$(BIN)/maas sample $(SAMPLE)

network: sample
	$(BIN)/maas build $(SAMPLE)/gtfs.zip -o $(NET) --gbfs $(SAMPLE)/gbfs/velotm --gbfs $(SAMPLE)/gbfs/carshare --parking $(SAMPLE)/park_and_ride.geojson --osm $(SAMPLE)/streets.osm \
		--realtime $(SAMPLE)/realtime/trip-updates.pb --realtime $(SAMPLE)/realtime/alerts.pb --realtime $(SAMPLE)/realtime/vehicle-positions.pb

demo: network
	$(BIN)/maas geocode $(NET) "piata victoriei" --limit 3
	$(BIN)/maas plan $(NET) --from "Gara de Nord" --to "Piata Victoriei" --date 2026-11-24 --time 08:00
	$(BIN)/maas plan $(NET) --from stop:P7 --to stop:PV1 --date 2026-11-24 --time 08:00 --modes WALK
	$(BIN)/maas plan $(NET) --from stop:P7 --to stop:PV1 --date 2026-11-24 --time 08:00 --modes WALK --profile wheelchair
	$(BIN)/maas departures $(NET) GN --date 2026-11-24 --time 07:58 --limit 8
	$(BIN)/maas serve $(NET) --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_router.py
	$(BIN)/python benchmarks/bench_geocode.py

clean:
	rm -rf build .pytest_cache
