"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from newswire.storage.tables import metadata, schema_object


def test_migrations_match_the_tables(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": schema_object})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"tables.py and the migrations disagree; write a migration: {diff}"
