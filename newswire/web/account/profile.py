"""The account page (language, password, personal API keys) and the people page (who belongs to
the wire or the issuer, and inviting more)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain import languages
from ...domain.errors import Conflict, InvalidInput, NotFound, Unavailable
from ...domain.models import Role
from ..deps import accounts as _accounts
from ..pages import session
from ..pages.render import error_page, field_errors, mark_page, redirect, render
from .mail import composer

router = APIRouter(prefix="/account", include_in_schema=False, dependencies=[Depends(mark_page)])


def _account(request: Request, user, *, status: int = 200, **extra):
    return render(request, "account/account.html", {"keys": session.users(request).keys(user),
                                                    "languages_all": languages.SUPPORTED, **extra},
                  status=status, user=user)


@router.get("")
def account(request: Request):
    return _account(request, session.require(request))


@router.post("/language")
def language(request: Request, form: FormData = Depends(session.checked_form)):
    user = session.require(request)
    try:
        session.users(request).set_language(user, str(form.get("language", "")))
    except InvalidInput as e:
        return _account(request, user, status=422, errors=field_errors(e))
    return redirect("/account?saved=language")


@router.post("/password")
def password(request: Request, form: FormData = Depends(session.checked_form)):
    user = session.require(request)
    new, again = str(form.get("password", "")), str(form.get("password_again", ""))
    if new != again:
        return _account(request, user, status=422, errors={"password_again": "does not match the new password"})
    try:
        session.users(request).change_password(user, str(form.get("current", "")), new,
                                               keep_token=request.cookies.get(session.SESSION_COOKIE))
    except InvalidInput as e:
        return _account(request, user, status=422, errors=field_errors(e))
    return redirect("/account?saved=password")


@router.post("/keys")
def create_key(request: Request, form: FormData = Depends(session.checked_form)):
    user = session.require(request)
    name = str(form.get("name", ""))
    try:
        token = session.users(request).create_key(user, name)
    except InvalidInput as e:
        return _account(request, user, status=422, errors=field_errors(e), values={"name": name})
    return _account(request, user, new_key=token, new_key_name=name.strip())


@router.post("/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: int, form: FormData = Depends(session.checked_form)):
    user = session.require(request)
    try:
        session.users(request).revoke_key(user, key_id)
    except NotFound as e:
        return error_page(request, e)
    return redirect("/account?saved=revoked")


def _people(request: Request, user, *, status: int = 200, **extra):
    issuers = _accounts(request).issuers() if user.role == Role.ADMIN else []
    return render(request, "account/people.html", {"people": session.users(request).colleagues(user.principal),
                                                   "issuers": issuers, **extra}, status=status, user=user)


@router.get("/people")
def people(request: Request):
    return _people(request, session.require(request, Role.ADMIN, Role.ISSUER))


@router.post("/people")
def invite(request: Request, form: FormData = Depends(session.checked_form)):
    user = session.require(request, Role.ADMIN, Role.ISSUER)
    values = {k: str(form.get(k, "")) for k in ("email", "role", "issuer", "language", "outlet")}
    role = values["role"] if user.role == Role.ADMIN else Role.ISSUER.value
    language = values["language"] if values["language"] in languages.SUPPORTED else user.language
    compose = composer(request, "account/mail_invite.html", inviter=user.name)
    try:
        if role == Role.SUBSCRIBER.value and values["outlet"].strip():  # a new outlet and its first person
            request.app.state.nw.outlets.invite(user.principal, values["outlet"], values["email"], compose,
                                                language=language)
        else:
            session.users(request).invite(user.principal, values["email"], role, compose,
                                          issuer_slug=values["issuer"] or None, language=language)
    except (InvalidInput, Conflict) as e:
        return _people(request, user, status=422 if isinstance(e, InvalidInput) else 409,
                       errors=field_errors(e) if e.errors else {"email": e.detail}, values=values)
    except Unavailable as e:
        return _people(request, user, status=503, errors={"form": e.detail}, values=values)
    return _people(request, user, invited=values["email"].strip().lower())
