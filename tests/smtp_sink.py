"""Test helpers for e-mail: an aiosmtpd handler that keeps what it receives, journalists,
the ledger rows of an endpoint, and a worker driver."""

from __future__ import annotations

import asyncio
import email
import secrets
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller

from newswire.domain.subscriptions import Channel, Kind, Preferences
from newswire.storage import deliveries as ledger
from newswire.storage import subscribers as subs


class Sink:
    """An aiosmtpd handler that keeps every message and can refuse chosen recipients."""

    def __init__(self):
        self.received: list[tuple[str, bytes, tuple]] = []  # (recipient, message, client peer)
        self.refuse: dict[str, str] = {}
        self.port = free_port()
        self.controller = None
        self.hold: threading.Event | None = None  # set: DATA is answered only once it is set
        self.holding = False  # a message is waiting for ``hold``

    def start(self) -> "Sink":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stops listening and drops every open connection, as a server restart would (once)."""
        if self.controller is not None and self.controller._thread is not None:
            self.controller.stop()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold is not None:  # a slow or hung mail server, until the test lets it answer
            self.holding = True
            while not self.hold.is_set():
                await asyncio.sleep(0.01)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, envelope.content, session.peer))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for rcpt, raw, _ in self.received
                if rcpt == address]

    @property
    def connections(self) -> int:
        return len({peer for _, _, peer in self.received})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deliver(wire, channel, timeout: float = 60) -> None:
    """Run a delivery worker until nothing is due at the wire's clock."""
    def settled() -> bool:
        with wire.engine.connect() as conn:
            due = ledger.next_due(conn)
        return due is None or due > wire.clock()

    async def go():
        worker = wire.delivery_worker("test-worker", channels={"email": channel}, idle=0.05)
        task = asyncio.create_task(worker.run())
        try:
            while not await asyncio.to_thread(settled):
                await asyncio.sleep(0.05)
        finally:
            worker.stop()
            await task

    asyncio.run(asyncio.wait_for(go(), timeout))


def add_journalist(wire, address: str, *, languages=(), industries=(), timezone="UTC",
                   digest_hour=None) -> tuple[int, str]:
    """A journalist with one e-mail endpoint: (endpoint id, unsubscribe token)."""
    token, now = secrets.token_urlsafe(24), wire.clock()
    with wire.db.transaction() as conn:
        sid = subs.create_subscriber(conn, kind=Kind.JOURNALIST, name=address, email=address, timezone=timezone,
                                     preferences=Preferences(tuple(languages), (), tuple(industries)), now=now)
        eid = subs.create_endpoint(conn, subscriber_id=sid, channel=Channel.EMAIL, address=address, now=now,
                                   format="email", digest_hour=digest_hour, unsubscribe_token=token)
    return eid, token


def rows(wire, endpoint_id: int) -> list:
    with wire.engine.connect() as conn:
        return [r for r in ledger.listing(conn, channel="email", limit=1000) if r.endpoint_id == endpoint_id]


def endpoint(wire, endpoint_id: int):
    with wire.engine.connect() as conn:
        return subs.get_endpoint_row(conn, endpoint_id)
