"""The compose form: what was typed (``values``, re-shown on every answer) ↔ the API's release fields.

The form is flat: the dateline's city and date, contact rows ``contact-{i}-{name|role|…}``, lists as
repeated fields (industries, regions, target languages) or comma-separated text (tickers, keywords,
ISINs), and the embargo as a local date, time and IANA zone, turned into UTC here."""

from __future__ import annotations

import re
from functools import cache

import pycountry
from starlette.datastructures import FormData

from ...domain.models import Release
from ...domain.vocab import is_region, media_topics, normalize_qcode, region_name
from ...services.portal import utc_embargo

TEXTS = ("headline", "subheadline", "lead", "body", "boilerplate", "attribution", "dateline_city", "dateline_date",
         "language", "type", "notifier", "exchange", "isins", "tickers", "keywords", "embargo_date", "embargo_time",
         "embargo_zone", "industry_search", "region_search", "body_format")
LISTS = ("industries", "regions", "target_languages")
CONTACT_FIELDS = ("name", "role", "organisation", "email", "phone")
CONTACT_ROWS = 2
_QCODE = re.compile(r"medtop:\d{8}")
_REGION = re.compile(r"\(([A-Z]{2})\)\s*$")


def values_of(form: FormData) -> dict:
    """Everything typed, as text and lists, to re-show."""
    values: dict = {k: str(form.get(k, "") or "") for k in TEXTS}
    for k in LISTS:
        values[k] = [str(v) for v in form.getlist(k) if str(v).strip()]
    rows = max(CONTACT_ROWS, sum(1 for k in form if k.startswith("contact-") and k.endswith("-name")))
    values["contacts"] = [{f: str(form.get(f"contact-{i}-{f}", "") or "") for f in CONTACT_FIELDS}
                          for i in range(rows)]
    values["embargo_zone"] = values["embargo_zone"] or "UTC"
    values["language"] = values["language"] or "en"
    return values


