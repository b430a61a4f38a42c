"""sitemap.xml (an index of sitemaps of at most SITEMAP_SIZE URLs) and robots.txt. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_SIZE = 40_000  # the protocol allows 50,000 URLs (and 50 MB) per file
# A cancelled event's page is listed until this many days after it ended: long enough for a
# search engine to read that it is cancelled (and drop it from its event listings); later its
# page stays, labelled, for links and bookmarks, but has nothing to offer a search.
CANCELLED_KEPT_DAYS = 30


def _lastmod(instant: datetime | None) -> str | None:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if instant else None


def _document(tag: str, child: str, rows: Iterable[tuple[str, datetime | None]]) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}{tag}")
    for url, modified in rows:
        item = ET.SubElement(root, f"{{{NS}}}{child}")
        ET.SubElement(item, f"{{{NS}}}loc").text = url
        lastmod = _lastmod(modified)
        if lastmod:
            ET.SubElement(item, f"{{{NS}}}lastmod").text = lastmod
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def urlset(rows: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A sitemap: (absolute URL, last change or None) per page."""
    return _document("urlset", "url", rows)


def sitemap_index(rows: Iterable[tuple[str, datetime | None]]) -> bytes:
    """The index naming each sitemap file."""
    return _document("sitemapindex", "sitemap", rows)


def robots_txt(sitemap_url: str) -> str:
    """Everything may be crawled but the staff area."""
    return f"User-agent: *\nDisallow: /staff/\n\nSitemap: {sitemap_url}\n"
