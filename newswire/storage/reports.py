"""What the distribution reports read and the few rows they add: readers' events (opens, clicks,
page views), broadcast audiences (live-stream readers, feed fetches), pickup claims. Every count a
report shows is computed from these rows and the delivery ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .tables import (
    deliveries,
    pickups,
    reach_counts,
    releases,
    report_events,
    subscribers,
)

OPEN, CLICK, VIEW = "open", "click", "view"


def _insert(conn: Connection, table):
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def ledger(conn: Connection, release_id: int) -> list:
    """Every delivery of the release, oldest first, with its recipient's regions and industries."""
    return conn.execute(
        select(deliveries, subscribers.c.name.label("subscriber_name"), subscribers.c.regions,
               subscribers.c.industries)
        .select_from(deliveries.outerjoin(subscribers, subscribers.c.id == deliveries.c.subscriber_id))
        .where(deliveries.c.release_id == release_id).order_by(deliveries.c.id)).all()


def readers(conn: Connection, release_id: int, kind: str) -> set[int]:
    """The deliveries with an open (or a click) recorded."""
    return set(conn.execute(select(report_events.c.delivery_id).where(
        report_events.c.release_id == release_id, report_events.c.kind == kind).distinct()).scalars())


def views(conn: Connection, release_id: int) -> dict[str, int]:
    return dict(conn.execute(select(report_events.c.language, func.count()).where(
        report_events.c.release_id == release_id, report_events.c.kind == VIEW)
        .group_by(report_events.c.language)).all())


def reach(conn: Connection, release_id: int) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for channel, language, n in conn.execute(select(reach_counts.c.channel, reach_counts.c.language,
                                                    reach_counts.c.count)
                                             .where(reach_counts.c.release_id == release_id)):
        out.setdefault(channel, {})[language] = n
    return out


def record_event(conn: Connection, *, release_id: int, kind: str, language: str, at: dt.datetime,
                 delivery_id: int | None = None, link: int | None = None, once: str | None = None) -> bool:
    """One reader's event; with ``once``, a repeat is not recorded again. True if it was recorded."""
    stmt = _insert(conn, report_events).values(release_id=release_id, kind=kind, language=language, at=at,
                                               delivery_id=delivery_id, link=link, once=once)
    return conn.execute(stmt.on_conflict_do_nothing()).rowcount == 1


def add_reach(conn: Connection, rows: Iterable[tuple[int, str, str]], n: int, at: dt.datetime) -> None:
    """Add ``n`` to each (release, channel, language) audience."""
    for release_id, channel, language in rows:
        stmt = _insert(conn, reach_counts).values(release_id=release_id, channel=channel, language=language,
                                                  count=n, at=at)
        conn.execute(stmt.on_conflict_do_update(index_elements=["release_id", "channel", "language"],
                                                set_={"count": reach_counts.c.count + n}))


def pickups_of(conn: Connection, release_id: int) -> list:
    return conn.execute(select(pickups).where(pickups.c.release_id == release_id).order_by(pickups.c.id)).all()


def pickup(conn: Connection, release_id: int, url: str):
    return conn.execute(select(pickups).where(pickups.c.release_id == release_id, pickups.c.url == url)).first()


def add_pickup(conn: Connection, **values) -> int:
    return conn.execute(insert(pickups).values(**values)).inserted_primary_key[0]


def update_pickup(conn: Connection, pickup_id: int, **values) -> None:
    conn.execute(update(pickups).where(pickups.c.id == pickup_id).values(**values))


def totals(conn: Connection, issuer_id: int | None) -> list:
    """(release id, issuer id, published at, channel, status, count) of every released release's
    deliveries, for the dashboards' months."""
    stmt = (select(releases.c.id, releases.c.issuer_id, releases.c.published_at, deliveries.c.channel,
                   deliveries.c.status, func.count())
            .join(deliveries, deliveries.c.release_id == releases.c.id)
            .where(releases.c.published_at.is_not(None))
            .group_by(releases.c.id, releases.c.issuer_id, releases.c.published_at, deliveries.c.channel,
                      deliveries.c.status))
    if issuer_id is not None:
        stmt = stmt.where(releases.c.issuer_id == issuer_id)
    return conn.execute(stmt).all()


def event_totals(conn: Connection, issuer_id: int | None) -> list:
    """(release id, kind, count) of readers' events."""
    stmt = (select(report_events.c.release_id, report_events.c.kind, func.count())
            .join(releases, releases.c.id == report_events.c.release_id)
            .group_by(report_events.c.release_id, report_events.c.kind))
    if issuer_id is not None:
        stmt = stmt.where(releases.c.issuer_id == issuer_id)
    return conn.execute(stmt).all()
