"""People who sign in to the web app: passwords (Argon2id), server-side sessions, password
reset and invitations by e-mail, and personal API keys. Roles are the API's.

Session and one-time tokens are 256 random bits handed to the browser; only their SHA-256 is
stored, so a copy of the database opens no session and redeems no link.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain import languages
from ..domain.errors import Collector, Conflict, FieldError, Forbidden, InvalidInput, NotFound, Unauthenticated
from ..domain.models import SYSTEM, Principal, Role, User
from ..domain.text import is_email
from ..storage import audit
from ..storage import issuers as issuer_store
from ..storage import users as store
from . import user_rules
from .accounts import AccountService
from .links import Compose, Link, Links, digest
from .unit import Clock, Database

RESET_HOURS = 2
INVITE_DAYS = 7
CONFIRM_DAYS = 3  # a journalist's sign-up confirmation link
TOUCH_EVERY = dt.timedelta(minutes=10)  # a session's expiry slides forward at most this often
MAX_FAILURES = 5  # wrong passwords in a row before the account rests
LOCK_MINUTES = 15
_hasher = PasswordHasher()  # Argon2id, RFC 9106's second recommended parameters (64 MiB, t=3)


@cache
def _dummy() -> str:
    """A hash to check an unknown address against, so it costs as much as a known one (made on the
    first sign-in, not at import: Argon2id with 64 MiB is deliberately slow)."""
    return _hasher.hash("an unknown e-mail address costs as much to check as a known one")


__all__ = ["Compose", "Invitation", "SignedIn", "UserService", "digest"]


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, the token for the cookie (only at sign-in) and the form token."""

    user: User
    csrf: str
    token: str = ""


@dataclass(frozen=True)
class Invitation:
    email: str
    role: Role
    issuer_name: str | None
    created_by: str


