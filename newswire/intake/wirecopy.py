"""Plain-text wire copy, as it is scraped from wire sites, turned into release fields.

Scraped copy is one stream of text in which the release sits between a headline
and the site's furniture: a dateline marker, a tag line, contact blocks, the
"About" paragraph, a footer link (often glued to the next text, because the
scraper dropped a tag) and the third party's disclaimer. Each is recognised by a
small pattern and moved to its field, so that what is left is the release body.
No library does this; the patterns are kept few and anchored to line starts so
that ordinary sentences are not mistaken for them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..domain.vocab import media_topics


@dataclass
class WireCopy:
    fields: dict
    agency: str = ""  # who distributed it, from the dateline marker: "ots", "PRNewswire" …
    websites: list[str] = field(default_factory=list)


_SEP = r"(?:-{2,}\s*|[-–—]\s+)"
_CITY = r"(?P<city>[^\W\d_][^\n,()/=]{0,40}?)"
_DATELINES = [
    # (서울=연합뉴스)
    re.compile(r"^\((?P<city>[^()=\n]{1,40})=(?P<src>[^()\n]{1,40})\)\s*"),
    # Hamburg (ots) - / BERLIN, Nov. 20, 2026 (Agency) – / NEW YORK, Nov. 20, 2026 /PRNewswire/ --
    # SAN FRANCISCO--(BUSINESS WIRE)-- / 서울--(뉴스와이어) 2026년 11월 20일 --
    re.compile(_CITY + r"(?:,\s*(?P<date>[^\n()/]{1,40}?))?\s*(?:\((?P<src>[^()\n]{1,60})\)|/(?P<src2>[^/\n]{1,60})/)"
               r"\s*(?P<date2>[^\n()\-–—]{0,30}?\d[^\n()\-–—]{0,10}?)?\s*" + _SEP),
    # Berlin, 20. November 2026 – (no agency: the date must parse)
    re.compile(_CITY + r",\s*(?P<date>[^\n()/]{4,30}?)\s*" + _SEP),
]
_MONTHS = {"jan": 1, "ene": 1, "feb": 2, "fév": 2, "fev": 2, "mar": 3, "mär": 3, "apr": 4, "avr": 4, "abr": 4,
           "may": 5, "mai": 5, "jun": 6, "juin": 6, "jul": 7, "juil": 7, "aug": 8, "aoû": 8, "ago": 8,
           "sep": 9, "set": 9, "oct": 10, "okt": 10, "out": 10, "nov": 11, "dec": 12, "dez": 12, "déc": 12,
           "dic": 12}

_TAG_LINE = re.compile(
    r"^\s*(?i:industries|industry|sectors?|branchen?|secteurs?|sectores|setores|industri|keywords?|tags|topics?"
    r"|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|themen|mots-clés|palabras clave|palavras-chave"
    r"|kata kunci)\s*:\s*(?P<values>\S.*)$")
# Label (any case) + a lower-case host: glued text after it starts with a capital, which ends the match.
_FOOTER = re.compile(
    r"^\s*(?i:(?:visit us at|visit us online at|weitere informationen unter|mehr informationen unter"
    r"|for more information,? (?:visit|see))\s*:?|(?:visit us|visit|website|web|internet|more information"
    r"|further information|for more information|weitere informationen|mehr informationen|plus d'informations"
    r"|más información|mais informações|informasi lebih lanjut)\s*:)"
    r"\s*(?P<url>(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[a-z0-9/_.~%?=&#-]*)?)"
    r"(?P<rest>.*)$")
_DISCLAIMER = re.compile(
    r"(?i)solely responsible for the content|f(?:ü|ue)r den inhalt .{0,80}verantwortlich|seule? responsable du contenu"
    r"|(?:único|única) responsable del contenido|responsável pelo conteúdo"
    r"|^(?:disclaimer|haftungsausschluss|avertissement|aviso legal|penafian)\s*:|^original-content (?:von|from)\s*:"
    r"|(?:übermittelt durch|distributed by|transmitted by) news aktuell")
_SOURCE = re.compile(r"(?i)^(?:source|quelle|fuente|fonte|sumber)\s*:\s*\S")
_CONTACT = re.compile(
    r"^\s*(?i:(?:media|press|investor)\s+(?:contacts?|enquiries|inquiries|relations)|contacts?|pressekontakt"
    r"|presse-kontakt|medienkontakt|kontakt|ansprechpartner(?:in)?|contacts? (?:presse|médias?)"
    r"|contacto(?: de prensa)?|contato(?: para imprensa)?|kontak(?: media)?)\s*(?::\s*(?P<rest>.*))?$")
_ABOUT = re.compile(r"^(?:About|Über|Ueber|À propos d[e'’]|A propos d[e'’]|Acerca de|Sobre|Tentang|Mengenai)\s+"
                    r"(?P<name>\w.*)$|^(?:关于|關於)(?P<cjk>\S.*)$")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d\s()./-]{5,}\d")
_PHONE_LABEL = re.compile(r"(?i)^(?:tel(?:efon|ephone|\.)?|phone|fon|mobil(?:e|telefon)?|mob\.|handy|t|m)\s*[.:]?\s*")
_ORG = re.compile(r"\b(?:AG|GmbH|SE|KG|Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|plc|S\.A\.|SAS|Co\.)(?:\s|$)")


def parse(text: str) -> WireCopy:
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    head, _, rest = text.strip().partition("\n")
    out = WireCopy({"headline": head.strip(), "body_format": "markdown"})
    industries, keywords, glued = [], [], set()

    lines = []
    for line in rest.split("\n"):
        if m := _TAG_LINE.match(line):
            _tags(m["values"], industries, keywords)
        elif m := _FOOTER.match(line):
            out.websites.append(m["url"])
            lines.append("")
            if glue := m["rest"].strip(" .,;"):  # text a scraper glued on: a paragraph of its own
                glued.add(glue)
                lines.append(glue)
        else:
            lines.append(line)
    paras = [p.strip() for p in re.split(r"\n\s*\n", "\n".join(lines)) if p.strip()]

    # The dateline marker opens the first paragraph, or the second when a subheadline precedes it.
    for i in (0, 1):
        if i < len(paras) and (found := _dateline(paras[i])):
            (city, date, agency), end = found
            out.fields["dateline"] = {"city": city, "date": date} if date else {"city": city}
            out.agency = agency
            paras[i] = paras[i][end:].strip()
            if i == 1 and "\n" not in paras[0]:
                out.fields["subheadline"] = paras.pop(0)
            break

    body, boilerplate, contacts, attribution = [], [], [], []
    sources = []  # "Source: …" is attribution only at the end; mid-text it cites a figure
    kind = "body"
    for i, p in enumerate(paras):
        first = p.split("\n", 1)[0]
        if _DISCLAIMER.search(p):
            attribution.append(p)
            kind = "disclaimer"
        elif _SOURCE.match(p):
            sources.append(p)
        elif m := _CONTACT.match(first):
            if found := _contact([m["rest"] or ""] + p.split("\n")[1:]):
                contacts.append(found)
            kind = "contact"
        elif kind == "contact" and (found := _contact(p.split("\n"), strict=True)):
            contacts.append(found)
        elif body and _is_about(first, i, len(paras), glued):
            boilerplate.append(p)
            kind = "about"
        elif kind == "about":
            boilerplate.append(p)
        elif p:
            body += sources + [p]
            sources, kind = [], "body"
    attribution += sources
    if keywords or out.websites:
        out.fields["keywords"] = list(dict.fromkeys(keywords + out.websites))
    for name, value in (("industries", industries), ("contacts", contacts)):
        if value:
            out.fields[name] = value
    if boilerplate:
        out.fields["boilerplate"] = "\n\n".join(boilerplate)
    if attribution:
        out.fields["attribution"] = "\n".join(attribution)
    out.fields["body"] = "\n\n".join(escape_markdown(p) for p in body)
    return out


def _tags(values: str, industries: list, keywords: list) -> None:
    """Each label that names an IPTC Media Topic (in any language) becomes an industry, the
    rest keywords. Labels may contain commas ("Arts, culture, …"): the longest match wins."""
    topics = media_topics()
    parts = [p.strip() for p in re.split(r"[,;|]", values) if p.strip()]
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            topic = topics.find_by_label(", ".join(parts[i:j]))
            if topic:
                if topic.qcode not in industries:
                    industries.append(topic.qcode)
                i = j
                break
        else:
            keywords.append(parts[i])
            i += 1


def _dateline(para: str):
    """((city, ISO date or None, agency), end of the marker) if ``para`` opens with one."""
    for pattern in _DATELINES:
        m = pattern.match(para)
        if not m:
            continue
        groups = m.groupdict()
        date = parse_date(groups.get("date") or groups.get("date2") or "")
        agency = (groups.get("src") or groups.get("src2") or "").strip()
        if not agency and not date:
            continue
        city = m["city"].strip(" -–—,")
        if city.isupper():
            city = city.title()
        return (city, date, agency), m.end()
    return None


def parse_date(text: str, today: dt.date | None = None) -> str | None:
    """An ISO date from the date in a dateline ("Nov. 20, 2026", "20. November 2026", "20.11.2026",
    "2026년 11월 20일"); a missing year is this year's. None when it is not a date."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    nums = [int(n) for n in re.findall(r"\d+", text)]
    month = next((_MONTHS.get(w[:4]) or _MONTHS.get(w[:3]) for w in words
                  if _MONTHS.get(w[:4]) or _MONTHS.get(w[:3])), None)
    year = next((n for n in nums if n > 1900), (today or dt.date.today()).year)
    small = [n for n in nums if n <= 31]
    if month:
        candidates = [(year, month, small[0])] if small else []
    elif len(nums) == 3 and nums[0] > 1900:
        candidates = [(nums[0], nums[1], nums[2])]
    elif len(nums) == 3 and nums[2] > 1900:
        candidates = [(nums[2], nums[1], nums[0]), (nums[2], nums[0], nums[1])]  # day first, else US order
    else:
        candidates = []
    for y, mth, d in candidates:
        try:
            return dt.date(y, mth, d).isoformat()
        except ValueError:
            continue
    return None


