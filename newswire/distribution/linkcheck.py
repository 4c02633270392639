"""Whether a release's links resolve: HEAD (GET where HEAD is refused) through the SSRF-guarded
session, bounded in time, each answer cached per URL for ``TTL`` seconds."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from dataclasses import dataclass

import aiohttp
from yarl import URL

from ..config import Settings
from .channels.http import blocked_reason, guarded_session
from .netguard import check_url

TTL = 600.0  # seconds an answer is reused
CACHE_SIZE = 10_000  # links remembered at most (a few MB)
TIMEOUT = 5.0  # seconds per link at most (the settings' webhook timeout, if shorter)
REDIRECTS = 5


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    detail: str  # "HTTP 200", "HTTP 404", "no answer within 5 s", "refused: …"


class LinkChecker:
    def __init__(self, settings: Settings, clock=time.monotonic):
        self.settings, self.now = settings, clock
        self.timeout = min(TIMEOUT, settings.webhook_timeout)
        self._cache: dict[str, tuple[float, LinkResult]] = {}
        self._lock = threading.Lock()

    def check(self, urls: list[str]) -> dict[str, LinkResult]:
        """Each URL's result, from the cache where it is fresh; the rest asked for at once."""
        now, out, todo = self.now(), {}, []
        with self._lock:
            for url in urls:
                hit = self._cache.get(url)
                if hit is not None and now - hit[0] < TTL:
                    out[url] = hit[1]
                else:
                    todo.append(url)
        if todo:
            # A thread of its own: the caller may be on an event loop's thread, or in none.
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                fresh = pool.submit(asyncio.run, self._ask_all(todo)).result()
            with self._lock:
                if len(self._cache) > CACHE_SIZE:  # bounded: drop what has expired, else start afresh
                    self._cache = {u: hit for u, hit in self._cache.items() if now - hit[0] < TTL}
                    if len(self._cache) > CACHE_SIZE:
                        self._cache.clear()
                for result in fresh:
                    self._cache[result.url] = (now, result)
                    out[result.url] = result
        return out

    async def _ask_all(self, urls: list[str]) -> list[LinkResult]:
        async with guarded_session(self.settings, connections=8) as session:
            return list(await asyncio.gather(*(self._ask(session, url) for url in urls)))

    async def _ask(self, session: aiohttp.ClientSession, url: str) -> LinkResult:
        try:
            return await asyncio.wait_for(self._follow(session, url), self.timeout)
        except (asyncio.TimeoutError, TimeoutError):
            return LinkResult(url, False, f"no answer within {self.timeout:g} s")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            if blocked := blocked_reason(exc):
                return LinkResult(url, False, f"refused: {blocked}")
            return LinkResult(url, False, f"{type(exc).__name__}: {exc}"[:300])

    async def _follow(self, session: aiohttp.ClientSession, url: str) -> LinkResult:
        """Redirects followed by hand: each hop's literal address is judged by the guard (names
        are judged by the session's resolver when it connects)."""
        target = URL(url)
        for _ in range(REDIRECTS + 1):
            if why := check_url(str(target), allow_private=self.settings.webhook_allow_private, resolve=False):
                return LinkResult(url, False, f"refused: {target} {why}")
            code, location = await self._once(session, target, "HEAD")
            if code in (405, 501):  # some servers answer only GET
                code, location = await self._once(session, target, "GET")
            if code not in (301, 302, 303, 307, 308) or not location:
                return LinkResult(url, code < 400, f"HTTP {code}")
            target = target.join(URL(location))
        return LinkResult(url, False, f"more than {REDIRECTS} redirects")

    async def _once(self, session: aiohttp.ClientSession, target: URL, method: str) -> tuple[int, str]:
        async with session.request(method, target, allow_redirects=False) as resp:
            return resp.status, resp.headers.get("Location", "")
