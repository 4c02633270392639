"""Translation jobs and results: one row per release and target language.

A row is the job (queued → translating under a lease → review | ready | failed) and, once done,
the translated fields and segments. Corrections re-queue the row for the new version and keep the
editor's segments (``human``), which the pipeline uses as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from ..domain.models import Translated
from .tables import releases
from .tables import translations as t

QUEUED, TRANSLATING, REVIEW, READY, FAILED, CANCELLED = (
    "queued", "translating", "review", "ready", "failed", "cancelled")


@dataclass(frozen=True)
class Row:
    id: int
    release_id: int
    language: str
    source_version: int
    status: str
    done: int
    total: int
    attempts: int
    engines: tuple[str, ...]
    fields: dict
    segments: list = field(hash=False)
    human: dict = field(hash=False)
    error: str
    routed_version: int | None
    updated_at: dt.datetime

    def is_current_for(self, version: int) -> bool:
        """The one rule for "the ready translation of the current version": ready, and made from
        ``version`` of the original (a correction makes every older one stale until re-translated)."""
        return self.status == READY and self.source_version == version

    def state_for(self, version: int) -> str:
        """The status to show beside ``version`` of the original: a ready translation of an older
        version is "outdated" (it is being re-translated)."""
        return "outdated" if self.status == READY and self.source_version != version else self.status

    @property
    def flagged(self) -> int:
        return sum(1 for s in self.segments if s.get("status") == "flagged")

    def translated(self, original_language: str) -> Translated:
        """How this translation labels its language version."""
        human = any(s.get("status") == "human" for s in self.segments)
        return Translated(original_language, self.source_version, self.engines, human)


def _row(r) -> Row:
    return Row(r.id, r.release_id, r.language, r.source_version, r.status, r.done, r.total, r.attempts,
               tuple(r.engines or ()), dict(r.fields or {}), list(r.segments or []), dict(r.human or {}),
               r.error or "", r.routed_version, r.updated_at)


def queue(conn: Connection, release_id: int, languages: list[str], version: int, now: dt.datetime, *,
          again: bool = False) -> None:
    """Ask for these languages of ``version``; rows of other languages are cancelled. A row already
    queued or done for this version is left alone (with ``again``, one done is queued anew: the
    release's media changed); editors' segments survive a re-queue."""
    existing = {r.language: r for r in conn.execute(select(t).where(t.c.release_id == release_id))}
    for lang in languages:
        row = existing.get(lang)
        if row is None:
            conn.execute(t.insert().values(release_id=release_id, language=lang, source_version=version,
                                           status=QUEUED, done=0, total=0, attempts=0, engines=[], fields={},
                                           segments=[], human={}, error="", created_at=now, updated_at=now))
        elif row.source_version != version or row.status in (CANCELLED, FAILED) or (again and row.status != QUEUED):
            conn.execute(update(t).where(t.c.id == row.id).values(
                source_version=version, status=QUEUED, done=0, total=0, attempts=0, error="",
                leased_by=None, lease_until=None, updated_at=now))
    gone = [r.id for lang, r in existing.items() if lang not in languages and r.status != CANCELLED]
    if gone:
        conn.execute(update(t).where(t.c.id.in_(gone)).values(status=CANCELLED, leased_by=None,
                                                               lease_until=None, updated_at=now))


def cancel_all(conn: Connection, release_id: int, now: dt.datetime) -> None:
    """Stop pending work (a withdrawal); finished translations stay for the record and kill notices."""
    conn.execute(update(t).where(t.c.release_id == release_id, t.c.status.in_([QUEUED, TRANSLATING]))
                 .values(status=CANCELLED, leased_by=None, lease_until=None, updated_at=now))


def claim(conn: Connection, *, worker: str, now: dt.datetime, lease_seconds: int) -> Row | None:
    """Lease one job: queued, or translating under a lease that ran out (its worker died)."""
    due = or_(t.c.status == QUEUED, and_(t.c.status == TRANSLATING, t.c.lease_until < now))
    stmt = select(t.c.id).where(due).order_by(t.c.updated_at, t.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    picked = conn.execute(stmt).scalar_one_or_none()
    if picked is None:
        return None
    done = conn.execute(update(t).where(t.c.id == picked, due).values(
        status=TRANSLATING, leased_by=worker, lease_until=now + dt.timedelta(seconds=lease_seconds),
        attempts=t.c.attempts + 1, updated_at=now))
    if done.rowcount != 1:  # another SQLite worker took it between the two statements
        return None
    return get_by_id(conn, picked)


def _mine(row_id: int, worker: str):
    return and_(t.c.id == row_id, t.c.status == TRANSLATING, t.c.leased_by == worker)


def progress(conn: Connection, row_id: int, worker: str, done: int | None, total: int | None, now: dt.datetime,
             lease_seconds: int) -> bool:
    """Extend the lease and record progress (None: only the lease, a heartbeat); False when the
    job is no longer this worker's."""
    values = {"lease_until": now + dt.timedelta(seconds=lease_seconds)}
    if done is not None:
        values.update(done=done, total=total)
    return conn.execute(update(t).where(_mine(row_id, worker)).values(**values)).rowcount == 1


def finish(conn: Connection, row_id: int, worker: str, *, status: str, now: dt.datetime, fields: dict | None = None,
           segments: list | None = None, engines: list[str] | None = None, error: str = "") -> bool:
    values = dict(status=status, error=error, leased_by=None, lease_until=None, updated_at=now)
    if fields is not None:
        values.update(fields=fields, segments=segments or [], engines=engines or [])
        values.update(done=len(segments or []), total=len(segments or []))
    return conn.execute(update(t).where(_mine(row_id, worker)).values(**values)).rowcount == 1


def set_human(conn: Connection, row_id: int, edits: dict, now: dt.datetime) -> None:
    """Merge an editor's segments into the row's and re-queue it, so the worker reassembles the
    version around them. The first statement is the write, so the row is locked (PostgreSQL) or
    the database write-locked (SQLite) before the stored segments are read: two editors saving at
    once each see the other's segments, and neither edit is lost."""
    conn.execute(update(t).where(t.c.id == row_id).values(status=QUEUED, leased_by=None, lease_until=None,
                                                          error="", updated_at=now))
    human = {**(conn.execute(select(t.c.human).where(t.c.id == row_id)).scalar() or {}), **edits}
    conn.execute(update(t).where(t.c.id == row_id).values(human=human))


def mark_routed(conn: Connection, row_id: int, version: int) -> None:
    conn.execute(update(t).where(t.c.id == row_id).values(routed_version=version))


def get_by_id(conn: Connection, row_id: int) -> Row | None:
    r = conn.execute(select(t).where(t.c.id == row_id)).first()
    return _row(r) if r else None


def get(conn: Connection, release_id: int, language: str) -> Row | None:
    r = conn.execute(select(t).where(t.c.release_id == release_id, t.c.language == language)).first()
    return _row(r) if r else None


def for_release(conn: Connection, release_id: int) -> list[Row]:
    rows = conn.execute(select(t).where(t.c.release_id == release_id, t.c.status != CANCELLED)
                        .order_by(t.c.language))
    return [_row(r) for r in rows]


def ready(conn: Connection, release_ids: list[int], language: str | None = None) -> list[Row]:
    """Ready translations of these releases' current versions (the caller checks the version)."""
    if not release_ids:
        return []
    stmt = select(t).where(t.c.release_id.in_(release_ids), t.c.status == READY)
    if language:
        stmt = stmt.where(t.c.language == language)
    return [_row(r) for r in conn.execute(stmt)]


def current_for(version):
    """``Row.is_current_for`` in SQL: ready, and made from ``version`` (a value or a column)."""
    return and_(t.c.status == READY, t.c.source_version == version)


def ready_languages(conn: Connection, release_id: int, version: int) -> tuple[str, ...]:
    return tuple(conn.execute(select(t.c.language).where(t.c.release_id == release_id, current_for(version))
                              .order_by(t.c.language)).scalars())


def ready_release_ids(language: str):
    """A subquery: releases with a ready translation of their current version into ``language``
    (for listings and feeds in that language)."""
    return select(t.c.release_id).where(t.c.language == language, current_for(releases.c.current_version),
                                        t.c.release_id == releases.c.id)


def next_due(conn: Connection) -> dt.datetime | None:
    """When a lease next runs out (queued rows are due now)."""
    if conn.execute(select(t.c.id).where(t.c.status == QUEUED).limit(1)).first():
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return conn.execute(select(t.c.lease_until).where(t.c.status == TRANSLATING)
                        .order_by(t.c.lease_until).limit(1)).scalar_one_or_none()
