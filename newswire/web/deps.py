"""Request-scoped helpers shared by the API and the newsroom."""

from __future__ import annotations

from fastapi import Request

from ..domain.models import Principal
from ..workflow.wire import Wire


def wire(request: Request) -> Wire:
    return request.app.state.wire


def principal(request: Request) -> Principal:
    """The caller, from 'Authorization: Bearer <key>'; anonymous without one."""
    header = request.headers.get("authorization", "")
    token = None
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            from ..domain.errors import Unauthenticated

            raise Unauthenticated("Send the API key as 'Authorization: Bearer <key>'.")
        token = value.strip()
    return request.app.state.wire.authenticate(token)
