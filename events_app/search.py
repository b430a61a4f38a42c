"""Full-text search of events: the query language, the index, ranking and highlighted snippets.

The index is one table, ``event_search``, made by migration 0009 and kept out of the ORM's
metadata (its shape differs by database):
- SQLite: an FTS5 table (rowid = event id; columns title, topics, place, body) with porter
  stemming and ``unicode61 remove_diacritics 2``; ranked by ``bm25``.
- PostgreSQL: (event_id, document tsvector under a GIN index, body) in the text search
  configuration ``events_search`` (English stemming, no stop words, unaccent); ranked by
  ``ts_rank``.
Both index the title (weighted highest), the kind ("Webinar", "Online", "Hybrid": _kind_words),
categories and speakers, the venue's name, city and country, and the summary and description
as text. Every event is
indexed, drafts too (the staff dashboard searches them); public queries keep their status
condition.

Only ``changes.py`` writes it (``reindex``), from the ORM's flush hooks and ``mark_changed``,
so every change that counts for caches counts for search too.

The query language is ``websearch_to_tsquery``'s: words must all appear (stemmed: "network"
finds "networks"), "quoted phrases" appear as written, ``-word`` and ``-"a phrase"`` exclude,
``a or b`` finds either; the last plain word also matches as a prefix ("webin" finds
webinars). The same parsed query is written out for either database, so both find the same
events.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import (
    Connection,
    bindparam,
    case,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from .markup import markdown_to_text
from .models import (
    KINDS,
    Category,
    Event,
    Speaker,
    Venue,
    attended_online,
    event_categories,
    hybrid,
)

TABLE = "event_search"
CONFIG = "events_search"  # PostgreSQL text search configuration (migration 0009)
MAX_TERMS = 10
CHUNK = 500
# bm25 weights of the FTS5 columns (title, topics, place, body); PostgreSQL: A, B, C, D.
BM25_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# Highlight marks: private-use characters no stored text keeps (see _clean), turned into <mark>.
START, STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 24
_WORD = re.compile(r"[^\W_]+")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ue000\ue001]")
# Chinese and Japanese write words without spaces: each character is a word of its own in the
# index (set apart by zero-width spaces, which both databases' parsers split at and pages do
# not show), and a query's run of them a phrase, so "会议" finds "网络会议". Korean has spaces.
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_CHAR = f"([{_CJK}])"
_CJK_CHARS = re.compile(_CJK_CHAR)
_CJK_UNITS = re.compile(f"[{_CJK}]|[^{_CJK}]+")
SPLIT = "\u200b"

fts = table(TABLE, column("rowid"), column("title"), column("body"))
pg_index = table(TABLE, column("event_id"), column("document"), column("body"))


# --- the query language (pure) --------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word, or a phrase (several words in a row); excluded with '-', or a prefix; with
    ``either``, the terms it may be found instead of ("optical or fiber")."""

    words: tuple[str, ...]
    exclude: bool = False
    prefix: bool = False
    either: tuple[Term, ...] = ()

    @property
    def choices(self) -> tuple[Term, ...]:
        """This term and those it may be found instead of."""
        return (replace(self, either=()), *self.either)


def parse(q: str) -> list[Term]:
    """Terms of a search box's text, websearch style: words, "phrases", -exclusions, and
    ``or`` between two terms to find either.

    Words are runs of letters and digits ("Wi-Fi" is the phrase "wi fi"); at most MAX_TERMS
    terms; the last plain word, when the text does not end in a space or quote, is a prefix.
    """
    terms = _every_term(q)[:MAX_TERMS]
    last = terms[-1] if terms else None
    quoted = q.rstrip().endswith('"')
    if last and not last.exclude and not quoted and q == q.rstrip():
        final = last.choices[-1]
        if len(final.words) == 1:
            final = replace(final, prefix=True)
            terms[-1] = replace(last, either=(*last.either[:-1], final)) if last.either else final
    return terms


