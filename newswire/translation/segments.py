"""Cutting release HTML into translatable segments, and inline markup ↔ placeholders.

A block segment is the inline content of one leaf block (p, h2–h6, li, td, blockquote …):
text plus inline tags (a, strong, em …). Blocks are cut into sentences at sentence ends
that lie outside every inline element, so a link never straddles two segments.

Placeholders for engines without an HTML mode are XML-ish: ``<x1>text</x1>`` for a paired
inline element and ``<x2/>`` for a void or unpaired one (XLIFF's g/x idea, numbered). Chosen
over ``[[1]]text[[/1]]`` because neural and LLM engines have read a great deal of XML/HTML and
carry such tags around the words they wrap when reordering, while bracketed numbers get split
into sub-word pieces, treated as footnote numbers, or "translated"; the digits inside them would
also collide with the number check. Attributes (hrefs) never reach the engine: only ids do.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

INLINE = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark",
          "q", "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "img"}
VOID = {"br", "wbr", "img", "hr"}
OPAQUE = {"pre", "script", "style", "textarea"}  # content kept verbatim, never translated
TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+", re.S)
_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def tag_name(tag: str) -> str:
    m = _NAME.match(tag)
    return m.group(1).lower() if m else ""


def is_tag(token: str) -> bool:
    """For tokens from ``tokens()``: text tokens never start with "<"."""
    return token[:1] == "<"


def tokens(html: str) -> list[str]:
    return TOKEN.findall(html)


def text_of(html: str) -> str:
    """Visible text of an inline fragment, entities decoded."""
    return htmllib.unescape("".join(t for t in tokens(html) if not is_tag(t)))


@dataclass
class Skeleton:
    """A fragment with its translatable runs cut out: parts are literal markup or segment indexes."""

    parts: list[str | int] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)

    def join(self, translated: list[str]) -> str:
        return "".join(translated[p] if isinstance(p, int) else p for p in self.parts)


def split_blocks(html: str) -> Skeleton:
    sk = Skeleton()
    run: list[str] = []
    opaque = 0

    def flush():
        text = "".join(run)
        run.clear()
        if not text_of(text).strip():
            if text:
                sk.parts.append(text)
            return
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        if lead:
            sk.parts.append(lead)
        sk.parts.append(len(sk.segments))
        sk.segments.append(text.strip())
        if trail:
            sk.parts.append(trail)

    for tok in tokens(html):
        if opaque or (is_tag(tok) and (tok.startswith("<!") or tag_name(tok) not in INLINE)):
            flush()
            name = tag_name(tok) if is_tag(tok) else ""
            if name in OPAQUE and not tok.startswith("<!"):
                opaque += -1 if tok.startswith("</") else (0 if tok.endswith("/>") else 1)
                opaque = max(opaque, 0)
            sk.parts.append(tok)
        else:
            run.append(tok)
    flush()
    return sk


# A sentence ends at . ! ? … (and CJK 。！？) plus closing quotes/brackets, before whitespace and
# a capital, digit or opening quote; not after an abbreviation, an initial or a dotted acronym.
_END = re.compile(r"([.!?…]+[\"'”’»)\]]*)(\s+)(?=[\"'“‘«(\[¿¡]?[A-ZÀ-ÖØ-ÞА-ЯĀ-Ž0-9]|<)|([。！？]+[」』”]?)")
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "sra", "jr", "st", "inc", "ltd", "co", "corp", "no", "nr", "vs",
    "etc", "approx", "dept", "est", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "gen", "gov", "sen", "rep", "av", "bhd", "tbk", "sdn", "pt", "s.a", "u.s", "e.g",
    "i.e", "a.m", "p.m", "ph.d", "art", "núm", "dra", "sto", "ir", "h", "hj", "tel", "ext",
}


def _boundary_ok(text_before: str) -> bool:
    word = re.split(r"\s", text_before.rstrip(".!?…\"'”’»)]"))[-1].lower()
    if text_before.rstrip("\"'”’»)]").endswith(("!", "?", "…")):
        return True
    return not (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or re.fullmatch(r"(\w\.)+\w", word))


def split_sentences(html: str) -> list[tuple[str, str]]:
    """(sentence, whitespace after it) pairs; joined back they give ``html`` exactly."""
    out: list[tuple[str, str]] = []
    current: list[str] = []
    depth = 0
    toks = tokens(html)
    for i, tok in enumerate(toks):
        if is_tag(tok):
            name = tag_name(tok)
            if name not in VOID and not tok.endswith("/>"):
                depth = max(depth + (-1 if tok.startswith("</") else 1), 0)
            current.append(tok)
            continue
        if depth:
            current.append(tok)
            continue
        pos = 0
        peek = toks[i + 1][:1] if i + 1 < len(toks) else ""  # lets the lookahead see a following tag
        for m in _END.finditer(tok + peek):
            end = m.end(1) if m.group(1) else m.end(3)
            before = "".join(current) + tok[pos:end]
            if m.group(1) and not _boundary_ok(text_of(before)):
                continue
            gap = m.group(2) or ""
            out.append((before, gap))
            current = []
            pos = end + len(gap)
        current.append(tok[pos:])
    rest = "".join(current)
    if out and not text_of(rest).strip():  # a tag-only or blank tail stays with the last sentence
        s, g = out[-1]
        out[-1] = (s, g + rest) if not rest or not rest.strip() else (s + g + rest, "")
    else:
        out.append((rest, ""))
    return out


@dataclass
class Masked:
    text: str
    tags: dict[int, tuple[str, str | None]]  # id -> (opening or lone tag, closing tag or None)


_PH = re.compile(r"<(/?)x(\d+)(\s*/)?>")


def mask(html: str) -> Masked:
    """Inline tags → numbered placeholders; text entities decoded for the engine."""
    toks = tokens(html)
    tags: dict[int, tuple[str, str | None]] = {}
    out: list[str] = []
    stack: list[tuple[str, int, int]] = []  # (name, id, index in out)
    for tok in toks:
        if not is_tag(tok):
            out.append(htmllib.unescape(tok))
            continue
        name, n = tag_name(tok), len(tags) + 1
        if tok.startswith("</"):
            match = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name), None)
            if match is not None and match == len(stack) - 1:
                _, pid, _ = stack.pop()
                tags[pid] = (tags[pid][0], tok)
                out.append(f"</x{pid}>")
                continue
            tags[n] = (tok, None)
            out.append(f"<x{n}/>")
        elif name in VOID or tok.endswith("/>") or tok.startswith("<!"):
            tags[n] = (tok, None)
            out.append(f"<x{n}/>")
        else:
            tags[n] = (tok, None)
            stack.append((name, n, len(out)))
            out.append(f"<x{n}>")
    for _, pid, idx in stack:  # never closed: a lone tag
        out[idx] = f"<x{pid}/>"
    return Masked("".join(out), tags)


def unmask(text: str, masked: Masked) -> tuple[str, list[str]]:
    """Placeholders → the original tags. Returns well-formed HTML and what had to be fixed:
    placeholders lost, duplicated, invented or misnested by the engine are dropped, not guessed."""
    problems: list[str] = []
    out: list[str] = []
    seen: set[tuple[int, str]] = set()
    stack: list[int] = []
    pos = 0
    for m in _PH.finditer(text):
        out.append(htmllib.escape(text[pos:m.start()], quote=False))
        pos = m.end()
        closing, pid, lone = m.group(1) == "/", int(m.group(2)), bool(m.group(3))
        kind = "close" if closing else ("lone" if lone else "open")
        original = masked.tags.get(pid)
        if original is None or (pid, kind) in seen or (kind == "lone") != (original[1] is None):
            problems.append(f"the engine invented or repeated placeholder {m.group(0)}")
            continue
        seen.add((pid, kind))
        if kind == "lone":
            out.append(original[0])
        elif kind == "open":
            stack.append(pid)
            out.append(original[0])
        elif stack and stack[-1] == pid:
            stack.pop()
            out.append(original[1])
        else:
            problems.append(f"placeholder {m.group(0)} closes out of order")
            if pid in stack:  # close it and everything opened after it, keeping the HTML well-formed
                while stack:
                    inner = stack.pop()
                    out.append(masked.tags[inner][1])
                    if inner == pid:
                        break
    out.append(htmllib.escape(text[pos:], quote=False))
    for pid in reversed(stack):
        problems.append(f"placeholder <x{pid}> was never closed")
        out.append(masked.tags[pid][1])
    for pid, (_, close) in masked.tags.items():
        if (pid, "lone" if close is None else "open") not in seen:
            problems.append(f"the engine lost placeholder <x{pid}>")
    return "".join(out), problems
