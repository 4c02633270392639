"""One outbound POST and what its answer means to the ledger: shared by webhooks and WebSub."""

from __future__ import annotations

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from ...config import Settings
from ..netguard import BlockedAddress, GuardedResolver
from .base import Result

READ_LIMIT = 4096  # of a response body: enough for an error message, never a flood


def guarded_session(settings: Settings, *, connections: int = 100, decompress: bool = True,
                    dns: AbstractResolver | None = None) -> aiohttp.ClientSession:
    """Outbound HTTP for webhooks, WebSub and the hub's verification: SSRF-guarded at connect time
    (DNS can change after registration), bounded in time, one keep-alive pool for every host.
    ``dns`` answers for host names instead of the system's resolver (tests); the guard judges its answers."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(settings.webhook_allow_private, dns),
                                     limit=connections, limit_per_host=0)
    return aiohttp.ClientSession(connector=connector, auto_decompress=decompress,
                                 timeout=aiohttp.ClientTimeout(total=settings.webhook_timeout))


class HttpChannel:
    """What every POSTing channel shares: one session, made lazily because it belongs to the
    running event loop, and nothing held back for ``flush``."""

    connections = 100
    decompress = True

    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = guarded_session(self.settings, connections=self.connections, decompress=self.decompress)
        return self._session

    async def flush(self) -> list[Result]:
        return []

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def blocked_reason(exc: BaseException | None) -> str | None:
    """Why the resolver refused the address, if it did (aiohttp wraps the resolver's error)."""
    while exc is not None:
        for e in (exc, getattr(exc, "os_error", None)):
            if isinstance(e, BlockedAddress):
                return str(e)
        exc = exc.__cause__ or exc.__context__
    return None


async def post(session: aiohttp.ClientSession, delivery_id: int, url: str | URL, body: bytes, headers: dict[str, str],
               *, timeout: float, gone: str) -> Result:
    """POST without following redirects; 2xx delivered, 410 gone (``gone`` says what that means),
    a refused address permanent, anything else worth a retry."""
    try:
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as resp:
            text = await resp.content.read(READ_LIMIT)  # reading to the end lets the connection be reused
            code, location = resp.status, resp.headers.get("Location")
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        return failed(delivery_id, exc, timeout)
    return answered(delivery_id, code, text, location, gone)


def failed(delivery_id: int, exc: BaseException, timeout: float) -> Result:
    """What a POST that got no answer means: a refused address is permanent, the rest worth a retry."""
    if isinstance(exc, TimeoutError):
        return Result(delivery_id, False, error=f"no answer within {timeout:g} s")
    if blocked := blocked_reason(exc):
        return Result(delivery_id, False, error=f"refused: {blocked}", permanent=True)
    return Result(delivery_id, False, error=f"{type(exc).__name__}: {exc}")


def answered(delivery_id: int, code: int, text: bytes, location: str | None, gone: str) -> Result:
    """What an answer means to the ledger: 2xx delivered, 410 gone, anything else worth a retry."""
    if 200 <= code < 300:
        return Result(delivery_id, True, status_code=code)
    if code == 410:
        return Result(delivery_id, False, status_code=code, error=f"410 Gone: {gone}", gone=True)
    detail = text.decode("utf-8", "replace").strip()[:500]
    if 300 <= code < 400:
        detail = f"redirect to {location or '?'} not followed"
    return Result(delivery_id, False, status_code=code, error=f"HTTP {code}" + (f": {detail}" if detail else ""))
