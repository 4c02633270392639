"""Releases from files: Markdown with YAML front matter, HTML pages, plain-text wire copy.

``parse_file`` turns one file into the raw fields ``validate.content`` and
``ReleaseService.create`` takes; ``check_files`` does that for a batch and validates every
result, so a caller can refuse the whole batch before writing anything.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import lxml.html
import yaml
from lxml import etree
from markdown_it import MarkdownIt

from ..domain import languages
from ..domain.errors import FieldError, InvalidInput, NewswireError
from ..domain.text import document_problems, text_problem
from ..domain.vocab import QCODE_RE, media_topics, normalize_qcode
from . import detect, validate, wirecopy
from ..domain.text import html_to_text as to_text

KINDS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}
# Front matter keys: each alias and the field it fills.
FRONT_MATTER = {k: k for k in ("headline", "subheadline", "dateline", "language", "lead", "industries", "regions",
                               "tickers", "keywords", "contacts", "boilerplate", "attribution", "embargo_until",
                               "issuer")}
FRONT_MATTER |= {"title": "headline", "subtitle": "subheadline", "lang": "language", "tags": "keywords",
                 "summary": "lead", "embargo": "embargo_until"}
# Elements of a page that are never part of the release: scripts and the site's navigation.
_CHROME = ".//script|.//style|.//noscript|.//template|.//nav|.//form|.//button"
_SITE_CHROME = _CHROME + "|.//header|.//footer|.//aside"


@dataclass
class ImportedRelease:
    path: Path
    kind: str  # markdown, html or text
    fields: dict  # for validate.content / ReleaseService.create; may also hold issuer and embargo_until
    language_from: str = "file"  # file, option or detected
    agency: str = ""  # wire copy: the distributor named in the dateline ("ots", "PRNewswire" …)
    furniture: list[dict] = field(default_factory=list)  # wire copy: each piece taken out and where it went
    warnings: list[str] = field(default_factory=list)


def _bad(path: Path, reason: str, errors: list[FieldError] | None = None) -> InvalidInput:
    return InvalidInput(f"{path}: {reason}", errors=errors)


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _bad(path, "no such file") from None
    except IsADirectoryError:
        raise _bad(path, "is a directory, not a file") from None
    except OSError as exc:
        raise _bad(path, f"cannot be read ({exc.strerror})") from None
    if b"\x00" in data[:8192]:
        raise _bad(path, "is a binary file (or UTF-16 text), not UTF-8 text; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")  # UTF-8, with or without the byte-order mark some editors write
    except UnicodeDecodeError as exc:
        raise _bad(path, f"is not UTF-8 text (invalid byte at offset {exc.start}); save it as UTF-8") from None
    if not text.strip():
        raise _bad(path, "is empty")
    if (problem := text_problem(text)) is not None:  # before any parser sees it (lxml refuses control characters)
        raise _bad(path, problem)
    return text


def parse_file(path: str | Path, *, language: str | None = None) -> ImportedRelease:
    """One file's release. ``language`` overrides what the file says (HTML templates often
    say lang="en" whatever the page's language) and spares detection."""
    path = Path(path)
    _kind(path)
    return parse_text(path, read_text(path), language=language)


