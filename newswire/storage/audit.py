"""The audit log: who did what, when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from ..domain import trace
from ..domain.models import Principal
from .tables import audit_log

_AUDITED = "newswire.audited"  # this transaction's (action, release id)s, for the log after commit


def record(conn: Connection, *, actor: Principal, action: str, now: dt.datetime,
           release_id: int | None = None, issuer_id: int | None = None, detail: dict | None = None) -> None:
    conn.execute(
        insert(audit_log).values(at=now, actor=actor.name, actor_key_id=actor.key_id, action=action,
                                 release_id=release_id, issuer_id=issuer_id, detail=detail or {},
                                 request_id=trace.current() or None)
    )
    conn.info.setdefault(_AUDITED, []).append((action, release_id))


def forget(conn: Connection) -> list[tuple[str, int | None]]:
    """The actions recorded on ``conn`` since the last call (``Database.transaction`` logs them on commit)."""
    return conn.info.pop(_AUDITED, [])


def request_ids(conn: Connection, release_ids: list[int], actions: tuple[str, ...]) -> dict[int, str]:
    """Release id → the request id of its latest audited action among ``actions`` (that had one)."""
    if not release_ids:
        return {}
    rows = conn.execute(
        select(audit_log.c.release_id, audit_log.c.request_id)
        .where(audit_log.c.release_id.in_(release_ids), audit_log.c.action.in_(actions),
               audit_log.c.request_id.is_not(None))
        .order_by(audit_log.c.id)
    )
    return {rid: req for rid, req in rows}


def for_release(conn: Connection, release_id: int) -> list[dict]:
    rows = conn.execute(
        select(audit_log).where(audit_log.c.release_id == release_id).order_by(audit_log.c.id)
    )
    return [
        {"at": r.at, "actor": r.actor, "action": r.action, "detail": r.detail}
        for r in rows
    ]


def latest(conn: Connection, action: str, release_ids: list[int]) -> dict[int, dt.datetime]:
    """Release id → when ``action`` last happened to it (e.g. its last submission), for the desk's queue."""
    if not release_ids:
        return {}
    rows = conn.execute(
        select(audit_log.c.release_id, func.max(audit_log.c.at))
        .where(audit_log.c.action == action, audit_log.c.release_id.in_(release_ids))
        .group_by(audit_log.c.release_id)
    )
    return {rid: at for rid, at in rows}
