"""Distribution reports: what happened to a release, in numbers anyone can check.

Every count is computed from stored rows (the delivery ledger, readers' events, broadcast
audiences, pickup claims, the audit log) at the moment the report is asked for, and each ledger
count carries ``query``: the filters of ``GET /api/v1/releases/{id}/deliveries`` whose list it is
the length of. Deleting a subscriber or an endpoint scrubs its personal data and keeps its rows
(storage/subscribers.py), so a report never changes after the fact. docs/reports.md.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict

from ..domain.errors import NotFound
from ..domain.models import Principal, Role
from ..formats.site import Site
from ..formats.timestamps import machine_time as machine
from ..storage import audit
from ..storage import deliveries as ledger
from ..storage import releases as release_store
from ..storage import reports as store
from . import access
from .unit import Clock, Database

LEDGER_CHANNELS = ("webhook", "email", "websub")
BROADCAST_CHANNELS = ("live", "feeds", "pages")
BUCKETS = ("targeted", "delivered", "failed", "pending", "dead", "cancelled")
_QUERY = {"targeted": {}, "delivered": {"status": "delivered"}, "failed": {"status": "pending", "attempted": True},
          "pending": {"status": "pending", "attempted": False}, "dead": {"status": "dead"},
          "cancelled": {"status": "cancelled"}}
AUDIT_STEPS = {"release.submit": "submitted", "release.approve": "approved", "release.schedule": "scheduled",
               "release.publish": "published", "release.correct": "corrected", "release.withdraw": "withdrawn"}
OPEN_CAVEAT = ("Opens are counted when a mail client loads the message's tracking image; clients that block "
               "images (many do by default) are not counted, so the open count is a lower bound.")
CSV_FIELDS = ("delivery_id", "release_id", "version", "event", "language", "channel", "status", "attempts",
              "last_status_code", "last_error", "subscriber_id", "subscriber", "endpoint_id", "created_at",
              "last_attempt_at", "delivered_at", "seconds_after_release", "opened", "clicked")


def bucket(row) -> str:
    if row.status == ledger.PENDING:
        return "failed" if row.attempts else "pending"
    return row.status


def count(n: int, **query) -> dict:
    """A count and the delivery-list filters that reproduce it."""
    return {"count": n, "query": {k: v for k, v in query.items() if v is not None}}


def percentile(values: list[float], q: float) -> float | None:
    """Nearest rank: the smallest value with at least ``q`` of them at or below it."""
    if not values:
        return None
    return values[max(0, math.ceil(q * len(values)) - 1)]


def _buckets(rows, **query) -> dict:
    n = defaultdict(int)
    for r in rows:
        n[bucket(r)] += 1
    n["targeted"] = len(rows)
    return {b: count(n[b], **query, **_QUERY[b]) for b in BUCKETS}


def _grouped(rows, key, name: str) -> dict:
    groups = defaultdict(list)
    for r in rows:
        for k in key(r):
            groups[k].append(r)
    return {k: _buckets(v, **{name: k}) for k, v in sorted(groups.items())}


def _seconds(row, released) -> float | None:
    if row.delivered_at is None or released is None:
        return None
    return max(0.0, (row.delivered_at - released).total_seconds())


class ReportService:
    def __init__(self, db: Database, clock: Clock, site: Site):
        self.db, self.clock, self.site = db, clock, site

    def _release(self, conn, p: Principal, release_id: int):
        access.require_signed_in(p)
        release = release_store.load(conn, release_id)
        if release is None or not p.can_see_unpublished(release.issuer.id):
            raise NotFound(f"There is no release {release_id} whose report this key may see.")
        return release

    def report(self, p: Principal, release_id: int) -> dict:
        with self.db.read() as conn:
            release = self._release(conn, p, release_id)
            rows = store.ledger(conn, release_id)
            opened, clicked = store.readers(conn, release_id, store.OPEN), store.readers(conn, release_id, store.CLICK)
            views, reach = store.views(conn, release_id), store.reach(conn, release_id)
            claims, trail = store.pickups_of(conn, release_id), audit.for_release(conn, release_id)
        released = release.published_at
        by_channel = {ch: _buckets([r for r in rows if r.channel == ch], channel=ch) for ch in LEDGER_CHANNELS}
        email = [r for r in rows if r.channel == "email"]
        return {
            "release": {"id": release.public_id, "headline": release.content.headline, "issuer": release.issuer.name,
                        "language": release.language, "status": release.status.value,
                        "released_at": released and machine(released), "url": self.site.release_url(release)},
            "computed_at": machine(self.clock()),
            "totals": _buckets(rows),
            "channels": by_channel,
            "broadcast": {"live": {"readers": sum(reach.get("live", {}).values()), "by_language": reach.get("live", {})},
                          "feeds": {"fetches": sum(reach.get("feed", {}).values()),
                                    "by_language": reach.get("feed", {})},
                          "pages": {"views": sum(views.values()), "by_language": views}},
            "languages": _grouped(rows, lambda r: [r.language], "language"),
            "regions": _grouped(rows, lambda r: list(r.regions or ()) or ["any"], "region"),
            "industries": _grouped(rows, lambda r: list(r.industries or ()) or ["any"], "industry"),
            "latency": self._latency(rows, released),
            "timeline": self._timeline(rows, released),
            "email": {
                "delivered": count(sum(r.status == ledger.DELIVERED for r in email), channel="email",
                                   status="delivered"),
                "bounced": count(sum(r.status == ledger.DEAD for r in email), channel="email", status="dead"),
                "soft_bounced": count(sum(bucket(r) == "failed" for r in email), channel="email", status="pending",
                                      attempted=True),
                "opened": count(sum(r.id in opened for r in email), channel="email", opened=True),
                "clicked": count(sum(r.id in clicked for r in email), channel="email", clicked=True),
                "caveat": OPEN_CAVEAT},
            "newsroom": {"views": views, "feed_fetches": reach.get("feed", {}),
                         "websub_notifications": count(sum(r.channel == "websub" and r.status == ledger.DELIVERED
                                                           for r in rows), channel="websub", status="delivered"),
                         "live_readers": reach.get("live", {})},
            "pickups": self._pickups(rows, claims),
            "audit": self._trail(trail, release, rows),
        }

    @staticmethod
    def _latency(rows, released) -> dict:
        out = {}
        for ch in LEDGER_CHANNELS:
            values = sorted(s for r in rows if r.channel == ch and (s := _seconds(r, released)) is not None)
            out[ch] = {"delivered": len(values), "p50": percentile(values, .5), "p90": percentile(values, .9),
                       "p99": percentile(values, .99), "max": values[-1] if values else None}
        return out

    @staticmethod
    def _timeline(rows, released) -> dict[str, list[list[float]]]:
        """Per channel, [seconds after the release second, deliveries so far] at each delivery."""
        out = {}
        for ch in LEDGER_CHANNELS:
            values = sorted(s for r in rows if r.channel == ch and (s := _seconds(r, released)) is not None)
            out[ch] = [[s, i + 1] for i, s in enumerate(values)]
        return out

    @staticmethod
    def _pickups(rows, claims) -> dict:
        acked = sum(r.channel == "webhook" and r.status == ledger.DELIVERED for r in rows)
        items = [{"url": c.url, "claimed_by": c.claimed_by, "claimed_at": machine(c.claimed_at),
                  "confirmed": c.confirmed, "checked_at": c.checked_at and machine(c.checked_at), "note": c.note}
                 for c in claims]
        return {"acknowledged": count(acked, channel="webhook", status="delivered"),
                "confirmed": sum(c["confirmed"] for c in items),
                "unconfirmed": sum(not c["confirmed"] for c in items), "claims": items}

    @staticmethod
    def _trail(trail, release, rows) -> list[dict]:
        steps = [{"step": AUDIT_STEPS[t["action"]], "at": machine(t["at"]), "actor": t["actor"]}
                 for t in trail if t["action"] in AUDIT_STEPS]
        if release.published_at:
            steps.append({"step": "released", "at": machine(release.published_at), "actor": "clock"})
        sent = [r.delivered_at for r in rows if r.delivered_at is not None]
        if release.content.type == "adhoc" and sent:
            steps.append({"step": "first_sent_to_media", "at": machine(min(sent)), "actor": "wire"})
        return sorted(steps, key=lambda s: s["at"])

    def csv(self, p: Principal, release_id: int) -> str:
        """One row per delivery, straight from the ledger."""
        with self.db.read() as conn:
            release = self._release(conn, p, release_id)
            rows = store.ledger(conn, release_id)
            opened, clicked = store.readers(conn, release_id, store.OPEN), store.readers(conn, release_id, store.CLICK)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(CSV_FIELDS)
        for r in rows:
            s = _seconds(r, release.published_at)
            w.writerow([r.id, release.public_id, r.version, r.event, r.language, r.channel, r.status, r.attempts,
                        r.last_status_code if r.last_status_code is not None else "", r.last_error or "",
                        r.subscriber_id or "", r.subscriber_name or "", r.endpoint_id,
                        *(machine(v) if v else "" for v in (r.created_at, r.last_attempt_at, r.delivered_at)),
                        "" if s is None else f"{s:.3f}", int(r.id in opened), int(r.id in clicked)])
        return out.getvalue()

    def dashboard(self, p: Principal) -> dict:
        """Totals across releases by month (of the release second) and channel: an issuer's own,
        the desk's across issuers."""
        access.require_signed_in(p)
        if p.role == Role.ISSUER:
            issuer = p.issuer_id
        elif p.is_staff:
            issuer = None
        else:
            raise NotFound("There are no reports this key may see.")
        with self.db.read() as conn:
            rows, events = store.totals(conn, issuer), store.event_totals(conn, issuer)
        months: dict[str, dict] = {}
        month_of = {}
        for rid, _issuer, published, channel, status, n in rows:
            month = published.strftime("%Y-%m")
            month_of[rid] = month
            m = months.setdefault(month, {"releases": set(), "channels": {}})
            m["releases"].add(rid)
            c = m["channels"].setdefault(channel, {"targeted": 0, "delivered": 0, "dead": 0})
            c["targeted"] += n
            if status in ("delivered", "dead"):
                c[status] += n
        for rid, kind, n in events:
            if rid in month_of:
                m = months[month_of[rid]]
                m[kind] = m.get(kind, 0) + n
        return {"months": [{"month": k, "releases": len(v.pop("releases")), **v} for k, v in sorted(months.items())]}
