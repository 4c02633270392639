"""Releases, their versions and the queries the newsroom, feeds and API run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from ..domain.ids import MAX_INTERNAL, new_public_id
from ..domain.models import LIVE, Content, Dateline, Disclosure, Issuer, Media, Release, Status, Version, content_fields
from ..domain.queries import ListQuery, decode_cursor, encode_cursor
from . import media as media_store
from . import search
from . import translations as tr
from .issuers import contacts_from_json
from .tables import issuers, release_industries, release_regions, release_versions, releases, translations


def _content_values(c: Content) -> dict:
    return {
        "language": c.language,
        "headline": c.headline,
        "subheadline": c.subheadline,
        "lead": c.lead,
        "body_html": c.body_html,
        "body_source": c.body_source,
        "body_format": c.body_format,
        "boilerplate": c.boilerplate,
        "dateline_city": c.dateline.city if c.dateline else None,
        "dateline_date": c.dateline.date if c.dateline else None,
        "contacts": [x.as_dict() for x in c.contacts],
        "industries": list(c.industries),
        "regions": list(c.regions),
        "tickers": list(c.tickers),
        "keywords": list(c.keywords),
        "attribution": c.attribution,
        "type": c.type,
        "disclosure": c.disclosure.as_dict() if c.disclosure else None,
    }


def _to_content(v) -> Content:
    return Content(
        headline=v.headline,
        body_html=v.body_html,
        language=v.language,
        body_source=v.body_source or "",
        body_format=v.body_format or "html",
        subheadline=v.subheadline or "",
        dateline=Dateline(v.dateline_city, v.dateline_date) if v.dateline_city else None,
        lead=v.lead or "",
        boilerplate=v.boilerplate or "",
        contacts=contacts_from_json(v.contacts),
        industries=tuple(v.industries or ()),
        regions=tuple(v.regions or ()),
        tickers=tuple(v.tickers or ()),
        keywords=tuple(v.keywords or ()),
        attribution=v.attribution or "",
        type=v.type or "press_release",
        disclosure=_disclosure(v.disclosure),
    )


def _disclosure(raw: dict | None) -> Disclosure | None:
    if not raw:
        return None
    return Disclosure(raw.get("notifier", ""), raw.get("exchange", ""), tuple(raw.get("isins") or ()))


def _to_version(v) -> Version:
    return Version(number=v.number, content=_to_content(v), created_at=v.created_at,
                   created_by=v.created_by, correction_note=v.correction_note or "")


def _write_facets(conn: Connection, release_id: int, c: Content) -> None:
    conn.execute(delete(release_industries).where(release_industries.c.release_id == release_id))
    conn.execute(delete(release_regions).where(release_regions.c.release_id == release_id))
    if c.industries:
        conn.execute(insert(release_industries), [{"release_id": release_id, "qcode": q} for q in dict.fromkeys(c.industries)])
    if c.regions:
        conn.execute(insert(release_regions), [{"release_id": release_id, "code": r} for r in dict.fromkeys(c.regions)])
    # the search index follows the text in the same transaction (storage/search.py: visibility is a join)
    search.write_original(conn, release_id, {**c.__dict__}, _extra(c))


def _extra(c: Content) -> tuple[str, ...]:
    return (*c.keywords, *c.tickers, c.dateline.city if c.dateline else "")


def insert_release(conn: Connection, *, issuer_id: int, slug: str, content: Content, by: str,
                   now: dt.datetime, embargo_until: dt.datetime | None = None,
                   target_languages: tuple[str, ...] = ()) -> int:
    release_id = conn.execute(
        insert(releases).values(public_id=new_public_id(), slug=slug, issuer_id=issuer_id, status=Status.DRAFT.value,
                                language=content.language, current_version=1, embargo_until=embargo_until,
                                target_languages=list(target_languages),
                                withdraw_reason="", created_at=now, updated_at=now)
    ).inserted_primary_key[0]
    conn.execute(insert(release_versions).values(release_id=release_id, number=1, created_at=now, created_by=by,
                                                 correction_note="", was_published=False, **_content_values(content)))
    _write_facets(conn, release_id, content)
    return release_id


def add_version(conn: Connection, release_id: int, content: Content, *, by: str, now: dt.datetime,
                correction_note: str = "", published: bool = False, slug: str | None = None) -> int:
    number = conn.execute(
        select(func.max(release_versions.c.number)).where(release_versions.c.release_id == release_id)
    ).scalar_one() + 1
    conn.execute(insert(release_versions).values(release_id=release_id, number=number, created_at=now, created_by=by,
                                                 correction_note=correction_note, was_published=published,
                                                 **_content_values(content)))
    values = {"current_version": number, "language": content.language, "updated_at": now}
    if slug:
        values["slug"] = slug
    conn.execute(update(releases).where(releases.c.id == release_id).values(**values))
    _write_facets(conn, release_id, content)
    return number


def lock(conn: Connection, release_id: int) -> None:
    """PostgreSQL: hold the release row until commit, so a translation finishing and the release
    going live in two transactions see each other's result (SQLite writers are serial anyway)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(releases.c.id).where(releases.c.id == release_id).with_for_update())


