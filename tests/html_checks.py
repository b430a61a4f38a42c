"""Parse served HTML with html.parser and report anything that could run: for the XSS tests."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
# Browsers ignore ASCII whitespace and control characters inside a URL scheme.
_SCHEME_NOISE = re.compile(r"[\x00-\x20]+")


def dangerous_url(value: str) -> bool:
    scheme = _SCHEME_NOISE.sub("", value).lower()
    return scheme.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg"))


class ActiveContentFinder(HTMLParser):
    """Collects problems (active content) and the JSON-LD blocks of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.json_ld: list[str] = []
        self.style_attributes: list[str] = []
        self.inline_scripts: list[str] = []
        self.text: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            kind = attributes.get("type", "").lower()
            if kind == "application/ld+json" and "src" not in attributes:
                self._in_json_ld = True
                self.json_ld.append("")
            elif attributes.get("src", "").startswith("/static/"):
                pass
            else:
                self.problems.append(f"<script {attributes}>")
                self.inline_scripts.append(str(attributes))
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "style":
            self.style_attributes.append("<style> element")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data
        else:
            self.text.append(data)


def inspect_html(html: str) -> ActiveContentFinder:
    finder = ActiveContentFinder()
    finder.feed(html)
    finder.close()
    return finder


def active_content(html: str) -> list[str]:
    """Everything on the page that could execute, including malformed JSON-LD."""
    finder = inspect_html(html)
    problems = list(finder.problems)
    for block in finder.json_ld:
        if "</script" in block.lower() or "<!--" in block:
            problems.append(f"JSON-LD contains markup: {block[:80]!r}")
        try:
            json.loads(block)
        except ValueError:
            problems.append(f"JSON-LD does not parse: {block[:80]!r}")
    return problems
