from datetime import timedelta

import pytest
from conftest import NOW, STAFF_PASSWORD
from sqlalchemy import select

from events_app import create_app
from events_app.auth import (
    ACCOUNT_THROTTLED_MESSAGE,
    ADDRESS_THROTTLED_MESSAGE,
    BAD_CREDENTIALS_MESSAGE,
    MAX_FAILURES,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    THROTTLED_MESSAGE,
    counted_address,
    safe_next,
    throttled,
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


def _succeed(email: str, ip: str, at):
    db.session.add(LoginAttempt(email=email, ip=ip, at=at, success=True))
    db.session.commit()


def test_throttle_per_account_and_address(app_ctx):
    for i in range(MAX_FAILURES - 1):
        _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=i))
    assert throttled(db.session, "a@example.com", "10.0.0.1", NOW) is None
    _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=1))
    assert throttled(db.session, "a@example.com", "10.0.0.1", NOW).message == THROTTLED_MESSAGE
    # Only that pair: the account from elsewhere, and that address for others, go on.
    assert throttled(db.session, "a@example.com", "10.9.9.9", NOW) is None
    assert throttled(db.session, "b@example.com", "10.0.0.1", NOW) is None
    # The failures age out of the 15-minute window.
    assert throttled(db.session, "a@example.com", "10.0.0.1", NOW + timedelta(minutes=16)) is None


def test_a_refusal_lifts_when_the_failure_it_counted_last_leaves_the_window(app_ctx):
    """Six failures for a pair, the fifth newest twelve minutes ago: refused for three more
    minutes, not fifteen (the count is below five once that one leaves the window)."""
    for minutes in (0, 1, 2, 3, 12, 13):
        _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=minutes))
    refusal = throttled(db.session, "a@example.com", "10.0.0.1", NOW)
    assert refusal.until == NOW + timedelta(minutes=3)
    assert refusal.retry_after(NOW) == 180
    assert refusal.retry_after(NOW + timedelta(minutes=3, seconds=-0.5)) == 1  # never 0
    assert throttled(db.session, "a@example.com", "10.0.0.1", refusal.until) is None


def test_throttled_sign_ins_and_password_changes_say_when_to_retry(
    app, client, auth, editor, app_ctx
):
    """Their 429s sent no Retry-After: a script, or a person, could only guess."""
    app.config["NOW"] = NOW
    assert auth.login().status_code == 302  # signed in before the guessing started
    for minutes in range(MAX_FAILURES):
        _fail("editor@example.com", "127.0.0.1", NOW - timedelta(minutes=10 + minutes))
    refused = _change_password(client, STAFF_PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(60)
    auth.logout()
    refused = auth.login()
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(60)
    app.config["NOW"] = NOW + timedelta(minutes=1)
    assert auth.login().status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_as_it_may_use_any_address_in_it(
    app, client, auth, editor, app_ctx
):
    """Each address of an IPv6 /64 was counted apart: a guesser stepping through its own
    network's addresses was never refused. Now the /64 is one address; the next /64 is not;
    IPv4 addresses (and IPv4 as IPv6) are counted one by one as before."""
    app.config["NOW"] = NOW
    for i in range(MAX_FAILURES):
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:0:1::{i + 1:x}"
        assert auth.login(password="wrong password!").status_code == 200
    client.environ_base["REMOTE_ADDR"] = "2001:db8:0:1:ffff:ffff:ffff:ffff"  # the same /64
    assert auth.login(password="wrong password!").status_code == 429
    assert auth.login().status_code == 429
    client.environ_base["REMOTE_ADDR"] = "2001:db8:0:2::1"  # the next /64: another client
    assert auth.login().status_code == 302
    ips = set(db.session.scalars(select(LoginAttempt.ip)))
    assert ips == {"2001:db8:0:1::/64", "2001:db8:0:2::/64"}
    assert counted_address("::ffff:10.0.0.1") == "10.0.0.1"
    assert counted_address("10.0.0.1") != counted_address("10.0.0.2")


def test_failures_from_many_addresses_do_not_lock_the_account(app_ctx):
    """Five failures for an account from anywhere used to lock it for everyone."""
    for i in range(MAX_FAILURES_PER_ACCOUNT - 1):
        _fail("a@example.com", f"10.0.{i // 250}.{i % 250}", NOW - timedelta(minutes=2))
    assert throttled(db.session, "a@example.com", "10.9.9.9", NOW) is None


def test_throttle_per_address_across_accounts(app_ctx):
    for i in range(MAX_FAILURES_PER_ADDRESS - 1):
        _fail(f"user{i}@example.com", "10.1.1.1", NOW - timedelta(minutes=2))
    assert throttled(db.session, "new@example.com", "10.1.1.1", NOW) is None
    _fail("last@example.com", "10.1.1.1", NOW - timedelta(minutes=2))
    assert (
        throttled(db.session, "new@example.com", "10.1.1.1", NOW).message
        == ADDRESS_THROTTLED_MESSAGE
    )
    assert throttled(db.session, "new@example.com", "10.1.1.2", NOW) is None
    assert throttled(db.session, "new@example.com", "10.1.1.1", NOW + timedelta(minutes=14)) is None


def test_throttle_per_account_spares_addresses_it_signed_in_from(app_ctx):
    _succeed("a@example.com", "10.8.0.1", NOW - timedelta(days=29))
    _succeed("a@example.com", "10.8.0.2", NOW - timedelta(days=31))  # too long ago to count
    for i in range(MAX_FAILURES_PER_ACCOUNT):
        _fail("a@example.com", f"10.0.{i // 250}.{i % 250}", NOW - timedelta(minutes=2))
    assert (
        throttled(db.session, "a@example.com", "10.9.9.9", NOW).message == ACCOUNT_THROTTLED_MESSAGE
    )
    assert (
        throttled(db.session, "a@example.com", "10.8.0.2", NOW).message == ACCOUNT_THROTTLED_MESSAGE
    )
    assert throttled(db.session, "a@example.com", "10.8.0.1", NOW) is None
    assert throttled(db.session, "b@example.com", "10.9.9.9", NOW) is None


def test_success_resets_the_count_for_its_address(app_ctx):
    for _ in range(MAX_FAILURES - 1):
        _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=5))
    _succeed("a@example.com", "10.0.0.1", NOW - timedelta(minutes=4))
    _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=1))
    assert throttled(db.session, "a@example.com", "10.0.0.1", NOW) is None


