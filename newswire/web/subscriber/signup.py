"""Journalists sign up (/subscribe), confirm their address from the e-mailed link, and ask for a
new link. Signed out: the forms carry the signed-out CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unavailable
from .. import throttle
from ..account.mail import composer
from ..deps import accounts
from ..pages import session
from ..pages.render import field_errors, mark_page, page_language, redirect, render
from . import forms

router = APIRouter(prefix="/subscribe", include_in_schema=False, dependencies=[Depends(mark_page)])
MAIL = "subscriber/mail_confirm.html"
TAKEN = "subscriber/mail_taken.html"  # to an address with an account: the page reads the same


def _form(request: Request, *, status: int = 200, errors: dict | None = None, values: dict | None = None):
    lang = page_language(request, session.viewer(request))
    ctx = {**forms.choices(lang, accounts(request).issuers()), "lang": lang, "errors": errors or {},
           "values": values or {"delivery": "instant", "digest_hour": 7}}
    return render(request, "subscriber/signup.html", ctx, status=status)


@router.get("")
def signup_form(request: Request):
    return _form(request)


@router.post("")
def signup(request: Request, form: FormData = Depends(session.checked_form)):
    lang = page_language(request)
    raw = {**forms.preferences(form), "language": lang,
           **{k: str(form.get(k, "")) for k in ("name", "email", "password")}}
    values = forms.shown({k: v for k, v in raw.items() if k != "password"})
    if raw["password"] != str(form.get("password_again", "")):
        return _form(request, status=422, errors={"password_again": "does not match the password"}, values=values)
    try:
        throttle.hit(request, "signup", account=raw["email"])
        email = request.app.state.nw.signup.sign_up(raw, composer(request, MAIL), composer(request, TAKEN))
    except TooManyRequests as e:
        return throttle.refused(_form(request, status=429, errors={"form": e.detail}, values=values), e)
    except InvalidInput as e:
        return _form(request, status=422, errors=field_errors(e), values=values)
    except Conflict as e:
        return _form(request, status=409, errors={"email": e.detail}, values=values)
    except Unavailable as e:
        return _form(request, status=503, errors={"form": e.detail}, values=values)
    return render(request, "subscriber/sent.html", {"email": email, "lang": lang})


@router.get("/confirm/{token}")
def confirm_form(request: Request, token: str):
    """Only asks: mail scanners open every link, and a GET must not confirm for the reader."""
    return render(request, "subscriber/confirm.html", {"token": token})


@router.post("/confirm/{token}")
def confirm(request: Request, token: str, form: FormData = Depends(session.checked_form)):
    try:
        signed = request.app.state.nw.signup.confirm(token)
    except NotFound as e:
        return render(request, "subscriber/confirm.html", {"token": token, "expired": e.detail}, status=404)
    response = redirect("/subscriber?confirmed=1")
    session.start_session(request, response, signed)
    return response


@router.get("/resend")
def resend_form(request: Request):
    return render(request, "subscriber/resend.html")


@router.post("/resend")
def resend(request: Request, form: FormData = Depends(session.checked_form)):
    email = str(form.get("email", ""))
    try:
        request.app.state.nw.signup.resend(email, composer(request, MAIL))
    except InvalidInput as e:
        return render(request, "subscriber/resend.html", {"values": {"email": email}, "errors": field_errors(e)},
                      status=422)
    except Unavailable as e:
        return render(request, "subscriber/resend.html", {"values": {"email": email}, "errors": {"form": e.detail}},
                      status=503)
    return render(request, "subscriber/sent.html", {"email": email.strip().lower(), "resent": True})
