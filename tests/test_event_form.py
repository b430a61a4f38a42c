"""The event form's validation rules, tested directly with form.validate()."""

from datetime import UTC, date, datetime, time

import pytest
from werkzeug.datastructures import MultiDict

from events_app.event_form import EventForm
from events_app.forms import field_errors

WEBINAR = {
    "title": "Optical Networks Outlook",
    "kind": "webinar",
    "status": "draft",
    "start_date": "2026-11-10",
    "start_time": "14:00",
    "end_date": "2026-11-10",
    "end_time": "15:00",
    "timezone": "America/New_York",
    "venue": "",
}


@pytest.fixture
def make_form(app, app_ctx):
    def make(**changes):
        data = {**WEBINAR, **changes}
        data = {k: v for k, v in data.items() if v is not None}
        with app.test_request_context("/", method="POST", data=MultiDict(data)):
            form = EventForm()
            form.validate()
            return form

    return make


def errors_of(form):
    return {name: errs for name, errs in form.errors.items() if errs}


def test_valid_webinar(make_form):
    form = make_form()
    assert errors_of(form) == {}
    assert form.schedule["start"] == datetime(2026, 11, 10, 19, 0, tzinfo=UTC)
    assert form.slug.data == "optical-networks-outlook"


@pytest.mark.parametrize(
    "field,changes,message",
    [
        ("title", {"title": ""}, "Enter a title."),
        ("start_date", {"start_date": ""}, "Enter the start date."),
        ("start_date", {"start_date": "tomorrow"}, "Not a valid date value."),
        ("start_time", {"start_time": ""}, "Enter the start time, or tick All day."),
        ("end_time", {"end_time": ""}, "Enter the end time, or tick All day."),
        ("end_time", {"end_time": "13:00"}, "The end cannot be before the start"),
        ("end_time", {"end_time": "14:00"}, None),  # it takes no time, as an import may say
        ("end_date", {"end_date": "2026-11-09"}, "The end cannot be before the start"),
        ("start_date", {"start_date": "0001-01-01"}, "Enter a date in the years 1900-2999."),
        ("end_date", {"end_date": "9999-12-31", "all_day": "y"}, "in the years 1900-2999"),
        ("timezone", {"timezone": "Mars/Olympus_Mons"}, "is not a time zone we know"),
        ("timezone", {"timezone": "EST5EDT "}, None),
        # One offset all year, chosen meaning a place that changes its clocks.
        ("timezone", {"timezone": "EST"}, 'For US Eastern time choose "America/New_York"'),
        ("timezone", {"timezone": "MST"}, '"America/Denver"'),
        ("timezone", {"timezone": "Etc/GMT+5"}, "is UTC\u22125 all year (its sign is reversed)"),
        ("timezone", {"timezone": "Etc/GMT-14"}, "is UTC+14 all year"),
        ("timezone", {"timezone": "Etc/GMT+0"}, None),
        ("timezone", {"timezone": "HST"}, None),  # Honolulu's offset, which it keeps all year
        ("timezone", {"timezone": ""}, "Choose the time zone"),
        ("kind", {"kind": "party"}, "Not a valid choice"),
        ("status", {"status": "secret"}, "Not a valid choice"),
        ("venue", {"venue": "99999"}, "Choose a venue from the list."),
        ("registration_url", {"registration_url": "javascript:alert(1)"}, "http:// or https://"),
        ("online_url", {"online_url": "ftp://example.com/x"}, "http:// or https://"),
        ("image_url", {"image_url": "example.com/pic.png"}, "http:// or https://"),
        ("recording_url", {"recording_url": "https://"}, "http:// or https://"),
        ("title", {"title": "x" * 201}, "200 characters or fewer"),
        ("summary", {"summary": "x" * 501}, "500 characters or fewer"),
        ("organizer", {"organizer": "x" * 201}, "200 characters or fewer"),
        ("slides_url", {"slides_url": "https://e.com/" + "x" * 500}, "500 characters or fewer"),
        ("slug", {"slug": "Has Spaces"}, "Use lowercase letters"),
        ("slug", {"slug": "x" * 201}, "200 characters or fewer"),
        ("speakers", {"speakers": "| CTO | Acme"}, "the speaker's name comes first"),
        ("speakers", {"speakers": "A | B | C | D"}, "at most two | separators"),
    ],
)
def test_rule(make_form, field, changes, message):
    form = make_form(**changes)
    if message is None:  # accepted: a zone with spaces around it, an end equal to the start
        assert errors_of(form) == {}
        return
    assert field in errors_of(form), errors_of(form)
    assert message in " ".join(form.errors[field])


