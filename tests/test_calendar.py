import re
from datetime import UTC, date, datetime, timedelta

import pytest

from events_app import timefmt
from events_app.calendar import grid_bounds, month_grid
from events_app.models import Event
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def _pin_now(app):
    app.config["NOW"] = NOW


def timed(title, local_start: datetime, minutes: int, zone: str) -> Event:
    event = Event(title=title, slug=title.lower().replace(" ", "-"), kind="live")
    start = timefmt.local_to_utc(local_start, zone, fold=0)
    event.set_timed(start, start + timedelta(minutes=minutes), zone)
    return event


def all_day(title, first: date, last: date, zone: str) -> Event:
    event = Event(title=title, slug=title.lower().replace(" ", "-"), kind="live")
    event.set_all_day(first, last, zone)
    return event


def days_of(weeks, title) -> list[date]:
    return [d.day for w in weeks for d in w if any(e.event.title == title for e in d.events)]


# --- the pure grid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "start", "end", "weeks"),
    [
        (2026, 6, date(2026, 6, 1), date(2026, 7, 5), 5),  # starts on a Monday
        (2026, 5, date(2026, 4, 27), date(2026, 5, 31), 5),  # ends on a Sunday
        (2026, 2, date(2026, 1, 26), date(2026, 3, 1), 5),
        (2027, 2, date(2027, 2, 1), date(2027, 2, 28), 4),  # exactly four weeks
        (2026, 8, date(2026, 7, 27), date(2026, 9, 6), 6),
        (2026, 12, date(2026, 11, 30), date(2027, 1, 3), 5),  # across the year
    ],
)
def test_grid_bounds_and_weeks(year, month, start, end, weeks):
    assert grid_bounds(year, month) == (start, end)
    grid = month_grid(year, month, [], today=date(2026, 6, 15))
    assert len(grid) == weeks
    assert all(len(w) == 7 for w in grid)
    assert all(w[0].day.weekday() == 0 and w[6].day.weekday() == 6 for w in grid)
    in_month = [d.day for w in grid for d in w if d.in_month]
    assert in_month[0] == date(year, month, 1)
    assert in_month[-1] == timefmt.month_bounds(year, month)[1]


def test_multi_day_event_across_month_edge():
    event = all_day("Lisbon", date(2026, 5, 30), date(2026, 6, 2), "Europe/Lisbon")
    june = month_grid(2026, 6, [event], today=date(2026, 6, 15))
    assert days_of(june, "Lisbon") == [date(2026, 6, 1), date(2026, 6, 2)]
    may = month_grid(2026, 5, [event], today=date(2026, 6, 15))
    # May's grid runs to Sunday May 31: the event shows there on its May days only.
    assert days_of(may, "Lisbon") == [date(2026, 5, 30), date(2026, 5, 31)]
    entries = [e for w in may for d in w for e in d.events]
    assert entries[0].first and not entries[1].first
    assert [e.label for e in entries] == ["", ""]


def test_event_on_last_day_of_previous_month_shows_in_leading_days():
    event = all_day("Edge", date(2026, 7, 31), date(2026, 7, 31), "America/Denver")
    august = month_grid(2026, 8, [event], today=date(2026, 6, 15))
    assert days_of(august, "Edge") == [date(2026, 7, 31)]
    assert not august[0][4].in_month


def test_across_midnight_event_on_both_days():
    event = timed("Late", datetime(2026, 6, 30, 22, 0), 180, "Europe/London")
    grid = month_grid(2026, 6, [event], today=date(2026, 6, 15))
    assert days_of(grid, "Late") == [date(2026, 6, 30), date(2026, 7, 1)]
    first, second = (e for w in grid for d in w for e in d.events)
    assert first.label == "10:00 PM BST"
    assert second.label == "continued" and second.last


