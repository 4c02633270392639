"""Routing: when a release event happens, decide who gets it and write the ledger rows,
inside the same transaction as the state change (called by the release and translation services).

Point-to-point channels (webhook, e-mail, WebSub) get one ledger row per endpoint.
The live stream gets one event row per release event, however many readers listen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from sqlalchemy.engine import Connection

from ..distribution.schedule import next_digest
from ..distribution.websub_topics import topic_matches
from ..domain import trace
from ..domain.events import RELEASE_EVENTS
from ..domain.models import Release
from ..domain.subscriptions import Channel, Event, Facets, matches
from ..storage import deliveries as ledger
from ..storage import stream
from ..storage import subscribers as subs
from .unit import Clock, Database

FLUSH = 5000


class Router:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def route(self, conn: Connection, event: str, release: Release) -> None:
        """Write the ledger rows and the stream event of ``event`` (an ``Event`` value) for ``release``
        (an original or a language version); the typed event fires on commit."""
        now = self.clock()
        queued = 0
        rows: list[tuple] = []
        seen: set[tuple[int, str]] = set()
        head = (release.id, release.current.number, event)

        def flush() -> None:
            nonlocal queued
            queued += ledger.enqueue(conn, rows)
            rows.clear()

        if event in (Event.CORRECTED, Event.WITHDRAWN):
            # Whoever had the release must hear of its correction or kill, whatever their preferences now:
            # a correction goes out per language version as each is re-translated, a kill in every
            # language each recipient had.
            for endpoint_id, subscriber_id, channel, language in ledger.earlier_endpoints(conn, release.id, now):
                if (event == Event.WITHDRAWN or language == release.language) and (endpoint_id, language) not in seen:
                    seen.add((endpoint_id, language))
                    rows.append((*head, language, subscriber_id, endpoint_id, channel, now, now))
        if event in (Event.PUBLISHED, Event.CORRECTED):
            for eid, sid, channel, due in self.recipients(conn, release, now):
                if (eid, release.language) not in seen:
                    seen.add((eid, release.language))
                    rows.append((*head, release.language, sid, eid, channel, due or now, now))
                    if len(rows) >= FLUSH:
                        flush()
        flush()
        self.announce(conn, event, release, queued, now)

    def recipients(self, conn: Connection, release: Release, now: dt.datetime,
                   only: tuple[Collection[int], Collection[int]] | None = None
                   ) -> Iterator[tuple[int, int | None, str, dt.datetime | None]]:
        """(endpoint, subscriber, channel, due) of everyone ``release`` reaches at ``now``; due is a
        digest's time, None for at once. ``only``: of these subscriber and endpoint ids alone."""
        facets = Facets.of(release)
        verdicts: dict[int, tuple] = {}  # by Preferences object (most subscribers share theirs), kept alive
        for batch in subs.iter_recipients(conn, only=only):
            for prefs, r in batch:
                if (seen := verdicts.get(id(prefs))) is None or seen[0] is not prefs:
                    seen = verdicts[id(prefs)] = (prefs, matches(prefs, facets))
                if seen[1]:
                    due = None
                    if r.channel == Channel.EMAIL.value and r.digest_hour is not None:
                        due = next_digest(now, r.timezone, r.digest_hour)
                    yield r.eid, r.sid, r.channel, due
        for r in subs.active_websub(conn, now, ids=None if only is None else only[1]):
            if topic_matches(r.topic, facets):
                yield r.id, None, Channel.WEBSUB.value, None

    def announce(self, conn: Connection, event: str, release: Release, queued: int, now: dt.datetime) -> None:
        """The stream event of ``event``, and the typed event (with the ledger rows queued) on commit."""
        facets = Facets.of(release)
        event_id = stream.append(conn, release_id=release.id, event=event, language=release.language,
                                 industries=sorted(facets.topics), regions=sorted(facets.regions),
                                 issuer=release.issuer.slug, now=now)
        self.db.emit(conn, RELEASE_EVENTS[event](release_id=release.id, language=release.language,
                                                 stream_event_id=event_id, deliveries=queued,
                                                 request_id=trace.current()))
