"""The Google News sitemap: namespaces, languages, the two-day window and the URL cap."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from helpers import written_in
from newswire.formats import sitemap

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def urls(client) -> dict[str, etree._Element]:
    resp = client.get("/sitemap-news.xml")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(resp.content)
    assert root.tag == "{%s}urlset" % NS["s"]
    assert root.nsmap["news"] == NS["news"]
    return {u.findtext("s:loc", namespaces=NS): u for u in root.findall("s:url", NS)}


def test_entries_name_publication_language_date_and_title(client, clock, publish, sample):
    clock.set(T0)
    en = publish()
    clock.advance(minutes=1)
    zh = publish(**written_in("zh-Hant"))
    hans = publish(**written_in("zh-Hans"))
    pt = publish(**written_in("pt"))
    found = urls(client)
    assert len(found) == 4
    u = found[f"http://testserver/en/releases/{en.public_id}/{en.slug}"]
    assert u.findtext("news:news/news:publication/news:name", namespaces=NS) == "Newswire"
    assert u.findtext("news:news/news:publication/news:language", namespaces=NS) == "en"
    assert u.findtext("news:news/news:publication_date", namespaces=NS) == "2026-11-20T09:00:00Z"
    assert u.findtext("news:news/news:title", namespaces=NS) == sample["headline"]
    languages = {r.id: found[f"http://testserver/{r.language}/releases/{r.public_id}/{r.slug}"].findtext(
        "news:news/news:publication/news:language", namespaces=NS) for r in (zh, hans, pt)}
    assert languages == {zh.id: "zh-tw", hans.id: "zh-cn", pt.id: "pt"}


def test_only_the_last_two_days(client, clock, publish):
    clock.set(T0 - dt.timedelta(days=3))
    old = publish(headline="Three days old")
    clock.set(T0 - dt.timedelta(days=1, hours=23))
    recent = publish(headline="Not quite two days old")
    clock.set(T0)
    found = urls(client)
    assert [u.findtext("news:news/news:title", namespaces=NS) for u in found.values()] == ["Not quite two days old"]
    assert not any(f"/releases/{old.public_id}/" in loc for loc in found)
    clock.advance(hours=1, seconds=1)
    assert urls(client) == {}, f"release {recent.id} should have aged out"


def test_withdrawn_releases_leave_the_sitemap(client, wire, keys, publish):
    r = publish()
    assert len(urls(client)) == 1
    wire.releases.withdraw(wire.accounts.authenticate(keys["editor"]), r.id, "Issued in error")
    assert urls(client) == {}


def test_at_most_the_cap_newest_first(client, clock, publish, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 2)  # the real cap is 1,000; the route reads it per request
    clock.set(T0)
    for i in range(3):
        publish(headline=f"Release {i}")
        clock.advance(minutes=1)
    titles = [u.findtext("news:news/news:title", namespaces=NS) for u in urls(client).values()]
    assert titles == ["Release 2", "Release 1"]


def test_conditional_get(client, clock, publish):
    clock.set(T0)
    publish()
    first = client.get("/sitemap-news.xml")
    assert first.headers["cache-control"] == "public, max-age=60"
    assert client.get("/sitemap-news.xml", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert client.get("/sitemap-news.xml",
                      headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304


@pytest.mark.parametrize("tag, google", [("en", "en"), ("pt", "pt"), ("zh-Hans", "zh-cn"), ("zh-Hant", "zh-tw"),
                                         ("ar", "ar"), ("id", "id")])
def test_news_language(tag, google):
    assert sitemap.news_language(tag) == google
