"""A real HTTP receiver on 127.0.0.1 for webhook tests, serving from its own thread and event loop.

Each path is one endpoint: it answers the statuses queued in ``plan[path]`` in order, then 204;
``delay[path]`` makes it slow. Every request is kept, and the most requests a path had in
progress at once is counted.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from aiohttp import web

from newswire.distribution.channels.webhook import message_id
from newswire.distribution.secrets import derived_key


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class Receiver:
    def __init__(self):
        self.hits: list[Hit] = []
        self.plan: dict[str, list[int]] = defaultdict(list)
        self.delay: dict[str, float] = {}
        self.active: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.active[path] += 1
        self.peak[path] = max(self.peak[path], self.active[path])
        try:
            body = await request.read()
            if self.delay.get(path):
                await asyncio.sleep(self.delay[path])
            self.hits.append(Hit(path, dict(request.headers), body, time.monotonic()))
            status = self.plan[path].pop(0) if self.plan[path] else 204
            if 300 <= status < 400:
                return web.Response(status=status, headers={"Location": self.url("/redirected")})
            return web.Response(status=status, text="" if status < 300 else f"receiver says {status}")
        finally:
            self.active[path] -= 1

    def _serve(self) -> None:
        self.loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._runner = runner
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    def __enter__(self) -> "Receiver":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


# --- helpers shared by the delivery tests -----------------------------------------------------

def verified(hit: Hit, secret: str) -> dict:
    """What a careful receiver does with a delivery: verify the signature with the Standard Webhooks
    library, then validate the envelope against its schema and ``data`` against ninjs 2.1."""
    from standardwebhooks import Webhook
    from test_format_ninjs import assert_envelope

    return assert_envelope(Webhook(secret).verify(hit.body, hit.headers))


def add_webhook(wire, url: str, prefs=None, *, max_in_flight: int = 4, secret: str | None = None,
                **endpoint) -> tuple[int, str]:
    """A subscriber with one webhook endpoint, straight into storage; returns (endpoint id, secret)."""
    import datetime as dt

    from newswire.distribution import secrets
    from newswire.domain.subscriptions import Channel, Kind, Preferences
    from newswire.storage import subscribers as subs

    secret = secret or secrets.new_webhook_secret()
    now = dt.datetime.now(dt.timezone.utc)
    with wire.db.transaction() as conn:
        sid = subs.create_subscriber(conn, kind=Kind.OUTLET, name=f"Outlet {url}", email=None,
                                     preferences=prefs or Preferences(), timezone="UTC", now=now)
        eid = subs.create_endpoint(conn, subscriber_id=sid, channel=Channel.WEBHOOK, address=url, now=now,
                                   secret_enc=secrets.encrypt(wire.settings, secret), max_in_flight=max_in_flight)
        if endpoint:
            subs.update_endpoint(conn, eid, **endpoint)
    return eid, secret


def webhook_id(settings, delivery_id: int) -> str:
    """The ``webhook-id`` a delivery carries (an HMAC of its row number, the same on every attempt)."""
    return message_id(derived_key(settings, "webhook-id"), delivery_id)


def rows(wire, **filters) -> list:
    from newswire.storage import deliveries as ledger

    with wire.engine.connect() as conn:
        return ledger.listing(conn, limit=100_000, **filters)


def run_worker(wire, until, *, channels=None, timeout: float = 60, worker_id: str = "test-worker", **kw):
    """Run a DeliveryWorker until ``until()`` holds (checked off the loop), then stop it gracefully."""
    from newswire.distribution.channels.webhook import WebhookChannel

    async def main():
        worker = wire.delivery_worker(worker_id, channels=channels or {"webhook": WebhookChannel(wire.settings)},
                                      **kw)
        task = asyncio.create_task(worker.run())
        deadline = time.monotonic() + timeout
        try:
            while not await asyncio.to_thread(until):
                assert not task.done(), task.result()
                assert time.monotonic() < deadline, "deliveries did not finish in time"
                await asyncio.sleep(0.05)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)
        return worker

    return asyncio.run(main())


def add_webhooks(wire, urls: list[str], *, max_in_flight: int = 4) -> str:
    """Many subscribers, one webhook each, in two bulk inserts; they share one secret, returned."""
    import datetime as dt

    import sqlalchemy as sa

    from newswire.distribution import secrets
    from newswire.storage import subscribers as subs
    from newswire.storage.tables import endpoints, subscribers

    secret = secrets.new_webhook_secret()
    enc, now, tag = secrets.encrypt(wire.settings, secret), dt.datetime.now(dt.timezone.utc), f"bulk-{time.time_ns()}"
    with wire.db.transaction() as conn:
        subs.create_subscribers(conn, [
            {"kind": "outlet", "name": f"{tag}-{i}", "email": None, "languages": [], "regions": [], "industries": [],
             "issuers": [], "timezone": "UTC", "active": True, "created_at": now, "updated_at": now}
            for i in range(len(urls))])
        ids = conn.execute(sa.select(subscribers.c.id).where(subscribers.c.name.like(f"{tag}-%"))
                           .order_by(subscribers.c.id)).scalars().all()
        conn.execute(sa.insert(endpoints), [
            {"subscriber_id": sid, "channel": "webhook", "format": "ninjs", "address": url, "secret_enc": enc,
             "max_in_flight": max_in_flight, "status": "active", "disabled_reason": "", "created_at": now}
            for sid, url in zip(ids, urls)])
    return secret
