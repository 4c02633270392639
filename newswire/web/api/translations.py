"""/api/v1/releases/{id}/translations: progress, review and editing of language versions;
/api/v1/issuers/{slug}/glossary: the terms an issuer's translations must honour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request

from ...domain.models import Principal, Release
from ...formats.labels import translation_label
from ...formats.site import Site
from ...services.listings import Listings
from ...services.translations import TranslationService
from ..deps import ReleaseId, listings, principal, translations
from ..deps import site as _site
from ..edge import ApiRoute
from . import models as m
from . import schemas
from .releases import ERRORS, READ

if TYPE_CHECKING:
    from ...storage.translations import Row

router = APIRouter(tags=["translations"], route_class=ApiRoute)


def view(release: Release, row: Row, site: Site, now, *, segments: bool = False) -> dict:
    out = {
        "language": row.language,
        "status": row.state_for(release.current.number),
        "source_version": row.source_version,
        "progress": {"done": row.done, "total": row.total},
        "engines": list(row.engines),
        "flagged": row.flagged,
        "human_edited": sum(1 for s in row.segments if s.get("status") == "human"),
        "error": row.error or None,
        "updated_at": row.updated_at.isoformat(),
        "api_url": site.api_url(release, f"?lang={row.language}"),
        "url": site.release_url(release, row.language) if row.is_current_for(release.current.number)
        and release.is_public(now) else None,
    }
    if row.engines:
        out["label"] = translation_label(row.translated(release.language))
    if segments:
        out["fields"] = row.fields
        out["segments"] = row.segments
    return out


@router.get("/api/v1/releases/{release_id}/translations", response_model=m.TranslationList,
            response_model_exclude_unset=True, responses=READ,
            summary="Translations of a release and their progress (issuer, editors, admins)")
def list_translations(request: Request, release_id: ReleaseId, p: Principal = Depends(principal), ls: Listings = Depends(listings), ts: TranslationService = Depends(translations)):
    release, rows = ts.translations(p, release_id)
    site, now = _site(request), ls.clock()
    return {"release": release.public_id, "language": release.language, "target_languages": list(release.target_languages),
            "items": [view(release, r, site, now) for r in rows]}


@router.get("/api/v1/releases/{release_id}/translations/{lang}", response_model=m.Translation,
            response_model_exclude_unset=True, responses=READ,
            summary="One translation with its segments, problems and the engine of each (for review)")
def get_translation(request: Request, release_id: ReleaseId, lang: str, p: Principal = Depends(principal),
                    ls: Listings = Depends(listings), ts: TranslationService = Depends(translations)):
    release, row = ts.translation(p, release_id, lang)
    return view(release, row, _site(request), ls.clock(), segments=True)


@router.patch("/api/v1/releases/{release_id}/translations/{lang}", response_model=m.Translation,
              response_model_exclude_unset=True, responses=ERRORS,
              summary="Set segments' wording (editors); the translation is reassembled around them")
def edit_translation(request: Request, release_id: ReleaseId, lang: str, body: schemas.TranslationEdit,
                     p: Principal = Depends(principal), ls: Listings = Depends(listings), ts: TranslationService = Depends(translations)):
    release, row = ts.edit_translation(p, release_id, lang, body.segments)
    return view(release, row, _site(request), ls.clock(), segments=True)


@router.post("/api/v1/releases/{release_id}/translations/{lang}/retry", response_model=m.Translation,
             response_model_exclude_unset=True, responses=ERRORS,
             summary="Translate again (editors), e.g. after an engine was added or came back")
def retry_translation(request: Request, release_id: ReleaseId, lang: str, p: Principal = Depends(principal),
                      ls: Listings = Depends(listings), ts: TranslationService = Depends(translations)):
    release, row = ts.retranslate(p, release_id, lang)
    return view(release, row, _site(request), ls.clock())


@router.get("/api/v1/issuers/{slug}/glossary", response_model=m.Glossary, responses=READ,
            summary="The issuer's glossary (the issuer's own keys, editors, admins)")
def get_glossary(slug: str, p: Principal = Depends(principal), ts: TranslationService = Depends(translations)):
    issuer, value = ts.glossary(p, slug)
    return {"issuer": issuer.slug, "version": value.get("version", 0), "keep": value.get("keep", []),
            "forced": value.get("forced", {})}


@router.put("/api/v1/issuers/{slug}/glossary", response_model=m.Glossary, responses=ERRORS,
            summary="Replace the issuer's glossary: do-not-translate terms and forced translations")
def put_glossary(slug: str, body: schemas.GlossaryIn, p: Principal = Depends(principal), ts: TranslationService = Depends(translations)):
    value = ts.set_glossary(p, slug, body.keep, body.forced)
    return {"issuer": slug, **value}