def test_mistakes_in_zone_dates_and_times_are_said_in_one_round(make_form):
    """Each is checked apart: a bad zone does not hide a missing time or a date out of range."""
    form = make_form(timezone="Mars/Olympus_Mons", start_time="", end_date="0001-01-01")
    assert set(errors_of(form)) == {"timezone", "start_time", "end_date"}
    assert "Enter the start time" in form.errors["start_time"][0]
    assert "in the years 1900-2999" in form.errors["end_date"][0]
    form = make_form(timezone="", all_day="y", end_date="2026-11-09")
    assert set(errors_of(form)) == {"timezone", "end_date"}
    assert form.errors["end_date"] == ["The last day cannot be before the first day."]


def test_all_day_range(make_form):
    form = make_form(all_day="y", start_time="", end_time="", end_date="2026-11-12")
    assert errors_of(form) == {}
    assert form.schedule == {
        "all_day": True,
        "first": date(2026, 11, 10),
        "last": date(2026, 11, 12),
        "zone": "America/New_York",
    }
    form = make_form(all_day="y", end_date="2026-11-09")
    assert form.errors["end_date"] == ["The last day cannot be before the first day."]
    form = make_form(all_day="y", end_date="")  # one day
    assert form.schedule["last"] == date(2026, 11, 10)


def test_dst_gap_refused_with_explanation(make_form):
    form = make_form(start_date="2026-03-08", start_time="02:30", end_date="2026-03-08")
    assert form.errors["start_time"] == [
        "2:30 AM does not exist on Mar 8, 2026 in America/New_York: "
        "clocks jump from 2:00 AM to 3:00 AM."
    ]


def test_dst_overlap_asks_which(make_form):
    day = {"start_date": "2026-11-01", "end_date": "2026-11-01"}
    form = make_form(**day, start_time="01:30", end_time="03:00")
    assert "start_fold" in form.errors
    assert "happens twice on Nov 1, 2026" in form.errors["start_fold"][0]
    assert [(c.value, c.label) for c in form.start_fold.choices] == [
        ("0", "first (EDT)"),
        ("1", "second (EST)"),
    ]
    first = make_form(**day, start_time="01:30", end_time="03:00", start_fold="0")
    second = make_form(**day, start_time="01:30", end_time="03:00", start_fold="1")
    assert errors_of(first) == errors_of(second) == {}
    assert first.schedule["start"] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert second.schedule["start"] == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    bogus = make_form(**day, start_time="01:30", end_time="03:00", start_fold="7")
    assert "start_fold" in bogus.errors


def test_venue_zone_is_the_default(make_form, create_venue):
    venue = create_venue(timezone="America/Denver")
    form = make_form(kind="live", venue=str(venue.id), timezone="")
    assert errors_of(form) == {}
    assert form.schedule["zone"] == "America/Denver"
    assert form.schedule["start"] == datetime(2026, 11, 10, 21, 0, tzinfo=UTC)


def test_new_venue_inline(make_form):
    form = make_form(kind="live", venue="new", **{"new_venue-city": "Denver"})
    assert form.errors["new_venue"] == {"name": ["Enter the new venue's name."]}
    venue = {"new_venue-name": "Hall", "new_venue-timezone": "Nowhere/X"}
    form = make_form(kind="live", venue="new", timezone="", **venue)
    assert "timezone" in form.errors["new_venue"]
    # Said once, beside the venue's zone: the event's own zone (left empty) is not blamed.
    assert [e.target for e in field_errors(form)] == ["new_venue-timezone"]
    form = make_form(kind="live", venue="new", **{"new_venue-name": "Hall A"})
    assert errors_of(form) == {}
    # Mistakes in the inline venue do not count when it is not chosen.
    form = make_form(venue="", **{"new_venue-timezone": "Nowhere/X"})
    assert errors_of(form) == {}


def test_slug_unique(make_form, create_event):
    create_event(slug="optical-networks-outlook")
    assert make_form().slug.data == "optical-networks-outlook-2"
    form = make_form(slug="optical-networks-outlook")
    assert "Another event already uses this address" in form.errors["slug"][0]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Москва Telecom Forum", "moskva-telecom-forum"),  # the city was dropped before
        ("北京 5G 峰会", "beijing-5g-fenghui"),
        ("Ελληνικά Δίκτυα", "ellinika-diktya"),
        ("مؤتمر 5G", "mutmr-5g"),
        ("Women’s Leadership \U0001f680 Straße", "womens-leadership-strasse"),
        ("\U0001f389\U0001f389", "event"),
    ],
)
def test_titles_in_any_script_make_a_readable_address(make_form, title, slug):
    assert make_form(title=title, slug="").slug.data == slug