def test_success_elsewhere_does_not_reset_the_count_for_an_address(app_ctx):
    for _ in range(MAX_FAILURES):
        _fail("a@example.com", "10.0.0.1", NOW - timedelta(minutes=5))
    _succeed("a@example.com", "10.0.0.2", NOW - timedelta(minutes=4))
    assert throttled(db.session, "a@example.com", "10.0.0.1", NOW).message == THROTTLED_MESSAGE


def test_failures_in_the_second_of_a_success_count_after_it(app_ctx):
    """The clock has whole seconds: failures right after a success went uncounted."""
    _succeed("a@example.com", "10.0.0.1", NOW)
    for _ in range(MAX_FAILURES):
        _fail("a@example.com", "10.0.0.1", NOW)
    assert throttled(db.session, "a@example.com", "10.0.0.1", NOW).message == THROTTLED_MESSAGE


def test_right_password_gets_in_while_others_hammer_the_account(client, auth, editor):
    for i in range(2):  # two guessers, each until refused
        client.environ_base["REMOTE_ADDR"] = f"10.2.0.{i}"
        for _ in range(MAX_FAILURES):
            assert BAD_CREDENTIALS_MESSAGE.encode() in auth.login(password="wrong password!").data
        refused = auth.login(password="wrong password!")
        assert refused.status_code == 429
        assert THROTTLED_MESSAGE.encode() in refused.data
        assert auth.login().status_code == 429  # even the right password, from that address
    client.environ_base["REMOTE_ADDR"] = "10.2.0.200"
    assert auth.login().status_code == 302
    assert client.get("/staff/").status_code == 200


def test_login_throttled_per_address_without_revealing_the_account(
    app, client, auth, editor, app_ctx
):
    app.config["NOW"] = NOW
    for i in range(MAX_FAILURES_PER_ADDRESS - 1):
        _fail(f"guess{i}@example.com", "10.3.0.1", NOW - timedelta(minutes=1))
    client.environ_base["REMOTE_ADDR"] = "10.3.0.1"
    assert auth.login("guess@example.com", "wrong password!").status_code == 200
    existing = auth.login("editor@example.com", "wrong password!")
    missing = auth.login("nobody@example.com", "wrong password!")
    assert existing.status_code == missing.status_code == 429
    assert ADDRESS_THROTTLED_MESSAGE.encode() in existing.data
    assert ADDRESS_THROTTLED_MESSAGE.encode() in missing.data
    assert b"editor@example.com" not in existing.data.replace(b'value="editor@example.com"', b"")
    client.environ_base["REMOTE_ADDR"] = "10.3.0.2"
    assert auth.login().status_code == 302


