"""The full-text index and the search query, on SQLite (FTS5) and PostgreSQL (tsvector, GIN).

``write_original`` and ``write_translation`` are called by the functions that store a release's
text (``releases.insert_release``, ``releases.add_version``, ``TranslationService.complete`` after ``translations.finish``), in their
transaction: the index always holds the text the release has. Whether a document may be found
is decided at query time, by joining the release: published or corrected, released by now, and
for a translation, ready for the current version. An embargoed, withdrawn or draft release, or a
stale translation, is never a hit, whatever the index holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, cast, column, delete, exists, false, func, insert, literal_column, or_, select, table, true
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.engine import Connection

from ..domain.models import LIVE
from ..domain.search import Phrase, terms
from ..domain.text import html_to_text
from . import translations as tr
from .tables import SQLITE_FTS, issuers, release_industries, release_regions, releases, search_documents

d = search_documents
_fts = table(SQLITE_FTS, column("rowid"), column("terms"))
MAX_POSITION = 16383  # PostgreSQL keeps positions up to here; later repeats share it


@dataclass(frozen=True)
class Hit:
    release_id: int
    language: str


def document_text(fields: dict, issuer_name: str, extra: tuple[str, ...] = ()) -> str:
    """What is searched of one language version: its headlines, lead, body and boilerplate as text,
    the issuer's name, and (the original's) keywords, tickers and dateline city."""
    parts = [fields.get("headline", ""), fields.get("subheadline", ""), fields.get("lead", ""),
             html_to_text(fields.get("body_html", "")), fields.get("boilerplate", ""), issuer_name, *extra]
    return "\n".join(p for p in parts if p)


def _issuer_name(conn: Connection, release_id: int) -> str:
    return conn.execute(select(issuers.c.name).join(releases, releases.c.issuer_id == issuers.c.id)
                        .where(releases.c.id == release_id)).scalar_one_or_none() or ""


def _tsvector(words: list[str]) -> str:
    """A tsvector literal of these terms with their positions (no parser between our terms and the index)."""
    positions: dict[str, list[int]] = {}
    for i, w in enumerate(words, 1):
        positions.setdefault(w, []).append(min(i, MAX_POSITION))
    return " ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(map(str, sorted(set(p))[:256]))
                    for w, p in positions.items())


def _replace(conn: Connection, release_id: int, where, language: str, translated: bool, text: str) -> None:
    words = terms(text)
    postgres = conn.dialect.name == "postgresql"
    old = list(conn.execute(select(d.c.id).where(d.c.release_id == release_id, where)).scalars())
    if old:
        if not postgres:
            conn.execute(delete(_fts).where(_fts.c.rowid.in_(old)))
        conn.execute(delete(d).where(d.c.id.in_(old)))
    values = {"release_id": release_id, "language": language, "translated": translated, "terms": " ".join(words)}
    if postgres:
        values["tsv"] = cast(bindparam("tsv_text", _tsvector(words)), TSVECTOR)
    new_id = conn.execute(insert(d).values(**values)).inserted_primary_key[0]
    if not postgres:  # (a row left under a reused id, its document deleted by hand, goes first)
        conn.execute(delete(_fts).where(_fts.c.rowid == new_id))
        conn.execute(insert(_fts).values(rowid=new_id, terms=values["terms"]))


def write_original(conn: Connection, release_id: int, fields: dict, extra: tuple[str, ...] = ()) -> None:
    """Index the release's current version (``fields`` as ``Content``'s attributes)."""
    text = document_text(fields, _issuer_name(conn, release_id), extra)
    _replace(conn, release_id, d.c.translated.is_(false()), fields["language"], False, text)


def write_translation(conn: Connection, release_id: int, language: str, fields: dict) -> None:
    """Index a translation's fields (found only while it is the ready translation of the current version)."""
    text = document_text(fields, _issuer_name(conn, release_id))
    _replace(conn, release_id, and_(d.c.translated.is_(true()), d.c.language == language), language, True, text)


def _fts_query(query: list[Phrase]) -> str:
    # each phrase in double quotes (its terms hold only letters, digits and marks); all must match
    return " ".join('"' + " ".join(p.terms) + '"' + ("*" if p.prefix else "") for p in query)


