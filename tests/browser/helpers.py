"""Shared steps for browser tests: axe-core scans, the width check and screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
WIDTHS = (DESKTOP, PHONE)


def fill_when(
    page, start_day: str, start_time: str, end_time: str, zone: str, end_day: str | None = None
) -> None:
    """The event form's When fields: a start and an end (the same day unless ``end_day``)."""
    page.fill("#start_date", start_day)
    page.fill("#start_time", start_time)
    page.fill("#end_date", end_day or start_day)
    page.fill("#end_time", end_time)
    page.fill("#timezone", zone)


def screenshot_dir() -> Path:
    """SCREENSHOT_DIR, or tests/browser/screenshots/ (gitignored)."""
    return Path(os.environ.get("SCREENSHOT_DIR") or HERE / "screenshots").resolve()


def _target(node: dict) -> str:
    return " ".join(map(str, node["target"]))


# The product's floor for text axe measured but only filed as "incomplete", large text too.
MIN_CONTRAST = 4.5


def low_contrast(node: dict) -> str | None:
    """For an "incomplete" color-contrast node: a description if axe did compute both colours
    and their ratio is below MIN_CONTRAST (or what axe expected, if more), else None.

    axe files some real failures as "incomplete": text the same colour as its background
    (1:1, "equalRatio"), or too short to be sure it is text. Nodes whose background it could
    not determine (images, gradients, overlaps) have no ratio and stay a human's call."""
    for check in node.get("any", []):
        data = check.get("data") or {}
        ratio, expected = data.get("contrastRatio"), data.get("expectedContrastRatio")
        if not (data.get("fgColor") and data.get("bgColor") and ratio and expected):
            continue
        needed = max(MIN_CONTRAST, float(str(expected).split(":")[0]))
        if ratio < needed:
            return (
                f"serious color-contrast (axe: incomplete, {data.get('messageKey')}): "
                f"{ratio}:1 < {needed}:1 ({data['fgColor']} on {data['bgColor']}) "
                f"at {_target(node)}"
            )
    return None


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Inject the vendored axe-core and return the serious/critical violations, described, plus
    the colour contrasts that axe measured too low but only filed as "incomplete"."""
    # Evaluated via DevTools, not added as a <script>: our CSP rightly blocks inline code.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})"
    )
    found = []
    for v in result["violations"]:
        if v["impact"] in impacts:
            targets = [_target(n) for n in v["nodes"][:3]]
            found.append(f"{v['impact']} {v['id']}: {v['help']} at {targets}")
    for item in result["incomplete"]:
        if item["id"] == "color-contrast":
            found.extend(filter(None, map(low_contrast, item["nodes"])))
    return found


def page_width(page) -> int:
    """How wide the page's content is: more than the viewport means sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth")


def overflowing(page) -> list[str]:
    """Elements that stick out past the right edge of the viewport (the culprits of a
    too-wide page), outermost first, at most five."""
    return page.evaluate(
        """() => {
          const limit = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > limit + 0.5 && !out.some(o => o.el.contains(el))) {
              const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.className && typeof el.className === 'string'
                   ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
              out.push({el, text: `${name} (right edge ${Math.round(box.right)}px)`});
            }
          }
          return out.slice(0, 5).map(o => o.text);
        }"""
    )


def scrolls_inside(page) -> list[str]:
    """Boxes that scroll sideways themselves (a table in an overflow-x wrapper): the page fits,
    but part of the content is out of sight. Form controls scroll their text by nature."""
    return page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
          .filter(el => !el.matches('input, textarea, select')
            && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
            && el.scrollWidth > el.clientWidth + 1)
          .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
            + ` (${el.scrollWidth}px of content in ${el.clientWidth}px)`)"""
    )


def screenshot(page, name: str) -> Path:
    """A full-page screenshot of the current page, named after `name` and the viewport width."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    path = folder / f"{slug}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(watched, name: str) -> None:
    """At desktop and phone widths: a screenshot, no serious axe findings (low contrasts that
    axe only calls "incomplete" included) and no sideways scrolling, of the page or of a box in
    it. And no console errors (CSP violations show up there)."""
    page = watched.page
    page.wait_for_load_state("load")
    assert not watched.errors, f"{name}: console errors {watched.errors}"
    before = page.viewport_size
    problems = []
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        screenshot(page, name)
        problems += [f"{viewport['width']}px: {v}" for v in axe_violations(page)]
        if page_width(page) > viewport["width"]:
            problems.append(
                f"{viewport['width']}px: {page_width(page)}px wide: {overflowing(page)}"
            )
        problems += [f"{viewport['width']}px: scrolls sideways: {b}" for b in scrolls_inside(page)]
    page.set_viewport_size(before)
    assert not problems, f"{name}:\n" + "\n".join(problems)
