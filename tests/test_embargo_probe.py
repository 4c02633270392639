"""Embargo, proven (issue 13): a scheduled release B with a Spanish translation and a picture,
beside a public release A that is corrected while B waits. Every path an outsider, a subscriber,
another issuer (its API key and its people) and a subscriber's account could take is tried before
B's second, and none shows anything of B: not its headline, body, picture (name, token or bytes)
or translation. At the second itself (the clock set to it, the release clock run) every public
path shows it.

Paths (tests/probe_paths.py): every newsroom page kind in two languages, search, the region,
industry and issuer indexes, the live desk, feeds in every format and filter, the sitemap, the
API's list with each filter and its item routes for B's id, its neighbours and a missing id,
the desk's pages, media URLs, the live stream (SSE, replayed from the start), WebSub, webhooks to
a real receiver and e-mail to aiosmtpd (nothing of B arrives). An embargoed id answers exactly as
a missing one does (status, type and body, the id aside): existence is checked by structure, not
by timing. (The page cache of branch `cache` and report or tracking endpoints are not on main
yet; every path is asked twice, so a cache that kept an early answer would fail here.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import re

import media_files
import pytest
import sqlalchemy as sa
from callback_server import CallbackServer
from conftest import auth
from probe_paths import id_paths, leaks, public_paths
from smtp_sink import add_journalist
from sse_client import Stream, running
from translation_flow import translate_all
from webhook_receiver import add_webhook

from newswire.domain.ids import new_public_id
from newswire.storage import subscribers as subs
from newswire.storage.tables import deliveries, held_deliveries

pytestmark = pytest.mark.timeout(300)
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
EMBARGO = T0 + dt.timedelta(hours=1)
TOKEN, BODY_TOKEN = "Quillfeather", "Zyxwvomberg"
FILENAME = "quillfeather-deal.jpg"


@pytest.fixture
def settings(settings, smtp):
    return settings.with_overrides(webhook_allow_private=True, retry_schedule="0.2,0.2",
                                   smtp_url=f"smtp://127.0.0.1:{smtp.port}", mail_from="Wire <wire@newswire.test>")


@pytest.fixture
def wire(wire):
    from helpers import use_apertium

    return use_apertium(wire)


@pytest.fixture
def callback():
    server = CallbackServer()
    yield server
    server.close()


def deliver(wire) -> None:
    """A real delivery worker until nothing is due at the wire's clock."""
    def due() -> bool:
        with wire.engine.connect() as conn:
            return bool(conn.execute(sa.select(sa.func.count()).select_from(deliveries).where(
                deliveries.c.status == "pending", deliveries.c.next_attempt_at <= wire.clock())).scalar())

    async def run():
        worker = wire.delivery_worker("probe", idle=0.05)
        task = asyncio.create_task(worker.run())
        while await asyncio.to_thread(due):
            await asyncio.sleep(0.05)
        worker.stop()
        await task

    asyncio.run(asyncio.wait_for(run(), 60))


