"""The deployment of docs/deployment.md in miniature: 2 `newswire serve --no-worker` and 2
`newswire worker` processes on one PostgreSQL database. A release published through one serve
reaches a live-stream reader on each; its fan-out reaches every webhook once in the ledger; a
scheduled release fires exactly once with two release clocks running."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from conftest import auth
from helpers import internal_id, postgres_listeners, until_sync
from newswire.bootstrap import build
from newswire.config import Settings
from newswire.storage import notify
from newswire.storage.tables import audit_log, stream_events
from sse_client import TIMEOUT, Stream, free_port
from test_live_processes import stop
from webhook_receiver import add_webhooks, rows, webhook_id

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).resolve().parents[1]
N = 40  # webhook subscribers


@pytest.fixture
def wire(postgres_url, empty_postgres, tmp_path):
    empty_postgres()
    w = build(Settings(data_dir=tmp_path / "data", database_url=postgres_url, webhook_allow_private=True,
                       secret_key=Fernet.generate_key().decode(), run_worker=False), migrate=False)
    yield w
    w.close()


@pytest.fixture
def processes(wire, tmp_path):
    procs: list[subprocess.Popen] = []
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}, "PYTHONPATH": str(ROOT),
           "NEWSWIRE_DATA_DIR": str(tmp_path / "data"), "NEWSWIRE_SECRET_KEY": wire.settings.secret_key,
           "NEWSWIRE_WEBHOOK_ALLOW_PRIVATE": "1", "NEWSWIRE_DATABASE_URL": wire.settings.database_url,
           "NEWSWIRE_LOG_FORMAT": "json"}

    def start(name: str, *args: str) -> subprocess.Popen:
        with open(tmp_path / f"{name}.log", "wb") as log:
            p = subprocess.Popen([sys.executable, "-m", "newswire.cli", *args], env=env, stdout=log,
                                 stderr=subprocess.STDOUT, cwd=tmp_path)
        procs.append(p)
        return p

    yield start
    for p in procs:
        stop(p)


def test_two_serve_and_two_worker_processes(wire, processes, receiver, tmp_path):
    wire.accounts.create_issuer("acme", "Acme Corporation")
    key = wire.accounts.create_api_key("editor", "Desk")
    add_webhooks(wire, [receiver.url(f"/o{i}") for i in range(N)])
    ports = [free_port(), free_port()]
    procs = [processes(f"serve{i}", "serve", "--no-worker", "--port", str(p)) for i, p in enumerate(ports)]
    procs += [processes(f"worker{i}", "worker", "--id", f"w{i}") for i in range(2)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]

    def up() -> bool:
        assert all(p.poll() is None for p in procs), "a process exited"
        try:
            ready = all(httpx.get(f"{b}/readyz", timeout=2).status_code == 200 for b in bases)
        except httpx.HTTPError:
            return False
        return ready and postgres_listeners(wire.engine, notify.CHANNEL) == 4

    until_sync(up, "four processes up and listening", timeout=90)
    streams = [Stream(f"{b}/live?issuer=acme") for b in bases]
    try:
        editor = {**auth(key), "X-Request-ID": "deploy-1"}
        made = httpx.post(f"{bases[0]}/api/v1/releases", headers=editor, timeout=TIMEOUT,
                          json={"issuer": "acme", "headline": "Acme runs on many machines", "body": "It does.",
                                "language": "en"}).json()
        assert httpx.post(f"{bases[0]}/api/v1/releases/{made['id']}/publish", headers=editor,
                          timeout=TIMEOUT).json()["status"] == "published"
        heard = [s.event() for s in streams]  # the live stream: a reader on each serve
        assert {(e["event"], e["data"]["id"]) for e in heard} == {("release.published", made["id"])}
        fanned_out_once(wire, receiver, internal_id(wire, made["id"]), procs)

        when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=3)
        later = httpx.post(f"{bases[1]}/api/v1/releases", headers=editor, timeout=TIMEOUT,
                           json={"issuer": "acme", "headline": "Acme at the embargo", "body": "Now.",
                                 "language": "en"}).json()
        scheduled = httpx.post(f"{bases[1]}/api/v1/releases/{later['id']}/publish", headers=editor, timeout=TIMEOUT,
                               json={"embargo_until": when.isoformat()}).json()
        assert scheduled["status"] == "scheduled"
        heard = [s.event() for s in streams]  # (each reader: the scheduled release, once, and nothing else)
        assert {(e["event"], e["data"]["id"]) for e in heard} == {("release.published", later["id"])}
        later_id = internal_id(wire, later["id"])
        fanned_out_once(wire, receiver, later_id, procs)
        with wire.engine.connect() as conn:
            publishes = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(
                audit_log.c.release_id == later_id, audit_log.c.action == "release.publish")).scalar_one()
            events = conn.execute(sa.select(sa.func.count()).select_from(stream_events).where(
                stream_events.c.release_id == later_id)).scalar_one()
        assert publishes == 1 and events == 1, "the scheduled release fired more than once"
    finally:
        for s in streams:
            s.close()
    logs = "".join((tmp_path / f"worker{i}.log").read_text() for i in range(2))
    assert '"request_id": "deploy-1"' in logs  # the deliveries' log lines carry the publishing request's id


def fanned_out_once(wire, receiver, release_id: int, procs) -> None:
    def delivered() -> bool:
        assert all(p.poll() is None for p in procs), "a process exited"
        mine = rows(wire, release_id=release_id)
        return len(mine) == N and all(r.status == "delivered" for r in mine)

    until_sync(delivered, f"release {release_id}'s {N} deliveries", timeout=90)
    mine = rows(wire, release_id=release_id)
    assert all(r.attempts == 1 for r in mine)
    ids = {webhook_id(wire.settings, r.id) for r in mine}
    seen = Counter(h.headers["webhook-id"] for h in receiver.hits if h.headers["webhook-id"] in ids)
    assert set(seen) == ids and set(seen.values()) == {1}, "a delivery was sent twice or not at all"
    assert {r.leased_by for r in mine} <= {None}