class UserService:
    def __init__(self, db: Database, clock: Clock, accounts: AccountService, links: Links, *,
                 session_days: int = 14, form_key: bytes = b""):
        self.db, self.clock, self.accounts, self.links = db, clock, accounts, links
        self.form_key = form_key or secrets.token_bytes(32)  # signs signed-out visitors' CSRF tokens
        self.session_length = dt.timedelta(days=session_days)

    # --- users ----------------------------------------------------------------------

    def create_user(self, email: str, name: str, password: str, role: str, *, issuer_slug: str | None = None,
                    language: str = "en", actor: Principal = SYSTEM, subscriber_id: int | None = None,
                    conn=None) -> User:
        """``conn``: inside the caller's transaction (a sign-up makes the subscriber and its user at once)."""
        role_ = Role(role) if role in Role._value2member_map_ else None
        c = Collector()
        email = self.check_account(c, email, name, password, language)
        if role_ is None:
            c.add("role", f"'{role}' is not a role; use one of: {', '.join(r.value for r in Role)}")
        c.raise_if_any()
        with self._transaction(conn) as conn:
            issuer_id = user_rules.issuer_for(conn, role_, issuer_slug)
            self.ensure_new(conn, email)
            user = store.create_user(conn, email=email, name=name.strip(), password_hash=_hasher.hash(password),
                                     role=role_, issuer_id=issuer_id, subscriber_id=subscriber_id,
                                     language=language, now=self.clock())
            audit.record(conn, actor=actor, action="user.create", issuer_id=issuer_id, now=self.clock(),
                         detail={"user_id": user.id, "email": email, "role": role_.value})
        return user

    @staticmethod
    def ensure_new(conn, email: str) -> None:
        """Refuse an address that has an account already."""
        if UserService.taken(conn, email):
            raise Conflict(f"There is an account for {email} already; sign in, or reset its password.")

    @staticmethod
    def taken(conn, email: str) -> bool:
        return store.find_by_email(conn, email) is not None

    def tell_taken(self, email: str, password: str, compose: Compose, language: str) -> None:
        """Mail the owner of an address that has an account that someone tried to sign up with it
        (a link to sign in), after the same password hashing a new account costs: the page and its
        time then read the same as a sign-up's, so sign-up tells nobody which addresses have one."""
        _hasher.hash(password or "-")
        self.links.send(email, self.links.url("/signin"), compose, language)

    def get(self, user_id: int) -> User:
        with self.db.read() as conn:
            user = store.get_user(conn, user_id)
        if user is None:
            raise NotFound(f"There is no user {user_id}.")
        return user

    def everyone(self) -> list[User]:
        with self.db.read() as conn:
            return store.list_users(conn)

    def colleagues(self, viewer: Principal) -> list[User]:
        """Who the viewer may see in the people list: everyone for admins, their issuer's people for issuers."""
        with self.db.read() as conn:
            if viewer.role == Role.ADMIN:
                return store.list_users(conn)
            if viewer.role == Role.ISSUER and viewer.issuer_id:
                return store.list_users(conn, issuer_id=viewer.issuer_id)
        return []

    def set_language(self, user: User, language: str) -> None:
        if language not in languages.SUPPORTED:
            raise InvalidInput("language: choose one of the wire's languages",
                               errors=[FieldError("language", "choose one of the wire's languages")])
        with self.db.transaction() as conn:
            store.update_user(conn, user.id, language=language)

    # --- sign in and sessions -------------------------------------------------------

    def sign_in(self, email: str, password: str) -> SignedIn:
        """A new session (never an old one kept: a session id fixed before sign-in is worthless)."""
        email, now = email.strip().lower(), self.clock()
        with self.db.read() as conn:
            row = store.find_by_email(conn, email) if email else None
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            raise Unauthenticated(f"Too many wrong passwords for this address: sign-in rests for {minutes} more "
                                  "minutes. Wait, or reset the password by e-mail.")
        try:
            _hasher.verify(row.password_hash if row else _dummy(), password)
        except (VerificationError, InvalidHashError):
            if row is not None:
                self._failed(row, now)
            row = None
        if row is None or row.disabled_at is not None:
            raise Unauthenticated("The e-mail address or the password is not right. Try again, or reset the "
                                  "password.")
        with self.db.transaction() as conn:
            store.update_user(conn, row.id, failed_signins=0, locked_until=None)
            if _hasher.check_needs_rehash(row.password_hash):
                store.update_user(conn, row.id, password_hash=_hasher.hash(password))
            store.delete_expired_sessions(conn, self.clock())
            signed = self._open_session(conn, row.id)
            audit.record(conn, actor=Principal(role=Role(row.role), name=row.name, user_id=row.id),
                         action="user.sign_in", issuer_id=row.issuer_id, now=self.clock(), detail={"user_id": row.id})
        return signed

    def _failed(self, row, now: dt.datetime) -> None:
        failures = row.failed_signins + 1
        lock = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        with self.db.transaction() as conn:
            store.update_user(conn, row.id, failed_signins=0 if lock else failures, locked_until=lock)
            if lock:
                audit.record(conn, actor=SYSTEM, action="user.locked", issuer_id=row.issuer_id, now=now,
                             detail={"user_id": row.id, "minutes": LOCK_MINUTES})

    def _open_session(self, conn, user_id: int) -> SignedIn:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock()
        store.create_session(conn, digest=digest(token), user_id=user_id, csrf=csrf, now=now,
                             expires_at=now + self.session_length)
        return SignedIn(store.get_user(conn, user_id), csrf, token)

    def session(self, token: str | None) -> SignedIn | None:
        if not token:
            return None
        key, now = digest(token), self.clock()
        with self.db.read() as conn:
            row = store.find_session(conn, key, now)
            user = store.get_user(conn, row.user_id) if row else None
        if row is None or user is None:
            return None
        if now - row.seen_at > TOUCH_EVERY:
            with self.db.transaction() as conn:
                store.touch_session(conn, key, now, now + self.session_length)
        return SignedIn(user, row.csrf)

    def sign_out(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as conn:
                store.delete_session(conn, digest(token))

    def change_password(self, user: User, current: str, new: str, *, keep_token: str | None = None) -> None:
        """Other sessions of the user end; the one making the change (``keep_token``) stays."""
        with self.db.read() as conn:
            row = store.find_by_email(conn, user.email)
        c = Collector()
        try:
            _hasher.verify(row.password_hash, current)
        except (VerificationError, InvalidHashError):
            c.add("current", "is not your current password")
        user_rules.check_password(c, new, user.email)
        c.raise_if_any()
        with self.db.transaction() as conn:
            store.update_user(conn, user.id, password_hash=_hasher.hash(new))
            store.delete_sessions_of(conn, user.id, keep=digest(keep_token) if keep_token else None)
            audit.record(conn, actor=user.principal, action="user.password", issuer_id=user.issuer_id,
                         now=self.clock(), detail={"user_id": user.id})

    # --- password reset ---------------------------------------------------------------

    def request_reset(self, email: str, compose: Compose) -> None:
        """Mail a link that works once for two hours. Says nothing about whether the address has an
        account (the page reads the same either way)."""
        c = Collector()
        email = email.strip().lower()
        if not is_email(email):
            c.add("email", "enter the e-mail address you sign in with, like name@example.com")
        c.raise_if_any()
        with self.db.read() as conn:
            row = store.find_by_email(conn, email)
        if row is None or row.disabled_at is not None:
            return
        link = self.links.mail(email, "/reset", compose, row.language)
        with self.db.transaction() as conn:
            self.links.store(conn, link, purpose="reset", user_id=row.id, hours=RESET_HOURS, created_by="password reset")

    def reset_allowed(self, token: str) -> bool:
        with self.db.read() as conn:
            return store.find_token(conn, digest(token), "reset", self.clock()) is not None

    def reset_password(self, token: str, password: str) -> User:
        """Set the password and end every session of the user. The link works once."""
        with self.db.transaction() as conn:
            row = store.find_token(conn, digest(token), "reset", self.clock())
            if row is None:
                raise NotFound("This reset link has been used or has expired; ask for a new one.")
            c = Collector()
            user_rules.check_password(c, password, row.email)
            c.raise_if_any()
            if not store.use_token(conn, row.id, self.clock()):
                raise NotFound("This reset link has been used or has expired; ask for a new one.")
            store.update_user(conn, row.user_id, password_hash=_hasher.hash(password), failed_signins=0,
                              locked_until=None)
            store.delete_sessions_of(conn, row.user_id)
            user = store.get_user(conn, row.user_id)
            audit.record(conn, actor=user.principal, action="user.reset", issuer_id=user.issuer_id,
                         now=self.clock(), detail={"user_id": user.id})
        return user

    # --- invitations ------------------------------------------------------------------

    def invite(self, actor: Principal, email: str, role: str, compose: Compose, *, issuer_slug: str | None = None,
               language: str = "en", create: Callable | None = None):
        """Admins invite anyone (an issuer's first user included, or an outlet's: ``create(conn)``
        makes the outlet in the invitation's transaction and returns its subscriber id, which this
        returns); an issuer's user invites colleagues of the same issuer; nobody else invites."""
        c = Collector()
        email = email.strip().lower()
        if not is_email(email):
            c.add("email", "enter an e-mail address, like name@example.com")
        role_ = Role(role) if role in Role._value2member_map_ else None
        if role_ is None:
            c.add("role", f"choose one of: {', '.join(r.value for r in Role)}")
        c.raise_if_any()
        if actor.role == Role.ISSUER:
            if role_ != Role.ISSUER:
                raise Forbidden("An issuer's users may invite colleagues of their own issuer only.")
        elif actor.role != Role.ADMIN:
            raise Forbidden("Only admins, and an issuer's users for their colleagues, may invite people.")
        if create is not None and role_ != Role.SUBSCRIBER:
            raise InvalidInput("subscriber: only subscriber accounts belong to a subscriber",
                               errors=[FieldError("role", "only subscriber accounts belong to a subscriber")])
        with self.db.read() as conn:  # refused before anything is mailed, and checked again in the write
            self._invitable(conn, actor, role_, issuer_slug, email)
        link = self.links.mail(email, "/invitations", compose, language)
        with self.db.transaction() as conn:
            issuer_id = self._invitable(conn, actor, role_, issuer_slug, email)
            subscriber_id = create(conn) if create is not None else None
            self.links.store(conn, link, purpose="invite", role=role_.value, issuer_id=issuer_id,
                             hours=24 * INVITE_DAYS, created_by=actor.name, actor=actor, subscriber_id=subscriber_id)
        return subscriber_id

    @staticmethod
    def _invitable(conn, actor: Principal, role: Role, issuer_slug: str | None, email: str) -> int | None:
        """The invited account's issuer id; refuses an address with an account."""
        issuer_id = actor.issuer_id if actor.role == Role.ISSUER else user_rules.issuer_for(conn, role, issuer_slug)
        if store.find_by_email(conn, email):
            raise Conflict(f"{email} has an account already.", errors=[FieldError("email", "has an account already")])
        return issuer_id

    def invitation(self, token: str) -> Invitation | None:
        with self.db.read() as conn:
            row = store.find_token(conn, digest(token), "invite", self.clock())
            issuer = issuer_store.get_issuer(conn, row.issuer_id) if row and row.issuer_id else None
        if row is None:
            return None
        return Invitation(row.email, Role(row.role), issuer.name if issuer else None, row.created_by)

    def accept(self, token: str, name: str, password: str, language: str = "en") -> SignedIn:
        """The invited person's account, signed in. The invitation works once."""
        c = Collector()
        with self.db.transaction() as conn:
            row = store.find_token(conn, digest(token), "invite", self.clock())
            if row is None:
                raise NotFound("This invitation has been used or has expired; ask whoever invited you for a new one.")
            user_rules.check_identity(c, row.email, name, language)
            user_rules.check_password(c, password, row.email)
            c.raise_if_any()
            if store.find_by_email(conn, row.email) or not store.use_token(conn, row.id, self.clock()):
                raise Conflict(f"{row.email} has an account already; sign in instead.")
            user = store.create_user(conn, email=row.email, name=name.strip(), password_hash=_hasher.hash(password),
                                     role=Role(row.role), issuer_id=row.issuer_id, subscriber_id=row.subscriber_id,
                                     language=language, now=self.clock())
            audit.record(conn, actor=user.principal, action="user.accept", issuer_id=user.issuer_id,
                         now=self.clock(), detail={"user_id": user.id, "invited_by": row.created_by})
            return self._open_session(conn, user.id)

    def _transaction(self, conn):  # the caller's transaction when it passes one, else a new one
        return contextlib.nullcontext(conn) if conn is not None else self.db.transaction()

    # --- confirming an e-mail address (journalists' double opt-in, services/signup.py) ----------

    def mail_confirmation(self, email: str, compose: Compose, language: str) -> Link:
        """Mail the link that will confirm the address (``store_confirmation`` makes it work)."""
        return self.links.mail(email, "/subscribe/confirm", compose, language)

    def store_confirmation(self, conn, link: Link, user: User) -> None:
        """The mailed link works once, for CONFIRM_DAYS; earlier ones stop."""
        self.links.store(conn, link, purpose="confirm", user_id=user.id, subscriber_id=user.subscriber_id,
                         hours=24 * CONFIRM_DAYS, created_by="sign-up")

    def send_confirmation(self, user: User, compose: Compose) -> None:
        """A new confirmation link for an account waiting for one."""
        link = self.mail_confirmation(user.email, compose, user.language)
        with self.db.transaction() as conn:
            self.store_confirmation(conn, link, user)

    def confirm(self, token: str, activate: Callable) -> SignedIn:
        """Use the confirmation link once: ``activate(conn, user)`` runs in the same transaction
        (the sign-up's e-mail endpoint goes live), then the user is signed in."""
        with self.db.transaction() as conn:
            row = store.find_token(conn, digest(token), "confirm", self.clock())
            if row is None or not store.use_token(conn, row.id, self.clock()):
                raise NotFound("This confirmation link has been used or has expired. Sign in if you confirmed "
                               "already, or ask for a new link.")
            user = store.get_user(conn, row.user_id)
            activate(conn, user)
            audit.record(conn, actor=user.principal, action="user.confirm", now=self.clock(),
                         detail={"user_id": user.id})
            return self._open_session(conn, user.id)

    # --- personal API keys ---------------------------------------------------------------

    def keys(self, user: User) -> list:
        with self.db.read() as conn:
            return store.keys_of(conn, user.id)

    def create_key(self, user: User, name: str) -> str:
        """A key acting as the user, with the user's role; the token is shown once."""
        with self.db.read() as conn:
            issuer = issuer_store.get_issuer(conn, user.issuer_id) if user.issuer_id else None
        return self.accounts.create_api_key(user.role.value, name, issuer.slug if issuer else None,
                                            actor=user.principal, subscriber_id=user.subscriber_id, user_id=user.id)

    def revoke_key(self, user: User, key_id: int) -> None:
        with self.db.read() as conn:
            if not store.owns_key(conn, user.id, key_id):
                raise NotFound(f"You have no key {key_id}.")
        self.accounts.revoke_api_key(key_id, actor=user.principal)

    def check_account(self, c: Collector, email: str, name: str, password: str, language: str) -> str:
        """A new account's e-mail (normalised), name, password and language, errors into ``c``."""
        return user_rules.check_account(c, email, name, password, language)
