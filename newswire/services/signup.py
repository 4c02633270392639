"""Journalists' self-service: sign-up with double opt-in, and what a subscriber changes about its
own e-mail (instant or a daily digest, unsubscribe from all, resume).

``sign_up`` checks everything, mails the confirmation link, then writes in one transaction the
journalist subscriber, its e-mail endpoint (``pending``, which routing skips, so nothing is
delivered yet), the user (role subscriber, linked to it) and the link's token; if the mail cannot
be sent nothing is written (services/links.py: why the mail goes first).
``confirm`` uses the link once (``UserService.confirm``): the endpoint goes live and the person is
signed in. Everything else goes through ``SubscriptionService``'s rules for who may see whom.
"""

from __future__ import annotations

import secrets

from ..domain.errors import Collector, FieldError, InvalidInput
from ..domain.events import UNSUBSCRIBED, EndpointChanged, EndpointStatus
from ..domain.models import SYSTEM, Principal, User
from ..domain.subscriptions import Channel, Endpoint, Kind, Preferences
from ..domain.text import is_email
from ..storage import audit
from ..storage import deliveries as ledger
from ..storage import issuers as issuer_store
from ..storage import subscribers as subs
from ..storage import users as user_store
from . import subscriber_fields as fields
from .subscriptions import SubscriptionService
from .unit import Clock, Database
from .users import Compose, SignedIn, UserService


def is_email_endpoint(e: Endpoint) -> bool:
    return e.channel == Channel.EMAIL


