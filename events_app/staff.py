"""Staff dashboard, the event form's views, quick actions and draft previews."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from . import (
    audit,
    clock,
    kept_form,
    markup,
    merge,
    recurrence,
    search,
    series,
    series_form,
    timefmt,
)
from .auth import admin_required, require_staff, safe_next
from .event_form import NEW_VENUE, SCHEDULE_KEYS, EventForm, unique_slug
from .extensions import db
from .filters import PageNotFound, no_such_page, page_number, pager_links, paginate
from .forms import choices
from .models import (
    KINDS,
    PUBLIC_STATUSES,
    STATUSES,
    Event,
    FormerSlug,
    Speaker,
    event_loads,
    record_deleted,
)
from .templating import url_with

bp = Blueprint("staff", __name__, url_prefix="/staff")
MAX_ID = 2**31 - 1  # the largest INTEGER key; bigger numbers in URLs are simply not found
SERIES_PAST_DAYS, SERIES_DATES = 90, 40  # the dates of a series its edit page lists
bp.before_request(require_staff)

# Quick actions: the button's value -> the status it sets.
STATUS_ACTIONS = {
    "published": "Publish",
    "draft": "Unpublish",
    "postponed": "Postpone",
    "cancelled": "Cancel event",
}


class DashboardFilters(Form):
    q = StringField("Search", validators=[Optional(), Length(max=200)])
    status = SelectField(
        "Status", choices=choices([("", "Any status"), *STATUSES.items()]), default=""
    )
    kind = SelectField("Kind", choices=choices([("", "Any kind"), *KINDS.items()]), default="")
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError("This is before the From date: no event could match.")


def status_question(event: Event, status: str) -> str | None:
    """What a one-click change of status asks first (None: publishing): the dashboard's, and
    "Cancel this date" on one date's page."""
    title = f"“{event.title}”"
    if event.series is not None:
        if status != "cancelled":
            return None
        return (
            f"Cancel {_named(event)} only? Visitors and subscribed calendars will see it as"
            " cancelled; the other dates stay as they are."
        )
    if event.series_master:
        return {
            "cancelled": f"Cancel every date of the series {title}? Visitors and subscribed"
            " calendars will see them as cancelled.",
            "draft": f"Unpublish the series {title} and all its dates? They leave the site,"
            " the feeds and the API.",
            "postponed": f"Mark the series {title} as postponed? Its dates show so, but for"
            " those given a status of their own.",
        }.get(status)
    return {
        "cancelled": f"Cancel {title}? Visitors and subscribed calendars will see it as cancelled.",
        "draft": f"Unpublish {title}? It leaves the site, the feeds and the API.",
        "postponed": f"Mark {title} as postponed?",
    }.get(status)


@bp.get("/")
def dashboard():
    filters = DashboardFilters(request.args)
    # A series is its master here; its occurrences are on the master's page.
    stmt = select(Event).where(Event.series_id.is_(None)).options(*event_loads())
    status = 200
    if not filters.validate():
        status = 400
    else:
        if filters.q.data:
            stmt = stmt.where(search.condition(filters.q.data))
        if filters.status.data:
            stmt = stmt.where(Event.status == filters.status.data)
        if filters.kind.data:
            stmt = stmt.where(Event.kind == filters.kind.data)
        if filters.date_from.data:
            stmt = stmt.where(Event.end_date >= filters.date_from.data)
        if filters.date_to.data:
            stmt = stmt.where(Event.start_date <= filters.date_to.data)
    stmt = stmt.order_by(Event.updated_at.desc(), Event.id.desc())
    number = page_number(request.args.get("page"))  # BadFilter: a 400 saying why
    try:
        page = paginate(db.session, stmt, number, current_app.config["PAGE_SIZE"])
    except PageNotFound as error:
        no_such_page(error, "There is no such page of events.", lambda n: url_with(page=n))
    return render_template(
        "staff/dashboard.html",
        filters=filters,
        page=page,
        pages_nav=pager_links(page, lambda n: url_with(page=n)),
        status_actions=STATUS_ACTIONS,
        status_question=status_question,
        now=clock.now(),
    ), status


