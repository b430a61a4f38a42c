"""The .ics importer: every real-world sample, instants, idempotence, updates, rejections.

Tests marked `import_samples` read ../shared/import-samples/ (or IMPORT_SAMPLES_DIR); without
the folder they fail, unless deselected with -m "not import_samples".
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from sqlalchemy import func, select

from events_app import text, timefmt
from events_app.extensions import db
from events_app.importing import lines as ics_lines
from events_app.importing import reader as ics_reader
from events_app.importing import zones as ics_zones
from events_app.importing.apply import ImportFailed, apply_import
from events_app.importing.plan import ACTIONS, OVER, plan_import
from events_app.models import AuditEntry, Category, Event
from tests.conftest import NOW

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_NAMES = (
    "ical.js__google_birthday.ics",
    "ical.js__multiple_rrules.ics",
    "icalendar-recurrence__multiple_exception_event.ics",
    "ical__apple_ical.ics",
    "ical__google_calendar_public_holidays.ics",
    "ical__office_356_custom_timezone.ics",
    "ical__office_365_extended_timezone.ics",
    "icalendar__issue_165_missing_event.ics",
    "icalendar__issue_350.ics",
    "khal__event_dt_mixed_awareness.ics",
    "khal__non_dst_error.ics",
    "node-ical__exchange_whole_day_moved_recurrence.ics",
    "python-recurring-ical-events__Germany_Holidays.ics",
    "python-recurring-ical-events__discourse_no_dtend.ics",
    "python-recurring-ical-events__each_week_but_two_deleted.ics",
    "python-recurring-ical-events__fablab_cottbus.ics",
    "python-recurring-ical-events__issue_151_macos_linux_difference.ics",
    "python-recurring-ical-events__issue_223_thunderbird.ics",
    "python-recurring-ical-events__issue_28_rrule_with_UTC_endinginZ.ics",
    "python-recurring-ical-events__issue_61_time_zone_error.ics",
    "python-recurring-ical-events__machbar_16_feb_2019.ics",
)
# The samples are from 2012-2025: a window reaching back far enough to keep them all.
WIDE = {"window_days_past": 6000, "window_days_future": 730}


def samples_dir() -> Path | None:
    """IMPORT_SAMPLES_DIR, else shared/import-samples beside the repository (or its worktree)."""
    if os.environ.get("IMPORT_SAMPLES_DIR"):
        return Path(os.environ["IMPORT_SAMPLES_DIR"])
    for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent):
        candidate = base / "shared" / "import-samples"
        if candidate.is_dir():
            return candidate
    return None


def sample(name: str) -> bytes:
    """A sample's bytes. Without the samples' folder the test skips and says where to put
    them (.ci/run fails on any skip); a sample missing from the folder fails the test."""
    folder = samples_dir()
    if folder is None:
        pytest.skip(
            f"the import samples are not in {REPO_ROOT.parent / 'shared' / 'import-samples'}"
            " and IMPORT_SAMPLES_DIR is not set"
        )
    if not (folder / name).is_file():
        pytest.fail(
            f"Import sample {name} not found in {folder} (IMPORT_SAMPLES_DIR, or"
            " shared/import-samples beside the repository).",
            pytrace=False,
        )
    return (folder / name).read_bytes()


def plan_of(data: bytes, **kwargs):
    return plan_import(data, db.session, now=kwargs.pop("now", NOW), **kwargs)


def item_by_uid(plan, prefix: str):
    return next(i for i in plan.items if i.uid.startswith(prefix))


def ics(*vevents: str, extra: str = "") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\n{v.strip().replace(chr(10), chr(13) + chr(10))}\r\nEND:VEVENT\r\n"
        for v in vevents
    )
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + extra
    return (head + body + "END:VCALENDAR\r\n").encode()


WEBINAR = """UID:webinar-1@example.org
SUMMARY:5G Core Webinar
DTSTART;TZID=America/New_York:20260701T140000
DTEND;TZID=America/New_York:20260701T150000
DESCRIPTION:All about the core.
URL:https://example.org/webinars/5g-core
CATEGORIES:5G,Cloud"""


# --- every sample -----------------------------------------------------------------------------


@pytest.mark.import_samples
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_imports_or_rejects_each_event_and_reimport_changes_nothing(app_ctx, name):
    data = sample(name)
    plan = plan_of(data, **WIDE)
    assert plan.error == ""
    assert plan.items, "every sample has at least one VEVENT"
    for item in plan.items:
        assert item.action in ACTIONS
        if item.action == "rejected":
            assert item.reason, item.uid
        else:
            assert item.title and item.timezone and item.start_at <= item.end_at
            assert len(item.uid) <= 255
            assert not re.search(r"</?[a-zA-Z]", item.summary), "a summary shows no tags"
            if item.all_day:
                assert item.first_day <= item.last_day
    summary = apply_import(plan, db.session, publish=False)
    assert summary.created == plan.counts()["new"]
    for item in plan.items:
        if item.action == "new":
            event = db.session.scalar(select(Event).where(Event.uid == item.uid))
            assert event.status == "draft"
            assert event.all_day == item.all_day
            if item.rule is not None:  # a series: its span runs to its last date
                assert event.series_master and event.start_at == item.start_at
            else:
                assert (event.start_at, event.end_at) == (item.start_at, item.end_at)
    again = plan_of(data, **WIDE)
    assert {i.action for i in again.items} <= {"unchanged", "rejected"}
    assert again.counts()["unchanged"] == plan.counts()["new"]


@pytest.mark.import_samples
def test_all_samples_are_there():
    for name in SAMPLE_NAMES:
        sample(name)
    assert {p.name for p in samples_dir().glob("*.ics")} >= set(SAMPLE_NAMES)


def test_a_missing_sample_fails_and_a_missing_folder_skips_saying_where(monkeypatch, tmp_path):
    def outcome_of(name: str) -> BaseException | None:
        try:
            sample(name)
        except BaseException as exc:  # pytest's fail and skip are BaseExceptions
            return exc
        return None

    # IMPORT_SAMPLES_DIR names a folder without the sample: a mistake, which fails.
    monkeypatch.setenv("IMPORT_SAMPLES_DIR", str(tmp_path / "nowhere"))
    failed = outcome_of(SAMPLE_NAMES[0])
    assert isinstance(failed, pytest.fail.Exception), "a missing sample must fail, not skip"
    assert str(tmp_path / "nowhere") in str(failed) and "IMPORT_SAMPLES_DIR" in str(failed)
    # A clone with no samples beside it (a newcomer's): skipped, saying where it looked
    # (.ci/run fails on any skip).
    monkeypatch.delenv("IMPORT_SAMPLES_DIR")
    monkeypatch.setattr(sys.modules[__name__], "REPO_ROOT", tmp_path / "clone" / "repo")
    skipped = outcome_of(SAMPLE_NAMES[0])
    assert isinstance(skipped, pytest.skip.Exception)
    assert str(tmp_path / "clone" / "shared" / "import-samples") in str(skipped)


def first_vevent_start(data: bytes, uid_prefix: str) -> datetime:
    cal = icalendar.Calendar.from_ical(data)
    event = next(e for e in cal.walk("VEVENT") if str(e.get("UID", "")).startswith(uid_prefix))
    return event["DTSTART"].dt


@pytest.mark.import_samples
def test_outlook_windows_zone_with_vtimezone_keeps_instant_and_gets_iana_zone(app_ctx):
    data = sample("ical__office_356_custom_timezone.ics")
    plan = plan_of(data, **WIDE)
    uid = "040000008200E00074C5B7101A82E0080000000032281124038FDA"
    item = item_by_uid(plan, uid + "01000000000000000010000000BE5193C6B024BB458D91AD30FFFD71BF")
    assert item.title == "Zajęty"
    assert item.timezone == "Europe/Warsaw"  # CLDR: Central European Standard Time
    expected = first_vevent_start(data, uid).astimezone(UTC)  # icalendar, via the VTIMEZONE
    assert item.start_at == expected == datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    assert item.end_at - item.start_at == timedelta(hours=1)
    # Both series stay series; EXDATE 2024-12-31 15:00 of the second removes that date.
    second = next(i for i in plan.items if i is not item)
    assert item.rule is not None and second.rule is not None
    assert datetime(2024, 12, 31, 15, 0) in second.exdates
    assert second.rule.interval == 2 and second.rule.weekdays == ("TU",)


@pytest.mark.import_samples
def test_windows_zone_without_vtimezone(app_ctx):
    plan = plan_of(sample("ical__office_365_extended_timezone.ics"), **WIDE)
    (item,) = plan.items
    assert item.timezone == "Europe/Berlin"
    expected = datetime(2024, 4, 26, 14, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert item.start_at == expected


@pytest.mark.import_samples
def test_custom_vtimezone_is_matched_to_an_iana_zone_by_its_offsets(app_ctx):
    data = sample("icalendar__issue_165_missing_event.ics")
    plan = plan_of(data, **WIDE)
    first = min(plan.items, key=lambda i: i.start_at)
    assert first.start_at == first_vevent_start(data, "").astimezone(UTC)
    assert first.start_at == datetime(2015, 7, 3, 8, 0, tzinfo=UTC)
    local = first.start_at.astimezone(ZoneInfo(first.timezone))
    assert (local.hour, local.utcoffset()) == (10, timedelta(hours=2))
    # RRULE with spaces in BYDAY, folded mid-rule: weekdays only, until Jul 22.
    days = sorted(i.start_at.date() for i in plan.items)
    assert all(d.weekday() < 5 for d in days) and days[-1] == date(2015, 7, 22)
    assert len(days) == 14


@pytest.mark.import_samples
def test_apple_timed_and_multi_day_all_day(app_ctx):
    data = sample("ical__apple_ical.ics")
    plan = plan_of(data, **WIDE)
    timed = item_by_uid(plan, "001BE545")
    assert timed.timezone == "America/Los_Angeles"
    assert timed.start_at == first_vevent_start(data, "001BE545").astimezone(UTC)
    multi = item_by_uid(plan, "020C71BB")
    assert multi.all_day and (multi.first_day, multi.last_day) == (
        date(2023, 10, 11),
        date(2023, 10, 12),
    )
    assert multi.timezone == "America/Los_Angeles"  # the stray TZID property in the VEVENT
    kept = [i.rule for i in plan.items if i.rule is not None]
    assert any(r.freq == "daily" and r.until is r.count is None for r in kept)  # the endless one
    assert not plan.warnings  # kept whole, not cut at MAX_OCCURRENCES_PER_SERIES


@pytest.mark.import_samples
def test_utc_times_shown_in_the_calendars_zone_and_tab_folding(app_ctx):
    # Podio writes UTC times under X-WR-TIMEZONE:Europe/Berlin: the instant is the file's, the
    # zone the calendar's, so the page says 7:30 PM CET, not 6:30 PM UTC.
    (item,) = plan_of(sample("icalendar__issue_350.ics"), **WIDE).items
    assert item.timezone == "Europe/Berlin"
    assert item.start_at == datetime(2022, 2, 22, 18, 30, tzinfo=UTC)
    assert item.when_text == "Feb 22, 2022, 7:30 – 8:30 PM CET"
    assert item.registration_url.endswith("/apps/calendar/items/5")  # TAB-folded URL
    assert item.kind == "webinar"  # LOCATION:online and a link


@pytest.mark.import_samples
def test_events_without_dtend_and_floating_times(app_ctx):
    discourse = plan_of(sample("python-recurring-ical-events__discourse_no_dtend.ics"), **WIDE)
    first = item_by_uid(discourse, "0ab03762")
    assert first.end_at == first.start_at  # date-time DTSTART without DTEND: no duration
    assert first.registration_url == ""  # the relative URL is left out, with a note
    assert any("not an absolute" in n for n in first.notes)
    mixed = plan_of(sample("khal__event_dt_mixed_awareness.ics"), **WIDE)
    junghacker = item_by_uid(mixed, "http://wiki.hamburg.ccc.de")
    assert junghacker.timezone == "Europe/Berlin"
    assert junghacker.start_at == datetime(2015, 5, 30, 10, 0, tzinfo=UTC)


@pytest.mark.import_samples
def test_bare_dates_and_dtend_equal_to_dtstart_are_one_day(app_ctx):
    plan = plan_of(sample("python-recurring-ical-events__Germany_Holidays.ics"), **WIDE)
    new_year = plan.items[0]
    assert new_year.all_day and new_year.first_day == new_year.last_day == date(2019, 1, 1)
    assert new_year.timezone == "Etc/GMT"


@pytest.mark.import_samples
def test_exdates_and_moved_occurrences(app_ctx):
    weekly = plan_of(sample("python-recurring-ical-events__each_week_but_two_deleted.ics"), **WIDE)
    (series,) = weekly.items  # kept as one series: COUNT=8 less two EXDATEs (in UTC in the file)
    assert series.rule.count == 8
    assert sorted(series.exdates) == [datetime(2019, 3, 11, 0, 30), datetime(2019, 3, 25, 0, 30)]
    thunderbird = plan_of(sample("python-recurring-ical-events__issue_223_thunderbird.ics"), **WIDE)
    (daily,) = thunderbird.items
    moved = next(o for o in daily.overrides if o.recurrence_wall == datetime(2025, 4, 24, 9, 0))
    assert moved.start_at == datetime(2025, 4, 24, 10, 0, tzinfo=UTC)


@pytest.mark.import_samples
def test_single_past_events_import_whatever_their_date(app_ctx):
    plan = plan_of(sample("khal__non_dst_error.ics"))  # February 2023, NOW is June 2026
    assert [i.action for i in plan.items] == ["new", "new"]


@pytest.mark.import_samples
def test_recurring_series_outside_the_window_is_rejected_with_the_reason(app_ctx):
    plan = plan_of(sample("python-recurring-ical-events__each_week_but_two_deleted.ics"))  # 2019
    assert [i.action for i in plan.items] == ["rejected"]
    assert (
        "no occurrence inside the import window (2026-03-17 to 2028-06-14)" in plan.items[0].reason
    )


# --- broken input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x00\x01\x02\xff" * 100, "binary"),
        (b"Hello, this is a letter.\n", "not an iCalendar"),
        (b"%PDF-1.7\n" + bytes(range(1, 256)) * 20, "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events"),
        (b"BEGIN:VCALENDAR\r\n" + b"X-JUNK:" + b"a" * (2 * 1024 * 1024) + b"\r\n", "too large"),
    ],
)
def test_unusable_files_give_a_file_level_error(app_ctx, data, message):
    plan = plan_of(data)
    assert message in plan.error
    assert plan.items == []
    assert apply_import(plan, db.session, publish=True).created == 0


def test_truncated_and_garbled_files_never_raise(app_ctx):
    for data in (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:notadate\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=:20260701T100000\nEND:VEVENT\nEND:VCALENDAR",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Café\nEND:VEVENT\nEND:VCALENDAR".encode("cp1252"),
    ):
        plan = plan_of(data)
        assert plan.error or all(i.action == "rejected" and i.reason for i in plan.items)


@pytest.mark.parametrize(
    ("times", "reason"),
    [
        (f"DTSTART;TZID={'A' * 5000}:20260701T100000\nDTEND:20260701T110000Z",
         "It names a time zone that does not exist."),
        ("DTSTART:20260701T100000Z\nDTSTART:20260702T100000Z\nDTEND:20260701T110000Z",
         "A property it gives once at most (a start, an end) is repeated or malformed."),
        ("DTSTART:20260701T100000Z\nDURATION:P1Y", "DURATION: Invalid iCalendar duration: P1Y"),
    ],
)  # fmt: skip
def test_a_rejected_events_reason_is_said_in_words_not_pythons(app_ctx, times, reason):
    """These said "[Errno 36] File name too long: '/…/tzdata/zoneinfo/AAA…'" (a path on the
    server), "'list' object has no attribute 'dt'" and icalendar's "Cannot access 'dt' on
    broken property …"."""
    plan = plan_of(ics(f"UID:broken-1\nSUMMARY:Broken\n{times}"))
    item = item_by_uid(plan, "broken-1")
    assert item.action == "rejected" and reason in item.reason
    assert "/" not in item.reason.replace("a start, an end", "") and "'dt'" not in item.reason


