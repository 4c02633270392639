"""The `newswire` command. Thin: parses arguments, builds settings, calls services."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import config
from .domain.errors import NewswireError

app = typer.Typer(help="Newswire: an open, self-hosted, multilingual press-release wire.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
issuer_app = typer.Typer(help="Issuers (organisations that submit releases).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
app.add_typer(issuer_app, name="issuer")
deliveries_app = typer.Typer(help="The delivery ledger: list and replay deliveries.", no_args_is_help=True)
subscriber_app = typer.Typer(help="Subscribers (outlets, journalists, desktops).", no_args_is_help=True)
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(subscriber_app, name="subscriber")
models_app = typer.Typer(help="Neural translation models (CTranslate2).", no_args_is_help=True)
app.add_typer(models_app, name="models")

err = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", envvar="NEWSWIRE_DATA_DIR", help="Where the SQLite file lives.")
DatabaseUrl = typer.Option(None, "--database-url", envvar="NEWSWIRE_DATABASE_URL",
                           help="e.g. postgresql+psycopg://user@host/db; default: SQLite in --data-dir.")


def settings_for(data_dir: Optional[Path], database_url: Optional[str], **overrides) -> config.Settings:
    return config.from_env(data_dir=data_dir, database_url=database_url, **overrides)


def open_wire(data_dir, database_url, **overrides):
    from .bootstrap import open_wire as _open

    return _open(settings_for(data_dir, database_url, **overrides))


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
          worker: bool = typer.Option(True, "--worker/--no-worker",
                                      help="Run the release clock and delivery worker in this process.")):
    """Run the web service (API, newsroom, feeds) with an in-process worker."""
    import uvicorn

    from .web.app import create_app

    overrides = {"run_worker": worker}
    if base_url:
        overrides["base_url"] = base_url
    elif not _env_has("BASE_URL"):
        overrides["base_url"] = f"http://{host}:{port}"
    wire = open_wire(data_dir, database_url, **overrides)
    err.print(f"Newswire on http://{host}:{port}  database: {_redact(wire.settings.sqlalchemy_url)}")
    # Live-stream clients hold connections open; they reconnect with Last-Event-ID, so do not wait on them.
    uvicorn.run(create_app(wire), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)


def _env_has(name: str) -> bool:
    import os

    return bool(os.environ.get("NEWSWIRE_" + name))


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def worker(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl,
           worker_id: Optional[str] = typer.Option(None, "--id", help="Name in the ledger's leases; "
                                                   "default HOST-PID-worker. Must differ between live workers.")):
    """Run a standalone worker (release clock and delivery worker) against the shared database.
    Run as many as you like, on any machines; SIGTERM finishes in-flight sends, then exits."""
    import asyncio
    import logging
    import signal

    from .distribution.clock import ReleaseClock
    from .distribution.service import build_channels
    from .distribution.worker import DeliveryWorker, default_worker_id, wake_on_commit

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    wire = open_wire(data_dir, database_url)
    clock = ReleaseClock(wire, tick=wire.settings.scheduler_tick)
    deliveries = DeliveryWorker(wire, build_channels(wire.settings, wire), worker_id or default_worker_id())
    wake_on_commit(wire, deliveries)  # releases this clock publishes go out without waiting

    async def main():
        loop = asyncio.get_running_loop()

        def stop():
            clock.stop()
            deliveries.stop()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        err.print(f"worker {deliveries.id} running against {_redact(wire.settings.sqlalchemy_url)}")
        await asyncio.gather(clock.run(), deliveries.run())

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

    from rich.markup import escape
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


def _subscriptions(data_dir, database_url):
    from .workflow.subscriptions import Subscriptions

    return Subscriptions(open_wire(data_dir, database_url))


@subscriber_app.command("create")
def subscriber_create(kind: str = typer.Option(..., "--kind", help="outlet, journalist or desktop"),
                      name: str = typer.Option(..., "--name"),
                      email: Optional[str] = typer.Option(None, "--email"),
                      language: list[str] = typer.Option([], "--language", help="Repeat for several; none = any"),
                      region: list[str] = typer.Option([], "--region", help="ISO 3166-1 alpha-2; repeatable"),
                      industry: list[str] = typer.Option([], "--industry", help="Media Topic QCode; repeatable"),
                      issuer: list[str] = typer.Option([], "--issuer", help="Issuer slug to follow; repeatable"),
                      timezone: str = typer.Option("UTC", "--timezone", help="IANA zone for e-mail digests"),
                      data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Register a subscriber; add endpoints over the API (POST /api/v1/subscribers/ID/endpoints)."""
    from .domain.models import SYSTEM

    raw = {"kind": kind, "name": name, "email": email, "languages": language, "regions": region,
           "industries": industry, "issuers": issuer, "timezone": timezone}
    try:
        sub = _subscriptions(data_dir, database_url).create(SYSTEM, raw)
    except NewswireError as exc:
        fail(exc)
    print(f"subscriber {sub.name} ({sub.kind.value}) created with id {sub.id}")


