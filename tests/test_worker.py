"""The delivery worker: fairness, per-endpoint limits, leases, exactly-once recording, waking up."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from newswire.distribution.channels.webhook import WebhookChannel
from newswire.distribution.setup import attach
from newswire.distribution.worker import NOTIFY, DeliveryWorker
from newswire.storage import deliveries as ledger
from newswire.workflow.wire import Wire
from helpers import postgres_listeners, publish
from webhook_receiver import add_webhook, rows, run_worker


@pytest.fixture
def settings(settings):
    return replace(settings, webhook_allow_private=True, retry_schedule="0.2,0.2,0.2")


def all_delivered(wire, n):
    return lambda: [r.status for r in rows(wire)] == ["delivered"] * n


def test_per_endpoint_concurrency_limit(wire, editor, sample, receiver):
    add_webhook(wire, receiver.url("/two"), max_in_flight=2)
    add_webhook(wire, receiver.url("/three"), max_in_flight=3)
    receiver.delay.update({"/two": 0.3, "/three": 0.3})
    for _ in range(8):
        publish(wire, editor, sample)
    run_worker(wire, all_delivered(wire, 16))
    assert len(receiver.at("/two")) == len(receiver.at("/three")) == 8
    assert receiver.peak["/two"] == 2 and receiver.peak["/three"] == 3


def test_a_slow_endpoint_does_not_hold_up_the_others_and_stop_is_graceful(wire, editor, sample, receiver):
    slow, _ = add_webhook(wire, receiver.url("/slow"), max_in_flight=1)
    add_webhook(wire, receiver.url("/fast"), max_in_flight=1)
    receiver.delay["/slow"] = 3
    for _ in range(5):
        publish(wire, editor, sample)
    # Few slots in all, so a worker that let the slow outlet's backlog fill them would stall.
    run_worker(wire, lambda: len(receiver.at("/fast")) == 5, concurrency=4, batch=4)

    slow_rows = [r for r in rows(wire) if r.endpoint_id == slow]
    fast_rows = [r for r in rows(wire) if r.endpoint_id != slow]
    assert [r.status for r in fast_rows] == ["delivered"] * 5
    # stop() let the slow send in flight finish and gave the unstarted ones back, unattempted.
    assert len(receiver.at("/slow")) == 1
    assert sorted(r.status for r in slow_rows) == ["delivered"] + ["pending"] * 4
    assert all(r.leased_by is None and r.attempts == 0 for r in slow_rows if r.status == "pending")


def test_payload_rendered_once_per_release_across_batches(wire, editor, sample, receiver):
    class Counting(WebhookChannel):
        renders = 0

        def render(self, *a):
            Counting.renders += 1
            return super().render(*a)

    for i in range(12):
        add_webhook(wire, receiver.url(f"/r{i}"))
    publish(wire, editor, sample)
    run_worker(wire, all_delivered(wire, 12), channels={"webhook": Counting(wire.settings)}, batch=5)
    assert Counting.renders == 1
    assert len({h.body for h in receiver.hits}) == 1


def test_a_dead_workers_claims_are_delivered_after_its_lease_once(wire, editor, sample, receiver):
    for i in range(6):
        add_webhook(wire, receiver.url(f"/l{i}"))
    publish(wire, editor, sample)
    with wire.transaction() as conn:  # a worker that claims, then dies without a word
        ghost = ledger.claim(conn, now=wire.clock(), worker="ghost", limit=100, lease_seconds=1)
    assert len(ghost) == 6

    run_worker(wire, all_delivered(wire, 6))
    assert sorted(h.path for h in receiver.hits) == sorted(f"/l{i}" for i in range(6))
    assert {r.attempts for r in rows(wire)} == {1}
    with wire.transaction() as conn:  # the ghost wakes up and reports: too late, nothing changes
        late = [ledger.Outcome(c.id, ledger.DEAD, wire.clock(), error="late") for c in ghost]
        assert ledger.record(conn, "ghost", late) == 0
    assert {r.status for r in rows(wire)} == {"delivered"}


def test_two_workers_never_send_the_same_delivery(wire, editor, sample, receiver):
    n = 60
    for i in range(n):
        add_webhook(wire, receiver.url(f"/w{i}"), max_in_flight=1)
    for _ in range(2):
        publish(wire, editor, sample)
    done = all_delivered(wire, 2 * n)

    async def main():
        workers = [DeliveryWorker(wire, {"webhook": WebhookChannel(wire.settings)}, name, batch=10, concurrency=16)
                   for name in ("one", "two")]
        tasks = [asyncio.create_task(w.run()) for w in workers]
        deadline = time.monotonic() + 60
        while not await asyncio.to_thread(done):
            assert time.monotonic() < deadline and not any(t.done() for t in tasks)
            await asyncio.sleep(0.05)
        for w in workers:
            w.stop()
        await asyncio.gather(*tasks)

    asyncio.run(main())
    ids = [h.headers["webhook-id"] for h in receiver.hits]
    assert len(ids) == len(set(ids)) == 2 * n
    assert {r.attempts for r in rows(wire)} == {1}


def test_a_failing_channel_is_retried_not_lost(wire, editor, sample, receiver):
    class Broken(WebhookChannel):
        async def push(self, job):
            raise RuntimeError("bug")

    add_webhook(wire, receiver.url("/x"))
    r = publish(wire, editor, sample)
    run_worker(wire, lambda: rows(wire)[0].attempts == 1, channels={"webhook": Broken(wire.settings)})
    [row] = rows(wire, release_id=r.id)
    assert row.status == "pending" and "bug" in row.last_error and row.leased_by is None


def test_serve_runs_the_worker_and_a_publish_wakes_it(wire, keys, editor, sample, receiver, clock):
    from newswire.web.app import create_app

    add_webhook(wire, receiver.url("/live"))
    served = Wire(engine=wire.engine, settings=replace(wire.settings, run_worker=True), clock=clock)
    attach(served)
    with TestClient(create_app(served)):
        publish(served, editor, sample)
        deadline = time.monotonic() + 30
        while not all_delivered(wire, 1)():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert len(receiver.at("/live")) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # LISTEN/NOTIFY is PostgreSQL's
def test_postgresql_notify_wakes_a_worker_elsewhere(wire, editor, sample, receiver):
    add_webhook(wire, receiver.url("/notified"))

    class Napping(DeliveryWorker):
        naps = 0  # times it has gone to sleep

        async def _sleep(self):
            self.naps += 1
            await super()._sleep()

    async def main():
        # It polls only once a minute and nobody pokes it: only the NOTIFY can wake it in time.
        worker = Napping(wire, {"webhook": WebhookChannel(wire.settings)}, "elsewhere", idle=60)
        task = asyncio.create_task(worker.run())
        # Asleep and listening: its LISTEN wakes it from its first nap (to look for what was committed
        # before), so a second nap began after the LISTEN; nothing else wakes it within the minute.
        deadline = time.monotonic() + 30
        while worker.naps < 2 or not await asyncio.to_thread(postgres_listeners, wire.engine, NOTIFY):
            assert time.monotonic() < deadline and not task.done(), "the worker did not settle listening"
            await asyncio.sleep(0.01)
        await asyncio.to_thread(publish, wire, editor, sample)
        deadline = time.monotonic() + 30
        while not await asyncio.to_thread(all_delivered(wire, 1)):
            assert time.monotonic() < deadline, "the NOTIFY did not wake the worker"
            await asyncio.sleep(0.05)
        worker.stop()
        await task

    asyncio.run(main())
    assert len(receiver.at("/notified")) == 1
