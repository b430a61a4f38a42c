from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from events_app.extensions import db
from events_app.filters import (
    Q_MAX_LENGTH,
    BadFilter,
    EventFilters,
    PageNotFound,
    filtered_events_query,
    paginate,
)
from tests.conftest import NOW


def titles(filters: EventFilters, **kw) -> list[str]:
    return [e.title for e in db.session.scalars(filtered_events_query(filters, NOW, **kw))]


def test_from_args_defaults():
    f = EventFilters.from_args(MultiDict())
    assert f == EventFilters()
    assert f.to_args() == {}
    assert not f.is_filtered


def test_from_args_round_trip():
    args = {
        "when": "past",
        "kind": "live",
        "category": "open-ran",
        "place": "Denver",
        "from": "2026-09-01",
        "to": "2026-09-30",
        "q": "fiber optics",
        "page": "3",
    }
    f = EventFilters.from_args(MultiDict(args))
    assert f.date_from == date(2026, 9, 1)
    assert f.page == 3
    assert f.is_filtered
    assert f.to_args() == args
    assert f.to_args(page=1) == {k: v for k, v in args.items() if k != "page"}


@pytest.mark.parametrize(
    "args",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "0"},
        {"page": "1.5"},
        {"page": "9" * 40},
        {"page": "١٢"},  # Arabic-Indic digits: isdigit() but not a page number here
        {"kind": "concert"},
        {"kind": "live\x00"},
        {"when": "tomorrow"},
        {"from": "2026-13-01"},
        {"from": "yesterday"},
        {"to": "2026-02-30"},
        {"from": "2026-9-1"},
        {"from": "2026-09-10", "to": "2026-09-01"},
        {"category": "<script>"},
        {"category": "5g\x00"},
        {"category": "x" * 300},
    ],
)
def test_from_args_rejects_malformed(args):
    with pytest.raises(BadFilter):
        EventFilters.from_args(MultiDict(args))


def test_a_malformed_category_is_told_apart_from_an_unknown_one(client):
    malformed = client.get("/api/v1/events?category=NOPE")
    assert malformed.status_code == 400 and "by its slug" in malformed.get_json()["detail"]
    unknown = client.get("/api/v1/events?category=no-such-category")
    assert unknown.status_code == 200 and unknown.get_json()["data"] == []


def test_bad_filter_is_a_value_error():
    assert issubclass(BadFilter, ValueError)


def test_free_text_is_cleaned_and_truncated():
    f = EventFilters.from_args(
        MultiDict({"q": "  a\x00b  " + "x" * 10_000, "place": "\tNew\nYork "})
    )
    assert f.q == "a b"  # cut before the word that does not fit, not inside it
    assert f.place == "New York"
    assert EventFilters.from_args({"q": "\x00 \x01"}).q is None
    words = [f"word{n:03}x" for n in range(100)]  # 8 characters and a space each
    assert EventFilters.from_args({"q": " ".join(words)}).q == " ".join(words[:22])  # 206 long
    assert EventFilters.from_args({"q": "x" * 300}).q == "x" * Q_MAX_LENGTH


def test_upcoming_and_past_split_and_order(create_event):
    create_event(title="Later", start=NOW + timedelta(days=9))
    create_event(title="Sooner", start=NOW + timedelta(days=2))
    create_event(title="Running now", start=NOW - timedelta(minutes=30))
    create_event(title="Old", start=NOW - timedelta(days=30))
    create_event(title="Older", start=NOW - timedelta(days=60))
    assert titles(EventFilters()) == ["Running now", "Sooner", "Later"]
    assert titles(EventFilters(when="past")) == ["Old", "Older"]


def test_drafts_never_listed(create_event):
    create_event(title="Public")
    create_event(title="Secret draft", status="draft")
    create_event(title="Cancelled one", status="cancelled")
    create_event(title="Postponed one", status="postponed")
    assert sorted(titles(EventFilters())) == ["Cancelled one", "Postponed one", "Public"]
    assert titles(EventFilters(q="secret")) == []
    assert titles(EventFilters(), window=(None, None)) == titles(EventFilters())


