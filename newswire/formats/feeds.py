"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for a list of public releases.

Pure functions: the caller has already chosen the releases (live, past their
release time, newest first). Output depends only on the arguments, so equal
inputs give equal bytes and the route can hash them for an ETag.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..domain.models import Release
from ..domain.vocab import media_topics
from ..domain.text import html_to_text as to_text
from .site import Site

MEDIATOPIC_SCHEME = "http://cv.iptc.org/newscodes/mediatopic/"
REGION_SCHEME = "http://cvx.iptc.org/iso3166-1a2/"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"
# An empty feed still needs a fixed date: feedgen would stamp "now" and change the ETag every second.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

_FIRST_P = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)


@dataclass(frozen=True)
class Category:
    term: str
    scheme: str
    label: str


@dataclass(frozen=True)
class Enclosure:
    """A picture (its 1200 px rendition, else the original) or a document of a release."""

    url: str
    mime: str
    size: int
    title: str
    width: int = 0
    height: int = 0
    thumbnail: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def enclosures(release: Release, site: Site) -> tuple[Enclosure, ...]:
    out = []
    for m in release.media:
        shown, thumb = m.largest, m.rendition("thumbnail")
        out.append(Enclosure(site.media_url(m, shown), shown.mime, shown.size, m.caption or m.alt_text or m.filename,
                             shown.width, shown.height, site.media_url(m, thumb) if thumb else ""))
    return tuple(out)


@dataclass(frozen=True)
class Entry:
    """What every format says about one release."""

    id: str
    url: str
    title: str
    summary: str
    content_html: str
    published: dt.datetime
    updated: dt.datetime
    author: str
    author_url: str
    categories: tuple[Category, ...]
    language: str
    enclosures: tuple[Enclosure, ...] = ()


def summary_text(release: Release) -> str:
    c = release.content
    if c.lead:
        return c.lead
    m = _FIRST_P.search(c.body_html)
    return to_text(m.group(1) if m else c.body_html).split("\n\n", 1)[0]


def content_html(release: Release) -> str:
    """The sanitized body, then the issuer's boilerplate (plain text, so escaped here)."""
    c = release.content
    parts = [c.body_html]
    for para in re.split(r"\n\s*\n", c.boilerplate.strip()):
        if para.strip():
            parts.append("<p>" + html.escape(para.strip()).replace("\n", "<br>") + "</p>")
    return "\n".join(parts)


def updated_at(release: Release) -> dt.datetime:
    # A correction's version postdates publication; an uncorrected release was written before it.
    return max(release.published_at, release.current.created_at)


def entry(release: Release, site: Site, lang: str) -> Entry:
    c = release.content
    topics = media_topics()
    cats = []
    for q in c.industries:
        topic = topics.get(q)
        if topic is not None:
            cats.append(Category(q.split(":", 1)[1], MEDIATOPIC_SCHEME, topic.label(lang)))
    cats += [Category(r, REGION_SCHEME, r) for r in c.regions]
    return Entry(
        id=site.release_guid(release), url=site.release_url(release), title=c.headline,
        summary=summary_text(release), content_html=content_html(release), published=release.published_at,
        updated=updated_at(release), author=release.issuer.name,
        author_url=site.url(site.issuer_path(lang, release.issuer.slug)),
        categories=tuple(cats), language=release.language, enclosures=enclosures(release, site),
    )


def _entries(releases: Sequence[Release], site: Site, lang: str) -> list[Entry]:
    return [entry(r, site, lang) for r in releases]


def _feed_updated(entries: list[Entry], updated: dt.datetime | None) -> dt.datetime:
    return max((e.updated for e in entries), default=updated or EPOCH)


class _RssHub(BaseExtension):
    """feedgen writes only the self atom:link into RSS; WebSub discovery also needs rel="hub"."""

    href = ""

    def extend_rss(self, feed):
        etree.SubElement(feed.find("channel"), f"{{{ATOM_NS}}}link", href=self.href, rel="hub")
        return feed


class _Enclosures(BaseEntryExtension):
    """Atom: a link rel=enclosure for each picture and document (feedgen drops an entry link's rel);
    RSS: one enclosure (RSS allows one), the lead picture's."""

    def __init__(self):
        self.items: tuple[Enclosure, ...] = ()

    def extend_atom(self, entry):
        for x in self.items:
            etree.SubElement(entry, "link", rel="enclosure", href=x.url, type=x.mime, length=str(x.size),
                             title=x.title)
        return entry

    def extend_rss(self, entry):
        if self.items:
            x = next((i for i in self.items if i.is_image), self.items[0])
            etree.SubElement(entry, "enclosure", url=x.url, length=str(x.size), type=x.mime)
        return entry


