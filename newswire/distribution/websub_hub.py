"""The WebSub hub's domain logic (W3C WebSub §5): check a (un)subscription request,
verify the subscriber's intent with a challenge, and record the lease.

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
from ..domain.errors import InvalidInput
from ..domain.limits import LIMITS
from ..domain.subscriptions import Channel
from ..storage import deliveries as ledger
from ..storage import subscribers as subs
from ..web.newsroom.feeds import KINDS, feed_query
from ..workflow.wire import Wire
from . import netguard
from .channels.http import guarded_session
from .secrets import encrypt
from .websub_topics import parse_topic

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
    topic: str  # the feed's canonical self URL: the subscription key
    given_topic: str  # as sent; echoed in the verification request
    callback: str
    lease_seconds: int
    secret: str | None

    @property
    def kind(self) -> str:
        return urlsplit(self.topic).path.rpartition(".")[2]


def canonical_topic(w: Wire, topic: str) -> str:
    """The self URL of the feed ``topic`` names, or HubError if it is not a feed of this wire."""
    example = w.settings.base_url.rstrip("/") + "/feeds/en.atom"
    parts, base = urlsplit(topic), urlsplit(w.settings.base_url)
    parsed = parse_topic(topic)
    kind = parts.path.rpartition(".")[2]
    same_host = (parts.hostname or "").lower() == (base.hostname or "").lower() and parts.port == base.port
    if parts.scheme not in ("http", "https") or not same_host or parsed is None or kind not in KINDS:
        raise HubError(f"hub.topic must be a feed URL of this wire, like {example} "
                       "(a /feeds/{language}.rss|atom|json URL, optionally with ?industry=&region=&issuer=)")
    lang, filters = parsed
    try:
        return feed_query(w, lang, kind, **filters)[2]
    except InvalidInput as e:
        raise HubError("hub.topic has a bad filter: " + "; ".join(f"{x.field}: {x.message}" for x in e.errors)) \
            from None


def parse_request(w: Wire, form: dict[str, str]) -> HubRequest:
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
    why = netguard.check_url(callback, allow_private=w.settings.webhook_allow_private)
    if why:
        raise HubError(f"hub.callback {why}")
    canonical = canonical_topic(w, topic)
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


def begin(w: Wire, req: HubRequest) -> None:
    """Record a new subscription as pending while its intent is verified (visible to operators)."""
    if req.mode != "subscribe":
        return
    with w.transaction() as conn:
        if subs.websub_endpoint(conn, req.topic, req.callback) is None:
            subs.create_endpoint(conn, subscriber_id=None, channel=Channel.WEBSUB, address=req.callback,
                                 topic=req.topic, format=req.kind,
                                 status="pending", now=w.clock())


def conclude(w: Wire, req: HubRequest, verified: bool, verified_at: dt.datetime) -> None:
    """Apply a verified request; undo only our own pending row otherwise."""
    with w.transaction() as conn:
        row = subs.websub_endpoint(conn, req.topic, req.callback)
        if row is None:
            return
        if not verified:
            if row.status == "pending":
                subs.delete_endpoint(conn, row.id)
        elif req.mode == "subscribe":
            # A renewal replaces lease and secret; the lease counts from the verification request (§5.3).
            subs.update_endpoint(conn, row.id, status="active", disabled_reason="",
                                 expires_at=verified_at + dt.timedelta(seconds=req.lease_seconds),
                                 secret_enc=encrypt(w.settings, req.secret) if req.secret else None)
        else:
            # Disabled, not deleted: the ledger keeps what was sent to it; what was still due is cancelled.
            ledger.disable_endpoint(conn, row.id, "unsubscribed", verified_at)


def _known(w: Wire, req: HubRequest) -> bool:
    with w.engine.connect() as conn:
        return subs.websub_endpoint(conn, req.topic, req.callback) is not None


async def process(w: Wire, req: HubRequest) -> bool:
    """Verify and apply one accepted request (run after the 202 has been sent). True if applied."""
    try:
        if req.mode == "unsubscribe" and not await asyncio.to_thread(_known, w, req):
            return False  # nothing to end: no need to call anyone
        await asyncio.to_thread(begin, w, req)
        verified_at = w.clock()
        verified = await confirm_intent(w.settings, req)
        await asyncio.to_thread(conclude, w, req, verified, verified_at)
        log.info("websub %s %s -> %s: %s", req.mode, req.topic, req.callback, "verified" if verified else "refused")
        return verified
    except Exception:  # a background task has nobody to report to but the log
        log.exception("websub %s of %s for %s failed", req.mode, req.topic, req.callback)
        return False
