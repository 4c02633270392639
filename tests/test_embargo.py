"""The release clock: scheduled releases go live on time, exactly once, and after a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

from fastapi.testclient import TestClient

from conftest import auth
from helpers import rewire
from newswire.storage import audit


def schedule(wire, keys, sample, seconds: float):
    editor = wire.accounts.authenticate(keys["editor"])
    when = wire.clock() + dt.timedelta(seconds=seconds)
    r = wire.releases.create(editor, {**sample, "issuer": "acme", "embargo_until": when.isoformat()})
    r = wire.releases.publish(editor, r.id)
    assert r.status.value == "scheduled"
    return r


def publishes(wire, release_id) -> int:
    with wire.engine.connect() as conn:
        return sum(1 for h in audit.for_release(conn, release_id) if h["action"] == "release.publish")


def test_goes_live_within_a_second_of_its_time(wire, keys, sample):
    r = schedule(wire, keys, sample, 1.5)

    async def run():
        clock = wire.release_clock()
        task = asyncio.create_task(clock.run())
        while wire.listings.public(r.id) is None:
            assert dt.datetime.now(dt.timezone.utc) < r.embargo_until + dt.timedelta(seconds=10)
            await asyncio.sleep(0.05)
        clock.stop()
        await task

    assert wire.listings.public(r.id) is None  # not a moment early
    asyncio.run(run())
    live = wire.listings.public(r.id)
    assert live.published_at >= r.embargo_until
    assert live.published_at - r.embargo_until < dt.timedelta(seconds=1)


def test_nothing_is_visible_before_the_time(client, wire, keys, sample, clock):
    clock.set(dt.datetime.now(dt.timezone.utc))
    r = schedule(wire, keys, sample, 3600)
    clock.advance(minutes=59)
    assert wire.releases.release_due() == []
    assert client.get(f"/api/v1/releases/{r.public_id}").status_code == 404
    assert client.get("/api/v1/releases").json()["items"] == []
    clock.advance(minutes=1, seconds=1)
    assert wire.releases.release_due() == [r.id]
    assert client.get(f"/api/v1/releases/{r.public_id}").status_code == 200


def test_a_release_due_while_the_service_was_down_goes_out_at_start_up(wire, keys, sample, settings, clock):
    clock.set(dt.datetime.now(dt.timezone.utc))
    r = schedule(wire, keys, sample, 3600)
    clock.advance(hours=1, seconds=1)  # the service is "down": nothing runs the clock
    assert wire.listings.public(r.id) is None
    from newswire.web.app import create_app

    with TestClient(create_app(rewire(wire, run_worker=True))) as c:
        deadline = time.monotonic() + 10
        while c.get(f"/api/v1/releases/{r.public_id}").status_code != 200:
            assert time.monotonic() < deadline, "the release did not go out at start-up"
            time.sleep(0.05)
    assert publishes(wire, r.id) == 1


def test_racing_clocks_publish_once(wire, keys, sample, clock):
    clock.set(dt.datetime.now(dt.timezone.utc))
    ids = [schedule(wire, keys, {**sample, "headline": f"Release {i}"}, 60).id for i in range(5)]
    clock.advance(minutes=2)
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        wire.releases.release_due()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [publishes(wire, i) for i in ids] == [1] * 5


def test_publish_endpoint_wakes_the_in_process_clock(wire, keys, sample, settings):
    from newswire.web.app import create_app

    served = rewire(wire, run_worker=True, scheduler_tick=30)  # only a poke can wake it in time
    editor_headers = auth(keys["editor"])
    with TestClient(create_app(served)) as c:
        rid = c.post("/api/v1/releases", json={**sample, "issuer": "acme"}, headers=editor_headers).json()["id"]
        when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
        res = c.post(f"/api/v1/releases/{rid}/publish", json={"embargo_until": when.isoformat()},
                     headers=editor_headers)
        assert res.json()["status"] == "scheduled"
        deadline = time.monotonic() + 10
        while c.get(f"/api/v1/releases/{rid}").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
