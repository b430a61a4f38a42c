"""Venues, categories, staff accounts and the audit log."""

import html
import json
import re
from datetime import timedelta

import pytest
from conftest import NOW, STAFF_PASSWORD
from servers import form_values
from sqlalchemy import select

from events_app import audit
from events_app.extensions import db
from events_app.models import AuditEntry, Category, User, Venue


@pytest.fixture
def as_editor(client, auth, editor):
    auth.login()
    return client


@pytest.fixture
def as_admin(client, auth, admin):
    auth.login("admin@example.com")
    return client


VENUE = {"name": "Javits Center", "city": "New York", "timezone": "America/New_York"}


def signed_in_colleague(app, create_user):
    """A second editor's client, signed in (two people on one form)."""
    create_user("colleague@example.com", STAFF_PASSWORD)
    colleague = app.test_client()
    colleague.post(
        "/staff/login", data={"email": "colleague@example.com", "password": STAFF_PASSWORD}
    )
    return colleague


def main_form(response) -> dict:
    """What a browser sends from the page's form (the one in <main>)."""
    main = response.get_data(as_text=True).split('<main id="main"', 1)[1]
    return form_values(main[: main.index("</form>")])


def test_venue_needs_a_known_zone(as_editor, app_ctx):
    response = as_editor.post("/staff/venues/new", data={**VENUE, "timezone": ""})
    assert response.status_code == 400
    assert "A venue needs a time zone." in response.get_data(as_text=True)
    response = as_editor.post("/staff/venues/new", data={**VENUE, "timezone": "New York"})
    assert "is not a time zone we know" in response.get_data(as_text=True)
    assert "Javits Center" in response.get_data(as_text=True)  # input kept
    response = as_editor.post("/staff/venues/new", data={**VENUE, "latitude": "100"})
    assert "Between -90 and 90." in response.get_data(as_text=True)
    response = as_editor.post("/staff/venues/new", data={**VENUE, "website": "javascript:x"})
    assert "http:// or https://" in response.get_data(as_text=True)
    assert as_editor.post("/staff/venues/new", data=VENUE).status_code == 302
    venue = db.session.scalar(select(Venue))
    assert venue.timezone == "America/New_York"


def test_venue_edit(as_editor, app_ctx, create_venue):
    venue = create_venue()
    data = {**VENUE, "name": "Westin Denver"}
    assert as_editor.post(f"/staff/venues/{venue.id}/edit", data=data).status_code == 302
    db.session.refresh(venue)
    assert venue.name == "Westin Denver"


def test_two_editors_on_one_venue_merge_instead_of_overwriting(
    as_editor, app, app_ctx, create_venue, create_user
):
    """A colleague fixes the address while I add the website: my save is stopped (409), their
    address comes into my form, and saving again keeps both; it used to blank their address."""
    venue = create_venue()
    url = f"/staff/venues/{venue.id}/edit"
    mine = main_form(as_editor.get(url))
    colleague = signed_in_colleague(app, create_user)
    theirs = {**main_form(colleague.get(url)), "address": "1 Main St", "postal_code": "80202"}
    assert colleague.post(url, data=theirs).status_code == 302

    mine.update(website="https://westin.example", city="Denver, CO")
    response = as_editor.post(url, data={**mine, "name": mine["name"]})
    assert response.status_code == 409
    again = main_form(response)
    assert (again["address"], again["postal_code"]) == ("1 Main St", "80202")  # theirs, merged
    assert again["website"] == "https://westin.example"  # mine, kept
    page = response.get_data(as_text=True)
    assert "Someone else saved this venue while you were editing" in page
    db.session.refresh(venue)
    assert venue.website != "https://westin.example"  # nothing of mine saved yet

    assert as_editor.post(url, data=again).status_code == 302
    db.session.refresh(venue)
    assert (venue.address, venue.postal_code) == ("1 Main St", "80202")
    assert (venue.website, venue.city) == ("https://westin.example", "Denver, CO")


