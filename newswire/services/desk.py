"""The editor desk's reading side: the queue of releases waiting for the desk (submitted, approved,
scheduled), each with its last recorded pre-checks and its translations' flags, in release-time
order, and the releases published lately. Every change the desk makes goes through the release
and translation services, exactly as the API's do; this service only reads.

Release time: a release's embargo when it has one, else the moment it was (last) submitted, else
when it was created. The queue is sorted by that time, oldest first, ties by id: what goes out
soonest, or has waited longest, comes first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain import languages
from ..domain.errors import Collector
from ..domain.models import Principal, Release, Status
from ..domain.queries import ListQuery
from ..intake.checks import ERROR
from ..storage import audit
from ..storage import checks as check_store
from ..storage import issuers as issuer_store
from ..storage import releases as store
from ..storage import translations as tr
from . import access
from .unit import Clock, Database

QUEUE_STATUSES = (Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED)
QUEUE_LIMIT = 500


@dataclass(frozen=True)
class TranslationFlags:
    """One target language of a release as the desk sees it: its job's state and flagged segments."""

    language: str
    status: str
    flagged: int


@dataclass(frozen=True)
class QueueItem:
    release: Release
    due: dt.datetime  # the release time the queue is ordered by
    submitted_at: dt.datetime | None
    checks: dict | None  # the last recorded pre-checks: version, results, checked_at (None: never run)
    translations: tuple[TranslationFlags, ...]

    @property
    def errors(self) -> int:
        return sum(1 for f in (self.checks or {}).get("results", []) if f.get("severity") == ERROR)

    @property
    def warnings(self) -> int:
        return len((self.checks or {}).get("results", [])) - self.errors

    @property
    def checks_stale(self) -> bool:
        """The recorded checks are of an older version than the current one (an edit since)."""
        return bool(self.checks) and self.checks["version"] != self.release.current.number

    @property
    def flagged(self) -> int:
        return sum(t.flagged for t in self.translations)


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    issuer: str | None = None
    language: str | None = None


class DeskService:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def parse_filter(self, *, status: str = "", issuer: str = "", language: str = "") -> QueueFilter:
        """The queue's filters from a form; each bad value is a field error (all at once)."""
        c = Collector()
        wanted = None
        if status:
            wanted = next((s for s in QUEUE_STATUSES if s.value == status), None)
            if wanted is None:
                c.add("status", f"choose one of: {', '.join(s.value for s in QUEUE_STATUSES)}")
        if issuer:
            with self.db.read() as conn:
                if issuer_store.get_issuer_by_slug(conn, issuer) is None:
                    c.add("issuer", f"there is no issuer '{issuer}'")
        tag = languages.normalize(language) if language else None
        if language and tag is None:
            c.add("language", f"'{language}' is not a wire language; use one of: {languages.supported_list()}")
        c.raise_if_any()
        return QueueFilter(wanted, issuer or None, tag)

    def queue(self, principal: Principal, wanted: QueueFilter = QueueFilter()) -> list[QueueItem]:
        """The releases that need the desk, in release-time order (the desk only)."""
        access.require_staff(principal, "use the editor desk")
        statuses = (wanted.status,) if wanted.status else QUEUE_STATUSES
        with self.db.read() as conn:
            found, _ = store.list_releases(conn, ListQuery(statuses=statuses, issuer_slug=wanted.issuer),
                                           limit=QUEUE_LIMIT)
            found = [r for r in found if wanted.language is None or r.language == wanted.language]
            items = self._items(conn, found)
        return sorted(items, key=lambda i: (i.due, i.release.id))

    def item(self, principal: Principal, release_id: int) -> QueueItem:
        """One release as the queue shows it (any state), for its desk page."""
        access.require_staff(principal, "use the editor desk")
        with self.db.read() as conn:
            release = access.load_visible(conn, principal, release_id, self.clock())
            return self._items(conn, [release])[0]

    def recent(self, principal: Principal, limit: int = 10) -> list[Release]:
        """The releases published most recently (public now), newest first."""
        access.require_staff(principal, "use the editor desk")
        with self.db.read() as conn:
            items, _ = store.list_releases(conn, ListQuery(public_at=self.clock()), limit=limit)
        return items

    def _items(self, conn, found: list[Release]) -> list[QueueItem]:
        submitted = audit.latest(conn, "release.submit", [r.id for r in found])
        out = []
        for r in found:
            flags = tuple(TranslationFlags(row.language, row.state_for(r.current.number), row.flagged)
                          for row in tr.for_release(conn, r.id) if row.status != tr.CANCELLED)
            at = submitted.get(r.id)
            out.append(QueueItem(r, r.embargo_until or at or r.created_at, at, check_store.results(conn, r.id), flags))
        return out
