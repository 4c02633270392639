"""The app's front door: FastAPI whose HTTP requests first pass a short chain of plain ASGI parts.

Starlette runs every request through its own middleware stack (error handling, telemetry, body
limit, then the app's middleware) before anything of ours. Most of the public site's requests are
answered from the page cache without any of it, so the chain that decides that runs first, in
``__call__``, and hands everything else to the framework as before. ``create_app`` sets ``front``;
an app without one is plain FastAPI. Lifespan and other scope types go straight to the framework.
"""

from __future__ import annotations

from fastapi import FastAPI


class FrontedApp(FastAPI):
    front = None  # an ASGI callable built around ``framework``, set by create_app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and self.front is not None:
            scope["app"] = self
            return await self.front(scope, receive, send)
        return await super().__call__(scope, receive, send)

    async def framework(self, scope, receive, send) -> None:
        """The request through FastAPI: its middleware stack, the app's middleware and the routes."""
        await super().__call__(scope, receive, send)
