"""The soak's PostgreSQL cluster and gunicorn servers: started, probed, killed, restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.server import children_of, status_mb
from tests.servers import OwnCluster

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "soak"
# A cluster of its own: it is restarted during the run, so never the shared one on 5432.
CLUSTER = OwnCluster("soak", 5433, "events_soak")
SITE_URL = "https://events.example.com"


def start_cluster() -> str:
    try:
        return CLUSTER.start()
    except RuntimeError as error:
        sys.exit(str(error))


def postgres_version(url: str) -> str:
    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def server_env(url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENTS_", "PROMETHEUS_"))}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY="soak-secret-of-at-least-32-characters",
        EVENTS_PRODUCTION="true",
        EVENTS_SESSION_COOKIE_SECURE="false",  # plain HTTP here
        EVENTS_SITE_URL=SITE_URL,
        EVENTS_INSTANCE_PATH=str(instance),
    )
    return env


class Server:
    """A gunicorn server of two workers on a fixed port, which can be killed and started again."""

    def __init__(self, name: str, url: str, port: int) -> None:
        self.name, self.port = name, port
        self.base = f"http://127.0.0.1:{port}"
        self.instance = OUT / f"instance-{name.lower()}"
        self.instance.mkdir(parents=True, exist_ok=True)
        self.log = OUT / f"server-{name.lower()}.log"
        self.log.write_text("")
        self.env = server_env(url, self.instance)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "--config",
            "python:events_app.gunicorn_config",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--bind",
            f"127.0.0.1:{self.port}",
            "events_app:create_app()",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"server {self.name} exited; see {self.log}")
            if status_of(self.base + "/healthz") == 200 and len(self.workers()) == 2:
                return
            time.sleep(0.1)
        sys.exit(f"server {self.name} did not start; see {self.log}")

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once, as when a machine dies."""
        assert self.process
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def workers(self) -> list[int]:
        assert self.process
        return children_of(self.process.pid)

    def rss_mb(self) -> dict[int, float]:
        return status_mb(self.workers(), "VmRSS")


def status_of(url: str, headers: dict[str, str] | None = None) -> int | None:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=60
        ) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def fetch_etag(url: str) -> str | None:
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        return response.headers.get("ETag")


@dataclass
class Events:
    """What happened when (epoch seconds)."""

    pg_down: float | None = None
    pg_back: float | None = None
    notes: list[str] = field(default_factory=list)


class Prober(threading.Thread):
    """Connects to PostgreSQL every 20 ms: when it stopped answering, when it answered again."""

    def __init__(self, url: str, events: Events) -> None:
        super().__init__(daemon=True)
        self.url, self.events = url, events
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with psycopg.connect(self.url, connect_timeout=2) as connection:
                    connection.execute("SELECT 1")
                if self.events.pg_down is not None and self.events.pg_back is None:
                    self.events.pg_back = time.time()
            except psycopg.Error:
                if self.events.pg_down is None:
                    self.events.pg_down = time.time()
            time.sleep(0.02)