def test_ending_at_midnight_stays_on_one_day():
    event = timed("Evening", datetime(2026, 6, 10, 20, 0), 240, "America/New_York")
    grid = month_grid(2026, 6, [event], today=date(2026, 6, 15))
    assert days_of(grid, "Evening") == [date(2026, 6, 10)]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"])
def test_all_day_event_far_from_utc_keeps_its_dates(zone):
    event = all_day("Far", date(2026, 6, 10), date(2026, 6, 11), zone)
    grid = month_grid(2026, 6, [event], today=date(2026, 6, 15))
    assert days_of(grid, "Far") == [date(2026, 6, 10), date(2026, 6, 11)]


def test_timed_event_placed_on_its_local_day_not_utc_day():
    # 9:00 AM on June 10 in Kiritimati (UTC+14) is June 9 in UTC.
    event = timed("Morning", datetime(2026, 6, 10, 9, 0), 60, "Pacific/Kiritimati")
    assert event.start_at.date() == date(2026, 6, 9)
    grid = month_grid(2026, 6, [event], today=date(2026, 6, 15))
    assert days_of(grid, "Morning") == [date(2026, 6, 10)]


def test_per_day_limit_and_today():
    events = [timed(f"E{i}", datetime(2026, 6, 15, 8 + i), 30, "UTC") for i in range(5)]
    grid = month_grid(2026, 6, events, today=date(2026, 6, 15), per_day=3)
    day = next(d for w in grid for d in w if d.day == date(2026, 6, 15))
    assert day.is_today
    assert [e.event.title for e in day.shown] == ["E0", "E1", "E2"]
    assert day.more == 2


# --- the pages -----------------------------------------------------------------------------------


def test_current_month_page(client, create_event):
    create_event(title="June webinar", start=datetime(2026, 6, 18, 18, tzinfo=UTC))
    create_event(title="Secret draft", status="draft", start=datetime(2026, 6, 18, 18, tzinfo=UTC))
    html = client.get("/calendar/").get_data(as_text=True)
    assert "June 2026" in html
    assert "June webinar" in html
    assert "Secret draft" not in html
    assert 'href="/calendar/2026/05"' in html
    assert 'href="/calendar/2026/07"' in html
    assert '<li class="day today' in html


def test_month_page_multi_day_and_status(client, create_event, create_venue):
    venue = create_venue()
    create_event(
        title="Summit",
        kind="live",
        venue=venue,
        zone="America/Denver",
        first_day=date(2026, 9, 24),
        last_day=date(2026, 9, 26),
        status="postponed",
    )
    html = client.get("/calendar/2026/09").get_data(as_text=True)
    # Each day's link says the status to screen readers too (the badge is beside it).
    named = '>Summit<span class="visually-hidden">, postponed</span></a>'
    assert html.count(named) == 3
    assert "Postponed" in html
    assert client.get("/calendar/2026/10").get_data(as_text=True).count(">Summit<") == 0


def test_month_page_filters_and_more_link(client, app, create_event):
    app.config["CALENDAR_PER_DAY"] = 2
    day = datetime(2026, 7, 8, 14, tzinfo=UTC)
    for i in range(4):
        create_event(title=f"Web {i}", start=day + timedelta(hours=i))
    create_event(title="Live thing", kind="live", start=day)
    html = client.get("/calendar/2026/07?kind=webinar").get_data(as_text=True)
    assert "Live thing" not in html
    assert "+2 more" in html
    more = re.search(r'href="([^"]*)"[^>]*>\+2 more', html).group(1)
    assert "from=2026-07-08" in more and "to=2026-07-08" in more and "kind=webinar" in more
    listed = client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert all(f"Web {i}" in listed for i in range(4))
    assert 'href="/calendar/2026/08?kind=webinar"' in html


