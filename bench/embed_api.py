"""Figures G and H (issue 13): the widgets' data and an API list page, on the 10,000-event
database, loaded with wrk like the other figures (`make bench` runs them last; alone:
`.venv/bin/python -m bench.embed_api`).

G. Repeated requests (every host page asks the same URL): sidebar data, list widget data and
   an API list page against `send_file` of the very same bytes on the same server; goal >= 0.8x.
H. Caches defeated (every request a distinct query string, from a wrk Lua script): the same
   three against the event list page, each URL naming a place, a kind and a category; what
   makes it unique is the widgets' `count`, and `from` (a past day) for the API and the list.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench import dataset, load
from bench.server import Server, fetch

REPEATED = {
    "sidebar data": "/embed/sidebar.json",
    "list widget data": "/embed/list.json?count=10",
    "API list page": "/api/v1/events?limit=20",
}
# Under distinct filters each request names a place, a kind and a category (30 x 4 x 13) and
# one more value that makes it unique: the widgets' count, the API's and the list page's `from`.
DISTINCT = {
    "sidebar data": ("/embed/sidebar.json", "count"),
    "list widget data": ("/embed/list.json", "count"),
    "API list page": ("/api/v1/events", "from"),
}
LIST_PAGE = "/events/"
CATEGORIES = ("", "5g", "ai-automation", "broadband", "cloud", "edge", "iot", "open-ran")
CATEGORIES += ("optical", "policy-regulation", "private-networks", "satellite", "security")
KINDS = ("", "live", "webinar", "audio")
LUA = """
local paths = {%s}
local threads = 0
local stretch = %d
function setup(thread)  -- each wrk thread of each run walks its own stretch of the list
  thread:set("offset", %d + threads * stretch)
  threads = threads + 1
end
function init(args)
  counter = offset or 0
end
request = function()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter])
end
"""
# A run's two threads take the next 2 x STRETCH URLs of their list: no URL comes back in a later
# run, where the response cache would answer it (a run makes far fewer than STRETCH requests).
STRETCH = 4000


def distinct_paths(path: str, extra: str, today: date, count: int = 60_000) -> list[str]:
    """`count` distinct URLs of `path`, shuffled the same way every run."""
    places = [c[0] for c in dataset.CITIES]
    found = []
    for n in range(count):
        args = {
            "place": places[n % len(places)],
            "kind": KINDS[n // len(places) % len(KINDS)],
            "category": CATEGORIES[n // (len(places) * len(KINDS)) % len(CATEGORIES)],
        }
        unique = n // (len(places) * len(KINDS) * len(CATEGORIES))
        if extra == "count":
            args["count"] = str(unique % 20 + 1)
        else:  # a day in the past: the same upcoming events, a distinct URL
            args["from"] = (today - timedelta(days=unique + 1)).isoformat()
        found.append(path + "?" + urlencode({k: v for k, v in args.items() if v}))
    random.Random(13).shuffle(found)
    return found


def run_distinct(
    wrk: str, server: Server, paths: list[str], seconds: int, used: dict[int, int]
) -> load.Load:
    """One wrk run over the next unused stretch of ``paths`` (``used``: per list, by id)."""
    start = used.get(id(paths), 0)
    if start + 2 * STRETCH > len(paths):
        raise RuntimeError("the list of distinct URLs is too short for this many runs")
    used[id(paths)] = start + 2 * STRETCH
    script = dataset.OUT / f"distinct-{hashlib.sha256(paths[0].encode()).hexdigest()[:12]}.lua"
    script.write_text(LUA % (", ".join(json.dumps(p) for p in paths), STRETCH, start))
    command = [wrk, *load.WRK_ARGS, f"-d{seconds}s", "--timeout", "30s", "--latency"]
    result = subprocess.run(
        [*command, "-s", str(script), server.url("/")],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    return load.parse(result.stdout)


def measure(database: Path, wrk: str, seconds: int, rounds: int = 2, log=print) -> list[str]:
    """The table's lines (markdown), each ratio measured back to back in alternating rounds."""
    static_dir = dataset.OUT / "static"
    static_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with Server(database, static_dir) as server:
        for name, path in REPEATED.items():
            status, _, body = fetch(server.url(path))
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            static = f"embed-{abs(hash(path))}.json"
            (static_dir / static).write_bytes(body)
            ours, baseline = [], []
            for _ in range(rounds):
                ours.append(load.run_wrk(wrk, server.url(path), seconds).requests_per_s)
                baseline.append(
                    load.run_wrk(wrk, server.url(f"/bench/static/{static}"), seconds).requests_per_s
                )
            ratio = sum(ours) / sum(baseline)
            rows.append(
                f"| G. {name}, repeated, vs the same {len(body):,} bytes as a static file"
                f" | >= 0.8x | {ratio:.2f}x: {sum(ours) / rounds:,.0f} vs"
                f" {sum(baseline) / rounds:,.0f} req/s | {'yes' if ratio >= 0.8 else 'NO'} |"
            )
            log(rows[-1])
        today = datetime.now(UTC).date()
        list_paths = distinct_paths(LIST_PAGE, "from", today)  # it takes no count
        used: dict[int, int] = {}
        for name, (path, extra) in DISTINCT.items():
            ours_paths = distinct_paths(path, extra, today)
            for sample in (ours_paths[0], list_paths[0]):
                if fetch(server.url(sample))[0] != 200:
                    raise RuntimeError(f"{sample}: not 200")
            ours, baseline = [], []
            for _ in range(rounds):
                ours.append(run_distinct(wrk, server, ours_paths, seconds, used))
                baseline.append(run_distinct(wrk, server, list_paths, seconds, used))
            errors = sum(x.errors for x in ours + baseline)
            if errors:
                raise RuntimeError(f"{name}: {errors} non-2xx answers under distinct filters")
            a = sum(x.requests_per_s for x in ours)
            b = sum(x.requests_per_s for x in baseline)
            rows.append(
                f"| H. {name}, distinct filters, vs the list page with distinct filters"
                f" | >= 1x | {a / b:.2f}x: {a / rounds:,.0f} vs {b / rounds:,.0f} req/s"
                f" | {'yes' if a / b >= 1 else 'NO'} |"
            )
            log(rows[-1])
    header = [
        "| figure (10,000 events, 2 workers) | goal | measured | met |",
        "|---|---|---|---|",
    ]
    return header + rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    wrk = load.ensure_wrk(log=print)
    if not wrk:
        sys.exit("wrk is missing (apt-get install wrk as root)")
    database = dataset.ensure_database(10_000, datetime.now(UTC).date(), log=print)
    print("\n".join(measure(database, wrk, args.seconds, args.rounds)))


if __name__ == "__main__":
    main()
