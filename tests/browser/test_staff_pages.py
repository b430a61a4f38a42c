"""Every staff page in Chromium, as an admin, at 1280 and 360 pixels: no sideways scrolling,
no serious axe finding (low contrasts axe only calls "incomplete" included), a screenshot of
each to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import ADMIN_EMAIL, Watched
from tests.browser.helpers import DESKTOP, WIDTHS, check_page, fill_when
from tests.browser.test_staff import sign_in

pytestmark = pytest.mark.browser

LONG_WORD = "Supercalifragilistic-" * 4 + "Summit"


@pytest.fixture(scope="module")
def admin_state(browser, live_server) -> dict:
    """An admin's signed-in browser state, shared by the tests of this module."""
    context = browser.new_context(viewport=DESKTOP)
    watched = Watched(context.new_page(), live_server.url)
    sign_in(watched, ADMIN_EMAIL)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def admin(browser, live_server, admin_state) -> Iterator[Watched]:
    context = browser.new_context(viewport=DESKTOP, storage_state=admin_state)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Watched(page, live_server.url)
    context.close()


def linked(watched: Watched, list_path: str, href_pattern: str) -> str:
    """The path of the first link on `list_path` whose href matches `href_pattern`."""
    watched.goto(list_path)
    hrefs = watched.page.locator("main a[href]").evaluate_all("as => as.map(a => a.pathname)")
    found = [h for h in hrefs if re.fullmatch(href_pattern, h)]
    assert found, f"no link like {href_pattern} on {list_path}"
    return found[0]


# name: a path, or (the page listing it, the pattern of its link there)
STAFF_PAGES: dict[str, str | tuple[str, str]] = {
    "staff dashboard": "/staff/",
    "staff dashboard filtered": "/staff/?status=published&kind=live",
    "staff new event": "/staff/events/new",
    "staff edit event": ("/staff/", r"/staff/events/\d+/edit"),
    "staff edit event needing review": ("/staff/?q=Leading+Lights", r"/staff/events/\d+/edit"),
    "staff preview": ("/staff/", r"/staff/events/\d+/preview"),
    "staff venues": "/staff/venues",
    "staff new venue": "/staff/venues/new",
    "staff edit venue": ("/staff/venues", r"/staff/venues/\d+/edit"),
    "staff categories": "/staff/categories",
    "staff new category": "/staff/categories/new",
    "staff edit category": ("/staff/categories", r"/staff/categories/\d+/edit"),
    "staff users": "/staff/users",
    "staff new user": "/staff/users/new",
    "staff edit user": ("/staff/users", r"/staff/users/\d+/edit"),
    "staff set password": ("/staff/users", r"/staff/users/\d+/password"),
    "staff change password": "/staff/account/password",
    "staff audit log": "/staff/audit",
    "staff import upload": "/staff/import/",
}


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_reads_at_both_widths(admin, name):
    where = STAFF_PAGES[name]
    path = linked(admin, *where) if isinstance(where, tuple) else where
    admin.goto(path)
    assert admin.page.locator("h1").first.is_visible()
    check_page(admin, name)


def test_staff_form_errors_read_at_both_widths(admin):
    admin.goto("/staff/venues/new")
    admin.page.fill("#name", "")
    admin.page.fill("#latitude", "123")
    admin.page.click("main form [type=submit]")
    admin.page.wait_for_load_state("load")
    assert admin.page.locator(".has-error").count() > 0
    border = admin.page.locator("#latitude").evaluate("e => getComputedStyle(e).borderTopColor")
    assert border == "rgb(179, 38, 30)", f"a refused field is outlined in red, not {border}"
    admin.errors.clear()  # the refused form answers 400
    check_page(admin, "staff venue form with errors")


