"""Routing: when a release event happens, decide who gets it and write the ledger rows,
inside the same transaction as the state change (called by the release and translation services).

Point-to-point channels (webhook, e-mail, WebSub) get one ledger row per endpoint.
The live stream gets one event row per release event, however many readers listen.
"""

from __future__ import annotations

import datetime as dt
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
        facets = Facets.of(release)
        rows: list[dict] = []
        seen: set[tuple[int, str]] = set()

        def add(endpoint_id: int, subscriber_id: int | None, channel: str, due: dt.datetime,
                language: str = release.language) -> None:
            if (endpoint_id, language) in seen:
                return
            seen.add((endpoint_id, language))
            rows.append({"release_id": release.id, "version": release.current.number, "event": event,
                         "language": language, "subscriber_id": subscriber_id, "endpoint_id": endpoint_id,
                         "channel": channel, "next_attempt_at": due, "created_at": now})
            if len(rows) >= FLUSH:
                flush()

        def flush() -> None:
            nonlocal queued
            ledger.enqueue(conn, rows)
            queued += len(rows)
            rows.clear()

        if event in (Event.CORRECTED, Event.WITHDRAWN):
            # Whoever had the release must hear of its correction or kill, whatever their preferences now:
            # a correction goes out per language version as each is re-translated, a kill in every
            # language each recipient had.
            for endpoint_id, subscriber_id, channel, language in ledger.earlier_endpoints(conn, release.id, now):
                if event == Event.WITHDRAWN or language == release.language:
                    add(endpoint_id, subscriber_id, channel, now, language)
        if event in (Event.PUBLISHED, Event.CORRECTED):
            for batch in subs.iter_recipients(conn):
                for prefs, r in batch:
                    if matches(prefs, facets):
                        due = now
                        if r.channel == Channel.EMAIL.value and r.digest_hour is not None:
                            due = next_digest(now, r.timezone, r.digest_hour)
                        add(r.eid, r.sid, r.channel, due)
            for r in subs.active_websub(conn, now):
                if topic_matches(r.topic, facets):
                    add(r.id, None, Channel.WEBSUB.value, now)
        flush()
        event_id = stream.append(conn, release_id=release.id, event=event, language=release.language,
                                 industries=sorted(facets.topics), regions=sorted(facets.regions),
                                 issuer=release.issuer.slug, now=now)
        self.db.emit(conn, RELEASE_EVENTS[event](release_id=release.id, language=release.language,
                                                 stream_event_id=event_id, deliveries=queued,
                                                 request_id=trace.current()))
