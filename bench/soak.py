"""`make soak`: load, editors and faults at once on PostgreSQL; nothing acknowledged may be lost.

It starts a PostgreSQL cluster of its own (`soak`, port 5433, through `.ci/postgres`: it is
restarted during the run, so never the shared one), migrates a fresh database, loads a few
thousand events (bench/dataset.py) and serves them with two gunicorn servers of two workers.
Then, for --seconds (default 180), at the same time:

- wrk against each server, rotating through feeds, filtered feeds, list, month and event pages,
  with and without If-None-Match (bench/soak.lua), one run per phase;
- --editors simulated editors (bench/soak_editors.py): real sign-in and staff forms;
- the faults, one phase each: PostgreSQL restarted (`pg-restart`), server B killed with
  SIGKILL and started again (`kill-server`), one worker of server A recycled (`recycle-worker`).

Afterwards it checks every acknowledged save in the database, on its page and in each of its
feeds on both servers (bench/soak_verify.py), reads every request from the servers' JSON logs,
and prints: lost saves, 5xx answers (only 503 while PostgreSQL was down is expected), the time
from PostgreSQL's return to each server's first good answer, request rate and p50/p99 per
phase, and worker memory at the start and the end. It exits 1 on a lost save, an unexpected
5xx, an editor that failed, or memory growth past MEMORY_BOUND_MB.

`make soak SOAK_ARGS="--seconds 30 --faults pg-restart"` is the short form CI runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text

from bench import dataset, load
from bench.soak_editors import Editor, Journal
from bench.soak_report import Run, report
from bench.soak_servers import (
    CLUSTER,
    OUT,
    ROOT,
    Events,
    Prober,
    Server,
    fetch_etag,
    postgres_version,
    server_env,
    start_cluster,
)
from bench.soak_verify import Line, lost_saves, read_log
from events_app import create_app, database_url
from events_app.auth import hash_password
from events_app.export import continue_ids
from events_app.extensions import alembic, db
from events_app.models import Base, Category, Event, User
from tests.servers import free_port

FAULTS = ("pg-restart", "kill-server", "recycle-worker")
MEMORY_BOUND_MB = 64  # growth of a worker's RSS over the run (its caches are bounded too)
WRK_ARGS = ["-t1", "-c8"]  # per server, two servers: 16 connections on a 2-core machine
EDITOR_PASSWORD = "soak editor password"
CATEGORY = "cloud"


def progress(message: str) -> None:
    print(f"[soak] {message}", flush=True)


# --- the data ------------------------------------------------------------------------------------


def render_blocks(url: str) -> None:
    """`flask feeds render-blocks` on each server's host (its instance folder), as a deploy
    does, so that no first request renders blocks or works out VTIMEZONEs."""
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "--app", "events_app", "feeds", "render-blocks"]
    for host in ("instance-a", "instance-b"):
        env = server_env(url, OUT / host)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        progress(done.stdout.strip() or done.stderr.strip())


def prepare_database(url: str, events: int, editors: int) -> int:
    """A fresh schema with ``events`` events and the editors' accounts; the category's id."""
    engine = create_engine(database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_ENGINES": {"default": database_url(url)},
            "SECRET_KEY": "soak",
            "UID_DOMAIN": dataset.UID_DOMAIN,
        }
    )
    with app.app_context():
        alembic.upgrade()
        today = datetime.now(UTC).date()
        dataset.Generator(db.session, dataset.anchor_month(today)).add_events(events)
        continue_ids(db.session, Base.metadata.sorted_tables)  # rows came with their ids
        password = hash_password(EDITOR_PASSWORD)
        for n in range(1, editors + 1):
            db.session.add(
                User(
                    email=f"editor{n}@soak.example.com",
                    display_name=f"Editor {n}",
                    password_hash=password,
                    role="editor",
                )
            )
        db.session.commit()
        category_id = db.session.scalar(select(Category.id).where(Category.slug == CATEGORY))
        for engine in db.engines.values():
            engine.dispose()
    return category_id


def request_list(server: Server, path: Path) -> int:
    """The rotation wrk requests: each URL without and with If-None-Match (its ETag as server
    A gives it now; edits make it old, and then the answer is a 200)."""
    app = create_app(
        {
            "SQLALCHEMY_ENGINES": {"default": database_url(server.env["DATABASE_URL"])},
            "SECRET_KEY": "soak",
        }
    )
    with app.app_context():
        slugs = db.session.scalars(
            select(Event.slug)
            .where(Event.status == "published", Event.start_at > datetime.now(UTC))
            .order_by(Event.start_at)
            .limit(12)
        ).all()
        for engine in db.engines.values():
            engine.dispose()
    month = datetime.now(UTC)
    paths = [
        "/",
        "/events/",
        "/events/?kind=live",
        "/events/?page=2",
        "/events/?q=5G",
        "/calendar/",
        f"/calendar/{month.year + 1}/{month.month:02d}",
        "/webinars/",
        "/feeds/all.ics",
        "/feeds/live.ics",
        "/feeds/webinars.ics",
        f"/feeds/categories/{CATEGORY}.ics",
        "/feeds/categories/5g.ics",
        "/feeds/events.ics?kind=webinar&place=London",  # as venues spell it: not a 301
        f"/events/?category={CATEGORY}",
    ]
    paths += [f"/events/{slug}" for slug in slugs] + [f"/events/{slug}.ics" for slug in slugs[:4]]
    lines = []
    for p in paths:
        etag = fetch_etag(server.base + p)
        lines += [f"{p}\t", f"{p}\t{etag or ''}"]
    path.write_text("\n".join(lines) + "\n")
    return len(paths)


# --- the run --------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: int
    fault: str | None = None
    started: float = 0.0
    loads: dict[str, load.Load | None] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)


def run_wrk(wrk: str, server: Server, seconds: int, requests: Path, phase: Phase) -> None:
    command = [
        wrk,
        *WRK_ARGS,
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "soak.lua"),
        server.base,
        "--",
        str(requests),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    try:
        phase.loads[server.name] = load.parse(result.stdout)
    except ValueError:
        phase.loads[server.name] = None
    errors = [line for line in result.stdout.splitlines() if "Socket errors" in line]
    phase.socket_errors[server.name] = sum(
        int(n)
        for line in errors
        for n in line.split(":", 1)[1].replace(",", " ").split()
        if n.isdigit()
    )


def inject(fault: str, a: Server, b: Server, events: Events, started: float) -> None:
    at = time.time()
    if fault == "pg-restart":
        CLUSTER.ctl("restart")
        events.notes.append(
            f"PostgreSQL restarted at {at - started:.1f} s "
            f"(`pg_ctlcluster restart` took {time.time() - at:.1f} s)"
        )
    elif fault == "kill-server":
        b.kill()
        b.start()
        events.notes.append(
            f"server B killed with SIGKILL at {at - started:.1f} s, serving "
            f"again {time.time() - at:.1f} s later"
        )
    elif fault == "recycle-worker":
        pid = a.workers()[0]
        os.kill(pid, signal.SIGTERM)
        events.notes.append(f"worker {pid} of server A recycled (SIGTERM) at {at - started:.1f} s")


def schedule(seconds: int, faults: list[str]) -> list[Phase]:
    unit = seconds / (len(faults) + 3)
    phases = [Phase("steady", round(unit))]
    phases += [Phase(f"fault: {fault}", round(unit), fault) for fault in faults]
    phases.append(Phase("after the faults", seconds - sum(p.seconds for p in phases)))
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=int, default=180, help="length of the run (180; 600 for the long one)"
    )
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"comma-separated, of {', '.join(FAULTS)}"
    )
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--save", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    faults = [f for f in args.faults.split(",") if f]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        sys.exit(f"unknown faults: {', '.join(sorted(unknown))}")
    wrk = load.ensure_wrk(log=progress)
    if not wrk:
        sys.exit("wrk is missing and could not be installed (apt-get install wrk as root)")
    OUT.mkdir(parents=True, exist_ok=True)

    url = start_cluster()
    progress(f"PostgreSQL cluster 'soak' on port {CLUSTER.port}; loading {args.events:,} events")
    category_id = prepare_database(url, args.events, args.editors)
    render_blocks(url)
    a, b = Server("A", url, free_port()), Server("B", url, free_port())
    servers = (a, b)
    try:
        for server in servers:
            server.start()
        requests = OUT / "requests.tsv"
        count = request_list(a, requests)
        for _ in range(3):  # warm every worker's caches, on both servers
            for server in servers:
                run_wrk(wrk, server, 2, requests, Phase("warm", 2))
        memory_start = {s.name: s.rss_mb() for s in servers}
        events = Events()
        prober = Prober(url, events)
        prober.start()
        journal, stop = Journal(), threading.Event()
        editors = [
            Editor(
                f"e{n}",
                f"editor{n}@soak.example.com",
                EDITOR_PASSWORD,
                [a.base, b.base],
                category_id,
                journal,
                stop,
                seed=n,
            )
            for n in range(1, args.editors + 1)
        ]
        for editor in editors:
            editor.start()
        phases = schedule(args.seconds, faults)
        started, load_start = time.time(), os.getloadavg()[0]
        progress(f"{args.seconds} s: {', '.join(f'{p.name} {p.seconds} s' for p in phases)}")
        for phase in phases:
            phase.started = time.time()
            loads = [
                threading.Thread(target=run_wrk, args=(wrk, s, phase.seconds, requests, phase))
                for s in servers
            ]
            for thread in loads:
                thread.start()
            if phase.fault:
                time.sleep(min(2, phase.seconds / 4))
                inject(phase.fault, a, b, events, started)
            for thread in loads:
                thread.join()
            rates = [f"{n} {x.requests_per_s:,.0f} req/s" for n, x in phase.loads.items() if x]
            progress(f"{phase.name}: {', '.join(rates)}")
        ended, load_end = time.time(), os.getloadavg()[0]
        stop.set()
        for editor in editors:
            editor.join(timeout=120)
        prober.stop.set()
        memory_end = {s.name: s.rss_mb() for s in servers}
        progress("checking every acknowledged save on both servers")
        problems, checked = lost_saves(
            list(journal.targets.values()), [a.base, b.base], database_url(url), CATEGORY
        )
    finally:
        for server in servers:
            server.stop()
    lines: list[Line] = read_log(a.log, "A") + read_log(b.log, "B")
    text, failed = report(
        Run(
            args=args,
            faults=faults,
            phases=phases,
            events=events,
            started=started,
            ended=ended,
            lines=lines,
            journal=journal,
            editors=editors,
            problems=problems,
            checked=checked,
            memory=(memory_start, memory_end),
            bound=MEMORY_BOUND_MB,
            url_count=count,
            wrk=load.wrk_version(wrk),
            postgres=postgres_version(url),
            logs=(a.log, b.log),
            loadavg=(load_start, load_end),
        )
    )
    print(text)
    if args.save:
        args.save.write_text(text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
