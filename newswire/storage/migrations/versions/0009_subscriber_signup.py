"""subscriber self-service: the signed test events outlets send to their webhook endpoints

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from newswire.storage.tables import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'endpoint_tests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.String(length=64), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['endpoint_id'], ['endpoints.id'], name=op.f('fk_endpoint_tests_endpoint_id_endpoints'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_endpoint_tests')),
    )
    op.create_index(op.f('ix_endpoint_tests_endpoint_id'), 'endpoint_tests', ['endpoint_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_endpoint_tests_endpoint_id'), table_name='endpoint_tests')
    op.drop_table('endpoint_tests')