def mark_current_published(conn: Connection, release_id: int) -> None:
    cur = select(releases.c.current_version).where(releases.c.id == release_id).scalar_subquery()
    conn.execute(update(release_versions)
                 .where(release_versions.c.release_id == release_id, release_versions.c.number == cur)
                 .values(was_published=True))


def set_state(conn: Connection, release_id: int, *, expect: Status | None = None, **values) -> bool:
    """Update the release row; with ``expect``, only if it is still in that status
    (so two clocks racing on one scheduled release publish it once)."""
    stmt = update(releases).where(releases.c.id == release_id)
    if expect is not None:
        stmt = stmt.where(releases.c.status == expect.value)
    values = {k: (v.value if isinstance(v, Status) else v) for k, v in values.items()}
    return conn.execute(stmt.values(**values)).rowcount == 1


def _base_query():
    v = release_versions
    return (
        select(*[c.label("r_" + c.name) for c in releases.c], *v.c, issuers.c.slug.label("issuer_slug"), issuers.c.name.label("issuer_name"),
               issuers.c.boilerplate.label("issuer_boilerplate"), issuers.c.website.label("issuer_website"),
               issuers.c.contacts.label("issuer_contacts"), issuers.c.id.label("issuer_pk"))
        .join(v, and_(v.c.release_id == releases.c.id, v.c.number == releases.c.current_version))
        .join(issuers, issuers.c.id == releases.c.issuer_id)
    )


def _to_release(row, history: tuple[Version, ...] = (), ready: tuple[str, ...] = (),
                media: tuple[Media, ...] = (), logo: Media | None = None) -> Release:
    issuer = Issuer(id=row.issuer_pk, slug=row.issuer_slug, name=row.issuer_name,
                    boilerplate=row.issuer_boilerplate or "", website=row.issuer_website or "",
                    contacts=contacts_from_json(row.issuer_contacts), logo=logo)
    return Release(
        id=row.r_id,
        slug=row.r_slug,
        issuer=issuer,
        status=Status(row.r_status),
        current=_to_version(row),
        created_at=row.r_created_at,
        updated_at=row.r_updated_at,
        embargo_until=row.r_embargo_until,
        published_at=row.r_published_at,
        withdrawn_at=row.r_withdrawn_at,
        withdraw_reason=row.r_withdraw_reason or "",
        corrections=history,
        target_languages=tuple(row.r_target_languages or ()),
        translations=ready,
        media=media,
        public_id=row.r_public_id,
        numeric_url=bool(row.r_numeric_url),
    )


def language_version(release: Release, row: tr.Row) -> Release:
    """``release`` in the language of translation ``row`` (which must render its current version)."""
    content = replace(release.content, language=row.language, body_source="", body_format="html",
                      **content_fields(row.fields))
    return release.in_language(content, row.translated(release.language), row.fields)


MAX_ID = MAX_INTERNAL  # PostgreSQL INTEGER; a larger id names nothing, and must not become a 500


def _first_row(conn: Connection, ref: int | str):
    """The release's first row by internal id (int) or public id (str): one query either way."""
    if isinstance(ref, str):
        return conn.execute(_base_query().where(releases.c.public_id == ref)).first()
    if not 0 < ref <= MAX_ID:
        return None
    return conn.execute(_base_query().where(releases.c.id == ref)).first()