def test_events_outside_the_years_the_form_takes_are_rejected(app_ctx):
    """Imported, a year-1 or year-9999 event could not be saved again from its own form."""
    plan = plan_of(
        ics(
            "UID:ancient\nSUMMARY:Ancient\nDTSTART;VALUE=DATE:00010101\nDTEND;VALUE=DATE:00010102",
            "UID:far\nSUMMARY:Far\nDTSTART:99991231T100000Z\nDTEND:99991231T110000Z",
            "UID:now\nSUMMARY:Now\nDTSTART:20260701T100000Z\nDTEND:20260701T110000Z",
        )
    )
    for uid in ("ancient", "far"):
        item = item_by_uid(plan, uid)
        assert item.action == "rejected" and "outside the years 1900-2999" in item.reason, uid
    assert item_by_uid(plan, "now").action == "new"


def test_broken_events_are_rejected_one_by_one_with_reasons(app_ctx):
    data = ics(
        WEBINAR,
        "UID:no-start\nSUMMARY:No start",
        "UID:backwards\nSUMMARY:Backwards\nDTSTART:20260701T100000Z\nDTEND:20260701T090000Z",
        "UID:mars\nSUMMARY:Mars\nDTSTART;TZID=Mars/Olympus:20260701T100000",
        "UID:floating\nSUMMARY:Floating\nDTSTART:20260701T100000",
    )
    plan = plan_of(data)
    reasons = {i.uid: i.reason for i in plan.items if i.action == "rejected"}
    assert reasons == {
        "no-start": "No DTSTART (the event has no start).",
        "backwards": "The end is before the start.",
        "mars": "Unknown time zone 'Mars/Olympus'.",
        # Only when no zone is chosen for floating times: the upload form and command choose one.
        "floating": "Floating time with no time zone (no TZID, no X-WR-TIMEZONE).",
    }
    assert item_by_uid(plan, "webinar-1").action == "new"


