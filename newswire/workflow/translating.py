"""Translation at the desk: which languages a release asks for, when its translations are queued,
and how a finished translation becomes a language version that is published and delivered.

A release names ``target_languages``; approving (or publishing) it queues one job per language,
a correction re-queues them for the new version, a withdrawal cancels what is pending. The worker
(``newswire.translation.worker``) fills the jobs in; ``TranslationDesk.complete`` files the result
and, once the release is public, routes the new language version like any other release event.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.engine import Connection

from ..domain import languages, limits
from ..domain.errors import FieldError, Forbidden, InvalidInput, NotFound, UnsupportedLanguagePair
from ..domain.models import LIVE, Content, Principal, Release
from ..intake.html import sanitize
from ..storage import issuers as issuer_store
from ..storage import releases as store
from ..storage import translations as tr
from . import access

# Languages lingua cannot reliably tell apart in a short release: a mismatch within one of these
# groups is not treated as a wrong source language.
_CLOSE = ({"id", "ms"}, {"zh-Hans", "zh-Hant"})
FIELDS = ("headline", "subheadline", "lead", "body_html", "boilerplate")


def parse_targets(raw, source: str) -> tuple[str, ...]:
    """``target_languages`` as the wire's tags, in order, without duplicates or the source."""
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        raw = [x for x in raw.split(",") if x.strip()]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        msg = 'give a list of language tags, e.g. ["es", "pt"]'
        raise InvalidInput(f"target_languages: {msg}", errors=[FieldError("target_languages", msg)])
    limits.enforce("release.target_languages", raw, "target_languages")
    out, bad = [], []
    for x in raw:
        tag = languages.normalize(x.strip())
        if tag is None:
            bad.append(x)
        elif tag != source and tag not in out:
            out.append(tag)
    if bad:
        msg = (f"{', '.join(repr(b) for b in bad)}: not a language the wire publishes in; "
               f"use any of: {languages.supported_list()}")
        raise InvalidInput(f"target_languages: {msg}", errors=[FieldError("target_languages", msg)])
    return tuple(out)


def check_pairs(pipeline, source: str, targets: tuple[str, ...]) -> None:
    """Refuse targets no engine here can reach, saying what is available and what would add them."""
    from ..translation.engines.base import UnsupportedPair

    missing: dict[str, list[str]] = {}
    for target in targets:
        try:
            pipeline.routes(source, target)
        except UnsupportedPair as exc:
            missing[target] = getattr(exc, "would_add", [])
    if not missing:
        return
    available = sorted(f"{s}-{t}" for s, t in pipeline.registry.pairs())
    names = ", ".join(f"{source}→{t}" for t in missing)
    raise UnsupportedLanguagePair(
        f"No translation engine on this wire translates {names}. Pairs available: {', '.join(available) or 'none'}. "
        "Remove those languages from target_languages, or ask the operator to add an engine (see would_add).",
        errors=[FieldError("target_languages", f"{source}→{t}: no engine here translates this pair")
                for t in missing],
        available_pairs=available, would_add={t: hints for t, hints in missing.items()})


def check_source_language(content: Content) -> None:
    """A wrong source language would be translated into nonsense: ask rather than guess."""
    from ..intake.detect import detect

    text = " ".join(x for x in (content.headline, content.lead, _text(content.body_html)) if x)
    found = detect(text)
    if found is None or found == content.language or any({found, content.language} <= g for g in _CLOSE):
        return
    msg = (f"the text reads as {languages.name(found)} ({found}), not {languages.name(content.language)} "
           f"({content.language}); set language to the one it is written in before asking for translations")
    raise InvalidInput(f"language: {msg}", errors=[FieldError("language", msg)])


def _text(html: str) -> str:
    import lxml.html

    return lxml.html.fromstring(f"<div>{html}</div>").text_content() if html else ""


def queue(conn: Connection, release: Release, now: dt.datetime) -> bool:
    """Queue the release's target languages for its current version; True if there are any."""
    tr.queue(conn, release.id, list(release.target_languages), release.current.number, now)
    return bool(release.target_languages)


def segment_id(source: str) -> str:
    """An editor names a segment by the sha256 of its source unit: the key the pipeline's
    ``human`` map uses, stable across versions while the sentence is unchanged."""
    return hashlib.sha256(source.encode()).hexdigest()


