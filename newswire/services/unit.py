"""The one write path every service shares: a transaction whose events go out after commit.

``Database.transaction()`` opens one transaction; inside it a service calls ``emit(conn, event)``.
Once the transaction has committed, each event is published on the process's bus (waking the
delivery worker, the live hub, the translation worker); if it rolled back, nothing is heard. On
PostgreSQL each event is also sent with ``NOTIFY`` in the same transaction, so processes on
other machines hear it on commit too (``storage/notify.py``). Each audited action
(``storage/audit.py``) is logged once its transaction has committed, with the release id and the
request id it ran under (``newswire.audit``; docs/operations.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from ..domain.errors import StorageFull
from ..domain.events import Event, EventBus, to_json
from ..storage import audit, db, notify

Clock = Callable[[], dt.datetime]
_PENDING = "newswire.events"
log = logging.getLogger("newswire.audit")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Database:
    def __init__(self, engine: Engine, bus: EventBus):
        self.engine, self.bus = engine, bus
        self.postgres = db.is_postgres(engine)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; a full disk is a ``StorageFull`` (a clear error; the database rolled back)."""
        try:
            with self.engine.begin() as conn:
                # conn.info belongs to the pooled DBAPI connection: the list is made here and popped below,
                # so only this transaction's events are in it, and emit() outside one is refused.
                conn.info[_PENDING] = []
                audit.forget(conn)
                try:
                    yield conn
                finally:
                    pending: list[Event] = conn.info.pop(_PENDING, [])
                    audited = audit.forget(conn)
        except OperationalError as exc:
            if db.storage_full(exc):
                raise StorageFull("The database's disk is full, so nothing was saved; the data already "
                                  "stored is intact. Free some space (or raise the database's size limit) "
                                  "and try again.") from exc
            raise
        for action, release_id in audited:  # committed: in the logs
            log.info("%s", action, extra={"action": action, "release_id": release_id})
        for event in pending:  # committed: tell this process
            self.bus.publish(event, local=True)

    def read(self) -> contextlib.AbstractContextManager[Connection]:
        """A connection for reading (no events)."""
        return self.engine.connect()

    def emit(self, conn: Connection, event: Event) -> None:
        """Fire ``event`` when ``conn``'s transaction commits (never if it rolls back)."""
        pending = conn.info.get(_PENDING)
        if pending is None:
            raise RuntimeError("events are fired from inside Database.transaction()")
        pending.append(event)
        if self.postgres:
            notify.send(conn, to_json(event, self.bus.origin))