def test_more_link_for_a_past_day_shows_past_events(client, app, create_event):
    app.config["CALENDAR_PER_DAY"] = 1
    day = datetime(2026, 6, 2, 14, tzinfo=UTC)
    for i in range(3):
        create_event(title=f"Old {i}", start=day + timedelta(hours=i))
    html = client.get("/calendar/2026/06").get_data(as_text=True)
    more = re.search(r'href="([^"]*)"[^>]*>\+2 more', html).group(1).replace("&amp;", "&")
    assert "when=all" in more
    listed = client.get(more).get_data(as_text=True)
    assert all(f"Old {i}" in listed for i in range(3))


def test_the_days_links_list_what_their_cells_count(client, app, create_event):
    # NOW is Jun 15, 12:00 UTC: a fair that began on the 14th and runs to the 16th, and a
    # breakfast over by 9:00 this morning, are in the cells of the 14th and the 15th.
    app.config["CALENDAR_PER_DAY"] = 1  # each of those days has a "+N more" link
    create_event(title="Three-day fair", first_day=date(2026, 6, 14), last_day=date(2026, 6, 16))
    create_event(title="Early breakfast", start=datetime(2026, 6, 15, 8, tzinfo=UTC))
    create_event(title="Widget fair", first_day=date(2026, 6, 14), last_day=date(2026, 6, 16))
    html = client.get("/calendar/2026/06").get_data(as_text=True)
    widget = client.get("/embed/month.json?month=2026-06").get_json()["month"]
    cells = {c["date"]: c for week in widget["weeks"] for c in week}
    for day, titles in (("14", {"Three-day fair", "Widget fair"}),
                        ("15", {"Three-day fair", "Widget fair", "Early breakfast"}),
                        ("16", {"Three-day fair", "Widget fair"})):  # fmt: skip
        more = re.search(rf'href="([^"]*from=2026-06-{day}[^"]*)"', html).group(1)
        for link in (more.replace("&amp;", "&"), cells[f"2026-06-{day}"]["url"]):
            page = client.get(link.removeprefix("http://localhost")).get_data(as_text=True)
            shown = {t for t in ("Three-day fair", "Widget fair", "Early breakfast") if t in page}
            assert shown == titles, (day, link)
        assert cells[f"2026-06-{day}"]["count"] == len(titles)


def _list_link(html: str) -> str:
    return (
        re.search(r'href="([^"]*)">[A-Z][a-z]+ \d{4} as a list', html)
        .group(1)
        .replace("&amp;", "&")
    )


def test_the_month_as_a_list_of_a_search_lists_every_date_as_its_grid(client, create_series):
    """Ranked, a series is one entry: the month's and a day's lists are in date order, as the
    grid, every date there."""
    create_series(start=datetime(2026, 7, 2, 12, 0), title="Optical Hour", count=4)
    html = client.get("/calendar/2026/07?q=optical").get_data(as_text=True)
    assert html.count(">Optical Hour<") == 4
    link = _list_link(html)
    assert "sort=date" in link
    listed = client.get(link).get_data(as_text=True)
    assert re.search(r">\s*4 upcoming events\s*</h2>", listed)


@pytest.mark.parametrize(
    ("month", "when", "shown", "not_shown"),
    [
        # A month that is over: its own past events, not those of the month before or after.
        ("2026/05", "past", ["May webinar"], ["April webinar", "June past webinar"]),
        # The current month (NOW is June 15): all of it, as its grid, nothing later.
        ("2026/06", "all", ["June past webinar", "June webinar"], ["May webinar", "July webinar"]),
        ("2026/07", "upcoming", ["July webinar"], ["June webinar"]),
    ],
)
def test_the_month_as_a_list_lists_that_months_events(
    client, create_event, month, when, shown, not_shown
):
    for title, start in [
        ("April webinar", datetime(2026, 4, 20, 14, tzinfo=UTC)),
        ("May webinar", datetime(2026, 5, 20, 14, tzinfo=UTC)),
        ("June past webinar", datetime(2026, 6, 3, 14, tzinfo=UTC)),
        ("June webinar", datetime(2026, 6, 20, 14, tzinfo=UTC)),
        ("July webinar", datetime(2026, 7, 20, 14, tzinfo=UTC)),
    ]:
        create_event(title=title, start=start)
    link = _list_link(client.get(f"/calendar/{month}?kind=webinar").get_data(as_text=True))
    assert f"when={when}" in link or (when == "upcoming" and "when=" not in link)
    assert "kind=webinar" in link
    listed = client.get(link)
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert all(t in html for t in shown), shown
    assert not any(t in html for t in not_shown), not_shown