@pytest.mark.import_samples
def test_google_one_off_events_in_utc_take_the_calendars_zone(app_ctx):
    # Google's export: one-off events in UTC, series with TZID, X-WR-TIMEZONE:Europe/Berlin.
    data = sample("python-recurring-ical-events__machbar_16_feb_2019.ics")
    parsed = icalendar.Calendar.from_ical(data)
    stamped = {
        str(c["UID"]): c["DTSTART"].dt
        for c in parsed.walk("VEVENT")
        if isinstance(c["DTSTART"].dt, datetime)
        and c["DTSTART"].dt.utcoffset() == timedelta(0)
        and "TZID" not in c["DTSTART"].params
    }
    assert len(stamped) > 20
    items = {i.uid: i for i in plan_of(data, **WIDE).items}
    for uid, start in stamped.items():
        assert (items[uid].timezone, items[uid].start_at) == ("Europe/Berlin", start), uid


def test_utc_times_take_the_calendars_zone_but_not_a_utc_series(app_ctx):
    data = ics(
        "UID:one\nSUMMARY:One\nDTSTART:20260701T180000Z\nDTEND:20260701T190000Z",
        "UID:chosen\nSUMMARY:Chosen\nDTSTART;TZID=UTC:20260701T180000\nDURATION:PT1H",
        # A series in UTC repeats at 18:00 UTC across the clock change (RFC 5545): kept in UTC.
        "UID:weekly\nSUMMARY:Weekly\nDTSTART:20261022T180000Z\nDURATION:PT1H\n"
        "RRULE:FREQ=WEEKLY;COUNT=3",
        # Expanded (an RDATE): its dates are fixed instants, each shown in the calendar's zone.
        "UID:expanded\nSUMMARY:Expanded\nDTSTART:20260801T180000Z\nDURATION:PT1H\n"
        "RRULE:FREQ=DAILY;COUNT=2\nRDATE:20260810T180000Z",
        extra="X-WR-TIMEZONE:America/New_York\r\n",
    )
    plan = plan_of(data)
    one, chosen, weekly = (item_by_uid(plan, u) for u in ("one", "chosen", "weekly"))
    expanded = [i for i in plan.items if i.uid.startswith("expanded/")]
    assert len(expanded) == 3
    assert {i.timezone for i in expanded} == {"America/New_York"}
    assert {i.start_at.hour for i in expanded} == {18}
    assert (one.timezone, one.start_at) == (
        "America/New_York",
        datetime(2026, 7, 1, 18, tzinfo=UTC),
    )
    assert one.end_at == datetime(2026, 7, 1, 19, tzinfo=UTC)
    assert one.when_text == "Jul 1, 2026, 2:00 – 3:00 PM EDT"
    assert chosen.timezone == "UTC"
    assert weekly.timezone == "UTC" and weekly.rule is not None
    apply_import(plan, db.session, publish=True)
    saved = db.session.scalar(select(Event).where(Event.uid == one.uid))
    assert (saved.timezone, saved.start_at) == ("America/New_York", one.start_at)
    dates = db.session.scalars(
        select(Event.start_at)
        .where(Event.series_id.is_not(None), Event.series_master.is_(False))
        .order_by(Event.start_at)
    ).all()
    assert [d.replace(tzinfo=UTC).hour for d in dates] == [18, 18, 18]


