"""Held ledger rows: a scheduled release's deliveries, routed before its second.

They live in ``held_deliveries``, a table nothing reads but routing: no claim, listing, report or
count sees them, so before the second there is nothing to send, show or count. At the second the
go-live transaction moves them into ``deliveries`` with one ``INSERT … SELECT`` that keeps only rows
whose endpoint (and subscriber) can still be reached, then deletes them. ``prerouted`` says what the
rows were routed for (the release's version and second) and when, by the database's clock, the
recipients were read; ``subscribers.changed_at`` and ``endpoints.changed_at`` (set by triggers,
migration 0016) say which recipients changed since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from . import rawsql as raw
from .tables import held_deliveries, prerouted

_NOW = {"sqlite": "SELECT (julianday('now') - 2440587.5) * 86400.0",
        "postgresql": "SELECT extract(epoch FROM clock_timestamp())::float8"}
_HOLD = ("INSERT INTO held_deliveries (release_id, version, event, language, subscriber_id, endpoint_id, channel, due) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_HOLD_COPY = "COPY held_deliveries (release_id, version, event, language, subscriber_id, endpoint_id, channel, due) FROM STDIN"
_MOVE = ("INSERT INTO deliveries (release_id, version, event, language, subscriber_id, endpoint_id, channel, "
         "next_attempt_at, created_at, status, attempts) "
         "SELECT h.release_id, h.version, h.event, h.language, h.subscriber_id, h.endpoint_id, h.channel, "
         "COALESCE(h.due, ?), ?, 'pending', 0 FROM held_deliveries h "
         "JOIN endpoints e ON e.id = h.endpoint_id AND e.status = 'active' "
         "AND (e.expires_at IS NULL OR e.expires_at > ?) "
         "LEFT JOIN subscribers s ON s.id = h.subscriber_id "
         "WHERE h.release_id = ? AND h.id <= ? AND (h.subscriber_id IS NULL OR s.active = ?) ORDER BY h.id")
_LAST = "SELECT id FROM held_deliveries WHERE release_id = ? ORDER BY id LIMIT 1 OFFSET ?"


class Stamp(NamedTuple):
    version: int
    embargo_until: dt.datetime
    checked_at: float


def clock(conn: Connection) -> float:
    """The database's clock, epoch seconds: what the triggers write into ``changed_at``."""
    return float(raw.cursor(conn).execute(_NOW[conn.dialect.name]).fetchone()[0])


def lock_recipients(conn: Connection) -> None:
    """Until this transaction ends, no other may change a subscriber or an endpoint (PostgreSQL; on
    SQLite the transaction already holds the one write lock): the recipients read next are all
    there is, and every later change has a later ``changed_at``."""
    if raw.postgres(conn):
        raw.cursor(conn).execute("LOCK TABLE subscribers, endpoints IN SHARE MODE")


def hold(conn: Connection, rows: list[tuple]) -> int:
    """Insert held rows: (release_id, version, event, language, subscriber_id, endpoint_id, channel, due)."""
    if not rows:
        return 0
    pg = raw.postgres(conn)
    ts = raw.stamper(pg)
    cur = raw.cursor(conn)
    if pg:
        with cur.copy(_HOLD_COPY) as copy:
            copy.write(raw.copy_text(rows, ts))
    else:
        cur.executemany(_HOLD, [(*r[:7], ts(r[7])) for r in rows])
    return len(rows)


def drop(conn: Connection, release_id: int, *, subscriber_ids: Collection[int] = (),
         endpoint_ids: Collection[int] = ()) -> None:
    """Forget held rows: all of the release's, or those of the given subscribers and endpoints."""
    stmt = delete(held_deliveries).where(held_deliveries.c.release_id == release_id)
    if subscriber_ids or endpoint_ids:
        stmt = stmt.where(held_deliveries.c.subscriber_id.in_(sorted(subscriber_ids))
                          | held_deliveries.c.endpoint_id.in_(sorted(endpoint_ids)))
    conn.execute(stmt)


def forget(conn: Connection, release_id: int) -> None:
    """The release is no longer pre-routed: its rows and its stamp go."""
    drop(conn, release_id)
    conn.execute(delete(prerouted).where(prerouted.c.release_id == release_id))


def stamp(conn: Connection, release_id: int, version: int, embargo_until: dt.datetime, checked_at: float) -> None:
    conn.execute(delete(prerouted).where(prerouted.c.release_id == release_id))
    conn.execute(prerouted.insert().values(release_id=release_id, version=version, embargo_until=embargo_until,
                                           checked_at=checked_at))


def stamp_of(conn: Connection, release_id: int) -> Stamp | None:
    row = conn.execute(select(prerouted.c.version, prerouted.c.embargo_until, prerouted.c.checked_at)
                       .where(prerouted.c.release_id == release_id)).first()
    return Stamp(*row) if row else None


def changed_since(conn: Connection, since: float) -> tuple[set[int], set[int]]:
    """(subscriber ids, endpoint ids) inserted or updated at or after ``since`` (the database's clock)."""
    cur = raw.cursor(conn)
    out = []
    for table in ("subscribers", "endpoints"):
        cur.execute(raw.sql(raw.postgres(conn), f"SELECT id FROM {table} WHERE changed_at >= ?"), (since,))
        out.append({r[0] for r in cur.fetchall()})
    return out[0], out[1]


def go_live(conn: Connection, release_id: int, at: dt.datetime) -> None:
    """The release is live from ``at``: what it still holds is moved in (``move``), due then."""
    conn.execute(prerouted.update().where(prerouted.c.release_id == release_id).values(live_at=at))


def live(conn: Connection) -> list[tuple[int, dt.datetime]]:
    """(release id, live since) of the live releases that still hold rows to move."""
    return [tuple(r) for r in conn.execute(select(prerouted.c.release_id, prerouted.c.live_at)
                                           .where(prerouted.c.live_at.is_not(None)).order_by(prerouted.c.live_at))]


def move(conn: Connection, release_id: int, at: dt.datetime, limit: int) -> tuple[int, bool]:
    """Move the release's first ``limit`` held rows (in the order they were routed) into the ledger,
    due at ``at`` (a digest at its time), those whose endpoint and subscriber can still be reached,
    then delete them. Returns (rows queued, whether more are held)."""
    pg = raw.postgres(conn)
    when = raw.stamper(pg)(at)
    cur = raw.cursor(conn)
    cur.execute(raw.sql(pg, _LAST), (release_id, limit - 1))
    row = cur.fetchone()
    last = row[0] if row else 2**62
    cur.execute(raw.sql(pg, _MOVE), (when, when, when, release_id, last, True))
    queued = max(cur.rowcount, 0)
    cur.execute(raw.sql(pg, "DELETE FROM held_deliveries WHERE release_id = ? AND id <= ?"), (release_id, last))
    if row is None:  # all moved: the release is no longer pre-routed
        conn.execute(delete(prerouted).where(prerouted.c.release_id == release_id))
    return queued, row is not None
