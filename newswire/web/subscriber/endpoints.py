"""/subscriber/endpoints: an outlet's webhook endpoints (add, signed test event, rotate the secret,
remove), its delivery log with replay of failures, and content-API keys bound to it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import Conflict, InvalidInput
from ...domain.subscriptions import Channel
from ..deps import subscriptions
from ..pages import session
from ..pages.render import field_errors, mark_page, redirect, render
from . import forms

router = APIRouter(prefix="/subscriber/endpoints", include_in_schema=False, dependencies=[Depends(mark_page)])
PAGE = 25  # deliveries a page


def _page(request: Request, *, status: int = 200, errors: dict | None = None, values: dict | None = None, **extra):
    user, sid = forms.own(request)
    p, subs, outlets = user.principal, subscriptions(request), request.app.state.nw.outlets
    cursor = request.query_params.get("cursor") or None
    log = subs.subscriber_deliveries(p, sid, cursor=cursor if cursor and cursor.isdigit() else None, limit=PAGE)
    tests = outlets.tests(p, sid)
    tested = request.query_params.get("tested")
    ctx = {"subscriber": subs.get(p, sid), "values": values or {"format": "ninjs"}, "errors": errors or {},
           "endpoints": [e for e in subs.endpoints(p, sid) if e.channel == Channel.WEBHOOK], "log": log,
           "tests": tests, "keys": outlets.keys(p, sid), "cursor": cursor,
           "tested": next((t for t in tests if tested and str(t.endpoint_id) == tested), None),
           "allow_private": request.app.state.nw.settings.webhook_allow_private, **extra}
    return render(request, "subscriber/endpoints.html", ctx, status=status, user=user)


@router.get("")
def endpoints(request: Request):
    return _page(request)


@router.post("")
def add(request: Request, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    values = {"url": str(form.get("url", "")).strip(), "format": str(form.get("format", "ninjs"))}
    try:
        issued = subscriptions(request).add_endpoint(user.principal, sid, {"channel": "webhook", **values})
    except InvalidInput as e:
        return _page(request, status=422, errors=field_errors(e), values=values)
    except Conflict as e:
        return _page(request, status=409, errors={"url": e.detail}, values=values)
    return _page(request, issued=issued)


@router.post("/{endpoint_id}/test")
def test(request: Request, endpoint_id: int, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    request.app.state.nw.outlets.send_test(user.principal, sid, endpoint_id)
    return redirect(f"/subscriber/endpoints?tested={endpoint_id}#tests")


@router.post("/{endpoint_id}/rotate")
def rotate(request: Request, endpoint_id: int, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    return _page(request, issued=subscriptions(request).rotate_secret(user.principal, sid, endpoint_id), rotated=True)


@router.post("/{endpoint_id}/enable")
def enable(request: Request, endpoint_id: int, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    subscriptions(request).enable_endpoint(user.principal, sid, endpoint_id)
    return redirect("/subscriber/endpoints?saved=enabled")


@router.post("/{endpoint_id}/delete")
def delete(request: Request, endpoint_id: int, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    subscriptions(request).remove_endpoint(user.principal, sid, endpoint_id)
    return redirect("/subscriber/endpoints?saved=removed")


@router.post("/deliveries/{delivery_id}/replay")
def replay(request: Request, delivery_id: int, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    subscriptions(request).replay(user.principal, delivery_id, subscriber_id=sid)
    return redirect("/subscriber/endpoints?saved=replayed#log")


@router.post("/keys")
def create_key(request: Request, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    name = str(form.get("name", ""))
    try:
        token = request.app.state.nw.outlets.create_key(user.principal, sid, name)
    except InvalidInput as e:
        return _page(request, status=422, errors={"name": e.detail.partition(": ")[2] or e.detail},
                     values={"name": name, "format": "ninjs"})
    return _page(request, new_key=token, new_key_name=name.strip())


@router.post("/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: int, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    request.app.state.nw.outlets.revoke_key(user.principal, sid, key_id)
    return redirect("/subscriber/endpoints?saved=revoked#keys")
