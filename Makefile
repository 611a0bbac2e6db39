# Two entry points: `make demo` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := feeds/timisoara
NET := build/timisoara

.PHONY: demo test install browser sample network bench screenshots clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here):
# installed when missing and we are root; otherwise those tests skip and pytest shows why.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium could not be installed: the browser tests will be skipped"; \
	else echo "$(CHROMIUM) is missing and this is not root: the browser tests will be skipped (apt-get install chromium)"; fi

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

test: install browser
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_router.py
	$(BIN)/python benchmarks/bench_geocode.py

screenshots: install browser
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf build .pytest_cache
