"""What every `newswire` command shares: the Typer apps, the common options, building the wire
through the composition root, and printing an error a person can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from .. import bootstrap, config

app = typer.Typer(help="Newswire: an open, self-hosted, multilingual press-release wire.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
issuer_app = typer.Typer(help="Issuers (organisations that submit releases).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
app.add_typer(issuer_app, name="issuer")

err = Console(stderr=True, soft_wrap=True)  # an error is one line per message: a log or a script reads it whole

# Flags override the settings, which the settings loader reads from NEWSWIRE_* (none read here).
DataDir = typer.Option(None, "--data-dir", help="Where the SQLite file lives (NEWSWIRE_DATA_DIR).")
DatabaseUrl = typer.Option(None, "--database-url", help="e.g. postgresql+psycopg://user@host/db "
                           "(NEWSWIRE_DATABASE_URL); default: SQLite in --data-dir.")


def settings_for(data_dir: Optional[Path], database_url: Optional[str], **overrides) -> config.Settings:
    """The environment's settings with the flags given (None: not given); bad ones end the command
    with status 2 (as click does for a bad flag), each named, without a traceback."""
    try:
        return config.from_env(data_dir=data_dir, database_url=database_url, **overrides)
    except config.SettingsError as exc:
        err.print("[red]error:[/red] the configuration is not valid:")
        for problem in exc.problems:
            err.print(f"  {escape(problem)}", soft_wrap=True)
        raise typer.Exit(2) from None


def open_container(data_dir, database_url, **overrides) -> bootstrap.Container:
    return bootstrap.build(settings_for(data_dir, database_url, **overrides))


def redact(settings: config.Settings) -> str:
    return bootstrap.redacted_url(settings)


def fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}")
    for e in getattr(exc, "errors", []) or []:
        err.print(f"  - {e.field}: {e.message}")
    raise typer.Exit(1)
