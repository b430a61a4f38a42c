"""Run the production server (gunicorn, 2 sync workers) on a benchmark database; read its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://events.example.com"


def database_url(database: Path | str) -> str:
    """A benchmark database's URL: a SQLite file's path, or a URL as it is."""
    return database if isinstance(database, str) else f"sqlite:///{database}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`with Server(db_path, static_dir) as server:` runs gunicorn until the block ends."""

    def __init__(
        self,
        database: Path | str,
        static_dir: Path,
        workers: int = 2,
        wsgi: str = "bench.wsgi:app",
        ready: str = "/bench/hello",
    ) -> None:
        self.database = database  # a SQLite file, or a database URL (PostgreSQL)
        self.static_dir = static_dir
        self.workers = workers
        self.wsgi = wsgi
        self.ready = ready
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        instance = ROOT / "bench" / "out" / "instance"
        instance.mkdir(parents=True, exist_ok=True)
        env = dict(
            os.environ,
            DATABASE_URL=database_url(self.database),
            SECRET_KEY="bench-secret-of-at-least-32-characters",
            EVENTS_INSTANCE_PATH=str(instance),
            EVENTS_PRODUCTION="true",
            EVENTS_SESSION_COOKIE_SECURE="false",  # plain HTTP here
            EVENTS_SITE_URL=SITE_URL,  # cached blocks link here, whatever the port
            BENCH_STATIC_DIR=str(self.static_dir),
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(instance / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
                self.wsgi,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.__exit__()
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                urllib.request.urlopen(self.base + self.ready, timeout=5).read()
                if len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not start within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def url(self, path: str) -> str:
        return self.base + path

    def worker_pids(self) -> list[int]:
        assert self.process
        return children_of(self.process.pid)

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident memory) of each worker, in MB."""
        return status_mb(self.worker_pids(), "VmHWM")


def children_of(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (a gunicorn master's workers), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and _parent_pid(entry) == parent:
                pids.append(int(entry.name))
        except (OSError, ValueError):
            continue  # gone meanwhile
    return sorted(pids)


def _parent_pid(entry: Path) -> int:
    return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])


def status_mb(pids: list[int], field: str) -> dict[int, float]:
    """A memory field of /proc/<pid>/status (VmRSS, VmHWM) of each process, in MB."""
    sizes = {}
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                sizes[pid] = int(line.split()[1]) / 1024
    return sizes


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `url`; return status, headers and body (a 304 is a normal answer here)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
