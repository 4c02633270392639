"""The desk's pre-checks that need nothing but the text: pure functions, content → findings.

Each finding names its severity (an error holds approval until an editor overrides it, a warning
never holds anything), a message that says the fix, and where: the field and, where it applies,
the character offset into that field's plain text and the phrase quoted.

Weekday and month names come from Babel's CLDR locale data for each of the wire's languages, so
"Wednesday, October 27, 2021", "Mittwoch, 27. Oktober 2021", "mercredi 27 octobre 2021",
"2021年10月27日（水曜日）" and "الأربعاء 27 أكتوبر 2021" are all read the same way.
"""

from __future__ import annotations

import datetime as dt
import html as std_html
import re
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.dates import format_date

from ..domain import exchanges
from ..domain.models import Content
from ..domain.text import html_to_text
from ..domain.vocab import is_region
from .validate import isin_valid

ERROR, WARNING = "error", "warning"
HEADLINE_MAX = 150  # characters; longer headlines are cut by most outlets' systems
DATELINE_DAYS = 7  # a dateline further than this from the release time is probably stale
WINDOW = 40  # characters either side of a weekday searched for its date
_UNSPACED = {"ja", "zh-Hans", "zh-Hant", "th", "ko"}  # names run into the next word: no word boundaries


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    message: str
    field: str
    offset: int | None = None
    quote: str = ""

    def as_dict(self) -> dict:
        out = {"check": self.check, "severity": self.severity, "message": self.message, "field": self.field}
        if self.offset is not None:
            out["offset"] = self.offset
        if self.quote:
            out["quote"] = self.quote
        return out


def text_fields(c: Content) -> list[tuple[str, str]]:
    """(field, plain text) of every field a reader sees; offsets count in these texts."""
    fields = [("headline", c.headline), ("subheadline", c.subheadline), ("lead", c.lead),
              ("body", html_to_text(c.body_html)), ("boilerplate", c.boilerplate)]
    return [(name, text) for name, text in fields if text]


# --- weekdays and dates ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Names:
    weekdays: re.Pattern  # group names d0..d6
    months: re.Pattern  # group names m1..m12
    locale: Locale


def _alternation(prefix: str, names: dict[int, set[str]], bounded: bool) -> re.Pattern:
    parts = []
    for key, words in names.items():
        alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        parts.append(f"(?P<{prefix}{key}>{alts})")
    body = "|".join(parts)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)" if bounded else f"(?:{body})", re.IGNORECASE)


@cache
def _names(language: str) -> _Names:
    loc = Locale.parse(language, sep="-")
    days: dict[int, set[str]] = {}
    for ctx in ("format", "stand-alone"):
        for i, name in loc.days[ctx]["wide"].items():
            days.setdefault(i, set()).add(name)
    months: dict[int, set[str]] = {}
    for ctx in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for i, name in loc.months[ctx][width].items():
                name = name.rstrip(".")
                if len(name) >= 3 or not name.isascii():
                    months.setdefault(i, set()).add(name)
    bounded = language not in _UNSPACED
    return _Names(_alternation("d", days, bounded), _alternation("m", months, bounded), loc)


_NUMBER = re.compile(r"(?<!\d)\d{1,4}(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")


def _group(match: re.Match) -> int:
    name = next(k for k, v in match.groupdict().items() if v is not None)
    return int(name[1:])


def _date_near(names: _Names, window: str, anchor: int) -> dt.date | None:
    """The date written in ``window`` nearest to position ``anchor`` (where the weekday is)."""
    found: list[tuple[int, dt.date]] = []
    for rx, order in ((_ISO_DATE, (0, 1, 2)), (_DMY, (2, 1, 0))):
        for m in rx.finditer(window):
            y, mo, d = (int(m.group(i + 1)) for i in order)
            if rx is _DMY and d <= 12 and mo <= 12 and d != mo:
                continue  # 03/01/2021: 3 January or (in the US) 1 March; an error must be certain
            found += _valid(m.start(), y, mo, d)
    for m in names.months.finditer(window):
        month = _group(m)
        rest = window[:m.start()] + " " * (m.end() - m.start()) + window[m.end():]
        numbers = [(n.start(), n.group()) for n in _NUMBER.finditer(rest)]
        years = [(abs(p - m.start()), int(v)) for p, v in numbers if len(v) == 4]
        days = [(abs(p - m.start()), int(v)) for p, v in numbers if len(v) <= 2 and 1 <= int(v) <= 31]
        if years and days:
            found += _valid(m.start(), min(years)[1], month, min(days)[1])
    if not found:
        return None
    return min(found, key=lambda x: abs(x[0] - anchor))[1]


def _valid(pos: int, y: int, mo: int, d: int) -> list[tuple[int, dt.date]]:
    if y > 2400:  # a Buddhist Era year (Thai dates: 2564 is 2021)
        y -= 543
    try:
        return [(pos, dt.date(y, mo, d))]
    except ValueError:
        return []


