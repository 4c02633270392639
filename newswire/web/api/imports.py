"""`POST /api/v1/imports`: files as `newswire import` reads them, with a dry run."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ...domain.models import Principal
from ...services.releases import ReleaseService
from ..deps import principal, releases
from ..deps import site as _site
from ..edge import ApiRoute
from . import models as m
from . import schemas
from .releases import ERRORS, summary

router = APIRouter(prefix="/api/v1/imports", tags=["imports"], route_class=ApiRoute)


@router.post("", response_model=m.ImportResult, response_model_exclude_unset=True,
             responses={**ERRORS, 201: {"model": m.ImportResult, "description": "The releases made"}},
             summary="Import releases from files (Markdown, HTML, wire copy); dry_run (200) shows what each "
                     "would give")
def import_files(request: Request, response: Response, body: schemas.ImportIn, p: Principal = Depends(principal),
                 rs: ReleaseService = Depends(releases)):
    files = [(f.name, f.text) for f in body.files]
    if body.dry_run:
        return {"dry_run": True, "files": rs.preview_import(p, files, body.language)}
    done = rs.import_texts(p, files, language=body.language, issuer=body.issuer, publish=body.publish,
                           override=body.override)
    site = _site(request)
    response.status_code = 201
    return {"dry_run": False, "releases": [summary(r, site) for r in done]}
