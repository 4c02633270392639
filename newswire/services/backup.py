"""``newswire backup`` and ``restore``: one folder holds the whole wire.

A backup folder has the database (``newswire.db``, a self-contained SQLite file made with the
online backup API, or ``newswire.pgdump``, ``pg_dump``'s custom format), the media files
(``media/``), the key file that decrypts the signing secrets when the operator has not set
``NEWSWIRE_SECRET_KEY`` (``secret.key``), and ``manifest.json`` (what it is, the schema revision,
when). Restoring refuses a database that already holds releases unless told to replace it, and
a backup made by a newer Newswire than this one (its schema revision unknown here).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from ..config import Settings
from ..domain.errors import Conflict, InvalidInput
from ..storage import backup as store
from ..storage import db
from ..storage import ops as ops_store

FORMAT = 1
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Manifest:
    database: str  # sqlite | postgresql
    revision: str | None
    created_at: str
    media_files: int
    key_file: bool

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2)


class Backups:
    def __init__(self, settings: Settings, engine: Engine):
        self.settings, self.engine, self.url = settings, engine, settings.sqlalchemy_url
        self.postgres = self.url.startswith("postgresql")

    @property
    def _media(self) -> Path:
        return Path(self.settings.data_dir) / "media"

    @property
    def _key(self) -> Path | None:
        return None if self.settings.secret_key else Path(self.settings.data_dir) / "secret.key"

    def backup(self, dest: Path, progress: Progress | None = None) -> Manifest:
        """Write the backup folder ``dest`` (new or empty) while the service runs."""
        if dest.exists() and any(dest.iterdir()):
            raise Conflict(f"{dest} is not empty; give a new folder for the backup")
        dest.mkdir(parents=True, exist_ok=True)
        say = progress or (lambda *_: None)
        revision = self._revision()
        if self.postgres:
            say("database (pg_dump)", 0, 1)
            store.pg_dump(self.url, dest / "newswire.pgdump")
            say("database (pg_dump)", 1, 1)
        else:
            store.sqlite_backup(self.url, dest / "newswire.db", lambda d, t: say("database", d, t))
        files = _copy_tree(self._media, dest / "media", lambda d, t: say("media", d, t))
        key = self._key is not None and self._key.is_file()
        if key:
            shutil.copy2(self._key, dest / "secret.key")
        manifest = Manifest("postgresql" if self.postgres else "sqlite", revision,
                            dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), files, key)
        (dest / "manifest.json").write_text(manifest.to_json())
        return manifest

    def restore(self, source: Path, *, replace: bool = False, progress: Progress | None = None) -> Manifest:
        """Put the backup folder ``source`` in place of this wire's database, media and key file."""
        manifest = read_manifest(source)
        kind = "postgresql" if self.postgres else "sqlite"
        if manifest.database != kind:
            raise InvalidInput(f"{source} holds a {manifest.database} backup; this wire's database is {kind} "
                               "(docs/operations.md: moving between them)")
        if manifest.revision and manifest.revision not in ops_store.known_revisions():
            raise InvalidInput(f"{source} was made by a newer Newswire (schema {manifest.revision}); upgrade first")
        if not replace and not self._empty():
            raise Conflict("the database already holds releases; pass --replace to overwrite it")
        say = progress or (lambda *_: None)
        if self.postgres:
            say("database (pg_restore)", 0, 1)
            store.pg_restore(source / "newswire.pgdump", self.url)
            say("database (pg_restore)", 1, 1)
        else:
            store.sqlite_restore(source / "newswire.db", self.url, lambda d, t: say("database", d, t))
        _copy_tree(source / "media", self._media, lambda d, t: say("media", d, t))
        if manifest.key_file and self._key is not None:
            self._key.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / "secret.key", self._key)
        db.upgrade(self.url)  # a backup of an older version: its schema brought up to this code's
        return manifest

    def _revision(self) -> str | None:
        with self.engine.connect() as conn:
            return ops_store.schema_revision(conn)

    def _empty(self) -> bool:
        if not self.postgres:
            return store.sqlite_is_empty(self.url)
        with self.engine.connect() as conn:
            return ops_store.schema_revision(conn) is None or not ops_store.has_releases(conn)


def read_manifest(source: Path) -> Manifest:
    try:
        raw = json.loads((source / "manifest.json").read_text())
        if raw.pop("format") != FORMAT:
            raise ValueError("an unknown backup format")
        return Manifest(**raw)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{source} is not a Newswire backup folder (manifest.json: {exc})") from None


def _copy_tree(src: Path, dest: Path, progress: Callable[[int, int], None]) -> int:
    """Copy every file under ``src`` to ``dest`` (media files never change once written)."""
    if not src.is_dir():
        return 0
    files = [p for p in src.rglob("*") if p.is_file()]
    for i, path in enumerate(files, 1):
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        progress(i, len(files))
    return len(files)
