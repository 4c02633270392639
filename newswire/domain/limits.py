"""How much each input may hold: every text and list field of every input, in one table.

The validators check their fields against ``LIMITS`` (``intake.validate`` for releases,
``services.subscriber_fields`` for subscribers and endpoints, the glossary and translation edits);
the web edge bounds the whole request body (``request_body_bytes``) before it is parsed.
docs/api.md documents the table; tests/test_input_limits.py keeps the two in step.

A key names the input and the field (``release.keywords``); ``[]`` stands for each item of a list
(``release.contacts[].email``) and ``{name}`` for each entry of a mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Collector
from .text import safe, text_problem, url_problem


@dataclass(frozen=True)
class Limit:
    chars: int = 0  # the longest text; for a list, of each item; for a mapping, of each key
    items: int = 0  # for a list or a mapping: the most entries
    noun: str = ""  # what an entry is called in messages ("keywords")
    lines: bool = False  # tabs and line breaks allowed (a multi-line text)
    unit: str = "characters"
    url: bool = False  # an absolute http(s) URL (text.url_problem), when not empty

    def describe(self) -> str:
        each = f"at most {self.chars:,} {self.unit}"
        if self.items:
            text = f"at most {self.items:,} {self.noun}" + (f" of {each} each" if self.chars else "")
        else:
            text = each
        return text + ("" if self.lines or not self.chars else ", one line") + (", an http(s) URL" if self.url else "")

    def text_error(self, value: str) -> str | None:
        size = len(value.encode("utf-8", "surrogatepass")) if self.unit == "bytes" else len(value)
        if self.chars and size > self.chars:
            return f"is {size:,} {self.unit} long; shorten it to at most {self.chars:,}"
        problem = text_problem(value, one_line=not self.lines)
        if problem is None and self.url and value:
            problem = url_problem(value)
        return problem

    def count_error(self, n: int) -> str | None:
        return f"{self.describe()}; got {n:,}" if self.items and n > self.items else None


# A picture or logo file, its decoded size (width × height: a decompression bomb is refused before it
# is decoded), a PDF document, and how many files one release carries.
MEDIA_IMAGE_BYTES = 10 * 1024 * 1024
MEDIA_IMAGE_PIXELS = 40_000_000
MEDIA_DOCUMENT_BYTES = 20 * 1024 * 1024
MEDIA_PER_RELEASE = 20
# An upload's request body: the file at its limit and the form's text fields.
MEDIA_FORM_BYTES = 65_536


def upload_body_bytes() -> int:
    """The largest media upload request the API reads (a larger one is refused, 413, unread)."""
    return MEDIA_DOCUMENT_BYTES + MEDIA_FORM_BYTES


_CONTACTS = {"release.contacts": Limit(items=10, noun="contacts"),
            "release.contacts[].name": Limit(200), "release.contacts[].organisation": Limit(200),
            "release.contacts[].role": Limit(200), "release.contacts[].email": Limit(320),
            "release.contacts[].phone": Limit(50)}

LIMITS: dict[str, Limit] = {
    "release.headline": Limit(300),
    "release.subheadline": Limit(500),
    "release.lead": Limit(3000, lines=True),
    "release.boilerplate": Limit(5000, lines=True),
    "release.attribution": Limit(1000, lines=True),
    "release.language": Limit(35),
    "release.dateline.city": Limit(120),
    "release.keywords": Limit(100, items=50, noun="keywords"),
    "release.tickers": Limit(40, items=20, noun="tickers"),
    "release.industries": Limit(40, items=20, noun="industries"),
    "release.regions": Limit(10, items=50, noun="regions"),
    **_CONTACTS,
    "release.target_languages": Limit(35, items=15, noun="languages"),
    "release.notifier": Limit(200),
    "release.exchange": Limit(40),
    "release.isins": Limit(12, items=20, noun="ISINs"),
    "release.override": Limit(1000, lines=True),
    "release.correction_note": Limit(1000, lines=True),
    "release.withdraw_reason": Limit(1000, lines=True),
    "release.send_back_note": Limit(2000, lines=True),
    "issuer.slug": Limit(64),
    "issuer.name": Limit(200),
    "issuer.website": Limit(500, url=True),
    "subscriber.name": Limit(200),
    "subscriber.email": Limit(320),
    "subscriber.languages": Limit(35, items=15, noun="languages"),
    "subscriber.regions": Limit(10, items=250, noun="regions"),
    "subscriber.industries": Limit(40, items=100, noun="industries"),
    "subscriber.issuers": Limit(64, items=100, noun="issuers"),
    "apikey.name": Limit(200),
    "user.email": Limit(254),
    "user.name": Limit(200),
    "user.password": Limit(1024),
    "endpoint.url": Limit(2000, url=True),
    "endpoint.address": Limit(320),
    "glossary.keep": Limit(100, items=500, noun="terms"),
    "glossary.forced": Limit(100, items=500, noun="terms"),
    "glossary.forced.{term}": Limit(35, items=15, noun="languages"),
    "glossary.forced.{term}.{language}": Limit(200),
    "translation.segments": Limit(items=5000, noun="segments"),
    "translation.segments[].text": Limit(20_000, lines=True),
    "websub.hub.callback": Limit(2000, url=True),
    "websub.hub.topic": Limit(2000, url=True),
    "websub.hub.secret": Limit(199, unit="bytes", lines=True),
    "import.files": Limit(items=20, noun="files"),
    "import.files[].name": Limit(255),
    "media.alt_text": Limit(500),
    "media.caption": Limit(2000, lines=True),
    "media.credit": Limit(300),
    "media.filename": Limit(255),
    "media.image": Limit(MEDIA_IMAGE_BYTES, unit="bytes", lines=True),
    "media.image_pixels": Limit(MEDIA_IMAGE_PIXELS, unit="pixels", lines=True),
    "media.document": Limit(MEDIA_DOCUMENT_BYTES, unit="bytes", lines=True),
    "media.per_release": Limit(items=MEDIA_PER_RELEASE, noun="pictures and documents"),
}
# A request body holds the release body (escaped in JSON, up to twice its UTF-8 size for CJK text
# sent as \u escapes) and every other field at its limit (about 40,000 characters, up to 6 bytes each).
OTHER_FIELDS_BYTES = 262_144


def request_body_bytes(max_body_bytes: int) -> int:
    """The largest request body the API reads (a larger one is refused, 413, before it is parsed)."""
    return 2 * max_body_bytes + OTHER_FIELDS_BYTES


def settings_rows(max_body_bytes: int) -> dict[str, str]:
    """The limits that follow NEWSWIRE_MAX_BODY_BYTES, as docs/api.md words them."""
    return {"release.body": f"at most NEWSWIRE_MAX_BODY_BYTES bytes of UTF-8 ({max_body_bytes:,} by default)",
            "request body": f"at most 2 × NEWSWIRE_MAX_BODY_BYTES + {OTHER_FIELDS_BYTES:,} bytes "
                            f"({request_body_bytes(max_body_bytes):,} by default)"}


def _field(key: str) -> str:
    return key.split(".", 1)[1]


def check_text(c: Collector, key: str, value: str, field: str | None = None) -> bool:
    """Add ``value``'s problem with LIMITS[key] (too long, or a line break in a one-line field)."""
    problem = LIMITS[key].text_error(value)
    if problem is not None:
        c.add(field or _field(key), problem)
    return problem is None