def test_floating_times_use_x_wr_timezone(app_ctx):
    data = ics(
        "UID:f1\nSUMMARY:Breakfast\nDTSTART:20260701T080000\nDURATION:PT90M",
        extra="X-WR-TIMEZONE:Europe/London\r\n",
    )
    (item,) = plan_of(data).items
    assert item.timezone == "Europe/London"
    assert item.start_at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert item.end_at - item.start_at == timedelta(minutes=90)


def test_floating_times_are_read_in_the_chosen_zone_with_a_note(app_ctx):
    data = ics(
        "UID:f2\nSUMMARY:Breakfast\nDTSTART:20260701T080000\nDTEND:20260701T093000",
        "UID:z2\nSUMMARY:Zoned\nDTSTART;TZID=Europe/Paris:20260701T080000",
        "UID:d2\nSUMMARY:Day\nDTSTART;VALUE=DATE:20260702",
    )
    plan = plan_of(data, floating_zone="America/New_York")
    floating, zoned, day = plan.items
    assert (floating.action, floating.timezone) == ("new", "America/New_York")
    assert floating.start_at == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert floating.end_at == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert "Floating time (no time zone in the file) read as America/New_York." in floating.notes
    assert zoned.timezone == "Europe/Paris" and not any("Floating" in n for n in zoned.notes)
    assert day.all_day and day.timezone == "America/New_York"  # places the day on the time line
    assert (plan.floating_zone, plan.floating_count) == ("America/New_York", 1)
    # The file's own zone (X-WR-TIMEZONE) still comes first.
    london = ics(
        "UID:f3\nSUMMARY:Tea\nDTSTART:20260701T160000", extra="X-WR-TIMEZONE:Europe/London\r\n"
    )
    (item,) = plan_of(london, floating_zone="America/New_York").items
    assert item.timezone == "Europe/London"


def test_events_already_over_are_imported_with_a_note_saying_where_they_go(app_ctx):
    """Single events import whatever their date (past ones belong in the archive); the preview
    says which are over, so a file of old events is not taken for upcoming ones."""
    data = ics(
        "UID:p1\nSUMMARY:Last year\nDTSTART:20250601T100000Z\nDTEND:20250601T110000Z",
        "UID:p2\nSUMMARY:Yesterday\nDTSTART;VALUE=DATE:20260614",
        "UID:p3\nSUMMARY:Today all day\nDTSTART;VALUE=DATE:20260615",
        "UID:p4\nSUMMARY:Next month\nDTSTART:20260715T100000Z\nDTEND:20260715T110000Z",
    )
    plan = plan_of(data, now=NOW)  # Jun 15, 2026, noon UTC
    over = {i.title: OVER in i.notes for i in plan.items}
    assert over == {"Last year": True, "Yesterday": True, "Today all day": False,
                    "Next month": False}  # fmt: skip
    assert all(i.action == "new" for i in plan.items)


def test_over_is_the_instant_its_day_or_time_ends_where_it_is(app_ctx):
    """At 10:00 UTC on Jun 15, Jun 14 is not over in Pago Pago (11 PM there), but Jun 15 is in
    Kiritimati (midnight there), and so is 6 PM in Tokyo (09:00 UTC) or, read as Kiritimati's,
    a floating 8 PM (06:00 UTC): neither the UTC day nor the wall time decides."""
    now = NOW - timedelta(hours=2)
    days = ics(
        "UID:o1\nSUMMARY:Pago Pago\nDTSTART;VALUE=DATE:20260614",
        "UID:o2\nSUMMARY:Tokyo\nDTSTART;TZID=Asia/Tokyo:20260615T180000\n"
        "DTEND;TZID=Asia/Tokyo:20260615T183000",
        extra="X-WR-TIMEZONE:Pacific/Pago_Pago\r\n",
    )
    over = {i.title: OVER in i.notes for i in plan_of(days, now=now).items}
    assert over == {"Pago Pago": False, "Tokyo": True}
    floating = ics(
        "UID:o3\nSUMMARY:Kiritimati\nDTSTART;VALUE=DATE:20260615",
        "UID:o4\nSUMMARY:Floating\nDTSTART:20260615T200000\nDTEND:20260615T203000",
    )
    plan = plan_of(floating, now=now, floating_zone="Pacific/Kiritimati")
    assert {i.title: OVER in i.notes for i in plan.items} == {"Kiritimati": True, "Floating": True}


def test_a_floating_end_beside_a_zoned_start_is_read_in_the_starts_zone(app_ctx):
    """The preview said "Floating times read as America/New_York: 1 event ..." while the event
    said "read as Europe/Berlin": only its end had no zone, and it was read in Berlin."""
    data = ics("UID:m1\nSUMMARY:Mixed\nDTSTART;TZID=Europe/Berlin:20260602T120000"
               "\nDTEND:20260602T160000")  # fmt: skip
    plan = plan_of(data, floating_zone="America/New_York")
    (item,) = plan.items
    assert item.timezone == "Europe/Berlin" and not any("Floating" in n for n in item.notes)
    assert item.end_at == datetime(2026, 6, 2, 14, 0, tzinfo=UTC)  # 16:00 in Berlin (CEST)
    assert plan.floating_count == 0


