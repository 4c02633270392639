"""The issuer portal's use cases beyond the release lifecycle: an issuer's own releases with their
live delivery counts, a draft rendered and pre-checked before it is saved, which target languages
an engine here reaches, and requests to the desk for a correction or a withdrawal (kept until an
editor marks them done, for what issuers may not do themselves on this wire)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace
from functools import cache

from sqlalchemy.engine import Connection

from ..domain import languages, limits
from ..domain.errors import Collector, FieldError, Forbidden, InvalidInput, NotFound
from ..domain.ids import parse_ref
from ..domain.models import Principal, Release, Role, Status, Version
from ..domain.queries import ListQuery
from ..intake import validate
from ..storage import audit
from ..storage import deliveries as deliveries_store
from ..storage import issuers as issuer_store
from ..storage import media as media_store
from ..storage import release_requests as requests_store
from ..storage import releases as release_store
from ..translation.engines.base import UnsupportedPair
from . import access
from .checks import CheckService, Report
from .release_rules import Policy, parse_embargo, release_slug, with_issuer_defaults
from .translations import TranslationService
from .unit import Clock, Database

CHANNELS = ("webhook", "email", "websub")


@dataclass(frozen=True)
class Target:
    """A language a release could be translated into, and if not, why."""

    language: str
    reachable: bool
    why_not: str = ""


@dataclass(frozen=True)
class Draft:
    """A draft as it would be published (not saved), with its pre-checks."""

    release: Release
    report: Report


class PortalService:
    def __init__(self, db: Database, clock: Clock, policy: Policy, translations: TranslationService,
                 checks: CheckService):
        self.db, self.clock, self.policy = db, clock, policy
        self.translations, self.checks = translations, checks

    # --- the issuer's releases ------------------------------------------------------------------

    @staticmethod
    def _issuer_only(p: Principal) -> None:
        access.require_signed_in(p)
        if p.role != Role.ISSUER or p.issuer_id is None:
            raise Forbidden("The portal is for issuers; editors and admins work at the desk.")

    def releases(self, p: Principal, *, cursor: str | None = None, limit: int = 50) -> tuple[list[Release], str | None]:
        """The issuer's releases in every state, the most recently changed first."""
        self._issuer_only(p)
        with self.db.read() as conn:
            return release_store.list_releases(conn, ListQuery(statuses=tuple(Status), issuer_id=p.issuer_id),
                                               limit=limit, cursor=cursor)

    def own(self, p: Principal, release_id: int | str) -> Release:
        """One of the issuer's releases, by its public id or its internal number (an issuer may name
        its own either way: ``access.may_see_by``); NotFound for every other (even a public one)."""
        self._issuer_only(p)
        with self.db.read() as conn:
            return self._own(conn, p, release_id)

    @staticmethod
    def _own(conn: Connection, p: Principal, release_id: int | str) -> Release:
        ref = parse_ref(release_id)
        release = None if ref is None else release_store.load(conn, ref, lambda r: r.issuer.id == p.issuer_id)
        if release is None:
            raise NotFound(f"Your issuer has no release with id {release_id}.")
        return release

    def delivery_counts(self, p: Principal, release_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
        """release id → channel → status → count, for the issuer's own releases among ``release_ids``."""
        self._issuer_only(p)
        with self.db.read() as conn:
            return deliveries_store.counts_by_channel(conn, release_ids, issuer_id=p.issuer_id)

    # --- a draft before it is saved ---------------------------------------------------------------

    def draft(self, p: Principal, raw: dict, release_id: int | str | None = None) -> Draft:
        """``raw`` (the API's fields) validated and rendered as the release would be, with its pre-checks
        (the links are not asked for: that is the checks on submit and on demand). Nothing is written."""
        self._issuer_only(p)
        now = self.clock()
        with self.db.read() as conn:
            base = self._own(conn, p, release_id) if release_id else None
            issuer = base.issuer if base else issuer_store.get_issuer(conn, p.issuer_id)
            issuer = replace(issuer, logo=media_store.logo(conn, issuer.id))  # as the public page shows it
            c = Collector()
            try:
                embargo = parse_embargo(raw.get("embargo_until"), now)
            except InvalidInput as exc:
                c.errors.extend(exc.errors)
                embargo = None
            fields = {k: v for k, v in raw.items() if k not in ("embargo_until", "target_languages", "issuer")}
            try:
                content = validate.content(with_issuer_defaults(fields, issuer), max_body_bytes=self.policy.max_body_bytes,
                                           today=(embargo or now).date())
            except InvalidInput as exc:
                raise InvalidInput(exc.detail, errors=[*c.errors, *exc.errors]) from None
            c.raise_if_any()
            version = Version(base.current.number + 1 if base else 1, content, now, p.name)
            release = Release(id=base.id if base else 0, public_id=base.public_id if base else "", slug=release_slug(content.headline), issuer=issuer,
                              status=base.status if base else Status.DRAFT, current=version, created_at=now,
                              updated_at=now, embargo_until=embargo, published_at=embargo or now.replace(microsecond=0),
                              media=base.media if base else ())
            return Draft(release, self.checks.run(conn, release, {}))

    def targets(self, source: str) -> list[Target]:
        """Every other wire language, and whether an engine here translates ``source`` into it."""
        source = languages.normalize(source) or source
        out = []
        for tag in languages.SUPPORTED:
            if tag == source:
                continue
            try:
                self.translations.pipeline.routes(source, tag)
                out.append(Target(tag, True))
            except UnsupportedPair:
                out.append(Target(tag, False, f"no translation engine on this wire translates {source}→{tag}"))
        return out

    # --- requests to the desk ---------------------------------------------------------------------

    def request(self, p: Principal, release_id: int, kind: str, note: str, text: str = "") -> dict:
        """Ask the desk to correct (``text``: the new body, ``note``: what was corrected) or withdraw
        (``note``: why) one of the issuer's published releases."""
        self._issuer_only(p)
        note, text = (note or "").strip(), (text or "").strip()
        c = Collector()
        if kind not in requests_store.KINDS:
            c.add("kind", "ask for a correction or a withdrawal")
        if not note:
            c.add("note", "say what was corrected; readers see this note" if kind == "correction"
                  else "say why the release should be withdrawn; the notice shows it")
        if kind == "correction" and not text:
            c.add("text", "give the corrected text")
        c.raise_if_any()
        limits.enforce("release.correction_note" if kind == "correction" else "release.withdraw_reason", note, "note")
        now = self.clock()
        with self.db.transaction() as conn:
            release = self._own(conn, p, release_id)
            if release.published_at is None or release.status == Status.WITHDRAWN:
                raise InvalidInput("This release is not published: edit or withdraw it yourself.",
                                   errors=[FieldError("note", "the release is not published")])
            rid = requests_store.add(conn, release_id=release_id, issuer_id=release.issuer.id, kind=kind, text=text,
                                     note=note, by=p.name, now=now)
            audit.record(conn, actor=p, action=f"request.{kind}", release_id=release_id, issuer_id=release.issuer.id,
                         now=now, detail={"request": rid, "note": note})
            return requests_store.get(conn, rid)

    def requests_of(self, p: Principal, release_id: int) -> list[dict]:
        self._issuer_only(p)
        with self.db.read() as conn:
            self._own(conn, p, release_id)
            return requests_store.for_release(conn, release_id)

    def open_requests(self, p: Principal) -> list[tuple[dict, Release]]:
        """The desk's list: every open request with its release, oldest first."""
        access.require_staff(p, "read the issuers' requests")
        with self.db.read() as conn:
            return [(r, release_store.load(conn, r["release_id"])) for r in requests_store.listing(conn)]

    def close_request(self, p: Principal, request_id: int, reply: str = "") -> dict:
        access.require_staff(p, "answer the issuers' requests")
        reply = (reply or "").strip()
        limits.enforce("release.correction_note", reply, "reply")
        now = self.clock()
        with self.db.transaction() as conn:
            found = requests_store.get(conn, request_id)
            if found is None:
                raise NotFound(f"There is no request {request_id}.")
            if not requests_store.close(conn, request_id, by=p.name, reply=reply, now=now):
                raise InvalidInput("This request is already done.", errors=[FieldError("reply", "already done")])
            audit.record(conn, actor=p, action="request.done", release_id=found["release_id"],
                         issuer_id=found["issuer_id"], now=now, detail={"request": request_id, "reply": reply})
            return requests_store.get(conn, request_id)


def utc_embargo(date: str, time: str, zone: str) -> str | None:
    """A local date and time in an IANA zone as the RFC 3339 UTC instant the API takes (None when
    no date is given); ValueError names what is wrong."""
    if not date.strip() and not time.strip():
        return None
    if zone not in time_zones():
        raise ValueError(f"'{zone}' is not an IANA time zone")
    tz = zoneinfo.ZoneInfo(zone)
    try:
        local = dt.datetime.combine(dt.date.fromisoformat(date.strip()), dt.time.fromisoformat(time.strip() or "00:00"))
    except ValueError:
        raise ValueError("give the date as YYYY-MM-DD and the time as HH:MM") from None
    return local.replace(tzinfo=tz).astimezone(dt.timezone.utc).isoformat()


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones to choose from, UTC first."""
    return ("UTC", *sorted(z for z in zoneinfo.available_timezones()
                           if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))))
