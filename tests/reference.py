"""The reference data most tests start from: two issuers (acme, globex) and one API key per role.

Argon2id hashing is slow by design, so the issuers and keys are made once per test session,
through the services, on a scratch SQLite database; each test that asks for them gets those rows
copied into its own database with one INSERT per table, every timestamp set to the test's clock.
A test sees what it saw when it made them itself: the same rows, ids, hashes and audit entries,
and tokens that authenticate as before (verified against the stored hash, not pre-cached)."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from newswire.config import Settings
from newswire.domain.models import Issuer
from newswire.storage import issuers as issuer_store
from newswire.storage.tables import UTCDateTime, metadata
from newswire.services import access
from newswire.bootstrap import build

ISSUERS = [
    {"slug": "acme", "name": "Acme Corporation", "boilerplate": "About Acme: makers of everything.",
     "website": "https://acme.example",
     "contacts": [{"name": "Ada Press", "email": "press@acme.example", "phone": "+1 555 0100"}]},
    {"slug": "globex", "name": "Globex GmbH", "boilerplate": "Über Globex: Technik seit 1989."},
]
KEYS = {  # fixture name: (role, key name, issuer)
    "admin": ("admin", "Root", None),
    "editor": ("editor", "Desk Editor", None),
    "acme": ("issuer", "Acme PR", "acme"),
    "globex": ("issuer", "Globex PR", "globex"),
    "subscriber": ("subscriber", "Daily Planet", None),
}
SPARE_TOKENS = 4  # pre-hashed for fixtures that make more keys through the services (tokens_from)


def make(wire) -> dict[str, str]:
    """What the ``keys`` fixture stands for: the issuers, then the keys, in this order."""
    for issuer in ISSUERS:
        wire.accounts.create_issuer(**issuer)
    return {name: wire.accounts.create_api_key(role, label, slug) for name, (role, label, slug) in KEYS.items()}


def _autoincrement_pk(table: sa.Table) -> sa.Column | None:
    cols = list(table.primary_key.columns)
    return cols[0] if len(cols) == 1 and isinstance(cols[0].type, sa.Integer) else None


@dataclass
class Reference:
    tokens: dict[str, str]
    rows: dict[str, list[dict]]  # table name: rows as stored, in id order
    issuers: dict[str, Issuer]  # slug: the Issuer as storage loads it
    spare: list[tuple[str, str, str]] = field(default_factory=list)  # (token, prefix, hash) never handed out

    @classmethod
    def build(cls, template: Path, scratch: Path) -> Reference:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(template.read_bytes())
        url = f"sqlite:///{scratch}"
        wire = build(Settings(data_dir=scratch.parent, database_url=url), migrate=False)
        try:
            tokens = make(wire)
            with wire.engine.connect() as conn:
                rows = {}
                for table in metadata.sorted_tables:
                    found = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings().all()
                    if found:
                        rows[table.name] = [dict(r) for r in found]
                issuers = {i["slug"]: issuer_store.get_issuer_by_slug(conn, i["slug"]) for i in ISSUERS}
        finally:
            wire.close()
        return cls(tokens, rows, issuers, [access.new_token() for _ in range(SPARE_TOKENS)])

    def insert(self, engine: sa.Engine, now: dt.datetime) -> None:
        """The reference rows into a test's (empty) database, in one transaction."""
        with engine.begin() as conn:
            serials = []
            for table in metadata.sorted_tables:
                rows = self.rows.get(table.name)
                if not rows:
                    continue
                stamps = [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]
                conn.execute(table.insert(), [{**r, **{c: now for c in stamps if r[c] is not None}} for r in rows])
                pk = _autoincrement_pk(table)
                if pk is not None:
                    serials.append((table.name, pk.name, max(r[pk.name] for r in rows)))
            if conn.dialect.name == "postgresql":  # explicit ids do not move the sequences; SQLite needs no help
                conn.execute(sa.select(*(sa.func.setval(sa.func.pg_get_serial_sequence(t, c), n)
                                         for t, c, n in serials)))

    @contextlib.contextmanager
    def tokens_from_spares(self):
        """Keys the accounts service makes inside this block get pre-hashed tokens: the whole path but the hashing."""
        spare, made = iter(self.spare), access.new_token
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(access, "new_token", lambda: next(spare, None) or made())
            yield
