"""The shape of scraped release text: headline junk, standfirsts, headings, broken paragraphs
(in every script; Thai and CJK lines join without a space), inline Markdown, tickers.

A scraper flattens a page to lines: headings become short lines between paragraphs, a
paragraph can be cut mid-sentence, and the page's closing quote or backtick is left after the
headline. These rules undo that; they are hand-written because they are about this one kind of
text (no library restores a flattened page's structure), and each is conservative: a rule that
is unsure leaves the text as it is.
"""

from __future__ import annotations

import re

from . import datelines, validate

# Closing marks: a paragraph ending in one of them ends a sentence (or a quotation), in every
# wire language's script: Latin and Cyrillic, CJK's full-width marks, Arabic's ؟ and ؛, the danda.
_END = tuple(".!?:;。！？…\"'”’»」』)）．：；؟؛।॥")
_HEADING_MAX = 90
# In Thai and CJK a character carries about what a Latin word does: a heading is a few dozen at most.
_HEADING_MAX_NO_SPACE = 40
# Scripts written without spaces between words: a line break inside them is no space. Thai
# (U+0E00–0E7F), CJK punctuation, kana, ideographs and full-width forms; not Hangul, which has spaces.
_NO_SPACE = re.compile(r"[\u0e00-\u0e7f\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# A list item as scrapers leave it: a bullet mark ("* " but not "*italic*") or "1." / "1)". Not the
# em dash, which opens direct speech in Russian, Spanish and Portuguese text.
_ITEM = re.compile(r"^\s*(?:[-–•●▪■◆◇▲△▶►▸·・○◦✓✔★☆]\s*|\*\s+|\d{1,3}[.)]\s+)(?=\S)")
# A paragraph that is only emphasis: **bold**, __bold__, *italic*, _italic_ (the standfirst's look).
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(?=\S)((?:(?!\1).)+?)(?<=\S)\1$", re.S)
_STANDFIRST_MAX = 300
# A subtitle as Japanese and Chinese releases set it: ～…～ (or 〜…〜), or after a double dash ——….
_SUBTITLE = re.compile(r"^(?:[～〜](?P<tilde>[^～〜\n]+)[～〜]|——\s*(?P<dash>[^\n]+?)(?:\s*——)?)$")
_BRACKETED = re.compile(r"^[【〔［《〈][^】〕］》〉\n]{1,40}[】〕］》〉]$")
# What ends a paragraph without sentence punctuation and is still its end: a URL, an e-mail address,
# a short "Label: value" line (a caption's credit, a contact's line).
_OPEN_END = re.compile(r"(?:https?://|www\.|@)\S*$|^(?=.{0,80}$)[^\s:：()（）]{1,30}(?:\s[^\s:：()（）]+){0,3}\s*[:：]")

# Exchanges whose "(EXCHANGE: SYMBOL)" is a ticker; the name as written → the code stored.
EXCHANGES = {"NYSE": "NYSE", "NYSE AMERICAN": "NYSEAMERICAN", "NYSE ARCA": "NYSEARCA", "NASDAQ": "NASDAQ",
             "XETRA": "XETRA", "FWB": "FWB", "FRANKFURT": "FWB", "TSX": "TSX", "TSXV": "TSXV", "TSX-V": "TSXV",
             "LSE": "LSE", "AIM": "AIM", "ASX": "ASX", "HKEX": "HKEX", "SEHK": "HKEX", "TSE": "TSE", "TYO": "TSE",
             "SGX": "SGX", "KRX": "KRX", "KOSPI": "KRX", "KOSDAQ": "KOSDAQ", "SIX": "SIX", "EURONEXT": "EURONEXT",
             "OTCQX": "OTCQX", "OTCQB": "OTCQB", "OTC": "OTC", "CSE": "CSE", "JSE": "JSE", "BSE": "BSE", "NSE": "NSE",
             "SSE": "SSE", "SZSE": "SZSE", "TWSE": "TWSE", "IDX": "IDX", "SET": "SET", "BURSA": "BURSA",
             "MOEX": "MOEX", "B3": "B3", "BMV": "BMV", "TADAWUL": "TADAWUL", "ADX": "ADX", "DFM": "DFM",
             # as the copy in the language itself names them
             "東証": "TSE", "东证": "TSE", "港交所": "HKEX", "上交所": "SSE", "深交所": "SZSE", "تداول": "TADAWUL",
             "МОСБИРЖА": "MOEX", "코스피": "KRX", "코스닥": "KOSDAQ"}