def stage(client, wire, keys, sample, clock):
    """A public and corrected, B scheduled with its translation and picture; returns what B is."""
    clock.set(T0)
    editor, acme = auth(keys["editor"]), auth(keys["acme"])
    a = client.post("/api/v1/releases", json={**sample, "issuer": "acme"}, headers=editor).json()["id"]
    assert client.post(f"/api/v1/releases/{a}/publish", json={}, headers=editor).json()["status"] == "published"
    fields = {**sample, "headline": f"Acme agrees {TOKEN} merger", "lead": "The merger closes on Friday.",
              "body": f"Acme and {BODY_TOKEN} will merge.", "target_languages": ["es"]}
    b = client.post("/api/v1/releases", json=fields, headers=acme).json()["id"]
    up = client.post(f"/api/v1/releases/{b}/media", files={"file": (FILENAME, media_files.image("JPEG"))},
                     data={"alt_text": f"{TOKEN} signing", "caption": "The signing", "credit": "Acme"}, headers=acme)
    assert up.status_code == 201, up.text
    assert client.post(f"/api/v1/releases/{b}/submit", headers=acme).status_code == 200
    assert client.post(f"/api/v1/releases/{b}/approve", headers=editor).status_code == 200
    assert translate_all(wire)
    sched = client.post(f"/api/v1/releases/{b}/publish", json={"embargo_until": EMBARGO.isoformat()}, headers=editor)
    assert sched.json()["status"] == "scheduled", sched.text
    fix = client.post(f"/api/v1/releases/{a}/correct", json={"headline": "Acme unveils the Rocket Skate 3001",
                                                             "correction_note": "Model number"}, headers=editor)
    assert fix.status_code == 200, fix.text
    es = client.get(f"/api/v1/releases/{b}/translations/es", headers=acme).json()
    media = client.get(f"/api/v1/releases/{b}/media", headers=acme).json()["items"][0]
    rendition = media["renditions"][0]
    picture = client.get(rendition["href"].removeprefix("http://testserver"))
    assert picture.status_code == 404  # the public file waits for the release
    rendition["filename"] = rendition["href"].rsplit("/", 1)[1]
    own = client.get(f"/api/v1/releases/{b}/media/{media['id']}/{rendition['filename']}", headers=acme)
    assert own.status_code == 200
    token = rendition["href"].split("/media/", 1)[1].split("/", 1)[0]
    needles = [TOKEN, BODY_TOKEN, FILENAME, token, es["fields"]["headline"], es["fields"]["lead"]]
    slug = client.get(f"/api/v1/releases/{b}/status", headers=acme).json()["url"].rsplit("/", 1)[1]
    return {"a": a, "b": b, "slug": slug, "needles": needles, "media": media, "rendition": rendition,
            "picture": own.content, "public_picture": rendition["href"].removeprefix("http://testserver")}


