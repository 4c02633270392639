"""GET /live: releases as they happen, as Server-Sent Events, for reader desktops.

The client subscribes to this process's hub first, then replays what it missed since its
Last-Event-ID from the stream_events log, then goes live, skipping whatever the replay
already sent: no gap, no duplicate.
"""

from __future__ import annotations

import asyncio

from slugify import slugify
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import QueryParams

from ...domain.errors import Collector
from ...domain.text import document_problems
from ...domain.vocab import normalize_qcode
from ...services.listings import Listings
from ...workers.live import KEEPALIVE, Filter, LiveHub
from ...workers.live_events import PAGE
from ..api.openapi import content, errors

router = APIRouter(tags=["live"])

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # the latter: nginx must not buffer
# (one tuple for every reader: its ~0.5 KB is not repeated 20,000 times; a tuple, so none can change it)
_RAW_HEADERS = ((b"content-type", b"text/event-stream; charset=utf-8"),
                *((k.lower().encode(), v.encode()) for k, v in HEADERS.items()))


def _parse(ls: Listings, lang, industry, region, issuer, last_event_id) -> tuple[Filter, int | None]:
    c = Collector()
    q = ls.filters(c, language=lang, industry=industry, region=region)
    # Any well-formed issuer slug may be followed, public yet or not: a reader can wait for an issuer's
    # first release, and the stream tells nobody whether an issuer exists (it matches nothing until then).
    if issuer not in (None, "") and slugify(issuer) != issuer:
        c.add("issuer", f"'{issuer}' is not an issuer slug (lower-case letters, digits and hyphens)")
    start = None
    if last_event_id not in (None, ""):
        if last_event_id.isdigit():
            start = int(last_event_id)
        else:
            c.add("last_event_id", f"'{last_event_id}' is not an event id; send back the last `id:` you received")
    c.raise_if_any()
    return Filter(language=q.get("language"), industry=normalize_qcode(industry) if industry else None,
                  region=q.get("region"), issuer=issuer or None), start


class EventStream(Response):
    """The stream as a bare ASGI response: each reader is one coroutine writing the hub's shared
    frames, plus one task that notices the client leaving; no generator, no task group, no timer
    of its own (Starlette's StreamingResponse runs a task group of two tasks and a generator a reader)."""

    media_type = "text/event-stream"

    def __init__(self, hub: LiveHub, flt: Filter, start: int | None):
        self.hub, self.filter, self.start = hub, flt, start
        self.status_code, self.background = 200, None
        self.raw_headers = _RAW_HEADERS

    async def __call__(self, scope, receive, send) -> None:
        sub = self.hub.subscribe(self.filter)  # before the replay, so nothing committed meanwhile is missed
        watcher = asyncio.ensure_future(_left(receive))
        watcher.add_done_callback(lambda _t: sub.close())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await _stream(self.hub, sub, self.start, send)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away mid-write
            pass
        finally:
            watcher.cancel()
            self.hub.unsubscribe(sub)


class FastPath:
    """ASGI middleware: a well-formed ``GET /live`` goes straight to its ``EventStream``, without
    the framework's per-request machinery held for the stream's whole life (exit stacks, exception
    wrappers, the request object: most of a reader's memory). Anything else, and every request the
    route would refuse (bad filters, text that cannot be stored), goes through the app as before,
    so errors and the OpenAPI document stay the route's."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != "/live" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        stream = await _prepared(scope)  # (this frame, held for the stream's life, keeps only the stream)
        if stream is None:
            return await self.app(scope, receive, send)
        await stream(scope, receive, send)


async def _prepared(scope) -> EventStream | None:
    """The request's stream, or None when the route should answer it (and refuse it)."""
    query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
    params = dict(query)
    header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"last-event-id"), None)
    if (set(params) - _PARAMS or len(params) != len(query.multi_items())
            or document_problems({**params, "h": header or ""})):
        return None
    state = scope["app"].state
    try:
        flt, start = await asyncio.to_thread(_parse, state.nw.listings, params.get("lang"), params.get("industry"),
                                             params.get("region"), params.get("issuer"),
                                             header or params.get("last_event_id"))
    except Exception:  # noqa: BLE001 - the route answers it as it always has (a problem document)
        return None
    return EventStream(state.live, flt, start)


_PARAMS = {"lang", "industry", "region", "issuer", "last_event_id"}


async def _left(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _stream(hub: LiveHub, sub, start: int | None, send) -> None:
    async def write(chunk: bytes) -> None:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})

    await write(b"retry: 3000\n: connected\n\n")
    replayed: set[int] = set()
    cursor = start
    while cursor is not None:
        batch = await asyncio.to_thread(hub.events.since, cursor)
        for ev in batch:
            replayed.add(ev.id)
            if sub.filter.matches(ev):
                await write(ev.frame)
        cursor = batch[-1].id if len(batch) == PAGE else None
    while True:
        ev = await sub.get()  # (the hub's heartbeat wakes every reader every HEARTBEAT seconds)
        if ev is KEEPALIVE:
            await write(b": keepalive\n\n")
        elif ev is None:
            return  # dropped, gone or shutting down: the client reconnects with Last-Event-ID
        elif ev.id not in replayed:
            await write(ev.frame)


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
    return EventStream(request.app.state.live, flt, start)
