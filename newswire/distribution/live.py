"""The live stream's broadcaster: one hub per process fans each release event out to the
SSE clients connected to that process (a broadcast, not a ledger row per reader).

Events reach the hub once per process: on PostgreSQL from a single LISTEN connection,
so a publish made through any process sharing the database is heard here; on SQLite
(one process owns the file) from the Router's after-commit callback. Each event is
rendered to its SSE frame once per process, whatever the number of clients.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from sqlalchemy.engine import make_url

from ..storage import stream
from ..workflow.wire import Wire
from .live_events import CACHE, PAGE, Events, Filter, LiveEvent

__all__ = ["Filter", "LiveEvent", "LiveHub", "Subscriber"]
log = logging.getLogger("newswire.live")
QUEUE = 256  # events a client may lag behind before it is dropped (it resumes with Last-Event-ID)


class Subscriber:
    def __init__(self, flt: Filter):
        self.filter = flt
        self.queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(QUEUE)
        self.closed = False

    def close(self) -> None:
        self.closed = True
        try:
            self.queue.put_nowait(None)  # wake the reader; a full queue wakes it anyway
        except asyncio.QueueFull:
            pass


class LiveHub:
    def __init__(self, wire: Wire):
        self.events = Events(wire)
        url = make_url(wire.settings.sqlalchemy_url)
        self.listen_url = (url.set(drivername="postgresql").render_as_string(hide_password=False)
                           if url.get_backend_name() == "postgresql" else None)
        self._subs: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._incoming: asyncio.Queue[int] | None = None
        self._seen: set[int] = set()  # recent ids, so a catch-up after a reconnect sends nothing twice
        self._order: deque[int] = deque()
        self._high = 0  # the newest event id this process has heard of
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._incoming = asyncio.Queue()
        self._high = await asyncio.to_thread(self.events.latest_id)
        self._tasks.append(asyncio.create_task(self._dispatch()))
        if self.listen_url:
            ready = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._listen(ready)))
            try:  # so a client connected once the server is up hears every later commit
                await asyncio.wait_for(ready.wait(), timeout=10)
            except TimeoutError:
                log.warning("live stream: not listening to PostgreSQL yet; still trying")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()
        self._loop = None

    def on_commit(self, event_id: int | None) -> None:
        """The Router's after-commit callback, from any thread. On PostgreSQL the LISTEN
        connection hears every commit (this process's too), so only SQLite needs this."""
        if event_id is not None and self.listen_url is None:
            self.publish(event_id)

    def publish(self, event_id: int) -> None:
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._feed, event_id)
            except RuntimeError:  # the loop closed while we were told
                pass

    def subscribe(self, flt: Filter) -> Subscriber:
        sub = Subscriber(flt)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subs.discard(sub)

    def _feed(self, event_id: int) -> None:
        self._high = max(self._high, event_id)
        if self._incoming is not None:
            self._incoming.put_nowait(event_id)

    async def _dispatch(self) -> None:
        while True:
            event_id = await self._incoming.get()
            if event_id in self._seen:
                continue
            self._seen.add(event_id)
            self._order.append(event_id)
            if len(self._order) > CACHE:
                self._seen.discard(self._order.popleft())
            try:
                ev = await asyncio.to_thread(self.events.get, event_id)
            except Exception:  # clients that miss it get it on reconnect with Last-Event-ID
                log.exception("live stream: could not load event %s", event_id)
                continue
            if ev is None:
                continue
            for sub in list(self._subs):
                if sub.filter.matches(ev):
                    try:
                        sub.queue.put_nowait(ev)
                    except asyncio.QueueFull:  # too slow: drop it rather than hold the others back
                        self._subs.discard(sub)
                        sub.close()

    async def _listen(self, ready: asyncio.Event) -> None:
        import psycopg

        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.listen_url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {stream.CHANNEL}")
                    await self._catch_up()  # whatever committed before LISTEN took effect
                    ready.set()
                    delay = 0.5
                    async for note in conn.notifies():
                        self._feed(int(note.payload))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect with backoff; _catch_up fills the gap
                log.warning("live stream: LISTEN connection failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _catch_up(self) -> None:
        while True:
            batch = await asyncio.to_thread(self.events.since, self._high)
            for ev in batch:
                self._feed(ev.id)
            if len(batch) < PAGE:
                return
