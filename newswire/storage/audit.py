"""The audit log: who did what, when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ..domain.models import Principal
from .tables import audit_log


def record(conn: Connection, *, actor: Principal, action: str, now: dt.datetime,
           release_id: int | None = None, issuer_id: int | None = None, detail: dict | None = None) -> None:
    conn.execute(
        insert(audit_log).values(at=now, actor=actor.name, actor_key_id=actor.key_id, action=action,
                                 release_id=release_id, issuer_id=issuer_id, detail=detail or {})
    )


def for_release(conn: Connection, release_id: int) -> list[dict]:
    rows = conn.execute(
        select(audit_log).where(audit_log.c.release_id == release_id).order_by(audit_log.c.id)
    )
    return [
        {"at": r.at, "actor": r.actor, "action": r.action, "detail": r.detail}
        for r in rows
    ]
