"""The delivery worker: claims due ledger rows, sends them through their channel, records outcomes.

A pipeline, not lockstep batches: up to ``concurrency`` sends are in flight and up to ``batch``
more claimed jobs wait behind them, so the next send never waits for the database. Claims, sends
and batched outcome writes overlap. Each endpoint gets at most ``max_in_flight`` sends at once and
at most twice that many claimed jobs (the claim skips endpoints at that mark), so a slow outlet
fills only its own lane. Outcomes are written only to rows this worker still leases: each delivery
is recorded once even when a lease ran out and another worker took over. A job whose lease is half
gone before it could start is given back unsent rather than risk a send another worker also makes.

Claims and outcome writes run on the event loop through the worker's own connection
(``storage.worker_db``: on SQLite it never waits for a lock, on PostgreSQL it is asynchronous);
only loading a release, once per release event, and the idle look at the next due row go to a thread.

The worker is woken by the bus (``wake`` for new or replayed deliveries, ``endpoint_changed`` when
an admin re-enables an endpoint it had seen answer 410); the composition root subscribes it. What it
tells operations (counts, logs, latencies) goes through ``outcomes.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque

from ..config import Settings
from ..distribution import secrets
from ..distribution.channels.base import Channel, Job, Result, Target
from ..distribution.poison import Unrenderable, render
from ..distribution.schedule import next_retry
from ..domain import text
from ..domain.events import EndpointChanged, EndpointStatus, Event, ReleaseEvent
from ..services.listings import Listings
from ..services.metrics import Metrics
from ..services.unit import Clock
from ..storage import deliveries as ledger
from ..storage import subscribers as subs
from ..storage.worker_db import WorkerDB
from .loop import OnLoop
from .outcomes import Outcomes
from .tuning import Tuning

log = logging.getLogger("newswire.worker")
FIRST_CLAIM = 32  # rows claimed first when a fan-out begins (the rest follow in full batches)


class _Lane:
    """One endpoint's claimed jobs in this worker: ``active`` of them sending, the rest waiting their turn."""

    __slots__ = ("cap", "active", "jobs", "waiting")

    def __init__(self, cap: int):
        self.cap, self.active, self.jobs, self.waiting = cap, 0, 0, deque()


