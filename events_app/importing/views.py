"""Staff .ics import: upload, preview every event, confirm.

Between preview and confirm the uploaded bytes wait in instance/imports/<token>.ics; the token
is random, tied to the uploader's session (with the zone chosen for floating times beside it),
and the file is deleted once applied (or after a day). The confirm step plans again against
the database as it is then, so it never applies a stale preview.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, StringField, SubmitField

from .. import clock, kept_form, timefmt
from ..auth import require_staff
from ..extensions import db
from ..feeds.source import warm_blocks
from ..feeds.views import site
from ..forms import PageForm, iana_zone
from ..security import UnreadableForm
from . import reader as ics_reader
from .apply import ImportFailed, apply_import
from .plan import ImportPlan, plan_import

bp = Blueprint("staff_import", __name__, url_prefix="/staff/import")
bp.before_request(require_staff)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SESSION_KEY = "import_tokens"
DONE_KEY = "import_tokens_done"
ZONES_KEY = "import_zones"  # token -> the zone chosen for floating times at upload
KEEP_SECONDS = 24 * 3600
UPLOAD_CUT_OFF = (
    "The upload arrived cut off (the connection may have dropped while it was sent), so the"
    " file was not read: choose it and send it again."
)
LIMIT_TEXT = f"{ics_reader.MAX_FILE_BYTES // 1024 // 1024} MB"


class ImportUploadForm(PageForm):
    file = FileField(
        "iCalendar file",
        description=f"An .ics export from Google, Outlook, Apple or a feed; at most {LIMIT_TEXT}.",
        validators=[
            FileRequired("Choose an .ics file to import."),
            FileAllowed(["ics", "ical", "icalendar", "ifb"], "Only .ics (iCalendar) files."),
            FileSize(ics_reader.MAX_FILE_BYTES, message=f"The file is larger than {LIMIT_TEXT}."),
        ],
    )
    zone = StringField(
        "Time zone for floating times",
        description="Times the file gives without a time zone are read in this zone "
        "(the site's, unless you choose another).",
        validators=[iana_zone],
        render_kw={"list": "zone-names", "autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField("Preview import")


class ImportConfirmForm(PageForm):
    publish = BooleanField(
        "Publish imported events",
        description="Otherwise new events are saved as drafts for review.",
    )
    submit = SubmitField("Import")


def imports_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_file(token: str) -> Path:
    """The waiting upload for `token`, only for the session that uploaded it; otherwise back
    to the upload page (or, for one this session already imported, the dashboard) saying so."""
    if token in session.get(DONE_KEY, []):
        flash("That import is already done; it was not applied twice.", "info")
        abort(redirect(url_for("staff.dashboard")))
    if not TOKEN_RE.match(token):
        abort(404, "There is no such upload; upload the file again.")
    if token not in session.get(SESSION_KEY, []):  # another session's, or from before a sign-in
        flash("That upload is not waiting for you (any more): upload the file again.", "info")
        abort(redirect(url_for(".upload")))
    path = imports_dir() / f"{token}.ics"
    if not path.is_file():
        abort(404, "That upload is gone (uploads wait a day); upload the file again.")
    return path


def store_upload(data: bytes, zone: str) -> str:
    _remove_old_uploads()
    token = secrets.token_urlsafe(24)
    (imports_dir() / f"{token}.ics").write_bytes(data)
    session[SESSION_KEY] = tokens = [*session.get(SESSION_KEY, [])[-4:], token]
    zones = session.get(ZONES_KEY, {})
    session[ZONES_KEY] = {t: zones[t] for t in tokens if t in zones} | {token: zone}
    return token


def stored_zone(token: str) -> str:
    """The zone chosen for floating times when `token` was uploaded (else the site's)."""
    zone = session.get(ZONES_KEY, {}).get(token, "")
    return zone if timefmt.is_valid_zone(zone) else site_zone_name()


def site_zone_name() -> str:
    return clock.site_zone().key


def _remove_old_uploads() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in imports_dir().glob("*.ics"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _plan(data: bytes, zone: str) -> ImportPlan:
    return plan_import(data, db.session, now=clock.now(), floating_zone=zone)


def _upload_page(form: ImportUploadForm):
    return render_template(
        "staff_import/upload.html", form=form, zone_names=timefmt.suggested_zone_names()
    )


@bp.get("/")
def upload():
    return _upload_page(ImportUploadForm(zone=site_zone_name()))


@bp.post("/")
def upload_post():
    form = ImportUploadForm(zone=site_zone_name())  # the default zone, as offered
    if form.validate_on_submit():
        zone = form.zone.data or site_zone_name()
        data = form.file.data.read(ics_reader.MAX_FILE_BYTES + 1)
        plan = _plan(data, zone)
        if not plan.error:
            return redirect(url_for(".preview", token=store_upload(data, zone)))
        form.file.errors.append(plan.error)
    return _upload_page(form), 400


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    if not current_user.is_authenticated:  # raised before the sign-in check: not our page
        return kept_form.sign_in_for_upload(403)
    form = ImportUploadForm(formdata=None, zone=site_zone_name())
    size, limit = request.content_length, current_app.config["MAX_CONTENT_LENGTH"]
    if size is not None and limit is not None and size <= limit:  # werkzeug's part count
        form.file.errors = ["The form came with more fields than this page has: send it from here."]
    else:
        form.file.errors = [f"The file is larger than {LIMIT_TEXT}."]
    return _upload_page(form), 413


@bp.errorhandler(UnreadableForm)
def unreadable(error: UnreadableForm):
    if not current_user.is_authenticated:  # raised before the sign-in check: not our page
        return kept_form.sign_in_for_upload(403)
    form = ImportUploadForm(formdata=None, zone=site_zone_name())
    form.file.errors = [UPLOAD_CUT_OFF]
    return _upload_page(form), 400


@bp.get("/<token>")
def preview(token: str):
    plan = _plan(stored_file(token).read_bytes(), stored_zone(token))
    return render_template(
        "staff_import/preview.html", plan=plan, form=ImportConfirmForm(), token=token
    )


@bp.post("/<token>")
def confirm(token: str):
    path = stored_file(token)
    form = ImportConfirmForm()
    plan = _plan(path.read_bytes(), stored_zone(token))
    if not form.validate_on_submit():
        return render_template("staff_import/preview.html", plan=plan, form=form, token=token), 400
    try:
        summary = apply_import(
            plan, db.session, publish=form.publish.data, user=current_user._get_current_object()
        )
    except ImportFailed as exc:
        form.form_errors.append(f"{exc} Nothing was imported; check the preview and try again.")
        return render_template("staff_import/preview.html", plan=plan, form=form, token=token), 409
    warm_blocks(db.session, site())  # the feeds' blocks of what was imported, rendered now
    path.unlink(missing_ok=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]
    session[ZONES_KEY] = {t: z for t, z in session.get(ZONES_KEY, {}).items() if t != token}
    session[DONE_KEY] = [*session.get(DONE_KEY, [])[-4:], token]  # a second Confirm says so
    flash(f"Import done: {summary}.", "success")
    return redirect(url_for("staff.dashboard"))
