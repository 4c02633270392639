"""One-click unsubscribe (RFC 8058) for e-mail endpoints.

Every message carries ``List-Unsubscribe: <{base}/unsubscribe/{token}>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; mail programs POST to that URL.
A person who opens the link gets GET, which only asks, with a form that POSTs back:
link scanners and prefetchers GET every URL in a message, so GET must never unsubscribe.
POST disables that one endpoint and cancels its pending deliveries. Unknown tokens are 404;
repeating is harmless. No cookies, no JavaScript, no login: the token is the authority.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ...domain import languages
from ...domain.subscriptions import Channel
from ...storage import deliveries as ledger
from ...storage import subscribers as subs
from ...workflow.wire import Wire

router = APIRouter(include_in_schema=False)
REASON = "unsubscribed"

PAGE = "unsubscribe.html"  # in templates/, with the newsroom's other pages


def _wire(request: Request) -> Wire:
    return request.app.state.wire


def _page(request: Request, row, token: str, done: bool) -> HTMLResponse:
    lang = _wire(request).settings.default_language
    template = request.app.state.templates.env.get_template(PAGE)
    body = template.render(lang=lang, dir="rtl" if lang in languages.RTL else "ltr", done=done,
                           address=row.address, action=f"/unsubscribe/{token}")
    # The address is personal: keep the page out of caches and search engines.
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
                                       "Content-Language": lang})


def _email_endpoint(conn, token: str):
    row = subs.endpoint_by_unsubscribe_token(conn, token) if len(token) <= 64 else None
    if row is None or row.channel != Channel.EMAIL.value:
        raise HTTPException(status_code=404)
    return row


@router.get("/unsubscribe/{token}")
def confirm(request: Request, token: str):
    with _wire(request).engine.connect() as conn:
        row = _email_endpoint(conn, token)
    return _page(request, row, token, done=row.status == "disabled" and row.disabled_reason == REASON)


@router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, token: str):
    # RFC 8058's body is "List-Unsubscribe=One-Click"; it is not required here, as the form sends it
    # and a mail program that omits it still means to unsubscribe.
    wire = _wire(request)
    with wire.transaction() as conn:
        row = _email_endpoint(conn, token)
        if not (row.status == "disabled" and row.disabled_reason == REASON):
            ledger.disable_endpoint(conn, row.id, REASON, wire.clock())
    return _page(request, row, token, done=True)
