"""Typed events that connect the stages, and the in-process bus that carries them.

A service fires an event inside its transaction (``Database.emit``); the bus hears it only once
the transaction has committed, never if it rolled back. Subscribers (the delivery worker, the
live hub, the translation worker, the release clock) register per event type, so the wiring is
declared in one place, the composition root (``newswire/bootstrap.py``).

Across processes on PostgreSQL the same events travel as JSON through one LISTEN/NOTIFY channel
(``storage/notify.py``); ``to_json``/``from_json`` are their wire form, and the bus's ``origin``
lets a process skip the echo of its own events (it has already heard them locally).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from . import subscriptions

log = logging.getLogger("newswire.events")


class EndpointStatus(StrEnum):
    PENDING = "pending"  # a WebSub subscription whose intent is being verified
    ACTIVE = "active"
    DISABLED = "disabled"
    DELETED = "deleted"  # only in an EndpointChanged: the row is gone


# An endpoint's disabled_reason when its subscriber ended it (one-click unsubscribe, WebSub unsubscribe).
UNSUBSCRIBED = "unsubscribed"


@dataclass(frozen=True)
class Event:
    """Base of every event. Subclasses are frozen dataclasses of plain values."""


@dataclass(frozen=True)
class ReleaseEvent(Event):
    """A release (or one language version of it) reached the public: the routing wrote its ledger
    rows and its live-stream event in the same transaction."""

    release_id: int
    language: str
    stream_event_id: int
    deliveries: int  # ledger rows queued by this event
    request_id: str = ""  # the request that caused it (domain/trace.py), for the workers' logs


@dataclass(frozen=True)
class ReleasePublished(ReleaseEvent):
    pass


@dataclass(frozen=True)
class ReleaseCorrected(ReleaseEvent):
    pass


@dataclass(frozen=True)
class ReleaseWithdrawn(ReleaseEvent):
    pass


@dataclass(frozen=True)
class ReleaseScheduled(Event):
    """A release got an embargo: the release clock looks again at its next due time."""

    release_id: int


@dataclass(frozen=True)
class TranslationQueued(Event):
    release_id: int


@dataclass(frozen=True)
class TranslationReady(Event):
    release_id: int
    language: str


@dataclass(frozen=True)
class IssuerChanged(Event):
    """What the public sees of an issuer changed outside a release event (its logo)."""

    issuer_id: int


@dataclass(frozen=True)
class DeliveriesQueued(Event):
    """Ledger rows became due outside a release event (replays)."""

    count: int


@dataclass(frozen=True)
class EndpointChanged(Event):
    """An endpoint was created, re-enabled, disabled, unsubscribed or deleted."""

    endpoint_id: int
    status: EndpointStatus


@dataclass(frozen=True)
class ListenerLost(Event):
    """Local only: the cross-process listener lost its connection; other processes' events are not
    heard until ``ListenerReconnected``."""


@dataclass(frozen=True)
class ListenerReconnected(Event):
    """Local only: the cross-process listener (re)connected; what was sent meanwhile may be missed."""


TYPES: dict[str, type[Event]] = {cls.__name__: cls for cls in (
    ReleasePublished, ReleaseCorrected, ReleaseWithdrawn, ReleaseScheduled, TranslationQueued,
    TranslationReady, IssuerChanged, DeliveriesQueued, EndpointChanged)}
# The wire's release event names (``domain.subscriptions.Event``) → their typed events.
RELEASE_EVENTS = {subscriptions.Event.PUBLISHED: ReleasePublished, subscriptions.Event.CORRECTED: ReleaseCorrected,
                  subscriptions.Event.WITHDRAWN: ReleaseWithdrawn}


def to_json(event: Event, origin: str) -> str:
    return json.dumps({"type": type(event).__name__, "origin": origin, **dataclasses.asdict(event)},
                      separators=(",", ":"))


def from_json(raw: str) -> tuple[Event, str] | None:
    """The event and its origin; None for a payload this version does not know (a newer peer)."""
    try:
        data = json.loads(raw)
        cls = TYPES[data.pop("type")]
        origin = data.pop("origin", "")
        # only the fields this version knows: a newer peer may send more (a rolling deploy)
        # (and an older peer may send fewer: a field with a default may be missing)
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}), origin
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


Handler = Callable[[Event], None]


class EventBus:
    """Synchronous, thread-safe fan-out by event type (a subscriber to a base class hears its
    subclasses). Handlers must be quick and must not raise into the publisher: each one only
    wakes something (an asyncio event, a queue); a failing handler is logged, the rest still run."""

    def __init__(self):
        # Events this bus sent come back over NOTIFY carrying it (one bus per process, or per wire a
        # test builds: two wires in one process hear each other as two processes would).
        self.origin = uuid.uuid4().hex
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)
        self._local: dict[type[Event], list[Handler]] = defaultdict(list)  # this process's commits only
        self._lock = threading.Lock()

    def subscribe(self, kind: type[Event], handler: Handler, *, local: bool = False) -> Callable[[], None]:
        """Register ``handler`` for ``kind``; returns a function that unsubscribes it. A ``local``
        handler hears only events committed in this process, not those heard from others."""
        table = self._local if local else self._handlers
        with self._lock:
            table[kind].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in table[kind]:
                    table[kind].remove(handler)

        return unsubscribe

    def publish(self, event: Event, *, local: bool = False) -> None:
        """Tell the handlers; ``local``: ``event`` was committed here (``Database.transaction``)."""
        tables = (self._handlers, self._local) if local else (self._handlers,)
        with self._lock:
            handlers = [h for t in tables for kind, hs in t.items() if isinstance(event, kind) for h in hs]
        for handler in handlers:
            try:
                handler(event)
            except Exception:  # the transaction has committed: a failed wake-up must not fail the request
                log.exception("handler %r failed on %r", handler, event)
