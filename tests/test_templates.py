"""One name per thing in the templates and stylesheets: each macro defined once, no include
that may silently find nothing, every registered filter used, staff.css adding only its own
classes to site.css."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
STATIC = ROOT / "events_app" / "static"


def template_text() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text() for p in TEMPLATES}


def test_each_macro_is_defined_once():
    defined: dict[str, list[str]] = {}
    for name, text in template_text().items():
        for macro in re.findall(r"\{%-?\s*macro\s+(\w+)", text):
            defined.setdefault(macro, []).append(name)
    assert {m: where for m, where in defined.items() if len(where) > 1} == {}


def test_no_include_ignores_a_missing_template():
    found = [name for name, text in template_text().items() if "ignore missing" in text]
    assert found == []


def test_every_registered_filter_is_used(app: Flask):
    ours = set(app.jinja_env.filters) - set(jinja2.defaults.DEFAULT_FILTERS) - {"tojson"}
    used = set(re.findall(r"\|\s*(\w+)", "\n".join(template_text().values())))
    assert sorted(ours - used) == []


def _rules(path: Path) -> list[str]:
    """The selectors of a stylesheet's rules (inside @media blocks too), one per comma part."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    return [
        part.strip()
        for selector in re.findall(r"([^{}]+)\{[^{}]*\}", text)
        for part in selector.split(",")
        if part.strip() and not part.strip().startswith("@")
    ]


def _classes(selector: str) -> set[str]:
    return set(re.findall(r"\.([A-Za-z][\w-]*)", selector))


def test_staff_css_only_adds_staff_classes():
    """Every staff.css rule names a class of its own, so it never redefines a site.css one."""
    site = set().union(*map(_classes, _rules(STATIC / "site.css")))
    redefining = [s for s in _rules(STATIC / "staff.css") if not _classes(s) - site]
    assert redefining == []
