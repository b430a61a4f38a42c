"""Benchmark databases: N published events with realistic text, built with the app's own models.

The schema comes from the Alembic migrations, the rows from `Event`/`Venue`/... in bulk. Each
database is cached under bench/out/ by generator version, schema, month and size, so reruns are
fast.
"""

from __future__ import annotations

import hashlib
import random
import subprocess
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from events_app import changes, create_app, recurrence, timefmt
from events_app.extensions import alembic, db
from events_app.models import (
    Category,
    Event,
    SeriesRule,
    Speaker,
    Venue,
    event_categories,
    new_version,
)

# Bump whenever the generated data changes, so cached databases are rebuilt.
GENERATOR_VERSION = 3
OUT = Path(__file__).resolve().parent / "out"
SPAN_DAYS = 3 * 365  # events run from ~45 days before the anchor month to three years after it
UID_DOMAIN = "events.example.com"

# (city, region, country, zone, latitude, longitude): 30 zones.
CITIES = [
    ("New York", "NY", "United States", "America/New_York", 40.7579, -73.9888),
    ("Chicago", "IL", "United States", "America/Chicago", 41.8781, -87.6298),
    ("Denver", "CO", "United States", "America/Denver", 39.8886, -105.0647),
    ("Los Angeles", "CA", "United States", "America/Los_Angeles", 34.0447, -118.2661),
    ("Phoenix", "AZ", "United States", "America/Phoenix", 33.4484, -112.0740),
    ("Toronto", "ON", "Canada", "America/Toronto", 43.6532, -79.3832),
    ("Vancouver", "BC", "Canada", "America/Vancouver", 49.2827, -123.1207),
    ("Mexico City", "CDMX", "Mexico", "America/Mexico_City", 19.4326, -99.1332),
    ("São Paulo", "SP", "Brazil", "America/Sao_Paulo", -23.5505, -46.6333),
    ("Bogotá", "", "Colombia", "America/Bogota", 4.7110, -74.0721),
    ("St. John's", "NL", "Canada", "America/St_Johns", 47.5615, -52.7126),
    ("London", "", "United Kingdom", "Europe/London", 51.5155, -0.1614),
    ("Lisbon", "", "Portugal", "Europe/Lisbon", 38.6968, -9.1961),
    ("Paris", "", "France", "Europe/Paris", 48.8566, 2.3522),
    ("Berlin", "", "Germany", "Europe/Berlin", 52.5200, 13.4050),
    ("Barcelona", "Catalonia", "Spain", "Europe/Madrid", 41.3851, 2.1734),
    ("Stockholm", "", "Sweden", "Europe/Stockholm", 59.3293, 18.0686),
    ("Kraków", "", "Poland", "Europe/Warsaw", 50.0647, 19.9450),
    ("Istanbul", "", "Türkiye", "Europe/Istanbul", 41.0082, 28.9784),
    ("Johannesburg", "Gauteng", "South Africa", "Africa/Johannesburg", -26.2041, 28.0473),
    ("Lagos", "", "Nigeria", "Africa/Lagos", 6.5244, 3.3792),
    ("Nairobi", "", "Kenya", "Africa/Nairobi", -1.2921, 36.8219),
    ("Dubai", "", "United Arab Emirates", "Asia/Dubai", 25.2048, 55.2708),
    ("Bengaluru", "Karnataka", "India", "Asia/Kolkata", 13.0623, 77.4736),
    ("Singapore", "", "Singapore", "Asia/Singapore", 1.2834, 103.8607),
    ("Tokyo", "", "Japan", "Asia/Tokyo", 35.6762, 139.6503),
    ("Seoul", "", "South Korea", "Asia/Seoul", 37.5665, 126.9780),
    ("Hong Kong", "", "Hong Kong", "Asia/Hong_Kong", 22.3193, 114.1694),
    ("Sydney", "NSW", "Australia", "Australia/Sydney", -33.8688, 151.2093),
    ("Auckland", "", "New Zealand", "Pacific/Auckland", -36.8485, 174.7633),
]
VENUE_PATTERNS = [
    "{city} Convention Centre",
    "Hilton {city}",
    "Marriott {city} Downtown",
    "The Westin {city}",
    "{city} Exhibition Hall",
]
STREETS = ["Harbour St", "Market St", "Congress Ave", "Station Rd", "Riverside Dr", "Park Ln"]
WEBINAR_ZONES = [
    "America/New_York",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Singapore",
    "Asia/Kolkata",
    "UTC",
]

