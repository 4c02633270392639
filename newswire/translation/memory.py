"""Translation memory: a segment already translated the same way is not sent to the engine again.

Key: (sha256 of the source segment, source, target, engine, glossary key). The glossary key is a
fingerprint of the glossary entries that matched the segment (empty when none did) rather than a
per-issuer version number: two issuers' "version 3" differ, and a glossary edit should only
invalidate the segments that contain the edited terms. Only checked (ok or repaired)
translations are stored, so a flagged segment is tried afresh next time.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from ..domain.text import segment_id
from ..storage import translation_memory as q
from ..storage.translation_memory import Key

__all__ = ["InMemory", "Key", "Memory", "SqlMemory", "key"]


def key(segment: str, source: str, target: str, engine: str, glossary: str = "") -> Key:
    return Key(segment_id(segment), source, target, engine, glossary)


class Memory(Protocol):
    def get_many(self, keys: list[Key]) -> dict[Key, str]: ...

    def put_many(self, items: dict[Key, str]) -> None: ...


class InMemory:
    """For the CLI, the benchmark and tests: lives as long as the process."""

    def __init__(self):
        self.items: dict[Key, str] = {}

    def get_many(self, keys: list[Key]) -> dict[Key, str]:
        return {k: self.items[k] for k in keys if k in self.items}

    def put_many(self, items: dict[Key, str]) -> None:
        self.items.update(items)


class SqlMemory:
    """The wire's shared memory in the ``translation_memory`` table."""

    def __init__(self, engine, clock=None):
        self.engine = engine
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    def get_many(self, keys: list[Key]) -> dict[Key, str]:
        if not keys:
            return {}
        with self.engine.connect() as conn:
            return q.get_many(conn, keys)

    def put_many(self, items: dict[Key, str]) -> None:
        if items:
            with self.engine.begin() as conn:
                q.put_many(conn, items, now=self.clock())
