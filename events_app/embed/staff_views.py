"""Staff → Embed: build a widget's snippet (script tag plus custom element, or an iframe) from
choices, with a live preview and a copy button (static/staff-embed.js). Without JavaScript the
form is a GET that renders the same snippet and preview."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from markupsafe import escape

from ..api.params import BadParameter
from ..auth import require_staff
from ..extensions import db
from ..models import KINDS, categories_by_name
from ..templating import external_url
from ..venues import listed_venues
from . import widgets
from .widgets import (
    BACKGROUNDS,
    DEFAULT_COUNT,
    MAX_COUNT,
    MIN_CONTRAST,
    THEMES,
    WIDGETS,
    WidgetQuery,
    accent_warning,
)

bp = Blueprint("staff_embed", __name__, url_prefix="/staff/embed")
bp.before_request(require_staff)

MODES = ("script", "iframe")
ROW_HEIGHT, SECTION_HEIGHT = 76, 90  # rough px; the preview measures the real height


def widget_args(query: WidgetQuery, theme: str) -> dict[str, str]:
    """The settings that differ from the defaults, in a fixed order (widget first). `theme`
    "" means the host's font and colours (the custom element; frames use "auto")."""
    found = {"widget": query.widget, **query.filters.to_args()}
    if query.count != DEFAULT_COUNT[query.widget]:
        found["count"] = str(query.count)
    if theme:
        found["theme"] = theme
    if query.accent:
        found["accent"] = query.accent
    return found


def iframe_height(query: WidgetQuery) -> int:
    """A first guess at the frame's height; the page replaces it with the preview's own."""
    if query.widget == "month":
        return 360 + ROW_HEIGHT * query.count
    sections = 1
    if query.widget == "sidebar":  # the boxes shown even empty (the others may not be there)
        boxes = widgets.sidebar_sections(query)
        sections = max(1, sum(widgets.shown_empty(b[0], b[2], query.filters) for b in boxes))
    return sections * (SECTION_HEIGHT + ROW_HEIGHT * query.count) + 30


def frame_url(origin: str, args: dict[str, str]) -> str:
    rest = {k: v for k, v in args.items() if k != "widget" and (k, v) != ("theme", "auto")}
    return f"{origin}/embed/{args['widget']}" + (f"?{urlencode(rest)}" if rest else "")


# The iframe snippet's style: 320 px wide, narrower in a narrower column (a 280 px sidebar),
# without the border browsers draw around frames. staff-embed.js writes the same.
FRAME_STYLE = "max-width: 100%; border: 0"


def snippet(origin: str, args: dict[str, str], mode: str, height: int, site_name: str) -> str:
    """The HTML a host pastes: an iframe, or the script tag and the custom element."""
    if mode == "iframe":
        return (
            f'<iframe src="{escape(frame_url(origin, args))}" title="{escape(site_name)}: events"'
            f' width="320" height="{height}" style="{FRAME_STYLE}" loading="lazy"></iframe>'
        )
    element = " ".join(f'{k}="{escape(v)}"' for k, v in args.items())
    script = f'<script src="{origin}/embed.js" async></script>'
    return f"{script}\n<events-widget {element}></events-widget>"


@bp.get("/")
def builder():
    args = request.args
    widget = args.get("widget") if args.get("widget") in WIDGETS else "sidebar"
    mode = args.get("mode") if args.get("mode") in MODES else "script"
    theme = args.get("theme") if args.get("theme") in THEMES else ""
    settings = {k: v for k, v in args.items() if k not in ("widget", "mode", "theme") and v}
    if settings.get("accent", "").startswith("#"):  # the box takes a colour as CSS writes it
        settings["accent"] = settings["accent"][1:]
    categories = categories_by_name(db.session)
    errors = {}
    if settings.get("category") and settings["category"] not in {c.slug for c in categories}:
        errors["category"] = "There is no such category (any more): choose one from the list."
        del settings["category"]
    venues = listed_venues(db.session)
    if settings.get("venue") and settings["venue"] not in {v.slug for v in venues}:
        errors["venue"] = "No event is listed at this venue (any more): choose one from the list."
        del settings["venue"]
    query = None
    while query is None:  # a refused setting is said beside its box; the others are kept
        try:
            query = WidgetQuery.from_args(widget, settings, frame=True)
        except BadParameter as problem:
            errors[problem.parameter] = str(problem)
            if settings.pop(problem.parameter, None) is None:
                query = WidgetQuery(widget, count=DEFAULT_COUNT[widget])
    if mode == "iframe" and not theme:
        theme = "auto"
    origin = external_url("public.home").rstrip("/")
    chosen = widget_args(query, theme)
    height = iframe_height(query)
    return render_template(
        "staff_embed/builder.html",
        query=query,
        theme=theme,
        mode=mode,
        errors=errors,
        values=args,
        chosen=chosen,
        snippet=snippet(origin, chosen, mode, height, current_app.config["SITE_NAME"]),
        accent_warning=accent_warning(query.accent, theme),
        backgrounds=BACKGROUNDS,
        min_contrast=MIN_CONTRAST,
        frame_src=frame_url(origin, chosen),
        height=height,
        origin=origin,
        widgets=WIDGETS,
        kinds=KINDS,
        themes=THEMES,
        modes=MODES,
        max_count=MAX_COUNT,
        categories=categories,
        venues=venues,
    )
