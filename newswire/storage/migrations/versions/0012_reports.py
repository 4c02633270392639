"""distribution reports: deletion keeps the ledger (scrubbed rows), readers' events, reach counts, pickups

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10
"""
import sqlalchemy as sa
from alembic import op

from newswire.storage.tables import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscribers') as b:
        b.add_column(sa.Column('deleted_at', UTCDateTime(), nullable=True))
    with op.batch_alter_table('endpoints') as b:
        b.add_column(sa.Column('deleted_at', UTCDateTime(), nullable=True))
    op.create_table(
        'report_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=True),
        sa.Column('link', sa.Integer(), nullable=True),
        sa.Column('once', sa.String(length=64), nullable=True),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_report_events_delivery_id_deliveries')),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_report_events_release_id_releases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_events')),
        sa.UniqueConstraint('once', name=op.f('uq_report_events_once')),
    )
    op.create_index('ix_report_events_release_id_kind', 'report_events', ['release_id', 'kind'], unique=False)
    op.create_table(
        'reach_counts',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_reach_counts_release_id_releases')),
        sa.PrimaryKeyConstraint('release_id', 'channel', 'language', name=op.f('pk_reach_counts')),
    )
    op.create_table(
        'pickups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=True),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=False),
        sa.Column('claimed_at', UTCDateTime(), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.Column('checked_at', UTCDateTime(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_pickups_release_id_releases')),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_pickups_subscriber_id_subscribers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pickups')),
        sa.UniqueConstraint('release_id', 'url', name=op.f('uq_pickups_release_id_url')),
    )
    op.create_index(op.f('ix_pickups_release_id'), 'pickups', ['release_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pickups_release_id'), table_name='pickups')
    op.drop_table('pickups')
    op.drop_table('reach_counts')
    op.drop_index('ix_report_events_release_id_kind', table_name='report_events')
    op.drop_table('report_events')
    with op.batch_alter_table('endpoints') as b:
        b.drop_column('deleted_at')
    with op.batch_alter_table('subscribers') as b:
        b.drop_column('deleted_at')
