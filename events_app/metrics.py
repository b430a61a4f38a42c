"""Prometheus metrics (prometheus_client) and the /metrics page, open to METRICS_ALLOWED_NETWORKS.

Under gunicorn every worker counts for itself; with PROMETHEUS_MULTIPROC_DIR set (the gunicorn
settings in gunicorn_config.py set it) they write to files there and /metrics adds them up,
whichever worker answers. Without it (``flask run``, tests) the process's own registry is shown.

- ``events_http_requests_total{route,method,status}`` and
  ``events_http_request_duration_seconds{route}``: every request, also those the response cache
  answers before Flask (route: the endpoint, ``unmatched`` when none matched);
- ``events_response_cache_total{result}``: anonymous GETs answered from the cache (``hit``), from
  a kept answer while the database did not answer (``stale``), or by Flask (``miss``);
- ``events_feed_build_duration_seconds{kind}``: feed bodies built (``memory`` or ``file``),
  with their count;
- ``events_database_errors_total{error}``: requests the database did not answer, by error class.
"""

from __future__ import annotations

import ipaddress
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

bp = Blueprint("metrics", __name__)

METHODS = frozenset({"GET", "HEAD", "POST"})
_series: dict[tuple, tuple] = {}  # bounded: routes x methods x statuses x cache results
REQUESTS = Counter("events_http_requests", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "events_http_request_duration_seconds",
    "Time to answer a request (until the response is ready to send)",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE = Counter("events_response_cache", "Anonymous GETs by the response cache's part", ["result"])
FEED_BUILDS = Histogram(
    "events_feed_build_duration_seconds",
    "Feed bodies built, in memory or into a file",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
DATABASE_ERRORS = Counter(
    "events_database_errors", "Requests the database did not answer", ["error"]
)


def observe_request(
    route: str, method: str, status: int, seconds: float, cache: str | None
) -> None:
    """Count one request (every request: kept cheap, the labelled series are looked up once)."""
    key = (route, method if method in METHODS else "other", status, cache)
    series = _series.get(key)
    if series is None:
        series = _series[key] = (
            REQUESTS.labels(key[0], key[1], str(status)),
            LATENCY.labels(route),
            CACHE.labels(cache) if cache else None,
        )
    series[0].inc()
    series[1].observe(seconds)
    if series[2] is not None:
        series[2].inc()


def allowed(address: str | None, networks: list[str]) -> bool:
    """Whether ``address`` is inside one of ``networks`` (CIDR strings)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


@bp.get("/metrics")
def metrics() -> Response:
    if not allowed(request.remote_addr, current_app.config["METRICS_ALLOWED_NETWORKS"]):
        abort(403, "Metrics are shown only to the addresses in METRICS_ALLOWED_NETWORKS.")
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.cache_control.no_store = True
    return response
