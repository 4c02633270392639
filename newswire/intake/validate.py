"""Turn submitted fields (API JSON, imported files) into validated ``Content``.

Every problem is collected with the field it belongs to, so one response tells
the issuer everything to fix at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..domain import exchanges, languages, limits
from ..domain.errors import Collector, FieldError, TooLarge
from ..domain.models import Contact, Content, Dateline, Disclosure
from ..domain.text import document_problems, html_to_text, is_email
from ..domain.vocab import QCODE_RE, is_region, media_topics, normalize_qcode
from . import html as bodyhtml

CONTACT_FIELDS = ("name", "organisation", "role", "email", "phone")
BODY_FORMATS = ("markdown", "html")
_TICKER = re.compile(r"^[A-Z][A-Z0-9.\-]{0,15}:[A-Z0-9][A-Z0-9.\-]{0,15}$")
_ISIN = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$")


def isin_valid(code: str) -> bool:
    """ISO 6166 check digit (Luhn over the letters expanded to numbers)."""
    if not _ISIN.match(code):
        return False
    digits = "".join(str(int(ch, 36)) for ch in code[:-1])
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return (10 - total % 10) % 10 == int(code[-1])


def _text(c: Collector, raw: dict, name: str, *, required: bool = False) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        c.add(name, "must be a string")
        return ""
    value = value.strip()
    if required and not value:
        c.add(name, f"is required; give the release a {name}")
    limits.check_text(c, f"release.{name}", value, name)
    if bodyhtml.has_markup(value):
        c.add(name, "is plain text; remove the HTML tags")
    return value


def _list(c: Collector, raw: dict, name: str, *, objects: bool = False) -> list:
    """A list field (a comma list in a string too), within its limits; [] when it is not usable."""
    value = raw.get(name) or []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        c.add(name, "must be a list")
        return []
    if not objects and any(isinstance(v, (dict, list)) for v in value):
        c.add(name, "must be a list of strings")
        return []
    return value if limits.check_list(c, f"release.{name}", value, name) else []


def parse_datetime(value: Any) -> dt.datetime:
    """RFC 3339 with an explicit offset; raises ValueError with a helpful message otherwise."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip().replace("z", "Z")
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("has no time zone; write it as RFC 3339 with an offset, e.g. 2026-12-01T09:00:00+01:00")
    return parsed.astimezone(dt.timezone.utc)


def industry_codes(c: Collector, items: list, field: str = "industries") -> tuple[str, ...]:
    """Current IPTC Media Topic QCodes, deduplicated; every other item is reported under ``field[i]``."""
    topics, out = media_topics(), []
    for i, code in enumerate(items):
        q = normalize_qcode(str(code))
        topic = topics.get(q)
        if not QCODE_RE.match(q) or topic is None:
            c.add(f"{field}[{i}]", f"'{code}' is not an IPTC Media Topic; use a QCode such as medtop:04000000 "
                                   "(see /api/v1/industries)")
        elif topic.retired:
            c.add(f"{field}[{i}]", f"'{q}' ({topic.label()}) was retired by IPTC on {topic.retired}; "
                                   "choose a current topic")
        elif q not in out:
            out.append(q)
    return tuple(out)