def _contact(lines: list[str], *, strict: bool = False) -> dict | None:
    """The person in one paragraph of a contact block; its lines may also be one comma list
    ("Jane Doe, jane@acme.example"). ``strict`` (a paragraph after the block's first) requires
    an e-mail or phone number, so that the release's text after the block is not taken."""
    contact: dict = {}
    plain = []
    for line in (part.strip() for raw in lines for part in raw.split(",")):
        if not line:
            continue
        if m := _EMAIL.search(line):
            contact["email"] = m.group()
        elif _PHONE.fullmatch(number := _PHONE_LABEL.sub("", line)):
            contact.setdefault("phone", number)
        elif not re.search(r"\d|www\.|https?:|:$", line) and len(line) <= 80:
            plain.append(line.removeprefix("Name:").strip())
    if strict and not contact:
        return None
    if plain:
        contact["name"] = plain[0]
    for extra in plain[1:3]:
        contact["organisation" if _ORG.search(extra) and "organisation" not in contact else "role"] = extra
    return contact or None


def _is_about(first: str, i: int, n: int, glued: set) -> bool:
    m = _ABOUT.match(first)
    if not m or not (m["cjk"] or m["name"][0].isupper()):
        return False
    heading = len(first) <= 80 and not first.endswith((".", "!", "?", ":"))
    # A heading in the release's second half, or text that a scraper glued to the footer link.
    return (heading and i >= n // 2) or first in glued


_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK = re.compile(r"^([#>+=-])|^(\d{1,9})([.)])", re.M)


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as formatting, so scraped text stays text."""
    text = "\n".join(line.strip() for line in text.split("\n"))  # indentation would make code blocks
    text = _INLINE.sub(r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    return _BLOCK.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], text)
