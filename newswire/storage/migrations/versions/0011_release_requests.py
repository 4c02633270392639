"""release requests: an issuer's request to the desk for a correction or a withdrawal

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from newswire.storage.tables import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'release_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('issuer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=200), nullable=False),
        sa.Column('requested_at', UTCDateTime(), nullable=False),
        sa.Column('done_by', sa.String(length=200), nullable=True),
        sa.Column('done_at', UTCDateTime(), nullable=True),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_requests_release_id_releases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_release_requests_issuer_id_issuers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_release_requests')),
    )
    op.create_index('ix_release_requests_release_id', 'release_requests', ['release_id'])
    op.create_index('ix_release_requests_status', 'release_requests', ['status'])


def downgrade() -> None:
    op.drop_index('ix_release_requests_status', table_name='release_requests')
    op.drop_index('ix_release_requests_release_id', table_name='release_requests')
    op.drop_table('release_requests')
