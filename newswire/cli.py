"""The `newswire` command. Thin: parses arguments, builds settings, calls services."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from . import config
from .domain.errors import NewswireError

app = typer.Typer(help="Newswire: an open, self-hosted, multilingual press-release wire.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
issuer_app = typer.Typer(help="Issuers (organisations that submit releases).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
app.add_typer(issuer_app, name="issuer")

err = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", envvar="NEWSWIRE_DATA_DIR", help="Where the SQLite file lives.")
DatabaseUrl = typer.Option(None, "--database-url", envvar="NEWSWIRE_DATABASE_URL",
                           help="e.g. postgresql+psycopg://user@host/db; default: SQLite in --data-dir.")


def settings_for(data_dir: Optional[Path], database_url: Optional[str], **overrides) -> config.Settings:
    """The environment's settings with the flags given (None: not given); bad ones end the command
    with status 2 (as click does for a bad flag), each named, without a traceback."""
    try:
        return config.from_env(data_dir=data_dir, database_url=database_url, **overrides)
    except config.SettingsError as exc:
        err.print("[red]error:[/red] the configuration is not valid:")
        for problem in exc.problems:
            err.print(f"  {escape(problem)}", soft_wrap=True)
        raise typer.Exit(2)


def open_wire(data_dir, database_url, **overrides):
    return wire_for(settings_for(data_dir, database_url, **overrides))


def wire_for(settings: config.Settings):
    # Imported here: the wire pulls in the web app and the channels, which commands such as
    # `translate` and `models` never need and should not wait for.
    from .bootstrap import open_wire as _open

    return _open(settings)


def fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}")
    for e in getattr(exc, "errors", []) or []:
        err.print(f"  - {e.field}: {e.message}")
    raise typer.Exit(1)


@app.command()
def serve(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl,
          host: str = typer.Option("127.0.0.1", envvar="NEWSWIRE_HOST"),
          port: int = typer.Option(8000, envvar="NEWSWIRE_PORT"),
          base_url: Optional[str] = typer.Option(None, envvar="NEWSWIRE_BASE_URL",
                                                 help="Public address used in links; default http://HOST:PORT"),
          worker: Optional[bool] = typer.Option(None, "--worker/--no-worker", show_default="NEWSWIRE_RUN_WORKER, "
                                                "else on", help="Run the release clock and delivery worker in "
                                                "this process.")):
    """Run the web service (API, newsroom, feeds) with an in-process worker."""
    import uvicorn

    from .web.app import create_app

    settings = settings_for(data_dir, database_url, run_worker=worker, base_url=base_url)
    if "base_url" not in settings.model_fields_set:  # neither --base-url nor NEWSWIRE_BASE_URL: this server
        settings = settings_for(data_dir, database_url, run_worker=worker, base_url=f"http://{host}:{port}")
    wire = wire_for(settings)
    err.print(f"Newswire on http://{host}:{port}  database: {_redact(wire.settings.sqlalchemy_url)}")
    # Live-stream clients hold connections open; they reconnect with Last-Event-ID, so do not wait on them.
    uvicorn.run(create_app(wire), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def worker(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl,
           worker_id: Optional[str] = typer.Option(None, "--id", help="Name in the ledger's leases; "
                                                   "default HOST-PID-worker. Must differ between live workers.")):
    """Run a standalone worker (release clock, delivery and translation workers) against the shared database.
    Run as many as you like, on any machines; SIGTERM finishes in-flight sends, then exits."""
    import asyncio
    import logging
    import signal

    from .distribution.clock import ReleaseClock
    from .distribution.service import build_channels
    from .distribution.worker import DeliveryWorker, default_worker_id, wake_on_commit
    from .translation.worker import TranslationWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    wire = open_wire(data_dir, database_url)
    clock = ReleaseClock(wire, tick=wire.settings.scheduler_tick)
    deliveries = DeliveryWorker(wire, build_channels(wire.settings, wire), worker_id or default_worker_id())
    wake_on_commit(wire, deliveries)  # releases this clock publishes go out without waiting
    translator = TranslationWorker(wire, (worker_id or default_worker_id()) + "-translation")
    wire.on_translation_queued = translator.poke

    async def main():
        loop = asyncio.get_running_loop()

        def stop():
            clock.stop()
            deliveries.stop()
            translator.stop()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        err.print(f"worker {deliveries.id} running against {_redact(wire.settings.sqlalchemy_url)}")
        await asyncio.gather(clock.run(), deliveries.run(), translator.run())

    asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Create or migrate the schema to the newest version."""
    from .storage import db

    s = settings_for(data_dir, database_url)
    db.upgrade(s.sqlalchemy_url)
    print(f"database at {_redact(s.sqlalchemy_url)} is up to date")


