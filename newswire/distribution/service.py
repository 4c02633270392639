"""The channels a worker sends through, built from settings."""

from __future__ import annotations

from ..config import Settings
from ..workflow.wire import Wire
from .channels.base import Channel
from .channels.email import EmailChannel
from .channels.webhook import WebhookChannel
from .channels.websub import WebSubChannel


def build_channels(settings: Settings, wire: Wire | None = None) -> dict[str, Channel]:
    """One instance per channel name; ``wire`` lets WebSub render feeds on the worker's engine."""
    return {"webhook": WebhookChannel(settings), "email": EmailChannel(settings),
            "websub": WebSubChannel(settings, wire)}
