"""Staff flow in Chromium: sign in, create an event (a DST-gap time refused, then corrected),
publish it, find it on the list and in the feed, edit it, cancel it, sign out."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.browser.helpers import check_page, fill_when

pytestmark = pytest.mark.browser


def feed_text(page, path: str = "/feeds/all.ics") -> str:
    response = page.request.get(path)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    return response.text().replace("\r\n ", "")  # unfold long lines


def feed_event(page, title: str) -> str:
    """The feed's VEVENT block for `title` (a cancelled one is summarised "Cancelled: title")."""
    summary = re.compile(rf"^SUMMARY:(Cancelled: )?{re.escape(title)}\r?$", re.M)
    blocks = [b for b in feed_text(page).split("BEGIN:VEVENT")[1:] if summary.search(b)]
    assert len(blocks) == 1, f"{len(blocks)} VEVENTs titled {title!r}"
    return blocks[0]


def dashboard_row(page, title: str):
    page.goto("/staff/?q=" + title.split()[-1])
    return page.locator("tr", has_text=title)


def test_editor_creates_publishes_edits_cancels(desktop):
    page = desktop.page
    title = f"Browser Flow Webinar {uuid.uuid4().hex[:8]}"

    sign_in(desktop)
    check_page(desktop, "staff dashboard")

    page.locator("main").get_by_role("link", name="New event").click()
    page.wait_for_url(re.compile(r"/staff/events/new"))
    page.fill("#title", title)
    page.select_option("#kind", "webinar")
    page.fill("#summary", "Created by the browser test.")
    # 2:30 AM on 14 March 2027 does not exist in New York: clocks jump from 2:00 to 3:00.
    fill_when(page, "2027-03-14", "02:30", "04:00", "America/New_York")
    page.click("#save")
    page.wait_for_load_state("load")
    error = page.locator(".form-errors, .errors, [role=alert]").all_inner_texts()
    assert any("does not exist" in e for e in page.locator("body").all_inner_texts()), error
    assert page.input_value("#title") == title, "the form keeps what the editor typed"
    assert page.input_value("#start_time") == "02:30"
    assert any(e.startswith("400 ") for e in desktop.errors), "the refused form answers 400"
    desktop.errors.clear()
    # Focus starts at the list of errors, whose link leads to the field, its label in sight.
    assert page.evaluate("document.activeElement.id") == "form-errors"
    check_page(desktop, "staff event form with errors")
    page.locator("#form-errors a").first.click()
    assert page.evaluate("document.activeElement.id") == "start_time"
    # (scrolled smoothly: wait for it to settle)
    page.wait_for_function(
        "() => { const top = document.querySelector('label[for=start_time]')"
        ".getBoundingClientRect().top; return top >= 0 && top < 100; }"
    )

    page.fill("#start_time", "03:30")
    page.press("#title", "Enter")  # saves (it had pressed "Preview description")
    page.wait_for_load_state("load")
    assert "does not exist" not in page.locator("body").inner_text()
    assert not page.locator(".form-errors").count()

    row = dashboard_row(page, title)
    row.get_by_role("button", name="Publish").click()
    page.wait_for_load_state("load")
    # What was done is said in the page's main part, and the focus starts there.
    assert page.evaluate("document.activeElement.id") == "flashes"
    assert "is now published" in page.locator("main #flashes").inner_text()
    assert dashboard_row(page, title).locator(".badge-published, .badge").first.is_visible()

    page.goto("/events/?q=" + title.split()[-1])
    assert page.locator(".event-title a", has_text=title).count() == 1
    page.locator(".event-title a", has_text=title).click()
    page.wait_for_load_state("load")
    shown = page.locator("main time[datetime]").first.get_attribute("datetime")
    assert shown == "2027-03-14T07:30:00Z", "3:30 AM EDT is 07:30 UTC"
    feed = feed_text(page)
    assert f"SUMMARY:{title}" in feed

    row = dashboard_row(page, title)
    row.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/edit$"))
    page.goto(page.url + "#speakers")  # an address with a fragment: the browser jumps there
    page.fill("#title", f"{title} (edited)")
    page.click("#save")
    page.wait_for_load_state("load")
    # ... and the message of what was saved still has the focus, in sight.
    page.wait_for_function("() => document.activeElement.id === 'flashes'")
    assert page.locator("#flashes").is_visible()
    page.goto("/events/?q=" + title.split()[-1])
    assert page.locator(".event-title a", has_text=f"{title} (edited)").count() == 1
    assert f"SUMMARY:{title} (edited)" in feed_text(page)

    row = dashboard_row(page, title)
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="Cancel").click()  # asks first; "No" leaves it be
    assert asked and asked[0].startswith(f"Cancel “{title} (edited)”?"), asked
    assert dashboard_row(page, title).locator(".badge-published").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    dashboard_row(page, title).get_by_role("button", name="Cancel").click()
    page.wait_for_load_state("load")
    page.goto("/events/?q=" + title.split()[-1])
    item = page.locator(".event-item", has_text=title)
    assert item.locator(".badge-cancelled").count() == 1
    assert "STATUS:CANCELLED" in feed_event(page, f"{title} (edited)")

    page.goto("/staff/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    page.goto("/staff/")
    assert "/staff/login" in page.url, "signed out: the dashboard asks to sign in again"
    assert not desktop.errors, desktop.errors


def sign_in(watched, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> None:
    """Through the login form, as a person does; on to the dashboard."""
    watched.goto("/staff/login")
    watched.page.fill("input[name=email]", email)
    watched.page.fill("input[name=password]", password)
    watched.page.click("button[type=submit], input[type=submit]")
    watched.page.wait_for_url(re.compile(r"/staff/$"))


def test_two_editors_on_one_event_merge_instead_of_overwriting(desktop, phone):
    """Both open the same event; the second to save gets the first's change merged into the
    form beside their own, and saving again keeps both."""
    me, colleague = desktop, phone  # two browsers, two sessions (the same staff account)
    title = f"Conflict Webinar {uuid.uuid4().hex[:8]}"
    sign_in(me)
    me.page.locator("main").get_by_role("link", name="New event").click()
    me.page.fill("#title", title)
    me.page.select_option("#kind", "webinar")
    me.page.fill("#summary", "The first summary.")
    fill_when(me.page, "2027-05-04", "14:00", "15:00", "Europe/Paris")
    me.page.click("#save")
    me.page.wait_for_url(re.compile(r"/edit$"))
    edit_path = me.page.url.removeprefix(me.base_url)

    sign_in(colleague)
    colleague.goto(edit_path)
    me.goto(edit_path)
    colleague.page.fill("#summary", "The colleague's summary.")
    colleague.page.click("#save")
    colleague.page.wait_for_load_state("load")

    me.page.fill("#title", f"{title} (mine)")
    me.page.click("#save")
    me.page.wait_for_load_state("load")
    assert me.page.locator("#conflict").is_visible()
    assert me.page.input_value("#title") == f"{title} (mine)"
    assert me.page.input_value("#summary") == "The colleague's summary."
    assert f"409 {me.base_url}{edit_path}" in me.errors, "the conflict answers 409"
    me.errors.clear()
    check_page(me, "staff edit conflict")

    me.page.click("#save")
    me.page.wait_for_load_state("load")
    assert not me.page.locator("#conflict").count()
    assert me.page.input_value("#title") == f"{title} (mine)"
    assert me.page.input_value("#summary") == "The colleague's summary."
    assert not me.errors and not colleague.errors


def test_import_preview_of_a_large_public_calendar(desktop):
    """Google's public holidays (111 events, some outside the window) upload, preview in groups
    with the unchanged ones folded away, and pass axe at both widths."""
    from tests.test_importer import sample

    data = sample("ical__google_calendar_public_holidays.ics")
    sign_in(desktop)
    desktop.goto("/staff/import/")
    desktop.page.set_input_files(
        "input[type=file]",
        files=[{"name": "holidays.ics", "mimeType": "text/calendar", "buffer": data}],
    )
    desktop.page.get_by_role("button", name="Preview import").click()
    desktop.page.wait_for_url(re.compile(r"/staff/import/.+"))
    counts = desktop.page.locator(".import-counts").inner_text()
    assert re.search(r"\d+ new", counts), counts
    assert desktop.page.locator("#import-new[open]").count() == 1
    check_page(desktop, "staff import preview")


def start_webinar(watched, title: str, day: str, zone: str) -> None:
    """The new-event form with a webinar's title and its hour (16:00-17:00 on `day`)."""
    watched.goto("/staff/events/new")
    watched.page.fill("#title", title)
    watched.page.select_option("#kind", "webinar")
    fill_when(watched.page, day, "16:00", "17:00", zone)


def test_a_form_sent_after_signing_out_in_another_tab_is_kept(desktop):
    """An editor writes an event, signs out in another tab, then presses Save: nothing is
    lost. The page keeps the form behind the sign-in, then sends it again as it was."""
    me = desktop
    title = f"Kept Through A Sign-out {uuid.uuid4().hex[:8]}"
    sign_in(me)
    start_webinar(me, title, "2027-06-08", "Europe/Lisbon")
    me.page.fill("#summary", "Written before lunch, saved after it.")

    other_tab = me.page.context.new_page()
    other_tab.goto(me.base_url + "/staff/")
    other_tab.get_by_role("button", name="Sign out").click()
    other_tab.wait_for_url(re.compile(r"/staff/login"))
    other_tab.close()

    # A preview asked for now says why it cannot show (it used to show the sign-in page).
    me.page.fill("#description", "Typed *after* the other tab signed out.")
    me.page.click("[data-markdown-preview]")
    expect(me.page.locator("#description-preview")).to_contain_text("you are signed out")
    assert not me.page.locator("#description-preview input").count()

    me.page.click("#save")
    me.page.wait_for_load_state("load")
    assert me.page.get_by_text("Your form is kept, nothing was saved yet.").is_visible()
    assert "Written before lunch, saved after it." in me.page.locator(".kept-input").inner_text()
    assert any(e.startswith("400 ") for e in me.errors), "the refused form answers 400"
    me.errors.clear()
    check_page(me, "staff form kept behind the sign-in")

    me.page.fill("input[name=email]", STAFF_EMAIL)
    me.page.fill("input[name=password]", STAFF_PASSWORD)
    me.page.click("main button[type=submit], main input[type=submit]")
    me.page.wait_for_load_state("load")
    assert me.page.get_by_role("heading", name="Send your form again").is_visible()
    # The page starts at its heading (for a screen reader), which wears no focus ring, as it
    # is not a control; at 1280 px each field kept is one line beside its name.
    assert me.page.evaluate("document.activeElement.tagName") == "H1"
    assert me.page.locator("h1").evaluate("h => getComputedStyle(h).outlineStyle") == "none"
    name, value = me.page.locator(".kept-input dt").first, me.page.locator(".kept-input dd").first
    assert name.bounding_box()["y"] == value.bounding_box()["y"]
    check_page(me, "staff form kept, send again")
    # What it keeps is not saved: leaving asks first (dismissed: I stay); sending does not.
    asked: list[str] = []
    me.page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    me.page.locator("header").get_by_role("link", name="Venues").click()
    me.page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert me.page.get_by_role("heading", name="Send your form again").is_visible()

    me.page.get_by_role("button", name="Send again").click()
    me.page.wait_for_url(re.compile(r"/edit$"))
    assert me.page.input_value("#title") == title
    assert me.page.input_value("#summary") == "Written before lunch, saved after it."
    assert me.page.input_value("#start_time") == "16:00"
    assert asked == ["beforeunload"], "sending it again does not ask"
    assert not me.errors


def test_back_to_an_edited_form_still_meets_a_colleagues_save(desktop, phone):
    """I type into an event's form, leave it, a colleague saves the same field, and I press
    Back: the browser puts my typing back into the page it fetches again (staff pages are
    no-store). My save must meet the conflict check, not overwrite their text unseen."""
    me, colleague = desktop, phone
    title = f"Back Button Webinar {uuid.uuid4().hex[:8]}"
    sign_in(me)
    start_webinar(me, title, "2027-05-11", "UTC")
    me.page.fill("#description", "The first description.")
    me.page.click("#save")
    me.page.wait_for_url(re.compile(r"/edit$"))
    edit_path = me.page.url.removeprefix(me.base_url)

    me.page.fill("#description", "My rewrite, not saved yet.")
    me.page.get_by_role("link", name="Back to the dashboard").click()
    me.page.wait_for_url(re.compile(r"/staff/$"))

    sign_in(colleague)
    colleague.goto(edit_path)
    colleague.page.fill("#description", "The colleague's important description.")
    colleague.page.click("#save")
    colleague.page.wait_for_load_state("load")

    me.page.go_back()
    me.page.wait_for_load_state("load")
    assert me.page.input_value("#description") == "My rewrite, not saved yet."
    me.page.click("#save")
    me.page.wait_for_load_state("load")
    assert me.page.locator("#conflict").is_visible(), "the save met the conflict check"
    assert "The colleague's important description." in me.page.locator("#conflict").inner_text()
    me.errors.clear()  # the conflict answers 409


def create_then_go_back(me, title: str, day: str) -> str:
    """Sign in, save a new webinar (Europe/Paris) and press Back to its form: the address of
    the event made."""
    sign_in(me)
    start_webinar(me, title, day, "Europe/Paris")
    me.page.click("#save")
    me.page.wait_for_url(re.compile(r"/edit$"))
    made = me.page.url
    me.page.go_back()
    me.page.wait_for_url(re.compile(r"/staff/events/new$"))
    me.page.wait_for_load_state("load")
    return made


def test_back_to_a_saved_new_event_and_save_again_makes_no_second_event(desktop):
    """I create an event, press Back to its form and press Save again: the browser fetched
    the form again (no-store) with a new key and put my typing back, all but the zone. Every
    field I typed must come back, and saving must lead to the event made, not make another."""
    me = desktop
    title = f"Saved Twice Through Back {uuid.uuid4().hex[:8]}"
    made = create_then_go_back(me, title, "2027-06-01")
    assert me.page.input_value("#title") == title
    assert me.page.input_value("#timezone") == "Europe/Paris"
    me.page.click("#save")
    me.page.wait_for_url(re.compile(r"/edit$"))
    assert me.page.url == made
    assert me.page.get_by_text("This form was already saved").is_visible()
    assert dashboard_row(me.page, title).count() == 1


def test_a_title_of_one_long_word_stays_in_its_boxes(desktop, phone):
    """A title with no space (200 characters, as the form allows) and a long organizer name
    break inside their boxes: they ran over the next days of the month and made the event
    page wider than a phone's screen."""
    word = uuid.uuid4().hex[:8] + "Supercalifragilistic" * 9
    sign_in(desktop)
    start_webinar(desktop, word, "2027-03-10", "UTC")
    desktop.page.fill("#organizer", "Organisation" * 12)
    desktop.page.select_option("#status", "published")
    desktop.page.click("#save")
    desktop.page.wait_for_url(re.compile(r"/edit$"))
    slug = desktop.page.locator("#slug").input_value()

    phone.goto(f"/events/{slug}")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
    desktop.goto("/calendar/2027/03")
    spill = desktop.page.evaluate(
        """(word) => [...document.querySelectorAll(".cal-event")]
            .filter((item) => item.textContent.includes(word))
            .map((item) => item.getBoundingClientRect().right
                            - item.closest(".day").getBoundingClientRect().right)""",
        word,
    )
    assert spill and all(px <= 0 for px in spill), spill


def test_a_right_to_left_title_reads_right_to_left_everywhere_it_is_shown(desktop):
    """An Arabic title with a Latin word in it ("5G") keeps its own direction on the English
    pages: as a left-to-right paragraph its words came out of order."""
    page = desktop.page
    tag = uuid.uuid4().hex[:6]
    title = f"مؤتمر الاتصالات 5G {tag}"
    sign_in(desktop)
    start_webinar(desktop, title, "2027-04-14", "Asia/Dubai")
    page.fill("#summary", "ملخص قصير عن المؤتمر")
    page.select_option("#status", "published")
    page.click("#save")
    page.wait_for_url(re.compile(r"/edit$"))
    slug = page.locator("#slug").input_value()

    def direction(selector: str) -> list[str]:
        return page.locator(selector).evaluate_all(
            "(found) => found.map((node) => getComputedStyle(node).direction)"
        )

    desktop.goto(f"/events/{slug}")
    assert direction("h1") == ["rtl"] and direction(".lead") == ["rtl"]
    assert direction("main") == ["ltr"]  # the page around it stays English
    desktop.goto(f"/events/?q={tag}")
    assert direction(".event-title") == ["rtl"]
    desktop.goto("/calendar/2027/04")
    assert direction(f".cal-event a:has-text('{tag}')") == ["rtl"]
    dashboard_row(page, title)
    assert direction(f"main td a:has-text('{tag}')")[0] == "rtl"  # the title (then Edit, View)


def test_back_to_a_saved_new_event_typed_on_and_saved_shows_the_change_against_it(desktop):
    """I create an event, press Back, correct the title and save: no second event is made;
    the event's page shows my change against it, and Save makes it an edit of that event."""
    me = desktop
    title = f"Typed On After Back {uuid.uuid4().hex[:8]}"
    made = create_then_go_back(me, title, "2027-06-02")
    me.page.fill("#title", f"{title} (corrected)")
    me.page.click("#save")
    me.page.wait_for_load_state("load")
    assert me.page.get_by_text("This event was already created from this form").is_visible()
    assert me.page.locator("#conflict").get_by_text(f"{title} (corrected)").is_visible()
    me.page.click("#save")
    me.page.wait_for_url(made)
    assert me.page.input_value("#title") == f"{title} (corrected)"
    assert dashboard_row(me.page, title).count() == 1


def test_the_zone_follows_the_venue_also_on_a_saved_event(desktop):
    """A saved event's zone is its venue's: choosing another venue brings that venue's zone
    (it kept the first venue's, so a Denver event showed London times); a zone typed by hand
    stays, with a note that it differs from the venue's."""
    page = desktop.page
    title = f"Venue Zone Check {uuid.uuid4().hex[:8]}"
    sign_in(desktop)
    page.goto("/staff/events/new")
    page.fill("#title", title)
    page.select_option("#kind", "live")
    page.select_option("#venue", label="The Montcalm Marble Arch, London")
    assert page.input_value("#timezone") == "Europe/London"
    fill_when(page, "2027-06-10", "10:00", "11:00", "Europe/London")
    page.click("#save")
    page.wait_for_load_state("load")
    assert not page.locator(".form-errors").count()

    dashboard_row(page, title).get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/edit$"))
    note = page.locator("#zone-venue-note")
    assert page.input_value("#timezone") == "Europe/London" and note.is_hidden()
    page.select_option("#venue", label="Westin Westminster, Denver")
    assert page.input_value("#timezone") == "America/Denver"
    page.click("#save")
    page.wait_for_load_state("load")
    assert "10:00 – 11:00 AM MDT" in dashboard_row(page, title).inner_text()

    dashboard_row(page, title).get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/edit$"))
    page.fill("#timezone", "Asia/Tokyo")
    expect(note).to_have_text("Westin Westminster, Denver is in America/Denver; "
                              "the times are read in Asia/Tokyo.")  # fmt: skip
    expect(note.locator("bdi")).to_have_text("Westin Westminster, Denver")  # its own direction
    page.select_option("#venue", label="The Montcalm Marble Arch, London")
    assert page.input_value("#timezone") == "Asia/Tokyo", "a zone typed by hand stays"
    expect(note).to_contain_text("is in Europe/London; the times are read in Asia/Tokyo.")

    # A new venue typed in the form: its zone is followed too, once the event's zone is the
    # venue's (it kept the old venue's zone, and a Berlin venue got Pacific times).
    page.fill("#timezone", "Europe/London")
    page.select_option("#venue", value="new")
    page.fill("#new_venue-name", "Berlin Loft")
    page.fill("#new_venue-timezone", "Europe/Berlin")
    assert page.input_value("#timezone") == "Europe/Berlin"
    expect(note).to_be_hidden()
    check_page(desktop, "staff event form, zone differs from the venue's")
    assert not desktop.errors, desktop.errors


def test_a_full_box_says_what_was_left_out(desktop):
    """A paste longer than the box's maxlength was cut without a word."""
    sign_in(desktop)
    desktop.goto("/staff/events/new")
    page = desktop.page
    note = page.locator("#summary-full")
    assert note.is_hidden()
    page.locator("#summary").focus()
    page.keyboard.insert_text("x" * 650)  # as a paste: the browser keeps 500
    assert len(page.input_value("#summary")) == 500
    assert note.inner_text() == "This box holds 500 characters: what went beyond was left out."
    page.fill("#summary", "short")
    page.dispatch_event("#summary", "input")
    assert note.is_hidden()
    page.fill("#summary", "")
    page.locator("#summary").focus()
    page.keyboard.insert_text("y" * 500)  # exactly full: nothing was left out
    assert len(page.input_value("#summary")) == 500 and note.is_hidden()
    assert not desktop.errors, desktop.errors


def test_a_refused_sign_in_starts_at_its_errors_and_a_preview_is_said(desktop):
    """Every refused staff form starts at its list of errors (the sign-in's email box no longer
    takes the focus back); the description preview says briefly that it is shown."""
    page = desktop.page
    desktop.goto("/staff/login")
    page.fill("input[name=email]", STAFF_EMAIL)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert "Password:" in page.locator("#form-errors").inner_text()
    desktop.errors.clear()  # the refused form answers 400 (or 200 with the message)
    check_page(desktop, "staff sign in refused")

    sign_in(desktop)
    desktop.goto("/staff/events/new")
    page.fill("#description", "Some **bold** words.")
    page.get_by_role("button", name="Preview description").click()
    page.locator("#description-preview strong").wait_for()
    said = page.locator("#description-preview-status")
    assert said.get_attribute("role") == "status"
    assert said.inner_text().strip() == "The preview is shown below."
    assert page.locator("#description-preview").get_attribute("aria-live") is None
    # Signed out: the sign-in page says so, and its email box keeps the focus it asks for.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/staff/login"))
    assert page.locator("#flashes").count() == 1
    assert page.evaluate("document.activeElement.id") == "email"


def test_a_stopped_save_starts_at_what_stopped_it(desktop, phone):
    """A save that meets a colleague's change (409) or finds its category deleted meanwhile
    (404) puts the focus on what says so, as a refused form does with its errors: a keyboard
    or screen reader user starts at the news, not at the top of the page."""
    me, colleague = desktop, phone
    name = f"Focus Topic {uuid.uuid4().hex[:6]}"
    sign_in(me)
    me.goto("/staff/categories/new")
    me.page.fill("#name", name)
    me.page.click("main [type=submit]")
    me.page.wait_for_url(re.compile(r"/staff/categories$"))
    me.page.locator("main").get_by_role("link", name=name, exact=True).click()
    me.page.wait_for_url(re.compile(r"/edit$"))
    edit_path = me.page.url.removeprefix(me.base_url)

    sign_in(colleague)
    colleague.goto(edit_path)
    colleague.page.fill("#name", f"{name} (theirs)")
    colleague.page.click("main [type=submit]")
    colleague.page.wait_for_url(re.compile(r"/staff/categories$"))

    me.page.fill("#name", f"{name} (mine)")
    me.page.click("main [type=submit]")
    me.page.wait_for_load_state("load")
    assert me.page.locator("#conflict").is_visible()
    assert me.page.evaluate("document.activeElement.id") == "conflict"
    assert f"409 {me.base_url}{edit_path}" in me.errors
    me.errors.clear()

    colleague.page.once("dialog", lambda dialog: dialog.accept())
    colleague.page.locator("main button", has_text=f"{name} (theirs)").click()
    colleague.page.wait_for_load_state("load")
    me.page.click("main [type=submit]")
    me.page.wait_for_load_state("load")
    heading = me.page.get_by_role("heading", name="This category was deleted while you edited it")
    assert heading.is_visible()
    assert me.page.evaluate("document.activeElement.tagName") == "H1"
    assert f"404 {me.base_url}{edit_path}" in me.errors


def test_leaving_a_form_with_typing_not_saved_asks_first(desktop):
    """A reload, a closed tab or a click on the menu puts nothing back: with typing not yet
    saved (or a form that came back refused), the browser asks before leaving; saving, or
    leaving an untouched form, does not ask."""
    me = desktop
    asked: list[str] = []
    me.page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    sign_in(me)
    me.goto("/staff/events/new")
    me.page.locator("header").get_by_role("link", name="Venues").click()
    me.page.wait_for_url(re.compile(r"/staff/venues$"))
    assert asked == [], "nothing typed: nothing to ask"

    me.goto("/staff/events/new")
    me.page.click("#title")
    me.page.keyboard.type("Half an hour of typing")
    me.page.locator("header").get_by_role("link", name="Venues").click()
    me.page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert me.page.url.endswith("/staff/events/new"), "staying put: the typing is still there"
    assert me.page.input_value("#title") == "Half an hour of typing"

    me.page.click("#save")  # refused: no date, no zone; what came back is not saved either
    me.page.wait_for_load_state("load")
    assert me.page.evaluate("document.activeElement.id") == "form-errors"
    assert asked == ["beforeunload"], "saving does not ask"
    me.page.locator("header").get_by_role("link", name="Venues").click()
    me.page.wait_for_timeout(500)
    assert asked == ["beforeunload", "beforeunload"]
    assert me.page.input_value("#title") == "Half an hour of typing"
    me.errors.clear()  # the refused form's 400
