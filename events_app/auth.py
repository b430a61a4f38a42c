"""Staff login and logout, roles, login throttling."""

from flask import Blueprint

from .extensions import db, login_manager
from .models import User

bp = Blueprint("auth", __name__, url_prefix="/staff")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version or not user.active:
        return None
    return user