def _split(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[,\n]", text) if x.strip()]


def topic_of(text: str) -> str | None:
    """A Media Topic QCode from what was typed: a QCode (anywhere in it, as the list shows them) or a label."""
    found = _QCODE.search(text)
    if found:
        return found.group(0)
    if text.strip().isdigit() and len(text.strip()) == 8:
        return normalize_qcode(text.strip())
    topic = media_topics().find_by_label(text)
    return topic.qcode if topic else None


def region_of(text: str, lang: str) -> str | None:
    found = _REGION.search(text)
    code = found.group(1) if found else text.strip().upper()
    if is_region(code):
        return code
    wanted = text.strip().casefold()
    return next((c for c, name in regions(lang) if name.casefold() == wanted), None)


def to_fields(values: dict, lang: str) -> tuple[dict, dict[str, str]]:
    """The API's fields for ``values``, and the form's own errors (a typed picker entry that names no
    topic or region, an embargo that is not a time)."""
    errors: dict[str, str] = {}
    industries = list(values["industries"])
    if values["industry_search"].strip():
        q = topic_of(values["industry_search"])
        if q is None:
            errors["industries"] = f"'{values['industry_search']}' is not a Media Topic; choose one from the list"
        elif q not in industries:
            industries.append(q)
    regions_ = list(values["regions"])
    if values["region_search"].strip():
        code = region_of(values["region_search"], lang)
        if code is None:
            errors["regions"] = f"'{values['region_search']}' is not a country or region; choose one from the list"
        elif code not in regions_:
            regions_.append(code)
    city, date = values["dateline_city"].strip(), values["dateline_date"].strip()
    fields = {k: values[k] for k in ("headline", "subheadline", "lead", "body", "boilerplate", "attribution",
                                     "language")}
    fields.update(body_format="html" if values["body_format"] == "html" else "markdown", type=values["type"] or "press_release",
                  dateline={"city": city, "date": date or None} if city or date else {},
                  contacts=[{k: v.strip() for k, v in c.items() if v.strip()} for c in values["contacts"]
                            if any(v.strip() for v in c.values())],
                  industries=industries, regions=regions_, tickers=_split(values["tickers"]),
                  keywords=_split(values["keywords"]), target_languages=list(values["target_languages"]))
    if fields["type"] == "adhoc":
        fields.update(notifier=values["notifier"], exchange=values["exchange"], isins=_split(values["isins"]))
    try:
        fields["embargo_until"] = utc_embargo(values["embargo_date"], values["embargo_time"], values["embargo_zone"])
    except ValueError as exc:
        errors["embargo_until"] = str(exc)
        fields["embargo_until"] = None
    return fields, errors


def values_from(release: Release) -> dict:
    """The compose form filled from a saved release (its embargo shown in UTC)."""
    c = release.content
    contacts = [{f: getattr(x, f) for f in CONTACT_FIELDS} for x in c.contacts]
    contacts += [dict.fromkeys(CONTACT_FIELDS, "") for _ in range(max(1, CONTACT_ROWS - len(contacts)))]
    embargo = release.embargo_until
    return {
        "headline": c.headline, "subheadline": c.subheadline, "lead": c.lead, "body": c.body_source or c.body_html,
        "boilerplate": c.boilerplate, "attribution": c.attribution, "language": c.language, "type": c.type,
        "dateline_city": c.dateline.city if c.dateline else "",
        "dateline_date": c.dateline.date.isoformat() if c.dateline and c.dateline.date else "",
        "notifier": c.disclosure.notifier if c.disclosure else "",
        "exchange": c.disclosure.exchange if c.disclosure else "",
        "isins": ", ".join(c.disclosure.isins) if c.disclosure else "",
        "tickers": ", ".join(c.tickers), "keywords": ", ".join(c.keywords),
        "industries": list(c.industries), "regions": list(c.regions),
        "target_languages": list(release.target_languages), "contacts": contacts,
        "embargo_date": embargo.date().isoformat() if embargo else "",
        "embargo_time": embargo.strftime("%H:%M") if embargo else "", "embargo_zone": "UTC",
        "industry_search": "", "region_search": "", "body_format": c.body_format if c.body_source else "html",
    }


def blank(lang: str) -> dict:
    values = {k: "" for k in TEXTS}
    values.update({k: [] for k in LISTS}, language=lang, type="press_release", embargo_zone="UTC", body_format="markdown",
                  contacts=[dict.fromkeys(CONTACT_FIELDS, "") for _ in range(CONTACT_ROWS)])
    return values


@cache
def regions(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``lang``) of every ISO 3166-1 country, by name."""
    return tuple(sorted(((c.alpha_2, region_name(c.alpha_2, lang)) for c in pycountry.countries),
                        key=lambda x: x[1].casefold()))


@cache
def broad_topics(lang: str) -> tuple[tuple[str, str], ...]:
    """(qcode, label) of the top two levels of Media Topics: the list offered without JavaScript."""
    topics = media_topics()
    out = []
    for t in topics.all():
        if not t.retired and (t.parent is None or topics.get(t.parent).parent is None):
            out.append((t.qcode, t.label(lang)))
    return tuple(sorted(out, key=lambda x: x[1].casefold()))


def find_topics(q: str, lang: str, limit: int = 20) -> list[dict]:
    """Topics whose label (in ``lang``, or English) contains ``q``: the picker's search as you type."""
    q = q.strip().casefold()
    if not q:
        return []
    topics, out = media_topics(), []
    for t in topics.all():
        label = t.label(lang)
        if t.retired or (q not in label.casefold() and q not in t.label("en").casefold() and q != t.qcode):
            continue
        parent = topics.get(t.parent) if t.parent else None
        out.append({"qcode": t.qcode, "label": label, "parent": parent.label(lang) if parent else ""})
        if len(out) >= limit:
            break
    return out

