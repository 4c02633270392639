"""The WebSub hub's use cases (W3C WebSub §5): check a (un)subscription request, verify the
subscriber's intent with a challenge, and record the lease (with an audit record and an
``EndpointChanged`` event, like any other endpoint change).

A subscription is an ``endpoints`` row (channel websub, no subscriber account) keyed by
(canonical topic, callback). Nothing changes until the callback echoes the challenge:
a failed re-subscription leaves an active subscription as it was (§5.1).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets as pysecrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import aiohttp

from ..config import Settings
from ..distribution import netguard
from ..distribution.channels.http import guarded_session
from ..distribution.secrets import encrypt
from ..distribution.websub_topics import parse_topic
from ..domain.errors import InvalidInput
from ..domain.events import UNSUBSCRIBED, EndpointChanged, EndpointStatus
from ..domain.limits import LIMITS
from ..domain.models import SYSTEM
from ..domain.subscriptions import Channel
from ..formats.feeds import KINDS
from ..formats.site import canonical_url
from ..storage import audit
from ..storage import deliveries as ledger
from ..storage import subscribers as subs
from .listings import Listings
from .unit import Clock, Database

log = logging.getLogger("newswire.websub")

DEFAULT_LEASE = 10 * 24 * 3600  # the spec's suggested default (§8.2)
MIN_LEASE = 3600  # module constants so tests and operators can change them
MAX_LEASE = 30 * 24 * 3600  # leases must end (§5.3.1)
MAX_SECRET_BYTES = LIMITS["websub.hub.secret"].chars  # "MUST be less than 200 bytes"
MAX_CHALLENGE_REPLY = 1024  # read no more of a verification answer than this


class HubError(ValueError):
    """A refused request; the message is the plain-text body for the subscriber's developer."""


@dataclass(frozen=True)
class HubRequest:
    mode: str  # subscribe | unsubscribe
    topic: str  # the feed's self URL (formats/site.py canonical_url): the subscription key
    given_topic: str  # as sent; echoed in the verification request
    callback: str
    lease_seconds: int
    secret: str | None

    @property
    def kind(self) -> str:
        return urlsplit(self.topic).path.rpartition(".")[2]


def _verification_url(req: HubRequest, challenge: str) -> str:
    params = {"hub.mode": req.mode, "hub.topic": req.given_topic, "hub.challenge": challenge}
    if req.mode == "subscribe":
        params["hub.lease_seconds"] = str(req.lease_seconds)
    # The callback's own query string is kept; ours is appended after it (§5.1.1).
    sep = "" if req.callback.endswith(("?", "&")) else "&" if "?" in req.callback else "?"
    return req.callback + sep + urlencode(params)


async def confirm_intent(settings: Settings, req: HubRequest) -> bool:
    """True only if the callback answers 2xx with exactly the random, single-use challenge (§5.3)."""
    challenge = pysecrets.token_urlsafe(32)
    try:
        async with guarded_session(settings) as http:
            async with http.get(_verification_url(req, challenge), allow_redirects=False) as resp:
                if not 200 <= resp.status < 300:
                    log.info("websub %s of %s refused by %s: HTTP %s", req.mode, req.topic, req.callback, resp.status)
                    return False
                body = b""
                while len(body) <= MAX_CHALLENGE_REPLY:
                    chunk = await resp.content.read(MAX_CHALLENGE_REPLY + 1 - len(body))
                    if not chunk:
                        break
                    body += chunk
    except (aiohttp.ClientError, TimeoutError, OSError) as e:
        log.info("websub %s verification of %s failed: %s", req.mode, req.callback, e)
        return False
    return body == challenge.encode()