def region_codes(c: Collector, items: list, field: str = "regions") -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes, upper-cased and deduplicated; others reported under ``field[i]``."""
    out = []
    for i, code in enumerate(items):
        r = str(code).strip().upper()
        if not is_region(r):
            c.add(f"{field}[{i}]", f"'{code}' is not an ISO 3166-1 alpha-2 country code (e.g. DE, US, KR)")
        elif r not in out:
            out.append(r)
    return tuple(out)


def content(raw: dict, *, max_body_bytes: int, today: dt.date | None, base: Content | None = None) -> Content:
    """Validate ``raw``; with ``base``, fields absent from ``raw`` keep base's values (an edit or correction).
    ``today`` is the date of a dateline given without one (typed input); None leaves it undated, as
    imports do: a date the copy does not give is not invented."""
    if base is not None:
        if base.dateline and not base.dateline.date and raw.get("dateline") is None:
            today = None  # an edit that leaves an undated dateline alone keeps it undated
        raw = {**_content_as_raw(base), **{k: v for k, v in raw.items() if v is not None}}
    # Text that cannot be stored or encoded is refused on its own: the other checks would quote it.
    Collector(document_problems(raw)).raise_if_any()
    c = Collector()

    headline = _text(c, raw, "headline", required=True)
    subheadline = _text(c, raw, "subheadline")
    lead = _text(c, raw, "lead")
    boilerplate = _text(c, raw, "boilerplate")
    attribution = _text(c, raw, "attribution")
    language = _language(c, raw.get("language"))
    body_format = raw.get("body_format") or "markdown"
    if body_format not in BODY_FORMATS:
        c.add("body_format", f"'{body_format}' is not supported; use 'markdown' or 'html'")
    body, body_html = _body(c, raw.get("body"), body_format, max_body_bytes)
    dateline = _dateline(c, raw.get("dateline"), today)
    contacts = _contacts(c, _list(c, raw, "contacts", objects=True))
    industries = industry_codes(c, _list(c, raw, "industries"))
    regions = region_codes(c, _list(c, raw, "regions"))
    tickers = _tickers(c, _list(c, raw, "tickers"))
    keywords = [str(k).strip() for k in _list(c, raw, "keywords") if str(k).strip()]
    kind, disclosure = _disclosure(c, raw, keywords)

    c.raise_if_any()
    return Content(
        headline=headline, subheadline=subheadline, lead=lead, body_html=body_html, body_source=body,
        body_format=body_format, language=language, boilerplate=boilerplate, attribution=attribution,
        dateline=dateline, contacts=tuple(contacts), industries=industries, regions=regions,
        tickers=tuple(tickers), keywords=tuple(keywords), type=kind, disclosure=disclosure,
    )


def _disclosure(c: Collector, raw: dict, keywords: list) -> tuple[str, Disclosure | None]:
    """The release type; an ad-hoc disclosure (EU MAR Art. 17) must name its notifier, exchange,
    at least one valid ISIN and a keyword. Other types carry none of these fields."""
    kind = raw.get("type") or exchanges.PRESS_RELEASE
    if kind not in exchanges.TYPES:
        c.add("type", f"'{str(kind)[:40]}' is not a release type; use 'press_release' or 'adhoc'")
        return exchanges.PRESS_RELEASE, None
    if kind != exchanges.ADHOC:
        for name in ("notifier", "exchange", "isins"):
            if raw.get(name):
                c.add(name, "belongs to ad-hoc disclosures only; set type to 'adhoc' or remove it")
        return kind, None
    notifier = _text(c, raw, "notifier")
    if not notifier:
        c.add("notifier", "is required for an ad-hoc disclosure; give the name of the person notifying it")
    exchange = _text(c, raw, "exchange").upper()
    if not exchange:
        c.add("exchange", "is required for an ad-hoc disclosure; name the exchange the shares trade on, e.g. XETRA")
    elif not exchanges.known(exchange):
        c.add("exchange", f"'{exchange}' is not an exchange the wire knows; use its code, e.g. XETRA, NYSE, LSE")
    isins = []
    for i, code in enumerate(_list(c, raw, "isins")):
        isin = str(code).strip().upper()
        if not isin_valid(isin):
            c.add(f"isins[{i}]", f"'{str(code)[:40]}' is not a valid ISIN (12 characters, the last a check digit)")
        elif isin not in isins:
            isins.append(isin)
    if not isins and not any(e.field.startswith("isins") for e in c.errors):
        c.add("isins", "an ad-hoc disclosure needs at least one ISIN of the issuer's instruments, e.g. DE0007164600")
    if not keywords:
        c.add("keywords", "an ad-hoc disclosure needs a keyword saying what it is about, e.g. 'profit warning'")
    return kind, Disclosure(notifier, exchange, tuple(isins))


def _language(c: Collector, lang_raw) -> str | None:
    if not lang_raw:
        c.add("language", f"is required; give a BCP 47 tag, one of: {languages.supported_list()}")
        return None
    if isinstance(lang_raw, str) and not limits.check_text(c, "release.language", lang_raw, "language"):
        return None
    language = languages.normalize(lang_raw) if isinstance(lang_raw, str) else None
    if language is None:
        c.add("language", f"'{lang_raw}' is not a language the wire publishes in; "
                          f"use one of: {languages.supported_list()}")
    return language


def _body(c: Collector, body, body_format: str, max_body_bytes: int) -> tuple[str, str]:
    """The body as sent and as sanitized HTML; a body over ``max_body_bytes`` is TooLarge (413)."""
    if not isinstance(body, str) or not body.strip():
        c.add("body", "is required; send the text of the release")
        return "", ""
    size = len(body.encode("utf-8"))
    if size > max_body_bytes:
        raise TooLarge(
            f"body: is {size:,} bytes; the wire accepts at most {max_body_bytes:,}. "
            "Shorten the release or move annexes to linked documents.",
            errors=[FieldError("body", f"is {size:,} bytes; at most {max_body_bytes:,} are accepted")],
        )
    rendered = bodyhtml.markdown_to_html(body) if body_format == "markdown" else body
    for problem in bodyhtml.problems(rendered):
        c.add("body", problem)
    body_html = bodyhtml.sanitize(rendered)
    if not html_to_text(body_html):
        c.add("body", "has no text left once markup is removed; send the release's text")
    return body, body_html


def _dateline(c: Collector, dl, today: dt.date | None) -> Dateline | None:
    if not dl:
        return None
    if isinstance(dl, str):
        dl = {"city": dl}
    if not isinstance(dl, dict) or not str(dl.get("city") or "").strip():
        c.add("dateline", 'must be an object like {"city": "Berlin", "date": "2026-11-22"}')
        return None
    city = str(dl["city"]).strip()
    if not limits.check_text(c, "release.dateline.city", city, "dateline.city"):
        return None
    try:
        when = dt.date.fromisoformat(str(dl["date"])) if dl.get("date") else today
    except ValueError:
        c.add("dateline.date", f"'{str(dl.get('date'))[:40]}' is not a date; write it as YYYY-MM-DD")
        return None
    return Dateline(city, when)


def _contacts(c: Collector, items: list) -> list[Contact]:
    contacts = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            c.add(f"contacts[{i}]", "must be an object with name, organisation, role, email, phone")
            continue
        unknown = set(item) - set(CONTACT_FIELDS)
        if unknown:
            c.add(f"contacts[{i}]", f"unknown field(s) {', '.join(sorted(unknown))}; use {', '.join(CONTACT_FIELDS)}")
            continue
        if any(isinstance(v, (dict, list)) for v in item.values()):
            c.add(f"contacts[{i}]", "each of name, organisation, role, email and phone must be text")
            continue
        contact = Contact(**{k: str(v).strip() for k, v in item.items() if v})
        if not (contact.name or contact.email or contact.phone):
            c.add(f"contacts[{i}]", "needs at least a name, an email or a phone number")
        if contact.email and not is_email(contact.email):
            c.add(f"contacts[{i}].email", f"'{contact.email}' is not an e-mail address")
        contacts.append(contact)
    return contacts


def _tickers(c: Collector, items: list) -> list[str]:
    tickers = []
    for i, code in enumerate(items):
        t = str(code).strip().upper()
        if not (_TICKER.match(t) or isin_valid(t)):
            c.add(f"tickers[{i}]", f"'{code}' is neither EXCHANGE:SYMBOL (e.g. NASDAQ:ACME) nor a valid ISIN")
        elif t not in tickers:
            tickers.append(t)
    return tickers


def _content_as_raw(c: Content) -> dict:
    return {
        "headline": c.headline, "subheadline": c.subheadline, "lead": c.lead, "body": c.body_source or c.body_html,
        "body_format": c.body_format if c.body_source else "html", "language": c.language,
        "boilerplate": c.boilerplate, "attribution": c.attribution,
        "dateline": ({"city": c.dateline.city, "date": c.dateline.date.isoformat() if c.dateline.date else None}
                     if c.dateline else None),
        "contacts": [x.as_dict() for x in c.contacts], "industries": list(c.industries),
        "regions": list(c.regions), "tickers": list(c.tickers), "keywords": list(c.keywords),
        "type": c.type, **(c.disclosure.as_dict() if c.disclosure else {}),
    }
