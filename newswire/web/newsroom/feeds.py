"""/feeds/{lang}.rss|.atom|.json and /sitemap-news.xml: thin routes over newswire.formats.

Every listing here is ListQuery(public_at=now, ...), so nothing embargoed or
withdrawn can reach a feed. Responses carry a strong ETag (a hash of the bytes)
and Last-Modified, and answer conditional requests with 304. Feeds advertise the
WebSub hub (web/newsroom/websub.py), which pushes the bytes ``build_feed`` makes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from ...domain import languages
from ...domain.errors import Collector
from ...domain.vocab import media_topics, normalize_qcode, region_name
from ...formats import feeds, sitemap
from ...formats.site import Site
from ...storage.releases import ListQuery
from ...workflow.wire import Wire
from .. import filters
from ..deps import wire

router = APIRouter(tags=["feeds"])

KINDS = {
    "rss": (feeds.rss, "application/rss+xml"),
    "atom": (feeds.atom, "application/atom+xml"),
    "json": (feeds.json_feed, "application/feed+json"),
}
LIMIT = 50
CACHE_CONTROL = "public, max-age=60"
HUB_PATH = "/websub"  # the WebSub hub every feed advertises


def _site(request: Request) -> Site:
    return Site.from_settings(request.app.state.wire.settings)


def _not_modified(request: Request, etag: str, last_modified: dt.datetime | None) -> bool:
    # RFC 9110 §13.2.2: If-None-Match (weak comparison) decides when present; If-Modified-Since only otherwise.
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    ims = request.headers.get("if-modified-since")
    if not ims or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    return last_modified.replace(microsecond=0) <= since  # HTTP dates have whole seconds


def conditional(request: Request, body: bytes, media_type: str, last_modified: dt.datetime | None,
                link: str | None = None) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if link:
        headers["Link"] = link
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(dt.timezone.utc), usegmt=True)
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _last_modified(newest: dt.datetime | None, w: Wire, q: ListQuery) -> dt.datetime | None:
    """The newest entry's time, but never earlier than the last public change: a withdrawal
    removes an entry without adding a newer one, and If-Modified-Since must still see it."""
    times = [t for t in (newest, w.last_change(q)) if t is not None]
    return max(times, default=None)


def _title(site: Site, lang: str, w: Wire, params: dict) -> str:
    parts = []
    if "issuer" in params:
        parts.append(w.issuer(params["issuer"]).name)
    if "industry" in params:
        parts.append(media_topics().get(params["industry"]).label(lang))
    if "region" in params:
        parts.append(region_name(params["region"], lang))
    return f"{site.name} — " + (" · ".join(parts) or languages.SUPPORTED[lang])


@dataclass(frozen=True)
class Feed:
    body: bytes
    media_type: str
    last_modified: dt.datetime | None
    self_url: str
    hub_url: str

    @property
    def link_header(self) -> str:
        """WebSub discovery (and content distribution) by HTTP header."""
        return f'<{self.hub_url}>; rel="hub", <{self.self_url}>; rel="self"'


def feed_query(w: Wire, lang: str, kind: str, *, industry: str | None = None, region: str | None = None,
               issuer: str | None = None) -> tuple[ListQuery, dict, str]:
    """The listing, canonical filters and self URL of /feeds/{lang}.{kind} (``lang`` canonical).
    Raises InvalidInput for a bad filter. The WebSub hub uses it to canonicalize topics."""
    c = Collector()
    base = filters.parse(w, c, industry=industry, region=region, issuer=issuer)
    c.raise_if_any()
    params = {}  # the filters in canonical form, for the self URL and the title
    if issuer:
        params["issuer"] = base["issuer_slug"]
    if industry:
        params["industry"] = normalize_qcode(industry)
    if region:
        params["region"] = base["region"]
    site = Site.from_settings(w.settings)
    self_url = site.url(site.feed_path(lang, kind)) + (f"?{urlencode(sorted(params.items()))}" if params else "")
    return ListQuery(public_at=w.clock(), language=lang, **base), params, self_url


def build_feed(w: Wire, lang: str, kind: str, **filter_values) -> Feed:
    """Exactly what GET /feeds/{lang}.{kind} answers: the route and WebSub pushes share it."""
    q, params, self_url = feed_query(w, lang, kind, **filter_values)
    site = Site.from_settings(w.settings)
    items, _ = w.list(q, limit=LIMIT)
    newest = max((feeds.updated_at(r) for r in items), default=None)
    last_modified = _last_modified(newest, w, q)
    render, media_type = KINDS[kind]
    hub = site.url(HUB_PATH)
    body = render(items, site, lang, _title(site, lang, w, params), self_url, updated=last_modified, hub=hub)
    return Feed(body, media_type, last_modified, self_url, hub)


@router.get("/feeds/{name}", summary="Latest releases as RSS, Atom or JSON Feed",
                  responses={200: {"content": {m: {} for _, m in KINDS.values()}}, 304: {}, 404: {}, 422: {}})
def feed(request: Request, name: str, industry: str | None = None, region: str | None = None,
         issuer: str | None = None, w: Wire = Depends(wire)):
    lang, _, kind = name.rpartition(".")
    if kind not in KINDS or not lang:
        raise HTTPException(404)
    site = _site(request)
    if lang not in languages.SUPPORTED:
        canonical = languages.normalize(lang)
        if canonical is None:
            raise HTTPException(404)
        # zh-CN, EN, en-GB …: send readers to the one URL the feed lives at.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(site.feed_path(canonical, kind) + query, status_code=301)
    f = build_feed(w, lang, kind, industry=industry, region=region, issuer=issuer)
    return conditional(request, f.body, f.media_type, f.last_modified, f.link_header)


@router.get("/sitemap-news.xml", summary="Google News sitemap (last two days)",
                  responses={200: {"content": {"application/xml": {}}}, 304: {}})
def news_sitemap(request: Request, w: Wire = Depends(wire)):
    now = w.clock()
    q = ListQuery(public_at=now, since=now - sitemap.WINDOW, every_language=True)
    items, _ = w.list(q, limit=sitemap.MAX_URLS)
    newest = max((r.published_at for r in items), default=None)
    body = sitemap.news_sitemap(items, _site(request))
    return conditional(request, body, "application/xml", _last_modified(newest, w, q))


# HEAD answers like GET (feed readers probe with it); kept out of the OpenAPI document so the
# two methods do not share an operation id.
router.add_api_route("/feeds/{name}", feed, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/sitemap-news.xml", news_sitemap, methods=["HEAD"], include_in_schema=False)
