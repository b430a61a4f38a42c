"""Start real app servers (gunicorn subprocesses) for tests that need HTTP over a socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Settings of the developer's shell must not leak into the servers under test.
_SCRUBBED = ("DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass(frozen=True)
class OwnCluster:
    """A PostgreSQL 15 cluster of one user's own, made and started by ``.ci/postgres``: code
    that stops and restarts PostgreSQL (fault tests, the soak) never touches the shared one."""

    name: str
    port: int
    database: str

    def start(self) -> str:
        """Make and start the cluster when needed; its database URL (RuntimeError if not)."""
        settings = {"PG_CLUSTER": self.name, "PG_PORT": str(self.port), "PG_DB": self.database}
        result = subprocess.run(
            [str(PROJECT_ROOT / ".ci" / "postgres")],
            env={**os.environ, **settings},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"PostgreSQL cluster {self.name!r} did not start:\n{result.stderr}")
        return result.stdout.strip()

    def ctl(self, action: str, check: bool = True) -> None:
        """start, stop or restart the cluster (each waits until it is done)."""
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", self.name, action]
        subprocess.run(command, check=check, capture_output=True, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**settings: str) -> dict[str, str]:
    """The environment of a test server: these settings, no EVENTS_ of the caller's. Served on
    plain http://127.0.0.1, its staff cookie may not be Secure (production's default), or no
    client would send it back."""
    env = {
        k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("EVENTS_")
    }
    env["EVENTS_SESSION_COOKIE_SECURE"] = "false"
    env.update(settings)
    return env


def gunicorn_command(port: int, workers: int = 2) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:events_app.gunicorn_config",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "2",
        "events_app:create_app()",
    ]


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path, workers: int = 2, wait: float = 30
) -> Iterator[Server]:
    """Run gunicorn on a free port until the block ends; ready once /healthz answers 200."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            gunicorn_command(port, workers),
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.output()}")
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not become healthy:\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """GET (or POST `data`) and return status, headers and body, also for 4xx/5xx answers."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _FormValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str | list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str, many: bool = False) -> None:
        if many:
            self.values.setdefault(name, [])
            self.values[name].append(value)  # type: ignore[union-attr]
        else:
            self.values[name] = value

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"), many=kind == "checkbox")
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._add(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select[0], a.get("value", ""), many=self._select[1])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data  # type: ignore[operator]


def form_values(html: str) -> dict[str, str | list[str]]:
    """What a browser would submit from the page's form fields as they stand (no buttons)."""
    parser = _FormValues()
    parser.feed(html)
    parser.close()
    return parser.values