@pytest.mark.parametrize(
    "original",
    [
        "not json",
        "[1]",
        '{"nope": 1, "city": "Elsewhere"}',
        "[" * 100_000 + "]" * 100_000,
        '{"city": "\\ud800"}',
        '{"city": [[[["deep"]]]]}',
        "x" * 300_000,
    ],  # fmt: skip
    ids=["text", "list", "unknown-key", "deep", "lone-surrogate", "nested", "huge"],
)
def test_a_venue_form_with_a_mangled_original_is_no_500(as_editor, app_ctx, create_venue, original):
    venue = create_venue()
    url = f"/staff/venues/{venue.id}/edit"
    data = {**main_form(as_editor.get(url)), "original": original, "city": "Aurora"}
    assert as_editor.post(url, data=data).status_code in (302, 409)


def test_a_venue_save_whose_changes_were_all_made_already_goes_through(
    as_editor, app_ctx, create_venue
):
    """Back to a venue form one saved oneself (the city typed with a trailing space, stored
    trimmed), then Save: the same change, nothing to reconcile."""
    venue = create_venue()
    url = f"/staff/venues/{venue.id}/edit"
    before = main_form(as_editor.get(url))
    assert as_editor.post(url, data={**before, "city": "Aurora  "}).status_code == 302
    again = as_editor.post(url, data={**before, "city": "Aurora  ", "website": "https://a.example"})
    assert again.status_code == 302
    db.session.refresh(venue)
    assert (venue.city, venue.website) == ("Aurora", "https://a.example")


def test_a_venue_field_both_changed_keeps_mine_and_marks_it(as_editor, app_ctx, create_venue):
    venue = create_venue()
    url = f"/staff/venues/{venue.id}/edit"
    mine = main_form(as_editor.get(url))
    assert (
        as_editor.post(url, data={**main_form(as_editor.get(url)), "city": "Aurora"}).status_code
        == 302
    )
    response = as_editor.post(url, data={**mine, "city": "Boulder"})
    assert response.status_code == 409
    assert main_form(response)["city"] == "Boulder"
    assert 'class="conflict-both"' in response.get_data(as_text=True)


def test_venue_in_use_cannot_be_deleted(as_editor, app_ctx, create_venue, create_event):
    used, unused = create_venue(), create_venue(name="Empty Hall")
    create_event(venue=used, kind="live")
    response = as_editor.post(f"/staff/venues/{used.id}/delete", follow_redirects=True)
    assert "cannot be deleted: 1 event is held there" in response.get_data(as_text=True)
    assert db.session.get(Venue, used.id) is not None
    assert as_editor.post(f"/staff/venues/{unused.id}/delete").status_code == 302
    assert db.session.get(Venue, unused.id) is None


def test_category_with_non_ascii_capitals_is_refused_not_a_500(as_editor, app_ctx, create_category):
    create_category("Énergie", slug="energie")
    response = as_editor.post("/staff/categories/new", data={"name": "Énergie", "slug": "x"})
    assert response.status_code < 500
    assert "A category with this name already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize("sent", ["Du\x01pQ", "DupQ\x7f", "\x0bDupQ"])
def test_a_category_name_that_differs_by_a_control_character_is_the_same_name(
    as_editor, app_ctx, create_category, sent
):
    """Stored names drop control characters: the form compares what will be stored."""
    create_category("DupQ", slug="dupq")
    other = create_category("Other", slug="other")
    for url in ("/staff/categories/new", f"/staff/categories/{other.id}/edit"):
        response = as_editor.post(url, data={"name": sent, "slug": "x"})
        assert response.status_code == 400, url
        assert "A category with this name already exists." in response.text


def test_category_unique_and_in_use(as_editor, app_ctx, create_category, create_event):
    cloud = create_category("Cloud")
    response = as_editor.post("/staff/categories/new", data={"name": "cloud", "slug": ""})
    assert "A category with this name already exists." in response.get_data(as_text=True)
    response = as_editor.post("/staff/categories/new", data={"name": "Cloud RAN", "slug": "cloud"})
    assert "A category with this slug already exists." in response.get_data(as_text=True)
    response = as_editor.post("/staff/categories/new", data={"name": "Open RAN", "slug": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Category.slug).where(Category.name == "Open RAN")) == "open-ran"
    # Renaming to its own name is fine.
    data = {"name": "Cloud", "slug": "cloud"}
    assert as_editor.post(f"/staff/categories/{cloud.id}/edit", data=data).status_code == 302
    create_event(categories=[cloud])
    response = as_editor.post(f"/staff/categories/{cloud.id}/delete", follow_redirects=True)
    assert "cannot be deleted: 1 event uses it" in response.get_data(as_text=True)
    assert db.session.get(Category, cloud.id) is not None


