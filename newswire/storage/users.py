"""People who sign in: users, their web sessions and one-time account tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.models import Role, User
from .tables import account_tokens, api_keys, users, web_sessions


def to_user(row) -> User:
    return User(id=row.id, email=row.email, name=row.name, role=Role(row.role), issuer_id=row.issuer_id,
                subscriber_id=row.subscriber_id, language=row.language, created_at=row.created_at,
                disabled=row.disabled_at is not None)


def create_user(conn: Connection, *, email: str, name: str, password_hash: str, role: Role,
                issuer_id: int | None, subscriber_id: int | None, language: str, now: dt.datetime) -> User:
    new_id = conn.execute(insert(users).values(
        email=email, name=name, password_hash=password_hash, role=role.value, issuer_id=issuer_id,
        subscriber_id=subscriber_id, language=language, created_at=now)).inserted_primary_key[0]
    return get_user(conn, new_id)


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return to_user(row) if row else None


def find_by_email(conn: Connection, email: str):
    """The row, with its password hash (only the sign-in check reads it)."""
    return conn.execute(select(users).where(users.c.email == email)).first()


def list_users(conn: Connection, *, issuer_id: int | None = None) -> list[User]:
    q = select(users).order_by(users.c.email)
    if issuer_id is not None:
        q = q.where(users.c.issuer_id == issuer_id)
    return [to_user(r) for r in conn.execute(q)]


def update_user(conn: Connection, user_id: int, **values) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


# --- sessions ------------------------------------------------------------------

def create_session(conn: Connection, *, digest: str, user_id: int, csrf: str, now: dt.datetime,
                   expires_at: dt.datetime) -> None:
    conn.execute(insert(web_sessions).values(id=digest, user_id=user_id, csrf=csrf, created_at=now, seen_at=now,
                                             expires_at=expires_at))


def find_session(conn: Connection, digest: str, now: dt.datetime):
    """(session row, user row) of a live session of an enabled user, or None."""
    q = (select(web_sessions.c.id, web_sessions.c.csrf, web_sessions.c.seen_at, web_sessions.c.expires_at,
                users.c.id.label("user_id"))
         .join(users, users.c.id == web_sessions.c.user_id)
         .where(web_sessions.c.id == digest, web_sessions.c.expires_at > now, users.c.disabled_at.is_(None)))
    return conn.execute(q).first()


def touch_session(conn: Connection, digest: str, now: dt.datetime, expires_at: dt.datetime) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.id == digest).values(seen_at=now, expires_at=expires_at))


def delete_session(conn: Connection, digest: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id == digest))


def delete_sessions_of(conn: Connection, user_id: int, *, keep: str | None = None) -> None:
    q = delete(web_sessions).where(web_sessions.c.user_id == user_id)
    if keep:
        q = q.where(web_sessions.c.id != keep)
    conn.execute(q)


def delete_expired_sessions(conn: Connection, now: dt.datetime) -> int:
    return conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now)).rowcount


# --- one-time tokens ------------------------------------------------------------

def create_token(conn: Connection, **values) -> int:
    return conn.execute(insert(account_tokens).values(**values)).inserted_primary_key[0]


def find_token(conn: Connection, digest: str, purpose: str, now: dt.datetime):
    """An unused, unexpired token row."""
    return conn.execute(select(account_tokens).where(
        account_tokens.c.digest == digest, account_tokens.c.purpose == purpose,
        account_tokens.c.used_at.is_(None), account_tokens.c.expires_at > now)).first()


def use_token(conn: Connection, token_id: int, now: dt.datetime) -> bool:
    """Mark it used; False when another request used it first (the token works once)."""
    return conn.execute(update(account_tokens).where(
        account_tokens.c.id == token_id, account_tokens.c.used_at.is_(None)).values(used_at=now)).rowcount == 1


def void_tokens(conn: Connection, *, email: str, purpose: str, now: dt.datetime) -> None:
    """Earlier unused tokens of the same kind stop working when a new one is sent."""
    conn.execute(update(account_tokens).where(
        account_tokens.c.email == email, account_tokens.c.purpose == purpose,
        account_tokens.c.used_at.is_(None)).values(used_at=now))


# --- personal API keys -------------------------------------------------------------

def keys_of(conn: Connection, user_id: int) -> list:
    return list(conn.execute(select(api_keys.c.id, api_keys.c.name, api_keys.c.prefix, api_keys.c.role,
                                    api_keys.c.created_at, api_keys.c.revoked_at)
                             .where(api_keys.c.user_id == user_id).order_by(api_keys.c.id.desc())))


def owns_key(conn: Connection, user_id: int, key_id: int) -> bool:
    return conn.execute(select(api_keys.c.id).where(and_(api_keys.c.id == key_id,
                                                         api_keys.c.user_id == user_id))).first() is not None
