"""Webhooks: an HTTP POST per endpoint, signed per the Standard Webhooks spec.

One aiohttp session (keep-alive, connection pool) serves every endpoint. Addresses are
checked again at send time: literal IPs here, host names by the connector's resolver,
because DNS can change after registration. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from functools import lru_cache

import aiohttp
from standardwebhooks import Webhook

from ... import __version__
from ...config import Settings
from ...domain.models import Release
from ...formats.site import Site
from ..netguard import BlockedAddress, GuardedResolver, check_url
from ..payloads import webhook_body
from .base import Job, Result, Target

READ_LIMIT = 4096  # of a response body: enough for an error message, never a flood


@lru_cache(maxsize=4096)
def _signer(secret: str) -> Webhook:
    # The library costs ~3 µs more per message than a hand-rolled HMAC (measured): noise next
    # to an HTTP round trip, so the reference implementation signs.
    return Webhook(secret)


def _blocked(exc: BaseException | None) -> str | None:
    """Why the resolver refused the address, if it did (aiohttp wraps the resolver's error)."""
    while exc is not None:
        for e in (exc, getattr(exc, "os_error", None)):
            if isinstance(e, BlockedAddress):
                return str(e)
        exc = exc.__cause__ or exc.__context__
    return None


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: Settings, *, connections: int = 512):
        self.settings = settings
        self.site = Site.from_settings(settings)
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=settings.webhook_timeout)
        self.headers = {"Content-Type": "application/json", "User-Agent": f"Newswire/{__version__}"}
        self._session: aiohttp.ClientSession | None = None

    def payload_key(self, release: Release, event: str, target: Target) -> tuple:
        return (release.id, release.current.number, event, target.format)

    def render(self, release: Release, event: str, target: Target) -> bytes:
        return webhook_body(release, event, self.site)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:  # made lazily: it belongs to the running loop
            connector = aiohttp.TCPConnector(resolver=GuardedResolver(self.settings.webhook_allow_private),
                                             limit=self.connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout,
                                                  headers=self.headers, auto_decompress=False)
        return self._session

    def sign(self, job: Job, msg_id: str, ts: int) -> dict[str, str]:
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(ts)}
        if job.target.secrets:
            body, when = job.payload.decode(), dt.datetime.fromtimestamp(ts, dt.timezone.utc)
            headers["webhook-signature"] = " ".join(_signer(s).sign(msg_id, when, body) for s in job.target.secrets)
        return headers

    async def push(self, job: Job) -> Result:
        url, did = job.target.address, job.delivery_id
        refused = check_url(url, allow_private=self.settings.webhook_allow_private, resolve=False)
        if refused:
            return Result(did, False, error=f"refused: the URL {refused}", permanent=True)
        # The same delivery keeps its id across retries so receivers can deduplicate.
        headers = self.sign(job, f"msg_{did}", int(time.time()))
        try:
            async with self.session().post(url, data=job.payload, headers=headers, allow_redirects=False) as resp:
                text = await resp.content.read(READ_LIMIT)  # reading to the end lets the connection be reused
                code = resp.status
        except (asyncio.TimeoutError, TimeoutError):
            return Result(did, False, error=f"no answer within {self.settings.webhook_timeout:g} s")
        except (aiohttp.ClientError, OSError) as exc:
            if blocked := _blocked(exc):
                return Result(did, False, error=f"refused: {blocked}", permanent=True)
            return Result(did, False, error=f"{type(exc).__name__}: {exc}")
        if 200 <= code < 300:
            return Result(did, True, status_code=code)
        if code == 410:
            return Result(did, False, status_code=code, error="410 Gone: the receiver retired this endpoint",
                          gone=True)
        detail = text.decode("utf-8", "replace").strip()[:500]
        if 300 <= code < 400:
            detail = f"redirect to {resp.headers.get('Location', '?')} not followed"
        return Result(did, False, status_code=code, error=f"HTTP {code}" + (f": {detail}" if detail else ""))

    async def flush(self) -> list[Result]:
        return []

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

