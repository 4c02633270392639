"""Subscriptions: subscribers, their endpoints and secrets, and the delivery ledger as operators see it.

Like every service, each public method is one transaction that validates before it writes, so a
refused request leaves the database as it was. Who may do what:

- admins manage every subscriber, mint subscriber keys and replay dead deliveries;
- a subscriber key bound to a subscriber (``newswire apikey create --subscriber ID``) manages
  that subscriber's preferences and endpoints and reads its deliveries; any other subscriber
  is 404 to it, as to editors and issuers (the subscriber list is not theirs to see);
- a release's issuer, editors and admins read the release's delivery report.
"""

from __future__ import annotations

import datetime as dt
import secrets as pysecrets
from dataclasses import dataclass

from ..config import Settings
from ..distribution import netguard
from ..distribution.secrets import encrypt, new_webhook_secret
from ..domain.errors import Collector, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from ..domain.events import UNSUBSCRIBED, DeliveriesQueued, EndpointChanged, EndpointStatus
from ..domain.models import SYSTEM, Principal, Role
from ..domain.subscriptions import Channel, Endpoint, Preferences, Subscriber
from ..storage import audit
from ..storage import deliveries as ledger
from ..storage import issuers as issuer_store
from ..storage import releases as release_store
from ..storage import subscribers as subs
from . import access
from . import subscriber_fields as fields
from .accounts import AccountService
from .unit import Clock, Database

# After a rotation the old secret keeps verifying this long, so receivers can roll over without
# dropping deliveries. A second rotation within the overlap retires the oldest secret at once.
ROTATION_OVERLAP = dt.timedelta(hours=24)
DELIVERY_STATUSES = (ledger.PENDING, ledger.DELIVERED, ledger.DEAD, ledger.CANCELLED)


@dataclass(frozen=True)
class Issued:
    """An endpoint with the signing secret just minted for it: shown once, stored only encrypted."""

    endpoint: Endpoint
    secret: str | None = None
    previous_secret_expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class DeliveryPage:
    items: list[dict]
    next_cursor: str | None
    summary: dict[str, int] | None = None


