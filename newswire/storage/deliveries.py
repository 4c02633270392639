"""The delivery ledger: one row per release event × recipient endpoint. It is also the queue.

Workers claim due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has
one writer at a time, so a plain conditional UPDATE is already exclusive), send, and record
results in batches. A worker that dies leaves its rows leased; when the lease ends they
are due again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from .tables import deliveries, endpoints

PENDING, DELIVERED, DEAD, CANCELLED = "pending", "delivered", "dead", "cancelled"


@dataclass(frozen=True)
class Claimed:
    id: int
    release_id: int
    version: int
    event: str
    language: str
    subscriber_id: int | None
    endpoint_id: int
    channel: str
    attempts: int
    created_at: dt.datetime


def enqueue(conn: Connection, rows: list[dict]) -> int:
    """Insert ledger rows (release_id, version, event, language, subscriber_id, endpoint_id, channel,
    next_attempt_at); status and bookkeeping are filled here."""
    if not rows:
        return 0
    # The bookkeeping columns start NULL: left out, they cost no bind processing (a fan-out inserts many rows).
    conn.execute(insert(deliveries), [{"status": PENDING, "attempts": 0, **r} for r in rows])
    return len(rows)


def earlier_endpoints(conn: Connection, release_id: int, now: dt.datetime) -> list[tuple[int, int | None, str, str]]:
    """(endpoint, subscriber, channel, language) of everyone who was sent this release (in that
    language) before and can still be reached: not disabled (410, unsubscribed) and, for WebSub,
    within its lease."""
    rows = conn.execute(
        select(deliveries.c.endpoint_id, deliveries.c.subscriber_id, deliveries.c.channel, deliveries.c.language)
        .join(endpoints, endpoints.c.id == deliveries.c.endpoint_id)
        .where(deliveries.c.release_id == release_id, deliveries.c.status != CANCELLED,
               endpoints.c.status == "active", or_(endpoints.c.expires_at.is_(None), endpoints.c.expires_at > now))
        .distinct())
    return [tuple(r) for r in rows]


def claim(conn: Connection, *, now: dt.datetime, worker: str, limit: int, lease_seconds: int,
          channels: tuple[str, ...] | None = None, skip_endpoints: Collection[int] = ()) -> list[Claimed]:
    """Lease up to ``limit`` due rows; ``skip_endpoints`` are ones the worker already has enough of."""
    due = (select(deliveries.c.id)
           .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now,
                  or_(deliveries.c.leased_until.is_(None), deliveries.c.leased_until < now))
           .order_by(deliveries.c.next_attempt_at, deliveries.c.id).limit(limit))
    if channels:
        due = due.where(deliveries.c.channel.in_(channels))
    if skip_endpoints:
        due = due.where(deliveries.c.endpoint_id.not_in(list(skip_endpoints)))
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (update(deliveries).where(deliveries.c.id.in_(due.scalar_subquery()))
            .values(leased_until=now + dt.timedelta(seconds=lease_seconds), leased_by=worker)
            .returning(deliveries.c.id, deliveries.c.release_id, deliveries.c.version, deliveries.c.event,
                       deliveries.c.language, deliveries.c.subscriber_id, deliveries.c.endpoint_id,
                       deliveries.c.channel, deliveries.c.attempts, deliveries.c.created_at))
    return sorted((Claimed(*r) for r in conn.execute(stmt)), key=lambda c: c.id)


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. ``next_attempt_at`` None with status pending is impossible."""

    delivery_id: int
    status: str  # delivered | pending (retry) | dead | cancelled
    at: dt.datetime
    status_code: int | None = None
    error: str | None = None
    next_attempt_at: dt.datetime | None = None


def record(conn: Connection, worker: str, outcomes: list[Outcome]) -> int:
    """Write a batch of outcomes; only rows still leased by this worker change.

    Outcomes that differ only in their row (a fan-out's many 2xx) become one UPDATE … WHERE id IN;
    the rest go in one executemany."""
    if not outcomes:
        return 0
    groups: dict[tuple, list[int]] = {}
    for o in outcomes:
        key = (o.status, o.status_code, (o.error or None) and o.error[:2000], o.at, o.next_attempt_at or o.at)
        groups.setdefault(key, []).append(o.delivery_id)
    mine = (deliveries.c.leased_by == worker, deliveries.c.status == PENDING)
    written, singles = 0, []
    for (status, code, error, at, nxt), ids in groups.items():
        values = {"_status": status, "_code": code, "_error": error, "_at": at,
                  "_delivered": at if status == DELIVERED else None, "_next": nxt}
        if len(ids) == 1:
            singles.append({"_id": ids[0], **values})
        else:
            written += conn.execute(_RECORD.where(deliveries.c.id.in_(ids), *mine), values).rowcount
    if singles:
        written += conn.execute(_RECORD.where(deliveries.c.id == bindparam("_id"), *mine), singles).rowcount
    return written


_RECORD = (update(deliveries)
           .values(status=bindparam("_status"), attempts=deliveries.c.attempts + 1,
                   last_status_code=bindparam("_code"), last_error=bindparam("_error"),
                   last_attempt_at=bindparam("_at"), delivered_at=bindparam("_delivered"),
                   next_attempt_at=bindparam("_next"), leased_until=None, leased_by=None))


def release_lease(conn: Connection, worker: str, ids: list[int]) -> None:
    """Give unsent claims back (graceful shutdown) without counting an attempt."""
    if ids:
        conn.execute(update(deliveries).where(deliveries.c.id.in_(ids), deliveries.c.leased_by == worker)
                     .values(leased_until=None, leased_by=None))


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


def listing(conn: Connection, *, release_id: int | None = None, subscriber_id: int | None = None,
            channel: str | None = None, status: str | None = None, after_id: int = 0, limit: int = 100) -> list:
    stmt = select(deliveries).where(deliveries.c.id > after_id)
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
                 .values(status="disabled", disabled_reason=reason))
    cancel_for_endpoint(conn, endpoint_id, f"endpoint disabled: {reason}", now)


