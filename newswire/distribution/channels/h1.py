"""A lean HTTP/1.1 client for the webhook fan-out: keep-alive POSTs written as one buffer, answers
parsed by httptools (llhttp, C), on plain asyncio protocols.

Why not aiohttp's client here: a fan-out is the same few header lines and one shared body for
thousands of receivers, and aiohttp spends ~150 µs of CPU a request on machinery a webhook does not
use (cookies, header multidicts, tracing, redirects, payload objects), more than everything else
the worker does for a delivery. This client does only what a webhook POST needs, with the same
rules as ``http.guarded_session``: host names resolved through the ``GuardedResolver`` at connect
time (so DNS that changed to a private address is refused), TLS verified against the system's
certificates, redirects never followed, at most ``READ_LIMIT`` bytes of an answer kept (a longer
one closes the connection), one total timeout per request, idle connections closed after
``KEEPALIVE`` seconds. A POST that fails on a reused connection before any answer came (the
receiver closed it while idle) is sent once more on a new connection; receivers deduplicate by
``webhook-id`` anyway.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque

import httptools
from aiohttp.helpers import is_ip_address
from yarl import URL

from ..netguard import GuardedResolver

READ_LIMIT = 4096
KEEPALIVE = 15.0  # seconds an idle connection is kept (aiohttp's default too)


Answer = tuple[int, bytes, "str | None"]  # status, the first READ_LIMIT bytes of the body, Location


class _Conn(asyncio.Protocol):
    __slots__ = ("body", "closed", "got", "keep", "key", "location", "parser", "status", "timer", "transport",
                 "waiter")

    def __init__(self, key):
        self.key, self.transport, self.waiter, self.timer = key, None, None, None
        self.closed = False
        self._reset()

    def _reset(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status, self.body, self.location, self.keep, self.got = 0, bytearray(), None, True, False

    # --- asyncio.Protocol
    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.got = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionError(f"malformed answer: {exc}"))

    def eof_received(self):
        return False  # close our side too

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            if self.status >= 200:  # an answer delimited by the end of the connection
                self._done(keep=False)
            else:
                self.waiter.set_exception(ConnectionResetError(f"connection closed{f': {exc}' if exc else ''}"))

    # --- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if len(name) == 8 and name.lower() == b"location":
            self.location = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep = self.parser.should_keep_alive()

    def on_body(self, chunk: bytes) -> None:
        room = READ_LIMIT - len(self.body)
        if len(chunk) <= room:
            self.body += chunk
        else:  # more than we read: answer with what we have, drop the connection
            self.body += chunk[:max(room, 0)]
            self._done(keep=False)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:  # an interim answer: the real one follows on the same parser
            self.status, self.location = 0, None
            return
        self._done(keep=self.keep)

    # ---
    def _done(self, keep: bool) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((self.status, bytes(self.body), self.location))
        if not keep:
            self.close()

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class H1Pool:
    """Keep-alive connections per (scheme, host, port), at most ``limit`` requests at once."""

    def __init__(self, resolver: GuardedResolver, *, limit: int = 512, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None):
        self.resolver, self.timeout = resolver, timeout
        self._limit = asyncio.Semaphore(limit)
        self._idle: dict[tuple, deque[_Conn]] = {}
        self._idle_count, self._max_idle = 0, limit
        self._ssl = ssl_context
        self.closed = False

    @staticmethod
    def head(url: URL, lines: bytes) -> bytes:
        """The request line and the fixed headers for ``url`` (``lines``: more ``Name: value\\r\\n``)."""
        return b"POST %s HTTP/1.1\r\nHost: %s\r\n%s" % (
            (url.raw_path_qs or "/").encode("ascii"), url.host_port_subcomponent.encode("idna"), lines)

    async def post(self, url: URL, request: list[bytes]) -> Answer:
        """Send ``request`` (the head and the body, already complete) and read the answer."""
        async with self._limit:
            async with asyncio.timeout(self.timeout):
                conn = self._take(url)
                reused = conn is not None
                if conn is None:
                    conn = await self._connect(url)
                try:
                    return await self._exchange(conn, request)
                except ConnectionError:
                    if not (reused and not conn.got):
                        raise
                conn = await self._connect(url)  # the idle connection was closed under us: once more
                return await self._exchange(conn, request)

    async def _exchange(self, conn: _Conn, request: list[bytes]) -> Answer:
        loop = asyncio.get_running_loop()
        conn.waiter = loop.create_future()
        try:
            conn.transport.writelines(request)
            answer = await conn.waiter
        except BaseException:
            conn.close()  # a half-done exchange: never reused
            raise
        finally:
            conn.waiter = None
        if not conn.closed:
            self._give_back(conn)
        return answer

    def _take(self, url: URL) -> _Conn | None:
        idle = self._idle.get((url.scheme, url.raw_host, url.port))
        while idle:
            conn = idle.pop()
            self._idle_count -= 1
            if conn.timer is not None:
                conn.timer.cancel()
                conn.timer = None
            if not conn.closed and not conn.transport.is_closing():
                return conn
        return None

    def _give_back(self, conn: _Conn) -> None:
        if self.closed or self._idle_count >= self._max_idle:
            conn.close()
            return
        conn._reset()
        self._idle.setdefault(conn.key, deque()).append(conn)
        self._idle_count += 1
        conn.timer = asyncio.get_running_loop().call_later(KEEPALIVE, self._expire, conn)

    def _expire(self, conn: _Conn) -> None:
        idle = self._idle.get(conn.key)
        if idle is not None and conn in idle:
            idle.remove(conn)
            self._idle_count -= 1
            if not idle:
                del self._idle[conn.key]
        conn.timer = None
        conn.close()

    async def _connect(self, url: URL) -> _Conn:
        host, port, tls = url.raw_host, url.port, url.scheme == "https"
        key = (url.scheme, host, port)
        if tls and self._ssl is None:
            self._ssl = ssl.create_default_context()
        ctx = self._ssl if tls else None
        if is_ip_address(host):
            addresses = [host]
        else:  # through the guard: refuses names that resolve to private addresses, at connect time
            addresses = [r["host"] for r in await self.resolver.resolve(url.host, port, socket.AF_UNSPEC)]
        error: OSError | None = None
        loop = asyncio.get_running_loop()
        for address in addresses:
            try:
                _, conn = await loop.create_connection(lambda: _Conn(key), address, port, ssl=ctx,
                                                       server_hostname=url.host if tls else None)
                return conn
            except OSError as exc:
                error = exc
        raise error or ConnectionError(f"{url.host} has no address")

    async def close(self) -> None:
        self.closed = True
        for idle in self._idle.values():
            for conn in idle:
                if conn.timer is not None:
                    conn.timer.cancel()
                conn.close()
        self._idle.clear()
        self._idle_count = 0
        await self.resolver.close()
