from datetime import timedelta

import pytest
from conftest import NOW, STAFF_PASSWORD
from sqlalchemy import select

from events_app import create_app
from events_app.auth import (
    BAD_CREDENTIALS_MESSAGE,
    MAX_FAILURES,
    THROTTLED_MESSAGE,
    is_throttled,
    safe_next,
)
from events_app.extensions import db
from events_app.models import LoginAttempt, User


def test_login_page_linked_from_footer(client):
    assert b'href="/staff/login"' in client.get("/").data


def test_login_and_logout(client, auth, editor):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/logout").status_code == 405  # logout is POST only
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_session_cookie_flags(app, client, auth, editor):
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    auth.logout()
    assert "Secure" in auth.login().headers["Set-Cookie"]


def test_wrong_password_and_unknown_email_look_the_same(client, auth, editor):
    wrong = auth.login("editor@example.com", "wrong password!")
    unknown = auth.login("nobody@example.com", "wrong password!")
    assert wrong.status_code == unknown.status_code == 200
    assert BAD_CREDENTIALS_MESSAGE.encode() in wrong.data
    assert BAD_CREDENTIALS_MESSAGE.encode() in unknown.data
    assert client.get("/staff/").status_code == 302


def test_inactive_user_cannot_log_in(client, auth, create_user):
    create_user("gone@example.com", STAFF_PASSWORD, active=False)
    assert BAD_CREDENTIALS_MESSAGE.encode() in auth.login("gone@example.com").data


def test_email_is_case_insensitive(auth, editor):
    assert auth.login("  Editor@Example.COM ").status_code == 302


# --- throttling --------------------------------------------------------------------------------


def _fail(email: str, ip: str, at):
    db.session.add(LoginAttempt(email=email, ip=ip, at=at, success=False))
    db.session.commit()


def test_throttle_per_account(app_ctx):
    for i in range(MAX_FAILURES - 1):
        _fail("a@example.com", f"10.0.0.{i}", NOW - timedelta(minutes=i))
    assert not is_throttled(db.session, "a@example.com", "10.9.9.9", NOW)
    _fail("a@example.com", "10.0.0.99", NOW - timedelta(minutes=1))
    assert is_throttled(db.session, "a@example.com", "10.9.9.9", NOW)
    assert not is_throttled(db.session, "b@example.com", "10.9.9.9", NOW)
    # The failures age out of the 15-minute window.
    assert not is_throttled(db.session, "a@example.com", "10.9.9.9", NOW + timedelta(minutes=16))


def test_throttle_per_ip(app_ctx):
    for i in range(MAX_FAILURES):
        _fail(f"user{i}@example.com", "10.1.1.1", NOW - timedelta(minutes=2))
    assert is_throttled(db.session, "new@example.com", "10.1.1.1", NOW)
    assert not is_throttled(db.session, "new@example.com", "10.1.1.2", NOW)


def test_success_resets_the_account_count(app_ctx):
    for i in range(MAX_FAILURES - 1):
        _fail("a@example.com", f"10.0.0.{i}", NOW - timedelta(minutes=5))
    db.session.add(
        LoginAttempt(
            email="a@example.com", ip="10.0.0.1", at=NOW - timedelta(minutes=4), success=True
        )
    )
    _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=1))
    assert not is_throttled(db.session, "a@example.com", "10.9.9.9", NOW)


def test_login_throttled_per_account_through_the_form(client, auth, editor):
    for i in range(MAX_FAILURES):
        client.environ_base["REMOTE_ADDR"] = f"10.2.0.{i}"
        assert BAD_CREDENTIALS_MESSAGE.encode() in auth.login(password="wrong password!").data
    client.environ_base["REMOTE_ADDR"] = "10.2.0.200"
    response = auth.login()  # even the right password is refused now
    assert response.status_code == 429
    assert THROTTLED_MESSAGE.encode() in response.data
    assert client.get("/staff/").status_code == 302