def test_a_dates_form_refusing_a_new_rule_reads_at_both_widths(admin):
    master = linked(admin, "/staff/?q=Telecom+Hour", r"/staff/events/\d+/edit")
    admin.goto(master)
    dates = admin.page.locator("#occurrences-h ~ * a[href$='/edit']").evaluate_all(
        "as => as.map(a => a.pathname)"
    )
    admin.goto(dates[0])
    interval = admin.page.locator('label[for="repeat-interval"]')
    assert interval.inner_text() == "Every (weeks)"  # of what: the unit of its frequency
    admin.page.fill("#repeat-interval", "2")  # every other week
    admin.page.click("main form #save")
    admin.page.wait_for_load_state("load")
    message = admin.page.locator("#repeat-scope-error", has_text="Repeats belongs to the whole")
    assert message.is_visible()
    assert admin.page.locator("#repeat-interval").input_value() == "2"  # kept
    admin.errors.clear()  # the refused form answers 400
    check_page(admin, "staff date form refusing a new rule")


def test_cancel_this_date_warns_of_typing_not_saved(admin):
    """The date's page has two forms: cancelling the date reloads the page, and what was typed
    into its event form and not saved would go with it. The question says so first."""
    master = linked(admin, "/staff/?q=Telecom+Hour", r"/staff/events/\d+/edit")
    admin.goto(master)
    dates = admin.page.locator("#occurrences-h ~ * a[href$='/edit']").evaluate_all(
        "as => as.map(a => a.pathname)"
    )
    admin.goto(dates[-1])
    page = admin.page
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel this date").click()
    assert asked and "not saved yet" not in asked[-1]  # nothing typed: the question alone
    page.fill("#title", "A title typed, not saved")
    page.get_by_role("button", name="Cancel this date").click()
    assert "What you typed in the form below is not saved yet" in asked[-1]
    assert page.input_value("#title") == "A title typed, not saved"  # dismissed: kept
    # Refused, the form came back with that typing, still not saved: the question says so
    # though nothing more was typed.
    page.fill("#title", "")
    page.click("main form #save")
    page.wait_for_load_state("load")
    assert page.locator("#title-error").is_visible()
    admin.errors.clear()  # the refused form answers 400
    page.get_by_role("button", name="Cancel this date").click()
    assert "What you typed in the form below is not saved yet" in asked[-1]


def test_side_by_side_boxes_line_up_whatever_their_hints_and_messages(admin):
    """Kind beside the slug (a hint), End date (a hint and, here, a message) beside End time."""
    admin.goto("/staff/events/new")
    page = admin.page
    page.fill("#title", "Alignment check")
    fill_when(page, "2027-03-10", "14:00", "13:00", "Europe/Paris", end_day="2027-03-09")
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state("load")
    assert page.locator("#end_date-error").is_visible()
    admin.errors.clear()  # the refused form answers 400
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        rows = page.locator("form .row").evaluate_all(
            """rows => rows.map(r => Array.from(r.querySelectorAll(
                ':scope > .field > :is(input, select, textarea)'))
              .filter(box => box.offsetParent).map(box => box.getBoundingClientRect()))"""
        )
        side_by_side = [boxes for boxes in rows if len({round(b["x"]) for b in boxes}) > 1]
        if viewport is DESKTOP:
            assert len(side_by_side) >= 3, rows  # kind and slug, start, end
        for boxes in side_by_side:
            assert len({round(b["y"]) for b in boxes}) == 1, (viewport, boxes)


def test_the_dashboards_filter_boxes_are_of_a_height(admin):
    """Search, Status, Kind, From and To side by side: a date box's picker made From and To
    2 px taller than the others, their labels sitting higher."""
    admin.goto("/staff/")
    heights = admin.page.locator("main form .field :is(input, select)").evaluate_all(
        "boxes => boxes.map(b => b.getBoundingClientRect().height)"
    )
    assert len(heights) == 5 and max(heights) - min(heights) < 1, heights  # within a pixel