def get_event(event_id: int, editing: bool = False) -> Event:
    """The event, or a 404; `editing`: the 404 keeps the form sent (kept_form.gone)."""
    event = db.session.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    if event is None:
        if editing:
            kept_form.gone("event", url_for(".new_event"))
        abort(404, "There is no such event; it may have been deleted.")
    return event


def series_rule_of(event: Event) -> recurrence.Rule | None:
    """The rule of the series the event is, or is a date of (None: a single event)."""
    master = event if event.series_master else event.series
    return series.rule_of(master) if master is not None else None


def render_event_form(form: EventForm, event: Event | None, status: int = 200, **extra: Any):
    if request.method == "POST":
        form.offer_folds()
    return render_template(
        "staff/event_form.html",
        form=form,
        event=event,
        zone_names=timefmt.suggested_zone_names(),
        venue_zones=form.venue_zones,
        rule_preview=rule_preview_of(form, event),
        series_dates=series_dates(event) if event is not None and event.series_master else None,
        split_parts=series.split_parts(db.session, event)
        if event is not None and event.series_master
        else None,
        status_question=status_question,
        **extra,
    ), status


@dataclass(frozen=True)
class SeriesDates:
    """A page of a series' dates on its edit page: from ``since``; ``later``: where the next
    page starts (None: none after these); ``moved_on``: not the default page."""

    dates: list[Event]
    since: date
    later: date | None
    moved_on: bool


def rule_preview_of(form: EventForm, event: Event | None) -> dict[str, Any] | None:
    """The Repeats section's preview: of the rule as typed; for a saved series, with what
    became of its dates; for one date of a series, of the rule its save would give (the
    series' own, the whole series' or the new part's, as the scope says)."""
    rule, saved = form.rule, None
    if event is not None and event.series_master:
        rule, saved = rule or series.rule_of(event), series.SavedDates(db.session, event)
    elif event is not None and event.series is not None:
        scope = form.repeat.form.scope.data
        rule = series.rule_for_scope(event, form.rule, scope)
        since = event.recurrence_id.date() if scope == "following" else None
        saved = series.SavedDates(db.session, event.series, since)
    return series_form.preview(rule, clock.today(), saved) if rule else None


def series_dates(master: Event) -> SeriesDates:
    """The dates of a series its edit page lists: SERIES_DATES of them, from SERIES_PAST_DAYS
    ago or from the day in ``?dates_from=`` (a link below the list leads on)."""
    # From its first date when that is later: "Dates from" then names a date it has.
    since = max(clock.today() - timedelta(days=SERIES_PAST_DAYS), master.rule.start_local.date())
    asked = request.args.get("dates_from")
    if asked is not None:
        try:
            since = date.fromisoformat(asked)
        except ValueError:
            abort(400, "dates_from must be a date written YYYY-MM-DD.")
    stmt = (
        select(Event)
        .where(Event.series_id == master.id, Event.end_date >= since)
        .order_by(Event.start_at, Event.id)
        .limit(SERIES_DATES + 1)
    )
    dates = list(db.session.scalars(stmt))
    later = dates[SERIES_DATES].start_date if len(dates) > SERIES_DATES else None
    return SeriesDates(dates[:SERIES_DATES], since, later, asked is not None)


