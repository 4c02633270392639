"""Distribution reports: a release sent to real webhook receivers (some failing, one answering 410)
and a real SMTP server (one recipient bouncing); the report's numbers are what the receivers got,
the CSV is the ledger, the PDF holds the headline, totals and charts; opens and clicks through the
real HTTP endpoints; a deleted subscriber's deliveries still counted; who may see what."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import auth
from helpers import until_sync, publish as publish_release
from pypdf import PdfReader
from smtp_sink import add_journalist
from callback_server import CallbackServer
from sse_client import Stream, running
from webhook_receiver import Receiver, add_webhook, rows

from newswire.distribution.channels.email import EmailChannel
from newswire.distribution.channels.webhook import WebhookChannel
from newswire.domain.models import SYSTEM
from newswire.storage import deliveries as ledger


@pytest.fixture
def settings(settings, smtp):
    return settings.with_overrides(webhook_allow_private=True, smtp_url=f"smtp://127.0.0.1:{smtp.port}",
                                   mail_from="Newswire <wire@newswire.test>")


def settle(wire):
    """Run a delivery worker (webhook and e-mail) until nothing is due at the wire's clock."""
    def settled() -> bool:
        with wire.engine.connect() as conn:
            due = ledger.next_due(conn)
        return due is None or due > wire.clock()

    async def go():
        worker = wire.delivery_worker("test-worker", idle=0.05, channels={
            "webhook": WebhookChannel(wire.settings), "email": EmailChannel(wire.settings)})
        task = asyncio.create_task(worker.run())
        try:
            while not await asyncio.to_thread(settled):
                assert not task.done(), task.result()
                await asyncio.sleep(0.05)
        finally:
            worker.stop()
            await task

    asyncio.run(asyncio.wait_for(go(), 60))


@pytest.fixture
def sent(wire, keys, editor, sample, smtp):
    with Receiver() as r:
        r.plan["/fail"] = [500] * 10
        r.plan["/gone"] = [410]
        hooks = {p: add_webhook(wire, r.url(p))[0] for p in ("/ok1", "/ok2", "/fail", "/gone")}
        smtp.refuse = {"nobody@paper.test": "550 5.1.1 No such user"}
        mails = {a: add_journalist(wire, a)[0] for a in ("ada@paper.test", "bob@paper.test", "nobody@paper.test")}
        release = publish_release(wire, editor, sample)
        settle(wire)
        yield {"release": release, "receiver": r, "hooks": hooks, "mails": mails, "smtp": smtp}


def report(client, keys, release_id, who="acme"):
    r = client.get(f"/api/v1/releases/{release_id}/report", headers=auth(keys[who]))
    assert r.status_code == 200, r.text
    return r.json()


def listed(client, keys, release_id, query) -> list[dict]:
    r = client.get(f"/api/v1/releases/{release_id}/deliveries", params={**query, "limit": 500},
                   headers=auth(keys["acme"]))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_the_report_is_what_the_receivers_got(client, wire, keys, sent):
    rid, r, smtp = sent["release"].id, sent["receiver"], sent["smtp"]
    doc = report(client, keys, rid)
    hooks = doc["channels"]["webhook"]
    answered_2xx = {h.path for h in r.hits if h.path in ("/ok1", "/ok2")}
    assert hooks["delivered"]["count"] == len(answered_2xx) == 2
    assert hooks["failed"]["count"] == 1  # /fail answered 500: retrying
    assert hooks["dead"]["count"] == 1  # /gone answered 410
    assert hooks["targeted"]["count"] == 4 == len(sent["hooks"])
    mail = doc["email"]
    assert mail["delivered"]["count"] == len(smtp.received) == 2
    assert mail["bounced"]["count"] == 1
    assert "image" in mail["caveat"]
    with wire.engine.connect() as conn:  # the hard bounce disabled the address
        from newswire.storage import subscribers as subs
        assert subs.get_endpoint_row(conn, sent["mails"]["nobody@paper.test"]).status == "disabled"
    assert doc["totals"]["targeted"]["count"] == 7
    # every count is the length of the delivery list its query names
    for group in (doc["channels"]["webhook"], doc["channels"]["email"], doc["totals"], *doc["regions"].values(),
                  *doc["languages"].values()):
        for c in group.values():
            assert len(listed(client, keys, rid, c["query"])) == c["count"], c
    assert doc["latency"]["webhook"]["delivered"] == 2 and doc["latency"]["webhook"]["max"] is not None
    assert len(doc["timeline"]["email"]) == 2
    assert doc["pickups"]["acknowledged"]["count"] == 2
    steps = [s["step"] for s in doc["audit"]]
    assert "published" in steps and "released" in steps