def _every_term(q: str) -> list[Term]:
    terms: list[Term] = []
    joining = False  # an "or" came after the last term
    # NFKC: full-width letters and digits from a CJK keyboard ("５Ｇ") are the plain ones.
    for match in re.finditer(r'(-?)"([^"]*)"?|(-?)(\S+)', unicodedata.normalize("NFKC", q)):
        exclude = bool(match[1] or match[3])
        words = index_words(match[2] if match[2] is not None else "")
        if match[4] is not None:
            if match[4].lower() == "or" and not exclude and terms and not terms[-1].exclude:
                joining = True
                continue
            words = index_words(match[4])
        if words:
            term = Term(words, exclude=exclude)
            if joining and not exclude:
                before = terms.pop()
                term = replace(before, either=(*before.either, term))
            terms.append(term)
        joining = False
    if joining:  # an "or" at the end is the word, as websearch_to_tsquery reads it
        terms.append(Term(("or",)))
    return terms


def index_words(text_: str) -> tuple[str, ...]:
    """The index's words of a query's text: runs of letters and digits, a CJK character
    each ("网络会议" is the phrase 网 络 会 议)."""
    return tuple(u.lower() for w in _WORD.findall(text_) for u in _CJK_UNITS.findall(w))


def unread_terms(typed: str | None, searched: str | None) -> tuple[int, int]:
    """(terms searched, terms left out) of what was ``typed``, when a search used only
    ``searched`` (the first MAX_TERMS terms of the text, cut to its longest length)."""
    used = len(parse(searched or ""))
    return used, max(0, len(_every_term(typed or "")) - used)


def fts5_query(terms: Sequence[Term]) -> str | None:
    """The FTS5 MATCH text of the wanted terms, or None when there are none."""
    return " AND ".join(_fts5_term(t) for t in terms if not t.exclude) or None


def fts5_excluded(terms: Sequence[Term]) -> str | None:
    return " OR ".join(_fts5_term(t) for t in terms if t.exclude) or None


def _fts5_term(term: Term) -> str:
    if term.either:
        return "(" + " OR ".join(_fts5_term(t) for t in term.choices) + ")"
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def tsquery_text(terms: Sequence[Term]) -> str | None:
    """``to_tsquery`` text of all the terms ('a' & 'b' <-> 'c' & !'d' & 'we':*), or None."""
    parts = []
    for term in terms:
        choices = [_ts_phrase(t) for t in term.choices]
        phrase = f"({' | '.join(choices)})" if len(choices) > 1 else choices[0]
        parts.append(("!" if term.exclude else "") + phrase)
    return " & ".join(parts) or None


def _ts_phrase(term: Term) -> str:
    phrase = " <-> ".join(f"'{w}'" for w in term.words) + (":*" if term.prefix else "")
    return f"({phrase})" if len(term.words) > 1 else phrase


# --- conditions and ranking for event queries -------------------------------------------------


def dialect() -> str:
    """The app's database: "sqlite" or "postgresql"."""
    from .extensions import db

    return db.engine.dialect.name


def _tsquery(terms: Sequence[Term]) -> ColumnElement:
    return func.to_tsquery(literal_column(f"'{CONFIG}'"), literal(tsquery_text(terms)))


def _matching(terms: Sequence[Term], *, ranked: bool) -> Select:
    """SELECT event_id[, rank] of the events matching the wanted terms and none excluded;
    rank: smaller is better."""
    if dialect() == "postgresql":
        query = _tsquery(terms)
        columns = [pg_index.c.event_id.label("event_id")]
        if ranked:
            columns.append((-func.ts_rank(pg_index.c.document, query)).label("rank"))
        return select(*columns).where(pg_index.c.document.op("@@")(query))
    columns = [fts.c.rowid.label("event_id")]
    if ranked:
        weights = ", ".join(map(str, BM25_WEIGHTS))
        columns.append(literal_column(f"bm25({TABLE}, {weights})").label("rank"))
    stmt = select(*columns).where(_fts5_match(fts5_query(terms)))
    excluded = fts5_excluded(terms)
    if excluded:
        stmt = stmt.where(fts.c.rowid.not_in(select(fts.c.rowid).where(_fts5_match(excluded))))
    return stmt


def _fts5_match(expression: str | None) -> ColumnElement[bool]:
    return literal_column(TABLE).op("MATCH")(literal(expression))


