"""Translation memory: a segment already translated the same way is not sent to the engine again.

Key: (sha256 of the source segment, source, target, engine, glossary key). The glossary key is a
fingerprint of the glossary entries that matched the segment (empty when none did) rather than a
per-issuer version number: two issuers' "version 3" differ, and a glossary edit should only
invalidate the segments that contain the edited terms. Only checked (ok or repaired)
translations are stored, so a flagged segment is tried afresh next time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Key:
    source_hash: str
    source: str
    target: str
    engine: str
    glossary: str = ""


def key(segment: str, source: str, target: str, engine: str, glossary: str = "") -> Key:
    return Key(hashlib.sha256(segment.encode()).hexdigest(), source, target, engine, glossary)


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
        import datetime as dt

        self.engine = engine
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    def get_many(self, keys: list[Key]) -> dict[Key, str]:
        from ..storage import translation_memory as q

        if not keys:
            return {}
        with self.engine.connect() as conn:
            return q.get_many(conn, keys)

    def put_many(self, items: dict[Key, str]) -> None:
        from ..storage import translation_memory as q

        if items:
            with self.engine.begin() as conn:
                q.put_many(conn, items, now=self.clock())
