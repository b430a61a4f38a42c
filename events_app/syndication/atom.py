"""Atom (RFC 4287) feeds of events, newest change first. Pure: no Flask, no session."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from ..markup import render_markdown
from ..models import Event
from ..text import without_controls

NS = "http://www.w3.org/2005/Atom"
STATUS_PREFIX = {"cancelled": "Cancelled: ", "postponed": "Postponed: "}


@dataclass(frozen=True)
class AtomFeed:
    id: str
    title: str
    subtitle: str
    self_url: str
    page_url: str
    author: str


def entry_id(uid: str, domain: str) -> str:
    """A permanent tag: URI from the event's UID (RFC 4151)."""
    return f"tag:{domain},2026:event:{quote(uid, safe='@.-_~')}"


def feed_id(name: str, domain: str) -> str:
    return f"tag:{domain},2026:feed:{quote(name, safe='/.-_~')}"


def _time(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_summary(event: Event) -> str:
    """'Sep 24–26, 2026 · Westin Westminster, Denver' and the summary on the next line; a
    series says how it repeats: 'Weekly, Thursdays 12:00 PM EST; from Oct 22, 2026, no end
    date · Online'."""
    head = f"{event.announced_when} · {event.place_text}"
    return f"{head}\n{event.summary}" if event.summary else head


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    # Text and attributes without what XML cannot carry, saved before it was refused.
    clean = {name: without_controls(value) for name, value in attrs.items()}
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", clean)
    if text is not None:
        element.text = without_controls(text)
    return element


def atom_bytes(
    feed: AtomFeed,
    events: Iterable[Event],
    *,
    event_url: Callable[[str], str],
    domain: str,
    empty_updated: datetime,
) -> bytes:
    """The feed document; `events` newest change first; `empty_updated` dates a feed with no
    entries (the change token's time, so the bytes stay the same until something changes)."""
    ET.register_namespace("", NS)
    # The language of its text, as the pages' <html lang="en">: readers pick fonts, voices
    # and hyphenation by it (RFC 4287 2: xml:lang).
    root = ET.Element(f"{{{NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    events = list(events)
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "subtitle", feed.subtitle)
    updated = max((e.updated_at for e in events), default=empty_updated)
    _add(root, "updated", _time(updated))
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    _add(_add(root, "author"), "name", feed.author)
    _add(root, "generator", "events_app")
    for event in events:
        entry = _add(root, "entry")
        _add(entry, "id", entry_id(event.uid, domain))
        _add(entry, "title", STATUS_PREFIX.get(event.status, "") + event.title)
        _add(entry, "updated", _time(event.updated_at))
        _add(entry, "published", _time(event.created_at))
        _add(entry, "link", rel="alternate", type="text/html", href=event_url(event.slug))
        if event.organizer:
            _add(_add(entry, "author"), "name", event.organizer)
        for category in event.categories:
            _add(entry, "category", term=category.slug, label=category.name)
        _add(entry, "summary", entry_summary(event), type="text")
        if event.description:
            _add(entry, "content", str(render_markdown(event.description)), type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