def test_category_slugs_made_from_the_name(as_editor, app_ctx):
    for name, slug in (("Énergie & Réseaux", "energie-reseaux"), ("🎉", "category")):
        response = as_editor.post("/staff/categories/new", data={"name": name, "slug": ""})
        assert response.status_code == 302, name
        assert db.session.scalar(select(Category.slug).where(Category.name == name)) == slug


def test_admin_manages_accounts(app, as_admin, app_ctx):
    data = {
        "email": "New@Example.com",
        "display_name": "New Person",
        "role": "editor",
        "active": "y",
        "new_password": "long enough pass",
        "confirm": "long enough pass",
    }
    assert as_admin.post("/staff/users/new", data=data).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == "editor" and user.active
    response = as_admin.post("/staff/users/new", data=data)
    assert "already exists" in response.get_data(as_text=True)
    for wrong, words in (
        ({"new_password": "x" * 2000, "confirm": "x" * 2000}, "Use at most 1000 characters."),
        ({"new_password": "short", "confirm": "short"}, "Use at least 10 characters."),
        ({"display_name": "\u200b"}, "Enter a name people can see"),
        ({"email": "x@example.com\x01"}, "Enter an email address like name@example.com."),
    ):
        sent = {**data, "email": "x@example.com", **wrong}
        response = as_admin.post("/staff/users/new", data=sent)
        assert response.status_code == 400 and words in response.text, wrong
    assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None

    other = app.test_client()
    other.post("/staff/login", data={"email": "new@example.com", "password": "long enough pass"})
    assert other.get("/staff/").status_code == 200
    response = as_admin.post(
        f"/staff/users/{user.id}/password",
        data={"new_password": "another long one", "confirm": "another long one"},
    )
    assert response.status_code == 302
    assert other.get("/staff/").status_code == 302  # signed out by the reset

    edit = {"display_name": "New Person", "role": "admin", "active": ""}
    assert as_admin.post(f"/staff/users/{user.id}/edit", data=edit).status_code == 302
    db.session.refresh(user)
    assert user.role == "admin" and not user.active


def test_last_active_admin_is_kept(as_admin, app_ctx, admin, create_user):
    edit = {"display_name": "Ada", "role": "editor", "active": "y"}
    response = as_admin.post(f"/staff/users/{admin.id}/edit", data=edit)
    assert response.status_code == 400
    assert "This is the last active admin" in response.get_data(as_text=True)
    response = as_admin.post(
        f"/staff/users/{admin.id}/edit", data={"display_name": "Ada", "role": "admin"}
    )
    assert "This is the last active admin" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active
    # The message stands beside the box that was changed: Active here, Role above.
    assert 'id="active-error"' in response.get_data(as_text=True)
    response = as_admin.post(f"/staff/users/{admin.id}/edit", data=edit)
    assert 'id="role-error"' in response.get_data(as_text=True)
    create_user("second@example.com", STAFF_PASSWORD, role="admin")
    assert as_admin.post(f"/staff/users/{admin.id}/edit", data=edit).status_code == 302


def test_audit_log_filters_and_pages(as_admin, app_ctx, admin, editor, create_event):
    first, second = create_event(title="First"), create_event(title="Second")
    for i in range(6):
        audit.record("update", first, {"title": [f"v{i}", f"v{i + 1}"]}, editor)
    audit.record("status", second, {"status": ["draft", "published"]}, admin)
    db.session.commit()
    html = as_admin.get("/staff/audit").get_data(as_text=True)
    assert "Page 1 of 2" in html
    html = as_admin.get(f"/staff/audit?event={second.id}").get_data(as_text=True)
    # The changes as the table writes them (a bare "v1" could be part of the CSRF token): the
    # status change, and none of the first event's title changes.
    assert "draft &rarr; published" in html and "&rarr; v" not in html
    html = as_admin.get(f"/staff/audit?user={editor.id}").get_data(as_text=True)
    assert "v5 &rarr; v6" in html and "Second" not in html
    assert as_admin.get("/staff/audit?event=abc").status_code == 400
    assert as_admin.get("/staff/audit?page=9").status_code == 404


