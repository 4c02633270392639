"""The rate limits' counters in the database: a storage for the ``limits`` library.

``limits`` (the well-kept limiter behind Flask-Limiter and SlowAPI) does the arithmetic of each
strategy; this keeps its fixed-window counters in one table (``rate_limits``), so a limit holds
across every ``serve`` process on the same database, SQLite or PostgreSQL, without another server.
A hit is one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``): two processes hitting
the same key at once both count. Expired windows are deleted now and then by whoever hits.
Operators who run Redis can point ``NEWSWIRE_RATE_LIMIT_STORAGE`` at it instead (the library's own
storage), and tests may use ``memory://``.
"""

from __future__ import annotations

import itertools
import time

from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .tables import rate_limits

SWEEP_EVERY = 500  # hits between two deletions of expired windows (per process)


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["newswire-database"]

    def __init__(self, engine: Engine, clock=time.time):
        super().__init__()
        self.engine, self.clock = engine, clock
        self._hits = itertools.count(1)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        t = rate_limits.c
        stmt = self._insert(rate_limits).values(key=key, hits=amount, expires_at=now + expiry)
        lapsed = rate_limits.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=[t.key], set_={
            "hits": case((lapsed, amount), else_=t.hits + amount),
            "expires_at": case((lapsed, now + expiry), else_=t.expires_at),
        }).returning(t.hits)
        with self.engine.begin() as conn:
            hits = conn.execute(stmt).scalar_one()
            if next(self._hits) % SWEEP_EVERY == 0:
                conn.execute(delete(rate_limits).where(t.expires_at <= now))
        return hits

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(select(rate_limits.c.hits, rate_limits.c.expires_at)
                                .where(rate_limits.c.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row is not None and row.expires_at > self.clock() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > self.clock() else self.clock()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(func.count()).select_from(rate_limits))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(rate_limits)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == key))
