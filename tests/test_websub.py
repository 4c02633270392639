"""WebSub hub: discovery, subscribe-verify-notify against a real callback server, signatures,
unsubscription, leases and refused requests."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac

import feedparser
import pytest
import sqlalchemy as sa
from lxml import etree
from yarl import URL

from callback_server import CallbackServer
from fastapi.testclient import TestClient
from helpers import audit_actions, rewire, snapshot
from newswire.web.app import create_app
from newswire.services import websub as websub_hub
from newswire.distribution.channels.websub import WebSubChannel
from newswire.distribution.secrets import decrypt
from newswire.domain.subscriptions import Channel
from newswire.storage import subscribers as subs
from newswire.storage.tables import deliveries, endpoints
from ssrf_cases import REFUSED

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
HUB = "http://testserver/websub"
FEEDS = "http://testserver/feeds/"
DAY = dt.timedelta(days=1)


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True, retry_schedule="60")


@pytest.fixture
def callback():
    server = CallbackServer()
    yield server
    server.close()


@pytest.fixture
def publish(wire, keys, sample, clock):
    clock.set(T0)
    editor = wire.accounts.authenticate(keys["editor"])

    def _publish(**fields):
        return wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme", **fields}).id)
    return _publish


def hub(client, mode, topic, callback, **extra):
    data = {"hub.mode": mode, "hub.topic": topic, "hub.callback": callback}
    return client.post("/websub", data={**data, **{f"hub.{k}": v for k, v in extra.items()}})


def row(wire, topic, callback):
    with wire.engine.connect() as conn:
        return subs.websub_endpoint(conn, topic, callback)


def ledger(wire) -> list[tuple[int, str]]:
    with wire.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(deliveries.c.endpoint_id, deliveries.c.status)
                                               .order_by(deliveries.c.id))]


def deliver(wire) -> None:
    """Run a real delivery worker until nothing is due."""
    def due() -> bool:
        with wire.engine.connect() as conn:
            return bool(conn.execute(sa.select(sa.func.count()).select_from(deliveries).where(
                deliveries.c.status == "pending", deliveries.c.next_attempt_at <= wire.clock())).scalar())

    async def run():
        worker = wire.delivery_worker("test", channels={"websub": wire.channels()["websub"]}, idle=0.05)
        task = asyncio.create_task(worker.run())
        while await asyncio.to_thread(due):
            await asyncio.sleep(0.05)
        worker.stop()
        await task
    asyncio.run(asyncio.wait_for(run(), 60))


def test_feeds_advertise_hub_and_self(client):
    for kind in ("rss", "atom", "json"):
        resp = client.get(f"/feeds/en.{kind}", params={"region": "de"})
        self_url = f"{FEEDS}en.{kind}?region=DE"
        assert (resp.links["hub"]["url"], resp.links["self"]["url"]) == (HUB, self_url)  # the Link header
        if kind == "json":
            f = resp.json()
            assert (f["hubs"], f["feed_url"]) == ([{"type": "WebSub", "url": HUB}], self_url)
            continue
        links = etree.fromstring(resp.content).iter("{http://www.w3.org/2005/Atom}link")
        assert {(el.get("rel"), el.get("href")) for el in links if el.get("rel") != "alternate"} == {
            ("hub", HUB), ("self", self_url)}
        assert not feedparser.parse(resp.content).bozo


def test_subscribe_verifies_intent_and_sets_the_lease(client, wire, clock, callback):
    clock.set(T0)
    cb, given = callback.url("/cb?id=7"), FEEDS + "en.atom?industry=medtop:04000000"
    resp = hub(client, "subscribe", given, cb, lease_seconds="86400", secret="s3cret")
    assert resp.status_code == 202 and resp.headers["content-type"].startswith("text/plain")
    (get,) = callback.got("GET", "/cb")
    q = get["query"]  # the callback's own query string survives (§5.1.1)
    assert (q["id"], q["hub.mode"], q["hub.topic"], q["hub.lease_seconds"]) == ("7", "subscribe", given, "86400")
    assert len(q["hub.challenge"]) > 20
    topic = FEEDS + "en.atom?industry=medtop:04000000"  # stored as the feed's self URL
    sub = row(wire, topic, cb)
    assert (sub.status, sub.expires_at, sub.subscriber_id) == ("active", T0 + DAY, None)
    assert decrypt(wire.settings, sub.secret_enc) == "s3cret"
    # A renewal replaces lease and secret; leases are clamped to the hub's bounds.
    clock.advance(hours=1)
    for asked, lease, secret in (("5", websub_hub.MIN_LEASE, "other"), ("9" * 5000, websub_hub.MAX_LEASE, None)):
        assert hub(client, "subscribe", given, cb, lease_seconds=asked, secret=secret or "").status_code == 202
        sub = row(wire, topic, cb)
        assert sub.expires_at == T0 + dt.timedelta(hours=1, seconds=lease)
        assert (decrypt(wire.settings, sub.secret_enc) if sub.secret_enc else None) == secret
    assert hub(client, "subscribe", FEEDS + "de.rss", callback.url("/d")).status_code == 202
    assert row(wire, FEEDS + "de.rss", callback.url("/d")).expires_at == \
        T0 + dt.timedelta(hours=1, seconds=websub_hub.DEFAULT_LEASE)


def test_failed_verification_changes_nothing(client, wire, clock, callback):
    clock.set(T0)
    topic = FEEDS + "en.rss"
    for path in ("/wrong", "/deny"):
        assert hub(client, "subscribe", topic, callback.url(path)).status_code == 202
        assert len(callback.got("GET", path)) == 1 and row(wire, topic, callback.url(path)) is None
    # An active subscription whose renewal (or unsubscription) fails stays as it was (§5.1).
    cb = callback.url("/deny-later")
    with wire.db.transaction() as conn:
        subs.create_endpoint(conn, subscriber_id=None, channel=Channel.WEBSUB, address=cb, topic=topic,
                             now=T0, expires_at=T0 + DAY)
    assert hub(client, "subscribe", topic, cb, lease_seconds="999999").status_code == 202
    assert hub(client, "unsubscribe", topic, cb).status_code == 202
    assert len(callback.got("GET", "/deny-later")) == 2
    assert (row(wire, topic, cb).status, row(wire, topic, cb).expires_at) == ("active", T0 + DAY)


@pytest.mark.parametrize("form", [
    {"hub.mode": "publish"}, {"hub.mode": None}, {"hub.callback": "ftp://127.0.0.1/cb"}, {"hub.callback": None},
    {"hub.topic": "http://testserver/en/"}, {"hub.topic": "http://elsewhere.example/feeds/en.rss"},
    {"hub.topic": FEEDS + "xx.rss"}, {"hub.topic": FEEDS + "en.rss?industry=medtop:99999999"},
    {"hub.topic": FEEDS + "en.rss?issuer=nobody"},
    {"hub.lease_seconds": "ten days"}, {"hub.lease_seconds": "0"}, {"hub.lease_seconds": "²"},
    {"hub.secret": "x" * 200},
])
def test_bad_requests_are_refused_in_plain_text(client, wire, callback, form):
    data = {"hub.mode": "subscribe", "hub.topic": FEEDS + "en.rss", "hub.callback": callback.url("/")}
    before = snapshot(wire.engine)
    resp = client.post("/websub", data={k: v for k, v in {**data, **form}.items() if v is not None})
    assert resp.status_code == 400 and resp.headers["content-type"].startswith("text/plain") and resp.text.strip()
    assert snapshot(wire.engine) == before and callback.requests == []


def test_private_callbacks_and_other_content_types_are_refused(wire, callback):
    client = TestClient(create_app(rewire(wire, webhook_allow_private=False)))
    resp = hub(client, "subscribe", FEEDS + "en.rss", callback.url("/"))
    assert resp.status_code == 400 and "127.0.0.1" in resp.text
    assert hub(client, "subscribe", FEEDS + "en.rss", "http://169.254.169.254/x").status_code == 400
    assert client.post("/websub", json={"hub.mode": "subscribe"}).status_code == 415
    assert callback.requests == []


def test_callbacks_are_judged_by_the_address_they_reach(wire, callback):
    """The refused forms, at the callback server's port: were one let through, the hub would call it,
    and those that reach 127.0.0.1 (IPv4-mapped, the numeric spellings) would be recorded there."""
    client = TestClient(create_app(rewire(wire, webhook_allow_private=False)))
    port = URL(callback.base).port
    before = snapshot(wire.engine)
    for url, shown in REFUSED + [("http://localhost/cb", "127.0.0.1")]:
        resp = hub(client, "subscribe", FEEDS + "en.rss", str(URL(url).with_port(port)))
        assert resp.status_code == 400 and shown in resp.text, (url, resp.text)
    assert snapshot(wire.engine) == before and callback.requests == []


def test_publish_pushes_the_topic_feed_once_rendered_and_signed(client, wire, callback, publish, monkeypatch):
    topics = {"/a": FEEDS + "en.atom", "/a2": FEEDS + "en.atom", "/b": FEEDS + "en.rss?region=DE",
              "/c": FEEDS + "de.rss", "/d": FEEDS + "en.json?industry=medtop:15000000"}  # c, d do not match
    for path, topic in topics.items():
        secret = "k3y" if path == "/a" else ""
        assert hub(client, "subscribe", topic, callback.url(path), secret=secret).status_code == 202
    renders = []
    render = WebSubChannel.render
    monkeypatch.setattr(WebSubChannel, "render", lambda self, *a: renders.append(a[2].topic) or render(self, *a))
    r = publish()
    assert len(ledger(wire)) == 3
    deliver(wire)
    assert [s for _, s in ledger(wire)] == ["delivered"] * 3
    assert sorted(renders) == [FEEDS + "en.atom", FEEDS + "en.rss?region=DE"]  # once per topic, not per callback
    assert callback.got("POST", "/c") == callback.got("POST", "/d") == []
    (a,), (a2,), (b,) = (callback.got("POST", p) for p in ("/a", "/a2", "/b"))
    assert a["body"] == a2["body"] == client.get("/feeds/en.atom").content  # exactly what GET on the topic returns
    assert a["headers"]["Content-Type"] == "application/atom+xml"
    assert a["headers"]["X-Hub-Signature"] == "sha256=" + hmac.new(b"k3y", a["body"], hashlib.sha256).hexdigest()
    assert a["headers"]["Link"] == f'<{HUB}>; rel="hub", <{FEEDS}en.atom>; rel="self"'
    assert [e.id for e in feedparser.parse(a["body"]).entries] == [f"http://testserver/releases/{r.public_id}"]
    assert "X-Hub-Signature" not in a2["headers"] and "X-Hub-Signature" not in b["headers"]
    assert b["headers"]["Content-Type"] == "application/rss+xml"
    assert [e.title for e in feedparser.parse(b["body"]).entries] == [r.content.headline]


def test_either_spelling_of_a_topic_is_one_subscription_and_gets_the_push(client, wire, callback, publish):
    """The escaped and the unescaped spelling of a filtered feed name one topic: both subscriptions get
    the push, under the self URL the feed gives itself; the other spelling renews, never duplicates."""
    escaped, plain = FEEDS + "en.rss?industry=medtop%3A04000000", FEEDS + "en.rss?industry=medtop:04000000"
    assert hub(client, "subscribe", escaped, callback.url("/escaped")).status_code == 202
    assert hub(client, "subscribe", plain, callback.url("/plain")).status_code == 202
    assert hub(client, "subscribe", plain, callback.url("/escaped")).status_code == 202  # a renewal
    for path in ("/escaped", "/plain"):
        assert row(wire, plain, callback.url(path)).status == "active"
    with wire.engine.connect() as conn:
        topics = conn.execute(sa.select(endpoints.c.topic).where(endpoints.c.channel == "websub")).scalars()
        assert sorted(topics) == [plain, plain]
    assert client.get(escaped).links["self"]["url"] == plain
    r = publish(industries=["medtop:20000174"])  # narrower than the topic's
    deliver(wire)
    for path in ("/escaped", "/plain"):
        (push,) = callback.got("POST", path)
        assert push["headers"]["Link"] == f'<{HUB}>; rel="hub", <{plain}>; rel="self"'
        f = feedparser.parse(push["body"])
        assert [e.id for e in f.entries] == [f"http://testserver/releases/{r.public_id}"]
        assert {(x.rel, x.href) for x in f.feed.links if x.rel == "self"} == {("self", plain)}


def test_unsubscribe_and_lease_expiry_stop_deliveries(client, wire, clock, callback, publish):
    topic, gone, lapsing = FEEDS + "en.rss", callback.url("/gone"), callback.url("/lapsing")
    hub(client, "subscribe", topic, gone)
    hub(client, "subscribe", topic, lapsing, lease_seconds=str(websub_hub.MIN_LEASE))
    assert hub(client, "unsubscribe", topic, gone).status_code == 202
    assert callback.got("GET", "/gone")[-1]["query"]["hub.mode"] == "unsubscribe"
    assert row(wire, topic, gone).status == "disabled"
    # Every endpoint change is on record, as when an admin makes it.
    trail = [(a, d["callback"]) for a, d in audit_actions(wire, "websub.")]
    assert trail == [("websub.request", gone), ("websub.subscribe", gone), ("websub.request", lapsing),
                     ("websub.subscribe", lapsing), ("websub.unsubscribe", gone)]
    clock.advance(minutes=59)
    publish()
    assert ledger(wire) == [(row(wire, topic, lapsing).id, "pending")]
    deliver(wire)
    clock.advance(minutes=2)  # the lease has run out
    publish(headline="Nobody hears this one")
    assert len(ledger(wire)) == 1
    deliver(wire)
    assert callback.got("POST", "/gone") == [] and len(callback.got("POST", "/lapsing")) == 1


def test_errors_retry_and_410_ends_the_subscription(client, wire, callback, publish):
    topic, cb = FEEDS + "en.rss", callback.url("/cb")
    hub(client, "subscribe", topic, cb)
    callback.post_status = 500
    publish()
    deliver(wire)
    assert ledger(wire) == [(row(wire, topic, cb).id, "pending")]  # due again later
    callback.post_status = 410
    publish(headline="Second")
    deliver(wire)
    assert row(wire, topic, cb).status == "disabled"
    assert [s for _, s in ledger(wire)] == ["cancelled", "dead"]
