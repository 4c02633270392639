"""The release clock: moves scheduled releases to published when their time comes.

It sleeps until the next embargo (never longer than ``tick`` seconds, so a
release scheduled by another process is noticed promptly) and runs once at
start-up, so a release whose time passed while the service was down goes out
immediately. Several clocks may run against one database: the state change is
conditional, so each release goes live once. A release that went live with rows
still held (services/prerouting.py) has them moved into the ledger a moment
after its go-live, once the workers have claimed its first rows, and on every
look after a crash.
"""

from __future__ import annotations

import asyncio
import logging
import time

from ..services.releases import ReleaseService
from ..services.unit import Clock
from .loop import OnLoop

log = logging.getLogger("newswire.clock")
DRAIN_AFTER = 0.05  # seconds between a go-live and moving the rest of its held rows in


class ReleaseClock(OnLoop):
    def __init__(self, releases: ReleaseService, clock: Clock, tick: float = 0.5):
        self.releases, self.clock = releases, clock
        self.tick = tick
        self._wake = asyncio.Event()
        self._stopping = False
        self.beat = time.monotonic()  # when the loop last went round (readiness)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            self.beat = time.monotonic()
            self._wake.clear()  # before looking, so a poke during the look is not lost
            try:
                released = await asyncio.to_thread(self.releases.release_due, False)
                for rid in released:
                    log.info("release %s is live", rid)
                if released:  # the workers claim the first rows before the rest is moved in
                    await asyncio.sleep(DRAIN_AFTER)
                await asyncio.to_thread(self.releases.drain_held)
                nxt = await asyncio.to_thread(self.releases.next_embargo)
            except Exception:  # the clock must outlive a database hiccup
                log.exception("release clock failed; retrying")
                nxt = None
            delay = self.tick
            if nxt is not None:
                delay = min(self.tick, max(0.0, (nxt - self.clock()).total_seconds()))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass
