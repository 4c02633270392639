"""Content codings: zstd, Brotli and gzip, negotiated from Accept-Encoding (RFC 9110 §12.5.3).

``negotiate`` is the one rule (q-values, ``*``, ``identity;q=0``); ``encode`` the one place that
compresses. The page cache (web/cache.py) compresses each cached entry once per coding, harder;
``Compress`` compresses other responses (the JSON API, error pages, static files) per request,
faster, when they are complete in one message and at least ``THRESHOLD`` bytes. A streamed
response (the live stream, a large file) passes untouched: SSE must reach the reader event by event.
"""

from __future__ import annotations

import gzip

import brotli
import zstandard

THRESHOLD = 1024  # below this a coding saves less than its headers cost
PREFERENCE = ("br", "zstd", "gzip")  # on equal q-values, the smallest for text first
IDENTITY = "identity"
_TYPES = ("text/", "application/json", "application/problem+json", "application/xml", "application/javascript",
          "application/feed+json", "image/svg+xml")
_SUFFIXES = ("+xml", "+json")
# (once per cached entry, per request)
_LEVELS = {"br": (6, 4), "zstd": (9, 3), "gzip": (9, 6)}
_ALIASES = {"x-gzip": "gzip"}


def compressible(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    if base == "text/event-stream":
        return False
    return base.startswith(_TYPES) or base.endswith(_SUFFIXES)


def negotiate(accept_encoding: str | None) -> str:
    """The coding to answer with: the acceptable one with the highest q-value (ties: ``PREFERENCE``),
    else identity. No header: identity. Identity is the fallback even when refused (``identity;q=0``
    with nothing else acceptable), as servers commonly answer rather than 406."""
    if not accept_encoding:
        return IDENTITY
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.partition(";")
        name = _ALIASES.get(name.strip().lower(), name.strip().lower())
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        weights[name] = max(0.0, min(q, 1.0))
    star = weights.get("*")
    best, best_q = IDENTITY, 0.0
    for coding in PREFERENCE:
        q = weights.get(coding, star if star is not None else 0.0)
        if q > best_q:
            best, best_q = coding, q
    return best


def encode(body: bytes, coding: str, *, once: bool = False) -> bytes:
    level = _LEVELS[coding][0 if once else 1]
    if coding == "br":
        return brotli.compress(body, quality=level)
    if coding == "zstd":
        return zstandard.ZstdCompressor(level=level).compress(body)
    return gzip.compress(body, compresslevel=level, mtime=0)


def coded_etag(etag: str, coding: str) -> str:
    """A strong ETag per representation: each content-coding is its own (RFC 9110 §8.8.3)."""
    if coding == IDENTITY or not etag.endswith('"'):
        return etag
    return etag[:-1] + "-" + coding + '"'


def _header(headers, name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


def header(headers, name: str) -> str | None:
    """A header's value from ASGI headers (a request's names are lower-case already)."""
    found = _header(headers, name.encode())
    return None if found is None else found.decode("latin-1")


def with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    vary = _header(headers, b"vary")
    if vary is None:
        return [*headers, (b"vary", b"Accept-Encoding")]
    if b"accept-encoding" in vary.lower():
        return headers
    return [(k, v + b", Accept-Encoding" if k.lower() == b"vary" else v) for k, v in headers]


def coded(status_headers: list[tuple[bytes, bytes]], body: bytes, coding: str,
          *, once: bool = False) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """``body`` in ``coding`` with its headers (length, coding, Vary, the ETag of that coding); the
    identity as it was when the coding does not apply or saves nothing."""
    headers = with_vary([(k, v) for k, v in status_headers if k.lower() != b"content-length"])
    if coding != IDENTITY and len(body) >= THRESHOLD:
        packed = encode(body, coding, once=once)
        if len(packed) < len(body):
            out = [(k, coded_etag(v.decode("latin-1"), coding).encode("latin-1") if k.lower() == b"etag" else v)
                   for k, v in headers]
            return [*out, (b"content-encoding", coding.encode()), (b"content-length", str(len(packed)).encode())], packed
    return [*headers, (b"content-length", str(len(body)).encode())], body


class Compress:
    """ASGI middleware: compress a complete, compressible response per request (not the cached
    pages: web/cache.py answers those from their compressed forms)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] == "HEAD":
            return await self.app(scope, receive, send)
        coding = negotiate(header(scope["headers"], "accept-encoding"))
        start: dict | None = None

        async def wrapped(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                kind = (_header(headers, b"content-type") or b"").decode("latin-1")
                if (message["status"] in (204, 206, 304) or not compressible(kind)
                        or _header(headers, b"content-encoding") is not None):
                    return await send(message)  # streamed or not text: untouched, at once
                start = message
                return None
            if start is None:  # (passing through)
                return await send(message)
            first, start = start, None
            if message.get("more_body"):  # streamed: untouched
                await send({**first, "headers": with_vary(list(first.get("headers", [])))})
                return await send(message)
            headers, body = coded(list(first.get("headers", [])), message.get("body", b""), coding)
            await send({**first, "headers": headers})
            return await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)
