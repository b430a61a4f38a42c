"""The soak's report: verdicts first, then the faults, the phases, the saves and the memory."""

from __future__ import annotations

import platform
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.report import hardware
from bench.soak_editors import Editor, Journal
from bench.soak_verify import Line, percentile

GRACE = 0.5  # seconds around the outage a request may overlap and still get its 503


def machine() -> str:
    packages = ", ".join(
        f"{n} {version(n)}" for n in ("flask", "sqlalchemy", "gunicorn", "psycopg")
    )
    return f"{hardware()}; Python {platform.python_version()}, {packages}"


def expected_503(line: Line, down: float | None, back: float | None) -> bool:
    """A 503 for a request that overlapped PostgreSQL's outage, said so by the app."""
    if line.status != 503 or not line.error or down is None or back is None:
        return False
    return line.start <= back + GRACE and line.end >= down - GRACE


def first_good(lines: list[Line], server: str, back: float) -> float | None:
    """Seconds from PostgreSQL's return to the server's first answer from the database."""
    good = [
        line.end
        for line in lines
        if line.server == server
        and line.start >= back
        and line.status < 500
        and line.cache != "stale"
        and not line.error
    ]
    return min(good) - back if good else None


@dataclass
class Run:
    """Everything the soak measured, for its report."""

    args: Any  # the command line (argparse)
    faults: list[str]
    phases: list[Any]  # soak.Phase
    events: Any  # soak_servers.Events
    started: float
    ended: float
    lines: list[Line]
    journal: Journal
    editors: list[Editor]
    problems: list[str]
    checked: int
    memory: tuple[dict[str, dict[int, float]], dict[str, dict[int, float]]]
    bound: float
    url_count: int
    wrk: str
    postgres: str
    logs: tuple[Path, Path]
    loadavg: tuple[float, float]


