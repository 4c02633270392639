"""API keys: issuing, hashing, authenticating, and the rules of who may do what.

Keys look like ``nw_<prefix>_<secret>``. The prefix finds the row; the secret is
checked against an Argon2id hash. Argon2 is deliberately slow, so a verified
key is remembered in-process (by SHA-256 of the whole token) for a short TTL;
a revoked key stops working within that TTL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from ..domain.ids import parse_ref
from ..domain.models import ANONYMOUS, Principal, Release, Role
from ..storage import issuers as store
from ..storage import releases as release_store

# Keys carry 256 random bits, so the hash need not slow down guessing the way a password's must;
# light Argon2id parameters keep verification cheap while a stolen table still reveals nothing.
_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
CACHE_TTL = 30.0
_DUMMY = _hasher.hash("nw_000000000000_a key that does not exist costs as much to refuse as one that does")


def new_token() -> tuple[str, str, str]:
    """(token, prefix, argon2 hash)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = f"nw_{prefix}_{secret}"
    return token, prefix, _hasher.hash(token)


class KeyCache:
    def __init__(self, ttl: float = CACHE_TTL):
        self.ttl = ttl
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        with self._lock:
            hit = self._items.get(digest)
            if hit and hit[0] > time.monotonic():
                return hit[1]
            self._items.pop(digest, None)
            return None

    def put(self, digest: str, principal: Principal) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[digest] = (time.monotonic() + self.ttl, principal)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def authenticate(conn, token: str | None, cache: KeyCache) -> Principal:
    if not token:
        return ANONYMOUS
    digest = hashlib.sha256(token.encode()).hexdigest()
    cached = cache.get(digest)
    if cached:
        return cached
    parts = token.split("_", 2)
    # (a token of another shape looks up the empty prefix, which no key has: the same query either way)
    row = store.find_api_key(conn, parts[1] if len(parts) == 3 and parts[0] == "nw" else "")
    # An unknown prefix is verified against a dummy hash: a wrong secret on a real key id and a key
    # id that does not exist take the same Argon2 work, so the time of a refusal tells nothing.
    try:
        _hasher.verify(row.secret_hash if row is not None else _DUMMY, token)
        verified = row is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        raise Unauthenticated("The API key is not valid or has been revoked; ask an operator for a new key "
                              "(newswire apikey create).")
    principal = Principal(role=Role(row.role), name=row.name, key_id=row.id, issuer_id=row.issuer_id,
                          subscriber_id=row.subscriber_id, user_id=row.user_id)
    cache.put(digest, principal)
    return principal


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"role: '{value}' is not a role; use one of: {', '.join(r.value for r in Role)}") from None


# --- who may do what -------------------------------------------------------------

def require_signed_in(p: Principal) -> None:
    if p.role is None:
        raise Unauthenticated("This needs an API key: send 'Authorization: Bearer <key>'.")


def require_staff(p: Principal, action: str) -> None:
    require_signed_in(p)
    if not p.is_staff:
        raise Forbidden(f"Only editors and admins may {action}.")


def require_admin(p: Principal, action: str) -> None:
    require_signed_in(p)
    if p.role != Role.ADMIN:
        raise Forbidden(f"Only admins may {action}.")


def may_see(p: Principal, release: Release, now: dt.datetime) -> bool:
    return p.can_see_unpublished(release.issuer.id) or release.is_public(now)


def ensure_visible(p: Principal, release: Release | None, now: dt.datetime, release_id) -> Release:
    """404, never 403, for what the caller may not see: its existence is not revealed."""
    if release is None or not may_see(p, release, now):
        raise NotFound(f"There is no published release with id {release_id}.")
    return release


def load_visible(conn, p: Principal, release_id: int, now: dt.datetime) -> Release:
    """The release if ``p`` may see it, else NotFound; what it may not see is not loaded past its
    first row, so an embargoed or draft id costs what a missing one does (the same one query)."""
    return ensure_visible(p, release_store.load(conn, release_id, lambda r: may_see(p, r, now)), now, release_id)


def may_manage(p: Principal, release: Release) -> bool:
    """Its issuer (keys and people), editors and admins: who may also name it by its internal id."""
    return p.can_see_unpublished(release.issuer.id)


def may_see_by(p: Principal, release: Release, ref: int | str, now: dt.datetime) -> bool:
    """Named by its public id, a release is seen by whoever may see it; named by its internal
    number, only by who may manage it (the numbers' sequence is not the public's to count)."""
    return may_manage(p, release) if isinstance(ref, int) else may_see(p, release, now)


def resolve(conn, p: Principal, raw: str | int, now: dt.datetime) -> int:
    """The internal id of the release a caller's reference names (``domain/ids.py``), else NotFound:
    a malformed reference, a missing one, one the caller may not see and an internal number from
    a caller who may not manage the release are answered alike, the last three after the same
    one query."""
    ref = parse_ref(raw)
    found = None if ref is None else release_store.resolve(conn, ref, lambda r: may_see_by(p, r, ref, now))
    if found is None:
        raise NotFound(f"There is no published release with id {raw}.")
    return found


def load_by_ref(conn, p: Principal, raw: str | int, now: dt.datetime) -> Release:
    """``load_visible`` for a caller's reference (``resolve``'s rule), in the one query a missing
    reference costs when the caller may not see it."""
    ref = parse_ref(raw)
    found = None if ref is None else release_store.load(conn, ref, lambda r: may_see_by(p, r, ref, now))
    if found is None:
        raise NotFound(f"There is no published release with id {raw}.")
    return found


def require_own_or_staff(p: Principal, release: Release, action: str) -> None:
    require_signed_in(p)
    if p.is_staff or (p.role == Role.ISSUER and p.issuer_id == release.issuer.id):
        return
    raise Forbidden(f"Only the release's issuer, editors and admins may {action} it.")