def _ts_query(query: list[Phrase]) -> str:
    def lexeme(t: str, last: bool, prefix: bool) -> str:
        return "'" + t.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if last and prefix else "")
    groups = [" <-> ".join(lexeme(t, i == len(p.terms) - 1, p.prefix) for i, t in enumerate(p.terms)) for p in query]
    return " & ".join(f"({g})" for g in groups)


def _visible(now: dt.datetime):
    current = exists(select(tr.t.c.id).where(tr.t.c.release_id == d.c.release_id, tr.t.c.language == d.c.language,
                                             tr.current_for(releases.c.current_version)))
    return and_(releases.c.status.in_([s.value for s in LIVE]), releases.c.published_at.is_not(None),
                releases.c.published_at <= now,
                or_(and_(d.c.translated.is_(false()), d.c.language == releases.c.language),
                    and_(d.c.translated.is_(true()), current)))


@dataclass(frozen=True)
class Filters:
    language: str | None = None
    industries: frozenset[str] = frozenset()
    region: str | None = None
    issuer_slug: str | None = None
    since: dt.datetime | None = None  # published at or after
    before: dt.datetime | None = None  # published before


def _matches(conn: Connection, query: list[Phrase], now: dt.datetime, f: Filters, prefer: str):
    """A subquery of the best-matching visible document of each release: release_id, language,
    score, published_at, and ``pick`` (1 for the document to show: the ``prefer`` language's if it
    matches, else the best scoring)."""
    if conn.dialect.name == "postgresql":
        tsq = cast(bindparam("tsq", _ts_query(query)), TSQUERY)
        score = func.ts_rank(d.c.tsv, tsq)
        base = select(d.c.release_id, d.c.language).select_from(d).where(d.c.tsv.op("@@")(tsq))
    else:
        score = -func.bm25(literal_column(SQLITE_FTS))
        base = (select(d.c.release_id, d.c.language).select_from(_fts.join(d, d.c.id == _fts.c.rowid))
                .where(literal_column(SQLITE_FTS).op("MATCH")(bindparam("fts", _fts_query(query)))))
    stmt = base.join(releases, releases.c.id == d.c.release_id).where(_visible(now))
    if f.language:
        stmt = stmt.where(d.c.language == f.language)
    if f.industries:
        stmt = stmt.where(d.c.release_id.in_(select(release_industries.c.release_id)
                                             .where(release_industries.c.qcode.in_(sorted(f.industries)))))
    if f.region:
        stmt = stmt.where(d.c.release_id.in_(select(release_regions.c.release_id)
                                             .where(release_regions.c.code == f.region)))
    if f.issuer_slug:
        stmt = stmt.where(releases.c.issuer_id.in_(select(issuers.c.id).where(issuers.c.slug == f.issuer_slug)))
    if f.since is not None:
        stmt = stmt.where(releases.c.published_at >= f.since)
    if f.before is not None:
        stmt = stmt.where(releases.c.published_at < f.before)
    # FTS5's bm25() cannot stand in a window function: the scores are a subquery first
    scored = stmt.add_columns(d.c.id, score.label("score"), releases.c.published_at).subquery()
    pick = func.row_number().over(partition_by=scored.c.release_id,
                                  order_by=[(scored.c.language == prefer).desc(), scored.c.score.desc(), scored.c.id])
    return select(scored, pick.label("pick")).subquery()


def search(conn: Connection, query: list[Phrase], now: dt.datetime, filters: Filters, *, prefer: str,
           limit: int, offset: int = 0) -> tuple[list[Hit], int]:
    """One page of hits, best first (relevance, then the newest), one per release, and how many
    releases match in all."""
    if not query:
        return [], 0
    m = _matches(conn, query, now, filters, prefer)
    best = select(m).where(m.c.pick == 1).subquery()
    total = conn.execute(select(func.count()).select_from(best)).scalar_one()
    rows = conn.execute(select(best.c.release_id, best.c.language)
                        .order_by(best.c.score.desc(), best.c.published_at.desc(), best.c.release_id.desc())
                        .limit(limit).offset(offset)).all()
    return [Hit(r.release_id, r.language) for r in rows], total


def documents(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(d)).scalar_one()
