"""What a listing asks for: filters, and the opaque cursor that pages through it. Storage runs
the query; the API, the pages and the feeds build it (through the listings service)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from .ids import PUBLIC_ID
from .models import Status

__all__ = ["ListQuery", "decode_cursor", "encode_cursor"]


@dataclass(frozen=True)
class ListQuery:
    """Filters for listings. ``public_at`` restricts to what the public may see at that instant."""

    public_at: dt.datetime | None = None
    statuses: tuple[Status, ...] = ()
    language: str | None = None
    industries: frozenset[str] = frozenset()  # any of these (callers expand a topic to its descendants)
    region: str | None = None
    issuer_slug: str | None = None
    issuer_id: int | None = None
    since: dt.datetime | None = None
    include_withdrawn_notices: bool = False
    every_language: bool = False  # each release followed by its ready translations (the sitemap)


def encode_cursor(when: dt.datetime, public_id: str) -> str:
    """The position after a listing's last item: its time and its public id (a cursor is public: it
    never carries the internal number; storage finds the row's place by the public id)."""
    raw = f"{when.isoformat()}|{public_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    """Raises ValueError on a cursor this module did not make."""
    padded = cursor + "=" * (-len(cursor) % 4)
    when, public_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    if not PUBLIC_ID.match(public_id):
        raise ValueError("not a release's public id")
    return dt.datetime.fromisoformat(when), public_id
