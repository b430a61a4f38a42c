"""Simulated editors for `make soak`: real sign-in, real staff forms, CSRF tokens, every save
recorded with what it saved and whether it was acknowledged.

Each editor signs in through the login form and then, event after event, creates a webinar as
a draft, publishes it, moves its time and cancels it, each request to either server at random.
A save answered with a 2xx/3xx is acknowledged, and what it saved becomes what the event must
show. One that is not (a 503 while the database is down, a connection cut by a killed server)
is sent again, as an editor would: from the outage page's own form, which must hold everything
typed; a 409 (the earlier attempt had gone through after all) is saved again from the conflict
page's form; a create whose slug is then taken finds the event it made.
"""

from __future__ import annotations

import html
import http.cookiejar
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from tests.servers import form_values

ZONE = "America/New_York"
TOPICS = ("5G core", "Open RAN", "fiber", "edge compute", "private 5G", "satellite backhaul")
GIVE_UP_AFTER_STOP = 60  # seconds an editor keeps resending its last save once told to stop
THINK_SECONDS = (1.0, 3.0)  # between two saves: far busier than real editors


@dataclass
class Target:
    """What an event must show after its last acknowledged save."""

    slug: str
    title: str
    status: str  # draft, published or cancelled
    start: datetime  # UTC
    event_id: int | None = None
    pending: str | None = None  # a save never acknowledged: it may or may not have happened


@dataclass
class Save:
    editor: str
    action: str
    slug: str
    started: float
    status: int | None  # HTTP status; None when the connection failed
    acknowledged: bool
    kept_input: bool | None = None  # a 503 to a form: did its page hold what was typed?


@dataclass
class Journal:
    """Every editor's saves and targets (shared: each editor appends under the lock)."""

    saves: list[Save] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, save: Save) -> None:
        with self.lock:
            self.saves.append(save)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer: it says the save was acknowledged


