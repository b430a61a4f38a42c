"""The staff area reads the one clock (events_app.clock): pinning app.config["NOW"] pins the
login throttle, the audit log and new accounts."""

from datetime import timedelta

from conftest import NOW
from sqlalchemy import select

from events_app.auth import FAILURE_WINDOW, MAX_FAILURES
from events_app.extensions import db
from events_app.models import AuditEntry, LoginAttempt, User


def test_login_throttle_window_runs_on_the_pinned_clock(app, auth, editor, app_ctx):
    app.config["NOW"] = NOW
    for _ in range(MAX_FAILURES):
        assert auth.login("editor@example.com", "wrong password!").status_code == 200
    assert set(db.session.scalars(select(LoginAttempt.at))) == {NOW}
    assert auth.login().status_code == 429  # the right password, but too soon
    app.config["NOW"] = NOW + FAILURE_WINDOW - timedelta(seconds=1)
    assert auth.login().status_code == 429
    app.config["NOW"] = later = NOW + FAILURE_WINDOW
    assert auth.login().status_code == 302
    db.session.refresh(editor)
    assert editor.last_login_at == later


def test_audit_entries_are_dated_by_the_pinned_clock(app, client, auth, editor, app_ctx):
    app.config["NOW"] = NOW
    auth.login()
    venue = {"name": "Javits Center", "city": "New York", "timezone": "America/New_York"}
    assert client.post("/staff/venues/new", data=venue).status_code == 302
    app.config["NOW"] = later = NOW + timedelta(hours=3)
    assert client.post("/staff/categories/new", data={"name": "5G"}).status_code == 302
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.object_type, e.at) for e in entries] == [("venue", NOW), ("category", later)]


def test_create_user_dates_the_account_by_the_pinned_clock(app, runner, app_ctx):
    app.config["NOW"] = NOW
    result = runner.invoke(args=["create-user", "ed@example.com"], input="ten chars!!\n" * 2)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ed@example.com"))
    assert user.created_at == NOW
