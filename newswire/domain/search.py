"""Search terms: the one way text is cut into index terms, for the index and for queries alike.

Every wire language is searchable with the same rule, so the SQLite (FTS5) and PostgreSQL
(tsvector) indexes hold the same terms and find the same releases:

- text is normalized (Unicode NFKC, case folded, Arabic short vowels and tatweel dropped);
- in scripts written with spaces (Latin, Cyrillic, Arabic, Greek …) a term is a word: a run of
  letters, digits and combining marks;
- in scripts written without spaces between words (Han, Hiragana, Katakana, Hangul, Thai, Lao,
  Khmer, Myanmar) a run is cut into overlapping pairs of characters (a character with its
  combining marks), as Lucene's CJKAnalyzer does: "火箭滑板" → 火箭 箭滑 滑板; a run of one character
  is its own term. A query's run is a phrase of its pairs, so "滑板" finds "火箭滑板" and "스케이트"
  finds "스케이트를".

``terms`` cuts text for the index, ``phrases`` cuts a query, ``highlight`` marks a query's words in
a text for display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TERM = 60  # characters; a longer "word" (a hash, a URL's tail) is cut to this
MAX_PHRASES = 12  # query words used; the rest of a pasted paragraph is ignored

_DROPPED = re.compile(r"[\u0640\u064b-\u065f\u0670]")  # Arabic tatweel and harakat
_PAIRED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    r"\U00020000-\U0003134f]")


@dataclass(frozen=True)
class Phrase:
    """One query word as index terms: a word, or the character pairs of an unspaced run (in order)."""

    terms: tuple[str, ...]
    text: str  # the normalized word or run, for highlighting
    paired: bool  # an unspaced run (matched inside longer runs)

    @property
    def prefix(self) -> bool:
        """A run of one character: it matches the pairs it starts (the index has no single characters
        inside longer runs)."""
        return self.paired and len(self.text) == 1


def normalize(text: str) -> str:
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).casefold())


def _is_token(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM" and ch != "_"


def _runs(text: str) -> list[tuple[str, bool]]:
    """(run, paired) of normalized text: words, and unspaced runs."""
    out: list[tuple[str, bool]] = []
    current, paired = [], False
    for ch in text:
        if not _is_token(ch):
            if current:
                out.append(("".join(current), paired))
            current = []
            continue
        kind = bool(_PAIRED.match(ch)) or (paired and bool(current) and unicodedata.category(ch)[0] == "M")
        if current and kind != paired:
            out.append(("".join(current), paired))
            current = []
        current.append(ch)
        paired = kind
    if current:
        out.append(("".join(current), paired))
    return out


def _clusters(run: str) -> list[str]:
    """A run's characters, each with the combining marks that follow it (Thai vowels and tones)."""
    out: list[str] = []
    for ch in run:
        if out and unicodedata.category(ch)[0] == "M":
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _run_terms(run: str, paired: bool) -> list[str]:
    if not paired:
        return [run[:MAX_TERM]]
    chars = _clusters(run)
    if len(chars) == 1:
        return chars
    return [a + b for a, b in zip(chars, chars[1:])]


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order (repeats kept: positions matter to phrases)."""
    out: list[str] = []
    for run, paired in _runs(normalize(text)):
        out += _run_terms(run, paired)
    return out


def phrases(query: str) -> list[Phrase]:
    """A query's words as phrases of index terms (each must be found; at most ``MAX_PHRASES``)."""
    found: dict[str, Phrase] = {}
    for run, paired in _runs(normalize(query)):
        if run not in found:
            found[run] = Phrase(tuple(_run_terms(run, paired)), run, paired)
    return list(found.values())[:MAX_PHRASES]


def highlight(text: str, query: list[Phrase]) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_match) pieces, a piece matching a query word (a whole word, or inside
    an unspaced run) marked; the pieces join back to ``text``. For the template to escape and mark."""
    if not query or not text:
        return [(text, False)] if text else []
    normal, owner = [], []  # the normalized text, and for each of its characters the original's index
    for i, ch in enumerate(text):
        for n in normalize(ch):
            normal.append(n)
            owner.append(i)
    flat = "".join(normal)
    patterns = [re.escape(p.text) if p.paired else rf"(?<![^\W_]){re.escape(p.text)}(?![^\W_])"
                for p in sorted(query, key=lambda p: -len(p.text))]
    spans: list[tuple[int, int]] = []
    for m in re.finditer("|".join(patterns), flat):
        if m.end() > m.start():
            start, end = owner[m.start()], owner[m.end() - 1] + 1
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    pieces, at = [], 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces
