"""The HTTP edge: what every request must pass before any route reads it.

- ``BodyLimit`` (ASGI middleware): an API request body larger than the limit
  (``domain.limits.request_body_bytes``; a media upload's ``upload_body_bytes``) is refused with 413
  before a byte of it is parsed.
- ``checked_input`` (a dependency of every route): text no database or output format can carry
  (``domain.text``: lone surrogates, NUL, control characters) is refused wherever it comes in — every
  string of a JSON body, every path and query parameter — so nothing downstream ever sees it. The
  API answers 422 naming each field; the public site answers its 404 page. A media upload's form
  fields are judged by the media service, with the file (``domain.limits`` and the same text rule).
- ``ApiRoute`` (the route class of every API router): a request that changes something is
  authenticated before its body is read (no key: 401, whatever the body), counted against its
  key's rate limit (``throttle``: 429 with Retry-After), and a JSON body that does
  not parse (bad syntax, not UTF-8, nested too deep) is the documented 422 problem naming ``body``.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute

from ..domain.errors import Collector, FieldError, InvalidInput, TooLarge
from ..domain.text import document_problems
from ..services import access
from . import throttle
from .deps import principal
from .problems import NOT_JSON, problem

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


async def checked_input(request: Request) -> None:
    api = request.url.path.startswith("/api/")
    errors = document_problems(dict(request.path_params))
    for name, value in request.query_params.multi_items():
        errors += document_problems({name: value})
    # (a media upload's form fields are judged by the media service, with the file)
    form = is_upload(request.url.path) and request.headers.get("content-type", "").startswith("multipart/form-data")
    if api and request.method in BODY_METHODS and not form and await request.body():
        try:
            doc = await request.json()  # (parsed once: FastAPI keeps what it read for the route)
        except (ValueError, RecursionError):
            doc = None  # not JSON: a route that reads the body says so itself
        errors += document_problems(doc)
    if errors and not api:
        raise HTTPException(status_code=404)
    Collector(errors).raise_if_any()


class ApiRoute(APIRoute):
    """Before FastAPI reads the body: the caller (a write needs a key), then the body's JSON."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def checked(request: Request):
            if request.method in BODY_METHODS:
                caller = principal(request)
                access.require_signed_in(caller)  # (a wrong key: 401 here too)
                throttle.hit(request, "api_write", by_address=False, key=caller.key_id)  # (429, body unread)
                await _parsed(request)
            return await handler(request)

        return checked


async def _parsed(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and not (kind == "application/json" or kind.endswith("+json")):
        return  # a form (FastAPI reads it: one it cannot is a 422, problems.py) or a type validation refuses
    body = await request.body()
    if not body:
        return
    try:
        await request.json()  # (kept: FastAPI and checked_input read this one)
    except UnicodeDecodeError:
        message = "is not UTF-8 text; send the JSON as UTF-8"
    except (ValueError, RecursionError):
        message = NOT_JSON if body.strip() else "is empty; send a JSON document or no body"
    else:
        return
    raise InvalidInput(f"body: {message}", errors=[FieldError("body", message)])


class BodyLimit:
    """Reads an API request's body, at most ``max_bytes`` of it, before the app does; a larger
    one gets 413 (a problem document) and the connection is closed without reading the rest."""

    def __init__(self, app, max_bytes: int, prefix: str = "/api/", upload_bytes: int = 0):
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix
        self.upload_bytes = max(upload_bytes, max_bytes)  # a media upload's body (domain.limits)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        multipart = dict(scope.get("headers") or ()).get(b"content-type", b"").startswith(b"multipart/form-data")
        # only a file upload gets the larger limit (not, say, the JSON body of PUT …/media/order)
        limit = self.upload_bytes if multipart and is_upload(scope["path"]) else self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            return await self._refuse(scope, receive, send, declared, limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await self._refuse(scope, receive, send, None, limit)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()  # (what comes next: the disconnect)
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send, declared: int | None, limit: int) -> None:
        size = f"is {declared:,} bytes" if declared is not None else f"is larger than {limit:,} bytes"
        if limit != self.max_bytes:
            detail = (f"The upload {size}; the API reads at most {limit:,} bytes for a media upload (the "
                      "largest document plus its form fields, see docs/api.md). Send a smaller file.")
        else:
            detail = (f"The request body {size}; the API reads at most {limit:,} bytes (a release body of "
                      "NEWSWIRE_MAX_BODY_BYTES plus every other field at its limit, see docs/api.md). Shorten the "
                      "release or move annexes to linked documents.")
        response = problem(413, TooLarge.title, detail, kind=TooLarge.kind, instance=scope["path"],
                           headers={"Connection": "close"}, limit=limit)
        await response(scope, receive, send)


def is_upload(path: str) -> bool:
    """A media upload (a release's picture or document, an issuer's logo): the larger body limit."""
    parts = path.rstrip("/").split("/")
    return (len(parts) >= 6 and parts[:4] == ["", "api", "v1", "releases"] and parts[5] == "media") or (
        len(parts) == 6 and parts[:4] == ["", "api", "v1", "issuers"] and parts[5] == "logo")


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
