"""Operations: /healthz, /readyz (the database, the migrations, the workers), /metrics (deliveries,
the queue, latencies, live readers, caches), and the request id that follows a release from its
submission to its deliveries through the logs and the audit log."""

from __future__ import annotations

import io
import json
import logging
import types

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from conftest import auth
from helpers import internal_id, until_sync
from newswire.domain.events import ListenerLost
from newswire.services.logs import JsonFormatter
from newswire.storage.tables import audit_log
from newswire.web.app import create_app
from sse_client import Stream, running
from webhook_receiver import add_webhook, rows, run_worker


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True)  # (the receiver is on 127.0.0.1)


def samples(client) -> dict[tuple[str, tuple], float]:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def test_healthz_answers_and_every_answer_has_a_request_id(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    made = r.headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"}).headers["x-request-id"] == "lb-7f3a.1"
    for bad in ("has space", "x" * 65, "<script>"):
        assert client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"] != bad
    assert client.get("/api/v1/releases/999999").headers["x-request-id"]  # (errors too)


def test_readyz_checks_the_database_and_its_migrations(client, wire):
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    checks = {c["name"]: c for c in r.json()["checks"]}
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not [n for n in checks if n.startswith("worker:")]  # this process runs none
    with wire.engine.begin() as conn:
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "not ready"
        migrations = next(c for c in r.json()["checks"] if c["name"] == "migrations")
        assert not migrations["ok"] and "0009" in migrations["detail"] and head in migrations["detail"]
    finally:
        with wire.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert client.get("/readyz").status_code == 200


def test_readyz_names_a_worker_that_stopped(wire):
    from helpers import rewire

    w = rewire(wire, run_worker=True)
    app = create_app(w)
    try:
        with TestClient(app) as c:
            r = c.get("/readyz")
            assert r.status_code == 200, r.text
            names = {x["name"]: x["ok"] for x in r.json()["checks"]}
            listener = {"listener": True} if w.engine.dialect.name == "postgresql" else {}
            assert names == {"database": True, "migrations": True, "worker:clock": True, "worker:delivery": True,
                             "worker:translation": True, **listener}
            app.state.runtime.stop_workers()
            until_sync(lambda: c.get("/readyz").status_code == 503, "readiness to fail")
            stopped = {x["name"]: x["detail"] for x in c.get("/readyz").json()["checks"] if not x["ok"]}
            assert "worker:delivery" in stopped and stopped["worker:delivery"] == "stopped"
    finally:
        w.close()


def test_readyz_says_when_the_listener_is_lost_and_back(wire):
    """On PostgreSQL a process that cannot hear other processes' events is not ready until its
    LISTEN connection is back (storage/notify.py reconnects it)."""
    if wire.engine.dialect.name != "postgresql":
        pytest.skip("the listener is PostgreSQL's LISTEN; SQLite has one process")
    from helpers import rewire

    w = rewire(wire, run_worker=False)
    app = create_app(w)
    at_loss = []  # the listener's check at the moment the loss is told (it may heal before a request)
    w.bus.subscribe(ListenerLost, lambda e: at_loss.append(w.ops.ready([], app.state.runtime.listening)[-1]))

    def listener() -> tuple[int, dict]:
        r = c.get("/readyz")
        return r.status_code, next(x for x in r.json()["checks"] if x["name"] == "listener")

    try:
        with TestClient(app) as c:
            until_sync(lambda: listener()[1]["ok"], "the listener to connect")
            with w.engine.begin() as conn:  # cut it, as a database restart would
                cut = conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                           "WHERE datname = current_database() AND query ILIKE 'LISTEN%'")).scalar()
            assert cut >= 1
            until_sync(lambda: at_loss, "the loss to be told")
            assert at_loss[0].name == "listener" and not at_loss[0].ok and "not listening" in at_loss[0].detail
            until_sync(lambda: listener() == (200, {"name": "listener", "ok": True,
                                                    "detail": "hears other processes' events (LISTEN)"}),
                       "the listener to come back", timeout=60)
    finally:
        w.close()


def test_metrics_count_deliveries_the_queue_and_latencies(client, wire, publish, receiver, clock):
    wire.metrics.ledger_ttl = 0  # (counted afresh on each scrape here)
    add_webhook(wire, receiver.url("/hook"))
    r = publish()
    clock.advance(seconds=42)  # nothing sends yet: one delivery waits
    m = samples(client)
    assert m[("newswire_delivery_queue_depth", ())] == 1
    assert 41 <= m[("newswire_delivery_oldest_due_age_seconds", ())] <= 43
    assert m[("newswire_ledger_deliveries", (("channel", "webhook"), ("status", "pending")))] == 1

    run_worker(wire, lambda: rows(wire, release_id=r.id)[0].status == "delivered")
    m = samples(client)
    assert m[("newswire_deliveries_total", (("channel", "webhook"), ("outcome", "delivered")))] == 1
    assert m[("newswire_delivery_send_seconds_count", (("channel", "webhook"),))] == 1
    assert m[("newswire_delivery_latency_seconds_count", (("channel", "webhook"),))] == 1
    assert 41 <= m[("newswire_delivery_latency_seconds_sum", (("channel", "webhook"),))] <= 43  # the test's clock
    assert m[("newswire_ledger_deliveries", (("channel", "webhook"), ("status", "delivered")))] == 1
    assert ("newswire_ledger_deliveries", (("channel", "webhook"), ("status", "pending"))) not in m
    assert m[("newswire_delivery_queue_depth", ())] == 0 and m[("newswire_delivery_oldest_due_age_seconds", ())] == 0


