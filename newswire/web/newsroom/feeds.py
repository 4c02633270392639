"""/feeds/{lang}.rss|.atom|.json and /sitemap-news.xml: thin routes over the listings service.

Every listing there is ListQuery(public_at=now, ...), so nothing embargoed or withdrawn can
reach a feed. Responses carry a strong ETag (a hash of the bytes) and Last-Modified, and answer
conditional requests with 304 (web/conditional.py; once cached, web/cache.py answers them without
calling the route). Feeds advertise the WebSub hub (web/newsroom/websub.py), which
pushes the bytes ``Listings.feed`` makes.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from ...domain import languages
from ...formats.feeds import KINDS
from ...formats.site import Site
from ...services.listings import Listings
from ..conditional import http_date, not_modified, strong_etag
from ..deps import listings, site

router = APIRouter(tags=["feeds"])
CACHE_CONTROL = "public, max-age=60"


def conditional(request: Request, body: bytes, media_type: str, last_modified: dt.datetime | None,
                link: str | None = None) -> Response:
    etag = strong_etag(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if link:
        headers["Link"] = link
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    if not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"), (etag,),
                    last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/feeds/{name}", summary="Latest releases as RSS, Atom or JSON Feed",
                  responses={200: {"content": {m: {} for _, m in KINDS.values()}}, 304: {}, 404: {}, 422: {}})
def feed(request: Request, name: str, industry: str | None = None, region: str | None = None,
         issuer: str | None = None, ls: Listings = Depends(listings), st: Site = Depends(site)):
    lang, _, kind = name.rpartition(".")
    if kind not in KINDS or not lang:
        raise HTTPException(404)
    if lang not in languages.SUPPORTED:
        canonical = languages.normalize(lang)
        if canonical is None:
            raise HTTPException(404)
        # zh-CN, EN, en-GB …: send readers to the one URL the feed lives at.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(st.feed_path(canonical, kind) + query, status_code=301)
    f = ls.feed(lang, kind, industry=industry, region=region, issuer=issuer)
    return conditional(request, f.body, f.media_type, f.last_modified, f.link_header)


@router.get("/sitemap-news.xml", summary="Google News sitemap (last two days)",
                  responses={200: {"content": {"application/xml": {}}}, 304: {}})
def news_sitemap(request: Request, ls: Listings = Depends(listings)):
    body, last_modified = ls.news_sitemap()
    return conditional(request, body, "application/xml", last_modified)


# HEAD answers like GET (feed readers probe with it); kept out of the OpenAPI document so the
# two methods do not share an operation id.
router.add_api_route("/feeds/{name}", feed, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/sitemap-news.xml", news_sitemap, methods=["HEAD"], include_in_schema=False)
