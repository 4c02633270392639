"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from newswire.storage.db import alembic_config, upgrade
from newswire.storage.tables import endpoints, metadata, schema_object


def test_migrations_match_the_tables(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": schema_object})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"tables.py and the migrations disagree; write a migration: {diff}"


def test_0010_rewrites_stored_websub_topics_to_the_canonical_spelling(database_url):
    """Topics stored with ':' escaped (as feeds used to name themselves) match the canonical spelling
    after the upgrade; the downgrade puts the old spelling back."""
    plain = "http://testserver/feeds/en.rss?industry=medtop:04000000&region=DE"
    engine = sa.create_engine(database_url)
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(sa.insert(endpoints), [
            {"subscriber_id": None, "channel": "websub", "format": "rss", "address": f"https://sub.example/{i}",
             "topic": topic, "max_in_flight": 1, "status": "active", "disabled_reason": "", "created_at": now}
            for i, topic in enumerate((plain, "http://testserver/feeds/en.atom"))])

    def topics():
        with engine.connect() as conn:
            return conn.execute(sa.select(endpoints.c.topic).order_by(endpoints.c.id)).scalars().all()

    command.downgrade(alembic_config(database_url), "0010-1")  # to the revision before it
    assert topics() == [plain.replace("medtop:", "medtop%3A"), "http://testserver/feeds/en.atom"]
    upgrade(database_url)
    assert topics() == [plain, "http://testserver/feeds/en.atom"]
    engine.dispose()
