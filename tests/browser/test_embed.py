"""The widgets on another site, in Chromium: a static host page (tests/browser/host/) served
from a second local origin with a strict CSP of its own embeds every widget, as custom elements
and as iframes. Checked: rendered content, no console errors, no request to any origin but the
host's and ours, no style change to the host's elements, axe clean, both widths, screenshots;
every XSS payload of the hardening tests stays text; the staff Embed page and the API docs."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from events_app import create_app
from events_app.extensions import alembic, db
from events_app.models import Event, User
from tests.browser.conftest import Watched
from tests.browser.helpers import (
    WIDTHS,
    axe_violations,
    overflowing,
    page_width,
    screenshot,
    screenshot_dir,
    scrolls_inside,
)
from tests.browser.test_staff import sign_in
from tests.servers import Server, free_port, gunicorn, server_env
from tests.test_xss import TEXT_PAYLOADS
from tests.tools import chromium_path

pytestmark = pytest.mark.browser

HOST_FILES = Path(__file__).resolve().parent / "host"
PAYLOAD_START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=400)
PAYLOAD_MONTH = PAYLOAD_START.strftime("%Y-%m")
EDITOR = "embed-editor@example.com"
PASSWORD = "embed tests password"
# Host elements whose computed style the widgets must leave alone.
HOST_ELEMENTS = ("body", "h1", "h2", ".byline", "article p", "article a", "ul.points li", ".brand")
STYLE_PROPERTIES = ("color", "font-family", "font-size", "line-height", "text-transform", "margin")


@pytest.fixture(scope="module")
def events_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Our site: the demo data plus, 400 days ahead (out of the demo widgets' way), a live
    event, an audio show and a webinar per payload, all findable with q=zzpayload."""
    chromium_path()
    root = tmp_path_factory.mktemp("embed")
    url = f"sqlite:///{root / 'events.sqlite'}"
    app = create_app({"SECRET_KEY": "setup", "SQLALCHEMY_ENGINES": {"default": url}})
    app.instance_path = str(root)
    with app.app_context():
        alembic.upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert "Loaded" in result.output, result.output
        for n, text in enumerate(TEXT_PAYLOADS):
            for kind, hours in (("live", 0), ("audio", 2), ("webinar", 4)):
                event = Event(
                    title=f"zzpayload {text} {kind}",
                    slug=f"payload-{n}-{kind}",
                    kind=kind,
                    status="published",
                    summary=text,
                    recording_url="javascript:alert(1)",
                )
                start = PAYLOAD_START + timedelta(days=n % 20, hours=hours)
                event.set_timed(start, start + timedelta(hours=1), "America/New_York")
                db.session.add(event)
        db.session.add(
            User(
                email=EDITOR,
                display_name="Embed Editor",
                role="editor",
                password_hash=generate_password_hash(PASSWORD),
            )
        )
        db.session.commit()
        db.engine.dispose()
    env = server_env(
        DATABASE_URL=url,
        SECRET_KEY="embed-tests-secret-of-32-characters-or-more",
        EVENTS_INSTANCE_PATH=str(root),
        EVENTS_PRODUCTION="true",
    )
    with gunicorn(env, root / "gunicorn.log", workers=2) as server:
        yield server


