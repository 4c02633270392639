"""Issuers and API keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from ..domain.models import Contact, Issuer, Role
from .tables import api_keys, issuers


def contacts_from_json(raw) -> tuple[Contact, ...]:
    return tuple(Contact(**c) for c in raw or ())


def to_issuer(row) -> Issuer:
    return Issuer(
        id=row.id,
        slug=row.slug,
        name=row.name,
        boilerplate=row.boilerplate or "",
        website=row.website or "",
        contacts=contacts_from_json(row.contacts),
    )


def create_issuer(conn: Connection, *, slug: str, name: str, boilerplate: str = "", website: str = "",
                  contacts: list[dict] | None = None, now: dt.datetime) -> Issuer:
    new_id = conn.execute(
        insert(issuers).values(slug=slug, name=name, boilerplate=boilerplate, website=website,
                               contacts=contacts or [], created_at=now)
    ).inserted_primary_key[0]
    return get_issuer(conn, new_id)


def get_issuer(conn: Connection, issuer_id: int) -> Issuer | None:
    row = conn.execute(select(issuers).where(issuers.c.id == issuer_id)).first()
    return to_issuer(row) if row else None


def get_issuer_by_slug(conn: Connection, slug: str) -> Issuer | None:
    row = conn.execute(select(issuers).where(issuers.c.slug == slug)).first()
    return to_issuer(row) if row else None


def list_issuers(conn: Connection) -> list[Issuer]:
    return [to_issuer(r) for r in conn.execute(select(issuers).order_by(issuers.c.name))]


def create_api_key(conn: Connection, *, name: str, role: Role, issuer_id: int | None, prefix: str,
                   secret_hash: str, now: dt.datetime, subscriber_id: int | None = None,
                   user_id: int | None = None) -> int:
    return conn.execute(
        insert(api_keys).values(name=name, role=role.value, issuer_id=issuer_id, prefix=prefix,
                                secret_hash=secret_hash, created_at=now, subscriber_id=subscriber_id,
                                user_id=user_id)
    ).inserted_primary_key[0]


def find_api_key(conn: Connection, prefix: str):
    """The live key row with this public prefix, or None."""
    return conn.execute(
        select(api_keys).where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
    ).first()


def list_api_keys(conn: Connection):
    return conn.execute(select(api_keys).order_by(api_keys.c.id)).all()


def revoke_api_key(conn: Connection, key_id: int, now: dt.datetime) -> bool:
    res = conn.execute(
        update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    return res.rowcount == 1


def glossary(conn: Connection, issuer_id: int) -> dict:
    """The issuer's glossary as stored: {"version": n, "keep": [...], "forced": {term: {lang: text}}}."""
    return dict(conn.execute(select(issuers.c.glossary).where(issuers.c.id == issuer_id)).scalar_one_or_none() or {})


def set_glossary(conn: Connection, issuer_id: int, keep: list[str], forced: dict[str, dict[str, str]]) -> dict:
    version = int(glossary(conn, issuer_id).get("version", 0)) + 1
    value = {"version": version, "keep": keep, "forced": forced}
    conn.execute(update(issuers).where(issuers.c.id == issuer_id).values(glossary=value))
    return value
