"""Faults survived by real processes on one PostgreSQL database (tests/chaos_kit.py; bench/chaos.py
runs the same at 20,000): workers SIGKILLed again and again in the middle of a fan-out, every
connection to the database cut while workers and `serve` are busy, and SIGTERM's drain with its
counts.

Cutting every connection is `pg_terminate_backend` on this test database's sessions of the shared
server (other test sessions use it in parallel): every connection, LISTEN included, breaks at
once and new ones succeed. tests/test_chaos_restart.py restarts a real server, a private one
(tests/pgcluster.py), as bench/chaos.py --restart-postgres does.
"""

from __future__ import annotations

import signal

import httpx
import pytest
from cryptography.fernet import Fernet

from chaos_kit import Processes, assert_each_once, free_port, graceful, statuses, terminate_backends, wait_for
from helpers import postgres_listeners
from newswire.bootstrap import build
from newswire.config import Settings
from newswire.storage import notify
from webhook_receiver import add_webhooks, rows

pytestmark = pytest.mark.timeout(300)
N = 2000  # CI size; bench/chaos.py --n 20000


@pytest.fixture
def wire(postgres_url, empty_postgres, tmp_path):
    empty_postgres()
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url, webhook_allow_private=True,
                        secret_key=Fernet.generate_key().decode(), run_worker=False)
    w = build(settings, migrate=False)
    yield w
    w.close()


@pytest.fixture
def processes(wire, tmp_path):
    p = Processes(wire.settings, tmp_path)
    yield p
    p.close()


def publish(wire, headline: str = "Acme ships"):
    if not any(i.slug == "acme" for i in wire.accounts.issuers()):
        wire.accounts.create_issuer("acme", "Acme Corporation")
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
    r = wire.releases.create(editor, {"issuer": "acme", "headline": headline, "body": "It ships.", "language": "en"})
    return wire.releases.publish(editor, r.id)


def test_workers_sigkilled_again_and_again_deliver_everything_exactly_once(wire, receiver, processes):
    add_webhooks(wire, [receiver.url(f"/k{i}") for i in range(N)])
    receiver.delay.update({f"/k{i}": 0.3 for i in range(N)})  # sends in flight at every kill
    publish(wire)
    tuning = {"lease_seconds": 2}
    live = {name: processes.worker(name, **tuning) for name in ("a", "b")}
    kills = 0
    for k in range(1, 7):  # at every eighth of the way one of them dies mid-send and starts again
        wait_for(lambda k=k: statuses(wire.engine)["delivered"] >= k * N // 8, 120, "progress",
                 list(live.values()))
        name = "ab"[k % 2]
        live[name].send_signal(signal.SIGKILL)
        live[name].wait(10)
        live[name] = processes.worker(name, **tuning)
        kills += statuses(wire.engine)["delivered"] < N
    wait_for(lambda: statuses(wire.engine)["delivered"] == N, 120, "every delivery", list(live.values()))
    assert kills >= 4, "the fan-out finished before the workers could be killed often"
    assert_each_once(rows(wire), receiver.hits, wire.settings)
    for p in live.values():
        assert "stopped: delivered" in graceful(p)


def test_every_connection_cut_mid_fan_out_workers_and_serve_reconnect_and_lose_nothing(wire, receiver,
                                                                                       processes):
    n = 600
    add_webhooks(wire, [receiver.url(f"/c{i}") for i in range(n)])
    receiver.delay.update({f"/c{i}": 0.2 for i in range(n)})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = [processes.worker("w1"), processes.worker("w2"), processes.serve(port, base_url=base)]
    wait_for(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 3, 60, "all three to listen", procs)
    first = publish(wire)
    for round_ in range(3):  # cut everything three times while deliveries are under way
        wait_for(lambda r=round_: statuses(wire.engine)["delivered"] >= (r + 1) * n // 5, 120, "progress", procs)
        wait_for(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 3, 60, "all three to listen", procs)
        assert terminate_backends(wire.engine) >= 3
    wait_for(lambda: statuses(wire.engine)["delivered"] == n, 120, "every delivery after the cuts", procs)

    # serve answers again on fresh connections, and a publish after the cuts is heard through the
    # workers' re-established LISTEN and fanned out too
    wait_for(lambda: _status(f"{base}/api/v1/releases/{first.public_id}") == 200, 60, "serve to answer again", procs)
    wait_for(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 3, 60, "all three to listen again", procs)
    second = publish(wire, "Acme ships again")
    wait_for(lambda: statuses(wire.engine)["delivered"] == 2 * n, 120, "the second fan-out", procs)
    assert _status(f"{base}/api/v1/releases/{second.public_id}") == 200
    assert_each_once(rows(wire), receiver.hits, wire.settings)
    for p in procs[:2]:
        graceful(p)


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.HTTPError:
        return 0


def test_sigterm_drains_and_prints_the_counts(wire, receiver, processes):
    lanes, releases = 10, 4  # one send at a time per endpoint: at SIGTERM each has one in flight, more claimed
    add_webhooks(wire, [receiver.url(f"/t{i}") for i in range(lanes)], max_in_flight=1)
    receiver.delay.update({f"/t{i}": 1.0 for i in range(lanes)})
    for k in range(releases):
        publish(wire, f"Acme ships {k}")
    proc = processes.worker("graceful")
    wait_for(lambda: sum(receiver.active.values()) == lanes, 60, "a send in flight on every lane", [proc])
    line = graceful(proc)
    counts = {k: int(v) for k, v in (part.rsplit(" ", 1) for part in line.split(" stopped: ", 1)[1].split(", "))}
    by_status = statuses(wire.engine)
    assert counts["drained"] == counts["delivered"] == by_status["delivered"] == len(receiver.hits) == lanes
    assert counts["given back"] >= 1 and counts["lease lost"] == counts["dead"] == 0
    assert by_status == {"delivered": lanes, "pending": lanes * (releases - 1)}  # the rest wait, none leased
    assert all(r.leased_by is None for r in rows(wire))
    print(line)
