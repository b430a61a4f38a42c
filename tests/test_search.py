"""Full-text search (search.py) on a shared corpus: the same assertions run on SQLite (FTS5) and,
with TEST_DATABASE_URL, on PostgreSQL (tsvector), so both databases give the same results."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select, text, update

from events_app import changes, search
from events_app.extensions import db
from events_app.filters import EventFilters, filtered_events_query
from events_app.models import Category, Event, Speaker, Venue
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["NOW"] = NOW  # pages split upcoming from past by the clock


def found(q: str, **filters) -> list[str]:
    stmt = filtered_events_query(EventFilters(q=q, **filters), NOW)
    return [e.title for e in db.session.scalars(stmt).unique()]


def day(n: int):
    return NOW + timedelta(days=n)


@pytest.fixture
def corpus(create_event, create_venue, create_category):
    """Events whose words exercise stemming, prefixes, phrases, accents and other scripts."""
    krakow = create_venue(name="Hotel Kraków", city="Kraków", country="Poland", timezone="UTC")
    optical = create_category("Optical")
    events = [
        create_event(title="Optical Networking Summit", summary="Fibre backbones for operators.",
                     kind="live", venue=krakow, start=day(20)),
        create_event(title="Network automation webinar", summary="Operators automate their work.",
                     start=day(30)),
        create_event(title="Cloud native roundtable", summary="Kubernetes at the edge.",
                     description="A long look at *cloud* platforms.\n\nThen at the networks that "
                     "carry them, the sites that host them and the teams that run them.",
                     start=day(3)),
        create_event(title="5G Open RAN Forum", summary="Disaggregated radio access.",
                     speakers=(("Chloé Dubois", "CTO", "Contoso Networks"),), start=day(40)),
        create_event(title="Private 5G breakfast", summary="RAN sharing with open interfaces.",
                     start=day(10)),
        create_event(title="Московский форум связи", summary="Конференция операторов.",
                     start=day(11)),
        create_event(title="東京 ネットワーク 会議", summary="通信 事業者", start=day(12)),
        create_event(title="Optical secrets", summary="Not ready.", status="draft", start=day(5)),
        create_event(title="Cafe Analytics", summary="Numbers over café au lait.", start=day(13)),
        create_event(title="Metro transport day", summary="Metro and long haul.",
                     description="Coherent optical links, amplifiers and the rest.",
                     categories=[optical], start=day(2)),
    ]  # fmt: skip
    return events


def test_words_are_stemmed_both_ways(corpus):
    plural, singular = found("networks"), found("network")
    assert plural == singular
    assert {"Network automation webinar", "Cloud native roundtable"} <= set(plural)
    assert "5G Open RAN Forum" in plural  # the speaker's company, "Contoso Networks"
    assert found("automating") == found("automated") == ["Network automation webinar"]


def test_the_last_word_is_a_prefix(corpus):
    assert found("webin")[0] == "Network automation webinar"  # the title's word first
    assert found("operators autom") == ["Network automation webinar"]
    assert found("webin automation") == []  # only the last word is a prefix


def test_the_kind_is_searched_like_a_category(corpus):
    """ "webinar" finds the webinars whose own text does not say so; "live event" the events
    at a venue."""
    webinars = {e.title for e in corpus if e.kind == "webinar" and e.status != "draft"}
    assert len(webinars) > 3 and set(found("webinar")) == webinars
    assert found("webinar")[0] == "Network automation webinar"  # the title outweighs it
    assert found("live event") == ["Optical Networking Summit"]
    assert "Cloud native roundtable" in found("webinar kubernetes")
    corpus[2].kind = "audio"  # a change of kind is indexed like any other
    db.session.commit()
    assert found("live audio") == ["Cloud native roundtable"]
    assert "Cloud native roundtable" not in found("webinar")


def test_online_finds_what_can_be_attended_online_and_hybrid_the_hybrid_ones(corpus):
    """A live event at a venue with a join link is hybrid: "online" and "hybrid" find it,
    as "online" finds the webinars and live audio; one without the link is neither."""
    summit = corpus[0]  # live, at the Kraków hotel, no join link
    online = {e.title for e in corpus if e.kind != "live" and e.status != "draft"}
    assert set(found("online")) == online and found("hybrid") == []
    summit.online_url = "https://stream.example.com/summit"
    db.session.commit()
    assert set(found("online")) == online | {summit.title}
    assert found("hybrid") == [summit.title] == found("hybrid krakow")


def test_or_finds_either(corpus):
    assert sorted(found("kubernetes or krakow")) == [
        "Cloud native roundtable",
        "Optical Networking Summit",
    ]
    assert sorted(found("kubernetes OR krakow -fibre")) == ["Cloud native roundtable"]
    assert found("kubernetes or ") == []  # a last "or" is a word no event holds
    assert found('"long haul" or "open interfaces" metro') == ["Metro transport day"]
    assert sorted(found("форум or 東京")) == ["Московский форум связи", "東京 ネットワーク 会議"]


def test_phrases_and_exclusions(corpus):
    assert sorted(found("open ran")) == ["5G Open RAN Forum", "Private 5G breakfast"]
    assert found('"open ran"') == ["5G Open RAN Forum"]
    assert found("5g -breakfast") == ["5G Open RAN Forum"]
    assert found('5g -"open ran"') == ["Private 5G breakfast"]
    assert "Private 5G breakfast" not in found("-breakfast")


def test_best_match_first_or_by_date(corpus):
    # The title outweighs the categories, which outweigh the description.
    assert found("optical") == ["Optical Networking Summit", "Metro transport day"]
    assert found("optical", sort="date") == ["Metro transport day", "Optical Networking Summit"]
    ranked = found("network")
    assert set(ranked[:2]) == {"Optical Networking Summit", "Network automation webinar"}
    assert ranked[2:] == ["5G Open RAN Forum", "Cloud native roundtable"]


def test_a_series_is_one_entry_when_ranked_and_every_date_by_date(
    create_event, create_series, client: FlaskClient
):
    """A weekly show filled the first pages of a search: ranked, its matching dates sharing a
    title are one entry, its soonest (newest, among past ones), which says what it is part
    of; a date with a title of its own is an entry of its own; by date, every date."""
    start = (NOW - timedelta(days=28)).replace(tzinfo=None, hour=12, minute=0)
    show = create_series(start=start, title="Optical Hour", summary="Optical networks, weekly.",
                         count=12)  # fmt: skip
    special = sorted(show.occurrences, key=lambda o: o.start_at)[8]
    special.title = "Optical Hour: 6G special"
    create_event(title="Optical Summit", start=day(15))
    db.session.commit()
    upcoming = [o for o in show.occurrences if o.start_at > NOW and o is not special]
    assert sorted(found("optical")) == [
        "Optical Hour",
        "Optical Hour: 6G special",
        "Optical Summit",
    ]
    ranked = db.session.scalars(filtered_events_query(EventFilters(q="optical"), NOW)).all()
    (entry,) = [e for e in ranked if e.title == "Optical Hour"]
    assert entry.id == min(upcoming, key=lambda o: o.start_at).id  # the soonest date
    assert len(found("optical", sort="date")) == 8 + 1  # every date to come, and the summit
    # Within dates, as its feed: every date there, best match first.
    weeks = {"date_from": NOW.date(), "date_to": (NOW + timedelta(days=20)).date()}
    in_range = [o for o in upcoming if o.start_at.date() <= weeks["date_to"]]
    assert found("optical", **weeks).count("Optical Hour") == len(in_range) > 1
    past = db.session.scalars(filtered_events_query(EventFilters(q="optical", when="past"), NOW))
    (newest_past,) = past.all()
    assert newest_past.start_at == max(o.start_at for o in show.occurrences if o.end_at <= NOW)
    page = client.get("/events/?q=optical").get_data(as_text=True)
    assert re.search(r">\s*3 upcoming events\s*</h2>", page) and page.count("Part of:") == 2
    # Past and upcoming together: its next date to come, not its first ever.
    every = db.session.scalars(filtered_events_query(EventFilters(q="optical", when="all"), NOW))
    (entry,) = [e for e in every.all() if e.title == "Optical Hour"]
    assert entry.id == min(upcoming, key=lambda o: o.start_at).id
    # The soonest date cancelled, the next postponed: the entry is the next taking place.
    first, second, third = sorted(upcoming, key=lambda o: o.start_at)[:3]
    first.status = first.own_status = "cancelled"
    second.status = second.own_status = "postponed"
    db.session.commit()
    for when in ("upcoming", "all"):
        stmt = filtered_events_query(EventFilters(q="optical", when=when), NOW)
        (entry,) = [e for e in db.session.scalars(stmt).all() if e.title == "Optical Hour"]
        assert entry.id == third.id, when
    assert client.get("/events/?q=optical&page=2").status_code == 404


def test_past_results_tie_newest_first(create_event):
    for n in range(3):
        create_event(title=f"Fibre session {n}", start=NOW - timedelta(days=10 - n))
    assert found("fibre", when="past") == ["Fibre session 2", "Fibre session 1", "Fibre session 0"]


def test_accents_do_not_matter(corpus):
    assert found("krakow") == found("Kraków") == ["Optical Networking Summit"]
    assert found("café") == found("cafe") == ["Cafe Analytics"]
    assert found("chloe") == ["5G Open RAN Forum"]
    # Typed on a CJK keyboard in full width: the plain letters and digits.
    assert found("ｃａｆｅ") == ["Cafe Analytics"]
    assert found("５Ｇ ｆｏｒｕｍ") == ["5G Open RAN Forum"]


def test_other_scripts(corpus):
    assert found("форум") == ["Московский форум связи"]
    assert found("конференция") == ["Московский форум связи"]
    assert found("моск") == ["Московский форум связи"]  # a prefix in Cyrillic
    assert found("東京") == ["東京 ネットワーク 会議"]
    assert found("通信") == ["東京 ネットワーク 会議"]


def test_chinese_and_japanese_words_are_found_inside_longer_runs(create_event, client: FlaskClient):
    """Written without spaces, a word sat inside one run of characters: only a search from
    the run's start found it. Each character is now a word, a query's run a phrase."""
    create_event(title="5G网络会议 北京", summary="移动通信技术会议", start=day(4))
    create_event(title="オープンネットワーク会議", start=day(5))
    create_event(title="会 and 议 apart", start=day(6))
    assert found("会议") == ["5G网络会议 北京"]  # as a phrase: not the one with them apart
    assert found("网络会议") == found("5G网络") == found("北京") == ["5G网络会议 北京"]
    assert found("通信技术") == ["5G网络会议 北京"]
    assert found("ネットワーク") == found("ワーク会議") == ["オープンネットワーク会議"]
    assert found("议会") == []  # the characters in another order are another word
    page = client.get("/events/?q=会议").get_data(as_text=True)
    assert "5G网络<mark>会议</mark> 北京" in page  # shown as written, marked
    assert "\u200b" not in page


def test_drafts_are_never_found_by_visitors(corpus, client: FlaskClient):
    assert "Optical secrets" not in found("optical")
    assert "Optical secrets" not in found("secrets")
    for path in ("/events/?q=secrets", "/webinars/archive?q=secrets", "/calendar/?q=secrets",
                 "/feeds/events.ics?q=secrets"):  # fmt: skip
        assert "Optical secrets" not in client.get(path).get_data(as_text=True), path


def test_text_without_words_finds_nothing(corpus):
    assert found("📡") == []
    assert found("-") == []
    assert found('""') == []


def test_a_huge_query_is_refused_politely_and_a_long_one_is_cut(corpus, client: FlaskClient):
    response = client.get("/events/?q=" + "optical " * 1250)  # 10,000 characters
    assert response.status_code == 414
    assert "too long" in response.get_data(as_text=True)
    response = client.get("/events/?q=" + "optical " * 60)  # cut to 200 characters, 10 terms
    assert response.status_code == 200
    assert "<mark>Optical</mark> Networking Summit" in response.get_data(as_text=True)
    assert client.get("/events/?sort=best").status_code == 400


def test_the_list_highlights_matches_and_escapes_the_rest(create_event, client: FlaskClient):
    create_event(title="<b>Optical</b> tricks", summary="Fibre & <i>optical</i> amplifiers.")
    page = client.get("/events/?q=optical").get_data(as_text=True)
    assert "&lt;b&gt;<mark>Optical</mark>&lt;/b&gt; tricks" in page
    snippet = page.split('event-snippet" dir="auto">', 1)[1].split("</p>", 1)[0]
    # The passage around the match: PostgreSQL's ts_headline leaves tag-like text out of it.
    assert snippet.startswith("Fibre &amp; ") and "<mark>optical</mark>" in snippet
    assert "<b>" not in page and "<i>" not in page
    assert "Sort by:" in page and "?q=optical&amp;sort=date" in page
    assert re.search(r">\s*1 upcoming event\s*</h2>", page)
    by_date = client.get("/events/?q=optical&sort=date").get_data(as_text=True)
    assert 'name="sort" value="date"' in by_date  # kept when the form is sent again


def test_the_archive_searches_and_ranks(create_event, client: FlaskClient):
    create_event(title="Spectrum auctions", summary="All about fiber.", start=day(-20),
                 recording_url="https://example.com/a")  # fmt: skip
    create_event(title="Fiber to the home", start=day(-30), recording_url="https://example.com/b")
    page = client.get("/webinars/archive?q=fiber").get_data(as_text=True)
    assert page.index("<mark>Fiber</mark> to the home") < page.index("Spectrum auctions")
    by_date = client.get("/webinars/archive?q=fiber&sort=date").get_data(as_text=True)
    assert by_date.index("Spectrum auctions") < by_date.index("Fiber to the home")


def test_the_month_view_searches(corpus, client: FlaskClient):
    month = f"/calendar/{day(20):%Y/%m}"
    page = client.get(month + "?q=krakow").get_data(as_text=True)
    assert "Optical Networking Summit" in page and "Private 5G breakfast" not in page


def test_the_staff_dashboard_finds_drafts(corpus, client: FlaskClient, create_user, auth):
    create_user()
    auth.login()
    page = client.get("/staff/?q=secret").get_data(as_text=True)
    assert "Optical secrets" in page


# --- the index follows every change -------------------------------------------------------------


def test_orm_edits_are_indexed(corpus):
    summit, webinar = corpus[0], corpus[1]
    summit.title = "Photonics Summit"
    db.session.commit()
    assert found("photonics") == ["Photonics Summit"]
    assert "Photonics Summit" not in found("optical")
    webinar.speakers.append(Speaker(name="Ngozi Okafor", company="Adatum", position=1))
    db.session.commit()
    assert found("okafor") == ["Network automation webinar"]
    db.session.scalars(select(Venue)).one().name = "Sheraton Grand"
    db.session.scalars(select(Category)).one().name = "Photonic transport"
    db.session.commit()
    assert found("sheraton") == ["Photonics Summit"]
    assert found("photonic transport") == ["Metro transport day"]
    db.session.delete(webinar)
    db.session.commit()
    assert found("okafor") == []
    rows = db.session.execute(text(f"SELECT count(*) FROM {search.TABLE}")).scalar()
    assert rows == len(corpus) - 1


def test_raw_sql_is_indexed_through_mark_changed(corpus):
    event_id = corpus[1].id
    db.session.execute(update(Event).where(Event.id == event_id).values(title="Zero trust day"))
    changes.mark_changed(db.session, [event_id])
    db.session.commit()
    assert found("zero trust") == ["Zero trust day"]
    template = {c.key: getattr(corpus[2], c.key) for c in Event.__table__.columns}
    del template["id"]
    template.update(uid="bulk@events.test", slug="bulk", title="Bulk loaded satellite day")
    db.session.execute(insert(Event), [template])
    changes.mark_changed(db.session)  # bulk inserts name no ids: the missing ones are indexed
    db.session.commit()
    assert found("satellite") == ["Bulk loaded satellite day"]


def test_rebuild_gives_the_same_index(corpus):
    before = found("network")
    search.rebuild(db.session.connection())
    db.session.commit()
    assert found("network") == before


# --- the query language, without a database ------------------------------------------------------


def test_parse_terms():
    t = search.Term
    assert search.parse('5G "open ran" -fiber Wi-Fi webin') == [
        t(("5g",)),
        t(("open", "ran")),
        t(("fiber",), exclude=True),
        t(("wi", "fi")),
        t(("webin",), prefix=True),
    ]
    assert search.parse('"open ran"') == [t(("open", "ran"))]
    assert len(search.parse(" ".join(f"w{n}" for n in range(30)))) == search.MAX_TERMS
    terms = search.parse('radio -"open ran" edg')
    assert search.fts5_query(terms) == '"radio" AND "edg"*'
    assert search.fts5_excluded(terms) == '"open ran"'
    assert search.tsquery_text(terms) == "'radio' & !('open' <-> 'ran') & 'edg':*"
    terms = search.parse('"open ran" OR 5g cloud or webin')
    assert terms == [
        t(("open", "ran"), either=(t(("5g",)),)),
        t(("cloud",), either=(t(("webin",), prefix=True),)),
    ]
    assert search.fts5_query(terms) == '("open ran" OR "5g") AND ("cloud" OR "webin"*)'
    assert search.tsquery_text(terms) == "(('open' <-> 'ran') | '5g') & ('cloud' | 'webin':*)"
    # "or" first, last or after an exclusion is a word, as websearch_to_tsquery reads it.
    assert search.parse("or radio") == [t(("or",)), t(("radio",), prefix=True)]
    assert search.parse("radio or ") == [t(("radio",)), t(("or",))]
    assert search.parse("radio or") == [t(("radio",)), t(("or",), prefix=True)]


def test_imported_events_are_found_and_a_reimport_updates_the_index(app_ctx):
    from events_app.importing.apply import apply_import
    from events_app.importing.plan import plan_import
    from tests.test_importer import WEBINAR, ics

    apply_import(plan_import(ics(WEBINAR), db.session, now=NOW), db.session, publish=True)
    assert found('"5g core"') == ["5G Core Webinar"]  # a phrase only its title holds
    renamed = ics(WEBINAR.replace("5G Core Webinar", "Packet core deep dive"))
    apply_import(plan_import(renamed, db.session, now=NOW), db.session, publish=True)
    assert found('"5g core"') == [] and found("packet") == ["Packet core deep dive"]


def test_finding_unindexed_events_joins_once_not_per_row(corpus):
    """After a bulk change, the index's missing and orphaned rows are found by an anti-join
    (PostgreSQL) or a key lookup per row (SQLite): PostgreSQL runs ``NOT IN (subquery)`` as a
    subplan per row once the subquery outgrows work_mem (unfinished after 6 min at 100,000)."""
    dialect = db.engine.dialect.name
    for sql in search.missing_sql(dialect):
        if dialect == "postgresql":
            plan = "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
            assert "Anti Join" in plan and "SubPlan" not in plan, plan
        else:
            plan = "\n".join(r[3] for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "LIST SUBQUERY" not in plan and "CORRELATED" in plan, plan
    db.session.execute(text(f"DELETE FROM {search.TABLE}"))
    count = db.session.scalar(select(func.count()).select_from(Event))
    assert search.index_missing(db.session.connection()) == count
    assert search.index_missing(db.session.connection()) == 0
