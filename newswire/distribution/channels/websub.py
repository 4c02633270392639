"""WebSub content distribution (W3C WebSub §7): POST the topic's updated feed to each
subscriber callback, signed with X-Hub-Signature when the subscription has a secret.

The payload is the topic feed itself, exactly what GET on the topic returns now, so it is
rendered once per topic and event, never per subscriber. Rendering reads the database, so the
composition root gives the channel ``render_feed`` (the listings service's feed builder).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from urllib.parse import urlsplit

from ...config import Settings
from ...domain.errors import InvalidInput
from ...domain.models import Release
from ...formats.feeds import KINDS
from ...formats.site import HUB_PATH, Site
from ..netguard import check_url
from ..websub_topics import parse_topic
from .base import Job, Result, Target
from .http import HttpChannel, post


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebSubChannel(HttpChannel):
    name = "websub"

    def __init__(self, settings: Settings, site: Site, render_feed: Callable[..., bytes]):
        """``render_feed(lang, kind, industry=…, region=…, issuer=…)``: the topic's feed bytes now."""
        super().__init__(settings)
        self.render_feed = render_feed
        self.hub_url = site.url(HUB_PATH)

    def payload_key(self, release: Release, event: str, target: Target) -> tuple:
        return (target.topic, release.id, release.current.number, event)

    def render(self, release: Release, event: str, target: Target) -> bytes:
        """The topic's feed as it stands; b"" if the topic no longer names one (push then gives up)."""
        parsed, kind = parse_topic(target.topic or ""), _kind(target.topic or "")
        if parsed is None or kind not in KINDS:
            return b""
        lang, filters = parsed
        try:
            return self.render_feed(lang, kind, **filters)
        except InvalidInput:  # e.g. the topic's issuer filter names an issuer since removed
            return b""

    def headers(self, job: Job) -> dict[str, str]:
        topic = job.target.topic or ""
        headers = {"Content-Type": KINDS[_kind(topic)][1],
                   "Link": f'<{self.hub_url}>; rel="hub", <{topic}>; rel="self"'}
        if job.target.secrets:
            headers["X-Hub-Signature"] = signature(job.target.secrets[0], job.payload)
        return headers

    async def push(self, job: Job) -> Result:
        url, did = job.target.address, job.delivery_id
        if not job.payload:
            return Result(did, False, error="the topic is no longer a feed of this wire", permanent=True)
        refused = check_url(url, allow_private=self.settings.webhook_allow_private, resolve=False)
        if refused:
            return Result(did, False, error=f"refused: the callback {refused}", permanent=True)
        # The exact callback, query string included (§8.3); 410 means the subscriber deleted it (§7).
        return await post(self.session(), did, url, job.payload, self.headers(job),
                          timeout=self.settings.webhook_timeout, gone="the subscriber ended it")


def _kind(topic: str) -> str:
    return urlsplit(topic).path.rpartition(".")[2]