@pytest.fixture(scope="module")
def host(events_server: Server) -> Iterator[str]:
    """The host site: our static test pages on another origin (another port), each with a
    strict CSP that lets in scripts, data and frames from our origin only."""
    ours = events_server.url
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {ours}",
            f"connect-src {ours}",
            f"frame-src {ours}",
            "style-src 'self'",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path.startswith("/shared/"):  # our site under a path of the host's origin
                self.proxy(ours + self.path.removeprefix("/shared"))
                return
            name = urlsplit(self.path).path.lstrip("/")
            if name == "favicon.ico":
                self.send_response(204)
                self.end_headers()
                return
            path = HOST_FILES / name
            if not name or "/" in name or not path.is_file():
                self.send_error(404)
                return
            body = path.read_text().replace("{{EVENTS_ORIGIN}}", ours)
            body = body.replace("{{PAYLOAD_MONTH}}", PAYLOAD_MONTH).encode()
            kind = "text/css" if name.endswith(".css") else "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            own = policy.replace(ours, "'self'") if name == "shared.html" else policy
            self.send_header("Content-Security-Policy", own)
            self.end_headers()
            self.wfile.write(body)

        def proxy(self, url: str) -> None:
            try:
                with urlopen(url, timeout=10) as answer:
                    status, kind, body = (
                        answer.status,
                        answer.headers["Content-Type"],
                        answer.read(),
                    )
            except HTTPError as error:
                status, kind, body = error.code, error.headers["Content-Type"], error.read()
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class HostPage:
    """A host page in a fresh context: console errors, dialogs and every request's origin."""

    def __init__(self, browser, url: str, *, zone: str = "UTC", block_embed: bool = False):
        self.context = browser.new_context(viewport=WIDTHS[0], timezone_id=zone)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.origins: set[str] = set()
        self.requested: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.origins.add(_origin(r.url)))
        self.page.on("request", lambda r: self.requested.append(r.url))
        if block_embed:
            self.page.route("**/embed.js", lambda route: route.abort())
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def wait_for_widgets(self) -> None:
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('events-widget')].every(w =>
                 w.shadowRoot && w.shadowRoot.querySelector('.ew-by'))"""
        )

    def close(self) -> None:
        self.context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_styles(page) -> dict:
    return page.evaluate(
        """([selectors, properties]) => Object.fromEntries(selectors.map(s => {
             const el = document.querySelector(s);
             const style = getComputedStyle(el);
             return [s, Object.fromEntries(properties.map(p => [p, style.getPropertyValue(p)]))];
           }))""",
        [list(HOST_ELEMENTS), list(STYLE_PROPERTIES)],
    )


def shadow_text(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('events-widget')].map(w => w.shadowRoot.textContent)"
    )


def test_every_widget_on_a_strict_host_page(browser, events_server, host):
    host_page = HostPage(browser, f"{host}/article.html")
    page = host_page.page
    host_page.wait_for_widgets()
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].every(f => f.getBoundingClientRect().height"
        " !== 700 && f.getBoundingClientRect().height !== 420 && f.getBoundingClientRect().height"
        " !== 560)"
    )
    texts = shadow_text(page)
    assert "Previous month" in texts[0] and "Next month" in texts[0]
    assert "Upcoming live events" in texts[1] and "Upcoming webinars" in texts[1]
    assert "Webinar archive" in texts[1] and "Live Digital Audio" in texts[1]
    assert "Upcoming webinars" in texts[2] and "Upcoming live events" not in texts[2]
    # The archive's links say what each recording is for: listening (live audio) or watching.
    recording_words = page.evaluate(
        "() => [...document.querySelectorAll('events-widget')].flatMap(w =>"
        " [...w.shadowRoot.querySelectorAll('.ew-recording')].map(a => a.firstChild.data))"
    )
    assert recording_words, "the demo's archive has recordings"
    assert set(recording_words) <= {"Watch the recording", "Listen to the recording"}
    items = page.evaluate(
        "() => [...document.querySelectorAll('events-widget')]"
        ".map(w => w.shadowRoot.querySelectorAll('.ew-item').length)"
    )
    assert all(n > 0 for n in items[1:]), items
    frames = [f for f in page.frames if f.url.startswith(events_server.url + "/embed/")]
    assert len(frames) == 3
    for frame in frames:
        if "/embed/month" in frame.url and not frame.locator(".ew-item").count():
            # The month lists from today: on its last day, maybe nothing more.
            assert frame.locator(".ew-empty").inner_text() == "Nothing more this month."
            assert frame.locator(".ew-grid a").count() > 0, frame.url
            continue
        assert frame.locator(".ew-item").count() > 0, frame.url
    # No request left for any origin but the host's and ours.
    assert host_page.origins <= {host, events_server.url}, host_page.origins
    assert not host_page.errors, host_page.errors
    # The host's own elements look exactly as they do without the widgets.
    bare = HostPage(browser, f"{host}/article.html", block_embed=True)
    assert host_styles(page) == host_styles(bare.page)
    bare.close()
    # Widgets inherit the host's font and text colour unless given a theme.
    inherited = page.evaluate(
        """() => { const w = document.querySelector('.sidebar events-widget');
             const box = w.shadowRoot.querySelector('.ew');
             return [getComputedStyle(box).fontFamily, getComputedStyle(box).color]; }"""
    )
    assert inherited == [
        page.evaluate("getComputedStyle(document.body).fontFamily"),
        page.evaluate("getComputedStyle(document.body).color"),
    ]
    # ... and nothing else the host sets around them (host.css: .sidebar).
    kept_out = page.evaluate(
        """() => [...document.querySelectorAll('.sidebar events-widget')].map(w => {
             const s = getComputedStyle(w.shadowRoot.querySelector('.ew-item a'));
             return [s.textTransform, s.letterSpacing, s.wordSpacing, s.whiteSpace,
                     s.textIndent, s.fontVariantCaps]; })"""
    )
    assert kept_out == [["none", "normal", "0px", "normal", "0px", "normal"]] * 2, kept_out
    # What the host does to the widget's own box still holds: hidden, it is hidden.
    hidden = page.evaluate(
        """() => { const w = document.querySelector('.sidebar events-widget');
             w.style.visibility = 'hidden';
             const seen = getComputedStyle(w.shadowRoot.querySelector('.ew-item a')).visibility;
             w.style.visibility = ''; return seen; }"""
    )
    assert hidden == "hidden"
    # The README's picture: the top of the article page, sidebar widgets beside the text.
    page.screenshot(path=str(screenshot_dir() / "embed-article-page-top-1280.png"))
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)
        screenshot(page, "embed host article")
        problems = axe_violations(page)
        assert not problems, (viewport, problems)
        assert page_width(page) <= viewport["width"], (viewport, overflowing(page))
    host_page.close()


def test_a_widget_of_our_site_under_a_path_loads_from_that_path(browser, host):
    """embed.js served from /shared/embed.js fetches its styles and data under /shared/, not
    from the root of the host's origin."""
    host_page = HostPage(browser, f"{host}/shared.html")
    host_page.wait_for_widgets()
    widget = host_page.page.locator("events-widget")
    shown = widget.evaluate(
        """w => [w.shadowRoot.querySelectorAll('.ew-item').length,
                 w.shadowRoot.adoptedStyleSheets.reduce((n, s) => n + s.cssRules.length, 0),
                 getComputedStyle(w.shadowRoot.querySelector('.ew')).backgroundColor]"""
    )
    assert shown[0] > 0 and shown[1] > 10 and shown[2] == "rgb(255, 255, 255)", shown
    fetched = [u for u in host_page.requested if u != f"{host}/shared.html"]
    assert fetched and all(u.startswith(f"{host}/shared/") for u in fetched), fetched
    assert not host_page.errors, host_page.errors
    host_page.close()


