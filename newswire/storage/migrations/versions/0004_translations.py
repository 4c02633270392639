"""translation jobs, release target languages, issuer glossaries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
from newswire.storage.tables import JSONType, UTCDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('releases') as batch:
        batch.add_column(sa.Column('target_languages', JSONType, nullable=False, server_default='[]'))
    with op.batch_alter_table('issuers') as batch:
        batch.add_column(sa.Column('glossary', JSONType, nullable=False, server_default='{}'))
    op.create_table(
        'translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('source_version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('engines', JSONType, nullable=False),
        sa.Column('fields', JSONType, nullable=False),
        sa.Column('segments', JSONType, nullable=False),
        sa.Column('human', JSONType, nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('leased_by', sa.String(length=64), nullable=True),
        sa.Column('lease_until', UTCDateTime(), nullable=True),
        sa.Column('routed_version', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_translations_release_id_releases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translations')),
        sa.UniqueConstraint('release_id', 'language', name=op.f('uq_translations_release_id_language')),
    )
    op.create_index('ix_translations_status_lease_until', 'translations', ['status', 'lease_until'])


def downgrade() -> None:
    op.drop_index('ix_translations_status_lease_until', table_name='translations')
    op.drop_table('translations')
    with op.batch_alter_table('issuers') as batch:
        batch.drop_column('glossary')
    with op.batch_alter_table('releases') as batch:
        batch.drop_column('target_languages')
