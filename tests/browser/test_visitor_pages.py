"""Visitor pages in Chromium beyond the flows in test_visitor.py: the visitor's own time from
site.js, more public pages at both widths, and keyboard focus."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Watched
from tests.browser.helpers import check_page, overflowing, page_width

pytestmark = pytest.mark.browser

NEW_YORK_WEBINAR = "/events/5g-standalone-lessons-from-the-first-networks"
# Public pages beyond those test_visitor.py checks on its way (home, lists, calendar, archive).
PAGES = {
    "current month": "/calendar/",
    "calendar filtered": "/calendar/?kind=live&place=denver",
    "live event detail": "/events/big-5g-event",
    "cancelled event detail": "/events/broadband-world-forum",
    "postponed event detail": "/events/optical-networking-days",
    "timed webinar detail": NEW_YORK_WEBINAR,
    "events list no match": "/events/?q=zzzz-nothing&kind=live",
    "archive search": "/webinars/archive?q=5G",
    "events list search": "/events/?q=5g+summ",
    "events list search by date": "/events/?q=optical&sort=date",
    "events list past and to come": "/events/?when=all&kind=live",  # a day's link, up to today
}


def open_in(browser, live_server, path: str, *, width: int = 1280, zone: str = "UTC") -> Watched:
    context = browser.new_context(viewport={"width": width, "height": 800}, timezone_id=zone)
    watched = Watched(context.new_page(), live_server.url)
    watched.goto(path)
    watched.page.wait_for_load_state("load")
    return watched


def test_visitors_time_is_added_when_their_zone_differs(browser, live_server):
    tokyo = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="Asia/Tokyo")
    note = tokyo.page.inner_text(".facts .local-time")
    assert "your time" in note and note.count("GMT+9") == 1  # the range shares its zone
    assert not tokyo.errors
    tokyo.page.context.close()

    new_york = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="America/New_York")
    assert new_york.page.locator(".local-time").count() == 0
    new_york.page.context.close()


def test_a_visitors_range_across_midnight_names_the_zone_once(browser, live_server):
    """visitor-time.js, the one writer of the visitor's time (site.js; /embed.js carries it)."""
    tokyo = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="Asia/Tokyo")
    written = tokyo.page.evaluate(
        "[visitorTime('2026-12-02T14:30:00Z', '2026-12-02T15:30:00Z', null),"
        " visitorTime('2026-12-02T09:00:00Z', '2026-12-02T10:00:00Z', null),"
        " visitorTime('2026-12-02T09:00:00Z', '2026-12-02T10:00:00Z', 540)]"
    )
    across, same_day, own_zone = written
    assert across.count("GMT+9") == 1 and "Dec 2" in across and "Dec 3" in across, across
    assert same_day.count("GMT+9") == 1 and same_day.count("Dec") == 1, same_day
    assert own_zone is None  # the event's zone has the visitor's offset: nothing to add
    tokyo.page.context.close()
    london = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="Europe/London")
    # The night the clocks go back: the two ends have different zones, both are named.
    both = london.page.evaluate("visitorTime('2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', null)")
    assert "BST" in both or "GMT+1" in both, both
    london.page.context.close()


def test_a_visitor_whose_clock_differs_only_at_the_end_gets_their_time(browser, live_server):
    """New York's clocks go back during the event (12:00 AM EDT to 3:00 AM EST); Santo Domingo
    keeps -04:00 all year: the start agrees with its clock, the end does not."""
    night = "'2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'"
    santo_domingo = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="America/Santo_Domingo")
    ends_differ, start_only = santo_domingo.page.evaluate(
        f"[visitorTime({night}, -240, -300), visitorTime({night}, -240)]"
    )
    assert ends_differ is not None and "4:00 AM" in ends_differ, ends_differ  # the page: 3:00
    assert start_only is None  # without the end's offset, the start's is taken for both
    santo_domingo.page.context.close()
    new_york = open_in(browser, live_server, NEW_YORK_WEBINAR, zone="America/New_York")
    assert new_york.page.evaluate(f"visitorTime({night}, -240, -300)") is None  # as the page
    # A visitor whose own clock changes during an event in a zone that does not: shown.
    assert new_york.page.evaluate(f"visitorTime({night}, -240)") is not None
    new_york.page.context.close()