def test_nothing_of_an_embargoed_release_leaks_before_its_second_and_all_shows_at_it(
        client, app, wire, keys, sample, clock, signed_in, receiver, smtp, callback):
    eid, _ = add_webhook(wire, receiver.url("/all"))
    j_endpoint, _ = add_journalist(wire, "ada@paper.test")
    with wire.engine.connect() as conn:
        subscriber_id = subs.get_endpoint_row(conn, j_endpoint).subscriber_id
    feed = "http://testserver/feeds/en.rss"
    b = stage(client, wire, keys, sample, clock)
    assert client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": feed,
                                        "hub.callback": callback.url("/ws")}).status_code == 202
    public, rid = b["b"], wire.listings.resolve(wire.accounts.authenticate(keys["editor"]), b["b"])
    assert isinstance(rid, int) and str(rid) != public  # B's internal number, which the tables key on
    deliver(wire)  # A's publication and correction go out; nothing of B may go with them
    assert len(receiver.hits) == 2 and len(smtp.received) == 2, (receiver.hits, smtp.received)
    with wire.engine.connect() as conn:  # B is routed ahead (pre-routing), held where no claim or reader looks
        assert conn.execute(sa.select(sa.func.count()).select_from(held_deliveries)
                            .where(held_deliveries.c.release_id == rid)).scalar() == 2
        assert conn.execute(sa.select(sa.func.count()).select_from(deliveries)
                            .where(deliveries.c.release_id == rid)).scalar() == 0
    admin = auth(keys["admin"])
    for path in (f"/api/v1/releases/{public}/deliveries", f"/api/v1/subscribers/{subscriber_id}/deliveries"):
        listed = client.get(path, headers=admin)
        assert listed.status_code == 200 and all(d["release_id"] not in (public, rid, str(rid))
                                                 for d in listed.json()["items"]), listed.text

    actors = {"outsider": (client, {}), "subscriber key": (client, auth(keys["subscriber"])),
              "other issuer's key": (client, auth(keys["globex"])),
              "other issuer's person": (signed_in("issuer", issuer="globex"), {}),
              "subscriber's account": (signed_in("subscriber", subscriber_id=subscriber_id), {})}
    found = []
    # B by its public id and by its internal number, its numeric neighbours, and a missing id of
    # each form: to whoever may not manage B, every one is answered alike
    missing, missing_number = new_public_id(), rid + 1000
    ids = re.compile(rf"(?<![0-9a-z])({public}|{missing}|{rid}|{missing_number})(?![0-9a-z])")
    for who, (c, headers) in actors.items():
        for path in [*public_paths(TOKEN), b["public_picture"], "/subscriber", "/desk", "/account"]:
            for _ in range(2):  # twice: a cache must not keep, or make, a leak
                r = c.get(path, headers=headers, follow_redirects=True)
                found += [(who, path, n) for n in leaks(r, b["needles"], b["picture"])
                          if n.casefold() not in path.casefold()]  # (a search page repeats its query)
        for near in (rid - 1, rid, rid + 1, rid + 2, public, missing, missing_number):  # guessed and sequential ids
            for path in id_paths(near, b["slug"], b["media"]["id"], b["rendition"]["filename"]):
                r = c.get(path, headers=headers, follow_redirects=True)
                found += [(who, path, n) for n in leaks(r, b["needles"], b["picture"])]
        for ref, gone in ((public, missing), (rid, missing_number)):
            for ours, theirs in zip(id_paths(ref, b["slug"], b["media"]["id"], b["rendition"]["filename"]),
                                    id_paths(gone, b["slug"], b["media"]["id"], b["rendition"]["filename"])):
                x, y = (c.get(p, headers=headers, follow_redirects=True) for p in (ours, theirs))
                assert (x.status_code, x.headers.get("content-type"), _same(ids, x.text)) == \
                    (y.status_code, y.headers.get("content-type"), _same(ids, y.text)), (who, ours, _diff(x.text, y.text))
    assert found == []

    with running(app) as base:  # the live stream, replayed from its first event: A's two, never B's
        stream = Stream(f"{base}/live", headers={"Last-Event-ID": "0"})
        early = stream.events(2)
        assert [e["event"] for e in early] == ["release.published", "release.corrected"]
        assert not any(n.casefold() in str(e).casefold() for e in early for n in b["needles"])
        assert not any(n.casefold() in (h.body.decode() + str(h.headers)).casefold()
                       for h in receiver.hits for n in b["needles"])
        assert not any(n.casefold() in raw.decode("utf-8", "replace").casefold()
                       for _, raw, _ in smtp.received for n in b["needles"])
        assert not any(n.casefold() in r["body"].decode("utf-8", "replace").casefold()
                       for r in callback.requests for n in b["needles"])

        clock.set(EMBARGO)  # the second itself: the held rows (and the WebSub subscription made since) go live
        assert wire.releases.release_due() == [rid]
        with wire.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(deliveries)
                                .where(deliveries.c.release_id == rid)).scalar() == 3
        assert stream.event()["data"]["headline"] == f"Acme agrees {TOKEN} merger"
        stream.close()
    shown(client, b)
    deliver(wire)
    assert any(TOKEN in h.body.decode() for h in receiver.hits)
    assert any(TOKEN in raw.decode("utf-8", "replace") for _, raw, _ in smtp.received)
    assert any(TOKEN in r["body"].decode("utf-8", "replace") for r in callback.requests if r["method"] == "POST")


def shown(client, b) -> None:
    """At the release second every public path shows B: page, translation, feeds, sitemap, search, API, picture."""
    page = client.get(f"/releases/{b['b']}")
    assert page.status_code == 200 and TOKEN in page.text
    assert b["needles"][4] in client.get(f"/releases/{b['b']}?lang=es").text  # the translation
    for path in ("/en/", "/en/issuers/acme", "/en/industries/04000000", "/en/regions/DE", f"/en/search?q={TOKEN}",
                 "/feeds/en.rss", "/feeds/en.atom", "/feeds/en.json", "/feeds/es.rss", "/sitemap-news.xml",
                 "/api/v1/releases", f"/api/v1/releases/{b['b']}", f"/api/v1/releases/{b['b']}?lang=es"):
        r = client.get(path)
        assert r.status_code == 200 and leaks(r, [TOKEN]), path
    picture = client.get(b["public_picture"])
    assert picture.status_code == 200 and picture.content == b["picture"]


def _same(ids: re.Pattern, text: str) -> str:
    """A body with the asked id and each form's CSRF token (a session's random value) taken out."""
    return ids.sub("ID", CSRF.sub('name="csrf" value=""', text))


CSRF = re.compile(r'name="csrf" value="[^"]*"')


def _diff(a: str, b: str) -> str:
    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0))
