"""The public newsroom's HTML pages: home per language, release, issuer and industry pages
(the index pages, region pages and search are in ``browse.py``).

Everything not public answers with the same 404 page whether or not it exists,
so the site never reveals drafts, embargoed releases or their ids.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ...config import Settings
from ...domain import languages
from ...domain.exchanges import ADHOC_HEADER
from ...domain.models import Release, Status
from ...domain.queries import ListQuery
from ...domain.teasers import teaser
from ...domain.text import first_paragraph_start
from ...domain.vocab import media_topics, region_name
from ...formats import jsonld
from ...formats.timestamps import machine_time
from ...formats.site import Site
from .. import i18n
from ..deps import browse as _browse
from ..deps import listings as _listings
from ..deps import site as _site

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PAGE_SIZE = 20
FEEDS = (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom"),
         ("json", "application/feed+json", "JSON Feed"))


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.globals.update(site=Site.from_settings(settings), languages=languages.SUPPORTED, rtl=languages.RTL,
                       feeds=FEEDS, topic_label=_topic_label, region_name=region_name,
                       dateline=jsonld.dateline, teaser=release_teaser, disclaimers=settings.disclaimers)
    i18n.install(env)
    env.filters["when"] = _when
    env.filters["machine"] = machine_time
    env.filters["long_date"] = lambda d, lang: jsonld.long_date(d, lang)
    return templates


@cache
def _when_pattern(lang: str) -> tuple[Locale, str]:
    # The locale's medium date with its short time: seconds are noise on a news page.
    loc = Locale.parse(jsonld.babel_locale(lang))
    joined = loc.datetime_formats["medium"]
    return loc, joined.replace("{1}", loc.date_formats["medium"].pattern).replace("{0}", loc.time_formats["short"].pattern)


def _when(moment: dt.datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    loc, pattern = _when_pattern(lang)
    return format_datetime(moment, pattern, tzinfo=dt.timezone.utc, locale=loc) + " UTC"


def _topic_label(qcode: str, lang: str) -> str:
    topic = media_topics().get(qcode)
    return topic.label(lang) if topic else qcode


def release_teaser(release: Release) -> str:
    """The listing teaser and the meta description of a release (domain/text.py's one rule)."""
    return teaser(release.content.lead, release.content.body_html)


def opening(release: Release, lang: str, site: Site) -> tuple[Markup, Markup]:
    """The lead paragraph and the body, the dateline opening the first paragraph as wires print it:
    "BERLIN, November 20, 2026 (Newswire) – Acme today…" (the lead's, else the body's first)."""
    content = release.content
    line = Markup('<span class="dateline">{} ({}) –</span> ').format(
        jsonld.dateline(content, lang, release.published_at.date()), site.name)
    body = Markup(content.body_html)  # sanitized by nh3 at intake; the only unescaped field
    if content.lead:
        return Markup('<p class="lead">{}{}</p>').format(line, content.lead), body
    at = first_paragraph_start(content.body_html)
    if at is None:
        return Markup('<p class="lead">{}</p>').format(line), body
    return Markup(""), Markup(content.body_html[:at]) + line + Markup(content.body_html[at:])


def alternates(release: Release, site: Site) -> dict[str, str]:
    """Language → URL of each version of a release (the original and each ready translation),
    plus x-default (the original): every version links to every other, both ways."""
    urls = {lang: site.release_url(release, lang) for lang in release.languages}
    return {**urls, "x-default": urls[release.original_language]}


def _not_found() -> HTTPException:
    return HTTPException(status_code=404)


def _lang(lang: str) -> str:
    if lang not in languages.SUPPORTED:
        raise _not_found()
    return lang


def _page(request: Request, name: str, lang: str, context: dict, status: int = 200, headers=None):
    context = {"lang": lang, "dir": "rtl" if lang in languages.RTL else "ltr", **context}
    response = request.app.state.templates.TemplateResponse(request, name, context, status_code=status,
                                                            headers=headers)
    response.headers["Content-Language"] = lang
    return response


def _public(request: Request, raw_id: str, lang: str | None = None) -> Release | None:
    """The public release in ``lang`` (its original, or a ready translation), else None: by its
    public id, or by the number of a release public before ids were random (``Listings.page``)."""
    # Ids are taken as text so a malformed one gets the same 404 page, not an API-style 422.
    return _listings(request).page(raw_id, lang)


def _listing(request: Request, query: ListQuery, cursor: str | None):
    try:
        return _listings(request).list(query, limit=PAGE_SIZE, cursor=cursor or None)
    except ValueError:  # a cursor this site did not make
        raise _not_found() from None


def _accepted(header: str) -> list[str]:
    """Accept-Language tags, best first (RFC 9110 q-values; malformed weights count as 0)."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag))
    return [tag for _, _, tag in sorted(ranked)]


@router.get("/")
def root(request: Request):
    settings = request.app.state.nw.settings
    lang = settings.default_language
    for tag in _accepted(request.headers.get("accept-language", "")):
        if (found := languages.normalize(tag)) in languages.SUPPORTED:
            lang = found
            break
    return RedirectResponse(f"/{lang}/", status_code=307, headers={"Vary": "Accept-Language"})


@router.get("/releases/{release_id}")
def by_guid(request: Request, release_id: str, lang: str | None = None):
    """The feeds' stable GUID URL: forwards to the release's current address."""
    release = _public(request, release_id, languages.normalize(lang) or "-" if lang else None)
    if release is None:
        raise _not_found()
    return RedirectResponse(_site(request).release_path(release), status_code=301)


@router.get("/{lang}/")
def home(request: Request, lang: str, cursor: str | None = None):
    lang = _lang(lang)
    query = ListQuery(public_at=_listings(request).clock(), language=lang)
    items, next_cursor = _listing(request, query, cursor)
    site = _site(request)
    return _page(request, "home.html", lang, {"section": "home",
        "releases": items, "next_cursor": next_cursor, "first_page": not cursor,
        "canonical": site.url(site.home_path(lang)) if not cursor else None})


@router.get("/{lang}/releases/{release_id}/{slug}")
def release_page(request: Request, lang: str, release_id: str, slug: str):
    lang = _lang(lang)
    release = _public(request, release_id, lang)
    if release is None or release.language != lang:
        raise _not_found()
    site = _site(request)
    if slug != release.slug or release_id != release.public_id:  # (an old numeric URL: to the new one)
        return RedirectResponse(site.release_path(release, lang), status_code=301)
    if release.status == Status.WITHDRAWN:
        return _page(request, "withdrawn.html", lang, {"release": release}, status=410)
    return _page(request, "release.html", lang, release_context(request, release, lang))


def release_context(request: Request, release: Release, lang: str) -> dict:
    """What ``release.html`` renders for ``release`` in ``lang``: the public page, and the issuer
    portal's preview of a draft (which renders the same template)."""
    site = _site(request)
    content = release.content
    notes = [v for v in (*release.corrections, release.current) if v.correction_note]
    lead, body = opening(release, lang, site)
    return {
        "release": release,
        "c": content,
        "lead": lead,
        "body": body,
        "description": release_teaser(release),
        "provider": release.issuer,  # with its logo and contacts
        "related": _browse(request).related(release, lang),
        "corrections": notes,
        "canonical": site.release_url(release),
        "alternates": alternates(release, site),
        "translation": release.translation,  # rendered in the page language by the template
        "original_url": site.release_url(release, release.original_language),
        "jsonld": Markup(jsonld.to_script(jsonld.render(release, site))),
        "adhoc_header": ADHOC_HEADER,  # a legal text: English on every page, never translated
    }


@router.get("/{lang}/issuers/{slug}")
def issuer_page(request: Request, lang: str, slug: str, cursor: str | None = None):
    lang = _lang(lang)
    ls = _listings(request)
    issuer = ls.public_issuer(slug)  # (None alike for a slug no issuer has and one with nothing public yet)
    if issuer is None:
        raise _not_found()
    now = ls.clock()
    items, next_cursor = _listing(request, ListQuery(public_at=now, language=lang, issuer_id=issuer.id), cursor)
    site = _site(request)
    return _page(request, "issuer.html", lang, {"section": "issuers",
        "issuer": issuer, "releases": items, "next_cursor": next_cursor, "first_page": not cursor,
        "canonical": site.url(site.issuer_path(lang, slug))})


@router.get("/{lang}/industries/{digits}")
def industry_page(request: Request, lang: str, digits: str, cursor: str | None = None):
    lang = _lang(lang)
    topics = media_topics()
    topic = topics.get("medtop:" + digits) if digits.isdigit() and len(digits) == 8 else None
    if topic is None:
        raise _not_found()
    codes = frozenset({topic.qcode, *topics.descendants(topic.qcode)})
    query = ListQuery(public_at=_listings(request).clock(), language=lang, industries=codes)
    items, next_cursor = _listing(request, query, cursor)
    site = _site(request)
    parent = topics.get(topic.parent) if topic.parent else None
    return _page(request, "industry.html", lang, {"section": "industries",
        "topic": topic, "parent": parent, "releases": items, "next_cursor": next_cursor,
        "first_page": not cursor, "canonical": site.url(site.industry_path(lang, topic.qcode))})
