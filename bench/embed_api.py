"""Figures G and H (issue 13): the widgets' data and an API list page, on the 10,000-event
database, loaded with wrk like the other figures (`make bench` runs them last; alone:
`.venv/bin/python -m bench.embed_api`).

G. Repeated requests (every host page asks the same URL): sidebar data, list widget data and
   an API list page against `send_file` of the very same bytes on the same server; goal >= 0.8x.
H. Caches defeated (every request a distinct query string, through a wrk Lua script): the same
   three against the event list page with the same distinct filters; goal >= 1x. Distinct
   `from`/`to` days for the API and the list page; distinct three-letter `q` searches for the
   widgets (they take no dates) and for the list page they are compared with.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import dataset, load
from bench.server import Server, fetch

REPEATED = {
    "sidebar data": "/embed/sidebar.json",
    "list widget data": "/embed/list.json?count=10",
    "API list page": "/api/v1/events?limit=20",
}
# %s: the distinct part, filled in per request by the Lua script below.
DISTINCT = {
    "sidebar data": ("/embed/sidebar.json?q=%s", "q"),
    "list widget data": ("/embed/list.json?count=10&q=%s", "q"),
    "API list page": ("/api/v1/events?limit=20&%s", "dates"),
}
LIST_PAGE = {"q": "/events/?q=%s", "dates": "/events/?%s"}
LUA = """
local letters = "abcdefghijklmnopqrstuvwxyz"
local counter = 0
local function pick(n) return string.sub(letters, n %% 26 + 1, n %% 26 + 1) end
local base = os.time({year=%(year)d, month=%(month)d, day=%(day)d, hour=12})
request = function()
  counter = counter + 1
  local n = counter * 7919 + math.random(0, 100000) * 17576
  local part
  if "%(kind)s" == "q" then
    part = pick(n) .. pick(math.floor(n / 26)) .. pick(math.floor(n / 676))
  else
    local first = base + (n %% 700) * 86400
    local last = first + (math.floor(n / 700) %% 30) * 86400
    part = "from=" .. os.date("!%%Y-%%m-%%d", first) .. "&to=" .. os.date("!%%Y-%%m-%%d", last)
  end
  return wrk.format("GET", string.format("%(path)s", part))
end
"""


def distinct_script(path: str, kind: str, out: Path) -> Path:
    today = datetime.now(UTC).date()
    script = out / f"distinct-{abs(hash((path, kind)))}.lua"
    values = {"year": today.year, "month": today.month, "day": today.day}
    script.write_text(LUA % {**values, "kind": kind, "path": path})
    return script


def run_distinct(wrk: str, server: Server, path: str, kind: str, seconds: int) -> load.Load:
    script = distinct_script(path, kind, dataset.OUT)
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
        for name, (path, kind) in DISTINCT.items():
            check = path % ("from=2026-01-01" if kind == "dates" else "abc")
            if fetch(server.url(check))[0] != 200:
                raise RuntimeError(f"{check}: not 200")
            ours, baseline = [], []
            for _ in range(rounds):
                ours.append(run_distinct(wrk, server, path, kind, seconds))
                baseline.append(run_distinct(wrk, server, LIST_PAGE[kind], kind, seconds))
            errors = sum(x.errors for x in ours + baseline)
            if errors:
                raise RuntimeError(f"{name}: {errors} non-2xx answers under distinct filters")
            a = sum(x.requests_per_s for x in ours)
            b = sum(x.requests_per_s for x in baseline)
            rows.append(
                f"| H. {name}, distinct {'searches' if kind == 'q' else 'date ranges'},"
                f" vs the list page with the same | >= 1x | {a / b:.2f}x: {a / rounds:,.0f} vs"
                f" {b / rounds:,.0f} req/s | {'yes' if a / b >= 1 else 'NO'} |"
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
