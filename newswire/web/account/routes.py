"""Sign-in, sign-out, password reset and accepting an invitation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import InvalidInput, NotFound, TooManyRequests, Unauthenticated, Unavailable
from .. import throttle
from ..pages import session
from ..pages.render import error_page, field_errors, mark_page, page_language, redirect, render
from .mail import composer

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])


def home_for(user) -> str:
    return {"issuer": "/portal", "editor": "/desk", "admin": "/desk", "subscriber": "/subscriber"}.get(
        user.role.value, "/account")


@router.get("/signin")
def signin_form(request: Request):
    user = session.viewer(request)
    if user:
        return redirect(session.safe_next(request.query_params.get("next"), home_for(user)))
    return render(request, "account/signin.html", {"values": {"next": request.query_params.get("next", "")}})


@router.post("/signin")
def signin(request: Request, form: FormData = Depends(session.checked_form)):
    values = {"email": form.get("email", ""), "next": form.get("next", "")}
    try:
        throttle.hit(request, "signin", account=str(values["email"]))
        signed = session.users(request).sign_in(str(values["email"]), str(form.get("password", "")))
    except TooManyRequests as e:
        return throttle.refused(render(request, "account/signin.html", {"values": values, "errors": {
            "form": e.detail}}, status=429), e)
    except (Unauthenticated, InvalidInput) as e:
        return render(request, "account/signin.html", {"values": values, "errors": {"form": e.detail}},
                      status=401 if isinstance(e, Unauthenticated) else 422)
    response = redirect(session.safe_next(str(values["next"]), home_for(signed.user)))
    session.start_session(request, response, signed)
    return response


@router.post("/signout")
def signout(request: Request, form: FormData = Depends(session.checked_form)):
    session.users(request).sign_out(request.cookies.get(session.SESSION_COOKIE))
    response = redirect(f"/signin?lang={page_language(request, session.viewer(request))}&signed_out=1")
    session.end_session(request, response)
    return response


@router.get("/reset")
def reset_request_form(request: Request):
    return render(request, "account/reset_request.html")


@router.post("/reset")
def reset_request(request: Request, form: FormData = Depends(session.checked_form)):
    email = str(form.get("email", ""))
    try:
        throttle.hit(request, "reset", account=email)
        session.users(request).request_reset(email, composer(request, "account/mail_reset.html"))
    except TooManyRequests as e:
        return throttle.refused(render(request, "account/reset_request.html", {"values": {"email": email}, "errors": {
            "form": e.detail}}, status=429), e)
    except InvalidInput as e:
        return render(request, "account/reset_request.html", {"values": {"email": email}, "errors": field_errors(e)},
                      status=422)
    except Unavailable as e:
        return render(request, "account/reset_request.html", {"values": {"email": email}, "errors": {
            "form": e.detail}}, status=503)
    return render(request, "account/reset_sent.html", {"email": email.strip().lower()})


@router.get("/reset/{token}")
def reset_form(request: Request, token: str):
    if not session.users(request).reset_allowed(token):
        return error_page(request, NotFound("This reset link has been used or has expired; ask for a new one."))
    return render(request, "account/reset.html", {"token": token})


@router.post("/reset/{token}")
def reset(request: Request, token: str, form: FormData = Depends(session.checked_form)):
    password, again = str(form.get("password", "")), str(form.get("password_again", ""))
    if password != again:
        return render(request, "account/reset.html", {"token": token, "errors": {
            "password_again": "does not match the new password"}}, status=422)
    try:
        session.users(request).reset_password(token, password)
    except InvalidInput as e:
        return render(request, "account/reset.html", {"token": token, "errors": field_errors(e)}, status=422)
    return redirect("/signin?reset=1")


@router.get("/invitations/{token}")
def invitation_form(request: Request, token: str):
    invitation = session.users(request).invitation(token)
    if invitation is None:
        return error_page(request, NotFound("This invitation has been used or has expired; ask whoever invited you "
                                            "for a new one."))
    return render(request, "account/accept.html", {"token": token, "invitation": invitation})


@router.post("/invitations/{token}")
def accept(request: Request, token: str, form: FormData = Depends(session.checked_form)):
    users = session.users(request)
    invitation = users.invitation(token)
    if invitation is None:
        return error_page(request, NotFound("This invitation has been used or has expired."))
    values = {k: str(form.get(k, "")) for k in ("name", "language")}
    context = {"token": token, "invitation": invitation, "values": values}
    if str(form.get("password", "")) != str(form.get("password_again", "")):
        return render(request, "account/accept.html", {**context, "errors": {
            "password_again": "does not match the password"}}, status=422)
    try:
        signed = users.accept(token, values["name"], str(form.get("password", "")),
                              values["language"] or page_language(request))
    except InvalidInput as e:
        return render(request, "account/accept.html", {**context, "errors": field_errors(e)}, status=422)
    response = redirect(home_for(signed.user))
    session.start_session(request, response, signed)
    return response