def test_a_hosts_mistakes_are_said_in_its_console(browser, host):
    """An attribute the widget cannot use is named in the host's console with what to write
    instead; a refused one (count="50") gives the server's reason, not a bare 400."""
    context = browser.new_context(viewport=WIDTHS[0])
    page = context.new_page()
    said: list[tuple[str, str]] = []
    page.on("console", lambda m: said.append((m.type, m.text)))
    page.goto(f"{host}/mistakes.html")
    page.wait_for_function(
        """() => [...document.querySelectorAll('events-widget')].every(w =>
             w.shadowRoot && w.shadowRoot.querySelector('.ew-by, .ew-status a'))"""
    )
    warnings = [text for kind, text in said if kind == "warning"]
    errors = [text for kind, text in said if kind == "error"]
    for expected in (
        'widget="calendar": use sidebar, list, month (showing the list)',
        'theme="neon": use light, dark, auto',
        'heading-level="9": use 2 to 6',
        'month="2026-09": only the month widget shows a month',
        'accent="red": use six hex digits',
        'accent="ffd479": links are hard to read on the light theme\'s background (1.4:1',
        'category="no-such-topic": there is no such category',
        'place="Nowhereville": no venue is in a city or country of that name',
    ):
        assert any(expected in w for w in warnings), (expected, warnings)
    assert "<events-widget> count: The count must be a whole number from 1 to 20." in errors
    shown = page.evaluate(
        "() => [...document.querySelectorAll('events-widget')].map(w => w.shadowRoot.textContent)"
    )
    assert "Events could not be loaded" in shown[2]  # the refused one says so on the page
    assert all("Events could not be loaded" not in text for text in shown[:2] + shown[3:]), shown
    # A link colour set later is checked as one set at first; a widget whose next load is
    # refused, drawn again in another theme, still says so (not the events it had before).
    before = len(said)
    page.evaluate(
        "() => document.querySelectorAll('events-widget')[3].setAttribute('accent', 'fff3a0')"
    )
    page.wait_for_timeout(300)
    later = [text for kind, text in said[before:] if kind == "warning"]
    assert any('accent="fff3a0": links are hard to read' in w for w in later), later
    fourth = "() => document.querySelectorAll('events-widget')[3].shadowRoot.textContent"
    assert "Nothing is scheduled" in page.evaluate(fourth)
    page.evaluate("() => document.querySelectorAll('events-widget')[3].setAttribute('count', '50')")
    page.wait_for_function(f"() => ({fourth})().includes('Events could not be loaded')")
    page.evaluate(
        "() => document.querySelectorAll('events-widget')[3].setAttribute('theme', 'dark')"
    )
    page.wait_for_timeout(500)
    again = page.evaluate(fourth)
    assert "Events could not be loaded" in again and "Nothing is scheduled" not in again, again
    context.close()


