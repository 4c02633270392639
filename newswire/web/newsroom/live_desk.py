"""The live desk, /{lang}/live: the latest public releases, then every new one the second it goes
out, from the live stream (GET /live), filtered by language and industry.

The page is rendered with the newest releases already listed and the id of the newest stream
event at that moment, read *before* the listing: static/live-desk.js opens the stream from that
id, so what was published while the page was on its way is replayed, never lost (a release both
listed and replayed is shown once). The filter form is a plain GET form; with JavaScript the
script swaps the listing for the new filter's and reconnects the stream.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from ...domain import languages
from ...domain.errors import Collector
from ...domain.vocab import Topic, media_topics, normalize_qcode
from ..deps import listings as _listings
from ..deps import site as _site
from ..i18n import language_name
from .pages import _lang, _page

router = APIRouter(include_in_schema=False)
LATEST = 30  # releases listed when the page opens
STREAM_PATH = "/live"


def desk_path(lang: str) -> str:
    return f"/{lang}/live"


@cache
def topic_groups(lang: str) -> tuple[tuple[Topic, tuple[Topic, ...]], ...]:
    """The industry choices: each top-level IPTC Media Topic with its narrower topics, by label
    in the page's language (retired topics left out)."""
    topics = media_topics()
    current = [t for t in topics.all() if not t.retired]
    children: dict[str, list] = {}
    for t in current:
        if t.parent:
            children.setdefault(t.parent, []).append(t)

    def key(t: Topic) -> str:
        return t.label(lang).casefold()

    return tuple((top, tuple(sorted(children.get(top.qcode, ()), key=key)))
                 for top in sorted((t for t in current if not t.parent), key=key))


def _offered(lang: str, qcode: str | None) -> bool:
    return qcode is None or any(qcode == top.qcode or any(qcode == t.qcode for t in narrower)
                                for top, narrower in topic_groups(lang))


@router.get("/{lang}/live")
def live_desk(request: Request, lang: str, language: str | None = None, industry: str | None = None):
    lang = _lang(lang)
    ls = _listings(request)
    # No ``language`` parameter: the page's language; an empty one: every language.
    typed_language = lang if language is None else language.strip()
    typed_industry = (industry or "").strip()
    c = Collector()
    query = ls.filters(c, language=typed_language or None, industry=typed_industry or None)
    errors = {e.field for e in c.errors}
    context = {"typed_language": typed_language, "typed_industry": typed_industry, "errors": errors,
               "action": desk_path(lang), "topic_groups": topic_groups(lang), "releases": [],
               "stream": None, "last_event_id": None, "extra_topic": None, "canonical": None,
               "language_names": {tag: language_name(tag, lang) for tag in languages.SUPPORTED}}
    if errors:  # the form again with what was typed and the error beside the field; nothing streams
        return _page(request, "live/desk.html", lang, context, status=422, headers={"Cache-Control": "no-store"})
    chosen_language = query.get("language")
    chosen_industry = normalize_qcode(typed_industry) if typed_industry else None
    # The newest event id first, then the listing: a release published in between is both listed
    # and replayed, and the script shows it once; read the other way round it could be lost.
    last_event_id = ls.latest_stream_id()
    items, _ = ls.list(ls.public_query(every_language=chosen_language is None, **query), limit=LATEST)
    params = {k: v for k, v in (("lang", chosen_language), ("industry", chosen_industry)) if v}
    plain = language is None and not industry  # the page as linked: the canonical one
    context.update(typed_language=chosen_language or "", typed_industry=chosen_industry or "", releases=items,
                   stream=STREAM_PATH + (f"?{urlencode(params)}" if params else ""), last_event_id=last_event_id,
                   extra_topic=None if _offered(lang, chosen_industry) else media_topics().get(chosen_industry),
                   canonical=_site(request).url(desk_path(lang)) if plain else None)
    return _page(request, "live/desk.html", lang, context, headers={"Cache-Control": "no-cache"})

