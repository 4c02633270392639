"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
from newswire.storage.tables import UTCDateTime
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_key_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=True),
    sa.Column('issuer_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_release_id'), ['release_id'], unique=False)

    op.create_table('issuers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('boilerplate', sa.Text(), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=False),
    sa.Column('contacts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuers')),
    sa.UniqueConstraint('slug', name=op.f('uq_issuers_slug'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=True),
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_api_keys_issuer_id_issuers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('embargo_until', UTCDateTime(), nullable=True),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_releases_issuer_id_issuers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases'))
    )
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_releases_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_index('ix_releases_status_embargo_until', ['status', 'embargo_until'], unique=False)
        batch_op.create_index('ix_releases_status_published_at', ['status', 'published_at'], unique=False)

    op.create_table('release_industries',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('qcode', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_industries_release_id_releases')),
    sa.PrimaryKeyConstraint('release_id', 'qcode', name=op.f('pk_release_industries'))
    )
    with op.batch_alter_table('release_industries', schema=None) as batch_op:
        batch_op.create_index('ix_release_industries_qcode', ['qcode'], unique=False)

    op.create_table('release_regions',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_regions_release_id_releases')),
    sa.PrimaryKeyConstraint('release_id', 'code', name=op.f('pk_release_regions'))
    )
    with op.batch_alter_table('release_regions', schema=None) as batch_op:
        batch_op.create_index('ix_release_regions_code', ['code'], unique=False)

    op.create_table('release_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('subheadline', sa.Text(), nullable=False),
    sa.Column('lead', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=16), nullable=False),
    sa.Column('boilerplate', sa.Text(), nullable=False),
    sa.Column('dateline_city', sa.String(length=120), nullable=True),
    sa.Column('dateline_date', sa.Date(), nullable=True),
    sa.Column('contacts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('industries', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('regions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('tickers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('keywords', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.Column('correction_note', sa.Text(), nullable=False),
    sa.Column('was_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_versions_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_versions')),
    sa.UniqueConstraint('release_id', 'number', name=op.f('uq_release_versions_release_id_number'))
    )



def downgrade() -> None:

    op.drop_table('release_versions')
    with op.batch_alter_table('release_regions', schema=None) as batch_op:
        batch_op.drop_index('ix_release_regions_code')

    op.drop_table('release_regions')
    with op.batch_alter_table('release_industries', schema=None) as batch_op:
        batch_op.drop_index('ix_release_industries_qcode')

    op.drop_table('release_industries')
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.drop_index('ix_releases_status_published_at')
        batch_op.drop_index('ix_releases_status_embargo_until')
        batch_op.drop_index(batch_op.f('ix_releases_issuer_id'))

    op.drop_table('releases')
    op.drop_table('api_keys')
    op.drop_table('issuers')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_release_id'))

    op.drop_table('audit_log')

