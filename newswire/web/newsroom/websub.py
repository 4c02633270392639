"""POST /websub: the WebSub hub's HTTP face (W3C WebSub §5.1). The logic is in
newswire.services.websub; this only parses the form and answers.

Errors are plain text (§5.1.2 asks for a description a developer can read). A valid
request gets 202 at once; intent is verified afterwards, so the answer never depends
on the verification.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import PlainTextResponse

from ...formats.site import HUB_PATH
from ...services.websub import HubError, WebSubService
from ..api.openapi import content
from ..deps import websub

router = APIRouter(tags=["websub"])

MAX_FORM_BYTES = 16_384  # a callback, a topic and a secret; nothing legitimate is bigger
FORM = "application/x-www-form-urlencoded"


def _text(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


@router.post(HUB_PATH, summary="WebSub hub: subscribe to or unsubscribe from a feed", status_code=202,
             response_class=PlainTextResponse, responses={
                 202: content("text/plain", description="Accepted: intent is verified at the callback next"),
                 400: content("text/plain", description="Not a valid hub request: what is wrong"),
                 413: content("text/plain", description="The form is larger than the hub reads"),
                 415: content("text/plain", description="Not a form (application/x-www-form-urlencoded)")})
async def websub_hub(request: Request, background: BackgroundTasks, hub: WebSubService = Depends(websub)):
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        return _text(415, f"Send the request as {FORM} (W3C WebSub §5.1).")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return _text(413, f"The request body is larger than {MAX_FORM_BYTES} bytes.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return _text(400, "The request body must be UTF-8.")
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)  # the first of repeated parameters counts
    try:
        # Off the event loop: checking the callback resolves its host name.
        req = await asyncio.to_thread(hub.parse_request, form)
    except HubError as e:
        return _text(400, str(e))
    background.add_task(hub.process, req)
    return _text(202, f"Accepted: the hub will now verify this {req.mode} request at the callback.")
