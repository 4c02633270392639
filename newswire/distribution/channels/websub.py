"""WebSub content distribution (W3C WebSub §7): POST the topic's updated feed to each
subscriber callback, signed with X-Hub-Signature when the subscription has a secret.

The payload is the topic feed itself, exactly what GET on the topic returns now, so it is
rendered once per topic and event, never per subscriber. Rendering reads the database,
hence the ``wire`` (one is made from the settings when none is given).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit


from ...config import Settings
from ...domain.errors import InvalidInput
from ...domain.models import Release
from ...formats.site import Site
from ...web.newsroom.feeds import HUB_PATH, KINDS, build_feed
from ...workflow.wire import Wire
from ..netguard import check_url
from ..websub_topics import parse_topic
from .base import Job, Result, Target
from .http import HttpChannel, post


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebSubChannel(HttpChannel):
    name = "websub"

    def __init__(self, settings: Settings, wire: Wire | None = None):
        super().__init__(settings)
        self._wire = wire
        self._own_engine = wire is None
        self.hub_url = Site.from_settings(settings).url(HUB_PATH)

    @property
    def wire(self) -> Wire:
        if self._wire is None:
            from ...storage import db

            self._wire = Wire(engine=db.make_engine(self.settings.sqlalchemy_url), settings=self.settings)
        return self._wire

    def payload_key(self, release: Release, event: str, target: Target) -> tuple:
        return (target.topic, release.id, release.current.number, event)

    def render(self, release: Release, event: str, target: Target) -> bytes:
        """The topic's feed as it stands; b"" if the topic no longer names one (push then gives up)."""
        parsed, kind = parse_topic(target.topic or ""), _kind(target.topic or "")
        if parsed is None or kind not in KINDS:
            return b""
        lang, filters = parsed
        try:
            return build_feed(self.wire, lang, kind, **filters).body
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

    async def close(self) -> None:
        await super().close()
        if self._own_engine and self._wire is not None:
            self._wire.engine.dispose()
            self._wire = None


def _kind(topic: str) -> str:
    return urlsplit(topic).path.rpartition(".")[2]
