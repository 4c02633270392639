"""Webhooks: an HTTP POST per endpoint, signed per the Standard Webhooks spec.

One aiohttp session (keep-alive, connection pool) serves every endpoint. Addresses are
checked again at send time: literal IPs here, host names by the connector's resolver,
because DNS can change after registration. Redirects are never followed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from functools import lru_cache

from ... import __version__
from ...config import Settings
from ...domain.models import Release
from ...formats.site import Site
from ..netguard import check_url
from ..payloads import webhook_body
from .base import Job, Result, Target
from .http import HttpChannel, post


@lru_cache(maxsize=8192)
def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_") + "==")  # as standardwebhooks reads it


def signature(secret: str, msg_id: str, ts: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, the Standard Webhooks scheme.

    Hand-rolled rather than ``standardwebhooks.Webhook.sign``, which takes the body as text and so
    decodes and re-encodes it for every recipient: measured 9.8 µs against 6.0 µs a message for a
    3 KB body, 44 against 34 µs for 50 KB. The tests verify every signature with the library."""
    mac = hmac.new(_key(secret), f"{msg_id}.{ts}.".encode(), hashlib.sha256)
    mac.update(body)
    return "v1," + base64.b64encode(mac.digest()).decode()


@lru_cache(maxsize=8192)
def _refused(url: str, allow_private: bool) -> str | None:
    return check_url(url, allow_private=allow_private, resolve=False)  # literal IPs; names: the resolver


class WebhookChannel(HttpChannel):
    name = "webhook"
    decompress = False  # only a few bytes of an answer are read, for the error text

    def __init__(self, settings: Settings, *, connections: int = 512):
        super().__init__(settings)
        self.site = Site.from_settings(settings)
        self.connections = connections
        self.user_agent = f"Newswire/{__version__}"

    def payload_key(self, release: Release, event: str, target: Target) -> tuple:
        return (release.id, release.language, release.current.number, event, target.format)

    def render(self, release: Release, event: str, target: Target) -> bytes:
        return webhook_body(release, event, self.site, target.format)

    def headers(self, job: Job, msg_id: str, ts: int) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": self.user_agent,
                   "webhook-id": msg_id, "webhook-timestamp": str(ts)}
        if job.target.secrets:  # space-separated: the current secret and, during a rotation, the old one
            headers["webhook-signature"] = " ".join(signature(s, msg_id, ts, job.payload) for s in job.target.secrets)
        return headers

    async def push(self, job: Job) -> Result:
        url, did = job.target.address, job.delivery_id
        if refused := _refused(url, self.settings.webhook_allow_private):
            return Result(did, False, error=f"refused: the URL {refused}", permanent=True)
        # The same delivery keeps its id across retries so receivers can deduplicate.
        headers = self.headers(job, f"msg_{did}", int(time.time()))
        return await post(self.session(), did, url, job.payload, headers, timeout=self.settings.webhook_timeout,
                          gone="the receiver retired this endpoint")
