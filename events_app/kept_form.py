"""A staff form that cannot be taken now is kept on the page, to be sent again.

Three moments lose a form otherwise: the database does not answer (outage.py), what it edits
was deleted meanwhile (`gone`: the page offers to save it as a new one), and the sender is
no longer signed in when it arrives (signed out in another tab, their password changed, the
server's keys changed), which also makes its CSRF token fail. For the second the page keeps
what was typed, asks for the sign-in first and then offers "Send again", with a fresh token;
the form's own checks (and the event form's version field) then run as for any save.

Only a form from one of our own pages is kept (its `Origin`, or else its `Referer`, is this
host): a form posted from another site gets the plain refusal, so a forged request can never
come back with a working token. CSRF tokens last as long as the sign-in session
(`WTF_CSRF_TIME_LIMIT` None, as Django and Rails do), so a form left open for an afternoon
is still accepted while its sender stays signed in.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, flash, make_response, redirect, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from .forms import LoginForm

# Never written back into a page: the CSRF token (a fresh one is given) and passwords.
SECRET_FIELDS = frozenset({"csrf_token", "confirm"})
SECRET_WORDS = ("passw", "token", "secret")
# Sent again, but not worth showing: hidden bookkeeping and the buttons.
BOOKKEEPING_FIELDS = frozenset(
    {"original", "version", "form_key", "save", "preview", "next", "submit"}
)
# How kept fields ride along the sign-in form, apart from its own email and password.
CARRIED_PREFIX = "kept-"
EXPIRED_SIGN_IN = "This page was left open from an earlier visit: enter your password again."
UPLOAD_NOT_READ = "You are signed out, so the file was not read: sign in and choose it again."
UPLOAD_EXPIRED = "Your page had expired, so the file was not read: sign in and choose it again."


def is_secret(name: str) -> bool:
    """Never written into a page: tokens and passwords, however a form spells them."""
    lowered = name.lower()
    return lowered in SECRET_FIELDS or any(word in lowered for word in SECRET_WORDS)


def fields(form: MultiDict) -> list[tuple[str, str]]:
    """Every (name, value) sent, in order, but the secrets."""
    return [
        (name, value) for name, values in form.lists() if not is_secret(name) for value in values
    ]


def shown(kept: list[tuple[str, str]]) -> dict[str, list[str]]:
    """What the person typed or chose, by field: bookkeeping and empty values left out."""
    typed: dict[str, list[str]] = {}
    for name, value in kept:
        if value and name not in BOOKKEEPING_FIELDS:
            typed.setdefault(name, []).append(value)
    return typed


def carried(form: MultiDict) -> list[tuple[str, str]]:
    """The kept fields that came along with a sign-in form, under their own names."""
    return [
        (name.removeprefix(CARRIED_PREFIX), value)
        for name, value in form.items(multi=True)
        if name.startswith(CARRIED_PREFIX) and not is_secret(name.removeprefix(CARRIED_PREFIX))
    ]


def from_this_site() -> bool:
    """The request comes from one of our pages: its Origin (or Referer) is this origin, scheme
    included (an http page is not one of an https site's), and a browser that says where a
    request comes from (Sec-Fetch-Site) says it is this origin."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(source)
    return parts.scheme == request.scheme and parts.netloc == request.host


def worth_keeping() -> list[tuple[str, str]] | None:
    """The fields of this request when it is a form from our own pages with something typed
    in it (a bare button, such as Delete, has nothing to lose), sent to an address it can be
    sent to again after signing in; None otherwise."""
    if request.method != "POST" or request.files or not from_this_site():
        return None
    from .auth import safe_next  # auth keeps forms with this module: imported late

    if safe_next(request_target()) is None:
        return None
    if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        return None  # a script's request (the previews): it says what went wrong itself
    kept = fields(request.form)
    return kept if shown(kept) else None


def page(kept: list[tuple[str, str]], send_to: str, status: int) -> tuple[str, int]:
    """The page that keeps a form for someone signed in: "Send again", with a fresh token."""
    return render_template("kept_form.html", kept=kept, shown=shown(kept), send_to=send_to), status


def sign_in_page(
    form: LoginForm, send_to: str | None, kept: list[tuple[str, str]], status: int = 200
) -> tuple[str, int]:
    """The sign-in page; with a kept form, it carries the form along (to `send_to` after)."""
    body = render_template(
        "auth/login.html",
        form=form,
        next_url=send_to,
        kept=kept,
        shown=shown(kept),
        prefix=CARRIED_PREFIX,
        throttled=status == 429,
    )
    return body, status


def request_target() -> str:
    return request.full_path if request.query_string else request.path


def keep(kept: list[tuple[str, str]], status: int) -> tuple[str, int]:
    if current_user.is_authenticated:
        return page(kept, request_target(), status)
    return sign_in_page(LoginForm(formdata=None), request_target(), kept, status)


def sign_in_needed() -> tuple[str, int] | None:
    """For a form that arrives from someone no longer signed in: the page that keeps it, or
    None when there is nothing to keep (the caller sends them to the sign-in page)."""
    kept = worth_keeping()
    return None if kept is None else keep(kept, 403)


def refused_token(error: CSRFError):
    """A CSRF failure: a form from our own pages is kept; anything else is refused plainly."""
    if request.endpoint == "auth.login" and request.method == "POST" and from_this_site():
        from .auth import safe_next

        form = LoginForm()  # the email typed is kept
        form.password.errors = [EXPIRED_SIGN_IN]
        return sign_in_page(form, safe_next(request.args.get("next")), carried(request.form), 400)
    if request.files and from_this_site() and request.method == "POST":
        return refused_upload(error)
    kept = worth_keeping()
    if kept is None:
        return render_template("errors.html", error=error), error.code
    return keep(kept, 400)


def refused_upload(error: CSRFError):
    """A file sent from one of our pages with a token that failed (signed out meanwhile): a
    file cannot be kept in a page, so its page (after the sign-in) asks for it again."""
    from .auth import safe_next

    send_to = safe_next(request.path)
    if send_to is None:
        return render_template("errors.html", error=error), error.code
    if current_user.is_authenticated:
        flash(UPLOAD_EXPIRED, "error")
        return redirect(send_to, 303)
    return sign_in_for_upload(400, send_to)


def sign_in_for_upload(status: int, send_to: str | None = None) -> tuple[str, int]:
    """The sign-in page for a file sent by someone not signed in, back to its page after."""
    from .auth import safe_next

    flash(UPLOAD_NOT_READ, "error")
    send_to = send_to or safe_next(request.path)
    return sign_in_page(LoginForm(formdata=None), send_to, [], status)


def gone(what: str, save_as_new: str | None = None) -> None:
    """For a form editing a `what` that was deleted meanwhile (by a colleague, or a date a
    change to its series took out): a 404 that keeps what was typed, with a button to save it
    as a new one at `save_as_new`. Returns when nothing was typed (the caller's plain 404)."""
    kept = fields(request.form) if request.method == "POST" else []
    if not shown(kept):
        return
    if any(name == "repeat-scope" for name, _ in kept):  # one date of a series: a single event
        kept = [(n, v) for n, v in kept if not n.startswith("repeat-")]
    # A new one: no version to check against, and a key of its own (sent twice, it makes one).
    kept = [(n, v) for n, v in kept if n not in ("version", "original", "form_key")]
    kept.append(("form_key", secrets.token_urlsafe(24)))
    page = render_template(
        "kept_form.html", kept=kept, shown=shown(kept), send_to=save_as_new, gone=what
    )
    abort(make_response(page, 404))


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.register_error_handler(CSRFError, refused_token)
