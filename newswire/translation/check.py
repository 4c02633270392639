"""The fidelity check of one translated segment against its source.

What must survive: every link (its href, with non-empty link text), every URL and e-mail,
ISIN, ticker, number (dates and times are checked through their numbers, since month names
are translated), and every do-not-translate term, unchanged.

Numbers: a source number is present when some number of the output has the same value,
read with either the source's or the target's conventions, because engines often leave
"1,200,000" as it is while a localised "1.200.000" or "1 200 000" is equally right. Accepted
group separators: "," "." "'" "’" and space, no-break space and narrow no-break space (thin
space too) between groups of exactly three digits; decimal separator "." or ",". So 1,000 =
1.000 = 1 000 = 1'000 (the value one thousand) and 12.5 = 12,5; "1.000" is also accepted as
1.0 (when that is what the source meant). Not accepted: changed digits, rounding, numbers
written as words, or Indian 1,00,000 grouping.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .segments import is_tag, tag_name, text_of, tokens

URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
ISIN = re.compile(r"\b[A-Z]{2}[A-Z0-9]{9}\d\b")
EXCHANGES = ("NYSE", "NASDAQ", "Nasdaq", "AMEX", "LSE", "TSX", "ASX", "HKEX", "SEHK", "SGX", "TSE", "JPX", "KRX",
             "KOSDAQ", "IDX", "Bursa", "SET", "HOSE", "HNX", "SSE", "SZSE", "TWSE", "XETRA", "Xetra", "FWB",
             "Euronext", "SIX", "BME", "B3", "BMV", "MOEX", "Tadawul", "ADX", "DFM", "OTC", "OTCQX", "TYO")
TICKER = re.compile(r"\b(?:%s)\s*:\s*([A-Z0-9][A-Z0-9.\-]{0,9})\b|(?<![\w$])\$([A-Z]{1,6})\b" % "|".join(EXCHANGES))
_NUMBER = re.compile(r"\d+(?:(?:[.,'’]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")
_SPACES = " \u00a0\u202f\u2009"


@dataclass
class Counts:
    links_in: int = 0
    links_out: int = 0  # source links whose href is in the output with non-empty text
    numbers_in: int = 0
    numbers_out: int = 0
    terms_in: int = 0
    terms_out: int = 0
    codes_in: int = 0  # URLs, e-mails, ISINs, tickers
    codes_out: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(vars(self).values(), vars(other).values())))

    @property
    def lost(self) -> int:
        return sum(getattr(self, k + "_in") - getattr(self, k + "_out") for k in ("links", "numbers", "terms", "codes"))


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    @property
    def ok(self) -> bool:
        return not self.problems


def links(html: str) -> list[tuple[str, str]]:
    """(href, visible text) of every <a href> in a fragment."""
    found, stack = [], []
    for tok in tokens(html):
        if is_tag(tok) and tag_name(tok) == "a":
            if tok.startswith("</"):
                if stack:
                    href, parts = stack.pop()
                    found.append((href, text_of("".join(parts)).strip()))
                continue
            m = re.search(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", tok)
            stack.append(((m.group(1) or m.group(2) or m.group(3) or "") if m else "", []))
        elif stack:
            for _, parts in stack:
                parts.append(tok)
    return found


def readings(token: str) -> set[str]:
    """Every value a written number can have under the conventions above, as canonical strings."""
    if token.isdigit():  # the common case, and the cheap one
        return {token.lstrip("0") or "0"}
    values = set()
    for group, decimal in ((",'’" + _SPACES, "."), (".'’" + _SPACES, ",")):
        body = token
        if decimal in body:
            whole, _, frac = body.rpartition(decimal)
            if decimal in whole or any(c in frac for c in ".,'’" + _SPACES):
                continue
        else:
            whole, frac = body, ""
        pieces = re.split("[" + re.escape(group) + "]", whole)
        if len(pieces) > 1 and (not 1 <= len(pieces[0]) <= 3 or any(len(p) != 3 for p in pieces[1:])):
            continue
        if not all(p.isdigit() for p in pieces) or (frac and not frac.isdigit()):
            continue
        digits = "".join(pieces).lstrip("0") or "0"
        values.add(digits + ("." + frac.rstrip("0") if frac.rstrip("0") else ""))
    return values


def _strip_codes(text: str) -> str:
    if "://" in text:
        text = URL.sub(" ", text)
    if "@" in text:
        text = EMAIL.sub(" ", text)
    if ":" in text or "$" in text:
        text = TICKER.sub(" ", text)
    return ISIN.sub(" ", text)


def numbers(text: str) -> list[set[str]]:
    found = []
    for tok in _NUMBER.findall(_strip_codes(text)):
        # "in 2024 300 people" is two numbers, not one grouped by a space
        for part in [tok] if readings(tok) else re.split("[" + _SPACES + "]", tok):
            if r := readings(part):
                found.append(r)
    return found


def codes(text: str) -> list[str]:
    found = [m.group(0) for p in (URL, EMAIL, ISIN) for m in p.finditer(text)]
    if ":" in text or "$" in text:
        found += [m.group(1) or m.group(2) for m in TICKER.finditer(text)]
    return found


@lru_cache(maxsize=1024)
def _whole_word(term: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)")


def term_count(text: str, term: str) -> int:
    return len(_whole_word(term).findall(text)) if term in text else 0


@dataclass(frozen=True)
class Facts:
    """What the check needs to know of a source segment."""

    text: str
    links: tuple[tuple[str, str], ...]
    numbers: tuple[frozenset[str], ...]
    codes: tuple[str, ...]
    tags: frozenset[str]


@lru_cache(maxsize=8192)
def facts(source: str) -> Facts:
    """Cached: the pipeline works these out in a thread while the engine translates."""
    text = text_of(source)
    return Facts(text, tuple(links(source)), tuple(frozenset(v) for v in numbers(text)), tuple(codes(text)),
                 frozenset(tag_name(t) for t in tokens(source) if is_tag(t)) - {"a", "br", "span"})


def check(source: str, output: str, terms: dict[str, str] | None = None) -> Report:
    """Compare one translated segment (HTML) with its source. ``terms`` maps each glossary term
    to what the output must say instead (itself for a do-not-translate term)."""
    report, c, src = Report(), Counts(), facts(source)
    src_text, out_text = src.text, text_of(output)

    src_links, out_links = src.links, links(output)
    available = Counter(href for href, text in out_links if text)
    for href, _ in src_links:
        c.links_in += 1
        if available[href] > 0:
            available[href] -= 1
            c.links_out += 1
        elif any(h == href for h, _ in out_links):
            report.problems.append(f"link {href} has lost its text")
        else:
            report.problems.append(f"link {href} is missing")

    pool = numbers(out_text)
    for values in src.numbers:
        c.numbers_in += 1
        hit = next((i for i, v in enumerate(pool) if v & values), None)
        if hit is None:
            report.problems.append(f"number {min(values, key=len)} is missing")
        else:
            pool.pop(hit)
            c.numbers_out += 1

    used: Counter = Counter()
    for code in src.codes:
        c.codes_in += 1
        if term_count(out_text, code) > used[code]:  # a ticker may lose its exchange prefix
            used[code] += 1
            c.codes_out += 1
        else:
            report.problems.append(f"{code} is missing or changed")

    for term, expected in (terms or {}).items():
        want = term_count(src_text, term)
        have = min(term_count(out_text, expected), want)
        c.terms_in += want
        c.terms_out += have
        if have < want:
            report.problems.append(f"term “{expected}” is missing or changed")

    out_tags = {tag_name(t) for t in tokens(output) if is_tag(t)}
    for name in sorted(src.tags - out_tags):
        report.problems.append(f"<{name}> markup is missing")
    report.counts = c
    return report
