"""The shortcuts the fixtures take stand for what they replace, on both databases: the ``keys``
fixture's copied rows are what making the issuers and keys through the Wire gives, the reset
between tests restarts ids, and the renderer tests' in-memory releases are the Wire's own."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import inmemory
import reference as ref
from helpers import publish, snapshot
from newswire.storage.tables import metadata

T0 = dt.datetime(2026, 11, 20, 9, 0, 0, 250_000, tzinfo=dt.timezone.utc)
RANDOM = {"api_keys": ("prefix", "secret_hash")}  # new for every key made


@pytest.fixture
def frozen(clock):
    clock.set(T0)  # before the keys fixture writes anything


def empty(request, wire) -> None:
    """What the next test's database starts as: PostgreSQL by the session's reset, SQLite (a new
    copy of the template for each test) here by deleting every row; its rowids then restart at 1."""
    if wire.engine.dialect.name == "postgresql":
        request.getfixturevalue("empty_postgres")()
        return
    with wire.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def comparable(rows: dict) -> dict:
    columns = {t.name: [c.name for c in t.columns] for t in metadata.sorted_tables}
    return {t: [tuple(v for c, v in zip(columns[t], row) if c not in RANDOM.get(t, ())) for row in found]
            for t, found in rows.items()}


def who(wire, tokens: dict) -> dict:
    return {name: wire.accounts.authenticate(token) for name, token in tokens.items()}


def test_keys_fixture_is_what_making_them_gives(request, frozen, wire, keys):
    copied, copied_as = snapshot(wire.engine), who(wire, keys)
    empty(request, wire)
    assert all(rows == [] for rows in snapshot(wire.engine).values())
    made = ref.make(wire)
    assert comparable(snapshot(wire.engine)) == comparable(copied)
    assert who(wire, made) == copied_as and set(made) == set(keys)


def test_ids_restart_after_the_reset(request, wire, editor, sample):
    first = publish(wire, editor, sample)
    empty(request, wire)
    again = publish(wire, wire.accounts.authenticate(ref.make(wire)["editor"]), sample)
    assert first.id == again.id == 1


def test_spare_tokens_are_made_through_the_wire(wire, keys, reference):
    with reference.tokens_from_spares():
        tokens = [wire.accounts.create_api_key("subscriber", f"Spare {i}") for i in range(ref.SPARE_TOKENS + 1)]
    assert len(set(tokens)) == len(tokens)  # the last one hashed on the spot
    assert [wire.accounts.authenticate(t).name for t in tokens] == [f"Spare {i}" for i in range(len(tokens))]
    with wire.engine.connect() as conn:
        made = conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'apikey.create'")).scalar()
    assert made == len(keys) + len(tokens)


def test_in_memory_releases_are_the_wires(frozen, wire, keys, reference, sample, clock):
    editor, acme = wire.accounts.authenticate(keys["editor"]), reference.issuers["acme"]

    stored = publish(wire, editor, sample)
    built = inmemory.published(acme, {**sample, "issuer": "acme"}, T0, public_id=stored.public_id)  # (random)
    assert stored == built
    clock.advance(hours=1)
    note = {"correction_note": "Model number corrected.", "headline": "Rocket Skate 3001"}
    assert wire.releases.correct(editor, stored.id, note) == (built := inmemory.correct(built, note, clock()))
    clock.advance(minutes=1)
    assert wire.releases.withdraw(editor, stored.id, "Issued in error.") == inmemory.withdraw(built, "Issued in error.", clock())

    later = (clock() + dt.timedelta(hours=1)).replace(microsecond=0)
    rich = {**sample, "issuer": "acme", "embargo_until": later.isoformat(), "body_format": "html",
            "body": "<h2>Results</h2><p>See <a href=\"https://acme.example/ir\">this</a>.</p><ol start=\"3\"><li>x</li></ol>",
            "industries": ["medtop:04000000", "medtop:13000000"], "regions": ["KR", "JP", "DE"],
            "tickers": ["NASDAQ:ACME", "US0378331005"], "keywords": ["skates", "rockets"],
            "attribution": "Photos courtesy of NASA.", "contacts": [{"name": "Ada Press", "role": "Head of PR"}]}
    scheduled = wire.releases.publish(editor, wire.releases.create(editor, rich).id)
    built = inmemory.published(acme, rich, clock(), release_id=scheduled.id, public_id=scheduled.public_id)
    assert scheduled == built and scheduled.status == "scheduled"
    clock.advance(hours=1, seconds=1)
    assert wire.releases.release_due() == [scheduled.id]
    assert wire.releases.get(editor, scheduled.id) == inmemory.release_due(built, clock())

    minimal = {"issuer": "globex", "headline": "Kurz", "body": "Nur Text.", "language": "de"}
    draft = wire.releases.create(wire.accounts.authenticate(keys["globex"]), minimal)
    assert draft == inmemory.create(reference.issuers["globex"], minimal, clock(), by="Globex PR", release_id=draft.id,
                                   public_id=draft.public_id)
    arabic = {**sample, "language": "ar", "headline": "أكمي تكشف عن لوح التزلج الصاروخي", "body": "نص البيان."}
    stored = publish(wire, editor, arabic)
    assert stored == inmemory.published(acme, {**arabic, "issuer": "acme"}, clock(), release_id=stored.id,
                                          public_id=stored.public_id)
