"""The live stream through a push engine (Redis pub/sub), for more readers than one process holds.

With ``NEWSWIRE_LIVE_BROKER=redis://…`` every process that commits release events (``serve`` and
``newswire worker``) renders each event once and publishes it once to the broker's channel
(``BrokerPublisher``); every ``serve`` process subscribes to that channel and hands each event, as
rendered, to its hub (``BrokerFeed``), which fans the one shared frame out to its readers. So a
fleet of ``serve`` processes behind a load balancer serves the stream without a database read per
process per event, on SQLite as on PostgreSQL.

The hub still hears its own process's bus too (and PostgreSQL's LISTEN): whichever copy of an
event comes first is sent, the other is dropped by event id, so each reader gets each event once.
While the broker is away the feed marks a gap in the hub; when it is back the hub catches up from
the stream table, so nothing committed meanwhile is lost (readers that reconnect use Last-Event-ID
against the table as before). Without the setting nothing here runs.
"""

from __future__ import annotations

import asyncio
import logging

from ..domain.events import ReleaseEvent
from .live import LiveHub
from .live_events import Events, LiveEvent
from .loop import OnLoop

try:  # the optional extra `live-broker`
    from redis import asyncio as aioredis
except ImportError:  # pragma: no cover - only without the extra
    aioredis = None

log = logging.getLogger("newswire.live.broker")
RETRY = 1.0  # seconds between attempts to reach the broker


def client(url: str):
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("NEWSWIRE_LIVE_BROKER: expected a redis://, rediss:// or unix:// URL")
    if aioredis is None:
        raise RuntimeError("NEWSWIRE_LIVE_BROKER needs the redis package: pip install 'newswire[live-broker]'")
    return aioredis.Redis.from_url(url, socket_keepalive=True, health_check_interval=15)


class BrokerPublisher(OnLoop):
    """Publishes each release event committed in this process, rendered, once (in commit order)."""

    def __init__(self, url: str, channel: str, events: Events):
        self.url, self.channel, self.events = url, channel, events
        self._queue: asyncio.Queue[int] | None = None
        self._task: asyncio.Task | None = None
        self._redis = None

    def on_committed(self, event: ReleaseEvent) -> None:
        """A bus handler for this process's own commits only (any thread)."""
        self._on_loop(self._queue.put_nowait, event.stream_event_id)

    async def start(self) -> None:
        self._redis = client(self.url)
        self._queue = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._queue is not None:  # what committed before the stop still goes out, if the broker is there
            try:
                await asyncio.wait_for(self._queue.join(), 5)
            except TimeoutError:
                log.warning("live broker: %d event(s) not published; the hubs' catch-up has them", self._queue.qsize())
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._loop = None
        if self._redis is not None:
            await self._redis.aclose()

    async def _run(self) -> None:
        while True:
            event_id = await self._queue.get()
            try:
                ev = await asyncio.to_thread(self.events.get, event_id)
                for attempt in range(30):  # ~30 s; after that the hubs' catch-up has it from the table
                    try:
                        if ev is not None:
                            await self._redis.publish(self.channel, ev.encode())
                        break
                    except (OSError, ConnectionError, aioredis.RedisError) as exc:
                        if attempt == 0:
                            log.warning("live broker unreachable (%s); retrying", exc)
                        await asyncio.sleep(RETRY)
            except Exception:
                log.exception("live broker: could not publish event %s", event_id)
            finally:
                self._queue.task_done()


class BrokerFeed:
    """Subscribes to the broker's channel and hands every event to this process's hub."""

    def __init__(self, url: str, channel: str, hub: LiveHub):
        self.url, self.channel, self.hub = url, channel, hub
        self._task: asyncio.Task | None = None
        self.subscribed = asyncio.Event()  # (tests and start-up wait on it)

    async def start(self, wait: float = 10.0) -> None:
        client(self.url)  # a bad URL or a missing extra fails the start, not the background task
        self._task = asyncio.create_task(self._run())
        try:
            await asyncio.wait_for(asyncio.shield(self.subscribed.wait()), wait)
        except TimeoutError:
            log.warning("not subscribed to the live broker yet; still trying")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            # Until subscribed (at start too) other processes' events are not heard: mark the gap, and
            # once subscribed catch up from the table (nothing twice: the hub drops ids it has sent).
            self.hub.on_lost()
            redis = client(self.url)
            try:
                async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self.hub.on_reconnect()
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        self._heard(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: logged, and the feed reconnects
                log.warning("live broker connection lost (%s); reconnecting", exc)
            finally:
                self.subscribed.clear()
                await redis.aclose()
            await asyncio.sleep(RETRY)

    def _heard(self, message: dict) -> None:
        if message.get("type") != "message":
            return
        try:
            ev = LiveEvent.decode(message["data"])
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("live broker: ignored a message that is not a live event (%s)", exc)
            return
        self.hub.offer(ev)