def test_a_floating_series_keeps_its_uids_whatever_zone_is_chosen(app_ctx):
    kept = "UID:fk\nSUMMARY:Daily\nDTSTART:20260701T090000\nRRULE:FREQ=DAILY;COUNT=2"
    (in_new_york,) = plan_of(ics(kept), floating_zone="America/New_York").items
    (in_tokyo,) = plan_of(ics(kept), floating_zone="Asia/Tokyo").items
    assert in_new_york.uid == in_tokyo.uid == "fk"
    assert in_tokyo.rule.start == in_new_york.rule.start == datetime(2026, 7, 1, 9, 0)
    # A series we cannot keep (an RDATE) is expanded, with the same UIDs in any zone.
    series = kept.replace("fk", "fs") + "\nRDATE:20260710T090000"
    in_new_york = plan_of(ics(series), floating_zone="America/New_York").items
    in_tokyo = plan_of(ics(series), floating_zone="Asia/Tokyo").items
    assert (
        [i.uid for i in in_new_york]
        == [i.uid for i in in_tokyo]
        == [
            "fs/20260701T090000",
            "fs/20260702T090000",
            "fs/20260710T090000",
        ]
    )
    assert in_tokyo[0].start_at == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def test_a_summary_is_the_text_of_an_html_or_markdown_description(app_ctx):
    """Google writes descriptions in HTML: the summary lists and feeds show is its text."""
    html = WEBINAR.replace(
        "DESCRIPTION:All about the core.",
        'DESCRIPTION:Open evening - <a href="https://example.org/" target="_blank">example'
        ".org</a> <br>More <b>below</b>.",
    )
    markdown = WEBINAR.replace(
        "DESCRIPTION:All about the core.", r"DESCRIPTION:**Core** & *edge*\n\nMore."
    )
    assert plan_of(ics(html)).items[0].summary == "Open evening - example.org"
    assert plan_of(ics(markdown)).items[0].summary == "Core & edge"
    lines = WEBINAR.replace(
        "DESCRIPTION:All about the core.", "DESCRIPTION:<div>Hi</div><div>two</div>"
    )
    assert plan_of(ics(lines)).items[0].summary == "Hi"  # its first line, not "Hitwo"


def test_an_event_without_summary_comes_in_as_an_untitled_draft(app_ctx):
    untitled = "UID:untitled@example.org\nDTSTART:20260701T100000Z"
    plan = plan_of(ics(WEBINAR, untitled))
    item = item_by_uid(plan, "untitled@")
    assert (item.action, item.title, item.untitled) == ("new", "(untitled)", True)
    assert any("No SUMMARY" in n and "draft" in n for n in item.notes)
    apply_import(plan, db.session, publish=True)
    event = db.session.scalar(select(Event).where(Event.uid == "untitled@example.org"))
    assert (event.title, event.status, event.slug) == ("(untitled)", "draft", "untitled-2026-07-01")
    webinar = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    assert webinar.status == "published"
    # Staff give it a title; the same file again leaves that title alone.
    event.title = "Board meeting"
    db.session.commit()
    (again,) = [i for i in plan_of(ics(WEBINAR, untitled)).items if i.uid.startswith("untitled@")]
    assert again.action == "unchanged"


def test_slugs_follow_the_one_slug_rule(app_ctx):
    title = "a" * 169 + " b"  # cut at 170 characters, right after the hyphen
    category = "Ünïcode " + "c" * 81 + " d"
    data = ics(WEBINAR.replace("5G Core Webinar", title).replace("5G,Cloud", category))
    apply_import(plan_of(data), db.session, publish=False)
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    assert event.slug == text.slugify(title, 170) + "-2026-07-01" == "a" * 169 + "-2026-07-01"
    assert event.categories[0].slug == text.slugify(category, 90)
    assert not event.categories[0].slug.endswith("-")


def test_an_event_keeps_at_most_twenty_categories(app_ctx):
    """A feed that puts a keyword list in CATEGORIES made every word a category."""
    words = ",".join(f"Tag {n}" for n in range(500))
    (item,) = plan_of(ics(WEBINAR.replace("5G,Cloud", words))).items
    assert item.categories == [f"Tag {n}" for n in range(20)]
    assert "Only the first 20 of its 500 categories were kept." in item.notes
    apply_import(plan_of(ics(WEBINAR.replace("5G,Cloud", words))), db.session, publish=False)
    assert db.session.scalar(select(func.count(Category.id))) == 20


def test_same_title_and_day_get_numbered_slugs(app_ctx, create_event):
    create_event(slug="5g-core-webinar-2026-07-01")
    create_event(slug="5g-core-webinar-2026-07-01-2")
    twins = [WEBINAR.replace("webinar-1", f"twin-{n}") for n in range(2)]
    apply_import(plan_of(ics(*twins)), db.session, publish=False)
    slugs = db.session.scalars(
        select(Event.slug).where(Event.uid.like("twin-%")).order_by(Event.uid)
    )
    assert list(slugs) == ["5g-core-webinar-2026-07-01-3", "5g-core-webinar-2026-07-01-4"]


CUSTOM_ZONE = """BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:{offset}
TZOFFSETTO:{offset}
END:STANDARD
END:VTIMEZONE
"""


def test_a_custom_zone_name_is_read_from_each_files_own_vtimezone(app_ctx):
    event = "UID:c@example.org\nSUMMARY:C\nDTSTART;TZID=Customized Time Zone:20260701T100000"
    times = []
    for offset in ("+0900", "-0300"):  # two files, one name, other rules
        extra = CUSTOM_ZONE.format(offset=offset).replace("\n", "\r\n")
        (item,) = plan_of(ics(event, extra=extra)).items
        times.append((item.start_at, timefmt.to_local(item.start_at, item.timezone).hour))
    assert times == [
        (datetime(2026, 7, 1, 1, 0, tzinfo=UTC), 10),
        (datetime(2026, 7, 1, 13, 0, tzinfo=UTC), 10),
    ]


# --- matching by UID --------------------------------------------------------------------------


def test_new_update_unchanged_and_sequence(app_ctx):
    plan = plan_of(ics(WEBINAR))
    (item,) = plan.items
    assert item.action == "new" and item.kind == "webinar"
    assert item.registration_url == "https://example.org/webinars/5g-core"
    apply_import(plan, db.session, publish=False)
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    assert event.status == "draft" and event.timezone == "America/New_York"
    assert sorted(c.name for c in event.categories) == ["5G", "Cloud"]
    assert event.slug == "5g-core-webinar-2026-07-01"
    assert plan_of(ics(WEBINAR)).items[0].action == "unchanged"

    renamed = plan_of(ics(WEBINAR.replace("5G Core Webinar", "5G Core Deep Dive")))
    assert renamed.items[0].action == "update"
    assert renamed.items[0].changes == {"title": ("5G Core Webinar", "5G Core Deep Dive")}
    apply_import(renamed, db.session, publish=False)
    db.session.refresh(event)
    assert (event.title, event.sequence) == ("5G Core Deep Dive", 0)

    moved_text = WEBINAR.replace("5G Core Webinar", "5G Core Deep Dive").replace("T14", "T16")
    moved = plan_of(ics(moved_text.replace("T150000", "T170000")))
    assert set(moved.items[0].changes) == {"start_at", "end_at"}
    apply_import(moved, db.session, publish=False)
    db.session.refresh(event)
    assert event.sequence == 1
    assert event.start_at == datetime(2026, 7, 1, 20, 0, tzinfo=UTC)
    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "event", AuditEntry.object_id == event.id
        )
    ).all()
    assert [e.action for e in entries] == ["import", "import", "import"]
    assert json.loads(entries[-1].changes)["start"] == [
        "2026-07-01 14:00 EDT",
        "2026-07-01 16:00 EDT",
    ]


