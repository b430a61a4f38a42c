"""Pure: turn the TZIDs found in imported .ics files into IANA zone names.

Order of trust: the TZID is an IANA name; it is a Windows name (CLDR's mapping); the file's
VTIMEZONE names its zone (X-LIC-LOCATION); last, an IANA zone whose UTC offsets match the
VTIMEZONE's over the year around the event ("Customized Time Zone", "GMT +0100 (Standard) /
GMT +0200 (Daylight)"). Nothing matching -> None, and the caller rejects the event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

# CLDR's windowsZones.xml (territory "001"), as icalendar ships and keeps it up to date.
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from .. import timefmt

# Tried first when several IANA zones share a VTIMEZONE's offsets: the zones most events use.
PREFERRED_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def iana_name(tzid: str) -> str | None:
    """The IANA zone for an IANA or Windows TZID (quotes and spacing tolerated), else None."""
    name = " ".join(tzid.strip().strip('"').split())
    if not name:
        return None
    if timefmt.is_valid_zone(name):
        return name
    # Some producers prefix IANA names ("/mozilla.org/20050126_1/Europe/Berlin").
    parts = name.strip("/").split("/")
    for i in range(len(parts) - 1):
        candidate = "/".join(parts[i:])
        if timefmt.is_valid_zone(candidate):
            return candidate
    mapped = WINDOWS_TO_OLSON.get(name)
    if mapped is None:
        folded = {k.casefold(): v for k, v in WINDOWS_TO_OLSON.items()}
        mapped = folded.get(name.casefold())
    return mapped if mapped and timefmt.is_valid_zone(mapped) else None


@cache
def _candidate_zones() -> tuple[str, ...]:
    ordered = [*PREFERRED_ZONES, *sorted(set(WINDOWS_TO_OLSON.values()))]
    ordered += [z for z in timefmt.all_zone_names() if "/" in z or z == "UTC"]
    seen: set[str] = set()
    return tuple(z for z in ordered if not (z in seen or seen.add(z)) and timefmt.is_valid_zone(z))


def _sample_instants(around: datetime) -> list[datetime]:
    """Every 3 days across the year centred on `around`, so DST rules are compared too."""
    base = around.astimezone(UTC) if around.tzinfo else around.replace(tzinfo=UTC)
    return [base + timedelta(days=d) for d in range(-183, 184, 3)]


def zone_matching_offsets(vtz: tzinfo, around: datetime) -> str | None:
    """An IANA zone whose UTC offsets equal the VTIMEZONE tzinfo's across the year near `around`.

    Offsets are compared at wall times read in `vtz`, so a zone whose transitions fall on other
    days does not match. Returns None when no zone agrees everywhere.
    """
    instants = _sample_instants(around)
    try:
        wanted = [i.astimezone(vtz).utcoffset() for i in instants]
    except Exception:  # a broken VTIMEZONE: nothing to match against
        return None
    for name in _candidate_zones():
        tz = ZoneInfo(name)
        if all(
            i.astimezone(tz).utcoffset() == off for i, off in zip(instants, wanted, strict=True)
        ):
            return name
    return None


def x_lic_location(vtimezone) -> str | None:
    """The IANA name some producers put in the VTIMEZONE (X-LIC-LOCATION), when valid."""
    value = vtimezone.get("X-LIC-LOCATION")
    name = str(value).strip() if value is not None else ""
    return name if timefmt.is_valid_zone(name) else None
