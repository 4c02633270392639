"""The public newsroom pages, on SQLite and PostgreSQL: what the public sees, and what it must not."""

from __future__ import annotations

import datetime as dt
import json

import lxml.html
import pytest
import sqlalchemy as sa

from newswire.domain.errors import InvalidInput
from newswire.domain.vocab import media_topics
from newswire.storage.tables import release_versions

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)

GERMAN = {
    "headline": "Globex eröffnet neues Werk in München",
    "dateline": {"city": "München", "date": "2026-11-20"},
    "lead": "Globex hat heute ein neues Werk eröffnet.",
    "body": "Das Werk beschäftigt **200** Menschen.",
    "language": "de",
    "industries": ["medtop:04000000"],
    "regions": ["DE"],
}


@pytest.fixture(autouse=True)
def frozen(clock):
    clock.set(NOW)  # before the keys fixture creates anything


def publish(wire, editor, raw):
    r = wire.releases.create(editor, raw)
    return wire.releases.publish(editor, r.id)


def path(r, lang=None):
    return f"/{lang or r.language}/releases/{r.public_id}/{r.slug}"


def doc(response):
    return lxml.html.fromstring(response.text)


def ld(response) -> dict:
    scripts = doc(response).xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def test_root_redirects_to_a_language(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/en/"
    r = client.get("/", headers={"Accept-Language": "xx, de-DE;q=0.8, fr;q=0.9"}, follow_redirects=False)
    assert r.headers["location"] == "/fr/"
    r = client.get("/", headers={"Accept-Language": "zh-TW"}, follow_redirects=False)
    assert r.headers["location"] == "/zh-Hant/"


def test_release_page_shows_the_release(client, wire, editor, sample):
    r = publish(wire, editor, {**sample, "issuer": "acme", "keywords": ["skates"], "attribution": "Photo: Acme"})
    resp = client.get(path(r))
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = doc(resp)
    assert page.get("lang") == "en" and page.get("dir") == "ltr"
    assert page.findtext(".//h1") == sample["headline"]
    text = page.text_content()
    assert "BERLIN, November 20, 2026 (Newswire) –" in text
    assert "Faster, safer, greener" in text and "Acme today announced its new skate." in text
    assert page.xpath('//div[@class="body"]//strong[text()="Rocket Skate 3000"]')  # body HTML is rendered
    for expected in ("About Acme: makers of everything.", "press@acme.example", "Germany", "United States",
                     "NYSE:ACME", "skates", "Photo: Acme", "solely responsible"):
        assert expected in text
    industry = page.xpath('//a[@href="/en/industries/04000000"]')
    assert industry and industry[0].text == "economy, business and finance"
    url = "http://testserver" + path(r)
    assert page.xpath('//link[@rel="canonical"]/@href') == [url]
    alternates = {e.get("hreflang"): e.get("href") for e in page.xpath('//link[@rel="alternate"][@hreflang]')}
    assert alternates == {"en": url, "x-default": url}
    feeds = page.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href')
    assert feeds == ["/feeds/en.rss"]


def test_json_ld_news_article(client, wire, editor, sample):
    r = publish(wire, editor, {**sample, "issuer": "acme"})
    data = ld(client.get(path(r)))
    url = "http://testserver" + path(r)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == sample["headline"] and data["inLanguage"] == "en"
    assert data["datePublished"] == "2026-11-20T09:00:00Z" and data["dateModified"] == "2026-11-20T09:00:00Z"
    assert data["author"] == {"@type": "Organization", "name": "Acme Corporation", "url": "https://acme.example"}
    assert data["publisher"]["name"] == "Newswire"
    assert data["mainEntityOfPage"]["@id"] == url
    assert data["isAccessibleForFree"] is True
    assert data["dateline"] == "BERLIN, November 20, 2026"
    assert "Rocket Skate 3000 goes faster." in data["articleBody"] and "<" not in data["articleBody"]
    assert data["description"] == sample["lead"]
    assert data["about"][0]["sameAs"] == "http://cv.iptc.org/newscodes/mediatopic/04000000"
    assert "economy, business and finance" in data["keywords"]


def test_german_release_speaks_german(client, wire, editor):
    r = publish(wire, editor, {**GERMAN, "issuer": "globex"})
    resp = client.get(path(r))
    page = doc(resp)
    assert page.get("lang") == "de" and resp.headers["content-language"] == "de"
    text = page.text_content()
    assert "MÜNCHEN, 20. November 2026 (Newswire) –" in text
    assert page.xpath('//a[@href="/de/industries/04000000"]')[0].text == "Wirtschaft und Finanzen"
    assert "Deutschland" in text
    assert ld(resp)["about"][0]["name"] == "Wirtschaft und Finanzen"
    assert page.xpath('//link[@rel="alternate"][@hreflang="de"]')


def test_arabic_pages_are_right_to_left(client, wire, editor):
    raw = {"headline": "أكمي تطلق منتجا جديدا", "body": "نص البيان الصحفي.", "language": "ar",
           "dateline": {"city": "Dubai", "date": "2026-11-20"}, "issuer": "acme"}
    r = publish(wire, editor, raw)
    page = doc(client.get(path(r)))
    assert page.get("lang") == "ar" and page.get("dir") == "rtl"
    assert "DUBAI, 20 نوفمبر 2026" in page.text_content()
    assert doc(client.get("/ar/")).get("dir") == "rtl"


def test_markup_in_a_headline_stays_text(client, wire, editor, sample):
    evil = "</script><script>alert(1)</script>"
    with pytest.raises(InvalidInput):  # intake refuses markup in plain-text fields ...
        wire.releases.create(editor, {**sample, "issuer": "acme", "headline": evil})
    r = publish(wire, editor, {**sample, "issuer": "acme", "headline": "Tom & Jerry <3 \"quotes\""})
    with wire.engine.begin() as conn:  # ... and the page must hold even if such a headline got stored
        conn.execute(sa.update(release_versions).where(release_versions.c.release_id == r.id)
                     .values(headline="Acme " + evil))
    resp = client.get(path(r))
    assert resp.status_code == 200
    assert "<script>alert(1)" not in resp.text
    page = doc(resp)
    assert page.findtext(".//h1") == "Acme " + evil
    assert len(page.xpath("//script")) == 1  # only the JSON-LD
    assert ld(resp)["headline"] == "Acme " + evil


def test_not_public_is_404_everywhere(client, wire, editor, keys, sample, clock):
    acme = wire.accounts.authenticate(keys["acme"])
    draft = wire.releases.create(acme, {**sample, "headline": "Acme draft headline"})
    other = wire.releases.create(wire.accounts.authenticate(keys["globex"]), {**GERMAN, "headline": "Globex Entwurf"})
    embargoed = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Acme embargoed headline",
                                     "embargo_until": (NOW + dt.timedelta(hours=2)).isoformat()})
    embargoed = wire.releases.publish(editor, embargoed.id)
    assert embargoed.status == "scheduled"
    for r in (draft, other, embargoed):
        missing = client.get(f"/{r.language}/releases/999999/nothing")
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
        resp = client.get(path(r))
        assert resp.status_code == 404 and resp.text == missing.text
        assert client.get(f"/releases/{r.public_id}", follow_redirects=False).status_code == 404
    for url in ("/en/", "/de/", "/en/issuers/acme", "/en/industries/04000000", "/de/industries/04000000"):
        text = client.get(url).text
        assert "Acme draft headline" not in text and "Globex Entwurf" not in text
        assert "Acme embargoed headline" not in text
    assert client.get("/de/issuers/globex").status_code == 404  # no public release yet: not revealed

    clock.advance(hours=2)
    assert wire.releases.release_due() == [embargoed.id]
    assert client.get(path(embargoed)).status_code == 200
    assert "Acme embargoed headline" in client.get("/en/").text
    assert "Acme embargoed headline" in client.get("/en/industries/04000000").text


