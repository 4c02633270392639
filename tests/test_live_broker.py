"""The live stream through the real Redis server on this machine (NEWSWIRE_LIVE_BROKER): two
`newswire serve` processes on one SQLite database, which share no events otherwise, each fan out
every event, once and in order, to their readers; Last-Event-ID resume still works; a broken or
foreign message is not sent to anyone."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid

import httpx
import pytest
from redis import asyncio as aioredis

from conftest import auth
from helpers import until
from sse_client import TIMEOUT, Stream, free_port
from test_live_processes import cli, serve, stop
from newswire.workers.live import Filter
from newswire.workers.live_broker import BrokerFeed
from newswire.workers.live_events import LiveEvent

REDIS = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs the Redis server at 127.0.0.1:6379")


def _publish(base: str, key: str, slug: str, headline: str) -> int:
    created = httpx.post(f"{base}/api/v1/releases", headers=auth(key), timeout=TIMEOUT, json={
        "issuer": slug, "headline": headline, "body": "Text.", "language": "en"})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    published = httpx.post(f"{base}/api/v1/releases/{rid}/publish", headers=auth(key), timeout=TIMEOUT)
    assert published.json()["status"] == "published", published.text
    return rid


def test_two_serve_processes_get_every_event_once_in_order_through_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env.update(NEWSWIRE_DATA_DIR=str(tmp_path), NEWSWIRE_LIVE_BROKER=REDIS, NEWSWIRE_BASE_URL="https://wire.example",
               NEWSWIRE_LIVE_BROKER_CHANNEL=f"newswire.test.{uuid.uuid4().hex}")  # this test's own channel
    url = f"sqlite:///{(tmp_path / 'newswire.db').resolve()}"
    cli(["issuer", "create", "bridge", "--name", "Bridge Ltd", "--database-url", url], env)
    key = cli(["apikey", "create", "--role", "editor", "--name", "Desk", "--database-url", url], env)
    ports = free_port(), free_port()
    procs, streams = [], []
    try:
        for port, name in zip(ports, "ab"):
            with open(tmp_path / f"{name}.log", "wb") as log:
                procs.append(serve(env, url, port, log))
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        streams = [Stream(f"{a}/live"), Stream(f"{b}/live"), Stream(f"{b}/live?lang=en")]
        rids = [_publish(a, key, "bridge", "First, through A"), _publish(b, key, "bridge", "Second, through B"),
                _publish(a, key, "bridge", "Third, through A")]
        got = [s.events(3) for s in streams]
        for events in got:
            assert [e["data"]["id"] for e in events] == rids  # every event, in order
            assert [e["event"] for e in events] == ["release.published"] * 3
        ids = [e["id"] for e in got[0]]
        assert all([e["id"] for e in events] == ids for events in got) and ids == sorted(ids)
        assert got[1][1]["data"]["headline"] == "Second, through B"
        # Once each: the next thing every reader gets is the next event, not an echo of an earlier one.
        fourth = _publish(b, key, "bridge", "Fourth, through B")
        assert [s.event()["data"]["id"] for s in streams] == [fourth] * 3
        resumed = Stream(f"{b}/live", {"Last-Event-ID": str(ids[0])})
        streams.append(resumed)
        assert [e["data"]["id"] for e in resumed.events(3)] == rids[1:] + [fourth]
    finally:
        for s in streams:
            s.close()
        for proc in procs:
            stop(proc)


class _Hub:
    def __init__(self):
        self.offered: list[LiveEvent] = []
        self.lost = self.back = 0

    def offer(self, ev):
        self.offered.append(ev)

    def on_lost(self):
        self.lost += 1

    def on_reconnect(self):
        self.back += 1


def test_the_feed_hands_over_only_well_formed_events():
    channel = f"newswire.test.{uuid.uuid4().hex}"
    good = LiveEvent(id=7, release_id=3, event="release.published", language="en", industries=frozenset(),
                     regions=frozenset({"DE"}), issuer="acme",
                     frame=b'id: 7\nevent: release.published\ndata: {"id":3}\n\n')
    forged = good.encode().replace(b"data: ", b"data: x\\n\\nid: 8\\nevent: release.published\\ndata: ")

    async def run():
        hub = _Hub()
        feed = BrokerFeed(REDIS, channel, hub)
        await feed.start()
        redis = aioredis.Redis.from_url(REDIS)
        try:
            assert feed.subscribed.is_set() and hub.lost == 1 and hub.back == 1  # caught up once subscribed
            for message in (b"not json", forged, good.encode()):
                await redis.publish(channel, message)
            await until(lambda: hub.offered, "the well-formed event")
        finally:
            await redis.aclose()
            await feed.stop()
        return hub.offered

    assert asyncio.run(run()) == [good]
    assert LiveEvent.decode(good.encode()) == good
    assert Filter(region="DE").matches(good) and not Filter(region="FR").matches(good)
