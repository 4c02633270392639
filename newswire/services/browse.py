"""Browsing the public newsroom: search, the index pages' counts (regions, industries, issuers) and
a release's related releases. Everything here is public at the clock's instant, and only that:
the search joins each hit's release for visibility (storage/search.py), the counts and related
releases go through the same public conditions as every listing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..domain.errors import Collector
from ..domain.models import Release
from ..domain.queries import ListQuery
from ..domain.search import Phrase, phrases
from ..domain.vocab import media_topics
from ..storage import browse as counts
from ..storage import releases as store
from ..storage import search as index
from .listings import Listings
from .unit import Clock, Database

PAGE_SIZE = 20
MAX_PAGE = 500  # a search is paged this far; narrower filters find the rest
MAX_QUERY = 200  # characters of a query that count


@dataclass(frozen=True)
class SearchResult:
    query: str
    phrases: list[Phrase]
    releases: list[Release]
    total: int
    page: int
    pages: int
    params: dict = field(default_factory=dict)  # the filters in canonical form, for links


@dataclass(frozen=True)
class TopicCount:
    qcode: str
    count: int
    narrower: tuple[tuple[str, int], ...] = ()  # its narrower topics that have releases


class Browse:
    def __init__(self, db: Database, clock: Clock, listings: Listings):
        self.db, self.clock, self.listings = db, clock, listings

    # --- search ------------------------------------------------------------------------------------

    def search(self, lang: str, q: str = "", *, language: str = "", industry: str = "", region: str = "",
               issuer: str = "", date_from: str = "", date_to: str = "", page: str = "1") -> SearchResult:
        """One page of public releases matching ``q`` (every word), best first, each in the page
        language ``lang`` where it has it. Raises InvalidInput naming each bad filter."""
        c = Collector()
        base = self.listings.filters(c, language=language or None, industry=industry or None,
                                     region=region or None, issuer=issuer or None)
        since, before = _day(c, "from", date_from), _day(c, "to", date_to)
        if before is not None:
            before += dt.timedelta(days=1)  # "to" includes that day
        if since and before and since >= before:
            c.add("to", "the end date is before the start date")
        number = int(page) if page.isdigit() and 0 < int(page) <= MAX_PAGE else None
        if number is None:
            c.add("page", f"a page number from 1 to {MAX_PAGE}")
        c.raise_if_any()
        query = phrases(q[:MAX_QUERY])
        filters = index.Filters(language=base.get("language"), industries=base.get("industries", frozenset()),
                                region=base.get("region"), issuer_slug=base.get("issuer_slug"),
                                since=since, before=before)
        with self.db.read() as conn:
            hits, total = index.search(conn, query, self.clock(), filters, prefer=lang, limit=PAGE_SIZE,
                                       offset=(number - 1) * PAGE_SIZE)
            found = [store.load_language(conn, h.release_id, h.language) for h in hits]
        params = {k: v for k, v in (("q", q), ("language", base.get("language") or ""), ("industry", industry),
                                    ("region", base.get("region") or ""), ("issuer", issuer),
                                    ("from", date_from), ("to", date_to)) if v}
        pages = min(MAX_PAGE, max(1, -(-total // PAGE_SIZE)))
        return SearchResult(q, query, [r for r in found if r is not None], total, number, pages, params)

    def reindex(self, progress=None) -> int:
        """Rebuild every release's search documents, a batch per transaction; ``progress(done, total)``
        after each batch. Returns how many releases were indexed."""
        with self.db.read() as conn:
            total = store.count(conn)
        done, last = 0, 0
        while True:
            with self.db.transaction() as conn:
                ids = store.release_ids(conn, after=last, limit=200)
                for release_id in ids:
                    store.reindex(conn, release_id)
            if not ids:
                return done
            done, last = done + len(ids), ids[-1]
            if progress is not None:
                progress(done, total)

    # --- index pages -------------------------------------------------------------------------------

    def regions(self, lang: str) -> dict[str, int]:
        """ISO 3166 code → public releases in ``lang`` about it."""
        with self.db.read() as conn:
            return counts.region_counts(conn, lang, self.clock())

    def industries(self, lang: str) -> list[TopicCount]:
        """Each top-level Media Topic with its public releases in ``lang`` (a release tagged with a
        narrower topic counts for each broader one), and its narrower topics that have releases."""
        with self.db.read() as conn:
            tags = counts.industry_tags(conn, lang, self.clock())
        topics = media_topics()
        under: dict[str, set[int]] = {}
        for release_id, qcode in tags:
            for code in (qcode, *topics.ancestors(qcode)):
                under.setdefault(code, set()).add(release_id)
        out = []
        for top in (t for t in topics.all() if not t.parent and not t.retired):
            narrower = sorted(((q, len(ids)) for q, ids in under.items()
                               if q != top.qcode and top.qcode in topics.ancestors(q)), key=lambda x: -x[1])
            out.append(TopicCount(top.qcode, len(under.get(top.qcode, ())), tuple(narrower)))
        return out

    def issuers(self, lang: str) -> list[tuple[str, str, int]]:
        """(slug, name, releases) of each issuer with public releases in ``lang``."""
        with self.db.read() as conn:
            return counts.issuer_counts(conn, lang, self.clock())

    def related(self, release: Release, lang: str, limit: int = 4) -> list[Release]:
        """Public releases in ``lang`` from the same issuer or sharing an industry, newest first."""
        now = self.clock()
        same_issuer, _ = self.listings.list(ListQuery(public_at=now, language=lang, issuer_id=release.issuer.id),
                                            limit=limit + 1)
        shared: list[Release] = []
        if release.content.industries:
            shared, _ = self.listings.list(ListQuery(public_at=now, language=lang,
                                                     industries=frozenset(release.content.industries)), limit=limit + 1)
        picked = {r.id: r for r in (*same_issuer, *shared) if r.id != release.id}
        return sorted(picked.values(), key=lambda r: (r.published_at, r.id), reverse=True)[:limit]


def _day(c: Collector, name: str, value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.timezone.utc)
    except ValueError:
        c.add(name, f"'{value[:40]}' is not a date (YYYY-MM-DD)")
        return None

