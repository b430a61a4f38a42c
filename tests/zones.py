"""Changed zone rules for tests: tzdata source compiled with ``zic`` into a folder that this
process then reads first, as a new process started with PYTHONTZPATH=folder would."""

from __future__ import annotations

import shutil
import subprocess
import zoneinfo
from pathlib import Path

import icalendar

from events_app.feeds import ical
from events_app.zone_rules import rules_version
from tests.tools import require_tool

# The United States' rules since 2007, for zones written with them.
US_RULES = """\
Rule\tTest\t2007\t{last}\t-\tMar\tSun>=8\t2:00\t1:00\tD
Rule\tTest\t2007\t{last}\t-\tNov\tSun>=1\t2:00\t0\tS
"""


def new_york(last_dst_year: int, extra_rules: str = "") -> str:
    """New York with US daylight saving time until ``last_dst_year``, then standard time all
    year unless ``extra_rules`` (lines of rule "Test") say otherwise."""
    return (
        US_RULES.format(last=last_dst_year)
        + extra_rules
        + "Zone\tAmerica/New_York\t-5:00\tTest\tE%sT\n"
    )


def zic() -> str:
    path = shutil.which("zic") or "/usr/sbin/zic"
    if not Path(path).exists():
        require_tool("needs zic (Debian's libc-bin) to compile zone rules")
    return path


def compile_zones(source: str, folder: Path) -> Path:
    """Compile tzdata ``source`` into ``folder``; zones it lacks still come from tzdata."""
    text = folder.parent / f"{folder.name}.zi"
    text.write_text(source)
    subprocess.run([zic(), "-d", str(folder), str(text)], check=True, capture_output=True)
    return folder


def forget_zone_caches() -> None:
    """What a new process starts without: zoneinfo's, icalendar's and our memos of zones."""
    zoneinfo.ZoneInfo.clear_cache()
    icalendar.use_zoneinfo()  # its zones by name
    rules_version.cache_clear()
    ical._zone.cache_clear()
    ical._vtimezone_text.cache_clear()


def use_zone_folder(folder: Path | None) -> None:
    """Read zones from ``folder`` first (None: the default search path again)."""
    zoneinfo.reset_tzpath([str(folder)] if folder is not None else None)
    forget_zone_caches()
