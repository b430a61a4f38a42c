"""Prometheus metrics: requests (also those the response cache answers), cache hits and misses,
feed builds, database errors; /metrics only for METRICS_ALLOWED_NETWORKS; one sum over every
gunicorn worker."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import NOW
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from events_app import create_app
from events_app.extensions import alembic
from events_app.models import Event
from tests.servers import fetch, gunicorn, server_env

ROOT = Path(__file__).resolve().parent.parent


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def event(app: Flask, create_event: Callable[..., Event]) -> Event:
    app.config["NOW"] = NOW
    return create_event(title="Counted", slug="counted")


def test_only_allowed_addresses_see_metrics(app: Flask, client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    assert b"# TYPE events_http_requests_total counter" in response.data
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    app.config["METRICS_ALLOWED_NETWORKS"] = ["203.0.113.0/24"]
    assert client.get("/metrics", environ_base=outside).status_code == 200
    assert client.get("/metrics").status_code == 403
    for address in ("2001:db8::1", "not an address"):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 403


def test_requests_cache_and_feed_builds_are_counted(client: FlaskClient, event: Event) -> None:
    page = {"route": "public.event_detail", "method": "GET", "status": "200"}
    before = {
        "page": value("events_http_requests_total", **page),
        "latency": value("events_http_request_duration_seconds_count", route=page["route"]),
        "hit": value("events_response_cache_total", result="hit"),
        "miss": value("events_response_cache_total", result="miss"),
        "builds": value("events_feed_build_duration_seconds_count", kind="memory"),
        "404": value("events_http_requests_total", route="unmatched", method="GET", status="404"),
    }
    for _ in range(3):
        assert client.get("/events/counted").status_code == 200
    assert client.get("/feeds/live.ics").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    assert value("events_http_requests_total", **page) == before["page"] + 3
    latency = value("events_http_request_duration_seconds_count", route=page["route"])
    assert latency == before["latency"] + 3
    assert value("events_response_cache_total", result="miss") == before["miss"] + 2
    assert value("events_response_cache_total", result="hit") == before["hit"] + 2
    builds = value("events_feed_build_duration_seconds_count", kind="memory")
    assert builds == before["builds"] + 1
    missing = value("events_http_requests_total", route="unmatched", method="GET", status="404")
    assert missing == before["404"] + 1


def test_database_errors_are_counted(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    url = f"sqlite:///{folder / 'events.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": url}})
    folder.rmdir()  # the database cannot be opened now
    before = value("events_database_errors_total", error="OperationalError")
    assert app.test_client().get("/events/").status_code == 503
    assert value("events_database_errors_total", error="OperationalError") == before + 1


def test_metrics_add_up_over_every_gunicorn_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": url}})
    app.instance_path = str(tmp_path)
    with app.app_context():
        alembic.upgrade()
    env = server_env(DATABASE_URL=url, SECRET_KEY="s", EVENTS_INSTANCE_PATH=str(tmp_path))
    sent = 0

    def pids() -> set[int]:
        lines = [json.loads(x) for x in server.output().splitlines() if x.startswith("{")]
        return {line["pid"] for line in lines if line["path"] == "/events/"}

    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        # On a busy machine one worker may take a whole batch: send more until both answered.
        while sent < 400 and (sent == 0 or len(pids()) < 2):
            paths = [f"/events/?q=word{n}" for n in range(sent, sent + 40)]
            with ThreadPoolExecutor(4) as pool:
                statuses = list(pool.map(lambda p: fetch(server.url + p)[0], paths))
            assert statuses == [200] * 40
            sent += 40
        _, _, text = fetch(server.url + "/metrics")
    assert len(pids()) == 2
    found = re.search(
        rb'events_http_requests_total\{method="GET",route="public.event_list",status="200"\} (\S+)',
        text,
    )
    assert found and float(found[1]) == sent  # both workers' counts, whichever one answered


def test_importing_the_package_leaves_prometheus_client_for_later() -> None:
    """gunicorn imports the package to read gunicorn_config, which sets prometheus_client's
    folder: prometheus_client imported before it keeps each worker's counts to itself."""
    code = "import sys, events_app.gunicorn_config; print('prometheus_client' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"
