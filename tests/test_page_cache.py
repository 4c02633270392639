"""The page cache (services/pagecache.py, web/cache.py): public pages, listings, feeds and the sitemap
rendered once per public change; validators and 304s without a render; emptied by every public
change, in every process; never anything before its second."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from conftest import auth
from helpers import rewire, until
from newswire.domain import events
from newswire.services.pagecache import Entry, PageCache
from newswire.web.app import create_app

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
PUBLIC = ["/en/", "/feeds/en.rss", "/feeds/en.atom?industry=medtop:04000000", "/feeds/en.json", "/sitemap-news.xml",
          "/en/industries", "/en/regions/DE", "/en/issuers"]


@pytest.fixture
def renders(wire, monkeypatch):
    """How many listings the routes asked the database for (a cached answer asks none)."""
    count = {"n": 0}
    real = wire.listings.list

    def counted(*a, **kw):
        count["n"] += 1
        return real(*a, **kw)

    monkeypatch.setattr(wire.listings, "list", counted)
    return count


def test_a_second_request_and_a_304_cost_no_render(client, wire, publish, renders):
    publish()
    for path in PUBLIC:
        first = client.get(path)
        assert first.status_code == 200, path
        before = renders["n"]
        again = client.get(path)
        assert again.content == first.content and renders["n"] == before, path
        etag, modified = again.headers["etag"], again.headers["last-modified"]
        assert not etag.startswith("W/") and etag == first.headers["etag"]
        assert "accept-encoding" in again.headers["vary"].lower()
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
        unchanged = client.get(path, headers={"If-Modified-Since": modified})
        assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag and not unchanged.content
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
        assert client.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
        assert renders["n"] == before, path
    head = client.head("/feeds/en.rss")
    assert head.status_code == 200 and not head.content and head.headers["etag"]


def test_a_cached_answer_carries_its_own_request_id(client, publish, renders):
    """The X-Request-ID is the request's, never the one of the request that rendered the page."""
    publish()
    first = client.get("/en/", headers={"X-Request-ID": "render-1"})
    before = renders["n"]
    again = client.get("/en/", headers={"X-Request-ID": "hit-2"})
    assert renders["n"] == before and again.content == first.content
    assert first.headers["x-request-id"] == "render-1" and again.headers["x-request-id"] == "hit-2"
    made = client.get("/en/").headers["x-request-id"]
    assert made not in ("render-1", "hit-2") and len(made) == 32
    assert client.get("/en/", headers={"If-None-Match": again.headers["etag"],
                                       "X-Request-ID": "cond-3"}).headers["x-request-id"] == "cond-3"


def test_what_must_not_be_kept_is_rendered_every_time(client, wire, publish, renders, signed_in):
    r = publish()
    for path in ("/en/search?q=skate", f"/en/releases/{r.public_id}/wrong-slug", "/en/nothing-here", "/en/live", "/"):
        client.get(path, follow_redirects=False)
    desk = signed_in("editor")
    assert desk.get("/desk").status_code == 200
    assert len(wire.pages) == 0  # only 200s of public URLs are kept
    before = renders["n"]
    client.get("/api/v1/releases")
    client.get("/api/v1/releases")
    assert renders["n"] == before + 2 and len(wire.pages) == 0


def test_each_public_change_empties_the_cache(client, wire, keys, publish, editor, png):
    r = publish()
    page = f"/en/releases/{r.public_id}/{r.slug}"

    def cached() -> None:
        for path in (page, "/en/", "/feeds/en.rss"):
            assert client.get(path).status_code == 200
        assert len(wire.pages) == 3

    cached()
    wire.releases.correct(editor, r.id, {"headline": "Acme corrects the skate", "correction_note": "Name fixed."})
    assert len(wire.pages) == 0
    assert "Acme corrects the skate" in client.get(page).text and "Name fixed." in client.get(page).text
    assert "Acme corrects the skate" in client.get("/feeds/en.rss").text
    cached()
    logo = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", png, "image/png")},
                      headers=auth(keys["editor"]))
    assert logo.status_code in (200, 201), logo.text
    assert len(wire.pages) == 0
    assert "/media/" in client.get(page).text  # the logo beside "News provided by"
    cached()
    wire.releases.withdraw(editor, r.id, "Issued in error.")
    assert len(wire.pages) == 0
    assert client.get(page).status_code == 410
    assert "Acme corrects the skate" not in client.get("/feeds/en.rss").text


@pytest.mark.parametrize("event", [
    events.ReleasePublished(1, "en", 1, 0), events.ReleaseCorrected(1, "en", 2, 0),
    events.ReleaseWithdrawn(1, "en", 3, 0), events.TranslationReady(1, "de"), events.TranslationQueued(1),
    events.IssuerChanged(1)])
def test_every_public_event_empties_the_cache(client, wire, publish, event):
    publish()
    assert client.get("/en/").status_code == 200 and len(wire.pages) == 1
    wire.bus.publish(event)
    assert len(wire.pages) == 0