def test_filters_combine(create_event, create_venue, create_category):
    denver = create_venue()
    london = create_venue(
        name="Montcalm", city="London", country="United Kingdom", timezone="Europe/London"
    )
    fiveg = create_category("5G")
    optical = create_category("Optical")
    create_event(title="Denver 5G", kind="live", venue=denver, categories=[fiveg])
    create_event(
        title="London 5G", kind="live", venue=london, categories=[fiveg], zone="Europe/London"
    )
    create_event(
        title="London optical",
        kind="live",
        venue=london,
        categories=[optical],
        zone="Europe/London",
    )
    create_event(title="5G webinar", kind="webinar", categories=[fiveg])
    assert sorted(titles(EventFilters(category="5g"))) == ["5G webinar", "Denver 5G", "London 5G"]
    assert titles(EventFilters(category="5g", place="london")) == ["London 5G"]
    assert sorted(titles(EventFilters(place="UNITED KINGDOM"))) == ["London 5G", "London optical"]
    assert titles(EventFilters(category="5g", kind="webinar")) == ["5G webinar"]
    assert titles(EventFilters(category="no-such-category")) == []


def test_a_place_names_the_venues_of_a_city_or_country(create_event, create_venue):
    denver = create_venue()
    london = create_venue(
        name="Montcalm", city="London", country="United Kingdom", timezone="Europe/London"
    )
    create_event(title="Denver live", kind="live", venue=denver)
    create_event(title="Hybrid webinar", kind="webinar", venue=london, zone="Europe/London")
    create_event(title="Online only", kind="webinar")
    assert titles(EventFilters(place="london", kind="webinar")) == ["Hybrid webinar"]
    assert titles(EventFilters(place="United kingdom")) == ["Hybrid webinar"]
    assert titles(EventFilters(place="Denver", kind="webinar")) == []
    assert titles(EventFilters(place="Atlantis")) == []  # no venue there: nothing, no error
    assert titles(EventFilters(place="denver"), window=(None, None)) == ["Denver live"]


def test_a_place_matches_in_any_case_beyond_a_to_z(create_event, create_venue):
    """SQLite's lower() folds A-Z only: "ÖREBRO" and "örebro" must still find Örebro."""
    orebro = create_venue(name="Conventum", city="Örebro", country="Sverige",
                          timezone="Europe/Stockholm")  # fmt: skip
    create_event(title="Fibre day", kind="live", venue=orebro, zone="Europe/Stockholm")
    for place in ("Örebro", "örebro", "ÖREBRO", "SVERIGE"):
        assert titles(EventFilters(place=place)) == ["Fibre day"], place


def test_a_place_is_named_as_its_venues_spell_it(create_venue, statements):
    create_venue(name="Conventum", city="Örebro", country="Sverige", timezone="Europe/Stockholm")
    filters = EventFilters(place="ÖREBRO")
    statements.clear()
    assert filters.place_name == "Örebro"
    assert filters.place_venue_ids and len(statements) == 1  # one read for both
    assert EventFilters(place="sverige").place_name == "Sverige"
    assert EventFilters(place="atlantis").place_name == "atlantis"  # no venue: as given
    assert EventFilters().place_name is None