def fields_of(content: Content) -> dict[str, str]:
    return {name: getattr(content, name) for name in FIELDS}


class TranslationDesk:
    """Wire methods for translations (mixed into ``Wire``: one transaction each)."""

    def translations(self, principal: Principal, release_id: int) -> tuple[Release, list[tr.Row]]:
        access.require_signed_in(principal)
        with self.engine.connect() as conn:
            release = access.ensure_visible(principal, store.load(conn, release_id), self.clock(), release_id)
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
        human, errors = dict(row.human), []
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
        with self.transaction() as conn:
            tr.set_human(conn, row.id, human, now)
            self._audit_translation(conn, principal, release, "translation.edit", row.language, now,
                                    {"segments": len(edits)})
            self._poke_translators(conn)
            return release, tr.get_by_id(conn, row.id)

    def retranslate(self, principal: Principal, release_id: int, language: str) -> tuple[Release, tr.Row]:
        release, row = self.translation(principal, release_id, language)
        access.require_staff(principal, "re-run translations")
        now = self.clock()
        with self.transaction() as conn:
            tr.set_human(conn, row.id, row.human, now)
            self._audit_translation(conn, principal, release, "translation.retry", row.language, now, {})
            self._poke_translators(conn)
            return release, tr.get_by_id(conn, row.id)

    def get_language(self, principal: Principal, release_id: int, language: str | None) -> Release:
        """The release as the caller may see it, in ``language`` (its original when None)."""
        with self.engine.connect() as conn:
            release = access.ensure_visible(principal, store.load(conn, release_id), self.clock(), release_id)
            tag = languages.normalize(language) if language else None
            if not language or tag == release.language:
                return release
            found = store.load_language(conn, release_id, tag or "",
                                        unfinished=principal.can_see_unpublished(release.issuer.id))
        if found is None:
            raise NotFound(f"Release {release_id} has no published '{language}' version; it can be read in "
                           f"{', '.join(release.languages)}.")
        return found

    def get_public_language(self, release_id: int, language: str) -> Release | None:
        """For the newsroom: the public release in ``language`` (original or ready translation)."""
        original = self.get_public(release_id)
        if original is None or language == original.language:
            return original
        if language not in original.translations:  # (a withdrawn one's stand for its 410 notice)
            return None
        with self.engine.connect() as conn:
            row = tr.get(conn, release_id, language)
        ready = row is not None and row.status == tr.READY and row.source_version == original.current.number
        return store.language_version(original, row) if ready else None

    # --- the worker's side ---------------------------------------------------------------------

    def claim_translation(self, worker: str, lease_seconds: int) -> tr.Row | None:
        with self.transaction() as conn:
            return tr.claim(conn, worker=worker, now=self.clock(), lease_seconds=lease_seconds)

    def translation_progress(self, row: tr.Row, worker: str, done: int | None, total: int | None,
                             lease_seconds: int) -> bool:
        with self.transaction() as conn:
            return tr.progress(conn, row.id, worker, done, total, self.clock(), lease_seconds)

    def fail_translation(self, row: tr.Row, worker: str, error: str) -> None:
        with self.transaction() as conn:
            tr.finish(conn, row.id, worker, status=tr.FAILED, now=self.clock(), error=error[:2000])

    def complete_translation(self, row: tr.Row, worker: str, result) -> tr.Row | None:
        """File a pipeline result; a clean one that renders a public release goes out at once.
        None if the job was no longer this worker's (re-queued by an edit or a correction)."""
        now = self.clock()
        segments = [{"id": segment_id(s.source), "field": s.field, "block": s.block, "sentence": s.sentence,
                     "source": s.source, "text": s.output, "status": s.status, "engine": s.engine,
                     "strategy": s.strategy, "problems": list(s.problems)} for s in result.segments]
        engines = sorted({n for s in result.segments if s.status != "human" and s.strategy not in ("copy", "human")
                          and s.engine for n in s.engine.split(">")[::2]})
        status = tr.REVIEW if result.flagged else tr.READY
        with self.transaction() as conn:
            store.lock(conn, row.release_id)  # orders this with a concurrent go-live of the release
            if not tr.finish(conn, row.id, worker, status=status, now=now, fields=dict(result.fields),
                             segments=segments, engines=engines):
                return None
            release = store.load(conn, row.release_id)
            if status == tr.READY and release is not None and release.current.number == row.source_version:
                self._route_translations(conn, release, now)
            return tr.get_by_id(conn, row.id)

    # --- shared by the Wire's actions ------------------------------------------------------------

    def _route_translations(self, conn: Connection, release: Release, now: dt.datetime) -> None:
        """Deliver each ready, not yet delivered language version of a public release."""
        if release.status not in LIVE or release.published_at is None or release.published_at > now:
            return
        for row in tr.ready(conn, [release.id]):
            if row.source_version != release.current.number or row.routed_version == row.source_version:
                continue
            event = "release.published" if row.routed_version is None else "release.corrected"
            version = store.language_version(release, row)
            for listener in self.listeners:
                listener(conn, event, version)
            tr.mark_routed(conn, row.id, row.source_version)

    def _queue_translations(self, conn: Connection, release: Release, now: dt.datetime) -> None:
        if queue(conn, release, now):
            self._poke_translators(conn)

    def _poke_translators(self, conn: Connection) -> None:
        if self.on_translation_queued is not None:
            conn.info.setdefault("after_commit", []).append(self.on_translation_queued)

    def _audit_translation(self, conn, principal, release, action, language, now, detail) -> None:
        from ..storage import audit

        audit.record(conn, actor=principal, action=action, release_id=release.id, issuer_id=release.issuer.id,
                     now=now, detail={"language": language, **detail})

    def issuer_glossary(self, issuer_id: int):
        with self.engine.connect() as conn:
            return issuer_store.glossary(conn, issuer_id)

    def glossary(self, principal: Principal, slug: str) -> tuple[object, dict]:
        issuer = self._glossary_owner(principal, slug)
        with self.engine.connect() as conn:
            return issuer, issuer_store.glossary(conn, issuer.id)

    def set_glossary(self, principal: Principal, slug: str, keep, forced) -> dict:
        """Replace an issuer's glossary (a new version: translation memory entries that used the
        changed terms no longer match, the rest still do)."""
        issuer = self._glossary_owner(principal, slug)
        keep, forced = _glossary_terms(keep, forced)
        now = self.clock()
        with self.transaction() as conn:
            value = issuer_store.set_glossary(conn, issuer.id, keep, forced)
            from ..storage import audit

            audit.record(conn, actor=principal, action="issuer.glossary", issuer_id=issuer.id, now=now,
                         detail={"version": value["version"], "keep": len(keep), "forced": len(forced)})
            return value

    def _glossary_owner(self, principal: Principal, slug: str):
        access.require_signed_in(principal)
        with self.engine.connect() as conn:
            issuer = issuer_store.get_issuer_by_slug(conn, slug)
        if issuer is None or not (principal.is_staff or principal.issuer_id == issuer.id):
            raise NotFound(f"There is no issuer '{slug}' whose glossary this key may manage.")
        return issuer


