"""Demo data modelled on a telecom trade publication's calendar, placed relative to today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from . import recurrence, series, timefmt
from .models import Category, Event, Speaker, Venue
from .text import slugify

VENUES = {
    "denver": dict(
        name="Westin Westminster", address="10600 Westminster Blvd", city="Denver",
        region="CO", country="United States", postal_code="80020",
        timezone="America/Denver", latitude=39.8886, longitude=-105.0647,
        website="https://www.marriott.com/",
    ),
    "nyc": dict(
        name="The Westin New York at Times Square", address="270 W 43rd St",
        city="New York", region="NY", country="United States", postal_code="10036",
        timezone="America/New_York", latitude=40.7579, longitude=-73.9888,
    ),
    "atlanta": dict(
        name="Georgia World Congress Center", address="285 Andrew Young International Blvd NW",
        city="Atlanta", region="GA", country="United States", postal_code="30313",
        timezone="America/New_York", latitude=33.7596, longitude=-84.3967,
    ),
    "la": dict(
        name="JW Marriott Los Angeles L.A. LIVE", address="900 W Olympic Blvd",
        city="Los Angeles", region="CA", country="United States", postal_code="90015",
        timezone="America/Los_Angeles", latitude=34.0447, longitude=-118.2661,
    ),
    "london": dict(
        name="The Montcalm Marble Arch", address="2 Wallenberg Pl", city="London",
        country="United Kingdom", postal_code="W1H 7TN", timezone="Europe/London",
        latitude=51.5155, longitude=-0.1614,
    ),
    "lisbon": dict(
        name="Centro de Congressos de Lisboa", address="Praça das Indústrias 1",
        city="Lisbon", country="Portugal", postal_code="1300-307",
        timezone="Europe/Lisbon", latitude=38.6968, longitude=-9.1961,
    ),
    "bengaluru": dict(
        name="Bangalore International Exhibition Centre", address="10th Mile, Tumkur Road",
        city="Bengaluru", region="Karnataka", country="India", postal_code="562123",
        timezone="Asia/Kolkata", latitude=13.0623, longitude=77.4736,
    ),
}  # fmt: skip

CATEGORIES = ["5G", "Optical", "Cloud", "Broadband", "Open RAN", "AI & Automation", "Security"]

SPEAKERS = [
    ("Dana Whitfield", "Principal Analyst", "Heavy Reading"),
    ("Marcus Ortega", "CTO", "Lumen Fiber Works"),
    ("Priya Raman", "VP Network Strategy", "Northwind Mobile"),
    ("Tom Keller", "Editor-in-Chief", "Telecom Events"),
    ("Aisha Bello", "Director, Open RAN", "Contoso Networks"),
    ("Jonas Berg", "Head of Cloud Infrastructure", "Fabrikam Telecom"),
]

RADIO_DESCRIPTION = """\
**The Telecom Hour** is our live online radio programme: every week the editors sit down
with the people building networks to talk about what changed, what broke and what is next.

- Live call-ins from operators and vendors
- A five-minute news round-up at the top of the hour
- One long interview, unscripted

