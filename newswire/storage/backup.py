"""Copies of the database: SQLite through its online backup API (a consistent copy while the
service runs, page by page), PostgreSQL through ``pg_dump``/``pg_restore`` (custom format), whose
connection settings go in the libpq environment, never on the command line."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

Progress = Callable[[int, int], None]  # (done, total)
PAGES = 256  # pages copied per step: other connections may write between steps


class BackupError(RuntimeError):
    pass


def sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(path)


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection, progress: Progress | None) -> None:
    def step(_status, remaining, total):
        if progress is not None:
            progress(total - remaining, total)

    src.backup(dst, pages=PAGES, progress=step)


def sqlite_backup(url: str, dest: Path, progress: Progress | None = None) -> None:
    """A consistent copy of the live database at ``dest`` (written beside it, then renamed)."""
    src_path = sqlite_path(url)
    if not src_path.is_file():
        raise BackupError(f"there is no database at {src_path}")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src, dst = sqlite3.connect(src_path), sqlite3.connect(partial)
    try:
        _copy(src, dst, progress)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    partial.replace(dest)


def sqlite_check(path: Path) -> None:
    """Refuse a file that is not a whole SQLite database of the wire."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a Newswire SQLite database: {exc}") from None
    if ok != "ok":
        raise BackupError(f"{path} is damaged: {ok}")


def sqlite_restore(backup: Path, url: str, progress: Progress | None = None) -> None:
    """Copy ``backup`` over the database at ``url`` through the backup API (the WAL and every
    open connection see the restored pages; stop the service first all the same)."""
    sqlite_check(backup)
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(f"file:{backup}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        _copy(src, dst, progress)
    finally:
        dst.close()
        src.close()


def sqlite_is_empty(url: str) -> bool:
    path = sqlite_path(url)
    if not path.is_file():
        return True
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'releases'").fetchall()
        return not tables or not conn.execute("SELECT 1 FROM releases LIMIT 1").fetchall()
    finally:
        conn.close()


def libpq_env(url: str) -> dict[str, str]:
    """The libpq variables for a PostgreSQL SQLAlchemy URL (the password stays off the command line)."""
    u = make_url(url)
    env = {"PGHOST": u.host or "", "PGPORT": str(u.port or ""), "PGUSER": u.username or "",
           "PGPASSWORD": u.password or "", "PGDATABASE": u.database or ""}
    return {k: v for k, v in env.items() if v}  # (nothing else: the tool runs by its full path)


def _run(argv: list[str], url: str) -> None:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(f"{argv[0]} is not on PATH; install the PostgreSQL client tools "
                          "(the same major version as the server) or run it by hand (docs/operations.md)")
    res = subprocess.run([tool, *argv[1:]], env=libpq_env(url), capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {res.stderr.strip()}")


def pg_dump(url: str, dest: Path) -> None:
    """``pg_dump --format=custom``: a consistent snapshot while the service runs."""
    partial = dest.with_name(dest.name + ".partial")
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], url)
    partial.replace(dest)


def pg_restore(backup: Path, url: str) -> None:
    """``pg_restore --clean --if-exists`` in one transaction: all of it or, on an error, nothing."""
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={make_url(url).database}", str(backup)], url)