@pytest.mark.parametrize(
    "url",
    [
        "/calendar/2026/13",
        "/calendar/2026/00",
        "/calendar/0/1",
        "/calendar/0/01",
        "/calendar/99999/01",
        "/calendar/2026/1",
        "/calendar/-1/01",
        "/calendar/abc/01",
        "/calendar/2026/01/02",
        "/calendar/1899/12",
        "/calendar/0001/01",
        "/calendar/september",
    ],
)
def test_bad_months_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "main-nav" in html
    assert "/calendar/2026/09" in html or "the years 1900-2999" in html  # how to write one


def test_edge_years_have_no_link_beyond(client):
    html = client.get("/calendar/2999/12").get_data(as_text=True)
    assert "/calendar/3000/01" not in html
    assert 'href="/calendar/2999/11"' in html
    html = client.get("/calendar/1900/01").get_data(as_text=True)
    assert "/calendar/1899/12" not in html


def test_ten_thousand_character_search_is_refused_politely(client):
    response = client.get("/calendar/2026/06?q=" + "x" * 10_000)
    assert response.status_code == 414
    assert "main-nav" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["kind=nope", "page=abc", "from=2026-02-30", "category=%3Cscript%3E", "kind=%00"],
)
def test_bad_filters_on_calendar_are_400(client, query):
    assert client.get(f"/calendar/2026/06?{query}").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 1_500,
        "q=%00",
        "q=%F0%9F%93%A1",
        "place=%22%27%3Cscript%3E",
        "category=unknown",
    ],
)
def test_odd_but_harmless_filters_on_calendar(client, query):
    response = client.get(f"/calendar/2026/06?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_today_is_the_sites_day_not_utcs(client, app):
    """At 10 PM in New York on June 30 (2 AM UTC, July 1) a New York site is still in June."""
    app.config.update(RESPONSE_CACHE_BYTES=0, SITE_TIMEZONE="America/New_York")
    app.config["NOW"] = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    html = client.get("/calendar/").get_data(as_text=True)
    assert "June 2026" in html
    today = re.findall(r'<li class="day[^"]* today[^"]*">\s*<h2 class="day-head"><time '
                       r'datetime="([0-9-]+)"', html)  # fmt: skip
    assert today == ["2026-06-30"]
    app.config["SITE_TIMEZONE"] = "UTC"
    html = client.get("/calendar/").get_data(as_text=True)
    assert "July 2026" in html and 'datetime="2026-07-01"' in html


def test_a_site_timezone_that_does_not_exist_stops_the_app() -> None:
    from events_app import create_app

    with pytest.raises(RuntimeError, match="SITE_TIMEZONE"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "SITE_TIMEZONE": "Mars/Olympus"})


