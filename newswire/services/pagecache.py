"""The rendered public output (pages, listings, feeds, the sitemap), kept until the next public change.

Every public change is an event on the process's bus (``bootstrap.build`` subscribes ``invalidate``
to each kind: a release published, corrected or withdrawn, a translation ready or queued again, an
issuer's logo); other processes' events reach the bus through PostgreSQL's NOTIFY. So an entry
is valid until the next event, and the cache empties whole on each one: public changes are a few a
minute at most, and one release shows on many pages (listings, filtered feeds, indexes, related
releases), so finer invalidation would only add ways to miss one.

Nothing can show before its second: a listing holds only what was public when it was rendered
(``published_at`` is set by the release clock at the release second, in the transaction whose
commit fires ``ReleasePublished``), and a render that began before an invalidation is not stored
(``generation``). An entry rendered at a later instant than the clock now says (a clock set back)
is never served. Entries also expire after ``ttl`` seconds of the wire's clock, for what ages by
time alone (the sitemap's two-day window).

On PostgreSQL the cache serves only while this process's LISTEN connection is up (``resume`` on
``ListenerReconnected``, ``suspend`` on ``ListenerLost``): a process that cannot hear other
processes' changes renders every request. SQLite has no such channel: ``probe`` (the newest live
stream id) is read at most every ``probe_every`` seconds, and a change clears the cache, so a
release published by another process on the same file (a standalone ``newswire worker``'s clock)
shows within that time; another process's logo change shows within ``ttl``.

Kept in memory per process, least recently used first out, bounded by bytes (``cachetools``
counts each entry's size: its body, its compressed forms and headers).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cachetools import LRUCache

from ..domain.events import Event, ReleaseEvent
from .unit import Clock

Headers = list[tuple[bytes, bytes]]


@dataclass
class Entry:
    """One URL's rendered response: the identity body and, once asked for, each compressed form
    with its prepared headers (``variants``: content-coding → (body, 200 headers, 304 headers))."""

    status: int
    body: bytes
    media_type: str
    etag: str  # strong, quoted, of the identity body
    last_modified: dt.datetime | None
    born: dt.datetime
    headers: Headers = field(default_factory=list)  # the route's own, less those the cache writes
    variants: dict[str, tuple[bytes, Headers, Headers]] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()  # its ETag in every content-coding (If-None-Match matches any)

    @property
    def size(self) -> int:
        headers = sum(len(k) + len(v) for k, v in self.headers)
        return 512 + len(self.body) + headers + sum(len(b) + 2 * headers for b, _, _ in self.variants.values())


class PageCache:
    def __init__(self, clock: Clock, *, max_bytes: int, ttl: float, listening: bool = True,
                 probe: Callable[[], object] | None = None, probe_every: float = 0.25):
        self.clock, self.ttl, self.max_bytes = clock, dt.timedelta(seconds=ttl), max_bytes
        self._entries: LRUCache = LRUCache(maxsize=max(max_bytes, 1), getsizeof=lambda e: e.size)
        self._lock = threading.Lock()
        self._generation = 0
        self.changed_at = clock()  # when the current generation began: the pages' Last-Modified
        self._listening = listening
        self._probe, self._probe_every = probe, probe_every
        self._stamp: object = None
        self._probed = float("-inf")
        self.hits = self.misses = 0  # for the benchmark and tests

    @property
    def active(self) -> bool:
        return self.max_bytes > 0 and self._listening

    def generation(self) -> int:
        """Take this before reading the database for a render; ``put`` refuses it once stale."""
        return self._generation

    def get(self, key: str) -> Entry | None:
        self._look()
        if not self.active:
            return None
        with self._lock:
            entry = self._entries.get(key)
            now = self.clock()
            if entry is not None and not (entry.born <= now < entry.born + self.ttl):
                del self._entries[key]
                entry = None
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
            return entry

    def put(self, key: str, entry: Entry, generation: int) -> bool:
        with self._lock:
            if generation != self._generation or not self.active or entry.size > self.max_bytes:
                return False
            self._entries[key] = entry
            return True

    def add_variant(self, key: str, entry: Entry, coding: str, variant: tuple[bytes, Headers, Headers]) -> None:
        with self._lock:
            entry.variants[coding] = variant
            if self._entries.get(key) is entry and entry.size <= self.max_bytes:
                self._entries[key] = entry  # counted again with its new size

    def invalidate(self, event: Event | None = None) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self.changed_at = self.clock()
            if self._probe is not None and isinstance(event, ReleaseEvent):
                # SQLite writes one transaction at a time, so ids grow in commit order: this process's
                # own event need not empty the cache a second time when the probe sees its id.
                self._stamp = max(self._stamp or 0, event.stream_event_id)

    def suspend(self, event: Event | None = None) -> None:
        """Other processes' changes cannot be heard: render every request until ``resume``."""
        self._listening = False
        self.invalidate()

    def resume(self, event: Event | None = None) -> None:
        self._listening = True
        self.invalidate()  # what changed while nobody listened

    def __len__(self) -> int:
        return len(self._entries)

    def _look(self) -> None:
        """SQLite: another process's release events show as a new newest stream id."""
        if self._probe is None or time.monotonic() - self._probed < self._probe_every:
            return
        self._probed = time.monotonic()
        stamp = self._probe()
        if stamp != self._stamp:
            self._stamp = stamp
            self.invalidate()
