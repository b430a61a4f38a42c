"""A category whose slug an editor changes keeps its old address: its page, its feeds, a list's
``?category=`` (list, month, archive, filtered feed, API) answer a 301 to the slug now, and a
widget written with the old slug shows the category (models.FormerCategorySlug)."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from conftest import NOW
from sqlalchemy import select
from test_staff_admin import main_form

from events_app.extensions import alembic, db
from events_app.models import Category, FormerCategorySlug, renamed_category

OLD, NEW = "cloud", "cloud-computing"


@pytest.fixture
def cloud(app, create_category, create_event):
    app.config["NOW"] = NOW
    category = create_category(name="Cloud", slug=OLD)
    create_event(
        title="Cloud Summit", kind="live", categories=[category], start=NOW + timedelta(days=5)
    )
    create_event(title="Cloud Webinar", categories=[category], start=NOW - timedelta(days=3))
    return category  # fmt: skip


@pytest.fixture
def renamed(cloud):
    db.session.get(Category, cloud.id).slug = NEW
    db.session.commit()
    return cloud


def test_an_editor_changing_the_slug_keeps_the_old_address(app, client, auth, editor, cloud):
    auth.login()
    url = f"/staff/categories/{cloud.id}/edit"
    sent = {**main_form(client.get(url)), "slug": NEW}
    assert client.post(url, data=sent).status_code == 302
    assert db.session.get(FormerCategorySlug, OLD).category_id == cloud.id
    moved = app.test_client().get(f"/categories/{OLD}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"http://localhost/categories/{NEW}"
    assert "public" in moved.headers["Cache-Control"]


@pytest.mark.parametrize(
    "old, new",
    [
        (f"/categories/{OLD}?when=past&kind=webinar", f"/categories/{NEW}?when=past&kind=webinar"),
        (f"/feeds/categories/{OLD}.ics", f"/feeds/categories/{NEW}.ics"),
        (f"/feeds/categories/{OLD}.atom", f"/feeds/categories/{NEW}.atom"),
        (f"/events/?category={OLD}&kind=live", f"/events/?category={NEW}&kind=live"),
        (f"/calendar/2026/06?category={OLD}", f"/calendar/2026/06?category={NEW}"),
        (f"/webinars/archive?category={OLD}&q=cloud", f"/webinars/archive?category={NEW}&q=cloud"),
        (f"/feeds/events.ics?category={OLD}&q=cloud", f"/feeds/events.ics?category={NEW}&q=cloud"),
        (f"/api/v1/events?category={OLD}&limit=5", f"/api/v1/events?category={NEW}&limit=5"),
    ],
)
def test_every_address_naming_the_old_slug_moves_to_the_new(client, renamed, old, new):
    moved = client.get(old)
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"http://localhost{new}"
    assert client.get(moved.headers["Location"]).status_code == 200


def test_the_moved_feed_holds_the_categorys_events(client, renamed):
    feed = client.get(client.get(f"/feeds/categories/{OLD}.ics").headers["Location"])
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")}
    assert summaries == {"Cloud Summit", "Cloud Webinar"}


def test_a_widget_written_with_the_old_slug_shows_the_category(client, renamed):
    data = client.get(f"/embed/list.json?category={OLD}").get_json()
    titles = [e["title"] for s in data["sections"] for e in s["events"]]
    assert titles == ["Cloud Summit"]
    assert data["notes"] == []
    frame = client.get(f"/embed/list?category={OLD}").get_data(as_text=True)
    assert "Cloud Summit" in frame and f"category={NEW}" in frame


def test_unknown_slugs_answer_as_before(client, renamed):
    assert client.get("/categories/nothing").status_code == 404
    assert client.get("/feeds/categories/nothing.ics").status_code == 404
    assert client.get("/feeds/events.ics?category=nothing").status_code == 400
    page = client.get("/events/?category=nothing").get_data(as_text=True)
    assert "There is no category “<bdi>nothing</bdi>”" in page
    assert client.get("/api/v1/events?category=nothing").get_json()["data"] == []


def test_a_category_given_the_old_slug_has_it(app_ctx, client, renamed, create_category):
    """The address a category has now comes before one a category had."""
    create_category(name="Cloud native", slug=OLD)
    assert renamed_category(db.session, OLD) is None
    assert client.get(f"/categories/{OLD}").status_code == 200
    assert client.get(f"/feeds/categories/{OLD}.ics").status_code == 200


def test_a_deleted_categorys_old_slug_leads_nowhere(app_ctx, client, renamed):
    category = db.session.get(Category, renamed.id)
    category.events = []
    db.session.delete(category)
    db.session.commit()
    assert renamed_category(db.session, OLD) is None
    assert client.get(f"/categories/{OLD}").status_code == 404
    assert client.get(f"/feeds/categories/{OLD}.ics").status_code == 404


def test_0022_migrates_down_and_up(app, app_ctx, renamed):
    db.session.close()  # PostgreSQL: an open transaction would hold off the migration
    alembic.downgrade("0021")
    alembic.upgrade()
    assert db.session.scalars(select(FormerCategorySlug)).all() == []


def test_a_later_page_at_the_old_slug_moves_too(app, client, renamed, create_event):
    """The old slug matches no event: its page 2 would be past the last page (a 404)."""
    app.config["PAGE_SIZE"] = 1
    category = db.session.get(Category, renamed.id)
    create_event(title="Cloud Forum", kind="live", categories=[category],
                 start=NOW + timedelta(days=9))  # fmt: skip
    moved = client.get(f"/events/?category={OLD}&page=2")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"http://localhost/events/?category={NEW}&page=2"
    assert client.get(moved.headers["Location"]).status_code == 200
