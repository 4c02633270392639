"""A release's public id: the one name the public sees (page URLs, feeds, ninjs, NewsML, webhooks,
the API's ``id``), random so that ids tell nothing of how many releases exist or wait unpublished.

The row's own integer id stays internal: the desk's pages and logs use it, and the API accepts it
only from a caller who may manage the release (``services/access.py``).
"""

from __future__ import annotations

import re
import secrets

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_BASE32 = _LETTERS + "234567"  # RFC 4648's alphabet, in lower case: no 0/1/8/9 to mistake for O/l/B/g
RANDOM_CHARS = 16  # 16 × 5 = 80 random bits, after a random letter (another 4.7 bits)
LENGTH = 1 + RANDOM_CHARS
PATTERN = f"[a-z][a-z2-7]{{{RANDOM_CHARS}}}"  # a letter first: never all digits, never an internal id
PUBLIC_ID = re.compile(f"^{PATTERN}$")
MAX_INTERNAL = 2**31 - 1  # PostgreSQL INTEGER; a larger number names nothing
REF_PATTERN = f"^(?:{PATTERN}|[0-9]{{1,10}})$"  # what a path's release reference may be
REF_DESCRIPTION = ("The release's public id (its `id`, e.g. `kq3x7aa2mfz5ubnc4`); its issuer, editors and admins "
                   "may also use the internal number the desk shows.")


def new_public_id() -> str:
    """The one place a public id is made: a letter, then 80 bits from ``secrets`` in base32."""
    return secrets.choice(_LETTERS) + "".join(secrets.choice(_BASE32) for _ in range(RANDOM_CHARS))


def parse_ref(raw: object) -> str | int | None:
    """What a reference names: a public id (str), an internal row id (int), or None for neither
    (malformed, or a number no row can have), which every caller answers as a missing release."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_INTERNAL else None
    if not isinstance(raw, str):
        return None
    if PUBLIC_ID.match(raw):
        return raw
    if raw.isascii() and raw.isdigit() and len(raw) <= 10:
        number = int(raw)
        return number if 0 < number <= MAX_INTERNAL else None
    return None
