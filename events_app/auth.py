"""Staff login and logout, roles, login throttling."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock, kept_form
from .extensions import db, login_manager
from .forms import ChangePasswordForm, LoginForm
from .models import LoginAttempt, User

bp = Blueprint("auth", __name__, url_prefix="/staff")

FAILURE_WINDOW = timedelta(minutes=15)
# Failed password checks allowed within FAILURE_WINDOW, counted three ways, so that nobody can
# shut a colleague out: a guesser only ever blocks their own address, or (when many addresses
# guess at one account) the addresses the account has never signed in from.
MAX_FAILURES = 5  # for one email from one address: a mistyping person, or one guesser
MAX_FAILURES_PER_ADDRESS = 20  # from one address over all emails: password spraying
MAX_FAILURES_PER_ACCOUNT = 50  # for one email over all addresses: distributed guessing
ATTEMPTS_KEPT = timedelta(days=30)
THROTTLED_MESSAGE = (
    "Too many wrong passwords for this email from this address. "
    "Please wait 15 minutes before trying again."
)
ADDRESS_THROTTLED_MESSAGE = (
    "Too many wrong passwords from this address. Please wait 15 minutes before trying again."
)
ACCOUNT_THROTTLED_MESSAGE = (
    "Too many wrong passwords for this email from many addresses. Sign in from an address "
    "you have signed in from before, or try again later."
)
BAD_CREDENTIALS_MESSAGE = "That email and password do not match an active staff account."
# Checked against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to use the staff area."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version or not user.active:
        return None
    return user


@bp.before_app_request
def forget_cached_user() -> None:
    """Load the user afresh for every request, even when requests share an app context (tests)."""
    g.pop("_login_user", None)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def set_password(db_session: Session, user: User, password: str) -> None:
    """Give `user` a new password: every session of theirs ends (the caller starts a new one
    for whoever set it on themselves), and the wrong passwords counted against their email
    no longer hold them back. The caller commits."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    db_session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.success.is_(False)
        )
    )


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


# --- throttling ------------------------------------------------------------------------------


def counted_address(ip: str | None) -> str:
    """What the throttle counts as one address: an IPv4 address as it is; an IPv6 address's
    /64, which one client (a home, a phone, a server) owns whole and picks addresses from at
    will ("2001:db8:1:2::/64"); an IPv4-mapped IPv6 address as its IPv4 one."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return (ip or "unknown")[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address.packed, 64), strict=False))
    return str(address)


@dataclass(frozen=True)
class Refusal:
    """Why a password check said no; a throttle's refusal also says ``until`` when it lifts
    (the 429's Retry-After), should no further failure be counted meanwhile."""

    message: str
    until: datetime | None = None

    def retry_after(self, now: datetime) -> int:
        """Whole seconds from ``now`` until a throttle's refusal lifts (at least 1)."""
        until = self.until or now + FAILURE_WINDOW
        return max(1, math.ceil((until - now).total_seconds()))


def _refused_until(
    db_session: Session, since: datetime, limit: int, *conditions: Any
) -> datetime | None:
    """None while fewer than ``limit`` failures (these ``conditions``) are counted after
    ``since``; else when the count drops below it again: as the ``limit``-th newest of them
    leaves FAILURE_WINDOW."""
    at = db_session.scalar(
        select(LoginAttempt.at)
        .where(LoginAttempt.success.is_(False), LoginAttempt.at > since, *conditions)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        .offset(limit - 1)
        .limit(1)
    )
    return None if at is None else at + FAILURE_WINDOW


def throttled(db_session: Session, email: str, ip: str, now: datetime) -> Refusal | None:
    """Why a password check for `email` from `ip` is refused at `now`, or None if it may go on.

    Counts failures within FAILURE_WINDOW: for the email from this address (since the pair's
    last success), from this address, and for the email from everywhere; the last limit spares
    addresses the email signed in from within ATTEMPTS_KEPT. Counts never depend on whether the
    email has an account.
    """
    since = now - FAILURE_WINDOW
    pair = (LoginAttempt.email == email, LoginAttempt.ip == ip)
    # By id, not time: a failure in the same second as the success came after it.
    last_success = db_session.scalar(
        select(func.max(LoginAttempt.id)).where(*pair, LoginAttempt.success.is_(True))
    )
    after_success = LoginAttempt.id > (last_success or 0)
    if until := _refused_until(db_session, since, MAX_FAILURES, *pair, after_success):
        return Refusal(THROTTLED_MESSAGE, until)
    if until := _refused_until(db_session, since, MAX_FAILURES_PER_ADDRESS, pair[1]):
        return Refusal(ADDRESS_THROTTLED_MESSAGE, until)
    if until := _refused_until(db_session, since, MAX_FAILURES_PER_ACCOUNT, pair[0]):
        known = db_session.scalar(
            select(LoginAttempt.id)
            .where(*pair, LoginAttempt.success.is_(True), LoginAttempt.at > now - ATTEMPTS_KEPT)
            .limit(1)
        )
        if known is None:
            return Refusal(ACCOUNT_THROTTLED_MESSAGE, until)
    return None


def check_password(
    db_session: Session, email: str, password: str, ip: str, now: datetime
) -> tuple[User | None, Refusal | None]:
    """Check the password of the active account `email` from `ip` (counted_address),
    throttled, and record the attempt. Returns (user, None) or (None, refusal): a throttle's
    (``throttled``: with ``until``), or BAD_CREDENTIALS_MESSAGE whether or not the account
    exists."""
    email = normalize_email(email)[:254]
    ip = counted_address(ip)
    refusal = throttled(db_session, email, ip, now)
    if refusal:
        return None, refusal
    user = db_session.scalar(select(User).where(User.email == email))
    password_ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    ok = bool(user and user.active and password_ok)
    db_session.add(LoginAttempt(at=now, email=email, ip=ip, success=ok))
    return (user, None) if ok else (None, Refusal(BAD_CREDENTIALS_MESSAGE))


def authenticate(
    db_session: Session, email: str, password: str, ip: str, now: datetime
) -> tuple[User | None, Refusal | None]:
    """Check a login (check_password) and note it on the user. Returns as check_password."""
    user, error = check_password(db_session, email, password, ip, now)
    if user is None:
        return None, error
    user.last_login_at = now
    # Old attempts no longer matter for throttling; keep a month for looking into incidents.
    db_session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - ATTEMPTS_KEPT))
    return user, None


