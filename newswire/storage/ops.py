"""What operations ask of the database: is it there, is its schema the code's, and the ledger's
and the translation queue's counts for the metrics (``services/ops.py``)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from .db import MIGRATIONS, alembic_config
from .deliveries import PENDING
from .tables import deliveries, releases, translations


class Due(NamedTuple):
    depth: int  # pending deliveries whose time has come
    oldest: dt.datetime | None  # the earliest next_attempt_at among them


def ping(conn: Connection) -> None:
    conn.execute(text("SELECT 1")).scalar_one()


def schema_revision(conn: Connection) -> str | None:
    """The database's Alembic revision (None: never migrated)."""
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except Exception:  # no alembic_version table: an empty database
        conn.rollback()
        return None


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(f"sqlite:///{MIGRATIONS}/unused.db"))


def head_revision() -> str:
    """The newest revision this code's migrations know."""
    return _script().get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def delivery_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """(channel, status) → rows in the ledger. A scan of the table: the metrics cache it."""
    rows = conn.execute(select(deliveries.c.channel, deliveries.c.status, func.count())
                        .group_by(deliveries.c.channel, deliveries.c.status))
    return {(channel, status): n for channel, status, n in rows}


def due(conn: Connection, now: dt.datetime) -> Due:
    """The queue: pending rows due by ``now`` (the due index answers it)."""
    where = (deliveries.c.status == PENDING) & (deliveries.c.next_attempt_at <= now)
    depth, oldest = conn.execute(select(func.count(), func.min(deliveries.c.next_attempt_at)).where(where)).one()
    return Due(depth, oldest)


def translation_counts(conn: Connection) -> dict[str, int]:
    """Status → translation jobs (queued, translating, review, ready, failed, cancelled)."""
    rows = conn.execute(select(translations.c.status, func.count()).group_by(translations.c.status))
    return {status: n for status, n in rows}


def has_releases(conn: Connection) -> bool:
    return conn.execute(select(releases.c.id).limit(1)).first() is not None
