"""Subscribers and their endpoints (webhook, e-mail, WebSub callbacks)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator
from typing import NamedTuple

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from ..domain.events import EndpointStatus
from ..domain.subscriptions import Channel, Endpoint, Kind, Preferences, Subscriber
from . import rawsql as raw
from .tables import (
    account_tokens,
    api_keys,
    deliveries,
    endpoint_tests,
    endpoints,
    subscribers,
    users,
)

DELETED_NAME = "(deleted)"  # a deleted subscriber's name where the ledger still shows its rows


def to_subscriber(row) -> Subscriber:
    return Subscriber(
        id=row.id, kind=Kind(row.kind), name=row.name, email=row.email,
        preferences=Preferences(tuple(row.languages or ()), tuple(row.regions or ()),
                                tuple(row.industries or ()), tuple(row.issuers or ())),
        timezone=row.timezone, active=row.active, created_at=row.created_at,
    )


def to_endpoint(row) -> Endpoint:
    return Endpoint(
        id=row.id, subscriber_id=row.subscriber_id, channel=Channel(row.channel), format=row.format,
        address=row.address, max_in_flight=row.max_in_flight, digest_hour=row.digest_hour, status=row.status,
        disabled_reason=row.disabled_reason or "", created_at=row.created_at,
    )


def _prefs(p: Preferences) -> dict:
    return {"languages": list(p.languages), "regions": list(p.regions), "industries": list(p.industries),
            "issuers": list(p.issuers)}


def create_subscriber(conn: Connection, *, kind: Kind, name: str, email: str | None, preferences: Preferences,
                      timezone: str, now: dt.datetime) -> int:
    return conn.execute(insert(subscribers).values(
        kind=kind.value, name=name, email=email, timezone=timezone, active=True, created_at=now, updated_at=now,
        **_prefs(preferences))).inserted_primary_key[0]


def create_subscribers(conn: Connection, rows: list[dict]) -> None:
    """Bulk insert (benchmarks, imports): rows of column values."""
    conn.execute(insert(subscribers), rows)


def update_subscriber(conn: Connection, subscriber_id: int, now: dt.datetime, **values) -> None:
    if "preferences" in values:
        values.update(_prefs(values.pop("preferences")))
    if "kind" in values:
        values["kind"] = values["kind"].value
    conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(updated_at=now, **values))


def _has_deliveries(conn: Connection, column, value: int) -> bool:
    return conn.execute(select(deliveries.c.id).where(column == value).limit(1)).first() is not None


def delete_subscriber(conn: Connection, subscriber_id: int, now: dt.datetime) -> None:
    """Forget a subscriber's personal data. Without deliveries the row goes; with some, it stays
    scrubbed (name, address, keys, people's links gone; preferences, which say nothing about a
    person, kept) so the ledger and every report built on it stay as they were."""
    for (eid,) in conn.execute(select(endpoints.c.id).where(endpoints.c.subscriber_id == subscriber_id)).all():
        delete_endpoint(conn, eid, now)
    conn.execute(delete(api_keys).where(api_keys.c.subscriber_id == subscriber_id))
    conn.execute(delete(account_tokens).where(account_tokens.c.subscriber_id == subscriber_id))
    conn.execute(update(users).where(users.c.subscriber_id == subscriber_id).values(subscriber_id=None))
    if _has_deliveries(conn, deliveries.c.subscriber_id, subscriber_id):
        conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(
            name=DELETED_NAME, email=None, active=False, deleted_at=now, updated_at=now))
    else:
        conn.execute(delete(subscribers).where(subscribers.c.id == subscriber_id))


_LIVE_SUBSCRIBER = subscribers.c.deleted_at.is_(None)
_LIVE_ENDPOINT = endpoints.c.deleted_at.is_(None)


def get_subscriber(conn: Connection, subscriber_id: int) -> Subscriber | None:
    row = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id, _LIVE_SUBSCRIBER)).first()
    return to_subscriber(row) if row else None


def list_subscribers(conn: Connection, *, after_id: int = 0, limit: int = 100) -> list[Subscriber]:
    rows = conn.execute(select(subscribers).where(subscribers.c.id > after_id, _LIVE_SUBSCRIBER)
                        .order_by(subscribers.c.id).limit(limit))
    return [to_subscriber(r) for r in rows]


def create_endpoint(conn: Connection, *, subscriber_id: int | None, channel: Channel, address: str,
                    now: dt.datetime, format: str = "ninjs", secret_enc: str | None = None,
                    max_in_flight: int = 4, digest_hour: int | None = None, status: str = EndpointStatus.ACTIVE,
                    unsubscribe_token: str | None = None, topic: str | None = None,
                    expires_at: dt.datetime | None = None) -> int:
    return conn.execute(insert(endpoints).values(
        subscriber_id=subscriber_id, channel=channel.value, format=format, address=address, secret_enc=secret_enc,
        max_in_flight=max_in_flight, digest_hour=digest_hour, status=status, disabled_reason="",
        unsubscribe_token=unsubscribe_token, topic=topic, expires_at=expires_at, created_at=now,
    )).inserted_primary_key[0]


def get_endpoint_row(conn: Connection, endpoint_id: int):
    """The full row, secrets included: for channels and the API layer that decrypts them."""
    return conn.execute(select(endpoints).where(endpoints.c.id == endpoint_id, _LIVE_ENDPOINT)).first()


class EndpointRow(NamedTuple):
    """What the delivery worker needs of an endpoint (a tuple, so it can key the worker's cache:
    a rotated secret or a disabled endpoint is a different row)."""

    id: int
    subscriber_id: int | None
    channel: str
    format: str
    address: str
    topic: str | None
    secret_enc: str | None
    previous_secret_enc: str | None
    previous_secret_expires_at: dt.datetime | None
    max_in_flight: int
    digest_hour: int | None
    status: str
    unsubscribe_token: str | None


def endpoint_rows_sql(ids: Iterable[int]) -> str | None:
    """The worker's endpoints by id, in one plain query: ``WorkerDB.claim`` runs it for every batch."""
    listed = raw.ints(ids)
    return f"SELECT {', '.join(EndpointRow._fields)} FROM endpoints WHERE id IN ({listed})" if listed else None


