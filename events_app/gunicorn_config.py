"""gunicorn settings: ``gunicorn -c python:events_app.gunicorn_config 'events_app:create_app()'``.

Metrics from every worker (metrics.py): prometheus_client's multi-process mode needs one folder,
PROMETHEUS_MULTIPROC_DIR, shared by the workers of one server and emptied when it starts, set
before any worker imports prometheus_client. This module runs in gunicorn's master first: it
empties the folder given in the environment, or makes a temporary one (removed on exit).
Access lines come from the app itself (JSON, one per request: observability.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# gunicorn's control interface is not used here; left on, every gunicorn of one user on a host
# (two sites, a deploy's old and new servers) would share its one socket.
control_socket_disable = True

_made: str | None = None
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    _folder.mkdir(parents=True, exist_ok=True)
    for _stale in _folder.glob("*.db"):
        _stale.unlink()
else:
    _made = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="events-metrics-")


def on_exit(server) -> None:
    if _made:
        shutil.rmtree(_made, ignore_errors=True)


def on_starting(server) -> None:
    """Check the settings once, in the master: a wrong one stops the server with its message
    (in each worker it would be a traceback, then "Worker failed to boot")."""
    from events_app import create_app
    from events_app.settings import SettingsError

    try:
        create_app()
    except SettingsError as error:
        server.log.error("Error: %s", error.message)
        raise SystemExit(1) from None
