"""Upcoming webinars and live audio; the webinar archive."""

from flask import Blueprint

bp = Blueprint("webinars", __name__, url_prefix="/webinars")