_TICKER = re.compile(r"(?i:\b(?P<ex>" + "|".join(sorted((re.escape(k) for k in EXCHANGES), key=len, reverse=True))
                     + r"))\s*[:：]\s*(?P<sym>[A-Z0-9][A-Z0-9.\-]{0,9})\b")
_ISIN = re.compile(r"\b[A-Z]{2}[A-Z0-9]{9}\d\b")


def clean_headline(head: str) -> tuple[str, str]:
    """(headline, junk): stray backticks and an unmatched closing quote a scraper left at its end."""
    text = head.strip()
    stripped = text.rstrip("`´ ")
    for close, opens in (("”", "“„"), ("\"", None), ("»", "«"), ("’", "‘")):
        count_open = sum(stripped.count(o) for o in opens) if opens else stripped.count(close) - 1
        if stripped.endswith(close) and stripped.count(close) > count_open:
            stripped = stripped[:-1].rstrip("`´ ")
    return stripped, text[len(stripped):].strip()


def is_junk(para: str) -> bool:
    """A paragraph with no letter or digit: stray quotes, backticks, rules, bullets."""
    return not any(ch.isalnum() for ch in para)


def tickers(text: str) -> list[str]:
    """"(NYSE: TREX)", "(Nasdaq: ABC)", "(XETRA: SAP)" as NYSE:TREX …, and valid ISINs, in order."""
    out = []
    for m in _TICKER.finditer(text):
        code = f"{EXCHANGES[m['ex'].upper()]}:{m['sym'].upper()}"
        if code not in out:
            out.append(code)
    for m in _ISIN.finditer(text):
        if validate.isin_valid(m.group()) and m.group() not in out:
            out.append(m.group())
    return out


def is_heading(para: str) -> bool:
    """A short, title-like line: no sentence end, no colon (a list's lead-in), a capital or uncased start."""
    if "\n" in para or len(para) > _HEADING_MAX or para.endswith(_END) or para.endswith(","):
        return False
    if _NO_SPACE.search(para) and len(para) > _HEADING_MAX_NO_SPACE:  # Thai ends no sentence with a mark
        return False
    if ":" in para or "：" in para or len(para.split()) > 12 or len(para) < 3:
        return False
    if _BRACKETED.match(para):  # Japanese and Chinese releases set headings as 【…】
        return True
    first = para[0]
    return first.isalpha() and not first.islower() or (first.isdigit() and para[1:3].strip(". ") == "")


def join_broken(paras: list[str]) -> list[str]:
    """Join a paragraph that a scraper cut mid-sentence with the part that goes on; line breaks
    inside Thai and CJK text (no blank line) are soft and go too (``soft_breaks``)."""
    out: list[str] = []
    for p in (soft_breaks(p) for p in paras):
        if out and _continues(out[-1], p, first=len(out) == 1):
            out[-1] = glue(out[-1], p)
        else:
            out.append(p)
    return out


def _continues(prev: str, nxt: str, *, first: bool) -> bool:
    """Whether ``nxt`` goes on with the sentence ``prev`` leaves open. A part in lower case always
    does (even a short one: a heading is not continued in lower case). Otherwise ``prev`` must end
    without sentence punctuation and neither part may be a block (a list, contact or table: lines),
    a list item, a heading (the first paragraph, the dateline's, is none) or a dateline. Thai has
    no sentence punctuation, so a blank line after Thai text is taken to end its paragraph."""
    if prev.endswith(_END):
        return False
    if nxt[:1].islower():
        return True
    if "\n" in prev or "\n" in nxt or _THAI.match(prev[-1]) or "|" in prev + nxt or "\t" in prev + nxt:
        return False
    if _ITEM.match(prev) or _ITEM.match(nxt) or (is_heading(prev) and not first) or is_heading(nxt):
        return False
    if _OPEN_END.search(prev):  # a link, an address or a "Label: value" line ends without punctuation
        return False
    return datelines.find(nxt) is None