def test_cancelled_in_the_file_cancels_a_published_event(app_ctx):
    apply_import(plan_of(ics(WEBINAR)), db.session, publish=True)
    plan = plan_of(ics(WEBINAR + "\nSTATUS:CANCELLED"))
    assert plan.items[0].changes["status"] == ("published", "cancelled")
    apply_import(plan, db.session, publish=False)
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    assert event.status == "cancelled" and event.sequence == 1


def test_publish_flag_and_all_day(app_ctx):
    data = ics(
        "UID:summit@example.org\nSUMMARY:Fiber Summit\n"
        "DTSTART;VALUE=DATE:20260924\nDTEND;VALUE=DATE:20260927\nLOCATION:Somewhere Hall, Denver"
    )
    apply_import(plan_of(data), db.session, publish=True)
    event = db.session.scalar(select(Event).where(Event.uid == "summit@example.org"))
    assert event.status == "published" and event.all_day and event.kind == "live"
    assert (event.first_day, event.last_day) == (date(2026, 9, 24), date(2026, 9, 26))
    assert event.description.startswith("Location: Somewhere Hall, Denver")


def test_location_matches_an_existing_venue(app_ctx, create_venue):
    venue = create_venue(name="Westin Westminster", city="Denver")
    data = ics(WEBINAR.replace("webinar-1", "w2") + "\nLOCATION:Westin Westminster, Denver")
    (item,) = plan_of(data).items
    assert (item.venue_id, item.kind) == (venue.id, "live")
    assert "Location:" not in item.description


@pytest.mark.parametrize(
    "extra, kind",
    [
        ("LOCATION:Hall 4, Messe Berlin", "live"),
        ("LOCATION:Zoom", "webinar"),
        ("LOCATION:https://zoom.example.com/j/123", "webinar"),
        # The meeting's name and its address: online, the address its join link.
        ("LOCATION:Zoom https://zoom.example.com/j/123", "webinar"),
        ("LOCATION:Microsoft Teams: <https://zoom.example.com/j/123>", "webinar"),
        ("LOCATION:Hall 4 https://zoom.example.com/j/123", "live"),  # a place with a link
        ("URL:https://example.org/join", "webinar"),
        ("LOCATION:TBD", "live"),
        ("", "live"),
    ],
)
def test_kind_follows_the_place_and_the_links(app_ctx, extra, kind):
    data = ics("UID:k@example.org\nSUMMARY:Kind\nDTSTART:20260701T100000Z\n" + extra)
    (item,) = plan_of(data).items
    assert item.kind == kind
    if "zoom.example.com/j/123" in extra and kind == "webinar":
        assert item.online_url == "https://zoom.example.com/j/123"
        assert "Location:" not in item.description


def test_existing_categories_are_reused(app_ctx, create_category):
    five_g = create_category("5G")
    apply_import(plan_of(ics(WEBINAR)), db.session, publish=False)
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    assert five_g in event.categories
    assert db.session.scalar(select(func.count(Category.id))) == 2


def test_a_series_is_kept_with_its_exdates_and_overrides(app_ctx):
    series = (
        "UID:weekly@example.org\nSUMMARY:Weekly briefing\n"
        "DTSTART;TZID=Europe/Paris:20260706T100000\nDTEND;TZID=Europe/Paris:20260706T103000\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Europe/Paris:20260713T100000"
    )
    moved = (
        "UID:weekly@example.org\nSUMMARY:Weekly briefing (moved)\n"
        "RECURRENCE-ID;TZID=Europe/Paris:20260720T100000\n"
        "DTSTART;TZID=Europe/Paris:20260721T110000\nDTEND;TZID=Europe/Paris:20260721T113000"
    )
    (item,) = plan_of(ics(series, moved)).items
    assert item.uid == "weekly@example.org" and item.rule.count == 4
    assert item.exdates == [datetime(2026, 7, 13, 10, 0)]
    (override,) = item.overrides
    assert override.title == "Weekly briefing (moved)"
    assert override.start_at == datetime(2026, 7, 21, 9, 0, tzinfo=UTC)
    apply_import(plan_of(ics(series, moved)), db.session, publish=True)
    master = db.session.scalar(select(Event).where(Event.uid == "weekly@example.org"))
    assert [o.status for o in master.occurrences] == ["published", "cancelled"] + ["published"] * 2
    assert master.occurrences[2].title == "Weekly briefing (moved)"
    assert [i.action for i in plan_of(ics(series, moved)).items] == ["unchanged"]


def test_recurring_events_we_cannot_keep_become_stable_occurrences(app_ctx):
    series = (
        "UID:weekly@example.org\nSUMMARY:Weekly briefing\n"
        "DTSTART;TZID=Europe/Paris:20260706T100000\nDTEND;TZID=Europe/Paris:20260706T103000\n"
        "RRULE:FREQ=WEEKLY;COUNT=4;BYSETPOS=1\nEXDATE;TZID=Europe/Paris:20260713T100000"
    )
    moved = (
        "UID:weekly@example.org\nSUMMARY:Weekly briefing (moved)\n"
        "RECURRENCE-ID;TZID=Europe/Paris:20260720T100000\n"
        "DTSTART;TZID=Europe/Paris:20260721T110000\nDTEND;TZID=Europe/Paris:20260721T113000"
    )
    plan = plan_of(ics(series, moved))
    uids = [i.uid for i in plan.items]
    assert uids == [
        "weekly@example.org/20260706T080000Z",
        "weekly@example.org/20260720T080000Z",
        "weekly@example.org/20260727T080000Z",
    ]
    moved_item = plan.items[1]
    assert moved_item.title == "Weekly briefing (moved)"
    assert moved_item.start_at == datetime(2026, 7, 21, 9, 0, tzinfo=UTC)
    apply_import(plan, db.session, publish=False)
    assert [i.action for i in plan_of(ics(series, moved)).items] == ["unchanged"] * 3


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY"])
@pytest.mark.parametrize("start", ["20260701T100000Z", "20270112T140000Z"])
def test_a_rule_repeating_every_second_or_minute_is_refused(app_ctx, freq, start):
    """Before expanding it: one that starts after the import window opens used to build
    millions of occurrences (minutes of work, most of a gigabyte) before the cap applied."""
    series = f"UID:s@example.org\nSUMMARY:Tick\nDTSTART:{start}\nRRULE:FREQ={freq}"
    plan = plan_of(ics(series, WEBINAR))
    tick, webinar = sorted(plan.items, key=lambda i: i.title != "Tick")
    assert tick.action == "rejected" and tick.reason.startswith("Repeats every")
    assert webinar.action == "new"  # the rest of the file is read


