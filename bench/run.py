"""`make bench`: build the databases, serve them with gunicorn, load them with wrk, print the table.

Every baseline (a minimal route, the same feed bytes as a static file, the naive icalendar build)
is measured in the same run on the same machine; nothing is taken from the issue's text.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bench import dataset, distinct, embed_api, load, naive, report
from bench.server import SITE_URL, Server, database_url, fetch
from events_app.extensions import db
from events_app.models import Event

FEED_ALL = "/feeds/all.ics"  # every public event in the window
FEED_LIVE = "/feeds/live.ics"  # live events only: half of them, so 500 of the 1,000
LIST_PAGE = "/events/"
MONTH_PAGE = "/calendar/"
HELLO = "/bench/hello"
E_ROUNDS, E_SECONDS = 3, 3  # figure E: both servers up, pages loaded in alternation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--save", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--db", choices=("sqlite", "postgres"), default="sqlite",
        help="postgres: the local PostgreSQL 15 (.ci/postgres starts it), 4 workers",
    )  # fmt: skip
    parser.add_argument("--only-distinct", action="store_true", help="figures G-J only")
    parser.add_argument("--rounds", type=int, default=distinct.ROUNDS, help="of figures G-K")
    args = parser.parse_args()
    workers = 4 if args.db == "postgres" else 2
    started = time.monotonic()
    today = datetime.now(UTC).date()
    wrk = load.ensure_wrk(log=progress)
    if not wrk:
        progress(
            "wrk is missing and could not be installed (apt-get install wrk as root):"
            " throughput figures are left out"
        )
    sizes = (1000, 10_000, 100_000)
    shutil.rmtree(dataset.OUT / "instance" / "feed-bodies", ignore_errors=True)  # a cold start
    ensure = dataset.ensure_postgres_database if args.db == "postgres" else dataset.ensure_database
    databases = {n: ensure(n, today, log=progress) for n in sizes}
    for database in databases.values():  # what a deploy does; a no-op once all is stored
        render_ahead(database)
    r = report.Report(today=today, wrk=load.wrk_version(wrk), database=args.db, workers=workers)
    static_dir = dataset.OUT / "static"
    static_dir.mkdir(parents=True, exist_ok=True)

    def measure(server: Server, key: str, path: str, headers=None, expect: int = 200) -> None:
        status, _, body = fetch(server.url(path), headers)
        if status != expect:
            raise RuntimeError(f"{path}: expected {expect}, got {status}")
        r.sizes[key] = len(body)
        if wrk:
            r.loads[key] = load.run_wrk(wrk, server.url(path), args.seconds, headers)
            progress(f"{key}: {r.loads[key].requests_per_s:,.0f} req/s")

    if args.only_distinct:
        run_distinct(r, wrk, databases, static_dir, workers, args.rounds)
        return finish(r, started, args)
    for n, feed_path, feed_key in ((1000, FEED_LIVE, "500"), (10_000, FEED_ALL, "10k")):
        with Server(databases[n], static_dir, workers) as server:
            progress(f"serving {n:,} events on {server.base}")
            measure(server, f"hello@{n}", HELLO)
            _, headers, body = fetch_feed(server, feed_path)  # also fills any missing blocks
            r.feed_events[feed_key] = body.count(b"BEGIN:VEVENT")
            (static_dir / f"feed-{feed_key}.ics").write_bytes(body)
            measure(server, f"static-{feed_key}", f"/bench/static/feed-{feed_key}.ics")
            measure(server, f"feed-{feed_key}", feed_path)
            measure(server, f"304-{feed_key}", feed_path, {"If-None-Match": headers["ETag"]}, 304)
            for name, path in page_paths(databases[n], today).items():
                measure(server, f"{name}@{n}", path)
            if n == 10_000:
                r.rebuild_s = time_rebuild_after_edit(server, databases[n], feed_path)
    r.naive = time_naive_build(databases[10_000], today)
    progress(f"naive build: {r.naive}")

    with Server(databases[100_000], static_dir, workers) as server:
        event_page = page_paths(databases[100_000], today)["event"]
        for path in (HELLO, event_page, event_page + ".ics"):
            fetch(server.url(path))  # import the feed code, but load no large page, before
        r.rss_before = server.peak_rss_mb()
        t0 = time.perf_counter()
        status, headers, body = fetch_feed(server, FEED_ALL)
        r.feed_100k_s = time.perf_counter() - t0
        r.feed_events["100k"] = body.count(b"BEGIN:VEVENT")
        r.sizes["feed-100k"] = len(body)
        del body
        with ThreadPoolExecutor(server.workers) as pool:  # both workers serve it at once
            sizes_seen = list(pool.map(lambda _: len(fetch(server.url(FEED_ALL))[2]), range(4)))
        assert set(sizes_seen) == {r.sizes["feed-100k"]}
        r.rss_after = server.peak_rss_mb()
        if wrk:
            measure_whole_feed(r, wrk, server, static_dir, args.seconds, args.rounds)
        measure(server, "304-100k", FEED_ALL, {"If-None-Match": headers["ETag"]}, 304)
        measure(server, "hello@100000", HELLO)
        big_pages = page_paths(databases[100_000], today)
        for name, path in big_pages.items():
            measure(server, f"{name}@100000", path)
        if wrk:
            with Server(databases[1000], static_dir, workers) as small:
                small_pages = page_paths(databases[1000], today)
                for _ in range(E_ROUNDS):  # alternate, so drift of the machine hits both sizes
                    for name in big_pages:
                        for at, n, paths in (
                            (small, 1000, small_pages),
                            (server, 100_000, big_pages),
                        ):
                            load_ = load.run_wrk(wrk, at.url(paths[name]), E_SECONDS)
                            r.latency_rounds.setdefault(f"{name}@{n}", []).append(load_.p50_ms)
            progress(f"E rounds (p50 ms): {r.latency_rounds}")
    if wrk:
        run_distinct(r, wrk, databases, static_dir, workers, args.rounds)
    extra = embed_api.measure(databases[10_000], wrk, args.seconds) if wrk else []
    finish(r, started, args, extra)


def finish(
    r: report.Report, started: float, args: argparse.Namespace, extra: list[str] = ()
) -> None:
    r.total_s = time.monotonic() - started
    text = r.render()
    if extra:  # issue 13's figures, in a table of their own (bench/embed_api.py)
        text += "\n\n" + "\n".join(extra)
    print(text)
    if args.save:
        args.save.write_text(text)


def measure_whole_feed(
    r: report.Report, wrk: str, server: Server, static_dir: Path, seconds: int, rounds: int
) -> None:
    """Figure K: the whole-site feed of 100,000 events vs its bytes as a static file, in
    alternating rounds (the body is written to the static folder from one fetch)."""
    _, _, body = fetch_feed(server, FEED_ALL)
    static = static_dir / "feed-100k.ics"
    static.write_bytes(body)
    del body
    for _ in range(rounds):
        for key, path in (("feed-100k", FEED_ALL), ("static-100k", "/bench/static/feed-100k.ics")):
            r.whole_feed_rounds.setdefault(key, []).append(
                load.run_wrk(wrk, server.url(path), seconds)
            )
    rates = {k: [round(x.requests_per_s, 1) for x in v] for k, v in r.whole_feed_rounds.items()}
    progress(f"K rounds (req/s): {rates}")
    static.unlink()


def run_distinct(
    r: report.Report, wrk: str, databases: dict, static_dir: Path, workers: int, rounds: int
) -> None:
    """Figures G-J: the distinct-URL workloads at 10,000 and 100,000 events and the bare route,
    all servers up, in alternating rounds."""
    bare = Server(databases[1000], static_dir, workers, wsgi="bench.hello_wsgi:app", ready="/")
    with (
        bare,
        Server(databases[10_000], static_dir, workers) as ten,
        Server(databases[100_000], static_dir, workers) as hundred,
    ):
        servers = {n: (s.base, databases[n]) for n, s in ((10_000, ten), (100_000, hundred))}
        r.distinct = distinct.measure(
            wrk, bare.base, servers, r.today, fetch, log=progress, rounds=rounds
        )


def fetch_feed(server: Server, path: str):
    """GET a feed, waiting while the server answers 503 (its body is being built)."""
    deadline = time.monotonic() + 300
    while True:
        status, headers, body = fetch(server.url(path))
        if status != 503 or time.monotonic() > deadline:
            return status, headers, body
        time.sleep(float(headers.get("Retry-After", "1")))


def render_ahead(database: Path) -> None:
    """As `make serve` does before serving: `flask render-descriptions` (descriptions an
    upgraded Markdown renderer made stale), then `flask feeds render-blocks`."""
    env = dict(os.environ, DATABASE_URL=database_url(database), SECRET_KEY="bench",
               EVENTS_SITE_URL=SITE_URL)  # fmt: skip
    flask = Path(sys.executable).with_name("flask")
    name = str(database).rsplit("/", 1)[-1]  # a file, or a URL's database name
    for command in (["render-descriptions"], ["feeds", "render-blocks"]):
        t0 = time.perf_counter()
        result = subprocess.run(
            [str(flask), "--app", "events_app", *command],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        progress(f"{name}: {result.stdout.strip()} ({time.perf_counter() - t0:.1f} s)")


def page_paths(database: Path, today: date) -> dict[str, str]:
    """The list page, this month's page and the page of an upcoming event in the middle."""
    app = dataset.bench_app(database_url(database))
    with app.app_context():
        soon = datetime.combine(today + timedelta(days=14), datetime.min.time(), tzinfo=UTC)
        slug = db.session.scalars(
            select(Event.slug)
            .where(Event.status == "published", Event.start_at >= soon)
            .where(Event.series_id.is_(None), Event.series_master.is_(False))
            .order_by(Event.start_at)
            .limit(1)
        ).one()
        dispose(app)
    return {"list": LIST_PAGE, "month": MONTH_PAGE, "event": f"/events/{slug}"}