def resolve(conn: Connection, ref: int | str, shown: Callable[[Release], bool]) -> int | None:
    """The internal id of the release ``ref`` names if ``shown`` says the caller may see it, else
    None, after the one query a missing reference costs."""
    row = _first_row(conn, ref)
    return row.r_id if row is not None and shown(_to_release(row)) else None


def load(conn: Connection, ref: int | str, shown: Callable[[Release], bool] | None = None) -> Release | None:
    """The release with its history, translations and media, by internal id or public id; None if
    there is none, or if ``shown`` (asked of the release's first row: status, times, issuer) says
    the caller may not see it. A release hidden that way costs the one query a missing id costs, so
    the time of a 404 does not tell an embargoed or draft id from one that does not exist."""
    row = _first_row(conn, ref)
    if row is None or (shown is not None and not shown(_to_release(row))):
        return None
    release_id = row.r_id
    history = tuple(
        _to_version(v) for v in conn.execute(
            select(release_versions)
            .where(release_versions.c.release_id == release_id,
                   release_versions.c.was_published.is_(True),
                   release_versions.c.number != row.r_current_version)
            .order_by(release_versions.c.number)
        )
    )
    return _to_release(row, history, tr.ready_languages(conn, release_id, row.r_current_version),
                       media_store.for_release(conn, release_id), media_store.logo(conn, row.issuer_pk))


def load_language(conn: Connection, release_id: int | str, language: str | None, *,
                  unfinished: bool = False) -> Release | None:
    """The release in ``language``: the original, or its ready translation of the current version
    (with ``unfinished``, for the desk, also one still under review). None if there is none."""
    release = load(conn, release_id)
    if release is None or not language or language == release.language:
        return release
    row = tr.get(conn, release.id, language)
    if row is None or not row.fields:
        return None
    if row.is_current_for(release.current.number):
        return language_version(release, row)
    # the desk may read a version of the current text still under review or being re-run
    desk = unfinished and row.source_version == release.current.number
    return language_version(release, row) if desk and row.status in (tr.REVIEW, tr.QUEUED, tr.TRANSLATING) else None


def versions(conn: Connection, release_id: int) -> list[Version]:
    rows = conn.execute(select(release_versions).where(release_versions.c.release_id == release_id)
                        .order_by(release_versions.c.number))
    return [_to_version(v) for v in rows]


def list_releases(conn: Connection, q: ListQuery, *, limit: int = 50, cursor: str | None = None,
                  ) -> tuple[list[Release], str | None]:
    order_col = releases.c.published_at if q.public_at else releases.c.updated_at
    stmt = _base_query()
    if q.public_at is not None:
        live = [s.value for s in LIVE]
        if q.include_withdrawn_notices:
            live.append(Status.WITHDRAWN.value)
        stmt = stmt.where(releases.c.status.in_(live), releases.c.published_at.is_not(None),
                          releases.c.published_at <= q.public_at)
    if q.statuses:
        stmt = stmt.where(releases.c.status.in_([s.value for s in q.statuses]))
    if q.language:  # originals in that language, and releases with a ready translation into it
        stmt = stmt.where(or_(releases.c.language == q.language,
                              releases.c.id.in_(tr.ready_release_ids(q.language))))
    if q.issuer_slug:
        stmt = stmt.where(issuers.c.slug == q.issuer_slug)
    if q.issuer_id is not None:
        stmt = stmt.where(releases.c.issuer_id == q.issuer_id)
    if q.since is not None:
        stmt = stmt.where(order_col >= q.since)
    if q.industries:
        stmt = stmt.where(releases.c.id.in_(
            select(release_industries.c.release_id).where(release_industries.c.qcode.in_(sorted(q.industries)))))
    if q.region:
        stmt = stmt.where(releases.c.id.in_(
            select(release_regions.c.release_id).where(release_regions.c.code == q.region)))
    if cursor:
        when, public_id = decode_cursor(cursor)  # (ties broken by the row id, found by the public id)
        after = select(releases.c.id).where(releases.c.public_id == public_id).scalar_subquery()
        stmt = stmt.where(or_(order_col < when, and_(order_col == when, releases.c.id < after)))
    stmt = stmt.order_by(order_col.desc(), releases.c.id.desc()).limit(limit + 1)
    rows = conn.execute(stmt).all()
    files = media_store.for_releases(conn, [r.r_id for r in rows[:limit]])
    logos = media_store.logos(conn, [r.issuer_pk for r in rows[:limit]])
    items = [_to_release(r, media=files.get(r.r_id, ()), logo=logos.get(r.issuer_pk)) for r in rows[:limit]]
    if q.language:
        items = _in_language(conn, items, q.language)
    elif q.every_language:
        items = _with_translations(conn, items)
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.published_at if q.public_at else last.updated_at, last.public_id)
    return items, next_cursor


