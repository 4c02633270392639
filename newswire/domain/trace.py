"""The request id that follows a release: set once per HTTP request (``X-Request-ID`` in and out),
recorded with each audit row and carried by each release event, so that a release's submission,
approval, publication and every delivery outcome can be found in the logs under one id.

A context variable: the web layer binds it around a request, the release clock around the
publication of a release someone scheduled (with the scheduling request's id), and the code below
reads it without being handed it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from contextvars import ContextVar

_REQUEST_ID: ContextVar[str] = ContextVar("newswire_request_id", default="")
# What a caller's X-Request-ID may be (a proxy's or a client's id is kept if it looks like an id).
VALID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,64}")


def current() -> str:
    """The request id this code runs under ("" outside any request)."""
    return _REQUEST_ID.get()


def new_id() -> str:
    """32 random hex digits (as ``uuid4().hex`` looked, at a fraction of its cost per request)."""
    return os.urandom(16).hex()


def accept(given: str | None) -> str:
    """The caller's id if it is a usable one, else a new one."""
    return given if given and VALID.fullmatch(given) else new_id()


@contextlib.contextmanager
def bound(request_id: str) -> Iterator[str]:
    token = _REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        _REQUEST_ID.reset(token)


def bind(request_id: str):
    """Set the id for the rest of this context (a request's task); returns the reset token."""
    return _REQUEST_ID.set(request_id)


def reset(token) -> None:
    _REQUEST_ID.reset(token)