class SignupService:
    def __init__(self, db: Database, clock: Clock, users: UserService, subscriptions: SubscriptionService):
        self.db, self.clock, self.users, self.subscriptions = db, clock, users, subscriptions

    def sign_up(self, raw: dict, compose: Compose, taken: Compose) -> str:
        """``raw``: name, email, password, language (of the account and its e-mails), the preference
        lists, timezone and digest_hour (None: each release at once). Returns the address mailed:
        the confirmation link (``compose``), or, for an address with an account already, a note to
        its owner with a link to sign in (``taken``; nothing is written, and the caller's answer
        reads the same, so that sign-up does not tell who has an account)."""
        c = Collector()
        name, password, language = (str(raw.get(k) or "") for k in ("name", "password", "language"))
        email = self.users.check_account(c, str(raw.get("email") or ""), name, password, language or "en")
        fields.text(c, raw, "name", required=False)  # the subscriber's own limit
        tz = fields.timezone(c, raw.get("timezone") or "UTC")
        hour = fields.digest_hour(c, raw.get("digest_hour"))
        with self.db.read() as conn:  # refused before anything is mailed
            fields.preferences(c, raw, Preferences(), {i.slug for i in issuer_store.list_issuers(conn)})
            c.raise_if_any()
            exists = self.users.taken(conn, email)
        if exists:
            self.users.tell_taken(email, password, taken, language or "en")
            return email
        link = self.users.mail_confirmation(email, compose, language or "en")
        with self.db.transaction() as conn:
            known = {i.slug for i in issuer_store.list_issuers(conn)}
            prefs = fields.preferences(c, raw, Preferences(), known)
            c.raise_if_any()  # an issuer gone since the check above
            now = self.clock()
            sid = subs.create_subscriber(conn, kind=Kind.JOURNALIST, name=name.strip(), email=email,
                                         preferences=prefs, timezone=tz, now=now)
            subs.create_endpoint(conn, subscriber_id=sid, channel=Channel.EMAIL, address=email, now=now,
                                 format=fields.EMAIL_FORMAT, digest_hour=hour, status=EndpointStatus.PENDING,
                                 unsubscribe_token=secrets.token_urlsafe(24))
            user = self.users.create_user(email, name, password, "subscriber", language=language or "en",
                                          subscriber_id=sid, conn=conn)
            audit.record(conn, actor=SYSTEM, action="subscriber.sign_up", now=now,
                         detail={"subscriber_id": sid, "user_id": user.id})
            self.users.store_confirmation(conn, link, user)
        return user.email

    def resend(self, email: str, compose: Compose) -> None:
        """A new confirmation link (the old one stops working) if the address has a sign-up still
        waiting for it; the answer reads the same either way."""
        email = email.strip().lower()
        if not is_email(email):
            raise InvalidInput("email: enter the address you signed up with",
                               errors=[FieldError("email", "enter the address you signed up with, like "
                                                           "name@example.com")])
        with self.db.read() as conn:
            row = user_store.find_by_email(conn, email)
            waiting = bool(row and row.subscriber_id and row.disabled_at is None and any(
                is_email_endpoint(e) and e.status == EndpointStatus.PENDING
                for e in subs.endpoints_of(conn, row.subscriber_id)))
        if waiting:
            self.users.send_confirmation(user_store.to_user(row), compose)

    def confirm(self, token: str) -> SignedIn:
        return self.users.confirm(token, self._activate)

    def _activate(self, conn, user: User) -> None:
        for e in subs.endpoints_of(conn, user.subscriber_id) if user.subscriber_id else []:
            if is_email_endpoint(e) and e.status == EndpointStatus.PENDING:
                subs.update_endpoint(conn, e.id, status=EndpointStatus.ACTIVE)
                self.db.emit(conn, EndpointChanged(e.id, EndpointStatus.ACTIVE))

    # --- a subscriber's own e-mail -----------------------------------------------------------

    def save(self, p: Principal, subscriber_id: int, raw: dict) -> None:
        """Preferences and time zone (``SubscriptionService.update``) and, when ``digest_hour`` is in
        ``raw``, how its e-mail arrives. Everything is checked before anything is written."""
        c = Collector()
        hour = fields.digest_hour(c, raw.get("digest_hour"))
        c.raise_if_any()
        self.subscriptions.update(p, subscriber_id, {k: v for k, v in raw.items() if k != "digest_hour"})
        if "digest_hour" in raw:
            with self.db.transaction() as conn:
                for e in filter(is_email_endpoint, subs.endpoints_of(conn, subscriber_id)):
                    subs.update_endpoint(conn, e.id, digest_hour=hour)
                    self.db.emit(conn, EndpointChanged(e.id, e.status))
                audit.record(conn, actor=p, action="endpoint.digest", now=self.clock(),
                             detail={"subscriber_id": subscriber_id, "digest_hour": hour})

    def unsubscribe_all(self, p: Principal, subscriber_id: int) -> int:
        """Every e-mail endpoint of the subscriber stops, its pending e-mail cancelled (as the link in
        each message does for one); returns how many were stopped."""
        with self.db.transaction() as conn:
            self.subscriptions.visible(conn, p, subscriber_id)
            # an address not confirmed yet gets nothing to stop (and resuming must not skip the confirmation)
            stopped = [e for e in subs.endpoints_of(conn, subscriber_id)
                       if is_email_endpoint(e) and e.status == EndpointStatus.ACTIVE]
            for e in stopped:
                ledger.disable_endpoint(conn, e.id, UNSUBSCRIBED, self.clock())
                self.db.emit(conn, EndpointChanged(e.id, EndpointStatus.DISABLED))
            audit.record(conn, actor=p, action="endpoint.unsubscribe_all", now=self.clock(),
                         detail={"subscriber_id": subscriber_id, "endpoints": [e.id for e in stopped]})
        return len(stopped)

    def resume(self, p: Principal, subscriber_id: int) -> None:
        """E-mail the subscriber stopped starts again, from the next release."""
        for e in self.subscriptions.endpoints(p, subscriber_id):
            if is_email_endpoint(e) and e.disabled_reason == UNSUBSCRIBED:
                self.subscriptions.enable_endpoint(p, subscriber_id, e.id)

    def recent(self, p: Principal, subscriber_id: int, limit: int = 10) -> list:
        """What the subscriber got lately, newest first."""
        with self.db.read() as conn:
            self.subscriptions.visible(conn, p, subscriber_id)
            return ledger.latest(conn, subscriber_id, limit)
