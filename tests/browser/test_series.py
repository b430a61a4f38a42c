"""Series in Chromium: an editor creates a weekly show, cancels one episode, moves one, changes
"this and following", and sees the list, the month grid, the series page and the feed follow."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import check_page, fill_when
from tests.browser.test_staff import feed_text, sign_in

pytestmark = pytest.mark.browser


def first_thursday_after(day: date) -> date:
    return day + timedelta(days=(3 - day.weekday()) % 7 or 7)


def open_date(page, series_url: str, day: date) -> None:
    """From the series' staff page, open one date's edit page."""
    page.goto(series_url)
    row = page.locator(".occurrences tr", has_text=f"{day:%b} {day.day}, {day.year}")
    row.get_by_role("link", name=re.compile("Edit")).click()
    page.wait_for_url(re.compile(r"/staff/events/\d+/edit"))


def save(page) -> None:
    page.click("#save")
    page.wait_for_load_state("load")
    assert not page.locator(".form-errors").count(), page.locator("main").inner_text()[:2000]


def test_weekly_show_cancel_move_and_this_and_following(desktop):
    page = desktop.page
    tag = uuid.uuid4().hex[:6]
    title = f"Browser Weekly Show {tag}"
    first = first_thursday_after(date.today() + timedelta(days=7))
    days = [first + timedelta(weeks=n) for n in range(10)]

    sign_in(desktop)

    desktop.goto("/staff/events/new")
    page.fill("#title", title)
    page.select_option("#kind", "audio")
    page.fill("#summary", "A weekly show made by the browser test.")
    fill_when(page, first.isoformat(), "12:00", "13:00", "America/New_York")
    page.select_option("#status", "published")
    page.select_option("#repeat-freq", "weekly")
    assert page.locator("#repeat-weekdays-group").is_visible()  # the weekly fields appear
    assert not page.locator("#repeat-monthly_by-group").is_visible()
    page.check("#repeat-weekdays-3")  # Thursday
    page.check("#repeat-ends-2")  # after a number
    page.fill("#repeat-count", "10")
    # The summary and next dates follow what is typed, before anything is saved.
    preview = page.locator("#rule-preview")
    preview.get_by_text(re.compile(r"Every Thursday at 12:00 PM .*: 10 occurrences")).wait_for()
    assert f"{first:%b} {first.day}, {first.year}" in preview.inner_text()
    page.fill("#repeat-count", "3")
    preview.get_by_text(re.compile(r": 3 occurrences")).wait_for()
    # Read aloud: the summary alone, from a status that stays on the page (not every date).
    said = page.locator("#rule-preview-status")
    assert said.get_attribute("role") == "status" and preview.get_attribute("role") is None
    assert re.fullmatch(r"Every Thursday at 12:00 PM .*: 3 occurrences\.?", said.inner_text())
    page.fill("#repeat-count", "10")
    preview.get_by_text(re.compile(r": 10 occurrences")).wait_for()
    save(page)
    series_url = page.url
    body = page.locator("main").inner_text()
    assert "Every Thursday at 12:00 PM" in body and "10 occurrences" in body
    check_page(desktop, "staff series form")
    desktop.goto(urlsplit(series_url).path.replace("/edit", "/preview"))
    assert "Preview: this is how visitors see the series" in page.locator("main").inner_text()
    check_page(desktop, "staff series preview")

    # Cancel the third episode, move the fourth to Friday 3:00 PM.
    open_date(page, series_url, days[2])
    assert page.is_checked("#repeat-scope-0")  # "this occurrence only" unless chosen
    page.select_option("#status", "cancelled")
    save(page)
    check_page(desktop, "staff series one date")
    open_date(page, series_url, days[3])
    moved = days[3] + timedelta(days=1)
    page.fill("#start_date", moved.isoformat())
    page.fill("#end_date", moved.isoformat())
    page.fill("#start_time", "15:00")
    page.fill("#end_time", "16:00")
    save(page)

    # From the sixth on: 1:00 PM.
    open_date(page, series_url, days[5])
    page.fill("#start_time", "13:00")
    page.fill("#end_time", "14:00")
    page.check("#repeat-scope-1")  # this and following
    # The preview shows the new part's rule: the five dates left, at the new time.
    page.locator("#rule-preview").get_by_text(
        re.compile(r"at 1:00 PM .*: 5 occurrences")
    ).wait_for()
    save(page)

    # Best match first, each series is one entry (its soonest date): the two halves.
    page.goto(f"/events/?kind=audio&q={tag}")
    assert page.locator(".event-item").count() == 2
    page.goto(f"/events/?kind=audio&q={tag}&sort=date")
    items = page.locator(".event-item")
    assert items.count() == 5  # by date: a page of the ten, in order
    assert page.locator(".event-item.is-cancelled").count() == 1
    assert "Part of:" in items.first.inner_text()
    # The moved date's "Moved from" line sits with its entry, just under its "Part of" line.
    assert page.locator(".event-item .event-moved").count() == 1
    gap = page.locator(".event-item .event-moved").evaluate(
        "p => p.getBoundingClientRect().top"
        " - p.previousElementSibling.getBoundingClientRect().bottom"
    )
    assert 0 <= gap < 8, gap
    check_page(desktop, "series occurrences in the list")

    page.goto(f"/calendar/{days[3]:%Y/%m}?q={tag}")
    assert page.locator(".cal-event", has_text=title).count() >= 1
    check_page(desktop, "series in the month grid")

    page.locator(".event-item, .cal-event").first.locator("a").first.click()
    page.goto(page.locator("p.event-series a").first.get_attribute("href"))
    assert "Upcoming" in page.locator("main").inner_text()
    check_page(desktop, "series page")

    text = feed_text(page)
    assert text.count(f"SUMMARY:{title}") >= 3  # two masters and the moved episode
    assert f"EXDATE;TZID=America/New_York:{days[2]:%Y%m%d}T120000" in text
    assert f"RECURRENCE-ID;TZID=America/New_York:{days[3]:%Y%m%d}T120000" in text
    assert f"DTSTART;TZID=America/New_York:{days[5]:%Y%m%d}T130000" in text
    rules = [line for line in text.splitlines() if line.startswith("RRULE:")]
    assert any(r.startswith("RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=") for r in rules), rules
    assert "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=5" in rules, rules

    # The series' form marks those dates in its next dates, and says which a new rule deletes.
    page.goto(series_url)
    preview = page.locator("#rule-preview")
    shown = preview.inner_text()
    assert "(cancelled)" in shown and f"(moved to {moved:%b} {moved.day}, {moved.year}" in shown
    page.uncheck("#repeat-weekdays-3")  # Thursday
    page.check("#repeat-weekdays-2")  # Wednesday
    preview.get_by_text("Saving this rule deletes 2 dates with changes of their own").wait_for()
    check_page(desktop, "staff series rule that deletes changed dates")


def test_repeats_show_only_the_fields_the_choices_use(desktop):
    page = desktop.page
    sign_in(desktop)
    desktop.goto("/staff/events/new")
    page.select_option("#repeat-freq", "monthly")
    weekday, until, count = (
        page.locator(s) for s in ("#repeat-week_of_month", "#repeat-until", "#repeat-count")
    )
    assert page.is_checked("#repeat-monthly_by-0") and page.is_checked("#repeat-ends-0")
    assert not weekday.is_visible() and not until.is_visible() and not count.is_visible()
    page.check("#repeat-monthly_by-1")  # the same weekday
    assert weekday.is_visible()
    page.check("#repeat-ends-1")  # on a date
    assert until.is_visible() and not count.is_visible()
    page.check("#repeat-ends-2")  # after a number
    assert count.is_visible() and not until.is_visible()
    page.check("#repeat-monthly_by-0")
    assert not weekday.is_visible()
    # A refused value stays in sight with its message, whatever is chosen.
    page.fill("#title", "Monthly with a bad count")
    fill_when(page, (date.today() + timedelta(days=30)).isoformat(), "12:00", "13:00", "UTC")
    page.fill("#repeat-count", "0")
    page.click("#save")
    page.wait_for_load_state("load")
    assert count.is_visible() and page.locator("#repeat-count-group, .has-error").first.is_visible()
    assert not until.is_visible()
    desktop.errors.clear()  # the refused form answers 400
    check_page(desktop, "staff repeats fields")
