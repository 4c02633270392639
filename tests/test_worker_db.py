"""The delivery worker's own connection (storage.worker_db): claims and records on the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from newswire.storage import deliveries as ledger
from newswire.storage.worker_db import WorkerDB
from helpers import publish
from webhook_receiver import add_webhook, rows


def test_claim_then_record_only_what_this_worker_leases(wire, editor, sample):
    eids = [add_webhook(wire, f"http://127.0.0.1:9/h{i}")[0] for i in range(5)]
    publish(wire, editor, sample)

    async def main():
        db, now = WorkerDB(wire.engine), wire.clock()
        try:
            claimed, endpoints = await db.claim(now=now, worker="w1", limit=3, lease_seconds=60,
                                                channels=("webhook",))
            assert [c.id for c in claimed] == sorted(c.id for c in claimed) and len(claimed) == 3
            assert set(endpoints) == {c.endpoint_id for c in claimed} and set(endpoints) <= set(eids)
            rest, _ = await db.claim(now=now, worker="w2", limit=10, lease_seconds=60, channels=("webhook",))
            assert len(rest) == 2 and not {c.id for c in rest} & {c.id for c in claimed}
            # w2 reports on w1's rows: nothing changes; w1 on its own: recorded once.
            assert await db.write("w2", [ledger.Outcome(c.id, ledger.DEAD, now) for c in claimed]) == 0
            ok = [ledger.Outcome(c.id, ledger.DELIVERED, now, 204) for c in claimed]
            assert await db.write("w1", ok) == 3
            assert await db.write("w1", ok) == 0
            await db.write("w2", [], unsent=[c.id for c in rest])  # given back without an attempt
        finally:
            await db.close()

    asyncio.run(main())
    statuses = sorted((r.status, r.attempts, r.leased_by) for r in rows(wire))
    assert statuses == [("delivered", 1, None)] * 3 + [("pending", 0, None)] * 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_rows_locked_by_another_worker_are_skipped_not_waited_for(wire, editor, sample):
    """PostgreSQL's side of the next test: another transaction holding the row → SKIP LOCKED."""
    add_webhook(wire, "http://127.0.0.1:9/h")
    publish(wire, editor, sample)
    other = wire.engine.connect()
    tx = other.begin()
    other.exec_driver_sql("SELECT id FROM deliveries FOR UPDATE")

    async def claim():
        db = WorkerDB(wire.engine)
        try:
            return (await asyncio.wait_for(db.claim(now=wire.clock(), worker="w", limit=10, lease_seconds=60,
                                                    channels=("webhook",)), 5))[0]
        finally:
            await db.close()

    try:
        assert asyncio.run(claim()) == []  # answered at once, without the locked row
        tx.commit()
        assert len(asyncio.run(claim())) == 1
    finally:
        other.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL locks rows: the test above
def test_sqlite_lock_held_elsewhere_does_not_block_the_event_loop(wire, editor, sample):
    add_webhook(wire, "http://127.0.0.1:9/h")
    publish(wire, editor, sample)
    other = sqlite3.connect(wire.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing, e.g. a long publish

    async def main():
        db, ticks = WorkerDB(wire.engine), 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        tick = asyncio.create_task(ticker())
        claim = asyncio.create_task(db.claim(now=wire.clock(), worker="w", limit=10, lease_seconds=60,
                                             channels=("webhook",)))
        deadline = time.monotonic() + 10
        while ticks < 10:  # the loop kept running...
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        assert not claim.done()  # ...while the claim waits for the lock
        other.execute("COMMIT")
        claimed, _ = await asyncio.wait_for(claim, 5)
        tick.cancel()
        await db.close()
        return claimed

    try:
        assert len(asyncio.run(main())) == 1
    finally:
        other.close()
