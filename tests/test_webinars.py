import re
from datetime import date, timedelta

import pytest

from tests.conftest import NOW


@pytest.fixture(autouse=True)
def _pin_now(app):
    app.config["NOW"] = NOW


def text(response) -> str:
    return response.get_data(as_text=True)


def test_upcoming_webinars_and_audio(client, create_event, create_venue):
    create_event(title="Next webinar", start=NOW + timedelta(days=1))
    create_event(title="Radio show", kind="audio", start=NOW + timedelta(days=2))
    create_event(
        title="A conference",
        kind="live",
        venue=create_venue(),
        first_day=date(2026, 7, 1),
        zone="America/Denver",
    )
    create_event(title="Gone webinar", start=NOW - timedelta(days=1))
    create_event(title="Moved webinar", status="postponed", start=NOW + timedelta(days=3))
    html = text(client.get("/webinars/"))
    assert "Next webinar" in html and "Radio show" in html
    assert "A conference" not in html and "Gone webinar" not in html
    assert "Moved webinar" in html and "Postponed</span>" in html
    assert html.index("Next webinar") < html.index("Moved webinar")


def test_each_column_shows_its_soonest_and_links_to_the_rest(client, create_event):
    """A weekly audio show must not push webinars off the page: each kind has its own count,
    and a link to the list of all of its kind when there are more."""
    from events_app.webinars import SHOWN

    for i in range(SHOWN["audio"] + 30):
        create_event(title=f"Episode {i:02d}", kind="audio", start=NOW + timedelta(hours=i + 1))
    for i in range(SHOWN["webinar"]):
        create_event(title=f"Webinar {i:02d}", start=NOW + timedelta(days=10 + i))
    html = text(client.get("/webinars/"))
    assert all(f"Webinar {i:02d}" in html for i in range(SHOWN["webinar"]))
    assert 'href="/events/?kind=webinar"' not in html  # every webinar is on the page
    last = SHOWN["audio"] - 1
    assert f"Episode {last:02d}" in html and f"Episode {last + 1:02d}" not in html
    assert 'href="/events/?kind=audio"' in html
    create_event(title="One webinar more", start=NOW + timedelta(days=400))
    html = text(client.get("/webinars/"))
    assert "One webinar more" not in html and 'href="/events/?kind=webinar"' in html


def test_archive_newest_first_with_recordings(client, create_event):
    create_event(
        title="Older one",
        start=NOW - timedelta(days=20),
        recording_url="https://example.com/older",
        slides_url="https://example.com/o.pdf",
    )
    create_event(title="Newer one", start=NOW - timedelta(days=2))
    create_event(
        title="Past audio",
        kind="audio",
        start=NOW - timedelta(days=9),
        recording_url="https://example.com/audio",
    )
    create_event(title="Future one", start=NOW + timedelta(days=2))
    html = text(client.get("/webinars/archive"))
    assert html.index("Newer one") < html.index("Past audio") < html.index("Older one")
    assert "Future one" not in html
    assert "Recording coming soon" in html
    assert 'href="https://example.com/older"' in html and "Watch the recording" in html
    assert 'href="https://example.com/o.pdf"' in html
    # Live audio is listened to: each entry's link says so, the webinar's says watch.
    links = re.findall(r'href="https://example.com/(older|audio)"[^>]*>([^<]+)<', html)
    assert sorted(links) == [("audio", "Listen to the recording"), ("older", "Watch the recording")]


def test_archive_search_and_pagination(client, create_event):
    for i in range(7):
        create_event(
            title=f"Optical session {i}",
            start=NOW - timedelta(days=i + 1),
            recording_url=f"https://example.com/{i}",
        )
    create_event(title="Cloud session", start=NOW - timedelta(days=30))
    page1 = text(client.get("/webinars/archive?q=optical"))
    assert (
        'results-count">7 past sessions, page 1 of 2</h2>' in page1
    )  # a recording may still be coming
    assert "Cloud session" not in page1
    assert 'href="/webinars/archive?q=optical&amp;page=2"' in page1
    page2 = text(client.get("/webinars/archive?q=optical&page=2"))
    assert "Optical session 5" in page2 and "Optical session 6" in page2
    assert "Optical session 0" not in page2
    nothing = text(client.get("/webinars/archive?q=zzz"))
    assert "Nothing in the archive matches this search." in nothing and "Clear search" in nothing
    # The search is in the title and the heading; an order to choose only when ranked.
    assert "<title>Webinar archive · Past sessions matching “optical” (page 2) · " in page2
    assert "No past sessions</h2>" in nothing
    assert "Sort by:" in page1
    excluding = text(client.get("/webinars/archive?q=-cloud"))
    assert (
        'results-count">7 past sessions, page 1 of 2</h2>' in excluding
        and "Sort by:" not in excluding
    )
    long = text(client.get("/webinars/archive?q=" + "+".join("abcdefghijkl")))
    assert "Only the first 10 words were searched; 2 more were left out." in long


