"""The benchmark's one table: figures A-F with their goals, the absolute numbers, the machine."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path

from bench.distinct import Distinct
from bench.load import Load
from bench.naive import NaiveTimes

PAGES = ("list", "month", "event")


@dataclass
class Report:
    today: date
    wrk: str
    loads: dict[str, Load] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    feed_events: dict[str, int] = field(default_factory=dict)
    rebuild_s: list[float] = field(default_factory=list)
    naive: NaiveTimes | None = None
    feed_100k_s: float = 0.0
    rss_before: dict[int, float] = field(default_factory=dict)
    rss_after: dict[int, float] = field(default_factory=dict)
    latency_rounds: dict[str, list[float]] = field(default_factory=dict)  # page@n -> p50s
    total_s: float = 0.0
    database: str = "sqlite"
    workers: int = 2
    whole_feed_rounds: dict[str, list[Load]] = field(default_factory=dict)  # figure K
    distinct: Distinct | None = None  # figures G-J

    def median_latency(self, key: str) -> float | None:
        """A page's p50 latency: the median of the alternating rounds, else of its one load."""
        if self.latency_rounds.get(key):
            return statistics.median(self.latency_rounds[key])
        return self.loads[key].p50_ms if key in self.loads else None

    def rate(self, key: str) -> float | None:
        return self.loads[key].requests_per_s if key in self.loads else None

    def ratio(self, a: str, b: str) -> float | None:
        x, y = self.rate(a), self.rate(b)
        return x / y if x is not None and y else None

    def figures(self) -> list[tuple[str, str, float | None, str, bool | None]]:
        """(figure, what, value, goal, met) rows."""
        rows = []
        rebuild = statistics.median(self.rebuild_s) if self.rebuild_s else None
        if self.naive and rebuild:
            value = self.naive.to_ical_s / rebuild
            rows.append(
                (
                    "A",
                    "10,000-event feed rebuilt after one edit, vs naive to_ical()",
                    value,
                    ">= 20x",
                    value >= 20,
                )
            )
        for key, label in (("500", "500"), ("10k", "10,000")):
            value = self.ratio(f"feed-{key}", f"static-{key}")
            rows.append(
                (
                    "B",
                    f"unchanged {label}-event feed vs the same bytes as a static file",
                    value,
                    ">= 0.8x",
                    met(value, 0.8),
                )
            )
        for key, n in (("500", 1000), ("10k", 10_000), ("100k", 100_000)):
            value = self.ratio(f"304-{key}", f"hello@{n}")
            rows.append(
                (
                    "C",
                    f"304 revalidation ({key}-event feed) vs minimal route",
                    value,
                    ">= 0.7x",
                    met(value, 0.7),
                )
            )
        for n in (1000, 100_000):
            for page in PAGES:
                value = self.ratio(f"{page}@{n}", f"hello@{n}")
                rows.append(
                    (
                        "D",
                        f"{page} page at {n:,} events vs minimal route",
                        value,
                        ">= 0.25x",
                        met(value, 0.25),
                    )
                )
        for page in PAGES:
            big, small = self.median_latency(f"{page}@100000"), self.median_latency(f"{page}@1000")
            value = big / small if big and small else None
            rows.append(
                (
                    "E",
                    f"{page} page median latency, 100,000 vs 1,000 events",
                    value,
                    "<= 1.5x",
                    None if value is None else value <= 1.5,
                )
            )
        growth = self.rss_growth()
        rows.append(
            (
                "F",
                "extra peak memory of a worker serving the 100,000-event feed",
                growth,
                "< 64 MB",
                None if growth is None else growth < 64,
            )
        )
        return rows + self.distinct_figures()

    def distinct_figures(self) -> list[tuple[str, str, float | None, str, bool | None]]:
        """G-K (issue 15): distinct URLs against the bare Flask hello; the whole 100k feed."""
        rows: list[tuple[str, str, float | None, str, bool | None]] = []
        d = self.distinct
        if d is not None and d.bare_rate:
            big = d.rate(("searches", 100_000))
            value = big / d.bare_rate if big else None
            rows.append(("G", "distinct searches at 100,000 events vs the bare route", value,
                         ">= 0.04x", met(value, 0.04)))  # fmt: skip
            small, large = d.p50(("searches", 10_000)), d.p50(("searches", 100_000))
            value = large / small if small and large else None
            rows.append(("H", "distinct searches: p50 at 100,000 vs at 10,000 events", value,
                         "<= 1.5x", None if value is None else value <= 1.5))  # fmt: skip
            pages = d.rate(("events", 100_000))
            value = pages / d.bare_rate if pages else None
            rows.append(("I", "every event page in turn at 100,000 events vs the bare route",
                         value, ">= 0.08x", met(value, 0.08)))  # fmt: skip
            # Time in proportion to the events a feed holds: p50 per event held. The date
            # ranges shrink as the database grows, but events that span days keep the larger
            # database's feeds a little fuller (the raw p50 ratio is in the details).
            small, large = d.p50(("feeds", 10_000)), d.p50(("feeds", 100_000))
            few, many = d.feed_events.get(10_000), d.feed_events.get(100_000)
            value = (large / many) / (small / few) if small and large and few and many else None
            held = " and ".join(f"{v:.0f}" for _, v in sorted(d.feed_events.items()))
            rows.append(("J", f"distinct filtered feeds: p50 per event held ({held} events),"
                         " at 100,000 vs at 10,000 events", value, "~1x (<= 1.5x)",
                         None if value is None else value <= 1.5))  # fmt: skip
        feed, static = (self.whole_feed_rounds.get(k) for k in ("feed-100k", "static-100k"))
        if feed and static:
            value = statistics.median(x.requests_per_s for x in feed) / statistics.median(
                x.requests_per_s for x in static
            )
            rows.append(("K", "whole-site feed of 100,000 events vs the same bytes static",
                         value, ">= 0.8x", met(value, 0.8)))  # fmt: skip
        return rows

    def distinct_details(self) -> list[str]:
        d = self.distinct
        out = []
        if d is not None:
            out += [
                "",
                "| distinct workload (median of rounds) | events | URLs | req/s | vs bare |"
                " p50 ms | p99 ms | errors |",
                "|---|---|---|---|---|---|---|---|",
            ]
            bare = d.bare_rate or 0
            bare_p50 = statistics.median(x.p50_ms for x in d.bare)
            out.append(f"| bare Flask hello (bench/hello_wsgi.py) | - | 1 | {bare:,.0f} | 1.00x"
                       f" | {bare_p50:.2f} | - | - |")  # fmt: skip
            for n, loads in sorted(d.app_hello.items()):
                rate = statistics.median(x.requests_per_s for x in loads)
                out.append(f"| /bench/hello inside the app | {n:,} | 1 | {rate:,.0f} |"
                           f" {rate / bare if bare else 0:.2f}x | - | - | - |")  # fmt: skip
            for (name, n), loads in sorted(d.loads.items(), key=lambda kv: (kv[0][1], kv[0][0])):
                rate, p50 = d.rate((name, n)), d.p50((name, n))
                p99 = statistics.median(x.p99_ms for x in loads)
                errors = sum(x.errors for x in loads)
                out.append(
                    f"| {name} | {n:,} | {d.urls.get(f'{name}@{n}', 0):,} | {rate:,.1f} |"
                    f" {rate / bare if bare else 0:.3f}x | {p50:.1f} | {p99:.1f} | {errors} |"
                )
            small, large = d.p50(("feeds", 10_000)), d.p50(("feeds", 100_000))
            raw_j = f"{large / small:.2f}x" if small and large else "n/a"
            rounds = "; ".join(
                f"{name}@{n} " + ", ".join(f"{x.requests_per_s:,.1f}" for x in loads)
                for (name, n), loads in sorted(d.loads.items())
            )
            out += [
                "",
                f"- rounds (req/s): bare {', '.join(f'{x.requests_per_s:,.0f}' for x in d.bare)};"
                f" {rounds}",
                "- J: mean events per filtered feed (a sample of the list, fetched whole): "
                + ", ".join(f"{n:,} events: {v:.1f}" for n, v in sorted(d.feed_events.items()))
                + " (date ranges shrink as the database grows; see bench/distinct.py); p50 at"
                f" 100,000 vs at 10,000 events, not per event: {raw_j}",
            ]
        if self.whole_feed_rounds:
            out.append(
                "- K rounds (req/s): "
                + "; ".join(
                    f"{key} " + ", ".join(f"{x.requests_per_s:,.2f}" for x in loads)
                    for key, loads in sorted(self.whole_feed_rounds.items())
                )
            )
        return out

    def rss_growth(self) -> float | None:
        growths = [
            self.rss_after[p] - self.rss_before[p] for p in self.rss_after if p in self.rss_before
        ]
        return max(growths) if growths else None

    def render(self) -> str:
        lines = [
            f"# Benchmark results, {self.today.isoformat()} ({self.database},"
            f" {self.workers} workers)",
            "",
            "| figure | measured | value | goal | met |",
            "|---|---|---|---|---|",
        ]
        for figure, what, value, goal, ok in self.figures():
            unit = " MB" if figure == "F" else "x"
            shown = "n/a" if value is None else f"{value:,.2f}{unit}"
            verdict = "n/a" if ok is None else ("yes" if ok else "**NO**")
            lines.append(f"| {figure} | {what} | {shown} | {goal} | {verdict} |")
        lines += [
            "",
            "| target | req/s | p50 ms | p99 ms | requests | errors | body bytes |",
            "|---|---|---|---|---|---|---|",
        ]
        for key in sorted(self.loads, key=order):
            x = self.loads[key]
            lines.append(
                f"| {key} | {x.requests_per_s:,.0f} | {x.p50_ms:.2f} | {x.p99_ms:.2f} "
                f"| {x.requests:,} | {x.errors} | {self.sizes.get(key, 0):,} |"
            )
        lines += [*self.distinct_details()]
        lines += ["", *self.details(), "", *machine(self.wrk, self.database, self.workers), ""]
        return "\n".join(lines)

    def details(self) -> list[str]:
        out = [f"- events in the feeds: {self.feed_events}"]
        if self.rebuild_s:
            out.append(
                f"- feed rebuild after one edit (HTTP 200, whole body read): median "
                f"{statistics.median(self.rebuild_s):.3f} s of "
                f"{', '.join(f'{t:.3f}' for t in self.rebuild_s)}"
            )
        if self.naive:
            x = self.naive
            out.append(
                f"- naive icalendar build of {x.events:,} events: components {x.build_s:.2f} s,"
                f" add_missing_timezones() {x.timezones_s:.2f} s, to_ical() {x.to_ical_s:.2f} s"
                f" ({x.size_mb:.1f} MB)"
            )
        if "feed-100k" in self.sizes:
            out.append(
                f"- 100,000-event feed: {self.sizes['feed-100k'] / 1e6:.1f} MB in "
                f"{self.feed_100k_s:.2f} s (one request, first after a restart)"
            )
        out.append(
            "- worker peak RSS (VmHWM) before -> after serving it: "
            + ", ".join(
                f"{self.rss_before.get(p, 0):.0f} -> {self.rss_after[p]:.0f} MB"
                for p in self.rss_after
            )
        )
        if self.latency_rounds:
            out.append(
                "- E: p50 latency (ms) in alternating rounds, both servers up: "
                + "; ".join(
                    f"{key} {', '.join(f'{v:.2f}' for v in values)}"
                    for key, values in sorted(self.latency_rounds.items())
                )
            )
        out.append(f"- whole run: {self.total_s:.0f} s")
        return out


def load_average() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def met(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def order(key: str) -> tuple[int, str]:
    return (int(key.split("@")[1]) if "@" in key else 0, key)


def hardware() -> str:
    """'<cpu model>, <n> cores, <n> MB RAM, <platform>', as /proc tells (unknown elsewhere)."""
    cpu = "unknown"
    memory = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {memory:,} MB RAM, {platform.platform()}"


def machine(wrk: str, database: str = "sqlite", workers: int = 2) -> list[str]:
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("flask", "sqlalchemy", "icalendar", "gunicorn", "werkzeug")
    )
    return [
        f"- machine: {hardware()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {packages},"
        f" wrk {wrk}",
        f"- server: gunicorn, {workers} sync workers, {database}; load: wrk -t2 -c16 on the same"
        " machine",
        f"- load average at the end (1, 5, 15 min; the machine is shared): {load_average()}",
    ]
