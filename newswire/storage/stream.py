"""The live stream's event log: one row per release event, for Last-Event-ID replay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection

from .tables import stream_events


# Readers resume after the last id they saw (Last-Event-ID), so ids must become visible in
# order. A PostgreSQL sequence hands out ids before commit: transaction A could take 10, B 11,
# B commit first and a reader resume after 11, never to see 10. Writers of the stream therefore
# take one transaction-scoped advisory lock first, so they commit in id order (SQLite has one
# writer at a time anyway). The lock is held only from this insert to the commit.
STREAM_LOCK = 0x6E777374  # "nwst"


def append(conn: Connection, *, release_id: int, event: str, language: str, industries: list[str],
           regions: list[str], issuer: str, now: dt.datetime) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STREAM_LOCK})
    event_id = conn.execute(insert(stream_events).values(
        release_id=release_id, event=event, language=language, industries=industries, regions=regions,
        issuer=issuer, created_at=now)).inserted_primary_key[0]
    return event_id


def since(conn: Connection, last_id: int, limit: int = 500) -> list:
    return conn.execute(select(stream_events).where(stream_events.c.id > last_id)
                        .order_by(stream_events.c.id).limit(limit)).all()


def get(conn: Connection, event_id: int):
    return conn.execute(select(stream_events).where(stream_events.c.id == event_id)).first()


def latest_id(conn: Connection) -> int:
    return conn.execute(select(func.max(stream_events.c.id))).scalar() or 0
