"""/media/{token}/{rendition}.{ext}: a release's pictures and documents, and issuers' logos.

The token is 128 random bits; a release's files are embargoed with it (404 until the release
second, the service asks the listings on every request) and gone (410) once it is withdrawn.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, Response

from ...domain.errors import Gone, NotFound
from ...services.media import MediaService
from ..deps import media

router = APIRouter(include_in_schema=False)
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
CACHE = "public, max-age=300"  # short: a withdrawal must not outlive caches for long


@router.api_route("/media/{token}/{filename}", methods=["GET", "HEAD"])  # HEAD: the same, no body
def media_file(token: str, filename: str, ms: MediaService = Depends(media)):
    try:
        found = ms.open_public(token, filename)
    except Gone as e:
        return _refusal(410, e.detail)
    except NotFound as e:
        return _refusal(404, e.detail)
    if not found.path.is_file():
        return _refusal(404, "There is no such file.")
    disposition = "attachment" if found.mime == "application/pdf" else "inline"
    headers = {**NOSNIFF, "Cache-Control": CACHE,
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    return FileResponse(found.path, media_type=found.mime, headers=headers,
                        filename=found.filename, content_disposition_type=disposition)


def _refusal(status: int, detail: str) -> Response:
    # never cached: the same address answers 200 from the release second on
    return Response(detail + "\n", status_code=status, media_type="text/plain; charset=utf-8",
                    headers={**NOSNIFF, "Cache-Control": "no-store"})
