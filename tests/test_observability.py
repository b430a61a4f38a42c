"""Logs: one JSON line per request (also those the response cache answers), its id in
X-Request-ID, the staff user's id, and an error's traceback once, inside its one line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from conftest import NOW
from flask import Flask
from flask.testing import FlaskClient

from events_app.models import Event
from events_app.observability import JsonFormatter


@pytest.fixture
def event(app: Flask, create_event: Callable[..., Event]) -> Event:
    app.config["NOW"] = NOW
    return create_event(title="Logged", slug="logged")


def request_lines(caplog) -> list[dict]:
    return [r.fields for r in caplog.records if r.name == "events_app.requests"]


def test_one_line_per_request_with_its_id(client: FlaskClient, event: Event, caplog) -> None:
    caplog.set_level(logging.INFO, "events_app")
    first = client.get("/events/?kind=webinar")
    second = client.get("/events/?kind=webinar")
    missing = client.get("/no-such-page")
    lines = request_lines(caplog)
    assert len(lines) == 3
    for response, line in zip((first, second, missing), lines, strict=True):
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert line["status"] == response.status_code
        assert line["method"] == "GET" and line["duration_ms"] >= 0
    assert lines[0]["path"] == "/events/" and lines[0]["query"] == "kind=webinar"
    assert lines[0]["route"] == lines[1]["route"] == "public.event_list"
    assert (lines[0]["cache"], lines[1]["cache"]) == ("miss", "hit")  # the hit is logged too
    assert lines[2]["route"] == "unmatched" and "cache" not in lines[2]
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_each_line_is_one_json_object(client: FlaskClient, event: Event, caplog) -> None:
    caplog.set_level(logging.INFO, "events_app")
    client.get("/events/logged")
    (record,) = [r for r in caplog.records if r.name == "events_app.requests"]
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["level"] == "INFO" and line["message"] == "GET /events/logged 200"
    assert line["time"].endswith("+00:00") and line["route"] == "public.event_detail"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("7f3c9a2e-5b1d-4c8e-9f00-1a2b3c4d5e6f", True),
        ("nginx.request.0123456789abcdef", True),
        ("short", False),
        ("has spaces in it", False),
        ('"}{injected', False),
        ("x" * 65, False),
    ],
)
def test_a_callers_request_id_is_kept_when_it_looks_like_one(
    client: FlaskClient, given: str, kept: bool
) -> None:
    sent = client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert (sent == given) is kept
    assert sent and len(sent) <= 64


def test_staff_requests_carry_the_user_id(client: FlaskClient, auth, editor, caplog) -> None:
    caplog.set_level(logging.INFO, "events_app")
    auth.login()
    client.get("/staff/")
    client.post("/staff/logout")
    client.get("/")
    login, dashboard, logout, home = request_lines(caplog)
    # Whoever is signed in once the answer is made: the login that succeeded, not the logout.
    assert login["user_id"] == dashboard["user_id"] == editor.id
    assert "user_id" not in logout and "user_id" not in home


def test_an_error_is_logged_once_with_its_traceback(app: Flask, caplog) -> None:
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_broken")
    def broken():
        return str(1 / 0)

    response = app.test_client().get("/_broken")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    line = json.loads(JsonFormatter().format(errors[0]))
    assert "ZeroDivisionError" in line["traceback"] and "broken" in line["traceback"]
    assert line["request_id"] == response.headers["X-Request-ID"]
    (request_line,) = request_lines(caplog)
    assert request_line["status"] == 500 and "traceback" not in request_line
