"""media: pictures, documents and issuer logos

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
from newswire.storage.tables import JSONType, UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=True),
        sa.Column('issuer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('mime', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('alt_text', sa.Text(), nullable=False),
        sa.Column('caption', sa.Text(), nullable=False),
        sa.Column('credit', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('renditions', JSONType, nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_media_release_id_releases')),
        sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_media_issuer_id_issuers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
        sa.UniqueConstraint('token', name=op.f('uq_media_token')),
    )
    op.create_index('ix_media_release_id_position', 'media', ['release_id', 'position'])
    op.create_index('ix_media_issuer_id_kind', 'media', ['issuer_id', 'kind'])


def downgrade() -> None:
    op.drop_index('ix_media_issuer_id_kind', table_name='media')
    op.drop_index('ix_media_release_id_position', table_name='media')
    op.drop_table('media')
