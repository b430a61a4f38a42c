"""Which time-zone rules this process uses, as one short name for cache keys and ETags.

zoneinfo reads a zone from the first directory of its search path that has it (the system's
/usr/share/zoneinfo, or PYTHONTZPATH), else from the tzdata package, so the package's version
alone does not say which rules are in force. ``rules_version`` names them by content: the
tzdata release where one is written down, plus a digest of every zone file zoneinfo would load.
Two processes with the same rules get the same name; any change to any zone changes it.
"""

from __future__ import annotations

import hashlib
import os
import zoneinfo
from functools import cache
from importlib import resources


def _system_file(name: str) -> bytes | None:
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    return None


def _package_file(name: str) -> bytes:
    try:
        folder = resources.files("tzdata.zoneinfo")
        return folder.joinpath(*name.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return b""


def _release() -> str:
    """'2025b' from the first tzdata.zi on the search path, else the tzdata package's release."""
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, "tzdata.zi"), encoding="ascii") as f:
                first = f.readline().split()
        except OSError:
            continue
        if len(first) == 3 and first[:2] == ["#", "version"]:
            return first[2]
    try:
        import tzdata

        return str(tzdata.IANA_VERSION)
    except ImportError:
        return "tz"


@cache
def rules_version() -> str:
    """'2025b-3f9a...': the zone rules in use (computed once per process, ~20 ms)."""
    digest = hashlib.sha256()
    for name in sorted(zoneinfo.available_timezones()):
        data = _system_file(name)
        digest.update(name.encode() + b"\0" + (data if data is not None else _package_file(name)))
    return f"{_release()}-{digest.hexdigest()[:16]}"