def test_distributed_guessing_refuses_new_addresses_only(app, client, auth, editor, app_ctx):
    app.config["NOW"] = NOW
    client.environ_base["REMOTE_ADDR"] = "10.4.0.1"
    assert auth.login().status_code == 302  # the editor's own address, signed in from before
    auth.logout()
    for email in ("editor@example.com", "nobody@example.com"):
        for i in range(MAX_FAILURES_PER_ACCOUNT):
            _fail(email, f"10.5.{i // 250}.{i % 250}", NOW - timedelta(minutes=1))
    client.environ_base["REMOTE_ADDR"] = "10.6.0.1"
    existing = auth.login()
    missing = auth.login("nobody@example.com")
    assert existing.status_code == missing.status_code == 429
    assert ACCOUNT_THROTTLED_MESSAGE.encode() in existing.data
    assert ACCOUNT_THROTTLED_MESSAGE.encode() in missing.data
    client.environ_base["REMOTE_ADDR"] = "10.4.0.1"
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


def _change_password(client, current: str):
    new = "a brand new passphrase"
    data = {"current_password": current, "new_password": new, "confirm": new}
    return client.post("/staff/account/password", data=data)


def test_password_change_guesses_are_throttled_as_sign_ins(app, client, auth, editor, app_ctx):
    assert auth.login().status_code == 302
    for _ in range(MAX_FAILURES):
        wrong = _change_password(client, "a wrong guess")
        assert wrong.status_code == 400
        assert b"That is not your current password." in wrong.data
    refused = _change_password(client, STAFF_PASSWORD)  # even the right one, from here
    assert refused.status_code == 429
    assert THROTTLED_MESSAGE.encode() in refused.data
    attempts = db.session.execute(select(LoginAttempt.ip, LoginAttempt.success)).all()
    assert sorted(attempts) == [("127.0.0.1", False)] * MAX_FAILURES + [("127.0.0.1", True)]
    # One count: signing in to the account from this address is refused as well.
    assert (
        app.test_client()
        .post("/staff/login", data={"email": "editor@example.com", "password": STAFF_PASSWORD})
        .status_code
        == 429
    )
    client.environ_base["REMOTE_ADDR"] = "10.7.0.1"
    assert _change_password(client, STAFF_PASSWORD).status_code == 302


def test_password_change_counts_the_address_the_trusted_proxy_gives(app, editor, app_ctx):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    proxied = create_app({**config, "PROXY_FIX": 1})
    client = proxied.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    form = {"email": "editor@example.com", "password": STAFF_PASSWORD}
    assert client.post("/staff/login", data=form).status_code == 302
    for _ in range(MAX_FAILURES):
        assert _change_password(client, "a wrong guess").status_code == 400
    assert _change_password(client, STAFF_PASSWORD).status_code == 429
    failed = set(db.session.scalars(select(LoginAttempt.ip).where(LoginAttempt.success.is_(False))))
    assert failed == {"203.0.113.7"}
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.8"
    assert _change_password(client, STAFF_PASSWORD).status_code == 302
    with proxied.app_context():
        db.engine.dispose()


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


def test_a_throttled_sign_in_says_to_wait_not_to_correct_the_fields(
    app, client, auth, editor, app_ctx
):
    """Refused for too many wrong passwords, the page's summary asked to "correct the fields
    marked below", which no correction could get past: it says signing in is paused now."""
    app.config["NOW"] = NOW
    wrong = auth.login(password="wrong password!")
    assert wrong.status_code == 200 and "Please correct the fields marked below." in wrong.text
    for minutes in range(MAX_FAILURES):
        _fail("editor@example.com", "127.0.0.1", NOW - timedelta(minutes=1 + minutes))
    refused = auth.login()
    assert refused.status_code == 429
    summary = refused.text.split('id="form-errors"')[1].split("</div>")[0]
    assert "correct" not in summary and "You cannot sign in for now." in summary
