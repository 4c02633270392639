"""Text the wire can store and serve: the one rule for every string that comes in.

A lone UTF-16 surrogate (JSON ``"\\udfff"``) cannot be encoded as UTF-8, so neither database nor
any output format can carry it; PostgreSQL cannot store NUL; and the other C0 and C1 control
characters have no place in a press release (XML cannot even hold most of them). Tabs and line
breaks are fine where a field may span lines, and nowhere else.

``text_problem`` judges one string; ``document_problems`` walks a parsed JSON document (an API
request body, an imported file's fields) and names each bad string by its path, e.g.
``keywords[0]`` or ``contacts[0].name``. Messages never repeat the bad text: it could not be
encoded in the answer either.

One-line fields (headlines, names, cities, titles: plain text shown in page titles, e-mail
subjects, file names and lists) also refuse the bidirectional *embedding, override and isolate*
controls (U+202A–U+202E, U+2066–U+2069): an unterminated right-to-left override turns
``exe.txt`` into what reads as ``txt.exe`` and makes a headline display something other than what
it says. The *marks* U+200E, U+200F and U+061C (LRM, RLM, ALM) are accepted: they reorder nothing
past their neighbours' punctuation, and Arabic and Hebrew text needs them. Multi-line text and HTML
bodies keep the controls: there a paragraph's end closes every embedding.

``url_problem`` is the one rule for a URL the wire stores and prints (an issuer's website, an
endpoint, a WebSub callback and topic): absolute ``http://`` or ``https://`` with a host, no
credentials, no spaces or control characters, so ``javascript:``, ``data:`` and their look-alikes
never reach a link or JSON-LD.

Also here, each written once: HTML to plain text (``html_to_text``), its blocks (``blocks``, which
``domain/teasers.py`` reads), e-mail address syntax (``is_email``) and the id of a translation segment (``segment_id``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .errors import FieldError
from .wrapping import columns, wrap

# Lone surrogates, and the C0 and C1 controls; LINES also lets tab, line feed and carriage return through.
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embedding, override and isolate controls (refused in one-line text; the marks LRM/RLM/ALM pass).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_NAMES = {"\x00": "NUL (U+0000)", "\t": "a tab", "\n": "a line break", "\r": "a line break"}
MAX_REPORTED = 20  # problems named in one answer; a document full of them gets a count of the rest


def text_problem(value: str, *, one_line: bool = False) -> str | None:
    """Why ``value`` cannot be taken as it is, or None. ``one_line`` also refuses tabs and line breaks."""
    bad = (_ONE_LINE if one_line else _LINES).search(value)
    if bad is None:
        return bidi_problem(value) if one_line else None
    ch, where = bad.group(), f"at character {bad.start() + 1}"
    if "\ud800" <= ch <= "\udfff":
        return (f"contains a lone UTF-16 surrogate (U+{ord(ch):04X}) {where}, which is not a character; "
                "send the text as UTF-8 (in JSON, escape characters beyond U+FFFF as a surrogate pair)")
    if ch in "\t\n\r":
        return f"contains {_NAMES[ch]} {where}; write it on one line"
    name = _NAMES.get(ch) or f"the control character U+{ord(ch):04X}"
    return f"contains {name} {where}; remove it (control characters cannot be published)"


def bidi_problem(value: str) -> str | None:
    """Why a one-line text's bidirectional controls are refused, or None."""
    bad = _BIDI.search(value)
    if bad is None:
        return None
    return (f"contains the bidirectional control U+{ord(bad.group()):04X} at character {bad.start() + 1}; "
            "remove it (it makes the text display in another order than it reads; the marks U+200E and "
            "U+200F are allowed)")


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a URL the wire stores and links to (absolute http or https), or None."""
    if _ONE_LINE.search(value) or _BIDI.search(value) or " " in value:
        return "must be a URL without spaces or control characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        return "is not a URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "has no host name"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    return None


def document_problems(doc, path: str = "") -> list[FieldError]:
    """Every string (object keys included) in a parsed JSON document that ``text_problem`` refuses,
    named by its path. Iterative, so however deeply a document nests, checking it cannot overflow."""
    errors: list[FieldError] = []
    found, stack = 0, [(path, doc)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                found += 1
                errors.append(FieldError(where or "body", problem))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                problem = text_problem(key) if isinstance(key, str) else None
                if problem is not None:
                    found += 1
                    errors.append(FieldError(where or "body", f"has a key ({safe(key)[:80]}) that {problem}"))
                else:
                    stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in reversed(list(enumerate(value))))
        del errors[MAX_REPORTED:]
    if found > MAX_REPORTED:
        errors.append(FieldError(path or "body", f"and {found - MAX_REPORTED} more strings with such problems"))
    return errors


def safe(value: str) -> str:
    """``value`` with every character ``text_problem`` would refuse, tabs and line breaks included,
    written as an escape (``\\x00``, ``\\udfff``): for messages and logs that must be storable and
    encodable whatever they quote."""
    return _SAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}",
                     value)


_SAFE = re.compile(f"{_ONE_LINE.pattern}|{_BIDI.pattern}")


# Tags whose end starts a new paragraph when a fragment is flattened to text.
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
           "table", "hr", "figure", "figcaption", "dd", "dt", "section", "article", "header", "footer",
           "caption", "thead", "tbody", "tfoot", "dl"}
_HEADINGS = {"h1": "=", "h2": "-", "h3": "-", "h4": "-", "h5": "-", "h6": "-"}
_LINKED = ("http://", "https://", "mailto:", "tel:", "ftp://")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # ASCII whitespace only: a no-break space stays unbreakable
# Syntax only (a mailbox, one @, a dotted domain, nothing that would break a header); whether it
# exists is for the mail server to say.
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


@dataclass
class _Block:
    text: str
    first: str = ""  # the prefix of its first line: quote markers, indent, a list marker
    rest: str = ""  # and of the lines after it
    quote: int = 0
    group: int = 0  # the list or table it belongs to (0: none): their lines follow each other
    pre: bool = False
    underline: str = ""
    kind: str | None = None  # the element it opened with (None: text after a block ended)


class _Text(HTMLParser):
    """The stdlib parser: tolerant of any fragment, and it never executes or fetches anything.
    ``marked`` keeps what plain text can show of the structure: link targets, list markers and
    numbers, quote markers, headings, table cells."""

    def __init__(self, marked: bool = False):
        super().__init__(convert_charrefs=True)
        self.marked = marked
        self.blocks: list[_Block] = []
        self.buf: list[str] = []
        self._skip = self._pre = self._quote = self._cells = 0
        self._lists: list[list] = []  # [ordered, next number] per open list
        self._indents: list[str] = []  # the content indent of each open list item
        self._marker: str | None = None  # the open item's marker, until its first line uses it
        self._links: list[tuple[str, int]] = []  # (href, where its text starts in buf)
        self._heading = ""
        self._groups = 0  # lists and tables seen at the top level
        self._group = 0  # the one open (0: none)
        self._tables = 0  # open tables
        self._kind: str | None = None  # the block element open now

    def handle_data(self, data):
        if not self._skip:
            self.buf.append(data if self._pre or not self.marked else _SPACES.sub(" ", data))

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "br":
            self.buf.append("\n")
        elif tag in ("td", "th"):
            if self._cells:
                self.buf.append(" | " if self.marked else " ")
            self._cells += 1
        elif self.marked and tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.buf)))
        elif self.marked and tag == "img" and (alt := (dict(attrs).get("alt") or "").strip()):
            self.buf.append(f"[{alt}]")
        elif tag in _BLOCKS:
            self.flush()
            self._kind = tag
            self._open(tag, dict(attrs))

    def _open(self, tag, attrs):
        if tag in ("ul", "ol", "table") and not self._lists and not self._tables:
            self._groups += 1
            self._group = self._groups
        if tag == "table":
            self._tables += 1
        elif tag in ("ul", "ol"):
            start = attrs.get("start") or "1"
            self._lists.append([tag == "ol", int(start) if start.strip().lstrip("-").isdigit() else 1])
        elif tag == "li":
            ordered, n = self._lists[-1] if self._lists else (False, 1)
            if self._lists:
                self._lists[-1][1] += 1
            marker = f"{n}. " if ordered else "- "
            outer = self._indents[-1] if self._indents else ""
            self._indents.append(outer + " " * len(marker))
            self._marker = outer + marker
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "pre":
            self._pre += 1
        elif tag == "tr":
            self._cells = 0
        elif tag in _HEADINGS:
            self._heading = _HEADINGS[tag]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif self.marked and tag == "a" and self._links:
            href, at = self._links.pop()
            shown = "".join(self.buf[at:])
            target = href.removeprefix("mailto:").removeprefix("tel:")
            if href.lower().startswith(_LINKED) and target and target not in shown:
                self.buf.append(f" <{target}>")
        elif tag in _BLOCKS:
            self.flush(pre=tag == "pre")
            self._kind = None
            if tag in ("ul", "ol") and self._lists:
                self._lists.pop()
            elif tag == "table":
                self._tables = max(0, self._tables - 1)
            if tag in ("ul", "ol", "table") and not self._lists and not self._tables:
                self._group = 0
            elif tag == "li" and self._indents:
                self._indents.pop()
                self._marker = None
            elif tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            elif tag == "pre":
                self._pre = max(0, self._pre - 1)
            elif tag in _HEADINGS:
                self._heading = ""

    def flush(self, pre: bool = False):
        raw, self.buf = "".join(self.buf), []
        if pre and self.marked:
            text = raw.strip("\n")
        else:
            lines = (" ".join(line.split()) if not self.marked else _SPACES.sub(" ", line).strip()
                     for line in raw.split("\n"))
            text = "\n".join(line for line in lines if line)
        if not text.strip():
            return
        quote = "> " * self._quote
        indent = self._indents[-1] if self._indents else ""
        first = quote + (self._marker if self._marker is not None else indent)
        self._marker = None
        self.blocks.append(_Block(text, first, quote + indent, self._quote, self._group, pre, self._heading,
                                  self._kind))


def html_to_text(html: str, paragraph_break: str = "\n\n", *, marked: bool = False, width: int = 0) -> str:
    """The plain text of an HTML fragment: one paragraph per block, separated by ``paragraph_break``
    (a blank line; JSON-LD's articleBody takes one line break); runs of whitespace collapsed; a
    ``<br>`` keeps its line break; table cells apart.

    ``marked`` is the text part of an e-mail: each link's target after its text (``text <url>``),
    list items as ``- `` or ``1. `` (nested ones indented), quotes as ``> ``, headings underlined,
    table rows with `` | `` between cells, ``<pre>`` as it is, the items of a list on consecutive
    lines; and with ``width`` lines wrapped to that many columns (``wrap``: URLs never broken)."""
    if not html:
        return ""
    p = _Text(marked)
    p.feed(html)
    p.close()
    p.flush()
    if not marked:
        return paragraph_break.join(b.text for b in p.blocks)
    out: list[str] = []
    for prev, block in zip([None, *p.blocks], p.blocks):
        if prev is not None:
            together = prev.group == block.group != 0
            out.append("\n" if together else "\n" + ("> " * min(prev.quote, block.quote)).rstrip() + "\n")
        out.append(_lay_out(block, width))
    return "".join(out)


def blocks(html: str) -> list[tuple[str | None, str]]:
    """(opening element, plain text) of each non-empty block of an HTML fragment."""
    p = _Text()
    p.feed(html)
    p.close()
    p.flush()
    return [(b.kind, b.text) for b in p.blocks]


class _FirstParagraph(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.at: tuple[int, int, int] | None = None  # line, column, length of the first <p> start tag

    def handle_starttag(self, tag, attrs):
        if tag == "p" and self.at is None:
            self.at = (*self.getpos(), len(self.get_starttag_text() or ""))


def first_paragraph_start(html: str) -> int | None:
    """Where the first paragraph's text begins in an HTML fragment (just after its ``<p>`` tag), or None."""
    p = _FirstParagraph()
    p.feed(html)
    p.close()
    if p.at is None:
        return None
    line, column, length = p.at
    lines = html.splitlines(keepends=True)
    return sum(len(x) for x in lines[:line - 1]) + column + length


def _lay_out(b: _Block, width: int) -> str:
    if b.pre:
        return "\n".join(b.rest + line for line in b.text.split("\n"))
    lines = []
    for i, line in enumerate(b.text.split("\n")):
        lines += wrap(line, width, b.first if i == 0 else b.rest, b.rest)
    if b.underline:
        lines.append(b.rest + b.underline * max(3, min(columns(b.text), (width or 80) - len(b.rest))))
    return "\n".join(lines)


def is_email(value: str) -> bool:
    return bool(EMAIL_ADDRESS.match(value))


def segment_id(source: str) -> str:
    """A translation segment's id: the sha256 of its source unit. The translation memory keys
    segments by it and an editor names the segment to fix by it, so both compute it here."""
    return hashlib.sha256(source.encode()).hexdigest()
