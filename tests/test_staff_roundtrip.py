"""Opening an event's edit page and saving it untouched changes nothing, for every demo event."""

from html.parser import HTMLParser

from conftest import NOW
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from events_app import demo
from events_app.extensions import db
from events_app.models import AuditEntry, Event


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
    for event in events:
        before = (event.version, event.sequence, event.start_at, event.end_at, event.all_day)
        page = client.get(f"/staff/events/{event.id}/edit")
        assert page.status_code == 200
        parser = FormFields()
        parser.feed(page.get_data(as_text=True))
        response = client.post(f"/staff/events/{event.id}/edit", data=MultiDict(parser.data))
        assert response.status_code == 302, (event.title, response.get_data(as_text=True)[-3000:])
        db.session.refresh(event)
        after = (event.version, event.sequence, event.start_at, event.end_at, event.all_day)
        changes = db.session.scalars(select(AuditEntry.changes)).all()
        assert after == before, (event.title, changes)
    assert db.session.scalar(select(AuditEntry.id)) is None
