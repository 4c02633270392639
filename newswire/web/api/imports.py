"""`POST /api/v1/imports`: files as `newswire import` reads them, with a dry run."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ...domain.models import Principal
from ...services.releases import ReleaseService
from ..deps import principal, releases
from ..deps import site as _site
from . import schemas
from .releases import ERRORS, summary

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.post("", responses=ERRORS, summary="Import releases from files (Markdown, HTML, wire copy); "
                                            "dry_run shows what each would give")
def import_files(request: Request, body: schemas.ImportIn, p: Principal = Depends(principal),
                 rs: ReleaseService = Depends(releases)):
    files = [(f.name, f.text) for f in body.files]
    if body.dry_run:
        return {"dry_run": True, "files": rs.preview_import(p, files, body.language)}
    done = rs.import_texts(p, files, language=body.language, issuer=body.issuer, publish=body.publish,
                           override=body.override)
    site = _site(request)
    return JSONResponse({"dry_run": False, "releases": [summary(r, site) for r in done]}, status_code=201)
