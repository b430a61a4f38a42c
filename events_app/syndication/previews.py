"""Link previews of an event page: OpenGraph and Twitter card tags. Pure."""

from __future__ import annotations

from ..markup import safe_url
from ..models import Event
from .atom import STATUS_PREFIX

DESCRIPTION_LENGTH = 200


def link_preview(event: Event, page_url: str, site_name: str) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of each meta tag: title, time in the event's own zone (how
    a series repeats), place, summary, image."""
    text = event.summary or event.description_text
    description = f"{event.announced_when} · {event.place_text}"
    if text:
        description += f". {text}"
    if len(description) > DESCRIPTION_LENGTH:
        description = description[: DESCRIPTION_LENGTH - 1].rstrip() + "\u2026"
    title = STATUS_PREFIX.get(event.status, "") + event.title
    image = safe_url(event.image_url)
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", page_url),
    ]
    if image:
        tags += [("property", "og:image", image), ("property", "og:image:alt", event.title)]
    tags += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags.append(("name", "twitter:image", image))
    return tags
