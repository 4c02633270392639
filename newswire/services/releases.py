"""Releases: the use cases of the release lifecycle (create, edit, submit, approve, send back,
publish or schedule, correct, withdraw, and the release clock's ``release_due``).

Each public method is one transaction (``Database.transaction``): validation happens before any
write, so a refused request leaves the database as it was. Routing runs inside the same transaction
as the state change it follows, so no publish exists without its ledger rows; the typed events it
fires reach the workers only after commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection

from ..domain import exchanges, lifecycle, limits, trace
from ..domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NewswireError
from ..domain.events import ReleaseScheduled
from ..domain.models import SYSTEM, Principal, Release, Role, Status
from ..domain.subscriptions import Event
from ..intake import importers, validate
from ..storage import audit
from ..storage import deliveries as deliveries_store
from ..storage import issuers as issuer_store
from ..storage import releases as store
from ..storage import translations as tr
from . import access
from .checks import CheckService
from .release_rules import Policy, authorize, override_note, parse_embargo, release_slug, with_issuer_defaults
from .prerouting import Prerouter
from .routing import Router
from .translations import TranslationService
from .unit import Clock, Database

_ADHOC_NOW = ("an ad-hoc disclosure must be published as soon as possible (EU MAR Art. 17); "
              "remove embargo_until")


class ReleaseService:
    def __init__(self, db: Database, clock: Clock, policy: Policy, router: Router,
                 translations: TranslationService, checks: CheckService):
        self.db, self.clock, self.policy = db, clock, policy
        self.router, self.translations, self.checks = router, translations, checks
        self.prerouter = Prerouter(router)  # a scheduled release's rows, routed before its second

    # --- reading -----------------------------------------------------------------

    def get(self, principal: Principal, release_id: int) -> Release:
        with self.db.read() as conn:
            return access.load_visible(conn, principal, release_id, self.clock())

    def history(self, principal: Principal, release_id: int) -> list[dict]:
        access.require_signed_in(principal)
        with self.db.read() as conn:
            r = access.load_visible(conn, principal, release_id, self.clock())
            if not principal.can_see_unpublished(r.issuer.id):
                raise Forbidden("Only the release's issuer, editors and admins may read its history.")
            return audit.for_release(conn, release_id)

    def first_delivered_at(self, principal: Principal, release_id: int) -> dt.datetime | None:
        """The second the release first reached a recipient (from the delivery ledger), for its
        issuer and the desk: an ad-hoc disclosure's proof of timely dissemination."""
        self.history(principal, release_id)  # the same callers
        with self.db.read() as conn:
            return deliveries_store.first_delivered_at(conn, release_id)

    # --- changing ----------------------------------------------------------------

    def create(self, principal: Principal, raw: dict) -> Release:
        access.require_signed_in(principal)
        with self.db.transaction() as conn:
            return self._create(conn, principal, raw, self.clock())

    def import_releases(self, principal: Principal, raws: list[dict], publish: bool = False,
                        furniture: list[list[dict]] | None = None, override: str | None = None) -> list[Release]:
        """Create many releases, each published (or scheduled) with ``publish``, in one transaction:
        all or none. Publishing runs the pre-checks (without the links, which only warn): an error
        holds the whole import unless ``override`` says why (audited per release). A refusal names the failing item's position in ``exc.extra["index"]``.
        ``furniture[i]`` (what the importer took out of item i's text and where it went) is kept in
        an ``import.furniture`` audit record. A dateline without a date stays undated: an import
        does not invent the day."""
        access.require_signed_in(principal)
        now, out, note = self.clock(), [], override_note(override)
        with self.db.transaction() as conn:
            for i, raw in enumerate(raws):
                try:
                    r = self._create(conn, principal, raw, now, imported=True)
                    if furniture and furniture[i]:
                        audit.record(conn, actor=principal, action="import.furniture", release_id=r.id,
                                     issuer_id=r.issuer.id, now=now, detail={"furniture": furniture[i]})
                    out.append(self._publish(conn, principal, r.id, None, now, note) if publish else r)
                except NewswireError as exc:
                    exc.extra["index"] = i
                    raise
        return out

    def preview_import(self, principal: Principal, files: list[tuple[str, str]],
                       language: str | None = None) -> list[dict]:
        """What importing ``files`` ((name, text) pairs) would give, writing nothing: per file its
        fields, the furniture taken out and where it went, and what validation would refuse."""
        self._may_import(principal, files)
        out = []
        for name, text in files:
            try:
                item = importers.parse_text(name, text, language=language)
            except NewswireError as exc:
                out.append({"name": name, "problems": [exc.detail]})
                continue
            out.append({"name": name, "kind": item.kind, "language_from": item.language_from,
                        "agency": item.agency, "fields": item.fields, "furniture": item.furniture,
                        "warnings": item.warnings,
                        "problems": importers.problems(item, max_body_bytes=self.policy.max_body_bytes)})
        return out

    def import_texts(self, principal: Principal, files: list[tuple[str, str]], *, language: str | None = None,
                     issuer: str | None = None, publish: bool = False,
                     override: str | None = None) -> list[Release]:
        """Import uploaded files as ``newswire import`` does: all or none, the furniture audited."""
        self._may_import(principal, files)
        items = []
        for i, (name, text) in enumerate(files):
            try:
                item = importers.parse_text(name, text, language=language)
            except NewswireError as exc:
                exc.extra["index"] = i
                raise
            if issuer and not item.fields.get("issuer"):
                item.fields["issuer"] = issuer
            items.append(item)
        return self.import_releases(principal, [item.fields for item in items], publish=publish,
                                    furniture=[item.furniture for item in items], override=override)

    @staticmethod
    def _may_import(principal: Principal, files: list[tuple[str, str]]) -> None:
        access.require_signed_in(principal)
        if not (principal.is_staff or principal.role == Role.ISSUER):
            raise Forbidden("Only issuers, editors and admins may import releases.")
        if not files:
            raise InvalidInput("files: give at least one file", errors=[FieldError("files", "is empty")])
        limits.uploads([name for name, _ in files])

    def _create(self, conn: Connection, principal: Principal, raw: dict, now: dt.datetime,
                imported: bool = False) -> Release:
        if principal.role == Role.ISSUER:
            issuer_id = principal.issuer_id
            if raw.get("issuer") not in (None, ""):
                own = issuer_store.get_issuer(conn, issuer_id)
                if raw["issuer"] != own.slug:
                    raise Forbidden(f"This key may only submit releases for issuer '{own.slug}'.")
        elif principal.is_staff:
            slug = raw.get("issuer")
            issuer = issuer_store.get_issuer_by_slug(conn, slug) if isinstance(slug, str) else None
            if issuer is None:
                raise InvalidInput("issuer: editors and admins must name the release's issuer by slug",
                                   errors=[FieldError("issuer", f"'{slug}' is not a known issuer slug")])
            issuer_id = issuer.id
        else:
            raise Forbidden("Only issuers, editors and admins may create releases.")
        issuer = issuer_store.get_issuer(conn, issuer_id)
        embargo = parse_embargo(raw.get("embargo_until"), now)
        if embargo is not None and raw.get("type") == exchanges.ADHOC:
            raise InvalidInput("embargo_until: " + _ADHOC_NOW, errors=[FieldError("embargo_until", _ADHOC_NOW)])
        fields = with_issuer_defaults(raw, issuer)
        content = validate.content(fields, max_body_bytes=self.policy.max_body_bytes,
                                   today=None if imported else (embargo or now).date())
        targets = self._targets(raw.get("target_languages"), content)
        rid = store.insert_release(conn, issuer_id=issuer_id, slug=release_slug(content.headline),
                                   content=content, by=principal.name, now=now, embargo_until=embargo,
                                   target_languages=targets)
        audit.record(conn, actor=principal, action="release.create", release_id=rid, issuer_id=issuer_id,
                     now=now, detail={"version": 1})
        return store.load(conn, rid)

    def _targets(self, raw, content) -> tuple[str, ...]:
        return self.translations.targets(raw, content)

    def _act(self, principal: Principal, release_id: int, action: str, conn: Connection) -> Release:
        release = access.load_visible(conn, principal, release_id, self.clock())
        authorize(principal, release, action, self.policy)
        lifecycle.check(action, release.status)
        return release

    def _route(self, conn: Connection, event: str, release_id: int) -> Release:
        release = store.load(conn, release_id)
        self.router.route(conn, event, release)
        return release

    def edit(self, principal: Principal, release_id: int, raw: dict) -> Release:
        now = self.clock()
        with self.db.transaction() as conn:
            r = self._act(principal, release_id, "edit", conn)
            values = {}
            if "embargo_until" in raw:
                values["embargo_until"] = parse_embargo(raw["embargo_until"], now)
                if values["embargo_until"] is not None and r.content.type == exchanges.ADHOC:
                    raise InvalidInput("embargo_until: " + _ADHOC_NOW,
                                       errors=[FieldError("embargo_until", _ADHOC_NOW)])
                if r.status == Status.SCHEDULED and values["embargo_until"] is not None:
                    self.db.emit(conn, ReleaseScheduled(release_id))  # the clock looks at the new time
                if r.status == Status.SCHEDULED and values["embargo_until"] is None:
                    raise InvalidInput("embargo_until: a scheduled release needs a release time; "
                                       "withdraw it to cancel, or publish it after editing")
            content_fields = {k: v for k, v in raw.items() if k not in ("embargo_until", "issuer", "target_languages")}
            content = r.content
            if content_fields:
                content = validate.content(content_fields, max_body_bytes=self.policy.max_body_bytes,
                                           today=now.date(), base=r.content)
            embargo = values.get("embargo_until", r.embargo_until)
            if content.type == exchanges.ADHOC and (embargo is not None or r.status == Status.SCHEDULED):
                # (a release turned into an ad-hoc disclosure must not keep the embargo it had)
                raise InvalidInput("embargo_until: " + _ADHOC_NOW, errors=[FieldError("embargo_until", _ADHOC_NOW)])
            if content_fields:
                number = store.add_version(conn, release_id, content, by=principal.name, now=now,
                                           slug=release_slug(content.headline))
            else:
                number = r.current.number
            if "target_languages" in raw or (content_fields and r.target_languages):
                values["target_languages"] = list(self._targets(raw.get("target_languages", list(r.target_languages)),
                                                                content))
            values["updated_at"] = now
            store.set_state(conn, release_id, **values)
            audit.record(conn, actor=principal, action="release.edit", release_id=release_id,
                         issuer_id=r.issuer.id, now=now, detail={"version": number, "fields": sorted(raw)})
            edited = store.load(conn, release_id)
            if edited.status in (Status.APPROVED, Status.SCHEDULED):  # already on its way: translate the edit
                self.translations.queue(conn, edited, now)
            if edited.status == Status.SCHEDULED:  # its rows again, for what it is now and its second
                self.prerouter.hold(conn, edited)
            return edited

    def submit(self, principal: Principal, release_id: int) -> Release:
        """Submit for review; the pre-checks run and their results are kept for the desk."""
        with self.db.read() as conn:
            found = self.checks.links_of(self._act(principal, release_id, "submit", conn))  # (network: no tx)
        now = self.clock()
        with self.db.transaction() as conn:
            r = self._act(principal, release_id, "submit", conn)
            store.set_state(conn, release_id, status=Status.SUBMITTED, updated_at=now)
            audit.record(conn, actor=principal, action="release.submit", release_id=release_id,
                         issuer_id=r.issuer.id, now=now)
            done = store.load(conn, release_id)
            self.checks.record(conn, done, self.checks.run(conn, done, found))
            return done

    def approve(self, principal: Principal, release_id: int, override: str | None = None) -> Release:
        """Approve after the pre-checks: an error holds approval (409, the errors listed) unless an
        editor overrides it with a note, which the audit log keeps. An ad-hoc disclosure goes live
        at once, in its original language; its translations follow."""
        note = override_note(override)
        with self.db.read() as conn:
            found = self.checks.links_of(self._act(principal, release_id, "approve", conn))
        now = self.clock()
        with self.db.transaction() as conn:
            r = self._act(principal, release_id, "approve", conn)
            report = self.checks.gate(conn, principal, r, found, note, "approve")
            store.set_state(conn, release_id, status=Status.APPROVED, updated_at=now)
            audit.record(conn, actor=principal, action="release.approve", release_id=release_id,
                         issuer_id=r.issuer.id, now=now)
            done = store.load(conn, release_id)
            self.checks.record(conn, done, report)
            self.translations.queue(conn, done, now)  # translation starts once the desk has approved the text
            if done.content.type == exchanges.ADHOC:
                return self._go_live(conn, principal, done, now)
            return done

    def send_back(self, principal: Principal, release_id: int, note: str) -> Release:
        """The desk returns a submitted or approved release to its issuer as a draft, with a note
        saying what to change; the audit trail keeps the note (``release.send_back``), where the
        issuer reads it. Pending translations stop; approval queues them again."""
        if not isinstance(note, str) or not note.strip():
            raise InvalidInput("note: say what the issuer should change; the issuer reads this note",
                               errors=[FieldError("note", "is required")])
        limits.enforce("release.send_back_note", note.strip(), "note")
        now = self.clock()
        with self.db.transaction() as conn:
            r = self._act(principal, release_id, "send_back", conn)
            store.set_state(conn, release_id, status=Status.DRAFT, updated_at=now)
            tr.cancel_all(conn, release_id, now)
            audit.record(conn, actor=principal, action="release.send_back", release_id=release_id,
                         issuer_id=r.issuer.id, now=now,
                         detail={"note": note.strip(), "from": r.status.value, "version": r.current.number})
            return store.load(conn, release_id)

    def publish(self, principal: Principal, release_id: int, embargo_until=None,
                override: str | None = None) -> Release:
        """Publish now, or schedule when the release has (or is given) a future embargo. A release
        the desk has not approved meets the approval's pre-checks first: errors hold it unless
        ``override`` says why they may stand (audited)."""
        note = override_note(override)
        with self.db.read() as conn:
            r = self._act(principal, release_id, "publish", conn)
            found = self.checks.links_of(r) if r.status != Status.APPROVED else {}  # (network: no tx)
        with self.db.transaction() as conn:
            return self._publish(conn, principal, release_id, embargo_until, self.clock(), note, found)

    def _publish(self, conn: Connection, principal: Principal, release_id: int, embargo_until,
                 now: dt.datetime, note: str = "", found: dict | None = None) -> Release:
        r = self._act(principal, release_id, "publish", conn)
        if r.status != Status.APPROVED:  # approval ran the checks already
            self.checks.record(conn, r, self.checks.gate(conn, principal, r, found or {}, note, "publish"))
        self.translations.queue(conn, r, now)  # (a no-op when approval queued them already)
        embargo = parse_embargo(embargo_until, now) if embargo_until else r.embargo_until
        if embargo and r.content.type == exchanges.ADHOC:
            raise InvalidInput("embargo_until: " + _ADHOC_NOW, errors=[FieldError("embargo_until", _ADHOC_NOW)])
        if embargo and embargo > now:
            store.set_state(conn, release_id, status=Status.SCHEDULED, embargo_until=embargo, updated_at=now)
            audit.record(conn, actor=principal, action="release.schedule", release_id=release_id,
                         issuer_id=r.issuer.id, now=now, detail={"embargo_until": embargo.isoformat()})
            self.db.emit(conn, ReleaseScheduled(release_id))  # the release clock looks at its new due time
            scheduled = store.load(conn, release_id)
            self.prerouter.hold(conn, scheduled)  # its ledger rows now, held until the second
            return scheduled
        return self._go_live(conn, principal, r, now)

    def _go_live(self, conn: Connection, principal: Principal, r: Release, now: dt.datetime) -> Release:
        if not store.set_state(conn, r.id, expect=r.status, status=Status.PUBLISHED, published_at=now,
                               updated_at=now):
            raise Conflict("The release changed while it was being published; reload it and try again.")
        store.mark_current_published(conn, r.id)
        self.checks.remember(conn, r)  # later releases are compared with it
        audit.record(conn, actor=principal, action="release.publish", release_id=r.id, issuer_id=r.issuer.id,
                     now=now, detail={"version": r.current.number})
        published = store.load(conn, r.id)
        self.prerouter.go_live(conn, published, now)  # the rows held for it, or routing them now
        self.translations.route_ready(conn, published, now)  # the language versions ready in time go out with it
        return published

    def release_due(self, drain: bool = True) -> list[int]:
        """The clock's job: publish every scheduled release whose time has come. Safe to run in
        several processes at once: each release goes live exactly once. With ``drain``, then move
        what went live held into the ledger (``drain_held``; the clock does it a moment later)."""
        published = []
        with self.db.read() as conn:
            due = store.due_scheduled(conn, self.clock())
            by = audit.request_ids(conn, due, ("release.schedule",))  # it goes out under its scheduling's id
        for rid in due:
            with trace.bound(trace.current() or by.get(rid, "")), self.db.transaction() as conn:
                r = store.load(conn, rid)
                if r is None or r.status != Status.SCHEDULED:
                    continue
                try:
                    self._go_live(conn, SYSTEM, r, self.clock())
                except Conflict:
                    continue  # another clock got there first
            published.append(rid)
        if drain:
            self.drain_held()
        return published

    def drain_held(self) -> int:
        """Move the rest of what went live held (and what a crash left held) into the ledger."""
        return self.prerouter.drain()

    def next_embargo(self) -> dt.datetime | None:
        with self.db.read() as conn:
            return store.next_embargo(conn)

    def correct(self, principal: Principal, release_id: int, raw: dict) -> Release:
        now = self.clock()
        note = raw.get("correction_note")
        if not isinstance(note, str) or not note.strip():
            raise InvalidInput("correction_note: say what was corrected; readers see this note",
                               errors=[FieldError("correction_note", "is required")])
        limits.enforce("release.correction_note", note.strip())
        with self.db.transaction() as conn:
            r = self._act(principal, release_id, "correct", conn)
            fields = {k: v for k, v in raw.items() if k not in ("correction_note", "embargo_until", "issuer")}
            content = validate.content(fields, max_body_bytes=self.policy.max_body_bytes,
                                       today=now.date(), base=r.content)
            number = store.add_version(conn, release_id, content, by=principal.name, now=now,
                                       correction_note=note.strip(), published=True)
            store.set_state(conn, release_id, status=Status.CORRECTED, updated_at=now)
            audit.record(conn, actor=principal, action="release.correct", release_id=release_id,
                         issuer_id=r.issuer.id, now=now, detail={"version": number, "note": note.strip()})
            corrected = self._route(conn, Event.CORRECTED, release_id)
            self.checks.remember(conn, corrected)  # later releases are compared with the corrected text
            self.translations.queue(conn, corrected, now)  # each language version follows when re-translated
            return corrected

    def withdraw(self, principal: Principal, release_id: int, reason: str) -> Release:
        now = self.clock()
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput("reason: say why the release is withdrawn; the notice shows it",
                               errors=[FieldError("reason", "is required")])
        limits.enforce("release.withdraw_reason", reason.strip(), "reason")
        with self.db.transaction() as conn:
            r = self._act(principal, release_id, "withdraw", conn)
            store.set_state(conn, release_id, status=Status.WITHDRAWN, withdrawn_at=now,
                            withdraw_reason=reason.strip(), updated_at=now)
            tr.cancel_all(conn, release_id, now)
            self.prerouter.forget(conn, release_id)  # a scheduled release's held rows: nothing goes out
            audit.record(conn, actor=principal, action="release.withdraw", release_id=release_id,
                         issuer_id=r.issuer.id, now=now, detail={"reason": reason.strip()})
            if r.published_at is not None:
                return self._route(conn, Event.WITHDRAWN, release_id)
            return store.load(conn, release_id)

