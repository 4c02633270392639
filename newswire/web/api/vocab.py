"""Reference data the API's callers need: languages and industries (IPTC Media Topics)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from ...domain import languages
from ...domain.errors import Collector
from ...domain.vocab import media_topics
from ..edge import ApiRoute
from . import models as m
from .openapi import errors

router = APIRouter(prefix="/api/v1", tags=["vocabularies"], route_class=ApiRoute)


@router.get("/languages", response_model=m.LanguageList, responses=errors(422), summary="The languages the wire publishes in (BCP 47)")
def list_languages():
    return {"items": [{"tag": t, "name": n, "rtl": t in languages.RTL} for t, n in languages.SUPPORTED.items()]}


@router.get("/industries", response_model=m.TopicList, responses=errors(422),
            summary="IPTC Media Topics, labelled in a language")
def list_industries(lang: str = Query("en", description="Label language"),
                    parent: str | None = Query(None, description="Only the children of this QCode; one that is "
                                                                 "not a Media Topic is refused (422)"),
                    q: str | None = Query(None, description="Only topics whose label contains this text")):
    c, tag, topics = Collector(), languages.normalize(lang), media_topics()
    if tag is None:
        c.add("lang", f"'{lang}' is not a wire language; use one of: {languages.supported_list()}")
    if parent is not None and topics.get(parent) is None:
        c.add("parent", f"there is no Media Topic '{parent}'; give a QCode such as medtop:04000000, or leave "
                        "parent out for every topic")
    c.raise_if_any()
    items = []
    for t in topics.all():
        if t.retired or t.parent != (parent if parent is not None else t.parent):
            continue
        label = t.label(tag)
        if q and q.casefold() not in label.casefold():
            continue
        items.append({"qcode": t.qcode, "uri": t.uri, "label": label, "parent": t.parent})
    return {"source": topics.source, "licence": topics.licence, "items": items}