def endpoint_rows_of(rows: list[tuple]) -> dict[int, EndpointRow]:
    out = {}
    for r in rows:
        if r[8] is not None:  # previous_secret_expires_at: SQLite hands back text
            r = (*r[:8], raw.read_stamp(r[8]), *r[9:])
        out[r[0]] = EndpointRow._make(r)
    return out


def endpoints_of(conn: Connection, subscriber_id: int) -> list[Endpoint]:
    rows = conn.execute(select(endpoints).where(endpoints.c.subscriber_id == subscriber_id, _LIVE_ENDPOINT)
                        .order_by(endpoints.c.id))
    return [to_endpoint(r) for r in rows]


def update_endpoint(conn: Connection, endpoint_id: int, **values) -> bool:
    return conn.execute(update(endpoints).where(endpoints.c.id == endpoint_id).values(**values)).rowcount == 1


def delete_endpoint(conn: Connection, endpoint_id: int, now: dt.datetime) -> None:
    """Without deliveries the row goes; with some, its address and secrets are scrubbed and the row
    stays, disabled, so the ledger keeps every row it had (its pending ones cancelled)."""
    conn.execute(delete(endpoint_tests).where(endpoint_tests.c.endpoint_id == endpoint_id))
    if not _has_deliveries(conn, deliveries.c.endpoint_id, endpoint_id):
        conn.execute(delete(endpoints).where(endpoints.c.id == endpoint_id))
        return
    conn.execute(update(endpoints).where(endpoints.c.id == endpoint_id).values(
        address="", topic=None, secret_enc=None, previous_secret_enc=None, previous_secret_expires_at=None,
        unsubscribe_token=None, status=EndpointStatus.DISABLED, disabled_reason="deleted", deleted_at=now))
    conn.execute(update(deliveries).where(deliveries.c.endpoint_id == endpoint_id, deliveries.c.status == "pending")
                 .values(status="cancelled", last_error="endpoint deleted", last_attempt_at=now, leased_until=None,
                         leased_by=None))


def endpoint_by_unsubscribe_token(conn: Connection, token: str):
    return conn.execute(select(endpoints).where(endpoints.c.unsubscribe_token == token)).first()


def websub_endpoint(conn: Connection, topic: str, callback: str):
    return conn.execute(select(endpoints).where(endpoints.c.channel == Channel.WEBSUB.value,
                                                endpoints.c.topic == topic,
                                                endpoints.c.address == callback)).first()


def active_websub(conn: Connection, now: dt.datetime, ids: Collection[int] | None = None) -> list:
    """WebSub subscriptions within their lease at ``now`` (with ``ids``, only those endpoints)."""
    stmt = select(endpoints).where(
        endpoints.c.channel == Channel.WEBSUB.value, endpoints.c.status == EndpointStatus.ACTIVE,
        or_(endpoints.c.expires_at.is_(None), endpoints.c.expires_at > now))
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(endpoints.c.id.in_(sorted(ids)))
    return conn.execute(stmt).all()


