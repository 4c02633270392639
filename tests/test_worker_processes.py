"""Real `newswire worker` processes against one PostgreSQL database: no delivery is sent by two
workers, a SIGKILLed worker's claims are delivered after its lease, SIGTERM is graceful."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from newswire.config import Settings
from newswire.bootstrap import build
from newswire.storage import db, notify
from helpers import postgres_listeners
from webhook_receiver import add_webhooks, rows, webhook_id

pytestmark = pytest.mark.timeout(240)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def wire(postgres_url, empty_postgres, tmp_path):
    empty_postgres()
    engine = db.make_engine(postgres_url)
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url, webhook_allow_private=True,
                        secret_key=Fernet.generate_key().decode(), run_worker=False)
    engine.dispose()
    w = build(settings, migrate=False)
    yield w
    w.close()


@pytest.fixture
def workers(wire, tmp_path):
    """Starts `python -m newswire.cli worker` processes; kills any still running at the end."""
    procs: list[subprocess.Popen] = []

    def start(name: str, **env) -> subprocess.Popen:
        environ = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSWIRE_DATA_DIR": str(tmp_path / "data"),
                   "NEWSWIRE_SECRET_KEY": wire.settings.secret_key, "NEWSWIRE_WEBHOOK_ALLOW_PRIVATE": "1",
                   **{f"NEWSWIRE_{k.upper()}": str(v) for k, v in env.items()}}
        log = open(tmp_path / f"{name}.log", "wb")
        p = subprocess.Popen([sys.executable, "-m", "newswire.cli", "worker", "--id", name,
                              "--database-url", wire.settings.database_url],
                             env=environ, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        procs.append(p)
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(10)


def publish(wire):
    wire.accounts.create_issuer("acme", "Acme Corporation")
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
    r = wire.releases.create(editor, {"issuer": "acme", "headline": "Acme ships", "body": "It ships.", "language": "en"})
    return wire.releases.publish(editor, r.id)


def wait_for(check, timeout: float, what: str, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        assert all(p.poll() is None for p in procs), "a worker exited early"
        time.sleep(0.1)


def delivered(wire) -> int:
    return sum(r.status == "delivered" for r in rows(wire))


def test_two_worker_processes_send_each_delivery_once(wire, receiver, workers):
    n = 300
    add_webhooks(wire, [receiver.url(f"/p{i}") for i in range(n)])
    receiver.delay.update({f"/p{i}": 0.05 for i in range(n)})
    procs = [workers("one"), workers("two")]
    # both up and listening; the NOTIFY of the publish wakes them
    wait_for(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 2, 60, "both workers to listen", procs)
    publish(wire)
    wait_for(lambda: delivered(wire) == n, 120, "all deliveries", procs)

    ids = Counter(h.headers["webhook-id"] for h in receiver.hits)
    assert len(ids) == n and set(ids.values()) == {1}, "a delivery was sent twice"
    assert all(r.attempts == 1 and r.leased_by is None for r in rows(wire))
    for p in procs:
        p.send_signal(signal.SIGTERM)
    assert [p.wait(30) for p in procs] == [0, 0]


def test_sigkill_mid_fan_out_then_restart_delivers_everything_once(wire, receiver, workers):
    n = 500
    add_webhooks(wire, [receiver.url(f"/k{i}") for i in range(n)])
    receiver.delay.update({f"/k{i}": 0.5 for i in range(n)})
    publish(wire)
    first = workers("doomed", lease_seconds=2)
    wait_for(lambda: delivered(wire) > 0, 60, "the first deliveries", [first])
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert delivered(wire) < n, "the worker finished before it could be killed"

    second = workers("heir", lease_seconds=2)
    wait_for(lambda: delivered(wire) == n, 120, "every delivery after the restart", [second])
    ledger_rows = rows(wire)
    assert all(r.status == "delivered" and r.attempts == 1 for r in ledger_rows)
    # The receiver may have seen a few twice (sends in flight at the kill): webhook-id tells them apart.
    assert {h.headers["webhook-id"] for h in receiver.hits} == {webhook_id(wire.settings, r.id) for r in ledger_rows}
    second.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0


def test_sigterm_finishes_in_flight_sends_and_gives_the_rest_back(wire, receiver, workers):
    n = 10
    add_webhooks(wire, [receiver.url(f"/t{i}") for i in range(n)], max_in_flight=1)
    receiver.delay.update({f"/t{i}": 1.5 for i in range(n)})
    r = publish(wire)
    wire.releases.correct(wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk 2")), r.id,
                 {"headline": "Acme ships today", "correction_note": "Date"})  # a second delivery each
    proc = workers("graceful")
    wait_for(lambda: sum(receiver.active.values()) == n, 60, "the first sends to be in flight", [proc])
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0

    by_event = Counter((r.event, r.status) for r in rows(wire))
    assert by_event == {("release.published", "delivered"): n, ("release.corrected", "pending"): n}
    assert all(r.leased_by is None for r in rows(wire))
    assert len(receiver.hits) == n
