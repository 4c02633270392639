"""One rule for a moment written for machines (HTML ``<time datetime>``, JSON-LD, sitemaps):
UTC with a ``Z``, whole seconds, milliseconds only when there are any. HTML allows at most three
digits of a fraction (the Nu Html Checker refuses Python's six)."""

from __future__ import annotations

import datetime as dt


def machine_time(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    utc = when.astimezone(dt.timezone.utc)
    spec = "milliseconds" if utc.microsecond // 1000 else "seconds"
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000).isoformat(timespec=spec).replace("+00:00", "Z")