def test_widgets_show_the_visitors_time_and_work_by_keyboard(browser, host):
    host_page = HostPage(browser, f"{host}/article.html", zone="Asia/Tokyo")
    page = host_page.page
    host_page.wait_for_widgets()
    local = page.evaluate(
        "() => [...document.querySelectorAll('events-widget')]"
        ".flatMap(w => [...w.shadowRoot.querySelectorAll('.ew-local')].map(e => e.textContent))"
    )
    assert local, local
    assert all(t.startswith(" (your time:") and t.count("GMT+9") == 1 for t in local), local
    month = page.locator("events-widget[widget=month]")
    label = month.locator(".ew-heading a").inner_text()
    month.locator("button[data-nav=next]").click()
    page.wait_for_function(
        "label => document.querySelector('events-widget[widget=month]')"
        ".shadowRoot.querySelector('.ew-heading a').textContent !== label",
        arg=label,
    )
    focused = page.evaluate(
        "() => document.querySelector('events-widget[widget=month]').shadowRoot.activeElement"
        "?.dataset.nav"
    )
    assert focused == "next", "focus stays on the button after the month changes"
    # Tab from the top reaches links inside the widgets, and focus is visible there.
    page.focus("article a")
    for _ in range(3):
        page.keyboard.press("Tab")
    inside = page.evaluate(
        "() => document.activeElement.tagName === 'EVENTS-WIDGET'"
        " && getComputedStyle(document.activeElement.shadowRoot.activeElement).outlineStyle"
    )
    assert inside and inside != "none", inside
    assert not host_page.errors, host_page.errors
    host_page.close()


def test_payloads_stay_text_in_every_widget(browser, events_server, host):
    host_page = HostPage(browser, f"{host}/payloads.html")
    page = host_page.page
    host_page.wait_for_widgets()
    page.wait_for_timeout(500)  # the frames' own scripts
    texts = shadow_text(page)
    for text in TEXT_PAYLOADS:
        # The sidebar's live section lists them all; the list and the month their first 20.
        assert f"zzpayload {text} live" in texts[0], text
    assert all(t.count("zzpayload") >= 20 for t in texts), [t.count("zzpayload") for t in texts]
    elements = page.evaluate(
        """() => [...document.querySelectorAll('events-widget')].flatMap(w =>
             [...w.shadowRoot.querySelectorAll('*')].map(e => e.tagName.toLowerCase()))"""
    )
    allowed = {"div", "section", "h2", "h3", "ul", "li", "a", "span", "time", "p"}
    allowed |= {"table", "caption", "thead", "tbody", "tr", "th", "td", "button"}
    allowed |= {"bdi"}  # ours: a search, place or category name set apart in our words
    assert set(elements) <= allowed, set(elements) - allowed
    hrefs = page.evaluate(
        """() => [...document.querySelectorAll('events-widget')].flatMap(w =>
             [...w.shadowRoot.querySelectorAll('[href]')].map(e => e.getAttribute('href')))"""
    )
    assert hrefs and all(h.startswith(events_server.url + "/") for h in hrefs), hrefs
    frames = [f for f in page.frames if f.url.startswith(events_server.url + "/embed/")]
    assert len(frames) == 3
    for frame in frames:
        body = frame.locator("body").inner_text()
        assert "zzpayload <script>alert(1)</script>" in body, frame.url
        tags = set(frame.evaluate("[...document.body.querySelectorAll('*')].map(e => e.localName)"))
        assert not tags & {"img", "svg", "iframe", "object", "math", "base", "meta"}, tags
        scripts = frame.evaluate("[...document.scripts].map(s => s.src)")
        assert all(s.startswith(events_server.url + "/static/") for s in scripts), scripts
    assert not host_page.dialogs, host_page.dialogs
    assert not host_page.errors, host_page.errors
    host_page.close()


