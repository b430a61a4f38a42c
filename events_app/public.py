"""Visitor pages: home, event list, event detail."""

from flask import Blueprint, render_template
from werkzeug.exceptions import BadRequest

from .filters import BadFilter

bp = Blueprint("public", __name__)


@bp.app_errorhandler(BadFilter)
def bad_filter(error: BadFilter):
    """Malformed filters anywhere on the site get the 400 page with the reason."""
    return render_template("errors.html", error=BadRequest(str(error))), 400


@bp.get("/")
def home():
    return render_template("public/home.html")
