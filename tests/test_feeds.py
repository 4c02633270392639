"""RSS, Atom and JSON Feed: content, filters, corrections, withdrawals, embargo and conditional GET."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from lxml import etree

from conftest import auth
from helpers import assert_problem, written_in
from newswire.domain.vocab import media_topics
from newswire.formats.site import canonical_url

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
KINDS = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
ECONOMY = "medtop:04000000"
BANKRUPTCY = "medtop:20000174"  # two levels below ECONOMY
SPORT = "medtop:15000000"


def when(struct) -> dt.datetime:
    return dt.datetime(*struct[:6], tzinfo=UTC)


def get_feed(client, kind, lang="en", **params):
    """Fetch and parse a feed; every feed must parse cleanly. JSON feeds come back as dicts."""
    resp = client.get(f"/feeds/{lang}.{kind}", params=params)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith(KINDS[kind])
    if kind == "json":
        return resp, resp.json()
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return resp, parsed


def ids(client, kind="atom", lang="en", **params) -> list[str]:
    _, f = get_feed(client, kind, lang, **params)
    return [i["id"] for i in f["items"]] if kind == "json" else [e.id for e in f.entries]


def links(f) -> set[tuple[str, str]]:
    return {(link.get("rel"), link["href"]) for link in f.feed.links}


def guid(release) -> str:
    """A release's feed id, from the release or its public id (the API's ``id``)."""
    return f"http://testserver/releases/{release if isinstance(release, str) else release.public_id}"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_xml_feed_entries(client, clock, publish, sample, kind):
    clock.set(T0)
    r = publish()
    _, f = get_feed(client, kind)
    assert f.feed.title.startswith("Newswire") and f.feed.language == "en"
    assert {("self", f"http://testserver/feeds/en.{kind}"), ("alternate", "http://testserver/en/")} <= links(f)
    assert when(f.feed.updated_parsed) == T0
    (e,) = f.entries
    assert e.id == guid(r)
    assert e.link == f"http://testserver/en/releases/{r.public_id}/{r.slug}"
    assert (e.title, e.summary, e.author) == (sample["headline"], sample["lead"], "Acme Corporation")
    assert when(e.published_parsed) == T0 and when(e.updated_parsed) == T0
    names = {t.get("label") or t.term for t in e.tags}
    assert names == {media_topics().get(ECONOMY).label("en"), "DE", "US"}
    html = e.content[0].value  # the body, then the issuer's boilerplate
    assert "<strong>Rocket Skate 3000</strong>" in html and "About Acme: makers of everything." in html


def test_json_feed_follows_1_1(client, clock, publish, sample):
    clock.set(T0)
    r = publish()
    _, f = get_feed(client, "json")
    assert list(f)[0] == "version"  # the spec asks for it at the top
    assert f["title"].startswith("Newswire")
    assert f.pop("hubs") == [{"type": "WebSub", "url": "http://testserver/websub"}]
    assert {k: f[k] for k in ("version", "home_page_url", "feed_url", "language")} == {
        "version": "https://jsonfeed.org/version/1.1", "home_page_url": "http://testserver/en/",
        "feed_url": "http://testserver/feeds/en.json", "language": "en"}
    (item,) = f["items"]
    assert "<strong>Rocket Skate 3000</strong>" in item.pop("content_html")
    assert dt.datetime.fromisoformat(item.pop("date_published")) == T0
    assert dt.datetime.fromisoformat(item.pop("date_modified")) == T0
    assert item == {
        "id": guid(r), "url": f"http://testserver/en/releases/{r.public_id}/{r.slug}", "title": sample["headline"],
        "summary": sample["lead"],
        "authors": [{"name": "Acme Corporation", "url": "http://testserver/en/issuers/acme"}],
        "tags": [media_topics().get(ECONOMY).label("en"), "DE", "US"], "language": "en"}


def test_one_feed_per_language(client, publish, sample):
    en = publish()
    de = publish(**written_in("de"))
    zh = publish(**written_in("zh-Hans"))
    assert ids(client, "rss", "en") == [guid(en)]
    assert ids(client, "json", "de") == [guid(de)]
    _, f = get_feed(client, "atom", "zh-Hans")
    assert [e.id for e in f.entries] == [guid(zh)]
    assert f.feed.language == "zh-Hans"
    # Categories speak the feed's language.
    _, f = get_feed(client, "rss", "de")
    assert media_topics().get(ECONOMY).label("de") in {t.term for t in f.entries[0].tags}
    assert ids(client, "rss", "fr") == []


def test_unknown_language_or_format_is_404(client):
    assert client.get("/feeds/xx.rss").status_code == 404
    assert client.get("/feeds/en.xml").status_code == 404
    assert client.get("/feeds/en").status_code == 404
    moved = client.get("/feeds/zh-CN.atom?region=de", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (301, "/feeds/zh-Hans.atom?region=de")


def test_filters(client, publish):
    a = publish(industries=[BANKRUPTCY], regions=["DE"])
    b = publish(issuer="globex", industries=[SPORT], regions=["US"])
    for kind in KINDS:
        assert ids(client, kind, industry=ECONOMY) == [guid(a)]  # the child topic matches its ancestor
        assert ids(client, kind, industry=BANKRUPTCY) == [guid(a)]
        assert ids(client, kind, industry=SPORT) == [guid(b)]
        assert ids(client, kind, region="de") == [guid(a)]
        assert ids(client, kind, issuer="globex") == [guid(b)]
        assert ids(client, kind, issuer="globex", region="DE") == []
        assert ids(client, kind) == [guid(b), guid(a)]  # newest first
    _, f = get_feed(client, "atom", issuer="globex", industry=SPORT)
    assert "Globex GmbH" in f.feed.title
    assert ("self", "http://testserver/feeds/en.atom?industry=medtop:15000000&issuer=globex") in links(f)


@pytest.mark.parametrize("query, canonical", [
    ("industry=medtop:04000000", "industry=medtop:04000000"),  # as requested: ':' stays as it is
    ("industry=medtop%3A04000000", "industry=medtop:04000000"),  # the escaped spelling names the same feed
    ("region=de&industry=medtop:04000000&issuer=", "industry=medtop:04000000&region=DE"),  # sorted, empty dropped
])
def test_a_filtered_feed_names_itself_as_requested(client, query, canonical):
    for kind in KINDS:
        resp = client.get(f"/feeds/en.{kind}?{query}")
        self_url = f"http://testserver/feeds/en.{kind}?{canonical}"
        assert resp.links["self"]["url"] == self_url
        if kind == "json":
            assert resp.json()["feed_url"] == self_url
        else:
            f = feedparser.parse(resp.content)
            assert not f.bozo and ("self", self_url) in links(f)


def test_canonical_url():
    assert canonical_url("HTTP://TestServer:80/feeds/en.rss?z=1&a=&industry=medtop%3A04000000#x") == \
        "http://testserver/feeds/en.rss?industry=medtop:04000000&z=1"
    assert canonical_url("https://wire.example:8443/feeds/en.rss?q=a%26b&q2=a+b") == \
        "https://wire.example:8443/feeds/en.rss?q=a%26b&q2=a%20b"  # what changes a value stays escaped
    assert canonical_url("https://wire.example") == "https://wire.example/"
    once = canonical_url("http://testserver/feeds/en.atom?region=DE&industry=medtop:04000000")
    assert canonical_url(once) == once


def test_rss_items_have_pubdate_only(client, publish):
    publish()
    item = etree.fromstring(client.get("/feeds/en.rss").content).find("channel/item")
    assert item.find("pubDate") is not None
    assert item.find("{http://purl.org/dc/elements/1.1/}date") is None
    assert item.find("{http://purl.org/dc/elements/1.1/}creator") is not None
    assert feedparser.parse(client.get("/feeds/en.rss").content).entries[0].published_parsed


@pytest.mark.parametrize("params, field", [
    ({"industry": "medtop:99999999"}, "industry"), ({"industry": "economy"}, "industry"),
    ({"region": "XX"}, "region"), ({"region": "DEU"}, "region"),
    ({"issuer": "nobody"}, "issuer"), ({"issuer": "Not A Slug"}, "issuer"),
])
def test_invalid_filters_are_422_problems(client, params, field):
    for kind in KINDS:
        assert_problem(client.get(f"/feeds/en.{kind}", params=params), 422, field)


def test_correction_updates_the_entry_under_the_same_id(client, wire, editor, clock, publish):
    clock.set(T0)
    r = publish()
    clock.set(T0 + dt.timedelta(hours=2))
    wire.releases.correct(editor, r.id, {"headline": "Acme unveils the Rocket Skate 3001", "correction_note": "Model number"})
    for kind in ("rss", "atom"):
        _, f = get_feed(client, kind)
        (e,) = f.entries
        assert (e.id, e.title) == (guid(r), "Acme unveils the Rocket Skate 3001")
        assert when(e.published_parsed) == T0
        if kind == "atom":  # RSS items have pubDate only; the channel's lastBuildDate moves
            assert when(e.updated_parsed) == T0 + dt.timedelta(hours=2)
        else:
            assert when(f.feed.updated_parsed) == T0 + dt.timedelta(hours=2)
    _, f = get_feed(client, "json")
    (item,) = f["items"]
    assert (item["id"], dt.datetime.fromisoformat(item["date_modified"])) == (guid(r), T0 + dt.timedelta(hours=2))


def test_withdrawal_drops_the_entry(client, wire, editor, clock, publish):
    clock.set(T0)
    keep = publish()
    clock.set(T0 + dt.timedelta(minutes=5))
    gone = publish(headline="A release that will be withdrawn")
    before = client.get("/feeds/en.atom")
    clock.set(T0 + dt.timedelta(minutes=10))
    wire.releases.withdraw(editor, gone.id, "Issued in error")
    for kind in KINDS:
        assert ids(client, kind) == [guid(keep)]
    # The newest remaining entry is older than the one withdrawn; the feed still counts as changed.
    again = client.get("/feeds/en.atom", headers={"If-Modified-Since": before.headers["last-modified"]})
    assert again.status_code == 200
    assert "A release that will be withdrawn" not in again.text


def test_embargoed_release_appears_only_at_its_time(client, wire, editor, clock, sample):
    clock.set(T0)
    r = wire.releases.create(editor, {**sample, "issuer": "acme", "embargo_until": (T0 + dt.timedelta(hours=1)).isoformat()})
    assert wire.releases.publish(editor, r.id).status.value == "scheduled"

    def visible() -> set[bool]:
        seen = {guid(r) in ids(client, kind) for kind in KINDS}
        seen.add(f"/releases/{r.public_id}/" in client.get("/sitemap-news.xml").text)
        seen.add(sample["headline"] in client.get("/feeds/en.rss").text)
        return seen

    assert visible() == {False}
    clock.advance(minutes=59)
    assert wire.releases.release_due() == []
    assert visible() == {False}
    clock.advance(minutes=1, seconds=1)
    assert wire.releases.release_due() == [r.id]
    assert visible() == {True}


@pytest.mark.parametrize("kind", list(KINDS))
def test_conditional_get(client, clock, publish, kind):
    clock.set(T0)
    publish()
    first = client.get(f"/feeds/en.{kind}")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified == "Fri, 20 Nov 2026 09:00:00 GMT"  # strong tag, HTTP date
    assert first.headers["cache-control"] == "public, max-age=60"
    assert client.get(f"/feeds/en.{kind}").headers["etag"] == etag  # same bytes, same tag

    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'W/{etag}, "other"'}, {"If-Modified-Since": modified}):
        cached = client.get(f"/feeds/en.{kind}", headers=headers)
        assert cached.status_code == 304, headers
        assert cached.content == b"" and cached.headers["etag"] == etag
    assert client.get(f"/feeds/en.{kind}", headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.head(f"/feeds/en.{kind}").headers["etag"] == etag

    clock.advance(minutes=1)
    publish(headline="A second release")
    fresh = client.get(f"/feeds/en.{kind}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert client.get(f"/feeds/en.{kind}", headers={"If-Modified-Since": modified}).status_code == 200
    assert fresh.headers["last-modified"] == "Fri, 20 Nov 2026 09:01:00 GMT"


def test_feed_html_is_safe(client, keys, sample):
    """Released through the HTTP API, as an issuer and the desk would."""
    bad = {**sample, "body": '<p>Hi</p><script>alert(1)</script>', "body_format": "html"}
    assert_problem(client.post("/api/v1/releases", json=bad, headers=auth(keys["acme"])), 422, "body")
    body = ('<h2>News</h2><p>See <a href="https://acme.example/x" title="t">this</a> '
            "&amp; <em>that</em> &lt;script&gt;</p><table><tr><td>1</td></tr></table>")
    created = client.post("/api/v1/releases", json={**sample, "body": body, "body_format": "html"},
                          headers=auth(keys["acme"]))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert ids(client, "rss") == []  # a draft is in no feed
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    assert ids(client, "rss") == [guid(rid)]
    for kind in KINDS:
        resp, _ = get_feed(client, kind)
        # What the wire sent, not feedparser's own sanitized copy: every text node, unescaped once.
        html = resp.json()["items"][0]["content_html"] if kind == "json" else "".join(
            etree.fromstring(resp.content).itertext())
        assert 'href="https://acme.example/x"' in html
        for needle in ("<script", "javascript:", "onerror"):
            assert needle not in html.lower()
