"""After the soak: is every acknowledged save in the database, on the event's page and in every
feed the event belongs to, on every server? And what did the servers answer, phase by phase?"""

from __future__ import annotations

import html
import json
import re
import statistics
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select

from bench.soak_editors import Target
from events_app.models import Event

STATUS_IN_FEED = {"published": "CONFIRMED", "cancelled": "CANCELLED"}


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def vevents(body: bytes) -> dict[str, dict[str, str]]:
    """UID -> {property: 'params:value'} of each VEVENT (lines unfolded)."""
    text = re.sub(r"\r\n[ \t]", "", body.decode())
    found = {}
    for block in text.split("BEGIN:VEVENT\r\n")[1:]:
        fields = {}
        for line in block.split("END:VEVENT")[0].split("\r\n"):
            name, _, rest = line.partition(":")
            fields[name.split(";")[0]] = f"{name}:{rest}"
        found[fields["UID"].partition(":")[2]] = fields
    return found


def dtstart(line: str) -> datetime:
    """DTSTART;TZID=America/New_York:20270115T140000 (or ...Z) -> the UTC instant."""
    head, _, value = line.partition(":")
    tzid = re.search(r"TZID=([^;:]+)", head)
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    local = datetime.strptime(value, "%Y%m%dT%H%M%S")
    return local.replace(tzinfo=ZoneInfo(tzid[1] if tzid else "UTC")).astimezone(UTC)


def feeds_for(category: str) -> tuple[str, ...]:
    """Every feed an editor's webinar in ``category`` belongs to."""
    return (
        "/feeds/all.ics",
        "/feeds/webinars.ics",
        f"/feeds/categories/{category}.ics",
        f"/feeds/events.ics?kind=webinar&category={category}",
    )


def lost_saves(
    targets: list[Target], servers: list[str], database_url: str, category: str
) -> tuple[list[str], int]:
    """(what is wrong, one line each; how many events were checked) for every target whose
    saves were all acknowledged: database, page and feeds on every server."""
    problems: list[str] = []
    checked = [t for t in targets if t.pending is None and t.event_id is not None]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = {
            row.id: row
            for row in connection.execute(
                select(Event.id, Event.uid, Event.title, Event.status, Event.start_at).where(
                    Event.id.in_([t.event_id for t in checked])
                )
            )
        }
    engine.dispose()
    for server in servers:
        feeds = {path: vevents(get(server + path)[1]) for path in feeds_for(category)}
        for target in checked:
            row = rows.get(target.event_id)
            where = f"{target.slug} (event {target.event_id})"
            if row is None:
                problems.append(f"{where}: not in the database")
                continue
            start = row.start_at.replace(tzinfo=UTC)
            if server == servers[0] and (row.title, row.status, start) != (
                target.title,
                target.status,
                target.start,
            ):
                problems.append(f"{where}: database has {row.title!r} {row.status} {start}")
            status, page = get(f"{server}/events/{target.slug}")
            if target.status == "draft":
                if status != 404:
                    problems.append(f"{where} on {server}: a draft's page answered {status}")
            elif status != 200 or html.escape(target.title, quote=False).encode() not in page:
                problems.append(f"{where} on {server}: page {status} without its title")
            elif target.status == "cancelled" and b"Cancelled" not in page:
                problems.append(f"{where} on {server}: page does not say it is cancelled")
            for path, events in feeds.items():
                event = events.get(row.uid)
                if target.status == "draft":
                    if event is not None:
                        problems.append(f"{where} on {server}: a draft in {path}")
                    continue
                if event is None:
                    problems.append(f"{where} on {server}: missing from {path}")
                    continue
                wanted = STATUS_IN_FEED[target.status]
                if (
                    event["STATUS"] != f"STATUS:{wanted}"
                    or dtstart(event["DTSTART"]) != target.start
                ):
                    problems.append(
                        f"{where} on {server}: {path} has {event['STATUS']} "
                        f"{event['DTSTART']}, not {wanted} {target.start}"
                    )
    return problems, len(checked)


@dataclass
class Line:
    """One request, from a server's JSON log line."""

    server: str
    end: float  # epoch seconds
    seconds: float
    status: int
    path: str
    cache: str | None
    error: str | None
    pid: int

    @property
    def start(self) -> float:
        return self.end - self.seconds


def read_log(path: Path, server: str) -> list[Line]:
    lines = []
    for text in path.read_text(errors="replace").splitlines():
        if not text.startswith("{"):
            continue
        record = json.loads(text)
        if record.get("logger") != "events_app.requests":
            continue
        end = datetime.fromisoformat(record["time"]).timestamp()
        lines.append(
            Line(
                server,
                end,
                record["duration_ms"] / 1000,
                record["status"],
                record["path"],
                record.get("cache"),
                record.get("error"),
                record["pid"],
            )
        )
    return lines


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