@deliveries_app.command("replay")
def deliveries_replay(delivery_id: Optional[int] = typer.Argument(None, help="The dead delivery to replay"),
                      dead: bool = typer.Option(False, "--dead", help="Replay every dead delivery"),
                      data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Make dead deliveries due again with a fresh retry schedule; running workers send them."""
    from .domain.models import SYSTEM

    if (delivery_id is None) == (not dead):
        err.print("[red]error:[/red] give either a delivery ID or --dead")
        raise typer.Exit(2)
    try:
        s = _subscriptions(data_dir, database_url)
        n = s.replay_dead(SYSTEM) if dead else s.replay(SYSTEM, delivery_id)
    except NewswireError as exc:
        fail(exc)
    print(f"{n} deliver{'y' if n == 1 else 'ies'} made due again")


@deliveries_app.command("list")
def deliveries_list(release: int = typer.Option(..., "--release", help="Release id"),
                    status: Optional[str] = typer.Option(None, "--status", help="pending, delivered, dead, cancelled"),
                    channel: Optional[str] = typer.Option(None, "--channel", help="webhook, email or websub"),
                    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
                    data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """A release's deliveries as a table, with counts by status."""
    from rich.table import Table

    from .domain.models import SYSTEM

    try:
        page = _subscriptions(data_dir, database_url).release_deliveries(SYSTEM, release, channel=channel,
                                                                          status=status, limit=limit)
    except NewswireError as exc:
        fail(exc)
    table = Table("id", "subscriber", "endpoint", "channel", "event", "status", "attempts", "last result",
                  "next attempt", title=f"Deliveries of release {release}")
    for d in page.items:
        result = " ".join(str(x) for x in (d["last_status_code"], d["last_error"]) if x) or "-"
        nxt = d["next_attempt_at"].isoformat(timespec="seconds") if d["next_attempt_at"] else "-"
        table.add_row(str(d["id"]), f"{d['subscriber_name'] or '-'} ({d['subscriber_id'] or '-'})",
                      str(d["endpoint_id"]), d["channel"], d["event"], d["status"], str(d["attempts"]),
                      result[:60], nxt)
    # Piped output (grep, files) gets wide rows rather than names wrapped over several lines.
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    print("  ".join(f"{k}: {v}" for k, v in page.summary.items()))


@app.command()
def translate(file: Path = typer.Argument(..., help="A release as Markdown (.md, front matter allowed) or HTML."),
              to: str = typer.Option(..., "--to", help="Target languages, comma-separated: es,pt,fr"),
              source: Optional[str] = typer.Option(None, "--from", help="Source language; default: what the "
                                                   "file says, else detected (and said so)."),
              engine: Optional[str] = typer.Option(None, "--engine", help="Only this engine: apertium, "
                                                   "ctranslate2, chat or deepl; default: configured order."),
              out_dir: Optional[Path] = typer.Option(None, "--out-dir", help="Write NAME.LANG.html files here "
                                                     "instead of printing to stdout."),
              keep: list[str] = typer.Option([], "--keep", help="A term never to translate (repeatable)."),
              glossary_file: Optional[Path] = typer.Option(None, "--glossary", help="YAML glossary: keep: "
                                                           "[terms], forced: {term: {es: …}}")):
    """Translate a release file, keeping links, markup, numbers and names; prints fidelity counts."""
    from contextlib import nullcontext

    from rich.markup import escape
    from rich.progress import Progress

    from .translation import files
    from .translation.engines.base import EngineError
    from .translation.pipeline import Pipeline
    from .translation.registry import Registry

    try:
        fields, lang, how = files.read(file, source)
        gloss = files.glossary(glossary_file, keep)
    except NewswireError as exc:
        fail(exc)
    if how == "detected":
        err.print(f"source language detected as {lang}; give --from to say otherwise")
    targets = [t.strip() for t in to.split(",") if t.strip()]
    pipeline = Pipeline(Registry.from_env(only=[engine] if engine else None))
    try:  # every pair first: an unsupported one says which pairs exist and what would add it
        for target in targets:
            pipeline.routes(lang, target, engine)
    except EngineError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1)
    bar = Progress(console=err, transient=True) if err.is_terminal else None
    flagged = 0
    with bar or nullcontext():
        for target in targets:
            task = bar.add_task(f"{lang}→{target}", total=None) if bar else None
            result = pipeline.translate(fields, lang, target, gloss, engine=engine, progress=(
                (lambda done, total: bar.update(task, completed=done, total=total)) if bar else None))
            page = files.document(result.fields, target, result.engines)
            if out_dir:
                out_dir.mkdir(parents=True, exist_ok=True)
                (out_dir / f"{file.stem}.{target}.html").write_text(page)
            else:
                sys.stdout.write(page)
            c, segs = result.counts, result.segments
            status = {s: sum(x.status == s for x in segs) for s in ("ok", "repaired", "flagged", "human")}
            err.print(f"{target}: {', '.join(result.engines) or '-'}; links {c.links_out}/{c.links_in} with text, "
                      f"numbers {c.numbers_out}/{c.numbers_in}, terms {c.terms_out}/{c.terms_in}, "
                      f"codes {c.codes_out}/{c.codes_in}; segments " + ", ".join(f"{v} {k}" for k, v in
                                                                            status.items() if v), soft_wrap=True)
            for s in result.flagged:
                err.print(f"[yellow]flagged[/yellow] {target} {s.field} block {s.block + 1} sentence "
                          f"{s.sentence + 1}: {escape('; '.join(s.problems))}", soft_wrap=True)
            flagged += len(result.flagged)
    if flagged:
        err.print(f"{flagged} segment(s) flagged for an editor")


