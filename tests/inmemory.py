"""Releases built in memory, as the Wire would store and load them, for tests whose subject is a
renderer (formats/*): they need a ``Release``, not a database. Each function does what the Wire
method of the same name does to a release; tests/test_fixtures.py checks, on both databases,
that the Wire's releases equal these."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from newswire.config import Settings
from newswire.domain.ids import new_public_id
from newswire.domain.models import Issuer, Release, Status, Version
from newswire.intake import validate
from newswire.services.release_rules import release_slug

SETTINGS = Settings(base_url="http://testserver", run_worker=False)  # what conftest's settings render with
EDITOR = "Desk Editor"  # the name of the keys fixture's editor key


def create(issuer: Issuer, raw: dict, now: dt.datetime, *, by: str = EDITOR, release_id: int = 1,
           public_id: str | None = None, settings: Settings = SETTINGS) -> Release:
    """A draft, with the issuer's boilerplate and contacts where the release gives none (and a fresh
    random public id, or ``public_id`` to compare with a stored release)."""
    embargo = validate.parse_datetime(raw["embargo_until"]) if raw.get("embargo_until") else None
    fields = dict(raw)
    if not fields.get("boilerplate") and issuer.boilerplate:
        fields["boilerplate"] = issuer.boilerplate
    if not fields.get("contacts") and issuer.contacts:
        fields["contacts"] = [c.as_dict() for c in issuer.contacts]
    content = validate.content(fields, max_body_bytes=settings.max_body_bytes, today=(embargo or now).date())
    return Release(id=release_id, public_id=public_id or new_public_id(), slug=release_slug(content.headline), issuer=issuer, status=Status.DRAFT,
                   current=Version(1, content, now, by), created_at=now, updated_at=now, embargo_until=embargo)


def publish(release: Release, now: dt.datetime) -> Release:
    """Scheduled if its embargo is still ahead, else published."""
    if release.embargo_until and release.embargo_until > now:
        return replace(release, status=Status.SCHEDULED, updated_at=now)
    return replace(release, status=Status.PUBLISHED, published_at=now, updated_at=now)


def release_due(release: Release, now: dt.datetime) -> Release:
    """The clock's job, once the embargo has passed."""
    assert release.status == Status.SCHEDULED and release.embargo_until <= now
    return replace(release, status=Status.PUBLISHED, published_at=now, updated_at=now)


def published(issuer: Issuer, raw: dict, now: dt.datetime, **kw) -> Release:
    """helpers.published in memory: created and published (or scheduled) by the desk editor."""
    return publish(create(issuer, raw, now, **kw), now)


def correct(release: Release, raw: dict, now: dt.datetime, *, by: str = EDITOR,
            settings: Settings = SETTINGS) -> Release:
    fields = {k: v for k, v in raw.items() if k not in ("correction_note", "embargo_until", "issuer")}
    content = validate.content(fields, max_body_bytes=settings.max_body_bytes, today=now.date(),
                               base=release.content)
    version = Version(release.current.number + 1, content, now, by, raw["correction_note"].strip())
    return replace(release, status=Status.CORRECTED, current=version, updated_at=now,
                   corrections=(*release.corrections, release.current))


def withdraw(release: Release, reason: str, now: dt.datetime) -> Release:
    return replace(release, status=Status.WITHDRAWN, withdrawn_at=now, withdraw_reason=reason.strip(),
                   updated_at=now)