def condition(q: str, *, few_dates: bool = False) -> ColumnElement[bool]:
    """The events matching the search text ``q`` (a condition on Event, for any select);
    text without a letter or digit finds nothing.

    ``few_dates``: the rest of the query keeps only a few weeks of events (a month page, a
    short from-to range). SQLite then checks those events against the matches, instead of
    starting from every match (its choice otherwise), which costs as much as the words are
    common in the whole database.
    """
    terms = parse(q)
    if not terms:
        return false()  # nothing searchable (only symbols): nothing is found
    sqlite = dialect() != "postgresql"
    event_id = Event.id + 0 if sqlite and few_dates else Event.id  # "+ 0": not an id lookup
    if not _finds(terms) and sqlite:
        # Only exclusions: everything but what they match.
        return event_id.not_in(select(fts.c.rowid).where(_fts5_match(fts5_excluded(terms))))
    return event_id.in_(_matching(terms, ranked=False))


def ranks(q: str | None) -> bool:
    """Whether a search can be ranked: it has words to find, not only words to leave out."""
    return _finds(parse(q or ""))


def _finds(terms: Sequence[Term]) -> bool:
    """Whether parsed terms have words to find, not only words to leave out."""
    return any(not t.exclude for t in terms)


# The execution option of a ranked select that holds the select of its ids alone, in order
# (filters.paginate and count_of read it: joined back to events, they cost a third more).
RANKED_IDS = "events_ranked_ids"


def by_relevance(
    stmt: Select,
    q: str,
    *,
    newest_first: bool = False,
    now: datetime | None = None,
    every_date: bool = False,
) -> Select:
    """``stmt`` (a select of Event, unordered) limited to the events matching ``q``, best
    match first, then in date order (soonest, or newest); a search of exclusions only keeps
    date order.

    A series is one entry: of its dates that match, sharing a title, the soonest (the newest,
    ``newest_first``) taking place (neither cancelled nor postponed, unless all are), with its
    "Part of" line; a weekly show's dates no longer fill the first pages. With ``now`` (a list
    of past and upcoming events), the next date to come, or else the newest past one. A date
    with a title of its own is an entry of its own. ``every_date``: each date an entry (the
    archive, where each has its own recording; a search within dates). The select's
    ``RANKED_IDS`` execution option is the ids alone (see there)."""
    terms = parse(q)
    dates = (Event.start_at.desc(), Event.id.desc()) if newest_first else (Event.start_at, Event.id)
    if not _finds(terms):  # as ranks(q), from the terms already parsed
        return stmt.where(condition(q)).order_by(*dates)
    matches = _matching(terms, ranked=True)
    if dialect() == "postgresql":
        # OFFSET 0 keeps PostgreSQL from pulling the subquery up: pulled up, every match's
        # whole tsvector rode along through the join and the sort (spilling to disk for broad
        # searches); kept apart, only (event_id, rank) do.
        matches = matches.offset(0)
    matches = matches.subquery("matches")
    if every_date:
        return stmt.join(matches, matches.c.event_id == Event.id).order_by(matches.c.rank, *dates)
    found = (
        stmt.join(matches, matches.c.event_id == Event.id)
        .with_only_columns(
            Event.id.label("id"),
            Event.series_id.label("series_id"),
            Event.title.label("title"),
            Event.start_at.label("start_at"),
            Event.end_at.label("end_at"),
            Event.status.label("status"),
            matches.c.rank.label("rank"),
        )
        .order_by(None)
        .cte("found")  # used twice: both databases compute it once (no keyword older SQLite lacks)
    )
    put_off = case((found.c.status.in_(("cancelled", "postponed")), 1), else_=0)
    if now is not None:  # the next date to come; none: the newest past one
        over = found.c.end_at <= now
        newest_over = case((over, found.c.start_at)).desc()  # NULL (to come) in each of them
        soonest = (put_off, case((over, 1), else_=0), newest_over, found.c.start_at, found.c.id)
    elif newest_first:
        soonest = (put_off, found.c.start_at.desc(), found.c.id.desc())
    else:
        soonest = (put_off, found.c.start_at, found.c.id)
    nth = func.row_number().over(partition_by=(found.c.series_id, found.c.title), order_by=soonest)
    dated = (
        select(found.c.id, found.c.rank, found.c.start_at, nth.label("nth"))
        .where(found.c.series_id.is_not(None))
        .subquery("dated")
    )
    ranked = union_all(
        select(found.c.id, found.c.rank, found.c.start_at).where(found.c.series_id.is_(None)),
        select(dated.c.id, dated.c.rank, dated.c.start_at).where(dated.c.nth == 1),
    ).subquery("ranked")
    order = (
        ranked.c.rank,
        *(
            (ranked.c.start_at.desc(), ranked.c.id.desc())
            if newest_first
            else (ranked.c.start_at, ranked.c.id)
        ),
    )
    ids = select(ranked.c.id).order_by(*order)
    listed = stmt.join(ranked, ranked.c.id == Event.id).order_by(*order)
    return listed.execution_options(**{RANKED_IDS: ids})


