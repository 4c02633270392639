"""schema.org NewsArticle JSON-LD for a release page, and the dateline text pages and formats share."""

from __future__ import annotations

import datetime as dt
import json

from babel.dates import format_date

from ..domain.models import Content, Media, Release
from ..domain.text import html_to_text
from ..domain.vocab import media_topics, region_name
from .site import Site
from .timestamps import machine_time


def babel_locale(lang: str) -> str:
    return lang.replace("-", "_")


def long_date(day: dt.date, lang: str) -> str:
    return format_date(day, format="long", locale=babel_locale(lang))


def dateline(content: Content, lang: str, fallback: dt.date | None = None) -> str:
    """'BERLIN, November 20, 2026' in the page's language; just the date when no city was given."""
    day = (content.dateline.date if content.dateline else None) or fallback
    city = content.dateline.city.upper() if content.dateline else ""
    date = long_date(day, lang) if day else ""
    return ", ".join(x for x in (city, date) if x)


def _modified(release: Release) -> dt.datetime | None:
    # The current version's time counts only once public; drafts predate publication.
    times = [t for t in (release.published_at, release.current.created_at) if t]
    return max(times) if release.published_at else None


def render(release: Release, site: Site) -> dict:
    c = release.content
    lang = release.language
    url = site.release_url(release)
    topics = [t for t in (media_topics().get(q) for q in c.industries) if t]
    issuer = {"@type": "Organization", "name": release.issuer.name,
              "url": release.issuer.website or site.url(site.issuer_path(lang, release.issuer.slug))}
    if (logo := release.issuer.logo) is not None:  # the issuer's; the publisher is the wire, which has none
        shown = logo.largest
        issuer["logo"] = {"@type": "ImageObject", "url": site.media_url(logo, shown), "width": shown.width,
                          "height": shown.height, "caption": logo.alt_text or release.issuer.name}
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": c.headline,
        "inLanguage": lang,
        "datePublished": machine_time(release.published_at) or None,
        "dateModified": machine_time(_modified(release) or release.updated_at),
        "author": issuer,
        "sourceOrganization": issuer,
        "publisher": {"@type": "Organization", "name": site.name, "url": site.base_url},
        "isAccessibleForFree": True,
        "articleBody": html_to_text(c.body_html, paragraph_break="\n"),
    }
    if c.subheadline:
        data["alternativeHeadline"] = c.subheadline
    if c.lead:
        data["description"] = c.lead
    line = dateline(c, lang, release.published_at.date() if release.published_at else None)
    if line:
        data["dateline"] = line
    if topics:
        data["about"] = [{"@type": "Thing", "name": t.label(lang), "sameAs": t.uri} for t in topics]
    keywords = list(dict.fromkeys([*c.keywords, *(t.label(lang) for t in topics)]))
    if keywords:
        data["keywords"] = keywords
    if c.regions:
        data["contentLocation"] = [{"@type": "Country", "name": region_name(r, lang), "identifier": r}
                                   for r in c.regions]
    notes = [v.correction_note for v in (*release.corrections, release.current) if v.correction_note]
    if notes:
        data["correction"] = [{"@type": "CorrectionComment", "text": n} for n in notes]
    if c.attribution:
        data["creditText"] = c.attribution
    if release.pictures:
        data["image"] = [_image(m, site) for m in release.pictures]
    if (t := release.translation) is not None:  # schema.org's way to say "a translation of that"
        data["translationOfWork"] = {"@type": "NewsArticle", "@id": site.release_url(release, t.original_language),
                                     "inLanguage": t.original_language}
        data["translator"] = [{"@type": "Organization", "name": f"{e} (machine translation)"} for e in t.engines] \
            or [{"@type": "Organization", "name": site.name}]
    return {k: v for k, v in data.items() if v is not None}


def _image(item: Media, site: Site) -> dict:
    shown = item.largest
    out = {"@type": "ImageObject", "url": site.media_url(item, shown), "contentUrl": site.media_url(item, shown),
           "encodingFormat": shown.mime, "width": shown.width, "height": shown.height, "description": item.alt_text}
    if item.caption:
        out["caption"] = item.caption
    if item.credit:
        out["creditText"] = item.credit
    thumb = item.rendition("thumbnail")
    if thumb:
        out["thumbnailUrl"] = site.media_url(item, thumb)
    return out


def to_script(data: dict) -> str:
    """JSON for inside <script>: '<', '>' and '&' escaped so '</script>' in a headline cannot end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text