def calendar_file(start: datetime, summary_suffix: str = "") -> bytes:
    """Three events from `start` on (one with a long hyphenated title, each with a long URL)
    and one without a start, which the import rejects."""
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    events = []
    for n, title in enumerate(["Import Check Breakfast", LONG_WORD, "Import Check Webinar"]):
        begin = (start + timedelta(days=n)).strftime("%Y%m%dT%H%M%SZ")
        end = (start + timedelta(days=n, hours=1)).strftime("%Y%m%dT%H%M%SZ")
        events.append(
            "BEGIN:VEVENT\r\n"
            f"UID:browser-import-{n}@example.com\r\nDTSTAMP:{stamp}\r\n"
            f"DTSTART:{begin}\r\nDTEND:{end}\r\nSUMMARY:{title}{summary_suffix}\r\n"
            "LOCATION:Hall B\\, Messe Frankfurt\\, Frankfurt am Main\\, Germany\r\n"
            "URL:https://tickets.example.com/" + "a-very-long-path" * 5 + "\r\n"
            "END:VEVENT\r\n"
        )
    events.append(
        f"BEGIN:VEVENT\r\nUID:browser-import-broken@example.com\r\nDTSTAMP:{stamp}\r\n"
        "SUMMARY:No start\r\nEND:VEVENT\r\n"
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//browser tests//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    ).encode()


def upload(watched: Watched, data: bytes) -> None:
    watched.goto("/staff/import/")
    watched.page.set_input_files(
        "input[type=file]",
        files=[{"name": "events.ics", "mimeType": "text/calendar", "buffer": data}],
    )
    watched.page.get_by_role("button", name="Preview import").click()
    watched.page.wait_for_url(re.compile(r"/staff/import/.+"))


def test_import_preview_with_new_updated_and_rejected_events(admin):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=30)
    upload(admin, calendar_file(start))
    check_page(admin, "staff import preview new")
    admin.page.locator("main form button[type=submit]").first.click()
    admin.page.wait_for_load_state("load")

    upload(admin, calendar_file(start, summary_suffix=" (moved to a bigger room)"))
    counts = admin.page.locator(".import-counts").inner_text()
    assert re.search(r"[1-9]\d* to update", counts), counts
    check_page(admin, "staff import preview updates")


def test_a_venue_conflict_and_a_form_for_a_deleted_venue_read_at_both_widths(admin):
    """Two tabs on one venue: the second save meets the conflict box, with the first tab's
    change merged in; then the venue is deleted and the form kept on a 404 page."""
    admin.goto("/staff/venues/new")
    admin.page.fill("#name", "Conflict Hall")
    admin.page.fill("#city", "Lisbon")
    admin.page.fill("#timezone", "Europe/Lisbon")
    admin.page.click("main form [type=submit]")
    admin.page.wait_for_url(re.compile(r"/staff/venues$"))
    row = admin.page.locator("tr", has_text="Conflict Hall")
    path = row.locator("a[href$='/edit']").first.evaluate("a => a.pathname")
    admin.goto(path)
    other = admin.page.context.new_page()
    other.goto(admin.base_url + path)
    other.fill("#address", "Rua Augusta 1")
    other.click("main form [type=submit]")
    other.wait_for_load_state("load")

    admin.page.fill("#website", "https://conflict-hall.example")
    admin.page.click("main form [type=submit]")
    admin.page.wait_for_load_state("load")
    assert admin.page.locator("#conflict").is_visible()
    assert admin.page.input_value("#address") == "Rua Augusta 1"
    assert admin.page.input_value("#website") == "https://conflict-hall.example"
    admin.errors.clear()  # the conflict answers 409
    check_page(admin, "staff venue conflict")

    other.goto(admin.base_url + "/staff/venues")
    other.once("dialog", lambda dialog: dialog.accept())
    row = other.locator("tr", has_text="Conflict Hall")
    row.get_by_role("button", name=re.compile("Delete")).click()
    other.wait_for_load_state("load")
    other.close()
    admin.page.fill("#postal_code", "1100-048")
    admin.page.click("main form [type=submit]")
    admin.page.wait_for_load_state("load")
    assert admin.page.get_by_role(
        "heading", name="This venue was deleted while you edited it"
    ).is_visible()
    admin.errors.clear()  # it answers 404
    check_page(admin, "staff form for a deleted venue")
    admin.page.get_by_role("button", name="Save as a new venue").click()
    admin.page.wait_for_url(re.compile(r"/staff/venues$"))
    assert admin.page.get_by_text("Conflict Hall").first.is_visible()


