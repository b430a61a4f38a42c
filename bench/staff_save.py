"""Saving a long series through the staff form: time against the number of speakers.

A daily series with no end has 729 dates (two years ahead), and each date carries the
speakers, so a save writes 729 x N speaker rows. The time should grow in proportion to the
rows written. It once grew with their square: 30 speakers took 56 s and the request died at
gunicorn's timeout (a scan of every new object per speaker in changes.py).

In-process (Flask's test client, a migrated SQLite file), alternating rounds; prints seconds per
save and per 1,000 speaker rows, and the ratio of 50 speakers to 10 (about 5x or less when the
time follows the rows, 25x when it follows their square).
`.venv/bin/python -m bench.staff_save [--rounds 3]`
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from werkzeug.security import generate_password_hash

from events_app import create_app
from events_app.extensions import alembic, db
from events_app.models import Event, User

SPEAKERS = (0, 10, 50)
PASSWORD = "bench staff password"


def series_form(title: str, speakers: int) -> dict[str, str]:
    lines = "\n".join(f"Panelist {i} | Analyst | Firm {i}" for i in range(speakers))
    return {
        "title": title,
        "kind": "webinar",
        "status": "published",
        "start_date": "2026-12-01",
        "start_time": "10:00",
        "end_date": "2026-12-01",
        "end_time": "11:00",
        "timezone": "UTC",
        "venue": "",
        "speakers": lines,
        "repeat-freq": "daily",
        "repeat-interval": "1",
        "repeat-ends": "never",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-staff-save-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{root / 'events.sqlite'}"},
        }
    )
    app.instance_path = str(root)
    with app.app_context():
        alembic.upgrade()
        db.session.add(
            User(
                email="bench@example.com",
                display_name="Bench",
                role="admin",
                password_hash=generate_password_hash(PASSWORD),
            )
        )
        db.session.commit()
    client = app.test_client()
    signed_in = client.post(
        "/staff/login", data={"email": "bench@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.status_code

    times: dict[int, list[float]] = {n: [] for n in SPEAKERS}
    dates = 0
    for round_ in range(args.rounds):
        order = SPEAKERS if round_ % 2 == 0 else tuple(reversed(SPEAKERS))
        for speakers in order:
            title = f"Daily briefing {speakers} speakers, round {round_}"
            started = time.perf_counter()
            response = client.post("/staff/events/new", data=series_form(title, speakers))
            times[speakers].append(time.perf_counter() - started)
            assert response.status_code == 302, (speakers, response.status_code)
            with app.app_context():
                master = db.session.query(Event).filter_by(title=title, series_id=None).one()
                dates = len(master.occurrences)
                assert all(len(o.speakers) == speakers for o in master.occurrences)

    print(f"Saving a new daily series with no end ({dates} dates), {args.rounds} rounds")
    print(f"{'speakers':>9} {'rows':>7} {'median s':>9} {'s per 1,000 rows':>17}")
    medians = {n: statistics.median(t) for n, t in times.items()}
    for speakers, median in medians.items():
        rows = dates * speakers
        per = f"{median / rows * 1000:.3f}" if rows else "-"
        print(f"{speakers:>9} {rows:>7} {median:>9.2f} {per:>17}")
    print(f"50 speakers vs 10: {medians[50] / medians[10]:.1f}x (rows: 5x)")


if __name__ == "__main__":
    main()
