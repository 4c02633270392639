"""Reference data the API's callers need: languages and industries (IPTC Media Topics)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from ...domain import languages
from ...domain.errors import InvalidInput, NotFound
from ...domain.vocab import media_topics

router = APIRouter(prefix="/api/v1", tags=["vocabularies"])


@router.get("/languages", summary="The languages the wire publishes in (BCP 47)")
def list_languages():
    return {"items": [{"tag": t, "name": n, "rtl": t in languages.RTL} for t, n in languages.SUPPORTED.items()]}


@router.get("/industries", summary="IPTC Media Topics, labelled in a language")
def list_industries(lang: str = Query("en", description="Label language"),
                    parent: str | None = Query(None, description="Only the children of this QCode"),
                    q: str | None = Query(None, description="Only topics whose label contains this text")):
    tag = languages.normalize(lang)
    if tag is None:
        raise InvalidInput(f"lang: '{lang}' is not a wire language; use one of: {languages.supported_list()}")
    topics = media_topics()
    if parent is not None and topics.get(parent) is None:
        raise NotFound(f"There is no Media Topic '{parent}'.")
    items = []
    for t in topics.all():
        if t.retired or t.parent != (parent if parent is not None else t.parent):
            continue
        label = t.label(tag)
        if q and q.casefold() not in label.casefold():
            continue
        items.append({"qcode": t.qcode, "uri": t.uri, "label": label, "parent": t.parent})
    return {"source": topics.source, "licence": topics.licence, "items": items}