def test_an_empty_audit_log_says_why_it_is_empty(as_admin, app_ctx, admin):
    html = as_admin.get("/staff/audit").get_data(as_text=True)
    assert "No changes recorded yet" in html and "0 entries" not in html
    html = as_admin.get(f"/staff/audit?user={admin.id}").get_data(as_text=True)
    assert "No changes match these filters" in html


def test_audit_log_writes_switches_as_yes_and_no(as_admin, app_ctx, editor, create_event):
    event = create_event(title="Switched")
    audit.record("update", event, {"all_day": [None, True], "featured": [True, False]}, editor)
    db.session.commit()
    html = as_admin.get(f"/staff/audit?event={event.id}").get_data(as_text=True)
    assert "(empty) &rarr; yes" in html and "yes &rarr; no" in html
    assert "True" not in html and "False" not in html


def test_every_change_is_audited(as_admin, app_ctx, create_event):
    event = create_event()
    as_admin.post(f"/staff/events/{event.id}/status", data={"status": "cancelled"})
    as_admin.post(f"/staff/events/{event.id}/duplicate")
    as_admin.post(f"/staff/events/{event.id}/delete")
    as_admin.post("/staff/venues/new", data=VENUE)
    as_admin.post("/staff/categories/new", data={"name": "5G"})
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["status", "duplicate", "delete", "create", "create"]
    assert {e.user_email for e in db.session.scalars(select(AuditEntry))} == {"admin@example.com"}


def test_the_staff_menu_marks_the_current_section(
    as_admin, create_event, create_venue, create_series
):
    event, venue = create_event(), create_venue()
    # A preview shows a public page, whose own section (Webinars, the archive) is not the
    # staff menu's: previews are under the Dashboard, whatever they show.
    webinar = create_event(kind="webinar")
    past_audio = create_event(kind="audio", start=NOW - timedelta(days=7))
    series = create_series(start=(NOW + timedelta(days=3)).replace(tzinfo=None), count=3)
    pages = {
        "/staff/": "Dashboard",
        f"/staff/events/{event.id}/preview": "Dashboard",
        f"/staff/events/{webinar.id}/preview": "Dashboard",
        f"/staff/events/{past_audio.id}/preview": "Dashboard",
        f"/staff/events/{series.id}/preview": "Dashboard",
        f"/staff/events/{event.id}/edit": "Dashboard",
        "/staff/events/new": "New event",
        "/staff/import/": "Import",
        "/staff/venues": "Venues",
        f"/staff/venues/{venue.id}/edit": "Venues",
        "/staff/categories/new": "Categories",
        "/staff/embed/": "Embed",
        "/staff/users": "Staff",
        "/staff/users/new": "Staff",
        "/staff/audit": "Audit log",
    }
    for url, label in pages.items():
        page = as_admin.get(url).text
        nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
        assert re.findall(r'aria-current="page">([^<]+)<', nav) == [label], url


def test_names_must_show_something_and_lose_direction_overrides(as_editor, app_ctx):
    # A zero-width space (a blank option in the event form's venue list), Hangul fillers, the
    # blank braille pattern: letters or symbols to Unicode, nothing to a reader.
    for blank in ("\u200b", "\u3164", "\uffa0", "\u115f", "\u2800 \u2800"):
        for url, data in (
            ("/staff/venues/new", {**VENUE, "name": blank}),
            ("/staff/categories/new", {"name": blank, "slug": f"s{ord(blank[0])}"}),
        ):
            response = as_editor.post(url, data=data)
            assert response.status_code == 400, (url, blank)
            assert "Enter a name people can see" in response.get_data(as_text=True)
    # "RTL" after U+202E showed as "LTR" on the venues page.
    data = {**VENUE, "name": "Hall \u202eRTL\u202c B"}
    assert as_editor.post("/staff/venues/new", data=data).status_code == 302
    assert db.session.scalar(select(Venue.name)) == "Hall RTL B"


