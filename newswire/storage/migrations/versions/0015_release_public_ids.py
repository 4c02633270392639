"""releases.public_id: a random public id for every release; releases.numeric_url: which were public

Public URLs, feeds, ninjs, NewsML, webhooks and the API name a release by its public id
(newswire/domain/ids.py) from this revision on, so the gaps between numbers no longer tell how many
releases wait unpublished. Every existing release gets one here; those already public (or withdrawn
after being public) keep their old numeric page URLs as 301 redirects (``numeric_url``); a release
made later has no numeric public URL at all.

Translations' media texts were stored under the item's row id (``media.{id}.caption``), which
counts the wire's pictures; they are keyed by the item's random token from here on
(``domain/models.py`` ``media_field``): the stored fields and segments are rewritten both ways.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14
"""
import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from newswire.domain.ids import new_public_id

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.add_column(sa.Column("public_id", sa.String(24), nullable=True))
        batch.add_column(sa.Column("numeric_url", sa.Boolean(), nullable=False, server_default=sa.false()))
    conn = op.get_bind()
    releases = sa.table("releases", sa.column("id", sa.Integer), sa.column("public_id", sa.String),
                        sa.column("numeric_url", sa.Boolean), sa.column("published_at", sa.DateTime))
    ids = conn.execute(sa.select(releases.c.id).order_by(releases.c.id)).scalars().all()
    for release_id in ids:  # (a few thousand rows at most on a wire of this size)
        conn.execute(sa.update(releases).where(releases.c.id == release_id).values(public_id=new_public_id()))
    # public (or withdrawn after being public) now: published_at is set only at the release second
    conn.execute(sa.update(releases).where(releases.c.published_at.is_not(None)).values(numeric_url=True))
    with op.batch_alter_table("releases") as batch:
        batch.alter_column("public_id", existing_type=sa.String(24), nullable=False)
        batch.alter_column("numeric_url", existing_type=sa.Boolean(), server_default=None)
        batch.create_unique_constraint(op.f("uq_releases_public_id"), ["public_id"])
    _rekey_media_texts(conn, to_token=True)


_MEDIA_KEY = re.compile(r"^media\.([^.]+)\.(alt_text|caption)$")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_translations = sa.table("translations", sa.column("id", sa.Integer), sa.column("fields", _JSON),
                         sa.column("segments", _JSON))
_media = sa.table("media", sa.column("id", sa.Integer), sa.column("token", sa.String))


def _rekey_media_texts(conn, *, to_token: bool) -> None:
    """Each translation's ``media.{id}.…`` keys (fields, and each segment's ``field``) as
    ``media.{token}.…``, or back; a key whose item is gone stays as it was (it matches nothing)."""
    pairs = conn.execute(sa.select(_media.c.id, _media.c.token)).all()
    names = {str(i): t for i, t in pairs} if to_token else {t: str(i) for i, t in pairs}

    def rekey(key):
        found = _MEDIA_KEY.match(key) if isinstance(key, str) else None
        if found is None or found.group(1) not in names:
            return key
        return f"media.{names[found.group(1)]}.{found.group(2)}"

    for row in conn.execute(sa.select(_translations.c.id, _translations.c.fields, _translations.c.segments)).all():
        fields = {rekey(k): v for k, v in (row.fields or {}).items()}
        segments = [{**s, "field": rekey(s.get("field"))} if isinstance(s, dict) and "field" in s else s
                    for s in (row.segments or [])]
        if fields != (row.fields or {}) or segments != (row.segments or []):
            conn.execute(sa.update(_translations).where(_translations.c.id == row.id)
                         .values(fields=fields, segments=segments))


def downgrade() -> None:
    _rekey_media_texts(op.get_bind(), to_token=False)
    with op.batch_alter_table("releases") as batch:
        batch.drop_constraint(op.f("uq_releases_public_id"), type_="unique")
        batch.drop_column("numeric_url")
        batch.drop_column("public_id")