class Editor(threading.Thread):
    def __init__(
        self,
        name: str,
        email: str,
        password: str,
        servers: list[str],
        category_id: int,
        journal: Journal,
        stop: threading.Event,
        seed: int,
    ) -> None:
        super().__init__(name=f"editor-{name}", daemon=True)
        self.editor, self.email, self.password = name, email, password
        self.servers, self.category_id = servers, category_id
        self.journal, self.stop = journal, stop
        self.rng = random.Random(seed)
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirects()
        )
        self.count = 0
        self.failure: BaseException | None = None

    # --- HTTP -------------------------------------------------------------------------------

    def request(self, path: str, fields: dict | None = None) -> tuple[int | None, dict, str]:
        """GET or POST to a random server; status None when the connection failed."""
        url = self.rng.choice(self.servers) + path
        data = urllib.parse.urlencode(fields, doseq=True).encode() if fields is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=data), timeout=60) as reply:
                return reply.status, dict(reply.headers), reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return None, {}, ""

    def page(self, path: str) -> str:
        """A staff page, asked again until a server answers it with a 200."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            status, _, body = self.request(path)
            if status == 200:
                return body
            time.sleep(0.5)
        raise RuntimeError(f"{self.editor}: {path} never answered 200")

    def pause(self, headers: dict) -> None:
        time.sleep(min(float(headers.get("Retry-After") or 1), 5))

    # --- saves ------------------------------------------------------------------------------

    def save(self, action: str, target: Target, path: str, fields: dict, typed: str = ""):
        """POST until acknowledged; returns the acknowledging (status, headers, body)."""
        given_up_at = None
        while True:
            started = time.time()
            status, headers, body = self.request(path, fields)
            acknowledged = status is not None and 200 <= status < 400
            kept = None
            if status == 503 and typed:
                kept = html.escape(typed, quote=False) in body
            self.journal.record(
                Save(self.editor, action, target.slug, started, status, acknowledged, kept)
            )
            if acknowledged:
                target.pending = None
                return status, headers, body
            target.pending = action
            if status == 503 and "<form" in body:
                fields = form_values(body)  # "Send again": what the outage page kept
                path = body.split('<form method="post" action="')[1].split('"')[0]
                path = html.unescape(path)
            elif status == 409 and "<form" in body:
                fields = {**form_values(body), "save": "Save event"}  # save again over theirs
            elif status == 400 and "already uses this address" in body:
                return status, headers, body  # the create went through earlier
            elif status not in (None, 503):
                raise RuntimeError(f"{self.editor} {action} {target.slug}: {status}\n{body[:800]}")
            if self.stop.is_set():
                given_up_at = given_up_at or time.monotonic() + GIVE_UP_AFTER_STOP
                if time.monotonic() > given_up_at:
                    return None
            self.pause(headers)

    def sign_in(self) -> None:
        fields = form_values(self.page("/staff/login"))
        fields.update(email=self.email, password=self.password)
        while True:
            status, headers, _ = self.request("/staff/login", fields)
            if status == 302:
                return
            if status not in (None, 503):
                raise RuntimeError(f"{self.editor}: sign-in answered {status}")
            self.pause(headers)

    def create(self) -> Target | None:
        self.count += 1
        topic = self.rng.choice(TOPICS)
        day = datetime.now(UTC).date() + timedelta(days=self.rng.randrange(10, 200))
        title = f"Soak {self.editor} {self.count:03d}: {topic} briefing"
        slug = f"soak-{self.editor}-{self.count:03d}-{self.rng.randrange(10**6):06d}"
        target = Target(slug, title, "draft", instant(day, 14, 0))
        with self.journal.lock:
            self.journal.targets[slug] = target
        fields = form_values(self.page("/staff/events/new?kind=webinar"))
        fields.update(
            title=title,
            slug=slug,
            kind="webinar",
            status="draft",
            summary=f"{topic} for operators.",
            start_date=day.isoformat(),
            start_time="14:00",
            end_date=day.isoformat(),
            end_time="15:00",
            timezone=ZONE,
            venue="",
            online_url="https://meet.example.com/soak",
            categories=[str(self.category_id)],
            save="Save event",
        )
        done = self.save("create", target, "/staff/events/new", fields, typed=title)
        if done is None:
            return None
        status, headers, _ = done
        if status == 302:
            target.event_id = int(re.search(r"/staff/events/(\d+)/edit", headers["Location"])[1])
        else:  # made by an attempt whose answer was lost: find it
            found = self.page(f"/staff/?q={urllib.parse.quote(title)}")
            target.event_id = int(re.search(r"/staff/events/(\d+)/edit", found)[1])
        return target

    def set_status(self, target: Target, status: str) -> bool:
        token = form_values(self.page(f"/staff/events/{target.event_id}/edit"))["csrf_token"]
        fields = {"csrf_token": token, "status": status}
        if self.save(status, target, f"/staff/events/{target.event_id}/status", fields) is None:
            return False
        target.status = status
        return True

    def move(self, target: Target) -> bool:
        path = f"/staff/events/{target.event_id}/edit"
        fields = form_values(self.page(path))
        day = date.fromisoformat(fields["start_date"]) + timedelta(days=self.rng.randrange(1, 6))
        fields.update(
            start_date=day.isoformat(),
            end_date=day.isoformat(),
            start_time="16:30",
            end_time="17:30",
            save="Save event",
        )
        if self.save("move", target, path, fields, typed=target.title) is None:
            return False
        target.start = instant(day, 16, 30)
        return True

    def run(self) -> None:
        try:
            self.sign_in()
            while not self.stop.is_set():
                target = self.create()
                if target is None:
                    return
                for step in ("published", "move", "cancelled"):
                    time.sleep(self.rng.uniform(*THINK_SECONDS))
                    if self.stop.is_set():
                        break
                    done = self.move(target) if step == "move" else self.set_status(target, step)
                    if not done:
                        break
        except BaseException as error:  # reported by the soak, never swallowed
            self.failure = error


def instant(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), ZoneInfo(ZONE)).astimezone(UTC)
