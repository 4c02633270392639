"""search: the full-text index of every release and language version (FTS5 on SQLite, tsvector on
PostgreSQL). Releases stored before it are indexed by `newswire search reindex`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('translated', sa.Boolean(), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.Column('tsv', sa.Text().with_variant(TSVECTOR(), 'postgresql'), nullable=True),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_search_documents_release_id_releases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    )
    op.create_index('ix_search_documents_release_id_language', 'search_documents', ['release_id', 'language'])
    op.create_index('ix_search_documents_tsv', 'search_documents', ['tsv'], postgresql_using='gin')
    if op.get_bind().dialect.name == 'sqlite':
        # the terms are cut by newswire/domain/search.py; FTS5 only splits them at the spaces
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(terms, "
                   "tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TABLE IF EXISTS search_fts')
    op.drop_index('ix_search_documents_tsv', table_name='search_documents')
    op.drop_index('ix_search_documents_release_id_language', table_name='search_documents')
    op.drop_table('search_documents')
