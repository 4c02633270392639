"""Rendering a page of the web app: its language, the shared context and headers, and the error
pages (a page answers a person with HTML, never with a problem document)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...domain import languages
from ...domain.errors import (FieldError, Forbidden, InvalidInput, NewswireError, NotFound, TooManyRequests,
                              Unauthenticated)
from ...domain.models import Role, User
from . import session

# Signed-in pages are personal and change with every action: never stored by a cache or shown
# again from history after sign-out; never framed (clickjacking).
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
           "Content-Security-Policy": "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff"}


def page_language(request: Request, user: User | None = None) -> str:
    """``?lang=`` when given, else the signed-in user's choice, else the browser's, else the wire's default."""
    asked = request.query_params.get("lang")
    if asked in languages.SUPPORTED:
        return asked
    if user is not None and user.language in languages.SUPPORTED:
        return user.language
    return best_language(request.headers.get("accept-language", ""), request.app.state.nw.settings.default_language)


def best_language(header: str, default: str) -> str:
    """The first of the browser's languages the wire speaks ("zh-TW" → zh-Hant, "pt-BR" → pt)."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, i, tag.strip()))
    for _, _, tag in sorted(ranked):
        found = languages.normalize(tag)
        if found:
            return found
    return default


def nav(user: User | None) -> list[tuple[str, str]]:
    """(path, English label) of the signed-in parts the user's role opens."""
    if user is None:
        return []
    items = []
    if user.role == Role.ISSUER:
        items.append(("/portal", "Releases"))
    if user.role in (Role.EDITOR, Role.ADMIN):
        items.append(("/desk", "Editor desk"))
    if user.role == Role.SUBSCRIBER:
        items.append(("/subscriber", "Subscriptions"))
    if user.role in (Role.ADMIN, Role.ISSUER):
        items.append(("/account/people", "People"))
    items.append(("/account", "Account"))
    return items


def render(request: Request, name: str, context: dict | None = None, *, status: int = 200,
           user: User | None = None) -> HTMLResponse:
    user = user or session.viewer(request)
    lang = context.get("lang") if context and context.get("lang") else page_language(request, user)
    ctx = {"lang": lang, "dir": "rtl" if lang in languages.RTL else "ltr", "viewer": user, "nav": nav(user),
           "csrf": session.csrf_token(request), "path": request.url.path, "errors": {}, "values": {},
           **(context or {})}
    ctx["lang"] = lang
    response = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status,
                                                              headers={**HEADERS, "Content-Language": lang})
    session.set_cookies(request, response)
    return response


def field_errors(exc: InvalidInput) -> dict[str, str]:
    """Field → message, for showing each error beside its field (the first per field)."""
    out: dict[str, str] = {}
    for e in exc.errors or [FieldError("form", exc.detail)]:
        out.setdefault(e.field.split(".")[0].split("[")[0], e.message)
    return out


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def error_page(request: Request, exc: NewswireError) -> Response:
    """A page's domain error as a page: sign in for Unauthenticated, else the error explained."""
    if isinstance(exc, Unauthenticated) and request.method == "GET":
        return redirect(session.sign_in_url(request))
    status = 403 if isinstance(exc, Forbidden) else 404 if isinstance(exc, NotFound) else \
        401 if isinstance(exc, Unauthenticated) else 409 if exc.kind == "conflict" else \
        503 if exc.kind == "unavailable" else 429 if isinstance(exc, TooManyRequests) else 400
    response = render(request, "account/error.html", {"title": exc.title, "detail": exc.detail}, status=status)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def is_page(request: Request) -> bool:
    """Requests to the web app's pages, whose errors are pages (the router marks them)."""
    return bool(getattr(request.state, "page", False))


def mark_page(request: Request) -> None:
    """A router dependency of every web-app router."""
    request.state.page = True