def test_login_throttled_per_ip_without_revealing_the_account(client, auth, editor):
    client.environ_base["REMOTE_ADDR"] = "10.3.0.1"
    for i in range(MAX_FAILURES):
        auth.login(f"guess{i}@example.com", "wrong password!")
    existing = auth.login("editor@example.com", "wrong password!")
    missing = auth.login("nobody@example.com", "wrong password!")
    assert existing.status_code == missing.status_code == 429
    assert THROTTLED_MESSAGE.encode() in existing.data
    assert THROTTLED_MESSAGE.encode() in missing.data
    assert b"editor@example.com" not in existing.data.replace(b'value="editor@example.com"', b"")
    client.environ_base["REMOTE_ADDR"] = "10.3.0.2"
    assert auth.login().status_code == 302


# --- next-redirects ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/staff/events/3/edit", "/staff/events/3/edit"),
        ("/staff/?status=draft&page=2", "/staff/?status=draft&page=2"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("\\\\evil.example", None),
        ("javascript:alert(1)", None),
        ("http:/evil.example", None),
        ("staff/", None),
        ("/staff/\r\nSet-Cookie: x=1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_anonymous_redirected_to_login_with_next(client):
    response = client.get("/staff/?status=draft")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize(
    "target,location",
    [
        ("/staff/?page=1", "/staff/?page=1"),
        ("https://evil.example/", "/staff/"),
        ("//x.y/", "/staff/"),
    ],
)
def test_login_follows_only_local_next(client, editor, target, location):
    response = client.post(
        "/staff/login", query_string={"next": target},
        data={"email": "editor@example.com", "password": STAFF_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == location


# --- passwords and sessions --------------------------------------------------------------------


def test_password_change_ends_other_sessions(app, client, auth, editor):
    other = app.test_client()
    other.post("/staff/login", data={"email": "editor@example.com", "password": STAFF_PASSWORD})
    assert other.get("/staff/").status_code == 200
    auth.login()
    response = client.post(
        "/staff/account/password",
        data={
            "current_password": STAFF_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200  # this session carries on
    assert other.get("/staff/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login(password=STAFF_PASSWORD).status_code == 200
    assert auth.login(password="a brand new passphrase").status_code == 302


def test_password_change_checks_current_and_length(client, auth, editor):
    auth.login()
    response = client.post(
        "/staff/account/password",
        data={"current_password": "nope", "new_password": "short", "confirm": "short"},
    )
    assert b"Use at least 10 characters." in response.data
    response = client.post(
        "/staff/account/password",
        data={"current_password": "nope", "new_password": "long enough now", "confirm": "x"},
    )
    assert b"The two passwords are not the same." in response.data
    empty = client.post("/staff/account/password", data={"current_password": ""})
    assert b"Enter your current password." in empty.data
    assert b"This field is required." not in empty.data


def test_passwords_stored_as_scrypt_hashes(runner, app_ctx):
    runner.invoke(args=["create-user", "s@example.com"], input="long password 1\n" * 2)
    user = db.session.scalar(select(User).where(User.email == "s@example.com"))
    assert user.password_hash.startswith("scrypt:")


# --- CSRF --------------------------------------------------------------------------------------


def test_csrf_enforced_when_enabled(app, editor):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    csrf_app = create_app({**config, "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()
    form = {"email": "editor@example.com", "password": STAFF_PASSWORD}
    assert client.post("/staff/login", data=form).status_code == 400
    page = client.get("/staff/login").data.decode()
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/staff/login", data={**form, "csrf_token": token}).status_code == 302
    assert client.post("/staff/logout").status_code == 400
    with csrf_app.app_context():  # close its pooled connections (PostgreSQL warns otherwise)
        db.engine.dispose()


def test_old_attempts_pruned_on_success(app_ctx, editor):
    from events_app.auth import authenticate

    _fail("x@example.com", "10.0.0.1", NOW - timedelta(days=40))
    _fail("x@example.com", "10.0.0.1", NOW - timedelta(days=2))
    user, error = authenticate(db.session, "editor@example.com", STAFF_PASSWORD, "10.0.0.9", NOW)
    assert user is not None and error is None
    ages = sorted((NOW - a.at).days for a in db.session.scalars(select(LoginAttempt)))
    assert ages == [0, 2]
