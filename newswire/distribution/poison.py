"""Payloads that cannot be made: a poison delivery goes dead with the reason instead of blocking the wire.

A release whose stored text a format cannot encode (a lone surrogate written before intake refused
them, a malformed row) fails the same way on every try, so the worker renders it once per payload
key, remembers the failure like a payload, and records each of its deliveries dead with the reason.
"""

from __future__ import annotations

import logging

from ..domain import text
from .channels.base import Channel, Target

log = logging.getLogger("newswire.worker")


class Unrenderable:
    """A payload that could not be rendered: every delivery of it is dead with ``reason``."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    @classmethod
    def of(cls, key: tuple, exc: Exception) -> Unrenderable:
        reason = text.safe(f"payload could not be rendered: {type(exc).__name__}: {exc}")[:1000]
        # Logged once per payload key (the failure is cached like a payload), not once per recipient.
        log.error("%s (payload %r); its deliveries are dead", reason, key, exc_info=exc)
        return cls(reason)

    @classmethod
    def load_failed(cls, release_id: int, exc: Exception) -> Unrenderable:
        reason = text.safe(f"release {release_id} could not be loaded: {type(exc).__name__}: {exc}")[:1000]
        log.error("%s; its deliveries are dead", reason, exc_info=exc)
        return cls(reason)


def render(channel: Channel, release, event: str, target: Target, key: tuple):
    try:
        return channel.render(release, event, target)
    except Exception as exc:  # the release's own content (or a format bug): not the wire's to retry
        return Unrenderable.of(key, exc)
