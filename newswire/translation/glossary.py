"""Glossary terms (and URLs, e-mails, ISINs, tickers) in a segment: protected before the
engine, put back after it.

A do-not-translate term, or a term with a forced translation, becomes
``<span translate="no" data-nw-g="K">text</span>`` where text is the term itself or its
forced translation. HTML engines carry such spans untouched (Apertium's engine maps them to
its own no-translate element); for placeholder engines the span becomes an ``<xN>`` like any
other inline element. Afterwards the whole span is replaced by the intended text, whatever
the engine did inside it, so the engine sees a word in context but cannot change it.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from dataclasses import dataclass, field

from .check import EMAIL, ISIN, TICKER, URL
from .engines.base import Glossary
from .segments import is_tag, tag_name, tokens

_MARK = re.compile(r"""\bdata-nw-g\s*=\s*["']?(\d+)""")
_SKIP = {"code", "pre"}


@dataclass
class Protected:
    html: str
    outputs: list[str] = field(default_factory=list)  # what span K must read in the translation
    expected: dict[str, str] = field(default_factory=dict)  # term found -> required output text

    @property
    def fingerprint(self) -> str:
        """Identifies the glossary entries that touched this segment, for the translation memory."""
        if not self.expected:
            return ""
        raw = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(self.expected.items()))
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _is_notrans(tok: str) -> bool:
    return tag_name(tok) == "span" and re.search(r"""\btranslate\s*=\s*["']?no\b""", tok) is not None


def protect(html: str, glossary: Glossary | None, target: str) -> Protected:
    """Wrap glossary terms, and URLs, e-mail addresses, ISINs and tickers (no engine should
    touch those: Apertium turns "https://acme.example" into "Https de visita://acmé.ejemplo")."""
    wanted = {t: t for t in (glossary.keep if glossary else ()) if t}
    wanted.update({t: out for t, out in (glossary.forced_for(target) if glossary else {}).items() if t})
    by_escaped = {htmllib.escape(t, quote=False): t for t in wanted}
    patterns = [(URL, "://"), (EMAIL, "@"), (ISIN, ""), (TICKER, "")]  # (pattern, text it needs)
    if by_escaped:
        patterns.insert(0, (re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(
            map(re.escape, sorted(by_escaped, key=len, reverse=True)))), ""))
    result = Protected("")
    out, skip = [], []  # skip: stack of names of elements whose text is left alone

    def wrap(text: str) -> str:
        hits = sorted((m.start(), -len(m.group(0)), m.group(0))
                      for p, needs in patterns if needs in text for m in p.finditer(text))
        pieces, pos = [], 0
        for start, _, found in hits:
            if start < pos:
                continue  # overlaps a longer or earlier match
            if found in by_escaped:
                term = by_escaped[found]
                result.expected[term] = output = wanted[term]
            else:
                output = htmllib.unescape(found)
            result.outputs.append(output)
            k = len(result.outputs) - 1
            pieces += [text[pos:start],
                       f'<span translate="no" data-nw-g="{k}">{htmllib.escape(output, quote=False)}</span>']
            pos = start + len(found)
        return "".join(pieces) + text[pos:]

    for tok in tokens(html):
        if is_tag(tok):
            name = tag_name(tok)
            if tok.startswith("</") and skip and skip[-1] == name:
                skip.pop()
            elif not tok.startswith("</") and not tok.endswith("/>") and (
                    name in _SKIP or _is_notrans(tok) or (skip and name == skip[-1])):
                skip.append(name)
            out.append(tok)
        else:
            out.append(tok if skip else wrap(tok))
    result.html = "".join(out)
    return result


def unprotect(html: str, protected: Protected) -> tuple[str, list[str]]:
    """Replace each marked span with its intended text; report the ones the engine lost."""
    if not protected.outputs:
        return html, []
    out, found = [], set()
    toks = tokens(html)
    i = 0
    while i < len(toks):
        tok = toks[i]
        m = _MARK.search(tok) if is_tag(tok) and tag_name(tok) == "span" and not tok.startswith("</") else None
        if m is None or int(m.group(1)) >= len(protected.outputs):
            out.append(tok)
            i += 1
            continue
        k, depth = int(m.group(1)), 1
        found.add(k)
        i += 1
        while i < len(toks) and depth:  # skip to the matching </span>
            if is_tag(toks[i]) and tag_name(toks[i]) == "span" and not toks[i].endswith("/>"):
                depth += -1 if toks[i].startswith("</") else 1
            i += 1
        out.append(htmllib.escape(protected.outputs[k], quote=False))
    lost = [f"“{protected.outputs[k]}” was lost by the engine"
            for k in range(len(protected.outputs)) if k not in found]
    return "".join(out), lost
