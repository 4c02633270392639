"""Confirming a republication an outlet reported: fetch its page through the SSRF guard and look
for a link to the release's canonical URL (``<a href>`` or ``<link rel=canonical>``-style ``href``)."""

from __future__ import annotations

import asyncio

import aiohttp
import lxml.html

from ..config import Settings
from ..formats.site import canonical_url
from .channels.http import blocked_reason, guarded_session

PAGE_LIMIT = 2 * 1024 * 1024  # of a page read: enough for any article, never a flood
MAX_REDIRECTS = 3


def _same(a: str, b: str) -> bool:
    try:
        return canonical_url(a).rstrip("/") == canonical_url(b).rstrip("/")
    except ValueError:
        return False


def links_to(page: bytes, base: str, targets: tuple[str, ...]) -> bool:
    try:
        doc = lxml.html.document_fromstring(page, base_url=base)
    except (ValueError, lxml.etree.ParserError):
        return False
    doc.make_links_absolute(base, resolve_base_href=True, handle_failures="ignore")
    return any(_same(el.get("href", ""), t) for el in doc.iter("a", "link") for t in targets)


async def _fetch(settings: Settings, url: str) -> tuple[bytes | None, str, str]:
    async with guarded_session(settings, connections=2) as session:
        try:
            async with session.get(url, max_redirects=MAX_REDIRECTS) as resp:
                body = await resp.content.read(PAGE_LIMIT)
                if resp.status != 200:
                    return None, str(resp.url), f"the page answered HTTP {resp.status}"
                return body, str(resp.url), ""
        except TimeoutError:
            return None, url, "the page did not answer in time"
        except (aiohttp.ClientError, OSError) as exc:
            return None, url, f"refused: {blocked}" if (blocked := blocked_reason(exc)) else f"not fetched: {exc}"


def confirm(settings: Settings, url: str, targets: tuple[str, ...]) -> tuple[bool, str]:
    """(confirmed, why not): whether the page at ``url`` links to one of ``targets``."""
    body, final, problem = asyncio.run(_fetch(settings, url))
    if body is None:
        return False, problem
    if links_to(body, final, targets):
        return True, ""
    return False, "the page does not link to the release's canonical URL"