def time_rebuild_after_edit(server: Server, database: Path, feed_path: str) -> list[float]:
    """Seconds for a full 200 of the feed right after one event's description was edited."""
    app = dataset.bench_app(database_url(database))
    times = []
    _, headers, _ = fetch(server.url(feed_path))
    etags = {headers["ETag"]}
    with app.app_context():
        events = db.session.scalars(
            select(Event).where(Event.status == "published").order_by(Event.id).limit(5)
        ).all()
        for event in events:
            original = event.description
            for description in (original + "\n\nUpdated.", original):
                event.description = description  # the ORM hooks bump updated_at
                db.session.commit()
                t0 = time.perf_counter()
                status, headers, _ = fetch(server.url(feed_path))
                times.append(time.perf_counter() - t0)
                if status != 200 or headers["ETag"] in etags:
                    raise RuntimeError(f"feed after an edit: {status}, ETag unchanged")
                etags.add(headers["ETag"])
        dispose(app)
    return times


def time_naive_build(database: Path, today: date) -> naive.NaiveTimes:
    """The naive icalendar build of the same 10,000 events (all of them are in the window)."""
    app = dataset.bench_app(database_url(database))
    with app.app_context():
        events = db.session.scalars(
            select(Event)
            .where(Event.status != "draft", Event.series_id.is_(None))  # what feeds write
            .options(selectinload(Event.venue), selectinload(Event.categories))
            .order_by(Event.start_at, Event.id)
        ).all()
        times = naive.time_naive(list(events))
        dispose(app)
    return times


def dispose(app) -> None:
    for engine in db.engines.values():
        engine.dispose()


def progress(message: str) -> None:
    print(f"[bench] {message}", flush=True)


if __name__ == "__main__":
    main()