def test_frames_read_alone_at_both_widths(browser, events_server):
    paths = ("/embed/sidebar", "/embed/list?theme=dark", "/embed/month?theme=light")
    for path in (*paths, "/embed/list?count=abc"):  # the last: a frame with a wrong setting
        context = browser.new_context(viewport=WIDTHS[1])
        watched = Watched(context.new_page(), events_server.url)
        if path in paths:
            watched.goto(path)
        else:
            assert watched.page.goto(events_server.url + path).status == 400
            watched.errors.clear()  # the browser logs the 400 status itself
        watched.page.wait_for_load_state("load")
        screenshot(watched.page, f"embed frame {path}")
        # Moderate too: a frame is read alone, so its content sits in a main landmark.
        assert not axe_violations(watched.page, ("moderate", "serious", "critical")), path
        assert page_width(watched.page) <= WIDTHS[1]["width"], overflowing(watched.page)
        assert not watched.errors, watched.errors
        context.close()


def test_an_auto_frame_with_a_chosen_link_colour_reads_in_a_dark_system(browser, events_server):
    """The colour is checked against auto's light background; dark, the links take ours."""
    context = browser.new_context(viewport=WIDTHS[0], color_scheme="dark")
    watched = Watched(context.new_page(), events_server.url)
    watched.goto("/embed/sidebar?theme=auto&accent=0b5cad")
    watched.page.wait_for_load_state("load")
    assert not axe_violations(watched.page, ("moderate", "serious", "critical"))
    context.close()


def staff_embed_page(browser, events_server) -> Watched:
    """The editor, signed in through the form, on Staff → Embed (desktop width)."""
    watched = Watched(browser.new_context(viewport=WIDTHS[0]).new_page(), events_server.url)
    sign_in(watched, EDITOR, PASSWORD)
    watched.goto("/staff/embed/")
    return watched


def test_staff_embed_page_builds_the_snippet_live(browser, events_server):
    watched = staff_embed_page(browser, events_server)
    page, context = watched.page, watched.page.context
    page.wait_for_function(
        "() => document.querySelector('#embed-preview events-widget')?.shadowRoot"
        "?.querySelector('.ew-by')"
    )
    page.select_option("#e-widget", "list")
    page.select_option("#e-kind", "webinar")
    snippet = page.input_value("#embed-snippet")
    assert '<events-widget widget="list" kind="webinar"></events-widget>' in snippet
    assert page.locator("#embed-preview events-widget[kind=webinar]").count() == 1
    page.check("input[name=mode][value=iframe]")
    page.wait_for_function(
        "() => !document.querySelector('#embed-snippet').value.includes('height=\"125')"
        " && document.querySelector('#embed-preview iframe')"
    )
    frame_snippet = page.input_value("#embed-snippet")
    assert frame_snippet.startswith(f'<iframe src="{events_server.url}/embed/list?kind=webinar"')
    assert 'style="max-width: 100%; border: 0"' in frame_snippet  # as the page's own, no JS
    assert page.locator("button[data-copy-target=embed-snippet]").is_visible()
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        screenshot(page, "staff embed")
        assert not axe_violations(page), viewport
        assert page_width(page) <= viewport["width"], overflowing(page)
    assert not watched.errors, watched.errors
    # A shared link with refused settings: each is said, beside its box or above the form.
    watched.goto("/staff/embed/?widget=list&kind=bad&category=gone&place=Denver&count=999&foo=1")
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        screenshot(page, "staff embed refused settings")
        assert not axe_violations(page), viewport
        assert page_width(page) <= viewport["width"], overflowing(page)
    assert page.locator(".embed-form .error").count() == 4
    context.close()


