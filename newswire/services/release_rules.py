"""The lifecycle's rules that need no database: who may act on a release, what an embargo and an
override note must look like, and a release's slug (the release service applies them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from slugify import slugify

from ..domain import limits
from ..domain.errors import FieldError, Forbidden, InvalidInput
from ..domain.models import Principal, Release, Status
from ..intake import validate
from . import access


def release_slug(headline: str) -> str:
    return slugify(headline, max_length=80, word_boundary=True) or "release"


@dataclass(frozen=True)
class Policy:
    """The settings the lifecycle rules read."""

    max_body_bytes: int = 200_000
    issuer_self_publish: bool = False


def with_issuer_defaults(raw: dict, issuer) -> dict:
    """The fields with the issuer's boilerplate and contacts where the release gives none."""
    fields = dict(raw)
    if not fields.get("boilerplate") and issuer.boilerplate:
        fields["boilerplate"] = issuer.boilerplate
    if not fields.get("contacts") and issuer.contacts:
        fields["contacts"] = [c.as_dict() for c in issuer.contacts]
    return fields


def override_note(raw) -> str:
    """An editor's note why the pre-checks' errors may stand ("" when none was given)."""
    if raw is None:
        return ""
    if not isinstance(raw, str) or not raw.strip():
        msg = "say why the pre-checks' errors may stand; the note is audited"
        raise InvalidInput(f"override: {msg}", errors=[FieldError("override", msg)])
    limits.enforce("release.override", raw.strip(), "override")
    return raw.strip()


def parse_embargo(raw, now: dt.datetime) -> dt.datetime | None:
    """``embargo_until`` as given: None, or a future instant; a past or malformed one is refused."""
    if raw in (None, ""):
        return None
    try:
        when = validate.parse_datetime(raw)
    except (ValueError, TypeError) as exc:
        msg = str(exc) if "time zone" in str(exc) else (
            f"'{raw}' is not an RFC 3339 date-time; write e.g. 2026-12-01T09:00:00+01:00")
        raise InvalidInput(f"embargo_until: {msg}", errors=[FieldError("embargo_until", msg)]) from None
    if when <= now:
        msg = (f"{when.isoformat()} is in the past (it is now {now.replace(microsecond=0).isoformat()}); "
               "give a future time, or leave it out to publish on approval")
        raise InvalidInput(f"embargo_until: {msg}", errors=[FieldError("embargo_until", msg)])
    return when


def authorize(p: Principal, r: Release, action: str, policy: Policy) -> None:
    """Who may take ``action`` on ``r``: the desk, or its issuer within the operator's policy."""
    if action in ("approve", "send_back"):
        access.require_staff(p, f"{action.replace('_', ' ')} releases")
    elif action in ("publish", "correct"):
        access.require_own_or_staff(p, r, action)
        if not p.is_staff and not policy.issuer_self_publish:
            raise Forbidden(f"Issuers may not {action} releases on this wire; an editor will review it "
                            "(operators enable self-publishing with NEWSWIRE_ISSUER_SELF_PUBLISH=1).")
    elif action == "withdraw":
        access.require_own_or_staff(p, r, action)
        if not p.is_staff and r.published_at is not None:
            raise Forbidden("A published release can only be withdrawn by an editor; contact the wire's desk.")
    elif action == "edit":
        access.require_own_or_staff(p, r, action)
        if not p.is_staff and r.status not in (Status.DRAFT, Status.SUBMITTED):
            raise Forbidden(f"Issuers may edit only draft or submitted releases; this one is {r.status.value}. "
                            "Ask an editor, or submit a correction once it is published.")
    else:
        access.require_own_or_staff(p, r, action)