def test_two_venues_of_one_name_in_one_city_are_refused(as_editor, app_ctx, create_venue):
    denver = create_venue()  # Westin Westminster, Denver
    same = {"name": "westin westminster", "city": "DENVER", "timezone": "America/Denver"}
    response = as_editor.post("/staff/venues/new", data=same)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A venue of this name in DENVER already exists: use that one." in page
    for name, city in (
        ("Westin  Westminster ", "Denver"),  # two spaces
        ("Westin\u200bWestminster", "Denver"),  # a zero-width space between the words
        ("Westin Westminster", "Denver\u200b"),
        ("Wéstin Westminster", "Dénver"),
    ):
        response = as_editor.post("/staff/venues/new", data={**same, "name": name, "city": city})
        assert response.status_code == 400, (name, city)
    elsewhere = {**same, "city": "Boulder"}
    assert as_editor.post("/staff/venues/new", data=elsewhere).status_code == 302
    # A venue keeps its own name when edited; taking another's is refused.
    mine = {**same, "name": "Westin Westminster", "city": "Denver"}
    assert as_editor.post(f"/staff/venues/{denver.id}/edit", data=mine).status_code == 302
    boulder = db.session.scalar(select(Venue).where(Venue.city == "Boulder"))
    response = as_editor.post(f"/staff/venues/{boulder.id}/edit", data=mine)
    assert response.status_code == 400


@pytest.mark.parametrize("typed", ["abc", "1_0", "\u0663\u0664", "nan", "-inf", "45,5", "0x10"])
def test_a_coordinate_that_is_not_a_number_gets_one_message(as_editor, app_ctx, typed):
    response = as_editor.post("/staff/venues/new", data={**VENUE, "latitude": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'id="latitude-error">([^<]*)<', page)[1]
    assert error == "Enter a number, like 39.8367."
    assert f'value="{typed}"' in page  # what was typed stays in the box
    assert db.session.scalar(select(Venue)) is None


def test_a_fixed_offset_zone_is_refused_when_chosen_and_kept_when_saved(
    as_editor, app_ctx, create_venue
):
    """EST (UTC-5 all year) is refused for a new venue, with the zone to choose; a venue that
    already has it (imported, or saved before) is still saved as it is."""
    response = as_editor.post("/staff/venues/new", data={**VENUE, "timezone": "EST"})
    assert response.status_code == 400
    assert 'For US Eastern time choose "America/New_York"' in html.unescape(response.text)
    old = create_venue(name="Old Hall", timezone="EST")
    form = {**VENUE, "name": "Old Hall", "timezone": "EST", "city": "Denver"}
    response = as_editor.post(f"/staff/venues/{old.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_categories_in_other_scripts_get_an_address_each(as_editor, app_ctx):
    """Names in other scripts are spelt in Latin letters; names of emoji alone make no slug of
    their own: each gets a free one."""
    names = ("\U0001f389\U0001f389", "الألياف البصرية", "光纤", "Связь", "\u2b50")
    for name in names:
        response = as_editor.post("/staff/categories/new", data={"name": name, "slug": ""})
        assert response.status_code == 302, response.get_data(as_text=True)
    slugs = db.session.scalars(select(Category.slug).order_by(Category.id)).all()
    assert slugs == ["category", "llyf-lbsryh", "guangxian", "svyaz", "category-2"]


def test_a_category_address_taken_is_said_beside_the_name(as_editor, app_ctx, create_category):
    create_category("Émile Zola", slug="emile-zola")
    data = {"name": "émile zola!", "slug": ""}
    response = as_editor.post("/staff/categories/new", data=data)
    assert response.status_code == 400
    form = main_form(response)
    page = response.get_data(as_text=True)
    assert "Another category has the address this name makes (emile-zola)" in page
    assert 'id="name-error"' in page and 'id="slug-error"' not in page
    assert form["slug"] == ""  # no slug made from a refused name sticks in the box
    form["name"] = "Émile Zola, the sequel"
    assert as_editor.post("/staff/categories/new", data=form).status_code == 302
    made = db.session.scalar(select(Category.slug).where(Category.name == form["name"]))
    assert made == "emile-zola-the-sequel"


def test_two_editors_on_one_category_do_not_overwrite(
    as_editor, app, app_ctx, create_category, create_user
):
    topic = create_category("5G")
    url = f"/staff/categories/{topic.id}/edit"
    mine = main_form(as_editor.get(url))
    colleague = signed_in_colleague(app, create_user)
    theirs = {**main_form(colleague.get(url)), "name": "5G Advanced"}
    assert colleague.post(url, data=theirs).status_code == 302
    response = as_editor.post(url, data={**mine, "name": "5G and 6G"})
    assert response.status_code == 409
    assert "Someone else saved this category while you were editing" in response.text
    db.session.refresh(topic)
    assert topic.name == "5G Advanced"  # theirs stands until I save again
    again = main_form(response)
    assert again["name"] == "5G and 6G"  # mine, kept, marked as changed by both
    assert as_editor.post(url, data=again).status_code == 302
    db.session.refresh(topic)
    assert topic.name == "5G and 6G"


def test_created_entries_name_no_and_zero(as_admin, app_ctx):
    data = {
        "email": "off@example.com",
        "display_name": "Off",
        "role": "editor",
        "new_password": "long enough pass",
        "confirm": "long enough pass",
    }  # "active" unticked: an account made inactive
    assert as_admin.post("/staff/users/new", data=data).status_code == 302
    venue = {**VENUE, "latitude": "0", "longitude": "-78.5"}  # on the equator
    assert as_admin.post("/staff/venues/new", data=venue).status_code == 302
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "create")).all()
    changes = {e.object_type: json.loads(e.changes) for e in entries}
    assert changes["user"]["active"] == [None, False]
    assert changes["venue"]["latitude"] == [None, 0.0]


