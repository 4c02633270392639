"""Conditional requests (RFC 9110 §13): the one rule for answering 304, shared by the page cache
(web/cache.py) and the routes that answer conditionally themselves (web/newsroom/feeds.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from email.utils import format_datetime, parsedate_to_datetime


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def http_date(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.timezone.utc), usegmt=True)


def not_modified(if_none_match: str | None, if_modified_since: str | None, etags: Collection[str],
                 last_modified: dt.datetime | None) -> bool:
    """If-None-Match (weak comparison against any of ``etags``: the representation's tags, one per
    content-coding) decides when present; If-Modified-Since only otherwise (§13.2.2)."""
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or any(t.removeprefix("W/") in etags for t in tags)
    if not if_modified_since or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    return last_modified.replace(microsecond=0) <= since  # HTTP dates have whole seconds