ModelsDir = typer.Option(None, "--models-dir", envvar="NEWSWIRE_MODELS_DIR",
                         help="Where installed models live; default: models/ in --data-dir.")


def _models_registry(data_dir, models_dir):
    from .translation import models

    settings = settings_for(data_dir, None, models_dir=str(models_dir) if models_dir else None)
    return models.Registry(models.models_dir(settings))


def _pairs_text(pairs) -> str:
    shown = ", ".join(f"{s}→{t}" for s, t in pairs[:6])
    return shown + (f" and {len(pairs) - 6} more pairs" if len(pairs) > 6 else "")


@models_app.command("install")
def models_install(directory: Path = typer.Argument(..., help="A converted CTranslate2 model directory "
                                                    "(model.bin, config.json, vocabulary, SentencePiece files)."),
                   pair: list[str] = typer.Option([], "--pair", help="e.g. en-de (zh-Hans:en); repeat for more. "
                                                  "Needed for one-pair OPUS-MT models; NLLB/M2M-100 default "
                                                  "to every wire language they know."),
                   name: Optional[str] = typer.Option(None, "--name", help="Default: the directory's name."),
                   link: bool = typer.Option(False, "--link", help="Symlink the directory instead of copying it."),
                   data_dir: Optional[Path] = DataDir, models_dir: Optional[Path] = ModelsDir):
    """Register a converted model directory for its language pairs."""
    from .translation.models import parse_pair

    try:
        registry = _models_registry(data_dir, models_dir)
        model = registry.install(directory, [parse_pair(p) for p in pair], name=name, link=link)
    except NewswireError as exc:
        fail(exc)
    typer.echo(f"installed {model.name} ({model.kind}) in {registry.path(model)}: {_pairs_text(model.pairs)}")


@models_app.command("list")
def models_list(data_dir: Optional[Path] = DataDir, models_dir: Optional[Path] = ModelsDir):
    """Installed models and the pairs each serves."""
    registry = _models_registry(data_dir, models_dir)
    models = registry.models()
    if not models:
        typer.echo(f"no models installed in {registry.root}")
    for m in models:
        typer.echo(f"{m.name}\t{m.kind}\t{_pairs_text(m.pairs)}\t{registry.path(m)}")


@models_app.command("pull")
def models_pull(name: str = typer.Argument(..., help="A Hugging Face model, e.g. Helsinki-NLP/opus-mt-en-de."),
                pair: list[str] = typer.Option([], "--pair", help="As for install; guessed from opus-mt-xx-yy names."),
                timeout: float = typer.Option(10.0, "--timeout", help="Seconds to wait for the hub to answer."),
                data_dir: Optional[Path] = DataDir, models_dir: Optional[Path] = ModelsDir):
    """Download a model from the Hugging Face hub (converting it if needed) and install it."""
    from .translation.models import parse_pair, pull

    try:
        registry = _models_registry(data_dir, models_dir)
        model = pull(name, registry, [parse_pair(p) for p in pair], timeout=timeout)
    except NewswireError as exc:
        fail(exc)
    typer.echo(f"installed {model.name} ({model.kind}) in {registry.path(model)}: {_pairs_text(model.pairs)}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
