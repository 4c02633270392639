"""NewsML-G2 2.35 newsItems, validated offline against IPTC's XML Schema."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from lxml import etree

import inmemory
from conftest import SHARED, auth
from helpers import published
from inmemory import SETTINGS
from newswire.domain.models import Release
from newswire.formats import newsml
from newswire.formats.site import Site
from newswire.storage.tables import release_versions

T0 = dt.datetime(2026, 11, 20, 9, 0, 0, 250_000, tzinfo=dt.timezone.utc)
G2 = SHARED / "standards" / "newsml-g2-2.35"
NS = {"g": "http://iptc.org/std/nar/2006-10-01/", "x": "http://www.w3.org/1999/xhtml"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PARSER = etree.XMLParser(no_network=True, resolve_entities=False)
HTML_BODY = (
    "<h2>Results</h2><p>Revenue rose, see <a href=\"https://acme.example/ir\">investor page</a>.</p>"
    "<ul><li>One</li><li>Two</li></ul><ol start=\"3\"><li>Three</li></ol>"
    "<blockquote><p>\u201cOur best year,\u201d said <em>Wile E. Coyote</em>.</p></blockquote>"
    "<table><thead><tr><th scope=\"col\">Year</th><th>Revenue</th></tr></thead>"
    "<tbody><tr><td>2026</td><td>1&nbsp;000 &amp; more</td></tr></tbody></table>"
)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    # no_network: the XSD's one import (xml.xsd) must come from the same folder, never the web.
    return etree.XMLSchema(etree.parse(str(G2 / "NewsML-G2_2.35-spec-All-Power.xsd"), PARSER))


@pytest.fixture(scope="module")
def catalog_aliases() -> set[str]:
    cat = etree.parse(str(G2 / "catalogs" / "catalog.IPTC-G2-Standards_41.xml"), PARSER)
    return {s.get("alias") for s in cat.iter("{*}scheme")}


def parse(schema, data: bytes) -> etree._Element:
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    doc = etree.fromstring(data, PARSER)
    assert schema.validate(doc), schema.error_log
    return doc


def render(schema, release) -> etree._Element:
    return parse(schema, newsml.render(release, Site.from_settings(SETTINGS)))


def text(doc, path: str) -> str | None:
    return doc.findtext(path, namespaces=NS)


def xhtml_body(doc) -> etree._Element:
    return doc.find("g:contentSet/g:inlineXML/x:html/x:body", NS)


# --- the schema itself ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["LISTING_1_A_NewsML-G2_News_Item.xml", "LISTING_2_NewsML-G2_Text_Document.xml"])
def test_official_examples_validate(schema, name):
    assert schema.validate(etree.parse(str(G2 / "examples" / name), PARSER)), schema.error_log


def test_schema_refuses_a_broken_item(schema):
    bad = b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x" version="1"><contentMeta/></newsItem>'
    assert not schema.validate(etree.fromstring(bad, PARSER))


# --- rendering releases (built in memory: the renderer is the subject) -------------------


def publish(reference, sample, issuer="acme", now=T0, **fields) -> Release:
    """The sample release, with ``fields`` changed, as the desk editor publishes (or schedules) it."""
    return inmemory.published(reference.issuers[issuer], {**sample, "issuer": issuer, **fields}, now)


def test_published_release(schema, catalog_aliases, reference, sample):
    release = publish(reference, sample)
    site = Site.from_settings(SETTINGS)
    doc = render(schema, release)

    created = release.created_at.strftime("%Y%m%d")
    assert doc.get("guid") == f"urn:newsml:testserver:{created}:release-{release.public_id}"
    assert doc.get("version") == "1" and doc.get("standardversion") == "2.35" and doc.get(XML_LANG) == "en"
    assert doc.find("g:catalogRef", NS).get("href") == newsml.CATALOG
    assert newsml.CATALOG.endswith("/catalog.IPTC-G2-Standards_41.xml")

    assert text(doc, "g:rightsInfo/g:copyrightHolder/g:name") == "Acme Corporation"
    assert text(doc, "g:rightsInfo/g:usageTerms") == SETTINGS.disclaimer
    assert doc.find("g:rightsInfo/g:copyrightNotice", NS) is None  # no attribution given

    meta = doc.find("g:itemMeta", NS)
    assert meta.find("g:itemClass", NS).get("qcode") == "ninat:text"
    assert meta.find("g:provider", NS).get("literal") == SETTINGS.wire_name
    assert meta.find("g:pubStatus", NS).get("qcode") == "stat:usable"
    assert meta.find("g:embargoed", NS) is None and meta.find("g:edNote", NS) is None
    version_created = dt.datetime.fromisoformat(text(meta, "g:versionCreated"))
    assert version_created == release.current.created_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(text(meta, "g:firstCreated")) == release.created_at.replace(microsecond=0)
    links = {link.get("contenttype"): link.get("href") for link in meta.findall("g:link", NS)}
    assert links == {"text/html": site.release_url(release),
                     "application/json": f"http://testserver/api/v1/releases/{release.public_id}"}

    cm = doc.find("g:contentMeta", NS)
    assert cm.find("g:language", NS).get("tag") == "en"
    assert [h.text for h in cm.findall("g:headline", NS)] == [sample["headline"], sample["subheadline"]]
    assert [h.get("rank") for h in cm.findall("g:headline", NS)] == ["1", "2"]
    assert text(cm, "g:slugline") == release.slug
    assert text(cm, "g:located/g:name") == "Berlin"
    assert text(cm, "g:dateline") == "Berlin, 2026-11-20"
    assert text(cm, "g:by") == text(cm, "g:creditline") == "Acme Corporation"
    assert cm.find("g:description", NS).get("role") == "drol:summary"
    assert text(cm, "g:description") == sample["lead"]
    assert cm.find("g:contentModified", NS) is None
    subjects = {s.get("qcode"): (s.get("type"), [n.text for n in s.findall("g:name", NS)])
                for s in cm.findall("g:subject", NS)}
    assert subjects == {"medtop:04000000": ("cpnat:abstract", ["economy, business and finance"]),
                        "iso3166-1a2:DE": ("cpnat:geoArea", ["Germany"]),
                        "iso3166-1a2:US": ("cpnat:geoArea", ["United States"])}

    creator = cm.find("g:creator", NS)
    assert creator.get("uri") == "http://testserver/en/issuers/acme"
    assert text(creator, "g:name") == "Acme Corporation"
    details = creator.find("g:organisationDetails", NS)
    assert text(details, "g:contactInfo/g:web") == "https://acme.example"
    assert text(details, "g:contactInfo/g:email") == "press@acme.example"
    assert text(details, "g:contactInfo/g:phone") == "+1 555 0100"
    (instrument,) = details.findall("g:hasInstrument", NS)
    assert (instrument.get("symbol"), instrument.get("marketlabel")) == ("ACME", "NYSE")

    # Every QCode resolves through the catalog the item references.
    for el in doc.iter(f"{{{NS['g']}}}*"):
        for attr in ("qcode", "type", "role", "rel"):
            if el.get(attr):
                assert el.get(attr).split(":", 1)[0] in catalog_aliases, (el.tag, attr, el.get(attr))

    inline = doc.find("g:contentSet/g:inlineXML", NS)
    assert inline.get("contenttype") == "application/xhtml+xml"
    body = xhtml_body(doc)
    paragraphs = [etree.tostring(p, method="text", encoding="unicode") for p in body.findall("x:p", NS)]
    assert paragraphs[0] == sample["lead"]
    assert paragraphs[-2:] == ["About Acme: makers of everything.", "Ada Press, press@acme.example, +1 555 0100"]
    assert [p.get("class") for p in body.findall("x:p", NS)][-2:] == ["boilerplate", "contact"]
    assert text(body, "x:h2") == "Highlights"
    assert body.find("x:p/x:a", NS).get("href") == "https://acme.example/skate"
    assert [li.text for li in body.findall("x:ul/x:li", NS)] == ["30% lighter", "2x range"]
    assert body.find("x:blockquote/x:p/x:em", NS).text == "Wile E. Coyote"
    assert text(doc, "g:contentSet/g:inlineXML/x:html/x:head/x:title") == sample["headline"]


def test_corrected_release(schema, reference, sample):
    release = publish(reference, sample)
    corrected = inmemory.correct(release, {"correction_note": "Model number corrected.",
                                           "headline": "Rocket Skate 3001"}, T0 + dt.timedelta(hours=1))
    doc = render(schema, corrected)
    assert doc.get("version") == "2"
    assert doc.get("guid") == newsml.guid(release, Site.from_settings(SETTINGS))  # stable across versions
    assert doc.find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:usable"
    assert text(doc, "g:itemMeta/g:edNote") == "Corrected (version 2): Model number corrected."
    assert text(doc, "g:contentMeta/g:headline") == "Rocket Skate 3001"
    assert text(doc, "g:contentMeta/g:contentModified") > text(doc, "g:contentMeta/g:contentCreated")


def test_withdrawn_release(schema, reference, sample):
    release = publish(reference, sample)
    doc = render(schema, inmemory.withdraw(release, "Issued in error.", T0 + dt.timedelta(minutes=1)))
    assert doc.find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:canceled"
    assert text(doc, "g:itemMeta/g:edNote") == "Withdrawn: Issued in error."


def test_scheduled_release(schema, reference, sample):
    now = T0.replace(microsecond=0)
    release = publish(reference, sample, now=now, embargo_until=(now + dt.timedelta(hours=1)).isoformat())
    doc = render(schema, release)
    assert doc.find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:withheld"
    assert dt.datetime.fromisoformat(text(doc, "g:itemMeta/g:embargoed")) == now + dt.timedelta(hours=1)

    doc = render(schema, inmemory.release_due(release, now + dt.timedelta(hours=1, seconds=1)))
    assert doc.find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:usable"
    assert doc.find("g:itemMeta/g:embargoed", NS) is None


def test_rich_metadata(schema, reference, sample):
    release = publish(
        reference, sample,
        industries=["medtop:04000000", "medtop:13000000"], regions=["KR", "DE"],
        tickers=["NASDAQ:ACME", "US0378331005"], keywords=["skates", "rockets"],
        attribution="Photos courtesy of NASA.", boilerplate="About Acme.\n\nFounded 1949.",
        contacts=[{"name": "Ada Press", "role": "Head of PR", "organisation": "Acme Europe",
                   "email": "ada@acme.example"}, {"phone": "+49 30 1234"}])
    doc = render(schema, release)
    cm = doc.find("g:contentMeta", NS)
    assert [s.get("qcode") for s in cm.findall("g:subject", NS)] == [
        "medtop:04000000", "medtop:13000000", "iso3166-1a2:KR", "iso3166-1a2:DE"]
    assert [k.text for k in cm.findall("g:keyword", NS)] == ["skates", "rockets"]
    assert text(doc, "g:rightsInfo/g:copyrightNotice") == "Photos courtesy of NASA."
    instruments = [dict(i.attrib) for i in cm.findall("g:creator/g:organisationDetails/g:hasInstrument", NS)]
    assert instruments == [{"symbol": "ACME", "marketlabel": "NASDAQ"},
                           {"symbol": "US0378331005", "symbolsrcuri": "http://cvx.iptc.org/isin/"}]
    notes = [n.text for n in cm.findall("g:creator/g:organisationDetails/g:contactInfo/g:note", NS)]
    assert notes == ["Ada Press, Head of PR, Acme Europe, ada@acme.example", "+49 30 1234"]
    body = xhtml_body(doc)
    assert [p.text for p in body.findall("x:p[@class='boilerplate']", NS)] == ["About Acme.", "Founded 1949."]
    assert len(body.findall("x:p[@class='contact']", NS)) == 2


def test_minimal_release(schema, reference):
    r = inmemory.create(reference.issuers["globex"],
                        {"issuer": "globex", "headline": "Kurz", "body": "Nur Text.", "language": "de"}, T0)
    doc = render(schema, r)  # a draft
    assert doc.find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:withheld"
    cm = doc.find("g:contentMeta", NS)
    for absent in ("g:subject", "g:dateline", "g:located", "g:description", "g:keyword"):
        assert cm.find(absent, NS) is None, absent
    assert cm.find("g:headline", NS).get("rank") is None
    assert doc.find("g:rightsInfo/g:copyrightHolder", NS).get("uri") is None  # Globex has no website
    assert [p.text for p in xhtml_body(doc).findall("x:p", NS)] == ["Nur Text.", "Über Globex: Technik seit 1989."]


@pytest.mark.parametrize("lang, headline, topic, region, direction", [
    ("ko", "에이크미, 로켓 스케이트 3000 공개", None, "독일", None),  # IPTC has no Korean topic labels
    ("ar", "أكمي تكشف عن لوح التزلج الصاروخي", "اقتصاد، اعمال ومال", "ألمانيا", "rtl"),
])
def test_non_latin_release(schema, reference, sample, lang, headline, topic, region, direction):
    body = "نص البيان." if lang == "ar" else "보도자료 본문입니다."
    release = publish(reference, sample, language=lang, headline=headline, regions=["DE"], body=body)
    data = newsml.render(release, Site.from_settings(SETTINGS))
    assert headline.encode() in data  # UTF-8, not character references
    doc = parse(schema, data)
    assert doc.get(XML_LANG) == lang and doc.find("g:contentMeta/g:language", NS).get("tag") == lang
    assert text(doc, "g:contentMeta/g:headline") == headline
    def names(kind):
        return {n.get(XML_LANG): n.text for n in doc.findall(f"g:contentMeta/g:subject[@type='{kind}']/g:name", NS)}

    assert names("cpnat:abstract") == {"en": "economy, business and finance", **({lang: topic} if topic else {})}
    assert names("cpnat:geoArea") == {"en": "Germany", lang: region}
    html = doc.find("g:contentSet/g:inlineXML/x:html", NS)
    assert html.get("lang") == html.get(XML_LANG) == lang and html.get("dir") == direction
    assert body in etree.tostring(html, encoding="unicode")


def test_html_body_becomes_xhtml(schema, reference, sample):
    release = publish(reference, sample, body=HTML_BODY, body_format="html")
    body = xhtml_body(render(schema, release))
    assert all(etree.QName(el).namespace == NS["x"] for el in body.iter())
    assert body.find("x:p/x:a", NS).get("href") == "https://acme.example/ir"
    assert [li.text for li in body.findall("x:ol/x:li", NS)] == ["Three"] and body.find("x:ol", NS).get("start") == "3"
    assert body.find("x:blockquote/x:p", NS).xpath("string()") == "\u201cOur best year,\u201d said Wile E. Coyote."
    assert body.find("x:table/x:thead/x:tr/x:th", NS).get("scope") == "col"
    assert [td.text for td in body.findall("x:table/x:tbody/x:tr/x:td", NS)] == ["2026", "1\u00a0000 & more"]


def test_text_xml_cannot_carry_is_dropped(schema, wire, keys, sample):
    # Intake refuses control characters, but rows written before it did (or by hand) may hold them;
    # XML 1.0 cannot, so the format drops them rather than fail. Through both databases: they store
    # such text as it came.
    release = published(wire, keys, sample, keywords=["ab"])
    p = wire.accounts.authenticate(keys["editor"])
    wire.releases.correct(p, release.id, {"correction_note": "Typo fixed."})
    with wire.db.transaction() as conn:
        conn.execute(sa.update(release_versions).where(release_versions.c.release_id == release.id)
                     .values(keywords=["a\x1fb"], correction_note="Typo\x0b fixed."))
    doc = render(schema, wire.releases.get(p, release.id))
    assert text(doc, "g:contentMeta/g:keyword") == "ab"
    assert text(doc, "g:itemMeta/g:edNote") == "Corrected (version 2): Typo fixed."


# --- through the HTTP API ----------------------------------------------------------


def test_api_serves_valid_newsml(schema, client, wire, keys, sample, clock):
    release = published(wire, keys, sample)
    resp = client.get(f"/api/v1/releases/{release.public_id}.xml")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.iptc.g2.newsitem+xml")
    assert parse(schema, resp.content).get("guid").endswith(f":release-{release.public_id}")

    later = (clock() + dt.timedelta(hours=1)).replace(microsecond=0)
    scheduled = published(wire, keys, sample, embargo_until=later.isoformat())
    assert client.get(f"/api/v1/releases/{scheduled.public_id}.xml").status_code == 404
    staff = client.get(f"/api/v1/releases/{scheduled.public_id}.xml", headers=auth(keys["editor"]))
    assert parse(schema, staff.content).find("g:itemMeta/g:pubStatus", NS).get("qcode") == "stat:withheld"
