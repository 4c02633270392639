"""The delivery worker: claims due ledger rows, sends them through their channel, records outcomes.

It is a pipeline, not lockstep batches: up to ``concurrency`` jobs are in memory at once, and
it claims more as soon as a quarter of that room frees up, so a slow outlet holds only its
own slots. Each endpoint gets at most ``max_in_flight`` sends at once and at most twice that
many claimed jobs (endpoints at that mark are skipped by the claim). Outcomes are written in
batches, and only to rows this worker still leases, so each delivery is recorded once even when
a lease ran out and another worker took over. A job whose lease is half gone before it could
start is given back unsent rather than risk a send another worker is also making.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import OrderedDict

from ..storage import deliveries as ledger
from ..storage import releases as store
from ..storage import subscribers as subs
from ..workflow.wire import Wire
from . import secrets
from .channels.base import Channel, Job, Result, Target
from .schedule import next_retry

log = logging.getLogger("newswire.worker")
NOTIFY = "newswire_deliveries"  # PostgreSQL NOTIFY channel the router signals on commit


class DeliveryWorker:
    def __init__(self, wire: Wire, channels: dict[str, Channel], worker_id: str, *, batch: int | None = None,
                 lease: int | None = None, concurrency: int = 256, idle: float = 1.0):
        self.wire, self.channels, self.id = wire, channels, worker_id[:64]
        self.batch = batch or wire.settings.worker_batch
        self.lease = lease or wire.settings.lease_seconds
        self.concurrency, self.idle = concurrency, idle
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._inflight = 0
        self._tasks: set[asyncio.Task] = set()
        self._per_endpoint: dict[int, int] = {}  # claimed jobs in memory
        self._limits: dict[int, tuple[asyncio.Semaphore, int]] = {}  # endpoint → (send slots, max_in_flight)
        self._held: dict[int, ledger.Claimed] = {}  # jobs a batching channel holds until flush
        self._results: list[tuple[ledger.Claimed, Result]] = []
        self._unsent: list[int] = []
        self._gone: set[int] = set()
        self._payloads: OrderedDict[tuple, bytes] = OrderedDict()

    def poke(self) -> None:
        """New deliveries were committed: look now. Safe from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def on_commit(self, _event_id: int | None = None) -> None:
        """For the router's after-commit callbacks."""
        self.poke()

    def stop(self) -> None:
        """Finish in-flight sends, give unstarted claims back, then return from ``run``."""
        self._stopping = True
        self.poke()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        listen = self._loop.create_task(self._listen()) if self.wire.engine.dialect.name == "postgresql" else None
        try:
            while not self._stopping:
                self._wake.clear()  # before looking, so a poke during the look is not lost
                try:
                    await self._record()
                    room = min(self.batch, self.concurrency - self._inflight)
                    claimed = await self._claim(room) if room >= min(self.batch, self.concurrency) // 4 else 0
                except Exception:  # the worker must outlive a database hiccup
                    log.exception("delivery worker cycle failed; retrying")
                    claimed, room = 0, 0
                if claimed and claimed == room:
                    continue  # there may be more due right now
                await self._sleep()
        finally:
            if listen is not None:
                listen.cancel()
            await self._drain()

    # --- claiming --------------------------------------------------------------------

    async def _claim(self, room: int) -> int:
        full = [e for e, n in self._per_endpoint.items() if n >= 2 * self._limits[e][1]]
        jobs, n = await asyncio.to_thread(self._load, room, full, dict(self._per_endpoint))
        deadline = time.monotonic() + self.lease / 2
        for claimed, job in jobs:
            eid = claimed.endpoint_id
            if eid not in self._limits:
                cap = job.target.max_in_flight
                self._limits[eid] = (asyncio.Semaphore(cap), cap)
            self._per_endpoint[eid] = self._per_endpoint.get(eid, 0) + 1
            self._inflight += 1
            task = asyncio.create_task(self._send(claimed, job, deadline))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return n

    def _load(self, limit: int, full: list[int], in_memory: dict[int, int]) -> tuple[list, int]:
        """In a thread, one transaction: lease rows, load their releases and endpoints once, build jobs."""
        now, settings = self.wire.clock(), self.wire.settings
        with self.wire.transaction() as conn:
            claimed = ledger.claim(conn, now=now, worker=self.id, limit=limit, lease_seconds=self.lease,
                                   channels=tuple(self.channels), skip_endpoints=full)
            endpoints = subs.endpoint_rows(conn, sorted({c.endpoint_id for c in claimed}))
            releases = {rid: store.load(conn, rid) for rid in {c.release_id for c in claimed}}
            jobs, overflow, final = [], [], []
            for c in claimed:
                ep, release = endpoints.get(c.endpoint_id), releases[c.release_id]
                if ep is None or ep.status == "disabled":
                    final.append(ledger.Outcome(c.id, ledger.CANCELLED, now, error="endpoint disabled"))
                elif release is None:
                    final.append(ledger.Outcome(c.id, ledger.DEAD, now, error="the release no longer exists"))
                elif in_memory.get(ep.id, 0) >= 2 * max(1, ep.max_in_flight):
                    overflow.append(c.id)  # enough of this endpoint's work is queued here already
                else:
                    in_memory[ep.id] = in_memory.get(ep.id, 0) + 1
                    jobs.append((c, self._job(c, ep, release, now, settings)))
            ledger.release_lease(conn, self.id, overflow)
            ledger.record(conn, self.id, final)
        return jobs, len(claimed)

    def _job(self, c: ledger.Claimed, ep, release, now, settings) -> Job:
        keys = [ep.secret_enc] if ep.secret_enc else []
        if ep.previous_secret_enc and ep.previous_secret_expires_at and ep.previous_secret_expires_at > now:
            keys.append(ep.previous_secret_enc)  # rotation overlap: sign with both
        target = Target(id=ep.id, subscriber_id=ep.subscriber_id, address=ep.address, format=ep.format,
                        secrets=tuple(_decrypt(settings, k) for k in keys), max_in_flight=max(1, ep.max_in_flight),
                        digest_hour=ep.digest_hour, topic=ep.topic, unsubscribe_token=ep.unsubscribe_token)
        channel = self.channels[c.channel]
        key = (c.channel, *channel.payload_key(release, c.event, target))
        payload = self._payloads.get(key)
        if payload is None:  # rendered once per release/version/event/format, not per recipient
            payload = self._payloads[key] = channel.render(release, c.event, target)
            if len(self._payloads) > 256:
                self._payloads.popitem(last=False)
        return Job(c.id, c.event, c.attempts, release, target, payload,
                   extra={"version": c.version, "language": c.language})

    # --- sending -----------------------------------------------------------------------

    async def _send(self, c: ledger.Claimed, job: Job, deadline: float) -> None:
        eid = c.endpoint_id
        try:
            async with self._limits[eid][0]:
                if self._stopping or eid in self._gone or time.monotonic() > deadline:
                    self._unsent.append(c.id)
                    return
                try:
                    result = await self.channels[c.channel].push(job)
                except Exception as exc:  # a channel bug must not lose the row
                    log.exception("channel %s failed on delivery %s", c.channel, c.id)
                    result = Result(c.id, False, error=f"internal error: {exc!r}")
                if result is None:
                    self._held[c.id] = c
                else:
                    self._results.append((c, result))
                    if result.gone:
                        self._gone.add(eid)
        finally:
            self._inflight -= 1
            self._per_endpoint[eid] -= 1
            if not self._per_endpoint[eid]:
                del self._per_endpoint[eid], self._limits[eid]
            if not self._inflight or len(self._results) >= 64 or self._inflight <= self.concurrency * 3 // 4:
                self._wake.set()

    async def _flush(self) -> None:
        """Let batching channels (digests) send what they hold."""
        if self._held:
            for channel in {c.channel for c in self._held.values()}:
                for r in await self.channels[channel].flush():
                    if (c := self._held.pop(r.delivery_id, None)) is not None:
                        self._results.append((c, r))

    # --- recording ------------------------------------------------------------------

    async def _record(self) -> None:
        await self._flush()
        results, unsent = self._results, self._unsent
        if results or unsent:
            self._results, self._unsent = [], []
            try:
                await asyncio.to_thread(self._write, results, unsent)
            except Exception:
                self._results[:0], self._unsent[:0] = results, unsent  # try again next cycle
                raise

    def _write(self, results: list[tuple[ledger.Claimed, Result]], unsent: list[int]) -> None:
        now, delays = self.wire.clock(), self.wire.settings.retry_delays
        outcomes, gone = [], {}
        for c, r in results:
            if r.ok:
                outcomes.append(ledger.Outcome(c.id, ledger.DELIVERED, now, r.status_code))
                continue
            retry = None if (r.gone or r.permanent) else next_retry(now, c.attempts + 1, delays)
            outcomes.append(ledger.Outcome(c.id, ledger.PENDING if retry else ledger.DEAD, now, r.status_code,
                                           r.error, retry))
            if r.gone:
                gone[c.endpoint_id] = r.error or "410 Gone"
        with self.wire.transaction() as conn:
            written = ledger.record(conn, self.id, outcomes)
            for endpoint_id, reason in gone.items():  # after recording, so the 410'd row itself is dead
                ledger.disable_endpoint(conn, endpoint_id, reason, now)
            ledger.release_lease(conn, self.id, unsent)
        if written < len(outcomes):
            log.warning("%d outcomes not recorded: their lease had passed to another worker",
                        len(outcomes) - written)

    # --- waiting -----------------------------------------------------------------------

    async def _sleep(self) -> None:
        timeout = 0.1 if self._inflight else self.idle  # in-flight results are recorded promptly
        if not self._inflight:
            try:
                due = await asyncio.to_thread(self._next_due)
                now = self.wire.clock()
                if due is not None and due > now:  # (a due row that was not claimed is someone else's)
                    timeout = min(self.idle, (due - now).total_seconds())
            except Exception:
                log.exception("could not read the next due delivery")
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    def _next_due(self):
        with self.wire.engine.connect() as conn:
            return ledger.next_due(conn)

    async def _listen(self) -> None:
        """PostgreSQL: wake on the router's NOTIFY, so workers elsewhere start at once."""
        import psycopg

        url = self.wire.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY}")
                    self._wake.set()  # anything missed while not listening
                    async for _ in conn.notifies():
                        self._wake.set()
            except Exception:
                log.warning("LISTEN %s failed; polling until it is back", NOTIFY, exc_info=True)
                await asyncio.sleep(5)

    async def _drain(self) -> None:
        self._stopping = True
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self._record()
        except Exception:
            log.exception("could not record the last outcomes; their leases will run out")
        for channel in self.channels.values():
            await channel.close()


_secret_cache: dict[str, str] = {}


def _decrypt(settings, token: str) -> str:
    if token not in _secret_cache:  # Fernet is slow-ish; endpoints recur across batches
        if len(_secret_cache) > 10_000:
            _secret_cache.clear()
        _secret_cache[token] = secrets.decrypt(settings, token)
    return _secret_cache[token]


def default_worker_id(role: str = "worker") -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{role}"


def wake_on_commit(wire: Wire, worker: DeliveryWorker) -> None:
    """Have the router poke ``worker`` after each commit that wrote deliveries (keeping any other callback)."""
    from .routing import Router

    for router in (x for x in wire.listeners if isinstance(x, Router)):
        previous = router.on_commit

        def on_commit(event_id, previous=previous):
            if previous is not None:
                previous(event_id)
            worker.on_commit(event_id)

        router.on_commit = on_commit
