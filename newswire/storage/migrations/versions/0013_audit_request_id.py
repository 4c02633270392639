"""audit_log.request_id: the request (X-Request-ID) each audited action came from

A release's submission, approval, publication and deliveries are then found in the logs under
the ids recorded here; a release the clock publishes is published under its scheduling's id.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("request_id")
