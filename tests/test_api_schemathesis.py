"""The OpenAPI document is true: schemathesis generates requests for every operation from it
and checks each answer (no 5xx, documented status and content type, body valid against the
schema, headers as documented)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import schemathesis
from conftest import NOW
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from events_app.extensions import db
from events_app.models import FormerSlug


@pytest.fixture
def api_schema(app, create_event, create_venue, create_category, create_series):
    app.config["NOW"] = NOW
    venue = create_venue(latitude=39.8, longitude=-105.0, website="https://westin.example")
    five_g = create_category("5G")
    big = create_event(
        title="Big 5G Event",
        slug="big-5g-event",
        kind="live",
        venue=venue,
        first_day=date(2026, 9, 24),
        last_day=date(2026, 9, 26),
        zone="America/Denver",
        categories=[five_g],
        speakers=(("Ada", "CTO", "Example"),),
        registration_url="https://register.example",
    )
    create_event(title="Cancelled webinar", status="cancelled", start=NOW + timedelta(days=2))
    create_event(
        title="Past webinar", start=NOW - timedelta(days=20), recording_url="https://r.example"
    )
    create_event(title="A draft", status="draft")
    show = create_series(title="Weekly show", slug="weekly-show", kind="audio",
                         weekdays=("TH",), start=datetime(2026, 6, 18, 12, 0), count=5)  # fmt: skip
    # Renamed: their former slugs answer a 301 (test_a_former_slug_answers_as_documented).
    db.session.add(FormerSlug(slug="the-weekly-show", event_id=show.id))
    db.session.add(FormerSlug(slug="big-event", event_id=big.id))
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def only_known_refusals(ctx, response, case) -> None:
    if response.status_code == 400:
        assert response.json()["parameter"] in ("cursor", "from", "to"), response.text


OPERATIONS = (
    "GET /events",
    "GET /events/{key}",
    "GET /series/{key}",
    "GET /categories",
    "GET /venues",
)


@pytest.mark.parametrize("label", OPERATIONS)
def test_api_answers_as_documented(api_schema, label):
    operations = {op.ok().label: op.ok() for op in api_schema.get_all_operations()}
    assert set(operations) == set(OPERATIONS), "every documented operation is tested"

    @given(case=operations[label].as_strategy())
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        # JSON Schema cannot say that a cursor must be one the API gave out, or that `to` must
        # not be before `from`: those are the only schema-valid requests refused (with a 400
        # naming them); every other check schemathesis has stays on.
        case.call_and_validate(
            excluded_checks=[positive_data_acceptance], additional_checks=[only_known_refusals]
        )

    answers_as_documented()


@pytest.mark.parametrize(
    ("label", "key"), [("GET /events/{key}", "big-event"), ("GET /series/{key}", "the-weekly-show")]
)
def test_a_former_slug_answers_as_documented(api_schema, label, key):
    """Random keys never hit a former slug: its 301 is checked against the document here."""
    operation = next(op.ok() for op in api_schema.get_all_operations() if op.ok().label == label)
    response = operation.Case(path_parameters={"key": key}).call_and_validate()
    assert response.status_code == 301
