"""Which WebSub topics (feed URLs) a release event changes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from ..domain import languages
from ..domain.subscriptions import Facets
from ..domain.vocab import normalize_qcode

_FEED = re.compile(r"^/feeds/(?P<lang>[A-Za-z-]+)\.(?P<ext>rss|atom|json)$")


def parse_topic(topic: str) -> tuple[str, dict[str, str]] | None:
    """(language, filters) of a feed URL this wire serves, or None."""
    parts = urlsplit(topic)
    m = _FEED.match(parts.path)
    if not m:
        return None
    lang = languages.normalize(m["lang"])
    if lang is None:
        return None
    filters = {k: v[0] for k, v in parse_qs(parts.query).items() if k in ("industry", "region", "issuer") and v}
    return lang, filters


def topic_matches(topic: str, facets: Facets) -> bool:
    parsed = parse_topic(topic)
    if parsed is None:
        return False
    lang, f = parsed
    return (
        lang == facets.language
        and ("industry" not in f or normalize_qcode(f["industry"]) in facets.topics)
        and ("region" not in f or f["region"].upper() in facets.regions)
        and ("issuer" not in f or f["issuer"] == facets.issuer)
    )
