"""Visitor pages in Chromium beyond the flows in test_visitor.py: the visitor's own time from
site.js, the narrowest phone width, and keyboard focus."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Watched

pytestmark = pytest.mark.browser

PAGES = ["/", "/events/", "/events/big-5g-event", "/calendar/", "/webinars/", "/webinars/archive"]
NEW_YORK_WEBINAR = "/events/5g-standalone-lessons-from-the-first-networks"


def open_in(browser, live_server, path: str, *, width: int = 1280, zone: str = "UTC") -> Watched:
    context = browser.new_context(viewport={"width": width, "height": 800}, timezone_id=zone)
    watched = Watched(context.new_page(), live_server.url)
    watched.goto(path)
    watched.page.wait_for_load_state("load")
    return watched


def test_visitors_time_is_added_when_their_zone_differs(browser, live_server):
    tokyo = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="Asia/Tokyo")
    note = tokyo.page.inner_text(".facts .local-time")
    assert "your time" in note and "GMT+9" in note
    assert not tokyo.errors
    tokyo.page.context.close()

    new_york = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="America/New_York")
    assert new_york.page.locator(".local-time").count() == 0
    new_york.page.context.close()


def test_all_day_events_are_not_converted(browser, live_server):
    watched = open_in(browser, live_server, "/events/big-5g-event", zone="Asia/Tokyo")
    when = watched.page.locator(".facts time")
    assert when.get_attribute("data-local") is None
    assert watched.page.locator(".local-time").count() == 0
    watched.page.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_360_pixels(browser, live_server, path):
    watched = open_in(browser, live_server, path, width=360)
    width = watched.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path}: {width}px wide"
    assert not watched.errors
    watched.page.context.close()


def test_keyboard_focus_is_visible(browser, live_server):
    watched = open_in(browser, live_server, "/events/")
    page = watched.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.context.close()
