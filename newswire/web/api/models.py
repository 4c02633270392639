"""What the API answers, as the OpenAPI document shows it: releases, pre-checks, imports,
vocabularies, media and translations (subscribers and deliveries: ``models_subscribers``).

Each model is exactly what a route returns (``extra="forbid"``: a field added to a route's answer
and not here fails the tests, never the document silently); ninjs is IPTC's, documented by its main
members with the others allowed (https://www.iptc.org/std/ninjs/ninjs-schema_2.1.json).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ...domain.ids import PUBLIC_ID as _PUBLIC_ID

PUBLIC_ID = _PUBLIC_ID.pattern

DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- releases ------------------------------------------------------------------------

class ReleaseSummary(Out):
    """The workflow view of a release: what its issuer and the desk track."""

    id: str = Field(description="The release's public id: random, a letter and 16 base32 characters "
                                "(`/api/v1/releases/{id}`, its page, feeds, webhooks)", pattern=PUBLIC_ID)
    status: str = Field(description="draft, submitted, approved, scheduled, published, withdrawn")
    url: Url = Field(description="The release page (public from the release second)")
    api_url: Url
    issuer: str = Field(description="The issuer's slug")
    language: str
    type: str = Field(description="press_release or adhoc")
    target_languages: list[str]
    languages: list[str] = Field(description="The original and each translation ready to read")
    headline: str
    version: int
    embargo_until: DateTime | None
    published_at: DateTime | None
    withdrawn_at: DateTime | None
    updated_at: DateTime


class HistoryEntry(Out):
    at: DateTime
    actor: str
    action: str = Field(examples=["release.submit"])
    detail: dict[str, Any] | None


class ReleaseStatus(ReleaseSummary):
    first_delivered_at: DateTime | None = Field(description="When the first delivery to a recipient was recorded")
    history: list[HistoryEntry]


class Ninjs(BaseModel):
    """A release as an IPTC ninjs 2.1 document (its main members; ninjs allows others)."""

    model_config = ConfigDict(extra="allow")
    uri: str
    type: str = Field(examples=["text"])
    version: str
    language: str
    pubstatus: str = Field(description="usable, withheld or canceled")
    firstcreated: DateTime | None = None
    versioncreated: DateTime | None = None
    headlines: list[dict[str, Any]] = Field(default_factory=list)
    descriptions: list[dict[str, Any]] = Field(default_factory=list)
    bodies: list[dict[str, Any]] = Field(default_factory=list)
    subjects: list[dict[str, Any]] = Field(default_factory=list)
    renditions: list[dict[str, Any]] = Field(default_factory=list)
    associations: list[dict[str, Any]] = Field(default_factory=list)


class ReleaseList(Out):
    items: list[Ninjs]
    next: Url | None = Field(description="The next page, while there is one")


class Finding(Out):
    check: str = Field(examples=["weekday"])
    severity: str = Field(description="error or warning")
    message: str
    field: str
    offset: int | None = Field(None, description="Characters into the field's plain text")
    quote: str | None = None


class RecordedChecks(Out):
    version: int
    checked_at: DateTime
    results: list[Finding]


class CheckCounts(Out):
    error: int
    warning: int


class CheckReport(Out):
    release_id: str = Field(description="The release's public id")
    version: int
    counts: CheckCounts
    results: list[Finding]
    last_recorded: RecordedChecks | None


class ImportPreview(Out):
    name: str
    kind: str | None = None
    language_from: str | None = None
    agency: str | None = None
    fields: dict[str, Any] | None = None
    furniture: list[dict[str, Any]] | None = None
    warnings: list[str] | None = None
    problems: list[str] = Field(description="What importing this file would refuse")


class ImportResult(Out):
    dry_run: bool
    files: list[ImportPreview] | None = Field(None, description="A dry run: what each file would give")
    releases: list[ReleaseSummary] | None = Field(None, description="The releases made (all or none)")


# --- vocabularies --------------------------------------------------------------------

class Language(Out):
    tag: str = Field(examples=["en"])
    name: str
    rtl: bool


class LanguageList(Out):
    items: list[Language]


class Topic(Out):
    qcode: str = Field(examples=["medtop:04000000"])
    uri: Url
    label: str
    parent: str | None


class TopicList(Out):
    source: str
    licence: str
    items: list[Topic]


# --- media ---------------------------------------------------------------------------

class MediaRendition(Out):
    name: str = Field(description="thumbnail, large or original")
    href: Url
    contenttype: str
    width: int | None
    height: int | None
    sizeinbytes: int


class MediaItem(Out):
    id: int | None = Field(None, description="The item's number, to replace, delete or order it: only for who "
                                             "manages the release (its issuer, editors, admins); null for everyone else")
    kind: str = Field(description="picture or document")
    mime: str
    filename: str
    alt_text: str
    caption: str
    credit: str
    position: int
    renditions: list[MediaRendition]


class MediaList(Out):
    items: list[MediaItem]


# --- translations --------------------------------------------------------------------

class Progress(Out):
    done: int
    total: int


class TranslationLabel(Out):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    machine: bool
    from_: str = Field(alias="from", description="The original's language")
    engines: list[str]
    human_edited: bool
    source_version: int


class Translation(Out):
    language: str
    status: str = Field(description="queued, running, review, ready, failed or outdated")
    source_version: int
    progress: Progress
    engines: list[str]
    flagged: int
    human_edited: int
    error: str | None
    updated_at: DateTime
    api_url: Url
    url: Url | None = Field(description="The public page of this language version, once it is public")
    label: TranslationLabel | None = None
    fields: dict[str, Any] | None = Field(None, description="The translated fields (review view)")
    segments: list[dict[str, Any]] | None = Field(None, description="Each segment: id, field, source, text, "
                                                                   "status, engine, problems (review view)")


class TranslationList(Out):
    release: str = Field(description="The release's public id")
    language: str
    target_languages: list[str]
    items: list[Translation]


class Glossary(Out):
    issuer: str
    version: int
    keep: list[str]
    forced: dict[str, dict[str, str]]
