"""Text the wire can store and serve: the one rule for every string that comes in.

A lone UTF-16 surrogate (JSON ``"\\udfff"``) cannot be encoded as UTF-8, so neither database nor
any output format can carry it; PostgreSQL cannot store NUL; and the other C0 and C1 control
characters have no place in a press release (XML cannot even hold most of them). Tabs and line
breaks are fine where a field may span lines, and nowhere else.

``text_problem`` judges one string; ``document_problems`` walks a parsed JSON document (an API
request body, an imported file's fields) and names each bad string by its path, e.g.
``keywords[0]`` or ``contacts[0].name``. Messages never repeat the bad text: it could not be
encoded in the answer either.

Also here, each written once: HTML to plain text (``html_to_text``), a listing's teaser
(``teaser``), e-mail address syntax (``is_email``) and the id of a translation segment (``segment_id``).
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

from .errors import FieldError

# Lone surrogates, and the C0 and C1 controls; LINES also lets tab, line feed and carriage return through.
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NAMES = {"\x00": "NUL (U+0000)", "\t": "a tab", "\n": "a line break", "\r": "a line break"}
MAX_REPORTED = 20  # problems named in one answer; a document full of them gets a count of the rest


def text_problem(value: str, *, one_line: bool = False) -> str | None:
    """Why ``value`` cannot be taken as it is, or None. ``one_line`` also refuses tabs and line breaks."""
    bad = (_ONE_LINE if one_line else _LINES).search(value)
    if bad is None:
        return None
    ch, where = bad.group(), f"at character {bad.start() + 1}"
    if "\ud800" <= ch <= "\udfff":
        return (f"contains a lone UTF-16 surrogate (U+{ord(ch):04X}) {where}, which is not a character; "
                "send the text as UTF-8 (in JSON, escape characters beyond U+FFFF as a surrogate pair)")
    if ch in "\t\n\r":
        return f"contains {_NAMES[ch]} {where}; write it on one line"
    name = _NAMES.get(ch) or f"the control character U+{ord(ch):04X}"
    return f"contains {name} {where}; remove it (control characters cannot be published)"


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
    return _ONE_LINE.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}",
                         value)


# Tags whose end starts a new paragraph when a fragment is flattened to text.
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
           "table", "hr", "figure", "figcaption", "dd", "dt", "section", "article", "header", "footer"}
# Syntax only (a mailbox, one @, a dotted domain, nothing that would break a header); whether it
# exists is for the mail server to say.
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


class _Text(HTMLParser):
    """The stdlib parser: tolerant of any fragment, and it never executes or fetches anything.
    ``kinds`` names the element each block opened with (None: text after a block ended)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self.kinds: list[str | None] = [None]
        self._skip = 0

    def handle_data(self, data):
        if not self._skip:
            self.blocks[-1].append(data)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "br":
            self.blocks[-1].append("\n")
        elif tag in _BLOCKS:
            self.blocks.append([])
            self.kinds.append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.blocks.append([])
            self.kinds.append(None)


def _blocks(html: str) -> list[tuple[str | None, str]]:
    """(opening element, text) of each non-empty block of an HTML fragment."""
    p = _Text()
    p.feed(html)
    p.close()
    out = []
    for kind, block in zip(p.kinds, p.blocks):
        lines = (" ".join(line.split()) for line in "".join(block).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            out.append((kind, text))
    return out


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


def html_to_text(html: str, paragraph_break: str = "\n\n") -> str:
    """The plain text of an HTML fragment: one paragraph per block, separated by ``paragraph_break``
    (a blank line; JSON-LD's articleBody takes one line break); runs of whitespace collapsed; a
    ``<br>`` keeps its line break."""
    if not html:
        return ""
    return paragraph_break.join(text for _, text in _blocks(html))


# --- teasers ----------------------------------------------------------------------------------
TEASER_LIMIT = 300  # characters: a teaser is the first sentences that fit
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "dt", "figcaption", "pre", "table", "tr"}
# A sentence ends at . ! ? … before a space (closing quotes and brackets go with it), at CJK
# full stops wherever they stand, at the Arabic question mark and full stop, at the Devanagari danda.
_SENTENCE_END = re.compile(r"(?:[.!?…]|(?<=[^\W\d_])[؟۔])[\"'”’»)\]]*(?=\s)|[。！？｡][」』”’）〕】]*|[।॥]")
# Words a full stop follows without ending the sentence: titles, months, "Inc." before a name.
_ABBREVIATIONS = frozenset("""mr mrs ms dr prof st no nr vs etc inc corp co ltd jr sr approx ca bzw ggf
    usw z.b d.h jan feb mar apr jun jul aug sep sept oct nov dec""".split())
