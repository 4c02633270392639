"""/requests: the desk's list of issuers' open correction and withdrawal requests (editors and
admins), each marked done with an answer the issuer sees on its release page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import InvalidInput
from ...domain.models import Role
from ..pages import session
from ..pages.render import field_errors, mark_page, redirect, render

router = APIRouter(prefix="/requests", include_in_schema=False, dependencies=[Depends(mark_page)])


def _page(request: Request, status: int = 200, **extra):
    user = session.require(request, Role.EDITOR, Role.ADMIN)
    items = request.app.state.nw.portal.open_requests(user.principal)
    return render(request, "portal/requests.html", {"items": items, **extra}, status=status)


@router.get("")
def requests_page(request: Request):
    return _page(request)


@router.post("/{request_id}/done")
def done(request: Request, request_id: int, form: FormData = Depends(session.checked_form)):
    user = session.require(request, Role.EDITOR, Role.ADMIN)
    reply = str(form.get("reply", "") or "")
    try:
        request.app.state.nw.portal.close_request(user.principal, request_id, reply)
    except InvalidInput as e:
        return _page(request, 422, errors=field_errors(e), failed=request_id, values={"reply": reply})
    return redirect("/requests?done=1")
