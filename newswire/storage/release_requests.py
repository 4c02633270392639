"""An issuer's requests to the desk: a correction (the new text and its note) or a withdrawal (the
reason), open until an editor marks them done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from .tables import release_requests, releases

OPEN, DONE = "open", "done"
KINDS = ("correction", "withdrawal")


def add(conn: Connection, *, release_id: int, issuer_id: int, kind: str, text: str, note: str, by: str,
        now: dt.datetime) -> int:
    return conn.execute(insert(release_requests).values(
        release_id=release_id, issuer_id=issuer_id, kind=kind, text=text, note=note, status=OPEN,
        requested_by=by, requested_at=now, reply="")).inserted_primary_key[0]


def _view(r) -> dict:
    return {"id": r.id, "release_id": r.release_id, "issuer_id": r.issuer_id, "kind": r.kind, "text": r.text,
            "note": r.note, "status": r.status, "requested_by": r.requested_by, "requested_at": r.requested_at,
            "done_by": r.done_by, "done_at": r.done_at, "reply": r.reply}


def for_release(conn: Connection, release_id: int) -> list[dict]:
    rows = conn.execute(select(release_requests).where(release_requests.c.release_id == release_id)
                        .order_by(release_requests.c.id.desc()))
    return [_view(r) for r in rows]


def get(conn: Connection, request_id: int) -> dict | None:
    row = conn.execute(select(release_requests).where(release_requests.c.id == request_id)).first()
    return _view(row) if row else None


def listing(conn: Connection, status: str | None = OPEN, limit: int = 200) -> list[dict]:
    """Requests, oldest first, each with its release's headline."""
    stmt = select(release_requests, releases.c.slug).join(releases, releases.c.id == release_requests.c.release_id)
    if status:
        stmt = stmt.where(release_requests.c.status == status)
    return [_view(r) for r in conn.execute(stmt.order_by(release_requests.c.id).limit(limit))]


def close(conn: Connection, request_id: int, *, by: str, reply: str, now: dt.datetime) -> bool:
    done = conn.execute(update(release_requests).where(release_requests.c.id == request_id,
                                                       release_requests.c.status == OPEN)
                        .values(status=DONE, done_by=by, done_at=now, reply=reply))
    return done.rowcount == 1