def test_the_csv_is_the_ledger(client, wire, keys, sent):
    r = client.get(f"/api/v1/releases/{sent['release'].id}/report.csv", headers=auth(keys["acme"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    got = list(csv.DictReader(io.StringIO(r.text)))
    ledger_rows = rows(wire, release_id=sent["release"].id)
    assert [(int(x["delivery_id"]), x["channel"], x["status"], int(x["attempts"])) for x in got] == [
        (x.id, x.channel, x.status, x.attempts) for x in ledger_rows]


def test_the_pdf_holds_the_headline_totals_and_charts(client, keys, sent):
    r = client.get(f"/api/v1/releases/{sent['release'].id}/report.pdf", headers=auth(keys["acme"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(r.content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert sent["release"].content.headline in text
    assert "Targeted" in text and "Cumulative deliveries" in text and "Deliveries by channel" in text
    assert re.search(r"Targeted\s*7", text), text[:600]


def _token(message) -> str:
    html = message.get_body(("html",)).get_content()
    return re.search(r"/t/([0-9a-f]{30})/o\.gif", html).group(1)


def test_opens_and_clicks_through_the_real_endpoints(client, wire, keys, sent):
    rid, smtp = sent["release"].id, sent["smtp"]
    token = _token(smtp.to("ada@paper.test")[0])
    assert token != _token(smtp.to("bob@paper.test")[0])  # one per recipient
    assert client.get(f"/t/{token}/o.gif").headers["content-type"] == "image/gif"
    client.get(f"/t/{token}/o.gif")  # a second open of the same message counts once
    r = client.get(f"/t/{token}/c", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"].startswith("http://testserver/") and "/releases/" in r.headers["location"]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(f"/t/{forged}/c", follow_redirects=False).status_code == 404
    assert client.get(f"/t/{forged}/o.gif").status_code == 200  # the same answer: nothing revealed
    assert client.get("/t/0000000001" + "0" * 20 + "/c?u=https://evil.example", follow_redirects=False
                      ).status_code == 404  # no open redirect
    client.get(f"/t/{token}/c", follow_redirects=False)  # replayed: not counted again
    doc = report(client, keys, rid)
    assert doc["email"]["opened"]["count"] == 1 and doc["email"]["clicked"]["count"] == 1
    assert [d["id"] for d in listed(client, keys, rid, doc["email"]["clicked"]["query"])] == [
        int(token[:10])]


def test_page_views_through_the_beacon(client, wire, keys, sent):
    release = sent["release"]
    page = client.get(wire.site.release_path(release))
    beacon = re.search(r'src="(/t/v/[^"]+\.gif)"', page.text)
    assert beacon, page.text[:300]
    for _ in range(3):  # a cached page's beacon is fetched all the same
        assert client.get(beacon.group(1)).status_code == 200
    assert client.get("/t/v/0000000001en.0000000000aaaaaaaaaa.gif").status_code == 200  # forged: not counted
    assert report(client, keys, release.id)["newsroom"]["views"] == {"en": 3}


def test_feed_fetches_count_whether_rendered_or_cached(client, wire, keys, sent):
    release = sent["release"]
    for kind in ("rss", "rss", "atom", "json"):  # the second RSS fetch is the page cache's answer
        r = client.get(f"/feeds/en.{kind}")
        assert r.status_code == 200 and release.content.headline in r.text
        assert "x-newswire-feed-items" not in r.headers  # internal: never sent out
    etag = client.get("/feeds/en.rss").headers["etag"]
    assert client.get("/feeds/en.rss", headers={"If-None-Match": etag}).status_code == 304  # not a fetch of it
    until_sync(lambda: report(client, keys, release.id)["newsroom"]["feed_fetches"] == {"en": 5},
               "five feed fetches counted")
    assert report(client, keys, release.id)["broadcast"]["feeds"]["fetches"] == 5


def test_a_deleted_subscriber_is_still_counted(client, wire, keys, sent):
    rid = sent["release"].id
    before = report(client, keys, rid)
    sid = rows(wire, release_id=rid)[0].subscriber_id
    wire.subscriptions.delete(SYSTEM, sid)
    after = report(client, keys, rid)
    assert after["totals"] == before["totals"] and after["channels"] == before["channels"]
    with wire.engine.connect() as conn:
        import sqlalchemy as sa

        from newswire.storage.tables import endpoints, subscribers
        scrubbed = conn.execute(sa.select(subscribers).where(subscribers.c.id == sid)).one()
        assert scrubbed.name == "(deleted)" and scrubbed.email is None and scrubbed.deleted_at is not None
        ep = conn.execute(sa.select(endpoints).where(endpoints.c.subscriber_id == sid)).one()
        assert ep.address == "" and ep.secret_enc is None


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("globex", 404), ("subscriber", 404),
                                         ("acme", 200), ("editor", 200), ("admin", 200)])
def test_who_sees_a_report(client, keys, sent, who, status):
    for suffix in ("", ".csv", ".pdf"):
        r = client.get(f"/api/v1/releases/{sent['release'].public_id}/report{suffix}",
                       headers=auth(None if who == "anonymous" else keys[who]))
        assert r.status_code == status, (suffix, r.text[:200])
    r = client.get("/api/v1/releases/999999/report", headers=auth(keys["acme"]))
    assert r.status_code == 404


class _Page(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(type(self).body if self.path == "/story" else b"<p>nothing here</p>")

    def log_message(self, *a):
        pass


def test_pickups_are_confirmed_only_with_the_canonical_link(client, wire, keys, sent):
    release = sent["release"]
    _Page.body = f'<html><body><a href="{wire.site.release_url(release)}">source</a></body></html>'.encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        ok = client.post("/api/v1/pickups", json={"release_id": release.public_id, "url": base + "/story"},
                         headers=auth(keys["subscriber"]))
        no = client.post("/api/v1/pickups", json={"release_id": release.public_id, "url": base + "/other"},
                         headers=auth(keys["subscriber"]))
    finally:
        server.shutdown()
    assert ok.status_code == 201 and ok.json()["confirmed"] is True, ok.text
    assert no.status_code == 201 and no.json()["confirmed"] is False and no.json()["note"]
    for missing in (999999, release.id):  # (a subscriber may not name a release by its internal number)
        assert client.post("/api/v1/pickups", json={"release_id": missing, "url": base + "/story"},
                           headers=auth(keys["subscriber"])).status_code == 404
    assert client.post("/api/v1/pickups", json={"release_id": release.public_id, "url": base},
                       ).status_code == 401
    p = report(client, keys, release.id)["pickups"]
    assert (p["confirmed"], p["unconfirmed"]) == (1, 1)


def test_dashboard_and_pages(client, keys, sent, signed_in):
    doc = client.get("/api/v1/reports", headers=auth(keys["acme"])).json()
    assert doc["months"][0]["channels"]["webhook"]["targeted"] == 4
    assert client.get("/api/v1/reports", headers=auth(keys["globex"])).json()["months"] == []
    rid = sent["release"].id
    acme = signed_in("issuer", issuer="acme")
    page = acme.get(f"/portal/releases/{rid}/report")
    assert page.status_code == 200 and "<svg" in page.text and sent["release"].content.headline in page.text
    assert acme.get("/portal/reports").status_code == 200
    assert acme.get(f"/portal/releases/{rid}/report.pdf").content.startswith(b"%PDF-")
    assert signed_in("issuer", issuer="globex").get(f"/portal/releases/{rid}/report").status_code == 404
    assert signed_in("editor").get("/portal/reports").status_code == 403
    assert signed_in("editor").get("/desk/reports").status_code == 200
    assert signed_in("editor").get(f"/desk/releases/{rid}/report").status_code == 200
    assert signed_in("issuer", issuer="acme").get("/desk/reports").status_code == 403
    from web_helpers import browser
    anon = browser(client.app)
    assert anon.get("/portal/reports", follow_redirects=False).status_code == 303


def test_live_stream_readers_at_the_release_second_are_counted(app, client, wire, keys, editor, sample):
    """Readers connected to a real server's stream when the release went out: those whose filter
    matched, counted by the live hub, per language version."""
    with running(app) as base:
        streams = [Stream(f"{base}/live"), Stream(f"{base}/live?lang=en"), Stream(f"{base}/live?lang=de")]
        try:
            release = publish_release(wire, editor, sample)
            for s in streams[:2]:
                assert [e["data"]["id"] for e in s.events(1)] == [release.public_id]
            until_sync(lambda: report(client, keys, release.id)["newsroom"]["live_readers"] == {"en": 2},
                       "the two matching readers counted")
            assert report(client, keys, release.id)["broadcast"]["live"]["readers"] == 2
        finally:
            for s in streams:
                s.close()



def test_websub_notifications_are_counted_as_the_subscribers_got_them(client, wire, keys, editor, sample):
    """WebSub subscribers of the feed: the report's WebSub counts are what the real callback server got,
    and each count is the length of its delivery list."""
    callback = CallbackServer()
    try:
        for path in ("/ok", "/also"):
            r = client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": "http://testserver/feeds/en.rss",
                                             "hub.callback": callback.url(path)})
            assert r.status_code == 202, r.text
        release = publish_release(wire, editor, sample)

        async def go():
            worker = wire.delivery_worker("test", channels={"websub": wire.channels()["websub"]}, idle=0.05)
            task = asyncio.create_task(worker.run())
            until = asyncio.get_running_loop().time() + 30
            while not (callback.got("POST", "/ok") and callback.got("POST", "/also")) \
                    and asyncio.get_running_loop().time() < until:
                await asyncio.sleep(0.05)
            worker.stop()
            await task
        asyncio.run(go())
        websub = report(client, keys, release.id)["channels"]["websub"]
        assert websub["targeted"]["count"] == 2
        pushes = len(callback.got("POST", "/ok")) + len(callback.got("POST", "/also"))
        assert websub["delivered"]["count"] == pushes == 2
        for c in websub.values():
            assert len(listed(client, keys, release.id, c["query"])) == c["count"], c
    finally:
        callback.close()
