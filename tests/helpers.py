"""Small helpers shared by tests."""

from __future__ import annotations

import sqlalchemy as sa

from newswire.storage.tables import metadata

PROBLEM_TYPE = "application/problem+json"


def snapshot(engine) -> dict:
    """Every row of every table: compare before and after a refused request."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def postgres_listeners(engine, channel: str) -> int:
    """How many sessions, in any process, are listening on ``channel`` in this PostgreSQL database."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' "
            "AND query = :listen"), {"listen": f"LISTEN {channel}"}).scalar_one()


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_TYPE)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert any(f == field or f.startswith(field + "[") or f.startswith(field + ".") for f in fields), body
    return body


def headline(ninjs: dict) -> str:
    """The main headline of a ninjs 2.x document."""
    return next(h["value"] for h in ninjs["headlines"] if h.get("role") == "main")


def publish(wire, editor, sample: dict, *, issuer: str = "acme", **fields):
    """Create the sample release (with ``fields`` changed) as ``editor`` and publish it; returns the Release."""
    r = wire.releases.create(editor, {**sample, "issuer": issuer, **fields})
    return wire.releases.publish(editor, r.id)


def published(wire, keys, sample: dict, **fields):
    """The sample release published (or scheduled) by the desk editor, as it stands afterwards."""
    return publish(wire, wire.accounts.authenticate(keys["editor"]), sample, **fields)


def use_apertium(wire, pivots: tuple[str, ...] = ("es",)):
    """Translate with the real Apertium only (whatever the environment configures), with the
    wire's own translation memory; fails the test where Apertium is not installed."""
    import shutil

    import pytest

    from newswire.translation.engines.apertium import ApertiumEngine
    from newswire.translation.memory import SqlMemory
    from newswire.translation.pipeline import Pipeline
    from newswire.translation.registry import Registry

    if shutil.which("apertium") is None:
        pytest.fail("these tests need Apertium: apt-get install apertium apertium-eng-spa apertium-es-pt")
    wire.translations.use_pipeline(Pipeline(Registry([ApertiumEngine()], {}, pivots, {}), SqlMemory(wire.engine, wire.clock)))
    return wire


def rewire(wire, **overrides):
    """Another wire on the same database with some settings changed (as after an operator's
    restart with new settings): services take their settings when they are built."""
    from newswire.bootstrap import build

    return build(wire.settings.with_overrides(**overrides), clock=wire.clock, migrate=False)


def audit_actions(wire, action_prefix: str = "") -> list[tuple[str, dict]]:
    """(action, detail) of every audit record, oldest first, optionally only actions with a prefix."""
    from newswire.storage.tables import audit_log

    with wire.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.action, audit_log.c.detail).order_by(audit_log.c.id)).all()
    return [(a, d) for a, d in rows if a.startswith(action_prefix)]
