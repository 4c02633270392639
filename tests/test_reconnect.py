"""What a process does when its cross-process event listener was away (PostgreSQL LISTEN broken,
the database restarted): events committed meanwhile by other processes were not heard, so each
part catches up from the database. Two wires on one database stand for two processes; the
listener's callbacks (``ListenerLost``, ``ListenerReconnected``) are fired on the first one's bus
as its Runtime fires them."""

from __future__ import annotations

import asyncio

import pytest

from helpers import publish, rewire, until
from webhook_receiver import add_webhook, rows

from newswire.domain.events import ListenerLost, ListenerReconnected
from newswire.storage import subscribers as subs
from newswire.workers.live import Filter

TIMEOUT = 30


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True)  # the receiver is on 127.0.0.1


def test_the_live_hub_catches_up_on_what_other_processes_published_while_it_was_away(wire, editor, sample):
    other = rewire(wire)  # another process: its own bus, which this hub does not hear

    async def main():
        hub = wire.live_hub()
        await hub.start()
        try:
            client = hub.subscribe(Filter())
            wire.bus.publish(ListenerLost())
            theirs = await asyncio.to_thread(publish, other, editor, sample, headline="Published elsewhere")
            ours = await asyncio.to_thread(publish, wire, editor, sample, headline="Published here")
            first = await asyncio.wait_for(client.get(), TIMEOUT)  # ours, heard at once
            wire.bus.publish(ListenerReconnected())
            second = await asyncio.wait_for(client.get(), TIMEOUT)  # theirs, from the catch-up
            return {first.release_id, second.release_id}, (theirs.id, ours.id)
        finally:
            await hub.stop()

    try:
        got, (theirs, ours) = asyncio.run(main())
    finally:
        other.close()
    assert got == {theirs, ours}


def test_a_worker_forgets_a_410_when_the_re_enable_may_have_been_missed(wire, keys, editor, sample, receiver):
    eid, _ = add_webhook(wire, receiver.url("/back"), max_in_flight=1)
    receiver.plan["/back"] = [410]
    admin = wire.accounts.authenticate(keys["admin"])
    with wire.engine.connect() as conn:
        sid = subs.get_endpoint_row(conn, eid).subscriber_id
    other = rewire(wire)  # the admin works through another process

    def status_of(release_id: int) -> str | None:
        found = rows(wire, release_id=release_id)
        return found[0].status if found else None

    async def main():
        worker = wire.delivery_worker("here", idle=0.05)
        task = asyncio.create_task(worker.run())
        try:
            first = await asyncio.to_thread(publish, wire, editor, sample)
            await until(lambda: status_of(first.id) == "dead", "the 410 was not recorded")
            await asyncio.to_thread(other.subscriptions.enable_endpoint, admin, sid, eid)  # not heard here
            second = await asyncio.to_thread(publish, other, editor, sample)
            await until(lambda: rows(wire, release_id=second.id), "the second release was not routed")
            wire.bus.publish(ListenerReconnected())
            await until(lambda: status_of(second.id) == "delivered", "the re-enabled endpoint got nothing")
        finally:
            worker.stop()
            await task

    try:
        asyncio.run(main())
    finally:
        other.close()
    assert len(receiver.at("/back")) == 2
