"""Who is signed in, and the CSRF rule.

The session cookie carries a random token whose SHA-256 is the session's id (services/users.py):
``Secure`` (unless an operator turns it off for plain-HTTP testing), ``HttpOnly``, ``SameSite=Lax``.
A new session is opened at every sign-in, so a token planted before sign-in is worthless.

CSRF: every form carries a token in a hidden field ``csrf``; a POST whose token does not match is
refused with nothing changed. Signed in, the token is the session's own random value (stored with
the session). Signed out (sign-in, reset and sign-up forms), it is an HMAC, under a key derived
from the wire's secret key, of a random cookie ``nw_csrf``: a page on another site can neither read
the cookie nor compute the token. Starlette's form parser reads the body; this module only checks.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData

from ...domain.errors import Forbidden, Unauthenticated
from ...domain.models import Role, User
from ...services.users import SignedIn, UserService

SESSION_COOKIE = "nw_session"
CSRF_COOKIE = "nw_csrf"


class CsrfRefused(Forbidden):
    kind = "csrf"
    title = "The form has expired"


def users(request: Request) -> UserService:
    return request.app.state.nw.users


def signed_in(request: Request) -> SignedIn | None:
    """The live session of this request, looked up once."""
    if not hasattr(request.state, "signed_in"):
        request.state.signed_in = users(request).session(request.cookies.get(SESSION_COOKIE))
    return request.state.signed_in


def viewer(request: Request) -> User | None:
    signed = signed_in(request)
    return signed.user if signed else None


def require(request: Request, *roles: Role) -> User:
    """The signed-in user, if one of ``roles`` (any role when none are named); else the sign-in page
    (Unauthenticated) or a refusal (Forbidden)."""
    user = viewer(request)
    if user is None:
        raise Unauthenticated("Sign in to see this page.")
    if roles and user.role not in roles:
        raise Forbidden("Your account's role does not open this page.")
    return user


def _anonymous_token(request: Request, seed: str) -> str:
    return hmac.new(users(request).form_key, seed.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token this request's forms must carry; for a visitor without the cookie, one is made and
    ``set_cookies`` sends it."""
    signed = signed_in(request)
    if signed:
        return signed.csrf
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed:
        seed = request.state.new_csrf_seed = secrets.token_urlsafe(32)
    return _anonymous_token(request, seed)


def _expected(request: Request) -> str | None:
    signed = signed_in(request)
    if signed:
        return signed.csrf
    seed = request.cookies.get(CSRF_COOKIE)
    return _anonymous_token(request, seed) if seed else None


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token matched (a dependency of every form handler)."""
    form = await request.form()
    given, expected = form.get("csrf"), _expected(request)
    if not isinstance(given, str) or not expected or not hmac.compare_digest(given, expected):
        raise CsrfRefused("This form was not sent from this wire's page, or the page is too old. Nothing was "
                          "changed: go back, reload the page and send the form again.")
    return form


def cookie_options(request: Request) -> dict:
    return {"httponly": True, "secure": request.app.state.nw.settings.cookie_secure, "samesite": "lax", "path": "/"}


def set_cookies(request: Request, response) -> None:
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed and not signed_in(request):
        response.set_cookie(CSRF_COOKIE, seed, max_age=60 * 60 * 24 * 30, **cookie_options(request))


def start_session(request: Request, response, signed: SignedIn) -> None:
    response.set_cookie(SESSION_COOKIE, signed.token, max_age=int(users(request).session_length.total_seconds()),
                        **cookie_options(request))


def end_session(request: Request, response) -> None:
    response.delete_cookie(SESSION_COOKIE, **cookie_options(request))


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/signin?next={quote(target, safe='')}"


def safe_next(value: str | None, default: str) -> str:
    """Only a path on this site (no scheme, no //host, no backslash tricks) is followed after sign-in."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\\" not in value:
        return value
    return default
