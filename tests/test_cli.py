from sqlalchemy import select

from events_app.extensions import db
from events_app.models import User


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


def test_create_user_defaults_to_editor(runner, app_ctx):
    result = runner.invoke(args=["create-user", "ed@example.com"], input="ten chars!!\n" * 2)
    assert result.exit_code == 0, result.output
    assert _user("ed@example.com").role == "editor"


def test_create_user_refuses_mismatch_short_duplicate_and_bad_email(runner, app_ctx):
    result = runner.invoke(args=["create-user", "x@example.com"], input="long password 1\nother\n")
    assert result.exit_code != 0
    assert _user("x@example.com") is None
    result = runner.invoke(args=["create-user", "x@example.com"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10" in result.output
    runner.invoke(args=["create-user", "x@example.com"], input="long password 1\n" * 2)
    result = runner.invoke(args=["create-user", "x@example.com"], input="long password 2\n" * 2)
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["create-user", "not-an-email"], input="long password 1\n" * 2)
    assert result.exit_code != 0
    result = runner.invoke(args=["create-user", "y@example.com", "--role", "owner"])
    assert result.exit_code != 0
