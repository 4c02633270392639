"""A delivery whose payload cannot be rendered goes dead with the reason; the rest of the wire goes on.

Intake now refuses text no format can encode, so the poison is written straight into storage, as a
row from before that rule (or a hand edit) would hold it:

- on SQLite, a lone surrogate in a keyword (the JSON column keeps it as a ``\\udfff`` escape; the
  ninjs body cannot be encoded as UTF-8);
- on both databases, a ticker that is a number, not text (JSON stores it; no format can render it).
  PostgreSQL cannot hold a lone surrogate or NUL at all, so this is its poison.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook

from newswire.distribution.channels.webhook import WebhookChannel
from newswire.storage import deliveries as ledger
from newswire.storage.tables import release_versions, releases
from helpers import publish
from webhook_receiver import add_webhook, rows, run_worker


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True, retry_schedule="0.2,0.2,0.2")


def poisons(wire) -> dict[str, dict]:
    found = {"a ticker that is a number": {"tickers": [42]}}
    if wire.engine.dialect.name == "sqlite":
        found["a lone surrogate"] = {"keywords": ["Rocket \udfff Skate"]}
    return found


def poison(wire, release_id: int, values: dict) -> None:
    with wire.db.transaction() as conn:
        conn.execute(sa.update(release_versions).where(release_versions.c.release_id == release_id).values(**values))


def statuses(wire, release_id: int) -> list[str]:
    return [r.status for r in rows(wire, release_id=release_id)]


def wait(condition, task: asyncio.Task, timeout: float = 30):
    async def waiting():
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(condition):
            assert not task.done(), task.result()
            assert time.monotonic() < deadline, "the deliveries did not settle in time"
            await asyncio.sleep(0.05)
    return waiting()


def test_poison_goes_dead_and_the_wire_keeps_delivering(wire, editor, sample, receiver, caplog):
    secret = add_webhook(wire, receiver.url("/a"))[1]
    add_webhook(wire, receiver.url("/b"), secret=secret)
    bad = {}
    for name, values in poisons(wire).items():
        bad[name] = publish(wire, editor, sample, headline=f"Poisoned by {name}").id
        poison(wire, bad[name], values)
    healthy = publish(wire, editor, sample, headline="A healthy release").id
    settled = lambda: all(r.status != ledger.PENDING for r in rows(wire))  # noqa: E731

    async def main():
        worker = wire.delivery_worker("poison-test", channels={"webhook": WebhookChannel(wire.settings)})
        task = asyncio.create_task(worker.run())
        try:
            await wait(settled, task)
            # The worker still claims: a release published now goes out too.
            later = (await asyncio.to_thread(publish, wire, editor, sample, headline="Published later")).id
            await wait(lambda: statuses(wire, later) == ["delivered", "delivered"], task)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)
        return later

    with caplog.at_level(logging.ERROR, logger="newswire.worker"):
        later = asyncio.run(main())

    for name, release_id in bad.items():
        dead = rows(wire, release_id=release_id)
        assert [r.status for r in dead] == ["dead", "dead"], name
        assert all(r.last_error.startswith("payload could not be rendered: ") for r in dead), dead
        # Rendered (and logged) once for both recipients, not once each.
        assert sum("'release.published', 'ninjs'" in m and f"'webhook', {release_id}," in m
                   for m in caplog.messages) == 1, caplog.messages
    if "a lone surrogate" in bad:
        assert "UnicodeEncodeError" in rows(wire, release_id=bad["a lone surrogate"])[0].last_error
    assert not any("claiming deliveries failed" in m for m in caplog.messages)

    assert statuses(wire, healthy) == ["delivered", "delivered"]
    got = {Webhook(secret).verify(h.body, h.headers)["data"]["headlines"][0]["value"] for h in receiver.hits}
    assert got == {"A healthy release", "Published later"}
    assert sorted(h.path for h in receiver.hits) == ["/a", "/a", "/b", "/b"]
    assert statuses(wire, later) == ["delivered", "delivered"]


def test_a_delivery_its_channel_cannot_encode_goes_dead_at_once(wire, editor, sample, receiver):
    class Strict(WebhookChannel):  # as a channel that writes text into headers or a mail would
        async def push(self, job):
            "\udfff".encode("utf-8")

    add_webhook(wire, receiver.url("/x"))
    r = publish(wire, editor, sample)
    run_worker(wire, lambda: rows(wire)[0].status != ledger.PENDING, channels={"webhook": Strict(wire.settings)})
    [row] = rows(wire, release_id=r.id)
    assert (row.status, row.attempts) == ("dead", 1)
    assert row.last_error.startswith("could not be sent: UnicodeEncodeError: ") and "\\udfff" in row.last_error


def test_a_payload_key_that_fails_makes_its_deliveries_dead_not_the_claim(wire, editor, sample, receiver):
    class Keyless(WebhookChannel):
        def payload_key(self, release, event, target):
            if release.content.headline == "Broken":
                raise KeyError("format")
            return super().payload_key(release, event, target)

    add_webhook(wire, receiver.url("/x"))
    bad, good = publish(wire, editor, sample, headline="Broken"), publish(wire, editor, sample)
    run_worker(wire, lambda: all(r.status != ledger.PENDING for r in rows(wire)),
               channels={"webhook": Keyless(wire.settings)})
    assert [r.status for r in rows(wire, release_id=good.id)] == ["delivered"]
    [dead] = rows(wire, release_id=bad.id)
    assert dead.status == "dead" and dead.last_error == "payload could not be rendered: KeyError: 'format'"


def test_a_release_that_cannot_even_be_loaded_goes_dead_without_blocking_the_claim(wire, editor, sample, receiver):
    """A row no code can read (here a status this version does not know, as a newer or broken writer
    might leave) fails while the worker loads the claim's releases: only its deliveries go dead."""
    add_webhook(wire, receiver.url("/a"))
    bad = publish(wire, editor, sample, headline="Unreadable").id
    healthy = publish(wire, editor, sample, headline="Readable").id
    with wire.db.transaction() as conn:
        conn.execute(sa.update(releases).where(releases.c.id == bad).values(status="from-the-future"))

    async def main():
        worker = wire.delivery_worker("poison-test", channels={"webhook": WebhookChannel(wire.settings)})
        task = asyncio.create_task(worker.run())
        try:
            await wait(lambda: all(r.status != ledger.PENDING for r in rows(wire)), task)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)

    asyncio.run(main())
    [dead] = rows(wire, release_id=bad)
    assert dead.status == "dead" and dead.last_error.startswith(f"release {bad} could not be loaded: ValueError")
    assert statuses(wire, healthy) == ["delivered"] and len(receiver.hits) == 1