def test_archive_excludes_drafts_and_live_events(client, create_event, create_venue):
    create_event(
        title="Draft recording",
        status="draft",
        start=NOW - timedelta(days=1),
        recording_url="https://x",
    )
    create_event(
        title="Past live event",
        kind="live",
        venue=create_venue(),
        first_day=date(2026, 6, 1),
        zone="America/Denver",
    )
    html = text(client.get("/webinars/archive"))
    assert "Draft recording" not in html and "Past live event" not in html
    assert "Draft recording" not in text(client.get("/webinars/archive?q=draft"))


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=abc", 400),
        ("page=-3", 400),
        ("page=999999", 404),
        ("q=%00", 200),
        ("q=%3Cscript%3E", 200),
        ("q=%F0%9F%8E%99", 200),
        ("q=" + "y" * 1500, 200),
        ("kind=nonsense", 200),  # ignored here: the archive has no kind filter
    ],
)
def test_archive_bad_input(client, query, status):
    response = client.get(f"/webinars/archive?{query}")
    assert response.status_code == status
    assert "<script>" not in text(response)


def test_an_empty_archive_offers_each_way_out_once(
    client, create_event, create_category, create_venue
):
    """A search or a filter that finds nothing offered its way out twice, beside the search
    field and in the box that says nothing matches: the box keeps it, where the reader is."""
    five_g = create_category("5G")
    create_event(title="5G session", start=NOW - timedelta(days=2), categories=[five_g])
    create_event(title="Studio session", start=NOW - timedelta(days=3), venue=create_venue())
    nothing = text(client.get("/webinars/archive?q=zzzz"))
    assert nothing.count(">Clear search</a>") == 1
    assert '<a class="button" href="/webinars/archive">Clear search</a>' in nothing
    assert "The whole archive" not in nothing
    nothing = text(client.get("/webinars/archive?category=5g&q=zzzz"))
    assert nothing.count(">Clear search</a>") == 1
    assert '<a class="button" href="/webinars/archive?category=5g">Clear search</a>' in nothing
    assert nothing.count(">The whole archive</a>") == 1  # beside the search field
    nothing = text(client.get("/webinars/archive?place=atlantis"))
    assert nothing.count(">The whole archive</a>") == 1
    assert '<a class="button" href="/webinars/archive">The whole archive</a>' in nothing
    # Something found: the links beside the search field, no box.
    found = text(client.get("/webinars/archive?place=denver&q=studio"))
    assert 'href="/webinars/archive?place=denver">Clear search</a>' in found
    assert 'href="/webinars/archive">The whole archive</a>' in found
    assert 'class="button"' not in found


def test_archive_narrowed_by_category_and_place(
    client, create_event, create_category, create_venue
):
    """The sidebar widget's archive box lists a category's (and a place's) recordings: its link
    leads to the archive narrowed the same, which names what it lists."""
    five_g = create_category("5G")
    create_event(title="5G session", start=NOW - timedelta(days=2), categories=[five_g])
    create_event(title="Cloud session", start=NOW - timedelta(days=3))
    create_event(
        title="Studio session",
        start=NOW - timedelta(days=4),
        venue=create_venue(),
        categories=[five_g],
    )
    html = text(client.get("/webinars/archive?category=5g"))
    assert "5G session" in html and "Studio session" in html and "Cloud session" not in html
    assert "<title>Webinar archive · 5G past sessions · " in html
    assert 'results-count">2 <bdi>5G</bdi> past sessions</h2>' in html
    # Searching keeps the category; the whole archive is a link away.
    assert '<input type="hidden" name="category" value="5g">' in html
    assert 'href="/webinars/archive">The whole archive</a>' in html
    html = text(client.get("/webinars/archive?category=5g&place=denver&q=studio"))
    assert "Studio</mark> session" in html and "5G session" not in html
    assert "<bdi>5G</bdi> past sessions in <bdi>Denver</bdi> matching “<bdi>studio</bdi>”" in html
    assert 'href="/webinars/archive?category=5g&amp;place=denver">Clear search</a>' in html
    nothing = text(client.get("/webinars/archive?place=atlantis"))
    assert "Nothing in the archive matches these filters." in nothing
    assert client.get("/webinars/archive?category=no-such").status_code == 404
