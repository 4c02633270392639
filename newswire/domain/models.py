"""The wire's nouns as plain, immutable values.

Storage turns rows into these; formats, newsroom and distribution read only these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .text import url_problem


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    ISSUER = "issuer"
    SUBSCRIBER = "subscriber"


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"


# The states in which a release is public (subject to its release time having passed).
LIVE = frozenset({Status.PUBLISHED, Status.CORRECTED})


@dataclass(frozen=True)
class Contact:
    name: str = ""
    organisation: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Dateline:
    city: str
    date: dt.date | None = None  # None: the copy gave no date (an import); pages fall back to publication


@dataclass(frozen=True)
class Disclosure:
    """What an ad-hoc disclosure (EU MAR Art. 17) must carry besides the text."""

    notifier: str  # the person who notifies the disclosure
    exchange: str
    isins: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"notifier": self.notifier, "exchange": self.exchange, "isins": list(self.isins)}


@dataclass(frozen=True)
class Rendition:
    """One stored file of a media item: ``thumbnail``, ``large`` (1200 px) or ``original``."""

    name: str
    mime: str
    ext: str
    size: int  # bytes
    width: int = 0  # pixels; 0 for a document
    height: int = 0

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.ext}"


@dataclass(frozen=True)
class Media:
    """A picture or a document of a release, or an issuer's logo (``kind``: picture | document | logo)."""

    id: int
    token: str  # 128 random bits, hex: the unguessable part of every rendition's URL
    kind: str
    mime: str
    filename: str  # as uploaded, for the download's name
    renditions: tuple[Rendition, ...]
    alt_text: str = ""
    caption: str = ""
    credit: str = ""
    position: int = 0

    @property
    def is_image(self) -> bool:
        return self.kind != "document"

    def rendition(self, name: str) -> Rendition | None:
        return next((r for r in self.renditions if r.name == name), None)

    @property
    def largest(self) -> Rendition:
        """The rendition to show or link first: ``large`` when there is one, else the original."""
        return self.rendition("large") or self.renditions[-1]

    def text_fields(self) -> dict[str, str]:
        """Its texts a translation carries, under their field names (``media.{token}.caption``)."""
        return {media_field(self.token, name): getattr(self, name) for name in MEDIA_TEXTS if getattr(self, name)}

    def translated(self, fields: dict) -> "Media":
        """This item with the texts of a translation's ``fields``; a text it lacks (an older
        translation, made before media texts were translated) stays the original's."""
        found = {name: fields[media_field(self.token, name)] for name in MEDIA_TEXTS
                 if media_field(self.token, name) in fields}
        return replace(self, **found) if found else self


MEDIA_TEXTS = ("alt_text", "caption")  # translated with the release; the credit is a name, the files stay
MEDIA_FIELD = "media."  # the prefix of a media text's field name in a translation


def media_field(token: str, name: str) -> str:
    """A media text's field name in a translation, by the item's random token: never its row id,
    which counts every picture on the wire (embargoed ones too) and would reach whoever reads the
    translation (migration 0015 rewrote the keys stored before)."""
    return f"{MEDIA_FIELD}{token}.{name}"


def content_fields(fields: dict) -> dict:
    """A translation's fields that are the release's own (its ``Content``), without the media texts."""
    return {k: v for k, v in fields.items() if not k.startswith(MEDIA_FIELD)}


@dataclass(frozen=True)
class Issuer:
    id: int
    slug: str
    name: str
    boilerplate: str = ""
    website: str = ""
    contacts: tuple[Contact, ...] = ()
    logo: Media | None = None  # with the issuer's page and every release loaded

    def __post_init__(self):
        # Only an http(s) website is ever printed (links, JSON-LD, ninjs, NewsML): one stored before
        # the rule (text.url_problem, checked on input) is dropped here, wherever it is read.
        if self.website and url_problem(self.website) is not None:
            object.__setattr__(self, "website", "")


@dataclass(frozen=True)
class Content:
    """The editorial content of one version of a release, already validated and sanitized."""

    headline: str
    body_html: str
    language: str
    body_source: str = ""
    body_format: str = "html"
    subheadline: str = ""
    dateline: Dateline | None = None
    lead: str = ""
    boilerplate: str = ""
    contacts: tuple[Contact, ...] = ()
    industries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    attribution: str = ""
    type: str = "press_release"  # or "adhoc": an ad-hoc disclosure under EU MAR Art. 17 (domain/exchanges.py)
    disclosure: Disclosure | None = None  # set on an ad-hoc disclosure


