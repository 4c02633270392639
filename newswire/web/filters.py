"""Listing filters shared by the API and the feeds: one parser, one set of messages."""

from __future__ import annotations

from slugify import slugify

from ..domain import languages
from ..domain.errors import Collector, NotFound
from ..domain.vocab import is_region, media_topics, normalize_qcode
from ..intake.validate import parse_datetime
from ..workflow.wire import Wire


def parse(w: Wire, c: Collector, *, language: str | None = None, industry: str | None = None,
          region: str | None = None, issuer: str | None = None, since: str | None = None) -> dict:
    """ListQuery keyword arguments for these query parameters. Each bad value is added to ``c``
    (the caller raises, so a request hears about all its mistakes at once)."""
    out: dict = {}
    if language:
        out["language"] = languages.normalize(language)
        if out["language"] is None:
            c.add("language", f"'{language}' is not a wire language; use one of: {languages.supported_list()}")
    if industry:
        q = normalize_qcode(industry)
        if q not in media_topics():
            c.add("industry", f"'{industry}' is not an IPTC Media Topic QCode (e.g. medtop:04000000)")
        else:
            # A topic also matches releases tagged with any narrower topic.
            out["industries"] = frozenset({q} | media_topics().descendants(q))
    if region:
        if is_region(region.upper()):
            out["region"] = region.upper()
        else:
            c.add("region", f"'{region}' is not an ISO 3166-1 alpha-2 code (e.g. DE, US, KR)")
    if issuer:
        if slugify(issuer) != issuer:
            c.add("issuer", f"'{issuer}' is not an issuer slug (lower-case letters, digits and hyphens)")
        else:
            try:
                w.issuer(issuer)
                out["issuer_slug"] = issuer
            except NotFound:
                c.add("issuer", f"there is no issuer '{issuer}'")
    if since:
        try:
            out["since"] = parse_datetime(since)
        except ValueError:
            c.add("since", f"'{since}' is not an RFC 3339 date-time with offset")
    return out
