"""Queries of the translation memory table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from .tables import translation_memory as tm


@dataclass(frozen=True)
class Key:
    """A translation memory entry's key: (source unit's segment id, languages, engine, glossary key)."""

    source_hash: str
    source: str
    target: str
    engine: str
    glossary: str = ""


_CHUNK = 500  # keeps IN lists well under every backend's parameter limit


def get_many(conn: Connection, keys: list[Key]) -> dict[Key, str]:
    wanted = set(keys)
    found: dict[Key, str] = {}
    groups: dict[tuple[str, str], list[str]] = {}
    for k in wanted:
        groups.setdefault((k.source, k.target), []).append(k.source_hash)
    for (source, target), hashes in groups.items():
        for i in range(0, len(hashes), _CHUNK):
            rows = conn.execute(select(tm.c.source_hash, tm.c.engine, tm.c.glossary_key, tm.c.translation).where(
                tm.c.source_lang == source, tm.c.target_lang == target,
                tm.c.source_hash.in_(hashes[i:i + _CHUNK])))
            for row in rows:
                k = Key(row.source_hash, source, target, row.engine, row.glossary_key)
                if k in wanted:
                    found[k] = row.translation
    return found


def put_many(conn: Connection, items: dict[Key, str], *, now: dt.datetime) -> None:
    """Insert new entries; an entry that exists (written meanwhile by another worker) is left as is."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [dict(source_hash=k.source_hash, source_lang=k.source, target_lang=k.target, engine=k.engine,
                 glossary_key=k.glossary, translation=text, created_at=now) for k, text in items.items()]
    for i in range(0, len(rows), _CHUNK):
        conn.execute(insert(tm).on_conflict_do_nothing(), rows[i:i + _CHUNK])