def test_metrics_report_a_registered_cache_and_live_readers(app, wire):
    wire.metrics.register_cache("pages", types.SimpleNamespace(hits=3, misses=1))
    with running(app) as base:
        with TestClient(app) as plain:
            m = samples(plain)
            assert m[("newswire_cache_hit_ratio", (("cache", "pages"),))] == 0.75
            assert m[("newswire_cache_requests_total", (("cache", "pages"), ("result", "hit")))] == 3
        import httpx

        def readers() -> float:
            text = httpx.get(f"{base}/metrics").text
            return next(s.value for f in text_string_to_metric_families(text) for s in f.samples
                        if s.name == "newswire_live_readers")

        assert readers() == 0
        streams = [Stream(f"{base}/live"), Stream(f"{base}/live?lang=de")]
        assert readers() == 2
        for s in streams:
            s.close()
        until_sync(lambda: readers() == 0, "the readers to be gone")


def _json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("newswire")
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    def done() -> None:
        root.removeHandler(handler)
        root.setLevel(old)

    return lines, done



def test_a_request_id_follows_a_release_from_submission_to_its_delivery(client, wire, keys, sample, receiver):
    add_webhook(wire, receiver.url("/hook"))
    lines, done = _json_lines()
    try:
        def call(path: str, key: str, request_id: str, **kw):
            r = client.post(path, headers={**auth(keys[key]), "X-Request-ID": request_id}, **kw)
            assert r.status_code < 300, r.text
            assert r.headers["x-request-id"] == request_id
            return r.json()

        pid = call("/api/v1/releases", "acme", "rq-create", json={**sample, "issuer": "acme"})["id"]
        rid = internal_id(wire, pid)  # (the audit log, the ledger and the logs are internal: the row's number)
        call(f"/api/v1/releases/{pid}/submit", "acme", "rq-submit")
        call(f"/api/v1/releases/{pid}/approve", "editor", "rq-approve")
        call(f"/api/v1/releases/{pid}/publish", "editor", "rq-publish")
        run_worker(wire, lambda: rows(wire, release_id=rid)[0].status == "delivered")  # (started after the event)
        logged = lines()
    finally:
        done()
    with wire.engine.connect() as conn:
        audited = conn.execute(sa.select(audit_log.c.action, audit_log.c.request_id)
                               .where(audit_log.c.release_id == rid).order_by(audit_log.c.id)).all()
    assert [tuple(a) for a in audited] == [("release.create", "rq-create"), ("release.submit", "rq-submit"),
                                           ("release.approve", "rq-approve"), ("release.publish", "rq-publish")]
    actions = [(x["action"], x["request_id"]) for x in logged if x["logger"] == "newswire.audit"
               and x["release_id"] == rid]
    assert actions == [tuple(a) for a in audited]
    deliveries = [x for x in logged if x["logger"] == "newswire.delivery"]
    assert len(deliveries) == 1
    assert deliveries[0]["request_id"] == "rq-publish" and deliveries[0]["release_id"] == rid
    assert deliveries[0]["outcome"] == "delivered" and deliveries[0]["status_code"] == 204
    http = [x for x in logged if x["logger"] == "newswire.http" and x["request_id"] == "rq-publish"]
    assert [(x["method"], x["status"]) for x in http] == [("POST", 200)]


def test_a_scheduled_release_goes_out_under_its_scheduling_request(client, wire, keys, sample, receiver, clock):
    add_webhook(wire, receiver.url("/hook"))
    pid = client.post("/api/v1/releases", headers=auth(keys["editor"]), json={**sample, "issuer": "acme"}).json()["id"]
    rid = internal_id(wire, pid)
    when = (clock() + __import__("datetime").timedelta(minutes=5)).isoformat()
    r = client.post(f"/api/v1/releases/{pid}/publish", headers={**auth(keys["editor"]), "X-Request-ID": "rq-sched"},
                    json={"embargo_until": when})
    assert r.json()["status"] == "scheduled", r.text
    clock.advance(minutes=6)
    assert wire.releases.release_due() == [rid]  # (the clock's job, outside any request)
    with wire.engine.connect() as conn:
        by = dict(conn.execute(sa.select(audit_log.c.action, audit_log.c.request_id)
                               .where(audit_log.c.release_id == rid)).all())
    assert by["release.schedule"] == by["release.publish"] == "rq-sched"
