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
from ..api.openapi import NOT_MODIFIED, content, errors
from ..conditional import http_date, not_modified, strong_etag
from ..deps import listings, site

FEED_ITEMS = "x-newswire-feed-items"  # internal: taken off before the answer leaves (web/reports/feedcount.py)

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


FEED_RESPONSES = {
    200: {"description": "The feed", "content": {
        m: {"schema": {"type": "object"} if m.endswith("json") else {"type": "string"}} for _, m in KINDS.values()}},
    301: {"description": "The feed's one address (a language tag in another form: zh-CN, EN, en-GB)"},
    **NOT_MODIFIED,
    404: content("text/html", description="No such feed: the public site's page"),
    **errors(422),
}


@router.get("/feeds/{name}", summary="Latest releases as RSS, Atom or JSON Feed", response_class=Response,
            responses=FEED_RESPONSES)
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
    response = conditional(request, f.body, f.media_type, f.last_modified, f.link_header)
    # What the feed carries, for the reports' feed-fetch counts; web/reports/feedcount.py takes it off.
    response.headers[FEED_ITEMS] = ",".join(f"{rid}:{lg}" for rid, lg in f.carried)
    return response


@router.get("/sitemap-news.xml", summary="Google News sitemap (last two days)", response_class=Response,
           responses={200: content("application/xml", description="The sitemap"), **NOT_MODIFIED,
                      404: content("text/html", description="A query the site cannot read: its page")})
def news_sitemap(request: Request, ls: Listings = Depends(listings)):
    body, last_modified = ls.news_sitemap()
    return conditional(request, body, "application/xml", last_modified)


# HEAD answers like GET (feed readers probe with it); kept out of the OpenAPI document so the
# two methods do not share an operation id.
router.add_api_route("/feeds/{name}", feed, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/sitemap-news.xml", news_sitemap, methods=["HEAD"], include_in_schema=False)