@issuer_app.command("create")
def issuer_create(slug: str, name: str = typer.Option(..., "--name"),
                  boilerplate: str = typer.Option("", "--boilerplate", help="The 'About …' paragraph."),
                  website: str = typer.Option("", "--website"),
                  data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Register an issuer."""
    try:
        issuer = open_wire(data_dir, database_url).create_issuer(slug, name, boilerplate=boilerplate,
                                                                 website=website)
    except NewswireError as exc:
        fail(exc)
    print(f"issuer {issuer.slug} ({issuer.name}) created with id {issuer.id}")


@issuer_app.command("list")
def issuer_list(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """List issuers."""
    for i in open_wire(data_dir, database_url).issuers():
        print(f"{i.slug}\t{i.name}")


@apikey_app.command("create")
def apikey_create(role: str = typer.Option(..., "--role", help="admin, editor, issuer or subscriber"),
                  name: str = typer.Option(..., "--name", help="Who holds the key"),
                  issuer: Optional[str] = typer.Option(None, "--issuer", help="Issuer slug (issuer keys)"),
                  subscriber: Optional[int] = typer.Option(None, "--subscriber",
                                                           help="Subscriber id (subscriber keys that manage it)"),
                  data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Create an API key. The key is printed once, on the last line; only its hash is kept."""
    try:
        token = open_wire(data_dir, database_url).create_api_key(role, name, issuer, subscriber_id=subscriber)
    except NewswireError as exc:
        fail(exc)
    err.print(f"API key for {name} ({role}); store it now, it is not shown again:")
    print(token)


@apikey_app.command("revoke")
def apikey_revoke(key_id: int, data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Revoke an API key by id."""
    try:
        open_wire(data_dir, database_url).revoke_api_key(key_id)
    except NewswireError as exc:
        fail(exc)
    print(f"key {key_id} revoked")


@app.command("import")
def import_(files: list[Path] = typer.Argument(..., help="Markdown with YAML front matter (.md), HTML (.html) "
                                                        "or plain-text wire copy (.txt)."),
            issuer: Optional[str] = typer.Option(None, "--issuer", help="Issuer slug of every release; "
                                                 "default: each file's front matter 'issuer'."),
            publish: bool = typer.Option(False, "--publish", help="Publish each release, or schedule it when "
                                         "it has a future embargo_until."),
            language: Optional[str] = typer.Option(None, "--language", help="Language tag of every file, "
                                                   "instead of what the files say or detection finds."),
            data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Import releases from files: all of them or, if any file has a problem, none.
    Prints one line per release: id, status, URL."""
    from contextlib import nullcontext

    from rich.progress import Progress

    from .domain.models import SYSTEM
    from .formats.site import Site
    from .intake import importers

    wire = open_wire(data_dir, database_url)
    bar = Progress(console=err, transient=True) if err.is_terminal and len(files) > 1 else None
    with bar or nullcontext():
        task = bar.add_task("checking files", total=len(files)) if bar else None
        items, problems = importers.check_files(
            files, max_body_bytes=wire.settings.max_body_bytes, now=wire.clock(),
            issuers={i.slug for i in wire.issuers()}, issuer=issuer, language=language,
            on_file=(lambda: bar.advance(task)) if bar else None)
    for item in items:
        for warning in item.warnings:
            err.print(f"[yellow]warning:[/yellow] {escape(str(item.path))}: {escape(warning)}", soft_wrap=True)
    for exc in problems:
        err.print(f"[red]error:[/red] {escape(exc.detail)}", soft_wrap=True)
        for e in exc.errors:
            err.print(f"  - {escape(e.field)}: {escape(e.message)}", soft_wrap=True)
    if problems:
        err.print(f"nothing imported: {len(problems)} of {len(files)} file(s) have problems")
        raise typer.Exit(1)
    try:
        releases = wire.import_releases(SYSTEM, [item.fields for item in items], publish=publish)
    except NewswireError as exc:
        if (i := exc.extra.get("index")) is not None:
            exc = type(exc)(f"{items[i].path}: {exc.detail} (nothing imported)", errors=exc.errors)
        fail(exc)
    site = Site.from_settings(wire.settings)
    for r in releases:
        print(f"{r.id}\t{r.status.value}\t{site.release_url(r)}")


def _register_commands() -> None:
    """The other command groups live in their own modules and add themselves to ``app``."""
    from . import cli_distribution, cli_translation  # noqa: F401


_register_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    # Run the importable module's main: the command groups registered themselves on *its* app.
    from newswire.cli import main as _main

    _main()