def test_a_render_begun_before_a_change_is_not_kept(wire):
    cache = PageCache(wire.clock, max_bytes=2**20, ttl=60)
    generation = cache.generation()
    cache.invalidate(events.ReleasePublished(1, "en", 1, 0))  # committed while the page was rendering
    assert not cache.put("/en/", _entry(wire.clock(), b"old listing"), generation)
    assert cache.get("/en/") is None
    assert cache.put("/en/", _entry(wire.clock(), b"new listing"), cache.generation())
    assert cache.get("/en/").body == b"new listing"


def test_memory_is_bounded_by_bytes_least_recently_used_first_out(wire):
    cache = PageCache(wire.clock, max_bytes=64 * 1024, ttl=60)
    for i in range(40):
        assert cache.put(f"/en/?cursor={i}", _entry(wire.clock(), bytes(8000)), cache.generation())
        cache.get("/en/?cursor=0")  # kept in use
    assert sum(e.size for e in cache._entries.values()) <= 64 * 1024
    assert cache.get("/en/?cursor=0") is not None and cache.get("/en/?cursor=1") is None
    assert cache.get("/en/?cursor=39") is not None
    assert not cache.put("/big", _entry(wire.clock(), bytes(100_000)), cache.generation())  # larger than it all
    off = PageCache(wire.clock, max_bytes=0, ttl=60)  # NEWSWIRE_PAGE_CACHE_MB=0
    assert not off.put("/en/", _entry(wire.clock(), b"x"), off.generation()) and off.get("/en/") is None


def test_entries_expire_with_the_wire_clock_and_never_serve_from_the_future(client, wire, publish, clock, renders):
    clock.set(T0)
    publish()
    client.get("/sitemap-news.xml")
    clock.advance(seconds=59)
    before = renders["n"]
    client.get("/sitemap-news.xml")
    assert renders["n"] == before
    clock.advance(seconds=2)  # NEWSWIRE_PAGE_CACHE_SECONDS (60) passed
    client.get("/sitemap-news.xml")
    assert renders["n"] == before + 1
    clock.set(T0 - dt.timedelta(seconds=1))  # an entry rendered later than "now" is never served
    client.get("/sitemap-news.xml")
    assert renders["n"] == before + 2


def test_at_the_embargo_boundary(client, wire, editor, sample, clock):
    """Cached listings and feeds hold an embargoed release back until its second, and show it at once."""
    clock.set(T0)
    embargo = T0 + dt.timedelta(seconds=60)
    draft = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Embargoed skate news",
                                          "embargo_until": embargo.isoformat()})
    assert wire.releases.publish(editor, draft.id).status.value == "scheduled"
    paths = ["/en/", "/feeds/en.rss", "/feeds/en.json", "/sitemap-news.xml", "/en/industries/04000000"]

    def shown() -> list[str]:
        return [p for p in paths if "Embargoed skate news" in client.get(p).text]

    assert shown() == []
    assert len(wire.pages) == len(paths)  # cached, without it
    clock.set(embargo - dt.timedelta(milliseconds=1))
    assert wire.releases.release_due() == []
    assert shown() == []
    clock.set(embargo)
    assert wire.releases.release_due() == [draft.id]  # the release clock's work at its second
    assert shown() == paths
    clock.set(embargo - dt.timedelta(seconds=1))  # what was rendered at the second is not for before it
    assert shown() == []


def test_another_process_change_reaches_this_process_cache(wire, keys, sample, settings):
    """Two containers on one database, as two processes: one serves (its cache filled), the other
    publishes; the first shows it (PostgreSQL: NOTIFY; SQLite: the newest stream id)."""
    served = rewire(wire, page_cache_seconds=3600)
    other = rewire(wire)
    editor = other.accounts.authenticate(keys["editor"])
    try:
        with TestClient(create_app(served)) as c:
            assert "Acme from the other process" not in c.get("/en/").text
            assert "Acme from the other process" not in c.get("/feeds/en.rss").text
            hits = served.pages.hits
            c.get("/en/")
            assert served.pages.hits == hits + 1  # served from the cache
            r = other.releases.create(editor, {**sample, "issuer": "acme", "headline": "Acme from the other process"})
            other.releases.publish(editor, r.id)

            async def wait():
                await until(lambda: "Acme from the other process" in c.get("/en/").text, "the home page did not change")
                await until(lambda: "Acme from the other process" in c.get("/feeds/en.rss").text,
                            "the feed did not change")
            asyncio.run(wait())
    finally:
        served.close()
        other.close()


def test_postgres_caches_only_while_it_hears_other_processes(wire, publish, database_url, renders):
    publish()
    app = create_app(wire)
    TestClient(app).get("/en/")  # no lifespan: on PostgreSQL nothing listens, nothing is kept
    if not database_url.startswith("postgresql"):
        assert len(wire.pages) == 1  # SQLite's processes are heard through the stream's newest id
        return
    assert len(wire.pages) == 0
    with TestClient(app) as c:
        c.get("/en/")
        assert len(wire.pages) == 1
        wire.bus.publish(events.ListenerLost())
        before = renders["n"]
        c.get("/en/")
        c.get("/en/")
        assert renders["n"] == before + 2 and len(wire.pages) == 0
        wire.bus.publish(events.ListenerReconnected())
        c.get("/en/")
        assert len(wire.pages) == 1


def _entry(born: dt.datetime, body: bytes) -> Entry:
    return Entry(200, body, "text/html; charset=utf-8", '"x"', None, born)


@pytest.fixture
def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()
