"""Putting links and other inline markup back where an engine split, emptied or dropped it.

Rule-based engines put the same href on each word of a phrase they reorder ("a long link text"
→ "<a>un texto</a> de <a>enlace largo</a>"); ``merge_split`` joins such pieces into one link
again. ``rewrap``/``find`` locate an element's separately translated text in a translation, and
``difference`` finds the words a translation gains when the element's words are in the source;
``insert`` then puts the element around them. None rather than a guess when the words are not there.
"""

from __future__ import annotations

import difflib
import re

from .segments import INLINE, VOID, is_tag, tag_name, text_of, tokens


def same_tag(a: str, b: str) -> bool:
    """Equal opening tags, whatever their attribute quotes (Apertium rewrites ' as ")."""
    return _norm(a) == _norm(b)


def _norm(tag: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"""=\s*'([^']*)'""", r'="\1"', tag))


_MAX_GAP = 40  # characters of plain text that may sit between two pieces of one split element


def merge_split(output: str, source: str) -> str:
    """Join neighbouring copies of one inline element when the source had fewer of them."""
    if output.count("<") <= source.count("<"):  # no extra tags: nothing was split
        return output
    src_opens = [t for t in tokens(source) if is_tag(t) and not t.startswith("</")]
    toks = tokens(output)
    changed = True
    while changed:
        changed = False
        for i, tok in enumerate(toks):
            if not (is_tag(tok) and tok.startswith("</") and tag_name(tok) in INLINE - VOID):
                continue
            name = tag_name(tok)
            open_i = _opening(toks, i, name)
            if open_i is None:
                continue
            j = i + 1
            gap = []
            while j < len(toks) and not is_tag(toks[j]) and sum(map(len, gap)) <= _MAX_GAP:
                gap.append(toks[j])
                j += 1
            if j >= len(toks) or toks[j] != toks[open_i] or sum(map(len, gap)) > _MAX_GAP:
                continue
            have = sum(1 for t in toks if t == toks[open_i])
            if have <= sum(same_tag(t, toks[open_i]) for t in src_opens):
                continue
            del toks[j]  # the second opening tag
            del toks[i]  # the first closing tag: the gap text is now inside one element
            changed = True
            break
    return "".join(toks)


def _opening(toks: list[str], close_i: int, name: str) -> int | None:
    depth = 0
    for k in range(close_i - 1, -1, -1):
        t = toks[k]
        if is_tag(t) and tag_name(t) == name and not t.endswith("/>"):
            if t.startswith("</"):
                depth += 1
            elif depth:
                depth -= 1
            else:
                return k
    return None


def elements(html: str) -> list[tuple[str, str, str]]:
    """Top-level inline elements of a fragment: (opening tag, inner HTML, closing tag)."""
    found, depth, start, open_tag = [], 0, 0, ""
    toks = tokens(html)
    for i, tok in enumerate(toks):
        if not is_tag(tok) or tag_name(tok) in VOID or tok.endswith("/>") or tok.startswith("<!"):
            continue
        if tok.startswith("</"):
            depth -= 1
            if depth == 0:
                found.append((open_tag, "".join(toks[start:i]), tok))
            depth = max(depth, 0)
        else:
            if depth == 0:
                open_tag, start = tok, i + 1
            depth += 1
    return found


def drop_empty(html: str, open_tag: str) -> str:
    """Remove elements with this opening tag that have no text (an engine's emptied link),
    and the space the engine put before it."""
    toks, out, name = tokens(html), [], tag_name(open_tag)
    i = 0
    while i < len(toks):
        j = i + 1 + (i + 1 < len(toks) and not toks[i + 1].strip())  # allow whitespace inside
        if is_tag(toks[i]) and same_tag(toks[i], open_tag) and j < len(toks) and toks[j] == f"</{name}>":
            i = j + 1
            if out and out[-1].endswith(" ") and (i >= len(toks) or toks[i][:1] in " .,;:!?"):
                out[-1] = out[-1][:-1]
            continue
        out.append(toks[i])
        i += 1
    return "".join(out)


