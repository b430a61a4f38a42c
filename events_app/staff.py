"""Staff dashboard and the event forms' views."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_staff

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_staff)


@bp.get("/")
def dashboard():
    return render_template("staff/dashboard.html")
