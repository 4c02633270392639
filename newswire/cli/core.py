"""`newswire serve`, `worker`, `db`, `issuer`, `apikey`, `import`, `media` and `search`: the core commands."""

from __future__ import annotations

import asyncio
import signal
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import prometheus_client
import typer
import uvicorn
from rich.markup import escape
from rich.progress import Progress

from .. import bootstrap
from ..domain.errors import NewswireError
from ..domain.models import SYSTEM
from ..intake import importers
from ..services import logs
from ..web.app import create_app
from .base import (
    DatabaseUrl,
    DataDir,
    apikey_app,
    app,
    db_app,
    err,
    fail,
    issuer_app,
    open_container,
    redact,
    settings_for,
)


@app.command()
def serve(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl,
          host: Optional[str] = typer.Option(None, help="Address to listen on (NEWSWIRE_HOST); default 127.0.0.1"),
          port: Optional[int] = typer.Option(None, help="Port to listen on (NEWSWIRE_PORT); default 8000"),
          base_url: Optional[str] = typer.Option(None, help="Public address used in links (NEWSWIRE_BASE_URL); "
                                                 "default http://HOST:PORT"),
          worker: Optional[bool] = typer.Option(None, "--worker/--no-worker", show_default="NEWSWIRE_RUN_WORKER, "
                                                "else on", help="Run the release clock and delivery worker in "
                                                "this process."),
          access_log: Optional[bool] = typer.Option(None, "--access-log/--no-access-log",
                                                    show_default="NEWSWIRE_ACCESS_LOG, else on",
                                                    help="Log every request (off behind nginx, which logs them).")):
    """Run the web service (API, newsroom, feeds) with an in-process worker."""
    flags = {"run_worker": worker, "host": host, "port": port, "access_log": access_log}
    settings = settings_for(data_dir, database_url, base_url=base_url, **flags)
    if "base_url" not in settings.model_fields_set:  # neither --base-url nor NEWSWIRE_BASE_URL: this server
        settings = settings.with_overrides(base_url=f"http://{settings.host}:{settings.port}")
    logs.setup(settings)
    nw = bootstrap.build(settings)
    err.print(f"Newswire on http://{settings.host}:{settings.port}  database: {redact(nw.settings)}")
    # Live-stream clients hold connections open; they reconnect with Last-Event-ID, so do not wait on them.
    # uvicorn's own access log is off: the request log is the app's (web/requestid.py, --access-log).
    uvicorn.run(create_app(nw), host=settings.host, port=settings.port, log_config=None,
                timeout_graceful_shutdown=5, http="httptools", loop="uvloop", access_log=False)


@app.command()
def worker(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl,
           worker_id: Optional[str] = typer.Option(None, "--id", help="Name in the ledger's leases; "
                                                   "default HOST-PID-worker. Must differ between live workers."),
           metrics_port: Optional[int] = typer.Option(None, "--metrics-port", help="Serve Prometheus metrics "
                                                      "on this port (NEWSWIRE_METRICS_PORT); default off")):
    """Run a standalone worker (release clock, delivery and translation workers) against the shared database.
    Run as many as you like, on any machines; SIGTERM finishes in-flight sends, then exits."""
    settings = settings_for(data_dir, database_url, metrics_port=metrics_port)
    logs.setup(settings)
    nw = bootstrap.build(settings)
    runtime = nw.runtime(workers=True, worker_id=worker_id)
    if settings.metrics_port:
        prometheus_client.start_http_server(settings.metrics_port, addr=settings.host, registry=nw.metrics.registry)

    async def main():
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, runtime.stop_workers)
        await runtime.start()
        err.print(f"worker {runtime.delivery.id} running against {redact(nw.settings)}")
        await runtime.wait()  # until SIGTERM: in-flight sends finish, unstarted claims go back
        await runtime.stop()
        err.print(f"worker {runtime.delivery.id} stopped: {runtime.delivery.summary()}", soft_wrap=True)

    asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Create or migrate the schema to the newest version."""
    s = settings_for(data_dir, database_url)
    bootstrap.upgrade(s)
    print(f"database at {redact(s)} is up to date")


@issuer_app.command("create")
def issuer_create(slug: str, name: str = typer.Option(..., "--name"),
                  boilerplate: str = typer.Option("", "--boilerplate", help="The 'About …' paragraph."),
                  website: str = typer.Option("", "--website"),
                  data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Register an issuer."""
    try:
        issuer = open_container(data_dir, database_url).accounts.create_issuer(slug, name, boilerplate=boilerplate,
                                                                 website=website)
    except NewswireError as exc:
        fail(exc)
    print(f"issuer {issuer.slug} ({issuer.name}) created with id {issuer.id}")


