"""The public site's error pages."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ...domain import languages


def not_found_page(request: Request) -> HTMLResponse:
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>", status_code=404)
    # Answer in the language the URL asked for, when it names one; the page is otherwise
    # identical for every missing or non-public thing, so it reveals nothing.
    first = request.url.path.lstrip("/").split("/", 1)[0]
    lang = first if first in languages.SUPPORTED else request.app.state.nw.settings.default_language
    context = {"lang": lang, "dir": "rtl" if lang in languages.RTL else "ltr"}
    return templates.TemplateResponse(request, "404.html", context, status_code=404,
                                      headers={"Content-Language": lang})