def test_api_docs_page_renders_under_our_csp(browser, events_server):
    """Swagger UI with our CSS and fixes, with an operation, a schema and a response open: axe
    finds nothing moderate or worse and no text below 4.5:1, keyboard focus shows, nothing is
    wider than the screen, at both widths; Try it out works; no other host is asked for a file."""
    context = browser.new_context(viewport=WIDTHS[0])
    watched = Watched(context.new_page(), events_server.url)
    page = watched.page
    origins: set[str] = set()
    page.on("request", lambda r: origins.add(_origin(r.url)))
    watched.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/events", "/events/{key}", "/categories", "/venues"} <= {p.strip() for p in paths}
    # One operation open ("Try it out" is on by default), and executed: its response shows.
    operation = page.locator("#operations-Events-listEvents")
    operation.locator(".opblock-summary-control").click()
    operation.locator("tr[data-param-name=kind] select").select_option("webinar")
    operation.locator(".execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    assert status.inner_text().strip() == "200"
    # One schema open by keyboard (Tab back to its button, Enter): its focus must show.
    schema = page.locator(".models").get_by_role("button", name="Category", exact=True)
    schema.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert schema.get_attribute("aria-expanded") == "true"
    focus = page.evaluate(
        """() => { const el = document.activeElement, style = getComputedStyle(el);
             return [el.textContent.trim(), style.outlineStyle, style.outlineWidth]; }"""
    )
    assert focus[0] == "Category", focus
    problems = []
    if focus[1] == "none" or focus[2] == "0px":
        problems.append(f"no visible focus on the schema's button: {focus}")
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        screenshot(page, "api docs")
        found = axe_violations(page, ("moderate", "serious", "critical"))
        if page_width(page) > viewport["width"]:
            found.append(f"{page_width(page)}px wide: {overflowing(page)}")
        found += [f"scrolls sideways: {box}" for box in scrolls_inside(page)]
        problems += [f"{viewport['width']}px: {p}" for p in found]
    assert not problems, "\n".join(problems)
    assert origins == {events_server.url}, origins
    assert not watched.errors, watched.errors
    context.close()


def test_staff_embed_page_says_what_it_leaves_out(browser, events_server):
    watched = staff_embed_page(browser, events_server)
    page, context = watched.page, watched.page.context
    page.fill("#e-accent", "zzzzzz")
    error = page.locator("#e-accent-error")
    error.wait_for()
    assert "six hex digits" in error.inner_text()
    assert page.get_attribute("#e-accent", "aria-invalid") == "true"
    assert "e-accent-error" in page.get_attribute("#e-accent", "aria-describedby")
    assert "accent=" not in page.input_value("#embed-snippet")
    page.fill("#e-accent", "#0B5CAD")  # as CSS writes it
    error.wait_for(state="detached")
    assert page.get_attribute("#e-accent", "aria-invalid") is None
    assert 'accent="0B5CAD"' in page.input_value("#embed-snippet")
    page.fill("#e-count", "99")
    page.locator("#e-count-error").wait_for()
    assert "count=" not in page.input_value("#embed-snippet")
    # A colour hard to read on the chosen theme's background is said beside the box, as typed.
    page.select_option("#e-theme", "light")
    page.fill("#e-accent", "ffff00")
    note = page.locator("#e-accent-contrast")
    expect(note).to_have_text(
        "Links in this colour are hard to read: 1.0:1 on the light background; they need 4.5:1."
    )
    assert 'accent="ffff00"' in page.input_value("#embed-snippet")  # a warning, not refused
    for viewport in WIDTHS:  # the preview's pale links are what the note is about: no axe here
        page.set_viewport_size(viewport)
        screenshot(page, "staff embed with a refused count and a pale colour")
    page.fill("#e-accent", "0b5cad")
    expect(note).to_be_hidden()
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        screenshot(page, "staff embed with a refused colour and count")
        assert not axe_violations(page), viewport
    assert not watched.errors, watched.errors
    context.close()


def test_widgets_hold_in_a_right_to_left_page_and_when_answers_fail_or_cross(browser, host):
    """A widget in a box that shrinks to fit keeps a readable width; it stays English, left to
    right, in an Arabic page; a month that cannot be loaded leaves the one shown, saying so,
    focus kept; a change of theme keeps the month and asks for nothing; an answer overtaken by
    a later one is not drawn; a sandboxed frame is fitted to its content."""
    host_page = HostPage(browser, f"{host}/layouts.html")
    page = host_page.page
    host_page.wait_for_widgets()
    widths = page.evaluate(
        "() => [...document.querySelectorAll('events-widget')]"
        ".map(w => w.getBoundingClientRect().width)"
    )
    assert all(w > 200 for w in widths), widths
    box = page.evaluate(
        "() => { const b = document.querySelector('#month').shadowRoot.querySelector('.ew');"
        " return [b.lang, getComputedStyle(b).direction]; }"
    )
    assert box == ["en", "ltr"]
    # Large text in a narrow column: each day's number and link stay inside its cell.
    spilled = page.evaluate(
        """() => [...document.querySelector('#large').shadowRoot.querySelectorAll('td, th')]
             .filter(c => { const a = c.firstElementChild || c, box = a.getBoundingClientRect(),
                                  cell = c.getBoundingClientRect();
                            return box.left < cell.left - 1 || box.right > cell.right + 1
                              || c.scrollWidth > c.clientWidth + 1; })
             .map(c => c.textContent)"""
    )
    assert not spilled, spilled

    month = page.locator("#month")
    label = month.locator(".ew-heading a").inner_text()
    page.route("**/embed/month.json?*", lambda route: route.abort())
    month.locator("button[data-nav=next]").click()
    month.locator(".ew-failed").wait_for()
    assert label in month.locator(".ew-failed").inner_text()
    assert month.locator(".ew-heading a").inner_text() == label
    focused = page.evaluate(
        "() => document.querySelector('#month').shadowRoot.activeElement?.dataset.nav"
    )
    assert focused == "next"
    host_page.errors.clear()  # the browser's own report of the refused request
    page.unroute("**/embed/month.json?*")
    month.locator("button[data-nav=next]").click()
    page.wait_for_function(
        "label => document.querySelector('#month').shadowRoot.querySelector('.ew-heading a')"
        ".textContent !== label",
        arg=label,
    )
    following = month.locator(".ew-heading a").inner_text()
    asked = len(host_page.requested)
    page.evaluate("() => document.querySelector('#month').setAttribute('theme', 'dark')")
    page.wait_for_function(
        "() => document.querySelector('#month').shadowRoot.querySelector('.ew.theme-dark')"
    )
    assert month.locator(".ew-heading a").inner_text() == following
    assert len(host_page.requested) == asked, host_page.requested[asked:]

    held = []
    page.route("**/embed/list.json?kind=live*", lambda route: held.append(route))  # answered later
    page.evaluate("() => document.querySelector('#list').setAttribute('kind', 'live')")
    page.wait_for_timeout(200)
    page.evaluate("() => document.querySelector('#list').setAttribute('kind', 'audio')")
    heading = page.locator("#list .ew-heading")
    expect(heading).to_have_text("Live Digital Audio")
    assert held, "the live list was asked for"
    held[0].continue_()
    page.wait_for_timeout(500)
    expect(heading).to_have_text("Live Digital Audio")

    page.wait_for_function(
        "() => document.querySelector('#boxed').getBoundingClientRect().height > 150"
    )
    assert page.frame_locator("#boxed").locator(".ew-item").count() == 2
    assert not host_page.errors, host_page.errors
    screenshot(page, "embed right to left host")
    host_page.close()


def test_a_widget_is_drawn_without_its_styles_and_asks_for_them_again(browser, host):
    """The stylesheet refused once: the widgets still show their events (unstyled), and the
    next load asks for the styles again, which then apply."""
    context = browser.new_context(viewport=WIDTHS[0])
    page = context.new_page()
    refused = []

    asked = []

    def refuse_once(route):
        asked.append(route.request.url)
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.fulfill(status=500, body="")

    page.route("**/embed/widget.css", refuse_once)
    page.goto(f"{host}/layouts.html")
    sheets = (
        "() => document.querySelector('#month').shadowRoot.adoptedStyleSheets"
        ".reduce((n, s) => n + s.cssRules.length, 0)"
    )
    page.wait_for_function(
        "() => document.querySelector('#month').shadowRoot?.querySelector('.ew-by')"
    )
    assert refused
    if page.evaluate(sheets) == 0:  # drawn unstyled: its next load asks again
        page.locator("#month").locator("button[data-nav=next]").click()
    page.wait_for_function(sheets.replace("() =>", "() => 10 <"))
    assert len(asked) >= 2, asked
    context.close()


def test_a_searched_list_shows_the_next_matches_soonest_first(browser, host):
    """A topic page's list widget (q="5g") and its frame list the next matches in date order,
    not the best matches whenever they are."""
    host_page = HostPage(browser, f"{host}/search.html")
    page = host_page.page
    host_page.wait_for_widgets()
    starts = page.evaluate(
        "() => [...document.querySelector('events-widget').shadowRoot"
        ".querySelectorAll('.ew-item time')].map(t => t.getAttribute('datetime'))"
    )
    frame = page.frame_locator("iframe").locator(".ew-item time")
    framed = [frame.nth(i).get_attribute("datetime") for i in range(frame.count())]
    for found in (starts, framed):
        assert len(found) == 5, found
        days = [s[:10] for s in found]  # an all-day event's is a date, a timed one's UTC
        assert days == sorted(days), found
    assert starts == framed
    # Both say what they list, as our list page of the search does; the month too.
    heading = page.locator("events-widget[widget=list] .ew-heading")
    expect(heading).to_have_text("Upcoming events matching “5g”")
    expect(page.frame_locator("iframe").locator(".ew-heading")).to_have_text(
        "Upcoming events matching “5g”"
    )
    month = page.locator("events-widget[widget=month] .ew-heading a").inner_text()
    assert re.fullmatch(r"\w+ \d{4} · Events matching “5g”", month), month
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)
        screenshot(page, "embed searched widgets")
        assert page_width(page) <= viewport["width"], (viewport, overflowing(page))
    assert not host_page.errors, host_page.errors
    host_page.close()


