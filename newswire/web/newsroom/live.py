"""GET /live: releases as they happen, as Server-Sent Events, for reader desktops.

The client subscribes to this process's hub first, then replays what it missed since its
Last-Event-ID from the stream_events log, then goes live, skipping whatever the replay
already sent: no gap, no duplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from ...domain.errors import Collector
from ...domain.vocab import normalize_qcode
from ...services.listings import Listings
from ...workers.live import KEEPALIVE, Filter, LiveHub
from ...workers.live_events import PAGE
from ..api.openapi import content, errors

router = APIRouter(tags=["live"])

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # the latter: nginx must not buffer


def _parse(ls: Listings, lang, industry, region, issuer, last_event_id) -> tuple[Filter, int | None]:
    c = Collector()
    q = ls.filters(c, language=lang, industry=industry, region=region, issuer=issuer)
    start = None
    if last_event_id not in (None, ""):
        if last_event_id.isdigit():
            start = int(last_event_id)
        else:
            c.add("last_event_id", f"'{last_event_id}' is not an event id; send back the last `id:` you received")
    c.raise_if_any()
    return Filter(language=q.get("language"), industry=normalize_qcode(industry) if industry else None,
                  region=q.get("region"), issuer=q.get("issuer_slug")), start


async def _stream(hub: LiveHub, flt: Filter, start: int | None) -> AsyncIterator[bytes]:
    sub = hub.subscribe(flt)  # before the replay, so nothing committed meanwhile is missed
    try:
        yield b"retry: 3000\n: connected\n\n"
        replayed: set[int] = set()
        cursor = start
        while cursor is not None:
            batch = await asyncio.to_thread(hub.events.since, cursor)
            for ev in batch:
                replayed.add(ev.id)
                if flt.matches(ev):
                    yield ev.frame
            cursor = batch[-1].id if len(batch) == PAGE else None
        while True:
            ev = await sub.get()  # (the hub's heartbeat wakes every reader every HEARTBEAT seconds)
            if ev is KEEPALIVE:
                yield b": keepalive\n\n"
            elif ev is None:
                return  # dropped or shutting down: the client reconnects with Last-Event-ID
            elif ev.id not in replayed:
                yield ev.frame
    finally:
        hub.unsubscribe(sub)


@router.get("/live", summary="Live stream of releases (Server-Sent Events)",
            response_class=StreamingResponse,
            responses={200: content("text/event-stream", description="The stream (never ends)"), **errors(422)})
async def live(request: Request, lang: str | None = None, industry: str | None = None,
               region: str | None = None, issuer: str | None = None,
               last_event_id: str | None = Query(None, description="Resume after this event (if no header)"),
               last_event_id_header: str | None = Header(None, alias="Last-Event-ID")):
    """Every release published, corrected or withdrawn from now on (and since `Last-Event-ID`),
    optionally only in one language, industry (an IPTC Media Topic, narrower topics included),
    region or issuer. Events: `release.published`, `release.corrected`, `release.withdrawn`."""
    w: Listings = request.app.state.nw.listings
    # The header is what EventSource sends on reconnect, so it is newer than the URL's.
    flt, start = await asyncio.to_thread(_parse, w, lang, industry, region, issuer,
                                         last_event_id_header or last_event_id)
    return StreamingResponse(_stream(request.app.state.live, flt, start), media_type="text/event-stream",
                             headers=HEADERS)
