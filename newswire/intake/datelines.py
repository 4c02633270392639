"""The dateline marker that opens wire copy: where, when, and which agency sent it.

The shapes wires and republishers use, all read by one marker pattern:

    DAYTON, Ohio, Nov. 20, 2026 /PRNewswire/ --        SAN FRANCISCO--(BUSINESS WIRE)--
    BERLIN, Nov. 20, 2026 (GLOBE NEWSWIRE) —           Hamburg (ots) -
    AUSTIN, TX, UNITED STATES, Nov. 20, 2026 /EINPresswire.com/ --
    AUSTIN, TX / ACCESSWIRE / November 20, 2026 /      TOKYO, Nov 20, 2026 - (JCN Newswire) -
    (SeaPRwire) –                                      (서울=연합뉴스)
    WINCHESTER, Virginia and BOISE, Idaho, Nov 12, 2020, Nov. 12, 2020 (GLOBE NEWSWIRE) —
    Paris, 20 novembre 2026 –   (no agency: then the date must parse)

The text before the agency is split at commas: the parts that are dates (dateparser, in the
copy's language) give the date, the others the place; each city of a multi-city dateline is the
first part of its group. No library reads datelines; the pattern is anchored at the paragraph's
start and the agency must look like a name, so that ordinary sentences are not taken for one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import dateparser

_SEP = r"(?:-{1,2}|[–—:|]|/)"
# place and date, then the agency in brackets or slashes, then maybe a date, then a separator
_MARKER = re.compile(
    r"^(?P<pre>[^\n()/（）]{0,200}?)[\s\-–—]*(?:[(（](?P<paren>[^()（）\n:：]{2,40})[)）]|/\s*(?P<slash>[^/\n:]{2,40}?)\s*/)"
    r"\s*(?:(?P<date2>[^\n()/\-–—]{0,40}?\d[^\n()/\-–—]{0,12}?)\s*)?(?:" + _SEP + r"\s*)+")
# (서울=연합뉴스), and Newswire's (광주=뉴스와이어) 2026년 11월 26일 -- with the date after it
_YONHAP = re.compile(r"^\((?P<city>[^()=\n]{1,40})=(?P<src>[^()\n]{1,40})\)\s*"
                     r"(?:(?P<date>\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일)\s*(?:-{1,2}|[–—])\s*)?")
_XINHUA_ZH = re.compile(r"^新华社(?P<city>[^\d\s，。]{2,8}?)(?P<date>\d{1,2}月\d{1,2}日)电\s*(?:[（(][^）)]{1,30}[）)])?\s*")
_PLAIN = re.compile(r"^(?P<pre>[^\n()/]{3,100}?)\s*(?:-{2,}|[-–—])\s+")
_CJK_DATE = re.compile(r"\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]")
_CONJ = re.compile(r"(\s+(?:and|und|et|y|e|và|dan|и)\s+|\s*&\s*)")
_TIME = re.compile(r"\s*\d{1,2}[:.]\d{2}\b.*$")
# An agency is a name: letters, spaces, dots, dashes; no sentence punctuation, not a ticker.
_AGENCY = re.compile(r"^[^\W\d_][\w .&'’\-]{0,38}$")


@dataclass
class Found:
    city: str
    date: str | None  # ISO
    agency: str
    end: int  # where the marker ends in the paragraph
    marker: str


def find(para: str, language: str | None = None) -> Found | None:
    """The marker ``para`` opens with, or None."""
    if m := _YONHAP.match(para):
        date = parse_date(m["date"], "ko") if m["date"] else None
        return Found(m["city"].strip(), date, m["src"].strip(), m.end(), m.group().strip())
    if m := _XINHUA_ZH.match(para):
        return Found(m["city"], parse_date(m["date"], "zh"), "新华社", m.end(), m.group().strip())
    if (m := _MARKER.match(para)) and _AGENCY.match(agency := (m["paren"] or m["slash"] or "").strip()):
        city, date = place_and_date(m["pre"], language)
        if m["date2"] and not date:
            date = parse_date(m["date2"], language)
        if city is not None or not m["pre"].strip():
            return Found(city or "", date, agency, m.end(), m.group().strip())
    if m := _PLAIN.match(para):
        city, date = place_and_date(m["pre"], language)
        if city and date:
            return Found(city, date, "", m.end(), m.group().strip())
    return None


def place_and_date(pre: str, language: str | None) -> tuple[str | None, str | None]:
    """(city, ISO date) from the text before the agency; city None when it does not look like a place."""
    parts = [p.strip() for p in re.split(r"[,،、，]", pre.strip(" -–—")) if p.strip()]
    place, date, i = [], None, 0
    while i < len(parts):
        pair = parts[i] + ", " + parts[i + 1] if i + 1 < len(parts) and re.fullmatch(r"\d{4}", parts[i + 1]) else None
        if pair and (found := parse_date(pair, language)):
            date, i = date or found, i + 2
        elif found := parse_date(parts[i], language):
            date, i = date or found, i + 1
        elif (cjk := _CJK_DATE.search(parts[i])) and cjk.start() > 0:  # 北京2026年11月20日: no comma
            date = date or parse_date(cjk.group(), language)
            place.append(parts[i][:cjk.start()].strip())
            i += 1
        else:
            place.append(parts[i])
            i += 1
    if not place or len(place[0]) > 40 or not place[0][0].isalpha():
        return None, date
    return _cities(", ".join(place)), date


def _cities(place: str) -> str:
    """"WINCHESTER, Virginia and BOISE, Idaho" → "Winchester and Boise": each group's first part."""
    pieces = _CONJ.split(place)
    cities = (p if k % 2 else p.split(",")[0].strip() for k, p in enumerate(pieces))
    return "".join(c.title() if c.isupper() else c for c in cities)


def parse_date(text: str, language: str | None = None) -> str | None:
    """An ISO date from a date as the copy writes it ("Nov. 20, 2026", "20. November 2026",
    "2026년 11월 20일", "20 พฤศจิกายน 2569"), by dateparser in the copy's language; a missing
    year is this year's. None when it is not a date (it must have a digit, a day and a month)."""
    text = _TIME.sub("", text.strip()).strip(" .-–—")
    if not re.search(r"\d", text) or len(text) > 40:
        return None
    base = (language or "").split("-")[0] or None
    settings = {"REQUIRE_PARTS": ["day", "month"], "PREFER_DAY_OF_MONTH": "first"}
    when = None
    if base:
        try:
            when = dateparser.parse(text, languages=[base], settings=settings)
        except (ValueError, KeyError):  # a language dateparser does not know
            pass
    if when is None:  # the copy's language was not known or not the date's: let dateparser tell
        when = dateparser.parse(text, settings=settings)
    if when is None and re.fullmatch(r"\d{1,2}\s*月\s*\d{1,2}\s*日", text):  # dateparser wants a year here
        when = dateparser.parse(f"{dt.date.today().year}年{text}", languages=[base or "zh"])
    if when is None:
        return None
    day = when.date()
    if day.year > 2400:  # the Thai solar calendar's Buddhist era, which dateparser keeps as written
        day = day.replace(year=day.year - 543)
    return day.isoformat()


def date_line(text: str, language: str | None) -> str | None:
    """The ISO date of a line that is only a date (Business Wire puts it above the dateline)."""
    text = text.strip()
    if "\n" in text or len(text) > 60 or not re.search(r"\d", text):
        return None
    return parse_date(text, language)