@pytest.mark.parametrize(
    ("rule", "start", "reason"),
    [
        ("FREQ=HOURLY", "19000101T120000Z", "Repeats every hour from 1900-01-01"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "20260101T120000Z", "gives no date"),
        ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "20260101T120000Z", "gives no date"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "20260101T120000Z", "gives no date"),
        ("FREQ=YEARLY;BYMONTH=2", "20260130T120000Z", "gives no date"),  # its day: the 30th
        ("FREQ=MONTHLY;BYMONTH=13", "20260101T120000Z", "gives no date"),
        ("FREQ=DAILY;BYMONTH=13", "20260101T120000Z", "gives no date"),
        ("FREQ=MONTHLY;BYDAY=6MO", "20260101T120000Z", "gives no date"),
        ("FREQ=YEARLY;BYDAY=54MO", "20260101T120000Z", "gives no date"),
        ("FREQ=MONTHLY;BYSETPOS=40;BYDAY=MO", "20260101T120000Z", "gives no date"),
        ("FREQ=DAILY;BYSETPOS=2", "20260101T120000Z", "gives no date"),
        ("FREQ=DAILY;BYMINUTE=0,1,2;BYSECOND=0,30", "20260701T120000Z", "several times an hour"),
    ],
)
def test_a_rule_that_would_take_minutes_to_list_is_refused(app_ctx, rule, start, reason):
    """Before listing: dateutil goes one hour or day at a time from DTSTART, and looks for a
    February 30th day by day until the year 9999 (10 s to minutes for each such event)."""
    import time

    series = f"UID:s@example.org\nSUMMARY:Odd\nDTSTART:{start}\nRRULE:{rule}"
    began = time.perf_counter()
    plan = plan_of(ics(series, WEBINAR))
    assert time.perf_counter() - began < 4
    odd = item_by_uid(plan, "s@example.org")
    assert odd.action == "rejected" and reason in odd.reason
    assert item_by_uid(plan, "webinar-1").action == "new"  # the rest of the file is read


def test_an_uploads_series_make_at_most_so_many_dates(app_ctx):
    """A 13 KB file of 100 daily series made 88,500 events and took a minute and a half to
    confirm; the series past the limit are refused, and the rest of the file is read."""
    app_ctx.config["NOW"] = NOW  # the dates are made up to two years from today
    daily = "UID:daily-{n}@example.org\nSUMMARY:Daily {n}\n" + (
        "DTSTART:20260701T120000Z\nDTEND:20260701T130000Z\nRRULE:FREQ=DAILY;COUNT=5000"
    )
    plan = plan_of(ics(*(daily.format(n=n) for n in range(40)), WEBINAR))
    kept = [i for i in plan.items if i.rule is not None]
    refused = [i for i in plan.items if i.action == "rejected"]
    assert kept and refused and len(kept) + len(refused) == 40
    assert all("the most one upload may" in i.reason for i in refused)
    assert item_by_uid(plan, "webinar-1").action == "new"
    apply_import(plan, db.session, publish=False)
    made = db.session.scalar(select(func.count(Event.id)).where(Event.title.like("Daily %")))
    assert made <= ics_reader.MAX_SERIES_DATES + len(kept)  # dates, and each series' master


def test_a_rule_whose_until_is_centuries_away_is_refused_without_listing_its_dates(
    app_ctx, monkeypatch
):
    """Its dates are listed up to the cap only: listing a daily rule from 1900 to UNTIL=2999
    (400,000 dates) took seconds for each such event in a file."""
    from events_app import recurrence

    listed: list[int] = []
    wall_starts = recurrence.wall_starts

    def counting(*args, **kwargs):
        starts = wall_starts(*args, **kwargs)
        listed.append(len(starts))
        return starts

    monkeypatch.setattr(recurrence, "wall_starts", counting)
    series = (
        "UID:s@example.org\nSUMMARY:Daily\nDTSTART:19000101T120000Z\nDTEND:19000101T130000Z\n"
        "RRULE:FREQ=DAILY;UNTIL=29991231T000000Z"
    )
    (daily,) = plan_of(ics(series)).items
    assert daily.action == "rejected" and "repeats more than" in daily.reason
    assert max(listed) <= recurrence.MAX_OCCURRENCES + 1


@pytest.mark.parametrize("interval", ["0", "-2", "x"])
def test_a_rule_with_a_bad_interval_is_refused_in_the_preview_not_at_confirm(app_ctx, interval):
    """INTERVAL=0 repeats one date; its occurrences could not be saved, and the confirm step
    failed for the whole file with the database's message."""
    series = WEBINAR.replace("webinar-1", "weekly") + f"\nRRULE:FREQ=WEEKLY;INTERVAL={interval}"
    plan = plan_of(ics(series, WEBINAR))
    weekly = item_by_uid(plan, "weekly")
    assert weekly.action == "rejected"
    assert "RRULE" in weekly.reason or "INTERVAL" in weekly.reason
    apply_import(plan, db.session, publish=False)
    assert db.session.scalar(select(Event.title).where(Event.uid == "webinar-1@example.org"))


def test_a_rule_repeating_every_hour_is_cut_at_the_cap(app_ctx):
    series = "UID:s@example.org\nSUMMARY:Tick\nDTSTART:20270112T140000Z\nRRULE:FREQ=HOURLY"
    plan = plan_of(ics(series))
    assert len(plan.items) == ics_reader.MAX_OCCURRENCES_PER_SERIES
    assert any("repeats more than" in w for w in plan.warnings)