def test_a_filtered_month_with_nothing_says_where_the_next_match_is(client, create_event):
    """A search from the calendar landed on this month, empty, while matches came later."""
    create_event(title="London Fibre Forum", first_day=date(2026, 8, 18), kind="live")
    create_event(title="London Fibre Dinner", first_day=date(2026, 6, 2), kind="live")  # past
    html = client.get("/calendar/2026/06?q=london").get_data(as_text=True)
    assert "London Fibre" in html  # June has one: nothing more to say
    assert "The next one is on" not in html
    html = client.get("/calendar/2026/05?q=london").get_data(as_text=True)  # a month gone by:
    # the next held after it (it pointed past June's to August's, the next from today)
    assert 'The next one is on <a href="/calendar/2026/06?q=london">Jun 2, 2026</a>.' in html
    html = client.get("/calendar/2026/07?q=london").get_data(as_text=True)
    assert "No events match these filters in July 2026." in html
    assert 'The next one is on <a href="/calendar/2026/08?q=london">Aug 18, 2026</a>.' in html
    html = client.get("/calendar/2026/09?q=london").get_data(as_text=True)
    assert "No events match these filters in September 2026." in html
    # None later: the next from today, before this month.
    assert 'The next one from today is on <a href="/calendar/2026/08?q=london">Aug 18' in html
    assert "matching “<bdi>london</bdi>”</span></h1>" in html  # the heading says it is a search
    html = client.get("/calendar/2026/09?q=nowhere").get_data(as_text=True)
    assert "No events match these filters in September 2026." in html
    assert "The next one" not in html  # none at all


@pytest.mark.parametrize("query", ["q=zzzz", "place=atlantis", "kind=webinar&q=zzzz"])
def test_an_empty_filtered_month_offers_clear_filters_once(client, create_event, query):
    """The form above the grid said "Clear filters" and so did the box under it that says
    nothing matches: the box keeps it, with its pointer to the next match."""
    create_event(title="London Fibre Forum", first_day=date(2026, 8, 18), kind="live")
    html = client.get(f"/calendar/2026/07?{query}").get_data(as_text=True)
    assert html.count("Clear filters") == 1, query
    assert re.search(r'<div class="empty">.*<a href="/calendar/2026/07">Clear filters</a>', html)
    found = client.get("/calendar/2026/08?q=london").get_data(as_text=True)
    assert found.count("Clear filters") == 1  # the form's, as before
    nowhere = client.get("/calendar/2026/07?category=opticals").get_data(as_text=True)
    assert "See July 2026 in every category" in nowhere and nowhere.count("Clear filters") == 1


def test_a_filtered_month_says_how_many_events_match_in_it(client, app, create_event):
    """As a list does: the grid alone leaves a visitor counting cells, and its "+N more"
    and the days of the months around it make that count wrong."""
    app.config["CALENDAR_PER_DAY"] = 1
    day = datetime(2026, 7, 8, 14, tzinfo=UTC)
    for i in range(3):  # two of them behind a "+2 more"
        create_event(title=f"Fibre talk {i}", start=day + timedelta(hours=i))
    create_event(
        title="Fibre fair", kind="live", first_day=date(2026, 6, 29), last_day=date(2026, 7, 1)
    )
    create_event(title="Fibre August", first_day=date(2026, 8, 1))  # in July's grid, not July
    create_event(title="Copper talk", start=day)
    html = client.get("/calendar/2026/07?q=fibre").get_data(as_text=True)
    assert 'results-count">4 events in July 2026</p>' in html  # the heading names the search
    html = client.get("/calendar/2026/07?q=fibre&kind=live").get_data(as_text=True)
    assert 'results-count">1 live event in July 2026</p>' in html
    assert "results-count" not in client.get("/calendar/2026/07").get_data(as_text=True)
    html = client.get("/calendar/2026/09?q=fibre").get_data(as_text=True)
    assert "results-count" not in html and "No events match these filters" in html


def test_an_unknown_category_on_the_calendar_is_named(client, create_event):
    create_event(title="June webinar", start=datetime(2026, 6, 18, 18, tzinfo=UTC))
    html = client.get("/calendar/2026/06?category=opticals&q=june").get_data(as_text=True)
    assert "There is no category “<bdi>opticals</bdi>”" in html
    assert 'href="/calendar/2026/06?q=june">See June 2026 in every category</a>' in html
    assert "opticals.ics" not in html  # no feed to subscribe to: a 404
    assert "No events match these filters" not in html