def test_a_filtered_sidebar_on_a_phone_names_its_filters_once(browser, host):
    """At 360 px a sidebar filtered by a category and a search named them in each box's
    heading and link, two lines each: a caption names them once, each heading and link takes
    one line, and the links' names still say where they lead (read aloud); a filtered list's
    heading names its view, its link "See all" (the rest read aloud). A place written
    right to left keeps its place in our English words (<bdi>), drawn by embed.js or framed."""
    host_page = HostPage(browser, f"{host}/filtered.html")
    page = host_page.page
    page.set_viewport_size(WIDTHS[1])
    host_page.wait_for_widgets()
    for frame_id in ("topic-frame", "list-frame", "rtl-frame"):
        page.frame_locator(f"#{frame_id}").locator(".ew-by").wait_for()
    topic = page.locator("#topic")
    framed = page.frame_locator("#topic-frame")
    for box in (topic, framed):
        expect(box.locator(".ew-caption")).to_have_text("5G events matching “5g”")
        headings = box.locator(".ew-heading")
        assert headings.all_inner_texts()[:2] == ["Upcoming live events", "Upcoming webinars"]
        lines = box.locator(".ew-heading, .ew-more a").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(e).lineHeight)))"
        )
        assert set(lines) == {1}, lines
        visible = box.locator(".ew").evaluate(
            "b => { const c = b.cloneNode(true); c.querySelectorAll('.ew-hidden, h1')"
            ".forEach(h => h.remove()); return c.textContent; }"
        )
        assert visible.count("5g") == 1 and visible.count("matching") == 1, visible
        links = box.locator(".ew-more a").evaluate_all("els => els.map(e => e.textContent)")
        assert links[1] == "All upcoming webinars on 5G matching “5g”", links
    # The list: its heading names the view, its link says "See all", the rest read aloud.
    for box in (page.locator("#list"), page.frame_locator("#list-frame")):
        expect(box.locator(".ew-heading")).to_have_text("Upcoming 5G events matching “network”")
        link = box.locator(".ew-more a")
        expect(link).to_have_text("See all upcoming 5G events matching “network”")
        assert link.evaluate(
            "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
        ) == pytest.approx(1, abs=0.3)
        visible = box.locator(".ew").evaluate(
            "b => { const c = b.cloneNode(true); c.querySelectorAll('.ew-hidden, h1')"
            ".forEach(h => h.remove()); return c.textContent; }"
        )
        assert visible.count("matching") == 1 and "See all" in visible, visible
    for box in (page.locator("#rtl"), page.frame_locator("#rtl-frame")):
        caption = box.locator(".ew-caption")
        expect(caption).to_have_text("Events in القاهرة matching “5g”")
        assert caption.locator("bdi").all_inner_texts() == ["القاهرة", "5g"]
    assert page_width(page) <= WIDTHS[1]["width"], overflowing(page)
    assert not axe_violations(page), axe_violations(page)
    assert not host_page.errors, host_page.errors
    for viewport in (WIDTHS[1], WIDTHS[0]):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)
        screenshot(page, "embed filtered sidebar")
    host_page.close()