# Scripts written without spaces between words: a space there ends a phrase or a sentence (Thai, Lao,
# Khmer, Myanmar), and a cut may fall between any two characters (those and CJK).
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# "BERLIN, Nov. 20, 2026 /PRNewswire/ –": an imported dateline a lead or paragraph may still open with.
_DATELINE = re.compile(r"^(?P<head>[^–—\n]{2,160}?)\s*(?:[–—]+|--|\s-)(?:\s+|$)")


def _strip_dateline(text: str) -> str:
    m = _DATELINE.match(text)
    if m and (re.search(r"\d{4}|/[^/]+/|\(\w[^)]*\)$", m["head"]) and len(m["head"].split()) <= 12):
        return text[m.end():].strip()
    return text


def _sentence_ends(text: str) -> list[int]:
    ends = []
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == ".":
            word = text[:m.start()].rsplit(None, 1)[-1] if text[:m.start()].strip() else ""
            nxt = text[m.end():].lstrip()[:1]
            if len(word) == 1 or word.lower().lstrip("(\"'") in _ABBREVIATIONS or nxt.islower():
                continue
        ends.append(m.end())
    if len(_UNSPACED.findall(text)) * 2 > len(text.replace(" ", "")):  # mostly Thai, Lao, Khmer …
        ends += [m.start() for m in re.finditer(r"\s+", text)]
    return sorted(ends)


def cut_text(text: str, limit: int = TEASER_LIMIT) -> str:
    """``text`` shortened to at most ``limit`` characters (half as many in CJK, whose characters are
    twice as wide and say more): whole sentences when the first one fits, else cut at a word (in CJK,
    at a character) with an ellipsis."""
    text = " ".join(text.split())
    if len(_CJK.findall(text)) * 2 > len(text):
        limit //= 2
    if len(text) <= limit:
        return text
    fitting = [e for e in _sentence_ends(text) if e <= limit]
    if fitting:
        return text[:fitting[-1]].rstrip()
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2 and not _CJK.search(cut[space:]):
        cut = cut[:space]
    return cut.rstrip(" ,;:、，–—-") + "…"


def teaser(lead: str, body_html: str, limit: int = TEASER_LIMIT) -> str:
    """A listing's teaser, as plain text: the first sentences of the lead, else of the body's first
    paragraph (headings skipped), that fit in ``limit`` characters, cut at a sentence boundary in
    every script; never a bare dateline ("BERLIN, Nov. 20, 2026 –" alone)."""
    candidates = [lead] if lead else []
    blocks = _blocks(body_html) if body_html else []
    candidates += [t for kind, t in blocks if kind not in _HEADINGS]
    for text in candidates:
        text = _strip_dateline(" ".join(text.split()))
        if text:
            return cut_text(text, limit)
    return ""


def is_email(value: str) -> bool:
    return bool(EMAIL_ADDRESS.match(value))


def segment_id(source: str) -> str:
    """A translation segment's id: the sha256 of its source unit. The translation memory keys
    segments by it and an editor names the segment to fix by it, so both compute it here."""
    return hashlib.sha256(source.encode()).hexdigest()
