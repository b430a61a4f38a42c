"""An event's description is rendered to safe HTML when it is set and kept beside it; pages,
structured data and feeds use that rendering only while it is the rendering of the text as it
stands, by this renderer (markup.rendering_key)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, update

from events_app import markup
from events_app.extensions import alembic, db
from events_app.models import Event

TEXT = "Hello **world** <script>alert(1)</script> [site](https://example.com)"


def stored(event_id: int):
    columns = (Event.description_html, Event.description_html_key)
    return db.session.execute(select(*columns).where(Event.id == event_id)).one()


def store_html(event_id: int, html: str | None) -> None:
    """Write a stored rendering around the ORM, its key left as it was."""
    db.session.execute(update(Event).where(Event.id == event_id).values(description_html=html))
    db.session.commit()


def structured_description(page: str) -> str:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    return json.loads(block.group(1))["description"]


def test_setting_a_description_stores_its_rendering(app_ctx, create_event):
    event = create_event(description=TEXT)
    db.session.commit()
    html, key = stored(event.id)
    assert html == str(markup.render_markdown(TEXT))
    assert "<strong>world</strong>" in html and "<script>" not in html
    assert key == markup.rendering_key(TEXT)

    event.description = "Now *changed*"
    db.session.commit()
    html, key = stored(event.id)
    assert html == "<p>Now <em>changed</em></p>"
    assert key == markup.rendering_key("Now *changed*")


def test_the_page_its_structured_data_and_feed_show_the_stored_rendering(
    client, app_ctx, create_event
):
    event = create_event(description="Plain words.")
    db.session.commit()
    # A rendering the page can only have taken from the row: its key still matches the text.
    store_html(event.id, "<p>Kept <em>rendering</em></p>")

    page = client.get(f"/events/{event.slug}").text
    assert "<p>Kept <em>rendering</em></p>" in page
    assert "Plain words" not in page.replace(event.summary, "")
    assert structured_description(page) == "Kept rendering"
    assert "Kept rendering" in client.get(f"/events/{event.slug}.ics").text


def test_a_description_written_around_the_orm_is_rendered_again(client, app_ctx, create_event):
    event = create_event(description="Old **text**")
    db.session.commit()
    table = Event.__table__
    db.session.execute(
        update(table).where(table.c.id == event.id).values(description="New **text**")
    )
    db.session.commit()

    page = client.get(f"/events/{event.slug}").text
    assert "<p>New <strong>text</strong></p>" in page
    assert "Old" not in page
    assert structured_description(page) == "New text"


def test_renderings_of_an_older_renderer_are_not_shown(monkeypatch, client, app_ctx, create_event):
    event = create_event(description="Some text")
    db.session.commit()
    store_html(event.id, "<p>From the renderer before</p>")
    assert "From the renderer before" in client.get(f"/events/{event.slug}").text

    monkeypatch.setattr(markup, "MARKUP_VERSION", markup.MARKUP_VERSION + "-next")
    page = client.get(f"/events/{event.slug}?after=bump").text
    assert "<p>Some text</p>" in page
    assert "From the renderer before" not in page


def test_the_migration_renders_the_descriptions_it_finds(app_ctx, create_event):
    texts = ["# Heading\n\n- one\n- two", "", "Line with <b>bold</b> and <img src=x onerror=y>"]
    ids = [create_event(description=text).id for text in texts]
    db.session.commit()
    db.session.close()
    alembic.downgrade("0010")
    alembic.upgrade()
    for event_id, text in zip(ids, texts, strict=True):
        html, key = stored(event_id)
        assert html == str(markup.render_markdown(text))
        assert key == markup.rendering_key(text)


def test_storing_a_missing_rendering_is_not_a_change(app_ctx, create_event):
    event = create_event(description="Same *text*")
    db.session.commit()
    sequence, updated_at = event.sequence, event.updated_at
    store_html(event.id, None)
    db.session.expire_all()

    assert event.description == "Same *text*"  # loaded, as a staff form loads it
    event.description = "Same *text*"  # and saved without an edit
    db.session.commit()
    assert stored(event.id).description_html == "<p>Same <em>text</em></p>"
    # Not an edit: calendars see no new SEQUENCE, feeds no new LAST-MODIFIED.
    assert (event.sequence, event.updated_at) == (sequence, updated_at)


def test_render_descriptions_stores_what_a_new_renderer_makes(
    monkeypatch, runner, app_ctx, create_event
):
    events = [create_event(description=f"Text *{n}*") for n in range(3)]
    db.session.commit()
    before = {e.id: (e.version, e.sequence, e.updated_at) for e in events}
    assert "Rendered 0 descriptions" in runner.invoke(args=["render-descriptions"]).output

    monkeypatch.setattr(markup, "MARKUP_VERSION", markup.MARKUP_VERSION + "-next")
    store_html(events[0].id, None)
    assert "Rendered 3 descriptions" in runner.invoke(args=["render-descriptions"]).output
    db.session.expire_all()
    for n, event in enumerate(events):
        html, key = stored(event.id)
        assert html == f"<p>Text <em>{n}</em></p>"
        assert key == markup.rendering_key(event.description)
        # Not an edit: no new version (stored blocks, ETags), SEQUENCE or LAST-MODIFIED.
        assert (event.version, event.sequence, event.updated_at) == before[event.id]
    assert "Rendered 0 descriptions" in runner.invoke(args=["render-descriptions"]).output


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        # A tight list: its items on lines in a row (there were blank lines between them).
        ("Highlights:\n\n- Live call-ins\n- A five-minute quiz\n\nAfter.",
         "Highlights:\n\n- Live call-ins\n- A five-minute quiz\n\nAfter."),
        # A loose list keeps a blank line between items, as it is written.
        ("- One\n\n- Two", "- One\n\n- Two"),
        ("1. First\n2. Second", "- First\n- Second"),
        # Imported HTML: lines in <div>s stay lines, a table's cells stay apart.
        ("<div>Open evening</div><div>Doors at 7</div>", "Open evening\nDoors at 7"),
        ("<table><tr><td>Talk</td><td>19:00</td></tr></table>", "Talk 19:00"),
        ("| Talk | At |\n|---|---|\n| Keynote | 9:00 |", "Talk At\n\nKeynote 9:00"),
    ],
)  # fmt: skip
def test_descriptions_as_text_keep_lists_as_written(markdown, text):
    assert markup.markdown_to_text(markdown) == text


def test_imported_html_keeps_its_lines_on_the_page():
    assert str(markup.render_markdown("<div>One</div><div>Two</div>")) == (
        "<div>One</div><div>Two</div>"
    )
