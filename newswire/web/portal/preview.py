"""A draft rendered exactly as the newsroom renders a release: the ``main`` block of the newsroom's
own ``release.html`` with the newsroom's own context (``newsroom.pages.release_context``), the body
sanitized at intake as a published one is, and the pictures served from the portal (a draft's
files are not public)."""

from __future__ import annotations

from fastapi import Request
from markupsafe import Markup

from ...domain import languages
from ...formats.site import Site
from ...services.portal import Draft
from ..newsroom.pages import release_context


class PreviewSite:
    """The wire's Site, but a draft's pictures come from the issuer's portal, not the public /media/."""

    def __init__(self, site: Site, public_id: str):
        self._site, self._public_id = site, public_id

    def __getattr__(self, name):
        return getattr(self._site, name)

    def media_url(self, item, rendition) -> str:
        return media_path(self._public_id, item.id, rendition.filename)


def media_path(public_id: str, media_id: int, filename: str) -> str:
    return f"/portal/releases/{public_id}/media/{media_id}/{filename}"


def render_preview(request: Request, draft: Draft) -> Markup:
    release = draft.release
    lang = release.content.language
    env = request.app.state.templates.env
    template = env.get_template("release.html")
    values = {**release_context(request, release, lang), "request": request, "lang": lang,
              "dir": "rtl" if lang in languages.RTL else "ltr", "site": PreviewSite(request.app.state.nw.site, release.public_id)}
    # the page's top-level imports do not run when one block is rendered: give it the newsroom's macros
    macros = env.get_template("_macros.html").make_module(values)
    values.update({k: v for k, v in vars(macros).items() if not k.startswith("_")})
    return Markup("".join(template.blocks["main"](template.new_context(values))))
