"""Live stream events as Server-Sent Events frames: what a live client is sent, and which
clients want it. Rendered once per event per process, whatever the number of clients."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..domain.subscriptions import Event
from ..formats.labels import translation_label
from ..formats.site import Site
from ..services.listings import Listings

CACHE = 2048  # rendered events kept for replays and for the next clients
PAGE = 500


@dataclass(frozen=True)
class LiveEvent:
    id: int
    release_id: int
    event: str
    language: str
    industries: frozenset[str]  # the release's topics with their ancestors
    regions: frozenset[str]
    issuer: str
    frame: bytes  # the whole SSE message

    def encode(self) -> bytes:
        """For the live broker: one message per event, what every process needs to fan it out."""
        return json.dumps({"id": self.id, "release_id": self.release_id, "event": self.event,
                           "language": self.language, "industries": sorted(self.industries),
                           "regions": sorted(self.regions), "issuer": self.issuer,
                           "frame": self.frame.decode()}, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> "LiveEvent":
        d = json.loads(raw)
        ev = cls(id=int(d["id"]), release_id=int(d["release_id"]), event=str(d["event"]),
                 language=str(d["language"]), industries=frozenset(d["industries"]),
                 regions=frozenset(d["regions"]), issuer=str(d["issuer"]), frame=str(d["frame"]).encode())
        head = f"id: {ev.id}\nevent: {ev.event}\ndata: ".encode()
        if not (ev.frame.startswith(head) and ev.frame.endswith(b"\n\n") and ev.frame.count(b"\n") == 4):
            raise ValueError(f"live event {ev.id}: not one SSE message as the wire renders it")
        return ev


@dataclass(frozen=True)
class Filter:
    language: str | None = None
    industry: str | None = None  # matches narrower topics too: events carry topics with ancestors
    region: str | None = None
    issuer: str | None = None

    def matches(self, ev: LiveEvent) -> bool:
        return ((self.language is None or ev.language == self.language)
                and (self.industry is None or self.industry in ev.industries)
                and (self.region is None or self.region in ev.regions)
                and (self.issuer is None or ev.issuer == self.issuer))


class Events:
    """Stream events as SSE frames, rendered once and kept (LRU by event id). Thread-safe."""

    def __init__(self, listings: Listings, site: Site):
        self.listings, self.site = listings, site
        self._cache: OrderedDict[int, LiveEvent] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, event_id: int) -> LiveEvent | None:
        with self._lock:
            if event_id in self._cache:
                return self._cache[event_id]
        found = self.listings.stream_events(event_id=event_id)
        return self._render(*found[0]) if found else None

    def since(self, last_id: int, limit: int = PAGE) -> list[LiveEvent]:
        found = self.listings.stream_events(after=last_id, limit=limit)
        with self._lock:
            cached = {r.id: self._cache[r.id] for r, _ in found if r.id in self._cache}
        return [cached.get(r.id) or self._render(r, release) for r, release in found]

    def latest_id(self) -> int:
        return self.listings.latest_stream_id()

    def _render(self, row, release) -> LiveEvent:
        # ``release``: the event's language version (a translation published later has its own
        # event), or the original when that version has since been withdrawn or is being re-translated
        # (the release named by its public id, as everywhere the public reads: never the row's number)
        url = self.site.release_url(release) if release else self.site.url("/")
        data: dict = {"id": release.public_id if release else "", "url": url}
        # A withdrawn release's words are not redistributed, not even in the replay of its publication.
        if row.event != Event.WITHDRAWN and release is not None and release.withdrawn_at is None:
            data.update(headline=release.content.headline, language=release.language,
                        issuer={"slug": release.issuer.slug, "name": release.issuer.name},
                        industries=list(release.content.industries), regions=list(release.content.regions),
                        version=release.current.number,
                        published_at=release.published_at.isoformat() if release.published_at else None)
            if release.translation is not None:  # machine translation is labelled as such, everywhere
                data["translation"] = translation_label(release.translation)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        ev = LiveEvent(id=row.id, release_id=row.release_id, event=row.event, language=row.language,
                       industries=frozenset(row.industries or ()), regions=frozenset(row.regions or ()),
                       issuer=row.issuer, frame=f"id: {row.id}\nevent: {row.event}\ndata: {body}\n\n".encode())
        self.remember(ev)
        return ev

    def remember(self, ev: LiveEvent) -> None:
        """Keep a rendered event (here, or heard from the live broker) for replays and later clients."""
        with self._lock:
            if ev.event == Event.WITHDRAWN:  # earlier frames of this release carry its text
                for stale in [k for k, v in self._cache.items() if v.release_id == ev.release_id]:
                    del self._cache[stale]
            self._cache[ev.id] = ev
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
