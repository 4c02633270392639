"""The live stream's ids become visible in order on PostgreSQL: a second writer waits for the first
to commit, so a reader resuming after the highest id it saw can never miss a lower one that was
still uncommitted (two real connections; the wait is observed in pg_stat_activity, not timed)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from helpers import until_sync

from newswire.storage import stream

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)


def _append(conn, release_id: int) -> int:
    return stream.append(conn, release_id=release_id, event="release.published", language="en", industries=[],
                         regions=[], issuer="acme", now=NOW)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has one writer at a time
def test_a_second_writer_waits_for_the_first_to_commit(wire, publish):
    release = publish()
    first = wire.engine.connect()
    tx = first.begin()
    first_id = _append(first, release.id)
    got: dict[str, int] = {}

    def second_writer():
        with wire.engine.begin() as conn:
            got["pid"] = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            got["id"] = _append(conn, release.id)

    thread = threading.Thread(target=second_writer)
    thread.start()

    def waiting_on_the_lock() -> bool:
        with wire.engine.connect() as probe:
            return probe.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND "
                                         "wait_event_type = 'Lock'"), {"pid": got.get("pid", -1)}).scalar_one() == 1

    until_sync(waiting_on_the_lock, "the second writer waiting on the stream lock")
    with wire.engine.connect() as reader:  # meanwhile a reader sees neither event
        assert [r.id for r in stream.since(reader, first_id - 1)] == []
    tx.commit()
    first.close()
    thread.join(timeout=30)
    assert got["id"] > first_id
    with wire.engine.connect() as reader:
        assert [r.id for r in stream.since(reader, first_id - 1)] == [first_id, got["id"]]