def _in_language(conn: Connection, items: list[Release], language: str) -> list[Release]:
    others = {r.id: r for r in items if r.language != language}
    found = {row.release_id: row for row in tr.ready(conn, list(others), language)}
    out = []
    for r in items:
        row = found.get(r.id)
        if r.id not in others:
            out.append(r)
        elif row is not None and row.is_current_for(r.current.number):
            out.append(language_version(r, row))
    return out


def _with_translations(conn: Connection, items: list[Release]) -> list[Release]:
    by_release: dict[int, list[tr.Row]] = {}
    for row in tr.ready(conn, [r.id for r in items]):
        by_release.setdefault(row.release_id, []).append(row)
    out = []
    for r in items:
        out.append(r)
        out += [language_version(r, row) for row in sorted(by_release.get(r.id, []), key=lambda x: x.language)
                if row.is_current_for(r.current.number)]
    return out


def latest_change(conn: Connection, q: ListQuery) -> dt.datetime | None:
    """When anything in a public listing last changed (for Last-Modified)."""
    stmt = select(func.max(releases.c.updated_at))
    if q.public_at is not None:
        stmt = stmt.where(releases.c.published_at.is_not(None), releases.c.published_at <= q.public_at)
    released = conn.execute(stmt).scalar_one_or_none()
    if not q.language:
        return released
    # a translation finished after its release went out changes that language's listing too
    stmt = select(func.max(translations.c.updated_at)).join(releases, releases.c.id == translations.c.release_id) \
        .where(translations.c.language == q.language, translations.c.status == tr.READY)
    if q.public_at is not None:  # an embargoed release's translation must not move a public Last-Modified
        stmt = stmt.where(releases.c.published_at.is_not(None), releases.c.published_at <= q.public_at)
    translated = conn.execute(stmt).scalar_one_or_none()
    return max((x for x in (released, translated) if x is not None), default=None)


def release_ids(conn: Connection, after: int = 0, limit: int = 500) -> list[int]:
    """Every release's id above ``after``, in order (for rebuilding the search index in batches)."""
    return list(conn.execute(select(releases.c.id).where(releases.c.id > after).order_by(releases.c.id)
                             .limit(limit)).scalars())


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(releases)).scalar_one()


def reindex(conn: Connection, release_id: int) -> None:
    """Write the release's search documents anew: its current version and each translation's text."""
    release = load(conn, release_id)
    if release is None:
        return
    c = release.content
    search.write_original(conn, release_id, {**c.__dict__}, _extra(c))
    for row in tr.for_release(conn, release_id):
        if row.fields:
            search.write_translation(conn, release_id, row.language, row.fields)


def lock_status(conn: Connection, release_id: int) -> Status | None:
    """The release's status, its row locked until the transaction ends (PostgreSQL; SQLite's one
    writer is already alone)."""
    stmt = select(releases.c.status).where(releases.c.id == release_id)
    value = conn.execute(stmt.with_for_update() if conn.dialect.name == "postgresql" else stmt).scalar()
    return Status(value) if value is not None else None


def due_scheduled(conn: Connection, now: dt.datetime, limit: int = 100) -> list[int]:
    return list(conn.execute(
        select(releases.c.id).where(releases.c.status == Status.SCHEDULED.value, releases.c.embargo_until <= now)
        .order_by(releases.c.embargo_until).limit(limit)
    ).scalars())


def next_embargo(conn: Connection) -> dt.datetime | None:
    return conn.execute(
        select(func.min(releases.c.embargo_until)).where(releases.c.status == Status.SCHEDULED.value)
    ).scalar_one_or_none()