def test_categories_are_listed_as_people_read_a_list(as_editor, app_ctx, create_category):
    for name in ("STRASSE", "Security", "ok", "Émile", "Emma"):
        create_category(name, slug=name.lower().replace("é", "e"))
    expected = ["Émile", "Emma", "ok", "Security", "STRASSE"]  # not capitals first, É last
    page = as_editor.get("/staff/categories").get_data(as_text=True)
    assert re.findall(r"/edit\">([^<]+)</a></td>", page) == expected
    api = as_editor.get("/api/v1/categories").get_json()["data"]
    assert [c["name"] for c in api] == expected
    form = as_editor.get("/staff/events/new").get_data(as_text=True)
    shown = [n for n in re.findall(r'name="categories"[^>]*> ([^<]+)<', form) if n in expected]
    assert shown == expected


def test_the_staff_menu_names_what_its_links_do_once(client, auth, admin):
    """The account link (the user's name) says it changes the password in its name; Export's
    tooltip is its description only, not said twice."""
    auth.login("admin@example.com")
    nav = client.get("/staff/").text.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert '>Ada Admin<span class="visually-hidden">: change your password</span></a>' in nav
    export = re.search(r"<a [^>]*title=\"Every event[^>]*>([^<]*)(<span[^>]*>)?", nav)
    assert export and export[1] == "Export" and export[2] is None


def test_a_stale_account_form_does_not_undo_a_colleagues_deactivation(
    as_admin, app, app_ctx, create_user
):
    """One admin deactivates an account while another has its form open to fix the name: the
    second save is stopped (409) with the deactivation in the form, instead of silently
    signing the account back in; saving again keeps it deactivated and the new name."""
    user = create_user("sales@example.com", STAFF_PASSWORD, display_name="Sales")
    create_user("second-admin@example.com", STAFF_PASSWORD, role="admin")
    url = f"/staff/users/{user.id}/edit"
    mine = main_form(as_admin.get(url))
    assert mine["active"] == ["y"]
    colleague = app.test_client()
    colleague.post(
        "/staff/login", data={"email": "second-admin@example.com", "password": STAFF_PASSWORD}
    )
    theirs = {k: v for k, v in main_form(colleague.get(url)).items() if k != "active"}
    assert colleague.post(url, data=theirs).status_code == 302  # unticked: deactivated
    db.session.refresh(user)
    assert not user.active

    response = as_admin.post(url, data={**mine, "display_name": "Sales Team"})
    assert response.status_code == 409
    assert "Someone else saved this account while you were editing" in response.text
    db.session.refresh(user)
    assert not user.active and user.display_name == "Sales"
    again = main_form(response)
    assert again["display_name"] == "Sales Team"  # mine, kept
    assert "active" not in again  # theirs, taken into the form
    assert as_admin.post(url, data=again).status_code == 302
    db.session.refresh(user)
    assert not user.active and user.display_name == "Sales Team"
