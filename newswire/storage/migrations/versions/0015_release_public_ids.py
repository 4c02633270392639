"""releases.public_id: a random public id for every release; releases.numeric_url: which were public

Public URLs, feeds, ninjs, NewsML, webhooks and the API name a release by its public id
(newswire/domain/ids.py) from this revision on, so the gaps between numbers no longer tell how many
releases wait unpublished. Every existing release gets one here; those already public (or withdrawn
after being public) keep their old numeric page URLs as 301 redirects (``numeric_url``); a release
made later has no numeric public URL at all.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14
"""
import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.drop_constraint(op.f("uq_releases_public_id"), type_="unique")
        batch.drop_column("numeric_url")
        batch.drop_column("public_id")
