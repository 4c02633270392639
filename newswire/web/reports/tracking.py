"""The tracking routes. Each answers the same whatever its token (a forged or unknown one records
nothing): no response says whether a release or a delivery exists. No cookies are set or read,
nothing third-party is loaded; the page beacon is an image, so it counts a view whether the page
came from a cache or was rendered."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ...services.report_events import ReaderEvents

router = APIRouter(prefix="/t", include_in_schema=False)
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1×1, transparent
NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


def _events(request: Request) -> ReaderEvents:
    return request.app.state.nw.reader_events


def _pixel() -> Response:
    return Response(GIF, media_type="image/gif", headers=NO_STORE)


@router.get("/v/{token}.gif")
def viewed(request: Request, token: str):
    _events(request).viewed(token)
    return _pixel()


@router.get("/{token}/o.gif")
def opened(request: Request, token: str):
    _events(request).opened(token)
    return _pixel()


@router.get("/{token}/c")
def clicked(request: Request, token: str):
    """The message's link to the release: to its page, never to a URL the request names."""
    target = _events(request).clicked(token)
    if target is None:
        return Response("This link is not valid.", status_code=404, media_type="text/plain", headers=NO_STORE)
    return RedirectResponse(target, status_code=302, headers=NO_STORE)


def install(env, events: ReaderEvents) -> None:
    """``{{ view_beacon(release.public_id, lang) }}`` in the release page: the view beacon's image."""
    def view_beacon(public_id: str, lang: str) -> Markup:
        token = events.view_token(public_id, lang)
        return Markup(f'<img class="beacon" src="/t/v/{token}.gif" alt="" width="1" height="1" '
                      'referrerpolicy="no-referrer" style="position:absolute;width:1px;height:1px">')

    env.globals["view_beacon"] = view_beacon