def test_names_typed_without_spaces_keep_staff_pages_in_their_width(admin):
    """A 200-letter title and a 100-letter category name, no space or hyphen to break at: the
    dashboard, the categories, the audit log and the event form stay inside both widths (the
    dashboard was 2,274 px wide, pushing When, Status and Actions off the screen)."""
    page = admin.page
    category = "C" * 100
    admin.goto("/staff/categories/new")
    page.fill("#name", category)
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/staff/categories$"))
    admin.goto("/staff/events/new")
    page.fill("#title", "T" * 200)
    page.select_option("#kind", "webinar")
    fill_when(page, "2027-05-04", "15:00", "16:00", "Europe/Berlin")
    page.get_by_label(category).check()
    page.click("#save")
    page.wait_for_load_state("load")
    assert not page.locator(".form-errors").count()
    for name, path in (
        ("staff dashboard, unbroken title", "/staff/?q=" + "T" * 200),
        ("staff categories, unbroken name", "/staff/categories"),
        ("staff audit log, unbroken title", "/staff/audit"),
    ):
        admin.goto(path)
        check_page(admin, name)
    linked_form = linked(admin, "/staff/?q=" + "T" * 200, r"/staff/events/\d+/edit")
    admin.goto(linked_form)
    check_page(admin, "staff event form, unbroken names")


# The texts of the cells of `selector` cut between two lines elsewhere than after a space or a
# hyphen (inside a word): each as the text with "|" where it was cut.
CUT_INSIDE_WORDS = """selector => [...document.querySelectorAll(selector)].flatMap(cell => {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const cut = [];
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const range = document.createRange();
    let lastTop = null;
    for (let i = 0; i < text.data.length; i++) {
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      const box = range.getClientRects()[0];
      if (!box || !text.data[i].trim()) continue;
      if (lastTop !== null && box.top > lastTop + 2 && !/[\\s-]/.test(text.data[i - 1])) {
        cut.push(text.data.slice(0, i) + "|" + text.data.slice(i));
      }
      lastTop = box.top;
    }
  }
  return cut;
})"""


def test_short_values_in_staff_tables_stay_whole_on_a_desktop(admin):
    """A zone, an email and a time are never cut inside a word at 1280 pixels (the audit
    log's Who read "ada@example." over "com", a venue's zone "America/Los_Angel" over "es",
    while titles and addresses had room to spare)."""
    page = admin.page
    admin.goto("/staff/categories/new")
    page.fill("#name", "Short Values")
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/staff/categories$"))
    for path, selectors in (
        ("/staff/venues", ['td[data-label="Time zone"]']),
        ("/staff/audit", ['td[data-label="Who"]', 'td[data-label="When (UTC)"]']),
        ("/staff/", ['td[data-label="Changed (UTC)"]']),
    ):
        admin.goto(path)
        for selector in selectors:
            assert page.locator(selector).count(), f"no {selector} on {path}"
            assert page.evaluate(CUT_INSIDE_WORDS, selector) == [], (path, selector)