def report(run: Run) -> tuple[str, bool]:
    """The Markdown report, and whether the soak failed."""
    args, faults, phases, events = run.args, run.faults, run.phases, run.events
    started, ended, lines, journal, editors = (
        run.started,
        run.ended,
        run.lines,
        run.journal,
        run.editors,
    )
    problems, checked, memory, bound = run.problems, run.checked, run.memory, run.bound
    url_count, wrk, postgres, logs, loadavg = (
        run.url_count,
        run.wrk,
        run.postgres,
        run.logs,
        run.loadavg,
    )
    down, back = events.pg_down, events.pg_back
    unexpected = [
        line for line in lines if line.status >= 500 and not expected_503(line, down, back)
    ]
    outage_503 = [line for line in lines if expected_503(line, down, back)]
    stale = [line for line in lines if line.cache == "stale"]
    saves = journal.saves
    acknowledged = [s for s in saves if s.acknowledged]
    refused = Counter(
        "no answer (connection)" if s.status is None else str(s.status)
        for s in saves
        if not s.acknowledged
    )
    kept = [s.kept_input for s in saves if s.kept_input is not None]
    failures = [f"{e.editor}: {e.failure!r}" for e in editors if e.failure]
    pending = [t.slug for t in journal.targets.values() if t.pending]
    start_mb, end_mb = memory
    growth = {
        name: max(end_mb[name].values(), default=0) - max(start_mb[name].values(), default=0)
        for name in start_mb
    }
    memory_ok = all(g <= bound for g in growth.values())
    failed = bool(
        problems or unexpected or failures or not memory_ok or not checked or not all(kept)
    )

    out: list[str] = []
    when = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M UTC")
    out += [f"# Soak, {when}", ""]
    verdict = "**0 lost acknowledged saves**" if not problems else f"**{len(problems)} LOST**"
    out.append(
        f"- {verdict}: {len(acknowledged):,} saves acknowledged; the {checked:,} events "
        f"they made checked in the database, on their pages and in 4 feeds each, on both "
        f"servers"
        + (f" ({len(pending)} left unacknowledged at the end, not counted)" if pending else "")
    )
    out.append(
        f"- **{len(unexpected)} unexpected 5xx**; {len(outage_503):,} answers were 503 "
        f"while PostgreSQL was down, and {len(stale):,} were the last good page or feed "
        f"served from the cache meanwhile (200/304, `Cache-Status: ... fwd=stale`)"
    )
    if down is not None and back is not None:
        firsts = ", ".join(
            f"{name} {value:.3f} s" if value is not None else f"{name} none"
            for name in ("A", "B")
            for value in [first_good(lines, name, back)]
        )
        out.append(
            f"- PostgreSQL down {back - down:.2f} s (seen by a 20 ms probe); from its "
            f"return to each server's first answer from the database: {firsts}"
        )
    out.append(
        f"- worker memory growth: {', '.join(f'{n} {g:+.1f} MB' for n, g in growth.items())}"
        f" (bound: +{bound} MB per server's largest worker): "
        + ("met" if memory_ok else "**EXCEEDED**")
    )
    out.append(
        f"- editors: {len(editors)}, failures: {len(failures)}"
        + (f" ({'; '.join(failures)})" if failures else "")
    )
    out.append(f"- verdict: {'**FAILED**' if failed else 'passed'}")
    out += ["", "## Setup", ""]
    out.append(f"- machine: {machine()}; PostgreSQL {postgres}; wrk {wrk}")
    out.append(
        f"- load average (1 min) at the start and the end: {loadavg[0]:.1f}, "
        f"{loadavg[1]:.1f} (the machine is shared: other jobs ran meanwhile)"
    )
    out.append(
        f"- {args.events:,} events (bench/dataset.py) on PostgreSQL cluster `soak`; two "
        f"gunicorn servers (A, B) of 2 sync workers each, SITE_URL set, blocks rendered "
        f"ahead"
    )
    out.append(
        f"- load: wrk {' '.join(['-t1', '-c8'])} per server, rotating through {url_count} "
        f"URLs (feeds, filtered feeds, list, month and event pages), each with and "
        f"without If-None-Match"
    )
    out.append(
        f"- {len(editors)} editors through the real login and staff forms (CSRF tokens), "
        f"each request to A or B at random, 1-3 s apart: create a webinar as a draft, "
        f"publish it, move its time, cancel it, and again"
    )
    out.append(
        f"- run: {args.seconds} s ({ended - started:.0f} s measured), faults: "
        f"{', '.join(faults) or 'none'}"
    )
    out += ["", "## Faults", ""] + [f"- {note}" for note in events.notes]
    out += ["", "## Phases", ""]
    out.append(
        "| phase | s | req/s (A+B, wrk) | p50 ms A / B | p99 ms A / B | 2xx/3xx | 503 "
        "| stale | other 5xx | socket errors |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    bounds = [p.started for p in phases] + [ended + 60]
    for phase, (begin, end) in zip(phases, zip(bounds, bounds[1:], strict=False), strict=True):
        inside = [line for line in lines if begin <= line.start < end]
        loads = phase.loads
        rate = sum(x.requests_per_s for x in loads.values() if x)

        def ms(attr: str, loads: dict[str, Any] = loads) -> str:
            return " / ".join(
                f"{getattr(loads[n], attr):.1f}" if loads.get(n) else "n/a" for n in ("A", "B")
            )

        ok = sum(1 for line in inside if line.status < 400)
        n503 = sum(1 for line in inside if line.status == 503)
        other = sum(1 for line in inside if line.status >= 500 and line.status != 503)
        stale_n = sum(1 for line in inside if line.cache == "stale")
        sockets = sum(phase.socket_errors.values())
        out.append(
            f"| {phase.name} | {phase.seconds} | {rate:,.0f} | {ms('p50_ms')} | "
            f"{ms('p99_ms')} | {ok:,} | {n503:,} | {stale_n:,} | {other} | {sockets:,} |"
        )
    durations = [line.seconds * 1000 for line in lines]
    out += [
        "",
        f"Server side (the JSON request log, warm-up included): {len(lines):,} requests, "
        f"p50 {percentile(durations, 50):.1f} ms, p99 {percentile(durations, 99):.1f} ms "
        f"until the answer was ready.",
    ]
    cache = Counter(line.cache for line in lines if line.cache)
    every = (ended - started) / len(acknowledged) if acknowledged else float("nan")
    out += [
        "",
        f"Response cache: {cache['hit']:,} hits, {cache['miss']:,} misses, {cache['stale']:,} "
        f"stale. A save every {every:.2f} s on average (the editors are far busier than real "
        f"ones) gives every cached page and feed a new change token, so most requests are "
        f"built afresh: these rates are those of pages and feeds rebuilt under constant edits "
        f"on a shared 2-core machine, not of the cache (bench/RESULTS.md measures that).",
    ]
    out += ["", "## Saves", ""]
    by_action = Counter(s.action for s in acknowledged)
    out.append("- acknowledged: " + ", ".join(f"{n:,} {a}" for a, n in sorted(by_action.items())))
    out.append(
        "- not acknowledged, then sent again: "
        + (", ".join(f"{n} {why}" for why, n in sorted(refused.items())) or "none")
    )
    if kept:
        out.append(
            f"- of the forms refused with a 503, {sum(kept)} of {len(kept)} came back "
            f"with what the editor typed (and were sent again from that page)"
        )
    if problems:
        out += ["", "## Lost saves", ""] + [f"- {p}" for p in problems[:50]]
    if unexpected:
        out += ["", "## Unexpected 5xx", ""]
        out += [
            f"- {x.server} {datetime.fromtimestamp(x.end, UTC):%H:%M:%S.%f} {x.status} "
            f"{x.path} {x.error or ''}"
            for x in unexpected[:50]
        ]
    out += ["", "## Worker memory (RSS, MB)", ""]
    for name in start_mb:
        start = ", ".join(f"{v:.1f}" for v in start_mb[name].values())
        end = ", ".join(f"{v:.1f}" for v in end_mb[name].values())
        out.append(f"- server {name}: start {start}; end {end}")
    out += ["", f"Logs: {', '.join(str(p.relative_to(p.parents[2])) for p in logs)}", ""]
    out.append(
        f"soak: {len(problems)} lost acknowledged saves, {len(unexpected)} unexpected 5xx, "
        f"{'FAILED' if failed else 'passed'}"
    )
    return "\n".join(out) + "\n", failed
