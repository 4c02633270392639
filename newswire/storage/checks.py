"""The pre-checks' rows: each release's last results, and its MinHash signature with LSH bands."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.engine import Connection

from .tables import release_checks, release_signature_bands, release_signatures


def save_results(conn: Connection, release_id: int, version: int, results: list[dict], now: dt.datetime) -> None:
    conn.execute(delete(release_checks).where(release_checks.c.release_id == release_id))
    conn.execute(insert(release_checks).values(release_id=release_id, version=version, results=results,
                                               checked_at=now))


def results(conn: Connection, release_id: int) -> dict | None:
    row = conn.execute(select(release_checks).where(release_checks.c.release_id == release_id)).first()
    if row is None:
        return None
    return {"version": row.version, "results": row.results, "checked_at": row.checked_at}


def save_signature(conn: Connection, release_id: int, version: int, signature: list[int],
                   buckets: list[str]) -> None:
    conn.execute(delete(release_signature_bands).where(release_signature_bands.c.release_id == release_id))
    conn.execute(delete(release_signatures).where(release_signatures.c.release_id == release_id))
    conn.execute(insert(release_signatures).values(release_id=release_id, version=version, signature=signature))
    conn.execute(insert(release_signature_bands),
                 [{"release_id": release_id, "band": i, "bucket": b} for i, b in enumerate(buckets)])


def candidates(conn: Connection, release_id: int, buckets: list[str], limit: int = 50) -> dict[int, list[int]]:
    """Other releases sharing at least one band bucket, with their signatures (an indexed lookup)."""
    ids = select(release_signature_bands.c.release_id).where(
        tuple_(release_signature_bands.c.band, release_signature_bands.c.bucket).in_(list(enumerate(buckets))),
        release_signature_bands.c.release_id != release_id).distinct().limit(limit)
    rows = conn.execute(select(release_signatures.c.release_id, release_signatures.c.signature)
                        .where(release_signatures.c.release_id.in_(ids)))
    return {r.release_id: list(r.signature) for r in rows}
