"""Shared fixtures. Every database test runs twice: on a real SQLite file and on the
real PostgreSQL server (``NEWSWIRE_TEST_POSTGRES_URL``, default the machine's
``test`` database), in a database of its own created for this test session."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from newswire.config import Settings
from newswire.storage import db
from newswire.bootstrap import Container, build
from pgreset import PostgresReset
from reference import Reference
from smtp_sink import Sink
import web_helpers

PG_ADMIN_URL = os.environ.get("NEWSWIRE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


class Clock:
    """A clock tests can move; defaults to the real time until ``set`` is called."""

    def __init__(self):
        self.fixed: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.fixed or dt.datetime.now(dt.timezone.utc)

    def set(self, when: dt.datetime) -> None:
        self.fixed = when

    def advance(self, **kw) -> None:
        self.fixed = self() + dt.timedelta(**kw)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "newswire.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    name = f"newswire_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    db.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def empty_postgres(postgres_url) -> PostgresReset:
    """``empty_postgres()`` empties what the last test wrote to the session's database; ids restart at 1."""
    reset = PostgresReset(postgres_url)
    yield reset
    reset.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        target = tmp_path / "data" / "newswire.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    request.getfixturevalue("empty_postgres")()
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, base_url="http://testserver",
                    run_worker=False)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def wire(settings, clock) -> Container:
    """The wire as the composition root builds it (schema already migrated)."""
    w = build(settings, clock=clock, migrate=False)
    yield w
    w.close()


@pytest.fixture
def app(wire):
    from newswire.web.app import create_app

    return create_app(wire)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def signed_in(app, wire, keys):
    """``signed_in("issuer", issuer="acme")``: a browser-like client signed in as a new user of that
    role (``.user`` is the User). The issuers acme and globex exist (``keys``)."""
    def make(role: str, issuer: str | None = None, **kw):
        user = web_helpers.person(wire, role, issuer=issuer, **kw)
        c = web_helpers.browser(app)
        web_helpers.sign_in(c, user.email)
        c.user = user
        return c

    return make


@pytest.fixture(scope="session")
def reference(sqlite_template, tmp_path_factory) -> Reference:
    """The issuers and keys of ``keys``, made (and hashed) once per session; see reference.py."""
    return Reference.build(sqlite_template, tmp_path_factory.mktemp("reference") / "newswire.db")


@pytest.fixture
def keys(wire, reference) -> dict[str, str]:
    """Two issuers (acme, globex) and one key per role (reference.make), as of the test's clock."""
    reference.insert(wire.engine, wire.clock())
    return dict(reference.tokens)


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives; a test may stop it."""
    yield (sink := Sink().start())
    sink.stop()


def auth(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


SAMPLE = {
    "headline": "Acme unveils the Rocket Skate 3000",
    "subheadline": "Faster, safer, greener",
    "dateline": {"city": "Berlin", "date": "2026-11-20"},
    "lead": "Acme today announced its new skate.",
    "body": "## Highlights\n\nThe **Rocket Skate 3000** goes [faster](https://acme.example/skate).\n\n"
            "- 30% lighter\n- 2x range\n\n> \"Our best yet,\" said *Wile E. Coyote*.\n",
    "body_format": "markdown",
    "language": "en",
    "industries": ["medtop:04000000"],
    "regions": ["DE", "US"],
    "tickers": ["NYSE:ACME"],
}


@pytest.fixture
def sample() -> dict:
    return {k: (v.copy() if isinstance(v, (dict, list)) else v) for k, v in SAMPLE.items()}


@pytest.fixture
def editor(wire, keys):
    """The desk editor's principal, for acting through the Wire directly."""
    return wire.accounts.authenticate(keys["editor"])


@pytest.fixture
def receiver():
    """A real HTTP receiver on 127.0.0.1 that records every webhook it gets."""
    from webhook_receiver import Receiver

    with Receiver() as r:
        yield r


@pytest.fixture
def publish(wire, editor, sample):
    """``publish(**fields)``: the sample release, changed by ``fields``, published by the editor."""
    from helpers import publish as publish_release

    return lambda issuer="acme", **fields: publish_release(wire, editor, sample, issuer=issuer, **fields)
