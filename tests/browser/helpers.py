"""Shared steps for browser tests: axe-core scans and screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def screenshot_dir() -> Path:
    """SCREENSHOT_DIR, or tests/browser/screenshots/ (gitignored)."""
    return Path(os.environ.get("SCREENSHOT_DIR") or HERE / "screenshots").resolve()


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Inject the vendored axe-core and return the serious/critical violations, described."""
    # Evaluated via DevTools, not added as a <script>: our CSP rightly blocks inline code.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = []
    for v in result["violations"]:
        if v["impact"] in impacts:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
            found.append(f"{v['impact']} {v['id']}: {v['help']} at {targets}")
    return found


def screenshots(page, name: str) -> None:
    """Full-page screenshots of the current URL at desktop and phone widths."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{slug}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
