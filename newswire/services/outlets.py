"""Outlets' self-service: an admin invites an outlet's first person, and the outlet sends signed
test events to its webhook endpoints, replays its failed deliveries and keeps content-API keys
bound to it. Who may see whom is ``SubscriptionService``'s rule (``visible``, ``endpoint_row``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from ..config import Settings
from ..distribution.channels.base import Target
from ..distribution.channels.webhook import WebhookChannel
from ..distribution.payloads import test_body
from ..distribution.secrets import decrypt
from ..domain.errors import Collector, Conflict, NotFound
from ..domain.models import Principal
from ..domain.subscriptions import Channel, Kind, Preferences
from ..formats.site import Site
from ..storage import audit
from ..storage import subscribers as subs
from . import access
from . import subscriber_fields as fields
from .accounts import AccountService
from .subscriptions import SubscriptionService
from .unit import Clock, Database
from .users import Compose, UserService


@dataclass(frozen=True)
class TestEvent:
    """What the endpoint answered to a signed test event."""

    ok: bool
    status_code: int | None
    error: str
    webhook_id: str


class OutletService:
    def __init__(self, db: Database, clock: Clock, settings: Settings, site: Site, subscriptions: SubscriptionService,
                 accounts: AccountService, users: UserService, webhook: Callable[[], WebhookChannel]):
        self.db, self.clock, self.settings, self.site = db, clock, settings, site
        self.subscriptions, self.accounts, self.users, self.webhook = subscriptions, accounts, users, webhook

    def invite(self, actor: Principal, outlet: str, email: str, compose: Compose, *, language: str = "en") -> int:
        """A new outlet subscriber and an invitation for its first person, in one transaction after
        the invitation is mailed (if it cannot be sent, neither is made). Returns the subscriber's id."""
        access.require_admin(actor, "invite outlets")
        c = Collector()
        name = fields.text(c, {"outlet": outlet}, "outlet", key="subscriber.name", required=True)
        c.raise_if_any()

        def create(conn) -> int:
            sid = subs.create_subscriber(conn, kind=Kind.OUTLET, name=name, email=email.strip().lower() or None,
                                         preferences=Preferences(), timezone="UTC", now=self.clock())
            audit.record(conn, actor=actor, action="subscriber.create", now=self.clock(),
                         detail={"subscriber_id": sid, "kind": Kind.OUTLET.value})
            return sid

        return self.users.invite(actor, email, "subscriber", compose, language=language, create=create)

    # --- test events ----------------------------------------------------------------------

    def send_test(self, p: Principal, subscriber_id: int, endpoint_id: int) -> TestEvent:
        """A real signed Standard Webhooks request to the endpoint, through the webhook channel (the
        same SSRF guard, signing and POST as a delivery), kept in the endpoint's test log."""
        now = self.clock()
        with self.db.read() as conn:
            row = self.subscriptions.endpoint_row(conn, p, subscriber_id, endpoint_id)
        if row.channel != Channel.WEBHOOK.value:
            raise Conflict(f"Endpoint {endpoint_id} is an {row.channel} endpoint; test events go to webhooks.")
        keys = [row.secret_enc] if row.secret_enc else []
        if row.previous_secret_enc and row.previous_secret_expires_at and row.previous_secret_expires_at > now:
            keys.append(row.previous_secret_enc)
        target = Target(id=row.id, subscriber_id=subscriber_id, address=row.address, format=row.format,
                        secrets=tuple(decrypt(self.settings, k) for k in keys))
        webhook_id = f"msg_test_{secrets.token_hex(8)}"
        result = asyncio.run(self._post(target, test_body(row.id, self.site, now), webhook_id))
        event = TestEvent(result.ok, result.status_code, result.error or "", webhook_id)
        with self.db.transaction() as conn:
            subs.record_test(conn, endpoint_id=row.id, webhook_id=webhook_id, sent_at=now, ok=event.ok,
                             status_code=event.status_code, error=event.error)
            audit.record(conn, actor=p, action="endpoint.test", now=now,
                         detail={"subscriber_id": subscriber_id, "endpoint_id": row.id, "ok": event.ok,
                                 "status_code": event.status_code})
        return event

    async def _post(self, target: Target, body: bytes, webhook_id: str):
        channel = self.webhook()
        try:
            return await channel.test(target, body, webhook_id)
        finally:
            await channel.close()

    def tests(self, p: Principal, subscriber_id: int) -> list:
        with self.db.read() as conn:
            self.subscriptions.visible(conn, p, subscriber_id)
            return subs.tests_of(conn, subscriber_id)

    # --- content-API keys bound to the subscriber ----------------------------------------------

    def keys(self, p: Principal, subscriber_id: int) -> list:
        with self.db.read() as conn:
            self.subscriptions.visible(conn, p, subscriber_id)
            return subs.subscriber_keys(conn, subscriber_id)

    def create_key(self, p: Principal, subscriber_id: int, name: str) -> str:
        """A subscriber key for the outlet's systems; the token is shown once."""
        self.subscriptions.get(p, subscriber_id)
        return self.accounts.create_api_key("subscriber", name, actor=p, subscriber_id=subscriber_id)

    def revoke_key(self, p: Principal, subscriber_id: int, key_id: int) -> None:
        live = {k.id for k in self.keys(p, subscriber_id) if k.revoked_at is None}
        if key_id not in live:
            raise NotFound(f"This subscriber has no live key {key_id}.")
        self.accounts.revoke_api_key(key_id, actor=p)
