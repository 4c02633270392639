"""The public site's error pages."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse


def not_found_page(request: Request) -> HTMLResponse:
    templates = getattr(request.app.state, "templates", None)
    if templates is not None:
        return templates.TemplateResponse(request, "404.html", {"lang": "en"}, status_code=404)
    return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>", status_code=404)