class Recipient(NamedTuple):
    sid: int
    timezone: str
    eid: int
    channel: str
    digest_hour: int | None


_RECIPIENTS = ("SELECT s.id, s.timezone, e.id, e.channel, e.digest_hour, {prefs} FROM subscribers s "
               "JOIN endpoints e ON e.subscriber_id = s.id AND e.status = 'active' WHERE s.active = ?")
_PREFS = {"sqlite": "s.languages, s.regions, s.industries, s.issuers",  # JSON text in SQLite
          "postgresql": "s.languages::text, s.regions::text, s.industries::text, s.issuers::text"}


def iter_recipients(conn: Connection, batch: int = 2000, only: tuple[Collection[int], Collection[int]] | None = None
                    ) -> Iterator[list[tuple[Preferences, Recipient]]]:
    """Active subscribers with their active endpoints, ``batch`` at a time from one streaming query
    (a server-side cursor on PostgreSQL), so memory stays flat however many subscribers there are.

    Not keyset pages: on tables the planner has no statistics for yet (a list imported just before a
    publish), each ``ORDER BY id LIMIT`` page was a sequential scan, 4 s for 100,000 recipients.
    Plain SQL: routing reads every subscriber in the publish transaction. Preferences are parsed once
    per distinct set (most subscribers share theirs with many others), one ``Preferences`` object each.
    ``only`` = (subscriber ids, endpoint ids): just the recipients with one of these (pre-routing's
    re-check of what changed)."""
    pg = raw.postgres(conn)
    query = _RECIPIENTS.format(prefs=_PREFS["postgresql" if pg else "sqlite"])
    if only is not None:
        if not (only[0] or only[1]):
            return
        query += f" AND (s.id IN ({raw.ints(only[0]) or 'NULL'}) OR e.id IN ({raw.ints(only[1]) or 'NULL'}))"
    cur = conn.connection.cursor(name="newswire_recipients") if pg else raw.cursor(conn)
    try:
        cur.execute(raw.sql(pg, query), (True,))
        known: dict[tuple, Preferences] = {}
        while rows := cur.fetchmany(batch):
            out = []
            for r in rows:
                key = r[5:]
                if (prefs := known.get(key)) is None:
                    if len(known) >= 4096:  # bounded however varied the subscribers are
                        known.clear()
                    prefs = known[key] = Preferences(*(tuple(json.loads(v) or ()) if v else () for v in key))
                out.append((prefs, Recipient(r[0], r[1], r[2], r[3], r[4])))
            yield out
    finally:
        cur.close()


def names(conn: Connection, ids: set[int]) -> dict[int, str]:
    """Subscriber names by id, for listings that show who a row belongs to."""
    if not ids:
        return {}
    return dict(conn.execute(select(subscribers.c.id, subscribers.c.name).where(subscribers.c.id.in_(ids))).all())


# --- self-service (web/subscriber): keys bound to a subscriber, test events -------------------

def subscriber_keys(conn: Connection, subscriber_id: int) -> list:
    """The subscriber's content-API keys (not its people's personal keys), newest first."""
    return list(conn.execute(select(api_keys.c.id, api_keys.c.name, api_keys.c.prefix, api_keys.c.created_at,
                                    api_keys.c.revoked_at)
                             .where(api_keys.c.subscriber_id == subscriber_id, api_keys.c.user_id.is_(None))
                             .order_by(api_keys.c.id.desc())))


def record_test(conn: Connection, *, endpoint_id: int, webhook_id: str, sent_at: dt.datetime, ok: bool,
                status_code: int | None, error: str) -> None:
    conn.execute(insert(endpoint_tests).values(endpoint_id=endpoint_id, webhook_id=webhook_id, sent_at=sent_at, ok=ok,
                                               status_code=status_code, error=error))


def tests_of(conn: Connection, subscriber_id: int, limit: int = 20) -> list:
    """The latest test events sent to the subscriber's endpoints, newest first."""
    return list(conn.execute(
        select(endpoint_tests).join(endpoints, endpoints.c.id == endpoint_tests.c.endpoint_id)
        .where(endpoints.c.subscriber_id == subscriber_id)
        .order_by(endpoint_tests.c.id.desc()).limit(limit)))
