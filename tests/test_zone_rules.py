"""Zone rules in use: their name changes with any zone's rules, and with it every stored
VEVENT block's key and every feed's ETag (what a tzdata upgrade must do to caches)."""

from __future__ import annotations

import shutil
import subprocess
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from flask import Flask
from sqlalchemy import select

from events_app import create_app, recurrence
from events_app.extensions import db
from events_app.feeds import ical
from events_app.models import Event
from events_app.zone_rules import rules_version
from tests.conftest import NOW
from tests.tools import require_tool

# New York keeps standard time all year from 2027 (as if the United States dropped DST).
NEW_YORK_WITHOUT_DST = """\
Rule\tNYTest\t2007\t2026\t-\tMar\tSun>=8\t2:00\t1:00\tD
Rule\tNYTest\t2007\t2026\t-\tNov\tSun>=1\t2:00\t0\tS
Zone\tAmerica/New_York\t-5:00\tNYTest\tE%sT
"""


def forget_zone_caches() -> None:
    """What a new process starts without: zoneinfo's and our memos of zone rules."""
    zoneinfo.ZoneInfo.clear_cache()
    rules_version.cache_clear()
    ical._zone.cache_clear()
    ical._vtimezone_text.cache_clear()
    recurrence._zone.cache_clear()
    icalendar.use_zoneinfo()  # icalendar keeps the zones it looked up, too


@pytest.fixture
def compiled_rules(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A function that puts a zic-compiled New York without DST first on zoneinfo's path."""
    zic = shutil.which("zic") or "/usr/sbin/zic"
    if not Path(zic).exists():
        require_tool("needs zic (Debian's libc-bin) to compile zone rules")
    source = tmp_path / "new_york.zi"
    source.write_text(NEW_YORK_WITHOUT_DST)
    folder = tmp_path / "zoneinfo"
    subprocess.run([zic, "-d", str(folder), str(source)], check=True, capture_output=True)

    def switch() -> None:
        zoneinfo.reset_tzpath([str(folder)])
        forget_zone_caches()

    yield switch
    zoneinfo.reset_tzpath()
    forget_zone_caches()


def test_the_name_follows_the_rules_in_use(compiled_rules) -> None:
    before = rules_version()
    assert before == rules_version()  # stable within a process
    compiled_rules()
    after = rules_version()
    assert after != before
    assert zoneinfo.ZoneInfo("America/New_York").utcoffset(datetime(2027, 7, 15)).days == -1
    assert datetime(2027, 7, 15, tzinfo=zoneinfo.ZoneInfo("America/New_York")).tzname() == "EST"


def test_new_rules_make_new_blocks_and_a_new_etag(
    app: Flask, create_event: Callable[..., Event], compiled_rules
) -> None:
    """After a tzdata upgrade (a new process), the stored blocks and the ETag of every feed
    that uses the zone are renewed: no 304 for bytes written under the old rules."""
    app.config["NOW"] = NOW
    event = create_event(title="Summer 2027", start=datetime(2027, 7, 15, 18, tzinfo=UTC))
    first = app.test_client().get("/feeds/all.ics")
    assert b"DTSTART;TZID=America/New_York:20270715T140000" in first.data  # 2:00 PM EDT
    stored_key = db.session.scalar(select(Event.ical_block_key))

    compiled_rules()
    restarted = create_app(dict(app.config))
    client = restarted.test_client()
    second = client.get("/feeds/all.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    # The same instant, written with the rules now in force: 1:00 PM EST.
    assert b"DTSTART;TZID=America/New_York:20270715T130000" in second.data
    parsed = icalendar.Calendar.from_ical(second.data).walk("VEVENT")[0]["DTSTART"].dt
    assert parsed.astimezone(UTC) == event.start_at
    db.session.expire_all()
    assert db.session.scalar(select(Event.ical_block_key)) != stored_key
    with restarted.app_context():
        db.engine.dispose()