def test_withdrawn_release_leaves_a_notice(client, wire, editor, sample, clock):
    r = publish(wire, editor, {**sample, "issuer": "acme"})
    clock.advance(days=1)
    wire.releases.withdraw(editor, r.id, "Issued in error by the issuer.")
    resp = client.get(path(r))
    assert resp.status_code == 410
    page = doc(resp)
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]
    text = page.text_content()
    assert "Issued in error by the issuer." in text and "withdrawn" in text.lower()
    assert "Rocket Skate" not in resp.text and sample["lead"] not in resp.text
    assert not page.xpath('//script[@type="application/ld+json"]')
    assert "Rocket Skate" not in client.get("/en/").text

    never = wire.releases.submit(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id)
    wire.releases.withdraw(editor, never.id, "Not needed")
    assert client.get(path(never)).status_code == 404


def test_corrected_release_shows_the_notes(client, wire, editor, sample, clock):
    r = publish(wire, editor, {**sample, "issuer": "acme"})
    clock.advance(hours=1)
    wire.releases.correct(editor, r.id, {"correction_note": "Corrected the range figure.", "lead": "Acme announced it."})
    clock.advance(hours=1)
    r = wire.releases.correct(editor, r.id, {"correction_note": "Fixed a typo in the lead.", "lead": "Acme announced its skate."})
    resp = client.get(path(r))
    notes = doc(resp).xpath('//aside[contains(@class,"correction")]//li')
    assert [n.text_content().split(": ", 1)[1] for n in notes] == ["Corrected the range figure.",
                                                                   "Fixed a typo in the lead."]
    assert "Acme announced its skate." in resp.text
    data = ld(resp)
    assert [c["text"] for c in data["correction"]] == ["Corrected the range figure.", "Fixed a typo in the lead."]
    assert data["dateModified"] == "2026-11-20T11:00:00Z"