def glue(left: str, right: str) -> str:
    """Two parts of one sentence: with a space, or none where CJK text meets anything (Chinese and
    Japanese set digits and Latin words without spaces) or Thai meets Thai."""
    a, b = left[-1:], right[:1]
    if _CJK.match(a) or _CJK.match(b) or (_THAI.match(a) and _THAI.match(b)):
        return left + right
    return left + " " + right


def soft_breaks(para: str) -> str:
    """A line break between two Thai or CJK characters dropped, unless a list item starts the next line."""
    lines = para.split("\n")
    out = lines[:1]
    for line in lines[1:]:
        if _NO_SPACE.match(out[-1][-1:]) and _NO_SPACE.match(line[:1]) and not _ITEM.match(line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def standfirst(para: str) -> str | None:
    """The summary under the headline as a subheadline, or None when ``para`` has none of its
    marked shapes: a CJK subtitle (～…～, ——…), a bullet list (its items joined, with "；" in CJK,
    else "; "), or a paragraph that is only bold or italic (without the marks). A hand-written
    rule: these are the shapes wires set a standfirst in, and no library knows them."""
    lines = [line.strip() for line in para.split("\n") if line.strip()]
    if m := _SUBTITLE.match(para.strip()):
        return (m["tilde"] or m["dash"]).strip()
    if lines and is_item_list(para):
        text = ""
        for item in (_ITEM.sub("", line).rstrip(" ;,，；") for line in lines):
            if not text or text.endswith(_END):
                text = glue(text, item) if text else item
            else:
                text += ("；" if _NO_SPACE.match(text[-1]) else "; ") + item
        return text
    if m := _EMPHASIS.match(para.strip()):
        return " ".join(soft_breaks(m[2]).split())
    return None


def is_item_list(para: str) -> bool:
    """Every line of ``para`` a list item."""
    return all(_ITEM.match(line) for line in para.split("\n") if line.strip())


def short_standfirst(para: str) -> str | None:
    """A short paragraph (wires' standfirsts are a sentence or two) as a subheadline."""
    if len(para) > _STANDFIRST_MAX or _ITEM.match(para):
        return None
    return " ".join(soft_breaks(para).split())


_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK = re.compile(r"^([#>+=-])|^(\d{1,9})([.)])", re.M)
# Markdown a writer typed into plain text: bold, italics, links to the web. Kept as Markdown.
_KEEP = re.compile(r"\*\*[^*\n]+?\*\*|__[^_\n]+?__|(?<![\w*])\*[^*\s][^*\n]*?(?<!\s)\*(?![\w*])"
                   r"|(?<![\w_])_[^_\s][^_\n]*?(?<!\s)_(?![\w_])|\[[^\]\n]+\]\(https?://[^\s()]+\)")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as block formatting, HTML or stray marks, so
    scraped text stays text; bold, italics and web links written inline are kept."""
    text = "\n".join(line.strip() for line in text.split("\n"))  # indentation would make code blocks
    out, last = [], 0
    for m in _KEEP.finditer(text):
        out += [_escape_inline(text[last:m.start()]), _escape_kept(m.group())]
        last = m.end()
    out.append(_escape_inline(text[last:]))
    text = "".join(out)
    return _BLOCK.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], text)


def _escape_inline(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return re.sub(r"&(?=#?\w+;)", r"\\&", text)


def _escape_kept(span: str) -> str:
    """The inside of a kept span, escaped but for its own marks."""
    if span.startswith("["):
        label, _, url = span[1:].partition("](")
        return "[" + _escape_inline(label) + "](" + url
    mark = "**" if span.startswith("**") else "__" if span.startswith("__") else span[0]
    return mark + _escape_inline(span[len(mark):-len(mark)]) + mark
