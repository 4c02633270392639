"""/subscriber: a subscriber's preferences, how its e-mail arrives, what it got lately, and
unsubscribing from all e-mail in one click."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import InvalidInput, Unavailable
from ...domain.events import EndpointStatus
from ...domain.subscriptions import Channel
from ..account.mail import composer
from ..deps import accounts, subscriptions
from ..pages import session
from ..pages.render import field_errors, mark_page, page_language, redirect, render
from . import forms
from .signup import MAIL

router = APIRouter(prefix="/subscriber", include_in_schema=False, dependencies=[Depends(mark_page)])


def _values(sub, emails) -> dict:
    p = sub.preferences
    hour = next((e.digest_hour for e in emails), None)
    return {"languages": list(p.languages), "regions": list(p.regions), "industries": list(p.industries),
            "issuers": list(p.issuers), "timezone": sub.timezone, "delivery": "instant" if hour is None else "digest",
            "digest_hour": hour if hour is not None else 7}


def _page(request: Request, *, status: int = 200, errors: dict | None = None, values: dict | None = None, **extra):
    user, sid = forms.own(request)
    p, lang = user.principal, page_language(request, user)
    sub = subscriptions(request).get(p, sid)
    emails = [e for e in subscriptions(request).endpoints(p, sid) if e.channel == Channel.EMAIL]
    ctx = {**forms.choices(lang, accounts(request).issuers()), "lang": lang, "subscriber": sub, "emails": emails,
           "pending": any(e.status == EndpointStatus.PENDING for e in emails),
           "receiving": any(e.status == EndpointStatus.ACTIVE for e in emails),
           "recent": request.app.state.nw.signup.recent(p, sid), "errors": errors or {},
           "values": values or _values(sub, emails), **extra}
    return render(request, "subscriber/home.html", ctx, status=status, user=user)


@router.get("")
def home(request: Request):
    return _page(request)


@router.post("")
def save(request: Request, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    raw = forms.preferences(form)
    if not any(e.channel == Channel.EMAIL for e in subscriptions(request).endpoints(user.principal, sid)):
        raw.pop("digest_hour")  # an outlet without e-mail: nothing to time
    try:
        request.app.state.nw.signup.save(user.principal, sid, raw)
    except InvalidInput as e:
        return _page(request, status=422, errors=field_errors(e), values=forms.shown(raw))
    return redirect("/subscriber?saved=1")


@router.post("/unsubscribe")
def unsubscribe_all(request: Request, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    request.app.state.nw.signup.unsubscribe_all(user.principal, sid)
    return redirect("/subscriber?unsubscribed=1")


@router.post("/resume")
def resume(request: Request, form: FormData = Depends(session.checked_form)):
    user, sid = forms.own(request)
    request.app.state.nw.signup.resume(user.principal, sid)
    return redirect("/subscriber?resumed=1")


@router.post("/confirmation")
def resend(request: Request, form: FormData = Depends(session.checked_form)):
    """A new confirmation link for the signed-in journalist whose address is not confirmed yet."""
    user, _ = forms.own(request)
    try:
        request.app.state.nw.signup.resend(user.email, composer(request, MAIL))
    except Unavailable as e:
        return _page(request, status=503, errors={"form": e.detail})
    return redirect("/subscriber?resent=1")