def _glossary_terms(keep, forced) -> tuple[list[str], dict[str, dict[str, str]]]:
    limits.glossary(keep, forced)
    errors = []
    keep = [] if keep is None else keep
    forced = {} if forced is None else forced
    if not isinstance(keep, list) or not all(isinstance(k, str) and k.strip() for k in keep):
        errors.append(FieldError("keep", 'give a list of terms, e.g. ["Acme", "WidgetPro"]'))
        keep = []
    if not isinstance(forced, dict):
        errors.append(FieldError("forced", 'give {term: {language: translation}}, e.g. {"press kit": {"es": "dosier"}}'))
        forced = {}
    clean: dict[str, dict[str, str]] = {}
    for term, by_lang in forced.items():
        if not term.strip() or not isinstance(by_lang, dict):
            errors.append(FieldError(f"forced.{term}", "give {language: translation}"))
            continue
        for lang, text in by_lang.items():
            tag = languages.normalize(lang)
            if tag is None or not isinstance(text, str) or not text.strip():
                errors.append(FieldError(f"forced.{term}.{lang}",
                                         f"a wire language ({languages.supported_list()}) and a non-empty translation"))
            else:
                clean.setdefault(term.strip(), {})[tag] = text.strip()
    if errors:
        raise InvalidInput(f"{errors[0].field}: {errors[0].message}", errors=errors)
    return list(dict.fromkeys(k.strip() for k in keep)), clean
