"""Link previews of public pages (an event's, and the others'): OpenGraph and Twitter card
tags. Pure."""

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
    if image:
        return _tags(title, description, page_url, site_name, (image, event.title), large=True)
    return page_preview(title, description, page_url, site_name, site_image)


def page_preview(
    title: str, description: str, page_url: str, site_name: str, site_image: str | None = None
) -> list[tuple[str, str, str]]:
    """The link preview tags of a page other than an event's (the home page, a list, a
    month, a venue): its title and description, and the site's image when it has one."""
    image = safe_url(site_image)
    return _tags(title, description, page_url, site_name, (image, site_name) if image else None)


def _tags(
    title: str,
    description: str,
    page_url: str,
    site_name: str,
    image: tuple[str, str] | None,
    large: bool = False,
) -> list[tuple[str, str, str]]:
    """``image``: (its URL, its alt text); ``large``: a picture of the event, shown wide (the
    site's own is most often a logo, shown small)."""
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", page_url),
    ]
    if image:
        tags += [("property", "og:image", image[0]), ("property", "og:image:alt", image[1])]
    tags += [
        ("name", "twitter:card", "summary_large_image" if large else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags.append(("name", "twitter:image", image[0]))
    return tags