Listen live in your browser; every episode goes into the archive afterwards.
"""


def load_demo(session: Session, today: date) -> int:
    """Add the demo venues, categories and about 45 events; returns how many events."""
    venues = {key: Venue(**fields) for key, fields in VENUES.items()}
    categories = {name: Category(name=name, slug=slugify(name)) for name in CATEGORIES}
    session.add_all([*venues.values(), *categories.values()])
    events: list[Event] = []
    used_slugs: set[str] = set()

    def add(title: str, kind: str, *, cats=(), speakers=(), status="published", **fields):
        slug = slugify(title)
        n = 2
        while slug in used_slugs:
            slug = f"{slugify(title)}-{n}"
            n += 1
        used_slugs.add(slug)
        event = Event(title=title, kind=kind, slug=slug, status=status, **fields)
        event.categories = [categories[c] for c in cats]
        event.speakers = [
            Speaker(name=n, title=t, company=c, position=i)
            for i, (n, t, c) in enumerate(SPEAKERS[s] for s in speakers)
        ]
        events.append(event)
        return event

    def all_day(event: Event, first: date, days: int) -> Event:
        zone = event.venue.timezone if event.venue else "UTC"
        event.set_all_day(first, first + timedelta(days=days - 1), zone)
        return event

    def timed(event: Event, day: date, hour: int, minute: int, minutes: int, zone: str) -> Event:
        start = timefmt.local_to_utc(datetime.combine(day, time(hour, minute)), zone, fold=0)
        event.set_timed(start, start + timedelta(minutes=minutes), zone)
        return event

    def in_days(n: int) -> date:
        return today + timedelta(days=n)

    # Live events.
    all_day(
        add(
            "Big 5G Event",
            "live",
            venue=venues["denver"],
            cats=["5G", "Open RAN"],
            speakers=[0, 2, 4],
            featured=True,
            organizer="Telecom Events",
            summary="Three days on 5G networks, Open RAN and the business of mobile.",
            description="The industry's gathering for **5G** operators and vendors.\n\n"
            "Keynotes, panels and an exhibition floor at the Westin Westminster.",
            registration_url="https://example.com/big5g/register",
        ),
        in_days(40),
        3,
    )
    all_day(
        add(
            "Network X Americas",
            "live",
            venue=venues["atlanta"],
            cats=["Broadband", "Optical"],
            speakers=[1, 3],
            summary="Broadband, fibre and the future of fixed networks.",
            registration_url="https://example.com/networkx/register",
        ),
        in_days(75),
        2,
    )
    all_day(
        add(
            "Fiber Connect Lisbon",
            "live",
            venue=venues["lisbon"],
            cats=["Optical"],
            speakers=[1],
            summary="Three days of fibre deployment case studies from Europe's operators.",
        ),
        in_days(95),
        3,
    )
    all_day(
        add(
            "Open RAN Summit London",
            "live",
            venue=venues["london"],
            cats=["Open RAN", "5G"],
            speakers=[4, 2],
            featured=True,
            summary="A single day on open, disaggregated radio access.",
            online_url="https://example.com/oran/livestream",
        ),
        in_days(18),
        1,
    )
    timed(
        add(
            "Leading Lights Awards Dinner",
            "live",
            venue=venues["nyc"],
            cats=["5G", "Cloud"],
            speakers=[3],
            summary="The industry's awards, with dinner at The Westin Times Square.",
            description="Black tie optional. Drinks from 6:30 PM, dinner at 7:30 PM.",
        ),
        in_days(25),
        18,
        30,
        300,
        "America/New_York",
    )
    timed(
        add(
            "Cloud Native Telco Breakfast",
            "live",
            venue=venues["la"],
            cats=["Cloud"],
            speakers=[5],
            summary="An early start on cloud-native network functions.",
        ),
        in_days(12),
        7,
        30,
        120,
        "America/Los_Angeles",
    )
    all_day(
        add(
            "AI in Networks Forum",
            "live",
            venue=venues["nyc"],
            cats=["AI & Automation"],
            speakers=[0, 5],
            summary="Two days on automation, AI operations and what is hype.",
        ),
        in_days(130),
        2,
    )
    all_day(
        add(
            "India Mobile Operators Roundtable",
            "live",
            venue=venues["bengaluru"],
            cats=["5G"],
            summary="Operators from across South Asia compare notes on 5G standalone.",
        ),
        in_days(60),
        2,
    )
    timed(
        add(
            "Security After Dark",
            "live",
            venue=venues["london"],
            cats=["Security"],
            speakers=[2],
            summary="An evening session that runs past midnight: red team stories from operators.",
        ),
        in_days(33),
        21,
        0,
        240,
        "Europe/London",
    )
    all_day(
        add(
            "Broadband World Forum",
            "live",
            venue=venues["lisbon"],
            cats=["Broadband"],
            status="cancelled",
            summary="Cancelled this year; we will be back next autumn.",
        ),
        in_days(50),
        3,
    )
    all_day(
        add(
            "Optical Networking Days",
            "live",
            venue=venues["la"],
            cats=["Optical"],
            status="postponed",
            summary="Postponed: new dates will be announced soon.",
        ),
        in_days(22),
        2,
    )
    all_day(
        add(
            "Big 5G Event (last year)",
            "live",
            venue=venues["denver"],
            cats=["5G"],
            summary="Last year's edition.",
        ),
        in_days(40 - 364),  # a year before this year's, on the same weekdays
        3,
    )
    all_day(
        add(
            "Year-End Industry Outlook",
            "live",
            venue=venues["nyc"],
            cats=["5G", "Cloud"],
            summary="An outlook that spans the turn of the year.",
        ),
        _next_year_end(today),
        4,
    )

    # Webinars at exact times, in US and European zones.
    webinar_topics = [
        ("5G Standalone: Lessons From the First Networks", ["5G"], "America/New_York", 14, 0,
         "What the first standalone 5G cores taught operators about slicing, voice and roaming."),
        ("Coherent Optics Beyond 800G", ["Optical"], "America/Chicago", 11, 0,
         "Pluggables, power budgets and where 1.6T coherent optics will land first."),
        ("Running the RAN in the Cloud", ["Cloud", "Open RAN"], "Europe/London", 15, 0,
         "Cloud RAN in production: acceleration, orchestration and the cost case."),
        ("Fixed Wireless Access at Scale", ["Broadband", "5G"], "America/Los_Angeles", 10, 0,
         "How FWA became the fastest-growing broadband product, and how long that lasts."),
        ("Zero Trust for Telco Networks", ["Security"], "Europe/Berlin", 16, 0,
         "Applying zero-trust architecture to network functions and operations staff."),
        ("AIOps: From Alarms to Answers", ["AI & Automation"], "America/New_York", 13, 0,
         "Operators show where machine learning cut alarm noise, and where it did not."),
        ("Open RAN Interoperability Testing", ["Open RAN"], "Europe/Lisbon", 14, 30,
         "Plugfests, test labs and the certification path for multi-vendor radio."),
        ("Edge Computing Business Models", ["Cloud"], "America/Denver", 12, 0,
         "Who pays for the edge: enterprise, hyperscaler and operator models compared."),
    ]  # fmt: skip
    for i, (title, cats, zone, hour, minute, summary) in enumerate(webinar_topics):
        timed(
            add(
                title,
                "webinar",
                cats=cats,
                speakers=[i % 6, (i + 2) % 6],
                summary=summary,
                description="Join our editors and guests for a live discussion and Q&A.\n\n"
                "Registered attendees receive the recording and slides afterwards.",
                online_url=f"https://example.com/webinars/{slugify(title)}/join",
                registration_url=f"https://example.com/webinars/{slugify(title)}/register",
                featured=(i == 0),
            ),
            in_days(3 + i * 6),
            hour,
            minute,
            60,
            zone,
        )
    # A round-the-clock online marathon across the night the clocks change in New York.
    change = _next_dst_change(today, "America/New_York")
    timed(
        add(
            "24 Hours of Network Operations",
            "webinar",
            cats=["AI & Automation", "Cloud"],
            speakers=[0, 1, 5],
            summary="A 24-hour live stream from network operations centres around the world, "
            "straight through the night the clocks change.",
            online_url="https://example.com/webinars/noc24/join",
            registration_url="https://example.com/webinars/noc24/register",
        ),
        change - timedelta(days=1),
        12,
        0,
        24 * 60,
        "America/New_York",
    )
    # One webinar on the day US clocks change, one in India, one in Nepal (UTC+5:45).
    timed(
        add(
            "Spectrum Policy Update",
            "webinar",
            cats=["5G"],
            speakers=[3],
            summary="Held on the morning US clocks change; check your calendar.",
            online_url="https://example.com/webinars/spectrum/join",
        ),
        _next_dst_change(today, "America/New_York"),
        11,
        0,
        60,
        "America/New_York",
    )
    timed(
        add(
            "India's 5G Rollout in Numbers",
            "webinar",
            cats=["5G"],
            speakers=[2],
            summary="Operators in India share rollout data. Held at 11:00 AM IST (UTC+5:30).",
            online_url="https://example.com/webinars/india-5g/join",
        ),
        in_days(20),
        11,
        0,
        60,
        "Asia/Kolkata",
    )

    timed(
        add(
            "South Asia Fibre Backhaul Briefing",
            "webinar",
            cats=["Optical", "Broadband"],
            speakers=[1],
            summary="A briefing from Kathmandu at 10:00 AM Nepal time (UTC+5:45).",
            online_url="https://example.com/webinars/backhaul/join",
        ),
        in_days(27),
        10,
        0,
        60,
        "Asia/Kathmandu",
    )

    # The weekly live audio show: a series, six weeks old, every Thursday at 12:00 PM ET.
    first_show = _next_weekday(today, 3) - timedelta(weeks=6)
    show = add(
        "The Telecom Hour",
        "audio",
        cats=["5G", "Cloud"],
        speakers=[3],
        summary="Our weekly live online radio programme.",
        description=RADIO_DESCRIPTION,
        online_url="https://example.com/radio/live",
    )
    webinar_series = add(
        "Optical Networks Monthly",
        "webinar",
        cats=["Optical"],
        speakers=[1],
        summary="Every second Tuesday of the month: one hour on what moved in optical.",
        description="A monthly webinar series with the Heavy Reading optical team.",
        online_url="https://example.com/webinars/optical-monthly/join",
        registration_url="https://example.com/webinars/optical-monthly/register",
    )
    hour = timedelta(hours=1)
    weekly = recurrence.Rule(
        "weekly", datetime.combine(first_show, time(12)), "America/New_York", hour
    )
    monthly = recurrence.Rule(
        "monthly", datetime.combine(today.replace(day=1), time(11)), "Europe/London", hour,
        weekdays=("TU",), week_of_month=2, count=12,
    )  # fmt: skip
    series_rules = [(show, weekly), (webinar_series, monthly)]

    # Archived webinars with recordings.
    archive_titles = [
        "Private 5G for Manufacturing", "The State of Fiber Deployments",
        "Network Slicing Explained",
        "Cloud RAN Economics", "Securing the 5G Core", "DOCSIS 4.0 in the Field",
        "Energy Efficiency in Mobile Networks", "Satellite and 5G Convergence",
        "Automating the Optical Layer", "Open RAN: Year in Review", "AI for Network Planning",
        "Wi-Fi 7 and the Home Network", "Telco APIs and Developers", "Quantum-Safe Networks",
        "Rural Broadband Funding",
    ]  # fmt: skip
    for i, title in enumerate(archive_titles):
        zone = ("America/New_York", "Europe/London", "America/Los_Angeles")[i % 3]
        event = timed(
            add(
                title,
                "webinar",
                cats=[CATEGORIES[i % len(CATEGORIES)]],
                speakers=[i % 6],
                summary=f"{title}: the full session with the panel's slides.",
                description="Watch the recording and download the slides.",
                recording_url=f"https://example.com/recordings/{slugify(title)}",
                slides_url=f"https://example.com/slides/{slugify(title)}.pdf",
            ),
            in_days(-7 - i * 9),
            14,
            0,
            60,
            zone,
        )
        del event
    timed(
        add(
            "Measuring 5G Experience",
            "webinar",
            cats=["5G"],
            speakers=[0],
            summary="Held last week; the recording is being edited.",
        ),
        in_days(-5),
        11,
        0,
        60,
        "America/New_York",
    )

    # Drafts are never public.
    timed(
        add(
            "Unannounced Partner Webinar",
            "webinar",
            status="draft",
            cats=["Cloud"],
            summary="Draft: not public yet.",
        ),
        in_days(14),
        9,
        0,
        60,
        "America/New_York",
    )

    session.add_all(events)
    for master, rule in series_rules:
        master.timezone = rule.zone
        series.set_rule(master, rule)
        series.sync(master, today)
    _episodes(show, today)
    return len(events)


def _episodes(show: Event, today: date) -> None:
    """Past episodes carry their recordings; one is cancelled, one moved, one has a guest."""
    upcoming = [o for o in show.occurrences if o.recurrence_id.date() >= today]
    for o in show.occurrences:
        if o.recurrence_id.date() < today:
            o.recording_url = f"https://example.com/radio/archive/{o.recurrence_id.date()}"
    series.set_date_status(upcoming[1], "cancelled")
    upcoming[2].title = "The Telecom Hour: Open RAN, one year on"
    moved = upcoming[3]
    moved.set_timed(
        moved.start_at + timedelta(days=1, hours=3), moved.end_at + timedelta(days=1, hours=3),
        moved.timezone,
    )  # fmt: skip


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _next_year_end(today: date) -> date:
    year_end = date(today.year, 12, 30)
    return year_end if year_end > today + timedelta(days=7) else date(today.year + 1, 12, 30)


def _next_dst_change(today: date, zone_name: str) -> date:
    """The next day (after today) on which the zone's UTC offset changes."""
    tz = timefmt.zone(zone_name)
    day = today + timedelta(days=1)
    for _ in range(400):
        before = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
        after = datetime.combine(day, time(23), tzinfo=tz).utcoffset()
        if before != after:
            return day
        day += timedelta(days=1)
    return today + timedelta(days=30)
