"""Google News sitemap: the releases of the last two days, for news search engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lxml import etree

from ..domain.models import Release
from .site import Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
WINDOW = dt.timedelta(days=2)  # Google News reads only articles from the last two days
MAX_URLS = 1000  # and at most this many per sitemap


def news_language(tag: str) -> str:
    """Google's codes: ISO 639 two letters, except Chinese, which it names by script as zh-cn / zh-tw."""
    if tag == "zh-Hans":
        return "zh-cn"
    if tag == "zh-Hant":
        return "zh-tw"
    return tag.split("-", 1)[0].lower()


def _w3c(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def news_sitemap(releases: Sequence[Release], site: Site) -> bytes:
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    for r in releases[:MAX_URLS]:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = site.release_url(r)
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        pub = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(pub, f"{{{NEWS_NS}}}name").text = site.name
        etree.SubElement(pub, f"{{{NEWS_NS}}}language").text = news_language(r.language)
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = _w3c(r.published_at)
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = r.content.headline
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)