CATEGORIES = [
    "5G",
    "Optical",
    "Cloud",
    "Broadband",
    "Open RAN",
    "AI & Automation",
    "Security",
    "Edge",
    "IoT",
    "Satellite",
    "Policy & Regulation",
    "Private Networks",
]
TOPICS = [
    "5G",
    "Open RAN",
    "Fiber",
    "Cloud Native",
    "Network Automation",
    "Edge Computing",
    "Private 5G",
    "Broadband",
    "Satellite",
    "Network Security",
    "IoT",
    "Optical Networking",
    "AI Operations",
    "Wi-Fi 7",
    "Telco Cloud",
    "Spectrum",
]
LIVE_FORMATS = [
    "Summit",
    "Forum",
    "Congress",
    "Expo",
    "Conference",
    "Roundtable",
    "World",
    "Connect",
    "Awards Dinner",
    "Breakfast Briefing",
    "Leaders' Lunch",
]
WEBINAR_OPENERS = [
    "How operators are scaling",
    "What's next for",
    "Making money from",
    "Securing",
    "Automating",
    "Lessons learned from",
    "The economics of",
    "Five myths about",
    "Ask the analyst:",
    "Building",
]
WEBINAR_ENDINGS = [
    "in 2027",
    "at scale",
    "without the hype",
    "— a live Q&A",
    "for mid-size operators",
    "from lab to field",
    "beyond the pilot",
]
AUDIO_SHOWS = ["The Telecom Hour", "Light Reading Radio", "Network Notes Live", "Spectrum Talk"]
FIRST_NAMES = [
    "Dana",
    "Marcus",
    "Priya",
    "Tom",
    "Aisha",
    "Jonas",
    "Mei",
    "Carlos",
    "Fatima",
    "Lars",
    "Chloé",
    "Kwame",
    "Yuki",
    "Sofia",
    "Rahul",
    "Olga",
    "Pedro",
    "Ngozi",
]
LAST_NAMES = [
    "Whitfield",
    "Ortega",
    "Raman",
    "Keller",
    "Bello",
    "Berg",
    "Zhang",
    "Müller",
    "O'Brien",
    "Nakamura",
    "Silva",
    "Haddad",
    "Novak",
    "Okafor",
    "Schmidt",
]
JOB_TITLES = [
    "Principal Analyst",
    "CTO",
    "VP Network Strategy",
    "Editor-in-Chief",
    "Director, Open RAN",
    "Head of Cloud Infrastructure",
    "Chief Architect",
]
COMPANIES = [
    "Heavy Reading",
    "Lumen Fiber Works",
    "Northwind Mobile",
    "Contoso Networks",
    "Fabrikam Telecom",
    "Tailspin Wireless",
    "Adatum Broadband",
    "Litware Optical",
]
SENTENCES = [
    "Operators and vendors compare notes on {topic} deployments that are live today.",
    "Expect candid panels, a packed exhibition floor and plenty of time to meet peers.",
    "Our analysts share fresh survey data on spending, timelines and the vendors that win.",
    "We look at what changed in {topic} this year, what broke and what is next.",
    "Sessions cover architecture, operations, business models and regulation.",
    "Bring your questions: the last part of every session is open to the audience.",
    "Case studies from North America, Europe and Asia show what works at scale.",
    "Speakers include network architects, CTOs and the people who run the NOC at 3 AM.",
    "Registration includes lunch, the evening reception and access to all recordings.",
    "Attendance is free for qualified operators, service providers and analysts.",
]


def database_path(n: int, anchor: date) -> Path:
    """Keyed by generator version, schema (the migrations' names), month and size."""
    migrations = Path(__file__).resolve().parent.parent / "migrations"
    names = sorted(p.name for p in migrations.glob("*.py"))
    schema = hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]
    return OUT / f"events-v{GENERATOR_VERSION}-{schema}-{anchor:%Y%m}-{n}.sqlite"