def has_element(html: str, open_tag: str) -> bool:
    """Whether an element with exactly this opening tag has some text."""
    toks, name = tokens(html), tag_name(open_tag)
    for i, tok in enumerate(toks):
        if is_tag(tok) and same_tag(tok, open_tag):
            depth, j = 1, i + 1
            while j < len(toks) and depth:
                if is_tag(toks[j]) and tag_name(toks[j]) == name and not toks[j].endswith("/>"):
                    depth += -1 if toks[j].startswith("</") else 1
                j += 1
            if text_of("".join(toks[i + 1:j - 1])).strip():
                return True
    return False


def rewrap(output: str, open_tag: str, close_tag: str, text: str, inner: str | None = None) -> str | None:
    """Wrap the first occurrence of ``text`` (case-insensitive, whole words, outside any link)
    in ``output`` with the element (around ``inner`` instead, if given); None if it does not occur."""
    needle = text.strip()
    if not needle:
        return None
    pattern = re.compile(r"(?<!\w)" + re.escape(_escape(needle)) + r"(?!\w)", re.I)
    toks = tokens(output)
    in_link = 0
    for i, tok in enumerate(toks):
        if is_tag(tok):
            if tag_name(tok) == "a":
                in_link += -1 if tok.startswith("</") else 1
            continue
        if in_link:
            continue
        m = pattern.search(tok)
        if m:
            keep_case = inner is None or not any(is_tag(t) for t in tokens(inner))
            toks[i] = tok[:m.start()] + open_tag + (m.group(0) if keep_case else inner) + close_tag + tok[m.end():]
            return "".join(toks)
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def strip_inline(html: str, keep=lambda tok: False) -> str:
    """The fragment without its inline tags (those ``keep`` accepts stay, with their content)."""
    out, skip = [], 0
    for tok in tokens(html):
        if is_tag(tok):
            if skip or keep(tok):
                out.append(tok)
                if not tok.endswith("/>") and tag_name(tok) not in VOID:
                    skip += -1 if tok.startswith("</") else 1
            elif tag_name(tok) in ("br",):
                out.append(" ")
            continue
        out.append(tok)
    return re.sub(r"\s{2,}", " ", "".join(out)).strip()


def find(text: str, needle: str) -> tuple[int, int] | None:
    """Where ``needle`` occurs in ``text`` (case-insensitive, whole words)."""
    needle = needle.strip()
    m = re.search(r"(?<!\w)" + re.escape(_escape(needle)) + r"(?!\w)", text, re.I) if needle else None
    return m.span() if m else None


_EDGE = ".,;:!?\"'“”«»()¿¡"


def difference(full: str, reduced: str) -> tuple[int, int] | None:
    """The words ``full`` has that ``reduced`` lacks, as one span of ``full``: where a link's text
    sits in a translation, found by translating the sentence again without it."""
    words = [m for m in re.finditer(r"\S+", full)]
    ops = difflib.SequenceMatcher(None, reduced.split(), [w.group(0) for w in words], autojunk=False).get_opcodes()
    added = [(j1, j2) for tag, _, _, j1, j2 in ops if tag in ("insert", "replace") and j2 > j1]
    if not added or added[-1][1] - added[0][0] > 2 * sum(j2 - j1 for j1, j2 in added):
        return None  # nothing added, or scattered over the sentence: no honest place to put the link
    start, end = words[added[0][0]].start(), words[added[-1][1] - 1].end()
    while start < end and full[start] in _EDGE:
        start += 1
    while end > start and full[end - 1] in _EDGE:
        end -= 1
    return (start, end) if end > start else None


def insert(text: str, spans: list[tuple[tuple[int, int], str, str, str | None]]) -> str:
    """Put elements around non-overlapping spans: ((start, end), opening, closing, inner HTML or None)."""
    taken, out = [], text
    for (start, end), open_tag, close, inner in sorted(spans, key=lambda s: s[0][0]):
        if not any(start < e and s < end for s, e in taken):
            taken.append((start, end))
    for (start, end), open_tag, close, inner in sorted(spans, key=lambda s: -s[0][0]):
        if (start, end) in taken:
            taken.remove((start, end))
            out = out[:start] + open_tag + (inner or out[start:end]) + close + out[end:]
    return out
