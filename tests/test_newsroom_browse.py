"""The newsroom, browsable (issue 10): teasers, the dateline opening the first paragraph, "News
provided by", related releases, the industry, region and issuer indexes and region pages, the
disclaimer and a meta description on every page; none of it shows what is not public."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html as lhtml

import media_files as files
from conftest import auth
from helpers import rewire, written_in
from newswire.domain.teasers import TEASER_LIMIT, teaser
from newswire.web.app import create_app
from fastapi.testclient import TestClient


def doc(resp):
    assert resp.status_code == 200, resp.text
    return lhtml.fromstring(resp.text)


def text(node) -> str:
    return " ".join(node.text_content().split())


# --- the teaser rule (domain/text.py) ---------------------------------------------------------------

LONG_EN = ("Acme today announced the Rocket Skate 3000, its lightest skate yet. The skate weighs 30% less than "
           "its predecessor and doubles the range, Acme Inc. said. It will ship in March to 40 countries, and "
           "dealers in Europe, Asia and the Americas are taking orders now. Prices start at $299. ") * 2


def fit(unit: str, limit: int = TEASER_LIMIT) -> str:
    """As many whole repeats of ``unit`` (a sentence or phrase) as fit in ``limit``."""
    n = max(k for k in range(1, limit) if len((unit * k).strip()) <= limit)
    return (unit * n).strip()


@pytest.mark.parametrize("lead, body, expected", [
    (LONG_EN, "", LONG_EN[:len(LONG_EN) // 2].strip()),  # the sentences that fit in 300 characters
    ("", "<h2>Highlights</h2><p>BERLIN, Nov. 20, 2026 /PRNewswire/ – Acme today announced its new skate.</p>",
     "Acme today announced its new skate."),
    ("BERLIN, Nov. 20, 2026 /Newswire/ –", "<p>Acme hat heute seinen neuen Skate vorgestellt. Er ist leichter.</p>",
     "Acme hat heute seinen neuen Skate vorgestellt. Er ist leichter."),
    ("", "<p>" + "火箭滑板比公司以往的所有型号都更快、更轻、更安全。" * 8 + "</p>",
     "火箭滑板比公司以往的所有型号都更快、更轻、更安全。" * 6),
    ("", "<p>" + "ロケットスケート3000は、同社のこれまでのどのモデルよりも速く、軽く、安全です。" * 5 + "</p>",
     "ロケットスケート3000は、同社のこれまでのどのモデルよりも速く、軽く、安全です。" * 3),
    ("วันนี้บริษัทแอคมีได้ประกาศเปิดตัวสเก็ตบอร์ดรุ่นใหม่ " * 8, "", fit("วันนี้บริษัทแอคมีได้ประกาศเปิดตัวสเก็ตบอร์ดรุ่นใหม่ ")),
    ("هل هذا أسرع لوح تزلج؟ " * 20, "", fit("هل هذا أسرع لوح تزلج؟ ")),
    ("Компания Acme представила новый скейт. " * 10, "", fit("Компания Acme представила новый скейт. ")),
])
def test_the_teaser_is_the_first_sentences_that_fit(lead, body, expected):
    got = teaser(lead, body)
    assert got == expected
    assert len(got) <= TEASER_LIMIT and not got.endswith(("–", "—", "-"))


def test_a_sentence_too_long_is_cut_at_a_word_with_an_ellipsis():
    got = teaser("word " * 200, "")
    assert got.endswith("word…") and len(got) <= TEASER_LIMIT
    assert teaser("", "") == "" and teaser("", "<h2>Only a heading</h2>") == ""
    assert teaser("Dr. Smith met Mr. Jones on Nov. 3 in St. Louis. " + "More text follows here. " * 20, "") \
        .startswith("Dr. Smith met Mr. Jones on Nov. 3 in St. Louis. More text")


# --- listings and release pages ------------------------------------------------------------------------

def test_listings_show_a_teaser_never_a_bare_dateline(client, publish):
    r = publish(lead="", body="BERLIN, Nov. 20, 2026 /Newswire/ – Acme today announced its skate.\n\nMore.")
    page = doc(client.get("/en/"))
    assert [text(p) for p in page.xpath("//p[@class='teaser']")] == ["Acme today announced its skate."]
    assert "–" not in text(page.xpath("//ol[@class='releases']")[0])
    release = doc(client.get(f"/en/releases/{r.public_id}/{r.slug}"))
    assert release.xpath('//meta[@name="description"]/@content') == ["Acme today announced its skate."]


def test_the_dateline_opens_the_first_paragraph(client, publish):
    r = publish(lead="", body="## Highlights\n\nThe skate is here.\n\nIt is fast.")
    page = doc(client.get(f"/en/releases/{r.public_id}/{r.slug}"))
    first = page.xpath("//div[@class='body']//p")[0]
    assert text(first) == "BERLIN, November 20, 2026 (Newswire) – The skate is here."
    assert first.xpath("span[@class='dateline']") and not page.xpath("//p[@class='lead']")
    de = publish(**written_in("de"), dateline={"city": "München", "date": "2026-11-20"})
    lead = doc(client.get(f"/de/releases/{de.public_id}/{de.slug}")).xpath("//div[@class='body']/p[@class='lead']")[0]
    assert text(lead) == "MÜNCHEN, 20. November 2026 (Newswire) – Acme hat heute seinen neuen Skate vorgestellt."


def test_news_provided_by_with_the_logo_contacts_and_issuer_page(client, wire, keys, publish):
    resp = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", files.image("PNG", (800, 200)))},
                      data={"alt_text": "Acme logo"}, headers=auth(keys["acme"]))
    assert resp.status_code in (200, 201), resp.text
    r = publish(contacts=[{"name": "Jane Roe", "email": "press@acme.example", "phone": "+49 30 1234"}])
    page = doc(client.get(f"/en/releases/{r.public_id}/{r.slug}"))
    [block] = page.xpath("//section[@class='provider']")
    assert block.xpath("h2")[0].text == "News provided by"
    assert block.xpath(".//p[@class='provider-name']/a/@href") == ["/en/issuers/acme"]
    assert text(block.xpath(".//p[@class='provider-name']")[0]) == r.issuer.name
    logo = wire.listings.issuer("acme").logo
    assert block.xpath(".//img/@src") == [wire.site.media_url(logo, logo.rendition("thumbnail"))]
    assert block.xpath(".//a[@href='mailto:press@acme.example']") and "Jane Roe" in text(block)


def test_related_releases_are_public_and_in_the_page_language(client, wire, editor, sample, publish, clock):
    clock.set(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    first = publish(headline="Acme first news")
    clock.advance(minutes=5)
    other_issuer = publish(issuer="globex", headline="Globex shares an industry")
    unrelated = publish(issuer="globex", headline="Globex unrelated", industries=["medtop:01000000"])
    when = (clock() + dt.timedelta(hours=1)).isoformat()
    embargoed = wire.releases.publish(editor, wire.releases.create(editor, {
        **sample, "issuer": "acme", "headline": "Acme embargoed news", "embargo_until": when}).id)
    wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Acme draft news"})
    publish(**written_in("de"))  # German: not on an English page
    clock.advance(minutes=5)
    current = publish(headline="Acme latest news")
    page = doc(client.get(f"/en/releases/{current.public_id}/{current.slug}"))
    links = page.xpath("//section[@class='related']//a")
    assert [a.text for a in links] == ["Globex shares an industry", "Acme first news"]
    assert {a.get("href") for a in links} == {f"/en/releases/{x.public_id}/{x.slug}" for x in (first, other_issuer)}
    assert embargoed.id and unrelated.id and "embargoed" not in page.text_content()


def test_region_pages_and_the_indexes_show_only_public_releases(client, wire, editor, sample, publish, clock):
    clock.set(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    r = publish(regions=["DE", "FR"], industries=["medtop:20000209"])
    when = (clock() + dt.timedelta(hours=1)).isoformat()
    wire.releases.publish(editor, wire.releases.create(editor, {
        **sample, "issuer": "globex", "headline": "Globex embargoed", "regions": ["JP"], "embargo_until": when}).id)
    wire.releases.create(editor, {**sample, "issuer": "globex", "headline": "Globex draft", "regions": ["KR"]})
    regions = doc(client.get("/en/regions"))
    assert [(a.text, a.get("href")) for a in regions.xpath("//ul[contains(@class, 'index')]//a")] == [
        ("France", "/en/regions/FR"), ("Germany", "/en/regions/DE")]
    assert "Japan" not in text(regions) and "Korea" not in text(regions)
    de = doc(client.get("/en/regions/DE"))
    assert [a.text for a in de.xpath("//ol[@class='releases']//h2/a")] == [r.content.headline]
    assert doc(client.get("/de/regions")).xpath("//h1")[0].text == "Regionen"
    japan = doc(client.get("/en/regions/JP"))  # a region page exists; the embargoed release is not on it
    assert not japan.xpath("//ol[@class='releases']") and "Globex" not in text(japan)
    assert client.get("/en/regions/de", follow_redirects=False).headers["location"] == "/en/regions/DE"
    assert client.get("/en/regions/ZZ").status_code == 404 and client.get("/en/regions/DEU").status_code == 404
    industries = doc(client.get("/en/industries"))
    economy = industries.xpath("//a[@href='/en/industries/04000000']")[0]
    assert economy.text == "economy, business and finance" and economy.getnext().text == "(1)"
    assert industries.xpath("//a[@href='/en/industries/20000209']")  # the narrower topic with a release
    issuers = doc(client.get("/en/issuers"))
    assert [a.get("href") for a in issuers.xpath("//ul[contains(@class, 'index')]//a")] == ["/en/issuers/acme"]
    assert "Globex" not in text(issuers)
    clock.set(clock() + dt.timedelta(hours=1))
    wire.releases.release_due()
    assert "Japan" in text(doc(client.get("/en/regions")))
    assert "Globex" in text(doc(client.get("/en/issuers")))


def test_the_release_facts_link_to_region_and_industry_pages(client, publish):
    r = publish()
    page = doc(client.get(f"/en/releases/{r.public_id}/{r.slug}"))
    assert page.xpath("//dl[@class='facts']//a/@href") == ["/en/industries/04000000", "/en/regions/DE",
                                                           "/en/regions/US"]
    nav = page.xpath("//nav[contains(@class, 'sections')]//a/@href")
    assert nav == ["/en/", "/en/industries", "/en/regions", "/en/issuers", "/en/search"]


def test_every_page_has_a_meta_description_and_the_disclaimer(client, publish):
    r = publish()
    paths = ["/en/", "/de/", f"/en/releases/{r.public_id}/{r.slug}", "/en/issuers/acme", "/en/industries/04000000",
             "/en/industries", "/en/regions", "/en/regions/DE", "/en/issuers", "/en/search", "/en/search?q=skate"]
    seen = set()
    for path in paths:
        page = doc(client.get(path))
        [description] = page.xpath('//meta[@name="description"]/@content')
        assert description.strip(), path
        seen.add(description)
        footer = text(page.xpath("//footer")[0])
        if path.startswith("/de/"):
            assert "Für den Inhalt ist allein der jeweilige Herausgeber verantwortlich." in footer
        else:
            assert "Each issuer is solely responsible for the content of its releases." in footer
    assert len(seen) == len(paths) - 1  # each page says what it is (search with or without words: the same)
    assert lhtml.fromstring(client.get("/en/nothing/here").text).xpath('//meta[@name="description"]/@content')


def test_an_operator_sets_the_disclaimer_per_language(wire, publish):
    r = publish()
    other = rewire(wire, disclaimers={"de": "Eigene Worte der Herausgeber.", "en": "Issuers' own words."})
    try:
        with TestClient(create_app(other)) as c:
            page = doc(c.get(f"/en/releases/{r.public_id}/{r.slug}"))
            assert page.xpath("//footer//p[contains(@class, 'disclaimer-text')]")[0].text == "Issuers' own words."
            assert "Eigene Worte der Herausgeber." in text(doc(c.get("/de/")).xpath("//footer")[0])
            assert "Chaque émetteur est seul responsable" in text(doc(c.get("/fr/")).xpath("//footer")[0])
    finally:
        other.close()