def weekday_findings(c: Content) -> list[Finding]:
    names = [_names(c.language)] + ([_names("en")] if c.language != "en" else [])
    out = []
    for field, text in text_fields(c):
        seen = set()
        for n in names:
            for m in n.weekdays.finditer(text):
                if m.start() in seen:
                    continue
                seen.add(m.start())
                start = max(0, m.start() - WINDOW)
                when = _date_near(n, text[start:m.end() + WINDOW], m.start() - start)
                if when is None or when.weekday() == _group(m):
                    continue
                right = format_date(when, "EEEE", locale=n.locale)
                out.append(Finding(
                    "weekday", ERROR,
                    f"'{m.group()}' does not match its date: {when.isoformat()} is a {right}; "
                    "correct the weekday or the date", field, m.start(),
                    text[start:m.end() + WINDOW].strip()))
    return out


def dateline_findings(c: Content, release_time: dt.datetime) -> list[Finding]:
    if c.dateline is None or c.dateline.date is None:  # an import keeps an undated dateline
        return []
    days = abs((c.dateline.date - release_time.date()).days)
    if days <= DATELINE_DAYS:
        return []
    return [Finding("dateline", WARNING,
                    f"the dateline's date {c.dateline.date.isoformat()} is {days} days from the release time "
                    f"{release_time.date().isoformat()}; date the dateline on the day the release goes out",
                    "dateline.date", quote=c.dateline.date.isoformat())]


# --- tickers and ISINs ----------------------------------------------------------------------

_ISIN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}[A-Z0-9]{9}[0-9])(?![A-Za-z0-9])")
_TICKER_TEXT = re.compile(r"\(\s*([A-Z]{2,10})\s*:\s*[A-Z0-9.]{1,10}\s*\)")
_ISIN_PREFIXES = {"XS", "EU", "XA", "XB", "XC", "XD", "XF", "QS", "QT"}  # not countries, but ISIN issuers


def ticker_findings(c: Content) -> list[Finding]:
    out = []
    for i, ticker in enumerate(c.tickers):
        exchange = ticker.partition(":")[0] if ":" in ticker else ""
        if exchange and not exchanges.known(exchange):
            out.append(Finding("exchange", ERROR,
                               f"'{exchange}' in '{ticker}' is not a stock exchange the wire knows; use the "
                               "exchange's code (e.g. NYSE, NASDAQ, XETRA, LSE, TSE, HKEX)", f"tickers[{i}]",
                               quote=ticker))
    for field, text in text_fields(c):
        for m in _TICKER_TEXT.finditer(text):
            if not exchanges.known(m.group(1)):
                out.append(Finding("exchange", WARNING,
                                   f"'{m.group(1)}' is not a stock exchange the wire knows; write the "
                                   "exchange's code, e.g. (NASDAQ: ACME)", field, m.start(), m.group()))
        for m in _ISIN_TEXT.finditer(text):
            code = m.group(1)
            if (is_region(code[:2]) or code[:2] in _ISIN_PREFIXES) and not isin_valid(code):
                out.append(Finding("isin", ERROR, f"'{code}' is not a valid ISIN: its check digit is wrong; "
                                   "copy the ISIN from the issuer's securities register", field, m.start(), code))
    return out


# --- the release's parts -------------------------------------------------------------------

def completeness_findings(c: Content) -> list[Finding]:
    out = []
    if not c.boilerplate.strip():
        out.append(Finding("boilerplate", WARNING, "there is no boilerplate ('About …'); add one, or set the "
                           "issuer's default", "boilerplate"))
    if not c.contacts:
        out.append(Finding("contact", WARNING, "there is no media contact; add a name with an e-mail or phone",
                           "contacts"))
    if len(c.headline) > HEADLINE_MAX:
        out.append(Finding("headline", WARNING, f"the headline has {len(c.headline)} characters; shorten it to "
                           f"{HEADLINE_MAX} or fewer and move detail to the subheadline", "headline", HEADLINE_MAX))
    cased = [ch for ch in c.headline if ch.isupper() or ch.islower()]
    if len(cased) >= 10 and sum(ch.isupper() for ch in cased) / len(cased) > 0.8:
        out.append(Finding("headline", WARNING, "the headline is in capitals; write it in sentence or title case",
                           "headline", 0, c.headline[:80]))
    return out


def text_findings(c: Content, release_time: dt.datetime) -> list[Finding]:
    """Every check of this module over ``c``, released at ``release_time``."""
    return [*weekday_findings(c), *dateline_findings(c, release_time), *ticker_findings(c),
            *completeness_findings(c)]


_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def links(c: Content, limit: int = 20) -> list[str]:
    """The http(s) links of the body, each once, at most ``limit``."""
    found = [std_html.unescape(m.group(1)) for m in _HREF.finditer(c.body_html)]
    return list(dict.fromkeys(u for u in found if u.startswith(("http://", "https://"))))[:limit]