# --- highlighted snippets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """An event's title and a passage of its text, with the matched words in <mark>."""

    title: Markup
    snippet: Markup


def highlights(session: Session, q: str | None, event_ids: Iterable[int]) -> dict[int, Highlight]:
    """Highlights of the listed events for the search ``q`` ({} without wanted words)."""
    ids = list(event_ids)
    terms = parse(q or "")
    if not ids or not _finds(terms):
        return {}
    wanted = [t for t in terms if not t.exclude]
    if session.get_bind().dialect.name == "postgresql":
        query = _tsquery(wanted)
        marks = f'StartSel="{START}", StopSel="{STOP}"'
        title_options = literal(marks + ", HighlightAll=true")
        body_options = literal(
            f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, MaxFragments=2"
        )
        config = literal_column(f"'{CONFIG}'")
        stmt = (
            select(
                pg_index.c.event_id,
                func.ts_headline(config, _pg_split(Event.title), query, title_options),
                func.ts_headline(config, pg_index.c.body, query, body_options),
            )
            .join(Event, Event.id == pg_index.c.event_id)
            .where(pg_index.c.event_id.in_(ids))
        )
    else:
        stmt = select(
            fts.c.rowid,
            literal_column(f"highlight({TABLE}, 0, '{START}', '{STOP}')"),
            literal_column(f"snippet({TABLE}, 3, '{START}', '{STOP}', '…', {SNIPPET_WORDS})"),
        ).where(
            _fts5_match(fts5_query(wanted)),
            # "+": not a rowid lookup. FTS5 would evaluate a prefix term's whole doclist
            # again for every id; one pass over the matches, filtered, costs a fraction.
            literal_column(f"+{TABLE}.rowid").in_(ids),
        )
    return {
        row[0]: Highlight(_marked(row[1]), _marked(row[2])) for row in session.execute(stmt).all()
    }


def _pg_split(title: ColumnElement) -> ColumnElement:
    """The title as the index holds it (CJK characters apart, as _clean does), in SQL."""
    return func.regexp_replace(title, literal(_CJK_CHAR), literal(f"{SPLIT}\\1{SPLIT}"), "g")


def _marked(value: str | None) -> Markup:
    text_ = str(escape((value or "").replace(SPLIT, "")))
    marked = text_.replace(START, "<mark>").replace(STOP, "</mark>")
    return Markup(marked.replace("</mark><mark>", ""))  # a CJK phrase's characters: one mark


# --- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    event_id: int
    title: str
    topics: str  # its kind ("Webinar"), categories, speakers' names and companies
    place: str  # the venue's name, city and country
    body: str  # summary and description, as text


def _clean(value: str | None) -> str:
    """Text as the index holds it: no highlight marks or controls; CJK characters apart."""
    return _CJK_CHARS.sub(f"{SPLIT}\\1{SPLIT}", _NOT_TEXT.sub(" ", value or ""))