@issuer_app.command("list")
def issuer_list(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """List issuers."""
    for i in open_container(data_dir, database_url).accounts.issuers():
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
        token = open_container(data_dir, database_url).accounts.create_api_key(role, name, issuer, subscriber_id=subscriber)
    except NewswireError as exc:
        fail(exc)
    err.print(f"API key for {name} ({role}); store it now, it is not shown again:")
    print(token)


@apikey_app.command("revoke")
def apikey_revoke(key_id: int, data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Revoke an API key by id."""
    try:
        open_container(data_dir, database_url).accounts.revoke_api_key(key_id)
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
            override: Optional[str] = typer.Option(None, "--override", help="With --publish: why the pre-checks' "
                                                   "errors may stand (audited per release); without it an "
                                                   "error holds the whole import."),
            language: Optional[str] = typer.Option(None, "--language", help="Language tag of every file, "
                                                   "instead of what the files say or detection finds."),
            dry_run: bool = typer.Option(False, "--dry-run", help="Import nothing; print, per file, every field "
                                         "found and every piece of furniture removed and where it went."),
            data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Import releases from files: all of them or, if any file has a problem, none.
    Prints one line per release: id, status, URL. What was taken out of a wire copy's text
    (markers, disclaimers, footers …) is kept in an import.furniture audit record."""

    if dry_run:
        _dry_run(files, settings_for(data_dir, database_url).max_body_bytes, language)
        return
    nw = open_container(data_dir, database_url)
    bar = Progress(console=err, transient=True) if err.is_terminal and len(files) > 1 else None
    with bar or nullcontext():
        task = bar.add_task("checking files", total=len(files)) if bar else None
        items, problems = importers.check_files(
            files, max_body_bytes=nw.settings.max_body_bytes, now=nw.clock(),
            issuers={i.slug for i in nw.accounts.issuers()}, issuer=issuer, language=language,
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
        releases = nw.releases.import_releases(SYSTEM, [item.fields for item in items], publish=publish,
                                               furniture=[item.furniture for item in items], override=override)
    except NewswireError as exc:
        if (i := exc.extra.get("index")) is not None:
            exc = type(exc)(f"{items[i].path}: {exc.detail} (nothing imported)", errors=exc.errors)
        fail(exc)
    for r in releases:
        print(f"{r.id}\t{r.status.value}\t{nw.site.release_url(r)}")


def _dry_run(files: list[Path], max_body_bytes: int, language: str | None) -> None:
    """`import --dry-run`: each file's fields and furniture on stdout, problems on stderr; exit 1 on any."""
    bad = 0
    for path in files:
        try:
            item = importers.parse_file(path, language=language)
        except NewswireError as exc:
            err.print(f"[red]error:[/red] {escape(exc.detail)}", soft_wrap=True)
            bad += 1
            continue
        print("\n".join(importers.describe(item)))
        for problem in importers.problems(item, max_body_bytes=max_body_bytes):
            print(f"  would be refused: {problem}")
            bad += 1
    raise typer.Exit(1 if bad else 0)


media_app = typer.Typer(help="The media store (pictures, documents, logos).", no_args_is_help=True)
app.add_typer(media_app, name="media")


@media_app.command("clean")
def media_clean(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Remove staging folders over an hour old (uploads a crashed process left half-written);
    `serve` and `worker` do the same at start-up. Prints each folder removed."""
    for name in open_container(data_dir, database_url).media.clean_staging():
        print(name)


search_app = typer.Typer(help="The newsroom's full-text search index.", no_args_is_help=True)
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Rebuild the search index of every release and language version (after an upgrade from a
    version without search; the index is otherwise kept up to date as releases are written)."""
    nw = open_container(data_dir, database_url)
    bar = Progress(console=err, transient=True) if err.is_terminal else None
    with bar or nullcontext():
        task = bar.add_task("indexing", total=None) if bar else None
        done = nw.browse.reindex(lambda n, total: bar and bar.update(task, completed=n, total=total))
    print(f"indexed {done} releases")
