"""Serving the public site from the page cache (``services/pagecache.py``): render once per public change.

The outermost ASGI middleware. A GET or HEAD of a cacheable public URL (``CACHEABLE``: the
language home pages, release pages, issuer, industry and region pages and indexes, every feed
with its filters, the news sitemap) is answered from the cache when the URL's entry is there:
a 304 for a matching If-None-Match or If-Modified-Since, else the bytes in the negotiated
content-coding, each coding compressed once per entry (in a thread) and then only written. On a
miss the route renders a full 200 (conditional headers taken off, so it never answers 304 to
the cache), the entry is stored if the render began in the current generation, and the request
is answered from it as a hit would be. Concurrent misses of one URL wait for the first render.
Only a 200 with no ``Set-Cookie`` and no private or no-store Cache-Control is kept; everything
else (search, the live desk and stream, media, the API, signed-in pages) goes through
``compression.Compress`` unchanged but compressed.

Why not a library: HTTP caching middlewares key on time-to-live and Cache-Control, not on the
wire's events, and none keeps the generation rule that stops a render begun before a publish from
being stored after it; the store itself is ``cachetools.LRUCache`` bounded by bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from email.utils import parsedate_to_datetime

import anyio

from ..domain import ids, languages
from ..services.pagecache import Entry, PageCache
from . import compression
from .compression import IDENTITY, coded, coded_etag, header, negotiate
from .conditional import http_date, not_modified, strong_etag

_LANG = "|".join(re.escape(tag) for tag in languages.SUPPORTED)
CACHEABLE = re.compile(
    r"^/(?:feeds/[^/]+|sitemap-news\.xml"
    rf"|(?:{_LANG})/(?:|releases/{ids.PATTERN}/[^/]+|issuers(?:/[^/]+)?|industries(?:/\d+)?|regions(?:/[A-Za-z]+)?))$")
_CONDITIONAL = (b"if-none-match", b"if-modified-since", b"if-match", b"if-unmodified-since", b"if-range")
_ASKED = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})
# (the X-Request-ID is each request's own: web/requestid.py, outside the cache, adds it to every answer)
_OWN = (b"content-length", b"content-encoding", b"etag", b"last-modified", b"vary", b"date", b"server",
        b"x-request-id")


class ServeCached:
    def __init__(self, app, cache: PageCache):
        self.app, self.cache = app, cache
        self.compress = compression.Compress(app)
        self._inflight: dict[str, asyncio.Future] = {}

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not CACHEABLE.match(scope["path"])):
            return await self.compress(scope, receive, send)
        query = scope.get("query_string", b"")
        key = scope["path"] + ("?" + query.decode("latin-1") if query else "")
        entry, kept = self.cache.get(key), True
        if entry is None:
            entry, kept = await self._render(scope, receive, send, key)
            if entry is None:
                return None  # answered as it came (not cacheable)
        await self._answer(scope, send, key, entry, kept)

    async def _render(self, scope, receive, send, key: str) -> tuple[Entry | None, bool]:
        """The URL's entry rendered now, and whether the cache kept it."""
        waiting = self._inflight.get(key)
        if waiting is not None:  # another request is rendering this URL: its entry will do
            await asyncio.shield(waiting)
            if (entry := self.cache.get(key)) is not None:
                return entry, True
        done = asyncio.get_running_loop().create_future()
        self._inflight.setdefault(key, done)
        try:
            return await self._fill(scope, receive, send, key)
        finally:
            if self._inflight.get(key) is done:
                del self._inflight[key]
            done.set_result(None)

    async def _fill(self, scope, receive, send, key: str) -> tuple[Entry | None, bool]:
        generation = self.cache.generation()
        inner = {**scope, "method": "GET",
                 "headers": [(k, v) for k, v in scope["headers"] if k not in _CONDITIONAL and k != b"accept-encoding"]}
        start: dict = {}
        parts: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        try:
            await self.app(inner, receive, capture)
        except Exception:  # the framework answered (a problem document) and re-raised for the server's log
            if start:
                await self._plain(scope, send, start.get("status", 500), list(start.get("headers", [])),
                                  b"".join(parts))
            raise
        body = b"".join(parts)
        headers = list(start.get("headers", []))
        entry = _entry(start.get("status", 500), headers, body, self.cache.changed_at, self.cache.clock())
        if entry is None:  # not for the cache: answered per request, compressed when it may be
            await self._plain(scope, send, start.get("status", 500), headers, body)
            return None, False
        return entry, self.cache.put(key, entry, generation)

    async def _plain(self, scope, send, status: int, headers, body: bytes) -> None:
        kind = header(headers, "content-type") or ""
        coding = negotiate(header(scope["headers"], "accept-encoding"))
        if status not in (204, 304) and compression.compressible(kind) and header(headers, "content-encoding") is None:
            headers, body = coded(headers, body, coding)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    async def _answer(self, scope, send, key: str, entry: Entry, kept: bool) -> None:
        request = {k: v for k, v in scope["headers"] if k in _ASKED}
        coding = negotiate(_get(request, b"accept-encoding")) if compression.compressible(entry.media_type) else IDENTITY
        variant = entry.variants.get(coding)
        if variant is None and not kept:  # (the cache is off or the page changed meanwhile: this request only)
            variant = _variant(entry, coding, once=False)
        elif variant is None:
            variant = await anyio.to_thread.run_sync(_variant, entry, coding)
            self.cache.add_variant(key, entry, coding, variant)
        body, full, unchanged = variant
        if not_modified(_get(request, b"if-none-match"), _get(request, b"if-modified-since"), entry.tags,
                        entry.last_modified):
            await send({"type": "http.response.start", "status": 304, "headers": unchanged})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": full})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _entry(status: int, headers, body: bytes, changed_at: dt.datetime, now: dt.datetime) -> Entry | None:
    """The entry for a route's response, or None when it must not be kept."""
    kind = header(headers, "content-type") or ""
    control = (header(headers, "cache-control") or "").lower()
    if (status != 200 or header(headers, "set-cookie") is not None or "private" in control
            or "no-store" in control or header(headers, "content-encoding") is not None
            or kind.startswith("text/event-stream")):
        return None
    etag = header(headers, "etag")
    if etag is None or etag.startswith("W/"):
        etag = strong_etag(body)
    stated = header(headers, "last-modified")
    last_modified = _parse_date(stated) if stated else changed_at  # a page changes only with a public change
    own = [(k, v) for k, v in headers if k.lower() not in _OWN]
    tags = frozenset({etag, *(coded_etag(etag, c) for c in compression.PREFERENCE)})
    return Entry(status, body, kind, etag, last_modified, now, own, tags=tags)


def _get(headers: dict, name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


def _variant(entry: Entry, coding: str, once: bool = True) -> tuple[bytes, list, list]:
    """The body in ``coding`` with its 200 and 304 headers (compressed harder when once per entry)."""
    validators = [(b"etag", entry.etag.encode("latin-1"))]
    if entry.last_modified is not None:
        validators.append((b"last-modified", http_date(entry.last_modified).encode("latin-1")))
    full, body = coded([*entry.headers, *validators], entry.body, coding, once=once)
    if not compression.compressible(entry.media_type):
        full = [(k, v) for k, v in full if k != b"vary"]
    keep = (b"etag", b"last-modified", b"cache-control", b"vary", b"content-location", b"expires", b"link")
    return body, full, [(k, v) for k, v in full if k.lower() in keep]


def _parse_date(value: str) -> dt.datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
