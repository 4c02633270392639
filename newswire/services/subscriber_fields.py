"""Validation of subscriber and endpoint fields: each problem names its field and the fix.

Pure functions over a Collector, so a request hears about all its mistakes at once;
the checks that need the database (issuer slugs exist) take what they need as arguments.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from ..domain import languages, limits
from ..domain.errors import Collector, FieldError, InvalidInput
from ..domain.subscriptions import Channel, Kind, Preferences
from ..domain.text import is_email
from ..intake.validate import industry_codes, region_codes

WEBHOOK_FORMATS = ("ninjs", "newsml-g2")
EMAIL_FORMAT = "email"  # what the endpoints.format column holds for e-mail: the channel's own MIME message
PREFERENCE_FIELDS = ("languages", "regions", "industries", "issuers")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def text(c: Collector, raw: dict, name: str, *, key: str | None = None, required: bool = False) -> str | None:
    """A text field within its limit, ``LIMITS[key]`` (default ``subscriber.<name>``)."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            c.add(name, "is required")
        return None
    if not isinstance(value, str):
        c.add(name, "must be a string")
        return None
    value = value.strip()
    limits.check_text(c, key or f"subscriber.{name}", value, name)
    return value


def kind(c: Collector, value) -> Kind | None:
    if value in (None, ""):
        c.add("kind", f"is required; use one of: {', '.join(k.value for k in Kind)}")
        return None
    try:
        return Kind(value)
    except ValueError:
        c.add("kind", f"'{value}' is not a subscriber kind; use one of: {', '.join(k.value for k in Kind)}")
        return None


def email(c: Collector, raw: dict, name: str = "email", key: str = "subscriber.email") -> str | None:
    value = text(c, raw, name, key=key)
    if value and not is_email(value):
        c.add(name, f"'{value}' is not an e-mail address")
    return value


def timezone(c: Collector, value) -> str | None:
    if not isinstance(value, str) or value not in _zones():
        c.add("timezone", f"'{value}' is not an IANA time zone; write e.g. Europe/Berlin, Asia/Seoul or UTC")
        return None
    return value


def _items(c: Collector, raw: dict, name: str) -> list[str]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.add(name, "must be a list of strings (an empty list means any)")
        return []
    return value if limits.check_list(c, f"subscriber.{name}", value, name) else []


def preferences(c: Collector, raw: dict, base: Preferences, known_issuers: set[str]) -> Preferences:
    """``base`` with every preference field present in ``raw`` replaced, once valid."""
    out = {f: getattr(base, f) for f in PREFERENCE_FIELDS}
    if "languages" in raw:
        langs = []
        for i, tag in enumerate(_items(c, raw, "languages")):
            lang = languages.normalize(tag)
            if lang is None:
                c.add(f"languages[{i}]", f"'{tag}' is not a wire language; use one of: {languages.supported_list()}")
            elif lang not in langs:
                langs.append(lang)
        out["languages"] = tuple(langs)
    if "regions" in raw:
        out["regions"] = region_codes(c, _items(c, raw, "regions"))
    if "industries" in raw:
        out["industries"] = industry_codes(c, _items(c, raw, "industries"))
    if "issuers" in raw:
        slugs = []
        for i, slug in enumerate(_items(c, raw, "issuers")):
            if slug not in known_issuers:
                c.add(f"issuers[{i}]", f"there is no issuer '{slug}'; give issuer slugs as /api/v1/releases shows them")
            elif slug not in slugs:
                slugs.append(slug)
        out["issuers"] = tuple(slugs)
    return Preferences(**out)


def _int(c: Collector, raw: dict, name: str, low: int, high: int, default):
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        c.add(name, f"must be a whole number from {low} to {high}")
        return None
    return value


def endpoint(c: Collector, raw: dict, *, default_email: str | None) -> dict:
    """Column values for a new endpoint (channel, address, format, max_in_flight, digest_hour)."""
    try:
        channel = Channel(raw.get("channel"))
    except ValueError:
        channel = None
    if channel not in (Channel.WEBHOOK, Channel.EMAIL):
        c.add("channel", f"'{raw.get('channel')}' is not a channel you can register; use webhook or email "
                         "(WebSub subscribers register at the hub)")
        return {}
    out = {"channel": channel, "max_in_flight": _int(c, raw, "max_in_flight", 1, 64, 4) or 4}
    if channel == Channel.WEBHOOK:
        for wrong in ("address", "digest_hour"):
            if raw.get(wrong) is not None:
                c.add(wrong, "is for e-mail endpoints; a webhook endpoint takes url, format and max_in_flight")
        out["address"] = text(c, raw, "url", key="endpoint.url", required=True)
        fmt = raw.get("format") or "ninjs"
        if fmt not in WEBHOOK_FORMATS:
            c.add("format", f"'{fmt}' is not a webhook format; use one of: {', '.join(WEBHOOK_FORMATS)}")
        out["format"] = fmt
        return out
    for wrong in ("url", "format"):
        if raw.get(wrong) is not None:
            c.add(wrong, "is for webhook endpoints; an e-mail endpoint takes address and digest_hour")
    out["address"] = email(c, raw, "address", "endpoint.address") or default_email
    if out["address"] is None and not any(e.field == "address" for e in c.errors):
        c.add("address", "is required: the e-mail address to send to (the subscriber has no e-mail on file)")
    out["digest_hour"] = _int(c, raw, "digest_hour", 0, 23, None)
    out["format"] = EMAIL_FORMAT
    return out


def cursor(raw: str | None) -> int:
    """Listings page by id; the cursor is the last id of the previous page."""
    if raw in (None, ""):
        return 0
    if not raw.isdigit():
        raise InvalidInput("cursor: not a cursor this API gave out; use the 'next' link of a listing",
                           errors=[FieldError("cursor", "use the 'next' link of the previous page")])
    return int(raw)


def delivery_filters(channel: str | None, status: str | None, statuses: tuple[str, ...]) -> None:
    c = Collector()
    if channel and channel not in {ch.value for ch in Channel}:
        c.add("channel", f"'{channel}' is not a channel; use one of: {', '.join(ch.value for ch in Channel)}")
    if status and status not in statuses:
        c.add("status", f"'{status}' is not a delivery status; use one of: {', '.join(statuses)}")
    c.raise_if_any()


def digest_hour(c: Collector, value) -> int | None:
    """An e-mail endpoint's delivery: None for each release at once, else the local hour of a daily digest."""
    return _int(c, {"digest_hour": value}, "digest_hour", 0, 23, None)