def anchor_month(today: date) -> date:
    """The first of the current month: the data (and its cache) is placed relative to it."""
    return today.replace(day=1)


def ensure_database(n: int, today: date, log=print) -> Path:
    """Return the cached database of `n` events, building it first when missing."""
    anchor = anchor_month(today)
    path = database_path(n, anchor)
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    log(f"building {path.name} ({n:,} events) ...")
    app = bench_app(f"sqlite:///{partial}")
    with app.app_context():
        alembic.upgrade()
        populate(db.session, n, anchor)
        for engine in db.engines.values():
            engine.dispose()
    partial.rename(path)
    return path


def ensure_postgres_database(n: int, today: date, log=print) -> str:
    """The URL of a PostgreSQL database of `n` events on the local cluster (started, and its
    role made, by .ci/postgres), built when missing; named like the SQLite file."""
    root = Path(__file__).resolve().parent.parent
    base = subprocess.run(
        ["bash", str(root / ".ci" / "postgres")], capture_output=True, text=True, check=True
    ).stdout.strip()
    name = database_path(n, anchor_month(today)).stem.replace("-", "_")
    url = make_url(database_url_of(base)).set(database=name)
    engine = create_engine(url.set(database="postgres"))
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    engine.dispose()
    if exists:
        return url.render_as_string(hide_password=False)
    partial = f"{name}_partial"
    log(f"building PostgreSQL database {name} ({n:,} events) ...")
    _as_postgres(f'DROP DATABASE IF EXISTS "{partial}"')
    _as_postgres(f'CREATE DATABASE "{partial}" OWNER "{url.username}"')
    app = bench_app(url.set(database=partial).render_as_string(hide_password=False))
    with app.app_context():
        alembic.upgrade()
        populate(db.session, n, anchor_month(today))
        for engine in db.engines.values():
            engine.dispose()
    _as_postgres(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return url.render_as_string(hide_password=False)


def database_url_of(url: str) -> str:
    from events_app import database_url

    return database_url(url)


def _as_postgres(sql: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-q", "-c", sql], check=True)


def bench_app(url: str):
    return create_app(
        {"SQLALCHEMY_ENGINES": {"default": url}, "SECRET_KEY": "bench", "UID_DOMAIN": UID_DOMAIN}
    )


# One weekly series (a year of occurrences) per this many events: 333 at 100,000 events.
EVENTS_PER_SERIES = 300


def populate(session, n: int, anchor: date) -> None:
    """Add 50 venues, the categories, `n` public events and n / EVENTS_PER_SERIES weekly series."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA synchronous = OFF"))
    generator = Generator(session, anchor, seed=n)
    generator.add_events(n)
    generator.add_series(max(1, n // EVENTS_PER_SERIES))


class Generator:
    """Adds venues and categories once, then events in bulk: `Generator(...).add_events(n)`.

    Events are built as `Event` objects (so `set_timed`/`set_all_day` place them) and inserted
    with executemany, with their speakers and categories: ORM flushes would take minutes at
    100,000 events. They are announced with changes.mark_changed, as raw SQL must be.
    """

    def __init__(self, session, anchor: date, *, seed: int = 1, span_days: int = SPAN_DAYS):
        self.session = session
        self.rng = random.Random(seed)
        self.start = anchor - timedelta(days=45)
        self.anchor = anchor
        self.span_days = span_days
        self.venues = make_venues()
        categories = [Category(name=name, slug=slugify(name)) for name in CATEGORIES]
        session.add_all([*self.venues, *categories])
        session.commit()
        self.category_ids = [c.id for c in categories]
        self.venue_places = [(v.id, v.city, v.timezone) for v in self.venues]
        rng = self.rng
        self.speakers = [
            (
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                rng.choice(JOB_TITLES),
                rng.choice(COMPANIES),
            )
            for _ in range(200)
        ]

    def add_events(self, n: int, chunk: int = 5000) -> None:
        """Add `n` more events, committing every `chunk`."""
        session = self.session
        first_id = (session.scalar(select(func.max(Event.id))) or 0) + 1
        columns = [c.key for c in Event.__table__.columns]
        for first in range(first_id, first_id + n, chunk):
            rows, links, people = [], [], []
            for event_id in range(first, min(first_id + n, first + chunk)):
                event, category_ids, speakers = self.make_event(event_id)
                rows.append({c: getattr(event, c) for c in columns})
                links += [{"event_id": event_id, "category_id": c} for c in category_ids]
                people += [
                    {"event_id": event_id, "position": p, "name": a, "title": b, "company": c}
                    for p, (a, b, c) in enumerate(speakers)
                ]
            session.execute(insert(Event), rows)
            session.execute(insert(event_categories), links)
            if people:
                session.execute(insert(Speaker), people)
            session.commit()
        changes.mark_changed(session)  # bulk inserts bypass the ORM's change tracking
        session.commit()

    def add_series(self, n: int, weeks: int = 52) -> None:
        """Add `n` weekly webinar and audio series of `weeks` occurrences each, in bulk: the
        masters, their rules and their occurrences (as series.sync would make them)."""
        session, rng = self.session, self.rng
        next_id = (session.scalar(select(func.max(Event.id))) or 0) + 1
        columns = [c.key for c in Event.__table__.columns]
        rows, links, rules = [], [], []
        for _ in range(n):
            master, category_ids, _ = self.make_event(next_id)
            master.id, master.kind = next_id, rng.choice(["audio", "webinar"])
            master.title = f"{rng.choice(AUDIO_SHOWS)} weekly: {rng.choice(TOPICS)}"
            master.slug = f"{slugify(master.title)}-{next_id}"
            master.series_master, master.recording_url, master.status = True, "", "published"
            zone = rng.choice(WEBINAR_ZONES)
            first = self.start + timedelta(days=rng.randrange(60))
            wall = datetime.combine(first, time(rng.randrange(8, 19)))
            rule = recurrence.Rule("weekly", wall, zone, timedelta(minutes=60)).normalized()
            walls = recurrence.wall_starts(rule, limit=weeks)
            start, _ = recurrence.occurrence_times(rule, walls[0])
            _, end = recurrence.occurrence_times(rule, walls[-1])
            master.set_timed(start, end, zone)
            rules.append(
                {"event_id": master.id, "freq": "weekly", "interval": 1,
                 "weekdays": ",".join(rule.weekdays), "start_local": rule.start,
                 "duration_minutes": 60, "materialized_through": walls[-1].date()}
            )  # fmt: skip
            batch = [master]
            for number, occurrence_wall in enumerate(walls, 1):
                o = Event(**{c: getattr(master, c) for c in columns if c != "id"})
                o.id, o.uid = next_id + number, f"{master.uid[:36]}-{number}@{UID_DOMAIN}"
                o.series_master, o.series_id, o.recurrence_id = False, master.id, occurrence_wall
                o.slug = f"{master.slug}/{occurrence_wall.date().isoformat()}"
                o.set_timed(*recurrence.occurrence_times(rule, occurrence_wall), zone)
                if occurrence_wall.date() < self.anchor:
                    o.recording_url = f"https://example.com/recordings/{o.id}"
                batch.append(o)
            rows += [{c: getattr(e, c) for c in columns} for e in batch]
            links += [{"event_id": e.id, "category_id": c} for e in batch for c in category_ids]
            next_id += len(batch)
        session.execute(insert(Event), rows)
        session.execute(insert(event_categories), links)
        session.execute(insert(SeriesRule), rules)
        changes.mark_changed(session)  # bulk inserts bypass the ORM's change tracking
        session.commit()

    def make_event(self, event_id: int) -> tuple[Event, list[int], list[tuple[str, str, str]]]:
        """One event: every other one live (so half a feed is live), the rest webinars and audio."""
        rng, i = self.rng, event_id - 1
        topic = rng.choice(TOPICS)
        day = self.start + timedelta(days=rng.randrange(self.span_days))
        venue_id, city, zone = None, "", rng.choice(WEBINAR_ZONES)
        if i % 2 == 0:
            kind = "live"
            venue_id, city, zone = rng.choice(self.venue_places)
            title = f"{topic} {rng.choice(LIVE_FORMATS)} {city}"
        else:
            kind = "audio" if rng.random() < 0.25 else "webinar"
            if kind == "audio":
                title = f"{rng.choice(AUDIO_SHOWS)}: {topic}"
            else:
                title = f"{rng.choice(WEBINAR_OPENERS)} {topic} {rng.choice(WEBINAR_ENDINGS)}"
        roll = rng.random()
        status = "cancelled" if roll < 0.03 else "postponed" if roll < 0.04 else "published"
        online = kind != "live" or rng.random() < 0.1
        created = datetime.combine(self.start, time(9), tzinfo=UTC)
        created -= timedelta(days=rng.randrange(400))
        event = Event(
            id=event_id,
            uid=f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@{UID_DOMAIN}",
            slug=f"{slugify(title)}-{event_id}",
            title=title,
            kind=kind,
            summary=sentence(rng, topic),
            description=description(rng, topic),
            venue_id=venue_id,
            status=status,
            featured=rng.random() < 0.02,
            organizer=rng.choice(["Telecom Events", "Heavy Reading", ""]),
            online_url=f"https://meet.example.com/j/{rng.randrange(10**9, 10**10)}"
            if online
            else "",
            registration_url=f"https://example.com/register/{event_id}",
            recording_url="",
            slides_url="",
            image_url="",
            sequence=1 if status != "published" else 0,
            version=new_version(),
            created_at=created,
            updated_at=created + timedelta(hours=rng.randrange(2000)),
        )
        if kind != "live" and day < self.anchor:
            event.recording_url = f"https://example.com/recordings/{event_id}"
        if kind == "live" and rng.random() < 0.65 and not title.endswith(("Dinner", "Lunch")):
            event.set_all_day(day, day + timedelta(days=rng.choice([0, 1, 2, 2, 3])), zone)
        else:
            hour = (
                rng.choice([8, 9, 11, 13, 14, 16, 18]) if kind == "live" else rng.randrange(8, 19)
            )
            minutes = rng.choice([120, 180, 300]) if kind == "live" else rng.choice([45, 60, 90])
            local = datetime.combine(day, time(hour, rng.choice([0, 0, 30])))
            begin = timefmt.local_to_utc(local, zone, fold=0)
            event.set_timed(begin, begin + timedelta(minutes=minutes), zone)
        category_ids = rng.sample(self.category_ids, rng.choice([1, 1, 2, 2, 3]))
        return event, category_ids, rng.sample(self.speakers, rng.randrange(0, 4))


def make_venues() -> list[Venue]:
    venues = []
    for i in range(50):
        city, region, country, zone, lat, lon = CITIES[i % len(CITIES)]
        name = VENUE_PATTERNS[i // len(CITIES) + (i % 3)].format(city=city)
        venues.append(
            Venue(
                name=name,
                address=f"{100 + 7 * i} {STREETS[i % len(STREETS)]}",
                city=city,
                region=region,
                country=country,
                postal_code=f"{10000 + 37 * i}",
                timezone=zone,
                latitude=lat,
                longitude=lon,
                website=f"https://venue{i}.example.com/",
            )
        )
    return venues


def sentence(rng: random.Random, topic: str) -> str:
    return rng.choice(SENTENCES).format(topic=topic)


def description(rng: random.Random, topic: str) -> str:
    """Two or three Markdown paragraphs, sometimes with a list: ~400-900 characters."""
    paragraphs = [
        " ".join(sentence(rng, topic) for _ in range(rng.randrange(2, 4)))
        for _ in range(rng.randrange(2, 4))
    ]
    if rng.random() < 0.4:
        paragraphs.append("\n".join(f"- {sentence(rng, topic)}" for _ in range(3)))
    paragraphs[0] = paragraphs[0].replace(topic, f"**{topic}**", 1)
    return "\n\n".join(paragraphs)


def slugify(text: str) -> str:
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:150]
