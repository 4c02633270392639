"""translation memory

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
from newswire.storage.tables import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'translation_memory',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_hash', sa.String(length=64), nullable=False),
        sa.Column('source_lang', sa.String(length=16), nullable=False),
        sa.Column('target_lang', sa.String(length=16), nullable=False),
        sa.Column('engine', sa.String(length=64), nullable=False),
        sa.Column('glossary_key', sa.String(length=64), nullable=False),
        sa.Column('translation', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_memory')),
        sa.UniqueConstraint('source_hash', 'source_lang', 'target_lang', 'engine', 'glossary_key',
                            name='uq_translation_memory_key'),
    )


def downgrade() -> None:
    op.drop_table('translation_memory')