@pytest.mark.parametrize(
    "name, form, button",
    [
        ("event", ("/staff/", r"/staff/events/\d+/edit"), "save"),
        ("venue", ("/staff/venues", r"/staff/venues/\d+/edit"), "submit"),
        ("category", ("/staff/categories", r"/staff/categories/\d+/edit"), "submit"),
        ("user", ("/staff/users", r"/staff/users/\d+/edit"), "submit"),
    ],
)
def test_a_form_that_lost_its_version_reads_at_both_widths(admin, name, form, button):
    """Its hidden version or original garbled (by hand, by an add-on): the form comes back with
    the message by its button, and the summary above sends staff there, not to fields."""
    admin.goto(linked(admin, *form))
    admin.page.evaluate(
        """() => document.querySelectorAll("input[name=version], input[name=original]")
                   .forEach(i => { i.value = i.name === "version" ? "x" : "[not json"; })"""
    )
    admin.page.click(f"main form #{button}")
    admin.page.wait_for_load_state("load")
    said = admin.page.locator(f"#{button}-error")
    assert said.is_visible() and "still in the form" in said.inner_text()
    summary = admin.page.locator("#form-errors")
    assert summary.locator("p").inner_text() == "Nothing has been saved yet."
    assert summary.locator(f"a[href='#{button}']").is_visible()
    admin.errors.clear()  # the refused form answers 409
    check_page(admin, f"staff {name} form that lost its version")


def add_venue(admin, **fields: str) -> None:
    """A venue made through the staff venue form, each field as given (its id is its name)."""
    admin.goto("/staff/venues/new")
    for name, value in fields.items():
        admin.page.fill(f"#{name}", value)
    admin.page.click("main form [type=submit]")
    admin.page.wait_for_url(re.compile(r"/staff/venues$"))


def test_a_long_venue_name_reads_in_full_below_the_list_on_a_phone(admin):
    """An 83-letter venue: at 360 px the closed list cuts it (a list's choice cannot wrap), so
    the list keeps inside its box and the chosen venue's whole name and address stand below
    it, following the choice."""
    page = admin.page
    name = "The Margaret Hollingsworth-Abernathy Memorial Conference Centre and Exhibition Hall"
    add_venue(admin, name=name, address="1200 North Riverside Boulevard, Building C",
              city="Minneapolis", timezone="America/Chicago")  # fmt: skip
    page.set_viewport_size(WIDTHS[1])
    admin.goto("/staff/events/new")
    place = page.locator("#venue-place")
    assert place.is_hidden()
    page.select_option("#venue", label=f"{name}, Minneapolis")
    assert place.locator(".venue-place-name").inner_text() == name
    assert place.locator(".venue-place-address").inner_text().startswith("1200 North Riverside")
    inside = page.locator("#venue").evaluate(
        """e => { const box = e.getBoundingClientRect(),
                        room = e.parentElement.getBoundingClientRect();
                  return box.left >= room.left && box.right <= room.right + 0.5; }"""
    )
    assert inside, "the Venue list sticks out of its field"
    for part in (place, page.locator("#venue")):
        assert part.bounding_box()["x"] + part.bounding_box()["width"] <= WIDTHS[1]["width"]
    page.select_option("#venue", "")
    assert place.is_hidden()
    page.select_option("#venue", label=f"{name}, Minneapolis")
    check_page(admin, "staff event form, long venue name")


def test_a_series_dates_read_as_short_cards_on_a_phone_and_edit_stays_whole(admin):
    """The weekly show's edit page lists its many dates, one with a long title of its own: at
    1280 px each Edit link is one word on one line (squeezed by the titles, it broke into
    "Ed / it"); at 360 px a date is a short card, its status beside its Edit link, without a
    label on every line."""
    page = admin.page
    master = linked(admin, "/staff/?q=Telecom+Hour", r"/staff/events/\d+/edit")
    admin.goto(master)
    dates = page.locator(".series-dates .date-edit a").evaluate_all("as => as.map(a => a.pathname)")
    admin.goto(dates[-2])
    page.fill("#title", "The Telecom Hour: Open RAN, private 5G and the long road to automation")
    page.click("main form #save")  # this date only
    page.wait_for_load_state("load")
    assert not page.locator(".form-errors").count()
    admin.goto(master)
    rows = page.locator(".series-dates tbody tr")
    assert rows.count() > 10
    edits = page.locator(".series-dates .date-edit a")
    lines = edits.evaluate_all("as => as.map(a => a.getClientRects().length)")
    assert set(lines) == {1}, "an Edit link broke across lines"
    page.set_viewport_size(WIDTHS[1])
    row = rows.first
    status = row.locator("td[data-label=Status]").bounding_box()
    edit = row.locator(".date-edit").bounding_box()
    assert edit["y"] < status["y"] + status["height"] and status["y"] < edit["y"] + edit["height"]
    label = row.locator("td.date-when").evaluate("td => getComputedStyle(td, '::before').content")
    assert label in ("none", "normal"), f"a label {label} above the date"
    check_page(admin, "staff series with many dates")