class WebSubService:
    def __init__(self, db: Database, clock: Clock, settings: Settings, listings: Listings):
        self.db, self.clock, self.settings, self.listings = db, clock, settings, listings

    def canonical_topic(self, topic: str) -> str:
        """The self URL of the feed ``topic`` names, or HubError if it is not a feed of this wire."""
        example = self.settings.base_url.rstrip("/") + "/feeds/en.atom"
        parts, base = urlsplit(canonical_url(topic)), urlsplit(canonical_url(self.settings.base_url))
        parsed = parse_topic(topic)
        kind = parts.path.rpartition(".")[2]
        same_host = parts.netloc == base.netloc
        if parts.scheme not in ("http", "https") or not same_host or parsed is None or kind not in KINDS:
            raise HubError(f"hub.topic must be a feed URL of this wire, like {example} "
                           "(a /feeds/{language}.rss|atom|json URL, optionally with ?industry=&region=&issuer=)")
        lang, filters = parsed
        try:  # the feed's self URL: canonical_url's spelling, however the topic was written
            return self.listings.feed_query(lang, kind, **filters)[2]
        except InvalidInput as e:
            raise HubError("hub.topic has a bad filter: " + "; ".join(f"{x.field}: {x.message}" for x in e.errors)) \
                from None

    def parse_request(self, form: dict[str, str]) -> HubRequest:
        """Check a request's parameters (unknown ones are ignored, §5.1). Resolves the callback's
        host, so call it off the event loop."""
        mode = form.get("hub.mode", "")
        if mode not in ("subscribe", "unsubscribe"):
            raise HubError("hub.mode must be 'subscribe' or 'unsubscribe'")
        callback, topic = form.get("hub.callback", ""), form.get("hub.topic", "")
        if not callback or not topic:
            raise HubError("hub.callback and hub.topic are required")
        for name, value in (("callback", callback), ("topic", topic)):
            if problem := LIMITS[f"websub.hub.{name}"].text_error(value):
                raise HubError(f"hub.{name} {problem}")
        why = netguard.check_url(callback, allow_private=self.settings.webhook_allow_private)
        if why:
            raise HubError(f"hub.callback {why}")
        canonical = self.canonical_topic(topic)
        lease = DEFAULT_LEASE
        if mode == "subscribe" and form.get("hub.lease_seconds"):
            raw = form["hub.lease_seconds"]
            if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
                raise HubError("hub.lease_seconds must be a positive whole number of seconds")
            # Huge values would only be clamped; int() of thousands of digits would raise.
            lease = MAX_LEASE if len(raw.lstrip("0")) > 9 else min(max(int(raw), MIN_LEASE), MAX_LEASE)
        secret = form.get("hub.secret") or None
        if secret is not None and len(secret.encode()) > MAX_SECRET_BYTES:
            raise HubError("hub.secret must be less than 200 bytes")
        return HubRequest(mode, canonical, topic, callback.split("#", 1)[0], lease, secret)

    def begin(self, req: HubRequest) -> None:
        """Record a new subscription as pending while its intent is verified (visible to operators)."""
        if req.mode != "subscribe":
            return
        with self.db.transaction() as conn:
            if subs.websub_endpoint(conn, req.topic, req.callback) is None:
                eid = subs.create_endpoint(conn, subscriber_id=None, channel=Channel.WEBSUB, address=req.callback,
                                           topic=req.topic, format=req.kind, status=EndpointStatus.PENDING,
                                           now=self.clock())
                self._audit(conn, "websub.request", eid, req)

    def conclude(self, req: HubRequest, verified: bool, verified_at: dt.datetime) -> None:
        """Apply a verified request; undo only our own pending row otherwise."""
        with self.db.transaction() as conn:
            row = subs.websub_endpoint(conn, req.topic, req.callback)
            if row is None:
                return
            if not verified:
                if row.status == EndpointStatus.PENDING:
                    subs.delete_endpoint(conn, row.id, self.clock())
                    self._audit(conn, "websub.refused", row.id, req)
                    self.db.emit(conn, EndpointChanged(row.id, EndpointStatus.DELETED))
                return
            if req.mode == "subscribe":
                # A renewal replaces lease and secret; the lease counts from the verification request (§5.3).
                subs.update_endpoint(conn, row.id, status=EndpointStatus.ACTIVE, disabled_reason="",
                                     expires_at=verified_at + dt.timedelta(seconds=req.lease_seconds),
                                     secret_enc=encrypt(self.settings, req.secret) if req.secret else None)
                self._audit(conn, "websub.subscribe", row.id, req, lease_seconds=req.lease_seconds)
                self.db.emit(conn, EndpointChanged(row.id, EndpointStatus.ACTIVE))
            else:
                # Disabled, not deleted: the ledger keeps what was sent to it; what was still due is cancelled.
                ledger.disable_endpoint(conn, row.id, UNSUBSCRIBED, verified_at)
                self._audit(conn, "websub.unsubscribe", row.id, req)
                self.db.emit(conn, EndpointChanged(row.id, EndpointStatus.DISABLED))

    def _audit(self, conn, action: str, endpoint_id: int, req: HubRequest, **detail) -> None:
        audit.record(conn, actor=SYSTEM, action=action, now=self.clock(),
                     detail={"endpoint_id": endpoint_id, "topic": req.topic, "callback": req.callback, **detail})

    def _known(self, req: HubRequest) -> bool:
        with self.db.read() as conn:
            return subs.websub_endpoint(conn, req.topic, req.callback) is not None

    async def process(self, req: HubRequest) -> bool:
        """Verify and apply one accepted request (run after the 202 has been sent). True if applied."""
        try:
            if req.mode == "unsubscribe" and not await asyncio.to_thread(self._known, req):
                return False  # nothing to end: no need to call anyone
            await asyncio.to_thread(self.begin, req)
            verified_at = self.clock()
            verified = await confirm_intent(self.settings, req)
            await asyncio.to_thread(self.conclude, req, verified, verified_at)
            log.info("websub %s %s -> %s: %s", req.mode, req.topic, req.callback,
                     "verified" if verified else "refused")
            return verified
        except Exception:  # a background task has nobody to report to but the log
            log.exception("websub %s of %s for %s failed", req.mode, req.topic, req.callback)
            return False