@dataclass(frozen=True)
class Version:
    number: int
    content: Content
    created_at: dt.datetime
    created_by: str
    correction_note: str = ""


@dataclass(frozen=True)
class Translated:
    """What makes a Release object a language version: the original it was translated from and how."""

    original_language: str
    source_version: int  # the version of the original this translation renders
    engines: tuple[str, ...] = ()  # engine names that translated some of it (empty: all human)
    human: bool = False  # an editor wrote or approved some segments

    @property
    def machine(self) -> bool:
        return bool(self.engines)


@dataclass(frozen=True)
class Release:
    """A release as it stands, with its current version (in its original language, or in one
    of its translations when ``translation`` is set)."""

    id: int
    slug: str
    issuer: Issuer
    status: Status
    current: Version
    created_at: dt.datetime
    updated_at: dt.datetime
    embargo_until: dt.datetime | None = None
    published_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: str = ""
    corrections: tuple[Version, ...] = field(default=())  # earlier published versions, oldest first
    target_languages: tuple[str, ...] = ()  # what the issuer asked it to be translated into
    translations: tuple[str, ...] = ()  # languages whose translation of the current version is ready
    translation: Translated | None = None  # set on a language version
    media: tuple[Media, ...] = ()  # pictures and documents, in the issuer's order
    public_id: str = ""  # domain/ids.py: every public name of it (``id`` is the internal row id)
    numeric_url: bool = False  # public before ids were random: its old numeric URLs redirect

    @property
    def pictures(self) -> tuple[Media, ...]:
        return tuple(m for m in self.media if m.kind == "picture")

    @property
    def documents(self) -> tuple[Media, ...]:
        return tuple(m for m in self.media if m.kind == "document")

    @property
    def original_language(self) -> str:
        return self.translation.original_language if self.translation else self.content.language

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language this release can be read in: the original first."""
        return (self.original_language, *(x for x in self.translations if x != self.original_language))

    def in_language(self, content: Content, info: Translated, fields: dict | None = None) -> "Release":
        """This release as its language version with ``content`` (a translation of the current version),
        its media with the alt texts and captions of the translation's ``fields``."""
        media = tuple(m.translated(fields) for m in self.media) if fields else self.media
        return replace(self, current=replace(self.current, content=content), translation=info, media=media)

    @property
    def content(self) -> Content:
        return self.current.content

    @property
    def language(self) -> str:
        return self.current.content.language

    def is_public(self, now: dt.datetime) -> bool:
        return (
            self.status in LIVE
            and self.published_at is not None
            and self.published_at <= now
        )

    def is_withdrawn_notice(self, now: dt.datetime) -> bool:
        """Withdrawn after having been public: a notice stands in its place."""
        return (
            self.status == Status.WITHDRAWN
            and self.published_at is not None
            and self.published_at <= now
        )


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key's identity, or the anonymous public."""

    role: Role | None
    name: str = "anonymous"
    key_id: int | None = None
    issuer_id: int | None = None
    subscriber_id: int | None = None  # a subscriber key's own subscriber account, if bound to one
    user_id: int | None = None  # the person signed in, or the owner of a personal key

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.EDITOR)

    def can_see_unpublished(self, release_issuer_id: int) -> bool:
        return self.is_staff or (self.role == Role.ISSUER and self.issuer_id == release_issuer_id)


ANONYMOUS = Principal(role=None)


@dataclass(frozen=True)
class Notice:
    """A one-off e-mail to a person (a reset link, an invitation), already in their language."""

    subject: str
    text: str


@dataclass(frozen=True)
class User:
    """A person who signs in to the web app, with the same roles as API keys."""

    id: int
    email: str
    name: str
    role: Role
    issuer_id: int | None
    subscriber_id: int | None
    language: str
    created_at: dt.datetime
    disabled: bool = False

    @property
    def principal(self) -> Principal:
        return Principal(role=self.role, name=self.name, issuer_id=self.issuer_id,
                         subscriber_id=self.subscriber_id, user_id=self.id)
SYSTEM = Principal(role=Role.ADMIN, name="system")
