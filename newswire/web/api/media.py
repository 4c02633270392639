"""/api/v1/releases/{id}/media (a release's pictures and documents) and /api/v1/issuers/{slug}/logo."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from ...domain.errors import NotFound
from ...domain.models import Media
from ...formats.site import Site
from ...services.media import FILE_TYPES, MediaService, Upload
from ..deps import ReleaseId, media, principal
from ..deps import site as _site
from ..edge import ApiRoute
from . import models as m
from .openapi import BINARY, content, errors

router = APIRouter(tags=["media"], route_class=ApiRoute)
READ = errors(401, 403, 404, 422)
ERRORS = errors(401, 403, 404, 409, 413, 422)
RELEASE_MEDIA = "/api/v1/releases/{release_id}/media"


class OrderIn(BaseModel):
    ids: list[int] = Field(description="Every media id of the release, in the new order")


def view(item: Media, site: Site, numbered: bool = True) -> dict:
    """``numbered``: the caller manages the release, so it gets the item's number (to replace,
    delete and order); others get the item without it (the public sees only the random token in
    each rendition's URL)."""
    return {
        **({"id": item.id} if numbered else {}), "kind": item.kind, "mime": item.mime, "filename": item.filename,
        "alt_text": item.alt_text, "caption": item.caption, "credit": item.credit, "position": item.position,
        "renditions": [{"name": r.name, "href": site.media_url(item, r), "contenttype": r.mime,
                        "width": r.width or None, "height": r.height or None, "sizeinbytes": r.size}
                       for r in item.renditions],
    }


async def _upload(file: UploadFile | None, alt_text: str, caption: str, credit: str) -> Upload:
    data = await file.read() if file is not None else b""
    return Upload(data, (file.filename or "") if file is not None else "", alt_text, caption, credit)


@router.post(RELEASE_MEDIA, status_code=201, response_model=m.MediaItem, responses=ERRORS,
             summary="Add a picture (JPEG, PNG, WebP, GIF; alt text required) or a PDF document")
async def upload(request: Request, release_id: ReleaseId, file: UploadFile | None = File(None), alt_text: str = Form(""),
                 caption: str = Form(""), credit: str = Form(""), p=Depends(principal),
                 ms: MediaService = Depends(media)):
    # decoding and re-encoding a picture takes CPU time: off the event loop, so other requests go on
    item = await run_in_threadpool(ms.upload, p, release_id, await _upload(file, alt_text, caption, credit))
    return view(item, _site(request))


@router.get(RELEASE_MEDIA, response_model=m.MediaList, responses=READ, summary="A release's pictures and documents, in order")
def list_media(request: Request, release_id: ReleaseId, p=Depends(principal), ms: MediaService = Depends(media)):
    site = _site(request)
    items, manages = ms.listing(p, release_id)
    return {"items": [view(m, site, manages) for m in items]}


@router.head(RELEASE_MEDIA + "/{media_id}/{filename}", include_in_schema=False)  # the same, without the body
@router.get(RELEASE_MEDIA + "/{media_id}/{filename}", response_class=FileResponse,
            responses={**READ, 200: content(*FILE_TYPES, schema=BINARY, description="The file")},
            summary="One rendition's file, for whoever may see the release (the issuer's preview of a "
                    "draft); HEAD answers the same without the body")
def media_file(release_id: ReleaseId, media_id: int, filename: str, p=Depends(principal),
               ms: MediaService = Depends(media)):
    found = ms.open_for(p, release_id, media_id, filename)
    if not found.path.is_file():
        raise NotFound("The file is missing from the media store; upload it again.")
    return FileResponse(found.path, media_type=found.mime, filename=found.filename,
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.put(RELEASE_MEDIA + "/order", response_model=m.MediaList, responses=ERRORS, summary="Put the release's media in a new order")
def order_media(request: Request, release_id: ReleaseId, body: OrderIn, p=Depends(principal),
                ms: MediaService = Depends(media)):
    site = _site(request)
    return {"items": [view(m, site) for m in ms.order(p, release_id, body.ids)]}


@router.put(RELEASE_MEDIA + "/{media_id}", response_model=m.MediaItem, responses=ERRORS,
            summary="Replace a picture or document (a new file and texts, a new URL) before publication")
async def replace_media(request: Request, release_id: ReleaseId, media_id: int, file: UploadFile | None = File(None),
                        alt_text: str = Form(""), caption: str = Form(""), credit: str = Form(""),
                        p=Depends(principal), ms: MediaService = Depends(media)):
    item = await run_in_threadpool(ms.replace, p, release_id, media_id,
                                   await _upload(file, alt_text, caption, credit))
    return view(item, _site(request))


@router.delete(RELEASE_MEDIA + "/{media_id}", status_code=204, responses=ERRORS,
               summary="Delete a picture or document before publication")
def delete_media(release_id: ReleaseId, media_id: int, p=Depends(principal), ms: MediaService = Depends(media)):
    ms.delete(p, release_id, media_id)
    return Response(status_code=204)


@router.put("/api/v1/issuers/{slug}/logo", response_model=m.MediaItem, responses=ERRORS,
            summary="Set the issuer's logo (a picture; the desk or the issuer's own key)")
async def set_logo(request: Request, slug: str, file: UploadFile | None = File(None), alt_text: str = Form(""),
                   p=Depends(principal), ms: MediaService = Depends(media)):
    item = await run_in_threadpool(ms.set_logo, p, slug, await _upload(file, alt_text, "", ""))
    return view(item, _site(request))
