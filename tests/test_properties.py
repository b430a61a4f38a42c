"""Property tests (Hypothesis): no route answers 500 to any path or query, and staff forms
never answer 500 and keep what the editor typed when they come back with errors."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from conftest import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.security import generate_password_hash

from events_app import create_app
from events_app.extensions import db
from events_app.models import User

# Modest example counts keep the suite quick; CI runs the same counts on every leg.
GET_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FORM_SETTINGS = settings(GET_SETTINGS, max_examples=20)
_APP = create_app(
    {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": "sqlite://"}}
)
RULES = sorted(_APP.url_map.iter_rules(), key=lambda r: r.rule)
GET_RULES = [r for r in RULES if "GET" in r.methods and r.endpoint != "static"]
PUBLIC_GET = [r for r in GET_RULES if not r.rule.startswith("/staff")]
STAFF_GET = [r for r in GET_RULES if r.rule.startswith("/staff")]
# Logging out or changing the signed-in user's own password ends the session the test runs in.
STAFF_POST = [
    r
    for r in RULES
    if "POST" in r.methods and r.endpoint not in ("auth.logout", "auth.change_password")
]

INTERESTING = [
    "",
    "0",
    "-1",
    "1",
    "13",
    "00",
    "2026",
    "99999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "²",
    "١٢",
    "２０２６",
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "2026-09-24T10:00",
    "upcoming",
    "past",
    "live",
    "webinar",
    "audio",
    "5g",
    "%00",
    "\x00",
    "\ud7ff",
    "\u202e",
    "🎉" * 30,
    "a" * 600,
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>",
    "javascript:alert(1)",
    "America/New_York",
    "Not/AZone",
    "\r\n",
]
QUERY_KEYS = [
    "q",
    "when",
    "kind",
    "category",
    "place",
    "from",
    "to",
    "page",
    "month",
    "year",
    "day",
    "status",
    "venue",
    "event",
    "user",
    "action",
    "format",
    "next",
    "utm_source",
    "ﬀ",
    "",
]

any_text = st.text(max_size=80)
numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
values = st.one_of(any_text, numbers, st.sampled_from(INTERESTING))
queries = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), any_text), values), max_size=6)


def path_strategy(rule, ids: dict[str, int]):
    """The rule's URL with every <argument> replaced by generated (or known valid) text."""
    parts = re.split(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)
    segments = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            segments.append(st.just(part))
            continue
        known = [str(v) for k, v in ids.items() if k == part]
        segments.append(st.one_of(st.sampled_from(known), values) if known else values)
    return st.tuples(*segments).map(
        lambda seg: "".join(s if i % 2 == 0 else quote(s, safe="") for i, s in enumerate(seg))
    )


@pytest.fixture
def world(app, create_event, create_venue, create_category):
    """Some data to hit, and an admin signed in on `client`; returns ids by URL argument name."""
    app.config["NOW"] = NOW
    venue = create_venue()
    category = create_category("5G")
    event = create_event(kind="live", venue=venue, categories=[category], slug="summit")
    create_event(
        title="Past webinar", start=NOW - timedelta(days=10), recording_url="https://x.test"
    )
    first = NOW.date() + timedelta(days=30)
    create_event(first_day=first, last_day=first + timedelta(days=2), kind="live", venue=venue)
    # Sessions are set directly (see signed_in), so a cheap hash keeps this fixture fast.
    cheap = generate_password_hash("unused password", method="pbkdf2:sha256:1000")
    other = User(email="other@example.com", display_name="Other", password_hash=cheap)
    admin = User(email="admin@example.com", display_name="Ada", password_hash=cheap, role="admin")
    db.session.add_all([other, admin])
    db.session.commit()
    ids = {
        "event_id": event.id,
        "venue_id": venue.id,
        "category_id": category.id,
        "user_id": other.id,
        "slug": event.slug,
        "year": NOW.year,
        "month": f"{NOW.month:02d}",
    }
    ids["category"] = category.slug  # /categories/<slug> takes a category slug
    return ids, admin.get_id()


def signed_in(client, session_id: str):
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


@pytest.mark.parametrize("rule", PUBLIC_GET + STAFF_GET, ids=lambda r: r.rule)
def test_get_routes_never_answer_500(client, world, rule):
    ids, session_id = world
    if rule.rule.startswith("/categories/"):
        ids = {**ids, "slug": ids["category"]}
    if rule.rule.startswith("/staff"):
        signed_in(client, session_id)

    @GET_SETTINGS
    @given(path=path_strategy(rule, ids), query=queries)
    def check(path: str, query: list[tuple[str, str]]) -> None:
        response = client.get(path, query_string=query)
        assert response.status_code < 500, (path, query, response.status_code)
        response.close()

    check()


class FormFields(HTMLParser):
    """Field names, kinds and shown values of the POST forms on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}  # name -> text|textarea|select|checkbox|hidden|...
        self.options: dict[str, list[str]] = {}
        self.shown: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind not in ("submit", "button", "image", "reset", "file"):
                self.fields[name] = kind
                self.shown.setdefault(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self.fields[name], self._textarea = "textarea", name
            self.shown[name] = ""
        elif tag == "select" and name:
            self.fields[name], self._select = "select", name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.shown[self._textarea] += data


def parse_form(html: str) -> FormFields:
    fields = FormFields()
    fields.feed(html)
    return fields


# Shown normalized on purpose (slugs and emails are lower-cased), so not compared verbatim.
NORMALIZED_FIELDS = {"slug", "email"}
TYPED = ("text", "email", "url", "search", "date", "time", "number", "tel", "textarea")
line_text = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=120)
block_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=300
)


def normalized(value: str) -> str:
    return " ".join(value.split())


@pytest.mark.parametrize("rule", STAFF_POST, ids=lambda r: r.rule)
def test_staff_forms_never_500_and_keep_input(client, world, rule):
    ids, session_id = world
    path = rule.rule
    for name, value in ids.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    signed_in(client, session_id)
    form = parse_form(client.get(path).get_data(as_text=True)) if "GET" in rule.methods else None
    fields = dict(form.fields) if form else {"status": "text", "next": "text", "text": "text"}
    fields.pop("csrf_token", None)

    def field_value(name: str, kind: str):
        if kind == "select":
            return st.one_of(st.sampled_from(form.options[name] or [""]), values)
        if kind == "checkbox":
            return st.sampled_from(["y", None])
        if kind == "textarea":
            return st.one_of(block_text, st.sampled_from(INTERESTING))
        if kind in TYPED:
            return st.one_of(
                line_text, st.sampled_from(INTERESTING).filter(lambda v: "\n" not in v)
            )
        return st.one_of(st.just(form.shown.get(name, "") if form else ""), values)

    strategy = st.fixed_dictionaries({n: field_value(n, k) for n, k in fields.items()})

    @FORM_SETTINGS
    @given(data=strategy)
    def check(data: dict[str, str | None]) -> None:
        sent = {k: v for k, v in data.items() if v is not None}
        response = client.post(path, data=sent)
        assert response.status_code < 500, (path, sent, response.status_code)
        if response.status_code in (200, 400, 409, 422) and response.mimetype == "text/html":
            page = parse_form(response.get_data(as_text=True))
            for name, kind in fields.items():
                kept = kind in TYPED and name not in NORMALIZED_FIELDS and name in page.fields
                if kept and normalized(sent.get(name) or ""):
                    assert normalized(sent[name]) in normalized(page.shown.get(name, "")), (
                        f"{path}: {name}={sent[name]!r} was lost; the form shows "
                        f"{page.shown.get(name)!r}"
                    )

    check()
