"""Attach distribution to a Wire: routing runs inside every publish, correction and withdrawal."""

from __future__ import annotations

from collections.abc import Callable

from ..workflow.wire import Wire
from .routing import Router


def attach(wire: Wire, on_commit: Callable[[int | None], None] | None = None) -> Router:
    router = Router(wire.clock, on_commit)
    wire.listeners.append(router)
    return router
