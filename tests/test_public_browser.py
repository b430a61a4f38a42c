"""The visitor pages in real Chromium: phone layout, the calendar's agenda mode, site.js."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from events_app.demo import load_demo
from events_app.extensions import db
from tests.conftest import NOW
from tests.tools import chromium_path

pytestmark = pytest.mark.browser

PAGES = ["/", "/events/", "/events/big-5g-event", "/calendar/", "/webinars/", "/webinars/archive"]


@pytest.fixture
def site(app) -> Iterator[str]:
    """The app with the demo data, served over HTTP from a thread."""
    app.config["NOW"] = NOW
    with app.app_context():
        load_demo(db.session, NOW.date())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def browser():
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(browser, url: str, width: int, zone: str = "UTC"):
    page = browser.new_page(viewport={"width": width, "height": 800}, timezone_id=zone)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page, errors


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen_without_script_errors(site, browser, width):
    for path in PAGES:
        page, errors = open_page(browser, site + path, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert errors == [], path
        page.close()


def test_calendar_is_a_grid_on_desktop_and_an_agenda_on_a_phone(site, browser):
    page, _ = open_page(browser, site + "/calendar/2026/06", 1280)
    tops = page.eval_on_selector_all(".day", "els => els.slice(0, 7).map(e => e.offsetTop)")
    assert len(set(tops)) == 1  # the first week is one row of seven days
    assert page.is_visible(".weekdays")
    page.close()

    page, _ = open_page(browser, site + "/calendar/2026/06", 390)
    assert not page.is_visible(".weekdays")
    visible = page.eval_on_selector_all(
        ".day", "els => els.filter(e => e.offsetParent !== null).map(e => e.className)"
    )
    assert visible, "the agenda lists the month's days with events"
    assert all("outside" not in c and "no-events" not in c for c in visible)
    assert page.locator(".day:not(.outside):not(.no-events) .day-full").first.is_visible()
    page.close()


def test_site_js_adds_the_visitors_time_only_when_it_differs(site, browser):
    url = site + "/events/5g-standalone-lessons-from-the-first-networks"
    page, errors = open_page(browser, url, 1280, zone="Asia/Tokyo")
    note = page.inner_text(".facts .local-time")
    assert "your time" in note and "GMT+9" in note
    assert errors == []
    page.close()
    page, _ = open_page(browser, url, 1280, zone="America/New_York")
    assert page.locator(".local-time").count() == 0
    page.close()


def test_keyboard_focus_is_visible(site, browser):
    page, _ = open_page(browser, site + "/events/", 1280)
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert style not in ("", "none")
    page.close()
