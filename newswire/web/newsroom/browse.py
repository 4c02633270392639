"""Browsing the newsroom: the industry, region and issuer indexes, a region's releases, and search.

Only what is public at the request's instant appears: the counts, listings and search results
all come through the browse and listings services' public conditions.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ...domain.errors import InvalidInput
from ...domain.queries import ListQuery
from ...domain.search import highlight
from ...domain.vocab import is_region, media_topics, region_name
from ..deps import browse as _browse
from ..deps import listings as _listings
from ..deps import site as _site
from .pages import _lang, _listing, _not_found, _page, release_teaser

router = APIRouter(include_in_schema=False)
SEARCH_FIELDS = ("q", "language", "industry", "region", "issuer", "from", "to", "page")


@router.get("/{lang}/industries")
def industries_index(request: Request, lang: str):
    lang = _lang(lang)
    site = _site(request)
    return _page(request, "industries.html", lang, {"section": "industries",
        "topics": _browse(request).industries(lang), "canonical": site.url(site.industries_path(lang))})


@router.get("/{lang}/regions")
def regions_index(request: Request, lang: str):
    lang = _lang(lang)
    site = _site(request)
    found = _browse(request).regions(lang)
    regions = sorted(found.items(), key=lambda item: region_name(item[0], lang).casefold())
    return _page(request, "regions.html", lang, {"section": "regions",
        "regions": regions, "canonical": site.url(site.regions_path(lang))})


@router.get("/{lang}/regions/{code}")
def region_page(request: Request, lang: str, code: str, cursor: str | None = None):
    lang = _lang(lang)
    if not (code.isascii() and code.isalpha() and len(code) == 2 and is_region(code.upper())):
        raise _not_found()
    site = _site(request)
    if code != code.upper():
        return RedirectResponse(site.region_path(lang, code), status_code=301)
    query = ListQuery(public_at=_listings(request).clock(), language=lang, region=code)
    items, next_cursor = _listing(request, query, cursor)
    return _page(request, "region.html", lang, {"section": "regions",
        "code": code, "releases": items, "next_cursor": next_cursor, "first_page": not cursor,
        "canonical": site.url(site.region_path(lang, code))})


@router.get("/{lang}/issuers")
def issuers_index(request: Request, lang: str):
    lang = _lang(lang)
    site = _site(request)
    return _page(request, "issuers.html", lang, {"section": "issuers",
        "issuers": _browse(request).issuers(lang), "canonical": site.url(site.issuers_path(lang))})


@router.get("/{lang}/search")
def search_page(request: Request, lang: str):
    lang = _lang(lang)
    asked = {name: request.query_params.get(name, "").strip() for name in SEARCH_FIELDS}
    browse, site = _browse(request), _site(request)
    context = {"section": "search", "asked": asked, "errors": {}, "result": None, "choices": _choices(browse, lang),
               "canonical": None}
    status = 200
    if any(asked[name] for name in SEARCH_FIELDS if name != "page"):
        try:
            result = browse.search(lang, asked["q"], language=asked["language"], industry=asked["industry"],
                                   region=asked["region"], issuer=asked["issuer"], date_from=asked["from"],
                                   date_to=asked["to"], page=asked["page"] or "1")
        except InvalidInput as exc:
            context["errors"] = {e.field: e.message for e in exc.errors}
            status = 400
        else:
            here = site.search_path(lang)
            context.update(result=result, items=[_item(r, result.phrases) for r in result.releases],
                           prev_url=_page_url(here, result.params, result.page - 1) if result.page > 1 else None,
                           next_url=_page_url(here, result.params, result.page + 1)
                           if result.page < result.pages else None)
    return _page(request, "search.html", lang, context, status=status)


def _item(release, query) -> dict:
    return {"release": release, "headline": highlight(release.content.headline, query),
            "teaser": highlight(release_teaser(release), query)}


def _page_url(here: str, params: dict, number: int) -> str:
    return here + "?" + urlencode({**params, **({"page": number} if number > 1 else {})})


def _choices(browse, lang: str) -> dict:
    """What the search form's lists offer: the industries, regions and issuers with releases here."""
    topics = media_topics()
    industries = []
    for top in browse.industries(lang):
        industries.append((top.qcode, topics.get(top.qcode).label(lang), 0))
        industries += [(q, topics.get(q).label(lang), 1) for q, _ in top.narrower]
    regions = sorted(browse.regions(lang), key=lambda c: region_name(c, lang).casefold())
    return {"industries": industries, "regions": [(c, region_name(c, lang)) for c in regions],
            "issuers": [(slug, name) for slug, name, _ in browse.issuers(lang)]}
