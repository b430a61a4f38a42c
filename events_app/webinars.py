"""Upcoming webinars and live audio; the webinar archive of past ones."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from flask import Blueprint, abort, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from . import clock, search, spelling
from .extensions import db
from .filters import (
    EventFilters,
    PageNotFound,
    count_of,
    no_such_page,
    pager_links,
    paginate,
)
from .models import archived_webinars, category_by_slug, upcoming_events
from .public import renamed_category_redirect
from .view_names import Words, archive_view

bp = Blueprint("webinars", __name__, url_prefix="/webinars")

# The soonest shown of each kind; the rest are one link away, in the list filtered by kind.
SHOWN = {"webinar": 20, "audio": 6}


@bp.get("/")
def index():
    now = clock.now()
    soonest = {}
    for kind, shown in SHOWN.items():
        stmt = upcoming_events(now, kind=kind, limit=shown + 1)  # one more: are there more?
        soonest[kind] = db.session.scalars(stmt).unique().all()
    return render_template(
        "webinars/index.html",
        now=now,
        webinars=soonest["webinar"][: SHOWN["webinar"]],
        audio=soonest["audio"][: SHOWN["audio"]],
        more={kind: len(events) > SHOWN[kind] for kind, events in soonest.items()},
    )


# The list's filters the archive narrows by (a search keeps them), and all the list's
# arguments it reads: those, its search, its order, the page.
ARCHIVE_FILTERS = ("category", "place", "venue")
ARCHIVE_ARGS = frozenset({*ARCHIVE_FILTERS, "q", "sort", "page"})


@bp.get("/archive")
def archive():
    # Only ARCHIVE_ARGS mean something here; validated as on the list.
    args = [(k, v) for k, v in request.args.items(multi=True) if k in ARCHIVE_ARGS]
    filters = EventFilters.from_args(MultiDict(args))  # a value given twice is refused
    category = category_by_slug(db.session, filters.category)
    if filters.category and category is None:
        if moved := renamed_category_redirect(filters.category):
            return moved
        abort(404, description="There is no such category.")
    now = clock.now()
    # Its category and place, as the list's (the search is added below, ranked or not).
    narrowed = replace(filters, q=None).conditions()
    stmt = archived_webinars(now).where(*narrowed)

    def page_url(n: int) -> str:
        return url_for(".archive", **filters.to_args(page=n))

    def upcoming_url(f: EventFilters) -> str:
        return url_for("public.event_list", **f.to_args())

    if filters.by_relevance:
        # Each past episode is an entry of its own here: each has its own recording.
        stmt = search.by_relevance(
            stmt.order_by(None), filters.q, newest_first=True, every_date=True
        )
    elif filters.q:
        stmt = stmt.where(search.condition(filters.q))
    try:
        page = paginate(db.session, stmt, filters.page, current_app.config["PAGE_SIZE"])
    except PageNotFound as error:
        no_such_page(error, "There is no such page in the archive.", page_url)

    did_you_mean = None  # a search that finds nothing, misspelled: the search corrected
    if not page.items and filters.q and filters.page == 1:

        def in_archive(q: str) -> tuple[str, str] | None:
            searched = archived_webinars(now).where(*narrowed, search.condition(q))
            found = count_of(db.session, searched)
            return (url_for(".archive", **filters.to_args(q=q, page=1)), "") if found else None

        def upcoming(q: str, kind: str) -> tuple[str, Words] | None:
            """The upcoming list of this kind's search for q, when it finds something."""
            there = replace(filters, q=q, kind=kind, sort="relevance", page=1)
            named = category.name if category else None
            return spelling.in_list(db.session, there, now, upcoming_url, category=named)

        kinds = (partial(upcoming, kind="webinar"), partial(upcoming, kind="audio"))
        if corrected := spelling.suggestion(db.session, filters.q, in_archive, *kinds):
            did_you_mean = (corrected[0], *corrected[1])
    kept = {k: v for k, v in filters.to_args().items() if k in ARCHIVE_FILTERS}
    return render_template(
        "webinars/archive.html",
        did_you_mean=did_you_mean,
        kept_filters=kept,  # the form's hidden fields
        unsearched_url=url_for(".archive", **kept),
        now=now,
        page=page,
        pages_nav=pager_links(page, page_url),
        q=filters.q,
        filters=filters,
        view=archive_view(filters, category.name if category else None),
        ranked=search.ranks(filters.q),
        search_terms=search.unread_terms(request.args.get("q"), filters.q),
        highlights=search.highlights(db.session, filters.q, [e.id for e in page.items]),
        sort_urls={
            s: url_for(".archive", **filters.to_args(sort=s, page=1)) for s in ("relevance", "date")
        },
    )