def documents(connection: Connection, ids: Sequence[int]) -> list[Document]:
    """What the index holds for these events, read from their rows (three queries)."""
    e, v, s = Event.__table__, Venue.__table__, Speaker.__table__
    rows = connection.execute(
        select(
            e.c.id,
            e.c.title,
            e.c.kind,
            e.c.summary,
            e.c.description,
            e.c.online_url,
            v.c.name,
            v.c.city,
            v.c.country,
        )
        .select_from(e.outerjoin(v, v.c.id == e.c.venue_id))
        .where(e.c.id.in_(bindparam("ids", expanding=True))),
        {"ids": list(ids)},
    ).all()
    topics: dict[int, list[str]] = {}
    for event_id, name in connection.execute(
        select(event_categories.c.event_id, Category.__table__.c.name)
        .join(Category.__table__, Category.__table__.c.id == event_categories.c.category_id)
        .where(event_categories.c.event_id.in_(bindparam("ids", expanding=True))),
        {"ids": list(ids)},
    ):
        topics.setdefault(event_id, []).append(name)
    for event_id, name, company in connection.execute(
        select(s.c.event_id, s.c.name, s.c.company)
        .where(s.c.event_id.in_(bindparam("ids", expanding=True)))
        .order_by(s.c.event_id, s.c.position),
        {"ids": list(ids)},
    ):
        topics.setdefault(event_id, []).extend((name, company))
    return [
        Document(
            event_id=row.id,
            title=_clean(row.title),
            topics=_clean(" · ".join(t for t in (*_kind_words(row), *topics.get(row.id, ())) if t)),
            place=_clean(" ".join(p for p in (row.name, row.city, row.country) if p)),
            body=_clean(f"{row.summary}\n{markdown_to_text(row.description)}".strip()),
        )
        for row in rows
    ]


def _kind_words(row) -> tuple[str, ...]:
    """How a visitor names the kind: "Webinar" and "Online"; a live event with a join link
    is "Hybrid" and "Online" too (its venue and "& online" alone did not find it)."""
    words = (KINDS.get(row.kind, ""),)
    if hybrid(row.kind, row.name is not None, row.online_url):
        words += ("Hybrid",)
    if attended_online(row.kind, row.online_url):
        words += ("Online",)
    return words


def reindex(connection: Connection, event_ids: Iterable[int]) -> None:
    """Write the index rows of these events again (or remove them, for events that are gone)."""
    ids = sorted(set(event_ids))
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        docs = documents(connection, chunk)
        _remove(connection, chunk)
        if not docs:
            continue
        rows = [doc.__dict__ for doc in docs]
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    f"INSERT INTO {TABLE} (event_id, document, body) VALUES (:event_id,"
                    f" setweight(to_tsvector('{CONFIG}', :title), 'A')"
                    f" || setweight(to_tsvector('{CONFIG}', :topics), 'B')"
                    f" || setweight(to_tsvector('{CONFIG}', :place), 'C')"
                    f" || setweight(to_tsvector('{CONFIG}', :body), 'D'), :body)"
                ),
                rows,
            )
        else:
            connection.execute(
                text(
                    f"INSERT INTO {TABLE} (rowid, title, topics, place, body)"
                    " VALUES (:event_id, :title, :topics, :place, :body)"
                ),
                rows,
            )


def _remove(connection: Connection, ids: Sequence[int]) -> None:
    key = "event_id" if connection.dialect.name == "postgresql" else "rowid"
    connection.execute(
        text(f"DELETE FROM {TABLE} WHERE {key} IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": list(ids)},
    )


def index_missing(connection: Connection) -> int:
    """Index the events the index lacks and drop rows of deleted events (after bulk inserts
    and deletes, which name no ids); how many events were indexed."""
    delete_deleted, select_missing = missing_sql(connection.dialect.name)
    connection.execute(text(delete_deleted))
    missing = connection.scalars(text(select_missing)).all()
    reindex(connection, missing)
    return len(missing)


def missing_sql(dialect: str) -> tuple[str, str]:
    """(delete the rows of deleted events, select the ids of events without a row). NOT EXISTS,
    not NOT IN: PostgreSQL runs NOT IN (subquery) as a subplan per row unless the subquery's
    result fits in work_mem: at 100,000 events it had not finished after six minutes."""
    key = f"{TABLE}.event_id" if dialect == "postgresql" else f"{TABLE}.rowid"
    return (
        f"DELETE FROM {TABLE} WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.id = {key})",
        f"SELECT id FROM events WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {key} = events.id)"
        " ORDER BY id",
    )


def rebuild(connection: Connection) -> int:
    """Index every event from nothing (the migration; a restored database)."""
    connection.execute(text(f"DELETE FROM {TABLE}"))
    return index_missing(connection)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic: the search index is made by migration 0009, not from the models' metadata."""
    return not (type_ == "table" and name is not None and name.startswith(TABLE))