def test_addresses_redirect_or_404(client, wire, editor, sample):
    r = publish(wire, editor, {**sample, "issuer": "acme"})
    resp = client.get(f"/en/releases/{r.public_id}/old-slug", follow_redirects=False)
    assert resp.status_code == 301 and resp.headers["location"] == path(r)
    resp = client.get(f"/releases/{r.public_id}", follow_redirects=False)
    assert resp.status_code == 301 and resp.headers["location"] == path(r)
    assert client.get(path(r, "de")).status_code == 404  # no German version
    for url in ("/xx/", "/xx/releases/1/x", "/en/releases/abc/x", "/en/releases/99999999999/x", "/releases/1e3",
                f"/EN/releases/{r.public_id}/{r.slug}", "/en/issuers/nobody", "/en/industries/99999999",
                "/en/industries/abc", "/en/?cursor=garbage"):
        resp = client.get(url)
        assert resp.status_code == 404 and "Page not found" in resp.text, url


def test_home_lists_and_pages(client, wire, editor, sample, clock, monkeypatch):
    from newswire.web.newsroom import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    for i in range(3):
        publish(wire, editor, {**sample, "issuer": "acme", "headline": f"Acme news number {i}"})
        clock.advance(minutes=1)
    publish(wire, editor, {**GERMAN, "issuer": "globex"})
    page = doc(client.get("/en/"))
    assert [a.text for a in page.xpath("//ol[@class='releases']//h2/a")] == ["Acme news number 2",
                                                                            "Acme news number 1"]
    # listings show the teaser (the lead's first sentences), not a dateline
    assert [p.text for p in page.xpath("//ol[@class='releases']//p[@class='teaser']")] == [sample["lead"]] * 2
    assert "BERLIN, November 20, 2026" not in page.text_content()
    assert {e.get("type"): e.get("href") for e in page.xpath('//link[@rel="alternate"]')} == {
        "application/rss+xml": "/feeds/en.rss", "application/atom+xml": "/feeds/en.atom",
        "application/feed+json": "/feeds/en.json"}
    older = page.xpath('//a[@rel="next"]/@href')[0]
    page2 = doc(client.get(older))
    assert [a.text for a in page2.xpath("//ol[@class='releases']//h2/a")] == ["Acme news number 0"]
    assert not page2.xpath('//a[@rel="next"]')
    assert "Globex" not in client.get("/en/").text


def test_issuer_and_industry_pages(client, wire, editor, sample):
    topics = media_topics()
    child = next(q for q in sorted(topics.descendants("medtop:04000000")) if not topics.get(q).retired)
    publish(wire, editor, {**sample, "issuer": "acme", "industries": [child], "headline": "Acme child topic"})
    publish(wire, editor, {**GERMAN, "issuer": "globex"})
    page = doc(client.get("/en/issuers/acme"))
    assert page.findtext(".//h1") == "Acme Corporation"
    text = page.text_content()
    assert "About Acme: makers of everything." in text and "Acme child topic" in text
    assert page.xpath('//a[@href="https://acme.example"]')
    de = doc(client.get("/de/industries/04000000"))
    assert de.findtext(".//h1") == "Wirtschaft und Finanzen"
    assert "Globex eröffnet neues Werk in München" in de.text_content()
    en = doc(client.get("/en/industries/04000000")).text_content()
    assert "Acme child topic" in en  # tagged with a descendant, listed under the parent
    assert "Globex" not in en
    sub = client.get("/en/industries/" + child.split(":")[1]).text
    assert "Acme child topic" in sub
