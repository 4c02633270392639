"""The OpenAPI document: one RFC 9457 problem schema for every error, the media types each route
really answers with, and no trace of FastAPI's default validation-error schema (the wire answers a
malformed request with a problem document, never with FastAPI's ``{"detail": [...]}``).

Routes declare their errors with ``errors(401, 404, ...)``; ``install`` makes ``app.openapi()``
put the ``Problem`` schema in the components and turn any 422 FastAPI documents on its own into
the problem document the API returns.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

PROBLEM_MEDIA_TYPE = "application/problem+json"
REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": REF.format(model="Problem")}

DESCRIPTIONS = {
    400: "The request is malformed",
    401: "No API key where one is needed, or a key that is not valid (WWW-Authenticate: Bearer)",
    403: "The key may see this but not do it",
    404: "Nothing here this key may see",
    409: "The release or record is not in a state that allows this (pre-check errors in `checks`)",
    410: "Withdrawn",
    413: "The request body is larger than the API reads (`limit`: the bytes it reads); nothing was read",
    422: "A field, parameter or the body is not valid: `errors` names each field and the fix",
    429: "The key's rate limit for writes is spent (NEWSWIRE_RATE_LIMIT_API_WRITES); nothing was read or changed",
    503: "A service the wire needs is unavailable; nothing was changed",
}


class FieldProblem(BaseModel):
    field: str = Field(description="The field, in the request's own terms: `headline`, `keywords[3]`, "
                                   "`contacts[0].email`, `dateline.city`, `body` for the body as a whole")
    message: str = Field(description="What is wrong and how to fix it")


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``). Extension members may follow:
    ``checks`` (a 409 held by pre-check errors), ``index`` (the file of an import), ``limit`` (a 413)."""

    model_config = ConfigDict(extra="allow", title="Problem")
    type: str = Field(description="A URI naming the kind of problem", examples=["https://newswire.dev/problems/invalid-input"])
    title: str = Field(description="The kind of problem, for people")
    status: int = Field(description="The HTTP status code", ge=400, le=599)
    detail: str = Field(description="This occurrence, for people, with the fix")
    instance: str | SkipJsonSchema[None] = Field(None, description="The request path")
    errors: list[FieldProblem] | SkipJsonSchema[None] = Field(None, description="Each field that is not valid")
    checks: list[dict[str, Any]] | SkipJsonSchema[None] = Field(
        None, description="A 409 held by pre-checks: the errors (GET …/checks shows their form)")
    index: int | SkipJsonSchema[None] = Field(None, description="An import: the file the problem is in")
    limit: int | SkipJsonSchema[None] = Field(None, description="A 413: the most bytes the API reads")


def problem_response(status: int) -> dict:
    out: dict = {"description": DESCRIPTIONS.get(status, "The request failed"),
                 "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}}
    if status == 401:
        out["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}}
    if status == 429:
        out["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}}
    return out


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route's errors, each a problem document."""
    return {status: problem_response(status) for status in statuses}


def content(*media_types: str, schema: dict | None = None, description: str = "") -> dict:
    """A documented non-JSON answer: ``content("application/xml")`` is text, ``binary`` bytes."""
    body = schema or {"type": "string"}
    out: dict = {"content": {m: {"schema": body} for m in media_types}}
    if description:
        out["description"] = description
    return out


BINARY = {"type": "string", "format": "binary"}
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match or If-Modified-Since matched); no body"}}


def operation_id(route) -> str:
    """The route function's name (``create_release``): what a generated client names its call."""
    return route.name


def _problem_schemas() -> dict:
    schema = Problem.model_json_schema(ref_template=REF)
    defs = schema.pop("$defs", {})
    return {**defs, "Problem": schema}


def document(app: FastAPI) -> dict:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                      tags=app.openapi_tags, servers=app.servers)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(_problem_schemas())
    for url, path in doc.get("paths", {}).items():
        for method, operation in path.items():
            responses = operation.get("responses", {})
            if "422" in responses:  # (FastAPI's own, where a route did not declare it): what the wire returns
                responses["422"] = problem_response(422)
            if url.startswith("/api/") and method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                responses.setdefault("429", problem_response(429))  # every API write (web/edge.py)
    return doc


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi
