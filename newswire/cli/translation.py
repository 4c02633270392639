"""`newswire translate` and `newswire models …`: the translation side of the CLI."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import Progress

from .. import bootstrap
from ..domain.errors import NewswireError
from ..translation import files
from ..translation.engines.base import EngineError
from ..translation.models import parse_pair, pull
from .base import DataDir, app, err, fail, settings_for


models_app = typer.Typer(help="Neural translation models (CTranslate2).", no_args_is_help=True)
app.add_typer(models_app, name="models")


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
    try:
        fields, lang, how = files.read(file, source)
        gloss = files.glossary(glossary_file, keep)
    except NewswireError as exc:
        fail(exc)
    if how == "detected":
        err.print(f"source language detected as {lang}; give --from to say otherwise")
    targets = [t.strip() for t in to.split(",") if t.strip()]
    pipeline = bootstrap.translation_pipeline(settings_for(None, None), only=[engine] if engine else None)
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


ModelsDir = typer.Option(None, "--models-dir",
                         help="Where installed models live (NEWSWIRE_MODELS_DIR); default: models/ in --data-dir.")


def _models_registry(data_dir, models_dir):
    return bootstrap.model_registry(settings_for(data_dir, None, models_dir=str(models_dir) if models_dir else None))


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
    try:
        registry = _models_registry(data_dir, models_dir)
        model = pull(name, registry, [parse_pair(p) for p in pair], timeout=timeout)
    except NewswireError as exc:
        fail(exc)
    typer.echo(f"installed {model.name} ({model.kind}) in {registry.path(model)}: {_pairs_text(model.pairs)}")
