import re
import sqlite3
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from events_app import create_app
from events_app.auth import MAX_FAILURES
from events_app.extensions import db
from events_app.importing import bulk
from events_app.importing import reader as ics_reader
from events_app.importing.apply import ImportFailed
from events_app.models import AuditEntry, Category, Event, User
from tests.conftest import NOW, STAFF_PASSWORD, _base_config
from tests.test_importer import WEBINAR, ics


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_create_user_with_piped_password(runner, app_ctx):
    result = runner.invoke(
        args=["create-user", "Boss@Example.com", "--role", "admin", "--name", "The Boss"],
        input="a long secret phrase\na long secret phrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    user = _user("boss@example.com")
    assert user.role == "admin" and user.display_name == "The Boss" and user.active
    assert "a long secret phrase" not in user.password_hash


def test_a_password_piped_in_once_is_taken_without_prompts_or_echo_warnings(runner, app_ctx):
    result = runner.invoke(args=["create-user", "once@example.com"], input="ten chars!!\n")
    assert result.exit_code == 0, result.output
    assert result.output == "Created editor once@example.com.\n"
    assert _user("once@example.com") is not None


def test_create_user_defaults_to_editor(runner, app_ctx):
    result = runner.invoke(args=["create-user", "ed@example.com"], input="ten chars!!\n" * 2)
    assert result.exit_code == 0, result.output
    assert _user("ed@example.com").role == "editor"


def test_create_user_refuses_mismatch_short_duplicate_and_bad_email(runner, app_ctx):
    result = runner.invoke(args=["create-user", "x@example.com"], input="long password 1\nother\n")
    assert result.exit_code != 0 and "differ" in result.output
    result = runner.invoke(args=["create-user", "x@example.com"], input="")
    assert result.exit_code != 0 and "No password" in result.output
    assert _user("x@example.com") is None
    result = runner.invoke(args=["create-user", "x@example.com"], input="short\nshort\n")
    assert result.exit_code != 0 and "10 to 1000 characters" in result.output
    result = runner.invoke(args=["create-user", "x@example.com"], input="y" * 1001 + "\n")
    assert result.exit_code != 0 and "10 to 1000 characters" in result.output
    invisible = ["create-user", "x@example.com", "--name", "\u200b"]
    result = runner.invoke(args=invisible, input="long password 1\n")
    assert result.exit_code != 0 and "a name people can see" in result.output
    runner.invoke(args=["create-user", "x@example.com"], input="long password 1\n" * 2)
    result = runner.invoke(args=["create-user", "x@example.com"], input="long password 2\n" * 2)
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["create-user", "not-an-email"], input="long password 1\n" * 2)
    assert result.exit_code != 0
    result = runner.invoke(args=["create-user", "y@example.com", "--role", "owner"])
    assert result.exit_code != 0
    # As the form: a name too long is refused, not cut; an address with a control character
    # (which no one could type to sign in) is no address; controls in a name are dropped.
    long_name = ["create-user", "z@example.com", "--name", "N" * 101]
    result = runner.invoke(args=long_name, input="long password 1\n")
    assert result.exit_code != 0 and "100 characters or fewer: it has 101" in result.output
    result = runner.invoke(args=["create-user", "z@example.com\x01"], input="long password 1\n")
    assert result.exit_code != 0 and "is not an email address" in result.output
    odd = ["create-user", "z@example.com", "--name", "Zoe\x01 Lee"]
    assert runner.invoke(args=odd, input="long password 1\n").exit_code == 0
    assert _user("z@example.com").display_name == "Zoe Lee"


def test_create_user_says_what_is_wrong_before_asking_for_the_password(runner, app_ctx):
    """A mistyped address or an account that exists was said only after the password had
    been typed twice (here: nothing piped in, which it then complained about instead)."""
    runner.invoke(args=["create-user", "taken@example.com"], input="long password 1\n")
    for args, words in (
        (["create-user", "not-an-email"], "'not-an-email' is not an email address."),
        (["create-user", "Taken@example.com"], "A staff account for taken@example.com already"),
        (["create-user", "new@example.com", "--name", "\u200b"], "a name people can see"),
    ):
        result = runner.invoke(args=args, input="")
        assert result.exit_code != 0 and words in result.output, result.output
        assert "password" not in result.output.lower(), result.output


