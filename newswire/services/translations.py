"""Translations: when a release's translations are queued, the desk's review and editing of
them, the worker's side of a job, and how a finished translation becomes a language version that
is published and delivered.

A release names ``target_languages``; approving (or publishing) it queues one job per language,
a correction re-queues them for the new version, a withdrawal cancels what is pending. The
translation worker (``newswire.workers.translation``) fills the jobs in; ``complete`` files the
result and, once the release is public, routes the new language version like any other release event.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from sqlalchemy.engine import Connection

from ..domain import languages, limits
from ..domain.errors import FieldError, Forbidden, InvalidInput, NotFound
from ..domain.events import TranslationQueued, TranslationReady
from ..domain.models import LIVE, Content, Principal, Release
from ..domain.subscriptions import Event
from ..domain.text import segment_id
from ..intake.html import sanitize
from ..storage import audit
from ..storage import issuers as issuer_store
from ..storage import releases as store
from ..storage import search as search_index
from ..storage import translations as tr
from ..translation.engines.base import Glossary
from ..translation.pipeline import Pipeline, Result
from ..translation.registry import Route
from . import access
from .routing import Router
from .translation_rules import check_pairs, check_source_language, glossary_terms, issuer_terms, parse_targets
from .unit import Clock, Database

FIELDS = ("headline", "subheadline", "lead", "body_html", "boilerplate")


def fields_of(content: Content) -> dict[str, str]:
    return {name: getattr(content, name) for name in FIELDS}


def source_fields(release: Release) -> dict[str, str]:
    """What a translation job translates: the current version's fields and each media item's alt
    text and caption (``media.{token}.alt_text``, ``media.{token}.caption``), in one pipeline run."""
    out = fields_of(release.content)
    for item in release.media:
        out.update(item.text_fields())
    return out


class TranslationService:
    """One transaction per method. ``pipeline`` builds the translation pipeline on first use
    (probing engines costs a subprocess or a model load; a wire that never translates skips it)."""

    def __init__(self, db: Database, clock: Clock, router: Router, pipeline: Callable[[], Pipeline]):
        self.db, self.clock, self.router = db, clock, router
        self._make_pipeline, self._pipeline = pipeline, None
        self._building = threading.Lock()  # two requests at once must not load the engines twice

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            with self._building:
                if self._pipeline is None:
                    self._pipeline = self._make_pipeline()
        return self._pipeline

    def use_pipeline(self, pipeline: Pipeline) -> None:
        """Replace the pipeline (the CLI's ``--engine`` choice; tests that pin an engine)."""
        self._pipeline = pipeline

    def targets(self, raw, content: Content) -> tuple[str, ...]:
        """A release's ``target_languages``, refused when an engine cannot reach one or the text is
        not in the language it claims."""
        targets = parse_targets(raw, content.language)
        if targets:
            check_source_language(content)
            check_pairs(self.pipeline, content.language, targets)
        return targets

    # --- the desk ------------------------------------------------------------------------------

    def translations(self, principal: Principal, release_id: int) -> tuple[Release, list[tr.Row]]:
        access.require_signed_in(principal)
        with self.db.read() as conn:
            release = access.load_visible(conn, principal, release_id, self.clock())
            if not principal.can_see_unpublished(release.issuer.id):
                raise Forbidden("Only the release's issuer, editors and admins may follow its translations.")
            return release, tr.for_release(conn, release_id)

    def translation(self, principal: Principal, release_id: int, language: str) -> tuple[Release, tr.Row]:
        release, rows = self.translations(principal, release_id)
        tag = languages.normalize(language) or language
        for row in rows:
            if row.language == tag:
                return release, row
        raise NotFound(f"Release {release_id} has no translation into '{language}'; it asks for "
                       f"{', '.join(release.target_languages) or 'none'} (set target_languages to add one).")

    def edit_translation(self, principal: Principal, release_id: int, language: str,
                         edits) -> tuple[Release, tr.Row]:
        """An editor's wording for some segments: kept as is, never overwritten by the machine."""
        release, row = self.translation(principal, release_id, language)  # (404 for what it may not see)
        access.require_staff(principal, "edit translations")
        if not isinstance(edits, list) or not edits:
            raise InvalidInput('segments: give a list of {"id": …, "text": …}',
                               errors=[FieldError("segments", "is required")])
        limits.enforce("translation.segments", edits, "segments")
        known = {s["id"] for s in row.segments}
        human, errors = {}, []
        for i, edit in enumerate(edits):
            sid, text = (edit.get("id"), edit.get("text")) if isinstance(edit, dict) else (None, None)
            if sid not in known:
                errors.append(FieldError(f"segments[{i}].id", "not a segment of this translation; "
                                         f"GET /api/v1/releases/{release_id}/translations/{row.language} lists them"))
            elif not isinstance(text, str) or not text.strip():
                errors.append(FieldError(f"segments[{i}].text", "give the segment's translation"))
            else:
                human[sid] = sanitize(text.strip())
        if errors:
            raise InvalidInput(errors[0].field + ": " + errors[0].message, errors=errors)
        now = self.clock()
        with self.db.transaction() as conn:
            tr.set_human(conn, row.id, human, now)  # merged with what another editor saved meanwhile
            self._audit_translation(conn, principal, release, "translation.edit", row.language, now,
                                    {"segments": len(edits)})
            self.db.emit(conn, TranslationQueued(release.id))
            return release, tr.get_by_id(conn, row.id)

    def retranslate(self, principal: Principal, release_id: int, language: str) -> tuple[Release, tr.Row]:
        release, row = self.translation(principal, release_id, language)
        access.require_staff(principal, "re-run translations")
        now = self.clock()
        with self.db.transaction() as conn:
            tr.set_human(conn, row.id, {}, now)
            self._audit_translation(conn, principal, release, "translation.retry", row.language, now, {})
            self.db.emit(conn, TranslationQueued(release.id))
            return release, tr.get_by_id(conn, row.id)

    # --- the worker's side ---------------------------------------------------------------------

    def claim(self, worker: str, lease_seconds: int) -> tr.Row | None:
        with self.db.transaction() as conn:
            return tr.claim(conn, worker=worker, now=self.clock(), lease_seconds=lease_seconds)

    def progress(self, row: tr.Row, worker: str, done: int | None, total: int | None,
                             lease_seconds: int) -> bool:
        with self.db.transaction() as conn:
            return tr.progress(conn, row.id, worker, done, total, self.clock(), lease_seconds)

    def fail(self, row: tr.Row, worker: str, error: str) -> None:
        with self.db.transaction() as conn:
            tr.finish(conn, row.id, worker, status=tr.FAILED, now=self.clock(), error=error[:2000])

    def job(self, row: tr.Row) -> tuple[Release, Glossary] | None:
        """What a claimed job translates: the release's current version and the issuer's glossary
        (its own name always kept); None if the job is stale (a correction re-queued it meanwhile)."""
        with self.db.read() as conn:
            release = store.load(conn, row.release_id)
            if release is None or release.current.number != row.source_version:
                return None
            value = issuer_store.glossary(conn, release.issuer.id)
        keep = tuple(dict.fromkeys((*value.get("keep", ()), *issuer_terms(release.issuer.name))))
        return release, Glossary(version=int(value.get("version", 0)), keep=keep,
                                 forced=dict(value.get("forced", {})))

    def complete(self, row: tr.Row, worker: str, result: Result) -> tr.Row | None:
        """File a pipeline result; a clean one that renders a public release goes out at once.
        None if the job was no longer this worker's (re-queued by an edit or a correction)."""
        now = self.clock()
        segments = [{"id": segment_id(s.source), "field": s.field, "block": s.block, "sentence": s.sentence,
                     "source": s.source, "text": s.output, "status": s.status, "engine": s.engine,
                     "strategy": s.strategy, "problems": list(s.problems)} for s in result.segments]
        engines = sorted({n for s in result.segments if s.status != "human" and s.strategy not in ("copy", "human")
                          for n in Route.engines_of(s.engine)})
        status = tr.REVIEW if result.flagged else tr.READY
        with self.db.transaction() as conn:
            store.lock(conn, row.release_id)  # orders this with a concurrent go-live of the release
            if not tr.finish(conn, row.id, worker, status=status, now=now, fields=dict(result.fields),
                             segments=segments, engines=engines):
                return None
            search_index.write_translation(conn, row.release_id, row.language, dict(result.fields))
            release, done = store.load(conn, row.release_id), tr.get_by_id(conn, row.id)
            if release is not None and done.is_current_for(release.current.number):
                self.route_ready(conn, release, now)
                self.db.emit(conn, TranslationReady(release.id, row.language))
            return done

    # --- inside the release service's transactions -------------------------------------------------

    def route_ready(self, conn: Connection, release: Release, now: dt.datetime) -> None:
        """Deliver each ready, not yet delivered language version of a public release."""
        if release.status not in LIVE or release.published_at is None or release.published_at > now:
            return
        for row in tr.ready(conn, [release.id]):
            if not row.is_current_for(release.current.number) or row.routed_version == row.source_version:
                continue
            event = Event.PUBLISHED if row.routed_version is None else Event.CORRECTED
            self.router.route(conn, event, store.language_version(release, row))
            tr.mark_routed(conn, row.id, row.source_version)

    def queue(self, conn: Connection, release: Release, now: dt.datetime, *, again: bool = False) -> None:
        """Queue the release's target languages for its current version; ``again`` re-queues those
        already done for it too (its media changed: their texts are part of the translation)."""
        tr.queue(conn, release.id, list(release.target_languages), release.current.number, now, again=again)
        if release.target_languages:
            self.db.emit(conn, TranslationQueued(release.id))

    def _audit_translation(self, conn, principal, release, action, language, now, detail) -> None:
        audit.record(conn, actor=principal, action=action, release_id=release.id, issuer_id=release.issuer.id,
                     now=now, detail={"language": language, **detail})

    def glossary(self, principal: Principal, slug: str) -> tuple[object, dict]:
        issuer = self._glossary_owner(principal, slug)
        with self.db.read() as conn:
            return issuer, issuer_store.glossary(conn, issuer.id)

    def set_glossary(self, principal: Principal, slug: str, keep, forced) -> dict:
        """Replace an issuer's glossary (a new version: translation memory entries that used the
        changed terms no longer match, the rest still do)."""
        issuer = self._glossary_owner(principal, slug)
        keep, forced = glossary_terms(keep, forced)
        now = self.clock()
        with self.db.transaction() as conn:
            value = issuer_store.set_glossary(conn, issuer.id, keep, forced)
            audit.record(conn, actor=principal, action="issuer.glossary", issuer_id=issuer.id, now=now,
                         detail={"version": value["version"], "keep": len(keep), "forced": len(forced)})
            return value

    def _glossary_owner(self, principal: Principal, slug: str):
        access.require_signed_in(principal)
        with self.db.read() as conn:
            issuer = issuer_store.get_issuer_by_slug(conn, slug)
        if issuer is None or not (principal.is_staff or principal.issuer_id == issuer.id):
            raise NotFound(f"There is no issuer '{slug}' whose glossary this key may manage.")
        return issuer


