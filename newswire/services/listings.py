"""Reading releases: one release as a caller may see it (in any language version), public
listings, the feeds and the news sitemap, the live stream's events, and the release a delivery
carries.

Embargo safety is here: every public read goes through ``ListQuery(public_at=now)`` or
``public``; what the caller may not see is ``NotFound`` (never ``Forbidden``) or None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from slugify import slugify

from ..domain import languages
from ..domain.errors import Collector, Forbidden, NotFound
from ..domain.ids import parse_ref
from ..domain.models import Issuer, Principal, Release, Role, Status
from ..domain.subscriptions import Event
from ..domain.vocab import is_region, media_topics, normalize_qcode, region_name
from ..formats import feeds, sitemap
from ..formats.site import HUB_PATH, Site
from ..intake.validate import parse_datetime
from ..storage import audit
from ..storage import issuers as issuer_store
from ..storage import media as media_store
from ..storage import releases as store
from ..storage import stream
from ..storage import translations as tr
from ..domain.queries import ListQuery
from . import access
from .unit import Clock, Database

FEED_LIMIT = 50


@dataclass(frozen=True)
class Feed:
    body: bytes
    media_type: str
    last_modified: dt.datetime | None
    self_url: str
    hub_url: str
    carried: tuple[tuple[int, str], ...] = ()  # (release, language) of each item, for the reports

    @property
    def link_header(self) -> str:
        """WebSub discovery (and content distribution) by HTTP header."""
        return f'<{self.hub_url}>; rel="hub", <{self.self_url}>; rel="self"'


def _in_language(conn, original: Release, language: str | None) -> Release | None:
    """A public release in ``language``: the original, or a ready translation of its current version."""
    if language is None or language == original.language:
        return original
    if language not in original.translations:  # (a withdrawn one's stand for its 410 notice)
        return None
    row = tr.get(conn, original.id, language)
    current = row is not None and row.is_current_for(original.current.number)
    return store.language_version(original, row) if current else None


class Listings:
    def __init__(self, db: Database, clock: Clock, site: Site):
        self.db, self.clock, self.site = db, clock, site

    # --- one release ---------------------------------------------------------------------------

    def get(self, principal: Principal, ref: str | int, language: str | None = None) -> Release:
        """The release a caller's reference names (``access.resolve``'s rule) as the caller may see
        it, in ``language`` (its original when None)."""
        now = self.clock()
        with self.db.read() as conn:
            release = access.load_by_ref(conn, principal, ref, now)
            tag = languages.normalize(language) if language else None
            if not language or tag == release.language:
                return release
            found = store.load_language(conn, release.id, tag or "",
                                        unfinished=principal.can_see_unpublished(release.issuer.id))
        if found is None:
            raise NotFound(f"Release {ref} has no published '{language}' version; it can be read in "
                           f"{', '.join(release.languages)}.")
        return found

    def resolve(self, principal: Principal, ref: str | int) -> int:
        """The internal id of the release a path's reference names, for the services that take one;
        NotFound for what the caller may not name (``access.resolve``: one query, as a missing id)."""
        with self.db.read() as conn:
            return access.resolve(conn, principal, ref, self.clock())

    def page(self, ref: str, language: str | None = None) -> Release | None:
        """For the newsroom's release pages: ``public`` by the public id, or by the internal number
        only for a release public before ids were random (its old URL, which redirects); any other
        number is None after the one query a missing id costs."""
        found = parse_ref(ref)
        if found is None:
            return None
        now = self.clock()
        with self.db.read() as conn:
            original = store.load(conn, found, lambda r: (r.is_public(now) or r.is_withdrawn_notice(now))
                                  and (isinstance(found, str) or r.numeric_url))
            return None if original is None else _in_language(conn, original, language)

    def public(self, release_id: int, language: str | None = None) -> Release | None:
        """For the newsroom: the release if public, or if withdrawn after being public (its notice),
        in ``language`` (the original, or a ready translation of its current version)."""
        now = self.clock()
        with self.db.read() as conn:
            original = store.load(conn, release_id, lambda r: r.is_public(now) or r.is_withdrawn_notice(now))
            return None if original is None else _in_language(conn, original, language)

    def issuer(self, slug: str) -> Issuer:
        """The issuer, with its logo."""
        with self.db.read() as conn:
            found = issuer_store.get_issuer_by_slug(conn, slug)
            if not found:
                raise NotFound(f"There is no issuer '{slug}'.")
            return replace(found, logo=media_store.logo(conn, found.id))

    def _issuer_or_none(self, slug: str) -> Issuer | None:
        try:
            return self.issuer(slug)
        except NotFound:
            return None

    def public_issuer(self, slug: str) -> Issuer | None:
        """The issuer, with its logo, if the public may know of it: from its first public release (or
        withdrawal notice) on, so the site does not reveal new clients early. A slug no issuer has
        and an issuer with nothing public yet are answered alike, after the same queries."""
        now = self.clock()
        with self.db.read() as conn:
            found = issuer_store.get_issuer_by_slug(conn, slug)
            q = ListQuery(public_at=now, issuer_id=found.id if found else 0, include_withdrawn_notices=True)
            anything, _ = store.list_releases(conn, q, limit=1)
            if found is None or not anything:
                return None
            return replace(found, logo=media_store.logo(conn, found.id))

    # --- listings --------------------------------------------------------------------------------

    def list(self, query: ListQuery, *, limit: int = 50, cursor: str | None = None):
        with self.db.read() as conn:
            return store.list_releases(conn, query, limit=limit, cursor=cursor)

    def last_change(self, query: ListQuery) -> dt.datetime | None:
        with self.db.read() as conn:
            return store.latest_change(conn, query)

    def query_for(self, principal: Principal, *, status: str | None = None, **params) -> ListQuery:
        """The listing the API's query parameters ask for, as ``principal`` may see it: public releases,
        or with ``status`` (a comma list) the non-public ones of its own issuer (the desk: all)."""
        c = Collector()
        base = self.filters(c, public=not status, **params)
        statuses: tuple[Status, ...] = ()
        if status:
            try:
                statuses = tuple(Status(s) for s in status.split(","))
            except ValueError:
                c.add("status", f"use any of: {', '.join(s.value for s in Status)}")
        c.raise_if_any()
        if not statuses:
            return self.public_query(**base)
        access.require_signed_in(principal)
        if principal.is_staff:
            return ListQuery(statuses=statuses, **base)
        if principal.role == Role.ISSUER:
            return ListQuery(statuses=statuses, issuer_id=principal.issuer_id, **base)
        raise Forbidden("Only issuers (for their own releases), editors and admins may list by status.")

    def public_query(self, **filters) -> ListQuery:
        return ListQuery(public_at=self.clock(), **filters)

    def filters(self, c: Collector, *, language: str | None = None, industry: str | None = None,
                region: str | None = None, issuer: str | None = None, since: str | None = None,
                public: bool = True) -> dict:
        """ListQuery keyword arguments for these query parameters (API, pages and feeds share the
        one parser). Each bad value is added to ``c``; the caller raises, so a request hears about
        all its mistakes at once. A ``public`` listing's issuer must be one the public may know of
        (``public_issuer``): one with nothing public yet is refused like a slug that names nobody."""
        out: dict = {}
        if language:
            out["language"] = languages.normalize(language)
            if out["language"] is None:
                c.add("language", f"'{language}' is not a wire language; use one of: {languages.supported_list()}")
        if industry:
            q = normalize_qcode(industry)
            if q not in media_topics():
                c.add("industry", f"'{industry}' is not an IPTC Media Topic QCode (e.g. medtop:04000000)")
            else:  # a topic also matches releases tagged with any narrower topic
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
                known = self.public_issuer(issuer) if public else self._issuer_or_none(issuer)
                if known is None:
                    c.add("issuer", f"there is no issuer '{issuer}'")
                else:
                    out["issuer_slug"] = issuer
        if since:
            try:
                out["since"] = parse_datetime(since)
            except ValueError:
                c.add("since", f"'{since}' is not an RFC 3339 date-time with offset")
        return out

    # --- feeds and the sitemap ---------------------------------------------------------------------

    def feed_query(self, lang: str, kind: str, *, industry: str | None = None, region: str | None = None,
                   issuer: str | None = None) -> tuple[ListQuery, dict, str]:
        """The listing, canonical filters and self URL of /feeds/{lang}.{kind} (``lang`` canonical).
        Raises InvalidInput for a bad filter. The WebSub hub uses it to canonicalize topics."""
        c = Collector()
        base = self.filters(c, industry=industry, region=region, issuer=issuer)
        c.raise_if_any()
        params = {}  # the filters in canonical form, for the self URL and the title
        if issuer:
            params["issuer"] = base["issuer_slug"]
        if industry:
            params["industry"] = normalize_qcode(industry)
        if region:
            params["region"] = base["region"]
        self_url = self.site.feed_url(lang, kind, params)
        return self.public_query(language=lang, **base), params, self_url

    def feed(self, lang: str, kind: str, **filter_values) -> Feed:
        """Exactly what GET /feeds/{lang}.{kind} answers: the route and WebSub pushes share it."""
        q, params, self_url = self.feed_query(lang, kind, **filter_values)
        items, _ = self.list(q, limit=FEED_LIMIT)
        newest = max((feeds.updated_at(r) for r in items), default=None)
        last_modified = self._last_modified(newest, q)
        render, media_type = feeds.KINDS[kind]
        hub = self.site.url(HUB_PATH)
        body = render(items, self.site, lang, self._title(lang, params), self_url, updated=last_modified, hub=hub)
        return Feed(body, media_type, last_modified, self_url, hub, tuple((r.id, r.language) for r in items))

    def news_sitemap(self) -> tuple[bytes, dt.datetime | None]:
        now = self.clock()
        q = ListQuery(public_at=now, since=now - sitemap.WINDOW, every_language=True)
        items, _ = self.list(q, limit=sitemap.MAX_URLS)
        newest = max((r.published_at for r in items), default=None)
        return sitemap.news_sitemap(items, self.site), self._last_modified(newest, q)

    def _last_modified(self, newest: dt.datetime | None, q: ListQuery) -> dt.datetime | None:
        """The newest entry's time, but never earlier than the last public change: a withdrawal
        removes an entry without adding a newer one, and If-Modified-Since must still see it."""
        return max((t for t in (newest, self.last_change(q)) if t is not None), default=None)

    def _title(self, lang: str, params: dict) -> str:
        parts = []
        if "issuer" in params:
            parts.append(self.issuer(params["issuer"]).name)
        if "industry" in params:
            parts.append(media_topics().get(params["industry"]).label(lang))
        if "region" in params:
            parts.append(region_name(params["region"], lang))
        return f"{self.site.name} — " + (" · ".join(parts) or languages.SUPPORTED[lang])

    # --- the live stream and the delivery worker ---------------------------------------------------

    def stream_events(self, *, event_id: int | None = None, after: int | None = None,
                      limit: int = 500) -> list[tuple[object, Release | None]]:
        """Stream event rows (one by id, or those after an id) with the release each one shows:
        its language version, or the original when that version has since been withdrawn or is
        being re-translated."""
        with self.db.read() as conn:
            if event_id is not None:
                row = stream.get(conn, event_id)
                rows = [row] if row is not None else []
            else:
                rows = stream.since(conn, after or 0, limit)
            return [(row, store.load_language(conn, row.release_id, row.language)
                     or store.load(conn, row.release_id)) for row in rows]

    def latest_stream_id(self) -> int:
        with self.db.read() as conn:
            return stream.latest_id(conn)

    def request_ids(self, release_ids: list[int]) -> dict[int, str]:
        """Release id → the request id of its latest release event (publish, correct, withdraw), for
        the delivery worker's logs when it did not hear the event itself (it started later)."""
        with self.db.read() as conn:
            return audit.request_ids(conn, release_ids, ("release.publish", "release.correct", "release.withdraw"))

    def for_delivery(self, wanted: list[tuple[int, str, str]]) -> dict[tuple[int, str, str], Release | Exception | None]:
        """The releases that deliveries carry, by (release id, language, event): the language version.
        A kill notice may fall back to the original (it carries no text); other events need their
        language version, else the delivery is dead (a correction re-queued the translation, and the
        corrected version is delivered when it is ready). A release that cannot be loaded (a row no
        format could read) is given as the exception, so only its own deliveries fail."""
        out: dict = {}
        with self.db.read() as conn:
            for release_id, language, event in wanted:
                try:
                    release = store.load_language(conn, release_id, language)
                    if release is None and event == Event.WITHDRAWN:
                        release = store.load(conn, release_id)
                except Exception as exc:  # the row's own content; the connection is still good
                    release = exc
                out[(release_id, language, event)] = release
        return out
