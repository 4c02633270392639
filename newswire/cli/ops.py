"""`newswire backup` and `newswire restore`: the whole wire (database, media, key file) in one
folder, with a progress bar. SQLite through its online backup API while the service runs;
PostgreSQL through `pg_dump`/`pg_restore` when they are on PATH (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from .. import bootstrap
from ..domain.errors import NewswireError
from .base import DatabaseUrl, DataDir, app, err, fail, redact, settings_for


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=not err.is_terminal, disable=not err.is_terminal)


def _run(work) -> object:
    with _bar() as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        try:
            return work(progress)
        except (NewswireError, RuntimeError, OSError) as exc:
            fail(exc)


@app.command()
def backup(dest: Path = typer.Argument(..., help="A new (or empty) folder for the backup."),
           data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Back up the database, the media files and the key file into one folder, while the
    service runs (SQLite: the online backup API; PostgreSQL: pg_dump, which must be on PATH)."""
    settings = settings_for(data_dir, database_url)
    m = _run(lambda progress: bootstrap.backups(settings).backup(dest, progress))
    print(f"backed up {redact(settings)} (schema {m.revision}, {m.media_files} media files) to {dest}")


@app.command()
def restore(source: Path = typer.Argument(..., help="A folder `newswire backup` wrote."),
            replace: bool = typer.Option(False, "--replace", help="Overwrite a database that already holds "
                                         "releases (stop every serve and worker first)."),
            data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Restore a backup folder into this wire's database, media folder and key file, then bring
    the schema up to this version. Stop the service first."""
    settings = settings_for(data_dir, database_url)
    m = _run(lambda progress: bootstrap.backups(settings).restore(source, replace=replace, progress=progress))
    print(f"restored {source} (made {m.created_at}, schema {m.revision}) into {redact(settings)}")
