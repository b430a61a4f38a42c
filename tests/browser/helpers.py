"""Shared steps for browser tests: axe-core scans, the width check and screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

from events_app.embed import widgets

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


# Where each stop of the Tab key lands: its box (page coordinates), its focus outline and the
# colours just outside its four sides, where the outline is drawn (what is painted there: the
# topmost element under that point with a background, other than the element itself).
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.dataset.tabStop) return null;
  el.dataset.tabStop = "1";
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const gap = (parseFloat(style.outlineOffset) || 0) + (parseFloat(style.outlineWidth) || 0) / 2;
  const painted = (x, y) => {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
    for (const n of document.elementsFromPoint(x, y)) {
      if (el.contains(n)) continue;
      const bg = getComputedStyle(n).backgroundColor;
      if (bg && bg !== "transparent" && !/rgba\\(.*, 0\\)$/.test(bg)) return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const midX = box.left + box.width / 2, midY = box.top + box.height / 2;
  const around = [painted(box.left - gap, midY), painted(box.right + gap, midY),
                  painted(midX, box.top - gap), painted(midX, box.bottom + gap)].filter(Boolean);
  const text = (el.textContent || el.value || "").trim().slice(0, 30);
  const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (text ? ` "${text}"` : "");
  return {name, top: box.top + scrollY, height: box.height, width: box.width,
          outline: style.outlineStyle, width_px: parseFloat(style.outlineWidth) || 0,
          color: style.outlineColor, around, frame: el.tagName === "IFRAME"};
}"""


# To the top at once: the page scrolls smoothly, and a ring measured while it still scrolled
# met whatever was passing by (a flaky 1.41:1 on the skip link).
_TOP = '{top: 0, left: 0, behavior: "instant"}'


def tab_stops(page, limit: int = 250) -> list[dict]:
    """Every element the Tab key reaches, in order, from the top of the page."""
    page.evaluate(
        """() => { document.querySelectorAll("[data-tab-stop]")
                     .forEach(e => delete e.dataset.tabStop);
                   const body = document.body;  // Tab goes on from the focused element
                   body.tabIndex = -1; body.focus(); body.removeAttribute("tabindex");
                   scrollTo(TOP); }""".replace("TOP", _TOP)
    )
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(_FOCUSED)
        if stop is None:
            break
        stops.append(stop)
    page.evaluate(f"() => {{ document.activeElement?.blur(); scrollTo({_TOP}); }}")
    return stops


def _hex(css: str) -> str:
    """A CSS rgb() or rgba() colour as six hex digits: 'rgb(11, 79, 138)' -> '0b4f8a'."""
    return "".join(f"{round(float(v)):02x}" for v in re.findall(r"[\d.]+", css)[:3])


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two CSS rgb() colours (the app's: embed.widgets.contrast)."""
    return widgets.contrast(_hex(a), _hex(b))


# A focus indicator against what is around it (WCAG 1.4.11 asks 3:1 of non-text contrast).
MIN_FOCUS_CONTRAST = 3.0


def focus_problems(stops: list[dict], single_column: bool) -> list[str]:
    """Tab stops without a visible focus ring, one too faint against its surroundings, and, in
    a single column (a phone), a stop drawn above the one before it: the keyboard's order is
    not the order the page is read in."""
    found = []
    for before, stop in zip([None, *stops], stops, strict=False):
        if stop["frame"]:
            continue  # the frame's own page draws its focus
        if stop["outline"] == "none" or stop["width_px"] < 1:
            found.append(f"no focus outline on {stop['name']}")
        else:
            # Seen on at least half its sides (a header link's ring may reach past the header).
            ratios = [contrast(stop["color"], around) for around in stop["around"]]
            faint = [r for r in ratios if r < MIN_FOCUS_CONTRAST]
            if ratios and len(faint) * 2 > len(ratios):
                found.append(
                    f"focus outline {min(faint):.2f}:1 < {MIN_FOCUS_CONTRAST}:1 on {stop['name']}"
                    f" ({stop['color']} on {stop['around']})"
                )
        if single_column and before and stop["top"] < before["top"] - 8:
            found.append(
                f"Tab goes up: {before['name']} (y {before['top']:.0f}) then {stop['name']}"
                f" (y {stop['top']:.0f})"
            )
    return found


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
    it; every Tab stop shows a focus ring that stands out, and on a phone the Tab key goes down
    the page. And no console errors (CSP violations show up there)."""
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
        stops = tab_stops(page)
        single = viewport["width"] <= PHONE["width"]
        problems += [f"{viewport['width']}px: {p}" for p in focus_problems(stops, single)]
    page.set_viewport_size(before)
    assert not problems, f"{name}:\n" + "\n".join(problems)