# --- redirects and roles ---------------------------------------------------------------------


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site ('/staff/...'), else None."""
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def require_staff() -> Any:
    """A before_request hook: anonymous visitors go to the login page (a form they sent is
    kept, to send again after signing in: kept_form.py). Flask's own answer to `OPTIONS`
    (the methods a URL takes, nothing more) is left alone, as Flask-Login's `login_required`
    does."""
    rule = request.url_rule
    if request.method == "OPTIONS" and rule is not None and rule.provide_automatic_options:
        return None
    if not current_user.is_authenticated:
        return kept_form.sign_in_needed() or login_manager.unauthorized()
    return None


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admins only: anonymous -> login page, editors -> 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return kept_form.sign_in_needed() or login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403, "This page is for admins only.")
        return view(*args, **kwargs)

    return wrapped


def start_session(user: User) -> None:
    """Log `user` in on a fresh session (after login, or after their password changed)."""
    flashes = session.get("_flashes")
    session.clear()
    # Flask-WTF's token of the old session: a page made in this request needs a new one.
    g.pop("csrf_token", None)
    if flashes:
        session["_flashes"] = flashes
    login_user(user)


# --- views -----------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    kept = kept_form.carried(request.form)  # a form sent while signed out, to send again
    status = 200
    if form.validate_on_submit():
        now = clock.now()
        user, refusal = authenticate(
            db.session, form.email.data, form.password.data, request.remote_addr, now
        )
        db.session.commit()
        if user is not None:
            start_session(user)
            if kept and next_url:
                return kept_form.page(kept, next_url, 200)
            return redirect(next_url or url_for("staff.dashboard"))
        form.password.errors.append(refusal.message)
        if refusal.until is not None:
            return throttled_answer(kept_form.sign_in_page(form, next_url, kept, 429), refusal, now)
    elif request.method == "POST":  # a field refused, as every refused form: said beside it
        status = 400
    elif current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("staff.dashboard"))
    return kept_form.sign_in_page(form, next_url, kept, status)


def throttled_answer(response: Any, refusal: Refusal, now: datetime) -> Response:
    """A throttle's 429, saying in Retry-After when a retry may be counted (RFC 6585)."""
    response = make_response(response)
    response.headers["Retry-After"] = str(refusal.retry_after(now))
    return response


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        # Checked and counted as a sign-in is: a stolen session may not guess it without limit.
        now = clock.now()
        user, refusal = check_password(
            db.session, current_user.email, form.current_password.data, request.remote_addr, now
        )
        db.session.commit()  # the attempt counts, whatever follows
        if user is not None:
            set_password(db.session, user, form.new_password.data)
            db.session.commit()
            start_session(user)
            flash("Password changed. Other sessions of this account are signed out.", "info")
            return redirect(url_for("staff.dashboard"))
        if refusal.until is not None:
            form.current_password.errors.append(refusal.message)
            page = render_template("auth/password.html", form=form), 429
            return throttled_answer(page, refusal, now)
        form.current_password.errors.append("That is not your current password.")
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
