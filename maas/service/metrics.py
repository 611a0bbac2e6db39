"""Prometheus metrics of the service (``GET /metrics``), aggregated across worker processes.

``maas serve --workers N`` sets ``PROMETHEUS_MULTIPROC_DIR`` to a folder it creates (and removes
at exit) before the workers start, so every worker writes its samples there (prometheus-client's
multiprocess mode) and ``/metrics``, whichever worker answers, sums them: counters and
histograms add up, gauges say per metric how (``livesum`` queue depth, ``livemin`` the oldest
network or source a live worker serves).

Every request is counted by the route's path template (``/v1/plan``, ``/v1/stops/{stop_id}``...;
unmatched paths as ``other``, so the label set stays small), so an endpoint added later is
measured without a line of its own.
"""
from __future__ import annotations

import os
import time

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client import values as _values

CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _multiproc_dir() -> str | None:
    d = os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower())
    return d if d and os.path.isdir(d) else None


class Metrics:
    """The service's metrics in a registry of their own (one per app: tests build many apps)."""

    def __init__(self) -> None:
        self.multiproc = _multiproc_dir()
        if self.multiproc and _values.ValueClass.__name__ != "MmapedValue":
            # prometheus_client picks its value class at import time; the folder may have been
            # set after that (the single-process path imports us before `maas serve` sets it)
            _values.ValueClass = _values.get_value_class()
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("maas_http_requests_total", "HTTP requests by endpoint, method and status",
                                ["endpoint", "method", "status"], registry=r)
        self.latency = Histogram("maas_http_request_duration_seconds",
                                 "Time from the request reaching the app to the end of the response",
                                 ["endpoint"], buckets=LATENCY_BUCKETS, registry=r)
        self.plan_errors = Counter("maas_plan_errors_total",
                                   "Plans refused or degraded, by code: message codes (NO_SERVICE_ON_DATE, "
                                   "GBFS_UNAVAILABLE...), INVALID_PARAMETER, BUSY, RATE_LIMITED, INTERNAL_ERROR",
                                   ["code"], registry=r)
        self.queue = Gauge("maas_plan_queue_depth", "Plans waiting for a planning thread",
                           registry=r, multiprocess_mode="livesum")
        self.in_flight = Gauge("maas_plans_in_flight", "Plans being computed", registry=r,
                               multiprocess_mode="livesum")
        self.source_up = Gauge("maas_source_up", "1 when a mobility source is usable (ok or degraded), else 0; "
                               "the minimum over live workers", ["source", "kind"], registry=r,
                               multiprocess_mode="livemin")
        self.source_checked = Gauge("maas_source_checked_timestamp_seconds",
                                    "When a source was last read (oldest over live workers)",
                                    ["source", "kind"], registry=r, multiprocess_mode="livemin")
        self.reloads = Counter("maas_reloads_total", "Network reloads by trigger and result",
                               ["trigger", "result"], registry=r)
        self.loaded_at = Gauge("maas_network_loaded_timestamp_seconds",
                               "When the network served was loaded (oldest over live workers)",
                               registry=r, multiprocess_mode="livemin")
        self.generation = Gauge("maas_network_generation", "Reload generation served (lowest over live workers)",
                                registry=r, multiprocess_mode="livemin")
        self.loaded_at.set(time.time())

    def render(self) -> bytes:
        """The text exposition: this process's registry, or every worker's in multiprocess mode."""
        if self.multiproc:
            reg = CollectorRegistry()
            multiprocess.MultiProcessCollector(reg, path=self.multiproc)
            return generate_latest(reg)
        return generate_latest(self.registry)

    def observe_sources(self, states: list[dict], now: float | None = None) -> None:
        """Record each source's state (from ``Mobility.source_states()``)."""
        now = time.time() if now is None else now
        for s in states:
            labels = (s["id"], s["kind"])
            self.source_up.labels(*labels).set(1.0 if s["status"] in ("ok", "degraded") else 0.0)
            self.source_checked.labels(*labels).set(now - float(s.get("checked_s_ago") or 0.0))

    @staticmethod
    def process_exited(pid: int | None = None) -> None:
        """Drop a finished worker's live gauges (called at shutdown)."""
        if _multiproc_dir():
            multiprocess.mark_process_dead(os.getpid() if pid is None else pid)
