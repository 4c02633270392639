"""What readers did, recorded for the reports: e-mail opens and clicks (signed per-recipient
tokens), newsroom page views (a cookie-less beacon, so a page served from a cache counts like a
rendered one), live-stream readers at the release second, feed fetches, and outlets' pickup claims.

The tracking routes answer the same whatever the token: a forged one records nothing and reveals
nothing (no release id is ever in a URL in the clear)."""

from __future__ import annotations

from ..config import Settings
from ..distribution import netguard
from ..distribution import pickups as pickup_check
from ..distribution.tracking import Tokens
from ..domain.errors import Collector, NotFound
from ..domain.ids import parse_ref
from ..domain.models import Principal, Release, Role, Status
from ..formats.site import Site
from ..formats.timestamps import machine_time
from ..storage import audit
from ..storage import deliveries as ledger
from ..storage import releases as release_store
from ..storage import reports as store
from . import access
from .unit import Clock, Database

PUBLIC = (Status.PUBLISHED, Status.CORRECTED)


class ReaderEvents:
    def __init__(self, db: Database, clock: Clock, settings: Settings, site: Site):
        self.db, self.clock, self.settings, self.site = db, clock, settings, site
        self.tokens = Tokens(settings)

    def view_token(self, public_id: str, language: str) -> str:
        return self.tokens.view(public_id, language)

    def _delivery(self, conn, token: str):
        delivery_id = self.tokens.read_delivery(token)
        row = ledger.get(conn, delivery_id) if delivery_id is not None else None
        return row if row is not None and row.channel == "email" else None

    def opened(self, token: str) -> None:
        """The open pixel: counted once per delivery; nothing for a forged token."""
        with self.db.transaction() as conn:
            if (row := self._delivery(conn, token)) is not None:
                store.record_event(conn, release_id=row.release_id, kind=store.OPEN, language=row.language,
                                   delivery_id=row.id, at=self.clock(), once=f"open:{row.id}")

    def clicked(self, token: str) -> str | None:
        """The tracked link: where it goes (the release's own page in the language sent, never a
        URL taken from the request), counted once per delivery; None for a forged token. A click
        also counts as an open: the reader saw the message, images or not."""
        with self.db.transaction() as conn:
            row = self._delivery(conn, token)
            release = release_store.load(conn, row.release_id) if row is not None else None
            if release is None:
                return None
            now = self.clock()
            store.record_event(conn, release_id=row.release_id, kind=store.CLICK, language=row.language,
                               delivery_id=row.id, link=0, at=now, once=f"click:{row.id}:0")
            store.record_event(conn, release_id=row.release_id, kind=store.OPEN, language=row.language,
                               delivery_id=row.id, at=now, once=f"open:{row.id}")
            return self.site.release_url(release, row.language)

    def viewed(self, token: str) -> None:
        """The page beacon: one view of the release in that language, if it is public now."""
        found = self.tokens.read_view(token)
        if found is None:
            return
        public_id, language = found
        with self.db.transaction() as conn:
            release = release_store.load(conn, public_id)
            now = self.clock()
            if release and release.status in PUBLIC and release.published_at and release.published_at <= now:
                store.record_event(conn, release_id=release.id, kind=store.VIEW, language=language, at=now)

    def live_readers(self, release_id: int, event: str, language: str, readers: int) -> None:
        """The live hub sent a release's published frame to ``readers`` connected clients."""
        if event == "release.published" and readers:
            with self.db.transaction() as conn:
                store.add_reach(conn, [(release_id, "live", language)], readers, self.clock())

    def feed_fetched(self, counts: dict[tuple[int, str], int]) -> None:
        """Feeds were fetched: how many times each (release, language) item went out in one (the
        web layer gathers fetches and hands them over in batches: web/reports/feedcount.py)."""
        if counts:
            with self.db.transaction() as conn:
                for (rid, lang), n in counts.items():
                    store.add_reach(conn, [(rid, "feed", lang)], n, self.clock())

    # --- pickups: republications outlets report back ---------------------------------------

    def claim(self, p: Principal, raw: dict) -> dict:
        """An outlet says it published the release at ``url``. The page is fetched through the
        SSRF guard; the claim is confirmed only if it links to the release's canonical URL, and
        stored as unconfirmed otherwise (never counted as confirmed)."""
        access.require_signed_in(p)
        c = Collector()
        ref, url = parse_ref(raw.get("release_id")), raw.get("url")
        if ref is None:
            c.add("release_id", "must be a release's id (its public id, the 'id' of ninjs and webhooks)")
        if not isinstance(url, str) or not url.strip():
            c.add("url", "must be the URL of the page where the release was published")
        elif len(url) > 2000:
            c.add("url", "must be at most 2000 characters")
        elif reason := netguard.check_url(url, allow_private=self.settings.webhook_allow_private):
            c.add("url", f"'{url}' {reason}")
        c.raise_if_any()
        with self.db.read() as conn:
            release = release_store.load(conn, ref)
            now = self.clock()
            if (release is None or release.status not in PUBLIC or not release.published_at
                    or release.published_at > now
                    or p.role == Role.ISSUER and release.issuer.id != p.issuer_id
                    or isinstance(ref, int) and not access.may_manage(p, release)):
                raise NotFound(f"There is no public release {raw.get('release_id')}.")
        targets = tuple({self.site.release_url(release, lang) for lang in (release.language, *release.translations)}
                        | {self.site.release_guid(release)})
        confirmed, note = pickup_check.confirm(self.settings, url, targets)
        return self._store(p, release, url, confirmed, note)

    def _store(self, p: Principal, release: Release, url: str, confirmed: bool, note: str) -> dict:
        release_id = release.id
        now = self.clock()
        with self.db.transaction() as conn:
            values = {"confirmed": confirmed, "checked_at": now, "note": note}
            if (row := store.pickup(conn, release_id, url)) is None:
                pid = store.add_pickup(conn, release_id=release_id, url=url, claimed_by=p.name, claimed_at=now,
                                       subscriber_id=p.subscriber_id, **values)
            else:
                pid = row.id
                store.update_pickup(conn, pid, **values)
            audit.record(conn, actor=p, action="pickup.claim", now=now, release_id=release_id,
                         detail={"url": url, "confirmed": confirmed})
            row = store.pickup(conn, release_id, url)
        return {"id": pid, "release_id": release.public_id, "url": url, "confirmed": row.confirmed, "note": row.note,
                "claimed_by": row.claimed_by, "claimed_at": machine_time(row.claimed_at),
                "checked_at": machine_time(row.checked_at)}