def test_set_password_lets_a_locked_out_admin_back_in_and_signs_out_the_rest(
    app, runner, client, auth, create_user
):
    """An admin who lost their password (and guessed at it until throttled) gets a new one from
    the command line: the old one and every session stop working, the new one signs in."""
    create_user("boss@example.com", STAFF_PASSWORD, role="admin")
    elsewhere = app.test_client()
    elsewhere.post("/staff/login", data={"email": "boss@example.com", "password": STAFF_PASSWORD})
    assert elsewhere.get("/staff/").status_code == 200
    for _ in range(MAX_FAILURES):
        auth.login("boss@example.com", "a wrong guess")
    assert auth.login("boss@example.com", STAFF_PASSWORD).status_code == 429

    piped = "a new long passphrase\n" * 2
    result = runner.invoke(args=["set-password", " Boss@Example.com "], input=piped)
    assert result.exit_code == 0, result.output
    assert (
        result.output == "Set a new password for boss@example.com; its sessions are signed out.\n"
    )
    assert elsewhere.get("/staff/").status_code == 302  # signed out
    assert auth.login("boss@example.com", STAFF_PASSWORD).status_code == 200  # refused, not 429
    assert auth.login("boss@example.com", "a new long passphrase").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "user"))
    assert (entry.action, entry.user_email, entry.changes) == (
        "update",
        "",
        '{"password": ["(old)", "(reset)"]}',
    )


def test_set_password_refuses_an_unknown_email_and_a_password_create_user_would(
    runner, create_user
):
    """Nothing is asked for an email with no account; a password is checked as create-user
    checks it (the same rule), and a refused one changes nothing."""
    user = create_user("ed@example.com")
    before = (user.password_hash, user.session_version)
    result = runner.invoke(args=["set-password", "nobody@example.com"], input="")
    assert result.exit_code == 1
    assert result.output == "Error: No staff account has the email nobody@example.com.\n"
    refusals = {
        "short\nshort\n": "The password needs 10 to",
        "long password 1\nother one\n": "The two passwords piped in differ.",
        "": "No password on standard input.",
    }
    for piped, said in refusals.items():
        result = runner.invoke(args=["set-password", "ed@example.com"], input=piped)
        assert result.exit_code == 1 and said in result.output, (piped, result.output)
    db.session.refresh(user)
    assert (user.password_hash, user.session_version) == before


