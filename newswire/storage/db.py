"""Engine creation and schema migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

MIGRATIONS = Path(__file__).with_name("migrations")


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str) -> Engine:
    _ensure_sqlite_dir(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets the newsroom read while the worker writes; foreign keys are off by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


def psycopg_url(engine_or_url) -> str:
    """The libpq form of a PostgreSQL SQLAlchemy URL (``postgresql+psycopg://`` → ``postgresql://``),
    for the connections that psycopg opens itself (LISTEN, the worker's async connection)."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(str(engine_or_url))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


SQLITE_FULL, PG_DISK_FULL = 13, "53100"  # "database or disk is full"; PostgreSQL's disk_full


def storage_full(exc: BaseException) -> bool:
    """Whether a database error says the disk (or the database's size limit) is full: SQLite's
    SQLITE_FULL, PostgreSQL's class 53100. The write was rolled back; the file is not damaged."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL or getattr(orig, "sqlstate", None) == PG_DISK_FULL:
        return True
    return "database or disk is full" in str(orig)
