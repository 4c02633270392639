"""A release as an IPTC NewsML-G2 2.35 newsItem, for agencies and archives that take G2.

Every QCode uses an alias of the IPTC catalog we reference (catalog.IPTC-G2-Standards_41),
so a G2 processor can resolve each one. The text travels as XHTML inline: lead, body,
boilerplate, then contacts, i.e. the whole release as it is published.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from ..domain.exchanges import ADHOC, ADHOC_HEADER
from ..domain.languages import RTL
from ..domain.models import LIVE, Contact, Release, Status
from ..domain.vocab import media_topics, region_name
from .labels import translation_note
from .site import Site, guid_ref

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"
MEDIA_TYPE = "application/vnd.iptc.g2.newsitem+xml"
ISIN = "http://cvx.iptc.org/isin/"  # the catalog's scheme URI for ISINs (alias isin)
# Characters XML 1.0 cannot carry; intake does not filter every string (keywords, notes) for them.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def guid(release: Release, site: Site) -> str:
    host = urlsplit(site.base_url).hostname or "localhost"
    # each language version is a news item of its own; the original keeps the plain guid
    suffix = f"-{release.language}" if release.translation is not None else ""
    return f"urn:newsml:{host}:{release.created_at:%Y%m%d}:release-{guid_ref(release)}{suffix}"


def ticker_parts(ticker: str) -> tuple[str, str]:
    """'NYSE:ACME' -> ('NYSE', 'ACME'); an ISIN has no exchange -> ('', 'US0378331005')."""
    exchange, _, symbol = ticker.rpartition(":")
    return exchange, symbol


def pubstatus(status: Status) -> str:
    """IPTC publishing status (the stat: codes, also ninjs pubstatus)."""
    if status in LIVE:
        return "usable"
    return "canceled" if status == Status.WITHDRAWN else "withheld"


def ednotes(release: Release) -> list[str]:
    """What a receiving desk must know: why this version exists, or why the release is gone."""
    notes = []
    if release.current.correction_note:
        notes.append(f"Corrected (version {release.current.number}): {release.current.correction_note}")
    if release.status == Status.WITHDRAWN:
        notes.append(f"Withdrawn: {release.withdraw_reason}" if release.withdraw_reason else "Withdrawn.")
    if release.translation is not None:
        notes.append(translation_note(release.translation))
    return notes


def contact_line(c: Contact) -> str:
    return ", ".join(v for v in (c.name, c.role, c.organisation, c.email, c.phone) if v)


def _e(tag: str, /, *children, ns: str = NAR, **attrs) -> etree._Element:
    """An element; None and "" children or attributes are left out, a dict child adds attributes."""
    attrib = {k: _NOT_XML.sub("", str(v)) for k, v in attrs.items() if v not in (None, "")}
    el = etree.Element(f"{{{ns}}}{tag}", attrib, nsmap={None: ns})
    for child in children:
        if isinstance(child, dict):
            el.attrib.update(child)
        elif isinstance(child, str):
            el.text = (el.text or "") + _NOT_XML.sub("", child)
        elif isinstance(child, list):
            el.extend(x for x in child if x is not None)
        elif child is not None:
            el.append(child)
    return el


def timestamp(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def _append_text(dst: etree._Element, text: str | None) -> None:
    if text:
        text = _NOT_XML.sub("", text)
        if len(dst):
            dst[-1].tail = (dst[-1].tail or "") + text
        else:
            dst.text = (dst.text or "") + text


def _append_html(dst: etree._Element, src) -> None:
    """Append parsed HTML's text and elements to dst in the XHTML namespace (body_html is
    sanitized already). A comment drops out, the text after it stays."""
    _append_text(dst, src.text)
    for el in src:
        if isinstance(el.tag, str):
            _append_html(etree.SubElement(dst, f"{{{XHTML}}}{el.tag}", dict(el.attrib)), el)
        _append_text(dst, el.tail)


def _xhtml(release: Release) -> etree._Element:
    c, lang = release.content, release.language
    body = _e("body", ns=XHTML)
    if c.type == ADHOC:  # the legal header comes first, as MAR requires it to be recognisable
        body.append(_e("p", ADHOC_HEADER, ns=XHTML, **{"class": "disclosure"}))
    if c.lead:
        body.append(_e("p", c.lead, ns=XHTML, **{"class": "lead"}))
    _append_html(body, lxml.html.fragment_fromstring(c.body_html, create_parent="div"))
    for para in re.split(r"\n\s*\n", c.boilerplate.strip()) if c.boilerplate.strip() else ():
        body.append(_e("p", para.strip(), ns=XHTML, **{"class": "boilerplate"}))
    body.extend(_e("p", contact_line(x), ns=XHTML, **{"class": "contact"}) for x in c.contacts)
    return _e("html", {XML_LANG: lang}, _e("head", _e("title", c.headline, ns=XHTML), ns=XHTML), body,
              ns=XHTML, lang=lang, dir="rtl" if lang in RTL else None)


def _names(en: str, local: str, lang: str) -> list:
    names = [_e("name", {XML_LANG: "en"}, en)]
    return names + [_e("name", {XML_LANG: lang}, local)] if local != en else names


def _creator(release: Release, site: Site) -> etree._Element:
    """The issuer, with its website, press contacts and stock symbols."""
    issuer, c = release.issuer, release.content
    details = [_e("contactInfo", _e("web", issuer.website)) if issuer.website else None]
    details += [_e("contactInfo", _e("email", x.email) if x.email else None,
                   _e("phone", x.phone) if x.phone else None, _e("note", contact_line(x))) for x in c.contacts]
    for ticker in c.tickers:
        exchange, symbol = ticker_parts(ticker)
        details.append(_e("hasInstrument", symbol=symbol, marketlabel=exchange,
                          symbolsrcuri=None if exchange else ISIN))
    return _e("creator", _e("name", issuer.name), _e("organisationDetails", details),
              uri=site.url(site.issuer_path(release.language, issuer.slug)), literal=issuer.slug)


def _disclosure(c) -> etree._Element | None:
    """An ad-hoc disclosure's header, notifier, exchange and ISINs as a described note."""
    if c.type != ADHOC or c.disclosure is None:
        return None
    d = c.disclosure
    text = f"{ADHOC_HEADER}. Notifier: {d.notifier}. Exchange: {d.exchange}. ISIN: {', '.join(d.isins)}."
    return _e("description", text, role="drol:disclosure")