def test_all_day_events_are_not_converted(browser, live_server):
    watched = open_in(browser, live_server, "/events/big-5g-event", zone="Asia/Tokyo")
    when = watched.page.locator(".facts time")
    assert when.get_attribute("data-local") is None
    assert watched.page.locator(".local-time").count() == 0
    watched.page.context.close()


@pytest.mark.parametrize("name", PAGES)
def test_public_page_reads_at_both_widths(desktop, name):
    desktop.goto(PAGES[name])
    check_page(desktop, name)


def test_keyboard_focus_is_visible(browser, live_server):
    watched = open_in(browser, live_server, "/events/")
    page = watched.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineColor]; }"
    )
    assert style[0] != "none"
    # Main content: the ring must stand out from the white page (WCAG 1.4.11, 3:1).
    page.locator("main a").first.focus()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert contrast(ring, "rgb(255, 255, 255)") >= 3, ring
    page.context.close()


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("path", ["/webinars/archive?q=5G", "/events/?q=5g", "/calendar/?q=5g"])
def test_search_boxes_leave_room_to_type_on_a_phone(browser, live_server, path):
    watched = open_in(browser, live_server, path, width=360)
    box = watched.page.locator("input[name=q]").first.bounding_box()
    assert box and box["width"] >= 240, box  # the archive's was squeezed to about 100 px
    watched.page.context.close()


def test_on_a_phone_the_filters_fold_so_the_first_events_show(browser, live_server):
    watched = open_in(browser, live_server, "/events/", width=360)
    page = watched.page
    toggle = page.locator(".more-filters-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#f-kind").is_visible() and page.locator("#f-q").is_visible()
    first = page.locator(".event-item").first.bounding_box()
    assert first and first["y"] < 800, first  # on the first screen, not below the filters
    toggle.click()
    assert page.locator("#f-kind").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.select_option("#f-kind", "webinar")
    page.click("text=Apply filters")
    page.wait_for_load_state("load")
    # A filter in use stays in sight.
    assert page.locator("#f-kind").is_visible() and not toggle.count()
    assert not watched.errors, watched.errors
    page.context.close()
    wide = open_in(browser, live_server, "/events/")
    assert (
        wide.page.locator("#f-kind").is_visible()
        and not wide.page.locator(".more-filters-toggle").count()
    )
    wide.page.context.close()


def test_a_date_refused_beside_its_field_reads_at_both_widths_and_stays_unfolded(
    browser, live_server
):
    for width in (1280, 360):
        context = browser.new_context(viewport={"width": width, "height": 800})
        watched = Watched(context.new_page(), live_server.url)
        response = watched.page.goto(live_server.url + "/events/?from=2027-01-01&to=2026-12-01")
        assert response.status == 400
        watched.errors[:] = [e for e in watched.errors if "400" not in e]  # the answer itself
        assert watched.page.locator("#f-to-error").is_visible()  # not folded away on a phone
        assert watched.page.locator("#f-to").get_attribute("aria-invalid") == "true"
        check_page(watched, f"events list dates the wrong way {width}")
        context.close()


def test_narrow_screens_keep_the_list_tabs_and_the_agenda_whole(browser, live_server):
    """320 px is what a 1280 px screen shows at 400% zoom (WCAG reflow)."""
    narrow = open_in(browser, live_server, "/events/", width=320)
    assert page_width(narrow.page) <= 320, overflowing(narrow.page)
    narrow.page.context.close()
    phone = open_in(browser, live_server, "/calendar/", width=360)
    widths = phone.page.eval_on_selector_all(
        ".day:not(.outside):not(.no-events)",
        "days => days.map(d => getComputedStyle(d).borderRightWidth)",
    )
    assert widths and set(widths) == {"1px"}, widths  # Sundays' cards had none
    phone.page.context.close()


def test_the_api_docs_give_each_group_its_description_under_it_on_a_phone(browser, live_server):
    phone = open_in(browser, live_server, "/api/v1/docs", width=360)
    phone.page.wait_for_selector(".opblock-tag small")
    boxes = phone.page.eval_on_selector_all(
        ".opblock-tag small", "all => all.map(s => s.getBoundingClientRect().width)"
    )
    assert boxes and min(boxes) > 250, boxes  # was squeezed into a 33 px column
    phone.page.context.close()


