"""Staff pages for venues and categories (editors and admins), staff accounts and the audit log
(admins only)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from . import audit, kept_form, merge, timefmt
from .auth import admin_required, hash_password, require_staff, set_password, start_session
from .extensions import db
from .filters import Page, page_number, pager_links
from .forms import CategoryForm, NewUserForm, ResetPasswordForm, UserForm, VenueForm
from .models import AuditEntry, Category, Event, User, Venue, categories_by_name, event_categories
from .staff import MAX_ID
from .templating import url_with

bp = Blueprint("staff_admin", __name__, url_prefix="/staff")
bp.before_request(require_staff)


# Where a form for something deleted meanwhile can be saved as a new one.
NEW_ONES = {"venue": "staff_admin.new_venue", "category": "staff_admin.new_category"}


def get_or_404(model: type, object_id: int, what: str, editing: bool = False):
    """The row, or a 404; `editing`: the 404 keeps the form sent (kept_form.gone)."""
    obj = db.session.get(model, object_id) if 0 < object_id <= MAX_ID else None
    if obj is None:
        if editing:
            kept_form.gone(what, NEW_ONES.get(what) and url_for(NEW_ONES[what]))
        abort(404, f"There is no such {what}; it may have been deleted.")
    return obj


# --- venues ----------------------------------------------------------------------------------


def render_venue_form(form: VenueForm, venue: Venue | None, **extra: Any) -> str:
    return render_template(
        "staff/venue_form.html",
        form=form,
        venue=venue,
        zone_names=timefmt.suggested_zone_names(),
        **extra,
    )


def copy_venue_fields(form: VenueForm, venue: Venue) -> None:
    for name in audit.VENUE_FIELDS:
        value = form[name].data
        setattr(venue, name, value.strip() if isinstance(value, str) else value)


@bp.get("/venues")
def venues():
    counts = dict(
        db.session.execute(
            select(Event.venue_id, func.count(Event.id)).group_by(Event.venue_id)
        ).all()
    )
    rows = db.session.scalars(select(Venue).order_by(Venue.name, Venue.city)).all()
    return render_template("staff/venues.html", venues=rows, counts=counts)


@bp.route("/venues/new", methods=["GET", "POST"])
def new_venue():
    form = VenueForm()
    if form.validate_on_submit():
        venue = Venue()
        copy_venue_fields(form, venue)
        db.session.add(venue)
        audit.record("create", venue, audit.created(audit.venue_snapshot(venue)), current_user)
        db.session.commit()
        flash(f"Added the venue \u201c{venue.name}\u201d.", "info")
        return redirect(url_for(".venues"))
    return render_venue_form(form, None), 400 if form.errors else 200


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
def edit_venue(venue_id: int):
    venue = get_or_404(Venue, venue_id, "venue", editing=True)
    form = VenueForm(obj=venue)
    form.venue_id = venue.id
    if request.method == "GET":
        form.original.data = json.dumps(audit.venue_snapshot(venue))
    if form.validate_on_submit():
        before = audit.venue_snapshot(venue)
        extra = conflict(form, venue, before, typed_venue(form))
        if extra is not None:
            return render_venue_form(form, venue, **extra), 409
        copy_venue_fields(form, venue)
        changes = audit.diff(before, audit.venue_snapshot(venue))
        if changes:
            audit.record("update", venue, changes, current_user)
        db.session.commit()
        flash(f"Saved the venue \u201c{venue.name}\u201d.", "info")
        return redirect(url_for(".venues"))
    return render_venue_form(form, venue), (400 if form.errors else 200)


def typed_venue(form: VenueForm) -> dict[str, Any]:
    """The venue as the form has it, as audit snapshots hold it."""
    typed = Venue()  # never added to the session
    copy_venue_fields(form, typed)
    return audit.venue_snapshot(typed)


def what_is(item) -> str:
    return {Venue: "venue", Category: "category"}.get(type(item), "account")


def conflict(form, item, theirs: dict, typed: dict) -> dict | None:
    """Whether a colleague saved ``item`` since ``form`` was opened (its ``original`` field
    holds the item as the form showed it; ``theirs`` and ``typed`` are the item now and as
    typed, as audit snapshots hold them): their changes to fields this editor left alone come
    into the form, this editor's input stays everywhere else (marked where both changed a
    field), and saving again goes through. The template's conflict values, with who saved it
    (``changed_by``); None when nobody did, or every change of theirs is one this form makes
    too. When its ``original`` was sent unreadable: {} and the form says so by its button
    (one sent without any, by a script, is taken as it is)."""
    started = merge.started_from(form.original.data, theirs)
    if form.original.data and not started:  # unreadable: a colleague's save cannot be told
        form.original.data = json.dumps(theirs)
        form.submit.errors = [merge.lost(what_is(item))]
        return {}
    if not started or started == theirs:
        return None
    their_changes = audit.diff(started, theirs)
    merged, both = merge.plan(started, typed, theirs, their_changes)
    if not merged and not both:
        return None
    for name in merged:
        form[name].data, form[name].raw_data = theirs[name], None
    form.original.data = json.dumps(theirs)
    return {
        "their_changes": their_changes,
        "merged": merged,
        "both": both,
        "changed_by": audit.last_entry(item),
    }


@bp.post("/venues/<int:venue_id>/delete")
def delete_venue(venue_id: int):
    venue = get_or_404(Venue, venue_id, "venue")
    used = db.session.scalar(select(func.count(Event.id)).where(Event.venue_id == venue.id))
    if used:
        flash(
            f"\u201c{venue.name}\u201d cannot be deleted: {used} event"
            f"{'s are' if used != 1 else ' is'} held there. Move "
            f"{'them' if used != 1 else 'it'} to another venue first.",
            "error",
        )
        return redirect(url_for(".venues"))
    audit.record("delete", venue, audit.deleted(audit.venue_snapshot(venue)), current_user)
    db.session.delete(venue)
    db.session.commit()
    flash(f"Deleted the venue \u201c{venue.name}\u201d.", "info")
    return redirect(url_for(".venues"))


# --- categories ------------------------------------------------------------------------------


@bp.get("/categories")
def categories():
    counts = dict(
        db.session.execute(
            select(event_categories.c.category_id, func.count()).group_by(
                event_categories.c.category_id
            )
        ).all()
    )
    rows = categories_by_name(db.session)
    return render_template("staff/categories.html", categories=rows, counts=counts)


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category():
    form = CategoryForm()
    if form.validate_on_submit():
        category = Category(name=form.name.data, slug=form.slug.data)
        db.session.add(category)
        audit.record(
            "create", category, audit.created(audit.category_snapshot(category)), current_user
        )
        db.session.commit()
        flash(f"Added the category \u201c{category.name}\u201d.", "info")
        return redirect(url_for(".categories"))
    status = 400 if form.errors else 200
    return render_template("staff/category_form.html", form=form, category=None), status


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = get_or_404(Category, category_id, "category", editing=True)
    form = CategoryForm(obj=category, category_id=category.id)
    if request.method == "GET":
        form.original.data = json.dumps(audit.category_snapshot(category))
    if form.validate_on_submit():
        before = audit.category_snapshot(category)
        typed = {"name": form.name.data, "slug": form.slug.data}
        extra = conflict(form, category, before, typed)
        if extra is not None:
            return render_template(
                "staff/category_form.html", form=form, category=category, **extra
            ), 409
        category.name, category.slug = form.name.data, form.slug.data
        changes = audit.diff(before, audit.category_snapshot(category))
        if changes:
            audit.record("update", category, changes, current_user)
        db.session.commit()
        flash(f"Saved the category \u201c{category.name}\u201d.", "info")
        return redirect(url_for(".categories"))
    status = 400 if form.errors else 200
    return render_template("staff/category_form.html", form=form, category=category), status


@bp.post("/categories/<int:category_id>/delete")
def delete_category(category_id: int):
    category = get_or_404(Category, category_id, "category")
    used = db.session.scalar(
        select(func.count()).where(event_categories.c.category_id == category.id)
    )
    if used:
        flash(
            f"\u201c{category.name}\u201d cannot be deleted: {used} event"
            f"{'s use' if used != 1 else ' uses'} it. Remove it from "
            f"{'them' if used != 1 else 'that event'} first.",
            "error",
        )
        return redirect(url_for(".categories"))
    audit.record("delete", category, audit.deleted(audit.category_snapshot(category)), current_user)
    db.session.delete(category)
    db.session.commit()
    flash(f"Deleted the category \u201c{category.name}\u201d.", "info")
    return redirect(url_for(".categories"))


# --- staff accounts (admins) -----------------------------------------------------------------


def account_fields(user: User) -> dict[str, Any]:
    """What the account form edits, as audit snapshots hold it (its email is not edited)."""
    snapshot = audit.user_snapshot(user)
    return {name: snapshot[name] for name in ("display_name", "role", "active")}


def active_admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    )


@bp.get("/users")
@admin_required
def users():
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("staff/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    if request.method == "GET":
        form.active.data = True
    if form.validate_on_submit():
        user = User(
            email=form.email.data,
            display_name=form.display_name.data.strip(),
            role=form.role.data,
            active=form.active.data,
            password_hash=hash_password(form.new_password.data),
        )
        db.session.add(user)
        audit.record("create", user, audit.created(audit.user_snapshot(user)), current_user)
        db.session.commit()
        flash(f"Created the account {user.email}.", "info")
        return redirect(url_for(".users"))
    status = 400 if form.errors else 200
    return render_template("staff/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = get_or_404(User, user_id, "staff account", editing=True)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.original.data = json.dumps(account_fields(user))
    if form.validate_on_submit():
        # A colleague's save since the form was opened (a deactivation, a new role) is never
        # undone unseen by a form that still shows the account as it was.
        typed = {
            "display_name": form.display_name.data.strip(),
            "role": form.role.data,
            "active": bool(form.active.data),
        }
        extra = conflict(form, user, account_fields(user), typed)
        if extra is not None:
            return render_template("staff/user_form.html", form=form, user=user, **extra), 409
        losing_admin = user.role == "admin" and user.active
        losing_admin = losing_admin and (form.role.data != "admin" or not form.active.data)
        if losing_admin and active_admins() <= 1:
            # Beside the box that was changed: Role, or Active when only that was unticked.
            changed = form.role if form.role.data != "admin" else form.active
            changed.errors.append(
                "This is the last active admin: make another account an admin first, "
                "so that someone can still manage staff accounts."
            )
        else:
            before = audit.user_snapshot(user)
            was_active = user.active
            user.display_name = form.display_name.data.strip()
            user.role, user.active = form.role.data, form.active.data
            if was_active and not user.active:
                user.session_version += 1  # signs a deactivated account out everywhere
            changes = audit.diff(before, audit.user_snapshot(user))
            if changes:
                audit.record("update", user, changes, current_user)
            db.session.commit()
            flash(f"Saved the account {user.email}.", "info")
            return redirect(url_for(".users"))
    status = 400 if form.errors else 200
    return render_template("staff/user_form.html", form=form, user=user), status


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def reset_password(user_id: int):
    user = get_or_404(User, user_id, "staff account")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        set_password(db.session, user, form.new_password.data)  # their sessions end
        audit.record("update", user, {"password": ["(old)", "(reset)"]}, current_user)
        db.session.commit()
        if user.id == current_user.id:
            start_session(user)
        flash(f"Set a new password for {user.email}; their sessions are signed out.", "info")
        return redirect(url_for(".users"))
    status = 400 if form.errors else 200
    return render_template("staff/password_reset.html", form=form, user=user), status


# --- audit log (admins) ----------------------------------------------------------------------


def _id_arg(name: str) -> int | None:
    """The audit log's `event` or `user` filter: an id, or None when absent."""
    value = request.args.get(name, "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        abort(400, f"The {name} filter must be a number.")
    return int(value)


@bp.get("/audit")
@admin_required
def audit_log():
    event_id, user_id = _id_arg("event"), _id_arg("user")
    page = page_number(request.args.get("page"))  # BadFilter: a 400 saying why
    stmt = select(AuditEntry)
    if event_id is not None:
        stmt = stmt.where(AuditEntry.object_type == "event", AuditEntry.object_id == event_id)
    if user_id is not None:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    per_page = current_app.config["PAGE_SIZE"]
    # Only the counts, for the pager: the rows below are audit entries, not events.
    counted = Page(items=[], page=page, per_page=per_page, total=total)
    if page > counted.pages:
        abort(404, "There is no such page of the audit log.")
    rows = db.session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return render_template(
        "staff/audit.html",
        entries=rows,
        counted=counted,
        pages_nav=pager_links(counted, lambda n: url_with(page=n)),
        event_id=event_id,
        user_id=user_id,
        staff=db.session.scalars(select(User).order_by(User.email)).all(),
        event=db.session.get(Event, event_id) if event_id else None,
        actions=audit.ACTIONS,
        changes_of=audit.changes_of,
    )