class SubscriptionService:
    def __init__(self, db: Database, clock: Clock, settings: Settings, accounts: AccountService):
        self.db, self.clock, self.settings, self.accounts = db, clock, settings, accounts

    # --- who may see whom ------------------------------------------------------

    def visible(self, conn, p: Principal, subscriber_id: int) -> Subscriber:
        access.require_signed_in(p)
        sub = subs.get_subscriber(conn, subscriber_id)
        own = p.role == Role.SUBSCRIBER and p.subscriber_id == subscriber_id
        if sub is None or not (p.role == Role.ADMIN or own):
            raise NotFound(f"There is no subscriber {subscriber_id} that this key may see.")
        return sub

    def endpoint_row(self, conn, p: Principal, subscriber_id: int, endpoint_id: int):
        self.visible(conn, p, subscriber_id)
        row = subs.get_endpoint_row(conn, endpoint_id)
        if row is None or row.subscriber_id != subscriber_id:
            raise NotFound(f"Subscriber {subscriber_id} has no endpoint {endpoint_id}.")
        return row

    def _issuer_slugs(self, conn, raw: dict) -> set[str]:
        return {i.slug for i in issuer_store.list_issuers(conn)} if "issuers" in raw else set()

    def _audit(self, conn, p: Principal, action: str, **detail) -> None:
        audit.record(conn, actor=p, action=action, now=self.clock(), detail=detail)

    # --- subscribers -------------------------------------------------------------

    def create(self, p: Principal, raw: dict) -> Subscriber:
        access.require_admin(p, "create subscribers")
        with self.db.transaction() as conn:
            c = Collector()
            kind = fields.kind(c, raw.get("kind"))
            name = fields.text(c, raw, "name", required=True)
            email = fields.email(c, raw)
            tz = fields.timezone(c, raw.get("timezone") or "UTC")
            prefs = fields.preferences(c, raw, Preferences(), self._issuer_slugs(conn, raw))
            c.raise_if_any()
            sid = subs.create_subscriber(conn, kind=kind, name=name, email=email, preferences=prefs, timezone=tz,
                                         now=self.clock())
            self._audit(conn, p, "subscriber.create", subscriber_id=sid, kind=kind.value)
            return subs.get_subscriber(conn, sid)

    def get(self, p: Principal, subscriber_id: int) -> Subscriber:
        with self.db.read() as conn:
            return self.visible(conn, p, subscriber_id)

    def subscribers(self, p: Principal, *, cursor: str | None = None,
                    limit: int = 100) -> tuple[list[Subscriber], str | None]:
        """Admins page through all; a subscriber key sees its own (how it learns its id)."""
        access.require_signed_in(p)
        after = fields.cursor(cursor)
        with self.db.read() as conn:
            if p.role == Role.SUBSCRIBER:
                own = subs.get_subscriber(conn, p.subscriber_id) if p.subscriber_id else None
                return ([own] if own and own.id > after else []), None
            access.require_admin(p, "list subscribers")
            items = subs.list_subscribers(conn, after_id=after, limit=limit + 1)
        return items[:limit], (str(items[limit - 1].id) if len(items) > limit else None)

    def update(self, p: Principal, subscriber_id: int, raw: dict) -> Subscriber:
        with self.db.transaction() as conn:
            sub = self.visible(conn, p, subscriber_id)
            if "kind" in raw and p.role != Role.ADMIN:
                raise Forbidden("Only admins may change a subscriber's kind.")
            c, values = Collector(), {}
            if "kind" in raw:
                values["kind"] = fields.kind(c, raw["kind"])
            if "name" in raw:
                values["name"] = fields.text(c, raw, "name", required=True)
            if "email" in raw:
                values["email"] = fields.email(c, raw)
            if "timezone" in raw:
                values["timezone"] = fields.timezone(c, raw["timezone"])
            if "active" in raw:
                if not isinstance(raw["active"], bool):
                    c.add("active", "must be true or false")
                values["active"] = raw["active"]
            if any(f in raw for f in fields.PREFERENCE_FIELDS):
                values["preferences"] = fields.preferences(c, raw, sub.preferences, self._issuer_slugs(conn, raw))
            c.raise_if_any()
            if values:
                subs.update_subscriber(conn, subscriber_id, self.clock(), **values)
                self._audit(conn, p, "subscriber.update", subscriber_id=subscriber_id, fields=sorted(raw))
            return subs.get_subscriber(conn, subscriber_id)

    def delete(self, p: Principal, subscriber_id: int) -> None:
        """Its endpoints and keys go with it; its name, address and secrets are scrubbed and its ledger
        rows kept, so reports of releases it was sent stay as they were."""
        with self.db.transaction() as conn:
            self.visible(conn, p, subscriber_id)
            gone = [e.id for e in subs.endpoints_of(conn, subscriber_id)]
            subs.delete_subscriber(conn, subscriber_id, self.clock())
            self._audit(conn, p, "subscriber.delete", subscriber_id=subscriber_id, endpoints=gone)
            for endpoint_id in gone:
                self.db.emit(conn, EndpointChanged(endpoint_id, EndpointStatus.DELETED))
        self.accounts.forget_keys()  # its keys are gone; do not let the cache honour them

    def create_key(self, p: Principal, subscriber_id: int, name: str | None = None) -> str:
        access.require_admin(p, "mint subscriber keys")
        sub = self.get(p, subscriber_id)
        return self.accounts.create_api_key("subscriber", name or sub.name, actor=p, subscriber_id=subscriber_id)

    # --- endpoints ---------------------------------------------------------------

    def endpoints(self, p: Principal, subscriber_id: int) -> list[Endpoint]:
        with self.db.read() as conn:
            self.visible(conn, p, subscriber_id)
            return subs.endpoints_of(conn, subscriber_id)

    def _check_url(self, c: Collector, url: str) -> None:
        reason = netguard.check_url(url, allow_private=self.settings.webhook_allow_private)
        if reason:
            c.add("url", f"'{url}' {reason}")

    def add_endpoint(self, p: Principal, subscriber_id: int, raw: dict) -> Issued:
        now = self.clock()
        with self.db.transaction() as conn:
            sub = self.visible(conn, p, subscriber_id)
            c = Collector()
            values = fields.endpoint(c, raw, default_email=sub.email)
            webhook = values.get("channel") == Channel.WEBHOOK
            if webhook and values.get("address") and not c.errors:
                self._check_url(c, values["address"])
            c.raise_if_any()
            if any(e.channel == values["channel"] and e.address == values["address"]
                   for e in subs.endpoints_of(conn, subscriber_id)):
                raise Conflict(f"Subscriber {subscriber_id} already has a {values['channel'].value} endpoint for "
                               f"{values['address']}; one is enough (each would get every release).")
            secret = new_webhook_secret() if webhook else None
            extra = ({"secret_enc": encrypt(self.settings, secret)} if webhook
                     else {"unsubscribe_token": pysecrets.token_urlsafe(24)})
            eid = subs.create_endpoint(conn, subscriber_id=subscriber_id, now=now, **values, **extra)
            self._audit(conn, p, "endpoint.create", subscriber_id=subscriber_id, endpoint_id=eid,
                        channel=values["channel"].value)
            self.db.emit(conn, EndpointChanged(eid, EndpointStatus.ACTIVE))
            return Issued(subs.to_endpoint(subs.get_endpoint_row(conn, eid)), secret)

    def remove_endpoint(self, p: Principal, subscriber_id: int, endpoint_id: int) -> None:
        with self.db.transaction() as conn:
            self.endpoint_row(conn, p, subscriber_id, endpoint_id)
            subs.delete_endpoint(conn, endpoint_id, self.clock())
            self._audit(conn, p, "endpoint.delete", subscriber_id=subscriber_id, endpoint_id=endpoint_id)
            self.db.emit(conn, EndpointChanged(endpoint_id, EndpointStatus.DELETED))

    def rotate_secret(self, p: Principal, subscriber_id: int, endpoint_id: int) -> Issued:
        now = self.clock()
        with self.db.transaction() as conn:
            row = self.endpoint_row(conn, p, subscriber_id, endpoint_id)
            if row.channel != Channel.WEBHOOK.value:
                raise Conflict(f"Endpoint {endpoint_id} is an {row.channel} endpoint; only webhook endpoints "
                               "have a signing secret to rotate.")
            secret, until = new_webhook_secret(), now + ROTATION_OVERLAP
            subs.update_endpoint(conn, endpoint_id, secret_enc=encrypt(self.settings, secret),
                                 previous_secret_enc=row.secret_enc, previous_secret_expires_at=until)
            self._audit(conn, p, "endpoint.rotate_secret", subscriber_id=subscriber_id, endpoint_id=endpoint_id)
            self.db.emit(conn, EndpointChanged(endpoint_id, row.status))
            return Issued(subs.to_endpoint(subs.get_endpoint_row(conn, endpoint_id)), secret, until)

    def enable_endpoint(self, p: Principal, subscriber_id: int, endpoint_id: int) -> Endpoint:
        """Re-enable an endpoint (e.g. disabled by a 410). What was cancelled meanwhile is not resent."""
        with self.db.transaction() as conn:
            row = self.endpoint_row(conn, p, subscriber_id, endpoint_id)
            if row.status != EndpointStatus.ACTIVE:
                if row.channel == Channel.WEBHOOK.value:
                    c = Collector()
                    self._check_url(c, row.address)  # DNS may have changed since it was registered
                    c.raise_if_any()
                subs.update_endpoint(conn, endpoint_id, status=EndpointStatus.ACTIVE, disabled_reason="")
                self._audit(conn, p, "endpoint.enable", subscriber_id=subscriber_id, endpoint_id=endpoint_id)
                # a running worker that saw this endpoint answer 410 sends to it again
                self.db.emit(conn, EndpointChanged(endpoint_id, EndpointStatus.ACTIVE))
            return subs.to_endpoint(subs.get_endpoint_row(conn, endpoint_id))

    # --- the delivery ledger -------------------------------------------------------

    def _page(self, conn, *, limit: int, channel: str | None, status: str | None, cursor: str | None,
              **where) -> DeliveryPage:
        where = {k: v for k, v in where.items() if v is not None}
        fields.delivery_filters(channel, status, DELIVERY_STATUSES)
        rows = ledger.listing(conn, channel=channel, status=status, after_id=fields.cursor(cursor), limit=limit + 1,
                              **where)
        more, rows = len(rows) > limit, rows[:limit]
        names = subs.names(conn, {r.subscriber_id for r in rows if r.subscriber_id})
        items = [{
            "id": r.id, "release_id": r.release_public_id, "version": r.version, "event": r.event, "language": r.language,
            "subscriber_id": r.subscriber_id, "subscriber_name": names.get(r.subscriber_id),
            "endpoint_id": r.endpoint_id, "channel": r.channel, "status": r.status, "attempts": r.attempts,
            "last_status_code": r.last_status_code, "last_error": r.last_error, "created_at": r.created_at,
            "last_attempt_at": r.last_attempt_at, "delivered_at": r.delivered_at,
            "next_attempt_at": r.next_attempt_at if r.status == ledger.PENDING else None,
        } for r in rows]
        return DeliveryPage(items, str(rows[-1].id) if more else None)

    def release_deliveries(self, p: Principal, release_id: int, *, channel: str | None = None,
                           status: str | None = None, cursor: str | None = None, limit: int = 100,
                           **filters) -> DeliveryPage:
        """The release's delivery report: for its issuer and the desk; 404 to everyone else.
        ``filters`` (language, region, industry, attempted, opened, clicked) are the report's: each
        count in ``/report`` names the filters whose list it is the length of."""
        access.require_signed_in(p)
        with self.db.read() as conn:
            release = release_store.load(conn, release_id)
            if release is None or not p.can_see_unpublished(release.issuer.id):
                raise NotFound(f"There is no release {release_id} whose deliveries this key may see.")
            page = self._page(conn, limit=limit, channel=channel, status=status, cursor=cursor,
                              release_id=release_id, **filters)
            counts = ledger.counts(conn, release_id)
        summary = {s: counts.get(s, 0) for s in DELIVERY_STATUSES}
        return DeliveryPage(page.items, page.next_cursor, {**summary, "total": sum(counts.values())})

    def subscriber_deliveries(self, p: Principal, subscriber_id: int, *, channel: str | None = None,
                              status: str | None = None, cursor: str | None = None,
                              limit: int = 100) -> DeliveryPage:
        with self.db.read() as conn:
            self.visible(conn, p, subscriber_id)
            return self._page(conn, limit=limit, channel=channel, status=status, cursor=cursor,
                              subscriber_id=subscriber_id)

    def replay(self, p: Principal, delivery_id: int, *, subscriber_id: int | None = None) -> int:
        """Admins replay any dead delivery; a subscriber its own (``subscriber_id``, its pages)."""
        if subscriber_id is None:
            access.require_admin(p, "replay deliveries")
        with self.db.transaction() as conn:
            if subscriber_id is not None:
                self.visible(conn, p, subscriber_id)
            row = ledger.get(conn, delivery_id)
            if row is None or subscriber_id is not None and row.subscriber_id != subscriber_id:
                raise NotFound(f"There is no delivery {delivery_id}.")
            if row.status != ledger.DEAD:
                raise Conflict(f"Delivery {delivery_id} is {row.status}; only dead deliveries can be replayed.")
            n = ledger.replay(conn, self.clock(), ids=[delivery_id])
            audit.record(conn, actor=p, action="delivery.replay", now=self.clock(), release_id=row.release_id,
                         detail={"delivery_id": delivery_id})
            self.db.emit(conn, DeliveriesQueued(n))
        return n

    def replay_dead(self, p: Principal, *, confirmed: bool = True) -> int:
        access.require_admin(p, "replay deliveries")
        if not confirmed:  # a bare POST must not resend everything by accident
            raise InvalidInput("dead: set dead=true to replay every dead delivery, or replay one by its id",
                               errors=[FieldError("dead", "must be true")])
        with self.db.transaction() as conn:
            n = ledger.replay(conn, self.clock(), all_dead=True)
            self._audit(conn, p, "delivery.replay_dead", count=n)
            if n:
                self.db.emit(conn, DeliveriesQueued(n))
        return n

    # --- one-click unsubscribe (RFC 8058): the token is the authority -------------------------------

    @staticmethod
    def is_unsubscribed(row) -> bool:
        """Whether the endpoint's subscriber ended it (rather than a 410, or an admin)."""
        return row.status == EndpointStatus.DISABLED and row.disabled_reason == UNSUBSCRIBED

    def unsubscribe_target(self, token: str):
        """The e-mail endpoint a message's unsubscribe token names, or NotFound."""
        with self.db.read() as conn:
            return self._by_token(conn, token)

    def unsubscribe(self, token: str):
        """Disable that one endpoint and cancel its pending deliveries; repeating is harmless."""
        with self.db.transaction() as conn:
            row = self._by_token(conn, token)
            if not self.is_unsubscribed(row):
                ledger.disable_endpoint(conn, row.id, UNSUBSCRIBED, self.clock())
                audit.record(conn, actor=SYSTEM, action="endpoint.unsubscribe", now=self.clock(),
                             detail={"subscriber_id": row.subscriber_id, "endpoint_id": row.id})
                self.db.emit(conn, EndpointChanged(row.id, EndpointStatus.DISABLED))
            return subs.get_endpoint_row(conn, row.id)

    def _by_token(self, conn, token: str):
        row = subs.endpoint_by_unsubscribe_token(conn, token) if len(token) <= 64 else None
        if row is None or row.channel != Channel.EMAIL.value:
            raise NotFound("This unsubscribe link is not valid (it may be mistyped, or its address was removed).")
        return row
