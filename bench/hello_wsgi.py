"""The baseline of figures G-K: a bare Flask app's hello route, nothing of ours in front of it
(`gunicorn bench.hello_wsgi:app`, under the same settings as the app)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
