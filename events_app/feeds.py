"""iCalendar feed routes and their HTTP caching."""

from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