# A picture's renditions as IPTC's rendition NewsCodes (http://cv.iptc.org/newscodes/rendition/)
RENDITION_CODES = {"thumbnail": "rnd:thumbnail", "large": "rnd:web", "original": "rnd:highRes"}


def _remote_content(release: Release, site: Site) -> list:
    """Each rendition of each picture and document, by reference (remoteContent)."""
    out = []
    for item in release.media:
        for r in item.renditions:
            sizes = {"width": str(r.width), "height": str(r.height)} if r.width else {}
            out.append(_e("remoteContent", href=site.media_url(item, r), contenttype=r.mime, size=str(r.size),
                          rendition=RENDITION_CODES.get(r.name) if item.is_image else None, **sizes))
    return out


def render(release: Release, site: Site) -> bytes:
    c, issuer, lang, version = release.content, release.issuer, release.language, release.current

    subjects = []
    for qcode in c.industries:
        topic = media_topics().get(qcode)
        names = _names(topic.label("en"), topic.label(lang), lang) if topic else []
        subjects.append(_e("subject", names, type="cpnat:abstract", qcode=qcode))
    for region in c.regions:
        subjects.append(_e("subject", _names(region_name(region), region_name(region, lang), lang),
                           type="cpnat:geoArea", qcode=f"iso3166-1a2:{region}"))

    item_meta = _e(
        "itemMeta",
        _e("itemClass", qcode="ninat:text"),
        _e("provider", _e("name", site.name), literal=site.name),
        _e("versionCreated", timestamp(version.created_at)),
        _e("firstCreated", timestamp(release.created_at)),
        # An embargo matters only until the release goes out.
        _e("embargoed", timestamp(release.embargo_until))
        if release.embargo_until and not release.published_at else None,
        _e("pubStatus", qcode=f"stat:{pubstatus(release.status)}"),
        [_e("edNote", n) for n in ednotes(release)],
        _e("link", rel="irel:seeAlso", href=site.release_url(release), contenttype="text/html"),
        _e("link", rel="irel:seeAlso", href=site.api_url(release),
           contenttype="application/json"),
    )
    content_meta = _e(
        "contentMeta",
        _e("contentCreated", timestamp(release.created_at)),
        _e("contentModified", timestamp(version.created_at)) if version.number > 1 else None,
        _e("located", _e("name", c.dateline.city)) if c.dateline else None,
        _creator(release, site),
        _e("language", tag=lang),
        subjects,
        [_e("keyword", k) for k in c.keywords],
        _e("slugline", release.slug),
        _e("headline", c.headline, rank="1" if c.subheadline else None),
        # G2 has no IPTC headline-role vocabulary; rank 2 marks the subheadline.
        _e("headline", c.subheadline, rank="2") if c.subheadline else None,
        _e("dateline", ", ".join([c.dateline.city] + ([c.dateline.date.isoformat()] if c.dateline.date else [])))
        if c.dateline else None,
        _e("by", issuer.name),
        _e("creditline", issuer.name),
        _e("description", c.lead, role="drol:summary") if c.lead else None,
        _disclosure(c),
    )
    rights = _e(
        "rightsInfo",
        _e("copyrightHolder", _e("name", issuer.name), uri=issuer.website or None),
        _e("copyrightNotice", c.attribution) if c.attribution else None,
        _e("usageTerms", site.disclaimer) if site.disclaimer else None,
    )
    root = _e("newsItem", {XML_LANG: lang}, _e("catalogRef", href=CATALOG), rights, item_meta, content_meta,
              _e("contentSet", _e("inlineXML", _xhtml(release), contenttype="application/xhtml+xml"),
                 _remote_content(release, site)),
              guid=guid(release, site), version=version.number, standard="NewsML-G2", standardversion="2.35",
              conformance="power")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