class DeliveryWorker(OnLoop):
    def __init__(self, db: WorkerDB, listings: Listings, channels: dict[str, Channel], worker_id: str, *,
                 clock: Clock, settings: Settings, tuning: Tuning, metrics: Metrics | None = None):
        self._db, self.listings, self.channels, self.id = db, listings, channels, worker_id[:64]
        self.outcomes = Outcomes(metrics, clock, self.id)
        self.beat = time.monotonic()  # when the loop last went round (readiness)
        self.clock, self.settings = clock, settings  # (the settings decrypt signing secrets)
        self.batch, self.lease, self.delays = tuning.batch, tuning.lease, list(tuning.retry_delays)
        self.concurrency, self.idle = tuning.concurrency, tuning.idle
        self._wake, self._stopping = asyncio.Event(), False
        self._ready: asyncio.Queue = asyncio.Queue()  # jobs whose endpoint has a free slot
        self._queued = 0  # claimed jobs not yet answered
        self._threshold = max(1, self.batch // 2)  # claim when this much room is free
        self._dry = True  # the last claim got all there was
        self._secrets: dict[str, str] = {}
        self._targets: dict[subs.EndpointRow, tuple[Target, object]] = {}  # and until when each is good
        self._lanes: dict[int, _Lane] = {}
        self.sleeping = False  # waiting for a wake-up or the next due time (tests wait on it)
        self._recorder: asyncio.Task | None = None
        self._held: dict[int, ledger.Claimed] = {}  # jobs a batching channel keeps until flush
        self._results: list[tuple[ledger.Claimed, Result]] = []
        self._unsent: list[int] = []
        # Endpoints that answered 410 here: nothing more is sent to them until the disable is written
        # (then the claim cancels their rows) or an admin re-enables them (``endpoint_changed``).
        self._gone: set[int] = set()
        self._cache: OrderedDict[tuple, object] = OrderedDict()  # releases and rendered payloads

    def _room(self) -> int:
        return min(self.batch, self.concurrency + self.batch - self._queued)

    def wake(self, event: Event | None = None) -> None:
        """A bus handler: deliveries were queued or replayed."""
        if isinstance(event, ReleaseEvent) and event.request_id:
            self._on_loop(self.outcomes.remember, event.release_id, event.request_id)
        self.poke()

    def reconnected(self, _event: Event | None = None) -> None:
        """A bus handler: the cross-process listener was away, so an ``EndpointChanged`` may have been
        missed. Forget the 410s seen (the database decides: a disabled endpoint's rows are cancelled
        at the claim), and look now."""
        self._on_loop(self._gone.clear)
        self.poke()

    def endpoint_changed(self, event: EndpointChanged) -> None:
        """A bus handler: an endpoint this worker stopped sending to (410) may be back."""
        if event.status == EndpointStatus.ACTIVE:
            self._on_loop(self._gone.discard, event.endpoint_id)
        self.poke()

    def summary(self) -> str:
        """The exit line's counts (``Outcomes.summary``)."""
        return self.outcomes.summary()

    def stop(self) -> None:
        """Finish in-flight sends, give unstarted claims back, record, then return from ``run``."""
        self._stopping = True
        self.poke()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        senders = [self._loop.create_task(self._sender()) for _ in range(self.concurrency)]
        try:
            while not self._stopping:
                self.beat = time.monotonic()
                self._wake.clear()  # before looking, so a poke during the look is not lost
                self._start_recorder()
                room = self._room()
                if room < self._threshold:
                    await self._sleep()
                    continue
                if self._dry:  # the first claim after a wait is small, so the first sends start at once
                    room = min(room, FIRST_CLAIM)
                try:
                    self._dry = await self._claim(room) < room
                except Exception:  # the worker must outlive a database hiccup
                    log.exception("claiming deliveries failed; retrying")
                    await asyncio.sleep(self.idle)
                    continue
                if self._dry:  # all that is due is claimed: wait for a poke, a NOTIFY or the clock
                    await self._sleep()
        finally:
            await self._drain(senders)

    # --- claiming ----------------------------------------------------------------------

    async def _claim(self, room: int) -> int:
        full = [e for e, lane in self._lanes.items() if lane.jobs >= 2 * lane.cap]
        in_memory = {e: lane.jobs for e, lane in self._lanes.items()}
        now = self.clock()
        claimed, endpoints = await self._db.claim(now=now, worker=self.id, limit=room, lease_seconds=self.lease,
                                                  channels=tuple(self.channels), skip_endpoints=full)
        try:
            releases = await self._releases(claimed)
            jobs, overflow, final = self._jobs(claimed, endpoints, releases, in_memory, now)
        except BaseException:  # give the rows back rather than leave them leased for nothing
            await self._db.write(self.id, [], [c.id for c in claimed])
            raise
        if overflow or final:
            await self._db.write(self.id, final, overflow)
        deadline = time.monotonic() + self.lease / 2
        for c, job in jobs:
            lane = self._lanes.get(c.endpoint_id) or self._lanes.setdefault(c.endpoint_id,
                                                                           _Lane(job.target.max_in_flight))
            lane.jobs += 1
            self._queued += 1
            if lane.active < lane.cap:
                lane.active += 1
                self._ready.put_nowait((c, job, lane, deadline))
            else:
                lane.waiting.append((c, job, lane, deadline))
        return len(claimed)

    async def _releases(self, claimed: list[ledger.Claimed]) -> dict[tuple, object]:
        """The claimed rows' releases, each loaded once per (release, version, event, language)."""
        releases, missing = {}, {}
        for c in claimed:
            key = ("release", c.release_id, c.version, c.event, c.language)
            if key not in releases and key not in missing:
                if key in self._cache:
                    releases[key] = self._cached(key, None)
                else:
                    missing[key] = c
        if missing:  # once per release event (a fan-out's first claim): SQLAlchemy, in a thread
            releases.update(await asyncio.to_thread(self._load_releases, missing))
            await self.outcomes.look_up({c.release_id for c in missing.values()}, self.listings.request_ids)
        return releases

    def _load_releases(self, missing: dict[tuple, ledger.Claimed]) -> dict[tuple, object]:
        # In a thread, while the loop waits for it in _claim (claims never overlap, so the cache is ours).
        found = self.listings.for_delivery([(c.release_id, c.language, c.event) for c in missing.values()])

        def loaded(c: ledger.Claimed):
            release = found[(c.release_id, c.language, c.event)]
            # a release that cannot even be loaded is a poison too: its deliveries go dead, not the claim
            return Unrenderable.load_failed(c.release_id, release) if isinstance(release, Exception) else release

        return {key: self._cached(key, lambda c=c: loaded(c)) for key, c in missing.items()}

    def _jobs(self, claimed, endpoints, releases, in_memory: dict[int, int], now) -> tuple[list, list, list]:
        jobs, overflow, final = [], [], []
        for c in claimed:
            ep, release = endpoints.get(c.endpoint_id), releases[("release", c.release_id, c.version, c.event,
                                                                  c.language)]
            cap = max(1, ep.max_in_flight) if ep else 1
            if ep is None or ep.status == EndpointStatus.DISABLED:
                final.append(ledger.Outcome(c.id, ledger.CANCELLED, now, error="endpoint disabled"))
            elif release is None:
                final.append(ledger.Outcome(c.id, ledger.DEAD, now, error="the release no longer exists"))
            elif isinstance(release, Unrenderable):
                final.append(ledger.Outcome(c.id, ledger.DEAD, now, error=release.reason))
            elif in_memory.get(ep.id, 0) >= 2 * cap:
                overflow.append(c.id)  # enough of this endpoint's work waits here already
            else:
                job = self._job(c, self._target(ep, cap, now), release)
                if isinstance(job, Unrenderable):  # poison: dead, and the rest of the claim goes on
                    final.append(ledger.Outcome(c.id, ledger.DEAD, now, error=job.reason))
                    continue
                in_memory[ep.id] = in_memory.get(ep.id, 0) + 1
                jobs.append((c, job))
        return jobs, overflow, final

    def _target(self, ep: subs.EndpointRow, cap: int, now) -> Target:
        """The endpoint as channels see it, secrets decrypted. Kept per endpoint row: endpoints recur in
        every fan-out, and a rotated secret or a disabled endpoint is a different row, so a stale entry
        is never found. Only the end of a rotation's overlap needs the clock."""
        hit = self._targets.get(ep)
        if hit is not None and (hit[1] is None or now < hit[1]):
            return hit[0]
        keys, until = [ep.secret_enc] if ep.secret_enc else [], None
        if ep.previous_secret_enc and ep.previous_secret_expires_at and ep.previous_secret_expires_at > now:
            keys.append(ep.previous_secret_enc)  # rotation overlap: sign with both
            until = ep.previous_secret_expires_at
        target = Target(id=ep.id, subscriber_id=ep.subscriber_id, address=ep.address, format=ep.format,
                        secrets=tuple(self._decrypt(k) for k in keys), max_in_flight=cap,
                        digest_hour=ep.digest_hour, topic=ep.topic, unsubscribe_token=ep.unsubscribe_token)
        if len(self._targets) >= 10_000:  # bounded (a few MB), so memory stays flat however many endpoints
            self._targets.clear()
        self._targets[ep] = (target, until)
        return target

    def _job(self, c: ledger.Claimed, target: Target, release) -> Job | Unrenderable:
        channel = self.channels[c.channel]
        try:
            key = (c.channel, *channel.payload_key(release, c.event, target))
        except Exception as exc:  # a channel bug: no key to share the failure under, so keyed by the row's release
            key, error = (c.channel, "unkeyed", c.release_id, c.version, c.event, c.language, target.format), exc
            payload = self._cached(key, lambda: Unrenderable.of(key, error))
        else:
            # Rendered once per channel's payload key (release, language, version, event, format), never per
            # recipient; a payload that cannot be rendered is remembered as such, not tried again per recipient.
            payload = self._cached(key, lambda: render(channel, release, c.event, target, key))
        if isinstance(payload, Unrenderable):
            return payload
        return Job(c.id, c.event, c.attempts, release, target, payload,
                   extra={"version": c.version, "language": c.language})

    def _decrypt(self, token: str) -> str:
        if token not in self._secrets:  # Fernet and the key file once per secret, not per delivery
            if len(self._secrets) >= 10_000:  # bounded (~3 MB), so memory stays flat however many endpoints
                self._secrets.clear()
            self._secrets[token] = secrets.decrypt(self.settings, token)
        return self._secrets[token]

    def _cached(self, key: tuple, make):
        """From the LRU of releases and rendered payloads; ``make`` fills a miss."""
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = self._cache[key] = make()
        if len(self._cache) > 256:
            self._cache.popitem(last=False)
        return value

    # --- sending -------------------------------------------------------------------------

    async def _sender(self) -> None:
        """One of ``concurrency`` senders: a fixed pool, so a fan-out costs no task per job."""
        while True:
            c, job, lane, deadline = await self._ready.get()
            try:
                await self._send(c, job, deadline)
            finally:
                if lane.waiting:  # the endpoint's slot passes to its next job
                    self._ready.put_nowait(lane.waiting.popleft())
                else:
                    lane.active -= 1
                lane.jobs -= 1
                if not lane.jobs:
                    del self._lanes[c.endpoint_id]
                self._queued -= 1
                if len(self._results) >= 200 or not self._queued:
                    self._start_recorder()
                if not self._dry and self._room() >= self._threshold:
                    self._wake.set()  # room for another claim, and more may be due

    async def _send(self, c: ledger.Claimed, job: Job, deadline: float) -> None:
        if self._stopping or c.endpoint_id in self._gone or time.monotonic() > deadline:
            self._unsent.append(c.id)
            self.outcomes.counts["given_back"] += 1
            return
        started = time.perf_counter()
        try:
            result = await self.channels[c.channel].push(job)
        except Exception as exc:  # a channel bug must not lose the row: retried; text it cannot encode never sends
            log.exception("channel %s failed on delivery %s", c.channel, c.id)
            own = isinstance(exc, UnicodeError)
            why = f"{'could not be sent' if own else 'internal error'}: {type(exc).__name__}: {exc}"
            result = Result(c.id, False, error=text.safe(why)[:1000], permanent=own)
        self.outcomes.sent(c, job, result, time.perf_counter() - started)
        if self._stopping:
            self.outcomes.counts["drained"] += 1
        if result is None:
            self._held[c.id] = c
        else:
            self._results.append((c, result))
            if result.gone:
                self._gone.add(c.endpoint_id)

    # --- recording -------------------------------------------------------------------------

    def _start_recorder(self) -> None:
        busy = self._recorder is not None and not self._recorder.done()
        if not busy and (self._results or self._unsent or self._held):
            self._recorder = asyncio.create_task(self._record())

    async def _record(self) -> None:
        """Let batching channels (digests) send what they hold, then write outcomes until none are left."""
        for name in {c.channel for c in self._held.values()}:
            for r in await self.channels[name].flush():
                if (c := self._held.pop(r.delivery_id, None)) is not None:
                    self._results.append((c, r))
        while self._results or self._unsent:
            results, unsent = self._results, self._unsent
            self._results, self._unsent = [], []
            try:
                await self._write(results, unsent)
            except Exception:
                log.exception("recording %d outcomes failed; will retry", len(results))
                self._results[:0], self._unsent[:0] = results, unsent
                return

    async def _write(self, results: list[tuple[ledger.Claimed, Result]], unsent: list[int]) -> None:
        now, delays = self.clock(), self.delays
        outcomes, gone, done = [], {}, []
        for c, r in results:
            if r.ok:
                outcomes.append(ledger.Outcome(c.id, ledger.DELIVERED, now, r.status_code))
                done.append((c, "delivered", r))
                continue
            retry = None if (r.gone or r.permanent) else next_retry(now, c.attempts + 1, delays)
            done.append((c, "gone" if r.gone else "retry" if retry else "dead", r))
            outcomes.append(ledger.Outcome(c.id, ledger.PENDING if retry else ledger.DEAD, now, r.status_code,
                                           r.error, retry))
            if r.gone:
                gone[c.endpoint_id] = r.error or "410 Gone"
        written = await self._db.write(self.id, outcomes, unsent, gone, now)
        self.outcomes.recorded(done)
        self.outcomes.tally(outcomes, written)
        if written < len(outcomes):
            log.warning("%d outcomes not recorded: their lease had passed to another worker", len(outcomes) - written)

    # --- waiting ---------------------------------------------------------------------------

    async def _sleep(self) -> None:
        self.sleeping = True
        try:
            await self._nap()
        finally:
            self.sleeping = False

    async def _nap(self) -> None:
        timeout = self.idle
        if self._queued or self._held:
            timeout = 0.1  # outcomes and held digests are looked after promptly
        else:
            try:
                due = await asyncio.to_thread(self._next_due)
                now = self.clock()
                if due is not None and due > now:  # (a due row that was not claimed is someone else's)
                    timeout = min(self.idle, (due - now).total_seconds())
            except Exception:
                log.exception("could not read the next due delivery")
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    def _next_due(self):
        return self._db.next_due()

    async def _drain(self, senders: list[asyncio.Task]) -> None:
        self._stopping = True
        while self._queued:  # in-flight sends finish; queued jobs are handed back unsent
            await asyncio.sleep(0.05)
        for task in senders:
            task.cancel()
        if self._recorder is not None:
            await asyncio.gather(self._recorder, return_exceptions=True)
        await self._record()
        for channel in self.channels.values():
            await channel.close()
        await self._db.close()

