"""A listing's teaser: the first sentences of a release that fit, cut at a sentence boundary in
every script, never a bare dateline."""

from __future__ import annotations

import re

from .text import blocks


# --- teasers ----------------------------------------------------------------------------------
TEASER_LIMIT = 300  # characters: a teaser is the first sentences that fit
_NOT_TEASERS = {"h1", "h2", "h3", "h4", "h5", "h6", "dt", "figcaption", "pre", "table", "tr"}
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
    parts = blocks(body_html) if body_html else []
    candidates += [t for kind, t in parts if kind not in _NOT_TEASERS]
    for text in candidates:
        text = _strip_dateline(" ".join(text.split()))
        if text:
            return cut_text(text, limit)
    return ""
