"""RFC 9457 problem documents for every error the API returns."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain import errors as e
from .newsroom.errors import not_found_page
from .pages.render import error_page, is_page

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://newswire.dev/problems/"
NOT_JSON = "is not valid JSON; check quotes, commas and brackets"

STATUS = {
    e.TooLarge: 413,
    e.InvalidInput: 422,
    e.Gone: 410,
    e.NotFound: 404,
    e.Forbidden: 403,
    e.Unauthenticated: 401,
    e.Conflict: 409,
    e.StorageFull: 507,
    e.Unavailable: 503,
    e.TooManyRequests: 429,
}


def problem(status: int, title: str, detail: str, *, kind: str, instance: str = "", errors=None,
            headers: dict | None = None, **extra) -> JSONResponse:
    body = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if k not in body})  # extension members never override RFC 9457 ones
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _status_for(exc: e.NewswireError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _pydantic_field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(e.NewswireError)
    async def _domain(request: Request, exc: e.NewswireError):
        if is_page(request):
            return error_page(request, exc)  # a person at a page gets a page
        status = _status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, e.TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem(status, exc.title, exc.detail, kind=exc.kind, instance=request.url.path,
                       errors=[x.as_dict() for x in exc.errors], headers=headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        if is_page(request):
            return error_page(request, e.NotFound("There is no such page; check the address."))
        errors = []
        for err in exc.errors():
            field = _pydantic_field(err.get("loc", ()))
            msg = err.get("msg", "is not valid")
            if err.get("type") == "json_invalid":
                msg = NOT_JSON
            errors.append({"field": field, "message": msg})
        detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors[:5])
        return problem(422, e.InvalidInput.title, detail, kind=e.InvalidInput.kind,
                       instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return not_found_page(request)  # the public site answers with a page
        if exc.status_code == 400 and request.url.path.startswith("/api/"):  # a body FastAPI could not read
            message = f"could not be read: {exc.detail}" if isinstance(exc.detail, str) else "could not be read"
            return problem(422, e.InvalidInput.title, f"body: {message}", kind=e.InvalidInput.kind,
                           instance=request.url.path, errors=[{"field": "body", "message": message}])
        titles = {404: "Not found", 405: "Method not allowed", 406: "Not acceptable"}
        detail = exc.detail if isinstance(exc.detail, str) else "The request failed."
        if exc.status_code == 404:
            detail = f"There is nothing at {request.url.path}; see /docs for the API."
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}; see /docs for the methods it takes."
        return problem(exc.status_code, titles.get(exc.status_code, "Request failed"), detail,
                       kind=f"http-{exc.status_code}", instance=request.url.path, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        logging.getLogger("newswire").exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "The wire failed to handle this request; nothing was changed. "
                       "Operators find the cause in the service log.", kind="internal", instance=request.url.path)
