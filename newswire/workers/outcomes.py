"""What the delivery worker tells operations: each outcome counted and logged
(``newswire.delivery``) under the request id its release event carried (``domain/trace.py``), each
send's duration and each first attempt's latency from its release event observed
(``services/metrics.py``)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable

from ..distribution.channels.base import Job, Result
from ..services.metrics import Metrics
from ..services.unit import Clock
from ..storage import deliveries as ledger

log = logging.getLogger("newswire.delivery")
REMEMBERED = 4096  # release ids whose request id is kept


class Outcomes:
    def __init__(self, metrics: Metrics | None, clock: Clock, worker_id: str):
        self.metrics, self.clock, self.worker = metrics, clock, worker_id
        self._requests: OrderedDict[int, str] = OrderedDict()  # release id → its last event's request id
        # What the worker did, for its exit line: delivered, retrying, dead, given_back (claims handed
        # back unsent), drained (sends that were in flight at SIGTERM and finished before exit).
        self.counts: Counter[str] = Counter()

    def tally(self, outcomes: list[ledger.Outcome], written: int) -> None:
        """Recorded outcomes into the exit line's counts; those not written had lost their lease."""
        self.counts.update(o.status if o.status != ledger.PENDING else "retrying" for o in outcomes)
        self.counts["lease_lost"] += len(outcomes) - written

    def summary(self) -> str:
        """The exit line: ``delivered 10, retrying 0, dead 0, drained 4, given back 6, lease lost 0``."""
        names = ("delivered", "retrying", "dead", "drained", "given_back", "lease_lost")
        return ", ".join(f"{n.replace('_', ' ')} {self.counts[n]}" for n in names)

    def remember(self, release_id: int, request_id: str) -> None:
        """On the worker's loop: a release event's request id (the bus brought it)."""
        self._requests[release_id] = request_id
        self._requests.move_to_end(release_id)
        if len(self._requests) > REMEMBERED:
            self._requests.popitem(last=False)

    async def look_up(self, release_ids: set[int], find: Callable[[list[int]], dict[int, str]]) -> None:
        """The request ids of releases whose event this worker did not hear (it started after it)."""
        unknown = [rid for rid in release_ids if rid not in self._requests]
        if not unknown or not log.isEnabledFor(logging.INFO):
            return
        try:
            found = await asyncio.to_thread(find, unknown)
        except Exception:  # only the logs miss it
            log.warning("could not look up the request ids of releases %s", unknown, exc_info=True)
            return
        for rid, request_id in found.items():
            self.remember(rid, request_id)

    def sent(self, c: ledger.Claimed, job: Job, result: Result | None, seconds: float) -> None:
        if self.metrics is None:
            return
        self.metrics.send_seconds.labels(c.channel).observe(seconds)
        if result is not None and result.ok and c.attempts == 0:
            since = event_time(job.release, c.event)
            if since is not None:
                self.metrics.latency.labels(c.channel).observe(max(0.0, (self.clock() - since).total_seconds()))

    def recorded(self, done: list[tuple[ledger.Claimed, str, Result]]) -> None:
        """After the outcomes' write committed: one count and one log line each."""
        info = log.isEnabledFor(logging.INFO)
        for c, outcome, r in done:
            if self.metrics is not None:
                self.metrics.deliveries.labels(c.channel, outcome).inc()
            if info:
                log.info("delivery %s", outcome, extra={
                    "request_id": self._requests.get(c.release_id, ""), "release_id": c.release_id,
                    "delivery_id": c.id, "event": c.event, "language": c.language, "channel": c.channel,
                    "endpoint_id": c.endpoint_id, "attempt": c.attempts + 1, "outcome": outcome,
                    "status_code": r.status_code, "error": r.error or None, "worker": self.worker})


def event_time(release, event: str):
    """When a release event happened: its publication (a language version: the original's), its
    correction, its withdrawal."""
    if event.endswith("corrected"):
        return getattr(release, "updated_at", None)
    if event.endswith("withdrawn"):
        return getattr(release, "withdrawn_at", None)
    return getattr(release, "published_at", None)
