"""The paths tests/test_embargo_probe.py tries, and how it looks for a leak in what comes back.

Every public path a caller could take to a release, its language versions and its media, with the
filters each accepts, plus the signed-in and API paths that take a release's id (tried with the
embargoed id, its neighbours and a missing one).
"""

from __future__ import annotations

import html
import json

from newswire.domain import languages

FEED_KINDS = ("rss", "atom", "json")
FILTERS = ({}, {"issuer": "acme"}, {"industry": "medtop:04000000"}, {"region": "DE"}, {"lang": "es"})
LANGS = ("en", "es")


def public_paths(token: str) -> list[str]:
    """Pages, indexes, search, feeds in every format and filter, the sitemap and the API's lists:
    what anyone may ask without knowing an id (``token`` is searched for)."""
    out = ["/", "/sitemap-news.xml", "/api/v1/releases", "/api/v1/releases?issuer=acme",
           "/api/v1/releases?language=es", "/api/v1/releases?industry=medtop:04000000", "/api/v1/releases?region=DE",
           "/api/v1/releases?status=scheduled", "/api/v1/releases?status=scheduled,approved,draft,submitted",
           f"/api/v1/releases?q={token}", "/api/v1/releases?since=2000-01-01T00:00:00Z"]
    for lang in LANGS:
        out += [f"/{lang}/", f"/{lang}/issuers", f"/{lang}/issuers/acme", f"/{lang}/industries",
                f"/{lang}/industries/04000000", f"/{lang}/regions", f"/{lang}/regions/DE", f"/{lang}/regions/US",
                f"/{lang}/live", f"/{lang}/search?q={token}", f"/{lang}/search?q=merger", f"/{lang}/search?q=acme"]
    for lang in (*LANGS, "de"):
        for kind in FEED_KINDS:
            for params in FILTERS:
                query = "&".join(f"{k}={v}" for k, v in params.items())
                out.append(f"/feeds/{lang}.{kind}" + (f"?{query}" if query else ""))
    return out


def id_paths(rid: int | str, slug: str, media_id: int | None = None, filename: str = "x.jpg") -> list[str]:
    """Every path that takes a release id, for the id ``rid`` (a public id or an internal number:
    embargoed, a neighbour or missing)."""
    out = [f"/releases/{rid}", f"/releases/{rid}?lang=es", f"/api/v1/releases/{rid}", f"/api/v1/releases/{rid}.xml",
           f"/api/v1/releases/{rid}?lang=es", f"/api/v1/releases/{rid}/status", f"/api/v1/releases/{rid}/checks",
           f"/api/v1/releases/{rid}/translations", f"/api/v1/releases/{rid}/translations/es",
           f"/api/v1/releases/{rid}/media", f"/api/v1/releases/{rid}/deliveries",
           f"/api/v1/releases/{rid}/media/{media_id or 1}/{filename}",
           f"/desk/releases/{rid}", f"/desk/releases/{rid}/edit", f"/desk/releases/{rid}/history",
           f"/desk/releases/{rid}/translations/es", f"/portal/releases/{rid}", f"/portal/releases/{rid}/report",
           f"/api/v1/releases/{rid}/report"]
    for lang in languages.SUPPORTED:
        out += [f"/{lang}/releases/{rid}/{slug}", f"/{lang}/releases/{rid}/x"]
    return out


def texts(response) -> str:
    """The body as it could be read: raw, with HTML entities undone, and JSON with its escapes undone."""
    raw = response.content.decode("utf-8", "replace")
    out = [raw, html.unescape(raw)]
    if "json" in response.headers.get("content-type", ""):
        try:
            out.append(json.dumps(response.json(), ensure_ascii=False))
        except ValueError:
            pass
    return "\n".join(out).casefold()


def leaks(response, needles: list[str], picture: bytes | None = None) -> list[str]:
    """The needles found anywhere in a response (headers included), and the picture's bytes."""
    found = texts(response) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items()).casefold()
    hits = [n for n in needles if n.casefold() in found]
    if picture is not None and picture[200:264] in response.content:
        hits.append("<the picture's bytes>")
    return hits
