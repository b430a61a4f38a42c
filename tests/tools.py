"""Helpers for tests that need something outside Python: skip locally, fail under CI."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require_tool(reason: str) -> NoReturn:
    """Skip a test whose tool is missing here; under CI (env CI set) the same is a failure."""
    if in_ci():
        pytest.fail(f"CI must provide this, but: {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_url() -> str:
    """The TEST_DATABASE_URL of a PostgreSQL database, or skip/fail via require_tool."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        require_tool("needs PostgreSQL: set TEST_DATABASE_URL (`.ci/postgres` prints one)")
    return url


def chromium_path() -> str:
    """Debian's Chromium (never a downloaded browser), or skip/fail via require_tool."""
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
        require_tool(f"needs Chromium at {path}: apt-get install -y chromium")
    return path
