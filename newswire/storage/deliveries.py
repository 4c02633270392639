"""The delivery ledger: one row per release event × recipient endpoint. It is also the queue.

Workers claim due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has
one writer at a time, so a plain conditional UPDATE is already exclusive), send, and record
results in batches. A worker that dies leaves its rows leased; when the lease ends they
are due again. The worker runs the statements made here (``claim_sql``, ``record_sql``,
``release_sql``, ``disable_sql``) on a connection of its own: storage/worker_db.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import String, cast, exists, func, or_, select, update
from sqlalchemy.engine import Connection

from ..domain.events import EndpointStatus
from . import rawsql as raw
from .tables import deliveries, endpoints, releases, report_events, subscribers

PENDING, DELIVERED, DEAD, CANCELLED = "pending", "delivered", "dead", "cancelled"


class Claimed(NamedTuple):
    """A leased row, as the worker needs it (a tuple: a fan-out makes one per recipient)."""

    id: int
    release_id: int
    version: int
    event: str
    language: str
    subscriber_id: int | None
    endpoint_id: int
    channel: str
    attempts: int


_NEW = "release_id, version, event, language, subscriber_id, endpoint_id, channel, next_attempt_at, created_at, status, attempts"
_ENQUEUE = f"INSERT INTO deliveries ({_NEW}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_COPY = f"COPY deliveries ({_NEW}) FROM STDIN"


def enqueue(conn: Connection, rows: list[tuple]) -> int:
    """Insert ledger rows, each (release_id, version, event, language, subscriber_id, endpoint_id,
    channel, next_attempt_at, created_at); status and bookkeeping are filled here. PostgreSQL: one
    COPY of the rows as text; SQLite: one prepared statement run by the driver for every row (a
    fan-out inserts one row per recipient)."""
    if not rows:
        return 0
    pg = raw.postgres(conn)
    ts = raw.stamper(pg)
    cur = raw.cursor(conn)
    if pg:  # COPY: one stream instead of a statement per row (duplicates still refused)
        with cur.copy(_COPY) as copy:
            copy.write(raw.copy_text([(*r, PENDING, 0) for r in rows], ts))
    else:
        cur.executemany(_ENQUEUE, [(*r[:7], ts(r[7]), ts(r[8]), PENDING, 0) for r in rows])  # sqlite3's placeholders
    return len(rows)


def earlier_endpoints(conn: Connection, release_id: int, now: dt.datetime) -> list[tuple[int, int | None, str, str]]:
    """(endpoint, subscriber, channel, language) of everyone who was sent this release (in that
    language) before and can still be reached: not disabled (410, unsubscribed) and, for WebSub,
    within its lease."""
    rows = conn.execute(
        select(deliveries.c.endpoint_id, deliveries.c.subscriber_id, deliveries.c.channel, deliveries.c.language)
        .join(endpoints, endpoints.c.id == deliveries.c.endpoint_id)
        .where(deliveries.c.release_id == release_id, deliveries.c.status != CANCELLED,
               endpoints.c.status == EndpointStatus.ACTIVE, or_(endpoints.c.expires_at.is_(None), endpoints.c.expires_at > now))
        .distinct())
    return [tuple(r) for r in rows]


Statements = list[tuple[str, object, bool]]  # (sql, parameters, executemany?) for a cursor to run


def claim_sql(pg: bool, *, now: dt.datetime, worker: str, limit: int, lease_seconds: int,
              channels: tuple[str, ...] | None = None, skip_endpoints: Collection[int] = ()) -> tuple[str, list]:
    """One statement that leases the due rows and returns what the worker needs of them."""
    ts = raw.stamper(pg)
    due = ["status = 'pending'", "next_attempt_at <= ?", "(leased_until IS NULL OR leased_until < ?)"]
    params: list = [ts(now + dt.timedelta(seconds=lease_seconds)), worker, ts(now), ts(now)]
    if channels:
        due.append(f"channel IN ({', '.join('?' * len(channels))})")
        params += channels
    if skip_endpoints:
        due.append(f"endpoint_id NOT IN ({raw.ints(skip_endpoints)})")
    cols = ", ".join(Claimed._fields)
    if not pg:  # one writer at a time already; the due index holds rows in (next_attempt_at, id) order
        return (f"UPDATE deliveries SET leased_until = ?, leased_by = ? WHERE id IN (SELECT id FROM deliveries "
                f"WHERE {' AND '.join(due)} ORDER BY next_attempt_at, id LIMIT {int(limit)}) RETURNING {cols}"), params
    # PostgreSQL: rows other workers hold are skipped. Ordered by the due index alone (ties in the
    # order rows were written), so the first rows come off the index instead of sorting every due
    # row: a 100,000-row fan-out's claims took 50 ms each with ``, id``, 10 ms without.
    params = params[2:] + params[:2]
    return raw.sql(pg, f"WITH due AS (SELECT id FROM deliveries WHERE {' AND '.join(due)} ORDER BY next_attempt_at "
                       f"LIMIT {int(limit)} FOR UPDATE SKIP LOCKED) UPDATE deliveries d SET leased_until = ?, "
                       f"leased_by = ? FROM due WHERE d.id = due.id RETURNING "
                       f"{', '.join('d.' + c for c in Claimed._fields)}"), params


def claimed(rows: list[tuple]) -> list[Claimed]:
    rows.sort()  # by id
    return list(map(Claimed._make, rows))


class Outcome(NamedTuple):
    """What one attempt came to. ``next_attempt_at`` None with status pending is impossible."""

    delivery_id: int
    status: str  # delivered | pending (retry) | dead | cancelled
    at: dt.datetime
    status_code: int | None = None
    error: str | None = None
    next_attempt_at: dt.datetime | None = None


_RECORD = ("UPDATE deliveries SET status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?, "
           "last_attempt_at = ?, delivered_at = ?, next_attempt_at = ?, leased_until = NULL, leased_by = NULL ")
_MINE = " AND leased_by = ? AND status = 'pending'"


def record_sql(pg: bool, worker: str, outcomes: list[Outcome]) -> Statements:
    """Outcomes that differ only in their row (a fan-out's many 2xx) become one UPDATE … WHERE id IN;
    the rest one executemany. Only rows still leased by ``worker`` change."""
    groups: dict[tuple, list[int]] = {}
    for o in outcomes:
        key = (o.status, o.status_code, (o.error or None) and o.error[:2000], o.at, o.next_attempt_at or o.at)
        if (ids := groups.get(key)) is None:
            ids = groups[key] = []
        ids.append(o.delivery_id)
    ts, out, singles = raw.stamper(pg), [], []
    for (status, code, error, at, nxt), ids in groups.items():
        values = (status, code, error, ts(at), ts(at) if status == DELIVERED else None, ts(nxt))
        if len(ids) == 1:
            singles.append((*values, ids[0], worker))
        else:
            out.append((raw.sql(pg, _RECORD) + f"WHERE id IN ({raw.ints(ids)})" + raw.sql(pg, _MINE),
                        (*values, worker), False))
    if singles:
        out.append((raw.sql(pg, _RECORD + "WHERE id = ?" + _MINE), singles, True))
    return out


def release_sql(pg: bool, worker: str, ids: list[int]) -> Statements:
    """Give unsent claims back (graceful shutdown, overflow) without counting an attempt."""
    if not ids:
        return []
    return [(f"UPDATE deliveries SET leased_until = NULL, leased_by = NULL WHERE id IN ({raw.ints(ids)}) "
             + raw.sql(pg, "AND leased_by = ?"), (worker,), False)]


def disable_sql(pg: bool, endpoint_id: int, reason: str, now: dt.datetime) -> Statements:
    """``disable_endpoint`` for the worker's own connection, on the audit record like every endpoint change."""
    detail = json.dumps({"endpoint_id": endpoint_id, "reason": reason})
    return [(raw.sql(pg, "UPDATE endpoints SET status = 'disabled', disabled_reason = ? WHERE id = ?"),
             (reason, endpoint_id), False),
            (raw.sql(pg, "INSERT INTO audit_log (at, actor, actor_key_id, action, detail) "
                         f"VALUES (?, 'system', NULL, 'endpoint.gone', ?{'::jsonb' if pg else ''})"),
             (raw.stamper(pg)(now), detail), False),
            (raw.sql(pg, "UPDATE deliveries SET status = 'cancelled', last_error = ?, last_attempt_at = ?, "
                         "leased_until = NULL, leased_by = NULL WHERE endpoint_id = ? AND status = 'pending'"),
             (f"endpoint disabled: {reason}", raw.stamper(pg)(now), endpoint_id), False)]


def cancel_for_endpoint(conn: Connection, endpoint_id: int, reason: str, now: dt.datetime) -> None:
    conn.execute(update(deliveries).where(deliveries.c.endpoint_id == endpoint_id,
                                          deliveries.c.status == PENDING)
                 .values(status=CANCELLED, last_error=reason, last_attempt_at=now, leased_until=None,
                         leased_by=None))


def replay(conn: Connection, now: dt.datetime, *, ids: list[int] | None = None, all_dead: bool = False) -> int:
    """Make dead deliveries due again with a fresh retry schedule."""
    stmt = update(deliveries).where(deliveries.c.status == DEAD)
    if ids is not None:
        stmt = stmt.where(deliveries.c.id.in_(ids))
    elif not all_dead:
        return 0
    return conn.execute(stmt.values(status=PENDING, attempts=0, next_attempt_at=now, leased_until=None,
                                    leased_by=None)).rowcount


def get(conn: Connection, delivery_id: int):
    return conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()


def _preference(column, value: str):
    """A recipient's region or industry preference holds ``value`` ("any": the preference is empty)."""
    text = cast(column, String)
    return text == "[]" if value == "any" else text.like(f'%"{value}"%')


def _filters(stmt, *, language: str | None = None, region: str | None = None, industry: str | None = None,
             attempted: bool | None = None, opened: bool | None = None, clicked: bool | None = None):
    """The report's filters: every count it shows is the size of the list these (and channel and
    status) select."""
    if language:
        stmt = stmt.where(deliveries.c.language == language)
    if region or industry:
        sub = select(subscribers.c.id).where(subscribers.c.id == deliveries.c.subscriber_id)
        if region:
            sub = sub.where(_preference(subscribers.c.regions, region))
        if industry:
            sub = sub.where(_preference(subscribers.c.industries, industry))
        stmt = stmt.where(exists(sub))
    if attempted is not None:
        stmt = stmt.where(deliveries.c.attempts > 0 if attempted else deliveries.c.attempts == 0)
    for kind, wanted in (("open", opened), ("click", clicked)):
        if wanted is not None:
            seen = exists(select(report_events.c.id).where(report_events.c.delivery_id == deliveries.c.id,
                                                           report_events.c.kind == kind))
            stmt = stmt.where(seen if wanted else ~seen)
    return stmt


def listing(conn: Connection, *, release_id: int | None = None, subscriber_id: int | None = None,
            channel: str | None = None, status: str | None = None, after_id: int = 0, limit: int = 100,
            **filters) -> list:
    # (each row with its release's public id: the one a subscriber or an issuer is shown)
    stmt = _filters(select(deliveries, releases.c.public_id.label("release_public_id"))
                    .join(releases, releases.c.id == deliveries.c.release_id)
                    .where(deliveries.c.id > after_id), **filters)
    if release_id is not None:
        stmt = stmt.where(deliveries.c.release_id == release_id)
    if subscriber_id is not None:
        stmt = stmt.where(deliveries.c.subscriber_id == subscriber_id)
    if channel:
        stmt = stmt.where(deliveries.c.channel == channel)
    if status:
        stmt = stmt.where(deliveries.c.status == status)
    return conn.execute(stmt.order_by(deliveries.c.id).limit(limit)).all()


def counts(conn: Connection, release_id: int) -> dict[str, int]:
    rows = conn.execute(select(deliveries.c.status, func.count()).where(deliveries.c.release_id == release_id)
                        .group_by(deliveries.c.status))
    return {status: n for status, n in rows}


def next_due(conn: Connection) -> dt.datetime | None:
    return conn.execute(select(func.min(deliveries.c.next_attempt_at))
                        .where(deliveries.c.status == PENDING)).scalar_one_or_none()


def disable_endpoint(conn: Connection, endpoint_id: int, reason: str, now: dt.datetime) -> None:
    conn.execute(update(endpoints).where(endpoints.c.id == endpoint_id)
                 .values(status=EndpointStatus.DISABLED, disabled_reason=reason))
    cancel_for_endpoint(conn, endpoint_id, f"endpoint disabled: {reason}", now)




def first_delivered_at(conn: Connection, release_id: int) -> dt.datetime | None:
    """When the release first reached a recipient: the earliest delivery recorded delivered."""
    return conn.execute(select(func.min(deliveries.c.delivered_at)).where(
        deliveries.c.release_id == release_id, deliveries.c.delivered_at.is_not(None))).scalar_one_or_none()


def latest(conn: Connection, subscriber_id: int, limit: int = 10) -> list:
    """A subscriber's most recent deliveries, newest first (its own page shows what it got)."""
    return conn.execute(select(deliveries).where(deliveries.c.subscriber_id == subscriber_id)
                        .order_by(deliveries.c.id.desc()).limit(limit)).all()


def counts_by_channel(conn: Connection, release_ids: Collection[int],
                      issuer_id: int | None = None) -> dict[int, dict[str, dict[str, int]]]:
    """release id → channel → status → number of deliveries (the issuer's live counts); with
    ``issuer_id``, only for that issuer's releases among ``release_ids``."""
    if not release_ids:
        return {}
    stmt = (select(deliveries.c.release_id, deliveries.c.channel, deliveries.c.status, func.count())
            .where(deliveries.c.release_id.in_(sorted(release_ids))))
    if issuer_id is not None:
        stmt = stmt.where(deliveries.c.release_id.in_(select(releases.c.id).where(releases.c.issuer_id == issuer_id)))
    rows = conn.execute(stmt.group_by(deliveries.c.release_id, deliveries.c.channel, deliveries.c.status))
    out: dict[int, dict[str, dict[str, int]]] = {}
    for rid, channel, status, n in rows:
        out.setdefault(rid, {}).setdefault(channel, {})[status] = n
    return out
