"""Routing: when a release event happens, decide who gets it and write the ledger rows,
inside the same transaction as the state change (a Wire listener).

Point-to-point channels (webhook, e-mail, WebSub) get one ledger row per endpoint.
The live stream gets one event row per release event, however many readers listen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..domain.models import Release
from ..domain.subscriptions import Channel, Event, Facets, matches
from ..storage import deliveries as ledger
from ..storage import stream
from ..storage import subscribers as subs
from .schedule import next_digest
from .websub_topics import topic_matches

FLUSH = 5000


class Router:
    def __init__(self, clock: Callable[[], dt.datetime], on_commit: Callable[[int | None], None] | None = None):
        self.clock = clock
        self.on_commit = on_commit  # told after commit (with the stream event id) so local workers wake at once

    def __call__(self, conn: Connection, event: str, release: Release) -> None:
        now = self.clock()
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
                ledger.enqueue(conn, rows)
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
        ledger.enqueue(conn, rows)
        if seen and conn.dialect.name == "postgresql":  # delivered on commit: wakes workers on other machines
            conn.execute(text("SELECT pg_notify('newswire_deliveries', '')"))

        event_id = stream.append(conn, release_id=release.id, event=event, language=release.language,
                                 industries=sorted(facets.topics), regions=sorted(facets.regions),
                                 issuer=release.issuer.slug, now=now)
        if self.on_commit is not None:
            conn.info.setdefault("after_commit", []).append(lambda: self.on_commit(event_id))
