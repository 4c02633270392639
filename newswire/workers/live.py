"""The live stream's broadcaster: one hub per process fans each release event out to the
SSE clients connected to that process (a broadcast, not a ledger row per reader).

Events reach the hub from the process's bus (``on_release_event``): after commit for a publish
made in this process, and on PostgreSQL through the process's one LISTEN connection
(``storage/notify.py``) for a publish made by any other process sharing the database. When that
connection comes back after a break, the hub catches up from the stream table
(``on_reconnect``). Each event is rendered to its SSE frame once per process, whatever the
number of clients.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from ..domain.events import Event, ReleaseEvent
from .live_events import CACHE, PAGE, Events, Filter, LiveEvent
from .loop import OnLoop

__all__ = ["Filter", "LiveEvent", "LiveHub", "Subscriber"]
log = logging.getLogger("newswire.live")
QUEUE = 256  # events a client may lag behind before it is dropped (it resumes with Last-Event-ID)
HEARTBEAT = 15.0  # seconds between keepalive comments, so proxies keep an idle stream open


KEEPALIVE = object()  # what ``Subscriber.get`` returns when a heartbeat is due


class Subscriber:
    """One reader's state in the hub: its filter, the events it has not written yet, and one
    future while it waits. No queue object, no task and no timer of its own (the hub beats for
    every reader at once): a few hundred bytes a reader."""

    __slots__ = ("beat", "closed", "filter", "pending", "waiter")

    def __init__(self, flt: Filter):
        self.filter = flt
        self.pending: list[LiveEvent] = []  # (an empty deque alone is 760 bytes)
        self.waiter: asyncio.Future | None = None
        self.closed = self.beat = False

    def offer(self, ev: LiveEvent) -> bool:
        """Queue ``ev``; False when the reader is ``QUEUE`` events behind (too slow: drop it)."""
        if len(self.pending) >= QUEUE:
            return False
        self.pending.append(ev)
        self._wake()
        return True

    def heartbeat(self) -> None:
        self.beat = True
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self):
        """The next event; ``KEEPALIVE`` when the hub's heartbeat came first; None once closed."""
        while not (self.pending or self.closed or self.beat):
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        if self.closed:
            return None
        if self.pending:
            return self.pending.pop(0)
        self.beat = False
        return KEEPALIVE


class LiveHub(OnLoop):
    def __init__(self, events: Events, on_sent=None):
        self.events = events
        # (release id, event, language, readers): the live-stream readers a frame reached (reports)
        self.on_sent = on_sent
        self._subs: set[Subscriber] = set()
        self._incoming: asyncio.Queue[int] | None = None
        self._seen: set[int] = set()  # recent ids, so a catch-up after a reconnect sends nothing twice
        self._order: deque[int] = deque()
        self._high = 0  # the newest event id this process has heard of
        self._gap_from: int | None = None  # while the cross-process listener is away: _high when it left
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._incoming = asyncio.Queue()
        self._high = await asyncio.to_thread(self.events.latest_id)
        self._tasks += [asyncio.create_task(self._dispatch()), asyncio.create_task(self._beat())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()
        self._loop = None

    def on_release_event(self, event: ReleaseEvent) -> None:
        """A bus handler, from any thread: a release event committed (here or in another process)."""
        self.publish(event.stream_event_id)

    def on_lost(self, _event: Event | None = None) -> None:
        """A bus handler: the cross-process listener is away. What other processes commit from now on
        is not heard until it is back, while this process's own events still are: remember where the
        gap starts, or the catch-up would begin after this process's newer events and skip theirs."""
        self._on_loop(self._mark_gap)

    def on_reconnect(self, _event: Event | None = None) -> None:
        """A bus handler: the cross-process listener is back; fetch what committed meanwhile."""
        self._on_loop(self._start_catch_up)

    def _mark_gap(self) -> None:
        if self._gap_from is None:
            self._gap_from = self._high

    def _start_catch_up(self) -> None:
        start, self._gap_from = (self._high if self._gap_from is None else self._gap_from), None
        task = asyncio.get_running_loop().create_task(self._catch_up(start))
        self._tasks.append(task)
        task.add_done_callback(lambda t: t in self._tasks and self._tasks.remove(t))

    def publish(self, event_id: int) -> None:
        self._on_loop(self._feed, event_id)

    @property
    def readers(self) -> int:
        """Clients connected to this process's stream now (the metrics read it)."""
        return len(self._subs)

    def offer(self, ev: LiveEvent) -> None:
        """An event already rendered (by the process that committed it, through the live broker)."""
        self._on_loop(self._feed, ev)

    def subscribe(self, flt: Filter) -> Subscriber:
        sub = Subscriber(flt)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subs.discard(sub)

    def _feed(self, item: int | LiveEvent) -> None:
        self._high = max(self._high, item if isinstance(item, int) else item.id)
        if self._incoming is not None:
            self._incoming.put_nowait(item)

    async def _dispatch(self) -> None:
        while True:
            item = await self._incoming.get()
            event_id = item if isinstance(item, int) else item.id
            if event_id in self._seen:  # heard twice (the bus and the broker, or a catch-up): sent once
                continue
            self._seen.add(event_id)
            self._order.append(event_id)
            if len(self._order) > CACHE:
                self._seen.discard(self._order.popleft())
            if isinstance(item, LiveEvent):
                ev = item
                self.events.remember(ev)
            else:
                try:
                    ev = await asyncio.to_thread(self.events.get, event_id)
                except Exception:  # clients that miss it get it on reconnect with Last-Event-ID
                    log.exception("live stream: could not load event %s", event_id)
                    continue
            if ev is not None:
                reached = self._fan_out(ev)
                if self.on_sent is not None and reached:
                    self._count(ev, reached)

    def _count(self, ev: LiveEvent, reached: int) -> None:
        async def record():
            try:
                await asyncio.to_thread(self.on_sent, ev.release_id, ev.event, ev.language, reached)
            except Exception:  # a report's count must never stop the stream
                log.exception("live stream: could not count the readers of event %s", ev.id)
        task = asyncio.get_running_loop().create_task(record())
        self._tasks.append(task)
        task.add_done_callback(lambda t: t in self._tasks and self._tasks.remove(t))

    def _fan_out(self, ev: LiveEvent) -> int:
        """The one shared frame to every matching reader; returns how many it reached."""
        reached, slow = 0, []
        for sub in self._subs:
            if sub.filter.matches(ev):
                if sub.offer(ev):
                    reached += 1
                else:
                    slow.append(sub)
        for sub in slow:  # too slow: dropped rather than hold the others back (it resumes with Last-Event-ID)
            self._subs.discard(sub)
            sub.close()
        return reached

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            for sub in list(self._subs):
                sub.heartbeat()

    async def _catch_up(self, after: int) -> None:
        """Feed every event after ``after`` (those already sent are skipped by ``_seen``)."""
        while True:
            batch = await asyncio.to_thread(self.events.since, after)
            for ev in batch:
                self._feed(ev.id)
            if len(batch) < PAGE:
                return
            after = batch[-1].id
