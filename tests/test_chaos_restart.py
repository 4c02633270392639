"""PostgreSQL itself restarted in the middle of a fan-out (`pg_ctl stop -m fast`; once `serve`'s
`/readyz` answers 503, `pg_ctl start`), on a private server of the test's own (tests/pgcluster.py),
so the shared one the other tests use is never touched: real `newswire worker` processes and a
real `newswire serve` reconnect and finish, nothing is lost. bench/chaos.py --restart-postgres runs
the same at 20,000 deliveries (`pg_ctl restart -m fast`, or `--down SECONDS`).

At the restart, sends are in flight (the receiver answers some paths only seconds later), outcomes
wait to be written and rows are leased; every session, LISTEN included, ends at once. Afterwards:
every row delivered and recorded once, every webhook-id seen (repeats only under the same id),
`/readyz` ready again, a release published after the restart reaches a reader of `serve`'s live
stream through its re-established LISTEN and is fanned out, and a release scheduled before the
restart and due after it fires exactly once with two release clocks running.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from chaos_kit import Processes, assert_each_once, free_port, graceful, statuses, wait_for
from helpers import postgres_listeners
from newswire.bootstrap import build
from newswire.config import Settings
from newswire.storage import db, notify
from newswire.storage.tables import audit_log, stream_events
from pgcluster import Cluster, skip_reason
from sse_client import Stream
from webhook_receiver import add_webhooks, rows

pytestmark = [pytest.mark.timeout(300), pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")]
N = 300  # webhook endpoints: three fan-outs of N (CI size; bench/chaos.py --restart-postgres --n 20000)
EMBARGO = 15  # seconds from just before the restart to the scheduled release's time


@pytest.fixture
def cluster():
    with Cluster() as pg:
        yield pg


@pytest.fixture
def wire(cluster, tmp_path):
    url = cluster.create_database("newswire")
    db.upgrade(url)
    w = build(Settings(data_dir=tmp_path / "data", database_url=url, webhook_allow_private=True,
                       secret_key=Fernet.generate_key().decode(), run_worker=False), migrate=False)
    yield w
    w.close()


@pytest.fixture
def processes(wire, tmp_path):
    p = Processes(wire.settings, tmp_path)
    yield p
    p.close()


def release(wire, headline: str, embargo: dt.datetime | None = None):
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
    r = wire.releases.create(editor, {"issuer": "acme", "headline": headline, "body": "It ships.", "language": "en"})
    return wire.releases.publish(editor, r.id, embargo.isoformat() if embargo else None)


def test_postgres_restarted_mid_fan_out_workers_and_serve_reconnect_and_lose_nothing(cluster, wire, receiver,
                                                                                    processes):
    wire.accounts.create_issuer("acme", "Acme Corporation")
    add_webhooks(wire, [receiver.url(f"/r{i}") for i in range(N)])
    # answers after 0.2 … 3.8 s: when a fifth is recorded, most sends are still out, and some of
    # them are answered while the server is down (their outcomes wait for a new connection)
    receiver.delay.update({f"/r{i}": 0.2 + 0.4 * (i % 10) for i in range(N)})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # a lease longer than a job may wait to start (half of it) plus the slowest answer, so only the
    # restart can make a send go out twice; short enough that a claim whose commit was lost with
    # its connection (the rows leased to a worker that never heard so) is taken again soon
    lease = {"lease_seconds": 10}
    procs = [processes.worker("w1", **lease), processes.worker("w2", **lease), processes.serve(port, base_url=base)]
    wait_for(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 3 and _status(f"{base}/readyz") == 200,
             90, "two workers and serve up and listening", procs)
    stream = Stream(f"{base}/live?issuer=acme")
    try:
        first = release(wire, "Acme ships")
        assert _heard(stream, 1) == {first.public_id}
        wait_for(lambda: statuses(wire.engine)["delivered"] >= N // 5, 120, "a fifth delivered", procs)
        due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=EMBARGO)
        scheduled = release(wire, "Acme at the embargo", due)
        assert scheduled.status == "scheduled"
        in_flight = sum(receiver.active.values())
        cluster.stop()  # pg_ctl stop -m fast: every session of every process ends
        wait_for(lambda: _status(f"{base}/readyz") == 503, 30, "serve to say it is not ready", procs)
        cluster.start()  # (the workers' sends went on meanwhile; their outcomes wait)
        assert in_flight > 0, "the fan-out was not under way at the restart"
        assert dt.datetime.now(dt.timezone.utc) < due, "the restart outlasted the embargo: nothing to prove"

        wait_for(lambda: statuses(wire.engine)["delivered"] == N, 120, "every delivery after the restart", procs)
        wait_for(lambda: _status(f"{base}/readyz") == 200, 60, "serve ready again", procs)
        wait_for(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 3, 60, "all three to listen again", procs)
        second = release(wire, "Acme ships after the restart")  # heard by serve only through its new LISTEN
        assert _heard(stream, 2) == {second.public_id, scheduled.public_id}  # (the scheduled one at its time, in either order)
    finally:
        stream.close()
    wait_for(lambda: statuses(wire.engine)["delivered"] == 3 * N, 120, "the later fan-outs", procs)
    assert _status(f"{base}/api/v1/releases/{second.public_id}") == 200

    ledger = rows(wire)
    assert Counter(r.release_id for r in ledger) == {first.id: N, second.id: N, scheduled.id: N}
    assert all(r.delivered_at is not None and r.last_status_code == 204 for r in ledger)
    assert_each_once(ledger, receiver.hits, wire.settings)
    assert _fired(wire, scheduled.id) == (1, 1), "the scheduled release fired more than once"
    for p in procs[:2]:
        assert "stopped: delivered" in graceful(p)


def _heard(stream: Stream, n: int) -> set[str]:
    """The release (public) ids of the next ``n`` events on ``stream`` (each a publication)."""
    events = stream.events(n)
    assert {e["event"] for e in events} == {"release.published"}
    return {e["data"]["id"] for e in events}


def _fired(wire, release_id: int) -> tuple[int, int]:
    """(publish audit records, stream events) of one release."""
    with wire.engine.connect() as conn:
        publishes = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(
            audit_log.c.release_id == release_id, audit_log.c.action == "release.publish")).scalar_one()
        events = conn.execute(sa.select(sa.func.count()).select_from(stream_events).where(
            stream_events.c.release_id == release_id)).scalar_one()
    return publishes, events


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.HTTPError:
        return 0
