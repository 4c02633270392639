"""Events across processes on PostgreSQL: ``NOTIFY`` inside the transaction, one ``LISTEN``
connection per process, one reconnect policy.

PostgreSQL delivers a notification only when the sending transaction commits, and to every
listening session, this process's own included. SQLite has no such channel, so there each process
hears only its own events: several processes on one SQLite file (``serve --no-worker`` beside a
``newswire worker``) still deliver everything, as the workers also look at the ledger every second,
but the live stream of ``serve`` hears only what ``serve`` itself publishes (run PostgreSQL for that).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Connection

CHANNEL = "newswire_events"
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
# Retries after a break: 0.5, 1, 2, 4, then every 5 s. A refused connect costs the server nothing,
# and while this connection is away the process's page cache renders every request and its live
# stream hears only its own events, so a longer wait would only lengthen that after an outage
# (with 30 s: a server back after 20 s heard again after 31.5 s; now after 22.5 s).
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0

log = logging.getLogger("newswire.notify")


def send(conn: Connection, payload: str) -> None:
    """Queue ``payload`` for every listener; it is sent if and when ``conn``'s transaction commits."""
    if len(payload.encode()) > MAX_PAYLOAD:
        raise ValueError(f"event payload of {len(payload)} characters is too large for NOTIFY")
    conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})


async def listen(url: str, on_payload: Callable[[str], None], on_connect: Callable[[], Awaitable[None] | None],
                 ready: asyncio.Event | None = None, on_lost: Callable[[], None] | None = None) -> None:
    """Run until cancelled: LISTEN on ``url`` (a libpq URL), hand each payload to ``on_payload``.
    After every (re)connection ``on_connect`` runs, so callers can catch up on what they missed
    while no connection listened; ``on_lost`` runs when a connection breaks. Reconnects with
    exponential backoff."""
    delay = BACKOFF_FIRST
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                result = on_connect()
                if result is not None:
                    await result
                if ready is not None:
                    ready.set()
                delay = BACKOFF_FIRST
                async for note in conn.notifies():
                    try:
                        on_payload(note.payload)
                    except Exception:  # one bad payload must not cost the connection
                        log.exception("could not handle a %s notification", CHANNEL)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database restarted or the network broke: callers catch up on reconnect
            if on_lost is not None:
                on_lost()
            log.warning("LISTEN %s failed (%s); retrying in %.1fs", CHANNEL, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)