def test_a_rule_expanded_from_long_ago_is_listed_in_moments(app_ctx):
    """Weekdays since 1980, a rule kept as separate events: its dates before the window are
    listed a few times, not once for every quarter hour of the window (17 s from 1990)."""
    import time

    series = (
        "UID:s@example.org\nSUMMARY:Standup\nDTSTART:19800102T140000Z\n"
        "DTEND:19800102T143000Z\nRRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    )
    began = time.perf_counter()
    plan = plan_of(ics(series))
    assert time.perf_counter() - began < 4
    assert len(plan.items) == ics_reader.MAX_OCCURRENCES_PER_SERIES
    starts = sorted(i.start_at for i in plan.items)
    assert starts[0] >= NOW - timedelta(days=92) and starts[-1] - starts[0] < timedelta(days=600)
    assert all(s.weekday() < 5 for s in starts)


def test_long_uids_fit_the_column(app_ctx):
    long_uid = "x" * 400
    single = plan_of(ics(WEBINAR.replace("webinar-1@example.org", long_uid))).items[0]
    assert len(single.uid) <= 255 and single.action == "new"
    kept = WEBINAR.replace("webinar-1@example.org", long_uid) + "\nRRULE:FREQ=DAILY;COUNT=2"
    (series_item,) = plan_of(ics(kept)).items
    assert len(series_item.uid) <= 255 and series_item.rule is not None
    series = kept + "\nRDATE;TZID=America/New_York:20260710T140000"  # expanded, not kept
    uids = [i.uid for i in plan_of(ics(series)).items]
    assert len(set(uids)) == 3 and all(len(u) <= 255 for u in uids)
    assert uids[0].endswith("/20260701T180000Z")


def test_apply_is_all_or_nothing(app_ctx, create_event):
    second = WEBINAR.replace("webinar-1", "webinar-2").replace("5G Core", "Optical")
    plan = plan_of(ics(WEBINAR, second))
    assert plan.counts()["new"] == 2
    # Someone else creates an event with the second UID between preview and confirm.
    create_event(uid="webinar-2@example.org", title="Created meanwhile")
    with pytest.raises(ImportFailed):
        apply_import(plan, db.session, publish=False)
    titles = db.session.scalars(select(Event.title)).all()
    assert titles == ["Created meanwhile"]
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
    assert db.session.scalar(select(func.count(Category.id))) == 0


# --- pieces -----------------------------------------------------------------------------------


def test_windows_zone_names_map_by_the_table_icalendar_ships():
    assert not (REPO_ROOT / "events_app" / "windows_zones.py").exists()  # no copy of our own
    assert ics_zones.WINDOWS_TO_OLSON is WINDOWS_TO_OLSON
    assert WINDOWS_TO_OLSON["Pacific Standard Time"] == "America/Los_Angeles"
    assert ics_zones.iana_name("W. Europe Standard Time") == "Europe/Berlin"
    assert ics_zones.iana_name("w. europe standard time") == "Europe/Berlin"
    assert ics_zones.iana_name("Central European Standard Time") == "Europe/Warsaw"
    assert all(ics_zones.iana_name(v) == v for v in WINDOWS_TO_OLSON.values())
    assert ics_zones.iana_name('"Eastern Standard Time"') == "America/New_York"
    assert ics_zones.iana_name("/mozilla.org/20050126_1/Europe/Berlin") == "Europe/Berlin"
    assert ics_zones.iana_name("Customized Time Zone") is None


def repaired(text: str) -> list[str]:
    return list(ics_lines.repair_content_lines(text.replace("\r\n", "\n").split("\n")))


def test_repair_content_lines_unfolds_tabs_and_lost_indents():
    text = (
        "BEGIN:VCALENDAR\nDESCRIPTION:ab\n\tcd\nORGANIZER:x;CN=Da\nl L:mailto:a\nRRULE:\n"
        "END:VCALENDAR"
    )
    assert repaired(text) == [
        "BEGIN:VCALENDAR",
        "DESCRIPTION:abcd",
        "ORGANIZER:x;CN=Dal L:mailto:a",
        "END:VCALENDAR",
    ]


def test_repair_content_lines_unfolds_right_after_a_property_name():
    text = "BEGIN:VCALENDAR\r\nPRODID\r\n :-//Example//EN\r\nVERSION\r\n\t:2.0\r\nX-A;X\r\n =1:b"
    assert repaired(text) == [
        "BEGIN:VCALENDAR",
        "PRODID:-//Example//EN",
        "VERSION:2.0",
        "X-A;X=1:b",
    ]
    assert not hasattr(ics_reader, "clean_text")  # the name three unrelated functions share


FOLDED_AFTER_NAME = (
    b"BEGIN:VCALENDAR\r\nPRODID\r\n :-//Example Corp.//CalDAV Server//EN\r\nVERSION:2.0\r\n"
    b"BEGIN:VEVENT\r\nUID\r\n :folded@example.org\r\nSUMMARY:Folded\r\n"
    b"DTSTART:20260701T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_file_folded_right_after_a_property_name_imports(app_ctx):
    calendar = icalendar.Calendar.from_ical(FOLDED_AFTER_NAME)  # valid RFC 5545, as icalendar says
    assert str(calendar["PRODID"]) == "-//Example Corp.//CalDAV Server//EN"
    plan = plan_of(FOLDED_AFTER_NAME)
    assert plan.error == ""
    assert [(i.uid, i.title, i.action) for i in plan.items] == [
        ("folded@example.org", "Folded", "new")
    ]


def test_lines_after_end_vcalendar_and_a_second_calendar(app_ctx):
    data = ics(WEBINAR) + b"X-TRAILING:junk\r\n" + ics(WEBINAR.replace("webinar-1", "webinar-9"))
    assert sorted(i.uid for i in plan_of(data).items) == [
        "webinar-1@example.org",
        "webinar-9@example.org",
    ]


def test_events_of_a_calendar_nested_in_a_calendar_are_read(app_ctx):
    """Some exporters wrap a calendar in another: its events, and the outer one's after it."""
    inner = ics(WEBINAR.replace("webinar-1", "webinar-2"))
    outer = ics(WEBINAR, WEBINAR.replace("webinar-1", "webinar-3")).decode()
    first_end = outer.index("END:VEVENT\r\n") + len("END:VEVENT\r\n")
    data = (outer[:first_end] + inner.decode() + outer[first_end:]).encode()
    assert data.count(b"BEGIN:VCALENDAR") == 2
    plan = plan_of(data)
    assert plan.error == ""
    assert [(i.uid, i.action) for i in plan.items] == [
        ("webinar-1@example.org", "new"),
        ("webinar-2@example.org", "new"),
        ("webinar-3@example.org", "new"),
    ]
    only_nested = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + inner + b"END:VCALENDAR\r\n"
    assert [i.uid for i in plan_of(only_nested).items] == ["webinar-2@example.org"]


def test_a_file_cut_off_inside_an_event_rejects_only_that_event(app_ctx):
    data = ics(WEBINAR) + b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:cut\r\nSUMMARY:Cut"
    plan = plan_of(data)
    assert [(i.uid, i.action) for i in plan.items] == [
        ("webinar-1@example.org", "new"),
        ("cut", "rejected"),
    ]
    assert "ends inside this event" in plan.items[1].reason


def test_control_characters_are_dropped_and_a_reimport_is_unchanged(app_ctx):
    raw = WEBINAR.replace("SUMMARY:5G Core Webinar", "SUMMARY:5G\x01 Core\x1b Webinar")
    plan = plan_of(ics(raw))
    assert plan.items[0].title == "5G Core Webinar"
    apply_import(plan, db.session, publish=False)
    assert [i.action for i in plan_of(ics(raw)).items] == ["unchanged"]