def test_an_event_reached_from_results_links_back_to_them_as_they_were(desktop):
    """Its search, filters and page kept; reached any other way, no such link."""
    page = desktop.page
    back = page.locator(".back-to-results a")
    for start, event_link, label in (
        ("/events/?q=5g&page=2", ".event-title a", "Back to search results"),
        ("/categories/5g?page=2", ".event-title a", "Back to the list"),
        ("/calendar/?kind=webinar", ".cal-event a", "Back to the calendar"),
    ):
        desktop.goto(start)
        page.locator(event_link).first.click()
        page.wait_for_load_state("load")
        assert back.is_visible(), start
        assert back.inner_text().strip() == "\u2190 " + label
        if label == "Back to the list":
            check_page(desktop, "event back to results")
        back.click()
        page.wait_for_load_state("load")
        assert page.url == desktop.base_url + start
    desktop.goto("/events/big-5g-event")  # typed, or from elsewhere
    assert not back.is_visible()
    desktop.goto("/events/the-telecom-hour")  # a series page has it too
    assert page.locator("[data-back-to-results]").count() == 1 and not back.is_visible()
    assert not desktop.errors, desktop.errors


def test_an_event_page_leads_to_its_venue_page(desktop):
    """The venue's name on an event page opens its page; both read at both widths, and the
    venue page (its map a plain link) loads nothing from another origin."""
    asked: list[str] = []
    desktop.page.on("request", lambda r: asked.append(r.url))
    desktop.goto("/events/big-5g-event")
    check_page(desktop, "event page linking its venue")
    with desktop.page.expect_navigation():
        desktop.page.click(".venue a[href='/venues/westin-westminster']")
    assert desktop.page.url == desktop.base_url + "/venues/westin-westminster"
    assert desktop.page.locator("h1").inner_text() == "Westin Westminster"
    assert desktop.page.locator(".event-list .event-title", has_text="Big 5G Event").count() == 2
    check_page(desktop, "venue page")
    assert [url for url in asked if not url.startswith(desktop.base_url)] == []


# Every filter at once, a long search among them.
EVERY_FILTER = "kind=webinar&place=denver&q=private+networks+industrial+automation"


@pytest.mark.parametrize(
    "path",
    [
        f"/categories/5g?{EVERY_FILTER}&from=2027-01-01&to=2027-12-31",
        f"/calendar/2027/01?{EVERY_FILTER}&category=5g",
        "/webinars/archive?q=open+ran+interoperability+testing+in+multi-vendor+networks",
    ],
)
def test_a_heading_naming_many_filters_keeps_to_four_lines_on_a_phone(browser, live_server, path):
    """The filters' words (place, search, dates) are set smaller than what is listed: in the
    heading's own type they made six lines of it on a phone, above the filters and events."""
    phone = open_in(browser, live_server, path, width=360)
    lines = phone.page.locator("h1").evaluate(
        "h => h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight)"
    )
    assert lines <= 4.05, (path, lines)
    if "from=" in path:  # each date on one line: it broke "Dec / 1, 2026"
        rows = phone.page.locator("h1 .nowrap").evaluate_all(
            "dates => dates.map(d => d.getClientRects().length)"
        )
        assert rows and set(rows) == {1}, (path, rows)
    if path.startswith("/categories/"):
        check_page(phone, "category heading with every filter")
    else:
        phone.page.context.close()


def test_a_months_no_events_box_stands_apart_from_its_grid(desktop):
    """A month's search that finds nothing: its box (with the Did you mean line) keeps a gap
    above the days' grid, as the one-line box did; held in a <div> it sat on the grid's edge."""
    desktop.goto("/calendar/?q=optcal+netwrok")
    page = desktop.page
    assert page.locator(".empty .did-you-mean").is_visible()
    box = page.locator(".empty").bounding_box()
    grid = page.locator(".month").bounding_box()
    assert box and grid and grid["y"] - (box["y"] + box["height"]) >= 12, (box, grid)
    check_page(desktop, "month search corrected")


def test_a_months_status_badges_are_large_enough_to_read(desktop):
    """ "Postponed" and "Cancelled" in the month grid were 10.4 px, bold capitals in a box."""
    desktop.goto("/events/optical-networking-days")  # postponed, in the demo
    first_day = desktop.page.locator("main time[datetime]").first.get_attribute("datetime")
    desktop.goto(f"/calendar/{first_day[:4]}/{first_day[5:7]}")
    sizes = desktop.page.locator(".cal-event .badge").evaluate_all(
        "badges => badges.map(b => parseFloat(getComputedStyle(b).fontSize))"
    )
    assert sizes and min(sizes) >= 11, sizes
