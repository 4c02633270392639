"""A release as IPTC ninjs 2.1 (News in JSON), the content API's native format.

Field choices follow the 2.1 schema: headlines/descriptions/bodies are arrays of
{role, contenttype, value}; the issuer is an organisation (with its stock symbols), its logo
an ``issuer-logo`` picture association (2.1's organisations have no picture);
press contacts are people with contact info, and also a plain-text body so that
their role and organisation survive. ninjs 2.1 has no keywords field, so keywords
become subjects without a URI.
"""

from __future__ import annotations

from ..domain.exchanges import ADHOC, ADHOC_HEADER
from ..domain.models import Contact, Media, Release
from ..domain.vocab import media_topics, region_name
from .newsml import ISIN, contact_line, ednotes, guid, pubstatus, ticker_parts, timestamp
from .newsml import MEDIA_TYPE as NEWSML_MEDIA_TYPE
from .site import Site

SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"
ISO3166 = "http://cvx.iptc.org/iso3166-1a2/"  # the IPTC catalog's scheme URI for alias iso3166-1a2


def _symbol(ticker: str) -> dict:
    exchange, symbol = ticker_parts(ticker)
    return {"ticker": symbol, "exchange": exchange} if exchange else {"symbol": symbol, "symboltype": ISIN}


def _person(c: Contact) -> dict:
    info = [{"type": "email", "value": c.email}] if c.email else []
    info += [{"type": "phone", "value": c.phone}] if c.phone else []
    person = {"name": c.name or c.organisation or c.email or c.phone, "rel": "contact"}
    return {**person, "contactinfo": info} if info else person


def rendition(item: Media, r, site: Site) -> dict:
    out = {"name": r.name, "href": site.media_url(item, r), "contenttype": r.mime, "sizeinbytes": r.size}
    return {**out, "width": r.width, "height": r.height} if r.width else out


def media_association(item: Media, site: Site) -> dict:
    """A picture (with its thumbnail, 1200 px and original renditions) or a PDF document."""
    original = item.rendition("original") or item.renditions[-1]
    out = {"name": f"{item.kind}-{item.position + 1}", "uri": site.media_url(item, original),
           "type": "picture" if item.is_image else "text", "representationtype": "full",
           "renditions": [rendition(item, r, site) for r in item.renditions]}
    if item.caption:
        out["headlines"] = [{"role": "main", "value": item.caption}]
    descriptions = [{"role": "alt", "contenttype": "text/plain", "value": item.alt_text}] if item.alt_text else []
    descriptions += [{"role": "caption", "contenttype": "text/plain", "value": item.caption}] if item.caption else []
    if descriptions:
        out["descriptions"] = descriptions
    if item.credit:
        out["by"] = item.credit
        out["copyrightholder"] = item.credit
    return out


def logo_association(release: Release, site: Site) -> dict:
    """The issuer's logo, named ``issuer-logo``, tied to the issuer organisation by its literal."""
    issuer = release.issuer
    out = {**media_association(issuer.logo, site), "name": "issuer-logo", "by": issuer.name,
           "copyrightholder": issuer.name,
           "organisations": [{"name": issuer.name, "rel": "logo-of", "literal": issuer.slug,
                              "uri": site.url(site.issuer_path(release.language, issuer.slug))}]}
    out.pop("headlines", None)
    return out


def render(release: Release, site: Site) -> dict:
    c, issuer, lang = release.content, release.issuer, release.language
    out = {
        "standard": {"name": "ninjs", "version": "2.1", "schema": SCHEMA},
        "uri": site.release_guid(release),
        "type": "text",
        "representationtype": "full",
        "version": str(release.current.number),
        "firstcreated": timestamp(release.created_at),
        "versioncreated": timestamp(release.current.created_at),
        "contentcreated": timestamp(release.created_at),
        "pubstatus": pubstatus(release.status),
        "language": lang,
        "slugline": release.slug,
        "headlines": _headlines(c),
        "descriptions": _descriptions(c),
        "bodies": _bodies(c),
        "by": issuer.name,
        "located": c.dateline.city if c.dateline else "",
        "organisations": [_organisation(release, site)],
        "people": [_person(x) for x in c.contacts],
        "subjects": _subjects(c, lang),
        "places": [{"name": region_name(r, lang), "literal": r, "uri": ISO3166 + r} for r in c.regions],
        "copyrightholder": issuer.name,
        "copyrightnotice": c.attribution,
        "usageterms": site.disclaimer,
        "ednote": "\n".join(ednotes(release)),
        "altids": [{"role": "newsml-g2-guid", "value": guid(release, site)}],
        "renditions": [
            {"name": "newsroom", "href": site.release_url(release), "contenttype": "text/html",
             "title": c.headline},
            {"name": "newsml-g2", "href": site.api_url(release, ".xml")
             + (f"?lang={lang}" if release.translation is not None else ""), "contenttype": NEWSML_MEDIA_TYPE},
        ],
        "associations": _associations(release, site),
    }
    # An embargo matters only until the release goes out; afterwards it is history, not an instruction.
    if release.embargo_until and release.published_at is None:
        out["embargoed"] = timestamp(release.embargo_until)
    return {k: v for k, v in out.items() if v not in ("", [], None)}