def test_date_range_uses_local_days(create_event):
    day = NOW.date() + timedelta(days=10)
    create_event(title="Three days", first_day=day, last_day=day + timedelta(days=2))
    create_event(title="Day after", first_day=day + timedelta(days=3))
    middle = day + timedelta(days=1)
    assert titles(EventFilters(date_from=middle, date_to=middle)) == ["Three days"]
    assert titles(EventFilters(date_from=day + timedelta(days=3))) == ["Day after"]
    assert titles(EventFilters(date_to=day - timedelta(days=1))) == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("fibre", ["Title match"]),
        ("SUMMARY-WORD", ["Summary match"]),
        ("markdown-word", ["Description match"]),
        ("westminster", ["Venue match"]),
        ("denver", ["Venue match"]),
        ("ortega", ["Speaker match"]),
        ("title fibre", ["Title match"]),
        ("fibre nothing-else", []),
        ("100%", ["Percent"]),
        ("a_b", ["Underscore"]),
        ('"quoted"', []),
        ("<script>alert(1)</script>", []),
        ("📡", []),  # symbols are not words: the index has none (the title's words it has)
        ("emoji show", ["Emoji"]),
    ],
)
def test_search_fields(create_event, create_venue, q, expected):
    venue = create_venue()
    create_event(title="Fibre title")
    create_event(title="S", summary="has summary-word inside")
    create_event(title="D", description="some *markdown-word* here")
    create_event(title="Venue match", kind="live", venue=venue)
    create_event(title="Speaker match", speakers=(("Marcus Ortega", "CTO", "Lumen"),))
    create_event(title="Percent", summary="100% online")
    create_event(title="Underscore", summary="a_b")
    create_event(title="axb", summary="axb: an unescaped underscore would match it")
    create_event(title="Emoji 📡 show")
    names = {"Fibre title": "Title match", "S": "Summary match", "D": "Description match"}
    found = [
        names.get(t, t.split(" ")[0] if t.startswith("Emoji") else t)
        for t in titles(EventFilters(q=q))
    ]
    assert sorted(found) == sorted(expected)


def test_window_ignores_when_and_keeps_filters(create_event):
    create_event(title="Past webinar", start=NOW - timedelta(days=3))
    create_event(title="Past live", kind="live", start=NOW - timedelta(days=3))
    create_event(title="Future webinar", start=NOW + timedelta(days=3))
    window = (NOW - timedelta(days=90), None)
    assert titles(EventFilters(kind="webinar"), window=window) == ["Past webinar", "Future webinar"]
    assert titles(EventFilters(), window=(None, NOW)) == ["Past webinar", "Past live"]


def test_paginate(create_event):
    for i in range(12):
        create_event(title=f"E{i:02d}", start=NOW + timedelta(days=i + 1))
    stmt = filtered_events_query(EventFilters(), NOW)
    first = paginate(db.session, stmt, 1, 5)
    assert [e.title for e in first.items] == ["E00", "E01", "E02", "E03", "E04"]
    assert (first.total, first.pages, first.has_prev, first.has_next) == (12, 3, False, True)
    last = paginate(db.session, stmt, 3, 5)
    assert [e.title for e in last.items] == ["E10", "E11"]
    assert not last.has_next
    with pytest.raises(PageNotFound):
        paginate(db.session, stmt, 4, 5)


def test_empty_first_page_exists(app_ctx):
    page = paginate(db.session, filtered_events_query(EventFilters(), NOW), 1, 5)
    assert page.items == [] and page.pages == 1


def test_page_window():
    from events_app.filters import Page

    assert Page([], 1, 10, 30).window() == [1, 2, 3]
    assert Page([], 10, 10, 200).window() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert Page([], 2, 10, 200).window() == [1, 2, 3, 4, None, 20]


def test_no_n_plus_one(create_event, create_venue, create_category, statements):
    venue, cat = create_venue(), create_category()
    for _ in range(6):
        create_event(kind="live", venue=venue, categories=[cat], speakers=(("A", "", ""),))
    db.session.expunge_all()
    statements.clear()
    events = list(db.session.scalars(filtered_events_query(EventFilters(), NOW)))
    for e in events:
        _ = (e.venue.name, [c.name for c in e.categories], [s.name for s in e.speakers])
    assert len(events) == 6
    assert len(statements) == 3


def test_a_date_written_right_that_does_not_exist_is_told_so():
    with pytest.raises(BadFilter, match="There is no day 2026-02-29") as refused:
        EventFilters.from_args(MultiDict({"from": "2026-02-29"}))
    assert refused.value.field == "from"
    with pytest.raises(BadFilter, match="must look like 2026-09-24"):
        EventFilters.from_args(MultiDict({"to": "2026-2-28"}))
