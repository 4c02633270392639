"""Files for ``newswire translate``: a release read from Markdown/HTML, written back as HTML."""

from __future__ import annotations

import html as htmllib
from pathlib import Path

import yaml

from ..domain.errors import InvalidInput
from ..domain.languages import normalize, supported_list
from ..intake import detect, importers
from ..domain.text import html_to_text as to_text
from ..intake.html import markdown_to_html, sanitize
from .engines.base import Glossary

FIELDS = ("headline", "subheadline", "lead", "boilerplate")


def read(path: Path, language: str | None = None) -> tuple[dict[str, str], str, str]:
    """(fields to translate, source language, how the language was found: file, option or detected)."""
    try:
        item = importers.parse_file(path, language=language)
        fields, found, how = dict(item.fields), item.fields["language"], item.language_from
    except InvalidInput as exc:
        if "has no headline" not in exc.detail:
            raise
        # a bare fragment: no headline, only a body
        text = importers.read_text(path)
        fields = {"body": text, "body_format": "markdown" if path.suffix.lower() == ".md" else "html"}
        found, how = language, "option"
        if not found:
            found, how = detect.detect(to_text(text) if fields["body_format"] == "html" else text), "detected"
        if not found:
            raise InvalidInput(f"{path}: its language could not be detected with confidence; name it with "
                               f"--from TAG (one of: {supported_list()})") from None
    tag = normalize(str(found))
    if tag is None:
        raise InvalidInput(f"{path}: '{found}' is not one of the wire's languages ({supported_list()})")
    body = str(fields.get("body") or "")
    if fields.get("body_format") == "markdown":
        body = markdown_to_html(body)
    out = {k: str(fields[k]) for k in FIELDS if fields.get(k)}
    out["body_html"] = sanitize(body)
    return out, tag, how


def glossary(path: Path | None, keep: list[str]) -> Glossary:
    """``--glossary FILE`` (YAML: ``keep: [terms]``, ``forced: {term: {lang: text}}``) plus ``--keep`` terms."""
    data = {}
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidInput(f"{path}: the glossary cannot be read ({exc})") from None
        if not isinstance(data, dict):
            raise InvalidInput(f"{path}: a glossary is a mapping with 'keep:' and/or 'forced:'")
    terms = tuple(dict.fromkeys([str(t) for t in data.get("keep") or ()] + list(keep)))
    forced = {str(k): {str(lang): str(v) for lang, v in (by or {}).items()}
              for k, by in (data.get("forced") or {}).items()}
    return Glossary(version=int(data.get("version") or 0), keep=terms, forced=forced)


def document(fields: dict[str, str], language: str, engines: list[str]) -> str:
    """A standalone HTML page of one translated release, labelled as machine translation."""
    e = htmllib.escape
    parts = ["<!doctype html>", f'<html lang="{e(language)}">', "<head>", '<meta charset="utf-8">',
             f"<title>{e(fields.get('headline', ''))}</title>",
             f'<meta name="generator" content="Newswire machine translation ({e(", ".join(engines))})">',
             "</head>", "<body>"]
    if fields.get("headline"):
        parts.append(f"<h1>{e(fields['headline'])}</h1>")
    for name in ("subheadline", "lead"):
        if fields.get(name):
            parts.append(f'<p class="{name}">{e(fields[name])}</p>')
    parts.append(fields.get("body_html", ""))
    if fields.get("boilerplate"):
        parts.append(f'<footer class="boilerplate"><p>{e(fields["boilerplate"])}</p></footer>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
