"""pre-checks, near-duplicate signatures, ad-hoc disclosures

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
from newswire.storage.tables import JSONType, UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('release_versions') as batch:
        batch.add_column(sa.Column('type', sa.String(length=16), nullable=False, server_default='press_release'))
        batch.add_column(sa.Column('disclosure', JSONType, nullable=True))
    op.create_table(
        'release_checks',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('results', JSONType, nullable=False),
        sa.Column('checked_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_checks_release_id_releases')),
        sa.PrimaryKeyConstraint('release_id', name=op.f('pk_release_checks')),
    )
    op.create_table(
        'release_signatures',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('signature', JSONType, nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'],
                                name=op.f('fk_release_signatures_release_id_releases')),
        sa.PrimaryKeyConstraint('release_id', name=op.f('pk_release_signatures')),
    )
    op.create_table(
        'release_signature_bands',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('band', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'],
                                name=op.f('fk_release_signature_bands_release_id_releases')),
        sa.PrimaryKeyConstraint('release_id', 'band', name=op.f('pk_release_signature_bands')),
    )
    op.create_index('ix_release_signature_bands_band_bucket', 'release_signature_bands', ['band', 'bucket'])


def downgrade() -> None:
    op.drop_index('ix_release_signature_bands_band_bucket', table_name='release_signature_bands')
    op.drop_table('release_signature_bands')
    op.drop_table('release_signatures')
    op.drop_table('release_checks')
    with op.batch_alter_table('release_versions') as batch:
        batch.drop_column('disclosure')
        batch.drop_column('type')
