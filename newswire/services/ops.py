"""Operations' questions to the wire: is this process ready to serve (the database reachable, its
schema the code's, the background parts it runs alive), and the queue's numbers for the metrics."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage import ops as store
from .unit import Clock, Database


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Part:
    """One background part of this process, as its ``Runtime`` sees it."""

    name: str
    running: bool  # its task has not ended
    idle_seconds: float  # since its loop last went round
    stale_after: float  # longer than this and it counts as stuck


@dataclass(frozen=True)
class Due:
    depth: int
    age: float  # seconds the oldest due delivery has waited


class OpsService:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def ready(self, parts: list[Part], listening: bool | None = None) -> list[Check]:
        """Each check; the process is ready when all are ok. ``listening``: whether the process's
        LISTEN connection (PostgreSQL) is up; None where there is none."""
        checks = [self._database()]
        if checks[0].ok:
            checks.append(self._migrations())
        if listening is not None:
            checks.append(Check("listener", listening, "hears other processes' events (LISTEN)" if listening else
                                "not listening to PostgreSQL (LISTEN), reconnecting: other processes' events "
                                "(new releases for the live stream, page cache changes) are not heard"))
        for p in parts:
            ok = p.running and p.idle_seconds <= p.stale_after
            why = ("stopped" if not p.running else
                   f"last went round {p.idle_seconds:.0f} s ago" + ("" if ok else f" (over {p.stale_after:.0f} s)"))
            checks.append(Check(f"worker:{p.name}", ok, why))
        return checks

    def _database(self) -> Check:
        try:
            with self.db.read() as conn:
                store.ping(conn)
        except Exception as exc:  # any failure to reach it is the answer
            return Check("database", False, f"not reachable: {type(exc).__name__}")
        return Check("database", True, self.db.engine.dialect.name)

    def _migrations(self) -> Check:
        try:
            with self.db.read() as conn:
                have = store.schema_revision(conn)
        except Exception as exc:
            return Check("migrations", False, f"could not be read: {type(exc).__name__}")
        head = store.head_revision()
        if have == head:
            return Check("migrations", True, f"at {head}")
        return Check("migrations", False, f"database at {have or 'none'}, code at {head}: run `newswire db upgrade`")

    def due(self) -> Due:
        now = self.clock()
        with self.db.read() as conn:
            d = store.due(conn, now)
        return Due(d.depth, max(0.0, (now - d.oldest).total_seconds()) if d.oldest else 0.0)

    def delivery_counts(self) -> dict[tuple[str, str], int]:
        with self.db.read() as conn:
            return store.delivery_counts(conn)

    def translation_counts(self) -> dict[str, int]:
        with self.db.read() as conn:
            return store.translation_counts(conn)
