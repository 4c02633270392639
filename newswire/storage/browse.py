"""What the newsroom's index pages count: public releases in a language by region, industry and issuer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from ..domain.models import LIVE
from . import translations as tr
from .tables import issuers, release_industries, release_regions, releases


def _public_in(language: str, now: dt.datetime):
    """Public releases readable in ``language``: originals in it and ready translations into it."""
    return and_(releases.c.status.in_([s.value for s in LIVE]), releases.c.published_at.is_not(None),
                releases.c.published_at <= now,
                or_(releases.c.language == language, releases.c.id.in_(tr.ready_release_ids(language))))


def region_counts(conn: Connection, language: str, now: dt.datetime) -> dict[str, int]:
    rows = conn.execute(select(release_regions.c.code, func.count(func.distinct(releases.c.id)))
                        .join(releases, releases.c.id == release_regions.c.release_id)
                        .where(_public_in(language, now)).group_by(release_regions.c.code))
    return {code: n for code, n in rows}


def industry_tags(conn: Connection, language: str, now: dt.datetime) -> list[tuple[int, str]]:
    """(release id, Media Topic) of every public release's industries: the caller rolls them up the tree."""
    return [tuple(r) for r in conn.execute(
        select(release_industries.c.release_id, release_industries.c.qcode)
        .join(releases, releases.c.id == release_industries.c.release_id).where(_public_in(language, now)))]


def issuer_counts(conn: Connection, language: str, now: dt.datetime) -> list[tuple[str, str, int]]:
    """(slug, name, releases) of each issuer with public releases in ``language``, by name."""
    rows = conn.execute(select(issuers.c.slug, issuers.c.name, func.count(releases.c.id))
                        .join(releases, releases.c.issuer_id == issuers.c.id).where(_public_in(language, now))
                        .group_by(issuers.c.slug, issuers.c.name).order_by(func.lower(issuers.c.name), issuers.c.slug))
    return [(slug, name, n) for slug, name, n in rows]
