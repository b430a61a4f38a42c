"""Opening an event's edit page and saving it untouched changes nothing, for every demo event
and every event an import makes (an import must not make what its form refuses)."""

import re
from html.parser import HTMLParser

from conftest import NOW
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from events_app import demo
from events_app.extensions import db
from events_app.importing.apply import apply_import
from events_app.importing.plan import plan_import
from events_app.models import AuditEntry, Event
from tests.test_importer import SAMPLE_NAMES, WIDE, ics, sample


class FormFields(HTMLParser):
    """The values a browser would submit for the event form (no JavaScript; CRLF in text)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "event-form" in (a.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.data.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append(
                (
                    self._textarea,
                    self._text.replace("\r\n", "\n").removeprefix("\n").replace("\n", "\r\n"),
                )
            )
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def test_saving_untouched_forms_changes_nothing(client, auth, editor, app_ctx):
    demo.load_demo(db.session, NOW.date())
    db.session.commit()
    auth.login()
    events = db.session.scalars(select(Event)).all()
    assert len(events) > 10
    assert_saved_untouched(client, events)


# What imports hold that staff forms may not make: a DTSTART alone (the event takes no time), a
# description at the limit whose unknown LOCATION the import writes into the text, a zone that
# is one offset all year (EST: the file says so; a form would offer New York instead).
EDGES = ics(
    "UID:instant@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Papers due\n"
    "DTSTART;TZID=America/New_York:20270510T140000",
    "UID:long@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Long read\nLOCATION:Some Hall, Springfield\n"
    "DTSTART:20270511T140000Z\nDTEND:20270511T150000Z\nDESCRIPTION:" + "word " * 4000,
    "UID:spaced@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Spaced   title  here\n"
    "CATEGORIES:Open   RAN\nDTSTART:20270512T140000Z\nDTEND:20270512T150000Z",
    "UID:fixed@t\nDTSTAMP:20260101T000000Z\nSUMMARY:Fixed offset\n"
    "DTSTART;TZID=EST:20270513T140000\nDTEND;TZID=EST:20270513T150000",
)


def test_saving_untouched_imported_events_changes_nothing(client, auth, editor, app_ctx):
    for data in (EDGES, *(sample(name) for name in SAMPLE_NAMES)):
        plan = plan_import(data, db.session, now=NOW, **WIDE)
        apply_import(plan, db.session, publish=True)
    auth.login()
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert len(events) > 100
    edges, masters = events[:4], [e for e in events if e.series_master]
    assert [e.title for e in edges] == [
        "Papers due",
        "Long read",
        "Spaced title here",
        "Fixed offset",
    ]
    assert edges[3].timezone == "EST"
    assert_saved_untouched(client, [*edges, *masters, *events[3::11]])  # and dates between
    # The same file again finds nothing to change (a title the form tidied came back).
    again = plan_import(EDGES, db.session, now=NOW, **WIDE)
    assert {i.action for i in again.items} == {"unchanged"}, [
        (i.title, i.changes) for i in again.items
    ]


def assert_saved_untouched(client, events: list[Event]) -> None:
    for event in events:
        before = (event.version, event.sequence, event.start_at, event.end_at, event.all_day)
        page = client.get(f"/staff/events/{event.id}/edit")
        assert page.status_code == 200
        parser = FormFields()
        parser.feed(page.get_data(as_text=True))
        response = client.post(f"/staff/events/{event.id}/edit", data=MultiDict(parser.data))
        errors = re.findall(r"<p class=\"error\"[^>]*>([^<]*)", response.get_data(as_text=True))
        assert response.status_code == 302, (event.title, errors)
        db.session.refresh(event)
        after = (event.version, event.sequence, event.start_at, event.end_at, event.all_day)
        changes = db.session.scalars(select(AuditEntry.changes)).all()
        assert after == before, (event.title, changes)
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "update")) is None
