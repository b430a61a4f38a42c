"""Security headers on every response, and request limits answered with clear 4xx errors."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadHost, BadRequest, UnsupportedMediaType
from werkzeug.routing import IntegerConverter, ValidationError
from werkzeug.wsgi import get_host

NUL = "\x00"
NUL_REFUSED = (
    "This has an invisible NUL character (shown as \ufffd), which cannot be saved: delete it."
)
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The embeddable widgets' frames (embed/views.py): any site may show them, nothing else changes.
FRAMEABLE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def allow_framing(response: Response) -> Response:
    """Let other sites frame this response (the widgets' iframes); every other page stays
    DENY. Everything else in the policy (no inline script, ...) stays as strict."""
    response.headers["Content-Security-Policy"] = FRAMEABLE_CONTENT_SECURITY_POLICY
    return response


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` bounded to a database INTEGER: a huge id is a 404, never an overflow. Only
    the number's one spelling matches (ASCII digits, no leading zero beyond `fixed_digits`),
    so "/calendar/02026/01" or Arabic-Indic digits are a 404, not a copy of a page under
    another address (and another cache entry)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if value != self.to_url(number):
            raise ValidationError()
        return number


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FORM_CUT_OFF = (
    "The form arrived cut off or garbled (the connection may have dropped while it was sent),"
    " so nothing of it could be read and nothing was saved. Go back: your browser still has"
    " what you typed; send it again."
)


class UnreadableForm(BadRequest):
    """A form body that could not be read at all: cut off (a connection dropped while it was
    sent) or garbled. A page that takes a file answers it beside its file field."""


def check_request_limits() -> None:
    """Refuse over-long query strings, bodies that are not forms or cannot be read, and NUL
    characters in forms before any view (or the CSRF check, which would only miss its token)
    sees them."""
    if len(request.query_string) > current_app.config["MAX_QUERY_STRING_LENGTH"]:
        abort(414, "The query string is too long.")
    if request.method == "POST" and request.content_length and request.url_rule is not None:
        if request.mimetype not in FORM_TYPES:
            raise UnsupportedMediaType(
                f"This address takes a form ({' or '.join(FORM_TYPES)}),"
                f" not {request.mimetype or 'a body without a Content-Type'}."
            )
        if form_cut_off():
            raise UnreadableForm(FORM_CUT_OFF)
    # PostgreSQL cannot store NUL: a form page's own form says so beside the field
    # (forms.PageForm); anything else sent with one is refused here.
    if request.method == "POST" and has_nul(request.form) and not is_form_page():
        abort(400, "Form fields may not contain NUL characters.")


def form_cut_off() -> bool:
    """A multipart body longer than a form of no fields (its closing boundary alone) of which
    no field could be read: werkzeug reads nothing of one that ends before that boundary."""
    if request.mimetype != "multipart/form-data" or request.form or request.files:
        return False
    return request.content_length > len(request.mimetype_params.get("boundary", "")) + 8


def has_nul(form) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in form.lists())


def is_form_page() -> bool:
    """The address posted to shows its form too (GET): its view answers with the form."""
    return "GET" in request_ctx.url_adapter.allowed_methods()


def options_response() -> Response:
    """Flask's automatic answer to `OPTIONS` (a CORS preflight), as `204 No Content` with its
    `Allow` header: no body, so no content type."""
    response = Response(status=204)
    response.allow.update(sorted(request_ctx.url_adapter.allowed_methods()))
    del response.headers["Content-Type"]
    return response


def add_security_headers(response: Response) -> Response:
    frameable = response.headers.get("Content-Security-Policy") == FRAMEABLE_CONTENT_SECURITY_POLICY
    for name, value in SECURITY_HEADERS.items():
        if not (frameable and name == "X-Frame-Options"):
            response.headers.setdefault(name, value)
    # Staff pages show private data: no shared or browser cache may keep them, whatever else
    # said (an error page's rule, addresses.absent_cache_control, is for public pages).
    if request.path.startswith("/staff"):
        response.headers["Cache-Control"] = "no-store"
    return response


class RefuseBadHost:
    """WSGI middleware: a Host header werkzeug cannot route by (a label over 63 characters, or
    one IDNA cannot encode) gets a plain 400. Inside Flask such a request has no URL adapter,
    so every error page's ``url_for`` failed on it: a 500."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        # What werkzeug's Map.bind does with the host, alone.
        try:
            get_host(environ).lower().partition(":")[0].encode("idna")
        except UnicodeError:
            refusal = BadHost("The Host header is not a valid host name.")
            return refusal.get_response(environ)(environ, start_response)
        return self.wsgi_app(environ, start_response)


class PublicResponseSessionInterface(SecureCookieSessionInterface):
    """Leave the session out of responses marked `Cache-Control: public` (the feeds) and of
    answers to `OPTIONS`; keep its cookie to the app's path, and to HTTPS once it is used.

    Flask-Login reads the session on every response, which would add `Vary: Cookie` (and may
    refresh the cookie), so a shared cache or CDN could never serve one copy to everyone.
    """

    def get_cookie_path(self, app: Flask) -> str:
        """SESSION_COOKIE_PATH when set, else the path the app is served under (SCRIPT_NAME):
        under https://example.com/events/ the staff cookie is not sent to the host's other
        applications (it went to all of them, as Path=/)."""
        return app.config["SESSION_COOKIE_PATH"] or request.script_root or "/"

    def get_cookie_secure(self, app: Flask) -> bool:
        """SESSION_COOKIE_SECURE, or this request came over HTTPS (as the proxies the app
        trusts say): a cookie set over HTTPS is never sent over plain HTTP."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app: Flask, session, response: Response) -> None:
        if (response.cache_control.public or request.method == "OPTIONS") and not session.modified:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Call before blueprints are registered, so that their rules use the bounded converter."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.session_interface = PublicResponseSessionInterface()
    app.make_default_options_response = options_response
    app.config.setdefault("MAX_QUERY_STRING_LENGTH", 2048)
    app.before_request_funcs.setdefault(None, []).insert(0, check_request_limits)  # before CSRF
    app.after_request(add_security_headers)
    app.wsgi_app = RefuseBadHost(app.wsgi_app)  # innermost: it sees the host ProxyFix gives
