"""A WebSub subscriber's callback endpoints on 127.0.0.1, served from a thread of their own
so the app under test (TestClient, a worker) can call them from any event loop."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web


class CallbackServer:
    """Records every request. A verification GET is answered with its challenge, except under
    /wrong (a wrong one) and /deny (404); a POST is answered with ``post_status``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.post_status = 204
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app)
        self._wait(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self._wait(site.start())
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    def _wait(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append({"method": request.method, "path": request.path, "query": dict(request.query),
                              "headers": dict(request.headers), "body": await request.read()})
        if request.method == "POST":
            return web.Response(status=self.post_status)
        if request.path.startswith("/deny"):
            return web.Response(status=404)
        challenge = request.query.get("hub.challenge", "")
        return web.Response(text="nope" + challenge if request.path.startswith("/wrong") else challenge)

    def url(self, path: str) -> str:
        return self.base + path

    def got(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    def close(self) -> None:
        self._wait(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
