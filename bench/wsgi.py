"""The production app plus two baseline routes, for the benchmark only (`gunicorn bench.wsgi:app`).

`/bench/hello` is the minimal route; `/bench/static/<name>` serves a file from BENCH_STATIC_DIR
with `send_file` (strong ETag, conditional, sendfile), so a feed can be compared with the very
same bytes served as a static file by the same server. Neither route exists in the real app.
"""

from __future__ import annotations

import os

from flask import send_from_directory

from events_app import create_app

app = create_app()


@app.get("/bench/hello")
def bench_hello() -> str:
    return "Hello, World!"


@app.get("/bench/static/<name>")
def bench_static(name: str):
    return send_from_directory(
        os.environ["BENCH_STATIC_DIR"], name, mimetype="text/calendar", conditional=True
    )
