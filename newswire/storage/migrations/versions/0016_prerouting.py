"""pre-routing: held ledger rows of scheduled releases, and when each subscriber and endpoint last changed

``held_deliveries`` holds a scheduled release's ledger rows before its second (nothing reads it but
routing); ``prerouted`` says what they were routed for. ``subscribers.changed_at`` and
``endpoints.changed_at`` are set by triggers to the database's clock (epoch seconds) on every insert
and update, whatever code writes the row, so the go-live transaction re-routes exactly those.
The ledger's index on ``release_id`` goes: its unique constraint leads with that column.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-11
"""
import sqlalchemy as sa
from alembic import op

from newswire.storage.columns import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

TABLES = ("subscribers", "endpoints")
SQLITE_NOW = "((julianday('now') - 2440587.5) * 86400.0)"


def upgrade() -> None:
    # The ledger's own index on release_id: its unique constraint leads with the column already.
    op.drop_index(op.f('ix_deliveries_release_id'), table_name='deliveries')
    for table in TABLES:
        op.add_column(table, sa.Column('changed_at', sa.Float(), nullable=True))
        op.create_index(op.f(f'ix_{table}_changed_at'), table, ['changed_at'], unique=False)
    op.create_table(
        'held_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=True),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('due', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['endpoint_id'], ['endpoints.id'], name=op.f('fk_held_deliveries_endpoint_id_endpoints'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_held_deliveries_release_id_releases')),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'],
                                name=op.f('fk_held_deliveries_subscriber_id_subscribers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_deliveries')),
        sa.UniqueConstraint('release_id', 'version', 'event', 'language', 'endpoint_id',
                            name=op.f('uq_held_deliveries_release_id_version_event_language_endpoint_id')),
    )
    op.create_index(op.f('ix_held_deliveries_endpoint_id'), 'held_deliveries', ['endpoint_id'], unique=False)
    op.create_index(op.f('ix_held_deliveries_subscriber_id'), 'held_deliveries', ['subscriber_id'], unique=False)
    op.create_table(
        'prerouted',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('embargo_until', UTCDateTime(), nullable=False),
        sa.Column('checked_at', sa.Float(), nullable=False),
        sa.Column('live_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_prerouted_release_id_releases')),
        sa.PrimaryKeyConstraint('release_id', name=op.f('pk_prerouted')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION newswire_changed_at() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN NEW.changed_at := extract(epoch FROM clock_timestamp()); RETURN NEW; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_changed_at BEFORE INSERT OR UPDATE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION newswire_changed_at()")
    else:  # (recursive triggers are off: the trigger's own UPDATE does not fire it again)
        for table in TABLES:
            for when in ("INSERT", "UPDATE"):
                op.execute(f"CREATE TRIGGER {table}_changed_at_{when.lower()} AFTER {when} ON {table} "
                           f"BEGIN UPDATE {table} SET changed_at = {SQLITE_NOW} WHERE id = NEW.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_changed_at ON {table}")
        op.execute("DROP FUNCTION newswire_changed_at()")
    else:
        for table in TABLES:
            for when in ("insert", "update"):
                op.execute(f"DROP TRIGGER {table}_changed_at_{when}")
    op.drop_table('prerouted')
    op.drop_index(op.f('ix_held_deliveries_subscriber_id'), table_name='held_deliveries')
    op.drop_index(op.f('ix_held_deliveries_endpoint_id'), table_name='held_deliveries')
    op.drop_table('held_deliveries')
    for table in TABLES:
        op.drop_index(op.f(f'ix_{table}_changed_at'), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column('changed_at')
    op.create_index(op.f('ix_deliveries_release_id'), 'deliveries', ['release_id'], unique=False)