def _generator(entries: list[Entry], site: Site, lang: str, title: str, self_url: str,
               updated: dt.datetime | None, hub: str | None) -> FeedGenerator:
    fg = FeedGenerator()
    # RSS has no per-item author name: dc:creator carries it. Its date is pubDate alone (no dc:date
    # beside it: two dates for one item, which validators flag); Atom and JSON Feed also say when it was updated.
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media", atom=False, rss=True)  # Media RSS: every picture and document in RSS
    fg.register_extension("enclosures", BaseExtension, _Enclosures, atom=True, rss=True)
    fg.id(self_url)
    fg.title(title)
    fg.subtitle(title)
    fg.link(href=self_url, rel="self")
    if hub:
        fg.link(href=hub, rel="hub")  # before "alternate": feedgen takes RSS <link> from the last one
        fg.register_extension("websub_hub", _RssHub, atom=False, rss=True)
        fg.websub_hub.href = hub
    fg.link(href=site.url(site.home_path(lang)), rel="alternate", type="text/html")
    fg.language(lang)
    fg.generator(site.name)
    fg.updated(_feed_updated(entries, updated))
    # feedgen prepends entries by default; order=append keeps newest first as given.
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.guid(e.id, permalink=False)
        fe.link(href=e.url, rel="alternate", type="text/html")
        fe.title(e.title)
        fe.summary(e.summary)
        fe.content(e.content_html, type="html")  # escaped, not CDATA: a body may contain "]]>"
        fe.published(e.published)
        fe.updated(e.updated)
        fe.author(name=e.author, uri=e.author_url)
        fe.dc.dc_creator(e.author)
        for cat in e.categories:
            fe.category(term=cat.term, scheme=cat.scheme, label=cat.label)
        _enclose(fe, e.enclosures)
    return fg


def _enclose(fe, items: tuple[Enclosure, ...]) -> None:
    """The enclosures (above), and in RSS a media:content (with a media:thumbnail) for each."""
    fe.enclosures.items = items
    for x in items:
        sizes = {"width": str(x.width), "height": str(x.height)} if x.width else {}
        fe.media.content(url=x.url, type=x.mime, fileSize=str(x.size), medium="image" if x.is_image else "document",
                         group=None, **sizes)
        if x.thumbnail:
            fe.media.thumbnail(url=x.thumbnail, group=None)


def rss(releases: Sequence[Release], site: Site, lang: str, title: str, self_url: str,
        *, updated: dt.datetime | None = None, hub: str | None = None) -> bytes:
    """RSS 2.0. ``updated`` dates an empty feed (otherwise the newest entry does);
    ``hub`` is the WebSub hub to advertise."""
    return _generator(_entries(releases, site, lang), site, lang, title, self_url, updated, hub).rss_str()


def atom(releases: Sequence[Release], site: Site, lang: str, title: str, self_url: str,
         *, updated: dt.datetime | None = None, hub: str | None = None) -> bytes:
    fg = _generator(_entries(releases, site, lang), site, lang, title, self_url, updated, hub)
    return fg.atom_str()


def _date(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def json_feed(releases: Sequence[Release], site: Site, lang: str, title: str, self_url: str,
              *, updated: dt.datetime | None = None, hub: str | None = None) -> bytes:
    """JSON Feed 1.1, built by hand: the format is a plain dict."""
    items = []
    for e in _entries(releases, site, lang):
        items.append({
            "id": e.id,
            "url": e.url,
            "title": e.title,
            "content_html": e.content_html,
            "summary": e.summary,
            "date_published": _date(e.published),
            "date_modified": _date(e.updated),
            "authors": [{"name": e.author, "url": e.author_url}],
            "tags": [c.label for c in e.categories],
            "language": e.language,
            **_json_media(e.enclosures),
        })
    doc = {
        "version": JSONFEED_VERSION,  # first, as the spec asks
        "title": title,
        "home_page_url": site.url(site.home_path(lang)),
        "feed_url": self_url,
        "language": lang,
        "items": items,
    }
    if hub:
        doc["hubs"] = [{"type": "WebSub", "url": hub}]
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _json_media(items: tuple[Enclosure, ...]) -> dict:
    out: dict = {}
    pictures = [x for x in items if x.is_image]
    if pictures:
        out["image"] = pictures[0].url
    if items:
        out["attachments"] = [{"url": x.url, "mime_type": x.mime, "size_in_bytes": x.size, "title": x.title}
                              for x in items]
    return out


# Feed kind → (renderer, media type): the routes, the WebSub hub and its pushes share it.
KINDS = {
    "rss": (rss, "application/rss+xml"),
    "atom": (atom, "application/atom+xml"),
    "json": (json_feed, "application/feed+json"),
}
