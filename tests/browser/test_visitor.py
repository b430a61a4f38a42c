"""Visitor flows in Chromium: home, list filters, pagination, detail, calendar links, month
navigation (and the phone agenda), archive search; axe-core scans and screenshots of each."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.helpers import PHONE, check_page, page_width

pytestmark = pytest.mark.browser


def test_home(desktop):
    desktop.goto("/")
    page = desktop.page
    assert page.locator("h1").first.is_visible()
    assert page.locator("a[href^='/events/']").count() > 0, "home lists events"
    check_page(desktop, "home")


def test_list_filters_and_pagination(desktop):
    page = desktop.page
    desktop.goto("/events/")
    check_page(desktop, "events list")
    page.select_option("#f-kind", "webinar")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"kind=webinar"))
    # Only the fields filled in travel: no "&category=&place=&from=&to=&q=".
    assert urlsplit(page.url).query == "kind=webinar", page.url
    badges = page.locator(".event-list .badge-kind")
    assert badges.count() > 0
    assert {t.strip() for t in badges.all_text_contents()} == {"Webinar"}

    desktop.goto("/events/")

    def links() -> list[str]:  # the dates of a series share a title, never a URL
        return [a.get_attribute("href") for a in page.locator(".event-title a").all()]

    first_page = links()
    assert len(first_page) == 5  # EVENTS_PAGE_SIZE=5 on the test server
    page.click(".pager a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    second_page = links()
    assert second_page and not set(second_page) & set(first_page)
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    check_page(desktop, "events list page 2")


def test_event_detail_and_add_to_calendar_links(desktop):
    page = desktop.page
    desktop.goto("/webinars/")
    link = page.locator(".event-title a").first
    title = link.inner_text().strip()
    link.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().strip() == title
    check_page(desktop, "event detail")

    google = page.get_by_role("link", name="Add to Google Calendar").get_attribute("href")
    parts = urlsplit(google)
    assert (parts.scheme, parts.netloc) == ("https", "calendar.google.com")
    query = parse_qs(parts.query)
    assert query["action"] == ["TEMPLATE"] and query["text"] == [title]
    start_text = query["dates"][0].split("/")[0]
    assert re.fullmatch(r"\d{8}T\d{6}Z?/\d{8}T\d{6}Z?|\d{8}/\d{8}", query["dates"][0])
    if "T" in start_text:
        # The link's start is the instant the page shows (UTC, or local time in `ctz`).
        zone = UTC if start_text.endswith("Z") else ZoneInfo(query["ctz"][0])
        start = datetime.strptime(start_text.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=zone)
        shown = page.locator("main time[datetime]").first.get_attribute("datetime")
        assert start == datetime.fromisoformat(shown.replace("Z", "+00:00"))
    for name in ("Add to Outlook.com", "Add to Microsoft 365"):
        href = page.get_by_role("link", name=name).get_attribute("href")
        parts = urlsplit(href)
        assert parts.scheme == "https" and parts.netloc.endswith(("live.com", "office.com"))
        assert parse_qs(parts.query)["subject"] == [title]

    ics_href = page.locator("a[download]").get_attribute("href")
    response = page.request.get(ics_href)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text()
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body


def test_month_navigation_and_phone_agenda(desktop, phone):
    page = desktop.page
    desktop.goto("/calendar/")
    start = page.locator("h1").inner_text()
    page.click(".cal-nav a[rel=next]")
    page.wait_for_url(re.compile(r"/calendar/\d{4}/\d{2}"))
    later = page.locator("h1").inner_text()
    assert later != start
    assert page.locator(".weekdays").is_visible()
    check_page(desktop, "calendar month")
    page.click(".cal-nav a[rel=prev]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == start

    phone.goto("/calendar/")
    ppage = phone.page
    assert not ppage.locator(".weekdays").is_visible(), "no weekday header row on a phone"
    columns = ppage.locator(".month-grid").evaluate("e => getComputedStyle(e).gridTemplateColumns")
    assert len(columns.split()) == 1, f"agenda is one column on a phone, got {columns}"
    days = ppage.locator(".month-grid .day:not(.no-events):not(.outside)")
    if days.count():
        assert days.first.locator(".day-full").is_visible(), "agenda days show their full date"
    width = page_width(ppage)
    assert width <= PHONE["width"], f"no sideways scrolling on a phone ({width}px)"
    ppage.click(".cal-nav a[rel=next]")
    ppage.wait_for_url(re.compile(r"/calendar/\d{4}/\d{2}"))
    assert not phone.errors


def test_archive_search(desktop):
    page = desktop.page
    desktop.goto("/webinars/archive")
    check_page(desktop, "webinar archive")
    titles = page.locator(".event-title a").all_inner_texts()
    assert titles, "the demo data has archived webinars"
    word = max(titles[0].split(), key=len)
    page.fill("input[name=q]", word)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    found = page.locator(".event-title a").all_inner_texts()
    assert found and titles[0] in found
    page.fill("input[name=q]", "zzzz-no-such-webinar")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"zzzz"))
    assert page.locator(".event-title a").count() == 0


def test_other_page_types(desktop):
    page = desktop.page
    desktop.goto("/events/")
    slugs = [
        v
        for v in page.locator("#f-category option").evaluate_all(
            "options => options.map(o => o.value)"
        )
        if v
    ]
    assert slugs, "the demo data has categories"
    for path, name in (
        ("/webinars/", "webinars"),
        ("/events/?when=past", "past events"),
        (f"/categories/{slugs[0]}", "category"),
        ("/staff/login", "staff login"),
    ):
        desktop.goto(path)
        check_page(desktop, name)
    response = page.goto(desktop.base_url + "/no-such-page")
    assert response.status == 404
    desktop.errors.clear()  # the browser logs the 404 status itself
    check_page(desktop, "not found")