def _kind(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise _bad(path, f"'{path.suffix or path.name}' is not a file type the importer reads; "
                         "use .md (Markdown with YAML front matter), .html or .txt (wire copy)")
    return kind


def parse_text(path: str | Path, text: str, *, language: str | None = None) -> ImportedRelease:
    """``parse_file`` for text already read (an upload): ``path``'s suffix says its kind."""
    path = Path(path)
    kind = _kind(path)
    if not text.strip():
        raise _bad(path, "is empty")
    if kind == "text" and re.match(r"\s*<(!doctype html|html)\b", text, re.I):
        kind = "html"  # a saved page with the wrong extension
    item = _text(path, text, language) if kind == "text" else {"markdown": _markdown, "html": _html}[kind](path, text)
    if problems := document_problems(item.fields):  # (YAML escapes and HTML character references can make them)
        raise _bad(path, f"{problems[0].field}: {problems[0].message}", problems)
    if not str(item.fields.get("headline") or "").strip():
        where = {"markdown": "a 'headline:' (or 'title:') in the front matter, or a first '# heading'",
                 "html": "an <h1> or a <title>", "text": "a first line"}[kind]
        raise _bad(path, f"has no headline; give it {where}")
    if language:
        item.fields["language"], item.language_from = language, "option"
    elif not item.fields.get("language"):
        body = item.fields.get("body") or ""
        found = detect.detect(item.fields["headline"] + "\n" + (to_text(body) if kind == "html" else body))
        if found is None:
            raise _bad(path, "its language could not be detected with confidence; name it with --language TAG "
                             f"(one of: {languages.supported_list()})")
        item.fields["language"], item.language_from = found, "detected"
    return item


def _markdown(path: Path, text: str) -> ImportedRelease:
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or "invalid YAML"
        if mark := getattr(exc, "problem_mark", None):  # counted from the line after the opening ---
            reason += f" (line {mark.line + 2}, column {mark.column + 1})"
        raise _bad(path, f"its YAML front matter does not parse: {reason}") from None
    except (TypeError, ValueError):
        raise _bad(path, "its front matter must be 'key: value' lines") from None
    item = ImportedRelease(path, "markdown", {"body_format": "markdown"})
    for key, value in post.metadata.items():
        name = FRONT_MATTER.get(str(key).lower())
        if name is None:
            item.warnings.append(f"front matter key '{key}' is not used (known: {', '.join(FRONT_MATTER)})")
        elif name not in item.fields:
            item.fields[name] = _yaml_value(value)
    if isinstance(item.fields.get("industries"), list):
        item.fields["industries"] = [_industry(x) for x in item.fields["industries"]]
    body = post.content
    if not item.fields.get("headline"):
        item.fields["headline"], body = _first_heading(body)
    item.fields["body"] = body.strip()
    return item


def _yaml_value(value):
    """YAML reads 2026-11-20 as a date and numbers as numbers; the fields want text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return {k: _yaml_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    return value


def _industry(value):
    """A QCode as given, or the QCode of an IPTC label ("automotive", "Energie")."""
    if not isinstance(value, str) or QCODE_RE.match(normalize_qcode(value)):
        return value
    topic = media_topics().find_by_label(value)
    return topic.qcode if topic else value


_md = MarkdownIt("commonmark")


def _first_heading(body: str) -> tuple[str, str]:
    """The first level-1 heading's text (without its Markdown), and the body without it."""
    tokens = _md.parse(body)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and tok.map:
            lines = body.split("\n")
            start, end = tok.map
            text = "".join(t.content for t in tokens[i + 1].children or () if t.type in ("text", "code_inline"))
            return text.strip(), "\n".join(lines[:start] + lines[end:])
    return "", body


def _html(path: Path, text: str) -> ImportedRelease:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input that declares an encoding
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise _bad(path, f"is not HTML that can be read ({exc})") from None
    try:
        return _html_fields(path, doc)
    except ValueError:  # lxml will not move text holding a control character (from a character reference)
        raise _bad(path, "contains a character reference to a control character (such as &#x1f;); remove it "
                         "(control characters cannot be published)") from None


def _html_fields(path: Path, doc) -> ImportedRelease:
    item = ImportedRelease(path, "html", {"body_format": "html"})
    if lang := doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang"):
        item.fields["language"] = lang
    container = next(iter(doc.xpath("//article") or doc.xpath("//main")), None)
    if container is None:
        container = doc.body
    for el in container.xpath(_CHROME if container.tag in ("article", "main") else _SITE_CHROME):
        el.drop_tree()
    h1 = next(iter(container.xpath(".//h1") or doc.xpath("//h1")), None)
    title = doc.findtext(".//title") or ""
    item.fields["headline"] = " ".join((h1.text_content() if h1 is not None else title).split())
    if h1 is not None and container in h1.iterancestors():
        h1.drop_tree()
    if lead := (doc.xpath("//meta[@name='description']/@content")
                or doc.xpath("//meta[@property='og:description']/@content")):
        item.fields["lead"] = " ".join(lead[0].split())
    inner = htmllib.escape(container.text or "", quote=False)
    inner += "".join(lxml.html.tostring(child, encoding="unicode") for child in container)
    item.fields["body"] = inner.strip()
    return item


def _text(path: Path, text: str, language: str | None) -> ImportedRelease:
    copy = wirecopy.parse(text, language)
    return ImportedRelease(path, "text", copy.fields, agency=copy.agency, furniture=copy.furniture_record())


# What `newswire import --dry-run` prints of each field, in this order.
_SHOWN = ("headline", "subheadline", "lead", "language", "dateline", "issuer", "embargo_until", "industries",
          "regions", "tickers", "keywords", "contacts", "attribution", "boilerplate", "body")


def describe(item: ImportedRelease) -> list[str]:
    """The lines `newswire import --dry-run` prints for one file: every field found, every piece
    of furniture taken out of the text and where it went (a field, or dropped)."""
    f = item.fields
    how = {"file": "as the file says", "option": "from --language", "detected": "detected"}[item.language_from]
    lines = [f"{item.path} ({item.kind}; language {f.get('language')}, {how})"]
    for name in _SHOWN:
        value = f.get(name)
        if value in (None, "", [], {}):
            continue
        if name == "dateline":
            value = ", ".join(str(value[k]) for k in ("city", "date") if value.get(k)) if isinstance(value, dict) \
                else value
        elif name == "industries":
            value = ", ".join(_topic_name(q) for q in value)
        elif name == "contacts":
            value = "; ".join(", ".join(str(v) for v in c.values()) if isinstance(c, dict) else str(c) for c in value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        elif name == "body":
            text = " ".join(str(value).split())
            value = f"{len(str(value)):,} characters, {str(value).count(chr(10) * 2) + 1} blocks: {text[:100]}…"
        lines.append(f"  {name}: " + " / ".join(str(value).split("\n")))
    if item.agency:
        lines.append(f"  agency: {item.agency}")
    lines.append("  furniture removed:" + ("" if item.furniture else " none"))
    for piece in item.furniture:
        text = " / ".join(piece["text"].split("\n"))
        lines.append(f"    - {piece['kind']} → {piece['to']}: {text[:160]}{'…' if len(text) > 160 else ''}")
    for warning in item.warnings:
        lines.append(f"  warning: {warning}")
    return lines


def _topic_name(qcode: str) -> str:
    topic = media_topics().get(normalize_qcode(qcode)) if isinstance(qcode, str) else None
    return f"{qcode} ({topic.label()})" if topic else str(qcode)


def problems(item: ImportedRelease, *, max_body_bytes: int) -> list[str]:
    """What validation would refuse in the file's fields (the issuer aside), as "field: message"."""
    try:
        validate.content(dict(item.fields), max_body_bytes=max_body_bytes, today=None)
    except NewswireError as exc:
        return [f"{e.field}: {e.message}" for e in exc.errors] or [exc.detail]
    return []


def check_files(paths: Iterable[str | Path], *, max_body_bytes: int, now: dt.datetime, issuers: set[str],
                issuer: str | None = None, language: str | None = None,
                on_file: Callable[[], None] | None = None) -> tuple[list[ImportedRelease], list[NewswireError]]:
    """Parse and validate every file: the releases ready to create, and one error per file that is not.
    ``issuer`` (a slug) is every release's issuer; a file that names another is an error."""
    items, problems = [], []
    for path in paths:
        try:
            item = parse_file(path, language=language)
            _check(item, max_body_bytes=max_body_bytes, now=now, issuers=issuers, issuer=issuer)
            items.append(item)
        except InvalidInput as exc:
            if not exc.detail.startswith(f"{path}:"):
                exc.detail = f"{path}: {exc.detail}"
            problems.append(exc)
        if on_file:
            on_file()
    return items, problems


def _check(item: ImportedRelease, *, max_body_bytes: int, now: dt.datetime, issuers: set[str],
           issuer: str | None) -> None:
    f = item.fields
    declared = f.get("issuer")
    if issuer and declared and declared != issuer:
        raise _bad(item.path, f"its front matter names issuer '{declared}' but --issuer is '{issuer}'; "
                              "remove one of them")
    f["issuer"] = issuer or declared
    if not f["issuer"]:
        raise _bad(item.path, "names no issuer; give --issuer SLUG or 'issuer:' in its front matter")
    if f["issuer"] not in issuers:
        raise _bad(item.path, f"issuer '{f['issuer']}' does not exist; create it first (newswire issuer create)")
    embargo = None
    if f.get("embargo_until"):
        try:
            embargo = validate.parse_datetime(f["embargo_until"])
        except ValueError as exc:
            msg = str(exc) if "time zone" in str(exc) else "write it as RFC 3339, e.g. 2026-12-01T09:00:00+01:00"
            raise _bad(item.path, f"embargo_until: {msg}") from None
        if embargo <= now:
            raise _bad(item.path, f"embargo_until: {embargo.isoformat()} is in the past")
    validate.content(f, max_body_bytes=max_body_bytes, today=None)  # an undated dateline stays undated
