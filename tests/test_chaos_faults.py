"""Faults outside the wire, survived (on SQLite and PostgreSQL): receivers that fail 30 % of
requests, hang past the timeout, answer slowly or reset the connection; the SMTP server down for
a while; the disk full under SQLite.

The full disk is SQLite's ``max_page_count`` on every connection of the wire's engine: SQLite then
fails a write exactly as on a full disk (SQLITE_FULL, "database or disk is full", the transaction
rolled back), portably and without root; a real one (a 2 MB tmpfs) is in bench/chaos.py --disk-full.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter

import pytest
import sqlalchemy as sa

from chaos_kit import ChaosReceiver, assert_each_once, fate
from conftest import auth
from helpers import assert_problem, publish, snapshot, until
from newswire.distribution.channels.email import EmailChannel
from newswire.distribution.channels.webhook import WebhookChannel
from smtp_sink import Sink, add_journalist
from smtp_sink import rows as mail_rows
from webhook_receiver import add_webhooks, rows

pytestmark = pytest.mark.timeout(180)
SCHEDULE = "0.05,0.05,0.1,0.1"  # four quick retries; no path fails more than three times in a row
TIMEOUT = 0.5  # the webhook timeout: the hanging receiver holds on for 5 s


@pytest.fixture
def smtp_sink():
    sink = Sink()  # its port is chosen; it starts listening only when a test says so
    yield sink
    if sink.controller is not None:
        sink.stop()


@pytest.fixture
def settings(settings, smtp_sink):
    return settings.with_overrides(webhook_allow_private=True, retry_schedule=SCHEDULE, webhook_timeout=TIMEOUT,
                                   smtp_url=f"smtp://127.0.0.1:{smtp_sink.port}",
                                   mail_from="Newswire <wire@newswire.test>")


@pytest.fixture
def chaos():
    with ChaosReceiver(hang=5.0, slow=0.2, fail=0.3) as r:
        yield r


async def run(wire, channels: dict, done, what: str, timeout: float = 90):
    worker = wire.delivery_worker("chaos", channels=channels, idle=0.05)
    task = asyncio.create_task(worker.run())
    try:
        await until(done, what, timeout)
    finally:
        worker.stop()
        await asyncio.wait_for(task, 30)
    return worker


def test_misbehaving_receivers_get_everything_within_the_retry_schedule(wire, editor, sample, chaos):
    n = 200
    paths = [f"/r{i}" for i in range(n)]
    add_webhooks(wire, [chaos.url(p) for p in paths])
    publish(wire, editor, sample)
    retries = len(SCHEDULE.split(","))

    def settled() -> bool:
        return all(r.status in ("delivered", "dead") for r in rows(wire))

    worker = asyncio.run(run(wire, {"webhook": WebhookChannel(wire.settings)}, settled, "every delivery settled"))
    ledger = rows(wire)
    assert Counter(r.status for r in ledger) == {"delivered": n}, "a delivery was lost or went dead"
    assert max(r.attempts for r in ledger) <= 1 + retries
    firsts = Counter(fate(p, 0) for p in paths)  # how the first try of each went (the same every run)
    assert 0.2 < 1 - (firsts["ok"] + firsts["slow"]) / n < 0.4, firsts  # about 30 % of first tries fail
    assert all(chaos.fates[k] for k in ("fail", "hang", "slow", "reset")), chaos.fates
    # every endpoint got its delivery; a repeat (a slow answer the sender had given up on) kept its id
    assert {h.path for h in chaos.hits} == set(paths)
    assert_each_once(ledger, chaos.hits, wire.settings)
    assert worker.outcomes.counts["delivered"] == n and worker.outcomes.counts["retrying"] == sum(r.attempts - 1 for r in ledger)


def test_mail_waits_for_the_smtp_server_and_goes_out_when_it_is_back(wire, editor, sample, smtp_sink):
    addresses = [f"j{i}@paper.test" for i in range(5)]
    endpoints = [add_journalist(wire, a)[0] for a in addresses]
    publish(wire, editor, sample)

    async def main():
        channel = EmailChannel(wire.settings)
        worker = wire.delivery_worker("mail", channels={"email": channel}, idle=0.05, retry_delays=(0.2,) * 50)
        task = asyncio.create_task(worker.run())
        try:  # the server is down: every try fails and is retried, none is given up
            await until(lambda: all(r.attempts >= 3 and r.status == "pending" and r.last_error
                                    for e in endpoints for r in mail_rows(wire, e)), "failed tries while down")
            smtp_sink.start()  # back
            await until(lambda: all(r.status == "delivered" for e in endpoints for r in mail_rows(wire, e)),
                        "the mail once the server is back")
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)

    asyncio.run(main())
    assert sorted(rcpt for rcpt, _, _ in smtp_sink.received) == addresses  # each once
    assert all(sample["headline"] in m["Subject"] for a in addresses for m in smtp_sink.to(a))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_disk_under_sqlite_is_a_clear_error_and_the_database_stays_whole(client, wire, keys, sample):
    editor = auth(keys["editor"])
    first = client.post("/api/v1/releases", json={**sample, "issuer": "acme"}, headers=editor)
    assert first.status_code == 201
    with wire.engine.connect() as conn:
        used = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

    @sa.event.listens_for(wire.engine, "connect")
    def _small_disk(dbapi_conn, _record):  # every new connection: no room past the pages in use
        dbapi_conn.execute(f"PRAGMA max_page_count = {used + 2}")

    wire.engine.dispose()
    big = {**sample, "issuer": "acme", "body": "A long paragraph about skates. " * 1500}
    before = snapshot(wire.engine)
    res = client.post("/api/v1/releases", json=big, headers=editor)
    body = assert_problem(res, 507)
    assert "disk is full" in body["detail"] and "nothing was saved" in body["detail"]
    assert snapshot(wire.engine) == before  # a failed request changes nothing
    assert client.get("/api/v1/releases/" + str(first.json()["id"]) + "/status", headers=editor).status_code == 200

    path = wire.engine.url.database
    wire.engine.dispose()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    sa.event.remove(wire.engine, "connect", _small_disk)  # space freed: writing works again
    again = client.post("/api/v1/releases", json=big, headers=editor)
    assert again.status_code == 201, again.text