def test_a_database_without_tables_is_named_in_the_message(tmp_path):
    """A typo in DATABASE_URL makes a new, empty SQLite file: being told only "this database
    has no tables yet: run flask db upgrade" led to migrating the wrong file."""
    typo = tmp_path / "event.sqlite"
    app = create_app(_base_config(f"sqlite:///{typo}", tmp_path))
    for args in (["tz-refresh"], ["backup", str(tmp_path / "b.sqlite")], ["import-site", __file__]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert f"Error: The database sqlite:///{typo} has no tables yet" in result.output, args


def test_every_command_says_what_it_does_in_the_list(runner):
    """`flask --help` listed `feeds` with no words beside it."""
    result = runner.invoke(args=["--help"])
    commands = result.output.split("Commands:")[1].splitlines()
    listed = {line.split()[0]: line.split()[1:] for line in commands if line.strip()}
    assert "feeds" in listed and "backup" in listed
    assert [name for name, words in listed.items() if not words] == []


def test_a_backup_and_an_export_given_to_each_others_command_say_which_to_use(runner, tmp_path):
    """Moving a site, an export given to `restore` (or a backup to `import-site`) was only
    "not a backup of this site (file is not a database)"."""
    export = tmp_path / "site.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("site.json", "{}")
    backup = tmp_path / "events.sqlite"
    sqlite3.connect(backup).execute("CREATE TABLE t (x)").connection.close()
    if runner.app.config["SQLALCHEMY_ENGINES"]["default"].startswith("sqlite"):
        result = runner.invoke(args=["restore", str(export), "--yes"])  # PostgreSQL: pg_restore
        assert result.exit_code == 1
        assert "It is a zip, an export: load it with `flask import-site`." in result.output
    result = runner.invoke(args=["import-site", str(backup)])
    assert result.exit_code == 1
    assert "It is a SQLite database, a backup: load it with `flask restore`." in result.output
    result = runner.invoke(args=["import-site", __file__])
    assert result.exit_code == 1 and "It is" not in result.output


# --- import-ics -------------------------------------------------------------------------------


def test_import_ics_dry_run_then_import_then_reimport(app, runner, tmp_path):
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
    assert "new" in result.stdout and "5G Core Webinar" in result.stdout
    assert "Unknown time zone 'Nowhere/Land'" in result.stdout
    assert "Dry run: nothing was written" in result.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 0

    result = runner.invoke(args=["import-ics", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 created" in result.stdout
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.title, event.status) == ("5G Core Webinar", "published")

    result = runner.invoke(args=["import-ics", str(path)])
    assert "0 created, 0 updated, 1 unchanged, 1 rejected" in result.stdout


def test_import_ics_records_what_the_file_now_agrees_with(app, runner, tmp_path, editor):
    """A title staff changed on the site that the next file has too: the import says so and
    records it, so the file after that, changing it back, is applied."""
    from events_app import audit

    day = f"{datetime.now(UTC) + timedelta(days=30):%Y%m%d}"
    webinar = WEBINAR.replace("20260701T", f"{day}T")
    path = tmp_path / "events.ics"
    path.write_bytes(ics(webinar))
    assert runner.invoke(args=["import-ics", str(path), "--publish"]).exit_code == 0
    new_title = "5G Core Webinar: new speaker"
    with app.app_context():  # saved on the site, as the edit form saves it
        event = db.session.scalar(select(Event))
        changes = {"title": [event.title, new_title]}
        audit.record("update", event, changes, db.session.get(User, editor.id))
        event.title = new_title
        db.session.commit()

    path.write_bytes(ics(webinar.replace("SUMMARY:5G Core Webinar", f"SUMMARY:{new_title}")))
    result = runner.invoke(args=["import-ics", str(path)])
    assert result.exit_code == 0, result.output
    assert "the file now agrees with the site's title" in result.stdout
    assert "0 created, 1 updated, 0 unchanged" in result.stdout

    path.write_bytes(ics(webinar))  # the organiser changes it back
    result = runner.invoke(args=["import-ics", str(path)])
    assert "changes: title" in result.stdout, result.stdout
    with app.app_context():
        assert db.session.scalar(select(Event.title)) == "5G Core Webinar"


def test_import_ics_refuses_a_file_that_is_not_ics(runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes")
    result = runner.invoke(args=["import-ics", str(path)])
    assert result.exit_code == 1
    assert "Cannot import: This is not an iCalendar" in result.output


def big_calendar(path: Path, singles: int) -> int:
    """A migration-sized export: `singles` single events with some text each, a weekly series
    whose moved occurrence sits at the very end of the file, and one UID used twice. Returns
    how many events it should import as."""
    padding = "Agenda, speakers and how to join. " * 8
    with path.open("w", newline="") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Old Site//Export//EN\r\n")
        f.write(
            "BEGIN:VEVENT\r\nUID:series@old.example\r\nSUMMARY:Weekly show\r\n"
            "DTSTART;TZID=Europe/Paris:20260706T100000\r\nDURATION:PT1H\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"
        )
        for n in range(singles):
            day = date(2026, 7, 1) + timedelta(days=n % 600)
            f.write(
                f"BEGIN:VEVENT\r\nUID:event-{n}@old.example\r\nSUMMARY:Event number {n}\r\n"
                f"DTSTART;TZID=America/New_York:{day:%Y%m%d}T140000\r\n"
                f"DTEND;TZID=America/New_York:{day:%Y%m%d}T150000\r\n"
                f"DESCRIPTION:{padding}\r\nCATEGORIES:Cat {n % 7}\r\nEND:VEVENT\r\n"
            )
        f.write(
            "BEGIN:VEVENT\r\nUID:event-0@old.example\r\nSEQUENCE:2\r\n"
            "SUMMARY:Event zero, edited\r\n"
            "DTSTART;TZID=America/New_York:20260701T140000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:series@old.example\r\nSUMMARY:Weekly show (moved)\r\n"
            "RECURRENCE-ID;TZID=Europe/Paris:20260713T100000\r\n"
            "DTSTART;TZID=Europe/Paris:20260714T110000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
        )
        f.write("END:VCALENDAR\r\n")
    return singles + 1  # the weekly show stays one series


def test_import_ics_takes_a_file_bigger_than_the_upload_limit(app, runner, tmp_path):
    app.config["NOW"] = NOW
    path = tmp_path / "migration.ics"
    expected = big_calendar(path, 3100)
    assert path.stat().st_size > ics_reader.MAX_FILE_BYTES and expected > ics_reader.MAX_EVENTS

    result = runner.invoke(args=["import-ics", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "Reading migration.ics (1.5 MB)..." in result.stderr
    assert "Importing 3,103 VEVENTs" in result.stderr  # the progress bar, not in the report
    assert "VEVENTs" not in result.stdout
    assert re.search(
        r"^Imported: 3,101 created, 0 updated, 0 unchanged, 0 rejected in ", result.stdout, re.M
    )
    assert len(result.stdout.splitlines()) < 60  # the first events, not all of them
    assert "... and 3,081 more new (--verbose lists them)" in result.stdout
    with app.app_context():
        occurrences = select(func.count(Event.id)).where(Event.series_id.is_not(None))
        assert db.session.scalar(select(func.count(Event.id))) == expected + 3
        assert db.session.scalar(occurrences) == 3
        zero = db.session.scalar(select(Event).where(Event.uid == "event-0@old.example"))
        assert zero.title == "Event zero, edited"  # the later SEQUENCE of the twice-used UID
        moved = db.session.scalar(select(Event).where(Event.title == "Weekly show (moved)"))
        assert moved.series.uid == "series@old.example"
        assert moved.start_at == datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.object_type == "event")
            )
            == expected
        )

    again = runner.invoke(args=["import-ics", str(path), "--dry-run", "--verbose"])
    assert again.exit_code == 0, again.output
    assert "0 new, 0 update, 3,101 unchanged, 0 rejected" in again.stdout
    assert sum(1 for line in again.stdout.splitlines() if line.startswith("unchanged ")) == 3101


FLOATING = "UID:floating@example.org\nSUMMARY:Floating\nDTSTART:20260701T100000\nDURATION:PT1H"


def test_import_ics_reads_floating_times_in_the_zone_chosen(app, runner, tmp_path):
    path = tmp_path / "floating.ics"
    path.write_bytes(ics(FLOATING))
    app.config["SITE_TIMEZONE"] = "America/New_York"
    result = runner.invoke(args=["import-ics", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Floating times read as America/New_York (no time zone in the file): 1 event." in (
        result.stdout
    )

    result = runner.invoke(args=["import-ics", str(path), "--zone", "Asia/Tokyo"])
    assert result.exit_code == 0, result.output
    assert "Floating times read as Asia/Tokyo" in result.stdout
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.timezone == "Asia/Tokyo"
        assert event.start_at == datetime(2026, 7, 1, 1, 0, tzinfo=UTC)


def test_import_ics_refuses_an_unknown_zone_as_a_usage_error(app, runner, tmp_path):
    path = tmp_path / "floating.ics"
    path.write_bytes(ics(FLOATING))
    result = runner.invoke(args=["import-ics", str(path), "--zone", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "Invalid value for '--zone'" in result.stderr and "Mars/Olympus" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 0


def test_import_ics_flags_untitled_events_and_keeps_them_drafts(app, runner, tmp_path):
    path = tmp_path / "untitled.ics"
    path.write_bytes(ics(WEBINAR, "UID:untitled@example.org\nDTSTART:20260701T100000Z"))
    result = runner.invoke(args=["import-ics", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "no SUMMARY: a draft titled (untitled)" in result.stdout
    assert "No SUMMARY: 1 event, coming in as drafts titled (untitled)" in result.stdout
    with app.app_context():
        statuses = dict(db.session.execute(select(Event.title, Event.status)).all())
        assert statuses == {"5G Core Webinar": "published", "(untitled)": "draft"}


def test_an_interrupted_bulk_import_finishes_on_a_second_run(app, tmp_path):
    """Batches are committed one by one; a failed batch is rolled back; running again writes
    the rest and duplicates nothing."""
    app.config["NOW"] = NOW
    path = tmp_path / "events.ics"
    events = [
        WEBINAR.replace("webinar-1", f"w{n}").replace("5G,Cloud", f"Topic {n}") for n in range(5)
    ]
    path.write_bytes(ics(*events))

    def another_process_adds(category: str):
        engine = create_engine(app.config["SQLALCHEMY_ENGINES"]["default"])
        with engine.begin() as conn:
            conn.execute(insert(Category).values(name=category, slug="taken-meanwhile"))
        engine.dispose()

    with app.app_context():
        reader = bulk.open_calendar(path, now=NOW)
        # After the first batch, another process creates the category the second batch needs.
        with pytest.raises(ImportFailed) as failed:
            bulk.import_events(
                reader,
                db.session,
                publish=True,
                batch_size=2,
                progress=lambda n: another_process_adds("Topic 2"),
            )
        assert "stopped after 2 events" in str(failed.value)
        assert "run the same command again" in str(failed.value)
        assert sorted(db.session.scalars(select(Event.uid))) == ["w0@example.org", "w1@example.org"]

        result = bulk.import_events(
            bulk.open_calendar(path, now=NOW), db.session, publish=True, batch_size=2
        )
        assert result.counts == {"new": 3, "update": 0, "unchanged": 2, "rejected": 0}
        assert db.session.scalar(select(func.count(Event.id))) == 5
        event = db.session.scalar(select(Event).where(Event.uid == "w2@example.org"))
        assert [c.slug for c in event.categories] == ["taken-meanwhile"]


def stale_block_count(app) -> int:
    """Public events whose stored iCalendar block a feed from SITE_URL would have to render."""
    from events_app.feeds.ical import Site
    from events_app.feeds.source import block_context, stale_blocks
    from events_app.models import PUBLIC_STATUSES

    site = Site(app.config["SITE_URL"], "/events/{slug}")
    with app.app_context():
        query = select(func.count(Event.id)).where(
            Event.status.in_(PUBLIC_STATUSES), stale_blocks(block_context(site))
        )
        return db.session.scalar(query)


def test_import_ics_leaves_the_feed_blocks_rendered(app, runner, tmp_path):
    """A bulk import renders what feeds will serve, so no subscriber's request waits for it."""
    events = "\n".join(
        f"BEGIN:VEVENT\nUID:bulk-{n}@example.org\nSUMMARY:Webinar {n}\n"
        f"DTSTART:20270{1 + n % 9}1{n % 10}T150000Z\nDTEND:20270{1 + n % 9}1{n % 10}T160000Z\n"
        "END:VEVENT"
        for n in range(40)
    )
    path = tmp_path / "many.ics"
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{events}\nEND:VCALENDAR\n")
    app.config["SITE_URL"] = "https://events.example.com"
    result = runner.invoke(args=["import-ics", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "Rendered 40 iCalendar blocks" in result.output
    assert stale_block_count(app) == 0
    app.config["SITE_URL"] = None
    path.write_text(path.read_text().replace("Webinar 1\n", "Webinar one\n"))
    result = runner.invoke(args=["import-ics", str(path), "--publish"])
    assert "not rendered ahead (SITE_URL is not set)" in result.output
