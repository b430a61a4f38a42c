"""User text to safe HTML (Markdown, sanitized) and to plain text."""

from __future__ import annotations

import hashlib
import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "div",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

# CommonMark (as GitHub and most editors read it) plus tables, through markdown-it-py: its time
# grows in proportion to the text and its nesting is capped (at 20), whatever the text, so no
# description can hold a worker or overflow the stack. HTML in the text (imports often carry
# some) passes to nh3, which keeps only the tags above.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


# Bump whenever render_markdown's output may change: renderings stored with an older key
# (Event.description_html) are then ignored, and the text is rendered again where shown.
MARKUP_VERSION = "3"  # 3: <div> kept (imported HTML's lines); 2: markdown-it-py

# One event page shows its description as HTML and as text (structured data, three calendar
# links): each conversion is done once per text, not once per use (the largest cost of the
# page in the profile of issue 15). Results are immutable strings.
CONVERSIONS_KEPT = 256


@lru_cache(maxsize=CONVERSIONS_KEPT)
def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML with everything active (scripts, handlers, javascript: links) removed."""
    if not text:
        return Markup("")
    raw = _MARKDOWN.render(text).rstrip("\n")
    clean = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


_TAG = re.compile(r"<[^>]+>")
_BLANKS = re.compile(r"\n{3,}")
_SPACE = re.compile(r"\s")  # str.isspace's characters


def rendering_key(text: str | None) -> str:
    """The key a stored rendering of ``text`` is kept under: this text, this renderer."""
    data = f"{MARKUP_VERSION}\0{text or ''}".encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def rendering(text: str | None) -> tuple[str, str]:
    """(HTML, key): what is stored for ``text`` (Event.description_html and its key)."""
    return str(render_markdown(text)), rendering_key(text)


def stored_or_rendered(text: str | None, stored: str | None, key: str | None) -> Markup:
    """``stored`` when it is the rendering of ``text`` by this renderer (``key`` says so), else
    ``render_markdown(text)``: a row written around the ORM cannot show stale HTML."""
    if stored is not None and key == rendering_key(text):
        return Markup(stored)
    return render_markdown(text)


def stored_text(text: str | None, stored: str | None, key: str | None) -> str:
    """The plain text of ``text``, from its stored rendering when that is current."""
    return html_to_text(stored_or_rendered(text, stored, key)) if text else ""


@lru_cache(maxsize=CONVERSIONS_KEPT)
def markdown_to_text(text: str | None) -> str:
    """Markdown as readable plain text, for feeds and meta descriptions."""
    return html_to_text(render_markdown(text)) if text else ""


@lru_cache(maxsize=CONVERSIONS_KEPT)
def html_to_text(rendered: Markup) -> str:
    """render_markdown's HTML as readable plain text (a page asks for its description's text
    four times: structured data, meta description and calendar links)."""
    rendered = re.sub(r"</li>\s+<", "</li><", str(rendered))  # a tight list: items line by line
    rendered = re.sub(r"<li>\s*(<p>)?", "- ", rendered)  # a loose list item holds a <p>
    rendered = re.sub(r"</(p|div|li|h\d|blockquote|pre|tr)>|<br ?/?>", "\n", rendered)
    rendered = re.sub(r"</t[dh]>\s*(?=<t[dh])", " ", rendered)  # a row's cells on its line
    plain = html.unescape(_TAG.sub("", rendered))
    return _BLANKS.sub("\n\n", plain).strip()


@lru_cache(maxsize=1024)
def is_web_address(value: str) -> bool:
    """An absolute http(s) address with a host and no spaces, that URL parsers can read
    ("http://[::1" and a port of 99999 cannot be read). Kept: a page asks about each of an
    event's links several times."""
    if not value or _SPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def safe_url(value: str | None) -> str:
    """The URL if it is a web address, else "": stored links never become `javascript:` links,
    nor break a page, a feed or the API."""
    value = (value or "").strip()
    return value if is_web_address(value) else ""
