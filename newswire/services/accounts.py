"""Accounts: issuers and API keys (one transaction each), and who a key belongs to."""

from __future__ import annotations

from slugify import slugify

from ..domain import limits
from ..domain.errors import Collector, Conflict, InvalidInput, NotFound
from ..domain.models import SYSTEM, Issuer, Principal, Role
from ..storage import audit
from ..storage import issuers as issuer_store
from ..storage import subscribers as subscriber_store
from . import access
from .unit import Clock, Database


class AccountService:
    def __init__(self, db: Database, clock: Clock, keys: access.KeyCache | None = None):
        self.db, self.clock = db, clock
        self.keys = keys or access.KeyCache()  # verified keys, briefly (Argon2 is slow by design)

    def create_issuer(self, slug: str, name: str, *, boilerplate: str = "", website: str = "",
                      contacts: list[dict] | None = None, actor: Principal = SYSTEM) -> Issuer:
        c = Collector()
        if not slug or slugify(slug) != slug:
            c.add("slug", f"'{slug}' must be lower-case letters, digits and hyphens, e.g. '{slugify(slug) or 'acme'}'")
        if not name.strip():
            c.add("name", "is required")
        # Its boilerplate and contacts are its releases' defaults, so they have the releases' limits.
        for key, value in (("issuer.slug", slug), ("issuer.name", name.strip()), ("issuer.website", website),
                           ("release.boilerplate", boilerplate.strip()), ("release.contacts", contacts or [])):
            limits.check(c, key, value)
        c.raise_if_any()
        with self.db.transaction() as conn:
            if issuer_store.get_issuer_by_slug(conn, slug):
                raise Conflict(f"An issuer with slug '{slug}' exists already; choose another slug.")
            issuer = issuer_store.create_issuer(conn, slug=slug, name=name.strip(), boilerplate=boilerplate,
                                                website=website, contacts=contacts, now=self.clock())
            audit.record(conn, actor=actor, action="issuer.create", issuer_id=issuer.id, now=self.clock(),
                         detail={"slug": slug})
            return issuer

    def issuers(self) -> list[Issuer]:
        with self.db.read() as conn:
            return issuer_store.list_issuers(conn)

    def create_api_key(self, role: str, name: str, issuer_slug: str | None = None,
                       actor: Principal = SYSTEM, subscriber_id: int | None = None,
                       user_id: int | None = None) -> str:
        """Returns the token; only its hash is stored."""
        role_ = access.parse_role(role)
        if not name.strip():
            raise InvalidInput("name: give the key a name that says who holds it")
        limits.enforce("apikey.name", name.strip(), "name")
        with self.db.transaction() as conn:
            issuer_id = None
            if role_ == Role.ISSUER:
                if not issuer_slug:
                    raise InvalidInput("issuer: an issuer key must name its issuer (--issuer SLUG)")
                issuer = issuer_store.get_issuer_by_slug(conn, issuer_slug)
                if not issuer:
                    raise NotFound(f"There is no issuer '{issuer_slug}'; create it first (newswire issuer create).")
                issuer_id = issuer.id
            elif issuer_slug:
                raise InvalidInput(f"issuer: only issuer keys are bound to an issuer, not {role_.value} keys")
            if subscriber_id is not None:
                # A subscriber key bound to its account manages that account's preferences and endpoints.
                if role_ != Role.SUBSCRIBER:
                    raise InvalidInput(f"subscriber: only subscriber keys are bound to a subscriber, "
                                       f"not {role_.value} keys")
                if subscriber_store.get_subscriber(conn, subscriber_id) is None:
                    raise NotFound(f"There is no subscriber {subscriber_id}; create it first.")
            token, prefix, hashed = access.new_token()
            key_id = issuer_store.create_api_key(conn, name=name.strip(), role=role_, issuer_id=issuer_id,
                                                 prefix=prefix, secret_hash=hashed, now=self.clock(),
                                                 subscriber_id=subscriber_id, user_id=user_id)
            audit.record(conn, actor=actor, action="apikey.create", issuer_id=issuer_id, now=self.clock(),
                         detail={"key_id": key_id, "role": role_.value, "name": name,
                                 "subscriber_id": subscriber_id, "user_id": user_id})
        return token

    def revoke_api_key(self, key_id: int, actor: Principal = SYSTEM) -> None:
        with self.db.transaction() as conn:
            if not issuer_store.revoke_api_key(conn, key_id, self.clock()):
                raise NotFound(f"There is no live API key with id {key_id}.")
            audit.record(conn, actor=actor, action="apikey.revoke", now=self.clock(), detail={"key_id": key_id})
        self.keys.clear()

    def authenticate(self, token: str | None) -> Principal:
        with self.db.read() as conn:
            return access.authenticate(conn, token, self.keys)

    def forget_keys(self) -> None:
        """Keys were revoked or deleted with their owner: stop honouring cached verifications."""
        self.keys.clear()
