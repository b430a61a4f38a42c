"""Link previews of an event page: OpenGraph and Twitter card tags. Pure."""

from __future__ import annotations

from ..markup import safe_url
from ..models import Event
from .atom import STATUS_PREFIX

DESCRIPTION_LENGTH = 200


def link_preview(
    event: Event, page_url: str, site_name: str, site_image: str | None = None
) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of each meta tag: title, time in the event's own zone (how
    a series repeats), place, summary, image: the event's, else ``site_image`` (the site's
    own, SITE_IMAGE_URL, shown small: it is most often a logo)."""
    text = event.summary or event.description_text
    description = f"{event.announced_when} · {event.place_text}"
    if text:
        description += f". {text}"
    if len(description) > DESCRIPTION_LENGTH:
        description = description[: DESCRIPTION_LENGTH - 1].rstrip() + "\u2026"
    title = STATUS_PREFIX.get(event.status, "") + event.title
    image = safe_url(event.image_url)
    own_image = bool(image)
    image = image or safe_url(site_image)
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", page_url),
    ]
    if image:
        alt = event.title if own_image else site_name
        tags += [("property", "og:image", image), ("property", "og:image:alt", alt)]
    tags += [
        ("name", "twitter:card", "summary_large_image" if own_image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags.append(("name", "twitter:image", image))
    return tags