def description_preview(form: EventForm) -> Any:
    return markup.render_markdown((form.description.data or "")[:50_000])


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = EventForm()
    if request.method == "GET":
        form.status.data = "draft"
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KINDS else "live"
        form.form_key.data = secrets.token_urlsafe(24)
    elif form.preview.data:
        return render_event_form(form, None, preview=description_preview(form))
    elif form.repeat.form.preview_dates.data:  # the summary and next dates, nothing saved
        return render_event_form(form, None, 200 if form.validate() else 400)
    elif (made := made_from(form)) is not None:
        return made
    elif form.validate():
        event = Event(form_key=form.sent_form_key())
        new_venue = form.apply_to(event, db.session)
        now = clock.now()
        db.session.add(event)
        if form.rule is not None:
            series.set_rule(event, form.rule)
            series.sync(event, clock.today())
        db.session.flush()
        if new_venue is not None:
            audit.record("create", new_venue, audit.created(audit.venue_snapshot(new_venue)),
                         current_user, now)  # fmt: skip
        audit.record("create", event, audit.created(audit.event_snapshot(event)), current_user, now)
        try:
            db.session.commit()
        except IntegrityError:  # the same form, sent twice at once: the other one made it
            db.session.rollback()
            if (made := made_from(form)) is not None:
                return made
            raise
        flash(f"Created \u201c{event.title}\u201d.", "info")
        return redirect(url_for(".edit_event", event_id=event.id))
    return render_event_form(form, None, 400 if request.method == "POST" else 200)


def made_from(form: EventForm):
    """The answer to a new-event form whose key already made an event, or None (it made none).

    Sent again as it was (a second click, "Send again" after an outage whose first save went
    through): to that event's edit page, saying so. Changed since (Back to it, typed on,
    saved): nothing is made twice either; `resent` shows the changes against that event."""
    key = form.sent_form_key()
    made = db.session.scalar(select(Event).where(Event.form_key == key)) if key else None
    if made is None:
        return None
    sent_slug, form.event_id = form.slug.data, made.id
    venue_it_made(form, made)
    same = form.validate() and form.says_as_saved(made)
    form.slug.data, form.event_id = sent_slug, None
    if not same:
        return resent(made)
    flash("This form was already saved; here is the event it made (nothing was saved twice).",
          "info")  # fmt: skip
    return redirect(url_for(".edit_event", event_id=made.id))


def resent(made: Event):
    """The new-event form that made `made`, sent again with changes: `made`'s edit page with
    the form as sent (409; 400 with what to correct), each change shown against the event as
    saved now, to save as an edit of it or as a new event. Its changes since it was made (a
    colleague's, or one's own on its edit page) come into fields the form left alone, as when
    a colleague saves an edit meanwhile (`conflict`)."""
    form = edit_form(made)
    venue_it_made(form, made)
    typed_slug = form.slug.data
    theirs = audit.event_snapshot(made)
    started = audit.as_created(made, theirs) or theirs
    form.form_key.data = secrets.token_urlsafe(24)  # "Save as a new event" makes one
    if not form.validate():
        form.slug.data = typed_slug
        form.version.data, form.original.data = "", json.dumps(started)  # saved, it merges
        return render_event_form(form, made, 400, resent={})
    their_changes = audit.diff(started, theirs)
    mine = form_snapshot(form, made)
    merged, both = merge.plan(started, mine, theirs, their_changes, groups=[SCHEDULE_KEYS])
    yours = {
        k: [theirs.get(k), v] for k, v in mine.items() if k not in merged and v != theirs.get(k)
    }
    if merged:
        form.load(made, merged)
    form.slug.data = typed_slug  # empty: made from the title as saved, for either button
    form.version.data, form.original.data = str(made.version), json.dumps(theirs)
    return render_event_form(form, made, 409, resent=yours, merged=merged, both=both)


def venue_it_made(form: EventForm, made: Event) -> None:
    """A new venue typed into the form that made `made`, as it made it: that venue, chosen
    (not made again)."""
    if form.venue.data == NEW_VENUE and made.venue is not None and form.typed_venue_is(made.venue):
        form.venue.data = str(made.venue_id)


