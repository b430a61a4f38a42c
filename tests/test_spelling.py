""" "Did you mean ...?" under a search that finds nothing (events_app/spelling.py): the
correction itself, pure, and on the list and the archive, on whichever database runs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import NOW

from events_app import spelling
from events_app.spelling import corrected_text, fold


@pytest.fixture(autouse=True)
def fixed_now(app):
    app.config["NOW"] = NOW  # the events below are upcoming or past as of NOW


WORDS = frozenset({"conference", "network", "security", "optical", "webinar", "zurich"})


def test_misspelled_words_are_corrected_and_the_rest_kept():
    assert corrected_text("confrence", WORDS) == "conference"
    assert corrected_text("Netwrok security", WORDS) == "network security"
    assert corrected_text("5g netwrok -securty", WORDS) == "5g network -securty"  # excluded: kept
    assert corrected_text('"netwrok security" opticl', WORDS) == '"netwrok security" optical'


def test_words_that_are_not_misspelled_get_no_suggestion():
    assert corrected_text("network security", WORDS) is None
    assert corrected_text("networks networking", WORDS) is None  # forms stemming finds
    assert corrected_text("webin", WORDS) is None  # the last word typed, a start of one
    assert corrected_text("Zürich", WORDS) is None  # accents as the index folds them
    assert corrected_text("fibr 5g ran", WORDS) is None  # too short to guess at
    assert corrected_text("xyzzyplugh", WORDS) is None  # nothing near
    assert corrected_text("netwrok or opticl", WORDS) is None  # "or" choices: left as typed
    assert fold("Zürich") == "zurich"


def _did_you_mean(html: str) -> tuple[str, str] | None:
    found = re.search(r'Did you mean “<a href="([^"]+)"><bdi>([^<]+)</bdi></a>”\?', html)
    return (found[2], found[1].replace("&amp;", "&")) if found else None


def test_the_list_suggests_the_search_corrected_when_it_finds_nothing(client, create_event):
    create_event(title="Telecom Security Conference", kind="live")
    create_event(title="Confidential Merger Briefing", kind="live", status="draft")
    html = client.get("/events/?q=securty+confrence").get_data(as_text=True)
    assert "Nothing matches these filters." in html
    assert _did_you_mean(html) == ("security conference", "/events/?q=security+conference")
    found = client.get("/events/?q=security+conference").get_data(as_text=True)
    assert re.search(r">\s*1 upcoming event\s*</h2>", found) and _did_you_mean(found) is None
    # A draft's words are never suggested (nor found).
    assert _did_you_mean(client.get("/events/?q=confidentail").get_data(as_text=True)) is None
    # Kept only when the correction finds something with the other filters.
    assert (
        _did_you_mean(client.get("/events/?q=confrence&kind=webinar").get_data(as_text=True))
        is None
    )
    create_event(title="Cloud Native Briefing")  # a webinar: the kind's word is searched too
    kind = client.get("/events/?q=wbinar+briefing").get_data(as_text=True)
    assert _did_you_mean(kind) == ("webinar briefing", "/events/?q=webinar+briefing")
    with_kind = client.get("/events/?q=confrence&kind=live").get_data(as_text=True)
    assert _did_you_mean(with_kind) == ("conference", "/events/?kind=live&q=conference")
    # A search that finds something says nothing of spelling.
    assert _did_you_mean(client.get("/events/?q=conference").get_data(as_text=True)) is None


def test_a_word_saved_since_is_suggested(client, create_event, monkeypatch):
    create_event(title="Optical Transport Day", kind="live")
    assert _did_you_mean(client.get("/events/?q=kubrenetes").get_data(as_text=True)) is None
    create_event(title="Kubernetes at the Edge", kind="live")
    # Within a minute of the last reading the words read then serve; after it, a change counts.
    assert (
        _did_you_mean(client.get("/events/?q=kubrenetes&kind=live").get_data(as_text=True)) is None
    )
    monkeypatch.setattr(spelling, "KEPT_SECONDS", 0)
    html = client.get("/events/?q=kubrenetes").get_data(as_text=True)
    assert _did_you_mean(html) == ("kubernetes", "/events/?q=kubernetes")


def test_the_archive_suggests_the_search_corrected(client, create_event):
    create_event(
        title="Optical Networks Explained",
        start=NOW - timedelta(days=30),
        recording_url="https://example.com/rec",
    )
    html = client.get("/webinars/archive?q=opticl").get_data(as_text=True)
    assert "Nothing in the archive matches this search." in html
    assert _did_you_mean(html) == ("optical", "/webinars/archive?q=optical")
    assert "Optical Networks Explained" in client.get("/webinars/archive?q=optical").get_data(
        as_text=True
    )


def test_the_month_suggests_the_search_corrected_when_it_finds_nothing_anywhere(
    client, create_event
):
    create_event(title="Optical Networks Explained", start=NOW + timedelta(days=40))
    html = client.get("/calendar/2026/06?q=opticl").get_data(as_text=True)
    assert "No events match these filters in June 2026." in html
    assert _did_you_mean(html) == ("optical", "/calendar/2026/06?q=optical")
    found = client.get("/calendar/2026/06?q=optical").get_data(as_text=True)
    assert "The next one is on" in found and _did_you_mean(found) is None


def _did_you_mean_elsewhere(html: str) -> tuple[str, str, str] | None:
    link = r'Did you mean “<a href="([^"]+)"><bdi>([^<]+)</bdi></a>”'
    found = re.search(link + r" \(([^)]+)\)\?", html)
    return (found[2], found[1].replace("&amp;", "&"), found[3]) if found else None


def test_a_correction_found_only_in_the_other_tab_is_offered_there(client, create_event):
    create_event(title="Optical Networks Explained", start=NOW - timedelta(days=30))
    create_event(title="Kubernetes at the Edge", start=NOW + timedelta(days=30))
    create_event(title="Satellite Summit", kind="live", start=NOW + timedelta(days=30))
    create_event(title="Satellite Radio Hour", kind="audio", start=NOW + timedelta(days=31))
    upcoming = client.get("/events/?q=opticl").get_data(as_text=True)
    assert "No upcoming events" in upcoming
    assert _did_you_mean(upcoming) is None
    assert _did_you_mean_elsewhere(upcoming) == (
        "optical", "/events/?when=past&q=optical", "past events"
    )  # fmt: skip
    past = client.get("/events/?when=past&q=kubrenetes").get_data(as_text=True)
    assert _did_you_mean_elsewhere(past) == (
        "kubernetes", "/events/?q=kubernetes", "upcoming events"
    )  # fmt: skip
    # Found in both: the tab asked for, said as before.
    create_event(title="Optical Transport Day", start=NOW + timedelta(days=40))
    both = client.get("/events/?q=opticl").get_data(as_text=True)
    assert _did_you_mean(both) == ("optical", "/events/?q=optical")
    # The archive of past webinars and audio: the upcoming list of the kind that finds it.
    archive = client.get("/webinars/archive?q=kubrenetes").get_data(as_text=True)
    assert _did_you_mean_elsewhere(archive) == (
        "kubernetes", "/events/?kind=webinar&q=kubernetes", "upcoming webinars"
    )  # fmt: skip
    archive = client.get("/webinars/archive?q=satelite").get_data(as_text=True)
    assert _did_you_mean_elsewhere(archive) == (
        "satellite", "/events/?kind=audio&q=satellite", "upcoming live audio shows"
    )  # fmt: skip


def test_no_correction_for_the_other_tab_when_the_search_as_typed_finds_something_there(
    client, create_event
):
    # "coherant" and "coherent" stem alike: the upcoming tab finds the event as typed, and the
    # past tab says so ("1 upcoming event matches"); a correction leading there too is not asked.
    create_event(title="Coherent Optics Beyond 800G", start=NOW + timedelta(days=30))
    past = client.get("/events/?when=past&q=coherant").get_data(as_text=True)
    assert '<a href="/events/?q=coherant">1 upcoming event matches</a>' in past
    assert _did_you_mean_elsewhere(past) is None
