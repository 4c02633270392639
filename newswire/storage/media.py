"""The media rows: a release's pictures and documents (in order) and each issuer's logo."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.models import Media, Rendition
from .tables import media


def _to_media(row) -> Media:
    renditions = tuple(Rendition(name=r["name"], mime=r["mime"], ext=r["ext"], size=r["size"],
                                 width=r.get("width", 0), height=r.get("height", 0)) for r in row.renditions)
    return Media(id=row.id, token=row.token, kind=row.kind, mime=row.mime, filename=row.filename,
                 renditions=renditions, alt_text=row.alt_text, caption=row.caption, credit=row.credit,
                 position=row.position)


def rendition_values(renditions) -> list[dict]:
    return [{"name": r.name, "mime": r.mime, "ext": r.ext, "size": r.size, "width": r.width, "height": r.height}
            for r in renditions]


def insert_media(conn: Connection, *, token: str, issuer_id: int, release_id: int | None, kind: str, mime: str,
                 filename: str, renditions, texts: dict, by: str, now: dt.datetime) -> int:
    position = 0
    if release_id is not None:
        position = conn.execute(select(func.coalesce(func.max(media.c.position), -1) + 1)
                                .where(media.c.release_id == release_id)).scalar_one()
    return conn.execute(insert(media).values(
        token=token, issuer_id=issuer_id, release_id=release_id, kind=kind, mime=mime, filename=filename,
        alt_text=texts.get("alt_text", ""), caption=texts.get("caption", ""), credit=texts.get("credit", ""),
        position=position, renditions=rendition_values(renditions), created_by=by, created_at=now,
    )).inserted_primary_key[0]


def replace_file(conn: Connection, media_id: int, *, token: str, kind: str, mime: str, filename: str,
                 renditions, texts: dict) -> None:
    conn.execute(update(media).where(media.c.id == media_id).values(
        token=token, kind=kind, mime=mime, filename=filename, renditions=rendition_values(renditions),
        alt_text=texts.get("alt_text", ""), caption=texts.get("caption", ""), credit=texts.get("credit", "")))


def for_release(conn: Connection, release_id: int) -> tuple[Media, ...]:
    rows = conn.execute(select(media).where(media.c.release_id == release_id)
                        .order_by(media.c.position, media.c.id))
    return tuple(_to_media(r) for r in rows)


def for_releases(conn: Connection, release_ids: list[int]) -> dict[int, tuple[Media, ...]]:
    out: dict[int, list[Media]] = {}
    if release_ids:
        rows = conn.execute(select(media).where(media.c.release_id.in_(release_ids))
                            .order_by(media.c.release_id, media.c.position, media.c.id))
        for r in rows:
            out.setdefault(r.release_id, []).append(_to_media(r))
    return {k: tuple(v) for k, v in out.items()}


def get(conn: Connection, media_id: int) -> tuple[Media, int | None] | None:
    """The item and its release id (None for a logo)."""
    row = conn.execute(select(media).where(media.c.id == media_id)).first()
    return (_to_media(row), row.release_id) if row else None


def by_token(conn: Connection, token: str) -> tuple[Media, int | None] | None:
    row = conn.execute(select(media).where(media.c.token == token)).first()
    return (_to_media(row), row.release_id) if row else None


def logo(conn: Connection, issuer_id: int) -> Media | None:
    row = conn.execute(select(media).where(media.c.issuer_id == issuer_id, media.c.kind == "logo",
                                           media.c.release_id.is_(None))).first()
    return _to_media(row) if row else None


def logos(conn: Connection, issuer_ids: list[int]) -> dict[int, Media]:
    """Each issuer's logo, for those that have one."""
    if not issuer_ids:
        return {}
    rows = conn.execute(select(media).where(media.c.issuer_id.in_(sorted(set(issuer_ids))), media.c.kind == "logo",
                                            media.c.release_id.is_(None)))
    return {r.issuer_id: _to_media(r) for r in rows}


def set_positions(conn: Connection, release_id: int, ids: list[int]) -> None:
    for position, media_id in enumerate(ids):
        conn.execute(update(media).where(media.c.id == media_id, media.c.release_id == release_id)
                     .values(position=position))


def remove(conn: Connection, media_id: int) -> None:
    conn.execute(delete(media).where(media.c.id == media_id))
