"""One-click unsubscribe (RFC 8058) for e-mail endpoints.

Every message carries ``List-Unsubscribe: <{base}/unsubscribe/{token}>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; mail programs POST to that URL.
A person who opens the link gets GET, which only asks, with a form that POSTs back:
link scanners and prefetchers GET every URL in a message, so GET must never unsubscribe.
POST disables that one endpoint and cancels its pending deliveries. Unknown tokens are 404;
repeating is harmless. No cookies, no JavaScript, no login: the token is the authority.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from ...domain import languages
from ...domain.errors import NotFound
from ...services.subscriptions import SubscriptionService
from ..deps import subscriptions

router = APIRouter(include_in_schema=False)
PAGE = "unsubscribe.html"  # in templates/, with the newsroom's other pages


def _page(request: Request, row, token: str, done: bool) -> HTMLResponse:
    lang = request.app.state.nw.settings.default_language
    template = request.app.state.templates.env.get_template(PAGE)
    body = template.render(lang=lang, dir="rtl" if lang in languages.RTL else "ltr", done=done,
                           address=row.address, action=f"/unsubscribe/{token}")
    # The address is personal: keep the page out of caches and search engines.
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
                                       "Content-Language": lang})


@router.get("/unsubscribe/{token}")
def confirm(request: Request, token: str, svc: SubscriptionService = Depends(subscriptions)):
    try:
        row = svc.unsubscribe_target(token)
    except NotFound:
        raise HTTPException(status_code=404) from None
    return _page(request, row, token, done=svc.is_unsubscribed(row))


@router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, token: str, svc: SubscriptionService = Depends(subscriptions)):
    # RFC 8058's body is "List-Unsubscribe=One-Click"; it is not required here, as the form sends it
    # and a mail program that omits it still means to unsubscribe.
    try:
        row = svc.unsubscribe(token)
    except NotFound:
        raise HTTPException(status_code=404) from None
    return _page(request, row, token, done=True)
