"""websub topics in their canonical spelling: ':' unescaped in the query (?industry=medtop:04000000)

Feeds used to name themselves, and the hub to store topics, with ':' escaped as %3A; the one
spelling is now formats/site.py canonical_url's, so stored subscriptions are rewritten to it
(only industry filters, Media Topic qcodes, ever held a ':'). No schema change.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE endpoints SET topic = REPLACE(topic, '%3A', ':') WHERE channel = 'websub'")


def downgrade() -> None:
    op.execute("UPDATE endpoints SET topic = REPLACE(topic, 'industry=medtop:', 'industry=medtop%3A') "
               "WHERE channel = 'websub'")
