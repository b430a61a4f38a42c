"""Staff dashboard and the event, venue, category and user forms' views."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