def _headlines(c) -> list[dict]:
    headlines = [{"role": "main", "value": c.headline}]
    if c.subheadline:
        headlines.append({"role": "sub", "value": c.subheadline})
    return headlines


def _bodies(c) -> list[dict]:
    bodies = [{"role": "main", "contenttype": "text/html", "value": c.body_html}]
    if c.boilerplate:
        bodies.append({"role": "boilerplate", "contenttype": "text/plain", "value": c.boilerplate})
    if c.contacts:
        bodies.append({"role": "contacts", "contenttype": "text/plain",
                       "value": "\n".join(contact_line(x) for x in c.contacts)})
    return bodies


def _descriptions(c) -> list[dict]:
    descriptions = [{"role": "summary", "contenttype": "text/plain", "value": c.lead}] if c.lead else []
    if c.type == ADHOC and c.disclosure is not None:
        d = c.disclosure
        descriptions.insert(0, {"role": "disclosure", "contenttype": "text/plain", "value": ADHOC_HEADER})
        descriptions.append({"role": "disclosure-details", "contenttype": "text/plain",
                             "value": f"Notifier: {d.notifier}. Exchange: {d.exchange}. ISIN: {', '.join(d.isins)}."})
    return descriptions


def _organisation(release: Release, site: Site) -> dict:
    c, issuer = release.content, release.issuer
    organisation = {"name": issuer.name, "rel": "issuer", "literal": issuer.slug,
                    "uri": site.url(site.issuer_path(release.language, issuer.slug))}
    symbols = list(dict.fromkeys([*c.tickers, *(c.disclosure.isins if c.disclosure else ())]))
    if symbols:
        organisation["symbols"] = [_symbol(t) for t in symbols]
    if issuer.website:
        organisation["contactinfo"] = [{"type": "web", "value": issuer.website}]
    return organisation


def _subjects(c, lang: str) -> list[dict]:
    topics, subjects = media_topics(), []
    for qcode in c.industries:
        topic = topics.get(qcode)
        subjects.append({"name": topic.label(lang), "uri": topic.uri, "literal": qcode} if topic
                        else {"literal": qcode})
    return subjects + [{"name": k} for k in c.keywords]


def _associations(release: Release, site: Site) -> list[dict]:
    """The language versions (an original lists its translations, a translation its original), the
    pictures and documents, and the issuer's logo."""
    out = []
    if release.translation is not None:  # a language version points at its original
        t = release.translation
        out.append({"name": "original", "uri": site.release_guid(release, t.original_language),
                    "language": t.original_language, "type": "text",
                    "renditions": [{"name": "ninjs", "contenttype": "application/json",
                                    "href": site.api_url(release)},
                                   {"name": "newsroom", "contenttype": "text/html",
                                    "href": site.release_url(release, t.original_language)}]})
    elif release.translations:  # and an original points at its language versions
        out += [{"name": f"translation-{lang}", "uri": site.release_guid(release, lang), "language": lang,
                 "type": "text",
                 "renditions": [{"name": "ninjs", "contenttype": "application/json",
                                 "href": site.api_url(release, f"?lang={lang}")},
                                {"name": "newsroom", "contenttype": "text/html",
                                 "href": site.release_url(release, lang)}]}
                for lang in release.translations if lang != release.language]
    out += [media_association(m, site) for m in release.media]
    if release.issuer.logo is not None:  # ninjs 2.1's organisations have no picture: the logo is an association
        out.append(logo_association(release, site))
    return out
