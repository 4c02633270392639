"""Plain-text wire copy, as it is scraped from wire sites, turned into release fields.

Scraped copy is one stream of text in which the release sits between a headline and the
site's furniture: a dateline marker (``datelines``), tag lines, contact blocks, the "About"
paragraph, footer links, the distributor's boilerplate and the third party's disclaimer
(``furniture``); what is left is the body, whose flattened structure is restored
(``structure``). Every piece taken out is listed in ``WireCopy.furniture`` with the field it
went to, or "dropped", so that ``newswire import --dry-run`` and the audit log can show it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from . import datelines, detect, structure
from . import furniture as fu
from .furniture import Piece
from .structure import escape_markdown  # noqa: F401  (the name tests and callers know)


@dataclass
class WireCopy:
    fields: dict
    agency: str = ""  # who distributed it, from the dateline marker: "ots", "PRNewswire" …
    websites: list[str] = field(default_factory=list)
    furniture: list[Piece] = field(default_factory=list)

    def furniture_record(self) -> list[dict]:
        return [asdict(p) for p in self.furniture]


@dataclass
class _Parts:
    """What the passes over the copy collect, before it becomes fields."""
    industries: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    glued: set = field(default_factory=set)
    body: list = field(default_factory=list)
    boilerplate: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    attribution: list = field(default_factory=list)


def parse(text: str, language: str | None = None) -> WireCopy:
    """The release in ``text``; ``language`` (else detected) is the language its dates are read in."""
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    head, _, rest = text.strip().partition("\n")
    headline, junk = structure.clean_headline(head)
    out = WireCopy({"headline": headline, "body_format": "markdown"})
    if junk:
        out.furniture.append(Piece("junk after the headline", junk, "dropped"))
    language = language or detect.detect(text)
    parts = _Parts()
    paras = _paragraphs(_lines(rest, out, parts), out)
    paras = _dateline(paras, out, language)
    _classify(paras, out, parts)
    _fields(out, parts)
    return out


def _lines(rest: str, out: WireCopy, parts: _Parts) -> list[str]:
    """Tag lines and footer links out of the text, line by line."""
    lines = []
    for line in rest.split("\n"):
        if m := fu.TAG_LINE.match(line):
            before = len(parts.industries), len(parts.keywords)
            fu.tags(m["values"], parts.industries, parts.keywords)
            to = [name for name, n, lst in (("industries", before[0], parts.industries),
                                            ("keywords", before[1], parts.keywords)) if len(lst) > n]
            out.furniture.append(Piece("tag line", line.strip(), ", ".join(to) or "dropped"))
        elif m := fu.FOOTER.match(line):
            site = "/" not in re.sub(r"^https?://", "", m["url"]).rstrip("/")  # a website, not a page's link
            if site:
                out.websites.append(m["url"])
            out.furniture.append(Piece("footer link", line.strip()[:len(line.strip()) - len(m["rest"])],
                                       "keywords" if site else "dropped"))
            lines.append("")
            if glue := m["rest"].strip(" .,;"):  # text a scraper glued on: a paragraph of its own
                parts.glued.add(glue)
                lines.append(glue)
        elif fu.GENRE.match(line):
            out.furniture.append(Piece("genre label", line.strip(), "dropped"))
            lines.append("")
        elif fu.BARE_FOOTER.match(line):
            out.furniture.append(Piece("footer", line.strip(), "dropped"))
            lines.append("")
        else:
            lines.append(line)
    return lines


def _paragraphs(lines: list[str], out: WireCopy) -> list[str]:
    paras = []
    for p in (p.strip() for p in re.split(r"\n\s*\n", "\n".join(lines))):
        if p and structure.is_junk(p):
            out.furniture.append(Piece("junk", p, "dropped"))
        elif p:
            paras.append(p)
    return paras


def _dateline(paras: list[str], out: WireCopy, language: str | None) -> list[str]:
    """The marker opens one of the first three paragraphs; a standfirst before it is the
    subheadline, a line that is only a date is the dateline's date (Business Wire puts it there).
    A second marker right after the first (a republisher's, then the distributor's) goes too."""
    lists = next((i for i, p in enumerate(paras) if not structure.is_item_list(p)), len(paras))
    for k in range(min(3 + lists, len(paras))):  # bullets split by blank lines count as one
        found = datelines.find(paras[k], language)
        if not found:
            continue
        agencies, date, city = [], found.date, found.city
        rest = paras[k][found.end:].strip()
        while found:
            agencies.append(found.agency)
            out.furniture.append(Piece("dateline marker", found.marker, "dateline, attribution"))
            if found := datelines.find(rest, language):  # a republisher's marker, then the wire's
                rest = rest[found.end:].strip()
                city, date = city or found.city, date or found.date
        before = []
        for p in paras[:k]:
            if (day := datelines.date_line(p, language)) and not date:
                date = day
                out.furniture.append(Piece("date line", p, "dateline"))
            else:
                before.append(p)
        if before and (sub := _standfirst(before, plain=True)):
            out.fields["subheadline"] = sub
        if city:
            out.fields["dateline"] = {"city": city, "date": date} if date else {"city": city}
        out.agency = " / ".join(a for a in agencies if a)
        return before + ([rest] if rest else []) + paras[k + 1:]
    if len(paras) > 1 and (sub := _standfirst(paras, plain=False)):  # no marker: only a marked standfirst
        out.fields["subheadline"] = sub
    return paras


def _standfirst(paras: list[str], *, plain: bool) -> str | None:
    """The standfirst that opens ``paras`` (taken out of it), or None: bullet lists (one, or several
    split by blank lines) or a bold or italic paragraph; with ``plain``, also a short paragraph."""
    n = 0
    while n < len(paras) - (not plain) and structure.is_item_list(paras[n]):
        n += 1
    if n > 1:
        found = structure.standfirst("\n".join(paras[:n]))
    else:
        found = structure.standfirst(paras[0]) or (structure.short_standfirst(paras[0]) if plain else None)
        n = 1
    if found:
        del paras[:n]
    return found


def _classify(paras: list[str], out: WireCopy, parts: _Parts) -> None:
    """Each paragraph to the body or to the furniture field it is."""
    sources = []  # "Source: …" is attribution only at the end; mid-text it cites a figure
    kind = "body"
    for i, p in enumerate(paras):
        first = p.split("\n", 1)[0]
        if fu.DISCLAIMER.search(p):
            parts.attribution.append(p)
            out.furniture.append(Piece("disclaimer", p, "attribution"))
            kind = "disclaimer"
        elif fu.COPYRIGHT.match(p):
            out.furniture.append(Piece("copyright line", p, "dropped"))
        elif fu.DISTRIBUTOR.match(p):
            out.furniture.append(Piece("distributor boilerplate", p, "dropped"))
            kind = "distributor"
        elif fu.SOURCE.match(p):
            sources.append(p)
        elif m := fu.CONTACT.match(first):
            found = fu.contact([m["rest"] or ""] + p.split("\n")[1:])
            parts.contacts += [found] if found else []
            out.furniture.append(Piece("contact block", p, "contacts" if found else "dropped"))
            kind = "contact"
        elif kind == "contact" and (found := fu.contact(p.split("\n"), strict=True)):
            parts.contacts.append(found)
            out.furniture.append(Piece("contact block", p, "contacts"))
        elif (parts.body and fu.is_about(first, i, len(paras), parts.glued)) or kind == "about":
            parts.boilerplate.append(p)
            out.furniture.append(Piece("about", p, "boilerplate"))
            kind = "about"
        else:
            parts.body += sources + [p]
            sources, kind = [], "body"
    for s in sources:
        parts.attribution.append(s)
        out.furniture.append(Piece("source line", s, "attribution"))


def _fields(out: WireCopy, parts: _Parts) -> None:
    f = out.fields
    if parts.keywords or out.websites:
        f["keywords"] = list(dict.fromkeys(parts.keywords + out.websites))
    for name, value in (("industries", parts.industries), ("contacts", parts.contacts)):
        if value:
            f[name] = value
    if parts.boilerplate:
        f["boilerplate"] = "\n\n".join(parts.boilerplate)
    attribution = ([out.agency] if out.agency else []) + parts.attribution
    if attribution:
        f["attribution"] = "\n".join(attribution)
    body = structure.join_broken(parts.body)
    if tickers := structure.tickers("\n".join([f["headline"], f.get("subheadline", "")] + body)):
        f["tickers"] = tickers
    f["body"] = "\n\n".join(_block(p, i, len(body)) for i, p in enumerate(body))


def _block(p: str, i: int, n: int) -> str:
    """One body paragraph as Markdown: a title-like line between paragraphs is a heading."""
    if 0 < i < n - 1 and structure.is_heading(p):
        return "## " + structure.escape_markdown(p)
    return structure.escape_markdown(p)