def edit_form(event: Event) -> EventForm:
    """The edit form of `event`, as sent or (GET) empty."""
    return EventForm(
        event_id=event.id,
        occurrence=event.series_id is not None,
        saved_rule=series_rule_of(event),
        saved_zone=event.timezone,
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = get_event(event_id, editing=True)
    form = edit_form(event)
    if request.method == "GET":
        form.load(event)
        form.original.data = json.dumps(audit.event_snapshot(event))
        return render_event_form(form, event)
    if form.preview.data:
        return render_event_form(form, event, preview=description_preview(form))
    if form.repeat.form.preview_dates.data:
        return render_event_form(form, event, 200 if form.validate() else 400)
    if not form.validate():
        return render_event_form(form, event, 400)
    version = form.sent_version()
    if version is None and not merge.started_from(form.original.data, audit.event_snapshot(event)):
        return version_lost(form, event)
    if version != event.version:  # a lost version with its original: the merge tells
        answer = conflict(form, event, unless_same=True)
        if answer is not None:
            return answer
    scope = form.repeat.form.scope.data
    alone = event.series is not None and scope not in series.SERIES_SCOPES
    if (event.series_master or (event.series is not None and not alone)) and form.rule is None:
        # "Does not repeat" saved for a series (or from a date, for its dates) was ignored.
        form.repeat.form.freq.errors.append(
            "A series keeps repeating: to stop it, choose when it ends."
        )
        return render_event_form(form, event, 400)
    if alone and series_form.asks_another_rule(form.repeat.form, series.rule_of(event.series)):
        form.repeat.form.scope.errors.append(
            "Repeats belongs to the whole series: to change it, apply the changes to all dates"
            " or to this and the following ones, or set it back."
        )
        return render_event_form(form, event, 400)
    if event.series is not None and not alone and form.rule is not None:
        saved_rule = series.rule_for_scope(event, form.rule, scope)  # what the series gets
        if series_form.refused(saved_rule, form.repeat.form):
            return render_event_form(form, event, 400)
    if alone and (refused := series.refused_date_status(event, form.status.data)):
        form.status.errors.append(refused)
        return render_event_form(form, event, 400)
    if alone and (other := series.date_in_the_way(db.session, event, form.schedule)):
        # A date typed to last weeks (its series' last day as its end) covered a month.
        form.end_date.errors.append(
            f"This date would run into the series' date of {other}: shorten it, or cancel"
            " that date first."
        )
        return render_event_form(form, event, 400)
    try:
        return save_edit(form, event)
    except StaleDataError:  # a colleague saved it after the check above, before this wrote
        db.session.rollback()
        return conflict(form, get_event(event_id, editing=True))


def save_edit(form: EventForm, event: Event):
    """Write a checked edit form to its event (and its series, as the scope says). Raises
    StaleDataError at whichever flush meets a colleague's save made meanwhile."""
    before = audit.event_snapshot(event)
    template_before = series.template_values(event)
    old_rule = series.rule_of(event) if event.series_master else None  # its zone is the event's
    new_venue = form.apply_to(event, db.session)
    today = clock.today()
    if old_rule is not None:
        series.save_master(event, form.rule, template_before, old_rule, today)
    elif event.series_id is None and form.rule is not None:  # a single event starts repeating
        series.set_rule(event, form.rule)
        series.sync(event, today)
    changes = audit.diff(before, audit.event_snapshot(event))
    scope = form.repeat.form.scope.data if event.series_id is not None else "this"
    master, master_changes, cut = None, {}, None
    if scope in series.SERIES_SCOPES and event.series is not None:
        old_master = event.series
        master_before = audit.event_snapshot(old_master)
        master = series.apply_to_series(db.session, event, set(changes), form.rule, scope, today)
        if master is not old_master:  # "this and following": a new series from this date on
            cut = (old_master, audit.diff(master_before, audit.event_snapshot(old_master)))
            master_changes = audit.created(audit.event_snapshot(master))
        else:
            master_changes = audit.diff(master_before, audit.event_snapshot(master))
    if not changes and not master_changes:
        db.session.rollback()
        flash("Nothing changed.", "info")
        return redirect(url_for(".edit_event", event_id=event.id))
    now = clock.now()
    db.session.flush()
    if new_venue is not None:
        audit.record("create", new_venue, audit.created(audit.venue_snapshot(new_venue)),
                     current_user, now)  # fmt: skip
    if cut is not None:  # each series' history says what became of it
        audit.record("update", cut[0], cut[1], current_user, now)
        audit.record("create", master, master_changes, current_user, now)
        flash(
            f"Saved this and the following dates of \u201c{master.title}\u201d: they are now a"
            f" series of their own, from {timefmt.format_day(event.recurrence_id.date())}.",
            "info",
        )
    elif master is not None:
        audit.record("update", master, master_changes, current_user, now)
        flash(f"Saved {series_form.SCOPES[scope].lower()} of \u201c{master.title}\u201d.", "info")
    else:
        audit.record("update", event, changes, current_user, now)
        flash(f"Saved {_named(event)}{' only' if event.series is not None else ''}.", "info")
    event_id, day = event.id, event.recurrence_id
    db.session.commit()
    if master is not None and db.session.get(Event, event_id) is None:
        # The new rule has no date on this one's day: the series' page lists the dates it has.
        flash(f"{timefmt.format_day(day.date())} is no longer one of its dates.", "info")
        return redirect(url_for(".edit_event", event_id=master.id))
    return redirect(url_for(".edit_event", event_id=event_id))


def version_lost(form: EventForm, event: Event):
    """The form came without a readable version or original (a page changed by hand or by a
    browser add-on): it comes back as typed, with the message by Save and the event's version
    now, so that saving again goes through."""
    form.version.data = str(event.version)
    form.original.data = json.dumps(audit.event_snapshot(event))
    form.save.errors = [merge.lost("event")]
    return render_event_form(form, event, 409)


def conflict(form: EventForm, event: Event, *, unless_same: bool = False):
    """Someone saved this event since the form was opened: merge their changes to fields this
    editor left alone into the form, keep this editor's input everywhere else (marking fields
    both changed), and carry the new version so that saving again goes through.

    `unless_same`: None instead when every change of theirs is one this form makes too (a
    second click on Save, Back to a form one saved oneself): there is nothing to reconcile."""
    theirs = audit.event_snapshot(event)
    started = merge.started_from(form.original.data, theirs)
    their_changes = audit.diff(started, theirs) if started else {}
    merged, both = merge_plan(form, event, started, theirs, their_changes)
    if unless_same and started and not merged and not both:
        return None
    if merged:
        form.load(event, merged)
    form.version.data = str(event.version)
    form.original.data = json.dumps(theirs)
    who = audit.last_entry(event)
    return render_event_form(
        form, event, 409, their_changes=their_changes, changed_by=who, merged=merged, both=both
    )


def merge_plan(
    form: EventForm, event: Event, started: dict, theirs: dict, their_changes: dict
) -> tuple[set[str], set[str]]:
    """(keys to take from their save, keys both changed differently), as audit snapshot keys.

    The editor's own version comes from applying the form to the event and rolling back, with
    the form's Repeats (a series' times are its rule's); the schedule (all-day, start, end,
    zone) counts as one field."""
    if not their_changes:
        return set(), set()
    mine = form_snapshot(form, event)
    return merge.plan(started, mine, theirs, their_changes, groups=[SCHEDULE_KEYS])


def form_snapshot(form: EventForm, event: Event) -> dict[str, Any]:
    """The snapshot `event` would have saved from this validated form (applied, then rolled
    back: never written), with the form's Repeats (a series' times are its rule's)."""
    with db.session.no_autoflush:
        form.apply_to(event, db.session)
        if event.series_id is None:  # a single event or a series (one date has no Repeats)
            mine = audit.event_snapshot_with_rule(event, form.rule)
        else:
            mine = audit.event_snapshot(event)
    db.session.rollback()
    return mine


@bp.post("/preview-markdown")
def preview_markdown():
    """The description as visitors will see it (sanitized HTML), for the form's live preview."""
    text = request.form.get("text", "")
    if len(text) > 50_000:
        abort(413, "The description is too long to preview.")
    return str(markup.render_markdown(text)), 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.post("/events/rule-preview")
def rule_preview():
    """The Repeats section's summary and next dates for the form as typed so far (its live
    preview); nothing is saved. What keeps the rule from being read is said instead."""
    saved = None
    if "event" in request.args:  # the edit page of a saved event
        try:
            saved = get_event(int(request.args["event"]))
        except ValueError:
            abort(400, "event must be the number of an event.")
    form = EventForm(
        occurrence=request.form.get("repeat-scope") is not None,
        saved_rule=series_rule_of(saved) if saved is not None else None,
        saved_zone=saved.timezone if saved is not None else None,
    )
    form.validate()
    # One date saved on its own keeps its series' rule, whatever the Repeats fields say.
    keeps_rule = saved is not None and saved.series is not None
    keeps_rule = keeps_rule and form.repeat.form.scope.data not in series.SERIES_SCOPES
    problems: list[str] = []
    if form.rule is None and form.repeat.form.freq.data in recurrence.FREQS:
        fields = (form.start_date, form.start_time, form.end_date, form.end_time, form.timezone)
        for field in (*fields, *form.repeat.form):
            problems += [f"{field.label.text}: {message}" for message in field.errors]
    return render_template(
        "staff/_rule_preview.html",
        rule_preview=rule_preview_of(form, saved) if form.rule or keeps_rule else None,
        rule_problems=problems[:4],
    )


@bp.get("/events/<int:event_id>/preview")
def preview_event(event_id: int):
    """The public page of an event (of a series: the series page), drafts included, with a
    banner saying it is a preview."""
    from .public import detail_context, series_context

    event = get_event(event_id)
    if event.series_master:
        return render_template("staff/preview_series.html", **series_context(event, drafts=True))
    return render_template("staff/preview.html", **detail_context(event), preview=True)


# --- quick actions ---------------------------------------------------------------------------


@bp.errorhandler(StaleDataError)
def changed_meanwhile(error: StaleDataError):
    """A button (status, delete) met a colleague's save of the same event made meanwhile:
    nothing of it is kept; say so where the button was. (The edit form answers with its
    conflict page instead.)"""
    db.session.rollback()
    flash("Someone else changed this event at the same moment; nothing was changed. "
          "Look at it again and retry.", "error")  # fmt: skip
    return back_to_dashboard()


def back_to_dashboard():
    target = request.form.get("next", "")
    return redirect(safe_next(target) or url_for(".dashboard"))


@bp.post("/events/<int:event_id>/status")
def change_status(event_id: int):
    event = get_event(event_id)
    new_status = request.form.get("status", "")
    if new_status not in STATUS_ACTIONS:
        abort(400, "Unknown status; use the buttons on the dashboard.")
    if event.status_choice == new_status:
        flash(f"\u201c{event.title}\u201d is already {STATUSES[new_status].lower()}.", "info")
        return back_to_dashboard()
    old, now = event.status_choice, clock.now()
    if new_status == "postponed" and not event.may_be_postponed(now):
        flash(
            f"\u201c{event.title}\u201d is unchanged: it has already ended, so it cannot be"
            " postponed. If it did not take place, edit its dates or cancel it.",
            "error",
        )
        return back_to_dashboard()
    before = series.template_values(event)
    if event.series is not None:  # one date of a series, on its own
        if refused := series.refused_date_status(event, new_status):
            flash(f"\u201c{event.title}\u201d is unchanged. {refused}", "error")
            return back_to_dashboard()
        series.set_date_status(event, new_status)
    else:
        event.status = new_status  # changes.py raises SEQUENCE and updated_at on flush
    if event.series_master:  # the whole series: every occurrence that had the series' status
        series.propagate(event, before)
    audit.record("status", event, {"status": [old, new_status]}, current_user, now)
    db.session.commit()
    named = _named(event)
    flash(f"{named[:1].upper()}{named[1:]} is now {STATUSES[new_status].lower()}.", "info")
    return back_to_dashboard()


def _named(event: Event) -> str:
    """'“Title”', or for one date of a series 'the Jul 9, 2026 date of “Series”'."""
    if event.series is None:
        return f"\u201c{event.title}\u201d"
    day = timefmt.format_day(event.recurrence_id.date())
    return f"the {day} date of \u201c{event.series.title}\u201d"


@bp.post("/events/<int:event_id>/duplicate")
def duplicate_event(event_id: int):
    source = get_event(event_id)
    now = clock.now()
    # A date of a series has the address "<series>/<date>": its copy is an event of its own.
    slug = unique_slug(db.session, f"{source.slug.replace('/', '-')[:190]}-copy")
    copy = Event(
        slug=slug,
        title=source.title,
        kind=source.kind,
        summary=source.summary,
        description=source.description,
        venue=source.venue,
        online_url=source.online_url,
        registration_url=source.registration_url,
        recording_url="",
        slides_url="",
        image_url=source.image_url,
        organizer=source.organizer,
        status="draft",
        featured=False,
    )
    with db.session.no_autoflush:
        copy.set_schedule_of(source)
        copy.categories = list(source.categories)
        copy.speakers = [
            Speaker(name=s.name, title=s.title, company=s.company, position=s.position)
            for s in source.speakers
        ]
        if source.series_master:  # a draft series with the same rule and dates of its own
            copy.occurrences = []
            series.set_rule(copy, series.rule_of(source))
        db.session.add(copy)
        if copy.series_master:
            series.sync(copy, clock.today())
    changes = audit.created(audit.event_snapshot(copy))
    changes["duplicated_from"] = [None, source.id]
    audit.record("duplicate", copy, changes, current_user, now)
    db.session.commit()
    what = "a draft series with the same rule" if copy.series_master else "a draft"
    flash(f"Copied \u201c{source.title}\u201d as {what}; change its dates and save.", "info")
    return redirect(url_for(".edit_event", event_id=copy.id))


@bp.post("/events/<int:event_id>/delete")
@admin_required
def delete_event(event_id: int):
    event = db.session.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    if event is None:
        return already_deleted(event_id)
    if event.series_id is not None:  # the series' next save would make it again
        abort(409, description="One date of a series cannot be deleted: cancel it on its page,"
                               " or change the series' rule.")  # fmt: skip
    title, slug = event.title, event.slug
    # Every address it had in public (its former ones, a draft's too: changes._remember_slug)
    # says it is gone: calendars may hold it.
    former = select(FormerSlug.slug).where(FormerSlug.event_id == event_id)
    addresses = sorted(
        {*([slug] if event.status in PUBLIC_STATUSES else []), *db.session.scalars(former)}
    )
    snapshot = audit.event_snapshot(event)
    db.session.delete(event)  # loads what goes with it: nothing is written before the flush
    audit.record("delete", event, audit.deleted(snapshot), current_user)
    try:
        # The event's row first: of two deletes at once the second stops here (its version
        # check finds no row), before it writes anything else.
        db.session.flush()
        for address in addresses:
            record_deleted(db.session, address, title, clock.now())
        if slug in addresses:  # an event that had its address before no longer answers there
            db.session.execute(delete(FormerSlug).where(FormerSlug.slug == slug))
        db.session.execute(delete(FormerSlug).where(FormerSlug.event_id == event_id))
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        if db.session.get(Event, event_id) is None:  # a second click, or a colleague, was first
            return already_deleted(event_id)
        raise  # a colleague's save came first: changed_meanwhile says so
    flash(f"Deleted \u201c{title}\u201d.", "info")
    return back_to_dashboard()


def already_deleted(event_id: int):
    """A delete of an event that is no longer there: the dashboard, as after the delete that
    removed it (a second click on Delete), or saying which colleague did; a 404 for an id that
    was never an event's."""
    entry = audit.deletion("event", event_id)
    if entry is None:
        abort(404, "There is no such event; it may have been deleted.")
    if entry.user_id is not None and entry.user_id == current_user.id:
        flash(f"Deleted \u201c{entry.object_label}\u201d.", "info")
    else:
        by = f" by {entry.user_email}" if entry.user_email else ""
        flash(f"\u201c{entry.object_label}\u201d was already deleted{by}.", "info")
    return back_to_dashboard()