def test_speakers_parsed(make_form):
    form = make_form(speakers="Dana Whitfield | Principal Analyst | Heavy Reading\n\nTom Keller\n")
    assert form.speaker_rows == [
        ("Dana Whitfield", "Principal Analyst", "Heavy Reading"),
        ("Tom Keller", "", ""),
    ]


@pytest.mark.parametrize("odd", ["\x0b", "\x0c", "\x85", "\u2028", "\x1c"])
def test_a_pasted_odd_break_does_not_split_a_speaker(make_form, odd):
    form = make_form(speakers=f"Ann{odd}Lee | CTO | Acme\r\nTom Keller")
    assert [row[1:] for row in form.speaker_rows] == [("CTO", "Acme"), ("", "")]
    assert form.speaker_rows[0][0].replace(" ", "").startswith("Ann")


def test_unknown_category_refused(make_form, create_category):
    cat = create_category("Cloud")
    assert errors_of(make_form(categories=str(cat.id))) == {}
    assert "categories" in make_form(categories="9999").errors
    assert "categories" in make_form(categories="abc").errors


def test_times_are_kept_to_the_minute(make_form):
    """A browser may send seconds; the form shows minutes, so seconds kept would end a series'
    dates at 12:59:56, or make an event that cannot be saved again unchanged."""
    form = make_form(start_time="12:34:56", end_time="13:00:00")
    assert errors_of(form) == {}
    assert (form.start_time.data, form.end_time.data) == (time(12, 34), time(13, 0))
    form = make_form(start_time="14:00:45", end_time="14:00:30")  # the same minute
    assert errors_of(form) == {}
    assert form.schedule["start"] == form.schedule["end"]


@pytest.mark.parametrize("title", ["\u200b", "\u200e\u200f", "\u2060 \ufeff"])
def test_an_invisible_title_is_refused(make_form, title):
    assert "Enter a title people can see" in errors_of(make_form(title=title))["title"][0]


@pytest.mark.parametrize("title", ["5G", "网络峰会", "€", "…"])
def test_any_visible_title_is_accepted(make_form, title):
    assert "title" not in errors_of(make_form(title=title))


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (" The  Telecom\tHour ", "The Telecom Hour"),  # runs and tabs: one space
        ("Conférence\u00a0: la 5G", "Conférence\u00a0: la 5G"),  # French no-break space
        ("Rencontre\u202f!", "Rencontre\u202f!"),  # narrow no-break space
        ("東京\u3000会議", "東京\u3000会議"),  # ideographic space
        ("5G \u00a0 Summit", "5G Summit"),  # a run of several kinds: one space
        ("Line\u2028break", "Line break"),  # a line separator is not kept in a one-line name
        ("Next\x85line", "Next line"),
    ],
)
def test_names_keep_a_typographic_space_and_lose_runs(typed, kept):
    from events_app.text import single_spaces

    assert single_spaces(typed) == kept


def test_a_summary_at_the_limit_counts_a_line_break_as_one_character(make_form):
    """The browser lets 500 characters into the box, a line break among them."""
    typed = "a" * 249 + "\r\n" + "b" * 250
    assert "summary" not in errors_of(make_form(summary=typed))
    assert "summary" in errors_of(make_form(summary=typed + "c"))


def test_a_description_at_the_limit_counts_a_line_break_as_one_character(make_form):
    """Browsers send a text box's line breaks as CRLF; an import stores LF: 20,000 is 20,000."""
    at_limit = ("word\r\n" * 4000)[:-2] + "!"  # 20,000 characters once CRLF is one
    assert "description" not in errors_of(make_form(description=at_limit))
    over = at_limit + "!"
    assert errors_of(make_form(description=over))["description"] == [
        "Keep this to 20,000 characters or fewer: it has 20,001."
    ]


def test_a_title_too_long_says_how_long_it_is(make_form):
    """A box without its maxlength (no JavaScript, a script) gets the count beside it."""
    assert errors_of(make_form(title="t" * 230))["title"] == [
        "Keep this to 200 characters or fewer: it has 230."
    ]