def test_a_series_rule_preview_breaks_a_date_only_between_its_day_and_time(admin):
    """The weekly show's form lists its next dates, one cancelled and one moved, struck out:
    at 360 px a date broke inside its time ('12:00 – 1:00 PM' / 'EST', the zone struck out
    alone on the next line). Each day and each time now stays on one line, in the page's
    width."""
    page = admin.page
    master = linked(admin, "/staff/?q=Telecom+Hour", r"/staff/events/\d+/edit")
    for width in WIDTHS:
        page.set_viewport_size(width)
        admin.goto(master)
        dates = page.locator("#rule-preview li")
        assert dates.count() >= 5
        assert page.locator("#rule-preview li s").count() >= 2  # cancelled, moved
        pieces = page.locator("#rule-preview li .nowrap")
        assert pieces.count() >= 2 * dates.count()
        lines = pieces.evaluate_all("ps => ps.map(p => p.getClientRects().length)")
        assert set(lines) == {1}, "a day or a time broke across lines"
        right = pieces.evaluate_all(
            "ps => Math.max(...ps.map(p => p.getBoundingClientRect().right))"
        )
        assert right <= width["width"], "a date sticks out of the page"
    check_page(admin, "staff series rule preview")


def test_a_right_to_left_venue_reads_in_its_own_direction_below_the_list(admin):
    """A Hebrew venue's name and address below the Venue list, as staff.js fills them in for
    the choice: each laid out right to left (they took the page's left-to-right order), both
    lines starting on the right; the next venue chosen, left to right again."""
    page = admin.page
    name, address = "היכל התרבות", "שדרות חן 2"
    add_venue(admin, name=name, address=address, city="תל אביב", country="ישראל",
              timezone="Asia/Jerusalem")  # fmt: skip
    admin.goto("/staff/events/new")
    place = page.locator("#venue-place")
    page.select_option("#venue", label=f"{name}, תל אביב")
    parts = (place.locator(".venue-place-name"), place.locator(".venue-place-address"))
    assert parts[0].inner_text() == name
    assert parts[1].inner_text() == f"{address}, תל אביב, ישראל"
    direction = "e => getComputedStyle(e).direction"
    assert [part.evaluate(direction) for part in parts] == ["rtl", "rtl"]
    text_right = """e => { const r = document.createRange(); r.selectNodeContents(e);
                           return Math.round(r.getBoundingClientRect().right); }"""
    ends = [part.evaluate(text_right) for part in parts]
    assert ends[0] == ends[1], "the name and the address start on different sides"
    latin = page.locator("#venue option").evaluate_all(
        "os => os.map(o => o.value).filter(v => /^[0-9]+$/.test(v))"
    )
    page.select_option("#venue", latin[0])
    if parts[0].inner_text() == name:  # the Hebrew venue came first: another one
        page.select_option("#venue", latin[1])
    assert [part.evaluate(direction) for part in parts] == ["ltr", "ltr"]
    page.select_option("#venue", label=f"{name}, תל אביב")
    check_page(admin, "staff event form, right-to-left venue")
