"""Figures G-K (issue 15): traffic no per-URL cache can hold, against a bare Flask app.

Each workload rotates through a list of URLs (every event page; 3,000 two-word searches; 700
month pages with a search; 8,000 filtered feeds with a search and a date range), with wrk and a
Lua script in which each connection thread of each round starts at its own place in the list
and every request carries the round and a counter in its query string (`n=`, which the app
ignores): no two requests of a run share a URL, so the response cache never answers, no feed
filter comes back to the server's per-filter memo, and every figure is the app's own work.
The baseline is a bare Flask app's hello route (bench/hello_wsgi.py) under the same gunicorn
settings, loaded in alternating rounds with the workloads, so the machine's drift hits both.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

from sqlalchemy import func, select

from bench import dataset, load
from bench.server import database_url
from events_app.extensions import db
from events_app.models import PUBLIC_STATUSES, Event

ROUNDS, SECONDS = 3, 5
# 8,000 feeds, not 500: the server keeps a filtered feed's fingerprint and body per filter (not
# per URL), so a filter that came back within a run would measure that memo, not the engine.
SEARCHES, MONTH_SEARCHES, FEEDS = 3000, 700, 8000
WORKLOADS = ("events", "searches", "month_searches", "feeds")
# Words people search for: what titles, venues and speakers are made of; a few from the text.
SEARCH_WORDS = [
    *(t.lower() for t in dataset.TOPICS),
    *(f.lower() for f in dataset.LIVE_FORMATS),
    *(c[0].lower() for c in dataset.CITIES),
    *(n.lower() for n in dataset.LAST_NAMES),
    *(c.lower() for c in dataset.COMPANIES),
    *("operators", "analysts", "regulation", "survey", "recordings", "webinar", "radio"),
]
LUA = """
local paths = {%s}
local counter = 1
local run = 0
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
-- args: this run's number and how many runs there are. Each thread of each run starts on its
-- own stretch of the list, and n= carries the run number: no URL comes back in a later round.
function init(args)
  run = tonumber(args[1])
  local half = math.floor(#paths / 2)
  counter = tonumber(offset) * half + run * math.floor(half / tonumber(args[2])) + 1
end
function request()
  local path = paths[(counter - 1) %% #paths + 1]
  local sep = string.find(path, "?", 1, true) and "&" or "?"
  counter = counter + 1
  return wrk.format("GET", path .. sep .. "n=" .. run .. "-" .. counter)
end
"""


@dataclass
class Distinct:
    """Loads of one run: (workload, events) -> loads per round; hello (bare) per round."""

    loads: dict[tuple[str, int], list[load.Load]] = field(default_factory=dict)
    bare: list[load.Load] = field(default_factory=list)
    app_hello: dict[int, list[load.Load]] = field(default_factory=dict)
    feed_events: dict[int, float] = field(default_factory=dict)  # mean events per feed
    urls: dict[str, int] = field(default_factory=dict)

    def rate(self, key: tuple[str, int]) -> float | None:
        values = [x.requests_per_s for x in self.loads.get(key, [])]
        return statistics.median(values) if values else None

    def p50(self, key: tuple[str, int]) -> float | None:
        values = [x.p50_ms for x in self.loads.get(key, [])]
        return statistics.median(values) if values else None

    @property
    def bare_rate(self) -> float | None:
        return statistics.median(x.requests_per_s for x in self.bare) if self.bare else None


def url_lists(database, today: date, events: int, seed: int = 15) -> dict[str, list[str]]:
    """The URL lists of the workloads for one database (the same seed gives the same lists).

    The filtered feeds' date ranges are 30, 60 or 90 days at 10,000 events and shrink in
    proportion as the database grows (3-9 days at 100,000), so that at every size a feed holds
    about as many events: figure J compares their times, which must not grow with the database.
    """
    rng = random.Random(seed)
    app = dataset.bench_app(database_url(database))
    with app.app_context():
        slugs = db.session.scalars(
            select(Event.slug).where(Event.status.in_(PUBLIC_STATUSES)).order_by(Event.id)
        ).all()
        first, last = db.session.execute(
            select(func.min(Event.start_date), func.max(Event.start_date))
        ).one()
        for engine in db.engines.values():
            engine.dispose()
    rng.shuffle(slugs)
    rng = random.Random(seed + 1)  # the same searches, months and feeds at every size
    pair = lambda: f"{rng.choice(SEARCH_WORDS)} {rng.choice(SEARCH_WORDS)}"  # noqa: E731
    searches = [f"/events/?q={quote(pair())}" for _ in range(SEARCHES)]
    months = [(y, m) for y in range(first.year, last.year + 1) for m in range(1, 13)]
    months = [(y, m) for y, m in months if date(y, m, 1) >= first.replace(day=1)]
    months = [(y, m) for y, m in months if date(y, m, 1) <= last]
    month_searches = [
        f"/calendar/{y}/{m:02d}?q={quote(rng.choice(SEARCH_WORDS))}"
        for y, m in (rng.choice(months) for _ in range(MONTH_SEARCHES))
    ]
    feeds = []
    for _ in range(FEEDS):
        start = today + timedelta(days=rng.randrange(-30, 700))
        end = start + timedelta(days=max(1, rng.choice((30, 60, 90)) * 10_000 // events) - 1)
        q = quote(rng.choice(SEARCH_WORDS))
        feeds.append(f"/feeds/events.ics?q={q}&from={start:%Y-%m-%d}&to={end:%Y-%m-%d}")
    return {
        "events": [f"/events/{s}" for s in slugs],
        "searches": searches,
        "month_searches": month_searches,
        "feeds": feeds,
    }


def quote(text: str) -> str:
    return quote_plus(text)


def lua_script(paths: list[str], folder: Path, name: str) -> Path:
    items = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    path = folder / f"{name}.lua"
    path.write_text(LUA % items)
    return path


def run_urls(wrk: str, base: str, script: Path, seconds: int, run: int, runs: int) -> load.Load:
    command = [wrk, *load.WRK_ARGS, f"-d{seconds}s", "--timeout", "30s", "--latency"]
    result = subprocess.run(
        [*command, "-s", str(script), base + "/", "--", str(run), str(runs)],
        capture_output=True, text=True, timeout=seconds + 90, check=True,
    )  # fmt: skip
    return load.parse(result.stdout)


def feed_sizes(fetch: Callable, base: str, feeds: list[str], sample: int = 40) -> float:
    """Mean number of events in the filtered feeds (a sample of them, each fetched whole)."""
    counts = []
    for path in feeds[:sample]:
        status, _, body = fetch(base + path)
        if status == 200:
            counts.append(len(re.findall(rb"^BEGIN:VEVENT", body, re.M)))
    return statistics.mean(counts) if counts else 0.0


def measure(
    wrk: str,
    bare_base: str,
    servers: dict[int, tuple[str, object]],
    today: date,
    fetch: Callable,
    log=print,
    rounds: int = ROUNDS,
    seconds: int = SECONDS,
) -> Distinct:
    """Alternate, round after round: the bare hello, then each workload on each size."""
    result = Distinct()
    with tempfile.TemporaryDirectory() as tmp:
        scripts: dict[tuple[str, int], Path] = {}
        for n, (base, database) in servers.items():
            lists = url_lists(database, today, n)
            for name, paths in lists.items():
                scripts[(name, n)] = lua_script(paths, Path(tmp), f"{name}-{n}")
                result.urls[f"{name}@{n}"] = len(paths)
            result.feed_events[n] = feed_sizes(fetch, base, lists["feeds"][::7])
        for number in range(rounds):
            result.bare.append(load.run_wrk(wrk, bare_base + "/", seconds))
            for n, (base, _) in servers.items():
                hello = load.run_wrk(wrk, base + "/bench/hello", seconds)
                result.app_hello.setdefault(n, []).append(hello)
                for name in WORKLOADS:
                    fetch(base + "/bench/hello")  # the previous run's queued requests are done
                    x = run_urls(wrk, base, scripts[(name, n)], seconds, number, rounds)
                    result.loads.setdefault((name, n), []).append(x)
                    log(f"round {number + 1}: {name}@{n}: {x.requests_per_s:,.1f} req/s,"
                        f" p50 {x.p50_ms:.1f} ms, errors {x.errors}")  # fmt: skip
    return result


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
