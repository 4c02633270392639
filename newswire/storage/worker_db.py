"""The delivery worker's own database connection, used on its event loop.

Claiming and recording are short statements that run many times a second during a fan-out. Run
from a thread (``asyncio.to_thread``), they cost more in passing the GIL back and forth with the
event loop than the statements themselves: 500 against 370 µs of CPU a delivery, measured. So the
worker runs them on its event loop, and the loop must never wait on a lock:

- SQLite: a connection of its own with a busy timeout of 0. Each transaction starts with
  ``BEGIN IMMEDIATE``; while another writer holds the lock, the worker awaits a short sleep and
  tries again (sends go on meanwhile). Once it has the write lock nothing else can block it.
- PostgreSQL: psycopg's ``AsyncConnection``, one transaction at a time on it.

After any error the connection is dropped (its transaction rolled back) and the next call opens a
new one. The statements themselves are the ledger's (``deliveries.claim_sql``, ``record_sql`` …).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Collection

import psycopg
from sqlalchemy.engine import Engine

from . import deliveries as ledger
from . import subscribers as subs
from .db import psycopg_url

_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _Cursor:
    """A sqlite3 cursor with psycopg's async cursor interface (nothing here ever waits)."""

    __slots__ = ("_c",)

    def __init__(self, cursor: sqlite3.Cursor):
        self._c = cursor

    async def execute(self, text: str, params=()) -> None:
        self._c.execute(text, params)

    async def executemany(self, text: str, params) -> None:
        self._c.executemany(text, params)

    async def fetchall(self) -> list:
        return self._c.fetchall()

    @property
    def rowcount(self) -> int:
        return self._c.rowcount


async def _run(cur, statements: ledger.Statements) -> int:
    n = 0
    for text, params, many in statements:
        await (cur.executemany if many else cur.execute)(text, params)
        n += max(cur.rowcount, 0)
    return n


class WorkerDB:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self._conn = None
        self._lock = asyncio.Lock()

    async def claim(self, *, now: dt.datetime, worker: str, limit: int, lease_seconds: int,
                    channels: tuple[str, ...], skip_endpoints: Collection[int] = ()
                    ) -> tuple[list[ledger.Claimed], dict[int, subs.EndpointRow]]:
        """Lease up to ``limit`` due rows (in id order) and read their endpoints, in one transaction."""
        async def work(cur):
            if self.pg:  # Without statistics (a fan-out just written to a new table) the planner takes a
                # bitmap scan and sorts every due row for each claim; the due index gives them in order.
                await cur.execute("SET LOCAL enable_bitmapscan = off")
            await cur.execute(*ledger.claim_sql(self.pg, now=now, worker=worker, limit=limit,
                                                lease_seconds=lease_seconds, channels=channels,
                                                skip_endpoints=skip_endpoints))
            claimed = ledger.claimed(await cur.fetchall())
            if (stmt := subs.endpoint_rows_sql({c.endpoint_id for c in claimed})) is None:
                return claimed, {}
            await cur.execute(stmt)
            return claimed, subs.endpoint_rows_of(await cur.fetchall())

        return await self._transaction(work)

    async def write(self, worker: str, outcomes: list[ledger.Outcome], unsent: list[int] = (),
                    gone: dict[int, str] | None = None, now: dt.datetime | None = None) -> int:
        """Record outcomes (only to rows ``worker`` still leases), then disable the endpoints that
        answered 410 (so the 410'd row itself is dead, the rest cancelled), then give ``unsent`` back.
        Returns how many outcomes were recorded."""
        if not (outcomes or unsent or gone):
            return 0

        async def work(cur):
            written = await _run(cur, ledger.record_sql(self.pg, worker, outcomes)) if outcomes else 0
            for endpoint_id, reason in (gone or {}).items():
                await _run(cur, ledger.disable_sql(self.pg, endpoint_id, reason, now))
            await _run(cur, ledger.release_sql(self.pg, worker, list(unsent)))
            return written

        return await self._transaction(work)

    def next_due(self) -> dt.datetime | None:
        """When the next pending delivery is due (blocking: call it from a thread)."""
        with self.engine.connect() as conn:
            return ledger.next_due(conn)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close() if self.pg else conn.close()
            except Exception:
                pass

    # --- connections and transactions ------------------------------------------------

    async def _transaction(self, work):
        async with self._lock:  # one transaction at a time on the one connection
            try:
                if self.pg:
                    if self._conn is None or self._conn.closed:
                        self._conn = await psycopg.AsyncConnection.connect(psycopg_url(self.engine), autocommit=True)
                    async with self._conn.transaction():
                        return await work(self._conn.cursor())
                return await self._sqlite(work)
            except BaseException:
                await self.close()  # rolled back; a fresh connection next time
                raise

    async def _sqlite(self, work):
        if self._conn is None:
            proxy = self.engine.raw_connection()  # with the engine's pragmas (WAL, foreign keys …)
            conn = proxy.driver_connection
            proxy.detach()  # never handed back to the pool with the busy timeout below
            conn.execute("PRAGMA busy_timeout = 0")
            self._conn = conn
        delay = 0.001
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF not in _BUSY:
                    raise
                await asyncio.sleep(delay)  # another writer has the lock: let the loop send meanwhile
                delay = min(2 * delay, 0.05)
        try:
            out = await work(_Cursor(self._conn.cursor()))
        except BaseException:
            self._conn.rollback()
            raise
        self._conn.commit()
        return out
