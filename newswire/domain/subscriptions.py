"""Subscribers, their channels, and who a release reaches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .models import Release
from .vocab import media_topics


class Kind(StrEnum):
    OUTLET = "outlet"
    JOURNALIST = "journalist"
    DESKTOP = "desktop"


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    WEBSUB = "websub"


class Event(StrEnum):
    PUBLISHED = "release.published"
    CORRECTED = "release.corrected"
    WITHDRAWN = "release.withdrawn"


@dataclass(frozen=True)
class Preferences:
    """What a subscriber wants. An empty tuple means "any"."""

    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    id: int
    kind: Kind
    name: str
    email: str | None
    preferences: Preferences
    timezone: str
    active: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class Endpoint:
    id: int
    subscriber_id: int
    channel: Channel
    format: str
    address: str
    max_in_flight: int
    digest_hour: int | None
    status: str
    disabled_reason: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Facets:
    """The parts of a release that routing looks at, with topics widened to their ancestors,
    so a subscriber to a broad topic matches releases tagged with any narrower one."""

    language: str
    regions: frozenset[str]
    topics: frozenset[str]
    issuer: str
    translated: bool = False  # a language version: only for those who asked for its language

    @classmethod
    def of(cls, release: Release, language: str | None = None) -> "Facets":
        mt = media_topics()
        topics = set(release.content.industries)
        for q in release.content.industries:
            topics.update(mt.ancestors(q))
        return cls(language=language or release.language, regions=frozenset(release.content.regions),
                   topics=frozenset(topics), issuer=release.issuer.slug,
                   translated=release.translation is not None)


def matches(p: Preferences, f: Facets) -> bool:
    return (
        # no language preference means the original: fifteen copies of one release help nobody
        (f.language in p.languages if p.languages else not f.translated)
        and (not p.regions or not f.regions.isdisjoint(p.regions))
        and (not p.industries or not f.topics.isdisjoint(p.industries))
        and (not p.issuers or f.issuer in p.issuers)
    )
