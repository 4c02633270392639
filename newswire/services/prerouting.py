"""Pre-routing: a scheduled release's ledger rows are written when it is scheduled (and again when
it is edited), held where nothing can claim, list or count them (``storage/held.py``), so that at
its second the go-live transaction only moves them into the ledger instead of routing every
recipient then.

At the second, ``go_live`` re-routes only the subscribers and endpoints that changed since the
recipients were read (``changed_at``, set by the database's triggers whatever code wrote the row):
their held rows go and they are matched again, so an endpoint added, re-enabled or moved to a
digest, or preferences changed, count as they stand at the second. The move itself keeps only rows
whose endpoint and subscriber can still be reached. A release that changed since it was held (an
edit, a new second), or that goes live long after its second (the clock was down), is routed afresh
as before. Withdrawing a scheduled release forgets its held rows.

The go-live transaction moves the first ``FIRST`` rows into the ledger and marks the rest live
(``prerouted.live_at``): they are the release's deliveries from that commit on, durably, and the
clock moves them in right after (``drain``, a few thousand rows a transaction, due at the go-live
time), so the first sends start while the rest of a large fan-out is still being queued. (Inserting
10,000 ledger rows costs PostgreSQL its three foreign-key checks a row: 100–300 ms in one transaction.)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection

from ..domain.events import DeliveriesQueued
from ..domain.models import Release, Status
from ..domain.subscriptions import Event
from ..storage import held
from ..storage import releases as releases_store
from .routing import Router

SLACK = dt.timedelta(seconds=30)  # going live later than this after the second: route afresh
MARGIN = 2.0  # seconds of the database's clock before the stamp re-checked as well (clock steps)
MOST = 5000  # more changed recipients than this: route every one again
FIRST = 128  # rows moved by the go-live transaction itself: the first sends start at once
CHUNK = 2000  # rows moved a transaction after it (``drain``)


class Prerouter:
    def __init__(self, router: Router):
        self.router = router

    def hold(self, conn: Connection, release: Release) -> int:
        """Route ``release`` (scheduled for ``release.embargo_until``) into held rows; replaces any
        it had. Runs in the scheduling or editing transaction."""
        held.lock_recipients(conn)  # every change after the clock read below has a later changed_at
        checked = held.clock(conn)
        held.forget(conn, release.id)
        n = held.hold(conn, self._rows(conn, release))
        held.stamp(conn, release.id, release.current.number, release.embargo_until, checked)
        return n

    def forget(self, conn: Connection, release_id: int) -> None:
        held.forget(conn, release_id)

    def refresh(self, conn: Connection, release: Release) -> bool:
        """Re-route what changed since the release was held, ahead of its second, so the second has
        less to re-check. False when it holds nothing fit to go live with."""
        stamp = held.stamp_of(conn, release.id)
        if stamp is None or not self._fits(stamp, release):
            return False
        held.lock_recipients(conn)
        checked = held.clock(conn)
        self._reconcile(conn, release, stamp.checked_at - MARGIN)
        held.stamp(conn, release.id, release.current.number, release.embargo_until, checked)
        return True

    def go_live(self, conn: Connection, release: Release, now: dt.datetime) -> None:
        """Queue the release's deliveries as it goes live at ``now`` and announce it: its held rows
        after the re-check of what changed, or, without a fit pre-route, routing as ever."""
        stamp = held.stamp_of(conn, release.id)
        if stamp is None or not self._fits(stamp, release) or not (
                release.embargo_until <= now <= release.embargo_until + SLACK):
            held.forget(conn, release.id)
            self.router.route(conn, Event.PUBLISHED, release)
            return
        self._reconcile(conn, release, stamp.checked_at - MARGIN)
        held.go_live(conn, release.id, now)
        queued, more = held.move(conn, release.id, now, FIRST)
        self.router.announce(conn, Event.PUBLISHED, release, queued, now)

    def drain(self) -> int:
        """Move what live releases still hold into the ledger, ``CHUNK`` rows a transaction, each
        waking the workers; run by the clock right after a go-live and on every look (so rows a
        crash left held go out as soon as a clock runs). Returns the rows queued."""
        total = 0
        with self.router.db.read() as conn:
            pending = held.live(conn)
        for release_id, at in pending:
            more = True
            while more:
                with self.router.db.transaction() as conn:
                    status = releases_store.lock_status(conn, release_id)
                    if status not in (Status.PUBLISHED, Status.CORRECTED):  # withdrawn meanwhile: nothing more
                        held.forget(conn, release_id)
                        break
                    queued, more = held.move(conn, release_id, at, CHUNK)
                    if queued:
                        self.router.db.emit(conn, DeliveriesQueued(queued))
                total += queued
        return total

    @staticmethod
    def _fits(stamp: held.Stamp, release: Release) -> bool:
        return (release.embargo_until is not None and stamp.version == release.current.number
                and stamp.embargo_until == release.embargo_until)

    def _reconcile(self, conn: Connection, release: Release, since: float) -> None:
        subscriber_ids, endpoint_ids = held.changed_since(conn, since)
        if not (subscriber_ids or endpoint_ids):
            return
        if len(subscriber_ids) + len(endpoint_ids) > MOST:
            held.drop(conn, release.id)
            held.hold(conn, self._rows(conn, release))
            return
        held.drop(conn, release.id, subscriber_ids=subscriber_ids, endpoint_ids=endpoint_ids)
        held.hold(conn, self._rows(conn, release, (subscriber_ids, endpoint_ids)))

    def _rows(self, conn: Connection, release: Release, only=None) -> list[tuple]:
        """Held rows as routing would write them at the release's second."""
        head = (release.id, release.current.number, Event.PUBLISHED.value, release.language)
        rows, seen = [], set()
        for eid, sid, channel, due in self.router.recipients(conn, release, release.embargo_until, only):
            if eid not in seen:
                seen.add(eid)
                rows.append((*head, sid, eid, channel, due))
        return rows