def check_list(c: Collector, key: str, items: list, field: str | None = None) -> bool:
    """The list's length, then each text item (``field[i]``); an object item's fields are checked
    against ``LIMITS[key + "[].name"]`` where the table has them. False if anything was wrong."""
    field = field or _field(key)
    problem = LIMITS[key].count_error(len(items))
    if problem is not None:
        c.add(field, problem)
        return False
    ok = True
    for i, item in enumerate(items):
        if isinstance(item, str):
            ok = check_text(c, key, item, f"{field}[{i}]") and ok
        elif isinstance(item, dict):
            for name, value in item.items():
                if isinstance(value, str) and f"{key}[].{name}" in LIMITS:
                    ok = check_text(c, f"{key}[].{name}", value, f"{field}[{i}].{name}") and ok
    return ok


def check_mapping(c: Collector, key: str, mapping: dict, field: str | None = None) -> bool:
    """The mapping's size and each key's length and characters. False if anything was wrong."""
    limit, field = LIMITS[key], field or _field(key)
    problem = limit.count_error(len(mapping))
    if problem is not None:
        c.add(field, problem)
        return False
    ok = True
    for name in mapping:
        problem = limit.text_error(name) if isinstance(name, str) else None
        if problem is not None:
            shown = safe(name if len(name) <= 40 else name[:40] + "…")
            c.add(field, f"one of the {limit.noun} ('{shown}') {problem}")
            ok = False
    return ok


def check(c: Collector, key: str, value, field: str | None = None) -> bool:
    """``value`` (a text, a list or a mapping) against LIMITS[key]; anything else is someone else's to judge."""
    if isinstance(value, str):
        return check_text(c, key, value, field)
    if isinstance(value, list):
        return check_list(c, key, value, field)
    if isinstance(value, dict):
        return check_mapping(c, key, value, field)
    return True


def enforce(key: str, value, field: str | None = None) -> None:
    """Raise InvalidInput if ``value`` breaks LIMITS[key]."""
    c = Collector()
    check(c, key, value, field)
    c.raise_if_any()


def uploads(names: list[str]) -> None:
    """Raise InvalidInput if an import names too many files, or a name is too long."""
    c = Collector()
    if check_list(c, "import.files", names, "files"):
        for i, name in enumerate(names):
            check_text(c, "import.files[].name", name, f"files[{i}].name")
    c.raise_if_any()


def glossary(keep, forced) -> None:
    """Raise InvalidInput if a glossary (``keep`` terms, ``forced`` {term: {language: text}}) is too big."""
    c = Collector()
    if isinstance(keep, list):
        check_list(c, "glossary.keep", keep, "keep")
    if isinstance(forced, dict) and check_mapping(c, "glossary.forced", forced, "forced"):
        for term, by_language in forced.items():
            if isinstance(by_language, dict) and check_mapping(c, "glossary.forced.{term}", by_language,
                                                               f"forced.{term}"):
                for language, text in by_language.items():
                    if isinstance(text, str):
                        check_text(c, "glossary.forced.{term}.{language}", text, f"forced.{term}.{language}")
    c.raise_if_any()

