"""The .ics importer: every real-world sample, instants, idempotence, updates, rejections."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select

from events_app.extensions import db
from events_app.importing import reader as ics_reader
from events_app.importing import zones as ics_zones
from events_app.importing.plan import ACTIONS, ImportFailed, apply_import, plan_import
from events_app.models import AuditEntry, Category, Event
from events_app.windows_zones import WINDOWS_ZONES
from tests.conftest import NOW

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_NAMES = (
    "ical.js__google_birthday.ics",
    "ical.js__multiple_rrules.ics",
    "ical__apple_ical.ics",
    "ical__google_calendar_public_holidays.ics",
    "ical__office_356_custom_timezone.ics",
    "ical__office_365_extended_timezone.ics",
    "icalendar__issue_165_missing_event.ics",
    "icalendar__issue_350.ics",
    "khal__event_dt_mixed_awareness.ics",
    "khal__non_dst_error.ics",
    "python-recurring-ical-events__Germany_Holidays.ics",
    "python-recurring-ical-events__discourse_no_dtend.ics",
    "python-recurring-ical-events__each_week_but_two_deleted.ics",
    "python-recurring-ical-events__fablab_cottbus.ics",
    "python-recurring-ical-events__issue_223_thunderbird.ics",
    "python-recurring-ical-events__issue_28_rrule_with_UTC_endinginZ.ics",
    "python-recurring-ical-events__issue_61_time_zone_error.ics",
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
    folder = samples_dir()
    if folder is None or not (folder / name).is_file():
        message = f"import sample {name} not found (set IMPORT_SAMPLES_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
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
            if item.all_day:
                assert item.first_day <= item.last_day
    summary = apply_import(plan, db.session, publish=False)
    assert summary.created == plan.counts()["new"]
    for item in plan.items:
        if item.action == "new":
            event = db.session.scalar(select(Event).where(Event.uid == item.uid))
            assert event.status == "draft"
            assert event.all_day == item.all_day
            assert (event.start_at, event.end_at) == (item.start_at, item.end_at)
    again = plan_of(data, **WIDE)
    assert {i.action for i in again.items} <= {"unchanged", "rejected"}
    assert again.counts()["unchanged"] == plan.counts()["new"]


def test_all_samples_are_there():
    folder = samples_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("shared/import-samples not found")
        pytest.skip("shared/import-samples not found (set IMPORT_SAMPLES_DIR)")
    assert {p.name for p in folder.glob("*.ics")} >= set(SAMPLE_NAMES)


def first_vevent_start(data: bytes, uid_prefix: str) -> datetime:
    cal = icalendar.Calendar.from_ical(data)
    event = next(e for e in cal.walk("VEVENT") if str(e.get("UID", "")).startswith(uid_prefix))
    return event["DTSTART"].dt


def test_outlook_windows_zone_with_vtimezone_keeps_instant_and_gets_iana_zone(app_ctx):
    data = sample("ical__office_356_custom_timezone.ics")
    plan = plan_of(data, **WIDE)
    uid = "040000008200E00074C5B7101A82E0080000000032281124038FDA"
    item = item_by_uid(plan, uid + "01000000000000000010000000BE5193C6B024BB458D91AD30FFFD71BF/")
    assert item.title == "Zajęty"
    assert item.timezone == "Europe/Warsaw"  # CLDR: Central European Standard Time
    expected = first_vevent_start(data, uid).astimezone(UTC)  # icalendar, via the VTIMEZONE
    assert item.start_at == expected == datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    assert item.end_at - item.start_at == timedelta(hours=1)
    # EXDATE 2024-12-31 15:00 of the second series is not an occurrence.
    stamps = {i.uid.rsplit("/", 1)[1] for i in plan.items}
    assert "20241231T140000Z" not in stamps and "20241217T140000Z" in stamps


def test_windows_zone_without_vtimezone(app_ctx):
    plan = plan_of(sample("ical__office_365_extended_timezone.ics"), **WIDE)
    (item,) = plan.items
    assert item.timezone == "Europe/Berlin"
    expected = datetime(2024, 4, 26, 14, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert item.start_at == expected


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
    assert any("only the first" in w for w in plan.warnings)  # the endless daily series


def test_utc_stays_utc_and_tab_folding(app_ctx):
    (item,) = plan_of(sample("icalendar__issue_350.ics"), **WIDE).items
    assert item.timezone == "UTC"
    assert item.start_at == datetime(2022, 2, 22, 18, 30, tzinfo=UTC)
    assert item.registration_url.endswith("/apps/calendar/items/5")  # TAB-folded URL
    assert item.kind == "webinar"  # LOCATION:online and a link


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


def test_bare_dates_and_dtend_equal_to_dtstart_are_one_day(app_ctx):
    plan = plan_of(sample("python-recurring-ical-events__Germany_Holidays.ics"), **WIDE)
    new_year = plan.items[0]
    assert new_year.all_day and new_year.first_day == new_year.last_day == date(2019, 1, 1)
    assert new_year.timezone == "Etc/GMT"


def test_exdates_and_moved_occurrences(app_ctx):
    weekly = plan_of(sample("python-recurring-ical-events__each_week_but_two_deleted.ics"), **WIDE)
    assert len(weekly.items) == 6  # COUNT=8 minus two EXDATEs
    stamps = {i.uid.split("/")[1] for i in weekly.items}
    assert "20190310T233000Z" not in stamps and "20190324T233000Z" not in stamps
    thunderbird = plan_of(sample("python-recurring-ical-events__issue_223_thunderbird.ics"), **WIDE)
    moved = item_by_uid(thunderbird, "b143dcdc-2154-49a8-abea-5c64310ebabd/20250424T080000Z")
    assert moved.start_at == datetime(2025, 4, 24, 10, 0, tzinfo=UTC)


def test_single_past_events_import_whatever_their_date(app_ctx):
    plan = plan_of(sample("khal__non_dst_error.ics"))  # February 2023, NOW is June 2026
    assert [i.action for i in plan.items] == ["new", "new"]


def test_recurring_series_outside_the_window_is_rejected_with_the_reason(app_ctx):
    plan = plan_of(sample("python-recurring-ical-events__each_week_but_two_deleted.ics"))  # 2019
    assert [i.action for i in plan.items] == ["rejected"]
    assert "no occurrence inside the import window" in plan.items[0].reason


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


def test_broken_events_are_rejected_one_by_one_with_reasons(app_ctx):
    data = ics(
        WEBINAR,
        "UID:no-start\nSUMMARY:No start",
        "UID:backwards\nSUMMARY:Backwards\nDTSTART:20260701T100000Z\nDTEND:20260701T090000Z",
        "UID:mars\nSUMMARY:Mars\nDTSTART;TZID=Mars/Olympus:20260701T100000",
        "UID:untitled\nDTSTART:20260701T100000Z",
        "UID:floating\nSUMMARY:Floating\nDTSTART:20260701T100000",
    )
    plan = plan_of(data)
    reasons = {i.uid: i.reason for i in plan.items if i.action == "rejected"}
    assert reasons == {
        "no-start": "No DTSTART (the event has no start).",
        "backwards": "The end is before the start.",
        "mars": "Unknown time zone 'Mars/Olympus'.",
        "untitled": "Summary missing (the event has no title).",
        "floating": "Floating time with no time zone (no TZID, no X-WR-TIMEZONE).",
    }
    assert item_by_uid(plan, "webinar-1").action == "new"


def test_floating_times_use_x_wr_timezone(app_ctx):
    data = ics(
        "UID:f1\nSUMMARY:Breakfast\nDTSTART:20260701T080000\nDURATION:PT90M",
        extra="X-WR-TIMEZONE:Europe/London\r\n",
    )
    (item,) = plan_of(data).items
    assert item.timezone == "Europe/London"
    assert item.start_at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert item.end_at - item.start_at == timedelta(minutes=90)


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
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == event.id)).all()
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
        ("URL:https://example.org/join", "webinar"),
        ("LOCATION:TBD", "live"),
        ("", "live"),
    ],
)
def test_kind_follows_the_place_and_the_links(app_ctx, extra, kind):
    data = ics("UID:k@example.org\nSUMMARY:Kind\nDTSTART:20260701T100000Z\n" + extra)
    (item,) = plan_of(data).items
    assert item.kind == kind


def test_existing_categories_are_reused(app_ctx, create_category):
    five_g = create_category("5G")
    apply_import(plan_of(ics(WEBINAR)), db.session, publish=False)
    event = db.session.scalar(select(Event).where(Event.uid == "webinar-1@example.org"))
    assert five_g in event.categories
    assert db.session.scalar(select(func.count(Category.id))) == 2


def test_recurring_series_become_stable_occurrences(app_ctx):
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


def test_a_rule_repeating_every_second_is_cut_at_the_cap(app_ctx):
    series = "UID:s@example.org\nSUMMARY:Tick\nDTSTART:20260701T100000Z\nRRULE:FREQ=SECONDLY"
    plan = plan_of(ics(series))
    assert len(plan.items) == ics_reader.MAX_OCCURRENCES_PER_SERIES
    assert any("repeats more than" in w for w in plan.warnings)


def test_long_uids_fit_the_column(app_ctx):
    long_uid = "x" * 400
    single = plan_of(ics(WEBINAR.replace("webinar-1@example.org", long_uid))).items[0]
    assert len(single.uid) <= 255 and single.action == "new"
    series = WEBINAR.replace("webinar-1@example.org", long_uid) + "\nRRULE:FREQ=DAILY;COUNT=2"
    uids = [i.uid for i in plan_of(ics(series)).items]
    assert len(set(uids)) == 2 and all(len(u) <= 255 for u in uids)
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


def test_windows_zone_mapping():
    assert WINDOWS_ZONES["Pacific Standard Time"] == "America/Los_Angeles"
    assert WINDOWS_ZONES["W. Europe Standard Time"] == "Europe/Berlin"
    assert all(ics_zones.iana_name(v) == v for v in WINDOWS_ZONES.values())
    assert ics_zones.iana_name('"Eastern Standard Time"') == "America/New_York"
    assert ics_zones.iana_name("/mozilla.org/20050126_1/Europe/Berlin") == "Europe/Berlin"
    assert ics_zones.iana_name("Customized Time Zone") is None


def test_clean_text_unfolds_tabs_and_lost_indents():
    text = (
        "BEGIN:VCALENDAR\nDESCRIPTION:ab\n\tcd\nORGANIZER:x;CN=Da\nl L:mailto:a\nRRULE:\n"
        "END:VCALENDAR\nX:1"
    )
    assert ics_reader.clean_text(text).split("\r\n") == [
        "BEGIN:VCALENDAR",
        "DESCRIPTION:abcd",
        "ORGANIZER:x;CN=Dal L:mailto:a",
        "END:VCALENDAR",
        "",
    ]


# --- the command ------------------------------------------------------------------------------


def test_cli_dry_run_then_import_then_reimport(app, runner, tmp_path):
    start = datetime.now(UTC) + timedelta(days=30)
    path = tmp_path / "events.ics"
    path.write_bytes(
        ics(
            WEBINAR.replace("20260701T14", f"{start:%Y%m%d}T14").replace(
                "20260701T15", f"{start:%Y%m%d}T15"
            ),
            "UID:bad@example.org\nSUMMARY:Broken\nDTSTART;TZID=Nowhere/Land:20260701T100000",
        )
    )
    result = runner.invoke(args=["import-ics", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "new" in result.output and "5G Core Webinar" in result.output
    assert "Unknown time zone 'Nowhere/Land'" in result.output
    assert "Dry run" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 0

    result = runner.invoke(args=["import-ics", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.title, event.status) == ("5G Core Webinar", "published")

    result = runner.invoke(args=["import-ics", str(path)])
    assert "1 unchanged" in result.output and "0 created" in result.output


def test_cli_refuses_a_file_that_is_not_ics(runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes")
    result = runner.invoke(args=["import-ics", str(path)])
    assert result.exit_code != 0
    assert "not an iCalendar" in result.output
